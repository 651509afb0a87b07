"""The dashboard (``index.html``): physician referrals and the other new patients of the last
90 and 365 days (never added together in a headline), the monthly chart of physician referrals
with the in-person visits, the referrers who need attention and the follow-ups due this week
or overdue by less than 30 days (the older backlog is a count and a link to follow-ups/)."""
from __future__ import annotations

from itertools import islice

from liaison import charts
from liaison.pages import follow_ups
from liaison.pages.base import MONTHS_CHARTED, Page, PageKind
from liaison.pages.rows import (
    by_referrals_before, charted_span, counted_to, new_patients, physician_months, physician_row,
)
from liaison.pages.view import SiteView
from liaison.wording import rate

# The follow-ups of the week (and the recently overdue) listed on the dashboard: past these,
# the list says that it holds the ones due first and links to the rest.
WEEK_ROWS = 25


def pages(view: SiteView) -> list[Page]:
    return [Page("index.html", "dashboard.html", "dashboard")]


def context(view: SiteView, page: Page) -> dict:
    st = view.stats
    totals = st.totals
    months = st.months[-MONTHS_CHARTED:]
    phys = st.physicians

    # the referrers who need attention, those who referred most the year before first
    by_before = by_referrals_before(st)

    def pick(pred, shown: int = 10):
        return [physician_row(view, p)
                for p in islice((p for p in by_before if pred(phys[p])), shown)]

    due = follow_ups.grouped(view)  # recently overdue, then this week, by due date
    upcoming = [view.follow_up(*t) for t in due["recent"] + due["week"]]
    capture = st.source_capture_rate_365d
    patients = new_patients(view)
    others = patients["other_365d"]["now"]  # the base of the rate, beside it (as referrals/)
    monthly = physician_months(view, months)
    return {
        **view.common(page, "dashboard", "Dashboard"),
        "totals": totals,
        "new_patients": patients,
        "capture": capture,
        "capture_text": rate(capture),
        "capture_asked": others - st.sources_365d.get("unknown", 0), "capture_of": others,
        "chart": view.chart(charts.bar_chart, [m.month for m in months], monthly,
                     title=f"Physician referrals per month, {charted_span([m.month for m in months])}, with in-person visits",
                     primary_label="Physician referrals",
                     secondary=[m.in_person for m in months], secondary_label="In-person visits"),
        "chart_span": charted_span([m.month for m in months], words=True),  # in its heading
        # the as-of month, unfinished, said under the chart as on referrals/ (else None)
        "chart_unfinished": {"month": months[-1].month, "counted": counted_to(view)}
        if view.month_to_date and months else None,
        # the months the empty chart shows, said under it (a new site's are fewer than 24)
        "chart_empty": None if any(monthly) else
        "this month" if len(months) == 1 else f"these {len(months)} months",
        # a site whose referrals stopped before the chart (a year with none): when the last was
        "chart_last": None if any(monthly) else
        max((s.last_referral for s in phys.values() if s.last_referral), default=None),
        "declining": pick(lambda s: s.declining),
        "declining_count": sum(1 for s in phys.values() if s.declining),
        "lapsed": pick(lambda s: s.status == "lapsed"),
        "lapsed_count": sum(1 for s in phys.values() if s.status == "lapsed"),
        "new": pick(lambda s: s.status == "new"),
        "new_count": sum(1 for s in phys.values() if s.status == "new"),
        "overdue_visits": sum(1 for s in phys.values() if s.visit_overdue),
        "week": upcoming[:WEEK_ROWS], "week_count": len(upcoming), "backlog_count": len(due["backlog"]),
        "later_count": len(due["later"]),
    }


KINDS = [
    PageKind("dashboard", "dashboard.html", "dashboard", pages, context,
             reads=("stats.totals", "stats.months", "stats.physicians",
                    "stats.source_capture_rate_365d", "stats.sources_365d", "physicians", "practices", "team",
                    "interactions", "referrals"),
             variables=("totals", "new_patients", "capture", "capture_text", "capture_asked",
                        "capture_of", "chart", "chart_span", "chart_unfinished", "chart_empty", "chart_last",
                        "declining",
                        "declining_count", "lapsed", "lapsed_count", "new", "new_count",
                        "overdue_visits", "week", "week_count", "backlog_count", "later_count"),
             nav=("Dashboard", "index.html"),
             url="index.html"),
]
