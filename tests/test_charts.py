"""Tests for liaison.charts: inline SVG charts under a strict CSP."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from liaison import charts
from liaison.charts import bar_chart, funnel_chart, share_bars, sparkline, trend_badge

SVG = "{http://www.w3.org/2000/svg}"
MONTHS = [f"{2024 + (m // 12)}-{m % 12 + 1:02d}" for m in range(3, 27)]  # 2024-04 .. 2026-03
VALUES = [3, 5, 0, 8, 12, 7, 9, 14, 6, 4, 10, 11, 13, 2, 5, 7, 18, 9, 8, 6, 12, 10, 15, 14]
VISITS = [1, 0, 2, 1, 3, 1, 0, 2, 1, 1, 2, 0, 1, 2, 1, 0, 3, 2, 1, 1, 2, 1, 2, 3]
FUNNEL = [("Referred", 120), ("Scheduled", 96), ("Consulted", 80), ("Treated", 51),
          ("Declined", 9)]
SOURCES = [("physician", 64), ("website", 22), ("insurance", 9), ("unknown", 17)]
EVIL = "<script>alert(1)</script>"


def classes(el: ET.Element) -> set[str]:
    return set(el.get("class", "").split())


def bars(root: ET.Element) -> list[ET.Element]:
    return [el for el in root.iter(f"{SVG}rect") if "chart-bar" in classes(el)]


def x_labels(root: ET.Element) -> list[str]:
    return [el.text for el in root.iter(f"{SVG}text") if "chart-x-label" in classes(el)]


def all_charts() -> dict[str, str]:
    """One rendering of every chart kind in every interesting state."""
    return {
        "bar": bar_chart(MONTHS, VALUES, title="Referrals per month"),
        "bar2": bar_chart(MONTHS, VALUES, title="Referrals and visits", secondary=VISITS,
                          secondary_label="In-person visits"),
        "bar_zero": bar_chart(MONTHS[:6], [0] * 6, title="Zero", secondary=[0] * 6),
        "bar_empty": bar_chart([], [], title="Empty"),
        "bar_one": bar_chart(["2026-03"], [4], title="One"),
        "spark": sparkline(VALUES[-12:], title="Last 12 months"),
        "spark_const": sparkline([4] * 12, title="Constant"),
        "spark_zero": sparkline([0] * 12, title="Zero"),
        "spark_one": sparkline([7], title="One"),
        "spark_empty": sparkline([], title="Empty"),
        "funnel": funnel_chart(FUNNEL, title="Referral funnel, 365 days"),
        "funnel_zero": funnel_chart([(s, 0) for s, _ in FUNNEL], title="Zero"),
        "funnel_empty": funnel_chart([], title="Empty"),
        "share": share_bars(SOURCES, title="Referral sources", highlight="unknown"),
        "share_zero": share_bars([(s, 0) for s, _ in SOURCES], title="Zero"),
        "share_empty": share_bars([], title="Empty"),
        "funnel_stacked": funnel_chart(FUNNEL, title="Referral funnel, 365 days",
                                       layout="stacked"),
        "funnel_zero_stacked": funnel_chart([(s, 0) for s, _ in FUNNEL], title="Zero",
                                            layout="stacked"),
        "share_stacked": share_bars(SOURCES, title="Referral sources", highlight="unknown",
                                    layout="stacked"),
        "share_empty_stacked": share_bars([], title="Empty", layout="stacked"),
    }


CHARTS = all_charts()


# ---------------------------------------------------------------------------- every chart

@pytest.mark.parametrize("name", sorted(CHARTS))
def test_parses_as_one_svg_element(name):
    svg = CHARTS[name]
    assert svg.startswith("<svg ") and svg.endswith("</svg>")
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_no_inline_style_anywhere(name):
    root = ET.fromstring(CHARTS[name])
    for el in root.iter():
        assert "style" not in el.attrib, (name, el.tag)
        assert el.tag != f"{SVG}style"
        assert el.tag != f"{SVG}script"
    assert "style=" not in CHARTS[name]
    assert "<style" not in CHARTS[name]


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_accessible_and_scalable(name):
    root = ET.fromstring(CHARTS[name])
    assert root.get("role") == "img"
    assert root.get("aria-label")
    first = root[0]
    assert first.tag == f"{SVG}title" and first.text and first.text.strip()
    assert root.get("viewBox", "").startswith("0 0 ")
    assert root.get("preserveAspectRatio")
    assert root.get("font-family") == "inherit"
    if name.startswith("spark"):
        assert int(root.get("width")) <= 390  # keeps its small pixel size
    else:
        assert root.get("width") == "100%"
        assert float(root.get("viewBox").split()[2]) <= 800


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_classes_are_prefixed(name):
    root = ET.fromstring(CHARTS[name])
    for el in root.iter():
        for cls in classes(el):
            assert cls == "chart" or cls.startswith("chart-"), (name, cls)


def test_deterministic():
    assert all_charts() == CHARTS
    assert trend_badge(5, 4) == trend_badge(5, 4)


def test_charts_of_one_layout_draw_each_its_own_bars_and_texts():
    """bar_chart works out a layout (margins, grid, axis, x labels, legend, each bar with its
    tooltip) once for every chart of the same labels, scale and legend: each chart still
    shows its own counts, markers and title, the same as when drawn first."""
    from liaison.charts import bars as bars_module

    months = [f"2026-{m:02d}" for m in range(1, 13)]
    first = [3, 0, 7, 9, 1, 4, 0, 8, 2, 6, 5, 9]  # the same scale (0-10)...
    second = [9, 2, 0, 1, 8, 3, 7, 0, 4, 5, 6, 2]  # ...and other bars
    marks = [(2.5, "2026-03-15: visit by Ann"), (10.2, "2026-11-07: lunch by Bo")]
    drawn = [bar_chart(months, first, title="A", markers=marks, partial_last=True),
             bar_chart(months, second, title="B", markers=marks[:1], partial_last=True),
             bar_chart(months, first, title="C")]
    grids = {svg[svg.index('<g class="chart-grid">'):svg.index('<g class="chart-bars">')]
             for svg in drawn[:2]}
    assert len(grids) == 1, "the same scale and legend: one grid"
    for svg, values, title in zip(drawn, (first, second, first), "ABC"):
        root = ET.fromstring(svg)
        assert root.get("aria-label") == title
        tips = [b.find(f"{SVG}title").text for b in bars(root)]
        expected = [f"{m}: {v} referral{'s' if v != 1 else ''}" for m, v in zip(months, values)
                    if v]
        if title != "C":  # the month to date
            expected[-1] = expected[-1].replace("2026-12", "2026-12 (month to date)")
        assert tips == expected
    marker = 'class="chart-marker chart-series-2"'  # (not the legend's swatch)
    assert drawn[1].count(marker) == 1 and drawn[0].count(marker) == 2
    assert "chart-marker" not in drawn[2] and "chart-partial" not in drawn[2]
    bars_module._LAYOUTS.clear()  # drawn again from nothing: the same
    assert [bar_chart(months, second, title="B", markers=marks[:1], partial_last=True),
            bar_chart(months, first, title="A", markers=marks, partial_last=True),
            bar_chart(months, first, title="C")] == [drawn[1], drawn[0], drawn[2]]


def test_text_is_escaped_everywhere():
    charts = [
        bar_chart([EVIL, "b"], [1, 2], title=EVIL, secondary=[1, 1], secondary_label=EVIL,
                  primary_label=EVIL),
        bar_chart([], [], title=EVIL),
        sparkline([1, 2, 3], title=EVIL),
        sparkline([], title=EVIL),
        funnel_chart([(EVIL, 3), ("Declined", 1)], title=EVIL),
        share_bars([(EVIL, 3), ("x & y", 1)], title=EVIL, highlight=EVIL),
        funnel_chart([(EVIL, 3), ("Declined", 1)], title=EVIL, layout="stacked"),
        share_bars([(EVIL, 3), ("x & y", 1)], title=EVIL, highlight=EVIL, layout="stacked"),
    ]
    for svg in charts:
        assert "<script" not in svg
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
        root = ET.fromstring(svg)
        assert not any(el.tag.endswith("script") for el in root.iter())
        assert root.get("aria-label") == EVIL
        assert EVIL in root[0].text
        assert "x &amp; y" in svg or "x & y" not in svg


def test_control_characters_do_not_break_xml():
    svg = bar_chart(["a\x00b", "c\x1bd"], [1, 2], title='t"\x07\'')
    root = ET.fromstring(svg)
    assert root.get("aria-label") == "t\"'"


# ---------------------------------------------------------------------------- bar chart

def test_one_bar_per_period_with_something_in_it():
    nonzero = [m for m, v in zip(MONTHS, VALUES) if v]
    assert 0 < len(nonzero) < len(VALUES)  # the sample has empty months
    for name in ("bar", "bar2"):
        root = ET.fromstring(CHARTS[name])
        # an empty month draws no bar of no height (it could not be pointed at)
        assert [b.find(f"{SVG}title").text.split(":")[0] for b in bars(root)] == nonzero
        assert all(float(b.get("height")) > 0 for b in bars(root))


def test_the_summary_counts_months_not_periods():
    # the chart's summary, its tooltip and what a screen reader says, read "Referrals for 24
    # periods, 2024-04 to 2026-03": a programmer's word for the months on the axis
    summary = ET.fromstring(CHARTS["bar"]).find(f"{SVG}title").text
    assert summary.startswith(f"Referrals per month: Referrals for {len(MONTHS)} months, "
                              f"{MONTHS[0]} to {MONTHS[-1]}; total "), summary
    one = ET.fromstring(bar_chart(["2026-03"], [4], title="t")).find(f"{SVG}title").text
    assert "for 1 month, 2026-03;" in one and "period" not in one, one


def test_bar_heights_proportional():
    root = ET.fromstring(CHARTS["bar"])
    heights = [float(b.get("height")) for b in bars(root)]
    values = [v for v in VALUES if v]
    tallest = max(range(len(values)), key=values.__getitem__)
    assert max(heights) == heights[tallest]
    # proportional: h_i / v_i is one constant (to the 0.1 rounding of coordinates)
    ratio = heights[tallest] / values[tallest]
    for h, v in zip(heights, values):
        assert abs(h - ratio * v) <= 0.11
    # bars stand on a common baseline
    assert len({round(float(b.get("y")) + float(b.get("height")), 1) for b in bars(root)}) == 1


@pytest.mark.parametrize("values", [VALUES[-12:], [0] * 11 + [6], [1200, 5, 0, 1200]])
def test_bar_counts_written_above_their_bars_inside_the_view(values):
    labels = MONTHS[:len(values)]
    plain = ET.fromstring(bar_chart(labels, values, title="t"))
    assert not [t for t in plain.iter(f"{SVG}text") if "chart-count" in classes(t)]
    root = ET.fromstring(bar_chart(labels, values, title="t", counts=True))
    counts = [t for t in root.iter(f"{SVG}text") if "chart-count" in classes(t)]
    drawn = bars(root)
    # one count per bar (an empty month has neither), its number, centred over its bar
    assert [t.text.replace(",", "") for t in counts] == [str(v) for v in values if v]
    assert len(counts) == len(drawn)
    for t, b in zip(counts, drawn):
        assert abs(float(t.get("x")) - (float(b.get("x")) + float(b.get("width")) / 2)) <= 0.11
        assert float(t.get("y")) < float(b.get("y"))  # above the bar's top
        assert float(t.get("y")) - 12 >= 0  # the tallest's count is inside the view


def test_bar_tooltips():
    root = ET.fromstring(CHARTS["bar"])
    tips = [b.find(f"{SVG}title").text for b in bars(root)]
    assert tips[-1] == "2026-03: 14 referrals"
    one = ET.fromstring(bar_chart(["2026-01"], [1], title="t"))
    assert bars(one)[0].find(f"{SVG}title").text == "2026-01: 1 referral"



def test_bar_figures_give_every_periods_counts_as_a_table():
    """The table a screen reader reads for a bar chart: a row a period, as its tooltips name
    it, each series' count and the markers in it; nothing for an empty chart."""
    args = (["2026-01", "2026-02", "2026-03"], [3, 0, 1234])
    kwargs = dict(title="Referrals & visits", secondary=[1, 2, 0], secondary_label="Visits",
                  partial_last=True, markers=[(0.2, "a"), (0.9, "b"), (2.0, "c"), (3.0, "end"),
                                              (5.0, "after")], height=260, counts=True)
    root = ET.fromstring(charts.bar_figures(*args, **kwargs))
    assert root.get("class") == "chart-figures"
    table = root.find("table")
    assert table.find("caption").text == "Referrals & visits"
    assert [th.text for th in table.find("thead").iter("th")] == \
        ["Month", "Referrals", "Visits", "In-person visits"]
    rows = [[c.text for c in tr] for tr in table.find("tbody")]
    assert rows == [["2026-01", "3", "1", "2"], ["2026-02", "0", "2", "0"],
                    ["2026-03 (month to date)", "1,234", "0", "2"]]
    tips = [b.find(f"{SVG}title").text for b in bars(ET.fromstring(bar_chart(*args, **kwargs)))]
    assert tips[-1].startswith(rows[-1][0] + ": ")
    assert charts.bar_figures([], [], title="t") == ""

