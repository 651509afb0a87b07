"""Referral statistics (``referrals/``), as a liaison manager reads them: physician referrals
and other new patients side by side, the funnel of the last 365 days beside the matured one,
why referrals were declined, who at the front desk records the source (with their front-desk
training), return on visit ranked, top referrers and movers, new, lapsed and declining
referrers, and the month table with the unfinished current month marked."""
from __future__ import annotations

from types import SimpleNamespace

from liaison import charts
from liaison.derived import month_label
from liaison.models import PHYSICIAN_SOURCE, STATUSES
from liaison.names import sort_key
from liaison.pages.base import (
    MONTHS_CHARTED, PERCENT_BASE, Page, PageKind, count, member_href, one_page, percent,
    physician_href, trend,
)
from liaison.pages.rows import (
    by_referrals_before, charted_span, counted_to, matured_yet, new_patients, no_matured_visit,
    physician_months, physician_row, practice_sort,
)
from liaison.pages.training import front_desk_guides, guide_rows, matrix_row
from liaison.pages.view import SiteView
from liaison.wording import DECLINED_LABELS, plural, rate

# How the other new patients' sources read on the page ("unknown": nobody asked).
SOURCE_LABELS = {"patient": "Patient", "web": "Web", "advertising": "Advertising",
                 "insurance": "Insurance", "event": "Event", "other": "Other",
                 "unknown": "Unknown (not asked)"}
# The return-on-visit ranking shows every physician with a matured visit up to this many;
# beyond it, the half with the biggest rises and the half with the biggest falls.
ROV_ROWS = 40
# A referrer list shows this many (those who referred the most the year before first, as on
# the dashboard); its link opens the directory filtered to the rest.
LIST_ROWS = 50


def month_rows(view: SiteView) -> list[dict]:
    """The charted months, newest first: physician referrals, other new patients and the
    stages, the as-of month marked unfinished as the monthly charts mark it
    (``view.month_to_date``)."""
    months = view.stats.months[-MONTHS_CHARTED:]
    counted = counted_to(view)
    rows = []
    for m, from_physicians in zip(months, physician_months(view, months)):
        unfinished = view.month_to_date and m.month == month_label(view.month_last)
        rows.append({
            "month": m.month, "referrals": m.referrals, "physician": from_physicians,
            "other": m.referrals - from_physicians, "scheduled": m.scheduled,
            "consulted": m.consulted, "treated": m.treated, "declined": m.declined,
            "interactions": m.interactions, "in_person": m.in_person,
            "unfinished": unfinished,
            "unfinished_text": counted if unfinished else "",
        })
    rows.reverse()
    return rows


def funnel_stages(funnel: dict[str, int]) -> list[tuple[str, int]]:
    return [(stage.capitalize(), funnel[stage]) for stage in ("referred", *STATUSES[1:])]


def treated_share(funnel: dict[str, int]) -> dict:
    """The treated share of a funnel: ``share`` a percentage from ``PERCENT_BASE`` referred
    on, as the briefs' (1 of 2 is no 50.0%: ``share`` is then "1 of 2", ``percent`` False),
    "—" with none."""
    treated, referred = funnel["treated"], funnel["referred"]
    shown = referred >= PERCENT_BASE
    return {"treated": treated, "referred": referred, "percent": shown,
            "share": percent(treated, referred) if shown else
            f"{count(treated)} of {count(referred)}" if referred else "—"}


def declined_items(reasons: dict[str, int]) -> list[tuple[str, int]]:
    """The declined reasons, most frequent first, "no reason given" last."""
    given = sorted(((k, v) for k, v in reasons.items() if k != "unspecified"),
                   key=lambda kv: (-kv[1], kv[0]))
    items = [(DECLINED_LABELS.get(k, k), v) for k, v in given]
    if "unspecified" in reasons:
        items.append((DECLINED_LABELS["unspecified"], reasons["unspecified"]))
    return items


def capture_rows(view: SiteView, guides: list[dict]) -> list[dict]:
    """Each team member who took a non-physician referral of the last 365 days, and each
    front-desk member who took none: their answers and their row of the training matrix's
    front-desk column. Lowest capture rate first: who needs a word."""
    by_member = view.stats.capture_by_member_365d
    team = view.site.team
    ids = set(by_member) | {tid for tid, m in team.items() if m.role == "front-desk"}
    rows = []
    for tid in ids:
        c = by_member.get(tid)
        training = matrix_row(view, tid, guides) if tid in team else None
        rows.append({
            "id": tid, "name": team[tid].name if tid in team else tid,
            "sort_name": sort_key(team[tid].name if tid in team else tid),
            "href": member_href(tid) if tid in team else None,
            "role": team[tid].role if tid in team else "",
            "referrals": c.referrals if c else 0, "unknown": c.unknown if c else 0,
            "rate": rate(c.rate) if c else "—",
            "rate_sort": f"{c.rate:.4f}" if c else "",
            "cells": training["cells"] if training else [{"state": "n/a"} for _ in guides],
        })
    rows.sort(key=lambda r: (r["rate_sort"] == "", r["rate_sort"], r["sort_name"], r["id"]))
    return rows


