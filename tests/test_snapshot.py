"""The records kept between builds (liaison.snapshot): a build reads again only the
interaction, referral, physician, practice and team files that changed since the last one,
takes the others from the cache folder, and writes a site byte-identical to a full build."""
from __future__ import annotations

import datetime as dt
import pickle
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest
import yaml

from edits import edit_yaml
from liaison import buildrecord
from liaison.parse import Loader
from liaison.pipeline import build
from liaison.snapshot import DERIVED

REPO = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 11, 26)
RECORDS = ("data/interactions/", "data/referrals/", "data/physicians/", "data/practices/",
           "data/team/")


def _files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name != ".liaison-build.json"}


@pytest.fixture
def generated(tmp_path) -> Path:
    root = tmp_path / "gen"
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), str(root),
                    "--physicians", "40", "--seed", "11"], check=True, capture_output=True)
    return root


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """The record files parsed (YAML) or read (CSV) in this process, in order."""
    seen: list[str] = []
    parse, read_bytes = Loader.parse, Loader.read_bytes

    def counted_parse(self, rel, raw=None, line_offset=0):
        seen.append(rel)
        return parse(self, rel, raw, line_offset)

    def counted_read(self, rel):
        if rel.endswith(".csv"):
            seen.append(rel)
        return read_bytes(self, rel)

    monkeypatch.setattr(Loader, "parse", counted_parse)
    monkeypatch.setattr(Loader, "read_bytes", counted_read)
    return seen


def _records(rels: list[str]) -> set[str]:
    return {rel for rel in rels if rel.startswith(RECORDS)}


def _sealed(kept: tuple) -> bytes:
    """A chunk's file as the store writes it: the pickled (version, name, signatures,
    entries pickled), then a CRC-32 of the entries (liaison.snapshot._check)."""
    return pickle.dumps(kept) + zlib.crc32(kept[3]).to_bytes(4, "big")


def _store_files(cache: Path) -> list[Path]:
    return sorted(cache.glob("records-*.d/*.pickle"))


def _chunk_files(cache: Path) -> list[Path]:
    """The chunks of records (not what the rules and sums made: liaison.snapshot.DERIVED)."""
    return [path for path in _store_files(cache)
            if not pickle.loads(path.read_bytes())[1].startswith(DERIVED)]


def _derived_file(cache: Path, name: str) -> Path:
    return next(path for path in _store_files(cache)
                if pickle.loads(path.read_bytes())[1] == DERIVED + name)


def _interactions(root: Path, edited: tuple[Path, ...] = ()) -> tuple[int, int]:
    """(every interaction of the site root, those of its hot files): the files with a visit
    of the last HOT_DAYS days before the as-of date, and ``edited`` (pipeline._Split)."""
    from liaison.pipeline import HOT_DAYS

    since, every, hot = AS_OF - dt.timedelta(days=HOT_DAYS), 0, 0
    for path in sorted((root / "data" / "interactions").rglob("*.yaml")):
        items = yaml.safe_load(path.read_text())
        every += len(items)
        if path in edited or any(item["date"] >= since for item in items):
            hot += len(items)
    return every, hot


def test_a_build_reads_again_only_the_files_that_changed(generated, reads, monkeypatch,
                                                         _private_parse_cache, tmp_path):
    monkeypatch.setattr(buildrecord, "RACY_NS", 0)  # the files were written a moment ago
    out, full = tmp_path / "out", tmp_path / "full"
    build(generated, AS_OF, out, workers=1)
    everything = _records(reads)
    assert len(everything) > 60 and _store_files(_private_parse_cache)

    log = sorted((generated / "data" / "interactions").rglob("*.yaml"))[2]
    doc = sorted((generated / "data" / "physicians").glob("*.yaml"))[5]
    edit_yaml(log, lambda items: items[0].update(summary="Brought the new intake forms"))
    edit_yaml(doc, lambda d: d.update(phone="828-555-0164"))
    reads.clear()
    build(generated, AS_OF, out, workers=1)
    assert _records(reads) == {log.relative_to(generated).as_posix(),
                               doc.relative_to(generated).as_posix()}
    reads.clear()
    build(generated, AS_OF, full, workers=1, full=True)  # --full reads every file again
    assert _records(reads) == everything
    assert _files(out) == _files(full)
    assert b"828-555-0164" in (out / "exports" / "physicians.csv").read_bytes()


def test_what_the_store_holds_is_what_a_build_shows_and_full_reads_the_files(
        generated, monkeypatch, _private_parse_cache, tmp_path):
    """The store is used as it is (a physician's name changed inside it shows on the next
    build, whose files did not change); ``full`` reads every file again."""
    monkeypatch.setattr(buildrecord, "RACY_NS", 0)
    out = tmp_path / "out"
    build(generated, AS_OF, out, workers=1)
    doc = sorted((generated / "data" / "physicians").glob("*.yaml"))[3]
    chunk = next(path for path in _store_files(_private_parse_cache)
                 if doc.relative_to(generated).as_posix().encode() in path.read_bytes())
    version, name, signatures, payload = pickle.loads(chunk.read_bytes())
    entries = pickle.loads(payload)
    for rel, (value, problems, failed) in ((e[0], e[1:]) for e in entries):
        if rel.endswith(doc.name):
            object.__setattr__(value, "name", "Marked In-The-Store")
    chunk.write_bytes(_sealed((version, name, signatures, pickle.dumps(entries))))

    build(generated, AS_OF, out, workers=1, full=True)
    assert b"Marked In-The-Store" not in (out / "exports" / "physicians.csv").read_bytes()
    # --full wrote the store again from the files: tamper with it once more
    chunk.write_bytes(_sealed((version, name, signatures, pickle.dumps(entries))))
    edit_yaml(sorted((generated / "data" / "practices").glob("*.yaml"))[0],
              lambda d: d.update(phone="828-555-0133"))  # something to build
    build(generated, AS_OF, out, workers=1)
    assert b"Marked In-The-Store" in (out / "exports" / "physicians.csv").read_bytes()


def test_a_damaged_or_foreign_store_is_not_used(generated, reads, monkeypatch,
                                                _private_parse_cache, tmp_path):
    monkeypatch.setattr(buildrecord, "RACY_NS", 0)
    out, full = tmp_path / "out", tmp_path / "full"
    build(generated, AS_OF, out, workers=1)
    chunks = _chunk_files(_private_parse_cache)
    chunks[0].write_bytes(b"not a pickle")
    version, name, signatures, payload = pickle.loads(chunks[1].read_bytes())
    chunks[1].write_bytes(_sealed((b"another version", name, signatures, payload)))
    version, name, signatures, payload = pickle.loads(chunks[2].read_bytes())
    chunks[2].write_bytes(_sealed((version, "another chunk", signatures, payload)))
    edit_yaml(sorted((generated / "data" / "practices").glob("*.yaml"))[0],
              lambda d: d.update(phone="828-555-0134"))
    reads.clear()
    build(generated, AS_OF, out, workers=1)
    assert len(_records(reads)) > 3  # the three chunks' files, read again
    build(generated, AS_OF, full, workers=1, full=True)
    assert _files(out) == _files(full)


def test_a_chunk_whose_bytes_were_damaged_is_not_used(generated, monkeypatch,
                                                      _private_parse_cache, tmp_path):
    """Bytes overwritten inside a chunk's records (a bad disk block; the chunk is still a
    pickle of the right version and name) cost a read of its files, never a traceback or a
    page made from the damaged records: `build` crashed with UnpicklingError (or a
    UnicodeDecodeError) on every run until the cache folder was deleted."""
    monkeypatch.setattr(buildrecord, "RACY_NS", 0)
    out, full = tmp_path / "out", tmp_path / "full"
    build(generated, AS_OF, out, workers=1)
    for chunk in _chunk_files(_private_parse_cache):
        raw = chunk.read_bytes()
        payload = pickle.loads(raw)[3]
        at = raw.index(payload) + len(payload) // 2
        chunk.write_bytes(raw[:at] + b"\xc9" * 16 + raw[at + 16:])
    edit_yaml(sorted((generated / "data" / "practices").glob("*.yaml"))[0],
              lambda d: d.update(phone="828-555-0136"))
    build(generated, AS_OF, out, workers=1)
    build(generated, AS_OF, full, workers=1, full=True)
    assert _files(out) == _files(full)


def test_a_file_written_a_moment_ago_is_read_again(generated, reads, tmp_path):
    """A file whose modification or change time is within RACY_NS of the build may change
    again without its signature moving: it is not taken from the store."""
    out = tmp_path / "out"
    build(generated, AS_OF, out, workers=1)  # every file is a moment old
    doc = sorted((generated / "data" / "physicians").glob("*.yaml"))[1]
    edit_yaml(doc, lambda d: d.update(phone="828-555-0135"))
    reads.clear()
    build(generated, AS_OF, out, workers=1)
    assert len(_records(reads)) > 60


def test_two_processes_read_through_the_store_as_one(generated, monkeypatch, tmp_path,
                                                     _private_parse_cache):
    """The load on two processes (a large site's) takes the same records from the store."""
    from liaison import pipeline

    monkeypatch.setattr(buildrecord, "RACY_NS", 0)
    monkeypatch.setattr(pipeline, "PARALLEL_BYTES", 0)
    out, full = tmp_path / "out", tmp_path / "full"
    build(generated, AS_OF, out, workers=2)
    log = sorted((generated / "data" / "interactions").rglob("*.yaml"))[-1]
    edit_yaml(log, lambda items: items[-1].update(summary="Left lunch and the new brochures"))
    referral = sorted((generated / "data" / "referrals").glob("*.csv"))[0]
    referral.write_text(referral.read_text())  # the same bytes, a new signature
    build(generated, AS_OF, out, workers=2)
    build(generated, AS_OF, full, workers=2, full=True)
    assert _files(out) == _files(full)
    assert b"Left lunch and the new brochures" in (out / "exports" / "interactions.csv").read_bytes()


