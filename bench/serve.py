#!/usr/bin/env python3
"""`serve`'s save-to-reload latency and memory, on a copy of a site root.

    python bench/serve.py SITE [--saves 20] [--as-of 2026-11-26] [--keep]

Copies SITE (a site root, e.g. one written by bench/generate.py) to a temporary folder, starts
``python build.py serve`` on it and, for each of ``--saves`` saves, alternately edits one
physician's file (the name) and one interaction file (the summary of its first interaction),
the way an editor saves: the file rewritten in place. Each save is timed from just before the
write to the moment the page that shows the edit (the physician's brief) has been answered
with the edit in it, which is what an open tab waits for: its request for the version, woken
by the change, then its reload. Printed per save: that time, the time until the version moved
(the server ready), the server's own "ready in" figure, and the server's resident and
proportional memory after the save. At the end: medians and ranges, and the memory's change
from the first save to the last. Standard library only.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _get(url: str, timeout: float = 120) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read()


def _memory(pid: int) -> tuple[int, int | None]:
    """(RSS, PSS) in MiB of one process (PSS None where smaps_rollup is not readable)."""
    rss = pss = None
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1]) // 1024
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                pss = int(line.split()[1]) // 1024
    except OSError:
        pass
    return rss, pss


def _edits(root: Path):
    """Two targets: a physician's file, and the first interaction of the newest interaction
    file that lists a physician (where its ``- date:`` line starts: the summary edited is
    that interaction's, not the first of the file, which may list none); the physician page
    that shows each."""
    newest = sorted((root / "data" / "interactions").rglob("*.yaml"))[-1]
    text = newest.read_text()
    starts = [m.start() for m in re.finditer(r"^- date:", text, flags=re.M)] + [len(text)]
    found = next(((start, m) for start, end in zip(starts, starts[1:])
                  if (m := re.search(r"physicians: \[([a-z0-9-]+)", text[start:end]))), None)
    if found is None:
        sys.exit(f"{newest}: no interaction listing a physician to edit")
    start, m = found
    listed = m.group(1)
    doc = sorted((root / "data" / "physicians").glob("*.yaml"))[len(listed) % 7]
    return [(doc, f"physicians/{doc.stem}/index.html", "name", 0),
            (newest, f"physicians/{listed}/index.html", "summary", start)]


def _edit(path: Path, field: str, marker: str, start: int = 0) -> None:
    """The first ``field:`` line at or after character ``start`` of ``path`` ends with
    ``(marker)`` (instead of the marker of the save before)."""
    text = path.read_text()
    new, n = re.subn(rf"^(\s*-?\s*{field}: )([^\n]*?)( \(save \d+\))?$", rf"\g<1>\g<2> ({marker})",
                     text[start:], count=1, flags=re.M)
    if not n:
        sys.exit(f"{path}: no '{field}:' line to edit")
    with open(path, "r+") as f:  # in place, as most editors save
        f.write(text[:start] + new)
        f.truncate()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("site", type=Path)
    ap.add_argument("--saves", type=int, default=20)
    ap.add_argument("--as-of", default="2026-11-26")
    ap.add_argument("--keep", action="store_true", help="keep the copy of the site root")
    args = ap.parse_args(argv)
    if not any((args.site / name).is_file() for name in ("site.yaml", "site.yml")):
        # (a slip, /tmp for /tmp/site: the copy went on into its own folder below it)
        sys.exit(f"{args.site}: no site.yaml here, so it is no site root: nothing copied")

    work = Path(tempfile.mkdtemp(prefix="liaison-bench-serve-"))
    root = work / "site"
    t = time.perf_counter()
    shutil.copytree(args.site, root, ignore=shutil.ignore_patterns("site", ".git"))
    print(f"copied {args.site} in {time.perf_counter() - t:.1f} s", flush=True)
    log_path = work / "serve.log"
    log = open(log_path, "w+")
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "serve", "--root", str(root), "--port", "0",
         "--as-of", args.as_of], stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"}, cwd=work)
    try:
        base = None
        while base is None:
            if proc.poll() is not None:
                sys.exit(f"serve stopped:\n{log_path.read_text()}")
            m = re.search(r"on (http://127\.0\.0\.1:\d+/)", log_path.read_text())
            base = m.group(1) if m else None
            time.sleep(0.05)
        first = _get(base)  # the dashboard, as a person opening the site sees it first
        print(f"serving after {time.perf_counter() - started:.1f} s "
              f"(dashboard {len(first):,} bytes); memory {_memory(proc.pid)} MiB (RSS, PSS)",
              flush=True)
        targets = _edits(root)
        for _path, page, _field, _start in targets:
            _get(base + page)  # the tabs a person has open
        rows = []
        print("save  edit       save→page s  ready s  server says  page s  RSS MiB  PSS MiB",
              flush=True)
        for i in range(1, args.saves + 1):
            path, page, field, start = targets[i % 2]
            version = _get(base + "__liaison__/version").decode()
            woken: list[float] = []
            waiter = threading.Thread(target=lambda: (
                _get(base + f"__liaison__/version?wait={version}"), woken.append(time.perf_counter())))
            waiter.start()
            time.sleep(0.2)  # the tab's request is waiting
            marker = f"save {i}"
            t0 = time.perf_counter()
            _edit(path, field, marker, start)
            waiter.join(300)
            asked = time.perf_counter()
            body = _get(base + page)
            t1 = time.perf_counter()
            if marker.encode() not in body:
                sys.exit(f"save {i}: {page} does not show '{marker}'\n{log_path.read_text()[-2000:]}")
            log.seek(0)
            said = re.findall(r"ready in ([0-9.]+) s", log.read())
            rss, pss = _memory(proc.pid)
            rows.append((t1 - t0, woken[0] - t0 if woken else None, float(said[-1]), rss, pss,
                         t1 - asked))
            edited = "physician" if path.parent.name == "physicians" else "interaction"
            print(f"{i:4}  {edited:11} {t1 - t0:10.2f} {rows[-1][1]:8.2f} "
                  f"{rows[-1][2]:10.2f} s {t1 - asked:7.2f} {rss:8} "
                  f"{pss if pss is not None else '-':>8}", flush=True)
            time.sleep(0.3)
        for name, col in (("save→page", 0), ("ready", 1), ("server says", 2), ("page", 5)):
            values = [r[col] for r in rows]
            print(f"{name:12} median {statistics.median(values):.2f} s, "
                  f"{min(values):.2f}–{max(values):.2f} s")
        for name, col in (("RSS", 3), ("PSS", 4)):
            values = [r[col] for r in rows if r[col] is not None]
            if values:
                print(f"{name}: {values[0]} MiB after save 1, {values[-1]} MiB after save "
                      f"{len(values)} (min {min(values)}, max {max(values)})")
        print(f"load average: {' '.join(open('/proc/loadavg').read().split()[:3])}")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