def test_y_axis_nice_gridlines():
    for peak in (1, 2, 3, 5, 7, 9, 10, 14, 18, 23, 41, 99, 100, 101, 999, 1234, 98765):
        root = ET.fromstring(bar_chart(["a", "b"], [peak, 0], title="t"))
        ticks = [int(el.text.replace(",", "")) for el in root.iter(f"{SVG}text")
                 if "chart-y-label" in classes(el)]
        assert 3 <= len(ticks) <= 5, (peak, ticks)
        assert ticks[0] == 0 and ticks[-1] >= peak
        step = ticks[1]
        assert ticks == [i * step for i in range(len(ticks))]
        mantissa = step
        while mantissa % 10 == 0:
            mantissa //= 10
        assert mantissa in (1, 2, 5), (peak, step)
        # the tallest bar reaches at least 40% of the plot
        assert peak / ticks[-1] > 0.4 or peak == 1


def test_x_labels_thinned_for_24_months():
    labels = x_labels(ET.fromstring(CHARTS["bar"]))
    assert labels == MONTHS[2::3]          # every 3rd label, the latest month included
    assert len(labels) == 8
    assert labels[-1] == "2026-03"


def test_x_labels_never_overlap():
    for n in (1, 2, 6, 12, 24, 36, 60, 120):
        months = [f"M{i:05d}" for i in range(n)]
        assert charts._text_w(months[0]) >= 6 * 12 * 0.55
        root = ET.fromstring(bar_chart(months, [1] * n, title="t"))
        xs = [float(el.get("x")) for el in root.iter(f"{SVG}text")
              if "chart-x-label" in classes(el)]
        assert xs, n
        width = charts._text_w(months[0])  # the module's estimate of one label's width
        assert all(b - a >= width for a, b in zip(xs, xs[1:])), n
        assert xs[-1] + width / 2 <= float(root.get("viewBox").split()[2])
        assert xs[0] - width / 2 >= 0, n


