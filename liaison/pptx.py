"""PowerPoint decks (SPEC §6): one slide per slide, the speaker notes in the notes pane.

A customized deck is written for every target practice, thousands per build, so a deck is not
built with python-pptx object by object (about 10 decks a second). python-pptx builds the
invariant parts of the package once per process (theme, slide master, layouts, notes master,
presentation properties), which are deflated once; each deck's own parts (slides, notes
slides, their relationships, the slide list, content types, document properties) are written
from string templates with XML escaping, and the package is zipped by hand with fixed entry
order, timestamps (1980-01-01) and compression, so that two builds are byte-identical
(SPEC §5): the only date in the package is the as-of date, in docProps/core.xml.

Slide text is plain text: Markdown inline markers are removed (bold spans stay bold), and HTML
in a slide stays literal text, escaped, never interpreted.
"""
from __future__ import annotations

import datetime
import io
import math
import re
import struct
import threading
import zipfile
import zlib
from dataclasses import dataclass, field, fields
from xml.sax.saxutils import escape

from liaison import palette as palette_stage
from liaison.decks import split_notes
from liaison.palette import Palette

__all__ = ["Block", "SlideContent", "slide_content", "DeckWriter"]


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class Block:
    """One block of a slide body.

    ``kind`` is "paragraph" (``text``), "bullets" (``items``: (level, text) pairs, level 0 the
    outermost) or "table" (``items``: rows of cell texts, the first row the header).
    ``ordered`` (bullets only) says per item whether it is numbered; ``runs`` keeps the bold
    and italic spans for the writer. Neither takes part in comparisons.
    """
    kind: str
    text: str = ""
    items: tuple = ()
    ordered: tuple = field(default=(), compare=False, repr=False)
    runs: tuple = field(default=(), compare=False, repr=False)


@dataclass(frozen=True)
class SlideContent:
    title: str
    blocks: tuple
    notes: str


# A run of text: (text, bold, italic, code).
Run = tuple


# --------------------------------------------------------------------------- inline Markdown

_INLINE = re.compile(
    r"(?P<esc>\\[!-/:-@\[-`{-~])"
    r"|(?P<code>(?P<ticks>`+)(?P<codetext>.+?)(?P=ticks))"
    r"|(?P<img>!\[(?P<alt>[^\]]*)\]\([^)]*\))"
    r"|(?P<link>\[(?P<ltext>[^\]]*)\]\([^)]*\))"
    r"|(?P<auto><(?P<url>(?:https?|ftp|mailto):[^>\s]+)>)"
    r"|(?P<strong>\*\*(?=\S)(?P<stext>.+?)(?<=\S)\*\*|(?<![\w_])__(?=\S)(?P<stext2>.+?)(?<=\S)__(?![\w_]))"
    r"|(?P<em>\*(?=[^\s*])(?P<etext>.+?)(?<=[^\s*])\*|(?<![\w_])_(?=\S)(?P<etext2>.+?)(?<=\S)_(?![\w_]))"
    r"|(?P<strike>~~(?=\S)(?P<ktext>.+?)(?<=\S)~~)"
)


def _inline(text: str, bold: bool = False, italic: bool = False) -> list[Run]:
    """Inline Markdown -> runs of plain text with their bold/italic/code flags."""
    out: list[Run] = []
    pos = 0
    for m in _INLINE.finditer(text):
        if m.start() > pos:
            out.append((text[pos:m.start()], bold, italic, False))
        pos = m.end()
        if m.group("esc"):
            out.append((m.group("esc")[1], bold, italic, False))
        elif m.group("code"):
            out.append((m.group("codetext").strip() or m.group("codetext"), bold, italic, True))
        elif m.group("img"):
            out.extend(_inline(m.group("alt"), bold, italic))
        elif m.group("link"):
            out.extend(_inline(m.group("ltext"), bold, italic))
        elif m.group("auto"):
            out.append((m.group("url"), bold, italic, False))
        elif m.group("strong"):
            out.extend(_inline(m.group("stext") or m.group("stext2") or "", True, italic))
        elif m.group("em"):
            out.extend(_inline(m.group("etext") or m.group("etext2") or "", bold, True))
        elif m.group("strike"):
            out.extend(_inline(m.group("ktext"), bold, italic))
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


