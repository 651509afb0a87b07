"""Browser tests: the built site as a person sees it, in Debian's Chromium driven by Playwright.

The repository's own sample site is built once for this module into a temporary folder and
served by a local HTTP server on 127.0.0.1 (an ephemeral port); one test opens the directory
straight from disk (file://) instead.

Without Playwright (the Python package) or /usr/bin/chromium the tests are skipped with the
reason, except under CI (the environment variable CI set), where they fail instead: CI installs
both (.ci/run), so a skip there would hide a broken setup. Playwright's own browser downloads are
never used: the browser is always /usr/bin/chromium.

Screenshots for a person to look at (not asserted) go to $LIAISON_SHOTS_DIR, by default
/tmp/liaison-shots/.
"""
from __future__ import annotations

import functools
import http.server
import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

from conftest import build_sample_site

REPO = Path(__file__).resolve().parents[1]
AS_OF = "2026-11-26"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path(os.environ.get("LIAISON_SHOTS_DIR", "/tmp/liaison-shots"))
TIMEOUT_MS = 15_000
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
TOPBAR_BG = "rgb(11, 59, 56)"  # .topbar's background in assets/style.css: proof the CSS applied


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _unavailable(reason: str):
    """Skip with the reason; under CI, fail instead (CI must not skip the browser tests)."""
    if _in_ci():
        pytest.fail(f"{reason} (CI is set: the browser tests may not be skipped)", pytrace=False)
    pytest.skip(reason)


# ---------------------------------------------------------------------------------------------
# fixtures: the site, the server, the browser


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The sample site (the repository root), built once into a temporary folder."""
    return build_sample_site(tmp_path_factory.mktemp("browser"))


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


@pytest.fixture(scope="module")
def server(site: Path):
    """The built site over HTTP on 127.0.0.1; yields its origin, e.g. http://127.0.0.1:40123."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        _unavailable(f"Playwright for Python is not importable ({exc}); pip install -e '.[test]'")
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"{CHROMIUM} is missing; apt-get install chromium")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


class Recorder:
    """Everything a page did that a test may want to check: requests, failures, console errors."""

    def __init__(self, page):
        self.requests: list[str] = []
        self.failed: list[str] = []
        self.bad_status: list[str] = []
        self.console_errors: list[str] = []
        self.console: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("requestfailed", lambda r: self.failed.append(f"{r.url}: {r.failure}"))
        page.on("response", self._response)
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.console_errors.append(f"pageerror: {e}"))

    def _response(self, r):
        if r.status >= 400:
            self.bad_status.append(f"{r.status} {r.url}")

    def _console(self, msg):
        line = f"{msg.type}: {msg.text}"
        loc = msg.location or {}
        if loc.get("url"):
            line += f" ({loc['url']}:{loc.get('lineNumber')})"
        self.console.append(line)
        # The browser's own request for /favicon.ico (at the server's root, outside the site's
        # control, and not a request of the page) may log a 404; everything else counts.
        if msg.type == "error" and not loc.get("url", "").endswith("/favicon.ico"):
            self.console_errors.append(line)


@pytest.fixture
def new_page(browser, server):
    """new_page(viewport=…) -> (page, Recorder). Requests that would leave the machine are
    recorded and then aborted, so no test ever reaches the network."""
    contexts = []

    def make(viewport=DESKTOP, **kw):
        ctx = browser.new_context(viewport=viewport, **kw)
        contexts.append(ctx)

        def guard(route):
            url = route.request.url
            if url.startswith((server + "/", "data:", "file:")):
                route.continue_()
            else:
                route.abort()

        ctx.route("**/*", guard)
        page = ctx.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        return page, Recorder(page)

    yield make
    for ctx in contexts:
        ctx.close()


@pytest.fixture(scope="module")
def pages(site: Path) -> dict[str, str]:
    """Paths (relative to the site) of the pages the tests visit. Briefs: the longest of their
    kind, the likeliest to overflow a phone's width."""

    def largest(folder: str) -> str:
        files = sorted((site / folder).glob("*/index.html"), key=lambda p: (-p.stat().st_size, p))
        assert files, f"no {folder}/*/index.html in the built site"
        return files[0].relative_to(site).as_posix()

    return {
        "dashboard": "index.html",
        "directory": "physicians/index.html",
        "physician": largest("physicians"),
        "practice": largest("practices"),
        "team": "team/index.html",
        "team-member": largest("team"),
        "referrals": "referrals/index.html",
    }


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def drawn(page, frames: int = 2) -> None:
    """Returns once the page has drawn ``frames`` more frames. The events of what a test just
    did (a resize, a scroll, a change of media) are dispatched before a frame's animation
    callbacks, so by then the page's handlers of them have run, however loaded the host: a
    fixed wait (``wait_for_timeout``) is a guess that a slow host's CI outlasts."""
    page.evaluate("""n => new Promise(done => {
        const step = () => (--n > 0 ? requestAnimationFrame(step) : done());
        requestAnimationFrame(step); })""", frames)


