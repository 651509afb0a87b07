"""The pipeline gives the same answer however the work is shared out."""
from __future__ import annotations

import datetime as dt
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO
from liaison import pipeline
from liaison.workers import can_fork

D = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("gen") / "site"
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), str(out),
                    "--physicians", "120", "--as-of", D.isoformat()], check=True,
                   capture_output=True)
    return out


@pytest.mark.skipif(not can_fork(), reason="fork is not available on this platform")
def test_forked_workers_agree_with_one_process(generated, monkeypatch):
    monkeypatch.setattr(pipeline, "PARALLEL_BYTES", 0)
    one = pipeline.check(generated, D, keep_records=True, workers=1)
    kept = pipeline.check(generated, D, keep_records=True)  # one process checks, one sums
    two = pipeline.check(generated, D, workers=2)
    three = pipeline.check(generated, D, workers=3)
    assert one.ok and one.counts["interactions"] > 1000
    assert one.stats == kept.stats == two.stats == three.stats
    assert one.counts == kept.counts == two.counts == three.counts
    assert one.report == kept.report == two.report == three.report


@pytest.mark.skipif(not can_fork(), reason="fork is not available on this platform")
def test_forked_workers_report_every_problem(generated, tmp_path, monkeypatch):
    import shutil

    site = tmp_path / "site"
    shutil.copytree(generated, site)
    csvs = sorted((site / "data" / "referrals").glob("*.csv"))
    lists = sorted((site / "data" / "interactions").rglob("*.yaml"))
    with open(csvs[0], "a") as fh:
        fh.write("2026-01-01,webb,,nope,referred,\n")
    with open(lists[-1], "a") as fh:
        fh.write("- {date: 2026-02-30, liaison: nobody, type: visit, summary: x, practice: p-00001}\n")
    monkeypatch.setattr(pipeline, "PARALLEL_BYTES", 0)
    one = pipeline.check(site, D, keep_records=True, workers=1)
    kept = pipeline.check(site, D, keep_records=True)  # checked in a forked process
    two = pipeline.check(site, D, workers=2)
    assert not one.ok
    assert one.report == kept.report == two.report
    assert {d.path for d in two.report.errors} == {csvs[0].relative_to(site).as_posix(),
                                                    lists[-1].relative_to(site).as_posix()}


@pytest.mark.skipif(not can_fork(), reason="fork is not available on this platform")
def test_interactions_read_by_the_second_process_come_back_in_one_reads_order(
        generated, tmp_path, monkeypatch):
    """A build's second process takes the interaction files' chunks from the back while
    this one reads the referral files, then takes the interaction files' chunks from the
    front, and sends their records back: the site holds the same records in the same order
    (by date, then file, then place), with the same sources, problems and failed records, as
    when one process reads everything."""
    import multiprocessing
    import os
    import shutil

    site = tmp_path / "site"
    shutil.copytree(generated, site)
    lists = sorted((site / "data" / "interactions").rglob("*.yaml"))
    with open(lists[-1], "a") as fh:  # a failed record in a file the second process reads
        fh.write("- {date: 2026-02-30, liaison: nobody, type: visit, summary: x, practice: p-00001}\n")
    monkeypatch.setattr(pipeline, "PARALLEL_BYTES", 0)
    here = os.getpid()
    begun = multiprocessing.get_context("fork").Event()
    sent = []
    real = pipeline.bulk_entry

    def bulk_entry(loader, rel):
        if rel.startswith("data/interactions/"):
            if os.getpid() == here:  # this process: slow, so the other takes the last files
                begun.set()
                time.sleep(0.02)
            else:  # the other waits until this one has begun, so both take some
                begun.wait(30)
        sent.append(rel)
        return real(loader, rel)

    monkeypatch.setattr(pipeline, "bulk_entry", bulk_entry)
    one = pipeline._check(site, D, False, False, True, 1)
    sent.clear()
    begun.clear()
    two = pipeline._check(site, D, False, False, True, 2)
    # what this process read of the interactions (the other's calls are its own): the first
    # files, in their order, but not the last
    mine = [rel for rel in sent if rel.startswith("data/interactions/")]
    rels = [path.relative_to(site).as_posix() for path in lists]
    assert 0 < len(mine) < len(lists) and mine == rels[:len(mine)], \
        "this process read the first files, the other the last ones"
    # the chunks are taken as the processes go: the slow one took fewer than half of them
    assert len(mine) < len(lists) / 2
    # this process read every referral file, before any interaction file
    referrals = sorted(path.relative_to(site).as_posix()
                       for path in (site / "data" / "referrals").iterdir())
    assert referrals and sent[:len(referrals)] == referrals

    def records(checked):
        s = checked.site
        return [(r.model_dump(), s.src[id(r)]) for r in s.interactions]

    assert len(records(two)) > 1000 and records(one) == records(two)
    assert [(p.path, p.prefix) for p in one.site.bulk_partials] == \
        [(p.path, p.prefix) for p in two.site.bulk_partials]
    assert one.report == two.report and not two.ok
    # where fork is not available, this process reads it all, the other's part last
    from liaison import workers

    monkeypatch.setattr(workers, "can_fork", lambda: False)
    sent.clear()
    alone = pipeline._check(site, D, False, False, True, 2)
    assert [rel for rel in sent if rel.startswith("data/interactions/")] == rels
    assert records(alone) == records(one) and alone.report == one.report


@pytest.mark.skipif(not can_fork(), reason="fork is not available on this platform")
@pytest.mark.parametrize("slower", ["this process", "the other"])
def test_a_check_shares_the_chunks_out_as_the_processes_are_free(generated, tmp_path,
                                                                 monkeypatch, slower):
    """Each process reads the next chunk of files left (a month's folder of interactions,
    a referral file) and checks and sums what it read: a slower process reads fewer, every
    chunk is read once, and the result is one process's. The records this process read stay
    referenced by the result (a command ends without freeing them)."""
    import os

    here, log = os.getpid(), tmp_path / "read-by"
    real = pipeline.load_bulk

    def load_bulk(loader, rels, *args, **kwargs):
        if (os.getpid() == here) == (slower == "this process"):
            time.sleep(0.05)
        with open(log, "a") as fh:
            fh.write(f"{os.getpid()} {' '.join(rels)}\n")
        return real(loader, rels, *args, **kwargs)

    one = pipeline.check(generated, D, workers=1, use_cache=False)
    monkeypatch.setattr(pipeline, "load_bulk", load_bulk)
    monkeypatch.setattr(pipeline, "PARALLEL_BYTES", 0)
    checked = pipeline.check(generated, D, workers=2, use_cache=False)
    read_by: dict[int, list[str]] = {}
    for line in log.read_text().splitlines():
        pid, *rels = line.split()
        read_by.setdefault(int(pid), []).extend(rels)
    assert len(read_by) == 2
    mine = read_by.pop(here)
    [theirs] = read_by.values()
    files = checked.files
    assert sorted(mine + theirs) == sorted(files.interactions + files.referrals)
    assert (len(mine) < len(theirs)) == (slower == "this process")
    assert checked.stats == one.stats and checked.report == one.report
    assert checked.counts == one.counts
    held = {path for done in checked.held[:-1] for _cache, bulk in done
            for _rec, (path, _prefix) in bulk.interactions}
    assert held == {rel for rel in mine if rel.startswith("data/interactions/")}


class _FakeTerminal:
    def __init__(self):
        self.text = ""

    def isatty(self):
        return True

    def write(self, s):
        self.text += s

    def flush(self):
        pass


def test_progress_shows_on_a_terminal_and_stays_quiet_in_ci(monkeypatch, generated, tmp_path):
    from liaison.progress import Progress

    monkeypatch.delenv("CI", raising=False)
    term = _FakeTerminal()
    pipeline.build(generated, D, tmp_path / "out", progress=Progress(term))
    assert "reading and checking the records" in term.text and "rendering" in term.text
    assert term.text.endswith("\r\x1b[K"), "the status line is cleared at the end"

    monkeypatch.setenv("CI", "true")
    quiet = _FakeTerminal()
    pipeline.build(generated, D, tmp_path / "out", progress=Progress(quiet))
    assert quiet.text == ""


