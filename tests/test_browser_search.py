"""Browser tests of the site-wide search (search/ and the box in every page's header, SPEC §6)
in Debian's Chromium driven by Playwright, on the repository's sample site: the fixtures of
tests/test_browser.py (the site built once per module and served on 127.0.0.1; skipped with
a reason when Chromium or Playwright is missing, failed instead under CI).

Each test runs on a phone (390x844) and a desktop (1366x900). Screenshots for a person to
look at go to $LIAISON_SHOTS_DIR (default /tmp/liaison-shots/).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import FIXTURES, REPO, _make_writable

from test_browser import (  # noqa: F401 - fixtures are used by name
    PHONE, _shot, browser, new_page, server, site,
)

WIDE = {"width": 1366, "height": 900}
SCREENS = {"phone": PHONE, "desktop": WIDE}


@pytest.fixture(params=sorted(SCREENS))
def screen(request, new_page):
    """(page, recorder, name) on a phone and on a desktop."""
    name = request.param
    if name == "phone":
        page, rec = new_page(viewport=PHONE, is_mobile=True, has_touch=True,
                             device_scale_factor=2)
    else:
        page, rec = new_page(viewport=WIDE)
    return page, rec, name


def _results(page) -> list[dict]:
    """The listed results, in order: kind label, name, link (as written) and context."""
    return page.eval_on_selector_all(
        "#search-results li",
        """items => items.map(li => ({
             kind: li.querySelector('.search-kind').textContent,
             name: li.querySelector('.search-name').textContent,
             href: li.querySelector('a').getAttribute('href'),
             context: (li.querySelector('.search-context') || {}).textContent || ''}))""")


def _search(page, query: str) -> list[dict]:
    """Type ``query`` into the search page's box (after clearing it); the results."""
    box = page.locator("#search-q")
    box.fill("")
    box.type(query)
    return _results(page)


def _open_search(page, origin: str, query: str = "") -> None:
    page.goto(f"{origin}/search/index.html" + (f"?q={query}" if query else ""))
    page.wait_for_selector("html[data-search-ready]", state="attached")


def _status_line(page) -> str:
    """What the search page's status line shows, its generated text included."""
    return page.evaluate("""() => {
        const el = document.getElementById('search-status');
        const before = getComputedStyle(el, '::before').content;
        return (before && before !== 'none' ? JSON.parse(before) : '') + el.textContent; }""")


def _clean(rec) -> None:
    assert rec.console_errors == [], "console errors (a CSP violation is one):\n" + \
        "\n".join(rec.console_errors)
    assert rec.failed == [] and rec.bad_status == [], rec.failed + rec.bad_status


# ---------------------------------------------------------------------------------------------


def test_header_box_of_any_page_leads_to_results(screen, server):
    page, rec, name = screen
    page.goto(f"{server}/physicians/index.html")
    box = page.locator("header .topsearch input[name=q]")
    assert box.is_visible()
    # the box leaves the navigation on screen: nothing wider than the window
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    bbox, nav = box.bounding_box(), page.locator("header nav").bounding_box()
    assert bbox["x"] >= 0 and bbox["x"] + bbox["width"] <= width
    assert nav["x"] >= 0 and nav["y"] + nav["height"] <= 200, "the navigation stays at the top"
    assert page.locator("header nav a", has_text="Physicians").is_visible()
    _shot(page, f"search-header-{name}.png")

    # a typo, the words the other way round and a title
    box.fill("montgomry adaeze, dr.")
    box.press("Enter")
    page.wait_for_selector("html[data-search-ready]", state="attached")
    assert "/search/index.html?q=" in page.url
    assert page.locator("#search-q").input_value() == "montgomry adaeze, dr."
    results = _results(page)
    assert results[0]["name"] == "Adaeze Montgomery"
    assert results[0]["kind"] == "Physician"
    assert results[0]["href"] == "../physicians/adaeze-montgomery/index.html"
    assert "Family Medicine" in results[0]["context"] and "Millbrook" in results[0]["context"]
    _shot(page, f"search-results-{name}.png")
    page.locator("#search-results a").first.click()
    page.wait_for_url("**/physicians/adaeze-montgomery/index.html")
    assert "Adaeze Montgomery" in page.locator("h1").inner_text()
    _clean(rec)


