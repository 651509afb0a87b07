"""Diagnostics: one problem at one place, and its text and GitHub forms (SPEC §3)."""
from __future__ import annotations

import re
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
        # One diagnostic, one line (SPEC §3): a file may be named with a line break in it
        # (interaction and referral files are named freely); it is shown as a space, as the
        # messages show such a value.
        return f"{one_line(self.path)}:{self.line}:{self.col}: {self.severity}: {self.message}"

    def github(self) -> str:
        # GitHub workflow commands: the message and the file stay on one line (GitHub decodes
        # %25, %0D and %0A in both); in the file, a property, ',' and ':' are written %2C and
        # %3A too (properties are separated by commas: "visit, Dr. Roe.yaml" was read as
        # "visit").
        msg = workflow_data(self.message)
        path = workflow_data(self.path).replace(":", "%3A").replace(",", "%2C")
        return f"::{self.severity} file={path},line={self.line},col={self.col}::{msg}"


def workflow_data(text: str) -> str:
    """``text`` as the data of a GitHub workflow command: '%', CR and LF written %25, %0D
    and %0A, which GitHub decodes, so that the command stays on one line."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


_LINE_BREAKS = re.compile(r"\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")


def one_line(text: str) -> str:
    """``text`` with each line break (those ``str.splitlines`` knows) made a space."""
    return _LINE_BREAKS.sub(" ", text) if not text.isprintable() else text


# Characters that print as nothing (controls, zero-width and format characters: a BOM, a
# soft hyphen, a zero-width space pasted with a name from a web page or an e-mail): in a value
# a message quotes they made "type: 'call' is not one of …, (did you mean 'call'?)" on a
# terminal, and a NUL or an escape sequence went to the terminal as it was.
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f"
                        "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]")


# A value a message quotes, shortened past this many characters (no message's own words run
# that long between two quotes): a 2 MB line pasted into `type:` was quoted whole, a
# diagnostic line of megabytes in the terminal, the CI log and the pull request's annotations.
QUOTE_MAX = 1000
_LONG_QUOTE = re.compile("'([^'\n]{%d,})'" % (QUOTE_MAX + 1))


def shortened(message: str) -> str:
    """``message`` with each value it quotes that is longer than ``QUOTE_MAX`` characters cut
    to its first 60, followed by how long it is."""
    if len(message) <= QUOTE_MAX:
        return message
    return _LONG_QUOTE.sub(
        lambda m: f"'{m.group(1)[:60]}…' ({len(m.group(1)):,} characters)", message)


def visible(message: str) -> str:
    """``message`` with each character that prints as nothing shown as ``<U+XXXX>``, and a
    word on what that is, once (``message`` itself when it holds none)."""
    if message.isprintable():
        return message
    marks: dict[str, None] = {}

    def mark(m) -> str:
        code = f"<U+{ord(m.group()):04X}>"
        marks[code] = None
        return code

    out = _INVISIBLE.sub(mark, message)
    if not marks:
        return message
    what = "an invisible character" if len(marks) == 1 else "invisible characters"
    return f"{out} ({', '.join(marks)}: {what}, as pasted text often holds: delete {'it' if len(marks) == 1 else 'them'})"


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
    # the line, from 0, inside a literal block scalar (``|``) where the problem stands: the
    # patient guard's hit in a long note (its lines are the file's lines), which the message
    # names ("… (on line 14)"); LINE:COL stay at the value
    within: int | None = None


def did_you_mean(value, options, cutoff: float = 0.6) -> str:
    """" (did you mean 'x'?)" for the closest of ``options``, or "" when none is close.
    Capitals are compared as their small letters when nothing is close as written: a
    spreadsheet's 'WEB' or 'DECLINED' is no letter alike 'web' or 'declined'."""
    import difflib

    close = difflib.get_close_matches(str(value), list(options), n=1, cutoff=cutoff)
    if not close:
        folded = {str(option).casefold(): option for option in options}
        near = difflib.get_close_matches(str(value).strip().casefold(), list(folded), n=1,
                                         cutoff=cutoff)
        close = [folded[n] for n in near]
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


# How the warning at a file that is not read begins (liaison.discover: a record meant and
# misfiled, `data/physicians/west/pat-doe.yaml`, `visit.yaml.txt`). Such a file is outside
# the layout, which SPEC §1 ignores, so --strict leaves these warnings as they are: a site
# the contract calls valid passes `validate --strict`, and the warning is still printed.
NOT_READ = "not read: "


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
        """Warnings become errors (--strict), but for those at files that are not read
        (``NOT_READ``)."""
        return Report(
            sorted(
                d if d.message.startswith(NOT_READ) else
                Diagnostic(d.path, d.line, d.col, "error", d.message) for d in self.diagnostics
            )
        )

    def lines(self, fmt: str = "text") -> list[str]:
        return [d.github() if fmt == "github" else d.text() for d in self.diagnostics]


