#!/usr/bin/env python3
"""Where a cold build's page rendering spends its time, by kind of page, timed in the build's
own processes with the clock (not sampled).

    python bench/pages.py SITE [--as-of 2026-11-26] [--out NEW_FOLDER]

Runs ``python build.py build --full --timings`` on SITE into a new output folder (a temporary
one, removed afterwards, unless ``--out`` names one that does not exist yet) with an empty
cache folder. In each process that renders pages, every page's render is timed, and within
it the page's context (the Python that gathers what the page shows, ``liaison.pages``):
the rest is the template's. The files written and the folders made are timed too. Prints
the build's stages, then a line per kind of page (pages, milliseconds a page for the whole
render, the context and the template, seconds in all) and a line per process.

A sampling profiler (py-spy) stops the process to read its stack: it credits lines that make
a system call, and short loops around a fork, with far more than they take (docs/performance.md,
2026-12-01). This times the same work with the clock instead, at a cost of a few microseconds
a page. Removing the temporary output leaves 37,000 inodes freed at 10,000 physicians: on
ext4 without a journal, a build of the same size started within the next minute makes its
folders several times slower, so do not time another build right after this one.
Standard library only.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# Run as the command's process: the checkout's liaison first on the path, the page rendering
# timed; each process writes what it timed so far after each batch of pages (the build's
# processes end with os._exit: nothing runs at their exit).
TIMED = """
import json, os, sys, time
build_py, into = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.dirname(os.path.abspath(build_py)))
import liaison.pages as pages
import liaison.render as render

kinds = {}  # kind -> [pages, render seconds, context seconds]
files = [0.0, 0, 0.0, 0, 0.0, 0.0, 0]  # write s, files, folders s, calls, batch s, cpu s, pages
context, render_page, write, make_folder, batch = (
    pages.context, render.render_page, render._write, render._make_folder, render._render_pages)
clock = time.perf_counter


def timed_context(view, page):
    start = clock()
    try:
        return context(view, page)
    finally:
        kinds.setdefault(page.kind, [0, 0.0, 0.0])[2] += clock() - start


def timed_render(view, page, env, warnings=None):  # (render_page's own arguments)
    start = clock()
    try:
        return render_page(view, page, env, warnings)
    finally:
        mine = kinds.setdefault(page.kind, [0, 0.0, 0.0])
        mine[0] += 1
        mine[1] += clock() - start


def counted(fn, at: int):  # fn, its seconds added to files[at], its calls to files[at + 1]
    def call(*args):
        start = clock()
        try:
            return fn(*args)
        finally:
            files[at] += clock() - start
            files[at + 1] += 1
    return call


def timed_batch(view, batch_pages, out, env, progress, label):
    start, cpu = clock(), time.process_time()
    try:
        return batch(view, batch_pages, out, env, progress, label)
    finally:
        files[4] += clock() - start
        files[5] += time.process_time() - cpu
        files[6] += len(batch_pages)
        with open(os.path.join(into, f"{os.getpid()}.json"), "w") as fh:
            json.dump({"kinds": kinds, "files": files}, fh)


pages.context, render.render_page = timed_context, timed_render
render._write, render._make_folder = counted(write, 0), counted(make_folder, 2)
render._render_pages = timed_batch
from liaison.cli import run
sys.argv = [build_py] + sys.argv[3:]
run()
"""


def run_timed(site: str, out: str, as_of: str, work: str) -> tuple[int, str, list[dict]]:
    """The build's exit status, what it printed, and what each page process timed."""
    into = os.path.join(work, "timed")
    os.mkdir(into)
    env = {**os.environ, "LIAISON_CACHE_DIR": os.path.join(work, "cache")}
    done = subprocess.run(
        [sys.executable, "-c", TIMED, str(REPO / "build.py"), into, "build", "--root", site,
         "--out", out, "--as-of", as_of, "--full", "--timings"],
        capture_output=True, text=True, env=env)
    found = []
    for name in sorted(os.listdir(into)):
        with open(os.path.join(into, name)) as fh:
            found.append({"pid": name.split(".")[0], **json.load(fh)})
    return done.returncode, done.stdout + done.stderr, found


def report(found: list[dict]) -> list[str]:
    """The table of the kinds of page (every process summed), then a line per process."""
    kinds: dict[str, list] = {}
    for proc in found:
        for kind, (n, rendered, context) in proc["kinds"].items():
            mine = kinds.setdefault(kind, [0, 0.0, 0.0])
            mine[0] += n
            mine[1] += rendered
            mine[2] += context
    lines = [f"{'kind':>16}  {'pages':>6}  {'ms a page':>9}  {'context':>7}  {'template':>8}"
             f"  {'seconds':>7}"]
    for kind, (n, rendered, context) in sorted(kinds.items(), key=lambda kv: -kv[1][1]):
        each = 1000 / max(n, 1)
        lines.append(f"{kind:>16}  {n:6d}  {rendered * each:9.2f}  {context * each:7.2f}  "
                     f"{(rendered - context) * each:8.2f}  {rendered:7.2f}")
    total = sum(n for n, _r, _c in kinds.values())
    lines.append(f"{'every page':>16}  {total:6d}  {'':9}  {'':7}  {'':8}  "
                 f"{sum(r for _n, r, _c in kinds.values()):7.2f}")
    for proc in found:
        write, n_files, folders, n_folders, batches, cpu, n_pages = proc["files"]
        rendered = sum(r for _n, r, _c in proc["kinds"].values())
        lines.append(f"process {proc['pid']}: {n_pages} pages in {batches:.2f} s "
                     f"({cpu:.2f} s of processor time): rendering {rendered:.2f} s, "
                     f"{n_files} files written in {write:.2f} s, {n_folders} folders asked for "
                     f"in {folders:.2f} s")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", help="a site root (bench/generate.py makes one)")
    parser.add_argument("--as-of", default="2026-11-26")
    parser.add_argument("--out", help="a folder that does not exist yet: the site is kept there")
    args = parser.parse_args(argv)
    site = os.path.abspath(args.site)
    if args.out is not None and os.path.lexists(args.out):
        print(f"{args.out} exists: name a folder that does not exist yet", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="liaison-pages-") as work:
        out = os.path.abspath(args.out) if args.out else os.path.join(work, "site")
        status, said, found = run_timed(site, out, args.as_of, work)
        if status != 0 or not found:
            sys.stderr.write(said[-4000:])
            print("the build failed: nothing to report" if status else
                  "no page was rendered by the timed code (a build of another shape?)",
                  file=sys.stderr)
            return 1
        print("\n".join(line for line in said.splitlines()
                        if line.startswith(("time:", "built "))))
        print("\n".join(report(found)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
