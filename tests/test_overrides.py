"""`validate` checks a site's own templates as `build` uses them: what passes validate builds."""
from __future__ import annotations

import pytest

from conftest import run_validate

AS_OF = "2026-11-26"


def _override(root, name: str, text: str) -> None:
    path = root / "templates" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _builtin(name: str) -> str:
    from liaison.render import PACKAGE_TEMPLATES

    return (PACKAGE_TEMPLATES / name).read_text(encoding="utf-8")


def build_site(root, out, *more: str) -> tuple[int, str]:
    """`liaison build` of ``root`` into ``out`` at AS_OF (and ``more`` options), in-process:
    its exit code and what it said on stderr."""
    from conftest import cli

    code, _out, err = cli("build", "--root", str(root), "--out", str(out), "--as-of", AS_OF,
                          *more)
    return code, err


def test_a_syntax_error_is_reported_at_its_line(example_site):
    _override(example_site, "practice.html",
              '{% extends "base.html" %}\n{% block content %}\n<p>\n{% if %}x{% endif %}\n{% endblock %}\n')
    code, _out, err = run_validate(example_site, "--as-of", AS_OF)
    assert code == 1
    [line] = [e for e in err if e.startswith("templates/practice.html:")]
    assert line.startswith("templates/practice.html:4:1: error: template error: ")


def test_an_undefined_name_is_reported_with_the_page_it_breaks(example_site):
    original = _builtin("physician.html")
    _override(example_site, "physician.html",
              original.replace("{% block content %}", "{% block content %}\n{{ physcian.name }}", 1))
    line_no = original.splitlines().index(
        next(x for x in original.splitlines() if "{% block content %}" in x)) + 2
    code, _out, err = run_validate(example_site, "--as-of", AS_OF)
    assert code == 1, err
    hits = [e for e in err if e.startswith("templates/physician.html:")]
    assert len(hits) == 1, "one diagnostic per place, not one per physician"
    # (the column is the name's: "{{ physcian.name }}" is the line)
    assert hits[0].startswith(f"templates/physician.html:{line_no}:4: error: template error: "
                              "'physcian' is undefined (did you mean 'physician'?) (rendering "
                              "physicians/")


@pytest.mark.parametrize("body, named", [
    ("<p>{{ practice.name | nosuchfilter }}</p>", "nosuchfilter"),  # the parser's
    ('<p class="x">{{ practice.name }</p>', "}</p>"),  # the lexer's: a '}' that closes nothing
    ("<p>{{ practice.name x }}</p>", "x }}"),  # expected the end of the print, got 'x'
    ("<p>{% iff practice %}{% endif %}</p>", "iff"),
    ("<p>{{ practice.name ! }}</p>", "!"),  # "unexpected char '!' at 93"
    ("<p>{{ practice.nme.upper() }}</p>", "nme"),  # at render time
])
def test_a_template_error_is_reported_at_its_column_too(example_site, tmp_path, body, named):
    """Every error in a site's template was said at column 1 of its line: the column is that
    of the name or token the error names (Jinja keeps only lines), from build too."""
    line = "{% block content %}" + body + "{{ super() }}{% endblock %}"
    _override(example_site, "practice.html", '{% extends "builtin/practice.html" %}\n' + line + "\n")
    code, _out, err = run_validate(example_site, "--as-of", AS_OF)
    assert code == 1
    [said] = [e for e in err if e.startswith("templates/practice.html:")]
    where = f"templates/practice.html:2:{line.index(named) + 1}: error: template error: "
    assert said.startswith(where), said
    code, err = build_site(example_site, tmp_path / "out")
    assert code == 1 and where in err, err


@pytest.mark.parametrize("include, says", [
    ("{% set banners = [] %}{% include banners %}",
     "Tried to select from an empty list of templates."),
    ("{% include none %}", "Tried to select from an empty list of templates."),
    ('{% include ["our-banner.html", "builtin/banner.html"] %}',
     "none of the templates given were found: our-banner.html, builtin/banner.html"),
])
def test_an_include_of_no_template_or_of_a_list_none_of_which_exists_is_said_at_its_line(
        example_site, tmp_path, include, says):
    """An include of an empty list (or none) was a traceback from validate and build: the
    error had no template name to look up a close one for."""
    _override(example_site, "practice.html", '{% extends "builtin/practice.html" %}\n'
              "{% block content %}" + include + "{% endblock %}\n")
    code, _out, err = run_validate(example_site, "--as-of", AS_OF)
    assert code == 1
    [said] = [e for e in err if e.startswith("templates/practice.html:")]
    assert said.startswith(f"templates/practice.html:2:1: error: template error: {says} "
                           "(rendering practices/"), said
    code, err = build_site(example_site, tmp_path / "out")
    assert code == 1 and f"templates/practice.html:2:1: error: template error: {says}" in err, err
    assert "Traceback" not in err


