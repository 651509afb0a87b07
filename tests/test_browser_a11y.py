"""Accessibility of every page type (issue 13, point 5), in Debian's Chromium driven by
Playwright on the repository's sample site (the fixtures of tests/test_browser.py).

axe-core (tests/assets/axe.min.js, a test asset: MPL-2.0, its licence beside it; never shipped
in a site) is injected into each page at phone (390x844) and desktop (1366x900) width: no
violation of serious or critical impact may remain. Beside it: a skip link is the first
thing the keyboard reaches; chart text is at least 12 px as rendered on a phone; no chart
label is cut in the middle of a word.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from test_browser import (  # noqa: F401 - fixtures are used by name
    SHOTS, browser, new_page, server, site,
)

AXE = Path(__file__).resolve().parent / "assets" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}
SERIOUS = ("serious", "critical")
MIN_CHART_PX = 12


def _first(site: Path, pattern: str) -> str | None:
    """The largest page matching ``pattern`` (the likeliest to show a problem), or None."""
    files = sorted(site.glob(pattern), key=lambda p: (-p.stat().st_size, p.as_posix()))
    return files[0].relative_to(site).as_posix() if files else None


def page_types(site: Path) -> dict[str, str]:
    """Every page type of the built site: its name -> one page of it. search/ and log/ are
    included when the site has them."""
    found = {
        "dashboard": "index.html",
        "physicians": "physicians/index.html",
        "practices": "practices/index.html",
        "physician": _first(site, "physicians/*/index.html"),
        "practice": _first(site, "practices/*/index.html"),
        "team": "team/index.html",
        "member": _first(site, "team/*/index.html"),
        "activity": "activity/index.html",
        "month": _first(site, "activity/*/index.html"),
        "follow-ups": "follow-ups/index.html",
        "referrals": "referrals/index.html",
        "training": "training/index.html",
        "guide": _first(site, "training/*/index.html"),
        "presentations": "presentations/index.html",
        "deck": _first(site, "presentations/*/index.html"),
        "prospects": "prospects/index.html",
        "compliance": "compliance/index.html",
        "data-quality": "data-quality/index.html",
        "search": "search/index.html",
        "log": "log/index.html",
    }
    return {k: v for k, v in found.items() if v and (site / v).is_file()}


def _axe(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 160),
                                          summary: n.failureSummary}))}));
        }""")


def _readable(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])} element(s))")
        for n in v["nodes"][:5]:
            lines.append(f"      {n['target']}\n        {n['html']}\n        "
                         + (n["summary"] or "").replace("\n", "\n        "))
    return "\n".join(lines)


