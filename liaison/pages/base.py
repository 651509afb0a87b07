"""What every page family shares: the page and page-kind records, the URL scheme, the
context every template receives, and small formatting helpers."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

from markupsafe import Markup

from liaison import charts
from liaison.wording import plural

# A constant without double quotes: safe inside the double-quoted content attribute as is.
CSP = Markup("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
             "base-uri 'none'; form-action 'self'")
RECENT = 8  # interactions shown on a brief
MONTHS_CHARTED = 24


@dataclass(frozen=True)
class Page:
    path: str  # relative to the output folder, '/'-separated
    template: str
    kind: str  # the name of its PageKind
    key: str | None = None


@dataclass(frozen=True)
class PageKind:
    """One kind of page, declared by its family's module in ``liaison.pages``.

    ``pages(view)`` lists the pages of the kind; ``context(view, page)`` builds the template
    context of one (readable names; ``templates/README.md`` lists them); ``reads`` names the
    records and statistics the context is built from (for people: what an incremental build
    keeps is worked out in ``liaison.incremental``, where a new kind of page needs a key of
    its own, else its pages are made again after any change); ``files_beside(view, page)``
    gives the files written next to the page (the .pptx of a customized deck), each path with
    the function that makes its bytes (None: none is written), so that their names are known
    without making them (``liaison.pages.paths_beside``). ``section`` is the navigation section the pages belong to; ``nav``
    (label, href) puts the section into the navigation bar, at its place in ``NAV_ORDER``.
    """

    name: str
    template: str
    section: str
    pages: Callable
    context: Callable
    reads: tuple[str, ...]
    variables: tuple[str, ...]  # the context variables beyond the common ones
    nav: tuple[str, str] | None = None
    files_beside: Callable | None = field(default=None)
    url: str = ""  # the URL pattern, for people: "physicians/<physician>/"


# The sections of the navigation bar, in order (a kind with ``nav`` names one of them).
NAV_ORDER = ("dashboard", "physicians", "practices", "prospects", "team", "follow-ups",
             "activity", "referrals", "compliance", "training", "presentations", "data-quality")
# The variables every page's context holds (``SiteView.common``).
COMMON_VARIABLES = ("base", "csp", "our", "section", "title", "as_of", "as_of_text", "nav")


def one_page(path: str, template: str, kind: str):
    """The ``pages`` of a kind that has a single page (an index)."""
    return lambda view: [Page(path, template, kind)]


def physician_href(pid: str) -> str:
    return f"physicians/{pid}/index.html"


def practice_href(pid: str) -> str:
    return f"practices/{pid}/index.html"


def member_href(tid: str) -> str:
    return f"team/{tid}/index.html"


def calendar_href(tid: str) -> str:
    """A team member's own calendar (liaison.exports.calendars: every team member has one,
    even empty; the front desk's holds the follow-ups they own)."""
    return f"calendar/{tid}.ics"


def guide_order(gid: str, guide) -> tuple:
    """How guides are listed wherever they are (the training index and the matrix's columns,
    a member's guides never taken): by ``order``, those without one after, then by title as
    people read it ("école" with the e's, "after-hours" before "Zone"), then by id."""
    from liaison.names import fold

    return (guide.meta.order if guide.meta.order is not None else 10**9, fold(guide.meta.title), gid)


def guide_href(gid: str) -> str:
    return f"training/{gid}/index.html"


def deck_href(deck: str, practice: str | None = None) -> str:
    return f"presentations/{deck}/{practice}/index.html" if practice else f"presentations/{deck}/index.html"


def activity_href(label: str) -> str:
    return f"activity/{label}/index.html"


def pptx_name(deck: str, practice: str | None = None) -> str:
    """The PowerPoint file beside a deck's page: ``<deck>-<practice>.pptx`` beside a customized
    deck, ``<deck>.pptx`` beside the generic one."""
    return f"{deck}-{practice}.pptx" if practice else f"{deck}.pptx"


def ago(days: int | None) -> str:
    """A count of days before the as-of date: "today", "yesterday", "1,630 days ago" (with
    thousands separators, as every count on a page)."""
    if days is None:
        return "never"
    if days == 0:
        return "today"
    if days < 0:
        return f"in {-days:,} day{'s' if days != -1 else ''}"
    if days == 1:
        return "yesterday"
    return f"{days:,} days ago"


def signed(n: int) -> str:
    """+3 / −2 (a true minus sign, as in the trend badges)."""
    return f"+{n}" if n > 0 else f"\u2212{-n}" if n < 0 else "±0"


# A percentage on fewer than this many in the previous period is noise ("+550%" for 2 → 13):
# such a trend shows its counts only.
PERCENT_BASE = 5


def count(n: int) -> str:
    """A count with thousands separators: 1,234."""
    return f"{n:,}"


def percent(part: int, whole: int) -> str | None:
    """A share as "50.4%" (one decimal, rounded half away from zero as the site's whole
    percentages: 9 of 16 is 56.3%), or None when there is no whole."""
    if not whole:
        return None
    tenths = (2000 * part + whole) // (2 * whole)
    return f"{tenths // 10}.{tenths % 10}%"


def trend(now: int, before: int, days: int | None = None, noun: str = "referral") -> dict:
    """The badge of a count against the previous period of the same length.

    ``text`` always holds both counts and the window, and the percentage when the previous
    count is at least ``PERCENT_BASE``: "+73% · 255 vs 147 · 365 d", "13 vs 2 · 90 d" (no-break
    spaces inside "255 vs 147" and "365 d"); ``short`` the same without the window (a card
    whose label names it shows the window on wide screens only).
    ``css`` is up, down or flat; ``sort`` the change in count (now − before), what a table's
    trend column sorts by; ``title`` the same in words. Without ``days`` the window is left
    out of the text; ``noun`` is singular ("physician referral": the title says "1 physician
    referral", "2 physician referrals"). A dict of its own each time; the same few counts recur across 10,000
    physicians' rows, so each badge is worked out once (``_trend``).
    """
    return dict(_trend(now, before, days, noun))


@lru_cache(maxsize=4096)
def _trend(now: int, before: int, days: int | None, noun: str) -> dict:
    pct_text, css = charts.trend_badge(now, before)
    if before < PERCENT_BASE:
        pct_text = None
        css = "up" if now > before else "down" if now < before else "flat"
    # No-break spaces inside each part: a badge that wraps breaks only between parts.
    window = f"{days}\u00a0d" if days else None
    short = " · ".join(x for x in (pct_text, f"{count(now)}\u00a0vs\u00a0{count(before)}") if x)
    text = f"{short} · {window}" if window else short
    if days:
        title = (f"{plural(now, noun)} in the last {days} days against {count(before)} in the "
                 f"{days} days before")
    else:
        title = f"{plural(now, noun)} against {count(before)} in the previous period"
    return {"text": text, "short": short, "css": css, "sort": now - before, "now": now, "before": before,
            "percent": pct_text, "window": window, "title": title}
