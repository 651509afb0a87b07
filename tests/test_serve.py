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
