"""Measure the field-logging form (log/) of a built site: the size of its data file and the
time to a usable form on a phone-class browser.

    python bench/log.py SITE [--runs 5] [--throttle 4]

SITE is a built site (`python build.py build --out SITE …`) whose site.yaml sets
`repository`. The site is served on 127.0.0.1; Debian's Chromium (/usr/bin/chromium, driven by
Playwright) opens log/index.html at 390x844 with the CPU slowed down by Chrome DevTools'
`Emulation.setCPUThrottlingRate` (4: a mid-range phone against this machine) and reports, as
the median of the runs:

- ready: from the start of navigation to the form filled in and usable (log.js's
  `performance.mark("log-ready")`: data.js parsed, selects filled, a URL's choices applied);
- find: typing a physician's name into the practice box the first time (the search keys of
  every practice and physician are made then) and a second time;
- pick: tapping a practice in the list (its physicians and staff drawn, the YAML written).

Needs Playwright for Python and Liaison itself (to read the data file); nothing is fetched
from the network.
"""
from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import statistics
import threading
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass


def measure(site: Path, runs: int, throttle: float) -> dict:
    from playwright.sync_api import sync_playwright

    from liaison.pages.log import read_data_js

    data = (site / "log" / "data.js").read_bytes()
    payload = read_data_js(data)
    name = payload["physicians"][len(payload["physicians"]) // 2][1]
    result = {"data_js_bytes": len(data), "data_js_gzip_bytes": len(gzip.compress(data, 6)),
              "page_bytes": (site / "log" / "index.html").stat().st_size,
              "practices": len(payload["practices"]), "physicians": len(payload["physicians"]),
              "team": len(payload["team"]), "throttle": throttle}
    handler = functools.partial(_Quiet, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{httpd.server_address[1]}"
    ready, find1, find2, pick = [], [], [], []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for _ in range(runs):
                ctx = browser.new_context(viewport={"width": 390, "height": 844},
                                          is_mobile=True, has_touch=True)
                page = ctx.new_page()
                cdp = ctx.new_cdp_session(page)
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
                page.goto(f"{origin}/log/index.html", wait_until="load")
                page.wait_for_selector("html[data-log-ready]")
                ready.append(page.evaluate(
                    "performance.getEntriesByName('log-ready')[0].startTime"))
                timing = """q => { const box = document.getElementById('log-practice-find');
                    const t = performance.now(); box.value = q;
                    box.dispatchEvent(new Event('input')); return performance.now() - t; }"""
                find1.append(page.evaluate(timing, name))
                find2.append(page.evaluate(timing, name.split()[-1][:4]))
                pick.append(page.evaluate("""() => { const b = document.querySelector('#log-practice-list button');
                    const t = performance.now(); b.click(); return performance.now() - t; }"""))
                ctx.close()
            browser.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
    for key, values in (("ready_ms", ready), ("first_find_ms", find1),
                        ("second_find_ms", find2), ("pick_ms", pick)):
        result[key] = round(statistics.median(values), 1)
        result[key.replace("_ms", "_max_ms")] = round(max(values), 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--throttle", type=float, default=4.0)
    ns = parser.parse_args()
    print(json.dumps(measure(ns.site, ns.runs, ns.throttle), indent=2))


if __name__ == "__main__":
    main()
