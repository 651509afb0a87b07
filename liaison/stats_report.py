"""The readable report of ``liaison stats`` (without ``--json``): the statistics of the
aggregate stage as a terminal page."""
from __future__ import annotations

import textwrap

from liaison.charts import trend_badge
from liaison.compliance import NEAR, dollars, exact_dollars
from liaison.derived import physicians_still_theirs
from liaison.records import Site
from liaison.figures import Stats
from liaison.names import sort_key
from liaison.pages.rows import (
    by_referrals_before, matured_yet, no_matured_visit, none_since, unrecorded_before,
)
from liaison.wording import declined_reason, plural, rate as _rate, role_name

# A terminal's width: the report's lines of text go on below themselves past it (the liaison
# table aside: a row of a table is not broken)
WIDTH = 80
FIGURES_AT = 37  # where the figures' notes begin: "  Open follow-ups            15  (overdue: 12)"

# The physicians at NEAR per cent of the limit or more named, most given first; the others are
# counted (compliance/ lists them all)
NEAR_LISTED = 10


def _change(now: int, before: int, window: str) -> str:
    """Counts beside a percentage, and the window: "16 vs 12, +33%, 90 days"; the
    percentage is left out on a base under 5 (too few to mean much). The percentage is the
    site's trend badge's ("+13%" for 9 vs 8, rounded half away from zero; "±0" for a change
    that rounds to nothing), so that the report and the pages say the same."""
    text = f"{now:,} vs {before:,}"
    if before >= 5:
        text += f", {trend_badge(now, before)[0]}"
    return f"{text}, {window}"


def _pct(part: int, whole: int) -> str:
    """A whole per cent as the referral page's funnel gives it, rounded half away from zero
    (1 of 8: 13%); counts on a base under 5."""
    return f"{(200 * part + whole) // (2 * whole)}%" if whole >= 5 else f"{part:,} of {whole:,}"


def _fit(line: str, indent: int) -> list[str]:
    """``line`` in WIDTH columns: a longer one goes on below, ``indent`` columns in."""
    if len(line) <= WIDTH:
        return [line]
    return textwrap.wrap(line, WIDTH, subsequent_indent=" " * indent, break_on_hyphens=False)


