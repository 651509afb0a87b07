"""Browser tests of the prospects, compliance and team pages (issue 12), in Debian's Chromium
driven by Playwright, on the repository's sample site: the fixtures and helpers of
tests/test_browser.py (the site built once per module, served on 127.0.0.1; skipped with a
reason when Chromium or Playwright is missing, failed instead under CI).

Screenshots for a person to look at go to $LIAISON_SHOTS_DIR (default /tmp/liaison-shots/).
"""
from __future__ import annotations

import pytest

from test_browser import (  # noqa: F401 - fixtures are used by name
    DESKTOP, PHONE, SHOTS, _shot, browser, new_page, pages, server, site,
)


def _phone(new_page):
    return new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)


def _values(page, table: str, index: int) -> list[str]:
    """The rows' sort values of column ``index`` (data-value, else the text), in page order."""
    return page.eval_on_selector_all(
        f"#{table} tbody tr",
        """(rows, i) => rows.filter(r => !r.hidden).map(r => {
               const c = r.cells[i];
               const v = c.getAttribute('data-value');
               return v !== null ? v : c.textContent.trim().toLowerCase();
           })""",
        index,
    )


def _index(page, table: str, label: str) -> int:
    headers = [t.strip() for t in page.locator(f"#{table} thead th").all_text_contents()]
    assert label in headers, f"no column {label!r} in {headers}"
    return headers.index(label)


# ---------------------------------------------------------------------------------------------
# prospects/


def test_prospects_table_sorts_by_its_columns(new_page, server):
    page, rec = new_page()
    page.goto(f"{server}/prospects/index.html")
    table = "prospect-table"
    page.locator(f"#{table}").wait_for()
    n = page.locator(f"#{table} tbody tr").count()
    assert n >= 2, "the sample site needs at least two prospects to show a ranking"
    rank = _index(page, table, "#")
    # the page comes in the ranking's order: potential's rank never goes down
    assert _values(page, table, rank) == [str(i) for i in range(1, n + 1)]
    col = _index(page, table, "Potential")
    ranks = [int(v) for v in _values(page, table, col)]
    assert ranks == sorted(ranks) and ranks[0] < ranks[-1]

    header = page.locator(f"#{table} thead th").nth(col)
    header.click()
    assert header.get_attribute("aria-sort") == "ascending"
    assert [int(v) for v in _values(page, table, col)] == sorted(ranks)
    header.click()
    assert header.get_attribute("aria-sort") == "descending"
    assert [int(v) for v in _values(page, table, col)] == sorted(ranks, reverse=True)

    # last contact: dates (never contacted is empty: first when ascending)
    col = _index(page, table, "Last contact")
    page.locator(f"#{table} thead th").nth(col).click()
    dates = _values(page, table, col)
    assert dates == sorted(dates)

    # "#" gives the ranking back
    page.locator(f"#{table} thead th").nth(rank).click()
    assert _values(page, table, rank) == [str(i) for i in range(1, n + 1)]
    assert page.locator(f"#{table} thead th[aria-sort]").count() == 1

    # the filter box narrows the table
    name = page.locator(f"#{table} tbody tr td:nth-child(2) a").first.inner_text()
    page.locator(f'input[data-filter="{table}"]').fill(name)
    assert page.locator(f"#{table} tbody tr:visible").count() == 1
    assert rec.console_errors == [], "console errors:\n" + "\n".join(rec.console_errors)


@pytest.mark.parametrize("width", [1280, 1366])
def test_both_ranked_tables_fit_a_laptop_screen(new_page, server, width):
    # the win-back table's eleven columns (a Medicare one since data/market/) were 58 px too
    # wide: its Liaison column hid behind a sideways scroll at every desktop width
    page, rec = new_page(viewport={"width": width, "height": 900})
    page.goto(f"{server}/prospects/index.html")
    for table in ("prospect-table", "win-back-table"):
        wrap = page.locator(f"#{table}").locator("xpath=..")
        assert wrap.evaluate("e => e.scrollWidth <= e.clientWidth"), \
            (table, wrap.evaluate("e => [e.scrollWidth, e.clientWidth]"))


