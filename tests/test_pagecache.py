"""Record files that left the kernel's page cache are asked for all at once before the load
reads them (liaison.pagecache), and only then: a build after an edit, which reads a few
files, asks for none."""
from __future__ import annotations

import ctypes
import datetime as dt
import mmap
import os
import sys
import time
from pathlib import Path

import pytest

from edits import edit_yaml
from liaison import pagecache, pipeline

AS_OF = dt.date(2026, 11, 26)


def _written(path: Path, size: int = 20_000) -> Path:
    path.write_bytes(b"x" * size)
    with open(path, "rb+") as f:  # (a file the kernel still has to write is kept in memory)
        os.fsync(f.fileno())
    return path


def _drop(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def _resident(path: str) -> bool:
    """Whether every page of ``path`` is in the page cache, asked of the kernel with
    ``mincore`` (which reads nothing: the test's own look, not liaison.pagecache's)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                          ctypes.c_int, ctypes.c_long]
    libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p]
    libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    size = os.path.getsize(path)
    pages = -(-size // mmap.PAGESIZE)
    fd = os.open(path, os.O_RDONLY)
    try:
        addr = libc.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0)
        assert addr not in (None, ctypes.c_void_p(-1).value)
        try:
            vec = ctypes.create_string_buffer(pages)
            assert libc.mincore(addr, size, vec) == 0
            return all(b & 1 for b in vec.raw[:pages])
        finally:
            libc.munmap(addr, size)
    finally:
        os.close(fd)


def _soon(condition, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    return condition()


@pytest.fixture
def dropped(tmp_path) -> list[str]:
    """Files written and dropped from the page cache; skipped where the file system keeps
    them in memory whatever is asked (tmpfs) or the system cannot tell."""
    if not sys.platform.startswith("linux") or not hasattr(os, "RWF_NOWAIT"):
        pytest.skip("the page cache is looked at with Linux's mincore and RWF_NOWAIT")
    paths = [_written(tmp_path / f"f{i}.yaml") for i in range(3)]
    for path in paths:
        _drop(path)
    if _resident(str(paths[0])):
        pytest.skip("this file system keeps its files in memory: nothing leaves the cache")
    return [str(p) for p in paths]


def test_files_read_lately_are_in_the_cache(tmp_path):
    paths = [_written(tmp_path / f"f{i}.yaml") for i in range(3)]
    for path in paths:
        path.read_bytes()
    assert not pagecache.evicted([str(p) for p in paths])
    assert pagecache.fetch_ahead([str(p) for p in paths]) is None  # nothing forked


def test_files_dropped_are_seen(dropped):
    assert pagecache.evicted(dropped)
    assert pagecache.evicted(dropped[-1:])


def test_files_dropped_are_asked_for(dropped):
    time.sleep(0.2)
    assert not any(_resident(p) for p in dropped)  # (nothing reads them by itself)
    pagecache.advise(dropped)
    assert _soon(lambda: all(_resident(p) for p in dropped))


def test_the_fetching_process_brings_them_back(dropped):
    started = pagecache.fetch_ahead(dropped)
    assert started is not None
    started.result()  # (a forked process: its end waited for)
    assert _soon(lambda: all(_resident(p) for p in dropped))


def test_missing_or_unreadable_files_are_passed_over(tmp_path):
    gone = str(tmp_path / "gone.yaml")
    assert not pagecache.evicted([gone])
    pagecache.advise([gone])  # (no error: the load says what is missing, at its place)


@pytest.fixture
def asked(monkeypatch) -> list[list[str]]:
    """The lists of paths the load asks for, each call's, with every file seen as out of
    the cache."""
    calls: list[list[str]] = []

    def fetch_ahead(paths):
        calls.append(paths)
        return None

    monkeypatch.setattr(pipeline, "fetch_ahead", fetch_ahead)
    return calls


def test_validate_asks_for_every_record_file_core_first(example_site, asked):
    checked = pipeline.check(example_site, AS_OF)
    assert checked.ok
    (paths,) = asked
    rels = [os.path.relpath(p, example_site).replace(os.sep, "/") for p in paths]
    expected = {p.relative_to(example_site).as_posix()
                for kind in ("physicians", "practices", "team", "interactions", "referrals")
                for p in (example_site / "data" / kind).rglob("*")
                if p.suffix in (".yaml", ".yml", ".csv")}
    assert expected and expected <= set(rels)
    assert "site.yaml" in rels
    firsts = [r.split("/")[1] for r in rels if r.startswith("data/")]
    core = {"physicians", "practices", "team"}
    assert all(kind in core for kind in firsts[:sum(k in core for k in firsts)])


def test_a_build_after_an_edit_asks_for_nothing(example_site, tmp_path, asked):
    out = tmp_path / "out"
    pipeline.build(example_site, AS_OF, out)
    assert len(asked) == 1  # the first build reads every file
    physician = next((example_site / "data" / "physicians").glob("*.yaml"))
    edit_yaml(physician, lambda d: d.update(phone="555-0199"))
    pipeline.build(example_site, AS_OF, out)
    assert len(asked) == 1  # the second took the others from what the first kept


def test_serve_asks_in_its_first_run_only(example_site, asked):
    from liaison.live import LiveSite

    live = LiveSite(example_site, AS_OF)
    assert live.refresh().ok
    assert len(asked) == 1 and any(p.endswith("site.yaml") for p in asked[0])
    physician = next((example_site / "data" / "physicians").glob("*.yaml"))
    edit_yaml(physician, lambda d: d.update(phone="555-0199"))
    assert live.refresh().ok
    assert len(asked) == 1  # a save reads the files that changed