# --------------------------------------------------------------------------- summaries
#
# A renamed or deleted file can leave thousands of references dangling, one diagnostic each.
# The diagnostic lines stay exactly as they are; after them comes a summary: counts by kind of
# message, by file, and the most likely cause. Everything here is computed from the
# diagnostics' text (their shapes are made in load.py and checks.py), sorted, deterministic.

SUMMARY_THRESHOLD = 20  # a summary follows when there are more diagnostics than this
CAUSE_MIN = 10  # a dangling value named this many times or more is a likely cause
CAUSES_SHOWN = 3  # likely causes explained in full (the others are named)
GITHUB_MAX_PER_SEVERITY = 10  # GitHub shows at most 10 error and 10 warning annotations a step
STEP_SUMMARY_LIMIT = 1024 * 1024  # GitHub refuses a step summary larger than 1 MiB

# Where each kind of reference is defined: (folder, extension) of the record files, or None
# for keys of site.yaml.
REFERENCE_KINDS = {
    "team member": ("data/team", (".yaml", ".yml")),
    "practice": ("data/practices", (".yaml", ".yml")),
    "physician": ("data/physicians", (".yaml", ".yml")),
    "training guide": ("content/training", (".md",)),
    "presentation deck": ("content/presentations", (".md",)),
    "service": None,
    "tier": None,
}

_PATH_PREFIX = re.compile(r"^(?:[^\W\d][\w-]*|\[\d+\])(?:\.[^\W\d][\w-]*|\[\d+\])*: ")
_HINT = re.compile(r" \(did you mean '.*?'\?\)")
_ABOUT_THE_FIELD = ("unknown field", "required field is missing")
_FIELD_NAME = re.compile(r"[^\W\d][\w-]*")
_CODE = re.compile(r"`[^`\n]*`")  # `name: Laurel Women's Health`: a value, apostrophes and all
_QUOTED = re.compile(r"'[^']*'")
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b(?:January|February|March|April|May|June|July|"
                   r"August|September|October|November|December) \d{1,2}\b")  # or its reading
_NUMBER = re.compile(r"\b(?:slide \d+|lines? \d+(?: to \d+)?|\d{3,})\b")
_DANGLING = re.compile(
    r"unknown (?P<what>" + "|".join(REFERENCE_KINDS) + r") '(?P<value>.*)'"
    r"(?= \(did you mean '|[;:] site\.yaml has|: there is no content/|$)"
)


def message_kind(message: str) -> str:
    """The shape of a message: without its field path, "did you mean" hint, quoted values
    and code spans, dates, line numbers and long numbers. "[3].liaison: unknown team member
    'ana' (did you mean 'anna'?)" -> "unknown team member '…'". An unknown or missing field
    keeps its name: "[3].sumary: unknown field (…)" -> "sumary: unknown field"."""
    path = _PATH_PREFIX.match(message)
    text = message[path.end():] if path else message
    if path and text.startswith(_ABOUT_THE_FIELD):  # which field is the point: its name stays
        text = f"{_FIELD_NAME.findall(path.group())[-1]}: {text}"
    text = _HINT.sub("", text)
    text = _CODE.sub("`…`", text)
    text = _QUOTED.sub("'…'", text)
    text = _DATE.sub("…", text)
    return _NUMBER.sub(lambda m: m.group()[:m.group().index(" ") + 1] + "…"
                       if m.group()[0] in "sl" else "…", text)


def dangling_reference(message: str) -> tuple[str, str] | None:
    """("team member", "ana-reyes") for "…: unknown team member 'ana-reyes' …", else None."""
    m = _DANGLING.search(message)
    return (m["what"], m["value"]) if m else None


