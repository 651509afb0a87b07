"""The text of each page of a PDF that Chromium printed (Playwright's ``page.pdf()``), for tests
only and without a PDF library: enough of PDF to read Skia's output, not PDF in general.

Skia writes each page as a ``/Type /Page`` object with ``/Contents`` (one Flate-compressed
stream) and ``/Resources`` naming its fonts (``/F5 5 0 R``); each font is a Type0 font with a
``/ToUnicode`` CMap (``bfchar`` and ``bfrange`` entries) and the text is shown by ``Tj`` and
``TJ`` operators with hexadecimal strings of two-byte glyph codes. ``pages(pdf)`` returns one
string per page in the page tree's order: the shown strings in the order drawn, joined as
they are (Skia shows glyph by glyph, spaces as glyphs; a line break adds nothing, so compare
text without its whitespace: ``squeeze``); ``links(pdf)`` the link URIs of each page's
annotations.
"""
from __future__ import annotations

import re
import zlib

_OBJ = re.compile(rb"(\d+) 0 obj\s*(.*?)\bendobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*)\r?\nendstream", re.S)


def _objects(pdf: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """Object number -> (its dictionary text, its stream decompressed or None)."""
    out = {}
    for num, body in _OBJ.findall(pdf):
        m = _STREAM.search(body)
        head = body[:m.start()] if m else body
        data = None
        if m:
            data = m.group(1)
            if b"/FlateDecode" in head:
                data = zlib.decompress(data)
        out[int(num)] = (head, data)
    return out


def _cmap(data: bytes) -> dict[int, str]:
    """A ToUnicode CMap: glyph code -> text."""
    out: dict[int, str] = {}

    def text(hexes: bytes) -> str:
        return bytes.fromhex(hexes.decode()).decode("utf-16-be", "replace")

    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for code, uni in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            out[int(code, 16)] = text(uni)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, rest in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(\[[^\]]*\]|<[0-9A-Fa-f]+>)",
                                       block):
            lo_i, hi_i = int(lo, 16), int(hi, 16)
            if rest.startswith(b"["):
                for i, uni in enumerate(re.findall(rb"<([0-9A-Fa-f]+)>", rest)):
                    out[lo_i + i] = text(uni)
            else:
                start = bytes.fromhex(rest[1:-1].decode())
                first = int.from_bytes(start, "big")
                for i in range(hi_i - lo_i + 1):
                    out[lo_i + i] = (first + i).to_bytes(len(start), "big").decode("utf-16-be", "replace")
    return out


def _page_objects(objs) -> list[int]:
    """Page object numbers in the page tree's order."""
    root = next(n for n, (head, _) in objs.items() if re.search(rb"/Type\s*/Pages\b", head)
                and b"/Parent" not in head)
    order: list[int] = []

    def walk(n: int) -> None:
        head = objs[n][0]
        if re.search(rb"/Type\s*/Pages\b", head):
            kids = re.search(rb"/Kids\s*\[([^\]]*)\]", head).group(1)
            for k in re.findall(rb"(\d+) 0 R", kids):
                walk(int(k))
        else:
            order.append(n)

    walk(root)
    return order


def _resolve_dict(objs, head: bytes, key: bytes) -> bytes:
    """The dictionary text under ``key`` in ``head``: inline (<< >>) or an indirect object."""
    m = re.search(rb"/" + key + rb"\s*(\d+) 0 R", head)
    if m:
        return objs[int(m.group(1))][0]
    i = head.find(b"/" + key)
    if i < 0:
        return b""
    depth, j = 0, head.index(b"<<", i)
    k = j
    while k < len(head):
        if head.startswith(b"<<", k):
            depth += 1
            k += 2
        elif head.startswith(b">>", k):
            depth -= 1
            k += 2
            if depth == 0:
                return head[j:k]
        else:
            k += 1
    return head[j:]


def pages(pdf: bytes) -> list[str]:
    """The text of each page, in order."""
    objs = _objects(pdf)
    cmaps: dict[int, dict[int, str]] = {}
    out = []
    for n in _page_objects(objs):
        head = objs[n][0]
        fonts = {}
        resources = _resolve_dict(objs, head, b"Resources")
        for name, ref in re.findall(rb"/(F\d+)\s+(\d+) 0 R", _resolve_dict(objs, resources, b"Font")):
            font_head = objs[int(ref)][0]
            m = re.search(rb"/ToUnicode\s+(\d+) 0 R", font_head)
            if m:
                t = int(m.group(1))
                if t not in cmaps:
                    cmaps[t] = _cmap(objs[t][1] or b"")
                fonts[name] = cmaps[t]
        contents = [int(x) for x in re.findall(rb"(\d+) 0 R", re.search(
            rb"/Contents\s*(\[[^\]]*\]|\d+ 0 R)", head).group(1))]
        words: list[str] = []
        for c in contents:
            stream = objs[c][1] or b""
            cmap: dict[int, str] = {}
            for tok in re.finditer(rb"/(F\d+)\s+[\d.]+\s+Tf|\[((?:[^\]\\]|\\.)*)\]\s*TJ|<([0-9A-Fa-f]*)>\s*Tj",
                                   stream):
                if tok.group(1):
                    cmap = fonts.get(tok.group(1), {})
                    continue
                hexes = re.findall(rb"<([0-9A-Fa-f]*)>", tok.group(2)) if tok.group(2) is not None \
                    else [tok.group(3)]
                text = ""
                for h in hexes:
                    raw = bytes.fromhex(h.decode())
                    text += "".join(cmap.get(int.from_bytes(raw[i:i + 2], "big"), "\ufffd")
                                    for i in range(0, len(raw) - 1, 2))
                words.append(text)
        out.append("".join(words))
    return out


def squeeze(text: str) -> str:
    """``text`` without whitespace: what a page's text is compared by."""
    return "".join(text.split())


def links(pdf: bytes) -> list[list[str]]:
    """The URIs of each page's link annotations, in order."""
    objs = _objects(pdf)
    out = []
    for n in _page_objects(objs):
        head = objs[n][0]
        m = re.search(rb"/Annots\s*\[([^\]]*)\]", head)
        uris = []
        for ref in re.findall(rb"(\d+) 0 R", m.group(1) if m else b""):
            u = re.search(rb"/URI\s*\(((?:[^)\\]|\\.)*)\)", objs[int(ref)][0])
            if u:
                uris.append(u.group(1).decode("latin-1"))
        out.append(uris)
    return out
