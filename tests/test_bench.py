"""The benchmark scripts: the start of a build timed (bench/checked.py); the generated
site (bench/generate.py); the build beside Hugo's (bench/hugo.py); a timeline of a
command's functions (bench/timeline.py)."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys

import pytest

from conftest import REPO


def test_the_start_of_a_build_is_timed_until_the_records_are_checked(example_site, tmp_path):
    """bench/checked.py runs a build with no site to compare and stops it where it would
    render: nothing is written beside the site, and a version that cannot get there fails
    the benchmark with its own message."""
    before = sorted(p.name for p in example_site.parent.iterdir())
    done = subprocess.run([sys.executable, str(REPO / "bench" / "checked.py"), str(example_site),
                           "--rounds", "2", "--build-py", str(REPO / "build.py")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    runs = [line for line in done.stdout.splitlines() if line.startswith("round ")]
    assert len(runs) == 2 and all(" s (load " in line for line in runs), done.stdout
    assert "median" in done.stdout.splitlines()[-1] and "2 runs" in done.stdout
    assert sorted(p.name for p in example_site.parent.iterdir()) == before
    failed = subprocess.run([sys.executable, str(REPO / "bench" / "checked.py"),
                             str(tmp_path / "missing"), "--rounds", "1"],
                            capture_output=True, text=True, timeout=300)
    assert failed.returncode == 1
    assert "is not a folder" in failed.stderr and "did not get there" in failed.stderr


def test_distinct_notes_end_each_note_with_a_line_of_its_own_and_change_nothing_else(tmp_path):
    """bench/generate.py draws the notes from a pool of lines; ``--distinct-notes`` ends
    each with a line of its own (a team's notes are mostly distinct) and writes every other
    record as it was. Both sites are valid."""
    import yaml

    from liaison.pipeline import check

    sites = {}
    for name, extra in (("pool", []), ("distinct", ["--distinct-notes"])):
        sites[name] = tmp_path / name
        done = subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"),
                               str(sites[name]), "--physicians", "40", *extra],
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr

    def interactions(root):
        out = []
        for path in sorted((root / "data" / "interactions").rglob("*.yaml")):
            out += yaml.safe_load(path.read_text(encoding="utf-8"))
        return out

    pool, distinct = interactions(sites["pool"]), interactions(sites["distinct"])
    assert len(pool) == len(distinct) > 500
    assert all(("notes" in a) == ("notes" in b) for a, b in zip(pool, distinct))
    noted = [(a, b) for a, b in zip(pool, distinct) if "notes" in a]
    assert all(b["notes"].startswith(a["notes"].rstrip("\n")) and b["notes"] != a["notes"]
               for a, b in noted)
    assert all({k: v for k, v in a.items() if k != "notes"} ==
               {k: v for k, v in b.items() if k != "notes"} for a, b in zip(pool, distinct))
    assert len({b["notes"] for _a, b in noted}) == len(noted)  # each its own
    assert len({a["notes"] for a, _b in noted}) < len(noted) * 0.6  # drawn from a pool
    for root in sites.values():
        assert check(root, dt.date(2026, 11, 26)).ok


def _needs_hugo() -> None:
    if shutil.which("hugo") is None:
        reason = "hugo is not installed (Debian's hugo)"
        if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
            pytest.fail(f"{reason}; CI is set: the bench's test may not be skipped", pytrace=False)
        pytest.skip(reason)


def test_the_side_by_side_bench_reports_the_machines_speed_before_and_after_its_runs(
        example_site, tmp_path):
    """bench/hugo.py writes a Hugo site of the same pages, times Hugo and Liaison on it and
    prints the ratio of their medians; the machine's speed (a fixed loop of Python
    additions, about 1 s on a quiet hour) comes before and after the runs, so that the
    figures of a slow hour read as such. Under each of Liaison's builds (the cold one and
    the rebuilds after edits) come its stages and the time outside them. The rebuilds' summed
    peak PSS is printed as the cold builds' is (it was their RSS alone, so the memory aim,
    of every process of a build, was read on cold builds only)."""
    _needs_hugo()
    hugo_site = tmp_path / "hugo-site"
    done = subprocess.run([sys.executable, str(REPO / "bench" / "hugo.py"), str(example_site),
                           str(hugo_site), "--as-of", "2026-11-26", "--time", "--repeat", "1",
                           "--edits"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    speeds = [line for line in lines if line.startswith("# machine speed")]
    assert [line.split(":")[0] for line in speeds] == [
        "# machine speed before the runs", "# machine speed after the runs"], done.stdout
    for line in speeds:
        seconds = float(line.split(": ", 1)[1].split(" s for ", 1)[0])
        assert 0 < seconds < 600 and "20,000,000 Python additions" in line and ", load " in line
    assert lines.index(speeds[1]) < next(i for i, line in enumerate(lines)
                                         if line.startswith("ratio liaison/hugo"))
    summed = [line for line in lines if line.startswith(("no-op rebuild: ", "rebuild, "))]
    assert len(summed) == 6 and all(", summed peak PSS up to " in line for line in summed), lines
    assert (hugo_site / "hugo.json").is_file()
    assert "liaison  run 1:" in done.stderr and "hugo     run 1:" in done.stderr
    err = done.stderr.splitlines()
    assert all(" MB read from the disk" in line for line in err
               if " run 1:" in line or line.startswith("  rebuild, ")), done.stderr
    first = [i for i, line in enumerate(err) if line.startswith("# read ")]
    assert [err[i].split(" first: ")[0] for i in first] == [
        f"# read {example_site}", f"# read {hugo_site}"], done.stderr
    assert first[-1] < next(i for i, line in enumerate(err) if line.startswith("hugo     run 1:"))
    cold = err[next(i for i, line in enumerate(err) if line.startswith("liaison  run 1:")) + 1]
    assert cold.startswith(" " * 10 + "stages: ") and " load, " in cold, cold
    assert " pages" in cold and "; outside them " in cold, cold
    rebuilds = [i for i, line in enumerate(err) if line.startswith("  rebuild, ")]
    assert [err[i].split(":", 1)[0].strip() for i in rebuilds] == [
        "rebuild, one physician", "rebuild, one interaction file", "rebuild, a visit logged",
        "rebuild, a visit logged today", "rebuild, one physician again"], done.stderr
    for i in rebuilds:  # (the memory aim is of every build: a rebuild's PSS too)
        assert " MiB (PSS " in err[i], err[i]
        assert err[i + 1].startswith(" " * 4 + "stages: "), err[i + 1]
        outside = float(err[i + 1].rsplit("outside them ", 1)[1])
        wall = float(err[i].split(":", 1)[1].split(" s wall")[0])
        assert 0 <= outside < wall, (err[i], err[i + 1])


def test_a_timed_run_says_what_it_read_from_the_disk(tmp_path):
    """bench/hugo.py's ``timed`` gives the bytes a command's processes read from the disk:
    a run that read files out of the kernel's page cache reads as such."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the bytes read from the disk are Linux's count")
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import hugo
    finally:
        sys.path.remove(str(REPO / "bench"))
    data = tmp_path / "data.bin"
    data.write_bytes(os.urandom(4 << 20))
    fd = os.open(data, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)
    reader = [sys.executable, "-c", f"open({str(data)!r}, 'rb').read()"]
    cold = hugo.timed(reader)
    if cold["disk"] == 0:
        pytest.skip("this file system keeps its files in memory: nothing is read from a disk")
    assert cold["disk"] >= 4 << 20
    assert hugo.timed(reader)["disk"] < 1 << 20  # (in the page cache now)


