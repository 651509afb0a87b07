"""Physician and practice briefs (``physicians/<id>/``, ``practices/<id>/``): what a liaison
reads before walking in.

The first screen on a phone answers "where, who, when, what to say, what we promised" (SPEC
§6): the address with a map link, tap-to-call numbers, best visit times and office days, the
office staff (``glance``), the top talking points and the open promises. Below them: status and
alerts, key figures, the referral chart with every in-person visit marked and the return on
visit (referrals in the 90 days before and after each matured visit), what happened to the
referred patients (services × status, the treated share of matured referrals, declined
reasons), spend this year against the compliance limit, the last interactions with their cost,
the profile and the decks for the practice.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
import urllib.parse
from bisect import bisect_left, bisect_right
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction
from math import ceil

from markupsafe import Markup

from liaison import charts
from liaison.compliance import NEAR, dollars, exact_dollars, no_cost_lunch, no_cost_note
from liaison.dates import day_text, month as month_name, remembered_day as day
from liaison.derived import (
    MATURED_AGES, ROV_DAYS, in_person, matured, month_index, month_label, physician_shares,
    practice_shares, visit_people, windows,
)
from liaison.models import DECLINED_REASONS, STATUSES, cents, website_href
from liaison.names import sort_key
from liaison.pages.base import (
    MONTHS_CHARTED, PERCENT_BASE, RECENT, Page, PageKind, activity_href, ago, deck_href,
    percent, physician_href, practice_href, signed,
)
from liaison.pages.log import log_href
from liaison.pages.rows import alerts_for, physician_row, planned_visit, practice_row
from liaison.pages.talking import _promise, talking_points
from liaison.pages import follow_ups, volume
from liaison.pages.view import SiteView
from liaison.stats import UNSPECIFIED
from liaison.wording import declined_reason

TOP_POINTS = 3  # talking points on the first screen; the others fold away
DAYS_SHOWN = 5  # physicians whose office days the card lists open; of more, the list folds
WHO_FILTERED = 12  # a practice of more physicians has Who is there filtered and sorted (app.js)
MAP_URL = "https://www.google.com/maps/search/?api=1&query="  # opens the maps app on phones
STATUS_NAMES = {"referred": ("Referred", "Ref."), "scheduled": ("Scheduled", "Sch."),
                "consulted": ("Consulted", "Con."), "treated": ("Treated", "Tr."),
                "declined": ("Declined", "Dec.")}  # full, and short for a phone
MATURED_TEXT = f"{MATURED_AGES[0]} to {MATURED_AGES[1] - 1} days old"  # "90 to 454 days old"
# the window of a brief's treated share, unlike the 365 days of the table above it
MATURED_WINDOW = f"referred {MATURED_AGES[0]} to {MATURED_AGES[1] - 1} days ago"


# ------------------------------------------------------------------ the first screen

# an extension written after a number: "x12", "ext. 204", "extension 7", "#31"
_EXTENSION = re.compile(r"(?:ext(?:ension)?\.?|x|#)\s*(\d+)\s*$", re.I)


def tel_href(phone: str) -> str:
    """``tel:`` link of a phone number as written: its digits (and a leading +), then its
    extension after a comma, the pause a phone waits before dialling it ("360-555-0111 ext.
    204" is ``tel:3605550111,204``: the switchboard's menu answered, the extension rings)."""
    ext = _EXTENSION.search(phone)
    number = phone[:ext.start()] if ext else phone.lower().split("x")[0]
    digits = "".join(c for c in number if c.isdigit())
    if not digits:
        return "tel:"
    return ("tel:" + ("+" if number.strip().startswith("+") else "") + digits
            + ("," + ext.group(1) if ext else ""))


def _glance(view: SiteView, practice_id: str, phones: list[tuple[str, str]],
            office_days: list[tuple[str, str]]) -> dict:
    """Where, who and when: the address with its map link, the numbers to call, best visit
    times, office days (folded, ``days_folded``, when more than ``DAYS_SHOWN`` physicians
    have them) and the office staff."""
    numbers = [{"label": label, "text": number, "href": href}
               for label, number in phones if number and (href := tel_href(number)) != "tel:"]
    days = [{"name": n, "days": d} for n, d in office_days if d]
    # a practice of many physicians: their days fold (40 took 14 lines of a phone's first
    # screen, and pushed the promises and talking points off it)
    return {**_office(view, practice_id), "phones": numbers, "office_days": days,
            "days_folded": len(days) > DAYS_SHOWN}


def _office(view: SiteView, practice_id: str) -> dict:
    """What a glance shows of the practice alone (its address, map link, best visit times
    and staff), worked out once for the view: its brief and each of its physicians' show it."""
    return view.once("offices", practice_id, _make_office, view, practice_id)


def _make_office(view: SiteView, practice_id: str) -> dict:
    p = view.site.practices.get(practice_id)
    place = ", ".join(x for x in (p.address, p.city,
                                  " ".join(y for y in (p.state, p.zip) if y)) if x) \
        if p else ""
    query = ", ".join(x for x in (p.name, place) if x) if p else ""
    return {
        "practice": view.practice_ref(practice_id),
        "address": place,
        "map_href": MAP_URL + urllib.parse.quote(query, safe="") if query else None,
        "best_visit_times": (p.best_visit_times or "") if p else "",
        "staff": [{"name": s.name, "role": s.role or "", "phone": s.phone or "",
                   "phone_href": tel_href(s.phone) if s.phone else None}
                  for s in (p.staff if p else [])],
    }


def _kinds(alerts: list[dict]) -> list[dict]:
    """Alerts (``rows.alerts_for``) with their ``kind``, the words before the first colon in
    lower case ("declining", "visit overdue"): the folded alert line lists the kinds."""
    return [{**a, "kind": a["text"].split(":", 1)[0].lower()} for a in alerts]


WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _days(days) -> str:
    """Office days as written, three or more in a row as a range: "Mon–Thu, Sat"."""
    order = sorted({WEEK.index(d) for d in days})
    runs: list[list[int]] = []
    for i in order:
        if runs and i == runs[-1][-1] + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    parts = []
    for run in runs:
        names = [WEEK[i].capitalize() for i in run]
        parts += [f"{names[0]}\u2013{names[-1]}"] if len(run) >= 3 else names
    return ", ".join(parts)


def _last_time(view: SiteView, interactions) -> list[dict]:
    """What happened last time (the card's "Last time"): the latest interaction of a brief
    and, when that one was not in person, the latest in-person visit too, each with its
    summary, the needs voiced and every follow-up logged with it, delivered or not
    (``talking._promise``): a promise kept leaves "Promised" (open ones only) and would show
    nowhere else on the first screen. ``interactions``: newest first, as the view lists them."""
    picked = []
    for r in interactions:
        if not picked or in_person(r):
            picked.append(r)
            if in_person(r):
                break
    out = []
    for r in picked:
        name, href = view.member_ref(r.liaison)
        out.append({"date": r.date.isoformat(), "type": r.type, "in_person": in_person(r),
                    "liaison_name": name, "liaison_href": href, "summary": r.summary,
                    "needs": list(r.needs),
                    "promises": [_promise(view, r, f) for f in r.follow_ups]})
    return out


def _earlier(interactions, fragment: str, shown: int = RECENT) -> dict | None:
    """Where the interactions a brief does not list are (the newest ``shown`` listed): the
    month page of the newest of them, filtered to the brief's (``fragment``: app.js's filter
    state). The activity log's first page holds the site's latest 50, often none of them."""
    if len(interactions) <= shown:
        return None
    day = interactions[shown].date
    return {"href": activity_href(month_label(month_index(day))) + "#" + fragment,
            "month": month_name(day)}


# ------------------------------------------------------------------ chart and return on visit

def _position(view: SiteView, date: dt.date) -> float:
    """Where a date falls on the 24-month chart, in months from its first month's start."""
    days = calendar.monthrange(date.year, date.month)[1]
    return month_index(date) - view.month_first + (date.day - 0.5) / days


_BEFORE = object()  # a visit before the chart's first month (``_markers``)


def _markers(view: SiteView, visits, listed: str | None = None) -> list[tuple[float, str]]:
    """A marker per in-person interaction within the chart's months (``listed``: a physician
    whose brief it is; a visit to their office that does not list them says so). ``visits``:
    newest first, as the view lists them; read up to the first one before the chart's
    months (a physician's visits go back five years, the chart two)."""
    memo = view.caches.setdefault("markers", {})  # id(interaction) -> (position, text)
    out = []
    for r in visits:
        mark = memo.get(id(r))
        if mark is None:
            month = month_index(r.date)
            if month < view.month_first:
                mark = memo[id(r)] = _BEFORE
            elif month > view.month_last:
                mark = memo[id(r)] = (None, "")
            else:
                name, _ = view.member_ref(r.liaison)
                mark = memo[id(r)] = (_position(view, r.date),
                                      f"{r.date.isoformat()}: {r.type} by {name}")
        if mark is _BEFORE:
            break  # the others are older still
        if mark[0] is not None:
            where = " (to the office)" if listed and listed not in r.physicians else ""
            out.append((mark[0], mark[1] + where))
    return out


def _chart(view: SiteView, series: list[int], visits, name: str,
           listed: str | None = None):
    months = view.caches.get("month_labels")
    if months is None:
        months = view.caches["month_labels"] = [month_label(m) for m in view.months()]
    return view.chart(charts.bar_chart, months, series, markers=_markers(view, visits, listed),
                      title=f"Referrals from {name} per month, last 24 months, with our "
                            "in-person visits")


def _chart_note(series: list[int] | None, name: str) -> str | None:
    """A line under a brief's chart that has no referral in its months, which reads as a
    chart that failed to draw otherwise."""
    if series and any(series):
        return None
    return f"No referral from {name} in these {MONTHS_CHARTED} months."


def _dated(rows) -> tuple[list[dt.date], list[int]]:
    """Referral rows as their dates, sorted, and the running sums of their counts."""
    by_date: dict[dt.date, int] = {}
    for row in rows:
        by_date[row.date] = by_date.get(row.date, 0) + row.count
    days = sorted(by_date)
    sums = [0]
    for d in days:
        sums.append(sums[-1] + by_date[d])
    return days, sums


def _window(dated: tuple[list[dt.date], list[int]], first: dt.date, last: dt.date) -> int:
    """Referrals dated from ``first`` to ``last``, inclusive."""
    days, sums = dated
    return sums[bisect_right(days, last)] - sums[bisect_left(days, first)]


ROV_ROWS = 5  # matured visits listed with their own before and after (the newest)


def _rov(view: SiteView, rov, visits: list, people_of, seen_of=None, visited=False) -> dict:
    """Return on visit in words and numbers: the statistic (``rov``: visits, before, after)
    and the newest ``ROV_ROWS`` matured visits with their referrals before and after (``more``:
    how many older ones the figures count besides). ``visits``: newest first, as the view
    lists them (read up to the first one too old to have matured). ``people_of(visit)``: the
    visit's people that the brief is about, with their referrals by date; ``seen_of(visit)``
    (a practice's brief): the ids of those people, named under the visit's date (two visits
    of one day by one liaison read alike otherwise), unless the visit lists no physician: it
    was to the office (``office``), and saw none of them by name. ``visited`` (a practice's
    brief): an in-person visit there is old enough, whoever it saw; with none counted, its
    physicians then were at another practice now (it closed or merged), not too young."""
    rows, more = [], 0
    older = False  # a visit past the window: none is "not old enough yet" then
    for r in visits:
        age = (view.as_of - r.date).days
        if age >= MATURED_AGES[1]:
            older = True
            break  # the others are older still
        if not matured(age):
            continue
        people = people_of(r)
        if not people:
            continue
        if len(rows) == ROV_ROWS:
            more += 1
            continue
        before = sum(_window(d, r.date - dt.timedelta(days=ROV_DAYS), r.date - dt.timedelta(days=1))
                     for d in people)
        after = sum(_window(d, r.date, r.date + dt.timedelta(days=ROV_DAYS - 1)) for d in people)
        name, href = view.member_ref(r.liaison)
        # a visit that lists no physician was to the office: it counts every physician of
        # the practice (derived.visit_people) but saw none of them in particular
        office = not r.physicians
        seen = [view.doc_ref(x) for x in seen_of(r)] if seen_of is not None and not office else []
        rows.append({"date": day(r.date, view.as_of), "type": r.type, "summary": r.summary,
                     "liaison_name": name, "liaison_href": href, "before": before,
                     "after": after, "change": signed(after - before), "seen": seen,
                     "office": office})
    n, before, after = rov.visits, rov.before, rov.after
    if n == 0 and visited:  # a practice that closed or merged: its physicians moved
        words = (f"Its in-person visits {MATURED_TEXT} saw none of its physicians on file now "
                 "(those it had are at another practice, or none was on file): return on visit "
                 "counts the referrals of a practice's physicians, so it follows them there.")
    elif n == 0:
        words = (f"No in-person visit is {MATURED_TEXT}: the last is older; return on visit "
                 f"counts the visits of the {MATURED_AGES[1] - MATURED_AGES[0]} days before the "
                 f"last {MATURED_AGES[0]}." if older else
                 f"No in-person visit is {MATURED_TEXT} yet: return on visit counts the "
                 f"referrals in the {ROV_DAYS} days before and after each visit once those days "
                 "are over.")
    else:
        visits_text = f"{n} in-person visit{'s' if n != 1 else ''} {MATURED_TEXT}"
        ours, them = ("our visits", "them") if n != 1 else ("our visit", "it")
        if after > before:
            verdict = f"more referrals followed {ours} than preceded {them}"
        elif after < before:
            verdict = f"fewer referrals followed {ours} than preceded {them}"
        elif after:
            verdict = f"as many referrals followed {ours} as preceded {them}"
        else:  # not "as many referrals followed": none did
            verdict = f"no referral preceded or followed {them}"
        words = (f"Over {visits_text}, {verdict}: {after} in the {ROV_DAYS} days after against "
                 f"{before} in the {ROV_DAYS} days before ({signed(after - before)}).")
    return {"visits": n, "before": before, "after": after, "change": signed(after - before),
            "css": "up" if after > before else "down" if after < before else "flat",
            "text": words, "rows": rows, "more": more}


# ------------------------------------------------------------------ outcomes

def _outcomes(view: SiteView, rows: list, first: str | None = None, nobody: bool = False) -> dict:
    """What happened to the referred patients: services × status over the last 365 days,
    the treated share of the matured referrals (90 ≤ age < 455) and the declined reasons.
    ``first``: the date (ISO) of the first referral of the brief's physicians (``rows`` hold
    only the recent ones): one older than the matured window is past it, not short of it.
    ``nobody``: a practice with no physician on file (closed or merged, or new): there is
    nothing to wait for, whatever "yet" would say."""
    D = view.as_of
    table: dict[str, dict[str, int]] = {}
    reasons: dict[str, int] = {}
    done = treated = 0
    # a referral past the window: none is "not old enough yet" then
    older = first is not None and (D - dt.date.fromisoformat(first)).days >= MATURED_AGES[1]
    for row in rows:
        age = (D - row.date).days
        if windows(age)[2]:  # the last 365 days
            cells = table.setdefault(row.service, dict.fromkeys(STATUSES, 0))
            cells[row.status] += row.count
            if row.status == "declined":
                why = row.declined_reason or UNSPECIFIED
                reasons[why] = reasons.get(why, 0) + row.count
        if matured(age):
            done += row.count
            if row.status == "treated":
                treated += row.count
    services = [{"name": view.services[k], "cells": [table[k][s] or "·" for s in STATUSES],
                 "total": sum(table[k].values())} for k in view.services if k in table]
    totals = [sum(table[k][s] for k in table) for s in STATUSES]
    if done == 0 and nobody:
        share = ("No physician on file, so no referral to follow: a practice's referrals are "
                 "its physicians' (those who moved took theirs to their practice now).")
    elif done == 0:
        share = (f"No referral was made {MATURED_AGES[0]} to {MATURED_AGES[1] - 1} days ago."
                 if older else f"No referral is {MATURED_TEXT} yet: their outcomes are not known.")
    elif done < PERCENT_BASE:
        share = f"{treated} of {done} matured referral{'s' if done != 1 else ''} treated ({MATURED_WINDOW})."
    else:
        share = f"{percent(treated, done)} of matured referrals treated ({treated} of {done}, {MATURED_WINDOW})."
    order = [*DECLINED_REASONS, UNSPECIFIED]
    return {
        "statuses": [{"name": STATUS_NAMES[s][0], "short": STATUS_NAMES[s][1]} for s in STATUSES],
        "services": services, "totals": totals, "total": sum(totals),
        "matured": done, "treated": treated, "share": share,
        "share_percent": percent(treated, done) if done >= PERCENT_BASE else None,
        "site_share": site_share(view),
        "declined": [{"reason": declined_reason(why), "count": reasons[why]}
                     for why in order if why in reasons],
    }


def site_share(view: SiteView) -> str | None:
    """The treated share of all our matured referrals, beside a brief's own (None on fewer
    than ``PERCENT_BASE``)."""
    funnel = view.stats.funnel_matured
    return percent(funnel["treated"], funnel["referred"]) \
        if funnel["referred"] >= PERCENT_BASE else None


# ------------------------------------------------------------------ spend

def _limit_cents(view: SiteView) -> int | Decimal | None:
    """compliance.annual_limit in cents: an int when whole (the usual case), else exact
    (worked out once for the view: every brief's spend meter reads it)."""
    caches = view.caches
    if "limit cents" not in caches:
        c = view.site.config.compliance
        limit = None if c is None else c.annual_limit * 100
        caches["limit cents"] = limit if limit is None or limit != int(limit) else int(limit)
    return caches["limit cents"]


def _meter(view: SiteView, spent: int) -> dict:
    """Spend this year against the annual limit (none without one)."""
    limit = _limit_cents(view)
    if limit is None:
        return {"limit": None, "spend": dollars(spent), "spend_cents": spent}
    if isinstance(limit, int):
        pct = spent * 100 // limit
    else:
        pct = int((Decimal(spent) * 100 / limit).to_integral_value(rounding=ROUND_FLOOR))
    over = spent > limit
    return {
        "spend": dollars(spent), "spend_cents": spent, "limit": exact_dollars(limit),
        "limit_cents": int(limit), "percent": f"{pct}%", "over": over,
        "near": spent * 100 >= NEAR * limit,
        "note": f"over the limit by {exact_dollars(spent - limit)}" if over
                else f"{exact_dollars(limit - spent)} left",
        # <meter>: green below NEAR per cent, amber from there, red over the limit, as the
        # badge. A browser paints a value up to `low` green, up to `high` amber, above it red,
        # the value held to `max`: `low` is the last cent below NEAR per cent, `high` the last
        # not over the limit, and `max` the spend when over it (held to the limit, it read
        # amber; `high` one cent below the limit painted the limit itself red, and `low` at
        # NEAR per cent painted NEAR per cent green)
        "low": max(ceil(Fraction(limit) * NEAR / 100) - 1, 0), "high": int(limit),
        "meter_max": max(spent, int(limit)),
    }


def _spend(view: SiteView, spent: int, shares_of, interactions: list,
           meter: bool = True) -> dict:
    """The meter (``meter``: the limit is per physician, so a practice's total has none),
    this year's interactions with a cost, with the share of each charged here
    (``shares_of(interaction, cents)``), and what to say of this year's lunches that record no
    cost (``no_cost``: a site of the first edition has no cost at all, which is not "nothing
    given")."""
    as_of = view.as_of
    year = as_of.year
    items = []
    no_cost = 0  # lunches of the year that record no cost (counted as nothing given)
    for r in interactions:  # newest first: read up to the first one of an earlier year
        if r.date > as_of:
            continue
        if r.date.year != year:
            break
        if r.cost is None:
            no_cost += no_cost_lunch(r)
            continue
        total = cents(r.cost)
        share = shares_of(r, total)
        if not share:  # charged to another physician or practice
            continue
        items.append({"date": day(r.date, as_of), "type": r.type, "summary": r.summary,
                      "cost": dollars(total), "share": dollars(share)})
    shown = _meter(view, spent) if meter else {"limit": None, "spend": dollars(spent),
                                                 "spend_cents": spent}
    return {**shown, "year": year, "costs": items, "no_cost": no_cost_note(no_cost, year),
            "empty": "No cost recorded this year." if no_cost else "Nothing given this year."}


# ------------------------------------------------------------------ pages

def _decks(view: SiteView, practice: str) -> list[dict]:
    return [{"title": view.site.decks[k].meta.title, "href": deck_href(k, practice)}
            for k in view.decks_for_practice.get(practice, [])]


def _people_of(view: SiteView, r) -> list[str]:
    """The people of an in-person interaction (return on visit)."""
    people = view.caches.setdefault("people_of", {})
    who = people.get(id(r))
    if who is None:
        who = people[id(r)] = visit_people(r, view.docs_of_practice)
    return who


def _people_visits(view: SiteView, pids: list[str]) -> list:
    """In-person interactions (newest first) whose people include one of ``pids``."""
    index = view.visits_by_doc
    if len(pids) == 1:
        return index.get(pids[0], [])
    seen: dict[int, object] = {}
    for pid in pids:
        for r in index.get(pid, ()):
            seen.setdefault(id(r), r)
    return sorted(seen.values(), key=lambda r: r.date, reverse=True)


def physician(view: SiteView, page: Page) -> dict:
    pid = page.key
    d = view.site.physicians[pid]
    s = view.stats.physicians[pid]
    interactions = view.by_doc.get(pid, [])
    practice = view.site.practices.get(d.practice)
    visits = _people_visits(view, [pid])
    dated = _dated(view.referrals_by_doc.get(pid, ()))
    points = talking_points(view, [pid], interactions)
    return {
        **view.common(page, "physicians", d.name),
        "physician": d, "stats": s, "row": physician_row(view, pid),
        "notes_html": view.md.note(d.notes),
        "practice": view.practice_ref(d.practice),
        "practice_record": practice,
        "office_days": _days(d.office_days),
        "glance": _glance(view, d.practice,
                          [("direct", d.phone or ""),
                           ("office", practice.phone or "" if practice else "")],
                          [(d.name, _days(d.office_days))]),
        "alerts": _kinds(alerts_for(view, pid)),
        "d90": view.change(s.referrals_90d, s.referrals_prev_90d, 90),
        "d365": view.change(s.referrals_365d, s.referrals_prev_365d, 365),
        "last_referral_ago": ago(s.days_since_referral),
        # (last_visit is of the visits that listed them: with only visits to the office, which
        # the chart marks, "never" alone read as no visit at all)
        "last_visit_ago": ago((view.as_of - dt.date.fromisoformat(s.last_visit)).days)
        if s.last_visit else "never with them" if visits else "never",
        "chart": _chart(view, view.doc_series.get(pid, [0] * MONTHS_CHARTED), visits, d.name,
                        listed=pid),
        "chart_note": _chart_note(view.doc_series.get(pid), d.name),
        "rov": _rov(view, s.rov_365d, visits, lambda r: [dated]),
        "outcomes": _outcomes(view, view.referrals_by_doc.get(pid, ()), s.first_referral),
        "spend": _spend(view, s.spend_ytd_cents,
                        lambda r, c: dict(physician_shares(r, c)).get(pid, 0), interactions),
        "recent": [view.interaction(r) for r in interactions[:RECENT]],
        "more": max(0, len(interactions) - RECENT),
        "earlier": _earlier(interactions, "activity=" + urllib.parse.quote(d.name)),
        "follow_ups": [view.follow_up(*t)
                       for t in follow_ups.brief_order(view, view.fu_by_doc.get(pid, []))],
        "last_time": _last_time(view, interactions),
        "points": points, "top_points": points[:TOP_POINTS], "more_points": points[TOP_POINTS:],
        "decks": _decks(view, d.practice),
        "log_href": log_href(view, d.practice, [pid]),
        "medicare": volume.physician(view, pid),
    }


def _with_plan(ago_text: str, plan: dict | None, as_of: dt.date) -> str:
    """The note under a practice's last contact: how long ago, and the visit planned then
    (``rows.planned_visit``): ahead, or missed."""
    if plan is None:
        return ago_text
    when = day_text(plan["day"], as_of)
    return f"{ago_text} · {'planned visit missed' if plan['missed'] else 'visit planned'} {when}"


def practice(view: SiteView, page: Page) -> dict:
    pid = page.key
    p = view.site.practices[pid]
    s = view.stats.practices[pid]
    docs = view.docs_of_practice.get(pid, [])
    series = [0] * MONTHS_CHARTED
    for d in docs:
        for i, n in enumerate(view.doc_series.get(d, ())):
            series[i] += n
    interactions = view.by_practice.get(pid, [])
    alerts = [{**a, "text": Markup("{}: {}").format(view.site.physicians[d].name, a["text"])}
              for d in docs for a in _kinds(alerts_for(view, d))]
    dated = {d: _dated(view.referrals_by_doc.get(d, ())) for d in docs}
    ours = set(docs)
    points = talking_points(view, docs, interactions, practice=True)
    by_name = sorted(docs, key=lambda d: (sort_key(view.site.physicians[d].name), d))
    doctors = []  # by last name, as the directories and the call plans list people
    for d in by_name:
        rec, st = view.site.physicians[d], view.stats.physicians[d]
        doctors.append({**physician_row(view, d), "office_days": _days(rec.office_days),
                        "sort_name": sort_key(rec.name), "spend": _meter(view, st.spend_ytd_cents)})
    return {
        **view.common(page, "practices", p.name),
        "practice": p, "stats": s, "row": practice_row(view, pid),
        "website_href": website_href(p.website) if p.website else None,
        "notes_html": view.md.note(p.notes),
        "doctors": doctors, "who_filtered": len(doctors) > WHO_FILTERED,
        "glance": _glance(view, pid, [("office", p.phone or "")],
                          [(view.site.physicians[d].name, _days(view.site.physicians[d].office_days))
                           for d in by_name]),
        "d365": view.change(s.referrals_365d, s.referrals_prev_365d, 365),
        "last_contact_ago": _with_plan(
            ago((view.as_of - dt.date.fromisoformat(s.last_contact)).days)
            if s.last_contact else "never", planned_visit(view, pid), view.as_of),
        "chart": _chart(view, series, (r for r in interactions if in_person(r)), p.name),
        "chart_note": _chart_note(series, p.name),
        "rov": _rov(view, s.rov_365d, _people_visits(view, docs),
                    lambda r: [dated[x] for x in _people_of(view, r) if x in ours],
                    lambda r: [x for x in _people_of(view, r) if x in ours],
                    any(in_person(r) and matured((view.as_of - r.date).days)
                        for r in interactions)),
        "outcomes": _outcomes(view, [row for d in docs for row in view.referrals_by_doc.get(d, ())],
                              min(filter(None, (view.stats.physicians[d].first_referral
                                                for d in docs)), default=None), not docs),
        "spend": _spend(view, s.spend_ytd_cents,
                        lambda r, c: dict(practice_shares(r, c, view.site.physicians)).get(pid, 0),
                        interactions, meter=False),
        "alerts": alerts,
        "recent": [view.interaction(r) for r in interactions[:RECENT]],
        "more": max(0, len(interactions) - RECENT),
        "earlier": _earlier(interactions, "activity.practice="
                            + urllib.parse.quote(practice_href(pid), safe="")),
        "follow_ups": [view.follow_up(*t)
                       for t in follow_ups.brief_order(view, view.fu_by_practice.get(pid, []))],
        "last_time": _last_time(view, interactions),
        "points": points, "top_points": points[:TOP_POINTS], "more_points": points[TOP_POINTS:],
        "decks": _decks(view, pid),
        "log_href": log_href(view, pid),
        "medicare": volume.practice(view, docs),
    }


BRIEF_READS = ("physicians", "practices", "team", "interactions", "referrals", "decks",
               "site.services", "site.tiers", "site.compliance", "templates/talking-points.yaml",
               "market")
BRIEF_VARIABLES = ("stats", "row", "notes_html", "glance", "alerts", "d365", "chart", "chart_note", "rov",
                   "outcomes", "spend", "recent", "more", "earlier", "follow_ups", "last_time", "points",
                   "top_points", "more_points", "decks", "log_href", "medicare")

KINDS = [
    PageKind("practice", "practice.html", "practices",
             lambda view: [Page(practice_href(p), "practice.html", "practice", p)
                           for p in sorted(view.site.practices)],
             practice, reads=BRIEF_READS + ("stats.practices", "stats.physicians",
                                            "stats.funnel_matured"),
             variables=("practice", "website_href", "doctors", "who_filtered", "last_contact_ago",
                        *BRIEF_VARIABLES),
             url="practices/<practice>/"),
    PageKind("physician", "physician.html", "physicians",
             lambda view: [Page(physician_href(p), "physician.html", "physician", p)
                           for p in sorted(view.site.physicians)],
             physician, reads=BRIEF_READS + ("stats.physicians", "stats.funnel_matured"),
             variables=("physician", "practice", "practice_record", "office_days", "d90",
                        "last_referral_ago", "last_visit_ago", *BRIEF_VARIABLES),
             url="physicians/<physician>/"),
]