def test_a_base_override_is_rendered_for_every_page_kind(example_site):
    base = _builtin("base.html")
    _override(example_site, "base.html", base.replace("</body>", "{{ footer_note }}</body>", 1))
    code, _out, err = run_validate(example_site, "--as-of", AS_OF)
    assert code == 1
    assert any(e.startswith("templates/base.html:") and "'footer_note' is undefined" in e
               for e in err), err


def test_a_good_override_passes_and_builds(example_site, tmp_path):
    from click.testing import CliRunner

    from liaison.cli import main

    original = _builtin("practice.html")
    _override(example_site, "practice.html",
              original.replace("{% block content %}", "{% block content %}<!-- ours -->", 1))
    _override(example_site, "assets/style.css", "body{}")
    code, _out, err = run_validate(example_site, "--as-of", AS_OF)
    assert code == 0, err
    assert not [e for e in err if "templates/" in e]
    result = CliRunner().invoke(main, ["build", "--root", str(example_site), "--out",
                                       str(tmp_path / "out"), "--as-of", AS_OF])
    assert result.exit_code == 0, result.stderr
    assert "<!-- ours -->" in (tmp_path / "out/practices/french-broad-podiatry/index.html").read_text()


def test_a_template_that_is_not_utf8_is_reported_at_its_line_by_validate_and_build(
        example_site, tmp_path):
    """A byte that is not UTF-8 in a template that a page reaches only through `extends`:
    the same diagnostic from both commands, at the line of the byte, and nothing built (it
    raised UnicodeDecodeError in build)."""
    _override(example_site, "physician.html", '{% extends "base.html" %}\n')
    lines = _builtin("base.html").encode("utf-8").split(b"\n")
    lines[2] += b"\x92"
    (example_site / "templates" / "base.html").write_bytes(b"\n".join(lines))
    expected = ("templates/base.html:3:1: error: template error: the file is not UTF-8 text "
                "(byte 0x92, '’' in Windows-1252); save it as UTF-8")
    code, _out, err = run_validate(example_site, "--as-of", AS_OF)
    assert code == 1 and expected in err, err
    out = tmp_path / "out"
    code, err = build_site(example_site, out)
    assert code == 1 and expected in err.splitlines(), err
    assert not out.exists()


@pytest.mark.parametrize("text", ["{{ nothing }}", "{# practise.html: our practice page #}\n"])
def test_a_misspelt_override_is_a_warning(example_site, text):
    """(a template naming itself, in a comment, is not used by another one)"""
    _override(example_site, "practise.html", text)
    code, _out, err = run_validate(example_site, "--as-of", AS_OF)
    assert code == 0
    assert ("templates/practise.html:1:1: warning: 'practise.html' overrides no built-in template "
            "and no other template uses it (did you mean 'practice.html'?)") in err
    assert run_validate(example_site, "--as-of", AS_OF, "--strict")[0] == 1


@pytest.mark.parametrize("name,meant", [("palette.yml", "palette.yaml"),
                                         ("talking-points.yml", "talking-points.yaml")])
def test_a_settings_file_with_the_short_extension_is_told_its_name(example_site, name, meant):
    """templates/palette.yml (the colours, as .yml) was warned of as a template that
    overrides nothing, with no word of the palette.yaml it was meant to be."""
    _override(example_site, name, 'accent: "#0a5f73"\n')
    code, _out, err = run_validate(example_site, "--as-of", AS_OF)
    assert code == 0, err
    assert (f"templates/{name}:1:1: warning: '{name}' overrides no built-in template and no "
            f"other template uses it (did you mean '{meant}'?)") in err, err


def test_an_include_that_may_be_missing_is_no_error(example_site):
    """``{% include "…" ignore missing %}`` of a template the site does not have renders
    nothing: no error, unlike an include without it."""
    original = _builtin("practice.html")
    _override(example_site, "practice.html", original.replace(
        "{% block content %}", '{% block content %}{% include "our-banner.html" ignore missing %}',
        1))
    code, _out, err = run_validate(example_site, "--as-of", AS_OF)
    assert code == 0, err
    assert not any(e.startswith("templates/practice.html") for e in err), err


def test_a_readme_in_templates_is_no_template(example_site):
    """templates/README.md (a note to the next person, its Jinja quoted) is neither compiled
    nor warned of as an override of nothing."""
    _override(example_site, "README.md", "Write `{% block footer %}` in base.html to change the "
              "footer; `{{ palette }}` holds the colours.\n")
    code, _out, err = run_validate(example_site, "--as-of", AS_OF)
    assert code == 0, err
    assert not any("README.md" in e for e in err), err


