"""Vertical bars over months (with an optional second series as a line) and sparklines."""
from __future__ import annotations

from functools import lru_cache

from liaison import palette as palette_stage
from liaison.palette import Palette
from liaison.charts.rows import STACKED_W
from liaison.charts.svg import (
    _VIEW_W, FONT_SIZE, NO_DATA, _check_counts, _count, _empty, _esc, _label_step, _n,
    _nice_ticks, _open, _text, _text_w, _unit,
)

# ---------------------------------------------------------------------------- bar chart

PARTIAL_LABEL = "month to date"
MARKER_LABEL = "In-person visit"
_MARKER_LANE = 12.0  # the markers' strip between the axis and the x labels

def bar_chart(labels: list[str], values: list[int], *, title: str,
              secondary: list[int] | None = None, secondary_label: str | None = None,
              primary_label: str = "Referrals", height: int = 220,
              partial_last: bool = False, partial_label: str = PARTIAL_LABEL,
              markers: list[tuple[float, str]] | None = None,
              marker_label: str = MARKER_LABEL, counts: bool = False,
              palette: Palette | None = None) -> str:
    """Vertical bars, one per label (e.g. 24 months of referrals), with an optional second
    series drawn as an amber line with dots (e.g. in-person visits).

    The y axis has 3-5 round gridlines; x labels are thinned so that they never overlap (the
    most recent one is always shown); each bar and dot carries a ``<title>`` tooltip
    (``"2026-03: 14 referrals"``). A period with nothing in it draws no bar: a bar of no
    height cannot be pointed at, and the chart's summary (its ``<title>``) gives every total.
    Empty input renders a "No data yet" chart; all-zero input a chart with only its 0 line.

    ``partial_last``: the last period is not over yet (the current month): its column is
    shaded, its bar drawn lighter with a dashed outline, and its tooltip, the summary and the
    legend say ``partial_label`` ("month to date"), so a month that has only begun does not
    look like a collapse.

    ``markers``: events on the time axis (e.g. in-person visits), each ``(position, text)``:
    the position in periods from the start of the first one (0.0 to ``len(values)``; a date
    on day d of a 30-day month i is i + (d - 0.5) / 30), the text its tooltip. Each is an
    amber triangle in a lane under the axis; markers outside the chart's span are left out.

    A legend appears when there is more than the bars to explain (a second series, markers,
    a partial last period).

    ``counts``: each bar's count written above it (a slide's chart, read from across a room,
    as the .pptx's chart shows them), the plot lowered to make room for the tallest.

    Raises ValueError when the lists differ in length or a count is negative.
    """
    c = palette or palette_stage.DEFAULT
    labels = tuple(map(str, labels))
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
    marks = sorted((float(pos), str(text)) for pos, text in (markers or ())
                   if 0 <= float(pos) <= n)
    partial = bool(partial_last)
    second_name = secondary_label or "Second series"
    peak = max(values + (secondary or []))
    ticks = tuple(_nice_ticks(peak))
    key = (labels, ticks, secondary is not None, bool(marks), partial, second_name,
           marker_label, partial_label, primary_label, height, c.series_1, c.series_2, c.grid,
           c.muted, c.faint, c.surface, counts)
    lay = _LAYOUTS.get(key)
    if lay is None:
        if len(_LAYOUTS) >= _LAYOUTS_KEPT:
            _LAYOUTS.clear()
        lay = _LAYOUTS[key] = _Layout(labels, ticks, secondary is not None, bool(marks), partial,
                                      second_name, marker_label, partial_label, primary_label,
                                      height, c, counts)
    top_value, slot, base, left = lay.top_value, lay.slot, lay.base, lay.left

    def y_of(v: int) -> float:
        return base - lay.plot_h * v / top_value

    period = lay.period

    # Summary for screen readers and the tooltip of the whole chart.
    total = sum(values)
    hi = values.index(max(values))  # (the first of the highest)
    summary = f"{title}: {lay.summary_head}{_count(total)}"
    if total:
        summary += f", highest {_count(values[hi])} in {period(hi)}"
    summary += f", latest {_count(values[-1])} in {period(n - 1)}."
    if secondary is not None:
        summary += (f" {second_name}: total {_count(sum(secondary))}, "
                    f"latest {_count(secondary[-1])}.")
    if marks:
        summary += f" {_unit(marker_label + 's', len(marks)).capitalize()} marked: " \
                   + "; ".join(text for _, text in marks) + "."

    parts = _open("bar", width, lay.height, title, summary)

    # The unfinished period's column, shaded, so that it shows even with nothing in it yet;
    # its tooltip gives the count so far (the whole column can be pointed at).
    if partial:
        parts.append(lay.band)
        parts.append(f"<title>{_tip(period(n - 1), values[-1], primary_label)}</title></rect>")

    # Gridlines and y labels.
    parts.append(lay.grid)

    # Bars; an unfinished last period lighter, with a dashed outline.
    parts.append('<g class="chart-bars">')
    bars, bar = lay.bars, lay.bar
    for i, v in enumerate(values):
        if v:
            parts.append(bars.get((i, v)) or bar(i, v))
    parts.append("</g>")
    if counts:
        parts.append('<g class="chart-counts">')
        for i, v in enumerate(values):
            if v:
                parts.append(_text(left + slot * (i + 0.5), y_of(v) - 4, _count(v),
                                   cls="chart-label chart-count", fill=c.muted, anchor="middle"))
        parts.append("</g>")

    # Axis line on top of the bars' feet.
    parts.append(lay.axis)

    # Markers: triangles pointing up at the axis, in their lane below it.
    if marks:
        parts.append('<g class="chart-markers">')
        for pos, text in marks:
            parts.append(_marker(left + slot * pos, base, c.series_2, c.surface))
            parts.append(f'<title>{_esc(text)}</title></path>')
        parts.append("</g>")

    # X labels, thinned; the most recent one is always shown.
    parts.append(lay.x_labels)

    # Second series: a line with dots.
    if secondary is not None:
        pts = [(left + slot * (i + 0.5), y_of(v)) for i, v in enumerate(secondary)]
        parts.append('<g class="chart-series chart-series-2">')
        # an unfinished last period's point is joined by a dashed segment, as its bar is
        # dashed: a month that has only begun has few visits yet, not a fall to them
        whole = pts[:-1] if partial else pts
        if len(whole) > 1:
            coords = " ".join(f"{_n(x)},{_n(y)}" for x, y in whole)
            parts.append(f'<polyline class="chart-line chart-series-2" points="{coords}" '
                         f'fill="none" stroke="{c.series_2}" stroke-width="2" '
                         f'stroke-linejoin="round" stroke-linecap="round"/>')
        if n > 1 and partial:
            coords = " ".join(f"{_n(x)},{_n(y)}" for x, y in pts[-2:])
            parts.append(f'<polyline class="chart-line chart-series-2 chart-partial" '
                         f'points="{coords}" fill="none" stroke="{c.series_2}" '
                         f'stroke-width="2" stroke-dasharray="4 3" stroke-linecap="round"/>')
        r = 3.0 if n <= 24 else 2.0
        for i, ((x, y), v) in enumerate(zip(pts, secondary)):
            parts.append(f'<circle class="chart-dot chart-series-2" cx="{_n(x)}" cy="{_n(y)}" '
                         f'r="{_n(r)}" fill="{c.series_2}" stroke="{c.surface}" stroke-width="1">'
                         f"<title>{_esc(f'{period(i)}: {_unit(second_name, v)}')}</title></circle>")
        parts.append("</g>")

    parts.append(lay.legend)
    parts.append("</svg>")
    return "".join(parts)


