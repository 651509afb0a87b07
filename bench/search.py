"""Time the site-wide search of a built site in Chromium under a phone-class CPU profile.

    python bench/search.py SITE_DIR [--rate 4] [--runs 5] [--file]

SITE_DIR is a built site (``python build.py build --root ROOT --as-of … --out SITE_DIR``; for
10,000 physicians, ROOT from ``python bench/generate.py ROOT --physicians 10000``). The site
is served on 127.0.0.1 (``--file``: opened from disk instead) and ``search/index.html`` opened
in /usr/bin/chromium driven by Playwright, with the CPU slowed down ``--rate`` times by the
DevTools protocol (``Emulation.setCPUThrottlingRate``; 4 is DevTools' "low-end mobile").

Reported, per run and as the median of the runs:
  * ready: from the start of the navigation to the index ready to answer (HTML, CSS, scripts,
    search/index.js read and parsed, the index set up, the empty query answered);
  * setup: of which the index's set-up in search.js;
  * keystrokes: each query typed one character at a time (the box's value grows by one
    character and an input event is dispatched, as typing does), the time from the event to
    the results in the page and laid out; the slowest keystroke of each query and of all.
The queries come from the index itself (a physician's name, a typo of it, reversed with a
title, a city with "tier a", a specialty, two letters), so any generated site will do.

Needs Playwright for Python and /usr/bin/chromium (never ``playwright install``).
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# In the page: the queries, from the index's own entries.
QUERIES_JS = """() => {
  const ix = window.liaisonSearch.index;
  const pick = (kind, n) => { let seen = 0;
    for (let e = 0; e < ix.size; e++) if (ix.kind[e] === kind && seen++ === n) return e;
    return -1; };
  const doc = pick('0', Math.floor(ix.size / 4));
  const name = ix.line('names', doc);
  const last = name.split(' ').slice(-1)[0];
  const typo = last.slice(0, 2) + last.slice(3);
  const city = (ix.describe(pick('1', 7)).context.split(',')[0] || 'green').toLowerCase();
  return [name.toLowerCase(), typo.toLowerCase(),
          ('dr. ' + last + ' ' + name.split(' ')[0]).toLowerCase(),
          city + ' tier a', 'family medicine', 'ma'];
}"""

# In the page: type one query a character at a time; the milliseconds of each keystroke.
TYPE_JS = """(query) => {
  const box = document.getElementById('search-q');
  const list = document.getElementById('search-results');
  box.value = ''; box.dispatchEvent(new Event('input'));
  const times = [];
  for (let i = 1; i <= query.length; i++) {
    box.value = query.slice(0, i);
    const t = performance.now();
    box.dispatchEvent(new Event('input'));
    void list.offsetHeight;  // the results laid out
    times.push(performance.now() - t);
  }
  return {times, status: document.getElementById('search-status').textContent};
}"""


def serve(site: Path) -> tuple[subprocess.Popen, str]:
    """``python -m http.server`` on a free port, in a process of its own (a server thread in
    this process would share its interpreter with Playwright's and slow the responses)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind",
                             "127.0.0.1", "--directory", str(site)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    return proc, f"http://127.0.0.1:{port}"


def one_run(browser, url: str, rate: float) -> dict:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        cdp = context.new_cdp_session(page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": rate})
        page.goto(url)
        page.wait_for_selector("html[data-search-ready]", state="attached", timeout=60_000)
        ready = page.evaluate("window.liaisonSearch.readyMs")
        setup = page.evaluate("window.liaisonSearch.loadMs")
        scripts = page.evaluate("window.liaisonSearch.scriptMs")
        # when index.js was asked for and received (no resource timing from disk: 0)
        requested, arrived = page.evaluate("""() => {
            const e = performance.getEntriesByType('resource')
              .filter(e => e.name.endsWith('/search/index.js'))[0];
            return e ? [e.startTime, e.responseEnd] : [0, 0]; }""")
        queries = page.evaluate(QUERIES_JS)
        typed = {q: page.evaluate(TYPE_JS, q) for q in queries}
        if errors:
            raise SystemExit(f"errors in the page: {errors}")
        return {"ready": ready, "setup": setup, "requested": requested, "arrived": arrived,
                "scripts": scripts, "typed": typed}
    finally:
        context.close()


def cpu_run(browser, url: str, queries: list[str], trace: Path) -> dict:
    """One navigation and the queries typed, traced: the processor time the page's main thread
    spent (unthrottled: the trace's thread times), from the navigation to the index ready, and
    in each keystroke's input event (search and results) with the layout that follows it. A
    shared machine's load lengthens wall times, not these."""
    import json

    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        browser.start_tracing(page=page, path=str(trace), categories=[
            "devtools.timeline", "disabled-by-default-devtools.timeline", "blink.user_timing"])
        page.goto(url)
        page.wait_for_selector("html[data-search-ready]", state="attached", timeout=60_000)
        for q in queries:
            page.evaluate(TYPE_JS, q)
        browser.stop_tracing()
    finally:
        context.close()
    events = json.loads(trace.read_text())["traceEvents"]
    main = next((e["pid"], e["tid"]) for e in events if e.get("name") == "EvaluateScript"
                and str(e.get("args", {}).get("data", {}).get("url", "")).endswith("/search/index.js"))
    mine = [e for e in events if (e.get("pid"), e.get("tid")) == main]
    start = min(e["ts"] for e in mine if e.get("name") == "navigationStart")
    ready = min(e["ts"] for e in mine if e.get("name") == "search-ready")
    tasks = [e for e in mine if e.get("name") == "RunTask" and e.get("ph") == "X"]  # top-level tasks
    load_cpu = sum(e.get("tdur", 0) for e in tasks if start <= e["ts"] <= ready) / 1000
    keys = []
    timeline = sorted((e for e in mine if e.get("ph") == "X"), key=lambda e: e["ts"])
    for i, e in enumerate(timeline):
        if e.get("name") == "EventDispatch" and e.get("args", {}).get("data", {}).get("type") == "input":
            cpu = e.get("tdur", 0)
            after = timeline[i + 1] if i + 1 < len(timeline) else None
            if after is not None and after.get("name") == "Layout" and after["ts"] >= e["ts"] + e["dur"]:
                cpu += after.get("tdur", 0)
            keys.append(cpu / 1000)
    return {"load": load_cpu, "keys": keys}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("site", type=Path)
    ap.add_argument("--rate", type=float, default=4.0, help="CPU slowdown (default 4)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--file", action="store_true", help="open the site from disk (file://)")
    ap.add_argument("--cpu", action="store_true",
                    help="also trace one run: the main thread's processor time, unthrottled")
    args = ap.parse_args(argv)
    site = args.site.resolve()
    index = site / "search" / "index.js"
    if not index.is_file():
        ap.error(f"{index} is missing: build the site first")
    from playwright.sync_api import sync_playwright

    server = None
    if args.file:
        url = (site / "search" / "index.html").as_uri()
    else:
        server, origin = serve(site)
        url = f"{origin}/search/index.html"
    print(f"{url}: search/index.js {index.stat().st_size / 1e6:.2f} MB; CPU slowed "
          f"{args.rate:g}x; {args.runs} runs")
    runs = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            for i in range(args.runs):
                r = one_run(browser, url, args.rate)
                runs.append(r)
                worst = max(max(t["times"]) for t in r["typed"].values())
                print(f"run {i + 1}: ready {r['ready']:.0f} ms (index.js asked for at "
                      f"{r['requested']:.0f} ms, received at {r['arrived']:.0f} ms, parsed and "
                      f"run by {r['scripts']:.0f} ms, set up in {r['setup']:.0f} ms); slowest "
                      f"keystroke {worst:.1f} ms")
            if args.cpu:
                import tempfile

                with tempfile.TemporaryDirectory() as tmp:
                    c = cpu_run(browser, url, list(runs[0]["typed"]), Path(tmp) / "trace.json")
                keys = sorted(c["keys"])
                print(f"processor time of the page's main thread (traced, not throttled; x{args.rate:g} "
                      f"estimates the slowed CPU): navigation to ready {c['load']:.0f} ms "
                      f"(x{args.rate:g}: {c['load'] * args.rate:.0f} ms); keystrokes: median "
                      f"{statistics.median(keys):.1f} ms, slowest {keys[-1]:.1f} ms "
                      f"(x{args.rate:g}: {statistics.median(keys) * args.rate:.0f} and "
                      f"{keys[-1] * args.rate:.0f} ms) over {len(keys)} keystrokes")
        finally:
            browser.close()
    if server is not None:
        server.terminate()
        server.wait()
    ready = [r["ready"] for r in runs]
    parse = [r["scripts"] - r["arrived"] for r in runs]
    own = [r["ready"] - r["requested"] for r in runs]
    print(f"ready: median {statistics.median(ready):.0f} ms, fastest {min(ready):.0f} ms; from "
          f"index.js asked for to ready (the index's own cost, without the page's start): median "
          f"{statistics.median(own):.0f} ms, fastest {min(own):.0f} ms; from "
          f"index.js received to ready: median "
          f"{statistics.median(r['ready'] - r['arrived'] for r in runs):.0f} ms (parse and run "
          f"{statistics.median(parse):.0f} ms, set-up "
          f"{statistics.median(r['setup'] for r in runs):.0f} ms); load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for q in runs[0]["typed"]:
        all_times = [t for r in runs for t in r["typed"][q]["times"]]
        print(f"  {q!r:32} keystrokes: median {statistics.median(all_times):5.1f} ms, "
              f"slowest {max(all_times):5.1f} ms  ({runs[0]['typed'][q]['status'][:60]})")
    every = [t for r in runs for q in r["typed"] for t in r["typed"][q]["times"]]
    print(f"every keystroke: median {statistics.median(every):.1f} ms, "
          f"95th percentile {statistics.quantiles(every, n=20)[-1]:.1f} ms, slowest {max(every):.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
