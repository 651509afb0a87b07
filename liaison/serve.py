"""Dev server: the site in memory (liaison.live), served on 127.0.0.1; the site root is
watched, and on every change only the changed files are read again and the open browser tabs
reload. Pages are rendered when the browser asks for them; nothing is written to disk.

A data error does not stop the server: until it is fixed, every page shows the diagnostics
(answered 500: the page asked for could not be made), and every other file (stats.json, an
export, a deck's .pptx) answers them as text, not the last good site's file.
Only ``serve`` adds the reload script (``/__liaison__/reload.js``) and widens the page's
Content-Security-Policy to let it ask ``/__liaison__/version``; built sites never have either.
"""
from __future__ import annotations

import datetime as dt
import html
import http.server
import os
import signal
import sys
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import click

from liaison.buildrecord import utf8_name
from liaison.errors import LiaisonError

PREFIX = "/__liaison__/"
# The page asks for the version with the one it has seen: the server answers at once if it
# differs, else when it changes (or after WAIT seconds), so a tab reloads as soon as the
# change is in. A page says which version it was made of (the script's ``data-version``),
# so a change saved while it loads reloads it too (asked for first, the version was the
# new one already, and the tab kept the page of the old).
RELOAD_JS = b"""(function () {
  "use strict";
  var me = document.currentScript;
  var seen = me && me.dataset.version ? me.dataset.version : null;
  // The place on a page is kept through a reload, with the folds (<details>) the reader
  // opened or closed (the page came back with every fold as written, and a place inside an
  // opened one lost), the column each table was sorted by, the place in the frames that
  // scroll of their own (a directory's) and the row at the top of the screen, and across the server's own pages (the
  // diagnostics of a save with an error, "not found"): the browser would bring the page
  // back at their top.
  var own = me && me.dataset.own === "1";
  var key = "liaison-place:" + location.pathname;
  var FRAMES = ".table-wrap, .chart";  // what scrolls in a frame of its own
  var store = null;
  try { store = window.sessionStorage; } catch (e) { store = null; }
  function fold(d) {  // a fold by its summary, its counts aside ("Show the 91 physicians")
    var s = d.querySelector("summary");
    return (s ? s.textContent : "").replace(/[0-9][0-9,.]*/g, "#").replace(/\\s+/g, " ").trim();
  }
  if (store && !own) {
    var kept = null;
    try { kept = JSON.parse(store.getItem(key)); } catch (e) { kept = null; }
    store.removeItem(key);
    var nav = performance.getEntriesByType ? performance.getEntriesByType("navigation")[0] : null;
    if (kept && nav && nav.type === "reload") {
      var back = function () {
        var tables = document.querySelectorAll("table");
        (kept.sorts || []).forEach(function (t) {  // (a click sorts ascending, the next descending)
          var th = tables[t[0]] && tables[t[0]].tHead ? tables[t[0]].tHead.rows[0].cells[t[1]] : null;
          for (var n = 0; th && n < 2 && th.getAttribute("aria-sort") !== t[2]; n++) { th.click(); }
        });
        var all = document.querySelectorAll("details");
        (kept.folds || []).forEach(function (f) {
          var d = all[f[0]];
          if (d && fold(d) === f[1] && d.open !== f[2]) { d.open = f[2]; }
        });
        var frames = document.querySelectorAll(FRAMES);
        (kept.frames || []).forEach(function (f) {
          if (frames[f[0]]) { frames[f[0]].scrollTop = f[1]; frames[f[0]].scrollLeft = f[2]; }
        });
        window.scrollTo(kept.x, kept.y);
        var a = kept.anchor;  // the row at the top of the screen, back where it was
        var rows = a && tables[a[0]] && tables[a[0]].tBodies[0] ? tables[a[0]].tBodies[0].rows : null;
        var settle = function (n) {  // (again as the cards brought near the screen get laid out)
          window.scrollBy(0, rows[a[1]].getBoundingClientRect().top - a[2]);
          if (n > 0) { requestAnimationFrame(function () { settle(n - 1); }); }
        };
        if (rows && rows[a[1]]) { settle(4); }
      };
      // (after the load, and after the browser has put back the place of the page it
      // reloaded, the server's own page: the top)
      var later = function () { setTimeout(back, 0); };
      if (document.readyState === "complete") { later(); } else { window.addEventListener("load", later); }
    }
  }
  function reload() {
    if (store && !own) {
      var folds = [], sorts = [], frames = [];
      var each = function (selector, f) {
        Array.prototype.forEach.call(document.querySelectorAll(selector), f);
      };
      each("details", function (d, i) { folds.push([i, fold(d), d.open]); });
      each("table", function (t, i) {
        var th = t.tHead && t.tHead.rows[0] ? t.tHead.rows[0].querySelector("[aria-sort]") : null;
        if (th) { sorts.push([i, th.cellIndex, th.getAttribute("aria-sort")]); }
      });
      each(FRAMES, function (w, i) {
        if (w.scrollTop || w.scrollLeft) { frames.push([i, w.scrollTop, w.scrollLeft]); }
      });
      // (a phone's directory lays its cards out only near the screen: the same scrollY, the
      // cards above sized by their estimate after the reload, showed another card)
      var anchor = null;
      each("table", function (t, i) {
        var box = t.getBoundingClientRect();
        if (anchor || !t.tBodies[0] || box.bottom <= 0 || box.top >= window.innerHeight) { return; }
        var rows = t.tBodies[0].rows;
        for (var n = 0; n < rows.length; n++) {
          var r = rows[n].getBoundingClientRect();
          if (r.height > 0 && r.bottom > 0) { anchor = [i, n, r.top]; return; }
        }
      });
      try {
        store.setItem(key, JSON.stringify({x: window.scrollX, y: window.scrollY, folds: folds,
                                           sorts: sorts, frames: frames, anchor: anchor}));
      } catch (e) { /* full */ }
    }
    location.reload();
  }
  function ask(wait) {
    var url = "/__liaison__/version" + (wait ? "?wait=" + encodeURIComponent(seen) : "");
    return fetch(url, {cache: "no-store"}).then(function (r) { return r.text(); });
  }
  function tick() {
    ask(seen !== null)
      .then(function (v) {
        if (seen === null) { seen = v; setTimeout(tick, 0); }
        else if (v !== seen) { reload(); }
        else { setTimeout(tick, 0); }
      })
      .catch(function () { setTimeout(tick, 1000); });
  }
  // One tab asks and tells the others: a browser opens at most six connections to a
  // server, and six tabs each holding a request left none for a seventh page. The tab that
  // holds the lock asks (the lock passes on when it goes away) and tells every version it
  // hears, the first at once; each page first asks once, not waiting, for a save that
  // landed while it loaded.
  function lead(channel) {
    var first = true;
    (function next() {
      ask(!first).then(function (v) {
        first = false;
        channel.postMessage(v);
        if (v !== seen) { reload(); } else { setTimeout(next, 0); }
      }, function () { setTimeout(next, 1000); });
    })();
  }
  var channel = null;
  try { channel = new BroadcastChannel("liaison-version"); } catch (e) { channel = null; }
  if (channel && navigator.locks && seen !== null) {
    channel.onmessage = function (e) { if (e.data !== seen) { reload(); } };
    ask(false).then(function (v) { if (v !== seen) { reload(); } }, function () { /* down */ });
    navigator.locks.request("liaison-version", function () {
      lead(channel);
      return new Promise(function () { /* held while the page is open */ });
    });
  } else {
    tick();  // (no lock or channel here: an address not this machine's own)
  }
})();
"""
WAIT = 25.0  # seconds a version request waits for a change
SAID = 20  # errors of a refresh printed in the terminal (the browser shows them all)
SETTLE_WAIT = 0.5  # seconds the end of a refresh waits for a page to be answered first
READ_AGAIN = 3  # times a failed refresh is made again when a file it read was saved meanwhile
IGNORED_DIRS = {".git", "__pycache__", ".hypothesis", ".pytest_cache", "node_modules", ".venv"}


