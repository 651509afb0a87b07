"""Only regular files inside the site root are read (SPEC §1, last paragraph).

A symbolic link anywhere under data/, content/ or templates/ (a file's or a folder's, and
site.yaml itself) is an error at its own path and is never followed: nothing outside the root
reaches a diagnostic, a page or a change summary. FIFOs, sockets and other special files are
errors too, and are never opened (opening a FIFO blocks). A symbolic-link loop is one error.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import REPO, SPEC_EXAMPLE, _make_writable, run_validate

AS_OF = "2026-11-26"
SECRET = "AWS_SECRET_ACCESS_KEY=hunter2-outside-the-root"
LINK = "is a symbolic link: only regular files inside the site root are read"
NOT_REGULAR = "not a regular file: only regular files inside the site root are read"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A copy of the contract's example site at tmp_path/site, and outside it a credentials
    file, a CSV file and a folder of records that must never be read."""
    dest = tmp_path / "site"
    shutil.copytree(SPEC_EXAMPLE, dest)
    _make_writable(dest)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "credentials").write_text(SECRET + "\n", encoding="utf-8")
    (outside / "secret.csv").write_text(f"{SECRET},x\n1,2\n", encoding="utf-8")
    (outside / "practice.yaml").write_text(f"name: {SECRET}\n", encoding="utf-8")
    (outside / "style.css").write_text(f"/* {SECRET} */\n", encoding="utf-8")
    (outside / "guide.md").write_text(
        f"---\ntitle: Leaked\naudience: all\n---\n\n{SECRET}\n", encoding="utf-8")
    (outside / "template.html").write_text(f"{SECRET}\n", encoding="utf-8")
    return dest


def outside(site: Path, name: str = "") -> Path:
    return site.parent / "outside" / name if name else site.parent / "outside"


def validate(root: Path, *args: str) -> tuple[int, str]:
    """validate in-process (no traceback allowed): (exit code, stdout + stderr)."""
    code, out, err = run_validate(root, "--as-of", AS_OF, *args)
    return code, out + "\n".join(err)


def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """The command in a child process: a blocked open (a FIFO) fails the test by its timeout
    instead of hanging the run."""
    return subprocess.run([sys.executable, "-m", "liaison", *args], capture_output=True,
                          text=True, timeout=timeout, cwd=REPO, stdin=subprocess.DEVNULL)


def errors_at(text: str, path: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(f"{path}:")
            or f"file={path}," in line]


# --------------------------------------------------------------------------- data/


def test_symlinked_record_is_an_error_and_its_target_never_reaches_an_annotation(site):
    (site / "data/practices/x.yaml").symlink_to(outside(site, "credentials"))
    for fmt in ("text", "github"):
        code, text = validate(site, "--format", fmt)
        assert code == 1
        assert "hunter2" not in text
        found = errors_at(text, "data/practices/x.yaml")
        assert len(found) == 1, text
        assert LINK in found[0]
    code, text = validate(site)
    assert "data/practices/x.yaml:1:1: error: 'x.yaml' " + LINK in text


def test_symlinked_csv_leaks_nothing(site):
    (site / "data/referrals/leak.csv").symlink_to(outside(site, "secret.csv"))
    code, text = validate(site, "--format", "github")
    assert code == 1
    assert "hunter2" not in text and "AWS_SECRET" not in text
    assert len(errors_at(text, "data/referrals/leak.csv")) == 1


@pytest.mark.parametrize("where", ["data/interactions/linked", "data/referrals/linked",
                                   "data/practices/linked", "data/elsewhere"])
def test_symlinked_folder_is_an_error_and_not_entered(site, where):
    (site / where).symlink_to(outside(site), target_is_directory=True)
    code, text = validate(site)
    assert code == 1
    assert "hunter2" not in text
    assert errors_at(text, where) == [f"{where}:1:1: error: 'linked' {LINK}"
                                      if where.endswith("linked")
                                      else f"{where}:1:1: error: 'elsewhere' {LINK}"]
    assert not [line for line in text.splitlines() if line.startswith(f"{where}/")]


def test_symlink_loops_are_one_error_each_and_no_traceback(site):
    (site / "data/referrals/self").symlink_to(".", target_is_directory=True)
    (site / "data/interactions/a").symlink_to("b")
    (site / "data/interactions/b").symlink_to("a")
    code, text = validate(site)
    assert code == 1
    for where in ("data/referrals/self", "data/interactions/a", "data/interactions/b"):
        assert len(errors_at(text, where)) == 1, text
        assert LINK in errors_at(text, where)[0]
    assert "Traceback" not in text


