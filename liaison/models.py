"""The records of a site root (SPEC §2) as pydantic models.

Models validate *canonical data* (see yamlio): text, lists, dicts and None. Every field has a
description: the same models give validation, the JSON Schema for editors and the README's
field reference. Markers in the fields' types (``liaison.fields``) say the rest: every text
field is free text (the patient guard scans it) or not, and every id that names another
record says which kind (the reference checks). The referral rows of CSV files are checked by
rules read from ``Referral`` (``liaison.referral_rows``).
"""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from decimal import Decimal
from functools import lru_cache
from typing import Annotated, Literal

from pydantic import (
    AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, WithJsonSchema,
    model_validator,
)

from liaison import yamlio
from liaison.dates import MONTH_NAMES
from liaison.fields import Ref
from liaison.names import LETTERS, TITLES

ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
ID_MAX = 64
_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")  # ASCII digits only (SPEC §2)
DATE_MIN = dt.date(1900, 1, 1)
DATE_MAX = dt.date(2099, 12, 31)
_NPI_RE = re.compile(r"^[0-9]{10}$")

# SPEC §2: text holds no control character (U+0000–U+001F but tab and line break,
# U+007F–U+009F) and no bidirectional control (U+202A–U+202E, U+2066–U+2069); a text field
# that is not Markdown is one line. The patterns are checked by pydantic's Rust regex engine,
# the same in both: per value, no Python call.
_BIDI = "\u202a-\u202e\u2066-\u2069"
MARKDOWN_PATTERN = f"^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f{_BIDI}]*$"
LINE_PATTERN = f"^[^\\x00-\\x08\\x0a-\\x1f\\x7f-\\x9f\\u2028\\u2029{_BIDI}]*$"
_BAD_CHAR = re.compile(f"[\\x00-\\x08\\x0a-\\x1f\\x7f-\\x9f\\u2028\\u2029{_BIDI}]")
_LINE_BREAKS = frozenset("\n\r\u2028\u2029")


def text_problem(value: str, markdown: bool = False) -> str | None:
    """Why ``value`` may not stand in a text field (a one-line field unless ``markdown``),
    or None."""
    for match in _BAD_CHAR.finditer(value):
        char = match.group()
        if markdown and char in "\n\r\u2028\u2029":
            continue
        if char in _LINE_BREAKS and not markdown:
            return "holds a line break: this field is one line of text"
        code = f"U+{ord(char):04X}"
        if "\u202a" <= char <= "\u2069":
            return f"holds a bidirectional control character ({code}): remove it"
        return f"holds a control character ({code}): remove it"
    return None

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ROLES = ("liaison", "manager", "front-desk", "clinical", "physician", "other")
INTERACTION_TYPES = ("visit", "lunch", "presentation", "event", "call", "email", "other")
IN_PERSON = frozenset(("visit", "lunch", "presentation", "event"))
OUTCOMES = ("positive", "neutral", "negative")
SOURCES = ("physician", "patient", "web", "advertising", "insurance", "event", "other", "unknown")
STATUSES = ("referred", "scheduled", "consulted", "treated", "declined")
AUDIENCES = ("liaison", "front-desk", "clinical", "all")
POTENTIALS = ("high", "medium", "low")
DECLINED_REASONS = ("insurance", "not-a-candidate", "patient-choice", "no-response", "other")
DECLINED = "declined"


# LETTERS in both cases ("Ø" as "O"), as an id hint spells them before lower-casing
_LETTERS = str.maketrans({**LETTERS, **{k.upper(): v.capitalize() for k, v in LETTERS.items()
                                        if len(k.upper()) == 1}})


def id_problem(value: str) -> str | None:
    """Why ``value`` is not a valid record id, or None."""
    if not value:  # no example id to offer: nothing was written
        return "must not be empty: write an id (lower-case letters, digits and single hyphens)"
    if len(value) > ID_MAX:
        return f"'{value}' is not a valid id: at most {ID_MAX} characters"
    if not ID_RE.match(value):
        # the value written as an id ("Maya Lindqvist" -> maya-lindqvist): what the author
        # most likely meant, a team member's or a file's id, when it makes one
        # (đ, ø, ł… spelled as search and the NPPES importer spell them: "Đặng" is dang)
        plain = unicodedata.normalize("NFKD", value.translate(_LETTERS)).encode("ascii", "ignore") \
            .decode()
        words = plain.split()
        last, comma, first = plain.partition(",")
        if comma and "," not in first and last.split() and first.split() \
                and not any(w.isupper() for w in first.split()):
            # "Wren, Tobias", as a spreadsheet's list of people is kept: tobias-wren (not when
            # what follows the comma is in capitals: "Tobias Wren, MD", "WREN, TOBIAS")
            words = first.split() + last.split()
        while len(words) > 1 and words[0].lower() in TITLES:  # "Dr. Ana Reyes": ana-reyes,
            words.pop(0)  # a physician's id is their name (the NPPES importer's), no title
        shaped = re.sub(r"[^a-z0-9]+", "-", " ".join(words).lower()).strip("-")
        if not (shaped and len(shaped) <= ID_MAX and ID_RE.match(shaped)):
            shaped = "mountain-view-family"
        return (
            f"'{value}' is not a valid id: use lower-case letters, digits and single hyphens "
            f"(like '{shaped}')"
        )
    return None


