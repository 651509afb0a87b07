"""The search index (liaison.search, search/index.js): what goes in, how it is cut into
terms, and that the file the build writes holds every entry under every one of its terms.
(The browser side: tests/test_browser_search.py.)"""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from conftest import SPEC_EXAMPLE

AS_OF = "2026-11-26"
AS_OF_DATE = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def view():
    from liaison import pages
    from liaison.pipeline import check

    checked = check(SPEC_EXAMPLE, AS_OF_DATE, keep_records=True)
    assert checked.ok
    return pages.SiteView(checked.site, checked.stats)


def read_index(js: bytes) -> dict:
    """search/index.js -> its values (one "key: JSON," line each)."""
    text = js.decode("utf-8")
    assert text.count("window.LIAISON_SEARCH = {") == 1
    values = {}
    for line in text.splitlines():
        m = re.fullmatch(r"  (\w+): (.*),", line)
        if m:
            values[m.group(1)] = json.loads(m.group(2))
    return values


def decode(postings: str) -> list[int]:
    out, n = [], 0
    for gap in postings.split(".") if postings else []:
        n += int(gap, 36)
        out.append(n)
    return out


# ---------------------------------------------------------------------------------------------
# terms


@pytest.mark.parametrize("text, expected", [
    ("Dr. Raj Kapoor", ("raj", "kapoor")),
    ("kapoor, raj MD", ("kapoor", "raj")),
    ("Jane Doe, PA-C", ("jane", "doe")),
    ("Jane Doe PA C", ("jane", "doe")),
    ("Mrs. Anne O'Brien-Smith DO", ("anne", "obrien", "smith")),
    ("Anne O’Brien", ("anne", "obrien")),
    ("José Muñoz-Peña", ("jose", "munoz", "pena")),
    ("Søren Æsa Łukasz-Strauß", ("soren", "aesa", "lukasz", "strauss")),
    ("Þóra Đặng", ("thora", "dang")),
    ("portland tier a", ("portland", "tiera")),
    ("Tier A Portland", ("tiera", "portland")),
    ("portland tier", ("portland", "tier")),
    ("Obstetrics & Gynecology", ("obstetrics", "gynecology")),
    ("dr.", ()),
    ("", ()),
])
def test_terms_drop_titles_punctuation_and_accents(text, expected):
    from liaison.search import terms

    assert terms(text) == expected


def test_tier_term():
    from liaison.search import terms, tier_term

    assert tier_term("A") == "tiera" == terms("tier A")[0]
    assert tier_term("Gold star") == "tiergoldstar"
    assert tier_term(None) is None


def test_postings_are_gaps_in_base_36():
    from liaison.search import base36, postings

    assert postings([3, 4, 14, 50]) == "3.1.a.10"
    assert postings([]) == ""
    numbers = [0, 1, 35, 36, 1295, 1296, 50_000, 50_001, 2_000_000]
    assert decode(postings(numbers)) == numbers
    assert [int(base36(n), 36) for n in (0, 35, 36, 1295, 1296, 46655, 46656)] == \
        [0, 35, 36, 1295, 1296, 46655, 46656]


@pytest.mark.parametrize("phone, expected", [
    ("(828) 555-0117", "8285550117"),
    ("+1 828.555.0117", "8285550117"),
    ("1-828-555-0117", "8285550117"),
    ("828-555-0117 ext. 12", "8285550117"),
    ("+44 20 7946 0958", "442079460958"),
    ("none", None),
    (None, None),
])
def test_phone_term_is_the_number_dialled_without_the_country_code_1(phone, expected):
    from liaison.search import phone_term

    assert phone_term(phone) == expected


# ---------------------------------------------------------------------------------------------
# entries


