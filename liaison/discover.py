"""Which files of a site root are records: site.yaml, data/ and content/, by kind.

Plain names only: nothing is read here. Hidden files and README.md are ignored (SPEC §1).

Only regular files inside the site root are read (SPEC §1): every entry below ``data/``,
``content/`` and ``templates/`` (and site.yaml itself) is looked at without following links
(``os.scandir``'s file type, no extra system call), and a symbolic link or a special file
(FIFO, socket, device) there is a problem at its own path; a linked folder is never entered,
so a link loop is one problem too. Hidden entries are skipped whatever they are (an editor's
lock file is a dangling link named ``.#NAME``).
"""
from __future__ import annotations

import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from liaison.buildrecord import utf8_name
from liaison.diagnostics import Problem
from liaison.models import FILE_KINDS

YAML_EXT = (".yaml", ".yml")
SITE_NAMES = ("site.yaml", "site.yml")
TREES = ("data", "content", "templates")  # every entry below these is checked
ONLY_REGULAR = "only regular files inside the site root are read"
NOT_UTF8_NAME = "the name is not UTF-8 text (a byte of another encoding): rename it"
# `~$2026-h1.csv`: the lock file Excel (or Word) keeps beside a file it has open, hidden on
# Windows, so committed with `git add -A` unseen; read as a referral file it was "missing
# columns" and "unknown column 'Maya Lindqv <U+0000>M<U+0000>…'"
OFFICE_LOCK = ("not read: a lock file, which Excel or Word keeps beside a file it has open "
               "(Windows hides it): close the file there, and do not commit this one (add ~$* "
               "to .gitignore)")


def input_tree(root: Path, path: Path) -> str | None:
    """The one of ``TREES`` that ``path`` is at or below in the site ``root`` (both resolved),
    if any: what every command reads."""
    for tree in TREES:
        if path.is_relative_to(root / tree):
            return tree
    return None


@dataclass
class Files:
    """The files of a site root, by kind, as sorted '/'-separated paths relative to it."""

    site: str | None = None
    by_kind: dict[str, list[str]] = field(default_factory=dict)
    interactions: list[str] = field(default_factory=list)
    referrals: list[str] = field(default_factory=list)
    training: list[str] = field(default_factory=list)
    presentations: list[str] = field(default_factory=list)
    # the sizes of interaction and referral files known so far (``holds_at_least``)
    sizes: dict[str, int] = field(default_factory=dict)
    # symbolic links and special files (never read) and unreadable folders, at their paths
    problems: list[Problem] = field(default_factory=list)
    # the other files below data/, content/ and templates/ (pictures, templates, README.md
    # files, notes left there): no kind reads them; the patient guard scans the text ones
    others: list[str] = field(default_factory=list)
    root: str = ""  # the site root they are listed from

    def holds_at_least(self, nbytes: int, rels: list[str]) -> bool:
        """Whether the files ``rels`` (interaction and referral files) hold ``nbytes`` bytes or
        more: the sizes ``discover`` was given first, then the others asked of the file
        system one by one, only until the sum gets there (asked for every file as it was
        listed, the sizes of 18,500 files at 10,000 physicians took 0.07 s of ``validate``
        before its second process started; a gone or unreadable file counts 0)."""
        total, sizes = 0, self.sizes
        for rel in rels:
            if total >= nbytes:
                break
            size = sizes.get(rel)
            if size is None:
                try:
                    size = os.stat(os.path.join(self.root, rel), follow_symlinks=False).st_size
                except (OSError, ValueError):
                    size = 0
                sizes[rel] = size
            total += size
        return total >= nbytes


def refusal(name: str, mode: int) -> str:
    """Why the entry ``name`` (of ``lstat`` mode ``mode``) is not read."""
    if stat.S_ISLNK(mode):
        return f"'{name}' is a symbolic link: {ONLY_REGULAR}"
    what = ("a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a character device" if stat.S_ISCHR(mode)
            else "a block device" if stat.S_ISBLK(mode) else "a special file")
    return f"'{name}' is {what}, not a regular file: {ONLY_REGULAR}"


def refused(rel: str, mode: int) -> Problem:
    """The problem of a link or special file at ``rel``, at 1:1 (nothing of it is read)."""
    return Problem(rel, refusal(rel.rsplit("/", 1)[-1], mode), line=1, col=1)