def _cells(line: str) -> list[str]:
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    return [_plain(_inline(c.strip().replace("\\|", "|"))) for c in _CELL_SPLIT.split(s)]


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
            rows = [tuple((r + [""] * width)[:width]) for r in rows]
            blocks.append(Block("table", items=tuple(rows)))
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
                    items.append([len(stack) - 1, [m.group(3) or ""], m.group(2)[0].isdigit()])
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
            runs = tuple(tuple(_inline(_join_lines(parts))) for _, parts, _ in items)
            blocks.append(Block(
                "bullets",
                items=tuple((lvl, _plain(r)) for (lvl, _, _), r in zip(items, runs)),
                ordered=tuple(o for _, _, o in items),
                runs=runs,
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


def _notes_text(markdown: str) -> str:
    """Speaker notes Markdown -> plain text, one line per paragraph, list item or table row."""
    _, blocks = _parse_blocks(markdown, want_title=False)
    lines: list[str] = []
    for b in blocks:
        if b.kind == "paragraph":
            lines.append(b.text)
        elif b.kind == "bullets":
            lines.extend("  " * lvl + "- " + text for lvl, text in b.items)
        else:
            lines.extend(" | ".join(row) for row in b.items)
    return "\n".join(lines)


def slide_content(markdown: str) -> SlideContent:
    """One rendered slide's Markdown (after Jinja) -> its title, body blocks and notes."""
    body, notes = split_notes(markdown.replace("\r\n", "\n").replace("\r", "\n"))
    title, blocks = _parse_blocks(body, want_title=True)
    return SlideContent(title=title, blocks=tuple(blocks), notes=_notes_text(notes))


# --------------------------------------------------------------------------- XML text

# Characters XML 1.0 cannot hold (and C1 controls, which no slide needs).
_BAD_XML = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return _BAD_XML.sub("", text)


def _x(text: str) -> str:
    """Text for an XML text node: escaped, with characters XML cannot hold removed."""
    return escape(_BAD_XML.sub("", text))


# --------------------------------------------------------------------------- geometry

EMU_IN = 914400
EMU_PT = 12700
SLIDE_W = 12192000   # 13.333 in
SLIDE_H = 6858000    # 7.5 in
MARGIN = int(0.6 * EMU_IN)
CONTENT_W = SLIDE_W - 2 * MARGIN

WHITE = "FFFFFF"      # text on the primary colour (table headers)
DARK_2 = "334155"     # the theme's second dark colour, which no slide of ours uses


@dataclass(frozen=True)
class _Ink:
    """The palette's colours as DrawingML writes them (``0F766E``): a deck's slides take
    them from the palette its writer was given (liaison.palette)."""
    primary: str   # titles, accent band and rules, bullets, table headers
    strong: str    # body text
    muted: str     # subtitles
    caption: str   # footer
    rule: str      # table lines
    band: str      # banded table rows
    grid: str      # the footer's rule
    surface: str   # slide background, the other table rows

    @classmethod
    def of(cls, palette: Palette) -> "_Ink":
        return cls(**{f.name: palette.hex(f.name) for f in fields(cls)})

# (font size, space before a paragraph in ems), tried in turn until the slide body fits
FITS = ((24, 0.55), (22, 0.55), (20, 0.55), (20, 0.3), (18, 0.3), (16, 0.3), (16, 0.15), (14, 0.15),
        (12, 0.15), (11, 0.1), (10, 0.1))
CHAR_EM = 0.52        # a generous average character width of Calibri/Carlito, in ems
LINE = 1.2            # single line spacing, in ems


def _lines(n_chars: int, size: float, width_emu: int) -> int:
    per_line = max(1, int(width_emu / EMU_PT / (size * CHAR_EM)))
    return max(1, math.ceil(n_chars / per_line))


def _text_len(text: str) -> list[int]:
    return [len(part) for part in text.split("\n")]


# --------------------------------------------------------------------------- slide XML

NS = ('xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
      'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"')
XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

_SP_TREE_HEAD = ('<p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr>'
                 '<p:grpSpPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/>'
                 '<a:chOff x="0" y="0"/><a:chExt cx="0" cy="0"/></a:xfrm></p:grpSpPr>')


def _xfrm(x: int, y: int, w: int, h: int) -> str:
    return f'<a:xfrm><a:off x="{x}" y="{y}"/><a:ext cx="{w}" cy="{h}"/></a:xfrm>'


def _rpr(size: float, color: str, bold: bool = False, italic: bool = False, code: bool = False) -> str:
    attrs = f' lang="en-US" sz="{int(size * 100)}"'
    if bold:
        attrs += ' b="1"'
    if italic:
        attrs += ' i="1"'
    font = '<a:latin typeface="Consolas"/><a:cs typeface="Consolas"/>' if code else ""
    return f'<a:rPr{attrs} dirty="0"><a:solidFill><a:srgbClr val="{color}"/></a:solidFill>{font}</a:rPr>'


def _runs_xml(runs, size: float, color: str, bold_all: bool = False) -> str:
    out = []
    for text, bold, italic, code in runs:
        rpr = _rpr(size, color, bold or bold_all, italic, code)
        for k, part in enumerate(_clean(text).replace("\t", " ").split("\n")):
            if k:
                out.append(f'<a:br>{rpr}</a:br>')
            if part:
                out.append(f'<a:r>{rpr}<a:t>{escape(part)}</a:t></a:r>')
    return "".join(out)


def _para_xml(runs, size: float, color: str, ppr: str, bold_all: bool = False) -> str:
    end = f'<a:endParaRPr lang="en-US" sz="{int(size * 100)}" dirty="0"/>'
    return f'<a:p>{ppr}{_runs_xml(runs, size, color, bold_all)}{end}</a:p>'


def _ppr(algn: str = "l", mar: int = 0, indent: int = 0, lvl: int = 0, before: float = 0,
         bullet: str = '<a:buNone/>') -> str:
    spc = f'<a:spcBef><a:spcPts val="{int(before * 100)}"/></a:spcBef>'
    return (f'<a:pPr marL="{mar}" lvl="{min(lvl, 8)}" indent="{indent}" algn="{algn}">'
            f'<a:lnSpc><a:spcPct val="100000"/></a:lnSpc>{spc}{bullet}</a:pPr>')


def _sp_text(shape_id: int, name: str, ph: str, x: int, y: int, w: int, h: int, anchor: str,
             paras: str, wrap: str = "square") -> str:
    if ph:
        nv = (f'<p:nvSpPr><p:cNvPr id="{shape_id}" name="{name}"/><p:cNvSpPr><a:spLocks noGrp="1"/>'
              f'</p:cNvSpPr><p:nvPr>{ph}</p:nvPr></p:nvSpPr>')
        geom = ""
    else:
        nv = (f'<p:nvSpPr><p:cNvPr id="{shape_id}" name="{name}"/><p:cNvSpPr txBox="1"/><p:nvPr/>'
              f'</p:nvSpPr>')
        geom = '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:noFill/>'
    return (f'<p:sp>{nv}<p:spPr>{_xfrm(x, y, w, h)}{geom}</p:spPr><p:txBody>'
            f'<a:bodyPr vert="horz" wrap="{wrap}" lIns="0" tIns="0" rIns="0" bIns="0" rtlCol="0" '
            f'anchor="{anchor}"><a:noAutofit/></a:bodyPr><a:lstStyle/>{paras}</p:txBody></p:sp>')


def _sp_rect(shape_id: int, name: str, x: int, y: int, w: int, h: int, color: str) -> str:
    return (f'<p:sp><p:nvSpPr><p:cNvPr id="{shape_id}" name="{name}"/><p:cNvSpPr/><p:nvPr/></p:nvSpPr>'
            f'<p:spPr>{_xfrm(x, y, w, h)}<a:prstGeom prst="rect"><a:avLst/></a:prstGeom>'
            f'<a:solidFill><a:srgbClr val="{color}"/></a:solidFill><a:ln><a:noFill/></a:ln></p:spPr>'
            f'</p:sp>')


class _TextSeg:
    """Consecutive paragraphs and list items: one text shape."""

    def __init__(self):
        self.paras: list[tuple] = []  # (runs, level, bullet kind: None | "bullet" | "number", bold_all)
        self.spacing = 0.55  # space before a paragraph, in ems

    def height(self, size: float, width: int) -> int:
        total = 0.0
        for k, (runs, level, bullet, _) in enumerate(self.paras):
            s = self.size_of(size, level, bullet)
            mar = self.margin(level, bullet)
            lines = sum(_lines(n, s, width - mar) for n in _text_len(_plain(runs)))
            total += lines * s * LINE + (self.before(size, level, bullet) if k else 0)
        return int(total * EMU_PT) + int(0.1 * EMU_IN)

    @staticmethod
    def size_of(size: float, level: int, bullet) -> float:
        return size if not bullet or level == 0 else max(10, size - 2 * min(level, 2))

    @staticmethod
    def margin(level: int, bullet) -> int:
        if not bullet:
            return 0
        return int((0.4 + 0.45 * level) * EMU_IN)

    def before(self, size: float, level: int, bullet) -> float:
        return size * (self.spacing / 2 if bullet and level else self.spacing)

    def xml(self, size: float, ink: _Ink, color: str | None = None) -> str:
        color = color or ink.strong
        bullet_colour = f'<a:buClr><a:srgbClr val="{ink.primary}"/></a:buClr>'
        out = []
        for k, (runs, level, bullet, bold_all) in enumerate(self.paras):
            s = self.size_of(size, level, bullet)
            before = self.before(size, level, bullet) if k else 0
            if bullet:
                mar = self.margin(level, bullet)
                if bullet == "number":
                    bu = (bullet_colour + '<a:buSzPct val="100000"/>'
                          '<a:buFont typeface="+mj-lt"/><a:buAutoNum type="arabicPeriod"/>')
                else:
                    char = "\u2022" if level % 2 == 0 else "\u2013"
                    bu = (bullet_colour + '<a:buSzPct val="100000"/>'
                          f'<a:buFont typeface="Arial"/><a:buChar char="{char}"/>')
                ppr = _ppr("l", mar, -int(0.32 * EMU_IN), level, before, bu)
            else:
                ppr = _ppr("l", 0, 0, 0, before)
            out.append(_para_xml(runs, s, color, ppr, bold_all))
        return "".join(out)


def _segments(blocks) -> list:
    segs: list = []
    for b in blocks:
        if b.kind == "table":
            rows = tuple(tuple(str(c) for c in row) for row in b.items)
            if any(rows):
                width = max(len(r) for r in rows)
                segs.append(Block("table", items=tuple(r + ("",) * (width - len(r)) for r in rows)))
            continue
        if not segs or not isinstance(segs[-1], _TextSeg):
            segs.append(_TextSeg())
        seg = segs[-1]
        if b.kind == "bullets":
            runs = b.runs if len(b.runs) == len(b.items) else tuple(((t, False, False, False),) for _, t in b.items)
            ordered = b.ordered if len(b.ordered) == len(b.items) else (False,) * len(b.items)
            for (level, _), r, o in zip(b.items, runs, ordered):
                seg.paras.append((r, max(0, int(level)), "number" if o else "bullet", False))
        else:
            runs = b.runs if b.runs else ((b.text, False, False, False),)
            seg.paras.append((runs, 0, None, False))
    return segs


def _table_geometry(rows, size: float, width: int) -> tuple[list[int], list[int]]:
    ncol = max(len(r) for r in rows)
    weights = []
    for c in range(ncol):
        longest = max((max(_text_len(r[c])) if c < len(r) else 0) for r in rows)
        weights.append(min(48, max(6, longest)) + 4)
    total = sum(weights)
    cols = [int(width * w / total) for w in weights]
    cols[-1] += width - sum(cols)
    pad_x, pad_y = int(0.24 * EMU_IN), int(0.12 * EMU_IN)
    heights = []
    for r in rows:
        lines = 1
        for c in range(ncol):
            text = r[c] if c < len(r) else ""
            lines = max(lines, sum(_lines(n, size, cols[c] - pad_x) for n in _text_len(text)))
        heights.append(int(lines * size * LINE * EMU_PT) + pad_y)
    return cols, heights


def _table_xml(shape_id: int, rows, x: int, y: int, size: float, cols: list[int], heights: list[int],
               ink: _Ink) -> str:
    ncol = len(cols)
    grid = "".join(f'<a:gridCol w="{w}"/>' for w in cols)
    line = '<a:ln{side} w="9525" cap="flat" cmpd="sng" algn="ctr"><a:solidFill><a:srgbClr val="' + ink.rule + \
        '"/></a:solidFill><a:prstDash val="solid"/></a:ln{side}>'
    none = '<a:ln{side} w="0"><a:noFill/></a:ln{side}>'
    borders = (none.format(side="L") + none.format(side="R") + line.format(side="T") + line.format(side="B"))
    trs = []
    for k, (row, h) in enumerate(zip(rows, heights)):
        header = k == 0
        fill = ink.primary if header else (ink.band if k % 2 == 0 else ink.surface)
        color = WHITE if header else ink.strong
        tcs = []
        for c in range(ncol):
            text = row[c] if c < len(row) else ""
            p = _para_xml(((text, header, False, False),), size, color, '<a:pPr algn="l"><a:buNone/></a:pPr>')
            tcs.append(f'<a:tc><a:txBody><a:bodyPr/><a:lstStyle/>{p}</a:txBody>'
                       f'<a:tcPr marL="109728" marR="109728" marT="54864" marB="54864" anchor="ctr">'
                       f'{borders}<a:solidFill><a:srgbClr val="{fill}"/></a:solidFill></a:tcPr></a:tc>')
        trs.append(f'<a:tr h="{h}">{"".join(tcs)}</a:tr>')
    return (f'<p:graphicFrame><p:nvGraphicFramePr><p:cNvPr id="{shape_id}" name="Table {shape_id}"/>'
            f'<p:cNvGraphicFramePr><a:graphicFrameLocks noGrp="1"/></p:cNvGraphicFramePr><p:nvPr/>'
            f'</p:nvGraphicFramePr><p:xfrm><a:off x="{x}" y="{y}"/><a:ext cx="{sum(cols)}" cy="{sum(heights)}"/>'
            f'</p:xfrm><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/table">'
            f'<a:tbl><a:tblPr firstRow="1" bandRow="1"/><a:tblGrid>{grid}</a:tblGrid>{"".join(trs)}</a:tbl>'
            f'</a:graphicData></a:graphic></p:graphicFrame>')


def _title_size(title: str) -> float:
    for size in (32, 28, 24):
        if _lines(len(title), size, CONTENT_W) <= (1 if size == 32 else 2):
            return size
    return 22


def _footer_xml(first_id: int, footer: str, number: int, ink: _Ink) -> str:
    y, h = int(6.92 * EMU_IN), int(0.36 * EMU_IN)
    name = _para_xml(((footer, False, False, False),), 11, ink.caption, '<a:pPr algn="l"><a:buNone/></a:pPr>')
    num = _para_xml(((str(number), False, False, False),), 11, ink.caption, '<a:pPr algn="r"><a:buNone/></a:pPr>')
    return (_sp_rect(first_id, "Footer Rule", MARGIN, int(6.86 * EMU_IN), CONTENT_W, 6350, ink.grid)
            + _sp_text(first_id + 1, "Footer", "", MARGIN, y, CONTENT_W - int(1.2 * EMU_IN), h, "ctr", name)
            + _sp_text(first_id + 2, "Slide Number", "", SLIDE_W - MARGIN - int(1.0 * EMU_IN), y,
                       int(1.0 * EMU_IN), h, "ctr", num))


def _is_title_slide(index: int, slide: SlideContent) -> bool:
    return index == 0 and bool(slide.title) and all(b.kind == "paragraph" for b in slide.blocks)


def _title_slide_xml(slide: SlideContent, footer: str, number: int, ink: _Ink) -> str:
    x = int(1.1 * EMU_IN)
    w = SLIDE_W - x - MARGIN
    size = 40 if _lines(len(slide.title), 40, w) <= 2 else 32
    title = _para_xml(((slide.title, False, False, False),), size, ink.strong, '<a:pPr algn="l"><a:buNone/></a:pPr>')
    seg = _TextSeg()
    for b in slide.blocks:
        seg.paras.append((b.runs or ((b.text, False, False, False),), 0, None, False))
    sub_h = int(2.3 * EMU_IN)
    sub_size = next((s for s in (24, 22, 20, 18, 16, 14, 12, 10) if seg.height(s, w) <= sub_h), 10)
    shapes = [
        _sp_rect(2, "Accent Band", 0, 0, int(0.32 * EMU_IN), SLIDE_H, ink.primary),
        _sp_text(3, "Title 1", '<p:ph type="ctrTitle"/>', x, int(1.2 * EMU_IN), w, int(2.5 * EMU_IN),
                 "b", title),
        _sp_rect(4, "Accent Rule", x, int(3.95 * EMU_IN), int(1.4 * EMU_IN), int(0.07 * EMU_IN), ink.primary),
    ]
    if seg.paras:
        shapes.append(_sp_text(5, "Subtitle 2", '<p:ph type="subTitle" idx="1"/>', x, int(4.25 * EMU_IN),
                               w, sub_h, "t", seg.xml(sub_size, ink, ink.muted)))
    shapes.append(_footer_xml(6, footer, number, ink))
    return "".join(shapes)


def _content_slide_xml(slide: SlideContent, footer: str, number: int, ink: _Ink) -> str:
    shapes = []
    top = int(0.55 * EMU_IN)
    if slide.title:
        tsize = _title_size(slide.title)
        title = _para_xml(((slide.title, False, False, False),), tsize, ink.primary, '<a:pPr algn="l"><a:buNone/></a:pPr>')
        shapes.append(_sp_text(2, "Title 1", '<p:ph type="title"/>', MARGIN, int(0.35 * EMU_IN), CONTENT_W,
                               int(0.95 * EMU_IN), "b", title))
        shapes.append(_sp_rect(3, "Accent Rule", MARGIN, int(1.42 * EMU_IN), int(1.1 * EMU_IN),
                               int(0.06 * EMU_IN), ink.primary))
        top = int(1.7 * EMU_IN)
    bottom = int(6.7 * EMU_IN)
    segs = _segments(slide.blocks)
    gap = int(0.22 * EMU_IN)

    def measure(size: float, spacing: float) -> list[int]:
        hs = []
        for seg in segs:
            if isinstance(seg, _TextSeg):
                seg.spacing = spacing
                hs.append(seg.height(size, CONTENT_W))
            else:
                hs.append(sum(_table_geometry(seg.items, min(size, 20), CONTENT_W)[1]))
        return hs

    size, heights = FITS[-1][0], []
    for size, spacing in FITS:  # the largest type that fits; the smallest if none does
        heights = measure(size, spacing)
        if sum(heights) + gap * max(0, len(segs) - 1) <= bottom - top:
            break
    y, shape_id, body_used = top, 10, False
    for k, (seg, h) in enumerate(zip(segs, heights)):
        if isinstance(seg, _TextSeg):
            box_h = max(h, bottom - y) if k == len(segs) - 1 else h
            if not body_used:
                shapes.append(_sp_text(shape_id, "Content Placeholder 2", '<p:ph idx="1"/>', MARGIN, y,
                                       CONTENT_W, box_h, "t", seg.xml(size, ink)))
                body_used = True
            else:
                shapes.append(_sp_text(shape_id, f"Text {shape_id}", "", MARGIN, y, CONTENT_W, box_h, "t",
                                       seg.xml(size, ink)))
        else:
            tsize = min(size, 20)
            cols, rows_h = _table_geometry(seg.items, tsize, CONTENT_W)
            shapes.append(_table_xml(shape_id, seg.items, MARGIN, y, tsize, cols, rows_h, ink))
        y += h + gap
        shape_id += 1
    shapes.append(_footer_xml(shape_id, footer, number, ink))
    return "".join(shapes)


def _slide_xml(index: int, slide: SlideContent, footer: str, ink: _Ink) -> tuple[str, bool]:
    """(slide XML, whether it uses the title-slide layout)."""
    title_slide = _is_title_slide(index, slide)
    body = (_title_slide_xml if title_slide else _content_slide_xml)(slide, footer, index + 1, ink)
    return (f'{XML_DECL}<p:sld {NS}><p:cSld><p:bg><p:bgPr><a:solidFill><a:srgbClr val="{ink.surface}"/></a:solidFill>'
            f'<a:effectLst/></p:bgPr></p:bg><p:spTree>{_SP_TREE_HEAD}{body}</p:spTree></p:cSld>'
            f'<p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sld>'), title_slide


def _notes_xml(notes: str) -> str:
    paras = "".join(
        f'<a:p><a:r><a:rPr lang="en-US" dirty="0"/><a:t>{_x(line)}</a:t></a:r></a:p>' if line.strip()
        else '<a:p><a:endParaRPr lang="en-US" dirty="0"/></a:p>'
        for line in notes.replace("\t", " ").split("\n"))
    return (f'{XML_DECL}<p:notes {NS}><p:cSld><p:spTree>{_SP_TREE_HEAD}'
            '<p:sp><p:nvSpPr><p:cNvPr id="2" name="Slide Image Placeholder 1"/><p:cNvSpPr><a:spLocks noGrp="1" '
            'noRot="1" noChangeAspect="1"/></p:cNvSpPr><p:nvPr><p:ph type="sldImg" idx="2"/></p:nvPr></p:nvSpPr>'
            '<p:spPr/></p:sp>'
            '<p:sp><p:nvSpPr><p:cNvPr id="3" name="Notes Placeholder 2"/><p:cNvSpPr><a:spLocks noGrp="1"/>'
            '</p:cNvSpPr><p:nvPr><p:ph type="body" sz="quarter" idx="3"/></p:nvPr></p:nvSpPr><p:spPr/>'
            f'<p:txBody><a:bodyPr/><a:lstStyle/>{paras}</p:txBody></p:sp>'
            '</p:spTree></p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:notes>')


# --------------------------------------------------------------------------- the invariant parts

REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_PREFIX = "application/vnd.openxmlformats-officedocument.presentationml."
CT_SLIDE = CT_PREFIX + "slide+xml"
CT_NOTES = CT_PREFIX + "notesSlide+xml"

# 1980-01-01 00:00:00, the earliest time a zip entry can hold
_DOS_TIME, _DOS_DATE = 0, (0 << 9) | (1 << 5) | 1


@dataclass(frozen=True)
class _Entry:
    name: bytes
    crc: int
    size: int
    data: bytes  # deflated

    @classmethod
    def of(cls, name: str, raw: bytes, level: int = 6) -> "_Entry":
        c = zlib.compressobj(level, zlib.DEFLATED, -15)
        return cls(name.encode("ascii"), zlib.crc32(raw), len(raw), c.compress(raw) + c.flush())

    def local(self) -> bytes:
        return struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, _DOS_TIME, _DOS_DATE, self.crc,
                           len(self.data), self.size, len(self.name), 0) + self.name + self.data

    def central(self, offset: int) -> bytes:
        return struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, _DOS_TIME, _DOS_DATE, self.crc,
                           len(self.data), self.size, len(self.name), 0, 0, 0, 0, 0, offset) + self.name


