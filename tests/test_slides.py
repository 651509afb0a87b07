"""Slides a physician would respect (SPEC §6 decks): the template helpers, the slide layouts
in both outputs, slide images, the logo, the native referral chart, and what python-pptx reads
back from the .pptx of the built sample site. The LibreOffice look is tests/test_slides_render.py."""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pptx
import pytest
import yaml

from liaison import decks as deck_stage
from liaison import wording
from liaison.pptx import DeckWriter, slide_content
from liaison.pptx.package import image_size

from conftest import build_sample_site, run_validate

REPO = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 11, 26)


# --------------------------------------------------------------------------- helpers


@pytest.mark.parametrize("n, expected", [(0, "0 patients"), (1, "1 patient"), (2, "2 patients"),
                                         (1234, "1,234 patients")])
def test_plural(n, expected):
    assert wording.plural(n, "patient") == expected


def test_plural_irregular_words_and_regular_endings():
    assert wording.plural(1, "person", "people") == "1 person"
    assert wording.plural(3, "person", "people") == "3 people"
    assert wording.plural(3, "patient", words=True) == "three patients"
    assert wording.plural(12, "patient", words=True) == "12 patients"
    assert wording.plural(2, "practice") == "2 practices"
    assert wording.plural(2, "class") == "2 classes"
    assert wording.plural(2, "specialty") == "2 specialties"
    assert wording.plural(2, "day") == "2 days"


@pytest.mark.parametrize("n, expected", [(0, "zero"), (1, "one"), (7, "seven"), (10, "ten"), (11, "11"),
                                         (2500, "2,500"), (-3, "-3"), (2.5, "2.5")])
def test_in_words_one_to_ten_then_digits(n, expected):
    assert wording.in_words(n) == expected


@pytest.mark.parametrize("items, expected", [
    ([], ""), (["A"], "A"), (["A", "B"], "A and B"), (["A", "B", "C"], "A, B and C"),
    (["A", "", "C"], "A and C"),
    (["Dr. Ana Reyes", "Mara Quist, NP", "Dr. Li Wu"], "Dr. Ana Reyes, Mara Quist, NP and Dr. Li Wu"),
])
def test_prose_list(items, expected):
    assert wording.prose_list(items) == expected


def test_prose_list_other_conjunction():
    assert wording.prose_list(["A", "B"], "or") == "A or B"


@pytest.mark.parametrize("name, credentials, expected", [
    ("Ana Reyes", "MD", "Dr. Ana Reyes"),
    ("Ana Reyes", "DO", "Dr. Ana Reyes"),
    ("Ana Reyes", "DPM", "Dr. Ana Reyes"),
    ("Ana Reyes", "DDS", "Dr. Ana Reyes"),  # a dentist: a sleep center's referrer
    ("Ana Reyes", "D.M.D.", "Dr. Ana Reyes"),
    ("Ana Reyes", "M.D.", "Dr. Ana Reyes"),
    ("Ana Reyes", "MD, FACS", "Dr. Ana Reyes"),
    ("Dr. Ana Reyes", "MD", "Dr. Ana Reyes"),
    ("Mara Quist", "NP", "Mara Quist, NP"),
    ("Mara Quist", "PA-C", "Mara Quist, PA-C"),
    ("Mara Quist", None, "Mara Quist"),
    ("Mara Quist", "PhD, RN", "Mara Quist, PhD, RN"),
])
def test_formal_name(name, credentials, expected):
    assert wording.formal_name({"name": name, "credentials": credentials}) == expected


def render(source: str, ctx: dict | None = None, flavor: str = "html") -> str:
    env = deck_stage.make_env(flavor)
    return env.from_string(source).render(ctx or {})


def test_helpers_in_the_sandbox_and_values_stay_escaped():
    ctx = {"physicians": [{"name": "Ana <b>Reyes</b>", "credentials": "MD"},
                          {"name": "Mara Quist", "credentials": "NP"}],
           "n": 1}
    out = render('{{ physicians|map("formal_name")|prose_list }} saw {{ plural(n, "patient") }} '
                 'and {{ 4|in_words }}', ctx)
    assert out == r"Dr\. Ana &lt;b\>Reyes&lt;/b\> and Mara Quist, NP saw 1 patient and four"
    assert "<b>" not in out  # a value is text in the HTML deck
    pptx_out = render('{{ physicians|map("formal_name")|prose_list }}', ctx, "pptx")
    assert r"\<b\>" in pptx_out  # and in the .pptx reader


def varies(*slides: str) -> list[bool]:
    """Which slides of a deck made of these slides compile_deck renders for every practice."""
    from liaison.content import Deck, Slide

    deck = Deck("d", "content/presentations/d.md", None,
                [Slide(source, 4 + 4 * k) for k, source in enumerate(slides)])
    compiled, errors = deck_stage.compile_deck(deck_stage.make_env(), deck)
    assert not errors
    return [cs.varies for cs in compiled]


def test_a_slide_is_rendered_per_practice_only_when_it_can_differ():
    assert varies("# Plain", "{% for s in site.services %}- {{ plural(2, s.name) }}\n{% endfor %}",
                  "{{ site.practice.name|upper }} {{ nope }}") == [False, False, False]
    assert varies("{% if practice %}{{ practice.name }}{% endif %}", "{{ stats.referrals_365d }}",
                  "{% for d in physicians %}{{ d.name }}{% endfor %}",
                  "{% macro m() %}{{ practice }}{% endmacro %}{{ m() }}",
                  "{{ lipsum(1) }}", "{{ [1, 2]|random }}") == [True] * 6
    # a method may change what the deck's renderings share: every slide of the deck varies
    assert varies("# Plain", "{{ site.services.append(1) }}") == [True, True]
    assert varies("# Plain", "{{ site.practice.name.upper() }}") == [True, True]


def test_a_renderings_context_holds_what_its_slides_read():
    """Each slide names what it reads of a rendering's own context; the deck check gives
    each practice's rendering only that (the practice's physicians, dumped for every
    practice, were most of the check's time), and a slide that reads them still fails where
    they fail it."""
    from types import SimpleNamespace as NS

    from liaison import decks as deck_stage
    from liaison.content import Deck, Slide

    slides = ["# Plain {{ site.practice.name }}", "{% if practice %}{{ practice.name }}{% endif %}",
              "{% for d in physicians %}{{ d.name }}{% endfor %}", "{{ stats.referrals_365d }}",
              "{% macro m() %}{{ practice.id }}{% endmacro %}{{ m() }}"]
    deck = Deck("d", "content/presentations/d.md", None,
                [Slide(source, 4 + 4 * k) for k, source in enumerate(slides)])
    compiled, _errors = deck_stage.compile_deck(deck_stage.make_env(), deck)
    assert [set(cs.reads) for cs in compiled] == [set(), {"practice"}, {"physicians"},
                                                  {"stats"}, {"practice"}]

    class Record(NS):
        def model_dump(self):
            return dict(vars(self))

    site = NS(practices={"p-1": Record(name="Oak Clinic")},
              physicians={"d-1": Record(name="Ann Oak")})
    docs = {"p-1": ["d-1"]}
    stats = NS(practices={"p-1": {"referrals_365d": 7}}, physicians={"d-1": {"referrals_365d": 3}})
    whole = deck_stage.deck_context(site, {}, stats, docs, "p-1")
    assert whole["practice"] == {"id": "p-1", "name": "Oak Clinic"}
    assert whole["physicians"] == [{"id": "d-1", "name": "Ann Oak", "stats": {"referrals_365d": 3}}]
    assert whole["stats"] == {"referrals_365d": 7}
    only = deck_stage.deck_context(site, {}, stats, docs, "p-1", frozenset({"stats"}))
    assert only["practice"] is None and only["physicians"] is None and only["stats"] == whole["stats"]


def test_the_deck_check_reports_a_slide_that_only_its_physicians_fail(tmp_path):
    # nothing in the generic deck; a customized one fails where the practice has fewer
    root = site_with_deck(tmp_path, "## For you\n\n{% if practice %}{{ physicians[7].name }}"
                                    "{% endif %}\n")
    code, _out, err = run_validate(root)
    text = "\n".join(err)
    assert code == 1, text
    assert ("content/presentations/extra.md:7:31: error: slide 1: template error: list object "
            "has no element 7 (customized for practice 'alder-falls-family-medicine')") in text


@pytest.mark.parametrize("flavor", ["html", "pptx"])
def test_a_value_is_never_a_layout_line(flavor):
    out = render("{{ name }}\n\n## T\n", {"name": "Layout: closing"}, flavor)
    assert deck_stage.split_layout(out)[0] is None
    assert slide_content(out).layout_at(2) == "content"


def test_referral_chart_mark_is_not_escaped_but_a_value_that_looks_like_it_is():
    out = render("{{ referral_chart() }}\n\n{{ fake }}", {"fake": deck_stage.CHART_MARK})
    assert out.count(deck_stage.CHART_MARK) == 1
    pptx_out = render("{{ referral_chart() }}\n\n{{ fake }}", {"fake": deck_stage.CHART_MARK}, "pptx")
    content = slide_content("## Chart\n\n" + pptx_out)
    assert [b.kind for b in content.blocks].count("chart") == 1


# --------------------------------------------------------------------------- layouts


