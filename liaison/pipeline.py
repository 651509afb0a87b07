"""The stages in order: load -> check -> aggregate (-> render). One typed function each for the
CLI's commands to call."""
from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import hashlib
import os
import pickle
import re
import time
from array import array
from bisect import bisect_left
from dataclasses import dataclass
from operator import or_
from pathlib import Path
from typing import Callable, NamedTuple

from liaison import market
from liaison import stats as stats_stage
from liaison.cache import ParseCache
from liaison.checks import (
    PROMISE, check_bulk, check_core, guide_page_link_problems, promise_events,
    open_promises, promises_that_can_warn, repeated_promise_problems,
)
from liaison.compliance import cost_events, limit_warnings
from liaison.decks import deck_failures, deck_problems
from liaison.diagnostics import Problem, Report
from liaison.errors import StrictWarnings, TemplateFailure
from liaison.load import (
    Bulk, Loader, assemble, attach, bulk_entry, core_only, discover, interactions_read, load_bulk,
    load_bulk_again, load_core, place,
)
from liaison.figures import Stats
from liaison.memo import Memo
from liaison.records import Site
from liaison.models import FILE_KINDS
from liaison.pagecache import fetch_ahead
from liaison.snapshot import (
    ALL_INTERACTIONS, COLD_ORDER, COSTS, COSTS_ALL, INDEX, INDEX_ALL, INTERACTIONS, ROW_INDEX,
    SPLIT, Deferred,
    FileMemo, Pickled, Store, chunks,
    keep_chunks, read_chunks, read_units,
)
from liaison.workers import (
    Started, Streamed, TwoEnds, WorkerFailed, at_lowest_priority, can_fork, cpu_count,
    map_forked, map_shared,
)

# Below this many bytes of interaction and referral files, forking costs more than it saves.
PARALLEL_BYTES = 2_000_000
PARALLEL_DECK_RENDERS = 1_000  # likewise, deck renderings (decks × practices)
# An interaction file with a visit of the last HOT_DAYS days (where visits are being logged) is
# worked through at every build, apart from the others (``_Split``).
HOT_DAYS = 31


class KeptParts(NamedTuple):
    """Where a build keeps the parts of the pages' keys (render._Rendering.key_parts), and
    what it needs to take them after an edit of a hot interaction file (``_Split``)."""

    store: Store
    key: str  # the cold interaction files' key
    every: str  # the key of all the interaction files
    hot: Callable[[], dict]  # each hot file's (hash, the parts its interactions read)
    split_at: Callable[[], tuple]  # the positions of the cold files' interactions, the hot's
    rows: str | None = None  # the referral files' key (what their rows give the keys is kept)
    shown: str | None = None  # incremental.shown_physicians of the site's physicians
    # what the check made and the store is to keep, (name, key, value) each: kept by the
    # process that makes the non-page files (render._Rendering.keep_later), not on the way
    later: list | None = None
    # the files made of the statistics alone by the process forked ahead (_taken_ahead):
    # path -> bytes, taken by render._extra_groups
    made: dict | None = None
    # the lines of the interactions export of the files the reading process read, by file
    # and place (_load_side_by_side, exports.file_lines), taken by render._interactions_export
    lines: dict | None = None
    # the parts of the keys that the cold files' interactions give of the physicians and
    # practices they name, made with their index (``page_indexes``), when it was made:
    # {part's name: value}, taken by render._Rendering.key_parts
    named: dict | None = None


@dataclass
class Checked:
    site: Site
    report: Report
    stats: Stats  # SPEC §4, computed once for every later stage
    counts: dict  # records read: interactions, referral rows
    timings: list  # (stage, seconds), for --timings and the benchmark
    inputs: dict | None = None  # the input files' hashes, when asked for (liaison.buildrecord)
    files: object = None  # the files read (discover.Files)
    core_key: tuple | None = None  # with a memo: what the bulk rules and sums read (_core_key)
    indexes: tuple | None = None  # (InteractionIndex, ReferralIndex), when made (page_indexes)
    kept: "KeptParts | None" = None  # where a build keeps the keys' parts (render._Rendering)
    # What this process read and no longer needs (its share of the records, in a check that
    # keeps none), freed with the result: a command that ends at once (cli.run) does not free
    # it record by record (0.16 s at 10,000 physicians, on the way to the statistics).
    held: list | None = None
    # The process keeping the records this one read, for the next build (``_keep_later``):
    # ``result()`` once the build is done
    keeping: "Started | None" = None

    @property
    def ok(self) -> bool:
        return not self.report.errors


def resolve_as_of(value: str | None, environ=os.environ) -> dt.date:
    """--as-of DATE, else the UTC date of SOURCE_DATE_EPOCH, else today (SPEC §4).
    Raises ValueError with a message for a malformed value, or a date outside the years a
    record's dates may take (1900-2099: the statistics count years back from it)."""
    from liaison.models import DATE_MAX, DATE_MIN, _lookalike, _spreadsheet_hint

    if value is not None:
        value = value.strip()  # (a date typed in a form, as `new --date` takes it)
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):  # (a record's date's words)
            raise ValueError(f"'{value}' is not a date: write YYYY-MM-DD"
                             f"{_lookalike(value) or _spreadsheet_hint(value, saved=False)}")
        try:
            day, given = dt.date.fromisoformat(value), f"'{value}'"
        except ValueError:  # the words a record's date gets (models.parse_date)
            raise ValueError(f"'{value}' is not a real calendar day") from None
    elif epoch := environ.get("SOURCE_DATE_EPOCH"):
        try:
            if not re.fullmatch(r"[0-9]+", epoch):  # reproducible-builds.org: decimal digits
                raise ValueError
            day = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
            given = f"SOURCE_DATE_EPOCH={epoch} ({day.isoformat()})"
        except (ValueError, OverflowError, OSError):
            raise ValueError(f"SOURCE_DATE_EPOCH='{epoch}' is not a number of seconds") from None
    else:
        return dt.date.today()
    if not DATE_MIN <= day <= DATE_MAX:
        raise ValueError(f"{given} is out of range: an as-of date is from "
                         f"{DATE_MIN.isoformat()} to {DATE_MAX.isoformat()}")
    return day


def as_of_date(value: dt.date | str | None) -> dt.date:
    """The as-of date ``check`` and ``build`` take from a Python caller: a ``datetime.date``,
    an ISO string read as --as-of is, or None (SOURCE_DATE_EPOCH's date, else today). Raises
    ValueError as ``resolve_as_of`` does (a date out of its range too), TypeError for a
    datetime (the statistics count days, not hours) or any other type."""
    if isinstance(value, dt.datetime):
        raise TypeError(f"as_of is a datetime.date, not a datetime: give {value!r}.date()")
    if isinstance(value, dt.date):
        return resolve_as_of(value.isoformat())  # (its range checked as the option's is)
    if value is None or isinstance(value, str):
        return resolve_as_of(value)
    raise TypeError(f"as_of is a datetime.date or a string 'YYYY-MM-DD', not "
                    f"{type(value).__name__} {value!r}")


def site_root(root: Path | str) -> Path:
    """The site root ``check`` and ``build`` take from a Python caller (a str or a path),
    as a Path; a LiaisonError where it is no folder (a missing one's check said only
    "missing site.yaml", as though the folder were a site without it), or where the cache
    folder is among its inputs (as the commands refuse it: cache.refuse_cache_among_inputs)."""
    from liaison.cache import refuse_cache_among_inputs
    from liaison.errors import LiaisonError, printable

    root = Path(root)
    if not root.is_dir():
        raise LiaisonError(f"'{printable(str(root))}' is not a folder")
    refuse_cache_among_inputs(root)
    return root


def worker_count(workers: int | None) -> int | None:
    """``workers`` as ``check`` and ``build`` take it: the processes the work may be shared
    among, 1 or more (1: this one alone), or None (as many as the cores). Raises ValueError
    or TypeError, said, for another value (0 divided the records among no process)."""
    if workers is None:
        return None
    if isinstance(workers, bool) or not isinstance(workers, int):
        raise TypeError(f"workers is a number of processes or None, not "
                        f"{type(workers).__name__} {workers!r}")
    if workers < 1:
        raise ValueError(f"workers is a number of processes, 1 or more (None: as many as "
                         f"the cores), not {workers}")
    return workers


def check(root: Path | str, as_of: dt.date | str | None, strict: bool = False,
          use_cache: bool = True, keep_records: bool = False,
          workers: int | None = None) -> Checked:
    """Load and check every file of a site root and compute the statistics.

    ``root`` is a folder (a str or a path, relative to the working folder or not);
    ``as_of`` as ``as_of_date`` takes it; ``workers`` as ``worker_count`` does.

    The report holds every diagnostic. With ``keep_records`` the interactions and referrals
    stay in ``site`` (for rendering); without, they are read a chunk at a time (by forked
    workers too when their files hold ``PARALLEL_BYTES`` or more), each chunk checked and
    summed where it was read; only the problems and sums go on, not the records.
    """
    from liaison.overrides import SETTINGS, override_names

    root, as_of, workers = site_root(root), as_of_date(as_of), worker_count(workers)
    # A site's own templates are rendered with its records (liaison.overrides): keep them.
    # (A palette or talking-points.yaml alone is only checked: no page needs rendering.)
    names = override_names(root)
    templates = any(n not in SETTINGS for n in names)
    with paused_gc():
        # What the last build kept of the records is read, never written: a check costs
        # no more on a machine where no build ran (CI), and takes the files unchanged since
        # the last build from there on the others.
        return _check(root, as_of, strict, use_cache, keep_records or templates, workers,
                      check_templates=bool(names), snapshot="peek")