def test_prospects_table_on_a_phone_sorts_by_tap_and_keeps_the_name_in_view(new_page, server):
    page, rec = _phone(new_page)
    page.goto(f"{server}/prospects/index.html")
    table = "prospect-table"
    col = _index(page, table, "Tier")
    header = page.locator(f"#{table} thead th").nth(col)
    header.tap()
    assert header.get_attribute("aria-sort") == "ascending"
    tiers = [int(v) for v in _values(page, table, col)]
    assert tiers == sorted(tiers)
    # under 600 px each row is a card that fits the screen: nothing scrolls sideways, and
    # every card starts with the physician's name, in view
    wrap = page.locator(f"#{table}").locator("xpath=..")
    assert not wrap.evaluate("e => e.scrollWidth > e.clientWidth")
    names = page.locator(f"#{table} tbody tr td:nth-child(2)")
    assert names.count() >= 1
    for i in range(names.count()):
        box = names.nth(i).bounding_box()
        assert names.nth(i).is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert rec.console_errors == [], "console errors:\n" + "\n".join(rec.console_errors)


# ---------------------------------------------------------------------------------------------
# compliance/


def _dollars(text: str) -> float:
    return float(text.replace("$", "").replace(",", ""))


def test_compliance_lists_the_physicians_near_the_limit_first(new_page, server):
    page, rec = new_page()
    page.goto(f"{server}/compliance/index.html")
    items = page.locator("li.spend")
    n = items.count()
    assert n >= 2
    classes = [set((c or "").split()) for c in
               page.eval_on_selector_all("li.spend", "ls => ls.map(l => l.className)")]
    near = [bool(c & {"near", "over"}) for c in classes]
    assert near[0], "the sample site has a physician above 80% of the limit: listed first"
    assert near == sorted(near, reverse=True), "every physician at 80% or more comes first"
    amounts = [_dollars(t) for t in
               page.locator("li.spend .spend-figures strong").all_inner_texts()]
    k = near.count(True)
    assert amounts[:k] == sorted(amounts[:k], reverse=True)
    assert amounts[k:] == sorted(amounts[k:], reverse=True)
    # a near item is drawn in the warning colour, the others not
    fills = page.eval_on_selector_all(
        "li.spend .meter-fill", "rs => rs.map(r => getComputedStyle(r).fill)")
    assert fills[0] != fills[-1]
    # the interactions that cost open on a click, with links to their month of the log
    first = items.first
    first.locator("summary").click()
    links = first.locator(".cost-list a")
    assert links.count() >= 1 and links.first.is_visible()
    href = links.first.get_attribute("href")
    assert href.startswith("../activity/")
    links.first.click()
    page.wait_for_load_state("load")
    assert page.url.startswith(f"{server}/activity/")
    assert rec.bad_status == [] and rec.console_errors == []


# ---------------------------------------------------------------------------------------------
# no sideways scrolling on a phone; screenshots


WHICH = {
    "prospects": "prospects/index.html",
    "compliance": "compliance/index.html",
    "team": "team/index.html",
    "liaison": None,  # the longest team page (test_browser's ``pages``): a liaison's call plan
}


def _path(pages, which: str) -> str:
    return WHICH[which] or pages["team-member"]


@pytest.mark.parametrize("which", sorted(WHICH))
def test_no_horizontal_scroll_on_a_phone(new_page, server, site, pages, which):
    path = _path(pages, which)
    assert (site / path).is_file()
    page, rec = _phone(new_page)
    page.goto(f"{server}/{path}")
    page.wait_for_load_state("networkidle")
    page.locator("details").evaluate_all("ds => ds.forEach(d => { d.open = true; })")
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert widths["scroll"] <= widths["inner"] == PHONE["width"], widths
    assert rec.console_errors == [], "console errors:\n" + "\n".join(rec.console_errors)


def test_screenshots_for_review(new_page, server, site, pages):
    assert "Call plan" in (site / _path(pages, "liaison")).read_text(encoding="utf-8")
    for label, viewport in (("390", PHONE), ("1280", DESKTOP)):
        kw = {"is_mobile": True, "has_touch": True} if viewport is PHONE else {}
        page, _rec = new_page(viewport=viewport, **kw)
        for which in ("prospects", "compliance", "liaison"):
            page.goto(f"{server}/{_path(pages, which)}")
            page.wait_for_load_state("networkidle")
            _shot(page, f"{which}-{label}.png")
            assert (SHOTS / f"{which}-{label}.png").is_file()
