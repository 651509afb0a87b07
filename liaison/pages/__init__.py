"""The pages of the site: one module per page family, each declaring its kinds of page
(``PageKind``: URL pattern, template, context builder with readable names, and the records
and statistics it reads).

Adding a page is one new module here (its ``KINDS``), its name in ``FAMILIES`` and its
template in ``liaison/templates/`` (listed with its variables in ``templates/README.md``).
"""
from __future__ import annotations

from liaison.pages import (
    activity, briefs, compliance, dashboard, data_quality, decks, directories, follow_ups,
    log, prospects, referrals, search, team, training,
)
from liaison.pages.base import COMMON_VARIABLES, NAV_ORDER, Page, PageKind
from liaison.pages.view import SiteView

# In the order their pages are planned.
FAMILIES = (dashboard, directories, prospects, team, follow_ups, activity, referrals,
            compliance, data_quality, briefs, training, decks, log, search)
KINDS: dict[str, PageKind] = {k.name: k for family in FAMILIES for k in family.KINDS}

__all__ = ["COMMON_VARIABLES", "KINDS", "Page", "PageKind", "SiteView", "context",
           "files_beside", "paths_beside", "plan", "site_nav"]


def _nav() -> list[dict]:
    entries = {k.section: k.nav for k in KINDS.values() if k.nav is not None}
    return [{"key": s, "label": entries[s][0], "href": entries[s][1]}
            for s in NAV_ORDER if s in entries]


NAV = _nav()
_NAV_KINDS = {k.section: k for k in KINDS.values() if k.nav is not None}


def site_nav(view: SiteView) -> list[dict]:
    """The navigation entries of one site: those whose page it has (``compliance/`` only
    when site.yaml sets ``compliance``)."""
    return [n for n in NAV if _NAV_KINDS[n["key"]].pages(view)]


def plan(view: SiteView) -> list[Page]:
    """Every HTML page of the site, in a fixed order."""
    return [page for kind in KINDS.values() for page in kind.pages(view)]


def context(view: SiteView, page: Page) -> dict:
    """The template context of one page."""
    return KINDS[page.kind].context(view, page)


def _beside(view: SiteView, page: Page) -> dict:
    beside = KINDS[page.kind].files_beside
    return beside(view, page) if beside is not None else {}


def files_beside(view: SiteView, page: Page) -> dict[str, bytes]:
    """Files written next to a page (the .pptx of a customized deck), made (a picture that
    cannot be read is left out: validate says so at its line)."""
    made = {path: make() for path, make in _beside(view, page).items()}
    return {path: data for path, data in made.items() if data is not None}


def paths_beside(view: SiteView, page: Page) -> list[str]:
    """The paths of the files written next to a page, none of them made (what a link may
    name: liaison.render.output_paths)."""
    return list(_beside(view, page))
