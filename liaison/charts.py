"""Inline SVG charts drawn at build time: bar chart, sparkline, funnel, share bars.

Every chart is one ``<svg>`` element meant to be pasted straight into a page that carries a
strict Content-Security-Policy (``style-src 'self'``), so the markup holds no ``style``
attribute and no ``<style>`` element: it looks right with SVG presentation attributes alone
(fill, stroke, font-size, text-anchor…), and every element also carries a ``chart-…`` class
the site's stylesheet may refine.

Every chart is accessible (``role="img"``, an ``aria-label`` and a ``<title>`` with a text
summary), scales with its container (``viewBox``, ``width="100%"``, ``preserveAspectRatio``)
down to a 390 px phone screen, escapes every text value, and is deterministic: the same input
gives a byte-identical string (numbers are written with fixed precision, nothing depends on
time, locale or hash order). Pure functions of their arguments and the palette
(liaison.palette: the one passed as ``palette``, else the built-in one).
"""
from __future__ import annotations

import html
import re

from liaison import palette as palette_stage
from liaison.palette import Palette

__all__ = ["bar_chart", "sparkline", "funnel_chart", "share_bars", "trend_badge"]

# Colours come from the palette (liaison.palette): the one a chart is given, else the active
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
    return html.escape(_XML_INVALID.sub("", str(text)), quote=True)


def _n(x: float) -> str:
    """A coordinate with one decimal, without a trailing ``.0`` and never ``-0``."""
    s = f"{x:.1f}"
    if s.endswith(".0"):
        s = s[:-2]
    return "0" if s == "-0" else s


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


def _text_w(text: str, size: float = FONT_SIZE) -> float:
    """Estimated rendered width of ``text`` in user units."""
    return sum(_char_w(c) for c in text) / 1000 * size * _SAFETY


def _truncate(text: str, width: float, size: float = FONT_SIZE) -> str:
    """``text`` cut with an ellipsis so that it fits in about ``width`` user units."""
    if _text_w(text, size) <= width:
        return text
    room = width - _text_w("\u2026", size)
    out = ""
    for c in text:
        if _text_w(out + c, size) > room:
            break
        out += c
    return (out.rstrip() or text[:1]) + "\u2026"


def _unit(label: str, v: int) -> str:
    """``"14 referrals"``, ``"1 referral"``: the value with its lower-cased series label."""
    word = label.lower()
    if v == 1 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return f"{_count(v)} {word}".rstrip()


def _pct(part: int, whole: int) -> int:
    """Integer percentage, rounded half away from zero (exact integer arithmetic)."""
    return (200 * part + whole) // (2 * whole)


def _check_counts(values, name: str) -> list[int]:
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int):
            raise TypeError(f"{name}: counts must be int, got {type(v).__name__}")
        if v < 0:
            raise ValueError(f"{name}: counts must be >= 0, got {v}")
        out.append(v)
    return out


def _open(kind: str, width: float, height: float, title: str, summary: str, *,
          size_attrs: str = 'width="100%"') -> list[str]:
    label = _esc(title)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" '
        f'viewBox="0 0 {_n(width)} {_n(height)}" {size_attrs} '
        f'preserveAspectRatio="xMidYMid meet" role="img" aria-label="{label}" '
        f'font-family="inherit" font-size="{FONT_SIZE}">',
        f"<title>{_esc(summary)}</title>",
    ]


def _text(x: float, y: float, text: str, *, cls: str, fill: str, anchor: str = "start",
          weight: str | None = None, size: float | None = None) -> str:
    extra = f' font-weight="{weight}"' if weight else ""
    extra += f' font-size="{_n(size)}"' if size else ""
    return (f'<text class="{cls}" x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" '
            f'fill="{fill}"{extra}>{_esc(text)}</text>')


def _empty(kind: str, width: float, height: float, title: str, c: Palette) -> str:
    """A chart frame that says "No data yet"."""
    parts = _open(kind, width, height, title, f"{title}: {NO_DATA.lower()}.")
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


# ---------------------------------------------------------------------------- bar chart

