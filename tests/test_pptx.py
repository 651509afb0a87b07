"""PowerPoint output (SPEC §5 determinism, §6 decks): parsing of rendered slide Markdown, and
packages that python-pptx (and LibreOffice, when installed) can open."""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pptx
import pytest

from liaison.pptx import Block, DeckWriter, SlideContent, slide_content

AS_OF = dt.date(2025, 3, 1)
PRACTICE = "Cascade Vein & Vascular"
REPO = Path(__file__).resolve().parents[1]

SLIDES_MD = [
    """# Vein care at Cascade

Prepared for the providers and staff of **Alder Falls Family Medicine**

Notes: Thank everyone for their time.
""",
    """## Who we are

- An outpatient vein and vascular practice
- Board-certified vein specialists
  - Registered vascular technologists
    - In every office
- A liaison for every referring office

Notes: Keep this short.

Second notes paragraph.
""",
    """## When to refer

| Finding | Refer for |
|---|---|
| Aching, heavy or swollen legs | Venous duplex and consult |
| A leg wound not healed in four weeks | Leg wound clinic, *this week* |

Notes: Hand out the referral criteria card.
""",
    """## What we treat

- **Vein ablation**

- Sclerotherapy

- [Leg wound clinic](https://example.org/wounds)
""",
    """## What happens after you refer

1. We call the patient within one business day
2. Duplex ultrasound and consult at the first visit
3. A one-page consult summary back to you within 48 hours
""",
    """## Working together

**Alder Falls Family Medicine** sent us 17 referrals in the last twelve months. Thank you!

- Dr. Harriet Quenneville
- Dr. Tobias Wren

Notes: Thank the providers by name.
""",
    """## Questions?

- Scheduling and referrals: (360) 555-0100
""",
]


def deck() -> list[SlideContent]:
    return [slide_content(md) for md in SLIDES_MD]


def write(slides=None, practice=PRACTICE, as_of=AS_OF, title="Vein care at Cascade") -> bytes:
    return DeckWriter(practice, as_of).write(title, deck() if slides is None else slides)


def open_deck(data: bytes):
    return pptx.Presentation(io.BytesIO(data))


def texts(slide) -> list[str]:
    return [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]


def body_text(slide) -> str:
    """The text of every text shape but the title, one paragraph a line."""
    title = slide.shapes.title
    return "\n".join(shape.text_frame.text for shape in slide.shapes
                     if shape.has_text_frame and (title is None or shape.shape_id != title.shape_id))


def paragraphs_with_levels(slide) -> list[tuple[int, str]]:
    body = next(s for s in slide.placeholders if s.placeholder_format.idx == 1)
    return [(p.level, "".join(r.text for r in p.runs)) for p in body.text_frame.paragraphs]


# --------------------------------------------------------------------------- slide_content


def test_title_and_paragraph():
    s = slide_content(SLIDES_MD[0])
    assert s.title == "Vein care at Cascade"
    assert s.blocks == (Block("paragraph", text="Prepared for the providers and staff of Alder Falls Family Medicine"),)
    assert s.notes == "Thank everyone for their time."


def test_nested_bullets_and_notes_paragraphs():
    s = slide_content(SLIDES_MD[1])
    assert s.title == "Who we are"
    assert s.blocks == (Block("bullets", items=(
        (0, "An outpatient vein and vascular practice"),
        (0, "Board-certified vein specialists"),
        (1, "Registered vascular technologists"),
        (2, "In every office"),
        (0, "A liaison for every referring office"),
    )),)
    assert s.notes == "Keep this short.\nSecond notes paragraph."


def test_numbered_steps_in_the_notes_keep_their_numbers():
    """A numbered list in the speaker notes (the steps of a demonstration) came into the notes
    pane as dashes, where the HTML presenter's window shows 1., 2., 3."""
    s = slide_content("## Slide\n\nText\n\nNotes: Show the steps:\n\n1. Open the chart\n"
                      "   - the new one\n2. Read the figure\n3. Ask\n\n- a bullet\n")
    assert s.notes == ("Show the steps:\n1. Open the chart\n  - the new one\n2. Read the figure\n3. Ask\n"
                       "- a bullet")


def test_table():
    s = slide_content(SLIDES_MD[2])
    assert s.title == "When to refer"
    assert s.blocks == (Block("table", items=(
        ("Finding", "Refer for"),
        ("Aching, heavy or swollen legs", "Venous duplex and consult"),
        ("A leg wound not healed in four weeks", "Leg wound clinic, this week"),
    )),)


def test_loose_list_inline_markers_and_no_notes():
    s = slide_content(SLIDES_MD[3])
    assert s.blocks == (Block("bullets", items=((0, "Vein ablation"), (0, "Sclerotherapy"), (0, "Leg wound clinic"))),)
    assert s.blocks[0].runs[0] == (("Vein ablation", True, False, False),)  # bold stays bold
    assert s.notes == ""


