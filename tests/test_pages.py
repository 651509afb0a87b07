"""The page registry (liaison/pages/): what each kind of page declares is what it does."""
from __future__ import annotations

import datetime as dt

import pytest

from conftest import REPO, SPEC_EXAMPLE

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
    assert beside == {"deck", "search", "log"}
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


def test_the_activity_months_count_their_in_person_interactions():
    """The activity log's table of months: each month's interactions and those in person
    (derived.in_person), counted as the records say."""
    import datetime as dt

    from liaison.derived import in_person
    from liaison.pages.activity import _in_person
    from liaison.models import Interaction

    def made(kind: str) -> Interaction:
        return Interaction.model_construct(type=kind, date=dt.date(2026, 11, 2))

    kinds = ["visit", "call", "lunch", "email", "presentation", "event", "visit", "call"]
    records = [made(kind) for kind in kinds]
    assert _in_person(records) == sum(map(in_person, records)) == 5
    assert _in_person([]) == 0


def test_the_activity_filter_offers_the_liaisons_and_practices_of_its_interactions():
    """An activity page's filter: the liaisons who logged its interactions and the practices
    they concern (derived.practices_of: their practice, then their physicians'), each once,
    by name; unknown ids offer nothing."""
    from types import SimpleNamespace as NS

    from liaison.derived import practices_of
    from liaison.models import Interaction
    from liaison.pages.activity import choices
    from liaison.pages.base import practice_href

    site = NS(team={"t-ann": NS(name="Ann Zorn"), "t-bo": NS(name="Bo Adler")},
              practices={"p-oak": NS(name="Oak Clinic"), "p-elm": NS(name="Elm Family"),
                         "p-ash": NS(name="Ash Vein")},
              physicians={"d-one": NS(practice="p-elm"), "d-two": NS(practice="p-ash")})
    records = [Interaction.model_construct(liaison=t, practice=p, physicians=docs)
               for t, p, docs in [("t-ann", "p-oak", []), ("t-bo", None, ["d-one", "d-one"]),
                                  ("t-gone", "p-gone", ["d-gone"]), ("t-ann", None, [])]]
    found = choices(NS(site=site), records)
    assert found["liaison_choices"] == [
        {"value": "team/t-ann/index.html", "label": "Ann Zorn"},
        {"value": "team/t-bo/index.html", "label": "Bo Adler"}]
    assert found["practice_choices"] == [
        {"value": practice_href("p-elm"), "label": "Elm Family"},
        {"value": practice_href("p-oak"), "label": "Oak Clinic"}]
    assert {practice_href(p) for r in records for p in practices_of(r, site.physicians)
            if p in site.practices} == {c["value"] for c in found["practice_choices"]}
