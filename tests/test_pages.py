"""The page registry (liaison/pages/): what each kind of page declares is what it does."""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from conftest import REPO, SPEC_EXAMPLE, visited_once

AS_OF = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def view_and_pages():
    from liaison import pages
    from liaison.pipeline import check

    from liaison.models import Repository

    checked = check(SPEC_EXAMPLE, AS_OF, keep_records=True)
    assert checked.ok
    # The example sets no repository: with one, it has every kind of page (log/ too).
    checked.site.config = checked.site.config.model_copy(update={"repository": Repository(
        web_url="https://github.com/blue-ridge-vein/liaison-records")})
    view = pages.SiteView(checked.site, checked.stats)
    return view, pages.plan(view)


def test_every_kind_plans_pages_and_declares_its_variables(view_and_pages):
    from liaison import pages

    view, planned = view_and_pages
    kinds = {p.kind for p in planned}
    assert kinds == set(pages.KINDS), "every kind has pages on the worked example"
    for name, kind in pages.KINDS.items():
        page = next(p for p in planned if p.kind == name)
        assert page.template == kind.template
        keys = set(pages.context(view, page))
        assert set(pages.COMMON_VARIABLES) <= keys, name
        assert keys - set(pages.COMMON_VARIABLES) == set(kind.variables), name
        assert kind.reads and kind.url, name


def test_paths_are_unique_and_templates_exist(view_and_pages):
    from liaison.render import PACKAGE_TEMPLATES

    _view, planned = view_and_pages
    paths = [p.path for p in planned]
    assert len(paths) == len(set(paths))
    assert all((PACKAGE_TEMPLATES / p.template).is_file() for p in planned)


def test_navigation_follows_the_declared_sections():
    from liaison import pages

    assert [n["key"] for n in pages.NAV] == list(pages.base.NAV_ORDER)
    assert pages.NAV[0] == {"key": "dashboard", "label": "Dashboard", "href": "index.html"}


def test_only_decks_search_and_log_write_files_beside_their_pages(view_and_pages):
    from liaison import pages

    view, planned = view_and_pages
    beside = {p.kind for p in planned if pages.files_beside(view, p)}
    assert beside == {"deck", "search", "log"}  # (a guide: when it shows an image, below)
    log = next(p for p in planned if p.kind == "log")
    assert list(pages.files_beside(view, log)) == ["log/data.js"]
    # every deck page, the generic one too, has its .pptx beside it (its "Download .pptx" link)
    generic = next(p for p in planned if p.kind == "deck" and "/" not in p.key)
    generic_pptx = pages.files_beside(view, generic).get(f"presentations/{generic.key}/{generic.key}.pptx")
    assert generic_pptx is not None and generic_pptx[:2] == b"PK"
    custom = next(p for p in planned if p.kind == "deck" and "/" in p.key)
    deck, practice = custom.key.split("/")
    assert list(pages.files_beside(view, custom)) == [f"presentations/{deck}/{practice}/{deck}-{practice}.pptx"]
    search = next(p for p in planned if p.kind == "search")
    assert list(pages.files_beside(view, search)) == ["search/index.js"]


def test_templates_readme_lists_every_template_and_is_current():
    from liaison.pages import KINDS
    from liaison.pages.reference import END, START, reference

    text = (REPO / "templates" / "README.md").read_text(encoding="utf-8")
    block = text[text.index(START) + len(START):text.index(END)].strip()
    assert block == reference().strip(), "run: python -m liaison.pages.reference --write"
    for kind in KINDS.values():
        assert f"`{kind.template}`" in block
    # every block of base.html, the ones a site fills: `title` and `search` were left out
    import re

    base = (REPO / "liaison" / "templates" / "base.html").read_text(encoding="utf-8")
    row = next(line for line in block.splitlines() if line.startswith("| `base.html`"))
    for name in re.findall(r"{% block (\w+)", base):
        assert f"`{name}`" in row, name


def test_the_activity_months_count_their_in_person_interactions():
    """The activity log's table of months: each month's interactions and those in person
    (derived.in_person), as its records say (the page takes the in-person counts from the
    statistics' months: they count the same interactions)."""
    from liaison import pages
    from liaison.derived import in_person, month_label
    from liaison.pipeline import check

    checked = check(REPO, AS_OF, keep_records=True)
    view = pages.SiteView(checked.site, checked.stats)
    page = next(p for p in pages.plan(view) if p.kind == "activity")
    rows = pages.context(view, page)["months"]
    shown = {}
    for r in checked.site.interactions:
        if r.date <= AS_OF:
            label = r.date.strftime("%Y-%m")
            count, met = shown.get(label, (0, 0))
            shown[label] = (count + 1, met + in_person(r))
    assert {row["label"]: (row["count"], row["in_person"]) for row in rows} == shown
    assert [row["label"] for row in rows] == sorted(shown, reverse=True)
    assert all(row["label"] == month_label(m) for row, m in
               zip(rows, sorted(view.by_month, reverse=True)))
    # not a trivial site: months with some, but not all, of their interactions in person
    assert any(0 < met < count for count, met in shown.values())


def test_the_activity_log_counts_its_months_without_making_their_lists():
    """The activity page's months, the links of a month's page to the months before and
    after it, and the month pages' keys that hold those links count each month's
    interactions from the index's positions (``SiteView.month_count``): the only month lists
    made are those of the newest interactions the activity page shows (a build after an edit
    made every month's list, in a forked process, to count it)."""
    from liaison import pages
    from liaison.derived import month_index
    from liaison.incremental import Keys
    from liaison.pages.activity import activity_month
    from liaison.pipeline import check

    checked = check(REPO, AS_OF, keep_records=True)
    view = pages.SiteView(checked.site, checked.stats)
    counts = {}
    for r in checked.site.interactions:
        if r.date <= AS_OF:
            counts[month_index(r.date)] = counts.get(month_index(r.date), 0) + 1
    plan = pages.plan(view)
    keys = Keys(view, {}, {})
    months = [p for p in plan if p.kind == "activity-month"]
    assert len(months) == len(counts) > 3
    for page in months:
        keys.of(page)
    assert not view.by_month._made  # the keys made no list
    context = pages.context(view, next(p for p in plan if p.kind == "activity"))
    assert [row["count"] for row in context["months"]] == \
        [counts[m] for m in sorted(counts, reverse=True)]
    shown = {month_index(dt.date.fromisoformat(i.date)) for i in context["recent"]}
    assert set(view.by_month._made) == shown < set(counts)
    middle = months[len(months) // 2]
    links = activity_month(view, middle)
    before, after = (max(m for m in counts if m < month_index_of(middle)),
                     min(m for m in counts if m > month_index_of(middle)))
    assert (links["previous"]["count"], links["next"]["count"]) == (counts[before], counts[after])
    assert keys.month_links(month_index_of(middle)) == ((before, counts[before]),
                                                         (after, counts[after]))


def month_index_of(page) -> int:
    from liaison.derived import month_of_label

    return month_of_label(page.key)


def test_the_views_lists_are_made_when_first_read_and_are_those_the_records_give():
    """SiteView's interactions by physician, practice, team member and month are made from
    their positions when a page first reads them (a build after an edit reads few): before
    that none is made; once read, each is what the records themselves give (newest first
    by physician, practice and member; in order by month), and a key without any gives an
    empty list, as before."""
    from liaison import pages
    from liaison.derived import month_index
    from liaison.pipeline import check

    checked = check(REPO, AS_OF, keep_records=True)
    site = checked.site
    view = pages.SiteView(site, checked.stats)
    assert not view.by_doc._made and not view.by_month._made  # nothing read yet
    dated = [r for r in site.interactions if r.date <= AS_OF]
    by_doc, by_member, by_month = {}, {}, {}
    for r in dated:
        for pid in dict.fromkeys(r.physicians):
            by_doc.setdefault(pid, []).append(r)
        by_member.setdefault(r.liaison, []).append(r)
        by_month.setdefault(month_index(r.date), []).append(r)
    pid = max(by_doc, key=lambda p: len(by_doc[p]))
    assert len(by_doc[pid]) > 1
    assert view.by_doc[pid] == by_doc[pid][::-1]
    assert set(view.by_doc._made) == {pid}  # only the list read
    assert view.by_doc.get(pid) is view.by_doc[pid]  # made once
    assert {tid: view.by_member[tid] for tid in by_member} == \
        {tid: lst[::-1] for tid, lst in by_member.items()}
    assert {m: view.by_month[m] for m in view.by_month} == by_month
    assert list(view.by_month) == list(by_month)  # keys in the order first met
    assert view.by_doc["d-no-such-one"] == [] and "d-no-such-one" not in view.by_doc
    assert view.by_doc.get("d-no-such-one", ()) == ()


def test_the_activity_filter_offers_the_liaisons_and_practices_of_its_interactions():
    """An activity page's filter: the liaisons who logged its interactions and the practices
    they concern (derived.practices_of: their practice, then their physicians'), each once,
    by name (a person's last name first; then id), in the order of the view's options of every member and practice,
    made once (SiteView.filter_options); unknown ids offer nothing."""
    from types import SimpleNamespace as NS

    from liaison.derived import practices_of
    from liaison.models import Interaction
    from liaison.pages.activity import choices
    from liaison.pages.base import practice_href
    from liaison.pages.view import SiteView

    site = NS(team={"t-ann": NS(name="Ann Zorn"), "t-bo": NS(name="Bo Adler")},
              practices={"p-oak": NS(name="Oak Clinic"), "p-elm": NS(name="Elm Family"),
                         "p-ash": NS(name="Ash Vein"), "p-2oak": NS(name="Oak Clinic")},
              physicians={"d-one": NS(practice="p-elm"), "d-two": NS(practice="p-ash"),
                          "d-three": NS(practice="p-2oak")})
    records = [Interaction.model_construct(liaison=t, practice=p, physicians=docs)
               for t, p, docs in [("t-ann", "p-oak", []), ("t-bo", None, ["d-one", "d-one"]),
                                  ("t-gone", "p-gone", ["d-gone"]), ("t-ann", None, []),
                                  ("t-ann", None, ["d-three"])]]
    view = NS(site=site, filter_options=SiteView.filter_options.func(NS(site=site)))
    found = choices(view, records)
    assert found["liaison_choices"] == [  # by last name, as team/ lists them
        {"value": "team/t-bo/index.html", "label": "Bo Adler"},
        {"value": "team/t-ann/index.html", "label": "Ann Zorn"}]
    assert found["practice_choices"] == [
        {"value": practice_href("p-elm"), "label": "Elm Family"},
        {"value": practice_href("p-2oak"), "label": "Oak Clinic"},
        {"value": practice_href("p-oak"), "label": "Oak Clinic"}]
    assert choices(view, records[:1])["practice_choices"] == [
        {"value": practice_href("p-oak"), "label": "Oak Clinic"}]
    assert {practice_href(p) for r in records for p in practices_of(r, site.physicians)
            if p in site.practices} == {c["value"] for c in found["practice_choices"]}


def test_the_dashboard_lists_the_ten_referrers_who_referred_most_the_year_before(tmp_path):
    """The dashboard's attention lists (declining, lapsed, new): the first ten physicians of
    each, those with the most referrals in the 365 days before the last 365 first (then by
    id), and how many there are in all."""
    import subprocess
    import sys

    from liaison import pages
    from liaison.pipeline import check

    root = tmp_path / "site"
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), str(root),
                    "--physicians", "300", "--as-of", AS_OF.isoformat()], check=True,
                   capture_output=True)
    checked = check(root, AS_OF, keep_records=True)
    view = pages.SiteView(checked.site, checked.stats, AS_OF)
    page = next(p for p in pages.plan(view) if p.kind == "dashboard")
    ctx = pages.context(view, page)
    phys = checked.stats.physicians
    cut = 0
    for name, holds in [("declining", lambda s: s.declining),
                        ("lapsed", lambda s: s.status == "lapsed"),
                        ("new", lambda s: s.status == "new")]:
        ids = sorted((p for p in phys if holds(phys[p])),
                     key=lambda p: (-phys[p].referrals_prev_365d, p))
        assert [row["id"] for row in ctx[name]] == ids[:10], name
        assert ctx[f"{name}_count"] == len(ids)
        cut += len(ids) > 10
    assert cut >= 2  # lists longer than what the dashboard shows