def test_every_record_is_one_entry(view):
    from liaison.search import entries

    items = entries(view)
    site = view.site
    by_kind: dict[str, list] = {}
    for e in items:
        by_kind.setdefault(e.kind, []).append(e)
    from liaison.names import fold, sort_key

    def by_name(records, name=lambda r: r.name, key=fold):
        return sorted(records, key=lambda k: (key(name(records[k])), k))

    # in order of name within each kind, people by last name as every list of them: the
    # browser breaks ties by this order
    assert [e.key for e in by_kind["physician"]] == by_name(site.physicians, key=sort_key)
    assert [e.key for e in by_kind["practice"]] == by_name(site.practices)
    assert [e.key for e in by_kind["member"]] == by_name(site.team, key=sort_key)
    assert [e.key for e in by_kind["guide"]] == by_name(site.guides, lambda g: g.meta.title)
    assert [e.key for e in by_kind["deck"]] == by_name(site.decks, lambda d: d.meta.title)
    staff = sorted(((s.name, p) for p in site.practices for s in site.practices[p].staff),
                   key=lambda t: (sort_key(t[0]), t[0], t[1]))
    assert [(e.name, e.key) for e in by_kind["staff"]] == staff, \
        "each staff member links to their practice's brief"
    assert len(staff) >= 3
    assert [e.kind for e in items] == sorted((e.kind for e in items),
                                             key=["physician", "practice", "staff", "member",
                                                  "guide", "deck"].index)


def test_entries_of_equal_rank_come_with_accented_names_among_their_plain_letters(tmp_path):
    """Results of equal rank keep the index's order, which sorted names by code point after
    casefold: Đặng and Ødegård (NFKD leaves đ, ø whole) came after Zimmer, in "tier a" or a
    city's list. The index is in the order of the folded name (liaison.names.fold)."""
    from conftest import one_physician_site
    from liaison import pages
    from liaison.pipeline import check
    from liaison.search import entries

    root = one_physician_site(tmp_path / "site", "- {date: 2026-11-02, liaison: lou, "
                              "type: call, practice: solo, summary: Called.}\n")
    for pid, name in [("zed", "Zed Zimmer"), ("dang", "Đặng Văn Hùng"), ("soren", "Søren Ødegård"),
                      ("elodie", "Élodie Lefèvre")]:
        (root / "data" / "physicians" / f"{pid}.yaml").write_text(
            f"name: {name}\nspecialty: Family medicine\npractice: solo\n", encoding="utf-8")
    checked = check(root, AS_OF_DATE, keep_records=True)
    assert checked.ok
    view = pages.SiteView(checked.site, checked.stats)
    assert [e.name for e in entries(view) if e.kind == "physician"] == [
        "Đặng Văn Hùng", "Élodie Lefèvre", "Ida Lone", "Søren Ødegård", "Zed Zimmer"]


def test_people_of_equal_rank_come_by_last_name_as_the_directory_lists_them(tmp_path):
    """"tier a podiatry" at 300 physicians listed Caveia Dellewood, Falio Salriridge, Hanaah
    Halleman…: by first name, where the directory filtered by the same words lists them by
    last name. Physicians, office staff and team members are in the index by last name
    (search.js keeps the index's order among results of equal rank); practices by name."""
    from conftest import one_physician_site
    from liaison import pages
    from liaison.pipeline import check
    from liaison.search import entries

    root = one_physician_site(tmp_path / "site", "- {date: 2026-11-02, liaison: lou, "
                              "type: call, practice: solo, summary: Called.}\n")
    for pid, name in [("ann", "Ann Young"), ("zoe", "Zoe Abbott")]:
        (root / "data" / "physicians" / f"{pid}.yaml").write_text(
            f"name: {name}\nspecialty: Family medicine\npractice: solo\n", encoding="utf-8")
    (root / "data" / "team" / "amy.yaml").write_text("name: Amy Zeller\nrole: liaison\n",
                                                      encoding="utf-8")
    (root / "data" / "practices" / "solo.yaml").write_text(
        "name: Solo Clinic\nstaff:\n  - {name: Bea Young, role: office manager}\n"
        "  - {name: Yves Adler, role: front desk}\n", encoding="utf-8")
    checked = check(root, AS_OF_DATE, keep_records=True)
    assert checked.ok
    view = pages.SiteView(checked.site, checked.stats)
    names = {}
    for e in entries(view):
        names.setdefault(e.kind, []).append(e.name)
    assert names["physician"] == ["Zoe Abbott", "Ida Lone", "Ann Young"]
    assert names["staff"] == ["Yves Adler", "Bea Young"]
    assert names["member"] == ["Lou Park", "Amy Zeller"]