def test_a_helper_template_used_by_an_override_is_checked_through_it(example_site):
    original = _builtin("practice.html")
    _override(example_site, "practice.html", original.replace(
        "{% block content %}", '{% block content %}{% include "our-banner.html" %}', 1))
    _override(example_site, "our-banner.html", "<p>{{ banner_text }}</p>\n")
    code, _out, err = run_validate(example_site, "--as-of", AS_OF)
    assert code == 1
    assert any(e.startswith("templates/our-banner.html:1:7: error: template error: "
                            "'banner_text' is undefined") for e in err), err
    assert not any("overrides no built-in" in e for e in err)


def test_data_errors_still_get_the_syntax_check(example_site):
    (example_site / "data/practices/french-broad-podiatry.yaml").write_text("nmae: x\n")
    _override(example_site, "practice.html", "{% if %}")
    code, _out, err = run_validate(example_site, "--as-of", AS_OF)
    assert code == 1
    assert any(e.startswith("templates/practice.html:1:1: error: template error:") for e in err)
    assert any("nmae: unknown field" in e for e in err)


def test_an_override_reads_the_fields_of_each_interaction(example_site, tmp_path):
    """An interaction's view makes its fields when a template first reads one
    (pages.view.InteractionView): a site's own template that lists them instead of using
    ``interaction_html`` shows each, and a misspelt field is undefined, as a name is."""
    from click.testing import CliRunner

    from liaison.cli import main

    original = _builtin("physician.html")
    listed = ('{% block content %}<ol id="ours">{% for i in recent %}<li>{{ i.date }} | '
              '{{ i.summary }} | {{ i.liaison_name }} | {{ i.practices[0].name }} | '
              '{{ i.physicians|map(attribute="name")|join(", ") }}</li>{% endfor %}</ol>')
    _override(example_site, "physician.html", original.replace("{% block content %}", listed, 1))
    result = CliRunner().invoke(main, ["build", "--root", str(example_site), "--out",
                                       str(tmp_path / "out"), "--as-of", AS_OF])
    assert result.exit_code == 0, result.stderr
    page = (tmp_path / "out/physicians/alan-cho/index.html").read_text()
    ours = page[page.index('<ol id="ours">'):page.index("</ol>")]
    assert ("<li>2024-12-26 | First visit; introduced the leg wound clinic. | Lena Brooks | "
            "French Broad Podiatry | Alan Cho</li>") in ours

    _override(example_site, "physician.html",
              original.replace("{% block content %}", listed.replace("i.summary", "i.sumary"), 1))
    code, _out, err = run_validate(example_site, "--as-of", AS_OF)
    assert code == 1
    assert any(e.startswith("templates/physician.html:") and "has no attribute 'sumary'" in e
               for e in err), err


def test_a_list_of_interactions_in_one_call_gives_the_loop_s_bytes(example_site, tmp_path):
    """``interactions_html(recent, base)`` (the built-in pages' lists of interactions, in one
    call) gives what a loop of ``interaction_html(i, base)`` gives: a site whose own
    activity_month.html and macros.html loop (rendered in the sandbox, the other built-in
    templates calling ``interactions_html`` there too) builds the same files as the built-in
    templates alone."""
    from click.testing import CliRunner

    from liaison.cli import main

    def build(out):
        result = CliRunner().invoke(main, ["build", "--root", str(example_site), "--out",
                                           str(out), "--as-of", AS_OF])
        assert result.exit_code == 0, result.stderr

    def files(out):
        return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
                if p.is_file() and not p.name.startswith(".liaison")}

    build(tmp_path / "builtin")
    one_call = "{{ interactions_html(recent, base) }}"
    loop = "{% for i in recent %}{{ interaction_html(i, base) }}{% endfor %}"
    for name in ("activity_month.html", "macros.html"):
        text = _builtin(name)
        assert text.count(one_call) == 1, name
        _override(example_site, name, text.replace(one_call, loop))
    build(tmp_path / "looped")
    builtin, looped = files(tmp_path / "builtin"), files(tmp_path / "looped")
    assert builtin.keys() == looped.keys()
    assert [path for path in builtin if builtin[path] != looped[path]] == []
    months = [path for path in builtin if path.startswith("activity/20")]
    assert months and all(builtin[path].count(b'<li>\n  <div class="meta">') for path in months)


