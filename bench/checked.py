#!/usr/bin/env python3
"""How long a build with no site to compare takes to have its records read and checked: the
start of a cold build, before any page is rendered.

    python bench/checked.py SITE [--as-of 2026-11-26] [--rounds 5]
                            [--build-py A/build.py --build-py B/build.py ...]

Each run is ``python BUILD_PY build --root SITE --out OUT --as-of D`` with an empty cache
folder and no output folder, stopped where the build would start rendering
(``liaison.render.build_site``); the time is taken here, from starting the command to its
word that it got there. The rest of a cold build writes hundreds of megabytes, and on a busy
file system its cost moves by seconds from one run to the next: this times the start alone.
Several ``--build-py`` (two checkouts, say) run in turn, round after round, in the same
order. Prints each run, then each version's median and spread. Standard library only.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MARK = "liaison-bench: records read and checked"

# Run in the command's process: the checkout's liaison first on the path (as its build.py
# has it), the build stopped where it would render.
STOPPED = f"""
import os, sys
build_py = sys.argv[1]
sys.path.insert(0, os.path.dirname(os.path.abspath(build_py)))
import liaison.render

def stop(*args, **kwargs):
    print({MARK!r}, file=sys.stderr, flush=True)
    os._exit(0)

liaison.render.build_site = stop
from liaison.cli import run
sys.argv = [build_py] + sys.argv[2:]
run()
"""


def one_run(build_py: str, site: str, as_of: str) -> float | None:
    """Seconds from starting the command to its records read and checked (None: it ended
    without getting there, its output shown)."""
    with tempfile.TemporaryDirectory(prefix="liaison-checked-") as tmp:
        env = {**os.environ, "LIAISON_CACHE_DIR": os.path.join(tmp, "cache")}
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-c", STOPPED, build_py, "build", "--root", site,
             "--out", os.path.join(tmp, "out"), "--as-of", as_of],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
        seconds, said = None, []
        for line in proc.stderr:
            if line.strip() == MARK:
                seconds = time.perf_counter() - start
            else:
                said.append(line)
        proc.wait()
        if seconds is None:
            sys.stderr.write("".join(said[-20:]))
        return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", help="a site root (bench/generate.py makes one)")
    parser.add_argument("--as-of", default="2026-11-26")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--build-py", action="append",
                        help="a checkout's build.py (repeatable; default: this one's)")
    args = parser.parse_args(argv)
    versions = args.build_py or [os.path.join(REPO, "build.py")]
    times: dict[str, list[float]] = {v: [] for v in versions}
    for n in range(1, args.rounds + 1):
        for version in versions:
            seconds = one_run(version, os.path.abspath(args.site), args.as_of)
            if seconds is None:
                print(f"round {n}: {version}: did not get there", file=sys.stderr)
                return 1
            times[version].append(seconds)
            load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
            print(f"round {n}: {version}: {seconds:.2f} s (load {load:.2f})", flush=True)
    for version, runs in times.items():
        print(f"{version}: median {statistics.median(runs):.2f} s "
              f"({min(runs):.2f}-{max(runs):.2f}, {len(runs)} runs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
