"""Faults at the output folder (SPEC §5: a failed or interrupted build leaves the previous site
whole): a build killed anywhere in the swap, what killed builds leave beside the output, two
builds at once, a full disk, an unusable output folder, a mount point. Each is a one-line
`Error: …` and exit 1, never a traceback, and the previous site stays as it was.

A kill is simulated in-process: from a chosen call on, every file-system call the build makes to
move or remove things raises KeyboardInterrupt (so nothing the dying process would not have
done gets done), then the next build runs normally.
"""
from __future__ import annotations

import errno
import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO, SPEC_EXAMPLE

AS_OF = "2026-11-26"
MARKER = ".liaison-site"
_REAL_REPLACE = os.replace


def build(root: Path, out: Path) -> tuple[int, str]:
    """`liaison build --full` in-process: (exit code, stderr). A traceback fails the test.
    (--full: these tests are about the writing of a site, which a build of unchanged input
    skips; test_build tests that.)"""
    from liaison.cli import main

    result = CliRunner().invoke(main, ["build", "--root", str(root), "--out", str(out),
                                       "--as-of", AS_OF, "--full"])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        tb = "".join(traceback.format_exception(*result.exc_info))
        raise AssertionError(f"build raised instead of reporting:\n{tb}")
    return result.exit_code, result.stderr


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_one_line_error(code: int, stderr: str, *words: str) -> None:
    assert code == 1, stderr
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.startswith("Error: ")]
    assert len(lines) == 1, stderr
    for word in words:
        assert word in lines[0], stderr


def assert_left_as_it_was(out: Path, before) -> None:
    """A refused build left the output folder as ``before`` (its ``snapshot``) and nothing
    beside it (no spare or temporary folder)."""
    assert snapshot(out) == before
    assert beside(out) == ["out"]


SPARE = ".liaison-spare"


def beside(out: Path) -> list[str]:
    """What is beside the site: its name, and "(spare)" for the previous site a build keeps
    to write the next one into (a `.out.old-*` folder marked as the spare)."""
    return sorted("(spare)" if (p / SPARE).is_file() and p.name.startswith(f".{out.name}.old-")
                  else p.name for p in out.parent.iterdir())


@pytest.fixture
def built(tmp_path):
    """A first build of the worked example into tmp_path/outs/out: (out, its files)."""
    out = tmp_path / "outs" / "out"
    code, stderr = build(SPEC_EXAMPLE, out)
    assert code == 0, stderr
    return out, snapshot(out)


def _with_errors(tmp_path: Path) -> Path:
    root = tmp_path / "broken"
    shutil.copytree(SPEC_EXAMPLE, root)
    for p in root.rglob("*"):
        os.chmod(p, 0o755 if p.is_dir() else 0o644)
    practice = root / "data" / "practices" / "french-broad-podiatry.yaml"
    practice.write_text(practice.read_text().replace("name:", "nmae:", 1))
    return root


class Death:
    """From the ``at``-th matching call on, os.replace / os.rename / os.unlink / os.rmdir /
    shutil.rmtree raise KeyboardInterrupt: the process is dead and does nothing more."""

    def __init__(self, monkeypatch, at: int, only=("replace",)):
        self.calls = 0
        self.at = at
        self.dead = False
        for name in ("replace", "rename", "unlink", "rmdir"):
            real = getattr(os, name)
            monkeypatch.setattr(os, name, self._wrap(real, name in only))
        real_rmtree = shutil.rmtree
        monkeypatch.setattr(shutil, "rmtree", self._wrap(real_rmtree, False))

    def _wrap(self, real, counted: bool):
        def fake(*args, **kwargs):
            if counted and not self.dead:
                self.calls += 1
                if self.calls >= self.at:
                    self.dead = True
            if self.dead:
                raise KeyboardInterrupt("killed")
            return real(*args, **kwargs)
        return fake