def test_ordered_list_is_bullets_numbered():
    s = slide_content(SLIDES_MD[4])
    assert [b.kind for b in s.blocks] == ["bullets"]
    assert s.blocks[0].items[0] == (0, "We call the patient within one business day")
    assert s.blocks[0].ordered == (True, True, True)


def test_a_numbered_list_continued_from_the_slide_before_keeps_its_numbers():
    """A list of ten steps split over two slides (as validate asks of a crowded slide): the
    second slide's "6." showed "1." in the .pptx, its notes and the HTML deck alike."""
    from liaison.content import MarkdownRenderer

    md = ("## Steps, continued\n\n6. Six\n7. Seven\n   3. sub three\n   4. sub four\n8. Eight\n\n"
          "Notes: Then:\n\n6. six\n7. seven\n")
    s = slide_content(md)
    assert s.notes == "Then:\n6. six\n7. seven"
    data = write([s])
    xml = zipfile.ZipFile(io.BytesIO(data)).read("ppt/slides/slide1.xml").decode()
    assert xml.count('<a:buAutoNum type="arabicPeriod" startAt="6"/>') == 3
    assert xml.count('<a:buAutoNum type="arabicPeriod" startAt="3"/>') == 2
    html = MarkdownRenderer().slide(md.split("Notes:")[0])
    assert '<ol start="6">' in html and '<ol start="3">' in html
    # a list from 1 is written as before
    one = zipfile.ZipFile(io.BytesIO(write([slide_content("## S\n\n1. a\n2. b")]))).read(
        "ppt/slides/slide1.xml").decode()
    assert one.count('<a:buAutoNum type="arabicPeriod"/>') == 2


def test_html_entities_read_as_the_html_deck_shows_them():
    """"5 &lt; 6 &amp; AT&amp;T &copy; 2026" showed as "5 < 6 & AT&T (c) 2026" in the HTML deck
    and with its entities, as written, in the .pptx; a code span keeps them as written in both."""
    from liaison.content import MarkdownRenderer

    md = "## Less &amp; more\n\n5 &lt; 6 &amp; AT&amp;T &copy; 2026 &#8212; &notanentity; `&lt;`\n\n| a &gt; b |\n|---|\n| &eacute; |"
    s = slide_content(md)
    assert s.title == "Less & more"
    assert s.blocks[0].text == "5 < 6 & AT&T \u00a9 2026 \u2014 &notanentity; &lt;"
    assert s.blocks[1].items == (("a > b",), ("\u00e9",))
    html = MarkdownRenderer().slide(md)
    assert "5 &lt; 6 &amp; AT&amp;T \u00a9 2026" in html and "<code>&amp;lt;</code>" in html


def test_a_bullet_right_under_a_numbered_item_is_a_bullet_in_the_html_deck_too():
    """"1. one" then "- a bullet" on the next line: the .pptx showed a numbered item and a
    bullet, the HTML deck one item reading "one - a bullet" (Python-Markdown took the bullet for
    the item's text)."""
    from liaison.content import MarkdownRenderer

    md = "## Mixed\n\n1. one\n- a bullet\n- another\n2. two again\n"
    s = slide_content(md)
    assert s.blocks[0].items == ((0, "one"), (0, "a bullet"), (0, "another"), (0, "two again"))
    assert s.blocks[0].ordered == (True, False, False, True)
    html = MarkdownRenderer().slide(md)
    items = [" ".join(re.sub(r"<[^>]+>", " ", li).split()) for li in re.findall(r"<li>(.*?)</li>", html, re.S)]
    assert items == ["one", "a bullet", "another", "two again"]


def test_struck_text_shows_its_tildes_as_the_html_deck_does():
    """"~~72 hours~~ 48 hours": the HTML deck shows the tildes (Python-Markdown has no
    strikethrough); the .pptx showed "72 hours 48 hours", the struck figure as if it stood."""
    from liaison.content import MarkdownRenderer

    md = "## Promise\n\n~~72 hours~~ 48 hours\n"
    assert slide_content(md).blocks[0].text == "~~72 hours~~ 48 hours"
    assert "~~72 hours~~ 48 hours" in MarkdownRenderer().slide(md)


def test_paragraph_then_bullets():
    s = slide_content(SLIDES_MD[5])
    assert [b.kind for b in s.blocks] == ["paragraph", "bullets"]
    assert s.blocks[0].text.startswith("Alder Falls Family Medicine sent us 17 referrals")


def test_inline_markdown_removed():
    s = slide_content("## T\n\nA **bold** and *italic* and `code` and [link](http://x) and "
                      "__strong__ and ![alt](img.png) and \\*stars\\* and <https://example.org>.")
    assert s.blocks[0].text == ("A bold and italic and code and link and strong and alt and *stars* "
                                "and https://example.org.")


