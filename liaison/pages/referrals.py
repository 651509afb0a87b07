"""Referral statistics (``referrals/``): the monthly chart, the funnel, sources and service
lines, top referrers and movers, new, lapsed and declining referrers."""
from __future__ import annotations

from liaison import charts
from liaison.pages.base import MONTHS_CHARTED, Page, PageKind, one_page, signed
from liaison.pages.rows import physician_row
from liaison.pages.view import SiteView


def context(view: SiteView, page: Page) -> dict:
    st = view.stats
    totals = st.totals
    months = st.months[-MONTHS_CHARTED:]
    f = st.funnel_365d
    phys = st.physicians
    top = sorted((p for p in phys if phys[p].referrals_365d),
                 key=lambda p: (-phys[p].referrals_365d, p))[:15]
    movers = sorted((p for p in phys if phys[p].referrals_365d != phys[p].referrals_prev_365d),
                    key=lambda p: (-abs(phys[p].referrals_365d - phys[p].referrals_prev_365d), p))[:15]

    def rows(pred, limit=50):
        ids = [p for p in sorted(phys) if pred(phys[p])]
        return [physician_row(view, p) for p in ids[:limit]], len(ids)

    new, new_n = rows(lambda s: s.status == "new")
    lapsed, lapsed_n = rows(lambda s: s.status == "lapsed")
    declining, declining_n = rows(lambda s: s.declining)
    sources = sorted(st.sources_365d.items(), key=lambda kv: (-kv[1], kv[0]))
    return {
        **view.common(page, "referrals", "Referral statistics"),
        "totals": totals, "capture": st.source_capture_rate_365d,
        "d90": view.change(totals.referrals_90d, totals.referrals_prev_90d),
        "d365": view.change(totals.referrals_365d, totals.referrals_prev_365d),
        "chart": view.chart(charts.bar_chart, [m.month for m in months], [m.referrals for m in months],
                     title="Referrals per month, last 24 months",
                     secondary=[m.treated for m in months], secondary_label="Treated"),
        "funnel": view.chart(charts.funnel_chart, [("Referred", f["referred"]), ("Scheduled", f["scheduled"]),
                                            ("Consulted", f["consulted"]), ("Treated", f["treated"]),
                                            ("Declined", f["declined"])],
                      title="Referral funnel, last 365 days"),
        "sources": view.chart(charts.share_bars, sources, title="How patients heard about us, last 365 days",
                       highlight="unknown"),
        "services": view.chart(charts.share_bars, [(view.services[k], v) for k, v in st.services_365d.items()],
                        title="Referrals by service line, last 365 days"),
        "top": [physician_row(view, p) for p in top],
        "movers": [{**physician_row(view, p),
                    "delta": signed(phys[p].referrals_365d - phys[p].referrals_prev_365d),
                    "up": phys[p].referrals_365d > phys[p].referrals_prev_365d} for p in movers],
        "new": new, "new_n": new_n, "lapsed": lapsed, "lapsed_n": lapsed_n,
        "declining": declining, "declining_n": declining_n,
        "months_table": list(reversed(months)),
    }


KINDS = [
    PageKind("referrals", "referrals.html", "referrals",
             one_page("referrals/index.html", "referrals.html", "referrals"),
             context, reads=("stats", "physicians", "practices", "team", "site.services"),
             variables=("totals", "capture", "d90", "d365", "chart", "funnel", "sources",
                        "services", "top", "movers", "new", "new_n", "lapsed", "lapsed_n",
                        "declining", "declining_n", "months_table"),
             nav=("Referrals", "referrals/index.html"),
             url="referrals/"),
]