def test_progress_is_silent_in_a_pipe(tmp_path):
    proc = subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--root", str(REPO),
                           "--out", str(tmp_path / "out"), "--as-of", D.isoformat()],
                          capture_output=True, text=True, check=True)
    assert "\r" not in proc.stderr and "\x1b" not in proc.stderr
    assert proc.stderr.startswith("built ") and proc.stderr.count("\n") == 1


@pytest.mark.skipif(not can_fork(), reason="fork is not available on this platform")
def test_map_shared_reads_every_item_once_and_checks_with_the_payload():
    """Every item is read once, by one process or the other; each checks what it read with
    the payload (larger than a pipe's buffer), folding its results into one."""
    import os

    from liaison.workers import map_shared

    def read(x: int):
        time.sleep(0.01)
        return os.getpid(), x

    def check(done: list, payload: str):
        return {pid for pid, _x in done}, [x for _pid, x in done], len(payload)

    def fold(a, b):
        return a[0] | b[0], a[1] + b[1], a[2] + b[2]

    payload, results = map_shared(read, check, list(range(40)), lambda: "x" * 200_000, 2,
                                  batch=3, fold=fold)
    assert payload == "x" * 200_000
    assert len(results) == 2 and results[0][0] == {os.getpid()} != results[1][0]
    assert sorted(results[0][1] + results[1][1]) == list(range(40))
    assert all(r[2] % 200_000 == 0 and r[2] for r in results)  # checked with the payload
    # one process, or none to fork: everything here, checked once
    assert map_shared(read, check, [1, 2], lambda: "p", 1, batch=1) == (
        "p", [({os.getpid()}, [1, 2], 1)])


@pytest.mark.skipif(not can_fork(), reason="fork is not available on this platform")
def test_map_shared_checks_in_smaller_batches_as_the_items_run_out():
    """While many items are left, each process checks ``batch`` of them at a time; once few
    are left, as many as its share of what is left (half, for two): each last check is of
    one or two items, so neither is left with a whole batch to check while the other waits."""
    import os

    from liaison.workers import map_shared

    def read(x: int):
        time.sleep(0.005)
        return x

    def check(done: list, _payload):
        return os.getpid(), [len(done)], done

    def fold(a, b):
        return a[0], a[1] + b[1], a[2] + b[2]

    _payload, results = map_shared(read, check, list(range(80)), lambda: "p", 2, batch=10,
                                   fold=fold)
    assert len(results) == 2 and results[0][0] != results[1][0]
    assert sorted(results[0][2] + results[1][2]) == list(range(80))  # each read once
    for _pid, sizes, _items in results:
        assert max(sizes) <= 10 and sizes[0] == 10  # whole batches while many are left
        assert sizes[-1] <= 2, sizes  # the last check: one or two items


@pytest.mark.skipif(not can_fork(), reason="fork is not available on this platform")
def test_map_shared_checks_what_was_read_before_the_payload_came():
    """A forked process that read every item before the payload came (made slowly here)
    waits for it, then checks them all: none is left unchecked."""
    from liaison.workers import map_shared

    def slow_payload():
        time.sleep(0.5)
        return "p"

    _payload, results = map_shared(lambda x: x, lambda done, p: (p, list(done)),
                                   list(range(20)), slow_payload, 2, batch=50)
    assert sorted(x for _p, done in results for x in done) == list(range(20))
    assert {p for p, _done in results} == {"p"}


@pytest.mark.skipif(not can_fork(), reason="fork is not available on this platform")
def test_map_shared_fails_cleanly_when_the_payload_fails():
    from liaison.workers import map_shared

    def boom():
        raise ValueError("core records failed")

    with pytest.raises(ValueError, match="core records failed"):
        map_shared(lambda x: x, lambda d, p: d, [1, 2, 3], boom, 2, batch=1)


@pytest.mark.skipif(not can_fork(), reason="fork is not available on this platform")
def test_deck_checks_shared_by_workers_report_as_one_process(generated, tmp_path, monkeypatch):
    import shutil

    site = tmp_path / "site"
    shutil.copytree(generated, site)
    deck = next((site / "content" / "presentations").glob("*.md"))
    deck.write_text(deck.read_text() + "\n---\n\n## Broken\n\n{{ practice.nope }} and {{ undefined_name }}\n")
    one = pipeline.check(site, D, keep_records=True)
    monkeypatch.setattr(pipeline, "PARALLEL_DECK_RENDERS", 0)
    monkeypatch.setattr(pipeline, "PARALLEL_BYTES", 0)
    two = pipeline.check(site, D, workers=2)
    assert not one.ok and {d.path for d in one.report.errors} == {deck.relative_to(site).as_posix()}
    assert one.report == two.report


def _failing_physician_template(generated: Path, tmp_path: Path) -> Path:
    """A copy of the generated site whose own physician.html fails for a physician without
    an NPI (None[0:3]) and for one with fewer than two tags."""
    import shutil

    site = tmp_path / "site"
    shutil.copytree(generated, site)
    (site / "templates").mkdir()
    builtin = (REPO / "liaison" / "templates" / "physician.html").read_text()
    (site / "templates" / "physician.html").write_text(builtin.replace(
        "{% if physician.npi %}", "{{ physician.npi[0:3] }}{{ physician.tags[1] }}"
        "{% if physician.npi %}"))
    return site


@pytest.mark.skipif(not can_fork(), reason="fork is not available on this platform")
def test_template_checks_shared_by_workers_report_as_one_process(generated, tmp_path,
                                                                 monkeypatch):
    """A site's template that fails on several pages is reported at the first page that
    shows each failure, whichever process rendered it (the second process's share was
    taken first: one process named one page, two another)."""
    from liaison import overrides

    site = _failing_physician_template(generated, tmp_path)
    one = pipeline.check(site, D, workers=1)
    monkeypatch.setattr(overrides, "PARALLEL_PAGES", 0)
    two = pipeline.check(site, D, workers=2)
    three = pipeline.check(site, D, workers=3)
    assert not one.ok and len(one.report.errors) == 2
    assert one.report == two.report == three.report


@pytest.mark.skipif(not can_fork(), reason="fork is not available on this platform")
def test_a_build_whose_template_fails_says_what_validate_says(generated, tmp_path):
    """A site's template that fails on some pages stops the build with the errors validate
    reports, every one, each at the first page that shows it: not the failure of whichever
    page a process happened to render first (it varied from run to run)."""
    from liaison.errors import TemplateFailure

    site = _failing_physician_template(generated, tmp_path)
    validated = pipeline.check(site, D)
    said = [d.text() for d in validated.report.errors]
    assert len(said) == 2
    for workers in (2, 1):
        with pytest.raises(TemplateFailure) as failed:
            pipeline.build(site, D, tmp_path / f"out-{workers}", workers=workers)
        assert failed.value.format_message().splitlines() == said


def test_entry_point_exit_codes_and_output(tmp_path):
    """build.py runs the CLI through cli.run: click's exit codes, everything flushed."""
    def run(*args):
        return subprocess.run([sys.executable, str(REPO / "build.py"), *args],
                              capture_output=True, text=True, timeout=120)

    ok = run("stats", "--json", "--root", str(REPO), "--as-of", D.isoformat())
    assert ok.returncode == 0 and ok.stdout.startswith("{\n") and ok.stdout.endswith("}\n")
    assert run("validate", "--root", str(REPO), "--as-of", D.isoformat()).returncode == 0
    assert run("no-such-command").returncode == 2
    bad_date = run("validate", "--root", str(REPO), "--as-of", "2026-13-01")
    assert bad_date.returncode == 2 and "'2026-13-01' is not a real calendar day" in bad_date.stderr
    broken = tmp_path / "broken"
    (broken / "data" / "practices").mkdir(parents=True)
    (broken / "data" / "practices" / "x.yaml").write_text("name: [unclosed\n")
    failed = run("validate", "--root", str(broken), "--as-of", D.isoformat())
    assert failed.returncode == 1
    assert "site.yaml:1:1: error: missing site.yaml" in failed.stderr
    assert "data/practices/x.yaml:2:1: error: YAML syntax error" in failed.stderr
    assert "Traceback" not in failed.stderr