def test_layout_line_and_automatic_layouts():
    assert slide_content("# Title\n\nSubtitle").layout_at(0) == "title"
    assert slide_content("# Title\n\nSubtitle").layout_at(1) == "content"
    assert slide_content("# Title\n\n- a bullet").layout_at(0) == "content"
    assert slide_content("Layout: big-number\n## T\n\n42\n\ncaption").layout_at(3) == "big-number"
    layout, rest = deck_stage.split_layout("\nLayout: closing\n## Thanks")
    assert layout == "closing" and "Layout" not in rest
    # only a slide's first line asks for a layout
    assert deck_stage.split_layout("## T\n\nLayout: closing")[0] is None


def test_a_rule_inside_a_fenced_code_block_does_not_split_the_slide():
    from liaison.content import split_slides

    body = ("## A record\n\n```yaml\n---\ndate: 2026-03-04\n```\n\n---\n\n## Next\n\n"
            "~~~~\n---\n~~~\n---\n~~~~\n---\n## Last\n")
    slides = split_slides(body, 5)
    assert [s.line for s in slides] == [5, 13, 22]
    assert slides[0].source == "## A record\n\n```yaml\n---\ndate: 2026-03-04\n```\n"
    # a longer fence is closed only by one at least as long, of the same mark
    assert slides[1].source.count("---") == 2 and slides[2].source == "## Last\n"
    # an inline code span is no fence
    assert len(split_slides("``` a `b` ```\n---\nnext\n", 1)) == 2


@pytest.mark.parametrize("source", [
    "- one\n  - a\n  - b\n- two\n",              # two spaces, as GitHub nests
    "- one\n    - a\n- two\n",                   # four, as Python-Markdown nests
    "1. x\n   - y\n     - z\n2. w\n",          # under a number, by its width
    "- a\n  - b\n    - c\n  - d\n- e\n",
    "* a\n\n  * b\n\n* c\n",                     # a loose list
])
def test_the_html_deck_and_the_pptx_nest_a_list_alike(source):
    """One syntax for both: each item at the same level in the HTML deck (Python-Markdown)
    as in the .pptx's reader; two-space nesting was shown flat in HTML."""
    from html.parser import HTMLParser

    from liaison.content import MarkdownRenderer

    class Levels(HTMLParser):
        def __init__(self):
            super().__init__()
            self.depth, self.items = -1, []

        def handle_starttag(self, tag, attrs):
            if tag in ("ul", "ol"):
                self.depth += 1

        def handle_endtag(self, tag):
            if tag in ("ul", "ol"):
                self.depth -= 1

        def handle_data(self, data):
            if data.strip():
                self.items.append((self.depth, data.strip()))

    html = MarkdownRenderer().slide(source)
    parsed = Levels()
    parsed.feed(html)
    bullets = slide_content("## T\n\n" + source).blocks[0]
    assert parsed.items == list(bullets.items), html


def test_a_guide_nests_a_list_as_github_does():
    from liaison.content import MarkdownRenderer

    html, _toc = MarkdownRenderer().document(
        "## Steps\n\n1. Call the office\n   - ask for the manager\n\n   Then log it.\n2. Visit\n")
    assert "<li>\n<p>Call the office</p>\n<ul>\n<li>ask for the manager</li>" in html
    assert "<p>Then log it.</p>\n</li>" in html


def test_two_column_blocks_and_image_blocks():
    c = slide_content("Layout: two-column\n## T\n\n- a\n\n+++\n\n![Lab](images/lab.png)\n")
    assert [b.kind for b in c.blocks] == ["bullets", "break", "image"]
    assert c.blocks[2].text == "Lab" and c.blocks[2].items == ("images/lab.png",)
    # an image inside a sentence stays its alt text
    c = slide_content("## T\n\nSee ![the lab](lab.png) today")
    assert [b.kind for b in c.blocks] == ["paragraph"] and c.blocks[0].text == "See the lab today"


class Convert:
    def __init__(self):
        import markdown

        from liaison.content import sanitize

        self.md, self.sanitize = markdown.Markdown(extensions=["extra", "sane_lists"]), sanitize

    def __call__(self, text):
        return self.sanitize(self.md.reset().convert(text)) if text.strip() else ""


def html_of(markdown: str, index: int = 1, dress=None) -> dict:
    dress = dress or deck_stage.Dress(logo="../../assets/logo.png", media="../_media/",
                                      chart="<svg><title>chart</title></svg>", contact=("Us", "Phone 1"),
                                      name="Us")
    return deck_stage.render_html(Convert(), lambda t: t, [""] * index + [markdown], dress)[index]


def test_html_layouts():
    s = html_of("Layout: two-column\n## Both\n\n- left\n\n+++\n\n- right\n")
    assert s["layout"] == "two-column"
    assert re.search(r'<h2>Both</h2><div class="columns"><div class="column"><ul>\s*<li>left</li>', s["html"])
    assert '<div class="column"><ul>\n<li>right</li>' in s["html"]
    s = html_of("Layout: image-right\n## Lab\n\n![The lab](images/lab.png)\n\n- text\n")
    assert '<div class="media-text image-right"><div class="media"><p><img alt="The lab" ' \
           'src="../_media/images/lab.png"></p></div><div class="text"><ul>' in s["html"]
    s = html_of("Layout: big-number\n## Figure\n\n52 patients\n\nthis year\n")
    assert '<div class="big-number"><p>52 patients</p></div><div class="caption"><p>this year</p></div>' in s["html"]
    s = html_of("Layout: closing\n## Thanks\n")
    assert '<div class="slide-logo"><img src="../../assets/logo.png" alt="Us"></div>' in s["html"]
    assert '<div class="contact"><p>Us</p><p>Phone 1</p></div>' in s["html"]
    s = html_of("# Deck\n\nFor you", index=0)
    assert s["layout"] == "title" and s["html"].startswith('<div class="slide-logo">')
    s = html_of("## Chart\n\n" + deck_stage.CHART_MARK + "\n")
    assert '<div class="liaison-chart"><svg><title>chart</title></svg></div>' in s["html"]
    # the generic deck has no chart: the mark leaves nothing behind
    s = html_of("## Chart\n\n" + deck_stage.CHART_MARK + "\n", dress=deck_stage.Dress())
    assert "liaison-chart" not in s["html"]


def test_html_remote_image_is_dropped_not_prefixed():
    s = html_of("## T\n\n![x](https://evil.example/x.png)\n")
    assert "evil" not in s["html"] and "_media" not in s["html"]


# --------------------------------------------------------------------------- the writer

LOGO = (REPO / "templates" / "assets" / "logo.png").read_bytes()
LAB = (REPO / "content" / "presentations" / "images" / "vascular-lab.png").read_bytes()


def test_image_size_png_and_jpeg():
    assert image_size(LOGO) == (720, 180)
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (33, 17), (1, 2, 3)).save(buf, "JPEG")
    assert image_size(buf.getvalue()) == (33, 17)
    assert image_size(b"GIF89a....") is None


SLIDES = [
    "# Our deck\n\nFor the office\n\nNotes: welcome",
    "Layout: image-left\n## The lab\n\n![The lab](images/lab.png)\n\n- one\n- two\n\nNotes: lab notes",
    "Layout: two-column\n## Two\n\n1. first\n2. second\n\n+++\n\n<div class=\"liaison-chart\"></div>\n",
    "Layout: big-number\n## Figure\n\n52 patients\n\nin twelve months",
    "Layout: closing\n## Thank you\n\nCall us.\n\nNotes: bye",
]
CHART = (["Jan 2026", "Feb 2026", "Mar 2026"], [3, 0, 7])


def write_deck(chart=CHART, logo=LOGO) -> bytes:
    writer = DeckWriter("Cascade Vein & Vascular", AS_OF, logo=logo,
                        contact=("Cascade Vein & Vascular", "Phone (360) 555-0100"),
                        media=lambda path: LAB if path == "images/lab.png" else None)
    return writer.write("A deck", [slide_content(md) for md in SLIDES], chart=chart)


def test_python_pptx_reads_layouts_pictures_chart_and_notes():
    data = write_deck()
    p = pptx.Presentation(io.BytesIO(data))
    assert len(p.slides) == len(SLIDES)
    pictures = [(k, sh.image.size, sh._element.xpath("./p:nvPicPr/p:cNvPr/@descr")[0])
                for k, s in enumerate(p.slides) for sh in s.shapes if sh.shape_type == 13]
    # the logo's alternative text names our practice, as the HTML deck's does ("Logo" said
    # whose logo it was to no one)
    ours = "Cascade Vein & Vascular"
    assert pictures == [(0, (720, 180), ours), (1, (960, 640), "The lab"), (4, (720, 180), ours)]
    charts = [sh.chart for s in p.slides for sh in s.shapes if getattr(sh, "has_chart", False)]
    assert len(charts) == 1
    plot = charts[0].plots[0]
    assert list(plot.categories) == CHART[0]
    assert list(plot.series[0].values) == [3.0, 0.0, 7.0]
    book = zipfile.ZipFile(io.BytesIO(charts[0].part.chart_workbook.xlsx_part.blob))
    sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert "<t>Feb 2026</t>" in sheet and "<v>7</v>" in sheet
    notes = [s.notes_slide.notes_text_frame.text if s.has_notes_slide else None for s in p.slides]
    assert notes == ["welcome", "lab notes", None, None, "bye"]
    closing = "\n".join(sh.text_frame.text for sh in p.slides[4].shapes if sh.has_text_frame)
    assert "Phone (360) 555-0100" in closing and "Thank you" in closing
    big = [sh for sh in p.slides[3].shapes if sh.name == "Big Number"]
    assert big and big[0].text_frame.text == "52 patients"
    assert big[0].text_frame.paragraphs[0].runs[0].font.size.pt >= 64
    # the image half and the text half of the image-left slide do not overlap
    lab = next(sh for sh in p.slides[1].shapes if sh.shape_type == 13)
    text = next(sh for sh in p.slides[1].shapes if sh.has_text_frame and "one" in sh.text_frame.text)
    assert lab.left + lab.width <= text.left