def test_few_labels_not_thinned():
    root = ET.fromstring(bar_chart(MONTHS[-6:], VALUES[-6:], title="t"))
    assert x_labels(root) == MONTHS[-6:]


def test_secondary_series_and_legend():
    root = ET.fromstring(CHARTS["bar2"])
    dots = [el for el in root.iter(f"{SVG}circle")
            if {"chart-dot", "chart-series-2"} <= classes(el)]
    assert len(dots) == len(VISITS)
    assert dots[-1].find(f"{SVG}title").text == "2026-03: 3 in-person visits"
    lines = [el for el in root.iter(f"{SVG}polyline") if "chart-line" in classes(el)]
    assert len(lines) == 1 and lines[0].get("stroke") == "#d97706"
    legend = [el.text for el in root.iter(f"{SVG}text") if "chart-legend-label" in classes(el)]
    assert legend == ["Referrals", "In-person visits"]
    # no legend with one series
    assert "chart-legend" not in CHARTS["bar"]


@pytest.mark.parametrize("peak", [3, 40, 98765])
def test_scale_and_legend_on_the_right_by_the_newest_periods(peak):
    """A phone shows a monthly chart from its right end (app.js): its y labels and its
    legend are there, inside the view, right of the plot and the bars."""
    root = ET.fromstring(bar_chart(MONTHS, VALUES[:-1] + [peak], title="t", secondary=VISITS,
                                   secondary_label="In-person visits", partial_last=True,
                                   markers=[(23.5, "a visit")]))
    view_w = float(root.get("viewBox").split()[2])
    grid = [el for el in root.iter(f"{SVG}line") if "chart-gridline" in classes(el)]
    plot_right = float(grid[0].get("x2"))
    rights = [float(el.get("x")) + float(el.get("width")) for el in bars(root)]
    assert max(rights) <= plot_right
    for el in root.iter(f"{SVG}text"):
        if "chart-y-label" in classes(el):
            x = float(el.get("x"))
            assert el.get("text-anchor") in (None, "start")
            assert plot_right < x and x + charts._text_w(el.text) <= view_w, el.text
    legend = [el for el in root.iter(f"{SVG}text") if "chart-legend-label" in classes(el)]
    assert [el.text for el in legend] == ["Referrals", "In-person visits", "In-person visit",
                                          "month to date"]
    ends = {}  # each row's end, by its y
    for el in legend:
        ends[el.get("y")] = float(el.get("x")) + charts._text_w(el.text)
    assert all(abs(end - plot_right) < 0.2 for end in ends.values()), (ends, plot_right)


