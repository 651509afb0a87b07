"""The .pptx package: the invariant parts (theme, master, layouts, notes master), built
with python-pptx once per process and palette and deflated once (kept beside the package, or
in the cache folder, between runs when the writer is told where), and ``DeckWriter``, which
writes each deck's own parts from string templates and zips the package by hand with fixed
entry order, timestamps and compression (byte-identical builds)."""
from __future__ import annotations

import datetime
import hashlib
import io
import pickle
import struct
import threading
import zipfile
import zlib
from dataclasses import dataclass, replace
from pathlib import Path

from liaison import palette as palette_stage
from liaison.palette import Palette
from liaison.pptx.markdown import SlideContent
from liaison.pptx import chart as chart_part
from liaison.pptx.slides import (CHART_ALT, DARK_2, SLIDE_H, SLIDE_W, XML_DECL, Brand, _Ink, _notes_xml,
                                 _slide_xml, _x, _xa, unique_titles, untitled)

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


def _base(ink: _Ink, kept_at: Path | None = None) -> _Base:
    with _BASE_LOCK:
        if ink not in _BASES:
            _BASES[ink] = _build_base(ink) if kept_at is None else _kept_base(ink, kept_at)
        return _BASES[ink]


# The invariant parts of this code and these libraries, kept beside the package as Python
# keeps its compiled modules in ``__pycache__`` (and liaison.render the built-in templates
# compiled): every cache folder, an empty one included, and every site root take them from
# there; the cache folder keeps them where this folder cannot be written.
BESIDE = Path(__file__).parent / "__pycache__" / "bases"


def _kept_base(ink: _Ink, path: Path) -> _Base:
    """``_build_base``, kept under the code's and libraries' fingerprint and the colours,
    beside the package (``BESIDE``: a file per palette), else at ``path`` (liaison.cache):
    python-pptx and lxml are imported, and the parts made, only when one of them changed
    (0.07-0.09 s of the process that writes the decks, most of it the imports)."""
    from liaison.buildrecord import code_fingerprint
    from liaison.cache import keep, kept_for

    fingerprint = code_fingerprint()
    key = (fingerprint, repr(ink))
    colours = hashlib.blake2b(repr(ink).encode(), digest_size=8).hexdigest()
    beside = BESIDE / f"{fingerprint[:16]}-{colours}.pickle"
    for place in (beside, path):
        base = _taken(place, key)
        if base is not None:
            return base
    base = _build_base(ink)
    place = beside if kept_for(BESIDE, fingerprint[:16]) else path
    keep(place, lambda fh: pickle.dump((key, base), fh, protocol=pickle.HIGHEST_PROTOCOL))
    return base


