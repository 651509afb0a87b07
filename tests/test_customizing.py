"""What a practice can change without copying Liaison's templates: a block of base.html, a
built-in template extended under the ``builtin/`` prefix, and the palette (templates/palette.yaml)
that colours the pages, the charts and the .pptx decks.

Every build here runs the second edition's worked example (tests/fixtures/spec-example-v2) at
2026-11-26; the default pages themselves are pinned by the golden files of test_build.py.
"""
from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import SPEC_EXAMPLE, run_validate

AS_OF = "2026-11-26"
SHOTS = Path(os.environ.get("LIAISON_SHOTS_DIR", "/tmp/liaison-shots"))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
FOOTER = re.compile(r'<footer class="footer wrap">\n.*?</footer>\n', re.S)


def build(root: Path, out: Path) -> tuple[int, str]:
    from liaison.cli import main

    result = CliRunner().invoke(main, ["build", "--root", str(root), "--out", str(out),
                                       "--as-of", AS_OF])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError("build raised instead of reporting") from result.exception
    return result.exit_code, result.stderr


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def tree(folder: Path) -> dict[str, bytes]:
    """Every file of a built site but its build record (which lists the input files: a
    site with templates/ has more of them)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != ".liaison-build.json"}


@pytest.fixture(scope="module")
def default_site(tmp_path_factory) -> dict[str, bytes]:
    """The worked example built without any customization: every file, by path."""
    out = tmp_path_factory.mktemp("default") / "site"
    code, err = build(SPEC_EXAMPLE, out)
    assert code == 0, err
    return tree(out)


def slides_xml(pptx: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(pptx)) as z:
        return "".join(z.read(n).decode("utf-8") for n in sorted(z.namelist())
                       if n.startswith(("ppt/slides/slide", "ppt/theme/", "ppt/slideMasters/"))
                       and n.endswith(".xml"))


# ----------------------------------------------------------------- the built-in palette


def test_the_builtin_palette_file_names_every_key_once():
    from liaison.palette import BUILTIN, DEFAULT, Palette, parse

    found, problems = parse(BUILTIN.read_text(encoding="utf-8"))
    assert problems == []
    assert list(found) == list(Palette.keys())
    assert dict(DEFAULT.items()) == found


def test_the_builtin_stylesheets_mark_only_palette_keys_and_lose_the_marks_when_built():
    from liaison.palette import DEFAULT, Palette, apply_css, css_marks
    from liaison.render import PACKAGE_STATIC

    for name in ("style.css", "deck.css"):
        css = (PACKAGE_STATIC / name).read_text(encoding="utf-8")
        marks = css_marks(css)
        assert marks, name
        assert {key for *_, key in marks} <= set(Palette.keys()), name
        assert "palette:" not in apply_css(css, DEFAULT), name


def test_the_charts_forced_colour_rules_are_written_once_for_the_pages_and_the_decks(default_site):
    """deck.css repeated style.css's rules of a chart under a Windows contrast theme (forced
    colours), and a change to one (a new chart mark) missed the other. They are written once,
    liaison/static/shared/chart-forced-colours.css, whose mark in each style sheet the build
    replaces with it: neither package style sheet holds such a rule of its own, both built
    ones hold the shared file whole, at the place of their mark."""
    from liaison.palette import DEFAULT, apply_css
    from liaison.render import PACKAGE_STATIC

    shared = (PACKAGE_STATIC / "shared" / "chart-forced-colours.css").read_text(encoding="utf-8")
    rules = [line.strip() for line in shared.splitlines() if line.strip().startswith("svg.chart")]
    assert "svg.chart text { fill: CanvasText; }" in rules and len(rules) >= 8
    mark = "/* shared: chart-forced-colours.css */\n"
    for name in ("style.css", "deck.css"):
        css = (PACKAGE_STATIC / name).read_text(encoding="utf-8")
        assert css.count(mark) == 1, name
        assert not [r for r in rules if r in css], name
        head, _, tail = css.partition(mark)
        assert default_site[f"assets/{name}"].decode("utf-8") == apply_css(head, DEFAULT) + shared + apply_css(
            tail, DEFAULT), name
    assert "shared" not in {p.name for p in PACKAGE_STATIC.iterdir() if p.is_file()}
    assert not [rel for rel in default_site if "chart-forced" in rel or rel.startswith("assets/shared")]


def test_the_default_stylesheet_is_the_one_as_written(default_site):
    css = default_site["assets/style.css"].decode("utf-8")
    assert "palette:" not in css
    assert "--accent: #0f766e;" in css and ".topbar { background: #0b3b38;" in css


# ----------------------------------------------------------------- blocks of base.html


def test_a_footer_block_override_changes_the_footer_of_every_page_and_nothing_else(
        example_site, tmp_path, default_site):
    ours = '<footer class="footer wrap">Ours: {{ our.name }}, not for sharing.</footer>\n'
    write(example_site, "templates/base.html",
          '{% extends "builtin/base.html" %}\n{% block footer %}' + ours + "{% endblock %}\n")
    code, _out, err = run_validate(example_site, "--as-of", AS_OF)
    assert code == 0, err
    out = tmp_path / "out"
    code, err = build(example_site, out)
    assert code == 0, err
    built = tree(out)
    assert sorted(built) == sorted(default_site)
    footer = ('<footer class="footer wrap">Ours: Blue Ridge Vein &amp; Vascular, '
              "not for sharing.</footer>\n")
    pages = 0
    for rel, data in built.items():
        before = default_site[rel]
        if rel.endswith(".html") and FOOTER.search(before.decode("utf-8")):
            pages += 1
            text = data.decode("utf-8")
            assert text.count(footer) == 1, rel
            assert text == FOOTER.sub(footer, before.decode("utf-8"), count=1), rel
        else:  # deck viewers (their own frame), assets, exports, .pptx: untouched
            assert data == before, rel
    assert pages >= 20


def test_a_value_left_out_prints_nothing_in_a_sites_template(example_site, tmp_path):
    # `{{ our.phone }}` in a site's template, with no `phone` in site.yaml, printed "None"
    # (a slide prints nothing)
    site = (example_site / "site.yaml").read_text(encoding="utf-8")
    (example_site / "site.yaml").write_text(re.sub(r"\n  phone: [^\n]*", "", site), encoding="utf-8")
    write(example_site, "templates/base.html",
          '{% extends "builtin/base.html" %}\n{% block footer %}<footer class="footer wrap">'
          "Call us: {{ our.phone }}.</footer>\n{% endblock %}\n")
    out = tmp_path / "out"
    code, err = build(example_site, out)
    assert code == 0, err
    text = (out / "index.html").read_text(encoding="utf-8")
    assert '<footer class="footer wrap">Call us: .</footer>' in text


def test_extending_builtin_base_without_blocks_changes_nothing(example_site, tmp_path,
                                                               default_site):
    write(example_site, "templates/base.html", '{% extends "builtin/base.html" %}\n')
    out = tmp_path / "out"
    assert build(example_site, out)[0] == 0
    assert tree(out) == default_site


def test_a_head_block_adds_a_stylesheet_after_the_builtin_one(example_site, tmp_path):
    write(example_site, "templates/base.html",
          '{% extends "builtin/base.html" %}\n{% block head %}{{ super() }}'
          '<link rel="stylesheet" href="{{ base }}assets/ours.css">\n{% endblock %}\n')
    write(example_site, "templates/assets/ours.css",
          ".topbar { border-bottom: 3px solid #d97706; }\n")
    out = tmp_path / "out"
    assert build(example_site, out)[0] == 0
    page = (out / "physicians/nina-vargas/index.html").read_text(encoding="utf-8")
    assert ('<script src="../../assets/app.js" defer></script>\n'
            '<link rel="stylesheet" href="../../assets/ours.css">\n</head>') in page
    assert (out / "assets/ours.css").is_file()


# ------------------------------------------------------- extending a built-in template


PHYSICIAN = """{% extends "builtin/physician.html" %}
{% block title %}Brief: {{ super() }}{% endblock %}
{% block content %}
<p class="ours">Read this before the visit.</p>
{{ super() }}{% endblock %}
"""


def test_a_physician_template_extending_the_builtin_one_keeps_it_and_adds(example_site,
                                                                          tmp_path, default_site):
    write(example_site, "templates/physician.html", PHYSICIAN)
    code, _out, err = run_validate(example_site, "--as-of", AS_OF)
    assert code == 0, err
    assert not [e for e in err if "templates/" in e], err
    out = tmp_path / "out"
    code, err = build(example_site, out)
    assert code == 0, err
    ours = '<main class="wrap" id="main" tabindex="-1">\n<p class="ours">Read this before the visit.</p>\n'
    for page in sorted((out / "physicians").glob("*/index.html")):
        rel = page.relative_to(out).as_posix()
        text = page.read_text(encoding="utf-8")
        before = default_site[rel].decode("utf-8")
        assert text == before.replace("<title>", "<title>Brief: ", 1).replace(
            '<main class="wrap" id="main" tabindex="-1">\n', ours, 1), rel
    nina = (out / "physicians/nina-vargas/index.html").read_text(encoding="utf-8")
    assert "<title>Brief: Nina Vargas · " in nina
    others = [rel for rel, data in tree(out).items()
              if not rel.startswith("physicians/") and data != default_site[rel]]
    assert others == []


def test_an_error_in_a_block_of_an_extending_template_names_its_line_and_page(example_site):
    write(example_site, "templates/physician.html",
          PHYSICIAN.replace("</p>\n{{ super() }}", "</p>\n{{ super() }}\n{{ no_such }}"))
    code, _out, err = run_validate(example_site, "--as-of", AS_OF)
    assert code == 1
    [line] = [e for e in err if e.startswith("templates/physician.html:")]
    assert line.startswith("templates/physician.html:6:4: error: template error: 'no_such' is "
                           "undefined (rendering physicians/")


def test_a_misspelt_builtin_name_is_reported_at_its_line_with_the_right_name(example_site,
                                                                              tmp_path):
    write(example_site, "templates/physician.html",
          PHYSICIAN.replace("builtin/physician.html", "builtin/physican.html"))
    code, _out, err = run_validate(example_site, "--as-of", AS_OF)
    assert code == 1
    assert ("templates/physician.html:1:1: error: template error: there is no template "
            "'builtin/physican.html' (did you mean 'builtin/physician.html'?)") in err
    assert build(example_site, tmp_path / "out")[0] == 1


def test_a_site_folder_named_builtin_is_a_warning(example_site):
    write(example_site, "templates/builtin/physician.html", "<p>never used</p>\n")
    code, _out, err = run_validate(example_site, "--as-of", AS_OF)
    assert code == 0
    [said] = [e for e in err if e.startswith("templates/builtin/")]  # and no other warning
    assert said.startswith("templates/builtin/physician.html:1:1: warning: 'builtin/…' always "
                           "names a built-in template"), err


# ------------------------------------------------------------------------- the palette


PALETTE = """# our colours
primary: "#1a2b3c"
series-1: "#c2410c"
header: "#abc"
"""


def test_a_palette_override_colours_the_charts_the_css_and_the_pptx(example_site, tmp_path,
                                                                     default_site):
    write(example_site, "templates/palette.yaml", PALETTE)
    code, _out, err = run_validate(example_site, "--as-of", AS_OF)
    assert code == 0, err
    assert not [e for e in err if "palette" in e], err
    out = tmp_path / "out"
    code, err = build(example_site, out)
    assert code == 0, err
    built = tree(out)
    assert sorted(built) == sorted(default_site)

    # charts: the main series in the new colour, everything else as before
    index = built["index.html"].decode("utf-8")
    bars = re.findall(r'<rect class="chart-bar chart-series-1"[^>]*fill="([^"]+)"', index)
    assert bars and set(bars) == {"#c2410c"}
    assert index == default_site["index.html"].decode("utf-8").replace(
        'fill="#0f766e"', 'fill="#c2410c"').replace('stroke="#0f766e"', 'stroke="#c2410c"')
    referrals = built["referrals/index.html"].decode("utf-8")
    assert 'stroke="#d97706"' in referrals or 'fill="#d97706"' in referrals  # series-2 unchanged

    # CSS: the marked colours of the changed keys, the others as written
    css = built["assets/style.css"].decode("utf-8")
    assert "--accent: #1a2b3c;" in css and ".topbar { background: #aabbcc;" in css
    assert "--ink: #0f172a;" in css and "palette:" not in css
    deck_css = built["assets/deck.css"].decode("utf-8")
    assert "a { color: #1a2b3c; }" in deck_css and "background: #aabbcc;" in deck_css

    # .pptx: slide titles, accent rules and the theme in the primary colour
    decks = [rel for rel in built if rel.endswith(".pptx")]
    assert decks
    for pptx in decks:
        xml = slides_xml(built[pptx])
        assert 'srgbClr val="1A2B3C"' in xml and "0F766E" not in xml
        assert "0F766E" in slides_xml(default_site[pptx])

    # pages that draw no chart are byte-identical
    assert built["physicians/index.html"] == default_site["physicians/index.html"]


def test_a_palette_repeating_the_builtin_colours_builds_the_default_site(example_site, tmp_path,
                                                                        default_site):
    from liaison.palette import BUILTIN

    write(example_site, "templates/palette.yaml", BUILTIN.read_text(encoding="utf-8"))
    out = tmp_path / "out"
    assert build(example_site, out)[0] == 0
    assert tree(out) == default_site


def test_a_site_stylesheet_may_mark_colours_too(example_site, tmp_path):
    write(example_site, "templates/palette.yaml", 'bad: "#7f1d1d"\n')
    write(example_site, "templates/assets/ours.css",
          ".x { color: #b91c1c /* palette: bad */; }\n.y { color: #000 /* palette: nope */; }\n")
    out = tmp_path / "out"
    assert build(example_site, out)[0] == 0
    assert (out / "assets/ours.css").read_text() == (
        ".x { color: #7f1d1d; }\n.y { color: #000 /* palette: nope */; }\n")
    assert "--red: #7f1d1d;" in (out / "assets/style.css").read_text()


def test_a_site_stylesheet_that_loads_a_web_font_is_refused_at_its_line(example_site, tmp_path):
    """A web font or a CDN picture in templates/assets/*.css built without a word, and the
    Content-Security-Policy blocked it in the browser."""
    write(example_site, "templates/assets/ours.css",
          "body { font-family: Inter, sans-serif; }\n"
          "@import url('https://fonts.googleapis.com/css2?family=Inter');\n"
          ".logo { background: url(images/logo.png); }\n"
          "@font-face { font-family: X; src: url(//cdn.example.com/x.woff2); }\n")
    code, _out, err = run_validate(example_site, "--as-of", AS_OF)
    assert code == 1
    ours = [e for e in err if e.startswith("templates/assets/ours.css:")]
    assert ours == [
        "templates/assets/ours.css:2:14: error: 'https://fonts.googleapis.com/css2?family=Inter' is "
        "loaded from another host: pages load nothing from another host (no CDN, no web font; the "
        "Content-Security-Policy blocks it); put the file in templates/assets/ and give its path "
        "relative to this stylesheet",
        "templates/assets/ours.css:4:39: error: '//cdn.example.com/x.woff2' is loaded from another "
        "host: pages load nothing from another host (no CDN, no web font; the "
        "Content-Security-Policy blocks it); put the file in templates/assets/ and give its path "
        "relative to this stylesheet"], err
    assert build(example_site, tmp_path / "out")[0] == 1
    assert not (tmp_path / "out").exists()


def test_a_site_asset_in_a_subfolder_is_published_beside_the_others(example_site, tmp_path):
    """templates/assets/fonts/inter.woff2 (a font served from the site itself, as the CSP
    asks) was left out of the build without a word; a hidden file stays out."""
    write(example_site, "templates/assets/ours.css",
          "@font-face { font-family: Inter; src: url(fonts/inter.woff2); }\n")
    font = example_site / "templates/assets/fonts/inter.woff2"
    font.parent.mkdir(parents=True)
    font.write_bytes(b"wOF2 not really")
    (example_site / "templates/assets/fonts/.DS_Store").write_bytes(b"junk")
    out = tmp_path / "out"
    code, err = build(example_site, out)
    assert code == 0, err
    assert (out / "assets/fonts/inter.woff2").read_bytes() == b"wOF2 not really"
    assert not (out / "assets/fonts/.DS_Store").exists()
    assert (out / "assets/ours.css").is_file()


def test_the_palette_reaches_forked_workers(example_site, tmp_path, monkeypatch):
    """Pages are rendered in forked processes on big sites: force that here."""
    from liaison import pipeline, render

    write(example_site, "templates/palette.yaml", 'series-1: "#c2410c"\n')
    monkeypatch.setattr(render, "PARALLEL_PAGES", 1)
    out = tmp_path / "out"
    import datetime as dt

    result = pipeline.build(example_site, dt.date.fromisoformat(AS_OF), out, workers=3)
    assert result.pages > 3
    charted = [p for p in sorted(out.rglob("index.html")) if "chart-series-1" in p.read_text()]
    assert len(charted) > 3
    for page in charted:
        assert 'fill="#0f766e"' not in page.read_text(), page
    for pptx in out.rglob("*.pptx"):
        assert "C2410C" not in slides_xml(pptx.read_bytes())  # series-1 is not a slide colour
        assert "0F766E" in slides_xml(pptx.read_bytes())


def test_a_chart_or_deck_writer_given_a_palette_uses_it():
    import datetime as dt
    from dataclasses import replace

    from liaison import charts, pptx
    from liaison.palette import DEFAULT

    ours = replace(DEFAULT, series_1="#111111", primary="#222222")
    assert 'fill="#111111"' in charts.bar_chart(["a"], [1], title="t", palette=ours)
    assert 'fill="#0f766e"' in charts.bar_chart(["a"], [1], title="t")
    deck = pptx.DeckWriter("Us", dt.date(2026, 1, 1), palette=ours).write(
        "Deck", [pptx.slide_content("## Hello\n\n- one\n- two")])
    assert 'val="222222"' in slides_xml(deck)


BAD_PALETTE = """primery: "#123456"
bad: teal
good: #15803d
series-2: "#12345"
info: 1d4ed8
header: [1, 2]
primary: "#fff"
primary: "#000"
"""


def test_a_bad_palette_is_reported_at_its_lines_and_columns_and_fails(example_site, tmp_path):
    from liaison.palette import Palette

    write(example_site, "templates/palette.yaml", BAD_PALETTE)
    code, _out, err = run_validate(example_site, "--as-of", AS_OF)
    assert code == 1
    got = [e for e in err if e.startswith("templates/palette.yaml:")]
    assert got == [
        "templates/palette.yaml:1:1: error: unknown palette key 'primery' (did you mean "
        "'primary'?); the keys are " + ", ".join(Palette.keys()),
        "templates/palette.yaml:2:6: error: 'teal' is not a colour; a colour is #rgb or #rrggbb "
        "(names such as 'teal' are not accepted)",
        "templates/palette.yaml:3:7: error: 'good' has no colour: an unquoted # starts a YAML "
        "comment; quote the colour: good: \"#15803d\"",
        "templates/palette.yaml:4:11: error: '#12345' is not a colour; a colour is #rgb or "
        "#rrggbb (names such as 'teal' are not accepted)",
        "templates/palette.yaml:5:7: error: '1d4ed8' is not a colour (did you mean \"#1d4ed8\"?)",
        "templates/palette.yaml:6:9: error: 'header' takes one colour, #rgb or #rrggbb, e.g. "
        "header: \"#0f766e\"",
        # white titles on white slides (primary: "#fff"): a warning, not an error
        "templates/palette.yaml:7:10: warning: a slide table's header row (white on primary) read at 1.0:1 "
        "(#ffffff on #ffffff); text on a slide needs 4.5:1 at least: make 'primary' darker",
        "templates/palette.yaml:7:10: warning: the slides' titles and big numbers read at 1.0:1 (#ffffff on "
        "#ffffff); text on a slide needs 4.5:1 at least: make 'primary' darker",
        "templates/palette.yaml:8:1: error: duplicate key 'primary'",
    ], err
    assert not [e for e in err if "Traceback" in e]

    out = tmp_path / "out"
    code, err = build(example_site, out)
    assert code == 1
    assert "templates/palette.yaml:2:6: error: 'teal' is not a colour" in err
    assert not out.exists()


@pytest.mark.parametrize("text, where", [
    ('primary: "#0f766e\n', "templates/palette.yaml:2:1: error: YAML syntax error"),
    ("- primary\n", "templates/palette.yaml:1:1: error: palette.yaml holds colours by name"),
])
def test_a_palette_that_is_not_a_mapping_of_colours_is_one_diagnostic(example_site, text, where):
    write(example_site, "templates/palette.yaml", text)
    code, _out, err = run_validate(example_site, "--as-of", AS_OF)
    assert code == 1
    got = [e for e in err if e.startswith("templates/palette.yaml:")]
    assert len(got) == 1 and got[0].startswith(where), err


def test_a_good_palette_alone_is_no_template_override(example_site):
    write(example_site, "templates/palette.yaml", PALETTE)
    code, _out, err = run_validate(example_site, "--as-of", AS_OF)
    assert code == 0
    assert not [e for e in err if "templates/" in e], err


def test_a_palette_whose_slide_text_does_not_read_is_warned_of_at_its_colour(example_site, tmp_path):
    """A site's palette.yaml with a light primary colour (a sky blue) gave the .pptx slides
    titles at 2.1:1 on white and a table header of white on it at 2.1:1, where text needs
    4.5:1 (PowerPoint's Accessibility Checker, a projector in a lit room), and nothing said so.
    validate warns at the colour, of each slide text it makes unreadable, with the ratio; the
    build goes on (the colours are the site's to choose), and the built-in colours warn of
    nothing (test_a_good_palette_alone_is_no_template_override)."""
    from liaison.palette import DEFAULT, SLIDE_TEXT, contrast

    # the built-in colours read on every slide ground
    assert min(contrast(t if t.startswith("#") else DEFAULT[t], DEFAULT[g]) for t, g, _ in SLIDE_TEXT) >= 4.5
    write(example_site, "templates/palette.yaml", '# sky\nprimary: "#38bdf8"\nband: "#334155"\nmuted: "#475569"\n')
    code, _out, err = run_validate(example_site, "--as-of", AS_OF)
    assert code == 0
    assert [e for e in err if e.startswith("templates/palette.yaml:")] == [
        "templates/palette.yaml:2:10: warning: a slide table's header row (white on primary) read at 2.1:1 "
        "(#ffffff on #38bdf8); text on a slide needs 4.5:1 at least: make 'primary' darker",
        "templates/palette.yaml:2:10: warning: the slides' titles and big numbers read at 2.1:1 (#38bdf8 on "
        "#ffffff); text on a slide needs 4.5:1 at least: make 'primary' darker",
        "templates/palette.yaml:3:7: warning: the slides' text in a table's banded rows read at 1.4:1 (#1e293b "
        "on #334155); text on a slide needs 4.5:1 at least: make 'band' lighter",
    ], err
    code, err = build(example_site, tmp_path / "out")
    assert code == 0, err


def test_a_slide_colour_under_4_5_is_warned_of_with_its_ratio_never_read_as_4_5():
    """A grey of 3.5:1 on white (#888888) is under 4.5:1, if above the 3:1 of a chart's
    marks: warned of. #777777 reads at 4.48:1 on white: under 4.5:1, warned of, and its
    ratio written rounded down ("4.4:1"), not up to the "4.5:1" the warning says it needs.
    #767676 (4.54:1) reads: no warning."""
    from dataclasses import replace

    from liaison.palette import DEFAULT, slide_contrast

    def warned(primary):
        return [p.message for p in slide_contrast(replace(DEFAULT, primary=primary),
                                                  {"primary": (2, 10)})]

    assert warned("#888888") == [
        "the slides' titles and big numbers read at 3.5:1 (#888888 on #ffffff); text on a "
        "slide needs 4.5:1 at least: make 'primary' darker",
        "a slide table's header row (white on primary) read at 3.5:1 (#ffffff on #888888); "
        "text on a slide needs 4.5:1 at least: make 'primary' darker"]
    grey = warned("#777777")
    assert len(grey) == 2 and all(" read at 4.4:1 (" in m for m in grey), grey
    assert warned("#767676") == []


# --------------------------------------------------------------------------- a screenshot


def _skip_without_chromium():
    """A browser test's skip, with the reason, where Playwright or Chromium is missing."""
    if importlib.util.find_spec("playwright") is None:
        pytest.skip("Playwright for Python is not importable")
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"{CHROMIUM} is missing")


@contextlib.contextmanager
def _offline_page(path, **options):
    """The built page at ``path`` open in Chromium (1280 x 900, ``options`` to new_page), with
    every request but file: and data: aborted: nothing from the network."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, **options)
            page.route("**/*", lambda r: r.continue_()
                       if r.request.url.startswith(("file:", "data:")) else r.abort())
            page.goto(path.as_uri())
            yield page
        finally:
            browser.close()


