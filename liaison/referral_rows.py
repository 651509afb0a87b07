"""Referral rows, from YAML lists and CSV files, by the rules of the ``Referral`` model.

Referrals are the bulk of a site (about 300,000 rows at 10,000 physicians), so rows are not
validated by instantiating the model: its fields are read once, at import, into ``COLUMNS``
(name, kind, required or default, the values of an enum, the least whole number), and each
cell is read by its column. The rule across fields, a physician exactly when the source is
'physician', is the model's own (``models.physician_source_problem``). Model and rows agree on
every row (tests/test_models.py checks).
"""
from __future__ import annotations

import csv
import datetime as dt
import os
import re
import types
import typing
from dataclasses import dataclass
from itertools import islice, repeat

from liaison.diagnostics import did_you_mean, format_loc
from liaison.fields import markers
from liaison.guard import PATIENT_MESSAGE, patient_info, patient_key
from liaison.models import (
    DATE_MAX, DATE_MIN, ID_RE, Referral, date_range_problem, declined_reason_problem, describe,
    id_problem, parse_date, physician_source_problem,
)
from liaison.parse import Loader, Partial, conflict_line, conflict_message
from liaison.records import ReferralRow
from liaison.translate import unknown_key, with_path
from liaison.wording import prose_list
from liaison import yamlio
from liaison.yamlio import LEFT_MARKER, not_utf8

_MISSING = "required field is missing"
# What the front desk is to write, after a source left empty or written in words: the answer
# to "how did you hear about us?" is one of the values, and an empty cell is no answer
_SOURCE_HELP = {
    "missing": "write 'unknown' when nobody asked \"how did you hear about us?\"",
    "other": "a doctor or their office is 'physician' (their id in the physician column), "
             "an answer none of these fits is 'other', and 'unknown' is for nobody asked",
    # a sheet of the doctors' referrals often leaves the source column empty: 'unknown' there
    # would only make the physician "only allowed when source is physician"
    "named": "write 'physician', as the row names a physician (or empty the physician cell "
             "and write the answer to \"how did you hear about us?\")",
}
# What the coordinator is to write for a stage or a reason said in their own words ("seen",
# "no-show", "lost to follow-up"): the status is the furthest stage reached, and a patient who
# never came is a declined referral, its reason 'no-response'
_CHOICE_HELP = {
    "source": _SOURCE_HELP["other"],
    "status": "it is the furthest stage the referral reached: a patient we saw is 'consulted', "
              "one who never came (a no-show, lost to follow-up) is 'declined' with "
              "declined_reason 'no-response'",
    "declined_reason": "a patient who never answered or never came is 'no-response', a "
                       "reason none of these fits is 'other'",
}


@dataclass(frozen=True)
class Column:
    """One field of ``Referral`` as a cell of a row is read."""

    name: str
    kind: str  # "date", "choice", "id" or "count"
    required: bool
    default: object = None
    options: tuple[str, ...] = ()  # the values of a "choice"
    minimum: int | None = None  # of a "count"

    def reader(self):
        """The function that reads a cell of this column: its value (text, or a date or a
        number from YAML) -> (value, problem or None, whether the problem is that the value
        is missing). One closure per column: the slow path of CSV rows calls it per cell."""
        return _READERS[self.kind](self)


def _column(name: str, info) -> Column:
    annotation, marks = info.annotation, markers(info)
    required = info.is_required()
    default = None if required else info.default
    if annotation is dt.date:
        return Column(name, "date", required, default)
    arms = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(arms) == 1 \
            and typing.get_origin(arms[0]) is typing.Literal:  # an optional choice
        annotation = arms[0]
    if typing.get_origin(annotation) is typing.Literal:
        return Column(name, "choice", required, default, typing.get_args(annotation))
    if any(getattr(m, "pattern", None) == ID_RE.pattern for m in marks):
        return Column(name, "id", required, default)
    if annotation is int:
        least = next((m.ge for m in marks if getattr(m, "ge", None) is not None), None)
        return Column(name, "count", required, default, minimum=least)
    raise TypeError(f"Referral.{name}: a row cannot hold a {annotation}")  # pragma: no cover


def _absent(col: Column):
    if col.name == "source":
        return None, f"{_MISSING}: {_SOURCE_HELP['missing']}", True
    return (None, _MISSING, True) if col.required else (col.default, None, False)


def _date_reader(col: Column):
    absent = _absent(col)

    def read(value):
        if type(value) is dt.date:
            if DATE_MIN <= value <= DATE_MAX:
                return value, None, False
            return None, date_range_problem(value), False
        if value is None or value == "":
            return absent
        if not isinstance(value, str):
            return None, f"expected a date (YYYY-MM-DD), got {describe(value)}", False
        try:
            return parse_date(value.strip()), None, False
        except ValueError as exc:
            return None, str(exc), False

    return read


def _choice_reader(col: Column):
    absent, options, names = _absent(col), frozenset(col.options), col.options
    helps = _CHOICE_HELP.get(col.name, "")

    def read_required(value):
        if value is None or (isinstance(value, str) and not value.strip()):
            return absent
        if not isinstance(value, str):
            return None, f"expected text, got {describe(value)}", False
        value = value.strip()
        if value not in options:
            return None, _not_one_of(value, names, helps), False
        return value, None, False

    def read_optional(value):
        if value is None or (isinstance(value, str) and not value.strip()):
            return absent
        if not isinstance(value, str) or value.strip() not in options:
            return None, _not_one_of(value, names, helps), False
        return value.strip(), None, False

    return read_required if col.required else read_optional