def discover(root: Path, stats: dict | None = None) -> Files:
    """The record files of the site root ``root``; ``stats``: what ``os.stat`` gave of them
    moments before (liaison.buildrecord.signature_of, by relative path), when the caller has
    it: their sizes are taken from there."""
    top = os.fspath(root)
    files = Files(root=top)
    others: list[str] = []
    for name in SITE_NAMES + TREES:
        try:
            mode = os.lstat(os.path.join(top, name)).st_mode
        except OSError:
            continue
        if stat.S_ISREG(mode):
            if name in SITE_NAMES and files.site is None:
                files.site = name
            elif name in SITE_NAMES:  # site.yml beside site.yaml: its settings taken nowhere
                files.problems.append(Problem(
                    name, f"not read: {files.site} is the site's settings file; move what this "
                    f"one holds into {files.site} and delete it", "warning", line=1, col=1))
        elif not stat.S_ISDIR(mode):
            files.problems.append(refused(name, mode))
        elif name in SITE_NAMES and files.site is not None:  # site.yml/ beside site.yaml
            files.problems.append(Problem(name, f"not read: '{name}' is a folder, not a file; "
                                          f"{files.site} is the site's settings file",
                                          "warning", line=1, col=1))
        elif name in SITE_NAMES:  # not "missing site.yaml … put it back": it is there
            files.problems.append(Problem(name, f"'{name}' is a folder, not a file: the site's "
                                          "settings are a file of that name: put it in the "
                                          "folder's place", line=1, col=1))
        elif name in TREES:
            for folder, entry in _walk(top, name, files.problems):
                if not _sort(files, folder, entry, stats):
                    others.append(f"{folder}/{entry.name}")  # pictures, templates: not read
    files.problems += _beside_the_settings(top)
    for rels in (files.interactions, files.referrals, files.training, files.presentations,
                 *files.by_kind.values()):
        rels.sort()
    for kind in FILE_KINDS:
        files.by_kind.setdefault(kind, [])
    files.others = sorted(others)
    rels = every_path(files, others)
    files.problems += name_warnings(rels) + unportable_names(rels) + merge_leftovers(
        files.interactions + files.referrals)
    return files


# Records put beside site.yaml instead of in data/: a folder named as a kind of data/
# (`interactions/`, moved a level up), or a visit the field-logging page downloaded, under the
# name it gives (`03-alder-falls-family-medicine-maya-lindqvist-103000.yaml`), uploaded on the
# repository's front page (GitHub's "Upload files" puts a file in the folder it is opened on):
# read nowhere, and validate said "ok". Other files there (a README, a tool's settings) are
# not records, and get no word.
_LOGGED_NAME = re.compile(r"[0-3][0-9]-[a-z0-9]+(?:-[a-z0-9]+)*-[0-9]{6}(?: \([0-9]+\))?\.ya?ml")


def _beside_the_settings(top: str) -> list[Problem]:
    """A warning at each such folder or file of the site root ``top`` (see above)."""
    out = []
    try:
        with os.scandir(top) as entries:
            found = sorted((entry.name, entry.is_dir(follow_symlinks=False)) for entry in entries)
    except OSError:
        return out
    for name, folder in found:
        if folder and name in _WHAT:
            out.append(Problem(name, f"not read: {_WHAT[name][0]} files are read from "
                                     f"data/{name}/, not from {name}/ beside site.yaml: move "
                                     "the folder into data/", "warning", line=1, col=1))
        elif not folder and _LOGGED_NAME.fullmatch(name):
            out.append(Problem(name, "not read: interactions are read from data/interactions/, "
                                     "not from beside site.yaml: move it to data/interactions/"
                                     "YYYY/MM/ (the folders the field-logging page names)",
                               "warning", line=1, col=1))
    return out


def every_path(files: Files, others: list[str] = ()) -> list[str]:
    """The paths of every file of the site: its records and ``others`` (pictures, templates
    and other files below data/, content/ and templates/)."""
    rels = [rel for group in (files.interactions, files.referrals, files.training,
                              files.presentations, *files.by_kind.values()) for rel in group]
    if files.site is not None:
        rels.append(files.site)
    return rels + list(others)