def test_legend_is_whole_in_a_phones_view_of_the_newest_end():
    """A phone shows a monthly chart from its right end, 260 units of it at 320 px (app.js,
    style.css): every legend entry starts inside that view. The referrals page's legend
    ("Physician referrals", "Other new patients", "month to date") was one row of 440
    units, so a phone showed "…eferrals" and no key to the bars."""
    root = ET.fromstring(bar_chart(MONTHS, VALUES, title="t", secondary=VISITS,
                                   primary_label="Physician referrals",
                                   secondary_label="Other new patients", partial_last=True))
    view_w = float(root.get("viewBox").split()[2])
    legend = [el for el in root.iter(f"{SVG}text") if "chart-legend-label" in classes(el)]
    assert [el.text for el in legend] == ["Physician referrals", "Other new patients",
                                          "month to date"]
    swatches = [el for el in root.iter() if "chart-legend-swatch" in classes(el)]
    lefts = [float(el.get("x", el.get("x1", el.get("cx", 0)))) for el in swatches]
    assert min(lefts) >= view_w - charts.rows.STACKED_W, (lefts, view_w)


def test_all_zero_bar_chart():
    root = ET.fromstring(CHARTS["bar_zero"])
    assert bars(root) == []
    ticks = [el.text for el in root.iter(f"{SVG}text") if "chart-y-label" in classes(el)]
    assert ticks == ["0"]
    assert "nan" not in CHARTS["bar_zero"].lower() and "inf" not in CHARTS["bar_zero"].lower()


def test_empty_bar_chart_says_no_data():
    root = ET.fromstring(CHARTS["bar_empty"])
    assert bars(root) == []
    assert "No data yet" in [el.text for el in root.iter(f"{SVG}text")]


