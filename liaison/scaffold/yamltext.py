"""Writing a record file's text: every field of its model, the values given as YAML that reads
back exactly, the others as comments carrying the field's description."""
from __future__ import annotations

import datetime as dt
import re
import typing
from decimal import Decimal

import yaml
from pydantic import BaseModel

from liaison import yamlio

_INF = float("inf")
COMMENT_COLUMN = 34  # descriptions line up here unless the value is longer
HOW_TO_FILL = (
    'To fill in a field, remove the "# " in front of it and write the value after the colon;',
    "fields left as comments stay empty (delete them if you like). Quote text that starts with",
    "a special character or holds \": \" or \" #\", e.g. summary: \"Lunch: Dr. O'Neil's team\".",
    "Dates are written YYYY-MM-DD. Check the file with `liaison validate`.",
)


def _reads_back(line: str, value) -> bool:
    """Whether ``line`` (``k: …``) reads back as ``{"k": value}`` with both of the loader's
    parsers (PyYAML, and the YAML 1.2 fast parser, which types 1e3 or 0o17 as numbers)."""
    try:
        if yaml.safe_load(line) != {"k": value}:
            return False
        # the loader's fast parser too, when it is in use
        return yamlio.yaml_rs is None or yamlio.yaml_rs.loads(line) == {"k": value}
    except Exception:
        return False


def _double_quoted(text: str) -> str:
    return yaml.safe_dump(text, default_style='"', allow_unicode=True, width=_INF).strip()


def scalar(value, in_list: bool = False) -> str:
    """One value as YAML that reads back as exactly that value: plain when that is safe,
    else double-quoted (on one line). Dates are written plain (YYYY-MM-DD)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if type(value) is int:  # a count, an order, a number of days
        return str(value)
    if isinstance(value, Decimal):  # an amount in dollars, as written: 42.5, 85.01
        return format(value, "f")
    text = str(value)
    if _plainly_text(text, in_list):
        return text
    if _DIGITS.match(text):  # an NPI, a ZIP code: a number when plain
        return f'"{text}"'
    if _DIGIT_GROUPS.match(text) and not _DATE_LIKE.match(text):  # 828-555-0190, 02138-0004
        return text
    if in_list:
        plain = yaml.safe_dump([text], default_flow_style=True, allow_unicode=True,
                               width=_INF).strip()[1:-1]
        probe = f"k: [{plain}]"
        expected = [text]
    else:
        plain = yaml.safe_dump({"k": text}, allow_unicode=True, width=_INF).strip()[3:]
        probe = f"k: {plain}"
        expected = text
    if "\n" not in plain and plain[:1] not in ("'", '"') and _reads_back(probe, expected):
        return plain
    return _double_quoted(text)


# Text that every YAML parser reads as that text when written plain: words of letters and
# digits with a little punctuation that is never an indicator here, starting with a letter (or
# a house number and a word), and none of the words YAML 1.1 reads as a boolean or null. A fast
# path: whatever it does not cover takes the dump-and-read-back route.
_PLAIN = re.compile(r"(?:[A-Za-z]|[0-9]+ [A-Za-z])(?:[A-Za-z0-9 .,'&()/-]*[A-Za-z0-9.)])?\Z")
_PLAIN_IN_LIST = re.compile(r"(?:[A-Za-z]|[0-9]+ [A-Za-z])(?:[A-Za-z0-9 .'&()/-]*[A-Za-z0-9.)])?\Z")
_DIGITS = re.compile(r"[0-9]+\Z")
_DIGIT_GROUPS = re.compile(r"[0-9]+(?:-[0-9]+)+\Z")
_DATE_LIKE = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}\Z")
_KEYWORDS = {"y", "yes", "n", "no", "true", "false", "on", "off", "null"}


def _plainly_text(text: str, in_list: bool) -> bool:
    return (bool((_PLAIN_IN_LIST if in_list else _PLAIN).match(text))
            and text == text.strip() and "  " not in text
            and text.lower() not in _KEYWORDS)


def _block(text: str) -> list[str] | None:
    """A multi-line text as the lines of a literal block (``|-``), or None when a literal
    block cannot hold it exactly (then it is written double-quoted)."""
    lines = text.split("\n")
    if text != text.strip() or lines[0][:1] in (" ", "\t"):
        return None
    if any(not ch.isprintable() and ch != "\t" for ch in text.replace("\n", "")):
        return None
    if any(line.rstrip(" \t") != line for line in lines):
        return None  # trailing blanks are invisible in a file: keep them quoted instead
    return [("  " + line) if line else "" for line in lines]


def _base(annotation):
    """The type below ``Annotated[X, …]`` (a date within its range: models.Date)."""
    if typing.get_origin(annotation) is typing.Annotated:
        return typing.get_args(annotation)[0]
    return annotation


def shape(annotation) -> tuple[str, type[BaseModel] | None]:
    """A field's shape (how it is written, and its option of `new`): ('nested', Model) for a
    list of records, ('list', None) for a list of values, ('date', None) for a date,
    ('scalar', None) otherwise."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    origin = typing.get_origin(annotation)
    if origin is list:
        item = args[0] if args else None
        if isinstance(item, type) and issubclass(item, BaseModel):
            return "nested", item
        return "list", None
    if annotation is dt.date or any(_base(a) is dt.date for a in args):
        return "date", None
    for arg in args:
        if typing.get_origin(arg) is list:
            return shape(arg)
    return "scalar", None