@pytest.mark.parametrize("written,href", [
    ("https://hvillewomenshealth.example", "https://hvillewomenshealth.example"),
    ("HTTP://old.example/x", "HTTP://old.example/x"),
    ("www.hvillewomenshealth.example", "https://www.hvillewomenshealth.example"),
    ("hvillewomenshealth.example/contact?x=1", "https://hvillewomenshealth.example/contact?x=1"),
    (" portal.example.org:8443/a ", "https://portal.example.org:8443/a"),
    ("javascript:alert(1)", None),
    ("javascript:alert(1).example", None),
    ("see their Facebook page", None),
    ("localhost", None),
    ("data:text/html,x.example", None),
])
def test_a_practice_website_links_when_it_is_an_address_or_a_host_name(written, href):
    from liaison.models import website_href

    assert website_href(written) == href


def test_a_practice_website_without_its_scheme_is_a_link(tmp_path):
    import shutil
    import subprocess
    import sys

    from conftest import _make_writable

    root = tmp_path / "root"
    shutil.copytree(SPEC_EXAMPLE, root)
    _make_writable(root)
    rel = root / "data" / "practices" / "hendersonville-womens-health.yaml"
    text = rel.read_text(encoding="utf-8")
    rel.write_text(text.replace("website: https://hvillewomenshealth.example",
                                "website: www.hvillewomenshealth.example"), encoding="utf-8")
    out = tmp_path / "site"
    proc = subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--root", str(root),
                           "--out", str(out), "--as-of", AS_OF.isoformat()],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    page = (out / "practices" / "hendersonville-womens-health" / "index.html").read_text(
        encoding="utf-8")
    assert ('<a class="url" href="https://www.hvillewomenshealth.example" rel="noopener '
            'noreferrer" target="_blank">www.hvillewomenshealth.example</a>') in page


def test_an_email_is_a_mailto_link_and_anything_else_text():
    from liaison.render import email_link

    assert email_link(" carla.jennings@mvfm.example ") == (
        '<a class="url" href="mailto:carla.jennings@mvfm.example">carla.jennings@mvfm.example</a>')
    assert email_link("o'hara@mvfm.example") == (
        '<a class="url" href="mailto:o&#39;hara@mvfm.example">o&#39;hara@mvfm.example</a>')
    # no address: text as before, escaped, never a link (validate warns of it)
    assert email_link("ask <the> front desk") == '<span class="url">ask &lt;the&gt; front desk</span>'
    assert email_link("javascript:alert(1)//@x.org") == (
        '<span class="url">javascript:alert(1)//@x.org</span>')
    assert email_link(None) == email_link("") == ""


def test_a_guides_page_has_the_capture_rate_beside_a_front_desk_guide_only(view_and_pages):
    """The guide page's template decided itself which audiences the front desk takes (a copy of
    training.FRONT_DESK_AUDIENCES, the training index's rule); the context now gives the rate
    for those guides only, and none for a liaison's or a clinical one."""
    from dataclasses import replace

    from liaison import pages
    from liaison.pages.training import guide

    view, planned = view_and_pages
    page = next(p for p in planned if p.kind == "guide")
    g = view.site.guides[page.key]
    for audience, shown in [("front-desk", True), ("all", True), ("liaison", False), ("clinical", False)]:
        changed = replace(g, meta=g.meta.model_copy(update={"audience": audience}))
        other = pages.SiteView(replace(view.site, guides={**view.site.guides, page.key: changed}), view.stats)
        capture = guide(other, page)["capture"]
        assert (capture == view.stats.source_capture_rate_365d) if shown else capture is None, audience


def test_a_link_to_another_guides_file_opens_that_guides_page():
    from liaison.pages.training import guide_links

    guides = {"phone-skills": None, "primer": None}
    text = ("See [the phone guide](phone-skills.md), [its greeting](./phone-skills.md#greeting "
            '"Greeting"), [a file](notes.md), ![a picture](primer.md) and [GitHub](https://x.example/primer.md).')
    assert guide_links(text, guides) == (
        "See [the phone guide](../phone-skills/index.html), [its greeting](../phone-skills/index.html"
        '#greeting "Greeting"), [a file](notes.md), ![a picture](primer.md) and '
        "[GitHub](https://x.example/primer.md).")


def test_a_reference_style_link_to_another_guides_file_opens_that_guides_page():
    """[the greeting][greet] with [greet]: phone-skills.md#greeting (a link by reference, as
    GitHub follows it) kept href="phone-skills.md" on the page: a link to nothing."""
    from liaison.content import MarkdownRenderer
    from liaison.pages.training import guide_links

    guides = {"phone-skills": None, "primer": None}
    text = ("See [the greeting][greet], [primer] and [a file][f].[^1]\n\n"
            '[greet]: ./phone-skills.md#greeting "Greeting"\n  [primer]: <primer.md>\n[f]: notes.md\n'
            "[^1]: A note.\n")
    linked = guide_links(text, guides)
    assert linked == text.replace("./phone-skills.md#greeting", "../phone-skills/index.html#greeting").replace(
        "<primer.md>", "../primer/index.html")
    html, _toc = MarkdownRenderer().document(linked)
    assert re.findall(r'<a href="([^"]*)"[^>]*>(?:the greeting|primer|a file)', html) == [
        "../phone-skills/index.html#greeting", "../primer/index.html", "notes.md"]


def test_a_guides_headings_have_the_ids_github_gives_them():
    """A link to another guide's part, as GitHub follows it ([x](phone-skills.md#intake--scheduling),
    the anchor copied from GitHub's view of the file), landed at the top of the page: the
    guide's headings had Python-Markdown's ids ("intake-scheduling", "cafe-hours", "scripts_1"),
    which differ from GitHub's wherever a heading holds "&", a dash, an accent or "-", or
    comes twice."""
    from liaison.content import MarkdownRenderer

    text = ("# Phone skills\n\n## Scripts\n\n## Intake & scheduling\n\n"
            "## Before the call — what to have ready\n\n## Step 1 - greet\n\n## Café hours\n\n"
            "### Asking \"How did you hear about us?\"\n\n## The **four**-week rule\n\n## Scripts\n\n"
            "## Scripts\n")
    html, toc = MarkdownRenderer().document(text)
    ids = re.findall(r'<h[1-6] id="([^"]*)"', html)
    assert ids == ["phone-skills", "scripts", "intake--scheduling", "before-the-call--what-to-have-ready",
                   "step-1---greet", "café-hours", "asking-how-did-you-hear-about-us",
                   "the-four-week-rule", "scripts-1", "scripts-2"]
    assert [t["id"] for t in toc][:3] == ids[1:4]  # the table of contents too
    again, _ = MarkdownRenderer().document(text)  # each guide counts its own repeated headings
    assert again == html


def test_a_guides_heading_never_takes_an_id_of_the_page_around_it():
    """A guide's heading "Main" was given id="main", the id of the page's <main> (base.html):
    two elements of one id, and the "Skip to content" link and the guide's own contents line
    both led to the first. Such a heading is numbered as a repeated one ("main-1"), its
    contents line and a link written to it (found by validate) too; one written in HTML with
    that id loses it."""
    from liaison.content import PAGE_IDS, MarkdownRenderer

    html, toc = MarkdownRenderer().document(
        "## Main\n\n## Topsearch Q\n\n## Main\n\n<h2 id=\"main\">Raw</h2>\n\n## Top\n")
    ids = re.findall(r'<h[1-6] id="([^"]*)"', html)
    assert ids == ["main-1", "topsearch-q-1", "main-2", "top"]
    assert [t["id"] for t in toc][:3] == ids[:3]
    assert not PAGE_IDS & set(ids) and "<h2>Raw</h2>" in html


