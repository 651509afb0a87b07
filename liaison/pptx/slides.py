"""Slide XML: the geometry of a 16:9 slide, text fitted to its box, and the DrawingML of
title, content, table, footer and notes slides, in a palette's colours."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields
from xml.sax.saxutils import escape

from liaison.palette import Palette
from liaison.pptx.markdown import Block, SlideContent, _plain, list_numbers
from liaison.wording import plural

# --------------------------------------------------------------------------- XML text

# Characters XML 1.0 cannot hold (and C1 controls, which no slide needs).
_BAD_XML = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return _BAD_XML.sub("", text)


def _x(text: str) -> str:
    """Text for an XML text node: escaped, with characters XML cannot hold removed."""
    return escape(_BAD_XML.sub("", text))


def _xa(text: str) -> str:
    """Text for an XML attribute in double quotes: ``_x``, and its quotes escaped too."""
    return escape(_BAD_XML.sub("", text), {'"': "&quot;"})


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
FITS = ((28, 0.6), (26, 0.55), (24, 0.55), (22, 0.55), (20, 0.55), (20, 0.3), (18, 0.3), (16, 0.3), (16, 0.15), (14, 0.15),
        (12, 0.15), (11, 0.1), (10, 0.1))
CHAR_EM = 0.52        # a generous average character width of Calibri/Carlito, in ems
# the same of bold type, as wide as LibreOffice draws it where Calibri falls back to DejaVu Sans
# Bold (0.58 em a character of "102 patients sent by 12 providers"; Calibri Bold's is about 0.5)
BOLD_CHAR_EM = 0.6
LINE = 1.2            # single line spacing, in ems


def _lines(n_chars: int, size: float, width_emu: int, char_em: float = CHAR_EM) -> int:
    per_line = max(1, int(width_emu / EMU_PT / (size * char_em)))
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


def _rpr(size: float, color: str, bold: bool = False, italic: bool = False, code: bool = False,
         link: str = "") -> str:
    """A run's properties; ``link``: the relationship (``rId4``) of the address it links to,
    underlined, as a link on the web is, so that it is not told by its colour alone."""
    attrs = f' lang="en-US" sz="{int(size * 100)}"'
    if bold:
        attrs += ' b="1"'
    if italic:
        attrs += ' i="1"'
    if link:
        attrs += ' u="sng"'
    font = '<a:latin typeface="Consolas"/><a:cs typeface="Consolas"/>' if code else ""
    click = f'<a:hlinkClick r:id="{link}"/>' if link else ""
    return f'<a:rPr{attrs} dirty="0"><a:solidFill><a:srgbClr val="{color}"/></a:solidFill>{font}{click}</a:rPr>'


def _runs_xml(runs, size: float, color: str, bold_all: bool = False, refs=None) -> str:
    """Runs' XML; a run that links to an address is a hyperlink when ``refs`` (the slide's
    _Refs) is given, its text alone otherwise."""
    out = []
    for text, bold, italic, code, *address in runs:
        rpr = _rpr(size, color, bold or bold_all, italic, code)
        link_rpr = _rpr(size, color, bold or bold_all, italic, code, refs.rid(("link", address[0]))) \
            if address and refs is not None else rpr
        for k, part in enumerate(_clean(text).replace("\t", " ").split("\n")):
            if k:
                out.append(f'<a:br>{rpr}</a:br>')
            if part:
                out.append(f'<a:r>{link_rpr}<a:t>{escape(part)}</a:t></a:r>')
    return "".join(out)


def _para_xml(runs, size: float, color: str, ppr: str, bold_all: bool = False, refs=None) -> str:
    end = f'<a:endParaRPr lang="en-US" sz="{int(size * 100)}" dirty="0"/>'
    return f'<a:p>{ppr}{_runs_xml(runs, size, color, bold_all, refs)}{end}</a:p>'


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


# PowerPoint's mark of a decorative shape (Alt Text > "Mark as decorative"): its Accessibility
# Checker asks every shape but a placeholder or text box for alternative text, and a screen
# reader skips a shape so marked
_DECORATIVE = ('<a:extLst><a:ext uri="{C183D7F6-B498-43B3-948B-1728B52AA6E4}">'
               '<adec:decorative xmlns:adec="http://schemas.microsoft.com/office/drawing/2017/decorative" '
               'val="1"/></a:ext></a:extLst>')


def _sp_rect(shape_id: int, name: str, x: int, y: int, w: int, h: int, color: str) -> str:
    """A filled rectangle (a band or a rule): decoration, marked so."""
    return (f'<p:sp><p:nvSpPr><p:cNvPr id="{shape_id}" name="{name}">{_DECORATIVE}</p:cNvPr><p:cNvSpPr/><p:nvPr/></p:nvSpPr>'
            f'<p:spPr>{_xfrm(x, y, w, h)}<a:prstGeom prst="rect"><a:avLst/></a:prstGeom>'
            f'<a:solidFill><a:srgbClr val="{color}"/></a:solidFill><a:ln><a:noFill/></a:ln></p:spPr>'
            f'</p:sp>')


class _TextSeg:
    """Consecutive paragraphs and list items: one text shape."""

    def __init__(self):
        # (runs, level, bullet kind: None | "bullet" | "number", bold_all, the number its list
        # starts at: 1 but on a slide that goes on from the one before, "6.")
        self.paras: list[tuple] = []
        self.spacing = 0.55  # space before a paragraph, in ems

    def height(self, size: float, width: int) -> int:
        total = 0.0
        for k, (runs, level, bullet, _, _) in enumerate(self.paras):
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
        return int(((0.5 if bullet == "number" else 0.4) + 0.45 * level) * EMU_IN)

    def before(self, size: float, level: int, bullet) -> float:
        return size * (self.spacing / 2 if bullet and level else self.spacing)

    def xml(self, size: float, ink: _Ink, color: str | None = None, refs=None) -> str:
        color = color or ink.strong
        bullet_colour = f'<a:buClr><a:srgbClr val="{ink.primary}"/></a:buClr>'
        out = []
        for k, (runs, level, bullet, bold_all, start) in enumerate(self.paras):
            s = self.size_of(size, level, bullet)
            before = self.before(size, level, bullet) if k else 0
            if bullet:
                mar = self.margin(level, bullet)
                if bullet == "number":
                    bu = (bullet_colour + '<a:buSzPct val="100000"/>'
                          '<a:buFont typeface="+mj-lt"/><a:buAutoNum type="arabicPeriod"'
                          + (f' startAt="{start}"/>' if start != 1 else '/>'))
                else:
                    char = "\u2022" if level % 2 == 0 else "\u2013"
                    bu = (bullet_colour + '<a:buSzPct val="100000"/>'
                          f'<a:buFont typeface="Arial"/><a:buChar char="{char}"/>')
                # LibreOffice sets a number right against the text unless the hanging indent
                # is its whole margin ("1.Symptoms"): numbers hang from 0.5 in
                hang = int(0.5 * EMU_IN) if bullet == "number" else int(0.32 * EMU_IN)
                ppr = _ppr("l", mar, -hang, level, before, bu)
            else:
                ppr = _ppr("l", 0, 0, 0, before)
            out.append(_para_xml(runs, s, color, ppr, bold_all, refs))
        return "".join(out)


def _segments(blocks) -> list:
    segs: list = []
    for b in blocks:
        if b.kind == "table":
            rows = tuple(tuple(str(c) for c in row) for row in b.items)
            if any(rows):
                width = max(len(r) for r in rows)
                items = tuple(r + ("",) * (width - len(r)) for r in rows)
                # each cell's runs (bold, links) where the reader kept them, else its text
                kept = b.runs if len(b.runs) == len(rows) else ((),) * len(rows)
                runs = tuple(tuple(cell if _plain(cell) == text else ((text, False, False, False),)
                                   for text, cell in zip(r, tuple(kr) + ((),) * width))
                             for r, kr in zip(items, kept))
                segs.append(Block("table", items=items, runs=runs))
            continue
        if not segs or not isinstance(segs[-1], _TextSeg):
            segs.append(_TextSeg())
        seg = segs[-1]
        if b.kind == "bullets":
            runs = b.runs if len(b.runs) == len(b.items) else tuple(((t, False, False, False),) for _, t in b.items)
            for (level, _), r, number in zip(b.items, runs, list_numbers(b)):
                seg.paras.append((r, max(0, int(level)), "number" if number else "bullet", False,
                                  number[1] if number else 1))
        else:
            runs = b.runs if b.runs else ((b.text, False, False, False),)
            seg.paras.append((runs, 0, None, False, 1))
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


def _table_alt(rows, ncol: int) -> str:
    """A table's alternative text (PowerPoint's Accessibility Checker asks a table for one):
    its size, the rows counted under its header, and its header row's cells ("Table, 2 columns
    by 3 rows: Sign, Refer when")."""
    header = ", ".join(" ".join(str(c).split()) for c in rows[0] if str(c).strip()) if rows else ""
    size = f"Table, {plural(ncol, 'column')} by {plural(max(0, len(rows) - 1), 'row')}"
    return f"{size}: {header}" if header else size