def _describe(info, kind: str) -> str:
    desc = (info.description or "").strip()
    if kind == "date" and "YYYY-MM-DD" not in desc:
        desc = desc[:-1] + " (YYYY-MM-DD)." if desc.endswith(".") else f"{desc} (YYYY-MM-DD)"
    return desc


def render(model: type[BaseModel], values: dict, header: list[str]) -> str:
    """The text of a record file: the header as comments, then every field of ``model`` in
    order, with its value from ``values`` or commented out, each with its description."""
    rows: list[tuple[str, str]] = []  # (left part, description); description "" = none
    for name, info in model.model_fields.items():
        kind, nested = shape(info.annotation)
        desc = _describe(info, kind)
        if name in values:
            value = values[name]
            if kind == "nested" and isinstance(value, (list, tuple)):  # follow-ups: records
                rows.append((f"{name}:", desc))
                for item in value:
                    lead = "  - "
                    for sub in nested.model_fields:
                        if sub in item:
                            rows.append((f"{lead}{sub}: {scalar(item[sub])}", ""))
                            lead = "    "
            elif kind == "list" and isinstance(value, (list, tuple)):
                items = ", ".join(scalar(v, in_list=True) for v in value)
                rows.append((f"{name}: [{items}]", desc))
            elif isinstance(value, str) and "\n" in value and (block := _block(value)):
                rows.append((f"# {desc}", ""))
                rows.append((f"{name}: |-", ""))
                rows.extend((line, "") for line in block)
            else:
                rows.append((f"{name}: {scalar(value)}", desc))
        elif kind == "nested":
            rows.append((f"# {name}:", desc))
            first = True
            for sub, sub_info in nested.model_fields.items():
                sub_kind, _ = shape(sub_info.annotation)
                lead = "#   - " if first else "#     "
                need = "" if sub_info.is_required() else " Optional."
                rows.append((f"{lead}{sub}:", _describe(sub_info, sub_kind) + need))
                first = False
        elif kind == "list":
            rows.append((f"# {name}: []", desc))
        else:
            rows.append((f"# {name}:", desc))
    width = max([len(left) for left, d in rows if d and len(left) < COMMENT_COLUMN] or [0]) + 2
    out = [f"# {h}".rstrip() for h in header]
    out.append("")
    for left, desc in rows:
        if not desc:
            out.append(left)
        else:
            pad = width - len(left) if len(left) < width else 2
            out.append(f"{left}{' ' * pad}# {desc}")
    return "\n".join(out) + "\n"


def render_list_item(model: type[BaseModel], values: dict, header: list[str]) -> str:
    """A file holding a list of one record: ``render``'s text with the fields as its item."""
    head, _blank, body = render(model, values, header).partition("\n\n")
    lines = body.rstrip("\n").split("\n")
    return "\n".join([head, "", "- " + lines[0], *("  " + line for line in lines[1:])]) + "\n"


def file_header(title: str, command: str) -> list[str]:
    """The comment at the top of a record file written by ``liaison new COMMAND``."""
    return [title, f"Written by `liaison new {command}`.", "", *HOW_TO_FILL]
