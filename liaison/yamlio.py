"""YAML text -> plain data, fast when a file is fine and exact when it is not.

Two parsers:

* the fast path, ``yaml_rs`` (a Rust YAML parser, about ten times faster than PyYAML's C
  loader), used for every file first. It types scalars the YAML 1.2 way, so ``zip: 02134``
  comes out as the number 2134; the record models are strict (text fields take only text),
  so such a file fails validation and is read again by:
* the exact path, PyYAML's composer, which keeps the text the user wrote for every plain
  scalar (``zip: 02134`` is "02134"), types only dates and counts by their key (``DATE_KEYS``,
  ``INT_KEYS``) and knows the line and column of every node. It runs for files the fast path
  refused or that failed validation, and to place the diagnostics of files that have any.

The exact path alone is a supported way to run (the output is byte-identical, only slower):
it is taken when ``yaml_rs`` cannot be imported (no wheel for the platform), or when the
environment variable ``LIAISON_YAML_PARSER`` is ``pyyaml``.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata

import yaml

PARSER_ENV = "LIAISON_YAML_PARSER"

yaml_rs = None
if os.environ.get(PARSER_ENV, "").strip().lower() != "pyyaml":
    try:  # the Rust parser is an optimisation; without it everything takes the exact path
        import yaml_rs
    except ImportError:  # no wheel for this platform: PyYAML alone, byte-identical output
        yaml_rs = None

try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML without libyaml
    _Loader = yaml.SafeLoader

MAX_YAML_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64
MAX_ALIAS_NODES = 10_000
NULLS = frozenset(("", "~", "null", "Null", "NULL"))

# Keys whose values are typed, in every record kind. The fast parser types scalars by itself;
# the exact path types these keys the same way and keeps every other plain scalar as text.
INT_KEYS = frozenset(
    ("score", "count", "visit_every_days", "lapsed_after_days", "new_within_days", "order",
     "renew_every_days")
)
DATE_KEYS = frozenset(("date", "due", "done", "completed", "next_visit"))
# ASCII digits only (SPEC §2): `\d` would take '５' or '٥' as a digit. A number of more than
# 18 digits stays text, and the model refuses it (int() of thousands of digits is refused too).
_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_INT_RE = re.compile(r"^[-+]?[0-9]{1,18}$")
_DOC_MARK = re.compile(r"^(?:---|\.\.\.)(?:[ \t]|$)", re.M)

# A number written with a leading zero (`count: 010`, `cost: 015`): Liaison reads it as the
# digits say (10), as YAML 1.2 does, where a YAML 1.1 reader (PyYAML, the tools of many
# editors and scripts) takes 010 for the octal 8, and 08 or 09 for text. Said as a warning
# at the value (``leading_zeros``); only files that took the exact path can hold one
# (``_ODD_NUMBER`` sends them there), and only those the prefilter finds one in are composed
# again to place it.
NUMBER_KEYS = INT_KEYS | {"cost", "annual_limit"}
_LEADING_ZERO = re.compile(r"(?:" + "|".join(sorted(NUMBER_KEYS)) + r")[ \t]*:[ \t]*0[0-9]")
_ZERO_DIGITS = re.compile(r"0[0-9]+")


def leading_zeros(text: str) -> list[tuple[tuple, int, int, str]]:
    """(field path, line, column, message) of each number of ``NUMBER_KEYS`` written with a
    leading zero in ``text`` (YAML that the exact path reads), line and column 1-based."""
    if _LEADING_ZERO.search(text) is None:
        return []
    out = []
    stack = [((), compose(text))]
    while stack:
        loc, node = stack.pop()
        if isinstance(node, yaml.SequenceNode):
            stack.extend((loc + (i,), item) for i, item in reversed(list(enumerate(node.value))))
        elif isinstance(node, yaml.MappingNode):
            for key_node, value_node in reversed(node.value):
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
                if (isinstance(value_node, yaml.ScalarNode) and key in NUMBER_KEYS
                        and not value_node.style and _ZERO_DIGITS.fullmatch(value_node.value)):
                    out.append((loc + (key,), value_node))
                elif not isinstance(value_node, yaml.ScalarNode):
                    stack.append((loc + (key,), value_node))
    found = []
    for loc, node in sorted(out, key=lambda t: (t[1].start_mark.line, t[1].start_mark.column)):
        digits = node.value
        value = int(digits)
        octal = set(digits) <= set("01234567")
        if octal and int(digits, 8) == value:  # 02, 007: the same number to every reader
            continue
        other = f"the octal {int(digits, 8)}" if octal else f"the text '{digits}'"
        found.append((loc, node.start_mark.line + 1, node.start_mark.column + 1,
                      f"'{digits}' starts with a zero: read here as {value}, but a YAML 1.1 "
                      f"reader (PyYAML, many editors' tools) reads {other}; write {value}"))
    return found

# Characters that look like a space and are not one to YAML (text pasted from a web page or a
# word processor brings U+00A0): after a ':' or a '-', or in a line's indentation, the parser
# reads something else than what the author sees, and its complaint names another place.
_ODD_SPACES = "\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
_ODD_SPACE_AT = re.compile(rf"(?:^[ ]*-[ ]*|^[ ]*|:)([{_ODD_SPACES}])", re.M)
_ODD_SPACE_IN_TEXT = re.compile(rf"(?:^-|:)[{_ODD_SPACES}]")


def _space_name(ch: str) -> str:
    return f"a no-break space (U+{ord(ch):04X})" if ch == "\u00a0" else f"a U+{ord(ch):04X} space"


def odd_space_hint(value: str) -> str:
    """A hint for a text that holds what the author meant as YAML structure (``name:\xa0X``
    read as one text), or ''."""
    m = _ODD_SPACE_IN_TEXT.search(value)
    if m is None:
        return ""
    return (f" (it holds {_space_name(m.group()[1])} after '{m.group()[0]}', where YAML needs an "
            "ordinary space: retype that space)")


def _odd_space_error(text: str, line: int, col: int) -> YamlSyntaxError | None:
    """The syntax error that an odd space (see ``_ODD_SPACES``) at or before LINE:COL causes,
    placed at that space, or None when the text holds none or the error is not theirs (the
    text with each of them made an ordinary space fails at the same place)."""
    found = list(_ODD_SPACE_AT.finditer(text))
    if not found:
        return None
    fixed = list(text)
    for m in found:
        fixed[m.start(1)] = " "
    try:
        yaml.compose("".join(fixed), Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if mark is not None and (mark.line + 1, mark.column + 1) <= (line, col):
            return None
    except (yaml.YAMLError, RecursionError):
        return None
    first = found[0].start(1)
    before = text[:first]
    where_line = before.count("\n") + 1
    if where_line > line:
        return None
    where_col = first - (before.rfind("\n") + 1) + 1
    prefix = found[0].group()[:-1].strip()
    place = f"after '{prefix[-1]}'" if prefix else "in the indentation"
    return YamlSyntaxError(
        f"YAML syntax error: {_space_name(text[first])} {place}, where YAML needs an ordinary "
        "space (text pasted from a web page or a word processor?): retype it as a space",
        where_line, where_col)


# `city:Asheville` (no space after the ':') or `city： Asheville` (a full-width colon, from an
# input method or a word processor): YAML reads the line as one text, and says "could not find
# expected ':'" at the start of the next line.
_NO_SPACE_COLON = re.compile(r"^[ \t]*(?:-[ \t]+)?(?P<key>[A-Za-z_][A-Za-z0-9_-]*)"
                             r"(?:(?P<colon>:)(?=[^\s:/])|[ \t]*(?P<wide>\uff1a))")


def _keyless(exc, lines: list[str]):
    """The mark of the line the parser began to read as a field and found no ':' for (it
    named the start of the next line), when that line is one of ``lines``; or None."""
    opened = exc.context_mark
    if (opened is None or "simple key" not in (exc.context or "")
            or "could not find expected ':'" not in (exc.problem or "")
            or opened.line >= len(lines)):
        return None
    return opened


def _colon_error(exc, lines: list[str]) -> YamlSyntaxError | None:
    """The syntax error of a field line whose ':' has no space after it, or is a full-width
    colon, placed at that colon (the parser named the start of the next line), or None."""
    opened = _keyless(exc, lines)
    if opened is None:
        return None
    m = _NO_SPACE_COLON.match(lines[opened.line])
    if m is None:
        return None
    if m["wide"]:
        return YamlSyntaxError("YAML syntax error: a full-width colon '\uff1a' (U+FF1A) where "
                               "YAML needs ':': retype it as ':'", opened.line + 1,
                               m.start("wide") + 1)
    value = lines[opened.line][m.end("colon"):].strip()
    return YamlSyntaxError(
        "YAML syntax error: a ':' with no space after it: YAML reads the line as one text, not "
        f"as the field {m['key']}: write `{m['key']}: {value}`", opened.line + 1,
        m.start("colon") + 1)


def _glued_colons_error(exc, lines: list[str]) -> YamlSyntaxError | None:
    """The syntax error of fields written `key:value` from the top of a file down (a search
    and replace that took the space after each ':'): YAML reads them as one text up to the
    first field written right, and names that field's ':'. Placed at the first of them, with
    how many lines have one, or None."""
    at = exc.problem_mark
    if (at is None or not (exc.problem or "").startswith("mapping values are not allowed")
            or not 0 < at.line < len(lines) or lines[at.line].find(":") != at.column):
        return None
    first = at.line
    while first > 0 and (m := _NO_SPACE_COLON.match(lines[first - 1])) and m["colon"]:
        first -= 1
    if first == at.line:
        return None
    m = _NO_SPACE_COLON.match(lines[first])
    value = lines[first][m.end("colon"):].strip()
    more = (f" (lines {first + 1} to {at.line} each have one: write ': ' in each)"
            if at.line - first > 1 else "")
    return YamlSyntaxError(
        "YAML syntax error: a ':' with no space after it: YAML reads the line as one text, not "
        f"as the field {m['key']}: write `{m['key']}: {value}`{more}", first + 1,
        m.start("colon") + 1)


_OPEN_QUOTE = re.compile(r"^ *(?:- +)?(?P<key>[a-z_][a-z0-9_]*): +(?P<quote>[\"'])")


def _unclosed_quote_error(exc, lines: list[str]) -> YamlSyntaxError | None:
    """The syntax error of a quoted value left open on its line, whose quote the next quoted
    value's opening quote closed (``name: "Dr. Ann Zed`` and, two fields below, ``specialty:
    "Family Medicine"``): placed at the quote left open (the parser named the later line,
    and its words, "a quote inside a value", told to change the line that was right), or
    None. Only where every line between reads as a field: text in quotes may go on over
    several lines."""
    at = exc.problem_mark
    if at is None or exc.problem != "did not find expected key" or not 0 < at.line < len(lines):
        return None
    for k in range(at.line - 1, -1, -1):
        m = _OPEN_QUOTE.match(lines[k])
        if m is not None:
            break
        if not _KEY_AT.match(lines[k]):  # a field (text in quotes may go on over lines)
            return None
    else:
        return None
    quote, rest = m["quote"], lines[k][m.end():]
    closed = rest.replace("''", "") if quote == "'" else re.sub(r"\\.", "", rest)
    if quote in closed or quote not in lines[at.line][:at.column]:
        return None  # closed on its own line, or not closed by a quote of the later line
    return YamlSyntaxError(
        f"YAML syntax error: the {quote} that opens the value of {m['key']} is not closed on its "
        f"line, so the lines below it were read as more of that value, up to the {quote} on line "
        f"{_LINE}{at.line + 1}{_LINE}: end the value with {quote} "
        f"({m['key']}: {quote}{rest.rstrip()}{quote})", k + 1, m.end())


def _no_colon_error(exc, lines: list[str]) -> YamlSyntaxError | None:
    """The syntax error of a line with no ':' at all (`role liaison`) among fields, placed at
    that line (the parser named the start of the next line), or None."""
    opened = _keyless(exc, lines)
    if opened is None:
        return None
    word = _NO_COLON.match(lines[opened.line])
    write = (f"write `{word['key']}: {word['value'] or '…'}` if {word['key']} is its "
             "field, or, " if word else "")
    return YamlSyntaxError(
        "YAML syntax error: this line has no ': ', so it is no field (a field is written "
        f"`name: value`): {write}if it goes on with the text of the line above, indent it "
        "as that text", opened.line + 1, opened.column + 1)


_NO_COLON = re.compile(r"^ *(?:- +)?(?P<key>[A-Za-z_][A-Za-z0-9_]*)(?: +(?P<value>[^:#\s][^:#]*?))? *$")


# A list item's '-' with no space after it (`-date: 2026-12-02`: YAML reads '-date' as a
# key), and a field of a list's record indented less than the fields above it: the parser said
# "while parsing a block collection did not find expected '-' indicator" for both (or, for
# the dash of the last item, that the next line's ':' is not allowed).
_DASH_NO_SPACE = re.compile(r"^(?P<indent> *)-(?P<rest>[^\s\-].*)$")
_ITEM = re.compile(r"^(?P<indent> *)- +(?P<key>[A-Za-z_][A-Za-z0-9_]*):(?:\s|$)")
_KEY_AT = re.compile(r"^(?P<lead> *(?:- +)?)(?P<key>[A-Za-z_][A-Za-z0-9_]*):(?:\s|$)")


def _above(lines: list[str], line: int) -> int | None:
    """The index of the nearest line above ``line`` that holds something but a comment."""
    for i in range(line - 1, -1, -1):
        if lines[i].strip() and not lines[i].lstrip().startswith("#"):
            return i
    return None


def _dash_error(exc, lines: list[str]) -> YamlSyntaxError | None:
    """The syntax error of a list item whose '-' has no space after it, or of a record's
    field indented less than the fields above it, said as what to do; or None."""
    at = exc.problem_mark
    problem = exc.problem or ""
    if at is None or at.line >= len(lines):
        return None
    dash_line = None
    if "expected '-' indicator" in problem:
        dash_line = at.line
    elif problem.startswith("mapping values are not allowed") and \
            lines[at.line].find(":") == at.column:
        dash_line = _above(lines, at.line)
    if dash_line is not None:
        m = _DASH_NO_SPACE.match(lines[dash_line])
        if m is not None:
            item = m["rest"].split(" #", 1)[0].rstrip()
            return YamlSyntaxError("YAML syntax error: a '-' starts a list item only with a "
                                   f"space after it: write `- {item}`", dash_line + 1,
                                   len(m["indent"]) + 1)
    if problem == "did not find expected key" and "block mapping" in (exc.context or ""):
        # a record's '-' indented as the fields of the record above (which cannot hold a
        # list there): when it starts with the key the record above starts with, it is the
        # next record of the same list
        item = _ITEM.match(lines[at.line])
        if item is not None and at.column == len(item["indent"]):
            for i in range(at.line - 1, -1, -1):
                outer = _ITEM.match(lines[i])
                if outer is not None and len(outer["indent"]) < len(item["indent"]):
                    if outer["key"] != item["key"]:
                        break
                    return YamlSyntaxError(
                        "YAML syntax error: this '-' is indented as the fields of the record "
                        "above, inside which it would start a list: start it in column "
                        f"{len(outer['indent']) + 1}, as the '-' on line {i + 1}",
                        at.line + 1, at.column + 1)
    if exc.context_mark is None or not ("expected '-' indicator" in problem or (
            problem == "did not find expected key" and "block mapping" in (exc.context or ""))):
        return None
    here = _KEY_AT.match(lines[at.line])
    if here is None or here["lead"].strip():
        return None
    indent = len(here["lead"])
    # in a list, a field under the '-' of its item (not under its first field) is this slip too
    in_list = "expected '-' indicator" in problem
    if not (exc.context_mark.column < indent
            or in_list and exc.context_mark.column == indent):
        return None
    # the fields it may belong with: those of each block still open above it, from the
    # innermost (a sibling, as a slip of one space makes) to the first indented less (the
    # line may close the blocks between)
    open_blocks: list[tuple[int, str, int]] = []
    for i in range(at.line - 1, -1, -1):
        m = _KEY_AT.match(lines[i])
        if m is None:
            continue
        column = len(m["lead"])
        if not open_blocks or column < open_blocks[-1][0]:
            open_blocks.append((column, m["key"], i))
            if column < indent:
                break
    if not open_blocks or open_blocks[0][0] < indent:
        return None
    said = [f"in column {c + 1}, as `{k}:` on line {i + 1}" for c, k, i in open_blocks[:3]]
    which = " or ".join(said) + (", whichever it belongs with" if len(said) > 1 else "")
    return YamlSyntaxError(
        f"YAML syntax error: this line is indented less than the fields above it: start "
        f"`{here['key']}:` {which}", at.line + 1, indent + 1)


# `notes: |` (or `>`) and its text on the lines below, not indented under the key: the block
# ends at once, and the text is read as a key (the parser: "could not find expected ':'").
_BLOCK_HEADER = re.compile(r"^(?P<lead> *(?:- +)?)(?P<key>[A-Za-z_][A-Za-z0-9_]*): *"
                           r"(?P<style>[|>][-+0-9]*) *(?:#.*)?$")


def _block_text_error(exc, lines: list[str]) -> YamlSyntaxError | None:
    """The syntax error of a block's text written at its key's column or left of it, said as
    what to do, at the text's first line; or None."""
    opened = _keyless(exc, lines)
    if opened is None:
        return None
    above = _above(lines, opened.line)
    header = _BLOCK_HEADER.match(lines[above]) if above is not None else None
    if header is None:
        return None
    text = lines[opened.line]
    indent = len(text) - len(text.lstrip(" "))
    if indent > len(header["lead"]):
        return None
    # (a message is one line with single spaces: the column says the indentation)
    return YamlSyntaxError(
        f"YAML syntax error: the text of `{header['key']}: {header['style']}` goes on the lines "
        f"below it, indented more than `{header['key']}:`: start each of them in column "
        f"{len(header['lead']) + 3}", opened.line + 1, indent + 1)