def test_a_page_with_a_palette_override_in_chromium(example_site, tmp_path):
    """Screenshot for a person to look at ($LIAISON_SHOTS_DIR, by default /tmp/liaison-shots);
    asserted: the top bar and the chart bars take the site's colours."""
    _skip_without_chromium()
    write(example_site, "templates/palette.yaml",
          'primary: "#7c3aed"\nprimary-soft: "#ede9fe"\nheader: "#3b0764"\nheader-text: "#e9d5ff"\n'
          'series-1: "#7c3aed"\nseries-2: "#db2777"\n')
    out = tmp_path / "out"
    assert build(example_site, out)[0] == 0
    with _offline_page(out / "referrals/index.html") as page:
        assert page.eval_on_selector(".topbar", "e => getComputedStyle(e).backgroundColor") \
            == "rgb(59, 7, 100)"
        assert page.eval_on_selector(".nav a", "e => getComputedStyle(e).color") \
            == "rgb(233, 213, 255)"
        assert page.eval_on_selector("main a", "e => getComputedStyle(e).color") \
            == "rgb(124, 58, 237)"
        assert page.eval_on_selector("rect.chart-bar.chart-series-1",
                                     "e => getComputedStyle(e).fill") == "rgb(124, 58, 237)"
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "palette-referrals.png"), full_page=True)