def bar_chart(labels: list[str], values: list[int], *, title: str,
              secondary: list[int] | None = None, secondary_label: str | None = None,
              primary_label: str = "Referrals", height: int = 220,
              palette: Palette | None = None) -> str:
    """Vertical bars, one per label (e.g. 24 months of referrals), with an optional second
    series drawn as an amber line with dots (e.g. in-person visits).

    The y axis has 3-5 round gridlines; x labels are thinned so that they never overlap (the
    most recent one is always shown); each bar and dot carries a ``<title>`` tooltip
    (``"2026-03: 14 referrals"``); a legend appears when there are two series. Empty input
    renders a "No data yet" chart; all-zero input a chart with only its 0 line.

    Raises ValueError when the lists differ in length or a count is negative.
    """
    c = palette or palette_stage.DEFAULT
    labels = [str(x) for x in labels]
    values = _check_counts(values, "values")
    if len(labels) != len(values):
        raise ValueError(f"bar_chart: {len(labels)} labels but {len(values)} values")
    if secondary is not None:
        secondary = _check_counts(secondary, "secondary")
        if len(secondary) != len(values):
            raise ValueError(f"bar_chart: {len(values)} values but {len(secondary)} secondary")
    height = max(int(height), 120)
    width = _VIEW_W
    if not values:
        return _empty("bar", width, 80, title, c)

    n = len(values)
    second_name = secondary_label or "Second series"
    peak = max(values + (secondary or []))
    ticks = _nice_ticks(peak)
    top_value = ticks[-1] or 1

    widest_x = max(_text_w(lb) for lb in labels)
    widest_y = max(_text_w(_count(t)) for t in ticks)
    left = max(28.0, widest_y + 10)
    # Right margin: the last x label, centred on the last bar, must end inside the view
    # (right + slot / 2 >= half the label + 2, with slot = (width - left - right) / n).
    half = 1 / (2 * n)
    right = max(10.0, (widest_x / 2 + 2 - (width - left) * half) / (1 - half))
    top = 30.0 if secondary is not None else 10.0
    bottom = 24.0
    plot_w = width - left - right
    plot_h = height - top - bottom
    base = top + plot_h
    slot = plot_w / n
    bar_w = slot * 0.7 if n > 1 else min(slot * 0.5, 60.0)

    def y_of(v: int) -> float:
        return base - plot_h * v / top_value

    # Summary for screen readers and the tooltip of the whole chart.
    total = sum(values)
    hi = max(range(n), key=lambda i: (values[i], -i))
    span = labels[0] if n == 1 else f"{labels[0]} to {labels[-1]}"
    summary = (f"{title}: {primary_label} for {n} period{'s' if n != 1 else ''}, {span}; "
               f"total {_count(total)}")
    if total:
        summary += f", highest {_count(values[hi])} in {labels[hi]}"
    summary += f", latest {_count(values[-1])} in {labels[-1]}."
    if secondary is not None:
        summary += (f" {second_name}: total {_count(sum(secondary))}, "
                    f"latest {_count(secondary[-1])}.")

    parts = _open("bar", width, height, title, summary)

    # Gridlines and y labels.
    parts.append('<g class="chart-grid">')
    for t in ticks:
        y = y_of(t) if t else base
        if t:
            parts.append(f'<line class="chart-gridline" x1="{_n(left)}" y1="{_n(y)}" '
                         f'x2="{_n(width - right)}" y2="{_n(y)}" stroke="{c.grid}" '
                         f'stroke-width="1"/>')
        parts.append(_text(left - 6, y + FONT_SIZE * 0.35, _count(t),
                           cls="chart-label chart-y-label", fill=c.muted, anchor="end"))
    parts.append("</g>")

    # Bars.
    noun = primary_label
    parts.append('<g class="chart-bars">')
    for i, (lb, v) in enumerate(zip(labels, values)):
        h = plot_h * v / top_value
        x = left + slot * i + (slot - bar_w) / 2
        parts.append(f'<rect class="chart-bar chart-series-1" x="{_n(x)}" y="{_n(base - h)}" '
                     f'width="{_n(bar_w)}" height="{_n(h)}" fill="{c.series_1}">'
                     f"<title>{_esc(f'{lb}: {_unit(noun, v)}')}</title></rect>")
    parts.append("</g>")

    # Axis line on top of the bars' feet.
    parts.append(f'<line class="chart-axis" x1="{_n(left)}" y1="{_n(base)}" '
                 f'x2="{_n(width - right)}" y2="{_n(base)}" stroke="{c.faint}" stroke-width="1"/>')

    # X labels, thinned; the most recent one is always shown.
    step = _label_step(n, slot, widest_x)
    parts.append('<g class="chart-x-labels">')
    for i, lb in enumerate(labels):
        if (n - 1 - i) % step == 0:
            parts.append(_text(left + slot * (i + 0.5), base + 16, lb,
                               cls="chart-label chart-x-label", fill=c.muted, anchor="middle"))
    parts.append("</g>")

    # Second series: a line with dots.
    if secondary is not None:
        pts = [(left + slot * (i + 0.5), y_of(v)) for i, v in enumerate(secondary)]
        parts.append('<g class="chart-series chart-series-2">')
        if n > 1:
            coords = " ".join(f"{_n(x)},{_n(y)}" for x, y in pts)
            parts.append(f'<polyline class="chart-line chart-series-2" points="{coords}" '
                         f'fill="none" stroke="{c.series_2}" stroke-width="2" '
                         f'stroke-linejoin="round" stroke-linecap="round"/>')
        r = 3.0 if n <= 24 else 2.0
        for (x, y), lb, v in zip(pts, labels, secondary):
            parts.append(f'<circle class="chart-dot chart-series-2" cx="{_n(x)}" cy="{_n(y)}" '
                         f'r="{_n(r)}" fill="{c.series_2}" stroke="{c.surface}" stroke-width="1">'
                         f"<title>{_esc(f'{lb}: {_unit(second_name, v)}')}</title></circle>")
        parts.append("</g>")

        # Legend.
        lx, ly = left, 14.0
        parts.append('<g class="chart-legend">')
        parts.append(f'<rect class="chart-legend-swatch chart-series-1" x="{_n(lx)}" '
                     f'y="{_n(ly - 9)}" width="10" height="10" rx="1" fill="{c.series_1}"/>')
        parts.append(_text(lx + 14, ly, primary_label, cls="chart-label chart-legend-label",
                           fill=c.muted))
        lx += 14 + _text_w(primary_label) + 18
        parts.append(f'<line class="chart-legend-swatch chart-series-2" x1="{_n(lx)}" '
                     f'y1="{_n(ly - 4)}" x2="{_n(lx + 16)}" y2="{_n(ly - 4)}" '
                     f'stroke="{c.series_2}" stroke-width="2"/>')
        parts.append(f'<circle class="chart-legend-swatch chart-series-2" cx="{_n(lx + 8)}" '
                     f'cy="{_n(ly - 4)}" r="3" fill="{c.series_2}"/>')
        parts.append(_text(lx + 20, ly, second_name, cls="chart-label chart-legend-label",
                           fill=c.muted))
        parts.append("</g>")

    parts.append("</svg>")
    return "".join(parts)


