"""`serve` as a person uses it: a real server process, a file edited, broken and fixed."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from conftest import REPO

TIMEOUT = 60


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read().decode("utf-8")


def _wait(predicate, what: str, timeout: float = TIMEOUT):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
            if last:
                return last
        except (urllib.error.URLError, ConnectionError, OSError) as exc:
            last = exc
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}; last: {last!r}")


@pytest.fixture
def server(example_site, tmp_path):
    log = open(tmp_path / "serve.log", "w+")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "serve", "--root", str(example_site),
         "--port", "0", "--as-of", "2026-11-26"],
        stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tmp_path)

    def url():
        log.seek(0)
        m = re.search(r"on (http://127\.0\.0\.1:\d+/)", log.read())
        return m.group(1) if m else None

    try:
        base = _wait(url, "the server to start")
        yield base, example_site, log
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_serve_rebuilds_on_change_and_shows_diagnostics(server):
    base, root, log = server
    home = _get(base)
    assert "Dashboard" in home and "Blue Ridge Vein &amp; Vascular" in home
    assert "/__liaison__/reload.js" in home, "served pages carry the reload script"
    assert "connect-src 'self'" in home
    version = _get(base + "__liaison__/version")

    # An edit is picked up: the practice's name changes on its brief.
    practice = root / "data" / "practices" / "french-broad-podiatry.yaml"
    text = practice.read_text()
    practice.write_text(text.replace("name: French Broad Podiatry", "name: French Broad Foot Care"))
    brief = base + "practices/french-broad-podiatry/index.html"
    _wait(lambda: "French Broad Foot Care" in _get(brief), "the edited name on the brief")
    # The version moves so open tabs reload (it may move just after the page is swapped in).
    _wait(lambda: _get(base + "__liaison__/version") != version, "the version to move")

    # A broken file: every page shows the diagnostics, the server keeps running.
    practice.write_text(text.replace("name: French Broad Podiatry", "nmae: French Broad Podiatry"))
    page = _wait(lambda: (lambda p: p if "The data has errors" in p else None)(_get(brief)),
                 "the diagnostics page")
    assert "data/practices/french-broad-podiatry.yaml:1:1: error: name: required field is missing" in page
    assert "nmae: unknown field (did you mean &#x27;name&#x27;?)" in page
    assert "The data has errors" in _get(base)

    # Fixing it restores the site.
    practice.write_text(text)
    _wait(lambda: "French Broad Podiatry" in _get(brief) and "The data has errors" not in _get(brief),
          "the site back after the fix")
    assert "Dashboard" in _get(base)


def test_serve_refuses_a_taken_port(example_site, tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        proc = subprocess.run(
            [sys.executable, str(REPO / "build.py"), "serve", "--root", str(example_site),
             "--port", str(port), "--as-of", "2026-11-26"],
            capture_output=True, text=True, timeout=TIMEOUT)
    assert proc.returncode == 1, proc.stderr
    assert f"cannot serve on 127.0.0.1:{port}" in proc.stderr
    assert "Traceback" not in proc.stderr


def _raw(base: str, target: str) -> bytes:
    """One request sent as raw bytes (urllib would normalize the path): the reply."""
    import socket
    from urllib.parse import urlsplit

    u = urlsplit(base)
    with socket.create_connection((u.hostname, u.port), timeout=10) as s:
        s.sendall(f"GET {target} HTTP/1.0\r\nHost: x\r\n\r\n".encode("latin-1"))
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


HOSTILE = [
    "/%00", "/index.html%00.txt", "/..%2f..%2fetc/passwd", "/../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd", "/" + "a" * 10_000, "/" + "a/" * 3000, "/%zz", "/%",
    "/%ff%fe", "/assets/%c0%ae%c0%ae/x", "/a\\..\\..\\etc\\passwd", "//etc/passwd",
]


def test_serve_answers_hostile_paths_without_a_traceback(server):
    base, _root, log = server
    for target in HOSTILE:
        reply = _raw(base, target)
        status = reply.split(b"\r\n", 1)[0]
        assert re.fullmatch(rb"HTTP/1\.[01] (400|404|414) .*", status), (target[:60], reply[:200])
        assert b"root:" not in reply
    assert "Dashboard" in _get(base), "the server still answers"
    log.seek(0)
    assert "Traceback" not in log.read()


def test_serve_never_answers_404_while_it_rebuilds(example_site, tmp_path, monkeypatch):
    """Each build goes into its own folder and the server switches to it once it is whole:
    a request at any moment of a rebuild (here: at each rename the build makes) sees a site."""
    import datetime as dt
    import http.server
    import threading

    from liaison import serve

    statuses = []
    state = serve.State(tmp_path / "work" / "site")
    (tmp_path / "work").mkdir()
    serve.rebuild(example_site, state.out, dt.date(2026, 11, 26), state, lambda msg: None)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), serve.make_handler(state))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/"
    real = os.replace

    def replace_and_ask(*args, **kwargs):
        for page in ("", "physicians/nina-vargas/index.html"):
            try:
                with urllib.request.urlopen(base + page, timeout=10) as r:
                    statuses.append(r.status)
            except urllib.error.HTTPError as exc:
                statuses.append(exc.code)
        return real(*args, **kwargs)

    try:
        monkeypatch.setattr(os, "replace", replace_and_ask)
        for _ in range(2):
            serve.rebuild(example_site, state.out, dt.date(2026, 11, 26), state, lambda msg: None)
        monkeypatch.setattr(os, "replace", real)
        assert statuses and set(statuses) == {200}, statuses
        assert state.errors is None
        assert "Dashboard" in _get(base)
    finally:
        httpd.shutdown()
        httpd.server_close()
    # only the current build and the one before it are kept
    assert len(list((tmp_path / "work").glob("site*"))) <= 2


@pytest.mark.parametrize("signame", ["SIGTERM", "SIGHUP", "SIGINT"])
def test_serve_removes_its_temporary_folder_when_stopped(example_site, tmp_path, signame):
    import signal

    temp = tmp_path / "tmp"
    temp.mkdir()
    log_path = tmp_path / "serve.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "TMPDIR": str(temp)}
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, str(REPO / "build.py"), "serve", "--root", str(example_site),
             "--port", "0", "--as-of", "2026-11-26"],
            stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tmp_path)
    try:
        base = _wait(lambda: (m := re.search(r"on (http://127\.0\.0\.1:\d+/)", log_path.read_text()))
                     and m.group(1), "the server to start")
        assert "Dashboard" in _get(base)
        made = [p.name for p in temp.iterdir()]
        assert len(made) == 1 and made[0].startswith("liaison-serve-"), made
        proc.send_signal(getattr(signal, signame))
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = log_path.read_text()
    assert "Traceback" not in text, text
    assert list(temp.iterdir()) == [], "the temporary site was left behind"
    assert proc.returncode == 0, text