def bar_figures(labels: list[str], values: list[int], *, title: str,
                secondary: list[int] | None = None, secondary_label: str | None = None,
                primary_label: str = "Referrals", partial_last: bool = False,
                partial_label: str = PARTIAL_LABEL,
                markers: list[tuple[float, str]] | None = None,
                marker_label: str = MARKER_LABEL, **_drawing) -> str:
    """The figures of ``bar_chart`` with the same arguments as an HTML table, in a box of class
    ``chart-figures`` out of sight (the stylesheets' visually hidden box: a table is never
    narrower than its cells, the box around it is), for a screen reader:
    the chart is an image whose name sums it up, its bars' counts only in their tooltips.
    A row a period (its label as the tooltips give it), the count of each series, and the
    number of markers in it when there are any. Empty input gives no table."""
    labels = tuple(map(str, labels))
    if not values:
        return ""
    n = len(values)
    heads = [primary_label] + ([secondary_label or "Second series"] if secondary is not None
                               else [])
    per = None
    if markers:
        per = [0] * n
        for pos, _label in markers:
            if 0 <= float(pos) <= n:
                per[min(int(float(pos)), n - 1)] += 1
        heads.append(marker_label + "s")
    parts = [f'<div class="chart-figures"><table><caption>{_esc(title)}</caption><thead><tr>'
             '<th scope="col">Month</th>']
    parts += [f'<th scope="col">{_esc(h)}</th>' for h in heads]
    parts.append("</tr></thead><tbody>")
    rows = _figure_rows(labels, bool(partial_last), partial_label)
    if secondary is None and per is None:
        parts += [f"{row}{v:,}</td></tr>" for row, v in zip(rows, values)]
    else:
        more = zip(secondary or [None] * n, per or [None] * n)
        parts += [f"{row}{v:,}</td>" + ("" if s is None else f"<td>{s:,}</td>")
                  + ("" if m is None else f"<td>{m}</td>") + "</tr>"
                  for row, v, (s, m) in zip(rows, values, more)]
    parts.append("</tbody></table></div>")
    return "".join(parts)


