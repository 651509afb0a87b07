"""Aggregate stage: records + as-of date -> the statistics of SPEC §4.

Pure functions, one pass over referrals and one over interactions; nothing rescans per
physician. Every statistic counts referrals, i.e. sums ``count``.
"""
from __future__ import annotations

import datetime as dt
import json

from liaison.load import Site
from liaison.models import IN_PERSON, SOURCES

REACHED = {  # status -> the stages it reached (declined counts only as referred)
    "referred": (),
    "scheduled": ("scheduled",),
    "consulted": ("scheduled", "consulted"),
    "treated": ("scheduled", "consulted", "treated"),
    "declined": ("declined",),
}
_MONTH_FIELDS = ("referrals", "scheduled", "consulted", "treated", "declined", "interactions", "in_person")


def _windows(age: int) -> tuple[bool, bool, bool, bool]:
    """(last 90, previous 90, last 365, previous 365) for an age ≥ 0."""
    return age < 90, 90 <= age < 180, age < 365, 365 <= age < 730


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d is not None else None


def _month_index(d: dt.date) -> int:
    return d.year * 12 + d.month - 1


def compute_stats(site: Site, as_of: dt.date) -> dict:
    """The structure of stats.json for the site at ``as_of``."""
    cfg = site.config
    lapsed_after = cfg.thresholds.lapsed_after_days if cfg else 90
    new_within = cfg.thresholds.new_within_days if cfg else 90
    tiers = cfg.tiers if cfg else {}
    services = [s.key for s in cfg.services] if cfg else []
    D = as_of

    totals = dict.fromkeys(
        ("interactions", "referrals", "referrals_90d", "referrals_prev_90d", "referrals_365d",
         "referrals_prev_365d", "in_person_90d", "open_follow_ups", "overdue_follow_ups"), 0)
    months: dict[int, dict] = {}
    sources = dict.fromkeys(SOURCES, 0)
    service_counts = dict.fromkeys(services, 0)
    funnel = dict.fromkeys(("referred", "scheduled", "consulted", "treated", "declined"), 0)

    doc = {pid: {"referrals": 0, "referrals_90d": 0, "referrals_prev_90d": 0, "referrals_365d": 0,
                 "referrals_prev_365d": 0, "first": None, "last": None, "interactions_365d": 0,
                 "last_contact": None, "last_visit": None} for pid in site.physicians}

    def month(d):
        m = months.get(_month_index(d))
        if m is None:
            m = months[_month_index(d)] = dict.fromkeys(_MONTH_FIELDS, 0)
        return m

    for r in site.referrals:
        age = (D - r.date).days
        if age < 0:
            continue
        n = r.count
        w90, p90, w365, p365 = _windows(age)
        totals["referrals"] += n
        m = month(r.date)
        m["referrals"] += n
        for stage in REACHED[r.status]:
            m[stage] += n
        if w90:
            totals["referrals_90d"] += n
        elif p90:
            totals["referrals_prev_90d"] += n
        if w365:
            totals["referrals_365d"] += n
            sources[r.source] += n
            if r.service in service_counts:
                service_counts[r.service] += n
            funnel["referred"] += n
            for stage in REACHED[r.status]:
                funnel[stage] += n
        elif p365:
            totals["referrals_prev_365d"] += n
        if r.physician is not None:
            s = doc.get(r.physician)
            if s is None:
                continue
            s["referrals"] += n
            if w90:
                s["referrals_90d"] += n
            elif p90:
                s["referrals_prev_90d"] += n
            if w365:
                s["referrals_365d"] += n
            elif p365:
                s["referrals_prev_365d"] += n
            if s["first"] is None or r.date < s["first"]:
                s["first"] = r.date
            if s["last"] is None or r.date > s["last"]:
                s["last"] = r.date

    practice_contact: dict[str, dt.date] = {}
    liaison_ids = sorted(t for t, m in site.team.items() if m.role == "liaison")
    lia = {t: dict.fromkeys(("interactions_90d", "in_person_90d", "open_follow_ups",
                             "overdue_follow_ups"), 0) for t in liaison_ids}

    for r in site.interactions:
        age = (D - r.date).days
        if age < 0:
            continue
        in_person = r.type in IN_PERSON
        totals["interactions"] += 1
        m = month(r.date)
        m["interactions"] += 1
        if in_person:
            m["in_person"] += 1
        if age < 90:
            if in_person:
                totals["in_person_90d"] += 1
            if r.liaison in lia:
                lia[r.liaison]["interactions_90d"] += 1
                if in_person:
                    lia[r.liaison]["in_person_90d"] += 1
        practices = {r.practice} if r.practice is not None else set()
        for pid in r.physicians:
            s = doc.get(pid)
            if s is None:
                continue
            practices.add(site.physicians[pid].practice)
            if age < 365:
                s["interactions_365d"] += 1
            if s["last_contact"] is None or r.date > s["last_contact"]:
                s["last_contact"] = r.date
            if in_person and (s["last_visit"] is None or r.date > s["last_visit"]):
                s["last_visit"] = r.date
        for pid in practices:
            if pid not in practice_contact or r.date > practice_contact[pid]:
                practice_contact[pid] = r.date
        for f in r.follow_ups:
            if f.done is not None and f.done <= D:
                continue
            overdue = f.due < D
            totals["open_follow_ups"] += 1
            totals["overdue_follow_ups"] += overdue
            owner = f.owner or r.liaison
            if owner in lia:
                lia[owner]["open_follow_ups"] += 1
                lia[owner]["overdue_follow_ups"] += overdue

    physicians = {}
    for pid in sorted(site.physicians):
        p = site.physicians[pid]
        s = doc[pid]
        days_since = (D - s["last"]).days if s["last"] is not None else None
        if s["first"] is None:
            status = "prospect"
        elif (D - s["first"]).days < new_within:
            status = "new"
        elif days_since >= lapsed_after:
            status = "lapsed"
        else:
            status = "active"
        tier = tiers.get(p.tier) if p.tier is not None else None
        if tier is None:
            overdue = False
        else:
            overdue = s["last_visit"] is None or (D - s["last_visit"]).days > tier.visit_every_days
        liaison = p.liaison
        if liaison is None:
            practice = site.practices.get(p.practice)
            liaison = practice.liaison if practice is not None else None
        physicians[pid] = {
            "referrals": s["referrals"],
            "referrals_90d": s["referrals_90d"],
            "referrals_prev_90d": s["referrals_prev_90d"],
            "referrals_365d": s["referrals_365d"],
            "referrals_prev_365d": s["referrals_prev_365d"],
            "first_referral": _iso(s["first"]),
            "last_referral": _iso(s["last"]),
            "days_since_referral": days_since,
            "status": status,
            "declining": s["referrals_prev_90d"] >= 2 and 2 * s["referrals_90d"] <= s["referrals_prev_90d"],
            "interactions_365d": s["interactions_365d"],
            "last_contact": _iso(s["last_contact"]),
            "last_visit": _iso(s["last_visit"]),
            "visit_overdue": overdue,
            "liaison": liaison,
        }

    practices_out = {
        pid: {"physicians": 0, "referrals_365d": 0, "referrals_prev_365d": 0,
              "last_contact": _iso(practice_contact.get(pid))}
        for pid in sorted(site.practices)
    }
    liaisons_out = {t: {"physicians": 0, "referrals_365d": 0, **lia[t]} for t in liaison_ids}
    for pid, s in physicians.items():
        pr = practices_out.get(site.physicians[pid].practice)
        if pr is not None:
            pr["physicians"] += 1
            pr["referrals_365d"] += s["referrals_365d"]
            pr["referrals_prev_365d"] += s["referrals_prev_365d"]
        li = liaisons_out.get(s["liaison"])
        if li is not None:
            li["physicians"] += 1
            li["referrals_365d"] += s["referrals_365d"]

    first = min(months) if months else _month_index(D)
    month_list = []
    for idx in range(first, _month_index(D) + 1):
        entry = {"month": f"{idx // 12:04d}-{idx % 12 + 1:02d}"}
        entry.update(months.get(idx) or dict.fromkeys(_MONTH_FIELDS, 0))
        month_list.append(entry)

    r365 = totals["referrals_365d"]
    return {
        "as_of": D.isoformat(),
        "totals": {"physicians": len(site.physicians), "practices": len(site.practices), **totals},
        "months": month_list,
        "sources_365d": sources,
        "source_capture_rate_365d": round(1 - sources["unknown"] / r365, 4) if r365 else None,
        "services_365d": service_counts,
        "funnel_365d": funnel,
        "physicians": physicians,
        "practices": practices_out,
        "liaisons": liaisons_out,
    }


