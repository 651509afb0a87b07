"""Rows and suggestions that several page families show: a physician's or a practice's row
(directories, briefs, dashboard, call plans, referral statistics, data quality), a
physician's alerts and the talking points of a brief."""
from __future__ import annotations

import datetime as dt

from liaison.derived import in_person, is_open
from liaison.pages.base import ago, physician_href, practice_href
from liaison.pages.view import SiteView


# What "declining" means (SPEC §4), for the badge's tooltip.
DECLINING_RULE = ("Declining: at least 4 referrals in the 90 days before the last 90, and at most "
                  "half as many in the last 90 days (a lapsed referrer is lapsed, not declining)")


def declining_text(s) -> str:
    """The declining badge with its counts and window: "declining · 1 vs 4 · 90 d"."""
    return f"declining · {s.referrals_90d}\u00a0vs\u00a0{s.referrals_prev_90d} · 90\u00a0d"


def physician_row(view: SiteView, pid: str) -> dict:
    d = view.site.physicians[pid]
    s = view.stats.physicians[pid]
    practice = view.site.practices.get(d.practice)
    liaison_name, liaison_href = view.member_ref(s.liaison) if s.liaison else ("—", None)
    return {
        "id": pid, "name": d.name, "credentials": d.credentials or "", "specialty": d.specialty,
        "href": physician_href(pid), "practice": view.practice_ref(d.practice),
        "city": practice.city if practice and practice.city else "",
        "tier": d.tier or "", "status": s.status, "declining": s.declining,
        "visit_overdue": s.visit_overdue, "referrals_365d": s.referrals_365d,
        "referrals_prev_365d": s.referrals_prev_365d,
        "trend": view.change(s.referrals_365d, s.referrals_prev_365d, 365),
        "declining_text": declining_text(s) if s.declining else "",
        "declining_title": DECLINING_RULE if s.declining else "",
        "last_visit": s.last_visit or "", "last_contact": s.last_contact or "",
        "liaison_name": liaison_name, "liaison_href": liaison_href,
    }


def practice_row(view: SiteView, pid: str) -> dict:
    p = view.site.practices[pid]
    s = view.stats.practices[pid]
    docs = view.docs_of_practice.get(pid, [])
    alerts = sum(1 for d in docs if view.stats.physicians[d].declining
                 or view.stats.physicians[d].status == "lapsed")
    name, href = view.member_ref(p.liaison) if p.liaison else ("—", None)
    return {"id": pid, "name": p.name, "href": practice_href(pid), "city": p.city or "",
            "physicians": s.physicians, "referrals_365d": s.referrals_365d,
            "referrals_prev_365d": s.referrals_prev_365d,
            "trend": view.change(s.referrals_365d, s.referrals_prev_365d, 365),
            "last_contact": s.last_contact or "", "liaison_name": name, "liaison_href": href,
            "alerts": alerts, "best_visit_times": p.best_visit_times or ""}


def alerts_for(view: SiteView, pid: str) -> list[dict]:
    s = view.stats.physicians[pid]
    d = view.site.physicians[pid]
    out = []
    if s.status == "new":
        out.append({"css": "good", "text": f"New referrer: first referral {s.first_referral}. Thank them."})
    if s.status == "lapsed":
        out.append({"css": "bad", "text": f"Lapsed: no referral for {s.days_since_referral} days (last {s.last_referral})."})
    if s.declining:
        n = s.referrals_90d
        out.append({"css": "bad", "text": f"Declining: {n} referral{'s' if n != 1 else ''} in the last 90 days against {s.referrals_prev_90d} in the 90 before."})
    if s.visit_overdue:
        cadence = view.tiers[d.tier].visit_every_days if d.tier in view.tiers else None
        last = s.last_visit
        when = f"last in-person visit {last} ({ago((view.as_of - dt.date.fromisoformat(last)).days)})" if last else "never visited in person"
        out.append({"css": "warn", "text": f"Visit overdue: tier {d.tier} wants a visit every {cadence} days; {when}."})
    return out


def talking_points(view: SiteView, pids: list[str], interactions: list) -> list[str]:
    """Suggestions drawn from the data: open needs, services never referred for, time
    since the last visit, movements in referrals."""
    points: list[str] = []
    open_tasks = {id(r) for r in interactions for f in r.follow_ups if is_open(f, view.as_of)}
    seen = set()
    for r in interactions:  # newest first
        if (view.as_of - r.date).days >= 365:
            break
        for need in r.needs:
            key = need.lower()
            if key in seen:
                continue
            seen.add(key)
            state = " — a follow-up is still open" if id(r) in open_tasks else ""
            points.append(f"They asked for “{need}” on {r.date.isoformat()}{state}: what has changed since?")
    referred = set().union(*(view.services_ever.get(p, set()) for p in pids)) if pids else set()
    never = [name for key, name in view.services.items() if key not in referred]
    if pids and never and len(never) < len(view.services):
        points.append("Never referred to us for: " + ", ".join(never) + ". Ask whether they see such patients.")
    elif pids and not referred:
        points.append("No referral yet: introduce our services — " + ", ".join(view.services.values()) + ".")
    for pid in pids:
        s = view.stats.physicians[pid]
        name = view.site.physicians[pid].name
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
        points.append(f"Last in-person visit {last_visit.isoformat()} ({ago((view.as_of - last_visit).days)}).")
    return points