def test_a_picture_or_a_guide_link_written_as_code_is_shown_as_written():
    """A guide (or slide) that shows the syntax in code, `![Logo](logo.png)` or a fenced
    example, shows it as written: its path was rewritten to _media/ and its link to a page."""
    from liaison.decks import image_refs, local_images
    from liaison.pages.training import guide_links

    text = ("![Lab](lab.png) and `![Logo](logo.png)`, see [it](primer.md) or ``[it](primer.md)``\n\n"
            "```markdown\n![Logo](logo.png)\n[the primer](primer.md)\n```\n\n~~~\n![X](x.png)\n~~~\n"
            "![After](after.png)")
    assert local_images(text, "_media/") == text.replace("(lab.png)", "(_media/lab.png)").replace(
        "(after.png)", "(_media/after.png)")
    assert guide_links(text, {"primer": None}) == text.replace(
        "see [it](primer.md)", "see [it](../primer/index.html)")
    assert [(k, path) for k, _col, path in image_refs(text)] == [(0, "lab.png"), (10, "after.png")]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="`~ab\n !()[]<>", max_size=60))
def test_a_rewrite_outside_code_keeps_every_other_character(text):
    """content.outside_code changes only what its rewrite changes, and prose_lines keeps each
    line's length (the columns of diagnostics): fences, code spans and line ends stay."""
    from liaison.content import outside_code, prose_lines

    assert outside_code(text, lambda t: t) == text
    assert outside_code(text, lambda t: t.replace("a", "A")).replace("A", "a") == text
    lines = text.split("\n")
    assert all(len(line) == len(lines[k]) for k, line in prose_lines(text))


def _built_with_picture(tmp_path, name: str, guide_lines: str, deck_slides: str):
    """The worked example with the example's picture saved as ``images/<name>`` beside the
    guides and the decks, ``guide_lines`` added to the first guide and a deck ``lab`` of
    ``deck_slides``, built with build.py: (the site, the guide's id, the picture's bytes)."""
    import shutil
    import subprocess
    import sys

    from conftest import _make_writable

    root = tmp_path / "root"
    shutil.copytree(SPEC_EXAMPLE, root)
    _make_writable(root)
    picture = (REPO / "content" / "presentations" / "images" / "vascular-lab.png").read_bytes()
    for folder in ("training", "presentations"):
        (root / "content" / folder / "images").mkdir(exist_ok=True)
        (root / "content" / folder / "images" / name).write_bytes(picture)
    guide = sorted((root / "content" / "training").glob("*.md"))[0]
    guide.write_text(guide.read_text(encoding="utf-8") + guide_lines, encoding="utf-8")
    (root / "content" / "presentations" / "lab.md").write_text(
        "---\ntitle: Lab\n---\n" + deck_slides, encoding="utf-8")
    out = tmp_path / "site"
    proc = subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--root", str(root),
                           "--out", str(out), "--as-of", AS_OF.isoformat()],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return out, guide.stem, picture


def test_a_picture_whose_name_holds_a_space_is_shown_in_a_guide_and_a_deck(tmp_path):
    """"our lab.png" written as GitHub links it (images/our%20lab.png) was "no such file", and
    written as CommonMark allows (<images/our lab.png>) passed validate unseen and showed
    as a broken picture: neither was copied beside the page."""
    out, guide, picture = _built_with_picture(
        tmp_path, "our lab.png",
        "\n![Encoded](images/our%20lab.png)\n\n![Bracketed](<images/our lab.png>)\n",
        "## One\n\n![Encoded](images/our%20lab.png)\n\n---\n\n"
        "## Two\n\n![Bracketed](<images/our lab.png>)\n")
    page = out / "training" / guide / "index.html"
    html = page.read_text(encoding="utf-8")
    assert '<img alt="Encoded" src="_media/images/our%20lab.png">' in html
    assert '<img alt="Bracketed" src="_media/images/our lab.png">' in html
    assert (page.parent / "_media" / "images" / "our lab.png").read_bytes() == picture
    deck = out / "presentations" / "lab"
    assert (deck / "_media" / "images" / "our lab.png").read_bytes() == picture
    with zipfile.ZipFile(deck / "lab.pptx") as z:
        media = [n for n in z.namelist() if n.startswith("ppt/media/")]
        assert sum(z.read(n) == picture for n in media) == 1, media  # the picture, once


def test_a_picture_whose_name_holds_a_hash_is_shown_in_a_guide_and_a_deck(tmp_path):
    """"lab #3.png" written <images/lab #3.png> (or in an <img>): validate read the file and the
    build copied it, but the page's src kept its "#", which a browser takes for the start of a
    fragment: it asked for "_media/images/lab " and showed a broken picture."""
    from html.parser import HTMLParser
    from urllib.parse import unquote, urlsplit

    class Sources(HTMLParser):
        def __init__(self):
            super().__init__()
            self.src = []

        def handle_starttag(self, tag, attrs):
            if tag == "img":
                self.src += [v for k, v in attrs if k == "src" and "lab" in (v or "")]

    out, guide, picture = _built_with_picture(
        tmp_path, "lab #3.png",
        '\n![Bracketed](<images/lab #3.png>)\n\n<img src="images/lab #3.png" alt="HTML" width="300">\n',
        "## One\n\n![Bracketed](<images/lab #3.png>)\n")
    for page, count in ((out / "training" / guide / "index.html", 2),
                        (out / "presentations" / "lab" / "index.html", 1)):
        parser = Sources()
        parser.feed(page.read_text(encoding="utf-8"))
        assert len(parser.src) == count, parser.src
        for src in parser.src:  # as a browser reads it: the path, without a fragment
            parts = urlsplit(src)
            assert not parts.fragment, src
            assert (page.parent / unquote(parts.path)).read_bytes() == picture, src


def test_a_guide_shows_its_images_from_content_training(tmp_path):
    """![alt](images/x.png) in a guide reads content/training/images/x.png (as on GitHub): the
    build copies it beside the guide's page and the page shows it from there; another host's
    image is not loaded."""
    import shutil
    import subprocess
    import sys

    from conftest import _make_writable

    root = tmp_path / "root"
    shutil.copytree(SPEC_EXAMPLE, root)
    _make_writable(root)
    guide = sorted((root / "content" / "training").glob("*.md"))[0]
    picture = (REPO / "content" / "presentations" / "images" / "vascular-lab.png").read_bytes()
    (root / "content" / "training" / "images").mkdir()
    (root / "content" / "training" / "images" / "lab.png").write_bytes(picture)
    guide.write_text(guide.read_text(encoding="utf-8") + "\n![Our lab](images/lab.png)\n\n"
                     "![Elsewhere](https://example.com/x.png)\n\n"
                     '<img src="images/lab2.png" alt="The lab, small" width="200">\n\n'
                     "The `lab` once more, its attributes over lines:\n\n"
                     '<img alt="The lab, tall"\n     src="images/lab3.png"\n     height="400">\n',
                     encoding="utf-8")
    (root / "content" / "training" / "images" / "lab2.png").write_bytes(picture)
    (root / "content" / "training" / "images" / "lab3.png").write_bytes(picture)
    out = tmp_path / "site"
    proc = subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--root", str(root),
                           "--out", str(out), "--as-of", AS_OF.isoformat()],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "image 'https://example.com/x.png': not shown" in proc.stderr  # a warning
    page = out / "training" / guide.stem / "index.html"
    html = page.read_text(encoding="utf-8")
    assert '<img alt="Our lab" src="_media/images/lab.png">' in html
    assert (page.parent / "_media" / "images" / "lab.png").read_bytes() == picture
    # a picture written in HTML (as GitHub shows it, with its width) is copied and shown too
    assert '<img src="_media/images/lab2.png" alt="The lab, small" width="200">' in html
    assert (page.parent / "_media" / "images" / "lab2.png").read_bytes() == picture
    assert re.search(r'<img alt="The lab, tall"\s+src="_media/images/lab3.png"\s+height="400">', html)
    assert (page.parent / "_media" / "images" / "lab3.png").read_bytes() == picture
    assert "example.com" not in html


def _build_example(tmp_path, edit) -> "Path":
    """The worked example, changed by ``edit(root)``, built at AS_OF; the output folder."""
    import shutil
    import subprocess
    import sys

    from conftest import _make_writable

    root = tmp_path / "root"
    shutil.copytree(SPEC_EXAMPLE, root)
    _make_writable(root)
    edit(root)
    out = tmp_path / "site"
    proc = subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--root", str(root),
                           "--out", str(out), "--as-of", AS_OF.isoformat()],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return out


def _trainings_rows(out: Path, member: str = "dana-reyes") -> list[list[str]]:
    """The cells of each row of a team member's Trainings table."""
    from htmltree import parse

    page = parse(out / "team" / member / "index.html")
    section = next(s for s in page.all("section") if s.all("h2")[0].text() == "Trainings")
    return [[td.text() for td in tr.all("td")] for tr in section.all("tbody")[0].all("tr")]


def _fire_safety_guide(root: Path) -> None:
    """A guide for all, Fire safety, renewed every 365 days (second in the guides' order)."""
    (root / "content" / "training" / "fire-safety.md").write_text(
        "---\ntitle: Fire safety\naudience: all\nrenew_every_days: 365\norder: 2\n---\n# Fire\n",
        encoding="utf-8")


def test_the_matrix_and_a_members_page_read_trainings_at_the_as_of_date(tmp_path):
    """A member's trainings as of the as-of date: one dated after it is not counted (the
    matrix says missing, the member's page "after the as-of date"); an older training of a
    guide taken again since is "renewed since", not "expired"; the same training written twice
    is listed once; a guide of their audience they never took is listed as missing."""
    from htmltree import parse

    def edit(root):
        _fire_safety_guide(root)
        (root / "data" / "team" / "dana-reyes.yaml").write_text(
            "name: Dana Reyes\nrole: front-desk\ntrainings:\n"
            "  - {guide: referral-source-basics, completed: 2024-01-10, score: 60}\n"
            "  - {guide: referral-source-basics, completed: 2026-03-02, score: 95}\n"
            "  - {guide: referral-source-basics, completed: 2026-03-02, score: 95}\n"
            "  - {guide: fire-safety, completed: 2027-01-15}\n", encoding="utf-8")

    out = _build_example(tmp_path, edit)
    table = parse(out / "training" / "index.html").by_id("matrix-table")
    titles = [th.text().rstrip(" ↕") for th in table.all("th")][1:]
    row = next(tr for tr in table.all("tbody")[0].all("tr") if "Dana Reyes" in tr.text())
    cells = dict(zip(titles, [td.text() for td in row.all("td")[1:]]))
    # (<br>s between): taken, its score, and the last day it holds (renew every 365 days)
    assert cells == {'Asking "How did you hear about us?"':
                     "completedMon 2 Mar · score 95renew by Tue 2 Mar 2027",
                     "Fire safety": "missing"}, cells
    rows = _trainings_rows(out)
    assert rows == [
        ["Fire safety", "—", "—", "missing"],
        ["Fire safety", "Fri 15 Jan 2027", "—", "after the as-of date"],
        ['Asking "How did you hear about us?"', "Mon 2 Mar", "95", "current renew by Tue 2 Mar 2027"],
        ['Asking "How did you hear about us?"', "Wed 10 Jan 2024", "60", "renewed since"],
    ], rows