def test_a_template_that_loads_from_another_host_is_refused_at_its_line(example_site, tmp_path):
    """A CDN script or a web font linked from a site's own template (the CSP would block it
    anyway, silently): an error at the address's line and column, from validate and build,
    and nothing built (both passed, and the page linked the CDN)."""
    _override(example_site, "base.html",
              '{% extends "builtin/base.html" %}\n{% block head %}{{ super() }}\n'
              '<script src="https://cdn.example.com/chart.js"></script>\n'
              '<link rel="stylesheet" href="//fonts.example.com/css?family=Inter">\n'
              '<object data="https://maps.example.com/office.svg"></object>\n'
              '<style>@import "//fonts.example.com/inter.css";</style>\n'
              '<img srcset="https://cdn.example.com/logo@2x.png 2x" alt="">{% endblock %}\n')
    code, _out, err = run_validate(example_site, "--as-of", AS_OF)
    assert code == 1, err
    assert any(e.startswith("templates/base.html:5:15: error: 'https://maps.example.com/office.svg' "
                            "is loaded from another host") for e in err), err
    assert any(e.startswith("templates/base.html:6:17: error: '//fonts.example.com/inter.css' "
                            "is loaded from another host") for e in err), err
    assert any(e.startswith("templates/base.html:7:14: error: 'https://cdn.example.com/logo@2x.png' "
                            "is loaded from another host") for e in err), err
    script = [e for e in err if e.startswith("templates/base.html:3:14: error: "
                                             "'https://cdn.example.com/chart.js' is loaded from "
                                             "another host (rendering ")]
    font = [e for e in err if e.startswith("templates/base.html:4:30: error: "
                                           "'//fonts.example.com/css?family=Inter' is loaded")]
    assert len(script) == 1 and len(font) == 1, err
    assert "put the file in templates/assets/" in script[0]
    out = tmp_path / "out"
    code, err = build_site(example_site, out)
    assert code == 1 and "'https://cdn.example.com/chart.js' is loaded from another host" in err
    assert not out.exists()


def test_a_template_that_drops_the_robots_and_csp_lines_is_refused(example_site, tmp_path):
    """A page template written whole, without head.html: its pages would carry neither the
    robots line nor the Content-Security-Policy (SPEC: every page carries both)."""
    def refused(template: str) -> tuple[int, list[str], list[str]]:
        """(validate's exit code, its lines, those saying what the page has not) of a
        practice.html written whole as ``template``."""
        _override(example_site, "practice.html", template)
        code, _out, err = run_validate(example_site, "--as-of", AS_OF)
        return code, err, [e for e in err
                           if e.startswith("templates/practice.html:1:1: error: the page has no ")]

    code, err, ours = refused(
        "<!doctype html>\n<html><head><title>{{ practice.name }}</title></head>\n"
        "<body><h1>{{ practice.name }}</h1></body></html>\n")
    assert code == 1, err
    assert len(ours) == 2, err
    assert any("no robots line" in e for e in ours) and any("Content-Security-Policy" in e
                                                            for e in ours)
    out = tmp_path / "out"
    code, err = build_site(example_site, out)
    assert code == 1 and "the page has no robots line" in err
    assert not out.exists()
    # the same template keeping the built-in head passes
    code, err, _ours = refused(
        '<!doctype html>\n<html><head>{% include "head.html" %}<title>{{ practice.name }}'
        "</title></head>\n<body><h1>{{ practice.name }}</h1></body></html>\n")
    assert code == 0, err
    # the robots line in the body, not the head, is no robots line (robots read the head)
    code, err, ours = refused(
        '<!doctype html>\n<html><head><meta http-equiv="Content-Security-Policy" '
        'content="{{ csp }}"><title>{{ practice.name }}</title></head>\n<body>'
        '<meta name="robots" content="noindex, nofollow"><h1>{{ practice.name }}</h1>'
        "</body></html>\n")
    assert code == 1, err
    assert len(ours) == 1 and "no robots line" in ours[0], err
    # a Content-Security-Policy line of the template's own, not Liaison's, is refused too
    code, err, ours = refused(
        '<!doctype html>\n<html><head><meta name="robots" content="noindex, nofollow">'
        '<meta http-equiv="Content-Security-Policy" content="default-src *">'
        "<title>{{ practice.name }}</title></head>\n<body><h1>{{ practice.name }}</h1>"
        "</body></html>\n")
    assert code == 1, err
    assert len(ours) == 1 and "or another one than Liaison's" in ours[0], err


