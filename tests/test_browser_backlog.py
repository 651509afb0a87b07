"""Working through the backlog (issue 13, point 4) in Debian's Chromium driven by Playwright,
at phone (390x844) and desktop (1366x900) width, on the repository's sample site (the fixtures
of tests/test_browser.py): typo-tolerant directory filters that ignore titles and word order,
the filter kept in the address (reload, back, file://), follow-ups by owner and practice with
the folded backlog, the activity filter, sticky column headers, month links, human dates.

Screenshots for a person to look at go to /tmp/shots-backlog/.
"""
from __future__ import annotations

import re

from pathlib import Path

import pytest

from test_browser import (  # noqa: F401 - fixtures are used by name
    browser, drawn, new_page, printed, server, site,
)

SHOTS = Path("/tmp/shots-backlog")
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
TABLE = "#physician-table"


def _open(new_page, width):
    if width == "phone":
        return new_page(viewport=VIEWPORTS[width], is_mobile=True, has_touch=True,
                        device_scale_factor=2)
    return new_page(viewport=VIEWPORTS[width])


def _shown_names(page) -> list[str]:
    return page.eval_on_selector_all(
        f"{TABLE} tbody tr", "rows => rows.filter(r => !r.hidden).map(r => r.cells[0].querySelector('a').textContent.trim())")


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_directory_filter_forgives_titles_typos_and_word_order(new_page, server, width):
    page, rec = _open(new_page, width)
    page.goto(f"{server}/physicians/index.html")
    box = page.locator('input[data-filter="physician-table"]')
    total = page.locator(f"{TABLE} tbody tr").count()
    assert total >= 20

    for query in ("dr. desrosiers", "Desrosiers", "desorsiers", "dr priyanka desrosier",
                  "desrosiers priyanka"):
        box.fill(query)
        assert _shown_names(page) == ["Priyanka Desrosiers"], query
    box.fill("ketleborough")  # a letter missing from a long name
    assert _shown_names(page) == ["Josephine Kettleborough"]

    # several words across columns: the city and "tier a" (the Tier column holds "A")
    expected = page.eval_on_selector_all(
        f"{TABLE} tbody tr",
        """rows => rows.filter(r => r.textContent.toLowerCase().includes('millbrook')
                                  && r.cells[4].textContent.trim() === 'A')
                       .map(r => r.cells[0].querySelector('a').textContent.trim())""")
    assert len(expected) >= 2
    for query in ("millbrook tier a", "tier a millbrook", "Millbrook  TIER A"):
        box.fill(query)
        assert sorted(_shown_names(page)) == sorted(expected), query
    assert page.locator('[data-count="physician-table"]').inner_text() == f"{len(expected)} of {total}"
    box.fill("zzzz-nobody")
    assert _shown_names(page) == []
    box.fill("")
    assert len(_shown_names(page)) == total
    assert not rec.console_errors


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_the_filter_stays_in_the_address_through_reload_and_back(new_page, server, width):
    page, rec = _open(new_page, width)
    page.goto(f"{server}/physicians/index.html")
    page.locator('input[data-filter="physician-table"]').fill("dr kettleborough")
    page.wait_for_url(re.compile(r".*#physician-table=dr%20kettleborough$"), timeout=5000)
    page.reload()
    assert page.locator('input[data-filter="physician-table"]').input_value() == "dr kettleborough"
    assert _shown_names(page) == ["Josephine Kettleborough"]
    page.locator(f"{TABLE} tbody tr:not([hidden]) a").first.click()
    page.wait_for_url("**/physicians/josephine-kettleborough/index.html")
    page.go_back()
    page.wait_for_url("**/physicians/index.html#*")
    assert _shown_names(page) == ["Josephine Kettleborough"]
    assert not rec.console_errors