def name_warnings(rels: list[str]) -> list[Problem]:
    """An error at each file of the site (``every_path``) whose path (folders and name) looks
    like it holds a patient identifier (``data/interactions/dob-1959-03-04.yaml``): a name is
    in git history for good, as a value is, and CI runs validate without ``--strict`` (a
    warning would be merged). All the paths go through the guard's file prefilter at once
    (one pass, nothing found in an ordinary site); only when it finds something is each path
    scanned."""
    from liaison import guard

    # (and as words, as a name is written: "jane-roe-03-04-1956.yaml" as "Jane Roe 03-04-1956")
    words = [guard.path_as_words(rel) for rel in rels]
    if not rels or not guard.might_hold("\n".join(rels + words).encode("utf-8", "surrogateescape")):
        return []
    out = []
    for rel, as_words in zip(rels, words):
        for kind in guard.patient_info(rel) or guard.patient_info(as_words):
            out.append(Problem(rel, f"the file's name or folder looks like {kind}: "
                                    f"{guard.PATIENT_MESSAGE}; rename it",
                               line=1, col=1))
    return out


# What Windows does not take in a file or folder name (git for Windows refuses to check such a
# path out, and stops there): one of the characters < > : " | ? * \\ or a control character; a
# name that ends in a dot or a space; a device's name (CON, NUL, COM1 …), whatever extension
# follows it (`con.yaml`, `aux.2026.csv`).
_NOT_ON_WINDOWS = re.compile(
    r'(?P<char>[<>:"|?*\\\x00-\x1f])|(?P<end>[. ])(?:/|$)'
    r"|(?:^|/)(?P<device>(?i:con|prn|aux|nul|com[1-9\u00b9\u00b2\u00b3]|lpt[1-9\u00b9\u00b2\u00b3]"
    r"|conin\$|conout\$)) *(?:\.[^/]*)?(?:/|$)")
# The same, over all the paths at once (lower case, each after "\0/"; a name holds no NUL),
# in searches that scan fast: only when one finds something is each path searched (that took
# 0.14 s for 20,000 paths, these 0.01 s)
_ODD_CHAR = re.compile(r'[<>:"|?*\\\x01-\x1f]')
_DEVICE = re.compile(r"/(?:con|prn|aux|nul|com[1-9\u00b9\u00b2\u00b3]|lpt[1-9\u00b9\u00b2\u00b3]"
                     r"|conin\$|conout\$) *[./\x00]")
_CHECKED_OUT = "a colleague on Windows cannot check the repository out (git stops there)"


def unportable_names(rels: list[str]) -> list[Problem]:
    """A warning at each path of ``rels`` (``every_path``) that a colleague's Windows or macOS
    cannot hold as it is: a name Windows does not take (``_NOT_ON_WINDOWS``; a folder's said
    once, at the folder), and a path that is another's on a file system that does not tell
    capital letters from small ones (Windows, macOS) or an accented letter written as one
    character from one written as a letter and an accent (macOS writes names so): checked
    out there, one file takes the other's place, and its records are lost or counted as the
    other's. Linux, where CI runs, tells them all apart, so nothing else would say so."""
    text = ("\0/" + "\0/".join(rels) + "\0").lower()
    odd = _ODD_CHAR.search(text) or _DEVICE.search(text) or any(
        end in text for end in (" /", "./", " \0", ".\0"))
    keys = (text if text.isascii() else unicodedata.normalize("NFC", text))[2:-1].split("\0/")
    if not odd and len(set(keys)) == len(keys):
        return []
    out = []
    said: set[str] = set()
    for rel in rels if odd else ():
        bad = _NOT_ON_WINDOWS.search(rel)
        if bad is None:
            continue
        kind = bad.lastgroup
        at = rel.find("/", bad.start(kind))
        where = rel if at == -1 else rel[:at]
        if where in said:
            continue
        said.add(where)
        name = where.rsplit("/", 1)[-1]
        what = "folder" if at != -1 else "file"
        why = (f"the {what} name holds {bad.group('char')!r}, which Windows does not allow in "
               "a name" if kind == "char" else
               f"the {what} name ends in a dot or a space, which Windows does not allow"
               if kind == "end" else
               f"'{name}' is the name of a device on Windows ({bad.group('device')}), whatever "
               "extension follows it")
        out.append(Problem(where, f"{why}: {_CHECKED_OUT}; rename it", "warning", line=1, col=1))
    seen: dict[str, str] = {}
    for rel, key in sorted(zip(rels, keys)):  # (others come in the folders' order)
        other = seen.setdefault(key, rel)
        if other is not rel:
            how = ("a capital letter from a small one (macOS and Windows)" if
                   rel.lower() == other.lower() else "an accented letter written as one "
                   "character from one written as a letter and an accent (macOS, which writes "
                   "names the second way)")
            out.append(Problem(rel, f"the same path as {other} where the file system does not "
                                    f"tell {how}: checked out there, one file takes the other's "
                                    "place; merge the two or rename one", "warning", line=1,
                               col=1))
    return out