def test_the_bench_times_liaison_run_by_another_python_in_the_same_rounds(example_site,
                                                                           tmp_path):
    """``--python`` adds Liaison's cold build run by another interpreter to each round (here
    the same one again, under its own name), its turn moving from round to round with the
    others', each build with a cache folder of its own, empty; each interpreter is described
    before the runs, and has its median, its ratio to Hugo's and its peak memory after them.
    An interpreter that cannot be run is a message."""
    _needs_hugo()
    hugo_site = tmp_path / "hugo-site"
    bench = [sys.executable, str(REPO / "bench" / "hugo.py"), str(example_site), str(hugo_site),
             "--as-of", "2026-11-26", "--time"]
    # the other Python: this one, behind a script that notes the cache folder each build is
    # given and what it holds when the build starts (not for the description's probe)
    noted = tmp_path / "caches.txt"
    other = tmp_path / "other-python"
    other.write_text('#!/bin/sh\n'
                     'if [ "${1##*/}" = build.py ]; then\n'
                     '  held=$(ls -A "$LIAISON_CACHE_DIR" 2>/dev/null | wc -l)\n'
                     f'  echo "$LIAISON_CACHE_DIR $held" >> "{noted}"\n'
                     'fi\n'
                     f'exec "{sys.executable}" "$@"\n')
    other.chmod(0o755)
    done = subprocess.run([*bench, "--repeat", "2", "--python", str(other)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    caches = [line.rsplit(" ", 1) for line in noted.read_text().splitlines()]
    assert len(caches) == 2 and len({folder for folder, _n in caches}) == 2, caches
    assert all(int(n) == 0 for _folder, n in caches), caches  # each build as cold as Hugo's
    err = done.stderr.splitlines()
    described = [line for line in err if line.startswith(("# liaison: ", "# liaison-2: "))]
    assert len(described) == 2, done.stderr
    for line, name, python in zip(described, ("liaison", "liaison-2"),
                                  (sys.executable, str(other))):
        assert line.startswith(f"# {name}: {python} (Python {sys.version.split()[0]}, "
                               f"libpython "), line
        seconds = float(line.split("the reference loop ")[1].split(" s on it)")[0])
        assert 0 < seconds < 600, line
    runs = [line.split(":")[0].split() for line in err if " run " in line and " s wall," in line]
    assert runs == [["hugo", "run", "1"], ["liaison", "run", "1"], ["liaison-2", "run", "1"],
                    ["liaison", "run", "2"], ["liaison-2", "run", "2"], ["hugo", "run", "2"]], \
        done.stderr
    out = done.stdout
    for name in ("liaison", "liaison-2"):
        assert f"{name:7} median " in out and f"ratio {name}/hugo (medians): " in out, out
        assert f"{name} summed peak PSS: median " in out, out
    missing = subprocess.run([*bench, "--repeat", "1", "--python", str(tmp_path / "no-python")],
                             capture_output=True, text=True, timeout=600)
    assert missing.returncode != 0
    assert "is not a Python that can be run" in missing.stderr, missing.stderr
    assert "Traceback" not in missing.stderr


@pytest.mark.parametrize("how", [[], ["--forked"], ["--serve"]])
def test_random_edits_compare_every_build_with_a_full_one(tmp_path, how):
    """bench/random_edits.py edits a generated site at random and compares, after each
    step, the incremental build (or the site ``serve`` keeps in memory) with a full build,
    file by file; it never writes into a folder it did not make."""
    work = tmp_path / "edits"
    done = subprocess.run([sys.executable, str(REPO / "bench" / "random_edits.py"), str(work),
                           "--physicians", "30", "--steps", "3", "--seed", "2", *how],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    steps = [line for line in done.stdout.splitlines() if line.startswith("step ")]
    assert len(steps) == 3 and all(line.endswith(("same", "taken back")) for line in steps), steps
    compared = sum(line.endswith("same") for line in steps)
    assert done.stdout.splitlines()[-1] == f"{compared} builds compared, 0 failed"
    assert compared >= 1
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("kept")
    refused = subprocess.run([sys.executable, str(REPO / "bench" / "random_edits.py"), str(mine)],
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode == 1 and "was not written by this script" in refused.stderr
    assert (mine / "notes.txt").read_text() == "kept"


def test_the_pages_are_timed_by_kind_in_the_builds_own_processes(example_site, tmp_path):
    """bench/pages.py runs a full build with each page's render, its context, the files
    written and the folders made timed in the processes that render: every page the build
    made is counted once, under its kind, the context within the render; the site goes to
    the folder named (which must not exist yet), nothing else beside the site."""
    before = sorted(p.name for p in example_site.parent.iterdir())
    (tmp_path / "elsewhere").mkdir()
    out = tmp_path / "elsewhere" / "timed-site"
    done = subprocess.run([sys.executable, str(REPO / "bench" / "pages.py"), str(example_site),
                           "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    built = int(next(line for line in lines if line.startswith("built ")).split()[1])
    head = next(i for i, line in enumerate(lines) if line.split()[:2] == ["kind", "pages"])
    rows = {}
    for line in lines[head + 1:]:
        if line.startswith("process "):
            break
        cells = line.rsplit(None, 5) if not line.strip().startswith("every page") else None
        if cells is None:
            assert int(line.split()[2]) == built, line
            continue
        kind, n, each, context, template, seconds = cells
        rows[kind.strip()] = (int(n), float(each), float(context), float(template), float(seconds))
    assert sum(n for n, *_rest in rows.values()) == built
    assert {"physician", "practice", "deck", "activity-month"} <= rows.keys(), rows
    assert rows["physician"][2] > 0 and rows["physician"][3] > 0  # both parts timed
    for kind, (n, each, context, template, seconds) in rows.items():
        assert 0 <= context <= each and abs(context + template - each) < 0.02, (kind, rows[kind])
    procs = [line for line in lines if line.startswith("process ")]
    assert procs and sum(int(line.split(": ", 1)[1].split()[0]) for line in procs) == built
    assert (out / "index.html").is_file() and len(list(out.glob("physicians/*/index.html"))) \
        == rows["physician"][0]
    assert sorted(p.name for p in example_site.parent.iterdir()) == sorted([*before, "elsewhere"])
    again = subprocess.run([sys.executable, str(REPO / "bench" / "pages.py"), str(example_site),
                            "--out", str(out)], capture_output=True, text=True, timeout=60)
    assert again.returncode == 1 and "exists" in again.stderr


@pytest.mark.parametrize("edit", ["phone", "visit"])
def test_the_records_an_edit_reads_are_counted_in_each_process(tmp_path, edit):
    """bench/reads.py builds a site, makes one edit and builds again with every read of an
    interaction's field counted: the build's own process reports how many distinct
    interactions it read (no more than the site holds) and where; the edited file is put
    back as it was, and nothing is left in the temporary folder. A site with nothing to
    edit gets a message, not a traceback."""
    site = tmp_path / "site"
    made = subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), str(site),
                           "--physicians", "30"], capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stderr
    files = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    done = subprocess.run([sys.executable, str(REPO / "bench" / "reads.py"), str(site),
                           "--edit", edit, "--top", "3"], capture_output=True, text=True,
                          timeout=300, env=dict(os.environ, TMPDIR=str(scratch)))
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"after the edit ({edit}, data/") and " pages (" in lines[0]
    own = next(line for line in lines if line.startswith("the build's own process: "))
    read, held = (int(word.replace(",", "")) for word in own.split() if word[0].isdigit())
    assert 0 < read <= held, own
    at = lines.index(own)
    places = lines[at + 1:at + 4]
    assert len(places) == 3 and all(" records " in p and " reads " in p and ".py:" in p
                                    for p in places), lines
    assert all(int(p.split()[0].replace(",", "")) <= read for p in places)
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == files
    assert list(scratch.iterdir()) == []
    missing = subprocess.run([sys.executable, str(REPO / "bench" / "reads.py"),
                              str(tmp_path / "nowhere")], capture_output=True, text=True,
                             timeout=60)
    assert missing.returncode == 1 and "not a site root" in missing.stderr
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / "site.yaml").write_bytes((site / "site.yaml").read_bytes())
    nothing = subprocess.run([sys.executable, str(REPO / "bench" / "reads.py"), str(bare),
                              "--edit", edit], capture_output=True, text=True, timeout=60,
                             env=dict(os.environ, TMPDIR=str(scratch)))
    assert nothing.returncode == 1 and "Traceback" not in nothing.stderr
    assert list(scratch.iterdir()) == []  # (no temporary folder made for nothing)
    assert ("no physician file" if edit == "phone" else "no interaction file") in nothing.stderr


def test_a_timeline_notes_each_call_of_the_functions_named_in_every_process(example_site,
                                                                             tmp_path):
    """bench/timeline.py runs a command with its functions timed in whichever process calls
    them: the build's check ends before its rendering starts, each call starts before it
    ends, the command's own output and exit code come through, and a function that does not
    exist is refused."""
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "timeline.py"), "--profile",
         "liaison.pipeline._statistics", "--", "build", "--root", str(example_site), "--out",
         str(tmp_path / "out"), "--as-of", "2026-11-26"],
        capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "built " in done.stdout + done.stderr and (tmp_path / "out" / "index.html").is_file()
    lines = done.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.split()[:2] == ["process", "start"])
    rows = {}
    for line in lines[header + 1:]:
        if not line.strip():
            break
        pid, start, end, cpu, system, faults, name = line.split()[:7]
        assert int(pid) > 0 and 0 <= float(start) <= float(end) and float(cpu) >= 0
        assert 0 <= float(system) <= float(cpu) + 0.01 and int(faults) >= 0
        rows.setdefault(name, []).append((float(start), float(end), int(faults)))
    assert rows["liaison.pipeline._checked"][0][1] <= rows["liaison.render.build_site"][0][0]
    assert rows["liaison.render.build_site"][0][2] > 0  # (the render writes new memory)
    assert "function calls" in done.stdout  # the profile of the statistics
    refused = subprocess.run([sys.executable, str(REPO / "bench" / "timeline.py"),
                              "--function", "liaison.pipeline.no_such_thing", "--", "validate"],
                             capture_output=True, text=True, timeout=300)
    assert refused.returncode == 2 and "no function liaison.pipeline.no_such_thing" \
        in refused.stderr


