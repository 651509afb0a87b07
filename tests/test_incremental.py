"""Incremental builds (liaison.incremental): after an edit, a build takes the pages whose
inputs did not change from the previous site (hard links) and renders the others; the site
is byte-identical to a full build of the same input."""
from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from edits import (CHAIN_EDITS, DEPENDENCY_EDITS, EDITS, OVERRIDE_MARK, chain, edit as make_edit,
                   edit_yaml, fresh_build, same_site as _same_site, site_files as _files)
from liaison.errors import DataErrors, LiaisonError
from liaison.pipeline import build

REPO = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 11, 26)


def _inodes(out: Path, rels: list[str]) -> dict[str, int]:
    """The inode of each of the files ``rels`` of a built site: the same one after a build
    when the file was linked from the previous site, not made again."""
    return {rel: (out / rel).stat().st_ino for rel in rels}


def _hold(out: Path, held: Path) -> dict[Path, bytes]:
    """Every file of the site in ``out``, held through a hard link in ``held``: link ->
    the bytes it had (``_still_held``)."""
    held.mkdir()
    kept = {}
    for i, path in enumerate(sorted(p for p in out.rglob("*") if p.is_file())):
        os.link(path, held / str(i))
        kept[held / str(i)] = path.read_bytes()
    return kept


def _still_held(kept: dict[Path, bytes]) -> None:
    for link, data in kept.items():
        assert link.read_bytes() == data, "a file of the site in place was written"


@pytest.fixture
def generated(tmp_path) -> Path:
    """A generated site of 60 physicians (bench/generate.py: decks, guides, market data,
    referrals by month)."""
    root = tmp_path / "gen"
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), str(root),
                    "--physicians", "60", "--seed", "7"], check=True, capture_output=True)
    return root


@pytest.fixture
def sample(tmp_path) -> Path:
    """The repository's sample site: customized decks with charts, pictures and a logo."""
    root = tmp_path / "sample"
    root.mkdir()
    for name in ("site.yaml", "data", "content", "templates"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, root / name)
        elif (REPO / name).exists():
            shutil.copy(REPO / name, root / name)
    return root


@pytest.mark.parametrize("which, forked", [("generated", False), ("sample", False),
                                           ("generated", True)])
def test_an_incremental_build_after_random_edits_is_a_full_build(which, forked, request,
                                                                 tmp_path, monkeypatch):
    """After each of a series of random edits (interactions, referral rows, physicians,
    practices; files added and removed), the incremental build's site is byte for byte the
    site a full build of the same input writes, and it took most pages from the previous
    site when the edit touched few. ``forked``: on two processes, as a large site's build
    (the whole-site pages shared out, the changed pages on both cores)."""
    from liaison import render

    if forked:
        monkeypatch.setattr(render, "PARALLEL_PAGES", 1)
    root = request.getfixturevalue(which)
    out, full = tmp_path / "out", tmp_path / "full"
    first = build(root, AS_OF, out)
    assert first.kept == 0
    rng = random.Random(16 if which == "generated" else 61)
    kinds = [*EDITS, *rng.sample(EDITS, 3)]  # every kind, in a random order
    rng.shuffle(kinds)
    kept_some = 0
    for kind in kinds:
        edit, path, before = make_edit(rng, root, kind)
        try:
            result = build(root, AS_OF, out)
        except DataErrors:  # an edit that makes the data invalid (a date after a follow-up
            if before is None:  # was done): nothing was written; it is taken back
                path.unlink()
            else:
                path.write_bytes(before)
            continue
        build(root, AS_OF, full, full=True)
        _same_site(out, full)
        assert 0 <= result.kept < result.pages, edit
        kept_some += result.kept > result.pages // 2
    assert kept_some >= 8  # most edits touched few pages


def test_an_incremental_build_after_edits_of_what_the_new_outputs_read_is_a_full_build(
        generated, tmp_path):
    """The edits the outputs of 6 December read (a lunch with and without its cost, a due date
    put off, a practice's address, zip and liaison, a referral row's day and source) and the
    as-of date moved a day, into the next month and the next year, with an edit between:
    each incremental build is the site a full build of the same input and date writes (the
    practices and referrals-by-month exports, the calendars' SEQUENCE, the briefs' alerts
    and lunches that record no cost)."""
    out, full = tmp_path / "out", tmp_path / "full"
    build(generated, AS_OF, out)
    rng = random.Random(6)
    kinds = [*DEPENDENCY_EDITS, *DEPENDENCY_EDITS]
    rng.shuffle(kinds)
    days = iter([AS_OF + dt.timedelta(days=1), dt.date(2026, 12, 1), dt.date(2027, 1, 1)])
    as_of = AS_OF
    for step, kind in enumerate(kinds):
        if step % 5 == 4:
            as_of = next(days)
        edit, path, before = make_edit(rng, generated, kind)
        try:
            build(generated, as_of, out)
        except DataErrors:
            path.write_bytes(before)
            continue
        shutil.rmtree(full, ignore_errors=True)
        build(generated, as_of, full, full=True)
        _same_site(out, full)


def test_an_old_referral_s_service_changed_renders_its_physician_s_brief_again(generated,
                                                                             tmp_path):
    """A brief's talking point names the services that fit a physician's specialty and that
    they never referred for, from every referral they ever sent; a row older than anything
    else the brief reads (past the 544 days of return on visit, before the charted months)
    moves nothing but that list, and the incremental build still renders the brief again
    (its key holds the services ever referred for)."""
    out, full = tmp_path / "out", tmp_path / "full"
    build(generated, AS_OF, out)
    services = {s["name"]: s["key"] for s in
                yaml.safe_load((generated / "site.yaml").read_text(encoding="utf-8"))["services"]}
    for brief in sorted((out / "physicians").glob("*/index.html")):
        text = brief.read_text(encoding="utf-8")
        start = text.find("; never referred for ")
        if start != -1:
            never = text[start + len("; never referred for "):text.index(":", start)]
            break
    else:
        pytest.fail("no brief names a service its physician never referred for")
    pid, name = brief.parent.name, next(n for n in services if never.startswith(n))
    other = next(k for n, k in services.items() if n != name)
    rows = generated / "data" / "referrals" / "long-ago.csv"
    header = "date,source,physician,service,status,count\n"
    for service, listed in ((services[name], False), (other, True)):
        rows.write_text(f"{header}2023-03-15,physician,{pid},{service},treated,\n",
                        encoding="utf-8")
        build(generated, AS_OF, out)
        shutil.rmtree(full, ignore_errors=True)
        build(generated, AS_OF, full, full=True)
        _same_site(out, full)
        text = (out / "physicians" / pid / "index.html").read_text(encoding="utf-8")
        assert (f"never referred for {name}" in text) is listed, (pid, name, listed)


def test_a_row_before_a_physician_s_first_referral_renders_their_brief_again(generated,
                                                                           tmp_path):
    """A referral row dated before anything else a physician sent, for a service they
    referred for already, moves none of the rows their brief lists, charts or counts in a
    year, but it moves their first referral (the brief shows it): the incremental build
    renders the brief again (its key holds the physician's statistics) and is the site a
    full build writes."""
    import csv

    out, full = tmp_path / "out", tmp_path / "full"
    build(generated, AS_OF, out)
    pid = service = None
    for path in sorted((generated / "data" / "referrals").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            row = next((r for r in csv.DictReader(fh) if r["physician"]), None)
        if row is not None:
            pid, service = row["physician"], row["service"]
            break
    assert pid, "the generated site has referral rows from physicians"
    brief = out / "physicians" / pid / "index.html"
    before = brief.read_bytes()
    assert b"2019" not in before
    (generated / "data" / "referrals" / "long-ago.csv").write_text(
        "date,source,physician,service,status,count\n"
        f"2019-03-15,physician,{pid},{service},treated,\n", encoding="utf-8")
    result = build(generated, AS_OF, out)
    build(generated, AS_OF, full, full=True)
    _same_site(out, full)
    assert result.kept > result.pages // 2  # an edit of one physician's rows
    assert brief.read_bytes() != before and b"2019" in brief.read_bytes()


def test_a_new_referring_physician_renders_the_top_referrers_thanks_again(generated,
                                                                          tmp_path):
    """A top referrer's brief, when they were not visited lately, thanks them with their rank
    "#r of n referring physicians". A first referral of the year from a physician who sent
    none moves n for every top referrer, whose own rows are as they were: the incremental
    build renders their briefs again (their key holds the rank) and is the site a full
    build writes."""
    import re

    out, full = tmp_path / "out", tmp_path / "full"
    build(generated, AS_OF, out)
    thanked = {}
    for brief in sorted((out / "physicians").glob("*/index.html")):
        found = re.search(r"Thank them first: .*? of (\d+) referring physicians",
                          brief.read_text(encoding="utf-8"))
        if found:
            thanked[brief] = int(found.group(1))
    assert thanked, "no brief thanks a top referrer"
    rows = sorted((generated / "data" / "referrals").glob("*.csv"))
    lately = "".join(path.read_text(encoding="utf-8") for path in rows[-13:])
    pid = next(p.stem for p in sorted((generated / "data" / "physicians").glob("*.yaml"))
               if p.stem not in lately)
    head = rows[-1].read_text(encoding="utf-8").splitlines()[0].split(",")
    cells = {"date": f"{rows[-1].stem}-02", "source": "physician", "physician": pid,
             "service": "sclerotherapy", "status": "treated"}
    with rows[-1].open("a", encoding="utf-8") as fh:  # (the file ends with a line break)
        fh.write(",".join(cells.get(name, "") for name in head) + "\n")
    build(generated, AS_OF, out)
    build(generated, AS_OF, full, full=True)
    _same_site(out, full)
    for brief, of in thanked.items():
        assert f" of {of + 1} referring physicians" in brief.read_text(encoding="utf-8"), brief


def test_a_matured_referral_s_outcome_edited_renders_every_brief_with_the_site_s_share(
        generated, tmp_path):
    """Each brief shows, beside its own treated share, the share of all our matured
    referrals that were treated. A new patient who came without a physician (a web row,
    in no physician's rows), matured, marked declined instead of treated moves that share
    only: the incremental build renders the physicians' and practices' briefs again (their
    key holds the share) and is the site a full build writes."""
    import csv

    out, full = tmp_path / "out", tmp_path / "full"
    build(generated, AS_OF, out)
    briefs = sorted((out / "physicians").glob("*/index.html")) + \
        sorted((out / "practices").glob("*/index.html"))
    before = {page: page.read_bytes() for page in briefs}
    path = generated / "data" / "referrals" / f"{AS_OF.year}-03.csv"  # 90 to 454 days old
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    row = next(r for r in rows if not r["physician"] and r["status"] == "treated")
    row.update(status="declined", declined_reason="insurance")
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    build(generated, AS_OF, out)
    build(generated, AS_OF, full, full=True)
    _same_site(out, full)
    again = [page for page in briefs if page.read_bytes() != before[page]]
    assert any("/physicians/" in str(p) for p in again) and \
        any("/practices/" in str(p) for p in again), again


def test_a_practice_renamed_that_only_its_physicians_interactions_name_renders_them_again(
        generated, tmp_path):
    """An interaction that names physicians and no practice shows each physician with their
    practice (its snippet, on the months, team pages and briefs that list it). A practice
    that no interaction names itself, renamed, changes those pages of other groups too:
    the site key holds the names of the practices of the physicians an interaction names.
    The incremental build is the site a full build writes."""
    out, full = tmp_path / "out", tmp_path / "full"
    doctors = {p.stem: yaml.safe_load(p.read_text())["practice"]
               for p in sorted((generated / "data" / "physicians").glob("*.yaml"))}
    practice = sorted(doctors.values())[0]
    ours = sorted(pid for pid, p in doctors.items() if p == practice)

    def unnamed(items):  # the practice named by no interaction: its physicians instead
        for item in items if isinstance(items, list) else [items]:
            if item.get("practice") == practice:
                del item["practice"]
                item["physicians"] = item.get("physicians") or ours[:1]

    for log in sorted((generated / "data" / "interactions").rglob("*.yaml")):
        if f"practice: {practice}" in log.read_text():
            edit_yaml(log, unnamed)
    build(generated, AS_OF, out)
    edit_yaml(generated / "data" / "practices" / f"{practice}.yaml",
              lambda d: d.update(name="Quillfeather Family Clinic"))
    build(generated, AS_OF, out)
    build(generated, AS_OF, full, full=True)
    _same_site(out, full)
    assert any(b"Quillfeather Family Clinic" in page.read_bytes()
               for page in (out / "activity").glob("*/index.html"))


def test_a_new_patient_s_source_or_taker_edited_renders_the_team_pages_showing_it_again(
        generated, tmp_path):
    """A team member's page shows their own source capture (``capture_by_member_365d``)
    beside the practice's (``source_capture_rate_365d``). A recent new patient's row given to
    another member (the same source: the practice's rate stays) makes both members' pages
    again; a row of the front desk's marked "unknown" moves the practice's rate, which the
    other member's page shows too. Each incremental build is the site a full build writes."""
    import csv

    out, full = tmp_path / "out", tmp_path / "full"
    build(generated, AS_OF, out)
    files = sorted((generated / "data" / "referrals").glob(f"{AS_OF:%Y}-*.csv"))
    desk = "t-0002"  # the generated site's front desk: every taken_by names it
    other = next(p.stem for p in sorted((generated / "data" / "team").glob("*.yaml"))
                 if p.stem != desk)

    def change(path: Path, edit) -> None:
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        at = next(i for i, r in enumerate(rows) if not r["physician"]
                  and r["taken_by"] == desk and r["source"] != "unknown")
        edit(rows[at])
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)

    pages = {tid: out / "team" / tid / "index.html" for tid in (desk, other)}
    for path, edit in ((files[-3], lambda r: r.update(taken_by=other)),
                       (files[-2], lambda r: r.update(source="unknown"))):
        before = {tid: page.read_bytes() for tid, page in pages.items()}
        change(path, edit)
        build(generated, AS_OF, out)
        shutil.rmtree(full, ignore_errors=True)
        build(generated, AS_OF, full, full=True)
        _same_site(out, full)
        assert pages[other].read_bytes() != before[other], edit