# The copies `git mergetool` writes beside a file in conflict, `<name>_BASE_<pid><ext>` (the
# common ancestor's side), `_LOCAL_`, `_REMOTE_` (each branch's) and `_BACKUP_`: removed when
# the tool ends, left when it is killed or told to keep them (mergetool.keepTemporaries). An
# interaction or referral file is named freely, so such a copy was read as one more file: the
# visits and referrals of q3.yaml counted two, three times over, with "ok".
_MERGE_COPY = re.compile(r"_(BASE|LOCAL|REMOTE|BACKUP)_[0-9]+(\.[^./]*)$")
_MERGE_SIDE = {"BASE": "the common ancestor's side", "LOCAL": "your branch's side",
               "REMOTE": "the other branch's side", "BACKUP": "a backup of the file in conflict"}
# The names other programs give a second copy of a file, beside it: Windows Explorer's
# `q3 - Copy.yaml` (`- Copy (2)`), the Finder's `q3 copy.yaml` (`copy 2`), a browser's second
# download `q3 (1).yaml` (the field-logging page's file downloaded twice), a sync client's
# `q3 (Dana's conflicted copy 2026-12-01).yaml`, Google Drive's `Copy of q3.csv` (a sheet
# copied there, then downloaded). Said only when the file it copies is there.
_NAMED_COPY = re.compile(r"(?: - Copy(?: \([0-9]+\))?| copy(?: [0-9]+)?| \([0-9]+\)"
                         r"| \([^/()]*conflicted copy[^/()]*\))(\.[^./]*)$", re.I)
_COPY_OF = re.compile(r"/Copy of (?=[^/]+$)", re.I)


_ANY_COPY = re.compile(r"_(?:BASE|LOCAL|REMOTE|BACKUP)_[0-9]| copy|/copy of | \(", re.I)


def merge_leftovers(rels: list[str]) -> list[Problem]:
    """An error at each interaction or referral file of ``rels`` that is a copy `git
    mergetool` left (``_MERGE_COPY``), and a warning at one named as another program names a
    copy, beside the file of ``rels`` it would copy (``_NAMED_COPY``; a warning, since a
    person may have named a file of their own so): its records are read, and count with
    those of the file it copies."""
    out = []
    if not _ANY_COPY.search("\n".join(rels)):  # one search: 6 ms for 20,000 paths, not 10
        return out
    present = set(rels)
    for rel in rels:
        m = _MERGE_COPY.search(rel)
        if m is not None:
            original = rel[:m.start()].rsplit("/", 1)[-1] + m.group(2)
            out.append(Problem(rel, f"a copy of {original} that git mergetool writes while a "
                                    f"merge conflict in it is resolved "
                                    f"({_MERGE_SIDE[m.group(1)]}), left behind: its records "
                                    f"count a second time with those of {original}; delete it",
                               line=1, col=1))
            continue
        m = _NAMED_COPY.search(rel)
        copied = m and rel[:m.start()] + m.group(1)
        if not copied and (m := _COPY_OF.search(rel)) is not None:
            copied = rel[:m.start() + 1] + rel[m.end():]
        if copied and copied in present:
            original = copied.rsplit("/", 1)[-1]
            out.append(Problem(rel, f"named as programs name a copy of {original}, beside it: "
                                    f"if it is one, its records count a second time with those of "
                                    f"{original}: delete it; if not, give it a name of its own",
                               "warning", line=1, col=1))
    return out


def stem(rel: str) -> str:
    """A record file's id: its name without folder and extension."""
    return rel.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def regular_files(root: Path, sub: str, recursive: bool = True) -> list[str]:
    """The regular files below the folder ``sub`` of ``root``, sorted '/'-separated paths
    relative to ``root``; no link is followed (a linked ``sub`` or parent of it: none) and
    hidden entries are skipped."""
    top = os.fspath(root)
    if not real_dir(top, sub):
        return []
    out = []
    for folder, entry in _walk(top, sub, [], recursive):
        out.append(f"{folder}/{entry.name}")
    return sorted(out)