def test_a_sites_colours_of_the_practice_follow_it_into_dark_mode(example_site):
    """The pages' dark scheme takes the palette's dark-* keys. A site that changed its brand
    colour (primary, series-1) or a meaning's (bad) and not the dark- key would have read in
    the built-in teal and red in dark mode: the dark key follows the site's colour, lightened
    until it reads at 4.5:1 (a chart's series at 3:1) on the dark grounds; its -soft ground is
    the colour dimmed into the dark surface. A dark- key the site sets is taken as it is, even
    the built-in colour; the dark neutrals (text, background) are not the light ones."""
    from liaison.palette import DEFAULT, apply_css, contrast, load

    write(example_site, "templates/palette.yaml",
          'primary: "#1a2b3c"\nseries-1: "#7c3aed"\nbad: "#7f1d1d"\nbackground: "#fffbeb"\n'
          'info: "#0000ff"\ndark-info: "#93c5fd"\ngood: "#00aa00"\ndark-good: "#4ade80"\n')
    ours, problems = load(example_site)
    assert problems == []
    grounds = [DEFAULT.dark_background, DEFAULT.dark_surface, DEFAULT.dark_band]
    for key, need in (("dark-primary", 4.5), ("dark-bad", 4.5), ("dark-series-1", 3)):
        assert ours[key] != DEFAULT[key], key
        assert min(contrast(ours[key], g) for g in grounds) >= need, (key, ours[key])
        soft = key + "-soft"
        if soft in DEFAULT.keys():
            assert ours[soft] != DEFAULT[soft]
            assert contrast(ours[key], ours[soft]) >= need, (key, soft)
            assert contrast(ours[soft], DEFAULT.dark_surface) < 1.6, soft
    assert ours.dark_series_1 not in (DEFAULT.dark_series_1, "#ffffff")
    assert ours.dark_info == "#93c5fd"  # set by the site
    assert ours.dark_good == DEFAULT.dark_good  # set by the site, as the built-in one
    assert ours.dark_info_soft != DEFAULT.dark_info_soft  # not set: follows info
    assert ours.dark_background == DEFAULT.dark_background  # a neutral
    assert ours.dark_warning == DEFAULT.dark_warning  # warning unchanged
    css = ":root { --a: #2dd4bf /* palette: dark-primary */; --b: #fbbf24 /* palette: dark-warning */; }"
    assert apply_css(css, DEFAULT) == ":root { --a: #2dd4bf; --b: #fbbf24; }"
    assert apply_css(css, ours) == f":root {{ --a: {ours.dark_primary}; --b: #fbbf24; }}"


