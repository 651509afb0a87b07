"""The deck viewer as a presenter and an audience use it (issue 15, point 3), in Debian's Chromium
driven by Playwright on the repository's sample site (the fixtures of tests/test_browser.py).

The audience's window shows one slide, scaled as a whole to the window, and never the speaker
notes; "p" opens the presenter's window (the same page with ?presenter): the current and the next
slide, the notes and a timer; moving in either window moves the other, over HTTP and from disk.
A sideways swipe moves a slide on a phone; every button and link of the bar is a 44 × 44 px
target at 390 px; at 390 × 844 and 1366 × 900 no slide's text leaves its slide on either sample
deck; every deck page links to its own .pptx, which exists beside it.

Screenshots go to $LIAISON_SHOTS_DIR (default /tmp/liaison-shots/).
"""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from test_browser import (  # noqa: F401 - fixtures are used by name
    PHONE, SHOTS, TIMEOUT_MS, browser, new_page, server, site,
)

WIDE = {"width": 1366, "height": 900}
DECK = "presentations/healing-leg-wounds/summit-foot-ankle/index.html"
GENERIC = "presentations/vein-care-overview/index.html"


def deck_pages(site: Path) -> list[str]:
    """Every deck page of the built site: each deck's generic page and its customized ones."""
    found = sorted(p.relative_to(site).as_posix() for p in site.glob("presentations/*/**/index.html"))
    assert len(found) >= 4, found
    return found


def _phone(new_page):
    return new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=1)


def _current_slide(page) -> int:
    """The number of the one slide a person sees in the audience's stage."""
    ids = page.eval_on_selector_all(
        "[data-stage] > .slide",
        "els => els.filter(e => e.checkVisibility({visibilityProperty: true})).map(e => e.id)")
    assert len(ids) == 1, f"exactly one slide should show on screen, not {ids}"
    return int(ids[0].removeprefix("slide-"))


def _wait_slide(page, n: int, what: str) -> None:
    """Polled from here: the page's CSP forbids the eval that wait_for_function would need."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        if _current_slide(page) == n:
            return
        time.sleep(0.05)
    assert _current_slide(page) == n, f"{what}: slide {_current_slide(page)}, not {n}"


def _notes(page) -> list[str]:
    """The speaker notes of every slide, as text, from the page's markup."""
    notes = page.eval_on_selector_all(
        ".slide .notes", "els => els.map(e => [...e.childNodes].filter(c => !(c.classList && "
        "c.classList.contains('notes-label'))).map(c => c.textContent).join(' '))")
    return [" ".join(n.split()) for n in notes if n.strip()]


def _no_notes_in_sight(page, notes: list[str], where: str) -> None:
    seen = " ".join(page.evaluate("() => document.body.innerText").split())
    for text in notes:
        assert text[:60] not in seen, f"{where}: the audience can read a speaker note: {text[:60]!r}"
    visible = page.eval_on_selector_all(
        ".notes", "els => els.filter(e => e.checkVisibility({visibilityProperty: true})).length")
    assert visible == 0, f"{where}: {visible} notes visible"


# ---------------------------------------------------------------------------------------------
# moving in one window


def test_deck_keys_move_between_slides(new_page, server):
    page, rec = new_page()
    page.goto(f"{server}/{DECK}")
    total = page.locator(".slide").count()
    assert total >= 3
    assert _current_slide(page) == 1
    assert page.locator("[data-counter]").inner_text() == f"1 / {total}"
    page.keyboard.press("ArrowRight")
    assert _current_slide(page) == 2
    page.keyboard.press("Space")
    assert _current_slide(page) == 3
    assert page.evaluate("location.hash") == "#3"
    page.keyboard.press("ArrowLeft")
    assert _current_slide(page) == 2
    page.keyboard.press("End")
    assert _current_slide(page) == total
    page.keyboard.press("ArrowRight")  # stays on the last slide
    assert _current_slide(page) == total
    page.keyboard.press("Home")
    assert _current_slide(page) == 1
    page.get_by_role("button", name="Next slide").click()
    assert _current_slide(page) == 2
    # Enter on a focused button is that button's click, not "next slide" as well
    page.get_by_role("button", name="Previous slide").focus()
    page.keyboard.press("Enter")
    assert _current_slide(page) == 1
    assert rec.console_errors == [], rec.console_errors


def test_typing_in_the_bars_search_box_moves_no_slide_and_enter_opens_search(new_page, server):
    page, rec = new_page()
    page.goto(f"{server}/{DECK}")
    page.keyboard.press("ArrowRight")
    assert _current_slide(page) == 2
    box = page.get_by_role("searchbox", name="Search the site")
    box.click()
    page.keyboard.type("pf dr bellx")  # p, f and space are the deck's keys elsewhere
    for key in ("Home", "End", "ArrowLeft", "ArrowRight", "Backspace"):
        page.keyboard.press(key)
    assert _current_slide(page) == 2
    assert box.input_value() == "pf dr bell"
    assert page.context.pages == [page], "p opened no presenter's window"
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/index.html?q=pf+dr+bell")
    assert rec.console_errors == [], rec.console_errors


def test_deck_deep_link_opens_that_slide(new_page, server):
    page, rec = new_page()
    page.goto(f"{server}/{DECK}#3")
    assert _current_slide(page) == 3
    page.goto(f"{server}/{DECK}#5")
    assert _current_slide(page) == 5
    assert page.locator("[data-counter]").inner_text().startswith("5 / ")
    assert rec.console_errors == [], rec.console_errors