@lru_cache(maxsize=64)
def _figure_rows(labels: tuple, partial: bool, partial_label: str) -> tuple[str, ...]:
    """The start of each row of ``bar_figures`` (its period's label) up to its first count:
    the same for every chart over the same months (a brief's, thousands of them)."""
    last = len(labels) - 1
    periods = (f"{label} ({partial_label})" if partial and i == last else label
               for i, label in enumerate(labels))
    return tuple(f'<tr><th scope="row">{_esc(period)}</th><td>' for period in periods)


# Briefs draw thousands of charts over the same months and a few scales and legends: what a
# chart's layout decides (its margins, gridlines, axis, x labels, legend, and each bar with its
# tooltip) is worked out once per layout, not at every chart (a third of a brief's chart).
_LAYOUTS: dict[tuple, "_Layout"] = {}
_LAYOUTS_KEPT = 256  # layouts (then forgotten all at once: the output is the same)


class _Layout:
    """What ``bar_chart`` draws the same for every chart of the same labels, scale (``ticks``),
    legend, labels of its series, height and colours; ``bars``: each bar drawn so far, by
    (period, count)."""

    def __init__(self, labels: tuple[str, ...], ticks: tuple[int, ...], secondary: bool,
                 marks: bool, partial: bool, second_name: str, marker_label: str,
                 partial_label: str, primary_label: str, height: int, c: Palette,
                 counts: bool = False):
        width = _VIEW_W
        n = len(labels)
        self.labels, self.n, self.partial = labels, n, partial
        self.partial_label, self.primary_label, self.fill = partial_label, primary_label, c.series_1
        self.top_value = ticks[-1] or 1

        # The legend: what needs explaining beyond the bars, in one row or more.
        legend: list[tuple[str, str]] = []  # (kind of swatch, label)
        if secondary:
            legend.append(("line", second_name))
        if marks:
            legend.append(("marker", marker_label))
        if partial:
            legend.append(("partial", partial_label))
        if legend:
            legend.insert(0, ("bar", primary_label))

        widest_x = max(_text_w(lb) for lb in labels)
        widest_y = max(_text_w(_count(t)) for t in ticks)
        # The y labels on the right, by the newest periods: a phone shows a chart wider than
        # its screen from its right end, scale included (app.js), and so does the legend,
        # whose rows end at the plot's right edge and fit the 260 units that a 320 px phone
        # shows of that end (STACKED_W), so that the key to the bars is never cut off.
        right = max(28.0, widest_y + 10)
        rows = _legend_rows(legend, STACKED_W - right)
        # Left margin: the first x label, centred on the first bar, must start inside the
        # view (left + slot / 2 >= half the label + 2, with slot = (width - left - right) / n);
        # the last one ends inside the right margin, which is at least as wide.
        half = 1 / (2 * n)
        left = max(10.0, (widest_x / 2 + 2 - (width - right) * half) / (1 - half))
        top = 10.0 + 20.0 * len(rows) + (_COUNT_ROOM if counts else 0.0)
        lane = _MARKER_LANE if marks else 0.0
        bottom = 24.0 + lane
        height += 20 * max(len(rows) - 1, 0) + lane
        plot_w = width - left - right
        self.plot_h = plot_h = height - top - bottom
        self.base = base = top + plot_h
        self.slot = slot = plot_w / n
        self.bar_w = bar_w = slot * 0.7 if n > 1 else min(slot * 0.5, 60.0)
        self.left, self.height = left, height

        span = labels[0] if n == 1 else f"{labels[0]} to {labels[-1]}"
        # (every bar chart of the site is one of months: "periods" was the chart's word)
        self.summary_head = f"{primary_label} for {_unit('months', n)}, {span}; total "
        self.band = _band(left + slot * (n - 1), top, slot, plot_h, c.series_1) if partial else ""
        self.grid = _grid(ticks, left, width - right, base, plot_h, self.top_value, c.grid,
                          c.muted)
        self.width_attr = _n(bar_w)
        self.xs = _bar_xs(left, slot, bar_w, n)
        self.axis = (f'<line class="chart-axis" x1="{_n(left)}" y1="{_n(base)}" '
                     f'x2="{_n(width - right)}" y2="{_n(base)}" stroke="{c.faint}" '
                     'stroke-width="1"/>')
        self.x_labels = _x_labels(labels, left, slot, base + lane + 16,
                                  _label_step(n, slot, widest_x), c.muted)
        self.legend = _legend(tuple(tuple(row) for row in rows), width - right, c) if rows \
            else ""
        self.bars: dict[tuple[int, int], str] = {}

    def period(self, i: int) -> str:
        labels = self.labels
        return f"{labels[i]} ({self.partial_label})" if self.partial and i == self.n - 1 \
            else labels[i]

    def bar(self, i: int, v: int) -> str:
        """The bar of period ``i`` for the count ``v`` (> 0), with its tooltip (kept)."""
        drawn = self.bars[(i, v)] = (
            _bar_tag(self.xs[i], self.width_attr, self.base, self.plot_h, self.top_value, v,
                     self.fill, self.partial and i == self.n - 1)
            + f"<title>{_tip(self.period(i), v, self.primary_label)}</title></rect>")
        return drawn