def _id_reader(col: Column):
    """An id; an invalid one is kept beside its problem (the rule across fields sees it)."""
    absent = _absent(col)

    def read_required(value):
        if value is None or (isinstance(value, str) and not value.strip()):
            return absent
        if not isinstance(value, str):
            return None, f"expected text, got {describe(value)}", False
        value = value.strip()
        return value, id_problem(value), False

    def read_optional(value):
        if isinstance(value, str):
            value = value.strip()
            return (value, id_problem(value), False) if value else absent
        if value is None:
            return absent
        return None, f"expected an id, got {describe(value)}", False

    return read_required if col.required else read_optional


_COUNT_RE = re.compile(r"^\+?[0-9]{1,18}$")
_DECIMALS = re.compile(r"([0-9]{1,18})[.,]0+")
_GROUPED = re.compile(r"[0-9]{1,3}(?:([, \u00a0\u202f'])[0-9]{3})(?:\1[0-9]{3})*")  # 1,200


def _count_reader(col: Column):
    absent = _absent(col)
    least = col.minimum if col.minimum is not None else 0
    bound = f" ≥ {col.minimum}" if col.minimum is not None else ""

    def read(value):
        if value is None or (isinstance(value, str) and not value.strip()):
            return absent
        if type(value) is int and value >= least:
            return value, None, False
        text = str(value).strip()
        # ASCII digits only (SPEC §2): '++5', '5²', '５' and '٥' are no counts
        if not _COUNT_RE.match(text) or int(text) < least:
            whole = _DECIMALS.fullmatch(text)  # 1.0: a spreadsheet's column shows decimals
            hint = (f" (write {whole.group(1)}: a spreadsheet writes a number so when its "
                    "column is formatted with decimals)"
                    if whole and int(whole.group(1)) >= least else "")
            if _GROUPED.fullmatch(text):  # a column formatted with separators
                # 1,000 is a thousand before it is 1 with three decimals: it said "write 1"
                digits = re.sub('[^0-9]', '', text)
                hint = (f" (write {digits}: the digits only, without separators"
                        + (f"; or {whole.group(1)}, if the ',' is a decimal comma)" if hint
                           else ")"))
            if text.lstrip("+").isascii() and text.lstrip("+").isdigit() and len(text) > 18:
                return col.default, f"'{text}' is too large a number: write at most 18 digits", False
            return col.default, f"expected a whole number{bound}, got '{text}'{hint}", False
        return int(text), None, False

    return read


_READERS = {"date": _date_reader, "choice": _choice_reader, "id": _id_reader,
            "count": _count_reader}

COLUMNS = tuple(_column(name, info) for name, info in Referral.model_fields.items())
COLUMN = {c.name: c for c in COLUMNS}
READ = {c.name: c.reader() for c in COLUMNS}
REFERRAL_COLUMNS = tuple(COLUMN)


def column_of(value, but: str) -> str | None:
    """The choice column other than ``but`` among whose values ``value`` is ('treated' ->
    'status'), or None: such a value under ``but`` says a sheet's columns were swapped or
    shifted."""
    if value in ("other", "unknown"):  # catch-all words a service may well be called too
        return None
    return next((c.name for c in COLUMNS
                 if c.kind == "choice" and c.name != but and value in c.options), None)
# A CSV file may leave out the count column (most rows count 1) and the two columns of the
# second edition (SPEC §2); every other column is there.
OPTIONAL_COLUMNS = frozenset(("count", "taken_by", "declined_reason"))
REQUIRED_COLUMNS = frozenset(REFERRAL_COLUMNS) - OPTIONAL_COLUMNS
_READ_ALL = tuple(READ.items())
_SOURCE, _PHYSICIAN = REFERRAL_COLUMNS.index("source"), REFERRAL_COLUMNS.index("physician")
_STATUS, _REASON = REFERRAL_COLUMNS.index("status"), REFERRAL_COLUMNS.index("declined_reason")


def _width_message(header: list[str], cells: list[str]) -> str:
    """A row of ``cells`` under ``header`` with another number of cells. A short row names
    the columns it ends before: columns added to the header and not to the rows (taken_by
    and declined_reason, when a file of the first edition is upgraded) are said as such; a
    long one whose extra cells are all empty is told to delete them (a spreadsheet keeps
    cells that were cleared) or, as an unquoted comma in a value with the last cell empty
    gives the same row, to quote that value."""
    width, found = len(header), len(cells)
    message = f"expected {width} cells (as in the header), found {found}"
    off = _one_column_off(header, cells)
    if off is not None and found > width:
        return (f"{message}: cell {off + 1} (under {_heading(header, off)}) is empty and one too many: "
                "the cells after it stand one column to the right of their header; delete it")
    if off is not None:
        return (f"{message}: the row has no cell for {_heading(header, off)}: the cells from there on "
                "stand one column to the left of their header; write its value, or leave it "
                "empty (nothing between two commas)")
    if found > width:
        if any(c.strip() for c in cells[width:]):
            return (f"{message}: a cell that holds a comma goes in double quotes (\"Ruiz, "
                    "Ana\"), else delete the extra comma")
        extra = found - width
        return (f"{message}: the last {'one is' if extra == 1 else f'{extra} are'} empty (a "
                f"spreadsheet keeps cells that were cleared): delete {'it' if extra == 1 else 'them'}"
                ', or put a value that holds a comma in double quotes ("Ruiz, Ana")')
    missing = range(found, width)
    commas = "," * len(missing)
    return (f"{message}: the row ends before {', '.join(_heading(header, i) for i in missing)}; an empty "
            f"cell is written as nothing after a comma (end the row with '{commas}')")


def _heading(header: list[str], i: int) -> str:
    """Column ``i`` of ``header`` as a row's message names it: quoted, unless it holds what a
    patient's details hold (a patient's row pasted where the header goes: its cells are
    counted, not quoted, in the header's own message, and were quoted back here)."""
    name = header[i]
    if _PERSONAL.search(name) or patient_info(name):
        return f"the header's column {i + 1}, not quoted here"
    return repr(name)


