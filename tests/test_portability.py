"""The same bytes whatever runs the build: the PyYAML fallback parser, and every supported
CPython (3.11, 3.12, 3.13: the GitHub workflow runs this file on each).

* ``LIAISON_YAML_PARSER=pyyaml`` (or no ``yaml_rs`` wheel for the platform) reads every file
  with PyYAML alone; the site built that way is byte-identical to the fast path's.
* ``golden/spec-example-v2.sha256`` holds the SHA-256 of every file of the site of the
  second edition's worked example (tests/fixtures/spec-example-v2) at 2026-11-26. A build on
  any Python must give exactly those bytes (``sum()`` of floats, for one,
  rounds differently from 3.12 on). ``LIAISON_UPDATE_GOLDEN=1`` rewrites the list, as it does
  the golden pages; read the diff before committing it.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, SPEC_EXAMPLE, run_validate

AS_OF = "2026-11-26"
MANIFEST = Path(__file__).resolve().parent / "golden" / "spec-example-v2.sha256"
UPDATE_GOLDEN = os.environ.get("LIAISON_UPDATE_GOLDEN") == "1"


def _build(root: Path, out: Path, tmp_path: Path, **env: str) -> None:
    proc = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "build", "--root", str(root), "--out", str(out),
         "--as-of", AS_OF],
        env={**os.environ, "LIAISON_CACHE_DIR": str(tmp_path / f"cache-{out.name}"), **env},
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr


def _hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_switch_takes_the_pyyaml_path():
    code = "import liaison.yamlio as y; print(y.yaml_rs is None)"
    for value, expected in (("pyyaml", "True"), ("", "False")):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             env={**os.environ, "LIAISON_YAML_PARSER": value}, check=True)
        assert out.stdout.strip() == expected


@pytest.mark.parametrize("root", [SPEC_EXAMPLE, REPO], ids=["spec-example-v2", "sample-site"])
def test_pyyaml_fallback_builds_the_same_bytes(root, tmp_path):
    _build(root, tmp_path / "fast", tmp_path)
    _build(root, tmp_path / "pyyaml", tmp_path, LIAISON_YAML_PARSER="pyyaml")
    fast, slow = _hashes(tmp_path / "fast"), _hashes(tmp_path / "pyyaml")
    assert len(fast) > 50
    assert sorted(fast) == sorted(slow)
    assert [k for k in fast if fast[k] != slow[k]] == []


def test_pyyaml_fallback_reports_the_same_diagnostics(example_site):
    (example_site / "data/physicians/broken.yaml").write_text(
        "name: Dr. Nobody\nspecialty: [1, 2\npractice: x\n")
    (example_site / "data/practices/zip.yaml").write_text("name: Zip Clinic\nzip: 02134\nfax: 12\n"
                                                           "colour: blue\n")
    runs = []
    for value in ("", "pyyaml"):
        proc = subprocess.run(
            [sys.executable, str(REPO / "build.py"), "validate", "--root", str(example_site),
             "--as-of", AS_OF], capture_output=True, text=True, timeout=120,
            env={**os.environ, "LIAISON_YAML_PARSER": value})
        runs.append((proc.returncode, proc.stderr))
    assert runs[0][0] == runs[1][0] == 1
    assert "colour: unknown field" in runs[0][1]
    assert runs[0][1] == runs[1][1]


def test_every_file_of_the_worked_example_matches_the_manifest(tmp_path):
    _build(SPEC_EXAMPLE, tmp_path / "site", tmp_path)
    got = _hashes(tmp_path / "site")
    # The build record holds the hash of Liaison's own code: it changes with every change of
    # the code, and is compared between the two parsers' builds above instead.
    assert got.pop(".liaison-build.json")
    text = "".join(f"{digest}  {rel}\n" for rel, digest in got.items())
    if UPDATE_GOLDEN:
        MANIFEST.write_text(text)
        return
    assert MANIFEST.is_file(), f"missing {MANIFEST}; create it with LIAISON_UPDATE_GOLDEN=1"
    expected = dict(reversed(line.split("  ", 1)) for line in MANIFEST.read_text().splitlines())
    assert sorted(got) == sorted(expected), "files added or removed"
    differ = [rel for rel in got if got[rel] != expected[rel]]
    assert differ == [], (f"on Python {sys.version.split()[0]} these files differ from "
                          f"{MANIFEST.name}: {differ}")


def test_an_unknown_parser_name_is_said_and_the_default_used(example_site):
    # 'pyyam' (a typo) used to pass without a word: the person believed the fallback was tested
    runs = {}
    for value in ("pyyam", "", "PyYAML"):
        runs[value] = subprocess.run(
            [sys.executable, str(REPO / "build.py"), "validate", "--root", str(example_site),
             "--as-of", AS_OF], capture_output=True, text=True, timeout=120,
            env={**os.environ, "LIAISON_YAML_PARSER": value})
    assert runs["pyyam"].returncode == 0
    assert ("warning: LIAISON_YAML_PARSER='pyyam' is not a parser Liaison knows (the only value "
            "it reads is 'pyyaml'); the default parser is used") in runs["pyyam"].stderr
    assert "LIAISON_YAML_PARSER" not in runs[""].stderr
    assert "LIAISON_YAML_PARSER" not in runs["PyYAML"].stderr


# The text files of a site as an editor on Windows saves them: a byte-order mark (Notepad's
# "UTF-8 with BOM", Visual Studio) and CRLF line ends (or git's core.autocrlf on checkout).
TEXT_FILES = (".yaml", ".yml", ".csv", ".md", ".html")


def _saved_on_windows(root: Path) -> None:
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in TEXT_FILES:
            text = path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
            path.write_bytes(b"\xef\xbb\xbf" + text)


def test_a_site_saved_on_windows_builds_the_same_bytes(example_site, tmp_path):
    # a template override saved with a byte-order mark put it into every page, and a child
    # template's ahead of its parent's: a character before <!doctype html>, which sends the
    # browser into quirks mode
    builtin = REPO / "liaison" / "templates"
    (example_site / "templates").mkdir(exist_ok=True)
    for name in ("base.html", "physician.html", "macros.html"):
        (example_site / "templates" / name).write_bytes((builtin / name).read_bytes())
    windows = tmp_path / "windows"
    shutil.copytree(example_site, windows)
    _saved_on_windows(windows)
    _build(example_site, tmp_path / "unix-out", tmp_path)
    _build(windows, tmp_path / "windows-out", tmp_path)
    unix, win = _hashes(tmp_path / "unix-out"), _hashes(tmp_path / "windows-out")
    unix.pop(".liaison-build.json"), win.pop(".liaison-build.json")  # the inputs' hashes
    assert len(unix) > 50 and sorted(unix) == sorted(win)
    assert [rel for rel in unix if unix[rel] != win[rel]] == []


def test_names_windows_or_macos_cannot_hold_are_said(example_site):
    # Linux (CI) takes every one of these; git for Windows refuses to check the repository out,
    # and on macOS and Windows two names that differ only by case or by how an accent is
    # written are one file: a visit lost, or counted as the other's, without a word
    visits = example_site / "data/interactions"
    visit = (visits / "before-2026.yaml").read_bytes()
    nfc, nfd = "zo\u00eb-call.yaml", "zoe\u0308-call.yaml"  # macOS writes the second
    for name in ("Before-2026.yaml", nfc, nfd, "10:30 call?.yaml", "notes./a.yaml",
                 "aux/b.yaml", "con.yaml", "lunch.yaml.", "nullify.yaml", "console.yaml"):
        (visits / name).parent.mkdir(parents=True, exist_ok=True)
        (visits / name).write_bytes(visit)
    physician = example_site / "data/physicians/nina-vargas.yaml"
    (example_site / "data/physicians/nul.yaml").write_text(
        "".join(line for line in physician.read_text().replace("Nina Vargas", "Nula Vance")
                .splitlines(keepends=True) if not line.startswith("npi:")))
    code, _out, lines = run_validate(example_site)
    said = {line.split(":1:1: warning: ")[0]: line.split(": warning: ")[1]
            for line in lines if ":1:1: warning: " in line}
    device = "is the name of a device on Windows"
    assert device in said["data/interactions/aux"]
    assert device in said["data/interactions/con.yaml"]
    assert device in said["data/physicians/nul.yaml"]
    assert "data/interactions/aux/b.yaml" not in said  # the folder's name, said once
    assert "holds ':', which Windows does not allow" in said["data/interactions/10:30 call?.yaml"]
    assert "ends in a dot or a space" in said["data/interactions/notes."]
    assert "ends in a dot or a space" in said["data/interactions/lunch.yaml."]
    assert "a colleague on Windows cannot check the repository out" in said["data/interactions/aux"]
    case = said["data/interactions/before-2026.yaml"]
    assert case.startswith("the same path as data/interactions/Before-2026.yaml")
    assert "capital letter" in case
    accent = [said[f"data/interactions/{name}"] for name in (nfc, nfd)
              if f"data/interactions/{name}" in said]
    assert len(accent) == 1 and "written as a letter and an accent" in accent[0]
    for fine in ("nullify.yaml", "console.yaml", "2026"):
        assert not any(path.startswith(f"data/interactions/{fine}") for path in said)
    assert code == 0  # warnings: the contract lets interaction files be named freely


def test_text_saved_in_another_encoding_is_named_at_its_character(example_site):
    # Notepad's "Unicode" (UTF-16) was "byte 0xff" at 1:1; a Windows-1252 'é' after a UTF-8
    # 'ë' was placed by bytes (column 14, where an editor shows 13), and a byte-order mark
    # before it on line 1 moved it 3 columns more; a referral CSV file counted characters
    physician = example_site / "data/physicians/nina-vargas.yaml"
    text = physician.read_text()
    (example_site / "data/physicians/nina-vargas.yaml").write_bytes(
        "\ufeffname: Zoë Wr".encode() + b"\xe9n\n" + text.split("\n", 1)[1].encode())
    physician = example_site / "data/physicians/grace-holloway.yaml"
    physician.write_bytes(physician.read_text().encode("utf-16"))
    csv = sorted((example_site / "data/referrals").glob("*.csv"))[0]
    csv.write_bytes(csv.read_text().encode("utf-16"))
    guide = sorted((example_site / "content/training").glob("*.md"))[0]
    guide.write_bytes(guide.read_text().encode("utf-16-le"))  # no mark: only NUL bytes tell
    code, _out, lines = run_validate(example_site)
    assert code == 1
    assert ("data/physicians/nina-vargas.yaml:1:13: error: the file is not UTF-8 text "
            "(byte 0xe9, 'é' in Windows-1252); save it as UTF-8") in lines
    utf16 = "the file is UTF-16 text (Notepad's \"Unicode\"), not UTF-8"
    assert f"data/physicians/grace-holloway.yaml:1:1: error: {utf16}; save it as UTF-8" in lines
    rel = csv.relative_to(example_site).as_posix()
    assert f"{rel}:1:1: error: {utf16}; export it as CSV UTF-8" in lines
    rel = guide.relative_to(example_site).as_posix()
    assert f"{rel}:1:1: error: {utf16}; save it as UTF-8" in lines


def test_a_picture_named_with_other_capitals_is_said_so(example_site):
    # `images/Lab.PNG` for images/lab.png: found on a Mac (validate passed there), "no such
    # file" in CI; both now name the file as it is
    picture = (REPO / "content/presentations/images/vascular-lab.png").read_bytes()
    (example_site / "content/training/images").mkdir(parents=True)
    (example_site / "content/training/images/lab.png").write_bytes(picture)
    (example_site / "content/training/images/zo\u00eb.png").write_bytes(picture)
    guide = sorted((example_site / "content/training").glob("*.md"))[0]
    text = guide.read_text()
    line = text.count("\n") + 1
    guide.write_text(text + "![Lab](Images/Lab.PNG) ![Z](images/zoe\u0308.png) "
                            "![L](images/lab.png) ![G](images/gone.png)\n")
    code, _out, lines = run_validate(example_site)
    rel = guide.relative_to(example_site).as_posix()
    said = [x.split(": error: ", 1)[1] for x in lines if x.startswith(f"{rel}:{line}:")]
    assert code == 1 and said == [
        "image 'Images/Lab.PNG': the file is named 'images/lab.png': write the name as it is, "
        "capitals and accents alike (macOS and Windows find the file either way, Linux does "
        "not: there it is no picture)",
        "image 'images/zoe\u0308.png': the file is named 'images/zo\u00eb.png': write the name as "
        "it is, capitals and accents alike (macOS and Windows find the file either way, Linux "
        "does not: there it is no picture)",
        "image 'images/gone.png': no such file in content/training/"]


def test_an_asset_named_as_a_built_in_one_with_other_capitals_is_said(example_site):
    # templates/assets/Style.css: it replaced nothing (the pages link style.css) without a
    # word, and the built site held style.css and Style.css, one file on a Mac or Windows
    assets = example_site / "templates/assets"
    assets.mkdir(parents=True)
    (assets / "Style.css").write_text("body { color: #222; }\n")
    (assets / "style.css").write_text("body { color: #222; }\n")  # replaces it: fine
    (assets / "Log.css").write_text("p { margin: 0; }\n")
    (assets / "ours.css").write_text("p { margin: 0; }\n")
    code, _out, lines = run_validate(example_site)
    said = [x for x in lines if x.startswith("templates/assets/")]
    assert code == 0 and [x.split(":", 1)[0] for x in said] == [
        "templates/assets/Log.css", "templates/assets/style.css"]
    assert "the same path as templates/assets/Style.css" in said[1]  # discover says that one
    assert said[0] == (
        "templates/assets/Log.css:1:1: warning: the built-in asset is named 'log.css': this "
        "file does not replace it (the pages link log.css), and on macOS and Windows, which do "
        "not tell a capital letter from a small one, the built site's two files are one; name "
        "it log.css to replace the built-in one, or give it another name")


def test_a_picture_path_written_with_backslashes_is_told_to_use_slashes(example_site):
    # `images\lab.png`, as Windows writes a path: it was "the path must stay beneath
    # content/training/", which it does
    picture = (REPO / "content/presentations/images/vascular-lab.png").read_bytes()
    (example_site / "content/training/images").mkdir(parents=True)
    (example_site / "content/training/images/lab.png").write_bytes(picture)
    guide = sorted((example_site / "content/training").glob("*.md"))[0]
    text = guide.read_text()
    line = text.count("\n") + 1
    guide.write_text(text + "![Lab](images\\lab.png) ![Up](..\\lab.png) ![C](C:\\lab.png)\n")
    code, _out, lines = run_validate(example_site)
    rel = guide.relative_to(example_site).as_posix()
    said = [x.split(": ", 1)[1] for x in lines if x.startswith(f"{rel}:{line}:")]
    assert code == 1 and said == [
        "error: image 'images\\lab.png': write '/' between folders, not '\\' (as on the web, "
        "and on Linux, where CI builds): 'images/lab.png'",
        "error: image '..\\lab.png': the path must stay beneath content/training/",
        "warning: image 'C:\\lab.png': not shown; give a path beneath content/training/ "
        "(nothing is loaded from another host)"]


def test_an_office_lock_file_is_not_read(example_site, tmp_path):
    # `~$…` beside a CSV file Excel has open (hidden on Windows, so `git add -A` commits it):
    # it was read as a referral file, "missing columns …" and "unknown column 'Maya Lindqv
    # <U+0000>M<U+0000>…'", a failed CI run over a file its author cannot see
    lock = b"\x0bMaya Lindqv" + b" " * 43 + "\x0bMaya Lindqvist".encode("utf-16-le")
    csv = sorted((example_site / "data/referrals").glob("*.csv"))[0]
    (csv.parent / f"~${csv.name}").write_bytes(lock)
    (example_site / "templates/assets").mkdir(parents=True)
    (example_site / "templates/assets/~$ours.css").write_bytes(lock)
    code, _out, lines = run_validate(example_site)
    rel = f"{csv.parent.relative_to(example_site).as_posix()}/~${csv.name}"
    said = [x for x in lines if "~$" in x]
    assert code == 0 and [x.split(":1:1: ")[0] for x in said] == [
        rel, "templates/assets/~$ours.css"]
    assert said[0].endswith(": warning: not read: a lock file, which Excel or Word keeps beside "
                            "a file it has open (Windows hides it): close the file there, and "
                            "do not commit this one (add ~$* to .gitignore)")
    _build(example_site, tmp_path / "out", tmp_path)
    assert not list((tmp_path / "out").rglob("~$*"))  # nor published as an asset


def test_a_copy_beside_a_record_is_not_to_be_renamed_over_it(example_site):
    # `nina-vargas.yaml.orig` (a merge tool's) and WSL's `…:Zone.Identifier` beside a record
    # were told "rename it to nina-vargas.yaml": over the record itself
    physicians = example_site / "data/physicians"
    record = (physicians / "nina-vargas.yaml").read_bytes()
    (physicians / "nina-vargas.yaml.orig").write_bytes(record)
    (physicians / "nina-vargas.yaml:Zone.Identifier").write_bytes(b"[ZoneTransfer]\r\nZoneId=3\r\n")
    (physicians / "nina-varga.yaml.txt").write_bytes(record)  # no such file: rename it
    code, _out, lines = run_validate(example_site)
    said = {x.split(":1:1: warning: ")[0]: x.split(":1:1: warning: ")[1] for x in lines
            if x.startswith("data/physicians/nina-varga") and "not read" in x}
    assert code == 0 and said == {
        "data/physicians/nina-vargas.yaml.orig": "not read: physician files end in .yaml or "
        ".yml: nina-vargas.yaml exists beside it: merge what this one adds into it, or delete "
        "this one",
        "data/physicians/nina-vargas.yaml:Zone.Identifier": "not read: the mark Windows puts on "
        "a downloaded file (its Zone.Identifier), which a copy into WSL leaves beside the file "
        "as a file of its own: delete it",
        "data/physicians/nina-varga.yaml.txt": "not read: physician files end in .yaml or .yml: "
        "rename it to nina-varga.yaml"}


def test_two_files_joined_with_their_byte_order_marks_are_said_so(example_site):
    # `copy a.yaml+b.yaml` on Windows (or `cat`) of two files saved with a byte-order mark:
    # the second mark, invisible, was "did not find expected key" one column past it
    visit = b"date: 2026-10-02\nliaison: lena-brooks\ntype: call\nsummary: Called.\n"
    joined = example_site / "data/interactions/joined.yaml"
    joined.write_bytes(b"\xef\xbb\xbf" + visit + b"\xef\xbb\xbf" + visit)
    code, _out, lines = run_validate(example_site)
    assert code == 1 and [x for x in lines if x.startswith("data/interactions/joined.yaml")] == [
        "data/interactions/joined.yaml:5:1: error: YAML syntax error: an invisible byte-order "
        "mark (U+FEFF) inside the file, as two files saved with one and joined leave it: "
        "delete it"]