# Dashes that are no hyphen (U+2010 to U+2015, the minus sign, the small and full-width
# hyphen-minus), as a word processor or a web page writes a date: the date reads right and
# is no date (``_lookalike``)
_DASHES = re.compile("[\u2010-\u2015\u2212\ufe63\uff0d]")


def _lookalike(value: str) -> str:
    """The hint for a date that reads as one and holds a dash that is no hyphen or a digit
    that is no ASCII digit (full-width ``２０２６``, Arabic-Indic …), or ''."""
    plain = "".join(str(unicodedata.digit(c, "x")) if c.isdigit() else c
                    for c in _DASHES.sub("-", value))
    if not _DATE_RE.match(plain):
        return ""
    dash = _DASHES.search(value)
    if dash is not None:
        what, ch = "a hyphen '-'", dash.group()
    else:
        what, ch = "an ASCII digit", next(c for c in value if c.isdigit() and not c.isascii())
    return (f" (it holds '{ch}' (U+{ord(ch):04X}) where {what} belongs, as text pasted from a "
            "word processor or a web page can: retype the date)")


_SLASHED = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4}|[0-9]{2})")
_DOTTED = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4}|[0-9]{2})")  # D.M.Y: de, nl, pl …
_NAMED = re.compile(r"([a-z]{3,9})\.? ([0-9]{1,2}),? ([0-9]{4})"  # Dec 1, 2026
                    r"|([0-9]{1,2})[- ]([a-z]{3,9})\.?[- ]([0-9]{4}|[0-9]{2})", re.I)  # 1-Dec-26
_TIMED = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})[ T]00:00(?::00)?")
# a timestamp (`2026-12-05T14:30:00Z`, `2026-12-05 14:30`), as a calendar, a form or a script
# writes one: it said only "write YYYY-MM-DD"
_CLOCK = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})(?:[ T]|  +)[0-9]{1,2}:[0-9]{2}"
                    r"(?::[0-9]{2}(?:\.[0-9]+)?)? ?(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?|[AP]M)?", re.I)
