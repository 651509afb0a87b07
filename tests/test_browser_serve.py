"""`serve` in Chromium: an open page reloads by itself when a file is saved (its request for
the site's version waits for the change), within the page's Content-Security-Policy, and
shows the diagnostics while the data has errors."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import pytest

from test_browser import TIMEOUT_MS, _shot, browser  # noqa: F401 - browser: a fixture
from conftest import REPO


@pytest.fixture
def served(example_site, tmp_path):
    log = open(tmp_path / "serve.log", "w+")
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "serve", "--root", str(example_site),
         "--port", "0", "--as-of", "2026-11-26"], stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"}, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 60
        base = None
        while base is None and time.monotonic() < deadline:
            log.seek(0)
            m = re.search(r"on (http://127\.0\.0\.1:\d+)/", log.read())
            base = m.group(1) if m else time.sleep(0.1)
        assert base, "the server did not start"
        yield base, example_site
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def _wait_reloaded(page, seconds: float) -> bool:
    """Wait until ``page`` (marked ``window.__notReloaded = true`` before a save) is a new
    document, fully loaded; False when it is not within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if page.evaluate("window.__notReloaded === undefined && document.readyState === 'complete'"):
                return True
        except Exception:  # noqa: BLE001 - the page is between two documents
            pass
        time.sleep(0.05)
    return False


def test_an_open_page_reloads_itself_after_a_save(browser, served):
    base, root = served
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base + "/")
              else route.abort())
    page = ctx.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"{base}/practices/french-broad-podiatry/index.html")
        assert "French Broad Podiatry" in page.locator("h1").inner_text()
        page.evaluate("window.__notReloaded = true")
        time.sleep(0.5)  # the page's version request is waiting

        practice = root / "data" / "practices" / "french-broad-podiatry.yaml"
        text = practice.read_text()
        practice.write_text(text.replace("name: French Broad Podiatry", "name: French Broad Foot Care"))
        page.locator("h1", has_text="French Broad Foot Care").wait_for(timeout=30_000)
        assert page.evaluate("window.__notReloaded === undefined"), "the page itself reloaded"

        # A broken file: the open page turns into the diagnostics, then back when fixed.
        practice.write_text(text.replace("name: French Broad Podiatry", "nmae: French Broad Podiatry"))
        page.locator("h1", has_text="The data has errors").wait_for(timeout=30_000)
        assert "name: required field is missing" in page.content()
        _shot(page, "serve-diagnostics-1280.png")
        practice.write_text(text)
        page.locator("h1", has_text="French Broad Podiatry").wait_for(timeout=30_000)
        # (the diagnostics page is answered 500: Chromium says so in the console, nothing else)
        failed = "the server responded with a status of 500"
        assert any(failed in e for e in errors), errors
        assert [e for e in errors if failed not in e] == [], errors
    finally:
        ctx.close()


def test_a_tab_on_a_page_that_went_away_comes_back_with_it(browser, served):
    """A record's file deleted (or renamed) under its open page: the tab shows "Not found"
    and reloads by itself, so the page is back when the file is (before, a bare "not found"
    in plain text that stayed until reloaded by hand)."""
    base, root = served
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(TIMEOUT_MS)
    source = root / "data" / "practices" / "french-broad-podiatry.yaml"
    practice = source.with_name("elmwood-heart.yaml")
    text = source.read_text().replace("name: French Broad Podiatry", "name: Elmwood Heart Group")
    try:
        practice.write_text(text)
        time.sleep(1.5)
        page.goto(f"{base}/practices/elmwood-heart/index.html")
        page.locator("h1", has_text="Elmwood Heart Group").wait_for(timeout=30_000)
        time.sleep(0.5)  # the page's version request is waiting
        practice.unlink()
        page.locator("h1", has_text="Not found").wait_for(timeout=30_000)
        assert "/practices/elmwood-heart/index.html" in page.locator("p").first.inner_text()
        assert page.get_by_role("link", name="The dashboard").get_attribute("href") == "/"
        practice.write_text(text)
        page.locator("h1", has_text="Elmwood Heart Group").wait_for(timeout=30_000)
    finally:
        page.close()