def _reads_right(header: list[str], cells: list[str]) -> bool:
    """Whether ``cells`` read under ``header`` look like a referral: each choice cell one of
    its values (a required one filled), and no other cell holding a choice column's value
    ('treated' under service)."""
    for name, cell in zip(header, cells):
        col, cell = COLUMN.get(name), cell.strip()
        if col is None:
            continue
        if col.kind == "choice":
            if (cell and cell not in col.options) or (col.required and not cell):
                return False
        elif cell and column_of(cell, name):
            return False
    return True


def _one_column_off(header: list[str], cells: list[str]) -> int | None:
    """A row one cell longer or shorter than its header that reads wrong as it stands (its
    last cell, when empty, dropped; or an empty one added) and right with one empty cell
    deleted (or added): the index of that cell (of the header's column that has none), else
    None. A sheet pasted one column off makes hundreds of such rows."""
    if abs(len(cells) - len(header)) != 1:
        return None
    if len(cells) > len(header):
        if not cells[-1].strip() and _reads_right(header, cells[:-1]):
            return None
        return next((i for i, c in enumerate(cells[:-1]) if not c.strip()
                     and _reads_right(header, cells[:i] + cells[i + 1:])), None)
    if _reads_right(header, cells + [""]):
        return None
    return next((i for i in range(1, len(cells))
                 if _reads_right(header, cells[:i] + [""] + cells[i:])), None)


def _not_one_of(value, options, helps: str = "") -> str:
    """The message of a value that is none of a choice's ``options``: the close one, else
    ``helps`` (what to write instead), when given."""
    near = did_you_mean(value, options)
    listed = prose_list([f"'{o}'" for o in options], "or")  # as a YAML record's choices read
    return f"'{value}' is not one of {listed}{near or (helps and ': ' + helps)}"


# A cell that holds what a patient's details hold: an e-mail address, a date, a phone or
# record number (six digits or more, separators aside). No text or id cell of a referral
# holds such text, so a value that fails with one is not quoted back: the output
# of `validate` goes into CI logs, and the guard's kinds need a word (`pt`, `DOB`, `MRN`)
# that a name and a phone number typed into the wrong cell do not have.
_PERSONAL = re.compile(r"[^\s@]@[^\s@]+\.|\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}|\d(?:[\s().-]*\d){5,}")
_WITHHELD = ("not quoted here: it holds an e-mail address, a date or a long number, as a "
             "patient's details do; a referral row never holds patient information (delete "
             "it), only {what}")


def _withheld(name: str, cell) -> str | None:
    """The message of a cell that failed and looks like a patient's details the guard does
    not catch, or None."""
    col = COLUMN[name]
    if col.kind in ("date", "count") or not isinstance(cell, str) or not _PERSONAL.search(cell):
        return None  # a date written another way, a number: their own messages say how
    if patient_info(cell):
        return None  # the guard's error names it, and its value is withheld as a guard's hit
    if col.kind == "choice":
        what = f"one of {', '.join(col.options)}"
    else:
        what = {"physician": "a physician's id", "taken_by": "a team member's id"}.get(
            name, "an id")
    return _WITHHELD.format(what=what)


# What a spreadsheet user types in a cell that has no value (and what a formula that found
# nothing shows, "#N/A"): read as a value, 'N/A' in the physician column of a web referral
# was "not a valid id (like 'n-a')" and "only allowed when source is physician"
_PLACEHOLDERS = frozenset(("n/a", "na", "#n/a", "n.a.", "none", "null", "nil", "tbd", "-", "--",
                           "\u2013", "\u2014", "?"))


def _placeholder(col: Column, text: str) -> str:
    """The message of a cell of ``col`` that holds ``text``, a mark for no value."""
    if col.name == "source":
        return f"'{text}' is no answer: {_SOURCE_HELP['missing']}"
    if col.required:
        return f"'{text}' marks no value, and every referral has its {col.name}: write it"
    empty = f" (an empty {col.name} is {col.default})" if col.default is not None else ""
    return f"'{text}' marks no value: leave it empty{empty}"


def check_referral(get, loc_of) -> tuple[tuple | None, list[tuple[object, str]]]:
    """Validate one referral's cells. ``get(name)`` gives a cell's text or None; ``loc_of``
    turns a field name into the location to report. Returns the row's values, in the order
    of the model's fields (None when there is a problem), and the problems."""
    problems: list[tuple[object, str]] = []
    values = []
    for name, read in _READ_ALL:
        cell = get(name)
        value, problem, missing = read(cell)
        if problem is not None and isinstance(cell, str) and cell.strip().lower() in _PLACEHOLDERS:
            value, problem = None, _placeholder(COLUMN[name], cell.strip())
            if name == "physician" and values[_SOURCE] == "physician":  # read before it
                problem = problem.replace("leave it empty", "write the physician's id (the "
                                                            "source is physician)")
        values.append(value)
        if problem is not None:
            problem = _withheld(name, cell) or problem
            problems.append((loc_of(name, missing=missing), f"{name}: {problem}"))
    source = values[_SOURCE]
    if source is None and values[_PHYSICIAN] is not None:
        problems = [(loc, message.replace(_SOURCE_HELP["missing"], _SOURCE_HELP["named"]))
                    if message.startswith("source:") else (loc, message)
                    for loc, message in problems]
    if source is not None:  # a valid source: the rule across fields applies
        broken = physician_source_problem(source, values[_PHYSICIAN])
        if broken is not None:
            missing, message = broken
            if not (missing and any(m.startswith("physician:") for _, m in problems)):
                problems.append((loc_of("physician", missing=missing), f"physician: {message}"))
    if values[_STATUS] is not None and values[_REASON] is not None:
        reason = declined_reason_problem(values[_STATUS], values[_REASON])
        if reason is not None:
            problems.append((loc_of("declined_reason"), f"declined_reason: {reason}"))
    if problems:
        return None, problems
    return tuple(values), problems