def test_a_training_dated_the_day_after_the_as_of_date_is_not_taken_yet(tmp_path):
    """A training dated the as-of date is taken; one dated the next day is not yet: the
    member's page says "after the as-of date" and the guide is missing until then (a mutant
    reading a training one day after the as-of date as taken went unnoticed: the tests'
    trainings ahead were weeks ahead)."""
    def edit(root):
        _fire_safety_guide(root)
        (root / "data" / "team" / "dana-reyes.yaml").write_text(
            "name: Dana Reyes\nrole: front-desk\ntrainings:\n"
            f"  - {{guide: referral-source-basics, completed: {AS_OF.isoformat()}, score: 90}}\n"
            f"  - {{guide: fire-safety, completed: {(AS_OF + dt.timedelta(days=1)).isoformat()}}}\n",
            encoding="utf-8")

    out = _build_example(tmp_path, edit)
    rows = _trainings_rows(out)
    assert rows == [
        ["Fire safety", "—", "—", "missing"],
        ["Fire safety", "Fri 27 Nov", "—", "after the as-of date"],
        ['Asking "How did you hear about us?"', "Thu 26 Nov", "90", "current renew by Fri 26 Nov 2027"],
    ], rows


def test_a_renewal_is_due_soon_from_30_days_before_its_last_current_day_to_that_day():
    """``renewal_due_soon``: the last current day (``renewal_due``) at most RENEWAL_NOTICE_DAYS
    days ahead, that day included; the day after it has expired; no renewal, no notice."""
    from liaison.derived import RENEWAL_NOTICE_DAYS, renewal_due, renewal_due_soon, training_expired

    taken = dt.date(2025, 12, 1)
    last = renewal_due(taken, 365)
    assert renewal_due_soon(taken, 365, last) and not training_expired(taken, 365, last)
    assert not renewal_due_soon(taken, 365, last + dt.timedelta(days=1))  # expired now
    assert training_expired(taken, 365, last + dt.timedelta(days=1))
    assert renewal_due_soon(taken, 365, last - dt.timedelta(days=RENEWAL_NOTICE_DAYS))
    assert not renewal_due_soon(taken, 365, last - dt.timedelta(days=RENEWAL_NOTICE_DAYS + 1))
    assert not renewal_due_soon(taken, None, last)
    # renewed every 30 days: due soon from the day it is taken (its last day 30 days ahead);
    # not the day before, when it is not taken yet
    assert renewal_due_soon(taken, 30, taken)
    assert not renewal_due_soon(taken, 30, taken - dt.timedelta(days=1))


def test_trainings_due_for_renewal_soon_are_listed_before_they_expire(tmp_path):
    """A coordinator learnt of a training to renew only once it had expired. The training
    index lists the trainings due for renewal within 30 days (soonest first, of a guide for
    the member's role only), the matrix's cell and the member's page say "due soon" and by
    when; one renewed early, or not yet due, is not listed; with none, a line says so."""
    from htmltree import parse

    def edit(root):
        _fire_safety_guide(root)
        (root / "content" / "training" / "office-visits.md").write_text(
            "---\ntitle: Office visits\naudience: liaison\nrenew_every_days: 365\n---\n# Visits\n",
            encoding="utf-8")
        (root / "data" / "team" / "dana-reyes.yaml").write_text(
            "name: Dana Reyes\nrole: front-desk\ntrainings:\n"
            "  - {guide: fire-safety, completed: 2025-12-20, score: 90}\n"  # due Sun 20 Dec
            "  - {guide: fire-safety, completed: 2026-12-15}\n"  # booked ahead: said, not counted
            "  - {guide: referral-source-basics, completed: 2025-12-01}\n"  # due Tue 1 Dec
            "  - {guide: office-visits, completed: 2025-12-02}\n", encoding="utf-8")  # not hers
        (root / "data" / "team" / "ari-cole.yaml").write_text(
            "name: Ari Cole\nrole: front-desk\ntrainings:\n"
            "  - {guide: fire-safety, completed: 2025-12-05}\n"  # renewed early, below
            "  - {guide: fire-safety, completed: 2026-11-20}\n"
            "  - {guide: referral-source-basics, completed: 2025-12-27}\n", encoding="utf-8")  # 31 days

    out = _build_example(tmp_path, edit)
    index = parse(out / "training" / "index.html")
    table = index.by_id("renewals").all("table")[0]
    rows = [[td.text() for td in tr.all("td")] for tr in table.all("tbody")[0].all("tr")]
    assert rows == [["Tue 1 Dec", "Dana Reyes front desk", 'Asking "How did you hear about us?"', "Mon 1 Dec 2025"],
                    ["Sun 20 Dec", "Dana Reyes front desk", "Fire safety", "Sat 20 Dec 2025 · score 90"
                     "renewal written for Tue 15 Dec, after the as-of date: not counted until then"]], rows
    assert "2 due for renewal in the next 30 days" in index.all("p")[0].text()
    matrix = index.by_id("matrix-table")
    titles = [th.text().rstrip(" ↕") for th in matrix.all("th")][1:]
    row = next(tr for tr in matrix.all("tbody")[0].all("tr") if "Dana Reyes" in tr.text())
    cells = dict(zip(titles, [td.text() for td in row.all("td")[1:]]))
    assert cells["Fire safety"] == "completed due soonSat 20 Dec 2025 · score 90renew by Sun 20 Dec", cells
    ari = next(tr for tr in matrix.all("tbody")[0].all("tr") if "Ari Cole" in tr.text())
    assert "due soon" not in ari.text()
    states = {row[0]: row[3] for row in _trainings_rows(out)}
    # (Fire safety twice: the one after the as-of date first, then the current one, kept here)
    assert states == {"Fire safety": "current due soon renew by Sun 20 Dec",
                      'Asking "How did you hear about us?"': "current due soon renew by Tue 1 Dec",
                      "Office visits": "current"}, states

    # the worked example as it is: nothing due within 30 days, and the list says so
    out = _build_example(tmp_path / "as-is", lambda root: None)
    empty = parse(out / "training" / "index.html").by_id("renewals")
    assert not empty.all("table") and "No training falls due for renewal in the next 30 days" in empty.text()


def test_guides_are_listed_in_one_order_titles_read_as_people_read_them(tmp_path):
    """The training index sorted guides by ``order`` then by title as Python compares text, so
    "École d'accueil" and "after-hours calls" came after "Zone safety"; and a member's page
    listed the guides they never took by title alone, not in the matrix's order. Both now take
    one order: ``order``, then the title with its accents and capitals aside, then the id."""
    from htmltree import parse

    def edit(root):
        for gid, title, order in [("zone-safety", "Zone safety", None), ("ecole", "École d'accueil", None),
                                  ("after-hours", "after-hours calls", None), ("wounds", "Wound basics", 2)]:
            (root / "content" / "training" / f"{gid}.md").write_text(
                f"---\ntitle: \"{title}\"\naudience: all\n{f'order: {order}' if order else ''}\n---\n# {title}\n",
                encoding="utf-8")
        (root / "data" / "team" / "dana-reyes.yaml").write_text(
            "name: Dana Reyes\nrole: front-desk\n", encoding="utf-8")

    out = _build_example(tmp_path, edit)
    table = parse(out / "training" / "index.html").by_id("matrix-table")
    titles = [th.text().rstrip(" ↕") for th in table.all("th")][1:]
    assert titles[-4:] == ["Wound basics", "after-hours calls", "École d'accueil", "Zone safety"], titles
    missing = [row[0] for row in _trainings_rows(out)]
    assert missing == titles, missing  # a front-desk member: every guide is hers, none taken


def _lena_leaves_mountain_view_to_kim(root):
    """Lena Brooks leaves the role (`role: other`); Kim Ruiz joins as a liaison and takes
    Mountain View Family Medicine over; French Broad Podiatry and nina-vargas (whose own file
    names Lena) are forgotten in the hand-over."""
    member = root / "data" / "team" / "lena-brooks.yaml"
    member.write_text(member.read_text(encoding="utf-8").replace("role: liaison",
                                                                 "role: other"))
    (root / "data" / "team" / "kim-ruiz.yaml").write_text("name: Kim Ruiz\nrole: liaison\n")
    taken = root / "data" / "practices" / "mountain-view-family-medicine.yaml"
    taken.write_text(taken.read_text(encoding="utf-8").replace("liaison: lena-brooks",
                                                               "liaison: kim-ruiz"))


def test_the_practices_still_naming_a_liaison_who_left_are_in_name_order(tmp_path):
    """The "Still named as their liaison" card listed its practices by a person's sort key
    (last word first: "Mountain View Family Medicine" before "French Broad Podiatry"); they
    are in name order, as practices/ lists them."""
    from htmltree import parse

    def edit(root):
        member = root / "data" / "team" / "lena-brooks.yaml"
        member.write_text(member.read_text(encoding="utf-8").replace("role: liaison",
                                                                     "role: other"))

    out = _build_example(tmp_path, edit)
    card = parse(out / "team" / "lena-brooks" / "index.html").by_id("still-named")
    names = [a.text() for a in card.all("a") if "/practices/" in a.attrs.get("href", "")]
    assert names == ["French Broad Podiatry", "Mountain View Family Medicine"], names