def test_bar_chart_rejects_bad_input():
    with pytest.raises(ValueError):
        bar_chart(["a"], [1, 2], title="t")
    with pytest.raises(ValueError):
        bar_chart(["a"], [1], title="t", secondary=[1, 2])
    with pytest.raises(ValueError):
        bar_chart(["a"], [-1], title="t")


def test_bar_colors():
    root = ET.fromstring(CHARTS["bar"])
    assert {b.get("fill") for b in bars(root)} == {"#0f766e"}
    assert any(el.get("stroke") == "#94a3b8" for el in root.iter(f"{SVG}line"))
    assert any(el.get("stroke") == "#e2e8f0" for el in root.iter(f"{SVG}line"))


# ---------------------------------------------------------------------------- sparkline

def test_sparkline_marks_last_point():
    root = ET.fromstring(CHARTS["spark"])
    last = [el for el in root.iter(f"{SVG}circle") if "chart-last" in classes(el)]
    assert len(last) == 1
    line = [el for el in root.iter(f"{SVG}polyline") if "chart-line" in classes(el)][0]
    points = line.get("points").split()
    assert len(points) == 12
    assert points[-1] == f"{last[0].get('cx')},{last[0].get('cy')}"
    assert root.get("viewBox") == "0 0 120 28"
    ys = [float(p.split(",")[1]) for p in points]
    data = VALUES[-12:]
    assert ys.index(min(ys)) == data.index(max(data))  # SVG y grows downwards


@pytest.mark.parametrize("name", ["spark_const", "spark_zero"])
def test_sparkline_constant_is_flat(name):
    root = ET.fromstring(CHARTS[name])
    line = [el for el in root.iter(f"{SVG}polyline") if "chart-line" in classes(el)][0]
    assert len({p.split(",")[1] for p in line.get("points").split()}) == 1


def test_sparkline_edge_cases():
    one = ET.fromstring(CHARTS["spark_one"])
    assert len([el for el in one.iter(f"{SVG}circle") if "chart-last" in classes(el)]) == 1
    empty = ET.fromstring(CHARTS["spark_empty"])
    assert not list(empty.iter(f"{SVG}circle"))
    assert "no data" in empty[0].text.lower()
    custom = ET.fromstring(sparkline([1, 2], title="t", width=200, height=40))
    assert custom.get("viewBox") == "0 0 200 40"


# ---------------------------------------------------------------------------- funnel

@pytest.mark.parametrize("name", ["funnel", "funnel_stacked"])
def test_funnel_bars_counts_and_percentages(name):
    root = ET.fromstring(CHARTS[name])
    bs = bars(root)
    assert len(bs) == len(FUNNEL)
    widths = [float(b.get("width")) for b in bs]
    assert widths == sorted(widths, reverse=True)
    values = [el.text for el in root.iter(f"{SVG}text") if "chart-value" in classes(el)]
    assert values == ["120 · 100%", "96 · 80%", "80 · 67%", "51 · 43%", "9 · 8%"]
    labels = [el.text for el in root.iter(f"{SVG}text") if "chart-row-label" in classes(el)]
    assert labels == [s for s, _ in FUNNEL]


@pytest.mark.parametrize("name", ["funnel", "funnel_stacked"])
def test_funnel_declined_in_red(name):
    root = ET.fromstring(CHARTS[name])
    fills = [b.get("fill") for b in bars(root)]
    assert fills == ["#0f766e"] * 4 + ["#b91c1c"]
    assert "chart-decline" in classes(bars(root)[-1])


@pytest.mark.parametrize("name", ["funnel_zero", "funnel_zero_stacked"])
def test_funnel_zero_first_stage(name):
    root = ET.fromstring(CHARTS[name])
    assert [float(b.get("width")) for b in bars(root)] == [0.0] * 5
    assert "No data yet" in CHARTS["funnel_empty"]


# ---------------------------------------------------------------------------- share bars

@pytest.mark.parametrize("name", ["share", "share_stacked"])
def test_share_bars_order_counts_and_highlight(name):
    root = ET.fromstring(CHARTS[name])
    bs = bars(root)
    assert len(bs) == len(SOURCES)
    labels = [el.text for el in root.iter(f"{SVG}text") if "chart-row-label" in classes(el)]
    assert labels == [s for s, _ in SOURCES]  # as given, not re-sorted
    counts = [el.text for el in root.iter(f"{SVG}text") if "chart-value" in classes(el)]
    assert counts == [str(v) for _, v in SOURCES]
    assert [b.get("fill") for b in bs] == ["#0f766e"] * 3 + ["#d97706"]
    widths = [float(b.get("width")) for b in bs]
    assert widths[0] == max(widths)
    assert abs(widths[1] / widths[0] - 22 / 64) < 0.01
    assert bs[-1].find(f"{SVG}title").text == "unknown: 17 (15% of 112)"