def test_validate_takes_what_the_last_build_kept_and_keeps_nothing(
        generated, reads, monkeypatch, _private_parse_cache, tmp_path):
    """``validate`` (``check``) reads only the files changed since the last build, with the
    same report as a check that reads every file; on a machine where no build ran it reads
    every file and writes nothing into the cache folder; there it does not work out this
    program's version either (what the kept chunks are checked against: 0.045 s)."""
    from liaison import snapshot
    from liaison.pipeline import check

    versions = []
    version = snapshot._version
    monkeypatch.setattr(snapshot, "_version", lambda: versions.append(1) or version())
    monkeypatch.setattr(buildrecord, "RACY_NS", 0)
    fresh = check(generated, AS_OF)
    assert _records(reads) and not _store_files(_private_parse_cache)
    assert not versions
    build(generated, AS_OF, tmp_path / "out", workers=1)
    versions.clear()
    log = sorted((generated / "data" / "interactions").rglob("*.yaml"))[1]
    edit_yaml(log, lambda items: items[0].update(liaison="nobody-on-the-team"))
    before = {path: path.read_bytes() for path in _store_files(_private_parse_cache)}
    reads.clear()
    kept = check(generated, AS_OF)
    assert _records(reads) == {log.relative_to(generated).as_posix()} and versions
    assert {path: path.read_bytes() for path in _store_files(_private_parse_cache)} == before
    reads.clear()
    monkeypatch.setenv("LIAISON_CACHE_DIR", str(tmp_path / "another-cache"))
    again = check(generated, AS_OF)  # every file read
    assert len(_records(reads)) > 60
    assert kept.report == again.report and not kept.ok
    assert any(log.name in d.path for d in kept.report.errors)
    assert kept.stats == again.stats and fresh.ok


def test_an_edited_physician_writes_again_only_the_chunk_its_name_falls_in(
        generated, monkeypatch, _private_parse_cache, tmp_path):
    """The physicians of a folder are kept in chunks by file name (snapshot.CORE_BUCKETS):
    after one is edited, the build writes that chunk again and leaves the others as they
    were, and takes the records of all of them."""
    from liaison.snapshot import CORE_BUCKETS

    monkeypatch.setattr(buildrecord, "RACY_NS", 0)
    out = tmp_path / "out"
    build(generated, AS_OF, out, workers=1)

    def physician_chunks() -> dict[Path, bytes]:
        return {path: path.read_bytes() for path in _chunk_files(_private_parse_cache)
                if pickle.loads(path.read_bytes())[1].startswith("data/physicians#")}

    before = physician_chunks()
    assert 1 < len(before) <= CORE_BUCKETS  # 40 physicians, shared out by name
    doc = sorted((generated / "data" / "physicians").glob("*.yaml"))[5]
    edit_yaml(doc, lambda d: d.update(phone="828-555-0164"))
    build(generated, AS_OF, out, workers=1)
    after = physician_chunks()
    assert after.keys() == before.keys()
    rewritten = [path for path in after if after[path] != before[path]]
    assert len(rewritten) == 1
    assert doc.relative_to(generated).as_posix().encode() in after[rewritten[0]]
    assert b"828-555-0164" in (out / "exports" / "physicians.csv").read_bytes()


def test_the_chunks_of_files_no_longer_there_are_removed(generated, monkeypatch,
                                                         _private_parse_cache, tmp_path):
    import shutil

    monkeypatch.setattr(buildrecord, "RACY_NS", 0)
    out = tmp_path / "out"
    build(generated, AS_OF, out, workers=1)
    before = _store_files(_private_parse_cache)
    month = sorted(p for p in (generated / "data" / "interactions").glob("*/*") if p.is_dir())[0]
    held = [path for path in _chunk_files(_private_parse_cache)
            if month.relative_to(generated).as_posix().encode() in path.read_bytes()]
    assert len(held) == 1
    shutil.rmtree(month)
    build(generated, AS_OF, out, workers=1)
    after = _store_files(_private_parse_cache)
    assert after == [path for path in before if path not in held]


@pytest.fixture
def derivations(monkeypatch) -> list[str]:
    """What the rules (checks.check_bulk) were run on in this process: ("interactions", how
    many) or ("referrals", how many), once per call."""
    from liaison import pipeline

    seen: list[str] = []
    check_bulk = pipeline.check_bulk

    def counted(site, as_of, interactions, referrals, partials):
        seen.extend([("interactions", len(interactions))] * bool(interactions)
                    + [("referrals", len(referrals))] * bool(referrals))
        return check_bulk(site, as_of, interactions, referrals, partials)

    monkeypatch.setattr(pipeline, "check_bulk", counted)
    return seen


@pytest.mark.parametrize("workers", [1, 2])
def test_the_rules_and_sums_are_kept_while_what_they_read_is_the_same(
        generated, derivations, monkeypatch, _private_parse_cache, tmp_path, workers):
    """A build keeps what the rules and sums made of the interactions of the cold files and
    of the referral rows, and takes it while their files and what they read of the core
    records (ids, each physician's practice, who is a liaison, site.yaml) are the same; the
    hot files' interactions (a visit of the last HOT_DAYS days, or edited since the cold
    files were chosen) are checked and summed when one of their files changed, and the whole
    kept under the key of all the interaction files. The site is the one a full build
    makes."""
    from liaison import pipeline

    monkeypatch.setattr(pipeline, "PARALLEL_BYTES", 0)  # two processes with workers=2
    monkeypatch.setattr(buildrecord, "RACY_NS", 0)
    out, full = tmp_path / "out", tmp_path / "full"
    build(generated, AS_OF, out, workers=workers)

    def step(edit, interactions: int, referrals: bool):
        edit()
        derivations.clear()
        build(generated, AS_OF, out, workers=workers)
        if workers == 1:  # (two processes: the rules run in the forked one)
            rows = sum(n for kind, n in derivations if kind == "referrals")
            assert sum(n for kind, n in derivations if kind == "interactions") == interactions
            assert (rows > 0) == referrals
        build(generated, AS_OF, full, workers=workers, full=True)
        assert _files(out) == _files(full)

    doctors = sorted((generated / "data" / "physicians").glob("*.yaml"))
    log = sorted((generated / "data" / "interactions").rglob("*.yaml"))[4]
    every, hot = _interactions(generated)
    assert 0 < hot < every / 4
    step(lambda: edit_yaml(doctors[2], lambda d: d.update(phone="828-555-0171")), 0, False)
    # an older file: every interaction checked again, and the file is hot from then on
    step(lambda: edit_yaml(log, lambda items: items[0].update(summary="Dropped off flyers")),
         every, False)
    with_log = _interactions(generated, edited=(log,))[1]
    assert with_log > hot
    step(lambda: edit_yaml(log, lambda items: items[0].update(summary="Left two flyers")),
         with_log, False)
    at = yaml.safe_load(doctors[0].read_text())["practice"]
    other = next(p.stem for p in sorted((generated / "data" / "practices").glob("*.yaml"))
                 if p.stem != at)
    step(lambda: edit_yaml(doctors[0], lambda d: d.update(practice=other)),
         every, True)  # each physician's practice: both made again


def test_what_the_rules_and_sums_kept_is_what_a_build_shows(
        generated, monkeypatch, _private_parse_cache, tmp_path):
    """The sums kept are used as they are (a total changed inside the store shows in the
    next build's stats.json), the referral rows' and the interactions'; ``full`` makes them
    again."""
    import json

    out = tmp_path / "out"
    build(generated, AS_OF, out, workers=1)
    total = json.loads((out / "stats.json").read_text())["totals"]["referrals"]
    path = _derived_file(_private_parse_cache, "referrals")
    version, name, key, payload = pickle.loads(path.read_bytes())
    rules, sums = pickle.loads(payload)
    sums.totals["referrals"] += 100_000
    path.write_bytes(_sealed((version, name, key, pickle.dumps((rules, sums)))))
    edit_yaml(sorted((generated / "data" / "practices").glob("*.yaml"))[0],
              lambda d: d.update(phone="828-555-0172"))  # something to build
    build(generated, AS_OF, out, workers=1)
    assert json.loads((out / "stats.json").read_text())["totals"]["referrals"] == total + 100_000
    build(generated, AS_OF, out, workers=1, full=True)
    assert json.loads((out / "stats.json").read_text())["totals"]["referrals"] == total

    # and the interactions' (the cold files' and the hot ones' put together)
    from liaison.snapshot import ALL_INTERACTIONS

    count = json.loads((out / "stats.json").read_text())["totals"]["interactions"]
    path = _derived_file(_private_parse_cache, ALL_INTERACTIONS)
    version, name, key, payload = pickle.loads(path.read_bytes())
    rules, sums = pickle.loads(payload)
    sums.totals["interactions"] += 100_000
    path.write_bytes(_sealed((version, name, key, pickle.dumps((rules, sums)))))
    edit_yaml(sorted((generated / "data" / "practices").glob("*.yaml"))[0],
              lambda d: d.update(phone="828-555-0178"))
    build(generated, AS_OF, out, workers=1)
    assert json.loads((out / "stats.json").read_text())["totals"]["interactions"] == count + 100_000
    build(generated, AS_OF, out, workers=1, full=True)
    assert json.loads((out / "stats.json").read_text())["totals"]["interactions"] == count


@pytest.fixture
def indexings(monkeypatch) -> list[int]:
    """How many interactions the pages' index was made of (InteractionIndex.positions), in
    this process, once per call."""
    from liaison.pages.view import InteractionIndex

    seen: list[int] = []
    positions = InteractionIndex.positions

    def counted(interactions, *args, **kwargs):
        seen.append(len(interactions))
        return positions(interactions, *args, **kwargs)

    monkeypatch.setattr(InteractionIndex, "positions", staticmethod(counted))
    return seen