# Without --as-of, how often (milliseconds) the watcher, with no change to report, lets serve
# look at the date: when it moved on (midnight, UTC, or SOURCE_DATE_EPOCH's), the site is
# read again at the new date, as a build then would (before, the date was only looked up
# when a file was saved: a server left open overnight showed yesterday's site)
DATE_CHECK_MS = 30_000
MAX_PATH = 2048  # longer request paths are answered 414; no page of a site is near it


class State:
    """What the server shows: the site in memory, or the diagnostics of a refresh that found
    errors (the last good site stays in memory meanwhile). ``version`` moves with every
    refresh; requests waiting for it are woken."""

    def __init__(self, live):
        self.live = live  # liaison.live.LiveSite
        self.version = 0
        # What a page is told is the version counted from this run's start (in µs): a tab
        # left open while serve is stopped and started again must not take the new run's
        # first version for the old run's (it kept the page of before the restart).
        self.base = time.time_ns() // 1000
        self.errors: list[str] | None = None  # diagnostics of the last failed refresh
        self.changed = threading.Condition()
        self.answered = 0  # requests answered but the version's
        self.answering = threading.Condition()

    def answer(self) -> None:
        """A request answered (not the version's)."""
        with self.answering:
            self.answered += 1
            self.answering.notify_all()

    def wait_answered(self, seen: int, timeout: float) -> None:
        """Until a request is answered after the ``seen``-th (or ``timeout`` seconds)."""
        with self.answering:
            self.answering.wait_for(lambda: self.answered > seen, timeout)

    def update(self, errors: list[str] | None) -> None:
        with self.changed:
            self.errors = errors
            self.version += 1
            self.changed.notify_all()

    def tag(self, version: int) -> str:
        """The version as pages and their version requests know it."""
        return str(self.base + version)

    def wait(self, seen: str, timeout: float = WAIT) -> str:
        """The version's tag, once it is not ``seen`` (or after ``timeout`` seconds)."""
        with self.changed:
            self.changed.wait_for(lambda: self.tag(self.version) != seen, timeout)
            return self.tag(self.version)