def _table_xml(shape_id: int, rows, x: int, y: int, size: float, cols: list[int], heights: list[int],
               ink: _Ink, runs: tuple = (), refs=None) -> str:
    """A table: ``rows`` of cell texts, ``runs`` the same rows of each cell's runs (bold,
    links; a cell without, its text), its header row bold on the primary colour."""
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
            cell = runs[k][c] if k < len(runs) and c < len(runs[k]) else ((text, False, False, False),)
            p = _para_xml(cell, size, color, '<a:pPr algn="l"><a:buNone/></a:pPr>', bold_all=header, refs=refs)
            tcs.append(f'<a:tc><a:txBody><a:bodyPr/><a:lstStyle/>{p}</a:txBody>'
                       f'<a:tcPr marL="109728" marR="109728" marT="54864" marB="54864" anchor="ctr">'
                       f'{borders}<a:solidFill><a:srgbClr val="{fill}"/></a:solidFill></a:tcPr></a:tc>')
        trs.append(f'<a:tr h="{h}">{"".join(tcs)}</a:tr>')
    return (f'<p:graphicFrame><p:nvGraphicFramePr><p:cNvPr id="{shape_id}" name="Table {shape_id}" '
            f'descr="{_xa(_table_alt(rows, ncol))}"/>'
            f'<p:cNvGraphicFramePr><a:graphicFrameLocks noGrp="1"/></p:cNvGraphicFramePr><p:nvPr/>'
            f'</p:nvGraphicFramePr><p:xfrm><a:off x="{x}" y="{y}"/><a:ext cx="{sum(cols)}" cy="{sum(heights)}"/>'
            f'</p:xfrm><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/table">'
            f'<a:tbl><a:tblPr firstRow="1" bandRow="1"/><a:tblGrid>{grid}</a:tblGrid>{"".join(trs)}</a:tbl>'
            f'</a:graphicData></a:graphic></p:graphicFrame>')