@dataclass
class _Base:
    entries: list            # invariant _Entry, in package order
    locals: bytes            # their local headers and data, concatenated
    content_types: list      # (part name, content type) overrides of the invariant parts
    pres_head: str           # presentation.xml up to the slide list
    pres_tail: str           # presentation.xml after the slide list
    pres_rels: str           # relationships of presentation.xml other than the slides
    next_rid: int
    layout_title: str        # part name of the title-slide layout
    layout_content: str      # part name of the title-and-content layout


_BASES: dict[_Ink, _Base] = {}  # one per palette (a process builds one site: one palette)
_BASE_LOCK = threading.Lock()


def _base(ink: _Ink) -> _Base:
    with _BASE_LOCK:
        if ink not in _BASES:
            _BASES[ink] = _build_base(ink)
        return _BASES[ink]


def _build_base(ink: _Ink) -> _Base:
    """The invariant package parts, made once with python-pptx and adjusted with lxml."""
    import pptx  # python-pptx
    from lxml import etree

    prs = pptx.Presentation()
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    keep = {"Title Slide", "Title and Content", "Title Only", "Blank"}
    for layout in [l for l in prs.slide_layouts if l.name not in keep]:
        prs.slide_layouts.remove(layout)
    slide = prs.slides.add_slide(prs.slide_layouts[0])
    slide.notes_slide.notes_text_frame.text = ""  # makes the notes master
    buf = io.BytesIO()
    prs.save(buf)
    with zipfile.ZipFile(buf) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}

    ns = {"a": "http://schemas.openxmlformats.org/drawingml/2006/main",
          "p": "http://schemas.openxmlformats.org/presentationml/2006/main",
          "r": REL, "rel": RELS_NS,
          "ct": "http://schemas.openxmlformats.org/package/2006/content-types"}

    def tree(name):
        return etree.fromstring(parts[name])

    def dump(root) -> bytes:
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    # Which parts the package keeps: everything but the slide, its notes, the thumbnail and the
    # printer settings; presentation.xml, its rels, content types and docProps are per deck.
    per_deck = {"[Content_Types].xml", "_rels/.rels", "docProps/app.xml", "docProps/core.xml",
                "ppt/presentation.xml", "ppt/_rels/presentation.xml.rels"}
    kept = [n for n in parts if n not in per_deck and not n.startswith(("ppt/slides/", "ppt/notesSlides/",
            "ppt/printerSettings/", "docProps/thumbnail"))]

    # 16:9: the master and layouts were drawn for 4:3; stretch them horizontally.
    scale = SLIDE_W / 9144000
    layouts = {}
    for name in kept:
        if not (name.startswith("ppt/slideLayouts/slideLayout") or name.startswith("ppt/slideMasters/slideMaster")) \
                or name.endswith(".rels"):
            continue
        root = tree(name)
        for xfrm in root.iterfind(".//p:spPr/a:xfrm", ns):
            off, ext = xfrm.find("a:off", ns), xfrm.find("a:ext", ns)
            if off is not None:
                off.set("x", str(round(int(off.get("x")) * scale)))
            if ext is not None:
                ext.set("cx", str(round(int(ext.get("cx")) * scale)))
        for fld in root.iterfind(".//a:fld", ns):  # the template's cached date: no date but as_of
            if fld.get("type", "").startswith("datetime"):
                t = fld.find("a:t", ns)
                if t is not None:
                    t.text = ""
        if root.tag.endswith("sldMaster"):
            # the calm look: titles left-aligned in teal, text in dark slate
            lvl1 = root.find("p:txStyles/p:titleStyle/a:lvl1pPr", ns)
            lvl1.set("algn", "l")
            rpr = lvl1.find("a:defRPr", ns)
            rpr.set("sz", "3200")
            for fill in rpr.findall("a:solidFill", ns):
                rpr.remove(fill)
            fill = etree.SubElement(rpr, f"{{{ns['a']}}}solidFill")
            etree.SubElement(fill, f"{{{ns['a']}}}srgbClr", val=ink.primary)
            rpr.insert(0, fill)
        else:
            cs = root.find("p:cSld", ns)
            layouts[cs.get("name")] = name
        parts[name] = dump(root)

    theme = tree("ppt/theme/theme1.xml")
    scheme = theme.find(".//a:clrScheme", ns)
    scheme.set("name", "Liaison")
    for slot, color in (("dk1", ink.strong), ("dk2", DARK_2), ("accent1", ink.primary)):
        el = scheme.find(f"a:{slot}", ns)
        for child in list(el):
            el.remove(child)
        etree.SubElement(el, f"{{{ns['a']}}}srgbClr", val=color)
    theme.set("name", "Liaison")
    parts["ppt/theme/theme1.xml"] = dump(theme)

    # presentation.xml: renumbered relationships, the slide list left to each deck
    rels = tree("ppt/_rels/presentation.xml.rels")
    fixed = []  # (type suffix, target)
    for rel in rels:
        typ, target = rel.get("Type"), rel.get("Target")
        if typ.endswith(("/slide", "/printerSettings")):
            continue
        fixed.append((rel.get("Id"), typ, target))
    order = ["slideMaster", "notesMaster", "presProps", "viewProps", "theme", "tableStyles"]
    fixed.sort(key=lambda r: order.index(r[1].rsplit("/", 1)[1]))
    new_id = {old: f"rId{k}" for k, (old, _, _) in enumerate(fixed, start=1)}
    pres_rels = "".join(f'<Relationship Id="{new_id[old]}" Type="{typ}" Target="{target}"/>'
                        for old, typ, target in fixed)
    pres = tree("ppt/presentation.xml")
    for el in pres.iter():
        rid = el.get(f"{{{REL}}}id")
        if rid in new_id:
            el.set(f"{{{REL}}}id", new_id[rid])
    if pres.find("p:notesMasterIdLst", ns) is None:  # python-pptx relates the notes master only
        notes_rid = next(new_id[old] for old, typ, _ in fixed if typ.endswith("/notesMaster"))
        lst = etree.Element(f"{{{ns['p']}}}notesMasterIdLst")
        etree.SubElement(lst, f"{{{ns['p']}}}notesMasterId").set(f"{{{REL}}}id", notes_rid)
        pres.find("p:sldMasterIdLst", ns).addnext(lst)
    sz = pres.find("p:sldSz", ns)
    sz.attrib.pop("type", None)
    sld_list = pres.find("p:sldIdLst", ns)
    marker = etree.Element(f"{{{ns['p']}}}sldIdLst")
    if sld_list is not None:
        sld_list.addprevious(marker)
        pres.remove(sld_list)
    else:  # pragma: no cover - python-pptx always writes one here
        sz.addprevious(marker)
    text = dump(pres).decode("utf-8")
    head, tail = text.split("<p:sldIdLst/>")

    cts = tree("[Content_Types].xml")
    overrides = []
    for o in cts.iterfind("ct:Override", ns):
        part = o.get("PartName")
        if part.lstrip("/") in kept or part == "/ppt/presentation.xml":
            overrides.append((part, o.get("ContentType")))
    overrides.sort()

    entries = [_Entry.of(n, parts[n], 9) for n in kept]  # already in python-pptx's package order
    return _Base(entries=entries, locals=b"".join(e.local() for e in entries), content_types=overrides,
                 pres_head=head, pres_tail=tail, pres_rels=pres_rels, next_rid=len(fixed) + 1,
                 layout_title=layouts["Title Slide"], layout_content=layouts["Title and Content"])