DECORATIVE = "{C183D7F6-B498-43B3-948B-1728B52AA6E4}"  # PowerPoint's "Mark as decorative"


def _marked_decorative(shape) -> bool:
    return bool(shape._element.xpath(
        f'./*/p:cNvPr/a:extLst/a:ext[@uri="{DECORATIVE}"]/*[local-name()="decorative"][@val="1"]'))


def test_pptx_every_shape_says_what_it_shows_or_is_marked_decorative():
    """PowerPoint's Accessibility Checker asks every shape that is not a placeholder or a text
    box for alternative text: the accent bands and the rules under titles, the footer and the
    contact lines were flagged on every slide. They are marked decorative (a screen reader
    skips them); the pictures and the chart have their alt text and are not so marked."""
    p = pptx.Presentation(io.BytesIO(write_deck()))
    seen = set()
    for k, slide in enumerate(p.slides):
        for sh in slide.shapes:
            element = sh._element.tag.rsplit("}", 1)[1]
            descr = sh._element.xpath("./*/p:cNvPr/@descr")
            if element in ("pic", "graphicFrame"):
                assert not _marked_decorative(sh), (k, sh.name)
                assert descr and descr[0].strip(), (k, sh.name)
            elif sh.has_text_frame and sh.text_frame.text.strip():
                assert not _marked_decorative(sh), (k, sh.name)
            else:
                assert _marked_decorative(sh), (k, sh.name)
                seen.add(sh.name)
    assert seen == {"Accent Band", "Accent Rule", "Footer Rule", "Contact Rule"}


def test_pptx_a_slides_reading_order_starts_with_its_title():
    """The shape tree is the order a screen reader (and PowerPoint's Reading Order pane) goes
    through a slide: the title and closing slides began with the accent band and the logo,
    their title third, which PowerPoint's Accessibility Checker flags. Every slide's title is
    its first shape, and the logo still stands where it stood."""
    data = write_deck()
    p = pptx.Presentation(io.BytesIO(data))
    for k, slide in enumerate(p.slides):
        first = slide.shapes[0]
        assert first.is_placeholder and first.shape_id == slide.shapes.title.shape_id, (k, first.name)
    # the logo still stands above the title slide's title and right of the closing slide's
    logo0, logo4 = (next(sh for sh in p.slides[k].shapes if sh.name.startswith("Picture")) for k in (0, 4))
    title0, title4 = p.slides[0].shapes.title, p.slides[4].shapes.title
    assert logo0.top + logo0.height <= title0.top
    assert logo4.left >= title4.left + title4.width


def test_pptx_the_footers_text_is_12_pt_at_least():
    """The footer (our practice's name, the slide number field) was 11 pt, under the 12 pt
    that PowerPoint's accessibility guidance sets as the least for any text of a slide read
    across a room. Every run of the footer, the slide number's field and each paragraph's
    end mark included, is 12 pt on every slide."""
    p = pptx.Presentation(io.BytesIO(write_deck()))
    for k, slide in enumerate(p.slides):
        footer = [sh for sh in slide.shapes if sh.name in ("Footer", "Slide Number")]
        assert len(footer) == 2, k
        sizes = [int(v) for sh in footer for v in sh._element.xpath(".//a:rPr/@sz | .//a:endParaRPr/@sz")]
        assert len(sizes) == 4 and min(sizes) >= 1200, (k, sizes)


def test_pptx_a_table_has_alt_text_of_its_headers_and_size():
    """A table had no alternative text (PowerPoint's Accessibility Checker flags a table
    without one): a screen reader met it unannounced. Its alt text names its columns (the
    header row) and its size, the rows counted under the header; a header cell left empty is
    not named, a quote is kept."""
    writer = DeckWriter("Us", AS_OF)
    slides = [slide_content("# Deck"),
              slide_content('## When to refer\n\n| Sign | Refer "when" |\n|---|---|\n| Ulcer | **now** |\n'
                            '| Swelling | 2 weeks |\n| Pain | 4 weeks |\n'),
              slide_content("## One\n\n| | Count |\n|---|---|\n| A | 1 |\n")]
    p = pptx.Presentation(io.BytesIO(writer.write("D", slides)))
    alts = [[sh._element.xpath("./*/p:cNvPr/@descr") for sh in s.shapes if sh.has_table] for s in p.slides]
    assert alts == [[], [['Table, 2 columns by 3 rows: Sign, Refer "when"']], [["Table, 2 columns by 1 row: Count"]]]


def test_pptx_every_text_of_a_slide_is_in_a_placeholder_for_the_outline():
    """PowerPoint's Outline view (and a screen reader's summary of a slide) holds the text of
    its placeholders only: a slide's first text was in the body placeholder, but what came
    after a table or a picture, a two-column slide's second column, a big number and the
    closing slide's contact lines were text boxes, missing there. Every text of a slide but
    its footer is in a placeholder now, each of its own index (none the layout's date,
    footer or number, 10-12), at the place and in the type it had."""
    slides = SLIDES + ["## Refer\n\nBefore the table\n\n| A | B |\n|---|---|\n| 1 | 2 |\n\nAfter the table\n\n"
                       "![The lab](images/lab.png)\n\nAfter the picture\n",
                       "Layout: two-column\n## Both\n\n- left one\n\n+++\n\n- right one\n"]
    writer = DeckWriter("Cascade Vein & Vascular", AS_OF, logo=LOGO,
                        contact=("Cascade Vein & Vascular", "Phone (360) 555-0100"),
                        media=lambda path: LAB if path == "images/lab.png" else None)
    p = pptx.Presentation(io.BytesIO(writer.write("A deck", [slide_content(md) for md in slides], chart=CHART)))
    outline = []
    for k, slide in enumerate(p.slides):
        texts = [sh for sh in slide.shapes if sh.has_text_frame and sh.text_frame.text.strip()
                 and sh.name not in ("Footer", "Slide Number")]
        assert all(sh.is_placeholder for sh in texts), (k, [sh.name for sh in texts if not sh.is_placeholder])
        idx = [sh.placeholder_format.idx for sh in texts]
        assert len(set(idx)) == len(idx) and not set(idx) & {10, 11, 12}, (k, idx)
        outline.append([sh.text_frame.text for sh in texts])
    assert outline[3] == ["Figure", "52 patients", "in twelve months"]
    assert "Phone (360) 555-0100" in outline[4][-1]
    assert outline[5] == ["Refer", "Before the table", "After the table", "After the picture"]
    assert outline[6] == ["Both", "left one", "right one"]


def test_pptx_a_pictures_alt_text_may_hold_quotes():
    """An image's alt text holding a double quote (`![The "new" lab](…)`) went into the
    picture's descr="…" unescaped: the .pptx was not XML, and neither PowerPoint nor
    python-pptx opened it."""
    writer = DeckWriter("Us", AS_OF, media=lambda path: LAB)
    alt = 'The "new" lab & its duplex room'
    data = writer.write("D", [slide_content("# D"), slide_content(f"## Lab\n\n![{alt}](images/lab.png)\n")])
    p = pptx.Presentation(io.BytesIO(data))
    assert [sh._element.xpath("./*/p:cNvPr/@descr")[0] for sh in p.slides[1].shapes
            if sh.shape_type == 13] == [alt]


def test_pptx_a_charts_alt_text_gives_its_figures():
    """The chart's alternative text was "Referrals per month" in every deck: someone who cannot
    see the bars learnt nothing of them. It gives the chart's title and every figure; the same
    slide in another practice's deck gives that practice's."""
    writer = DeckWriter("Us", AS_OF)
    slides = [slide_content("# Deck"), slide_content('## Chart\n\n<div class="liaison-chart"></div>\n')]

    def alt(chart, title):
        p = pptx.Presentation(io.BytesIO(writer.write("D", slides, chart=chart, chart_title=title)))
        return [sh._element.xpath("./*/p:cNvPr/@descr")[0] for sh in p.slides[1].shapes
                if getattr(sh, "has_chart", False)]

    assert alt(CHART, 'Referrals from "North & South" per month') == [
        'Referrals from "North & South" per month: Jan 2026 3, Feb 2026 0, Mar 2026 7; 10 in all.']
    assert alt((["Jan", "Feb"], [1200, 1]), "Referrals from Elm Clinic per month") == [
        "Referrals from Elm Clinic per month: Jan 1,200, Feb 1; 1,201 in all."]


def test_pptx_the_charts_text_is_as_large_as_the_slides():
    """The chart's month and scale labels were 12 pt and its counts 14 pt, on slides whose
    text is 18 pt and more, read from the back of an office's break room: every text of the
    chart part is 18 pt at least, as the slides' body text."""
    data = write_deck()
    chart_part = next(zipfile.ZipFile(io.BytesIO(data)).read(n).decode() for n in
                      zipfile.ZipFile(io.BytesIO(data)).namelist() if re.fullmatch(r"ppt/charts/chart\d+\.xml", n))
    sizes = [int(v) for v in re.findall(r'<a:defRPr sz="(\d+)"', chart_part)]
    assert len(sizes) == 4 and min(sizes) >= 1800, sizes


