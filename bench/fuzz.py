#!/usr/bin/env python3
"""Input files mangled at random, and after each mangling `validate` (and now and then
`build`) run in this process: no traceback, exit 0 or 1, and every diagnostic in its
`PATH:LINE:COL: error|warning: MESSAGE` shape, at a line the file has (not a timing).

    python bench/fuzz.py SITE --trials 3000 --seed 2 [--build-every 50] [--only templates/]
                         [--overrides physician.html base.html ...]

Works on a copy of SITE (its `site.yaml`, `data/`, `content/` and `templates/`). Each trial
mangles one to three of its files (``--only``: those whose path, relative to the site, starts
with that), each in one of these ways: a line deleted, doubled, moved, indented or not, a value
or a key changed, a token put inside a line (YAML and Jinja syntax, long, odd or invisible
characters, numbers out of range, impossible dates), random bytes put in, the file cut short
or emptied, a byte-order mark added, CRLF line ends, a comma taken out of a CSV line or added.
The files are put back after each trial. ``--overrides``: built-in templates copied into the
copy's `templates/` first, so that a site's own templates are mangled too.

Prints each trial that went wrong, with what went wrong, and keeps its files in the work
folder (``case-N``); then the exit codes seen. Exit status 1 when any trial went wrong.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import sys
import tempfile
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

AS_OF = "2026-11-26"
DIAGNOSTIC = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?:error|warning): .")
TOKENS = ("[", "]", "{", "}", '"', "'", "- ", ": ", "*a", "&a", "!!binary AAAA", "~", "null",
          "1e999", "-1", "0x10", "x" * 5000, "\U0001F600", "\t", "2026-02-30", "9999-99-99",
          "true", "[]", "{}", "- - -", "? x", "!!python/object:os.system", "<<: *a", "|", ">",
          "%YAML 1.1", "---", "...", "\\x00", "\u202e", "0", "12345678901234567890123", "NaN",
          ".inf", "{{ x }}", "{% if %}", "{{", "{%", "`", "<script>", "@", "#", "1065768404",
          "2026-11-26T10:00:00", "\r", "\x0c", "\x7f", "é")


def mangle(data: bytes, rnd: random.Random) -> bytes:
    """``data`` mangled in one of the ways the module's docstring lists."""
    lines = data.split(b"\n")
    i = rnd.randrange(len(lines))
    token = rnd.choice(TOKENS).encode("utf-8")
    line = lines[i]
    way = rnd.randrange(14)
    if way == 0:
        del lines[i]
    elif way == 1:
        lines.insert(i, line)
    elif way == 2:  # a value replaced (a token added where the line has none)
        key, sep, _value = line.partition(b": ")
        lines[i] = key + b": " + token if sep else line + token
    elif way == 3:
        at = rnd.randrange(len(data) + 1)
        noise = bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 4)))
        return data[:at] + noise + data[at:]
    elif way == 4:
        return data[:rnd.randrange(len(data) + 1)]
    elif way == 5:
        lines[i] = b" " * rnd.randint(1, 5) + line
    elif way == 6:
        lines[i] = line.lstrip()
    elif way == 7:
        return b""
    elif way == 8:  # a key renamed
        key, sep, rest = line.partition(b":")
        lines[i] = key + b"x" + sep + rest if sep else line
    elif way == 9:  # a CSV cell fewer, or one more
        if b"," in line and rnd.random() < 0.5:
            at = line.index(b",")
            lines[i] = line[:at] + line[at + 1:]
        else:
            lines[i] = line + b"," + token
    elif way == 10:
        return b"\xef\xbb\xbf" + data
    elif way == 11:
        at = rnd.randrange(len(line) + 1)
        lines[i] = line[:at] + token + line[at:]
    elif way == 12:
        return data.replace(b"\n", b"\r\n")
    else:
        j = rnd.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    return b"\n".join(lines)


