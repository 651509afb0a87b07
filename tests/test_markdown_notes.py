"""A record's Markdown fields (notes) are GitHub Flavored Markdown (cmark-gfm), sanitized;
Markdown files (guides, decks and their speaker notes) stay Python-Markdown."""
from __future__ import annotations

import datetime as dt
import shutil

import markdown
import pytest

from conftest import SPEC_EXAMPLE, cli
from liaison.content import MarkdownRenderer, sanitize


def old_note(text: str) -> str:
    """What a note was before: Python-Markdown with the extensions notes had."""
    return sanitize(markdown.Markdown(extensions=["extra", "sane_lists"]).convert(text),
                    images=False)


def test_the_notes_a_team_writes_render_as_they_did():
    """Paragraphs, emphasis, lists, links, code, quotes and tables: the same HTML as before."""
    md = MarkdownRenderer()
    for text in [
        "Growing **family medicine** office in Green Falls.\n\n- Lunch for 13\n- Referrals go out by fax",
        "Sends most leg-swelling cases for an *echo* first; prefers a direct call.",
        "1. Drop brochures\n2. Ask about the fax line\n\nSee [the portal](https://example.org/p).",
        "> Asked for `duplex` slots on Fridays.\n\nLine one  \nline two",
        "| day | slots |\n|---|---|\n| Mon | 3 |\n| Fri | 1 |",
        "Fenced:\n\n```\nno *markup* here\n```",
        "Tom &amp; Ana's office < 2 miles away",
    ]:
        assert str(md.note(text)) == old_note(text), text


def test_notes_are_github_flavored():
    """What GitHub shows: a list right after a line, nested by two spaces, struck text,
    bare addresses made links, task lists (their boxes dropped, their text kept)."""
    md = MarkdownRenderer()
    assert "<ul>" in md.note("Bring:\n- brochures\n- pens")
    nested = str(md.note("- outer\n  - inner"))
    assert nested.count("<ul>") == 2 and nested.index("inner") > nested.index("<ul>", 1)
    assert "<del>old number</del>" in md.note("~~old number~~ new one")
    link = str(md.note("Portal at https://portal.example.org/referrals today"))
    assert '<a href="https://portal.example.org/referrals" rel="noopener noreferrer">' in link
    tasks = str(md.note("- [x] lunch booked\n- [ ] brochures"))
    assert "lunch booked" in tasks and "brochures" in tasks and "<input" not in tasks
    footnote = str(md.note("Prefers mornings[^1].\n\n[^1]: Said so twice."))
    assert "Said so twice." in footnote


def test_notes_are_still_sanitized():
    md = MarkdownRenderer()
    html = str(md.note('<script>alert(1)</script>\n\n<b onclick="x()">bold</b> '
                       '[click](javascript:alert(1)) <img src="/a.png" alt="a"> <sup>2</sup>\n\n'
                       '<iframe src="https://example.org"></iframe>'))
    assert "<script" not in html and "alert(1)</" not in html
    assert "onclick" not in html and "javascript:" not in html
    assert "<img" not in html and "<iframe" not in html
    assert "<b>bold</b>" in html and "<sup>2</sup>" in html
    assert md.note("") == "" and md.note(None) == ""


def test_a_note_or_a_slide_gives_no_element_an_id():
    """A heading's id in a record's notes or a slide (raw HTML, or Python-Markdown's
    ``{#id}``) was kept: a brief shows many notes and a deck page every slide, so two notes
    with the same heading repeated an id, and ``<h2 id="main">`` took the page's own (the
    "Skip to content" link's target). Only a whole document (a guide) keeps its headings' ids."""
    md = MarkdownRenderer()
    for html in (str(md.note('<h2 id="main">Plan</h2>\n\n<h3 id="plan">Again</h3>')),
                 md.slide('## Plan {#slide-2}\n\n<h3 id="main">Again</h3>'),
                 str(md.speaker_note('<h2 id="main">Plan</h2>'))):
        assert " id=" not in html and "Plan" in html, html
    assert '<h2 id="plan">Plan</h2>' in md.document("## Plan")[0]


