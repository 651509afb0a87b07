"""Plan stage: which pages exist and what each one shows.

Everything a page displays is computed here, in Python, once; templates only display it.
``SiteView`` indexes the records (interactions per physician, practice and liaison, open
follow-ups, monthly referral series); ``plan`` lists the pages; ``SiteView.context`` builds
the context of one page on demand, so that worker processes build only the pages they render.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from types import SimpleNamespace

from markupsafe import Markup

from liaison import charts
from liaison.content import MarkdownRenderer
from liaison.figures import Stats
from liaison.records import Site
from liaison.derived import (
    in_person, is_open, listed_physicians, month_index, month_label, month_of_label, owner,
    practices_of, training_expired,
)

# A constant without double quotes: safe inside the double-quoted content attribute as is.
CSP = Markup("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
             "base-uri 'none'; form-action 'none'")

NAV = (
    ("dashboard", "Dashboard", "index.html"),
    ("physicians", "Physicians", "physicians/index.html"),
    ("practices", "Practices", "practices/index.html"),
    ("team", "Team", "team/index.html"),
    ("follow-ups", "Follow-ups", "follow-ups/index.html"),
    ("activity", "Activity", "activity/index.html"),
    ("referrals", "Referrals", "referrals/index.html"),
    ("training", "Training", "training/index.html"),
    ("presentations", "Presentations", "presentations/index.html"),
    ("data-quality", "Data quality", "data-quality/index.html"),
)
RECENT = 8  # interactions shown on a brief
MONTHS_CHARTED = 24


@dataclass(frozen=True)
class Page:
    path: str  # relative to the output folder, '/'-separated
    template: str
    kind: str  # what SiteView.context builds
    key: str | None = None


def physician_href(pid: str) -> str:
    return f"physicians/{pid}/index.html"


def practice_href(pid: str) -> str:
    return f"practices/{pid}/index.html"


def member_href(tid: str) -> str:
    return f"team/{tid}/index.html"


def deck_href(deck: str, practice: str | None = None) -> str:
    return f"presentations/{deck}/{practice}/index.html" if practice else f"presentations/{deck}/index.html"


def pptx_name(deck: str, practice: str) -> str:
    """The PowerPoint file beside a customized deck's page."""
    return f"{deck}-{practice}.pptx"


def _ago(days: int | None) -> str:
    if days is None:
        return "never"
    if days == 0:
        return "today"
    if days < 0:
        return f"in {-days} day{'s' if days != -1 else ''}"
    if days == 1:
        return "yesterday"
    return f"{days} days ago"


def _signed(n: int) -> str:
    """+3 / −2 (a true minus sign, as in the trend badges)."""
    return f"+{n}" if n > 0 else f"\u2212{-n}" if n < 0 else "±0"


def _svg(chart, *args, **kwargs) -> Markup:
    """A chart from liaison.charts: SVG that escapes every text it holds."""
    return Markup(chart(*args, **kwargs))


_month_label = month_label
_midx = month_index


