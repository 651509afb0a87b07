"""JSON Schema (draft 2020-12) of every record kind, for editors' YAML validation (SPEC §5).

The schemas are generated from the record models (``liaison.models``) and then adjusted to what
an editor's YAML language server sees in a file, which is not what the loader hands the models:

* the language server reads YAML 1.2 and has no date type, so ``date: 2026-08-05`` is the text
  "2026-08-05": a date is a string of the form YYYY-MM-DD, from 1900 to 2099 (``format: date``
  for tools that check calendar days);
* the loader reads an unquoted scalar in a text field as the text the user wrote
  (``zip: 02134`` is "02134"), while the language server sees the number 2134: a text field
  accepts a string or a number, and an id field a string or a whole number;
* ``npi`` is 10 digits, quoted or not; counts and day numbers are integers;
* a text holds no control character and, unless it is Markdown, no line break (SPEC §2), the
  spaces and line breaks around it aside (the loader strips them);
* unknown fields are errors (``additionalProperties: false`` on every record);
* the rules across fields that JSON Schema can say are said: an interaction names a practice or
  physicians; a referral names a physician exactly when its source is ``physician``, and a
  declined reason only when its status is ``declined``.

The field descriptions of the models are kept: editors show them as hover text. The rules that
need other files (dangling ids, duplicate NPIs, the NPI check digit, a follow-up done before its
interaction) are left to ``python build.py validate``.

``write_schemas(out_dir)`` writes the files (sorted keys, 2-space indent, trailing newline:
deterministic); the command ``liaison schema [--out DIR]`` (``liaison.cli``) calls it, and so does
``python -m liaison.schema``, which runs that command.
"""
from __future__ import annotations

import copy
import json
import os
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from liaison.models import (
    DECLINED, ID_MAX, ID_RE, DeckMeta, GuideMeta, Interaction, Physician, Practice, Referral,
    SiteConfig, TeamMember,
)

DIALECT = "https://json-schema.org/draft/2020-12/schema"
# The schemas' identifiers. They are names, not addresses (".invalid" never resolves): editors
# load the files from schemas/ through the paths in .vscode/settings.json.
ID_BASE = "https://liaison.invalid/schemas/"

# YYYY-MM-DD from 1900 to 2099 (models.DATE_MIN, DATE_MAX); ASCII digits, as the loader reads
DATE_PATTERN = r"^(?:19|20)[0-9]{2}-[0-9]{2}-[0-9]{2}$"
NPI_PATTERN = r"^\s*\d{10}\s*$"
# SPEC §2 (models.LINE_PATTERN, MARKDOWN_PATTERN): no control character (but tab and, in
# Markdown, line breaks) and no bidirectional control; a text that is not Markdown is one line.
# The loader strips the spaces and line breaks around a text first (a one-line field written
# as a `>` block ends with one): they are allowed at both ends.
_NOT_IN_LINE = r"\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_NOT_IN_MARKDOWN = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
LINE = rf"^\s*(?:[^{_NOT_IN_LINE}\s][^{_NOT_IN_LINE}]*)?\s*$"
NOT_BLANK_LINE = rf"^\s*[^{_NOT_IN_LINE}\s][^{_NOT_IN_LINE}]*\s*$"
MARKDOWN = rf"^[^{_NOT_IN_MARKDOWN}]*$"  # (no \s* around: linear on a long note)
# The loader reads an unquoted scalar as the text written; a YAML 1.2 reader sees a number in
# `zip: 02134` or `phone: 5035550100`. (Not booleans: editors would offer true/false in every
# text field, and only `true`/`false` are booleans in YAML 1.2.)
TEXT_TYPES = ["string", "number"]
ID_TYPES = ["string", "integer"]

# Non-standard, widely supported (VS Code, yaml-language-server): the message for a pattern
# mismatch, instead of the bare regular expression.
_MSG = "patternErrorMessage"
DATE_MESSAGE = "Write a date as YYYY-MM-DD, from 1900 to 2099 (for example 2026-08-05)."
ID_MESSAGE = (
    f"An id uses lower-case letters, digits and single hyphens, at most {ID_MAX} characters "
    "(like 'mountain-view-family')."
)
LINE_MESSAGE = "One line of text, without control characters."
BLANK_MESSAGE = "Must not be empty: one line of text, without control characters."
MARKDOWN_MESSAGE = "Must not hold control characters."
NPI_MESSAGE = "An NPI has exactly 10 digits."


@dataclass(frozen=True)
class Kind:
    """One record kind: its schema file, model, and the site files it describes."""

    file: str
    model: type[BaseModel]
    title: str
    shape: str  # "record", "record-or-list" (interactions) or "list" (referrals)
    globs: tuple[str, ...]  # site files, relative to the site root
    yaml: bool = True  # False: Markdown front matter, which YAML editors do not validate