def test_a_block_that_no_parent_has_is_a_warning(example_site, tmp_path):
    """A base.html copied without its content block made every page empty, and a misspelt
    block in an extending template was never shown: both validated without a word."""
    _override(example_site, "base.html",
              _builtin("base.html").replace("{% block content %}{% endblock %}", ""))
    code, _out, err = run_validate(example_site, "--as-of", AS_OF)
    assert code == 0, err
    [line] = [e for e in err if e.startswith("templates/base.html:")]
    assert line.startswith("templates/base.html:1:1: warning: the block 'content' is missing, which "
                           "the built-in activity.html, activity_month.html, compliance.html and ")
    assert "put {% block content %}{% endblock %} where it goes" in line
    assert run_validate(example_site, "--as-of", AS_OF, "--strict")[0] == 1
    (example_site / "templates" / "base.html").unlink()
    _override(example_site, "physician.html",
              '{% extends "builtin/physician.html" %}\n{% block title %}Brief{% endblock %}\n'
              "{% block contnet %}<p>Bring the pads.</p>{% endblock %}\n")
    code, _out, err = run_validate(example_site, "--as-of", AS_OF)
    assert code == 0, err
    assert ("templates/physician.html:3:1: warning: block 'contnet' is in no template that "
            "'physician.html' extends (builtin/physician.html, base.html), so it is never shown "
            "(did you mean 'content'?)") in err, err
    assert len([e for e in err if e.startswith("templates/")]) == 1, err
    # copies of the built-in templates, and blocks nested in a parent's block, say nothing
    _override(example_site, "physician.html", _builtin("physician.html"))
    _override(example_site, "base.html", _builtin("base.html"))
    code, _out, err = run_validate(example_site, "--as-of", AS_OF)
    assert code == 0 and not [e for e in err if e.startswith("templates/")], err
    # nor a block of the site's own nested in a block the parent has (it is shown there)
    _override(example_site, "physician.html",
              '{% extends "builtin/physician.html" %}\n{% block content %}{{ super() }}\n'
              "{% block ours %}<p>Bring the pads.</p>{% endblock %}{% endblock %}\n")
    code, _out, err = run_validate(example_site, "--as-of", AS_OF)
    assert code == 0 and not [e for e in err if e.startswith("templates/")], err


def test_a_misspelt_name_or_field_gets_the_closest_one(example_site, tmp_path):
    """'physician.nmae' said "'liaison.models.Physician object' has no attribute 'nmae'" and
    no more; the same from build."""
    _override(example_site, "physician.html", '{% extends "builtin/physician.html" %}\n'
              "{% block content %}<p>{{ physician.nmae }} at {{ practice_record.nmae }}</p>"
              "{{ super() }}{% endblock %}\n")
    code, _out, err = run_validate(example_site, "--as-of", AS_OF)
    assert code == 1
    [line] = [e for e in err if e.startswith("templates/physician.html:")]
    col = "{% block content %}<p>{{ physician.nmae }}".index("nmae") + 1  # the attribute's
    assert line.startswith(f"templates/physician.html:2:{col}: error: template error: "
                           "'liaison.models.Physician object' has no attribute 'nmae' (did you mean "
                           "'name'?) (rendering physicians/"), line
    code, err = build_site(example_site, tmp_path / "out")
    assert code == 1 and "has no attribute 'nmae' (did you mean 'name'?)" in err, err


def test_a_macros_file_without_a_macro_the_pages_import_names_it_at_the_site_s_file(example_site):
    """A site's macros.html replaces the built-in one whole: one that lacked 'status_badges'
    was reported at the lines of the built-in pages ("physician.html (built-in template):9:1:
    … does not export the requested name"), never at the file to fix."""
    macros = _builtin("macros.html")
    _override(example_site, "macros.html", macros.replace("{% macro status_badges(p) -%}",
                                                          "{% macro status_badge(p) -%}"))
    code, _out, err = run_validate(example_site, "--as-of", AS_OF)
    assert code == 1
    assert [e for e in err if "macros.html" in e or "built-in template" in e] == [
        "templates/macros.html:1:1: error: no macro 'status_badges', which dashboard.html, "
        "physician.html, practice.html import from macros.html (did you mean 'status_badge'?): "
        "this file replaces the built-in macros.html whole; copy the macro from "
        "liaison/templates/macros.html"], err
    line = macros.splitlines().index("{% macro kpi(label, value, note=None, delta=None, text=False) -%}") + 1
    _override(example_site, "macros.html", macros.replace(
        "{% macro kpi(label, value, note=None, delta=None, text=False) -%}", "{% macro kpi(label, value) -%}"))
    code, _out, err = run_validate(example_site, "--as-of", AS_OF)
    assert code == 1
    ours = [e for e in err if e.startswith("templates/macros.html:")]
    assert len(ours) == 1 and ours[0].startswith(
        f"templates/macros.html:{line}:1: error: macro 'kpi' takes no 'note'"), err
    # interaction_item is given (i, base) from Python, by every list of interactions
    line = macros.splitlines().index("{% macro interaction_item(i, base) -%}") + 1
    _override(example_site, "macros.html", macros.replace(
        "{% macro interaction_item(i, base) -%}", "{% macro interaction_item(i) -%}"))
    code, _out, err = run_validate(example_site, "--as-of", AS_OF)
    assert code == 1
    assert [e for e in err if e.startswith("templates/macros.html:")] == [
        f"templates/macros.html:{line}:1: error: macro 'interaction_item' takes no 'base', which "
        "the built-in pages give it: write it as the built-in one, interaction_item(i, base)"], err
    _override(example_site, "macros.html", macros)
    assert run_validate(example_site, "--as-of", AS_OF)[0] == 0