def printed(page) -> None:
    """Print media, as the page handles it: app.js opens every folded part (``<details>``) on
    matchMedia's change event, which comes after ``emulate_media`` returns; this waits for it."""
    page.emulate_media(media="print")
    page.wait_for_function("() => [...document.querySelectorAll('details')].every(d => d.open)")
    drawn(page)


# ---------------------------------------------------------------------------------------------
# 1. the dashboard loads cleanly, from the local server only


def test_dashboard_loads_cleanly_and_stays_local(new_page, server):
    page, rec = new_page()
    response = page.goto(f"{server}/index.html", wait_until="load")
    assert response is not None and response.status == 200
    page.wait_for_load_state("networkidle")

    assert rec.console_errors == [], "console errors:\n" + "\n".join(rec.console_errors)
    assert rec.failed == [], "failed requests:\n" + "\n".join(rec.failed)
    assert rec.bad_status == [], "error responses:\n" + "\n".join(rec.bad_status)
    assert rec.requests, "no request was recorded"
    foreign = [u for u in rec.requests if not (u.startswith(server + "/") or u.startswith("data:"))]
    assert foreign == [], "requests to other hosts:\n" + "\n".join(foreign)
    # the stylesheet and the script were both fetched from the server
    assert f"{server}/assets/style.css" in rec.requests
    assert f"{server}/assets/app.js" in rec.requests

    csp = page.locator('meta[http-equiv="Content-Security-Policy"]')
    assert csp.count() == 1
    policy = csp.get_attribute("content") or ""
    assert "default-src 'none'" in policy
    assert "script-src 'self'" in policy
    robots = page.locator('meta[name="robots"]')
    assert robots.count() == 1
    assert "noindex" in (robots.get_attribute("content") or "")

    assert page.locator("h1").first.inner_text().strip() == "Dashboard"
    # the stylesheet applies (the CSP let it in): the top bar has its dark background
    assert page.locator(".topbar").evaluate("e => getComputedStyle(e).backgroundColor") == TOPBAR_BG
    assert page.locator("svg.chart").count() >= 1


# ---------------------------------------------------------------------------------------------
# 2. the physician directory filters and sorts


def _visible_rows(page):
    return page.locator("#physician-table tbody tr:visible")


def _column(page, index: int) -> list[str]:
    """The visible rows' cell values of column `index`, in page order (data-value if set)."""
    return page.eval_on_selector_all(
        "#physician-table tbody tr",
        """(rows, i) => rows.filter(r => !r.hidden).map(r => {
               const c = r.cells[i];
               const v = c.getAttribute('data-value');
               return v !== null ? v : c.textContent.trim().toLowerCase();
           })""",
        index,
    )


def test_a_count_column_with_thousands_separators_sorts_by_its_numbers(new_page, tmp_path):
    """Counts of 1,000 or more read "1,500" in the tables (they read "1500" beside cards
    saying "1,500"); sorting reads them as numbers, not as 1 (the comma taken for the end of
    the number)."""
    from conftest import one_physician_site

    root = one_physician_site(tmp_path / "root", "- {date: 2026-11-02, type: call, "
                              "liaison: lou, practice: solo, summary: Said hello.}\n")
    for pid, name in (("al-big", "Al Big"), ("cy-mid", "Cy Mid")):
        (root / f"data/physicians/{pid}.yaml").write_text(
            f"name: {name}\nspecialty: Family medicine\npractice: solo\n", encoding="utf-8")
    (root / "data/referrals").mkdir()
    (root / "data/referrals/2026.csv").write_text(
        "source,date,physician,service,status,count\n"
        "physician,2026-10-01,al-big,ablation,referred,1500\n"
        "physician,2026-10-01,cy-mid,ablation,referred,200\n"
        "physician,2026-10-01,ida-lone,ablation,referred,30\n",
        encoding="utf-8")
    out = _built(root, tmp_path / "site")
    page, rec = new_page()
    page.goto((out / "physicians" / "index.html").as_uri())
    col = _header_index(page, "Referrals 365 d")
    assert _column(page, col) == ["1,500", "30", "200"]  # by last name: Big, Lone, Mid
    page.locator("#physician-table thead th").nth(col).click()
    assert _column(page, col) == ["30", "200", "1,500"]
    page.locator("#physician-table thead th").nth(col).click()
    assert _column(page, col) == ["1,500", "200", "30"]
    # the month table and the practices' directory write it so too
    months = (out / "referrals" / "index.html").read_text(encoding="utf-8")
    assert ">1,730</td>" in months and ">1730<" not in months
    assert ">1,730</td>" in (out / "practices" / "index.html").read_text(encoding="utf-8")
    assert 'data-label="Referrals 365 d">1,500' in (out / "practices" / "solo" / "index.html") \
        .read_text(encoding="utf-8")
    assert rec.console_errors == [], "console errors:\n" + "\n".join(rec.console_errors)