def test_the_filter_state_works_from_disk(new_page, site):
    page, rec = new_page(viewport=VIEWPORTS["desktop"])
    page.goto((site / "physicians" / "index.html").as_uri() + "#physician-table=millbrook%20tier%20a")
    assert page.locator('input[data-filter="physician-table"]').input_value() == "millbrook tier a"
    names = _shown_names(page)
    assert names and len(names) < page.locator(f"{TABLE} tbody tr").count()
    page.locator('input[data-filter="physician-table"]').fill("quist")
    assert page.evaluate("location.hash") == "#physician-table=quist"
    assert not rec.console_errors


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_names_sort_by_last_name(new_page, server, width):
    page, _rec = _open(new_page, width)
    page.goto(f"{server}/physicians/index.html")
    keys = page.eval_on_selector_all(f"{TABLE} tbody tr", "rows => rows.map(r => r.cells[0].getAttribute('data-value'))")
    last = [k.split(" ")[0] for k in keys]
    assert keys == sorted(keys) and last[0] < last[-1]  # the page comes by last name
    header = page.locator(f"{TABLE} thead th").first
    if header.is_visible():
        header.click()
        header.click()  # descending
        keys2 = page.eval_on_selector_all(f"{TABLE} tbody tr", "rows => rows.map(r => r.cells[0].getAttribute('data-value'))")
        assert keys2 == sorted(keys, reverse=True)


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_follow_ups_filter_by_owner_and_practice_and_open_the_backlog(new_page, server, width):
    page, rec = _open(new_page, width)
    page.goto(f"{server}/follow-ups/index.html")
    rows = page.locator("tr[data-owner]")
    total = rows.count()
    assert total >= 5
    ids = page.eval_on_selector_all("tr[data-owner]", "rs => rs.map(r => r.getAttribute('data-owner'))")
    assert len(ids) == total  # each follow-up once
    owner = page.locator('select[data-field="owner"]')
    values = [v for v in owner.locator("option").evaluate_all("os => os.map(o => o.value)") if v]
    backlog = page.locator("details.backlog")
    assert backlog.count() == 1 and not backlog.evaluate("d => d.open")  # folded
    for value in values:
        owner.select_option(value)
        shown = page.eval_on_selector_all("tr[data-owner]", "rs => rs.filter(r => !r.hidden).map(r => r.getAttribute('data-owner'))")
        assert shown and set(shown) == {value}
        assert page.locator('[data-count="follow-ups"]').inner_text() == f"{len(shown)} of {total}"
        assert f"follow-ups.owner={value}" in page.url
        in_backlog = page.eval_on_selector_all("details.backlog tr[data-owner]", "rs => rs.filter(r => !r.hidden).length")
        assert backlog.evaluate("d => d.open") == (in_backlog > 0)
    owner.select_option("")
    assert not backlog.evaluate("d => d.open")  # folded again when the filter is cleared

    practice = page.locator('select[data-field="practice"]')
    value = [v for v in practice.locator("option").evaluate_all("os => os.map(o => o.value)") if v][0]
    practice.select_option(value)
    shown = page.eval_on_selector_all("tr[data-owner]", "rs => rs.filter(r => !r.hidden).map(r => r.getAttribute('data-practice').split(' '))")
    assert shown and all(value in p for p in shown)
    page.reload()
    assert practice.input_value() == value
    page.locator('input[data-filter="follow-ups"]').fill("zzzz-nothing")
    assert page.locator("tr[data-owner]:visible").count() == 0
    assert page.locator("[data-filter-group] > p.empty:visible").count() >= 1
    _shot(page, f"follow-ups-filtered-{width}.png")
    assert not rec.console_errors


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_a_jump_to_a_group_keeps_the_filter_in_the_address(new_page, server, width):
    """The links to the groups (Due within 7 days, …, Due later) and the skip link are anchors in
    the page: following one scrolls to it and leaves the filter in the address, so that a
    reload or a shared link still has it (the fragment was "#later", the filter gone). A
    fragment holding another filter, reached in the page (going back, a link), is applied."""
    page, rec = _open(new_page, width)
    page.goto(f"{server}/follow-ups/index.html")
    owner = page.locator('select[data-field="owner"]')
    values = [v for v in owner.locator("option").evaluate_all("os => os.map(o => o.value)") if v]
    assert len(values) >= 2
    owner.select_option(values[0])
    shown = page.locator("tr[data-owner]:not([hidden])").count()
    height = 420  # a short window: the last group below its first screen
    page.set_viewport_size({"width": VIEWPORTS[width]["width"], "height": height})
    assert page.locator("#later").bounding_box()["y"] > height
    page.locator('ul.jump a[href="#later"]').click()
    page.wait_for_function("want => location.href.includes(want)", arg=f"follow-ups.owner={values[0]}")
    drawn(page)
    assert f"follow-ups.owner={values[0]}" in page.url, page.url
    top = page.locator("#later").bounding_box()["y"]
    assert -2 <= top < height - 100, f"the group starts at {top:.0f} px: the link did not scroll to it"
    page.reload()
    assert owner.input_value() == values[0]
    assert page.locator("tr[data-owner]:not([hidden])").count() == shown
    page.locator('input[data-filter="follow-ups"]').fill("zzzz-nothing")
    # another filter in the fragment, reached without loading the page again
    page.goto(f"{server}/follow-ups/index.html#follow-ups.owner={values[1]}")
    # the page answers the fragment on its hashchange event, which comes after goto returns
    page.wait_for_function("want => document.querySelector('select[data-field=\"owner\"]').value === want",
                           arg=values[1])
    assert owner.input_value() == values[1]
    assert page.locator('input[data-filter="follow-ups"]').input_value() == ""
    owners = page.eval_on_selector_all(
        "tr[data-owner]", "rs => rs.filter(r => !r.hidden).map(r => r.getAttribute('data-owner'))")
    assert owners and set(owners) == {values[1]}
    assert not rec.console_errors


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_activity_filters_by_liaison_and_text(new_page, server, width):
    page, rec = _open(new_page, width)
    page.goto(f"{server}/activity/index.html")
    items = page.locator('[data-filter-scope="activity"] > li')
    total = items.count()
    liaison = page.locator('select[data-field="liaison"]')
    value = [v for v in liaison.locator("option").evaluate_all("os => os.map(o => o.value)") if v][0]
    liaison.select_option(value)
    shown = page.eval_on_selector_all(
        '[data-filter-scope="activity"] > li',
        """(lis, v) => lis.filter(li => !li.hidden).map(li => [...li.querySelectorAll('a')]
              .some(a => a.getAttribute('href').replace(/^(\\.\\.\\/)+/, '') === v))""", value)
    assert shown and all(shown) and len(shown) < total
    liaison.select_option("")
    summary = items.first.locator("strong").inner_text()
    page.locator('input[data-filter="activity"]').fill(summary)
    assert 1 <= page.locator('[data-filter-scope="activity"] > li:visible').count() < total
    assert not rec.console_errors


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_column_headers_stick_while_the_table_scrolls(new_page, server, width):
    page, _rec = _open(new_page, width)
    page.goto(f"{server}/physicians/index.html")
    wrap = page.locator(".table-wrap.sticky").first
    th = page.locator(f"{TABLE} thead th").first
    if page.evaluate("() => getComputedStyle(document.querySelector('#physician-table')).display") == "block":
        # A phone: the rows are cards that label their own cells, and the header row is a
        # line of "Sort by" chips above them that scrolls with the page: nothing to stick.
        assert th.evaluate("t => getComputedStyle(t).position") == "static"
        assert th.get_attribute("data-sort") is not None and th.is_visible()
        assert page.locator(f"{TABLE} tbody td[data-label]").count() > 0
        return
    scrollable = wrap.evaluate("w => w.scrollHeight > w.clientHeight")
    assert scrollable, "the sample's directory is longer than its frame"
    wrap.evaluate("w => { w.scrollTop = 400; }")
    drawn(page)
    top_wrap = wrap.evaluate("w => w.getBoundingClientRect().top + w.clientTop")
    top_th = th.evaluate("t => t.getBoundingClientRect().top")
    assert abs(top_th - top_wrap) <= 1.5, (top_th, top_wrap)
    assert wrap.get_attribute("tabindex") == "0" and wrap.get_attribute("role") == "region"
    _shot(page, f"physicians-sticky-{width}.png")