def test_deck_prints_one_slide_per_page_without_notes(new_page, server):
    page, _rec = new_page()
    page.goto(f"{server}/{DECK}")
    total = page.locator(".slide").count()
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    assert pdf.startswith(b"%PDF")
    # Count the PDF's pages: each page object is "/Type /Page" (not "/Pages").
    pages_in_pdf = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pages_in_pdf == total, f"{pages_in_pdf} printed pages for {total} slides"
    page.emulate_media(media="print")
    assert page.locator(".notes").evaluate_all(
        "els => els.filter(e => e.checkVisibility()).length") == 0, "notes on paper"
    boxes = page.locator("[data-stage] > .slide").evaluate_all(
        "els => els.map(e => [e.getBoundingClientRect().width, e.getBoundingClientRect().height])")
    assert all(abs(w - 1280) < 1 and abs(h - 720) < 1 for w, h in boxes), boxes[:3]


def test_the_keys_are_listed_on_question_mark(new_page, server):
    page, rec = new_page()
    page.goto(f"{server}/{DECK}")
    help_box = page.locator("#deck-help")
    button = page.get_by_role("button", name="Keys")
    assert not help_box.is_visible()
    page.keyboard.press("?")
    assert help_box.is_visible()
    assert button.get_attribute("aria-expanded") == "true"
    text = help_box.inner_text()
    for key in ("→", "←", "Home", "p", "f", "swipe"):
        assert key in text, key
    page.keyboard.press("Escape")
    assert not help_box.is_visible()
    button.click()
    assert help_box.is_visible()
    page.get_by_role("button", name="Close").click()
    assert not help_box.is_visible()
    assert button.get_attribute("aria-expanded") == "false"
    assert rec.console_errors == [], rec.console_errors


def test_the_keys_close_button_shows_where_the_keyboard_is(new_page, server):
    """"?" puts the keyboard on the list's Close button: its focus ring must show on the white
    list (it was the bar's white ring, invisible there)."""
    from test_browser_layout import _contrast

    page, rec = new_page()
    page.goto(f"{server}/{DECK}")
    page.keyboard.press("?")
    got = page.evaluate(
        """() => { const e = document.activeElement, s = getComputedStyle(e);
                   return {text: e.textContent.trim(), visible: e.matches(':focus-visible'),
                           style: s.outlineStyle, width: parseFloat(s.outlineWidth), ring: s.outlineColor,
                           around: getComputedStyle(document.getElementById('deck-help')).backgroundColor}; }""")
    assert got["text"] == "Close" and got["visible"], got
    assert got["style"] != "none" and got["width"] >= 2, got
    assert _contrast(got["ring"], got["around"]) >= 3, got
    assert rec.console_errors == [], rec.console_errors



def test_escape_from_the_keys_list_gives_the_keyboard_back_to_the_keys_button(new_page, server):
    """Closed by its Close button or by Esc, the list gives the keyboard back to Keys: Esc left
    it on the hidden Close button, so that Tab started again from the top of the page."""
    page, rec = new_page()
    page.goto(f"{server}/{DECK}")
    button = page.get_by_role("button", name="Keys")
    button.focus()
    page.keyboard.press("Enter")
    assert page.locator("#deck-help").is_visible()
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Close"
    page.keyboard.press("Escape")
    assert not page.locator("#deck-help").is_visible()
    assert page.evaluate("() => document.activeElement.getAttribute('aria-expanded')") == "false"
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Keys"
    page.keyboard.press("Tab")  # on from there, not from the top of the page
    assert page.evaluate("() => document.activeElement.textContent.trim()") != "‹"
    assert rec.console_errors == [], rec.console_errors


# ---------------------------------------------------------------------------------------------
# the audience never sees the notes; the presenter's window


@pytest.mark.parametrize("path", [DECK, GENERIC], ids=["customized", "generic"])
def test_the_audience_never_sees_the_speaker_notes(new_page, server, path):
    page, rec = new_page(viewport=WIDE)
    page.goto(f"{server}/{path}")
    notes = _notes(page)
    assert len(notes) >= 3, "the sample decks have speaker notes"
    total = page.locator(".slide").count()
    for n in range(1, total + 1):
        _wait_slide(page, n, "moving with the arrow key")
        _no_notes_in_sight(page, notes, f"slide {n}")
        page.keyboard.press("n")  # the old notes toggle: no longer shows them
        _no_notes_in_sight(page, notes, f"slide {n} after n")
        page.keyboard.press("ArrowRight")
    assert rec.console_errors == [], rec.console_errors


def _open_presenter(page, how: str = "key"):
    with page.expect_popup() as info:
        if how == "key":
            page.keyboard.press("p")
        else:
            page.get_by_role("button", name="Presenter view").click()
    presenter = info.value
    presenter.set_default_timeout(TIMEOUT_MS)
    presenter.wait_for_load_state()
    return presenter


def _elapsed(presenter) -> int:
    text = presenter.locator("[data-elapsed]").inner_text()
    m = re.fullmatch(r"(?:(\d+):)?(\d+):(\d\d)", text)
    assert m, text
    return int(m[1] or 0) * 3600 + int(m[2]) * 60 + int(m[3])


