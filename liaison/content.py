"""Markdown content files: front matter, training guides and deck sources (SPEC §6)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from liaison.models import DeckMeta, GuideMeta

_FENCE = re.compile(r"^---[ \t]*$")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$")


class FrontMatterError(Exception):
    def __init__(self, message: str, line: int = 1, col: int = 1):
        super().__init__(message)
        self.message, self.line, self.col = message, line, col


@dataclass(frozen=True)
class FrontMatter:
    yaml_text: str
    line_offset: int  # file line of the YAML text's line 1, minus one
    body: str
    body_line: int  # file line where the body starts


def split_front_matter(text: str) -> FrontMatter:
    """'---\\nYAML\\n---\\nbody' -> its parts, or FrontMatterError. CRLF line ends (Windows,
    git's core.autocrlf) are read as LF: the same guide or deck, whichever way it was saved
    (its body kept them, and ``changes`` said it changed when only they had)."""
    lines = text.replace("\r\n", "\n").split("\n")
    if not lines or not _FENCE.match(lines[0].rstrip("\r")):
        first = lines[0].split("\r", 1)
        if len(first) > 1 and _FENCE.match(first[0]) and first[1]:
            raise FrontMatterError(
                "the file's lines end in a carriage return alone (CR, as old Mac programs "
                "saved text): save it with LF or CRLF line ends")
        raise FrontMatterError(
            "missing front matter: the file must start with a line '---', the YAML "
            "front matter (title: …), and another line '---'"
        )
    for i in range(1, len(lines)):
        if _CLOSE.match(lines[i].rstrip("\r")):
            return FrontMatter(
                "\n".join(lines[1:i]), 1, "\n".join(lines[i + 1 :]), i + 2
            )
    raise FrontMatterError("the front matter is not closed: add a line '---' after it")


@dataclass
class Guide:
    """A training guide: content/training/<id>.md."""

    id: str
    path: str
    meta: GuideMeta
    body: str
    body_line: int


@dataclass
class Slide:
    source: str  # Jinja template text of the slide
    line: int  # file line of the slide's first line


@dataclass
class Deck:
    """A presentation deck: content/presentations/<id>.md."""

    id: str
    path: str
    meta: DeckMeta
    slides: list[Slide] = field(default_factory=list)


_CODE_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")


def _fenced(fence: str, line: str) -> tuple[str, bool]:
    """(the fence left open after ``line``, given the one open before it; whether ``line`` is
    fenced code: its opening or closing line, or a line inside). CommonMark: three or more
    backticks or tildes, closed by a line of at least as many of the same mark."""
    m = _CODE_FENCE.match(line)
    if fence:
        closes = m is not None and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) \
            and not line[m.end():].strip()
        return ("" if closes else fence), True
    if m and not (m.group(1)[0] == "`" and "`" in line[m.end():]):  # (``` a `b` ``` is code)
        return m.group(1), True
    return "", False


# An inline code span: a run of backticks, its text, the same run again (CommonMark)
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")


def prose_lines(markdown: str):
    """(offset, line) of each line of ``markdown`` that is not fenced code, its code spans
    blanked (so columns stay): where an image or a link of the text may stand, not an example
    of one shown as code."""
    fence = ""
    for k, line in enumerate(markdown.split("\n")):
        fence, code = _fenced(fence, line)
        if not code:
            yield k, (_CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line) if "`" in line else line)


def outside_code(markdown: str, sub) -> str:
    """``markdown`` with ``sub`` (text -> text) applied to what is not code: not fenced code,
    not a code span. A page's own images and links are rewritten; an example shown as code
    stays as it is written."""
    if "`" not in markdown and "~~~" not in markdown:
        return sub(markdown)
    out, prose, fence = [], [], ""

    def flush():  # the prose since the last code, lines together (an <img> may span them)
        if prose:
            out.append(sub("".join(prose)))
            prose.clear()

    for line in markdown.split("\n"):
        fence, code = _fenced(fence, line)
        if code:
            flush()
            out.append(line + "\n")
            continue
        last = 0
        for m in _CODE_SPAN.finditer(line):
            prose.append(line[last:m.start()])
            flush()
            out.append(m.group(0))
            last = m.end()
        prose.append(line[last:] + "\n")
    flush()
    return "".join(out)[:-1]


def split_slides(body: str, body_line: int) -> list[Slide]:
    """Slides are separated by lines holding only '---' (not inside a fenced code block,
    which may show a YAML file's own '---'; a fence never closed is no code block, as
    Python-Markdown reads it, so a stray one does not swallow the slides after it); empty
    slides are dropped."""
    slides: list[Slide] = []
    start, buf = body_line, []
    lines = body.split("\n")
    code = [False] * len(lines)
    fence, opened = "", 0
    for i, line in enumerate(lines):
        was = fence
        fence, code[i] = _fenced(fence, line)
        if fence and not was:
            opened = i
        elif was and not fence:  # closed: the block's lines are code
            code[opened:i + 1] = [True] * (i + 1 - opened)
    if fence:  # never closed: not code
        code[opened:] = [False] * (len(lines) - opened)
    for n, line in enumerate(lines, start=body_line):
        if code[n - body_line]:
            buf.append(line)
        elif line.strip() == "---":
            slides.append(Slide("\n".join(buf), start))
            start, buf = n + 1, []
        else:
            buf.append(line)
    slides.append(Slide("\n".join(buf), start))
    return [s for s in slides if s.source.strip()]


# --------------------------------------------------------------------------- Markdown

import re as _re  # noqa: E402

from markupsafe import Markup  # noqa: E402

# Python-Markdown and nh3 are imported where they are used: validate and stats never need them.

_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt",
    "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark",
    "ol", "p", "pre", "s", "small", "span", "strong", "sub", "summary", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},  # a list going on from the slide or paragraph before: "6."
    "th": {"align"},
    "td": {"align"},
    "div": {"class"},
    "p": {"class"},
    "span": {"class"},
    "code": {"class"},
}
# A whole document (a guide: one per page) keeps its headings' ids (its contents and links to
# its parts lead there) and its footnotes' anchors, Python-Markdown's ``fnref:1`` on the
# reference and ``fn:1`` on the note, so that the number and the note's "↩" lead to each
# other; nothing else keeps an id (a record's notes and a deck's slides, many on a page,
# would repeat them, or take the page's own: ``<h2 id="main">``).
_DOCUMENT_ATTRIBUTES = {**_ALLOWED_ATTRIBUTES, "sup": {"id"}, "li": {"id"},
                        **{f"h{n}": {"id"} for n in range(1, 7)}}
_FOOTNOTE_ID = _re.compile(r"fn(?:ref\d*)?:[\w.-]+")
_REMOTE = _re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:|//)", _re.I)


# The ids base.html gives every page: a guide's heading never takes one (``github_slugs``;
# one written in HTML loses it), or the page would hold two elements of that id.
PAGE_IDS = frozenset({"main", "topsearch-q"})


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    # Nothing is loaded from another host: an image must be a path inside the site.
    if tag == "img" and attr == "src" and _REMOTE.match(value):
        return None
    if attr == "id" and tag in ("sup", "li") and not _FOOTNOTE_ID.fullmatch(value):
        return None
    if attr == "id" and value in PAGE_IDS:
        return None
    return value


_CLEANERS: dict[tuple[bool, bool], object] = {}
# What HTML allows in no text (a parse error, "invalid codepoint"): the controls but tab, line
# break, form feed and carriage return, and the noncharacters. A guide's or a deck's text
# pasted from PowerPoint (its line break is a vertical tab) or a PDF holds them; dropped, as
# the .pptx drops them (a record's text cannot hold them: SPEC §2).
_NOT_IN_HTML = _re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]")


def forbidden_characters(markdown: str):
    """(line offset, column, warning) for each character of a Markdown file's text that the
    pages drop (``_NOT_IN_HTML``), so that validate names it at its place."""
    for k, line in enumerate(markdown.split("\n")):
        for m in _NOT_IN_HTML.finditer(line):
            char = m.group()
            what = "a noncharacter" if char >= "\ufdd0" else "a control character"
            pasted = ", a line break as PowerPoint copies it" if char == "\x0b" else ""
            yield k, m.start() + 1, (f"{what} (U+{ord(char):04X}{pasted}) that HTML allows in no "
                                     "text: left out of the page and the .pptx; delete it")


def sanitize(html: str, images: bool = True, footnotes: bool = False) -> str:
    """Allow-list sanitizing (nh3, the Rust 'ammonia' library): no script, no event handler,
    no javascript: URL survives; links get rel="noopener noreferrer". Record notes take no
    images (``images=False``); documents may show images stored in the site, and only a whole
    document keeps ids, its headings' and its footnotes' anchors (``footnotes=True``). One cleaner per kind is made
    once per process (making it costs five times what cleaning a note does)."""
    cleaner = _CLEANERS.get((images, footnotes))
    if cleaner is None:
        import nh3

        cleaner = _CLEANERS[(images, footnotes)] = nh3.Cleaner(
            tags=_ALLOWED_TAGS if images else _ALLOWED_TAGS - {"img"},
            attributes=_DOCUMENT_ATTRIBUTES if footnotes else _ALLOWED_ATTRIBUTES,
            url_schemes={"http", "https", "mailto", "tel"},
            attribute_filter=_attribute_filter,
            link_rel="noopener noreferrer",
        )
    return _NOT_IN_HTML.sub("", cleaner.clean(html))


_GFM: list = []  # cmark-gfm's module, options and GitHub's extensions, found once (``gfm``)
GFM_EXTENSIONS = ("table", "autolink", "tagfilter", "strikethrough", "tasklist")


def gfm(text: str) -> str:
    """GitHub Flavored Markdown -> HTML, not sanitized yet (cmark-gfm, the C library GitHub
    renders Markdown with: tables, strikethrough, task lists, links made of bare addresses,
    footnotes). Raw HTML is kept for ``sanitize`` to judge, as Python-Markdown keeps it.
    What ``cmarkgfm.github_flavored_markdown_to_html`` does, with its extensions looked up
    once per process instead of for every text (12 of its 21 µs for a note of 120
    characters)."""
    if not _GFM:
        from cmarkgfm import cmark
        from cmarkgfm.cmark import Options

        cmark.core_extensions_ensure_registered()
        _GFM.extend((cmark, Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_FOOTNOTES
                     | Options.CMARK_OPT_GITHUB_PRE_LANG,
                     tuple(map(cmark.find_syntax_extension, GFM_EXTENSIONS))))
    cmark, options, extensions = _GFM
    parser = cmark.parser_new(options=options)
    try:
        for extension in extensions:
            cmark.parser_attach_syntax_extension(parser, extension)
        cmark.parser_feed(parser, text)
        root = cmark.parser_finish(parser)
        html = cmark.render_html(root, options=options,
                                 extensions=cmark.parser_get_syntax_extensions(parser))
    finally:
        cmark.parser_free(parser)
    return html[:-1] if html.endswith("\n") else html


_NOTHING = Markup("")  # an empty field's HTML (Markup is immutable: one for all)

# Task lists ("- [ ] call back", "- [x] done") as ballot boxes, a glyph and no form control:
# the sanitizer allows no <input>, so cmark-gfm's checkboxes were dropped and Python-Markdown
# (which has no task lists) left "[ ]" as text. Only these exact forms become a glyph, in
# text the sanitizer has judged (documents) or about to judge (cmark-gfm's own output).
TASK_OPEN, TASK_DONE = "\u2610", "\u2611"  # ☐ ☑
_GFM_TASKS = (('<input type="checkbox" disabled="" />', TASK_OPEN),
              ('<input type="checkbox" checked="" disabled="" />', TASK_DONE))
_MD_TASK = _re.compile(r"(<li>(?:\n?<p>)?)\[([ xX])\](?=\s)")


def gfm_tasks(html: str) -> str:
    """cmark-gfm's task list checkboxes as ballot boxes (before sanitizing)."""
    if "checkbox" in html:
        for box, glyph in _GFM_TASKS:
            html = html.replace(box, glyph)
    return html


def document_tasks(html: str) -> str:
    """A list item that starts with "[ ]" or "[x]" (Python-Markdown's output, sanitized) with
    a ballot box instead."""
    if "[" not in html:
        return html
    return _MD_TASK.sub(lambda m: m.group(1) + (TASK_OPEN if m.group(2) == " " else TASK_DONE),
                        html)


def github_slugs():
    """A table of contents' ``slugify`` for one document: its headings get the ids GitHub gives
    them in its view of the file (github-slugger: lower case, every character but letters,
    digits, "_", "-" and spaces left out, each space a "-", a repeated heading "-1", "-2"), so
    that a link to a guide's part copied from GitHub (``other.md#intake--scheduling``) lands
    on it in the site too. Python-Markdown's own drops accents, collapses "-" and spaces and
    counts "_1". A heading that would take an id of the page around it (``PAGE_IDS``:
    "## Main") is numbered as a second one would be ("main-1")."""
    seen: dict[str, int] = dict.fromkeys(PAGE_IDS, 0)

    def slugify(value: str, separator: str) -> str:
        base = slug = re.sub(r"[^\w\- ]", "", value.lower()).replace(" ", "-")
        while slug in seen:
            seen[base] += 1
            slug = f"{base}-{seen[base]}"
        seen[slug] = 0
        return slug

    return slugify


# A Markdown link to another guide's file, as GitHub follows it: [text](other-guide.md#part)
GUIDE_LINK = re.compile(r'(?<![\\!])\[(?P<text>[^\]]*)\]\(\s*<?(?:\./)?(?P<id>[a-z0-9][a-z0-9-]*)\.md'
                        r'(?P<part>#[^)\s>]*)?>?(?P<title>\s+"[^"]*")?\s*\)')
# A Markdown link, not an image: [text](dest), [text](<dest with spaces> "title"): ``dest`` as
# written (the shape of decks._IMAGE)
LINK = re.compile(r'(?<![\\!])\[(?P<text>[^\]]*)\]\(\s*(?P<lt><)?(?P<dest>(?(lt)[^<>\n]*|[^)\s>]*))(?(lt)>)'
                  r'(?:\s+"[^"]*")?\s*\)')


# A link reference definition, as GitHub reads it: [label]: dest, [label]: <dest> "title", which
# [text][label] and [label] use (not a footnote's [^1]: text); ``dest`` as written
REFERENCE = re.compile(r'^ {0,3}\[(?!\^)(?P<label>[^\]]+)\]:[ \t]*(?P<lt><)?(?P<dest>(?(lt)[^<>\n]*|[^\s<>]+))(?(lt)>)'
                       r'(?P<title>[ \t]+(?:"[^"\n]*"|\'[^\'\n]*\'|\([^)\n]*\)))?[ \t]*$', re.M)
# A guide's file as a link's destination: other-guide.md, ./other-guide.md#part
GUIDE_FILE = re.compile(r"(?:\./)?(?P<id>[a-z0-9][a-z0-9-]*)\.md(?P<part>#\S*)?")


def links(line: str):
    """(column, destination) of each link of one line of Markdown prose, inline
    ([text](dest)) and by reference ([label]: dest, where [text][label] takes it from)."""
    out = [(m.start() + 1, m.group("dest").strip()) for m in LINK.finditer(line)]
    m = REFERENCE.match(line)
    return out + [(m.start("label"), m.group("dest").strip())] if m else out


# A picture by reference: ![alt][label], ![label][] or ![label], whose address a definition gives
_IMAGE_BY_REFERENCE = re.compile(r'(?<!\\)!\[(?P<alt>[^\]]*)\](?:\[(?P<label>[^\]]*)\])?(?!\()')


def pictures_by_reference(markdown: str) -> set[str]:
    """The labels (lower case) that a picture of ``markdown`` (not in code) takes its address
    from: ``![The desk][desk]`` with ``[desk]: images/desk.png``."""
    return {(m.group("label") or m.group("alt")).strip().lower() for _k, line in prose_lines(markdown)
            for m in _IMAGE_BY_REFERENCE.finditer(line)}


def repository_links(markdown: str):
    """(line offset, column, destination) of each link of a Markdown text (not in code, inline
    or a reference's definition) to a
    file or folder of the repository (``../training/primer.md``, ``handouts/form.pdf``): a
    relative destination that is no place on the page (``#part``) and no page (``….html``).
    GitHub follows such a link to the file; the built site does not have it."""
    for k, line in prose_lines(markdown):
        for col, dest in links(line):
            if dest and not dest.startswith(("#", "/")) and not _REMOTE.match(dest) \
                    and not dest.split("#", 1)[0].split("?", 1)[0].endswith(".html"):
                yield k, col, dest


def root_links(markdown: str):
    """(line offset, column, destination) of each link of a Markdown text (not in code) to an
    address from the server's root (``/referrals/index.html``; not ``//host/…``, another
    host's): it leads nowhere from a site opened from disk or served under a folder."""
    for k, line in prose_lines(markdown):
        for col, dest in links(line):
            if dest.startswith("/") and not dest.startswith("//"):
                yield k, col, dest


# Link text that says nothing of where the link goes, read alone (a screen reader's list of
# links, PowerPoint's Accessibility Checker): "click here", "more"
VAGUE_LINK_TEXT = frozenset({"", "here", "click here", "click", "this", "this link", "link", "more", "read more",
                             "learn more", "see more", "go", "this page", "see here", "click this link"})


def vague_links(markdown: str):
    """(line offset, column, text) of each inline link of a Markdown text (not in code) whose
    text is one of ``VAGUE_LINK_TEXT`` (``[click here](https://…)``), letter case, spaces,
    emphasis and end punctuation aside."""
    for k, line in prose_lines(markdown):
        for m in LINK.finditer(line):
            text = m.group("text")
            if " ".join(re.sub(r"[*_`]", "", text).split()).strip(" .:!").casefold() in VAGUE_LINK_TEXT:
                yield k, m.start() + 1, text


_LIST_ITEM = re.compile(r"( {0,3}|[ \t]*)([-*+]|\d{1,9}[.)])(?=[ \t]|$)")


def nest_lists(text: str) -> str:
    """``text`` with its nested lists indented as Python-Markdown reads them: four spaces a
    level. A list item indented more than the one above it is nested in it, as GitHub (and
    the ``.pptx``'s reader, liaison.pptx.markdown) reads it ("- one" then "  - a", or "1. x"
    then "   - y"), where Python-Markdown, which nests by four spaces, showed it flat; an
    indented paragraph of an item goes with it. Fenced code is left as it is."""
    if "\n " not in text and "\n\t" not in text:  # (nothing indented: nothing to do)
        return text
    lines = text.split("\n")
    out, stack, fence, blank = [], [], "", False
    loose = False  # in an item's paragraph that follows a blank line
    for line in lines:
        was = fence
        fence, code = _fenced(fence, line)
        if code:
            if not was:  # (a fence at the margin ends the list)
                stack = []
            out.append(line)
            continue
        if not line.strip():
            blank = True
            out.append(line)
            continue
        item = _LIST_ITEM.match(line)
        indent = len(line) - len(line.lstrip(" \t")) if item is None else len(item.group(1).expandtabs(4))
        if item is not None and (stack or indent <= 3):
            while stack and indent < stack[-1]:
                stack.pop()
            if not stack or indent > stack[-1]:
                stack.append(indent)
            if loose and not blank:  # an item ends the paragraph (Python-Markdown: a blank line)
                out.append("")
            loose = False
            out.append(" " * (4 * (len(stack) - 1)) + line[item.end(1):])
        elif stack and indent > 0 and not (blank and indent <= stack[0]):
            if blank:  # a paragraph of the item whose marker it is indented past
                while indent <= stack[-1]:
                    stack.pop()
                loose = True
            out.append(" " * (4 * len(stack)) + line.lstrip(" \t"))  # (or a line continued)
        else:
            if blank:  # a paragraph at the margin after a blank line ends the list
                stack, loose = [], False
            out.append(line)
        blank = False
    return "\n".join(out)


_HEADING_TAG = _re.compile(r"<(/?)h([1-6])\b")


def _below_the_page(html: str) -> str:
    """A record's note shows inside a page's sections, under their h2 and h3 (a brief's
    "Notes"): its ``#`` heading is an h4, ``##`` an h5, the others h6, so that a note's
    "## Parking" does not stand in the page's outline beside its sections."""
    if "<h" not in html:
        return html
    return _HEADING_TAG.sub(lambda m: f"<{m[1]}h{min(int(m[2]) + 3, 6)}", html)


class MarkdownRenderer:
    """Markdown -> sanitized HTML, each distinct text rendered once. A record's Markdown
    fields (notes, descriptions: one per record, each mostly its own text) are GitHub Flavored
    Markdown, rendered by cmark-gfm in 0.03 ms where Python-Markdown took 0.4 ms; Markdown
    files (training guides, decks and their speaker notes) are rendered by Python-Markdown
    with its extensions (admonitions, a table of contents, abbreviations, definition lists,
    attributes)."""

    SLIDE_EXTENSIONS = ("extra", "sane_lists")
    DOCUMENT_EXTENSIONS = ("extra", "sane_lists", "admonition", "toc")

    def __init__(self):
        import markdown

        self._markdown = markdown
        self._slide = None
        self.memo: dict[str, str] = {}
        self.slide_memo: dict[str, str] = {}

    def note(self, text: str | None) -> Markup:
        """A Markdown field of a record (notes, descriptions), as safe HTML for templates; its
        headings three levels down (``_below_the_page``)."""
        if not text:
            return _NOTHING
        html = self.memo.get(text)
        if html is None:
            html = self.memo[text] = Markup(sanitize(_below_the_page(gfm_tasks(gfm(text))),
                                                     images=False))
        return html

    def slide(self, text: str, images: bool = True) -> str:
        """Slide Markdown (a deck is a Markdown file: Python-Markdown) -> sanitized HTML."""
        if not text.strip():
            return ""
        if self._slide is None:  # made when a deck first needs it
            self._slide = self._markdown.Markdown(extensions=list(self.SLIDE_EXTENSIONS))
        from liaison.pptx.markdown import as_read_here  # lists and tables as the .pptx reads them

        return sanitize(self._slide.reset().convert(as_read_here(text)), images=images)

    def speaker_note(self, text: str | None) -> Markup:
        """A deck slide's speaker notes (as the slide itself; no image), each text once."""
        if not text:
            return _NOTHING
        html = self.slide_memo.get(text)
        if html is None:
            html = self.slide_memo[text] = Markup(self.slide(text, images=False))
        return html

    def document(self, text: str) -> tuple[str, list[dict]]:
        """A whole document (a training guide): (HTML, table of contents tokens)."""
        md = self._markdown.Markdown(
            extensions=list(self.DOCUMENT_EXTENSIONS),
            # a column's alignment (|:--|--:|) as the align attribute that the sanitizer keeps
            # (Python-Markdown writes a style attribute by default, which it drops)
            extension_configs={"toc": {"permalink": False, "toc_depth": "2-3",
                                       "slugify": github_slugs()},
                               "extra": {"tables": {"use_align_attribute": True}}},
        )
        html = Markup(document_tasks(sanitize(md.convert(nest_lists(text)), footnotes=True)))
        return html, md.toc_tokens