def test_dangling_symlink_is_an_error(site):
    (site / "data/team/ghost.yaml").symlink_to(site.parent / "no-such-file")
    code, text = validate(site)
    assert code == 1
    assert errors_at(text, "data/team/ghost.yaml") == [
        f"data/team/ghost.yaml:1:1: error: 'ghost.yaml' {LINK}"]


def test_symlink_with_an_ignored_name_is_still_an_error(site):
    # "anywhere under data/": a link is refused whatever its name says it is
    (site / "data/practices/notes.txt").symlink_to(outside(site, "credentials"))
    (site / "data/practices/README.md").symlink_to(outside(site, "credentials"))
    code, text = validate(site)
    assert code == 1
    assert len(errors_at(text, "data/practices/notes.txt")) == 1
    assert len(errors_at(text, "data/practices/README.md")) == 1


def test_hidden_symlinks_are_ignored_like_every_hidden_file(site):
    # Emacs keeps its lock files as dangling links named .#NAME beside the file being edited
    (site / "data/practices/.#mountain-view-family-medicine.yaml").symlink_to(
        "root@host.1234:1700000000")
    code, text = validate(site)
    assert code == 0, text


@pytest.mark.parametrize("name", ["site.yaml", "data", "content", "templates"])
def test_symlinked_top_level_entry_is_one_error_at_its_path(site, name):
    target = site.parent / f"real-{name}"
    if name == "templates":
        target.mkdir()
        (target / "palette.yaml").write_text(f"primary: {SECRET}\n", encoding="utf-8")
    else:
        shutil.move(str(site / name), str(target))
    (site / name).symlink_to(target, target_is_directory=target.is_dir())
    code, text = validate(site)
    assert code == 1
    assert "hunter2" not in text
    assert f"{name}:1:1: error: '{name}' {LINK}" in text.splitlines()
    if name == "site.yaml":  # refused, not "missing"
        assert "missing site.yaml" not in text
        assert len(errors_at(text, "site.yaml")) == 1


# --------------------------------------------------------------------------- special files


def validate_beside_fifos(site):
    """`validate` of ``site`` in a process of its own, which fails the test if it has not
    ended within 60 s (blocked opening a FIFO)."""
    try:
        return cli("validate", "--root", str(site), "--as-of", AS_OF, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("validate blocked opening a FIFO")


def test_fifo_is_an_error_and_never_opened(site):
    os.mkfifo(site / "data/practices/pipe.yaml")
    os.mkfifo(site / "data/referrals/pipe.csv")
    os.mkfifo(site / "content/training/pipe.md")
    proc = validate_beside_fifos(site)
    assert proc.returncode == 1
    for where in ("data/practices/pipe.yaml", "data/referrals/pipe.csv",
                  "content/training/pipe.md"):
        found = errors_at(proc.stderr, where)
        assert len(found) == 1, proc.stderr
        assert "a FIFO (named pipe)" in found[0] and NOT_REGULAR in found[0]
    assert "Traceback" not in proc.stderr


def test_fifo_site_yaml_and_palette_never_block(site):
    (site / "templates").mkdir()
    os.mkfifo(site / "templates/palette.yaml")
    (site / "site.yaml").unlink()
    os.mkfifo(site / "site.yaml")
    proc = validate_beside_fifos(site)
    assert proc.returncode == 1
    assert len(errors_at(proc.stderr, "site.yaml")) == 1
    assert "missing site.yaml" not in proc.stderr
    assert len(errors_at(proc.stderr, "templates/palette.yaml")) == 1
    assert "Traceback" not in proc.stderr


def test_socket_is_an_error(site, tmp_path):
    folder = site / "data/interactions"
    if len(str(folder / "s.yaml")) > 100:  # AF_UNIX paths are short
        pytest.skip("the temporary folder's path is too long for a socket")
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(folder / "s.yaml"))
        code, text = validate(site)
    finally:
        sock.close()
    assert code == 1
    found = errors_at(text, "data/interactions/s.yaml")
    assert len(found) == 1 and "a socket" in found[0]