def stats_json(stats: dict) -> str:
    """stats.json's exact text: sorted keys, 2-space indent, a final newline."""
    return json.dumps(stats, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def _change(now: int, before: int) -> str:
    if before == 0:
        return "new" if now else "±0"
    pct = round(100 * (now - before) / before)
    return f"{pct:+d}%"


def stats_report(stats: dict, site: Site) -> str:
    """A readable terminal report of the statistics."""
    t = stats["totals"]
    name = {pid: p.name for pid, p in site.physicians.items()}
    lines = [f"Referral statistics as of {stats['as_of']}", ""]
    lines.append(f"  Physicians {t['physicians']}   practices {t['practices']}   "
                 f"interactions {t['interactions']}   referrals {t['referrals']}")
    lines.append(f"  Referrals, last 90 days    {t['referrals_90d']:>6}  "
                 f"(previous 90: {t['referrals_prev_90d']}, {_change(t['referrals_90d'], t['referrals_prev_90d'])})")
    lines.append(f"  Referrals, last 365 days   {t['referrals_365d']:>6}  "
                 f"(previous 365: {t['referrals_prev_365d']}, {_change(t['referrals_365d'], t['referrals_prev_365d'])})")
    rate = stats["source_capture_rate_365d"]
    lines.append(f"  Source capture rate (365)  {'n/a' if rate is None else f'{rate:.1%}':>6}")
    lines.append(f"  In-person visits, 90 days  {t['in_person_90d']:>6}")
    lines.append(f"  Open follow-ups            {t['open_follow_ups']:>6}  (overdue: {t['overdue_follow_ups']})")
    phys = stats["physicians"]
    top = sorted((s for s in phys.items() if s[1]["referrals_365d"]),
                 key=lambda kv: (-kv[1]["referrals_365d"], kv[0]))[:10]
    lines += ["", "Top referrers (365 days)"]
    lines += [f"  {s['referrals_365d']:>5}  {name[pid]} ({pid})" for pid, s in top] or ["  none"]

    def group(title, ids):
        lines.extend(["", f"{title} ({len(ids)})"])
        lines.extend(f"  {name[pid]} ({pid})" for pid in ids[:20])
        if len(ids) > 20:
            lines.append(f"  … and {len(ids) - 20} more")

    group("New referrers", [p for p, s in phys.items() if s["status"] == "new"])
    group("Lapsed referrers", [p for p, s in phys.items() if s["status"] == "lapsed"])
    group("Declining referrers", [p for p, s in phys.items() if s["declining"]])
    group("Visits overdue", [p for p, s in phys.items() if s["visit_overdue"]])
    lines += ["", "Liaisons", f"  {'liaison':<24}{'physicians':>11}{'ref. 365d':>10}{'contacts 90d':>13}"
              f"{'in person':>10}{'open f/u':>9}{'overdue':>8}"]
    for lid, s in stats["liaisons"].items():
        lines.append(f"  {lid:<24}{s['physicians']:>11}{s['referrals_365d']:>10}{s['interactions_90d']:>13}"
                     f"{s['in_person_90d']:>10}{s['open_follow_ups']:>9}{s['overdue_follow_ups']:>8}")
    return "\n".join(lines)