def _built(root: Path, out: Path) -> Path:
    """``root`` built as of 2026-12-05 into ``out`` by the command line (asserted to succeed)."""
    done = subprocess.run([sys.executable, "-m", "liaison", "build", "--root", str(root),
                           "--out", str(out), "--as-of", "2026-12-05"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return out


def _header_index(page, label: str) -> int:
    headers = [t.strip() for t in page.locator("#physician-table thead th").all_text_contents()]
    assert label in headers, f"no column {label!r} in {headers}"
    return headers.index(label)


def test_directory_filter_and_sort(new_page, server):
    page, rec = new_page()
    page.goto(f"{server}/physicians/index.html")
    table = page.locator("#physician-table")
    table.wait_for()
    count = page.locator('[data-count="physician-table"]')

    total = page.locator("#physician-table tbody tr").count()
    assert total > 1
    assert _visible_rows(page).count() == total
    assert count.inner_text().strip() == f"{total} of {total}"

    # a fragment of one physician's name that not every row contains
    names = page.locator("#physician-table tbody tr td:first-child a").all_inner_texts()
    rows_text = [t.lower() for t in page.locator("#physician-table tbody tr").all_inner_texts()]
    fragment, name = None, None
    for candidate in names:
        word = max(re.findall(r"[A-Za-z]+", candidate), key=len)[:6]
        if sum(word.lower() in t for t in rows_text) < total:
            fragment, name = word, candidate
            break
    assert fragment, "no physician's name narrows the directory"
    expected = sum(fragment.lower() in t for t in rows_text)

    box = page.locator('input[data-filter="physician-table"]')
    box.click()
    box.press_sequentially(fragment, delay=20)
    shown = _visible_rows(page)
    assert shown.count() == expected < total
    assert page.locator("#physician-table tbody tr:visible td:first-child a", has_text=name).count() == 1
    for text in shown.all_inner_texts():
        assert fragment.lower() in text.lower()
    assert count.inner_text().strip() == f"{expected} of {total}"

    # a term nothing matches hides every row; clearing the box brings them all back
    box.fill("zzqx-no-such-physician")
    assert _visible_rows(page).count() == 0
    box.fill("")
    assert _visible_rows(page).count() == total
    assert count.inner_text().strip() == f"{total} of {total}"

    # sort by a numeric column: ascending, then descending on a second click
    col = _header_index(page, "Referrals 365 d")
    header = page.locator("#physician-table thead th").nth(col)
    first_before = page.locator("#physician-table tbody tr").first.inner_text()
    header.click()
    assert header.get_attribute("aria-sort") == "ascending"
    values = [float(v) for v in _column(page, col)]
    assert values == sorted(values)
    header.click()
    assert header.get_attribute("aria-sort") == "descending"
    values = [float(v) for v in _column(page, col)]
    assert values == sorted(values, reverse=True)
    assert values[0] > values[-1], "every physician has the same count: the sort shows nothing"
    assert page.locator("#physician-table tbody tr").first.inner_text() != first_before

    # a text column, by keyboard this time; only one header is marked as the sort key
    col = _header_index(page, "City")
    header = page.locator("#physician-table thead th").nth(col)
    header.get_by_role("button").focus()  # the header's text is a button (app.js)
    page.keyboard.press("Enter")
    assert header.get_attribute("aria-sort") == "ascending"
    cities = _column(page, col)
    assert cities == sorted(cities)
    assert page.locator("#physician-table thead th[aria-sort]").count() == 1

    # filtering keeps the sorted order
    box.fill("a")
    cities = _column(page, col)
    assert cities == sorted(cities)
    assert rec.console_errors == [], "console errors:\n" + "\n".join(rec.console_errors)


def test_a_sorted_list_is_sorted_again_after_going_back_from_a_brief(new_page, server):
    """A liaison sorted the directory by referrals, opened a brief and went back: the filter
    came back (it lives in the address) but the list was in the page's own order again, the
    column they chose no longer marked. The order lives in the address beside the filter
    (``physician-table.sort=-referrals-365-d``), so going back, reloading and a shared link
    keep it; an address without it shows the page's own order."""
    page, rec = new_page()
    page.goto(f"{server}/physicians/index.html")
    box = page.locator('input[data-filter="physician-table"]')
    box.fill("a")
    col = _header_index(page, "Referrals 365 d")
    header = page.locator("#physician-table thead th").nth(col)
    header.click()
    header.click()
    assert page.url.endswith("#physician-table=a&physician-table.sort=-referrals-365-d")
    names = page.locator("#physician-table tbody tr:visible td:first-child").all_text_contents()
    values = [float(v.replace(",", "")) for v in _column(page, col)]
    assert values == sorted(values, reverse=True) and values[0] > values[-1]

    page.locator("#physician-table tbody tr:visible td:first-child a").nth(1).click()
    page.wait_for_load_state()
    assert "/physicians/" in page.url and not page.url.endswith("physicians/index.html")
    page.go_back()
    page.wait_for_load_state()
    header = page.locator("#physician-table thead th").nth(col)
    assert box.input_value() == "a"
    assert header.get_attribute("aria-sort") == "descending"
    assert page.locator("#physician-table tbody tr:visible td:first-child").all_text_contents() == names

    # a shared link opens sorted; going to the address without the order restores the page's
    page.goto(f"{server}/physicians/index.html#physician-table.sort=city")
    header = page.locator("#physician-table thead th").nth(_header_index(page, "City"))
    assert header.get_attribute("aria-sort") == "ascending"
    cities = _column(page, _header_index(page, "City"))
    assert cities == sorted(cities)
    page.goto(f"{server}/physicians/index.html#physician-table=a")  # the same page: a hashchange
    assert page.locator("#physician-table thead th[aria-sort]").count() == 0
    sort_names = _column(page, 0)
    assert sort_names == sorted(sort_names)  # by last name, the page's own order
    # a column the page does not have is no order at all
    page.goto(f"{server}/physicians/index.html#physician-table.sort=shoe-size")
    page.reload()
    assert page.locator("#physician-table thead th[aria-sort]").count() == 0
    assert rec.console_errors == [], "console errors:\n" + "\n".join(rec.console_errors)


# ---------------------------------------------------------------------------------------------
# 3. no horizontal scrolling on a phone


@pytest.mark.parametrize(
    "which", ["dashboard", "directory", "physician", "practice", "team", "team-member", "referrals"]
)
def test_no_horizontal_scroll_on_a_phone(new_page, server, pages, which):
    page, rec = new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    page.goto(f"{server}/{pages[which]}")
    page.wait_for_load_state("networkidle")
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    if widths["scroll"] > widths["inner"]:
        culprits = page.evaluate(
            """() => {
                const w = window.innerWidth, out = [];
                for (const e of document.querySelectorAll('body *')) {
                    const r = e.getBoundingClientRect();
                    if (r.right > w + 0.5 && r.width > 0) {
                        out.push(e.tagName.toLowerCase() + (e.className && e.className.baseVal === undefined
                            ? '.' + String(e.className).trim().replace(/\\s+/g, '.') : '')
                            + ' right=' + Math.round(r.right));
                    }
                }
                return out.slice(0, 15);
            }"""
        )
        pytest.fail(
            f"{pages[which]} scrolls sideways at {PHONE['width']} px: scrollWidth {widths['scroll']}"
            f" > innerWidth {widths['inner']}; wider than the screen:\n" + "\n".join(culprits)
        )
    assert widths["inner"] == PHONE["width"]
    assert rec.console_errors == [], "console errors:\n" + "\n".join(rec.console_errors)


# ---------------------------------------------------------------------------------------------
# 4. printing: no navigation on paper; a brief prints to PDF


def test_print_hides_navigation_and_a_brief_prints_to_pdf(new_page, server, pages):
    page, rec = new_page()
    page.goto(f"{server}/{pages['practice']}")
    topbar = page.locator(".topbar")
    nav = page.locator("nav").first
    assert topbar.is_visible() and nav.is_visible(), "the navigation is not visible on screen"

    page.emulate_media(media="print")
    assert not topbar.is_visible(), ".topbar is visible in print"
    assert not nav.is_visible(), "nav is visible in print"
    assert page.locator("h1").first.is_visible(), "the brief's title is hidden in print"

    pdf = page.pdf(format="Letter", print_background=True)
    assert pdf.startswith(b"%PDF"), pdf[:16]
    assert len(pdf) > 1000
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "practice-brief.pdf").write_bytes(pdf)

    page.emulate_media(media="screen")
    assert topbar.is_visible()
    assert rec.console_errors == [], "console errors:\n" + "\n".join(rec.console_errors)


# ---------------------------------------------------------------------------------------------
# 5. opened straight from disk, the directory still filters


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_without_javascript_the_lists_offer_no_filter_or_sorting_that_does_nothing(browser, server, viewport):
    """Without JavaScript the directories showed a filter box and "12 of 40" that typing never
    changed, said "Type to filter…; click a column to sort", and on a phone a screen of "Sort
    by" chips that did nothing. Those are hidden (CSS, scripting: none); every row shows."""
    ctx = browser.new_context(viewport=viewport, java_script_enabled=False)
    try:
        page = ctx.new_page()
        for path in ("physicians/index.html", "practices/index.html", "prospects/index.html",
                     "follow-ups/index.html", "activity/index.html", "team/index.html",
                     "training/index.html"):
            page.goto(f"{server}/{path}")
            assert page.locator("[data-filter]:visible, [data-count]:visible").count() == 0, path
            text = page.locator("main").inner_text()
            assert "to filter" not in text and "to sort" not in text, path
            assert page.locator("table.cards thead th:visible").count() == 0 or viewport == DESKTOP, path
        page.goto(f"{server}/physicians/index.html")
        assert page.locator("#physician-table tbody tr:visible").count() == \
            page.locator("#physician-table tbody tr").count() > 0
        _shot(page, f"directory-no-javascript-{'phone' if viewport == PHONE else 'desktop'}.png")
    finally:
        ctx.close()


def test_when_app_js_does_not_load_a_filter_says_it_does_nothing(browser, new_page, server):
    """JavaScript on, but assets/app.js blocked (a proxy, the intranet server's policy): the
    directories' filter boxes took typing and did nothing, saying nothing. After a wait (CSS
    alone: a script that never came cannot say it) each filter says so; every row is listed."""
    ctx = browser.new_context(viewport=DESKTOP)
    ctx.route("**/assets/app.js", lambda route: route.abort())
    try:
        page = ctx.new_page()
        for path in ("physicians/index.html", "follow-ups/index.html"):
            page.goto(f"{server}/{path}")
            page.wait_for_load_state("load")
            said = "() => [...document.querySelectorAll('.filter')].map(f => getComputedStyle(f, '::after').visibility === 'visible' && getComputedStyle(f, '::after').position === 'static' ? getComputedStyle(f, '::after').content : '')"
            assert page.evaluate(said) and not any(page.evaluate(said)), "no alarm at once"
            page.evaluate("() => document.getAnimations().forEach(a => a.finish())")
            assert all("have not loaded" in t for t in page.evaluate(said)), path
    finally:
        ctx.close()
    page, rec = new_page()
    page.goto(f"{server}/physicians/index.html")
    page.wait_for_selector("html[data-app]", state="attached")
    page.evaluate("() => document.getAnimations().forEach(a => a.finish())")
    assert page.evaluate("() => getComputedStyle(document.querySelector('.filter'), '::after').content") == "none"


def test_directory_filter_works_from_disk(new_page, site):
    page, rec = new_page()
    url = (site / "physicians" / "index.html").as_uri()
    page.goto(url)
    rows = page.locator("#physician-table tbody tr")
    total = rows.count()
    assert total > 1
    box = page.locator('input[data-filter="physician-table"]')
    name = page.locator("#physician-table tbody tr td:first-child a").first.inner_text()
    fragment = max(re.findall(r"[A-Za-z]+", name), key=len)
    box.press_sequentially(fragment, delay=20)
    try:
        page.wait_for_function(
            "n => document.querySelectorAll('#physician-table tbody tr:not([hidden])').length < n",
            arg=total, timeout=5_000,
        )
    except Exception:
        pytest.fail(
            "from file:// the filter does not narrow the rows; console:\n" + "\n".join(rec.console),
            pytrace=False,
        )
    assert _visible_rows(page).count() < total
    assert page.locator('[data-count="physician-table"]').inner_text().strip().endswith(f"of {total}")
    # the stylesheet applied too (style-src 'self' from file://)
    assert page.locator(".topbar").evaluate("e => getComputedStyle(e).backgroundColor") == TOPBAR_BG
    assert rec.console_errors == [], "console errors:\n" + "\n".join(rec.console_errors)


# ---------------------------------------------------------------------------------------------
# 6. every internal link on the dashboard resolves


def test_dashboard_internal_links_resolve(new_page, server, site):
    page, _ = new_page()
    page.goto(f"{server}/index.html")
    hrefs = page.eval_on_selector_all("a[href]", "as => as.map(a => a.getAttribute('href'))")
    assert hrefs, "the dashboard has no links"
    targets: dict[str, str] = {}
    for href in hrefs:
        parsed = urllib.parse.urlsplit(href)
        if parsed.scheme or parsed.netloc or href.startswith("#"):
            continue  # external (mailto:, tel:, https:) or an anchor on this page
        url = urllib.parse.urljoin(f"{server}/index.html", href)
        targets.setdefault(urllib.parse.urldefrag(url)[0], href)
    assert len(targets) > 5, f"only {len(targets)} internal links on the dashboard"

    broken = []
    for url, href in sorted(targets.items()):
        response = page.request.get(url)
        if response.status != 200:
            broken.append(f"{href} -> {response.status}")
            continue
        path = urllib.parse.unquote(urllib.parse.urlsplit(url).path).lstrip("/")
        local = site / path
        if local.is_dir() and not (local / "index.html").is_file():
            broken.append(f"{href} -> a folder without index.html")
    assert broken == [], "broken links on the dashboard:\n" + "\n".join(broken)

    # and one of them, clicked for real, lands on its page
    page.locator("nav a", has_text="Physicians").first.click()
    page.wait_for_url(f"{server}/physicians/index.html")
    assert page.locator("#physician-table").count() == 1


# ---------------------------------------------------------------------------------------------
# screenshots for a person to look at (not asserted)


def test_screenshots_for_review(new_page, server, pages):
    page, _ = new_page(viewport=DESKTOP)
    page.goto(f"{server}/index.html")
    page.wait_for_load_state("networkidle")
    _shot(page, "dashboard-1280.png")

    page, _ = new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=1)
    page.goto(f"{server}/{pages['physician']}")
    page.wait_for_load_state("networkidle")
    _shot(page, "physician-brief-390.png")
    assert (SHOTS / "dashboard-1280.png").is_file()