def test_a_kill_between_the_two_renames_loses_nothing(built, tmp_path, monkeypatch):
    out, before = built
    from liaison import pipeline

    import datetime as dt

    dead = []

    def killed_at_the_second_rename(*args, **kwargs):
        src, dst = (Path(str(a)) for a in args[:2])
        if dst == out and ".tmp-" in src.name:
            dead.append(True)  # the new site into place: the process dies here
        if dead:
            raise KeyboardInterrupt("killed")
        return _REAL_REPLACE(*args, **kwargs)

    with monkeypatch.context() as m:
        m.setattr(os, "replace", killed_at_the_second_rename)
        with pytest.raises(KeyboardInterrupt):
            pipeline.build(SPEC_EXAMPLE, dt.date(2026, 11, 26), out, full=True)
    assert dead, "the build never reached the swap"
    assert not out.exists(), "the simulated kill left the moment between the renames"

    # The next run, even one that stops at data errors, puts the previous site back whole.
    code, stderr = build(_with_errors(tmp_path), out)
    assert code == 1 and "Traceback" not in stderr
    assert snapshot(out) == before

    # And the next good build leaves nothing beside the site but the spare (the site it
    # replaced, kept to write the next build into).
    code, stderr = build(SPEC_EXAMPLE, out)
    assert code == 0, stderr
    assert snapshot(out) == before
    assert beside(out) == ["(spare)", "out"]


def test_a_kill_between_the_two_renames_gives_back_the_previous_site_not_the_new_one(
        built, tmp_path, monkeypatch):
    """Both folders beside the missing output are whole sites then: the next run puts back
    the previous one (the build was interrupted), not the one the killed build made."""
    out, before = built
    from liaison import pipeline

    import datetime as dt

    dead = []

    def killed_at_the_second_rename(*args, **kwargs):
        src, dst = (Path(str(a)) for a in args[:2])
        if dst == out and ".tmp-" in src.name:
            dead.append(True)
        if dead:
            raise KeyboardInterrupt("killed")
        return _REAL_REPLACE(*args, **kwargs)

    with monkeypatch.context() as m:
        m.setattr(os, "replace", killed_at_the_second_rename)
        with pytest.raises(KeyboardInterrupt):  # another as-of date: other pages
            pipeline.build(SPEC_EXAMPLE, dt.date(2026, 12, 3), out, full=True)
    assert dead and not out.exists()
    code, stderr = build(_with_errors(tmp_path), out)
    assert code == 1 and "Traceback" not in stderr
    assert snapshot(out) == before


@pytest.mark.parametrize("at", range(1, 5))
def test_a_kill_anywhere_in_the_swap_is_repaired_by_the_next_build(built, monkeypatch, at):
    """Killed at the ``at``-th rename of a rebuild (the completion marker, the old site out,
    the new one in, the old one's marker as it becomes the spare): the next build leaves one
    whole site and nothing else but the spare."""
    out, before = built
    from liaison import pipeline

    import datetime as dt

    with monkeypatch.context() as m:
        death = Death(m, at=at)
        with pytest.raises(KeyboardInterrupt):
            pipeline.build(SPEC_EXAMPLE, dt.date(2026, 11, 26), out, full=True)
        assert death.dead
    code, stderr = build(SPEC_EXAMPLE, out)
    assert code == 0, stderr
    assert snapshot(out) == before
    assert beside(out) == ["(spare)", "out"], "debris of the killed build"


@pytest.mark.parametrize("stage", ["rendering", "writing the extra files"])
def test_a_kill_while_rendering_leaves_no_debris(built, monkeypatch, stage):
    out, before = built
    from liaison import pipeline, render

    import datetime as dt

    target = "render_pages" if stage == "rendering" else "write_files"
    real = getattr(render, target)

    def dying(*args, **kwargs):
        real(*args, **kwargs)
        raise SystemExit("killed")  # with part of the files written

    with monkeypatch.context() as m:
        m.setattr(render, target, dying)
        with pytest.raises(SystemExit):
            pipeline.build(SPEC_EXAMPLE, dt.date(2026, 11, 26), out, full=True)
    assert snapshot(out) == before
    code, stderr = build(SPEC_EXAMPLE, out)
    assert code == 0, stderr
    assert beside(out) == ["(spare)", "out"]


