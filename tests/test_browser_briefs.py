"""Browser tests of the physician and practice briefs (issue 12, SPEC §6), in Debian's Chromium
driven by Playwright, on the repository's sample site: the fixtures and helpers of
tests/test_browser.py (the site built once per module, served on 127.0.0.1; skipped with a
reason when Chromium or Playwright is missing, failed instead under CI).

On a phone the first screen answers "where, who, when, what we promised" and starts the
talking points; nothing scrolls sideways; the referral chart shows its visit markers, the
unfinished month and a legend; the folded talking points open with a tap.

Screenshots of a physician and a practice brief at phone and desktop width go to
$LIAISON_SHOTS_DIR (default /tmp/liaison-shots/), for a person to look at.
"""
from __future__ import annotations

import re

import pytest

from test_browser import (  # noqa: F401 - fixtures are used by name
    DESKTOP, PHONE, SHOTS, _shot, browser, new_page, pages, server, site,
)

# A brief with every part: open promises, folded talking points, a declining trend, visits
# 90 to 454 days old, spend this year.
PHYSICIAN = "physicians/priyanka-desrosiers/index.html"
PRACTICE = "practices/riverbend-internal-medicine/index.html"


def _phone(new_page):
    return new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)


def _box(page, selector: str) -> dict:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not rendered"
    return box


@pytest.mark.parametrize("path", [PHYSICIAN, PRACTICE])
def test_first_screen_on_a_phone(new_page, server, path):
    page, rec = _phone(new_page)
    page.goto(f"{server}/{path}")
    page.wait_for_load_state("networkidle")
    screen = PHONE["height"]
    glance = _box(page, ".brief-top .glance")
    assert glance["y"] + glance["height"] <= screen, \
        f"where, when, who and the promises end at {glance['y'] + glance['height']:.0f} px"
    # the map link, the number to tap and the promises are on it
    for selector in (".glance a.map", ".glance a.tel", ".brief-top .promises"):
        box = _box(page, selector)
        assert box["y"] + box["height"] <= screen, selector
    assert page.locator(".glance a.map").get_attribute("href").startswith(
        "https://www.google.com/maps/search/?api=1&query=")
    assert re.fullmatch(r"tel:\+?\d{7,}", page.locator(".glance a.tel").first.get_attribute("href"))
    # the talking points start on it, the first one readable
    first_point = _box(page, ".brief-top .talk ol.points > li")
    assert first_point["y"] < screen
    # above everything else of the brief: figures, chart, outcomes
    assert _box(page, ".kpis")["y"] > _box(page, ".brief-top .talk")["y"]
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{path} scrolls sideways on a phone: {widths}"
    assert rec.console_errors == [], rec.console_errors


def test_the_navigation_is_one_row_on_a_phone(new_page, server):
    page, _ = _phone(new_page)
    page.goto(f"{server}/{PHYSICIAN}")
    links = page.locator("nav .nav a")
    tops = {round(links.nth(i).bounding_box()["y"]) for i in range(links.count())
            if links.nth(i).bounding_box()}
    assert len(tops) == 1, f"the navigation wraps into {len(tops)} rows"
    # every section stays reachable: the row scrolls, the page does not
    nav = page.locator("nav .nav").first
    assert nav.evaluate("e => e.scrollWidth > e.clientWidth")
    nav.evaluate("e => { e.scrollLeft = e.scrollWidth; }")
    last = links.nth(links.count() - 1).bounding_box()
    assert last["x"] + last["width"] <= PHONE["width"] + 1


def test_more_talking_points_open_with_a_tap(new_page, server):
    page, _ = _phone(new_page)
    page.goto(f"{server}/{PHYSICIAN}")
    folded = page.locator(".more-points ol.points > li")
    assert folded.count() >= 1
    assert not folded.first.is_visible()
    page.locator(".more-points summary").tap()
    assert folded.first.is_visible()
    shown = page.locator(".brief-top .talk ol.points > li").count()
    assert shown == 3 + folded.count()


@pytest.mark.parametrize("path", [PHYSICIAN, PRACTICE])
def test_the_chart_shows_visits_and_the_month_to_date(new_page, server, path):
    page, _ = new_page(viewport=DESKTOP)
    page.goto(f"{server}/{path}")
    chart = page.locator("section[aria-labelledby='history-h'] svg.chart-bar")
    assert chart.get_attribute("role") == "img"
    assert "in-person visits" in chart.get_attribute("aria-label")
    markers = chart.locator("path.chart-marker:not(.chart-legend-swatch)")
    assert markers.count() >= 1
    for i in range(markers.count()):
        assert markers.nth(i).is_visible()
        assert re.match(r"\d{4}-\d\d-\d\d: \w+ by ", markers.nth(i).locator("title").text_content())
    legend = chart.locator(".chart-legend-label").all_text_contents()
    assert legend == ["Referrals", "In-person visit", "month to date"]
    band = chart.locator("rect.chart-partial-band")
    assert band.count() == 1 and band.is_visible()
    # on a phone the chart keeps its legible size in a frame that fits the screen and
    # scrolls sideways, opened at the newest month (the unfinished one in view)
    page.set_viewport_size(PHONE)
    page.reload()
    frame = chart.locator("xpath=..")
    for _ in range(20):
        fbox, bbox = frame.bounding_box(), band.bounding_box()
        if fbox["x"] <= bbox["x"] and bbox["x"] + bbox["width"] <= fbox["x"] + fbox["width"] + 0.5:
            break
        page.wait_for_timeout(100)
    assert fbox["x"] >= 0 and fbox["x"] + fbox["width"] <= PHONE["width"]
    assert fbox["x"] <= bbox["x"] and bbox["x"] + bbox["width"] <= fbox["x"] + fbox["width"] + 0.5
    assert frame.get_attribute("tabindex") == "0"  # reachable by keyboard to scroll