def test_the_presenter_window_shows_this_slide_the_next_the_notes_and_a_timer(new_page, server):
    page, rec = new_page(viewport=WIDE)
    page.goto(f"{server}/{DECK}#2")
    notes = _notes(page)
    bodies = page.eval_on_selector_all("[data-stage] > .slide .slide-body",
                                       "els => els.map(e => e.textContent.split(/\\s+/).join(' ').trim())")
    total = len(bodies)
    presenter = _open_presenter(page, how="button")
    presenter.set_viewport_size(WIDE)
    assert "presenter" in presenter.url.split("#")[0].split("?", 1)[1]
    assert presenter.title().startswith("Presenter: ")
    _wait_slide(presenter, 2, "the presenter's window opens on the audience's slide")
    panel = presenter.locator(".presenter-panel")
    assert panel.is_visible()
    # the notes of slide 2, in their own panel
    shown = " ".join(presenter.locator("[data-notes-panel]").inner_text().split())
    own = " ".join(page.locator("#slide-2 .notes").evaluate(
        "e => [...e.childNodes].filter(c => !(c.classList && c.classList.contains('notes-label')))"
        ".map(c => c.textContent).join(' ')").split())
    assert own and shown == own, (shown, own)
    # the next slide (3), smaller, beside it
    next_frame = presenter.locator("[data-next-frame]")
    next_text = " ".join(next_frame.locator(".slide-body").text_content().split())
    assert next_text == bodies[2], (next_text, bodies[2])
    cur_box = presenter.locator("[data-stage] > .slide.current").bounding_box()
    next_box = next_frame.locator(".slide").bounding_box()
    assert next_box["width"] < cur_box["width"], (next_box, cur_box)
    assert abs(cur_box["width"] / cur_box["height"] - 16 / 9) < 0.02
    assert abs(next_box["width"] / next_box["height"] - 16 / 9) < 0.02
    assert next_frame.locator(".notes").count() == 0, "the next slide's copy holds no notes"
    # the timer runs, pauses and starts again
    assert _elapsed(presenter) <= 1
    time.sleep(2.2)
    running = _elapsed(presenter)
    assert running >= 2, running
    presenter.get_by_role("button", name="Pause").click()
    paused = _elapsed(presenter)
    time.sleep(1.3)
    assert _elapsed(presenter) == paused, "a paused timer stands still"
    presenter.get_by_role("button", name="Resume").click()
    time.sleep(1.3)
    assert _elapsed(presenter) > paused
    presenter.get_by_role("button", name="Restart").click()
    assert _elapsed(presenter) == 0
    # the notes' text grows and shrinks
    size = lambda: float(presenter.locator("[data-notes-panel]").evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
    before = size()
    presenter.get_by_role("button", name="Larger notes").click()
    assert size() > before
    presenter.get_by_role("button", name="Smaller notes").click()
    presenter.get_by_role("button", name="Smaller notes").click()
    assert size() < before
    # the last slide: its notes, and no next slide
    presenter.keyboard.press("End")
    _wait_slide(presenter, total, "End in the presenter's window")
    assert "End of the deck" in next_frame.inner_text()
    assert " ".join(presenter.locator("[data-notes-panel]").inner_text().split()) == notes[-1]
    SHOTS.mkdir(parents=True, exist_ok=True)
    presenter.screenshot(path=str(SHOTS / "deck-presenter-1366.png"))
    assert rec.console_errors == [], rec.console_errors


def _both_ways(page, presenter, notes) -> None:
    _wait_slide(presenter, 1, "the presenter's window opens on slide 1")
    presenter.keyboard.press("ArrowRight")
    _wait_slide(presenter, 2, "ArrowRight in the presenter's window")
    _wait_slide(page, 2, "the audience follows the presenter")
    presenter.keyboard.press("ArrowRight")
    _wait_slide(page, 3, "the audience follows the presenter again")
    page.keyboard.press("ArrowLeft")
    _wait_slide(page, 2, "ArrowLeft in the audience's window")
    _wait_slide(presenter, 2, "the presenter follows the audience")
    page.get_by_role("button", name="Next slide").click()
    _wait_slide(presenter, 3, "the presenter follows the audience's button")
    presenter.get_by_role("button", name="Previous slide").click()
    _wait_slide(page, 2, "the audience follows the presenter's button")
    presenter.locator("[data-next-frame]").click()  # a click on the next slide's preview
    _wait_slide(presenter, 3, "a click on the preview of the next slide")
    _wait_slide(page, 3, "the audience follows a click on the preview")
    page.keyboard.press("End")
    total = page.locator(".slide").count()
    _wait_slide(presenter, total, "the presenter follows End")
    _no_notes_in_sight(page, notes, "the audience's window with a presenter's window open")


def test_either_window_moves_the_other_over_http(new_page, server):
    page, rec = new_page(viewport=WIDE)
    page.goto(f"{server}/{DECK}")
    presenter = _open_presenter(page)
    _both_ways(page, presenter, _notes(page))
    # after the audience's window reloads (its link to the presenter's window lost), moving in
    # the presenter's window still moves it
    page.reload()
    presenter.keyboard.press("Home")
    _wait_slide(page, 1, "the reloaded audience window follows the presenter")
    page.keyboard.press("ArrowRight")
    _wait_slide(presenter, 2, "the presenter follows the reloaded audience window")
    assert rec.console_errors == [], rec.console_errors


def test_a_message_heard_twice_or_late_does_not_move_a_window_back(new_page, server):
    """Each move is told both ways (a BroadcastChannel and postMessage), so the other window
    hears it twice: the second copy, or an older message from the same window, arriving
    after a move of its own, leaves it where it is; a newer one moves it."""
    page, rec = new_page(viewport=WIDE)
    page.goto(f"{server}/{DECK}")
    _wait_slide(page, 1, "the deck opens on slide 1")

    def hear(slide: int, n: int) -> None:  # from another window of the deck, over the channel
        page.evaluate("""([slide, n]) => new BroadcastChannel("liaison-deck:" + location.pathname)
            .postMessage({liaisonDeck: location.pathname, slide: slide, from: "other", n: n})""",
                      [slide, n])

    hear(3, 2)
    _wait_slide(page, 3, "a message from the other window")
    page.keyboard.press("ArrowLeft")
    _wait_slide(page, 2, "ArrowLeft")
    hear(3, 2)  # the same message again (its other way)
    hear(4, 1)  # an older one
    time.sleep(0.5)
    assert _current_slide(page) == 2, "a message heard twice or late moved the window"
    hear(4, 3)
    _wait_slide(page, 4, "a newer message from the other window")
    assert rec.console_errors == [], rec.console_errors


def test_either_window_moves_the_other_from_disk(new_page, site):
    page, rec = new_page(viewport=WIDE)
    page.goto((site / DECK).as_uri())
    presenter = _open_presenter(page)
    assert presenter.url.startswith("file://") and "?presenter" in presenter.url
    _both_ways(page, presenter, _notes(page))
    assert rec.console_errors == [], rec.console_errors


def test_a_blocked_presenter_window_is_said_and_f_shows_the_slide_alone(new_page, server):
    page, rec = new_page(viewport=WIDE)
    page.add_init_script("window.open = () => null")  # a browser that blocks pop-ups
    page.goto(f"{server}/{DECK}")
    status = page.locator("[data-status]")
    assert not status.is_visible()
    page.keyboard.press("p")
    assert "blocked the presenter's window" in status.inner_text()
    assert status.is_visible()
    page.keyboard.press("f")
    deadline = time.monotonic() + 5
    while not page.evaluate("() => !!document.fullscreenElement") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert page.evaluate("() => document.fullscreenElement === document.documentElement")
    assert not page.locator(".deck-bar").is_visible(), "in full screen the bar is hidden"
    page.keyboard.press("ArrowRight")
    assert _current_slide(page) == 2
    page.keyboard.press("f")
    deadline = time.monotonic() + 5
    while page.evaluate("() => !!document.fullscreenElement") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert page.locator(".deck-bar").is_visible()
    assert rec.console_errors == [], rec.console_errors


@pytest.mark.parametrize("width", [1024, 1280, 1920])
def test_the_presenter_windows_buttons_keep_one_row(new_page, server, width):
    """On a 1024-px window the timer's panel is narrow: its four buttons wrapped with A+ alone
    on a second row; they now move as one row, the time and the clock each whole."""
    page, rec = new_page(viewport={"width": width, "height": 768})
    page.goto(f"{server}/{DECK}?presenter#2")
    _wait_slide(page, 2, "the presenter's window at #2")
    boxes = {name: page.get_by_role("button", name=name).bounding_box()
             for name in ("Pause", "Restart", "Smaller notes", "Larger notes")}
    assert len({round(b["y"]) for b in boxes.values()}) == 1, boxes
    panel = page.locator(".presenter-panel").bounding_box()
    for sel in (".timer .elapsed", ".timer .clock"):
        box = page.locator(sel).bounding_box()
        assert box["x"] >= panel["x"] - 0.5 and box["x"] + box["width"] <= panel["x"] + panel["width"] + 0.5, sel
    assert rec.console_errors == [], rec.console_errors


@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["390x844", "1366x900"])
def test_the_presenter_window_has_no_serious_axe_violation(new_page, server, viewport):
    from test_browser_a11y import SERIOUS, _axe, _readable

    # The pages' CSP allows no inline script: the injected axe-core needs it lifted.
    page, rec = new_page(viewport=viewport, bypass_csp=True)
    page.goto(f"{server}/{DECK}?presenter#2")
    _wait_slide(page, 2, "the presenter's window at #2")
    bad = [v for v in _axe(page) if v["impact"] in SERIOUS]
    assert not bad, _readable(bad)
    assert rec.console_errors == [], rec.console_errors