@dataclass(frozen=True)
class Cause:
    """One reference value named by many diagnostics, and what may have happened to it."""

    what: str  # the kind of reference: "team member", "practice", …
    value: str
    count: int  # diagnostics that name it
    files: int  # files they are in
    defined_in: str  # the file (or place in site.yaml) that would define it
    missing: bool  # that file does not exist
    similar: tuple[str, ...] = ()  # existing files with a similar id: renamed?
    unreadable: str = ""  # why the folder that would hold it cannot be read ("": it can)
    column: str = ""  # the referral column whose values include it ('treated': status)

    def sentence(self) -> str:
        times = f"{self.count:,} time{'s' if self.count != 1 else ''}"
        files = f"{self.files:,} file{'s' if self.files != 1 else ''}"
        text = f"{self.what} '{self.value}' is named {times} in {files}, but "
        if REFERENCE_KINDS.get(self.what) is None:  # a key of site.yaml
            text += f"{self.defined_in} has no {self.what} '{self.value}'"
            if self.column:
                return text + (f": '{self.value}' is a value of the {self.column} column, so "
                               "the rows that name it hold another column's values under "
                               f"`{self.what}` (columns swapped or shifted, as when a sheet is "
                               f"pasted misaligned): fix the columns of those rows, not "
                               f"{self.defined_in}.")
            return text + "."
        if self.unreadable:
            return text + (f"the folder {self.defined_in} cannot be read ({self.unreadable}): "
                           "none of its files was read")
        if not self.missing:
            return text + f"{self.defined_in} exists and does not define it."
        text += f"{self.defined_in} does not exist"
        if len(self.similar) == 1:
            return text + (f"; a file {self.similar[0]} exists: was it renamed? Rename it back "
                           f"(`git mv {self.similar[0]} {self.defined_in}`: the id is the file "
                           "name, a new name goes in `name:`), or write the new id in the "
                           "records that name it.")
        if self.similar:
            return text + f"; files {', '.join(self.similar)} exist: was it renamed to one of them?"
        left = (", and a physician, practice or team member who left keeps their file"
                if self.what in ("physician", "practice", "team member") else "")
        return text + (": was it deleted or renamed? If it was deleted, bring the file back "
                       f"(`git log --diff-filter=D -- {self.defined_in}` finds the commit that "
                       f"deleted it): the records that name it are its history{left}; if it "
                       "was renamed, write the new id in those records.")


@dataclass
class Summary:
    """Counts of a report by kind of message and by file, and its likely causes."""

    errors: int
    warnings: int
    by_kind: list[tuple[int, str, str]]  # (count, severity, kind), most frequent first
    by_file: list[tuple[int, str]]  # (count, path), most frequent first
    causes: list[Cause]  # most likely first
    error_files: list[tuple[int, str]] = field(default_factory=list)  # by_file's, errors only

    KINDS_SHOWN = 10
    FILES_SHOWN = 5

    @property
    def total(self) -> int:
        return self.errors + self.warnings

    def headline(self) -> str:
        parts = [f"{self.errors:,} error{'s' if self.errors != 1 else ''}",
                 f"{self.warnings:,} warning{'s' if self.warnings != 1 else ''}"]
        files = len(self.by_file)
        return (f"{self.total:,} diagnostics ({', '.join(parts)}) in {files:,} "
                f"file{'s' if files != 1 else ''}")

    def cause_lines(self) -> list[str]:
        lines = [("Most likely cause: " if i == 0 else "Another likely cause: ") + c.sentence()
                 for i, c in enumerate(self.causes[:CAUSES_SHOWN])]
        rest = self.causes[CAUSES_SHOWN:]
        if rest:
            named = ", ".join(f"{c.what} '{c.value}' ({c.count:,})" for c in rest[:5])
            more = f" and {len(rest) - 5:,} more" if len(rest) > 5 else ""
            lines.append(f"Also dangling, named {CAUSE_MIN} times or more: {named}{more}.")
        return lines

    def text_lines(self) -> list[str]:
        """The summary printed after the diagnostic lines (none of its lines looks like one)."""
        # as wide as the largest number printed, the sums of the kinds and files not shown too
        numbers = [n for n, *_ in self.by_kind] + [n for n, _ in self.by_file] + [
            self.total - sum(n for n, *_ in self.by_kind[: self.KINDS_SHOWN]),
            self.total - sum(n for n, _ in self.by_file[: self.FILES_SHOWN]),
            self.errors - sum(n for n, _ in self.error_files[: self.FILES_SHOWN])]
        width = len(f"{max(numbers):,}")
        lines = [f"Summary: {self.headline()}.", "By kind:"]
        for count, severity, kind in self.by_kind[: self.KINDS_SHOWN]:
            lines.append(f"  {count:>{width},}  {severity:<7}  {kind}")
        if len(self.by_kind) > self.KINDS_SHOWN:
            rest = self.by_kind[self.KINDS_SHOWN:]
            lines.append(f"  {sum(n for n, *_ in rest):>{width},}  in {len(rest):,} more kinds")
        if len(self.by_file) > 1:
            lines += self._file_lines("Files with the most:", self.by_file, width)
        if self.errors and self.warnings:
            # the errors fail the run: where they are, when warnings outnumber them
            lines += self._file_lines("Files with the most errors:", self.error_files, width)
        return lines + self.cause_lines()

    def _file_lines(self, title: str, files: list[tuple[int, str]], width: int) -> list[str]:
        """``title`` and the first FILES_SHOWN of ``files`` (count, path), the others summed
        on one line; counts right-aligned in ``width``."""
        lines = [title] + [f"  {count:>{width},}  {one_line(path)}"
                           for count, path in files[: self.FILES_SHOWN]]
        if len(files) > self.FILES_SHOWN:
            rest = files[self.FILES_SHOWN:]
            lines.append(f"  {sum(n for n, _ in rest):>{width},}  in {len(rest):,} more files")
        return lines

    def markdown(self) -> str:
        """The summary as Markdown tables, for a GitHub step summary."""
        out = [f"**{_md(self.headline())}**", ""]
        out += [f"> {_md(line)}" for line in self.cause_lines()]
        if self.causes:
            out.append("")
        out += ["| count | severity | kind |", "|---:|---|---|"]
        out += [f"| {n:,} | {sev} | {_md(kind)} |" for n, sev, kind in self.by_kind]
        if len(self.by_file) > 1:
            out += self._file_table("count", self.by_file)
        if self.errors and self.warnings:
            out += self._file_table("errors", self.error_files)
        return "\n".join(out) + "\n"

    def _file_table(self, counted: str, files: list[tuple[int, str]]) -> list[str]:
        """A Markdown table of ``files`` (count, path) under a blank line, its count column
        headed ``counted``: the first 4 × FILES_SHOWN, the others summed in one row."""
        shown = files[: 4 * self.FILES_SHOWN]
        out = ["", f"| {counted} | file |", "|---:|---|"]
        out += [f"| {n:,} | {_md(path)} |" for n, path in shown]
        if len(files) > len(shown):
            rest = files[len(shown):]
            out.append(f"| {sum(n for n, _ in rest):,} | in {len(rest):,} more files |")
        return out


