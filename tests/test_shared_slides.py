"""The HTML deck converts a slide once for every practice (liaison.decks "shared slides"):
each value a slide shows is a token while its Markdown is converted, then its HTML takes the
token's place. Whatever the slide and the value, the HTML is the one the slide's Markdown with
its values in it converts to, byte for byte; only where that is sure is the conversion shared."""
from __future__ import annotations

import random

import pytest

from liaison import decks as deck_stage
from liaison.content import Deck, MarkdownRenderer, Slide

# Slides that show a value in every place Markdown gives it a meaning of its own
SLIDES = [
    "# Working with {{ v }}\n\nPrepared for {{ v }}\n\nNotes: Thank {{ v }}.",
    "## Thank you, {{ v }}\n\n{{ v }}\n\ntrusted to us by **{{ v }}** and *{{ v }}*.",
    "Layout: big-number\n\n## {{ v }}\n\n{{ v }}\n\nA caption about {{ v }}",
    "Layout: two-column\n\n## Left and right\n\n- {{ v }}\n- __{{ v }}__\n\n+++\n\n1. {{ v }}\n2. x",
    "{{ v }}. is first on its line\n\n{{ v }}) too\n\n- {{ v }}. in a list",
    "A [link to {{ v }}](https://example.org/{{ v }}) and ![{{ v }}](images/a.png)",
    "Code `{{ v }}` and\n\n```\n{{ v }}\n```\n\n    {{ v }} indented",
    "| Practice | Count |\n|---|---|\n| {{ v }} | {{ v }} |",
    "_underlined_{{ v }} and {{ v }}_after_ and snake_{{ v }}_case",
    "Term {{ v }}\n: {{ v }} defined\n\n> quoted {{ v }}\n> {{ v }}",
    "{{ v }}\n===\n\n{{ v }}\n---",
    "Text {{ v }}\n\n*[HTML]: Hyper Text\n\nHTML and {{ v }}",
    '<div class="x">{{ v }}</div>\n\n{{ v }} after raw HTML',
    "{% set said %}Hello {{ v }}{% endset %}{{ said|upper }} and {{ said|length }}",
    "{% macro m(x) %}[{{ x }}]{% endmacro %}{{ m(v) }} and {% filter upper %}{{ v }}{% endfilter %}",
    "# Heading {{ v }} #\n\n{{ v }}{: .cls }\n\nText {: title=\"{{ v }}\" }",
    "{{ v }}  \nhard break before, {{ v }}\\\nand after",
    "Notes\n\n{{ v }}: a value then a colon\n\n{{ v }}\n\nNotes: {{ v }} in the notes, `{{ v }}`",
    "Layout: title\n\n# {{ v }}\n\n{{ v }}",
    "A footnote[^1] and {{ v }}\n\n[^1]: About {{ v }}",
    '{{ referral_chart() }}\n\n{{ v }} month by month',
]

# Values with every character Markdown, HTML or the deck's own lines read
VALUES = [
    "Alder Falls Family Medicine", "Summit Foot & Ankle", "St. Mary's (North) Clinic",
    "Dr. Ana Reyes; Mara Quist, NP and Dr. Li Wu", "36 patients", "12", "1984", "3.5", "0",
    "Ana <b>Reyes</b>", "a > b", 'He said "hi"', "back\\slash", "under_score", "star*ry",
    "tick`ed", "pipe | cell", "Notes", "Notes: hidden", "Layout: closing", "Layout",
    "tab\there", "no\u00a0break", "two  spaces", " leading", "trailing ", "", "-", "#1",
    "x", "É", "café", "Zoë 2", "A&amp;B", "&#58;", "[link](x)", "*[HTML]", "~~~", "===",
    "new\nline", "ends with #", "+++", "1.", "1)", "Z\ue0000\ue001Z",
]


def compiled(source: str) -> tuple[list, list]:
    deck = Deck("d", "content/presentations/d.md", None, [Slide(source, 5)])
    shape, errors = deck_stage.compile_deck(deck_stage.make_env("shape"), deck)
    html, _ = deck_stage.compile_deck(deck_stage.make_env("html"), deck)
    assert not errors
    return shape, html


class Convert:
    """MarkdownRenderer.slide, each distinct text once (as the deck pages' ``convert``)."""

    def __init__(self):
        self.md, self.memo, self.texts = MarkdownRenderer(), {}, []

    def __call__(self, text: str) -> str:
        if text not in self.memo:
            self.texts.append(text)
            self.memo[text] = self.md.slide(text)
        return self.memo[text]


def both(source: str, context: dict, convert: Convert | None = None, index: int = 0
         ) -> tuple[dict, dict]:
    """(the slide as shared_html makes it, as render_html makes it from its Markdown)."""
    shape, html = compiled(source)
    convert = convert or Convert()
    note = MarkdownRenderer().speaker_note
    dress = deck_stage.Dress(chart="<svg></svg>")
    markdown, values = deck_stage.render_shaped(shape, html, context)
    real = deck_stage.render_markdown(html, context)
    assert markdown == real if values is None else \
        [deck_stage.real_text(md, values) for md in markdown] == real
    got = deck_stage.shared_html(convert, note, [""] * index + markdown, values, dress)[index]
    want = deck_stage.render_html(Convert(), note, [""] * index + real, dress)[index]
    return got, want


