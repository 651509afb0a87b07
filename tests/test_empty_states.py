"""A new team's first week: sites with one practice and one physician and little else (no
interaction, no referral, no training record), built whole, and what each page says where it
has nothing to show: a sentence saying why and what to add, never a table of headers alone."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import cli, one_physician_site
from htmltree import Node, parse

AS_OF = "2026-12-05"


def _build(root: Path, out: Path, as_of: str = AS_OF) -> Path:
    code, _out, err = cli("build", "--root", str(root), "--out", str(out), "--as-of", as_of)
    assert code == 0, err
    return out


def _referrals(root: Path, rows: str) -> Path:
    """Writes ``rows`` (YAML list items) as the site's one referral file, data/referrals/2026.yaml:
    its path."""
    (root / "data/referrals").mkdir()
    path = root / "data/referrals/2026.yaml"
    path.write_text(rows, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def nothing_logged(tmp_path_factory) -> Path:
    """One practice, one physician, one liaison: no interaction, no referral."""
    base = tmp_path_factory.mktemp("empty")
    root = one_physician_site(base / "root", "")
    (root / "data/interactions/first.yaml").unlink()
    return _build(root, base / "site")


def _section(page: Node, heading_id: str):
    return next(s for s in page.all("section") if s.attrs.get("aria-labelledby") == heading_id)


def test_the_activity_log_of_a_new_site_says_what_to_add_and_shows_no_empty_table(nothing_logged):
    page = parse(nothing_logged / "activity" / "index.html")
    latest = _section(page, "latest-h").text()
    assert "Nothing logged yet" in latest and "data/interactions/" in latest
    months = _section(page, "months-h")
    assert not months.all("table"), "a table of headers and no row"
    assert "No month yet" in months.text()


def _kpi(page: Node, label: str) -> Node:
    return next(k for k in page.all("div", "kpi")
                if k.all("div", "label")[0].text() == label)


def test_the_referral_statistics_of_a_new_site_give_no_return_on_visit_of_zero(nothing_logged):
    """No visit is 90 days old: the return on visit is not 0 referrals after 0 visits (a
    result), it is not known yet, as the liaison's own card says; and no table of liaisons
    with zeros in every column stands above the sentence saying so."""
    page = parse(nothing_logged / "referrals" / "index.html")
    card = _kpi(page, "Return on visit")
    assert card.all("div", "value")[0].text() == "\u2014"
    assert "no in-person visit 90 to 454 days old yet" in card.text()
    member = parse(nothing_logged / "team" / "lou" / "index.html")
    assert _kpi(member, "Return on visit").text() == card.text()
    assert page.by_id("rov-liaisons") is None
    assert "No in-person visit is 90 days old yet" in page.by_id("return-on-visit").text()


@pytest.fixture(scope="module")
def no_team(tmp_path_factory) -> Path:
    """One practice and its physician, and no team member yet (the practice names none)."""
    base = tmp_path_factory.mktemp("noteam")
    root = one_physician_site(base / "root", "")
    (root / "data/interactions/first.yaml").unlink()
    (root / "data/team/lou.yaml").unlink()
    return _build(root, base / "site")


def test_the_team_page_without_a_member_says_where_members_are_written(no_team):
    page = parse(no_team / "team" / "index.html")
    text = page.text()
    assert not page.all("table"), "a table of headers and no row"
    assert "0 of 0" not in text  # a filter with nothing to filter
    assert "data/team/" in text and "liaison new member" in text


def test_the_training_page_without_guide_or_member_says_what_the_matrix_needs(no_team, nothing_logged):
    page = parse(no_team / "training" / "index.html")
    matrix = page.by_id("matrix").text()
    assert "content/training/" in matrix and "data/team/" in matrix
    assert "liaison new guide" in page.text()
    # a team member but no guide yet: the matrix waits for a guide only
    matrix = parse(nothing_logged / "training" / "index.html").by_id("matrix").text()
    assert "content/training/" in matrix and "data/team/" not in matrix


def test_a_member_without_training_is_told_where_trainings_are_written(nothing_logged):
    """A new hire's page said "No training recorded." and nothing of how one is recorded."""
    member = next((nothing_logged / "team").glob("*/index.html"))
    section = next(s for s in parse(member).all("section") if s.all("h2")[0].text() == "Trainings")
    text = section.text()
    assert "No training recorded" in text and "trainings:" in text and "data/team/" in text, text


def test_a_liaison_with_no_office_is_told_how_to_get_a_call_plan(tmp_path):
    """A liaison who joined this week: no practice names them yet."""
    root = one_physician_site(tmp_path / "root", "")
    (root / "data/interactions/first.yaml").unlink()
    (root / "data/team/kit-new.yaml").write_text("name: Kit New\nrole: liaison\n", encoding="utf-8")
    site = _build(root, tmp_path / "site")
    plan = parse(site / "team" / "kit-new" / "index.html").text()
    assert "No physician is assigned to this liaison" in plan
    assert "liaison: kit-new" in plan and "data/practices/" in plan