_FIELD_LINE = re.compile(r"^ *(?:- +)?(?P<key>[a-z_][a-z0-9_]*): +(?P<value>[^#\n]*?) *(?: #.*)?$")


def _in_plain_words(exc, text: str) -> str | None:
    """The parser's words for the commonest slips of a hand-written record (a ': ' or a
    bracket in unquoted text, a quote left open), said as what to do; None for the others
    (their parser's words are kept). The place stays the parser's."""
    context, problem = exc.context or "", exc.problem or ""
    opened = exc.context_mark
    where = (f"line {_LINE}{opened.line + 1}{_LINE}, column {opened.column + 1}"
             if opened is not None else "")
    lines = text.split("\n")
    at = exc.problem_mark
    field = (_FIELD_LINE.match(lines[at.line]) if at is not None and at.line < len(lines)
             else None)
    if problem.startswith("mapping values are not allowed"):
        if at is not None and at.line > 0 and lines[at.line].find(":") == at.column:
            # the line's own key: the line was read as more of the value above it
            key = f"`{field['key']}:` " if field else "its key "
            return ("this line is read as more of the value on the line above, so "
                    f"its ':' falls inside that value: start {key}in the same column as the "
                    "fields above it, or check the line above for a missing ': ' (text on "
                    "several lines that holds ': ' goes in double quotes)")
        if field and '"' not in field["value"] and "\\" not in field["value"]:
            quoted = f'{field["key"]}: "{field["value"].rstrip()}"'
        else:
            quoted = "summary: \"Lunch: Dr. O'Neil's team\""
        return f"a ': ' inside a value: put the whole value in double quotes ({quoted})"
    if (problem == "did not find expected key" and field and field["value"][:1] in ("'", '"')
            and field["value"][-1:] == field["value"][0] and len(field["value"]) > 2):
        # a quote inside a value written in the same quotes: it ended the value there
        quote, inner = field["value"][0], field["value"][1:-1]
        other = ("'" + inner.replace("'", "''") + "'" if quote == '"'
                 else '"' + inner.replace("\\", "\\\\").replace('"', '\\"') + '"')
        kind = "double" if quote == '"' else "single"
        return (f"a {quote} inside a value written in {kind} quotes ends the value there: "
                f"write {field['key']}: {other}")
    if problem == "did not find expected key" and field and field["value"][:1] in ("'", '"'):
        # text after the closing quote (`name: "Ana" Ruiz`)
        quote, value = field["value"][0], field["value"].rstrip()
        other = ("'" + value.replace("'", "''") + "'" if quote == '"'
                 else '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"')
        return (f"text follows the closing {quote} of the value of {field['key']}: put all of "
                f"it in quotes, as {field['key']}: {other}")
    if (problem == "did not find expected key" and at is not None and opened is not None
            and at.line < len(lines) and lines[at.line][at.column:at.column + 2] in ("- ", "-")
            and at.column == opened.column):
        # a list item among the fields of a record (`email: x` then `- y` below it)
        item = _ITEM.match(lines[at.line])
        first = next((ln for ln in lines[:at.line] if ln.strip() and not ln.startswith("#")), "")
        if item and at.column == 0 and first.startswith(item["key"] + ":"):
            # a second record written as a list's after a first written without '- '
            return (f"this '- {item['key']}:' starts a record as a list's, after a first one "
                    "written without '- ': a file of several records is a YAML list, each "
                    "record starting with '- ' and its lines indented under it")
        above = _above(lines, at.line)
        key = _KEY_AT.match(lines[above]) if above is not None else None
        named = f" (`{key['key']}:`, line {_LINE}{above + 1}{_LINE})" if key else ""
        return ("this '- ' starts a list item among the fields of a record, where the field "
                f"above it{named} already has its value on its line: write a list's field "
                "alone on its line, its items indented below it, or delete the '-'")
    if problem == "did not find expected key" and field and field["value"][:1] in ("[", "{"):
        what = "list" if field["value"][0] == "[" else "mapping"
        return (f"the value of {field['key']} starts with '{field['value'][0]}', so YAML reads "
                f"a {what}, and text follows it: put the whole value in double quotes")
    if "flow node" in context and "expected node content" in problem and at is not None:
        # a '[' or '{' left open at the end of the text (`notes: [`): name where it opened
        for i in range(min(at.line, len(lines) - 1), -1, -1):
            line = lines[i].split(" #", 1)[0]
            if line.count("[") > line.count("]") or line.count("{") > line.count("}"):
                col = max(line.rfind("["), line.rfind("{"))
                context = "flow sequence" if line[col] == "[" else "flow mapping"
                where = f"line {_LINE}{i + 1}{_LINE}, column {col + 1}"
                problem = "expected"
                break
    if "flow sequence" in context or "flow mapping" in context:
        opening, closing, what = (("[", "]", "list") if "sequence" in context
                                  else ("{", "}", "mapping"))
        if "expected" in problem and where:
            return (f"the '{opening}' at {where} opens a YAML {what} that is never closed "
                    f"with '{closing}': put text that starts with '{opening}' in double quotes")
    if "quoted scalar" in context and "end of stream" in problem and opened is not None:
        quote = lines[opened.line][opened.column:opened.column + 1] or '"'
        return (f"the {quote} at {where} opens a quoted value that is never closed: end the "
                f"value with {quote}")
    if "cannot start any token" in problem and exc.problem_mark is not None:
        mark = exc.problem_mark
        char = lines[mark.line][mark.column:mark.column + 1] if mark.line < len(lines) else ""
        if char in ("@", "`", "%"):
            return (f"a value cannot start with '{char}' in YAML: put the value in double quotes")
    if "scanning an anchor" in context or "scanning an alias" in context:
        # `notes: &amp; more`: an anchor's name holds letters, digits, '-' and '_' only
        char = "&" if "anchor" in context else "*"
        return (f"a value cannot start with '{char}' in YAML (it reads a name after it): put "
                "the whole value in double quotes")
    if problem == "found undefined alias" and at is not None and at.line < len(lines):
        name = re.match(r"\*([^\s,\]}]*)", lines[at.line][at.column:])
        anchor = f"'&{name[1]}'" if name and name[1] else "'&'"
        return (f"a value cannot start with '*' in YAML (it repeats a value marked {anchor} "
                "above, and there is none): put the value in double quotes")
    if ("block scalar" in context and "expected comment or line break" in problem
            and opened is not None and opened.line < len(lines)):
        # `summary: >30 min wait`, `notes: |urgent`: a '>' or '|' starts a block of text on
        # the lines below, and said "while scanning a block scalar did not find expected
        # comment or line break"
        char = lines[opened.line][opened.column:opened.column + 1]
        if char in (">", "|"):
            return (f"a value cannot start with '{char}' in YAML (it starts a block of text on "
                    "the lines below): put the whole value in double quotes")
    if problem.startswith("block sequence entries are not allowed") and field \
            and field["value"].startswith("-"):
        # `summary: - call back` said "block sequence entries are not allowed in this context"
        return ("a value cannot start with '- ' on its field's line in YAML: put the whole "
                "value in double quotes, or, for a list, write each item on a line of its own "
                "below the field, after '- '")
    if context.startswith("expected a single document") and "another document" in problem:
        return ("a line '---' starts a second YAML document, and a file holds one: delete the "
                "line (several records go in one list, each starting with '- ')")
    return None


