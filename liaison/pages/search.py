"""Search (``search/``, SPEC §6): a box and the results of its query, found in the browser
(``assets/search.js``) in the index that the page's ``index.js`` beside it holds
(``liaison.search``). Every page's header has a box that opens this page with its query."""
from __future__ import annotations

from liaison import search as search_stage
from liaison.pages.base import Page, PageKind, one_page
from liaison.pages.rows import search_examples
from liaison.pages.view import SiteView

PATH = "search/index.html"
INDEX = "search/index.js"


def context(view: SiteView, page: Page) -> dict:
    site = view.site
    return {**view.common(page, "search", "Search"), "examples": search_examples(view),
            # a site of no record (the examples of init deleted): a box that answers every
            # query "No result … Check the spelling" would blame the typing
            "nothing": not (site.physicians or site.practices or site.team or site.guides
                            or site.decks)}


def index_beside(view: SiteView, page: Page) -> dict:
    """The index, one script beside the page (loaded by it alone, never by other pages)."""
    return {INDEX: lambda: search_stage.index_js(view)}


KINDS = [
    PageKind("search", "search.html", "search", one_page(PATH, "search.html", "search"),
             context, reads=("physicians", "practices", "team", "guides", "decks",
                             "stats.physicians"),
             variables=("examples", "nothing"), files_beside=index_beside, url="search/"),
]