def test_the_phone_hint_is_in_a_landmark(new_page, server):
    """Upright on a phone the page says "Turn the phone sideways…; swipe to move": that line
    stood outside every landmark (axe-core's "region"), where a screen reader moving by
    landmarks never reaches it."""
    from test_browser_a11y import _readable

    page, _rec = _phone_csp_free(new_page)
    page.goto(f"{server}/{DECK}")
    assert page.locator(".turn-hint").is_visible()
    page.add_script_tag(path=str(Path(__file__).resolve().parent / "assets" / "axe.min.js"))
    bad = page.evaluate(
        """async () => (await axe.run(document, {runOnly: ['region'], resultTypes: ['violations']}))
             .violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                 nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 160),
                                           summary: n.failureSummary}))}))""")
    assert not bad, _readable(bad)


def _phone_csp_free(new_page):
    return new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=1,
                    bypass_csp=True)


# ---------------------------------------------------------------------------------------------
# a phone: swipe, touch targets


def _swipe(page, dx: int, dy: int = 0) -> None:
    """A one-finger swipe through the browser's own touch input, from the stage's middle."""
    box = page.locator("[data-stage]").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    cdp = page.context.new_cdp_session(page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for k in range(1, 6):
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [
            {"x": x + dx * k / 5, "y": y + dy * k / 5}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def test_a_swipe_moves_one_slide_on_a_phone(new_page, server):
    page, rec = _phone(new_page)
    page.goto(f"{server}/{DECK}#2")
    _swipe(page, -150)
    _wait_slide(page, 3, "a swipe to the left")
    _swipe(page, 150)
    _wait_slide(page, 2, "a swipe to the right")
    _swipe(page, 0, -150)   # scrolling up and down is not a swipe
    _swipe(page, -20)       # nor is a finger's twitch
    _swipe(page, -60, 80)   # nor a mostly vertical stroke
    time.sleep(0.2)
    assert _current_slide(page) == 2
    page.keyboard.press("Home")
    _swipe(page, 150)       # no slide before the first
    time.sleep(0.2)
    assert _current_slide(page) == 1
    assert rec.console_errors == [], rec.console_errors


def test_every_control_is_a_44px_target_on_a_phone(new_page, server, site):
    page, rec = _phone(new_page)
    for path in (DECK, GENERIC):
        page.goto(f"{server}/{path}")
        controls = page.locator(".deck-bar button, .deck-bar a").evaluate_all(
            """els => els.filter(e => e.checkVisibility()).map(e => {
                const r = e.getBoundingClientRect();
                return [e.textContent.trim() || e.getAttribute('aria-label'), r.width, r.height, r.right];
            })""")
        names = [c[0] for c in controls]
        assert {"‹", "›", "Download .pptx", "All decks"} <= set(names), names
        small = [c for c in controls if c[1] < 44 or c[2] < 44]
        assert not small, f"{path}: touch targets under 44 × 44 px: {small}"
        wide = [c for c in controls if c[3] > PHONE["width"]]
        assert not wide, f"{path}: controls beyond the phone's width: {wide}"
        w = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert w[0] <= w[1], f"{path} scrolls sideways at 390 px: {w}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "deck-390.png"))
    assert rec.console_errors == [], rec.console_errors


def test_without_script_every_slide_shows_whole_and_no_notes(browser, server):
    ctx = browser.new_context(viewport=PHONE, java_script_enabled=False)
    try:
        page = ctx.new_page()
        page.goto(f"{server}/{DECK}")
        boxes = page.locator(".slide").evaluate_all(
            "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.left, r.right, r.height]; })")
        assert len(boxes) >= 3
        assert all(left >= 0 and right <= PHONE["width"] and h > 0 for left, right, h in boxes), boxes
        w = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert w[0] <= w[1], f"the deck scrolls sideways at 390 px without script: {w}"
        assert page.locator(".notes").evaluate_all("els => els.filter(e => e.checkVisibility()).length") == 0
        # the bar's ‹ and › buttons did nothing without the script (every slide is on the page)
        assert page.locator(".deck-bar button:visible").count() == 0
        assert page.locator("[data-counter]").inner_text() == f"{len(boxes)} slides"
    finally:
        ctx.close()


def test_when_the_script_does_not_load_the_bar_has_no_dead_buttons(browser, server):
    """JavaScript on, but deck.js blocked (a proxy, a policy of the intranet's server): the
    page is the script-less one, and ‹ › sat in its bar doing nothing."""
    ctx = browser.new_context(viewport=PHONE)
    ctx.route("**/deck.js", lambda route: route.abort())
    try:
        page = ctx.new_page()
        page.goto(f"{server}/{DECK}")
        assert page.locator(".slide").evaluate_all("els => els.filter(e => e.checkVisibility()).length") >= 3
        assert page.locator(".deck-bar button:visible").count() == 0
    finally:
        ctx.close()


# ---------------------------------------------------------------------------------------------
# nothing cut: the stage scales as a whole

CUT_CHECK = """() => {
  const out = [];
  const stage = document.querySelector('[data-stage]').getBoundingClientRect();
  for (const slide of document.querySelectorAll('[data-stage] > .slide')) {
    const s = slide.getBoundingClientRect();
    const body = slide.querySelector('.slide-body');
    const where = slide.id;
    if (s.left < stage.left - 1 || s.right > stage.right + 1 || s.top < stage.top - 1 || s.bottom > stage.bottom + 1)
      out.push(`${where}: the slide (${s.left},${s.top},${s.right},${s.bottom}) leaves the stage`);
    if (body.scrollHeight > body.clientHeight + 1 || body.scrollWidth > body.clientWidth + 1)
      out.push(`${where}: content ${body.scrollWidth}x${body.scrollHeight} in a ${body.clientWidth}x${body.clientHeight} box`);
    // in the slide's box: what flows in the body is also held by the scroll sizes above (the
    // body clips); a layout may place a part (the closing slide's logo) outside the body
    const b = s;
    const inside = r => r.width === 0 || (r.left >= b.left - 1 && r.right <= b.right + 1 && r.top >= b.top - 1 && r.bottom <= b.bottom + 1);
    // a chart's table of figures for a screen reader (.chart-figures) is out of sight in a
    // 1 px clipped box: nothing of it is drawn, so nothing of it can be cut
    const unseen = n => n.closest && n.closest('.chart-figures');
    for (const e of body.querySelectorAll('*')) {
      if (unseen(e)) continue;
      if (!inside(e.getBoundingClientRect())) out.push(`${where}: <${e.tagName.toLowerCase()}> ${e.textContent.trim().slice(0, 40)} leaves the slide`);
    }
    const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
    for (let t = walker.nextNode(); t; t = walker.nextNode()) {
      if (!t.textContent.trim() || unseen(t.parentElement)) continue;
      const range = document.createRange();
      range.selectNodeContents(t);
      // a text's box is its font's whole height, taller than its line under a tight
      // line-height: a third of an em above or below is the font's, not the text's
      const slack = 0.3 * parseFloat(getComputedStyle(t.parentElement).fontSize) * s.width / slide.offsetWidth;
      const within = r => r.left >= b.left - 1 && r.right <= b.right + 1 && r.top >= b.top - slack && r.bottom <= b.bottom + slack;
      for (const r of range.getClientRects()) {
        if (!within(r)) { out.push(`${where}: the text "${t.textContent.trim().slice(0, 40)}" is cut`); break; }
      }
    }
  }
  return out;
}"""


@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["390x844", "1366x900"])
def test_no_slide_text_is_cut(new_page, server, site, viewport):
    if viewport is PHONE:
        page, rec = _phone(new_page)
    else:
        page, rec = new_page(viewport=viewport)
    problems, scales = [], set()
    for path in deck_pages(site):
        page.goto(f"{server}/{path}")
        problems += [f"{path}: {p}" for p in page.evaluate(CUT_CHECK)]
        box = page.locator("[data-stage] > .slide.current").bounding_box()
        stage = page.locator("[data-stage]").bounding_box()
        # the slide fills its stage's width or its height, less the 8 px margin each side
        assert (abs(box["width"] - (stage["width"] - 16)) < 2 or abs(box["height"] - (stage["height"] - 16)) < 2), (box, stage)
        scales.add(round(box["width"] / 1280, 3))
    assert not problems, "\n".join(problems[:30])
    assert len(scales) == 1, scales
    scale = scales.pop()
    if viewport is PHONE:
        assert 0.25 < scale < 0.31, scale   # 390 px less the margins, of 1280
    else:
        assert scale > 1, scale             # larger than the stage's own size
    assert rec.console_errors == [], rec.console_errors


def test_a_crowded_slide_gets_smaller_text_not_a_cut(new_page, server, site):
    """A slide holding more than fits: its text shrinks until it fits, the others keep theirs."""
    page, rec = new_page(viewport=WIDE)
    crowded = "<ul>" + "".join(f"<li>Point {i} of a slide with a great deal to say</li>" for i in range(14)) + "</ul>"
    html = (site / DECK).read_text(encoding="utf-8")
    at = html.index('<div class="slide-body">', html.index('id="slide-2"'))  # a slide of bullets
    html = html[:at] + '<div class="slide-body">' + crowded + html[at + len('<div class="slide-body">'):]
    page.route(f"{server}/{DECK}", lambda route: route.fulfill(body=html, content_type="text/html"))
    page.goto(f"{server}/{DECK}")
    assert page.locator("#slide-2 li").count() >= 14
    fits = page.locator("[data-stage] > .slide").evaluate_all("els => els.map(e => e.dataset.fit || '1')")
    assert 0.6 <= float(fits[1]) < 1, fits
    assert all(f == "1" for k, f in enumerate(fits) if k != 1), fits
    assert page.evaluate(CUT_CHECK) == []
    assert rec.console_errors == [], rec.console_errors


def _slide_body_replaced(page, server, site, slide: int, body: str) -> None:
    """DECK served with slide ``slide``'s body replaced by ``body`` (HTML)."""
    html = (site / DECK).read_text(encoding="utf-8")
    at = html.index('<div class="slide-body">', html.index(f'id="slide-{slide}"'))
    end = html.index('<aside class="notes">', at) if '<aside class="notes">' in html[at:html.index("</section>", at)] \
        else html.index("<footer", at)
    html = html[:at] + '<div class="slide-body">' + body + "</div>\n" + html[end:]
    page.route(re.compile(re.escape(f"{server}/{DECK}") + r"(\?.*)?$"),  # (?presenter too)
               lambda route: route.fulfill(body=html, content_type="text/html"))
    page.goto(f"{server}/{DECK}#{slide}")


def test_a_picture_alone_on_its_slide_shows_whole(new_page, server, site):
    """A 960 × 640 picture alone on a slide (a paragraph of its own, as Markdown makes it) is
    made no taller than the body: its bottom was cut off."""
    page, rec = new_page(viewport=WIDE)
    _slide_body_replaced(page, server, site, 2, '<p><img alt="The lab" src="../../vein-care-overview/'
                         '_media/images/vascular-lab.png"></p>')
    img = page.locator("#slide-2 img")
    img.evaluate("i => i.complete || new Promise(r => i.onload = r)")
    box, body = img.bounding_box(), page.locator("#slide-2 .slide-body").bounding_box()
    assert box["height"] > 0.6 * body["height"], (box, body)  # large, not shrunk away
    assert box["y"] + box["height"] <= body["y"] + body["height"] + 1, (box, body)
    assert abs(box["width"] / box["height"] - 1.5) < 0.02  # its own proportions
    assert page.evaluate(CUT_CHECK) == []
    assert rec.console_errors == [], rec.console_errors


def test_two_pictures_under_a_line_shrink_to_fit_as_in_the_pptx(new_page, server, site):
    """A line of text and two 960 x 640 pictures, each alone in its paragraph: the .pptx shrinks
    both and shows them whole; the HTML deck stopped at its smallest text and cut the second at
    the slide's foot (data-cut). The pictures now shrink on until the slide holds them."""
    page, rec = new_page(viewport=WIDE)
    picture = '<p><img alt="The lab" src="../../vein-care-overview/_media/images/vascular-lab.png"></p>'
    _slide_body_replaced(page, server, site, 2, "<h2>Images</h2><p>Look at the lab.</p>" + picture + picture)
    page.wait_for_function("Array.from(document.images).every(i => i.complete)")
    slide = page.locator("#slide-2")
    assert slide.get_attribute("data-cut") is None
    assert float(slide.get_attribute("data-pic") or 1) < 1
    body = page.locator("#slide-2 .slide-body").bounding_box()
    for k in range(2):
        box = page.locator("#slide-2 img").nth(k).bounding_box()
        assert box["height"] > 0.15 * body["height"], box
        assert box["y"] + box["height"] <= body["y"] + body["height"] + 1, (k, box, body)
    assert page.evaluate(CUT_CHECK) == []
    assert rec.console_errors == [], rec.console_errors


def test_a_slide_cut_even_at_the_smallest_text_is_said_in_the_presenter_window(new_page, server, site):
    """40 rows do not fit at 60 %: the slide gets data-cut and the presenter's window says so
    above its notes; a slide that fits says nothing of the kind."""
    page, rec = new_page(viewport=WIDE)
    rows = "".join(f"<tr><td>Row {i} of a long table</td><td>{i}</td></tr>" for i in range(40))
    _slide_body_replaced(page, server, site, 2, f"<h2>Too much</h2><table><tbody>{rows}</tbody></table>")
    cut = page.locator("[data-stage] > .slide").evaluate_all("els => els.map(e => e.hasAttribute('data-cut'))")
    assert cut[1] is True and not any(c for k, c in enumerate(cut) if k != 1), cut
    page.goto(f"{server}/{DECK}?presenter#2")
    said = page.locator("[data-notes-panel] .cut")
    assert said.count() == 1 and "cut off" in said.text_content() and "Split it" in said.text_content()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => !document.querySelector('[data-notes-panel] .cut')")
    assert rec.console_errors == [], rec.console_errors


def test_a_long_closing_heading_wraps_short_of_the_logo(new_page, server, site):
    """The closing slide's logo stands at the top right: a heading as long as "Thank you,
    Northfork Wound Care Center" wraps before it (it ran under the logo)."""
    page, rec = new_page(viewport=WIDE)
    html = (site / DECK).read_text(encoding="utf-8")
    assert "<h2>Thank you</h2>" in html
    html = html.replace("<h2>Thank you</h2>", "<h2>Thank you, Northfork Wound Care Center and staff</h2>", 1)
    page.route(f"{server}/{DECK}", lambda route: route.fulfill(body=html, content_type="text/html"))
    page.goto(f"{server}/{DECK}#8")
    heading, logo = page.locator("#slide-8 h2"), page.locator("#slide-8 .slide-logo img")
    h, g = heading.bounding_box(), logo.bounding_box()
    lines = page.evaluate("el => el.getClientRects().length && Math.round(el.getBoundingClientRect().height"
                          " / parseFloat(getComputedStyle(el).lineHeight))", heading.element_handle())
    assert lines >= 2, lines  # it wraps, rather than being cut or shrunk away
    assert h["x"] + h["width"] <= g["x"], (h, g)
    assert page.evaluate(CUT_CHECK) == []
    assert rec.console_errors == [], rec.console_errors


# ---------------------------------------------------------------------------------------------
# the .pptx beside every deck page


def test_every_deck_page_links_to_its_pptx(new_page, server, site):
    page, rec = new_page()
    for path in deck_pages(site):
        page.goto(f"{server}/{path}")
        link = page.get_by_role("link", name="Download .pptx")
        assert link.count() == 1, path
        assert link.get_attribute("download") is not None
        href = link.get_attribute("href")
        parts = path.split("/")  # presentations/<deck>/[<practice>/]index.html
        expected = f"{parts[1]}-{parts[2]}.pptx" if len(parts) == 4 else f"{parts[1]}.pptx"
        assert href == expected, (path, href)
        pptx = (site / path).parent / href
        assert pptx.is_file() and pptx.read_bytes()[:2] == b"PK", pptx
        response = page.request.get(f"{server}/{Path(path).parent.as_posix()}/{href}")
        assert response.status == 200 and response.body()[:2] == b"PK"
    assert rec.console_errors == [], rec.console_errors


def test_a_picture_shrinks_with_the_text_and_a_closing_heading_keeps_clear_of_the_logo(new_page, server, site):
    """A wide picture alone on a slide, or under a heading, was cut at the slide's bottom (a
    picture did not shrink with the text); a closing slide's heading of two lines ran under the
    logo at its top right."""
    page, rec = new_page(viewport=WIDE)
    html = (site / DECK).read_text(encoding="utf-8")
    picture = '<p><img alt="The lab" src="../_media/images/vascular-lab.png"></p>'
    body = '<div class="slide-body">'
    at = html.index(body, html.index('id="slide-2"'))
    end = html.index("</div>", at)
    html = html[:at] + body + picture + html[end:]  # slide 2: the picture alone
    at = html.index(body, html.index('id="slide-7"'))
    end = html.index("</div>", at)
    html = html[:at] + body + "<h2>Next steps</h2><p>Some text</p>" + picture + "<p>And a caption.</p>" + html[end:]
    html = html.replace("<h2>Thank you</h2>", "<h2>Thank you for every patient you trusted to us this year, "
                                              "and for your time today</h2>")
    page.route(f"{server}/{DECK}", lambda route: route.fulfill(body=html, content_type="text/html"))
    page.goto(f"{server}/{DECK}")
    page.wait_for_function("Array.from(document.images).every(i => i.complete)")
    page.evaluate("() => document.querySelectorAll('.slide').forEach(s => s.classList.add('current'))")
    assert page.evaluate(CUT_CHECK) == []
    for n in (2, 7):
        img = page.locator(f"#slide-{n} .slide-body img").bounding_box()
        body_box = page.locator(f"#slide-{n} .slide-body").bounding_box()
        assert img["y"] + img["height"] <= body_box["y"] + body_box["height"] + 1, (n, img, body_box)
    logo = page.locator("#slide-8 .slide-logo img").bounding_box()
    heading = page.locator("#slide-8 h2")
    rects = heading.evaluate("h => { const r = document.createRange(); r.selectNodeContents(h); "
                             "return Array.from(r.getClientRects()).map(x => [x.left, x.top, x.right, x.bottom]); }")
    assert len(rects) >= 2  # the heading takes two lines or more
    overlaps = [r for r in rects if r[0] < logo["x"] + logo["width"] and r[2] > logo["x"]
                and r[1] < logo["y"] + logo["height"] and r[3] > logo["y"]]
    assert not overlaps, (logo, rects)
    assert rec.console_errors == [], rec.console_errors


@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["390x844", "1366x900"])
def test_a_long_practice_name_leaves_the_slide_number_on_one_line(new_page, server, site, viewport):
    """A deck customized for a practice of a long name: the footer's name wraps, its slide
    number ("1 / 8") stays whole on one line at the right (it broke into "1 /" over "8")."""
    page, rec = _phone(new_page) if viewport is PHONE else new_page(viewport=viewport)
    long_name = ("The Extraordinarily Long-Named Interdisciplinary Center for Cardiovascular, "
                 "Metabolic and Peripheral Vascular Medicine of the Greater Northwestern Riverlands")
    html = (site / DECK).read_text(encoding="utf-8").replace(
        " · for Summit Foot &amp; Ankle</span>", f" · for {long_name}</span>")
    assert long_name in html
    page.route(f"{server}/{DECK}", lambda route: route.fulfill(body=html, content_type="text/html"))
    page.goto(f"{server}/{DECK}")
    foot = page.locator("[data-stage] > .slide.current .slide-foot")
    lines = foot.locator("span").evaluate_all(  # the lines each span's text takes
        "els => els.map(e => { const r = document.createRange(); r.selectNodeContents(e); "
        "return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size; })")
    assert lines[0] >= 2, lines  # the practice's name wraps: the test shows what it means to
    assert lines[1] == 1, f"the slide number takes {lines[1]} lines"
    number = foot.locator("span").nth(1).bounding_box()
    box = foot.bounding_box()
    assert abs((number["x"] + number["width"]) - (box["x"] + box["width"])) < 2, (number, box)
    assert rec.console_errors == [], rec.console_errors