# --------------------------------------------------------------------------- YAML lists


def _referral_yaml(loader: Loader, rel: str, data) -> list[ReferralRow]:
    """The rows of a YAML referral file (a list of mappings), problems into ``loader``."""
    if isinstance(data, dict):
        loader.error(rel, "expected a list of referral records (each starting with '- ')")
        return []
    out = []
    for prefix, item in loader.items(rel, data):
        if not isinstance(item, dict):
            loader.error(rel, with_path(prefix, f"expected a referral record, got {describe(item)}"),
                         loc=prefix)
            continue
        bad_keys = False
        for key in item:
            if key not in COLUMN:
                bad_keys = True
                loc = prefix + (str(key),)
                message = unknown_key(str(key), REFERRAL_COLUMNS)
                if message == "unknown field":  # no close name: what a CSV's heading gets
                    message += _heading_hint(str(key), "field")  # (notes: a referral has none)
                loader.error(rel, with_path(loc, message), loc=loc, at="key")

        def loc_of(name, missing=False, prefix=prefix, item=item):
            return prefix if (missing and name not in item) else prefix + (name,)

        row, problems = check_referral(item.get, loc_of)
        for loc, message in problems:
            loader.error(rel, f"{format_loc(prefix)}.{message}" if prefix else message, loc=loc)
        if row is not None and not bad_keys:
            out.append(ReferralRow(*row, rel, None, prefix))
        else:  # its references are still checked, where they have no problem of their own
            loader.partials.append(Partial(Referral, rel, prefix, item,
                                           frozenset(loc for loc, _m in problems)))
    return out


# --------------------------------------------------------------------------- CSV files

_PATIENT_COLUMN_WORDS = (
    "patient", "mrn", "dob", "ssn", "birth", "medical_record", "first_name", "last_name",
    "full_name", "insurance_id", "member_id", "diagnosis",
)
_PATIENT_COLUMN_NAMES = frozenset(("name", "sex", "gender", "age", "address", "phone", "email"))


def _patient_column(name: str) -> bool:
    norm = name.strip().lower().replace(" ", "_").replace("-", "_")
    return norm in _PATIENT_COLUMN_NAMES or any(w in norm for w in _PATIENT_COLUMN_WORDS) \
        or patient_key(name) or bool(patient_info(name))  # D.O.B., S.S.N.: punctuation
    # between the letters; a patient's details typed as a heading ("pt cell 503-555-0199")


# The fast path of clean CSV rows reads the model's rules from these: the sources that take a
# physician and those that take none (the rule across fields, tried on every source), the
# statuses, the defaults.
_SOURCES_WITH_PHYSICIAN = frozenset(
    s for s in COLUMN["source"].options if physician_source_problem(s, "someone") is None)
_SOURCES_WITHOUT_PHYSICIAN = frozenset(
    s for s in COLUMN["source"].options if physician_source_problem(s, None) is None)
_STATUSES = frozenset(COLUMN["status"].options)
# A declined reason on the fast path: only on a declined referral (the model's rule).
_REASONS = {status: frozenset(r for r in COLUMN["declined_reason"].options
                              if declined_reason_problem(status, r) is None)
            for status in _STATUSES}
_DEFAULT_STATUS = COLUMN["status"].default

# A CSV file up to this size is read whole and checked column by column first (_clean_file);
# a larger one row by row only (its rows are not all held as text at once).
WHOLE_FILE_BYTES = 8 * 1024 * 1024

# A clean row's ReferralRow, made without the named tuple's Python-level __new__ (its fields
# in order; 0.1 s of processor time over 290,000 rows at 10,000 physicians).
_new_row = tuple.__new__

# Memo tables of the fast path: cell text -> value, filled with the values found valid.
_DATES: dict[str, dt.date] = {}
_COUNTS: dict[str, int] = {"": COLUMN["count"].default}
_IDS: set[str] = set()


def _learn_date(text: str) -> None:
    if text not in _DATES and len(text) == 10:
        value, problem, _ = READ["date"](text)
        if problem is None:
            _DATES[text] = value


def _learn_id(read, cell: str) -> None:
    # as written (no space to strip), and no patient identifier: the rows of the fast path
    # need no scan by the guard (their other cells are dates, counts and choices)
    if cell and cell not in _IDS and read(cell) == (cell, None, False) and not patient_info(cell):
        _IDS.add(cell)


def _learn_count(text: str) -> None:
    if len(_COUNTS) < 10_000 and text not in _COUNTS:
        value, problem, _ = READ["count"](text)
        if problem is None and text:
            _COUNTS[text] = value


def _remember(date: str, service: str, physician: str, count: str, taken_by: str) -> None:
    """Learn the valid cells of a row that missed the fast path, for the rows after it."""
    _learn_date(date)
    for read, cell in ((READ["service"], service), (READ["physician"], physician),
                       (READ["taken_by"], taken_by)):
        _learn_id(read, cell)
    _learn_count(count)


