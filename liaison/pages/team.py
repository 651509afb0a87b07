"""The team (``team/``) and each member's page (``team/<id>/``): a liaison's figures (tier
coverage, visits per week, return on visit), call plan (their physicians by practice, most in
need of a visit first) and high-potential prospects, recent interactions, the follow-ups they
own and their training record."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from itertools import takewhile
from urllib.parse import quote

from liaison.charts import trend_badge
from liaison.wording import plural, rate
from liaison.derived import (
    ROV_DAYS, latest_trainings, physicians_still_theirs, practices_of, renewal_due,
    renewal_due_soon, training_expired,
)
from liaison.names import fold, sort_key
from liaison.pages.base import (
    PERCENT_BASE, Page, PageKind, calendar_href, guide_href, guide_order, member_href, one_page,
)
from liaison.pages.briefs import _earlier
from liaison.pages.log import log_href
from liaison.pages.prospects import prospect_row, ranked
from liaison.pages.rows import (
    MISSED_PLAN, no_liaison_now, no_matured_visit, physician_row, planned_visit,
)
from liaison.pages.view import SiteView

WINDOW = 90  # days of visits per week
RECENT_DAYS = 90  # a member page's recent interactions: those of the last 90 days
# a practice where the liaison has more physicians: its Log a visit ticks none (a weekly stop
# at a group of 200 sees a few of them, and a form opened with all 200 ticked logs them all)
LOG_CHOSEN = 6


def liaison_figures(view: SiteView, tid: str) -> dict | None:
    """A liaison's tier coverage, visits per week and return on visit, ready to show; None for
    a team member who is not a liaison.

    Tier coverage: their tiered physicians seen on cadence (not ``visit_overdue``), as a
    percentage only from ``PERCENT_BASE`` tiered physicians on. Visits per week: in-person
    interactions they logged in the last 90 days over 90/7 weeks. Return on visit: their
    ``rov_365d``, with the change from before to after as a percentage only on a base of
    ``PERCENT_BASE`` or more."""
    s = view.stats.liaisons.get(tid)
    if s is None:
        return None
    rov = s.rov_365d
    coverage = (f"{(200 * s.tiered_current + s.tiered) // (2 * s.tiered)}%"  # half away from
                if s.tiered >= PERCENT_BASE else None)  # zero, as the site's other percentages
    rov_text, rov_css = trend_badge(rov.after, rov.before)
    rov_percent = rov_text if rov.before >= PERCENT_BASE else None
    return {
        "tiered": s.tiered, "tiered_current": s.tiered_current,
        "coverage": f"{s.tiered_current} of {s.tiered}", "coverage_percent": coverage,
        "visits_per_week": f"{s.in_person_90d * 7 / WINDOW:.1f}", "visits_window": WINDOW,
        "in_person": s.in_person_90d,
        "rov_visits": rov.visits, "rov_before": rov.before, "rov_after": rov.after,
        # no visit old enough yet (a new liaison): nothing to compare, "0 → 0" read as a result
        "rov": f"{rov.before} \u2192 {rov.after}" if rov.visits else "\u2014",
        "rov_percent": rov_percent, "rov_css": rov_css, "rov_days": ROV_DAYS,
        # the notes of the KPI cards
        "coverage_note": (f"{coverage} of " if coverage else "")
        + "tiered physicians seen on cadence",
        "visits_note": f"{s.in_person_90d} in person in the last {WINDOW} days",
        "rov_note": (f"{rov_percent} · " if rov_percent else "")
        + f"over {plural(rov.visits, 'visit')}: referrals before → after" if rov.visits
        else no_matured_visit(view.stats),
    }


def trainings_taken(view: SiteView, m) -> int:
    """How many trainings a member had taken at the as-of date, as their page lists them:
    one dated after it is not taken yet, and one written twice is one."""
    return len({(t.guide, t.completed) for t in m.trainings if t.completed <= view.as_of})


def team(view: SiteView, page: Page) -> dict:
    rows = []
    team = view.site.team
    for tid in sorted(team, key=lambda t: (sort_key(team[t].name), t)):  # by last name
        m = team[tid]
        rows.append({"id": tid, "name": m.name, "sort_name": sort_key(m.name), "role": m.role,
                     "href": member_href(tid),
                     "email": m.email or "", "stats": view.stats.liaisons.get(tid),
                     "figures": liaison_figures(view, tid), "trainings": trainings_taken(view, m)})
    # a liaison who left the role whom a hand-over forgot on some physicians: in no row
    forgotten = [{**r, "physicians": kept} for r in rows if r["figures"] is None
                 for kept in [physicians_still_theirs(view.stats, r["id"])["physicians"]]
                 if kept]
    return {**view.common(page, "team", "Team"), "rows": rows,
            "liaisons": [r for r in rows if r["figures"] is not None], "forgotten": forgotten}


def attention(view: SiteView, pid: str) -> tuple[int, list[dict]]:
    """How much a physician needs their liaison now: (score, reasons, each a label and its
    badge class). Visit overdue 4, declining 3, lapsed 2, an open follow-up 1; a new referrer
    and a high-potential prospect are labelled without a score."""
    s = view.stats.physicians[pid]
    reasons, score = [], 0
    open_fu = len(view.fu_by_doc.get(pid, ()))
    if s.visit_overdue:
        score += 4
        reasons.append({"text": "visit overdue", "css": "overdue"})
    if s.declining:
        score += 3
        reasons.append({"text": "declining", "css": "overdue"})
    if s.status == "lapsed":
        score += 2
        reasons.append({"text": "lapsed", "css": "overdue"})
    if open_fu:
        score += 1
        reasons.append({"text": f"{open_fu} open follow-up{'s' if open_fu > 1 else ''}",
                        "css": "warn"})
    if s.status == "new":
        reasons.append({"text": "new referrer", "css": "warn"})
    if s.status == "prospect" and s.potential == "high":
        reasons.append({"text": "high-potential prospect", "css": "prospect"})
    return score, reasons


def _call_plan(view: SiteView, tid: str) -> list[dict]:
    by_practice: dict[str, list] = defaultdict(list)
    for pid in view.docs_of_liaison.get(tid, []):
        score, reasons = attention(view, pid)
        by_practice[view.site.physicians[pid].practice].append((score, pid, reasons))
    # a practice of theirs with no physician on record yet (a new office): theirs to visit all
    # the same, and to fill in
    for prac in _empty_practices(view).get(tid, ()):
        by_practice[prac] = []
    groups = []
    physicians = view.site.physicians
    for prac, docs in by_practice.items():
        # in equal need, the most referrals in the last 365 days first (of a large group's,
        # the ten shown are its top referrers, not its A to C), then by last name (as in the
        # directories), then id
        docs.sort(key=lambda t: (-t[0], -view.stats.physicians[t[1]].referrals_365d,
                                 sort_key(physicians[t[1]].name), t[1]))
        p = view.site.practices.get(prac)
        figures = view.stats.practices.get(prac)
        plan = planned_visit(view, prac)
        missed = plan is not None and plan["missed"]
        groups.append({
            "practice": view.practice_ref(prac),
            "score": max(max((t[0] for t in docs), default=0), MISSED_PLAN if missed else 0),
            "plan": plan,
            "log_href": log_href(view, prac, [t[1] for t in docs] if len(docs) <= LOG_CHOSEN else (),
                                 tid),
            "city": p.city if p else None,  # (a day's visits are planned by area)
            "best": p.best_visit_times if p else None,
            "last_contact": figures.last_contact if figures is not None else None,
            "doctors": [{**physician_row(view, pid), "score": score, "reasons": reasons}
                        for score, pid, reasons in docs],
        })
    groups.sort(key=lambda g: (-g["score"], g["practice"]["name"]))
    return groups


def _empty_practices(view: SiteView) -> dict[str, list[str]]:
    """Liaison id -> the practices assigned to them that have no physician (made once a view)."""
    made = view.caches.get("empty_practices")
    if made is None:
        made = view.caches["empty_practices"] = defaultdict(list)
        for prac in sorted(view.site.practices):
            p = view.site.practices[prac]
            if p.liaison and not view.docs_of_practice.get(prac):
                made[p.liaison].append(prac)
    return made


def member_trainings(view: SiteView, m) -> list[dict]:
    """A member's training record at the as-of date, as the competency matrix reads it: the
    guides of their audience they never took first ("missing"), then each training, newest
    first: "current" (with the last day it is current, ``due``, when that is within
    RENEWAL_NOTICE_DAYS: ``due_soon``), "expired" (older than the guide's renew_every_days), "not required"
    (expired, of a guide not for their role: the matrix's "not required; taken", not an alarm
    on the page of a manager who sat in or of a liaison who has left), "renewed" (an older one
    of a guide taken again since) or "after the as-of date" (not taken yet then); a current one
    of a guide that asks for renewal, the last day it holds (``renew_by``)."""
    D, guides = view.as_of, view.site.guides
    taken = sorted(m.trainings, key=lambda t: (t.completed, t.guide), reverse=True)
    latest = latest_trainings(m.trainings, D)
    rows = [{"title": g.meta.title, "href": guide_href(gid), "completed": None, "score": None,
             "state": "missing", "expired": False, "renew_by": None, "due_soon": False}
            for gid, g in sorted(guides.items(), key=lambda kv: guide_order(*kv))
            if g.meta.audience in ("all", m.role) and gid not in latest]
    seen = set()
    for t in taken:
        if (t.guide, t.completed) in seen:  # the same training written twice (validate warns)
            continue
        seen.add((t.guide, t.completed))
        g = guides.get(t.guide)
        if t.completed > D:
            state = "future"
        elif latest[t.guide] is not t:
            state = "renewed"
        elif g is not None and training_expired(t.completed, g.meta.renew_every_days, D):
            state = "expired" if g.meta.audience in ("all", m.role) else "not required"
        else:
            state = "current"
        # the last day a current training of a guide for their role holds (the guide's
        # renew_every_days; one not for their role asks for no renewal), or None; within
        # RENEWAL_NOTICE_DAYS of it, due soon
        renew = g.meta.renew_every_days if g is not None and g.meta.audience in ("all", m.role) else None
        due = renewal_due(t.completed, renew) if state == "current" else None
        soon = state == "current" and renewal_due_soon(t.completed, renew, D)
        rows.append({"title": g.meta.title if g else t.guide,
                     "href": guide_href(t.guide) if g else None,
                     "completed": t.completed.isoformat(), "score": t.score, "state": state,
                     "expired": state == "expired",  # (what a site's member.html may read)
                     "renew_by": due.isoformat() if due else None, "due_soon": soon})
    return rows


def member_capture(view: SiteView, m, tid: str) -> dict | None:
    """Their own source capture of the last 365 days (``capture_by_member_365d``) beside the
    practice's: for each member named as ``taken_by``, and for every front-desk member, who
    reads "none" when no row names them (``taken_by`` left empty); else None. Under
    ``PERCENT_BASE`` new patients their share reads as a count (``rate`` None, ``recorded`` of
    ``referrals``), as a brief's treated share: "100.0%" of one patient says little."""
    c = view.stats.capture_by_member_365d.get(tid)
    if c is None and m.role != "front-desk":
        return None
    taken = c.referrals if c else 0
    unknown = c.unknown if c else 0
    return {"id": tid, "referrals": taken, "taken": plural(taken, "new patient"),
            "unknown": unknown, "recorded": taken - unknown,
            "rate": rate(c.rate) if c and taken >= PERCENT_BASE else None,
            "practice_rate": rate(view.stats.source_capture_rate_365d)}


def still_named(view: SiteView, tid: str) -> dict | None:
    """What still names ``tid`` as its liaison although they are no liaison (one who left the
    role and a hand-over forgot: in no call plan): ``why`` ("Lena Brooks is no liaison
    (other)"), the practices whose file names them and the physicians whose own file does,
    each by name; None for a liaison or when nothing names them."""
    why = no_liaison_now(view, tid)
    if why is None:
        return None
    site = view.site
    practices = sorted((view.practice_ref(p) for p in site.practices
                        if site.practices[p].liaison == tid),
                       key=lambda r: (fold(r["name"]), r["href"]))  # as practices/ lists them
    physicians = [physician_row(view, p) for p in view.docs_of_liaison.get(tid, [])
                  if site.physicians[p].liaison == tid]
    physicians.sort(key=lambda r: (r["sort_name"], r["id"]))
    if not practices and not physicians:
        return None
    return {"why": why, "practices": practices, "physicians": physicians}


def left_role(view: SiteView, tid: str, named: bool) -> dict | None:
    """What the page of a member of role other who logged interactions says of it (a liaison
    who left the role, README "A liaison leaves": their file kept with ``role: other``, for the
    visits they logged; or other staff who log one now and then), or None for any other
    member, and for one of role other who never logged an interaction. ``named``: whether a
    practice or physician still names them as liaison (``still_named``), the one mark the
    records keep of a liaison who left (``named`` in the result). The records keep no
    date of leaving: ``last`` is the day of the last interaction they logged (the last the
    records show them in the field), ``logged`` how many they logged; ``practices``: each
    practice their interactions concern (``derived.practices_of``), by name, with the day of
    their last one there and its liaison today (``liaison_name``/``liaison_href``, None when
    it has none; ``still_theirs`` when its file still names them: in no call plan)."""
    m = view.site.team[tid]
    logged = view.by_member.get(tid, [])  # newest first
    if m.role != "other" or not logged:
        return None
    last_at: dict[str, dt.date] = {}
    for r in logged:
        for prac in practices_of(r, view.site.physicians):
            last_at.setdefault(prac, r.date)
    practices = []
    for prac, day in last_at.items():
        p = view.site.practices.get(prac)
        now = p.liaison if p is not None else None
        name, href = view.member_ref(now) if now else (None, None)
        practices.append({"practice": view.practice_ref(prac), "last": day.isoformat(),
                          "liaison_name": name, "liaison_href": href,
                          "still_theirs": now == tid})
    practices.sort(key=lambda r: (fold(r["practice"]["name"]), r["practice"]["href"]))
    return {"last": logged[0].date.isoformat(), "logged": len(logged), "practices": practices,
            "named": named}


def member(view: SiteView, page: Page) -> dict:
    tid = page.key
    m = view.site.team[tid]
    is_liaison = m.role == "liaison"
    # the last 90 days': their interactions are newest first (none after the as-of date),
    # read up to the first older one, not all of them (a liaison logs hundreds a year)
    since = view.as_of - dt.timedelta(days=RECENT_DAYS)
    logged = view.by_member.get(tid, [])
    recent = list(takewhile(lambda r: r.date > since, logged))
    trainings = member_trainings(view, m)
    prospects = [prospect_row(view, pid, i + 1) for i, pid in enumerate(
        p for p in ranked(view, "prospect", view.docs_of_liaison.get(tid, []))
        if view.stats.physicians[p].potential == "high")] if is_liaison else []
    named = still_named(view, tid)
    return {
        **view.common(page, "team", m.name), "member": m, "member_id": tid,
        "is_liaison": is_liaison,
        "stats": view.stats.liaisons.get(tid), "figures": liaison_figures(view, tid),
        "groups": _call_plan(view, tid) if is_liaison else [], "prospects": prospects,
        "still_named": named, "left": left_role(view, tid, named is not None),
        "recent": [view.interaction(r) for r in recent],
        # the ones they logged before (one who left keeps their page: their visits are there)
        "more": len(logged) - len(recent),
        "earlier": _earlier(logged, "activity.liaison=" + quote(member_href(tid), safe=""),
                            len(recent)),
        "follow_ups": [view.follow_up(*t) for t in view.fu_by_owner.get(tid, [])],
        "trainings": trainings, "capture": member_capture(view, m, tid),
        # (none for one of role other, the mark of a liaison who left: a visit logged from
        # their page was logged in their name)
        "log_href": log_href(view, liaison=tid) if m.role != "other" else None,
        "calendar_href": calendar_href(tid),
    }


KINDS = [
    PageKind("team", "team.html", "team",
             one_page("team/index.html", "team.html", "team"),
             team, reads=("team", "stats.liaisons", "stats.physicians"),
             variables=("rows", "liaisons", "forgotten"),
             nav=("Team", "team/index.html"),
             url="team/"),
    PageKind("member", "member.html", "team",
             lambda view: [Page(member_href(t), "member.html", "member", t)
                           for t in sorted(view.site.team)],
             member, reads=("team", "physicians", "practices", "interactions", "guides",
                            "stats.liaisons", "stats.physicians", "stats.practices",
                            "stats.capture_by_member_365d", "stats.source_capture_rate_365d"),
             variables=("member", "member_id", "is_liaison", "stats", "figures", "groups",
                        "prospects", "still_named", "left", "recent", "more", "earlier",
                        "follow_ups", "trainings",
                        "capture", "log_href",
                        "calendar_href"),
             url="team/<member>/"),
]