def test_a_big_number_too_long_for_one_line_keeps_its_caption_under_it():
    writer = DeckWriter("Us", AS_OF)
    long = "1,234,567,890 patients and counting, more than ever before in our history"
    data = writer.write("A deck", [slide_content("# Deck"), slide_content(
        f"Layout: big-number\n## Figure\n\n{long}\n\nthe caption")])
    shapes = pptx.Presentation(io.BytesIO(data)).slides[1].shapes
    big = next(sh for sh in shapes if sh.name == "Big Number")
    caption = next(sh for sh in shapes if sh.has_text_frame and sh.text_frame.text == "the caption")
    size = big.text_frame.paragraphs[0].runs[0].font.size.pt
    assert size == 40  # the smallest: it wraps
    assert big.height >= 2 * size * 1.2 * 12700  # two lines of it, at least
    assert big.top + big.height <= caption.top


def test_pptx_an_image_right_slide_has_its_picture_right_of_its_text():
    """"Layout: image-right" puts the picture in the right half and the text in the left, the
    mirror of image-left (only image-left was checked: the two could have come out alike)."""
    writer = DeckWriter("Us", AS_OF, media=lambda path: LAB if path == "images/lab.png" else None)
    slides = [slide_content("# D"),
              slide_content("Layout: image-right\n## The lab\n\n![The lab](images/lab.png)\n\n- one\n- two\n")]
    p = pptx.Presentation(io.BytesIO(writer.write("D", slides)))
    lab = next(sh for sh in p.slides[1].shapes if sh.shape_type == 13)
    text = next(sh for sh in p.slides[1].shapes if sh.has_text_frame and "one" in sh.text_frame.text)
    assert text.left + text.width <= lab.left
    assert lab.left + lab.width <= 12192000 - int(0.6 * 914400)  # within the right margin


def test_deck_without_logo_chart_data_or_readable_image():
    writer = DeckWriter("Us", AS_OF, media=lambda path: b"not an image")
    data = writer.write("A deck", [slide_content(md) for md in SLIDES])
    p = pptx.Presentation(io.BytesIO(data))
    assert not [sh for s in p.slides for sh in s.shapes if sh.shape_type == 13]
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert not [n for n in names if n.startswith("ppt/media/")]
    # an image that cannot be read shows its alt text, not its path (the slide's title is
    # "The lab" too: its body is what is looked at)
    body = [sh.text_frame.text for sh in p.slides[1].shapes
            if sh.has_text_frame and sh.shape_id != p.slides[1].shapes.title.shape_id]
    assert "The lab\none\ntwo" in body and "images/lab.png" not in "\n".join(body)


def test_no_chart_data_no_chart():
    """The generic deck (no practice): a slide that asks for the chart shows none, as in HTML."""
    data = write_deck(chart=None)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert not [n for n in names if "chart" in n or n.endswith(".xlsx")]
    p = pptx.Presentation(io.BytesIO(data))
    assert not [sh for s in p.slides for sh in s.shapes if getattr(sh, "has_chart", False)]
    assert "first" in "\n".join(sh.text_frame.text for sh in p.slides[2].shapes if sh.has_text_frame)


@pytest.mark.parametrize("values", [[0] * 12, [0] * 11 + [1], [2, 4, 1, 0, 5, 2, 4, 4, 3, 4, 5, 5], [0, 37, 120]])
def test_the_pptx_charts_value_axis_has_the_html_charts_gridlines(values):
    """A practice with no referrals, or few, got PowerPoint's own scale, whose half steps the
    whole-number labels showed as "0, 1, 1": the value axis takes the HTML chart's gridlines
    (whole steps of 1, 2 or 5 x 10^k), so no label repeats and both show the same scale."""
    from liaison.charts.svg import _nice_ticks

    labels = [f"M{k}" for k in range(len(values))]
    data = write_deck(chart=(labels, values))
    p = pptx.Presentation(io.BytesIO(data))
    chart = next(sh.chart for s in p.slides for sh in s.shapes if getattr(sh, "has_chart", False))
    axis = chart.value_axis
    ticks = _nice_ticks(max(values))
    assert axis.minimum_scale == 0
    assert axis.maximum_scale == max(ticks[-1], 1)
    assert axis.major_unit == (ticks[1] if len(ticks) > 1 else 1)
    assert list(chart.plots[0].series[0].values) == values


def test_an_image_inside_a_sentence_is_its_alt_text_in_the_html_deck_as_in_the_pptx():
    """README: "inside a sentence only its alt text shows". The .pptx did so; the HTML deck
    showed the picture in the line, full size (and ran the slide's end off its foot)."""
    md = ("## Pictures\n![Alone under the heading](images/a.png)\n\nLook at ![the lab](images/lab.png) here.\n\n"
          "- ![in a bullet](images/b.png)\n\nText right above\n![under a line](images/c.png)\n\n"
          "![Alone](images/lab.png)\n\n`![code](images/x.png)` stays\n")
    shown = deck_stage.pictures_alone(md)
    pictures = [m.group("alt") for m in deck_stage._IMAGE.finditer(shown.replace("`![code](images/x.png)`", ""))]
    assert pictures == [b.text for b in slide_content(md).blocks if b.kind == "image"]
    assert pictures == ["Alone under the heading", "Alone"]
    assert "Look at the lab here." in shown and "- in a bullet" in shown and "under a line" in shown
    assert "`![code](images/x.png)`" in shown


def test_deterministic_with_media_and_chart():
    assert write_deck() == write_deck()
    names = zipfile.ZipFile(io.BytesIO(write_deck())).namelist()
    assert len(names) == len(set(names))
    assert names.count("ppt/media/image1.png") == 1  # the logo, once for both slides
    assert "ppt/embeddings/Microsoft_Excel_Sheet1.xlsx" in names
    for info in zipfile.ZipFile(io.BytesIO(write_deck())).infolist():
        assert info.date_time == (1980, 1, 1, 0, 0, 0)


def test_content_types_name_every_part():
    z = zipfile.ZipFile(io.BytesIO(write_deck()))
    ct = z.read("[Content_Types].xml").decode()
    for ext in ("png", "xlsx"):
        assert f'Extension="{ext}"' in ct
    # a PNG part is image/png (a PNG said to be a JPEG is a part PowerPoint may refuse)
    assert '<Default Extension="png" ContentType="image/png"/>' in ct
    for name in z.namelist():
        if name.startswith("ppt/charts/chart") and name.endswith(".xml"):
            assert f'PartName="/{name}"' in ct


def test_numbered_list_hangs_its_whole_number():
    z = zipfile.ZipFile(io.BytesIO(write_deck()))
    xml = z.read("ppt/slides/slide3.xml").decode()
    numbered = re.findall(r'<a:pPr marL="(\d+)" lvl="0" indent="(-\d+)"[^>]*>(?:(?!</a:pPr>).)*buAutoNum', xml)
    assert numbered and all(int(m) == -int(i) == 457200 for m, i in numbered)


# --------------------------------------------------------------------------- validate


def site_with_deck(tmp_path: Path, body: str) -> Path:
    import shutil

    root = tmp_path / "root"
    shutil.copytree(REPO, root, ignore=shutil.ignore_patterns(".git", "site", "tests", "bench", "*.egg-info",
                                                             "__pycache__", "liaison", "docs"))
    (root / "content" / "presentations" / "extra.md").write_text(
        "---\ntitle: Extra\ntargets: all\n---\n" + body, encoding="utf-8")
    return root


def test_validate_reports_unknown_layout_and_bad_images_at_their_place(tmp_path):
    root = site_with_deck(tmp_path, "## One\n\ntext\n\n---\nLayout: three-column\n## Two\n\n---\n"
                                    "## Three\n\nSee: ![gone](images/gone.png)\n\n![pdf](images/lab.pdf)\n\n"
                                    "![remote](https://example.org/x.png)\n")
    (root / "content" / "presentations" / "images" / "lab.pdf").write_bytes(b"%PDF-1.4")
    code, _out, err = run_validate(root)
    text = "\n".join(err)
    assert code == 1, text
    assert ("content/presentations/extra.md:10:1: error: slide 2: unknown layout 'three-column' "
            "(one of: content, title, two-column, image-left, image-right, big-number, closing)") in text
    assert ("content/presentations/extra.md:16:6: error: slide 3: image 'images/gone.png': no such file "
            "in content/presentations/") in text
    assert "content/presentations/extra.md:18:1: error: slide 3: image 'images/lab.pdf': a slide image " \
           "must be PNG or JPEG" in text
    assert "content/presentations/extra.md:20:1: warning: slide 3: image 'https://example.org/x.png': not shown" in text


def test_a_picture_without_alt_text_is_warned_of_and_decorative_in_the_pptx(tmp_path):
    """`![](images/vascular-lab.png)`: the HTML deck wrote alt="" (a screen reader skips it)
    and the .pptx a picture without alternative text, which PowerPoint's Accessibility Checker
    flags, and validate said nothing. validate warns at the image; the .pptx marks the picture
    decorative, as alt="" is; a picture with alt text is not warned of."""
    root = site_with_deck(tmp_path, "## One\n\n![](images/vascular-lab.png)\n\n---\n## Two\n\n"
                                    "![ ](images/vascular-lab.png) and `![](images/code.png)`\n\n"
                                    "![The lab](images/vascular-lab.png)\n")
    code, _out, err = run_validate(root)
    said = ("a picture without alt text: write what it shows between the brackets, ![Our vascular "
            "lab](images/lab.png); a screen reader says nothing of it, in the HTML deck and the .pptx "
            "(where it is marked decorative); a picture that only decorates, say so: "
            "![](images/wave.png \"decorative\")")
    got = [e for e in err if "alt text" in e]
    assert got == [f"content/presentations/extra.md:7:1: warning: slide 1: {said}",
                   f"content/presentations/extra.md:12:1: warning: slide 2: {said}"], err
    assert code == 0, err
    writer = DeckWriter("Us", AS_OF, media=lambda path: LAB)
    p = pptx.Presentation(io.BytesIO(writer.write("D", [slide_content("# D"), slide_content(
        "## One\n\n![](images/lab.png)\n"), slide_content("## Two\n\n![The lab](images/lab.png)\n")])))
    pictures = [next(sh for sh in p.slides[k].shapes if sh.shape_type == 13) for k in (1, 2)]
    assert [(_marked_decorative(sh), sh._element.xpath("./*/p:cNvPr/@descr")) for sh in pictures] == [
        (True, [""]), (False, ["The lab"])]


