#!/usr/bin/env python3
"""A timeline of a command's functions in each of its processes, timed with the clock.

    python bench/timeline.py [--function MODULE.NAME ...] [--profile MODULE.NAME] -- COMMAND ARGS...

Runs ``python build.py COMMAND ARGS...`` of this checkout in this process with each function
named wrapped: every call, in whichever process makes it (the processes the command forks
included), notes its process, its start and end (seconds since the command started) and the
processor time it took (and of it the system time, and the minor page faults: a page of
memory written for the first time, or for the first time since a fork shared it). Then
prints the calls in the order they started, a line each; a function called more than
``--many`` times (20) in one process is one line (its calls, the first start, the last end,
their processor, system time and faults). ``--profile MODULE.NAME``: the first call
of that function runs under cProfile, and its 30 dearest functions are printed after
(``--profile-out FILE``: the whole profile written there too, for ``pstats``' callers).

Without ``--function``, the stages of a build and of ``validate`` (``STAGES``). Name a
function where the command looks it up: ``liaison.pipeline.read_units`` (pipeline imports
it from liaison.snapshot by name), a method as ``MODULE.CLASS.NAME``. A wrapper costs a few
microseconds a call: wrap a function called thousands of times only to count it.

What it showed on 2026-12-04 (docs/performance.md): where a cold build leaves a core idle
(0.53 s after the reading), how the check and sums share out, and `validate`'s serial tail.
The standard library and Liaison's own dependencies only.
"""
from __future__ import annotations

import argparse
import cProfile
import functools
import importlib
import io
import os
import pstats
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SELF = resource.RUSAGE_SELF

STAGES = (
    "liaison.pipeline._checked", "liaison.pipeline._load_core", "liaison.pipeline.read_units",
    "liaison.pipeline.load_bulk", "liaison.pipeline.assemble", "liaison.pipeline.check_core",
    "liaison.pipeline.attach", "liaison.pipeline._index_check_and_sum",
    "liaison.pipeline.page_indexes", "liaison.pipeline.check_bulk", "liaison.stats.accumulate",
    "liaison.pipeline._statistics", "liaison.pipeline.keep_chunks",
    "liaison.render.build_site", "liaison.render._prerender", "liaison.render._ready_to_fork",
    "liaison.render._Rendering.work_out_keys", "liaison.render.render_pages",
    "liaison.render.extra_files", "liaison.workers._receive",
)


def _owner(dotted: str):
    """(the module or class that holds the function ``dotted`` names, its name)."""
    path, name = dotted.rsplit(".", 1)
    try:
        return importlib.import_module(path), name
    except ModuleNotFoundError:
        module, cls = path.rsplit(".", 1)
        return getattr(importlib.import_module(module), cls), name


def _timed(fn, name: str, fd: int, start: float):
    @functools.wraps(fn)
    def timed(*args, **kwargs):
        t, cpu, use = time.perf_counter(), time.process_time(), resource.getrusage(SELF)
        try:
            return fn(*args, **kwargs)
        finally:
            now = resource.getrusage(SELF)
            os.write(fd, (f"{os.getpid()} {t - start:.4f} {time.perf_counter() - start:.4f} "
                          f"{time.process_time() - cpu:.4f} {now.ru_stime - use.ru_stime:.4f} "
                          f"{now.ru_minflt - use.ru_minflt} {name}\n").encode())
    return timed


def _profiled(fn, report: list, dump: str | None = None):
    @functools.wraps(fn)
    def profiled(*args, **kwargs):
        if report:
            return fn(*args, **kwargs)
        profile = cProfile.Profile()
        profile.enable()
        try:
            return fn(*args, **kwargs)
        finally:
            profile.disable()
            if dump:
                profile.dump_stats(dump)
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(30)
            report.append(out.getvalue())
    return profiled


def timeline(lines: list[str], many: int = 20) -> list[str]:
    """The calls noted (``"pid start end cpu sys faults function"``: processor and system
    time, minor page faults), in the order they started; a function's calls in one process
    as one line when there are more than ``many``."""
    calls = [line.split() for line in lines if line.strip()]
    counts: dict[tuple[str, str], int] = {}
    for pid, *_figures, name in calls:
        counts[pid, name] = counts.get((pid, name), 0) + 1
    rows, grouped = [], {}
    for pid, start, end, cpu, system, faults, name in calls:
        if counts[pid, name] > many:
            first, last, total, sys_total, fault_total = grouped.get(
                (pid, name), (float(start), float(end), 0.0, 0.0, 0))
            grouped[pid, name] = (min(first, float(start)), max(last, float(end)),
                                  total + float(cpu), sys_total + float(system),
                                  fault_total + int(faults))
        else:
            rows.append((float(start), f"{pid:>7} {float(start):8.3f} {float(end):8.3f} "
                                       f"{float(cpu):8.3f} {float(system):7.3f} "
                                       f"{int(faults):8d}  {name}"))
    for (pid, name), (first, last, total, system, faults) in grouped.items():
        rows.append((first, f"{pid:>7} {first:8.3f} {last:8.3f} {total:8.3f} {system:7.3f} "
                            f"{faults:8d}  {name} ({counts[pid, name]} calls)"))
    return [f"{'process':>7} {'start':>8} {'end':>8} {'cpu':>8} {'sys':>7} {'faults':>8}  "
            "function"] + [row for _start, row in sorted(rows)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--function", action="append", default=[], metavar="MODULE.NAME")
    ap.add_argument("--profile", metavar="MODULE.NAME")
    ap.add_argument("--profile-out", metavar="FILE",
                    help="also write that profile to FILE (pstats' format: callers and all)")
    ap.add_argument("--many", type=int, default=20)
    ap.add_argument("command", nargs=argparse.REMAINDER)
    args = ap.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        ap.error("no command: give it after --, as build.py takes it")
    sys.path.insert(0, str(REPO))
    from liaison import cli

    cli.prepare()  # (before the functions' modules make any model, as a command does)
    report: list[str] = []
    start = time.perf_counter()
    wrapped = []  # (owner, name, function, dotted name)
    for name in [*(args.function or STAGES), *([args.profile] if args.profile else [])]:
        try:
            owner, attr = _owner(name)
            wrapped.append((owner, attr, getattr(owner, attr), name))
        except (ImportError, AttributeError, ValueError):
            print(f"timeline.py: no function {name}", file=sys.stderr)
            return 2
    handle, noted = tempfile.mkstemp(prefix="timeline-", suffix=".txt")
    os.close(handle)
    fd = os.open(noted, os.O_WRONLY | os.O_APPEND)  # (each process appends whole lines)
    try:
        for i, (owner, attr, fn, name) in enumerate(wrapped):
            profiled = args.profile is not None and i == len(wrapped) - 1
            setattr(owner, attr, _profiled(getattr(owner, attr), report, args.profile_out)
                    if profiled else _timed(fn, name, fd, start))
        code = cli.invoke(command, prog_name="build.py")  # (not cli.run: it ends the process)
        sys.stdout.flush()
        with open(noted) as fh:
            lines = fh.readlines()
    finally:
        os.close(fd)
        os.unlink(noted)
    print("\n".join(timeline(lines, args.many)))
    for text in report:
        print(f"\nthe first call of {args.profile}, profiled:\n{text}")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
