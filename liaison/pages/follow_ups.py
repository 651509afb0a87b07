"""Open follow-ups (``follow-ups/``), grouped by when they are due: this week (today included),
overdue by under 30 days, the older backlog (folded, with its count) and later; each open
follow-up once. Owner, practice and text filters in the page (liaison/static/app.js)."""
from __future__ import annotations

from liaison.derived import practices_of
from liaison.names import fold, sort_key
from liaison.pages.base import Page, PageKind, calendar_href, one_page
from liaison.pages.view import WEEK_DAYS, SiteView

RECENT_DAYS = 30  # overdue by fewer days: recently overdue; by this many or more: backlog
# Up to this many team members' own calendars are named in the heading's line; more fold
# under their count below it, so that the filter stays on the first screen of a phone
CALENDARS_INLINE = 8

# The groups in page order: (key, heading, folded)
GROUPS = (
    ("week", "Due within 7 days", False),  # (not "this week": on a Saturday, next Friday)
    ("recent", "Overdue by less than 30 days", False),
    ("backlog", "Older backlog: overdue by 30 days or more", True),
    ("later", "Due later", False),
)


def due_group(days: int) -> str:
    """The group of a follow-up due ``days`` after the as-of date (negative: overdue)."""
    if 0 <= days <= WEEK_DAYS:
        return "week"
    if days > WEEK_DAYS:
        return "later"
    return "recent" if -days < RECENT_DAYS else "backlog"


def brief_order(view: SiteView, rows: list[tuple]) -> list[tuple]:
    """``rows`` (open follow-ups (due, interaction, follow-up), by due date) in the order a
    brief lists what we promised: by due date, the older backlog last, its least overdue
    first (as this page folds it), so that promises years overdue (of a liaison who has
    left, say) do not take the first screen's three places from the one due this week."""
    backlog = [t for t in rows if due_group((t[0] - view.as_of).days) == "backlog"]
    return [t for t in rows if due_group((t[0] - view.as_of).days) != "backlog"] + backlog[::-1]


def grouped(view: SiteView) -> dict[str, list[tuple]]:
    """The open follow-ups (``view.open_follow_ups``: (due, interaction, follow-up), by due
    date) by group key."""
    groups: dict[str, list[tuple]] = {key: [] for key, _h, _f in GROUPS}
    for t in view.open_follow_ups:
        groups[due_group((t[0] - view.as_of).days)].append(t)
    return groups


def row(view: SiteView, t: tuple) -> dict:
    """A follow-up's row, with what the page's filters match: its owner and practices."""
    return {**view.follow_up(*t),  # (a copy: the view's row is shared)
            "practice_ids": " ".join(practices_of(t[1], view.site.physicians))}


def context(view: SiteView, page: Page) -> dict:
    groups = grouped(view)
    sections = []
    for key, heading, folded in GROUPS:
        rows = groups[key]
        if key == "backlog":  # oldest last: the nearest of the backlog first
            rows = list(reversed(rows))
        sections.append({"key": key, "heading": heading, "folded": folded,
                         "rows": [row(view, t) for t in rows]})
    owners = sorted({f["owner"] for s in sections for f in s["rows"]},
                    key=lambda o: (sort_key(view.member_ref(o)[0]), o))  # by last name
    practices = sorted({p for s in sections for f in s["rows"] for p in f["practice_ids"].split()},
                       key=lambda p: (fold(view.practice_ref(p)["name"]), p))
    total = sum(len(s["rows"]) for s in sections)
    owned = set(owners)
    # beside everyone's calendar, each liaison's own and that of anyone else who owns a
    # follow-up listed here (the front desk's: liaison.exports.calendars)
    calendars = [{"name": m.name, "href": calendar_href(t)}
                 for t, m in sorted(view.site.team.items(), key=lambda tm: (sort_key(tm[1].name), tm[0]))
                 if m.role == "liaison" or t in owned]
    return {**view.common(page, "follow-ups", "Follow-ups"),
            "groups": sections, "total": total,
            "overdue_count": len(groups["recent"]) + len(groups["backlog"]),
            "owner_choices": [{"value": o, "label": view.member_ref(o)[0]} for o in owners],
            "practice_choices": [{"value": p, "label": view.practice_ref(p)["name"]}
                                 for p in practices],
            "calendars": calendars,
            "calendars_folded": len(calendars) > CALENDARS_INLINE}


KINDS = [
    PageKind("follow-ups", "follow_ups.html", "follow-ups",
             one_page("follow-ups/index.html", "follow_ups.html", "follow-ups"),
             context, reads=("interactions", "physicians", "practices", "team"),
             variables=("groups", "total", "overdue_count", "owner_choices", "practice_choices",
                        "calendars", "calendars_folded"),
             nav=("Follow-ups", "follow-ups/index.html"),
             url="follow-ups/"),
]