def test_the_as_of_date_moved_with_no_file_edited_builds_that_date_s_site(generated, tmp_path):
    """The statistics are kept under what they read, the as-of date with the inputs: a build
    at a later date of the same files (the next morning's build) makes them again, and the
    site is the one a full build of that date writes (statistics taken as they were would
    be the day before's: the calendars refused them, and the pages' ages were a day old)."""
    out, full = tmp_path / "out", tmp_path / "full"
    build(generated, AS_OF, out)
    for day in (AS_OF + dt.timedelta(days=1), AS_OF + dt.timedelta(days=9)):
        build(generated, day, out)
        shutil.rmtree(full, ignore_errors=True)
        build(generated, day, full, full=True)
        _same_site(out, full)
        assert f'"as_of": "{day.isoformat()}"'.encode() in (out / "stats.json").read_bytes()


def test_a_site_s_own_templates_of_the_whole_site_pages_show_every_edit_after_it(generated,
                                                                                 tmp_path):
    """A site with templates of its own keeps, for the whole-site pages, the hash of every
    input (README "Incremental builds": a template may show anything). Each whole-site
    page with a narrower key of its own (the directories, search, follow-ups, prospects,
    compliance, dashboard, activity, referrals) is overridden by a template that prints
    every variable its page receives, and the interactions' notes on the activity page;
    after edits that such keys leave out (an interaction's notes and summary where an open
    follow-up is logged, a physician's phone, office days and notes, a practice's phone),
    the incremental build is the site a full build writes."""
    from liaison import pages
    from liaison.incremental import (COMPLIANCE_ONLY, FIGURES_ONLY, FOLLOW_UPS_ONLY,
                                     PROSPECTS_ONLY, SHOWN_ONLY, STATUS_ONLY)

    out, full = tmp_path / "out", tmp_path / "full"
    narrow = SHOWN_ONLY | FIGURES_ONLY | STATUS_ONLY | FOLLOW_UPS_ONLY | PROSPECTS_ONLY \
        | COMPLIANCE_ONLY
    (generated / "templates").mkdir(exist_ok=True)
    for name in sorted(narrow):
        kind = pages.KINDS[name]
        shown = "".join(f"<pre>{var}: {{{{ {var} }}}}</pre>\n" for var in kind.variables)
        if name == "activity":
            shown += ("{% for i in recent %}<pre>{{ i.summary }} {{ i.notes_html }}</pre>"
                      "{% endfor %}\n")
        (generated / "templates" / kind.template).write_text(
            f'{{% extends "builtin/{kind.template}" %}}\n'
            f"{{% block content %}}{{{{ super() }}}}\n{shown}{{% endblock %}}\n")
    build(generated, AS_OF, out)

    def promised(items):  # the newest interaction that has an open follow-up
        return [i for i in items if any(not f.get("done") for f in i.get("follow_ups") or ())]

    logs = [log for log in sorted((generated / "data" / "interactions").rglob("*.yaml"))
            if promised(yaml.safe_load(log.read_text()))]
    assert logs

    def noted(items):
        item = promised(items)[-1]
        item["notes"] = "Quillfeather asked for the *new* referral pad."
        item["summary"] = "Left the Quillfeather referral pads with the front desk."

    doctor = sorted((generated / "data" / "physicians").glob("*.yaml"))[0]
    practice = sorted((generated / "data" / "practices").glob("*.yaml"))[0]
    for path, change in (
            (logs[-1], noted),
            (doctor, lambda d: d.update(phone="555-0142", office_days=["fri"],
                                        notes="Quillfeather prefers a call at noon.")),
            (practice, lambda d: d.update(phone="555-0199"))):
        edit_yaml(path, change)
        build(generated, AS_OF, out)
        shutil.rmtree(full, ignore_errors=True)
        build(generated, AS_OF, full, full=True)
        _same_site(out, full)
    assert b"Quillfeather referral pads" in (out / "activity" / "index.html").read_bytes()


def test_a_referral_row_moved_within_the_chart_before_the_listed_rows_renders_its_brief(
        generated, tmp_path):
    """A physician's brief charts their referrals of the last 24 months, further back than
    the rows it lists (545 days). A row 19 months old moved to the month after, in the
    same 365 days, moves no figure of their statistics and none of their recent rows, but
    moves their chart: the incremental build renders their brief again and is the site a
    full build writes."""
    out, full = tmp_path / "out", tmp_path / "full"
    rows = generated / "data" / "referrals"
    was, now = rows / "2025-04.csv", rows / "2025-05.csv"
    head, *lines = was.read_text().splitlines(keepends=True)
    later = {line.split(",")[2] for line in now.read_text().splitlines()[1:]}
    moved = next(line for line in lines if line.split(",")[2].startswith("d-")
                 and line.split(",")[2] in later and line.startswith("2025-04-1"))
    doctor = moved.split(",")[2]
    build(generated, AS_OF, out)
    brief = out / "physicians" / doctor / "index.html"
    before = brief.read_bytes()
    was.write_text(head + "".join(line for line in lines if line is not moved))
    now.write_text(now.read_text() + moved.replace("2025-04-", "2025-05-", 1))
    build(generated, AS_OF, out)
    build(generated, AS_OF, full, full=True)
    _same_site(out, full)
    assert brief.read_bytes() != before  # its chart: one more in May 2025, one less in April


def test_a_recent_declined_referral_s_reason_changed_renders_its_physician_s_brief_again(
        generated, tmp_path):
    """A declined referral of the last 365 days given another reason moves no figure of
    the physician's statistics, but moves the declined reasons of their brief: the
    incremental build renders it again and is the site a full build writes."""
    out, full = tmp_path / "out", tmp_path / "full"
    logs = sorted((generated / "data" / "referrals").glob("2026-*.csv"))
    log, n, cells = next((log, n, line.split(","))
                         for log in logs
                         for n, line in enumerate(log.read_text().splitlines(keepends=True))
                         if line.split(",")[2].startswith("d-") and ",declined," in line)
    doctor = cells[2]
    cells[7] = "insurance\n" if cells[7].strip() != "insurance" else "not-a-candidate\n"
    build(generated, AS_OF, out)
    brief = out / "physicians" / doctor / "index.html"
    before = brief.read_bytes()
    lines = log.read_text().splitlines(keepends=True)
    lines[n] = ",".join(cells)
    log.write_text("".join(lines))
    build(generated, AS_OF, out)
    build(generated, AS_OF, full, full=True)
    _same_site(out, full)
    assert brief.read_bytes() != before  # its declined reasons


def test_a_file_system_that_keeps_no_modes_still_takes_the_unchanged_pages(
        sample, tmp_path, monkeypatch):
    """A site folder's mode tells which umask its files were made with, and a site of
    another umask is not taken as it is (buildrecord.made_with_this_umask); where chmod
    changes nothing (a FAT or NTFS drive, WSL's /mnt/c) the mode tells nothing, and a build
    there still takes the pages an edit left as they were."""
    monkeypatch.setattr(os, "chmod", lambda *args, **kwargs: None)
    out = tmp_path / "out"
    mask = os.umask(0o022)
    try:
        build(sample, AS_OF, out)
        assert out.stat().st_mode & 0o777 == 0o700  # mkdtemp's, which chmod left as it was
        make_edit(random.Random(3), sample, "phone")
        result = build(sample, AS_OF, out)
    finally:
        os.umask(mask)
    assert result.kept > result.pages // 2


