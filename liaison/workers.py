"""Both cores: run one function over shares of the work in forked processes.

Forked workers see the parent's memory as it was (the core records are loaded once), and send
back only small results (problems and mergeable sums), never records: pickling records costs
more than reading them (measured: 1.2 s to pickle 91,000 interactions that took 1.5 s to read).
Where fork is not available, or the work is small, everything runs in this process.
"""
from __future__ import annotations

import multiprocessing
import os
import pickle
import sys
import threading
import traceback
from typing import Callable, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def cpu_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def map_shared(read: Callable[[T], R], check: Callable[[list[R], object], object],
               items: list[T], make_payload: Callable[[], object], workers: int,
               batch: int, fold: Callable | None = None) -> tuple[object, list]:
    """``read`` each of ``items`` on ``workers`` processes (this one and forked ones), each
    taking the next item left (a counter they share), so that they end together whatever
    each item costs and whatever else each does; this one first makes the payload
    (``make_payload()``: what ``check`` needs besides what was read) and sends it to the
    others. Each process checks what it read (``check(results of read, payload)``) ``batch``
    items at a time once it has the payload, and what is left at the end; with ``fold(a,
    b)``, each process folds its results into one as they come. Returns (the payload, the
    results: this process's first)."""
    if workers <= 1 or len(items) <= 1 or not can_fork():
        payload = make_payload()
        return payload, [check([read(item) for item in items], payload)]
    ctx = multiprocessing.get_context("fork")
    ends = TwoEnds(len(items))  # (every process takes from the front)
    running = []
    for _ in range(workers - 1):
        to_child_r, to_child_w = ctx.Pipe(duplex=False)
        from_child_r, from_child_w = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_shared_child, daemon=True, args=(
            read, check, fold, items, ends, workers, batch, to_child_r, from_child_w))
        proc.start()
        to_child_r.close()
        from_child_w.close()
        running.append((proc, to_child_w, from_child_r))
    try:
        payload = make_payload()
        data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException:
        for proc, _to, _from in running:
            proc.kill()
        raise
    # A pipe holds 64 KiB: the workers take the payload between their items, so it is sent
    # from threads while this process goes on with its own.
    senders = [threading.Thread(target=to_child.send_bytes, args=(data,), daemon=True)
               for _proc, to_child, _from in running]
    for t in senders:
        t.start()
    try:
        results = _read_and_check(read, check, fold, items, ends, workers, batch,
                                  lambda _wait: payload)
        for proc, _to, from_child in running:
            results += _receive(proc, from_child)
    except BaseException:  # no worker may go on once the caller cleans up
        for proc, _to, _from in running:
            if proc.is_alive():
                proc.terminate()
            proc.join()
        raise
    for t in senders:
        t.join()
    return payload, results