def test_the_pages_index_of_the_interactions_is_kept_with_their_rules_and_sums(
        generated, indexings, monkeypatch, _private_parse_cache, tmp_path):
    """A build on two processes keeps the pages' index of the cold files' interactions
    under the key of their rules and sums, and takes it while that key is the same; the hot
    files' interactions are indexed and joined to it when one of them changed (and the
    joined index kept under the key of all the interaction files): an edit of a physician's
    phone indexes none, an edit of an older interaction file or a physician's move to
    another practice indexes all of them again, a second edit of that file (hot then) only
    the hot ones, in the process forked ahead (none here); the site is the one a full build
    makes."""
    from liaison import pipeline

    monkeypatch.setattr(pipeline, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(buildrecord, "RACY_NS", 0)
    out, full = tmp_path / "out", tmp_path / "full"
    every, hot = _interactions(generated)
    build(generated, AS_OF, out, workers=2)
    assert sorted(indexings) == [hot, every - hot]

    def step(edit, indexed: int):
        edit()
        indexings.clear()
        build(generated, AS_OF, out, workers=2)
        assert sum(indexings) == indexed
        build(generated, AS_OF, full, workers=2, full=True)
        assert _files(out) == _files(full)

    doctors = sorted((generated / "data" / "physicians").glob("*.yaml"))
    log = sorted((generated / "data" / "interactions").rglob("*.yaml"))[4]
    step(lambda: edit_yaml(doctors[2], lambda d: d.update(phone="828-555-0173")), 0)
    step(lambda: edit_yaml(log, lambda items: items[0].update(summary="Left the new flyers")),
         every)
    step(lambda: edit_yaml(log, lambda items: items[0].update(summary="Left more flyers")),
         0)  # the hot ones, in the process forked ahead (see
    #       test_after_an_edit_of_a_hot_file_the_process_ahead_joins_the_pages_index)
    at = yaml.safe_load(doctors[0].read_text())["practice"]
    other = next(p.stem for p in sorted((generated / "data" / "practices").glob("*.yaml"))
                 if p.stem != at)
    step(lambda: edit_yaml(doctors[0], lambda d: d.update(practice=other)), every)


def test_the_kept_index_is_what_the_pages_show(generated, monkeypatch, _private_parse_cache,
                                              tmp_path):
    """The index kept is used as it is (a physician's list cut short inside the store cuts
    their brief's interactions short in the next build); ``full`` makes it again, and one
    that does not fit the interactions is made again."""
    from liaison import pipeline
    from liaison.snapshot import INDEX_ALL, KEY_PARTS

    monkeypatch.setattr(pipeline, "PARALLEL_BYTES", 0)
    out = tmp_path / "out"
    build(generated, AS_OF, out, workers=2)
    path = _derived_file(_private_parse_cache, INDEX_ALL)  # (the cold files' joined)
    version, name, key, payload = pickle.loads(path.read_bytes())
    maps, open_fu = pickle.loads(payload)
    doc = max(maps["by_doc"], key=lambda pid: len(maps["by_doc"][pid]))
    page = out / "physicians" / doc / "index.html"
    shown = page.read_bytes()
    assert len(maps["by_doc"][doc]) > 1

    def tamper(lists: list, phone: str):
        maps["by_doc"][doc] = lists
        path.write_bytes(_sealed((version, name, key, pickle.dumps((maps, open_fu)))))
        # and the parts of the keys kept with it, so that the keys follow the index
        _derived_file(_private_parse_cache, KEY_PARTS).unlink()
        edit_yaml(sorted((generated / "data" / "practices").glob("*.yaml"))[0],
                  lambda d: d.update(phone=phone))  # something to build
        build(generated, AS_OF, out, workers=2)

    tamper(maps["by_doc"][doc][:1], "828-555-0174")
    assert page.read_bytes() != shown
    build(generated, AS_OF, out, workers=2, full=True)
    assert page.read_bytes() == shown
    tamper([10 ** 9], "828-555-0175")  # no such interaction
    assert page.read_bytes() == shown


def test_what_the_keys_read_of_the_interactions_is_kept_with_their_rules_and_sums(
        generated, monkeypatch, _private_parse_cache, tmp_path):
    """The parts of the pages' keys that the interactions alone decide (for each physician,
    practice, team member and month, the files of the interactions its pages list) are
    kept under the cold interaction files' key: a phone edit works none of them out again,
    an edit of an older interaction file works them all out again, a second edit of it (a
    hot file then) only those that read a hot file's interaction; a part changed inside the
    store changes
    the keys of the pages that read it (they are made again), and the site is always the
    one a full build makes."""
    from liaison import incremental
    from liaison.snapshot import KEY_PARTS

    monkeypatch.setattr(buildrecord, "RACY_NS", 0)
    files_of: list[int] = []
    original = incremental.Keys._files_in

    def counted(self, listed, records=()):
        files_of.append(len(listed) + len(records))
        return original(self, listed, records)

    monkeypatch.setattr(incremental.Keys, "_files_in", counted)
    out, full = tmp_path / "out", tmp_path / "full"
    first = build(generated, AS_OF, out, workers=1)
    made = len(files_of)
    assert made > 40

    def step(edit):
        edit()
        files_of.clear()
        result = build(generated, AS_OF, out, workers=1)
        worked_out = list(files_of)
        build(generated, AS_OF, full, workers=1, full=True)  # (works them all out)
        assert _files(out) == _files(full)
        return result, worked_out

    doctors = sorted((generated / "data" / "physicians").glob("*.yaml"))
    log = sorted((generated / "data" / "interactions").rglob("*.yaml"))[4]
    plain, worked_out = step(lambda: edit_yaml(doctors[2],
                                               lambda d: d.update(phone="828-555-0176")))
    assert worked_out == [] and 0 < plain.kept < first.pages
    _result, worked_out = step(lambda: edit_yaml(
        log, lambda items: items[0].update(summary="Left a referral pad")))
    assert len(worked_out) == made
    # the file is hot now: only the parts that read a hot file's interaction are made again
    _result, worked_out = step(lambda: edit_yaml(
        log, lambda items: items[0].update(summary="Left two referral pads")))
    assert 0 < len(worked_out) < made / 2

    path = _derived_file(_private_parse_cache, KEY_PARTS)
    version, name, key, payload = pickle.loads(path.read_bytes())
    parts = pickle.loads(payload)
    doc = doctors[3].stem
    parts["parts"][("doctor", doc)] = "changed inside the store"
    path.write_bytes(_sealed((version, name, key, pickle.dumps(parts))))
    result, worked_out = step(lambda: edit_yaml(doctors[2],
                                                lambda d: d.update(phone="828-555-0177")))
    assert worked_out == []
    assert result.kept < plain.kept  # the other physician's brief made again too


def test_what_the_keys_read_of_the_referral_rows_is_kept_under_their_key(
        generated, monkeypatch, _private_parse_cache, tmp_path):
    """Each physician's hash of what their brief shows of the referral rows is kept under
    the referral files' key: a phone or an interaction edit works none of them out again, an
    edit of a referral file works them all out again; a digest changed inside the store
    changes the keys of that physician's pages (they are made again), and the site is
    always the one a full build makes."""
    from liaison import incremental
    from liaison.snapshot import ROW_DIGESTS

    monkeypatch.setattr(buildrecord, "RACY_NS", 0)
    digested: list[str] = []
    original = incremental.Keys._rows

    def counted(self, pid):
        if pid not in self.rows:
            digested.append(pid)
        return original(self, pid)

    monkeypatch.setattr(incremental.Keys, "_rows", counted)
    out, full = tmp_path / "out", tmp_path / "full"
    build(generated, AS_OF, out, workers=1)
    doctors = sorted((generated / "data" / "physicians").glob("*.yaml"))
    assert len(digested) == len(doctors)

    def step(edit):
        edit()
        digested.clear()
        result = build(generated, AS_OF, out, workers=1)
        worked_out = list(digested)
        build(generated, AS_OF, full, workers=1, full=True)
        assert _files(out) == _files(full)
        return result, worked_out

    plain, worked_out = step(lambda: edit_yaml(doctors[2],
                                               lambda d: d.update(phone="828-555-0176")))
    assert worked_out == []
    log = sorted((generated / "data" / "interactions").rglob("*.yaml"))[-1]
    _result, worked_out = step(lambda: edit_yaml(
        log, lambda items: items[0].update(summary="Left a referral pad")))
    assert worked_out == []
    rows = sorted((generated / "data" / "referrals").glob("*.csv"))[-1]
    _result, worked_out = step(lambda: rows.write_text(
        rows.read_text().rstrip("\n").rsplit("\n", 1)[0] + "\n"))  # its last row dropped
    assert len(worked_out) == len(doctors)

    path = _derived_file(_private_parse_cache, ROW_DIGESTS)
    version, name, key, payload = pickle.loads(path.read_bytes())
    digests = pickle.loads(payload)
    practice = yaml.safe_load(doctors[2].read_text())["practice"]
    other = next(d for d in doctors if yaml.safe_load(d.read_text())["practice"] != practice)
    digests[other.stem] = "changed inside the store"
    path.write_bytes(_sealed((version, name, key, pickle.dumps(digests))))
    before = plain.kept
    result, worked_out = step(lambda: edit_yaml(doctors[2],
                                                lambda d: d.update(phone="828-555-0177")))
    assert worked_out == []
    assert result.kept < before  # the other physician's practice's pages made again too


def test_the_statistics_are_kept_while_what_they_read_is_the_same(
        generated, monkeypatch, _private_parse_cache, tmp_path):
    """The statistics are kept under a key of the as-of date, every input file but the
    physicians' and what the physicians' records hold but their own fields: an edit of a
    phone, or of an e-mail and notes, takes them (a figure changed inside the store shows);
    an edit of a tier or of an interaction file makes them again. A process other than the
    one that renders keeps them (the one forked ahead of the records, or the one that makes
    the non-page files), and the site is always the one a full build makes."""
    from liaison import pipeline
    from liaison import stats as stats_stage
    from liaison.snapshot import STATS

    monkeypatch.setattr(buildrecord, "RACY_NS", 0)
    monkeypatch.setattr(pipeline, "PARALLEL_BYTES", 0)  # two processes, as on a large site
    calls = tmp_path / "finalized"  # a line a call, in whichever process makes them
    finalize = stats_stage.finalize

    def counted(*args):
        with open(calls, "a") as fh:
            fh.write("made\n")
        return finalize(*args)

    monkeypatch.setattr(stats_stage, "finalize", counted)
    made = lambda: len(calls.read_text().splitlines()) if calls.exists() else 0  # noqa: E731
    out, full = tmp_path / "out", tmp_path / "full"
    build(generated, AS_OF, out, workers=2)
    assert made() == 1
    doctors = sorted((generated / "data" / "physicians").glob("*.yaml"))

    def step(edit) -> int:
        edit()
        calls.unlink(missing_ok=True)
        build(generated, AS_OF, out, workers=2)
        count = made()
        build(generated, AS_OF, full, workers=2, full=True)
        assert _files(out) == _files(full)
        return count

    assert step(lambda: edit_yaml(doctors[3], lambda d: d.update(phone="828-555-0131"))) == 0
    assert step(lambda: edit_yaml(doctors[3], lambda d: d.update(
        email="front.desk@example.org", notes="Prefers Tuesday mornings"))) == 0
    assert step(lambda: edit_yaml(doctors[3], lambda d: d.update(
        tier="A" if d.get("tier") != "A" else "B"))) == 1
    log = sorted((generated / "data" / "interactions").rglob("*.yaml"))[-1]
    assert step(lambda: edit_yaml(
        log, lambda items: items[0].update(summary="Brought the new referral pads"))) == 1

    path = _derived_file(_private_parse_cache, STATS)
    version, name, key, payload = pickle.loads(path.read_bytes())
    kept = pickle.loads(payload)
    kept.totals.interactions = 987654
    path.write_bytes(_sealed((version, name, key, pickle.dumps(kept))))
    edit_yaml(doctors[3], lambda d: d.update(phone="828-555-0132"))
    build(generated, AS_OF, out, workers=2)
    assert b"987654" in (out / "stats.json").read_bytes()
    build(generated, AS_OF, out, workers=2, full=True)
    assert b"987654" not in (out / "stats.json").read_bytes()


def test_the_cost_events_are_kept_with_the_rules_and_sums(
        generated, monkeypatch, _private_parse_cache, tmp_path):
    """The cost events the warnings of spend over the limit are made of
    (``compliance.cost_events``) are kept as the rules and sums are: after an edit of
    another kind of file they are taken as they are, and after an edit of a hot interaction
    file only that file's interactions are read for them; the warnings and the site are a
    full build's (a cost that takes a physician over the limit is warned about)."""
    from liaison import pipeline

    monkeypatch.setattr(buildrecord, "RACY_NS", 0)
    monkeypatch.setattr(pipeline, "PARALLEL_BYTES", 0)  # two processes, as on a large site
    calls = tmp_path / "cost events"  # how many interactions each call read, in any process
    cost_events = pipeline.cost_events

    def counted(site, as_of, pairs):
        pairs = list(pairs)
        with open(calls, "a") as fh:
            fh.write(f"{len(pairs)}\n")
        return cost_events(site, as_of, pairs)

    monkeypatch.setattr(pipeline, "cost_events", counted)
    out, full = tmp_path / "out", tmp_path / "full"
    build(generated, AS_OF, out, workers=2)
    every = max(map(int, calls.read_text().split()))
    assert every > 500

    def step(edit) -> tuple[list[int], list]:
        """(how many interactions each call read, the warnings)"""
        edit()
        calls.unlink(missing_ok=True)
        seen, then = [], []
        build(generated, AS_OF, out, workers=2, on_checked=seen.append)
        read = list(map(int, calls.read_text().split())) if calls.exists() else []
        build(generated, AS_OF, full, workers=2, full=True, on_checked=then.append)
        assert _files(out) == _files(full)
        assert seen[0].report.warnings == then[0].report.warnings
        return read, seen[0].report.warnings

    doctors = sorted((generated / "data" / "physicians").glob("*.yaml"))
    read, warnings = step(lambda: edit_yaml(doctors[0],
                                            lambda d: d.update(phone="828-555-0133")))
    assert read == [] and not any("over the annual limit" in w.message for w in warnings)
    log = sorted((generated / "data" / "interactions").rglob("*.yaml"))[-1]
    pid = yaml.safe_load(log.read_text())[0]["physicians"][0]
    read, warnings = step(lambda: edit_yaml(log, lambda items: items.append(dict(
        items[0], type="lunch", physicians=[pid], practice=None, date=AS_OF, cost=999.5,
        follow_ups=[], summary="Catered lunch for the whole office"))))
    assert read and max(read) < every / 4, read
    assert any("over the annual limit" in w.message and pid in w.message for w in warnings)


def test_a_promise_opened_in_a_hot_file_warns_of_a_cold_file_s_copy_done(
        generated, monkeypatch, _private_parse_cache, tmp_path):
    """The cold files' promise events are kept only where they can warn among the cold
    files (``promise_events``' ``can_warn``): a follow-up done and promised once is left
    out. When a hot file then opens the same promise earlier (a visit of March logged late
    in this month's file), the copy done in the cold file is warned of as a full build warns
    of it: the promise events of every record are made again."""
    from liaison import pipeline

    monkeypatch.setattr(buildrecord, "RACY_NS", 0)
    monkeypatch.setattr(pipeline, "PARALLEL_BYTES", 0)  # two processes, as on a large site
    practice = sorted((generated / "data" / "practices").glob("*.yaml"))[0].stem
    task = "Drop off the vein screening flyers"
    old = generated / "data" / "interactions" / "2026" / "03" / "old-done.yaml"
    old.parent.mkdir(parents=True, exist_ok=True)
    old.write_text("date: 2026-03-10\nliaison: x\ntype: visit\n"
                   f"practice: {practice}\nsummary: Dropped off the flyers.\n"
                   f"follow_ups:\n  - {{task: {task}, due: 2026-03-20, done: 2026-03-12}}\n")
    liaison = next(p.stem for p in sorted((generated / "data" / "team").glob("*.yaml"))
                   if yaml.safe_load(p.read_text())["role"] == "liaison")
    old.write_text(old.read_text().replace("liaison: x", f"liaison: {liaison}"))
    out, full = tmp_path / "out", tmp_path / "full"
    build(generated, AS_OF, out, workers=2)
    log = sorted((generated / "data" / "interactions").rglob("*.yaml"))[-1]  # this month's
    edit_yaml(log, lambda items: items.append(dict(
        items[0], date=dt.date(2026, 3, 2), practice=practice, physicians=[],
        follow_ups=[{"task": task, "due": dt.date(2026, 3, 15)}], summary="Promised flyers.")))
    seen, then = [], []
    build(generated, AS_OF, out, workers=2, on_checked=seen.append)
    build(generated, AS_OF, full, workers=2, full=True, on_checked=then.append)
    assert seen[0].report.warnings == then[0].report.warnings
    rel = old.relative_to(generated).as_posix()
    assert [w for w in seen[0].report.warnings if w.path == rel
            and "a follow-up is done where it was promised" in w.message], \
        seen[0].report.warnings
    assert _files(out) == _files(full)


def test_the_sums_statistics_and_deck_check_are_worked_out_ahead_in_another_process(
        generated, monkeypatch, _private_parse_cache, tmp_path):
    """After an edit of a hot interaction file, a process forked before the records are read
    takes the rules and sums of the rest from the store, reads the hot files, makes the
    statistics, checks the deck templates and makes the files made of the statistics alone:
    the process that renders does none of it. After
    an edit of a cold file (the split chosen again) it gives up and the build works them out
    as before. The site is always the one a full build makes, and a deck template's mistake
    is reported as before."""
    import os

    from liaison import pipeline
    from liaison import stats as stats_stage

    monkeypatch.setattr(buildrecord, "RACY_NS", 0)
    monkeypatch.setattr(pipeline, "PARALLEL_BYTES", 0)  # two processes, as on a large site
    calls = tmp_path / "calls"

    def noted(name, fn):
        def wrapper(*args, **kwargs):
            result = fn(*args, **kwargs)
            with open(calls, "a") as fh:
                fh.write(f"{name} {os.getpid()} {result is None}\n")
            return result
        return wrapper

    monkeypatch.setattr(pipeline, "_taken_ahead", noted("ahead", pipeline._taken_ahead))
    monkeypatch.setattr(stats_stage, "finalize", noted("finalize", stats_stage.finalize))
    monkeypatch.setattr(pipeline, "deck_failures", noted("decks", pipeline.deck_failures))
    monkeypatch.setattr(pipeline, "_check_and_sum_kept",
                        noted("sums", pipeline._check_and_sum_kept))
    here = str(os.getpid())
    out, full = tmp_path / "out", tmp_path / "full"
    build(generated, AS_OF, out, workers=2)
    logs = sorted((generated / "data" / "interactions").rglob("*.yaml"))

    def step(edit) -> dict[str, list[tuple[bool, bool]]]:
        """(in this process, gave nothing) of each call, by name."""
        edit()
        calls.unlink(missing_ok=True)
        build(generated, AS_OF, out, workers=2)
        made: dict[str, list] = {}
        for line in calls.read_text().splitlines():
            name, pid, none = line.split()
            made.setdefault(name, []).append((pid == here, none == "True"))
        build(generated, AS_OF, full, workers=2, full=True)
        assert _files(out) == _files(full)
        return made

    hot = step(lambda: edit_yaml(
        logs[-1], lambda items: items[0].update(summary="Brought the new referral pads")))
    assert hot["ahead"] == [(False, False)]  # in another process, with a result
    assert hot["finalize"] == hot["decks"] == hot["sums"] == [(False, False)]

    cold = step(lambda: edit_yaml(
        logs[0], lambda items: items[0].update(summary="Asked about the fax line")))
    assert cold["ahead"] == [(False, True)]  # gave up: the cold files are chosen again
    assert (True, False) in cold["finalize"] and (True, False) in cold["decks"]

    # a deck's mistake, found by the process forked ahead, is the build's error as before
    from liaison.errors import DataErrors

    deck = next((generated / "content" / "presentations").glob("*.md"))
    text = deck.read_text()
    seen = []
    try:
        deck.write_text(text + "\n---\n\n## Broken\n\n{{ practice.nope }}\n")
        with pytest.raises(DataErrors):
            build(generated, AS_OF, out, workers=2, on_checked=seen.append)
        [checked] = seen
        assert {d.path for d in checked.report.errors} == {deck.relative_to(generated).as_posix()}
        assert any("nope" in d.message for d in checked.report.errors)
    finally:
        deck.write_text(text)
    assert [line for line in calls.read_text().splitlines() if line.startswith("ahead ")
            ][-1].endswith(" False")  # (the last build's came from the process ahead)

    # the files made of the statistics alone are the process ahead's: a mark added there shows
    ahead = pipeline._taken_ahead

    def marked(*args):
        taken = ahead(*args)
        taken.made["stats.json"] += b"marked ahead\n"
        return taken

    monkeypatch.setattr(pipeline, "_taken_ahead", marked)
    edit_yaml(logs[-1], lambda items: items.append(dict(items[0], summary="One more visit")))
    build(generated, AS_OF, out, workers=2)
    assert (out / "stats.json").read_bytes().endswith(b"}\nmarked ahead\n")


def test_the_process_forked_ahead_sends_the_statistics_and_index_as_the_store_keeps_them(
        generated, monkeypatch, _private_parse_cache, tmp_path):
    """The process forked ahead pickles the statistics it makes once, keeps those bytes and
    sends them (``snapshot.Pickled``); statistics it takes from the store are sent as the
    store holds them, never pickled; the index of all the interactions it joins is kept by
    the build as it was sent. The site is the one a full build makes."""
    import os

    from liaison import figures, pipeline, snapshot

    monkeypatch.setattr(buildrecord, "RACY_NS", 0)
    monkeypatch.setattr(pipeline, "PARALLEL_BYTES", 0)  # two processes, as on a large site
    log = tmp_path / "events"  # (a file: the processes forked write too)
    here = os.getpid()
    reduce, keep = figures.Stats.__reduce__, snapshot.Store.keep_derived

    def noted(line: str) -> None:
        with open(log, "a") as fh:
            fh.write(f"{'here' if os.getpid() == here else 'forked'} {line}\n")

    def pickled(self):
        noted("statistics pickled")
        return reduce(self)

    def kept(self, name, key, value):
        noted(f"kept {name} {type(value).__name__}")
        return keep(self, name, key, value)

    def ahead(*args):
        taken = taken_ahead(*args)
        noted(f"ahead sent {type(taken.stats).__name__ if taken else None}")
        return taken

    taken_ahead = pipeline._taken_ahead
    monkeypatch.setattr(figures.Stats, "__reduce__", pickled)
    monkeypatch.setattr(snapshot.Store, "keep_derived", kept)
    monkeypatch.setattr(pipeline, "_taken_ahead", ahead)
    out, full = tmp_path / "out", tmp_path / "full"
    build(generated, AS_OF, out, workers=2)
    logs = sorted((generated / "data" / "interactions").rglob("*.yaml"))
    doc = sorted((generated / "data" / "physicians").glob("*.yaml"))[0]

    def step(edit) -> list[str]:
        edit()
        log.unlink(missing_ok=True)
        build(generated, AS_OF, out, workers=2)
        lines = log.read_text().splitlines() if log.exists() else []
        build(generated, AS_OF, full, workers=2, full=True)
        assert _files(out) == _files(full)
        return lines

    # a visit logged in the newest file: the statistics made ahead, pickled once there
    lines = step(lambda: edit_yaml(logs[-1], lambda items: items.append(
        dict(items[0], summary="Dropped off the new referral pads"))))
    assert "forked ahead sent Pickled" in lines
    assert lines.count("forked statistics pickled") == 1
    assert "here statistics pickled" not in lines
    assert "forked kept statistics Pickled" in lines
    assert "here kept interaction-index-all Pickled" in lines  # (kept as the process ahead sent it)
    # a phone changed: the statistics taken from the store, sent as it holds them
    lines = step(lambda: edit_yaml(doc, lambda d: d.update(phone="828-555-0191")))
    assert "forked ahead sent Pickled" in lines
    assert not any(line.endswith("statistics pickled") for line in lines)


def test_the_outputs_are_listed_at_the_lowest_priority_while_the_records_are_read(
        generated, monkeypatch, _private_parse_cache, tmp_path):
    """The site in place and its spare are listed by a process forked before the records
    are read, at the lowest priority (nice 19: it works on what the cores leave), once per
    incremental build, with a process forked ahead or without; with one process, here, at
    this process's priority. The site is the one a full build makes."""
    import os

    from liaison import pipeline, render

    monkeypatch.setattr(buildrecord, "RACY_NS", 0)
    monkeypatch.setattr(pipeline, "PARALLEL_BYTES", 0)  # two processes, as on a large site
    here, log = os.getpid(), tmp_path / "events"  # (a file: the processes forked write too)
    base = os.nice(0)
    list_output = render.list_output

    def events() -> list[str]:
        lines = log.read_text().splitlines() if log.exists() else []
        log.unlink(missing_ok=True)
        return lines

    def listed(*args):
        with open(log, "a") as fh:
            fh.write(f"{'this process' if os.getpid() == here else 'another'}: "
                     f"listed at nice {os.nice(0)}\n")
        return list_output(*args)

    monkeypatch.setattr(render, "list_output", listed)
    out, full = tmp_path / "out", tmp_path / "full"
    build(generated, AS_OF, out, workers=2)
    assert events() == [f"another: listed at nice {min(19, base + 19)}"]

    logs = sorted((generated / "data" / "interactions").rglob("*.yaml"))
    for n, edit in enumerate((
            lambda items: items[0].update(summary="Brought the new referral pads"),  # ahead
            lambda items: items[0].update(summary="Left the new brochure"))):  # split again
        edit_yaml(logs[-1] if n == 0 else logs[0], edit)
        result = build(generated, AS_OF, out, workers=2)
        assert 0 < result.kept < result.pages
        assert events() == [f"another: listed at nice {min(19, base + 19)}"]
        build(generated, AS_OF, full, workers=2, full=True)
        assert _files(out) == _files(full)
    assert os.nice(0) == base

    edit_yaml(logs[-1], lambda items: items[0].update(summary="Asked for the schedule"))
    build(generated, AS_OF, out, workers=1)
    assert events() == [f"this process: listed at nice {base}"]
    build(generated, AS_OF, full, workers=1, full=True)
    assert _files(out) == _files(full)


def test_the_interactions_export_takes_what_it_kept_of_unchanged_files(
        generated, monkeypatch, _private_parse_cache, tmp_path):
    """The lines of the interactions export are kept: those of its first interactions, all
    of cold files, as one text under the cold files' key, and the others by file. After an
    edit of a hot file, the next build writes that file's lines again and takes the rest (a
    text changed inside the store shows); after an edit of a cold file (the split chosen
    again), the first lines are put together again from the lines kept by file (a line
    changed there shows); ``full`` writes them all again, and the export is always the one
    a full build writes."""
    from liaison.snapshot import EXPORT_HEAD, EXPORT_LINES

    monkeypatch.setattr(buildrecord, "RACY_NS", 0)
    out, full = tmp_path / "out", tmp_path / "full"
    build(generated, AS_OF, out, workers=1)
    export = out / "exports" / "interactions.csv"
    logs = sorted((generated / "data" / "interactions").rglob("*.yaml"))
    hot = logs[-1]  # the newest file: a visit of the last days
    edit_yaml(hot, lambda items: items[0].update(summary="Asked about the new clinic"))
    build(generated, AS_OF, out, workers=1)
    build(generated, AS_OF, full, workers=1, full=True)
    assert export.read_bytes() == (full / "exports" / "interactions.csv").read_bytes()
    assert b"Asked about the new clinic" in export.read_bytes()

    def changed(name: str, change) -> None:  # what the store keeps under ``name``, changed
        path = _derived_file(_private_parse_cache, name)
        version, stored, key, payload = pickle.loads(path.read_bytes())
        changed = pickle.dumps(change(pickle.loads(payload)))
        path.write_bytes(_sealed((version, stored, key, changed)))

    def head(kept):
        count, text = kept
        assert 0 < count < _interactions(generated, (hot,))[0]
        first = text.split(b"\r\n")[0]
        return count, text.replace(first, b"changed inside the store", 1)

    changed(EXPORT_HEAD, head)
    edit_yaml(hot, lambda items: items[0].update(summary="Asked about parking"))
    build(generated, AS_OF, out, workers=1)
    text = export.read_text(encoding="utf-8")
    assert "changed inside the store" in text and "Asked about parking" in text

    # a cold file of a later month edited: the first lines are put together again
    old, cold = logs[0], logs[len(logs) // 2]
    assert old.parent != cold.parent and cold.parent != hot.parent

    def line(lines):
        entry = lines[old.relative_to(generated).as_posix()][1]
        entry[next(iter(entry))] = "changed inside the lines kept\r\n"
        return lines

    changed(EXPORT_LINES, line)
    edit_yaml(cold, lambda items: items[0].update(summary="Asked about the waiting room"))
    build(generated, AS_OF, out, workers=1)
    text = export.read_text(encoding="utf-8")
    assert "changed inside the lines kept" in text and "Asked about the waiting room" in text
    assert "changed inside the store" not in text
    build(generated, AS_OF, out, workers=1, full=True)
    build(generated, AS_OF, full, workers=1, full=True)
    assert export.read_bytes() == (full / "exports" / "interactions.csv").read_bytes()


def test_the_index_of_parts_of_the_interactions_joined_is_the_index_of_all(generated):
    """InteractionIndex.joined: the positions of the interactions of some files and of the
    others, joined, are those of all of them, key order included; and the keys' parts that
    read the interactions of some files (incremental.record_parts, by file) are those whose
    lists hold one of them."""
    import random

    from liaison.incremental import record_parts
    from liaison.load import load_site
    from liaison.pages.view import InteractionIndex, practice_physicians, same_below

    site, _problems, _files_found = load_site(generated)
    at_practice = practice_physicians(site.physicians)
    whole = InteractionIndex.positions(site.interactions, site.physicians, AS_OF, at_practice)
    rels = sorted({site.src[id(r)][0] for r in site.interactions})
    samples = [set(random.Random(seed).sample(rels, len(rels) // (seed + 2))) for seed in range(5)]
    # as a build splits them (pipeline._Split): the files of the older interactions, whose
    # positions among all are mostly the same as among them (view.same_below), and the others
    first = {}
    for i, r in enumerate(site.interactions):
        first.setdefault(site.src[id(r)][0], i)
    older = sorted(rels, key=first.__getitem__)[: len(rels) * 2 // 3]
    samples += [set(older), set(rels) - set(older)]
    for some in samples:
        parts = []
        for mine in (lambda rel: rel in some, lambda rel: rel not in some):
            at = [i for i, r in enumerate(site.interactions) if mine(site.src[id(r)][0])]
            records = [site.interactions[i] for i in at]
            parts.append((InteractionIndex.positions(records, site.physicians, AS_OF,
                                                     at_practice), at, records))
        joined = InteractionIndex.joined([(positions, at) for positions, at, _r in parts])
        if some == set(older):  # most positions stay, some move (the files' dates overlap)
            assert 0 < same_below(parts[0][1]) < len(parts[0][1])
        assert joined[1] == whole[1]
        for name in InteractionIndex.MAPS:
            assert list(joined[0][name].items()) == list(whole[0][name].items())
        positions, at, records = parts[0]
        touched: dict[str, set] = {}
        for r, names in zip(records, record_parts(records, positions, site.physicians,
                                                  at_practice)):
            touched.setdefault(site.src[id(r)][0], set()).update(names)
        assert set(touched) == {site.src[id(r)][0] for r in records}
        for rel, names in touched.items():  # the physicians its interactions list, at least
            listed = {("doctor", pid) for r in records if site.src[id(r)][0] == rel
                      and r.date <= AS_OF for pid in r.physicians}
            assert listed <= names and "listed" in names
        others = {("doctor", pid) for pid, lst in whole[0]["by_doc"].items()
                  if not mine_at(lst, at)}
        visited = {("doctor", pid) for pid, lst in whole[0]["visits"].items() if mine_at(lst, at)}
        promised = any(i in set(at) for _due, i, _j in whole[1])
        if not promised:  # (an office's open follow-up names each of its physicians)
            assert not (others - visited) & set().union(*touched.values())


def mine_at(lst: list[int], at: list[int]) -> bool:
    return bool(set(lst) & set(at))


def test_edits_of_hot_files_take_what_the_cold_files_gave(generated, derivations, monkeypatch,
                                                          _private_parse_cache, tmp_path):
    """A series of random edits of hot files only (a note, a date moved back years, a
    record dropped, a follow-up done, a record moved to another physician, a file added or
    removed): each build checks exactly the hot files' interactions, takes the cold files'
    part as it was kept, and writes the site a full build writes."""
    import random

    from liaison.pipeline import HOT_DAYS

    monkeypatch.setattr(buildrecord, "RACY_NS", 0)
    out, full = tmp_path / "out", tmp_path / "full"
    build(generated, AS_OF, out, workers=1)
    every, hot = _interactions(generated)
    cold = every - hot
    since = AS_OF - dt.timedelta(days=HOT_DAYS)
    logs = sorted((generated / "data" / "interactions").rglob("*.yaml"))
    hot_files = [p for p in logs if any(item["date"] >= since
                                        for item in yaml.safe_load(p.read_text()))]
    doctors = sorted(p.stem for p in (generated / "data" / "physicians").glob("*.yaml"))
    rng = random.Random(29)
    kinds = ["note", "date", "drop", "done", "doctor", "add", "remove"] * 2
    rng.shuffle(kinds)
    for kind in kinds:
        path = rng.choice(hot_files)
        if kind == "add":
            added = path.with_name(f"added-{rng.randint(1, 10 ** 6)}.yaml")
            added.write_text(path.read_text())
            hot_files.append(added)
        elif kind == "remove" and len(hot_files) > 2:
            hot_files.remove(path)
            path.unlink()
        else:
            def change(items):
                item = rng.choice(items)
                if kind == "date":
                    item["date"] = dt.date(2023, rng.randint(1, 12), rng.randint(1, 28))
                    item.pop("follow_ups", None)  # (none done before the interaction)
                elif kind == "drop" and len(items) > 1:
                    items.remove(item)
                elif kind == "done" and item.get("follow_ups"):
                    item["follow_ups"][0]["done"] = item["date"]
                elif kind == "doctor":
                    item["physicians"] = [rng.choice(doctors)]
                    item.pop("practice", None)
                else:  # a note (and what another kind could not change)
                    item["notes"] = f"Asked about the *new* hours ({rng.randint(1, 999)})."

            edit_yaml(path, change)
        derivations.clear()
        build(generated, AS_OF, out, workers=1)
        now = _interactions(generated)[0]
        assert sum(n for k, n in derivations if k == "interactions") == now - cold, kind
        build(generated, AS_OF, full, workers=1, full=True)
        assert _files(out) == _files(full), kind


def test_the_hot_files_interactions_are_placed_among_the_cold_ones_from_their_order():
    """pipeline._placed: from where the cold files' interactions fall by date (``COLD_ORDER``,
    ``_Split.cold_order``) and the hot files' interactions alone, the positions of both among
    all of them are those ``_Split.positions`` finds going through every interaction: with
    days the hot and the cold files share, hot files before, between and after the cold
    ones by path, and a file's interactions of one day in their place in the file."""
    import random
    from types import SimpleNamespace

    from liaison.pipeline import _placed, _Split

    for seed in range(40):
        rng = random.Random(seed)
        rels = sorted(f"data/interactions/2026/{m:02}/t-{n:04}.yaml"
                      for m in range(1, 4) for n in range(1, rng.randint(2, 6)))
        entries = []  # as load._bulk orders them: by date, then file, then place in the file
        for rel in rels:
            for k in range(rng.randint(0, 6)):
                day = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 9))
                entries.append((day, SimpleNamespace(date=day), (rel, (k,))))
        entries.sort(key=lambda entry: entry[0])
        pairs = [(rec, src) for _day, rec, src in entries]
        for hot in ([], rels, rng.sample(rels, 1), rng.sample(rels, len(rels) // 2),
                    [rels[0], rels[-1]]):
            cold = frozenset(rel for rel in rels if rel not in hot)
            split = _Split(cold, "key", pairs)
            days = [rec.date for rec, src in pairs if src[0] in cold]
            cold_at, hot_at = _placed(split.cold_order(days), cold,
                                      [pair for pair in pairs if pair[1][0] not in cold])
            assert (list(cold_at), list(hot_at)) == split.positions(), (seed, hot)


def test_after_an_edit_of_a_hot_file_the_process_ahead_joins_the_pages_index(
        generated, monkeypatch, _private_parse_cache, tmp_path):
    """After an edit of a hot interaction file, the process forked ahead places the hot
    files' interactions among the cold ones' (kept by the last build) and joins their
    indexes, and the build takes that index instead of working it out: a note changed, a
    visit dated on a day of the cold files, a visit moved back years, a file added between
    others and one removed. The site is the one a full build makes."""
    import os

    from liaison import pipeline
    from liaison.pipeline import HOT_DAYS

    monkeypatch.setattr(buildrecord, "RACY_NS", 0)
    monkeypatch.setattr(pipeline, "PARALLEL_BYTES", 0)  # two processes, as on a large site
    here, calls = os.getpid(), tmp_path / "calls"
    adopt, ahead = pipeline._Split.adopt, pipeline._index_ahead

    def adopted(self, site, placed):
        taken = adopt(self, site, placed)
        with open(calls, "a") as fh:
            fh.write(f"adopted {taken} {os.getpid() == here}\n")
        return taken

    def worked_out(*args):
        placed = ahead(*args)
        with open(calls, "a") as fh:
            fh.write(f"ahead {placed is not None} {os.getpid() == here}\n")
        return placed

    monkeypatch.setattr(pipeline._Split, "adopt", adopted)
    monkeypatch.setattr(pipeline, "_index_ahead", worked_out)
    out, full = tmp_path / "out", tmp_path / "full"
    build(generated, AS_OF, out, workers=2)
    since = AS_OF - dt.timedelta(days=HOT_DAYS)
    logs = sorted((generated / "data" / "interactions").rglob("*.yaml"))
    hot = [p for p in logs if any(item["date"] >= since for item in yaml.safe_load(p.read_text()))]
    old_day = yaml.safe_load(logs[0].read_text())[0]["date"]  # a day of a cold file
    added = hot[0].with_name("t-0000-added.yaml")  # listed before the folder's other files

    def visit_on_a_cold_day(items):
        items.append(dict(items[0], date=old_day, summary="Logged late", follow_ups=[]))

    for edit in (lambda: edit_yaml(hot[-1], lambda items: items[0].update(notes="A *new* fax")),
                 lambda: edit_yaml(hot[0], visit_on_a_cold_day),
                 lambda: edit_yaml(hot[1], lambda items: items[-1].update(
                     date=dt.date(2023, 3, 14), follow_ups=[])),
                 lambda: added.write_text(hot[-1].read_text()),
                 lambda: added.unlink()):
        edit()
        calls.unlink(missing_ok=True)
        build(generated, AS_OF, out, workers=2)
        assert calls.read_text().splitlines() == ["ahead True False", "adopted True True"]
        build(generated, AS_OF, full, workers=2, full=True)
        assert _files(out) == _files(full)

    # an edit of a physician's phone changes no interaction file: the index is taken as kept
    edit_yaml(sorted((generated / "data" / "physicians").glob("*.yaml"))[0],
              lambda d: d.update(phone="828-555-0191"))
    calls.unlink(missing_ok=True)
    build(generated, AS_OF, out, workers=2)
    assert calls.read_text().splitlines() == ["ahead False False"]


def test_the_cold_order_lost_with_a_failed_build_is_kept_by_the_next_one(
        generated, monkeypatch, _private_parse_cache, tmp_path):
    """A build that stops on an error in the records keeps the cold files' index but not
    where their interactions fall by date (kept with what the build leaves to keep, once the
    pages are made): the next build, which joins the index itself, keeps it, and the edit
    after that one has the index joined by the process forked ahead again."""

    from liaison import pipeline
    from liaison.errors import DataErrors

    monkeypatch.setattr(buildrecord, "RACY_NS", 0)
    monkeypatch.setattr(pipeline, "PARALLEL_BYTES", 0)  # two processes, as on a large site
    calls = tmp_path / "calls"
    ahead = pipeline._index_ahead

    def worked_out(*args):
        placed = ahead(*args)
        with open(calls, "a") as fh:
            fh.write(f"ahead {placed is not None}\n")
        return placed

    monkeypatch.setattr(pipeline, "_index_ahead", worked_out)
    out, full = tmp_path / "out", tmp_path / "full"
    build(generated, AS_OF, out, workers=2)
    logs = sorted((generated / "data" / "interactions").rglob("*.yaml"))
    # an older file edited (the cold files chosen again, their index made) with a mistake
    edit_yaml(logs[0], lambda items: items[0].update(type="teleport"))
    with pytest.raises(DataErrors):
        build(generated, AS_OF, out, workers=2)
    edit_yaml(logs[0], lambda items: items[0].update(type="visit"))
    calls.unlink(missing_ok=True)
    build(generated, AS_OF, out, workers=2)
    assert calls.read_text().splitlines() == ["ahead False"]  # (none kept to place them by)
    edit_yaml(logs[0], lambda items: items[0].update(summary="Dropped off the new pads"))
    calls.unlink(missing_ok=True)
    build(generated, AS_OF, out, workers=2)
    assert calls.read_text().splitlines() == ["ahead True"]
    build(generated, AS_OF, full, workers=2, full=True)
    assert _files(out) == _files(full)


def test_a_build_asks_for_each_input_files_signature_once(generated, monkeypatch,
                                                           _private_parse_cache, tmp_path):
    """The signatures the input files' hashing took (buildrecord.inputs) are what the store
    and the listing of the files take: an incremental build asks the file system for none of
    them again, and still reads again exactly the file that changed."""
    import os

    from liaison import discover as discover_module, snapshot

    monkeypatch.setattr(buildrecord, "RACY_NS", 0)
    out, full = tmp_path / "out", tmp_path / "full"
    build(generated, AS_OF, out, workers=1)
    log = sorted((generated / "data" / "interactions").rglob("*.yaml"))[3]
    edit_yaml(log, lambda items: items[0].update(summary="Dropped off the new referral pads"))

    def refused(*args, **kwargs):
        raise AssertionError("a signature asked for again")

    monkeypatch.setattr(snapshot, "signature_of", refused)
    sizes = []  # (DirEntry.stat cannot be patched: the sizes listed are checked instead)
    real_discover = discover_module.discover

    def listed(root, stats=None):
        files = real_discover(root, stats)
        sizes.append((stats, files.sizes))
        return files

    from liaison import pipeline

    monkeypatch.setattr(pipeline, "discover", listed)
    build(generated, AS_OF, out, workers=1)
    (stats, found), = sizes
    rel = log.relative_to(generated).as_posix()
    assert stats[rel] == buildrecord.signature_of(os.stat(log))
    assert found == {rel: stats[rel][0] for rel in found} and rel in found
    monkeypatch.undo()
    build(generated, AS_OF, full, workers=1, full=True)
    assert _files(out) == _files(full)
    export = (out / "exports" / "interactions.csv").read_bytes()
    assert b"Dropped off the new referral pads" in export


def test_the_sizes_of_the_bulk_files_are_asked_only_until_they_reach_the_threshold(
        tmp_path, monkeypatch):
    """Files.holds_at_least: the sizes ``discover`` was given are taken as they are; the
    others are asked of the file system one file at a time, in order, and no more once the
    sum reaches the threshold (``validate`` asks whether to read on two processes); a file
    gone since it was listed counts 0."""
    import os

    from liaison.discover import discover

    month = tmp_path / "data" / "interactions" / "2026" / "01"
    month.mkdir(parents=True)
    for name, size in (("a.yaml", 10), ("b.yaml", 20), ("c.yaml", 30), ("d.yaml", 40)):
        (month / name).write_bytes(b"#" * size)
    asked = []
    stat = os.stat

    def counted(path, *args, **kwargs):
        asked.append(os.path.basename(path))
        return stat(path, *args, **kwargs)

    files = discover(tmp_path)
    rels = files.interactions
    assert [rel.rsplit("/", 1)[1] for rel in rels] == ["a.yaml", "b.yaml", "c.yaml", "d.yaml"]
    monkeypatch.setattr(os, "stat", counted)
    assert files.holds_at_least(0, rels) and not asked
    assert files.holds_at_least(25, rels) and asked == ["a.yaml", "b.yaml"]
    assert files.holds_at_least(60, rels) and asked == ["a.yaml", "b.yaml", "c.yaml"]
    (month / "d.yaml").unlink()
    assert not files.holds_at_least(61, rels)  # d.yaml is gone: 0
    assert asked == ["a.yaml", "b.yaml", "c.yaml", "d.yaml"]
    assert not files.holds_at_least(61, rels) and len(asked) == 4  # each size asked once
    monkeypatch.undo()

    given = discover(tmp_path, {rel: (1000, 0, 0, 0, 0) for rel in rels[:3]})
    monkeypatch.setattr(os, "stat", counted)
    asked.clear()
    assert given.holds_at_least(3000, rels) and not asked
    assert not given.holds_at_least(3001, rels) and asked == ["d.yaml"]


def test_the_store_takes_the_signatures_it_is_given(tmp_path):
    """Store.signature: the one given (``stats``), without asking the file system (the file
    may be gone), else the file's own; None when recent."""
    import os

    from liaison.snapshot import Store

    (tmp_path / "a.yaml").write_text("x: 1\n")
    old = (5, 10, 10, 7, 0o100644)
    store = Store(tmp_path, stats={"gone.yaml": old})
    assert store.signature("gone.yaml") == old
    assert store.signature("missing.yaml") is None
    assert store.signature("a.yaml") is None  # written a moment ago
    store.recent = float("inf")
    assert store.signature("a.yaml") == buildrecord.signature_of(os.stat(tmp_path / "a.yaml"))
    assert Store(tmp_path, stats={"a.yaml": (1, 2**62, 0, 0, 0)}).signature("a.yaml") is None
    # an old modification time put back (cp -p, rsync -t, touch -d) does not make a file
    # just written settled: its change time is now
    assert Store(tmp_path, stats={"a.yaml": (1, 0, 2**62, 0, 0)}).signature("a.yaml") is None


def test_the_chunks_are_a_folders_interactions_and_one_referral_file_each():
    """snapshot.chunks: the interaction files of one folder that follow each other are one
    chunk (a folder listed in two runs around a folder inside it is two, numbered), each
    referral file is one; with ``by_folder``, a folder's files are shared into buckets by
    name, each named after its folder."""
    import os

    from liaison.snapshot import CORE_BUCKETS, chunks

    month, inner = "data/interactions/2026-11", "data/interactions/2026-11/west"
    rels = [f"{month}/a.yaml", f"{month}/b.yaml", f"{inner}/c.yaml", f"{month}/d.yaml",
            "data/referrals/2025.csv", "data/referrals/2026.csv"]
    assert chunks(rels) == [(f"{month}#1", [f"{month}/a.yaml", f"{month}/b.yaml"]),
                            (f"{inner}#1", [f"{inner}/c.yaml"]),
                            (f"{month}#2", [f"{month}/d.yaml"]),
                            ("data/referrals/2025.csv#1", ["data/referrals/2025.csv"]),
                            ("data/referrals/2026.csv#1", ["data/referrals/2026.csv"])]
    core = [f"data/physicians/d-{i:03}.yaml" for i in range(64)]
    units = chunks(core, by_folder=True)
    assert len(units) > 1 and sorted(rel for _name, files in units for rel in files) == core
    assert all(name.startswith("data/physicians#1~") and int(name.rpartition("~")[2]) < CORE_BUCKETS
               for name, _files in units)
    # the same buckets in every process (a build is a new process: str's hash differs)
    script = ("from liaison.snapshot import chunks\n"
              f"print(chunks({core!r}, by_folder=True))\n")
    told = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           check=True, env=dict(os.environ, PYTHONHASHSEED=seed)).stdout
            for seed in ("1", "2")}
    assert told == {f"{units}\n"}


def test_a_deferred_value_is_kept_as_what_it_makes(tmp_path):
    """Store.keep_derived of a ``Deferred``: what its ``make()`` gives is kept (made when it
    is kept), and taken back as that value; a ``Pickled`` value is kept as its bytes."""
    from liaison.snapshot import Deferred, Pickled, Store

    store = Store(tmp_path)
    store.keep_derived("statistics", "key", Deferred(lambda: {"physicians": 3}))
    assert store.derived("statistics", "key") == {"physicians": 3}
    store.keep_derived("referrals", "key", Pickled.of([1, 2]))
    assert store.derived("referrals", "key") == [1, 2]
    assert store.derived("referrals", "another key") is None


def test_prune_removes_the_chunks_of_files_gone_and_nothing_being_written(tmp_path):
    """Store.prune: the chunks of files no longer listed go; those of files still there,
    what the rules and sums made, and a file another build is writing into the folder
    (``cache.keep``'s temporary file, renamed to a chunk once whole) stay."""
    from liaison.snapshot import Store, pickled_entries

    store = Store(tmp_path)
    for name in ("data/referrals/a.csv#1", "data/referrals/gone.csv#1"):
        store.save(name, {}, pickled_entries([]))
    store.keep_derived("statistics", "key", 1)
    writing = store.folder / ".tmp-another-build"
    writing.write_bytes(b"half a chunk")
    store.prune(["data/referrals/a.csv"], [])
    assert store.load("data/referrals/a.csv#1") is not None
    assert store.load("data/referrals/gone.csv#1") is None
    assert store.derived("statistics", "key") == 1 and writing.is_file()


def test_a_store_that_does_not_write_keeps_nothing(tmp_path):
    """Store(write=False) (``validate``): neither a chunk nor what the rules and sums made
    is written into the cache folder, whoever asks."""
    from liaison.snapshot import Store, pickled_entries

    store = Store(tmp_path, write=False)
    store.save("data/referrals/a.csv#1", {}, pickled_entries([]))
    store.keep_derived("statistics", "key", {"physicians": 3})
    assert not store.holds_any() and not store.folder.exists()
    writer = Store(tmp_path)
    writer.keep_derived("statistics", "key", {"physicians": 3})
    assert writer.holds_any() and store.derived("statistics", "key") == {"physicians": 3}


def test_a_file_without_a_trusted_signature_is_never_taken_from_its_chunk(tmp_path):
    """Store.take: a file whose signature cannot be trusted (None: recent) is read again even
    when the chunk was kept with None for it too (two builds within the same two seconds:
    the second one's edit of the file moved nothing the store could compare); the chunk's
    other files are taken."""
    from liaison.snapshot import Store, pickled_entries

    old, recent = (5, 10, 10, 7, 0o100644), (6, 2**62, 2**62, 8, 0o100644)
    store = Store(tmp_path, stats={"data/a.yaml": old, "data/b.yaml": recent})
    entries = [("data/a.yaml", "A", [], []), ("data/b.yaml", "B", [], [])]
    store.save("data#1", {"data/a.yaml": old, "data/b.yaml": None}, pickled_entries(entries))
    signatures, whole, taken = store.take("data#1", ["data/a.yaml", "data/b.yaml"])
    assert signatures == {"data/a.yaml": old, "data/b.yaml": None}
    assert whole is None
    assert taken == {"data/a.yaml": ("data/a.yaml", "A", [], [])}
    # a.yaml edited since, its size the same: its times moved, it is read again too
    edited = (5, 11, 11, 7, 0o100644)
    store = Store(tmp_path, stats={"data/a.yaml": edited, "data/b.yaml": recent})
    assert store.take("data#1", ["data/a.yaml", "data/b.yaml"])[1:] == (None, {})


def test_the_records_this_process_read_are_kept_by_another_once_checked(
        generated, monkeypatch, tmp_path, _private_parse_cache):
    """A build keeps the records it read for the next one. On two processes, those this
    process read are pickled and written by the process that checks and sums the
    interactions, once it has sent what it made (pipeline._index_check_and_sum: no process
    forked for them, and none of this process's time), while this one works the statistics
    out: the chunks are the same as those a build on one process keeps as it reads them,
    and the next build takes them."""
    import os

    from liaison import pipeline, snapshot
    from liaison import stats as stats_stage

    monkeypatch.setattr(buildrecord, "RACY_NS", 0)
    events = tmp_path / "events"

    def logged(what, fn):
        def call(*args, **kwargs):
            with open(events, "a") as fh:
                fh.write(f"{what} {os.getpid()}\n")
            return fn(*args, **kwargs)
        return call

    monkeypatch.setattr(pipeline, "keep_chunks", logged("keep", snapshot.keep_chunks))
    monkeypatch.setattr(stats_stage, "finalize", logged("statistics", stats_stage.finalize))
    monkeypatch.setattr(pipeline, "_keep_later", logged("later", pipeline._keep_later))
    # (the interactions' events, a part of the check's work that either process takes when
    # done: this process asks _interactions_kept what is kept)
    costs = pipeline._costs
    monkeypatch.setattr(pipeline, "_costs", logged("check", costs))

    def kept_chunks() -> dict[str, bytes]:
        return {pickle.loads(path.read_bytes())[1]: path.read_bytes()
                for path in _chunk_files(_private_parse_cache)}

    build(generated, AS_OF, tmp_path / "at-once", workers=1, full=True)  # kept as read
    at_once = kept_chunks()
    assert "keep" not in events.read_text().split()
    for path in _store_files(_private_parse_cache):
        path.unlink()
    events.unlink()

    monkeypatch.setattr(pipeline, "PARALLEL_BYTES", 0)  # read on two processes
    out = tmp_path / "out"
    build(generated, AS_OF, out, workers=2, full=True)
    lines = [line.split() for line in events.read_text().splitlines()]
    here = [what for what, pid in lines if pid == str(os.getpid())]
    there = [what for what, pid in lines if pid != str(os.getpid())]
    # nothing kept later here, no process forked for it: the other keeps, once it has sent
    assert [what for what in here if what != "check"] == ["statistics"]
    assert [what for what in there if what != "check"] == ["keep"] and there[-1] == "keep"
    assert (here + there).count("check") == 1
    assert kept_chunks() == at_once and len(at_once) > 2
    monkeypatch.setattr(pipeline, "_costs", costs)  # (the process forked ahead makes them)

    log = sorted((generated / "data" / "interactions").rglob("*.yaml"))[0]
    edit_yaml(log, lambda items: items[0].update(summary="Brought the new brochures"))
    events.unlink()
    build(generated, AS_OF, out, workers=2)  # takes the other chunks as kept
    # after an edit, what is read again is kept at once, in this process
    assert {pid for _what, pid in (line.split() for line in events.read_text().splitlines())} \
        == {str(os.getpid())}
    build(generated, AS_OF, tmp_path / "full", workers=2, full=True)
    assert _files(out) == _files(tmp_path / "full")


def test_the_records_are_kept_here_when_the_check_process_fails_to_keep_them(
        generated, monkeypatch, tmp_path, _private_parse_cache):
    """Where the process that checked fails while it keeps this process's records (after
    sending what it made), this process keeps them once the build is done: the next build
    finds every chunk."""
    import os

    from liaison import pipeline, snapshot

    monkeypatch.setattr(buildrecord, "RACY_NS", 0)
    build(generated, AS_OF, tmp_path / "at-once", workers=1, full=True)
    at_once = sorted(path.read_bytes() for path in _chunk_files(_private_parse_cache))
    for path in _store_files(_private_parse_cache):
        path.unlink()
    here = os.getpid()

    def keep(store, pending):
        if os.getpid() != here:
            raise OSError(28, "No space left on device")
        return snapshot.keep_chunks(store, pending)

    monkeypatch.setattr(pipeline, "keep_chunks", keep)
    monkeypatch.setattr(pipeline, "PARALLEL_BYTES", 0)  # read on two processes
    build(generated, AS_OF, tmp_path / "out", workers=2, full=True)
    assert sorted(path.read_bytes() for path in _chunk_files(_private_parse_cache)) == at_once


def test_what_is_being_kept_is_kept_whole_when_the_check_fails_after(
        generated, monkeypatch, tmp_path, _private_parse_cache):
    """A failure after the process keeping the records was forked (here, in the
    statistics) waits for it: the cache folder holds every chunk when the build fails."""
    from liaison import pipeline

    monkeypatch.setattr(buildrecord, "RACY_NS", 0)
    monkeypatch.setattr(pipeline, "PARALLEL_BYTES", 0)
    build(generated, AS_OF, tmp_path / "first", workers=2, full=True)
    chunks = sorted(path.name for path in _chunk_files(_private_parse_cache))
    for path in _store_files(_private_parse_cache):
        path.unlink()

    def failing(*args, **kwargs):
        raise RuntimeError("the statistics failed")

    monkeypatch.setattr(pipeline, "KEEP_LATER", 1)
    monkeypatch.setattr(pipeline, "_statistics", failing)
    with pytest.raises(RuntimeError, match="the statistics failed"):
        build(generated, AS_OF, tmp_path / "second", workers=2, full=True)
    assert sorted(path.name for path in _chunk_files(_private_parse_cache)) == chunks
    assert len(chunks) > 2


def test_a_build_on_two_processes_keeps_the_interactions_rules_and_sums_as_a_whole(
        generated, monkeypatch, _private_parse_cache, tmp_path):
    """The forked process that checks and sums the interactions of a build on two
    processes keeps them as a whole too (``ALL_INTERACTIONS``), as one process does: the
    next build after an edit of another kind of file takes them as they are."""
    import json

    from liaison import pipeline
    from liaison.snapshot import ALL_INTERACTIONS

    monkeypatch.setattr(pipeline, "PARALLEL_BYTES", 0)  # two processes with workers=2
    monkeypatch.setattr(buildrecord, "RACY_NS", 0)
    out = tmp_path / "out"
    build(generated, AS_OF, out, workers=2)
    path = _derived_file(_private_parse_cache, ALL_INTERACTIONS)
    count = json.loads((out / "stats.json").read_text())["totals"]["interactions"]
    version, name, key, payload = pickle.loads(path.read_bytes())
    rules, sums = pickle.loads(payload)
    sums.totals["interactions"] += 100_000  # what the next build shows if it takes them
    path.write_bytes(_sealed((version, name, key, pickle.dumps((rules, sums)))))
    edit_yaml(sorted((generated / "data" / "practices").glob("*.yaml"))[0],
              lambda d: d.update(phone="828-555-0179"))
    build(generated, AS_OF, out, workers=2)
    assert json.loads((out / "stats.json").read_text())["totals"]["interactions"] == count + 100_000


def test_a_chunks_pickle_makes_its_interactions_in_the_sites_order(generated):
    """A chunk's entries, pickled (``pickled_entries``), are taken back by ``pickle.loads``
    as they were, and its interaction records are made in the order the site lists them (by
    date; among equal dates, by file then place), not file by file: the records that the
    other process sends, or a build keeps, lie in memory in the order the passes over
    ``site.interactions`` read them."""
    from liaison.load import bulk_entry
    from liaison.models import Interaction
    from liaison.parse import ParseCache
    from liaison.snapshot import chunks, pickled_entries

    rels = sorted(p.relative_to(generated).as_posix()
                  for p in (generated / "data" / "interactions").rglob("*.yaml"))
    name, members = max(chunks(rels), key=lambda unit: len(unit[1]))  # a month's folder
    assert len(members) > 3
    loader = Loader(generated, ParseCache(None))
    entries = [bulk_entry(loader, rel) for rel in members]
    in_files = [(rec.date, rec.model_dump(), src) for _rel, value, _p, _f in entries
                for _date, rec, src in value]
    in_site = sorted(in_files, key=lambda t: t[0])  # stable: files, then places, in order
    assert in_files != in_site, "the folder's files interleave by date"

    made: list = []

    class Watching(pickle.Unpickler):
        def find_class(self, module, name):
            found = super().find_class(module, name)
            if (module, name) != ("liaison.models", "_unpickled"):
                return found

            def unpickled(*args):
                record = found(*args)
                if isinstance(record, Interaction):
                    made.append(record)
                return record
            return unpickled

    import io

    payload = pickled_entries(entries)
    back = Watching(io.BytesIO(payload)).load()
    assert back == pickle.loads(payload)
    assert [(rel, [(d, r.model_dump(), s) for d, r, s in value], p, f)
            for rel, value, p, f in back] == \
        [(rel, [(d, r.model_dump(), s) for d, r, s in value], p, f)
         for rel, value, p, f in entries]
    srcs = {id(r): s for _rel, value, _p, _f in back for _d, r, s in value}
    assert [(r.date, r.model_dump(), srcs[id(r)]) for r in made] == in_site


def test_the_export_takes_the_lines_that_the_reading_process_made(
        generated, monkeypatch, _private_parse_cache, tmp_path):
    """A build's second process, done reading, makes the lines of the interactions export
    of the files it read while this process assembles the records; the export takes them:
    each line is made once, in that process or in the one that makes the export, and the
    file is the one that one process writes. They are kept as the lines made there are:
    after an edit of a cold file, the next build takes them from the store and writes the
    file a full build writes."""
    import os

    from liaison import exports, pipeline
    from liaison.workers import can_fork

    if not can_fork():
        pytest.skip("fork is not available on this platform")
    every = _interactions(generated)[0]
    monkeypatch.setattr(pipeline, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(buildrecord, "RACY_NS", 0)
    here, log, taken = os.getpid(), tmp_path / "lines-made", []
    line, entry, lines_of = exports._interaction_line, pipeline.bulk_entry, pipeline._lines_of

    def counted(record, as_of):  # (in whichever process makes the line)
        with open(log, "a") as fh:
            fh.write(f"{os.getpid()}\n")
        return line(record, as_of)

    def slow(loader, rel):  # this process slower: the other reads most interaction files
        if os.getpid() == here and rel.startswith("data/interactions/"):
            time.sleep(0.01)
        return entry(loader, rel)

    def taking(reader):
        taken.append(lines_of(reader))
        return taken[-1]

    monkeypatch.setattr(exports, "_interaction_line", counted)
    monkeypatch.setattr(pipeline, "bulk_entry", slow)
    monkeypatch.setattr(pipeline, "_lines_of", taking)
    out = tmp_path / "out"
    build(generated, AS_OF, out)
    export = out / "exports" / "interactions.csv"
    [theirs] = taken
    made_there = sum(map(len, theirs.values()))
    assert 0 < made_there < every
    assert len(log.read_text().splitlines()) == every, "each line made once"
    one = tmp_path / "one"
    build(generated, AS_OF, one, workers=1, full=True)
    assert export.read_bytes() == (one / "exports" / "interactions.csv").read_bytes()

    logs = sorted((generated / "data" / "interactions").rglob("*.yaml"))
    edit_yaml(logs[len(logs) // 2], lambda items: items[0].update(summary="Asked about parking"))
    log.unlink()
    build(generated, AS_OF, out)
    made = len(log.read_text().splitlines())
    assert made < every / 2, "the lines of the files unchanged were taken from the store"
    build(generated, AS_OF, one, workers=1, full=True)
    assert export.read_bytes() == (one / "exports" / "interactions.csv").read_bytes()
    assert b"Asked about parking" in export.read_bytes()