KINDS: tuple[Kind, ...] = (
    Kind("site.schema.json", SiteConfig, "Liaison site.yaml", "record",
         ("site.yaml", "site.yml")),
    Kind("practice.schema.json", Practice, "Liaison practice", "record",
         ("data/practices/*.yaml", "data/practices/*.yml")),
    Kind("physician.schema.json", Physician, "Liaison physician", "record",
         ("data/physicians/*.yaml", "data/physicians/*.yml")),
    Kind("team-member.schema.json", TeamMember, "Liaison team member", "record",
         ("data/team/*.yaml", "data/team/*.yml")),
    Kind("interaction.schema.json", Interaction, "Liaison interactions", "record-or-list",
         ("data/interactions/**/*.yaml", "data/interactions/**/*.yml")),
    Kind("referrals.schema.json", Referral, "Liaison referrals", "list",
         ("data/referrals/**/*.yaml", "data/referrals/**/*.yml")),
    Kind("training-guide.schema.json", GuideMeta, "Liaison training guide front matter",
         "record", ("content/training/*.md",), yaml=False),
    Kind("deck.schema.json", DeckMeta, "Liaison presentation deck front matter",
         "record", ("content/presentations/*.md",), yaml=False),
)


# ----------------------------------------------------------------------------- generation


def schemas() -> dict[str, dict]:
    """File name -> JSON Schema, for every record kind."""
    return {kind.file: _kind_schema(kind) for kind in KINDS}


def dumps(schema: dict) -> str:
    """The file text of a schema: sorted keys, 2-space indent, trailing newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_schemas(out_dir: Path) -> list[Path]:
    """Write every schema into ``out_dir`` (created if need be); the paths written, sorted."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in sorted(schemas().items()):
        path = out_dir / name
        data = dumps(schema).encode("utf-8")
        # Unchanged files are left alone (their modification time too). Another is replaced
        # whole, never written through: a link is replaced, not the file it points to.
        if not (path.is_file() and not path.is_symlink() and path.read_bytes() == data):
            tmp = path.with_name(f".{name}.tmp-{os.getpid()}")
            try:
                tmp.write_bytes(data)
                os.replace(tmp, path)
            finally:
                tmp.unlink(missing_ok=True)
        written.append(path)
    return written


def vscode_yaml_schemas(schema_dir: str = "./schemas") -> dict[str, list[str]]:
    """The ``yaml.schemas`` setting of the Red Hat YAML extension for the YAML kinds."""
    return {f"{schema_dir}/{k.file}": list(k.globs) for k in KINDS if k.yaml}


def _kind_schema(kind: Kind) -> dict:
    raw = kind.model.model_json_schema(mode="validation")
    defs = {name: _fix(node) for name, node in raw.pop("$defs", {}).items()}
    record = _fix(raw)
    record.pop("title", None)
    _PATCHES.get(kind.model, lambda r: None)(record)
    name = kind.model.__name__
    doc = record.get("description", "")
    head = {"$schema": DIALECT, "$id": ID_BASE + kind.file, "title": kind.title}
    if kind.shape == "record":
        out = {**head, **record}
        if defs:
            out["$defs"] = defs
        return out
    defs[name] = record
    array = {"type": "array", "minItems": 1, "items": {"$ref": f"#/$defs/{name}"}}
    if kind.shape == "list":
        return {**head, "description": f"{doc} The file holds a list of them.", **array,
                "$defs": defs}
    return {
        **head,
        "description": f"{doc} The file holds one record or a list of records.",
        "oneOf": [
            {"$ref": f"#/$defs/{name}"},
            {**array, "description": "A list of interactions."},
        ],
        "$defs": defs,
    }


_SCHEMA_MAPS = ("properties", "$defs", "patternProperties", "dependentSchemas")
_SCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
_SCHEMA_ONE = ("items", "additionalProperties", "propertyNames", "not", "if", "then", "else",
               "contains")
_MERGEABLE = frozenset(("type", "pattern", "minLength", "maxLength", "format", "minimum",
                        "maximum", _MSG))