def test_the_serve_bench_copies_only_a_site_root(tmp_path):
    """bench/serve.py SITE copied SITE whatever it was: given /tmp (a slip for /tmp/site), it
    copied /tmp into its own temporary folder below it, 29 GB in 5 minutes, and on. A folder
    without site.yaml is now refused before anything is copied."""
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.txt").write_text("buy milk\n")
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    proc = subprocess.run([sys.executable, str(REPO / "bench" / "serve.py"), str(tmp_path),
                           "--saves", "1"], capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode != 0
    assert "no site.yaml" in proc.stderr, proc.stderr
    assert "copied" not in proc.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes"], "nothing copied"


def test_hugos_briefs_list_as_many_interactions_as_liaisons(tmp_path):
    """bench/hugo.py gave each of Hugo's physician and practice pages the last 10
    interactions "as Liaison's briefs show", and Liaison's show 8: on a 300-physician
    generated site 2,993 interactions (1,482 notes) on Hugo's physician pages against 2,399
    (1,183) on Liaison's, 1,000 against 800 on the practices'.
    Each of Hugo's briefs lists as many as Liaison's page does; and a physician's liaison is
    named as on Liaison's page (Hugo's said the id, ``t-0004``)."""
    import json
    import re

    from conftest import cli

    sys.path.insert(0, str(REPO / "bench"))
    try:
        import hugo
    finally:
        sys.path.remove(str(REPO / "bench"))
    site = tmp_path / "site"
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), str(site),
                    "--physicians", "30"], check=True, capture_output=True, timeout=300)
    hugo.write_hugo_site(site, tmp_path / "hugo", dt.date(2026, 11, 26))
    code, _out, err = cli("build", "--root", str(site), "--out", str(tmp_path / "out"),
                          "--as-of", "2026-11-26")
    assert code == 0, err
    compared = more = named = 0
    for kind in ("physicians", "practices"):
        for page in sorted((tmp_path / "hugo" / "content" / kind).glob("[!_]*.md")):
            front = json.loads(page.read_text(encoding="utf-8").split("\n\n", 1)[0])
            html = (tmp_path / "out" / front["url"] / "index.html").read_text(encoding="utf-8")
            listed = html.split(">Last interactions</h2>", 1)[1].split("</section>", 1)[0]
            items = re.findall(r'<li>\s*<div class="meta"><time ', listed)  # (not a note's)
            assert len(front["recent"]) == len(items), page
            if kind == "physicians" and front["liaison"]:  # named as Liaison names them
                member = f'<a href="../../{front["liaison_href"]}">{front["liaison"]}</a>'
                assert member in html.split("</h1>", 1)[1].split("</section>", 1)[0], page
                named += 1
            compared += 1
            more += "earlier interactions in the activity log" in html
    assert compared > 10 and more and named, (compared, more, named)  # (some list fewer)


