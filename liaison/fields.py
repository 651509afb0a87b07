"""What the record models say about their fields, beyond validation: which values name
another record (the reference checks).

The models (``liaison.models``) declare it with a marker in their fields' types,
``Annotated[Id, Ref("team")]``; the functions here read the markers back, so that the checks
follow the models and nothing else. (The patient guard needs no marker: it scans every
string, SPEC §3.)
"""
from __future__ import annotations

import types
import typing
from dataclasses import dataclass

from pydantic import BaseModel
from pydantic.fields import FieldInfo


@dataclass(frozen=True)
class Ref:
    """Marks an id field as a reference to a record of ``kind``: a data folder (``team``,
    ``practices``, ``physicians``), ``training`` or ``presentations`` (guides and decks), or a
    key of site.yaml (``tiers``, ``services``)."""

    kind: str


Path = tuple[str, ...]  # field names, "*" for every item of a list
_UNIONS = (typing.Union, types.UnionType)


def markers(info_or_annotation) -> list:
    """The markers of a field (a pydantic FieldInfo) or of a type, at its top level (the
    arms of ``X | None`` included, not the items of a list)."""
    if isinstance(info_or_annotation, FieldInfo):
        return list(info_or_annotation.metadata) + markers(info_or_annotation.annotation)
    origin = typing.get_origin(info_or_annotation)
    if origin is typing.Annotated:
        args = typing.get_args(info_or_annotation)
        return list(args[1:]) + markers(args[0])
    if origin in _UNIONS:
        return [m for arm in typing.get_args(info_or_annotation) for m in markers(arm)]
    return []


def _parts(annotation):
    """The types a type is made of, one level down: X | None -> X; Annotated[X, …] -> X."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _parts(typing.get_args(annotation)[0])
    if origin in _UNIONS:
        return [p for a in typing.get_args(annotation) if a is not type(None) for p in _parts(a)]
    return [annotation]


def walk_fields(model: type[BaseModel], path: Path = ()):
    """(path, type, markers) for every field and every part of one (list items, mapping keys
    and values, the fields of nested models), depth first. Mapping keys get the path element
    "<key>", mapping values "<value>"."""
    for name, info in model.model_fields.items():
        yield from _walk_type(info.annotation, markers(info), path + (name,))


def _walk_type(annotation, marks: list, path: Path):
    yield path, annotation, marks
    for part in _parts(annotation):
        origin, args = typing.get_origin(part), typing.get_args(part)
        if origin is list:
            yield from _walk_type(args[0], markers(args[0]), path + ("*",))
        elif origin is dict:
            yield from _walk_type(args[0], markers(args[0]), path + ("<key>",))
            yield from _walk_type(args[1], markers(args[1]), path + ("<value>",))
        elif isinstance(part, type) and issubclass(part, BaseModel):
            yield from walk_fields(part, path)


def _marker(marks: list, cls):
    return next((m for m in marks if isinstance(m, cls)), None)


def references(model: type[BaseModel]) -> tuple[tuple[Path, str], ...]:
    """(path, kind) for every reference a record of ``model`` can make: ("liaison",) "team",
    ("follow_ups", "*", "owner") "team", ("physicians", "*") "physicians", …"""
    out = []
    for path, _annotation, marks in walk_fields(model):
        ref = _marker(marks, Ref)
        if ref is not None:
            if "<key>" in path or "<value>" in path:  # the checks walk fields and lists only
                raise TypeError(f"{model.__name__}.{'.'.join(path)}: no Ref inside a mapping")
            out.append((path, ref.kind))
    return tuple(out)