def test_a_guide_or_a_slide_gives_the_page_no_character_html_forbids():
    """A Markdown file's text pasted from PowerPoint (a vertical tab: its line break), Word (a
    form feed stays: HTML allows it) or a PDF (a C1 control, U+FFFE) was copied into the page
    as it was: parse errors of the HTML ("invalid codepoint"); the .pptx already dropped them.
    A record's notes cannot hold them (SPEC §2)."""
    import re

    md = MarkdownRenderer()
    text = "## Who\x0bwe are\n\n- one\x01two\x85three\ufffe\x7f four\x0cfive\n"
    forbidden = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]")
    for html in (md.document(text)[0], md.slide(text), str(md.speaker_note(text))):
        assert not forbidden.search(html), repr(html)
        assert "Whowe are" in html and "onetwothree four\x0cfive" in html


def test_speaker_notes_and_documents_stay_python_markdown():
    """A definition list (a Python-Markdown extension) is one in a slide's speaker notes and
    a guide, and a plain paragraph in a record's notes."""
    md = MarkdownRenderer()
    text = "Duplex\n:   An ultrasound of the veins"
    assert "<dl>" in md.speaker_note(text)
    assert "<dl>" in md.document(text)[0]
    assert "<dl>" not in md.note(text) and "An ultrasound of the veins" in md.note(text)
    assert md.speaker_note("") == ""


def test_a_notes_headings_stand_below_the_pages_sections():
    """A brief shows a record's notes under its h3 "Notes" (an interaction's under a section's
    h2): a note's "## Parking" was an h2, beside the page's own sections in a screen reader's
    outline. A note's headings go three levels down, at most h6; a guide keeps its own."""
    md = MarkdownRenderer()
    html = str(md.note("# Office\n\n## Parking\n\ntext\n\n### Lot B\n\n"
                       "<h2>Raw</h2>\n\n#### Deep"))
    assert [t for t in ("<h4>Office</h4>", "<h5>Parking</h5>", "<h6>Lot B</h6>",
                        "<h5>Raw</h5>", "<h6>Deep</h6>") if t not in html] == [], html
    assert "<h1" not in html and "<h2" not in html and "<h3" not in html
    assert "<h2" in md.document("## Parking")[0]


def test_a_built_brief_shows_a_note_in_github_flavored_markdown(tmp_path):
    """End to end: a physician's notes with a table and struck text, built."""
    root = tmp_path / "site"
    shutil.copytree(SPEC_EXAMPLE, root)
    doc = root / "data" / "physicians" / "ruth-kessler.yaml"
    text = doc.read_text(encoding="utf-8")
    assert "\nnotes:" not in text
    doc.write_text(text.rstrip("\n") + "\nnotes: |\n  ~~Mondays~~ Tuesdays now.\n\n  ## Parking\n\n"
                   "  | clinic | day |\n  |---|---|\n  | North | Tue |\n", encoding="utf-8")
    out = tmp_path / "out"
    code, _out, err = cli("build", "--root", str(root), "--out", str(out),
                          "--as-of", dt.date(2026, 11, 26).isoformat())
    assert code == 0, err
    raw = (out / "physicians" / "ruth-kessler" / "index.html").read_text(encoding="utf-8")
    assert "<del>Mondays</del>" in raw and "<td>North</td>" in raw
    notes = raw.split("<h3>Notes</h3>", 1)[1].split("</section>", 1)[0]
    assert "<h5>Parking</h5>" in notes, notes


GFM_TEXTS = [
    "plain", "**bold** and _it_\n\n- one\n- two", "| a | b |\n|---|---|\n| 1 | 2 |",
    "see https://example.org/x and www.example.org", "~~struck~~", "- [ ] open\n- [x] done",
    "<script>alert(1)</script> <xmp>x</xmp>", "a[^1]\n\n[^1]: the footnote", "```py\ncode\n```",
    "<b onclick='x()'>raw</b>", "", "ünïcödé — “quoted”\n",
]


@pytest.mark.parametrize("text", GFM_TEXTS)
def test_gfm_renders_what_cmarkgfms_own_call_renders(text):
    """``content.gfm`` looks cmark-gfm's extensions up once: the same HTML as
    ``cmarkgfm.github_flavored_markdown_to_html`` with the same options, each call (its
    trailing newline dropped)."""
    import cmarkgfm
    from cmarkgfm.cmark import Options

    from liaison.content import gfm

    theirs = cmarkgfm.github_flavored_markdown_to_html(
        text, options=Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_FOOTNOTES)
    assert gfm(text) == theirs.removesuffix("\n")
    assert gfm(text) == gfm(text)