def rov_badge(rov, whose: str) -> dict:
    """A return-on-visit trend badge: the referrals of the 90 days from the matured visits
    against the 90 days before them."""
    badge = trend(rov.after, rov.before, 90)
    visits = plural(rov.visits, "visit")
    badge["title"] = (f"{whose}: {plural(rov.after, 'physician referral')} in the 90 days from "
                      f"{visits} against {count(rov.before)} in the 90 days before")
    return badge


def rov_ranking(view: SiteView) -> tuple[list[dict], str | None]:
    """Physicians with a matured visit, ranked by after − before (then more visits, then
    name); when there are more than ROV_ROWS, the biggest rises and the biggest falls, and a
    note that says so (else None)."""
    phys = view.stats.physicians
    ranked = sorted((p for p in phys if phys[p].rov_365d.visits),
                    key=lambda p: (-(phys[p].rov_365d.after - phys[p].rov_365d.before),
                                   -phys[p].rov_365d.visits, sort_key(view.site.physicians[p].name), p))
    shown = list(enumerate(ranked, 1))
    note = None
    if len(shown) > ROV_ROWS:  # rows made for the shown ranks only
        half = ROV_ROWS // 2
        note = (f"The {half} biggest rises and the {half} biggest falls of "
                f"{count(len(shown))} physicians with a matured visit")
        shown = shown[:half] + shown[-half:]
    rows = []
    for rank, pid in shown:
        r = phys[pid].rov_365d
        d = view.site.physicians[pid]
        rows.append({"rank": rank, "name": d.name, "sort_name": sort_key(d.name),
                     "href": physician_href(pid),
                     "practice": view.practice_ref(d.practice),
                     "practice_sort": practice_sort(view, d.practice),
                     "visits": r.visits, "before": r.before, "after": r.after,
                     "change": rov_badge(r, d.name)})
    return rows, note


def rov_liaisons(view: SiteView) -> list[dict]:
    rows = []
    for tid, s in view.stats.liaisons.items():
        name, href = view.member_ref(tid)
        r = s.rov_365d
        change = rov_badge(r, name)
        if not r.visits:  # a new liaison: nothing to compare, "0 vs 0" would read as a result
            change.update(text="\u2014", css="flat", title=f"{name}: {no_matured_visit(view.stats)}")
        rows.append({"name": name, "sort_name": sort_key(name), "href": href, "visits": r.visits, "before": r.before,
                     "after": r.after, "change": change})
    rows.sort(key=lambda r: (-(r["after"] - r["before"]), -r["visits"], r["sort_name"]))
    return rows


def rov_others(view: SiteView) -> dict | None:
    """The matured visits that no liaison logged (a manager's, say: stats.liaisons has only
    the team members whose role is liaison), what the by-liaison table leaves out of
    totals.rov_365d: the total less the liaisons' sums (each visit is counted once, in the
    row of who logged it); None when the liaisons' rows add up to the total. ``names``: the
    team members who are not liaisons and logged anything (their matured visits are not
    looked for: that would read every interaction)."""
    total = view.stats.totals.rov_365d
    ours = view.stats.liaisons.values()
    visits = total.visits - sum(s.rov_365d.visits for s in ours)
    before = total.before - sum(s.rov_365d.before for s in ours)
    after = total.after - sum(s.rov_365d.after for s in ours)
    if not (visits or before or after):
        return None
    team = view.site.team
    names = sorted((team[t].name for t in view.by_member
                    if t in team and t not in view.stats.liaisons), key=lambda n: (sort_key(n), n))
    others = SimpleNamespace(visits=visits, before=before, after=after)
    return {"visits": visits, "before": before, "after": after, "names": names,
            "change": rov_badge(others, "Other team members")}