def test_hugo_renders_each_interaction_once_for_all_its_pages(example_site, tmp_path):
    """Liaison renders an interaction once for every page that lists it (render.Snippets);
    bench/hugo.py had Hugo render it again on each page (its physicians', its practice's, its
    month's). Its pages now call ``partialCached`` with a key of the interaction's own: the
    same on every page that lists it, another for each other interaction."""
    import json

    sys.path.insert(0, str(REPO / "bench"))
    try:
        import hugo
    finally:
        sys.path.remove(str(REPO / "bench"))
    hugo.write_hugo_site(example_site, tmp_path / "hugo", dt.date(2026, 11, 26))
    layouts = "".join(p.read_text() for p in (tmp_path / "hugo" / "layouts").rglob("*.html"))
    assert 'partial "interaction.html"' not in layouts
    assert layouts.count('partialCached "interaction.html" . .key') == 3
    seen: dict[int, str] = {}
    listed = 0
    for page in (tmp_path / "hugo" / "content").rglob("[!_]*.md"):
        front = json.loads(page.read_text(encoding="utf-8").split("\n\n", 1)[0])
        for item in front.get("recent", []) + front.get("interactions", []):
            shown = json.dumps({k: v for k, v in item.items() if k != "key"}, sort_keys=True)
            assert seen.setdefault(item["key"], shown) == shown, (page, item)
            listed += 1
    assert len(seen) < listed, (len(seen), listed)  # (some listed on several pages)