def test_the_page_of_a_liaison_who_left_lists_what_still_names_them(tmp_path):
    """Lena Brooks leaves (`role: other`); one of her practices went to Kim Ruiz, the other
    and nina-vargas (whose own file names her) were forgotten. Her page, where the manager
    checks the hand-over, listed her open follow-ups but not these: in no call plan, shown
    nowhere on it. It lists them, with what to write; Kim's page has no such card."""
    from htmltree import parse

    def edit(root):
        _lena_leaves_mountain_view_to_kim(root)

    out = _build_example(tmp_path, edit)
    page = parse(out / "team" / "lena-brooks" / "index.html")
    card = page.by_id("still-named")
    assert card is not None
    text = " ".join(card.text().split())
    assert "Lena Brooks is no liaison (other)" in text and "`liaison:`" not in text
    assert "liaison:" in text
    assert "French Broad Podiatry" in text and "Nina Vargas" in text
    assert "Mountain View" not in text
    assert any(h.endswith("physicians/nina-vargas/index.html") for h in card.hrefs())
    assert parse(out / "team" / "kim-ruiz" / "index.html").by_id("still-named") is None
    # the team page's liaisons table, whose physicians summed to one less, says so below it
    team = parse(out / "team" / "index.html")
    note = team.by_id("not-in-the-table")
    assert note is not None
    import json

    kept = sum(p["liaison"] == "lena-brooks" for p in json.loads(
        (out / "stats.json").read_text(encoding="utf-8"))["physicians"].values())
    assert kept >= 2  # nina-vargas and French Broad's
    assert " ".join(note.text().split()).startswith(
        f"Not in the table: {kept} physicians whose liaison is Lena Brooks, who is no liaison "
        "(other)")
    assert any(h.endswith("team/lena-brooks/index.html") for h in note.hrefs())


def test_the_physicians_still_naming_a_liaison_who_left_are_by_last_name(tmp_path):
    """The "Still named as their liaison" card lists the physicians whose own file names the
    liaison who left by last name: Lena Brooks leaves, and Nina Vargas's file and James
    Whitley's (which names her here) still name her: Vargas before Whitley, though
    james-whitley's id comes first (a mutant listing them by id went unnoticed: one
    physician's file named her)."""
    from htmltree import parse

    def edit(root):
        _lena_leaves_mountain_view_to_kim(root)
        whitley = root / "data" / "physicians" / "james-whitley.yaml"
        whitley.write_text(whitley.read_text(encoding="utf-8") + "liaison: lena-brooks\n",
                           encoding="utf-8")

    out = _build_example(tmp_path, edit)
    card = parse(out / "team" / "lena-brooks" / "index.html").by_id("still-named")
    names = [a.text() for a in card.all("a") if "/physicians/" in a.attrs.get("href", "")]
    assert names == ["Nina Vargas", "James Whitley"], names


def test_the_page_of_a_liaison_who_left_gives_their_last_interaction_at_each_practice(tmp_path):
    """Lena Brooks leaves: her page's table of the practices her interactions concern gives
    the day of her last interaction at each, her call of Thu 26 Nov at Mountain View (her
    first there was in 2025), Fri 6 Nov at French Broad Podiatry, Mon 23 Nov at Hendersonville
    (a mutant giving the first interaction's day went unnoticed)."""
    from htmltree import parse

    out = _build_example(tmp_path, _lena_leaves_mountain_view_to_kim)
    page = parse(out / "team" / "lena-brooks" / "index.html")
    table = next(t for t in page.all("table") if "Their last interaction there" in t.text())
    rows = {tr.all("td")[0].text(): tr.all("td")[1].text() for tr in table.all("tbody")[0].all("tr")}
    assert rows == {"French Broad Podiatry": "Fri 6 Nov",
                    "Hendersonville Women's Health": "Mon 23 Nov",
                    "Mountain View Family Medicine": "Thu 26 Nov"}, rows


def test_a_lapsed_training_not_for_their_role_is_not_an_alarm_on_their_page(tmp_path):
    """A guide not for a member's role that they took years ago (a liaison who has left and is
    now `other`, a front-desk member who sat in on a liaison course): the matrix reads "not
    required; taken …"; their own page said "expired", a red badge, for what nobody requires
    of them. It reads "not required", as the matrix does; one for their role still expires."""
    from htmltree import parse

    def edit(root):
        (root / "content" / "training" / "office-visits.md").write_text(
            "---\ntitle: Office visits\naudience: liaison\nrenew_every_days: 365\n---\n# Visits\n",
            encoding="utf-8")
        (root / "data" / "team" / "dana-reyes.yaml").write_text(
            "name: Dana Reyes\nrole: front-desk\ntrainings:\n"
            "  - {guide: office-visits, completed: 2024-02-05, score: 80}\n"
            "  - {guide: referral-source-basics, completed: 2024-01-10, score: 60}\n",
            encoding="utf-8")

    out = _build_example(tmp_path, edit)
    table = parse(out / "training" / "index.html").by_id("matrix-table")
    titles = [th.text().rstrip(" ↕") for th in table.all("th")][1:]
    row = next(tr for tr in table.all("tbody")[0].all("tr") if "Dana Reyes" in tr.text())
    cells = dict(zip(titles, [td.text() for td in row.all("td")[1:]]))
    assert "not required" in cells["Office visits"] and "expired" not in cells["Office visits"]
    states = {row[0]: row[3] for row in _trainings_rows(out)}
    assert states == {"Office visits": "not required",
                      'Asking "How did you hear about us?"': "expired"}, states


def test_the_team_lists_count_the_trainings_the_member_page_lists_as_taken(tmp_path):
    """team/'s Trainings column counted every record: a training dated after the as-of date
    (the matrix: missing; the member's page: "after the as-of date") and one written twice
    made Dana's 2 trainings read 4."""
    from htmltree import parse

    def edit(root):
        (root / "data" / "team" / "dana-reyes.yaml").write_text(
            "name: Dana Reyes\nrole: front-desk\ntrainings:\n"
            "  - {guide: referral-source-basics, completed: 2024-01-10, score: 60}\n"
            "  - {guide: referral-source-basics, completed: 2026-03-02, score: 95}\n"
            "  - {guide: referral-source-basics, completed: 2026-03-02, score: 95}\n"
            "  - {guide: referral-source-basics, completed: 2027-01-15}\n", encoding="utf-8")

    out = _build_example(tmp_path, edit)
    team = parse(out / "team" / "index.html")
    row = next(tr for tr in team.all("tr") if "Dana Reyes" in tr.text())
    assert [td.text() for td in row.all("td")] == ["Dana Reyes", "front desk", "2"]


def test_a_guides_footnotes_lead_to_their_notes_and_its_tables_keep_their_alignment():
    """Footnotes: the number links to the note and the note's ↩ back (their ids kept, and no
    other id on those tags); a column written |:-:| or |--:| keeps its alignment."""
    from liaison.content import MarkdownRenderer, sanitize

    html, _toc = MarkdownRenderer().document(
        "HIPAA[^1] applies.\n\n| Step | Time |\n|:----:|-----:|\n| 1 | 2 min |\n\n"
        '<sup id="main">x</sup>\n\n[^1]: Enacted in 1996.\n')
    assert '<sup id="fnref:1"><a href="#fn:1"' in html
    assert '<li id="fn:1">' in html and 'href="#fnref:1"' in html
    assert '<sup id="main">' not in html and "<sup>x</sup>" in html
    assert '<th align="center">Step</th>' in html and '<td align="right">2 min</td>' in html
    # a record's notes and slides (many on one page) keep no footnote ids
    assert "id=" not in sanitize('<sup id="fnref:1">1</sup><li id="fn:1">x</li>')


def test_the_practice_directory_and_data_quality_list_practices_by_name(tmp_path):
    """A practice's file name need not be its name: the directory (as its Practice column
    sorts, by the name in lower case) and data quality's practices without a liaison come by
    name, not by file name ("zero.yaml" holding Alpha Clinic came last)."""
    from conftest import one_physician_site
    from liaison import pages
    from liaison.pipeline import check

    root = one_physician_site(tmp_path / "site", "- {date: 2026-11-02, liaison: lou, "
                              "type: call, practice: solo, summary: Called.}\n")
    for pid, name in [("zero", "alpha Clinic"), ("aaa", "Zenith Health"),
                      ("mid", "Meadow Family Practice")]:
        (root / "data" / "practices" / f"{pid}.yaml").write_text(f"name: {name}\n",
                                                                 encoding="utf-8")
    checked = check(root, AS_OF, keep_records=True)
    assert checked.ok
    view = pages.SiteView(checked.site, checked.stats, AS_OF)
    planned = pages.plan(view)
    directory = pages.context(view, next(p for p in planned if p.kind == "practices"))
    expected = ["alpha Clinic", "Meadow Family Practice", "Solo Clinic", "Zenith Health"]
    assert [r["name"] for r in directory["rows"]] == expected
    quality = pages.context(view, next(p for p in planned if p.kind == "data-quality"))
    assert [r["name"] for r in quality["practices_no_liaison"]] == expected


def test_a_name_with_an_accent_sorts_with_its_plain_letter(tmp_path):
    """Álvarez comes between Abel and Baker, not after Zimmer; Élan Clinic between Acorn and
    Fern (code-point order put every accented first letter after z): in the directories'
    order and in the sort keys their Name and Practice columns sort by."""
    from conftest import one_physician_site
    from liaison import pages
    from liaison.names import sort_key
    from liaison.pipeline import check

    assert sort_key("Ángela Álvarez") == "alvarez angela"
    root = one_physician_site(tmp_path / "site", "- {date: 2026-11-02, liaison: lou, "
                              "type: call, practice: solo, summary: Called.}\n")
    for pid, name in [("elan", "Élan Clinic"), ("acorn", "Acorn Clinic"), ("fern", "Fern Clinic")]:
        (root / "data" / "practices" / f"{pid}.yaml").write_text(f"name: {name}\n",
                                                                 encoding="utf-8")
    for pid, name, practice in [("alvarez", "Ángela Álvarez", "elan"), ("abel", "Ada Abel", "acorn"),
                                ("baker", "Bo Baker", "fern"), ("zimmer", "Zed Zimmer", "fern")]:
        (root / "data" / "physicians" / f"{pid}.yaml").write_text(
            f"name: {name}\nspecialty: Family medicine\npractice: {practice}\n", encoding="utf-8")
    checked = check(root, AS_OF, keep_records=True)
    assert checked.ok
    view = pages.SiteView(checked.site, checked.stats, AS_OF)
    planned = pages.plan(view)
    docs = pages.context(view, next(p for p in planned if p.kind == "physicians"))["rows"]
    assert [r["id"] for r in docs] == ["abel", "alvarez", "baker", "ida-lone", "zimmer"]
    assert [r["sort_name"] for r in docs] == sorted(r["sort_name"] for r in docs)
    assert [r["practice_sort"] for r in docs][:2] == ["acorn clinic\tacorn", "elan clinic\telan"]
    places = pages.context(view, next(p for p in planned if p.kind == "practices"))["rows"]
    assert [r["name"] for r in places] == ["Acorn Clinic", "Élan Clinic", "Fern Clinic",
                                           "Solo Clinic"]
    assert [r["sort_name"] for r in places] == sorted(r["sort_name"] for r in places)