def test_the_place_on_the_page_survives_an_error_and_its_fix(browser, served):
    """A save with an error turns the open page into the diagnostics; the fix brought the page
    back at its top (each typo lost the reader's place on a long brief). The page now comes
    back where it was."""
    base, root = served
    page = browser.new_page(viewport={"width": 1280, "height": 400})
    page.set_default_timeout(TIMEOUT_MS)
    practice = root / "data" / "practices" / "french-broad-podiatry.yaml"
    text = practice.read_text()
    try:
        page.goto(f"{base}/practices/french-broad-podiatry/index.html")
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height > 1500, height
        page.evaluate("window.scrollTo(0, 1000)")
        time.sleep(0.5)  # the page's version request is waiting
        practice.write_text(text.replace("name: French Broad Podiatry", "nmae: French Broad Podiatry"))
        page.locator("h1", has_text="The data has errors").wait_for(timeout=30_000)
        practice.write_text(text.replace("name: French Broad Podiatry", "name: French Broad Feet"))
        page.locator("h1", has_text="French Broad Feet").wait_for(timeout=30_000)
        page.wait_for_load_state("load")
        deadline = time.monotonic() + 5
        while page.evaluate("window.scrollY") != 1000 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert page.evaluate("window.scrollY") == 1000
        # a page opened afresh later starts at its top, as ever
        page.goto(f"{base}/index.html")
        page.goto(f"{base}/practices/french-broad-podiatry/index.html")
        page.wait_for_load_state("load")
        time.sleep(0.3)
        assert page.evaluate("window.scrollY") == 0
    finally:
        page.close()


def test_a_tab_left_open_while_serve_restarts_shows_what_changed_meanwhile(browser, example_site,
                                                                           tmp_path):
    """serve stopped, a file edited (a git pull), serve started again: the open tab kept the
    old page until the next save (both runs called their first site version 1, so the tab
    took the new run's for the one it had). Each run's versions are its own now."""
    import signal

    def start(log_name):
        log = open(tmp_path / log_name, "w+")
        proc = subprocess.Popen(
            [sys.executable, str(REPO / "build.py"), "serve", "--root", str(example_site),
             "--port", str(port), "--as-of", "2026-11-26"], stdout=log,
            stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"}, cwd=tmp_path)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            log.seek(0)
            if "serving " in log.read():
                return proc, log
            time.sleep(0.1)
        raise AssertionError("the server did not start")

    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc, log = start("first.log")
    page = browser.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    practice = example_site / "data" / "practices" / "french-broad-podiatry.yaml"
    try:
        page.goto(f"http://127.0.0.1:{port}/practices/french-broad-podiatry/index.html")
        assert "French Broad Podiatry" in page.locator("h1").inner_text()
        time.sleep(0.5)  # the page's version request is waiting
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)
        log.close()
        practice.write_text(practice.read_text().replace("name: French Broad Podiatry",
                                                         "name: French Broad Foot Care"))
        proc, log = start("second.log")
        page.locator("h1", has_text="French Broad Foot Care").wait_for(timeout=15_000)
    finally:
        page.close()
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def test_a_fold_opened_on_the_page_stays_open_through_a_save(browser, served):
    """A liaison opens "2 more talking points" on a brief (a manager "Show the 91
    physicians" on data quality) and saves a record: the page reloaded with every fold
    closed, and its place (scrolled into the fold) was lost: 1,800 px became 302. The folds
    the reader opened or closed are now as they were, and the place with them."""
    base, root = served
    page = browser.new_page(viewport={"width": 1280, "height": 400})
    page.set_default_timeout(TIMEOUT_MS)
    practice = root / "data" / "practices" / "french-broad-podiatry.yaml"
    text = practice.read_text()
    folds = "Array.from(document.querySelectorAll('details')).map(d => d.open)"
    try:
        page.goto(f"{base}/practices/french-broad-podiatry/index.html")
        page.locator("summary", has_text="2 more talking points").click()
        opened = page.evaluate(folds)
        assert opened.count(True) == 1, opened
        y = page.evaluate("document.querySelector('details.more-points').getBoundingClientRect()"
                          ".bottom + window.scrollY") - 300
        page.evaluate(f"window.scrollTo(0, {y})")
        y = page.evaluate("window.scrollY")
        time.sleep(0.5)  # the page's version request is waiting
        practice.write_text(text.replace("name: French Broad Podiatry", "name: French Broad Feet"))
        page.locator("h1", has_text="French Broad Feet").wait_for(timeout=30_000)
        page.wait_for_load_state("load")
        deadline = time.monotonic() + 5
        while page.evaluate(folds) != opened and time.monotonic() < deadline:
            time.sleep(0.1)
        assert page.evaluate(folds) == opened
        assert abs(page.evaluate("window.scrollY") - y) <= 1
    finally:
        page.close()


