"""liaison.trusted: the environment of the built-in templates renders what jinja2.Environment
renders, value for value and page for page (it only makes escaping and dict lookups cheaper)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import jinja2
import pytest
from markupsafe import Markup, escape

from liaison import pages as reg
from liaison import render
from liaison.trusted import Trusted, escape_output, escaped_text

SAMPLE = Path(__file__).resolve().parent.parent  # the repository root is the sample site


class Html:
    def __html__(self):
        return "<b>already safe</b>"


class Plain:
    def __str__(self):
        return "a < b & \"c\" 'd'"


VALUES = ["", "plain", "Tom & Jerry <script>\"x\" 'y'", "\x00base\x00", "ünïcödé — ‹›",
          Markup("<em>safe</em>"), Markup(""), 0, 7, -42, 10**30, True, False, 1.5, -0.0,
          None, Html(), Plain(), jinja2.Undefined(), dt.date(2026, 11, 26), ["<li>"]]


@pytest.mark.parametrize("value", VALUES, ids=[repr(v)[:30] for v in VALUES])
def test_escape_output_is_markupsafes_escape(value):
    got = escape_output(value)
    assert type(got) is Markup
    assert got == escape(value)


@pytest.mark.parametrize("value", VALUES, ids=[repr(v)[:30] for v in VALUES])
def test_escaped_text_is_the_escape_s_text(value):
    """The same text as ``escape_output``; a plain string's escape stays a plain string."""
    got = escaped_text(value)
    assert got == escape(value)
    if type(value) is str:
        assert type(got) is str


class Sub(dict):
    pass


TEMPLATE = (
    "{{ d.name }}|{{ d.count }}|{{ d.items }}|{{ d.get }}|{{ d.missing is defined }}|"
    "{{ s.name }}|{{ s.count }}|{{ sub.name }}|{{ sub.keys }}|{{ lst.0 }}|{{ ns.a.b }}|"
    "{{ 'x' if flag }}|{{ m }}|{{ n }}|{% for k in rows %}{{ k.label }}{{ loop.index }}{% endfor %}"
)


def test_a_template_renders_the_same_as_in_jinja2_environment():
    data = dict(d={"name": "A & B", "count": 3, "items": "the key", "get": "<get>"},
                s=SimpleNamespace(name="<N>", count=-1), sub=Sub(name="sub", keys="k"),
                lst=["first"], ns=SimpleNamespace(a={"b": "deep"}), flag=False,
                m=Markup("<i>m</i>"), n=12,
                rows=[{"label": "r<1>"}, SimpleNamespace(label="r2")])
    kwargs = dict(autoescape=True, undefined=jinja2.StrictUndefined)
    ours = Trusted(**kwargs).from_string(TEMPLATE).render(data)
    theirs = jinja2.Environment(**kwargs).from_string(TEMPLATE).render(data)
    assert ours == theirs
    # A dict's own attributes still win over its keys, as in Jinja: "items" is the method.
    assert "the key" not in ours and "built-in method items" in ours
    assert "A &amp; B|3|" in ours and "&lt;N&gt;|-1|sub|" in ours


@pytest.mark.parametrize("source", ["{{ d.missing }}", "{{ d.missing.deeper }}",
                                    "{{ s.missing }}", "{{ d.missing ~ 'x' }}"])
def test_a_missing_key_or_attribute_fails_as_in_jinja2_environment(source):
    data = dict(d={"name": "x"}, s=SimpleNamespace(name="y"))
    kwargs = dict(autoescape=True, undefined=jinja2.StrictUndefined)
    errors = []
    for env in (Trusted(**kwargs), jinja2.Environment(**kwargs)):
        with pytest.raises(jinja2.UndefinedError) as caught:
            env.from_string(source).render(data)
        errors.append(str(caught.value))
    assert errors[0] == errors[1]


