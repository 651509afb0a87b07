"""`import …`: records from public data files (``nppes``: the CMS NPI registry; ``cms``: the
CMS Medicare utilization files). What the importers share: their error, and reading a large
CSV file's records as text, so that a record that cannot match is skipped before any parsing."""
from __future__ import annotations

import re
from typing import Callable, Iterable, Mapping, TextIO

from liaison.errors import LiaisonError

PROGRESS_EVERY = 100_000  # records between two progress lines on a terminal


# where a problem stands, as its message begins: path:line or path:line:col
_PLACE = re.compile(r"(?P<at>[^\s:][^:\n]*:[0-9]+)(?::(?P<col>[0-9]+))?: (?P<text>.*)", re.S)


class ImportProblem(LiaisonError):
    """The file cannot be imported (``path:line: message``); nothing was written. Shown as
    ``validate`` shows a problem, ``path:line:col: error: message`` (column 1: the row, when
    the problem is not one value's: ``cell_place``)."""

    def show(self, file=None) -> None:
        import click

        m = _PLACE.fullmatch(self.format_message())
        if m is None:
            return super().show(file)
        click.echo(f"{m['at']}:{m['col'] or 1}: error: {m['text']}", file=file, err=file is None)


# The first bytes of files that are not CSV text, with what to do (a download opened
# straight from a browser's list, or kept in a spreadsheet's own format).
_PACKED = ((b"PK\x03\x04", "a zip archive (an .xlsx workbook is one too)"),
           (b"\x1f\x8b", "a gzip-compressed file"),
           (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls)"))


def not_csv(path, name: str) -> ImportProblem | None:
    """What is wrong with a file whose header is not the one expected (the error path only),
    when it is plain to see: a zip archive or a workbook instead of the CSV file, or values
    separated by semicolons or tabs (a spreadsheet set to another language saves them so)."""
    try:
        with open(path, "rb") as fh:
            head = fh.readline(1 << 16)
    except OSError:
        return None
    for magic, kind in _PACKED:
        if head.startswith(magic):
            return ImportProblem(f"{name}:1:1: {kind}, not a CSV file: give the CSV file itself "
                                 "(unzip the download; from a spreadsheet, save as CSV UTF-8)")
    for sep, said in ((b";", "semicolons"), (b"\t", "tabs")):
        if sep in head and b"," not in head:
            return ImportProblem(f"{name}:1:1: the values are separated by {said}, not commas "
                                 "(a spreadsheet set to another language saved it so?): give "
                                 "the file as downloaded, or save it as CSV with commas")
    return None


def _column_key(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.casefold())


def header_index(names: Iterable[str], known: Iterable[str]) -> dict[str, int]:
    """A header's columns by name -> position, each ``known`` column under its own spelling
    when the header writes it in another case or with other separators ("rndrng_npi",
    "RNDRNG NPI" for "Rndrng_NPI": CMS's files of some years, or an extract saved by another
    tool); the last of two columns that read alike."""
    canonical = {_column_key(k): k for k in known}
    index: dict[str, int] = {}
    for i, h in enumerate(names):
        h = h.strip()
        index[canonical.get(_column_key(h), h)] = i
    return index


def fields_problem(path, name: str, line: int, found: int, width: int) -> ImportProblem:
    """A record of another number of fields than the header's: said at its line, and, when
    it is the file's last line and the file ends without a line end, as a download cut short
    (the error path only: the file's lines are counted then)."""
    message = f"{name}:{line}: {found} fields where the header has {width}"
    try:
        with open(path, "rb") as fh:
            fh.seek(0, 2)
            size = fh.tell()
            fh.seek(max(0, size - 1))
            cut = size > 0 and fh.read(1) not in (b"\n", b"\r")
            if cut:
                fh.seek(0)
                lines = 1 + sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
                cut = lines == line
    except OSError:
        cut = False
    if cut:
        message += (" (the file ends in this line, without a line end: was the download cut "
                    "short? download it again)")
    return ImportProblem(message)


def cell_place(name: str, start: int, text: str, index: int) -> str:
    """``name:line:col`` of the value at ``index`` (from 0) of a record that starts on line
    ``start`` and reads ``text`` (the error path only: a quoted value may hold commas and line
    breaks, so the record is walked as CSV reads it)."""
    quoted, field, begin = False, 0, 0
    for i, ch in enumerate(text):
        if field == index:
            break
        if ch == '"':
            quoted = not quoted
        elif ch == "," and not quoted:
            field, begin = field + 1, i + 1
    line_start = text.rfind("\n", 0, begin) + 1
    return f"{name}:{start + text.count(chr(10), 0, begin)}:{begin - line_start + 1}"


def csv_records(fh: TextIO, name: str) -> Iterable[tuple[int, str]]:
    """The records of a CSV file after its header line (already read from ``fh``), as (the
    line the record starts on, its text). A quoted value may hold a line break, so a record
    may span lines (an odd number of quotes leaves one open); blank lines are skipped. A
    quoted value that is never closed is an ImportProblem at the line it opens."""
    line, start, buf = 1, 1, None
    for raw in fh:
        line += 1
        if buf is not None:
            buf += raw
            if buf.count('"') % 2:
                continue
            text, buf = buf, None
        elif raw.count('"') % 2:
            buf, start = raw, line
            continue
        else:
            text, start = raw, line
        if text.strip():
            yield start, text
    if buf is not None:
        raise ImportProblem(f"{name}:{start}: a quoted value is never closed")


def option_values(option: str, values: Iterable[str], pattern, what: str, upper: bool = False,
                  valid: Callable[[str], bool] | None = None) -> list[str]:
    """The values of a repeatable option, stripped (and upper-cased with ``upper``), in order;
    ValueError ``"--option: 'value' is not WHAT"`` for one that does not match ``pattern``
    whole (or that ``valid`` refuses)."""
    out = []
    for value in values:
        value = value.strip().upper() if upper else value.strip()
        if not re.fullmatch(pattern, value) or (valid is not None and not valid(value)):
            raise ValueError(f"{option}: '{value}' is not {what}")
        out.append(value)
    return out


def named_groups(option: str, names: Iterable[str], groups: Mapping[str, Iterable[str]]) -> set[str]:
    """The members of the groups named (case and spaces ignored); ValueError for a name that
    is not a group."""
    out: set[str] = set()
    for name in names:
        key = name.strip().lower()
        if key not in groups:
            raise ValueError(f"{option}: '{name}' is not one of {', '.join(sorted(groups))}")
        out.update(groups[key])
    return out


def undecodable_line(path) -> int | str:
    """The first line of ``path`` that is not UTF-8 (the text reader decodes ahead of the
    record it hands over, so its position says nothing; the error path only)."""
    with open(path, "rb") as fh:
        for n, raw in enumerate(fh, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return n
    return "?"
