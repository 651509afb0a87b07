"""Dev server: build into a temporary folder, serve it on 127.0.0.1, watch the site root,
rebuild on every change and reload the open browser tabs.

A data error does not stop the server: until it is fixed, every page shows the diagnostics.
Only ``serve`` adds the reload script (``/__liaison__/reload.js``) and widens the page's
Content-Security-Policy to let it ask ``/__liaison__/version``; built sites never have either.
"""
from __future__ import annotations

import datetime as dt
import html
import http.server
import mimetypes
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import click

PREFIX = "/__liaison__/"
RELOAD_JS = b"""(function () {
  "use strict";
  var seen = null;
  function tick() {
    fetch("/__liaison__/version", {cache: "no-store"}).then(function (r) { return r.text(); })
      .then(function (v) { if (seen === null) { seen = v; } else if (v !== seen) { location.reload(); } })
      .catch(function () {})
      .then(function () { setTimeout(tick, 700); });
  }
  tick();
})();
"""
IGNORED_DIRS = {".git", "__pycache__", ".hypothesis", ".pytest_cache", "node_modules", ".venv"}


class State:
    """What the server shows: the current site folder, or the diagnostics of a failed build."""

    def __init__(self, out: Path):
        self.out = out
        self.version = 0
        self.errors: list[str] | None = None  # diagnostics of the last failed build
        self.lock = threading.Lock()

    def update(self, errors: list[str] | None) -> None:
        with self.lock:
            self.errors = errors
            self.version += 1


def rebuild(root: Path, out: Path, as_of: dt.date | None, state: State, log) -> None:
    """One build; on errors the state keeps the diagnostics and the last good site stays."""
    from liaison.errors import LiaisonError
    from liaison.pipeline import build, resolve_as_of

    start = time.perf_counter()
    lines: list[str] = []

    def keep(checked):
        lines.extend(checked.report.lines("text"))

    try:
        result = build(root, as_of or resolve_as_of(None), out, on_checked=keep)
    except LiaisonError as exc:
        lines.append(f"error: {exc.format_message()}")
        state.update(lines)
        log(f"build failed: {len([x for x in lines if ': error: ' in x or x.startswith('error:')])} "
            f"error(s); the browser shows them")
        return
    except Exception as exc:  # an unexpected failure must not stop the server
        state.update([f"error: the build failed unexpectedly: {exc!r}"])
        log(f"build failed unexpectedly: {exc!r}")
        return
    state.update(None)
    log(f"built {result.pages} pages in {time.perf_counter() - start:.2f} s")


def _diagnostics_page(lines: list[str]) -> bytes:
    items = "\n".join(f"<li><code>{html.escape(line)}</code></li>" for line in lines)
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width, initial-scale=1'>"
        "<meta name=robots content='noindex, nofollow'>"
        "<meta http-equiv=Content-Security-Policy content=\"default-src 'none'; "
        "script-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'\">"
        "<title>Liaison: the data has errors</title>"
        "<style>body{font:15px/1.5 system-ui,sans-serif;margin:2rem;color:#0f172a}"
        "h1{color:#b91c1c}li{margin:.3rem 0}code{white-space:pre-wrap}</style></head><body>"
        "<h1>The data has errors</h1><p>Fix them and save: this page reloads by itself.</p>"
        f"<ol>{items}</ol><script src='/__liaison__/reload.js'></script></body></html>"
    ).encode("utf-8")


def _inject(page: bytes) -> bytes:
    """Served pages only: the reload script, and a CSP that lets it ask for the version."""
    text = page.decode("utf-8", errors="replace")
    text = text.replace("default-src 'none';", "default-src 'none'; connect-src 'self';", 1)
    text = text.replace("</body>", f'<script src="{PREFIX}reload.js"></script></body>', 1)
    return text.encode("utf-8")


def make_handler(state: State):
    class Handler(http.server.BaseHTTPRequestHandler):
        server_version = "liaison-serve"

        def log_message(self, format, *args):  # noqa: A002 - quiet: the rebuild log is enough
            pass

        def _send(self, status: int, body: bytes, ctype: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_HEAD(self):  # noqa: N802 - http.server's naming
            self.do_GET()

        def do_GET(self):  # noqa: N802
            path = unquote(urlsplit(self.path).path)
            if path == PREFIX + "version":
                return self._send(200, str(state.version).encode(), "text/plain")
            if path == PREFIX + "reload.js":
                return self._send(200, RELOAD_JS, "text/javascript")
            with state.lock:
                errors = state.errors
            if errors is not None and (path.endswith((".html", "/")) or "." not in path.rsplit("/", 1)[-1]):
                return self._send(200, _diagnostics_page(errors), "text/html; charset=utf-8")
            rel = path.lstrip("/")
            if rel == "" or rel.endswith("/"):
                rel += "index.html"
            target = (state.out / rel).resolve()
            try:
                target.relative_to(state.out.resolve())
            except ValueError:
                return self._send(404, b"not found", "text/plain")
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                return self._send(404, b"not found", "text/plain")
            body = target.read_bytes()
            ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            if target.suffix == ".html":
                body, ctype = _inject(body), "text/html; charset=utf-8"
            return self._send(200, body, ctype)

    return Handler


def _watch_filter(*outputs: Path):
    # Paths are compared as written, never resolved: resolving follows links, and a link
    # loop in the site root (an error of the build) must not stop the server.
    outputs = tuple({Path(os.path.abspath(o)) for o in outputs}
                    | {Path(os.path.realpath(o)) for o in outputs})

    def keep(change, path: str) -> bool:
        p = Path(os.path.abspath(path))
        if any(part in IGNORED_DIRS for part in p.parts):
            return False
        if any(p.is_relative_to(o) for o in outputs):
            return False  # our own output, and a `build` output in the site root
        return not p.name.startswith((".", "#")) and not p.name.endswith("~")

    return keep


def serve(root: Path, host: str = "127.0.0.1", port: int = 8000, as_of: dt.date | None = None,
          log=None) -> None:
    """Build, serve and rebuild until interrupted (Ctrl+C)."""
    import watchfiles

    log = log or (lambda msg: click.echo(msg, err=True))
    root = root.resolve()
    workdir = Path(tempfile.mkdtemp(prefix="liaison-serve-"))
    out = workdir / "site"
    state = State(out)
    rebuild(root, out, as_of, state, log)
    server = http.server.ThreadingHTTPServer((host, port), make_handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    log(f"serving {root} on http://{host}:{server.server_address[1]}/ (Ctrl+C to stop)")
    try:
        for changes in watchfiles.watch(root, watch_filter=_watch_filter(out, root / "site"), debounce=300,
                                        step=100, raise_interrupt=False):
            names = sorted({Path(p).relative_to(root).as_posix() for _c, p in changes
                            if Path(p).is_relative_to(root)})
            log("changed: " + ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else ""))
            rebuild(root, out, as_of, state, log)
    finally:
        server.shutdown()
        shutil.rmtree(workdir, ignore_errors=True)
        sys.stderr.flush()