# A slide title's sizes, each with the lines (as ``_lines`` counts them, generously) it may take
# in the title's box (0.95 in: 68 pt, anchored at its bottom; a title of more grows up into the
# slide's top margin, 25 pt, and no further)
TITLE_FITS = ((36, 1), (32, 1), (28, 2), (24, 2), (22, 3), (18, 4), (16, 4), (14, 5))


def _title_size(title: str, width: int = CONTENT_W) -> float:
    """The largest size at which ``title`` fits its box ``width`` wide; a title too long for
    22 pt gets smaller type rather than run out of the top of the slide."""
    for size, lines in TITLE_FITS:
        if _lines(len(title), size, width) <= lines:
            return size
    return TITLE_FITS[-1][0]


# the id PowerPoint's own templates give their slide-number fields (any GUID will do; a fixed
# one keeps two builds byte-identical)
SLIDENUM_FIELD_ID = "{B6F15528-21DE-4FAA-801E-634DDDAF4B2B}"

# The footer's type: the least PowerPoint's accessibility guidance gives any text of a slide
FOOTER_PT = 12


def _footer_xml(first_id: int, footer: str, number: int, ink: _Ink) -> str:
    """The footer's rule, our practice's name and the slide number: PowerPoint's slide-number
    field, which PowerPoint and LibreOffice renumber when a slide is moved, added or deleted
    (``number`` is its text until then)."""
    y, h = int(6.92 * EMU_IN), int(0.36 * EMU_IN)
    name = _para_xml(((footer, False, False, False),), FOOTER_PT, ink.caption, '<a:pPr algn="l"><a:buNone/></a:pPr>')
    num = (f'<a:p><a:pPr algn="r"><a:buNone/></a:pPr><a:fld id="{SLIDENUM_FIELD_ID}" type="slidenum">'
           f'{_rpr(FOOTER_PT, ink.caption)}<a:t>{number}</a:t></a:fld>'
           f'<a:endParaRPr lang="en-US" sz="{FOOTER_PT * 100}" dirty="0"/></a:p>')
    return (_sp_rect(first_id, "Footer Rule", MARGIN, int(6.86 * EMU_IN), CONTENT_W, 6350, ink.grid)
            + _sp_text(first_id + 1, "Footer", "", MARGIN, y, CONTENT_W - int(1.2 * EMU_IN), h, "ctr", name)
            + _sp_text(first_id + 2, "Slide Number", "", SLIDE_W - MARGIN - int(1.0 * EMU_IN), y,
                       int(1.0 * EMU_IN), h, "ctr", num))


# --------------------------------------------------------------------------- what a slide refers to


@dataclass(frozen=True)
class Brand:
    """What the writer shows besides a slide's text: the logo's pixel size (None: the site
    has none), our contact lines (closing slides), a slide image's pixel size by path
    (None: not readable; its alt text is shown instead) and our practice's name (the logo's
    alternative text, as in the HTML deck)."""
    logo: tuple[int, int] | None = None
    contact: tuple = ()
    image_size: object = None  # callable(path) -> (width, height) | None
    name: str = ""


class _Refs:
    """A slide's relationships besides its layout (rId1): images, the logo, the chart and the
    addresses its links go to, in the order the slide's XML first names them."""

    def __init__(self):
        self.items: list[tuple] = []  # ("image", path) | ("logo",) | ("chart",) | ("link", address)

    def rid(self, item: tuple) -> str:
        if item not in self.items:
            self.items.append(item)
        return f"rId{self.items.index(item) + 2}"