@pytest.fixture(scope="module")
def types(site):
    found = page_types(site)
    assert {"dashboard", "physician", "follow-ups", "month", "deck"} <= set(found)
    return found


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_no_serious_or_critical_axe_violation_on_any_page_type(new_page, server, types, width):
    # The pages' CSP allows no inline script: the injected axe-core needs it lifted.
    page, rec = new_page(viewport=VIEWPORTS[width], bypass_csp=True)
    failures = []
    for name, path in types.items():
        page.goto(f"{server}/{path}", wait_until="load")
        bad = [v for v in _axe(page) if v["impact"] in SERIOUS]
        if bad:
            failures.append(f"{name} ({path}) at {width} width:\n{_readable(bad)}")
    assert not failures, "axe-core found serious or critical violations:\n" + "\n".join(failures)
    assert not rec.console_errors


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_skip_link_is_the_first_stop_and_lands_on_the_content(new_page, server, types, width):
    page, _rec = new_page(viewport=VIEWPORTS[width])
    for name, path in types.items():
        if name == "deck":  # a slide deck has no page frame: arrows move between slides
            continue
        page.goto(f"{server}/{path}", wait_until="load")
        first = page.evaluate(
            """() => [...document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]')]
                 .find(e => e.tabIndex >= 0 && !e.disabled).textContent.trim()""")
        assert first == "Skip to content", name
        # an element with autofocus (search/'s box) takes the focus when the browser next
        # renders, which may follow the load event: waited for, so that Tab starts from it
        page.wait_for_function("() => { const a = document.querySelector('[autofocus]');"
                               " return !a || document.activeElement === a; }")
        if page.evaluate("() => document.activeElement !== document.body"):
            continue  # a page that puts the focus in its own box (search/): the DOM order holds
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => ({text: document.activeElement.textContent.trim(),"
            " href: document.activeElement.getAttribute('href'),"
            " visible: document.activeElement.getBoundingClientRect().height > 0})")
        assert focused == {"text": "Skip to content", "href": "#main", "visible": True}, name
        page.keyboard.press("Enter")
        assert page.evaluate("() => location.hash") == "#main", name
        assert page.evaluate("() => document.activeElement.id") == "main", name


def _chart_pages(types) -> list[str]:
    return [types[k] for k in ("dashboard", "physician", "practice", "referrals") if k in types]


def test_chart_text_is_at_least_12_px_on_a_phone(new_page, server, types):
    page, _rec = new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    measured = 0
    small = []
    for path in _chart_pages(types):
        page.goto(f"{server}/{path}", wait_until="load")
        sizes = page.evaluate(
            """() => [...document.querySelectorAll('.chart svg text')]
                .filter(t => t.getBoundingClientRect().width > 0 && t.textContent.trim())
                .map(t => {
                    const svg = t.ownerSVGElement;
                    const box = svg.viewBox.baseVal;
                    const scale = box && box.width ? svg.getBoundingClientRect().width / box.width : 1;
                    return {text: t.textContent.trim(), px: parseFloat(getComputedStyle(t).fontSize) * scale,
                            height: t.getBoundingClientRect().height};
                })""")
        measured += len(sizes)
        small += [f"{path}: {s['text']!r} {s['px']:.1f} px" for s in sizes
                  if s["px"] < MIN_CHART_PX - 0.05]
        # the box the text takes on screen agrees (a glyph box is taller than the font size)
        assert all(s["height"] >= MIN_CHART_PX - 0.5 for s in sizes), path
    assert measured > 20, "the sample site's charts have text to measure"
    assert not small, "chart text under 12 px at 390 px width:\n" + "\n".join(small)


def test_no_label_is_cut_in_the_middle_of_a_word(new_page, server, types):
    """A label that does not fit ends at a word boundary with an ellipsis, and its full text
    is in a <title> (a tooltip, and what a screen reader reads)."""
    page, _rec = new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    cut = []
    for path in _chart_pages(types) + [types.get("compliance", "index.html")]:
        page.goto(f"{server}/{path}", wait_until="load")
        texts = page.evaluate(
            """() => [...document.querySelectorAll('svg text')].map(t => {
                 const g = t.closest('g');
                 const title = (t.querySelector('title') || (g && g.querySelector(':scope > title')) || {}).textContent || '';
                 return {text: t.textContent.replace(title, '').trim(), title: title.trim()};
               })""")
        for t in texts:
            text = t["text"]
            if text.endswith("…"):
                stem = text[:-1].rstrip()
                full = t["title"]
                ok = bool(full) and full.startswith(stem) and (
                    len(full) == len(stem) or not full[len(stem)].isalnum())
                if not ok:
                    cut.append(f"{path}: {text!r} (full text {full!r})")
    assert not cut, "labels cut in the middle of a word:\n" + "\n".join(cut)


def test_a_filters_count_is_said_when_it_changes(new_page, server, types):
    """Typing in a filter changes its "12 of 40": a screen reader hears it only from a live
    region. Every page with a filter count (the directories and prospects among them)."""
    page, _rec = new_page(viewport=DESKTOP)
    checked = []
    for name, path in types.items():
        page.goto(f"{server}/{path}", wait_until="load")
        counts = page.evaluate(
            """() => [...document.querySelectorAll('[data-count]')].map(c => ({
                 filter: c.getAttribute('data-count'), text: c.textContent.trim(),
                 live: (c.closest('[aria-live]') || {getAttribute: () => null}).getAttribute('aria-live')
                       || (c.closest('[role=status]') ? 'polite' : null)}))""")
        for c in counts:
            box = page.locator(f'input[data-filter="{c["filter"]}"]')
            if box.count():
                box.first.fill("zzzzqqqq")
                after = page.locator(f'[data-count="{c["filter"]}"]').first.text_content().strip()
                assert after != c["text"] and after.startswith("0 of"), (name, c, after)
                box.first.fill("")
            checked.append(name)
            assert c["live"] in ("polite", "assertive"), \
                f"{name} ({path}): the count of {c['filter']!r} is in no live region"
    assert {"physicians", "practices", "prospects", "team", "follow-ups"} <= set(checked), checked


def test_landmarks_of_a_kind_have_names_of_their_own(new_page, server, types):
    """A screen reader lists a page's landmarks by role and name: two navigations both named
    "Other months" (a month's page, above and below its list) cannot be told apart."""
    page, _rec = new_page(viewport=DESKTOP)
    same = []
    for name, path in types.items():
        page.goto(f"{server}/{path}", wait_until="load")
        names = page.evaluate(
            """() => [...document.querySelectorAll('nav, aside, section[aria-label], section[aria-labelledby], [role=region], [role=navigation]')]
                 .filter(e => e.getClientRects().length)
                 .map(e => (e.getAttribute('role') || e.tagName.toLowerCase()) + ': ' + (e.getAttribute('aria-label')
                      || (e.getAttribute('aria-labelledby') || '').split(' ').map(i => (document.getElementById(i) || {}).textContent || '').join(' ').trim()))""")
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            same.append(f"{name} ({path}): {twice}")
    assert not same, "landmarks of one kind named alike:\n" + "\n".join(same)


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_a_sortable_column_is_a_button_that_says_its_order(new_page, server, types, width):
    """A sortable column's header holds a button named as the column (a screen reader says
    "Name, button": the focusable header alone said "Name ↕, column header", no word of what
    it does); Enter or Space on it sorts, and the header says the order (aria-sort)."""
    page, _rec = new_page(viewport=VIEWPORTS[width])
    seen = 0
    for name, path in types.items():
        page.goto(f"{server}/{path}", wait_until="load")
        headers = page.locator("table[data-table] thead th[data-sort]")
        for i in range(headers.count()):
            th = headers.nth(i)
            if not th.is_visible():
                continue
            label = th.evaluate("t => t.textContent.trim()")
            button = th.get_by_role("button", name=label, exact=True)
            assert button.count() == 1, f"{name} ({path}): column {label!r} has no button named so"
            assert th.get_attribute("tabindex") is None, f"{name}: {label!r} is a second Tab stop"
            seen += 1
        if headers.count():
            th = headers.first
            button = th.get_by_role("button")
            button.focus()
            page.keyboard.press("Enter")
            assert th.get_attribute("aria-sort") == "ascending", name
            page.keyboard.press("Space")
            assert th.get_attribute("aria-sort") == "descending", name
            assert page.evaluate("() => document.activeElement.closest('th') !== null"), name
    assert seen >= 30, seen


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_every_tab_stop_can_be_seen(new_page, server, types, width):
    """Each stop of the Tab key is something on screen: the header search's submit button was
    a 1 px clipped box, a stop where the keyboard went out of sight (Enter in the box searches)."""
    page, _rec = new_page(viewport=VIEWPORTS[width])
    unseen = []
    for name, path in types.items():
        page.goto(f"{server}/{path}", wait_until="load")
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        first = None
        for _ in range(400):
            page.keyboard.press("Tab")
            got = page.evaluate(
                """() => { const e = document.activeElement; if (!e || e === document.body) return null;
                     // a hidden radio drawn as its label (the log form's chips) shows on the label
                     const seen = e.getBoundingClientRect().width < 4 && e.labels && e.labels.length ? e.labels[0] : e;
                     const r = seen.getBoundingClientRect(), s = getComputedStyle(seen);
                     return {key: e.outerHTML.slice(0, 120), w: r.width, h: r.height,
                             clipped: s.clip !== 'auto' || s.clipPath !== 'none'}; }""")
            if got is None or got["key"] == first:
                break
            first = first or got["key"]
            if got["w"] < 4 or got["h"] < 4 or got["clipped"]:
                unseen.append(f"{name} ({path}): {got['key']} ({got['w']:.0f}x{got['h']:.0f})")
    assert not unseen, "Tab stops that cannot be seen:\n" + "\n".join(sorted(set(unseen)))


def test_a_matrix_cell_of_a_guide_not_for_their_role_says_so(new_page, server, types):
    """The competency matrix marks a guide that is not for a member's role with a dash whose
    meaning was only in its tooltip: a screen reader read the cell as "—". The cell's
    accessible name says "not for their role"."""
    page, _rec = new_page(viewport=DESKTOP)
    page.goto(f"{server}/{types['training']}", wait_until="load")
    cdp = page.context.new_cdp_session(page)
    names = []
    for i in range(page.locator("#matrix-table td.na").count()):
        obj = cdp.send("Runtime.evaluate", {
            "expression": f"document.querySelectorAll('#matrix-table td.na')[{i}]"})["result"]["objectId"]
        node = cdp.send("DOM.describeNode", {"objectId": obj})["node"]
        ax = cdp.send("Accessibility.getPartialAXTree", {"backendNodeId": node["backendNodeId"],
                                                         "fetchRelatives": False})["nodes"][0]
        names.append(ax["name"]["value"])
    assert names, "the sample's matrix has guides not for a member's role"
    assert all("not for their role" in n for n in names), names
    # the filter reads the page's text, which keeps its dash
    assert page.locator("#matrix-table td.na").first.text_content().strip() == "—"


@pytest.mark.parametrize("colours", ["none", "active"])
def test_the_current_section_is_marked_by_more_than_colour(new_page, server, types, colours):
    """The header's link to the current section differed only in colour (white on a faint
    band, 1.5:1 against the bar; under a Windows contrast theme nothing at all): it is
    underlined as well, which a contrast theme keeps."""
    page, _rec = new_page(viewport=DESKTOP, forced_colors=colours)
    page.goto(f"{server}/{types['physicians']}", wait_until="load")
    look = """a => { const s = getComputedStyle(a);
        return {line: s.textDecorationLine, weight: s.fontWeight, border: s.borderBottomStyle + ' ' + s.borderBottomWidth}; }"""
    current = page.locator('.topbar .nav a[aria-current="page"]')
    assert current.inner_text().strip() == "Physicians"
    other = page.locator('.topbar .nav a:not([aria-current])').first.evaluate(look)
    mine = current.evaluate(look)
    assert mine != other, (mine, other)
    assert "underline" in mine["line"] and "underline" not in other["line"], (mine, other)
    _shot_name = f"nav-current-{colours}.png"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".topbar").screenshot(path=str(SHOTS / _shot_name))