_LINE = "\x00"  # around a line number a message names: see YamlSyntaxError.message_at
_LINE_NAMED = re.compile("\x00([0-9]+)\x00")


class YamlSyntaxError(Exception):
    """The text is not one well-formed YAML document. Line and column are 1-based."""

    def __init__(self, message: str, line: int = 1, col: int = 1):
        self.template = message
        self.message = self.message_at(0)
        super().__init__(self.message)
        self.line = line
        self.col = col

    def message_at(self, offset: int) -> str:
        """The message with the line numbers it names counted in the file's lines, for a
        text that starts at line ``offset`` + 1 of its file (a guide's front matter)."""
        return _LINE_NAMED.sub(lambda m: str(int(m.group(1)) + offset), self.template)


class NeedExact(Exception):
    """The fast parser cannot vouch for its result; use the exact path."""


UTF16 = "UTF-16 text (Notepad's \"Unicode\"), not UTF-8"


def utf16(raw: bytes) -> bool:
    """Whether ``raw`` reads as UTF-16 text: its byte-order mark (Notepad's "Unicode", Excel's
    "Unicode Text"), or, without one, the NUL byte beside each of its first two characters
    (which are ASCII in a data file: ``name``, ``---``, a CSV header); such a file without a
    mark is UTF-8 to a decoder, and was "missing front matter" or "a control character"."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True
    return len(raw) >= 4 and (raw[1] == raw[3] == 0 < raw[0] * raw[2]
                              or raw[0] == raw[2] == 0 < raw[1] * raw[3])


def not_utf8(raw: bytes, at: int) -> tuple[int, int, str]:
    """Where the byte at ``at`` of ``raw``, the first that is not UTF-8, stands: line and
    column (in characters, a byte-order mark not counted, as an editor shows them); and what
    the file is: UTF-16 (at 1:1), or not UTF-8 text, with the byte and the character it is in
    Windows-1252 (what Excel's plain "CSV" and older Windows programs save: an 'é' pasted
    from Word is found by its look, not by its number)."""
    if utf16(raw):
        return 1, 1, UTF16
    start = raw.rfind(b"\n", 0, at) + 1
    before = raw[start:at].decode("utf-8").removeprefix("\ufeff")
    byte = raw[at]
    char = bytes((byte,)).decode("cp1252", "replace")
    shown = f", {char!r} in Windows-1252" if char != "\ufffd" and char.isprintable() else ""
    return raw.count(b"\n", 0, at) + 1, len(before) + 1, \
        f"not UTF-8 text (byte 0x{byte:02x}{shown})"


def decode(raw: bytes) -> str:
    """UTF-8 bytes (an optional byte-order mark allowed) -> text, or YamlSyntaxError at the
    first byte that is not UTF-8 (``not_utf8``)."""
    if raw[:1] == b"\0" or raw[1:2] == b"\0":  # UTF-16 without its mark: UTF-8 to a decoder
        if utf16(raw):
            raise YamlSyntaxError(f"the file is {UTF16}; save it as UTF-8", 1, 1)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col, what = not_utf8(raw, exc.start)
        raise YamlSyntaxError(f"the file is {what}; save it as UTF-8", line, col) from None
    return text[1:] if text.startswith("\ufeff") else text


# A plain scalar that the fast parser would read as a number from another spelling than
# plain ASCII digits (SPEC §2: numbers are written with ASCII digits only): `0x1E`, `0o17`,
# `0b101`, `1_000`, `_1`, `1e2`, `10.`, `.5`, `.inf`, `+3`, `-1`, `010`, more than 18
# digits; or an `!!int`/`!!float` tag, which makes a number of a quoted text. The number it
# gives has lost the text written (an NPI `0x499602D5` came out as the valid 1234567893), so
# such a file takes the exact path, which keeps the text and refuses what is not digits. A
# value that starts with '!' (a YAML tag, which drops from the value) takes it too, and so
# does one that starts with '&' (an anchor, which drops from it too; see ``_lost_anchors``).
# Whole values only (after `key: `, `- `, `[`, `{` or `,`, up to the end of the line, a
# comment, `,`, `]` or `}`): dates and digit-only numbers (`3`, `85.01`) stay on the fast
# path, and a phone number `+1 503 555 0100` is text to both parsers. Each odd spelling is
# written out (no look-around), so that RE2 reads a file's bytes once: 0.14 s for the 72 MB
# of YAML of 10,000 physicians, where ``re`` took 2.8 s with a look-ahead for the plain ones.
_NUMBER_CHARS = rb"[0-9A-Za-z_.+-]*"
_ODD_NUMBER = (
    rb"(?m)(?:^[ \t]*(?:-[ \t]+)*|:[ \t]+|[,\[{][ \t]*)"
    rb"(?:[-+][0-9.]" + _NUMBER_CHARS            # a sign: +3, -1, +.5
    + rb"|0[0-9xXoObB_]" + _NUMBER_CHARS         # a leading zero, a base: 010, 0x1E, 0o17
    + rb"|[._][0-9]" + _NUMBER_CHARS             # .5, _1
    + rb"|\.(?:inf|Inf|INF|nan|NaN|NAN)"
    + rb"|[0-9][0-9.]*_" + _NUMBER_CHARS         # 1_000
    + rb"|[0-9][0-9.]*[eE][-+]?[0-9]+"           # 1e2
    + rb"|[0-9]+\."                              # 10.
    + rb"|[0-9]{19,})"                           # past what an int of 64 bits holds
    + rb"[ \t\r]*(?:$|[#,\]}])"
    + rb"|!!(?:int|float)|!<tag:yaml\.org,2002:(?:int|float)>"
    # a tag (`summary: !Urgent call back`, `- !new`) or an anchor (`summary: &urgent call
    # back`, `notes: &amp; more`): the fast parser drops it, the exact path refuses it (a line
    # of a note that starts with '!', a Markdown `!!! note`, does not count)
    + rb"|(?:^[ \t]*(?:-[ \t]+)+|:[ \t]+|[,\[{][ \t]*)[!&]"
    # a ' #' glued to a word after a value (`summary: Visit #2 with Dr. Ng`, `address: 75 Main
    # St #210`): both parsers cut the value there, as a comment (see ``_cut_by_comment``)
    + rb"|[^ \t\r\n#][ \t]+#[^ \t\r\n#]")


def _odd_number_search():
    """``_ODD_NUMBER``'s search, by RE2 (one pass over the bytes) or, without google-re2,
    by ``re``."""
    try:
        import re2
    except ImportError:
        return re.compile(_ODD_NUMBER).search
    options = re2.Options()
    options.encoding = re2.Options.Encoding.LATIN1
    return re2.compile(_ODD_NUMBER, options).search


_odd_number = _odd_number_search()


def fast_load(text: str, raw: bytes | None = None):
    """Data via the fast parser, or NeedExact. Scalars come typed the YAML 1.2 way (numbers,
    booleans, dates): the record models accept only what the user can have meant, and a file
    they refuse is read again by the exact path (``exact_load``) before anything is reported.
    A file with a number spelled otherwise than in digits (``_ODD_NUMBER``) takes the exact
    path at once: its number would pass the models with the text it was written as lost.
    ``raw``: the file's bytes (``text`` encoded when not given). A NUL byte takes the exact
    path too, which refuses it: the fast parser takes it for the end of the text, and the
    records after it were dropped without a word."""
    if yaml_rs is None or (("---" in text or "..." in text) and _DOC_MARK.search(text)):
        raise NeedExact
    if "\x00" in text:
        raise NeedExact
    if _odd_number(text.encode() if raw is None else raw) is not None:
        raise NeedExact
    try:
        return yaml_rs.loads(text)
    except Exception:  # any complaint: the exact path says it properly, with its place
        raise NeedExact from None


def composed(data, text: str):
    """``data`` read from ``text`` with every text value in NFC: a name typed or pasted on a
    Mac comes decomposed ("é" as "e" and U+0301), and would reach the exports, decks and
    calendars so (Excel's Find for "é" typed as one character misses it). Keys are left as
    written (a record's fields are ASCII; an odd key is reported at its own place). A file
    in ASCII or already in NFC, nearly all, costs one scan and is returned as it is."""
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return data
    return _composed(data)


def _composed(value):
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [_composed(v) for v in value]
    if isinstance(value, dict):
        return {k: _composed(v) for k, v in value.items()}
    return value


MAX_FLOW_DEPTH = 1000


def _check_flow_depth(text: str) -> None:
    """libyaml recurses once per nested flow collection and overflows the C stack on deep
    enough input (seen: 100,000 levels of '['), so refuse deep nesting before it parses."""
    if text.count("[") + text.count("{") <= MAX_FLOW_DEPTH:
        return
    depth = 0
    line, col = 1, 0
    for ch in text:
        col += 1
        if ch in "[{":
            depth += 1
            if depth > MAX_FLOW_DEPTH:
                raise YamlSyntaxError(
                    f"the YAML is nested more than {MAX_FLOW_DEPTH} levels deep", line, col)
        elif ch in "]}":
            depth = max(depth - 1, 0)
        elif ch == "\n":
            line, col = line + 1, 0


# A merge-conflict marker of git's other than the first ('<<<<<<<', which is looked for before
# parsing): '=======' or '>>>>>>> label' alone on a line, where YAML can read neither. In a
# guide's body '=======' underlines a heading, so it is named only when the YAML fails.
LEFT_MARKER = re.compile(r"^(?:={7}|>{7}(?:[ \t].*)?)\r?$", re.M)


# NEL (U+0085) and the line and paragraph separators (U+2028, U+2029), pasted from a word
# processor, are line breaks to YAML 1.1 (PyYAML) and characters to YAML 1.2 and the fast
# parser: a note holding one was read by the fast path and refused by the exact path (the
# rest of a `notes: |` block read as a field with no ':'), and every line and column below
# one was placed a line too low. The exact path composes with each replaced by a stand-in
# of one character (so indexes, lines and columns stay the text's) and puts it back in the
# values (``_scalar``).
_YAML11_BREAKS = "\x85\u2028\u2029"
_STAND_INS = "\uf8f0\uf8f1\uf8f2"  # private use: no text means them
_TO_STAND_IN = str.maketrans(_YAML11_BREAKS, _STAND_INS)
_FROM_STAND_IN = str.maketrans(_STAND_INS, _YAML11_BREAKS)


def _as_yaml12(text: str) -> str:
    """``text`` with YAML 1.1's extra line breaks (see ``_YAML11_BREAKS``) as stand-ins."""
    if text.isascii() or not any(c in text for c in _YAML11_BREAKS) \
            or any(c in text for c in _STAND_INS):
        return text
    return text.translate(_TO_STAND_IN)


def compose(text: str):
    """The node tree of one YAML document (with marks), or YamlSyntaxError."""
    _check_flow_depth(text)
    try:
        return yaml.compose(_as_yaml12(text), Loader=_Loader)
    except yaml.reader.ReaderError as exc:
        before = text[: exc.position]
        line = before.count("\n") + 1
        col = exc.position - (before.rfind("\n") + 1) + 1
        raise YamlSyntaxError(
            f"the file holds a control character (#x{exc.character:04x}) that YAML does not "
            "allow (pasted text can hold such invisible characters): delete it",
            line, col) from None
    except yaml.MarkedYAMLError as exc:
        left = LEFT_MARKER.search(text)
        if left is not None:  # what a merge conflict left once its '<<<<<<<' line was deleted
            from liaison.parse import conflict_message

            raise YamlSyntaxError(conflict_message(text.encode("utf-8", "surrogateescape")),
                                  text.count("\n", 0, left.start()) + 1, 1) from None
        mark = exc.problem_mark or exc.context_mark
        if exc.context in ("while scanning an anchor", "while scanning an alias") or (
                exc.context == "while scanning a block scalar"
                and "expected comment or line break" in (exc.problem or "")):
            # the '&', '*', '>' or '|', not the character after it
            mark = exc.context_mark or mark
        joined = text.find("\ufeff")  # (decode took the file's own mark off)
        if joined != -1 and mark is not None and joined <= mark.index:
            # the mark of a second file, as Windows's `copy a.yaml+b.yaml` or `cat` joins
            # two saved with one: it was "did not find expected key" a column past it
            before = text[:joined]
            raise YamlSyntaxError(
                "YAML syntax error: an invisible byte-order mark (U+FEFF) inside the file, as "
                "two files saved with one and joined leave it: delete it",
                before.count("\n") + 1, joined - (before.rfind("\n") + 1) + 1) from None
        msg = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        if mark is None:
            raise YamlSyntaxError(f"YAML syntax error: {msg}") from None
        line, col = mark.line + 1, mark.column + 1
        lines = text.split("\n")
        if line > len(lines):  # the parser's end-of-input mark: point at the end of the text
            line, col = len(lines), len(lines[-1]) + 1
        odd = (_odd_space_error(text, line, col) or _colon_error(exc, lines)
               or _glued_colons_error(exc, lines)
               or _block_text_error(exc, lines) or _dash_error(exc, lines)
               or _no_colon_error(exc, lines) or _unclosed_quote_error(exc, lines))
        if odd is not None:
            raise odd from None
        indent = lines[line - 1][: len(lines[line - 1]) - len(lines[line - 1].lstrip(" \t"))]
        if "\t" in indent:  # libyaml's words for it do not always name the tab
            raise YamlSyntaxError(
                "YAML syntax error: a tab in the indentation: YAML indents with spaces only "
                "(set the editor to insert spaces for the Tab key)",
                line, indent.index("\t") + 1) from None
        raise YamlSyntaxError(f"YAML syntax error: {_in_plain_words(exc, text) or msg}",
                              line, col) from None
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
    data = _construct(node, (), problems, budget, seen, 0, None)
    problems += _lost_anchors(node, text)
    problems += _cut_by_comment(node, text)
    return data, node, problems


_COMMENT_GLUED = re.compile(r"[ \t]+#(?=[^\s#])")


def _cut_by_comment(root, text: str) -> list[tuple]:
    """(loc, message, mark holder) for each plain value followed on its line by a ' #' glued
    to what follows it (`summary: Visit #2 with Dr. Ng` is the text 'Visit', `#2 with Dr.
    Ng` a YAML comment that both parsers drop without a word): the author wrote one text.
    A comment written as comments are, '# ' with a space (`cost: 120  # over the limit`),
    is left alone; so is a '#' inside quotes or a block (`notes: |`)."""
    found, seen, stack = [], set(), [(root, ())]
    while stack:
        node, loc = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            end = node.end_mark.index
            m = _COMMENT_GLUED.match(text, end) if node.value and not node.style else None
            if m is not None:
                hash_at = m.end() - 1
                stop = text.find("\n", hash_at)
                comment = text[hash_at: len(text) if stop == -1 else stop].rstrip("\r \t")
                line_start = text.rfind("\n", 0, hash_at) + 1
                mark = yaml.error.Mark("", hash_at, text.count("\n", 0, hash_at),
                                       hash_at - line_start, None, None)
                key = f"{loc[-1]}: " if loc and isinstance(loc[-1], str) else ""
                whole = f'{node.value} {comment}'.replace('"', "'")
                found.append((loc, (
                    f"'{comment}' is read as a YAML comment (a ' #' starts one) and left out "
                    f"of the value, which is '{node.value}': put the whole value in double "
                    f'quotes ({key}"{whole}"), or, if it is a comment, write a space after the '
                    "'#'"), _Marked(mark)))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, loc + (i,)) for i, item in enumerate(node.value))
        elif isinstance(node, yaml.MappingNode):
            stack.extend((value, loc + (key.value,)) for key, value in node.value
                         if isinstance(key, yaml.ScalarNode))
    return sorted(found, key=lambda p: p[2].start_mark.index)


