"""Pydantic's validation errors -> the problems a person fixing the file needs to read.

Each error becomes one ``Problem`` at the location of the offending value (the record's
prefix in its file, then pydantic's ``loc``), with a message in our words: "required field is
missing", "unknown field (did you mean 'specialty'?)", "'2026-02-30' is not a real calendar
day", …
"""
from __future__ import annotations

import datetime as dt
import re
import typing
from functools import lru_cache
from pathlib import PurePosixPath

from pydantic import BaseModel

from liaison import wording, yamlio
from liaison.diagnostics import Loc, Problem, did_you_mean, format_loc
from liaison.guard import PATIENT_MESSAGE, patient_key
from liaison.models import (
    ID_RE, MARKDOWN_PATTERN, TeamMember, date_range_problem, describe, id_problem, nested_model,
    parse_date, text_problem,
)


def with_path(loc: Loc, message: str) -> str:
    """'follow_ups[0].due: message', or the message alone at the top of a file."""
    path = format_loc(loc)
    return f"{path}: {message}" if path else message


# A team member who left or joined, marked as a spreadsheet would: the records have no field
# and no role for it (README "A liaison leaves and another takes over", "A new liaison").
_LEFT_KEYS = frozenset({"left", "left_on", "leaves", "leaving", "end", "end_date", "ended",
                        "until", "departed", "departure", "departure_date", "active", "inactive",
                        "status", "former", "retired", "resigned", "terminated", "termination"})
_JOINED_KEYS = frozenset({"start", "start_date", "started", "since", "joined", "hired",
                          "hire_date", "territory", "territories", "region", "area",
                          "practices", "physicians", "accounts", "assigned"})
_LEFT_ROLE = re.compile(r"\b(former|ex|left|leaver|departed|inactive|retired|resigned|gone|"
                        r"past|previous|old)\b", re.I)
LEFT_HINT = ("one who left keeps their file with `role: other` (the visits they logged name "
             "it); give their practices' and physicians' `liaison` to who takes over, and write "
             "`owner:` on each open follow-up they owned")


def _joined_hint(member: str) -> str:
    return ("the records keep no territory or start date: a liaison's are the practices "
            f"whose file says `liaison: {member}` (and the physicians whose own file does)")


def unknown_key(name: str, options, record: str | None = None) -> str:
    """The message of a key that is no field of its record (a key that looks like patient
    data gets the guard's message instead of a hint). ``record``: the id of the team member
    whose file holds it, whose date of leaving or joining, flag or territory is said in
    other records (what to write there instead)."""
    if name.lower().startswith("patient"):
        return f"a key beginning with 'patient': {PATIENT_MESSAGE}"
    if patient_key(name):
        return f"a key that names patient data: {PATIENT_MESSAGE}"
    if record is not None and name.lower() in _LEFT_KEYS:
        return f"unknown field: the records have no field for leaving: {LEFT_HINT}"
    if record is not None and name.lower() in _JOINED_KEYS:
        return f"unknown field: {_joined_hint(record)}"
    return "unknown field" + _field_hint(name, tuple(options))


@lru_cache(maxsize=4096)
def _field_hint(name: str, options: tuple[str, ...]) -> str:
    """The "did you mean" hint of an unknown key, worked out once per key and record kind: a
    search and replace can misspell one field in thousands of records (1.4 ms each)."""
    return did_you_mean(name, options)


def pydantic_problem(rel: str, prefix: Loc, model: type[BaseModel], err: dict) -> Problem:
    """One error of ``model.model_validate`` on the record at ``prefix`` of file ``rel``."""
    # The models have no unions other than "X | None", so every part of the location is a
    # key or an index of the data.
    loc = tuple(p for p in err["loc"] if isinstance(p, (int, str)))
    full = prefix + loc
    kind = err["type"]
    holder = _model_at(model, loc) if loc else None
    member = PurePosixPath(rel).stem if holder is TeamMember else None
    if kind == "extra_forbidden" and loc:
        options = holder.model_fields if holder is not None else ()
        return Problem(rel, with_path(full, unknown_key(str(loc[-1]), options, member)),
                       loc=full, at="key")
    value = err.get("input")
    if (member is not None and loc[-1] == "role" and kind == "literal_error"
            and isinstance(value, str) and _LEFT_ROLE.search(value)):
        # 'former liaison' is no slip of 'liaison': that hint kept them in the call plans
        expected = (err.get("ctx") or {}).get("expected", "")
        return Problem(rel, with_path(full, f"'{value}' is not one of {expected}: {LEFT_HINT}"),
                       loc=full)
    if kind == "missing":
        return Problem(rel, with_path(full, "required field is missing"), loc=full)
    if len(loc) >= 2 and loc[-1] == "[key]":  # a mapping's key (a tier's): said at the key
        key = prefix + loc[:-1]
        return Problem(rel, with_path(key[:-1], f"key '{loc[-2]}': {_message(kind, err)}"),
                       loc=key, at="key")
    return Problem(rel, with_path(full, _message(kind, err)), loc=full)


# A number of days written with its unit (`30 days`, `3 months`), as a person says it
_WITH_UNIT = re.compile(r"\s*([0-9]{1,6})\s*(days?|d|weeks?|wks?|months?|mos?|years?|yrs?)\.?\s*",
                        re.I)
_UNIT_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}


