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


def share(items: list[T], sizes: list[int], n: int) -> list[list[T]]:
    """Items in ``n`` shares of about equal total size, each in the items' original order."""
    if n <= 1 or len(items) <= 1:
        return [list(items)]
    loads = [0] * n
    owner = [0] * len(items)
    for i in sorted(range(len(items)), key=lambda i: -sizes[i]):
        k = loads.index(min(loads))
        owner[i] = k
        loads[k] += sizes[i]
    return [s for s in ([items[i] for i in range(len(items)) if owner[i] == k] for k in range(n)) if s]


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
    results = [fn(shares[0])]
    for proc, reader in running:
        try:
            status, payload = pickle.loads(reader.recv_bytes())
        except EOFError:
            status, payload = "error", "the worker process ended without a result"
        proc.join()
        if status == "raise":  # a user-facing error (ClickException) in the worker
            kind, message = payload
            raise kind(message)
        if status != "ok":
            raise WorkerFailed(payload)
        results.append(payload)
    return results


def _child(fn, share, writer) -> None:
    import click

    try:
        data = pickle.dumps(("ok", fn(share)), protocol=pickle.HIGHEST_PROTOCOL)
    except click.ClickException as exc:  # a message for the user: the parent raises it again
        data = pickle.dumps(("raise", (type(exc), exc.format_message())))
    except BaseException:  # report it to the parent, which fails loudly
        data = pickle.dumps(("error", traceback.format_exc()))
    writer.send_bytes(data)
    writer.close()