def test_no_text_field_is_under_16_px_on_a_phone(new_page, server):
    # under 16 px, a phone's browser (iOS Safari) zooms the page in when the field is focused
    # and leaves it so: the header's box was 14.9 px, a directory's filter 14 px
    page, rec = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    small = {}
    for path in ("physicians/index.html", "search/index.html", "log/index.html",
                 "practices/index.html", "physicians/tobias-wren/index.html"):
        page.goto(f"{server}/{path}")
        small[path] = page.eval_on_selector_all(
            "input:not([type=checkbox]):not([type=radio]), select, textarea",
            """els => els.filter(e => e.getClientRects().length)
                        .map(e => [e.id || e.name || e.className, getComputedStyle(e).fontSize])
                        .filter(f => parseFloat(f[1]) < 16)""")
    assert small == {path: [] for path in small}
    _clean(rec)


def test_titles_word_order_and_typos_do_not_matter(screen, server):
    page, rec, _name = screen
    _open_search(page, server)
    for query in ("Adaeze Montgomery", "montgomery adaeze", "Dr. Montgomery, Adaeze MD",
                  "adaeze montgomery do", "Montgomory", "adeaze"):
        assert _search(page, query)[0]["name"] == "Adaeze Montgomery", query
    assert _search(page, "kettleborogh")[0]["name"] == "Josephine Kettleborough"
    assert _search(page, "Noor Haddad Finch PA-C")[0]["name"] == "Noor Haddad-Finch"
    assert _search(page, "o'dette lindahl")[0]["name"] == "Odette Lindahl", "apostrophes"
    # a query of titles alone looks for them: names starting with "dr"
    assert [r["name"] for r in _search(page, "Dr.")] == ["Wilhelmina Drury"]
    _clean(rec)


def test_exact_names_rank_first(screen, server):
    page, rec, _name = screen
    _open_search(page, server)
    # "annika" is a whole word of Annika Vos's name, one letter off Anika Lindgren-Obi's
    results = _search(page, "annika")
    assert [r["name"] for r in results[:2]] == ["Annika Vos", "Anika Lindgren-Obi"]
    assert results[0]["kind"] == "Office staff"
    # the practice named so first, then the physicians and staff who work there
    results = _search(page, "alder falls family medicine")
    assert (results[0]["kind"], results[0]["name"]) == ("Practice", "Alder Falls Family Medicine")
    assert {r["kind"] for r in results[1:]} >= {"Physician", "Office staff"}
    # a whole name beats a longer name that holds it
    results = _search(page, "devon marsh")
    assert (results[0]["kind"], results[0]["name"]) == ("Office staff", "Devon Marsh")
    assert results[0]["href"] == "../practices/alder-falls-family-medicine/index.html", \
        "staff lead to their practice's brief"
    _clean(rec)


def test_a_word_begun_in_a_name_ranks_above_one_begun_in_the_info(screen, server):
    """"fal" begins a word of "Alder Falls Family Medicine" (a prefix in a name, scored three
    times one in the info) and of the city of the physicians there: the names that hold it
    come first (sorted by score, highest first, among results of the same rank)."""
    from liaison.search import words

    page, rec, _name = screen
    _open_search(page, server)
    results = _search(page, "fal")
    in_name = [any(w.startswith("fal") for w in words(r["name"])) for r in results]
    assert True in in_name and False in in_name, results
    assert in_name == sorted(in_name, reverse=True), [r["name"] for r in results]
    _clean(rec)


def test_city_and_tier_in_any_order(screen, server):
    page, rec, _name = screen
    _open_search(page, server)
    tier_a = {"Corinne Matsuda-Heller", "Felix Oyelaran", "Harriet Quenneville", "Tobias Wren"}
    for query in ("alder falls tier a", "Tier A Alder Falls", "falls alder tier A"):
        results = _search(page, query)
        assert {r["name"] for r in results} == tier_a, query
        # of equal score, listed as the directory lists them: by last name
        assert [r["name"] for r in results] == ["Corinne Matsuda-Heller", "Felix Oyelaran",
                                                "Harriet Quenneville", "Tobias Wren"], query
        assert all(r["kind"] == "Physician" and "tier A" in r["context"] for r in results)
    # "tier" alone (as typed, before its letter): every tier of the city
    names = {r["name"] for r in _search(page, "alder falls tier")}
    assert tier_a < names and "Talia Vukovic" not in names, "Talia Vukovic has no tier"
    _search(page, "alder falls tier a")
    assert page.locator("#search-status").inner_text() == "4 results: 4 physicians."
    _clean(rec)