def test_headings_levels_and_no_title():
    s = slide_content("Just text.\n\n- item\n")
    assert s.title == ""
    assert [b.kind for b in s.blocks] == ["paragraph", "bullets"]
    s = slide_content("### Third level\n\n#### Deeper\n\nText")
    assert s.title == "Third level"
    assert [b.text for b in s.blocks] == ["Deeper", "Text"]
    assert slide_content("#### Only deep\n").title == ""


def test_notes_must_start_a_paragraph():
    s = slide_content("## T\n\nSome text\nNotes: not notes\n")
    assert s.notes == ""
    assert s.blocks[0].text == "Some text Notes: not notes"


def test_html_tags_are_taken_out_as_the_html_deck_takes_them_out():
    s = slide_content("## T\n\n<b>Hi</b> <script>alert(1)</script><span style=\"color:red\">red"
                      "</span> <EM>so</EM> <!-- a comment -->3 < 5, 7 > 2, <3 <br/>end\n")
    assert s.blocks[0].text == "Hi red so 3 < 5, 7 > 2, <3 end"
    runs = s.blocks[0].runs
    assert ("Hi", True, False, False) in runs and ("so", False, True, False) in runs
    assert "alert" not in s.blocks[0].text  # a script goes with its content
    assert slide_content("## T\n\nA <script>x</script> tag\n").blocks[0].text == "A tag"


def test_a_link_whose_address_holds_parentheses_leaves_no_stray_one():
    s = slide_content("## T\n\n- See [the guide](https://en.example/wiki/Vein_(anatomy)) now\n"
                      "- ![a chart](img_(1).png) here\n")
    assert s.blocks[0].items == ((0, "See the guide now"), (0, "a chart here"))


def test_a_link_is_a_hyperlink_in_the_pptx_when_a_pptx_can_follow_it():
    """A link showed its text in the .pptx and went nowhere: "the referral form" was words an
    office could not open, where the HTML deck links them. A link to an address of the web, a
    mail or a phone call is a hyperlink on its own text (underlined, so not told by colour
    alone), a bare address too; a relative link, which leads nowhere from a .pptx, keeps its
    text alone."""
    md = ("## Links\n\nSee [the referral form](https://cascadevein.example/refer?a=1&b=2 \"Form\"), "
          "[write to us](mailto:intake@cascadevein.example), <https://cascadevein.example/lab>, "
          "[**the guide**](https://en.example/wiki/Vein_(anatomy)) and [the primer](../training/primer.md).\n\n"
          "- [Call us](tel:+13605550100) today\n")
    data = DeckWriter(PRACTICE, AS_OF).write("D", [slide_content("# D"), slide_content(md)])
    body = next(sh for sh in open_deck(data).slides[1].shapes if sh.has_text_frame and "See" in sh.text_frame.text)
    links = [(r.text, r.hyperlink.address, r.font.underline) for p in body.text_frame.paragraphs
             for r in p.runs if r.hyperlink.address]
    assert links == [("the referral form", "https://cascadevein.example/refer?a=1&b=2", True),
                     ("write to us", "mailto:intake@cascadevein.example", True),
                     ("https://cascadevein.example/lab", "https://cascadevein.example/lab", True),
                     ("the guide", "https://en.example/wiki/Vein_(anatomy)", True),
                     ("Call us", "tel:+13605550100", True)]
    assert body.text_frame.text == ("See the referral form, write to us, https://cascadevein.example/lab, the guide "
                                    "and the primer.\nCall us today")
    assert [r.font.bold for p in body.text_frame.paragraphs for r in p.runs if r.text == "the guide"] == [True]


def test_a_table_cell_keeps_its_bold_and_its_link_in_the_pptx():
    """A table's cells were plain text in the .pptx: "Refer for a **venous duplex**" lost its
    bold (the HTML deck shows it) and [the form](https://…) its link. A cell keeps its runs, a
    link a hyperlink on its text; the header row stays bold."""
    md = ("## T\n\n| Step | Where |\n|---|---|\n| Refer for a **venous duplex** | "
          "[the form](https://x.example/f) |\n| only one |\n")
    data = DeckWriter(PRACTICE, AS_OF).write("D", [slide_content("# D"), slide_content(md)])
    table = next(sh.table for sh in open_deck(data).slides[1].shapes if sh.has_table)
    cells = [[[(r.text, bool(r.font.bold), r.hyperlink.address) for r in c.text_frame.paragraphs[0].runs]
              for c in row.cells] for row in table.rows]
    assert cells == [[[("Step", True, None)], [("Where", True, None)]],
                     [[("Refer for a ", False, None), ("venous duplex", True, None)],
                      [("the form", False, "https://x.example/f")]],
                     [[("only one", False, None)], []]]