def test_a_year_without_referrals_says_when_the_last_came_not_to_start_recording(tmp_path):
    """The referrals stopped being recorded two years ago: the empty charts told the team to
    start recording referrals in data/referrals/, which already holds them."""
    root = one_physician_site(tmp_path / "root", "")
    (root / "data/interactions/first.yaml").unlink()
    _referrals(root, "- {date: 2026-11-06, source: physician, physician: ida-lone, "
                     "service: ablation}\n- {date: 2026-11-20, source: web, service: ablation}\n")
    out = _build(root, tmp_path / "site", "2029-03-01")
    for page, said in (("index.html", "No physician referral in these 24 months"),
                       ("referrals/index.html", "No referral in these 24 months")):
        empty = next(p.text() for p in parse(out / page).all("p", "empty") if said in p.text())
        assert "the last was in November 2026" in empty, page
        assert "data/referrals/" not in empty, page
    # a new site still hears where referrals are written
    _build(root, out, "2026-11-01")
    empty = [p.text() for p in parse(out / "index.html").all("p", "empty")]
    assert any("data/referrals/" in t for t in empty), empty


def test_the_follow_ups_page_with_none_open_says_what_a_follow_up_is(nothing_logged):
    """Four sections each reading "None." told a new team nothing of where follow-ups come from."""
    page = parse(nothing_logged / "follow-ups" / "index.html")
    empty = [p.text() for p in page.all("p", "empty")]
    assert len(empty) == 1, empty
    assert "follow_ups:" in empty[0] and "data/interactions/" in empty[0]


@pytest.fixture(scope="module")
def no_records(tmp_path_factory) -> Path:
    """A site.yaml and nothing else: the day after `liaison init`, the examples deleted."""
    base = tmp_path_factory.mktemp("norecords")
    root = one_physician_site(base / "root", "")
    for sub in ("interactions", "physicians", "practices", "team"):
        for f in (root / "data" / sub).iterdir():
            f.unlink()
    return _build(root, base / "site")


@pytest.mark.parametrize("page, table, where", [
    ("physicians/index.html", "physician-table", "data/physicians/"),
    ("practices/index.html", "practice-table", "data/practices/"),
])
def test_the_directories_of_a_site_without_records_say_where_records_go(no_records, page, table, where):
    html = parse(no_records / page)
    assert html.by_id(table) is None, "a table of headers and no row"
    assert "0 of 0" not in html.text()
    assert where in " ".join(p.text() for p in html.all("p", "empty"))


def test_the_prospects_of_a_site_without_physicians_do_not_say_all_have_referred(no_records):
    text = parse(no_records / "prospects" / "index.html").text()
    assert "Every physician on record has referred to us" not in text
    assert "No physician on file yet" in text and "data/physicians/" in text


def test_the_presentations_page_without_a_deck_says_where_decks_are_written(no_records):
    empty = [p.text() for p in parse(no_records / "presentations" / "index.html").all("p", "empty")]
    assert any("content/presentations/" in t and "liaison new deck" in t for t in empty), empty


def test_a_practice_without_physicians_says_how_to_add_them(tmp_path):
    root = one_physician_site(tmp_path / "root", "")
    (root / "data/interactions/first.yaml").unlink()
    (root / "data/practices/alder-row.yaml").write_text("name: Alder Row Clinic\n", encoding="utf-8")
    site = _build(root, tmp_path / "site")
    empty = [p.text() for p in parse(site / "practices" / "alder-row" / "index.html").all("p", "empty")]
    assert any("liaison new physician" in t and "--practice alder-row" in t for t in empty), empty


def test_the_referral_statistics_draw_no_chart_of_zeros(nothing_logged):
    """With no referral in the last 365 days, the declined reasons, the sources and the
    service lines were bar charts of six, seven and one rows of 0: a sentence says so."""
    page = parse(nothing_logged / "referrals" / "index.html")
    for section, said in (("declined", "No referral declined in the last 365 days"),
                          ("sources", "No other new patient in the last 365 days"),
                          ("services", "No new patient in the last 365 days")):
        card = page.by_id(section)
        assert not card.all("svg"), section
        assert said in card.text(), section


def test_the_referral_funnels_of_a_site_without_referrals_are_sentences(nothing_logged):
    funnel = parse(nothing_logged / "referrals" / "index.html").by_id("funnel")
    assert not funnel.all("svg"), "two funnels of 0 · –"
    assert "No referral in the last 365 days." in funnel.text()
    assert "Treated: \u2014 (0 of 0)" not in funnel.text()


