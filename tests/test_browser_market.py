"""Browser check of the Medicare column of prospects/ (issue 14, part 2) on the repository's
sample site (its data/market/medicare-2023.yaml), with the fixtures of tests/test_browser.py:
the column sorts by beneficiaries, "not in the file" and "no NPI" below every number."""
from __future__ import annotations

from test_browser import browser, new_page, pages, server, site  # noqa: F401 - fixtures
from test_browser_prospects import _values


def test_prospects_sort_by_medicare_volume(new_page, server):
    page, rec = new_page()
    page.goto(f"{server}/prospects/index.html")
    table = "prospect-table"
    page.locator(f"#{table}").wait_for()
    headers = [t.strip() for t in page.locator(f"#{table} thead th").all_text_contents()]
    col = next(i for i, h in enumerate(headers) if h.startswith("Medicare 2023"))
    values = [int(v) for v in _values(page, table, col)]
    assert any(v > 0 for v in values) and -1 in values, values  # the sample has both kinds
    header = page.locator(f"#{table} thead th").nth(col)
    header.click()
    header.click()  # descending: most beneficiaries first
    assert header.get_attribute("aria-sort") == "descending"
    shown = [int(v) for v in _values(page, table, col)]
    assert shown == sorted(values, reverse=True)
    last = page.locator(f"#{table} tbody tr").last.locator("td").nth(col).inner_text()
    assert last.strip() in ("not in the file", "no NPI")
    assert rec.console_errors == [], "console errors:\n" + "\n".join(rec.console_errors)


def test_a_count_from_2000_up_may_break_a_date_may_not(new_page, server):
    """The rule that keeps dates on one line (a data-value like 2026-11-13) left a count such
    as "2,062 beneficiaries" (data-value 2062) on one line too: the Medicare column widened
    and, with imported prospects, the table no longer fitted a 1366 px desktop."""
    page, rec = new_page()
    page.goto(f"{server}/prospects/index.html")
    page.locator("#prospect-table").wait_for()
    spaces = page.evaluate("""() => {
        const row = document.querySelector('#prospect-table tbody tr');
        const count = row.querySelector('td.num[data-value]');
        const date = [...row.querySelectorAll('td[data-value]')].find(
            td => /^20[0-9][0-9]-/.test(td.dataset.value));
        count.dataset.value = '2062';
        return [getComputedStyle(count).whiteSpace, date && getComputedStyle(date).whiteSpace];
    }""")
    assert spaces == ["normal", "nowrap"], spaces
    assert rec.console_errors == [], "console errors:\n" + "\n".join(rec.console_errors)