def real_dir(root, rel: str) -> bool:
    """Whether ``rel`` is a folder of ``root`` reached through folders only, no link."""
    path = os.fspath(root)
    for part in rel.split("/"):
        path = os.path.join(path, part)
        try:
            if not stat.S_ISDIR(os.lstat(path).st_mode):
                return False
        except OSError:
            return False
    return True


def _walk(top: str, sub: str, problems: list[Problem], recursive: bool = True):
    """(folder, entry) of every regular file below ``sub`` (one scandir pass: no extra stat
    per entry); links, special files and unreadable folders go to ``problems``."""
    folders = [sub]
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(os.path.join(top, folder)) as it:
                entries = list(it)
        except (FileNotFoundError, NotADirectoryError):
            continue
        except OSError as exc:
            problems.append(Problem(folder, f"cannot read the folder: {exc.strerror or exc}",
                                    line=1, col=1))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.name.startswith("~$"):  # never read, a template's or an asset's neither
                problems.append(Problem(f"{folder}/{entry.name}", OFFICE_LOCK, "warning",
                                        line=1, col=1))
                continue
            if not utf8_name(entry.name):
                shown = os.fsencode(entry.name).decode("utf-8", "backslashreplace")
                problems.append(Problem(f"{folder}/{shown}", NOT_UTF8_NAME, line=1, col=1))
                continue
            try:
                if entry.is_symlink():
                    problems.append(refused(f"{folder}/{entry.name}", stat.S_IFLNK))
                elif entry.is_dir(follow_symlinks=False):
                    if sub != "templates" and _RECORD_NAME.search(entry.name.lower()):
                        problems.append(Problem(f"{folder}/{entry.name}", FOLDER_NAMED_AS_FILE
                                                .format(name=entry.name), "warning", line=1, col=1))
                    if recursive:
                        folders.append(f"{folder}/{entry.name}")
                elif entry.is_file(follow_symlinks=False):
                    yield folder, entry
                else:
                    problems.append(refused(f"{folder}/{entry.name}",
                                            entry.stat(follow_symlinks=False).st_mode))
            except OSError:  # gone since the folder was listed
                continue


def _sort(files: Files, folder: str, entry: os.DirEntry, stats: dict | None = None) -> bool:
    """A regular file of data/ or content/ into its kind (or nowhere: other files are
    ignored, a file whose name says it was meant as a record with a warning: ``_unread``);
    whether it is a record file."""
    name = entry.name
    if name == "README.md":
        return False
    lower = name.lower()
    if folder.startswith("data/"):
        kind = folder[5:]
        if kind in FILE_KINDS:
            if lower.endswith(YAML_EXT):
                files.by_kind.setdefault(kind, []).append(f"{folder}/{name}")
                return True
        else:
            head = kind.split("/", 1)[0]
            if head in FILE_KINDS and lower.endswith(YAML_EXT):
                files.problems.append(_nested(files.root, f"data/{head}", f"{folder}/{name}"))
                return False
            if head == "interactions" and lower.endswith(YAML_EXT) or \
                    head == "referrals" and lower.endswith(YAML_EXT + (".csv",)):
                rel = f"{folder}/{name}"
                (files.interactions if head == "interactions" else files.referrals).append(rel)
                known = stats.get(rel) if stats is not None else None
                if known is not None:
                    files.sizes[rel] = known[0]
                return True
            if kind == "market" and lower.endswith(YAML_EXT):
                return False  # read by liaison.market
    elif folder in ("content/training", "content/presentations") and lower.endswith(".md"):
        (files.training if folder == "content/training" else files.presentations).append(
            f"{folder}/{name}")
        return True
    elif folder.startswith(("content/training/", "content/presentations/")) and \
            lower.endswith(".md"):
        files.problems.append(_nested(files.root, "/".join(folder.split("/", 2)[:2]),
                                      f"{folder}/{name}"))
        return False
    unread = _unread(folder, name, files.root)
    if unread is not None:
        files.problems.append(unread)
    return False