def test_sorting_10000_rows_does_not_freeze_the_page(new_page, server, site):
    """The directory of 10,000 physicians: a click on a column moved each row back into the
    page one by one, and the style sheet's last-row rule restyled the table at each (4–7 s of
    script on this machine's Chromium); the rows are now put in order out of the page and the
    body put back once (about 0.4 s)."""
    html = (site / "physicians" / "index.html").read_text(encoding="utf-8")
    start = html.index("<tbody>") + len("<tbody>")
    end = html.index("</tbody>")
    rows = html[start:end]
    n = rows.count("<tr")
    big = site / "physicians" / "big-test.html"
    big.write_text(html[:start] + rows * -(-10_000 // n) + html[end:], encoding="utf-8")
    try:
        page, rec = _open(new_page, "desktop")
        # 10.7 MB of HTML: its load, which this test does not measure, took 16-27 s on a
        # loaded host (the default 15 s timed out); the sort's own time is what is asserted
        page.goto(f"{server}/physicians/big-test.html", timeout=120_000)
        assert page.locator(f"{TABLE} tbody tr").count() >= 10_000
        took = page.evaluate("""() => {
            const button = [...document.querySelectorAll('#physician-table thead button')]
                .find(b => b.textContent.trim() === 'City');
            const t = performance.now();
            button.click();
            return performance.now() - t; }""")
        assert took < 2000, f"sorting 10,000 rows took {took:.0f} ms of script"
        cities = page.locator(f"{TABLE} tbody tr td[data-label='City']").evaluate_all(
            "cells => cells.map(c => c.textContent.trim().toLowerCase())")
        assert cities == sorted(cities) and len(cities) >= 10_000
        assert rec.console_errors == [], rec.console_errors
    finally:
        big.unlink()


def test_the_prospects_tables_scroll_in_frames_whose_headers_stick(new_page, server):
    """Prospects and win-back are long at scale (236 and 532 rows at 2,000 physicians: the
    win-back table began some 20 screens down, under the prospects); each scrolls inside a
    frame of its own, as the directories do, its column headers in view."""
    page, _rec = _open(new_page, "desktop")
    page.goto(f"{server}/prospects/index.html")
    for table in ("#prospect-table", "#win-back-table"):
        wrap = page.locator(f".table-wrap:has(> {table})")
        assert wrap.get_attribute("tabindex") == "0" and wrap.get_attribute("role") == "region"
        assert wrap.get_attribute("aria-label"), table
        frame = wrap.evaluate("w => [getComputedStyle(w).maxHeight, getComputedStyle(w).overflowY]")
        assert frame[0] != "none" and float(frame[0].rstrip("px")) <= 0.8 * VIEWPORTS["desktop"]["height"], frame
        assert frame[1] == "auto", frame
        th = page.locator(f"{table} thead th").first
        assert th.evaluate("t => getComputedStyle(t).position") == "sticky", table


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_month_pages_link_to_the_months_before_and_after(new_page, server, site, width):
    page, rec = _open(new_page, width)
    months = sorted(p.name for p in (site / "activity").iterdir() if p.is_dir())
    page.goto(f"{server}/activity/{months[-1]}/index.html")
    assert page.locator('a[rel="next"]').count() == 0
    page.locator('a[rel="prev"]').first.click()
    page.wait_for_url(f"**/activity/{months[-2]}/index.html")
    page.locator('a[rel="next"]').first.click()
    page.wait_for_url(f"**/activity/{months[-1]}/index.html")
    page.goto(f"{server}/activity/{months[0]}/index.html")
    assert page.locator('a[rel="prev"]').count() == 0
    assert not rec.console_errors


def test_month_links_keep_the_activity_filter(new_page, server, site):
    """A brief's earlier interactions open a month of the activity log filtered to the
    physician; the links to the months before and after keep that filter (three years of a
    physician's visits are read month by month), the state typed on the page as well as the
    one it was opened with."""
    page, rec = _open(new_page, "desktop")
    months = sorted(p.name for p in (site / "activity").iterdir() if p.is_dir())
    page.goto(f"{server}/activity/{months[-1]}/index.html#activity=Alder%20Falls")
    page.locator('a[rel="prev"]').first.click()
    page.wait_for_url(f"**/activity/{months[-2]}/index.html#activity=Alder%20Falls")
    assert page.locator('input[data-filter="activity"]').input_value() == "Alder Falls"
    page.locator('input[data-filter="activity"]').fill("wren")
    assert page.locator('a[rel="next"]').first.get_attribute("href").endswith("#activity=wren")
    page.locator('a[rel="next"]').last.click()
    page.wait_for_url(f"**/activity/{months[-1]}/index.html#activity=wren")
    assert page.locator('input[data-filter="activity"]').input_value() == "wren"
    page.locator('input[data-filter="activity"]').fill("")
    assert "#" not in page.locator('a[rel="prev"]').first.get_attribute("href")
    assert not rec.console_errors


def test_a_month_without_the_chosen_practice_shows_none_of_its_interactions(new_page, server, site):
    """A practice chosen on one month and carried to the month before, where it had no
    interaction (so no option of that month's list): that month showed every interaction
    under "Practice: any", as if they were the practice's. It shows none, and says so."""
    def practices(month):
        html = (site / "activity" / month / "index.html").read_text(encoding="utf-8")
        select = html[html.index('data-field="practice"'):]
        return set(re.findall(r'<option value="([^"]+)"', select[:select.index("</select>")]))

    months = sorted(p.name for p in (site / "activity").iterdir() if p.is_dir())
    month, before, practice = next(
        (m, b, p) for b, m in zip(months, months[1:])
        if "data-field=\"practice\"" in (site / "activity" / b / "index.html").read_text(encoding="utf-8")
        for p in sorted(practices(m) - practices(b)))
    page, rec = _open(new_page, "desktop")
    page.goto(f"{server}/activity/{month}/index.html#activity.practice={practice}")
    assert page.locator('select[data-field="practice"]').input_value() == practice
    page.locator('a[rel="prev"]').first.click()
    page.wait_for_url(lambda url: f"/activity/{before}/index.html#activity.practice=" in url)
    pick = page.locator('select[data-field="practice"]')
    assert pick.input_value() == practice
    assert pick.locator("option:checked").inner_text() == "none on this page"
    total = page.locator('[data-filter-scope="activity"] > li').count()
    assert page.locator('[data-count="activity"]').first.inner_text() == f"0 of {total}"
    assert page.get_by_text("Nothing here matches the filter.").is_visible()
    assert not rec.console_errors


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_dates_read_as_words_with_the_iso_date_on_hover_and_in_print(new_page, server, width):
    page, _rec = _open(new_page, width)
    page.goto(f"{server}/follow-ups/index.html")
    first = page.locator("td time[datetime]").first
    iso = first.get_attribute("datetime")
    assert first.get_attribute("title") == iso
    assert first.inner_text() != iso and first.inner_text()[:3] in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    assert page.evaluate("t => getComputedStyle(t, '::after').content", first.element_handle()) in ("none", "normal")
    page.emulate_media(media="print")
    # in a table cell, under the date (test_a_printed_follow_up_table_fits_the_sheet)
    assert page.evaluate("t => getComputedStyle(t, '::after').content", first.element_handle()) == f'"\\a ({iso})"'
    # in a line of text, beside it
    head = page.locator(".page-head time[datetime]").first
    assert page.evaluate("t => getComputedStyle(t, '::after').content", head.element_handle()) == \
        f'" ({head.get_attribute("datetime")})"'


def test_the_printed_backlog_is_open_without_its_button(new_page, server):
    """On paper the older backlog prints open (app.js opens it) and without its "Show the …
    older follow-ups" line, an instruction for the screen."""
    page, rec = new_page(viewport=VIEWPORTS["desktop"])
    page.goto(f"{server}/follow-ups/index.html")
    summary = page.locator("details.backlog > summary")
    assert summary.is_visible() and summary.inner_text().startswith("Show the")
    printed(page)
    assert not summary.is_visible()
    assert page.locator("details.backlog tr[data-owner]").first.is_visible()
    assert not rec.console_errors


@pytest.mark.parametrize("path", ["follow-ups/index.html", "team/maya-lindqvist/index.html",
                                  "index.html"])
def test_a_printed_follow_up_table_fits_the_sheet(new_page, server, path):
    """On paper (Letter less its 12 mm margins: 725 px) a follow-up table stays within its
    card, its task column wide enough for a few words a line: a due date prints as "Mon 30
    Nov" over "(2026-11-30)" and its badge under them (on one line they widened the table to
    786 px, which Chromium then shrank whole, and left the task 92 px: a word a line)."""
    page, rec = new_page(viewport={"width": 725, "height": 900})
    page.goto(f"{server}/{path}")
    page.emulate_media(media="print")
    widths = page.evaluate("""() => {
        const t = [...document.querySelectorAll('table')].find(
            t => t.tHead && [...t.tHead.rows[0].cells].some(c => c.textContent.trim() === 'Task'));
        const cells = [...t.tHead.rows[0].cells].map(c => [c.textContent.trim(), c.getBoundingClientRect().width]);
        return {table: t.getBoundingClientRect().width,
                card: t.closest('section').getBoundingClientRect().width, cells: Object.fromEntries(cells)};
    }""")
    assert widths["table"] <= widths["card"], widths
    assert widths["cells"]["Task"] >= 0.2 * widths["table"], widths
    assert widths["cells"]["Due"] <= 0.25 * widths["table"], widths
    assert not rec.console_errors
