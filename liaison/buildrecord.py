"""The build record: what a site was built from, kept inside the site it describes.

A build writes ``.liaison-build.json`` into the output folder with the rest of the site (so
the record and the pages it describes are swapped in together): a hash of every input file
(everything under ``data/``, ``content/`` and ``templates/``, and ``site.yaml``), the as-of
date, ``--strict``, a hash of Liaison's own code and templates with the versions of the
libraries that shape the output, the pages and files it wrote, the warnings it printed, and
the list of the files it wrote with their sizes. The next build into the same folder reads
the record first: when every one of these is the same, and the folder still holds exactly
the files the record lists (no page deleted or added by hand), nothing is rendered and
nothing is written, and the warnings are printed again. ``build --full`` skips the check.
When only some inputs changed, the record's page keys say which pages can be taken from the
previous site as they are (liaison.incremental).

Only a build that finished writes a record, and a build never trusts a record it did not
find inside a folder marked as one of its own.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat
import tempfile
from functools import lru_cache
from pathlib import Path

NAME = ".liaison-build.json"
VERSION = 1
INPUT_FOLDERS = ("data", "content", "templates")
INPUT_FILES = ("site.yaml", "site.yml")
# Libraries whose version can change what a page holds (the Markdown, the sanitizer, the
# calendars, the templates' engine); a change of any is a change of the code.
LIBRARIES = ("jinja2", "markupsafe", "markdown", "cmarkgfm", "nh3", "icalendar", "pydantic", "pyyaml",
             "yaml-rs", "python-pptx", "lxml")


def load_json(path) -> object:
    """A JSON file of this program's (a build record, the input files' signatures), parsed by
    orjson: 3.5 MB at 10,000 physicians, read on the way to every incremental build, in
    0.02-0.04 s against 0.04-0.14 s for the standard library's. OSError or ValueError when
    it cannot be read."""
    import orjson

    with open(path, "rb") as fh:
        return orjson.loads(fh.read())


def digest(data: bytes) -> str:
    """The hash of a file's bytes, as the record keeps it."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Liaison's own files (code, templates, assets) and the libraries' versions."""
    from importlib import metadata

    package = Path(__file__).parent
    h = hashlib.blake2b(digest_size=16)
    for folder, _dirs, files in sorted(os.walk(package)):
        if "__pycache__" in os.path.relpath(folder, package).split(os.sep):
            continue  # compiled modules and templates (liaison.render._compiled_templates)
        for name in sorted(files):
            if name.endswith((".pyc", ".pyo")):
                continue
            path = os.path.join(folder, name)
            h.update(os.path.relpath(path, package).encode() + b"\0")
            with open(path, "rb") as fh:
                h.update(fh.read())
    for lib in LIBRARIES:
        try:
            version = metadata.version(lib)
        except metadata.PackageNotFoundError:
            version = "-"
        h.update(f"{lib}={version}\0".encode())
    return h.hexdigest()


# A file changed this recently may change again within the same tick of the file system's
# clock without its times moving: its signature is not kept (it is hashed again next time).
RACY_NS = 2_000_000_000
# The kept signatures' format (``inputs``): by path, [size, modification time, change time,
# inode, hash] (version 1 held "size:mtime:ctime:inode" and the hash)
SIGNATURES_VERSION = 2