# ---------------------------------------------------------------------------------------------
# 8. the deck viewer: tests/test_browser_decks.py


# ---------------------------------------------------------------------------------------------
# 9. serve: an open tab reloads by itself after an edit


def _serve_example(tmp_path):
    """``serve`` on a writable copy of the example site: (the process, its address, the
    site root, its log file)."""
    import shutil
    import stat

    shared = Path(__file__).resolve().parent / "fixtures" / "spec-example"
    root = tmp_path / "site-root"
    shutil.copytree(shared, root)
    for p in [root, *root.rglob("*")]:
        p.chmod(p.stat().st_mode | stat.S_IWUSR)
    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, str(REPO / "build.py"), "serve", "--root", str(root), "--port", "0",
             "--as-of", AS_OF], stdout=out, stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    deadline = time.monotonic() + 60
    base = None
    while base is None and time.monotonic() < deadline:
        m = re.search(r"on (http://127\.0\.0\.1:\d+/)", log.read_text())
        base = m.group(1) if m else time.sleep(0.2)
    if base is None:
        proc.terminate()
        proc.wait(timeout=10)
        raise AssertionError(log.read_text())
    return proc, base, root, log


def _rename_practice(root: Path) -> None:
    f = root / "data" / "practices" / "french-broad-podiatry.yaml"
    f.write_text(f.read_text().replace("name: French Broad Podiatry", "name: French Broad Foot Care"))


