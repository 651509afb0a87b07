#!/usr/bin/env python3
"""Random edits, and after each the incremental build (or ``serve``'s site in memory)
compared byte for byte with a full build of the same input.

    python bench/random_edits.py /tmp/edits-1 --physicians 120 --steps 70 --seed 1 [--forked] [--serve]

Writes a generated site into the folder (bench/generate.py), builds it, then at each step
makes one to three edits of tests/edits.py's kinds, or of these: a comment added to an
interaction file, a file touched (its bytes the same), a file put back as it was some steps
before, the newest interaction file edited (the files of the last weeks are kept apart),
and now and then the as-of date moved on. It builds incrementally with the CLI, as a person
would, then builds the same input with ``--full`` into another folder and compares every
file but the build record. An edit that makes the data invalid must fail both builds alike
(it is then taken back). ``--forked``: the thresholds under which a build stays on one
process are lowered, so that a small site takes the paths of a large one (the reading side
by side, the check forked, the snippets and pages on both cores). ``--serve``: the site is
refreshed in memory (liaison.live, as ``serve`` does, with the changed files named where
none was added or removed) and every file it serves is compared instead.

Prints one line a step; the folders of a build that differs are kept beside the site
(``bad-STEP``, ``want-STEP``). Exit status 1 when any step differed or failed otherwise.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from edits import EDITS, edit  # noqa: E402  (the kinds the tests make)

# The CLI with the thresholds of one process lowered (--forked)
FORKED = ("import sys; sys.path.insert(0, {repo!r});"
          "import liaison.render as r, liaison.pipeline as p;"
          "r.PARALLEL_PAGES = r.PARALLEL_SNIPPETS = 1;"
          "p.PARALLEL_BYTES = p.PARALLEL_DECK_RENDERS = 1;"
          "from liaison.cli import run; sys.argv[0] = 'build.py'; run()")
MORE = ("comment", "touch", "revert", "newest")


def build(root: Path, out: Path, as_of: dt.date, env: dict, forked: bool,
          full: bool = False) -> subprocess.CompletedProcess:
    args = ["build", "--root", str(root), "--out", str(out), "--as-of", as_of.isoformat()]
    head = ["-c", FORKED.format(repo=str(REPO))] if forked else [str(REPO / "build.py")]
    return subprocess.run([sys.executable, *head, *args, *(["--full"] if full else [])],
                          capture_output=True, text=True, env=env)


def files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and not p.name.startswith(".liaison")}


def differences(got: dict[str, bytes], want: dict[str, bytes]) -> list[str]:
    return sorted(set(got) ^ set(want)) + [rel for rel in sorted(set(got) & set(want))
                                            if got[rel] != want[rel]]


def one_edit(rng: random.Random, root: Path, history: list) -> tuple[str, Path]:
    """One edit: what it was, and the file it changed."""
    kind = rng.choice([*EDITS, *MORE])
    logs = sorted((root / "data" / "interactions").rglob("*.yaml"))
    if kind == "revert" and history:
        path, old = rng.choice(history)
        if old is None:
            path.unlink(missing_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(old)
    elif kind == "comment":
        path = rng.choice(logs)
        path.write_text(path.read_text(encoding="utf-8") + "# checked again\n", encoding="utf-8")
    elif kind == "touch":
        path = rng.choice(sorted(p for p in (root / "data").rglob("*") if p.is_file()))
        os.utime(path)
    elif kind == "newest":
        path = max(logs)  # (by name: the last month's folder)
        path.write_text(path.read_text(encoding="utf-8").replace(
            "summary: ", f"summary: ({rng.randint(1, 99)}) ", 1), encoding="utf-8")
    else:
        kind = kind if kind in EDITS else rng.choice(EDITS)
        _what, path, _before = edit(rng, root, kind)
    return f"{kind} {path.relative_to(root).as_posix()}", path


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder", type=Path, help="a new folder (or one this script wrote)")
    ap.add_argument("--physicians", type=int, default=120)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--forked", action="store_true")
    ap.add_argument("--serve", action="store_true")
    args = ap.parse_args(argv)
    work = args.folder.resolve()
    if work.exists() and any(work.iterdir()) and not (work / ".random-edits").exists():
        raise SystemExit(f"{work} is not empty and was not written by this script")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    (work / ".random-edits").write_text("written by bench/random_edits.py\n")
    rng = random.Random(args.seed)
    root, good = work / "site", work / "good"
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), str(root),
                    "--physicians", str(args.physicians), "--seed", str(args.seed)],
                   check=True, capture_output=True)
    env = dict(os.environ, LIAISON_CACHE_DIR=str(work / "cache"))
    full_env = dict(os.environ, LIAISON_CACHE_DIR=str(work / "cache-full"))
    as_of = dt.date(2026, 11, 26)
    out, full = work / "out", work / "full"
    live = None
    if args.serve:
        from liaison.live import LiveSite

        live = LiveSite(root, as_of)
        first_ok = live.refresh().ok
    else:
        first_ok = build(root, out, as_of, env, args.forked).returncode == 0
    if not first_ok:
        raise SystemExit("the generated site does not build")
    shutil.copytree(root, good)
    history: list[tuple[Path, bytes | None]] = []
    failed = compared = 0
    for step in range(args.steps):
        done, paths, added_or_removed = [], set(), False
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            before = {p for p in root.rglob("*") if p.is_file()}
            what, path = one_edit(rng, root, history)
            added_or_removed |= before != {p for p in root.rglob("*") if p.is_file()}
            done.append(what)
            paths.add(path.relative_to(root).as_posix())
        if live is None and rng.random() < 0.1:
            as_of += dt.timedelta(days=rng.choice([1, 7, 31]))
            done.append(f"as-of {as_of}")
        if live is not None:
            ok = live.refresh(None if added_or_removed else paths).ok
            said = ""
        else:
            made = build(root, out, as_of, env, args.forked and rng.random() < 0.8)
            ok, said = made.returncode == 0, made.stderr
        shutil.rmtree(full, ignore_errors=True)
        want = build(root, full, as_of, full_env, False, full=True)
        if "Traceback" in said + want.stderr or ok != (want.returncode == 0):
            failed += 1
            print(f"step {step}: {done}: the builds disagree (incremental: "
                  f"{'ok' if ok else 'refused'}, full: exit {want.returncode})\n"
                  f"{said[-2000:]}\n{want.stderr[-2000:]}", flush=True)
        if want.returncode != 0:  # invalid data: taken back
            shutil.rmtree(root)
            shutil.copytree(good, root)
            if live is not None:
                live.refresh()
            print(f"step {step}: {done}: refused (the data has errors), taken back", flush=True)
            continue
        shutil.rmtree(good)
        shutil.copytree(root, good)
        wanted = files(full)
        got = files(out) if live is None else {
            rel: (live.get(rel) or (b"missing",))[0] for rel in wanted}
        bad = differences(got, wanted) if ok else ["(the incremental build failed)"]
        compared += 1
        print(f"step {step}: {done}: {'same' if not bad else f'{len(bad)} differ: {bad[:8]}'}",
              flush=True)
        if bad:
            failed += 1
            if live is None:
                shutil.copytree(out, work / f"bad-{step}")
                shutil.copytree(full, work / f"want-{step}")
        for path in rng.sample(sorted(p for p in root.rglob("*") if p.is_file()), 3):
            history.append((path, path.read_bytes()))  # (for "revert")
    print(f"{compared} builds compared, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