# the nearest opaque background of an element (forced colours give the used, system colours)
_BACKGROUND_JS = """e => { let p = e; while (p) { const c = getComputedStyle(p).backgroundColor;
    if (c && !/rgba\\(.*, 0\\)$/.test(c) && c !== 'transparent') return c; p = p.parentElement; }
    return 'rgb(255, 255, 255)'; }"""


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_chart_text_is_legible_under_a_contrast_theme(new_page, server, site, types, scheme):
    """Under a Windows contrast theme (forced colours) the page turns black (or white) but the
    charts' text kept its fills: on black, an axis label in the muted grey was 2.8:1 and a
    value beside its bar (#1e293b) 1.3:1, the figures of every chart all but invisible. Every
    chart text, on the pages and on a deck's slide, reads at 4.5:1 on what is behind it."""
    from test_browser_layout import _contrast

    page, _rec = new_page(viewport=DESKTOP, forced_colors="active", color_scheme=scheme)
    # a practice's deck has a chart on one of its slides: that slide is opened
    deck = _first(site, "presentations/*/*/index.html")
    paths = _chart_pages(types) + [deck]
    low, measured = [], 0
    for path in paths:
        page.goto(f"{server}/{path}", wait_until="load")
        if path == deck:
            slide = page.evaluate("() => document.querySelector('svg.chart').closest('.slide').id")
            page.goto(f"{server}/{path}#{slide.removeprefix('slide-')}", wait_until="load")
        found = page.evaluate(
            """bg => [...document.querySelectorAll('svg.chart text')]
                .filter(t => t.getClientRects().length && t.textContent.trim())
                .map(t => ({text: t.textContent.trim().slice(0, 30), fill: getComputedStyle(t).fill,
                            back: eval(bg)(t.closest('svg').parentElement)}))""", _BACKGROUND_JS)
        measured += len(found)
        low += [f"{path}: {t['text']!r} {t['fill']} on {t['back']} ({_contrast(t['fill'], t['back']):.2f})"
                for t in found if _contrast(t["fill"], t["back"]) < 4.5]
    assert measured > 40, measured
    assert not low, "chart text under 4.5:1 under forced colours:\n" + "\n".join(low[:20])


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_text_fields_outline_stands_out_from_what_is_around_it(new_page, server, types, scheme):
    """A text field, a menu or a chip is found by its outline: the filters', the menus' and the
    log form's were #cbd5e1 on white (1.5:1), search/'s box #94a3b8 (2.5:1), the header's box
    a faint white line on its bar (2.9:1), under the 3:1 that WCAG 1.4.11 asks of what
    identifies a control: at 200 % a low-vision user saw labels over blank card. Each one's
    border (or its fill, if that differs enough) is at least 3:1 against what is behind it; in
    dark mode too, where search/'s button, in the top bar's dark teal, was 1.5:1 on the page."""
    from test_browser_layout import _contrast

    page, _rec = new_page(viewport=DESKTOP, color_scheme=scheme)
    faint, seen = [], 0
    for name in ("physicians", "follow-ups", "activity", "training", "search", "log"):
        page.goto(f"{server}/{types[name]}", wait_until="load")
        found = page.evaluate(
            """bg => [...document.querySelectorAll(
                    'input[type=search], input[type=text], input[type=date], select, textarea, .log-chips label, .search-row button')]
                .filter(e => e.getClientRects().length)
                .map(e => { const s = getComputedStyle(e);
                    return {what: e.outerHTML.slice(0, 70), border: s.borderTopColor,
                            width: parseFloat(s.borderTopWidth), fill: eval(bg)(e),
                            around: eval(bg)(e.parentElement)}; })""", _BACKGROUND_JS)
        for f in found:
            seen += 1
            best = max(_contrast(f["border"], f["around"]) if f["width"] >= 1 else 1,
                       _contrast(f["fill"], f["around"]))
            if best < 3:
                faint.append(f"{name}: {f['what']} border {f['border']} on {f['around']} ({best:.2f})")
    assert seen > 20, seen
    assert not faint, "controls whose outline is under 3:1:\n" + "\n".join(faint)