def test_the_built_in_templates_render_every_page_of_the_sample_site_the_same(tmp_path):
    """Every page of the sample site, rendered with the trusted environment and with a plain
    jinja2.Environment made the same way: the same bytes."""
    from liaison import palette as palette_stage, pipeline, talking_points

    as_of = dt.date(2026, 11, 26)
    checked = pipeline.check(SAMPLE, as_of, keep_records=True)
    site = checked.site
    palette = palette_stage.for_site(site.root)
    fits = talking_points.for_site(site.root, [s.key for s in site.config.services])

    def pages_with(env_class):
        view = reg.SiteView(site, checked.stats, as_of, palette, fits,
                            warnings=checked.report.warnings)
        env = render.make_env(site.root, palette)
        assert type(env) is Trusted  # the sample site has no template of its own
        if env_class is not Trusted:
            plain = jinja2.Environment(loader=env.loader, autoescape=True,
                                       undefined=jinja2.StrictUndefined, trim_blocks=True,
                                       lstrip_blocks=True, keep_trailing_newline=True)
            plain.filters, plain.globals = env.filters, dict(env.globals)
            snippets = render.Snippets(plain)
            plain.globals["interaction_html"] = snippets.interaction
            plain.globals["interactions_html"] = snippets.interactions
            env = plain
        return {p.path: render.render_page(view, p, env) for p in reg.plan(view)}

    ours, theirs = pages_with(Trusted), pages_with(jinja2.Environment)
    assert len(ours) > 100 and ours.keys() == theirs.keys()
    differing = [path for path in ours if ours[path] != theirs[path]]
    assert differing == []


@pytest.mark.parametrize("practices, physicians", [(0, 0), (1, 0), (0, 2), (1, 1), (2, 3)])
def test_an_interaction_snippet_is_the_macros_own_with_its_lists_comma_separated(
        practices, physicians):
    """The built-in environment renders a snippet with the macro's function itself (no
    ``Macro.__call__``): the same text as the macro, its practices and then its physicians
    as links separated by commas."""
    env = render.make_env(SAMPLE, None)
    snippets = render.snippets_of(env)
    macro = env.get_template("macros.html").module.interaction_item
    assert snippets.ready() is macro._func

    def refs(kind, n):
        return [SimpleNamespace(href=f"{kind}/{k}/", name=f"{kind} {k} & co") for k in range(n)]

    view = dict(date="2026-11-20", as_of="2026-11-26", type="visit", in_person=True,
                liaison_name="Ann", liaison_href=None, outcome=None, summary="A visit",
                practices=refs("practices", practices), physicians=refs("physicians", physicians),
                met_with=[], needs=[], notes_html="", cost=None, next_visit=None, deck=None)
    html = snippets.render(view)
    assert html == str(macro(view, snippets.BASE))
    links = {kind: ", ".join(f'<a href="{snippets.BASE}{kind}/{k}/">{kind} {k} &amp; co</a>'
                             for k in range(n))
             for kind, n in (("practices", practices), ("physicians", physicians))}
    meta = links["practices"] + (" — " + links["physicians"] if physicians else "")
    assert f'<div class="meta">{meta}  </div>' in html


MACROS = """{% macro two(a, b) %}[{{ a }}|{{ b }}]{% endmacro %}
{%- macro defaults(a, b="<b>", c=none) %}({{ a }},{{ b }},{{ c is none }},{{ c }}){% endmacro %}
{%- macro takes_caller(a) %}<{{ a }}:{{ caller() }}>{% endmacro %}
{%- macro rest(a) %}{{ a }}{{ varargs|join(",") }}{{ kwargs|dictsort|join(",") }}{% endmacro %}
{%- macro stop() %}{{ next(empty) }}{% endmacro %}
{%- macro loop_var(a) %}{{ a }}{{ outer is defined }}{% endmacro %}
"""
CALLS = [
    "{{ two('x<', 'y') }}", "{{ two(1) }}", "{{ two() }}", "{{ defaults('a') }}",
    "{{ defaults('a', 'b', 'c') }}", "{{ defaults('a', c='k<') }}", "{{ defaults(a='kw') }}",
    "{% call takes_caller('t') %}in <caller>{% endcall %}", "{{ rest('r', 1, 2, k='v') }}",
    "{% for outer in [1, 2] %}{{ loop_var(outer) }}{{ two(outer, loop.index) }}{% endfor %}",
    "{% set s = two('set', '<x>') %}{{ s }}|{{ s|length }}", "{{ two('a', 'b')|upper }}",
    "{{ stop() }}", "{% autoescape false %}{{ two('<raw>', '&') }}{% endautoescape %}",
    "{{ two('a', 'b', 'c') }}", "{{ two('a', d='b') }}",
]


