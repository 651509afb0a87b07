"""Open follow-ups (``follow-ups/``): overdue first, then by owner."""
from __future__ import annotations

from collections import defaultdict

from liaison.pages.base import Page, PageKind, one_page
from liaison.pages.view import SiteView


def context(view: SiteView, page: Page) -> dict:
    rows = [view.follow_up(*t) for t in view.open_follow_ups]
    by_owner: dict[str, list] = defaultdict(list)
    for f in rows:
        by_owner[f["owner"]].append(f)
    owners = [{"name": view.member_ref(o)[0], "href": view.member_ref(o)[1],
               "rows": by_owner[o], "overdue": sum(1 for f in by_owner[o] if f["overdue"])}
              for o in sorted(by_owner, key=lambda o: view.member_ref(o)[0])]
    return {**view.common(page, "follow-ups", "Follow-ups"),
            "overdue": [f for f in rows if f["overdue"]], "open": rows, "owners": owners}


KINDS = [
    PageKind("follow-ups", "follow_ups.html", "follow-ups",
             one_page("follow-ups/index.html", "follow_ups.html", "follow-ups"),
             context, reads=("interactions", "physicians", "practices", "team"),
             variables=("overdue", "open", "owners"), nav=("Follow-ups", "follow-ups/index.html"),
             url="follow-ups/"),
]