def test_a_physician_entry_holds_specialty_practice_city_tier_and_status(view):
    from liaison.search import entries

    grace = next(e for e in entries(view) if e.kind == "physician" and e.name == "Grace Holloway")
    d = view.site.physicians[grace.key]
    practice = view.site.practices[d.practice]
    status = view.stats.physicians[grace.key].status
    assert grace.context[:5] == ("MD", "Family Medicine", practice.name, practice.city, "tier A")
    assert status in grace.context
    assert grace.name_terms == ("grace", "holloway")
    for term in ("family", "medicine", "tiera", status, *practice.city.lower().split()):
        assert term in grace.info_terms
    assert "md" not in grace.info_terms + grace.name_terms, "credentials are never searched"
    assert d.npi and d.npi in grace.info_terms, "a physician is found by NPI"


def test_practices_and_staff_are_found_by_their_phone_and_fax_numbers(view):
    # a missed call from an office's number found nothing: no number was in the index
    from liaison.search import entries, phone_term

    # (staff phones: tests/test_browser_search.py, on the sample site, which has some)
    key = "mountain-view-family-medicine"
    practice = view.site.practices[key]
    entry = next(e for e in entries(view) if e.kind == "practice" and e.key == key)
    assert practice.phone and practice.fax
    assert phone_term(practice.phone) in entry.info_terms
    assert phone_term(practice.fax) in entry.info_terms


def test_office_staff_are_found_by_their_role_practice_and_city(view):
    """Tess Ramsey, nurse manager at French Broad Podiatry in Asheville: found by "nurse",
    "podiatry" or "asheville"; her entry links to the practice (its id is the practice's)."""
    from liaison.search import entries

    tess = next(e for e in entries(view) if e.kind == "staff" and e.name == "Tess Ramsey")
    assert tess.key == "french-broad-podiatry"
    assert tess.context == ("nurse manager", "French Broad Podiatry", "Asheville")
    assert tess.name_terms == ("tess", "ramsey")
    assert tess.info_terms == ("nurse", "manager", "french", "broad", "podiatry", "asheville")


def test_team_members_are_found_by_their_role(view):
    """Owen Price of the front desk (role: front-desk) is found by "front" or "desk"."""
    from liaison.search import entries

    owen = next(e for e in entries(view) if e.kind == "member" and e.name == "Owen Price")
    assert owen.key == "owen-price"
    assert owen.info_terms == ("front", "desk")


def test_guides_and_decks_are_found_by_their_titles(view):
    from liaison.search import entries

    items = {(e.kind, e.key): e for e in entries(view)}
    deck = items[("deck", "venous-basics")]
    assert deck.name == "Venous disease basics"
    assert deck.name_terms == ("venous", "disease", "basics")
    guide = items[("guide", "referral-source-basics")]
    assert guide.name_terms == ("asking", "how", "did", "you", "hear", "about", "us")
    assert guide.context[0] == "for " + view.site.guides["referral-source-basics"].meta.audience
    # and by what they are: "training" found nothing, "vein deck" no deck
    assert {"training", "guide"} <= set(guide.info_terms)
    assert {"presentation", "deck"} <= set(deck.info_terms)
    physicians = [e for e in items.values() if e.kind == "physician"]
    assert not any({"training", "guide", "deck"} & set(e.info_terms) for e in physicians)


# ---------------------------------------------------------------------------------------------
# search/index.js


def test_index_js_holds_every_entry_under_each_of_its_terms(view):
    from liaison.search import KINDS, entries, index_js

    items = entries(view)
    data = read_index(index_js(view))
    n = len(items)
    assert len(data["kind"]) == n
    for key in ("ids", "names", "context"):
        assert len(data[key].split("\n")) == n, key
    vocabulary = data["terms"].split("\n")
    assert vocabulary == sorted(set(vocabulary))
    name_lists = dict(zip(vocabulary, data["name"].split("\n")))
    info_lists = dict(zip(vocabulary, data["info"].split("\n")))
    parts = data["parts"].split("\n")
    names = data["names"].split("\n")
    for i, e in enumerate(items):
        kind, label, href, _plural = data["kinds"][int(data["kind"][i])]
        assert kind == e.kind and names[i] == e.name
        assert href.replace("{}", data["ids"].split("\n")[i]).startswith(
            {"physician": "physicians/", "practice": "practices/", "staff": "practices/",
             "member": "team/", "guide": "training/", "deck": "presentations/"}[kind])
        context = data["context"].split("\n")[i]
        assert tuple(parts[int(p, 36)] for p in context.split(".") if p) == e.context
        for t in e.name_terms:
            assert i in decode(name_lists[t]), (e.name, t)
        for t in e.info_terms:
            assert i in decode(info_lists[t]), (e.name, t)
    # and nothing else: an entry is listed under a term only if it holds it, and once (a
    # term twice in an entry's info, as a word of its practice's name and of its city, is one
    # entry of its list)
    for t in vocabulary:
        for lists in (name_lists, info_lists):
            assert decode(lists[t]) == sorted(set(decode(lists[t]))), t
        for i in decode(name_lists[t]):
            assert t in items[i].name_terms
        for i in decode(info_lists[t]):
            assert t in items[i].info_terms
    assert [k[0] for k in data["kinds"]] == list(KINDS)