def test_a_followed_soft_ground_is_a_fifth_of_the_colour_in_the_dark_surface():
    """bad: #ff0000 and no dark-bad-soft: 22% of (255, 0, 0) and 78% of the dark surface
    #141d2e (20, 29, 46) is (71.7, 22.6, 35.9) -> #481724: a dim red ground, not a bright one."""
    from dataclasses import replace

    from liaison.palette import DEFAULT, contrast, follow_dark

    ours = follow_dark(replace(DEFAULT, bad="#ff0000"), {"bad"})
    assert ours.dark_bad_soft == "#481724"
    assert contrast(ours.dark_bad_soft, DEFAULT.dark_surface) < 1.6


def test_a_site_palette_in_dark_mode_in_chromium(example_site, tmp_path):
    """In Chromium, dark mode on a site whose palette changes the brand colour: the page is
    dark, its links and chart bars in the site's purple lightened (not the built-in teal, not
    the light purple at 3:1), the top bar the site's own; light mode is unchanged."""
    from test_browser_layout import _contrast

    _skip_without_chromium()
    write(example_site, "templates/palette.yaml",
          'primary: "#7c3aed"\nheader: "#3b0764"\nseries-1: "#7c3aed"\n')
    out = tmp_path / "out"
    assert build(example_site, out)[0] == 0
    style = "e => getComputedStyle(e)"
    with _offline_page(out / "referrals/index.html", color_scheme="dark") as page:
        card = page.eval_on_selector(".card", style + ".backgroundColor")
        link = page.eval_on_selector("main a", style + ".color")
        bar = page.eval_on_selector("rect.chart-bar.chart-series-1", style + ".fill")
        assert _contrast(card, "rgb(0, 0, 0)") < 1.5, card
        assert page.eval_on_selector(".topbar", style + ".backgroundColor") == "rgb(59, 7, 100)"
        for colour, need in ((link, 4.5), (bar, 3)):
            assert colour not in ("rgb(124, 58, 237)", "rgb(45, 212, 191)"), colour
            r, g, b = map(int, re.findall(r"\d+", colour)[:3])
            assert b > g and r > g, colour  # a purple still
            assert _contrast(colour, card) >= need, (colour, card)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "palette-referrals-dark.png"))
        page.emulate_media(color_scheme="light")
        assert page.eval_on_selector("main a", style + ".color") == "rgb(124, 58, 237)"