def _wait_for_title(page, want: str, seconds: float = 45) -> str | None:
    """The page's h1 once it reads ``want`` (the page reloads itself), or the last one read.
    (Polled from here: the page's CSP forbids the eval that wait_for_function would need.)"""
    deadline = time.monotonic() + seconds
    title = None
    while time.monotonic() < deadline:
        try:
            title = page.locator("h1").inner_text(timeout=2_000)
        except Exception:  # the page is reloading
            title = None
        if title == want:
            break
        page.wait_for_timeout(200)
    return title


def test_serve_reloads_an_open_tab(browser, tmp_path):
    proc, base, root, log = _serve_example(tmp_path)
    try:
        ctx = browser.new_context(viewport=DESKTOP)
        page = ctx.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(base + "practices/french-broad-podiatry/index.html")
        assert page.locator("h1").inner_text() == "French Broad Podiatry"
        _rename_practice(root)  # no goto: the page reloads itself when the refresh is done
        assert _wait_for_title(page, "French Broad Foot Care") == "French Broad Foot Care", \
            log.read_text()
        ctx.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_serve_reloads_a_tab_that_a_change_overtook_while_it_loaded(browser, tmp_path):
    """A change saved while a page loads, before its reload script first asks for the
    version, reloads it too: the page says which version it was made of. (Asked for first,
    the version was the new one already, and the tab kept the old page: a CI run saw it.)
    The script's requests are held here until the refresh is done."""
    proc, base, root, log = _serve_example(tmp_path)
    try:
        ctx = browser.new_context(viewport=DESKTOP)
        page = ctx.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        held = []
        page.route("**/__liaison__/version*", lambda route: held.append(route))
        page.goto(base + "practices/french-broad-podiatry/index.html")
        assert page.locator("h1").inner_text() == "French Broad Podiatry"
        deadline = time.monotonic() + 20
        while not held and time.monotonic() < deadline:
            page.wait_for_timeout(100)
        assert held, "the reload script asks for the version"
        _rename_practice(root)
        deadline = time.monotonic() + 30
        while log.read_text().count("ready in") < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert log.read_text().count("ready in") == 2, log.read_text()
        for route in list(held):  # (the later ones are held: the first answer must do)
            route.continue_()
        assert _wait_for_title(page, "French Broad Foot Care", 20) == "French Broad Foot Care", \
            log.read_text()
        ctx.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_directory_filter_finds_names_in_every_script_and_letters_typed_plainly(new_page, tmp_path):
    """The directories' filter folded a query to a-z and 0-9: a Korean or Arabic name typed
    was no word at all (every row stayed, as if it matched), "soren" missed Søren (ø became a
    space) and "Đặng" found Ángela (đ dropped: "ang"). It folds as the site search does."""
    from conftest import one_physician_site

    root = one_physician_site(tmp_path / "root", "- {date: 2026-11-02, type: call, "
                              "liaison: lou, practice: solo, summary: Said hello.}\n")
    (root / "data/practices/dakhoa.yaml").write_text("name: Phòng Khám Đa Khoa\n", encoding="utf-8")
    for pid, name, practice in (("ji-park", "박지민", "solo"), ("ahmad", "أحمد الراشد", "solo"),
                                ("soren", "Søren Ødegård", "solo"), ("dang", "Đặng Văn Hùng", "dakhoa"),
                                ("angela", "Ángela Álvarez", "solo")):
        (root / f"data/physicians/{pid}.yaml").write_text(
            f"name: {name}\nspecialty: Family medicine\npractice: {practice}\n", encoding="utf-8")
    out = _built(root, tmp_path / "site")
    page, rec = new_page()
    page.goto((out / "physicians" / "index.html").as_uri())
    box = page.locator('input[data-filter="physician-table"]')
    for query, want in (("박지민", ["박지민"]), ("الراشد", ["أحمد الراشد"]), ("soren", ["Søren Ødegård"]),
                        ("Đặng", ["Đặng Văn Hùng"]), ("dang", ["Đặng Văn Hùng"]),
                        ("phong kham da khoa", ["Đặng Văn Hùng"]), ("alvarez", ["Ángela Álvarez"])):
        box.fill(query)
        drawn(page)
        names = [t.strip().split(",")[0] for t in
                 page.locator("#physician-table tbody tr:visible td:first-child").all_text_contents()]
        assert names == want, query
    assert rec.console_errors == [], "console errors:\n" + "\n".join(rec.console_errors)


