"""The options of `new KIND`, read off the fields of the record's model.

Each field gives one option: its name (``--best-visit-times``; a list field's in the singular
and repeatable: ``--tag``), its help (the field's description), its values (an enum's values, an
integer with its minimum, a date, an id) and whether it is required. A field added to a model is
an option of `new` at once. A kind overrides a field's help, note or metavar only where the
description alone would mislead on the command line. A list of records (a practice's staff, an
interaction's follow-ups) has no option: the file shows it as a commented example.

``collect`` turns the values given into a record's values. No click here: the command line is
built from these options in ``liaison.cli``.
"""
from __future__ import annotations

import datetime as dt
import re
import types
import typing
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable, Mapping

import annotated_types
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from liaison.models import ID_RE, id_problem, parse_date
from liaison.scaffold.yamltext import shape


class BadValue(Exception):
    """A value given on the command line is wrong (a usage error, exit 2): the option it came
    from (None: several, or none in particular) and what is wrong with it."""

    def __init__(self, message: str, option: str | None = None):
        super().__init__(message)
        self.message = message
        self.option = option


@dataclass(frozen=True)
class Option:
    """One option of `new KIND`, for one field of the model."""

    field: str
    flag: str  # "--office-day"
    help: str
    required: bool = False
    multiple: bool = False  # a list field: the option is repeated
    choices: tuple[str, ...] | None = None
    value: str = "text"  # "text", "id", "date", "int" or "choice"
    minimum: int | None = None  # of an "int"
    metavar: str | None = None
    today: bool = False  # a date the record needs: today (SOURCE_DATE_EPOCH's) when not given


@dataclass(frozen=True, eq=False)
class Kind:
    """One `new KIND` command: the model of the file it writes, its help, and ``write(site, id,
    values, warn)``, which writes the file and returns its path relative to the site root."""

    name: str
    model: type[BaseModel]
    help: str
    write: Callable
    short_help: str | None = None
    takes_id: bool = True  # an ID argument: the file name
    # field -> {"help": the whole help, "note": what follows the description, "metavar": …}
    overrides: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


def flag(name: str, multiple: bool) -> str:
    """The option of a field: ``best_visit_times`` -> ``--best-visit-times``; a list field's in
    the singular (``tags`` -> ``--tag``), since it is given once per value."""
    if multiple and name.endswith("s"):
        name = name[:-1]
    return "--" + name.replace("_", "-")


def flags(model: type[BaseModel]) -> dict[str, str]:
    """Field -> the option that sets it, for messages about a value."""
    return {name: flag(name, shape(info.annotation)[0] == "list")
            for name, info in model.model_fields.items()}


def options(kind: Kind) -> list[Option]:
    """The options of `new KIND`: the required ones first, each group in the model's order."""
    found = []
    for name, info in kind.model.model_fields.items():
        option = _option(name, info, kind.overrides.get(name, {}))
        if option is not None:
            found.append(option)
    return sorted(found, key=lambda option: not option.required)


def _option(name: str, info, override: Mapping[str, str]) -> Option | None:
    form, _nested = shape(info.annotation)
    if form == "nested":
        return None
    types_, meta = _flatten(info.annotation, info.metadata)
    multiple = form == "list"
    if multiple:  # what one value of the list is
        listed = next(t for t in types_ if typing.get_origin(t) is list)
        types_, meta = _flatten(typing.get_args(listed)[0])
    choices = tuple(a for t in types_ if typing.get_origin(t) is typing.Literal
                    for a in typing.get_args(t))
    if form == "date":
        value = "date"
    elif int in types_:
        value = "int"
    elif Decimal in types_:
        value = "amount"
    elif any(getattr(m, "pattern", None) == ID_RE.pattern for m in meta):
        value = "id"
    else:
        value = "choice" if choices else "text"
    dated = value == "date" and info.is_required() and not multiple  # today, if not given
    description = (info.description or "").strip()
    if "help" in override:
        text = override["help"]
    elif dated:
        text = description.removesuffix(".") + " (default: SOURCE_DATE_EPOCH's date, else today)."
    else:
        note = override.get("note")
        if note is None:
            has_default = (info.default_factory is None
                           and info.default not in (None, PydanticUndefined))
            note = (" Repeatable." if multiple
                    else f" Default: {info.default}." if has_default else "")
        text = description + note
    metavar = override.get("metavar") or {"date": "YYYY-MM-DD", "id": "ID"}.get(value)
    return Option(name, flag(name, multiple), text, required=info.is_required() and not dated,
                  multiple=multiple, choices=choices or None, value=value,
                  minimum=_minimum(meta) if value == "int" else None, metavar=metavar,
                  today=dated)