def test_the_loader_never_follows_a_link_or_blocks_on_a_fifo(site):
    """Between discovery and reading a file may be replaced (a race): the read itself
    refuses links and special files."""
    from liaison.parse import Loader

    (site / "data/link.yaml").symlink_to(outside(site, "credentials"))
    os.mkfifo(site / "data/pipe.yaml")
    loader = Loader(site)
    assert loader.read_bytes("data/link.yaml") is None
    result = []
    reader = threading.Thread(target=lambda: result.append(loader.read_bytes("data/pipe.yaml")),
                              daemon=True)
    reader.start()
    reader.join(10)
    if reader.is_alive():  # release the blocked reader before failing
        fd = os.open(site / "data/pipe.yaml", os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
        reader.join(5)
        pytest.fail("reading a FIFO blocked")
    assert result == [None]
    messages = [p.message for p in loader.problems]
    assert any(LINK in m for m in messages) and any(NOT_REGULAR in m for m in messages)
    assert not any("hunter2" in m for m in messages)


# --------------------------------------------------------------------------- content/ and templates/


def test_symlinked_guide_is_an_error_and_never_published(site, tmp_path):
    (site / "content/training/leaked.md").symlink_to(outside(site, "guide.md"))
    code, text = validate(site)
    assert code == 1 and "hunter2" not in text
    assert len(errors_at(text, "content/training/leaked.md")) == 1
    out = tmp_path / "out"
    proc = cli("build", "--root", str(site), "--out", str(out), "--as-of", AS_OF)
    assert proc.returncode == 1
    assert not out.exists()
    assert "hunter2" not in proc.stderr + proc.stdout


def test_symlinked_asset_is_an_error_and_never_published(site, tmp_path):
    (site / "templates/assets").mkdir(parents=True)
    (site / "templates/assets/leak.css").symlink_to(outside(site, "style.css"))
    (site / "templates/assets/folder").symlink_to(outside(site), target_is_directory=True)
    code, text = validate(site)
    assert code == 1
    assert len(errors_at(text, "templates/assets/leak.css")) == 1
    assert len(errors_at(text, "templates/assets/folder")) == 1
    out = tmp_path / "out"
    proc = cli("build", "--root", str(site), "--out", str(out), "--as-of", AS_OF)
    assert proc.returncode == 1 and not out.exists()


def test_extra_files_skip_linked_assets(site):
    """Even when the check is bypassed, the assets stage publishes no link's target."""
    import datetime as dt

    from liaison import pages as page_registry
    from liaison.pipeline import check
    from liaison.render import extra_files

    checked = check(site, dt.date(2026, 11, 26), keep_records=True)
    assets = site / "templates/assets"
    assets.mkdir(parents=True)
    (assets / "ok.css").write_text("body{}\n", encoding="utf-8")
    (assets / "leak.css").symlink_to(outside(site, "style.css"))
    (assets / "folder").symlink_to(outside(site), target_is_directory=True)
    os.mkfifo(assets / "pipe.js")
    view = page_registry.SiteView(checked.site, checked.stats, dt.date(2026, 11, 26))
    files = extra_files(view, checked.stats)
    assert "assets/ok.css" in files
    assert "assets/leak.css" not in files and "assets/pipe.js" not in files
    assert not any(name.startswith("assets/folder") for name in files)
    assert not any(b"hunter2" in data for data in files.values())


def test_extra_files_skip_a_linked_assets_folder(site):
    import datetime as dt

    from liaison import pages as page_registry
    from liaison.pipeline import check
    from liaison.render import extra_files

    checked = check(site, dt.date(2026, 11, 26), keep_records=True)
    (site / "templates").mkdir()
    (site / "templates/assets").symlink_to(outside(site), target_is_directory=True)
    view = page_registry.SiteView(checked.site, checked.stats, dt.date(2026, 11, 26))
    files = extra_files(view, checked.stats)
    assert not any(b"hunter2" in data for data in files.values())
    assert "assets/guide.md" not in files and "assets/credentials" not in files


@pytest.mark.parametrize("name", ["physician.html", "base.html"])
def test_symlinked_template_is_an_error_and_never_rendered(site, tmp_path, name):
    (site / "templates").mkdir()
    (site / "templates" / name).symlink_to(outside(site, "template.html"))
    code, text = validate(site)
    assert code == 1 and "hunter2" not in text
    assert errors_at(text, f"templates/{name}") == [f"templates/{name}:1:1: error: '{name}' {LINK}"]
    out = tmp_path / "out"
    proc = cli("build", "--root", str(site), "--out", str(out), "--as-of", AS_OF)
    assert proc.returncode == 1 and not out.exists()
    assert "hunter2" not in proc.stderr + proc.stdout


def test_the_template_loader_reads_no_link(site):
    """Jinja's FileSystemLoader follows links; the site's loader takes a linked or special
    template for an absent one (the built-in template stands in, never the link's target)."""
    from liaison.render import make_env

    templates = site / "templates"
    (templates / "sub").mkdir(parents=True)
    (templates / "base.html").symlink_to(outside(site, "template.html"))
    (templates / "linked").symlink_to(outside(site), target_is_directory=True)
    os.mkfifo(templates / "pipe.html")
    (templates / "sub/mine.html").write_text("mine\n", encoding="utf-8")
    env = make_env(site)
    source = env.loader.get_source(env, "base.html")[0]
    assert "hunter2" not in source
    assert source == (REPO / "liaison/templates/base.html").read_text(encoding="utf-8")
    import jinja2

    for name in ("linked/template.html", "pipe.html"):
        with pytest.raises(jinja2.TemplateNotFound):
            env.loader.get_source(env, name)
    assert env.loader.get_source(env, "sub/mine.html")[0] == "mine\n"
    listed = env.loader.list_templates()
    assert "sub/mine.html" in listed
    assert "linked/template.html" not in listed and "pipe.html" not in listed


def test_a_linked_templates_folder_is_not_searched(site):
    from liaison.render import make_env

    real = site.parent / "real-templates"
    real.mkdir()
    (real / "base.html").write_text(SECRET + "\n", encoding="utf-8")
    (site / "templates").symlink_to(real, target_is_directory=True)
    from liaison.palette import DEFAULT

    env = make_env(site, DEFAULT)  # the site's palette is refused (a linked templates/)
    assert "hunter2" not in env.loader.get_source(env, "base.html")[0]


def test_override_names_list_no_link(site):
    from liaison.overrides import override_names

    templates = site / "templates"
    templates.mkdir()
    (templates / "physician.html").write_text("{% extends 'builtin/physician.html' %}\n")
    (templates / "base.html").symlink_to(outside(site, "template.html"))
    (templates / "linked").symlink_to(outside(site), target_is_directory=True)
    (templates / "loop").symlink_to("loop")
    assert override_names(site) == ["physician.html"]


def test_symlinked_palette_is_never_read(site):
    from liaison import palette

    (site / "templates").mkdir()
    (site / "templates/palette.yaml").symlink_to(outside(site, "credentials"))
    found, problems = palette.load(site)
    assert found == palette.DEFAULT
    assert [p.path for p in problems] == ["templates/palette.yaml"]
    assert LINK in problems[0].message and "hunter2" not in problems[0].message
    code, text = validate(site)
    assert code == 1 and "hunter2" not in text
    assert len(errors_at(text, "templates/palette.yaml")) == 1


# --------------------------------------------------------------------------- changes


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=Test", "-c", "user.email=test@example.com",
         "-c", "commit.gpgsign=false", *args],
        check=True, capture_output=True, text=True).stdout


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def test_changes_working_tree_with_a_symlink(site):
    import datetime as dt

    from liaison.changes import summarize

    git(site, "init", "-q")
    commit_all(site, "base")
    (site / "data/practices/x.yaml").symlink_to(outside(site, "practice.yaml"))
    summary = summarize(site, "HEAD", None, dt.date(2026, 11, 26))
    assert "hunter2" not in summary
    assert f"data/practices/x.yaml:1:1: error: 'x.yaml' {LINK}" in summary