def test_the_serve_bench_edits_the_interaction_of_the_physician_whose_page_it_reads(tmp_path):
    """bench/serve.py read the page of the physician the newest interaction file's first
    interaction listing one names, but edited the summary of the file's first interaction,
    which may list none (a visit to the practice): the page never showed the edit, and on a
    300-physician generated site the bench stopped at its first save ("does not show 'save
    1'"). The summary edited is the one of the interaction whose physician's page is read."""
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import serve
    finally:
        sys.path.remove(str(REPO / "bench"))
    (tmp_path / "data" / "physicians").mkdir(parents=True)
    for n in range(1, 8):
        (tmp_path / "data" / "physicians" / f"d-{n:06}.yaml").write_text(f"name: Doc {n}\n")
    log = tmp_path / "data" / "interactions" / "2026" / "11" / "t-0001.yaml"
    log.parent.mkdir(parents=True)
    log.write_text("- date: 2026-11-01\n  type: visit\n  practice: p-00001\n"
                   "  summary: To the practice.\n"
                   "- date: 2026-11-02\n  type: visit\n  practice: p-00002\n"
                   "  physicians: [d-000005]\n  summary: To the physician.\n")
    targets = serve._edits(tmp_path)
    path, page, field, start = targets[1]
    assert (path, page, field) == (log, "physicians/d-000005/index.html", "summary")
    for i in (1, 2):
        serve._edit(path, field, f"save {i}", start)
    text = log.read_text()
    assert "summary: To the practice.\n" in text, text
    assert "summary: To the physician. (save 2)\n" in text, text
    doc, doc_page, doc_field, doc_start = targets[0]
    serve._edit(doc, doc_field, "save 3", doc_start)
    assert doc.read_text() == f"name: Doc {int(doc.stem[2:])} (save 3)\n"
    assert doc_page == f"physicians/{doc.stem}/index.html"