def test_a_call_plans_log_a_visit_links_say_which_practice(new_page, server, types):
    """A liaison's call plan has a "Log a visit" link under each practice: a screen reader's
    list of links read "Log a visit" six times (and once more for the page's own), seven links
    alike to seven different forms. Each says its practice; the words shown stay the same."""
    page, _rec = new_page(viewport=DESKTOP)
    page.goto(f"{server}/{types['member']}", wait_until="load")
    links = page.evaluate("""() => [...document.querySelectorAll('main a.log-visit')].map(a => ({
        name: (a.getAttribute('aria-label') || a.textContent).replace(/\\s+/g, ' ').trim(),
        // the words on screen: what a 1 px clipped box holds (for a screen reader) left out
        shown: [...a.childNodes].filter(n => n.nodeType === 3 || n.getBoundingClientRect().width > 1)
                 .map(n => n.textContent).join('').trim(),
        href: a.getAttribute('href')}))""")
    plan = page.evaluate("""() => [...document.querySelectorAll('.call-plan h3')].map(h => ({
        practice: h.querySelector('a').textContent.trim(),
        name: (() => { const a = h.querySelector('a.log-visit');
                       return a && (a.getAttribute('aria-label') || a.textContent).replace(/\\s+/g, ' ').trim(); })()}))""")
    assert len(plan) >= 3 and all(p["name"] for p in plan), plan
    for p in plan:
        assert p["name"].startswith("Log a visit") and p["practice"] in p["name"], p
    names = {}
    for link in links:
        assert link["shown"] == "Log a visit", link
        names.setdefault(link["name"], set()).add(link["href"])
    assert all(len(hrefs) == 1 for hrefs in names.values()), names


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_a_sortable_columns_arrow_can_be_seen(new_page, server, types, width):
    """The arrow that says a column sorts (↕) was #94a3b8 on the header's band (2.3:1), under
    the 3:1 WCAG 1.4.11 asks of a symbol that carries meaning: at 200 % a low-vision user
    saw no sign that the columns sort. Unsorted or sorted, it is at least 3:1."""
    from test_browser_layout import _contrast

    page, _rec = new_page(viewport=VIEWPORTS[width])
    faint, seen = [], 0
    for name in ("physicians", "practices", "team", "referrals", "prospects"):
        page.goto(f"{server}/{types[name]}", wait_until="load")
        buttons = page.locator("th[data-sort] > button.sort")
        if buttons.count():
            buttons.first.click()  # one sorted column too
        found = page.evaluate(
            """bg => [...document.querySelectorAll('th[data-sort] > button.sort')]
                .filter(b => b.getClientRects().length)
                .map(b => ({col: b.textContent.trim(), arrow: getComputedStyle(b, '::after').color,
                            back: eval(bg)(b)}))""", _BACKGROUND_JS)
        seen += len(found)
        faint += [f"{name}: {f['col']} {f['arrow']} on {f['back']} ({_contrast(f['arrow'], f['back']):.2f})"
                  for f in found if _contrast(f["arrow"], f["back"]) < 3]
    assert seen >= 20, seen
    assert not faint, "sort arrows under 3:1:\n" + "\n".join(faint)


def test_a_slides_pictures_keep_their_white_under_a_contrast_theme(new_page, server, types):
    """A slide is white and its pictures are drawn for it: under a Windows contrast theme
    (forced colours, dark) the slide turned black behind them and the logo's dark lettering
    (a PNG with a transparent background) was all but invisible. A slide's pictures keep a
    white ground behind them."""
    page, _rec = new_page(viewport=DESKTOP, forced_colors="active", color_scheme="dark")
    page.goto(f"{server}/{types['deck']}", wait_until="load")
    grounds = []
    for i in range(page.locator(".slide").count()):
        page.goto(f"{server}/{types['deck']}#{i + 1}", wait_until="load")
        grounds += page.evaluate(
            """bg => [...document.querySelectorAll('.slide.current img')]
                .filter(i => i.getClientRects().length)
                .map(i => i.getAttribute('src') + ': ' + eval(bg)(i))""", _BACKGROUND_JS)
    assert any("logo" in g for g in grounds), grounds
    assert all(g.endswith("rgb(255, 255, 255)") for g in grounds), grounds


