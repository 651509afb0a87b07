#!/usr/bin/env python3
"""Which interaction records an incremental build reads after an edit, and from where.

    python bench/reads.py SITE [--edit phone|visit] [--as-of 2026-11-26] [--top 12]

Builds SITE into a new temporary folder (with a cache folder of its own, so that the build
keeps its records as a build does), makes one edit as bench/hugo.py makes them (``phone``: the
first physician's phone number; ``visit``: one more interaction in the newest interaction
file), then builds again with every read of an interaction's field counted, in each process
of the build (the record class's attribute lookup is replaced before the command runs; the
processes forked from it inherit it), and puts the edited file back as it was. Prints, for
each process that read any, how many distinct interactions it read, then the places that read
the most: the first three frames of Liaison's code (or of a template) under each read.

An edit takes back every kept interaction (200,186 at 10,000 physicians) while the pages it
makes again show a few hundred: this says which code reads the others (docs/performance.md,
2026-12-02, afternoon). The counts are what to watch, not the times: every field read costs a
Python call more. Standard library only (and Liaison itself, from the folder above).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from hugo import _with_phone, _with_visit  # noqa: E402  (the edits the bench times)

# The traced build's program (``python -c``, after REPO, OUT and ARGS are set): the counting,
# then the command line.
_TRACER = r"""
import atexit, collections, json, os, sys
sys.path.insert(0, REPO)
from liaison import models
FIELDS = frozenset(models.Interaction.model_fields)
HOME = os.getpid()
places = collections.Counter()
seen = collections.defaultdict(set)
every = set()
plain = object.__getattribute__


def counted(self, name):
    if name in FIELDS:
        frame, where = sys._getframe(1), []
        while frame is not None and len(where) < 3:
            path = frame.f_code.co_filename
            ours = os.sep + "liaison" + os.sep in path \
                and not path.endswith(("trusted.py", "models.py"))
            if ours or path.endswith((".html", ".xml", ".ics", ".j2")):
                where.append(f"{os.path.basename(path)}:{frame.f_code.co_name}:{frame.f_lineno}")
            frame = frame.f_back
        key = " < ".join(where) or "(outside Liaison's code)"
        places[key] += 1
        seen[key].add(id(self))
        every.add(id(self))
    return plain(self, name)


models.Interaction.__getattribute__ = counted


def forked():  # a forked process counts its own reads, not those of the process before it
    places.clear()
    seen.clear()
    every.clear()


os.register_at_fork(after_in_child=forked)
from liaison import load
attach, site_has = load.attach, []


def attached(site, *args, **kwargs):  # (before liaison.pipeline imports it)
    attach(site, *args, **kwargs)
    site_has.append(len(site.interactions))


load.attach = attached


def dump():
    if not every:
        return
    with open(os.path.join(OUT, f"{os.getpid()}.json"), "w", encoding="utf-8") as fh:
        json.dump({"main": os.getpid() == HOME, "records": len(every),
                   "site": site_has[-1] if site_has else None,
                   "places": [[key, n, len(seen[key])] for key, n in places.most_common()]}, fh)


_exit = os._exit


def exiting(code):
    dump()
    _exit(code)


os._exit = exiting  # (forked processes end this way)
atexit.register(dump)
sys.argv = ["build.py", *ARGS]
from liaison.cli import run
run()
"""


def _build(root: Path, out: Path, as_of: str, cache: Path, traced: Path | None = None
           ) -> subprocess.CompletedProcess:
    args = ["build", "--root", str(root), "--out", str(out), "--as-of", as_of]
    env = dict(os.environ, LIAISON_CACHE_DIR=str(cache))
    if traced is None:
        cmd = [sys.executable, str(REPO / "build.py"), *args]
    else:
        source = (f"REPO = {str(REPO)!r}\nOUT = {str(traced)!r}\nARGS = {args!r}\n" + _TRACER)
        cmd = [sys.executable, "-c", source]
    return subprocess.run(cmd, env=env, capture_output=True, text=True)


def _edited(root: Path, edit: str) -> tuple[Path, bytes]:
    """The file the edit changes and its bytes after the edit."""
    if edit == "phone":
        files = sorted((root / "data" / "physicians").glob("*.yaml"))
        if not files:
            raise SystemExit(f"{root}: no physician file to edit")
        return files[0], _with_phone(files[0].read_bytes(), "828-555-0199")
    files = sorted((root / "data" / "interactions").rglob("*.yaml"))
    if not files:
        raise SystemExit(f"{root}: no interaction file to log a visit in")
    path = files[-1]
    try:
        return path, _with_visit(path.read_bytes())
    except ValueError:  # (no line that starts a record with its date)
        raise SystemExit(f"{path}: no '- date:' line to log a visit after") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--edit", choices=("phone", "visit"), default="phone")
    parser.add_argument("--as-of", default="2026-11-26")
    parser.add_argument("--top", type=int, default=12, help="places shown for each process")
    args = parser.parse_args(argv)
    root = args.site.resolve()
    if not (root / "site.yaml").is_file():
        print(f"{root}: not a site root (no site.yaml)", file=sys.stderr)
        return 1
    path, after = _edited(root, args.edit)  # (a site with nothing to edit ends here)
    work = Path(tempfile.mkdtemp(prefix="liaison-reads-"))
    before = path.read_bytes()
    try:
        out, cache, traced = work / "site", work / "cache", work / "reads"
        cache.mkdir()
        traced.mkdir()
        first = _build(root, out, args.as_of, cache)
        if first.returncode != 0:
            print(f"the first build failed:\n{first.stderr}", file=sys.stderr)
            return 1
        path.write_bytes(after)
        done = _build(root, out, args.as_of, cache, traced)
        if done.returncode != 0:
            print(f"the build after the edit failed:\n{done.stderr}", file=sys.stderr)
            return 1
        print(f"after the edit ({args.edit}, {path.relative_to(root)}): "
              + (done.stdout + done.stderr).strip().splitlines()[-1])
        found = []
        for dump in traced.glob("*.json"):
            found.append(json.loads(dump.read_text(encoding="utf-8")))
        found.sort(key=lambda d: (not d["main"], -d["records"]))
        for d in found:
            who = "the build's own process" if d["main"] else "a process it forked"
            of = f" of the {d['site']:,} the site holds" if d.get("site") else ""
            print(f"{who}: {d['records']:,} distinct interactions read{of}")
            for key, n, records in d["places"][:args.top]:
                print(f"  {records:>9,} records {n:>9,} reads  {key}")
        if not found:
            print("no interaction was read")
        return 0
    finally:
        path.write_bytes(before)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
