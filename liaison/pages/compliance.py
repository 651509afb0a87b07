"""Compliance (``compliance/``, only when site.yaml sets ``compliance``): what the practice
gave each referring physician in meals, gifts and items of value in the as-of date's calendar
year, against ``compliance.annual_limit`` (SPEC §2, §4 *Spend*), those at 80% of the limit or
more first; each physician's interactions with a cost, their share of it, the running total
and the record's file; practice totals. The warning of ``validate`` (SPEC §3) applies the
same rule to the same sums: the page shows where it stands, for this year and the years
before (which a new year would otherwise take off the page).
"""
from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from decimal import ROUND_FLOOR, Decimal
from operator import attrgetter

from liaison.compliance import (NEAR, dollars, exact_dollars, given_in_year, no_cost_lunch,
                                no_cost_note, overruns, source_of)
from liaison.derived import month_index, month_label, practice_shares
from liaison.models import cents
from liaison.names import sort_key
from liaison.pages.base import Page, PageKind, activity_href
from liaison.pages.data_quality import repository_links, warning_row
from liaison.pages.rows import practice_sort
from liaison.pages.view import SiteView

METER = 200  # the meter's width in SVG units
# Below NEAR, the list shows this many (those given the most); the others fold under one line,
# so that the per-practice table stays in reach (at 2,000 physicians 610 were given something)
SPEND_SHOWN = 20


def _percent(part: int, limit_cents: Decimal) -> int:
    """``part`` cents as a whole per cent of the limit, rounded down (79.9% is not 80%)."""
    return int((Decimal(part) * 100 / limit_cents).to_integral_value(rounding=ROUND_FLOOR))


def pages(view: SiteView) -> list[Page]:
    if view.site.config.compliance is None:
        return []
    return [Page("compliance/index.html", "compliance.html", "compliance")]


def _year(view: SiteView, year: int | None = None) -> list:
    """The interactions of the as-of date's calendar year, up to the as-of date, in date
    order (of ``year``, a year before the as-of date's: all of them). The site's
    interactions are in date order (liaison.load), so the year's are found by bisection and
    only they are read (at 10,000 physicians, a fifth of the 200,000; the page's context
    took 0.22 s when it read them all)."""
    interactions, D = view.site.interactions, view.as_of
    year = D.year if year is None else year
    date = attrgetter("date")
    first = bisect_left(interactions, dt.date(year, 1, 1), key=date)
    last = bisect_right(interactions, min(D, dt.date(year, 12, 31)), lo=first, key=date)
    return interactions[first:last]


def year_before(view: SiteView) -> dict | None:
    """What the calendar year before the as-of date's gave in all (its total and how many
    interactions had a cost), which left the page on 1 January, or None when it gave
    nothing: the page says it and where that year's closing figures are."""
    year = view.as_of.year - 1
    costs = [cents(r.cost) for r in _year(view, year) if r.cost]
    if not costs:
        return None
    return {"year": year, "total": dollars(sum(costs)), "interactions": len(costs),
            "closing": dt.date(year, 12, 31).isoformat()}


def year_costly(view: SiteView) -> list:
    """The interactions with a cost in the as-of date's calendar year, up to the as-of date,
    in date order: what the page shows of the interactions."""
    return [r for r in _year(view) if r.cost]


def record_place(view: SiteView, record) -> str:
    """Where an interaction is written: its file, and in a file of several records which one
    ("data/interactions/2026/q1.yaml, record 4", counted from 1), for an auditor to find it."""
    path, n = source_of(view.site.src, record)
    return path if n is None else f"{path}, record {n}"


def year_no_cost(view: SiteView) -> int:
    """How many lunches of that year that list a physician record no cost: the page says
    they count as nothing given (a site of the first edition has no cost at all)."""
    return sum(1 for r in _year(view) if no_cost_lunch(r) and r.physicians)


