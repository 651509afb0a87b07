"""Reading one site root's files: bytes -> data (YAML, fast path first) -> validated records.

``Loader`` reads a file once. YAML goes through the fast parser (cached by content hash, see
``cache``); the exact parser with line and column runs only for files that have a problem.
Records are validated by their model; every problem is gathered (``Loader.problems``), none
stops the load. Where each problem stands in its file is worked out later (``place``).
"""
from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ValidationError

from liaison import guard, yamlio
from liaison.buildrecord import digest
from liaison.cache import ParseCache
from liaison.diagnostics import Loc, Problem, format_loc
from liaison.discover import refusal
from liaison.models import describe
from liaison.translate import pydantic_problem, with_path


# Reading never follows a link and never waits on a FIFO (SPEC §1: only regular files are
# read). Discovery has already left links and special files out by their file type; these
# flags hold when a file is replaced between discovery and reading.
# Git's marker of a merge conflict left in a file: a line of seven '<' (then a space and the
# branch, or nothing). The markers broke a YAML file with the parser's words ("could not find
# expected ':'") and a CSV row with a count of cells; in a note, a guide or a deck they passed,
# and the site showed both sides and the markers.
# With merge.conflictStyle diff3 (or zdiff3) git also writes the common ancestor's lines,
# after a line of seven '|' and its label; told to delete "the three marker lines", a person
# left that line and the ancestor's value, and got the YAML parser's words: such a line left
# alone is named too (with its label: a Markdown table row of empty cells has none). The
# first line may follow a byte-order mark (a file saved by Notepad).
_CONFLICT = re.compile(rb"^(?:\xef\xbb\xbf)?(?:<{7}(?:[ \t].*)?|\|{7}[ \t].*?)\r?$", re.M)
_ANCESTOR = re.compile(rb"^\|{7}[ \t]", re.M)
CONFLICT_MESSAGE = ("an unresolved merge conflict (git's '<<<<<<<', '=======' and '>>>>>>>' "
                    "lines): keep the lines you want and delete the three marker lines")
ANCESTOR_CONFLICT_MESSAGE = (
    "an unresolved merge conflict (git's '<<<<<<<', '|||||||', '=======' and '>>>>>>>' lines, "
    "as merge.conflictStyle diff3 writes them): keep the lines you want and delete the four "
    "marker lines and the common ancestor's lines from '|||||||' to '======='")


def conflict_line(raw: bytes) -> int | None:
    """The line (1-based) of the first merge-conflict marker in ``raw``, or None."""
    if b"<<<<<<<" not in raw and b"|||||||" not in raw:
        return None
    m = _CONFLICT.search(raw)
    return None if m is None else raw.count(b"\n", 0, m.start()) + 1


def conflict_message(raw: bytes) -> str:
    """What to do with the merge conflict that ``conflict_line`` found in ``raw``."""
    return ANCESTOR_CONFLICT_MESSAGE if _ANCESTOR.search(raw) else CONFLICT_MESSAGE


# The key each record of a kind starts with: when it and another key of a file's top mapping
# are written twice, a second record was written below the first as it stood (no '- '), and
# one error says so instead of one "duplicate key" a field.
_LEADING = {"interactions": ("date", "interaction"), "referrals": ("date", "referral"),
            "practices": ("name", "practice"), "physicians": ("name", "physician"),
            "team": ("name", "team member")}


