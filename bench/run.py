#!/usr/bin/env python3
"""Time Liaison's commands on a generated site.

    python bench/run.py [--physicians N] [--site DIR] [--as-of 2026-11-26]
                        [--commands validate,stats,build] [--repeat 1] [--seed 1]

1. Makes sure a site exists: by default a cached one in $TMPDIR/liaison-bench-N (seed other
   than 1: liaison-bench-N-sSEED), generated with bench/generate.py and reused when its
   marker file says it was generated with the same N, seed and as-of date. With --site DIR,
   DIR is used: generated the same way if it is empty, missing or a bench site with other
   parameters; used as it is if it is any other site root (one with a site.yaml, e.g. the
   repository's own sample site).
2. Runs each command in its own subprocess, from the repository root:
       python build.py validate --root SITE --as-of D
       python build.py stats    --root SITE --as-of D --json      (stdout to /dev/null)
       python build.py build    --root SITE --out OUT --as-of D
   and measures wall time, CPU time (user + system) and peak RSS of each. Liaison's parse
   cache lives outside the site root; --cache cold (the default) gives every run an empty
   one, --cache warm one shared cache primed by an untimed validate, --cache user leaves
   the environment alone.
3. Prints a table: command, exit code, result, seconds, CPU seconds, peak MiB.

Peak RSS comes from os.wait4() on the command's pid: the rusage of that one process, so runs
do not mask each other (RUSAGE_CHILDREN's ru_maxrss is a high-water mark over every child this
script ever had). The command is started by a bare-interpreter wrapper (see WRAPPER) so that
its figure does not start from run.py's own RSS. Limitation: on Linux the rusage wait4
returns also covers the grandchildren the command itself waited for, and for ru_maxrss that
is a max, not a sum. A command that renders with a pool of worker processes is therefore
reported with the peak of its largest single process (main or one worker); the whole tree's
peak, with all workers alive at once, can be up to (workers + 1) times higher. Workers the
command never waits for are not counted at all. CPU seconds do include the waited-for workers
(they are sums), so CPU above wall time shows parallelism.

A command that exits 2 with "No such command" on stderr (click's message for an unknown
command) is reported as "not implemented", not as a failure. Exit status of this script: 0 if
every command that exists succeeded, 1 otherwise.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH_DIR)
BUILD_PY = os.path.join(REPO, "build.py")
sys.path.insert(0, BENCH_DIR)
sys.dont_write_bytecode = True  # no bench/__pycache__ from importing generate.py

import generate  # noqa: E402  (bench/generate.py, standard library only)

COMMANDS = ("validate", "stats", "build")


def command_argv(command: str, site: str, as_of: str, out: str, build_py: str = BUILD_PY) -> list[str]:
    base = [sys.executable, build_py, command, "--root", site, "--as-of", as_of]
    if command == "stats":
        return base + ["--json"]
    if command == "build":
        return base + ["--out", out]
    return base


# --------------------------------------------------------------------------- the site

def read_marker(site: str) -> str | None:
    try:
        with open(os.path.join(site, generate.MARKER), encoding="utf-8") as f:
            return f.read()
    except OSError:
        return None


def _parameters(marker: str) -> str:
    """A generated site's parameters, as its marker holds them ("physicians 300, seed 1, …")."""
    pairs = (line.split(": ", 1) for line in marker.splitlines() if ": " in line)
    return ", ".join(f"{key.replace('_', ' ').replace('as of', 'as-of')} {value}"
                     for key, value in pairs if key != "generator")