def rebuild(state: State, log, changed: set[str] | None = None) -> None:
    """Read what changed and check the site; on errors the state keeps the diagnostics and
    the last good site stays. ``changed``: the only files changed, none added or removed."""
    try:
        done = state.live.refresh(changed, settle=False)
        for _again in range(READ_AGAIN):
            if done.ok or not done.superseded:
                break
            # a file was saved again while the refresh read: its errors may be of a save
            # already replaced (shown, the tab flashed the diagnostics before the site)
            log("saved again while it was read: reading it again")
            done = state.live.refresh(changed, settle=False)
    except Exception as exc:  # an unexpected failure must not stop the server
        state.live.settle()
        state.update([f"error: the site could not be read: {exc!r}"])
        log(f"refresh failed unexpectedly: {exc!r}")
        return
    seen = state.answered
    if not done.ok:
        state.update(done.lines)
        log(f"{done.errors} error{'s' if done.errors != 1 else ''} in the data; the browser shows them")
        for line in done.lines[:min(done.errors, SAID)]:  # (file:line:col, for the editor)
            log(line)
        if done.errors > SAID:
            log(f"... and {done.errors - SAID} more: the browser shows them all")
    else:
        state.update(None)
        log(f"ready in {done.seconds:.2f} s ({done.read:,} file{'s' if done.read != 1 else ''} "
            f"read, {done.pages:,} pages)")
    # The page the open tab reloads is answered first (at most SETTLE_WAIT seconds are
    # given to it): the collection that ends the refresh holds the interpreter 0.15-0.25 s
    # at 10,000 physicians. What a refresh replaces is freed by reference counting, and
    # handed back to the system here (the server grew 58 MB over 20 saves without, 29 MB
    # with, flat after the tenth).
    if state.version > 1:  # (at start-up no tab is open yet)
        state.wait_answered(seen, SETTLE_WAIT)
    state.live.settle()
    _trim()