class SiteView:
    """Indexes of a checked site, for planning and for building page contexts."""

    def __init__(self, site: Site, stats: Stats, as_of: dt.date):
        self.site = site
        self.stats = stats
        self.as_of = as_of
        self.md = MarkdownRenderer()
        cfg = site.config
        self.our = cfg.practice
        self.services = {s.key: s.name for s in cfg.services}
        self.tiers = cfg.tiers
        self.month_last = _midx(as_of)
        self.month_first = self.month_last - MONTHS_CHARTED + 1
        self._views: dict[int, dict] = {}
        self._decks: dict[tuple, list] = {}  # compiled slide templates, once per deck and flavor
        self._deck_ctx: tuple = ("", {})  # the last deck context built: (practice, context)
        self.site_ctx = site.config.model_dump()  # site.yaml as decks see it
        self._pptx = None  # the .pptx writer, made on first use in each process
        self._parsed_slides: dict[str, object] = {}
        self._index()

    # ------------------------------------------------------------------ indexes

    def _index(self) -> None:
        site, D = self.site, self.as_of
        by_doc: dict[str, list] = defaultdict(list)
        by_practice: dict[str, list] = defaultdict(list)
        by_member: dict[str, list] = defaultdict(list)
        by_month: dict[int, list] = defaultdict(list)
        open_fu: list[tuple] = []
        for r in site.interactions:  # sorted by date
            if r.date > D:
                continue
            by_month[_midx(r.date)].append(r)
            by_member[r.liaison].append(r)
            for pid in listed_physicians(r):
                by_doc[pid].append(r)
            for p in practices_of(r, site.physicians):
                by_practice[p].append(r)
            for f in r.follow_ups:
                if is_open(f, D):
                    open_fu.append((f.due, r, f))
        for lst in (*by_doc.values(), *by_practice.values(), *by_member.values()):
            lst.reverse()  # newest first
        self.by_doc, self.by_practice, self.by_member, self.by_month = by_doc, by_practice, by_member, by_month
        open_fu.sort(key=lambda t: t[0])  # stable: then by interaction date and file order
        self.open_follow_ups = open_fu
        # Open follow-ups by the physicians, practices and owner they concern, so that no page
        # scans them all.
        self.fu_by_doc: dict[str, list] = defaultdict(list)
        self.fu_by_practice: dict[str, list] = defaultdict(list)
        self.fu_by_owner: dict[str, list] = defaultdict(list)
        for t in open_fu:
            r, f = t[1], t[2]
            for pid in listed_physicians(r):
                self.fu_by_doc[pid].append(t)
            for p in practices_of(r, site.physicians):
                self.fu_by_practice[p].append(t)
            self.fu_by_owner[owner(f, r)].append(t)

        series: dict[str, list[int]] = defaultdict(lambda: [0] * MONTHS_CHARTED)
        services_ever: dict[str, set] = defaultdict(set)
        first = self.month_first
        for row in site.referrals:
            if row.physician is None or row.date > D:
                continue
            services_ever[row.physician].add(row.service)
            i = _midx(row.date) - first
            if 0 <= i < MONTHS_CHARTED:
                series[row.physician][i] += row.count
        self.doc_series, self.services_ever = series, services_ever

        self.docs_of_practice: dict[str, list[str]] = defaultdict(list)
        for pid in sorted(site.physicians):
            self.docs_of_practice[site.physicians[pid].practice].append(pid)
        self.docs_of_liaison: dict[str, list[str]] = defaultdict(list)
        for pid, s in self.stats.physicians.items():
            if s.liaison:
                self.docs_of_liaison[s.liaison].append(pid)
        self.decks_for_practice: dict[str, list[str]] = defaultdict(list)
        for deck_id in sorted(site.decks):
            targets = site.decks[deck_id].meta.targets
            for pid in (sorted(site.practices) if targets == "all" else targets):
                if pid in site.practices:
                    self.decks_for_practice[pid].append(deck_id)

    def months(self) -> list[int]:
        return list(range(self.month_first, self.month_last + 1))

    # ------------------------------------------------------------------ small views

    def doc_ref(self, pid: str) -> dict:
        d = self.site.physicians.get(pid)
        return {"name": d.name if d else pid, "href": physician_href(pid)}

    def practice_ref(self, pid: str) -> dict:
        p = self.site.practices.get(pid)
        return {"name": p.name if p else pid, "href": practice_href(pid)}

    def member_ref(self, tid: str | None) -> tuple[str, str | None]:
        m = self.site.team.get(tid) if tid else None
        return (m.name, member_href(tid)) if m else ((tid or "—"), None)

    def interaction(self, r) -> SimpleNamespace:
        """The view of one interaction, built once per process. (An attribute namespace, not a
        dict: thousands are rendered, and Jinja reads attributes fastest.)"""
        v = self._views.get(id(r))
        if v is not None:
            return v
        practices = practices_of(r, self.site.physicians)
        name, href = self.member_ref(r.liaison)
        deck = self.site.decks.get(r.deck) if r.deck else None
        v = self._views[id(r)] = SimpleNamespace(
            date=r.date.isoformat(),
            type=r.type,
            in_person=in_person(r),
            liaison_name=name,
            liaison_href=href,
            outcome=r.outcome,
            summary=r.summary,
            practices=[SimpleNamespace(**self.practice_ref(p)) for p in practices],
            physicians=[SimpleNamespace(**self.doc_ref(p)) for p in r.physicians],
            met_with=r.met_with,
            needs=r.needs,
            notes_html=self.md.note(r.notes),
            next_visit=r.next_visit.isoformat() if r.next_visit else None,
            deck=SimpleNamespace(
                title=deck.meta.title,
                href=deck_href(deck.id, r.practice if r.practice in self.deck_targets_set(deck.id) else None))
            if deck else None,
        )
        return v

    def follow_up(self, due, r, f) -> dict:
        days = (due - self.as_of).days
        who = owner(f, r)
        name, href = self.member_ref(who)
        targets = [self.practice_ref(r.practice)] if r.practice else []
        targets += [self.doc_ref(p) for p in r.physicians]
        return {
            "due": due.isoformat(), "task": f.task, "overdue": days < 0,
            "overdue_text": f"{-days} day{'s' if days != -1 else ''} overdue" if days < 0 else "",
            "due_soon": 0 <= days <= 7, "due_text": "today" if days == 0 else f"in {days} days",
            "owner": who, "owner_name": name, "owner_href": href, "targets": targets,
            "logged": r.date.isoformat(),
        }

    def change(self, now: int, before: int) -> dict:
        text, css = charts.trend_badge(now, before)
        return {"text": text, "css": css}

    def physician_row(self, pid: str) -> dict:
        d = self.site.physicians[pid]
        s = self.stats.physicians[pid]
        practice = self.site.practices.get(d.practice)
        liaison_name, liaison_href = self.member_ref(s.liaison) if s.liaison else ("—", None)
        return {
            "id": pid, "name": d.name, "credentials": d.credentials or "", "specialty": d.specialty,
            "href": physician_href(pid), "practice": self.practice_ref(d.practice),
            "city": practice.city if practice and practice.city else "",
            "tier": d.tier or "", "status": s.status, "declining": s.declining,
            "visit_overdue": s.visit_overdue, "referrals_365d": s.referrals_365d,
            "referrals_prev_365d": s.referrals_prev_365d,
            "trend": self.change(s.referrals_365d, s.referrals_prev_365d),
            "last_visit": s.last_visit or "", "last_contact": s.last_contact or "",
            "liaison_name": liaison_name, "liaison_href": liaison_href,
        }

    def alerts_for(self, pid: str) -> list[dict]:
        s = self.stats.physicians[pid]
        d = self.site.physicians[pid]
        out = []
        if s.status == "new":
            out.append({"css": "good", "text": f"New referrer: first referral {s.first_referral}. Thank them."})
        if s.status == "lapsed":
            out.append({"css": "bad", "text": f"Lapsed: no referral for {s.days_since_referral} days (last {s.last_referral})."})
        if s.declining:
            n = s.referrals_90d
            out.append({"css": "bad", "text": f"Declining: {n} referral{'s' if n != 1 else ''} in the last 90 days against {s.referrals_prev_90d} in the 90 before."})
        if s.visit_overdue:
            cadence = self.tiers[d.tier].visit_every_days if d.tier in self.tiers else None
            last = s.last_visit
            when = f"last in-person visit {last} ({_ago((self.as_of - dt.date.fromisoformat(last)).days)})" if last else "never visited in person"
            out.append({"css": "warn", "text": f"Visit overdue: tier {d.tier} wants a visit every {cadence} days; {when}."})
        return out

    def talking_points(self, pids: list[str], interactions: list) -> list[str]:
        """Suggestions drawn from the data: open needs, services never referred for, time
        since the last visit, movements in referrals."""
        points: list[str] = []
        open_tasks = {id(r) for r in interactions for f in r.follow_ups
                      if is_open(f, self.as_of)}
        seen = set()
        for r in interactions:  # newest first
            if (self.as_of - r.date).days >= 365:
                break
            for need in r.needs:
                key = need.lower()
                if key in seen:
                    continue
                seen.add(key)
                state = " — a follow-up is still open" if id(r) in open_tasks else ""
                points.append(f"They asked for “{need}” on {r.date.isoformat()}{state}: what has changed since?")
        referred = set().union(*(self.services_ever.get(p, set()) for p in pids)) if pids else set()
        never = [name for key, name in self.services.items() if key not in referred]
        if pids and never and len(never) < len(self.services):
            points.append("Never referred to us for: " + ", ".join(never) + ". Ask whether they see such patients.")
        elif pids and not referred:
            points.append("No referral yet: introduce our services — " + ", ".join(self.services.values()) + ".")
        for pid in pids:
            s = self.stats.physicians[pid]
            name = self.site.physicians[pid].name
            if s.declining:
                points.append(f"{name}'s referrals are down ({s.referrals_prev_90d} → {s.referrals_90d} per 90 days): ask what changed.")
            elif s.status == "new":
                points.append(f"{name} started referring on {s.first_referral}: thank them and ask how the first patients did.")
            elif s.status == "lapsed":
                points.append(f"{name} last referred {s.days_since_referral} days ago: reconnect.")
        last_visit = max((r.date for r in interactions if in_person(r)), default=None)
        if last_visit is None:
            points.append("No in-person visit on record: introduce yourself and meet the office manager.")
        else:
            points.append(f"Last in-person visit {last_visit.isoformat()} ({_ago((self.as_of - last_visit).days)}).")
        return points

    # ------------------------------------------------------------------ page contexts

    def common(self, page: Page, section: str, title: str) -> dict:
        depth = page.path.count("/")
        return {
            "base": "../" * depth, "csp": CSP, "our": self.our, "section": section,
            "title": title, "as_of": self.as_of.isoformat(), "as_of_text": self.as_of.isoformat(),
            "nav": [{"key": k, "label": label, "href": href} for k, label, href in NAV],
        }

    def context(self, page: Page) -> dict:
        return CONTEXTS[page.kind](self, page)

    def ctx_dashboard(self, page: Page) -> dict:
        st = self.stats
        t = st.totals
        months = st.months[-MONTHS_CHARTED:]
        phys = st.physicians
        def pick(pred):
            return [self.physician_row(p) for p in sorted(phys, key=lambda p: (-phys[p].referrals_prev_365d, p)) if pred(phys[p])]
        upcoming = [self.follow_up(*t3) for t3 in self.open_follow_ups if (t3[0] - self.as_of).days <= 7]
        return {
            **self.common(page, "dashboard", "Dashboard"),
            "t": t,
            "d90": self.change(t.referrals_90d, t.referrals_prev_90d),
            "d365": self.change(t.referrals_365d, t.referrals_prev_365d),
            "capture": st.source_capture_rate_365d,
            "chart": _svg(charts.bar_chart, [m.month for m in months], [m.referrals for m in months],
                                      title="Referrals per month, last 24 months",
                                      secondary=[m.in_person for m in months],
                                      secondary_label="In-person visits"),
            "declining": pick(lambda s: s.declining)[:10],
            "declining_count": sum(1 for s in phys.values() if s.declining),
            "lapsed": pick(lambda s: s.status == "lapsed")[:10],
            "lapsed_count": sum(1 for s in phys.values() if s.status == "lapsed"),
            "new": pick(lambda s: s.status == "new")[:10],
            "new_count": sum(1 for s in phys.values() if s.status == "new"),
            "overdue_visits": sum(1 for s in phys.values() if s.visit_overdue),
            "week": upcoming[:25], "week_count": len(upcoming),
        }

    def ctx_physicians(self, page: Page) -> dict:
        rows = [self.physician_row(p) for p in sorted(self.site.physicians)]
        return {**self.common(page, "physicians", "Physicians"), "rows": rows}

    def ctx_physician(self, page: Page) -> dict:
        pid = page.key
        d = self.site.physicians[pid]
        s = self.stats.physicians[pid]
        interactions = self.by_doc.get(pid, [])
        months = self.months()
        follow = [self.follow_up(*t) for t in self.fu_by_doc.get(pid, [])]
        practice = self.site.practices.get(d.practice)
        return {
            **self.common(page, "physicians", d.name),
            "d": d, "s": s, "row": self.physician_row(pid),
            "notes_html": self.md.note(d.notes),
            "practice": self.practice_ref(d.practice),
            "practice_record": practice,
            "office_days": ", ".join(day.capitalize() for day in d.office_days),
            "alerts": self.alerts_for(pid),
            "d90": self.change(s.referrals_90d, s.referrals_prev_90d),
            "d365": self.change(s.referrals_365d, s.referrals_prev_365d),
            "last_referral_ago": _ago(s.days_since_referral),
            "last_visit_ago": _ago((self.as_of - dt.date.fromisoformat(s.last_visit)).days) if s.last_visit else "never",
            "chart": _svg(charts.bar_chart, [_month_label(m) for m in months], self.doc_series.get(pid, [0] * MONTHS_CHARTED),
                                      title=f"Referrals from {d.name} per month, last 24 months"),
            "recent": [self.interaction(r) for r in interactions[:RECENT]],
            "more": max(0, len(interactions) - RECENT),
            "follow_ups": follow,
            "points": self.talking_points([pid], interactions),
            "decks": [{"title": self.site.decks[k].meta.title, "href": deck_href(k, d.practice)}
                      for k in self.decks_for_practice.get(d.practice, [])],
        }

    def practice_row(self, pid: str) -> dict:
        p = self.site.practices[pid]
        s = self.stats.practices[pid]
        docs = self.docs_of_practice.get(pid, [])
        alerts = sum(1 for d in docs if self.stats.physicians[d].declining
                     or self.stats.physicians[d].status == "lapsed")
        name, href = self.member_ref(p.liaison) if p.liaison else ("—", None)
        return {"id": pid, "name": p.name, "href": practice_href(pid), "city": p.city or "",
                "physicians": s.physicians, "referrals_365d": s.referrals_365d,
                "referrals_prev_365d": s.referrals_prev_365d,
                "trend": self.change(s.referrals_365d, s.referrals_prev_365d),
                "last_contact": s.last_contact or "", "liaison_name": name, "liaison_href": href,
                "alerts": alerts, "best_visit_times": p.best_visit_times or ""}

    def ctx_practices(self, page: Page) -> dict:
        return {**self.common(page, "practices", "Practices"),
                "rows": [self.practice_row(p) for p in sorted(self.site.practices)]}

    def ctx_practice(self, page: Page) -> dict:
        pid = page.key
        p = self.site.practices[pid]
        s = self.stats.practices[pid]
        docs = self.docs_of_practice.get(pid, [])
        series = [0] * MONTHS_CHARTED
        for d in docs:
            for i, n in enumerate(self.doc_series.get(d, ())):
                series[i] += n
        interactions = self.by_practice.get(pid, [])
        months = self.months()
        alerts = []
        for d in docs:
            for a in self.alerts_for(d):
                alerts.append({**a, "text": f"{self.site.physicians[d].name}: {a['text']}"})
        follow = [self.follow_up(*t) for t in self.fu_by_practice.get(pid, [])]
        return {
            **self.common(page, "practices", p.name),
            "p": p, "s": s, "row": self.practice_row(pid),
            "notes_html": self.md.note(p.notes),
            "doctors": [{**self.physician_row(d), "office_days": ", ".join(x.capitalize() for x in self.site.physicians[d].office_days)} for d in docs],
            "d365": self.change(s.referrals_365d, s.referrals_prev_365d),
            "last_contact_ago": _ago((self.as_of - dt.date.fromisoformat(s.last_contact)).days) if s.last_contact else "never",
            "chart": _svg(charts.bar_chart, [_month_label(m) for m in months], series,
                                      title=f"Referrals from {p.name} per month, last 24 months"),
            "alerts": alerts,
            "recent": [self.interaction(r) for r in interactions[:RECENT]],
            "more": max(0, len(interactions) - RECENT),
            "follow_ups": follow,
            "points": self.talking_points(docs, interactions),
            "decks": [{"title": self.site.decks[k].meta.title, "href": deck_href(k, pid)}
                      for k in self.decks_for_practice.get(pid, [])],
        }

    def ctx_team(self, page: Page) -> dict:
        rows = []
        for tid in sorted(self.site.team):
            m = self.site.team[tid]
            l = self.stats.liaisons.get(tid)
            rows.append({"id": tid, "name": m.name, "role": m.role, "href": member_href(tid),
                         "email": m.email or "", "l": l,
                         "trainings": len(m.trainings)})
        return {**self.common(page, "team", "Team"), "rows": rows}

    def attention(self, pid: str) -> tuple[int, list[str]]:
        """How much a physician needs their liaison now: (score, reasons)."""
        s = self.stats.physicians[pid]
        reasons, score = [], 0
        open_fu = len(self.fu_by_doc.get(pid, ()))
        if s.visit_overdue:
            score += 4
            reasons.append("visit overdue")
        if s.declining:
            score += 3
            reasons.append("declining")
        if s.status == "lapsed":
            score += 2
            reasons.append("lapsed")
        if open_fu:
            score += 1
            reasons.append(f"{open_fu} open follow-up{'s' if open_fu > 1 else ''}")
        if s.status == "new":
            reasons.append("new referrer")
        return score, reasons

    def ctx_member(self, page: Page) -> dict:
        tid = page.key
        m = self.site.team[tid]
        is_liaison = m.role == "liaison"
        groups = []
        if is_liaison:
            by_practice: dict[str, list] = defaultdict(list)
            for pid in self.docs_of_liaison.get(tid, []):
                score, reasons = self.attention(pid)
                by_practice[self.site.physicians[pid].practice].append((score, pid, reasons))
            for prac, docs in by_practice.items():
                docs.sort(key=lambda t: (-t[0], t[1]))
                p = self.site.practices.get(prac)
                groups.append({
                    "practice": self.practice_ref(prac), "score": max(t[0] for t in docs),
                    "best": p.best_visit_times if p else None,
                    "last_contact": self.stats.practices[prac].last_contact if prac in self.stats.practices else None,
                    "doctors": [{**self.physician_row(pid), "score": score, "reasons": reasons}
                                for score, pid, reasons in docs],
                })
            groups.sort(key=lambda g: (-g["score"], g["practice"]["name"]))
        recent = [r for r in self.by_member.get(tid, []) if (self.as_of - r.date).days < 90]
        owned = [self.follow_up(*t) for t in self.fu_by_owner.get(tid, [])]
        trainings = []
        for t in sorted(m.trainings, key=lambda t: (t.completed, t.guide), reverse=True):
            g = self.site.guides.get(t.guide)
            expired = bool(g) and training_expired(t.completed, g.meta.renew_every_days, self.as_of)
            trainings.append({"title": g.meta.title if g else t.guide, "href": f"training/{t.guide}/index.html" if g else None,
                              "completed": t.completed.isoformat(), "score": t.score, "expired": expired})
        return {
            **self.common(page, "team", m.name), "m": m, "is_liaison": is_liaison,
            "l": self.stats.liaisons.get(tid), "groups": groups,
            "recent": [self.interaction(r) for r in recent], "follow_ups": owned,
            "trainings": trainings,
        }

    def ctx_activity(self, page: Page) -> dict:
        months = sorted(self.by_month, reverse=True)
        latest = []
        for mi in months:
            for r in reversed(self.by_month[mi]):
                latest.append(r)
                if len(latest) >= 50:
                    break
            if len(latest) >= 50:
                break
        return {**self.common(page, "activity", "Activity"),
                "recent": [self.interaction(r) for r in latest],
                "months": [{"label": _month_label(m), "href": f"activity/{_month_label(m)}/index.html",
                            "count": len(self.by_month[m]),
                            "in_person": sum(1 for r in self.by_month[m] if in_person(r))} for m in months]}

    def ctx_activity_month(self, page: Page) -> dict:
        mi = month_of_label(page.key)
        rows = list(reversed(self.by_month.get(mi, [])))
        return {**self.common(page, "activity", f"Activity in {page.key}"), "month": page.key,
                "recent": [self.interaction(r) for r in rows]}

    def ctx_follow_ups(self, page: Page) -> dict:
        rows = [self.follow_up(*t) for t in self.open_follow_ups]
        by_owner: dict[str, list] = defaultdict(list)
        for f in rows:
            by_owner[f["owner"]].append(f)
        owners = [{"name": self.member_ref(o)[0], "href": self.member_ref(o)[1],
                   "rows": by_owner[o], "overdue": sum(1 for f in by_owner[o] if f["overdue"])}
                  for o in sorted(by_owner, key=lambda o: self.member_ref(o)[0])]
        return {**self.common(page, "follow-ups", "Follow-ups"),
                "overdue": [f for f in rows if f["overdue"]], "open": rows, "owners": owners}

    def ctx_referrals(self, page: Page) -> dict:
        st = self.stats
        t = st.totals
        months = st.months[-MONTHS_CHARTED:]
        f = st.funnel_365d
        phys = st.physicians
        top = sorted((p for p in phys if phys[p].referrals_365d), key=lambda p: (-phys[p].referrals_365d, p))[:15]
        movers = sorted((p for p in phys if phys[p].referrals_365d != phys[p].referrals_prev_365d),
                        key=lambda p: (-abs(phys[p].referrals_365d - phys[p].referrals_prev_365d), p))[:15]
        def rows(pred, limit=50):
            ids = [p for p in sorted(phys) if pred(phys[p])]
            return [self.physician_row(p) for p in ids[:limit]], len(ids)
        new, new_n = rows(lambda s: s.status == "new")
        lapsed, lapsed_n = rows(lambda s: s.status == "lapsed")
        declining, declining_n = rows(lambda s: s.declining)
        sources = sorted(st.sources_365d.items(), key=lambda kv: (-kv[1], kv[0]))
        return {
            **self.common(page, "referrals", "Referral statistics"),
            "t": t, "capture": st.source_capture_rate_365d,
            "d90": self.change(t.referrals_90d, t.referrals_prev_90d),
            "d365": self.change(t.referrals_365d, t.referrals_prev_365d),
            "chart": _svg(charts.bar_chart, [m.month for m in months], [m.referrals for m in months],
                                      title="Referrals per month, last 24 months",
                                      secondary=[m.treated for m in months], secondary_label="Treated"),
            "funnel": _svg(charts.funnel_chart, [("Referred", f["referred"]), ("Scheduled", f["scheduled"]),
                                           ("Consulted", f["consulted"]), ("Treated", f["treated"]),
                                           ("Declined", f["declined"])], title="Referral funnel, last 365 days"),
            "sources": _svg(charts.share_bars, sources, title="How patients heard about us, last 365 days", highlight="unknown"),
            "services": _svg(charts.share_bars, [(self.services[k], v) for k, v in st.services_365d.items()],
                                          title="Referrals by service line, last 365 days"),
            "top": [self.physician_row(p) for p in top],
            "movers": [{**self.physician_row(p), "delta": _signed(phys[p].referrals_365d - phys[p].referrals_prev_365d),
                        "up": phys[p].referrals_365d > phys[p].referrals_prev_365d} for p in movers],
            "new": new, "new_n": new_n, "lapsed": lapsed, "lapsed_n": lapsed_n,
            "declining": declining, "declining_n": declining_n,
            "months_table": list(reversed(months)),
        }

    def ctx_data_quality(self, page: Page) -> dict:
        phys = self.stats.physicians
        docs = sorted(self.site.physicians)
        def rows(pred):
            return [self.physician_row(p) for p in docs if pred(self.site.physicians[p], phys[p])]
        return {
            **self.common(page, "data-quality", "Data quality"),
            "no_npi": rows(lambda d, s: d.npi is None),
            "no_tier": rows(lambda d, s: d.tier is None),
            "no_liaison": rows(lambda d, s: s.liaison is None),
            "never_contacted": rows(lambda d, s: s.last_contact is None),
            "practices_no_liaison": [self.practice_row(p) for p in sorted(self.site.practices)
                                     if self.site.practices[p].liaison is None],
        }


    # ------------------------------------------------------------------ training, decks

    def guide_rows(self) -> list[dict]:
        guides = sorted(self.site.guides.values(),
                        key=lambda g: (g.meta.order if g.meta.order is not None else 10**9, g.meta.title, g.id))
        return [{"id": g.id, "title": g.meta.title, "audience": g.meta.audience,
                 "summary": g.meta.summary or "", "href": f"training/{g.id}/index.html",
                 "renew": g.meta.renew_every_days} for g in guides]

    def ctx_training(self, page: Page) -> dict:
        guides = self.guide_rows()
        matrix = []
        for tid in sorted(self.site.team):
            m = self.site.team[tid]
            latest = {}
            for t in m.trainings:
                if t.guide not in latest or t.completed > latest[t.guide].completed:
                    latest[t.guide] = t
            cells = []
            for g in guides:
                if g["audience"] not in ("all", m.role):
                    cells.append({"state": "n/a"})
                    continue
                t = latest.get(g["id"])
                if t is None:
                    cells.append({"state": "missing"})
                elif training_expired(t.completed, g["renew"], self.as_of):
                    cells.append({"state": "expired", "date": t.completed.isoformat(), "score": t.score})
                else:
                    cells.append({"state": "completed", "date": t.completed.isoformat(), "score": t.score})
            matrix.append({"name": m.name, "href": member_href(tid), "role": m.role, "cells": cells})
        return {**self.common(page, "training", "Training"), "guides": guides, "matrix": matrix,
                "capture": self.stats.source_capture_rate_365d}

    def ctx_guide(self, page: Page) -> dict:
        g = self.site.guides[page.key]
        html, toc = self.md.document(g.body)
        return {**self.common(page, "training", g.meta.title), "g": g, "html": html, "toc": toc,
                "capture": self.stats.source_capture_rate_365d}

    @cached_property
    def _target_sets(self) -> dict[str, set]:
        return {d: set(self.deck_targets(d)) for d in self.site.decks}

    def deck_targets_set(self, deck_id: str) -> set:
        return self._target_sets.get(deck_id, set())

    def deck_targets(self, deck_id: str) -> list[str]:
        from liaison.decks import deck_targets

        return deck_targets(self.site, self.site.decks[deck_id])

    def ctx_presentations(self, page: Page) -> dict:
        decks = []
        for deck_id in sorted(self.site.decks):
            d = self.site.decks[deck_id]
            decks.append({"title": d.meta.title, "description": d.meta.description or "",
                          "href": deck_href(deck_id), "slides": len(d.slides),
                          "targets": [self.practice_ref(p) | {"href": deck_href(deck_id, p)}
                                      for p in self.deck_targets(deck_id)]})
        return {**self.common(page, "presentations", "Presentations"), "decks": decks}

    def deck_markdown(self, deck_id: str, practice: str | None, flavor: str = "html") -> list[str]:
        """A deck's slides rendered for one practice (None: generic), with values escaped for
        the HTML deck or the .pptx (``flavor``)."""
        from liaison import decks as deck_stage

        compiled = self._decks.get((deck_id, flavor))
        if compiled is None:
            compiled = self._decks[(deck_id, flavor)] = deck_stage.compile_deck(
                deck_stage.make_env(flavor), self.site.decks[deck_id])[0]
        if self._deck_ctx[0] != practice:  # the HTML page, then its .pptx: one context
            self._deck_ctx = (practice, deck_stage.deck_context(
                self.site, self.site_ctx, self.stats.practices, self.docs_of_practice, practice))
        return deck_stage.render_markdown(compiled, self._deck_ctx[1])

    def _slide_content(self, markdown: str):
        """A slide parsed for the .pptx, once per distinct text (most slides repeat from one
        practice's deck to the next)."""
        from liaison import pptx

        parsed = self._parsed_slides.get(markdown)
        if parsed is None:
            if len(self._parsed_slides) > 5000:
                self._parsed_slides.clear()
            parsed = self._parsed_slides[markdown] = pptx.slide_content(markdown)
        return parsed

    def files_beside(self, page: Page) -> dict[str, bytes]:
        """Files written next to a page: the .pptx of a customized deck."""
        if page.kind != "deck" or "/" not in page.key:
            return {}
        from liaison import pptx

        deck_id, _, practice = page.key.partition("/")
        if self._pptx is None:
            self._pptx = pptx.DeckWriter(self.our.name, self.as_of)
        slides = [self._slide_content(md) for md in self.deck_markdown(deck_id, practice, "pptx")]
        title = f"{self.site.decks[deck_id].meta.title} — {self.site.practices[practice].name}"
        folder = page.path.rsplit("/", 1)[0]
        return {f"{folder}/{pptx_name(deck_id, practice)}": self._pptx.write(title, slides)}

    def ctx_deck(self, page: Page) -> dict:
        from liaison import decks as deck_stage

        deck_id, _, practice = page.key.partition("/")
        d = self.site.decks[deck_id]
        slides = deck_stage.render_html(self, self.deck_markdown(deck_id, practice or None))
        title = d.meta.title + (f" — {self.site.practices[practice].name}" if practice else "")
        return {**self.common(page, "presentations", title), "deck": d, "slides": slides,
                "practice": self.practice_ref(practice) if practice else None,
                "pptx": pptx_name(deck_id, practice) if practice else None}