@pytest.mark.parametrize("source", SLIDES)
@pytest.mark.parametrize("index", [0, 1])
def test_a_shared_slide_is_the_slide_its_markdown_makes(source, index):
    for value in VALUES:
        got, want = both(source, {"v": value}, index=index)
        assert got == want, (source, value)


def test_random_values_make_the_same_slides():
    rng = random.Random(16)
    alphabet = "aZ09 .,;:!?'\"()[]{}<>&#*_`~|\\/-+=^%$@\t\n\u00a0éß—"
    for _ in range(400):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
        if rng.random() < 0.5:  # most values start and end with a letter or a digit
            value = rng.choice("Ab7") + value + rng.choice("yZ3")
        source = rng.choice(SLIDES)
        got, want = both(source, {"v": value})
        assert got == want, (source, value)


def test_practices_with_plain_values_share_one_conversion():
    """Two practices' slide converts once: the Markdown with tokens is the same text."""
    source = ("# Vein care at {{ site }}\n\nPrepared for **{{ practice }}**, who sent us "
              "{{ n }} patients.\n\nNotes: Thank {{ practice }}.")
    convert = Convert()
    for practice, n in (("Alder Falls Family Medicine", 36), ("Summit Foot & Ankle", 1284)):
        got, want = both(source, {"site": "Cascade Vein & Vascular", "practice": practice,
                                  "n": n}, convert)
        assert got == want and practice.replace("&", "&amp;") in got["html"]
    assert len(convert.texts) == 1 and "\ue000" in convert.texts[0]


@pytest.mark.parametrize("source, value", [
    ("[a](https://x.example/{{ v }})", "page"),  # in an address
    ("`{{ v }}`", "dotted.name"),  # in code, where escapes show
    ("{{ v }}. first", "12"),  # a number opening a line: with ". ", a list
    ("{{ v }}: notes\n\nNotes: x", "Notes"),  # a value that makes a "Notes:" line
])
def test_where_a_value_means_more_than_its_text_the_slide_converts_with_it(source, value):
    got, want = both(source, {"v": value})
    assert got == want
    shape, html = compiled(source)
    markdown, values = deck_stage.render_shaped(shape, html, {"v": value})
    slide = deck_stage.slide_html(0, markdown[0], Convert(), MarkdownRenderer().speaker_note,
                                  deck_stage.Dress())
    assert not deck_stage.shared(markdown[0], values) or \
        deck_stage.placed(slide["html"], values) is None  # (then converted with the value)


def test_a_value_that_is_not_plain_text_takes_no_token():
    shape, html = compiled("{{ a }} {{ b }} {{ c }} {{ d }} {{ e }}")
    markdown, values = deck_stage.render_shaped(
        shape, html, {"a": "Plain Name", "b": "(555) 010-0100", "c": "two\nlines", "d": "",
                      "e": 42})
    assert values == ["Plain Name", "42"]
    assert markdown[0].startswith("Z\ue0000\ue001Z \\(555\\) 010\\-0100 two\nlines  Z\ue0001")


def test_a_shared_slides_layout_and_notes_are_made_once_for_every_practice():
    """With a memo (the deck pages'), a slide with tokens is laid out and its notes converted
    once, whatever the practice: each practice's deck gets the slide it gets without the memo,
    its own referral chart in it."""
    source = ("Layout: two-column\n\n## {{ practice }}\n\n{{ referral_chart() }}\n\n+++\n\n"
              "Sent us {{ n }} patients\n\nNotes: Thank {{ practice }}.")
    shape, html = compiled(source)
    md = MarkdownRenderer()
    notes_made = []

    def note(text: str) -> str:
        notes_made.append(text)
        return md.speaker_note(text)

    memo, convert = {}, Convert()
    for k, (practice, n) in enumerate((("Alder Falls Family Medicine", 36),
                                       ("Summit Foot & Ankle", 1284), ("Birch Row Clinic", 7))):
        context = {"practice": practice, "n": n}
        markdown, values = deck_stage.render_shaped(shape, html, context)
        dress = deck_stage.Dress(chart=f"<svg>{k}</svg>", media="../_media/")
        got = deck_stage.shared_html(convert, note, markdown, values, dress, memo)
        want = deck_stage.render_html(Convert(), md.speaker_note,
                                      deck_stage.render_markdown(html, context), dress)
        assert got == want and f"<svg>{k}</svg>" in got[0]["html"]
        assert practice.replace("&", "&amp;") in got[0]["html"]
    assert len(memo) == 1 and len(notes_made) == 1 and len(convert.texts) == 3  # title, 2 columns
    # another dress (the logo's address) is another slide
    deck_stage.shared_html(convert, note, markdown, values,
                           deck_stage.Dress(logo="../../assets/logo.png"), memo)
    assert len(memo) == 2