def summarize(diagnostics: list[Diagnostic], root=None) -> Summary:
    """Counts by kind and file, and the dangling references that explain many diagnostics.
    With ``root`` (the site root) the causes say whether the defining file exists and which
    existing files have a similar name."""
    from collections import Counter

    kinds: Counter = Counter()
    files: Counter = Counter()
    error_files: Counter = Counter()
    refs: Counter = Counter()
    ref_files: dict[tuple[str, str], set[str]] = {}
    for d in diagnostics:
        kinds[(d.severity, message_kind(d.message))] += 1
        files[d.path] += 1
        if d.severity == "error":
            error_files[d.path] += 1
        ref = dangling_reference(d.message)
        if ref is not None:
            refs[ref] += 1
            ref_files.setdefault(ref, set()).add(d.path)
    # A likely cause: a dangling reference value named by at least CAUSE_MIN diagnostics.
    likely = sorted((ref for ref, n in refs.items() if n >= CAUSE_MIN),
                    key=lambda ref: (-refs[ref], ref))
    causes = [_cause(what, value, refs[(what, value)], len(ref_files[(what, value)]), root)
              if i < CAUSES_SHOWN else
              Cause(what, value, refs[(what, value)], len(ref_files[(what, value)]), "", True)
              for i, (what, value) in enumerate(likely)]
    return Summary(
        errors=sum(1 for d in diagnostics if d.severity == "error"),
        warnings=sum(1 for d in diagnostics if d.severity == "warning"),
        by_kind=sorted(((n, sev, kind) for (sev, kind), n in kinds.items()),
                       key=lambda t: (-t[0], t[1], t[2])),
        by_file=sorted(((n, path) for path, n in files.items()), key=lambda t: (-t[0], t[1])),
        causes=causes,
        error_files=sorted(((n, path) for path, n in error_files.items()),
                           key=lambda t: (-t[0], t[1])),
    )