def test_a_half_written_site_of_a_killed_first_build_is_never_put_in_place(tmp_path):
    """A first build killed while rendering leaves its folder beside the output (marked as
    being built, never as a whole site): the next run does not put it in the output's place;
    one that stops on errors in the data leaves no output at all."""
    out = tmp_path / "outs" / "out"
    half = out.parent / ".out.tmp-a1b2c3d4"
    half.mkdir(parents=True)
    (half / ".liaison-building").write_text("made by liaison build\n")
    (half / "index.html").write_text("<p>half a site</p>\n")
    code, stderr = build(_with_errors(tmp_path), out)
    assert code == 1 and "Traceback" not in stderr
    assert not out.exists()
    code, stderr = build(SPEC_EXAMPLE, out)
    assert code == 0, stderr
    assert "half a site" not in (out / "index.html").read_text()
    assert beside(out) == ["out"]


def test_stale_folders_of_killed_builds_are_removed_and_nothing_else(built):
    """What killed builds left is removed, and of two spares the older; the newer is written
    into, and what it held that the site does not is removed from it."""
    out, before = built
    parent = out.parent
    ours = {
        ".out.tmp-a1b2c3d4": ".liaison-building",  # killed while rendering
        ".out.tmp-e5f6g7h8": MARKER,               # killed after rendering
        ".out.old-i9j0k1l2": MARKER,               # killed before removing the old site
        ".out.old-m3n4o5p6": ".liaison-deleting",  # killed while removing it
        ".out.old-s1s2s3s4": SPARE,                # an older spare
        ".out.old-s5s6s7s8": SPARE,                # the newest spare
    }
    for i, (name, mark) in enumerate(ours.items()):
        (parent / name / "physicians" / "x").mkdir(parents=True)
        (parent / name / "physicians" / "x" / "index.html").write_text("x" * 10_000)
        (parent / name / "index.html").write_text("an older home page")
        (parent / name / mark).write_text("made by liaison build\n")
        os.utime(parent / name, (1_000_000 + i, 1_000_000 + i))
    (parent / ".out.tmp-q7r8s9t0").mkdir()  # killed just after mkdtemp: empty
    foreign = {
        ".out.tmp-usermade": "notes.txt",      # the right pattern, but no marker of ours
        ".out.old-zzzzzzzz": "notes.txt",
        ".other.tmp-a1b2c3d4": MARKER,         # another output folder's
        "out-backup": MARKER,
    }
    for name, file in foreign.items():
        (parent / name).mkdir()
        (parent / name / file).write_text("keep me\n")
    taken = []
    from liaison import render

    real_take = render._take_spare

    def take(where, listed=None):
        spare = real_take(where, listed)
        taken.append(spare and sorted(spare.files))
        return spare

    render._take_spare = take
    try:
        code, stderr = build(SPEC_EXAMPLE, out)
    finally:
        render._take_spare = real_take
    assert code == 0, stderr
    assert taken == [["index.html", "physicians/x/index.html"]], "the newest spare was written into"
    assert beside(out) == sorted(["(spare)", "out", *foreign])
    for name, file in foreign.items():
        assert (parent / name / file).read_text() == "keep me\n"
    assert snapshot(out) == before


def test_of_two_spares_the_newest_is_kept_whatever_their_names(built):
    """The spare kept is the newest by time, not the first by name."""
    out, _before = built
    from liaison import render

    spares = {".out.old-aaaaaaaa": 2_000_000, ".out.old-zzzzzzzz": 1_000_000}
    for name, when in spares.items():
        (out.parent / name).mkdir()
        (out.parent / name / SPARE).write_text("made by liaison build\n")
        os.utime(out.parent / name, (when, when))
    render._clean_stale(out)
    assert beside(out) == ["(spare)", "out"]
    assert (out.parent / ".out.old-aaaaaaaa").is_dir()