def utf8_name(name: str) -> bool:
    """Whether a name listed by the file system is UTF-8 text (Python gives the bytes of
    another encoding as lone surrogates, which no JSON, page or record can hold; the load
    reports such a name, liaison.discover)."""
    if name.isascii():
        return True
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def inputs(root: Path, out: Path, stats: dict | None = None, leave=None) -> "Hashes":
    """The hashes of every input file of the site root, by relative path (the output folder
    left out when it lies inside): a file by its content's hash, a link by where it points
    (links are never followed), anything else by its kind. ``stats``: filled with what
    ``os.stat`` gave of each regular file (``signature``), for the build's later steps to
    take instead of asking again (liaison.snapshot, liaison.discover).

    A regular file whose signature (size, modification and change times, inode) is the one
    it had when it was last hashed is not read again: the file system moves a file's change
    time whenever it writes it. The signatures and hashes are kept outside the site root and
    the site (liaison.cache: the build record is part of the site, byte for byte the same
    from one machine to the next); without them, every file is read, except those for which
    ``leave(rel)`` is true: their hash is None until ``Hashes.complete`` is given it."""
    import time

    from liaison.cache import cache_file

    store = cache_file(root, "inputs", "json")
    try:
        known = load_json(store)
        if not isinstance(known, dict) or known.get("version") != SIGNATURES_VERSION:
            known = {}
    except (OSError, ValueError):
        known = {}
    known = known.get("files") if isinstance(known.get("files"), dict) else {}
    seen: dict[str, list] = {}
    recent = time.time_ns() - RACY_NS
    top = set(INPUT_FILES) | set(INPUT_FOLDERS)
    skip = str(out)
    found: dict[str, str | None] = {}
    left: dict[str, list | None] = {}  # left to ``complete``: its signature, when it is kept
    stack = [""]
    # (each entry asked as little as it can be: a regular file first, then a folder, then a
    # link; a file's signature compared field by field with the one kept: 0.26-0.28 s at
    # 10,000 physicians on a slow hour, against 0.38-0.42 s with a signature string each)
    while stack:
        rel_dir = stack.pop()
        try:
            with os.scandir(root / rel_dir if rel_dir else root) as scan:
                entries = list(scan)
        except (FileNotFoundError, NotADirectoryError):
            continue
        except OSError:  # (the load reports it at the folder's path)
            found[rel_dir] = "unreadable"
            continue
        for entry in entries:
            name = entry.name
            if not rel_dir and name not in top:
                continue
            if not utf8_name(name):  # (the load reports it; JSON holds no such name)
                continue
            rel = f"{rel_dir}/{name}" if rel_dir else name
            try:
                if entry.is_file(follow_symlinks=False):
                    st = entry.stat(follow_symlinks=False)
                    size, mtime, ctime, ino = st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino
                    if stats is not None:
                        stats[rel] = (size, mtime, ctime, ino, st.st_mode)
                    settled = mtime < recent and ctime < recent  # (kept if so)
                    old = known.get(rel)
                    if type(old) is list and len(old) == 5 and old[0] == size \
                            and old[1] == mtime and old[2] == ctime and old[3] == ino:
                        found[rel] = old[4]
                        if settled:
                            seen[rel] = old
                        continue
                    if leave is not None and leave(rel):
                        found[rel] = None
                        left[rel] = [size, mtime, ctime, ino] if settled else None
                        continue
                    with open(entry.path, "rb") as fh:
                        found[rel] = digest(fh.read())
                    if settled:
                        seen[rel] = [size, mtime, ctime, ino, found[rel]]
                elif entry.path == skip:
                    continue
                elif entry.is_dir(follow_symlinks=False):
                    stack.append(rel)
                elif entry.is_symlink():
                    found[rel] = "link:" + os.readlink(entry.path)
                else:
                    found[rel] = "special"
            except OSError:
                found[rel] = "unreadable"
    hashes = Hashes(sorted(found.items()))
    if left:
        hashes.left = (store, seen, left, seen != known)
    elif seen != known:
        _keep_signatures(store, seen)
    return hashes


def _keep_signatures(store: Path, seen: dict) -> None:
    import orjson

    from liaison.cache import keep

    data = orjson.dumps({"version": SIGNATURES_VERSION, "files": seen})
    keep(store, lambda fh: fh.write(data))


_READ_ONLY = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


class Hashes(dict):
    """The input files' hashes by relative path (``inputs``). Those of the files ``inputs``
    left (``leave``) are None until ``complete`` is called."""

    left = None  # (the signatures' store, its entries, the files left, whether to write it)

    def complete(self, root: Path, digests: dict[str, str] | None = None) -> "Hashes":
        """Every hash filled in: a file left takes its hash from ``digests`` (by relative
        path: made of the bytes the load read, liaison.parse), else it is read here. The
        signatures of the files left are then kept with the others. Returns self."""
        if self.left is None:
            return self
        store, seen, left, changed = self.left
        for rel, signature in left.items():
            value = digests.get(rel) if digests else None
            if value is None:
                try:  # (never a link followed, nor a FIFO put there since waited on)
                    fd = os.open(os.path.join(root, rel), _READ_ONLY)
                    with open(fd, "rb") as fh:
                        if not stat.S_ISREG(os.fstat(fd).st_mode):
                            self[rel] = "special"  # (as ``inputs`` would say now)
                            continue
                        value = digest(fh.read())
                except OSError:
                    self[rel] = "unreadable"
                    continue
            self[rel] = value
            if signature is not None:
                seen[rel] = [*signature, value]
                changed = True
        self.left = None
        if changed:
            _keep_signatures(store, seen)
        return self