class _Marked:
    """A place in the text that is no node's start (where a problem is said)."""

    def __init__(self, mark):
        self.start_mark = mark


_ANCHOR = re.compile(r"&[^\s,\[\]{}]*")


def _lost_anchors(root, text: str) -> list[tuple]:
    """(loc, message, node) for each text value written after an anchor that no alias
    repeats: `summary: &urgent call back` is the text 'call back' with an anchor '&urgent'
    (a name for repeating the value elsewhere as `*urgent`), and `notes: &amp; more` is
    'more'; both parsers drop the anchor without a word. An anchor some alias repeats is
    YAML's own use and is left alone, as are anchors of lists and records."""
    uses: dict[int, int] = {}
    anchored, seen, stack = [], set(), [(root, ())]
    while stack:
        node, loc = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            uses[id(node)] = uses.get(id(node), 0) + 1
            if uses[id(node)] == 1 and text.startswith("&", node.start_mark.index):
                anchored.append((node, loc))
            continue
        if id(node) in seen:  # an alias of a list or record: its values are counted once
            continue
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend((item, loc + (i,)) for i, item in enumerate(node.value))
        else:
            stack.extend((value, loc + (key.value,)) for key, value in node.value
                         if isinstance(key, yaml.ScalarNode))
    lost = []
    for node, loc in anchored:
        if uses[id(node)] == 1:
            name = _ANCHOR.match(text, node.start_mark.index).group(0)
            lost.append((loc, f"a value cannot start with '&' in YAML: '{name}' is read as a "
                              "YAML anchor (a name to repeat the value by) and left out of the "
                              "value; put the whole value in double quotes", node))
    return sorted(lost, key=lambda p: p[2].start_mark.index)