def test_a_directory_keeps_its_order_and_its_place_in_its_frame_through_a_save(browser, served):
    """The directories scroll in frames of their own and sort by a click on a column: a save
    reloaded the directory unsorted with its frame back at its top (on 1,000 physicians, a
    frame at 3,000 px sorted by specialty, descending, came back at 0 by name). Both are now
    as they were."""
    base, root = served
    # 900 px: a frame that scrolls both ways (at 1280 every column shows: nothing to scroll)
    page = browser.new_page(viewport={"width": 900, "height": 300})
    page.set_default_timeout(TIMEOUT_MS)
    practice = root / "data" / "practices" / "french-broad-podiatry.yaml"
    text = practice.read_text()
    state = ("(w => [w.scrollTop, w.scrollLeft, Array.from(w.querySelectorAll('th[aria-sort]'))"
             ".map(t => t.cellIndex + ':' + t.getAttribute('aria-sort')).join(),"
             " Array.from(w.querySelectorAll('tbody tr')).map(r => r.cells[0].innerText).join('|')])"
             "(document.querySelector('.table-wrap.sticky'))")
    try:
        page.goto(f"{base}/physicians/index.html")
        unsorted = page.evaluate(state)[3]
        specialty = page.locator("th button", has_text="Specialty")
        specialty.click()
        specialty.click()  # descending
        page.evaluate("(w => { w.scrollTop = 150; w.scrollLeft = 60; })"
                      "(document.querySelector('.table-wrap.sticky'))")
        before = page.evaluate(state)
        assert before[0] == 150 and before[1] == 60 and before[2] == "1:descending", before
        assert before[3] != unsorted
        time.sleep(0.5)  # the page's version request is waiting
        page.evaluate("window.__notReloaded = true")
        practice.write_text(text.replace("name: French Broad Podiatry", "name: French Broad Feet"))
        _wait_reloaded(page, 30)
        deadline = time.monotonic() + 5
        while page.evaluate(state) != before and time.monotonic() < deadline:
            time.sleep(0.1)
        assert page.evaluate(state) == before
    finally:
        page.close()


def test_many_open_tabs_leave_the_browser_room_to_load_a_page(browser, served):
    """Each open tab held a request for the site's version, and a browser opens at most six
    connections to one server: with six tabs open a seventh page never loaded (over 60 s),
    the tabs' requests taking every connection again as each ended. One tab now asks and
    tells the others; every tab still reloads on a save."""
    base, root = served
    ctx = browser.new_context(viewport={"width": 1000, "height": 700})
    paths = ["index.html", "physicians/index.html", "practices/index.html", "team/index.html",
             "follow-ups/index.html", "referrals/index.html", "prospects/index.html",
             "activity/index.html"]
    try:
        tabs = []
        for path in paths:
            tab = ctx.new_page()
            tab.set_default_timeout(TIMEOUT_MS)
            tab.goto(f"{base}/{path}")
            tabs.append(tab)
        time.sleep(1.0)  # the tabs' version requests are waiting
        page = ctx.new_page()
        start = time.monotonic()
        page.goto(f"{base}/practices/french-broad-podiatry/index.html", timeout=20_000)
        assert time.monotonic() - start < 5
        for tab in tabs:
            tab.evaluate("window.__notReloaded = true")
        practice = root / "data" / "practices" / "french-broad-podiatry.yaml"
        practice.write_text(practice.read_text().replace("name: French Broad Podiatry",
                                                         "name: French Broad Foot Care"))
        page.locator("h1", has_text="French Broad Foot Care").wait_for(timeout=30_000)
        for tab in tabs:
            assert _wait_reloaded(tab, 20), f"{tab.url} did not reload"
    finally:
        ctx.close()