# year first: 2026/3/4 (a spreadsheet set to Japanese or Chinese), 2026-3-4, 20260304
_YEAR_FIRST = re.compile(r"([0-9]{4})([/.-]?)([0-9]{1,2})\2([0-9]{1,2})")
# the midnight a spreadsheet writes after a date of its own format ("3/4/2026 0:00", Excel's
# date and time; "3/4/2026 12:00:00 AM") and the weekday of its long date ("Wednesday,
# March 4, 2026"): the date is read without them
_MIDNIGHT = re.compile(r"(.+?)[ T](?:0?0:00(?::00)?|12:00(?::00)? ?AM)", re.I)
_WEEKDAY = re.compile(r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,? (.+)", re.I)
_SERIAL = re.compile(r"[3-7][0-9]{4}")  # a spreadsheet's day number (1990 to 2099: below)
_SERIALS = range(32874, 73051)
_SO = "a spreadsheet writes dates so unless their column is formatted as text"


def _year(text: str) -> int:
    """A year a spreadsheet wrote with two digits as it reads them: 00–29 in the 2000s."""
    year = int(text)
    return year if len(text) == 4 else year + (2000 if year < 30 else 1900)


def _month(name: str) -> int | None:
    name = name.lower()
    return next((i + 1 for i, m in enumerate(MONTH_NAMES)
                 if m.lower() == name or (len(name) == 3 and m.lower().startswith(name))
                 or (name == "sept" and i == 8)), None)


def _calendar_day(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _spreadsheet_hint(value: str, saved: bool = True) -> str:
    """The likely reading of a date as a spreadsheet saves a date column back unless it is
    text: M/D/YYYY or M/D/YY (D/M when the first number cannot be a month), D.M.YYYY (as a
    spreadsheet set to a European language writes it: day first), "Dec 1, 2026",
    "1-Dec-26" (after a weekday, "Tuesday, December 1, 2026", or before midnight, "12/1/2026
    0:00"), the date with a time of midnight, or the program's day number (46357)
    (``saved``: said to be a spreadsheet's doing; a date typed on the command line is not a
    file's)."""
    # the apostrophe typed before a date to keep it as text (a spreadsheet keeps it out of its
    # CSV, a hand edit does not), and Excel's formula ="2026-12-01" that does the same
    quoted = re.fullmatch(r"'(.+)|=\"(.+)\"", value)
    if quoted is not None and _DATE_RE.match(inner := quoted.group(1) or quoted.group(2)):
        how = ("the apostrophe before it, which keeps a date as text in a spreadsheet, is no "
               "part of it" if quoted.group(1) else "the formula around it, which keeps a date as "
               "text in a spreadsheet, is no part of it")
        return f" ({inner}: {how})"
    if len(value) > 1 and value.strip("#") == "":  # what Excel saves of a date it cannot show
        return (" (a spreadsheet saves a date so when its column is too narrow to show it: "
                "widen the column and save again)")
    m = _TIMED.fullmatch(value)
    if m is not None:
        return f" ({m.group(1)}: a spreadsheet writes a date with its time so unless their column is formatted as text)"
    m = _CLOCK.fullmatch(value)
    if m is not None and _calendar_day(m.group(1)):
        # (said alike to a referral row, which has no summary nor notes to hold the time)
        return f" ({m.group(1)}: a date is the day alone, with no time of day)"
    if _SERIAL.fullmatch(value) and int(value) in _SERIALS:
        date = dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
        return (f" ({date.isoformat()}, if it is a spreadsheet's day number: one writes a date "
                "so when its column is formatted as a number)")
    midnight = _MIDNIGHT.fullmatch(value)
    if midnight is not None:
        value = midnight.group(1)
    weekday = _WEEKDAY.fullmatch(value)
    if weekday is not None:
        value = weekday.group(1)
    if re.fullmatch(r"[0-9]{1,2}-[0-9]{1,2}-[0-9]{4}", value):  # 3-4-2026: as 3/4/2026
        value = value.replace("-", "/")
    m, named, dotted = _SLASHED.fullmatch(value), _NAMED.fullmatch(value), _DOTTED.fullmatch(value)
    first = _YEAR_FIRST.fullmatch(value)
    if first is not None and (first.group(2) or len(value) == 8):
        year, month, day = int(first.group(1)), int(first.group(3)), int(first.group(4))
    elif m is not None:
        first, second = int(m.group(1)), int(m.group(2))
        month, day = (second, first) if first > 12 else (first, second)
        year = _year(m.group(3))
    elif dotted is not None:
        day, month, year = int(dotted.group(1)), int(dotted.group(2)), _year(dotted.group(3))
    elif named is not None:
        name, day, year = ((named.group(1), named.group(2), named.group(3)) if named.group(1)
                           else (named.group(5), named.group(4), named.group(6)))
        month, day, year = _month(name), int(day), _year(year)
        if month is None:
            return ""
    else:
        return ""
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return ""
    why = f": {_SO}" if saved else ""
    return f" ({date.isoformat()}, if it means {MONTH_NAMES[month - 1]} {day}, {year}{why})"


@lru_cache(maxsize=65536)
def parse_date(value: str) -> dt.date:
    """'YYYY-MM-DD' (a real calendar day) -> date; anything else -> ValueError."""
    if not _DATE_RE.match(value):
        raise ValueError(f"'{value}' is not a date: write YYYY-MM-DD"
                         f"{_lookalike(value) or _spreadsheet_hint(value)}")
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"'{value}' is not a real calendar day") from None
    if not DATE_MIN <= day <= DATE_MAX:
        raise ValueError(date_range_problem(day))
    return day


def date_range_problem(day: dt.date) -> str:
    """The message of a date outside the years a site may hold."""
    return (f"'{day.isoformat()}' is out of range: a date is from {DATE_MIN.isoformat()} "
            f"to {DATE_MAX.isoformat()}")


def describe(value) -> str:
    """How a value reads in a message: 'a list', 'nothing', "the text 'x'", …"""
    if isinstance(value, dict):
        return "fields (lines `field: value`)"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return f"the text '{value}'{yamlio.odd_space_hint(value)}"
    return repr(value)


def _id(value):
    if not isinstance(value, str):
        raise ValueError(f"expected an id, got {describe(value)}")
    value = value.strip()
    problem = id_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def npi_check_digit_ok(npi: str) -> bool:
    """The NPI check digit: Luhn over '80840' + the first nine digits gives the tenth."""
    digits = [int(c) for c in "80840" + npi[:9]]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:  # doubled positions, counted from the right of the payload
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10 == int(npi[9])


_SCIENTIFIC = re.compile(r"[0-9](?:\.[0-9]+)?E\+?[0-9]{1,2}", re.I)
_NPI_DECIMALS = re.compile(r"([0-9]{10})\.0+")
_NPI_GROUPED = re.compile(r"[0-9]{1,3}(?:[, ][0-9]{3}){2,3}|[0-9]{3}-?[0-9]{3}-?[0-9]{4}")


def npi_spreadsheet_hint(text: str) -> str:
    """What a spreadsheet did to an NPI that is ``text`` now, said with what to write: its
    digits rounded away (``1.41654E+09``, a long number in a column not formatted as text),
    a decimal point (``1416538282.0``) or separators (``1,416,538,282``), the digits said
    only when they pass the check digit (a phone number in the field is no NPI); else ''."""
    if _SCIENTIFIC.fullmatch(text):
        return (" (a spreadsheet showed it so, in a column not formatted as text: its last "
                "digits are lost; copy the NPI again from where it came, or look it up in "
                "the NPI registry)")
    m = _NPI_DECIMALS.fullmatch(text)
    if m is not None and npi_check_digit_ok(m.group(1)):
        return (f" (write {m.group(1)}: a spreadsheet writes a number so when its column is "
                "formatted with decimals)")
    digits = re.sub(r"[^0-9]", "", text)
    if _NPI_GROUPED.fullmatch(text) and len(digits) == 10 and npi_check_digit_ok(digits):
        return f" (write {digits}: the digits only, without separators)"
    return ""


def _npi(value):
    if value is None:
        return None
    if type(value) is int:  # an unquoted NPI; one with a leading zero would not be 10 digits
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(f"expected an NPI (10 digits), got {describe(value)}")
    value = value.strip()
    if not _NPI_RE.match(value):  # ASCII digits only: '１１９…' is no NPI
        raise ValueError(f"'{value}' is not an NPI: an NPI has exactly 10 digits"
                         f"{npi_spreadsheet_hint(value)}")
    if not npi_check_digit_ok(value):
        raise ValueError(f"'{value}' is not a valid NPI: the check digit does not match")
    return value


_AMOUNT_RE = re.compile(r"^\+?[0-9]{1,12}(\.[0-9]+)?$")
_CENT = Decimal("0.01")
# 12,50 or $1.234,50: a decimal comma (and points between thousands), as a keyboard or a
# spreadsheet set to German, French or Spanish writes an amount
_DECIMAL_COMMA = re.compile(r"\$?\s*(?P<whole>[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]{1,12}),(?P<cents>[0-9]{1,2})")


def _amount(value, *, positive: bool, cents: bool) -> Decimal | None:
    """An amount in US dollars: a YAML number (or the text of one, from the exact path),
    never negative, at most 12 digits before the point; with ``cents``, exact in cents (at
    most two decimals); with ``positive``, more than zero."""
    if value is None:
        return None
    if isinstance(value, Decimal):  # a value already read (scaffolding, tests)
        value = str(value)
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"expected an amount in dollars (like 85.01), got {describe(value)}")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"expected an amount in dollars (like 85.01), got {value}")
        text = repr(value)
    else:
        text = str(value).strip()
    try:
        amount = Decimal(text)
    except ArithmeticError:
        amount = None
    minus_zero = (amount is not None and amount.is_zero() and text.startswith("-")
                  and _AMOUNT_RE.match(text[1:]) is not None)
    if minus_zero:  # -0 is 0 (it was "'-0' is negative"); messages quote it as written
        amount = abs(amount)
    if amount is None or not amount.is_finite() or not (
            isinstance(value, (int, float)) or minus_zero or _AMOUNT_RE.match(text)):
        if text.startswith("-"):
            raise ValueError(f"'{text}' is negative: an amount is 0 or more")
        if re.fullmatch(r"\+?[0-9]+(?:\.[0-9]+)?", text):  # 13 digits or more: no "write digits"
            raise ValueError(f"'{text}' is too large for an amount in dollars")
        plain = re.sub(r"^\$\s*|(?<=[0-9]),(?=[0-9]{3}(?:[.,]|$))", "", text)  # $1,245.50
        number = re.sub(r"\s*(?:usd|us\$|dollars?)\.?$", "", text, flags=re.I)  # 85 USD
        if plain != text and _AMOUNT_RE.match(plain):
            hint = f"write {plain}, the digits without '$' or separators"
        elif comma := _DECIMAL_COMMA.fullmatch(text):
            hint = (f"write {comma['whole'].replace('.', '')}.{comma['cents'].ljust(2, '0')}, "
                    "with a decimal point")
        elif number != text and _AMOUNT_RE.match(number):
            hint = f"write {number}, the number alone (an amount is in US dollars)"
        elif text.lower() in ("n/a", "na", "#n/a", "none", "-", "tbd"):
            hint = "leave the field out when there is none"
        else:
            hint = "write digits, like 85.01"
        raise ValueError(f"'{text}' is not an amount in dollars: {hint}")
    if amount < 0:
        raise ValueError(f"'{text}' is negative: an amount is 0 or more")
    if positive and amount == 0:
        raise ValueError(f"'{text}' must be more than 0")
    if amount >= 10 ** 12:
        raise ValueError(f"'{text}' is too large for an amount in dollars")
    if cents and amount != amount.quantize(_CENT):
        raise ValueError(f"'{text}' has more than two decimals: write dollars and cents, like 85.01")
    # In dollars and cents whichever way it was read: the fast parser hands over 40.50 as the
    # float 40.5, the exact path as the text '40.50'; the same amount is the same value.
    return amount.quantize(_CENT) if cents else amount


