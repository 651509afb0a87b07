"""The field-logging form's page and data (log/, SPEC §6) and `new interaction` asked question
by question. What the form's YAML is worth is tested in a browser (test_browser_log.py):
here, what the build gives it (log/data.js, the host's new-file address, the links of briefs
and call plans) and the terminal's questions.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import REPO, SPEC_EXAMPLE, _make_writable, run_validate

from liaison.pages.log import host_kind, new_file_url, read_data_js

WEB_URL = "https://github.com/blue-ridge-vein/liaison-records"


@pytest.mark.parametrize("url,kind", [
    ("https://github.com/o/r", "github"),
    ("https://GitHub.com/o/r/", "github"),
    ("https://github.example-corp.com/o/r", "github"),  # GitHub Enterprise
    ("https://github.acme.com/o/r", "github"),
    ("https://gitlab.com/group/sub/r", "gitlab"),
    ("https://gitlab.acme.org/o/r", "gitlab"),
    ("https://codeberg.org/o/r", "gitea"),
    ("https://gitea.com/o/r", "gitea"),
    ("https://git-gitea.acme.org/o/r", "gitea"),
    ("https://forgejo.acme.org/o/r", "gitea"),
    ("https://git.acme.org/o/r", None),
    ("https://notgithub.com/o/r", None),
])
def test_the_host_kind_comes_from_the_host_name(url, kind):
    assert host_kind(url) == kind


def test_new_file_addresses_of_each_host():
    assert new_file_url("https://github.com/o/r/", "main") == \
        "https://github.com/o/r/new/main?filename={path}&value={content}"
    assert new_file_url("https://gitlab.com/g/r", "records/2026") == \
        "https://gitlab.com/g/r/-/new/records/2026?file_name={path}&content={content}" \
        "&commit_message={message}"
    assert new_file_url("https://codeberg.org/o/r", "main") == \
        "https://codeberg.org/o/r/_new/main/?filename={path}&value={content}"
    assert new_file_url("https://git.acme.org/o/r", "main") is None
    assert new_file_url("https://github.com/o/r", "a b#c") == \
        "https://github.com/o/r/new/a%20b%23c?filename={path}&value={content}"


@pytest.mark.parametrize("written", ["https://github.com/o/r.git", "https://github.com/o/r.git/",
                                     "https://github.com/o/r/"])
def test_a_clone_address_is_read_as_the_repositorys_web_page(written):
    """A clone address pasted as web_url gave the form a new-file page under ".../r.git/new/"."""
    from liaison.models import Repository

    web_url = Repository(web_url=written).web_url
    assert web_url == "https://github.com/o/r"
    assert new_file_url(web_url, "main").startswith("https://github.com/o/r/new/main?")


@pytest.mark.parametrize("written, write", [
    ("https://github.com/o/r/tree/main", "https://github.com/o/r"),
    ("https://github.com/o/r/blob/main/README.md", "https://github.com/o/r"),
    ("https://gitlab.com/g/sub/r/-/tree/main", "https://gitlab.com/g/sub/r"),
    ("https://codeberg.org/o/r/src/branch/main", "https://codeberg.org/o/r"),
    ("https://github.com/o", None),
    # GitHub's front page as the browser shows it
    ("https://github.com/o/r?tab=readme-ov-file", "https://github.com/o/r"),
    ("https://git.acme.org/team/r#readme", "https://git.acme.org/team/r"),
    ("https://github.com/o/r/tree/main?x=1#top", "https://github.com/o/r"),
])
def test_a_web_address_of_a_page_inside_the_repository_is_an_error(example_site, written, write):
    """The address copied from the browser on the branch's page (…/tree/main) validated, and
    the logging form's new-file page and every edit link were …/tree/main/new/main: not found."""
    from conftest import run_validate

    site_yaml = example_site / "site.yaml"
    text = site_yaml.read_text(encoding="utf-8") + f"\nrepository:\n  web_url: {written}\n"
    site_yaml.write_text(text, encoding="utf-8")
    line = text.count("\n")
    code, _out, err = run_validate(example_site, "--as-of", "2026-11-26")
    assert code == 1
    mine = [e for e in err if e.startswith(f"site.yaml:{line}:12: error: repository.web_url: '{written}' ")]
    assert len(mine) == 1, err
    if write:
        assert mine[0].endswith(f"the address of a page inside the repository: write the "
                                f"repository's own address, {write}"), mine
    else:
        assert mine[0].endswith("names no repository: write the address of the repository's "
                                "page, https://github.com/OWNER/REPOSITORY"), mine


def test_a_repository_address_of_any_depth_on_another_host_is_taken():
    # a self-hosted GitLab nests groups; another server's paths are its own
    from liaison.models import Repository

    for url in ("https://gitlab.com/g/sub/r", "https://git.acme.org/records",
                "https://git.acme.org/a/b/c/records"):
        assert Repository(web_url=url).web_url == url