def test_an_as_of_written_month_first_is_read_back_as_a_records_date_is():
    """`--as-of 12/05/2026` (a US-style date) got only "write YYYY-MM-DD", where a record's
    date written so gets its likely reading; the option gets it too (without the words on
    spreadsheets, which only a file's value needs)."""
    with pytest.raises(ValueError) as refused:
        pipeline.resolve_as_of("12/05/2026", environ={})
    assert str(refused.value) == ("'12/05/2026' is not a date: write YYYY-MM-DD (2026-12-05, "
                                  "if it means December 5, 2026)")


def test_an_as_of_with_spaces_around_it_is_read_as_new_reads_a_date():
    """The workflow's manual run passes the date typed in GitHub's form (`--as-of "$AS_OF"`):
    ' 2026-12-05 ' was "not a date: write YYYY-MM-DD", a date that reads right; `new --date`
    takes it without the spaces, and so does --as-of."""
    assert pipeline.resolve_as_of(" 2026-12-05 ", environ={}) == dt.date(2026, 12, 5)
    assert pipeline.resolve_as_of("2026-12-05\n", environ={}) == dt.date(2026, 12, 5)


def test_an_as_of_on_the_first_or_last_day_a_record_may_take_is_taken_and_one_beyond_is_not():
    """The as-of date's range is a record's (1900-01-01 to 2099-12-31), both ends included,
    as --as-of and SOURCE_DATE_EPOCH give it."""
    assert pipeline.resolve_as_of("1900-01-01", environ={}) == dt.date(1900, 1, 1)
    assert pipeline.resolve_as_of("2099-12-31", environ={}) == dt.date(2099, 12, 31)
    for beyond in ("1899-12-31", "2100-01-01"):
        with pytest.raises(ValueError, match="out of range"):
            pipeline.resolve_as_of(beyond, environ={})
    # 4102358400 s: 2099-12-31 00:00 UTC; a day more is 2100-01-01
    assert pipeline.resolve_as_of(None, {"SOURCE_DATE_EPOCH": "4102358400"}) \
        == dt.date(2099, 12, 31)
    with pytest.raises(ValueError, match="out of range"):
        pipeline.resolve_as_of(None, {"SOURCE_DATE_EPOCH": str(4102358400 + 86400)})


def test_each_stage_s_time_is_its_own_not_the_time_since_the_start(monkeypatch):
    """--timings shows each stage's seconds, from the end of the one before."""
    ticks = iter([10.0, 12.5, 13.0, 16.0])
    monkeypatch.setattr(pipeline.time, "perf_counter", lambda: next(ticks))
    clock = pipeline._Clock()
    for stage in ("load", "check", "statistics"):
        clock.lap(stage)
    assert clock.laps == [("load", 2.5), ("check", 0.5), ("statistics", 3.0)]