def _cost(value):
    return _amount(value, positive=False, cents=True)


def _limit(value):
    if value is None:  # `annual_limit:` left empty (pydantic said "Input should be an instance of Decimal")
        raise ValueError("expected an amount in dollars (like 500), got nothing: write the limit, "
                         "or delete the compliance: section to set none")
    return _amount(value, positive=True, cents=False)


_HOST_NAME = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}(?::[0-9]{1,5})?"
                        r"(?:[/?#][^\s]*)?", re.I)


def website_href(website: str) -> str | None:
    """The address a practice's website links to: as written when it starts with http:// or
    https://; https:// before a bare host name ("www.cedar-ridge.example/contact"); None for
    anything else (shown as text, never a link)."""
    text = website.strip()
    if text.lower().startswith(("https://", "http://")):
        return text
    return f"https://{text}" if _HOST_NAME.fullmatch(text) else None


# An e-mail address as people write them at work: a plain local part (letters, digits,
# ``. _ + - '``), one @ and a host name with a dot. Others (two addresses, "ask the front
# desk", a typo without @) are shown as text, never as a link, and ``validate`` warns.
_EMAIL = re.compile(r"[a-z0-9._+'-]+@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}", re.I)


def email_href(email: str) -> str | None:
    """``mailto:`` link of an e-mail address as written; None when it is no address."""
    text = email.strip()
    return f"mailto:{text}" if _EMAIL.fullmatch(text) else None


# Hosts whose repositories are at /OWNER/REPOSITORY (a page inside one is deeper); on
# another host, only GitLab's pages are told by their path (…/-/tree/main): groups nest
_OWNER_REPO_HOSTS = frozenset(("github.com", "codeberg.org", "gitea.com"))