def wrong(root: Path, args: list[str]) -> tuple[int | None, list[str]]:
    """Run ``liaison ARGS`` in this process: (exit code, what went wrong)."""
    from click.testing import CliRunner

    from liaison.cli import main

    result = CliRunner().invoke(main, args)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return None, ["a traceback:\n" + "".join(traceback.format_exception(*result.exc_info))]
    found = []
    if result.exit_code not in (0, 1):
        found.append(f"exit status {result.exit_code}")
    said = result.stderr.splitlines()
    if "Traceback" in result.stderr or "Traceback" in result.stdout:
        found.append("a traceback in the output")
    diagnostics = [m for m in map(DIAGNOSTIC.match, said) if m]
    if result.exit_code == 1 and not diagnostics:
        found.append("exit status 1 without a diagnostic")
    for m in diagnostics:
        path, line = root / m["path"], int(m["line"])
        if line < 1 or int(m["col"]) < 1:
            found.append(f"a position before the start: {m.string}")
        elif path.is_file() and line > path.read_bytes().count(b"\n") + 1:
            found.append(f"a line past the end of the file: {m.string}")
    if found:
        found.append("stderr ends:\n" + "\n".join(said[-15:]))
    return result.exit_code, found


def copy_site(source: Path, dest: Path, overrides: list[str] = ()) -> Path:
    """A copy of the site's inputs at ``dest``, with built-in templates copied in."""
    dest.mkdir(parents=True)
    for name in ("site.yaml", "data", "content", "templates"):
        src = source / name
        if src.is_dir():
            shutil.copytree(src, dest / name, symlinks=True)
        elif src.is_file():
            shutil.copy(src, dest / name)
    for name in overrides:
        (dest / "templates").mkdir(exist_ok=True)
        shutil.copy(REPO / "liaison" / "templates" / name, dest / "templates" / name)
    return dest


def fuzz(site: Path, work: Path, seed: int, trials: int, build_every: int = 0,
         only: str = "", out=print) -> tuple[int, dict[int, int]]:
    """Mangle the files of ``site`` (a copy: they are put back) ``trials`` times; (how many
    trials went wrong, how many runs ended with each exit status)."""
    rnd = random.Random(seed)
    files = sorted(p for p in site.rglob("*")
                   if p.is_file() and str(p.relative_to(site)).startswith(only))
    codes: dict[int, int] = {}
    failed = 0
    for t in range(trials):
        chosen = rnd.sample(files, min(len(files), rnd.choice((1, 1, 1, 2, 3))))
        kept = {p: p.read_bytes() for p in chosen}
        for p in chosen:
            p.write_bytes(mangle(kept[p], rnd))
        runs = [["validate", "--root", str(site), "--as-of", AS_OF]]
        if build_every and t % build_every == 0:
            runs.append(["build", "--root", str(site), "--out", str(work / "out"),
                         "--as-of", AS_OF])
        found = []
        for args in runs:
            code, what = wrong(site, args)
            if code is not None:
                codes[code] = codes.get(code, 0) + 1
            found += [f"{args[0]}: {w}" for w in what]
        if found:
            failed += 1
            case = work / f"case-{t}"
            for p in chosen:
                (case / p.relative_to(site)).parent.mkdir(parents=True, exist_ok=True)
                (case / p.relative_to(site)).write_bytes(p.read_bytes())
            names = ", ".join(str(p.relative_to(site)) for p in chosen)
            out(f"trial {t} (seed {seed}, {names}; kept in {case}):\n" + "\n".join(found))
        for p, data in kept.items():
            p.write_bytes(data)
    return failed, codes


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("site", type=Path)
    ap.add_argument("--trials", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--build-every", type=int, default=0, metavar="K",
                    help="build too, every K-th trial (0: never)")
    ap.add_argument("--only", default="", metavar="PREFIX",
                    help="mangle only the files whose path starts with this (data/, templates/)")
    ap.add_argument("--overrides", nargs="*", default=[], metavar="TEMPLATE",
                    help="built-in templates (and palette.yaml) copied into templates/ first")
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="liaison-fuzz-"))
    os.environ.setdefault("LIAISON_CACHE_DIR", str(work / "cache"))
    site = copy_site(args.site.resolve(), work / "site", args.overrides)
    failed, codes = fuzz(site, work, args.seed, args.trials, args.build_every, args.only)
    print(f"{args.trials} trials, {failed} went wrong; exit statuses "
          + ", ".join(f"{code}: {n}" for code, n in sorted(codes.items()))
          + (f"; the cases in {work}" if failed else ""))
    if not failed:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
