"""The team (``team/``) and each member's page (``team/<id>/``): a liaison's call plan (their
physicians by practice, most in need of a visit first), recent interactions, the follow-ups
they own and their training record."""
from __future__ import annotations

from collections import defaultdict

from liaison.derived import training_expired
from liaison.pages.base import Page, PageKind, guide_href, member_href, one_page
from liaison.pages.rows import physician_row
from liaison.pages.view import SiteView


def team(view: SiteView, page: Page) -> dict:
    rows = []
    for tid in sorted(view.site.team):
        m = view.site.team[tid]
        rows.append({"id": tid, "name": m.name, "role": m.role, "href": member_href(tid),
                     "email": m.email or "", "stats": view.stats.liaisons.get(tid),
                     "trainings": len(m.trainings)})
    return {**view.common(page, "team", "Team"), "rows": rows}


def attention(view: SiteView, pid: str) -> tuple[int, list[str]]:
    """How much a physician needs their liaison now: (score, reasons). Visit overdue 4,
    declining 3, lapsed 2, an open follow-up 1."""
    s = view.stats.physicians[pid]
    reasons, score = [], 0
    open_fu = len(view.fu_by_doc.get(pid, ()))
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


def _call_plan(view: SiteView, tid: str) -> list[dict]:
    by_practice: dict[str, list] = defaultdict(list)
    for pid in view.docs_of_liaison.get(tid, []):
        score, reasons = attention(view, pid)
        by_practice[view.site.physicians[pid].practice].append((score, pid, reasons))
    groups = []
    for prac, docs in by_practice.items():
        docs.sort(key=lambda t: (-t[0], t[1]))
        p = view.site.practices.get(prac)
        figures = view.stats.practices.get(prac)
        groups.append({
            "practice": view.practice_ref(prac), "score": max(t[0] for t in docs),
            "best": p.best_visit_times if p else None,
            "last_contact": figures.last_contact if figures is not None else None,
            "doctors": [{**physician_row(view, pid), "score": score, "reasons": reasons}
                        for score, pid, reasons in docs],
        })
    groups.sort(key=lambda g: (-g["score"], g["practice"]["name"]))
    return groups


def member(view: SiteView, page: Page) -> dict:
    tid = page.key
    m = view.site.team[tid]
    is_liaison = m.role == "liaison"
    recent = [r for r in view.by_member.get(tid, []) if (view.as_of - r.date).days < 90]
    trainings = []
    for t in sorted(m.trainings, key=lambda t: (t.completed, t.guide), reverse=True):
        g = view.site.guides.get(t.guide)
        expired = bool(g) and training_expired(t.completed, g.meta.renew_every_days, view.as_of)
        trainings.append({"title": g.meta.title if g else t.guide,
                          "href": guide_href(t.guide) if g else None,
                          "completed": t.completed.isoformat(), "score": t.score, "expired": expired})
    return {
        **view.common(page, "team", m.name), "member": m, "is_liaison": is_liaison,
        "stats": view.stats.liaisons.get(tid), "groups": _call_plan(view, tid) if is_liaison else [],
        "recent": [view.interaction(r) for r in recent],
        "follow_ups": [view.follow_up(*t) for t in view.fu_by_owner.get(tid, [])],
        "trainings": trainings,
    }


KINDS = [
    PageKind("team", "team.html", "team",
             one_page("team/index.html", "team.html", "team"),
             team, reads=("team", "stats.liaisons"), variables=("rows",),
             nav=("Team", "team/index.html"),
             url="team/"),
    PageKind("member", "member.html", "team",
             lambda view: [Page(member_href(t), "member.html", "member", t)
                           for t in sorted(view.site.team)],
             member, reads=("team", "physicians", "practices", "interactions", "guides",
                            "stats.liaisons", "stats.physicians", "stats.practices"),
             variables=("member", "is_liaison", "stats", "groups", "recent", "follow_ups",
                        "trainings"),
             url="team/<member>/"),
]