def _clean_file(rows: list[list[str]], index: dict[str, int], rel: str) -> list | None:
    """The ReferralRows of a CSV file's rows after its header, when the file holds one row a
    line (data row k on line k + 2) and every row is clean by the rules of the fast path;
    None when not (the file is then read row by row). The rules are tried on each column's
    distinct values and pairs of values (a few hundred, against thousands of rows), and the
    rows are made without a Python call per row: 0.4 s of processor time less over 290,000
    rows at 10,000 physicians."""
    width = len(index)
    if not rows or set(map(len, rows)) != {width}:
        return None
    columns = list(zip(*rows))
    empty = ("",) * len(rows)

    def column(name: str) -> tuple[str, ...]:
        i = index.get(name)
        return empty if i is None else columns[i]

    dates, sources, docs, services = (column(n) for n in ("date", "source", "physician", "service"))
    statuses, counts = column("status"), column("count")
    takers, reasons = column("taken_by"), column("declined_reason")
    distinct_dates, distinct_counts = set(dates), set(counts)
    distinct = {"service": set(services), "physician": set(docs) - {""},
                "taken_by": set(takers) - {""}}
    for text in distinct_dates - _DATES.keys():
        _learn_date(text)
    for name, cells in distinct.items():
        for cell in cells - _IDS:
            _learn_id(READ[name], cell)
    for text in distinct_counts - _COUNTS.keys():
        _learn_count(text)
    if not (_DATES.keys() >= distinct_dates and _COUNTS.keys() >= distinct_counts
            and all(_IDS >= cells for cells in distinct.values())):
        return None
    for source, doc in set(zip(sources, map(bool, docs))):  # the rule across fields
        if source not in (_SOURCES_WITH_PHYSICIAN if doc else _SOURCES_WITHOUT_PHYSICIAN):
            return None
    status_of = {}
    for status, reason in set(zip(statuses, reasons)):
        value = status_of[status] = status or _DEFAULT_STATUS
        if value not in _STATUSES or (reason and reason not in _REASONS[value]):
            return None
    # an optional cell: None when empty, else its text
    none_if_empty = {v: v for v in (*distinct["physician"], *distinct["taken_by"], *reasons)}
    none_if_empty[""] = None
    return list(map(_new_row, repeat(ReferralRow), zip(
        map(_DATES.__getitem__, dates), sources, map(none_if_empty.__getitem__, docs),
        services, map(status_of.__getitem__, statuses), map(_COUNTS.__getitem__, counts),
        map(none_if_empty.__getitem__, takers), map(none_if_empty.__getitem__, reasons),
        repeat(rel), range(2, len(rows) + 2), repeat(None))))


# A row of totals under a spreadsheet's table ("Total,,,,,42"), told from a referral by a
# date cell that holds no date
_TOTALS = frozenset(("total", "totals", "grand total", "subtotal", "sum", "total:"))
_DATE_LIKE = re.compile(r"[0-9]")

# A row of empty cells (`,,,,,`): a spreadsheet saves the rows that once held something
EMPTY_ROW = ("every cell of the row is empty (a spreadsheet keeps a row whose cells were "
             "cleared): delete the row")


