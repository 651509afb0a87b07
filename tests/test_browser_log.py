"""Browser tests of the field-logging form (log/, SPEC §6), in Debian's Chromium driven by
Playwright, at phone (390x844) and desktop (1366x900) sizes.

The site is the second edition's worked example with a ``repository`` added to its site.yaml
(the example has none, so it has no log/ page), built once for this module and served on
127.0.0.1. What the form produces is written into a copy of the same example and checked by
`validate` (exit 0): the form's YAML is the contract, not a Python mirror of it. Hand-overs to
GitHub, GitLab and Gitea are intercepted (the request is answered locally): nothing reaches
the network. The fixtures and helpers are tests/test_browser.py's.

Screenshots for a person to look at go to $LIAISON_SHOTS_DIR (default /tmp/liaison-shots/).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest
import yaml

from conftest import FIXTURES, REPO, _make_writable, run_validate
from test_browser import (  # noqa: F401 - fixtures are used by name
    PHONE, _shot, browser, new_page, server,
)

from liaison.pages.log import DATA_GLOBAL, new_file_url, read_data_js

EXAMPLE = FIXTURES / "spec-example-v2"
WEB_URL = "https://github.com/blue-ridge-vein/liaison-records"
DESKTOP_WIDE = {"width": 1366, "height": 900}
SIZES = {"phone": PHONE, "desktop": DESKTOP_WIDE}


def _example_with_repository(dest: Path) -> Path:
    shutil.copytree(EXAMPLE, dest)
    _make_writable(dest)
    with open(dest / "site.yaml", "a", encoding="utf-8") as fh:
        fh.write(f"repository:\n  web_url: {WEB_URL}\n  branch: main\n")
    return dest


def _build(root: Path, out: Path, cache: Path | None = None) -> Path:
    """``root`` built into ``out`` at the as-of date 2026-11-26 (with a parse cache of its own
    when ``cache`` is given): ``out``."""
    env = dict(os.environ, LIAISON_CACHE_DIR=str(cache)) if cache is not None else None
    proc = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "build", "--root", str(root), "--out", str(out),
         "--as-of", "2026-11-26"], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The worked example with a repository, built once (overrides test_browser's site)."""
    base = tmp_path_factory.mktemp("log")
    root = _example_with_repository(base / "root")
    out = _build(root, base / "site", base / "cache")
    assert (out / "log" / "index.html").is_file() and (out / "log" / "data.js").is_file()
    return out


@pytest.fixture
def target(tmp_path) -> Path:
    """A fresh copy of the example (with the repository) to add the form's files to."""
    return _example_with_repository(tmp_path / "target")


def _open(new_page, server, size: str, query: str = ""):
    kw = {"is_mobile": True, "has_touch": True} if size == "phone" else {}
    page, rec = new_page(viewport=SIZES[size], **kw)
    page.goto(f"{server}/log/index.html{query}")
    page.wait_for_selector("html[data-log-ready]")
    return page, rec


def _record(page) -> tuple[str, str]:
    """(the file's path in the repository, its YAML) as the form shows them."""
    return page.text_content("#log-path"), page.text_content("#log-yaml")


def _add(root: Path, rel: str, text: str) -> None:
    path = root / rel
    assert not path.exists(), f"{rel} would overwrite a file"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _validate(root: Path) -> None:
    code, _out, err = run_validate(root)
    assert code == 0, "\n".join(err)
    assert not [line for line in err if ": error:" in line], "\n".join(err)


def _fill_visit(page, summary: str) -> None:
    """Pick and type a whole visit: every field the form has."""
    page.select_option("#log-liaison", "lena-brooks")
    page.fill("#log-date", "2026-11-20")
    page.locator('label[for="log-type-lunch"]').click()
    page.check('#log-staff input[value="Carla Jennings (office manager)"]')
    page.fill("#log-met-other", "Dana Ruiz (medical assistant)")
    page.fill("#log-summary", summary)
    page.fill("#log-needs", "Prior-auth help: Medicare Advantage plans\nFaster consult notes")
    page.check('#log-services input[value="wound-clinic"]')
    page.select_option("#log-outcome", "positive")
    page.select_option("#log-deck", "venous-basics")
    page.fill("#log-cost", "$48.5")
    page.fill("#log-next", "2026-12-18")
    page.click("#log-add-fu")
    page.locator(".fu-task").last.fill("Send the wound-clinic referral form")
    page.locator(".fu-due").last.fill("2026-11-27")
    page.locator(".fu-owner").last.select_option("owen-price")
    page.fill("#log-notes", "Lunch for 9 on 11/20.\n\n- Dr. Holloway asked about VenaSeal\n  - and compression")


# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_form_writes_a_record_that_validates(new_page, server, target, size):
    page, rec = _open(new_page, server, size,
                      "?practice=mountain-view-family-medicine&physician=grace-holloway")
    # chosen from the link: the practice, its physicians offered, the one named ticked
    assert page.text_content("#log-practice-name").startswith("Mountain View Family Medicine")
    assert page.is_checked('#log-physicians input[value="grace-holloway"]')
    assert not page.is_checked('#log-physicians input[value="marcus-bell"]')
    summary = 'Lunch with the MAs: "what counts as a wound" #2 – café talk'
    _fill_visit(page, summary)
    page.check('#log-physicians input[value="marcus-bell"]')
    _shot(page, f"log-filled-{size}.png")
    rel, text = _record(page)
    assert rel.startswith("data/interactions/2026/11/20-mountain-view-family-medicine-lena-brooks-")
    assert rel.endswith(".yaml")
    record = yaml.safe_load(text)
    assert record == {
        "date": dt.date(2026, 11, 20), "liaison": "lena-brooks", "type": "lunch",
        "practice": "mountain-view-family-medicine",
        "physicians": ["grace-holloway", "marcus-bell"],
        "met_with": ["Carla Jennings (office manager)", "Dana Ruiz (medical assistant)"],
        "summary": summary,
        "needs": ["Prior-auth help: Medicare Advantage plans", "Faster consult notes"],
        "outcome": "positive", "deck": "venous-basics", "cost": 48.5,
        "next_visit": dt.date(2026, 12, 18),
        "follow_ups": [{"task": "Send the wound-clinic referral form",
                        "due": dt.date(2026, 11, 27), "owner": "owen-price"}],
        "notes": "Services discussed: Leg wound clinic.\n\nLunch for 9 on 11/20.\n\n"
                 "- Dr. Holloway asked about VenaSeal\n  - and compression",
    }
    _add(target, rel, text)
    _validate(target)
    assert rec.console_errors == [], rec.console_errors