def test_every_slide_has_a_title_and_none_twice():
    """PowerPoint's Accessibility Checker asks every slide for a title, and for titles that
    differ: a slide without a heading had none (a screen reader's list of slides skipped it),
    and two slides "When to refer" read alike. A slide without a heading gets one out of sight
    above the slide, its first words (or "Slide N"), which the slide's look does not change;
    a title met again gets its number, whatever its letter case."""
    long = "A paragraph long enough to be cut short at a word before its sixtieth character, and more"
    mds = ["# Deck", "## When to refer\n\n- one", "## when to  refer\n\n- two", "Just a picture of us:\n\n- x",
           f"{long}\n", "- First item\n- Second", "| Day | Open |\n|---|---|\n| Mon | 8 |\n",
           "Layout: closing\n\nCall us.", "## When to refer\n\n- three", "## When to refer (2)"]
    data = DeckWriter(PRACTICE, AS_OF).write("D", [slide_content(md) for md in mds])
    p = open_deck(data)
    titles = [s.shapes.title.text if s.shapes.title is not None else None for s in p.slides]
    assert titles == ["Deck", "When to refer", "when to  refer (2)", "Just a picture of us:",
                      "A paragraph long enough to be cut short at a word before its\u2026", "First item", "Day · Open",
                      "Call us.", "When to refer (3)", "When to refer (2) (2)"]
    for k in (3, 4, 5, 6, 7):  # the titles made up are above the slide, out of sight, and read first
        title = p.slides[k].shapes.title
        assert title.top + title.height <= 0 and p.slides[k].shapes[0].shape_id == title.shape_id
    assert [s.shapes.title.top >= 0 for s in p.slides] == [True, True, True, False, False, False, False, False,
                                                          True, True]
    empty = DeckWriter(PRACTICE, AS_OF).write("D", [slide_content("# Deck"), slide_content("![](x.png)\n")])
    assert open_deck(empty).slides[1].shapes.title.text == "Slide 2"


def test_jinja_style_output_with_blank_lines_and_indentation():
    md = "## Our services\n\n\n- Vein ablation\n\n\n- Sclerotherapy\n\n  - Foam\n\n\nNotes: x\n"
    s = slide_content(md)
    assert s.blocks == (Block("bullets", items=((0, "Vein ablation"), (0, "Sclerotherapy"), (1, "Foam"))),)


# --------------------------------------------------------------------------- the package


def test_opens_with_python_pptx():
    p = open_deck(write())
    assert len(p.slides) == len(SLIDES_MD)
    assert (p.slide_width, p.slide_height) == (12192000, 6858000)  # 16:9
    titles = [s.shapes.title.text for s in p.slides]
    assert titles == ["Vein care at Cascade", "Who we are", "When to refer", "What we treat",
                      "What happens after you refer", "Working together", "Questions?"]
    s0, s1, s2, s3, s4, s5, s6 = p.slides
    assert "Prepared for the providers and staff of Alder Falls Family Medicine" in body_text(s0)
    assert paragraphs_with_levels(s1) == [
        (0, "An outpatient vein and vascular practice"), (0, "Board-certified vein specialists"),
        (1, "Registered vascular technologists"), (2, "In every office"),
        (0, "A liaison for every referring office")]
    tables = [sh.table for sh in s2.shapes if sh.has_table]
    assert len(tables) == 1
    cells = [[c.text for c in row.cells] for row in tables[0].rows]
    assert cells == [["Finding", "Refer for"],
                     ["Aching, heavy or swollen legs", "Venous duplex and consult"],
                     ["A leg wound not healed in four weeks", "Leg wound clinic, this week"]]
    assert "Vein ablation" in body_text(s3)
    assert "We call the patient within one business day" in body_text(s4)
    assert "Dr. Tobias Wren" in body_text(s5)
    # speaker notes in the notes pane; none where the slide has none
    assert s0.notes_slide.notes_text_frame.text == "Thank everyone for their time."
    assert s1.notes_slide.notes_text_frame.text == "Keep this short.\nSecond notes paragraph."
    assert s2.notes_slide.notes_text_frame.text == "Hand out the referral criteria card."
    assert not s3.has_notes_slide
    # our practice's name in the footer of every slide, near the bottom
    for slide in p.slides:
        footers = [sh for sh in slide.shapes if sh.has_text_frame and sh.text_frame.text == PRACTICE]
        assert len(footers) == 1
        assert footers[0].top > 6 * 914400


def test_bold_runs_and_numbering_in_xml():
    data = write()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        s4 = z.read("ppt/slides/slide4.xml").decode()
        s5 = z.read("ppt/slides/slide5.xml").decode()
    assert 'b="1"' in s4 and "Vein ablation" in s4
    assert s5.count('<a:buAutoNum type="arabicPeriod"/>') == 3


def test_two_writes_byte_identical():
    assert write() == write()
    assert write() != write(as_of=dt.date(2025, 3, 2))