def test_a_site_of_another_mode_is_not_taken_when_its_file_system_cannot_be_asked(
        tmp_path, monkeypatch):
    """buildrecord.made_with_this_umask: a folder whose mode is this umask's is taken; one of
    another mode is not, and when no folder can be made beside it to find out whether its
    file system keeps modes, it is not taken either (its pages are rendered again rather
    than published with modes this build would not give them)."""
    import tempfile

    from liaison import buildrecord

    site = tmp_path / "site"
    site.mkdir()
    os.chmod(site, buildrecord.folder_mode())
    assert buildrecord.made_with_this_umask(site)
    os.chmod(site, 0o700 if buildrecord.folder_mode() != 0o700 else 0o755)
    assert not buildrecord.made_with_this_umask(site)

    def refused(*_args, **_kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkdtemp", refused)
    assert not buildrecord.made_with_this_umask(site)


def test_the_keys_take_what_the_cold_files_name_from_their_index(generated, tmp_path,
                                                                 monkeypatch):
    """A full build gathers the physicians and practices that the cold files' interactions
    name where their index reads them (pipeline.page_indexes): the keys read the hot files'
    interactions only for them (a pass of their own over all of them took 0.4 s at 10,000
    physicians), and the pages' and files' keys are those the keys make by themselves."""
    import json

    from liaison import incremental, pipeline

    sizes, colds = [], []
    listed, places, positions = incremental._listed, incremental._places, \
        pipeline._Split.positions

    def counted(fn):
        return lambda records: sizes.append(len(records)) or fn(records)

    def noted(self):
        made = positions(self)
        colds.append(len(made[0]))
        return made

    monkeypatch.setattr(incremental, "_listed", counted(listed))
    monkeypatch.setattr(incremental, "_places", counted(places))
    monkeypatch.setattr(pipeline._Split, "positions", noted)
    monkeypatch.setattr(pipeline, "PARALLEL_BYTES", 0)  # read on two processes, as a large site
    build(generated, AS_OF, tmp_path / "out")
    assert sizes and colds and 0 < max(sizes) < max(colds)  # the hot ones' records only

    sizes.clear()
    monkeypatch.setattr(incremental, "cold_named", lambda *_sets: {})  # made by the keys
    monkeypatch.setenv("LIAISON_CACHE_DIR", str(tmp_path / "cache"))  # (nothing kept there)
    build(generated, AS_OF, tmp_path / "own")
    assert max(sizes) >= max(colds)
    record = {name: json.loads((tmp_path / name / ".liaison-build.json").read_text())
              for name in ("out", "own")}
    assert record["out"]["made"] == record["own"]["made"]
    assert record["out"]["extras"] == record["own"]["extras"]
    _same_site(tmp_path / "out", tmp_path / "own")


def test_the_index_gathers_what_the_interactions_name_after_the_as_of_date_too(generated):
    """The physicians and practices gathered with the index are those of every interaction
    given, those dated after the as-of date (left out of the index) included."""
    from liaison.incremental import _listed, _places, cold_named
    from liaison.pages.view import InteractionIndex
    from liaison.pipeline import check

    site = check(generated, AS_OF, keep_records=True).site
    records = list(site.interactions)
    want = {("cold", "listed"): sorted(_listed(records)),
            ("cold", "practices"): sorted(_places(records))}
    assert want[("cold", "listed")] and want[("cold", "practices")]
    # half of them after the date, then all of them (the index then lists none)
    for as_of in (records[len(records) // 2].date, records[0].date - dt.timedelta(days=1)):
        named: tuple[set, set] = (set(), set())
        index, _open = InteractionIndex.positions(records, site.physicians, as_of, None, None,
                                                  named)
        assert cold_named(*named) == want
    assert not index["by_doc"]


def test_unchanged_pages_are_linked_and_the_previous_site_is_never_written(generated, tmp_path):
    """An unchanged page of the new site is the previous site's file (the same inode); a
    changed page is a new file, and the previous site's copy of it keeps its old bytes."""
    out = tmp_path / "out"
    build(generated, AS_OF, out)
    doc = sorted((generated / "data" / "physicians").glob("*.yaml"))[0]
    practice = yaml.safe_load(doc.read_text())["practice"]
    page = out / "physicians" / doc.stem / "index.html"
    other = sorted(p for p in (out / "practices").iterdir() if p.is_dir() and p.name != practice)[0] / "index.html"
    before = page.read_bytes()
    keep = tmp_path / "kept-old-page.html"
    os.link(page, keep)  # the previous site's file itself
    other_inode = other.stat().st_ino

    edit_yaml(doc, lambda d: d.update(phone="828-555-0123"))
    result = build(generated, AS_OF, out)

    assert 0 < result.kept < result.pages
    assert b"828-555-0123" in page.read_bytes() and page.stat().st_ino != keep.stat().st_ino
    assert keep.read_bytes() == before  # the old file was not written through the link
    assert other.stat().st_ino == other_inode  # another practice's brief: linked, not rendered


def test_the_next_build_writes_into_the_spare_and_never_into_the_site_in_place(generated,
                                                                              tmp_path):
    """The build after next writes into the site before the last (the spare): its pages
    that are still right stay as they are, those the last build changed are linked from
    the site in place, the others are written; a file that the site in place shares with
    the spare (a page the last build took from it) is replaced, never written through."""
    out = tmp_path / "out"
    build(generated, AS_OF, out)
    docs = sorted((generated / "data" / "physicians").glob("*.yaml"))
    first = docs[0]
    practice = yaml.safe_load(first.read_text())["practice"]
    second = next(d for d in docs if yaml.safe_load(d.read_text())["practice"] != practice)
    page_a = lambda: out / "physicians" / first.stem / "index.html"
    page_b = lambda: out / "physicians" / second.stem / "index.html"
    untouched = sorted(p for p in (out / "practices").iterdir() if p.is_dir()
                       and p.name not in (practice, yaml.safe_load(second.read_text())["practice"]))[0]
    untouched_inode = (untouched / "index.html").stat().st_ino

    edit_yaml(first, lambda d: d.update(phone="828-555-0101"))
    build(generated, AS_OF, out)
    a_inode, b_before = page_a().stat().st_ino, page_b().read_bytes()
    assert page_b().stat().st_nlink == 2, "shared with the spare (taken from the first site)"
    site_before = _hold(out, tmp_path / "held")

    edit_yaml(second, lambda d: d.update(phone="828-555-0202"))
    result = build(generated, AS_OF, out)
    build(generated, AS_OF, tmp_path / "full", full=True)
    _same_site(out, tmp_path / "full")
    assert 0 < result.kept < result.pages
    _still_held(site_before)
    assert b"828-555-0202" in page_b().read_bytes() and b_before != page_b().read_bytes()
    assert page_a().stat().st_ino == a_inode, "the page the last build changed: linked"
    assert (untouched / "index.html").stat().st_ino == untouched_inode, "not rendered again"
    beside = sorted(p.name for p in out.parent.iterdir() if p.name.startswith(".out."))
    assert len(beside) == 1 and beside[0].startswith(".out.old-"), beside


def test_the_keys_are_worked_out_while_the_listing_makes_the_spare(
        generated, tmp_path, monkeypatch):
    """The first edit after a full build waits for the listing, which makes the spare on
    another core: the pages' keys, which need neither, are worked out before that wait, once,
    and the build compares them when the spare is there. Where the listing is done first
    (an edit with a spare), the keys are worked out after it, as before. Each build is the
    full build's site."""
    from liaison import render

    out = tmp_path / "out"
    build(generated, AS_OF, out)
    calls = tmp_path / "calls"  # (the keys are worked out in whichever process)
    page_keys, spare_ahead = render._page_keys, render._spare_ahead

    def noted(name, fn):
        def wrapper(*args, **kwargs):
            with open(calls, "a") as fh:
                fh.write(name + "\n")
            return fn(*args, **kwargs)
        return wrapper

    def slow_spare(*args):
        time.sleep(3)  # (a large site's spare: the keys are done well before it)
        return spare_ahead(*args)

    monkeypatch.setattr(render, "_page_keys", noted("keys", page_keys))
    monkeypatch.setattr(render, "_spare_ahead", noted("spare", slow_spare))
    doc = sorted((generated / "data" / "physicians").glob("*.yaml"))[1]
    edit_yaml(doc, lambda d: d.update(phone="828-555-0123"))
    result = build(generated, AS_OF, out)
    labels = [label for label, _seconds in result.timings]
    ahead = labels.index("work out the pages' keys while the output is listed")
    assert labels[ahead + 1].startswith("wait for the listing"), labels
    assert any(label.startswith("compare the pages' keys with the previous build's: ")
               and "in the spare folder already" in label for label in labels), labels
    assert sorted(calls.read_text().split()) == ["keys", "spare"]  # the keys once
    build(generated, AS_OF, tmp_path / "full", full=True)
    _same_site(out, tmp_path / "full")

    calls.unlink()
    edit_yaml(doc, lambda d: d.update(phone="828-555-0124"))
    result = build(generated, AS_OF, out)  # a spare there: listed at once, no spare made
    labels = [label for label, _seconds in result.timings]
    assert "work out the pages' keys while the output is listed" not in labels, labels
    assert any(label.startswith("work out the pages' keys, compare them") for label in labels)
    assert calls.read_text().split() == ["keys"]
    build(generated, AS_OF, tmp_path / "full2", full=True)
    _same_site(out, tmp_path / "full2")


def test_the_first_edit_after_a_full_build_writes_into_a_spare_made_of_the_site(
        generated, tmp_path, monkeypatch):
    """With no spare beside the site (the first build after a full one), the process that
    lists the output makes one while the records are read: the site's folders made and its
    files hard-linked, marked SPARE once whole. The build writes into it, leaving its
    unchanged pages as they are (the site's own files), and never writes a file of the
    site in place. No spare is made where the site was built with other settings, nor
    while another build holds the output folder's lock."""
    from liaison import render

    out = tmp_path / "out"
    build(generated, AS_OF, out)
    assert render._spare_path(out.resolve()) is None
    doc = sorted((generated / "data" / "physicians").glob("*.yaml"))[0]
    page = out / "physicians" / doc.stem / "index.html"
    pages = sorted(p for p in out.rglob("index.html") if p != page)
    inodes = {p: p.stat().st_ino for p in pages}
    before = _hold(out, tmp_path / "held")
    made = []
    ahead = render._spare_ahead
    monkeypatch.setattr(render, "_spare_ahead", lambda *a: made.append(ahead(*a)) or made[-1])

    edit_yaml(doc, lambda d: d.update(phone="828-555-0111"))
    result = build(generated, AS_OF, out, workers=1)
    assert made and made[0] is not None, "a spare made of the site in place"
    assert any(f"{result.kept:,} in the spare folder already" in label
               for label, _seconds in result.timings), result.timings
    # what the build waited for is among its timings: the input files' hashes first, the
    # listing that made the spare once the records were checked and the pages planned
    labels = [label for label, _seconds in result.timings]
    assert labels[0].startswith("hash the input files"), labels
    waited = labels.index("wait for the listing of the site in place (and the spare it makes "
                          "where there is none)")
    assert labels[waited - 1].startswith("index records and plan pages"), labels
    assert all(seconds >= 0 for _label, seconds in result.timings)
    assert b"828-555-0111" in page.read_bytes()
    changed = [p for p in pages if p.stat().st_ino != inodes[p]]  # new files: rendered
    assert len(changed) <= result.pages - result.kept - 1 < len(pages) // 2
    _still_held(before)
    build(generated, AS_OF, tmp_path / "full", full=True)
    _same_site(out, tmp_path / "full")
    spare = render._spare_path(out.resolve())
    assert spare is not None and (spare / render.SPARE).is_file()
    beside = sorted(p.name for p in out.parent.iterdir() if p.name.startswith(".out."))
    assert beside == [spare.name], beside

    # other settings: no spare made (every page changes)
    shutil.rmtree(spare)
    made.clear()
    build(generated, AS_OF + dt.timedelta(days=1), out, workers=1)
    assert made == [None]
    assert render._spare_path(out.resolve()) is not None  # (the site it replaced)

    # another build holds the lock: none made, and this build links from the site in place
    shutil.rmtree(render._spare_path(out.resolve()))
    build(generated, AS_OF, out, full=True)
    shutil.rmtree(render._spare_path(out.resolve()))
    edit_yaml(doc, lambda d: d.update(phone="828-555-0112"))
    made.clear()
    held_lock = render._lock(out.resolve(), wait=0)
    try:
        listed = render.list_output(out, (AS_OF, False))
    finally:
        render._unlock(*held_lock)
    assert made == [None] and listed.spare is None
    assert render._spare_path(out.resolve()) is None
    monkeypatch.setattr(render, "list_output", lambda *_args: listed)
    result = build(generated, AS_OF, out, workers=1)
    assert 0 < result.kept < result.pages
    assert not any("in the spare folder already" in label for label, _s in result.timings)
    build(generated, AS_OF, tmp_path / "full", full=True)
    _same_site(out, tmp_path / "full")


def test_a_spare_of_other_settings_is_replaced_by_one_made_of_the_site(generated, tmp_path):
    """The first edit after a build with another as-of date finds a spare none of whose pages
    it can take (the site two builds back, of the day before): the listing marks it DELETING
    and makes a spare of the site in place instead, so that the build leaves its unchanged
    pages as they are rather than linking each into the old spare in place of its file. The
    old spare is removed once the build is done, and nothing else is left beside the site."""
    import time

    from liaison import render

    out = tmp_path / "out"
    build(generated, AS_OF - dt.timedelta(days=1), out)
    build(generated, AS_OF, out)  # every page again: the site of the day before is the spare
    stale = render._spare_path(out.resolve())
    assert stale is not None and render._made_otherwise(stale, (AS_OF, False))
    assert not render._made_otherwise(stale, (AS_OF - dt.timedelta(days=1), False))
    before = _hold(out, tmp_path / "held")
    doc = sorted((generated / "data" / "physicians").glob("*.yaml"))[0]
    edit_yaml(doc, lambda d: d.update(phone="828-555-0121"))
    result = build(generated, AS_OF, out)
    assert 0 < result.kept < result.pages
    assert any(f"{result.kept:,} in the spare folder already" in label
               for label, _seconds in result.timings), result.timings
    _still_held(before)
    build(generated, AS_OF, tmp_path / "full", full=True)
    _same_site(out, tmp_path / "full")
    deadline = time.monotonic() + 30
    while stale.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not stale.exists(), "the spare of the day before removed"
    spare = render._spare_path(out.resolve())
    beside = sorted(p.name for p in out.parent.iterdir() if p.name.startswith(".out."))
    assert spare is not None and beside == [spare.name], beside
    assert not render._made_otherwise(spare, (AS_OF, False))


def test_an_edit_taken_back_leaves_the_spares_whole_site_pages_as_they_are(generated, tmp_path):
    """Edit, edit again, then go back to the first edit: the spare (the site two builds
    back) was made from the same inputs, so every page of it is right as it is. The
    whole-site pages are not rendered again, each file is listed once in the record, and
    the build after that is still incremental."""
    out = tmp_path / "out"
    build(generated, AS_OF, out)
    doc = sorted((generated / "data" / "physicians").glob("*.yaml"))[0]
    original = doc.read_bytes()
    edit_yaml(doc, lambda d: d.update(phone="828-555-0101"))
    build(generated, AS_OF, out)
    directory = out / "physicians" / "index.html"
    made_then = directory.stat().st_ino, directory.stat().st_mtime_ns
    first_edit = doc.read_bytes()
    edit_yaml(doc, lambda d: d.update(phone="828-555-0102"))
    build(generated, AS_OF, out)
    doc.write_bytes(first_edit)
    result = build(generated, AS_OF, out)
    assert result.kept == result.pages
    assert (directory.stat().st_ino, directory.stat().st_mtime_ns) == made_then, \
        "the spare's page, left as it was"
    on_disk = sum(1 for p in out.rglob("*") if p.is_file())
    assert result.files == on_disk
    doc.write_bytes(original)
    again = build(generated, AS_OF, out)
    assert 0 < again.kept < again.pages, "still incremental: the record lists the site's files"
    build(generated, AS_OF, tmp_path / "full", full=True)
    _same_site(out, tmp_path / "full")


def test_the_output_listed_beforehand_is_used_only_while_its_folders_are_the_same(
        generated, tmp_path, monkeypatch):
    """The site in place and the spare are listed while the records are read (in a forked
    process); the build takes those listings only while each folder is still the one
    listed, and a listing made before another build swapped the folders is listed again:
    the site is still the full build's."""
    from liaison import buildrecord, pipeline, render

    monkeypatch.setattr(pipeline, "PARALLEL_BYTES", 0)  # read on two processes
    here, listings = os.getpid(), []
    folder_files = buildrecord.folder_files
    monkeypatch.setattr(buildrecord, "folder_files", lambda folder, own: (
        listings.append(Path(folder).name) if os.getpid() == here else None) or
        folder_files(folder, own))
    out = tmp_path / "out"
    build(generated, AS_OF, out)
    doc = sorted((generated / "data" / "physicians").glob("*.yaml"))[0]
    for phone in ("828-555-0101", "828-555-0102"):
        edit_yaml(doc, lambda d: d.update(phone=phone))
        listings.clear()
        result = build(generated, AS_OF, out)
        assert 0 < result.kept < result.pages
        assert listings == [], "the site in place and the spare: listed in the other process"

    spare = render._spare_path(out.resolve())
    listed = render.list_output(out)
    assert listed.site_files(out.resolve()) == buildrecord.outputs(out)
    assert listed.spare_files(spare) == folder_files(
        spare, {buildrecord.NAME, render.SPARE, render.SPARE_IGNORE})
    edit_yaml(doc, lambda d: d.update(phone="828-555-0103"))
    build(generated, AS_OF, out)
    assert listed.site_files(out.resolve()) is None, "another folder is in place now"
    now = render._spare_path(out.resolve())
    assert listed.spare_files(now) is None

    edit_yaml(doc, lambda d: d.update(phone="828-555-0104"))
    monkeypatch.setattr(render, "list_output", lambda *_args: listed)  # two builds ago
    listings.clear()
    result = build(generated, AS_OF, out)
    assert 0 < result.kept < result.pages
    assert sorted(listings) == sorted([out.name, now.name]), "both listed again"
    build(generated, AS_OF, tmp_path / "full", full=True)
    _same_site(out, tmp_path / "full")


def test_full_and_other_settings_render_every_page(generated, tmp_path):
    out = tmp_path / "out"
    build(generated, AS_OF, out)
    (generated / "data" / "physicians").joinpath("d-900001.yaml").write_text(
        "name: Ovi Brannick\nspecialty: Podiatry\npractice: p-00001\n")
    assert build(generated, AS_OF, out, full=True).kept == 0
    (generated / "data" / "physicians" / "d-900001.yaml").unlink()
    assert build(generated, AS_OF + dt.timedelta(days=1), out).kept == 0  # another as-of date
    assert build(generated, AS_OF + dt.timedelta(days=1), out, strict=False).unchanged


def test_the_record_lists_the_files_beside_a_linked_page_as_a_rendered_one(generated,
                                                                        tmp_path):
    """The build record says of each page its key and the files written beside it; a page
    linked from the previous site is recorded as one rendered: a customized deck's page with
    its .pptx alone (not its own path too, which the next build would link twice and the
    one after three times), a physician's brief with none."""
    import json

    out = tmp_path / "out"
    build(generated, AS_OF, out)
    doc = sorted((generated / "data" / "physicians").glob("*.yaml"))[0]
    deck = "presentations/working-with-us/p-00002/index.html"
    for phone in ("828-555-0171", "828-555-0172"):
        edit_yaml(doc, lambda d: d.update(phone=phone))
        result = build(generated, AS_OF, out)
        assert 0 < result.kept < result.pages
        made = json.loads((out / ".liaison-build.json").read_text())["made"]
        assert made[deck][1] == ["presentations/working-with-us/p-00002/"
                                 "working-with-us-p-00002.pptx"]
        assert made["physicians/d-000002/index.html"][1] == []


def test_a_page_the_previous_site_lost_is_rendered_again(generated, tmp_path):
    """A file of the previous site removed by hand: its record no longer matches the folder,
    so nothing is taken from it."""
    out = tmp_path / "out"
    build(generated, AS_OF, out)
    victim = sorted((out / "physicians").iterdir())[3] / "index.html"
    victim.unlink()
    doc = sorted((generated / "data" / "physicians").glob("*.yaml"))[0]
    edit_yaml(doc, lambda d: d.update(phone="828-555-0199"))
    result = build(generated, AS_OF, out)
    assert result.kept == 0 and victim.is_file()


def test_a_failed_incremental_build_leaves_the_previous_site_whole(generated, tmp_path,
                                                                   monkeypatch):
    from liaison import render

    out = tmp_path / "out"
    build(generated, AS_OF, out)
    before = _files(out)
    doc = sorted((generated / "data" / "physicians").glob("*.yaml"))[0]
    edit_yaml(doc, lambda d: d.update(phone="828-555-0111"))

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(render, "render_pages", broken)
    # the user's message names the cause and says the site is whole (not a second failure
    # of the clean-up, which any exception would have let pass)
    with pytest.raises(LiaisonError, match="No space left on device; the previous site is "
                                           "untouched"):
        build(generated, AS_OF, out, workers=1)
    assert _files(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


def test_a_page_that_cannot_be_linked_is_rendered(generated, tmp_path, monkeypatch):
    """A file of the previous site that cannot be linked (gone between the check and the
    link): its page is rendered instead, with the files beside it, and is not counted among
    the pages kept; the site is still the full build's."""
    import json

    out, full = tmp_path / "out", tmp_path / "full"
    build(generated, AS_OF, out)
    doc = sorted((generated / "data" / "physicians").glob("*.yaml"))[0]
    edit_yaml(doc, lambda d: d.update(phone="828-555-0142"))
    victim = sorted(out.glob("presentations/*/*/*.pptx"))[-1]  # a customized deck's, beside its page
    pages = list(json.loads((out / ".liaison-build.json").read_text())["made"])
    before = _inodes(out, pages)
    real_link = os.link

    def link(src, dst, **kwargs):
        if os.path.samefile(src, victim):
            raise FileNotFoundError(2, "No such file or directory", src)
        return real_link(src, dst, **kwargs)

    monkeypatch.setattr(os, "link", link)
    result = build(generated, AS_OF, out)
    monkeypatch.undo()
    assert 0 < result.kept < result.pages
    # the pages counted as kept are those whose file is the previous site's: not the deck's
    linked = {rel for rel, inode in _inodes(out, pages).items() if inode == before[rel]}
    assert victim.parent.joinpath("index.html").relative_to(out).as_posix() not in linked
    assert result.kept == len(linked)
    build(generated, AS_OF, full, full=True)
    _same_site(out, full)


def _named(root: Path) -> tuple[set[str], set[str]]:
    """(every physician an interaction names, those an open follow-up's interaction dated
    on or before the as-of date names)."""
    named, followed = set(), set()
    for path in sorted((root / "data" / "interactions").rglob("*.yaml")):
        for item in yaml.safe_load(path.read_text()) or []:
            named.update(item.get("physicians", []))
            if item["date"] <= AS_OF and any("done" not in f for f in item.get("follow_ups", [])):
                followed.update(item.get("physicians", []))
    return named, followed


def test_the_interactions_export_and_calendars_are_made_again_only_for_what_they_show(
        generated, tmp_path):
    """The interactions export is made from the interaction files alone, the calendars from
    them, the practices, the team and the names of the physicians an interaction names: an
    edit of another physician links both from the previous site (the same inodes), the
    renaming of a physician a follow-up's interaction names makes the calendars again; the
    site is the full build's each time."""
    out, full = tmp_path / "out", tmp_path / "full"
    practice = sorted((generated / "data" / "practices").glob("*.yaml"))[0].stem
    (generated / "data" / "physicians" / "d-900002.yaml").write_text(
        f"name: Ovi Brannick\nspecialty: Podiatry\npractice: {practice}\n")
    build(generated, AS_OF, out)
    calendars = ["calendar.ics", *sorted(f"calendar/{p.name}" for p in (out / "calendar").iterdir())]
    export = _inodes(out, ["exports/interactions.csv"])
    named, followed = _named(generated)
    docs = {p.stem: p for p in sorted((generated / "data" / "physicians").glob("*.yaml"))}
    quiet = next(docs[pid] for pid in docs if pid not in named)
    loud = next(docs[pid] for pid in sorted(followed) if pid in docs)

    cals = _inodes(out, calendars)
    physicians_csv = _inodes(out, ["exports/physicians.csv"])
    edit_yaml(quiet, lambda d: d.update(phone="828-555-0177", name="Wren Tallow-Ide"))
    edit_yaml(loud, lambda d: d.update(phone="828-555-0178"))  # named: only its name shows
    assert 0 < build(generated, AS_OF, out).kept
    assert _inodes(out, calendars) == cals and _inodes(out, ["exports/interactions.csv"]) == export
    assert _inodes(out, ["exports/physicians.csv"]) != physicians_csv  # it shows every physician
    assert b"828-555-0177" in (out / "exports" / "physicians.csv").read_bytes()
    build(generated, AS_OF, full, full=True)
    _same_site(out, full)

    edit_yaml(loud, lambda d: d.update(name="Perrin Ashgrove-Lund"))
    build(generated, AS_OF, out)
    assert _inodes(out, ["exports/interactions.csv"]) == export
    # (unfolded: a long line is folded at 75 octets, and a name can fall across the fold)
    assert b"Perrin Ashgrove-Lund" in (out / "calendar.ics").read_bytes().replace(b"\r\n ", b"")
    build(generated, AS_OF, full, full=True)
    _same_site(out, full)

    log = sorted((generated / "data" / "interactions").rglob("*.yaml"))[-1]
    edit_yaml(log, lambda items: items[0].update(summary="Dropped off the new referral pads"))
    build(generated, AS_OF, out)
    assert b"Dropped off the new referral pads" in (out / "exports" / "interactions.csv").read_bytes()
    build(generated, AS_OF, full, full=True)
    _same_site(out, full)


def test_a_practice_s_address_moved_makes_the_calendars_showing_its_planned_visit_again(
        generated, tmp_path):
    """A planned visit's event in the calendars is at its practice's address: the address
    moved (an edit of the practice file alone) makes the calendars again; the site is the
    full build's."""
    out, full = tmp_path / "out", tmp_path / "full"
    log = max((generated / "data" / "interactions").rglob("t-0004.yaml"))
    edit_yaml(log, lambda items: items.append({
        "date": (AS_OF - dt.timedelta(days=1)).isoformat(), "liaison": "t-0004",
        "type": "visit", "practice": "p-00003", "summary": "Met the office manager",
        "next_visit": (AS_OF + dt.timedelta(days=10)).isoformat()}))
    build(generated, AS_OF, out)
    edit_yaml(generated / "data" / "practices" / "p-00003.yaml",
              lambda d: d.update(address="41 Quarry Lane"))
    build(generated, AS_OF, out)
    # (unfolded: a long line is folded at 75 octets)
    assert b"41 Quarry Lane" in (out / "calendar.ics").read_bytes().replace(b"\r\n ", b"")
    build(generated, AS_OF, full, full=True)
    _same_site(out, full)


def test_an_edit_every_page_shows_renders_the_site_as_a_full_build(generated, tmp_path):
    """An edit of an input that is not a record (a team member: in every page's key) makes
    every page again, the way a full build does (each interaction's snippet rendered once
    first), into the spare; the next edit of a record is incremental again."""
    out, full = tmp_path / "out", tmp_path / "full"
    build(generated, AS_OF, out)
    member = sorted((generated / "data" / "team").glob("*.yaml"))[0]
    edit_yaml(member, lambda d: d.update(name=d["name"] + " Jr"))
    result = build(generated, AS_OF, out)
    assert result.kept == 0
    assert any("snippets of" in stage for stage, _seconds in result.timings)
    build(generated, AS_OF, full, full=True)
    _same_site(out, full)
    doc = sorted((generated / "data" / "physicians").glob("*.yaml"))[0]
    edit_yaml(doc, lambda d: d.update(phone="828-555-0177"))
    result = build(generated, AS_OF, out)
    assert result.kept > result.pages // 2
    assert not any("snippets of" in stage for stage, _seconds in result.timings)


def test_a_practice_without_physicians_edited_makes_its_liaison_s_page_again(generated,
                                                                            tmp_path):
    """A team member's page lists the practices whose file names them, with none of their
    physicians too: a liaison's call plan shows a new office with no physician on record
    yet, and "Still named as their liaison" the practices of one who is no liaison now.
    Such a practice renamed, or given to another liaison, makes those pages again; the site
    is the full build's."""
    out, full = tmp_path / "out", tmp_path / "full"
    team = generated / "data" / "team"
    first, second = sorted(p.stem for p in team.glob("*.yaml")
                           if yaml.safe_load(p.read_text())["role"] == "liaison")[:2]
    leaver = sorted(team.glob("*.yaml"))[-1]
    edit_yaml(leaver, lambda d: d.update(role="other"))
    office = generated / "data" / "practices" / "p-90001.yaml"
    office.write_text(f"name: Copperleaf Clinic\nliaison: {first}\n", encoding="utf-8")
    build(generated, AS_OF, out)
    for name, liaison in (("Quarrystone Clinic", first), ("Quarrystone Clinic", second),
                          ("Quarrystone Clinic", leaver.stem)):
        edit_yaml(office, lambda d: d.update(name=name, liaison=liaison))
        build(generated, AS_OF, out)
        shutil.rmtree(full, ignore_errors=True)
        build(generated, AS_OF, full, full=True)
        _same_site(out, full)
        assert b"Quarrystone Clinic" in (out / "team" / liaison / "index.html").read_bytes()


def test_a_physician_given_their_own_liaison_renamed_makes_that_liaison_s_page_again(
        generated, tmp_path):
    """A physician whose own file names another liaison than their practice's is on that
    liaison's call plan, though the practice's file does not name them: the physician
    renamed makes that liaison's page again; the site is the full build's."""
    out, full = tmp_path / "out", tmp_path / "full"
    assert yaml.safe_load((generated / "data" / "practices" / "p-00002.yaml").read_text()
                          )["liaison"] == "t-0003"
    doc = generated / "data" / "physicians" / "d-900002.yaml"
    doc.write_text("name: Ovi Brannick\nspecialty: Podiatry\npractice: p-00002\n"
                   "liaison: t-0004\n", encoding="utf-8")
    build(generated, AS_OF, out)
    edit_yaml(doc, lambda d: d.update(name="Ovi Quarrington"))
    build(generated, AS_OF, out)
    assert b"Quarrington" in (out / "team" / "t-0004" / "index.html").read_bytes()
    build(generated, AS_OF, full, full=True)
    _same_site(out, full)


def test_a_follow_up_owned_by_another_member_edited_makes_their_page_again(generated,
                                                                           tmp_path):
    """A team member's page lists the open follow-ups they own, on interactions another
    member logged too: the task of such a follow-up reworded, in the other member's file,
    makes the owner's page again (about a physician and practice not theirs); the site is
    the full build's."""
    out, full = tmp_path / "out", tmp_path / "full"
    practices = generated / "data" / "practices"
    doctor = next(d for d in sorted((generated / "data" / "physicians").glob("*.yaml"))
                  if "liaison" not in (data := yaml.safe_load(d.read_text()))
                  and yaml.safe_load((practices / f"{data['practice']}.yaml").read_text()
                                     ).get("liaison") == "t-0004")
    practice = yaml.safe_load(doctor.read_text())["practice"]
    log = max((generated / "data" / "interactions").rglob("t-0004.yaml"))
    visit = {"date": (AS_OF - dt.timedelta(days=2)).isoformat(), "liaison": "t-0004",
             "type": "visit", "practice": practice, "physicians": [doctor.stem],
             "summary": "Brought the new screening-day flyers",
             "follow_ups": [{"task": "Send the vein-clinic map", "owner": "t-0005",
                             "due": (AS_OF + dt.timedelta(days=5)).isoformat()}]}
    edit_yaml(log, lambda items: items.append(visit))
    build(generated, AS_OF, out)
    assert b"Send the vein-clinic map" in (out / "team" / "t-0005" / "index.html").read_bytes()
    edit_yaml(log, lambda items: items[-1]["follow_ups"][0].update(
        task="Send the wound-clinic map"))
    build(generated, AS_OF, out)
    assert b"Send the wound-clinic map" in (out / "team" / "t-0005" / "index.html").read_bytes()
    build(generated, AS_OF, full, full=True)
    _same_site(out, full)


def test_an_older_record_of_another_group_renders_the_team_pages_young_site_note_again(
        generated, tmp_path):
    """A young site (its first month fewer than 455 days before the as-of date) says of a
    liaison with no visit old enough "no in-person visit 90 to 454 days old yet"; a
    referral row of another liaison's physician, two years older, makes the site old: every
    team page drops the "yet", though nothing of theirs changed; the site is the full
    build's."""
    out, full = tmp_path / "out", tmp_path / "full"
    as_of = dt.date(2021, 12, 20)  # the generated site begins in November 2021
    page = out / "team" / "t-0004" / "index.html"
    build(generated, as_of, out)
    assert b"no in-person visit 90 to 454 days old yet" in page.read_bytes()
    header = (generated / "data" / "referrals" / "2021-11.csv").read_text().splitlines()[0]
    assert yaml.safe_load((generated / "data" / "practices" / "p-00002.yaml").read_text()
                          )["liaison"] == "t-0003"
    assert "liaison" not in yaml.safe_load(
        (generated / "data" / "physicians" / "d-000002.yaml").read_text())
    (generated / "data" / "referrals" / "2019-12.csv").write_text(
        f"{header}\n2019-12-02,physician,d-000002,vascular-ultrasound,treated,,,\n",
        encoding="utf-8")
    build(generated, as_of, out)
    assert b"no in-person visit 90 to 454 days old<" in page.read_bytes()
    build(generated, as_of, full, full=True)
    _same_site(out, full)


def test_a_visit_logged_makes_again_its_months_page_and_its_neighbours_only(generated,
                                                                          tmp_path):
    """A month of the activity log shows its interactions and the counts of the months
    before and after it: a visit logged in one month makes that month's page and its two
    neighbours again, and links the other months' pages from the previous site. The site is
    the full build's."""
    out, full = tmp_path / "out", tmp_path / "full"
    build(generated, AS_OF, out)
    months = sorted(p.parent.name for p in (out / "activity").glob("*/index.html"))
    middle = months[len(months) // 2]
    log = sorted((generated / "data" / "interactions" / middle[:4] / middle[5:]).glob("*.yaml"))[0]

    def inodes():
        return {m: (out / "activity" / m / "index.html").stat().st_ino for m in months}

    before = inodes()
    edit_yaml(log, lambda items: items.append({**items[-1], "summary": "A second visit"}))
    build(generated, AS_OF, out)
    made = {m for m, inode in inodes().items() if inode != before[m]}
    at = months.index(middle)
    assert made == {months[at - 1], middle, months[at + 1]}
    assert b"A second visit" in (out / "activity" / middle / "index.html").read_bytes()
    build(generated, AS_OF, full, full=True)
    _same_site(out, full)


def test_a_visit_logged_makes_again_the_pages_of_what_it_names_not_of_its_files_others(
        generated, tmp_path):
    """A visit appended to a team member's month file makes again the briefs of the
    physicians it names (and of their practice), not those of the physicians that the
    file's other interactions name; an edit of one of the file's records then makes again
    the briefs of what that record names, as it was and as it is, and not the others. Each
    time the site is the full build's."""
    import json

    out, full = tmp_path / "out", tmp_path / "full"
    build(generated, AS_OF, out)
    month = generated / "data" / "interactions" / f"{AS_OF:%Y}" / f"{AS_OF:%m}"
    log = max(month.glob("*.yaml"), key=lambda p: len(yaml.safe_load(p.read_text())))
    items = yaml.safe_load(log.read_text())
    practice_of = {p.stem: yaml.safe_load(p.read_text())["practice"]
                   for p in (generated / "data" / "physicians").glob("*.yaml")}

    def named(item) -> set[str]:
        return set(item.get("physicians") or ())

    def practices(item) -> set[str]:
        return {item.get("practice")} | {practice_of[d] for d in named(item)}

    def briefs() -> dict[str, str]:  # the key of each brief (a page is made when it changes)
        made = json.loads((out / ".liaison-build.json").read_text())["made"]
        return {pid: made[f"physicians/{pid}/index.html"][0] for pid in practice_of}

    def made_again(edit) -> set[str]:
        before, inode = briefs(), {pid: (out / "physicians" / pid / "index.html").stat().st_ino
                                   for pid in practice_of}
        edit_yaml(log, edit)
        build(generated, AS_OF, out)
        after = briefs()
        changed = {pid for pid in practice_of if after[pid] != before[pid]}
        # the others are the previous site's files (linked, or as they are in the spare)
        assert {pid for pid in practice_of
                if (out / "physicians" / pid / "index.html").stat().st_ino == inode[pid]} \
            <= set(practice_of) - changed
        # (a full build of a copy: one of this root would keep the keys' parts made of the
        # files as they are now, and the next edit would start from those)
        copy = tmp_path / "copy"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.rmtree(full, ignore_errors=True)
        shutil.copytree(generated, copy)
        build(copy, AS_OF, full, full=True)
        _same_site(out, full)
        return changed

    visited = sorted(named(items[0]))[0]
    others = set().union(*(named(i) for i in items)) - {visited}
    apart = {d for d in others if practice_of[d] != practice_of[visited]}
    assert len(apart) >= 3  # the file names physicians of other practices
    made = made_again(lambda data: data.append({
        "date": AS_OF.isoformat(), "liaison": log.stem, "type": "visit",
        "practice": practice_of[visited], "physicians": [visited],
        "summary": "Brought the new screening-day flyers"}))
    assert visited in made
    assert not made & apart, "the briefs of the file's other physicians were made again"
    assert b"Brought the new screening-day flyers" in (
        out / "physicians" / visited / "index.html").read_bytes()

    # the file's second record moved to a physician it did not name: the briefs of what it
    # names, as it was and as it is, are made again; those of the first record's are not
    second = items[1]
    moved_to = sorted(set(practice_of) - named(second) - named(items[0]) - {visited})[0]
    made = made_again(lambda data: data[1].update(physicians=[moved_to],
                                                  practice=practice_of[moved_to]))
    assert named(second) | {moved_to} <= made
    untouched = {d for d in named(items[0])
                 if practice_of[d] not in practices(second) | {practice_of[moved_to]}}
    assert untouched and not made & untouched


def test_a_practice_first_named_by_a_visit_then_renamed_renders_its_pages_again(generated,
                                                                               tmp_path):
    """A visit logged (in the newest interaction file) at a new office no interaction named
    before puts its name among those the site key holds: the office renamed next makes the
    pages listing the visit again (its month's page); the site is the full build's."""
    out, full = tmp_path / "out", tmp_path / "full"
    office = generated / "data" / "practices" / "p-90002.yaml"
    office.write_text("name: Copperleaf Clinic\nliaison: t-0004\n", encoding="utf-8")
    build(generated, AS_OF, out)
    log = max((generated / "data" / "interactions").rglob("*.yaml"))
    edit_yaml(log, lambda items: items.append({
        **items[-1], "practice": "p-90002", "physicians": [], "follow_ups": [],
        "summary": "Met the new office's manager"}))
    build(generated, AS_OF, out)
    edit_yaml(office, lambda d: d.update(name="Quarrystone Clinic"))
    build(generated, AS_OF, out)
    month = log.parent.relative_to(log.parents[1].parent).as_posix().replace("/", "-")
    assert b"Quarrystone Clinic" in (out / "activity" / month / "index.html").read_bytes()
    build(generated, AS_OF, full, full=True)
    _same_site(out, full)


def test_a_call_to_an_office_edited_renders_its_practice_s_brief_again(generated, tmp_path):
    """A call logged at an office without naming its physicians is listed on the practice's
    brief: its summary edited, in the newest interaction file, makes that brief again; the
    site is the full build's."""
    out, full = tmp_path / "out", tmp_path / "full"
    log = max((generated / "data" / "interactions").rglob("*.yaml"))
    call = {"date": (AS_OF - dt.timedelta(days=1)).isoformat(), "liaison": log.stem,
            "type": "call", "practice": "p-00002", "physicians": [],
            "summary": "Called about the screening-day flyers"}
    edit_yaml(log, lambda items: items.append(call))
    build(generated, AS_OF, out)
    brief = out / "practices" / "p-00002" / "index.html"
    assert b"Called about the screening-day flyers" in brief.read_bytes()
    edit_yaml(log, lambda items: items[-1].update(summary="Called about the wound-clinic flyers"))
    build(generated, AS_OF, out)
    assert b"Called about the wound-clinic flyers" in brief.read_bytes()
    build(generated, AS_OF, full, full=True)
    _same_site(out, full)


def test_a_visit_logged_leaves_the_search_index_as_it_is(generated, tmp_path):
    """The search page and its index show nothing of the interactions and referral rows but
    each physician's status and whether they are declining: a visit logged, or a referral
    of an active physician, links them from the previous site (the activity log is made
    again); a first referral of a prospect, which makes them new, makes the index
    again; so does the visit on a site with a template of its own. Each time the site is
    the full build's."""
    import json

    out, full = tmp_path / "out", tmp_path / "full"
    build(generated, AS_OF, out)
    search = ["search/index.html", "search/index.js"]

    log = max((generated / "data" / "interactions").rglob("*.yaml"))
    before = _inodes(out, search + ["activity/index.html"])
    edit_yaml(log, lambda items: items.append({**items[-1], "summary": "A second visit"}))
    build(generated, AS_OF, out)
    after = _inodes(out, search + ["activity/index.html"])
    assert {rel: after[rel] for rel in search} == {rel: before[rel] for rel in search}
    assert after["activity/index.html"] != before["activity/index.html"]
    build(generated, AS_OF, full, full=True)
    _same_site(out, full)

    statuses = {pid: s["status"] for pid, s in
                json.loads((out / "stats.json").read_text())["physicians"].items()}
    rows = max((generated / "data" / "referrals").glob("*.csv"))
    for status, same in (("active", True), ("prospect", False)):
        doctor = next(pid for pid, s in sorted(statuses.items()) if s == status)
        before = _inodes(out, search)
        header, first = rows.read_text().splitlines()[:2]
        cells = {"date": (AS_OF - dt.timedelta(days=3)).isoformat(), "source": "physician",
                 "physician": doctor, "status": "referred",
                 "service": dict(zip(header.split(","), first.split(",")))["service"]}
        with rows.open("a") as fh:
            fh.write(",".join(cells.get(column, "") for column in header.split(",")) + "\n")
        build(generated, AS_OF, out)
        now = {pid: s["status"] for pid, s in
               json.loads((out / "stats.json").read_text())["physicians"].items()}
        assert (now == statuses) is same, status  # a prospect referred once is new
        assert (_inodes(out, search) == before) is same, status
        statuses = now
        build(generated, AS_OF, full, full=True)
        _same_site(out, full)

    (generated / "templates").mkdir(exist_ok=True)
    (generated / "templates" / "search.html").write_text(
        (REPO / "liaison" / "templates" / "search.html").read_text() + "\n")
    build(generated, AS_OF, out)
    before = _inodes(out, search)
    edit_yaml(log, lambda items: items.append({**items[-1], "summary": "A third visit"}))
    build(generated, AS_OF, out)
    assert all(_inodes(out, search)[rel] != before[rel] for rel in search)
    build(generated, AS_OF, full, full=True)
    _same_site(out, full)


def test_a_physicians_own_fields_make_no_whole_site_page_again(generated, tmp_path):
    """A physician's phone, e-mail, office days and notes show on their brief, their
    practice's brief and decks and in the physicians export only: an edit of them links the
    whole-site pages that read none of them (the directories, search, follow-ups…) from the
    previous site; an edit of their specialty makes those pages again; so does the phone
    edit on a site with a template of its own. Each time the site is the full build's."""
    out, full = tmp_path / "out", tmp_path / "full"
    build(generated, AS_OF, out)
    doc = sorted((generated / "data" / "physicians").glob("*.yaml"))[0]
    whole = ["index.html", "physicians/index.html", "practices/index.html",
             "search/index.html", "search/index.js", "follow-ups/index.html",
             "prospects/index.html", "referrals/index.html", "activity/index.html"]

    for n, change in enumerate((
            lambda d: d.update(phone="828-555-0101"),
            lambda d: d.update(email="front@example.org", office_days=["tue"]),
            lambda d: d.update(notes="Prefers *morning* visits."))):
        before = _inodes(out, whole)
        edit_yaml(doc, change)
        result = build(generated, AS_OF, out)
        assert 0 < result.kept < result.pages
        assert _inodes(out, whole) == before, f"edit {n}: linked from the previous site"
        build(generated, AS_OF, full, full=True)
        _same_site(out, full)
    assert b"828-555-0101" in (out / "physicians" / doc.stem / "index.html").read_bytes()

    before = _inodes(out, whole)
    edit_yaml(doc, lambda d: d.update(specialty="Podiatry"))
    build(generated, AS_OF, out)
    assert all(_inodes(out, whole)[rel] != before[rel] for rel in ("physicians/index.html",
                                                        "search/index.js"))
    build(generated, AS_OF, full, full=True)
    _same_site(out, full)

    (generated / "templates").mkdir()
    (generated / "templates" / "physicians.html").write_text(
        '{% extends "builtin/physicians.html" %}')
    build(generated, AS_OF, out)
    before = _inodes(out, whole)
    edit_yaml(doc, lambda d: d.update(phone="828-555-0102"))
    build(generated, AS_OF, out)
    assert all(_inodes(out, whole)[rel] != before[rel] for rel in whole), \
        "a template of its own: made"
    build(generated, AS_OF, full, full=True)
    _same_site(out, full)


class Seen:
    """A value whose attributes read are noted in ``names``."""

    def __init__(self, inner, names: set):
        self._inner, self._names = inner, names

    def __getattr__(self, name):
        self._names.add(name)
        return getattr(self._inner, name)


class Refused:
    """A value that fails the test when it is read (``who`` read ``what``)."""

    def __init__(self, who: str, what: str):
        self._who, self._what = who, what

    def _refuse(self, *_args):
        raise AssertionError(f"{self._who} {self._what}")

    __iter__ = __len__ = __getitem__ = __contains__ = get = items = values = _refuse


VIEW_LISTS = ("by_doc", "by_practice", "by_member", "by_month", "visits_by_doc",
              "open_follow_ups", "fu_by_doc", "fu_by_practice", "fu_by_owner",
              "referrals_by_doc", "doc_series", "services_ever", "planned_visits")


def _refuse_lists(view, who: str, but: tuple = ()) -> None:
    """The view's lists of interactions and referral rows (but ``but``) refused."""
    for name in VIEW_LISTS:
        if name not in but:
            setattr(view, name, Refused(who, f"the view's {name}"))


def test_an_edit_that_moves_no_figure_of_the_directories_leaves_them_as_they_are(
        generated, tmp_path):
    """The physicians' and practices' directories show, of the interactions and referral
    rows, the figures of their rows only: a note edited, or a follow-up added, links them
    from the previous site, and so is the prospects page (the follow-ups page and the
    calendars, which show the open follow-ups and planned visits alone, are linked after
    the note and made again after the follow-up); a visit logged today, which
    moves its physicians' last contact, makes them again; so does a note edited on a site
    with a template of its own. Each time the site is the full build's."""
    import json

    out, full = tmp_path / "out", tmp_path / "full"
    build(generated, AS_OF, out)
    directories = ["physicians/index.html", "practices/index.html"]

    logs = sorted((generated / "data" / "interactions").rglob("*.yaml"))
    for n, change in enumerate((
            lambda items: items[0].update(notes="Asked about the *new* clinic hours."),
            lambda items: items[-1].setdefault("follow_ups", []).append(
                {"task": "Bring the new referral pads", "due": AS_OF + dt.timedelta(days=9)}))):
        before = _inodes(out, directories + ["follow-ups/index.html", "prospects/index.html",
                                             "calendar.ics"])
        edit_yaml(logs[-1 - n], lambda data: change(data if isinstance(data, list) else [data]))
        result = build(generated, AS_OF, out)
        assert 0 < result.kept < result.pages
        after = _inodes(out, directories + ["follow-ups/index.html", "prospects/index.html",
                                            "calendar.ics"])
        assert {rel: after[rel] for rel in directories} == \
            {rel: before[rel] for rel in directories}, f"edit {n}: linked"
        assert (after["follow-ups/index.html"] == before["follow-ups/index.html"]) == (n == 0)
        assert (after["calendar.ics"] == before["calendar.ics"]) == (n == 0)
        assert after["prospects/index.html"] == before["prospects/index.html"]
        build(generated, AS_OF, full, full=True)
        _same_site(out, full)

    # a call logged today with a physician, then with a practice alone (which moves the
    # practice's last contact and no physician's figure)
    for kind in ("physicians", "practices"):
        figures = json.loads((out / "stats.json").read_text())[kind]
        ident = next(pid for pid, s in sorted(figures.items())
                     if s["last_contact"] and s["last_contact"] < AS_OF.isoformat())
        about = {"physicians": [ident]} if kind == "physicians" else {"practice": ident}
        before = _inodes(out, directories)
        edit_yaml(logs[-1], lambda items: items.append(
            {"date": AS_OF, "liaison": items[-1]["liaison"], "type": "call", **about,
             "summary": "Called about the new hours."}))
        build(generated, AS_OF, out)
        assert all(_inodes(out, directories)[rel] != before[rel] for rel in directories), kind
        assert json.loads((out / "stats.json").read_text())[kind][ident][
            "last_contact"] == AS_OF.isoformat()
        build(generated, AS_OF, full, full=True)
        _same_site(out, full)

    (generated / "templates").mkdir()
    (generated / "templates" / "practices.html").write_text(
        '{% extends "builtin/practices.html" %}')
    build(generated, AS_OF, out)
    before = _inodes(out, directories)
    edit_yaml(logs[0], lambda items: items[0].update(notes="Asked about parking."))
    build(generated, AS_OF, out)
    assert all(_inodes(out, directories)[rel] != before[rel] for rel in directories), \
        "a template of its own: made"
    build(generated, AS_OF, full, full=True)
    _same_site(out, full)


def test_a_practice_renamed_renders_the_directories_and_the_search_page_again(generated,
                                                                             tmp_path):
    """The directories, the search page and the follow-ups page leave the interaction and
    referral files out of their keys, not the practice files: a practice renamed (its file
    alone) makes the practices' directory and the search index again, with its new name;
    the site is the full build's."""
    out, full = tmp_path / "out", tmp_path / "full"
    build(generated, AS_OF, out)
    edit_yaml(generated / "data" / "practices" / "p-00002.yaml",
              lambda d: d.update(name="Quarrystone Clinic"))
    build(generated, AS_OF, out)
    assert b"Quarrystone Clinic" in (out / "practices" / "index.html").read_bytes()
    assert b"Quarrystone Clinic" in (out / "search" / "index.js").read_bytes()
    build(generated, AS_OF, full, full=True)
    _same_site(out, full)


def test_the_directories_read_no_figure_and_no_interaction_their_key_leaves_out(generated):
    """The key of the FIGURES_ONLY pages holds, of the statistics, the figures that
    ``PHYSICIAN_ROW_FIGURES`` and ``PRACTICE_ROW_FIGURES`` name, and nothing of the
    interactions and referral rows: their contexts read no other figure, no interaction,
    no referral row and none of the view's lists of them (a row that came to show one
    would be left stale by an edit that moves only it)."""
    import dataclasses

    from liaison import pages
    from liaison.incremental import FIGURES_ONLY
    from liaison.pages.rows import PHYSICIAN_ROW_FIGURES, PRACTICE_ROW_FIGURES
    from liaison.pipeline import check

    checked = check(generated, AS_OF, keep_records=True)
    view = pages.SiteView(checked.site, checked.stats, AS_OF)
    shown = [page for page in pages.plan(view) if page.kind in FIGURES_ONLY]
    assert {page.kind for page in shown} == FIGURES_ONLY
    read = {"physicians": set(), "practices": set()}
    view.stats = dataclasses.replace(checked.stats, **{
        kind: {ident: Seen(s, read[kind]) for ident, s in getattr(checked.stats, kind).items()}
        for kind in ("physicians", "practices")})
    who = "a directory read"
    _refuse_lists(view, who)
    site = dataclasses.replace(checked.site, interactions=Refused(who, "the interactions"),
                               referrals=Refused(who, "the referral rows"))
    view.site = site
    for page in shown:
        assert pages.context(view, page)["rows"]
    # (the counts of the last 90 days only for a declining physician's badge)
    assert set(PHYSICIAN_ROW_FIGURES) - {"referrals_90d", "referrals_prev_90d"} \
        <= read["physicians"] <= set(PHYSICIAN_ROW_FIGURES)
    assert read["practices"] == set(PRACTICE_ROW_FIGURES)


def test_the_prospects_page_reads_no_figure_and_no_interaction_its_key_leaves_out(generated):
    """The key of the PROSPECTS_ONLY page holds, of the statistics, the figures of the
    physicians' rows and PROSPECT_FIGURES, and nothing of the interactions and referral
    rows: its context reads no other figure, no interaction, no referral row and none of
    the view's lists of them; and the key moves with each of those figures."""
    import dataclasses

    from liaison import pages
    from liaison.incremental import PROSPECT_FIGURES, PROSPECTS_ONLY, whole_site_bases
    from liaison.pages.rows import PHYSICIAN_ROW_FIGURES
    from liaison.pipeline import check

    checked = check(generated, AS_OF, keep_records=True)
    view = pages.SiteView(checked.site, checked.stats, AS_OF)
    [page] = [page for page in pages.plan(view) if page.kind in PROSPECTS_ONLY]
    read: set = set()
    who = "the prospects page read"
    view.stats = dataclasses.replace(checked.stats, physicians={
        pid: Seen(s, read) for pid, s in checked.stats.physicians.items()},
        practices=Refused(who, "the practices' figures"),
        liaisons=Refused(who, "the team's figures"))
    _refuse_lists(view, who)
    view.site = dataclasses.replace(checked.site, interactions=Refused(who, "the interactions"),
                                    referrals=Refused(who, "the referral rows"))
    context = pages.context(view, page)
    assert context["prospects"] or context["win_back"]
    assert {"status", "potential", "last_contact"} <= read
    assert read <= set(PHYSICIAN_ROW_FIGURES) | set(PROSPECT_FIGURES), read

    inputs = {"data/site.yaml": "1"}
    view = pages.SiteView(checked.site, checked.stats, AS_OF)
    key = whole_site_bases(view, inputs, {})[5]
    pid = sorted(checked.stats.physicians)[0]
    for name, value in (("potential", "nope"), ("last_referral", "1999-01-01"),
                        ("days_since_referral", 12345), ("referrals", 98765),
                        ("last_contact", "1999-01-02")):
        figures = dict(checked.stats.physicians)
        figures[pid] = dataclasses.replace(figures[pid], **{name: value})
        view.stats = dataclasses.replace(checked.stats, physicians=figures)
        assert whole_site_bases(view, inputs, {})[5] != key, name


def test_the_calendars_read_no_more_of_the_interactions_than_their_key_holds(generated):
    """The calendars' key holds, of the interactions and the statistics, what
    ``calendar_shown`` gives: the calendars read no other field of the open follow-ups,
    of their interactions and of those that plan a visit, no other interaction and no
    figure but the last contact; and the key moves with each field it holds."""
    import dataclasses

    from liaison import exports, pages
    from liaison.incremental import CALENDARS, extra_keys
    from liaison.pipeline import check

    checked = check(generated, AS_OF, keep_records=True)
    view = pages.SiteView(checked.site, checked.stats, AS_OF)
    assert view.open_follow_ups and view.planned_visits
    records, tasks, figures = set(), set(), set()
    open_ones = [(Seen(r, records), Seen(f, tasks)) for _due, r, f in view.open_follow_ups]
    planning = [Seen(r, records) for r in view.planned_visits]
    stats = dataclasses.replace(checked.stats, **{
        kind: {ident: Seen(s, figures) for ident, s in getattr(checked.stats, kind).items()}
        for kind in ("physicians", "practices")})
    who = "the calendars read"
    site = dataclasses.replace(checked.site, interactions=Refused(who, "the interactions"))
    made = exports.calendars(site, stats, AS_OF, open_ones, planning)
    assert made["calendar.ics"].count(b"BEGIN:VEVENT") >= len(open_ones)
    about = {"date", "type", "liaison", "summary", "practice", "physicians"}
    assert about <= records <= about | {"next_visit"}, records
    assert "task" in tasks and tasks <= {"task", "due", "owner"}, tasks
    assert figures == {"last_contact"}

    # each field the key holds moves it
    def key(view) -> str:
        return extra_keys(view, {"data/site.yaml": "1"}, {}, [])[CALENDARS]

    view = pages.SiteView(checked.site, checked.stats, AS_OF)
    before = key(view)
    due, record, task = view.open_follow_ups[0]
    changes = [{"date": record.date - dt.timedelta(days=1)}, {"type": "other"},
               {"liaison": "t-else"}, {"summary": "Else."}, {"practice": "p-else"},
               {"physicians": [*record.physicians, "d-else"]}]
    for change in changes:
        view.open_follow_ups = [(due, record.model_copy(update=change), task),
                                *view.open_follow_ups[1:]]
        assert key(view) != before, change
    for change in ({"task": "Else"}, {"due": due + dt.timedelta(days=1)}, {"owner": "t-else"}):
        view.open_follow_ups = [(due, record, task.model_copy(update=change)),
                                *view.open_follow_ups[1:]]
        assert key(view) != before, change
    view = pages.SiteView(checked.site, checked.stats, AS_OF)
    planned = view.planned_visits[0]
    for change in [*changes, {"next_visit": planned.next_visit + dt.timedelta(days=1)}]:
        view.planned_visits = [planned.model_copy(update=change), *view.planned_visits[1:]]
        assert key(view) != before, change
    view.planned_visits = [planned, *view.planned_visits[1:]]
    kind, ident = ("practices", planned.practice) if planned.practice else \
        ("physicians", planned.physicians[0])
    moved = dict(getattr(checked.stats, kind))
    moved[ident] = dataclasses.replace(moved[ident], last_contact="2099-01-01")
    view.stats = dataclasses.replace(checked.stats, **{kind: moved})
    assert key(view) != before, "last contact"


def test_the_follow_ups_page_reads_no_more_of_the_interactions_than_its_key_holds(generated):
    """The key of the FOLLOW_UPS_ONLY page holds, of the interactions and referral rows, the
    open follow-ups as ``follow_up_shown`` gives them: its context reads no other field of
    them or of their interactions, no interaction, no referral row, no figure and none of
    the view's other lists (a row that came to show one would be left stale by an edit that
    moves only it); and the key moves with each field it holds."""
    import dataclasses

    from liaison import pages
    from liaison.incremental import FOLLOW_UPS_ONLY, follow_up_shown, whole_site_bases
    from liaison.pipeline import check

    checked = check(generated, AS_OF, keep_records=True)
    view = pages.SiteView(checked.site, checked.stats, AS_OF)
    [page] = [page for page in pages.plan(view) if page.kind in FOLLOW_UPS_ONLY]
    inputs = {"data/site.yaml": "1"}
    key = whole_site_bases(view, inputs, {})[4]
    assert view.open_follow_ups and len(view.open_follow_ups) > 3
    read_records, read_tasks = set(), set()
    view.open_follow_ups = [(due, Seen(r, read_records), Seen(f, read_tasks))
                            for due, r, f in view.open_follow_ups]
    who = "the follow-ups page read"
    _refuse_lists(view, who, but=("open_follow_ups",))
    view.stats = Refused(who, "the statistics")
    view.site = dataclasses.replace(checked.site, interactions=Refused(who, "the interactions"),
                                    referrals=Refused(who, "the referral rows"))
    assert pages.context(view, page)["total"] == len(view.open_follow_ups)
    shown = {"liaison", "date", "practice", "physicians"}
    assert read_records <= shown and read_tasks <= {"task", "owner"}, (read_records, read_tasks)
    assert {"practice", "physicians", "date"} <= read_records and "task" in read_tasks

    # each field the key holds moves it
    view = pages.SiteView(checked.site, checked.stats, AS_OF)
    due, record, task = view.open_follow_ups[0]
    for changed in (
            (due + dt.timedelta(days=1), record, task),
            (due, record, task.model_copy(update={"task": task.task + " again"})),
            (due, record, task.model_copy(update={"owner": "t-someone-else"})),
            (due, record.model_copy(update={"liaison": "t-someone-else"}), task),
            (due, record.model_copy(update={"date": record.date - dt.timedelta(days=1)}), task),
            (due, record.model_copy(update={"practice": "p-elsewhere"}), task),
            (due, record.model_copy(update={"physicians": [*record.physicians, "d-x"]}), task)):
        assert follow_up_shown(changed) != follow_up_shown(view.open_follow_ups[0])
        view.open_follow_ups = [changed, *view.open_follow_ups[1:]]
        assert whole_site_bases(view, inputs, {})[4] != key
    view.open_follow_ups = view.open_follow_ups[1:]  # one closed
    assert whole_site_bases(view, inputs, {})[4] != key


def test_the_compliance_page_reads_no_more_of_the_interactions_than_its_key_holds(generated):
    """The key of the COMPLIANCE_ONLY page holds, of the interactions and the statistics,
    what ``compliance_shown`` gives: its context reads the date of the interactions around
    the as-of year (to find the year's) and their cost, no other field but of those with a
    cost in the year (and the type and physicians of those without, to count the lunches
    that record no cost), no referral row, none of the view's lists and no figure but the
    spend and the liaison; and the key moves with each field it holds."""
    import dataclasses
    from decimal import Decimal

    from liaison import pages
    from liaison.incremental import COMPLIANCE_ONLY, compliance_shown, whole_site_bases
    from liaison.pages.compliance import year_costly
    from liaison.pipeline import check

    checked = check(generated, AS_OF, keep_records=True)
    view = pages.SiteView(checked.site, checked.stats, AS_OF)
    [page] = [page for page in pages.plan(view) if page.kind in COMPLIANCE_ONLY]
    costly = {id(r) for r in year_costly(view)}
    assert costly and all(r.date.year == AS_OF.year and r.date <= AS_OF and r.cost
                          for r in year_costly(view))
    assert len(costly) == sum(1 for r in checked.site.interactions
                              if r.cost and r.date.year == AS_OF.year and r.date <= AS_OF)
    read = [set() for _r in checked.site.interactions]
    figures: set = set()
    who = "the compliance page read"
    _refuse_lists(view, who)
    view.site = dataclasses.replace(
        checked.site, referrals=Refused(who, "the referral rows"),
        interactions=[Seen(r, names) for r, names in zip(checked.site.interactions, read)])
    view.stats = dataclasses.replace(checked.stats, **{
        kind: {ident: Seen(s, figures) for ident, s in getattr(checked.stats, kind).items()}
        for kind in ("physicians", "practices", "liaisons")},
        totals=Seen(checked.stats.totals, figures))
    context = pages.context(view, page)
    assert context["rows"] and context["practices"]
    shown = {"date", "type", "summary", "cost", "liaison", "physicians", "practice"}
    for r, names in zip(checked.site.interactions, read):
        assert names <= (shown if id(r) in costly else {"date", "cost", "type", "physicians"}), \
            names
    assert {"date", "cost", "physicians"} <= set().union(*read)
    assert {"spend_ytd_cents", "liaison"} <= figures <= {"spend_ytd_cents", "liaison"}, figures
    assert sum(1 for names in read if names) < len(read) / 2, "the year's alone"

    # each field the key holds moves it
    view = pages.SiteView(checked.site, checked.stats, AS_OF)
    inputs = {"data/site.yaml": "1"}
    key = whole_site_bases(view, inputs, {})[6]
    first = next(r for r in view.site.interactions if id(r) in costly)
    at = view.site.interactions.index(first)
    for change in ({"date": first.date + dt.timedelta(days=1)}, {"type": "other"},
                   {"summary": "Else."}, {"cost": first.cost + Decimal("1.25")},
                   {"liaison": "t-else"}, {"physicians": [*first.physicians, "d-else"]},
                   {"practice": "p-else"}, {"cost": None}):
        interactions = list(checked.site.interactions)
        interactions[at] = copy = first.model_copy(update=change)
        # (the copy at the record's place in its file: the place alone moves the key)
        src = {**checked.site.src, id(copy): checked.site.src[id(first)]}
        view.site = dataclasses.replace(checked.site, interactions=interactions, src=src)
        assert whole_site_bases(view, inputs, {})[6] != key, change
    # a lunch of the year that records no cost is counted (the page says how many)
    free = next(r for r in view.site.interactions if r.cost is None and r.physicians
                and r.type != "lunch" and r.date.year == AS_OF.year and r.date <= AS_OF)
    interactions = list(checked.site.interactions)
    interactions[interactions.index(free)] = free.model_copy(update={"type": "lunch"})
    view.site = dataclasses.replace(checked.site, interactions=interactions)
    assert whole_site_bases(view, inputs, {})[6] != key, "a lunch without a cost"
    # the page names each cost's record file: a record moved to another file moves the key
    src = dict(checked.site.src)
    path, prefix = src[id(first)]
    src[id(first)] = (path + ".moved.yaml", prefix)
    view.site = dataclasses.replace(checked.site, src=src)
    assert whole_site_bases(view, inputs, {})[6] != key, "the record's file"
    view.site = checked.site
    assert compliance_shown(view) == compliance_shown(pages.SiteView(checked.site,
                                                                     checked.stats, AS_OF))
    pid = next(pid for pid, s in sorted(checked.stats.physicians.items()) if s.spend_ytd_cents)
    prac = next(p for p, s in sorted(checked.stats.practices.items()) if s.spend_ytd_cents)
    for kind, ident, change in (("physicians", pid, {"spend_ytd_cents": 1}),
                                ("physicians", pid, {"liaison": "t-else"}),
                                ("practices", prac, {"spend_ytd_cents": 1})):
        moved = dict(getattr(checked.stats, kind))
        moved[ident] = dataclasses.replace(moved[ident], **change)
        view.stats = dataclasses.replace(checked.stats, **{kind: moved})
        assert whole_site_bases(view, inputs, {})[6] != key, (kind, change)
    view.stats = dataclasses.replace(checked.stats, totals=dataclasses.replace(
        checked.stats.totals, spend_ytd_cents=1))
    assert whole_site_bases(view, inputs, {})[6] != key, "total"


def test_an_edit_that_gives_no_cost_in_the_year_leaves_the_compliance_page_as_it_is(
        generated, tmp_path):
    """A phone, a note, or a cost given to an interaction two years back leaves the
    compliance page linked from the previous site; a cost given to an interaction of the
    as-of year makes it again, with the new spend, and so does one of the year before (the
    page says what that year gave in all). Each time the site is the full build's."""
    out, full = tmp_path / "out", tmp_path / "full"
    build(generated, AS_OF, out)
    page = ["compliance/index.html"]
    doc = sorted((generated / "data" / "physicians").glob("*.yaml"))[0]
    logs = sorted((generated / "data" / "interactions").rglob("*.yaml"))
    two_back = next(p for p in logs if p.parts[-3] == str(AS_OF.year - 2))
    last_year = next(p for p in logs if p.parts[-3] == str(AS_OF.year - 1))
    this_year = next(p for p in reversed(logs) if p.parts[-3] == str(AS_OF.year))

    def add_cost(items):
        item = next(i for i in items if i.get("physicians") and not i.get("cost")
                    and i["date"] <= AS_OF)
        item.update(type="lunch", cost=987.65)

    for n, (path, change, linked) in enumerate((
            (doc, lambda d: d.update(phone="828-555-0161"), True),
            (this_year, lambda items: items[0].update(notes="Asked about *parking*."), True),
            (two_back, add_cost, True),
            (last_year, add_cost, False),
            (this_year, add_cost, False))):
        before = _inodes(out, page)
        edit_yaml(path, change)
        result = build(generated, AS_OF, out)
        assert 0 < result.kept < result.pages
        assert (_inodes(out, page) == before) == linked, f"edit {n}"
        build(generated, AS_OF, full, full=True)
        _same_site(out, full)
    assert b"$987.65" in (out / "compliance" / "index.html").read_bytes()


def test_two_costs_of_the_year_swapped_render_the_compliance_page_again(generated, tmp_path):
    """Two lunches of the as-of year for the same physicians at the same practice, their
    costs swapped: no one's spend of the year moves, nor the practice's or the total, but
    the compliance page lists each lunch with its cost and the running total: the
    incremental build renders it again and is the site a full build writes."""
    out, full = tmp_path / "out", tmp_path / "full"
    costly = [(log, n) for log in sorted((generated / "data" / "interactions").rglob("*.yaml"))
              if log.parts[-3] == str(AS_OF.year)
              for n, item in enumerate(yaml.safe_load(log.read_text()))
              if item.get("cost") and item.get("physicians") and item["date"] <= AS_OF]
    (first, i), (second, j) = costly[:2]
    who = yaml.safe_load(first.read_text())[i]

    def costs(a, b):
        edit_yaml(first, lambda items: items[i].update(cost=a))
        edit_yaml(second, lambda items: items[j].update(
            cost=b, physicians=who["physicians"], practice=who.get("practice")))

    costs(41.25, 63.5)
    build(generated, AS_OF, out)
    page = out / "compliance" / "index.html"
    before = page.read_bytes()
    costs(63.5, 41.25)
    build(generated, AS_OF, out)
    build(generated, AS_OF, full, full=True)
    _same_site(out, full)
    assert page.read_bytes() != before


def test_a_physician_who_turns_declining_renders_the_search_page_again(generated, tmp_path):
    """Referrals added 120 days back for an active physician who sent few in the last 90
    days make them declining, still active: the search page and its index, which tell a
    declining physician by it, are made again. The incremental build is the site a full
    build writes."""
    import json

    out, full = tmp_path / "out", tmp_path / "full"
    build(generated, AS_OF, out)
    figures = json.loads((out / "stats.json").read_text())["physicians"]
    pid = next(p for p, s in sorted(figures.items())
               if s["status"] == "active" and not s["declining"])
    rows = generated / "data" / "referrals" / "2026-07.csv"
    service = next(line.split(",")[3] for line in rows.read_text().splitlines()[1:])
    rows.write_text(rows.read_text() + f"2026-07-28,physician,{pid},{service},referred,"
                    f"{2 * figures[pid]['referrals_90d'] + 4},,\n")
    build(generated, AS_OF, out)
    build(generated, AS_OF, full, full=True)
    _same_site(out, full)
    now = json.loads((out / "stats.json").read_text())["physicians"][pid]
    assert now["declining"] and now["status"] == "active"


def test_a_physician_with_a_planned_visit_given_another_liaison_moves_it_between_calendars(
        generated, tmp_path):
    """A visit planned for one physician alone (no practice named) is in their liaison's
    calendar too. The physician given another liaison in their own file (which no
    interaction names) moves it to that liaison's calendar: the calendars are made again,
    and the incremental build is the site a full build writes."""
    from liaison.pipeline import check

    out, full = tmp_path / "out", tmp_path / "full"
    logs = sorted((generated / "data" / "interactions").rglob("*.yaml"))
    log, item = max(((log, item) for log in logs for item in yaml.safe_load(log.read_text())
                     if item["date"] <= AS_OF and item.get("physicians")),
                    key=lambda li: li[1]["date"])
    pid = item["physicians"][0]

    def planned(items):  # the newest contact: the plan stands
        for it in items:
            if it == item:
                it.pop("practice", None)
                it.update(physicians=[pid], next_visit=AS_OF + dt.timedelta(days=20))

    edit_yaml(log, planned)
    site = check(generated, AS_OF, keep_records=True).site
    doctor = site.physicians[pid]
    was = doctor.liaison or site.practices[doctor.practice].liaison
    other = sorted(t for t, m in site.team.items() if m.role == "liaison"
                   and t not in (was, item["liaison"]))[0]
    build(generated, AS_OF, out)
    before = {p.name: p.read_bytes() for p in out.rglob("*.ics")}
    edit_yaml(generated / "data" / "physicians" / f"{pid}.yaml",
              lambda d: d.update(liaison=other))
    build(generated, AS_OF, out)
    build(generated, AS_OF, full, full=True)
    _same_site(out, full)
    assert {p.name: p.read_bytes() for p in out.rglob("*.ics")} != before


def test_an_interaction_moved_to_a_new_practice_then_renamed_renders_its_month_again(
        generated, tmp_path):
    """A practice no interaction named, named by an edited interaction (of a file edited
    just before, a hot file), then renamed: its name shows in that interaction's snippet
    on its month's page, so the rename changes the site key (the names of the practices an
    interaction names), and the incremental build after the three edits is the site a full
    build writes."""
    out, full = tmp_path / "out", tmp_path / "full"
    practices = generated / "data" / "practices"
    (practices / "p-09999.yaml").write_text(
        "name: Thistledown Family Clinic\naddress: 12 Orchard Lane\ncity: Lakewood\n"
        "state: VT\nzip: \"88052\"\n")
    log = max(p for p in (generated / "data" / "interactions").rglob("*.yaml")
              if p.parts[-3] == str(AS_OF.year))
    build(generated, AS_OF, out)

    def moved(items):
        items[0]["practice"] = "p-09999"
        items[0].pop("physicians", None)

    for path, change in ((log, lambda items: items[0].update(notes="Asked about *parking*.")),
                         (log, moved),
                         (practices / "p-09999.yaml",
                          lambda d: d.update(name="Quillfeather Family Clinic"))):
        edit_yaml(path, change)
        build(generated, AS_OF, out)  # (no full build between: it would refresh the parts)
    build(generated, AS_OF, full, full=True)
    _same_site(out, full)
    month = out / "activity" / f"{AS_OF.year}-{log.parts[-2]}" / "index.html"
    assert b"Quillfeather Family Clinic" in month.read_bytes()


def _chained(root: Path, out: Path, kinds, seed: int, at=(), as_of=AS_OF) -> list[str]:
    """``kinds`` edited in ``root`` one after another (tests/edits.py ``chain``), an
    incremental build into ``out`` after each and no full build of ``root`` between (it would
    make again the parts, records and split the next build keeps, and a part one edit left
    stale would be gone before a later edit showed it): after the steps ``at`` and after the
    last, the site is the one a full build of a copy of the root writes (``fresh_build``:
    caches of its own). What was done."""
    def step(day):
        try:
            build(root, day, out)
        except DataErrors:
            return False
        return True

    def check(day):
        _same_site(out, fresh_build(root, day, out.with_name("fresh")))

    build(root, as_of, out)
    done = chain(random.Random(seed), root, kinds, as_of, step, check, at)
    days = [k for k in kinds if isinstance(k, dt.date)]
    check(days[-1] if days else as_of)
    return done


def test_a_chain_of_records_added_renamed_and_removed_ends_as_a_full_build(generated, tmp_path):
    """Fifteen edits of the records in a row, an incremental build after each and no full
    build between: a physician added, renamed and removed, a practice added, renamed and
    removed, a team member added, interactions and referral rows edited, added and removed, a
    physician moved and renamed, an edit taken back. The site after the chain (and after its
    seventh step, compared in a copy so that the chain goes on untouched) is the site a full
    build writes."""
    done = _chained(generated, tmp_path / "out", [
        "doctor added", "note", "doctor renamed", "practice renamed", "referral", "row",
        "move", "revert", "member added", "add", "remove", "doctor removed", "rename",
        "practice added", "practice removed"], seed=3, at=(6,))
    assert sum(not d.startswith("refused") for d in done) >= 13, done


def test_a_chain_of_edits_of_one_interaction_file_ends_as_a_full_build(generated, tmp_path):
    """Fourteen edits in a row, most of them of the newest interaction file (after its first
    edit, a build works out again only the keys' parts of its records that changed and keeps
    the others; its month's page shows what they change): its first visit moved to another
    physician twice, to a practice added just before (then renamed), to the month before,
    given a promise another member owns, an edit taken back; between them a referral row, a
    physician's phone and the as-of date. No full build between; the site after the chain
    (and after its fifth step) is the one a full build writes. (A practice's part left out
    of what an edited record reads kept the renamed practice's old name on the month's page
    only so: with the file's first edit on an older month, or with a full build between,
    the chain passed.)"""
    done = _chained(generated, tmp_path / "out", [
        "visit moved", "visit moved", "practice added", "visit to practice",
        "practice renamed", "row", "visit dated", "promise", "revert", "phone",
        AS_OF + dt.timedelta(days=2), "visit moved", "promise", "note"], seed=8, at=(4,))
    assert sum(not d.startswith("refused") for d in done) >= 12, done


def test_a_chain_of_site_wide_edits_and_dates_ends_as_a_full_build(generated, tmp_path):
    """Thirteen edits in a row of what every page may show, with the as-of date moved twice
    and interactions edited between: a template override made, edited, removed and put back,
    a guide, site.yaml's phone, a deck, a team member added and removed. No full build
    between; the site after the chain (and after its sixth step) is the one a full build
    writes, the override's page with it."""
    out = tmp_path / "out"
    done = _chained(generated, out, [
        "template", "note", "template edited", "guide", "setting", AS_OF + dt.timedelta(days=1),
        "member added", "no template", "revert", "deck", dt.date(2026, 12, 1), "follow-up",
        "member removed"], seed=5, at=(5,))
    assert not any(d.startswith("refused") for d in done), done
    brief = next((out / "physicians").glob("*/index.html"))
    assert OVERRIDE_MARK.encode() in brief.read_bytes()  # (the removal taken back)


def test_a_chain_of_edits_of_an_older_interaction_file_ends_as_a_full_build(generated,
                                                                          tmp_path):
    """Eight edits in a row of an interaction file of 2023, made hot by its first edit: its
    first visit moved from physician to physician three times, to a practice, given a
    promise, moved a month back, an edit taken back. An old visit moves none of a
    physician's figures, so only the keys' parts of what the visit named before the edit
    make their briefs again. No full build between; the site after the chain (and after its
    third step) is the one a full build writes."""
    done = _chained(generated, tmp_path / "out", [
        "note", "visit moved", "visit moved", "visit to practice", "promise", "visit dated",
        "revert", "visit moved"], seed=8, at=(2,))
    assert done[0].startswith("note data/interactions/2023/"), done
    assert not any(d.startswith("refused") for d in done), done


@pytest.mark.parametrize("site, seed", [("generated", 11), ("example", 12)])
def test_a_random_chain_of_every_kind_of_edit_ends_as_a_full_build(site, seed, request,
                                                                     tmp_path):
    """Twelve edits drawn from every kind (tests/edits.py: EDITS, DEPENDENCY_EDITS,
    CHAIN_EDITS, a revert, a day later), an incremental build after each, no full build
    between: the site after the chain is the one a full build writes, on a generated site and
    on the contract's worked example."""
    from conftest import SPEC_EXAMPLE, _make_writable

    if site == "example":
        root = tmp_path / "example"
        shutil.copytree(SPEC_EXAMPLE, root)
        _make_writable(root)
    else:
        root = request.getfixturevalue(site)
    rng = random.Random(seed)
    kinds = rng.sample([*EDITS, *DEPENDENCY_EDITS, *CHAIN_EDITS], 10)
    kinds.insert(rng.randrange(1, 10), "revert")
    kinds.insert(rng.randrange(1, 11), AS_OF + dt.timedelta(days=3))
    done = _chained(root, tmp_path / "out", kinds, seed=seed, at=(5,))
    assert sum(not d.startswith("refused") for d in done) >= 8, done


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the pages are shared out only with fork")
def test_pages_given_after_the_fork_are_waited_for_while_the_giver_lives():
    """render._Chunks with the pages given later: a forked process waits for them, then
    takes them in the order given; one whose giver is gone (killed before it gave them)
    ends instead of waiting forever."""
    import multiprocessing

    from liaison import render

    ctx = multiprocessing.get_context("fork")
    among = ["a", "b", "c", "d"]
    chunks = render._Chunks(None, 1, among=among)
    reader, writer = ctx.Pipe(duplex=False)

    def take_all(chunks, writer):
        taken = []
        while (part := chunks.take()[1]):
            taken += part
        writer.send(taken)

    proc = ctx.Process(target=take_all, args=(chunks, writer), daemon=True)
    proc.start()
    time.sleep(0.2)  # (it waits meanwhile)
    chunks.give(["c", "a"])
    assert reader.recv() == ["c", "a"]
    proc.join(10)
    assert proc.exitcode == 0

    orphan = render._Chunks(None, 1, among=among)
    orphan.giver = -1  # (not its parent: as if the giver had been killed)
    proc = ctx.Process(target=take_all, args=(orphan, writer), daemon=True)
    proc.start()
    proc.join(10)
    if proc.exitcode is None:
        proc.kill()
    assert proc.exitcode == 1, "it ended instead of waiting"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the pages are shared out only with fork")
def test_an_edit_forks_the_other_files_process_before_the_whole_site_keys(generated, tmp_path,
                                                                          monkeypatch):
    """An incremental build forks the process that makes the other files first, then works
    out which whole-site pages to make (their keys) and hands them to it: the whole-site
    keys wait here until that process has started (they would wait forever, and the test
    fail, if they came before the fork); the other process makes its share of those pages,
    and the site is the full build's."""
    from liaison import render

    monkeypatch.setattr(render, "PARALLEL_PAGES", 1)  # two processes, as on a large site
    out, full = tmp_path / "out", tmp_path / "full"
    build(generated, AS_OF, out, workers=2)
    logs = sorted((generated / "data" / "interactions").rglob("*.yaml"))
    # (the first edit after a full build works the keys out while the spare is made)
    edit_yaml(logs[-1], lambda items: items[0].update(summary="Asked about the fax line"))
    build(generated, AS_OF, out, workers=2)
    here, started = os.getpid(), tmp_path / "other files started"
    made = tmp_path / "made"
    whole_site_keys, extras_again, work = (render._Rendering.whole_site_keys,
                                           render._Rendering.extras_again, render._Rendering.work)

    def keys_after_the_fork(self):
        if self.whole is None and os.getpid() == here:
            deadline = time.monotonic() + 20
            while not started.exists():
                assert time.monotonic() < deadline, "the whole-site keys came before the fork"
                time.sleep(0.01)
        return whole_site_keys(self)

    def noted_extras(self, previous):
        started.touch()
        return extras_again(self, previous)

    def noted_work(self, share, progress=None):
        if isinstance(share, list):
            with open(made, "a") as fh:
                fh.writelines(f"{os.getpid() == here} {page.path}\n" for page in share)
        return work(self, share, progress)

    monkeypatch.setattr(render._Rendering, "whole_site_keys", keys_after_the_fork)
    monkeypatch.setattr(render._Rendering, "extras_again", noted_extras)
    monkeypatch.setattr(render._Rendering, "work", noted_work)
    edit_yaml(logs[-1], lambda items: items.append(
        dict(items[0], summary="Left the new referral pads", follow_ups=[])))
    result = build(generated, AS_OF, out, workers=2)
    assert 0 < result.kept < result.pages and started.exists()
    lines = made.read_text().splitlines()
    assert any(line.startswith("False ") for line in lines), "the other process made pages"
    assert "referrals/index.html" in " ".join(lines)  # (a whole-site page, made again)
    build(generated, AS_OF, full, workers=2, full=True)
    _same_site(out, full)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the pages are shared out only with fork")
def test_a_full_build_hands_out_the_dearest_whole_site_pages_first(generated, tmp_path,
                                                                   monkeypatch):
    """render._Rendering._pages_and_extras: the search page (its index) and the other dear
    whole-site pages go first, the others in the plan's order: last in the plan, the search
    page ended the build alone, when the processes' copied memory was at its largest."""
    from liaison import pages, render

    handed: list = []
    planned: list = []

    class Recorded(render._Chunks):
        def __init__(self, items, size, **kwargs):
            if items and isinstance(items[0], pages.Page):  # (not the interactions' chunks)
                handed.append(list(items))
            super().__init__(items, size, **kwargs)

    plan = pages.plan

    def recorded_plan(view):
        planned.append(plan(view))
        return planned[-1]

    monkeypatch.setattr(render, "_Chunks", Recorded)
    monkeypatch.setattr(render, "PARALLEL_PAGES", 1)
    monkeypatch.setattr(pages, "plan", recorded_plan)
    build(generated, AS_OF, tmp_path / "site", workers=2, full=True)
    (order,), (plan_order,) = handed, planned
    assert sorted(p.path for p in order) == sorted(p.path for p in plan_order)
    dear = [p.kind for p in order if p.kind in render.DEAREST]
    assert "search" in dear and len(dear) >= 5
    assert [p.kind for p in order[:len(dear)]] == sorted(dear, key=render.DEAREST.index)
    assert [p.path for p in order[len(dear):]] == \
        [p.path for p in plan_order if p.kind not in render.DEAREST]  # the plan's order
    assert plan_order[-1].kind == "search"  # (what made the change worth it)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the pages are shared out only with fork")
def test_the_page_processes_inherit_the_compiled_templates_and_the_pptx_writer(
        generated, tmp_path, monkeypatch):
    """render._ready_to_fork: a full build compiles every template (the pages', the decks'
    slides) and makes the .pptx writer (python-pptx's parts, when the cache folder does not
    hold them) in the process that forks the page processes, before it forks them: they
    inherit all of it instead of each making its own."""
    import jinja2

    from liaison import render
    from liaison.pptx import package

    made = tmp_path / "made"

    def recorded(what, fn):
        def call(*args, **kwargs):
            with open(made, "a") as fh:
                fh.write(f"{what} {os.getpid()}\n")
            return fn(*args, **kwargs)
        return call

    monkeypatch.setattr(package, "_base", recorded("writer", package._base))
    monkeypatch.setattr(jinja2.Environment, "compile",
                        recorded("compile", jinja2.Environment.compile))
    monkeypatch.setattr(render, "PARALLEL_PAGES", 1)
    out = tmp_path / "site"
    build(generated, AS_OF, out, workers=2, full=True)
    assert len(list(out.rglob("*.pptx"))) > 1
    lines = made.read_text().split("\n")[:-1]
    assert "writer" in {line.split()[0] for line in lines}
    assert {line.split()[1] for line in lines} == {str(os.getpid())}, lines
    assert sum(line.startswith("writer ") for line in lines) == 1


def test_the_parts_dropped_after_an_edit_are_those_of_the_records_that_changed():
    """incremental.changed_parts: a file's records compared place by place; every part of
    a record that is not what it was at its place, as it was and as it is; every part of the
    file when either side does not list its records (a store kept by an earlier version)."""
    from liaison.incremental import changed_parts

    a, b, c, d = (("doctor", x) for x in "abcd")
    was = ("h1", frozenset({a, b, c}), (((0,), b"1", frozenset({a})), ((1,), b"2", frozenset({b})),
                                       ((2,), b"3", frozenset({c}))))
    same = ("h2", was[1], was[2])  # a comment edited: every record as it was
    assert changed_parts(was, same) == set()
    appended = ("h2", was[1] | {d}, was[2] + (((3,), b"4", frozenset({d})),))
    assert changed_parts(was, appended) == {d}
    # the second record dropped: the third moves up to its place, and is gone from the last
    dropped = ("h2", frozenset({a, c}), (was[2][0], ((1,), b"3", frozenset({c}))))
    assert changed_parts(was, dropped) == {b, c}
    edited = ("h2", was[1], (was[2][0], ((1,), b"9", frozenset({d})), was[2][2]))
    assert changed_parts(was, edited) == {b, d}
    assert changed_parts(("h1", frozenset({a, b})), same) == {a, b, c}  # no records then
    assert changed_parts(None, same) == {a, b, c}  # a file new to the hot ones
    assert changed_parts(was, None) == {a, b, c}  # a file gone
    assert changed_parts(("h1", frozenset({a, b}), ((0,), b"1")), same) == {a, b, c}  # damaged


def test_the_pages_keys_are_the_same_however_the_interactions_files_are_looked_up(
        generated, monkeypatch):
    """incremental.Keys._files_in: the files of a page's interactions by their positions in
    the site's interactions (a build at scale), one by one (after an edit: few), and by
    record for lists the view does not keep by position: the same keys each way (a key
    that changed with the way would render pages again after every edit, or missed a
    file: a page left as it was after an edit of it)."""
    from liaison import incremental, pages, pipeline
    from liaison.pages.view import Listed

    # a physician of two interactions, in two files (a list of exactly two positions)
    (generated / "data" / "physicians" / "d-900003.yaml").write_text(
        "name: Ovi Brannick\nspecialty: Podiatry\npractice: p-00002\n", encoding="utf-8")
    for log in sorted((generated / "data" / "interactions").rglob("t-0004.yaml"))[-2:]:
        edit_yaml(log, lambda items: items.append({
            **items[-1], "practice": "p-00002", "physicians": ["d-900003"]}))
    checked = pipeline.check(generated, AS_OF, keep_records=True, use_cache=False)
    inputs = {rel: f"h{i}" for i, rel in enumerate(sorted({s[0] for s in
                                                            checked.site.src.values()}))}

    def keys(one_by_one: int, listed: bool = True) -> dict[str, str]:
        monkeypatch.setattr(incremental, "FILES_ONE_BY_ONE", one_by_one)
        view = pages.SiteView(checked.site, checked.stats, AS_OF)
        if not listed:  # plain lists, as a view whose index was not kept by position
            for name in ("by_doc", "visits_by_doc", "by_practice", "by_member", "by_month"):
                mapping = getattr(view, name)
                assert isinstance(mapping, Listed)
                setattr(view, name, {key: list(mapping[key]) for key in mapping})
        seen = []
        files_in = incremental.Keys._files_in

        def counted(self, listed, records=()):
            seen.append(self._file_at is not None)
            return files_in(self, listed, records)

        monkeypatch.setattr(incremental.Keys, "_files_in", counted)
        out = incremental.page_keys(view, pages.plan(view), inputs, {"as_of": "x"})
        monkeypatch.setattr(incremental.Keys, "_files_in", files_in)
        return out, seen

    by_position, seen = keys(0)
    assert seen and all(seen[1:])  # every look-up after the first by position
    one_by_one, seen = keys(10 ** 9)
    assert seen and not any(seen)
    by_record, _seen = keys(0, listed=False)
    assert by_position == one_by_one == by_record
    assert len(set(by_position.values())) > len(by_position) // 2  # keys that tell pages apart
    # a file's hash is part of the keys of the pages that show its interactions
    rel = next(rel for rel in inputs if rel.startswith("data/interactions/"))
    inputs[rel] = "edited"
    edited, _seen = keys(0)
    changed = {path for path in edited if edited[path] != by_position[path]}
    assert changed and changed < set(edited)