def test_a_build_read_by_two_processes_fails_on_an_interaction_s_error_after_a_good_build(
        example_site, tmp_path, monkeypatch):
    """A large site (read by two processes, what the rules make kept between builds): an
    error in an interaction, made after a good build, still stops the next one, and its
    site is left as it was."""
    from liaison.errors import DataErrors

    monkeypatch.setenv("LIAISON_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(pipeline, "PARALLEL_BYTES", 0)
    out = tmp_path / "out"
    pipeline.build(example_site, D, out)
    before = (out / "stats.json").read_bytes()
    path = example_site / "data/interactions/before-2026.yaml"
    path.write_text(path.read_text().replace("physicians: [alan-cho]",
                                             "physicians: [alan-cho, no-such-doc]", 1))
    with pytest.raises(DataErrors) as failed:
        pipeline.build(example_site, D, out)
    assert any("unknown physician 'no-such-doc'" in d.message
               for d in failed.value.report.errors)
    assert (out / "stats.json").read_bytes() == before


def test_ctrl_c_exits_130_and_says_so(monkeypatch, capsys):
    """A Ctrl+C during a command said click's bare "Aborted!" and exit 1, the code of data
    errors; it is 130, the shell's code for it, with a line saying what was left."""
    from liaison import cli

    def stopped(*_args, **_kw):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_check", stopped)
    monkeypatch.setattr(cli, "_UNTIL_EXIT", None)  # (invoke sets it: put back after)
    # `validate` and `stats` build nothing: their line said "an interrupted build leaves the
    # previous site whole" too, and a CI log's reader looked for the site it meant
    for command in ("validate", "stats"):
        assert cli.invoke([command, "--root", str(REPO), "--as-of", D.isoformat()]) == 130
        err = capsys.readouterr().err
        assert err.strip() == "Interrupted (Ctrl+C)"
        assert "Aborted!" not in err
    from liaison import interrupted  # `build`'s says what was left

    assert interrupted(["build", "--root", "x"]) == (
        "Interrupted (Ctrl+C); an interrupted build leaves the previous site whole")

@pytest.mark.skipif(not can_fork(), reason="fork is not available on this platform")
def test_a_ctrl_c_in_a_forked_process_ends_it_without_a_traceback(tmp_path):
    """A terminal's Ctrl+C reaches every process of the command, the forked ones too: one
    that was sending its result printed "Process ForkProcess-1: Traceback … KeyboardInterrupt"
    under the build's own line ("Interrupted (Ctrl+C); …"). It ends quietly, with 130.
    (The script takes Python's own Ctrl+C handler first: started from a shell's background
    job, as `nohup … &` starts CI, SIGINT is ignored, and Python and its forks keep it so.)"""
    script = (
        "import os, signal, sys, time\n"
        "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "from liaison.workers import Started\n"
        "work = Started(lambda: b'x' * (4 << 20))\n"  # more than a pipe holds: it waits there
        "slow = Started(lambda: time.sleep(30))\n"  # still at work when Ctrl+C comes
        "time.sleep(1.0)\n"
        "for one in (work, slow):\n"
        "    os.kill(one.proc.pid, signal.SIGINT)\n"
        "    one.proc.join(30)\n"
        "    print(one.proc.exitcode)\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60, env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert "Traceback" not in proc.stderr and "KeyboardInterrupt" not in proc.stderr, proc.stderr
    assert proc.stdout.split() == ["130", "130"]


@pytest.mark.skipif(not can_fork(), reason="fork is not available on this platform")
def test_interaction_notes_are_rendered_once_before_the_page_workers_fork(generated, monkeypatch):
    from liaison import pages, render
    from liaison.content import MarkdownRenderer

    monkeypatch.setattr(render, "PARALLEL_NOTES", 1)
    checked = pipeline.check(generated, D, keep_records=True)
    view = pages.SiteView(checked.site, checked.stats, D)
    count = render.prerender_notes(view, workers=2)
    notes = {r.notes for r in checked.site.interactions if r.notes and r.date <= D}
    assert count == len(notes) > 10
    fresh = MarkdownRenderer()
    for text in notes:  # each worker's share came back whole and matched to its text
        assert view.md.memo[text] == fresh.note(text)
    assert render.prerender_notes(view, workers=2) == 0  # nothing left to render


def _fields_made_here(monkeypatch) -> set[int]:
    """The ids of the interactions whose view fields this process makes from now on (each
    process forked meanwhile fills its own copy)."""
    from liaison import pages

    here = set()
    fields = pages.SiteView.interaction_fields

    def made_here(self, r, shared=False):
        here.add(id(r))
        return fields(self, r, shared)

    monkeypatch.setattr(pages.SiteView, "interaction_fields", made_here)
    return here


@pytest.mark.skipif(not can_fork(), reason="fork is not available on this platform")
@pytest.mark.parametrize("workers", [2, 3])
def test_interaction_snippets_are_rendered_once_before_the_page_workers_fork(
        generated, monkeypatch, workers):
    """The snippets that come back from the other processes are each their own interaction's,
    as this process renders it; every interaction a page shows has its view and snippet."""
    from liaison import pages, render

    monkeypatch.setattr(render, "PARALLEL_SNIPPETS", 1)
    checked = pipeline.check(generated, D, keep_records=True)
    view = pages.SiteView(checked.site, checked.stats, D)
    env = render.make_env(generated, view.palette)
    shown = [r for r in checked.site.interactions if r.date <= D]
    here = _fields_made_here(monkeypatch)
    count, notes = render.prerender_snippets(view, env, workers=workers)
    assert count == len(shown) > 50
    assert notes == len({r.notes for r in shown if r.notes}) > 10  # rendered with them
    snippets = env.globals["interaction_html"].__self__
    assert len(snippets.memo) == len(shown)
    # kept as UTF-8 bytes (half the memory of the strings, which hold non-ASCII separators)
    assert all(type(html) is bytes for html in snippets.memo.values())
    # this process rendered the snippets of the chunks it took only (each process starts with
    # one of its own, then they share the rest); the fields of a view, made for its snippet,
    # are not kept in the view; the pages, which show the snippets, never make them
    assert 0 < len(here) < len(shown)
    assert not [r for r in shown if view.interaction(r).__dict__]
    for page in pages.plan(view):
        render.render_page(view, page, env)
    assert not [r for r in shown if view.interaction(r).__dict__]
    alone = render.make_env(generated, view.palette).globals["interaction_html"].__self__
    fresh = pages.SiteView(checked.site, checked.stats, D)
    for r in shown:
        assert snippets.html(view.interaction(r)) == alone.html(fresh.interaction(r))
        assert type(alone.memo[id(fresh.interaction(r))]) is str  # rendered on demand
    assert str(snippets.interaction(view.interaction(shown[0]), "../../")).count("../../") >= 2


def _same_as_alone(snippets, root, checked, view, shown) -> None:
    """Every snippet kept is the one a fresh view's environment renders on demand."""
    from liaison import pages, render

    alone = render.make_env(root, view.palette).globals["interaction_html"].__self__
    fresh = pages.SiteView(checked.site, checked.stats, D)
    for r in shown:
        assert snippets.html(view.interaction(r)) == alone.html(fresh.interaction(r))


def _recorded_chunks(monkeypatch) -> list:
    """The ``render._Chunks`` made from now on, as they are made."""
    from liaison import render

    made = []

    class Chunks(render._Chunks):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(render, "_Chunks", Chunks)
    return made


def _snippets_site(root):
    """(checked, view, env, the interactions the pages show) of a site root."""
    from liaison import pages, render

    checked = pipeline.check(root, D, keep_records=True)
    view = pages.SiteView(checked.site, checked.stats, D)
    return (checked, view, render.make_env(root, view.palette),
            [r for r in checked.site.interactions if r.date <= D])


@pytest.mark.skipif(not can_fork(), reason="fork is not available on this platform")
def test_the_snippets_are_shared_out_whatever_the_work_beside_costs(generated, monkeypatch):
    """Each process renders a chunk of its own, then the next chunk while any is left: while
    this process does its work beside, the other takes every other chunk (it waited before,
    with a share weighed in advance)."""
    from liaison import render

    monkeypatch.setattr(render, "PARALLEL_SNIPPETS", 1)
    made_chunks = _recorded_chunks(monkeypatch)
    checked, view, env, shown = _snippets_site(generated)

    def beside():  # long: until the other process has taken every chunk
        chunks = made_chunks[0]
        total = -(-len(chunks.pages) // chunks.size)
        deadline = time.monotonic() + 120
        while chunks.taken.value < total and time.monotonic() < deadline:
            time.sleep(0.01)

    here = _fields_made_here(monkeypatch)
    assert render.prerender_snippets(view, env, 2, beside)[0] == len(shown)
    chunks = made_chunks[0]
    assert len(shown) // chunks.size >= 16  # some 16 chunks a process
    # this process rendered its own first chunk only; every snippet is there
    by_month = [r for month in sorted(view.by_month) for r in view.by_month[month]]
    assert [r for r in by_month if id(r) in here] == by_month[:chunks.size]
    snippets = render.snippets_of(env)
    _same_as_alone(snippets, generated, checked, view, shown)


@pytest.mark.skipif(not can_fork(), reason="fork is not available on this platform")
def test_the_other_processes_snippets_are_taken_between_this_ones_chunks(generated,
                                                                          monkeypatch,
                                                                          tmp_path):
    """The other process hands each chunk's snippets over as soon as it has rendered them
    (in a file, named through the pipe), and this one keys what has come before it renders
    its next chunk: not all of them at the end, with the other core idle. The snippets are
    the ones this process renders for them; no file is left behind."""
    from liaison import pages, render

    monkeypatch.setattr(render, "PARALLEL_SNIPPETS", 1)
    monkeypatch.setattr(render, "SHARED_MEMORY", str(tmp_path))
    folders = []
    mkdtemp = render.tempfile.mkdtemp
    monkeypatch.setattr(render.tempfile, "mkdtemp",
                        lambda **kw: folders.append(mkdtemp(**kw)) or folders[-1])
    made_chunks = _recorded_chunks(monkeypatch)
    checked, view, env, shown = _snippets_site(generated)
    order = []  # (whether this process rendered it), in the order the snippets are keyed

    class Memo(dict):
        def __setitem__(self, key, value):
            order.append(key in here_views)
            super().__setitem__(key, value)

    snippets = render.snippets_of(env)
    snippets.memo = Memo()
    here_views = set()
    interaction_fields = pages.SiteView.interaction_fields

    def made_here(self, r, shared=False):  # (the views whose snippets this process renders)
        here_views.add(id(view.interaction(r)))
        return interaction_fields(self, r, shared)

    monkeypatch.setattr(pages.SiteView, "interaction_fields", made_here)

    def beside():  # until the other process has rendered and sent 3 chunks besides its own
        chunks = made_chunks[0]
        deadline = time.monotonic() + 120
        while chunks.taken.value < 2 + 4 and time.monotonic() < deadline:
            time.sleep(0.01)

    assert render.prerender_snippets(view, env, 2, beside)[0] == len(shown)
    assert len(order) == len(shown) and 0 < sum(order) < len(shown)
    last_here = max(i for i, mine in enumerate(order) if mine)
    # the other's snippets taken before this process's last chunk was rendered and keyed
    assert not all(order[:last_here + 1])
    assert order.index(False) > 0  # (this process's first chunk first)
    assert len(folders) == 1 and Path(folders[0]).parent == tmp_path  # the chunks' files there
    assert list(tmp_path.iterdir()) == []  # and their folder removed
    _same_as_alone(snippets, generated, checked, view, shown)


@pytest.mark.skipif(not can_fork(), reason="fork is not available on this platform")
def test_snippets_that_cannot_be_written_to_a_file_come_through_the_pipe(generated,
                                                                         monkeypatch):
    import errno

    from liaison import render

    monkeypatch.setattr(render, "PARALLEL_SNIPPETS", 1)

    def full(path, data):
        raise OSError(errno.ENOSPC, "No space left on device", path)

    monkeypatch.setattr(render, "_write", full)  # (the forked process inherits it)
    checked, view, env, shown = _snippets_site(generated)
    assert render.prerender_snippets(view, env, workers=2)[0] == len(shown)
    snippets = render.snippets_of(env)
    assert len(snippets.memo) == len(shown)
    _same_as_alone(snippets, generated, checked, view, shown)


def test_chunks_given_first_are_not_taken_from_the_counter():
    from liaison.render import _Chunks

    chunks = _Chunks(list(range(10)), 3, first=2)
    assert chunks.at(0) == [0, 1, 2] and chunks.at(1) == [3, 4, 5]
    assert chunks.take() == (6, [6, 7, 8])
    assert chunks.take() == (9, [9])
    assert chunks.take() == (12, [])


@pytest.mark.skipif(not can_fork(), reason="fork is not available on this platform")
@pytest.mark.parametrize("sandboxed", [False, True])
def test_the_notes_are_rendered_where_the_snippets_are(generated, monkeypatch, sandboxed):
    """The built-in templates: each process renders the notes of its share of snippets, the
    only place they show (no round of its own); a site's own templates: the snippets are
    rendered in the page processes, which inherit every note, rendered once before."""
    from liaison import pages, render
    from liaison.content import MarkdownRenderer

    monkeypatch.setattr(render, "PARALLEL_SNIPPETS", 1)
    monkeypatch.setattr(render, "PARALLEL_NOTES", 1)
    rounds = []
    notes_round = render.prerender_notes
    monkeypatch.setattr(render, "prerender_notes",
                        lambda *args: rounds.append(args) or notes_round(*args))
    checked = pipeline.check(generated, D, keep_records=True)
    view = pages.SiteView(checked.site, checked.stats, D)
    env = render.make_env(generated, view.palette, sandboxed=sandboxed)
    laps = []
    render._prerender(view, env, 2, laps)
    notes = {r.notes for r in checked.site.interactions if r.notes and r.date <= D}
    assert laps[0][0].startswith(f"render {len(notes)} distinct interaction notes")
    assert len(rounds) == sandboxed
    fresh = MarkdownRenderer()
    assert all(view.md.memo[text] == fresh.note(text) for text in view.md.memo)
    if sandboxed:  # every note, for the page processes
        assert set(view.md.memo) == notes
        return
    # this process rendered the notes of its own share: the other's came back in snippets
    assert 0 < len(view.md.memo) < len(notes)
    snippets = render.snippets_of(env)
    for r in checked.site.interactions:
        if r.notes and r.date <= D:
            assert str(fresh.note(r.notes)) in snippets.html(view.interaction(r))


def test_a_sites_own_templates_render_their_snippets_with_their_pages(generated):
    from liaison import pages, render

    checked = pipeline.check(generated, D, keep_records=True)
    view = pages.SiteView(checked.site, checked.stats, D)
    env = render.make_env(generated, view.palette, sandboxed=True)  # as with templates/
    assert render.prerender_snippets(view, env, workers=2) == (0, 0)
    assert not env.globals["interaction_html"].__self__.memo


@pytest.mark.skipif(not can_fork(), reason="fork is not available on this platform")
def test_work_started_in_a_forked_process_gives_its_result_later():
    """workers.Started: the function runs in another process at once; its result is taken
    later; where that process fails, the function runs here; ``cancel`` ends one still at
    work."""
    import os
    import time

    from liaison.workers import Started

    here = os.getpid()
    started = Started(lambda: (os.getpid(), sum(range(1000))))
    pid, total = started.result()
    assert pid != here and total == 499500

    def fails_there():
        if os.getpid() != here:
            os._exit(3)  # the forked process dies without a result
        return "made here"

    assert Started(fails_there).result() == "made here"
    assert Started(fails_there, otherwise=lambda: None).result() is None  # nor made here

    quick = Started(lambda: 7)  # ready once its result is sent, not before
    deadline = time.monotonic() + 10
    while not quick.ready() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert quick.ready() and quick.result() == 7 and quick.ready()

    slow = Started(lambda: time.sleep(60))
    assert not slow.ready()
    proc = slow.proc
    begun = time.perf_counter()
    slow.cancel()
    assert not proc.is_alive() and time.perf_counter() - begun < 10
    slow.cancel()  # twice: nothing more


@pytest.mark.skipif(not can_fork(), reason="fork is not available on this platform")
def test_two_ends_hand_every_item_out_once_from_both_ends():
    """workers.TwoEnds: one process takes from the front, a forked one from the back, each
    a run of items that follow each other, until they meet; every item once."""
    import os

    from liaison.workers import Streamed, TwoEnds

    ends = TwoEnds(200)

    def other(send):
        taken = []
        while (i := ends.back()) is not None:
            taken.append(i)
        return os.getpid(), taken

    theirs = Streamed(other)
    mine = []
    while (i := ends.front()) is not None:
        mine.append(i)
    _parts, (pid, taken) = theirs.rest()
    assert pid != os.getpid()
    assert mine == list(range(len(mine)))
    assert taken == list(range(199, len(mine) - 1, -1))
    assert ends.front() is None and ends.back() is None
    solo = TwoEnds(3)
    assert [solo.back(), solo.front(), solo.front(), solo.front()] == [2, 0, 1, None]


@pytest.mark.skipif(not can_fork(), reason="fork is not available on this platform")
def test_parts_sent_by_a_forked_process_arrive_while_this_one_works():
    """workers.Streamed: the forked process sends many large parts without waiting for this
    one to read them (far more than a pipe holds); they arrive in order, then the result; a
    failure there is raised here; ``cancel`` ends one still at work."""
    import os

    import click

    from liaison.workers import Streamed, WorkerFailed

    def many(send):
        for i in range(40):
            send(i, bytes([i]) * 100_000)  # 4 MB in all, against a pipe's 64 KiB
        return os.getpid()

    streamed = Streamed(many)
    deadline = time.monotonic() + 30
    arrived = []
    while len(arrived) < 40 and time.monotonic() < deadline:
        arrived += streamed.arrived()
        time.sleep(0.01)
    assert [i for i, _data in arrived] == list(range(40)), "every part came before rest()"
    assert all(bytes(data) == bytes([i]) * 100_000 for i, data in arrived)
    assert streamed.arrived() == []
    rest, pid = streamed.rest()
    assert rest == [] and pid != os.getpid()

    def fails(send):
        send(0, b"x")
        raise ValueError("broken there")

    with pytest.raises(WorkerFailed, match="broken there"):
        Streamed(fails).rest()

    def refuses(send):
        raise click.ClickException("a message for the user")

    with pytest.raises(click.ClickException, match="a message for the user"):
        Streamed(refuses).rest()

    def dies(send):
        send(0, b"x")
        os._exit(3)

    with pytest.raises(WorkerFailed, match="ended without a result"):
        Streamed(dies).rest()
    slow = Streamed(lambda send: time.sleep(60))
    proc = slow.proc
    slow.cancel()
    assert not proc.is_alive()
    slow.cancel()  # twice: nothing more


@pytest.mark.parametrize("forked", [True, False])
def test_the_parts_up_to_one_are_taken_while_the_process_goes_on(monkeypatch, forked):
    """workers.Streamed.until: the parts up to the one named, that one included, as they
    come, while the process goes on with what follows (here: waiting for this one); then
    ``rest`` gives the others and the result, and again only the result. Where fork is not
    available, ``fn`` runs at ``until``, and its parts and result are all there."""
    import multiprocessing

    from liaison import workers
    from liaison.workers import Streamed

    if not forked:
        monkeypatch.setattr(workers, "can_fork", lambda: False)
    elif not can_fork():
        pytest.skip("fork is not available on this platform")
    go_on = multiprocessing.get_context("fork").Event() if forked else None

    def parts(send):
        for i in range(3):
            send(i, bytes([i]))
        send(99, b"end of the first parts")
        if go_on is not None:
            assert go_on.wait(30)
        send(4, b"after")
        return "result"

    streamed = Streamed(parts)
    first = streamed.until(99)
    if forked:
        assert [i for i, _data in first] == [0, 1, 2, 99]
        assert bytes(first[-1][1]) == b"end of the first parts"
        assert streamed.proc.is_alive(), "the process goes on"
        go_on.set()
        rest, result = streamed.rest()
        assert [(i, bytes(data)) for i, data in rest] == [(4, b"after")]
    else:
        assert [i for i, _data in first] == [0, 1, 2, 99, 4]
        rest, result = streamed.rest()
        assert rest == []
    assert result == "result" and streamed.rest() == ([], "result")
    assert streamed.until(99) == []


@pytest.mark.skipif(not can_fork(), reason="fork is not available on this platform")
def test_a_look_between_two_pieces_of_work_leaves_the_end_of_a_stage_for_until():
    """workers.Streamed.arrived(below): where the part that ends a stage has come before this
    process looks (the other process was done first), the look takes the parts before it
    and leaves it for ``until`` (taken by the look, ``until`` waited for it in vain: "the
    reading process ended without its result", seen once in CI)."""
    from liaison.workers import Streamed

    def parts(send):
        send(0, b"a")
        send(1, b"b")
        send(99, b"the end of the reading")
        send(98, b"after it")
        return "result"

    streamed = Streamed(parts)
    deadline = time.monotonic() + 30
    while streamed.proc.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.05)  # (the thread has queued what was sent)
    assert [i for i, _data in streamed.arrived(below=98)] == [0, 1]
    assert streamed.arrived(below=98) == []  # again: still held, not handed out
    assert [(i, bytes(d)) for i, d in streamed.until(99)] == [(99, b"the end of the reading")]
    rest, result = streamed.rest()
    assert [i for i, _data in rest] == [98] and result == "result"

    streamed = Streamed(parts)  # the part whose index is ``below`` itself is held too
    deadline = time.monotonic() + 30
    while streamed.proc.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.05)
    assert [i for i, _data in streamed.arrived(below=99)] == [0, 1]
    assert [i for i, _data in streamed.until(99)] == [99]
    assert [i for i, _data in streamed.rest()[0]] == [98]


@pytest.mark.skipif(not can_fork(), reason="fork is not available on this platform")
def test_a_build_whose_reading_process_ends_first_takes_its_result(generated, monkeypatch, tmp_path):
    """_load_side_by_side: the reading process done (its end sent) before this one's look for
    its chunks: the build goes on with what it sent, and makes the same site."""
    from liaison import workers

    monkeypatch.setenv("LIAISON_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(pipeline, "PARALLEL_BYTES", 0)
    pipeline.build(generated, D, tmp_path / "before", workers=2, full=True)
    arrived, looks = workers.Streamed.arrived, []

    def late(self, below=None):  # this process looks only once the other has ended
        if self.proc is not None:
            self.proc.join(30)
            time.sleep(0.05)
        looks.append(below)
        return arrived(self) if below is None else arrived(self, below)

    monkeypatch.setattr(workers.Streamed, "arrived", late)
    monkeypatch.setenv("LIAISON_CACHE_DIR", str(tmp_path / "cache2"))
    pipeline.build(generated, D, tmp_path / "after", workers=2, full=True)
    assert looks, "the two processes read side by side"
    before = {p.relative_to(tmp_path / "before"): p.read_bytes()
              for p in (tmp_path / "before").rglob("*") if p.is_file()}
    assert before == {p.relative_to(tmp_path / "after"): p.read_bytes()
                      for p in (tmp_path / "after").rglob("*") if p.is_file()}


@pytest.mark.parametrize("forked", [True, False])
def test_a_failed_stream_asked_again_fails_again_without_running_again(monkeypatch, forked):
    """workers.Streamed.rest after a failure: asked again (``until`` or ``rest``), the same
    failure is raised; ``fn`` is not run a second time here (it ran once, there or here)."""
    from liaison import workers
    from liaison.workers import Streamed, WorkerFailed

    if not forked:
        monkeypatch.setattr(workers, "can_fork", lambda: False)
    elif not can_fork():
        pytest.skip("fork is not available on this platform")
    here = os.getpid()
    runs_here = []

    def fails(send):
        if os.getpid() == here:
            runs_here.append(1)
        send(0, b"x")
        raise ValueError("broken there")

    streamed = Streamed(fails)
    failure = WorkerFailed if forked else ValueError
    with pytest.raises(failure, match="broken there") as first:
        streamed.rest()
    with pytest.raises(failure, match="broken there") as again:
        streamed.rest()
    assert again.value is first.value
    with pytest.raises(failure, match="broken there"):
        streamed.until(3)
    assert runs_here == ([] if forked else [1])


@pytest.mark.skipif(not can_fork(), reason="fork is not available on this platform")
def test_map_forked_runs_each_share_in_a_process_of_its_own_and_keeps_their_order():
    """workers.map_forked: the first share here, each other one in a forked process (two
    shares: two processes), the results in the shares' order whichever ends first."""
    from liaison.workers import map_forked

    def work(share):
        time.sleep(share)  # the first share ends last
        return share, os.getpid()

    results = map_forked(work, [0.3, 0])
    assert [share for share, _pid in results] == [0.3, 0]
    assert results[0][1] == os.getpid() != results[1][1]


@pytest.mark.skipif(not can_fork(), reason="fork is not available on this platform")
def test_a_cancelled_stream_gives_nothing_and_never_runs_its_work_here():
    """workers.Streamed.cancel: its process ended, ``rest()`` gives no part and no result;
    the work is not run again in this process (as it is where fork is not available)."""
    from liaison.workers import Streamed

    here = os.getpid()
    streamed = Streamed(lambda send: "made here" if os.getpid() == here else time.sleep(30))
    streamed.cancel()
    assert streamed.rest() == ([], None)
    assert streamed.until(3) == []


@pytest.mark.skipif(not can_fork(), reason="fork is not available on this platform")
def test_what_a_streamed_process_printed_is_not_lost_when_it_ends():
    """A forked process of ``Streamed`` (or ``map_shared``) ends at once once its result is
    sent, without the interpreter's cleanup: what it printed and Python still held (its
    output is a pipe: a block's buffer) is written out first."""
    script = ("import sys\nfrom liaison.workers import Streamed\n"
              "s = Streamed(lambda send: sys.stdout.write('said there') and 0)\n"
              "print('', s.rest()[1])\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, env=env)
    assert proc.returncode == 0, proc.stderr
    assert sorted(proc.stdout.split()) == ["0", "said", "there"]


def test_a_stream_s_pipe_holds_a_megabyte_where_the_system_allows_it():
    """workers.Streamed: its pipe is widened to PIPE_SIZE (Linux), so that the forked process
    sends a megabyte without waiting for the thread that reads it here, which waits for the
    interpreter's lock between two reads; what cannot be widened is left as it is."""
    fcntl = pytest.importorskip("fcntl")
    if not can_fork() or not hasattr(fcntl, "F_GETPIPE_SZ"):
        pytest.skip("no fork, or pipes without a size to set, on this platform")
    import multiprocessing
    import socket

    from liaison import workers

    sent = b"x" * (workers.PIPE_SIZE - 4096)
    streamed = workers.Streamed(lambda send: send(0, sent) or "done")
    assert fcntl.fcntl(streamed.reader.fileno(), fcntl.F_GETPIPE_SZ) >= workers.PIPE_SIZE
    rest, result = streamed.rest()
    assert [(i, bytes(data)) for i, data in rest] == [(0, sent)] and result == "done"
    plain, other = multiprocessing.Pipe(duplex=False)
    with plain, other:
        assert fcntl.fcntl(plain.fileno(), fcntl.F_GETPIPE_SZ) < workers.PIPE_SIZE  # (as made)
    a, b = socket.socketpair()  # not a pipe: left as it is, without a failure
    with a, b:
        workers._widen(a)


def test_a_forked_process_s_result_is_taken_before_waiting_for_it_to_end(monkeypatch):
    """workers._receive: the result is unpickled while the forked process ends (its end frees
    what it copied of this one's memory), and the process is waited for in every case: a
    result, a failure raised there, no result at all."""
    import click

    from liaison import workers

    calls = []

    class Proc:
        def join(self):
            calls.append("join")

    class Reader:
        def __init__(self, sent):
            self.sent = sent

        def recv_bytes(self):
            if self.sent is None:
                raise EOFError
            return pickle.dumps(self.sent)

    taken = workers._outcome
    monkeypatch.setattr(workers, "_outcome", lambda data: calls.append("outcome") or taken(data))
    assert workers._receive(Proc(), Reader(("ok", [b"a snippet"]))) == [b"a snippet"]
    assert calls == ["outcome", "join"]
    for sent, raised in ((("raise", (click.ClickException, "for the user")), click.ClickException),
                         (("error", "Traceback: broken there"), workers.WorkerFailed),
                         (None, workers.WorkerFailed)):
        calls.clear()
        with pytest.raises(raised):
            workers._receive(Proc(), Reader(sent))
        assert calls == ["outcome", "join"]


@pytest.mark.skipif(not can_fork(), reason="fork is not available on this platform")
def test_the_command_hashes_the_input_files_in_another_process(generated, tmp_path,
                                                              monkeypatch):
    """`build` starts the hashing of the input files in a forked process before importing
    the build's modules: this process hashes none, and what it takes decides as before (up
    to date; an edit is built, equal to a full build); `build --full` as well."""
    import shutil

    from conftest import cli
    from edits import edit_yaml
    from liaison import buildrecord

    root, out, full = tmp_path / "site", tmp_path / "out", tmp_path / "full"
    shutil.copytree(generated, root)
    generated = root
    code, _o, err = cli("build", "--root", str(generated), "--out", str(out),
                        "--as-of", "2026-11-26")
    assert code == 0, err
    here = []
    inputs = buildrecord.inputs
    monkeypatch.setattr(buildrecord, "inputs", lambda *a, **k: here.append(a) or inputs(*a, **k))
    code, _o, err = cli("build", "--root", str(generated), "--out", str(out),
                        "--as-of", "2026-11-26")
    assert code == 0 and "up to date" in err, err
    doc = sorted((generated / "data" / "physicians").glob("*.yaml"))[2]
    edit_yaml(doc, lambda d: d.update(phone="828-555-0144"))
    code, _o, err = cli("build", "--root", str(generated), "--out", str(out),
                        "--as-of", "2026-11-26")
    assert code == 0 and "up to date" not in err, err
    assert here == []  # (the forked process hashed: what it calls is not seen here)
    code, _o, err = cli("build", "--root", str(generated), "--out", str(full),
                        "--as-of", "2026-11-26", "--full")
    assert code == 0, err
    # --full, too: the forked process hashed, leaving the files the load reads to its bytes
    assert here == []
    for path in sorted(full.rglob("*")):
        if path.is_file() and path.name != ".liaison-build.json":
            assert (out / path.relative_to(full)).read_bytes() == path.read_bytes(), path


def test_a_build_with_no_site_to_compare_takes_the_hashes_once_the_records_are_read(
        example_site, tmp_path, monkeypatch):
    """The first build into a folder (or one with other settings or code) needs the input
    files' hashes only for what it keeps and for its record: it reads the records while
    another process hashes (``hashed``), and takes the hashes after. The record holds them,
    and the next build finds nothing changed."""
    import json

    from liaison import buildrecord

    out = tmp_path / "built"
    events = []
    load_core = pipeline._load_core
    monkeypatch.setattr(pipeline, "_load_core",
                        lambda *a, **k: events.append("read") or load_core(*a, **k))

    def hashed():
        events.append("hashed")
        return buildrecord.hashed_inputs(example_site.resolve(), out.resolve())

    as_of = dt.date(2026, 11, 26)
    first = pipeline.build(example_site, as_of, out, hashed=hashed)
    assert not first.unchanged and events == ["read", "hashed"]
    record = json.loads((out / buildrecord.NAME).read_text(encoding="utf-8"))
    assert record["inputs"] == buildrecord.inputs(example_site.resolve(), out.resolve())
    events.clear()
    again = pipeline.build(example_site, as_of, out, hashed=hashed)
    assert again.unchanged and events == ["hashed"]  # hashed first: the site is up to date


def test_a_check_reads_the_same_interactions_without_sharing_their_dates(generated):
    """load._read_bulk: a build makes the equal dates of a file's interactions one object
    (they are pickled and kept); a check, whose records stay where they are read, skips that
    and reads the same records."""
    from liaison.load import _read_bulk
    from liaison.parse import Loader

    rel = next(str(p.relative_to(generated)).replace("\\", "/")
               for p in sorted((generated / "data" / "interactions").rglob("*.yaml"))
               if len(_read_bulk(Loader(generated), str(p.relative_to(generated)))) > 3)
    shared = _read_bulk(Loader(generated), rel)
    plain = _read_bulk(Loader(generated), rel, same_dates=False)
    assert [(d, rec.model_dump(), src) for d, rec, src in plain] == \
        [(d, rec.model_dump(), src) for d, rec, src in shared]
    by_day = {}
    for date, rec, _src in shared:
        assert by_day.setdefault(date, date) is date is rec.date  # one object a day
    plain_dates = [rec.date for _d, rec, _src in plain]
    assert len({id(d) for d in plain_dates}) == len(plain_dates)  # each its own object


def test_a_site_view_with_its_interaction_views_is_freed_without_the_collector(generated):
    """``serve`` freezes its cyclic collector after each refresh: a site view it replaces must
    be freed by reference counting, its interactions' views (which read it) included."""
    import gc
    import weakref

    from liaison import pages

    checked = pipeline.check(generated, D, keep_records=True)
    shown = [r for r in checked.site.interactions if r.date <= D]
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        view = pages.SiteView(checked.site, checked.stats, D)
        first = view.interaction(shown[0])
        assert first.date == shown[0].date.isoformat()  # its fields made, from the site view
        assert view.interaction(shown[0]) is first and not view.interaction(shown[1]).__dict__
        gone = weakref.ref(view)
        del view
        assert gone() is None
        assert first.summary == shown[0].summary  # a view made before stays whole
    finally:
        if was_enabled:
            gc.enable()


@pytest.mark.skipif(not can_fork(), reason="fork is not available on this platform")
@pytest.mark.parametrize("slower", ["indexing", "the interactions' rules"])
def test_the_referral_rows_rules_and_sums_go_to_the_process_done_first(
        generated, tmp_path, monkeypatch, slower):
    """A build's check on two processes: this one indexes the records for the pages while a
    forked one checks and sums the interactions; the referral rows' rules and their sums go
    to whichever is done first. Whichever it is, the problems and statistics are those of one
    process, and the next check takes what was kept of the rows as it is."""
    import os
    import shutil

    from liaison import buildrecord

    site = tmp_path / "site"
    shutil.copytree(generated, site)
    csv = sorted((site / "data" / "referrals").glob("*.csv"))[-1]
    with open(csv, "a") as fh:  # an error and a warning, both of the rows' rules
        fh.write("2026-11-02,advertising,,no-such-service,referred,,,\n"
                 "2026-12-24,advertising,,sclerotherapy,referred,,,\n")
    monkeypatch.setenv("LIAISON_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(buildrecord, "RACY_NS", 0)
    inputs = buildrecord.inputs(site, tmp_path / "out")

    def checked(workers: int, snapshot: str):
        return pipeline._check(site, D, False, True, True, workers, indexes=True,
                               snapshot=snapshot, inputs=inputs)

    one = checked(1, "peek")  # one process, nothing kept
    assert {d.path for d in one.report.errors} == {csv.relative_to(site).as_posix()}
    assert any(d.path == csv.relative_to(site).as_posix() for d in one.report.warnings)

    here, pids = os.getpid(), tmp_path / "rows-checked-by"
    real_check, real_index, real_rules = (pipeline.check_bulk, pipeline.page_indexes,
                                          pipeline._interactions_kept)

    def check_bulk(site_, as_of, interactions, referrals, partials):
        if not interactions and referrals:  # the rows' rules alone
            with open(pids, "a") as fh:
                fh.write(f"{os.getpid()}\n")
        return real_check(site_, as_of, interactions, referrals, partials)

    def later(real):
        def wrapped(*args, **kwargs):
            time.sleep(1.5)
            return real(*args, **kwargs)
        return wrapped

    monkeypatch.setattr(pipeline, "PARALLEL_BYTES", 0)  # two processes with workers=2
    monkeypatch.setattr(pipeline, "check_bulk", check_bulk)
    if slower == "indexing":
        monkeypatch.setattr(pipeline, "page_indexes", later(real_index))
    else:
        monkeypatch.setattr(pipeline, "_interactions_kept", later(real_rules))
    two = checked(2, "write")
    by = [int(pid) for pid in pids.read_text().split()]
    assert len(by) == 1 and (by[0] == here) == (slower == "the interactions' rules")
    assert two.report == one.report and two.stats == one.stats and two.counts == one.counts
    pids.unlink()
    again = checked(2, "read")  # the rows' rules and sums as the check before kept them
    assert not pids.exists()
    assert again.report == one.report and again.stats == one.stats


def test_the_command_keeps_what_a_build_read_until_the_process_ends(generated, tmp_path,
                                                                     monkeypatch):
    """`build` and `validate` run by cli.run (which exits without freeing anything) put what
    they read in ``cli._UNTIL_EXIT`` instead of freeing it when they return; called
    otherwise (the tests' CliRunner) nothing is kept."""
    from click.testing import CliRunner

    from liaison import cli

    assert cli._UNTIL_EXIT is None  # (not set outside cli.run)
    args = ["build", "--root", str(generated), "--as-of", D.isoformat(), "--out"]
    assert CliRunner().invoke(cli.main, args + [str(tmp_path / "b")]).exit_code == 0
    assert cli._UNTIL_EXIT is None
    monkeypatch.setattr(cli, "_UNTIL_EXIT", [])  # as cli.run sets it
    assert CliRunner().invoke(cli.main, args + [str(tmp_path / "c")]).exit_code == 0
    assert [type(c).__name__ for c in cli._UNTIL_EXIT] == ["Checked"]
    assert cli._UNTIL_EXIT[0].site.root == generated
    assert len(cli._UNTIL_EXIT[0].site.interactions) > 100  # every record read
    validate = ["validate", "--root", str(generated), "--as-of", D.isoformat()]
    assert CliRunner().invoke(cli.main, validate).exit_code == 0
    assert [type(c).__name__ for c in cli._UNTIL_EXIT] == ["Checked", "Checked"]
    monkeypatch.setattr(cli, "_UNTIL_EXIT", None)
    assert CliRunner().invoke(cli.main, validate).exit_code == 0


@pytest.mark.parametrize("forked", [True, False])
def test_a_part_waited_for_comes_or_the_process_failure_is_raised(monkeypatch, forked):
    """pipeline._parts_until: the parts up to the one asked for (after it too, where the
    process ran here); where the process ended without sending it, its failure is raised,
    or a WorkerFailed where it failed at nothing."""
    from liaison import workers
    from liaison.pipeline import _parts_until
    from liaison.workers import Streamed, WorkerFailed

    if not forked:
        monkeypatch.setattr(workers, "can_fork", lambda: False)
    elif not can_fork():
        pytest.skip("fork is not available on this platform")

    def sends(send):
        send(1, b"one")
        send(7, b"seven")
        return "done"

    parts = _parts_until(Streamed(sends), 1, "the sender")
    assert (1, b"one") in [(i, bytes(data)) for i, data in parts]

    def fails(send):
        send(1, b"one")
        raise RuntimeError("broken there")

    with pytest.raises(WorkerFailed if forked else RuntimeError, match="broken there"):
        _parts_until(Streamed(fails), 7, "the sender")
    with pytest.raises(WorkerFailed, match="the sender ended without its result"):
        _parts_until(Streamed(lambda send: None), 7, "the sender")


def test_check_and_build_take_what_a_python_caller_passes(example_site, tmp_path, monkeypatch):
    """From a notebook: the root and the output folder as str or Path (relative ones too),
    the as-of date as a datetime.date or an ISO string; the answer is the same."""
    from liaison.stats import stats_json

    given = pipeline.check(example_site, D)
    monkeypatch.chdir(example_site.parent)
    for root in (str(example_site), example_site.name, Path(example_site.name)):
        for as_of in (D, D.isoformat()):
            checked = pipeline.check(root, as_of)
            assert checked.ok and stats_json(checked.stats) == stats_json(given.stats)
    built = pipeline.build(example_site.name, D.isoformat(), "out")
    assert not built.unchanged and (tmp_path / "out" / "stats.json").read_text(
        encoding="utf-8") == stats_json(given.stats)


@pytest.mark.parametrize("as_of, error, words", [
    ("2026-13-01", ValueError, "not a real calendar day"),
    ("12/5/2026", ValueError, "write YYYY-MM-DD"),
    (dt.date(1850, 1, 1), ValueError, "out of range"),
    (dt.datetime(2026, 11, 26, 9, 30), TypeError, r"\.date\(\)"),
    (20261126, TypeError, "datetime.date"),
])
def test_an_as_of_date_a_python_caller_got_wrong_is_said(example_site, tmp_path, as_of,
                                                           error, words):
    """A wrong as-of date is a ValueError or TypeError saying what to give, before any file
    is read, never a TypeError from a comparison deep in the checks."""
    with pytest.raises(error, match=words):
        pipeline.check(example_site, as_of)
    with pytest.raises(error, match=words):
        pipeline.build(example_site, as_of, tmp_path / "out")
    assert not (tmp_path / "out").exists()



def test_a_build_with_errors_gives_its_diagnostics_to_a_python_caller(example_site, tmp_path):
    """Without ``on_checked`` (nothing printed them), the DataErrors raised holds the
    diagnostics, each at its file, line and column."""
    from liaison.errors import DataErrors

    physician = next((example_site / "data" / "physicians").glob("*.yaml"))
    text = physician.read_text(encoding="utf-8")
    physician.write_text(text.replace("tier: ", "tier: Z", 1), encoding="utf-8")
    with pytest.raises(DataErrors) as raised:
        pipeline.build(example_site, D, tmp_path / "out")
    errors = raised.value.report.errors
    assert len(errors) == raised.value.count >= 1
    assert errors[0].path == f"data/physicians/{physician.name}" and errors[0].line > 1
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", ["missing", "a-file"])
def test_a_root_that_is_no_folder_is_said_to_a_python_caller(tmp_path, name):
    """As `--root` is: "is not a folder", not a diagnostic of a missing site.yaml."""
    from liaison.errors import LiaisonError

    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    with pytest.raises(LiaisonError, match=f"'{tmp_path / name}' is not a folder"):
        pipeline.check(tmp_path / name, D)
    with pytest.raises(LiaisonError, match=f"'{tmp_path / name}' is not a folder"):
        pipeline.build(str(tmp_path / name), D, tmp_path / "out")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("workers, error", [(0, ValueError), (-2, ValueError), ("2", TypeError)])
def test_a_number_of_workers_a_python_caller_got_wrong_is_said(generated, tmp_path, monkeypatch,
                                                               workers, error):
    """Said before any work, not a ZeroDivisionError where the records are shared out."""
    monkeypatch.setattr(pipeline, "PARALLEL_BYTES", 0)
    with pytest.raises(error, match="workers is a number of processes"):
        pipeline.check(generated, D, workers=workers)
    with pytest.raises(error, match="workers is a number of processes"):
        pipeline.build(generated, D, tmp_path / "out", workers=workers)
    assert not (tmp_path / "out").exists()


def test_a_cache_folder_among_the_inputs_is_refused_to_a_python_caller(example_site, tmp_path,
                                                                     monkeypatch):
    """As the commands refuse it: checked from Python, the cache's files were read as the
    site's templates the second time (a pickle "not UTF-8 text", 71 errors on the sample)."""
    from liaison.errors import LiaisonError

    monkeypatch.setenv("LIAISON_CACHE_DIR", str(example_site / "templates" / "cache"))
    for _ in range(2):
        with pytest.raises(LiaisonError, match="is in the site's templates/ folder"):
            pipeline.check(example_site, D)
        with pytest.raises(LiaisonError, match="is in the site's templates/ folder"):
            pipeline.build(example_site, D, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_cache_folder_in_the_output_folder_is_refused_to_a_python_caller(example_site,
                                                                          tmp_path, monkeypatch):
    """As `build` refuses it: from Python, the build made the cache folder in ``out``, then
    refused its own output as a folder it did not make, every time."""
    from liaison.errors import LiaisonError

    monkeypatch.setenv("LIAISON_CACHE_DIR", str(tmp_path / "out" / "cache"))
    for _ in range(2):
        with pytest.raises(LiaisonError, match="is in the output folder"):
            pipeline.build(example_site, D, tmp_path / "out")
    assert not (tmp_path / "out").exists()
