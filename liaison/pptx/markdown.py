"""Slide Markdown -> the content of a .pptx slide: a title, blocks (paragraphs, lists,
tables, code) of plain-text runs (bold and italic kept), and the speaker notes. HTML tags in a
slide are taken out as the HTML deck's sanitizer takes them out: their text is kept (bold in
``<b>``/``<strong>``, italic in ``<i>``/``<em>``), a script or style goes with its content;
nothing is interpreted."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.entities import html5

from liaison.content import _fenced
from liaison.decks import _IMAGE, CHART_MARK, COLUMN_BREAK, split_layout, split_notes

# --------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class Block:
    """One block of a slide body.

    ``kind`` is "paragraph" (``text``), "bullets" (``items``: (level, text) pairs, level 0 the
    outermost), "table" (``items``: rows of cell texts, the first row the header; ``runs`` the
    same rows of each cell's runs), "image"
    (``text`` its alt text, ``items`` its path beneath content/presentations/), "chart" (the
    practice's referral chart) or "break" (where a two-column slide's second column starts).
    ``ordered`` (bullets only) says per item whether it is numbered, ``numbers`` the number
    written on it (None for a bullet; a list's first number is where it starts, "6." on a
    slide that goes on from the one before); ``runs`` keeps the bold and italic spans for the
    writer. None takes part in comparisons.
    """
    kind: str
    text: str = ""
    items: tuple = ()
    ordered: tuple = field(default=(), compare=False, repr=False)
    runs: tuple = field(default=(), compare=False, repr=False)
    numbers: tuple = field(default=(), compare=False, repr=False)


def list_numbers(b: Block) -> list:
    """Each item of a "bullets" block: (its number, the number its list starts at) as the HTML
    deck shows it (a numbered list counts on from its first item's number, whatever the
    others say), None for a bullet."""
    ordered = b.ordered if len(b.ordered) == len(b.items) else (False,) * len(b.items)
    written = b.numbers if len(b.numbers) == len(b.items) else (1,) * len(b.items)
    runs: dict[int, tuple[int, int]] = {}  # level -> (last number, start) of the list there
    out = []
    for (lvl, _), numbered, first in zip(b.items, ordered, written):
        runs = {k: v for k, v in runs.items() if k < lvl or (k == lvl and numbered)}
        if not numbered:
            out.append(None)
            continue
        last, start = runs.get(lvl, (None, None))
        runs[lvl] = (last + 1, start) if last is not None else (first if first is not None else 1,) * 2
        out.append(runs[lvl])
    return out


@dataclass(frozen=True)
class SlideContent:
    title: str
    blocks: tuple
    notes: str
    layout: str | None = None  # what its "Layout:" line asks for; None: decided by its place

    def layout_at(self, index: int) -> str:
        """The layout the slide takes as the deck's slide ``index`` (0 the first): its own, or
        the title slide for a first slide of a title and paragraphs, or a content slide."""
        if self.layout:
            return self.layout
        if index == 0 and self.title and all(b.kind == "paragraph" for b in self.blocks):
            return "title"
        return "content"


def layout_of(index: int, markdown: str) -> str:
    """The layout of a rendered slide at ``index`` of its deck (the one rule for both outputs:
    ``SlideContent.layout_at``; only a first slide without a "Layout:" line is parsed)."""
    asked = split_layout(markdown)[0]
    if asked or index:
        return asked or "content"
    return slide_content(markdown).layout_at(index)


# A run of text: (text, bold, italic, code), and (text, bold, italic, code, address) in a link.
Run = tuple


# --------------------------------------------------------------------------- inline Markdown

# A link's or an image's destination in parentheses, which may hold balanced ones
# ("https://en.example/wiki/Vein_(anatomy)").
_DEST = r"\((?:[^()]|\([^()]*\))*\)"
_SPACES = re.compile(r" {2,}")
_INLINE = re.compile(
    r"(?P<esc>\\[!-/:-@\[-`{-~])"
    r"|(?P<code>(?P<ticks>`+)(?P<codetext>.+?)(?P=ticks))"
    r"|(?P<ent>&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});)"
    rf"|(?P<img>!\[(?P<alt>[^\]]*)\]{_DEST})"
    rf"|(?P<link>\[(?P<ltext>[^\]]*)\]{_DEST})"
    r"|(?P<hdrop>(?i:<(?P<dtag>script|style)\b[^>]*>.*?</(?P=dtag)\s*>))"
    r"|(?P<hstrong>(?i:<(?P<btag>b|strong)>(?P<htext>.*?)</(?P=btag)\s*>))"
    r"|(?P<hem>(?i:<(?P<itag>i|em)>(?P<hitext>.*?)</(?P=itag)\s*>))"
    r"|(?P<tag></?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>|<!--.*?-->)"
    r"|(?P<auto><(?P<url>(?:https?|ftp|mailto):[^>\s]+)>)"
    r"|(?P<strong>\*\*(?=\S)(?P<stext>.+?)(?<=\S)\*\*|(?<![\w_])__(?=\S)(?P<stext2>.+?)(?<=\S)__(?![\w_]))"
    r"|(?P<em>\*(?=[^\s*])(?P<etext>.+?)(?<=[^\s*])\*|(?<![\w_])_(?=\S)(?P<etext2>.+?)(?<=\S)_(?![\w_]))"
)
# "~~struck~~" is not read: the HTML deck (Python-Markdown) shows its tildes, and so does the
# .pptx, rather than the struck words as if they stood


# The links a .pptx can follow: to an address of the web, a mail or a phone call, as the HTML
# deck's sanitizer allows them (a relative link leads nowhere from a .pptx: its text alone)
_LINK_TARGET = re.compile(r"(?i:https?://|mailto:|tel:)\S+")


def _link_target(dest: str) -> str | None:
    """A link's destination (``https://x.example "its title"``, ``<https://x.example>``) ->
    its address, when a .pptx can follow it; else None."""
    dest = dest.strip()
    url = dest[1:dest.find(">")] if dest.startswith("<") and ">" in dest else (dest.split() or [""])[0]
    url = html.unescape(url)
    return url if _LINK_TARGET.fullmatch(url) else None


def _inline(text: str, bold: bool = False, italic: bool = False) -> list[Run]:
    """Inline Markdown -> runs of plain text with their bold/italic/code flags, and the
    address a run links to as a fifth item (a link's text that a .pptx can follow)."""
    out: list[Run] = []
    pos = 0
    dropped = False  # an HTML tag taken out: the spaces around it read as one, as in HTML
    for m in _INLINE.finditer(text):
        if m.start() > pos:
            out.append((text[pos:m.start()], bold, italic, False))
        pos = m.end()
        if m.group("esc"):
            out.append((m.group("esc")[1], bold, italic, False))
        elif m.group("code"):
            out.append((m.group("codetext").strip() or m.group("codetext"), bold, italic, True))
        elif m.group("ent"):  # "&lt;", "&amp;", "&copy;" read as the browser shows them
            ent = m.group("ent")  # a name HTML does not know stays as written ("&notanentity;")
            text_of = html.unescape(ent) if ent[1] == "#" else html5.get(ent[1:], ent)
            out.append((text_of, bold, italic, False))
        elif m.group("img"):
            out.extend(_inline(m.group("alt"), bold, italic))
        elif m.group("link"):
            runs = _inline(m.group("ltext"), bold, italic)
            target = _link_target(m.group("link")[len(m.group("ltext")) + 3:-1])
            out.extend((r[:4] + (target,)) if target else r for r in runs)
        elif m.group("hdrop") or m.group("tag"):
            dropped = True
        elif m.group("hstrong"):
            out.extend(_inline(m.group("htext"), True, italic))
        elif m.group("hem"):
            out.extend(_inline(m.group("hitext"), bold, True))
        elif m.group("auto"):
            target = _link_target(m.group("url"))
            out.append((m.group("url"), bold, italic, False) + ((target,) if target else ()))
        elif m.group("strong"):
            out.extend(_inline(m.group("stext") or m.group("stext2") or "", True, italic))
        elif m.group("em"):
            out.extend(_inline(m.group("etext") or m.group("etext2") or "", bold, True))
        else:  # pragma: no cover - every alternative is named
            out.append((m.group(0), bold, italic, False))
    if pos < len(text):
        out.append((text[pos:], bold, italic, False))
    merged: list[Run] = []
    for r in out:
        if not r[0]:
            continue
        if merged and merged[-1][1:] == r[1:]:
            merged[-1] = (merged[-1][0] + r[0],) + r[1:]
        else:
            merged.append(r)
    if dropped:
        merged = [(_SPACES.sub(" ", r[0]),) + r[1:] if not r[3] else r for r in merged]
    return merged


def _plain(runs: list[Run] | tuple) -> str:
    return "".join(r[0] for r in runs)


# --------------------------------------------------------------------------- block Markdown

_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_ITEM = re.compile(r"^([ \t]*)([-*+]|\d{1,9}[.)])(?:[ \t]+(.*)|[ \t]*$)")
_HR = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_QUOTE = re.compile(r"^ {0,3}> ?")
_TABLE_SEP = re.compile(r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")


def _indent(s: str) -> int:
    return len(s.expandtabs(4))


def _is_table_start(lines: list[str], i: int) -> bool:
    """A header row with pipes, then a delimiter row (``|---|:--:|``)."""
    if i + 1 >= len(lines) or "|" not in lines[i]:
        return False
    sep = lines[i + 1]
    return bool(_TABLE_SEP.match(sep)) and ("|" in sep or lines[i].lstrip().startswith("|"))


def _cells(line: str) -> list[tuple]:
    """A table row's cells, each its runs (bold, italic and links kept)."""
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    return [tuple(_inline(c.strip().replace("\\|", "|"))) for c in _CELL_SPLIT.split(s)]


def _starts_block(lines: list[str], i: int) -> bool:
    line = lines[i]
    return bool(_HEADING.match(line) or _FENCE.match(line) or _HR.match(line)
                or _ITEM.match(line) or _is_table_start(lines, i))


def _join_lines(parts: list[str]) -> str:
    """Source lines of one paragraph -> its text: soft breaks are spaces, hard breaks
    (two trailing spaces or a backslash) are newlines."""
    out = ""
    for n, raw in enumerate(parts):
        hard = raw.endswith("  ") or raw.rstrip(" ").endswith("\\")
        text = raw.strip()
        if text.endswith("\\") and n < len(parts) - 1:
            text = text[:-1].rstrip()
        out += text
        if n < len(parts) - 1:
            out += "\n" if hard else " "
    return out


def _parse_blocks(markdown: str, want_title: bool) -> tuple[str, list[Block]]:
    lines = markdown.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    title = ""
    have_title = not want_title
    blocks: list[Block] = []
    i, n = 0, len(lines)

    def para(text: str, code: bool = False) -> Block:
        runs = ((text, False, False, True),) if code else tuple(_inline(text))
        return Block("paragraph", text=_plain(runs), runs=runs)

    while i < n:
        line = lines[i]
        if line.strip() == COLUMN_BREAK:
            blocks.append(Block("break"))
            i += 1
            continue
        if line.strip() == CHART_MARK:
            blocks.append(Block("chart"))
            i += 1
            continue
        m = _IMAGE.fullmatch(line.strip())
        if m and (i + 1 >= n or not lines[i + 1].strip()):
            alt = _plain(_inline(m.group("alt")))
            blocks.append(Block("image", text=alt, items=(m.group("src"),)))
            i += 1
            continue
        if not line.strip() or _HR.match(line):
            i += 1
            continue
        m = _FENCE.match(line)
        if m:
            fence, body = m.group(1), []
            i += 1
            while i < n and not lines[i].strip().startswith(fence):
                body.append(lines[i])
                i += 1
            i += 1
            text = "\n".join(body).strip("\n")
            if text.strip():
                blocks.append(para(text, code=True))
            continue
        m = _HEADING.match(line)
        if m:
            text = _plain(_inline((m.group(2) or "").strip()))
            if not have_title and len(m.group(1)) <= 3:
                title, have_title = text, True
            elif text:
                blocks.append(Block("paragraph", text=text, runs=((text, True, False, False),)))
            i += 1
            continue
        if _is_table_start(lines, i):
            rows = [_cells(line)]
            i += 2
            while i < n and lines[i].strip() and "|" in lines[i]:
                rows.append(_cells(lines[i]))
                i += 1
            width = len(rows[0])
            rows = [tuple((r + [()] * width)[:width]) for r in rows]
            blocks.append(Block("table", items=tuple(tuple(_plain(c) for c in r) for r in rows),
                                runs=tuple(rows)))
            continue
        if _ITEM.match(line):
            items: list[list] = []  # [level, source text parts, ordered]
            stack: list[int] = []
            while i < n:
                line = lines[i]
                m = _ITEM.match(line)
                if m and not _HR.match(line):
                    ind = _indent(m.group(1))
                    while stack and ind < stack[-1]:
                        stack.pop()
                    if not stack or ind > stack[-1]:
                        stack.append(ind)
                    items.append([len(stack) - 1, [m.group(3) or ""], m.group(2)[0].isdigit(),
                                  int(m.group(2)[:-1]) if m.group(2)[0].isdigit() else None])
                    i += 1
                    continue
                if not line.strip():
                    j = i + 1
                    while j < n and not lines[j].strip():
                        j += 1
                    if j < n and _ITEM.match(lines[j]) and not _HR.match(lines[j]):
                        i = j  # a loose list: blank lines between its items
                        continue
                    if j < n and items and lines[j][:1] in " \t" and not _starts_block(lines, j):
                        i = j  # an indented paragraph continues the last item
                        continue
                    break
                if _starts_block(lines, i) or _QUOTE.match(line):
                    break
                items[-1][1].append(line)  # continuation (lazy or indented)
                i += 1
            runs = tuple(tuple(_inline(_join_lines(parts))) for _, parts, _, _ in items)
            blocks.append(Block(
                "bullets",
                items=tuple((lvl, _plain(r)) for (lvl, _, _, _), r in zip(items, runs)),
                ordered=tuple(o for _, _, o, _ in items),
                runs=runs,
                numbers=tuple(num for _, _, _, num in items),
            ))
            continue
        # a paragraph (block quotes read as paragraphs)
        parts = []
        while i < n and lines[i].strip():
            if parts and _starts_block(lines, i):
                break
            parts.append(_QUOTE.sub("", lines[i]) if _QUOTE.match(lines[i]) else lines[i])
            i += 1
        text = _join_lines(parts)
        if text.strip():
            blocks.append(para(text))
    return title, blocks


def as_read_here(markdown: str) -> str:
    """Slide Markdown rewritten so that Python-Markdown (the HTML deck) reads its lists and
    tables as ``_parse_blocks`` (the .pptx) does, one syntax for both: a list or a table
    right under a line of text starts there (Python-Markdown wants a blank line before it,
    and showed "Intro: - a - b" as one paragraph), a list is nested by any indentation (two
    spaces, as on GitHub; Python-Markdown wants four per level, and flattened or garbled the
    others), and "1)" numbers an item as "1." does. Fenced code is left as it is."""
    if "\n" not in markdown.strip():
        return markdown
    lines = markdown.replace("\r\n", "\n").replace("\r", "\n").split("\n")  # as _parse_blocks
    out: list[str] = []
    i, n = 0, len(lines)
    in_list = False
    stack: list[int] = []  # indents of the list's open levels
    level = 0  # the last item's
    loose = False  # in a paragraph of the last item's own, after a blank line
    numbered = None  # whether the list's last outermost item is numbered
    while i < n:
        line = lines[i]
        fence, code = _fenced("", line)
        if code:  # a code block, to its closing fence
            in_list = False
            out.append(line)
            i += 1
            while fence and i < n:
                fence, _ = _fenced(fence, lines[i])
                out.append(lines[i])
                i += 1
            continue
        if not line.strip():
            out.append(line)
            loose = False
            if in_list:
                j = i + 1
                while j < n and not lines[j].strip():
                    j += 1
                in_list = j < n and ((_ITEM.match(lines[j]) and not _HR.match(lines[j])) or (
                    lines[j][:1] in " \t" and not _starts_block(lines, j)))
            i += 1
            continue
        item = _ITEM.match(line)
        if item and not _HR.match(line):
            if not in_list or loose:
                if out and out[-1].strip():
                    out.append("")  # a list (or its next item) that a line of text leads into
                if not in_list:
                    in_list, stack, numbered = True, [], None
                loose = False
            ind = _indent(item.group(1))
            while stack and ind < stack[-1]:
                stack.pop()
            if not stack or ind > stack[-1]:
                stack.append(ind)
            level = len(stack) - 1
            marker = item.group(2)
            if level == 0:
                if numbered is not None and numbered != marker[0].isdigit() and out and out[-1].strip():
                    # "1. one" then "- a bullet": another list, which Python-Markdown wants
                    # after a blank line (it read the bullet as the item's text, "one - a bullet")
                    out.append("")
                numbered = marker[0].isdigit()
            if marker.endswith(")"):
                marker = marker[:-1] + "."
            out.append(_hard_break("    " * level + marker + " " + (item.group(3) or ""), lines, i))
            i += 1
            continue
        if _is_table_start(lines, i):
            in_list = False
            if out and out[-1].strip():
                out.append("")  # a table that a line of text leads into
            out += lines[i:i + 2]
            i += 2
            while i < n and lines[i].strip() and "|" in lines[i]:
                out.append(lines[i])
                i += 1
            if i < n and lines[i].strip():
                out.append("")  # the table ends at a line without a "|"
            continue
        if in_list:
            if _starts_block(lines, i) or _QUOTE.match(line):
                in_list = False
            elif loose or (line[:1] in " \t" and out and not out[-1].strip()):
                # an indented paragraph after a blank line: the last item's own
                line = "    " * (level + 1) + line.lstrip(" \t")
                loose = True
        out.append(line if _HEADING.match(line) else _hard_break(line, lines, i))
        i += 1
    return "\n".join(out)


def _hard_break(text: str, lines: list[str], i: int) -> str:
    """``text``, the line ``lines[i]`` as written out, with a backslash that ends it before the
    next line of its paragraph made two trailing spaces: a hard line break, as ``_join_lines``
    reads both (Python-Markdown showed the backslash, "12 Alder Way\\ Suite 4", where the
    .pptx broke the line)."""
    end = text.rstrip(" ")
    if (end.endswith("\\") and end[:-1].strip() and i + 1 < len(lines) and lines[i + 1].strip()
            and not _starts_block(lines, i + 1)):
        return end[:-1].rstrip() + "  "
    return text


def _notes_text(markdown: str) -> str:
    """Speaker notes Markdown -> plain text, one line per paragraph, list item or table row."""
    _, blocks = _parse_blocks(markdown, want_title=False)
    lines: list[str] = []
    for b in blocks:
        if b.kind == "paragraph":
            lines.append(b.text)
        elif b.kind == "bullets":
            # a numbered item keeps its number (counted at its level from the list's first
            # number, as the slide's body numbers it); a bullet is a dash
            for (lvl, text), number in zip(b.items, list_numbers(b)):
                lines.append("  " * lvl + (f"{number[0]}. " if number else "- ") + text)
        elif b.kind == "table":
            lines.extend(" | ".join(row) for row in b.items)
        elif b.kind == "image" and b.text:
            lines.append(b.text)
    return "\n".join(lines)


def slide_content(markdown: str) -> SlideContent:
    """One rendered slide's Markdown (after Jinja) -> its title, body blocks and notes."""
    body, notes = split_notes(markdown.replace("\r\n", "\n").replace("\r", "\n"))
    layout, body = split_layout(body)
    title, blocks = _parse_blocks(body, want_title=True)
    return SlideContent(title=title, blocks=tuple(blocks), notes=_notes_text(notes), layout=layout)