TRICKY = [
    'Dr. O\'Neil: "fine" # not a comment',
    "- starts like a list item",
    "# starts like a comment",
    "yes",
    "null",
    "1e3",
    "2026-11-20",
    "{braces} and [brackets], & anchors *star",
    "Café, naïve, Zoë — 😀 ✓ 東京",
    "back\\slash and tab\there",
    "% percent at the start",
    "ends with a colon:",
    "'single quotes' around",
    "@at and `backtick`",
]


def test_tricky_text_round_trips_exactly_and_validates(new_page, server, target):
    page, rec = _open(new_page, server, "desktop", "?practice=french-broad-podiatry")
    page.select_option("#log-liaison", "lena-brooks")
    page.fill("#log-date", "2026-11-19")
    needs = "\n".join(TRICKY[:6])
    page.fill("#log-needs", needs)
    notes = "# Heading\n\n  indented first? no: second line\n- item: with colon\n\n\"quoted\" #tag"
    page.fill("#log-notes", notes)
    page.fill("#log-met-other", "Ms. Q: \"Quinn\" (front desk)")
    for i, text in enumerate(TRICKY):
        page.fill("#log-summary", text)
        rel, produced = _record(page)
        record = yaml.safe_load(produced)
        assert record["summary"] == text.strip(), produced
        assert record["needs"] == [t.strip() for t in TRICKY[:6]]
        assert record["notes"] == notes
        assert record["met_with"] == ['Ms. Q: "Quinn" (front desk)']
        _add(target, rel.replace(".yaml", f"-{i}.yaml"), produced)
    _validate(target)
    assert rec.console_errors == [], rec.console_errors


def test_notes_with_unicode_line_separators_read_the_same_to_every_yaml_reader(
        new_page, server, target):
    # U+2028/U+2029 (pasted from a word processor) are line breaks to PyYAML, not to YAML 1.2:
    # written raw in the notes' block, the file did not parse with PyYAML (validate's fallback)
    page, rec = _open(new_page, server, "phone", "?practice=french-broad-podiatry")
    page.select_option("#log-liaison", "lena-brooks")
    page.fill("#log-date", "2026-11-19")
    page.fill("#log-summary", "Pasted notes")
    for i, notes in enumerate(("Pads dropped off\u2028Fax number checked",
                               "Para one\u2029Para two\n\nmore  \nlines")):
        page.fill("#log-notes", notes)
        rel, text = _record(page)
        assert yaml.safe_load(text)["notes"] == notes, text
        _add(target, rel.replace(".yaml", f"-{i}.yaml"), text)
    _validate(target)
    env = dict(os.environ, LIAISON_YAML_PARSER="pyyaml", PYTHONPATH=str(REPO))
    proc = subprocess.run([sys.executable, "-m", "liaison", "validate", "--root", str(target)],
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert rec.console_errors == [], rec.console_errors


def _yaml_of(page) -> str:
    return page.text_content("#log-yaml")


@pytest.mark.parametrize("host,web_url,path,params", [
    ("github", WEB_URL, "/blue-ridge-vein/liaison-records/new/main", ("filename", "value")),
    ("gitlab", "https://gitlab.com/blue-ridge/liaison-records", "/blue-ridge/liaison-records/-/new/main",
     ("file_name", "content")),
    ("gitea", "https://codeberg.org/blue-ridge/liaison-records", "/blue-ridge/liaison-records/_new/main/",
     ("filename", "value")),
    ("forgejo", "https://forgejo.blue-ridge.example/team/records", "/team/records/_new/main/",
     ("filename", "value")),
])
def test_hand_over_opens_the_hosts_new_file_page(new_page, server, site, host, web_url, path, params):
    page, rec = new_page(viewport=DESKTOP_WIDE)
    # The same data file, with the repository of another host (its address as the build
    # writes it).
    payload = read_data_js((site / "log" / "data.js").read_bytes())
    prefix = f"window.{DATA_GLOBAL}="
    payload["repository"]["web_url"] = web_url
    payload["repository"]["new_file"] = new_file_url(web_url, "main")
    page.route("**/log/data.js", lambda route: route.fulfill(
        status=200, content_type="text/javascript",
        body=prefix + json.dumps(payload) + ";\n"))
    opened = []
    origin = urllib.parse.urlsplit(web_url)
    origin = f"{origin.scheme}://{origin.netloc}"

    def answer(route):
        opened.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<title>new file</title>")

    page.context.route(f"{origin}/**", answer)
    page.goto(f"{server}/log/index.html?practice=hendersonville-womens-health&physician=nina-vargas")
    page.wait_for_selector("html[data-log-ready]")
    page.select_option("#log-liaison", "lena-brooks")
    page.fill("#log-summary", "Met Dr. Vargas: 100% on board & asked for #2 pads")
    rel, text = _record(page)
    assert page.is_visible("#log-open")
    assert page.get_attribute("#log-open", "href").startswith(web_url)
    with page.context.expect_page() as popup:
        page.click("#log-open")
    popup.value.wait_for_load_state()
    assert len(opened) == 1
    url = urllib.parse.urlsplit(opened[0])
    assert f"{url.scheme}://{url.netloc}" == origin
    assert url.path == path
    query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
    assert query[params[0]] == [rel]
    assert query[params[1]] == [text]
    if host == "gitlab":
        assert query["commit_message"] == ["Log visit of " + rel.split("/")[2] + "-"
                                           + rel.split("/")[3] + "-" + rel.split("/")[4][:2]
                                           + " at hendersonville-womens-health"]
    # handed over: the draft is cleared from this device, the form stays filled in
    assert "draft on this device is cleared" in page.text_content("#log-status")
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('liaison-log-draft'))") == []
    assert page.input_value("#log-summary").startswith("Met Dr. Vargas")
    assert rec.console_errors == [], rec.console_errors