def test_a_picture_marked_decorative_is_not_warned_of(tmp_path):
    """A divider or a background wave says nothing a screen reader should read: alt="" is
    right for it, and the .pptx marks it decorative. validate warned of it all the same, with
    no way to say so but alt text a screen reader would then read, and `--strict` failed the
    site. A picture whose title is "decorative" is not warned of (the title is shown nowhere);
    one without alt text and without that title still is, and so is one titled otherwise."""
    root = site_with_deck(tmp_path, '## One\n\n![](images/vascular-lab.png "decorative")\n\n'
                                    '![](images/vascular-lab.png "Decorative" )\n\n'
                                    '![](images/vascular-lab.png)\n\n'
                                    '![](images/vascular-lab.png "our lab")\n')
    code, _out, err = run_validate(root, "--strict", "--as-of", "2026-12-05")
    got = [e.split(": warning: ")[0].split(": error: ")[0] for e in err if "alt text" in e]
    assert got == ["content/presentations/extra.md:11:1", "content/presentations/extra.md:13:1"], err
    assert code == 1, err
    assert any("![](images/wave.png \"decorative\")" in e for e in err), err
    root = site_with_deck(tmp_path / "only", '## One\n\n![](images/vascular-lab.png "decorative")\n')
    code, _out, err = run_validate(root, "--strict", "--as-of", "2026-12-05")
    assert code == 0, err
    assert not [e for e in err if "alt text" in e], err


def test_a_link_whose_text_says_nothing_is_warned_of(tmp_path):
    """A link read alone ("click here") tells a screen reader's list of links, and PowerPoint's
    Accessibility Checker, nothing of where it goes; validate said nothing of it. It warns at
    the link; a link named for what it opens, or its address written out, is not warned of."""
    root = site_with_deck(tmp_path, "## One\n\nThe form is [Click here](https://x.example/form). "
                                    "[**More**](https://x.example/more)...\n\n"
                                    "- [the referral form](https://x.example/form), <https://x.example/lab> and "
                                    "`[here](code)`\n")
    code, _out, err = run_validate(root)
    said = ("warning: slide 1: a link whose text says nothing of where it goes ('{}'): name what it "
            "opens, [the referral form](…); a screen reader's list of links, and the .pptx's, read its "
            "text alone")
    got = [e for e in err if "says nothing" in e]
    assert got == ["content/presentations/extra.md:7:13: " + said.format("[Click here]"),
                   "content/presentations/extra.md:7:51: " + said.format("[**More**]")], err
    assert code == 0, err


def test_validate_accepts_the_sample_decks():
    code, _out, err = run_validate(REPO)
    assert code == 0 and not [e for e in err if "presentations/" in e], err


# --------------------------------------------------------------------------- the built sample site


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory):
    return build_sample_site(tmp_path_factory.mktemp("slides"))


def test_every_built_pptx_reads_back(sample_site):
    """python-pptx reads every slide, picture, chart and notes page of every .pptx built."""
    files = sorted(sample_site.glob("presentations/*/*/*.pptx"))
    assert len(files) >= 14
    charts_seen = 0
    for f in files:
        p = pptx.Presentation(str(f))
        assert len(p.slides) == 8
        for s in p.slides:
            assert s.shapes.title is not None and s.shapes.title.text
            assert s.has_notes_slide and s.notes_slide.notes_text_frame.text
            for sh in s.shapes:
                if sh.shape_type == 13:
                    assert sh.image.blob and sh.image.content_type == "image/png"
                if getattr(sh, "has_chart", False):
                    charts_seen += 1
                    values = list(sh.chart.plots[0].series[0].values)
                    assert len(values) == 12 and sum(values) > 0
                    # its alternative text names the practice and gives every figure the
                    # chart shows ("Referrals per month" said nothing of them)
                    practice = f.parent.name
                    name = yaml.safe_load((REPO / "data/practices" / f"{practice}.yaml").read_text())["name"]
                    figures = ", ".join(f"{m} {int(v)}" for m, v in zip(sh.chart.plots[0].categories, values))
                    assert sh._element.xpath("./*/p:cNvPr/@descr") == [
                        f"Referrals from {name} per month, the last 12 complete months: {figures}; "
                        f"{int(sum(values))} in all."]
    assert charts_seen >= 14  # one chart in each customized deck of a practice that refers


def test_built_decks_say_numbers_well(sample_site):
    text = ""
    for f in sorted(sample_site.glob("presentations/*/*/index.html")):
        text += f.read_text(encoding="utf-8")
    assert text
    assert not re.search(r"\b1 patients\b|\b0 patients\b|referred 0\b", text)
    assert "Dr. " in text
    # every physician is named with their title or credentials, none bare in a thank-you
    assert re.search(r"Dr\. [A-Z]\w+ [A-Z][\w-]+", text)
    alder = (sample_site / "presentations/vein-care-overview/alder-falls-family-medicine/index.html").read_text()
    assert "52 patients" in alder and 'class="slide layout-big-number"' in alder
    assert '<div class="liaison-chart"><svg' in alder
    # each bar's count written above it, as the .pptx's chart shows them
    chart = alder.split('<div class="liaison-chart">')[1].split("</svg>")[0]
    tips = re.findall(r'class="chart-bar[^"]*"[^>]*><title>[^:]+: (\d+) referrals?</title>', chart)
    assert tips and re.findall(r'class="chart-label chart-count"[^>]*>(\d+)</text>', chart) == tips
    assert 'src="../../../assets/logo.png"' in alder
    assert 'src="../_media/images/vascular-lab.png"' in alder
    assert (sample_site / "presentations/vein-care-overview/_media/images/vascular-lab.png").read_bytes() == LAB
    generic = (sample_site / "presentations/vein-care-overview/index.html").read_text()
    assert "liaison-chart" not in generic and "48 hours" in generic


def test_the_sample_decks_thank_only_the_physicians_who_referred(sample_site):
    """Millbrook Community Health's Dr. Oyama, Dr. Montgomery and Dr. Quist sent patients in
    the last twelve months and Dr. Farraday none: both decks thank the three by name, not the
    fourth, whose own ``stats`` (each physician's entry of stats.json) says so."""
    from liaison.load import load_site

    site, _, _ = load_site(REPO)
    surname = {pid: site.physicians[pid].name.split()[-1] for pid in
               ("leticia-oyama", "adaeze-montgomery", "bartholomew-quist", "desmond-farraday")}
    for deck in ("vein-care-overview", "healing-leg-wounds"):
        page = (sample_site / f"presentations/{deck}/millbrook-community-health/index.html").read_text()
        slides = [s for s in page.split('class="slide ') if "Thank you" in s and "patients" in s]
        assert slides, deck
        thanks = slides[0].split("<aside")[0]  # the slide, its speaker notes left out
        for pid in ("leticia-oyama", "adaeze-montgomery", "bartholomew-quist"):
            assert surname[pid] in thanks, (deck, pid)
        assert surname["desmond-farraday"] not in thanks, deck
        shown = "\n".join(sh.text_frame.text for sl in pptx.Presentation(str(
            sample_site / f"presentations/{deck}/millbrook-community-health/{deck}-millbrook-community-health.pptx")).slides
            for sh in sl.shapes if sh.has_text_frame)
        assert surname["bartholomew-quist"] in shown and surname["desmond-farraday"] not in shown, deck


# --------------------------------------------------------------------------- an author's awkward slides


def test_a_line_of_three_dashes_in_fenced_code_does_not_split_the_slide():
    from liaison.content import split_slides

    body = "## YAML\n\n```yaml\n---\ntitle: x\n---\n```\n\n---\n\n## Next\n\n~~~\n---\n~~~\n"
    slides = split_slides(body, 5)
    assert [s.line for s in slides] == [5, 14]
    assert slides[0].source.count("---") == 2 and slides[1].source.startswith("\n## Next")
    # a fence never closed is no code block (as Python-Markdown reads it): its '---' splits
    assert len(split_slides("## A\n\n```\n---\n## B\n", 1)) == 2