def _load_referral_csv(loader: Loader, rel: str, out: list) -> None:
    """The rows of a CSV referral file into ``out``, problems into ``loader``."""
    fh = loader.open_text(rel, encoding="utf-8-sig", newline="")  # never a link or a FIFO
    if fh is None:
        return

    def clean(cells: list[str], line: int) -> ReferralRow | None:
        """The row of a line whose cells are all in the memo tables; None when not sure."""
        date = _DATES.get(cells[i_date])
        source, doc, svc = cells[i_src], cells[i_doc], cells[i_svc]
        status = cells[i_status] or _DEFAULT_STATUS
        count = _COUNTS.get(cells[i_count]) if i_count is not None else _COUNTS[""]
        taken = cells[i_taken] if i_taken is not None else ""
        reason = cells[i_reason] if i_reason is not None else ""
        if (date is not None and count is not None and status in _STATUSES
                and svc in _IDS
                and (source in _SOURCES_WITHOUT_PHYSICIAN if doc == ""
                     else source in _SOURCES_WITH_PHYSICIAN and doc in _IDS)
                and (taken == "" or taken in _IDS)
                and (reason == "" or reason in _REASONS[status])):
            return _new_row(ReferralRow, (date, source, doc or None, svc, status, count,
                                          taken or None, reason or None, rel, line, None))
        return None

    with fh:
        if yamlio.utf16(os.pread(fh.fileno(), 4, 0)):
            # without its byte-order mark UTF-16 decodes as UTF-8 (a NUL beside each ASCII
            # letter): it was "unknown column '<U+0000>s<U+0000>o…'", once a column
            loader.error(rel, f"the file is {yamlio.UTF16}; export it as CSV UTF-8", line=1, col=1)
            return
        # The whole file at once first: a file of clean rows, one a line, under a header
        # without problems, is taken column by column (_clean_file).
        lines = None
        if os.fstat(fh.fileno()).st_size <= WHOLE_FILE_BYTES:
            reader = csv.reader(fh)
            try:
                lines = list(reader)
            except (UnicodeDecodeError, csv.Error):
                lines = None
        if lines and reader.line_num == len(lines):
            header = [c.strip() for c in lines[0]]
            if (len(set(header)) == len(header) and COLUMN.keys() >= set(header)
                    and REQUIRED_COLUMNS <= set(header)):  # _check_header finds nothing
                rows = _clean_file(lines[1:], {name: i for i, name in enumerate(header)}, rel)
                if rows is not None:
                    out += rows
                    return
        fh.seek(0)
        above = _above_header(fh)  # rows a spreadsheet keeps above its table: a title
        fh.seek(0)  # row by row, from the start
        reader = csv.reader(fh)
        above_lines: list[int] = []
        prev_line = 0
        header: list[str] | None = None
        index: dict[str, int] = {}
        rows = 0
        unsure: frozenset = frozenset()  # under a header with problems: what cannot be checked
        try:
            for cells in reader:
                line = prev_line + 1
                prev_line = reader.line_num
                if not cells or (len(cells) == 1 and not cells[0].strip()):
                    continue
                if (cells[0].startswith(("<<<<<<<", "|||||||"))
                        and conflict_line(cells[0].encode()) == 1):
                    # what follows is both sides of the conflict: read only for the marker
                    # of the common ancestor's lines (diff3 style), which changes what to do
                    marker = cells[0]
                    try:
                        for more in reader:
                            if more and more[0].startswith("|||||||"):
                                marker = more[0]
                                break
                    except (UnicodeDecodeError, csv.Error):
                        pass
                    loader.error(rel, conflict_message(marker.encode()), line=line, col=1)
                    return
                if header is None and len(above_lines) < above:
                    above_lines.append(line)  # said once the header is found, below
                    for col_name in cells:
                        for kind in patient_info(col_name):
                            loader.error(rel, f"looks like {kind}: {PATIENT_MESSAGE}", line=line,
                                         col=1)
                    continue
                if above_lines and header is None:
                    first, last = above_lines[0], above_lines[-1]
                    lines_ = f"line {first} is" if first == last else f"lines {first}-{last} are"
                    loader.error(rel, f"{lines_} above the header row (line {line}): a title or "
                                      "a note a spreadsheet keeps above its table is no part of "
                                      f"it: delete {'it' if first == last else 'them'}",
                                 line=first, col=1)
                if header is None and _SEPARATOR_LINE.fullmatch(",".join(cells).strip()):
                    loader.error(rel, f"the first line, '{','.join(cells).strip()}', tells Excel "
                                      "which separator the file uses; it is not the header row: "
                                      "delete the line", line=line, col=1)
                    continue  # the header is the next line: its rows are checked as usual
                if header is None:
                    header = [c.strip() for c in cells]
                    width = len(header)
                    if not _check_header(loader, rel, line, header):
                        # its rows are still read, so that every problem is said in one run:
                        # each cell scanned for patient data, the known columns' values checked
                        # (none under a first row that is a referral: its 'physician' source is
                        # no column's name, every row of that source was an unknown physician)
                        index = {} if _headless(header) else {
                            _as_column(name): i for i, name in
                            reversed(list(enumerate(header))) if _as_column(name) in COLUMN}
                        unsure = _unsure(index)
                        continue
                    index = {name: i for i, name in enumerate(header)}
                    i_date, i_src, i_doc, i_svc, i_status = (
                        index["date"], index["source"], index["physician"], index["service"],
                        index["status"])
                    i_count = index.get("count")
                    i_taken, i_reason = index.get("taken_by"), index.get("declined_reason")
                    continue
                rows += 1
                if len(cells) == width and [c.strip() for c in cells] == header or \
                        cells and cells[0].startswith("\ufeff") and \
                        [c.strip() for c in cells] == ["\ufeff" + header[0], *header[1:]]:
                    # two exports joined: one error, not one a cell (the second's header
                    # after its byte-order mark too, as `copy a.csv+b.csv` joins them)
                    loader.error(rel, "this row repeats the header row (two files joined?): "
                                      "delete it", line=line, col=1)
                    continue
                if not any(c.strip() for c in cells):  # one error, not one a required cell
                    loader.error(rel, EMPTY_ROW, line=line, col=1)
                    continue
                if len(cells) == 1 and LEFT_MARKER.match(cells[0]):
                    # a marker a merge conflict left once its '<<<<<<<' line was deleted
                    loader.error(rel, conflict_message(cells[0].encode()), line=line, col=1)
                    continue
                if len(cells) != width and any("\n" in c or "\r" in c for c in cells):
                    # a quote left open: the lines after it were read as one cell, and the
                    # count of cells would say nothing of why
                    spans = (f"lines {line}-{prev_line} were read as one row" if prev_line > line
                             else "its cell runs to the end of the file")
                    loader.error(rel, f'a quote (") opened in this row is not closed on its line: '
                                      f"{spans}; close the quote or delete it", line=line, col=1)
                    continue
                if len(cells) != width:
                    loader.error(rel, _width_message(header, cells), line=line, col=1)
                    continue
                if unsure:
                    if not _said_totals(loader, rel, line, header, cells, index):
                        _check_under_bad_header(loader, rel, line, header, cells, index, unsure)
                    continue
                # Fast path for the common, clean row: memoized dates, ids and counts. A row
                # that misses it teaches the memo its valid cells and is tried again: the first
                # row of each physician (10,000 of them) needs no slow path either.
                row = clean(cells, line)
                if row is None:
                    _remember(cells[i_date], cells[i_svc], cells[i_doc],
                              cells[i_count] if i_count is not None else "",
                              cells[i_taken] if i_taken is not None else "")
                    row = clean(cells, line)
                if row is not None:
                    out.append(row)
                    continue
                if _said_totals(loader, rel, line, header, cells, index):
                    continue

                def get(name, cells=cells):
                    i = index.get(name)
                    return None if i is None else cells[i]

                row, problems = check_referral(get, lambda name, missing=False: (name,))
                bad = frozenset(loc for loc, _m in problems)
                for col_name, cell in zip(header, cells):
                    for kind in patient_info(cell):
                        problems.append((None, f"{col_name}: looks like {kind}: {PATIENT_MESSAGE}"))
                for _loc, message in problems:
                    loader.error(rel, message, line=line, col=1)
                if row is not None:
                    out.append(ReferralRow(*row, rel, line, None))
                elif bad:  # its references are still checked, where they have no problem
                    loader.partials.append(Partial(  # of their own, as a YAML record's are
                        Referral, rel, (), {name: cell.strip() for name, cell in
                                            zip(header, cells) if cell.strip()}, bad, line))
        except UnicodeDecodeError:
            line, col, what = _first_bad_byte(fh.buffer)
            loader.error(rel, f"the file is {what}; export it as CSV UTF-8", line=line, col=col)
            return
        except csv.Error as exc:
            loader.error(rel, f"CSV syntax error: {exc}", line=reader.line_num or 1, col=1)
            return
        if header is None or (rows == 0 and not unsure):
            # as an empty YAML file is told: what to write, or that it may go
            loader.error(rel, "the file holds no record: write "
                         + ("a header row and its referrals" if header is None
                            else "its referrals under the header row, one a row")
                         + ", or delete the file")