def hashed_inputs(root: Path, out: Path, compare: bool = True
                  ) -> tuple[Hashes, dict[str, tuple]]:
    """(``inputs(root, out)``, the signatures it took: see ``inputs``). Where ``out`` holds no
    record, or the hashes are not to be compared with it before the records are read (not
    ``compare``: ``build --full``), the files the load reads (``read_by_the_load``) are left to
    be hashed from the bytes it read (``Hashes.complete``), not read twice."""
    stats: dict[str, tuple] = {}
    leave = None if compare and os.path.lexists(os.path.join(out, NAME)) else read_by_the_load
    return inputs(root, out, stats, leave), stats


def read_by_the_load(rel: str) -> bool:
    """Whether the load reads ``rel`` whole, as bytes (liaison.parse: the records' YAML
    files, site.yaml, the guides and decks)."""
    return rel.endswith((".yaml", ".yml", ".md")) and (
        rel.startswith(("data/", "content/")) or rel in INPUT_FILES)


def signature_of(st: os.stat_result) -> tuple[int, int, int, int, int]:
    """What tells a version of a file from another: size, modification and change times,
    inode and mode (the file system moves the change time whenever it writes the file)."""
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_mode


def outputs(out: Path) -> str:
    """One hash of the files of a built site: their paths and sizes (the record itself and
    the build's marker left out: the marker is renamed once the record is written)."""
    files, _folders = folder_files(out, own_files())
    return listing_digest(list(files.items()))


def own_files() -> set[str]:
    """The files at the top of a built site that are not of the site: the record, and the
    build's marker (renamed once the record is written)."""
    from liaison.render import BUILDING, DELETING, MARKER

    return {NAME, BUILDING, DELETING, MARKER}


def folder_files(folder: Path, own: set[str]) -> tuple[dict[str, int], list[str]]:
    """Every file below ``folder`` (relative path -> size; links are not followed) but the
    files of ``own`` at its top, and every folder below it."""
    files: dict[str, int] = {}
    folders: list[str] = []
    base = os.fspath(folder)
    stack = [""]
    while stack:
        rel_dir = stack.pop()
        with os.scandir(f"{base}/{rel_dir}" if rel_dir else base) as entries:
            for entry in entries:
                rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
                if entry.is_dir(follow_symlinks=False):
                    folders.append(rel)
                    stack.append(rel)
                elif rel not in own:
                    files[rel] = entry.stat(follow_symlinks=False).st_size
    return files, folders


def listing_digest(listing: list[tuple[str, int]]) -> str:
    """One hash of (path, size) pairs, in any order."""
    return digest("\n".join(sorted(f"{rel}\0{size}" for rel, size in listing)).encode())


def settings(as_of: dt.date, strict: bool) -> dict:
    """What a build is made from besides its input files."""
    return {"version": VERSION, "as_of": as_of.isoformat(), "strict": strict,
            "code": code_fingerprint()}