@pytest.mark.parametrize("layout", ["side", "stacked"])
def test_share_bars_long_labels_truncated(layout):
    long = "A referring practice with an extraordinarily long name, LLC"
    root = ET.fromstring(share_bars([(long, 3), ("b", 1)], title="t", layout=layout))
    label = [el.text for el in root.iter(f"{SVG}text") if "chart-row-label" in classes(el)][0]
    assert label.endswith("…") and len(label) < len(long)
    assert bars(root)[0].find(f"{SVG}title").text.startswith(long)


def test_share_bars_zero_and_empty():
    root = ET.fromstring(CHARTS["share_zero"])
    assert [float(b.get("width")) for b in bars(root)] == [0.0] * 4
    assert "No data yet" in CHARTS["share_empty"]
    assert "No data yet" in CHARTS["share_empty_stacked"]
    assert "chart-stacked" in CHARTS["share_empty_stacked"]


# ---------------------------------------------------------------------------- two layouts

@pytest.mark.parametrize("name", ["funnel_stacked", "share_stacked"])
def test_stacked_rows_fit_a_phone_each_label_above_its_bar(name):
    """The stacked layout, for a phone: 260 units wide (a 320 px screen's chart frame),
    each label on its own line above its bar, every text inside the view."""
    root = ET.fromstring(CHARTS[name])
    assert classes(root) >= {"chart", "chart-stacked"}
    width = float(root.get("viewBox").split()[2])
    assert width == 260
    rows = [row for row in root.iter(f"{SVG}g") if "chart-row" in classes(row)]
    assert len(rows) == len(FUNNEL if name.startswith("funnel") else SOURCES)
    bottom = 0.0
    for row in rows:
        label, value = [el for el in row.iter(f"{SVG}text")]
        bar = [el for el in row.iter(f"{SVG}rect") if "chart-bar" in classes(el)][0]
        assert "chart-row-label" in classes(label) and "chart-value" in classes(value)
        assert bottom < float(label.get("y")) - 12 + 0.5  # below the row above
        assert float(label.get("y")) <= float(bar.get("y"))  # the label above its bar
        x = float(label.get("x"))
        assert 0 <= x and x + charts._text_w(label.text) * 1.15 <= width
        vx = float(value.get("x"))
        vw = charts._text_w(value.text)
        start = vx - vw if value.get("text-anchor") == "end" else vx
        assert float(bar.get("x")) + float(bar.get("width")) <= start <= start + vw <= width
        bottom = float(bar.get("y")) + float(bar.get("height"))
    assert bottom <= float(root.get("viewBox").split()[3])


def test_both_layouts_stacked_first_with_the_same_bars_and_tooltips():
    for draw, given in ((funnel_chart, {"stages": FUNNEL}),
                        (share_bars, {"items": SOURCES, "highlight": "unknown"})):
        both = draw(**given, title="t", layout="both")
        stacked, side = (draw(**given, title="t", layout=one) for one in ("stacked", "side"))
        assert both == stacked + side
        assert classes(ET.fromstring(side)) >= {"chart", "chart-side"}
        assert [[b.find(f"{SVG}title").text for b in bars(ET.fromstring(svg))]
                for svg in (stacked, side)] == \
            [[b.find(f"{SVG}title").text for b in bars(ET.fromstring(side))]] * 2


# ---------------------------------------------------------------------------- trend badge

@pytest.mark.parametrize("now, before, expected", [
    (5, 4, ("+25%", "up")),
    (3, 5, ("\u221240%", "down")),
    (4, 4, ("\u00b10", "flat")),
    (0, 0, ("\u00b10", "flat")),
    (3, 0, ("new", "up")),
    (0, 7, ("\u2212100%", "down")),
    (30, 2, ("+1,400%", "up")),
    (1001, 1000, ("\u00b10", "flat")),   # rounds to 0 %
    (3, 2, ("+50%", "up")),
    (1, 8, ("\u221288%", "down")),       # 87.5 rounds half away from zero
    (9, 8, ("+13%", "up")),              # 12.5 likewise
])
def test_trend_badge(now, before, expected):
    assert trend_badge(now, before) == expected


def test_trend_badge_minus_sign():
    text, _ = trend_badge(1, 2)
    assert text.startswith("\u2212") and "-" not in text