def test_spend_meter_and_outcomes_table(new_page, server):
    page, _ = new_page(viewport=DESKTOP)
    page.goto(f"{server}/{PHYSICIAN}")
    meter = page.locator(".spend-card meter")
    assert meter.is_visible()
    value, high = float(meter.get_attribute("value")), float(meter.get_attribute("max"))
    assert 0 < value <= high
    table = page.locator("table.outcomes")
    headers = [t.strip() for t in table.locator("thead th").all_inner_texts()]
    assert headers == ["SERVICE", "REFERRED", "SCHEDULED", "CONSULTED", "TREATED", "DECLINED", "ALL"]
    total = table.locator("tr.total td").last.text_content().strip()
    kpi = page.locator(".kpi", has_text="Referrals, 365 days").locator(".value").text_content()
    assert total == kpi.strip(), "the outcomes table counts the referrals of the last 365 days"


@pytest.mark.parametrize("path", [PHYSICIAN, PRACTICE])
def test_return_on_visit_and_outcomes_fit_a_phone(new_page, server, path):
    page, _ = _phone(new_page)
    page.goto(f"{server}/{path}")
    for table in ("table.rov", "table.outcomes"):
        wrap = page.locator(table).locator("xpath=..")
        assert wrap.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), \
            f"{table} scrolls sideways on a phone"
    # the short headers stand in for the long ones, which stay as tooltips
    th = page.locator("table.outcomes thead th[title='Scheduled']")
    assert th.inner_text().strip().lower() == "sch."


def test_screenshots_of_the_briefs(new_page, server):
    for path, name in ((PHYSICIAN, "physician"), (PRACTICE, "practice")):
        page, _ = new_page(viewport=DESKTOP)
        page.goto(f"{server}/{path}")
        page.wait_for_load_state("networkidle")
        _shot(page, f"brief-{name}-1280.png")
        page, _ = new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=1)
        page.goto(f"{server}/{path}")
        page.wait_for_load_state("networkidle")
        _shot(page, f"brief-{name}-390.png")
        page.screenshot(path=str(SHOTS / f"brief-{name}-390-first-screen.png"))
    for name in ("physician", "practice"):
        assert (SHOTS / f"brief-{name}-390.png").is_file()


@pytest.mark.parametrize("path", [PHYSICIAN, PRACTICE])
def test_the_number_to_call_is_a_finger_high_on_a_phone(new_page, server, path):
    # In the car park the phone number is the one thing tapped on the first screen; it was a
    # line of text 16 px high, 10 px under the address's map link. It is a target of 44 px
    # (Apple's and Android's minimum) and a tap anywhere on it rings, not the map.
    page, _ = _phone(new_page)
    page.goto(f"{server}/{path}")
    tel = _box(page, ".glance a.tel")
    _box(page, ".glance a.map")  # the map link is drawn too
    hit = "([x, y]) => { const e = document.elementFromPoint(x, y); return e && e.closest('a') && e.closest('a').className; }"
    x = tel["x"] + tel["width"] / 2
    rings = [y for y in range(int(tel["y"]) - 40, int(tel["y"] + tel["height"]) + 40)
             if page.evaluate(hit, [x, y]) == "tel"]
    assert len(rings) >= 44, (len(rings), tel)
    # the map link keeps every pixel of its own
    for r in page.eval_on_selector(".glance a.map", "a => [...a.getClientRects()].map(r => [r.left, r.top, r.width, r.height])"):
        for y in range(int(r[1]) + 1, int(r[1] + r[3])):
            assert page.evaluate(hit, [r[0] + r[2] / 2, y]) == "map", (y, r)


@pytest.mark.parametrize("path, card, heading", [(PHYSICIAN, "Profile", "Notes"),
                                                (PRACTICE, "Office", "Office staff")])
def test_a_profiles_next_heading_stands_apart_from_its_facts(new_page, server, path, card, heading):
    """The profile card's facts ran straight into its next heading ("First referral —" then
    "Notes" on the line below): the heading now has a group's space above it."""
    page, _ = new_page(viewport=DESKTOP)
    page.goto(f"{server}/{path}")
    card = page.locator("section.card", has=page.locator("h2", has_text=re.compile(f"^{card}$")))
    facts = card.locator(":scope > dl.facts").bounding_box()
    head = card.locator(":scope > h3", has_text=heading).bounding_box()
    line = float(card.locator(":scope > dl.facts dd").first.evaluate(
        "e => parseFloat(getComputedStyle(e).lineHeight) || 16"))
    assert head["y"] - (facts["y"] + facts["height"]) >= 0.6 * line, (facts, head)