# What a file below data/ or content/ that is not read may be named and still be a record
# lost in silence: a record's extension inside its name (`visit.yaml.txt`, as Notepad saves
# it; `x.yml.orig`; `x.yaml ` with a trailing space), an extension one slip away from one
# (`.ymal`, `.tsv`), a spreadsheet where referral CSV files go, or a record file in data/
# itself or in a folder that no kind is read from (`data/interaction/`). An editor's backup
# (`x.yaml~`, `#x.yaml#`) is left alone, as hidden files are.
_RECORD_EXT = re.compile(r"\.(ya?ml|csv|md)(?![a-z0-9])")
_RECORD_NAME = re.compile(r"\.(ya?ml|csv|md)$")  # a folder so named was meant as a file
FOLDER_NAMED_AS_FILE = ("not read: '{name}' is a folder, not a file (a record file's name ends "
                        "so): put the file in its place, or rename the folder")
_SPREADSHEETS = ("xlsx", "xls", "xlsm", "ods", "numbers", "tsv")
_DATA_FOLDERS = ("practices", "physicians", "team", "interactions", "referrals", "market")
_WHAT = {"practices": ("practice", YAML_EXT), "physicians": ("physician", YAML_EXT),
         "team": ("team member", YAML_EXT), "interactions": ("interaction", YAML_EXT),
         "referrals": ("referral", (".csv", *YAML_EXT)), "market": ("market", YAML_EXT),
         "training": ("training guide", (".md",)), "presentations": ("deck", (".md",))}


# The columns a referral file's header names (``referral_rows.REFERRAL_COLUMNS``; not
# imported: discovery runs before the models are needed), to tell a spreadsheet's text
# export from a note
_REFERRAL_HEADINGS = frozenset(("date", "source", "physician", "service", "status", "count",
                                "taken_by", "declined_reason"))