# The parts of a layout (``_Layout``), pure functions of their arguments, memoized: layouts
# are forgotten when there are many, and each is made again of the same parts. The memoized
# parts take the palette's colours as strings, not the palette: a frozen dataclass of 24
# fields hashes them all at every call (6% of a brief's chart).
@lru_cache(maxsize=512)
def _grid(ticks: tuple, left: float, right_x: float, base: float, plot_h: float,
          top_value: int, grid: str, muted: str) -> str:
    parts = ['<g class="chart-grid">']
    for t in ticks:
        y = base - plot_h * t / top_value if t else base
        if t:
            parts.append(f'<line class="chart-gridline" x1="{_n(left)}" y1="{_n(y)}" '
                         f'x2="{_n(right_x)}" y2="{_n(y)}" stroke="{grid}" stroke-width="1"/>')
        parts.append(_text(right_x + 6, y + FONT_SIZE * 0.35, _count(t),
                           cls="chart-label chart-y-label", fill=muted))
    parts.append("</g>")
    return "".join(parts)


@lru_cache(maxsize=512)
def _bar_xs(left: float, slot: float, bar_w: float, n: int) -> tuple[str, ...]:
    """The x attribute of each bar."""
    return tuple(_n(left + slot * i + (slot - bar_w) / 2) for i in range(n))


def _bar_tag(x: str, width: str, base: float, plot_h: float, top_value: int, v: int, fill: str,
             partial: bool) -> str:
    """A bar's opening tag (its title and end tag follow), ``fill`` its colour (the
    palette's ``series_1``); an unfinished period's lighter, with a dashed outline."""
    h = plot_h * v / top_value
    if partial:
        return (f'<rect class="chart-bar chart-series-1 chart-partial" x="{x}" '
                f'y="{_n(base - h)}" width="{width}" height="{_n(h)}" '
                f'{_PARTIAL_PAINT.format(fill=fill)}>')
    return (f'<rect class="chart-bar chart-series-1" x="{x}" y="{_n(base - h)}" '
            f'width="{width}" height="{_n(h)}" fill="{fill}">')


@lru_cache(maxsize=8192)
def _marker(x: float, base: float, fill: str, stroke: str) -> str:
    """A marker's opening tag: a triangle pointing up at the axis, in the lane below it
    (``fill``: the palette's ``series_2``, ``stroke``: its ``surface``)."""
    tip_y, foot_y = _n(base + 2), _n(base + 9)
    return (f'<path class="chart-marker chart-series-2" '
            f'd="M{_n(x)} {tip_y}L{_n(x + 4)} {foot_y}L{_n(x - 4)} {foot_y}Z" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="0.5">')


@lru_cache(maxsize=256)
def _band(x: float, top: float, slot: float, plot_h: float, fill: str) -> str:
    """The unfinished period's shaded column, its opening tag."""
    return (f'<rect class="chart-partial-band" x="{_n(x)}" y="{_n(top)}" width="{_n(slot)}" '
            f'height="{_n(plot_h)}" fill="{fill}" fill-opacity="0.08">')