@pytest.mark.parametrize("name", ["physicians", "practices"])
def test_the_keyboard_going_back_up_a_table_is_not_hidden_by_its_headers(new_page, server, types, name):
    """A directory's column headers stay at the top of its scrolling frame: going back up with
    Shift+Tab, the frame scrolled each link just to its top edge, under the headers, and the
    keyboard went out of sight (WCAG 2.4.11) on 24 stops of the physicians' directory. What
    takes the focus is never covered by something else on the page."""
    page, _rec = new_page(viewport=DESKTOP)
    page.goto(f"{server}/{types[name]}", wait_until="load")
    last = page.locator(".table-wrap.sticky tbody a").last
    last.focus()
    covered, inside = [], 0
    for _ in range(120):
        page.keyboard.press("Shift+Tab")
        got = page.evaluate("""() => { const e = document.activeElement;
            if (!e.closest('.table-wrap.sticky tbody')) return null;
            const r = e.getBoundingClientRect();
            const top = document.elementFromPoint(r.left + Math.min(r.width / 2, 10), r.top + r.height / 2);
            return {text: e.textContent.trim(), over: top && !e.contains(top) && !top.contains(e)
                    ? top.tagName + ' ' + top.textContent.trim().slice(0, 20) : null}; }""")
        if got is None:
            break
        inside += 1
        if got["over"]:
            covered.append(f"{got['text']!r} under {got['over']!r}")
    assert inside >= 8, inside
    assert not covered, f"{name}: the focus went under:\n" + "\n".join(covered)


def test_a_badge_keeps_its_outline_under_a_contrast_theme(new_page, server, types):
    """A status badge (active, declining · 1 vs 6 · 90 d, visit overdue, tier A) is a coloured
    pill: a Windows contrast theme drops the fill, and a brief's row of badges read as one run
    of words, "active declining · 1 vs 6 · 90 d visit overdue tier A". Under forced colours
    each badge is outlined."""
    page, _rec = new_page(viewport=DESKTOP, forced_colors="active", color_scheme="dark")
    bare, seen = [], 0
    for name in ("physician", "physicians", "dashboard"):
        page.goto(f"{server}/{types[name]}", wait_until="load")
        found = page.evaluate("""() => [...document.querySelectorAll('.badge')]
            .filter(b => b.getClientRects().length && b.textContent.trim())
            .map(b => { const s = getComputedStyle(b);
                return {text: b.textContent.trim(), style: s.borderTopStyle, width: parseFloat(s.borderTopWidth),
                        colour: s.borderTopColor, text_colour: s.color}; })""")
        seen += len(found)
        bare += [f"{name}: {b['text']!r} ({b['style']} {b['width']} px)" for b in found
                 if b["style"] in ("none", "hidden") or b["width"] < 1 or b["colour"] == "rgba(0, 0, 0, 0)"]
    assert seen > 30, seen
    assert not bare, "badges with no outline under forced colours:\n" + "\n".join(bare[:15])


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_the_headers_tab_order_is_the_order_it_is_seen_in(new_page, server, types, width):
    """The header's search box sits at the right end of the brand's row, the navigation on a
    row of its own under them; the box came last in the page's order, so the keyboard went
    from the brand down through every section's link and then back up to the box. Tab never
    goes back up a row in the header: the box is the stop after the brand."""
    page, _rec = new_page(viewport=VIEWPORTS[width])
    for name in ("dashboard", "physician", "referrals"):
        page.goto(f"{server}/{types[name]}", wait_until="load")
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        stops = []
        for _ in range(40):
            page.keyboard.press("Tab")
            got = page.evaluate(
                """() => { const e = document.activeElement;
                     if (!e || !e.closest('header.topbar')) return null;
                     const r = e.getBoundingClientRect();
                     return {what: e.id || e.textContent.trim().slice(0, 20), top: r.top, middle: r.top + r.height / 2}; }""")
            if got is None:
                if stops:
                    break
                continue  # the skip link, before the header
            stops.append(got)
        assert [s["what"] for s in stops][1] == "topsearch-q", (name, width, stops)
        for before, after in zip(stops, stops[1:]):
            assert after["middle"] >= before["top"], (name, width, before, after)



def test_a_bar_charts_figures_are_a_table_a_screen_reader_reaches(new_page, server, types):
    """A bar chart is an image whose name sums it up (total, highest, latest): the month by
    month figures a sighted reader sees in its bars (a physician's referrals falling after the
    last visit) were only in each bar's tooltip, out of a screen reader's reach inside the
    image. Each bar chart is followed by a table of its figures, out of sight, in the
    accessibility tree: a row for every month, with the count each bar's tooltip gives."""
    page, _rec = new_page(viewport=DESKTOP)
    checked = 0
    for path in _chart_pages(types):
        page.goto(f"{server}/{path}", wait_until="load")
        charts = page.locator(".chart:has(svg.chart-bar)")
        assert charts.count(), path
        for k in range(charts.count()):
            chart = charts.nth(k)
            got = chart.evaluate(
                """c => { const t = c.querySelector('table'); if (!t) return null;
                     const box = t.closest('.chart-figures') || t;
                     const r = box.getBoundingClientRect();
                     return {w: r.width, h: r.height, caption: t.caption ? t.caption.textContent : '',
                             name: c.querySelector('svg').getAttribute('aria-label'),
                             bars: [...c.querySelectorAll('svg .chart-series-1 > title, svg rect > title')]
                                     .map(x => x.textContent),
                             rows: [...t.tBodies[0].rows].map(tr => [...tr.cells].map(td => td.textContent.trim()))}; }""")
            assert got is not None, f"{path}: a bar chart with no table of its figures"
            assert got["w"] <= 1 and got["h"] <= 1, f"{path}: the figures' table shows ({got})"
            assert got["caption"].startswith(got["name"]), (path, got["caption"])
            assert len(got["rows"]) == 24, (path, got["rows"])
            table = {row[0]: row[1] for row in got["rows"]}
            tips = [t.split(": ", 1) for t in got["bars"] if ": " in t]
            assert tips, path
            for month, text in tips:
                assert table.get(month) == text.split(" ")[0], (path, month, text, table)
            checked += 1
            snapshot = chart.aria_snapshot()
            assert "- table" in snapshot and "- rowheader" in snapshot, (path, snapshot[:400])
    assert checked >= 3