def _trim() -> None:
    """Give the memory freed back to the system (glibc's malloc_trim; nothing elsewhere)."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _reload_script(version: str, own: bool = False) -> str:
    """The reload script's tag, with the version the page was made of (``own``: a page of
    the server's own, whose place is not kept)."""
    mark = ' data-own="1"' if own else ""
    return f'<script src="{PREFIX}reload.js" data-version="{version}"{mark}></script>'


def _served_page(title: str, body: str, version: str) -> bytes:
    """A page of the server's own (the diagnostics, a page not found), reloading itself."""
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width, initial-scale=1'>"
        "<meta name=robots content='noindex, nofollow'>"
        "<meta http-equiv=Content-Security-Policy content=\"default-src 'none'; "
        "script-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'\">"
        f"<title>Liaison: {title}</title>"
        "<meta name=color-scheme content='light dark'>"
        "<style>body{font:15px/1.5 system-ui,sans-serif;margin:2rem;color:#0f172a}"
        "h1{color:#b91c1c}li{margin:.3rem 0}code{white-space:pre-wrap}"
        # a dark screen (the site's dark colours, style.css): light text, a light red heading
        "@media (prefers-color-scheme:dark){body{background:#0b1220;color:#e2e8f0}"
        "h1{color:#f87171}}</style></head><body>"
        f"{body}{_reload_script(version, own=True)}</body></html>"
    ).encode("utf-8")


def _diagnostics_page(lines: list[str], version: str) -> bytes:
    items = "\n".join(f"<li><code>{html.escape(line)}</code></li>" for line in lines)
    return _served_page("the data has errors",
                        "<h1>The data has errors</h1><p>Fix them and save: this page reloads "
                        f"by itself.</p><ol>{items}</ol>", version)


def _diagnostics_text(lines: list[str]) -> bytes:
    """What a file other than a page answers while the data has errors."""
    return ("The data has errors: this file is made again once they are fixed.\n"
            + "".join(line + "\n" for line in lines)).encode("utf-8", "replace")


def _not_found_page(path: str, version: str) -> bytes:
    """A page path the site has no page at (a record renamed or deleted, a page not made
    yet): it reloads itself, so the page shows once a save makes it."""
    return _served_page("not found",
                        f"<h1>Not found</h1><p>The site has no page at <code>{html.escape(path)}"
                        "</code> (a record's file renamed or deleted, or not saved yet?). "
                        "This page reloads by itself when a file is saved.</p>"
                        '<p><a href="/">The dashboard</a></p>', version)


def _is_page_path(path: str) -> bool:
    """Whether a request path names a page (not a CSV, a deck, a picture…)."""
    return path.endswith((".html", "/")) or "." not in path.rsplit("/", 1)[-1]


def _inject(page: bytes, version: str) -> bytes:
    """Served pages only: the reload script (with ``version``, the one the page was made
    of), and a CSP that lets it ask for the version."""
    text = page.decode("utf-8", errors="replace")
    text = text.replace("default-src 'none';", "default-src 'none'; connect-src 'self';", 1)
    text = text.replace("</body>", _reload_script(version) + "</body>", 1)
    return text.encode("utf-8")


def _host_name(header: str) -> str:
    """The host name of a Host header, without its port, in lower case ("[::1]" as "::1")."""
    name = header.strip().lower()
    if name.startswith("["):
        return name[1:].split("]", 1)[0]
    return name.rsplit(":", 1)[0] if name.count(":") == 1 else name