def test_a_large_old_site_is_removed_by_both_processes_and_only_it(tmp_path, monkeypatch):
    """The old site of a large build is removed by forked processes that share the entries
    two levels down (render._remove_entries); the folder stays marked until it is gone."""
    import liaison.render as render

    monkeypatch.setattr(render, "PARALLEL_REMOVE", 10)
    log = tmp_path.parent / f"{tmp_path.name}-removers.txt"  # outside what is removed
    real_rmtree = shutil.rmtree

    def rmtree(path, *args, **kwargs):
        with open(log, "a") as fh:  # forked processes too
            fh.write(f"{os.getpid()} {Path(path).name}\n")
        real_rmtree(path, *args, **kwargs)

    monkeypatch.setattr(render.shutil, "rmtree", rmtree)
    old = tmp_path / ".out.old-a1b2c3d4"
    for i in range(12):
        (old / "physicians" / f"d-{i}").mkdir(parents=True)
        (old / "physicians" / f"d-{i}" / "index.html").write_text("x")
    (old / "assets").mkdir()
    (old / "assets" / "style.css").write_text("x")
    (old / "index.html").write_text("x")
    (old / MARKER).write_text("made by liaison build\n")
    keep = tmp_path / "keep.txt"
    keep.write_text("keep me\n")
    render._remove_ours(old, workers=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]
    removers = [line.split() for line in log.read_text().splitlines()]
    assert {name for _pid, name in removers} >= {f"d-{i}" for i in range(12)}
    assert len({pid for pid, _name in removers}) == 2, "both processes removed a share"


@pytest.mark.parametrize("starts", [True, False], ids=["detached", "cannot-start"])
def test_a_large_old_site_is_removed_after_the_build_returns(built, monkeypatch, starts):
    """An old site that cannot be kept as the spare, of BACKGROUND_REMOVE files or more, is
    marked as being deleted and removed by a detached process; if that cannot start, by the
    build itself."""
    import time

    import liaison.render as render

    out, before = built
    monkeypatch.setattr(render, "BACKGROUND_REMOVE", 1)
    monkeypatch.setattr(render, "_keep_as_spare", lambda old: False)
    handed: list[tuple[Path, list[str]]] = []
    real = render._remove_later

    def later(path):
        handed.append((path, sorted(os.listdir(path))))
        return real(path) if starts else False

    monkeypatch.setattr(render, "_remove_later", later)
    code, stderr = build(SPEC_EXAMPLE, out)
    assert code == 0, stderr
    assert len(handed) == 1
    old, names = handed[0]
    assert old.name.startswith(".out.old-") and ".liaison-deleting" in names
    assert MARKER not in names, "the next build can never put it back as the site"
    deadline = time.monotonic() + 60
    while old.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not old.exists()
    assert beside(out) == ["out"]
    assert snapshot(out) == before


def test_a_full_disk_at_the_swap_keeps_the_previous_site(built, monkeypatch):
    out, before = built
    calls = []

    def full(*args, **kwargs):
        calls.append(args)
        src, dst = (Path(str(a)) for a in args[:2])
        if dst == out and ".tmp-" in src.name:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return _REAL_REPLACE(*args, **kwargs)

    monkeypatch.setattr(os, "replace", full)
    code, stderr = build(SPEC_EXAMPLE, out)
    monkeypatch.setattr(os, "replace", _REAL_REPLACE)
    assert_one_line_error(code, stderr, "No space left on device", str(out))
    assert_left_as_it_was(out, before)