def test_index_js_is_deterministic_and_escapes_its_text(view):
    from liaison.search import Entry, index_data, index_js

    assert index_js(view) == index_js(view)
    odd = Entry("physician", "x", 'Ann "Q" O\'Neil\\ \u2028</script>', ("a\u2029b",), ("ann",), ())
    data = index_data([odd])
    assert data["names"] == 'Ann "Q" O\'Neil\\ \u2028</script>'
    from liaison.search import _js_string

    literal = _js_string(data["names"])
    assert "\u2028" not in literal and json.loads(literal.replace("\\\\u2028", "\\u2028")) == data["names"]


def test_the_build_writes_the_search_page_and_its_index(tmp_path):
    from conftest import cli
    from liaison.pages.base import CSP

    out = tmp_path / "site"
    code, _stdout, stderr = cli("build", "--root", str(SPEC_EXAMPLE), "--out", str(out),
                                "--as-of", AS_OF)
    assert code == 0, stderr
    page = (out / "search" / "index.html").read_text(encoding="utf-8")
    assert '<script src="index.js" defer></script>' in page
    assert '<script src="../assets/search.js" defer></script>' in page
    assert 'id="search-q" name="q"' in page
    assert "form-action 'self'" in CSP and "unsafe-eval" not in CSP
    assert (out / "assets" / "search.js").is_file()
    data = read_index((out / "search" / "index.js").read_bytes())
    assert "Grace Holloway" in data["names"].split("\n")
    # every other page's header holds a box that opens search/ with its query, by a relative link
    for rel, base in (("index.html", ""), ("physicians/index.html", "../"),
                      ("physicians/grace-holloway/index.html", "../../")):
        html = (out / rel).read_text(encoding="utf-8")
        assert (f'<form class="topsearch" role="search" action="{base}search/index.html" '
                'method="get">') in html, rel
        assert 'name="q"' in html
    assert 'class="topsearch"' not in page, "the search page has its own box"


def test_every_page_but_search_has_the_box_in_its_header_decks_included(tmp_path):
    # SPEC §6: "a search box in every page's header": the decks' pages (generic and
    # customized) had none in their bar
    from conftest import cli

    out = tmp_path / "site"
    code, _stdout, stderr = cli("build", "--root", str(SPEC_EXAMPLE), "--out", str(out),
                                "--as-of", AS_OF)
    assert code == 0, stderr
    pages = sorted(p for p in out.rglob("*.html") if p != out / "search" / "index.html")
    decks = [p for p in pages if p.relative_to(out).parts[0] == "presentations"
             and len(p.relative_to(out).parts) > 2]
    assert len(decks) == 3, decks  # venous-basics, and customized for its two targets
    without = []
    for page in pages:
        html = page.read_text(encoding="utf-8")
        base = "../" * (len(page.relative_to(out).parts) - 1)
        header = html[html.find("<header"):html.find("</header>")]
        if (f'<form class="topsearch" role="search" action="{base}search/index.html" '
                'method="get">') not in header or 'name="q"' not in header:
            without.append(page.relative_to(out).as_posix())
    assert not without, without


def test_an_index_without_entries():
    from liaison.search import index_data

    data = index_data([])
    assert data["kind"] == data["names"] == data["terms"] == data["name"] == ""


def test_names_keep_every_word_info_drops_titles():
    """A name is searched by all its words: Dr. Anh Do is found by "do" (a query of titles
    alone keeps them); in other facts, titles and credentials are noise."""
    from liaison.search import terms, words

    assert words("Anh Do") == ("anh", "do")
    assert terms("Anh Do") == ("anh",)
    assert words("Dr. Pa Vang") == ("dr", "pa", "vang")