def _text_export(path: str) -> bool:
    """Whether the file at ``path`` (a regular file) starts with a referral header row, as a
    spreadsheet's text export does: Excel's "Unicode Text" (UTF-16, tab-separated) and "Text
    (Tab delimited)" are saved as `.txt`, and were not read without a word."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[1:2] == b"\x00"
    text = head.decode("utf-16" if utf16 else "utf-8", "ignore").lstrip("\ufeff")
    cells = re.split(r"[\t,;]", text.split("\n", 1)[0].lower())
    return len({re.sub(r"[\s_-]+", "_", c.strip(' "')) for c in cells} & _REFERRAL_HEADINGS) > 1


_NEW_KIND = {"team": "member"}  # the `liaison new` command of a kind, where not its word


def _unread(folder: str, name: str, root: str = "") -> Problem | None:
    """The warning at a file of ``folder`` (of the site root ``root``) that is not read and
    whose name says it was meant as a record (see above), or None. The name it says to give
    may be a file's there already (``visit.yaml.orig`` beside ``visit.yaml``, as a merge
    tool leaves it): then it says so, not to rename this one over it."""
    from liaison.diagnostics import did_you_mean

    lower = name.lower()
    if lower.endswith("~") or (name.startswith("#") and name.endswith("#")):
        return None
    tree, _, rest = folder.partition("/")
    if tree not in ("data", "content"):  # templates/: a site's own templates and settings
        return None
    if lower.endswith(":zone.identifier"):  # not a record: "rename it to visit.yaml" was said
        return Problem(f"{folder}/{name}", "not read: the mark Windows puts on a downloaded "
                       "file (its Zone.Identifier), which a copy into WSL leaves beside the file "
                       "as a file of its own: delete it", "warning", line=1, col=1)
    head = rest.split("/", 1)[0]
    ext = lower.rsplit(".", 1)[-1].strip() if "." in lower else ""
    inside = _RECORD_EXT.search(lower)
    rel = f"{folder}/{name}"
    if tree == "content":
        if head not in ("training", "presentations"):
            if not lower.endswith(".md"):
                return None
            return Problem(rel, "not read: guides are read from content/training/ and decks from "
                                "content/presentations/, not from "
                                f"{folder}/{did_you_mean(head, ('training', 'presentations'))}",
                           "warning", line=1, col=1)
        if not (inside and inside.group(1) == "md" or ext in ("markdown", "mdown", "mkd")):
            return None
        suggestion = name[:inside.end()] if inside else name.rsplit(".", 1)[0] + ".md"
    elif head in _WHAT and not (head == "market" and folder != "data/market"):
        exts = _WHAT[head][1]
        spreadsheet = head == "referrals" and (
            ext in _SPREADSHEETS or ext in ("txt", "prn") and bool(root) and not inside
            and _text_export(os.path.join(root, folder, name)))  # 2026.csv.txt: rename it
        near = ext and did_you_mean(ext, [e[1:] for e in exts])
        what, endings = _WHAT[head][0], " or ".join(", ".join(exts).rsplit(", ", 1))
        how = ("import a CMS file with `liaison import cms-utilization FILE`"
               if head == "market" else "write these records as YAML (`liaison new "
               f"{_NEW_KIND.get(head, what)}` writes one)")
        if inside and inside.group(1) == "csv" and ".csv" not in exts:
            # a spreadsheet's export where YAML records go (`visits.csv` in data/interactions/)
            return Problem(rel, f"not read: {what} files end in {endings}; a CSV file is read "
                                f"only as referrals, in data/referrals/: {how}",
                           "warning", line=1, col=1)
        if ext in _SPREADSHEETS and head not in ("referrals", "market"):
            # the team's workbook itself (`physicians.xlsx` in data/physicians/)
            return Problem(rel, f"not read: {what} files end in {endings}; a spreadsheet is "
                                f"not read (referrals are, saved as CSV UTF-8 in "
                                f"data/referrals/): {how}", "warning", line=1, col=1)
        if not (spreadsheet or near or inside and "." + inside.group(1) in exts):
            return None
        if spreadsheet:
            kind = "a spreadsheet's text export" if ext in ("txt", "prn") else "a spreadsheet"
            return Problem(rel, f"not read: {what} files end in {endings}; {kind} is "
                                "not read: export it as CSV UTF-8 into this folder",
                           "warning", line=1, col=1)
        suggestion = (name[:inside.end()] if inside and "." + inside.group(1) in exts
                      else name.rsplit(".", 1)[0] + exts[0])
        return Problem(rel, f"not read: {what} files end in {endings}: "
                            f"{_rename(root, folder, suggestion)}", "warning", line=1, col=1)
    else:  # data/ itself, a folder no kind is read from, or a subfolder of data/market
        if folder == "data" and ext in _SPREADSHEETS:  # the team's workbook, `data/liaison.xlsx`
            return Problem(rel, "not read: a spreadsheet is not read: referrals are read from "
                                "its sheets saved as CSV UTF-8 in data/referrals/, and the other "
                                "records are YAML files, one a record (`liaison new` writes "
                                "them)", "warning", line=1, col=1)
        if not (inside and inside.group(1) != "md" or ext and did_you_mean(ext, ["yaml", "yml", "csv"])):
            return None
        if head == "market":
            return Problem(rel, "not read: market files are read from data/market/ itself, "
                                "named medicare-YYYY.yaml", "warning", line=1, col=1)
        hint = did_you_mean(head, _DATA_FOLDERS) if folder != "data" else ""
        return Problem(rel, f"not read: record files are read from the folders "
                            f"{', '.join(_DATA_FOLDERS[:-1])} and {_DATA_FOLDERS[-1]} of data/, "
                            f"not from {folder}/{hint}", "warning", line=1, col=1)
    return Problem(rel, f"not read: {_WHAT[head][0]} files end in .md: "
                        f"{_rename(root, folder, suggestion)}", "warning", line=1, col=1)


def _rename(root: str, folder: str, name: str) -> str:
    """'rename it to NAME', or, when ``folder`` holds a file of that name already, to merge
    the two or delete this one."""
    if root and os.path.lexists(os.path.join(root, folder, name)):
        return f"{name} exists beside it: merge what this one adds into it, or delete this one"
    return f"rename it to {name}"


NESTED_KIND = {"data/practices": "practice", "data/physicians": "physician",
               "data/team": "team member", "content/training": "training guide",
               "content/presentations": "deck"}


def _nested(root: str, top: str, rel: str) -> Problem:
    """The warning at a record file in a subfolder of a one-record-per-file kind's folder,
    which is not read (SPEC §1: those kinds are read from the folder itself): a physician
    filed by region would otherwise leave the site without a word."""
    target = f"{top}/{rel.rsplit('/', 1)[-1]}"
    where = (f"{target} exists already: merge the two, or give this one another id and move "
             f"it there" if os.path.lexists(os.path.join(root, target)) else
             f"move it to {target}")
    return Problem(rel, f"not read: {NESTED_KIND[top]} files are read from {top}/ itself, not "
                        f"from its subfolders (the file name is the id): {where}",
                   severity="warning", line=1, col=1)