def test_an_npi_or_its_start_finds_the_physician_and_no_typo_of_it_does(screen, server):
    # a liaison with a referral's NPI in hand: it found nobody ("No result")
    page, rec, _name = screen
    _open_search(page, server)
    for query in ("1770914533", "177091", "quenneville 1770914533"):
        assert [r["name"] for r in _search(page, query)] == ["Harriet Quenneville"], query
    # one digit off is another physician's NPI, never a typo of this one; a ZIP code likewise
    assert _search(page, "1770914534") == []
    assert "No result" in page.locator("#search-status").inner_text()
    assert _search(page, "98392") == []
    assert {r["name"] for r in _search(page, "98391")} >= {"Alder Falls Family Medicine"}
    _clean(rec)


def test_a_phone_number_in_any_format_finds_the_office_or_person(screen, server):
    # a missed call from an office: no phone or fax number was searched at all
    page, rec, _name = screen
    _open_search(page, server)
    assert "phone number" in page.locator("#search-status").inner_text(), "the page says so"
    for query in ("(360) 555-0111", "360-555-0111", "360.555.0111", "3605550111",
                  "+1 360 555 0111", "1 (360) 555-0111", "(360) 555-0112"):
        assert [(r["kind"], r["name"]) for r in _search(page, query)] == \
            [("Practice", "Alder Falls Family Medicine")], query
    # a staff member's direct line, which leads to their practice's brief
    assert [(r["name"], r["href"]) for r in _search(page, "360 555 0113")] == \
        [("Devon Marsh", "../practices/alder-falls-family-medicine/index.html")]
    # its start lists every number that begins so; one digit off is someone else's number
    assert len(_search(page, "(360) 555-01")) > 10
    assert _search(page, "(360) 555-0110") == []
    assert "No result" in page.locator("#search-status").inner_text()
    _clean(rec)


def test_a_word_of_one_letter_beside_others_is_the_start_of_a_word(screen, server):
    """A name and the first letter of another ("harriet q", typed on the way to "harriet
    quenneville"): the letter is the start of a word, as in the directories' filters; it
    matched no word, so every Harriet was listed, said to hold only some of the words."""
    page, rec, _name = screen
    _open_search(page, server)
    status = page.locator("#search-status")
    for query in ("harriet q", "Quenneville H", "alder falls q"):
        assert [r["name"] for r in _search(page, query)] == ["Harriet Quenneville"], query
        assert "No result holds every word" not in status.inner_text(), query
    # on its own a letter is no name yet: nothing is listed, not even the entries holding it
    # as a word ("a" of the guides' summaries, whose three guides and a deck were listed)
    assert page.evaluate("window.liaisonSearch.index.terms.includes('a')")
    assert _search(page, "q") == [] and _search(page, "a") == []
    # and the first key of any query is no misspelling ("No result for “a”. Check the spelling")
    assert status.inner_text() == "Keep typing: a letter alone finds nothing yet."
    # nor does a letter beside words no entry holds list those holding it: "<b>1</b>" listed
    # every physician whose NPI starts with 1, said to hold some of the words
    assert _search(page, "<script>alert(1)</script>") == []
    assert [r["name"] for r in _search(page, "harriet zzyzx q")] == ["Harriet Quenneville"]
    assert "No result holds every word" in status.inner_text()
    _clean(rec)


def test_every_kind_is_found_and_labelled(screen, server):
    page, rec, name = screen
    _open_search(page, server)
    cases = [
        ("maya lindqvist", "Team member", "../team/maya-lindqvist/index.html"),
        ("phone skils", "Training guide", "../training/"),
        ("healing leg wounds", "Presentation", "../presentations/"),
        ("summit foot", "Practice", "../practices/"),
        ("rosa tillinghast", "Office staff", "../practices/alder-falls-family-medicine/index.html"),
    ]
    for query, kind, href in cases:
        first = _search(page, query)[0]
        assert first["kind"] == kind, (query, first)
        assert first["href"].startswith(href), (query, first)
    # a guide or a deck by what it is ("training" and "presentation" found nothing)
    assert {r["kind"] for r in _search(page, "training")} == {"Training guide"}
    assert {r["kind"] for r in _search(page, "guides")} == {"Training guide"}
    assert {r["kind"] for r in _search(page, "presentations")} == {"Presentation"}
    first = _search(page, "vein guide")[0]
    assert (first["kind"], first["name"]) == ("Training guide", "Vein disease primer for liaisons")
    assert "No result holds every word" not in page.locator("#search-status").inner_text()
    assert _search(page, "wound deck")[0]["name"] == "Healing leg wounds together"
    # a specialty finds its physicians; a status too
    assert {r["kind"] for r in _search(page, "cardiology")} >= {"Physician", "Practice"}
    lapsed = _search(page, "lapsed")
    assert lapsed and all("lapsed" in r["context"] for r in lapsed)
    _shot(page, f"search-kinds-{name}.png")
    _clean(rec)