def test_a_full_disk_at_the_swap_of_a_build_after_an_edit_keeps_the_previous_site(tmp_path,
                                                                                monkeypatch):
    """A build after an edit (not --full) writes into a spare made of the site in place, its
    files hard links of the site's: an edited page is a new file there, never written
    through the link into the site in place, which stays as it was when the swap fails."""
    from liaison.cli import main

    root = tmp_path / "root"
    shutil.copytree(SPEC_EXAMPLE, root)
    for p in root.rglob("*"):
        os.chmod(p, 0o755 if p.is_dir() else 0o644)
    out = tmp_path / "outs" / "out"
    assert build(root, out)[0] == 0
    before = snapshot(out)
    physician = root / "data/physicians/nina-vargas.yaml"
    physician.write_text(physician.read_text().replace("Nina Vargas", "Nina Vargas-Hale"))

    def full(*args, **kwargs):
        src, dst = (Path(str(a)) for a in args[:2])
        if dst == out and ".tmp-" in src.name:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return _REAL_REPLACE(*args, **kwargs)

    monkeypatch.setattr(os, "replace", full)
    result = CliRunner().invoke(main, ["build", "--root", str(root), "--out", str(out),
                                       "--as-of", AS_OF])
    monkeypatch.setattr(os, "replace", _REAL_REPLACE)
    assert_one_line_error(result.exit_code, result.stderr, "No space left on device", str(out))
    assert snapshot(out) == before
    assert "Nina Vargas-Hale" not in (out / "physicians/nina-vargas/index.html").read_text()


@pytest.mark.parametrize("workers", [1, 2])
def test_a_full_disk_while_writing_keeps_the_previous_site(built, monkeypatch, workers):
    out, before = built
    from liaison import pipeline, render
    from liaison.errors import LiaisonError

    import datetime as dt

    real = render._write
    written = []

    def full(path, data):
        written.append(path)
        if len(written) > 5:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real(path, data)

    monkeypatch.setattr(render, "_write", full)
    monkeypatch.setattr(render, "PARALLEL_PAGES", 1)  # workers=2 forks: the error crosses back
    with pytest.raises(LiaisonError) as info:
        pipeline.build(SPEC_EXAMPLE, dt.date(2026, 11, 26), out, workers=workers, full=True)
    message = info.value.format_message()
    assert "No space left on device" in message and "\n" not in message
    assert "Traceback" not in message
    monkeypatch.setattr(render, "_write", real)
    assert_left_as_it_was(out, before)


def test_a_full_disk_at_the_new_folders_marker_leaves_nothing_beside(built, monkeypatch):
    # a tmpfs filled to its last kilobytes: the new folder was made, its marker could not be
    # written, and the folder (an empty .liaison-building in it) stayed beside the output
    out, before = built
    from liaison import pipeline, render
    from liaison.errors import LiaisonError

    import datetime as dt

    real = Path.write_text

    def full(self, *args, **kwargs):
        if self.name == render.BUILDING:
            self.touch()  # as ENOSPC leaves it: made, empty
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", full)
    monkeypatch.setattr(render, "_take_spare", lambda *args: None)
    with pytest.raises(LiaisonError) as info:
        pipeline.build(SPEC_EXAMPLE, dt.date(2026, 11, 26), out, full=True)
    assert "No space left on device" in info.value.format_message()
    monkeypatch.setattr(Path, "write_text", real)
    assert_left_as_it_was(out, before)


def test_a_mount_point_is_refused_with_a_message(built, monkeypatch):
    out, before = built
    real = os.path.ismount
    monkeypatch.setattr(os.path, "ismount", lambda p: Path(p) == out or real(p))
    code, stderr = build(SPEC_EXAMPLE, out)
    assert_one_line_error(code, stderr, "mount point", str(out))
    assert_left_as_it_was(out, before)