@contextlib.contextmanager
def paused_gc():
    """Loading allocates millions of objects and creates no reference cycles: the cyclic
    collector would only rescan the growing heap again and again (measured: 24 s instead of
    9 s on 10,000 physicians)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # What was loaded stays out of later collections too (it is freed by reference
        # counting as usual): a collection after loading would scan millions of objects.
        # (A cycle frozen is never collected: ``serve``, which loads again and again,
        # collects the young cycles first, LiveSite.settle.)
        gc.freeze()
        if was_enabled:
            gc.enable()


@dataclass
class _ShareResult:
    problems: list[Problem]
    partial: stats_stage.Partial
    interactions: int
    referrals: int
    cached: dict
    costs: list  # _interaction_events of the share

    def folded(self, other: "_ShareResult") -> "_ShareResult":
        """This share's result and another's as one (the sums merged into this one's, unless
        both were added to one process's sums)."""
        partial = self.partial if other.partial is self.partial \
            else self.partial.merge(other.partial)
        return _ShareResult(self.problems + other.problems, partial,
                            self.interactions + other.interactions,
                            self.referrals + other.referrals, {**self.cached, **other.cached},
                            self.costs + other.costs)


class _Clock:
    def __init__(self):
        self.laps: list[tuple[str, float]] = []
        self.last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.laps.append((stage, now - self.last))
        self.last = now


# How many times each process checks and sums what it read so far (``map_shared``): more
# often, the two end closer together; each time costs a set of sums for every physician.
CHECKS_A_PROCESS = 4


def _core_files(files) -> list[str]:
    """The physician, practice and team files (what liaison.snapshot keeps of the core)."""
    return [rel for kind in FILE_KINDS for rel in files.by_kind[kind]]


def _reading_order(root: Path, files) -> list[str]:
    """The record files' paths in about the order the load reads them: the core records,
    the referral files (this process takes them from the front), the interaction files from
    the newest (the other reading process's end), then the guides, decks and settings."""
    top = os.fspath(root)
    rels = _core_files(files) + files.referrals + files.interactions[::-1] \
        + files.training + files.presentations + ([files.site] if files.site else [])
    return [f"{top}/{rel}" for rel in rels]


def _load_core(root: Path, cache, files, store: Store | None,
               later: list | None = None) -> tuple[Site, Loader]:
    """``load_core``, taking the physicians, practices and team unchanged since the last
    build from ``store`` (liaison.snapshot) and keeping there those it read (or leaving
    them to keep ``later``: ``FileMemo.save``)."""
    if store is None:
        site, loader, _files = load_core(root, cache, files)
        return site, loader
    memo = FileMemo(store, _core_files(files))
    site, loader, _files = load_core(root, cache, files, memo)
    memo.save(later)
    return site, loader


def _load_side_by_side(root: Path, cache, files, fingerprint: Path | None = None,
                       store: Store | None = None, later: list | None = None,
                       as_of: dt.date | None = None):
    """Every record, for a build, read by two processes: this one reads the core records,
    then takes the chunks (``snapshot.chunks``: a referral file, a month's folder of
    interaction files) from the front of the referral files' then the interaction files'
    (the oldest); a forked one hashes the input files when asked (``fingerprint``: the
    output folder, see liaison.buildrecord), then takes the interaction files' chunks from
    the back (the newest), until the two meet (``TwoEnds``). It sends each chunk's records
    as soon as it has read them, and this process takes them between its own chunks, so
    little is left to take once both are done. (The chunks sent are pickled with their
    interactions in the site's order, ``snapshot.pickled_entries``, and taken back in that
    order, one after the other in memory: a pass over them, as the pages' indexes, the keys
    and the export make, reads them in half the time of records read here, made among the
    parser's objects. So this process reads the referral files, and the other most of the
    interactions.) With ``store`` (liaison.snapshot), the chunks unchanged since the last
    build are taken from it, and the others written into it: the forked process sends what
    it has as the store keeps it; what this one read is left to keep ``later``
    (``read_units``), when given. With ``as_of``, the other process then makes the lines of
    the interactions export of the files it read (``exports.file_lines``), while this one
    alone assembles and checks what was read (its core would stand idle): ``_lines_of`` the
    process returned takes them. Returns (site, loader, bulk, input hashes or None, that
    process or None)."""
    units = chunks(files.interactions)
    # (the chunk's place in the files' order, the chunk): the referral files' first
    work = [(len(units) + j, unit) for j, unit in enumerate(chunks(files.referrals))] \
        + list(enumerate(units))
    ends = TwoEnds(len(work))

    def other(send):
        from liaison import buildrecord

        mine = ParseCache(None) if cache is None else cache.child()
        loader = Loader(root, mine)
        hashes = buildrecord.inputs(root.resolve(), fingerprint) if fingerprint else None
        read = [] if as_of is not None else None
        while (k := ends.back()) is not None:
            i, unit = work[k]
            send(i, read_units(lambda rel: bulk_entry(loader, rel), [unit], store,
                               as_bytes=True, read=read)[0])
        send(_READ, pickle.dumps(((mine.new, mine.digests), hashes), pickle.HIGHEST_PROTOCOL))
        if read:
            from liaison.exports import file_lines

            send(_LINES, pickle.dumps(file_lines(read, as_of), pickle.HIGHEST_PROTOCOL))

    read_by = {}  # a chunk's place in the files' order -> its files' entries
    done = []  # what the other process read besides the records: (cache, digests), hashes

    def take(parts) -> None:
        for i, data in parts:
            if i == _READ:
                done.append(pickle.loads(data))
            elif i != _LINES:
                read_by[i] = pickle.loads(data)

    reader = Streamed(other)
    try:
        site, loader = _load_core(root, cache, files, store, later)
        bulk_loader = Loader(root, cache)
        while (k := ends.front()) is not None:
            take(reader.arrived(below=_LINES))  # (the chunks: _READ is waited for below)
            i, unit = work[k]
            read_by[i] = read_units(lambda rel: bulk_entry(bulk_loader, rel), [unit],
                                    store, as_bytes=False, later=later)[0]
        take(_parts_until(reader, _READ, "the reading process"))
    except BaseException:  # nothing may go on reading once the caller reports it
        reader.cancel()
        raise
    (cached, digests), hashes = done[0]
    if cache is not None:
        cache.adopt(cached, digests)
    # the files in their order (interactions, then referrals), their interactions then sorted
    # by date (stable), as one read sorts them
    return site, loader, assemble([read_by[i] for i in range(len(read_by))]), hashes, \
        (reader if as_of is not None else None)


def _parts_until(process: Streamed, index: int, what: str) -> list:
    """``process.until(index)``, that part among them; where the process ended without
    sending it, its failure raised (``rest``), or a ``WorkerFailed`` saying ``what`` ended
    without it."""
    parts = process.until(index)
    if all(i != index for i, _data in parts):
        process.rest()
        raise WorkerFailed(f"{what} ended without its result")
    return parts


def _lines_of(reader: Streamed) -> dict:
    """The lines of the interactions export that ``_load_side_by_side``'s reading process
    made (``exports.file_lines``), once it has ended; {} where they did not come (they are
    made where they are needed)."""
    try:
        parts, _none = reader.rest()
    except WorkerFailed:
        return {}
    return next((pickle.loads(data) for i, data in parts if i == _LINES), {})


# The parts the reading process of ``_load_side_by_side`` sends besides its chunks: the
# end of its reading, then the export's lines.
_READ, _LINES = 2**32 - 1, 2**32 - 2


# A build keeps the records it read (liaison.snapshot) for the next one. Those that this
# process read are pickled and written by the process that checks and sums the
# interactions once it has sent what it made (``_index_check_and_sum``), while this one works
# out the statistics, the deck templates' check and the pages' plan alone: 0.6 s of this
# process's time while it read (with the other process waiting for it) at 10,000 physicians,
# against that process's idle core later. Where no process checks beside this one, many of
# them are kept by a process forked for them once they are checked (``_keep_later``).
KEEP_LATER = 2_000  # files: with fewer, this process keeps them at once


def _keep_later(store: Store | None, pending: list | None) -> Started | None:
    """Keep the chunks ``pending`` (``read_units``'s ``later``; None or empty: nothing left
    to keep): in a forked process with many files (``Checked.keeping``), else here, now."""
    if not pending:
        return None
    work = functools.partial(keep_chunks, store, pending)
    if sum(len(entries) for _name, _signatures, entries in pending) < KEEP_LATER \
            or not can_fork():
        work()
        return None
    return Started(work)


def _check(*args, **kwargs) -> Checked:
    """``check``; with ``memo`` (liaison.memo: ``serve``), in this process only, reusing what
    the memo's last run made of every file that has not changed since. ``indexes`` (a build,
    with ``keep_records``): the pages' indexes of the records are made beside the checks
    and sums when they run in forked processes (``Checked.indexes``). ``snapshot`` (with
    ``use_cache``; liaison.snapshot): "read" (a build) takes the records of the files
    unchanged since the last build from what it kept and keeps what it read, "write"
    (``build --full``) reads every file and keeps what it read, "peek" (``check``) takes
    them and keeps nothing. With a store that writes and the input files' hashes
    (``inputs``, or those the load works out for ``fingerprint``), what the rules and sums
    make of the interactions and of the referral rows is kept there too, and taken when
    what they read is the same (``_check_and_sum_kept``). ``file_stats``: what
    ``buildrecord.inputs`` took of the files with ``inputs``, taken instead of asking again.
    ``inputs_later()``: (the input files' hashes, their signatures), when another process
    is hashing them: taken once the records are read (a process is forked ahead only with
    the hashes: then first)."""
    with contextlib.ExitStack() as ends:  # a process started and left: ended
        return _checked(ends, *args, **kwargs)


def _checked(ends: contextlib.ExitStack, root, as_of, strict, use_cache, keep_records, workers,
             check_templates: bool | str = False, fingerprint: Path | None = None,
             memo: Memo | None = None, indexes: bool = False,
             snapshot: str | None = None, inputs: dict | None = None,
             file_stats: dict | None = None, inputs_later=None) -> Checked:
    clock = _Clock()
    hashes, core_key, made, kept_parts, held = inputs, None, None, None, None
    taken_ahead = keeping = None
    cache = ParseCache.for_root(root) if use_cache else None
    if cache is not None and inputs_later is not None:
        cache.digests = {}  # the hashes of the files read, for those the hashing left
    # (``validate``: only where a build kept something, else every file is read)
    if snapshot and use_cache and memo is None and (keep_records or Store.kept_for(root)):
        store = Store(root, read=snapshot != "write", write=snapshot != "peek",
                      stats=file_stats)
    else:
        store = None
    files = memo.listing(lambda: discover(root)) if memo is not None else discover(root, file_stats)
    bulk_files = files.interactions + files.referrals
    # whether the records of the files unchanged since the last build are taken from what it
    # kept (nothing to take where no build kept anything)
    taking = store is not None and store.reading and store.holds_any()
    if (memo is None or memo.first()) and not taking:
        # every record file is about to be read (``serve``: in its first run): where they
        # left the page cache, the kernel is asked for all of them at once
        # (liaison.pagecache), not one after the other
        fetching = fetch_ahead(_reading_order(root, files))
        if fetching is not None:
            ends.callback(fetching.cancel)
    if keep_records:
        big = files.holds_at_least(PARALLEL_BYTES, bulk_files)
        n = 1 if workers == 1 or not big else min(2, cpu_count() if workers is None else workers)
        ahead = None
        # The chunks this process reads are kept once checked (KEEP_LATER) where the build
        # reads every file (the first one, or ``--full``). After an edit the few chunks read
        # again are kept at once: a process forked then shares the cores with what the edit
        # leaves to do (a phone edit read the physicians' chunk, 10,000 files, again).
        pending: list | None = [] if store is not None and not taking else None
        if memo is None and n > 1 and files.referrals and indexes and taking \
                and store.writing and can_fork() \
                and (hashes is not None or inputs_later is not None):
            if hashes is None:
                hashes, _signatures = inputs_later()
                hashes = hashes.complete(root)  # (nothing read yet: the files left read here)
            # forked while this process is small: it reads what it needs by itself
            ahead = Started(functools.partial(_taken_ahead, root, as_of, files, hashes,
                                              file_stats), otherwise=lambda: None)
            ends.callback(ahead.cancel)
        sources = None  # (the interactions' sources by record id, when made: ``attach``)
        reader = None  # (the process that read with this one: _load_side_by_side)
        if memo is not None:
            n = 1
            site, loader, files = load_core(root, cache, files, memo)
            bulk, sources = load_bulk_again(Loader(root, cache), bulk_files, memo)
        elif n > 1 and files.referrals:
            site, loader, bulk, found, reader = _load_side_by_side(
                root, cache, files, fingerprint, store, pending,
                as_of if store is not None and store.writing else None)
            if reader is not None:  # (making the export's lines: ended, unless taken)
                ends.callback(reader.cancel)
            hashes = hashes if found is None else found
        elif store is not None:
            site, loader = _load_core(root, cache, files, store)
            bulk_loader = Loader(root, cache)
            bulk = assemble(read_chunks(lambda rel: bulk_entry(bulk_loader, rel), bulk_files,
                                        store, as_bytes=False))
        else:
            site, loader, files = load_core(root, cache, files)
            bulk = load_bulk(Loader(root, cache), bulk_files)
        if store is not None and store.writing:  # the chunks of files no longer there
            store.prune(files.interactions + files.referrals, _core_files(files))
        if hashes is None and inputs_later is not None:  # hashed meanwhile
            hashes, _signatures = inputs_later()
            # the files the hashing left (no record to compare with: a first build) take
            # their hashes from the bytes read above instead of being read a second time
            hashes = hashes.complete(root, cache.digests if cache is not None else None)
        if cache is not None:
            cache.digests = None
        if fingerprint is not None and hashes is None:
            from liaison import buildrecord

            hashes = buildrecord.inputs(root.resolve(), fingerprint)
        problems = loader.problems + check_core(site, as_of)
        clock.lap(f"load core records, interactions and referrals "
                  f"({n} process{'es' if n > 1 else ''}); check core records")
        attach(site, bulk, sources)

        # The rules, the sums and the pages' indexes read the same records and change none:
        # a forked process checks while this one sums (their results are small; the records
        # are not sent); for a build, the forked one checks and sums while this one indexes
        # the records for the pages.
        kept = store if store is not None and store.writing and hashes is not None else None
        derived = _derived_keys(site, as_of, files, hashes) if kept is not None else None
        if derived is not None and derived["interactions"] is not None:
            derived["split"] = _Split.of(kept, derived, files, hashes, bulk.interactions, as_of)
            derived["interactions"] = derived["split"].key
            derived["later"] = []  # kept while the pages' keys are worked out (KeptParts)

        def check():
            return check_bulk(site, as_of, bulk.interactions, bulk.referrals, bulk.partials)

        def sums():
            return (stats_stage.accumulate(site, as_of, site.referrals, site.interactions),
                    _interaction_events(site, as_of, bulk.interactions))

        # (No closure here calls itself: one that did would hold the records in a reference
        # cycle, freed only by the cyclic collector: in ``serve``, 200,000 pairs of record
        # and source a save at 10,000 physicians, 0.3 s of collection after each.)
        def check_or_sum(task: str):
            if task == "check":
                return check()
            if task == "index":
                return page_indexes(site, as_of, None if kept is None else (kept, derived))
            if task == "check and sum":
                if kept is not None:
                    found, partial = _check_and_sum_kept(site, as_of, bulk, kept, derived)
                    return found, (partial, _interaction_events(site, as_of, bulk.interactions))
                return check(), sums()
            return sums()

        taken_ahead = _agreed(ahead.result(), derived) if ahead is not None else None
        if memo is not None:
            core_key = _core_key(site, as_of)
            found, costs, partial = _check_and_sum_again(site, as_of, bulk, files, memo, core_key)
        elif taken_ahead is not None:  # worked out by the process forked ahead
            found = taken_ahead.problems
            if taken_ahead.placed is not None:
                derived["split"].adopt(site, taken_ahead.placed)
            costs = _costs(site, as_of, bulk, kept, derived)  # (the split's positions adopted)
            made = page_indexes(site, as_of, (kept, derived))
        elif n > 1 and indexes and kept is not None and (taken := _check_and_sum_kept(
                site, as_of, bulk, kept, derived, make=False)) is not None:
            # what the rules and sums made is all kept: no process forked (after a fork,
            # each page of records this one writes to, their counts of references, is copied
            # while the other lives: the indexes took 1.8-2.7 s instead of 1.3 s)
            found, partial = taken
            costs = _costs(site, as_of, bulk, kept, derived)
            made = page_indexes(site, as_of, (kept, derived))
        elif n > 1 and indexes and kept is not None:
            made, found, partial, costs, keeping = _index_check_and_sum(
                site, as_of, bulk, kept, derived, pending)
            pending = None  # (kept by the process that checked, once it has sent its result)
        elif n > 1 and indexes:
            made, (found, (partial, costs)) = map_forked(check_or_sum, ["index", "check and sum"])
        elif n > 1:
            (partial, costs), found = map_forked(check_or_sum, ["sum", "check"])
        else:
            found, (partial, costs) = check_or_sum("check and sum")
        problems += bulk.problems + found
        if derived is not None and derived.get("split") is not None:
            # where the keys' parts are kept, and which of them the hot files' records read
            from liaison.incremental import shown_physicians

            split = derived["split"]
            kept_parts = KeptParts(kept, derived["interactions"], derived["all interactions"],
                                   functools.partial(split.touched, site, as_of, hashes),
                                   split.positions, derived.get("referrals"),
                                   shown_physicians(site.physicians), derived["later"],
                                   taken_ahead.made if taken_ahead is not None else None,
                                   _lines_of(reader) if reader is not None else None,
                                   derived.get("named"))
        counts = {"interactions": len(site.interactions), "referrals": len(site.referrals)}
        clock.lap(f"check+sum interactions and referrals ({n} process{'es' if n > 1 else ''})")
        keeping = keeping or _keep_later(store, pending)
        if keeping is not None:
            def kept_whole(failed, _exc, _tb) -> bool:
                """Even when the check fails from here on, what is being kept is kept."""
                if failed is not None:
                    keeping.result()
                return False  # (the failure goes on)

            ends.push(kept_whole)
    else:
        # Forked workers read the interaction and referral files at once, a chunk at a time
        # (a month's folder, a referral file: liaison.snapshot.chunks), each taking the next
        # one left, while this process reads the core records and then takes chunks too;
        # each checks and sums what it read, a few chunks at a time once it has the core
        # records (``map_shared``: they end together, whatever each chunk costs).
        n = cpu_count() if workers is None else workers
        if not files.holds_at_least(PARALLEL_BYTES, bulk_files):
            n = 1
        units = chunks(bulk_files)
        core: dict = {}
        held = []
        # each process's sums, added to by each of its checks (a set of sums for every
        # physician made and merged at each check took 0.3 s at 10,000 physicians)
        running: dict[int, stats_stage.Partial] = {}

        def read(unit: tuple[str, list[str]]):
            mine = ParseCache(None) if cache is None else cache.child()
            loader = Loader(root, mine)
            # the records stay in the worker, which only checks and sums them: their equal
            # dates need not be one object (load._read_bulk)
            if store is None:
                return mine, load_bulk(loader, unit[1], same_dates=False)
            return mine, assemble(read_units(lambda rel: bulk_entry(loader, rel, False), [unit],
                                             store, as_bytes=False))

        def load_core_records():
            site, loader = _load_core(root, cache, files, store)
            core["site"], core["problems"] = site, loader.problems + check_core(site, as_of)
            return core_only(site)

        def check_and_sum(done: list, site) -> _ShareResult:
            held.append(done)
            bulks = [bulk for _mine, bulk in done]
            pairs = [pair for bulk in bulks for pair in bulk.interactions]
            rows = [row for bulk in bulks for row in bulk.referrals]
            found = [p for bulk in bulks for p in bulk.problems] + check_bulk(
                site, as_of, pairs, rows, [p for bulk in bulks for p in bulk.partials])
            records = [rec for rec, _src in pairs]
            cached = {}
            for mine, _bulk in done:
                cached.update(mine.new)
            pid = os.getpid()  # (forked ones start with none of this one's)
            running[pid] = stats_stage.accumulate(site, as_of, rows, records, running.get(pid))
            return _ShareResult(found, running[pid], len(records), len(rows), cached,
                                _interaction_events(site, as_of, pairs, whole=False))

        _core, results = map_shared(read, check_and_sum, units, load_core_records, n,
                                    batch=max(1, len(units) // (CHECKS_A_PROCESS * n)),
                                    fold=_ShareResult.folded)
        held.append(results)  # the sums merged below, with every physician's (0.05 s to free)
        site, problems = core["site"], core["problems"]
        partial = results[0].partial
        for r in results[1:]:
            partial.merge(r.partial)
        for r in results:
            problems += r.problems
            if cache is not None:
                cache.adopt(r.cached)
        costs = [e for r in results for e in r.costs]
        counts = {"interactions": sum(r.interactions for r in results),
                  "referrals": sum(r.referrals for r in results)}
        clock.lap(f"load+check core records; load+check+sum interactions and referrals "
                  f"({n} process{'es' if n > 1 else ''})")

    problems += market.load(site, cache)  # data/market/: Medicare volumes, our own format
    if taken_ahead is not None:
        stats = taken_ahead.stats.value()
    elif memo is not None:  # (``partial``: _Again) made again only when what it reads changed
        stats = memo.derive("statistics", (partial.key, _statistics_reads(site)),
                            lambda: stats_stage.finalize(site, as_of, partial.merged()))
    else:
        stats = _statistics(site, as_of, partial, kept_parts, hashes)
    problems += limit_warnings(site, [e for e in costs if e[3] != PROMISE])
    clock.lap("statistics")
    problems += guide_page_link_problems(site, stats, as_of)  # the pages a guide links to
    problems += repeated_promise_problems(costs)  # a follow-up promised twice
    if site.decks:
        renders = len(site.decks) * (len(site.practices) + 1)
        n = 1 if keep_records or renders < PARALLEL_DECK_RENDERS else (cpu_count() if workers is None else workers)
        def render_decks():
            failures = map_forked(lambda part: deck_failures(site, stats, part, n), list(range(n)))
            return deck_problems(site, [f for part in failures for f in part])

        if taken_ahead is not None:
            problems += deck_problems(site, taken_ahead.failures)
        elif memo is None:
            problems += render_decks()
        else:  # again when a deck or a practice changed; what else fails shows on its page
            problems += memo.derive("deck templates", (
                as_of, memo.tokens(files.presentations), memo.tokens(files.by_kind["practices"]),
                memo.tokens([files.site] if files.site else []), _deck_pictures(site)), render_decks)
        clock.lap("deck templates")
    from liaison.overrides import asset_case_problems, stylesheet_problems
    from liaison.pages.decks import logo_problems

    problems += logo_problems(root)  # templates/assets/logo.png: the decks' logo
    problems += stylesheet_problems(root)  # templates/assets/*.css: no web font, no CDN
    problems += asset_case_problems(root)  # templates/assets/Style.css: not style.css
    if check_templates:  # pages are rendered only from records without errors
        from liaison.overrides import check_overrides

        # ("static", from build: what needs no page rendered, the unused and misspelt
        # templates, lost blocks and macros; build renders the pages itself)
        clean = check_templates != "static" and not any(p.severity == "error" for p in problems)
        problems += check_overrides(site, stats, as_of, workers, render=clean)
        clock.lap("template overrides")
    report = Report(place(root, problems) if memo is None else _place_again(root, problems, memo))
    clock.lap("placing diagnostics")
    if cache is not None:
        cache.save()
    return Checked(site, report.strict() if strict else report, stats, counts, clock.laps,
                   hashes, files, core_key, made, kept_parts, held, keeping)


def _statistics(site: Site, as_of: dt.date, partial, kept: KeptParts | None,
                inputs: dict | None, sent: list | None = None) -> Stats:
    """``stats.finalize``; with ``kept``, taken from what the last build kept when what it
    reads is the same: the as-of date, every input file but the physicians' (the sums are
    made of them) and what the physicians' records hold but their own fields
    (``KeptParts.shown``: none of the statistics reads a phone, e-mail, office days or
    notes). An edit of a phone takes them (0.07 s instead of 0.35 s at 10,000 physicians);
    when made, they are kept later (``KeptParts.later``). ``sent``: a list that takes them
    pickled (``Pickled``), as the store holds them or, when made, pickled once to be kept
    and sent (the process forked ahead sends them: ``_taken_ahead``)."""
    if kept is None or inputs is None or kept.shown is None:
        stats = stats_stage.finalize(site, as_of, partial)
        if sent is not None:
            sent.append(Pickled.of(stats))
        return stats
    from liaison.incremental import statistics_key
    from liaison.snapshot import STATS

    key = statistics_key(as_of, inputs, kept.shown)
    taken = kept.store.taken(STATS, key)
    if taken is not None and isinstance(taken[0], Stats):
        if sent is not None:
            sent.append(taken[1])
        return taken[0]
    stats = stats_stage.finalize(site, as_of, partial)
    if sent is not None:
        sent.append(Pickled.of(stats))
    kept.later.append((STATS, key, stats if sent is None else sent[-1]))
    return stats


def page_indexes(site: Site, as_of: dt.date, kept: tuple | None = None) -> tuple:
    """The indexes of the interactions and of the referral rows that the pages read
    (``SiteView``). With ``kept`` (a store that writes, liaison.snapshot, and the keys of
    ``_derived_keys``), each is taken from what the last build kept when all its records
    are those it was made from (the same key as their rules' and sums'), else made and
    kept: as the positions of the records in ``site.interactions`` or ``site.referrals``,
    which a build orders the same way from the same files. The interactions' index is kept
    of the cold files' records alone (``_Split``), under their key: the hot files' are
    indexed at every build and the two joined; the joined one is kept too, under the key of
    all the interaction files (``INDEX_ALL``: taken as it is after an edit of another kind of
    file, 0.2 s less at 10,000 physicians). After an edit of a hot file, the process forked
    ahead may have joined them already (``_index_ahead``, ``_Split.adopt``)."""
    from liaison.pages.view import InteractionIndex, ReferralIndex, practice_physicians

    store, keys = kept if kept is not None else (None, {})
    split = keys.get("split")
    at_practice = practice_physicians(site.physicians)
    if split is None:
        interactions = _index(
            store, INDEX, keys.get("interactions"),
            lambda made: InteractionIndex.at(site.interactions, made),
            lambda: InteractionIndex.positions(site.interactions, site.physicians, as_of,
                                               at_practice))
    else:  # all of them as the last build joined them, else the cold ones' joined again
        every = keys["all interactions"]

        def keep_cold_order(days: list | None) -> None:  # (made when kept: ``Deferred``)
            _keep(store, keys, COLD_ORDER, keys["interactions"],
                  Deferred(functools.partial(split.cold_order, days)))

        def joined(cold: tuple) -> InteractionIndex:
            made = split.joined(site, as_of, cold)
            index = InteractionIndex.at(site.interactions, made)
            _keep(store, keys, INDEX_ALL, every, made)
            if not store.holds(COLD_ORDER, keys["interactions"]):
                # (kept with the cold files' index, later: not by a build that stopped
                # before, on an error in the records)
                keep_cold_order(None)
            return index

        def cold_positions() -> tuple:  # (kept with where the cold ones fall by date)
            days: list = []
            named: tuple[set, set] = (set(), set())
            made = InteractionIndex.positions(_taken(site.interactions, split.cold_at),
                                              site.physicians, as_of, at_practice, days, named)
            keep_cold_order(days)
            # the physicians and practices the keys read of the same records, gathered
            # where the index reads them (a pass of their own in the keys: 0.4 s at 10,000
            # physicians)
            from liaison.incremental import cold_named

            keys["named"] = cold_named(*named)
            return made

        if split.ahead is not None:  # joined by the process forked ahead (``Pickled``)
            interactions = InteractionIndex.at(site.interactions, split.ahead.value())
            _keep(store, keys, INDEX_ALL, every, split.ahead)  # (kept as it was sent)
        else:
            interactions = _kept_index(store, INDEX_ALL, every,
                                       lambda made: InteractionIndex.at(site.interactions, made))
        if interactions is None:
            interactions = _index(store, INDEX, keys["interactions"], joined, cold_positions)
    return (interactions,
            _index(store, ROW_INDEX, keys.get("referrals"),
                   lambda made: ReferralIndex.at(site.referrals, made),
                   lambda: ReferralIndex.positions(site.referrals, as_of)))


def _index(store: Store | None, name: str, key: str | None, index_of, positions):
    """``index_of`` the positions kept in ``store`` under ``name`` and ``key``, else of
    ``positions()``, then kept there."""
    index = _kept_index(store, name, key, index_of)
    if index is not None:
        return index
    made = positions()
    if store is not None and key is not None:
        store.keep_derived(name, key, made)
    return index_of(made)


def _kept_index(store: Store | None, name: str, key: str | None, index_of):
    """``index_of`` the positions kept in ``store`` under ``name`` and ``key``, or None."""
    if store is not None and key is not None:
        kept = store.derived(name, key)
        if kept is not None:
            try:
                return index_of(kept)
            except Exception:  # not what a build kept: made again
                pass
    return None


def _taken(records: list, positions: list[int]) -> list:
    from liaison.pages.view import _taken

    return _taken(records, positions)


@dataclass
class _Split:
    """The interaction files as a build that keeps what it makes (liaison.snapshot) works
    through them: what the rules, the sums, the pages' index and the pages' keys make of the
    **cold** files is kept under a key of their own (``key``: their hashes and what they
    read of the core records), and taken while it is the same; the other files, **hot**,
    are worked through again when one of them changed, and what they give joined to it
    (what the two give together is kept too, under the key of all the interaction files).
    The hot ones are those with a visit of the last ``HOT_DAYS`` days (where this month's
    visits are being logged) and those edited since the cold ones were chosen; the cold
    ones are chosen again when what they read of the core records (or the as-of date)
    changes, or one of them changes. So a visit logged today costs the work of the hot
    files only."""

    cold: frozenset
    key: str
    all_pairs: list  # (record, source) of every interaction, by date (Bulk.interactions)
    _at: tuple | None = None  # (cold_at, hot_at), made when first asked for
    hot_positions: tuple | None = None  # InteractionIndex.positions of the hot ones
    hot_touched: dict | None = None  # ``touched``'s
    ahead: Pickled | None = None  # the positions of the joined index, from ``_index_ahead``
    _cold_files: list | None = None  # the file of each of the cold files' records, in order

    @property
    def cold_at(self) -> list[int]:
        """The positions in site.interactions of the cold files' records."""
        return self.positions()[0]

    @property
    def hot_at(self) -> list[int]:
        """The positions in site.interactions of the hot files' records."""
        return self.positions()[1]

    def positions(self) -> tuple[list[int], list[int]]:
        """(``cold_at``, ``hot_at``), made once."""
        if self._at is None:
            cold, cold_at, hot_at, files = self.cold, [], [], []
            for i, (_rec, src) in enumerate(self.all_pairs):
                rel = src[0]
                if rel in cold:
                    cold_at.append(i)
                    files.append(rel)
                else:
                    hot_at.append(i)
            self._at, self._cold_files = (cold_at, hot_at), files
        return self._at

    @classmethod
    def of(cls, store: Store, keys: dict, files, inputs: dict, pairs: list,
           as_of: dt.date) -> "_Split":
        """The split of this build: the last build's when its cold files are unchanged and
        read the same, else chosen again. ``keys``: ``_derived_keys``'s; ``pairs``: the
        (record, source) of every interaction, by date (``Bulk.interactions``)."""
        rels = files.interactions
        cold, edited = cls.last(store, keys, files, inputs)
        if cold is None:
            hot = edited
            since = as_of - dt.timedelta(days=HOT_DAYS)
            for rec, src in reversed(pairs):
                if rec.date < since:
                    break
                hot.add(src[0])
            cold = {rel: inputs[rel] for rel in rels if rel not in hot}
            store.keep_derived(SPLIT, "", {"core": keys["core"], "cold": cold})
        return cls.made(cold, keys["core"], rels, inputs, pairs)

    @staticmethod
    def last(store: Store, keys: dict, files, inputs: dict) -> tuple[dict | None, set]:
        """(the last build's cold files with their hashes, when they are all unchanged and
        read the same core records, else None; those of them edited since)."""
        kept = store.derived(SPLIT, "", hint=True)  # (which files a full build reads too)
        cold, edited = None, set()
        if isinstance(kept, dict) and isinstance(kept.get("cold"), dict):
            same = {rel for rel, h in kept["cold"].items() if inputs.get(rel) == h}
            if kept.get("core") == keys["core"] and len(same) == len(kept["cold"]) \
                    and same <= set(files.interactions):
                cold = kept["cold"]
            edited = set(kept["cold"]) - same
        return cold, edited

    @classmethod
    def made(cls, cold: dict, core: str, rels: list[str], inputs: dict, pairs: list) -> "_Split":
        """The split of ``cold`` among the interaction files ``rels``, keyed."""
        h = hashlib.blake2b(f"cold\0{core}".encode(), digest_size=16)
        for rel in rels:
            if rel in cold:
                h.update(f"\0{rel}\0{inputs[rel]}".encode())
        return cls(frozenset(cold), h.hexdigest(), pairs)

    def cold_order(self, days: list | None) -> array:
        """Where the cold files' interactions fall by date (``COLD_ORDER``): for each, in
        their order, its day and its file's place among the cold files (2k + 1 for the k-th
        of them by path, the order the files are listed in; ``_placed`` gives a hot file an
        even number) in one integer. ``days``: their dates, in order (read with their index:
        reading them again from 200,000 records took 0.25 s, and this 0.06 s), or None (read
        from the records)."""
        if days is None:
            days = [rec.date for rec, _src in self.pairs(cold=True)]
        self.positions()
        files = self._cold_files
        if files is None:  # (the positions taken from elsewhere: ``adopt``)
            files = [src[0] for _rec, src in self.pairs(cold=True)]
        rank = {rel: 2 * k + 1 for k, rel in enumerate(sorted(self.cold))}
        day = {date: date.toordinal() << 32 for date in set(days)}
        return array("q", map(or_, map(day.__getitem__, days), map(rank.__getitem__, files)))

    def adopt(self, site: Site, placed: tuple) -> bool:
        """Take what the process forked ahead worked out of the interactions
        (``_index_ahead``: where the cold files' and the hot ones' fall, the hot ones' index
        and the index of all of them) when it fits this build's records: as many of them,
        and each of the hot positions holding a record of a hot file. Whether it did."""
        (cold_at, hot_at), hot_positions, joined = placed
        records, src, cold = site.interactions, site.src, self.cold
        if len(cold_at) + len(hot_at) != len(records) \
                or any(src[id(records[i])][0] in cold for i in hot_at):
            return False
        self._at, self.hot_positions, self.ahead = (cold_at, hot_at), hot_positions, joined
        return True

    def pairs(self, cold: bool) -> list:
        """The (record, source) pairs of the cold files, or of the hot ones."""
        return _taken(self.all_pairs, self.cold_at if cold else self.hot_at)

    def hot_index(self, site: Site, as_of: dt.date) -> tuple:
        """InteractionIndex.positions of the hot files' records (made once)."""
        if self.hot_positions is None:
            from liaison.pages.view import InteractionIndex

            self.hot_positions = InteractionIndex.positions(
                _taken(site.interactions, self.hot_at), site.physicians, as_of)
        return self.hot_positions

    def joined(self, site: Site, as_of: dt.date, cold_positions: tuple) -> tuple:
        """The positions of all the interactions from those of the cold files' records."""
        from liaison.pages.view import InteractionIndex

        if not self.hot_at:
            return cold_positions
        return InteractionIndex.joined([(cold_positions, self.cold_at),
                                        (self.hot_index(site, as_of), self.hot_at)])

    def touched(self, site: Site, as_of: dt.date, inputs: dict,
                then: dict | None = None) -> dict[str, tuple]:
        """For each hot file with interactions, (its hash, the keys' parts that read one of
        them, and its records with the parts that read each: incremental.file_records);
        made once. ``then``: what it gave in the build whose keys' parts are kept (the same
        cold files, read the same way): the records of a file with the same hash are
        taken from there, not hashed again."""
        if self.hot_touched is not None:
            return self.hot_touched
        from liaison.incremental import file_records, record_parts
        from liaison.pages.view import practice_physicians

        hot = self.pairs(cold=False)
        records, srcs = [rec for rec, _src in hot], [src for _rec, src in hot]
        parts = record_parts(records, self.hot_index(site, as_of), site.physicians,
                             practice_physicians(site.physicians))
        same = {rel: was[2] for rel, was in (then or {}).items()
                if isinstance(was, tuple) and len(was) == 3 and was[0] is not None
                and was[0] == inputs.get(rel)}
        by_file = file_records(records, srcs, parts, same)
        self.hot_touched = {
            rel: (inputs.get(rel), frozenset().union(*(mine for _place, _fp, mine in entries)),
                  entries)
            for rel, entries in by_file.items()}
        return self.hot_touched


class _Ahead(NamedTuple):
    """What the process forked ahead worked out (``_taken_ahead``)."""

    keys: dict  # the keys it worked with (``_derived_keys``, the cold files' as "interactions")
    problems: list  # of the rules of the interactions and referral rows
    stats: Pickled  # the statistics, as the store keeps them
    failures: list  # the deck templates' (``deck_failures``)
    made: dict  # the files made of the statistics alone, by path (``exports.stats_files``)
    placed: tuple | None  # ``_index_ahead``'s, when it made the index (the index of all
    #                       pickled, as the store keeps it)


def _agreed(taken: _Ahead | None, keys: dict | None) -> _Ahead | None:
    """What ``_taken_ahead`` gave, when it worked with the keys this process worked out
    (the same files as they are now), else None."""
    if taken is None or keys is None or keys.get("split") is None:
        return None
    names = ("core", "referrals", "interactions", "all interactions")
    return taken if taken.keys == {name: keys[name] for name in names} else None


def _taken_ahead(root: Path, as_of: dt.date, files, inputs: dict,
                 file_stats: dict | None) -> _Ahead | None:
    """What an incremental build takes of what the last one kept, worked out in a process
    forked before the records are read (``_check``: it reads them for 1.3-1.5 s at 10,000
    physicians, while the other core had little to do): the rules and sums of the
    interactions and referral rows (``_check_and_sum_kept`` without making any: those of
    the cold interaction files and of the rows kept, the hot files read here and worked
    through), the statistics (``_statistics``) and the deck templates' failures (0.5-0.7 s
    after a visit is logged, no longer on the way); what it made, it keeps in the store
    itself; and it makes the files made of the statistics alone (``exports.stats_files``,
    0.2 s at 10,000 physicians, no longer in the process that makes the other files).
    Returns them (``_Ahead``), or None when the cold files are to be chosen again or their
    rules and sums, or the rows', are not kept: the build then works them out as before."""
    store = Store(root, read=True, write=False, stats=file_stats)
    site, _loader = _load_core(root, None, files, store)
    keys = _derived_keys(site, as_of, files, inputs)
    if keys["interactions"] is None or keys["referrals"] is None:
        return None
    cold, _edited = _Split.last(store, keys, files, inputs)
    if cold is None:
        return None
    loader = Loader(root, None)
    # the hot files' records in the order of site.interactions (a stable sort by date of
    # the files in their order: restricted to some files, the same order)
    bulk = assemble(read_chunks(lambda rel: bulk_entry(loader, rel),
                                [rel for rel in files.interactions if rel not in cold],
                                store, as_bytes=False))
    split = _Split.made(cold, keys["core"], files.interactions, inputs, bulk.interactions)
    keys.update(split=split, interactions=split.key, later=[])
    taken = _check_and_sum_kept(site, as_of, bulk, store, keys, make=False)
    if taken is None:
        return None
    found, partial = taken
    from liaison.incremental import shown_physicians

    later = keys.pop("later")
    del keys["split"]
    sent: list = []  # the statistics as they are kept, sent so (``Pickled``)
    stats = _statistics(site, as_of, partial, KeptParts(
        store, keys["interactions"], keys["all interactions"], None, None, keys["referrals"],
        shown_physicians(site.physicians), later), inputs, sent)
    failures = deck_failures(site, stats) if site.decks else []
    kept = Store(root, read=False, write=True)  # here: sent back, they cost 0.1 s to take
    for name, key, value in later:
        kept.keep_derived(name, key, value)
    from liaison.exports import stats_files

    made = {path: make() for path, make in stats_files(site, stats).items()}
    placed = _index_ahead(store, keys, site, as_of, split)
    if placed is not None:  # (the index of all, kept by the build as it is sent)
        placed = (*placed[:2], Pickled.of(placed[2]))
    return _Ahead(keys, found, sent[0], failures, made, placed)


def _index_ahead(store: Store, keys: dict, site: Site, as_of: dt.date, split: "_Split"
                 ) -> tuple | None:
    """The pages' index of all the interactions after a hot file changed, worked out in the
    process forked ahead (``_taken_ahead``, which reads the hot files alone) while the build
    takes back every record (a second at 10,000 physicians; the index took it 0.4-0.6 s
    after that): the cold files' index as the last build kept it, the hot ones' placed among
    them (``_placed``, from ``COLD_ORDER``) and indexed, the two joined (``_Split.joined``).
    Returns ((the cold files' positions, the hot ones'), the hot ones' index, the index of
    all), or None when the build takes the index as it is kept (no interaction file
    changed) or the cold ones' is not kept."""
    every = keys["all interactions"]
    if every is None or store.holds(INDEX_ALL, every):
        return None
    order = store.derived(COLD_ORDER, keys["interactions"])
    cold = store.derived(INDEX, keys["interactions"])
    if not isinstance(order, array) or not isinstance(cold, tuple):
        return None
    from liaison.pages.view import InteractionIndex

    hot = split.all_pairs  # (here, those of the hot files alone)
    cold_at, hot_at = _placed(order, split.cold, hot)
    hot_positions = InteractionIndex.positions([rec for rec, _src in hot], site.physicians, as_of)
    joined = InteractionIndex.joined([(cold, cold_at), (hot_positions, hot_at)]) \
        if hot_at else cold
    return (cold_at, hot_at), hot_positions, joined


def _placed(cold_order: array, cold: frozenset, hot: list) -> tuple[array, array]:
    """Where the cold files' interactions and the hot files' fall among all of them (the
    positions ``_Split.positions`` gives), from the cold ones' ``COLD_ORDER`` and the hot
    ones' (record, source) pairs in their order. The interactions are in order of date, then
    of file (by path), then of place in the file (load._bulk): a hot file's interaction
    follows every cold one of an earlier day, and those of its day in a file listed before
    its own."""
    from liaison.pages.view import POSITION

    cold_files = sorted(cold)
    ranks: dict[str, int] = {}
    hot_at = array(POSITION)
    for j, (rec, src) in enumerate(hot):
        rank = ranks.get(src[0])
        if rank is None:  # (even: no cold file has it)
            rank = ranks[src[0]] = 2 * bisect_left(cold_files, src[0])
        hot_at.append(bisect_left(cold_order, rec.date.toordinal() << 32 | rank) + j)
    cold_at, start = array(POSITION), 0
    for at in hot_at:
        cold_at.extend(range(start, at))
        start = at + 1
    cold_at.extend(range(start, len(cold_order) + len(hot)))
    return cold_at, hot_at


class _Again(NamedTuple):
    """The sums of a ``serve`` run (``_check_and_sum_again``): those of the interaction files
    edited lately, made at every run, then those of the others and of the referral rows, kept
    from run to run; merged (``merged``, once) only when the statistics are made again.
    ``key``: what the three are made from, the first by its content (an edit that sums to
    the same, a summary or a physician's name, leaves the statistics as they were: 0.3-0.5 s
    of ``stats.finalize`` and the merge at 10,000 physicians)."""
    key: tuple
    parts: tuple

    def merged(self) -> "stats_stage.Partial":
        partial, *others = self.parts  # (the first one is this run's own: merged into)
        for other in others:
            partial.merge(other)
        return partial


def _deck_pictures(site) -> tuple:
    """The decks' pictures as they are on the disk (path, size, time, inode, or None when
    missing): their check is part of the decks' (``deck_failures``), kept by ``serve`` while
    this stays the same, so that a picture added, removed or replaced is seen."""
    from liaison.decks import image_refs, picture_file

    out, folder = [], os.path.join(site.root, "content", "presentations")
    for deck_id in sorted(site.decks):
        for slide in site.decks[deck_id].slides:
            for _k, _col, path in image_refs(slide.source):
                try:
                    st = os.stat(os.path.join(folder, picture_file(path)), follow_symlinks=False)
                    out.append((path, st.st_size, st.st_mtime_ns, st.st_ino, st.st_mode))
                except (OSError, ValueError):
                    out.append((path, None))
    return tuple(out)


def _statistics_reads(site: Site) -> tuple:
    """What ``stats.finalize`` reads of the core records besides what the sums read
    (``_core_key``): each physician's tier, liaison and potential, each practice's liaison."""
    return (tuple((pid, d.tier, d.liaison, d.potential) for pid, d in site.physicians.items()),
            tuple((pid, p.liaison) for pid, p in site.practices.items()))


def _check_and_sum_again(site: Site, as_of: dt.date, bulk: Bulk, files, memo: Memo,
                         reads: tuple):
    """The rules and sums of the interactions and of the referral rows, each made again only
    when one of its files, or what they read of the core records, changed since the memo's
    last run (an edit of a physician's phone leaves them all as they were). The interaction
    files edited lately are worked through apart, at every run: what the others give is kept
    while they do not change (``Memo.split``), and so are their ``_interaction_events``.
    ``reads``: ``_core_key``. Returns (problems, the events of every
    interaction, the sums as ``_Again``)."""
    cold, hot = memo.split(files.interactions)
    edited = set(hot)
    hot_records = [(r, src) for rel in hot for _d, r, src in interactions_read(memo, rel)]
    failed = [p for p in bulk.partials if p.path.startswith("data/interactions/")]
    failed_rows = [p for p in bulk.partials if not p.path.startswith("data/interactions/")]
    by_interactions = (reads, memo.tokens(cold))
    by_referrals = (reads, memo.tokens(files.referrals))

    listed: list = []

    def others():  # the interactions of the files not edited lately, listed once
        if not listed:
            listed.append([(r, src) for r, src in bulk.interactions if src[0] not in edited])
        return listed[0]

    events = memo.derive("interaction events", by_interactions, lambda: _EventsApart.of(
        _interaction_events(site, as_of, others(), whole=False))).joined(
        _interaction_events(site, as_of, hot_records, whole=False))
    problems = [
        *memo.derive("check interactions", by_interactions, lambda: check_bulk(
            site, as_of, others(), [], [p for p in failed if p.path not in edited])),
        *check_bulk(site, as_of, hot_records, [], [p for p in failed if p.path in edited]),
        *memo.derive("check referrals", by_referrals,
                     lambda: check_bulk(site, as_of, [], bulk.referrals, failed_rows))]
    partial = stats_stage.accumulate(site, as_of, [], [r for r, _src in hot_records])
    made = hashlib.blake2b(pickle.dumps(partial, protocol=pickle.HIGHEST_PROTOCOL)).digest()
    return problems, events, _Again((by_interactions, by_referrals, made), (
        partial,
        memo.derive("sum interactions", by_interactions, lambda: stats_stage.accumulate(
            site, as_of, [], [r for r, _src in others()])),
        memo.derive("sum referrals", by_referrals,
                    lambda: stats_stage.accumulate(site, as_of, site.referrals, []))))


def _check_and_sum_kept(site: Site, as_of: dt.date, bulk: Bulk, store: Store, keys: dict,
                        make: bool = True
                        ) -> tuple[list[Problem], stats_stage.Partial] | None:
    """The rules and sums of the interactions, and of the referral rows, each taken from
    ``store`` (liaison.snapshot) when its files' hashes and what it reads of the core
    records are those it was made from (its key, ``_derived_keys``), else made and kept
    there (``_interactions_kept``, ``_rows_kept``; the sums of the rows, then of the
    interactions, merged: the same sums as one pass over both, which a build without a store
    makes). Returns (problems, partial sums); without ``make``, None when either is not
    kept."""
    interactions = _interactions_kept(site, as_of, bulk, store, keys, make)
    rows = _rows_kept(site, as_of, bulk, store, keys, make)
    return None if interactions is None or rows is None else _both(rows, interactions)


def _both(rows: tuple, interactions: tuple) -> tuple[list[Problem], stats_stage.Partial]:
    """The rules and sums of the referral rows with those of the interactions."""
    (rules, sums), (more, their_sums) = rows, interactions
    return rules + more, sums.merge(their_sums)


def _interactions_kept(site: Site, as_of: dt.date, bulk: Bulk, store: Store, keys: dict,
                       make: bool = True) -> tuple[list[Problem], stats_stage.Partial] | None:
    """The rules and sums of the interactions (``_check_and_sum_kept``). When the build
    splits the interaction files (``_Split``), the cold files' are kept under their key and
    the hot ones' made and added to them, the whole kept under the key of all the
    interaction files (``ALL_INTERACTIONS``: taken as it is after an edit of another kind of
    file)."""
    interactions = [p for p in bulk.partials if p.path.startswith(INTERACTIONS)]
    split = keys.get("split")
    if split is None:
        return _check_and_sum_of(site, as_of, store, "interactions", keys["interactions"], make,
                                 bulk.interactions, interactions)
    made = store.derived(ALL_INTERACTIONS, keys["all interactions"])  # as the last build made it
    if made is not None:
        return made
    # the cold files' (kept), then the hot ones' (made), put together and kept
    cold = _check_and_sum_of(site, as_of, store, "interactions", keys["interactions"], make,
                             split.pairs(cold=True),
                             [p for p in interactions if p.path in split.cold])
    if cold is None:
        return None
    problems, partial = cold
    if split.hot_at:
        hot = split.pairs(cold=False)
        problems = problems + check_bulk(
            site, as_of, hot, [], [p for p in interactions if p.path not in split.cold])
        partial.merge(stats_stage.accumulate(site, as_of, [], [rec for rec, _src in hot]))
    _keep(store, keys, ALL_INTERACTIONS, keys["all interactions"], (problems, partial))
    return problems, partial


def _rows_kept(site: Site, as_of: dt.date, bulk: Bulk, store: Store, keys: dict,
               make: bool = True) -> tuple[list[Problem], stats_stage.Partial] | None:
    """The rules and sums of the referral rows (``_check_and_sum_kept``)."""
    return _check_and_sum_of(site, as_of, store, "referrals", keys["referrals"], make,
                             [], _row_partials(bulk), bulk.referrals)


def _row_partials(bulk: Bulk) -> list:
    """The records of the referral files that failed their model (``Bulk.partials``)."""
    return [p for p in bulk.partials if not p.path.startswith(INTERACTIONS)]


def _index_check_and_sum(site: Site, as_of: dt.date, bulk: Bulk, store: Store, keys: dict,
                         pending: list | None = None):
    """The pages' indexes, made here, beside the interactions' rules and sums, made by a
    forked process (``_interactions_kept``); the referral rows' rules and their sums, when
    not kept, by whichever of the two is done first (indexing took 2.6-2.9 s, the
    interactions' rules and sums 2.4-2.5 s, the rows' 0.2 s and 0.7 s at 10,000 physicians:
    this process then waited about a second for the other), then kept as ``_rows_kept``
    keeps them. Once it has sent its result, the forked process keeps the chunks
    ``pending`` (``read_units``' ``later``: what this process read), as ``_keep_later``'s
    process did: a fork fewer once the records are read (after each one, each page of memory
    either process writes is copied), and at 1,000 physicians, where those were kept here,
    0.08 s less on the way to the pages. The interactions' events (``_costs``) are made
    as the rows' rules and sums are, by whichever process is done first. Returns (indexes,
    problems, partial sums, cost events, the keeping as ``Checked.keeping`` or None)."""
    rows = _rows_kept(site, as_of, bulk, store, keys, make=False)
    # what either process takes from its end when done: the rows' rules and sums, when not
    # kept, and the interactions' events (``_costs``: the forked one's first; 0.35 s at
    # 10,000 physicians, where this process waited 0.3-0.5 s for the other)
    jobs = ("rules", "sums", "events") if rows is None else ("events",)
    parts = TwoEnds(len(jobs))
    deferred: list = []  # (the forked process's: the cost events, kept once it has sent)

    def parts_taken(end: str, now: dict, later: list | None) -> dict:  # "front" or "back"
        made = {}
        while (i := getattr(parts, end)()) is not None:
            if jobs[i] == "rules":
                made["rules"] = check_bulk(site, as_of, [], bulk.referrals, _row_partials(bulk))
            elif jobs[i] == "sums":
                made["sums"] = stats_stage.accumulate(site, as_of, bulk.referrals, [])
            else:
                made["events"] = _costs(site, as_of, bulk, store, now, later=later)
        return made

    def task(name: str):
        if name == "index":
            return page_indexes(site, as_of, (store, keys)), parts_taken("front", keys, None)
        # (what it makes is kept from here: a list of things to keep later would be this
        # forked process's own)
        now = {**keys, "later": None}
        return (_interactions_kept(site, as_of, bulk, store, now),
                parts_taken("back", now, deferred))

    def checked_then_kept(send) -> int:
        send(0, pickle.dumps(task("check and sum"), pickle.HIGHEST_PROTOCOL))
        for name, key, value in deferred:  # (every follow-up's events of the cold files:
            store.keep_derived(name, key, value)  # 6 MB at 10,000 physicians)
        return keep_chunks(store, pending) if pending else 0

    other = Streamed(checked_then_kept)
    try:
        made, mine = task("index")
        sent = _parts_until(other, 0, "the check's process")
    except BaseException:  # it may not go on keeping once the caller cleans up
        other.cancel()
        raise
    interactions, theirs = pickle.loads(next(data for i, data in sent if i == 0))
    keeping = _KeptBeside(other, store, pending) if pending else None
    if keeping is None:
        other.rest()  # (nothing to keep: ended)
    both = {**mine, **theirs}
    costs = both["events"]
    if rows is None:
        rows = both["rules"], both["sums"]
        if keys["referrals"] is not None:  # (kept before the sums of both are merged)
            store.keep_derived("referrals", keys["referrals"], rows)
    found, partial = _both(rows, interactions)
    return made, found, partial, costs, keeping


class _KeptBeside:
    """The keeping of the chunks ``pending`` by the process that checked (a ``Streamed``
    that sent its result first), taken as ``Started``'s result is (``Checked.keeping``):
    ``result()`` waits for it; where that process failed, they are kept here."""

    def __init__(self, process: Streamed, store: Store, pending: list):
        self.process, self.store, self.pending = process, store, pending

    def result(self) -> int:
        try:
            return self.process.rest()[1]
        except WorkerFailed:
            return keep_chunks(self.store, self.pending)


def _interaction_events(site: Site, as_of: dt.date, pairs, whole: bool = True) -> list[tuple]:
    """What the warnings that weigh several interactions read of some ((record, source)
    pairs), made where they are read: ``compliance.cost_events`` (spend over the limit) and
    ``checks.promise_events`` (a follow-up promised twice), one list. ``whole``: the pairs
    are all the interactions, and of their promise events only ``promises_that_can_warn``
    (a tenth) are given; else (a process's share, the files whose events are kept apart)
    those of every follow-up."""
    events = cost_events(site, as_of, pairs) + promise_events(site, as_of, pairs)
    return promises_that_can_warn(events) if whole else events


def _costs(site: Site, as_of: dt.date, bulk: Bulk, store: Store, keys: dict,
           later: list | None = None) -> list:
    """``_interaction_events`` of every interaction (for the warnings of spend over the
    limit and of a promise made twice), kept in ``store`` as the interactions' rules and sums
    are: those of all the interaction files taken as they are (after an edit of another kind
    of file), else those of the cold ones (``_Split``; every follow-up's, since a hot file
    may open a promise one of theirs repeats) with the hot ones' made and added to them;
    made from every record otherwise, and kept. (Made from every record, they took 0.2-0.4 s
    of this process after every edit at 10,000 physicians: 200,000 records read for the
    15,000 with a cost, and 105,000 follow-ups.) ``later``: where to put what is to be kept,
    for the caller to keep once it has sent what it made (as ``keys["later"]``)."""
    every, split = keys["all interactions"], keys.get("split")
    if every is not None:
        made = store.derived(COSTS_ALL, every)
        if made is not None:
            return made
    keys = keys if later is None else {**keys, "later": later}
    cold = store.derived(COSTS, keys["interactions"]) \
        if split is not None and keys["interactions"] is not None else None
    if cold is not None:
        made = cold + _interaction_events(site, as_of, split.pairs(cold=False), whole=False) \
            if split.hot_at else cold
    else:
        made = _interaction_events(site, as_of, bulk.interactions, whole=False)
        if split is not None and keys["interactions"] is not None:
            _keep(store, keys, COSTS, keys["interactions"],
                  [event for event in made if event[1] in split.cold])
    made = promises_that_can_warn(made)
    if every is not None:
        _keep(store, keys, COSTS_ALL, every, made)
    return made


@dataclass(frozen=True)
class _EventsApart:
    """The ``_interaction_events`` of the interaction files not edited lately, kept by
    ``serve`` from save to save: those that can warn among them (``promises_that_can_warn``)
    and every other promise event by its task and practice, for the few a file edited lately
    may make warn (a promise it opens that one of theirs repeats): at every save, the
    105,000 events of 10,000 physicians took 0.15 s to sort out."""

    can_warn: list
    others: dict  # (task, practice) -> the promise events left out of ``can_warn``

    @classmethod
    def of(cls, events: list) -> "_EventsApart":
        can_warn = promises_that_can_warn(events)
        kept = {id(e) for e in can_warn}
        others: dict = {}
        for e in events:
            if id(e) not in kept:  # (a promise event)
                for p in e[6]:
                    others.setdefault((e[5], p), []).append(e)
        return cls(can_warn, others)

    def joined(self, events: list) -> list:
        """These events with those of the files edited lately (``events``): those that can
        warn among them all (and a few more, which ``repeated_promise_problems`` leaves)."""
        more = {id(e): e for key in open_promises(events) for e in self.others.get(key, ())}
        return self.can_warn + list(more.values()) + events


def _keep(store: Store, keys: dict, name: str, key: str, value) -> None:
    """Keep ``value`` in ``store``: now, or, when the build keeps what it makes later
    (``keys["later"]``: KeptParts.later), by the process that makes the non-page files."""
    if keys.get("later") is not None:
        keys["later"].append((name, key, value))
    else:
        store.keep_derived(name, key, value)


def _check_and_sum_of(site: Site, as_of: dt.date, store: Store, name: str, key: str | None,
                      make: bool, pairs: list, failed: list, rows: list = ()) -> tuple | None:
    """The rules and sums of some interactions ((record, source) pairs) and their files'
    failed records, or of referral rows: kept in ``store`` under ``name`` (their kind) and
    ``key``, else made and kept there (without ``make``: None). Always made without a key
    (a file listed after the hashing)."""
    kept = store.derived(name, key) if key is not None else None
    if kept is not None:
        return kept
    if not make:
        return None
    made = (check_bulk(site, as_of, pairs, rows, failed),
            stats_stage.accumulate(site, as_of, rows, [rec for rec, _src in pairs]))
    if key is not None:
        store.keep_derived(name, key, made)
    return made


def _derived_keys(site: Site, as_of: dt.date, files, inputs: dict) -> dict[str, str | None]:
    """The keys under which a build keeps what it made of all the interactions, and of all
    the referral rows (liaison.snapshot): a hash of what it reads of the core records
    (``_core_key``: "core") and of the files' hashes (``inputs``); None for a kind with a
    file missing from ``inputs`` (listed after the hashing: nothing is taken or kept).
    ("all interactions" stays the key of all of them when the build splits them and
    "interactions" becomes the cold ones': ``_Split``.)"""
    core = repr(_core_key(site, as_of)).encode()
    keys: dict = {"core": hashlib.blake2b(core, digest_size=16).hexdigest()}
    for name, rels in (("referrals", files.referrals), ("interactions", files.interactions)):
        if any(rel not in inputs for rel in rels):
            keys[name] = None
            continue
        h = hashlib.blake2b(core, digest_size=16)
        for rel in rels:
            h.update(f"\0{rel}\0{inputs[rel]}".encode())
        keys[name] = h.hexdigest()
    keys["all interactions"] = keys["interactions"]
    return keys


def _place_again(root: Path, problems: list[Problem], memo: Memo) -> list:
    """``place``, each file's problems placed again only when they or the file changed
    (placing reads the file again with the exact parser: a second or more for hundreds of
    files with warnings)."""
    by_path: dict[str, list[Problem]] = {}
    for p in problems:
        by_path.setdefault(p.path, []).append(p)
    placed = []
    for path, mine in by_path.items():
        if all(p.line is not None or p.loc is None for p in mine):
            placed += place(root, mine)  # nothing to read
            continue
        placed += memo.derive(f"place {path}", (memo.tokens([path]), tuple(mine)),
                              lambda: place(root, mine))
    return sorted(set(placed))


def _core_key(site: Site, as_of: dt.date) -> tuple:
    """What the rules and sums of interactions and referrals read of the core records: the
    ids that exist, site.yaml, each physician's practice, who is a liaison."""
    return (as_of, site.config.model_dump_json() if site.config is not None else None,
            tuple((kind, tuple(sorted(ids))) for kind, ids in sorted(site.known.items())),
            tuple((pid, doc.practice) for pid, doc in site.physicians.items()),
            tuple(stats_stage.liaison_ids(site)))


def _refuse_output_among_inputs(root: Path, target: Path) -> None:
    """An output folder at or below ``data/``, ``content/`` or ``templates/`` would be read as
    input by the next build and `validate` (its pages as templates, its files as records),
    and one that holds the site root would take it away with the site it replaces: both
    refused before any work, as a foreign folder is."""
    from liaison.discover import input_tree
    from liaison.errors import LiaisonError

    base = root.resolve()
    if base.is_relative_to(target):
        what = ("it is the site root" if base == target
                else f"the site root '{base}' is inside it")
        raise LiaisonError(
            f"refusing to build into '{target}': {what}, and a build replaces the whole "
            f"folder (choose an --out beside the site's files, e.g. site/)")
    tree = input_tree(base, target)
    if tree:
        raise LiaisonError(
            f"refusing to build into '{target}': it is in the site's {tree}/ folder, "
            f"which every build reads (choose an --out outside data/, content/ and "
            f"templates/, e.g. site/)")


def build(root: Path | str, as_of: dt.date | str | None, out: Path | str, strict: bool = False,
          on_checked=None, workers: int | None = None, progress=None, full: bool = False,
          hashed=None):
    """validate -> aggregate -> plan -> render -> write (``root``, ``out``, ``as_of`` and
    ``workers`` as ``check`` takes them). ``on_checked(checked)`` sees the
    diagnostics first and may stop the build (it raises when there are errors), so that a
    build with errors writes nothing.

    Unless ``full``, a site in ``out`` whose build record (liaison.buildrecord) says it was
    made from exactly these input files, settings and code is left as it is: nothing is
    rendered or written, and the warnings of its build are given to ``on_checked`` again.
    When some inputs changed, the pages whose key is the same (liaison.incremental) are
    taken from that site as they are. ``hashed()``: ``buildrecord.hashed_inputs(root, out)``
    when the caller started it beforehand (cli: in a forked process, while this one imports
    the build's modules; with ``full``, ``hashed_inputs(root, out, compare=False)``), taken
    instead of hashing the input files here."""
    from liaison import buildrecord
    from liaison.cache import refuse_cache_in_output
    from liaison.errors import DataErrors
    from liaison.progress import QUIET
    from liaison.render import (Listing, build_site, check_output, list_output,
                                remove_stale_spare, reuse_site, unmake_spare_ahead)

    start = time.perf_counter()
    progress = progress or QUIET
    root, out, as_of = site_root(root), Path(out), as_of_date(as_of)
    workers = worker_count(workers)
    target = out.resolve()
    # refuse the site root or an input folder (said as such: not "empty it yourself"), the
    # cache folder's, then a foreign folder, before any work
    _refuse_output_among_inputs(root, target)
    refuse_cache_in_output(out, target)
    check_output(target)
    hashes, file_stats = None, {}
    compared = []  # the wait for the hashes, among the timings: (stage, seconds)
    if not full:
        record, hashes = reuse_site(target, root, as_of, strict, file_stats, hashed)
        if record is not None:
            return _unchanged(root, target, record, on_checked, start)
        if hashes is not None:  # (the hashing forked by the command, or done here)
            compared = [("hash the input files, compare them with the last build's",
                         time.perf_counter() - start)]
    # No site to compare (the first build, one with other settings or code, or ``full``): the
    # hashes are taken once the records are read, not waited for first (0.75 s at 10,000
    # physicians; the records are read and checked 0.26 s sooner, the hashing sharing the
    # cores with the reading). With ``full``, the hashing left the files the load reads
    # (``compare=False``): without it, every file was read twice with no signatures kept
    # (0.97 s of the other process's time at 10,000 physicians).
    later = hashed if hashes is None else None
    # The site in place and the spare are listed (0.4-1.5 s at 10,000 physicians: more when
    # their folders' entries have left the kernel's cache, then the disk is read) by a
    # process forked now, at the lowest priority: it works while the records are read, on
    # what the cores leave, and waits for the disk meanwhile. (Started once a core was free,
    # when the other process reading the records or the one forked ahead was done, it ended
    # after the records were checked: a comment added to an interaction file took 9.3-10.3 s
    # against 8.0-9.6 s at 10,000 physicians, 6 rounds alternated.) Where there is no spare,
    # it makes one of the site in place (render._spare_ahead): the build writes into it, and
    # works out the pages' keys while it is made (render.build_site).
    list_it = functools.partial(list_output, target, (as_of, strict))
    listing = None if full else Listing(Started(functools.partial(at_lowest_priority, list_it),
                                                fork=workers != 1, otherwise=list_it))
    checked = None
    try:
        with paused_gc():
            progress.stage("reading and checking the records")
            from liaison.overrides import override_names

            checked = _check(root, as_of, strict, True, True, workers,
                             check_templates="static" if override_names(root) else False,
                             fingerprint=target if hashes is None and later is None else None,
                             indexes=True, snapshot="write" if full else "read", inputs=hashes,
                             file_stats=file_stats if hashes is not None else None,
                             inputs_later=later)
            progress.clear()
            try:
                if on_checked is not None:
                    on_checked(checked)  # (the command's own report may end it)
            finally:
                if not checked.ok and listing is not None:  # nothing left beside the output
                    unmake_spare_ahead(listing)
            if not checked.ok:
                raise DataErrors(len(checked.report.errors), checked.report)
            progress.stage("planning pages")
            record = {**buildrecord.settings(as_of, strict),
                      "inputs": checked.inputs if hashes is None else hashes}
            try:
                result = build_site(checked, as_of, out, workers=workers, progress=progress,
                                    record=record, incremental=not full, listing=listing)
            except StrictWarnings:
                raise
            except TemplateFailure as failure:
                raise _template_failures(root, checked, as_of, workers) or failure from None
            result.timings = compared + checked.timings + result.timings
            result.seconds = time.perf_counter() - start  # reading and checking included
            return result
    finally:
        if listing is not None:
            listing.started.cancel()
        # (a spare of other settings the listing replaced)
        remove_stale_spare(listing.value if listing is not None else None)
        if checked is not None and checked.keeping is not None:
            checked.keeping.result()  # (done long before, at 10,000 physicians)


def _template_failures(root: Path, checked: Checked, as_of: dt.date,
                       workers: int | None) -> TemplateFailure | None:
    """The errors of the site's own templates as ``validate`` reports them (every page they
    make rendered in memory, each failure said once, at the first page that shows it), for a
    build whose pages stopped at a template's failure: that was the failure of whichever
    page a process rendered first, which changed from run to run and was one of several.
    None where that check finds no error (the build's failure is then said as it is)."""
    from liaison.overrides import check_overrides, override_names

    if not override_names(root):
        return None
    errors = [p for p in check_overrides(checked.site, checked.stats, as_of, workers)
              if p.severity == "error"]
    if not errors:
        return None
    return TemplateFailure("\n".join(d.text() for d in place(root, errors)))


def _unchanged(root: Path, out: Path, record: dict, on_checked, start: float):
    """The result of a build that found the site in ``out`` up to date: its warnings are
    reported again, as its build reported them."""
    from liaison.diagnostics import Diagnostic
    from liaison.render import BuildResult

    warnings = [Diagnostic(*w) for w in record.get("warnings", [])]
    if on_checked is not None:
        on_checked(Checked(Site(root=root), Report(warnings), None, {}, []))
    seconds = time.perf_counter() - start
    return BuildResult(out, record["pages"], record["files"], seconds,
                       [("nothing changed since the last build: hashed the input files, "
                         "listed the site", seconds)], unchanged=True)