def _with_default_font_size(page, px: int) -> None:
    """The browser's default font size (Chromium's Settings, Appearance, Font size: "Very
    large" is 24 px), as a reader who wants larger text sets it."""
    page.context.new_cdp_session(page).send(
        "Page.setFontSizes", {"fontSizes": {"standard": px, "fixed": px - 3}})


def test_the_text_grows_with_the_browsers_default_font_size(new_page, server, types):
    """A reader who set a larger default font size (24 px) got headings, badges and buttons
    larger but the body text still 15 px (style.css set it in px): a badge's text came out
    larger than the sentence around it. The body text grows in proportion, and no page
    scrolls sideways for it (the log form's 46rem column had left the record beside it
    no room: 1,405 px on a 1,280 px window)."""
    sizes = {}
    for px in (16, 24):
        page, _rec = new_page(viewport={"width": 1280, "height": 900})
        _with_default_font_size(page, px)
        for name, path in types.items():
            if name == "deck":  # a slide is a stage of fixed size, scaled to the window
                continue
            page.goto(f"{server}/{path}", wait_until="load")
            sizes[name, px] = page.evaluate("""() => ({body: parseFloat(getComputedStyle(document.body).fontSize),
                wide: document.documentElement.scrollWidth - document.documentElement.clientWidth})""")
    names = sorted({n for n, _px in sizes})
    assert len(names) >= 15, names
    fixed = [f"{n}: {sizes[n, 16]['body']} px, then {sizes[n, 24]['body']} px" for n in names
             if abs(sizes[n, 24]["body"] / sizes[n, 16]["body"] - 1.5) > .01]
    assert not fixed, "body text that kept its size under a 24 px default:\n" + "\n".join(fixed)
    wide = [f"{n}: {sizes[n, 24]['wide']} px" for n in names if sizes[n, 24]["wide"] > 0]
    assert not wide, "pages wider than the window under a 24 px default:\n" + "\n".join(wide)


def test_a_decks_buttons_keep_their_outline_under_a_contrast_theme(new_page, server, types):
    """The deck viewer's buttons (‹ and ›, Presenter view, Keys; the keys list's Close; the
    presenter's Pause, Restart, A− and A+) are pale pills with no border: a Windows contrast
    theme drops the fill, and "Presenter view Keys" read as words on the bar, beside the links
    ("Download .pptx", "All decks"), which keep their outline. Under forced colours each
    button is outlined."""
    page, _rec = new_page(viewport=DESKTOP, forced_colors="active", color_scheme="dark")
    bare, seen = [], 0
    for query in ("", "?presenter"):
        page.goto(f"{server}/{types['deck']}{query}", wait_until="load")
        page.locator("[data-help]").click()  # the keys list's Close button shown too
        found = page.evaluate("""() => [...document.querySelectorAll('button')]
            .filter(b => b.getClientRects().length)
            .map(b => { const s = getComputedStyle(b);
                return {text: b.textContent.trim(), style: s.borderTopStyle, width: parseFloat(s.borderTopWidth),
                        colour: s.borderTopColor}; })""")
        seen += len(found)
        bare += [f"{query or 'audience'}: {b['text']!r} ({b['style']} {b['width']} px)" for b in found
                 if b["style"] in ("none", "hidden") or b["width"] < 1 or b["colour"] == "rgba(0, 0, 0, 0)"]
    assert seen >= 10, seen
    assert not bare, "deck buttons with no outline under forced colours:\n" + "\n".join(bare)


def test_a_date_fields_calendar_button_shows_under_a_dark_contrast_theme(new_page, server, types):
    """The log form's date fields (Date, Next visit planned, a follow-up's due date) end with
    the browser's calendar button. Under a dark Windows contrast theme Chromium drew its icon
    dark on the theme's black, invisible (the page declares no colour scheme, so the control
    took the light one's icon). Some pixel of the field's right end stands out from the
    field's ground at 3:1 at least (WCAG 1.4.11)."""
    import io

    from PIL import Image
    from test_browser_layout import _contrast

    page, _rec = new_page(viewport=DESKTOP, forced_colors="active", color_scheme="dark")
    page.goto(f"{server}/{types['log']}", wait_until="load")
    page.locator("#log-date").wait_for(state="visible")
    faint = []
    for sel in ("#log-date", "#log-next"):
        field = page.locator(sel)
        field.scroll_into_view_if_needed()
        box = field.bounding_box()
        shot = page.screenshot(clip={"x": box["x"] + box["width"] - 40, "y": box["y"] + 4,
                                     "width": 32, "height": box["height"] - 8})
        image = Image.open(io.BytesIO(shot)).convert("RGB")
        pixels = [image.getpixel((x, y)) for x in range(image.width) for y in range(image.height)]
        ground = max(set(pixels), key=pixels.count)  # the field's ground: its commonest colour
        best = max(_contrast(f"rgb{p}", f"rgb{ground}") for p in pixels)
        if best < 3:
            faint.append(f"{sel}: its right end at most {best:.2f}:1 against {ground}")
    assert not faint, "calendar buttons that cannot be seen:\n" + "\n".join(faint)