def test_a_year_without_records_does_not_say_they_are_not_old_enough_yet(tmp_path):
    """Records two years old are past the 90 to 454 days of the matured figures, not short of
    them: "No referral is 90 days old yet" and "no in-person visit … yet" were untrue there."""
    root = one_physician_site(tmp_path / "root", "date: 2026-11-20\nliaison: lou\ntype: visit\n"
                              "practice: solo\nsummary: First visit.\n")
    _referrals(root, "- {date: 2026-11-06, source: physician, physician: ida-lone, "
                     "service: ablation}\n")
    for as_of, yet in (("2029-03-01", False), ("2026-12-05", True)):
        out = _build(root, tmp_path / as_of, as_of)
        page = parse(out / "referrals" / "index.html")
        funnel, rov = page.by_id("funnel").text(), page.by_id("return-on-visit").text()
        card = _kpi(page, "Return on visit").text()
        member = _kpi(parse(out / "team" / "lou" / "index.html"), "Return on visit").text()
        assert ("No referral is 90 days old yet." in funnel) == yet, funnel
        assert ("No in-person visit is 90 days old yet." in rov) == yet, rov
        for text in (card, member):
            assert "no in-person visit 90 to 454 days old" in text
            assert text.endswith(" yet") == yet, text
        if not yet:
            assert "No referral was made 90 to 454 days ago." in funnel
            assert "No in-person visit was made 90 to 454 days ago." in rov


def test_a_liaison_says_yet_only_on_a_young_site_even_in_an_incremental_build(tmp_path):
    """Lou Park logged nothing; a physician of another practice referred in June 2026. Built
    in March 2028, the site's records are past the 90 to 454 days: Lou's return on visit says
    no visit that old, not "… yet". That referral deleted, the site is young again; the next
    build into the same folder, which keeps the pages whose key did not change, must not keep
    his page's old words (nothing of his changed: the key holds the site's age)."""
    root = one_physician_site(tmp_path / "root", "")
    (root / "data/interactions/first.yaml").unlink()
    (root / "data/practices/far.yaml").write_text("name: Far Clinic\n", encoding="utf-8")
    (root / "data/physicians/bo-far.yaml").write_text(
        "name: Bo Far\nspecialty: Cardiology\npractice: far\n", encoding="utf-8")
    old = _referrals(root, "- {date: 2026-06-01, source: physician, physician: bo-far, "
                           "service: ablation}\n")
    out = tmp_path / "site"
    page = out / "team" / "lou" / "index.html"
    _build(root, out, "2028-03-01")
    assert _kpi(parse(page), "Return on visit").text().endswith("days old")
    old.unlink()
    _build(root, out, "2028-03-01")
    assert _kpi(parse(page), "Return on visit").text().endswith("days old yet")


def test_a_brief_whose_records_are_past_the_window_does_not_say_yet(tmp_path):
    """Ida Lone was visited and referred in November 2026; her brief of March 2028 said "No
    in-person visit is 90 to 454 days old yet" and "No referral is 90 to 454 days old yet", as
    if they were to come; they are past. A brief of December 2026 still says "yet"."""
    root = one_physician_site(tmp_path / "root", "date: 2026-11-20\nliaison: lou\ntype: visit\n"
                              "practice: solo\nphysicians: [ida-lone]\nsummary: First visit.\n")
    _referrals(root, "- {date: 2026-11-06, source: physician, physician: ida-lone, "
                     "service: ablation}\n")
    for as_of, yet in (("2028-03-01", False), ("2026-12-05", True)):
        out = _build(root, tmp_path / as_of, as_of)
        for page in ("physicians/ida-lone/index.html", "practices/solo/index.html"):
            text = parse(out / page).text()
            assert ("No in-person visit is 90 to 454 days old yet" in text) == yet, (page, text)
            assert ("No referral is 90 to 454 days old yet" in text) == yet, (page, text)
            if not yet:
                assert "No in-person visit is 90 to 454 days old: the last is older" in text
                assert "No referral was made 90 to 454 days ago." in text


def test_an_empty_monthly_chart_says_nothing_of_a_lighter_bar(nothing_logged):
    """"December 2026 is not over yet …: its lighter bar is not a drop." stood under a chart
    without any bar."""
    card = parse(nothing_logged / "referrals" / "index.html").by_id("per-month").text()
    assert "No referral in this month" in card
    assert "lighter bar" not in card


def test_the_search_page_of_a_site_without_records_says_there_is_nothing_to_search(no_records):
    """Every query got "No result for “…”. Check the spelling, or use fewer words." and the
    help's examples ("kapor" finds Kapoor) found no one: the site holds nothing to find."""
    page = parse(no_records / "search" / "index.html")
    assert page.by_id("search-q") is None
    assert "Nothing to search yet" in page.text()
    assert "kapor" not in page.text()
