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

from liaison.charts.bars import bar_chart, bar_figures, sparkline
from liaison.charts.rows import funnel_chart, share_bars, trend_badge
from liaison.charts.svg import _text_w

__all__ = ["bar_chart", "bar_figures", "sparkline", "funnel_chart", "share_bars", "trend_badge", "_text_w"]