def test_byte_identical_across_processes():
    code = ("import hashlib, sys; sys.path.insert(0, sys.argv[1]); "
            "from tests.test_pptx import write; print(hashlib.sha256(write()).hexdigest())")
    out = subprocess.run([sys.executable, "-c", code, str(REPO)], capture_output=True, text=True,
                         check=True, cwd=REPO)
    assert out.stdout.strip() == hashlib.sha256(write()).hexdigest()


def test_only_timestamp_is_as_of():
    data = write()
    p = open_deck(data)
    assert p.core_properties.created == dt.datetime(2025, 3, 1, 0, 0, 0)
    assert p.core_properties.modified == dt.datetime(2025, 3, 1, 0, 0, 0)
    assert p.core_properties.revision == 1
    assert p.core_properties.title == "Vein care at Cascade"
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        infos = z.infolist()
        assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in infos)
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in infos)
        assert infos[0].filename == "[Content_Types].xml"
        assert z.testzip() is None
        core = z.read("docProps/core.xml").decode()
        assert core.count("2025-03-01T00:00:00Z") == 2
        for info in infos:
            text = z.read(info).decode("utf-8")
            if info.filename != "docProps/core.xml":
                assert "2025-" not in text and "/13<" not in text, info.filename
        app = z.read("docProps/app.xml").decode()
        assert "<Slides>7</Slides>" in app and "<Notes>4</Notes>" in app


def test_xml_hostile_text_survives_escaped():
    hostile = "<scr&ipt>\"'"  # no HTML tag (those are taken out): characters XML escapes
    md = (f"## Title {hostile}\n\nText {hostile} \x00\x01\x08\x0b\x0c\x1b\ud800 end\n\n"
          f"- item {hostile}\n\n| a {hostile} | b |\n|---|---|\n| c | d\x02 |\n\nNotes: note {hostile}\x07\n")
    slides = [slide_content(md)]
    data = write(slides, practice=f"Practice {hostile}\x01", title=f"Deck {hostile}")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("ppt/slides/slide1.xml").decode()
    assert "<scr" not in xml and "&lt;scr&amp;ipt&gt;" in xml
    p = open_deck(data)
    (slide,) = p.slides
    assert slide.shapes.title.text == f"Title {hostile}"
    text = "\n".join(texts(slide))
    assert f"Text {hostile}  end" in text
    assert f"item {hostile}" in text
    assert f"Practice {hostile}" in text
    table = next(sh.table for sh in slide.shapes if sh.has_table)
    assert table.cell(0, 0).text == f"a {hostile}" and table.cell(1, 1).text == "d"
    assert slide.notes_slide.notes_text_frame.text == f"note {hostile}"
    assert p.core_properties.title == f"Deck {hostile}"


def test_hand_made_blocks_and_edge_cases():
    slides = [
        SlideContent("", (), ""),
        SlideContent("Only a title", (), ""),
        SlideContent("Hand made", (Block("paragraph", text="p"), Block("bullets", items=((0, "a"), (3, "deep"))),
                                   Block("table", items=(("h1", "h2"), ("x",))), Block("paragraph", text="after")),
                     "n"),
        SlideContent("Crowded", (Block("bullets", items=tuple((0, "word " * 30) for _ in range(40))),), ""),
    ]
    p = open_deck(write(slides))
    assert len(p.slides) == 4
    # an empty slide's title is "Slide 1", above the slide, out of sight (every slide a title)
    assert p.slides[0].shapes.title.text == "Slide 1" and p.slides[0].shapes.title.top < 0
    assert p.slides[1].shapes.title.text == "Only a title"
    table = next(sh.table for sh in p.slides[2].shapes if sh.has_table)
    assert [[c.text for c in r.cells] for r in table.rows] == [["h1", "h2"], ["x", ""]]
    assert "after" in body_text(p.slides[2])
    assert p.slides[2].notes_slide.notes_text_frame.text == "n"
    for slide in p.slides:
        assert PRACTICE in texts(slide)


def test_empty_deck():
    p = open_deck(write([]))
    assert len(p.slides) == 0


def test_sample_decks_render():
    """The repository's sample decks, through the real Jinja rendering, for one practice."""
    from liaison import decks as deck_stage
    from liaison.load import load_site

    site, _, _ = load_site(REPO)
    env = deck_stage.make_env("pptx")  # values escaped for the .pptx reader, as the build does
    writer = DeckWriter(site.config.practice.name, AS_OF)
    stats = SimpleNamespace(practices={pid: {"referrals_365d": 12} for pid in site.practices},
                            physicians={pid: {"referrals_365d": 4} for pid in site.physicians})
    assert site.decks
    for deck_id, d in sorted(site.decks.items()):
        compiled, errors = deck_stage.compile_deck(env, d)
        assert not errors
        practice, ctx = deck_stage.deck_contexts(site, d, stats)[1]
        slides = [slide_content(deck_stage.render_slide(cs, ctx)) for cs in compiled]
        p = open_deck(writer.write(d.meta.title, slides))
        assert len(p.slides) == len(d.slides)
        assert all(s.shapes.title is not None and s.shapes.title.text for s in p.slides)
        assert site.practices[practice].name in "\n".join(t for s in p.slides for t in texts(s))