# ---------------------------------------------------------------------------- sparkline

def sparkline(values: list[int], *, title: str, width: int = 120, height: int = 28,
              palette: Palette | None = None) -> str:
    """A tiny line (e.g. the last 12 months) for a table row or a brief, with the last point
    marked. The scale starts at 0, so a small dip does not look like a collapse; constant
    data draws a flat line, empty data a dashed baseline.

    Unlike the full-size charts, a sparkline keeps its pixel size (``width``/``height``
    attributes, which fit any phone): stretched to its container's width it would grow as
    tall as a chart inside a table cell.
    """
    c = palette or palette_stage.DEFAULT
    values = _check_counts(values, "values")
    width = max(int(width), 16)
    height = max(int(height), 8)
    pad = 3.5
    size = f'width="{width}" height="{height}"'
    n = len(values)
    if n == 0:
        parts = _open("sparkline", width, height, title, f"{title}: {NO_DATA.lower()}.",
                      size_attrs=size)
        y = height - pad
        parts.append(f'<line class="chart-line chart-empty" x1="{_n(pad)}" y1="{_n(y)}" '
                     f'x2="{_n(width - pad)}" y2="{_n(y)}" stroke="{c.faint}" stroke-width="1" '
                     f'stroke-dasharray="2 3"/>')
        parts.append("</svg>")
        return "".join(parts)

    peak = max(values)
    summary = (f"{title}: {', '.join(_count(v) for v in values)}; latest {_count(values[-1])}, "
               f"highest {_count(peak)}, lowest {_count(min(values))}.")
    parts = _open("sparkline", width, height, title, summary, size_attrs=size)
    inner_w = width - 2 * pad
    inner_h = height - 2 * pad
    base = height - pad

    def xy(i: int, v: int) -> tuple[float, float]:
        x = pad + (inner_w * i / (n - 1) if n > 1 else inner_w)
        y = base - (inner_h * v / peak if peak else 0.0)
        return x, y

    pts = [xy(i, v) for i, v in enumerate(values)]
    if n > 1:
        coords = " ".join(f"{_n(x)},{_n(y)}" for x, y in pts)
        area = f"{_n(pts[0][0])},{_n(base)} {coords} {_n(pts[-1][0])},{_n(base)}"
        parts.append(f'<polygon class="chart-area chart-series-1" points="{area}" '
                     f'fill="{c.series_1}" fill-opacity="0.12" stroke="none"/>')
        parts.append(f'<polyline class="chart-line chart-series-1" points="{coords}" '
                     f'fill="none" stroke="{c.series_1}" stroke-width="1.5" '
                     f'stroke-linejoin="round" stroke-linecap="round"/>')
    x, y = pts[-1]
    parts.append(f'<circle class="chart-dot chart-last chart-series-1" cx="{_n(x)}" '
                 f'cy="{_n(y)}" r="2.5" fill="{c.series_1}">'
                 f"<title>{_esc(f'Latest: {_count(values[-1])}')}</title></circle>")
    parts.append("</svg>")
    return "".join(parts)


