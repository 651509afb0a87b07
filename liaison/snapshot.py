"""The records of the interaction, referral, physician, practice and team files as the last
build read them, kept for the next build of the same site root, which takes the files that
have not changed from it instead of parsing and validating them again (unpickling the
200,000 interactions and 290,000 referral rows of a 10,000-physician site takes about 1.4 s
of one core; reading them, about 6.5 s). ``validate`` and ``stats`` take them too, but keep
nothing.

What a file gave (its records, the problems and failed records the loader noted) is kept in
chunks: the interaction files of one folder, one referral file, or a share of the physician
(practice, team) files of a folder (``CORE_BUCKETS``), each chunk one pickle
in the cache folder (liaison.cache: outside the site root, written by this program only),
with the signature of each of its files (size, modification and change times, inode, taken
before the file was read) and the fingerprint of the code and libraries that read it. A
file's entry is taken while its signature is the same; a signature taken while the file was
recent (buildrecord.RACY_NS: it may change again within one tick of the file system's clock)
is not kept, so such a file is read again next time. A chunk with a file read again is
written again, in one step. A chunk that cannot be read or written only costs time.

A build also keeps what the rules and sums made of all the interactions, and of all the
referral rows (``derived``), under a key of what they read: the files' content hashes (the
build record's) and what the rules and sums read of the core records (pipeline._core_key).
An edit of a physician's phone changes neither key: the next build takes both as they are.
The pages' indexes of the interactions and of the referral rows are kept under the same keys
as the positions of the records they list (``INDEX``, ``ROW_INDEX``), and so is what the
pages' keys read of the interactions alone (``KEY_PARTS``: liaison.incremental). The lines of
the interactions export are kept by file, each with its file's hash, under the as-of date
(``EXPORT_LINES``, ``EXPORT_HOT``: liaison.exports.interaction_lines), and those of its first
interactions, all of cold files, as one text under the cold files' key (``EXPORT_HEAD``:
render._interactions_export).

A build splits the interaction files (pipeline._Split, kept as ``SPLIT``): what it makes of
the cold ones is kept under their key (``"interactions"``, ``INDEX``, ``KEY_PARTS``), the
hot ones' is made again after one of them changed and joined to it, and what the two give
together is kept under the key of all the interaction files (``ALL_INTERACTIONS``,
``INDEX_ALL``), taken as it is while no interaction file changes. With the cold files' index
the build keeps where their interactions fall by date (``COLD_ORDER``): after an edit of a
hot file, the process forked ahead places the hot files' interactions among them and joins
the two indexes without reading the cold files (pipeline._placed).
"""
from __future__ import annotations

import hashlib
import os
import pickle
import time
import zlib
from operator import itemgetter
from pathlib import Path
from typing import Callable, NamedTuple

from liaison.buildrecord import signature_of
from liaison.cache import CACHE_VERSION, cache_file, keep

INTERACTIONS = "data/interactions/"
DERIVED = "derived:"  # what is kept besides the chunks: "derived:" + one of DERIVED_NAMES
INDEX = "interaction-index"  # the pages' index of the interactions (pipeline.page_indexes)
INDEX_ALL = "interaction-index-all"  # the same, joined with the hot files' (pipeline._Split)
ALL_INTERACTIONS = "interactions-all"  # the rules and sums of the cold files and the hot ones
ROW_INDEX = "referral-index"  # the pages' index of the referral rows (pipeline.page_indexes)
KEY_PARTS = "page-key-parts"  # what the pages' keys read of the interactions alone
EXPORT_LINES = "interactions-export"  # the lines of the interactions export, by file
EXPORT_HEAD = "interactions-export-head"  # the lines of its first interactions, of cold files
EXPORT_HOT = "interactions-export-hot"  # the lines of the others, by file
SPLIT = "interaction-split"  # which interaction files are cold (pipeline._Split)
COLD_ORDER = "interaction-cold-order"  # where the cold files' interactions fall by date
ROW_DIGESTS = "referral-digests"  # each physician's hash of what their briefs show of the rows
STATS = "statistics"  # the statistics (pipeline._statistics)
COSTS = "cost-events"  # pipeline._interaction_events of the cold interaction files (_costs)
COSTS_ALL = "cost-events-all"  # the same of all the interaction files
DERIVED_NAMES = ("interactions", "referrals", ALL_INTERACTIONS, INDEX, INDEX_ALL, ROW_INDEX,
                 KEY_PARTS, EXPORT_LINES, EXPORT_HEAD, EXPORT_HOT, SPLIT, COLD_ORDER, ROW_DIGESTS,
                 STATS, COSTS, COSTS_ALL)


