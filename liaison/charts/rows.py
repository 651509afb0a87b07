"""Horizontal bars: the referral funnel and share bars (sources, service lines)."""
from __future__ import annotations

from typing import NamedTuple

from liaison import palette as palette_stage
from liaison.palette import Palette
from liaison.charts.svg import (
    _VIEW_W, FONT_SIZE, MINUS, _check_counts, _count, _empty, _esc, _n, _open, _pct, _text,
    _text_w, _truncate,
)

# ---------------------------------------------------------------------------- horizontal bars

_ROW_H = 28.0
_BAR_H = 18.0


_BOLD = 1.08  # how much wider a label in bold (weight 600) runs than the estimate


def _hbar_layout(names: list[str], max_frac: float = 0.38,
                 bold: str | None = None) -> tuple[float, list[str]]:
    """Width of the left label column and the labels, cut to fit it; the label equal to
    ``bold`` is drawn in bold."""
    # Right-aligned labels must never run past the left edge: leave room for the widest
    # common fallback face (DejaVu Sans, about 15% wider than the estimates).
    wide = [1.15 * (_BOLD if s == bold else 1.0) for s in names]
    col = min(max(_text_w(s) * k for s, k in zip(names, wide)) + 10, _VIEW_W * max_frac)
    col = max(col, 48.0)
    return col, [_truncate(s, (col - 10) / k) for s, k in zip(names, wide)]


def _labelled(rows: list[tuple[str, int]], what: str, layout: str):
    """The labels and the counts of a chart's ``rows`` (label, count), and its view width in
    ``layout`` ("side" or "stacked"). Raises ValueError when a count is negative (``what``
    names the argument)."""
    return ([str(s) for s, _ in rows], _check_counts([c for _, c in rows], what),
            _VIEW_W if layout == "side" else STACKED_W)


def funnel_chart(stages: list[tuple[str, int]], *, title: str,
                 palette: Palette | None = None, layout: str = "side",
                 shares: bool = True) -> str:
    """Horizontal bars for the referral funnel (referred → scheduled → consulted → treated,
    then declined in red), each labelled with its count and its percentage of the first
    stage. A stage is drawn in red when its name starts with "declin" (any case); it is set
    slightly apart from the stages above it.

    ``shares``: False leaves the percentages out (labels, summary and tooltips give the counts
    alone): a first stage of 2 read "1 · 50%", a share too few referrals make.

    ``layout``: "side" (each label left of its bar), "stacked" (each label above its bar, a
    chart narrow enough for a phone: ``STACKED_W``) or "both" (the two, stacked first: the
    site's style sheet shows one by the screen's width).

    Raises ValueError when a count is negative.
    """
    if layout == "both":
        return "".join(funnel_chart(stages, title=title, palette=palette, layout=one,
                                    shares=shares)
                       for one in ("stacked", "side"))
    c = palette or palette_stage.DEFAULT
    names, counts, width = _labelled(stages, "stages", layout)
    if not counts:
        return _empty("funnel", width, 80, title, c, layout)

    first = counts[0] if shares else 0  # no first stage to be a share of: counts alone
    peak = max(counts)

    def pct_text(v: int) -> str:
        return f"{_pct(v, first)}%" if first else "\u2013"

    values_text = [f"{_count(v)} \u00b7 {pct_text(v)}" if shares else _count(v)
                   for v in counts]
    declined = [s.strip().lower().startswith("declin") for s in names]
    gap = [8.0 if (i and declined[i] and not declined[i - 1]) else 0.0
           for i in range(len(counts))]
    summary = f"{title}: " + "; ".join(
        f"{s} {_count(v)}" + (f" ({_pct(v, first)}%)" if first and i else "")
        for i, (s, v) in enumerate(zip(names, counts))) + "."

    def tip(i: int, name: str, v: int) -> str:
        return f"{name}: {_count(v)}" + (f" ({_pct(v, first)}% of {names[0].lower()})"
                                         if first and i else "")

    if layout == "stacked":
        return _stacked("funnel", title, summary, [
            _Row(name, v, values_text[i], tip(i, name, v),
                 "chart-bar chart-decline" if declined[i] else "chart-bar chart-series-1",
                 c.bad if declined[i] else c.series_1, c.muted, None, gap[i])
            for i, (name, v) in enumerate(zip(names, counts))], peak, False, c)
    col, shown = _hbar_layout(names)
    value_w = max(_text_w(t) for t in values_text) + 8
    x0 = col
    track = width - x0 - value_w - 4
    height = 8 + _ROW_H * len(counts) + sum(gap) + 4
    parts = _open("funnel", width, height, title, summary, layout=layout)

    y = 8.0
    for i, (name, label, v) in enumerate(zip(names, shown, counts)):
        y += gap[i]
        w = track * v / peak if peak else 0.0
        mid = y + _ROW_H / 2
        color = c.bad if declined[i] else c.series_1
        cls = "chart-bar chart-decline" if declined[i] else "chart-bar chart-series-1"
        parts.append('<g class="chart-row">')
        parts.append(_text(x0 - 8, mid + FONT_SIZE * 0.35, label, full=name,
                           cls="chart-label chart-row-label", fill=c.muted, anchor="end"))
        parts.append(f'<rect class="chart-track" x="{_n(x0)}" y="{_n(mid - _BAR_H / 2)}" '
                     f'width="{_n(track)}" height="{_n(_BAR_H)}" rx="2" fill="{c.grid}" '
                     f'fill-opacity="0.5"/>')
        parts.append(f'<rect class="{cls}" x="{_n(x0)}" y="{_n(mid - _BAR_H / 2)}" '
                     f'width="{_n(w)}" height="{_n(_BAR_H)}" rx="2" fill="{color}">'
                     f"<title>{_esc(tip(i, name, v))}</title></rect>")
        parts.append(_text(x0 + w + 6, mid + FONT_SIZE * 0.35, values_text[i],
                           cls="chart-value", fill=c.strong))
        parts.append("</g>")
        y += _ROW_H
    parts.append("</svg>")
    return "".join(parts)