def stats_report(stats: Stats, site: Site) -> str:
    """A readable terminal report of the statistics."""
    t = stats.totals
    name = {pid: p.name for pid, p in site.physicians.items()}
    lines = [f"Referral statistics as of {stats.as_of.isoformat()}", ""]
    lines.append(f"  Physicians {t.physicians:,}   practices {t.practices:,}   "
                 f"interactions {t.interactions:,}   referrals {t.referrals:,}")
    lines.append(f"  Referrals, last 90 days    {t.referrals_90d:>6,}  "
                 f"({_change(t.referrals_90d, t.referrals_prev_90d, 'previous 90 days')})")
    lines.append(f"  Referrals, last 365 days   {t.referrals_365d:>6,}  "
                 f"({_change(t.referrals_365d, t.referrals_prev_365d, 'previous 365 days')})")
    other, other_prev = (t.referrals_365d - t.physician_referrals_365d,
                         t.referrals_prev_365d - t.physician_referrals_prev_365d)
    lines.append(f"    from physicians          {t.physician_referrals_365d:>6,}  "
                 f"({_change(t.physician_referrals_365d, t.physician_referrals_prev_365d, 'previous 365 days')})")
    lines.append(f"    other new patients       {other:>6,}  "
                 f"({_change(other, other_prev, 'previous 365 days')})")
    # what the dashboard and referrals/ say under these figures when the records do not
    # cover a period they compare (a "+300%" against days nobody recorded), wrapped to a terminal
    for note in filter(None, (unrecorded_before(stats), none_since(stats))):
        lines += textwrap.wrap(note, 78, initial_indent="    ", subsequent_indent="    ",
                               break_on_hyphens=False)
    rate = stats.source_capture_rate_365d
    lines.append(f"  Source capture, 365 days   {_rate(rate):>6}  "
                 "(referrals not from a physician whose source was asked)")
    taker = {m: site.team[m].name if m in site.team else m for m in stats.capture_by_member_365d}
    w = max([24] + [len(n) + 2 for n in taker.values()])  # a long name ran into its rate
    for member, c in stats.capture_by_member_365d.items():
        lines.append(f"    {taker[member]:<{w}}{_rate(c.rate):>6}  "
                     f"({c.referrals - c.unknown:,} of {c.referrals:,})")
    lines.append(f"  In-person visits, 90 days  {t.in_person_90d:>6,}")
    lines.append(f"  Open follow-ups            {t.open_follow_ups:>6,}  "
                 f"(overdue: {t.overdue_follow_ups:,})")
    m = stats.funnel_matured
    # none old enough: no "0 of 0 treated", the referral page's words instead
    lines.append(f"  Matured referrals          {m['referred']:>6,}  (90–454 days old: "
                 f"{_pct(m['treated'], m['referred'])} treated, {m['declined']:,} declined)"
                 if m["referred"] else
                 f"  Matured referrals          {0:>6}  (" + ("no referral is 90 days old yet"
                 if matured_yet(stats) else "no referral was made 90 to 454 days ago") + ")")
    reasons = ", ".join(f"{declined_reason(k)} {v:,}"
                        for k, v in stats.declined_reasons_365d.items() if v)
    lines.append(f"  Declined, 365 days         {stats.funnel_365d['declined']:>6,}"
                 + (f"  ({reasons})" if reasons else ""))
    r = t.rov_365d
    # no visit old enough: "0 visits: 0 before, 0 from" would read as a result (— on the pages)
    lines.append(f"  Return on visit            {r.visits:>6,}  visits 90–454 days old: "
                 f"{r.before:,} physician referrals in the 90 days before, "
                 f"{r.after:,} in the 90 days from"
                 if r.visits else
                 f"  Return on visit            {'—':>6}  ({no_matured_visit(stats)})")
    # the as-of date's year, named: `stats --as-of` a 31 December is how a year's closing
    # figures are read in the next one
    lines.append(f"  Spend in {stats.as_of.year}              {dollars(t.spend_ytd_cents):>6}")
    cfg = site.config
    if cfg is not None and cfg.compliance is not None:
        # at NEAR per cent of the limit or more: the compliance page's rule, with the exact
        # limit as it has it (a limit of more than two decimals is not cut to whole cents)
        exact = cfg.compliance.annual_limit
        near = sorted(((s.spend_ytd_cents, pid) for pid, s in stats.physicians.items()
                       if s.spend_ytd_cents and s.spend_ytd_cents * 100 >= NEAR * exact * 100),
                      key=lambda e: (-e[0], name[e[1]], e[1]))  # compliance/'s order
        over = sum(1 for c, _pid in near if c > exact * 100)
        lines.append(f"    at {NEAR}% or more of the {exact_dollars(exact * 100)} limit: "
                     f"{len(near):,}" + (f", {over:,} over it" if over else ""))
        lines += [f"    {dollars(c):>10}  {name[pid]} ({pid})"
                  + ("  over the limit" if c > exact * 100 else "")
                  for c, pid in near[:NEAR_LISTED]]
        if len(near) > NEAR_LISTED:
            lines.append(f"    … and {len(near) - NEAR_LISTED:,} more (compliance/ lists them)")
    phys = stats.physicians
    top = sorted((s for s in phys.items() if s[1].referrals_365d),
                 key=lambda kv: (-kv[1].referrals_365d, kv[0]))[:10]
    # the figures' notes go on under themselves (past the "(" that opens one)
    lines = [part for line in lines
             for part in _fit(line, FIGURES_AT + (line[FIGURES_AT:FIGURES_AT + 1] == "("))]
    lines += ["", "Top referrers (365 days)"]
    lines += [f"  {s.referrals_365d:>5,}  {name[pid]} ({pid})" for pid, s in top] or ["  none"]

    def group(title, ids):
        lines.extend(["", f"{title} ({len(ids):,})"])
        lines.extend(f"  {name[pid]} ({pid})" for pid in ids[:20])
        if len(ids) > 20:
            lines.append(f"  … and {len(ids) - 20:,} more")

    # the pages' order: who referred most the year before first (the first 20 of 850 lapsed
    # referrers were those first in the alphabet)
    before = by_referrals_before(stats)
    group("New referrers", [p for p in before if phys[p].status == "new"])
    group("Lapsed referrers", [p for p in before if phys[p].status == "lapsed"])
    group("Declining referrers", [p for p in before if phys[p].declining])
    group("Visits overdue", [p for p, s in phys.items() if s.visit_overdue])
    group("High-potential prospects", [p for p, s in phys.items()
                                       if s.status == "prospect" and s.potential == "high"])
    # the team page's words and order: a liaison by name (by last name), tier coverage "8 of 14", return on visit
    # "100 → 128" (a key under the table says what each column counts)
    who = {lid: site.team[lid].name if lid in site.team else lid for lid in stats.liaisons}
    w = max([24] + [len(n) + 2 for n in who.values()])
    lines += ["", "Liaisons"]
    if stats.liaisons:  # else no table of headers alone: the other groups' "none"
        lines.append(f"  {'liaison':<{w}}{'physicians':>11}{'referrals 365d':>15}"
                     f"{'contacts 90d':>13}{'in person':>10}{'follow-ups':>11}{'overdue':>8}"
                     f"{'tier coverage':>14}{'return on visit':>16}")
    else:
        lines.append("  none (no team member has role: liaison)")
    for lid in sorted(stats.liaisons, key=lambda t: (sort_key(who[t]), t)):  # team/'s order
        s = stats.liaisons[lid]
        # no visit old enough (a new liaison): "0 → 0" would read as a result (as on team/)
        rov = f"{s.rov_365d.before:,} → {s.rov_365d.after:,}" if s.rov_365d.visits else "\u2014"
        lines.append(f"  {who[lid]:<{w}}{s.physicians:>11,}{s.referrals_365d:>15,}"
                     f"{s.interactions_90d:>13,}{s.in_person_90d:>10,}{s.open_follow_ups:>11,}"
                     f"{s.overdue_follow_ups:>8,}{f'{s.tiered_current:,} of {s.tiered:,}':>14}"
                     f"{rov:>16}")
    for tid in sorted(set(site.team) - set(stats.liaisons),
                      key=lambda t: (sort_key(site.team[t].name), t)):
        # one who left the role (README: `role: other`) whom a hand-over forgot on some
        # physicians: in no row, and those physicians in no call plan
        m = site.team[tid]
        kept = physicians_still_theirs(stats, tid)
        if kept["physicians"]:
            lines += _fit(f"  not in the table: {plural(kept['physicians'], 'physician')} "
                          f"({kept['referrals_365d']:,} referrals 365d) whose liaison is "
                          f"{m.name}, no liaison ({role_name(m.role)}): give each a `liaison:` "
                          "of who takes over (data-quality/ lists them; their team page lists "
                          "the follow-ups still theirs)", 4)
    if stats.liaisons:
        lines += _fit("  referrals 365d: from their physicians; contacts and in person: logged by "
                      "them in the last 90 days; follow-ups: open, owned by them", 4)
        lines += _fit("  tier coverage: their tiered physicians visited within the tier's cadence; "
                      "return on visit: physician referrals in the 90 days before → from their "
                      "visits 90–454 days old (—: no such visit yet)", 4)
    return "\n".join(lines)