def _counted_compiles(monkeypatch) -> list[str]:
    """The names of the templates jinja compiles from now on, in order."""
    import jinja2

    compiled: list[str] = []
    original = jinja2.Environment.compile

    def counted(self, source, name=None, filename=None, raw=False, defer_init=False):
        compiled.append(name)
        return original(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", counted)
    return compiled


@pytest.mark.parametrize("sandboxed", [False, True])
def test_templates_compiled_once_are_taken_from_the_cache_folder(example_site, sandboxed,
                                                                 _private_parse_cache,
                                                                 monkeypatch):
    """A template is compiled once: the next run (a new environment) takes it compiled from
    the cache folder, each kind of environment its own, and renders the same; a site
    template whose text changed is compiled again; a cache folder that cannot be written
    costs only the compiling."""
    import shutil

    from liaison.render import make_env

    compiled = _counted_compiles(monkeypatch)
    write(example_site, "templates/note.html", "{{ palette is defined }} one")

    def render(name: str) -> str:
        return make_env(example_site, sandboxed=sandboxed).get_template(name).render()

    assert render("note.html") == "True one" and compiled == ["note.html"]
    assert render("note.html") == "True one" and compiled == ["note.html"]
    made = sorted(p.name for p in _private_parse_cache.glob("templates-*.d/*"))
    assert len(made) == 1
    write(example_site, "templates/note.html", "{{ palette is defined }} two")
    assert render("note.html") == "True two" and compiled == ["note.html"] * 2
    assert render("note.html") == "True two" and compiled == ["note.html"] * 2
    for folder in _private_parse_cache.glob("templates-*.d"):  # a file in its place
        shutil.rmtree(folder)
        folder.write_text("not a folder")
    write(example_site, "templates/note.html", "{{ palette is defined }} three")
    assert render("note.html") == "True three" and compiled == ["note.html"] * 3
    assert render("note.html") == "True three" and compiled == ["note.html"] * 4


def test_the_built_in_templates_compiled_once_serve_every_cache_folder(example_site, tmp_path,
                                                                      monkeypatch):
    """A site without templates of its own renders the built-in templates alone: they are
    compiled once and kept beside them (render.BUILTIN_COMPILED), so that a run with an
    empty cache folder, or for another site root, compiles none. A site's own templates
    stay in its cache folder, and where the package's folder cannot be written the cache
    folder holds the built-in ones too."""
    from liaison import render

    compiled = _counted_compiles(monkeypatch)
    beside = tmp_path / "package" / "compiled"
    monkeypatch.setattr(render, "BUILTIN_COMPILED", beside)

    def page(cache: Path, root: Path = example_site) -> str:
        monkeypatch.setenv("LIAISON_CACHE_DIR", str(cache))
        return render.make_env(root).get_template("base.html").render(
            {"title": "T", "our": {"name": "Ours"}, "base": "", "nav": [], "section": "",
             "as_of_text": "2026-11-26", "csp": ""})

    first = page(tmp_path / "cache-1")
    assert "base.html" in compiled and "head.html" in compiled
    kept = sorted(p.name for p in beside.iterdir())
    assert len(kept) == len(compiled)
    assert not list((tmp_path / "cache-1").glob("templates-*/*")), "none in the cache folder"
    done = len(compiled)
    other = tmp_path / "other-site"
    (other / "data").mkdir(parents=True)
    assert page(tmp_path / "cache-2") == first  # an empty cache folder: none compiled
    assert page(tmp_path / "cache-3", other) == first  # another site root: the same
    assert len(compiled) == done and sorted(p.name for p in beside.iterdir()) == kept

    write(example_site, "templates/note.html", "{{ 1 + 1 }}")  # a site's own: the sandbox
    monkeypatch.setenv("LIAISON_CACHE_DIR", str(tmp_path / "cache-4"))
    assert render.make_env(example_site).get_template("note.html").render() == "2"
    assert sorted(p.name for p in beside.iterdir()) == kept
    assert len(list((tmp_path / "cache-4").glob("templates-sandboxed-*/*"))) == 1

    (tmp_path / "in-the-way").write_text("a file where the folder would go")
    monkeypatch.setattr(render, "BUILTIN_COMPILED", tmp_path / "in-the-way" / "compiled")
    assert page(tmp_path / "cache-5", other) == first
    assert len(compiled) == 2 * done + 1  # compiled again, into the cache folder
    assert len(list((tmp_path / "cache-5").glob("templates-trusted-*/*"))) == done
    assert page(tmp_path / "cache-5", other) == first and len(compiled) == 2 * done + 1


def test_what_is_compiled_beside_the_code_is_not_part_of_its_fingerprint():
    """The code's fingerprint (the build record's, the compiled templates' version) reads
    Liaison's own files, not what runs keep beside them in ``__pycache__`` folders: else the
    templates kept there would change the version they are kept under, and every run would
    compile them again."""
    import uuid

    from liaison import buildrecord, render

    before = buildrecord.code_fingerprint.__wrapped__()
    render.BUILTIN_COMPILED.mkdir(parents=True, exist_ok=True)
    kept = render.BUILTIN_COMPILED / f"test-{uuid.uuid4().hex}.cache"
    try:
        kept.write_bytes(b"compiled")
        assert buildrecord.code_fingerprint.__wrapped__() == before
    finally:
        kept.unlink()


def test_the_codes_fingerprint_moves_with_a_files_bytes_and_a_librarys_version(monkeypatch):
    """A build record is trusted only while the code that made it is the same: a template of
    Liaison's edited in place (same name, other bytes) or a library of another version is
    another code, and every page is rendered again."""
    import uuid
    from importlib import metadata

    from liaison import buildrecord, render

    extra = render.PACKAGE_TEMPLATES / f"test-{uuid.uuid4().hex}.html"
    try:
        extra.write_text("<p>one</p>\n")
        first = buildrecord.code_fingerprint.__wrapped__()
        extra.write_text("<p>two</p>\n")
        assert buildrecord.code_fingerprint.__wrapped__() != first, "a file's bytes"
        extra.write_text("<p>one</p>\n")
        assert buildrecord.code_fingerprint.__wrapped__() == first
        version = metadata.version
        monkeypatch.setattr(metadata, "version", lambda lib: "99.0" if lib == "markdown"
                            else version(lib))
        assert buildrecord.code_fingerprint.__wrapped__() != first, "a library's version"
    finally:
        extra.unlink()


def test_a_build_reads_each_template_once(example_site):
    """Every page of a build comes from one version of a template: one edited while the
    build runs changes none of them (the environment does not look at the files again,
    which also spares a look at base.html and macros.html for each of 17,000 pages)."""
    from liaison.render import make_env

    write(example_site, "templates/physician.html",
          '{% extends "builtin/physician.html" %}{% block title %}First{% endblock %}\n')
    env = make_env(example_site)
    first = env.get_template("physician.html")
    write(example_site, "templates/physician.html",
          '{% extends "builtin/physician.html" %}{% block title %}Second one{% endblock %}\n')
    os.utime(example_site / "templates/physician.html", (1, 1))  # another time, surely
    assert env.get_template("physician.html") is first
    assert "".join(first.blocks["title"](first.new_context({}))) == "First"
    again = make_env(example_site).get_template("physician.html")
    assert "".join(again.blocks["title"](again.new_context({}))) == "Second one"