def _read_and_check(read, check, fold, items, ends: "TwoEnds", workers: int, batch: int,
                    payload_now) -> list:
    """``map_shared``'s work in one process (of ``workers``): the next item left (``ends``:
    the counter the processes share), read, until none is; what was read checked ``batch``
    items at a time once ``payload_now(False)`` gives the payload (None while it has not
    come), the rest at the end (``payload_now(True)`` waits for it); the results folded into
    one with ``fold``. Once fewer items are left than the processes would read in a batch
    each, what was read is checked as soon as it is as many as a process's share of what is
    left: each process's last check is then of a few items, and the processes end together
    (with whole batches to the end, one process's last check of a whole batch took 0.2 s of
    ``validate`` at 10,000 physicians while the other, its last check done, waited)."""
    results, pending, payload = [], [], None

    def checked() -> None:
        result = check(pending, payload)
        if fold is not None and results:
            results[0] = fold(results[0], result)
        else:
            results.append(result)

    while (i := ends.front()) is not None:
        pending.append(read(items[i]))
        if payload is None:
            payload = payload_now(False)
        if payload is not None and len(pending) >= min(batch, max(1, ends.left() // workers)):
            checked()
            pending = []
    if payload is None:
        payload = payload_now(True)
    if pending:
        checked()
    return results


def _shared_child(read, check, fold, items, ends, workers, batch, reader, writer) -> None:
    payload, held = [], []  # the payload, and what was read: referenced until the end

    def payload_now(wait: bool):
        if not payload and (wait or reader.poll()):
            try:
                payload.append(pickle.loads(reader.recv_bytes()))
            except EOFError:  # the parent failed before sending: nothing left to do
                os._exit(0)
        return payload[0] if payload else None

    def read_held(item):
        held.append(read(item))
        return held[-1]

    _child(lambda _s: _read_and_check(read_held, check, fold, items, ends, workers, batch,
                                      payload_now), None, writer)
    _end_now()


def _receive(proc, reader):
    """What the forked process ``proc`` sent through ``reader`` (see ``_outcome``), taken
    while the process ends: a forked process's end frees what it copied of this one's
    memory (0.10-0.14 s after the snippets' round and the checks at 10,000 physicians),
    which this one waited for before unpickling the result (0.08-0.10 s)."""
    try:
        data = reader.recv_bytes()
    except EOFError:
        data = None
    try:
        return _outcome(data)
    finally:
        proc.join()


def _outcome(data: bytes | None):
    """What a forked process's ``_child`` sent (None: nothing): its result, or its failure
    raised here."""
    status, payload = ("error", "the worker process ended without a result") \
        if data is None else pickle.loads(data)
    if status == "raise":  # a user-facing error (ClickException) in the worker
        kind, message = payload
        raise kind(message)
    if status != "ok":
        raise WorkerFailed(payload)
    return payload


def _end_now() -> None:
    """The result is sent: end at once. Freeing the records one by one (0.15 s for 100,000
    interactions) would only make the parent, which joins this process, wait."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said
            pass
    os._exit(0)


class WorkerFailed(RuntimeError):
    pass


def map_forked(fn: Callable[[T], R], shares: list[T]) -> list[R]:
    """[fn(s) for s in shares], the first share in this process, the others in forked ones."""
    if len(shares) <= 1 or not can_fork():
        return [fn(s) for s in shares]
    ctx = multiprocessing.get_context("fork")
    running = []
    for s in shares[1:]:
        reader, writer = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_child, args=(fn, s, writer), daemon=True)
        proc.start()
        writer.close()
        running.append((proc, reader))
    try:
        results = [fn(shares[0])]
        for proc, reader in running:
            results.append(_receive(proc, reader))
    except BaseException:  # no worker may go on writing once the caller cleans up
        for proc, _reader in running:
            if proc.is_alive():
                proc.terminate()
            proc.join()
        raise
    return results


def at_lowest_priority(fn: Callable[..., R], *args) -> R:
    """``fn(*args)`` at the lowest scheduling priority (nice 19), in a forked process (see
    ``Started``) whose work needs a core only when one is idle, and waits for the disk
    meanwhile: the scheduler gives it what the others leave."""
    try:
        os.nice(19)
    except (OSError, AttributeError):  # pragma: no cover - not POSIX
        pass
    return fn(*args)


class Started:
    """``fn()`` in a forked process, forked at once (while this process is small: forking
    is cheap, and nothing this one allocates later is shared), its result taken later
    (``result()``, once): work that needs none of what this process does meanwhile. Where
    fork is not available (or not wanted: ``fork``), or the forked process fails,
    ``result()`` runs ``fn()`` here (or ``otherwise()``, when given); ``cancel()`` ends it
    when its result is no longer wanted."""

    def __init__(self, fn: Callable[[], R], fork: bool = True,
                 otherwise: Callable[[], R] | None = None):
        self.otherwise = fn if otherwise is None else otherwise
        self.proc = self.reader = None
        if fork and can_fork():
            ctx = multiprocessing.get_context("fork")
            self.reader, writer = ctx.Pipe(duplex=False)
            self.proc = ctx.Process(target=_child, args=(lambda _share: fn(), None, writer),
                                    daemon=True)
            self.proc.start()
            writer.close()

    def forked(self) -> bool:
        """Whether ``fn()`` runs in a forked process, its result not yet taken."""
        return self.proc is not None

    def ready(self) -> bool:
        """Whether ``result()`` would return without waiting for the forked process: it sent
        its result or ended. True when there is none (``result()`` then works here)."""
        return self.proc is None or self.reader.poll(0)

    def result(self) -> R:
        proc, self.proc = self.proc, None
        if proc is None:
            return self.otherwise()
        try:
            return _receive(proc, self.reader)
        except WorkerFailed:
            return self.otherwise()
        finally:
            self.reader.close()

    def cancel(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            if proc.is_alive():
                proc.terminate()
            proc.join()
            self.reader.close()


# prctl(2)'s option that has the kernel signal a process when the thread that forked it ends
_PR_SET_PDEATHSIG = 1


def _tie_to_parent() -> None:
    """End this forked process (SIGKILL) as soon as the process that forked it ends, and at
    once if it already has. A build killed by SIGTERM or SIGKILL runs none of its cleanup:
    its forked processes went on alone, and one that had its result to send blocked for ever
    on the pipe (its read end held by itself and its siblings, all of them forked with it)
    while holding the output folder's lock, so that every later build into the folder
    failed ("another build is writing"). Their work is of no use to anybody once the
    process that asked for it is gone. (Linux; elsewhere nothing is done. Each forked
    process loads ctypes for the call: 2-3 ms, beside the parent's work.)"""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError, ImportError):  # pragma: no cover - not Linux
        return
    parent = multiprocessing.parent_process()
    if parent is not None and os.getppid() != parent.pid:  # (it ended before the call)
        os._exit(1)


def _child(fn, share, writer, head: bytes = b"") -> None:
    try:
        import click

        _tie_to_parent()
        try:
            data = pickle.dumps(("ok", fn(share)), protocol=pickle.HIGHEST_PROTOCOL)
        except click.ClickException as exc:  # a message for the user: the parent raises it again
            data = pickle.dumps(("raise", (type(exc), exc.format_message())))
        except KeyboardInterrupt:
            raise
        except BaseException:  # report it to the parent, which fails loudly
            data = pickle.dumps(("error", traceback.format_exc()))
        writer.send_bytes(head + data if head else data)
        writer.close()
    except KeyboardInterrupt:
        # A terminal's Ctrl+C reaches every process of the command: the one that forked
        # this one says so, once (a traceback of this one's, printed by multiprocessing,
        # stood under that line). Nothing more is of use to it.
        os._exit(130)


class TwoEnds:
    """Items ``0..n-1`` handed out one at a time from both ends to two processes (a pair of
    counters they share): one takes from the front, the other from the back, until they
    meet. Each process goes on while any is left, so the two end together whatever their
    other work costs, and each takes a run of items that follow each other."""

    def __init__(self, n: int):
        ctx = multiprocessing.get_context("fork" if can_fork() else None)
        self.ends = ctx.Array("l", [0, n])

    def front(self) -> int | None:
        """The first item left (None: none is)."""
        with self.ends.get_lock():
            lo, hi = self.ends[0], self.ends[1]
            if lo >= hi:
                return None
            self.ends[0] = lo + 1
            return lo

    def left(self) -> int:
        """How many items are left."""
        with self.ends.get_lock():
            return max(0, self.ends[1] - self.ends[0])

    def back(self) -> int | None:
        """The last item left (None: none is)."""
        with self.ends.get_lock():
            lo, hi = self.ends[0], self.ends[1]
            if lo >= hi:
                return None
            self.ends[1] = hi - 1
            return hi - 1


_PART, _END = b"p", b"e"


PIPE_SIZE = 1 << 20  # bytes a pipe holds (Linux: 64 KB unless asked; 1 MB is the usual limit)


def _widen(conn) -> None:
    """The pipe under ``conn`` made to hold ``PIPE_SIZE`` bytes where the system allows it.
    ``Streamed``'s thread reads its pipe a pipeful at a time, and between two reads waits for
    the interpreter's lock, which the main thread gives up every 5 ms: with 64 KB pipes, the
    process that read the records at 10,000 physicians stood 0.2-0.4 s waiting to send its
    48 MB."""
    try:
        import fcntl

        fcntl.fcntl(conn.fileno(), fcntl.F_SETPIPE_SZ, PIPE_SIZE)
    except (ImportError, AttributeError, OSError):  # (not Linux, or over the limit)
        pass


class Streamed:
    """``fn(send)`` in a forked process that sends parts as it makes them (``send(index,
    data)``: bytes), its result last. A thread here receives them as they come (the forked
    process never waits for this one to read its pipe); ``arrived()`` gives the parts come
    so far, ``rest()`` the others and the result once the process has ended (a failure in it
    is raised there, as ``map_forked`` raises it, and again when asked again);
    ``until(index)`` the parts up to one, as they come; ``arrived(below)`` stops at a part
    whose index is not below, which ``until()`` and ``rest()`` then give. Where fork is not available, ``fn``
    runs when ``until()`` or ``rest()`` is first asked for. ``cancel()`` ends it when nothing
    more is wanted."""

    def __init__(self, fn: Callable[[Callable[[int, bytes], None]], R]):
        import queue

        self.fn, self.parts, self.proc, self.end = fn, queue.SimpleQueue(), None, None
        self.held: list[tuple[int, memoryview]] = []  # taken off the queue, not handed out
        self.ran: tuple | None = None  # once ended: ([], the result)
        self.failed: BaseException | None = None  # once ended by a failure: raised again
        if not can_fork():
            return
        ctx = multiprocessing.get_context("fork")
        self.reader, writer = ctx.Pipe(duplex=False)
        _widen(writer)

        def run(_share):
            def send(index: int, data: bytes) -> None:
                writer.send_bytes(b"".join((_PART, index.to_bytes(4, "little"), data)))

            return fn(send)

        self.proc = ctx.Process(target=_streamed_child, args=(run, writer), daemon=True)
        self.proc.start()
        writer.close()
        self.thread = threading.Thread(target=self._receive, daemon=True)
        self.thread.start()

    def _receive(self) -> None:  # (the thread: every message, in order, into the queue)
        while True:
            try:
                data = self.reader.recv_bytes()
            except (EOFError, OSError):  # ended without a result
                self.parts.put([None])
                return
            if data[:1] != _PART:
                self.parts.put([data[1:]])
                return
            self.parts.put((int.from_bytes(data[1:5], "little"), memoryview(data)[5:]))

    def _next(self, wait: bool) -> tuple[int, memoryview] | None:
        """The next part; None once the end has come, or (without ``wait``) when no part
        has come yet."""
        if self.held:
            return self.held.pop(0)
        if self.end is not None or (not wait and self.parts.empty()):
            return None
        item = self.parts.get()
        if isinstance(item, list):
            self.end = item
            return None
        return item

    def arrived(self, below: int | None = None) -> list[tuple[int, memoryview]]:
        """The parts received since the last call, without waiting; with ``below``, only
        up to the first part whose index is not below it (that one is kept for ``until``
        and ``rest``: a part that marks the end of a stage is not taken by a look between
        two pieces of work)."""
        out = []
        while self.proc is not None and (item := self._next(False)) is not None:
            if below is not None and item[0] >= below:
                self.held.insert(0, item)
                break
            out.append(item)
        return out

    def until(self, index: int) -> list[tuple[int, memoryview]]:
        """The parts not taken yet up to the one ``index`` names, that one included, waiting
        for them as they come (the process goes on meanwhile); all of them where the process
        ends without sending that one (``rest()`` then raises its failure)."""
        if self.proc is None:  # no fork (``fn`` runs here, now), or ended: what is left
            return self.rest()[0]
        out = []
        while (item := self._next(True)) is not None:
            out.append(item)
            if item[0] == index:
                break
        return out

    def rest(self) -> tuple[list[tuple[int, memoryview]], R]:
        """(the parts not taken yet, the result), once the process has ended."""
        if self.ran is not None:  # (asked again: no part is left)
            return self.ran
        if self.failed is not None:  # (asked again after a failure: the same failure)
            raise self.failed
        proc, self.proc = self.proc, None
        try:
            if proc is None:  # no fork: here, now
                parts: list = []
                result = self.fn(lambda index, data: parts.append((index, memoryview(data))))
                self.ran = ([], result)
                return parts, result
            out = []
            while (item := self._next(True)) is not None:
                out.append(item)
            self.thread.join()
            self.reader.close()
            try:
                result = _outcome(self.end[0])  # (taken while the process ends: _receive)
            finally:
                proc.join()
        except BaseException as exc:
            self.failed = exc
            raise
        self.ran = ([], result)
        return out, result

    def cancel(self) -> None:
        proc, self.proc = self.proc, None
        if self.ran is None:
            self.ran = ([], None)  # (nothing more: no part, no result)
        if proc is not None:
            if proc.is_alive():
                proc.terminate()
            proc.join()
            # the thread sees the pipe end, then the pipe is closed (closed while the thread
            # reads it, its descriptor could be another file's by then)
            self.thread.join()
            self.reader.close()


def _streamed_child(fn, writer) -> None:
    _child(fn, None, writer, _END)
    _end_now()
