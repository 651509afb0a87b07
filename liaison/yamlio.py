"""YAML text -> plain data, fast when a file is fine and exact when it is not.

Every YAML file is read into *canonical data*: dicts with text keys, lists, text and None.
Plain scalars stay the text the user wrote (``zip: 02134`` is "02134"), so the record models
decide what a value means; only the YAML null forms become None.

Two parsers give the same canonical data:

* the fast path, ``yaml_rs`` (a Rust YAML parser, about ten times faster than PyYAML's C
  loader), used for every file first. It resolves scalars by itself, so where that could have
  changed what the user wrote (a number or a boolean where text is expected), it gives up;
* the exact path, PyYAML's composer, which keeps the line and column of every node. It runs
  only for files the fast path gave up on, and to place diagnostics in files that have any.
"""
from __future__ import annotations

import datetime as dt
import re

import yaml

try:  # the Rust parser is an optimisation; without it everything takes the exact path
    import yaml_rs
except ImportError:  # pragma: no cover - declared dependency
    yaml_rs = None

try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML without libyaml
    _Loader = yaml.SafeLoader

MAX_YAML_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64
MAX_ALIAS_NODES = 10_000
NULLS = frozenset(("", "~", "null", "Null", "NULL"))

# Keys whose values are integers in every record kind; an integer anywhere else could be text
# the fast parser has reinterpreted (02134, 1.50, yes), so the file takes the exact path.
INT_KEYS = frozenset(
    ("score", "count", "npi", "visit_every_days", "lapsed_after_days", "new_within_days",
     "order", "renew_every_days")
)
_DOC_MARK = re.compile(r"^(?:---|\.\.\.)(?:[ \t]|$)", re.M)


class YamlSyntaxError(Exception):
    """The text is not one well-formed YAML document. Line and column are 1-based."""

    def __init__(self, message: str, line: int = 1, col: int = 1):
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col


class NeedExact(Exception):
    """The fast parser cannot vouch for its result; use the exact path."""


def decode(raw: bytes) -> str:
    """UTF-8 bytes (an optional byte-order mark allowed) -> text, or YamlSyntaxError at the
    first byte that is not UTF-8."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise YamlSyntaxError(
            f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x}); save it as UTF-8",
            line, col,
        ) from None
    return text[1:] if text.startswith("\ufeff") else text


def fast_load(text: str):
    """Canonical data via the fast parser, or NeedExact."""
    if yaml_rs is None or _DOC_MARK.search(text):
        raise NeedExact
    try:
        data = yaml_rs.loads(text)
    except Exception:  # any complaint: the exact path says it properly, with its place
        raise NeedExact from None
    return _canon(data, None, 0)


def _canon(value, key, depth):
    if depth > MAX_DEPTH:
        raise NeedExact
    if isinstance(value, str) or value is None:
        return value
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise NeedExact
            out[k] = _canon(v, k, depth + 1)
        return out
    if isinstance(value, list):
        return [_canon(v, key, depth + 1) for v in value]
    if type(value) is int and key in INT_KEYS:
        return str(value)
    if type(value) is dt.date:
        return value.isoformat()
    raise NeedExact  # floats, booleans, datetimes, integers where text is expected


def compose(text: str):
    """The node tree of one YAML document (with marks), or YamlSyntaxError."""
    try:
        return yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        msg = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        if mark is None:
            raise YamlSyntaxError(f"YAML syntax error: {msg}") from None
        raise YamlSyntaxError(f"YAML syntax error: {msg}", mark.line + 1, mark.column + 1) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(f"YAML syntax error: {exc}") from None
    except RecursionError:
        raise YamlSyntaxError("the YAML is nested too deeply") from None


def exact_load(text: str):
    """Canonical data via PyYAML's composer: (data, root node, problems).

    ``problems`` lists (loc, message) pairs for duplicate keys and non-text keys, which the
    fast parser also refuses; raises YamlSyntaxError for a file that is not YAML at all.
    """
    node = compose(text)
    if node is None:
        return None, None, []
    problems: list[tuple[tuple, str]] = []
    budget = [MAX_ALIAS_NODES]
    seen: set[int] = set()
    data = _construct(node, (), problems, budget, seen, 0)
    return data, node, problems


def _construct(node, loc, problems, budget, seen, depth):
    if depth > MAX_DEPTH:
        raise YamlSyntaxError(
            f"the YAML is nested more than {MAX_DEPTH} levels deep",
            node.start_mark.line + 1, node.start_mark.column + 1,
        )
    if id(node) in seen:  # an alias: its nodes are built again; bound the total (alias bombs)
        budget[0] -= 1
        if budget[0] < 0:
            raise YamlSyntaxError(
                "too many YAML aliases (anchors expanded more than "
                f"{MAX_ALIAS_NODES} times); write the values out",
                node.start_mark.line + 1, node.start_mark.column + 1,
            )
    seen.add(id(node))
    if isinstance(node, yaml.ScalarNode):
        if node.style is None and node.value in NULLS and node.tag != "tag:yaml.org,2002:str":
            return None
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [
            _construct(item, loc + (i,), problems, budget, seen, depth + 1)
            for i, item in enumerate(node.value)
        ]
    out = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            problems.append((loc, "a mapping key must be plain text", key_node))
            continue
        key = key_node.value
        if key in out:
            problems.append((loc + (key,), f"duplicate key '{key}'", key_node))
        out[key] = _construct(value_node, loc + (key,), problems, budget, seen, depth + 1)
    return out


def locate(node, loc, at: str = "value") -> tuple[int, int]:
    """Line and column (1-based) of the value (or key) at ``loc`` below ``node``; where the
    path stops existing (a missing field), the deepest node that exists."""
    if node is None:
        return 1, 1
    cur = node
    key_node = None
    for part in loc:
        nxt = None
        if isinstance(cur, yaml.MappingNode) and isinstance(part, str):
            for k, v in cur.value:
                if isinstance(k, yaml.ScalarNode) and k.value == part:
                    key_node, nxt = k, v  # the last one wins, as in the data
        elif isinstance(cur, yaml.SequenceNode) and isinstance(part, int):
            if 0 <= part < len(cur.value):
                key_node, nxt = None, cur.value[part]
        if nxt is None:
            key_node = None
            break
        cur = nxt
    else:
        if at == "key" and key_node is not None:
            cur = key_node
    mark = cur.start_mark
    return mark.line + 1, mark.column + 1