# ---------------------------------------------------------------------------- horizontal bars

_ROW_H = 28.0
_BAR_H = 18.0


def _hbar_layout(names: list[str], max_frac: float = 0.38) -> tuple[float, list[str]]:
    """Width of the left label column and the labels, cut to fit it."""
    # Right-aligned labels must never run past the left edge: leave room for the widest
    # common fallback face (DejaVu Sans, about 15% wider than the estimates).
    col = min(max(_text_w(s) for s in names) * 1.15 + 10, _VIEW_W * max_frac)
    col = max(col, 48.0)
    return col, [_truncate(s, (col - 10) / 1.15) for s in names]


def funnel_chart(stages: list[tuple[str, int]], *, title: str,
                 palette: Palette | None = None) -> str:
    """Horizontal bars for the referral funnel (referred → scheduled → consulted → treated,
    then declined in red), each labelled with its count and its percentage of the first
    stage. A stage is drawn in red when its name starts with "declin" (any case); it is set
    slightly apart from the stages above it.

    Raises ValueError when a count is negative.
    """
    c = palette or palette_stage.DEFAULT
    names = [str(s) for s, _ in stages]
    counts = _check_counts([c for _, c in stages], "stages")
    width = _VIEW_W
    if not counts:
        return _empty("funnel", width, 80, title, c)

    first = counts[0]
    peak = max(counts)

    def pct_text(v: int) -> str:
        return f"{_pct(v, first)}%" if first else "\u2013"

    values_text = [f"{_count(v)} \u00b7 {pct_text(v)}" for v in counts]
    declined = [s.strip().lower().startswith("declin") for s in names]
    col, shown = _hbar_layout(names)
    value_w = max(_text_w(t) for t in values_text) + 8
    x0 = col
    track = width - x0 - value_w - 4
    gap = [8.0 if (i and declined[i] and not declined[i - 1]) else 0.0
           for i in range(len(counts))]
    height = 8 + _ROW_H * len(counts) + sum(gap) + 4

    summary = f"{title}: " + "; ".join(
        f"{s} {_count(v)}" + (f" ({_pct(v, first)}%)" if first and i else "")
        for i, (s, v) in enumerate(zip(names, counts))) + "."
    parts = _open("funnel", width, height, title, summary)

    y = 8.0
    first_name = names[0]
    for i, (name, label, v) in enumerate(zip(names, shown, counts)):
        y += gap[i]
        w = track * v / peak if peak else 0.0
        mid = y + _ROW_H / 2
        color = c.bad if declined[i] else c.series_1
        cls = "chart-bar chart-decline" if declined[i] else "chart-bar chart-series-1"
        tip = f"{name}: {_count(v)}"
        if first and i:
            tip += f" ({_pct(v, first)}% of {first_name.lower()})"
        parts.append('<g class="chart-row">')
        parts.append(_text(x0 - 8, mid + FONT_SIZE * 0.35, label,
                           cls="chart-label chart-row-label", fill=c.muted, anchor="end"))
        parts.append(f'<rect class="chart-track" x="{_n(x0)}" y="{_n(mid - _BAR_H / 2)}" '
                     f'width="{_n(track)}" height="{_n(_BAR_H)}" rx="2" fill="{c.grid}" '
                     f'fill-opacity="0.5"/>')
        parts.append(f'<rect class="{cls}" x="{_n(x0)}" y="{_n(mid - _BAR_H / 2)}" '
                     f'width="{_n(w)}" height="{_n(_BAR_H)}" rx="2" fill="{color}">'
                     f"<title>{_esc(tip)}</title></rect>")
        parts.append(_text(x0 + w + 6, mid + FONT_SIZE * 0.35, values_text[i],
                           cls="chart-value", fill=c.strong))
        parts.append("</g>")
        y += _ROW_H
    parts.append("</svg>")
    return "".join(parts)