def _luminance(colour: str) -> float:
    h = colour.lstrip("#")
    if len(h) == 3:
        h = "".join(ch * 2 for ch in h)

    def lin(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(int(h[i:i + 2], 16) / 255) for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_chart_text_is_readable_on_the_card(name):
    """Every word a chart writes (labels, values, the highlighted "unknown" source among them)
    has a contrast of at least 4.5:1 with the white card it is drawn on (WCAG AA, 12 px text):
    the highlighted label was the amber of its bar, 3.2:1."""
    root = ET.fromstring(CHARTS[name])
    card = _luminance("#ffffff")
    low = []
    for el in root.iter(f"{SVG}text"):
        fill = el.get("fill")
        assert fill and fill.startswith("#"), (name, el.text)
        ratio = (card + 0.05) / (_luminance(fill) + 0.05)
        if ratio < 4.5:
            low.append(f"{el.text!r} in {fill}: {ratio:.2f}:1")
    assert not low, f"{name}: " + "; ".join(low)


def test_second_series_reaches_an_unfinished_month_by_a_dashed_segment():
    """The dashboard's in-person visits line fell, solid, to the 0 of a month 5 days old
    beside a dashed 'month to date' bar (printed for the owner, a collapse of visits); the
    last segment is dashed as that bar is, the months before one solid line."""
    root = ET.fromstring(bar_chart(MONTHS, VALUES, title="t", secondary=VISITS[:-1] + [0],
                                   secondary_label="In-person visits", partial_last=True))
    lines = [el for el in root.iter(f"{SVG}polyline") if "chart-line" in classes(el)]
    solid = [el for el in lines if not el.get("stroke-dasharray")]
    dashed = [el for el in lines if el.get("stroke-dasharray")]
    assert len(solid) == 1 and len(dashed) == 1
    assert len(solid[0].get("points").split()) == len(MONTHS) - 1
    assert dashed[0].get("points").split() == solid[0].get("points").split()[-1:] + \
        [dashed[0].get("points").split()[-1]]
    assert "chart-partial" in classes(dashed[0])
    # a finished last month: one solid line through every point
    root = ET.fromstring(bar_chart(MONTHS, VALUES, title="t", secondary=VISITS,
                                   secondary_label="In-person visits"))
    lines = [el for el in root.iter(f"{SVG}polyline") if "chart-line" in classes(el)]
    assert len(lines) == 1 and len(lines[0].get("points").split()) == len(MONTHS)
    assert lines[0].get("stroke-dasharray") is None


def test_bars_and_dots_stand_as_tall_as_the_gridlines_of_their_counts():
    """The y scale reaches the taller of the two series: here the visits' 20 (the bars peak
    at 10), so the gridlines are 5, 10, 15, 20; a bar of 5 ends on the gridline of 5, a bar
    of 10 on that of 10, the dots of 20 and 15 on theirs and the dot of 0 on the axis."""
    root = ET.fromstring(bar_chart(["2026-01", "2026-02", "2026-03"], [5, 10, 0], title="t",
                                   secondary=[20, 0, 15], secondary_label="Visits"))
    labels = [int(el.text) for el in root.iter(f"{SVG}text") if "chart-y-label" in classes(el)]
    assert labels == [0, 5, 10, 15, 20]
    lines = [el for el in root.iter(f"{SVG}line") if "chart-gridline" in classes(el)]
    at = dict(zip(labels[1:], (el.get("y1") for el in lines)))
    at[0] = next(el.get("y1") for el in root.iter(f"{SVG}line") if "chart-axis" in classes(el))
    assert [b.get("y") for b in bars(root)] == [at[5], at[10]]
    dots = [el for el in root.iter(f"{SVG}circle") if "chart-dot" in classes(el)]
    assert [d.get("cy") for d in dots] == [at[20], at[0], at[15]]


def test_the_summary_gives_the_total_the_first_of_the_highest_and_the_latest():
    """The chart's name for a screen reader, summed by hand: 4 + 9 + 2 + 9 = 24, the highest
    9 first in February, the latest 9 in April; visits 1 + 0 + 3 + 2 = 6, the latest 2."""
    months = ["2026-01", "2026-02", "2026-03", "2026-04"]
    summary = ET.fromstring(bar_chart(months, [4, 9, 2, 9], title="t", secondary=[1, 0, 3, 2],
                                      secondary_label="Visits")).find(f"{SVG}title").text
    assert summary == ("t: Referrals for 4 months, 2026-01 to 2026-04; total 24, "
                       "highest 9 in 2026-02, latest 9 in 2026-04. Visits: total 6, latest 2."), \
        summary


def test_bar_figures_of_one_series_give_each_month_its_count():
    root = ET.fromstring(charts.bar_figures(["2026-01", "2026-02", "2026-03"], [7, 0, 2],
                                            title="t"))
    assert [[c.text for c in tr] for tr in root.find("table").find("tbody")] == \
        [["2026-01", "7"], ["2026-02", "0"], ["2026-03", "2"]]


def test_only_the_unfinished_last_month_is_drawn_partial():
    root = ET.fromstring(bar_chart(["2026-01", "2026-02", "2026-03"], [4, 6, 2], title="t",
                                   partial_last=True))
    assert ["chart-partial" in classes(b) for b in bars(root)] == [False, False, True]
    assert bars(root)[-1].find(f"{SVG}title").text == "2026-03 (month to date): 2 referrals"


def test_sparkline_points_from_the_baseline_to_the_top():
    """120 x 28 with 3.5 of padding: x from 3.5 to 116.5, y from 24.5 (0) to 3.5 (the
    highest, 10); 5 is halfway, at 14."""
    root = ET.fromstring(sparkline([0, 5, 10], title="t"))
    line = next(el for el in root.iter(f"{SVG}polyline") if "chart-line" in classes(el))
    assert line.get("points") == "3.5,24.5 60,14 116.5,3.5"
    last = next(root.iter(f"{SVG}circle"))
    assert (last.get("cx"), last.get("cy")) == ("116.5", "3.5")


def test_sparkline_summary_gives_latest_highest_and_lowest():
    summary = ET.fromstring(sparkline([5, 2, 1], title="t")).find(f"{SVG}title").text
    assert summary == "t: 5, 2, 1; latest 1, highest 5, lowest 1.", summary


@pytest.mark.parametrize("name", ["funnel", "funnel_stacked", "share", "share_stacked"])
def test_the_largest_count_fills_its_whole_track(name):
    """Bars are scaled by the largest count (the funnel's 120 referred, the sources' 64 from
    physicians), which fills its track; the others in proportion to it."""
    root = ET.fromstring(CHARTS[name])
    tracks = [el.get("width") for el in root.iter(f"{SVG}rect") if "chart-track" in classes(el)]
    widths = [b.get("width") for b in bars(root)]
    assert widths[0] == tracks[0]
    assert abs(float(widths[1]) / float(tracks[1]) - (96 / 120 if "funnel" in name else 22 / 64)) \
        < 0.002


def test_the_declined_stage_is_set_8_units_apart():
    """Rows 28 apart from y 8 (stacked: 40 apart from 4), a bar 5 below its row's top (18:
    stacked): 13, 41, 69, 97, then Declined 8 further, at 133 (stacked 22 … 142, then 190)."""
    side = [b.get("y") for b in bars(ET.fromstring(CHARTS["funnel"]))]
    assert side == ["13", "41", "69", "97", "133"]
    stacked = [b.get("y") for b in bars(ET.fromstring(CHARTS["funnel_stacked"]))]
    assert stacked == ["22", "62", "102", "142", "190"]


def test_funnel_and_share_summaries_give_each_count_and_share():
    """120 referred; 96/120 = 80%, 80/120 = 66.7 -> 67%, 51/120 = 42.5 -> 43%, 9/120 = 7.5 ->
    8% (the first stage is the 100% of the others). Sources of 112: 64 -> 57%, 22 -> 19.6 ->
    20%, 9 -> 8%, 17 -> 15%."""
    summary = ET.fromstring(CHARTS["funnel"]).find(f"{SVG}title").text
    assert summary == ("Referral funnel, 365 days: Referred 120; Scheduled 96 (80%); "
                       "Consulted 80 (67%); Treated 51 (43%); Declined 9 (8%)."), summary
    summary = ET.fromstring(CHARTS["share"]).find(f"{SVG}title").text
    assert summary == ("Referral sources: physician 64 (57%); website 22 (20%); "
                       "insurance 9 (8%); unknown 17 (15%). Total 112."), summary


def test_an_unfinished_month_with_nothing_yet_still_shows_as_a_shaded_column():
    """No bar for March's 0 so far, but its column is shaded, the last slot of the plot (it
    ends where the axis ends), and pointing at it says "month to date"."""
    root = ET.fromstring(bar_chart(["2026-01", "2026-02", "2026-03"], [4, 6, 0], title="t",
                                   partial_last=True))
    assert len(bars(root)) == 2
    bands = [el for el in root.iter(f"{SVG}rect") if "chart-partial-band" in classes(el)]
    assert len(bands) == 1
    assert bands[0].find(f"{SVG}title").text == "2026-03 (month to date): 0 referrals"
    axis = next(el for el in root.iter(f"{SVG}line") if "chart-axis" in classes(el))
    assert abs(float(bands[0].get("x")) + float(bands[0].get("width"))
               - float(axis.get("x2"))) <= 0.11
    slot = (float(axis.get("x2")) - float(axis.get("x1"))) / 3
    assert abs(float(bands[0].get("width")) - slot) <= 0.11


def test_on_a_phone_a_share_count_ends_at_the_right_edge_and_a_funnel_count_follows_its_bar():
    """The stacked layout, 260 wide: a source's count right-aligned at 258 (2 from the edge),
    in a column; a funnel stage's count 6 after the end of its bar."""
    share = ET.fromstring(CHARTS["share_stacked"])
    values = [el for el in share.iter(f"{SVG}text") if "chart-value" in classes(el)]
    assert {(el.get("x"), el.get("text-anchor")) for el in values} == {("258", "end")}
    funnel = ET.fromstring(CHARTS["funnel_stacked"])
    values = [el for el in funnel.iter(f"{SVG}text") if "chart-value" in classes(el)]
    for el, b in zip(values, bars(funnel), strict=True):
        assert el.get("text-anchor") == "start"
        assert abs(float(el.get("x")) - float(b.get("width")) - 6) <= 0.11