def _https_url(value):
    if not isinstance(value, str):
        raise ValueError(f"expected an https:// address, got {describe(value)}")
    value = value.strip()
    if not re.match(r"^https://[^\s/?#@]+(/[^\s]*)?$", value) or any(c in value for c in "\"<>`"):
        raise ValueError(f"'{value}' is not an https:// address of the repository's web page "
                         "(like https://github.com/our-practice/liaison-records)")
    # a clone address pasted (…/records.git) names the same repository; its web pages (the
    # new-file page, a file's page) are at the address without ".git"
    value = value.rstrip("/").removesuffix(".git").rstrip("/")
    # the address of a page inside it, as the browser shows one (…/tree/main, GitLab's
    # …/-/tree/main; GitHub's front page is …/r?tab=readme-ov-file): the form's new-file page
    # and the edit links would be under it, and found nowhere
    own = re.split(r"[?#]", value, maxsplit=1)[0].rstrip("/").removesuffix(".git").rstrip("/")
    site, _, path = own[len("https://"):].partition("/")
    parts = path.split("/") if path else []
    host = site.lower()
    if host in _OWNER_REPO_HOSTS and len(parts) < 2:
        raise ValueError(f"'{value}' names no repository: write the address of the "
                         f"repository's page, https://{host}/OWNER/REPOSITORY")
    cut = 2 if host in _OWNER_REPO_HOSTS and len(parts) > 2 else \
        next((i for i, part in enumerate(parts) if part == "-"), None)  # another host's paths
    if cut is not None and cut >= 1:
        own = f"https://{site}/{'/'.join(parts[:cut])}"
    if own != value:
        raise ValueError(f"'{value}' is the address of a page inside the repository: write the "
                         f"repository's own address, {own}")
    return value


def _git_branch(value: str) -> str:
    """A branch name as git takes it (``git check-ref-format --branch``): the edit links and
    the logging form put it into the repository's addresses, where another name finds no page."""
    why = None
    if any(c.isspace() for c in value):
        why = "it holds a space"
    elif any(c in value for c in "~^:?*[\\") or any(ord(c) < 32 or ord(c) == 127 for c in value):
        why = "it holds one of ~ ^ : ? * [ \\"
    elif ".." in value or "@{" in value or "//" in value or value == "@":
        why = "it holds '..', '@{' or '//'"
    elif value.startswith(("-", "/")) or value.endswith(("/", ".", ".lock")) or \
            any(part.startswith(".") for part in value.split("/")):
        why = "it starts with - or /, ends with /, . or .lock, or has a part starting with ."
    if why:
        raise ValueError(f"'{value}' is not a git branch name: {why} (write it as `git branch` "
                         "shows it, like main)")
    return value


def cents(amount: Decimal | None) -> int:
    """An amount in dollars as whole cents (exact: a cost has at most two decimals)."""
    return 0 if amount is None else int(amount * 100)


# Field types are pydantic-native (validated in Rust, strict): the loader hands over dates as
# dates and counts as integers (see yamlio), everything else as the text the user wrote.
class _Chars:
    """The characters a text field allows (SPEC §2), as a pattern added to its string
    schema; the JSON Schema for editors is left as it was (liaison.schema adds its own
    patterns: the text there is not stripped yet)."""

    def __init__(self, pattern: str):
        self.pattern = pattern

    def __get_pydantic_core_schema__(self, source, handler):
        schema = handler(source)
        schema["pattern"] = self.pattern
        return schema

    def __get_pydantic_json_schema__(self, core_schema, handler):
        json_schema = handler(core_schema)
        if json_schema.get("pattern") == self.pattern:
            del json_schema["pattern"]
        return json_schema


Line = _Chars(LINE_PATTERN)
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), Line]
OptText = Annotated[str, StringConstraints(strip_whitespace=True), Line] | None
Markdown = Annotated[
    Annotated[str, StringConstraints(strip_whitespace=True), _Chars(MARKDOWN_PATTERN)] | None,
    Field(json_schema_extra={"contentMediaType": "text/markdown"}),
]
Id = Annotated[str, StringConstraints(strip_whitespace=True, pattern=ID_RE.pattern, max_length=ID_MAX)]
# Ids that name another record: checked against the records (or site.yaml keys) of that kind.
TeamId = Annotated[Id, Ref("team")]
PracticeId = Annotated[Id, Ref("practices")]
PhysicianId = Annotated[Id, Ref("physicians")]
GuideId = Annotated[Id, Ref("training")]
DeckId = Annotated[Id, Ref("presentations")]
ServiceKey = Annotated[Id, Ref("services")]
Date = Annotated[dt.date, Field(ge=DATE_MIN, le=DATE_MAX)]
Int = int


def _stripped(value):
    """A choice written with spaces around it (`type: ' visit '`) is that choice: all
    strings are stripped (SPEC §2), as an id's are by its string constraints."""
    return value.strip() if isinstance(value, str) else value


Choice = BeforeValidator(_stripped)
TextList = Annotated[list[Text], Field(default_factory=list)]
# (`cost:` left empty is no cost, as the model reads it: null in the schema too)
Cost = Annotated[Decimal | None, BeforeValidator(_cost),
                 WithJsonSchema({"anyOf": [{"type": "number", "minimum": 0}, {"type": "null"}]})]
Limit = Annotated[Decimal, BeforeValidator(_limit),
                  WithJsonSchema({"type": "number", "exclusiveMinimum": 0})]