def test_build_names_a_missing_template_as_validate_does(example_site, tmp_path):
    """build said only "template error: builtin/physican.html" (Jinja's TemplateNotFound)."""
    _override(example_site, "physician.html", '{% extends "builtin/physican.html" %}\n')
    code, err = build_site(example_site, tmp_path / "out")
    assert code == 1
    assert ("templates/physician.html:1:1: error: template error: there is no template "
            "'builtin/physican.html' (did you mean 'builtin/physician.html'?)") in err, err
    assert "template error: builtin/physican.html" not in err
    # said once, by the check of the names: no page is rendered to say it again
    code, _out, lines = run_validate(example_site, "--as-of", AS_OF)
    assert code == 1
    assert [e for e in lines if e.startswith("templates/")] == [
        "templates/physician.html:1:1: error: template error: there is no template "
        "'builtin/physican.html' (did you mean 'builtin/physician.html'?)"], lines


def test_a_template_that_extends_itself_says_so_and_names_the_builtin_one(example_site, tmp_path):
    """``{% extends "physician.html" %}`` in templates/physician.html (meant for the built-in
    one) said "maximum recursion depth exceeded in comparison", from validate and build."""
    _override(example_site, "physician.html", '{# ours #}\n{% extends "physician.html" %}\n')
    expected = ("templates/physician.html:2:1: error: template error: 'physician.html' extends "
                "itself, for ever: to use the built-in one, write 'builtin/physician.html' "
                "(rendering physicians/")
    code, _out, err = run_validate(example_site, "--as-of", AS_OF)
    assert code == 1 and any(e.startswith(expected) for e in err), err
    code, err = build_site(example_site, tmp_path / "out")
    assert code == 1 and expected in err, err


def test_a_link_to_an_asset_the_site_lacks_is_a_warning_at_its_line(example_site):
    """``{{ base }}assets/our.css`` for ours.css, or ``assets/ours.css`` without ``{{ base }}``
    (it works on the dashboard only): the pages built with a stylesheet that never loads."""
    _override(example_site, "assets/ours.css", "body { color: #111; }\n")
    head = ('{% extends "builtin/base.html" %}\n{% block head %}{{ super() }}\n'
            '<link rel="stylesheet" href="HREF">{% endblock %}\n')
    _override(example_site, "base.html", head.replace("HREF", "{{ base }}assets/our.css"))
    code, _out, err = run_validate(example_site, "--as-of", AS_OF)
    assert code == 0, err
    ours = [e for e in err if e.startswith("templates/")]
    assert len(ours) == 1 and ours[0].startswith(
        "templates/base.html:3:40: warning: 'assets/our.css' is no file of the site (rendering "), err
    assert ours[0].endswith("put it in templates/assets/our.css (did you mean 'ours.css'?)")
    _override(example_site, "base.html", head.replace("HREF", "assets/ours.css"))
    code, _out, err = run_validate(example_site, "--as-of", AS_OF)
    ours = [e for e in err if e.startswith("templates/")]
    assert len(ours) == 1 and ours[0].startswith(
        "templates/base.html:3:30: warning: 'assets/ours.css' does not reach the site's assets/ "
        "from every page (rendering "), err
    assert ours[0].endswith("write {{ base }}assets/ours.css")
    _override(example_site, "base.html", head.replace("HREF", "{{ base }}assets/ours.css"))
    code, _out, err = run_validate(example_site, "--as-of", AS_OF)
    assert code == 0 and not [e for e in err if e.startswith("templates/")], err
    # only on pages in a folder (physicians/…/index.html), ours.css being the site's own
    (example_site / "templates" / "base.html").unlink()
    _override(example_site, "physician.html", head.replace("base.html", "physician.html")
              .replace("HREF", "assets/ours.css"))
    code, _out, err = run_validate(example_site, "--as-of", AS_OF)
    ours = [e for e in err if e.startswith("templates/")]
    assert len(ours) == 1 and ours[0].startswith(
        "templates/physician.html:3:30: warning: 'assets/ours.css' does not reach the site's "
        "assets/ from every page (rendering physicians/"), err


def test_a_link_to_an_asset_from_the_host_s_root_is_a_warning(example_site):
    """``/assets/ours.css`` loads where the site is served at its host's root, and nowhere
    else: not from an intranet's sub-folder, not from the disk. It went without a word."""
    _override(example_site, "assets/ours.css", "body { color: #111; }\n")
    _override(example_site, "base.html",
              '{% extends "builtin/base.html" %}\n{% block head %}{{ super() }}\n'
              '<link rel="stylesheet" href="/assets/ours.css">{% endblock %}\n')
    code, _out, err = run_validate(example_site, "--as-of", AS_OF)
    assert code == 0, err
    ours = [e for e in err if e.startswith("templates/")]
    assert len(ours) == 1 and ours[0].startswith(
        "templates/base.html:3:31: warning: '/assets/ours.css' reaches the site's assets/ only "
        "where the site is served at the root of its host, not from a sub-folder (an intranet's "
        "/liaison/) nor opened from the disk (rendering "), err
    assert ours[0].endswith("write {{ base }}assets/ours.css")
    assert run_validate(example_site, "--as-of", AS_OF, "--strict")[0] == 1