def test_a_text_column_without_a_sort_key_sorts_accented_words_with_their_plain_letter(new_page, tmp_path):
    """The City and Liaison columns sort by their text, which was only put in lower case:
    Élan Falls and Ōkubo came after Zephyr. Their text is folded as the filter folds it (a
    liaison by last name, as the Name column)."""
    from conftest import one_physician_site

    root = one_physician_site(tmp_path / "root", "- {date: 2026-11-02, type: call, "
                              "liaison: lou, practice: solo, summary: Said hello.}\n")
    for pid, city, member in (("bend", "Bend", "lou"), ("elan", "Élan Falls", "hana"),
                              ("zephyr", "Zephyr", "zed")):
        (root / f"data/practices/{pid}.yaml").write_text(
            f"name: {pid.title()} Clinic\ncity: {city}\nliaison: {member}\n", encoding="utf-8")
        (root / f"data/physicians/doc-{pid}.yaml").write_text(
            f"name: Doc {pid.title()}\nspecialty: Family medicine\npractice: {pid}\n", encoding="utf-8")
    for tid, name in (("hana", "Mia Ōkubo"), ("zed", "Zed Zimmer")):
        (root / f"data/team/{tid}.yaml").write_text(f"name: {name}\nrole: liaison\n", encoding="utf-8")
    (root / "data/team/lou.yaml").write_text("name: Lou Park\nrole: liaison\n", encoding="utf-8")
    out = _built(root, tmp_path / "site")
    page, rec = new_page()
    page.goto((out / "physicians" / "index.html").as_uri())
    for label, want in (("City", ["Bend", "Élan Falls", "Zephyr"]),
                        ("Liaison", ["Mia Ōkubo", "Lou Park", "Zed Zimmer"])):
        col = _header_index(page, label)
        page.locator("#physician-table thead th").nth(col).click()
        shown = [t.strip() for t in page.locator(
            f"#physician-table tbody tr:visible td:nth-child({col + 1})").all_text_contents()]
        assert [s for s in shown if s != "—"] == want, label
    assert rec.console_errors == [], "console errors:\n" + "\n".join(rec.console_errors)