@pytest.mark.parametrize("markdown, html", [
    ("Intro:\n- a\n- b\n", "<p>Intro:</p>\n<ul>\n<li>a</li>\n<li>b</li>\n</ul>"),
    ("- a\n  - b\n    - c\n- d\n",
     "<ul>\n<li>a<ul>\n<li>b<ul>\n<li>c</li>\n</ul>\n</li>\n</ul>\n</li>\n<li>d</li>\n</ul>"),
    ("1. one\n   - sub\n2) two\n", "<ol>\n<li>one<ul>\n<li>sub</li>\n</ul>\n</li>\n<li>two</li>\n</ol>"),
    ("Text\n| a | b |\n|---|---|\n| 1 | 2 |\nafter\n", "<p>Text</p>\n<table>"),
    ("- a\n\n  more\n- b\n", "<li>\n<p>a</p>\n<p>more</p>\n</li>\n<li>\n<p>b</p>\n</li>"),
    ("```\n- x\n  - y\n```\n", "<pre><code>- x\n  - y\n</code></pre>"),
    ("Text\r\n| a | b |\r\n|---|---|\r\n| 1 | 2 |\r\n", "<p>Text</p>\n<table>"),  # Windows line ends
])
def test_the_html_deck_reads_lists_and_tables_as_the_pptx_does(markdown, html):
    """One syntax for both: Python-Markdown wanted a blank line before a list or a table and
    four spaces per nested level; the .pptx reader (and GitHub) want neither."""
    from liaison.content import MarkdownRenderer

    assert html in MarkdownRenderer().slide(markdown)


def test_the_html_and_pptx_decks_see_the_same_list_levels():
    from liaison.content import MarkdownRenderer

    md = "## T\n\nWhat we do:\n- Ablation\n  - Radiofrequency\n  - Glue\n- Wound clinic\n"
    html = MarkdownRenderer().slide(md)
    assert [lvl for lvl, _ in slide_content(md).blocks[1].items] == [0, 1, 1, 0]
    assert html.count("<ul>") == 2 and "<p>What we do:</p>" in html


def test_a_value_holding_a_pipe_stays_in_its_table_cell():
    from liaison.content import MarkdownRenderer

    md = render("| Office | Sent |\n|---|---|\n| {{ name }} | 3 |\n", {"name": "North | South"})
    html = MarkdownRenderer().slide(md)
    assert "<td>North | South</td>\n<td>3</td>" in html
    assert slide_content(render("| O | S |\n|---|---|\n| {{ name }} | 3 |\n", {"name": "A | B"}, "pptx")
                         ).blocks[0].items[1] == ("A | B", "3")


def test_notes_right_under_a_heading_are_notes_not_slide_text():
    body, notes = deck_stage.split_notes("## Thanks\nNotes: say it slowly\n")
    assert (body, notes) == ("## Thanks", "say it slowly")
    assert slide_content("## Thanks\nNotes: say it slowly\n").blocks == ()
    # within a paragraph it is the paragraph's text
    assert deck_stage.split_notes("We take\nNotes: from you\n")[1] == ""


def _shapes(data: bytes, k: int) -> dict:
    p = pptx.Presentation(io.BytesIO(data))
    return {sh.name: sh for sh in p.slides[k].shapes}


def test_pptx_a_long_closing_title_and_big_number_stay_in_their_boxes():
    title = "A closing slide whose heading is long enough to run under the logo at the top right"
    writer = DeckWriter("Us", AS_OF, logo=LOGO, contact=("Us", "Phone 1"))
    data = writer.write("D", [slide_content(f"Layout: closing\n## {title}\n\nCall us.\n"),
                              slide_content("Layout: big-number\n## Figure\n\n1,234,567 patients and counting "
                                            "every single day\n\nThe caption.\n")])
    shapes = _shapes(data, 0)
    size = shapes["Title 1"].text_frame.paragraphs[0].runs[0].font.size.pt
    assert size < 36  # two lines beside the logo, not three out of the top of the slide
    from liaison.pptx.slides import EMU_PT, LINE, _lines

    lines = _lines(len(title), size, shapes["Title 1"].width)
    assert lines * size * LINE * EMU_PT <= shapes["Title 1"].height
    shapes = _shapes(data, 1)
    big, caption = shapes["Big Number"], shapes["Content Placeholder 2"]
    size = big.text_frame.paragraphs[0].runs[0].font.size.pt
    assert big.height >= 2 * size * LINE * EMU_PT  # it wraps: its box holds both lines
    assert caption.top >= big.top + big.height  # and the caption is under them


def test_pptx_a_closing_title_without_a_logo_takes_the_whole_width():
    """Without a logo (a site with no templates/assets/logo.png) a closing slide's heading wrapped
    short of the logo that is not there, in smaller type than it needed."""
    title = "Questions, comments, or a stalled wound to discuss with the nurses of our leg wound clinic?"
    slides = [slide_content(f"Layout: closing\n## {title}\n\nCall us.\n")]
    with_logo = _shapes(DeckWriter("Us", AS_OF, logo=LOGO, contact=("Us",)).write("D", slides), 0)["Title 1"]
    without = _shapes(DeckWriter("Us", AS_OF, contact=("Us",)).write("D", slides), 0)
    assert "Logo" not in without
    band = without["Accent Band"]
    right = lambda sh: sh.left + sh.width  # noqa: E731
    assert right(without["Title 1"]) == right(without["Contact Rule"])  # across the slide, as the contact lines
    assert without["Title 1"].width > with_logo.width and band.width < without["Title 1"].left
    size = lambda sh: sh.text_frame.paragraphs[0].runs[0].font.size.pt  # noqa: E731
    assert size(without["Title 1"]) > size(with_logo)


def test_pptx_a_title_slide_keeps_its_list_and_table():
    writer = DeckWriter("Us", AS_OF)
    data = writer.write("D", [slide_content("Layout: title\n# Welcome\n\n- one\n- two\n\n| a | b |\n|---|---|\n"
                                            "| 1 | 2 |\n")])
    shapes = list(pptx.Presentation(io.BytesIO(data)).slides[0].shapes)
    text = "\n".join(sh.text_frame.text for sh in shapes if sh.has_text_frame)
    assert "one\ntwo" in text
    tables = [sh.table for sh in shapes if getattr(sh, "has_table", False)]
    assert len(tables) == 1 and tables[0].cell(1, 1).text == "2"


def test_validate_says_a_deck_without_slides_and_where_a_template_error_stands(tmp_path):
    root = site_with_deck(tmp_path, "# For {{ practice.name }}\n\n---\n\n## Two {{ oops }}\n\n---\n\n"
                                    "{% if practice %}\n## Three\n\n---\n\n## Four\n{% endif %}\n")
    (root / "content" / "presentations" / "empty.md").write_text("---\ntitle: Empty\ntargets: all\n---\n\n",
                                                                 encoding="utf-8")
    code, _out, err = run_validate(root)
    text = "\n".join(err)
    assert code == 1, text
    assert ("content/presentations/empty.md:4:1: warning: the deck has no slides: write them after the "
            "front matter, separated by lines holding only '---'") in text
    # the column of what the error names; the generic deck's none said as such
    assert ("content/presentations/extra.md:5:19: error: slide 1: template error: 'None' has no attribute "
            "'name' (generic deck): in the generic deck practice and stats are none; show what needs them "
            "inside {% if practice %}…{% endif %}") in text
    assert "content/presentations/extra.md:9:11: error: slide 2: template error: 'oops' is undefined" in text
    # a block cut in two by a slide's '---'
    assert ("slide 3: template syntax error: Unexpected end of template. Jinja was looking for the following "
            "tags: 'elif' or 'else' or 'endif'.") in text
    assert ("slide 4: template syntax error: Encountered unknown tag 'endif'. (each slide is a template of "
            "its own: a block opened in a slide closes in that slide, before the next line '---')") in text
    # at the line of the tag: slide 4 starts on line 17 (after the '---' of line 16), its
    # "{% endif %}" is the slide's third line, the file's 19th
    assert re.search(r"content/presentations/extra\.md:19:\d+: error: slide 4: template syntax error: "
                     r"Encountered unknown tag 'endif'", text), text


def _build(root: Path, out: Path) -> Path:
    import os
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--root", str(root), "--out", str(out),
                           "--as-of", AS_OF.isoformat()], cwd=REPO, capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, LIAISON_CACHE_DIR=str(out.parent / "cache")))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


@pytest.mark.parametrize("flavor", ["html", "pptx", "shape"])
def test_an_optional_value_left_out_prints_nothing(flavor):
    # `{{ site.practice.phone }}` of a site.yaml without a phone printed "None" on the slide
    deck_stage.SHAPES.values = []
    try:
        out = render("Call {{ site.practice.phone }} today.",
                     {"site": {"practice": {"name": "Cascade Vein", "phone": None}}}, flavor)
    finally:
        deck_stage.SHAPES.values = None
    assert out == "Call  today."


def test_a_deck_of_a_site_without_phone_or_website_shows_no_none(tmp_path):
    root = site_with_deck(tmp_path, "## Reach us\n\nPhone: {{ site.practice.phone }}\n\n"
                                    "Web: {{ site.practice.website }}\n"
                                    "{% if practice %}\nFax: {{ practice.fax }}{% endif %}\n")
    site = (root / "site.yaml").read_text(encoding="utf-8")
    site = re.sub(r"\n  (phone|website): [^\n]*", "", site)
    assert "  phone:" not in site.split("services:")[0]
    (root / "site.yaml").write_text(site, encoding="utf-8")
    alder = root / "data/practices/alder-falls-family-medicine.yaml"  # and a practice without fax
    alder.write_text(re.sub(r"(?m)^fax: .*\n", "", alder.read_text(encoding="utf-8")), encoding="utf-8")
    out = _build(root, tmp_path / "site")
    decks = [out / "presentations/extra/index.html",
             out / "presentations/extra/alder-falls-family-medicine/index.html"]
    for page in decks:
        html = page.read_text(encoding="utf-8")
        assert "Reach us" in html and "None" not in html, page
    for f in [out / "presentations/extra/extra.pptx",
              out / "presentations/extra/alder-falls-family-medicine/extra-alder-falls-family-medicine.pptx"]:
        shown = "\n".join(sh.text_frame.text for sl in pptx.Presentation(str(f)).slides
                          for sh in sl.shapes if sh.has_text_frame)
        assert "Reach us" in shown and "None" not in shown, f