def _cause(what: str, value: str, count: int, nfiles: int, root) -> Cause:
    import difflib
    import os

    place = REFERENCE_KINDS[what]
    if place is None:
        from liaison.referral_rows import column_of  # it reads the models; this module does not

        column = column_of(value, "service") if what == "service" else None
        return Cause(what, value, count, nfiles, "site.yaml", False, column=column or "")
    folder, exts = place
    defined_in = f"{folder}/{value}{exts[0]}"
    if root is None:
        return Cause(what, value, count, nfiles, defined_in, True)
    try:
        names = sorted(os.listdir(os.path.join(root, folder)))
    except FileNotFoundError:
        names = []
    except OSError as exc:  # the file may well be there: the folder is what to fix
        return Cause(what, value, count, nfiles, f"{folder}/", False,
                     unreadable=exc.strerror or str(exc))
    stems = {}
    for name in names:
        stem, dot, ext = name.rpartition(".")
        if dot and "." + ext.lower() in exts and not name.startswith("."):
            stems.setdefault(stem, f"{folder}/{name}")
    if value in stems:
        return Cause(what, value, count, nfiles, stems[value], False)
    # A longer or shorter form of the id (ana-reyes -> ana-reyes-lopez), else ids spelled
    # alike (ana-reyes -> ana-reyse).
    related = sorted(s for s in stems
                     if s.startswith(value + "-") or value.startswith(s + "-"))
    alike = related or difflib.get_close_matches(value, list(stems), n=3, cutoff=0.75)
    similar = tuple(stems[s] for s in alike[:3])
    return Cause(what, value, count, nfiles, defined_in, True, similar)


def _md(text: str) -> str:
    """Text for a Markdown table cell or paragraph: no HTML, no cell break, no code span."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("|", "\\|").replace("`", "\\`").replace("\r", " ").replace("\n", " ")


def github_selection(diagnostics: list[Diagnostic],
                     limit: int = GITHUB_MAX_PER_SEVERITY) -> list[Diagnostic]:
    """At most ``limit`` errors and ``limit`` warnings to show as annotations, in sorted order:
    of each severity, first one diagnostic of each kind of message, then one of each file not
    yet shown, then the rest, each pass in sorted order."""
    chosen: list[Diagnostic] = []
    for severity in ("error", "warning"):
        pool = sorted(d for d in diagnostics if d.severity == severity)
        if len(pool) <= limit:
            chosen += pool
            continue
        picked: list[int] = []
        taken: set[int] = set()
        kinds_seen: set[str] = set()
        files_seen: set[str] = set()

        def take(i: int) -> None:
            picked.append(i)
            taken.add(i)
            files_seen.add(pool[i].path)

        for i, d in enumerate(pool):
            if len(picked) == limit:
                break
            kind = message_kind(d.message)
            if kind not in kinds_seen:
                kinds_seen.add(kind)
                take(i)
        for i, d in enumerate(pool):
            if len(picked) == limit:
                break
            if i not in taken and d.path not in files_seen:
                take(i)
        for i in range(len(pool)):
            if len(picked) == limit:
                break
            if i not in taken:
                take(i)
        chosen += [pool[i] for i in sorted(picked)]
    return sorted(chosen)


def step_summary(diagnostics: list[Diagnostic], summary: Summary | None, budget: int) -> str:
    """A Markdown section for a GitHub step summary: the summary (when given) and every
    diagnostic in text form in a code block, cut to at most ``budget`` bytes (UTF-8), saying
    how many were left out."""
    errors = sum(1 for d in diagnostics if d.severity == "error")
    warnings = len(diagnostics) - errors
    head = [f"### Liaison validate: {errors:,} error{'s' if errors != 1 else ''}, "
            f"{warnings:,} warning{'s' if warnings != 1 else ''}", ""]
    if summary is not None:
        head += [summary.markdown(), f"<details><summary>All {len(diagnostics):,} "
                 "diagnostics</summary>", ""]
    lines = [d.text().replace("\r", " ").replace("\n", " ") for d in diagnostics]
    longest = max((len(m) for line in lines for m in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    tail = [fence, ""] + (["</details>", ""] if summary is not None else [])
    start = "\n".join(head + [fence + "text"]) + "\n"
    end = "\n".join(tail) + "\n"
    # Room for the lines, and for the note on what was left out.
    room = budget - len(start.encode()) - len(end.encode()) - 200
    body: list[str] = []
    for line in lines:
        size = len(line.encode()) + 1
        if size > room:
            break
        body.append(line)
        room -= size
    note = ""
    if len(body) < len(lines):
        left = len(lines) - len(body)
        note = (f"\n{left:,} more diagnostic{'s' if left != 1 else ''} left out (a step summary "
                "holds at most 1 MiB): all of them are in the log of this step, or run "
                "`liaison validate` on the branch.\n")
    if room < 0 and not body:  # not even the frame fits
        return ""
    return start + "".join(line + "\n" for line in body) + end + note