def _our_host(header: str | None, bound: str) -> bool:
    """Whether a request's Host header names this machine: no header, an IP address,
    ``localhost`` (or a name under it) or the ``--host`` it serves on. Any other name is a web
    page's whose name an attacker pointed at this machine (DNS rebinding): the browser would
    let its script read the site, every record in it."""
    import ipaddress

    if header is None:
        return True
    name = _host_name(header).rstrip(".")
    try:
        ipaddress.ip_address(name.split("%")[0])
        return True
    except ValueError:
        pass
    return name == "localhost" or name.endswith(".localhost") or name == bound.strip().lower().rstrip(".")


def _foreign_host_page(header: str) -> bytes:
    return ("Not answered: this server answers requests for 127.0.0.1 and localhost, not for "
            f"'{header[:200]}' (a page of another site that points its name at this machine "
            "could otherwise read the team's records). To reach it by another name, start "
            "serve with --host and that name.\n").encode("utf-8", "replace")


def make_handler(state: State, host: str = "127.0.0.1"):
    class Handler(http.server.BaseHTTPRequestHandler):
        server_version = "liaison-serve"

        def log_message(self, format, *args):  # noqa: A002 - quiet: the refresh log is enough
            pass

        def _send(self, status: int, body: bytes, ctype: str, headers: dict | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_HEAD(self):  # noqa: N802 - http.server's naming
            self.do_GET()

        def do_GET(self):  # noqa: N802
            try:
                self._get()
            except (ConnectionError, TimeoutError):
                pass  # the browser went away
            except Exception as exc:  # noqa: BLE001 - one line in the log, never a traceback
                try:
                    self._send(500, b"internal error", "text/plain")
                except OSError:
                    pass
                sys.stderr.write(f"serve: {self.command} {self.path[:200]!r} failed: {exc!r}\n")

        def _get(self):
            if len(self.path) > MAX_PATH:
                return self._send(414, b"request path too long", "text/plain")
            parts = urlsplit(self.path)
            path = unquote(parts.path)
            if any(ord(c) < 32 or c == "\x7f" or c == "\\" for c in path) or "\ufffd" in path:
                return self._send(400, b"bad request path", "text/plain")
            if ".." in path.split("/") or "//" in path:
                return self._send(404, b"not found", "text/plain")
            if not _our_host(self.headers.get("Host"), host):
                return self._send(403, _foreign_host_page(self.headers.get("Host", "")),
                                  "text/plain; charset=utf-8")
            if path == PREFIX + "version":
                seen = parse_qs(parts.query).get("wait", [None])[0]
                tag = state.wait(seen) if seen is not None else state.tag(state.version)
                return self._send(200, tag.encode(), "text/plain")
            if path == PREFIX + "reload.js":
                return self._send(200, RELOAD_JS, "text/javascript")
            # (read before what it shows: a refresh in between makes the tab reload once more)
            version = state.tag(state.version)
            errors = state.errors
            if errors is not None and _is_page_path(path):
                self._send(500, _diagnostics_page(errors, version), "text/html; charset=utf-8")
                # (the page the open tab reloads: the refresh that failed waited for it,
                # SETTLE_WAIT, and the next save was read only then, 0.5 s later)
                return state.answer()
            if errors is not None:  # (stats.json, an export, a .pptx: not the last good one's)
                return self._send(500, _diagnostics_text(errors), "text/plain; charset=utf-8")
            rel = path.lstrip("/")
            if rel == "" or rel.endswith("/"):
                rel += "index.html"
            try:
                found = state.live.get(rel)
                if found is None and "." not in rel.rsplit("/", 1)[-1] \
                        and state.live.is_page(rel + "/index.html"):
                    # (the path as it was sent, and its query: the log form's fields, the
                    # search's words, a deck's ?presenter)
                    query = "?" + parts.query if parts.query else ""
                    return self._send(301, b"", "text/plain",
                                      {"Location": parts.path + "/" + query})
            except LiaisonError as exc:  # a template that fails on this page
                return self._send(500, _diagnostics_page([exc.format_message()], version),
                                  "text/html; charset=utf-8")
            if found is None:
                if _is_page_path(path):
                    return self._send(404, _not_found_page(path, version),
                                      "text/html; charset=utf-8")
                return self._send(404, b"not found", "text/plain")
            body, ctype = found
            if ctype.startswith("text/html"):
                body = _inject(body, version)
            self._send(200, body, ctype)
            state.answer()

    return Handler


def _watch_filter(*outputs: Path, root: Path | None = None):
    """Whether a change the watcher saw is one to read the site again for. With ``root``,
    only what makes the site counts: site.yaml, data/, content/, templates/ (a build into
    public/, a README, an editor's settings saved in the site root reloaded every tab)."""
    from liaison.buildrecord import INPUT_FILES, INPUT_FOLDERS

    # Paths are compared as written, never resolved: resolving follows links, and a link
    # loop in the site root (an error of the build) must not stop the server.
    outputs = tuple({Path(os.path.abspath(o)) for o in outputs}
                    | {Path(os.path.realpath(o)) for o in outputs})
    top = Path(os.path.abspath(root)) if root is not None else None
    inputs = set(INPUT_FILES) | set(INPUT_FOLDERS)

    def keep(change, path: str) -> bool:
        p = Path(os.path.abspath(path))
        if top is not None and p.is_relative_to(top) and p != top \
                and p.relative_to(top).parts[0] not in inputs:
            return False
        if any(part in IGNORED_DIRS for part in p.parts):
            return False
        if any(p.is_relative_to(o) for o in outputs):
            return False  # our own output, and a `build` output in the site root
        # (hidden names only: an editor's backup, NAME~, and auto-save, #NAME#, are files the
        # patient guard of build and validate reads, as discover lists them)
        return not p.name.startswith(".")

    return keep


def _loopback(address: str) -> bool:
    """Whether the address the server is bound to is this machine's own only."""
    import ipaddress

    try:
        return ipaddress.ip_address(address.split("%")[0]).is_loopback
    except ValueError:
        return False


def serve(root: Path, host: str = "127.0.0.1", port: int = 8000, as_of: dt.date | None = None,
          log=None) -> None:
    """Read, serve and refresh until interrupted (Ctrl+C)."""
    import watchfiles

    from liaison.live import LiveSite
    from liaison.pipeline import resolve_as_of

    log = log or (lambda msg: click.echo(msg, err=True))
    root = root.resolve()
    if not utf8_name(str(root)):  # the watcher takes only UTF-8 paths
        raise LiaisonError(f"cannot watch '{root}' for changes: its path is not UTF-8 text "
                           "(rename the folder; validate and build work there)") from None
    if not any(os.path.lexists(root / name) for name in ("site.yaml", "site.yml")):
        # (the wrong folder, a home folder: serve would watch every folder below it, and
        # read the tree again at every change anywhere in it, to show "missing site.yaml")
        from liaison.load import where_to_run

        raise LiaisonError(f"cannot serve '{root}': it holds no site.yaml, so it is no site "
                           f"root: {where_to_run(root)}")
    previous, received = _stop_on_signals()
    server = None
    serving = False  # (shutdown() waits for a serve_forever that never ran: stopped in the read)
    try:
        state = State(LiveSite(root, as_of))
        # (the port is taken before the site is read: a port in use is said at once, not
        # after the seconds a large site takes; a browser asking meanwhile waits for it)
        server = _listen(host, port, make_handler(state, host))
        server.daemon_threads = True
        server.handle_error = _quiet_error
        rebuild(state, log)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        serving = True
        log(f"serving {root} on http://{host}:{server.server_address[1]}/ (Ctrl+C to stop)")
        if not _loopback(server.server_address[0]):
            log(f"warning: {host} is reachable from the network: anyone who can reach this "
                "machine can read the team's records, unauthenticated (serve on 127.0.0.1, "
                "the default, unless the network is the practice's own)")
        for changes in watchfiles.watch(root, watch_filter=_watch_filter(root / "site", root=root), debounce=300,
                                        step=50, raise_interrupt=True,
                                        rust_timeout=DATE_CHECK_MS, yield_on_timeout=True):
            if not changes:  # (the watcher's timeout: nothing changed)
                if state.live.fixed is None and resolve_as_of(None) != state.live.as_of:
                    log(f"a new day: the site at {resolve_as_of(None).isoformat()}")
                    rebuild(state, log, set())  # (no file changed: each is taken as kept)
                continue
            names = sorted({Path(p).relative_to(root).as_posix() for _c, p in changes
                            if Path(p).is_relative_to(root)})
            log("changed: " + ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else ""))
            rebuild(state, log, _modified_only(root, changes))
    except (Stop, KeyboardInterrupt):  # watchfiles turns any signal's exception into the latter
        log(f"stopped ({signal.Signals(received[0]).name if received else 'SIGINT'})")
    except RuntimeError as exc:  # the watcher's own (a name that is not UTF-8 appeared)
        if type(exc).__name__ != "WatchfilesRustInternalError":
            raise
        raise LiaisonError(f"cannot watch '{root}' for changes any more: {exc} "
                           "(rename what it names, then start serve again)") from None
    finally:
        if serving:
            server.shutdown()
        if server is not None:
            server.server_close()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        sys.stderr.flush()


