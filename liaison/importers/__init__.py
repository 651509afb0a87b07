"""`import …`: records from public data files (``nppes``: the CMS NPI registry; ``cms``: the
CMS Medicare utilization files). What the importers share: their error, and reading a large
CSV file's records as text, so that a record that cannot match is skipped before any parsing."""
from __future__ import annotations

import re
from typing import Callable, Iterable, Mapping, TextIO

from liaison.errors import LiaisonError

PROGRESS_EVERY = 100_000  # records between two progress lines on a terminal


class ImportProblem(LiaisonError):
    """The file cannot be imported (``path:line: message``); nothing was written."""


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
