"""The readable report of ``liaison stats`` (without ``--json``): the statistics of the
aggregate stage as a terminal page."""
from __future__ import annotations

from liaison.records import Site
from liaison.figures import Stats


def _change(now: int, before: int) -> str:
    if before == 0:
        return "new" if now else "±0"
    pct = round(100 * (now - before) / before)
    return f"{pct:+d}%"


def stats_report(stats: Stats, site: Site) -> str:
    """A readable terminal report of the statistics."""
    t = stats.totals
    name = {pid: p.name for pid, p in site.physicians.items()}
    lines = [f"Referral statistics as of {stats.as_of.isoformat()}", ""]
    lines.append(f"  Physicians {t.physicians}   practices {t.practices}   "
                 f"interactions {t.interactions}   referrals {t.referrals}")
    lines.append(f"  Referrals, last 90 days    {t.referrals_90d:>6}  "
                 f"(previous 90: {t.referrals_prev_90d}, {_change(t.referrals_90d, t.referrals_prev_90d)})")
    lines.append(f"  Referrals, last 365 days   {t.referrals_365d:>6}  "
                 f"(previous 365: {t.referrals_prev_365d}, {_change(t.referrals_365d, t.referrals_prev_365d)})")
    rate = stats.source_capture_rate_365d
    lines.append(f"  Source capture rate (365)  {'n/a' if rate is None else f'{rate:.1%}':>6}")
    lines.append(f"  In-person visits, 90 days  {t.in_person_90d:>6}")
    lines.append(f"  Open follow-ups            {t.open_follow_ups:>6}  (overdue: {t.overdue_follow_ups})")
    phys = stats.physicians
    top = sorted((s for s in phys.items() if s[1].referrals_365d),
                 key=lambda kv: (-kv[1].referrals_365d, kv[0]))[:10]
    lines += ["", "Top referrers (365 days)"]
    lines += [f"  {s.referrals_365d:>5}  {name[pid]} ({pid})" for pid, s in top] or ["  none"]

    def group(title, ids):
        lines.extend(["", f"{title} ({len(ids)})"])
        lines.extend(f"  {name[pid]} ({pid})" for pid in ids[:20])
        if len(ids) > 20:
            lines.append(f"  … and {len(ids) - 20} more")

    group("New referrers", [p for p, s in phys.items() if s.status == "new"])
    group("Lapsed referrers", [p for p, s in phys.items() if s.status == "lapsed"])
    group("Declining referrers", [p for p, s in phys.items() if s.declining])
    group("Visits overdue", [p for p, s in phys.items() if s.visit_overdue])
    lines += ["", "Liaisons", f"  {'liaison':<24}{'physicians':>11}{'ref. 365d':>10}{'contacts 90d':>13}"
              f"{'in person':>10}{'open f/u':>9}{'overdue':>8}"]
    for lid, s in stats.liaisons.items():
        lines.append(f"  {lid:<24}{s.physicians:>11}{s.referrals_365d:>10}{s.interactions_90d:>13}"
                     f"{s.in_person_90d:>10}{s.open_follow_ups:>9}{s.overdue_follow_ups:>8}")
    return "\n".join(lines)