def share_bars(items: list[tuple[str, int]], *, title: str,
               highlight: str | None = None, palette: Palette | None = None,
               layout: str = "side") -> str:
    """Horizontal bars in the order given (e.g. referral sources with their counts): label
    on the left, count on the right; the item whose label equals ``highlight`` (e.g.
    "unknown") is drawn in amber (series-2), its label bold in the darker amber of warnings,
    readable at 12 px on the card (series-2 is 3.2:1 on white). Each bar's tooltip gives its
    share of the total.
    ``layout``: as ``funnel_chart``'s.

    Raises ValueError when a count is negative.
    """
    if layout == "both":
        return "".join(share_bars(items, title=title, highlight=highlight, palette=palette,
                                  layout=one) for one in ("stacked", "side"))
    c = palette or palette_stage.DEFAULT
    names, counts, width = _labelled(items, "items", layout)
    if not counts:
        return _empty("share", width, 80, title, c, layout)

    total = sum(counts)
    peak = max(counts)
    summary = f"{title}: " + "; ".join(
        f"{s} {_count(v)}" + (f" ({_pct(v, total)}%)" if total else "")
        for s, v in zip(names, counts)) + f". Total {_count(total)}."

    def tip(name: str, v: int) -> str:
        return f"{name}: {_count(v)}" + (f" ({_pct(v, total)}% of {_count(total)})"
                                         if total else "")

    if layout == "stacked":
        rows = []
        for name, v in zip(names, counts):
            hl = highlight is not None and name == highlight
            rows.append(_Row(
                name, v, _count(v), tip(name, v),
                "chart-bar chart-highlight chart-series-2" if hl else "chart-bar chart-series-1",
                c.series_2 if hl else c.series_1, c.warning if hl else c.muted,
                "600" if hl else None, 0.0))
        return _stacked("share", title, summary, rows, peak, True, c)
    col, shown = _hbar_layout(names, bold=highlight)
    value_w = max(_text_w(_count(v)) for v in counts) + 10
    x0 = col
    track = width - x0 - value_w
    height = 8 + _ROW_H * len(counts) + 4
    parts = _open("share", width, height, title, summary, layout=layout)

    y = 8.0
    for name, label, v in zip(names, shown, counts):
        hl = highlight is not None and name == highlight
        w = track * v / peak if peak else 0.0
        mid = y + _ROW_H / 2
        cls = "chart-bar chart-highlight chart-series-2" if hl else "chart-bar chart-series-1"
        parts.append('<g class="chart-row">')
        parts.append(_text(x0 - 8, mid + FONT_SIZE * 0.35, label, full=name,
                           cls="chart-label chart-row-label", anchor="end",
                           fill=c.warning if hl else c.muted, weight="600" if hl else None))
        parts.append(f'<rect class="chart-track" x="{_n(x0)}" y="{_n(mid - _BAR_H / 2)}" '
                     f'width="{_n(track)}" height="{_n(_BAR_H)}" rx="2" fill="{c.grid}" '
                     f'fill-opacity="0.5"/>')
        parts.append(f'<rect class="{cls}" x="{_n(x0)}" y="{_n(mid - _BAR_H / 2)}" '
                     f'width="{_n(w)}" height="{_n(_BAR_H)}" rx="2" '
                     f'fill="{c.series_2 if hl else c.series_1}"><title>{_esc(tip(name, v))}</title></rect>')
        parts.append(_text(width - 2, mid + FONT_SIZE * 0.35, _count(v), cls="chart-value",
                           anchor="end", fill=c.strong))
        parts.append("</g>")
        y += _ROW_H
    parts.append("</svg>")
    return "".join(parts)