def ensure_site(site: str, n: int, seed: int, as_of: dt.date, explicit: bool,
                edition: int = 2) -> str:
    """Make sure `site` holds a usable site root; return how it was obtained."""
    expected = generate.marker_text(n, seed, as_of, edition)
    marker = read_marker(site)
    if marker == expected:
        return "reused"
    if explicit and marker is None and os.path.isfile(os.path.join(site, "site.yaml")):
        return "existing site (not generated)"
    if explicit and marker is not None and "status: incomplete" not in marker:
        # A site the person generated (say at --edition 1, to time an older version, or with
        # --distinct-notes) is theirs: replacing it with other parameters would time another
        # site, and delete theirs. Only run.py's own cache folder is regenerated.
        raise SystemExit(f"run.py: {site} was generated with {_parameters(marker)}, not with "
                         f"{_parameters(expected)}: give the same --physicians, --seed, --as-of "
                         "and --edition, or another folder")
    argv = [site, "--physicians", str(n), "--seed", str(seed), "--as-of", as_of.isoformat(),
            "--edition", str(edition)]
    if marker is not None:
        argv.append("--force")  # ours, with other parameters or unfinished: regenerate
    print(f"generating {site} (N={n}, seed={seed}, as-of {as_of}) …", flush=True)
    t0 = time.perf_counter()
    rc = generate.main(argv)
    if rc != 0:
        raise SystemExit(f"run.py: could not generate the site in {site}")
    return f"generated in {time.perf_counter() - t0:.1f}s"


def site_size(site: str) -> tuple[int, int]:
    files = size = 0
    for dirpath, _dirs, names in os.walk(site):
        for name in names:
            files += 1
            size += os.path.getsize(os.path.join(dirpath, name))
    return files, size


# --------------------------------------------------------------------------- one run

def cache_env(mode: str, cache_root: str, run_id: str) -> dict | None:
    """The environment of one run for --cache MODE (None: inherit run.py's own)."""
    if mode == "user":
        return None
    folder = os.path.join(cache_root, run_id if mode == "cold" else "shared")
    os.makedirs(folder, exist_ok=True)
    return dict(os.environ, LIAISON_CACHE_DIR=folder, XDG_CACHE_HOME=folder)


def maxrss_bytes(maxrss: int) -> int:
    # Linux reports KiB, macOS bytes.
    return maxrss if sys.platform == "darwin" else maxrss * 1024


# The command runs under this tiny wrapper rather than as a direct child of run.py, because
# on Linux a child's ru_maxrss starts at the RSS of the process it was forked from (fork
# copies the address space and its high-water mark survives exec): forked from run.py, every
# command would be reported at least as large as run.py. Forked from a bare interpreter
# (`python -I -S`, about 10 MiB, less than any Python command), the floor is harmless. The
# wrapper forks, execs the command, wait4()s for it, and writes the exit status, wall time and
# rusage to the file named by its first argument.
WRAPPER = """\
import os, sys, time
t0 = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execv(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, ru = os.wait4(pid, 0)
wall = time.perf_counter() - t0
with open(sys.argv[1], "w") as f:
    f.write("%d %r %r %r %d" % (status, wall, ru.ru_utime, ru.ru_stime, ru.ru_maxrss))
code = os.waitstatus_to_exitcode(status)
os._exit(code if code >= 0 else 128 - code)
"""


def run_once(argv: list[str], stdout_to_null: bool, timeout: float | None,
             env: dict | None = None) -> dict:
    """Run argv (under WRAPPER); return exit code, wall/CPU seconds, peak RSS, output heads."""
    with tempfile.TemporaryDirectory(prefix="liaison-bench-run-") as tmp:
        report = os.path.join(tmp, "rusage")
        err_path = os.path.join(tmp, "stderr")
        out_path = os.path.join(tmp, "stdout")
        with open(err_path, "wb") as err, open(out_path, "wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-I", "-S", "-c", WRAPPER, report] + argv,
                cwd=REPO, env=env, stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL if stdout_to_null else out, stderr=err,
                start_new_session=True)  # so a timeout can kill the command with its wrapper
            timed_out = threading.Event()
            timer = None
            if timeout:
                def kill():
                    timed_out.set()
                    try:
                        os.killpg(proc.pid, 9)
                    except ProcessLookupError:
                        pass
                timer = threading.Timer(timeout, kill)
                timer.start()
            proc.wait()
            if timer:
                timer.cancel()
        try:
            with open(report, encoding="ascii") as f:
                status, wall, utime, stime, maxrss = f.read().split()
            code = os.waitstatus_to_exitcode(int(status))
            wall, cpu = float(wall), float(utime) + float(stime)
            peak = maxrss_bytes(int(maxrss))
        except (OSError, ValueError):  # the wrapper itself was killed (timeout)
            code, wall, cpu, peak = proc.returncode, float(timeout or 0), 0.0, 0
        with open(err_path, "rb") as f:
            stderr = f.read().decode("utf-8", "replace")
        with open(out_path, "rb") as f:
            stdout = f.read().decode("utf-8", "replace")
    return {"exit": code, "seconds": wall, "cpu": cpu, "peak_bytes": peak,
            "stderr": stderr, "stdout": stdout, "timed_out": timed_out.is_set()}


