#!/usr/bin/env python3
"""Liaison's build beside Hugo's on the same pages, in one run.

    python bench/hugo.py SITE HUGO_SITE [--as-of 2026-11-26]     # write the Hugo site
    python bench/hugo.py SITE HUGO_SITE --time [--repeat 3]        # ... and time both, alternating
    python bench/hugo.py SITE HUGO_SITE --time --edits --serve 20  # ... and rebuilds, serve
    python bench/hugo.py SITE HUGO_SITE --time --python /tmp/deb-venv/bin/python  # ... and
                                              # Liaison run by another Python, in the same rounds

SITE is a Liaison site root (e.g. one written by bench/generate.py). The script loads it with
Liaison (records, statistics, the indexes the pages read) and writes HUGO_SITE, a Hugo site
that makes the same page families with the same content:

* a page per physician (facts, statistics, the referral chart as inline SVG bars drawn by the
  template from 24 monthly counts, the last interactions with their notes in Markdown: as
  many as Liaison's briefs show, liaison.pages.base.RECENT);
* a page per practice (facts, staff, physicians, chart, last interactions, notes);
* a page per month of the activity log (every interaction of the month, notes in Markdown);
* a page per customized deck (each practice's slides, Markdown rendered by Hugo);
* the physicians' and practices' directories (a row each), the home page.

What Hugo is NOT asked to do, and Liaison does: read and check the YAML and CSV records and
compute the statistics (the script hands Hugo the figures ready-made in each page's front
matter), the .pptx files, exports, calendars, search index, follow-ups, call plans and the
other single pages. So Hugo's time is a lower bound for "the same pages": the comparison
favours Hugo.

``--time`` first reads every file of SITE and of HUGO_SITE once (so that neither program's
first run reads its input from the disk), then runs, alternately, ``hugo --quiet`` (all cores,
its default) and ``python build.py build`` on the same machine, each ``--repeat`` times, with a
cold output folder each, and prints wall time, processor time (user + system of the process and
the children it waited for) and the peak of the summed resident memory of the whole process
tree (sampled every 250 ms from /proc: RSS, and PSS where /proc/PID/smaps_rollup is readable,
which counts pages shared by forked workers once). The load average and the bytes the run read
from the disk are printed beside each run. ``--edits`` adds, after each Liaison build, a build
with nothing changed, a build after one physician's file is edited, one after an interaction
file is edited (a comment) and one after a visit is logged in it (each put back afterwards: the
builds are incremental); ``--serve SAVES`` then runs bench/serve.py on SITE.

``--python INTERPRETER`` (repeatable) times Liaison's cold build run by another Python too (one
with Liaison installed: a virtual environment made with that interpreter), in the same rounds,
its turn moving from round to round with the others'; each is named ``liaison-2``,
``liaison-3``... and described before the runs (its version, whether its executable loads
libpython as a shared library, and the reference loop's time on it). How a Python was built
changes Liaison's time: on this machine Debian's python3.11 (made with profile-guided and
link-time optimization, libpython linked into the executable) runs the reference loop in about
70 % of the time the pyenv build (without them, libpython shared) takes, and built the site
12-20 % sooner on 2026-12-02 (README, "Which Python runs Liaison").

How fast the machine is changes from hour to hour (a shared host: the same build has taken
twice as long on a slow hour as on a quiet one). The ratio of the two programs' times, taken
in one run, holds; the other figures are read against the machine's speed, printed before
and after the runs: how long one core takes for a fixed loop of Python additions
(``machine_speed``), about 1 s on this machine when it is quiet.
"""
from __future__ import annotations

import argparse
import contextlib
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
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
sys.path.insert(0, str(REPO))

REFERENCE_LOOP = 20_000_000  # additions timed by ``machine_speed``