class Deferred(NamedTuple):
    """A value to keep that is made when it is kept (``Store.keep_derived``): by the process
    that keeps what a build leaves to keep later (pipeline.KeptParts.later), not on the
    way."""

    make: Callable[[], object]


class Pickled(NamedTuple):
    """A value as the store keeps it: pickled once, by the process that made it or took it
    from the store, then sent to another process as these bytes (a pickle of bytes costs
    their copy) and kept as they are (``Store.keep_derived``). The process forked ahead of
    an incremental build sends its statistics and pages' index so (pipeline._taken_ahead):
    it pickled the statistics twice before, once to keep them and once to send them."""

    data: bytes

    @classmethod
    def of(cls, value) -> "Pickled":
        return cls(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    def value(self):
        """The value, unpickled (at each call)."""
        return pickle.loads(self.data)


def _version() -> bytes:
    from liaison.buildrecord import code_fingerprint

    return CACHE_VERSION + code_fingerprint().encode()


def _records_folder(root: Path) -> Path:
    """Where the records of the site root ``root`` are kept (in the cache folder)."""
    return cache_file(root, "records", "d")


def _holds_chunks(folder: Path) -> bool:
    try:
        with os.scandir(folder) as entries:
            return any(entry.name.endswith(".pickle") for entry in entries)
    except OSError:
        return False


class Store:
    """The chunks of one site root."""

    def __init__(self, root: Path, read: bool = True, write: bool = True,
                 stats: dict | None = None):
        self.root = os.fspath(root)
        # what ``os.stat`` gave of the files moments before (liaison.buildrecord.inputs):
        # their signatures, taken from there (0.15 s of system calls at 10,000 physicians)
        self.stats = stats or {}
        self.folder = _records_folder(root)
        self.reading = read  # False: every file is read again (``build --full``)
        self.writing = write  # False: what is read is not kept (``validate``)
        self.version = _version()
        self.recent = time.time_ns() - _racy_ns()

    def _path(self, name: str) -> Path:
        return self.folder / (hashlib.blake2b(name.encode(), digest_size=12).hexdigest() + ".pickle")

    def load(self, name: str, hint: bool = False) -> tuple[dict, bytes] | None:
        """(signatures by file, the entries pickled) of a chunk, or None. Only a ``hint``
        (what speeds a build up but never shows in it) is read when the store does not
        read."""
        if not self.reading and not hint:
            return None
        try:
            with open(self._path(name), "rb") as fh:
                raw = fh.read()
            version, stored, signatures, payload = pickle.loads(raw)
        except Exception:  # missing, damaged or foreign: read the files
            return None
        if version != self.version or stored != name or not isinstance(signatures, dict):
            return None
        if raw[-4:] != _check(payload):  # bytes damaged inside (pickle.loads leaves the end)
            return None
        return signatures, payload

    def take(self, name: str, members: list[str]) -> tuple[dict, bytes | None, dict]:
        """What the chunk ``name`` holds of its files ``members`` as they are now: (their
        signatures, taken now and before they are read; the chunk's entries pickled when
        every file is unchanged, else None; else the entries of the unchanged files, by
        path)."""
        signatures = {rel: self.signature(rel) for rel in members}
        kept = self.load(name)
        if kept is None:
            return signatures, None, {}
        if kept[0] == signatures and None not in signatures.values():
            return signatures, kept[1], {}
        same = {rel for rel in members
                if signatures[rel] is not None and kept[0].get(rel) == signatures[rel]}
        if not same:
            return signatures, None, {}
        return signatures, None, {entry[0]: entry for entry in pickle.loads(kept[1])
                                  if entry[0] in same}

    def holds_any(self) -> bool:
        """Whether a build kept anything here (when nothing is, there is nothing to take)."""
        return _holds_chunks(self.folder)

    @staticmethod
    def kept_for(root: Path) -> bool:
        """``holds_any`` of the store of the site root ``root``, asked without making the
        store (which works out this program's version: 0.045 s that ``validate`` needs only
        where a build kept something)."""
        return _holds_chunks(_records_folder(root))

    def prune(self, bulk: list[str], core: list[str]) -> None:
        """Remove the chunks of files no longer there: every chunk but those of ``bulk``
        (interaction and referral files) and ``core`` (physician, practice and team files)."""
        wanted = {self._path(name).name for name, _rels in chunks(bulk)}
        wanted |= {self._path(name).name for name, _rels in chunks(core, by_folder=True)}
        wanted |= {self._path(DERIVED + name).name for name in DERIVED_NAMES}
        try:
            with os.scandir(self.folder) as entries:
                stale = [entry.path for entry in entries
                         if entry.name.endswith(".pickle") and entry.name not in wanted]
            for path in stale:
                os.unlink(path)
        except OSError:
            pass

    def derived(self, name: str, key: str, hint: bool = False):
        """What ``keep_derived`` kept under ``name`` with the same ``key``, or None."""
        taken = self.taken(name, key, hint)
        return None if taken is None else taken[0]

    def taken(self, name: str, key: str, hint: bool = False) -> tuple[object, Pickled] | None:
        """(what ``keep_derived`` kept under ``name`` with the same ``key``, the same as it is
        kept: ``Pickled``), or None."""
        kept = self.load(DERIVED + name, hint)
        if kept is None or kept[0].get("key") != key:
            return None
        pickled = Pickled(kept[1])
        try:
            return pickled.value(), pickled
        except Exception:  # damaged: made again
            return None

    def holds(self, name: str, key: str) -> bool:
        """Whether ``keep_derived`` kept something under ``name`` with this ``key`` (its
        value is not unpickled)."""
        kept = self.load(DERIVED + name)
        return kept is not None and kept[0].get("key") == key

    def keep_derived(self, name: str, key: str, value) -> None:
        if isinstance(value, Deferred):
            value = value.make()
        self.save(DERIVED + name, {"key": key}, value.data if isinstance(value, Pickled)
                  else pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    def save(self, name: str, signatures: dict, payload: bytes) -> None:
        if not self.writing:
            return
        keep(self._path(name), lambda fh: (pickle.dump(
            (self.version, name, signatures, payload), fh, protocol=pickle.HIGHEST_PROTOCOL),
            fh.write(_check(payload))))

    def signature(self, rel: str) -> tuple | None:
        """The file's signature, or None when it cannot be trusted (recent, or unreadable)."""
        signature = self.stats.get(rel)
        if signature is None:
            try:
                signature = signature_of(os.stat(os.path.join(self.root, rel),
                                                 follow_symlinks=False))
            except OSError:
                return None
        if max(signature[1], signature[2]) >= self.recent:
            return None
        return signature


def _check(payload: bytes) -> bytes:
    """The four bytes that end a chunk's file: a CRC-32 of its pickled entries, so that a
    chunk with bytes damaged inside them is not used (unpickling it failed, or made records
    that were not the file's). 0.02 s for the 46.5 MB of 10,000 physicians."""
    return zlib.crc32(payload).to_bytes(4, "big")


def _racy_ns() -> int:
    from liaison.buildrecord import RACY_NS

    return RACY_NS


# The physician, practice and team files of a folder are kept in this many chunks, each file
# in the one its name falls in: a build after one of them is edited writes one chunk again,
# not the folder's 10,000 physicians (0.10-0.12 s of pickling and writing on the way to the
# pages, against 0.005-0.007 s for one chunk, at 10,000 physicians).
CORE_BUCKETS = 16


def chunks(rels: list[str], by_folder: bool = False) -> list[tuple[str, list[str]]]:
    """``rels`` cut into chunks, in order: the interaction files of one folder that follow
    each other, or one referral file. (A folder whose files are listed in two runs, around a
    folder inside it, makes two chunks, numbered.) With ``by_folder`` (the physician,
    practice and team files), a run of a folder's files is cut again into ``CORE_BUCKETS``
    chunks by file name, each file in the same chunk from build to build."""
    out: list[tuple[str, list[str]]] = []
    seen: dict[str, int] = {}
    last = None
    for rel in rels:  # (paths as discover lists them: "/" between names, none doubled)
        folder = rel.rpartition("/")[0] if by_folder or rel.startswith(INTERACTIONS) else rel
        if folder != last:
            n = seen[folder] = seen.get(folder, 0) + 1
            out.append((f"{folder}#{n}", []))
            last = folder
        out[-1][1].append(rel)
    if by_folder:
        out = [(f"{name}~{bucket}", files) for name, members in out
               for bucket, files in enumerate(_buckets(members)) if files]
    return out


def _buckets(rels: list[str]) -> list[list[str]]:
    """``rels`` shared out by name (a hash that is the same in every process and on every
    machine), each share in the order of ``rels``."""
    out: list[list[str]] = [[] for _ in range(CORE_BUCKETS)]
    for rel in rels:
        out[zlib.crc32(rel.encode()) % CORE_BUCKETS].append(rel)
    return out


def read_chunks(read_one, rels: list[str], store: Store | None, as_bytes: bool) -> list:
    """The entries of ``rels`` — (path, what the file gave, its problems, its failed
    records) — chunk by chunk in order: each chunk's list of entries, or with ``as_bytes``
    that list pickled (to be sent to another process). ``read_one(rel)`` reads a file the
    store does not hold as it is now."""
    return read_units(read_one, chunks(rels), store, as_bytes)


def read_units(read_one, units: list[tuple[str, list[str]]], store: Store | None,
               as_bytes: bool, later: list | None = None, read: list | None = None) -> list:
    """``read_chunks`` of chunks already made (``chunks``: (name, files)). With ``later``
    (and not ``as_bytes``), a chunk read for a store that writes is not kept now: (its name,
    signatures, entries) are added to ``later``, for ``keep_chunks``. ``read``: a list the
    entries of the chunks not taken whole from the store are added to (whatever is
    returned)."""
    out = []
    for name, members in units:
        signatures, whole, old = store.take(name, members) if store is not None else ({}, None, {})
        if whole is not None:
            out.append(whole if as_bytes else pickle.loads(whole))
            continue
        entries = [old.get(rel) or read_one(rel) for rel in members]
        if read is not None:
            read += entries
        if later is not None and not as_bytes and store is not None and store.writing:
            later.append((name, signatures, entries))
            out.append(entries)
        elif (store is not None and store.writing) or as_bytes:
            payload = pickled_entries(entries)
            if store is not None:
                store.save(name, signatures, payload)
            out.append(payload if as_bytes else entries)
        else:
            out.append(entries)
    return out


def keep_chunks(store: Store, pending: list) -> int:
    """Keep the chunks ``read_units`` left for later ((name, signatures, entries) each);
    how many."""
    for name, signatures, entries in pending:
        store.save(name, signatures, pickled_entries(entries))
    return len(pending)


def _entries(_interactions: list, entries: list) -> list:
    """The entries a chunk's pickle holds (``pickled_entries``); its interactions, made
    first, are among them."""
    return entries


class _InteractionsFirst:
    """A chunk's entries, pickled with the (date, record, source) of its interactions
    first, in the order the site lists them (``load._bulk``: by date, a stable sort of the
    files' order): ``pickle.loads`` makes each record, then the next, one after the other in
    memory, in the order that every pass over ``site.interactions`` reads them. Pickled
    file by file, as read, a month's records lie in the order of its 250 files, and a pass
    in the site's order jumps among them: reading eight fields of each of 200,000 records
    took 1.05 µs a record against 0.51 µs in order (2026-12-04, 10,000 physicians). The
    entries that follow name the records already made (the pickle's memo): the same
    entries are taken back, for about 1 µs more a record to pickle (sorting, then reading
    the records in that order) and 2 % more bytes."""

    __slots__ = ("entries",)

    def __init__(self, entries: list):
        self.entries = entries

    def __reduce__(self):
        interactions = sorted((t for rel, value, _noted, _failed in self.entries
                               if rel.startswith(INTERACTIONS) for t in value), key=_DATE)
        return _entries, (interactions, self.entries)


_DATE = itemgetter(0)  # of a (date, record, source)


def pickled_entries(entries: list) -> bytes:
    """A chunk's entries (``read_units``) pickled to be sent or kept: ``pickle.loads``
    takes back the same entries, with its interactions' records made in the site's order
    (``_InteractionsFirst``)."""
    return pickle.dumps(_InteractionsFirst(entries), protocol=pickle.HIGHEST_PROTOCOL)


class FileMemo:
    """The store seen as a memo (liaison.memo's ``file``, as ``load_core`` asks it) for the
    files ``rels`` (the physicians, practices and team), a chunk a folder: what an unchanged
    file gave is taken from it; ``save`` writes the chunks with a file read again. Other
    files are read as always."""

    def __init__(self, store: Store, rels: list[str]):
        self.store = store
        self.chunks = chunks(rels, by_folder=True)
        self.signatures: dict[str, tuple | None] = {}
        self.entries: dict[str, tuple] = {}  # path -> (value, problems, failed records)
        self.dirty: set[str] = set()
        for name, members in self.chunks:
            signatures, whole, old = store.take(name, members)
            self.signatures.update(signatures)
            if whole is None:
                self.dirty.add(name)  # written again even when only a file was added
            else:
                old = {entry[0]: entry for entry in pickle.loads(whole)}
            self.entries.update((rel, entry[1:]) for rel, entry in old.items())

    def file(self, rel: str, read):
        entry = self.entries.get(rel)
        if entry is None:
            entry = read()
            if rel in self.signatures:
                self.entries[rel] = entry
        return entry

    def save(self, later: list | None = None) -> None:
        """Keep the chunks with a file read again; with ``later``, left there for
        ``keep_chunks`` (as ``read_units`` leaves them)."""
        if not self.store.writing:
            return
        pending = [] if later is None else later
        for name, members in self.chunks:
            if name in self.dirty:
                pending.append((name, {rel: self.signatures[rel] for rel in members},
                                [(rel, *self.entries[rel]) for rel in members
                                 if rel in self.entries]))
        if later is None:
            keep_chunks(self.store, pending)