def test_a_services_description_is_markdown_on_a_slide(tmp_path):
    # site.yaml's `services[].description` is Markdown (SPEC §2): a slide listing the services
    # showed "**radiofrequency**" with its asterisks, in the HTML deck and the .pptx
    root = site_with_deck(tmp_path, "## What we treat\n\n{% for s in site.services[:1] %}"
                                    "{{ s.description }}{% endfor %}\n")
    site = (root / "site.yaml").read_text(encoding="utf-8")
    assert "**radiofrequency**" in site
    site = site.replace("**radiofrequency**", "**radiofrequency** <script>alert(1)</script>")
    (root / "site.yaml").write_text(site, encoding="utf-8")
    out = _build(root, tmp_path / "site")
    for page in (out / "presentations/extra/index.html",
                 out / "presentations/extra/alder-falls-family-medicine/index.html"):
        html = page.read_text(encoding="utf-8")
        assert "<strong>radiofrequency</strong>" in html and "**" not in html, page
        assert "<script>alert" not in html and "alert(1)" not in html.split("What we treat")[1], page
    for f in (out / "presentations/extra/extra.pptx",
              out / "presentations/extra/alder-falls-family-medicine/extra-alder-falls-family-medicine.pptx"):
        runs = [r for sl in pptx.Presentation(str(f)).slides for sh in sl.shapes if sh.has_text_frame
                for para in sh.text_frame.paragraphs for r in para.runs]
        assert any(r.text == "radiofrequency" and r.font.bold for r in runs), f
        assert not any("**" in r.text for r in runs), f


def test_a_slide_that_renders_to_nothing_is_left_out_of_both_decks(tmp_path):
    """A whole slide inside {% if %}: a practice for which it is false gets no blank slide."""
    root = site_with_deck(tmp_path, "# Deck\n\n---\n\n{% if practice and stats.referrals_365d %}\n"
                                    "## Your patients\n\n{{ referral_chart() }}\n{% endif %}\n\n---\n\n## Last\n")
    out = _build(root, tmp_path / "site")
    generic = out / "presentations" / "extra"
    busy = generic / "alder-falls-family-medicine"
    assert (generic / "index.html").read_text(encoding="utf-8").count('<section class="slide ') == 2
    assert (busy / "index.html").read_text(encoding="utf-8").count('<section class="slide ') == 3
    assert len(pptx.Presentation(str(generic / "extra.pptx")).slides) == 2
    assert len(pptx.Presentation(str(busy / "extra-alder-falls-family-medicine.pptx")).slides) == 3
    # the index counts the most a deck shows; a deck without such a slide, as many as it has
    index = (out / "presentations" / "index.html").read_text(encoding="utf-8")
    counts = dict(re.findall(r'<a href="(?:\.\./)*presentations/([^/]+)/index.html">[^<]*</a> <small>([^<]*)</small>',
                             index))
    assert counts.pop("extra") == "up to 3 slides"
    assert counts and all(re.fullmatch(r"\d+ slides", c) for c in counts.values()), counts


def test_validate_warns_of_a_slide_that_holds_more_than_a_slide_shows(tmp_path):
    """A table of 40 rows was cut in the HTML deck and ran off the .pptx slide, unsaid."""
    rows = "{% for i in range(1, 41) %}| {{ i }} | Row {{ i }} |\n{% endfor %}"
    root = site_with_deck(tmp_path, "## Fine\n\n| # | Name |\n|---|---|\n| 1 | One |\n\n---\n\n"
                                    f"## Forty rows\n\n| # | Name |\n|---|---|\n{rows}\n---\n\n"
                                    "{% if practice %}## Your physicians\n\n"
                                    "{% for p in physicians * 10 %}- {{ p.name }}\n{% endfor %}{% endif %}\n")
    code, _out, err = run_validate(root)
    text = "\n".join(err)
    assert code == 0, text
    assert [e for e in err if "more than one slide holds" in e] == [
        "content/presentations/extra.md:13:1: warning: slide 2: more than one slide holds: the HTML deck "
        "cuts its end even at its smallest text, and the .pptx needs text under 12 pt or runs it off the "
        "slide; split it in two (generic deck)",
        # the first practice whose list of physicians, ten times over, is too long for a slide
        "content/presentations/extra.md:21:1: warning: slide 3: more than one slide holds: the HTML deck "
        "cuts its end even at its smallest text, and the .pptx needs text under 12 pt or runs it off the "
        "slide; split it in two (customized for practice 'alder-falls-family-medicine')",
    ], text


def test_crowded_follows_each_layout():
    from liaison.pptx.slides import crowded

    rows = "".join(f"| {i} | Row {i} |\n" for i in range(30))
    table = f"| # | N |\n|---|---|\n{rows}"
    assert crowded(slide_content(f"## T\n\n{table}"), 3)
    assert not crowded(slide_content("## T\n\n" + "".join(f"- point {i}\n" for i in range(8))), 3)
    assert crowded(slide_content(f"Layout: two-column\n## T\n\n- a\n\n+++\n\n{table}"), 3)
    assert not crowded(slide_content("Layout: two-column\n## T\n\n- a\n\n+++\n\n- b\n"), 3)
    assert not crowded(slide_content("# Title\n\nA subtitle"), 0)
    assert crowded(slide_content(f"Layout: big-number\n## T\n\n52\n\n{table}"), 3)


def test_validate_says_a_slide_cannot_include_another_template(tmp_path):
    root = site_with_deck(tmp_path, '# One\n\n---\n\n{% include "other.md" %}\n')
    code, _out, err = run_validate(root)
    assert code == 1
    assert ("content/presentations/extra.md:9:1: error: slide 2: template error: a slide cannot include, "
            "import or extend another template: a slide is a template of its own; write what it shows in "
            "the slide (generic deck)") in err, err


def test_a_logo_that_is_no_picture_is_an_error_and_one_of_another_kind_a_warning(tmp_path):
    """templates/assets/logo.png holding no PNG (a GIF renamed, a text file): validate said
    nothing, the HTML title slides showed a broken picture and the .pptx none. A logo.svg
    (not used) was not said either; a logo of megabytes is copied into every .pptx."""
    root = site_with_deck(tmp_path, "# Title\n\nSubtitle\n")
    logo = root / "templates" / "assets" / "logo.png"
    logo.write_bytes(b"GIF89a\x01\x00\x01\x00")
    code, _out, err = run_validate(root)
    assert code == 1
    assert ("templates/assets/logo.png:1:1: error: the logo is a GIF picture: save it as PNG or "
            "JPEG (the decks' title and closing slides show it)") in err, err
    logo.write_bytes(LOGO + b"\0" * (1024 * 1024))
    code, _out, err = run_validate(root)
    assert code == 0 and any(e.startswith("templates/assets/logo.png:1:1: warning: the logo is "
                                          "1.0 MB: every .pptx holds a copy") for e in err), err
    logo.unlink()
    (root / "templates" / "assets" / "logo.svg").write_text("<svg/>")
    code, _out, err = run_validate(root)
    assert code == 0 and ("templates/assets/logo.svg:1:1: warning: not used as the logo: the logo "
                          "is templates/assets/logo.png, logo.jpg or logo.jpeg (PNG or JPEG, "
                          "lower-case name: what PowerPoint shows)") in err, err
    logo.write_bytes(LOGO)
    code, _out, err = run_validate(root)
    assert code == 0 and not [e for e in err if "logo" in e], err


def test_a_misspelt_name_or_key_in_a_slide_gets_the_closest_one(tmp_path):
    root = site_with_deck(tmp_path, "## One\n\n{{ pratice }}\n\n---\n\n## Two\n\n{{ site.practice.nmae }}\n")
    code, _out, err = run_validate(root)
    assert code == 1
    assert ("content/presentations/extra.md:7:4: error: slide 1: template error: 'pratice' is "
            "undefined (did you mean 'practice'?) (generic deck)") in err, err
    assert any(e.startswith("content/presentations/extra.md:13:") and "'dict object' has no "
               "attribute 'nmae' (did you mean 'name'?) (generic deck)" in e for e in err), err


def test_the_presentations_list_names_a_decks_practices_by_name_folded_when_many(
        tmp_path, monkeypatch):
    """A deck for every practice named them all in one paragraph, in file order (667 at
    2,000 physicians: 30 lines at 1366 px, and the next deck under them); past TARGETS_INLINE
    they fold under their count, and they come by name."""
    from conftest import REPO, cli
    from htmltree import parse
    from liaison.pages import decks as deck_pages

    monkeypatch.setattr(deck_pages, "TARGETS_INLINE", 4)
    out = tmp_path / "site"
    code, _out, err = cli("build", "--root", str(REPO), "--out", str(out), "--as-of", "2026-11-26")
    assert code == 0, err
    cards = {c.all("h2")[0].all("a")[0].attrs["href"]: c
             for c in parse(out / "presentations" / "index.html").all("section", "card")}
    # the decks in the order of their ids, as the site lists them (a deck is found where it was)
    decks = sorted(p.stem for p in (REPO / "content" / "presentations").glob("*.md"))
    assert list(cards) == [f"../presentations/{d}/index.html" for d in decks]
    every = cards["../presentations/vein-care-overview/index.html"]
    four = cards["../presentations/healing-leg-wounds/index.html"]
    practices = len(list((REPO / "data" / "practices").glob("*.yaml")))
    folded = every.all("details", "long-list")
    assert len(folded) == 1 and "open" not in folded[0].attrs
    assert folded[0].all("summary")[0].text() == f"Customized for {practices} practices"
    names = [a.text() for a in folded[0].all("a")]
    assert len(names) == practices and names == sorted(names)
    assert four.all("details") == []
    names = [a.text() for a in four.all("p", "muted")[0].all("a")]
    assert len(names) == 4 and names == sorted(names)