def test_empty_and_fruitless_queries_say_what_to_do(screen, server):
    page, rec, _name = screen
    _open_search(page, server)
    status = page.locator("#search-status")
    assert "Type a name" in status.inner_text()
    assert page.locator("#search-results li").count() == 0
    # the examples are the site's own (the page's, kept by the script), and each finds someone
    assert status.inner_text() == status.get_attribute("data-empty")
    examples = re.findall(r"“([^”]+)”", status.inner_text())
    assert len(examples) == 3 and "kapoor" not in examples
    for example in examples:
        assert _search(page, example), example
    _search(page, "")
    assert status.inner_text() == status.get_attribute("data-empty")
    _search(page, "-- & /")
    assert "Nothing to search for" in status.inner_text()
    assert _search(page, "zzyzx") == []
    assert "No result for “zzyzx”" in status.inner_text()
    # a paragraph pasted in is not said back whole (200 words filled the phone's screen)
    page.locator("#search-q").fill("zzyzx qwxv " * 100)
    assert _results(page) == []
    assert status.inner_text() == ("No result for “zzyzx qwxv zzyzx qwxv zzyzx qwxv zzyzx qwxv "
                                   "zzyzx qwxv zzyzx…”. Check the spelling, or use fewer words.")
    page.locator("#search-q").fill("q" * 100)
    assert "No result for “" + "q" * 60 + "…”" in status.inner_text()
    # words that no entry holds together: the entries holding some, said so
    results = _search(page, "montgomery zzyzx")
    assert results and results[0]["name"] == "Adaeze Montgomery"
    assert "No result holds every word" in status.inner_text()
    _clean(rec)


@pytest.mark.parametrize("address", ["", "?q=quenneville"], ids=["bare", "with-a-query"])
def test_what_is_typed_while_the_index_loads_is_searched_once_it_has(screen, server, address):
    """On a phone's slow connection the index takes seconds (445 kB at 2,000 physicians: 2.2 s
    at 1.6 Mbit/s uncompressed); a liaison types at once. The script emptied the box when the
    index arrived (or put the address's query back over what was typed) and answered nothing."""
    page, rec, _name = screen
    held = []
    page.route("**/search/index.js", lambda route: held.append(route))
    page.goto(f"{server}/search/index.html{address}", wait_until="commit")
    box = page.locator("#search-q")
    box.fill("montgomery")
    assert held, "the index was not asked for"
    assert page.evaluate("document.documentElement.hasAttribute('data-search-ready')") is False
    # meanwhile the page says it is on its way (the status line was empty for seconds)
    assert "Loading the search index" in _status_line(page)
    held[0].continue_()
    page.wait_for_selector("html[data-search-ready]", state="attached")
    assert "Loading" not in _status_line(page)
    assert box.input_value() == "montgomery"
    assert [r["name"] for r in _results(page)][:1] == ["Adaeze Montgomery"]
    assert "q=montgomery" in page.url  # a reload shows the same results
    _clean(rec)


def test_without_javascript_the_page_says_search_needs_it_and_invites_no_typing(browser, server):
    # it said "Type a name (any order, typos forgiven)…" above "Search needs JavaScript"
    ctx = browser.new_context(viewport=PHONE, java_script_enabled=False)
    try:
        page = ctx.new_page()
        page.goto(f"{server}/search/index.html?q=quenneville")
        text = page.locator("main").inner_text()
        assert "Search needs JavaScript" in text
        assert "Type a name" not in text
        assert _status_line(page) == "", "without JavaScript nothing is loading"
        assert page.locator("main a[href$='physicians/index.html']:visible").count() == 1
        # the page's own box and button did nothing (Enter reloaded the page) under a help
        # line saying "Enter opens the first result"
        assert page.locator("main input:visible, main button:visible").count() == 0
        assert "Enter opens" not in text and "typos do not matter" not in text
        _shot(page, "search-no-javascript.png")
    finally:
        ctx.close()


