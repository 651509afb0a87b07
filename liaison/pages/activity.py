"""The interaction log (``activity/``: the latest 50 and every month; ``activity/YYYY-MM/``:
one month's interactions, with links to the months before and after that have any). Both
filter by liaison, practice and text in the page (liaison/static/app.js)."""
from __future__ import annotations

from liaison.dates import month as month_name
from liaison.derived import month_label, month_of_label
from liaison.pages.base import Page, PageKind, activity_href, one_page
from liaison.pages.view import SiteView

LATEST = 50


def choices(view: SiteView, rows: list) -> dict:
    """The liaisons and practices of ``rows`` (interactions) for the page's filter: options
    whose value is the page a matching interaction links to (app.js's ``link`` field), in
    the order of ``filter_options``."""
    physicians = view.site.physicians
    # derived.practices_of of each interaction, put together: one pass over them (the month
    # pages ask for every interaction of the site, 200,000 at 10,000 physicians: three
    # passes, even in C, took longer, each reading every record again from memory), then each
    # physician listed once
    liaisons, practices, listed = set(), set(), set()
    add_liaison, add_practice, add_listed = liaisons.add, practices.add, listed.update
    for r in rows:
        add_liaison(r.liaison)
        add_practice(r.practice)
        add_listed(r.physicians)
    practices.update(physicians[pid].practice for pid in listed & physicians.keys())
    team_options, practice_options = view.filter_options
    return {"liaison_choices": [option for t, option in team_options if t in liaisons],
            "practice_choices": [option for p, option in practice_options if p in practices]}


def activity(view: SiteView, page: Page) -> dict:
    months = sorted(view.by_month, reverse=True)
    latest = []
    for mi in months:
        for r in reversed(view.by_month[mi]):
            latest.append(r)
            if len(latest) >= LATEST:
                break
        if len(latest) >= LATEST:
            break
    # a month's interactions in person: the statistics' count of the same interactions (those
    # of the month up to the as-of date; counting them here again took 0.1 s at 10,000
    # physicians, in every build that makes this page)
    in_person = {m.month: m.in_person for m in view.stats.months}
    listed = [{"label": month_label(m), "href": activity_href(month_label(m)),
               "count": view.month_count(m), "in_person": in_person[month_label(m)]}
              for m in months]
    return {**view.common(page, "activity", "Activity"),
            "recent": [view.interaction(r) for r in latest], **choices(view, latest),
            # every interaction the month pages list (the latest are some of them)
            "total": sum(m["count"] for m in listed), "months": listed}


def month_link(view: SiteView, mi: int | None) -> dict | None:
    if mi is None:
        return None
    return {"label": month_label(mi), "href": activity_href(month_label(mi)),
            "count": view.month_count(mi)}


def activity_month(view: SiteView, page: Page) -> dict:
    mi = month_of_label(page.key)
    rows = list(reversed(view.by_month.get(mi, [])))
    before = [m for m in view.by_month if m < mi]
    after = [m for m in view.by_month if m > mi]
    return {**view.common(page, "activity", f"Activity in {month_name(page.key)}"), "month": page.key,
            "recent": [view.interaction(r) for r in rows], **choices(view, rows),
            "previous": month_link(view, max(before) if before else None),
            "next": month_link(view, min(after) if after else None)}


def month_pages(view: SiteView) -> list[Page]:
    """A page for each month with an interaction dated on or before the as-of date, in order:
    the months of the interactions' index, or, where the records are not kept (validate reads
    the interactions a share at a time), those the statistics count interactions in (the
    same months)."""
    if view.site.interactions:
        labels = [month_label(m) for m in sorted(view.by_month)]
    else:
        labels = [m.month for m in view.stats.months if m.interactions]
    return [Page(activity_href(label), "activity_month.html", "activity-month", label) for label in labels]


KINDS = [
    PageKind("activity", "activity.html", "activity",
             one_page("activity/index.html", "activity.html", "activity"),
             activity, reads=("interactions", "physicians", "practices", "team", "decks",
                              "stats.months"),
             variables=("recent", "total", "months", "liaison_choices", "practice_choices"),
             nav=("Activity", "activity/index.html"),
             url="activity/"),
    PageKind("activity-month", "activity_month.html", "activity",
             month_pages,
             activity_month, reads=("interactions", "physicians", "practices", "team", "decks"),
             variables=("month", "recent", "liaison_choices", "practice_choices", "previous",
                        "next"),
             url="activity/<YYYY-MM>/"),
]