def test_an_unknown_host_gets_copy_and_download_and_says_why(new_page, server, site):
    page, rec = new_page(viewport=DESKTOP_WIDE)
    payload = read_data_js((site / "log" / "data.js").read_bytes())
    prefix = f"window.{DATA_GLOBAL}="
    payload["repository"].update(web_url="https://git.blue-ridge.example/records", new_file=None)
    page.route("**/log/data.js", lambda route: route.fulfill(
        status=200, content_type="text/javascript", body=prefix + json.dumps(payload) + ";\n"))
    page.goto(f"{server}/log/index.html")
    page.wait_for_selector("html[data-log-ready]")
    assert not page.is_visible("#log-open")
    note = page.text_content("#log-host-note")
    assert "git.blue-ridge.example" in note and "copy or download" in note
    assert page.is_visible("#log-copy") and page.is_visible("#log-download")
    assert rec.console_errors == [], rec.console_errors


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_draft_survives_a_reload_and_can_be_discarded(new_page, server, size):
    page, rec = _open(new_page, server, size, "?practice=french-broad-podiatry&physician=alan-cho")
    page.select_option("#log-liaison", "lena-brooks")
    page.fill("#log-summary", "Dropped off the new referral pads")
    page.fill("#log-needs", "Same-week wound visits")
    page.click("#log-add-fu")
    page.locator(".fu-task").last.fill("Call back about the pads")
    before = _yaml_of(page)
    page.reload()
    page.wait_for_selector("html[data-log-ready]")
    assert page.is_visible("#log-draft-note")
    assert "draft" in page.text_content("#log-draft-note")
    assert page.input_value("#log-summary") == "Dropped off the new referral pads"
    assert page.input_value(".fu-task") == "Call back about the pads"
    assert page.is_checked('#log-physicians input[value="alan-cho"]')
    assert _yaml_of(page) == before
    _shot(page, f"log-draft-{size}.png")
    # a draft wins over another link's choices until it is discarded
    page.goto(page.url.split("?")[0] + "?practice=hendersonville-womens-health")
    page.wait_for_selector("html[data-log-ready]")
    assert page.input_value("#log-summary") == "Dropped off the new referral pads"
    page.click("#log-fresh")
    assert page.input_value("#log-summary") == ""
    assert page.text_content("#log-practice-name").startswith("Hendersonville Women")
    assert page.input_value("#log-liaison") == "lena-brooks"  # this device's liaison is kept
    # Discard, then undo
    page.fill("#log-summary", "Second draft")
    page.click("#log-discard")
    assert page.input_value("#log-summary") == ""
    assert page.input_value("#log-liaison") == "lena-brooks"  # as a reload would: not forgotten
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('liaison-log-draft'))") == []
    page.click("#log-undo")
    assert page.input_value("#log-summary") == "Second draft"
    assert rec.console_errors == [], rec.console_errors


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_problems_are_said_next_to_their_fields(new_page, server, size):
    page, rec = _open(new_page, server, size)
    page.click("#log-copy")
    assert "Choose who logs it" in page.text_content("#log-liaison-err")
    assert "Choose the practice" in page.text_content("#log-practice-err")
    assert "Write one line" in page.text_content("#log-summary-err")
    assert "3 things to fix" in page.text_content("#log-problems")
    # and to a screen reader on the field: invalid, described by its problem (it was neither)
    for field in ("liaison", "summary"):
        assert page.get_attribute(f"#log-{field}", "aria-invalid") == "true"
        assert page.get_attribute(f"#log-{field}", "aria-describedby") == f"log-{field}-err"
    assert page.evaluate("document.activeElement.id") == "log-liaison"
    assert page.get_attribute("#log-date", "aria-invalid") is None
    assert page.text_content("#log-status") == ""
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    page.fill("#log-date", tomorrow)
    assert "After today" in page.text_content("#log-date-err")
    for cost, message in (("12.345", "two decimals"), ("1,200", "digits only"),
                          ("-5", "digits only"), ("ten", "digits only")):
        page.fill("#log-cost", cost)
        assert message in page.text_content("#log-cost-err"), cost
    page.fill("#log-cost", "12.30")
    assert page.text_content("#log-cost-err") == ""
    assert page.get_attribute("#log-cost", "aria-invalid") is None
    assert page.get_attribute("#log-cost", "aria-describedby") is None
    page.fill("#log-summary", "Patient DOB 4/12/1961 asked about ablation")
    assert "date of birth" in page.text_content("#log-summary-err")
    # the hand-over link holds no record with something to fix (a long press opens it as it
    # is): the date of birth never reaches the host's address
    assert page.get_attribute("#log-open", "href") == "#log-problems"
    page.fill("#log-summary", "Card read 123\u00a045\u20136789 twice")  # pasted: no-break, en dash
    assert "Social Security" in page.text_content("#log-summary-err")
    page.fill("#log-notes", "Called back.\n\nSSN 123-45-6789 on the fax")
    assert page.text_content("#log-notes-err").startswith(
        "The notes look like a US Social Security number")
    page.fill("#log-notes", "")
    page.click("#log-add-fu")  # a due date is filled in, the task is not
    assert "Write the task" in page.text_content("#log-fu0-err")
    page.locator(".fu-due").last.fill("")  # an empty row is left out, not an error
    assert page.text_content("#log-fu0-err") == ""
    _shot(page, f"log-problems-{size}.png")
    # the practice: found by words in any order, punctuation or not; word starts first
    names = "#log-practice-list button strong"
    page.fill("#log-practice-find", "health womens")
    assert page.locator(names).all_text_contents() == ["Hendersonville Women's Health"]
    page.fill("#log-practice-find", "vi")  # View's start before Asheville's inside
    assert page.locator(names).all_text_contents() == [
        "Mountain View Family Medicine", "French Broad Podiatry", "Hendersonville Women's Health"]
    # found by typing part of a physician's name, chosen with a tap
    page.fill("#log-practice-find", "kessl")
    page.locator("#log-practice-list button").first.click()
    assert page.text_content("#log-practice-name").startswith("French Broad Podiatry")
    assert page.is_checked('#log-physicians input[value="ruth-kessler"]')
    assert page.text_content("#log-practice-err") == ""
    assert rec.console_errors == [], rec.console_errors