CHART_SLIDES = """() => {
  const heading = s => parseFloat(getComputedStyle(s.querySelector('.slide-body h2, .slide-body h1')).fontSize);
  const slides = [...document.querySelectorAll('[data-stage] > .slide')];
  const plain = slides.find(s => !s.dataset.fit && s.querySelector('.slide-body h2'));
  return slides.filter(s => s.querySelector('.liaison-chart svg')).map(s => ({
    slide: s.id, fit: s.dataset.fit || '1', cut: s.hasAttribute('data-cut'),
    heading: heading(s) / heading(plain)}));
}"""


@pytest.mark.parametrize("long_name", [False, True], ids=["sample", "long-name"])
def test_a_chart_shrinks_with_the_text_so_its_slides_title_stays_large(new_page, server, site, long_name):
    """The chart kept its full height while a slide of a title, the chart and a line of caption
    shrank only its text: the sample's own chart slide showed its title at 85 % of every other
    slide's, 70 % for a practice whose long name takes two lines of the footer. The chart now
    shrinks with the text, as a picture does, and the title stays within 10 % of the others'."""
    page, rec = new_page(viewport=WIDE)
    charted = [p for p in deck_pages(site) if "liaison-chart" in (site / p).read_text(encoding="utf-8")]
    assert charted, "the sample has no customized deck with a chart"
    if long_name:  # a chart slide of its own (a title, the chart, a line of caption)
        charted = [p for p in charted if p.startswith("presentations/vein-care-overview/")][:1]
        assert charted
    for path in charted:
        html = (site / path).read_text(encoding="utf-8")
        if long_name:
            name = ("Société Médicale Sainte-Geneviève-Montmorency &amp; Östergötland Family, Internal "
                    "and Pediatric Medicine Associates of the Greater Willamette Valley")
            html = re.sub(r" · for [^<]*</span>", f" · for {name}</span>", html)
        page.route(f"{server}/{path}",
                   (lambda body: lambda route: route.fulfill(body=body, content_type="text/html"))(html))
        page.goto(f"{server}/{path}")
        for chart in page.evaluate(CHART_SLIDES):
            assert not chart["cut"], (path, chart)
            assert chart["heading"] >= 0.9, (path, chart)
    assert rec.console_errors == [], rec.console_errors
