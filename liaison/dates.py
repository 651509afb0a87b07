"""Dates as people read them: two Jinja filters, registered on every environment by
liaison.render.make_env.

``{{ date|day(as_of) }}``  -> ``<time datetime="2026-11-26" title="2026-11-26">Thu 26 Nov</time>``
    (the year is added when it is not the as-of year: "Mon 3 Mar 2025").
``{{ date|ago(as_of) }}``  -> ``<time datetime="2026-11-05" title="2026-11-05">3 weeks ago</time>``
``{{ "2026-11"|month }}``  -> ``November 2026`` (a month page's heading)

Both take a ``datetime.date`` or an ISO date string (``YYYY-MM-DD``; a longer ISO timestamp
is read up to its date), for the date and for the as-of date alike; an empty value gives an
empty string. Both are computed from the as-of date, never from the clock, so a build is
the same whenever it runs. The ISO date stays on hover (``title``) and in print (style.css
prints ``attr(datetime)`` after each ``time[datetime]``).

How far back (``days`` = as-of minus date), the thresholds of ``ago``:

    0                 today
    1                 yesterday
    2 to 13           N days ago
    14 to 59          N weeks ago        (days // 7: 2 to 8 weeks)
    60 to 364         N months ago       (days // 30: 2 to 12 months)
    365 and more      N years ago        (days // 365; "1 year ago")

and the same forward for dates after the as-of date: tomorrow, in N days, in N weeks,
in N months, in N years. Counts round down: 20 days is "2 weeks ago", never "3 weeks ago"
before three weeks have passed.
"""
from __future__ import annotations

import datetime as dt
import re

from markupsafe import Markup, escape

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# (the first day count of a unit, its length in days, its name); see the module docstring
UNITS = ((14, 7, "week"), (60, 30, "month"), (365, 365, "year"))


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ISO_MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")


def as_date(value) -> dt.date | None:
    """A date from a date, a datetime or an ISO string; None for an empty value. Anything
    else is a ValueError in the words a record's date gets ("'26/11/2026' is not a date:
    write YYYY-MM-DD", "'2026-02-30' is not a real calendar day"): what a site's template
    shows at its line."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value)[:10]
    if not _ISO_DATE.fullmatch(text):
        raise ValueError(f"'{value}' is not a date: write YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"'{value}' is not a real calendar day") from None


def day_text(date: dt.date, as_of: dt.date) -> str:
    """"Thu 26 Nov", with the year when it is not the as-of year ("Mon 3 Mar 2025")."""
    text = f"{WEEKDAYS[date.weekday()]} {date.day} {MONTHS[date.month - 1]}"
    return text if date.year == as_of.year else f"{text} {date.year}"


def ago_text(date: dt.date, as_of: dt.date) -> str:
    """How long before (or after) the as-of date: "today", "3 weeks ago", "in 5 days"."""
    days = (as_of - date).days
    span = abs(days)
    if span == 0:
        return "today"
    if span == 1:
        return "yesterday" if days > 0 else "tomorrow"
    count, unit = span, "day"
    for first, length, name in UNITS:
        if span >= first:
            count, unit = span // length, name
    amount = f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{amount} ago" if days > 0 else f"in {amount}"


MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")


def month(value) -> str:
    """Jinja filter ``month``: "2026-11" (or a date, or an ISO date) as "November 2026";
    anything else is a ValueError ("'2026-13' is not a month: write YYYY-MM")."""
    text = str(value)
    if isinstance(value, dt.date) or len(text) > 7:
        day = as_date(value)
        year, number = day.year, day.month
    elif _ISO_MONTH.fullmatch(text):
        year, number = int(text[:4]), int(text[5:7])
    else:
        raise ValueError(f"'{text}' is not a month: write YYYY-MM")
    return f"{MONTH_NAMES[number - 1]} {year}"


def _time(date: dt.date, text: str) -> Markup:
    iso = date.isoformat()
    return Markup(f'<time datetime="{iso}" title="{iso}">{escape(text)}</time>')


def day(value, as_of) -> Markup:
    """Jinja filter ``day``: a <time> element reading "Thu 26 Nov"; see the module docstring."""
    date = as_date(value)
    if date is None:
        return Markup("")
    return _time(date, day_text(date, as_date(as_of)))


def ago(value, as_of) -> Markup:
    """Jinja filter ``ago``: a <time> element reading "3 weeks ago"; see the module docstring."""
    date = as_date(value)
    if date is None:
        return Markup("")
    return _time(date, ago_text(date, as_date(as_of)))


FILTERS = {"day": day, "ago": ago, "month": month}


def register(env) -> None:
    """Add the date filters to a Jinja environment. ``day`` and ``ago`` remember what they
    gave for each date and as-of date (a site of 10,000 physicians shows 200,000 interaction
    dates, of about 1,800 different days)."""
    env.filters.update(FILTERS)
    env.filters["day"] = _remembered(day)
    env.filters["ago"] = _remembered(ago)


def _remembered(fn):
    """``fn(value, as_of)``, each result kept for the next call with the same arguments."""
    memo: dict = {}

    def remembered(value, as_of) -> Markup:
        key = (value, as_of)
        try:
            return memo[key]
        except KeyError:
            result = memo[key] = fn(value, as_of)
            return result
        except TypeError:  # an unhashable value: the filter itself says what is wrong
            return fn(value, as_of)

    remembered.__name__, remembered.__doc__ = fn.__name__, fn.__doc__
    return remembered


# ``day`` for the pages' own code (a brief's talking points, promises and rows): each result
# kept for the next call with the same date and as-of date, as the filter's are
remembered_day = _remembered(day)