def folder_mode() -> int:
    """The mode of the folders this process makes: 0o777 less its umask. A site folder is
    given it (render._normalize), so that its mode tells which umask its files were made
    with: a site or spare of another umask is not taken as it is (``_same_settings``), so
    that no file of it keeps a mode this build would not give it (a build under umask 022
    after one under 077 published 600 files that a web server could not read)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o777 & ~mask


def made_with_this_umask(folder: Path) -> bool:
    """Whether the site or spare ``folder`` was made under this process's umask. On a file
    system that keeps no modes (a FAT or NTFS drive, WSL's /mnt/c: chmod changes nothing),
    where the folder's mode tells nothing, always (else no build there would be incremental):
    a folder made beside it is given the umask's mode to find out, when the modes differ."""
    try:
        wanted = folder_mode()
        if os.stat(folder).st_mode & 0o777 == wanted:
            return True
        probe = tempfile.mkdtemp(prefix=f".{folder.name}.mode-", dir=folder.parent)
        try:
            os.chmod(probe, wanted)
            return os.stat(probe).st_mode & 0o777 != wanted
        finally:
            os.rmdir(probe)
    except OSError:
        return False


def read(out: Path) -> dict | None:
    """The record of the site in ``out``, or None (no site of ours, no record, or one that
    cannot be read)."""
    from liaison.render import MARKER

    try:
        if not (out / MARKER).is_file():
            return None
        record = load_json(out / NAME)
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def _same_settings(out: Path, as_of: dt.date, strict: bool) -> dict | None:
    """The record of the site in ``out`` when it was built with these settings and code,
    under this umask."""
    record = read(out)
    if record is None or any(record.get(k) != v for k, v in settings(as_of, strict).items()) \
            or not made_with_this_umask(out):
        return None
    return record


def _holds_its_files(record: dict, out: Path, listed: str | None = None) -> bool:
    """Whether ``out`` still holds exactly the files its record lists (``listed``: their
    digest, ``outputs(out)``, when the caller has it)."""
    try:
        return record.get("outputs") == (outputs(out) if listed is None else listed)
    except OSError:
        return False


def up_to_date(out: Path, root: Path, as_of: dt.date, strict: bool, stats: dict | None = None,
               hashed=None) -> tuple[dict | None, dict[str, str] | None]:
    """(the record of the site in ``out`` when it was built from exactly these input files,
    settings and code and still holds the files it was built with, else None; the input
    files' hashes, when they were made). The record is read once; the input files are
    hashed only when its settings match (``stats``: see ``inputs``), or taken from
    ``hashed()`` (``hashed_inputs``, started beforehand) when given."""
    record = _same_settings(out, as_of, strict)
    if record is None:
        return None, None
    if hashed is not None:
        hashes, taken = hashed()
        hashes = hashes.complete(root)  # (a record written since the hashing looked: rare)
        if stats is not None:
            stats.update(taken)
    else:
        hashes = inputs(root.resolve(), out.resolve(), stats)
    if record.get("inputs") != hashes:
        return None, hashes
    return (record if _holds_its_files(record, out) else None), hashes


def previous(out: Path, as_of: dt.date, strict: bool, listed: str | None = None
             ) -> dict | None:
    """The record of the site in ``out`` when it was built with these settings and code and
    still holds exactly the files it was built with (what an incremental build may take
    pages from), else None. ``listed``: ``outputs(out)``, when the caller has it."""
    record = _same_settings(out, as_of, strict)
    return record if record is not None and _holds_its_files(record, out, listed) else None


def write(folder: Path, wanted: dict, pages: int, files: int, warnings: list,
          written: list[tuple[str, int]] | None = None, made: dict | None = None,
          extras: dict | None = None, template_warnings: dict | None = None) -> None:
    """Write the record into a freshly built site folder, with what the build wrote (the
    paths and sizes of ``written``, else read back from the folder), its warnings
    (Diagnostic), ``made``: each page's key (liaison.incremental) and the files written
    beside it, by page path, ``extras``: the same for the groups of non-page files
    that have keys of their own, by their first path, and ``template_warnings``: the
    warnings of the site's templates on each page that has some, by page path, as
    [path, line, col, severity, message]."""
    record = {**wanted, "pages": pages, "files": files,
              "warnings": [[d.path, d.line, d.col, d.severity, d.message] for d in warnings],
              "outputs": outputs(folder) if written is None else listing_digest(written)}
    if made is not None:
        record["made"] = made
    if extras is not None:
        record["extras"] = extras
    if template_warnings:  # the pages the site's templates put warnings on: an incremental
        record["template_warnings"] = template_warnings  # build's unchanged pages say them
    (folder / NAME).write_text(json.dumps(record, separators=(",", ":"), sort_keys=True) + "\n",
                               encoding="utf-8")