class _Ids:
    def __init__(self, first: int = 2):
        self.next = first
        self.placeholders = 0
        self.body_taken = False

    def __call__(self) -> int:
        self.next += 1
        return self.next - 1

    def placeholder(self) -> str:
        """A body placeholder of its own for a slide's further text (after its first, the
        layout's body, idx 1): PowerPoint's Outline view, and a screen reader's summary of the
        slide, hold the text of placeholders only, not of text boxes. Its index is none of a
        layout's (the date, footer and number are 10-12), so it takes nothing from them."""
        self.placeholders += 1
        return f'<p:ph idx="{100 + self.placeholders}"/>'

    def body(self) -> str:
        """The placeholder of a slide's first body text, the layout's (idx 1); then ``placeholder``."""
        if self.body_taken:
            return self.placeholder()
        self.body_taken = True
        return '<p:ph idx="1"/>'


def _pic_xml(shape_id: int, rid: str, descr: str, x: int, y: int, w: int, h: int) -> str:
    """A picture, ``descr`` its alternative text; one without (``![](images/lab.png)``) is
    marked decorative, as the HTML deck's ``alt=""`` is (validate warns of it)."""
    cnv = (f'descr="{_xa(descr)}"/>' if descr.strip() else f'descr="">{_DECORATIVE}</p:cNvPr>')
    return (f'<p:pic><p:nvPicPr><p:cNvPr id="{shape_id}" name="Picture {shape_id}" {cnv}'
            '<p:cNvPicPr><a:picLocks noChangeAspect="1"/></p:cNvPicPr><p:nvPr/></p:nvPicPr>'
            f'<p:blipFill><a:blip r:embed="{rid}"/><a:stretch><a:fillRect/></a:stretch></p:blipFill>'
            f'<p:spPr>{_xfrm(x, y, w, h)}<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></p:spPr></p:pic>')


# Where a chart's alternative text goes in a slide's XML, made once for every deck that shows
# the slide: each deck puts its own figures there (DeckWriter.write). Control characters, which
# ``_x`` takes out of every text, so no slide's text can hold the mark.
CHART_ALT = "\x01chart-alt\x01"


def _chart_frame_xml(shape_id: int, rid: str, x: int, y: int, w: int, h: int) -> str:
    return (f'<p:graphicFrame><p:nvGraphicFramePr><p:cNvPr id="{shape_id}" name="Chart {shape_id}" '
            f'descr="{CHART_ALT}"/><p:cNvGraphicFramePr/><p:nvPr/></p:nvGraphicFramePr>'
            f'<p:xfrm><a:off x="{x}" y="{y}"/><a:ext cx="{w}" cy="{h}"/></p:xfrm><a:graphic>'
            '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart">'
            '<c:chart xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" '
            f'r:id="{rid}"/></a:graphicData></a:graphic></p:graphicFrame>')


def _fit(size: tuple[int, int] | None, w: int, h: int) -> tuple[int, int]:
    """A picture of ``size`` pixels scaled to fit a w x h box, aspect kept."""
    if not size or size[0] <= 0 or size[1] <= 0:
        return w, h
    scale = min(w / size[0], h / size[1])
    return max(1, int(size[0] * scale)), max(1, int(size[1] * scale))


def _logo_xml(ids: _Ids, refs: _Refs, brand: Brand, x: int, y: int, max_w: int, max_h: int,
              right: bool = False) -> str:
    if not brand.logo:
        return ""
    w, h = _fit(brand.logo, max_w, max_h)
    return _pic_xml(ids(), refs.rid(("logo",)), brand.name or "Logo", x + (max_w - w if right else 0), y, w, h)


# --------------------------------------------------------------------------- flowing blocks

IMAGE_MIN = int(1.2 * EMU_IN)
CHART_MIN = int(2.4 * EMU_IN)


def _measure(segs: list, size: float, spacing: float, width: int) -> list[int]:
    """Heights of the fixed segments (text, tables) at a size; 0 for images and charts."""
    hs = []
    for seg in segs:
        if isinstance(seg, _TextSeg):
            seg.spacing = spacing
            hs.append(seg.height(size, width))
        elif seg.kind == "table":
            hs.append(sum(_table_geometry(seg.items, min(size, 20), width)[1]))
        else:
            hs.append(0)
    return hs


def _fit_size(segs: list, width: int, room: int, gap: int, fits=FITS) -> tuple[float, float]:
    flex = sum(IMAGE_MIN if getattr(s, "kind", "") == "image" else CHART_MIN
               for s in segs if getattr(s, "kind", "") in ("image", "chart"))
    for size, spacing in fits:  # the largest type that fits; the smallest if none does
        if sum(_measure(segs, size, spacing, width)) + gap * max(0, len(segs) - 1) + flex <= room:
            return size, spacing
    return fits[-1]