# ------------------------------------------------------------------ dark mode, forced colours

# Every text of a page against the ground it is drawn on (semi-transparent grounds laid over
# what is under them), every chart's and meter's marks, and the focus ring of one element of
# each kind: {text: [...], mark: [...], ring: [...]}, each {what, fg, bg} in rgb().
_LOOK_JS = """() => {
  const rgb = c => { const m = c.match(/[\\d.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
  const css = c => `rgb(${c.slice(0, 3).map(Math.round).join(', ')})`;
  const over = (top, under) => [0, 1, 2].map(i => top[i] * top[3] + under[i] * (1 - top[3])).concat([1]);
  const probe = document.createElement('div'); probe.style.background = 'Canvas'; document.body.append(probe);
  const canvas = rgb(getComputedStyle(probe).backgroundColor); probe.remove();
  const ground = e => { const layers = [];
    for (let p = e; p; p = p.parentElement) { const c = rgb(getComputedStyle(p).backgroundColor);
      if (c[3] > 0) { layers.push(c); if (c[3] === 1) break; } }
    let col = layers.length && layers[layers.length - 1][3] === 1 ? layers.pop() : canvas;
    while (layers.length) col = over(layers.pop(), col);
    return col; };
  const shown = e => { const r = e.getBoundingClientRect(), s = getComputedStyle(e);
    return r.width > 1 && r.height > 1 && s.visibility !== 'hidden' && s.opacity !== '0'; };
  const name = e => (e.tagName.toLowerCase() + ' ' + (e.textContent || '').trim().slice(0, 30)).replace(/\\s+/g, ' ');
  const out = {text: [], mark: [], ring: []};
  for (const e of document.querySelectorAll('body *')) {
    if (e.closest('svg, script, noscript') || !shown(e)) continue;
    if (![...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
    const bg = ground(e);
    out.text.push({what: name(e), fg: css(over(rgb(getComputedStyle(e).color), bg)), bg: css(bg)});
  }
  for (const t of document.querySelectorAll('svg text')) {
    const svg = t.closest('svg');
    if (!t.textContent.trim() || !t.getClientRects().length || !shown(svg)) continue;
    out.text.push({what: 'chart ' + name(t), fg: css(rgb(getComputedStyle(t).fill)), bg: css(ground(svg.parentElement))});
  }
  for (const m of document.querySelectorAll('svg.chart :is(.chart-bar, .chart-dot, .chart-marker, polyline.chart-line), svg.meter .meter-fill')) {
    const svg = m.closest('svg');
    if (!m.getClientRects().length || !shown(svg) || m.matches('.chart-partial')) continue;
    const s = getComputedStyle(m);
    out.mark.push({what: 'mark ' + m.getAttribute('class'), fg: css(rgb(s.fill !== 'none' ? s.fill : s.stroke)),
                   bg: css(ground(svg.parentElement))});
  }
  const kinds = new Set();
  for (const f of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')) {
    const kind = f.tagName + f.className + !!f.closest('.topbar');
    if (kinds.has(kind) || !shown(f)) continue;
    kinds.add(kind);
    f.focus({focusVisible: true});
    if (document.activeElement !== f) continue;
    const s = getComputedStyle(f), bg = ground(parseFloat(s.outlineOffset) < 0 ? f : f.parentElement);
    out.ring.push({what: 'ring ' + name(f), bg: css(bg),
                   fg: s.outlineStyle === 'none' ? css(bg) : css(over(rgb(s.outlineColor), bg))});
    f.blur();
  }
  return out;
}"""
_NEEDS = {"text": 4.5, "mark": 3, "ring": 3}


def _look(page) -> dict[str, list[dict]]:
    from test_browser_layout import _contrast

    found = page.evaluate(_LOOK_JS)
    for items in found.values():
        for item in items:
            item["ratio"] = _contrast(item["fg"], item["bg"])
    return found


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_every_page_kind_reads_in_dark_mode(new_page, server, site, types, width):
    """A liaison reads a brief in a car park at night on a phone set to dark: the site had no
    dark scheme, and every page was a white glare. In dark mode (prefers-color-scheme) every
    page kind but the deck viewer (dark already, its slides as they are projected) is dark, and
    on each one every text and badge reads at 4.5:1 at least on what is behind it, every
    chart's or meter's mark at 3:1, and the focus ring of each kind of control at 3:1."""
    page, rec = new_page(viewport=VIEWPORTS[width], color_scheme="dark")
    low, lowest, seen = [], {}, 0
    for name, path in types.items():
        page.goto(f"{server}/{path}", wait_until="load")
        if name != "deck":
            ground = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
            from test_browser_layout import _contrast
            assert _contrast(ground, "rgb(0, 0, 0)") < 1.5, f"{name}: the page is not dark: {ground}"
        found = _look(page)
        for kind, items in found.items():
            seen += len(items)
            low += [f"{name}: {kind} {i['ratio']:.2f} {i['what']!r} {i['fg']} on {i['bg']}"
                    for i in items if i["ratio"] < _NEEDS[kind]]
        lowest[name] = min(i["ratio"] for i in found["text"])
    assert seen > 2000, seen
    assert len(lowest) >= 18 and not [n for n, r in lowest.items() if r < 4.5], lowest
    assert not low, "under their contrast in dark mode:\n" + "\n".join(low[:25])
    assert rec.console_errors == [], rec.console_errors
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{server}/{types['physician']}", wait_until="load")
    page.screenshot(path=str(SHOTS / f"dark-physician-{width}.png"))