@pytest.mark.parametrize("err", [errno.EBUSY, errno.EXDEV])
def test_a_folder_that_cannot_be_renamed_is_a_message(built, monkeypatch, err):
    """What rename(2) says of a mount point (or a folder on another file system)."""
    out, before = built

    def busy(*args, **kwargs):
        src = Path(str(args[0]))
        if src == out:
            raise OSError(err, os.strerror(err))
        return _REAL_REPLACE(*args, **kwargs)

    monkeypatch.setattr(os, "replace", busy)
    code, stderr = build(SPEC_EXAMPLE, out)
    monkeypatch.setattr(os, "replace", _REAL_REPLACE)
    assert_one_line_error(code, stderr, "mount point", str(out))
    assert_left_as_it_was(out, before)


@pytest.mark.parametrize("err", [errno.EROFS, errno.EACCES])
def test_a_read_only_output_folder_is_a_message(built, monkeypatch, err):
    out, before = built

    def refuse(*args, **kwargs):
        raise OSError(err, os.strerror(err), kwargs.get("dir"))

    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    code, stderr = build(SPEC_EXAMPLE, out)
    monkeypatch.undo()
    assert_one_line_error(code, stderr, os.strerror(err), str(out))
    assert_left_as_it_was(out, before)


def test_an_output_folder_under_a_file_is_a_message(tmp_path):
    (tmp_path / "afile").write_text("x\n")
    code, stderr = build(SPEC_EXAMPLE, tmp_path / "afile" / "site")
    # (it said "File exists ('…/afile')", which a person reads as the wrong problem)
    assert_one_line_error(code, stderr, f"'{tmp_path / 'afile'}' is a file, not a folder")
    assert (tmp_path / "afile").read_text() == "x\n"


@pytest.mark.parametrize("inside", ["data/site", "content/site", "templates/site",
                                    "templates", "data/physicians/site", "link/site"])
def test_an_output_folder_among_the_inputs_is_refused(tmp_path, inside):
    """The next build would read such a site as its input (its pages as templates, its files
    as records): refused before any work, and nothing is written (not even its lock)."""
    root = tmp_path / "root"
    shutil.copytree(SPEC_EXAMPLE, root)
    (root / "templates").mkdir(exist_ok=True)
    (root / "link").symlink_to(root / "content")  # the same folder by another name
    before = sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))
    code, stderr = build(root, root / inside)
    tree = "content" if inside.startswith("link") else inside.split("/")[0]
    assert_one_line_error(code, stderr, f"in the site's {tree}/ folder", "--out")
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*")) == before


def test_an_output_folder_that_holds_the_site_root_is_refused(built):
    """A site root kept inside an earlier build's output: replacing that folder would take
    the root away with it (into the spare, later reused). Refused; everything stays."""
    out, _ = built
    root = out / "our-data"
    shutil.copytree(SPEC_EXAMPLE, root)
    before = snapshot(out)
    code, stderr = build(root, out)
    assert_one_line_error(code, stderr, "site root", str(root), "--out")
    assert_left_as_it_was(out, before)


@pytest.mark.parametrize("where", [".", "data"])
def test_an_output_folder_that_is_the_root_or_an_input_says_so(tmp_path, where):
    """`--out .` typed in the site root (or `--out data`) was refused as "not empty and not
    made by 'liaison build' (… or empty it yourself)": a hint to empty the site root. The
    refusal names what the folder is."""
    root = tmp_path / "root"
    shutil.copytree(SPEC_EXAMPLE, root)
    before = sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))
    code, stderr = build(root, root / where)
    assert_one_line_error(code, stderr, "site root" if where == "." else "site's data/ folder")
    assert "empty it yourself" not in stderr
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*")) == before


def test_an_output_folder_beside_the_inputs_is_built(tmp_path):
    root = tmp_path / "root"
    shutil.copytree(SPEC_EXAMPLE, root)
    code, stderr = build(root, root / "datasite")  # a name that starts as an input's does
    assert code == 0, stderr
    assert (root / "datasite" / "index.html").is_file()


