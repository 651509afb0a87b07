"""What one run made of each file, kept for the next run of the same process (``serve``).

A file's results (its records, the problems and failed records the loader noted) are reused
while the file's size, modification and change times and inode stay the same (and, while its
modification time is within 2 s of now, its content: a file system's coarse times); the stages
after the load reuse what they made of a group of files (``derive``) while the group's files and the
key of what else they read stay the same. Nothing here is written to disk.
"""
from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import Callable

from liaison.buildrecord import RACY_NS


HOT = 8  # files edited lately, kept apart from the rest (``split``)


def content_hash(path: str) -> bytes | None:
    """The hash of a file's content (None when it cannot be read): what tells two saves of
    the same size apart while the file's times may not (``Memo._recent``)."""
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "blake2b").digest()
    except OSError:
        return None


class Memo:
    """Per-file and derived results of a site root, from one run to the next."""

    def __init__(self, root: Path):
        self.root = os.fspath(root)
        # rel -> (signature, token, value, content hash while its time is recent, else None)
        self._files: dict[str, tuple[tuple, int, object, bytes | None]] = {}
        self._derived: dict[str, tuple[object, object]] = {}  # name -> (key, value)
        self._seen: set[str] = set()
        self._hot: list[str] = []  # files read again lately, the latest last
        self._split: frozenset[str] = frozenset()  # the files ``split`` was last given
        self._runs = 0
        self._next = 0
        self._listing = None  # the files of the site root, by kind (discover.Files)
        self._changed: set[str] | None = None  # this run's changed files, when known
        self.read: list[str] = []  # the files read again in this run
        self.made: list[str] = []  # the derived results made again in this run

    def begin(self, changed: set[str] | None = None) -> None:
        """A new run: files not asked for during it are forgotten at ``end``. ``changed``:
        the files known to be the only ones changed since the last run, each still there
        (a watcher's word): the others are not even looked at, nor the folders listed."""
        self._changed = changed if changed is not None and self._listing is not None else None
        self._seen = set()
        self.read, self.made = [], []
        self._runs += 1

    def first(self) -> bool:
        """Whether this run is the first (it reads every file)."""
        return self._runs == 1

    def end(self) -> None:
        for rel in set(self._files) - self._seen:
            del self._files[rel]
        self._hot = [rel for rel in self._hot if rel in self._files]

    def file(self, rel: str, read: Callable[[], object]) -> object:
        """``read()`` of the file ``rel``, or what it gave last time if the file is unchanged.
        The file is looked at before it is read: a change during the read is seen next run."""
        self._seen.add(rel)
        entry = self._files.get(rel)
        if self._changed is not None and entry is not None and rel not in self._changed:
            return entry[2]
        signature = self._signature(rel)
        if entry is not None and signature is not None and entry[0] == signature:
            if entry[3] is None:
                return entry[2]
            if self._content(rel) == entry[3]:  # (no second save within the tick)
                if not self._recent(signature):  # a save from now on has another time
                    self._files[rel] = (*entry[:3], None)
                return entry[2]
        content = self._content(rel) if signature is not None and self._recent(signature) else None
        value = read()
        self._next += 1
        self._files[rel] = (signature, self._next, value, content)
        self.read.append(rel)
        if self._runs > 1:  # an edit (the first run reads every file)
            if rel in self._hot:
                self._hot.remove(rel)
            self._hot.append(rel)
            self._trim()
        return value

    def _signature(self, rel: str) -> tuple | None:
        """What says a file changed: its size, modification and change times, inode and mode;
        None when it cannot be looked at (it is read, and the loader says why, every time)."""
        try:
            st = os.stat(os.path.join(self.root, rel), follow_symlinks=False)
        except OSError:
            return None
        return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_mode)

    @staticmethod
    def _recent(signature: tuple) -> bool:
        """Whether a save of the same size could still leave the file's times as they are (its
        modification time is within the coarsest file times' tick of now: FAT's 2 s, some
        network shares' 1 s; ``buildrecord.RACY_NS``, as the build's input hashes)."""
        return time.time_ns() - signature[1] < RACY_NS

    def _content(self, rel: str) -> bytes | None:
        return content_hash(os.path.join(self.root, rel))

    def saved_again(self) -> bool:
        """Whether a file read in this run changed since it was read (saved again while the
        run read the others: what the run made of it is already gone)."""
        return any(rel in self._files and self._files[rel][0] != self._signature(rel)
                   for rel in self.read)

    def _trim(self) -> None:
        """Keep the HOT files edited last among those ``split`` is given, and the HOT last
        of the others (an edit of another kind of file leaves the split as it was)."""
        inside = [rel for rel in self._hot if rel in self._split]
        outside = [rel for rel in self._hot if rel not in self._split]
        keep = set(inside[-HOT:]) | set(outside[-HOT:])
        self._hot = [rel for rel in self._hot if rel in keep]

    def split(self, rels: list[str]) -> tuple[list[str], list[str]]:
        """``rels`` as (the files not edited lately, those edited lately), each in order. A
        person edits a few files again and again: what is made of the first part is made
        once and kept (``derive``), only the second part is worked through at every save."""
        self._split = frozenset(rels)
        if self._runs == 1 and not self._hot:
            # The first run: the last files listed stand for those edited lately (in a
            # dated folder layout, the newest: where this week's visits are logged), so
            # that the first save of one of them does not make again what the others give
            # (4.1 s instead of 1.0 s at 10,000 physicians).
            self._hot = list(rels[-HOT:])
        hot = set(self._hot)
        return [rel for rel in rels if rel not in hot], [rel for rel in rels if rel in hot]

    def listing(self, discover: Callable[[], object]) -> object:
        """``discover()``: the files of the site root, or the last run's listing when this
        run knows which files changed (no file was added or removed)."""
        if self._changed is None or self._listing is None:
            self._listing = discover()
        return self._listing

    def records(self, rel: str) -> object:
        """What the file ``rel`` gave in this run (``file``'s value)."""
        return self._files[rel][2]

    def tokens(self, rels) -> tuple[int, ...]:
        """What identifies the current results of ``rels``: equal tokens, the same results
        (0 for a file not read through the memo, a file the loader refused by its name)."""
        files = self._files
        return tuple(files[rel][1] if rel in files else 0 for rel in rels)

    def derive(self, name: str, key, make: Callable[[], object]) -> object:
        """``make()``, or its last result under ``name`` if ``key`` is equal to the last one."""
        entry = self._derived.get(name)
        if entry is not None and entry[0] == key:
            return entry[1]
        value = make()
        self._derived[name] = (key, value)
        self.made.append(name)
        return value