@pytest.mark.parametrize("branch, why", [
    ("new visits", "it holds a space"), ("records?", "it holds one of"),
    ("-main", "it starts with -"), ("records.lock", "it starts with - or /, ends with /, . or .lock"), ("a..b", "it holds '..'"),
])
def test_a_branch_that_git_would_refuse_is_an_error_at_its_line(example_site, branch, why):
    """'branch: new visits' validated, and every edit link and the logging form's new-file
    page then pointed at a branch that cannot exist."""
    from conftest import run_validate

    site_yaml = example_site / "site.yaml"
    text = site_yaml.read_text(encoding="utf-8") + (
        f"\nrepository:\n  web_url: https://github.com/o/r\n  branch: \"{branch}\"\n")
    site_yaml.write_text(text, encoding="utf-8")
    line = text.count("\n")
    code, _out, err = run_validate(example_site, "--as-of", "2026-11-26")
    assert code == 1
    assert any(e.startswith(f"site.yaml:{line}:11: error: repository.branch: '{branch}' is not a "
                            f"git branch name: {why}") for e in err), err
    site_yaml.write_text(text.replace(f'"{branch}"', "release/2026.12"), encoding="utf-8")
    assert run_validate(example_site, "--as-of", "2026-11-26")[0] == 0


def _build(root: Path, out: Path) -> Path:
    proc = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "build", "--root", str(root), "--out", str(out),
         "--as-of", "2026-11-26"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def _copy(dest: Path, repository: bool) -> Path:
    shutil.copytree(SPEC_EXAMPLE, dest)
    _make_writable(dest)
    if repository:
        with open(dest / "site.yaml", "a", encoding="utf-8") as fh:
            fh.write(f"repository:\n  web_url: {WEB_URL}\n  branch: records\n")
    return dest


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("logsite")
    return _build(_copy(base / "root", True), base / "site")


def _data(site: Path) -> dict:
    return read_data_js((site / "log" / "data.js").read_bytes())


def test_the_data_file_holds_what_the_form_offers(built):
    data = _data(built)
    assert data["repository"] == {
        "web_url": WEB_URL, "branch": "records", "host": "github", "host_name": "GitHub",
        "new_file": WEB_URL + "/new/records?filename={path}&value={content}"}
    assert data["types"] == ["visit", "lunch", "presentation", "event", "call", "email", "other"]
    assert data["outcomes"] == ["positive", "neutral", "negative"]
    # practices by name, each with its physicians (by name) and office staff
    names = [p[1] for p in data["practices"]]
    assert names == sorted(names, key=str.lower)
    by_id = {p[0]: p for p in data["practices"]}
    physicians = data["physicians"]
    mountain = by_id["mountain-view-family-medicine"]
    assert [physicians[i][0] for i in mountain[3]] == ["grace-holloway", "marcus-bell"]
    assert all(data["practices"][physicians[i][3]] is mountain for i in mountain[3])
    assert ["Carla Jennings", "office manager"] in mountain[4]
    assert by_id["hendersonville-womens-health"][1] == "Hendersonville Women's Health"
    assert sorted(d[0] for d in physicians) == sorted(
        p.stem for p in (SPEC_EXAMPLE / "data" / "physicians").iterdir())
    # liaisons first, then everyone else who may own a follow-up
    assert [t[:3] for t in data["team"]] == [["lena-brooks", "Lena Brooks", "liaison"],
                                             ["owen-price", "Owen Price", "front-desk"]]
    assert data["decks"] == [["venous-basics", "Venous disease basics"]]
    assert data["services"][0] == ["vein-ablation", "Vein ablation"]


def test_the_page_loads_its_data_and_form_from_the_site_only(built):
    html = (built / "log" / "index.html").read_text(encoding="utf-8")
    assert '<script src="data.js" defer></script>' in html
    assert '<script src="../assets/log.js" defer></script>' in html
    assert '<link rel="stylesheet" href="../assets/log.css">' in html
    assert (built / "assets" / "log.js").is_file() and (built / "assets" / "log.css").is_file()
    assert "<script>" not in html  # nothing inline: the CSP allows the site's files only
    assert "on GitHub" in html and WEB_URL in html