def _scalar(node, key):
    value = node.value
    if not value.isascii():
        value = value.translate(_FROM_STAND_IN)
    if node.tag == "tag:yaml.org,2002:binary":  # `notes: !!binary cHQgSmFuZS…`: YAML's own
        # encoding of bytes, read as the text it stands for (the patient guard reads that)
        import base64
        import binascii

        try:
            return base64.b64decode("".join(value.split()), validate=True).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            return value
    if not node.style:  # plain: None from the Python composer, "" from libyaml
        if value in NULLS and node.tag != "tag:yaml.org,2002:str":
            return None
        if key in INT_KEYS and _INT_RE.match(value):
            return int(value)
    if key in DATE_KEYS and _DATE_RE.match(day := value.strip()):  # quoted: stripped (SPEC §2)
        try:
            return dt.date.fromisoformat(day)
        except ValueError:
            return value  # not a calendar day: the model says so
    return value


def _construct(node, loc, problems, budget, seen, depth, key):
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
    if not node.tag.startswith("tag:yaml.org,2002:"):
        # `summary: !Urgent call back` is the text 'call back' with a tag '!Urgent', which
        # both parsers drop without a word
        problems.append((loc, f"a value cannot start with '!' in YAML: '{node.tag}' is read "
                         "as a YAML tag and left out of the value; put the whole value in "
                         "double quotes", node))
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node, key)
    if isinstance(node, yaml.SequenceNode):
        return [
            _construct(item, loc + (i,), problems, budget, seen, depth + 1, key)
            for i, item in enumerate(node.value)
        ]
    out = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            problems.append((loc, "a mapping key must be plain text", key_node))
            continue
        key = key_node.value
        if key_node.tag == "tag:yaml.org,2002:merge":
            # `<<: *base` (YAML 1.1's merge key) copies nothing to the fast parser, which reads
            # YAML 1.2, nor to editors' schema checks: "unknown field '<<'" and one "required
            # field is missing" for each field it was meant to bring said nothing of the cause
            problems.append((loc + (key,), "merge keys '<<' are not supported: write the "
                             "fields out in this record (an anchor '&' and an alias '*' may "
                             "still repeat a single value)", key_node))
            continue
        if key in out:
            # (a merge conflict resolved by keeping both sides writes a field twice)
            problems.append((loc + (key,), f"duplicate key '{key}': the field is written "
                             "twice in this record: keep one", key_node))
        out[key] = _construct(value_node, loc + (key,), problems, budget, seen, depth + 1, key)
    return out


