"""Dev server: build into a temporary folder, serve it on 127.0.0.1, watch the site root,
rebuild on every change and reload the open browser tabs.

A data error does not stop the server: until it is fixed, every page shows the diagnostics.
Only ``serve`` adds the reload script (``/__liaison__/reload.js``) and widens the page's
Content-Security-Policy to let it ask ``/__liaison__/version``; built sites never have either.
"""
from __future__ import annotations

import atexit
import datetime as dt
import html
import http.server
import mimetypes
import os
import shutil
import signal
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


MAX_PATH = 2048  # longer request paths are answered 414; no page of a site is near it


class State:
    """What the server shows: the current site folder, or the diagnostics of a failed build.

    Every build goes into a folder of its own (``site-1``, ``site-2``, … in the work folder);
    ``out`` is switched to it, in one assignment, once it is complete, so a request sees
    either the previous site or the new one, never a half-written or missing one. The folder
    before the previous one is removed then (a request may still be reading the previous)."""

    def __init__(self, out: Path):
        self.out = out
        self.version = 0
        self.errors: list[str] | None = None  # diagnostics of the last failed build
        self.lock = threading.Lock()
        self.builds = 0

    def next_out(self) -> Path:
        self.builds += 1
        return self.out.parent / f"site-{self.builds}"

    def update(self, errors: list[str] | None, out: Path | None = None) -> None:
        with self.lock:
            previous = self.out
            self.errors = errors
            if out is not None:
                self.out = out
            self.version += 1
        if out is not None:
            for old in out.parent.glob("site-*"):
                if old not in (out, previous):
                    shutil.rmtree(old, ignore_errors=True)


def rebuild(root: Path, out: Path, as_of: dt.date | None, state: State, log) -> None:
    """One build into a fresh folder (``out`` is ignored: kept for callers); on errors the
    state keeps the diagnostics and the last good site stays."""
    from liaison.errors import LiaisonError
    from liaison.pipeline import build, resolve_as_of

    start = time.perf_counter()
    lines: list[str] = []
    out = state.next_out()

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
    state.update(None, out)
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
            path = unquote(urlsplit(self.path).path)
            if any(ord(c) < 32 or c == "\x7f" or c == "\\" for c in path) or "\ufffd" in path:
                return self._send(400, b"bad request path", "text/plain")
            if ".." in path.split("/"):
                return self._send(404, b"not found", "text/plain")
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
            with state.lock:
                out = state.out  # this request's site, whatever a rebuild does meanwhile
            try:
                target = (out / rel).resolve()
                target.relative_to(out.resolve())
                if target.is_dir():
                    target = target / "index.html"
                body = target.read_bytes()
            except (OSError, ValueError):  # missing, outside the site, a name too long, …
                return self._send(404, b"not found", "text/plain")
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
    owner = os.getpid()

    def cleanup() -> None:
        if os.getpid() == owner:  # never from a forked build worker
            shutil.rmtree(workdir, ignore_errors=True)

    atexit.register(cleanup)  # a last resort; the finally below is the rule
    previous, received = _stop_on_signals()
    server = None
    try:
        out = workdir / "site"
        state = State(out)
        rebuild(root, out, as_of, state, log)
        server = http.server.ThreadingHTTPServer((host, port), make_handler(state))
        server.daemon_threads = True
        server.handle_error = _quiet_error
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        log(f"serving {root} on http://{host}:{server.server_address[1]}/ (Ctrl+C to stop)")
        for changes in watchfiles.watch(root, watch_filter=_watch_filter(workdir, root / "site"), debounce=300,
                                        step=100, raise_interrupt=True):
            names = sorted({Path(p).relative_to(root).as_posix() for _c, p in changes
                            if Path(p).is_relative_to(root)})
            log("changed: " + ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else ""))
            rebuild(root, out, as_of, state, log)
    except (Stop, KeyboardInterrupt):  # watchfiles turns any signal's exception into the latter
        if os.getpid() != owner:
            os._exit(1)
        log(f"stopped ({signal.Signals(received[-1]).name if received else 'SIGINT'})")
    finally:
        if os.getpid() == owner:
            if server is not None:
                server.shutdown()
                server.server_close()
            cleanup()
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            sys.stderr.flush()


class Stop(BaseException):
    """SIGINT, SIGTERM or SIGHUP reached ``serve``: stop and remove the work folder."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _stop_on_signals() -> tuple[dict, list[int]]:
    """Raise Stop in the main thread on SIGINT, SIGTERM and SIGHUP: the previous handlers,
    and the list the signals received are added to."""
    received: list[int] = []

    def stop(signum, _frame):
        received.append(signum)
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