def context(view: SiteView, page: Page) -> dict:
    site, D = view.site, view.as_of
    exact = site.config.compliance.annual_limit
    limit_cents = exact * 100  # exact, even with a limit of more than two decimals
    year = D.year
    # The year's interactions with a cost: each physician's share (SPEC §4 Spend) and
    # running total in date order as validate adds them up (the first past the limit is the
    # one its warning stands at); each practice's count.
    records = year_costly(view)
    costly: dict[str, list[dict]] = {}
    items: dict[int, dict] = {}  # what the page says of each interaction, by id
    for g in given_in_year(records, limit_cents):
        r = g.record
        base_item = items.get(id(r))
        if base_item is None:
            base_item = items[id(r)] = {
                "date": r.date.isoformat(), "type": r.type, "summary": r.summary,
                "cost": dollars(g.cost), "shared_by": g.shared_by,
                "href": activity_href(month_label(month_index(r.date))),
                "liaison_name": view.member_ref(r.liaison)[0], "place": record_place(view, r),
            }
        costly.setdefault(g.physician, []).append({
            **base_item, "share": dollars(g.share), "running": dollars(g.running),
            "crossed": g.crossed})
    practice_costly: dict[str, int] = {}
    # those that list no physician count against no one's limit (SPEC §4): listed apart, or
    # they would show only inside a practice's total
    no_physician = []
    for r in records:
        for prac, _share in practice_shares(r, cents(r.cost), site.physicians):
            practice_costly[prac] = practice_costly.get(prac, 0) + 1
        if not r.physicians:
            no_physician.append({
                "date": r.date.isoformat(), "type": r.type, "summary": r.summary,
                "cents": cents(r.cost), "cost": dollars(cents(r.cost)),
                "practice": view.practice_ref(r.practice) if r.practice else None,
                "href": activity_href(month_label(month_index(r.date))),
                "liaison_name": view.member_ref(r.liaison)[0], "place": record_place(view, r)})
    no_physician.reverse()  # newest first, as each physician's list
    # validate's warnings of spend over the limit: this year's at each row, the years
    # before listed apart (the page shows only this year's spend)
    host, _host_name = repository_links(view)
    warned_in: dict[str, dict] = {}
    earlier = []
    for o in overruns(view.warnings):
        entry = {**view.doc_ref(o.physician), "id": o.physician, "year": o.year,
                 "sort_name": sort_key(site.physicians[o.physician].name)
                 if o.physician in site.physicians else o.physician,
                 "total": o.total, "warning": warning_row(view, o.diagnostic, host)}
        if o.year == year:
            warned_in[o.physician] = entry["warning"]
        elif o.year < year:
            earlier.append(entry)
    earlier.sort(key=lambda e: (-e["year"], e["sort_name"], e["id"]))
    rows = []
    for pid, s in view.stats.physicians.items():
        spent = s.spend_ytd_cents
        if not spent:
            continue
        d = site.physicians[pid]
        pct = _percent(spent, limit_cents)
        over = spent > limit_cents
        liaison_name, liaison_href = view.member_ref(s.liaison) if s.liaison else ("—", None)
        rows.append({
            **view.doc_ref(pid), "id": pid, "practice_id": d.practice, "credentials": d.credentials or "",
            "practice": view.practice_ref(d.practice),
            "liaison_name": liaison_name, "liaison_href": liaison_href,
            "spend_cents": spent, "spend": dollars(spent), "percent": pct,
            "near": spent * 100 >= NEAR * limit_cents, "over": over,
            "left": "" if over else exact_dollars(limit_cents - spent),
            "over_by": exact_dollars(spent - limit_cents) if over else "",
            "meter": min(METER, round(METER * spent / limit_cents, 1)),
            "interactions": list(reversed(costly.get(pid, []))),  # newest first
            "warning": warned_in.get(pid),  # validate's, at the cost that took them over
        })
    rows.sort(key=lambda r: (not r["near"], -r["spend_cents"], sort_key(r["name"]), r["id"]))
    near_at: dict[str, int] = {}
    for r in rows:
        if r["near"]:
            near_at[r["practice_id"]] = near_at.get(r["practice_id"], 0) + 1
    practices = []
    for prac, s in view.stats.practices.items():
        if s.spend_ytd_cents:
            practices.append({**view.practice_ref(prac), "id": prac,
                              "sort_name": practice_sort(view, prac),
                              "spend_cents": s.spend_ytd_cents,
                              "spend": dollars(s.spend_ytd_cents),
                              "interactions": practice_costly.get(prac, 0),
                              "near": near_at.get(prac, 0)})
    practices.sort(key=lambda p: (-p["spend_cents"], p["name"], p["id"]))
    near_count = sum(1 for r in rows if r["near"])
    return {
        **view.common(page, "compliance", "Compliance"),
        "year": year, "limit": exact_dollars(limit_cents), "near_percent": NEAR,
        "meter_width": METER,
        "meter_near": METER * NEAR // 100,
        "rows": rows, "practices": practices, "earlier": earlier,
        "year_before": year_before(view),
        "no_physician": no_physician,
        "no_physician_total": dollars(sum(i["cents"] for i in no_physician)),
        "near_count": near_count,
        # the index of the first folded row (None: none folds)
        "fold_at": near_count + SPEND_SHOWN if len(rows) > near_count + SPEND_SHOWN else None,
        "over_count": sum(1 for r in rows if r["over"]),
        "unspent": len(site.physicians) - len(rows),
        "no_cost": no_cost_note(year_no_cost(view), year),
        "total": dollars(view.stats.totals.spend_ytd_cents),
    }


KINDS = [
    PageKind("compliance", "compliance.html", "compliance", pages, context,
             reads=("site", "interactions", "diagnostics", "physicians", "practices", "team",
                    "stats.physicians", "stats.practices", "stats.totals"),
             variables=("year", "limit", "near_percent", "meter_width", "meter_near", "rows",
                        "practices", "earlier", "year_before", "no_physician", "no_physician_total",
                        "near_count", "fold_at", "over_count", "unspent", "no_cost", "total"),
             nav=("Compliance", "compliance/index.html"),
             url="compliance/"),
]