def _fix(node):
    """One pydantic schema node -> the schema of what a user writes in YAML (a new node)."""
    if not isinstance(node, dict):
        return node
    node = copy.deepcopy(node)
    for key in _SCHEMA_MAPS:
        if isinstance(node.get(key), dict):
            node[key] = {k: _fix(v) for k, v in node[key].items()}
    for key in _SCHEMA_LISTS:
        if isinstance(node.get(key), list):
            node[key] = [_fix(v) for v in node[key]]
    for key in _SCHEMA_ONE:
        if isinstance(node.get(key), dict):
            node[key] = _fix(node[key])

    # Pydantic's titles are the field names title-cased ("Lapsed After Days"): noise in a hover.
    node.pop("title", None)
    # `default: null` would make editors complete `phone: null`.
    if "default" in node and node["default"] is None:
        del node["default"]

    if node.get("type") == "string" and "enum" not in node and "const" not in node:
        if node.get("format") == "date":
            node["pattern"] = DATE_PATTERN
            node[_MSG] = DATE_MESSAGE
        elif node.get("pattern") == ID_RE.pattern:
            node["type"] = list(ID_TYPES)
            node["minimum"] = 0
            node[_MSG] = ID_MESSAGE
        elif "pattern" not in node and "format" not in node:  # free text
            node["type"] = list(TEXT_TYPES)
            if node.get("minLength"):
                node["pattern"], node[_MSG] = NOT_BLANK_LINE, BLANK_MESSAGE
            else:
                node["pattern"], node[_MSG] = LINE, LINE_MESSAGE
    if node.get("type") == "object" and "properties" in node:
        node.setdefault("additionalProperties", False)

    # {anyOf: [X, {type: null}]} with a plain X -> X with "null" among its types.
    branches = node.get("anyOf")
    if isinstance(branches, list) and len(branches) == 2 and {"type": "null"} in branches:
        other = branches[0] if branches[1] == {"type": "null"} else branches[1]
        if set(other) <= _MERGEABLE and "type" in other:
            del node["anyOf"]
            types = other["type"] if isinstance(other["type"], list) else [other["type"]]
            node.update(other)
            node["type"] = [*types, "null"]
    # Markdown (the media type is on the field, around its text-or-null): line breaks allowed
    if node.get("contentMediaType") == "text/markdown" and node.get("pattern") == LINE:
        node["pattern"], node[_MSG] = MARKDOWN, MARKDOWN_MESSAGE
    return node


# --------------------------------------------------------------------- per-model patches


def _physician(record: dict) -> None:
    npi = record["properties"]["npi"]
    description = npi.get("description")
    npi.clear()
    npi.update({
        "description": description,
        "type": ["string", "integer", "null"],
        "pattern": NPI_PATTERN,
        _MSG: NPI_MESSAGE,
        "minimum": 1_000_000_000,
        "maximum": 9_999_999_999,
    })


def _interaction(record: dict) -> None:
    # SPEC §2: at least one of practice / physicians.
    record["anyOf"] = [
        {"required": ["practice"], "properties": {"practice": {"not": {"type": "null"}}}},
        {"required": ["physicians"], "properties": {"physicians": {"minItems": 1}}},
    ]


def _referral(record: dict) -> None:
    props = record["properties"]
    # The loader reads an empty status or count as the default.
    status = props["status"]
    status["enum"] = [*status["enum"], None]
    status["type"] = ["string", "null"]
    props["count"]["type"] = ["integer", "null"]
    # physician: required when source is physician, forbidden otherwise.
    record["if"] = {"required": ["source"], "properties": {"source": {"const": "physician"}}}
    record["then"] = {
        "required": ["physician"],
        "properties": {"physician": {"type": list(ID_TYPES)}},
    }
    record["else"] = {"properties": {"physician": {
        "type": "null",
        # Non-standard, shown by VS Code and yaml-language-server instead of "expected null".
        "errorMessage": "physician is only allowed when source is physician.",
    }}}
    # declined_reason: only when status is declined (a status left out or empty is referred).
    record["allOf"] = [{
        "if": {"required": ["status"], "properties": {"status": {"const": DECLINED}}},
        "else": {"properties": {"declined_reason": {
            "type": "null",
            "errorMessage": "declined_reason is only allowed when status is declined.",
        }}},
    }]


def _site(record: dict) -> None:
    # `compliance:` or `repository:` with nothing under it is an error (models._section), not
    # the section left out: no null in the editor either.
    for name in ("compliance", "repository"):
        prop = record["properties"][name]
        prop.update(next(b for b in prop.pop("anyOf") if b != {"type": "null"}))


def _deck(record: dict) -> None:
    # `targets:` left empty means all practices.
    record["properties"]["targets"]["anyOf"].append({"type": "null"})


_PATCHES = {SiteConfig: _site, Physician: _physician, Interaction: _interaction,
            Referral: _referral, DeckMeta: _deck}


if __name__ == "__main__":  # `python -m liaison.schema [--out DIR]` is `liaison schema`
    import sys

    from liaison.cli import main

    main.main(["schema", *sys.argv[1:]], prog_name="python -m liaison.schema")