def test_names_sort_as_a_person_reads_them_in_every_list(tmp_path):
    """Ødegård under O and Đỗ under D, not after Z (NFKD leaves ø, đ, ł whole: the sort key
    spells them as search does); O’Sullivan (a curly apostrophe) beside O'Sullivan, before
    Ortiz; and the lists that sorted by the name as written (the activity and follow-up
    filters' liaisons and practices, the follow-up calendars, a deck's practices) put Élan
    Clinic and Ōkubo after Zephyr: they come in the order of the folded name too (people by
    last name, as every list of them)."""
    from conftest import one_physician_site
    from liaison import pages
    from liaison.names import sort_key
    from liaison.pipeline import check

    names = ["Søren Ødegård", "Anh Đỗ", "Siobhán O’Sullivan", "Pat O'Sullivan", "Ana Ortiz",
             "Zed Zimmer", "Bo Baker", "Łukasz Nowak"]
    assert sorted(names, key=sort_key) == ["Bo Baker", "Anh Đỗ", "Łukasz Nowak", "Søren Ødegård",
                                           "Ana Ortiz", "Pat O'Sullivan", "Siobhán O’Sullivan",
                                           "Zed Zimmer"]
    root = one_physician_site(tmp_path / "site", "- {date: 2026-11-02, liaison: lou, "
                              "type: call, practice: zz-elan, summary: Called.,\n"
                              "   follow_ups: [{task: Send it, due: 2026-12-20, owner: hana},\n"
                              "                {task: Call back, due: 2026-12-21}]}\n"
                              "- {date: 2026-11-03, liaison: lou, type: call, practice: zephyr,"
                              " summary: Called., follow_ups: [{task: Fax it, due: 2026-12-22}]}\n")
    # (Élan's id sorts after Zephyr's: a list by id would show it last)
    for pid, name in [("zz-elan", "Élan Clinic"), ("zephyr", "Zephyr Clinic")]:
        (root / "data" / "practices" / f"{pid}.yaml").write_text(f"name: {name}\n",
                                                                 encoding="utf-8")
    (root / "data" / "team" / "hana.yaml").write_text("name: Hana Ōkubo\nrole: liaison\n",
                                                      encoding="utf-8")
    checked = check(root, AS_OF, keep_records=True)
    assert checked.ok, checked
    view = pages.SiteView(checked.site, checked.stats, AS_OF)
    team_options, practice_options = view.filter_options
    assert [o["label"] for _, o in team_options] == ["Hana Ōkubo", "Lou Park"]
    assert [o["label"] for _, o in practice_options] == ["Élan Clinic", "Solo Clinic",
                                                         "Zephyr Clinic"]
    follow = pages.context(view, next(p for p in pages.plan(view) if p.kind == "follow-ups"))
    assert [c["label"] for c in follow["owner_choices"]] == ["Hana Ōkubo", "Lou Park"]
    assert [c["label"] for c in follow["practice_choices"]] == ["Élan Clinic", "Zephyr Clinic"]
    assert [c["name"] for c in follow["calendars"]] == ["Hana Ōkubo", "Lou Park"]


@pytest.mark.parametrize("name, key", [
    ("Dr. Anil Kapoor", "kapoor anil"),            # a title is left out
    ("Prof. Mx. Lee Chu", "chu lee"),
    ("John Smith Jr.", "smith john"),              # so is a generational suffix
    ("Anil Kapoor, Jr.", "kapoor anil"),           # after a comma too
    ("Smith Jr.", "smith"),                        # a suffix after one word
    ("Ludwig van Beethoven", "van beethoven ludwig"),  # a particle goes with its name
    ("Maria de la Cruz", "de la cruz maria"),
    ("Van Morrison", "morrison van"),              # a first name is no particle
    ("Cher", "cher"),
    ("Dr. Cher", "cher"),
    ("Mary-Kate Olsen-Ruiz", "olsen-ruiz mary-kate"),
    ("Pat D`Angelo", "dangelo pat"),               # a backtick is an apostrophe, as in D'Angelo
])
def test_the_sort_key_is_the_last_name_first_without_titles_or_suffixes(name, key):
    """liaison.names.sort_key as its docstring says: the directories list "Dr. Anil Kapoor"
    under K, "Ludwig van Beethoven" under V, "John Smith Jr." under S."""
    from liaison.names import sort_key

    assert sort_key(name) == key


def test_data_quality_lists_physicians_by_last_name(tmp_path):
    """Data quality's lists of physicians (without an NPI, a tier, a liaison, never contacted)
    come by last name, as the directory does, not by file name ("winona-castellanos.yaml"
    after "desmond-farraday.yaml" put Castellanos below Farraday)."""
    from conftest import one_physician_site
    from liaison import pages
    from liaison.pipeline import check

    root = one_physician_site(tmp_path / "site", "- {date: 2026-11-02, liaison: lou, "
                              "type: call, practice: solo, summary: Called.}\n")
    for pid, name in [("desmond-farraday", "Desmond Farraday"), ("a-zed", "Amy Zed"),
                      ("winona-castellanos", "Winona Castellanos")]:
        (root / "data" / "physicians" / f"{pid}.yaml").write_text(
            f"name: {name}\nspecialty: Family medicine\npractice: solo\n", encoding="utf-8")
    checked = check(root, AS_OF, keep_records=True)
    assert checked.ok
    view = pages.SiteView(checked.site, checked.stats, AS_OF)
    quality = pages.context(view, next(p for p in pages.plan(view) if p.kind == "data-quality"))
    expected = ["Winona Castellanos", "Desmond Farraday", "Ida Lone", "Amy Zed"]
    for part in ("no_npi", "no_tier", "no_liaison", "never_contacted"):
        assert [r["name"] for r in quality[part]] == expected, part


def test_data_quality_lists_physician_referrals_perhaps_entered_twice(tmp_path):
    """The coordinator types a fax into the month's sheet and writes it again with `liaison
    new referral`: the same physician, date and service in two files counted twice with
    nothing said. Data quality lists it with where each row is; rows of one file (two
    patients sent that day) and other sources are left alone."""
    from conftest import one_physician_site
    from liaison import pages
    from liaison.pipeline import check

    root = one_physician_site(tmp_path / "site", "- {date: 2026-11-02, liaison: lou, "
                              "type: call, practice: solo, summary: Called.}\n")
    (root / "data/referrals/2026/11").mkdir(parents=True)
    (root / "data/referrals/2026-11.csv").write_text(
        "date,source,physician,service,status,count\n"
        "2026-11-03,physician,ida-lone,ablation,scheduled,\n"
        "2026-11-04,physician,ida-lone,ablation,,\n"
        "2026-11-04,physician,ida-lone,ablation,,2\n"  # one sheet: two patients, not a double
        "2026-11-05,web,,ablation,,\n", encoding="utf-8")
    (root / "data/referrals/2026/11/03-ida-lone.yaml").write_text(
        "- {date: 2026-11-03, source: physician, physician: ida-lone, service: ablation}\n",
        encoding="utf-8")
    (root / "data/referrals/2026/11/05-web.yaml").write_text(
        "- {date: 2026-11-05, source: web, service: ablation}\n", encoding="utf-8")
    checked = check(root, AS_OF, keep_records=True)
    assert checked.ok
    view = pages.SiteView(checked.site, checked.stats, AS_OF)
    quality = pages.context(view, next(p for p in pages.plan(view) if p.kind == "data-quality"))
    assert [(e["date"], e["physician"]["name"], e["service"], e["referrals"], e["where"])
            for e in quality["double_entries"]] == [
        (dt.date(2026, 11, 3), "Ida Lone", "Ablation", 2,
         ["data/referrals/2026-11.csv:2", "data/referrals/2026/11/03-ida-lone.yaml [0]"])]


def test_the_page_of_a_liaison_who_left_says_so_and_offers_no_visit_log(tmp_path):
    """Lena Brooks left (`role: other`); Kim Ruiz took one of her practices. Her page still
    had the "Log a visit" button (a visit logged in her name) and said nothing of her leaving.
    It says her role is no liaison's, the last day she logged an interaction (the records
    keep no date of leaving) and, for each practice her interactions concern, its liaison
    today, hers still where the hand-over forgot it."""
    from htmltree import parse
    from liaison.derived import practices_of
    from liaison.pipeline import check

    def edit(root):
        (root / "site.yaml").write_text((root / "site.yaml").read_text(encoding="utf-8")
                                        + "repository:\n  web_url: https://github.com/example/"
                                        "records\n  branch: main\n", encoding="utf-8")
        _lena_leaves_mountain_view_to_kim(root)

    out = _build_example(tmp_path, edit)
    site = check(SPEC_EXAMPLE, AS_OF, keep_records=True).site
    hers = [r for r in site.interactions if r.liaison == "lena-brooks" and r.date <= AS_OF]
    concerned = {p for r in hers for p in practices_of(r, site.physicians)}
    page = parse(out / "team" / "lena-brooks" / "index.html")
    assert not [a for a in page.all("a") if "log/index.html" in a.attrs.get("href", "")]
    card = page.by_id("left-role")
    assert card is not None
    text = " ".join(card.text().split())
    last = max(r.date for r in hers)
    assert f"{len(hers)} interactions in all" in text, text
    assert card.all("p")[0].all("time")[0].attrs.get("datetime") == last.isoformat()
    rows = {tr.all("td")[0].text().strip(): tr.all("td")[2].text().strip()
            for tr in card.all("tbody")[0].all("tr")}
    assert set(rows) == {site.practices[p].name for p in concerned}, rows
    assert rows.get("Mountain View Family Medicine") == "Kim Ruiz"
    assert rows.get("French Broad Podiatry") == "still Lena Brooks"
    # a liaison's page keeps its button, and has no such card
    kim = parse(out / "team" / "kim-ruiz" / "index.html")
    assert kim.by_id("left-role") is None
    assert [a for a in kim.all("a") if "log/index.html" in a.attrs.get("href", "")]