def _second_records(rel: str, problems: list) -> list:
    """(the record's path, the key node where a second record starts, the message) for each
    record of ``rel`` that reads as two run together (see ``_LEADING``): the file's top mapping
    when its leading key and another are written twice; an item of a list of interactions or
    referrals when two of its keys are (both sides of a merge conflict kept, when git put the
    lines both added records share, '- date: …', above the conflict: "keep one" a field lost
    one side's visit)."""
    parts = rel.split("/")
    if len(parts) < 3 or parts[0] != "data" or parts[1] not in _LEADING:
        return []
    key, what = _LEADING[parts[1]]
    twice: dict = {}
    for loc, message, node in problems:
        if len(loc) in (1, 2) and message.startswith("duplicate key") \
                and (len(loc) == 1 or isinstance(loc[0], int)):
            twice.setdefault(loc[:-1], {}).setdefault(loc[-1], node)  # the first repeat
    found = []
    for record, keys in twice.items():
        if len(keys) < 2 or (not record and key not in keys):
            continue
        if record and parts[1] not in ("interactions", "referrals"):
            continue
        if not record and parts[1] in ("interactions", "referrals"):
            found.append((record, keys[key], (
                f"a second {what} starts here ('{key}:' again) in a file written as one "
                "record: a file of several is a YAML list, each record starting with '- ' and "
                "its lines indented under it")))
        elif not record:
            found.append((record, keys[key], (
                f"a second {what} starts here ('{key}:' again): a {what} file holds one "
                f"{what}; put the other in a file of its own")))
        elif key in keys:
            found.append((record, keys[key], (
                f"a second {what} starts here ('{key}:' again) with no '- ' of its own: write "
                f"'- {key}:' as the {what} above starts")))
        else:
            lead = min(keys.values(), key=lambda n: n.start_mark.index)
            names = [f"'{k}'" for k in sorted(keys, key=lambda k: keys[k].start_mark.index)]
            found.append((record, lead, (
                f"{', '.join(names[:-1])} and {names[-1]} are written twice in this {what}: "
                f"two {what}s run together (both sides of a merge conflict kept, whose "
                f"{what}s began with the same lines)? Start the second with its own "
                f"'- {key}: …' line above this one, or keep one of each field")))
    return found


_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
_DIR_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0)


class NotRegular(Exception):
    """A path that is a symbolic link or a special file: never read. ``path`` is the entry
    refused ('/'-separated, relative to the root), ``message`` says why."""

    def __init__(self, path: str, message: str):
        super().__init__(message)
        self.path = path
        self.message = message


def open_regular(path: str, rel: str) -> int:
    """A file descriptor for reading the regular file ``path`` (``rel`` names it in
    messages): NotRegular for a link (not followed) or a special file (opened without
    blocking, and closed at once), OSError for the rest."""
    return _open_regular(path, rel)[0]


def _open_regular(path: str, rel: str) -> tuple[int, int]:
    """``open_regular``, and the file's size as it was opened."""
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENXIO, errno.EMLINK):  # a link; a socket
            try:
                mode = os.lstat(path).st_mode
            except OSError:
                raise exc from None
            if not stat.S_ISREG(mode):
                raise NotRegular(rel, refusal(rel.rsplit("/", 1)[-1], mode)) from None
        raise
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise NotRegular(rel, refusal(rel.rsplit("/", 1)[-1], st.st_mode))
    return fd, st.st_size