def classify(r: dict) -> str:
    if r["timed_out"]:
        return "timed out"
    if r["exit"] == 0:
        return "ok"
    if r["exit"] == 2 and "no such command" in r["stderr"].lower():
        return "not implemented"
    if r["exit"] < 0:
        return f"killed by signal {-r['exit']}"
    if "Traceback (most recent call last)" in r["stderr"]:
        return "crash (traceback)"
    if r["exit"] == 1:
        return "data errors" if ": error:" in r["stderr"] else "failed"
    return "failed"


def head_and_tail(lines: list[str], head: int = 6, tail: int = 4) -> list[str]:
    """The first and last lines of an output (a traceback's end is where its cause is)."""
    if len(lines) <= head + tail + 1:
        return lines
    return lines[:head] + [f"… ({len(lines) - head - tail} more lines) …"] + lines[-tail:]


def count_diagnostics(stderr: str) -> tuple[int, int]:
    errors = warnings = 0
    for line in stderr.splitlines():
        if ": error: " in line:
            errors += 1
        elif ": warning: " in line:
            warnings += 1
    return errors, warnings


# --------------------------------------------------------------------------- main

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description="Generate (or reuse) a site and time Liaison's commands on it.")
    ap.add_argument("--physicians", type=int, default=1000, metavar="N",
                    help="size of the generated site (default 1000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--site", metavar="DIR",
                    help="site root to use (default: a cache folder in the temp directory)")
    ap.add_argument("--as-of", default="2026-11-26", metavar="YYYY-MM-DD")
    ap.add_argument("--commands", default=",".join(COMMANDS),
                    help="comma-separated, from validate,stats,build (default: all three)")
    ap.add_argument("--repeat", type=int, default=1, help="runs per command (default 1)")
    ap.add_argument("--out", metavar="DIR",
                    help="build output folder (default: a temporary folder, removed after)")
    ap.add_argument("--cache", choices=("cold", "warm", "user"), default="cold",
                    help="Liaison's parse cache: cold = an empty one for every run (default); "
                         "warm = one shared by all runs, primed by an untimed validate; "
                         "user = whatever the environment points to (~/.cache/liaison)")
    ap.add_argument("--timeout", type=float, metavar="SECONDS",
                    help="kill a command that runs longer than this")
    ap.add_argument("--json", metavar="FILE", help="also write the results as JSON to FILE")
    ap.add_argument("--edition", type=int, choices=(1, 2), default=2,
                    help="the contract edition of the generated records (1: readable by "
                         "versions before the second edition; default 2)")
    ap.add_argument("--build-py", metavar="FILE", default=BUILD_PY,
                    help="the build.py to time (default: this checkout's); another "
                         "checkout's, to time two versions side by side")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="show the first lines of every command's output")
    args = ap.parse_args(argv)

    try:
        as_of = dt.date.fromisoformat(args.as_of)
    except ValueError:
        ap.error(f"--as-of: not a YYYY-MM-DD date: {args.as_of!r}")
    commands = [c.strip() for c in args.commands.split(",") if c.strip()]
    unknown = [c for c in commands if c not in COMMANDS]
    if unknown or not commands:
        ap.error(f"--commands: choose from {','.join(COMMANDS)}")
    if args.physicians < 1 or args.repeat < 1:
        ap.error("--physicians and --repeat must be at least 1")
    build_py = os.path.abspath(args.build_py)
    if not os.path.isfile(build_py):
        print(f"run.py: {build_py} not found", file=sys.stderr)
        return 2

    from precompile import compile_package

    compile_package(os.path.dirname(build_py))  # as installed: none compiled in a timed run
    if args.site:
        site = os.path.abspath(args.site)
    else:
        name = f"liaison-bench-{args.physicians}" + (f"-s{args.seed}" if args.seed != 1 else "")
        site = os.path.join(tempfile.gettempdir(), name)
    how = ensure_site(site, args.physicians, args.seed, as_of, explicit=bool(args.site),
                      edition=args.edition)
    files, size = site_size(site)
    print(f"site: {site} ({how}; {files} files, {size / 2**20:.1f} MiB)")

    tmp_out = None
    if args.out:
        out = os.path.abspath(args.out)
    else:
        tmp_out = tempfile.mkdtemp(prefix="liaison-bench-out-")
        out = os.path.join(tmp_out, "site")  # not created: build creates and owns it

    # Liaison keeps a parse cache keyed on file contents outside the site root
    # (liaison/cache.py: $LIAISON_CACHE_DIR, else $XDG_CACHE_HOME/liaison). Left alone, the
    # timings would depend on what earlier runs left there, so by default every run gets an
    # empty cache of its own.
    cache_root = tempfile.mkdtemp(prefix="liaison-bench-cache-")
    results = []
    try:
        if args.cache == "warm":
            prime = run_once(command_argv("validate", site, as_of.isoformat(), out, build_py), True,
                             args.timeout, cache_env("warm", cache_root, ""))
            print(f"cache primed by an untimed validate run (exit {prime['exit']}, "
                  f"{prime['seconds']:.2f}s)")
        for command in commands:
            runs = []
            for i in range(args.repeat):
                if command == "build" and tmp_out and os.path.exists(out):
                    shutil.rmtree(out)  # every timed build starts from an empty place
                argv_ = command_argv(command, site, as_of.isoformat(), out, build_py)
                env = cache_env(args.cache, cache_root, f"{command}-{i}")
                r = run_once(argv_, stdout_to_null=(command == "stats"), timeout=args.timeout,
                             env=env)
                r["result"] = classify(r)
                runs.append(r)
                errors, warnings = count_diagnostics(r["stderr"])
                if args.verbose or r["result"] not in ("ok", "not implemented"):
                    label = f"{command}" + (f" (run {i + 1})" if args.repeat > 1 else "")
                    print(f"--- {label}: exit {r['exit']}, {r['result']}, "
                          f"{errors} error and {warnings} warning lines on stderr")
                    for stream in ("stderr", "stdout"):
                        for line in head_and_tail(r[stream].splitlines()):
                            print(f"    {stream}: {line[:200]}")
                if r["result"] == "not implemented":
                    break  # no point repeating
            results.append((command, runs))
    finally:
        if tmp_out:
            shutil.rmtree(tmp_out, ignore_errors=True)
        shutil.rmtree(cache_root, ignore_errors=True)

    print()
    print(f"{'command':<10} {'exit':>4}  {'result':<17} {'seconds':>8} {'best':>8} "
          f"{'cpu s':>8} {'peak MiB':>9}")
    rows = []
    failed = False
    for command, runs in results:
        last = runs[-1]
        if last["result"] == "not implemented":
            print(f"{command:<10} {last['exit']:>4}  {'not implemented':<17}")
            rows.append({"command": command, "exit": last["exit"],
                         "result": "not implemented"})
            continue
        secs = [r["seconds"] for r in runs]
        exits = sorted({r["exit"] for r in runs})
        result = last["result"] if len({r["result"] for r in runs}) == 1 else "mixed"
        failed |= any(r["result"] != "ok" for r in runs)
        med = statistics.median(secs)
        cpu = statistics.median(r["cpu"] for r in runs)
        peak = max(r["peak_bytes"] for r in runs) / 2**20
        print(f"{command:<10} {','.join(map(str, exits)):>4}  {result:<17} {med:>8.2f} "
              f"{min(secs):>8.2f} {cpu:>8.2f} {peak:>9.1f}")
        rows.append({"command": command, "exit": exits, "result": result,
                     "runs": len(runs), "seconds_median": round(med, 3),
                     "seconds_best": round(min(secs), 3), "cpu_seconds_median": round(cpu, 3),
                     "peak_mib": round(peak, 1), "seconds": [round(s, 3) for s in secs]})
    if args.repeat > 1:
        print(f"(seconds: median of {args.repeat} runs; best: fastest run; "
              "peak MiB: highest run)")

    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"site": site, "physicians": args.physicians, "seed": args.seed,
                       "as_of": as_of.isoformat(), "site_files": files, "site_bytes": size,
                       "python": sys.version.split()[0], "results": rows}, f, indent=2)
            f.write("\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