@pytest.mark.parametrize("kind", ["text", "link", "folder"])
def test_a_users_file_in_the_locks_place_is_refused_and_kept(built, tmp_path, kind):
    """The lock is an empty file the build makes and removes beside the output (a killed
    build's empty one is taken over); anything else of that name is someone's: refused,
    left as it was, and nothing of the site changes."""
    out, files = built
    lock = out.parent / f".{out.name}.lock"
    victim = tmp_path / "victim.txt"
    victim.write_text("mine\n")
    if kind == "text":
        lock.write_text("my notes\n")
    elif kind == "link":
        lock.symlink_to(victim)
    else:
        lock.mkdir()
    code, stderr = build(SPEC_EXAMPLE, out)
    assert_one_line_error(code, stderr, "lock", str(lock))
    assert snapshot(out) == files
    assert victim.read_text() == "mine\n"
    if kind == "text":
        assert lock.read_text() == "my notes\n"
    elif kind == "link":
        assert lock.is_symlink()
    else:
        assert lock.is_dir()


def test_an_empty_lock_left_by_a_killed_build_is_taken_over(built):
    out, _ = built
    lock = out.parent / f".{out.name}.lock"
    lock.write_bytes(b"")
    code, stderr = build(SPEC_EXAMPLE, out)
    assert code == 0, stderr
    assert not lock.exists()


def _build_process(out: Path, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "build", "--root", str(SPEC_EXAMPLE),
         "--out", str(out), "--as-of", AS_OF, "--full"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd)


def test_a_second_build_into_the_same_folder_waits_then_gives_up(built, tmp_path):
    """A build holds the lock (here: the test): another one waits a few seconds, then exits
    1 with one line, and the site is untouched."""
    out, before = built
    lock = out.parent / ".out.lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        proc = _build_process(out, tmp_path)
        _stdout, stderr = proc.communicate(timeout=120)
    finally:
        os.close(fd)
    assert_one_line_error(proc.returncode, stderr, "another build is writing", str(out))
    assert snapshot(out) == before
    os.unlink(lock)
    assert beside(out) == ["out"]


def test_two_builds_at_once_leave_one_whole_site(built, tmp_path):
    out, before = built
    procs = [_build_process(out, tmp_path) for _ in range(3)]
    results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    for code, stderr in results:
        assert "Traceback" not in stderr
        assert code == 0 or (code == 1 and "another build is writing" in stderr), stderr
    assert any(code == 0 for code, _ in results)
    assert snapshot(out) == before
    assert beside(out) == ["(spare)", "out"]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_workers_are_stopped_when_this_process_fails(tmp_path):
    """A build that fails in its own share removes its folder: no worker may write into it
    afterwards (the race that left a `.out.tmp-` folder behind on a loaded machine)."""
    import time

    from liaison.workers import map_forked

    late = tmp_path / "late"

    def work(share):
        if share == "here":
            time.sleep(0.3)  # the worker has started
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        time.sleep(1.0)
        late.write_text("written after the failure")
        return 1

    with pytest.raises(OSError):
        map_forked(work, ["here", "there"])
    time.sleep(1.5)
    assert not late.exists()


@pytest.mark.parametrize("inside", ["templates/.cache", "data/cache", "content"])
@pytest.mark.parametrize("command", ["build", "validate"])
def test_a_cache_folder_among_the_inputs_is_refused(tmp_path, monkeypatch, inside, command):
    """$LIAISON_CACHE_DIR in templates/ made every later `validate` fail on the compiled
    templates kept there (read as templates); in data/ the cache's files sat among the
    records: refused, with the folder named, and nothing is written."""
    from liaison.cli import main

    root = tmp_path / "root"
    shutil.copytree(SPEC_EXAMPLE, root)
    (root / "templates").mkdir(exist_ok=True)
    monkeypatch.setenv("LIAISON_CACHE_DIR", str(root / inside))
    before = sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))
    result = CliRunner().invoke(main, [command, "--root", str(root), "--as-of", AS_OF])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert_one_line_error(result.exit_code, result.stderr, "cache folder",
                          f"site's {inside.split('/')[0]}/ folder", "LIAISON_CACHE_DIR")
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*")) == before