def _above_header(fh) -> int:
    """How many rows (not empty) stand above the header row of the CSV file ``fh``: a title
    or a note a spreadsheet keeps above its table (``Referral log 2026,,,,,``), when the first
    row names no column and one of the next few names at least two. Read as the header, it
    was three errors at line 1 ("no name", "missing columns", "unknown column") and none at
    the header itself."""
    try:
        rows = [cells for cells in islice(csv.reader(fh), 12)
                if cells and not (len(cells) == 1 and not cells[0].strip())][:6]
    except (UnicodeDecodeError, csv.Error):
        return 0
    if not rows or len(rows[0]) == 1 and rows[0][0].startswith(("<<<<<<<", "|||||||")) \
            or _SEPARATOR_LINE.fullmatch(",".join(rows[0]).strip()):
        return 0  # a conflict's marker and `sep=,`: their own messages

    def names(cells) -> int:  # one cell: a header separated by semicolons or tabs, said below
        if len(cells) == 1:
            cells = re.split(r"[;\t]", cells[0])
        return sum(_as_column(c.strip().strip('"')) in COLUMN for c in cells)

    if names(rows[0]):
        return 0
    return next((i for i, cells in enumerate(rows[1:], 1) if names(cells) >= 2), 0)


def _first_bad_byte(binary) -> tuple[int, int, str]:
    """``yamlio.not_utf8`` of the first byte of ``binary`` (a file open for reading bytes)
    that is not UTF-8: the text reader decodes a buffer at a time, so the line it had reached
    is the buffer's first, not the byte's (a file of 8 KB or less: always line 1)."""
    binary.seek(0)
    raw = binary.read()
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return not_utf8(raw, exc.start)
    return 1, 1, "not UTF-8 text"  # pragma: no cover - the reader found one


def _unsure(index: dict[str, int]) -> frozenset:
    """The fields whose problems a row under a header with problems cannot show: the missing
    columns (said once, at the header), and the rules across fields that read one of them."""
    unsure = {name for name in COLUMN if name not in index} | {"<header>"}  # never empty
    if "source" in unsure:
        unsure.add("physician")
    if "status" in unsure:
        unsure.add("declined_reason")
    return frozenset(unsure)


def _said_totals(loader: Loader, rel: str, line: int, header: list[str], cells,
                 index: dict[str, int]) -> bool:
    """Whether the row is a spreadsheet's sum under its table (a cell "Total" and no date):
    then one error says so, not one a cell (and its cells are scanned for patient data), under
    a header with problems too."""
    total = next((c.strip() for c in cells if c.strip().lower() in _TOTALS), None)
    at = index.get("date")
    if total is None or (at is not None and at < len(cells)
                         and _DATE_LIKE.match(cells[at].strip())):
        return False
    loader.error(rel, f"this row holds totals ('{total}'), not a referral: delete it (the "
                      "statistics sum the rows themselves)", line=line, col=1)
    for col_name, cell in zip(header, cells):
        for kind in patient_info(cell):
            loader.error(rel, f"{col_name}: looks like {kind}: {PATIENT_MESSAGE}",
                         line=line, col=1)
    return True


def _check_under_bad_header(loader: Loader, rel: str, line: int, header: list[str], cells,
                            index: dict[str, int], unsure: frozenset) -> None:
    """The problems of a row under a header with problems (no row is kept: the file has an
    error): every cell scanned for patient data, the cells of known columns checked, and
    their references (as a bad row's are)."""
    def get(name):
        i = index.get(name)
        return None if i is None else cells[i]

    _row, problems = check_referral(get, lambda name, missing=False: (name,))
    messages = [m for loc, m in problems if loc[0] not in unsure]
    for col_name, cell in zip(header, cells):
        for kind in patient_info(cell):
            messages.append(f"{col_name}: looks like {kind}: {PATIENT_MESSAGE}")
    for message in messages:
        loader.error(rel, message, line=line, col=1)
    loader.partials.append(Partial(
        Referral, rel, (), {name: cells[i].strip() for name, i in index.items() if cells[i].strip()},
        frozenset(loc for loc, _m in problems), line))


# `sep=,` (or `;`, a tab) as a file's first line: a note to Excel of its separator, which some
# programs export and a spreadsheet user adds; read as the header, it was one error a column
# and one a row
_SEPARATOR_LINE = re.compile(r"sep=.?,?", re.I)


def _as_column(col_name: str) -> str:
    """The column a header cell names: itself, or the column it is written another way, as a
    spreadsheet user types a heading (``Date``, ``Taken By``, ``declined-reason``)."""
    if col_name in COLUMN:
        return col_name
    norm = re.sub(r"[\s_-]+", "_", col_name.lower()).strip("_")
    return norm if norm in COLUMN else col_name


_NOTES = frozenset(("note", "notes", "comment", "comments", "remark", "remarks"))


def _heading_hint(col_name: str, part: str = "column") -> str:
    """What a spreadsheet's own heading stands for: one column named among its words
    ('Referring Physician', 'Date Received'), the question `source` answers ('How did you
    hear about us?'), or notes, which a referral row does not hold; else ''. ``part``: what
    to delete, the column of a CSV or the field of a YAML record (``notes:`` there)."""
    words = set(re.findall(r"[a-z]+", col_name.lower()))
    if words & {"hear", "heard"}:
        return " (did you mean 'source'? it holds the answer to \"how did you hear about us?\")"
    if words & _NOTES:
        return (f" (a referral {'row' if part == 'column' else 'record'} holds no notes: "
                f"delete the {part}; what an office said belongs in an interaction's notes)")
    # a column of two words named by both, in either order ('Reason Declined', 'Taken by
    # (initials)'), and a count as a sheet heads it ('# of Referrals', 'Qty')
    named = [c for c in REFERRAL_COLUMNS if set(c.split("_")) <= words]
    if not named and _COUNT_HEADING.search(col_name):
        named = ["count"]
    return f" (did you mean '{named[0]}'?)" if len(named) == 1 else ""