def machine_speed(additions: int = REFERENCE_LOOP) -> float:
    """Seconds of wall time a fresh Python takes for ``additions`` additions in a loop at its
    top level (``s += i``): about 1 s for the reference loop on this machine when it is
    quiet, more when the host is busy (the time a build waits for the processor shows in it
    too)."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", f"s = 0\nfor i in range({additions}): s += i"],
                   check=True)
    return time.perf_counter() - start


def interpreter_line(name: str, python: str) -> str:
    """What the Python ``python`` that runs Liaison as ``name`` is: its version, whether its
    executable loads libpython as a shared library (a build made with ``--enable-shared``) or
    has it linked in, and how long the reference loop takes on it, timed inside it (the
    interpreter's own speed: a build without profile-guided optimization takes longer)."""
    probe = ("import sys, time\nt = time.perf_counter()\ns = 0\n"
             f"for i in range({REFERENCE_LOOP}): s += i\n"
             "t = time.perf_counter() - t\n"
             "with open('/proc/self/maps') as fh:\n"
             "    shared = any('libpython' in line for line in fh)\n"
             "print(sys.version.split()[0], int(shared), f'{t:.2f}')")
    done = subprocess.run([python, "-c", probe], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{python} cannot run: {done.stderr.strip()}")
    version, shared, seconds = done.stdout.split()
    library = "libpython shared" if shared == "1" else "libpython linked in"
    return (f"# {name}: {python} (Python {version}, {library}; the reference loop "
            f"{seconds} s on it)")


def _speed_line(when: str) -> str:
    seconds = machine_speed()
    return (f"# machine speed {when}: {seconds:.2f} s for {REFERENCE_LOOP:,} Python additions "
            f"(about 1 s on a quiet hour), load {os.getloadavg()[0]:.2f}")


BASEOF = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} · {{ site.Params.practice }}</title>
<link rel="stylesheet" href="{{ "assets/style.css" | relURL }}"></head>
<body><header><a href="{{ "" | relURL }}">{{ site.Params.practice }}</a>
<nav>{{ range site.Params.nav }}<a href="{{ .href | relURL }}">{{ .label }}</a> {{ end }}</nav>
<form action="{{ "search/" | relURL }}"><input type="search" name="q" aria-label="Search"></form></header>
<main>{{ block "main" . }}{{ end }}</main>
<footer>As of {{ site.Params.asOf }}</footer></body></html>
"""

PARTIALS = {
    "interaction.html": """<li><div class="meta">{{ .date }} · {{ .type }} · by <a href="{{ .liaison_href | relURL }}">{{ .liaison }}</a>{{ with .outcome }} · <span class="badge {{ . }}">{{ . }}</span>{{ end }}</div>
<div><strong>{{ .summary }}</strong></div>
<div class="meta">{{ range $i, $p := .practices }}{{ if $i }}, {{ end }}<a href="{{ $p.href | relURL }}">{{ $p.name }}</a>{{ end }}{{ with .physicians }} — {{ range $i, $d := . }}{{ if $i }}, {{ end }}<a href="{{ $d.href | relURL }}">{{ $d.name }}</a>{{ end }}{{ end }}{{ with .met_with }} — met {{ delimit . ", " }}{{ end }}</div>
{{ with .needs }}<div class="needs">Needs: {{ delimit . "; " }}</div>{{ end }}{{ with .notes }}<div class="note-body">{{ . | markdownify }}</div>{{ end }}</li>
""",
    "chart.html": """<svg viewBox="0 0 500 160" role="img" aria-label="Referrals by month"><title>Referrals by month</title>
{{ $max := 1 }}{{ range .series }}{{ if gt . $max }}{{ $max = . }}{{ end }}{{ end }}
{{ range $i, $v := .series }}{{ $h := div (mul $v 120.0) $max }}<rect x="{{ add 30 (mul $i 19) }}" y="{{ sub 140 $h }}" width="15" height="{{ $h }}"><title>{{ index $.months $i }}: {{ $v }}</title></rect>{{ end }}
{{ range $i, $m := .months }}{{ if eq (mod $i 3) 0 }}<text x="{{ add 30 (mul $i 19) }}" y="155" font-size="12">{{ $m }}</text>{{ end }}{{ end }}</svg>
""",
}

LAYOUTS = {
    "physicians/single.html": """{{ define "main" }}<h1>{{ .Title }}</h1>
<dl class="facts"><dt>Specialty</dt><dd>{{ .Params.specialty }}</dd><dt>Practice</dt><dd><a href="{{ .Params.practice_href | relURL }}">{{ .Params.practice }}</a></dd>
<dt>Status</dt><dd><span class="badge {{ .Params.status }}">{{ .Params.status }}</span></dd><dt>Tier</dt><dd>{{ .Params.tier | default "—" }}</dd>
<dt>Liaison</dt><dd>{{ with .Params.liaison }}<a href="{{ $.Params.liaison_href | relURL }}">{{ . }}</a>{{ else }}—{{ end }}</dd><dt>Referrals, 365 days</dt><dd>{{ .Params.referrals_365d }}</dd>
<dt>Last contact</dt><dd>{{ .Params.last_contact | default "never" }}</dd><dt>NPI</dt><dd>{{ .Params.npi | default "—" }}</dd></dl>
<section class="card"><h2>Referrals by month</h2>{{ partial "chart.html" (dict "series" .Params.series "months" site.Params.months) }}</section>
<section class="card"><h2>Last interactions</h2><ul class="log">{{ range .Params.recent }}{{ partialCached "interaction.html" . .key }}{{ end }}</ul></section>
{{ end }}""",
    "practices/single.html": """{{ define "main" }}<h1>{{ .Title }}</h1>
<dl class="facts"><dt>Address</dt><dd>{{ .Params.address }}, {{ .Params.city }}</dd><dt>Phone</dt><dd>{{ .Params.phone }}</dd>
<dt>Referrals, 365 days</dt><dd>{{ .Params.referrals_365d }}</dd><dt>Last contact</dt><dd>{{ .Params.last_contact | default "never" }}</dd></dl>
<section class="card"><h2>Physicians</h2><ul>{{ range .Params.physicians }}<li><a href="{{ .href | relURL }}">{{ .name }}</a> · {{ .specialty }}</li>{{ end }}</ul></section>
<section class="card"><h2>Office staff</h2><ul>{{ range .Params.staff }}<li>{{ .name }} ({{ .role }}){{ with .notes }} — {{ . | markdownify }}{{ end }}</li>{{ end }}</ul></section>
<section class="card"><h2>Referrals by month</h2>{{ partial "chart.html" (dict "series" .Params.series "months" site.Params.months) }}</section>
<section class="card"><h2>Notes</h2>{{ .Content }}</section>
<section class="card"><h2>Last interactions</h2><ul class="log">{{ range .Params.recent }}{{ partialCached "interaction.html" . .key }}{{ end }}</ul></section>
{{ end }}""",
    "activity/single.html": """{{ define "main" }}<h1>{{ .Title }}</h1>
<ul class="log">{{ range .Params.interactions }}{{ partialCached "interaction.html" . .key }}{{ end }}</ul>{{ end }}""",
    "presentations/single.html": """{{ define "main" }}<h1>{{ .Title }}</h1>
<div class="slides">{{ .Content }}</div>{{ end }}""",
    "_default/list.html": """{{ define "main" }}<h1>{{ .Title }}</h1>
<table><thead><tr><th>Name</th><th>Detail</th><th>Referrals, 365 days</th><th>Last contact</th></tr></thead><tbody>
{{ range .Pages.ByTitle }}<tr><td><a href="{{ .RelPermalink }}">{{ .Title }}</a></td><td>{{ .Params.specialty | default .Params.city }}</td><td>{{ .Params.referrals_365d }}</td><td>{{ .Params.last_contact | default "never" }}</td></tr>{{ end }}
</tbody></table>{{ end }}""",
    "index.html": """{{ define "main" }}<h1>{{ site.Params.practice }}</h1><p>{{ len site.RegularPages }} pages.</p>{{ end }}""",
}


def write_hugo_site(site_root: Path, dest: Path, as_of: dt.date) -> dict:
    """Write the Hugo site for ``site_root`` into ``dest`` (which must not exist); counts."""
    from liaison import pages as registry
    from liaison.decks import deck_targets
    from liaison.derived import month_label
    from liaison.pages.base import RECENT, physician_href, practice_href  # (as many as briefs)
    from liaison.pages.decks import DeckRenderer
    from liaison.pipeline import check

    checked = check(site_root, as_of, keep_records=True)
    if not checked.ok:
        raise SystemExit(f"{site_root}: the site has errors; run validate")
    site, stats = checked.site, checked.stats
    view = registry.SiteView(site, stats, as_of)
    dest.mkdir(parents=True)
    months = [month_label(m) for m in view.months()]
    nav = [{"label": label, "href": href} for label, href in
           (("Physicians", "physicians/"), ("Practices", "practices/"), ("Activity", "activity/"),
            ("Decks", "presentations/"))]
    config = {"baseURL": "/", "title": site.config.practice.name, "disableKinds":
              ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"],
              "params": {"practice": site.config.practice.name, "asOf": as_of.isoformat(),
                         "nav": nav, "months": months},
              "markup": {"goldmark": {"renderer": {"unsafe": False}}}}
    (dest / "hugo.json").write_text(json.dumps(config, indent=1))
    for rel, text in LAYOUTS.items():
        (dest / "layouts" / rel).parent.mkdir(parents=True, exist_ok=True)
        (dest / "layouts" / rel).write_text(text)
    (dest / "layouts" / "_default" / "baseof.html").write_text(BASEOF)
    (dest / "layouts" / "partials").mkdir(parents=True, exist_ok=True)
    for name, text in PARTIALS.items():
        (dest / "layouts" / "partials" / name).write_text(text)
    (dest / "static" / "assets").mkdir(parents=True)
    shutil.copy(REPO / "liaison" / "static" / "style.css", dest / "static" / "assets" / "style.css")

    keys: dict[int, int] = {}  # an interaction's number, by its record: one key on each page

    def interaction(r) -> dict:
        """An interaction as the partial shows it; ``key``, the same on every page that lists
        it, lets Hugo render it once (``partialCached``), as Liaison renders each interaction
        once per process for all its pages (render.Snippets)."""
        name, href = view.member_ref(r.liaison)
        return {"key": keys.setdefault(id(r), len(keys)), "date": r.date.isoformat(),
                "type": r.type, "liaison": name,
                "liaison_href": href or "", "outcome": r.outcome or "", "summary": r.summary,
                "practices": [view.practice_ref(p) for p in ([r.practice] if r.practice else [])],
                "physicians": [view.doc_ref(p) for p in r.physicians], "met_with": r.met_with,
                "needs": r.needs, "notes": r.notes or ""}

    def page(rel: str, front: dict, body: str = "") -> None:
        path = dest / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(front, ensure_ascii=False) + "\n\n" + body, encoding="utf-8")

    counts = {"physicians": 0, "practices": 0, "months": 0, "decks": 0}
    for section, title in (("physicians", "Physicians"), ("practices", "Practices"),
                           ("activity", "Activity"), ("presentations", "Decks")):
        page(f"{section}/_index.md", {"title": title})
    for pid, d in site.physicians.items():
        s = stats.physicians[pid]
        practice = site.practices.get(d.practice)
        page(f"physicians/{pid}.md", {
            "title": d.name, "url": physician_href(pid).removesuffix("index.html"),
            "specialty": d.specialty, "practice": practice.name if practice else d.practice,
            "practice_href": practice_href(d.practice), "status": s.status, "tier": d.tier or "",
            "liaison": view.member_ref(s.liaison)[0] if s.liaison else "",
            "liaison_href": view.member_ref(s.liaison)[1] or "" if s.liaison else "",
            "referrals_365d": s.referrals_365d,
            "last_contact": s.last_contact or "", "npi": d.npi or "",
            "series": view.doc_series.get(pid, [0] * len(months)),
            "recent": [interaction(r) for r in view.by_doc.get(pid, [])[:RECENT]]})
        counts["physicians"] += 1
    for pid, p in site.practices.items():
        s = stats.practices.get(pid)
        docs = view.docs_of_practice.get(pid, [])
        series = [sum(col) for col in zip(*(view.doc_series.get(d, [0] * len(months)) for d in docs))] \
            or [0] * len(months)
        page(f"practices/{pid}.md", {
            "title": p.name, "url": practice_href(pid).removesuffix("index.html"),
            "address": p.address or "", "city": p.city or "", "phone": p.phone or "",
            "referrals_365d": getattr(s, "referrals_365d", 0),
            "last_contact": getattr(s, "last_contact", None) or "",
            "physicians": [{"name": site.physicians[d].name, "href": physician_href(d),
                            "specialty": site.physicians[d].specialty} for d in docs],
            "staff": [{"name": m.name, "role": m.role, "notes": getattr(m, "notes", None) or ""}
                      for m in (p.staff or [])],
            "series": series,
            "recent": [interaction(r) for r in view.by_practice.get(pid, [])[:RECENT]]},
            p.notes or "")
        counts["practices"] += 1
    for m, rows in sorted(view.by_month.items()):
        label = month_label(m)
        page(f"activity/{label}.md", {"title": f"Activity in {label}", "url": f"activity/{label}/",
                                       "interactions": [interaction(r) for r in reversed(rows)]})
        counts["months"] += 1
    decks = DeckRenderer.of(view)
    for deck_id, deck in sorted(site.decks.items()):
        for pid in deck_targets(site, deck):
            slides = decks.markdown(deck_id, pid)
            page(f"presentations/{deck_id}/{pid}.md",
                 {"title": f"{deck.meta.title} · {site.practices[pid].name}",
                  "url": f"presentations/{deck_id}/{pid}/"},
                 "\n\n---\n\n".join(slides))
            counts["decks"] += 1
    (dest / "content" / "_index.md").write_text(json.dumps({"title": "Home"}) + "\n")
    return counts


# ------------------------------------------------------------------ timing


def _tree(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    out, stack = [], [pid]
    while stack:
        p = stack.pop()
        out.append(p)
        stack += children.get(p, [])
    return out


def _memory(pids: list[int]) -> tuple[int, int]:
    """(summed RSS, summed PSS) in bytes of these processes (PSS 0 where unreadable)."""
    rss = pss = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1]) * 1024
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1]) * 1024
        except OSError:
            continue
    return rss, pss


def read_through(tree: Path) -> tuple[float, float]:
    """Read every file below ``tree`` once (into the kernel's page cache): (MB, seconds)."""
    start, size = time.perf_counter(), 0
    for folder, _dirs, names in os.walk(tree):
        for name in names:
            with contextlib.suppress(OSError), open(os.path.join(folder, name), "rb") as f:
                size += len(f.read())
    return size / 1e6, time.perf_counter() - start


def timed(cmd: list[str], cwd: Path | None = None, env: dict | None = None) -> dict:
    """Run ``cmd``; wall and processor seconds, peaks of summed RSS and PSS of its tree, and
    the bytes its tree read from the disk ("disk": what was not in the kernel's page cache;
    files left unread for a while leave it on this machine, see liaison.pagecache)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=env)
    peak = [0, 0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            rss, pss = _memory(_tree(proc.pid))
            peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)
            done.wait(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss": peak[0], "pss": peak[1],
            "load": os.getloadavg()[0], "laps": laps_of(err), "disk": usage.ru_inblock * 512}


def laps_of(err: str) -> list[tuple[float, str]]:
    """The stages a build printed with ``--timings`` ("time:  1.234 s  what it did")."""
    found = []
    for line in err.splitlines():
        if line.startswith("time:"):
            seconds, _, stage = line[5:].strip().partition(" s  ")
            found.append((float(seconds), stage))
    return found


# What the stages of ``build --timings`` begin with, and their short names
STAGE_NAMES = (("load", "load"), ("check+sum", "check"), ("statistics", "stats"),
               ("deck", "decks"), ("index", "index"), ("work out", "keys"),
               ("render and write", "pages"), ("render", "snippets"), ("swap", "swap"),
               ("nothing changed", "nothing changed"), ("hash", "hashes"),
               ("wait for the listing", "spare"), ("compare the pages' keys", "compare"))


def _stage_name(stage: str) -> str:
    return next((name for start, name in STAGE_NAMES if stage.startswith(start)),
                " ".join(stage.split()[:2]))


def laps_line(r: dict, indent: str) -> str:
    """A build's stages of a hundredth of a second or more on one line (each by a short
    name), and the rest of its time outside them (Python's start, imports, waits for the
    processes forked beside): where a slow run spent its time."""
    if not r["laps"]:
        return ""
    shown = [f"{seconds:.2f} {_stage_name(stage)}" for seconds, stage in r["laps"]
             if seconds >= 0.01]
    outside = r["wall"] - sum(seconds for seconds, _stage in r["laps"])
    return f"\n{indent}stages: {', '.join(shown)}; outside them {outside:.2f}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("site", type=Path)
    ap.add_argument("hugo_site", type=Path)
    ap.add_argument("--as-of", default="2026-11-26")
    ap.add_argument("--time", action="store_true", help="time Hugo and Liaison, alternating")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--hugo", default="hugo")
    ap.add_argument("--edits", action="store_true",
                    help="after each Liaison build: a no-op rebuild and one after an edit")
    ap.add_argument("--keep-outputs", action="store_true",
                    help="delete the runs' output folders only at the end, not after each run: "
                         "no run then makes its files just after another's were deleted (on "
                         "ext4 without a journal that slows the next run's file making)")
    ap.add_argument("--serve", type=int, default=0, metavar="SAVES",
                    help="then time `serve` over SAVES saves (bench/serve.py)")
    ap.add_argument("--python", action="append", default=[], metavar="INTERPRETER",
                    help="also time Liaison's cold build run by this Python (one with Liaison "
                         "installed), in the same rounds; repeatable")
    args = ap.parse_args(argv)
    as_of = dt.date.fromisoformat(args.as_of)
    if not args.hugo_site.exists():
        t = time.perf_counter()
        counts = write_hugo_site(args.site.resolve(), args.hugo_site, as_of)
        print(f"wrote {args.hugo_site}: {counts} in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    if not args.time:
        return 0
    if shutil.which(args.hugo) is None:
        raise SystemExit(f"'{args.hugo}' is not installed (Debian: apt-get install hugo)")
    from precompile import compile_package

    compile_package(REPO)  # as installed: no module compiled again in each timed run
    version = subprocess.run([args.hugo, "version"], capture_output=True, text=True).stdout.strip()
    print(f"# {version}; {os.cpu_count()} cores", file=sys.stderr)
    pythons = {"liaison": sys.executable}  # who runs Liaison, by the name of its runs
    for n, python in enumerate(args.python, start=2):
        found = shutil.which(python)
        if found is None:
            raise SystemExit(f"'{python}' is not a Python that can be run")
        pythons[f"liaison-{n}"] = os.path.abspath(found)  # (a venv's python: not resolved)
    for name, python in pythons.items():
        print(interpreter_line(name, python), file=sys.stderr)
    before = _speed_line("before the runs")
    print(before, file=sys.stderr)
    # both programs' input files read once first: the first run of either reads none of them
    # from the disk (files nobody read for a while leave the page cache on this machine)
    for tree in (args.site, args.hugo_site):
        megabytes, seconds = read_through(tree)
        print(f"# read {tree} first: {megabytes:.0f} MB in {seconds:.2f} s", file=sys.stderr)
    runs: dict[str, list[dict]] = {"hugo": [], **{name: [] for name in pythons},
                                   "no-op rebuild": [],
                                   "rebuild, one physician": [],
                                   "rebuild, one interaction file": [],
                                   "rebuild, a visit logged": [],
                                   "rebuild, a visit logged today": [],
                                   "rebuild, one physician again": []}
    work = Path(tempfile.mkdtemp(prefix="hugo-bench-"))
    try:
        turns = ["hugo", *pythons]
        for i in range(args.repeat):
            order = turns[i % len(turns):] + turns[:i % len(turns)]  # each first in turn
            for which in order:
                out = work / f"{which}-{i}"
                if which == "hugo":
                    cmd = [args.hugo, "--quiet", "--source", str(args.hugo_site.resolve()),
                           "--destination", str(out), "--cacheDir", str(work / f"cache-{i}")]
                    env = None
                else:
                    cmd = [pythons[which], str(REPO / "build.py"), "build", "--root",
                           str(args.site.resolve()), "--out", str(out), "--as-of", args.as_of,
                           "--timings"]  # (its stages, printed under its line)
                    # a cache folder of its own, empty, as Hugo's: a cold build reads every
                    # file; the rebuilds after it use what it kept there (one a run: a build
                    # by another Python in the same round would take what this one kept)
                    env = dict(os.environ,
                               LIAISON_CACHE_DIR=str(work / f"liaison-cache-{which}-{i}"))
                r = timed(cmd, env=env)
                runs[which].append(r)
                files = sum(len(f) for _d, _s, f in os.walk(out))
                print(f"{which:8} run {i + 1}: {r['wall']:6.2f} s wall, {r['cpu']:6.2f} s cpu, "
                      f"peak RSS {r['rss'] / 2**20:6.0f} MiB (PSS {r['pss'] / 2**20:6.0f}), "
                      f"{files} files, load {r['load']:.2f}, "
                      f"{r['disk'] / 1e6:.0f} MB read from the disk{laps_line(r, ' ' * 10)}",
                      file=sys.stderr)
                if which == "liaison" and args.edits:
                    for name, r in _rebuilds(cmd, args.site.resolve(), out, env,
                                             args.as_of).items():
                        runs[name].append(r)
                        print(f"  {name:29}: {r['wall']:6.2f} s wall, {r['cpu']:6.2f} s cpu, "
                              f"peak RSS {r['rss'] / 2**20:6.0f} MiB (PSS "
                              f"{r['pss'] / 2**20:6.0f}), load {r['load']:.2f}, "
                              f"{r['disk'] / 1e6:.0f} MB read from the disk"
                              f"{laps_line(r, ' ' * 4)}", file=sys.stderr)
                _wait_for_removal(out)
                if not args.keep_outputs:
                    shutil.rmtree(out)
                    for spare in out.parent.glob(f".{out.name}.old-*"):  # kept by the builds
                        shutil.rmtree(spare)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(before)
    print(_speed_line("after the runs"))
    walls = {name: [r["wall"] for r in runs[name]] for name in ("hugo", *pythons)}
    for name, w in walls.items():
        print(f"{name:7} median {statistics.median(w):.2f} s ({min(w):.2f}–{max(w):.2f})")
    for name in pythons:
        print(f"ratio {name}/hugo (medians): "
              f"{statistics.median(walls[name]) / statistics.median(walls['hugo']):.2f}")
    for name in ("hugo", *pythons):
        pss = [r["pss"] / 2**20 for r in runs[name]]
        print(f"{name} summed peak PSS: median {statistics.median(pss):.0f} MiB "
              f"({min(pss):.0f}–{max(pss):.0f})")
    for name, values in runs.items():
        if name != "hugo" and name not in pythons and values:
            w = [r["wall"] for r in values]
            print(f"{name}: median {statistics.median(w):.2f} s ({min(w):.2f}–{max(w):.2f}), "
                  f"summed peak PSS up to {max(r['pss'] for r in values) / 2**20:.0f} MiB")
    if args.serve:
        from serve import main as serve_bench

        serve_bench([str(args.site), "--saves", str(args.serve), "--as-of", args.as_of])
    return 0


def _with_phone(text: bytes, phone: str) -> bytes:
    """A physician's file with another phone number (added when it has none)."""
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith(b"phone:"):
            lines[i] = f"phone: {phone}\n".encode()
            return b"".join(lines)
    return text + f"phone: {phone}\n".encode()


def _with_visit(text: bytes, day: str | None = None) -> bytes:
    """An interaction file with one more interaction: its last one again, with another
    summary (the same people, practice, dates and follow-ups: a second visit logged); with
    ``day`` (YYYY-MM-DD), dated that day instead (a visit logged on the as-of date moves the
    last contact of what it names, which the directories show)."""
    lines = text.splitlines(keepends=True)
    start = max(i for i, line in enumerate(lines) if line.startswith(b"- date:"))
    visit = [b"  summary: Logged again by bench/hugo.py.\n" if line.startswith(b"  summary:")
             else line for line in lines[start:]]
    if day is not None:
        visit[0] = f"- date: {day}\n".encode()
    return text + (b"" if text.endswith(b"\n") else b"\n") + b"".join(visit)


def _rebuilds(cmd: list[str], site: Path, out: Path, env: dict | None,
              as_of: str) -> dict[str, dict]:
    """After a cold build into ``out``: a build with nothing changed, then a build after one
    physician's phone number is changed, then one after a line is added to the newest
    interaction file (a comment), then one after a visit is logged in it (``_with_visit``:
    the statistics change), then one after that visit is dated ``as_of`` instead (its
    people's last contact moves), then one after the physician's phone number is changed again
    (each file is put back afterwards; the builds are incremental: each takes the pages the
    edit did not touch from the site the build before wrote, or leaves them in the spare, the
    site before that, which the first rebuild does not have yet and makes of the site in
    place while it reads the records: the last four show what every later edit costs)."""
    found = {"no-op rebuild": timed(cmd, env=env)}
    doc = sorted((site / "data" / "physicians").glob("*.yaml"))[0]
    log = max((site / "data" / "interactions").rglob("*.yaml"))
    texts = {doc: doc.read_bytes(), log: log.read_bytes()}
    try:  # one edit after the other: each build sees one file changed
        for name, path, text in (
                ("rebuild, one physician", doc, _with_phone(texts[doc], "828-555-0147")),
                ("rebuild, one interaction file", log,
                 texts[log] + b"# edited by bench/hugo.py\n"),
                ("rebuild, a visit logged", log, _with_visit(texts[log])),
                ("rebuild, a visit logged today", log, _with_visit(texts[log], as_of)),
                ("rebuild, one physician again", doc, _with_phone(texts[doc], "828-555-0148"))):
            path.write_bytes(text)
            found[name] = timed(cmd, env=env)
            _wait_for_removal(out)
    finally:
        for path, text in texts.items():
            path.write_bytes(text)
    return found


def _wait_for_removal(out: Path) -> None:
    """Until any old site a build removes in the background is gone (no run overlaps
    another's disk work; a build keeps the site it replaced as its spare, and removes only
    what it cannot keep)."""
    while any((p / ".liaison-deleting").exists() for p in out.parent.glob(f".{out.name}.old-*")):
        time.sleep(0.2)


if __name__ == "__main__":
    raise SystemExit(main())