# What builds the context of each kind of page.
CONTEXTS = {
    "dashboard": SiteView.ctx_dashboard,
    "physicians": SiteView.ctx_physicians,
    "physician": SiteView.ctx_physician,
    "practices": SiteView.ctx_practices,
    "practice": SiteView.ctx_practice,
    "team": SiteView.ctx_team,
    "member": SiteView.ctx_member,
    "activity": SiteView.ctx_activity,
    "activity-month": SiteView.ctx_activity_month,
    "follow-ups": SiteView.ctx_follow_ups,
    "referrals": SiteView.ctx_referrals,
    "data-quality": SiteView.ctx_data_quality,
    "training": SiteView.ctx_training,
    "guide": SiteView.ctx_guide,
    "presentations": SiteView.ctx_presentations,
    "deck": SiteView.ctx_deck,
}


def plan(view: SiteView) -> list[Page]:
    """Every HTML page of the site, in a fixed order."""
    site = view.site
    pages = [
        Page("index.html", "dashboard.html", "dashboard"),
        Page("physicians/index.html", "physicians.html", "physicians"),
        Page("practices/index.html", "practices.html", "practices"),
        Page("team/index.html", "team.html", "team"),
        Page("follow-ups/index.html", "follow_ups.html", "follow-ups"),
        Page("activity/index.html", "activity.html", "activity"),
        Page("referrals/index.html", "referrals.html", "referrals"),
        Page("data-quality/index.html", "data_quality.html", "data-quality"),
    ]
    pages += [Page(f"activity/{_month_label(m)}/index.html", "activity_month.html", "activity-month",
                   _month_label(m)) for m in sorted(view.by_month)]
    pages += [Page(member_href(t), "member.html", "member", t) for t in sorted(site.team)]
    pages += [Page(practice_href(p), "practice.html", "practice", p) for p in sorted(site.practices)]
    pages += [Page(physician_href(p), "physician.html", "physician", p) for p in sorted(site.physicians)]
    pages.append(Page("training/index.html", "training.html", "training"))
    pages += [Page(f"training/{g}/index.html", "guide.html", "guide", g) for g in sorted(site.guides)]
    pages.append(Page("presentations/index.html", "presentations.html", "presentations"))
    for deck_id in sorted(site.decks):
        pages.append(Page(deck_href(deck_id), "deck.html", "deck", deck_id))
        pages += [Page(deck_href(deck_id, p), "deck.html", "deck", f"{deck_id}/{p}")
                  for p in view.deck_targets(deck_id)]
    return pages