def share_bars(items: list[tuple[str, int]], *, title: str,
               highlight: str | None = None, palette: Palette | None = None) -> str:
    """Horizontal bars in the order given (e.g. referral sources with their counts): label
    on the left, count on the right; the item whose label equals ``highlight`` (e.g.
    "unknown") is drawn in amber. Each bar's tooltip gives its share of the total.

    Raises ValueError when a count is negative.
    """
    c = palette or palette_stage.DEFAULT
    names = [str(s) for s, _ in items]
    counts = _check_counts([c for _, c in items], "items")
    width = _VIEW_W
    if not counts:
        return _empty("share", width, 80, title, c)

    total = sum(counts)
    peak = max(counts)
    col, shown = _hbar_layout(names)
    value_w = max(_text_w(_count(v)) for v in counts) + 10
    x0 = col
    track = width - x0 - value_w
    height = 8 + _ROW_H * len(counts) + 4

    summary = f"{title}: " + "; ".join(
        f"{s} {_count(v)}" + (f" ({_pct(v, total)}%)" if total else "")
        for s, v in zip(names, counts)) + f". Total {_count(total)}."
    parts = _open("share", width, height, title, summary)

    y = 8.0
    for name, label, v in zip(names, shown, counts):
        hl = highlight is not None and name == highlight
        w = track * v / peak if peak else 0.0
        mid = y + _ROW_H / 2
        cls = "chart-bar chart-highlight chart-series-2" if hl else "chart-bar chart-series-1"
        tip = f"{name}: {_count(v)}" + (f" ({_pct(v, total)}% of {_count(total)})"
                                        if total else "")
        parts.append('<g class="chart-row">')
        parts.append(_text(x0 - 8, mid + FONT_SIZE * 0.35, label,
                           cls="chart-label chart-row-label", anchor="end",
                           fill=c.series_2 if hl else c.muted, weight="600" if hl else None))
        parts.append(f'<rect class="chart-track" x="{_n(x0)}" y="{_n(mid - _BAR_H / 2)}" '
                     f'width="{_n(track)}" height="{_n(_BAR_H)}" rx="2" fill="{c.grid}" '
                     f'fill-opacity="0.5"/>')
        parts.append(f'<rect class="{cls}" x="{_n(x0)}" y="{_n(mid - _BAR_H / 2)}" '
                     f'width="{_n(w)}" height="{_n(_BAR_H)}" rx="2" '
                     f'fill="{c.series_2 if hl else c.series_1}"><title>{_esc(tip)}</title></rect>')
        parts.append(_text(width - 2, mid + FONT_SIZE * 0.35, _count(v), cls="chart-value",
                           anchor="end", fill=c.strong))
        parts.append("</g>")
        y += _ROW_H
    parts.append("</svg>")
    return "".join(parts)


# ---------------------------------------------------------------------------- trend badge

def trend_badge(now: int, before: int) -> tuple[str, str]:
    """(text, css class) for the change of a count against the previous period.

    ``("+25%", "up")``, ``("−40%", "down")`` (U+2212 minus), ``("±0", "flat")`` when the
    rounded change is 0 (both zero included), ``("new", "up")`` when before is 0 and now > 0.
    Percentages are whole numbers rounded half away from zero, with thousands separators.

    Raises ValueError when a count is negative.
    """
    now, before = _check_counts([now, before], "trend_badge")
    if before == 0:
        return ("new", "up") if now > 0 else ("\u00b10", "flat")
    diff = now - before
    pct = _pct(abs(diff), before)
    if pct == 0:
        return "\u00b10", "flat"
    return (f"+{pct:,}%", "up") if diff > 0 else (f"{MINUS}{pct:,}%", "down")