def open_beneath(root, rel: str) -> int:
    """A file descriptor for reading ``rel`` ('/'-separated) below ``root``, every folder on
    the way opened without following a link, each entry checked before it is opened (a FIFO
    is never opened). NotRegular names the first link or special file on the way;
    FileNotFoundError, NotADirectoryError, IsADirectoryError: nothing to read there."""
    parts = rel.split("/")
    dfd = os.open(os.fspath(root), os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
    try:
        for i, part in enumerate(parts):
            if part in ("", ".", ".."):
                raise FileNotFoundError(errno.ENOENT, "not a name inside the site root", rel)
            mode = os.stat(part, dir_fd=dfd, follow_symlinks=False).st_mode
            here = "/".join(parts[: i + 1])
            last = i == len(parts) - 1
            if stat.S_ISDIR(mode) and not last:
                nfd = os.open(part, _DIR_FLAGS, dir_fd=dfd)
                os.close(dfd)
                dfd = nfd
            elif stat.S_ISREG(mode) and last:
                try:
                    fd = os.open(part, _READ_FLAGS, dir_fd=dfd)
                except OSError as exc:  # replaced by a link (or a socket) since
                    if exc.errno in (errno.ELOOP, errno.ENXIO, errno.EMLINK):
                        raise NotRegular(here, refusal(part, stat.S_IFLNK)) from None
                    raise
                mode = os.fstat(fd).st_mode
                if not stat.S_ISREG(mode):  # replaced since: not read
                    os.close(fd)
                    raise NotRegular(here, refusal(part, mode))
                return fd
            elif stat.S_ISDIR(mode):
                raise IsADirectoryError(errno.EISDIR, "a folder", rel)
            elif stat.S_ISREG(mode):
                raise NotADirectoryError(errno.ENOTDIR, "not a folder", rel)
            else:
                raise NotRegular(here, refusal(part, mode))
        raise FileNotFoundError(errno.ENOENT, "nothing to read", rel)  # pragma: no cover
    finally:
        os.close(dfd)


def read_beneath(root, rel: str, limit: int | None = None) -> bytes:
    """The bytes of ``rel`` below ``root`` (at most ``limit``), as ``open_beneath`` opens it."""
    fd = open_beneath(root, rel)
    with os.fdopen(fd, "rb") as fh:
        return fh.read() if limit is None else fh.read(limit)


def read_site_file(root, rel: str, max_bytes: int, too_big: str) -> tuple[str | None, list[Problem]]:
    """The text of an optional site file such as ``templates/palette.yaml``, or None with the
    problems that stopped it (none when the file is absent). Never through a link, never a
    FIFO; over ``max_bytes`` is refused with "the file is over N KB: ``too_big``"."""
    try:
        raw = read_beneath(root, rel, max_bytes + 1)
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None, []
    except NotRegular as exc:
        return None, [Problem(exc.path, exc.message, line=1, col=1)]
    except OSError as exc:
        return None, [Problem(rel, f"cannot read the file: {exc.strerror}", line=1, col=1)]
    if len(raw) > max_bytes:
        return None, [Problem(rel, f"the file is over {max_bytes // 1024} KB: {too_big}",
                              line=1, col=1)]
    conflict = conflict_line(raw)
    if conflict is not None:
        return None, [Problem(rel, conflict_message(raw), line=conflict, col=1)]
    try:
        return yamlio.decode(raw), []
    except yamlio.YamlSyntaxError as exc:
        return None, [Problem(rel, exc.message, line=exc.line, col=exc.col)]


@dataclass(frozen=True)
class Partial:
    """A record that failed validation, kept so that the references it does make can still be
    checked in the same run."""

    model: type
    path: str
    prefix: Loc
    data: dict
    bad: frozenset  # locations that already have a problem
    line: int | None = None  # a CSV row's line: its problems stand there, at column 1


@dataclass
class Parsed:
    """A YAML file's data, and whether it came from the exact path already."""

    data: object
    exact: bool
    raw: bytes
    line_offset: int = 0


def _hit_lines(data, loc, kind: str, near: bool = False) -> list[int | None]:
    """The lines (from 0) of the text at ``loc`` where the guard found ``kind``: in a long note
    of many lines, one diagnostic for each, pointing at its line (``Problem.within``); [None]
    (one diagnostic, at the value) for a text of one line."""
    for part in loc:
        data = data[part]
    if isinstance(data, str) and "\n" in data:
        return guard.hit_lines(data, kind, near) or [None]
    return [None]


def _one_record(prefix: Loc, data) -> str:
    """What to do with a list written where a file of one record stands (`- name: …` in a
    team member's file)."""
    if prefix or not isinstance(data, list):
        return ""
    return ": this file holds one record, its fields written without '- '"


class Loader:
    """Reads the files of one site root; gathers problems."""

    def __init__(self, root: Path, cache: ParseCache | None = None):
        self.root = root
        self._root = str(root)
        self.cache = cache
        self.problems: list[Problem] = []
        self.partials: list[Partial] = []

    def error(self, path: str, message: str, **kw) -> None:
        self.problems.append(Problem(path, message, **kw))

    def read_bytes(self, rel: str) -> bytes | None:
        """A file's bytes, at most the YAML size limit plus one (thousands of small files:
        plain os calls, no buffered file objects or path objects; one read when the file
        holds the size it had when opened). The hash of a file read whole goes into the
        cache's ``digests`` when it collects them."""
        try:
            fd, size = _open_regular(os.path.join(self._root, rel), rel)
            try:
                want = min(size, yamlio.MAX_YAML_BYTES) + 1
                chunk = os.read(fd, want)
                if len(chunk) == size < want:  # all of it: no second read to find the end
                    raw = chunk
                else:
                    chunks = []
                    while chunk:
                        chunks.append(chunk)
                        want -= len(chunk)
                        if want <= 0:
                            break
                        chunk = os.read(fd, want)
                    raw = b"".join(chunks)
            finally:
                os.close(fd)
            digests = self.cache.digests if self.cache is not None else None
            if digests is not None and len(raw) <= yamlio.MAX_YAML_BYTES:  # the whole file
                digests[rel] = digest(raw)
            return raw
        except NotRegular as exc:
            self.error(rel, exc.message, line=1, col=1)
            return None
        except OSError as exc:
            self.error(rel, f"cannot read the file: {exc.strerror or exc}")
            return None

    def open_text(self, rel: str, **kw):
        """A text file object for reading ``rel`` (``open``'s keywords), or None after
        recording why it cannot be read (a link or special file is never read)."""
        try:
            return open(open_regular(os.path.join(self._root, rel), rel), **kw)
        except NotRegular as exc:
            self.error(rel, exc.message, line=1, col=1)
        except OSError as exc:
            self.error(rel, f"cannot read the file: {exc.strerror or exc}")
        return None

    def parse(self, rel: str, raw: bytes | None = None, line_offset: int = 0) -> Parsed | None:
        """A YAML file's data (fast path first, cached), or None after recording a problem."""
        if raw is None:
            raw = self.read_bytes(rel)
            if raw is None:
                return None
            if len(raw) > yamlio.MAX_YAML_BYTES:
                self.error(rel, "the file is larger than 5 MB: split it into several files")
                return None
            if self.conflicted(rel, raw):
                return None
        # Only the exact path's results are cached: the fast parser reads a file faster than
        # the cache could be loaded (measured: 73 MB of pickled data took longer than parsing).
        # With nothing cached there is nothing to look up: no file is hashed.
        key = self.cache.key(raw) if self.cache and self.cache.old else None
        if key is not None:
            hit = self.cache.get(key)
            if hit is not ParseCache.MISS:
                return Parsed(hit[1], hit[0], raw, line_offset)
        try:
            text = yamlio.decode(raw)
        except yamlio.YamlSyntaxError as exc:
            self.error(rel, exc.message_at(line_offset), line=exc.line + line_offset,
                       col=exc.col)
            return None
        try:
            return Parsed(yamlio.composed(yamlio.fast_load(text, raw), text), False, raw,
                          line_offset)
        except yamlio.NeedExact:
            parsed = self.exact(rel, Parsed(None, False, raw, line_offset))
        if parsed is not None and self.cache is not None:
            self.cache.put(key or self.cache.key(raw), (True, parsed.data))
        return parsed

    def exact(self, rel: str, parsed: Parsed) -> Parsed | None:
        """The same file through the exact path, or None after recording its problems."""
        offset = parsed.line_offset
        text = None
        try:
            data, _node, problems = yamlio.exact_load(text := yamlio.decode(parsed.raw))
            data = yamlio.composed(data, text)
        except yamlio.YamlSyntaxError as exc:
            self.error(rel, exc.message_at(offset), line=exc.line + offset, col=exc.col)
            self.guard_text(rel, parsed.raw, text, 1 + offset)
            return None
        said = problems
        for record, lead, message in _second_records(rel, problems):
            # one error for the record, not one a field
            self.error(rel, f"{format_loc(record)}: {message}" if record else message,
                       line=lead.start_mark.line + 1 + offset,
                       col=lead.start_mark.column + 1 if record else 1)
            said = [p for p in said if not (p[0][:-1] == record and len(p[0]) == len(record) + 1
                                            and p[1].startswith("duplicate key"))]
        for loc, message, key_node in said:
            self.error(rel, f"{format_loc(loc)}: {message}" if loc else message,
                       line=key_node.start_mark.line + 1 + offset,
                       col=key_node.start_mark.column + 1)
        if problems:
            # the record is not read, but what it holds is still scanned: a patient identifier
            # beside a field written twice is said in the same run, not after it is fixed
            self.guard(rel, Parsed(data, True, parsed.raw, offset))
            return None
        return Parsed(data, True, parsed.raw, offset)

    def records(self, rel: str, parsed: Parsed | None, build):
        """``build(data)`` -> result, recording problems. If the fast path's data has problems,
        the file is read again exactly and only that reading's problems count; the guard then
        scans the free text of the data that was kept."""
        if parsed is None:
            return None
        mark, partial_mark = len(self.problems), len(self.partials)
        result = build(parsed.data)
        if len(self.problems) > mark and not parsed.exact:
            del self.problems[mark:]
            del self.partials[partial_mark:]  # only the exact reading's records count
            exact = self.exact(rel, parsed)
            if exact is None:
                return None
            parsed = exact
            result = build(parsed.data)
            if self.cache is not None:
                self.cache.put(self.cache.key(parsed.raw), (True, parsed.data))
        self.guard(rel, parsed)
        if parsed.exact:  # (a number with a leading zero sends a file down the exact path)
            for loc, line, col, message in yamlio.leading_zeros(yamlio.decode(parsed.raw)):
                self.error(rel, f"{format_loc(loc)}: {message}", line=line + parsed.line_offset,
                           col=col, severity="warning")
        return result

    def conflicted(self, rel: str, raw: bytes) -> bool:
        """Whether a file's bytes hold the markers of a merge left unresolved: then an error
        at the first marker, and the guard over its text (both sides are in it)."""
        conflict = conflict_line(raw)
        if conflict is None:
            return False
        self.error(rel, conflict_message(raw), line=conflict, col=1)
        self.guard_text(rel, raw)
        return True

    def guard_text(self, rel: str, raw: bytes, text: str | None = None,
                   first_line: int = 1) -> None:
        """The guard over a file that cannot be read as records (a YAML syntax error, a merge
        conflict, front matter not closed): its text scanned as a note's, each hit an error at
        its line, so that it is said in this run, not after the other error is fixed."""
        if not guard.might_hold(raw):
            return
        if text is None:
            try:
                text = yamlio.decode(raw)
            except yamlio.YamlSyntaxError:  # not UTF-8: said already
                return
        for line, kind in guard.scan_text(text, first_line):
            self.error(rel, f"looks like {kind}: {guard.PATIENT_MESSAGE}", line=line, col=1)

    # Files no kind reads that hold no text a person wrote to scan: pictures (an SVG's path,
    # "M120 40 1200", is shaped like a Social Security number), style sheets and scripts
    # (numbers by the hundred), spreadsheets, documents, fonts
    _NOT_TEXT = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".ico", ".bmp", ".tif",
                 ".tiff", ".heic", ".svg", ".css", ".js", ".mjs", ".map", ".pdf", ".pptx",
                 ".docx", ".xlsx", ".xls", ".xlsm", ".ods", ".odt", ".numbers", ".zip", ".gz",
                 ".woff", ".woff2", ".ttf", ".otf", ".mp4", ".mov", ".mp3", ".wav")

    def guard_unread(self, rel: str) -> None:
        """The guard over a file below data/, content/ or templates/ that no kind reads (a
        template, settings beside them, a note left in a folder as .txt, a README): a
        person wrote it and git keeps it as it keeps a record, so a text file (UTF-8, no
        NUL byte, at most the YAML size limit) is scanned as a note's text, each hit an error
        at its line. Nothing is said of a file that cannot be read or is not text."""
        if rel.lower().endswith(self._NOT_TEXT):
            return
        try:
            with open(os.path.join(self._root, rel), "rb") as f:
                raw = f.read(yamlio.MAX_YAML_BYTES + 1)
        except OSError:
            return
        if len(raw) > yamlio.MAX_YAML_BYTES or b"\0" in raw:
            return
        self.guard_text(rel, raw)

    def guard(self, rel: str, parsed: Parsed) -> None:
        """The patient-information guard over a file's data (its free text, its keys) and
        its comments: each hit an error (a near form, a warning) at its place."""
        if guard.might_hold(parsed.raw):
            for loc, kind in guard.scan(parsed.data):
                where = f"{format_loc(loc)}: " if loc else ""
                key = isinstance(loc, guard.KeyLoc)
                for within in [None] if key else _hit_lines(parsed.data, loc, kind):
                    self.error(rel, f"{where}looks like {kind}: {guard.PATIENT_MESSAGE}",
                               loc=tuple(loc), at="key" if key else "value", within=within)
            for loc, kind in guard.scan_near(parsed.data):  # forms beyond the contract's
                where = f"{format_loc(loc)}: " if loc else ""
                for within in _hit_lines(parsed.data, loc, kind, near=True):
                    self.error(rel, f"{where}may hold {kind}: {guard.PATIENT_MESSAGE}; "
                                    f"{guard.near_advice(kind)}", loc=loc, severity="warning",
                               within=within)
            if b"#" in parsed.raw:  # comments go into git history with the values
                for line, col, kind, near, joined in guard.scan_comments(yamlio.decode(parsed.raw)):
                    if joined:
                        self.error(rel, f"a comment and the value before it look like {kind} "
                                        f"(a '#' after a space starts a YAML comment, committed "
                                        f"with the value): {guard.PATIENT_MESSAGE}",
                                   line=line + parsed.line_offset, col=col)
                    elif near:
                        self.error(rel, f"a comment may hold {kind}: {guard.PATIENT_MESSAGE}; "
                                        f"{guard.near_advice(kind)}", line=line + parsed.line_offset,
                                   col=col, severity="warning")
                    else:
                        self.error(rel, f"a comment looks like {kind}: {guard.PATIENT_MESSAGE}",
                                   line=line + parsed.line_offset, col=col)

    def validate(self, model: type[BaseModel], data, rel: str, prefix: Loc = ()):
        """A model instance, or None after recording each of its problems (and keeping the
        record as a ``Partial``)."""
        if not isinstance(data, dict):
            self.error(
                rel, with_path(prefix, f"expected a record's fields (lines `field: value`), got "
                                       f"{describe(data)}{_one_record(prefix, data)}"),
                loc=prefix,
            )
            return None
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            bad = set()
            for err in exc.errors(include_url=False, include_context=True, include_input=True):
                problem = pydantic_problem(rel, prefix, model, err)
                self.problems.append(problem)
                bad.add(problem.loc)
            self.partials.append(Partial(model, rel, prefix, data, frozenset(bad)))
            return None

    def items(self, rel: str, data) -> list[tuple[Loc, object]]:
        """A record file's records with their location prefix: one mapping or a list of
        them; a problem for anything else."""
        if data is None or data == [] or data == {}:
            self.error(rel, "the file holds no record: write its records (each starting with "
                            "'- '), or delete the file")
            return []
        if isinstance(data, dict):
            return [((), data)]
        if isinstance(data, list):
            return [((i,), item) for i, item in enumerate(data)]
        self.error(rel, "expected a record (lines `field: value`) or a list of records (each "
                        f"starting with '- '), got {describe(data)}")
        return []
