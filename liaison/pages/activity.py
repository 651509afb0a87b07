"""The interaction log (``activity/``: the latest 50 and every month; ``activity/YYYY-MM/``:
one month's interactions)."""
from __future__ import annotations

from liaison.derived import in_person, month_label, month_of_label
from liaison.pages.base import Page, PageKind, activity_href, one_page
from liaison.pages.view import SiteView

LATEST = 50


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
    return {**view.common(page, "activity", "Activity"),
            "recent": [view.interaction(r) for r in latest],
            "months": [{"label": month_label(m), "href": activity_href(month_label(m)),
                        "count": len(view.by_month[m]),
                        "in_person": sum(1 for r in view.by_month[m] if in_person(r))}
                       for m in months]}


def activity_month(view: SiteView, page: Page) -> dict:
    rows = list(reversed(view.by_month.get(month_of_label(page.key), [])))
    return {**view.common(page, "activity", f"Activity in {page.key}"), "month": page.key,
            "recent": [view.interaction(r) for r in rows]}


KINDS = [
    PageKind("activity", "activity.html", "activity",
             one_page("activity/index.html", "activity.html", "activity"),
             activity, reads=("interactions", "physicians", "practices", "team", "decks"),
             variables=("recent", "months"), nav=("Activity", "activity/index.html"),
             url="activity/"),
    PageKind("activity-month", "activity_month.html", "activity",
             lambda view: [Page(activity_href(month_label(m)), "activity_month.html",
                                "activity-month", month_label(m)) for m in sorted(view.by_month)],
             activity_month, reads=("interactions", "physicians", "practices", "team", "decks"),
             variables=("month", "recent"),
             url="activity/<YYYY-MM>/"),
]