def test_a_member_of_role_other_whom_no_file_names_as_liaison_is_not_said_to_have_left(tmp_path):
    """Role ``other`` is a liaison's who left and any other staff member's (a marketing
    coordinator who logs a lunch): the card said "Not a liaison now", "the mark of a liaison
    who left the role", of both. The records tell them apart only while a practice or a
    physician still names them as liaison: then the card says they left; else it says only
    what holds of both."""
    from htmltree import parse

    def edit(root):
        member = root / "data" / "team" / "lena-brooks.yaml"
        member.write_text(member.read_text(encoding="utf-8").replace("role: liaison",
                                                                     "role: other"))
        (root / "data" / "team" / "tess-okafor.yaml").write_text("name: Tess Okafor\nrole: other\n")
        (root / "data" / "interactions" / "lunch.yaml").write_text(
            "- date: 2026-11-20\n  liaison: tess-okafor\n  type: lunch\n"
            "  practice: french-broad-podiatry\n  summary: Brought lunch for the front desk.\n")

    out = _build_example(tmp_path, edit)

    def card(tid):
        page = parse(out / "team" / tid / "index.html")
        found = page.by_id("left-role")
        assert found is not None, tid
        return found.all("h2")[0].text().strip(), " ".join(found.text().split())

    heading, text = card("tess-okafor")
    assert heading == "Not a liaison" and "left" not in text, text
    assert "1 interaction in all" in text and "French Broad Podiatry" in text
    # Lena Brooks's practices and physicians still name her: she was one, and left
    heading, text = card("lena-brooks")
    assert heading == "Not a liaison now" and "liaison who left the role" in text, text


def test_a_members_page_links_the_visits_they_logged_before_the_last_90_days(tmp_path):
    """Lena Brooks left (`role: other`, her file kept for the visits she logged, as the
    README advises: "their page keeps their visits"). Her page listed only the last 90 days,
    then "Nothing logged in the last 90 days." with no way to the visits she logged before."""
    from htmltree import parse
    from liaison.pipeline import check

    def edit(root):
        member = root / "data" / "team" / "lena-brooks.yaml"
        member.write_text(member.read_text().replace("role: liaison", "role: other"))

    out = _build_example(tmp_path, edit)
    site = check(SPEC_EXAMPLE, AS_OF, keep_records=True).site
    older = sorted((r for r in site.interactions if r.liaison == "lena-brooks"
                    and (AS_OF - r.date).days >= 90), key=lambda r: r.date, reverse=True)
    assert older
    page = parse(out / "team" / "lena-brooks" / "index.html")
    card = next(s for s in page.all("section") if "Activity in the last 90 days" in s.text())
    text = " ".join(card.text().split())
    assert f"{len(older)} earlier interaction" in text, text
    link = next(a for a in card.all("a") if "activity/" in a.attrs.get("href", ""))
    href = link.attrs["href"]
    assert href.startswith(f"../../activity/{older[0].date:%Y-%m}/index.html#activity.liaison=")
    assert (out / "team" / "lena-brooks" / href.split("#")[0]).resolve().is_file()


def test_a_training_is_current_on_its_last_day_and_expired_the_day_after(tmp_path):
    """At the as-of date (Thu 26 Nov 2026), a training of a guide renewed every 365 days taken
    Wed 26 Nov 2025 is on its last current day: the matrix says completed, due soon, renew by
    Thu 26 Nov, and the renewals list has it; one taken a day earlier (Tue 25 Nov 2025) expired
    yesterday. (A mutant that made a training expire on its last current day went unnoticed:
    no test had a renewal falling due on the as-of date.)"""
    from htmltree import parse

    def edit(root):
        _fire_safety_guide(root)
        (root / "data" / "team" / "dana-reyes.yaml").write_text(
            "name: Dana Reyes\nrole: front-desk\ntrainings:\n"
            "  - {guide: fire-safety, completed: 2025-11-26, score: 80}\n"  # last day: today
            "  - {guide: referral-source-basics, completed: 2025-11-25, score: 70}\n",  # yesterday
            encoding="utf-8")

    out = _build_example(tmp_path, edit)
    index = parse(out / "training" / "index.html")
    matrix = index.by_id("matrix-table")
    titles = [th.text().rstrip(" ↕") for th in matrix.all("th")][1:]
    row = next(tr for tr in matrix.all("tbody")[0].all("tr") if "Dana Reyes" in tr.text())
    cells = dict(zip(titles, [td.text() for td in row.all("td")[1:]]))
    assert cells == {"Fire safety": "completed due soonWed 26 Nov 2025 · score 80renew by Thu 26 Nov",
                     'Asking "How did you hear about us?"':
                     "expiredrenewal was due Wed 25 Nov; taken Tue 25 Nov 2025"}, cells
    table = index.by_id("renewals").all("table")[0]
    rows = [[td.text() for td in tr.all("td")] for tr in table.all("tbody")[0].all("tr")]
    assert [r[:3] for r in rows] == [["Thu 26 Nov", "Dana Reyes front desk", "Fire safety"]], rows
    # Lena Brooks and Owen Price never took Fire safety (for all): 2 missing; Dana's 1 expired
    assert "2 missing and 1 expired" in index.all("p")[0].text()


def test_of_two_renewals_written_ahead_the_renewals_list_names_the_first(tmp_path):
    """A renewal due Sun 20 Dec with sessions written for Tue 15 Dec and Sun 10 Jan 2027 (both
    after the as-of date) says the first, which is the one that renews it in time (a mutant
    naming the last went unnoticed: no test had two)."""
    from htmltree import parse

    def edit(root):
        _fire_safety_guide(root)
        (root / "data" / "team" / "dana-reyes.yaml").write_text(
            "name: Dana Reyes\nrole: front-desk\ntrainings:\n"
            "  - {guide: referral-source-basics, completed: 2026-03-02}\n"
            "  - {guide: fire-safety, completed: 2027-01-10}\n"
            "  - {guide: fire-safety, completed: 2025-12-20, score: 90}\n"
            "  - {guide: fire-safety, completed: 2026-12-15}\n", encoding="utf-8")

    out = _build_example(tmp_path, edit)
    table = parse(out / "training" / "index.html").by_id("renewals").all("table")[0]
    rows = [[td.text() for td in tr.all("td")] for tr in table.all("tbody")[0].all("tr")]
    assert rows == [["Sun 20 Dec", "Dana Reyes front desk", "Fire safety", "Sat 20 Dec 2025 · score 90"
                     "renewal written for Tue 15 Dec, after the as-of date: not counted until then"]], rows


def test_a_call_plan_weighs_an_overdue_visit_over_declining_over_lapsed_over_a_follow_up():
    """README (team/<id>/): the call plan is "ordered by what needs attention: overdue visit
    ..., declining, lapsed, open follow-ups". ``attention`` scores them 4, 3, 2 and 1 and adds
    them up (a mutant scoring an overdue visit 2, below a declining referrer, and one
    scoring a follow-up 0 went unnoticed: the example's plans keep their order either way)."""
    from types import SimpleNamespace

    from liaison.pages.team import attention

    def stats(**kw):
        return SimpleNamespace(**{"visit_overdue": False, "declining": False,
                                  "status": "active", "potential": None, **kw})

    view = SimpleNamespace(
        stats=SimpleNamespace(physicians={
            "overdue": stats(visit_overdue=True), "declining": stats(declining=True),
            "lapsed": stats(status="lapsed"), "promised": stats(), "quiet": stats(),
            "all": stats(visit_overdue=True, declining=True, status="lapsed")}),
        fu_by_doc={"promised": ["a follow-up"], "all": ["one", "two"]})
    scores = {pid: attention(view, pid)[0] for pid in view.stats.physicians}
    assert scores == {"overdue": 4, "declining": 3, "lapsed": 2, "promised": 1, "quiet": 0,
                      "all": 10}
    assert [r["text"] for r in attention(view, "all")[1]] == [
        "visit overdue", "declining", "lapsed", "2 open follow-ups"]


def test_a_call_plan_lists_the_practice_that_needs_most_attention_first(tmp_path):
    """Lena Brooks's plan in the example: Mountain View first (Marcus Bell: visit overdue,
    declining and an open follow-up, 8), then French Broad Podiatry (Alan Cho lapsed, 2),
    then Hendersonville Women's Health (Nina Vargas's open follow-ups, 1), not A to Z (a
    mutant ordering the practices by name went unnoticed)."""
    import re

    out = _build_example(tmp_path, lambda root: None)
    html = (out / "team" / "lena-brooks" / "index.html").read_text(encoding="utf-8")
    plan = re.findall(r'<h3><a href="\.\./\.\./practices/([a-z-]+)/index\.html">', html)
    assert plan[:3] == ["mountain-view-family-medicine", "french-broad-podiatry",
                        "hendersonville-womens-health"], plan


def test_a_call_plan_lists_physicians_in_equal_need_by_referrals_before_their_names(tmp_path):
    """README (team/<id>/): "in equal need the most referrals in the last 365 days first,
    then by last name". Aaron Abbot, new at Mountain View with no referral, needs Lena Brooks
    as little as Grace Holloway (7 referrals in 365 days): both score 0, so Holloway comes
    before him though A comes before H; Marcus Bell (visit overdue) leads (a mutant dropping
    the referrals from the tie-break went unnoticed: no practice of the example had two
    physicians in equal need)."""
    import re

    def abbot(root):
        (root / "data" / "physicians" / "aaron-abbot.yaml").write_text(
            "name: Aaron Abbot\ncredentials: MD\nspecialty: Family Medicine\n"
            "practice: mountain-view-family-medicine\n", encoding="utf-8")

    out = _build_example(tmp_path, abbot)
    html = (out / "team" / "lena-brooks" / "index.html").read_text(encoding="utf-8")
    plan = html[html.index("mountain-view-family-medicine/index.html"):
                html.index("french-broad-podiatry/index.html")]
    assert re.findall(r'physicians/([a-z-]+)/index\.html', plan) == [
        "marcus-bell", "grace-holloway", "aaron-abbot"], plan