def _flow(segs: list, x: int, top: int, width: int, bottom: int, ink: _Ink, refs: _Refs,
          brand: Brand, ids: _Ids, size: float, spacing: float) -> list[str]:
    """Segments stacked from ``top``: text and tables at ``size``, images and charts sharing
    the height that is left."""
    gap = int(0.22 * EMU_IN)
    heights = _measure(segs, size, spacing, width)
    n_flex = sum(1 for s in segs if getattr(s, "kind", "") in ("image", "chart"))
    left = bottom - top - sum(heights) - gap * max(0, len(segs) - 1)
    share = max(IMAGE_MIN, left // n_flex) if n_flex else 0
    shapes, y = [], top
    for k, (seg, h) in enumerate(zip(segs, heights)):
        if isinstance(seg, _TextSeg):
            box_h = max(h, bottom - y) if k == len(segs) - 1 else h
            # every text a placeholder (not a text box), which Outline view holds
            first = not ids.body_taken
            ph, sid = ids.body(), ids()
            shapes.append(_sp_text(sid, "Content Placeholder 2" if first else f"Text {sid}", ph, x, y, width, box_h,
                                   "t", seg.xml(size, ink, refs=refs)))
        elif seg.kind == "table":
            tsize = min(size, 20)
            cols, rows_h = _table_geometry(seg.items, tsize, width)
            shapes.append(_table_xml(ids(), seg.items, x, y, tsize, cols, rows_h, ink, seg.runs, refs))
        elif seg.kind == "chart":
            h = share
            shapes.append(_chart_frame_xml(ids(), refs.rid(("chart",)), x, y, width, h))
        else:  # an image
            natural = brand.image_size(seg.items[0]) if brand.image_size else None
            w, h = _fit(natural, width, share)
            shapes.append(_pic_xml(ids(), refs.rid(("image", seg.items[0])), seg.text, x, y, w, h))
        y += h + gap
    return shapes


def _segments_of(blocks, brand: Brand) -> list:
    """Blocks -> segments, an image that cannot be read shown by its alt text."""
    kept = []
    for b in blocks:
        if b.kind == "break":
            continue
        if b.kind == "image" and not (brand.image_size and brand.image_size(b.items[0])):
            b = Block("paragraph", text=b.text or b.items[0], runs=((b.text or b.items[0], False, True, False),))
        kept.append(b)
    segs, run = [], []
    for b in kept + [None]:
        if b is None or b.kind in ("image", "chart"):
            segs += _segments(run)
            run = []
            if b is not None:
                segs.append(b)
        else:
            run.append(b)
    return segs


def _title_xml(slide: SlideContent, ids: _Ids, ink: _Ink) -> str:
    tsize = _title_size(slide.title)
    title = _para_xml(((slide.title, False, False, False),), tsize, ink.primary, '<a:pPr algn="l"><a:buNone/></a:pPr>')
    return (_sp_text(ids(), "Title 1", '<p:ph type="title"/>', MARGIN, int(0.35 * EMU_IN), CONTENT_W,
                     int(0.95 * EMU_IN), "b", title)
            + _sp_rect(ids(), "Accent Rule", MARGIN, int(1.42 * EMU_IN), int(1.1 * EMU_IN),
                       int(0.06 * EMU_IN), ink.primary))


# --------------------------------------------------------------------------- every slide a title


def untitled(slide: SlideContent, number: int) -> str:
    """What a slide without a heading is called in the .pptx (its title, out of sight): its
    first words (a paragraph's, a list's first item, a table's header row, a picture's alt
    text), at most 60 characters cut at a word; "Slide 4" when it shows none."""
    for b in slide.blocks:
        if b.kind in ("paragraph", "image"):
            text = b.text
        elif b.kind == "bullets" and b.items:
            text = b.items[0][1]
        elif b.kind == "table" and b.items:
            text = " · ".join(c for c in b.items[0] if c.strip())
        elif b.kind == "chart":
            text = "Referrals per month"
        else:
            continue
        text = " ".join(_clean(text).split())
        if text:
            if len(text) > 60:
                cut = text[:60] if text[60] == " " else text[:60].rsplit(" ", 1)[0] if " " in text[:60] else text[:59]
                text = cut.rstrip(" ,;:·-") + "\u2026"
            return text
    return f"Slide {number}"


def unique_titles(titles: list[str]) -> list[str]:
    """A deck's slide titles, each title that a slide before it has (letter case and spaces
    aside) numbered from its second slide on: "When to refer", "When to refer (2)"."""
    seen: set[str] = set()
    out = []
    for title in titles:
        key, n, unique = " ".join(title.split()).casefold(), 1, title
        while key in seen:
            n += 1
            unique = f"{title} ({n})"
            key = " ".join(unique.split()).casefold()
        seen.add(key)
        out.append(unique)
    return out


def _hidden_title_xml(text: str, ids: _Ids, ink: _Ink) -> str:
    """The title of a slide without a heading, above the slide where no one sees it (as
    PowerPoint's own help hides a title), for a screen reader, the outline and the slide list."""
    para = _para_xml(((text, False, False, False),), 28, ink.primary, '<a:pPr algn="l"><a:buNone/></a:pPr>')
    return _sp_text(ids(), "Title 1", '<p:ph type="title"/>', MARGIN, -int(1.3 * EMU_IN), CONTENT_W,
                    int(0.95 * EMU_IN), "b", para)


BODY_TOP = int(1.7 * EMU_IN)
BODY_BOTTOM = int(6.7 * EMU_IN)
GAP = int(0.22 * EMU_IN)


# --------------------------------------------------------------------------- layouts


def _title_slide_xml(slide: SlideContent, ids: _Ids, refs: _Refs, brand: Brand, ink: _Ink) -> str:
    x = int(1.1 * EMU_IN)
    w = SLIDE_W - x - MARGIN
    size = 40 if _lines(len(slide.title), 40, w) <= 2 else 32
    title = _para_xml(((slide.title, False, False, False),), size, ink.strong, '<a:pPr algn="l"><a:buNone/></a:pPr>')
    # what follows the title: paragraphs (and lists) are the subtitle; a slide that holds more
    # (a table, a picture, the chart) has it all flowed under the title (the subtitle alone
    # kept its paragraphs and left the rest out)
    segs = _segments_of(slide.blocks, brand)
    seg = segs[0] if len(segs) == 1 and isinstance(segs[0], _TextSeg) else _TextSeg()
    sub_h = int(2.3 * EMU_IN)
    sub_size = next((s for s in (24, 22, 20, 18, 16, 14, 12, 10) if seg.height(s, w) <= sub_h), 10)
    # the title first in the shape tree, which is the slide's reading order (PowerPoint's
    # Accessibility Checker, a screen reader): then the logo above it and the subtitle
    shapes = [_sp_text(ids(), "Title 1", '<p:ph type="ctrTitle"/>', x, int(1.45 * EMU_IN), w,
                       int(2.3 * EMU_IN), "b", title),
              _sp_rect(ids(), "Accent Band", 0, 0, int(0.32 * EMU_IN), SLIDE_H, ink.primary),
              _logo_xml(ids, refs, brand, x, int(0.55 * EMU_IN), int(3.2 * EMU_IN), int(0.85 * EMU_IN)),
              _sp_rect(ids(), "Accent Rule", x, int(3.95 * EMU_IN), int(1.4 * EMU_IN), int(0.07 * EMU_IN),
                       ink.primary)]
    if seg.paras:
        shapes.append(_sp_text(ids(), "Subtitle 2", '<p:ph type="subTitle" idx="1"/>', x, int(4.25 * EMU_IN),
                               w, sub_h, "t", seg.xml(sub_size, ink, ink.muted, refs)))
    elif segs:
        top, bottom = int(4.25 * EMU_IN), BODY_BOTTOM
        size, spacing = _fit_size(segs, w, bottom - top, GAP)
        shapes += _flow(segs, x, top, w, bottom, ink, refs, brand, ids, size, spacing)
    return "".join(shapes)


def _closing_slide_xml(slide: SlideContent, ids: _Ids, refs: _Refs, brand: Brand, ink: _Ink) -> str:
    x = int(1.1 * EMU_IN)
    w = SLIDE_W - x - MARGIN
    shapes = []
    top = int(0.6 * EMU_IN)
    if slide.title:
        # beside the logo, in the sizes of a content slide's title (a fixed 36 pt ran a title of
        # three lines out of the top of the slide); without a logo, across the slide. First in
        # the shape tree: the slide's reading order starts with its title
        title_w = w - int(3.4 * EMU_IN) if brand.logo else w
        title = _para_xml(((slide.title, False, False, False),), _title_size(slide.title, title_w),
                          ink.primary, '<a:pPr algn="l"><a:buNone/></a:pPr>')
        shapes.append(_sp_text(ids(), "Title 1", '<p:ph type="title"/>', x, top, title_w,
                               int(1.0 * EMU_IN), "b", title))
    shapes += [_sp_rect(ids(), "Accent Band", 0, 0, int(0.32 * EMU_IN), SLIDE_H, ink.primary),
               _logo_xml(ids, refs, brand, SLIDE_W - MARGIN - int(3.2 * EMU_IN), int(0.5 * EMU_IN),
                         int(3.2 * EMU_IN), int(0.85 * EMU_IN), right=True)]
    if slide.title:
        shapes.append(_sp_rect(ids(), "Accent Rule", x, int(1.75 * EMU_IN), int(1.4 * EMU_IN),
                               int(0.07 * EMU_IN), ink.primary))
    contact_h = int((0.5 + 0.45 * len(brand.contact)) * EMU_IN) if brand.contact else 0
    bottom = BODY_BOTTOM - contact_h
    segs = _segments_of(slide.blocks, brand)
    size, spacing = _fit_size(segs, w, bottom - int(2.05 * EMU_IN), GAP)
    shapes += _flow(segs, x, int(2.05 * EMU_IN), w, bottom, ink, refs, brand, ids, size, spacing)
    if brand.contact:
        seg = _TextSeg()
        seg.spacing = 0.3
        for k, line in enumerate(brand.contact):
            seg.paras.append((((line, k == 0, False, False),), 0, None, False, 1))
        shapes.append(_sp_rect(ids(), "Contact Rule", x, bottom + int(0.15 * EMU_IN), w, 6350, ink.grid))
        shapes.append(_sp_text(ids(), "Contact", ids.placeholder(), x, bottom + int(0.35 * EMU_IN), w,
                               contact_h - int(0.35 * EMU_IN), "t", seg.xml(20, ink)))
    return "".join(shapes)


def _content_slide_xml(slide: SlideContent, ids: _Ids, refs: _Refs, brand: Brand, ink: _Ink) -> str:
    shapes = [_title_xml(slide, ids, ink)] if slide.title else []
    top = BODY_TOP if slide.title else int(0.55 * EMU_IN)
    segs = _segments_of(slide.blocks, brand)
    size, spacing = _fit_size(segs, CONTENT_W, BODY_BOTTOM - top, GAP)
    shapes += _flow(segs, MARGIN, top, CONTENT_W, BODY_BOTTOM, ink, refs, brand, ids, size, spacing)
    return "".join(shapes)


def _columns_xml(slide: SlideContent, ids: _Ids, refs: _Refs, brand: Brand, ink: _Ink) -> str:
    shapes = [_title_xml(slide, ids, ink)] if slide.title else []
    top = BODY_TOP if slide.title else int(0.55 * EMU_IN)
    blocks = list(slide.blocks)
    cut = next((k for k, b in enumerate(blocks) if b.kind == "break"), len(blocks))
    halves = [_segments_of(blocks[:cut], brand), _segments_of(blocks[cut + 1:], brand)]
    if slide.layout in ("image-left", "image-right"):
        segs = _segments_of(blocks, brand)
        image = next((s for s in segs if getattr(s, "kind", "") == "image"), None)
        rest = [s for s in segs if s is not image]
        halves = [[image] if image else [], rest]
        if slide.layout == "image-right":
            halves.reverse()
    col_gap = int(0.5 * EMU_IN)
    w = (CONTENT_W - col_gap) // 2
    fitted = [_fit_size(h, w, BODY_BOTTOM - top, GAP) for h in halves if h]
    size, spacing = min(fitted) if fitted else FITS[0]
    for k, segs in enumerate(halves):
        shapes += _flow(segs, MARGIN + k * (w + col_gap), top, w, BODY_BOTTOM, ink, refs, brand, ids,
                        size, spacing)
    return "".join(shapes)


def _figure_box(text: str) -> tuple[int, int]:
    """A big number's (type size, box height): the largest of 110 pt down to 48 pt that holds
    it on one line, else 40 pt; a figure too long for one line wraps, and its box holds every
    line (one line's box let the second run over the caption). The figure is bold: its width is
    reckoned as bold type's (as regular type's, LibreOffice wrapped "1,234 patients" at 110 pt
    onto its caption)."""
    fsize = next((s for s in (110, 96, 80, 64, 48) if _lines(len(text), s, CONTENT_W, BOLD_CHAR_EM) <= 1), 40)
    lines = sum(_lines(k, fsize, CONTENT_W, BOLD_CHAR_EM) for k in _text_len(text))
    return fsize, int(lines * fsize * LINE * EMU_PT) + int(0.1 * EMU_IN)


def _big_number_xml(slide: SlideContent, ids: _Ids, refs: _Refs, brand: Brand, ink: _Ink) -> str:
    shapes = [_title_xml(slide, ids, ink)] if slide.title else []
    top = BODY_TOP if slide.title else int(0.55 * EMU_IN)
    blocks = list(slide.blocks)
    figure = blocks.pop(0) if blocks and blocks[0].kind == "paragraph" else None
    if figure is not None:
        fsize, fh = _figure_box(figure.text)
        runs = figure.runs or ((figure.text, False, False, False),)
        para = _para_xml(runs, fsize, ink.primary, '<a:pPr algn="l"><a:buNone/></a:pPr>', bold_all=True, refs=refs)
        shapes.append(_sp_text(ids(), "Big Number", ids.placeholder(), MARGIN, top, CONTENT_W, fh, "t", para))
        top += fh + GAP
    segs = _segments_of(blocks, brand)
    size, spacing = _fit_size(segs, CONTENT_W, BODY_BOTTOM - top, GAP)
    shapes += _flow(segs, MARGIN, top, CONTENT_W, BODY_BOTTOM, ink, refs, brand, ids, size, spacing)
    return "".join(shapes)


# The smallest text a slide's body may need before ``crowded`` says it holds too much: about
# the HTML deck's smallest (28 px shrunk to 60 % of a 1280 px stage is 12.6 pt of the 960 pt
# slide), where the HTML deck starts to cut.
CROWDED_BELOW = 12


def crowded(slide: SlideContent, index: int, contact_lines: int = 4) -> bool:
    """Whether the deck's slide ``index`` holds more than its layout shows with body text of
    ``CROWDED_BELOW`` pt (the same boxes and measures as the layouts above, images and the
    chart at their smallest): the HTML deck then cuts its end, and the .pptx shrinks it to
    10 pt or runs it off the slide (a table of 40 rows). For ``validate``."""
    layout = slide.layout_at(index)
    fits = tuple(f for f in FITS if f[0] >= CROWDED_BELOW)[-1:]
    brand = Brand(image_size=lambda path: (1, 1))  # every picture a picture, of any size
    top = BODY_TOP if slide.title else int(0.55 * EMU_IN)
    boxes = []  # (segments, width, height)
    if layout == "title":
        w = SLIDE_W - int(1.1 * EMU_IN) - MARGIN
        segs = _segments_of(slide.blocks, brand)
        if len(segs) == 1 and isinstance(segs[0], _TextSeg):
            return segs[0].height(10, w) > int(2.3 * EMU_IN)  # the subtitle, from 24 pt down to 10
        boxes.append((segs, w, BODY_BOTTOM - int(4.25 * EMU_IN)))
    elif layout == "closing":
        w = SLIDE_W - int(1.1 * EMU_IN) - MARGIN
        contact_h = int((0.5 + 0.45 * contact_lines) * EMU_IN) if contact_lines else 0
        boxes.append((_segments_of(slide.blocks, brand), w, BODY_BOTTOM - contact_h - int(2.05 * EMU_IN)))
    elif layout in ("two-column", "image-left", "image-right"):
        w = (CONTENT_W - int(0.5 * EMU_IN)) // 2
        blocks = list(slide.blocks)
        cut = next((k for k, b in enumerate(blocks) if b.kind == "break"), len(blocks))
        halves = [_segments_of(blocks[:cut], brand), _segments_of(blocks[cut + 1:], brand)]
        if layout != "two-column":
            segs = _segments_of(blocks, brand)
            image = next((s for s in segs if getattr(s, "kind", "") == "image"), None)
            halves = [[image] if image else [], [s for s in segs if s is not image]]
        boxes += [(h, w, BODY_BOTTOM - top) for h in halves if h]
    elif layout == "big-number":
        blocks = list(slide.blocks)
        if blocks and blocks[0].kind == "paragraph":
            figure = blocks.pop(0)
            top += _figure_box(figure.text)[1] + GAP
        boxes.append((_segments_of(blocks, brand), CONTENT_W, BODY_BOTTOM - top))
    else:
        boxes.append((_segments_of(slide.blocks, brand), CONTENT_W, BODY_BOTTOM - top))
    for segs, width, room in boxes:
        if segs and _fit_size(segs, width, room, GAP, fits) == fits[-1]:
            flex = sum(IMAGE_MIN if getattr(s, "kind", "") == "image" else CHART_MIN
                       for s in segs if getattr(s, "kind", "") in ("image", "chart"))
            size, spacing = fits[-1]
            if sum(_measure(segs, size, spacing, width)) + GAP * max(0, len(segs) - 1) + flex > room:
                return True
    return False


LAYOUT_XML = {"title": _title_slide_xml, "closing": _closing_slide_xml, "content": _content_slide_xml,
              "two-column": _columns_xml, "image-left": _columns_xml, "image-right": _columns_xml,
              "big-number": _big_number_xml}


def _slide_xml(index: int, slide: SlideContent, footer: str, ink: _Ink,
               brand: Brand = Brand(), hidden_title: str = "") -> tuple[str, str, tuple]:
    """(slide XML, its layout, what it refers to: ("image", path), ("logo",), ("chart",), ("link", address) as
    rId2, rId3, … in that order); ``hidden_title``: the title of a slide without a heading
    (``untitled``), out of sight."""
    layout = slide.layout_at(index)
    ids, refs = _Ids(), _Refs()
    body = _hidden_title_xml(hidden_title, ids, ink) if hidden_title and not slide.title else ""
    body += LAYOUT_XML.get(layout, _content_slide_xml)(slide, ids, refs, brand, ink)
    body += _footer_xml(ids.next, footer, index + 1, ink)
    return (f'{XML_DECL}<p:sld {NS}><p:cSld><p:bg><p:bgPr><a:solidFill><a:srgbClr val="{ink.surface}"/></a:solidFill>'
            f'<a:effectLst/></p:bgPr></p:bg><p:spTree>{_SP_TREE_HEAD}{body}</p:spTree></p:cSld>'
            f'<p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sld>'), layout, tuple(refs.items)


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