def _flatten(annotation, metadata=()) -> tuple[list, list]:
    """The types a value may have (None left out) and the constraints on them, with unions
    and ``Annotated`` opened."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        base, *extra = typing.get_args(annotation)
        return _flatten(base, (*metadata, *extra))
    if origin in (typing.Union, types.UnionType):
        found, meta = [], list(metadata)
        for arg in typing.get_args(annotation):
            if arg is not type(None):
                t, m = _flatten(arg)
                found += t
                meta += m
        return found, meta
    return [annotation], list(metadata)


def _minimum(meta) -> int | None:
    for m in meta:
        if isinstance(m, annotated_types.Ge):
            return m.ge
        inner = _minimum(getattr(m, "metadata", None) or ())  # Field(ge=…) inside Annotated
        if inner is not None:
            return inner
    return None


# ------------------------------------------------------------------------------ values


def check_id(value: str, option: str) -> str:
    """An id given (stripped), or BadValue."""
    value = value.strip()
    problem = id_problem(value)
    if problem:
        raise BadValue(problem, option)
    return value


def read_date(value: str, option: str) -> dt.date:
    try:
        return parse_date(value.strip())
    except ValueError as exc:
        raise BadValue(str(exc), option) from None


def default_date(option: str) -> dt.date:
    """SOURCE_DATE_EPOCH's date, else today: the default of a date the record needs."""
    from liaison.pipeline import resolve_as_of

    try:
        return resolve_as_of(None)
    except ValueError as exc:
        raise BadValue(f"{exc}; give {option}") from None


def read_amount(value: str):
    """An amount as a number (written plain in the file), or the text when it is none (the
    model then says what is wrong with it)."""
    if re.fullmatch(r"\s*[0-9]{1,12}(\.[0-9]+)?\s*", value):
        return Decimal(value.strip())
    return value


def collect(kind: Kind, given: Mapping) -> dict:
    """The values given (field -> value as the command line read it) -> the record's values:
    ids checked, dates read, text stripped, empty optional text and lists left out, a value
    given twice listed once. BadValue when a value is wrong."""
    values: dict = {}
    for option in options(kind):
        raw = given.get(option.field)
        if option.multiple:
            raw = [check_id(v, option.flag) if option.value == "id" else v for v in raw or ()]
        elif raw is None:
            raw = default_date(option.flag) if option.today else None
        elif option.value == "id":
            raw = check_id(raw, option.flag)
        elif option.value == "date":
            raw = read_date(raw, option.flag)
        elif option.value == "amount":  # written as a YAML number; the model checks it
            raw = read_amount(raw)
        if option.required or option.today:
            values[option.field] = raw.strip() if isinstance(raw, str) else raw
        else:
            put(values, option.field, raw)
    return values


def put(values: dict, name: str, value) -> None:
    """Set an optional value; empty text and empty lists count as not given."""
    if value is None:
        return
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return
    if isinstance(value, (list, tuple)):
        value = [v.strip() for v in value if v.strip()]
        if not value:
            return
        value = list(dict.fromkeys(value))  # a value given twice is listed once
    values[name] = value
