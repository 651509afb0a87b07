"""What the system refuses, where no stage expects it: paths it cannot check, names that are
not UTF-8, a full or closed output, unreadable folders, a loop of links, dates out of range,
arguments of another encoding, a Ctrl+C while the program starts. Each is a one-line message
(or a diagnostic at its path) and a non-zero exit, never a traceback; nothing a user wrote
is touched."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, SPEC_EXAMPLE

BUILD = str(REPO / "build.py")
AS_OF = "2026-11-26"


def run(*args, cwd: Path | None = None, stdout=subprocess.PIPE, prefix=(), tmp: Path):
    """``build.py ARGS`` in a subprocess (bytes arguments allowed): (exit code, stdout, stderr)."""
    env = dict(os.environ, LIAISON_CACHE_DIR=str(tmp / "cache"))
    proc = subprocess.run([*prefix, sys.executable, BUILD, *args], cwd=cwd, env=env,
                          stdout=stdout, stderr=subprocess.PIPE, timeout=120)
    out = proc.stdout.decode("utf-8", "replace") if proc.stdout is not None else ""
    err = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err, err
    return proc.returncode, out, err


def one_error(err: str, *words: str) -> str:
    lines = [line for line in err.splitlines() if line.startswith("Error: ")]
    assert len(lines) == 1, err
    for word in words:
        assert word in lines[0], err
    return lines[0]


@pytest.fixture
def site(tmp_path) -> Path:
    root = tmp_path / "root"
    shutil.copytree(SPEC_EXAMPLE, root)
    return root


def test_a_path_too_long_to_check_is_a_message(tmp_path):
    long = "x" * 300
    for args in (["validate", "--root", long], ["build", "--root", long], ["init", long]):
        code, _out, err = run(*args, cwd=tmp_path, tmp=tmp_path)
        assert code in (1, 2), err
        one_error(err, "File name too long")
    assert not any(p.name.startswith("x") for p in tmp_path.iterdir())


def test_a_full_output_is_a_message_and_a_failure(site, tmp_path):
    for args in (["stats", "--root", str(site), "--as-of", AS_OF], ["schema", "--out", str(tmp_path / "s")],
                 ["--help"]):
        with open("/dev/full", "wb") as full:
            code, _out, err = run(*args, stdout=full, tmp=tmp_path)
        assert code == 1, args
        one_error(err, "No space left on device")


def test_a_file_written_before_the_output_filled_is_said_to_be_written(site, tmp_path):
    # `new` creates the file, then its confirmation cannot be printed: exit 1, and the one
    # line says the file was written all the same (not taken for unwritten and made again)
    with open("/dev/full", "wb") as full:
        code, _out, err = run("new", "physician", "ann-hale", "--name", "Ann Hale",
                              "--specialty", "Family Medicine", "--practice",
                              "french-broad-podiatry", "--root", str(site), stdout=full, tmp=tmp_path)
    assert code == 1
    one_error(err, "No space left on device",
              "written all the same: data/physicians/ann-hale.yaml")
    assert (site / "data/physicians/ann-hale.yaml").is_file()


def test_a_closed_output_ends_without_a_traceback(site, tmp_path):
    code, _out, err = run("stats", "--root", str(site), "--as-of", AS_OF, stdout=subprocess.DEVNULL,
                          prefix=("sh", "-c", 'exec "$@" >&-', "sh"), tmp=tmp_path)
    assert code == 0, err


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_an_output_that_cannot_encode_a_character_is_no_traceback(site, tmp_path, monkeypatch,
                                                                 encoding):
    # `liaison stats > report.txt` where the locale's encoding is latin-1 or cp1252: the
    # report's "−4%" and a Greek name were a UnicodeEncodeError traceback
    physician = site / "data/physicians/nina-vargas.yaml"
    physician.write_text(physician.read_text().replace("name: Nina Vargas", "name: Νίνα Βάργκας"))
    monkeypatch.setenv("PYTHONIOENCODING", encoding)
    code, out, err = run("stats", "--root", str(site), "--as-of", AS_OF, tmp=tmp_path)
    assert code == 0, err
    assert "Referral statistics as of" in out
    assert "\\u039d\\u03af\\u03bd\\u03b1" in out  # Νίνα, escaped as stderr writes it


def test_a_locale_that_reads_names_in_another_encoding_is_warned_of(site, tmp_path, monkeypatch):
    # Under LC_ALL=C with PYTHONUTF8=0 (or a latin-1 locale) Python reads file names in the
    # locale's encoding: a UTF-8 name, `zoë.yaml`, was reported as "not UTF-8 text … rename
    # it" and its records left unread, without a word on the cause
    (site / "data/interactions/zoë.yaml").write_text(
        "date: 2026-11-02\nliaison: lena-brooks\ntype: call\n"
        "practice: french-broad-podiatry\nsummary: A call.\n", encoding="utf-8")
    monkeypatch.setenv("LC_ALL", "C")
    monkeypatch.setenv("PYTHONUTF8", "0")
    code, _out, err = run("validate", "--root", str(site), "--as-of", AS_OF, tmp=tmp_path)
    assert "warning: this Python reads file names as ascii, not UTF-8" in err, err
    assert "PYTHONUTF8=1" in err


@pytest.mark.parametrize("day", ["0001-06-01", "1899-12-31", "2100-01-01", "9999-12-31"])
def test_an_as_of_date_out_of_range_is_a_usage_error(site, tmp_path, day):
    for command in ("validate", "stats", "build"):
        code, _out, err = run(command, "--root", str(site), "--as-of", day, tmp=tmp_path)
        assert code == 2, err
        one_error(err, day, "1900-01-01 to 2099-12-31")
    assert not (site / "site").exists()


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="no /dev/null here")
def test_a_root_that_is_a_device_is_a_usage_error(tmp_path):
    """click's check refuses a regular file as --root; a device (or a FIFO) passes it, and is
    no folder either: the same usage error, exit 2."""
    for command in ("validate", "stats", "build"):
        code, _out, err = run(command, "--root", "/dev/null", "--as-of", AS_OF, tmp=tmp_path)
        assert code == 2, err
        one_error(err, "'--root'", "'/dev/null' is not a folder")


def test_the_range_of_as_of_dates_ends_where_records_dates_do(site, tmp_path):
    for day in ("1900-01-01", "2099-12-31"):
        code, _out, err = run("build", "--root", str(site), "--as-of", day,
                              "--out", str(tmp_path / day), tmp=tmp_path)
        assert code == 0, err


def test_a_site_root_whose_path_is_not_utf8_validates_and_builds(tmp_path):
    parent = os.fsencode(tmp_path) + b"/p\xe9re"
    os.mkdir(parent)
    root = parent + b"/s"
    shutil.copytree(SPEC_EXAMPLE, os.fsdecode(root))
    code, _out, err = run("validate", "--root", root, "--as-of", AS_OF, tmp=tmp_path)
    assert code == 0, err
    code, _out, err = run("build", "--root", root, "--as-of", AS_OF, tmp=tmp_path)
    assert code == 0, err
    assert os.path.isfile(root + b"/site/index.html")
    # serve's watcher takes only UTF-8 paths: said at once, before anything is served
    code, _out, err = run("serve", "--root", root, "--as-of", AS_OF, "--port", "0", tmp=tmp_path)
    assert code == 1
    # the path's byte of another encoding reads as the diagnostics write it, \xe9, never as
    # Python's stand-in for it (\udce9)
    one_error(err, "not UTF-8 text", "p\\xe9re/s'")
    code, _out, err = run("build", "--root", root, "--as-of", AS_OF, "--out",
                          root + b"/data/d\xe9", tmp=tmp_path)
    assert code == 1
    one_error(err, "refusing to build into", "data/d\\xe9'")
    code, _out, err = run("validate", "--root", parent + b"/n\xe9", tmp=tmp_path)
    assert code == 2
    one_error(err, "'--root'", "p\\xe9re/n\\xe9' is not a folder")


def test_file_names_that_are_not_utf8_are_diagnostics_at_their_paths(site, tmp_path):
    top = os.fsencode(site)
    Path(os.fsdecode(top + b"/data/notes-\xe9.txt")).write_text("an ignored file\n")
    shutil.copy(site / "data" / "physicians" / next(iter(sorted(
        p.name for p in (site / "data" / "physicians").iterdir()))),
        os.fsdecode(top + b"/data/physicians/caf\xe9.yaml"))
    os.mkdir(top + b"/content/d\xe9")
    before = sorted(os.listdir(top + b"/data"))
    for command in ("validate", "build"):
        code, _out, err = run(command, "--root", str(site), "--as-of", AS_OF, tmp=tmp_path)
        assert code == 1, err
        lines = [line for line in err.splitlines() if "not UTF-8" in line]
        assert sorted(lines) == [
            "content/d\\xe9:1:1: error: the name is not UTF-8 text (a byte of another "
            "encoding): rename it",
            "data/notes-\\xe9.txt:1:1: error: the name is not UTF-8 text (a byte of another "
            "encoding): rename it",
            "data/physicians/caf\\xe9.yaml:1:1: error: the name is not UTF-8 text (a byte of "
            "another encoding): rename it"], err
    assert not (site / "site").exists()
    assert sorted(os.listdir(top + b"/data")) == before


def _unprivileged() -> tuple[str, ...] | None:
    """A prefix that runs a command without the privilege to read any folder (a root user
    reads them all): none needed for another user; ``unshare`` for root, where it works."""
    if os.geteuid() != 0:
        return ()
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    prefix = (unshare, "--user", "--map-user=1000", "--map-group=1000")
    try:
        ok = subprocess.run([*prefix, "true"], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.SubprocessError):
        ok = False
    return prefix if ok else None


def test_an_unreadable_folder_is_a_diagnostic_at_its_path_in_build_too(site, tmp_path):
    prefix = _unprivileged()
    if prefix is None:
        pytest.skip("running as root without user namespaces: every folder is readable")
    folder = site / "data" / "practices"
    os.chmod(folder, 0)
    try:
        for args in (["validate"], ["build", "--out", str(tmp_path / "out")]):
            code, _out, err = run(*args, "--root", str(site), "--as-of", AS_OF, prefix=prefix,
                                  tmp=tmp_path)
            assert code == 1, err
            assert "data/practices:1:1: error: cannot read the folder: Permission denied" in err
            assert "cannot build into" not in err
    finally:
        os.chmod(folder, 0o755)


def test_an_unreadable_picture_is_said_to_be_unreadable_not_missing(site, tmp_path):
    # a slide's picture and the logo that could not be read were "no such file in
    # content/presentations/" and "not used as the logo: the logo is templates/assets/logo.png"
    prefix = _unprivileged()
    if prefix is None:
        pytest.skip("running as root without user namespaces: every file is readable")
    png = (REPO / "templates" / "assets" / "logo.png").read_bytes()
    deck = site / "content" / "presentations" / "venous-basics.md"
    deck.write_text(deck.read_text() + "\n---\n\n![The lab](images/lab.png)\n")
    picture = site / "content" / "presentations" / "images" / "lab.png"
    logo = site / "templates" / "assets" / "logo.png"
    for path in (picture, logo):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(png)
        os.chmod(path, 0)
    code, _out, err = run("validate", "--root", str(site), "--as-of", AS_OF, prefix=prefix,
                          tmp=tmp_path)
    assert code == 1, err
    lines = [line for line in err.splitlines() if "lab.png" in line or "logo" in line]
    at = deck.read_text().split("\n").index("![The lab](images/lab.png)") + 1
    assert lines == [
        f"content/presentations/venous-basics.md:{at}:1: error: slide 4: image "
        "'images/lab.png': cannot read the file: Permission denied",
        "templates/assets/logo.png:1:1: error: cannot read the file: Permission denied"], err


def test_an_output_path_that_loops_is_a_message(site, tmp_path):
    (site / "site").symlink_to("site")
    code, _out, err = run("build", "--root", str(site), "--as-of", AS_OF, tmp=tmp_path)
    assert code == 1
    one_error(err, "loop of symbolic links")
    assert (site / "site").is_symlink()


def test_new_refuses_text_that_is_not_utf8(site, tmp_path):
    before = sorted(p.relative_to(site) for p in site.rglob("*"))
    for args in (["new", "deck", "d1", "--title", b"Z\xfcrich"],
                 ["new", "practice", "p1", "--name", b"Z\xfcrich"],
                 ["new", "practice", b"p\xfc", "--name", "Zurich Vein"]):
        code, _out, err = run(*args, "--root", str(site), tmp=tmp_path)
        assert code == 2, err
        one_error(err, "'Z\\xfcrich'" if b"Z\xfcrich" in args else "'p\\xfc'", "is not UTF-8 text")
    assert sorted(p.relative_to(site) for p in site.rglob("*")) == before
    code, out, err = run("new", "practice", "p2", "--name", "Zürich Vein", "--root", str(site),
                         tmp=tmp_path)
    assert code == 0, err
    assert "Zürich Vein" in (site / "data" / "practices" / "p2.yaml").read_text(encoding="utf-8")


def test_new_takes_utf8_text_under_a_locale_that_reads_it_as_ascii(site, tmp_path, monkeypatch):
    # LC_ALL=C with PYTHONUTF8=0: Python reads the arguments and the answers as ASCII, so the
    # UTF-8 of "Zoë" (typed in a UTF-8 terminal) was refused as "'Zoë' is not UTF-8 text (is
    # the terminal set to another encoding?)", the text it showed being UTF-8 all the same
    monkeypatch.setenv("LC_ALL", "C")
    monkeypatch.setenv("PYTHONUTF8", "0")
    code, out, err = run("new", "practice", "p3", "--name", "Zoë Işık Vein — Bend",
                         "--root", str(site), tmp=tmp_path)
    assert code == 0, err
    assert "name: Zoë Işık Vein — Bend" in (site / "data/practices/p3.yaml").read_text(
        encoding="utf-8")
    code, _out, err = run("new", "practice", "p4", "--name", b"Z\xfcrich", "--root", str(site),
                          tmp=tmp_path)  # bytes of another encoding: refused as before
    assert code == 2, err
    one_error(err, "'Z\\xfcrich'", "is not UTF-8 text")
    assert not (site / "data/practices/p4.yaml").exists()


def test_new_takes_utf8_text_under_a_latin1_locale_and_latin1_text_too(site, tmp_path, monkeypatch):
    # LANG=en_US (glibc's ISO-8859-1) on a server, reached from a UTF-8 terminal: "Zoë" came in
    # as the bytes of UTF-8 and was written "ZoÃ«" without a word. Text in latin-1 (a terminal
    # that is latin-1 too) is read as it was before.
    monkeypatch.setenv("LC_ALL", "en_US.ISO-8859-1")
    monkeypatch.delenv("PYTHONUTF8", raising=False)
    probe = subprocess.run([sys.executable, "-c", "import sys; print(sys.getfilesystemencoding())"],
                           capture_output=True, text=True)
    if probe.stdout.strip() != "iso8859-1":
        pytest.skip("no en_US.ISO-8859-1 locale here (localedef -i en_US -f ISO-8859-1)")
    for rel, name, written in (("p5", "Zoë Vein — Bend".encode("utf-8"), "Zoë Vein — Bend"),
                               ("p6", b"Z\xfcrich Vein", "Zürich Vein")):
        code, _out, err = run("new", "practice", rel, "--name", name, "--root", str(site),
                              tmp=tmp_path)
        assert code == 0, err
        text = (site / f"data/practices/{rel}.yaml").read_text(encoding="utf-8")
        assert f"name: {written}" in text, text


def test_schema_replaces_what_it_finds_and_never_writes_through_a_link(tmp_path):
    out = tmp_path / "schemas"
    out.mkdir()
    (out / "deck.schema.json").write_bytes(b"\xff")  # not UTF-8
    victim = tmp_path / "victim.txt"
    victim.write_text("mine\n")
    (out / "site.schema.json").symlink_to(victim)
    os.mkfifo(out / "interaction.schema.json")  # would block a writer
    code, _out, err = run("schema", "--out", str(out), tmp=tmp_path)
    assert code == 0, err
    assert victim.read_text() == "mine\n"
    for name in ("deck", "site", "interaction"):
        path = out / f"{name}.schema.json"
        assert path.is_file() and not path.is_symlink()
        assert path.read_text(encoding="utf-8").startswith("{")
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_a_ctrl_c_while_the_command_line_is_imported_exits_130_quietly(monkeypatch, capsys):
    import liaison

    class Interrupting:
        def find_spec(self, name, path=None, target=None):
            if name == "liaison.cli":
                raise KeyboardInterrupt
            return None

    monkeypatch.delitem(sys.modules, "liaison.cli", raising=False)
    monkeypatch.setattr(sys, "meta_path", [Interrupting(), *sys.meta_path])
    with pytest.raises(SystemExit) as stop:
        liaison.main()
    assert stop.value.code == 130
    # with the line a later Ctrl+C gets (it ended without a word: taken for a crash)
    assert capsys.readouterr().err.startswith("Interrupted (Ctrl+C)")