def test_keyboard_tab_reaches_results_and_enter_opens_the_first(screen, server):
    page, rec, _name = screen
    _open_search(page, server, "tobias")
    assert page.evaluate("document.activeElement.id") == "search-q", "the box has the focus"
    page.keyboard.press("Tab")  # the button
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").endswith("Tobias Wren")
    # the arrow keys: down from the box through the results, up back to the box (they did
    # nothing in the box; in the results they only scrolled the page)
    names = [r["name"] for r in _search(page, "tier a")]
    assert len(names) >= 2
    page.locator("#search-q").focus()
    for name in names[:2]:
        page.keyboard.press("ArrowDown")
        assert page.evaluate("document.activeElement.textContent") == name
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.id") == "search-q"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url("**/physicians/*/index.html")
    assert names[0] in page.locator("h1").inner_text()
    page.go_back()
    page.wait_for_selector("html[data-search-ready]", state="attached")
    page.locator("#search-q").fill("")
    page.locator("#search-q").type("wren tobias")
    page.locator("#search-q").press("Enter")
    page.wait_for_url("**/physicians/tobias-wren/index.html")
    _clean(rec)


def test_search_works_from_disk(new_page, site):
    page, rec = new_page(viewport=PHONE)
    page.goto((site / "index.html").as_uri())
    box = page.locator("header .topsearch input[name=q]")
    box.fill("kettleborough")
    box.press("Enter")
    page.wait_for_selector("html[data-search-ready]", state="attached")
    assert page.url.startswith("file://") and "search/index.html?q=kettleborough" in page.url
    results = _results(page)
    assert results[0]["name"] == "Josephine Kettleborough"
    page.locator("#search-results a").first.click()
    page.wait_for_url("**/physicians/josephine-kettleborough/index.html")
    _clean(rec)


def _search_page_of_alan_cho_renamed(new_page, tmp_path, name: str):
    """The search page (from disk, on a phone) of the SPEC example with Alan Cho renamed."""
    root = tmp_path / "root"
    shutil.copytree(FIXTURES / "spec-example-v2", root)
    _make_writable(root)
    doc = root / "data" / "physicians" / "alan-cho.yml"
    doc.write_text(doc.read_text(encoding="utf-8").replace(
        "name: Alan Cho", f"name: {name}"), encoding="utf-8")
    out = tmp_path / "site"
    proc = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "build", "--root", str(root), "--out", str(out),
         "--as-of", "2026-11-26"], cwd=REPO, capture_output=True, text=True, timeout=300,
        env=dict(os.environ, LIAISON_CACHE_DIR=str(tmp_path / "cache")))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    page, rec = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto((out / "search" / "index.html").as_uri())
    page.wait_for_selector("html[data-search-ready]", state="attached")
    return page, rec


def test_a_whole_name_ranks_above_a_longer_name_that_holds_it(new_page, tmp_path):
    # "grace holloway" is the whole name of Grace Holloway and two of the three words of
    # Grace Holloway Abbott (Alan Cho renamed), who comes first in the index (by last name,
    # Abbott) and scores the same: the whole name is listed first
    page, rec = _search_page_of_alan_cho_renamed(new_page, tmp_path, "Grace Holloway Abbott")
    results = _search(page, "grace holloway")
    assert [r["name"] for r in results][:2] == ["Grace Holloway", "Grace Holloway Abbott"]
    _clean(rec)


def test_letters_that_are_not_an_accented_letter_are_found_typed_plainly(new_page, tmp_path):
    # "soren" for Søren, "lukasz" for Łukasz, "strauss" for Strauß: NFKD leaves ø, ł, ß whole,
    # so these names were found only by a typo's luck ("strauss" not at all, nor "aesa")
    page, rec = _search_page_of_alan_cho_renamed(new_page, tmp_path, "Søren Æsa Łukasz-Strauß")
    for query in ("soren aesa lukasz strauss", "strauss", "aesa", "Søren Æsa Łukasz-Strauß"):
        results = _search(page, query)
        assert [r["name"] for r in results][:1] == ["Søren Æsa Łukasz-Strauß"], query
    assert page.locator("#search-status").inner_text() == "1 result: 1 physician."
    _clean(rec)