def test_a_phone_keeps_the_card_it_was_reading_through_a_save(browser, served):
    """On a phone the directory's rows are cards laid out only when they near the screen:
    after a save the page came back at the same scrollY, but the cards above, now sized by
    their estimate, put another card there (on 1,000 physicians, at 5,000 px, the card two
    further on). The card at the top of the screen is now where it was."""
    base, root = served
    source = (root / "data" / "physicians" / "james-whitley.yaml").read_text()
    for n in range(150):
        (root / "data" / "physicians" / f"zz-test-{n:03}.yaml").write_text(
            source.replace("James Whitley", f"Zed Tester {n:03}").replace(
                'npi: "1582360479"\n', "").replace(
                "refers_elsewhere: [Asheville Vascular Associates]",
                "refers_elsewhere: [Asheville Vascular Associates, Blue Ridge Surgical Group, "
                "Mountain Area Vein Clinic]" if n % 3 == 0 else "refers_elsewhere: []"))
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                              has_touch=True, device_scale_factor=2)
    page = ctx.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    card = ("(() => { const r = Array.from(document.querySelectorAll('table.cards tbody tr'))"
            ".find(r => r.getBoundingClientRect().bottom > 120);"
            " return r ? [r.cells[0].innerText.split('\\n')[0], Math.round(r.getBoundingClientRect().top)] : null; })()")
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            page.goto(f"{base}/physicians/index.html")
            if page.locator("text=Zed Tester 149").count():
                break
            time.sleep(0.5)
        for y in range(0, 12000, 600):  # read down the list: the cards passed are laid out
            page.evaluate(f"window.scrollTo(0, {y})")
            time.sleep(0.05)
        time.sleep(0.5)
        before = page.evaluate(card)
        assert before and before[0].startswith("Zed Tester"), before
        page.evaluate("window.__notReloaded = true")
        practice = root / "data" / "practices" / "french-broad-podiatry.yaml"
        practice.write_text(practice.read_text() + "# seen\n")
        _wait_reloaded(page, 30)
        time.sleep(1.0)
        after = page.evaluate(card)
        assert after[0] == before[0], (before, after)
        assert abs(after[1] - before[1]) <= 2, (before, after)
    finally:
        ctx.close()


def test_the_diagnostics_page_reads_in_dark_mode(browser, served):
    """serve's own page (the data's errors, a page not found) was black on white in a browser
    set to dark, the one white page among dark ones: it follows dark mode as the site does,
    its text at 4.5:1 at least."""
    from test_browser_layout import _contrast

    base, root = served
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme="dark")
    ctx.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base + "/")
              else route.abort())
    page = ctx.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    practice = root / "data" / "practices" / "french-broad-podiatry.yaml"
    text = practice.read_text()
    try:
        practice.write_text(text.replace("name: French Broad Podiatry", "nmae: French Broad Podiatry"))
        page.goto(f"{base}/index.html")
        page.locator("h1", has_text="The data has errors").wait_for(timeout=30_000)
        look = page.evaluate("""() => ['body', 'h1', 'code'].map(s => getComputedStyle(document.querySelector(s)))
            .map(s => s.color).concat([getComputedStyle(document.body).backgroundColor])""")
        *texts, ground = look
        if ground == "rgba(0, 0, 0, 0)":  # no colour of its own: the browser's white
            ground = "rgb(255, 255, 255)"
        assert _contrast(ground, "rgb(0, 0, 0)") < 1.5, ground
        assert min(_contrast(t, ground) for t in texts) >= 4.5, look
        _shot(page, "serve-diagnostics-dark-390.png")
    finally:
        practice.write_text(text)
        ctx.close()