class Record(BaseModel):
    """Base of every record: unknown fields are errors; values are validated once."""

    # defer_build: a model's validator is built when it first validates, not at import:
    # every command starts 0.05-0.1 s sooner, and a build after an edit (its records
    # unpickled, never validated again) builds only those of the files it reads again
    model_config = ConfigDict(extra="forbid", strict=True, defer_build=True)

    def __reduce__(self):
        """Pickled as its class, its fields' values and which were set: unpickled in one
        call of ``_unpickled`` (pydantic's own way, a state dict given to ``__setstate__``,
        took 30% longer: 2.0 s against 1.4 s for the 200,000 interactions a build keeps of
        a 10,000-physician site). Which fields were set is pickled as one set per
        combination (``_shape``), which a pickle holds once: records are values, never
        changed once read (setting a field of an unpickled record raises TypeError)."""
        return _unpickled, (type(self), self.__dict__, _shape(self.__pydantic_fields_set__))


_setattr = object.__setattr__


class _Shape(set):
    """Which fields of records were set, one set shared by every record read back with the
    same ones (``_shape``). It is a set (pydantic's ``model_dump(exclude_unset=True)`` takes
    no other type) that refuses changes: setting a field of such a record raises TypeError
    instead of changing what the others show as set."""

    def _refused(self, *args):
        raise TypeError("a record read back from the build's records is not changed")

    add = discard = remove = pop = clear = update = _refused
    difference_update = intersection_update = symmetric_difference_update = _refused
    __ior__ = __iand__ = __isub__ = __ixor__ = _refused


_SHAPES: dict[frozenset, _Shape] = {}


def _shape(fields_set: set) -> _Shape:
    """The one ``_Shape`` of these field names (the interactions of a site have a few dozen
    combinations: unpickling a shared one instead of building a set for each of 200,000
    records, with equal dates shared too (load._read_bulk), took 0.72 s instead of 1.1 s)."""
    key = frozenset(fields_set)
    shape = _SHAPES.get(key)
    if shape is None:
        shape = _SHAPES[key] = _Shape(key)
    return shape


def _slot_setter(name: str):
    """How a pydantic model's slot ``name`` is set: its descriptor's own setter, one call in
    C without ``object.__setattr__``'s lookup of the name (0.09 s instead of 0.16 s for
    the four slots of 300,000 records), where pydantic declares the slot on ``BaseModel``."""
    descriptor = BaseModel.__dict__.get(name)
    if descriptor is None or not hasattr(descriptor, "__set__"):
        return lambda record, value: _setattr(record, name, value)
    return descriptor.__set__


_SET_DICT, _SET_FIELDS_SET, _SET_EXTRA, _SET_PRIVATE = map(_slot_setter, (
    "__dict__", "__pydantic_fields_set__", "__pydantic_extra__", "__pydantic_private__"))


def _unpickled(cls: type, values: dict, fields_set: set) -> Record:
    """A record as it was pickled (``Record.__reduce__``): nothing is validated again."""
    record = cls.__new__(cls)
    _SET_DICT(record, values)
    _SET_FIELDS_SET(record, fields_set)
    _SET_EXTRA(record, None)  # extra="forbid"
    _SET_PRIVATE(record, None)  # no private attributes
    return record


# ----------------------------------------------------------------------------- site.yaml


class OurPractice(Record):
    name: Text = Field(
        description="Our practice's name, shown on every page and deck."
    )
    phone: OptText = Field(None, description="Main phone number.")
    address: OptText = Field(None, description="Street address.")
    website: OptText = Field(None, description="Public website address.")


class Service(Record):
    key: Id = Field(description="Service-line id, used by referrals' `service`.")
    name: Text = Field(description="Display name of the service line.")
    description: Markdown = Field(
        None, description="What the service is (Markdown)."
    )


class Tier(Record):
    visit_every_days: Annotated[Int, Field(ge=1)] = Field(
        description="A physician of this tier should get an in-person visit at least this often."
    )


class Thresholds(Record):
    lapsed_after_days: Annotated[Int, Field(ge=1)] = Field(
        90, description="A referrer whose last referral is this many days old or older is lapsed."
    )
    new_within_days: Annotated[Int, Field(ge=1)] = Field(
        90, description="A referrer whose first referral is younger than this is new."
    )


class Compliance(Record):
    annual_limit: Limit = Field(
        description="The most (USD) the practice may give one referring physician in meals, "
                    "gifts and other items of value in a calendar year; `validate` warns at the "
                    "interaction that takes a physician over it."
    )


class Repository(Record):
    web_url: Annotated[str, BeforeValidator(_https_url)] = Field(
        description="https:// address of the repository's web page (GitHub, GitLab, Gitea or "
                    "Forgejo): the logging form opens its new-file page."
    )
    branch: Annotated[Text, AfterValidator(_git_branch)] = Field(
        "main", description="The branch records go to.")


def _tier(value):
    """A tier written as its number of days (``A: 30``): said with what to write."""
    if isinstance(value, (str, int)) and not isinstance(value, bool) \
            and str(value).strip().isdigit() and str(value).strip().isascii():
        days = int(str(value).strip())
        raise ValueError(f"expected the tier's fields, got the number {days}: write "
                         f"{{visit_every_days: {days}}}")
    return value


def _section(name: str, example: str):
    """The check of an optional section of site.yaml written with nothing under it
    (``compliance:`` uncommented without its ``annual_limit``, as ``liaison init`` writes
    them): an error, as an empty ``thresholds:`` is, not the section left out."""
    def check(value):
        if value is None:
            raise ValueError(f"expected its fields (lines `field: value`), got nothing: write "
                             f"`{example}` indented below it, or delete the `{name}:` line to "
                             "set none")
        return value
    return BeforeValidator(check)


