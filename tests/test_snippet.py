"""liaison.render.interaction_item: the interaction snippet written in Python renders what the
built-in macros.html's ``interaction_item`` macro renders, for every branch of the macro; it
replaces only the built-in macro."""
from __future__ import annotations

import datetime as dt
import itertools
import shutil
from pathlib import Path
from types import SimpleNamespace

from markupsafe import Markup

from liaison import pages as reg
from liaison import pipeline, render
from liaison.pages.view import InteractionView, Refs
from liaison.trusted import Trusted

SAMPLE = Path(__file__).resolve().parent.parent  # the repository root is the sample site
AS_OF = dt.date(2026, 11, 26)
ODD = "Tom & Jerry <script>\"x\" 'y' ünïcödé —"


def _refs(kind: str, n: int) -> list:
    return [SimpleNamespace(href=f"{kind}/{k}/index.html?a=1&b=2", name=f"{kind} {k} {ODD}")
            for k in range(n)]


# each field of the view, with the values that take each branch of the macro (and text that
# needs escaping)
CHOICES = {
    "date": ["2026-11-20", "2019-01-02"],
    "type": ["visit", ODD],
    "in_person": [True, False],
    "liaison": [("Ann <Lee>", "team/t-1/index.html"), ("t-unknown", None), ("Bo", "")],
    "outcome": [None, "positive", ""],
    "cost": [None, "$12.50", ""],
    "summary": ["A visit", ODD],
    "practices": [0, 1, 3],
    "physicians": [0, 1, 2],
    "met_with": [[], ["Dana", ODD], [Markup("<em>Office</em> manager"), "Lee & co"]],
    "needs": [[], ["Faster scheduling", ODD]],
    "notes_html": [None, "", Markup("<p>Asked for <strong>forms</strong> &amp; more</p>")],
    "next_visit": [None, "2026-12-03", ""],
    "deck": [None, SimpleNamespace(title=ODD, href="presentations/intro/p-1/index.html")],
}


def _views():
    """Views of every combination of the branches that change the markup around each other
    (the rest varied one at a time over the first combination)."""
    names = list(CHOICES)
    first = {name: values[0] for name, values in CHOICES.items()}
    combos = [dict(zip(("practices", "physicians", "met_with", "deck", "liaison"), c))
              for c in itertools.product(CHOICES["practices"], CHOICES["physicians"],
                                         CHOICES["met_with"], CHOICES["deck"],
                                         CHOICES["liaison"])]
    combos += [{name: value} for name in names for value in CHOICES[name]]
    combos += [{name: values[-1] for name, values in CHOICES.items()}]
    for combo in combos:
        fields = dict(first, **combo)
        name, href = fields.pop("liaison")
        yield dict(fields, as_of=AS_OF.isoformat(), liaison_name=name, liaison_href=href,
                   practices=_refs("practices", fields["practices"]),
                   physicians=_refs("physicians", fields["physicians"]))


def test_the_python_snippet_renders_the_macros_bytes_in_every_branch():
    env = render.make_env(SAMPLE, None)
    assert type(env) is Trusted
    snippets = render.snippets_of(env)
    macro = snippets.ready()
    assert snippets.twin  # the built-in macros.html: the Python snippet renders it
    day = env.filters["day"]
    views = list(_views())
    assert len(views) > 100
    for fields in views:
        # the refs as lists of their own, and as shared lists that keep their links (Refs),
        # each base twice: the links kept for one base are never given for another
        shared = dict(fields, practices=Refs(fields["practices"]),
                      physicians=Refs(fields["physicians"]))
        for given in (fields, shared):
            for base in (snippets.BASE, "../../", 'x"<&') * 2:
                assert render.interaction_item(given, base, day) == str(macro(fields, base)), \
                    (given, base)


def test_the_snippets_fields_share_the_lists_of_the_practices_and_physicians_they_name():
    """SiteView.interaction_fields(shared=True): interactions that name the same practice
    and physicians share their lists (Refs: the snippet's links kept in them); the same
    refs, in the same order, as the lists of their own that a view's template is given."""
    checked = pipeline.check(SAMPLE, AS_OF, keep_records=True, use_cache=False, workers=1)
    view = reg.SiteView(checked.site, checked.stats, AS_OF, None)
    records = [r for month in sorted(view.by_month) for r in view.by_month[month]]
    by_names: dict[tuple, list] = {}
    for r in records:
        own, shared = view.interaction_fields(r), view.interaction_fields(r, shared=True)
        assert own == shared
        assert type(own["practices"]) is list and type(own["physicians"]) is list
        assert type(shared["practices"]) is Refs and type(shared["physicians"]) is Refs
        assert own["practices"] is not view.interaction_fields(r)["practices"]
        by_names.setdefault((r.practice, tuple(r.physicians)), []).append(shared)
    repeated = [fields for fields in by_names.values() if len(fields) > 1]
    assert repeated
    for fields in repeated:
        assert all(f["practices"] is fields[0]["practices"] for f in fields)
        assert all(f["physicians"] is fields[0]["physicians"] for f in fields)
    assert len({id(f[0]["practices"]) for f in by_names.values()}) == len(by_names)


def test_a_build_renders_each_views_snippet_in_python_without_keeping_its_fields():
    """The snippets of the sample site's interactions: the macro's bytes, and the views'
    fields (made for the snippet) are not kept in the views."""
    checked = pipeline.check(SAMPLE, AS_OF, keep_records=True, use_cache=False, workers=1)
    view = reg.SiteView(checked.site, checked.stats, AS_OF, None)
    env = render.make_env(SAMPLE, view.palette)
    snippets = render.snippets_of(env)
    macro = snippets.ready()
    records = [r for month in sorted(view.by_month) for r in view.by_month[month]]
    assert len(records) > 20
    for r in records:
        i = view.interaction(r)
        assert type(i) is InteractionView
        html = snippets.render(i)
        assert not i.__dict__  # the fields were made for the snippet alone
        assert html == str(macro(i, snippets.BASE))


def test_a_site_s_own_macros_render_with_the_macro_even_outside_the_sandbox(tmp_path):
    """A site that overrides macros.html gets its own snippet, also where its environment is
    the trusted one (``make_env(..., sandboxed=False)``)."""
    site = tmp_path / "site"
    shutil.copytree(SAMPLE / "data", site / "data")
    shutil.copy(SAMPLE / "site.yaml", site / "site.yaml")
    (site / "templates").mkdir()
    macros = (render.PACKAGE_TEMPLATES / "macros.html").read_text(encoding="utf-8")
    (site / "templates" / "macros.html").write_text(
        macros.replace('<div class="note-body">', '<div class="note-body ours">'),
        encoding="utf-8")
    for sandboxed in (None, False):
        env = render.make_env(site, None, sandboxed=sandboxed)
        snippets = render.snippets_of(env)
        snippets.ready()
        assert not snippets.twin
        fields = next(v for v in _views() if v["notes_html"])
        assert 'class="note-body ours"' in snippets.render(fields)
