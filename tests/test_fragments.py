"""``fragment``: the parts of base.html that many pages share (head lines, links, top bar,
footer) rendered once per page template and key with the built-in templates, and on every
page where the site has templates of its own; the same bytes either way."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import jinja2

from liaison import pages as reg
from liaison import render
from liaison.live import LiveSite

SAMPLE = Path(__file__).resolve().parent.parent  # the repository root is the sample site
AS_OF = dt.date(2026, 11, 26)


def _env(kept: bool, made: list) -> jinja2.Environment:
    env = jinja2.Environment(autoescape=True, loader=jinja2.DictLoader({
        "base.html": "<h>{% call fragment('top', base) %}{{ count() }}[{{ base }}"
                     "{% block nav %}N{{ x }}{% endblock %}]{% endcall %}</h>"
                     "{% block content %}{% endblock %}",
        "page.html": "{% extends 'base.html' %}{% block content %}<p>{{ x }}</p>{% endblock %}",
        "other.html": "{% extends 'base.html' %}{% block nav %}O{% endblock %}",
    }))
    env.globals["fragment"] = render.Fragments(kept)
    env.globals["count"] = lambda: made.append(1) or ""
    return env


def test_a_part_is_rendered_once_per_template_and_key():
    made = []
    env = _env(True, made)
    page, other = env.get_template("page.html"), env.get_template("other.html")
    assert page.render(base="../", x=1) == "<h>[../N1]</h><p>1</p>"
    assert page.render(base="../", x=2) == "<h>[../N1]</h><p>2</p>"  # the part as first made
    assert page.render(base="./", x=3) == "<h>[./N3]</h><p>3</p>"  # another key
    assert other.render(base="../", x=4) == "<h>[../O]</h>"  # another template: its block
    assert len(made) == 3
    env.globals["fragment"].forget()
    assert page.render(base="../", x=5) == "<h>[../N5]</h><p>5</p>"
    assert len(made) == 4


def test_without_keeping_a_part_is_rendered_on_every_page():
    made = []
    env = _env(False, made)
    page = env.get_template("page.html")
    assert [page.render(base="../", x=x) for x in (1, 2)] == [
        "<h>[../N1]</h><p>1</p>", "<h>[../N2]</h><p>2</p>"]
    assert len(made) == 2


def _sample_view():
    from liaison import palette as palette_stage, pipeline, talking_points

    checked = pipeline.check(SAMPLE, AS_OF, keep_records=True)
    site = checked.site
    palette = palette_stage.for_site(site.root)
    fits = talking_points.for_site(site.root, [s.key for s in site.config.services])
    return reg.SiteView(site, checked.stats, AS_OF, palette, fits,
                        warnings=checked.report.warnings), palette


def test_every_page_of_the_sample_site_is_the_same_with_its_parts_rendered_every_time():
    view, palette = _sample_view()
    pages = reg.plan(view)

    def rendered(kept: bool):
        env = render.make_env(view.site.root, palette)
        fragments = env.globals["fragment"]
        assert fragments.kept  # the sample site has no template of its own
        if not kept:
            fragments = env.globals["fragment"] = render.Fragments(False)
        return {p.path: render.render_page(view, p, env) for p in pages}, fragments

    (once, fragments), (every_time, _) = rendered(True), rendered(False)
    assert len(once) > 100 and once == every_time
    physicians = [p for p in pages if p.kind == "physician"]
    assert len(physicians) > 20
    # every physician's brief shares one top bar: ../../ and the physicians' section
    assert [key for key in fragments.made
            if key[:2] == ("physician.html", "header")] == [
        ("physician.html", "header", "../../", "physicians")]
    # four parts, each once per template (and base: a template's pages share a depth)
    assert len(fragments.made) <= 4 * len({(p.template, p.path.count('/')) for p in pages})


def test_a_site_s_own_template_fills_a_block_of_the_top_bar_with_each_page_s_own(
        example_site, tmp_path):
    """A site with templates of its own renders the parts on every page: a navigation
    block that shows the page's title shows each page's own."""
    from click.testing import CliRunner

    from liaison.cli import main

    (example_site / "templates").mkdir(exist_ok=True)
    (example_site / "templates" / "physician.html").write_text(
        "{% extends 'builtin/physician.html' %}"
        "{% block navigation %}{{ super() }}<p class='own'>{{ title }}</p>{% endblock %}")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", "--root", str(example_site), "--out", str(out),
                                       "--as-of", "2026-11-26"])
    assert result.exit_code == 0, result.output
    briefs = sorted((out / "physicians").glob("*/index.html"))
    assert len(briefs) >= 3
    shown = {page.read_text().split("<p class='own'>")[1].split("</p>")[0] for page in briefs}
    assert len(shown) == len(briefs)  # each brief's own title in its top bar


def test_serve_shows_a_changed_practice_name_in_the_top_bar_and_footer(example_site):
    """``serve`` keeps its environment while the templates are the same: the parts made for
    the last refresh are forgotten at the next one."""
    live = LiveSite(example_site, AS_OF)
    assert live.refresh().ok
    before = live.get("physicians/index.html")[0].decode()
    assert before.count("Blue Ridge Vein &amp; Vascular") >= 2  # the brand and the footer
    site_yaml = example_site / "site.yaml"
    site_yaml.write_text(site_yaml.read_text().replace("name: Blue Ridge Vein & Vascular",
                                                       "name: Blue Ridge Vein Center", 1))
    assert live.refresh({"site.yaml"}).ok
    after = live.get("physicians/index.html")[0].decode()
    assert "Blue Ridge Vein &amp; Vascular" not in after
    assert after.count("Blue Ridge Vein Center") == before.count("Blue Ridge Vein &amp; Vascular")