def _default_tiers() -> dict[str, Tier]:
    return {
        "A": Tier(visit_every_days=30),
        "B": Tier(visit_every_days=60),
        "C": Tier(visit_every_days=120),
    }


class SiteConfig(Record):
    """`site.yaml`: our practice, its service lines, physician tiers and thresholds."""

    practice: OurPractice = Field(description="Our own practice.")
    services: Annotated[list[Service], Field(min_length=1)] = Field(
        description="Service lines (at least one); referrals name one by its key."
    )
    tiers: dict[Text, Annotated[Tier, BeforeValidator(_tier)]] = Field(
        default_factory=_default_tiers,
        description="Physician tiers and their visit cadence. Default: A 30, B 60, C 120 days.",
    )
    thresholds: Thresholds = Field(
        default_factory=Thresholds, description="Thresholds of the referrer statuses."
    )
    compliance: Annotated[Compliance | None, _section("compliance", "annual_limit: 500")] = Field(
        None, description="The annual limit on what one physician may be given (Stark law)."
    )
    repository: Annotated[Repository | None, _section(
        "repository", "web_url: https://github.com/our-practice/liaison-records")] = Field(
        None, description="Where the records live: edit links and the field-logging form."
    )


# ------------------------------------------------------------------------------ records


class StaffMember(Record):
    name: Text = Field(description="Staff member's name.")
    role: OptText = Field(
        None, description="Role in the office (office manager, …)."
    )
    email: OptText = Field(None, description="E-mail address.")
    phone: OptText = Field(None, description="Direct phone number.")
    notes: OptText = Field(None, description="What to know about them.")


class Practice(Record):
    """`data/practices/<id>.yaml`: one referring practice (office)."""

    name: Text = Field(description="Name of the practice.")
    address: OptText = Field(None, description="Street address.")
    city: OptText = Field(None, description="City.")
    state: OptText = Field(None, description="State.")
    zip: OptText = Field(
        None, description="ZIP code (text: leading zeros are kept)."
    )
    phone: OptText = Field(None, description="Main phone number.")
    fax: OptText = Field(None, description="Fax number.")
    website: OptText = Field(
        None, description="Website address; the brief links to it (https:// added to a bare "
                          "host name such as www.example.org).")
    liaison: TeamId | None = Field(None, description="Team member (id) in charge of the practice.")
    best_visit_times: OptText = Field(
        None, description="When to drop by, e.g. 'Tue after 2 pm'."
    )
    ehr: OptText = Field(
        None, description="The office's electronic health record system."
    )
    staff: list[StaffMember] = Field(default_factory=list, description="Office staff.")
    notes: Markdown = Field(None, description="Notes (Markdown).")
    tags: TextList = Field(description="Free tags.")


class Physician(Record):
    """`data/physicians/<id>.yaml`: one referring physician, existing or potential."""

    name: Text = Field(description="Full name.")
    credentials: OptText = Field(
        None, description="MD, DO, DPM, NP, PA, …"
    )
    npi: Annotated[str | None, BeforeValidator(_npi)] = Field(
        None, description="National Provider Identifier: 10 digits with a valid check digit."
    )
    specialty: Text = Field(description="Medical specialty.")
    practice: PracticeId = Field(description="The practice (id) where they work.")
    tier: Annotated[OptText, Ref("tiers")] = Field(
        None, description="A tier key of site.yaml (visit cadence)."
    )
    liaison: TeamId | None = Field(None, description="Team member (id); default: the practice's.")
    email: OptText = Field(None, description="E-mail address.")
    phone: OptText = Field(None, description="Direct phone number.")
    office_days: list[Annotated[Literal[DAYS], Choice]] = Field(  # type: ignore[valid-type]
        default_factory=list, description="Days they see patients at the practice (mon…sun)."
    )
    interests: TextList = Field(description="Clinical interests.")
    notes: Markdown = Field(None, description="Notes (Markdown).")
    tags: TextList = Field(description="Free tags.")
    potential: Annotated[Literal[POTENTIALS] | None, Choice] = Field(  # type: ignore[valid-type]
        None, description="high, medium or low: how many of our patients they could send."
    )
    refers_elsewhere: TextList = Field(
        description="The practices or specialists they send such patients to today."
    )


class Training(Record):
    guide: GuideId = Field(description="The training guide (id) completed.")
    completed: Date = Field(description="Date of completion.")
    score: Annotated[Int, Field(ge=0, le=100)] | None = Field(None, description="Score 0–100.")


class TeamMember(Record):
    """`data/team/<id>.yaml`: a liaison or staff member of our practice."""

    name: Text = Field(description="Full name.")
    role: Annotated[Literal[ROLES], Choice] = Field(description="liaison, manager, front-desk, clinical, physician or other.")  # type: ignore[valid-type]
    email: OptText = Field(None, description="E-mail address.")
    trainings: list[Training] = Field(default_factory=list, description="Trainings completed.")


class FollowUp(Record):
    task: Text = Field(description="What is to be done.")
    due: Date = Field(description="When it is due.")
    owner: TeamId | None = Field(None, description="Team member (id); default: who logged it.")
    done: Date | None = Field(None, description="When it was done; open while absent.")


