"""Data quality (``data-quality/``): physicians without an NPI, a tier or a liaison, never
contacted; practices without a liaison."""
from __future__ import annotations

from liaison.pages.base import Page, PageKind, one_page
from liaison.pages.rows import physician_row, practice_row
from liaison.pages.view import SiteView


def context(view: SiteView, page: Page) -> dict:
    phys = view.stats.physicians
    docs = sorted(view.site.physicians)

    def rows(pred):
        return [physician_row(view, p) for p in docs if pred(view.site.physicians[p], phys[p])]

    return {
        **view.common(page, "data-quality", "Data quality"),
        "no_npi": rows(lambda d, s: d.npi is None),
        "no_tier": rows(lambda d, s: d.tier is None),
        "no_liaison": rows(lambda d, s: s.liaison is None),
        "never_contacted": rows(lambda d, s: s.last_contact is None),
        "practices_no_liaison": [practice_row(view, p) for p in sorted(view.site.practices)
                                 if view.site.practices[p].liaison is None],
    }


KINDS = [
    PageKind("data-quality", "data_quality.html", "data-quality",
             one_page("data-quality/index.html", "data_quality.html", "data-quality"),
             context, reads=("physicians", "practices", "team", "stats.physicians",
                             "stats.practices"),
             variables=("no_npi", "no_tier", "no_liaison", "never_contacted",
                        "practices_no_liaison"),
             nav=("Data quality", "data-quality/index.html"),
             url="data-quality/"),
]