def test_a_cost_is_written_as_the_amount_typed(new_page, server, target):
    # "010" written as typed is 8 to a YAML 1.1 reader (PyYAML, many editors): an octal.
    # "12,50": a phone set to German or French offers a comma, not a point, on the number
    # pad the field opens (inputmode=decimal): it was "digits only", so no cents could be typed
    page, rec = _open(new_page, server, "phone", "?practice=french-broad-podiatry")
    page.select_option("#log-liaison", "lena-brooks")
    page.fill("#log-date", "2026-11-19")
    page.fill("#log-summary", "Coffee for the front desk")
    for i, (typed, amount) in enumerate((("010", 10), ("$ 0012", 12), ("007.50", 7.5),
                                         ("00", 0), ("0.5", 0.5), ("12", 12), ("$48.5", 48.5),
                                         ("12,50", 12.5), ("$7,5", 7.5))):
        page.fill("#log-cost", typed)
        rel, text = _record(page)
        assert yaml.safe_load(text)["cost"] == amount, (typed, text)
        assert page.text_content("#log-cost-err") == ""
        _add(target, rel.replace(".yaml", f"-{i}.yaml"), text)
    _validate(target)
    assert rec.console_errors == [], rec.console_errors


def test_the_practice_picker_finds_names_typed_without_their_letters(new_page, server, site):
    # "soren" finds Søren, "strauss" Strauß (ø and ß are no accented letter: they were left
    # as they are, and such a name was found only by its id's spelling, when that had it)
    page, rec = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    payload = read_data_js((site / "log" / "data.js").read_bytes())
    doc = next(d for d in payload["physicians"] if d[0] == "alan-cho")
    doc[1] = "Søren Æsa Łukasz-Strauß"
    prefix = f"window.{DATA_GLOBAL}="
    page.route("**/log/data.js", lambda route: route.fulfill(
        status=200, content_type="text/javascript", body=prefix + json.dumps(payload) + ";\n"))
    page.goto(f"{server}/log/index.html")
    page.wait_for_selector("html[data-log-ready]")
    names = "#log-practice-list button strong"
    for query in ("soren", "strauss", "aesa lukasz", "Łukasz-Strauß"):
        page.fill("#log-practice-find", query)
        assert page.locator(names).all_text_contents() == ["Søren Æsa Łukasz-Strauß, DPM"], query
    page.locator("#log-practice-list button").first.tap()
    assert page.text_content("#log-practice-name").startswith("French Broad Podiatry")
    assert page.is_checked('#log-physicians input[value="alan-cho"]')
    assert rec.console_errors == [], rec.console_errors


def test_the_practice_is_chosen_with_the_keyboard_alone(new_page, server):
    # Enter in the box did nothing (a phone keyboard's Go too): the first practice listed is
    # chosen, as the site search opens its first result; Escape after Change goes back
    page, rec = _open(new_page, server, "desktop")
    page.focus("#log-practice-find")
    page.keyboard.type("kessl")
    page.keyboard.press("Enter")
    assert page.text_content("#log-practice-name").startswith("French Broad Podiatry")
    assert page.is_checked('#log-physicians input[value="ruth-kessler"]')
    assert page.evaluate("document.activeElement.id") == "log-practice-change"
    page.keyboard.press("Enter")  # Change
    assert page.evaluate("document.activeElement.id") == "log-practice-find"
    page.keyboard.type("nothing like it")
    page.keyboard.press("Enter")  # nothing listed: nothing chosen, nothing sent
    assert not page.is_visible("#log-practice-chosen")
    page.keyboard.press("Escape")
    assert page.text_content("#log-practice-name").startswith("French Broad Podiatry")
    assert page.is_checked('#log-physicians input[value="ruth-kessler"]')
    assert page.evaluate("document.activeElement.id") == "log-practice-change"
    assert "practice: french-broad-podiatry" in _yaml_of(page)
    assert rec.console_errors == [], rec.console_errors


def test_the_practice_pickers_matches_are_said_as_they_change(new_page, server):
    # Typing listed matches in silence (the count said something only when there were too
    # many or none): a screen reader heard nothing of what Enter would choose. The count is a
    # live region saying how many are listed and which one Enter chooses.
    page, rec = _open(new_page, server, "desktop")
    count = page.locator("#log-practice-count")
    assert count.evaluate("c => c.closest('[aria-live]') && c.closest('[aria-live]').getAttribute('aria-live')") == "polite"
    page.focus("#log-practice-find")
    page.keyboard.type("kessl")
    first = page.locator("#log-practice-list button").first.locator("strong").text_content()
    said = count.text_content()
    assert "Enter chooses" in said and first in said, (said, first)
    page.fill("#log-practice-find", "nothing like it")
    assert count.text_content().startswith("Nothing matches")
    page.fill("#log-practice-find", "")
    assert count.text_content() == ""
    assert rec.console_errors == [], rec.console_errors

