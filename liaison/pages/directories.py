"""The physician and practice directories (``physicians/``, ``practices/``): every row, to
filter by typing (typo-tolerant, in any order, the filter kept in the address) and sort by
column; physicians by last name, practices by name."""
from __future__ import annotations

from liaison.names import fold, sort_key
from liaison.pages.base import Page, PageKind, one_page
from liaison.pages.rows import physician_row, practice_row, search_examples
from liaison.pages.view import SiteView


def physicians(view: SiteView, page: Page) -> dict:
    """Every physician, by last name (the row's ``sort_name``: the Name column's sort key
    too)."""
    names = {pid: sort_key(d.name) for pid, d in view.site.physicians.items()}
    order = sorted(names, key=lambda p: (names[p], p))
    return {**view.common(page, "physicians", "Physicians"),
            "rows": [physician_row(view, p) for p in order], "examples": search_examples(view)}


def by_name(practices) -> list[str]:
    """Practice ids in the order of their names (in lower case and without accents, as the
    directory's Practice column sorts them; then by id), not of their file names."""
    return sorted(practices, key=lambda p: (fold(practices[p].name), p))


def practices(view: SiteView, page: Page) -> dict:
    """Every practice, by name."""
    return {**view.common(page, "practices", "Practices"),
            "rows": [{**practice_row(view, p), "sort_name": fold(view.site.practices[p].name)}
                     for p in by_name(view.site.practices)]}


KINDS = [
    PageKind("physicians", "physicians.html", "physicians",
             one_page("physicians/index.html", "physicians.html", "physicians"),
             physicians, reads=("physicians", "practices", "team", "stats.physicians"),
             variables=("rows", "examples"), nav=("Physicians", "physicians/index.html"),
             url="physicians/"),
    PageKind("practices", "practices.html", "practices",
             one_page("practices/index.html", "practices.html", "practices"),
             practices, reads=("practices", "physicians", "team", "stats.practices",
                               "stats.physicians"),
             variables=("rows",), nav=("Practices", "practices/index.html"),
             url="practices/"),
]