_COUNT_HEADING = re.compile(r"(?:#|\bnumber|\bno\.?)\s*of\s+referrals?\b|\bqty\b|\bquantity\b"
                            r"|\bhow many\b", re.I)


_DATE_CELL = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}|[0-9]{1,2}/[0-9]{1,2}/[0-9]{2,4}")


def _headless(header: list[str]) -> bool:
    """Whether the first row of a CSV is a referral's cells, not the columns' names (a file
    exported or pasted without its header row): no cell names a column, however written, one
    is a date and one the value of a choice column ('web', 'referred'). It was "N unknown
    columns … as a patient's details do", "column 3 has no name" and "missing columns"."""
    if any((_as_column(c) in COLUMN and not column_of(c.lower(), "")) or _patient_column(c)
           for c in header if c):  # ('physician' is a column and a source)
        return False  # (a cell with a patient's details keeps its own error)
    return (any(_DATE_CELL.fullmatch(c) for c in header)
            and any(column_of(c.lower(), "") for c in header))


def _check_header(loader: Loader, rel: str, line: int, header: list[str]) -> bool:
    if len(header) == 1:  # one cell: "date;source;…", as a spreadsheet set to another
        for sep, said in ((";", "semicolons"), ("\t", "tabs")):  # language saves CSV
            if len({c.strip().strip('"') for c in header[0].split(sep)} & COLUMN.keys()) > 1:
                loader.error(rel, f"the values are separated by {said}, not commas (a "
                                  "spreadsheet set to another language saved it so?): save it "
                                  "as CSV UTF-8, with commas", line=line, col=1)
                return False
    if _headless(header):
        loader.error(rel, "the first row holds a referral, not the names of the columns: the "
                          "header row is missing: add a first line that names each column, in "
                          "the order of the cells (such as date,source,physician,service,status,"
                          "count)", line=line, col=1)
        return False
    ok = True
    seen = set()
    # a header row that holds what a patient's details hold (a row of patient data where the
    # header should be: "Jane Roe,03/04/1951,00451234"): its cells are not quoted back, each
    # alone no identifier the guard knows, together a patient's name, birth date and record
    personal = any(_PERSONAL.search(c) for c in header if c not in COLUMN)
    unknown = 0
    strays = []  # (name, hint) of each unknown column said as such
    # an empty header cell: a column a spreadsheet keeps after its cells were cleared (it
    # said "column '' appears twice" and "unknown column ''")
    unnamed = [str(i) for i, col_name in enumerate(header, 1) if not col_name]
    if unnamed:
        ok = False
        many = len(unnamed) > 1
        which = (f"columns {', '.join(unnamed[:-1])} and {unnamed[-1]} of the header have"
                 if many else f"column {unnamed[0]} of the header has")
        them = "them" if many else "it"
        loader.error(rel, f"{which} no name (a spreadsheet keeps a column whose cells were "
                          f"cleared): delete {them}, or name {them}", line=line, col=1)
    for col_name in header:
        if not col_name:
            continue
        if col_name in seen:
            loader.error(rel, f"column '{'…' if personal else col_name}' appears twice in the header: delete one of "
                              "the two columns (keep the one that holds the values)", line=line,
                         col=1)
            ok = False
        named = _as_column(col_name)
        if named != col_name and named not in seen and named not in header:
            # one error, not "unknown column 'Date'" and "missing column date"; its cells are
            # still checked (``_load_referral_csv``)
            loader.error(rel, f"column '{col_name}' is the column {named} written another way: "
                              f"name it '{named}' (lower case, '_' between words)", line=line, col=1)
            seen.add(named)
            ok = False
            continue
        seen.add(col_name)
        if col_name not in COLUMN:
            ok = False
            if _patient_column(col_name):
                loader.error(rel, f"column '{col_name}' looks like patient data: {PATIENT_MESSAGE}; "
                             "remove the column", line=line, col=1)
            elif personal:
                unknown += 1
            else:
                strays.append((col_name, _heading_hint(col_name)
                               or did_you_mean(col_name, REFERRAL_COLUMNS)))
    missing = [c for c in REFERRAL_COLUMNS if c in REQUIRED_COLUMNS and c not in seen]
    if len(strays) == 1 and not strays[0][1] and len(missing) == 1:
        # one column renamed in every sheet (physician -> doctor, by a search and replace or
        # a new template): one error naming both, not "unknown column" and "missing column"
        loader.error(rel, f"unknown column '{strays[0][0]}', and the column {missing[0]} is "
                          f"missing: if '{strays[0][0]}' holds the {missing[0]} values, name "
                          f"it '{missing[0]}' (the columns are {', '.join(REFERRAL_COLUMNS)})",
                     line=line, col=1)
        return False
    for col_name, hint in strays:
        loader.error(rel, f"unknown column '{col_name}'{hint}; the columns are "
                          f"{', '.join(REFERRAL_COLUMNS)}", line=line, col=1)
    if unknown:
        loader.error(rel, f"{unknown} unknown column{'s' if unknown > 1 else ''} in the header "
                          "row, " + _WITHHELD.format(what=f"the columns {', '.join(REFERRAL_COLUMNS)}"),
                     line=line, col=1)
    if missing:
        loader.error(rel, f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                     f"in the header row: add {'them' if len(missing) > 1 else 'it'} (the "
                     f"columns are {', '.join(REFERRAL_COLUMNS)})", line=line, col=1)
        ok = False
    return ok