def test_the_chosen_type_shows_in_forced_colours(new_page, server):
    # Windows' contrast themes (forced colours) replace the chips' backgrounds: the chosen
    # type ("visit") looked like every other chip. It takes the system's Highlight colours.
    page, rec = new_page(viewport=DESKTOP_WIDE, forced_colors="active")
    page.goto(f"{server}/log/index.html")
    page.wait_for_selector("html[data-log-ready]")
    look = """l => { const s = getComputedStyle(l); return [s.backgroundColor, s.color, s.borderColor].join(' '); }"""
    assert page.is_checked("#log-type-visit")
    chosen = page.locator('label[for="log-type-visit"]').evaluate(look)
    other = page.locator('label[for="log-type-lunch"]').evaluate(look)
    assert chosen != other, chosen
    page.locator('label[for="log-type-lunch"]').click()
    assert page.locator('label[for="log-type-lunch"]').evaluate(look) == chosen
    assert page.locator('label[for="log-type-visit"]').evaluate(look) == other
    _shot(page, "log-forced-colours.png")
    assert rec.console_errors == [], rec.console_errors

def test_a_screen_reader_hears_which_practice_was_chosen(new_page, server):
    # Enter chose the first practice listed and put the keyboard on a button that said only
    # "Change": which practice it was went unsaid. The button is described by the choice.
    page, rec = _open(new_page, server, "desktop")
    page.focus("#log-practice-find")
    page.keyboard.type("kessl")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "log-practice-change"
    cdp = page.context.new_cdp_session(page)
    node = cdp.send("DOM.describeNode", {"objectId": cdp.send("Runtime.evaluate", {
        "expression": "document.activeElement"})["result"]["objectId"]})["node"]
    ax = cdp.send("Accessibility.getPartialAXTree", {"backendNodeId": node["backendNodeId"],
                                                     "fetchRelatives": False})["nodes"][0]
    said = ax["name"]["value"] + " " + (ax.get("description") or {}).get("value", "")
    assert ax["role"]["value"] == "button"
    assert "Change" in said and "French Broad Podiatry" in said, said
    assert rec.console_errors == [], rec.console_errors

def test_each_follow_ups_remove_button_says_which_one(new_page, server):
    # Three follow-ups gave three buttons a screen reader read alike, "Remove, button".
    page, rec = _open(new_page, server, "desktop")
    for _ in range(3):
        page.click("#log-add-fu")
    names = [page.get_by_role("button", name=f"Remove follow-up {i}", exact=True).count()
             for i in (1, 2, 3)]
    assert names == [1, 1, 1], names
    assert rec.console_errors == [], rec.console_errors

def test_removing_a_follow_up_with_the_keyboard_keeps_the_keyboard_in_the_list(new_page, server):
    # Remove redrew the list and the focused button went with it: the keyboard fell to the
    # top of the page. It lands on the follow-up that took the removed one's place, else on
    # the one before, else (none left) on "Add a follow-up".
    page, rec = _open(new_page, server, "desktop")
    for task in ("Send the form", "Call the nurse", "Drop off brochures"):
        page.click("#log-add-fu")
        page.locator(".fu-task").last.fill(task)
    active = "() => [document.activeElement.id || document.activeElement.className," \
             " (document.activeElement.closest('.log-fu') || {}).dataset?.index ?? null]"
    page.locator(".fu-remove").nth(1).focus()
    page.keyboard.press("Enter")
    assert [t.input_value() for t in page.locator(".fu-task").all()] == ["Send the form", "Drop off brochures"]
    assert page.evaluate(active) == ["log-link fu-remove", "1"]
    page.keyboard.press("Enter")  # the last one: the one before takes the keyboard
    assert page.evaluate(active) == ["log-link fu-remove", "0"]
    page.keyboard.press("Space")
    assert page.locator(".fu-task").count() == 0
    assert page.evaluate(active) == ["log-add-fu", None]
    assert rec.console_errors == [], rec.console_errors

def test_copy_and_download_hand_over_the_same_text(new_page, server, target):
    page, rec = _open(new_page, server, "desktop", "?practice=french-broad-podiatry")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    page.select_option("#log-liaison", "owen-price")
    page.locator('label[for="log-type-call"]').click()
    page.fill("#log-summary", "Called: fax number for referrals is 828-555-0142")
    rel, text = _record(page)
    page.bring_to_front()  # the clipboard is written only by the page in front
    page.click("#log-copy")
    # (a selector, not wait_for_function: its polling evaluates strings, which the CSP forbids)
    page.wait_for_selector("#log-status:not(:empty)")
    assert "Copied" in page.text_content("#log-status")
    page.bring_to_front()
    assert page.evaluate("navigator.clipboard.readText()") == text
    with page.expect_download() as info:
        page.click("#log-download")
    download = info.value
    assert download.suggested_filename == rel.rsplit("/", 1)[1]
    assert Path(download.path()).read_text(encoding="utf-8") == text
    _add(target, rel, text)
    _validate(target)
    assert rec.console_errors == [], rec.console_errors


def test_briefs_and_call_plans_open_the_form_with_their_choices(new_page, server):
    page, rec = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(f"{server}/physicians/nina-vargas/index.html")
    page.click("a.log-visit")
    page.wait_for_selector("html[data-log-ready]")
    assert page.text_content("#log-practice-name").startswith("Hendersonville Women")
    assert page.is_checked('#log-physicians input[value="nina-vargas"]')
    assert not page.is_checked('#log-physicians input[value="james-whitley"]')
    page.goto(f"{server}/practices/french-broad-podiatry/index.html")
    page.click("a.log-visit")
    page.wait_for_selector("html[data-log-ready]")
    assert page.text_content("#log-practice-name").startswith("French Broad Podiatry")
    page.goto(f"{server}/team/lena-brooks/index.html")
    links = page.locator("h3 a.log-visit")
    assert links.count() >= 1
    links.first.click()
    page.wait_for_selector("html[data-log-ready]")
    assert page.input_value("#log-liaison") == "lena-brooks"
    assert page.locator("#log-physicians input:checked").count() >= 1
    assert rec.console_errors == [], rec.console_errors