def test_build_names_a_missing_macro_at_the_site_s_macros_file(example_site, tmp_path):
    """build said "dashboard.html (built-in template):40:1: … the template 'macros.html' …
    does not export the requested name 'status_badges'": the file to fix went unnamed."""
    _override(example_site, "macros.html", _builtin("macros.html").replace(
        "{% macro status_badges(p) -%}", "{% macro status_badge(p) -%}"))
    code, err = build_site(example_site, tmp_path / "out")
    assert code == 1
    assert "\ntemplates/macros.html:1:1: error: " in err and "no macro 'status_badges', which " in err, err
    assert "(did you mean 'status_badge'?): this file replaces the built-in macros.html whole" in err
    assert "built-in template" not in err


def test_a_style_or_script_written_into_a_page_is_a_warning_at_its_line(example_site):
    """The CSP allows style sheets and scripts from the site's files only: a <style>, a style
    attribute, an onclick or an inline <script> in a template did nothing in the browser, and
    validate said nothing."""
    _override(example_site, "physician.html",
              '{% extends "builtin/physician.html" %}\n{% block content %}\n'
              '<style>.x { color: red; }</style>\n'
              '<p class="note" style="color: red" onclick="go()">Bring the pads.</p>\n'
              "<script>console.log(1)</script>\n{{ super() }}{% endblock %}\n")
    code, _out, err = run_validate(example_site, "--as-of", AS_OF)
    assert code == 0, err
    ours = [e.split(" (rendering ")[0] for e in err if e.startswith("templates/")]
    assert ours == [
        "templates/physician.html:3:1: warning: a <style> element is blocked by the "
        "Content-Security-Policy",
        "templates/physician.html:4:17: warning: a style attribute is blocked by the "
        "Content-Security-Policy",
        "templates/physician.html:4:36: warning: an event handler (on…=) is blocked by the "
        "Content-Security-Policy",
        "templates/physician.html:5:1: warning: a <script> written in the page is blocked by the "
        "Content-Security-Policy"], err
    assert any("put the code in templates/assets/ours.js" in e for e in err)


def test_build_says_the_warnings_validate_finds_on_the_pages_a_template_makes(example_site,
                                                                          tmp_path):
    """An onclick or a link to an asset the site lacks, in a site's template: validate warned,
    build (CI on merge) said nothing. Build says the same lines, from the pages it rendered,
    in an incremental build whose page is unchanged too."""
    _override(example_site, "practice.html",
              '{% extends "builtin/practice.html" %}\n{% block head %}{{ super() }}\n'
              '<link rel="stylesheet" href="{{ base }}assets/ours.css">{% endblock %}\n'
              '{% block content %}<button onclick="go()">Go</button>{{ super() }}{% endblock %}\n')
    code, _out, err = run_validate(example_site, "--as-of", AS_OF)
    assert code == 0, err
    said = [e for e in err if e.startswith("templates/")]
    assert len(said) == 2 and any("onclick" in e or "event handler" in e for e in said), err
    out = tmp_path / "out"

    def build(*more):
        code, err = build_site(example_site, out, *more)
        return code, err.splitlines()

    code, err = build()
    assert code == 0 and [e for e in err if e.startswith("templates/")] == said, err
    # (counted among the build's warnings: those of the records, then these)
    assert f"({len([e for e in err if ': warning: ' in e])} warnings)" in err[-1], err
    code, err = build()  # nothing changed: the build's warnings again
    assert err[-1].startswith("up to date") and [e for e in err if e.startswith("templates/")] == said
    # another practice edited: the page with the warnings is taken unchanged from the last site
    other = example_site / "data" / "practices" / "hendersonville-womens-health.yaml"
    other.write_text(other.read_text() + "# called back\n")
    code, err = build()
    assert code == 0 and "unchanged)" in err[-1], err[-1]
    assert [e for e in err if e.startswith("templates/")] == said, err