@pytest.mark.parametrize("inside", ["out/.cache", "out"])
def test_a_cache_folder_in_the_output_folder_is_refused(tmp_path, monkeypatch, inside):
    """$LIAISON_CACHE_DIR inside --out (a CI job keeping the cache with the site): the build
    made the cache folder there first, then refused its own output, "the folder is not empty
    and was not made by 'liaison build'", and so did every build after it. Refused, with the
    variable named, before anything is written."""
    from liaison.cli import main

    root = tmp_path / "root"
    shutil.copytree(SPEC_EXAMPLE, root)
    out = tmp_path / "out"
    monkeypatch.setenv("LIAISON_CACHE_DIR", str(tmp_path / inside))
    result = CliRunner().invoke(main, ["build", "--root", str(root), "--out", str(out),
                                       "--as-of", AS_OF])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert_one_line_error(result.exit_code, result.stderr, "cache folder", str(out),
                          "LIAISON_CACHE_DIR")
    assert "not made by" not in result.stderr
    assert not out.exists()
    assert sorted(os.listdir(tmp_path)) == ["root"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl(PR_SET_PDEATHSIG)")
@pytest.mark.parametrize("signame", ["SIGKILL", "SIGTERM"])
def test_a_killed_builds_forked_processes_end_and_free_the_lock(tmp_path, signame):
    """A build killed by SIGTERM or SIGKILL runs none of its cleanup. Its forked processes
    used to go on alone, and one with a result larger than a pipe holds blocked for ever
    (the pipe's read end held by itself) while holding the output folder's lock: every
    later build into the folder failed "another build is writing". They end with it now."""
    import signal
    import time

    lock = tmp_path / ".out.lock"
    code = (
        "import fcntl, os, signal, sys, time\n"
        "from liaison.workers import Started\n"
        f"fd = os.open({str(lock)!r}, os.O_RDWR | os.O_CREAT, 0o644)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\n"
        "work = Started(lambda: b'x' * 20_000_000)  # more than a pipe holds\n"
        "print(work.proc.pid, flush=True)\n"
        "time.sleep(0.5)  # the forked process is writing its result\n"
        f"os.kill(os.getpid(), signal.{signame})\n"
        "time.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    child = int(proc.stdout.readline())
    proc.wait(timeout=30)
    proc.stdout.close()
    assert proc.returncode == -getattr(signal, signame)

    def ended(pid: int) -> bool:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                return fh.read().rpartition(")")[2].split()[0] in ("Z", "X")
        except FileNotFoundError:
            return True

    deadline = time.monotonic() + 10
    while not ended(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        assert ended(child), "the killed process's forked one goes on"
        fd = os.open(lock, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # the next build takes the lock
        finally:
            os.close(fd)
    finally:
        if not ended(child):
            os.kill(child, signal.SIGKILL)


@pytest.mark.parametrize("command", ["build", "validate"])
def test_a_cache_folder_put_among_the_inputs_by_xdg_cache_home_names_that_variable(
        tmp_path, monkeypatch, command):
    """Without $LIAISON_CACHE_DIR the cache folder is $XDG_CACHE_HOME/liaison: when that is in
    the site's data/, the message names $XDG_CACHE_HOME, the variable that put it there (it
    said to unset $LIAISON_CACHE_DIR, which was not set)."""
    from liaison.cli import main

    root = tmp_path / "root"
    shutil.copytree(SPEC_EXAMPLE, root)
    monkeypatch.delenv("LIAISON_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(root / "data" / "cache"))
    before = sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))
    result = CliRunner().invoke(main, [command, "--root", str(root), "--as-of", AS_OF])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert_one_line_error(result.exit_code, result.stderr, "cache folder",
                          "site's data/ folder", "$XDG_CACHE_HOME")
    assert "unset it" not in result.stderr
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*")) == before