def _days_hint(value, loc) -> str:
    """What to write for a field of days (``visit_every_days``) given with its unit, or ''."""
    m = _WITH_UNIT.fullmatch(value) if isinstance(value, str) else None
    if m is None or not (loc and str(loc[-1]).endswith("_days")):
        return ""
    count, unit = int(m.group(1)), m.group(2).lower()
    if unit.startswith("d"):
        return f" (write the number alone: {count})"
    return (f" (a number of days: write the digits alone, like {count * _UNIT_DAYS[unit[0]]} "
            f"for {wording.in_words(count)} {unit})")


_WHOLE_WRITTEN_OTHERWISE = re.compile(r"\+?([0-9]{1,18})(?:[.,]0+|[ \t]*%)")


def _whole_hint(value) -> str:
    """What to write for a whole number written with decimals (`score: 95.0`, as a
    spreadsheet's column formatted with decimals writes it) or as a percentage (`95%`), or ''
    (a referral's `count` said so already; a training's score said only "got the text")."""
    m = _WHOLE_WRITTEN_OTHERWISE.fullmatch(value.strip()) if isinstance(value, str) else None
    return f" (write {int(m.group(1))})" if m else ""


def _model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The model class that holds the field at ``loc`` (for 'did you mean' hints)."""
    cur = model
    key = False  # the part is a key of a mapping of records (site.yaml's `tiers.A`), no field
    for part in loc[:-1]:
        if isinstance(part, int) or key:
            key = False
            continue
        info = cur.model_fields.get(part)
        if info is None:
            return None
        nested = nested_model(info.annotation)
        if nested is None:
            return None
        key = typing.get_origin(info.annotation) is dict
        cur = nested
    return cur


# What a list item written between brackets may hold and still be read as the same text.
_FLOW_UNSAFE = set("[]{}#:\"'&*!|>%@`")


def _list_hint(value) -> str:
    """How to write as a list what was written as text (`office_days: tue, wed`): the items
    in brackets when that reads back as the same items, else one a line after '- '."""
    if not isinstance(value, str) or not value.strip() or yamlio.odd_space_hint(value):
        return ""
    items = [item.strip() for item in value.split(",")]
    if all(item and not _FLOW_UNSAFE & set(item) and item[0] not in "-?" for item in items):
        return (f": write its items in brackets, [{', '.join(items)}], or each on a line of "
                "its own after '- '")
    return ": write its items each on a line of its own after '- '"


def _message(kind: str, err: dict) -> str:
    """A pydantic error -> the message a person fixing the file needs."""
    value = err.get("input")
    ctx = err.get("ctx") or {}
    if kind == "value_error":
        return str(ctx["error"]) if "error" in ctx else err["msg"].removeprefix("Value error, ")
    if kind == "literal_error":
        expected = ctx.get("expected", "")
        if not isinstance(value, str):
            return f"expected one of {expected}, got {describe(value)}"
        options = [o.strip(" '") for o in expected.replace(" or ", ", ").split(",")]
        near = did_you_mean(value, options)
        if not near:  # a word written whole where its short form goes: 'Wednesday' for 'wed'
            whole = [o for o in options if len(o) >= 3 and value.strip().lower().startswith(o)]
            near = f" (did you mean '{whole[0]}'?)" if len(whole) == 1 else ""
        return f"'{value}' is not one of {expected}{near}"
    if kind.startswith("date"):
        if isinstance(value, str):
            try:
                parse_date(value.strip())
            except ValueError as exc:
                return str(exc)
        return f"expected a date (YYYY-MM-DD), got {describe(value)}"
    if kind == "string_pattern_mismatch" and isinstance(value, str):
        pattern = ctx.get("pattern")
        if pattern != ID_RE.pattern:
            return text_problem(value.strip(), markdown=pattern == MARKDOWN_PATTERN) or err["msg"]
        return id_problem(value.strip()) or err["msg"]
    if kind == "string_too_long" and isinstance(value, str):
        return id_problem(value) or err["msg"]
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_type":
        return f"expected text, got {describe(value)}"
    if kind.startswith("int"):
        digits = value.strip().lstrip("+-") if isinstance(value, str) else ""
        if digits.isascii() and digits.isdigit():
            if len(digits) > 18:  # past 18 digits: kept as text by the loader
                return f"'{value.strip()}' is too large a number: write at most 18 digits"
            # written in quotes ('92'): text, not a number
            return (f"expected a whole number, got {describe(value)} (write it without "
                    f"quotes: {value.strip()})")
        return (f"expected a whole number, got {describe(value)}"
                f"{_days_hint(value, err['loc']) or _whole_hint(value)}")
    if kind == "list_type":
        return f"expected a list, got {describe(value)}{_list_hint(value)}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"expected a record's fields (lines `field: value`), got {describe(value)}"
    if kind == "too_short":
        return "must not be empty"
    if kind in ("greater_than_equal", "less_than_equal") and isinstance(value, dt.date):
        return date_range_problem(value)
    if kind in ("greater_than_equal", "less_than_equal"):
        bound = (err.get("ctx") or {}).get("ge" if kind == "greater_than_equal" else "le")
        if bound is None:
            return err["msg"].replace("Input should be", "must be") + f", got {value!r}"
        least = kind == "greater_than_equal"
        return f"must be {'at least' if least else 'at most'} {bound}, got {value!r}"
    return err["msg"]