def test_a_page_printed_from_dark_mode_is_light(new_page, server, types):
    """Paper stays light: a brief printed from a phone in dark mode is dark text on white."""
    page, _rec = new_page(viewport=DESKTOP, color_scheme="dark")
    page.goto(f"{server}/{types['physician']}", wait_until="load")
    screen = page.evaluate("() => getComputedStyle(document.body).color")
    page.emulate_media(media="print", color_scheme="dark")
    look = page.evaluate("""() => ({body: getComputedStyle(document.body).backgroundColor,
        text: getComputedStyle(document.body).color,
        card: getComputedStyle(document.querySelector('.card')).backgroundColor})""")
    assert screen != look["text"]
    assert look == {"body": "rgb(255, 255, 255)", "text": "rgb(15, 23, 42)",
                    "card": "rgb(255, 255, 255)"}, look


def _meter_mark_faint(page) -> list[str]:
    """The compliance meters whose near-the-limit mark does not stand out, in the pixels drawn,
    at 3:1 from the fill or the track beside it: under forced colours the mark, in the theme's
    text colour, crossed the highlight-coloured fill at 2.4:1. One meter whose fill reaches
    past the mark and one whose fill stops short of it, each looked at along its middle row."""
    import io

    from PIL import Image
    from test_browser_layout import _contrast

    meters = page.evaluate("""() => [...document.querySelectorAll('svg.meter')].map((m, i) => {
        const fill = +m.querySelector('.meter-fill').getAttribute('width');
        const mark = +m.querySelector('.meter-mark').getAttribute('x1');
        return [i, fill, mark, m.viewBox.baseVal.width]; })""")
    past = next((m for m in meters if m[1] > m[2] + 5), None)
    short = next((m for m in meters if m[1] < m[2] - 5), None)
    assert past is not None and short is not None, meters
    faint = []
    for what, (i, fill, mark, width) in (("over the fill", past), ("on the track", short)):
        meter = page.locator("svg.meter").nth(i)
        meter.scroll_into_view_if_needed()
        box = meter.bounding_box()
        x = box["x"] + box["width"] * mark / width
        shot = page.screenshot(clip={"x": x - 8, "y": box["y"] + box["height"] / 2 - 1,
                                     "width": 16, "height": 2})
        image = Image.open(io.BytesIO(shot)).convert("RGB")
        row = [image.getpixel((px, 0)) for px in range(image.width)]
        beside = row[0]  # the fill or the track, 8 px before the mark
        best = max(_contrast(f"rgb{p}", f"rgb{beside}") for p in row)
        if best < 3:
            faint.append(f"compliance: the meter's mark {what} at most {best:.2f}:1 against {beside}")
    return faint


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_chart_marks_and_meters_take_a_contrast_themes_colours(new_page, server, site, types,
                                                              scheme):
    """Under a Windows contrast theme (forced colours) an SVG keeps its own fills: the charts'
    teal bars were 3.8:1 on the theme's black (on the pages and on a deck's slide), the
    compliance meters a glaring pale track with a green or amber fill. Every bar, dot, line
    and meter fill takes one of the theme's colours (its text colour, or its highlight for the
    second series), at 4.5:1 at least on the page; a meter is outlined in the text colour;
    focus rings stay visible."""
    page, _rec = new_page(viewport=DESKTOP, forced_colors="active", color_scheme=scheme)
    page.goto(f"{server}/index.html", wait_until="load")
    system = page.evaluate("""() => Object.fromEntries(['CanvasText', 'Highlight'].map(c => {
        const d = document.createElement('div'); d.style.color = c; document.body.append(d);
        const v = getComputedStyle(d).color; d.remove(); return [c, v]; }))""")
    theirs = {re.sub(r"rgba?\(([^,]+), ([^,]+), ([^,)]+).*", r"rgb(\1, \2, \3)", v)
              for v in system.values()}
    low, foreign, seen = [], [], 0
    deck = _first(site, "presentations/*/*/index.html")  # a practice's deck: a chart on a slide
    for name in ("dashboard", "physician", "referrals", "compliance", "deck"):
        page.goto(f"{server}/{types[name] if name != 'deck' else deck}", wait_until="load")
        if name == "deck":
            slide = page.evaluate("() => document.querySelector('svg.chart').closest('.slide').id")
            page.goto(f"{server}/{deck}#{slide.removeprefix('slide-')}", wait_until="load")
        found = _look(page)
        seen += len(found["mark"])
        for m in found["mark"]:
            if m["ratio"] < 4.5:
                low.append(f"{name}: {m['what']} {m['fg']} on {m['bg']} ({m['ratio']:.2f})")
        raw = page.evaluate("""() => [...document.querySelectorAll(
                'svg.chart :is(.chart-bar, .chart-dot, .chart-marker, polyline.chart-line), svg.meter .meter-fill')]
            .filter(m => m.getClientRects().length).map(m => { const s = getComputedStyle(m);
                return [m.getAttribute('class'), s.fill !== 'none' ? s.fill : s.stroke]; })""")
        foreign += [f"{name}: {cls} {paint}" for cls, paint in raw
                    if re.sub(r"rgba?\(([^,]+), ([^,]+), ([^,)]+).*", r"rgb(\1, \2, \3)", paint) not in theirs]
        low += [f"{name}: {r['what']} ({r['ratio']:.2f})" for r in found["ring"] if r["ratio"] < 3]
        if name == "compliance":
            outline = page.locator("svg.meter").first.evaluate(
                "e => [getComputedStyle(e).borderTopStyle, getComputedStyle(e).borderTopColor]")
            assert outline[0] == "solid" and outline[1] in theirs, outline
            low += _meter_mark_faint(page)
    assert seen > 150, seen
    assert not foreign, "marks in colours of their own under forced colours:\n" + "\n".join(foreign[:15])
    assert not low, "faint under forced colours:\n" + "\n".join(low[:15])
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"forced-{scheme}-compliance.png"))