def test_the_bare_parse_says_how_to_call_it(example_site, tmp_path):
    """bench/parse_only.py read `--help` as the site folder (and walked nothing, "parsed 0
    files"); it prints its use, and a folder that is not there is refused, not timed."""
    script = str(REPO / "bench" / "parse_only.py")
    shown = subprocess.run([sys.executable, script, "--help"], capture_output=True, text=True)
    assert shown.returncode == 0 and "SITE_ROOT" in shown.stdout, shown
    gone = subprocess.run([sys.executable, script, str(tmp_path / "nowhere")], capture_output=True, text=True)
    assert gone.returncode == 1 and "usage:" in gone.stderr and "parsed" not in gone.stdout
    timed = subprocess.run([sys.executable, script, str(example_site)], capture_output=True, text=True)
    assert timed.returncode == 0 and timed.stdout.startswith("parsed ") and "parsed 0 " not in timed.stdout


@pytest.mark.parametrize("script, rows, near", [("nppes.py", 60, []),
                                               ("cms.py", 2000, ["--near-zip", "287"])])
def test_the_import_benches_print_the_imports_lines_and_its_processor_time(script, rows, near,
                                                                           example_site, tmp_path):
    """bench/nppes.py --time printed the import's last two lines as a Python list
    ("['3,000 rows: would add …', '5.37 s elapsed, …']") and no processor time, which
    docs/performance.md quotes; it prints them as lines now, as bench/cms.py does. Without
    --root either refuses (usage), where it ran the import on a folder named "None", and an
    import that fails fails the bench (cms.py printed its rows a second and exited 0)."""
    out = tmp_path / "registry.csv"
    bench = [sys.executable, str(REPO / "bench" / script), str(out), "--rows", str(rows)]
    timed = subprocess.run([*bench, "--time", "--root", str(example_site), *near],
                           capture_output=True, text=True, timeout=300)
    assert timed.returncode == 0, timed.stderr
    lines = timed.stdout.splitlines()
    assert not any(line.startswith("[") for line in lines), timed.stdout
    assert any(" s user, " in line and " s system, " in line and "peak resident" in line
               for line in lines), timed.stdout
    assert lines[-1].startswith(f"{rows:,} rows in ") and lines[-1].endswith(" rows a second"), timed.stdout
    rootless = subprocess.run([*bench, "--time"], capture_output=True, text=True, timeout=300)
    assert rootless.returncode == 2 and "--time needs --root" in rootless.stderr, rootless
    failing = subprocess.run([*bench, "--time", "--root", str(example_site / "data")],
                             capture_output=True, text=True, timeout=300)
    assert failing.returncode == 1 and "rows a second" not in failing.stdout, failing