# --------------------------------------------------------------------------- LibreOffice


def _soffice() -> str | None:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/soffice" if Path("/usr/bin/soffice").exists() else None


@pytest.mark.skipif(_soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_converts_to_pdf(tmp_path):
    deck_path = tmp_path / "deck.pptx"
    deck_path.write_bytes(write())
    profile = tmp_path / "lo-profile"  # a private profile: no clash with another running soffice
    subprocess.run([_soffice(), f"-env:UserInstallation=file://{profile}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(deck_path)],
                   check=True, capture_output=True, timeout=240)
    pdf = tmp_path / "deck.pdf"
    assert pdf.exists() and pdf.stat().st_size > 1000
    assert pdf.read_bytes().startswith(b"%PDF")
    pdfinfo, pdftotext = shutil.which("pdfinfo"), shutil.which("pdftotext")
    if pdfinfo:
        info = subprocess.run([pdfinfo, str(pdf)], capture_output=True, text=True, check=True).stdout
        pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
        assert pages == len(SLIDES_MD)
    if pdftotext:
        text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        pages = text.split("\f")
        for page in pages[:len(SLIDES_MD)]:
            assert PRACTICE in page
        assert "Who we are" in pages[1] and "Board-certified vein specialists" in pages[1]
        assert "Aching, heavy or swollen legs" in pages[2]


def _footer_numbers_after_deleting_the_first_slide(data: bytes, tmp_path) -> list[str]:
    """The slide numbers LibreOffice prints at the bottom right of each page of ``data`` once its
    first slide is deleted, as a manager editing the deck in PowerPoint would."""
    p = open_deck(data)
    first = p.slides._sldIdLst[0]
    p.part.drop_rel(first.rId)
    p.slides._sldIdLst.remove(first)
    deck_path = tmp_path / "edited.pptx"
    p.save(deck_path)
    profile = tmp_path / "lo-profile"
    subprocess.run([_soffice(), f"-env:UserInstallation=file://{profile}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(deck_path)],
                   check=True, capture_output=True, timeout=240)
    text = subprocess.run([shutil.which("pdftotext"), "-layout", str(tmp_path / "edited.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    return [page.split(PRACTICE)[-1].split()[-1] for page in text.split("\f") if PRACTICE in page]


def test_the_slide_number_is_powerpoints_field():
    """Each slide's number is PowerPoint's slide-number field (it was the number as plain text:
    a slide moved, added or deleted in PowerPoint left every later slide showing its old number)."""
    p = open_deck(write())
    for k, slide in enumerate(p.slides, 1):
        shape = next(sh for sh in slide.shapes if sh.name == "Slide Number")
        fields = shape._element.xpath(".//a:fld")
        assert [f.get("type") for f in fields] == ["slidenum"], k
        assert shape.text_frame.text == str(k)  # what a reader that does not update fields shows


@pytest.mark.skipif(_soffice() is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice (soffice) or pdftotext is not installed")
def test_the_slide_numbers_follow_a_deleted_slide_in_libreoffice(tmp_path):
    assert _footer_numbers_after_deleting_the_first_slide(write(), tmp_path) == \
        [str(k) for k in range(1, len(SLIDES_MD))]


def _word_boxes(pdf: Path) -> list[tuple[str, float, float]]:
    """(word, top, bottom) of each word of the PDF's first page, as poppler places them."""
    import re as _re
    html = subprocess.run([shutil.which("pdftotext"), "-bbox", "-f", "1", "-l", "1", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    return [(w, float(y0), float(y1)) for y0, y1, w in
            _re.findall(r'<word xMin="[^"]+" yMin="([^"]+)" xMax="[^"]+" yMax="([^"]+)">([^<]*)</word>', html)]


@pytest.mark.skipif(_soffice() is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice (soffice) or pdftotext is not installed")
@pytest.mark.parametrize("figure", ["1,234 patients", "102 patients sent by 12 providers"])
def test_a_big_number_in_bold_keeps_clear_of_its_caption_in_libreoffice(tmp_path, figure):
    """A big number is bold: its width was estimated as regular text's, so "1,234 patients"
    got 110 pt and "102 patients sent by 12 providers" 48 pt, both one line by the estimate, and
    LibreOffice (Calibri's fallback, as on a machine without Carlito) wrapped them onto their
    caption."""
    deck_path = tmp_path / "big.pptx"
    deck_path.write_bytes(write(slides=[slide_content(
        f"Layout: big-number\n## Thank you\n\n{figure}\n\ntrusted to us in the last twelve months.\n")]))
    profile = tmp_path / "lo-profile"
    subprocess.run([_soffice(), f"-env:UserInstallation=file://{profile}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(deck_path)],
                   check=True, capture_output=True, timeout=240)
    words = _word_boxes(tmp_path / "big.pdf")
    figure_words = figure.split()
    at = next(k for k in range(len(words)) if [w for w, _, _ in words[k:k + len(figure_words)]] == figure_words)
    figure_bottom = max(bottom for _, _, bottom in words[at:at + len(figure_words)])
    caption_top = next(top for w, top, _ in words if w == "trusted")
    assert figure_bottom <= caption_top, (figure_bottom, caption_top, words)


def _count_parts_made(monkeypatch) -> list:
    """The palettes' colours of each time the invariant parts are made (``_build_base``)."""
    from liaison.pptx import package

    made = []
    build_base = package._build_base

    def counted(ink):
        made.append(ink)
        return build_base(ink)

    monkeypatch.setattr(package, "_build_base", counted)
    return made


def test_the_invariant_parts_are_kept_between_runs(tmp_path, monkeypatch):
    """A writer told where (``kept_at``), where the package's folder cannot keep them, takes
    the invariant parts kept there by an earlier run instead of making them with
    python-pptx; the decks are the same bytes; other colours or a damaged file make them
    again."""
    from liaison import palette as palette_stage
    from liaison.pptx import package

    kept = tmp_path / "pptx-base.pickle"
    monkeypatch.setattr(package, "BESIDE", tmp_path / "in-the-way" / "bases")  # cannot be made
    (tmp_path / "in-the-way").write_text("a file where the folder would go")
    made = _count_parts_made(monkeypatch)
    monkeypatch.setattr(package, "_BASES", {})  # a fresh process
    first = DeckWriter(PRACTICE, AS_OF, kept_at=kept).write("Vein care", deck())
    assert len(made) == 1 and kept.is_file()
    monkeypatch.setattr(package, "_BASES", {})
    assert DeckWriter(PRACTICE, AS_OF, kept_at=kept).write("Vein care", deck()) == first
    assert len(made) == 1  # taken from the file
    assert first == write(title="Vein care")  # as a writer that keeps nothing writes it

    monkeypatch.setattr(package, "_BASES", {})
    other = dataclasses.replace(palette_stage.DEFAULT, primary="#8b1e3f")
    DeckWriter(PRACTICE, AS_OF, other, kept_at=kept).write("Vein care", deck())
    assert len(made) == 2  # other colours: made again (and kept in their place)
    monkeypatch.setattr(package, "_BASES", {})
    kept.write_bytes(b"not a pickle")
    assert DeckWriter(PRACTICE, AS_OF, kept_at=kept).write("Vein care", deck()) == first
    assert len(made) == 3


def test_the_invariant_parts_kept_beside_the_package_serve_every_cache_folder(tmp_path,
                                                                             monkeypatch):
    """The invariant parts are kept beside the package (``package.BESIDE``), a file per
    palette, under the code's fingerprint: a writer with an empty cache folder, or another
    site's, makes none; the files of another version of the code are removed when a new
    one is kept."""
    from liaison import palette as palette_stage
    from liaison.pptx import package

    beside = tmp_path / "package" / "bases"
    beside.mkdir(parents=True)
    stale = beside / "0123456789abcdef-0000000000000000.pickle"  # another version's
    stale.write_bytes(b"old")
    monkeypatch.setattr(package, "BESIDE", beside)
    made = _count_parts_made(monkeypatch)
    monkeypatch.setattr(package, "_BASES", {})
    first = DeckWriter(PRACTICE, AS_OF, kept_at=tmp_path / "cache-1" / "b.pickle").write(
        "Vein care", deck())
    assert len(made) == 1 and not (tmp_path / "cache-1").exists()
    assert not stale.exists() and len(list(beside.iterdir())) == 1
    for cache in ("cache-2", "cache-3"):  # empty cache folders: taken from beside the package
        monkeypatch.setattr(package, "_BASES", {})
        assert DeckWriter(PRACTICE, AS_OF, kept_at=tmp_path / cache / "b.pickle").write(
            "Vein care", deck()) == first
    assert len(made) == 1 and first == write(title="Vein care")

    other = dataclasses.replace(palette_stage.DEFAULT, primary="#8b1e3f")
    monkeypatch.setattr(package, "_BASES", {})
    DeckWriter(PRACTICE, AS_OF, other, kept_at=tmp_path / "cache-4" / "b.pickle")
    assert len(made) == 2 and len(list(beside.iterdir())) == 2  # a file per palette
    monkeypatch.setattr(package, "_BASES", {})
    DeckWriter(PRACTICE, AS_OF, other, kept_at=tmp_path / "cache-5" / "b.pickle")
    assert len(made) == 2


def test_italic_stays_italic_in_the_pptx():
    """"*soft*" and "_quiet_" are italic in the HTML deck, and in the .pptx (a run's italic, bold
    italic where both are asked); only HTML's <em> was checked, and Markdown's italic could have
    come out plain unnoticed."""
    s = slide_content("## T\n\nA *soft* and _quiet_ word, **_both_**\n")
    assert s.blocks[0].runs == (("A ", False, False, False), ("soft", False, True, False),
                                (" and ", False, False, False), ("quiet", False, True, False),
                                (" word, ", False, False, False), ("both", True, True, False))
    body = next(sh for sh in open_deck(write([slide_content("# D"), s])).slides[1].shapes
                if sh.has_text_frame and "soft" in sh.text_frame.text)
    assert [(r.text, bool(r.font.bold), bool(r.font.italic)) for r in body.text_frame.paragraphs[0].runs] == [
        ("A ", False, False), ("soft", False, True), (" and ", False, False), ("quiet", False, True),
        (" word, ", False, False), ("both", True, True)]


def test_a_table_in_the_notes_keeps_its_header_row():
    """A table in the speaker notes is a line per row in the notes pane, its header row first
    (the columns' names: without them "Ulcer | now" says little)."""
    s = slide_content("## T\n\nText\n\nNotes: When to refer:\n\n| Sign | Refer when |\n|---|---|\n"
                      "| Ulcer | now |\n| Swelling | in 2 weeks |\n")
    assert s.notes == "When to refer:\nSign | Refer when\nUlcer | now\nSwelling | in 2 weeks"


def test_the_slide_ids_are_ones_powerpoint_accepts():
    """ECMA-376 gives a slide's id (p:sldId/@id) the range 256 to 2147483647: PowerPoint calls a
    deck whose id is 255 damaged and offers to repair it, where python-pptx and LibreOffice open
    it without a word. Each slide's id is in range and its own, and names its slide's part."""
    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(write())) as z:
        pres = etree.fromstring(z.read("ppt/presentation.xml"))
        rels = etree.fromstring(z.read("ppt/_rels/presentation.xml.rels"))
    ns = {"p": "http://schemas.openxmlformats.org/presentationml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
    ids = pres.xpath("p:sldIdLst/p:sldId", namespaces=ns)
    assert [int(s.get("id")) for s in ids] == list(range(256, 256 + len(SLIDES_MD)))
    target = {r.get("Id"): r.get("Target") for r in rels}
    assert [target[s.get(f"{{{ns['r']}}}id")] for s in ids] == [
        f"slides/slide{k}.xml" for k in range(1, len(SLIDES_MD) + 1)]


def test_a_slide_that_differs_only_by_its_bold_is_written_again():
    """The writer keeps each slide's XML for the next deck that shows the same slide; two slides
    of the same text, one with a word in bold, one numbered from 6, are different slides (the
    second deck must not show the first deck's bold or numbers)."""
    writer = DeckWriter(PRACTICE, AS_OF)

    def slide1(md: str) -> str:
        return zipfile.ZipFile(io.BytesIO(writer.write("D", [slide_content(md)]))).read(
            "ppt/slides/slide1.xml").decode()

    assert 'b="1"' in slide1("## T\n\n- **Vein** care\n")
    assert 'b="1"' not in slide1("## T\n\n- Vein care\n")
    assert 'startAt="6"' not in slide1("## T\n\n1. Call\n2. Book\n")
    assert 'startAt="6"' in slide1("## T\n\n6. Call\n7. Book\n")


def test_a_hard_line_break_breaks_the_line_in_both_decks():
    """A line ending in two spaces or in a backslash breaks there (an address, line by line):
    the .pptx broke both, the HTML deck (Python-Markdown) only the spaces, and showed the
    backslash, "12 Alder Way\\ Suite 4". A backslash at a paragraph's end is a backslash in
    both, and a heading keeps its own."""
    from liaison.content import MarkdownRenderer

    md = "## Where we are\n\nCascade Vein  \n12 Alder Way\\\nSuite 4\n\n- Call\\\n  (360) 555-0100\n- Fax\\\n"
    s = slide_content(md)
    assert s.blocks[0].text == "Cascade Vein\n12 Alder Way\nSuite 4"
    assert s.blocks[1].items == ((0, "Call\n(360) 555-0100"), (0, "Fax\\"))
    xml = zipfile.ZipFile(io.BytesIO(write([slide_content("# D"), s]))).read("ppt/slides/slide2.xml").decode()
    assert xml.count("<a:br>") == 3
    html = MarkdownRenderer().slide(md)
    assert "<p>Cascade Vein<br>\n12 Alder Way<br>\nSuite 4</p>" in html
    assert re.search(r"<li>Call<br>\s*\(360\) 555-0100</li>", html) and "<li>Fax\\</li>" in html