def test_briefs_and_call_plans_link_to_the_form_with_their_choices(built):
    doc = (built / "physicians" / "nina-vargas" / "index.html").read_text(encoding="utf-8")
    assert ('href="../../log/index.html?practice=hendersonville-womens-health&amp;'
            'physician=nina-vargas">Log a visit</a>') in doc
    prac = (built / "practices" / "french-broad-podiatry" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../log/index.html?practice=french-broad-podiatry">Log a visit</a>' in prac
    plan = (built / "team" / "lena-brooks" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../log/index.html?liaison=lena-brooks">Log a visit</a>' in plan
    # each practice of the call plan: its physicians of this liaison (in the plan's order)
    hrefs = re.findall(r'href="../../log/index.html\?(practice=mountain-view[^"]*)"', plan)
    assert len(hrefs) == 1
    assert sorted(hrefs[0].split("&amp;")) == [
        "liaison=lena-brooks", "physician=grace-holloway", "physician=marcus-bell",
        "practice=mountain-view-family-medicine"]


def test_a_call_plan_chooses_no_physician_at_a_large_practice(tmp_path):
    # A hospital-owned group of 250 physicians: the call plan's Log a visit opened the form
    # with the liaison's 225 physicians there ticked (a 6,362-character address); a weekly stop
    # logged without unticking 223 of them listed all 225 as visited (their visits overdue
    # cleared, return on visit and spend shared among them). Past six physicians, the link
    # chooses the practice and the liaison only, as a practice's brief does.
    root = _copy(tmp_path / "root", True)
    (root / "data/practices/oak-hollow-group.yaml").write_text(
        "name: Oak Hollow Group\ncity: Asheville\nstate: NC\nliaison: lena-brooks\n")
    for n, practice in ((7, "oak-hollow-group"), (6, "elm-row-group")):
        if practice != "oak-hollow-group":
            (root / f"data/practices/{practice}.yaml").write_text(
                "name: Elm Row Group\ncity: Asheville\nstate: NC\nliaison: lena-brooks\n")
        for i in range(n):
            (root / f"data/physicians/{practice}-{i}.yaml").write_text(
                f"name: Pat Tree{chr(65 + i)}\nspecialty: Family Medicine\npractice: {practice}\n"
                "tier: A\n")
    plan = (_build(root, tmp_path / "site") / "team" / "lena-brooks" / "index.html").read_text(
        encoding="utf-8")
    oak = re.findall(r'href="../../log/index.html\?(practice=oak-hollow-group[^"]*)"', plan)
    assert oak == ["practice=oak-hollow-group&amp;liaison=lena-brooks"], oak
    elm = re.findall(r'href="../../log/index.html\?(practice=elm-row-group[^"]*)"', plan)
    assert len(elm) == 1 and elm[0].count("physician=elm-row-group-") == 6, elm


def test_without_a_repository_there_is_no_form_and_no_link(tmp_path):
    site = _build(_copy(tmp_path / "root", False), tmp_path / "site")
    assert not (site / "log").exists()
    assert not (site / "assets" / "log.js").read_bytes() == b""  # the asset ships anyway
    for page in ("physicians/nina-vargas", "practices/french-broad-podiatry", "team/lena-brooks"):
        assert "Log a visit" not in (site / page / "index.html").read_text(encoding="utf-8")


def test_the_data_file_is_the_same_byte_for_byte(built, tmp_path):
    again = _build(_copy(tmp_path / "root", True), tmp_path / "site")
    assert (again / "log" / "data.js").read_bytes() == (built / "log" / "data.js").read_bytes()


# ---------------------------------------------------------------------------------------------
# `new interaction`, asked question by question


def _new(root: Path, answers: list[str], *args: str):
    from liaison.cli import main

    result = CliRunner().invoke(main, ["new", "interaction", *args, "--root", str(root)],
                                input="\n".join(answers) + "\n")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


ANSWERS = [
    "9", "lena",                        # a number that is no one, then part of a name
    "family",                           # one practice matches
    "1 3", "1 marcus-bell",             # physicians: 3 is not one of the two
    "lunch",
    "2026-02-30", "2099-01-01", "2026-11-20",  # not a day; after today; then right
    "",                                 # the summary is needed
    'Lunch: "wound care" #2 – café',
    "Prior-auth help: Medicare Advantage", "",
    "positive",
    "12.345", "$48.50",
    "Send the referral form", "2026-11-27", "owen",
    "",
]


def test_new_interaction_asks_and_writes_a_file_that_validates(example_site, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795651200")  # 2026-11-26: "today"
    result = _new(example_site, ANSWERS, "--interactive")
    assert result.exit_code == 0, result.stdout + result.stderr
    out = result.stdout
    assert "Nothing matches '9'" in out
    assert "Not a physician of mountain-view-family-medicine: 3." in out
    assert "not a real" in out.lower() or "2026-02-30" in out
    assert "is after today (2026-11-26)" in out
    assert "Summary (one line: what happened) is needed." in out
    assert "at most two decimals" in out
    rel = out.strip().splitlines()[-1]
    assert rel == "data/interactions/2026/11/20-mountain-view-family-medicine.yaml"
    record = yaml.safe_load((example_site / rel).read_text(encoding="utf-8"))
    assert record["liaison"] == "lena-brooks" and record["type"] == "lunch"
    assert record["physicians"] == ["grace-holloway", "marcus-bell"]
    assert record["summary"] == 'Lunch: "wound care" #2 – café'
    assert record["needs"] == ["Prior-auth help: Medicare Advantage"]
    assert record["outcome"] == "positive" and record["cost"] == 48.5
    assert record["follow_ups"] == [{"task": "Send the referral form",
                                     "due": __import__("datetime").date(2026, 11, 27),
                                     "owner": "owen-price"}]
    code, _o, err = run_validate(example_site, "--as-of", "2026-11-26")
    assert code == 0, err
    assert not [line for line in err if rel in line], err


def test_new_interaction_asks_in_a_terminal_without_arguments(example_site, monkeypatch):
    import liaison.cli

    monkeypatch.setattr(liaison.cli, "_in_terminal", lambda: True)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795651200")
    answers = ["1", "french-broad-podiatry", "", "", "", "Phoned about fax numbers", "", "", "",
               ""]
    result = _new(example_site, answers)
    assert result.exit_code == 0, result.stdout + result.stderr
    rel = result.stdout.strip().splitlines()[-1]
    assert rel == "data/interactions/2026/11/26-french-broad-podiatry.yaml"
    record = yaml.safe_load((example_site / rel).read_text(encoding="utf-8"))
    assert record["type"] == "visit"  # the default
    assert "physicians" not in record and "follow_ups" not in record
    code, _o, err = run_validate(example_site, "--as-of", "2026-11-26")
    assert code == 0, err
    # in a terminal with the options given, nothing is asked
    result = _new(example_site, [], "--liaison", "lena-brooks", "--type", "call",
                  "--summary", "Phoned", "--practice", "french-broad-podiatry",
                  "--date", "2026-11-20")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "data/interactions/2026/11/20-french-broad-podiatry.yaml\n"


def test_new_interaction_without_a_terminal_is_unchanged(example_site):
    # no arguments and no terminal: the missing option, as before (exit 2)
    result = _new(example_site, [])
    assert result.exit_code == 2
    assert "Missing option '--liaison'" in result.stderr
    result = _new(example_site, [], "--liaison", "lena-brooks", "--type", "call")
    assert result.exit_code == 2 and "Missing option '--summary'" in result.stderr
    # with the options, no question is asked
    result = _new(example_site, [], "--liaison", "lena-brooks", "--type", "call",
                  "--summary", "Phoned", "--practice", "french-broad-podiatry",
                  "--date", "2026-11-20")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "data/interactions/2026/11/20-french-broad-podiatry.yaml"


def test_new_interaction_stops_when_the_answers_end(example_site):
    result = _new(example_site, ["1"], "-i")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        "Error: the input ended before the last question was answered: nothing was written "
        "(give the values as options to write the file without questions; see --help)")
    assert "Aborted!" not in result.stderr
    assert not list((example_site / "data" / "interactions").rglob("*-2.yaml"))


def test_new_interaction_stopped_by_ctrl_c_says_nothing_was_written(example_site, monkeypatch):
    import click

    import liaison.cli

    answers = iter(["1"])

    def ask(text, default):
        try:
            return next(answers)
        except StopIteration:
            try:
                raise KeyboardInterrupt
            except KeyboardInterrupt:
                raise click.Abort() from None  # as click.prompt does on Ctrl+C

    monkeypatch.setattr(liaison.cli, "_ask", ask)
    before = sorted(p.relative_to(example_site) for p in example_site.rglob("*"))
    result = _new(example_site, [], "-i")
    assert result.exit_code == 130
    assert result.stderr.splitlines()[-1] == (
        "Error: stopped before the last question: nothing was written")
    assert sorted(p.relative_to(example_site) for p in example_site.rglob("*")) == before


def test_new_interaction_says_why_an_empty_answer_is_asked_again(example_site, monkeypatch):
    # An empty answer to a question without a default was asked again in silence (click's
    # prompt repeats itself), unlike the summary's: now every one says why.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795651200")
    answers = ["", "1", "", "french-broad-podiatry",  # who and where: asked again, with why
               "", "", "", "Phoned", "", "", "",       # physicians … cost
               "Send the form", "", "2026-11-30", "", ""]  # a due date is needed
    result = _new(example_site, answers, "-i")
    assert result.exit_code == 0, result.stdout + result.stderr
    out = result.stdout
    assert "  Logged by is needed." in out
    assert "  Practice (id or part of it) is needed." in out
    assert "'' is not a date: write YYYY-MM-DD" in out
    rel = out.strip().splitlines()[-1]
    record = yaml.safe_load((example_site / rel).read_text(encoding="utf-8"))
    assert record["follow_ups"][0]["due"].isoformat() == "2026-11-30"