# ---------------------------------------------------------------------------- stacked rows

STACKED_W = 260.0  # a phone's chart frame at 320 px, so that its 12-unit text is 12 px
_STACKED_ROW_H = 40.0  # a label's line, its bar, a gap
_STACKED_BAR_H = 14.0


class _Row(NamedTuple):
    """A row of a chart of categories: its name, count, the count as shown, the bar's
    tooltip, class and colour, the label's colour and weight, and the room above it."""
    name: str
    count: int
    value_text: str
    tip: str
    bar_cls: str
    bar_fill: str
    label_fill: str
    weight: str | None
    gap: float


def _stacked(kind: str, title: str, summary: str, rows: list[_Row], peak: int,
             value_at_right: bool, c: Palette) -> str:
    """A chart of categories ``STACKED_W`` wide, each label on its own line above its bar,
    the count after the bar (``value_at_right``: right-aligned at the chart's right edge)."""
    width = STACKED_W
    value_w = max(_text_w(r.value_text) for r in rows) + 8
    track = width - value_w - 4
    height = 4 + _STACKED_ROW_H * len(rows) + sum(r.gap for r in rows)
    parts = _open(kind, width, height, title, summary, layout="stacked")
    y = 4.0
    for r in rows:
        y += r.gap
        w = track * r.count / peak if peak else 0.0
        top = y + 18
        parts.append('<g class="chart-row">')
        label = _truncate(r.name, (width - 1) / (1.15 * (_BOLD if r.weight else 1.0)))
        parts.append(_text(1, y + FONT_SIZE, label, full=r.name,  # (a "T" overhangs by 1)
                           cls="chart-label chart-row-label", fill=r.label_fill,
                           weight=r.weight))
        parts.append(f'<rect class="chart-track" x="0" y="{_n(top)}" width="{_n(track)}" '
                     f'height="{_n(_STACKED_BAR_H)}" rx="2" fill="{c.grid}" '
                     f'fill-opacity="0.5"/>')
        parts.append(f'<rect class="{r.bar_cls}" x="0" y="{_n(top)}" width="{_n(w)}" '
                     f'height="{_n(_STACKED_BAR_H)}" rx="2" fill="{r.bar_fill}">'
                     f"<title>{_esc(r.tip)}</title></rect>")
        base = top + _STACKED_BAR_H / 2 + FONT_SIZE * 0.35
        if value_at_right:
            parts.append(_text(width - 2, base, r.value_text, cls="chart-value", anchor="end",
                               fill=c.strong))
        else:
            parts.append(_text(w + 6, base, r.value_text, cls="chart-value", fill=c.strong))
        parts.append("</g>")
        y += _STACKED_ROW_H
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