def test_changes_revision_with_committed_symlinks(site):
    import datetime as dt

    from liaison.changes import summarize

    git(site, "init", "-q")
    base = commit_all(site, "base")
    (site / "data/practices/x.yaml").symlink_to(outside(site, "practice.yaml"))
    (site / "data/linked").symlink_to(outside(site), target_is_directory=True)
    (site / "content/training/leaked.md").symlink_to("../../../outside/guide.md")
    head = commit_all(site, "links")
    summary = summarize(site, base, head, dt.date(2026, 11, 26))
    assert "hunter2" not in summary
    for where, name in (("data/practices/x.yaml", "x.yaml"), ("data/linked", "linked"),
                        ("content/training/leaked.md", "leaked.md")):
        assert f"{where}:1:1: error: '{name}' {LINK}" in summary
    assert "The head fails: **3 errors" in summary


def test_export_never_extracts_a_link(site, tmp_path):
    from liaison.revisions import export

    git(site, "init", "-q")
    (site / "data/practices/x.yaml").symlink_to(outside(site, "practice.yaml"))
    commit = commit_all(site, "links")
    dest = export(site, commit, "HEAD", "", tmp_path / "export")
    link = dest / "data/practices/x.yaml"
    assert link.is_symlink()
    assert not link.exists()  # a placeholder that points at nothing, not at the archived target
    assert "outside" not in os.readlink(link)


# --------------------------------------------------------------------------- serve


def test_watch_filter_survives_a_symlink_loop(site, tmp_path):
    from liaison.serve import _watch_filter

    (site / "data/loop").symlink_to("loop")
    keep = _watch_filter(tmp_path / "serve-out", site / "site")
    assert keep(None, str(site / "data/loop")) is True
    assert keep(None, str(site / "data/practices/mountain-view-family-medicine.yaml")) is True