def _listen(host: str, port: int, handler) -> http.server.ThreadingHTTPServer:
    """The server, listening on ``host``:``port`` (not answering yet)."""
    import errno

    try:
        return http.server.ThreadingHTTPServer((host, port), handler)
    except OSError as exc:
        hint = ""
        if exc.errno == errno.EADDRINUSE:
            hint = (f" (another serve, or another program, listens there: stop it, or serve "
                    f"on another port with --port {port + 1 if 0 < port < 65535 else 8001})")
        raise LiaisonError(f"cannot serve on {host}:{port}: {exc.strerror or exc}{hint}") from None


def _modified_only(root: Path, changes) -> set[str] | None:
    """The paths (relative to ``root``) of the changed files when every change is a file
    modified in place; else None (a file added, removed or renamed: the site root is listed
    again)."""
    import watchfiles

    out = set()
    for change, path in changes:
        p = Path(path)
        if change != watchfiles.Change.modified or not p.is_relative_to(root) \
                or not os.path.isfile(path) or os.path.islink(path):
            return None
        out.add(p.relative_to(root).as_posix())
    return out


class Stop(BaseException):
    """SIGINT, SIGTERM or SIGHUP reached ``serve``: stop."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _stop_on_signals() -> tuple[dict, list[int]]:
    """Raise Stop in the main thread on SIGINT, SIGTERM and SIGHUP (the first one: those
    after it, Ctrl+C pressed again, are let be while it stops): the previous handlers, and
    the list the signals received are added to."""
    received: list[int] = []

    def stop(signum, _frame):
        received.append(signum)
        if len(received) == 1:  # (a second Ctrl+C, while it stops, raised in the stopping)
            raise Stop(signum)

    previous = {}
    if threading.current_thread() is not threading.main_thread():
        return previous, received  # only the main thread may set them (tests call serve() in threads)
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is not None:
            previous[signum] = signal.signal(signum, stop)
    return previous, received


def _quiet_error(request, client_address) -> None:
    """socketserver prints a traceback for a failed request; one line instead (nothing for
    a browser that went away)."""
    exc = sys.exc_info()[1]
    if isinstance(exc, (ConnectionError, TimeoutError)):
        return
    sys.stderr.write(f"serve: a request from {client_address[0]} failed: {exc!r}\n")