def test_the_decks_bench_times_the_checkout_put_first_on_pythonpath(example_site, tmp_path):
    """bench/README: to time an older version, put its checkout first on PYTHONPATH. decks.py
    put its own checkout before PYTHONPATH's entries, so it timed this version whatever
    PYTHONPATH said; without PYTHONPATH it still takes its own, not an installed one."""
    old = tmp_path / "old"
    shutil.copytree(REPO / "liaison", old / "liaison", ignore=shutil.ignore_patterns("__pycache__"))
    script = [sys.executable, str(REPO / "bench" / "decks.py"), str(example_site), "--runs", "1"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    for given, expected in ((str(old), old / "liaison"), (None, REPO / "liaison")):
        run = subprocess.run(script, capture_output=True, text=True, timeout=300,
                             env={**env, "PYTHONPATH": given} if given else env)
        assert run.returncode == 0, run.stderr
        assert run.stdout.splitlines()[0] == f"liaison from {expected}", run.stdout


def test_the_serve_bench_says_which_file_each_save_edited(example_site):
    """bench/serve.py's "edit" column showed the edited file's folder ("11", the month of the
    interaction file, or "physicians") and the load average as a Python list
    ("['5.17', '4.76', '2.57']"); it names the kind of file saved, and prints three numbers."""
    proc = subprocess.run([sys.executable, str(REPO / "bench" / "serve.py"), str(example_site),
                           "--saves", "2"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("save  edit"))
    assert sorted(line.split()[1] for line in lines[header + 1:header + 3]) == ["interaction", "physician"]
    load = next(line for line in lines if line.startswith("load average: "))
    assert len(load.split()) == 5 and "[" not in load, load


def test_the_bench_never_replaces_a_site_generated_with_other_parameters(tmp_path):
    """bench/run.py --site DIR, where DIR was written by bench/generate.py with other
    parameters (another N, --edition 1, --distinct-notes), deleted it and generated another
    (a 300-physician site became a 1,000-physician one, run.py's default N): it refuses,
    naming both sets of parameters, and leaves DIR as it was. With the same parameters the
    site is reused."""
    site = tmp_path / "site"
    made = subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), str(site),
                           "--physicians", "6", "--edition", "1"],
                          capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stderr
    marker = (site / ".liaison-bench").read_text()
    run = [sys.executable, str(REPO / "bench" / "run.py"), "--site", str(site), "--commands", "validate"]
    refused = subprocess.run([*run, "--physicians", "6"], capture_output=True, text=True, timeout=300)
    assert refused.returncode == 1, refused
    assert "physicians 6, seed 1, as-of 2026-11-26, edition 1, not with physicians 6, seed 1, " \
           "as-of 2026-11-26, edition 2" in refused.stderr, refused.stderr
    assert (site / ".liaison-bench").read_text() == marker
    reused = subprocess.run([*run, "--physicians", "6", "--edition", "1"], capture_output=True,
                            text=True, timeout=300)
    assert reused.returncode == 0 and "(reused;" in reused.stdout, reused