# --------------------------------------------------------------------------- the writer


class DeckWriter:
    """Writes decks as .pptx packages: the practice's name in every slide's footer, and
    ``as_of`` the only timestamp in the package (docProps/core.xml created and modified); the
    colours are ``palette``'s (liaison.palette; the active one by default)."""

    def __init__(self, practice_name: str, as_of: datetime.date, palette: Palette | None = None):
        self.practice_name = practice_name
        self.as_of = as_of
        self._ink = _Ink.of(palette or palette_stage.DEFAULT)
        self._base = _base(self._ink)
        stamp = f"{as_of.isoformat()}T00:00:00Z"
        self._slides: dict[tuple, tuple[str, bool]] = {}  # a slide shown in many decks: one XML
        self._core_tail = (f'<cp:lastModifiedBy>{_x(practice_name)}</cp:lastModifiedBy><cp:revision>1</cp:revision>'
                           f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
                           f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
                           f'</cp:coreProperties>')

    def write(self, title: str, slides: list[SlideContent]) -> bytes:
        base = self._base
        parts: list[tuple[str, str]] = []
        n = len(slides)
        rid0 = base.next_rid
        slide_parts, notes_parts = [], []
        for k, slide in enumerate(slides, start=1):
            # runs and ordered take no part in ==: name them, or a bold-only edit would hit
            key = (k, slide, tuple((b.runs, b.ordered) for b in slide.blocks))
            made = self._slides.get(key)
            if made is None:
                if len(self._slides) > 5000:
                    self._slides.clear()
                made = self._slides[key] = _slide_xml(k - 1, slide, self.practice_name, self._ink)
            xml, title_slide = made
            layout = base.layout_title if title_slide else base.layout_content
            layout_target = "../slideLayouts/" + layout.rsplit("/", 1)[1]
            rels = f'<Relationship Id="rId1" Type="{REL}/slideLayout" Target="{layout_target}"/>'
            if slide.notes:
                rels += f'<Relationship Id="rId2" Type="{REL}/notesSlide" Target="../notesSlides/notesSlide{k}.xml"/>'
                notes_parts.append((f"ppt/notesSlides/notesSlide{k}.xml", _notes_xml(slide.notes)))
                notes_parts.append((f"ppt/notesSlides/_rels/notesSlide{k}.xml.rels", _rels(
                    f'<Relationship Id="rId1" Type="{REL}/notesMaster" Target="../notesMasters/notesMaster1.xml"/>'
                    f'<Relationship Id="rId2" Type="{REL}/slide" Target="../slides/slide{k}.xml"/>')))
            slide_parts.append((f"ppt/slides/slide{k}.xml", xml))
            slide_parts.append((f"ppt/slides/_rels/slide{k}.xml.rels", _rels(rels)))

        overrides = list(base.content_types)
        overrides += [(f"/ppt/slides/slide{k}.xml", CT_SLIDE) for k in range(1, n + 1)]
        overrides += [("/" + name, CT_NOTES) for name, _ in notes_parts if not name.endswith(".rels")]
        overrides += [("/docProps/app.xml", "application/vnd.openxmlformats-officedocument.extended-properties+xml"),
                      ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml")]
        overrides.sort()
        ct = (f'{XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
              '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
              '<Default Extension="xml" ContentType="application/xml"/>'
              + "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in overrides) + "</Types>")
        root_rels = _rels(
            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="ppt/presentation.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
            'core-properties" Target="docProps/core.xml"/>'
            f'<Relationship Id="rId3" Type="{REL}/extended-properties" Target="docProps/app.xml"/>')
        app = (f'{XML_DECL}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
               'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
               '<TotalTime>0</TotalTime><Application>Liaison</Application>'
               '<PresentationFormat>Widescreen</PresentationFormat>'
               f'<Slides>{n}</Slides><Notes>{len(notes_parts) // 2}</Notes><HiddenSlides>0</HiddenSlides>'
               '<MMClips>0</MMClips><ScaleCrop>false</ScaleCrop><LinksUpToDate>false</LinksUpToDate>'
               '<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>'
               '<AppVersion>16.0000</AppVersion></Properties>')
        core = (f'{XML_DECL}<cp:coreProperties '
                'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
                'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
                'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
                f'<dc:title>{_x(title)}</dc:title><dc:creator>{_x(self.practice_name)}</dc:creator>'
                + self._core_tail)
        sld_ids = "".join(f'<p:sldId id="{255 + k}" r:id="rId{rid0 + k - 1}"/>' for k in range(1, n + 1))
        pres = base.pres_head + (f"<p:sldIdLst>{sld_ids}</p:sldIdLst>" if n else "") + base.pres_tail
        pres_rels = _rels(base.pres_rels + "".join(
            f'<Relationship Id="rId{rid0 + k - 1}" Type="{REL}/slide" Target="slides/slide{k}.xml"/>'
            for k in range(1, n + 1)))

        parts = [("[Content_Types].xml", ct), ("_rels/.rels", root_rels), ("docProps/app.xml", app),
                 ("docProps/core.xml", core), ("ppt/presentation.xml", pres),
                 ("ppt/_rels/presentation.xml.rels", pres_rels)]
        # Most parts repeat from deck to deck (same slide count, same notes, and every slide
        # that shows no practice-specific value), so their deflated entries are kept.
        head = [_shared_entry(name, text.encode("utf-8")) for name, text in parts]
        tail = [_shared_entry(name, text.encode("utf-8")) for name, text in slide_parts + notes_parts]
        return _zip(head, base, tail)


_SHARED: dict[tuple[str, bytes], _Entry] = {}


def _shared_entry(name: str, raw: bytes) -> _Entry:
    """A deflated entry, remembered: the same part in many decks is deflated once."""
    key = (name, raw)
    entry = _SHARED.get(key)
    if entry is None:
        if len(_SHARED) >= 20000:
            _SHARED.clear()
        entry = _SHARED[key] = _Entry.of(name, raw)
    return entry


def _rels(body: str) -> str:
    return f'{XML_DECL}<Relationships xmlns="{RELS_NS}">{body}</Relationships>'


def _zip(head: list, base: _Base, tail: list) -> bytes:
    out = []
    central = []
    offset = 0
    for e in head:
        local = e.local()
        out.append(local)
        central.append(e.central(offset))
        offset += len(local)
    out.append(base.locals)
    for e in base.entries:
        central.append(e.central(offset))
        offset += 30 + len(e.name) + len(e.data)
    for e in tail:
        local = e.local()
        out.append(local)
        central.append(e.central(offset))
        offset += len(local)
    cd = b"".join(central)
    count = len(central)
    out.append(cd)
    out.append(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(cd), offset, 0))
    return b"".join(out)