@pytest.mark.parametrize("call", CALLS)
@pytest.mark.parametrize("autoescape", [True, False])
def test_a_macro_call_renders_as_in_jinja2_environment(call, autoescape):
    """Macros called with every kind of argument (too few, too many, by keyword, with a
    ``caller``, with varargs and kwargs, in a loop, set to a variable, filtered, raising
    StopIteration): the same text, or the same error, as jinja2.Environment's."""
    source = MACROS + call
    got = []
    for env in (Trusted(autoescape=autoescape), jinja2.Environment(autoescape=autoescape)):
        env.globals.update(next=next, empty=iter(()))
        try:
            got.append(("text", env.from_string(source).render()))
        except TypeError as error:
            got.append(("error", str(error)))
    assert got[0] == got[1]
    if call.startswith("{{ two('a', 'b', 'c')") or call.startswith("{{ two('a', d="):
        assert got[0][0] == "error"
    else:
        assert got[0][0] == "text" and got[0][1]


def test_a_macro_taking_its_arguments_as_given_is_called_without_macro_call(monkeypatch):
    """The built-in environment calls such a macro's function itself (``Macro.__call__``
    sorts a call's arguments out first, a few microseconds a call), and any other macro, or
    a call with a keyword argument, through ``Macro.__call__`` as Jinja does."""
    calls = []
    sorted_out = jinja2.runtime.Macro.__call__

    def spy(self, *args, **kwargs):
        calls.append(self.name)
        return sorted_out(self, *args, **kwargs)

    monkeypatch.setattr(jinja2.runtime.Macro, "__call__", spy)
    source = MACROS + "{% for i in [1] %}{{ two(i, 2) }}{{ defaults('a') }}{% endfor %}" \
        "{{ defaults('a', c=1) }}{{ rest('r', 1) }}{% call takes_caller('t') %}x{% endcall %}"
    text = Trusted(autoescape=True).from_string(source).render()
    assert text.strip() == "[1|2](a,&lt;b&gt;,True,None)(a,&lt;b&gt;,False,1)r1<t:x>"
    assert calls == ["defaults", "rest", "takes_caller"]


OUTPUTS = [
    "{{ v }}", "{{ v }}{{ v }}|{{ 'lit<' }}", "{% macro m(x) %}<{{ x }}>{% endmacro %}{{ m(v) }}",
    "{% macro m(x) %}<{{ x }}>{% endmacro %}{{ m(v)|e }}{{ m(v)|upper }}",
    "{% set b %}[{{ v }}]{% endset %}{{ b }}|{{ b|e }}|{{ b|length }}",
    "{% filter upper %}{{ v }}&{% endfilter %}", "{% for i in [1, 2] %}{{ v }}{{ i }}{% endfor %}",
    "{{ v ~ '<' }}", "{{ (v|string) ~ '&' }}", "{% autoescape false %}{{ v }}{% endautoescape %}",
    "{% if v %}{{ v }}{% else %}-{% endif %}",
]


@pytest.mark.parametrize("source", OUTPUTS)
@pytest.mark.parametrize("value", VALUES, ids=[repr(v)[:30] for v in VALUES])
def test_an_output_renders_as_in_jinja2_environment(source, value):
    """Every kind of value output directly, in a macro, a block set to a variable, a filter
    block, a loop and a concatenation: the same text as jinja2.Environment's (the built-in
    templates' code escapes a string as a plain string: outputs are only ever joined)."""
    got = [env.from_string(source).render(v=value)
           for env in (Trusted(autoescape=True), jinja2.Environment(autoescape=True))]
    assert got[0] == got[1]


def test_a_list_of_snippets_rendered_before_is_joined_as_bytes_to_the_same_text():
    """``Snippets.interactions``: where every snippet of the list was rendered before the
    pages (kept as UTF-8 bytes), they are joined as bytes, the base put in and the whole
    made text at once: the same text as each snippet given on its own (``interaction``),
    non-ASCII characters and a base in several places included; a list with one snippet
    kept as text, or given as a generator, reads the same."""
    env = render.make_env(SAMPLE, None)
    snippets = render.snippets_of(env)
    base = render.Snippets.BASE
    views = [{"n": i} for i in range(5)]
    for i, view in enumerate(views):
        snippets.memo[id(view)] = (f'<li><a href="{base}physicians/d-{i}/">Dr {i}</a> · '
                                   f'“note” — <a href="{base}x">{i}</a></li>').encode("utf-8")
    each = "".join(snippets.interaction(view, "../../") for view in views)
    assert "\x00" not in each and each.count("../../") == 10 and "·" in each
    together = snippets.interactions(views, "../../")
    assert type(together) is Markup and together == each
    assert snippets.interactions(iter(views), "../../") == each
    snippets.memo[id(views[2])] = snippets.memo[id(views[2])].decode("utf-8")
    assert snippets.interactions(views, "../../") == each
    assert snippets.interactions([], "../../") == ""