def context(view: SiteView, page: Page) -> dict:
    st = view.stats
    totals = st.totals
    phys = st.physicians
    top = sorted((p for p in phys if phys[p].referrals_365d),
                 key=lambda p: (-phys[p].referrals_365d, p))[:15]
    movers = sorted((p for p in phys if phys[p].referrals_365d != phys[p].referrals_prev_365d),
                    key=lambda p: (-abs(phys[p].referrals_365d - phys[p].referrals_prev_365d), p))[:15]

    # the dashboard's order: those who referred the most in the 365 days before first
    by_before = by_referrals_before(st)

    def rows(pred):
        """The first LIST_ROWS physicians that pred holds for, how many in all, how many
        more than shown."""
        ids = [p for p in by_before if pred(phys[p])]
        return ([physician_row(view, p) for p in ids[:LIST_ROWS]], len(ids),
                max(0, len(ids) - LIST_ROWS))

    new, new_n, new_more = rows(lambda s: s.status == "new")
    lapsed, lapsed_n, lapsed_more = rows(lambda s: s.status == "lapsed")
    declining, declining_n, declining_more = rows(lambda s: s.declining)
    patients = new_patients(view)
    table = month_rows(view)
    chronological = list(reversed(table))
    other_sources = [(SOURCE_LABELS.get(k, k), v) for k, v in
                     sorted(((k, v) for k, v in st.sources_365d.items() if k != PHYSICIAN_SOURCE),
                            key=lambda kv: (-kv[1], kv[0]))]
    others_365d = patients["other_365d"]["now"]
    guides = front_desk_guides(guide_rows(view))
    capture = capture_rows(view, guides)
    rov_rows, rov_note = rov_ranking(view)
    reasons = st.declined_reasons_365d
    matured = treated_share(st.funnel_matured)
    recent = treated_share(st.funnel_365d)
    return {
        **view.common(page, "referrals", "Referral statistics"),
        "totals": totals,
        "new_patients": patients,
        "capture": st.source_capture_rate_365d,
        "capture_text": rate(st.source_capture_rate_365d),
        "unknown_365d": st.sources_365d.get("unknown", 0),
        "others_365d": others_365d,
        "chart": view.chart(charts.bar_chart, [m["month"] for m in chronological],
                            [m["physician"] for m in chronological],
                            title="Physician referrals and other new patients per month, "
                                  + charted_span([m["month"] for m in chronological]),
                            primary_label="Physician referrals",
                            secondary=[m["other"] for m in chronological],
                            secondary_label="Other new patients"),
        "chart_span": charted_span([m["month"] for m in chronological], words=True),
        "funnel": view.chart(charts.funnel_chart, funnel_stages(st.funnel_365d),
                             title="Referred in the last 365 days", layout="both",
                             shares=recent["percent"]),
        "funnel_matured": view.chart(charts.funnel_chart, funnel_stages(st.funnel_matured),
                                     title="Matured: referred 90 to 454 days ago", layout="both",
                                     shares=matured["percent"]),
        "treated_matured": matured, "treated_365d": recent,
        "declined_365d": st.funnel_365d["declined"],
        "declined_unspecified": reasons.get("unspecified", 0),
        "declined_reasons": view.chart(charts.share_bars,
                                       declined_items(reasons),
                                       title="Why referrals were declined, last 365 days",
                                       highlight=DECLINED_LABELS["unspecified"], layout="both"),
        "sources": view.chart(charts.share_bars, other_sources,
                              title="How the other new patients heard about us, last 365 days",
                              highlight=SOURCE_LABELS["unknown"], layout="both"),
        "services": view.chart(charts.share_bars, [(view.services[k], v) for k, v in st.services_365d.items()],
                               title="Referrals by service line, last 365 days", layout="both"),
        "capture_members": capture,
        "capture_unattributed": max(0, others_365d - sum(c.referrals for c in st.capture_by_member_365d.values())),
        "front_desk_guides": guides,
        "rov_total": rov_badge(totals.rov_365d, "All matured visits"),
        "rov_visits": totals.rov_365d.visits,
        "rov_none": None if totals.rov_365d.visits else no_matured_visit(view.stats),
        "matured_yet": matured_yet(view.stats),
        "rov_physicians": rov_rows, "rov_physicians_note": rov_note,
        "rov_liaisons": rov_liaisons(view), "rov_others": rov_others(view),
        "top": [physician_row(view, p) for p in top],
        "movers": [physician_row(view, p) for p in movers],
        "new": new, "new_n": new_n, "new_more": new_more,
        "lapsed": lapsed, "lapsed_n": lapsed_n, "lapsed_more": lapsed_more,
        "declining": declining, "declining_n": declining_n, "declining_more": declining_more,
        "months_table": table,
        "months_all": len(st.months), "months_first": st.months[0].month if st.months else "",
        "chart_empty": not any(m["physician"] or m["other"] for m in table),
        # the month of the last referral before a chart without one (a year with none)
        "chart_last": next((m.month for m in reversed(st.months) if m.referrals), None),
    }


KINDS = [
    PageKind("referrals", "referrals.html", "referrals",
             one_page("referrals/index.html", "referrals.html", "referrals"),
             context, reads=("stats", "physicians", "practices", "team", "guides", "referrals",
                             "site.services"),
             variables=("totals", "new_patients", "capture", "capture_text", "unknown_365d",
                        "others_365d", "chart", "chart_span", "funnel", "funnel_matured", "treated_matured",
                        "treated_365d", "declined_365d", "declined_unspecified",
                        "declined_reasons", "sources", "services", "capture_members",
                        "capture_unattributed", "front_desk_guides", "rov_total", "rov_visits",
                        "rov_none", "matured_yet",
                        "rov_physicians", "rov_physicians_note", "rov_liaisons", "rov_others", "top",
                        "movers",
                        "new", "new_n", "new_more", "lapsed", "lapsed_n", "lapsed_more", "declining",
                        "declining_n", "declining_more",
                        "months_table", "months_all", "months_first", "chart_empty",
                        "chart_last"),
             nav=("Referrals", "referrals/index.html"),
             url="referrals/"),
]