class Interaction(Record):
    """A visit-log entry, in any file under `data/interactions/`."""

    date: Date = Field(description="When it happened.")
    liaison: TeamId = Field(description="Team member (id) who logged it.")
    type: Annotated[Literal[INTERACTION_TYPES], Choice] = Field(  # type: ignore[valid-type]
        description="visit, lunch, presentation, event (in person), call, email or other."
    )
    practice: PracticeId | None = Field(None, description="The practice (id); this or physicians.")
    physicians: list[PhysicianId] = Field(default_factory=list, description="Physicians (ids) met.")
    met_with: TextList = Field(description="Office staff met (free text).")
    summary: Text = Field(description="One line: what happened.")
    notes: Markdown = Field(None, description="Notes (Markdown).")
    needs: TextList = Field(
        description="Challenges the referring office voiced."
    )
    outcome: Annotated[Literal[OUTCOMES] | None, Choice] = Field(None, description="positive, neutral or negative.")  # type: ignore[valid-type]
    deck: DeckId | None = Field(None, description="The presentation deck (id) shown, if any.")
    cost: Cost = Field(
        None, description="USD given in meals, gifts, items of value (at most two decimals)."
    )
    next_visit: Date | None = Field(None, description="The next visit planned.")
    follow_ups: list[FollowUp] = Field(default_factory=list, description="Promised follow-ups.")


PHYSICIAN_SOURCE = "physician"


def physician_source_problem(source: str, physician: str | None) -> tuple[bool, str] | None:
    """The rule of a referral across two fields: it names a physician exactly when its source
    is 'physician'. None when kept; else (whether the physician is missing, the message)."""
    if source == PHYSICIAN_SOURCE and physician is None:
        return True, "required when source is physician (which physician referred?)"
    if source != PHYSICIAN_SOURCE and physician is not None:
        return False, f"only allowed when source is physician (source is {source})"
    return None


def declined_reason_problem(status: str, reason: str | None) -> str | None:
    """The second rule across fields: a declined reason only on a declined referral."""
    if reason is not None and status != DECLINED:
        return f"only allowed when status is declined (status is {status})"
    return None


class Referral(Record):
    """A referral record in `data/referrals/` (YAML list or CSV). No patient information."""

    date: Date = Field(description="When the referral arrived.")
    source: Annotated[Literal[SOURCES], Choice] = Field(  # type: ignore[valid-type]
        description='Answer to "how did you hear about us?": physician, patient, web, '
                    "advertising, insurance, event, other or unknown (nobody asked).")
    physician: PhysicianId | None = Field(
        None, description="The referring physician (id): required when source is physician."
    )
    service: ServiceKey = Field(description="A service key of site.yaml.")
    status: Annotated[Literal[STATUSES], Choice] = Field(  # type: ignore[valid-type]
        "referred", description="Furthest stage reached: referred, scheduled, consulted, "
                                "treated or declined.")
    count: Annotated[Int, Field(ge=1)] = Field(1, description="How many identical referrals.")
    taken_by: TeamId | None = Field(
        None, description='Team member (id) who asked "how did you hear about us?".'
    )
    declined_reason: Annotated[Literal[DECLINED_REASONS] | None, Choice] = Field(  # type: ignore[valid-type]
        None, description="Why it was declined: insurance, not-a-candidate, patient-choice, "
                          "no-response or other (only when status is declined)."
    )

    @model_validator(mode="after")
    def _rules_across_fields(self):
        problem = physician_source_problem(self.source, self.physician)
        if problem is not None:
            raise ValueError(f"physician: {problem[1]}")
        reason = declined_reason_problem(self.status, self.declined_reason)
        if reason is not None:
            raise ValueError(f"declined_reason: {reason}")
        return self


class GuideMeta(Record):
    """Front matter of `content/training/<id>.md`."""

    title: Text = Field(description="Title of the guide.")
    audience: Annotated[Literal[AUDIENCES], Choice] = Field(description="liaison, front-desk, clinical or all.")  # type: ignore[valid-type]
    summary: OptText = Field(None, description="One-paragraph summary.")
    order: Int | None = Field(None, description="Position in the training index.")
    renew_every_days: Annotated[Int, Field(ge=1)] | None = Field(
        None, description="A completion older than this has expired; in its last 30 days it is "
                          "listed as due for renewal."
    )


def _targets(value):
    if value is None or (isinstance(value, str) and value.strip() == "all"):
        return "all"
    if not isinstance(value, list):
        raise ValueError(f"expected 'all' or a list of practice ids, got {describe(value)}")
    return [_id(v) for v in value]


class DeckMeta(Record):
    """Front matter of `content/presentations/<id>.md`."""

    title: Text = Field(description="Title of the deck.")
    description: OptText = Field(None, description="What the deck is for.")
    targets: Annotated[Literal["all"] | list[PracticeId], BeforeValidator(_targets)] = Field(
        "all", description="'all' practices, or a list of practice ids."
    )


def nested_model(annotation) -> type[BaseModel] | None:
    """The record model inside a field's type (list[FollowUp] -> FollowUp), if any."""
    import typing

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = nested_model(arg)
        if found is not None:
            return found
    return None


# The record kinds with one record per file, by data folder.
FILE_KINDS = {"practices": Practice, "physicians": Physician, "team": TeamMember}
# Every kind of record a file holds (the records inside them are reached from these).
RECORD_MODELS = (SiteConfig, Practice, Physician, TeamMember, Interaction, Referral, GuideMeta,
                 DeckMeta)
