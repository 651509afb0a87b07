"""What every chart shares: escaping, numbers, text widths and truncation, the <svg> element
with its accessible title, axis ticks and label spacing."""
from __future__ import annotations

import html
import re
from functools import lru_cache

from liaison.palette import Palette

# Colours come from the palette (liaison.palette): the one a chart is given, else the built-in
# one. series-1 the main series, series-2 a second series or a highlighted item, bad
# declines, faint the axis, grid gridlines and empty tracks, muted labels (readable on white,
# unlike the axis grey), strong values, surface the rim of dots.

FONT_SIZE = 12
# viewBox width of the full-size charts: narrow enough that 12-unit text still reads at about
# 9 px on a 390 px phone (the brief a liaison reads in the car), wide enough for 24 bars.
_VIEW_W = 480
MINUS = "\u2212"
NO_DATA = "No data yet"

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# ---------------------------------------------------------------------------- helpers

def _esc(text: object) -> str:
    """Escape a text value for XML content and attribute values; drop characters XML 1.0
    cannot hold at all (control characters), so the output always parses."""
    text = str(text)
    if not text.isprintable():  # (a printable text holds none of them: no scan for them)
        text = _XML_INVALID.sub("", text)
    return html.escape(text, quote=True)


def _n(x: float) -> str:
    """A coordinate with one decimal, without a trailing ``.0`` and never ``-0``."""
    s = f"{x:.1f}"
    if s[-1] == "0":  # one decimal: "….0"
        s = s[:-2]
        return "0" if s == "-0" else s
    return s


def _count(v: int) -> str:
    return f"{v:,}"


# Advance widths in ems, close to the common sans-serif faces (the font is inherited, so
# there are no metrics at build time); estimates err on the wide side by _SAFETY.
_NARROW = frozenset(" .,:;'!|ijlft()[]\u00b7")
_WIDE = frozenset("MWmw@%\u2014")
_SAFETY = 1.05


def _char_w(c: str) -> int:
    """Advance width of ``c`` in thousandths of an em (integers: their sum is exact, so the
    layout is the same on every Python; ``sum()`` of floats rounds differently from 3.12 on)."""
    if c in _NARROW:
        return 300
    if c in _WIDE:
        return 850
    if c.isdigit():
        return 560
    if c == "-":
        return 340
    if c.isupper():
        return 680
    if c.islower():
        return 520
    return 1000 if ord(c) >= 0x2E80 else 600   # CJK and the like are full width


@lru_cache(maxsize=8192)  # the same labels (months, counts) recur on every chart
def _text_w(text: str, size: float = FONT_SIZE) -> float:
    """Estimated rendered width of ``text`` in user units."""
    return sum(_char_w(c) for c in text) / 1000 * size * _SAFETY


def _truncate(text: str, width: float, size: float = FONT_SIZE) -> str:
    """``text`` cut with an ellipsis so that it fits in about ``width`` user units, at the
    end of a word ("Peripheral Artery…", never "Peripheral Artery Disea…"); a first word
    too long for the room alone is cut where the room ends. (Its full text goes into the
    label's <title>: see ``_text``'s ``full``.)"""
    if _text_w(text, size) <= width:
        return text
    room = width - _text_w("\u2026", size)
    out = ""
    for c in text:
        if _text_w(out + c, size) > room:
            break
        out += c
    if out and len(out) < len(text) and text[len(out)].isalnum() and out[-1].isalnum():
        cut = max(out.rfind(" "), out.rfind("-"), out.rfind("/"))
        if cut > 0:
            out = out[:cut]
    return (out.rstrip(" -/,;:") or text[:1]) + "\u2026"


def _unit(label: str, v: int) -> str:
    """``"14 referrals"``, ``"1 referral"``: the value with its lower-cased series label."""
    word = label.lower()
    if v == 1 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return f"{_count(v)} {word}".rstrip()


def _pct(part: int, whole: int) -> int:
    """Integer percentage, rounded half away from zero (exact integer arithmetic)."""
    return (200 * part + whole) // (2 * whole)


_INT = {int}


def _check_counts(values, name: str) -> list[int]:
    out = list(values)
    if not out or (set(map(type, out)) == _INT and min(out) >= 0):
        return out  # the common case, in built-ins
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int):
            raise TypeError(f"{name}: counts must be int, got {type(v).__name__}")
        if v < 0:
            raise ValueError(f"{name}: counts must be >= 0, got {v}")
        out.append(v)
    return out


def _open(kind: str, width: float, height: float, title: str, summary: str, *,
          size_attrs: str = 'width="100%"', layout: str | None = None) -> list[str]:
    """The <svg> and its summary; ``layout`` ("side", "stacked"): which of a chart of
    categories' two layouts it is (a class the style sheet shows one of by width)."""
    label = _esc(title)
    kind = f"{kind} chart-{layout}" if layout else kind
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" '
        f'viewBox="0 0 {_n(width)} {_n(height)}" {size_attrs} '
        f'preserveAspectRatio="xMidYMid meet" role="img" aria-label="{label}" '
        f'font-family="inherit" font-size="{FONT_SIZE}">',
        f"<title>{_esc(summary)}</title>",
    ]


def _text(x: float, y: float, text: str, *, cls: str, fill: str, anchor: str = "start",
          weight: str | None = None, size: float | None = None, full: str | None = None) -> str:
    """A <text>; ``full``: the whole of a label cut to fit, as its <title> (shown when
    pointed at, and read by screen readers) when it differs from ``text``."""
    extra = f' font-weight="{weight}"' if weight else ""
    extra += f' font-size="{_n(size)}"' if size else ""
    title = f"<title>{_esc(full)}</title>" if full and full != text else ""
    return (f'<text class="{cls}" x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" '
            f'fill="{fill}"{extra}>{_esc(text)}{title}</text>')


def _empty(kind: str, width: float, height: float, title: str, c: Palette,
           layout: str | None = None) -> str:
    """A chart frame that says "No data yet"."""
    parts = _open(kind, width, height, title, f"{title}: {NO_DATA.lower()}.", layout=layout)
    parts.append(f'<rect class="chart-empty" x="0.5" y="0.5" width="{_n(width - 1)}" '
                 f'height="{_n(height - 1)}" rx="4" fill="none" stroke="{c.grid}" '
                 f'stroke-dasharray="4 4"/>')
    parts.append(_text(width / 2, height / 2 + FONT_SIZE * 0.35, NO_DATA,
                       cls="chart-label chart-empty-label", fill=c.muted, anchor="middle"))
    parts.append("</svg>")
    return "".join(parts)


def _nice_ticks(peak: int) -> list[int]:
    """Gridline values for a y axis from 0 to at least ``peak``: 3 to 5 lines (0 included),
    an integer step of 1, 2 or 5 × 10^k. ``[0]`` alone when ``peak`` is 0."""
    if peak <= 0:
        return [0]
    k = 0
    while True:
        for mult in (1, 2, 5):
            step = mult * 10 ** k
            intervals = -(-peak // step)
            if intervals <= 4:
                return [i * step for i in range(max(2, intervals) + 1)]
        k += 1


def _label_step(n: int, slot: float, widest: float) -> int:
    """Show every step-th x label so that neighbours never overlap: the smallest of 1, 2, 3,
    4, 6, 12, 24… whose spacing holds the widest label and a gap."""
    need = (widest + 6) / slot if slot > 0 else n
    candidates = [1, 2, 3, 4, 6]
    while candidates[-1] < n:
        candidates.append(candidates[-1] * 2 if candidates[-1] >= 12 else 12)
    return next((c for c in candidates if c >= need), candidates[-1])