def _taken(path: Path, key: tuple) -> _Base | None:
    """The parts kept at ``path`` under ``key``; None when the file is missing, damaged or
    of another key."""
    try:
        with open(path, "rb") as fh:
            kept_key, base = pickle.load(fh)
    except Exception:
        return None
    return base if kept_key == key and isinstance(base, _Base) else None


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


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) in pixels of a PNG or JPEG, from its header; None for anything else."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24 and data[12:16] == b"IHDR":
        return struct.unpack(">II", data[16:24])
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7 or marker == 0xFF:
                i += 1 if marker == 0xFF else 2
                continue
            length = struct.unpack(">H", data[i + 2:i + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
                h, w = struct.unpack(">HH", data[i + 5:i + 9])
                return (w, h) if w and h else None
            i += 2 + length
    return None


def _ext(data: bytes) -> str:
    return "png" if data[:4] == b"\x89PNG" else "jpeg"


class DeckWriter:
    """Writes decks as .pptx packages: the practice's name in every slide's footer, and
    ``as_of`` the only timestamp in the package (docProps/core.xml created and modified); the
    colours are ``palette``'s (liaison.palette; the active one by default). ``logo`` (PNG or
    JPEG bytes) goes on the title and closing slides, ``contact`` (lines) on the closing slide;
    ``media(path)`` gives the bytes of a slide image (a path beneath content/presentations/)
    or None; ``kept_at``: where the package's invariant parts are kept between runs
    (``_kept_base``)."""

    def __init__(self, practice_name: str, as_of: datetime.date, palette: Palette | None = None,
                 logo: bytes | None = None, contact: tuple = (), media=None,
                 kept_at: Path | None = None):
        self.practice_name = practice_name
        self.as_of = as_of
        self._ink = _Ink.of(palette or palette_stage.DEFAULT)
        self._base = _base(self._ink, kept_at)
        self._logo = logo if logo and image_size(logo) else None
        self._media_of = media
        self._media: dict[str, bytes | None] = {}
        self._brand = Brand(logo=image_size(self._logo) if self._logo else None, contact=tuple(contact),
                            image_size=self._image_size, name=practice_name)
        stamp = f"{as_of.isoformat()}T00:00:00Z"
        self._slides: dict[tuple, tuple[str, bool]] = {}  # a slide shown in many decks: one XML
        self._core_tail = (f'<cp:lastModifiedBy>{_x(practice_name)}</cp:lastModifiedBy><cp:revision>1</cp:revision>'
                           f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
                           f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
                           f'</cp:coreProperties>')

    def _image(self, path: str) -> bytes | None:
        if path not in self._media:
            data = self._media_of(path) if self._media_of else None
            self._media[path] = data if data and image_size(data) else None
        return self._media[path]

    def _image_size(self, path: str) -> tuple[int, int] | None:
        data = self._image(path)
        return image_size(data) if data else None

    def write(self, title: str, slides: list[SlideContent],
              chart: tuple[list[str], list[int]] | None = None,
              chart_title: str = "Referrals per month") -> bytes:
        """One deck's package; ``chart`` (month labels, referrals) fills the slides that show
        the practice's referral chart (without it, in the generic deck, they show none), its
        alternative text ``chart_title`` and every figure."""
        base = self._base
        parts: list[tuple[str, str]] = []
        n = len(slides)
        rid0 = base.next_rid
        slide_parts, notes_parts, media_parts, chart_parts = [], [], {}, []
        if chart is None:  # no practice, no chart: a slide that asks for one shows none (as in HTML)
            slides = [replace(s, blocks=tuple(b for b in s.blocks if b.kind != "chart"))
                      if any(b.kind == "chart" for b in s.blocks) else s for s in slides]
        # every slide a title, none twice (PowerPoint's Accessibility Checker asks both): a
        # slide without a heading gets one out of sight, a repeated one its number
        titles = unique_titles([s.title or untitled(s, k) for k, s in enumerate(slides, start=1)])
        for k, (slide, slide_title) in enumerate(zip(slides, titles), start=1):
            hidden = "" if slide.title else slide_title
            if slide.title and slide_title != slide.title:
                slide = replace(slide, title=slide_title)
            # runs, ordered and numbers take no part in ==: name them, or a bold-only edit (or
            # a list's "1." made "6.") would hit
            key = (k, slide, hidden, tuple((b.runs, b.ordered, b.numbers) for b in slide.blocks))
            made = self._slides.get(key)
            if made is None:
                if len(self._slides) > 5000:
                    self._slides.clear()
                made = self._slides[key] = _slide_xml(k - 1, slide, self.practice_name, self._ink, self._brand,
                                                      hidden)
            xml, layout_name, refs = made
            if ("chart",) in refs:
                xml = xml.replace(CHART_ALT, _xa(chart_part.alt_text(chart_title, *chart)))
            layout = base.layout_title if layout_name == "title" else base.layout_content
            layout_target = "../slideLayouts/" + layout.rsplit("/", 1)[1]
            rels = f'<Relationship Id="rId1" Type="{REL}/slideLayout" Target="{layout_target}"/>'
            for r, ref in enumerate(refs, start=2):
                if ref[0] == "chart":
                    c = len(chart_parts) // 3 + 1
                    labels, values = chart or ([], [])
                    ink = self._ink
                    chart_parts.append((f"ppt/charts/chart{c}.xml", chart_part.chart_xml(
                        labels, values, bar=ink.primary, text=ink.muted, grid=ink.grid, label=ink.strong)))
                    chart_parts.append((f"ppt/charts/_rels/chart{c}.xml.rels", _rels(
                        f'<Relationship Id="rId1" Type="{REL}/package" '
                        f'Target="../embeddings/Microsoft_Excel_Sheet{c}.xlsx"/>')))
                    chart_parts.append((f"ppt/embeddings/Microsoft_Excel_Sheet{c}.xlsx",
                                        _workbook(labels, values)))
                    rels += f'<Relationship Id="rId{r}" Type="{REL}/chart" Target="../charts/chart{c}.xml"/>'
                    continue
                if ref[0] == "link":
                    rels += (f'<Relationship Id="rId{r}" Type="{REL}/hyperlink" Target="{_xa(ref[1])}" '
                             'TargetMode="External"/>')
                    continue
                data = self._logo if ref[0] == "logo" else self._image(ref[1])
                name = media_parts.get(data)
                if name is None:
                    name = media_parts[data] = f"image{len(media_parts) + 1}.{_ext(data)}"
                rels += f'<Relationship Id="rId{r}" Type="{REL}/image" Target="../media/{name}"/>'
            if slide.notes:
                rels += (f'<Relationship Id="rId{len(refs) + 2}" Type="{REL}/notesSlide" '
                         f'Target="../notesSlides/notesSlide{k}.xml"/>')
                notes_parts.append((f"ppt/notesSlides/notesSlide{k}.xml", _notes_xml(slide.notes)))
                notes_parts.append((f"ppt/notesSlides/_rels/notesSlide{k}.xml.rels", _rels(
                    f'<Relationship Id="rId1" Type="{REL}/notesMaster" Target="../notesMasters/notesMaster1.xml"/>'
                    f'<Relationship Id="rId2" Type="{REL}/slide" Target="../slides/slide{k}.xml"/>')))
            slide_parts.append((f"ppt/slides/slide{k}.xml", xml))
            slide_parts.append((f"ppt/slides/_rels/slide{k}.xml.rels", _rels(rels)))

        overrides = list(base.content_types)
        overrides += [(f"/ppt/slides/slide{k}.xml", CT_SLIDE) for k in range(1, n + 1)]
        overrides += [("/" + name, CT_NOTES) for name, _ in notes_parts if not name.endswith(".rels")]
        overrides += [("/" + name, chart_part.CT_CHART) for name, _ in chart_parts if name.endswith(".xml")]
        overrides += [("/docProps/app.xml", "application/vnd.openxmlformats-officedocument.extended-properties+xml"),
                      ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml")]
        overrides.sort()
        ct = (f'{XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
              '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
              '<Default Extension="xml" ContentType="application/xml"/>'
              + "".join(f'<Default Extension="{e}" ContentType="{t}"/>' for e, t in (
                  ("jpeg", "image/jpeg"), ("png", "image/png"), ("xlsx", chart_part.CT_XLSX))
                  if any(n.endswith("." + e) for n in [*media_parts.values(), *(c[0] for c in chart_parts)]))
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
        tail += [_shared_entry(f"ppt/media/{name}", data, 1) for data, name in media_parts.items()]
        tail += [_shared_entry(name, text if isinstance(text, bytes) else text.encode("utf-8"))
                 for name, text in chart_parts]
        return _zip(head, base, tail)


_SHARED: dict[tuple[str, bytes], _Entry] = {}


def _shared_entry(name: str, raw: bytes, level: int = 6) -> _Entry:
    """A deflated entry, remembered: the same part in many decks is deflated once."""
    key = (name, raw)
    entry = _SHARED.get(key)
    if entry is None:
        if len(_SHARED) >= 20000:
            _SHARED.clear()
        entry = _SHARED[key] = _Entry.of(name, raw, level)
    return entry


def _workbook(labels: list[str], values: list[int]) -> bytes:
    """The chart's embedded workbook: a small .xlsx zipped like the deck (fixed order and
    timestamps)."""
    entries = [_Entry.of(name, text.encode("utf-8")) for name, text in chart_part.workbook_parts(labels, values)]
    return _zip(entries, _Base([], b"", [], "", "", "", 0, "", ""), [])


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
