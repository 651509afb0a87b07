"""Progress of long builds on a terminal; silent in CI, in pipes and in files.

One status line, rewritten in place. Only the process that made the reporter writes to it.
Forked workers inherit it and stay quiet, but count: each worker writes how far it is
(items done, items in its share) into its own slot of a small shared-memory array, and the
line the parent shows is the sum over every slot, so the percentage is the whole build's real
progress, not an estimate from the parent's own share. A worker's update is two stores into
shared memory (no pipe, no lock, no system call); a slot is claimed once per worker, under a
lock.
"""
from __future__ import annotations

import os
import sys
import time

SLOTS = 256  # workers that can report at once (more than that are not counted)


class Progress:
    def __init__(self, stream=None, enabled: bool | None = None):
        self.stream = stream or sys.stderr
        if enabled is None:
            enabled = shown_on(self.stream)
        self.enabled = enabled
        self.pid = os.getpid()
        self.last = 0.0
        self.shown = False
        # Shared counters, made before any worker is forked (only when something is shown):
        # slot k holds (done, total) at [2k], [2k + 1]; slot 0 is this process's.
        self._counts = self._next = self._lock = None
        self._slot, self._slot_pid = 0, self.pid
        if enabled:
            import multiprocessing

            if "fork" in multiprocessing.get_all_start_methods():
                ctx = multiprocessing.get_context("fork")
                self._counts = ctx.RawArray("q", 2 * SLOTS)
                self._next = ctx.RawValue("i", 1)
                self._lock = ctx.Lock()

    def _write(self, text: str) -> None:
        if not self.enabled or os.getpid() != self.pid:
            return
        self.stream.write("\r\x1b[K" + text)
        self.stream.flush()
        self.shown = True

    def stage(self, text: str) -> None:
        self._reset()
        self._write(text + "…")

    def fraction(self, text: str, done: int, total: int) -> None:
        """``done`` of ``total`` items of this process's share are finished. In a worker: count
        them; in the process that made the reporter: count them and show the sum over all
        processes (at most ten times a second)."""
        if not self.enabled:
            return
        self._count(done, total)
        if os.getpid() != self.pid:
            return
        now = time.monotonic()
        if now - self.last < 0.1 and done < total:
            return
        self.last = now
        done, total = self.counted()
        self._write(f"{text} {100 * done // max(total, 1)}%")

    def counted(self) -> tuple[int, int]:
        """(done, total) summed over this process and every worker that has reported."""
        if self._counts is None:
            return self._own
        counts, used = self._counts, min(self._next.value, SLOTS)
        return (sum(counts[2 * k] for k in range(used)),
                sum(counts[2 * k + 1] for k in range(used)))

    def clear(self) -> None:
        self._reset()
        if self.shown and os.getpid() == self.pid:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False

    # ------------------------------------------------------------------ counting

    _own = (0, 0)

    def _count(self, done: int, total: int) -> None:
        pid = os.getpid()
        if self._counts is None:
            if pid == self.pid:
                self._own = (done, total)
            return
        if self._slot_pid != pid:  # a worker's first report: claim a slot of its own
            with self._lock:
                slot = self._next.value
                self._next.value = slot + 1
            self._slot, self._slot_pid = slot, pid
        if self._slot < SLOTS:
            self._counts[2 * self._slot] = done
            self._counts[2 * self._slot + 1] = total

    def _reset(self) -> None:
        """A new stage: forget what the last one counted (called when no worker runs)."""
        if os.getpid() != self.pid:
            return
        self._own, self.last = (0, 0), 0.0
        if self._counts is not None:
            with self._lock:
                for k in range(2 * min(self._next.value, SLOTS)):
                    self._counts[k] = 0
                self._next.value = 1


def shown_on(stream) -> bool:
    """Whether a progress line is shown on ``stream``: a terminal, and not a CI's (``CI``
    set: a log kept from a terminal would hold every rewrite of the line) nor one that
    cannot clear a line (``TERM=dumb``, as Emacs' shell: it showed ``^[[K`` each time)."""
    return (_is_terminal(stream) and not os.environ.get("CI")
            and os.environ.get("TERM") != "dumb")


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


QUIET = Progress(enabled=False)