def test_a_links_choices_the_form_cannot_take_are_said(new_page, server):
    # a physician of another practice than the link's, a type the site does not have: neither
    # taken, and the page says so (they were left out without a word)
    page, rec = _open(new_page, server, "phone",
                      "?practice=french-broad-podiatry&physician=alan-cho&physician=nina-vargas"
                      "&type=brunch&physician=no-such-doc")
    assert page.text_content("#log-practice-name").startswith("French Broad Podiatry")
    assert page.eval_on_selector_all("#log-physicians input:checked",
                                     "els => els.map(e => e.value)") == ["alan-cho"]
    assert page.eval_on_selector("input[name=type]:checked", "e => e.value") == "visit"
    note = page.text_content("#log-draft-note")
    assert page.is_visible("#log-draft-note")
    assert "physician no-such-doc" in note and "type brunch" in note, note
    assert "Nina Vargas (of Hendersonville Women's Health)" in note, note
    # two physicians of different practices and no practice: the first one's practice is taken
    page.evaluate("localStorage.clear()")
    page.goto(page.url.split("?")[0] + "?physician=nina-vargas&physician=alan-cho&type=lunch")
    page.wait_for_selector("html[data-log-ready]")
    assert page.text_content("#log-practice-name").startswith("Hendersonville Women")
    assert page.eval_on_selector("input[name=type]:checked", "e => e.value") == "lunch"
    assert "Alan Cho (of French Broad Podiatry)" in page.text_content("#log-draft-note")
    assert rec.console_errors == [], rec.console_errors


def test_the_form_works_opened_from_disk(new_page, site):
    page, rec = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto((site / "log" / "index.html").as_uri() + "?practice=french-broad-podiatry")
    page.wait_for_selector("html[data-log-ready]")
    assert page.text_content("#log-practice-name").startswith("French Broad Podiatry")
    page.select_option("#log-liaison", "lena-brooks")
    page.fill("#log-summary", "From disk")
    assert "summary: From disk" in _yaml_of(page)
    assert [u for u in rec.requests if not u.startswith("file:")] == []
    assert rec.console_errors == [], rec.console_errors


def test_the_form_refuses_what_validate_refuses_and_nothing_more(new_page, server):
    # SPEC §6: what the form makes passes `validate`. The form reads the guard's own patterns
    # (log/data.js): every note of the guard's corpus is refused at the field exactly when
    # the guard finds a patient identifier in it (the near forms are warnings: not refused).
    import runpy

    from liaison import guard

    corpus = runpy.run_path(str(FIXTURES.parent / "fixtures" / "guard-corpus.py"))
    texts = [t for t, _k in corpus["POSITIVES"]] + list(corpus["NEGATIVES"]) + \
        [t for t, _k in corpus["NEAR"]]
    texts = [t for t in texts if "\n" not in t and "\r" not in t]  # a summary is one line
    assert len(texts) > 100
    page, rec = _open(new_page, server, "desktop")
    page.click("#log-copy")  # problems are said once a hand-over was tried
    wrong = []
    for text in texts:
        page.fill("#log-summary", text)
        said = page.text_content("#log-summary-err")
        kinds = guard.patient_info(text)
        if bool(kinds) != ("looks like" in said) or (kinds and kinds[0] not in said):
            wrong.append((text, kinds, said))
    assert wrong == [], wrong
    assert rec.console_errors == [], rec.console_errors


def test_the_date_pickers_last_day_moves_on_past_midnight(new_page, server):
    """The picker's last day was set when the page loaded: a form opened at 23:50 and used
    at 00:10 would not let the liaison pick the day it was (validate's own rule, "after
    today", reads the clock when it checks)."""
    page, _rec = new_page(viewport=SIZES["phone"], is_mobile=True, has_touch=True,
                          timezone_id="UTC")
    page.clock.install(time=dt.datetime(2026, 12, 5, 23, 50, tzinfo=dt.timezone.utc))
    page.goto(f"{server}/log/index.html")
    page.wait_for_selector("html[data-log-ready]")
    assert page.get_attribute("#log-date", "max") == "2026-12-05"
    page.clock.fast_forward("20:00")  # twenty minutes
    page.focus("#log-date")
    assert page.get_attribute("#log-date", "max") == "2026-12-06"


def test_the_notes_refuse_what_validate_refuses_line_breaks_and_markdown_too(new_page, server):
    # The notes are Markdown over many lines: an identifier wrapped after a dash, or written
    # with a character reference, or a table of patients, is refused as validate refuses it; a staff birthday, a step
    # of a front-desk routine and a Markdown ampersand pass, as in validate.
    from liaison import guard

    texts = ["The fax showed SSN 123-45-\n6789 on the back", "Read out 1EG4-TE5-\nMK73",
             "fax had 123&#45;45&#45;6789 on it", "the slip read 123\\-45\\-6789",
             "Line one.\n\nMRN 00451234 on the fax", "pt cell 503\u2013555\u20130199",
             "Staff birthday: Tess 3/14,\nbring cupcakes", "Verify name and DOB (step 2)",
             "Q&A with the MAs &amp; the NP", "Lunch for 14 on 12/3\n- menu without pork",
             # a table pasted in: each cell read after its heading (a spreadsheet's tabs too)
             "| Name | DOB |\n|---|---|\n| Jane Roe | 03/04/1951 |", "Patient\tAge\nJane Roe\t67",
             "| Office | Phone |\n|---|---|\n| Patient line | 503-555-0100 |",
             "| Pt handout | Owner | Due |\n|---|---|---|\n| Spanish Version | Maria Lopez | 3/15 |",
             "| Step | Ask for |\n|---|---|\n| 1 | name and DOB |\n| 2 | insurance card |"]
    page, rec = _open(new_page, server, "desktop")
    page.click("#log-copy")  # problems are said once a hand-over was tried
    said_of = {}
    for text in texts:
        page.fill("#log-notes", text)
        said_of[text] = page.text_content("#log-notes-err")
    wrong = [(t, guard.patient_info(t), said_of[t]) for t in texts
             if bool(guard.patient_info(t)) != ("look like" in said_of[t])]
    assert wrong == [], wrong
    assert sum(bool(guard.patient_info(t)) for t in texts) == 8
    assert rec.console_errors == [], rec.console_errors