def locate(node, loc, at: str = "value", keys: dict | None = None) -> tuple[int, int]:
    """Line and column (1-based) of the value (or key) at ``loc`` below ``node``; where the
    path stops existing (a missing field), the deepest node that exists. ``keys``: see
    ``find``."""
    if node is None:
        return 1, 1
    mark = find(node, loc, at, keys).start_mark
    return mark.line + 1, mark.column + 1


def find(node, loc, at: str = "value", keys: dict | None = None):
    """The node of the value (or key) at ``loc`` below ``node`` (not None); where the path
    stops existing, the deepest node that exists. ``keys``: a dict kept by the caller for the
    calls on one tree, where each mapping's keys are indexed the first time it is passed
    (without it, a mapping's keys are searched one by one: a file of 20,000 unknown fields
    took 20 s to place, 100,000 some 8 minutes)."""
    cur = node
    key_node = None
    for part in loc:
        nxt = None
        if isinstance(cur, yaml.MappingNode) and isinstance(part, str):
            if keys is not None:
                index = keys.get(id(cur))
                if index is None:
                    index = keys[id(cur)] = {  # the last one wins, as in the data
                        k.value: (k, v) for k, v in cur.value if isinstance(k, yaml.ScalarNode)}
                key_node, nxt = index.get(part, (None, None))
            else:
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
    return cur