def test_a_name_that_is_a_credential_is_found_after_dr(new_page, tmp_path):
    # "Dr. Do" (how a liaison says it) was all titles, so both words were searched: no name
    # holds "dr", and the page said "No result holds every word" above whoever held some
    page, rec = _search_page_of_alan_cho_renamed(new_page, tmp_path, "Anh Do")
    status = page.locator("#search-status")
    for query in ("do", "Dr. Do", "dr do", "Doctor Do, DO", "Dr. Anh Do"):
        assert [r["name"] for r in _search(page, query)][:1] == ["Anh Do"], query
        assert "No result holds every word" not in status.inner_text(), query
    # the title alone is still looked for: names starting with "dr"
    assert "Anh Do" not in [r["name"] for r in _search(page, "Dr.")]
    _clean(rec)


def test_the_search_page_answers_typing_fast(new_page, server):
    """Not the benchmark (bench/search.py times 10,000 physicians on a slowed CPU): the
    sample site's index is set up and answers each keystroke well within the budget."""
    page, rec = new_page(viewport=WIDE)
    _open_search(page, server)
    page.locator("#search-q").type("quenneville harriet")
    timing = page.evaluate("window.liaisonSearch")
    assert timing["query"] == "quenneville harriet"
    assert timing["loadMs"] < 100 and timing["lastMs"] < 50
    assert _results(page)[0]["name"] == "Harriet Quenneville"
    _clean(rec)


TRICKY = ["Dr. Raj Kapoor, MD", "Jane Doe PA-C", "Anne O’Brien-Smith", "José Muñoz-Peña",
          "Zoë Łukasz Żółć", "Nguyễn Văn Thành", "Иван Петров", "山田 太郎", "Ægir Þórsson",
          "Straße ﬁnance", "portland Tier A", "tier", "R&D / 24-7 care", "St. Mary's #2"]


def test_the_browser_cuts_text_into_the_same_terms_as_the_build(new_page, server):
    """search.js's terms() and liaison.search.terms() agree: a query finds what the index holds."""
    from liaison.search import terms, words

    page, rec = new_page(viewport=WIDE)
    _open_search(page, server)
    got = page.evaluate("texts => texts.map(t => window.liaisonSearch.terms(t))", TRICKY)
    assert got == [list(terms(t)) for t in TRICKY]
    got = page.evaluate("texts => texts.map(t => window.liaisonSearch.words(t))", TRICKY)
    assert got == [list(words(t)) for t in TRICKY]
    _clean(rec)


def test_when_search_js_does_not_load_the_page_says_so_and_links_the_directories(browser, server):
    """JavaScript on, but assets/search.js blocked (a proxy, the intranet server's policy): the
    line read "Loading the search index…" for ever, over a box that did nothing. After a wait
    (CSS alone: the script that never came cannot say it) a note says so, with the directories."""
    ctx = browser.new_context(viewport=PHONE)
    ctx.route("**/assets/search.js", lambda route: route.abort())
    try:
        page = ctx.new_page()
        page.goto(f"{server}/search/index.html")
        page.wait_for_load_state("load")
        note = page.locator("#search-unloaded")
        assert not note.is_visible(), "no alarm while the script may still be on its way"
        page.evaluate("() => document.getAnimations().forEach(a => a.finish())")
        assert note.is_visible() and "did not arrive" in note.inner_text()
        assert note.locator("a[href$='physicians/index.html']").count() == 1
    finally:
        ctx.close()


def test_a_search_that_loaded_never_shows_the_note(new_page, server):
    page, rec = new_page(viewport=PHONE)
    _open_search(page, server)
    page.evaluate("() => document.getAnimations().forEach(a => a.finish())")
    assert page.locator("#search-unloaded").count() == 1
    assert not page.locator("#search-unloaded").is_visible()
    _clean(rec)


def test_when_the_index_does_not_load_the_page_says_so_at_once_with_the_directories(browser, server):
    """search.js ran but search/index.js was blocked or lost: the line said "rebuild the site",
    advice for the site's keeper, and gave the liaison no way on. It now says the index did
    not load, and the note with the directories shows at once."""
    ctx = browser.new_context(viewport=PHONE)
    ctx.route("**/search/index.js", lambda route: route.abort())
    try:
        page = ctx.new_page()
        page.goto(f"{server}/search/index.html")
        page.wait_for_load_state("load")
        assert "rebuild" not in _status_line(page) and "index.js" in _status_line(page)
        note = page.locator("#search-unloaded")
        assert note.is_visible(), "at once: the script is here and knows"
        assert note.locator("a[href$='practices/index.html']").count() == 1
    finally:
        ctx.close()