def test_two_tabs_keep_their_drafts_apart(new_page, server):
    """Two tabs of the form wrote one draft: the second took the first's record, and each
    keystroke of one wrote over the other's, so a reload or a closed tab lost a visit not
    handed over. Each tab now keeps its own; a tab opened anew takes over the draft of one
    that went, and leaves alone (and says so) one that another open tab is writing."""
    first, rec = _open(new_page, server, "phone")
    first.fill("#log-summary", "Visit one at French Broad")
    second = first.context.new_page()
    second.goto(f"{server}/log/index.html?practice=hendersonville-womens-health")
    second.wait_for_selector("html[data-log-ready]")
    assert second.input_value("#log-summary") == ""  # the link's record, not the other's
    assert second.text_content("#log-practice-name").startswith("Hendersonville Women")
    assert "Another tab of this form holds a draft" in second.text_content("#log-draft-note")
    second.fill("#log-summary", "Visit two at Hendersonville")
    first.fill("#log-needs", "Same-week wound visits")  # the first goes on writing its own
    for page, summary in ((first, "Visit one at French Broad"),
                          (second, "Visit two at Hendersonville")):
        page.reload()
        page.wait_for_selector("html[data-log-ready]")
        assert page.input_value("#log-summary") == summary
    assert first.input_value("#log-needs") == "Same-week wound visits"
    # the first tab goes (it leaves the form): a tab opened anew takes its draft over
    first.goto("about:blank")
    third = first.context.new_page()
    third.goto(f"{server}/log/index.html")
    third.wait_for_selector("html[data-log-ready]")
    assert third.input_value("#log-summary") == "Visit one at French Broad"
    assert "Your draft from this device is back" in third.text_content("#log-draft-note")
    drafts = third.evaluate(
        "Object.keys(localStorage).filter(k => k.startsWith('liaison-log-draft'))")
    assert len(drafts) == 2  # the second's and the third's: none lost, none twice
    assert rec.console_errors == [], rec.console_errors


@pytest.mark.parametrize("size", SIZES)
def test_the_form_does_not_push_the_page_down_when_its_script_arrives(new_page, server, size):
    # On a slow phone the page's text shows seconds before log.js builds the form; the footer
    # was on that first screen and then jumped down (layout shift 0.13, over the 0.1 that
    # Chrome calls poor). Waiting for its script, the form keeps a screen's room.
    page, _ = new_page(viewport=SIZES[size], is_mobile=size == "phone", has_touch=size == "phone")
    page.route("**/assets/log.js", lambda route: route.abort())
    page.goto(f"{server}/log/index.html?practice=french-broad-podiatry", wait_until="load")
    footer_top = page.eval_on_selector("footer", "f => f.getBoundingClientRect().top")
    assert footer_top >= SIZES[size]["height"], footer_top


def test_what_is_tapped_on_a_phone_is_a_finger_high(new_page, server):
    # The type chips, the physicians' and staff's check rows and Change were 40 px high, the
    # check rows 2 px apart: under the 44 px a phone's guidelines ask of a tap target.
    page, _ = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(f"{server}/log/index.html?practice=french-broad-podiatry")
    page.wait_for_selector("html[data-log-ready]")
    targets = page.eval_on_selector_all(
        ".log-chips label, .log-form .log-check, #log-practice-change, #log-add-fu",
        "es => es.filter(e => e.offsetParent).map(e => [e.textContent.trim(), e.getBoundingClientRect().height])")
    assert len(targets) >= 10, targets
    assert [t for t in targets if t[1] < 44] == []


def test_a_large_practices_physicians_are_found_by_name(new_page, tmp_path):
    # A group of 250 physicians listed 250 check boxes under Physicians met: on a phone the
    # summary and the rest of the form began 12,000 px further down, and a physician was found
    # by scrolling. Past twelve physicians a box finds them by name; the ones ticked stay.
    root = _example_with_repository(tmp_path / "root")
    _add(root, "data/practices/oak-hollow-group.yaml", "name: Oak Hollow Group\ncity: Asheville\n")
    for i in range(20):
        _add(root, f"data/physicians/oak-hollow-{i:02}.yaml",
             f"name: Pat Oak{chr(65 + i)}\nspecialty: Family Medicine\npractice: oak-hollow-group\n")
    _add(root, "data/physicians/dana-quillfeather.yaml",
         "name: Dana Quillfeather\ncredentials: DO\nspecialty: Podiatry\npractice: oak-hollow-group\n")
    out = _build(root, tmp_path / "site")
    page, rec = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto((out / "log" / "index.html").as_uri()
              + "?practice=oak-hollow-group&physician=oak-hollow-03")
    page.wait_for_selector("html[data-log-ready]")
    shown = lambda: page.eval_on_selector_all(  # noqa: E731
        "#log-physicians label.log-check", "ls => ls.filter(l => !l.hidden).map(l => l.textContent.trim())")
    assert page.is_visible("#log-physicians-find") and len(shown()) == 21
    page.fill("#log-physicians-find", "quill do")
    assert sorted(shown()) == ["Dana Quillfeather, DO", "Pat OakD"], shown()
    page.check('#log-physicians input[value="dana-quillfeather"]')
    page.fill("#log-physicians-find", "")
    assert len(shown()) == 21
    assert "physicians: [" in _yaml_of(page)
    listed = re.search(r"physicians: \[(.*)\]", _yaml_of(page)).group(1).split(", ")
    assert sorted(listed) == ["dana-quillfeather", "oak-hollow-03"], listed
    assert rec.console_errors == [], rec.console_errors
    # a practice of a few has no such box (a page of its own: the draft above is kept)
    page, rec = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto((out / "log" / "index.html").as_uri() + "?practice=french-broad-podiatry")
    page.wait_for_selector("html[data-log-ready]")
    assert page.text_content("#log-practice-name").startswith("French Broad Podiatry")
    assert page.is_visible("#log-physicians") and not page.is_visible("#log-physicians-find")