def test_people_sort_by_last_name_and_two_offices_of_one_name_stay_apart(new_page, tmp_path):
    """A column of people (a liaison; a physician outside the directories: prospects) sorted
    by the first name ("Zoe Abbott" after "Ann Young"), though the directories and every list
    of names go by last name; and sorting by practice ran the physicians of two offices of
    one name ("Lakeside Clinic" in Ashby and in Corville) together in one run by last name,
    as if one office. People sort by last name, practices by name and then as ``practices/``
    lists them."""
    from conftest import one_physician_site

    root = one_physician_site(tmp_path / "root", "- {date: 2026-11-02, type: call, "
                              "liaison: lou, practice: solo, summary: Said hello.}\n")
    for tid, name in (("ann", "Ann Young"), ("zoe", "Zoe Abbott")):
        (root / f"data/team/{tid}.yaml").write_text(f"name: {name}\nrole: liaison\n", encoding="utf-8")
    for pid, city, member in (("lake-a", "Ashby", "ann"), ("lake-c", "Corville", "zoe")):
        (root / f"data/practices/{pid}.yaml").write_text(
            f"name: Lakeside Clinic\ncity: {city}\nliaison: {member}\n", encoding="utf-8")
    for pid, name, practice in (("bo-ames", "Bo Ames", "lake-c"), ("cy-bell", "Cy Bell", "lake-a"),
                                ("al-cole", "Al Cole", "lake-c"), ("di-dunn", "Di Dunn", "lake-a")):
        (root / f"data/physicians/{pid}.yaml").write_text(
            f"name: {name}\nspecialty: Family medicine\npractice: {practice}\n", encoding="utf-8")
    out = _built(root, tmp_path / "site")
    page, rec = new_page()

    def shown(table: str, col: int) -> list[str]:
        return [t.strip() for t in page.locator(
            f"#{table} tbody tr:visible td:nth-child({col + 1})").all_text_contents()]

    page.goto((out / "physicians" / "index.html").as_uri())
    col = _header_index(page, "Liaison")
    page.locator("#physician-table thead th").nth(col).click()
    assert shown("physician-table", col) == ["Zoe Abbott", "Zoe Abbott", "Ann Young",
                                             "Ann Young", "—"]
    col = _header_index(page, "Practice")
    page.locator("#physician-table thead th").nth(col).click()
    # Ashby's office first (practices/ lists it first), each office's physicians together
    assert [t.split(",")[0] for t in shown("physician-table", 0)] == \
        ["Cy Bell", "Di Dunn", "Bo Ames", "Al Cole", "Ida Lone"]
    assert shown("physician-table", _header_index(page, "City"))[:4] == \
        ["Ashby", "Ashby", "Corville", "Corville"]

    page.goto((out / "practices" / "index.html").as_uri())
    heads = [t.strip() for t in page.locator("#practice-table thead th").all_text_contents()]
    page.locator("#practice-table thead th").nth(heads.index("Liaison")).click()
    assert shown("practice-table", heads.index("Liaison")) == ["Zoe Abbott", "Ann Young", "—"]

    page.goto((out / "prospects" / "index.html").as_uri())
    heads = [t.strip() for t in page.locator("#prospect-table thead th").all_text_contents()]
    page.locator("#prospect-table thead th").nth(heads.index("Physician")).click()
    assert [t.split(",")[0] for t in shown("prospect-table", heads.index("Physician"))] == \
        ["Bo Ames", "Cy Bell", "Al Cole", "Di Dunn", "Ida Lone"]
    assert rec.console_errors == [], "console errors:\n" + "\n".join(rec.console_errors)