@lru_cache(maxsize=256)
def _legend(rows: tuple, right_x: float, c: Palette) -> str:
    """The legend's rows, each ending at ``right_x`` (the plot's right edge)."""
    parts = ['<g class="chart-legend">']
    for r, row in enumerate(rows):
        lx, ly = right_x - _row_w(row), 14.0 + 20 * r
        for kind, label in row:
            parts.append(_swatch(kind, lx, ly, c))
            parts.append(_text(lx + _SWATCH_W[kind] + 4, ly, label,
                               cls="chart-label chart-legend-label", fill=c.muted))
            lx += _entry_w(kind, label) + 18
    parts.append("</g>")
    return "".join(parts)


@lru_cache(maxsize=8192)
def _tip(period: str, v: int, noun: str) -> str:
    """A bar's tooltip, escaped: "2026-03: 14 referrals"."""
    return _esc(f"{period}: {_unit(noun, v)}")


@lru_cache(maxsize=512)
def _x_labels(labels: tuple, left: float, slot: float, y: float, step: int, muted: str) -> str:
    n = len(labels)
    parts = ['<g class="chart-x-labels">']
    for i, lb in enumerate(labels):
        if (n - 1 - i) % step == 0:
            parts.append(_text(left + slot * (i + 0.5), y, lb,
                               cls="chart-label chart-x-label", fill=muted, anchor="middle"))
    parts.append("</g>")
    return "".join(parts)


# Above the plot, for the count written over a bar as tall as the scale (``counts``)
_COUNT_ROOM = 14.0

# The unfinished period: the main colour, lighter, with a dashed outline.
_PARTIAL_PAINT = ('fill="{fill}" fill-opacity="0.35" stroke="{fill}" '
                  'stroke-width="1" stroke-dasharray="3 2"')
_SWATCH_W = {"bar": 10.0, "line": 16.0, "marker": 10.0, "partial": 10.0}


def _triangle(x: float, y: float) -> str:
    """An upward triangle whose tip is at (x, y): 8 units wide, 7 tall."""
    return f"M{_n(x)} {_n(y)}L{_n(x + 4)} {_n(y + 7)}L{_n(x - 4)} {_n(y + 7)}Z"


def _entry_w(kind: str, label: str) -> float:
    """A legend entry's width: its swatch, a gap, its label (and the 18 units to the next)."""
    return _SWATCH_W[kind] + 4 + _text_w(label)


def _row_w(row) -> float:
    return sum(_entry_w(kind, label) for kind, label in row) + 18 * (len(row) - 1)


def _legend_rows(entries: list[tuple[str, str]], room: float) -> list[list[tuple[str, str]]]:
    """The legend's entries in rows that fit ``room`` units."""
    rows: list[list[tuple[str, str]]] = []
    used = room + 1
    for kind, label in entries:
        w = _entry_w(kind, label) + 18
        if used + w - 18 > room and (not rows or rows[-1]):
            rows.append([])
            used = 0.0
        rows[-1].append((kind, label))
        used += w
    return rows


def _swatch(kind: str, x: float, y: float, c: Palette) -> str:
    """A legend swatch whose text baseline is ``y``."""
    if kind == "line":
        return (f'<line class="chart-legend-swatch chart-series-2" x1="{_n(x)}" '
                f'y1="{_n(y - 4)}" x2="{_n(x + 16)}" y2="{_n(y - 4)}" '
                f'stroke="{c.series_2}" stroke-width="2"/>'
                f'<circle class="chart-legend-swatch chart-series-2" cx="{_n(x + 8)}" '
                f'cy="{_n(y - 4)}" r="3" fill="{c.series_2}"/>')
    if kind == "marker":
        return (f'<path class="chart-legend-swatch chart-marker chart-series-2" '
                f'd="{_triangle(x + 5, y - 9)}" fill="{c.series_2}"/>')
    if kind == "partial":
        return (f'<rect class="chart-legend-swatch chart-partial" x="{_n(x + 0.5)}" '
                f'y="{_n(y - 8.5)}" width="9" height="9" rx="1" '
                f'{_PARTIAL_PAINT.format(fill=c.series_1)}/>')
    return (f'<rect class="chart-legend-swatch chart-series-1" x="{_n(x)}" '
            f'y="{_n(y - 9)}" width="10" height="10" rx="1" fill="{c.series_1}"/>')


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