def test_the_file_formats_deck_table_names_every_key_of_a_slides_stats(tmp_path):
    """docs/file-formats.md's table of a slide's names lists what `stats` holds: the practice's
    entry of stats.json whole. It listed the first edition's four keys, and a deck author did
    not learn of `rov_365d` and `spend_ytd_cents`, which a slide reads all the same."""
    from conftest import REPO, cli

    code, out, err = cli("stats", "--root", str(REPO), "--as-of", "2026-11-26", "--json")
    assert code == 0, err
    import json

    practices = json.loads(out)["practices"]
    keys = set(next(iter(practices.values())))
    text = (REPO / "docs" / "file-formats.md").read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| `stats` |"))
    cell = re.sub(r"\([^)]*\)", "", row.split(":", 1)[1].split("|", 1)[0])  # (sub-keys)
    listed = set(re.findall(r"`([a-z_0-9]+)`", cell))
    assert listed == keys, (sorted(listed), sorted(keys))


def test_a_new_referrers_chart_shows_the_month_begun_when_the_months_before_are_empty(tmp_path):
    """A practice whose only referral came this month: the thank-you slide counts it, and the
    chart of the last 12 complete months had twelve empty bars after it. It now ends with the
    month begun ("Nov so far"), in the HTML deck and the .pptx; an office that referred in an
    earlier month keeps the complete months (a month begun is not a drop in a meeting)."""
    import subprocess
    import sys

    from conftest import one_physician_site

    root = one_physician_site(tmp_path / "root", "- date: 2026-10-02\n  type: visit\n  liaison: lou\n"
                                                 "  practice: solo\n  summary: Hello.\n")
    (root / "data/referrals").mkdir()
    (root / "content/presentations").mkdir(parents=True)
    (root / "content/presentations/thanks.md").write_text(
        "---\ntitle: Thanks\n---\n# Thanks\n\n---\n\n## By month\n\n{{ referral_chart() }}\n", encoding="utf-8")

    def chart(rows: str) -> tuple[str, list]:
        (root / "data/referrals/r.csv").write_text("date,source,physician,service,status\n" + rows,
                                                   encoding="utf-8")
        out = tmp_path / f"site{len(rows)}"
        proc = subprocess.run([sys.executable, "-m", "liaison", "build", "--root", str(root), "--out", str(out),
                               "--as-of", "2026-11-26"], capture_output=True, text=True, cwd=REPO)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        html = (out / "presentations/thanks/solo/index.html").read_text(encoding="utf-8")
        deck = pptx.Presentation(str(next((out / "presentations/thanks/solo").glob("*.pptx"))))
        found = [sh.chart for s in deck.slides for sh in s.shapes if getattr(sh, "has_chart", False)]
        plot = found[0].plots[0]
        return html, list(zip(plot.categories, plot.series[0].values))

    html, bars = chart("2026-11-10,physician,ida-lone,ablation,referred\n")
    assert len(bars) == 12 and bars[-1] == ("Nov \u201926 so far", 1) and bars[0][0] == "Dec \u201925"
    assert sum(v for _, v in bars) == 1
    assert "the last 11 complete months and this month so far" in html and "Nov \u201926 so far" in html

    html, bars = chart("2026-03-10,physician,ida-lone,ablation,referred\n"
                       "2026-11-10,physician,ida-lone,ablation,referred\n")
    assert len(bars) == 12 and bars[-1] == ("Oct \u201926", 0) and sum(v for _, v in bars) == 1
    assert "so far" not in html and "the last 12 complete months" in html


def test_a_decks_chart_shown_in_january_names_the_year_on_its_axis(tmp_path):
    """In January the last twelve complete months are January to December of the year before;
    the axis shows every other month from the last one, so with the year on the first month
    alone ("Jan ’26", not shown) a slide in a meeting read "Feb Apr … Dec" with no year at
    all. The last month carries its year too, in the HTML deck and the .pptx."""
    import subprocess
    import sys

    from conftest import one_physician_site

    root = one_physician_site(tmp_path / "root", "- date: 2026-10-02\n  type: visit\n  liaison: lou\n"
                                                 "  practice: solo\n  summary: Hello.\n")
    (root / "data/referrals").mkdir()
    (root / "data/referrals/r.csv").write_text(
        "date,source,physician,service,status\n2026-03-10,physician,ida-lone,ablation,referred\n"
        "2026-11-10,physician,ida-lone,ablation,referred\n", encoding="utf-8")
    (root / "content/presentations").mkdir(parents=True)
    (root / "content/presentations/thanks.md").write_text(
        "---\ntitle: Thanks\n---\n# Thanks\n\n---\n\n## By month\n\n{{ referral_chart() }}\n", encoding="utf-8")
    for as_of, year in (("2027-01-04", "\u201926"), ("2026-12-31", "\u201926"), ("2027-03-31", "\u201927")):
        out = tmp_path / f"site-{as_of}"
        proc = subprocess.run([sys.executable, "-m", "liaison", "build", "--root", str(root), "--out", str(out),
                               "--as-of", as_of], capture_output=True, text=True, cwd=REPO)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        html = (out / "presentations/thanks/solo/index.html").read_text(encoding="utf-8")
        shown = re.findall(r'class="chart-label chart-x-label"[^>]*>([^<]*)</text>', html)
        assert shown and any(year in label for label in shown), (as_of, shown)
        deck = pptx.Presentation(str(next((out / "presentations/thanks/solo").glob("*.pptx"))))
        plot = next(sh.chart for s in deck.slides for sh in s.shapes if getattr(sh, "has_chart", False)).plots[0]
        assert list(plot.categories)[-1].endswith(year), (as_of, list(plot.categories))


def test_each_practices_deck_charts_that_practices_referrals_only(tmp_path):
    """Two practices, each with its own referrals: the deck customized for each charts its
    physicians' referrals by month, not the other's (a mutant feeding every deck the first
    practice's series went unnoticed: the chart tests built sites of one practice). Counted
    by hand: Solo Clinic's Ida Lone sent 1 patient in March and 2 in October; Alder Family
    Care's Ada Birch sent 2 in June and 1 in September."""
    import subprocess
    import sys

    from conftest import one_physician_site

    root = one_physician_site(tmp_path / "root", "- date: 2026-10-02\n  type: visit\n  liaison: lou\n"
                                                 "  practice: solo\n  summary: Hello.\n")
    (root / "data/practices/alder.yaml").write_text("name: Alder Family Care\n", encoding="utf-8")
    (root / "data/physicians/ada-birch.yaml").write_text(
        "name: Ada Birch\nspecialty: Family medicine\npractice: alder\n", encoding="utf-8")
    (root / "data/referrals").mkdir()
    (root / "data/referrals/r.csv").write_text(
        "date,source,physician,service,status,count\n"
        "2026-03-10,physician,ida-lone,ablation,referred,\n"
        "2026-06-15,physician,ada-birch,ablation,referred,\n"
        "2026-06-20,physician,ada-birch,ablation,referred,\n"
        "2026-09-01,physician,ada-birch,ablation,referred,\n"
        "2026-10-05,physician,ida-lone,ablation,referred,2\n", encoding="utf-8")
    (root / "content/presentations").mkdir(parents=True)
    (root / "content/presentations/thanks.md").write_text(
        "---\ntitle: Thanks\n---\n# Thanks\n\n---\n\n## By month\n\n{{ referral_chart() }}\n", encoding="utf-8")
    out = tmp_path / "site"
    proc = subprocess.run([sys.executable, "-m", "liaison", "build", "--root", str(root), "--out", str(out),
                           "--as-of", "2026-11-26"], capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    months = ["Nov \u201925", "Dec", "Jan \u201926", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
              "Oct \u201926"]  # the last 12 complete months before 26 November 2026
    expected = {"solo": {"Mar": 1, "Oct \u201926": 2}, "alder": {"Jun": 2, "Sep": 1}}
    for practice, counts in expected.items():
        folder = out / "presentations" / "thanks" / practice
        deck = pptx.Presentation(str(next(folder.glob("*.pptx"))))
        plot = next(sh.chart for s in deck.slides for sh in s.shapes if getattr(sh, "has_chart", False)).plots[0]
        bars = dict(zip(plot.categories, plot.series[0].values))
        assert list(bars) == months, (practice, list(bars))
        assert bars == {m: counts.get(m, 0) for m in months}, (practice, bars)


@pytest.mark.parametrize("rule", ["--- ", "---\t", " ---", "---\r"])
def test_a_slide_rule_with_spaces_around_it_still_separates_slides(rule):
    # an editor leaves a space or a tab after the '---' (or a CR, saved on Windows): the line
    # still holds only '---' to the eye, and separates the slides around it
    from liaison.content import split_slides

    body = f"# One\n\nfirst\n{rule}\n# Two\n"
    slides = split_slides(body, 5)
    # the body starts on line 5: '# One' is line 5, the rule line 8, '# Two' line 9
    assert [(s.source.strip(), s.line) for s in slides] == [("# One\n\nfirst", 5), ("# Two", 9)]
