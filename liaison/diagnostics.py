"""Diagnostics: one problem at one place, and its text and GitHub forms (SPEC §3)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]

# A location inside a YAML document: mapping keys and list indexes from the top.
Loc = tuple[str | int, ...]


@dataclass(frozen=True, order=True)
class Diagnostic:
    """A resolved problem: PATH:LINE:COL: SEVERITY: MESSAGE."""

    path: str
    line: int
    col: int
    severity: Severity
    message: str

    def text(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.severity}: {self.message}"

    def github(self) -> str:
        # GitHub workflow commands: the message must stay on one line.
        msg = self.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return f"::{self.severity} file={self.path},line={self.line},col={self.col}::{msg}"


@dataclass(frozen=True)
class Problem:
    """A problem found before its line and column are known.

    ``loc`` is the path of the offending value inside the file's YAML document; ``at`` says
    whether to point at the value or at its key. ``line``/``col`` are set directly for problems
    that know their place already (syntax errors, CSV rows, Markdown bodies).
    """

    path: str
    message: str
    severity: Severity = "error"
    loc: Loc | None = None
    at: Literal["value", "key"] = "value"
    line: int | None = None
    col: int | None = None


def did_you_mean(value, options, cutoff: float = 0.6) -> str:
    """" (did you mean 'x'?)" for the closest of ``options``, or "" when none is close."""
    import difflib

    close = difflib.get_close_matches(str(value), list(options), n=1, cutoff=cutoff)
    return f" (did you mean '{close[0]}'?)" if close else ""


def format_loc(loc: Loc) -> str:
    """('follow_ups', 1, 'due') -> 'follow_ups[1].due'; (3, 'x') -> '[3].x'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@dataclass
class Report:
    """Every diagnostic of one run, errors and warnings, sorted for output."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    def strict(self) -> "Report":
        """Warnings become errors (--strict)."""
        return Report(
            sorted(
                Diagnostic(d.path, d.line, d.col, "error", d.message) for d in self.diagnostics
            )
        )

    def lines(self, fmt: str = "text") -> list[str]:
        return [d.github() if fmt == "github" else d.text() for d in self.diagnostics]