@pytest.mark.parametrize("added, coverage", [
    (1, "3 of 5 60% of tiered physicians seen on cadence"),
    (4, "3 of 8 38% of tiered physicians seen on cadence"),
])
def test_tier_coverage_is_a_percentage_from_five_tiered_physicians_rounded_half_up(
        tmp_path, added, coverage):
    """README (team/<id>/): tier coverage is a percentage "from 5 of them ..., rounded half
    away from zero as the site's other whole percentages: 5 of 8 is 63%". Lena Brooks's 4
    tiered physicians (3 seen on cadence) and 1 or 4 more, tier B, never visited: 3 of 5 is
    60%, 3 of 8 (37.5%) is 38% (mutants rounding it down and starting the percentage at 6
    went unnoticed: the example's 4 tiered physicians show no percentage)."""
    import re

    def more(root):
        for i in range(added):
            (root / "data" / "physicians" / f"tiered-{i}.yaml").write_text(
                f"name: Sam Tiered{chr(65 + i)}\ncredentials: MD\nspecialty: Family Medicine\n"
                "practice: mountain-view-family-medicine\ntier: B\n", encoding="utf-8")

    out = _build_example(tmp_path, more)
    html = (out / "team" / "lena-brooks" / "index.html").read_text(encoding="utf-8")
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert f"Tier coverage {coverage}" in text, text[:2000]


@pytest.mark.parametrize("rows, said", [
    (4, "3 of 4 new patients they took that no physician sent have their answer"),
    (5, "80.0% of the 5 new patients they took that no physician sent have their answer"),
])
def test_a_members_capture_is_a_percentage_from_five_new_patients(tmp_path, rows, said):
    """README (team/<id>/): a member's own source capture reads as a count under 5 new
    patients and as a percentage from 5. Dana Reyes, new at the front desk, takes 4 or 5, one
    with source unknown: 3 of 4, then 80.0% of 5 (a mutant starting the percentage at 6 went
    unnoticed: the example's Owen Price takes 6)."""
    import re

    def more(root):
        (root / "data" / "team" / "dana-reyes.yaml").write_text(
            "name: Dana Reyes\nrole: front-desk\n", encoding="utf-8")
        (root / "data" / "referrals" / "front-desk-more.csv").write_text(
            "source,date,physician,service,status,taken_by\n"
            "unknown,2026-11-02,,sclerotherapy,,dana-reyes\n"
            + "".join(f"web,2026-11-{day:02},,sclerotherapy,,dana-reyes\n"
                      for day in range(3, 2 + rows)), encoding="utf-8")

    out = _build_example(tmp_path, more)
    html = (out / "team" / "dana-reyes" / "index.html").read_text(encoding="utf-8")
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert said in text, text[text.find("Source capture"):][:400]


@pytest.mark.parametrize("before, said", [
    (4, "over 1 visit: referrals before → after"),
    (5, "+20% · over 1 visit: referrals before → after"),
])
def test_a_liaisons_return_on_visit_is_a_percentage_from_five_referrals_before(
        tmp_path, before, said):
    """README (team/<id>/): return on visit's change reads as a percentage only on a base of 5
    referrals or more. Kim Ortega, a new liaison, visited Dr. Ada Brandt (of a practice of
    hers) once, 100 days before the as-of date: 4 or 5 referrals in the 90 days before, 6 in
    the 90 days from it: "4 → 6" with no percentage, "5 → 6" with "+20%" (a mutant starting
    the percentage at 6 went unnoticed: no tested liaison's visits had 5 before)."""
    import re

    visit = AS_OF - dt.timedelta(days=100)

    def more(root):
        data = root / "data"
        (data / "team" / "kim-ortega.yaml").write_text("name: Kim Ortega\nrole: liaison\n",
                                                       encoding="utf-8")
        visited_once(root, "ada-brandt", "kim-ortega", visit)
        days = [-10 - i for i in range(before)] + [10 + i for i in range(6)]
        (data / "referrals" / "brandt.csv").write_text(
            "source,date,physician,service,status\n" + "".join(
                f"physician,{(visit + dt.timedelta(days=d)).isoformat()},ada-brandt,"
                "vein-ablation,referred\n" for d in days), encoding="utf-8")

    out = _build_example(tmp_path, more)
    html = (out / "team" / "kim-ortega" / "index.html").read_text(encoding="utf-8")
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    at = text.index("Return on visit")
    assert f"Return on visit {before} → 6 {said}" in text, text[at:at + 200]
    # one visit, said as one ("for each of their 1 in-person visit" read as a slip)
    assert "Return on visit: for their one in-person visit 90 to 454 days old, the physician " \
           "referrals of the people visited in the 90 days before" in text, text[at:at + 400]


@pytest.mark.parametrize("planned, said", [
    (0, "visit planned Thu 26 Nov"),
    (-1, "planned visit missed Wed 25 Nov"),
])
def test_a_visit_planned_for_the_as_of_date_is_not_missed(tmp_path, planned, said):
    """A visit planned at a practice's latest interaction stands on its day: planned for the
    as-of date, it is still ahead (the practice's brief and the call plan say "visit
    planned"); planned for the day before with no contact since, it is missed (a mutant
    reading a visit planned for the as-of date as missed went unnoticed: the example's plans
    are days away). Hendersonville's latest interaction, Lena Brooks's email of 23 November,
    plans it."""
    import re

    def plan(root):
        path = root / "data" / "interactions" / "2026" / "11" / "2026-11-23-vargas-email.yaml"
        path.write_text(path.read_text(encoding="utf-8") + "next_visit: "
                        f"{(AS_OF + dt.timedelta(days=planned)).isoformat()}\n", encoding="utf-8")

    out = _build_example(tmp_path, plan)
    brief = (out / "practices" / "hendersonville-womens-health" / "index.html").read_text(encoding="utf-8")
    text = " ".join(re.sub(r"<[^>]+>", " ", brief).split())
    assert f"3 days ago · {said}" in text, text[text.find("days ago ·"):][:200]
    lena = (out / "team" / "lena-brooks" / "index.html").read_text(encoding="utf-8")
    group = lena[lena.index("hendersonville-womens-health/index.html"):]
    group = group[:group.index("</ul>")]
    assert ("planned visit missed" in group) == (planned < 0), group
    assert ("Visit planned" in group) == (planned == 0), group


def test_the_team_list_and_the_training_matrix_come_by_last_name(tmp_path):
    """team/ and the training matrix list people by last name: Aaron Young, added to the
    example's Lena Brooks and Owen Price, comes last though his id comes first (mutants
    listing either by id went unnoticed: the example's ids and last names sort alike)."""
    import re

    from htmltree import parse

    def young(root):
        (root / "data" / "team" / "aaron-young.yaml").write_text(
            "name: Aaron Young\nrole: front-desk\n", encoding="utf-8")

    out = _build_example(tmp_path, young)
    team = (out / "team" / "index.html").read_text(encoding="utf-8")
    listed = list(dict.fromkeys(re.findall(r'href="\.\./team/([a-z-]+)/index\.html"', team)))
    assert listed == ["lena-brooks", "owen-price", "aaron-young"], listed
    matrix = parse(out / "training" / "index.html").by_id("matrix-table")
    rows = [tr.text() for tr in matrix.all("tbody")[0].all("tr")]
    names = [name for row in rows for name in ("Lena Brooks", "Owen Price", "Aaron Young")
             if name in row]
    assert names == ["Lena Brooks", "Owen Price", "Aaron Young"], rows


def test_a_planned_visit_missed_weighs_as_an_overdue_visit_in_the_call_plan(tmp_path):
    """README (team/<id>/): the call plan is ordered by what needs attention, "overdue visit or
    planned visit missed" first. Hendersonville (Nina Vargas's open follow-ups: 1) with a visit
    planned for Wed 25 Nov at its latest interaction, and no contact since, needs as much as an
    overdue visit (4): it comes before French Broad Podiatry (Alan Cho lapsed: 2), after
    Mountain View (8) (a mutant giving a missed plan no weight went unnoticed: the example's
    plans are ahead)."""
    import re

    def plan(root):
        path = root / "data" / "interactions" / "2026" / "11" / "2026-11-23-vargas-email.yaml"
        path.write_text(path.read_text(encoding="utf-8") + "next_visit: 2026-11-25\n",
                        encoding="utf-8")

    out = _build_example(tmp_path, plan)
    html = (out / "team" / "lena-brooks" / "index.html").read_text(encoding="utf-8")
    order = re.findall(r'<h3><a href="\.\./\.\./practices/([a-z-]+)/index\.html">', html)
    assert order[:3] == ["mountain-view-family-medicine", "hendersonville-womens-health",
                         "french-broad-podiatry"], order


def test_the_presentations_list_names_a_decks_practices_by_name_not_id(tmp_path):
    """The presentations list names the practices a deck is customized for by name: Pisgah
    Pediatrics, added to the example's Venous disease basics with the id
    asheville-pisgah-pediatrics, comes after Hendersonville and Mountain View (a mutant
    listing them by id went unnoticed: the tested sites' ids and names sorted alike)."""
    from htmltree import parse

    def pisgah(root):
        (root / "data" / "practices" / "asheville-pisgah-pediatrics.yaml").write_text(
            "name: Pisgah Pediatrics\ncity: Asheville\nstate: NC\n", encoding="utf-8")
        deck = root / "content" / "presentations" / "venous-basics.md"
        deck.write_text(deck.read_text(encoding="utf-8").replace(
            "targets: [mountain-view-family-medicine, hendersonville-womens-health]",
            "targets: [mountain-view-family-medicine, hendersonville-womens-health, "
            "asheville-pisgah-pediatrics]"), encoding="utf-8")

    out = _build_example(tmp_path, pisgah)
    card = parse(out / "presentations" / "index.html").all("section", "card")[0]
    names = [a.text() for a in card.all("p", "muted")[0].all("a")]  # (3: not folded)
    assert names == ["Hendersonville Women's Health", "Mountain View Family Medicine",
                     "Pisgah Pediatrics"], names
