"""Progress of long builds on a terminal; silent in CI, in pipes and in files.

One status line, rewritten in place. Only the process that made the reporter writes to it:
forked workers inherit it but stay quiet, and the parent reports its own share as the
estimate of the whole.
"""
from __future__ import annotations

import os
import sys
import time


class Progress:
    def __init__(self, stream=None, enabled: bool | None = None):
        self.stream = stream or sys.stderr
        if enabled is None:
            enabled = _is_terminal(self.stream) and not os.environ.get("CI")
        self.enabled = enabled
        self.pid = os.getpid()
        self.last = 0.0
        self.shown = False

    def _write(self, text: str) -> None:
        if not self.enabled or os.getpid() != self.pid:
            return
        self.stream.write("\r\x1b[K" + text)
        self.stream.flush()
        self.shown = True

    def stage(self, text: str) -> None:
        self._write(text + "…")

    def fraction(self, text: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.1 and done < total:
            return
        self.last = now
        self._write(f"{text} {100 * done // max(total, 1)}%")

    def clear(self) -> None:
        if self.shown and os.getpid() == self.pid:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


QUIET = Progress(enabled=False)