def test_build_strict_fails_on_the_warnings_of_the_pages_a_template_makes(tmp_path):
    """validate --strict fails a template's onclick; build --strict built the site with it.
    It fails too, as validate says, and leaves the site in place as it was."""
    from conftest import cli, one_physician_site

    root = one_physician_site(tmp_path / "root", "- {date: 2026-11-20, type: call, liaison: lou, "
                              "physicians: [ida-lone], summary: Called.}\n")
    out = tmp_path / "out"
    build = ("build", "--root", str(root), "--out", str(out), "--as-of", AS_OF, "--strict")
    assert cli(*build)[0] == 0
    before = (out / "practices" / "solo" / "index.html").read_bytes()
    _override(root, "practice.html", '{% extends "builtin/practice.html" %}\n{% block content %}'
              '<button onclick="go()">Go</button>{{ super() }}{% endblock %}\n')
    code, _out, said = run_validate(root, "--as-of", AS_OF, "--strict")
    said = [e for e in said if e.startswith("templates/")]
    assert code == 1 and len(said) == 1 and ": error: an event handler" in said[0], said
    code, _out, err = cli(*build)
    assert code == 1 and err.splitlines() == said + [
        "Error: the site was not built (the previous one is untouched)"], err
    assert (out / "practices" / "solo" / "index.html").read_bytes() == before


def test_build_counts_and_lists_the_template_warnings_of_validate(example_site, tmp_path):
    """data-quality/ lists "every warning of validate": a misspelt override's warning was
    validate's alone (build counted one warning fewer, the page left it out)."""
    _override(example_site, "practise.html", "<p>ours</p>\n")
    code, _out, err = run_validate(example_site, "--as-of", AS_OF)
    assert code == 0
    said = [e for e in err if e.startswith("templates/practise.html:1:1: warning:")]
    assert len(said) == 1, err
    out = tmp_path / "out"
    code, err = build_site(example_site, out)
    assert code == 0 and said[0] in err.splitlines(), err
    assert "templates/practise.html" in (out / "data-quality" / "index.html").read_text(encoding="utf-8")


def test_the_built_data_quality_page_lists_the_warnings_of_the_pages_a_template_makes(
        example_site, tmp_path):
    """An onclick and a link to an asset the site lacks, in a site's template: build said them
    on the console, serve's data-quality/ listed them, the built data-quality/ (rendered beside
    the pages that show them) did not: a manager who reads the published site never saw
    them. The built page is serve's, in a cold build and in an incremental one."""
    import datetime as dt

    from liaison.live import LiveSite

    _override(example_site, "practice.html",
              '{% extends "builtin/practice.html" %}\n{% block head %}{{ super() }}\n'
              '<link rel="stylesheet" href="{{ base }}assets/ours.css">{% endblock %}\n'
              '{% block content %}<button onclick="go()">Go</button>{{ super() }}{% endblock %}\n')
    code, _out, err = run_validate(example_site, "--as-of", AS_OF)
    said = [e for e in err if e.startswith("templates/")]
    assert code == 0 and len(said) == 2, err
    out, cold = tmp_path / "out", tmp_path / "cold"

    def build(into, *more):
        code, err = build_site(example_site, into, *more)
        assert code == 0, err
        return (into / "data-quality" / "index.html").read_bytes()

    page = build(out)
    text = page.decode("utf-8")
    for line in said:
        where, message = line.split(": warning: ")
        assert where in text and message.split(" (")[0].replace("'", "&#39;") in text, line
    live = LiveSite(example_site, dt.date.fromisoformat(AS_OF))
    assert live.refresh().ok
    assert live.get("data-quality/index.html")[0] == page, "serve's data-quality/ is the same"
    # another practice edited: an incremental build; its page is a cold build's
    other = example_site / "data" / "practices" / "hendersonville-womens-health.yaml"
    other.write_text(other.read_text() + "# called back\n")
    again = build(out)
    assert again == build(cold, "--full")
    live.refresh()
    assert live.get("data-quality/index.html")[0] == again


def test_a_merge_conflict_left_in_a_template_or_palette_is_named_as_such(example_site):
    # a conflict inside a block passed, and every page showed both sides and git's markers;
    # in palette.yaml it was the YAML parser's words
    original = _builtin("practice.html")
    _override(example_site, "practice.html", original.replace(
        "{% block content %}", "{% block content %}\n<<<<<<< HEAD\n<p>ours</p>\n=======\n"
        "<p>theirs</p>\n>>>>>>> main", 1))
    line_no = original.splitlines().index(
        next(x for x in original.splitlines() if "{% block content %}" in x)) + 2
    _override(example_site, "palette.yaml",
              '<<<<<<< HEAD\nprimary: "#1d4ed8"\n=======\nprimary: "#0f766e"\n>>>>>>> main\n')
    code, _out, err = run_validate(example_site, "--as-of", AS_OF)
    assert code == 1
    conflict = ("an unresolved merge conflict (git's '<<<<<<<', '=======' and '>>>>>>>' lines): "
                "keep the lines you want and delete the three marker lines")
    assert [e for e in err if e.startswith("templates/")] == [
        f"templates/palette.yaml:1:1: error: {conflict}",
        f"templates/practice.html:{line_no}:1: error: template error: {conflict}"], err