def test_a_large_practices_office_staff_are_found_by_name_or_role(new_page, tmp_path):
    # The group's 48 office staff were 48 check boxes under Office staff met (about 2,100 px on
    # a phone); past twelve a box finds them by name or role, as it does the physicians.
    root = _example_with_repository(tmp_path / "root")
    _add(root, "data/practices/oak-hollow-group.yaml", "name: Oak Hollow Group\ncity: Asheville\nstaff:\n" + "".join(
        f"  - name: Sam Staffer{chr(65 + i)}\n    role: scheduler, site {i}\n" for i in range(13))
        + "  - name: Rae Quillon\n    role: referral coordinator\n")
    _add(root, "data/physicians/oak-hollow-00.yaml",
         "name: Pat OakA\nspecialty: Family Medicine\npractice: oak-hollow-group\n")
    out = _build(root, tmp_path / "site")
    page, rec = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto((out / "log" / "index.html").as_uri() + "?practice=oak-hollow-group")
    page.wait_for_selector("html[data-log-ready]")
    shown = lambda: page.eval_on_selector_all(  # noqa: E731
        "#log-staff label.log-check", "ls => ls.filter(l => !l.hidden).map(l => l.textContent.trim())")
    assert page.is_visible("#log-staff-find") and len(shown()) == 14
    assert not page.is_visible("#log-physicians-find")  # one physician: no box
    page.fill("#log-staff-find", "coordinator")
    assert shown() == ["Rae Quillon (referral coordinator)"], shown()
    page.check('#log-staff input[value="Rae Quillon (referral coordinator)"]')
    page.fill("#log-staff-find", "site 3")
    assert sorted(shown()) == ["Rae Quillon (referral coordinator)", "Sam StafferD (scheduler, site 3)"], shown()
    assert "Rae Quillon (referral coordinator)" in _yaml_of(page)
    assert rec.console_errors == [], rec.console_errors


def test_the_fields_a_record_needs_are_said_before_it_is_handed_over(new_page, server):
    """Which fields a record needs was learnt only by trying to hand it over: nothing on the
    form or to a screen reader said that Logged by, Date, Practice and Summary may not stay
    empty (WCAG 3.3.2). The fields that an empty form is refused for are required to a
    screen reader (the type's group too), the others are not, and a line above them names
    them."""
    page, rec = _open(new_page, server, "desktop")
    page.fill("#log-date", "")
    cdp = page.context.new_cdp_session(page)

    def required(selector: str) -> bool:
        node = cdp.send("DOM.describeNode", {"objectId": cdp.send("Runtime.evaluate", {
            "expression": f"document.querySelector('{selector}')"})["result"]["objectId"]})["node"]
        ax = cdp.send("Accessibility.getPartialAXTree", {"backendNodeId": node["backendNodeId"],
                                                         "fetchRelatives": False})["nodes"][0]
        props = {p["name"]: p["value"].get("value") for p in ax.get("properties", [])}
        if "required" not in props:  # Chromium lists none for a <select> or a date field
            return page.get_attribute(selector, "aria-required") == "true"
        return bool(props["required"])

    controls = page.evaluate("""() => [...document.querySelectorAll('#log-form [data-field]')]
        .filter(f => !f.hidden)
        .map(f => { const c = f.querySelector('input:not([type=checkbox]):not([type=radio]):not([hidden]), select, textarea');
                    return c && {field: f.getAttribute('data-field'), id: c.id}; })
        .filter(Boolean)""")
    page.click("#log-copy")  # an attempt to hand the empty record over
    refused = set(page.evaluate(
        "() => [...document.querySelectorAll('#log-form .field.invalid')].map(f => f.getAttribute('data-field'))"))
    assert {"liaison", "date", "practice", "summary"} <= refused, refused
    for c in controls:
        assert required(f"#{c['id']}") == (c["field"] in refused), c
    assert required('#log-form [data-field="type"]'), "the type's group"
    assert not required("#log-notes")
    needed = page.text_content("#log-needed")
    for field in sorted(refused | {"type"}):
        label = page.evaluate(f"""() => {{ const f = document.querySelector('#log-form [data-field="{field}"]');
            return (f.querySelector('label, legend').firstChild.textContent || '').trim(); }}""")
        assert label in needed, (label, needed)
    assert rec.console_errors == [], rec.console_errors


UNLOADED = "#log-unloaded"


@pytest.mark.parametrize("blocked", ["**/log/data.js", "**/assets/log.js"])
def test_a_form_whose_script_or_data_did_not_load_says_what_to_do(browser, server, blocked):
    """JavaScript on, but log.js or log/data.js blocked (a proxy, the intranet server's policy,
    a dropped connection): the page was a screen of empty room under its heading, saying
    nothing. Now a note says so and what to do instead, at once when log.js runs without its
    data, after a wait (a CSS animation: a script that never came cannot say it) otherwise."""
    ctx = browser.new_context(viewport=PHONE)
    ctx.route(blocked, lambda route: route.abort())
    try:
        page = ctx.new_page()
        page.goto(f"{server}/log/index.html")
        page.wait_for_load_state("load")
        note = page.locator(UNLOADED)
        if blocked.endswith("log.js"):
            assert not note.is_visible(), "no alarm while the script may still be on its way"
            page.evaluate("() => document.getAnimations().forEach(a => a.finish())")
        assert note.is_visible()
        assert "liaison new interaction" in note.inner_text()
        assert page.locator("#log-form").is_hidden()
    finally:
        ctx.close()


def test_the_form_that_loaded_never_shows_the_note_and_without_javascript_neither(
        browser, new_page, server):
    page, rec = _open(new_page, server, "phone")
    page.evaluate("() => document.getAnimations().forEach(a => a.finish())")
    assert page.locator(UNLOADED).count() == 1 and not page.locator(UNLOADED).is_visible()
    ctx = browser.new_context(viewport=PHONE, java_script_enabled=False)
    try:
        off = ctx.new_page()
        off.goto(f"{server}/log/index.html")
        assert not off.locator(UNLOADED).is_visible()
        assert "This form needs JavaScript" in off.locator("main").inner_text()
    finally:
        ctx.close()