def test_names_in_a_right_to_left_script_keep_their_order_in_a_line(new_page, tmp_path):
    """Two Arabic names listed side by side ("أحمد الراشد, يوسف الخطيب" in an interaction's
    line, its physicians' links or the office staff met; a brief's staff joined by " · ") ran
    together into one right-to-left run: the second was shown first, the comma beside the
    wrong name. Each name is isolated (a link, a <bdi>, a .person): the line reads in its
    own order."""
    from conftest import one_physician_site

    root = one_physician_site(tmp_path / "root", "- {date: 2026-11-02, type: visit, liaison: lou,"
                              " practice: solo, physicians: [ida-lone, ahmad, yusuf],"
                              " met_with: [Tess Ramsey, فاطمة الزهراء, رنا حداد],"
                              " summary: Said hello.}\n")
    for pid, name in (("ahmad", "أحمد الراشد"), ("yusuf", "يوسف الخطيب")):
        (root / f"data/physicians/{pid}.yaml").write_text(
            f"name: {name}\nspecialty: Family medicine\npractice: solo\n", encoding="utf-8")
    (root / "data/practices/solo.yaml").write_text(  # the brief's staff, joined by " · "
        "name: Solo Clinic\nstaff:\n  - {name: Tess Ramsey}\n  - {name: فاطمة الزهراء}\n"
        "  - {name: رنا حداد}\n", encoding="utf-8")
    out = _built(root, tmp_path / "site")
    page, rec = new_page()
    page.goto((out / "practices" / "solo" / "index.html").as_uri())
    line = page.locator("li .meta", has=page.locator('a[href$="physicians/ahmad/index.html"]')).first
    lefts = [line.locator(f'a[href$="physicians/{pid}/index.html"]').bounding_box()["x"]
             for pid in ("ida-lone", "ahmad", "yusuf")]
    assert lefts == sorted(lefts), lefts
    met = [line.locator("bdi", has_text=name).bounding_box()["x"]
           for name in ("Tess Ramsey", "فاطمة الزهراء", "رنا حداد")]  # the staff met, in text
    assert met == sorted(met), met
    staff = [page.locator(".person:visible", has_text=name).first.evaluate(
        "e => { const r = e.getClientRects()[0]; return [Math.round(r.y), r.x]; }")
        for name in ("Tess Ramsey", "فاطمة الزهراء", "رنا حداد")]  # where each starts (a
    assert staff == sorted(staff), staff  # name may wrap): by line, then from the left
    _shot(page, "rtl-names-in-a-line.png")
    assert rec.console_errors == [], "console errors:\n" + "\n".join(rec.console_errors)
