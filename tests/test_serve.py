"""`serve` as a person uses it: a real server process, a file edited, broken and fixed."""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import random
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from conftest import REPO, run_validate
from edits import DEPENDENCY_EDITS, EDITS, OVERRIDE_MARK, chain, edit, fresh_build

TIMEOUT = 60


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read().decode("utf-8")


def _fetch(url: str) -> tuple[int, str]:
    """The status and text of a page, an error status's too."""
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


def _failed(url: str) -> str | None:
    """The diagnostics page at ``url`` once it is served; a page that failed is no 200
    (a link checker, a script or a test fetching the page took it for the page itself)."""
    status, text = _fetch(url)
    if "The data has errors" not in text:
        return None
    assert status == 500, f"the diagnostics page answered {status}"
    return text


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


def _serve(root, log, *options: str, env: dict | None = None, cwd=None) -> subprocess.Popen:
    """`build.py serve` of ``root`` (with ``options``) on a free port at 2026-11-26, started
    in a process of its own that writes to the open file ``log``; ``env`` by default this
    process's, its output unbuffered."""
    return subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "serve", "--root", str(root), *options,
         "--port", "0", "--as-of", "2026-11-26"],
        stdout=log, stderr=subprocess.STDOUT,
        env=env if env is not None else {**os.environ, "PYTHONUNBUFFERED": "1"}, cwd=cwd)


@contextlib.contextmanager
def _killed_if_left(proc: subprocess.Popen):
    """Runs the block; then kills ``proc`` and waits for it if it is still running (the block
    failed before the server stopped)."""
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.fixture
def server(example_site, tmp_path):
    log = open(tmp_path / "serve.log", "w+")
    proc = _serve(example_site, log, cwd=tmp_path)

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
    page = _wait(lambda: _failed(brief), "the diagnostics page")
    assert "data/practices/french-broad-podiatry.yaml:1:1: error: name: required field is missing" in page
    assert "nmae: unknown field (did you mean &#x27;name&#x27;?)" in page
    assert _failed(base)

    # Fixing it restores the site.
    practice.write_text(text)
    _wait(lambda: "French Broad Podiatry" in _get(brief) and "The data has errors" not in _get(brief),
          "the site back after the fix")
    assert "Dashboard" in _get(base)


def test_the_files_beside_the_pages_are_no_last_good_copy_while_the_data_has_errors(server):
    """While the data has errors the pages show the diagnostics, but stats.json, the exports,
    the calendar and a deck's .pptx were the last good site's, answered 200 as if current (a
    script, a calendar subscribed to calendar.ics or an export opened by its address took the
    figures of before the save for those of the files on disk). They answer 500 with the
    diagnostics too, and the file of the fixed data after the fix."""
    base, root, _log = server
    assert _fetch(base + "stats.json")[0] == 200
    practice = root / "data" / "practices" / "french-broad-podiatry.yaml"
    text = practice.read_text()
    practice.write_text(text.replace("name: French Broad Podiatry", "nmae: French Broad Podiatry"))
    _wait(lambda: _failed(base), "the diagnostics page")
    for path in ("stats.json", "calendar.ics", "exports/physicians.csv"):
        status, body = _fetch(base + path)
        assert status == 500, (path, status)
        assert "data/practices/french-broad-podiatry.yaml:1:1: error: name: required field is missing" in body, path
    practice.write_text(text.replace("name: French Broad Podiatry", "name: French Broad Foot Care"))
    _wait(lambda: _fetch(base + "stats.json")[0] == 200, "the file back after the fix")
    assert "French Broad Foot Care" in _get(base + "exports/practices.csv")


def test_a_page_that_is_not_there_is_a_page_that_comes_back(server):
    """A tab on a record's page whose file was renamed or deleted got a bare "not found"
    (plain text, no reload script): it stayed there after the file came back. A page path
    now answers 404 with an HTML page that links to the dashboard and reloads itself."""
    base, root, _log = server
    status, text = _fetch(base + "practices/elmwood-heart/index.html")
    assert status == 404
    assert "<h1>Not found</h1>" in text and "practices/elmwood-heart/index.html" in text
    assert '<a href="/">' in text
    assert "/__liaison__/reload.js" in text, "the page reloads itself when the site changes"
    assert "<script>" not in text, "no inline script: the page's policy allows none"
    # other files stay a plain 404
    status, text = _fetch(base + "exports/no-such.csv")
    assert (status, text) == (404, "not found")
    source = root / "data" / "practices" / "french-broad-podiatry.yaml"
    (root / "data" / "practices" / "elmwood-heart.yaml").write_text(
        source.read_text().replace("name: French Broad Podiatry", "name: Elmwood Heart Group"))
    _wait(lambda: "Elmwood Heart Group" in _fetch(base + "practices/elmwood-heart/")[1],
          "the new practice's page")


def test_serve_says_the_errors_in_the_terminal_too(example_site, tmp_path):
    """Started on a site with errors (or a save with one), serve said only "2 errors in the
    data; the browser shows them": the editor's terminal had no file:line:col to click. The
    errors are now printed there as validate prints them (20 at most)."""
    practice = example_site / "data" / "practices" / "french-broad-podiatry.yaml"
    text = practice.read_text()
    practice.write_text(text.replace("name: French Broad Podiatry", "nmae: French Broad Podiatry"))
    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        proc = _serve(example_site, out)
        try:
            _wait(lambda: "serving " in log.read_text(), "the server to start")
            said = log.read_text()
            assert "2 errors in the data; the browser shows them" in said
            assert ("data/practices/french-broad-podiatry.yaml:1:1: error: name: required field "
                    "is missing") in said, said
            assert "nmae: unknown field (did you mean 'name'?)" in said
            # a save that breaks another file: its error is said at that save
            physician = next((example_site / "data" / "physicians").glob("*.yaml"))
            physician.write_text(physician.read_text() + "shoe_size: 11\n")
            rel = physician.relative_to(example_site).as_posix()
            _wait(lambda: f"{rel}:" in log.read_text() and "shoe_size" in log.read_text(),
                  "the new error in the terminal")
            # many errors: the first 20, and how many more
            for n in range(30):
                (example_site / "data" / "practices" / f"zz-{n:02}.yaml").write_text("nmae: X\n")
            _wait(lambda: "more: the browser shows them all" in log.read_text(), "the cut")
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    said = log.read_text()
    last = said[said.rindex("errors in the data"):]
    assert len([line for line in last.splitlines() if ": error: " in line]) == 20, last
    assert "Traceback" not in said


def test_serve_stopped_while_it_reads_the_site_stops(example_site, monkeypatch):
    """Ctrl+C while the site is first read (seconds at 10,000 physicians): serve stops, it
    does not wait for a server loop that never ran."""
    import threading

    from liaison import live, serve as serve_module

    def interrupted(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(live.LiveSite, "refresh", interrupted)
    said = []
    running = threading.Thread(target=serve_module.serve, args=(example_site,),
                               kwargs={"port": 0, "log": said.append}, daemon=True)
    running.start()
    running.join(10)
    assert not running.is_alive(), "serve hung after Ctrl+C in its first read"
    assert said == ["stopped (SIGINT)"], said


def test_serve_refuses_a_folder_that_is_no_site_root(tmp_path):
    """`liaison serve` run in the wrong folder (a home folder, /tmp) served a page saying
    "missing site.yaml" while it watched every folder below (173,220 inotify watches for a
    /tmp of 11 GB, most of the user's limit) and read the tree again at every change there.
    It now says the folder is no site root and stops."""
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.txt").write_text("buy milk\n")
    proc = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "serve", "--root", str(tmp_path),
         "--port", "0", "--as-of", "2026-11-26"],
        capture_output=True, text=True, timeout=TIMEOUT)
    assert proc.returncode == 1, proc.stderr
    assert f"cannot serve '{tmp_path}': it holds no site.yaml" in proc.stderr, proc.stderr
    assert "--root" in proc.stderr and "liaison init" in proc.stderr
    assert "serving " not in proc.stderr and "Traceback" not in proc.stderr


def test_serve_takes_a_site_root_whose_settings_file_is_site_yml(example_site, monkeypatch):
    """``.yml`` works wherever ``.yaml`` does: a site root with a site.yml is one to serve."""
    import threading

    import watchfiles

    from liaison.serve import serve

    (example_site / "site.yaml").rename(example_site / "site.yml")

    def watch(*_paths, **_options):  # (stopped as soon as it is served)
        raise KeyboardInterrupt
        yield

    monkeypatch.setattr(watchfiles, "watch", watch)
    said: list[str] = []
    thread = threading.Thread(target=serve, args=(example_site,), kwargs={"port": 0, "log": said.append})
    thread.start()
    thread.join(60)
    assert [line.split(" ", 1)[0] for line in said] == ["ready", "serving", "stopped"], said


def test_a_failure_of_serve_that_is_not_the_watchers_is_not_said_to_be(example_site, monkeypatch):
    """Only the watcher's own error (a name that is not UTF-8 appeared) is said as "cannot
    watch ... any more"; another RuntimeError is not dressed up as one."""
    import watchfiles

    from liaison.serve import serve

    def watch(*_paths, **_options):
        raise RuntimeError("a bug of ours")
        yield

    monkeypatch.setattr(watchfiles, "watch", watch)
    with pytest.raises(RuntimeError, match="a bug of ours"):
        serve(example_site, port=0, log=lambda msg: None)


def test_serve_in_a_folder_of_the_site_names_the_site_root(tmp_path):
    """`liaison serve` typed in the site's content/ said "cd into it, or pass --root FOLDER"
    where validate, build and stats name the site root above: it names it too."""
    root = tmp_path / "our-site"
    (root / "content").mkdir(parents=True)
    (root / "site.yaml").write_text("practice: {name: Tiny Vein}\n")
    proc = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "serve", "--port", "0", "--as-of", "2026-11-26"],
        cwd=root / "content", capture_output=True, text=True, timeout=TIMEOUT)
    assert proc.returncode == 1, proc.stderr
    assert (f"the site root is '{root}', which holds one: run the command there, or give "
            f"--root {root}") in proc.stderr, proc.stderr
    assert "serving " not in proc.stderr and "Traceback" not in proc.stderr


def test_a_file_outside_the_site_reloads_no_tab(server):
    """Only site.yaml, data/, content/ and templates/ make the site: a build into public/ in
    the site root, a README or an editor's settings saved there read the site again and
    reloaded every open tab (a build of the sample site: twice, 'changed: .public.tmp-…/…
    and 160 more'). They are now let be."""
    base, root, log = server
    version = _get(base + "__liaison__/version")
    (root / "README.md").write_text("# Our site\n")
    (root / ".vscode").mkdir()
    (root / ".vscode" / "settings.json").write_text("{}\n")
    (root / "public" / "practices").mkdir(parents=True)
    (root / "public" / "practices" / "index.html").write_text("<p>built</p>\n")
    time.sleep(2)
    assert _get(base + "__liaison__/version") == version
    log.seek(0)
    assert "changed: " not in log.read()
    # (a change in the site moves it, as ever)
    practice = root / "data" / "practices" / "french-broad-podiatry.yaml"
    practice.write_text(practice.read_text() + "# seen\n")
    _wait(lambda: _get(base + "__liaison__/version") != version, "the version to move")


def test_the_watcher_reads_again_for_the_files_of_the_site_only(tmp_path):
    """What a save must be read again for: site.yaml and the files of data/, content/ and
    templates/, an editor's backup and auto-save among them; not a hidden file (an editor's
    swap file), a tool's folder inside them, nor a file beside them. The site root itself
    (removed, renamed) is no error."""
    from liaison.serve import _watch_filter

    root = tmp_path / "site-root"
    keep = _watch_filter(root / "site", root=root)
    for rel in ("site.yaml", "data/practices/elm.yaml", "data/practices/elm.yaml~",
                "data/practices/#elm.yaml#", "content/guides/intake.md", "templates/physician.html"):
        assert keep(None, str(root / rel)) is True, rel
    for rel in ("README.md", "public/index.html", "site/index.html", ".git/index",
                "data/practices/.elm.yaml.swp", "data/__pycache__/x.pyc",
                "content/node_modules/x/guide.md", "templates/.git/HEAD"):
        assert keep(None, str(root / rel)) is False, rel
    assert keep(None, str(root)) is True


def test_a_save_is_read_as_the_files_it_modified_only_when_that_is_all_it_did(tmp_path):
    """Only files modified in place are read again alone; a file added or removed, a link (what
    it points at may be another file now) or a folder has the site root listed again."""
    from watchfiles import Change

    from liaison.serve import _modified_only

    (tmp_path / "data").mkdir()
    record = tmp_path / "data" / "elm.yaml"
    record.write_text("name: Elm\n")
    (tmp_path / "data" / "oak.yaml").symlink_to("elm.yaml")
    assert _modified_only(tmp_path, {(Change.modified, str(record))}) == {"data/elm.yaml"}
    for changes in ({(Change.added, str(record))},
                    {(Change.modified, str(record)), (Change.deleted, str(tmp_path / "data" / "ash.yaml"))},
                    {(Change.modified, str(tmp_path / "data" / "oak.yaml"))},
                    {(Change.modified, str(tmp_path / "data"))}):
        assert _modified_only(tmp_path, changes) is None, changes


def test_an_editors_backup_beside_a_record_is_checked_as_build_checks_it(server):
    """The backup Emacs keeps of a file at its first save (``NAME~``) and its auto-save
    (``#NAME#``) are files of the site that ``build`` and ``validate`` read with the patient
    guard (``git add -A`` would commit them); the watcher let them be, so a save that left a
    backup holding a patient's name and birth date showed the site, where ``build`` refused
    it."""
    base, root, _log = server
    physician = root / "data" / "physicians" / "nina-vargas.yaml"
    text = physician.read_text()
    backup = physician.with_name(physician.name + "~")
    backup.write_text(text + "notes: |\n  Pt Jane Doe DOB 03/04/1956 called about her MRN 12345678\n")
    physician.write_text(text.replace("\n", "\n# saved\n", 1))  # (in place: only it modified)
    page = _wait(lambda: _failed(base), "the diagnostics of the backup")
    assert "data/physicians/nina-vargas.yaml~:" in page and "looks like a date of birth" in page
    code, _out, errors = run_validate(root)
    assert code == 1 and any(line.startswith("data/physicians/nina-vargas.yaml~:") for line in errors)
    backup.unlink()
    _wait(lambda: _fetch(base)[0] == 200, "the site back once the backup is deleted")


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
    assert f"--port {port + 1}" in proc.stderr, "it says how to serve elsewhere"
    # the port is tried before the site is read (at 10,000 physicians the read took some
    # seconds, only to be told the port was taken)
    assert "files read" not in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("host, warned", [("127.0.0.1", False), ("localhost", False),
                                          ("0.0.0.0", True)])
def test_serve_warns_when_it_is_reachable_from_the_network(example_site, tmp_path, host,
                                                          warned):
    """The site holds the team's records and `serve` asks no password: listening on every
    address is said on the second line."""
    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        proc = _serve(example_site, out, "--host", host)
        try:
            _wait(lambda: "serving " in log.read_text(), "the server to start")
            time.sleep(0.3)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    text = log.read_text()
    assert ("reachable from the network" in text) is warned, text
    assert not warned or "warning: 0.0.0.0 is reachable from the network" in text
    assert "Traceback" not in text


def _raw(base: str, target: str, method: str = "GET") -> bytes:
    """One request sent as raw bytes (urllib would normalize the path, http.client reads no
    body after a HEAD): the reply."""
    import socket
    from urllib.parse import urlsplit

    u = urlsplit(base)
    with socket.create_connection((u.hostname, u.port), timeout=10) as s:
        s.sendall(f"{method} {target} HTTP/1.0\r\nHost: {u.netloc}\r\n\r\n".encode("latin-1"))
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


HOSTILE = {  # the path: its status (400: no path a site has; 404: no file of it; 414: too long)
    "/%00": 400, "/index.html%00.txt": 400, "/..%2f..%2fetc/passwd": 404, "/../../etc/passwd": 404,
    "/%2e%2e/%2e%2e/etc/passwd": 404, "/" + "a" * 10_000: 414, "/" + "a/" * 3000: 414, "/%zz": 404,
    "/%": 404, "/%ff%fe": 400, "/assets/%c0%ae%c0%ae/x": 400, "/a\\..\\..\\etc\\passwd": 400,
    "//etc/passwd": 404, "/index.html%1b": 400, "/index.html%7f": 400,
}


def test_serve_answers_hostile_paths_without_a_traceback(server):
    base, _root, log = server
    for target, code in HOSTILE.items():
        reply = _raw(base, target)
        status = reply.split(b"\r\n", 1)[0]
        assert re.fullmatch(rb"HTTP/1\.[01] %d .*" % code, status), (target[:60], reply[:200])
        assert b"root:" not in reply
    assert "Dashboard" in _get(base), "the server still answers"
    log.seek(0)
    assert "Traceback" not in log.read()


def _with_host(base: str, path: str, host: str) -> tuple[int, bytes]:
    """A GET of ``path`` whose Host header is ``host`` (what a browser sends for a name that
    resolves to this machine): the status and body."""
    import http.client
    from urllib.parse import urlsplit

    u = urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    try:
        conn.putrequest("GET", path, skip_host=True)
        conn.putheader("Host", host)
        conn.endheaders()
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def test_serve_answers_no_other_host_name_dns_rebinding(server):
    """A web page whose host name an attacker points at 127.0.0.1 (DNS rebinding) is of the
    served site's origin for the browser, and its script could read every record: only the
    names of this machine (and an IP address, which no rebinding can take) are answered."""
    base, _root, log = server
    port = base.rstrip("/").rsplit(":", 1)[1]
    for host in (f"rebind.attacker.example:{port}", "attacker.example", f"127.0.0.1.nip.io:{port}",
                 f"localhost.attacker.example:{port}", f"evillocalhost:{port}"):
        for path in ("/", "/exports/physicians.csv", "/physicians/", "/__liaison__/version"):
            status, body = _with_host(base, path, host)
            assert status == 403, (host, path, status)
            assert b"physician" not in body.lower() or b"not answered" in body, body[:200]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", "LOCALHOST", f"[::1]:{port}",
                 f"10.0.0.7:{port}", f"app.localhost:{port}", f"localhost.:{port}"):
        status, body = _with_host(base, "/exports/physicians.csv", host)
        assert (status, body[:6]) == (200, b"\xef\xbb\xbfid,"), (host, status)  # the mark, the header
    # (no Host header at all, HTTP/1.0's: no name a page of another site could have)
    import socket

    with socket.create_connection(("127.0.0.1", int(port)), timeout=10) as s:
        s.sendall(b"GET /exports/physicians.csv HTTP/1.0\r\n\r\n")
        reply = b"".join(iter(lambda: s.recv(65536), b""))
    assert reply.startswith(b"HTTP/1.0 200 ") and b"\r\n\r\n\xef\xbb\xbfid," in reply, reply[:200]
    status, body = _with_host(base, "/", "rebind.attacker.example")
    assert "rebind.attacker.example" in body.decode() and "--host" in body.decode()
    log.seek(0)
    assert "Traceback" not in log.read()


def test_serve_answers_from_the_last_good_site_while_it_refreshes(example_site, tmp_path, monkeypatch):
    """The site lives in memory and a refresh swaps it in whole: a request at any moment of a
    refresh (here: while each file is read again) sees a complete site, never a 404."""
    import http.server
    import threading

    from liaison import live, memo, serve

    statuses = []
    state = serve.State(live.LiveSite(example_site, dt.date(2026, 11, 26)))
    serve.rebuild(state, lambda msg: None)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), serve.make_handler(state))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/"
    real = memo.Memo.file

    def file_and_ask(self, rel, read):
        if len(statuses) < 40:
            for page in ("", "physicians/nina-vargas/index.html"):
                try:
                    with urllib.request.urlopen(base + page, timeout=10) as r:
                        statuses.append(r.status)
                except urllib.error.HTTPError as exc:
                    statuses.append(exc.code)
        return real(self, rel, read)

    try:
        for path in (example_site / "data" / "physicians").iterdir():
            os.utime(path)  # changed on disk as far as the memo can tell: read again
        monkeypatch.setattr(memo.Memo, "file", file_and_ask)
        serve.rebuild(state, lambda msg: None)
        monkeypatch.setattr(memo.Memo, "file", real)
        assert len(statuses) == 40 and set(statuses) == {200}, statuses
        assert state.errors is None and state.version == 2
        assert "Dashboard" in _get(base)
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_promise_opened_in_a_file_edited_lately_warns_of_the_copy_done_in_another(
        example_site):
    """``serve`` keeps the promise events of the files not edited lately only where they
    can warn among those files: a follow-up done and promised once is left out. When a save
    of a file edited lately opens the same promise earlier (a visit of March logged late in
    this month's file), the copy written done in the other file is warned of, as
    ``validate`` warns of it; and the warning goes once the promise is taken back."""
    from liaison.live import LiveSite

    interactions = example_site / "data" / "interactions"
    (interactions / "2026" / "03").mkdir(parents=True, exist_ok=True)
    done = interactions / "2026" / "03" / "done.yaml"
    done.write_text("date: 2026-03-10\nliaison: lena-brooks\ntype: visit\n"
                    "practice: french-broad-podiatry\nsummary: Dropped off the flyers.\n"
                    "follow_ups:\n  - {task: Drop off the flyers, due: 2026-03-20, "
                    "done: 2026-03-12}\n")
    site = LiveSite(example_site, dt.date(2026, 11, 26))
    assert site.refresh().ok
    late = interactions / "2026" / "11" / "late.yaml"
    late.write_text("date: 2026-11-20\nliaison: lena-brooks\ntype: call\n"
                    "practice: french-broad-podiatry\nsummary: Called.\n")
    assert site.refresh().ok  # (now a file edited lately)
    text = late.read_text()
    late.write_text("- " + text.replace("\n", "\n  ").rstrip() + "\n"
                    "- {date: 2026-03-02, liaison: lena-brooks, type: call, "
                    "practice: french-broad-podiatry, summary: Promised flyers., "
                    "follow_ups: [{task: drop off the  flyers, due: 2026-03-15}]}\n")
    warned = [line for line in site.refresh().lines if "done where it was promised" in line]
    assert [line.split(":", 1)[0] for line in warned] == ["data/interactions/2026/03/done.yaml"]
    _code, _out, err = run_validate(example_site, "--as-of", "2026-11-26")
    assert [line for line in err if "done where it was promised" in line] == warned
    late.write_text(text)
    assert not [line for line in site.refresh().lines if "done where it was promised" in line]


def test_a_refresh_reads_only_the_changed_files_and_shows_the_change(example_site):
    """What ``serve`` does on a save: one file read again, the checks and sums of the other
    files reused, and the next page asked for shows the change."""
    from liaison.live import LiveSite

    site = LiveSite(example_site, dt.date(2026, 11, 26))
    first = site.refresh()
    assert first.ok and first.read > 20 and first.pages > 30
    again = site.refresh()
    assert again.ok and again.read == 0 and site.memo.made == []

    log = sorted((example_site / "data" / "interactions").rglob("*.yaml"))[0]
    text = log.read_text()
    log.write_text(text + "\n# a comment\n")
    edited = site.refresh()
    assert edited.read == 1 and site.memo.read == [log.relative_to(example_site).as_posix()]
    # the referral rows' rules, sums and index are kept; those of the other interaction
    # files are made once more, without the edited file, which is worked through apart
    # (the statistics too: what they are made from is split otherwise; and the others'
    # interactions in order, into which those of the edited file are merged; and the
    # others' events for the warnings of spend over the limit and of a promise made twice) ...
    made = {name for name in site.memo.made if not name.startswith("place ")}  # its warnings
    assert made == {"check interactions", "sum interactions", "view interactions", "statistics",
                    "interactions in order", "interaction events"}
    log.write_text(text + "\n# another comment\n")
    edited = site.refresh()
    # ... so that the next save of the same file reuses them all
    assert edited.read == 1
    assert [name for name in site.memo.made if not name.startswith("place ")] == []

    # told which file changed (the watcher's word), nothing else is even looked at
    log.write_text(text)
    quiet = example_site / "data" / "physicians" / "nina-vargas.yaml"
    quiet.write_text(quiet.read_text() + "\n# unseen\n")
    told = site.refresh(changed={log.relative_to(example_site).as_posix()})
    assert told.read == 1 and site.memo.read == [log.relative_to(example_site).as_posix()]
    assert site.refresh().read == 1 and site.memo.read == ["data/physicians/nina-vargas.yaml"]

    practice = example_site / "data" / "practices" / "french-broad-podiatry.yaml"
    practice.write_text(practice.read_text().replace("name: French Broad Podiatry",
                                                     "name: French Broad Foot Care"))
    renamed = site.refresh()
    assert renamed.ok and renamed.read == 1
    assert site.memo.made == ["deck templates"], "a practice's name changes no rule or sum"
    page, ctype = site.get("practices/french-broad-podiatry/index.html")
    assert ctype == "text/html; charset=utf-8" and b"French Broad Foot Care" in page
    assert b"French Broad Foot Care" in site.get("practices/index.html")[0]
    # what build writes beside the pages and apart from them is there too, made on demand
    for rel in ("stats.json", "calendar.ics", "assets/style.css", "search/index.js",
                "exports/physicians.csv"):
        assert site.get(rel) is not None, rel
    assert site.get("no/such/page.html") is None


def test_a_save_of_the_same_size_within_a_coarse_time_tick_is_seen(example_site, monkeypatch):
    """On a file system with coarse times (FAT's 2 s, some network shares' 1 s) two saves of
    the same size within one tick leave the file's size and times as they were: the memo took
    the second save for no change, and the page kept the first."""
    from liaison import memo
    from liaison.live import LiveSite

    real = memo.Memo._signature

    def coarse(self, rel):  # the times such a file system keeps: to the 2 s, no change time
        sig = real(self, rel)
        if sig is None:
            return None
        tick = sig[1] // 2_000_000_000 * 2_000_000_000
        return (sig[0], tick, tick, *sig[3:])

    monkeypatch.setattr(memo.Memo, "_signature", coarse)
    practice = example_site / "data" / "practices" / "french-broad-podiatry.yaml"
    text = practice.read_text()
    site = LiveSite(example_site, dt.date(2026, 11, 26))
    assert site.refresh().ok
    rel = practice.relative_to(example_site).as_posix()
    now = time.time_ns()
    for name in ("French Broad Foot Care", "French Broad Foot Team"):  # the same length
        practice.write_text(text.replace("name: French Broad Podiatry", f"name: {name}"))
        os.utime(practice, ns=(now, now))
        told = site.refresh(changed={rel})
        assert told.ok and site.memo.read == [rel], name
        assert name.encode() in site.get("practices/french-broad-podiatry/index.html")[0]
    again = site.refresh(changed={rel})  # an unchanged file is not read again
    assert again.ok and again.read == 0


def test_a_refresh_makes_the_statistics_again_only_when_what_they_read_changed(example_site):
    """A save whose sums are the same (a summary, a physician's name) leaves the statistics
    as they were (at 10,000 physicians ``stats.finalize`` and the merge of the sums took
    0.3-0.5 s of every save); one that changes a sum (an interaction's type) or what they
    read of a record besides the sums (a tier) makes them again, as a fresh run makes them."""
    from liaison.live import LiveSite
    from liaison.pipeline import check

    as_of = dt.date(2026, 11, 26)
    site = LiveSite(example_site, as_of)
    assert site.refresh().ok
    visit = example_site / "data" / "interactions" / "2026" / "11" / "2026-11-19-hendersonville-visit.yaml"
    doc = example_site / "data" / "physicians" / "nina-vargas.yaml"
    figures = []
    for path, old, new, again in [
            (visit, "summary: Met", "summary: We met", None),  # (split off, if it was not)
            (visit, "summary: We met", "summary: Then met", False),
            (doc, "name: Nina Vargas", "name: Nina Vargas-Lee", False),
            (visit, "type: visit", "type: call", True),  # no longer in person
            (doc, "tier: C", "tier: A", True)]:  # her visits now overdue
        text = path.read_text()
        assert old in text
        path.write_text(text.replace(old, new, 1))
        done = site.refresh()
        assert done.ok, done.lines
        assert again is None or ("statistics" in site.memo.made) is again, (path.name, new)
        stats = site.current.view.stats
        assert stats == check(example_site, as_of, use_cache=False).stats, (path.name, new)
        figures.append(stats)
    assert figures[1] is figures[0] and figures[2] is figures[0]
    assert figures[3].totals.in_person_90d == figures[2].totals.in_person_90d - 1
    assert not figures[3].physicians["nina-vargas"].visit_overdue
    assert figures[4].physicians["nina-vargas"].visit_overdue


def test_the_interactions_of_a_refresh_are_in_the_order_a_full_load_gives(example_site):
    """The interactions of the files not edited lately are kept in order from save to save,
    and those of the edited files merged in (``load.load_bulk_again``): the site's
    interactions, and where each comes from, are those a fresh check lists, in its order
    (by date, then by file, then by place in the file), also for visits on the same day as
    those of other files."""
    from liaison.live import LiveSite
    from liaison.load import load_site

    site = LiveSite(example_site, dt.date(2026, 11, 26))
    assert site.refresh().ok
    folder = example_site / "data" / "interactions"
    edited = folder / "2026" / "h1.yaml"  # listed after the 2026/10 and 2026/11 folders
    text = edited.read_text()
    for day in ("2026-10-27", "2026-10-12", "2026-11-06"):  # days of files listed before
        text += (f'\n- date: "{day}"\n  liaison: lena-brooks\n  type: call\n'
                 f"  practice: mountain-view-family-medicine\n  summary: A call on {day}.\n")
        edited.write_text(text)
        assert site.refresh().ok
        shown = site.current.view.site
        fresh = load_site(example_site)[0]
        assert len(shown.interactions) > 20
        assert [shown.src[id(r)] for r in shown.interactions] == \
            [fresh.src[id(r)] for r in fresh.interactions], day
        assert [r.summary for r in shown.interactions] == [r.summary for r in fresh.interactions]
    assert "interactions in order" not in site.memo.made  # (the others' kept as they were)


def _cycles() -> list[str]:
    """The kinds of objects the cyclic collector finds unreachable, frozen ones included
    (``LiveSite.refresh`` freezes what it made)."""
    import gc

    gc.unfreeze()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.collect()
        return sorted({type(o).__name__ for o in gc.garbage})
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.collect()  # (what DEBUG_SAVEALL kept: freed now)


def test_a_refresh_freezes_no_garbage(example_site):
    """A refresh freezes what it made out of the cyclic collector's scans (0.4-0.5 s a save
    at 10,000 physicians, and a full collection of 3.3 s every few saves, without), once
    the cycles it made are collected: a cycle frozen would never be freed (the server would
    grow at every save; the check of the decks' templates makes a Jinja environment, which
    holds cycles, when a practice changes). The first refresh and the saves of each kind of
    record file leave nothing for the collector to find. (The first refresh is not asked:
    it may drop what libraries cached before it, old objects that no scan of the young
    ones sees, as the collections between refreshes did not either.)"""
    from liaison.live import LiveSite

    site = LiveSite(example_site, dt.date(2026, 11, 26))
    assert site.refresh().ok
    _cycles()  # what the test's set-up and the first refresh left
    data = example_site / "data"
    for path, old, new in [
            (sorted((data / "interactions").rglob("*.yaml"))[0], "summary: ", "summary: Again, "),
            (data / "physicians" / "nina-vargas.yaml", "\n", "\n# a comment\n"),
            (data / "practices" / "french-broad-podiatry.yaml", "name: French Broad Podiatry",
             "name: French Broad Foot Care"),
            (sorted((data / "referrals").glob("*.csv"))[0], "\n", "\n", )]:
        text = path.read_text()
        path.write_text(text.replace(old, new, 1) if old != new else text + "\n")
        assert site.refresh().ok
        assert _cycles() == [], path.name


def test_the_pages_shown_between_saves_leave_no_garbage_frozen(example_site, monkeypatch):
    """What the pages shown between two saves made (a deck page's renderer, its slides'
    templates and Markdown converter) is freed when the save replaces the site: the renderer
    held the view that holds it (a cycle the refresh froze, with the whole view: the server
    grew 6 MiB at every save at 300 physicians when every page was looked at), and what the
    collections while the pages were rendered had moved to the oldest generation was frozen
    without a look (the refresh's scan took the young ones only)."""
    import gc

    from liaison.live import LiveSite

    # (a folder of sys.path that does not exist, python311.zip, has importlib.metadata make
    # its listing again at each look for Markdown's extensions, a few objects of the
    # library's that no save holds)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if os.path.exists(p or ".")])
    site = LiveSite(example_site, dt.date(2026, 11, 26))
    assert site.refresh().ok
    assert any(rel.startswith("presentations/") for rel in site.current.pages)
    _cycles()  # what the test's set-up and the first refresh left
    physician = example_site / "data" / "physicians" / "nina-vargas.yaml"
    physician.write_text(physician.read_text() + "# saved\n")
    assert site.refresh().ok  # (its view frozen with the rest of what it made)
    for rel in sorted(site.current.pages):
        site.get(rel)
    gc.collect()  # (as the collections between saves do: what the pages made is old now)
    physician.write_text(physician.read_text() + "# saved again\n")
    assert site.refresh().ok
    assert _cycles() == []


def test_the_first_save_of_a_newest_interaction_file_reuses_what_the_others_give(example_site):
    """The newest interaction files (the last listed: where this week's visits are logged)
    are worked through apart from the first refresh on, so that the first save of one of
    them makes nothing again from the others (at 10,000 physicians: 1.0 s instead of 4.1 s),
    and an edit of another kind of file leaves that as it was."""
    from liaison.live import LiveSite

    site = LiveSite(example_site, dt.date(2026, 11, 26))
    assert site.refresh().ok
    newest = sorted((example_site / "data" / "interactions" / "2026" / "12").glob("*.yaml"))[-1]
    newest.write_text(newest.read_text().replace("summary: ", "summary: Again, ", 1))
    edited = site.refresh()
    assert edited.ok and site.memo.read == [newest.relative_to(example_site).as_posix()]
    assert [n for n in site.memo.made if not n.startswith("place ")] == []
    assert b"Again, Planned lunch" in site.get("exports/interactions.csv")[0]
    doc = example_site / "data" / "physicians" / "nina-vargas.yaml"
    doc.write_text(doc.read_text() + "\n# a comment\n")
    assert site.refresh().ok
    assert [n for n in site.memo.made if not n.startswith("place ")] == []


def test_a_refresh_with_errors_keeps_the_last_good_site(example_site):
    from liaison.live import LiveSite

    site = LiveSite(example_site, dt.date(2026, 11, 26))
    assert site.refresh().ok
    practice = example_site / "data" / "practices" / "french-broad-podiatry.yaml"
    text = practice.read_text()
    practice.write_text(text.replace("name: French Broad Podiatry", "nmae: French Broad Podiatry"))
    broken = site.refresh()
    assert not broken.ok and broken.errors == 2  # (the name missing, the unknown field)
    # the errors first (the terminal says the first of them), then the site's four warnings
    assert [": error: " in line for line in broken.lines] == [True, True, False, False, False, False]
    assert any("french-broad-podiatry.yaml:1:1: error: name: required field is missing" in line
               for line in broken.lines), broken.lines
    assert b"French Broad Podiatry" in site.get("practices/french-broad-podiatry/index.html")[0]
    practice.write_text(text)
    fixed = site.refresh()
    assert fixed.ok and fixed.read == 1


def test_a_template_that_fails_is_an_error_of_the_refresh(example_site):
    """A template of the site's own that fails is checked as validate checks it: the refresh
    has its error (the terminal says it, every page shows it), not only the page it fails on."""
    from liaison.live import LiveSite

    (example_site / "templates").mkdir()
    (example_site / "templates" / "physician.html").write_text(
        '{% extends "builtin/physician.html" %}{% block content %}{{ 1 // 0 }}{% endblock %}\n')
    refreshed = LiveSite(example_site, dt.date(2026, 11, 26)).refresh()
    assert not refreshed.ok and refreshed.errors == 1
    assert refreshed.lines[0].startswith("templates/physician.html:1:1: error: template error"), refreshed.lines


def test_a_check_that_stops_the_refresh_is_one_error_said_in_the_terminal(example_site, monkeypatch):
    """A refresh whose checks stop with a LiaisonError (not a list of diagnostics) is one
    error, shown and said as the others are ("0 errors in the data", and none said)."""
    from liaison import pipeline, serve
    from liaison.errors import LiaisonError
    from liaison.live import LiveSite

    def stopped(*_args, **_kwargs):
        raise LiaisonError("cannot read 'data/practices': permission denied")

    state = serve.State(LiveSite(example_site, dt.date(2026, 11, 26)))
    monkeypatch.setattr(pipeline, "_check", stopped)
    said: list[str] = []
    serve.rebuild(state, said.append)
    line = "error: cannot read 'data/practices': permission denied"
    assert said == ["1 error in the data; the browser shows them", line]
    assert state.errors == [line]


def test_a_record_saved_again_while_it_was_read_shows_its_last_save_not_a_flash_of_errors(
        example_site, monkeypatch):
    """An editor's two saves in quick succession, the first one broken: the refresh that read
    the first save while the second was being written published its errors, and the open tab
    showed the diagnostics page before the site came back. A failed refresh one of whose
    files was saved again meanwhile reads it again before anything is shown."""
    from liaison import live, memo, serve

    state = serve.State(live.LiveSite(example_site, dt.date(2026, 11, 26)))
    serve.rebuild(state, lambda msg: None)
    practice = example_site / "data" / "practices" / "french-broad-podiatry.yaml"
    text = practice.read_text()
    practice.write_text(text.replace("name: French Broad Podiatry", "nmae: French Broad Podiatry"))
    real = memo.Memo.file
    saves = [text.replace("French Broad Podiatry", "French Broad Foot Care")]

    def second_save_meanwhile(self, rel, read):
        value = real(self, rel, read)
        if rel.endswith("french-broad-podiatry.yaml") and saves:
            practice.write_text(saves.pop())  # (its size differs: the memo sees the change)
        return value

    monkeypatch.setattr(memo.Memo, "file", second_save_meanwhile)
    said = []
    versions = state.version
    serve.rebuild(state, said.append, {"data/practices/french-broad-podiatry.yaml"})
    assert state.errors is None, state.errors
    assert state.version == versions + 1, "one new version: the final state, not the errors first"
    assert any("saved again while it was read" in line for line in said), said
    page = state.live.get("practices/french-broad-podiatry/index.html")[0]
    assert b"French Broad Foot Care" in page


def test_the_diagnostics_page_is_an_answer_the_refresh_waits_for(example_site):
    """The end of a refresh waits (SETTLE_WAIT) for the page the open tab reloads; a tab
    reloading onto the diagnostics page was not counted, so a failed refresh held the server
    0.5 s and the save that fixed it was read only then."""
    import http.server
    import threading

    from liaison import live, serve

    state = serve.State(live.LiveSite(example_site, dt.date(2026, 11, 26)))
    serve.rebuild(state, lambda msg: None)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), serve.make_handler(state))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        state.update(["data/practices/x.yaml:1:1: error: name: required field is missing"])
        seen = state.answered
        assert _failed(f"http://127.0.0.1:{httpd.server_address[1]}/practices/index.html")
        # (counted once the answer is sent: the client may have it a moment before)
        state.wait_answered(seen, 5)
        assert state.answered == seen + 1
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_picture_a_slide_shows_added_or_removed_is_seen_at_the_next_refresh(example_site):
    """A deck's missing picture is an error; once the picture is added (no Markdown file
    changed) the next refresh is clean, and removing it again is an error again (the decks'
    check was kept while the decks' files stayed the same)."""
    from liaison.live import LiveSite

    deck = sorted((example_site / "content" / "presentations").glob("*.md"))[0]
    deck.write_text(deck.read_text(encoding="utf-8").rstrip("\n") + "\n\n![Lab](images/new-lab.png)\n",
                    encoding="utf-8")
    picture = example_site / "content" / "presentations" / "images" / "new-lab.png"
    site = LiveSite(example_site, dt.date(2026, 11, 26))
    missing = site.refresh()
    assert not missing.ok and any("image 'images/new-lab.png': no such file" in line for line in missing.lines)
    picture.parent.mkdir(exist_ok=True)
    picture.write_bytes((REPO / "content" / "presentations" / "images" / "vascular-lab.png").read_bytes())
    added = site.refresh()
    assert added.ok, added.lines
    assert site.get(f"presentations/{deck.stem}/_media/images/new-lab.png")[0] == picture.read_bytes()
    picture.unlink()
    removed = site.refresh()
    assert not removed.ok and any("images/new-lab.png': no such file" in line for line in removed.lines)


def test_a_template_that_fails_shows_its_diagnostic_in_the_browser(server):
    base, root, log = server
    _get(base)
    (root / "templates").mkdir(exist_ok=True)
    (root / "templates" / "physician.html").write_text(
        '{% extends "builtin/physician.html" %}{% block content %}{{ 1 // 0 }}{% endblock %}\n')
    page = _wait(lambda: _failed(base + "physicians/nina-vargas/index.html"),
                 "the template's diagnostic")
    assert "templates/physician.html:1:1: error: template error" in page, page[:2000]
    log.seek(0)
    assert "Traceback" not in log.read()


def test_the_version_request_waits_for_a_change(server):
    """Open tabs ask for the version with the one they have: the answer comes when it
    changes, so a tab reloads as soon as a save is in (no polling interval to wait out)."""
    import threading

    base, root, _log = server
    version = _get(base + "__liaison__/version")
    answers = []
    asking = threading.Thread(
        target=lambda: answers.append((_get(base + f"__liaison__/version?wait={version}"),
                                       time.monotonic())))
    asking.start()
    time.sleep(1.0)
    assert asking.is_alive(), "the request waits while nothing changes"
    practice = root / "data" / "practices" / "french-broad-podiatry.yaml"
    practice.write_text(practice.read_text().replace("French Broad Podiatry", "French Broad Feet"))
    saved = time.monotonic()
    asking.join(TIMEOUT)
    assert answers and answers[0][0] != version
    assert answers[0][1] - saved < 10
    assert "French Broad Feet" in _get(base + "practices/french-broad-podiatry/index.html")


@pytest.mark.parametrize("signame", ["SIGTERM", "SIGHUP", "SIGINT"])
def test_serve_stops_cleanly_and_writes_nothing(example_site, tmp_path, signame):
    import signal

    temp = tmp_path / "tmp"
    temp.mkdir()
    log_path = tmp_path / "serve.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "TMPDIR": str(temp)}
    before = sorted(p.relative_to(example_site) for p in example_site.rglob("*"))
    with open(log_path, "w") as log:
        proc = _serve(example_site, log, env=env, cwd=tmp_path)
    with _killed_if_left(proc):
        base = _wait(lambda: (m := re.search(r"on (http://127\.0\.0\.1:\d+/)", log_path.read_text()))
                     and m.group(1), "the server to start")
        assert "Dashboard" in _get(base)
        proc.send_signal(getattr(signal, signame))
        proc.wait(timeout=30)
    text = log_path.read_text()
    assert "Traceback" not in text, text
    assert list(temp.iterdir()) == [], "serve writes nothing to disk"
    assert sorted(p.relative_to(example_site) for p in example_site.rglob("*")) == before
    assert proc.returncode == 0, text


def test_ctrl_c_pressed_again_while_serve_stops_is_no_traceback(example_site, tmp_path):
    """Ctrl+C pressed twice (or held): the second one, while the server stopped, ended in a
    traceback (liaison.serve.Stop: 2) and exit status 1. Signals after the first are now
    let be: it stops as after one."""
    import signal

    log_path = tmp_path / "serve.log"
    with open(log_path, "w") as log:
        proc = _serve(example_site, log, cwd=tmp_path)
    with _killed_if_left(proc):
        _wait(lambda: "serving " in log_path.read_text(), "the server to start")
        for _ in range(8):  # (the stop takes up to 0.5 s: some land while it stops)
            if proc.poll() is not None:
                break
            proc.send_signal(signal.SIGINT)
            time.sleep(0.05)
        proc.wait(timeout=30)
    text = log_path.read_text()
    assert "Traceback" not in text, text
    assert text.rstrip().endswith("stopped (SIGINT)"), text
    assert proc.returncode == 0, text


@pytest.mark.parametrize("which", ["sample", "contract example"])
def test_every_file_served_is_the_file_build_writes(which, example_site, tmp_path):
    """Pages, exports, calendars, assets and the files beside pages (a deck's .pptx and its
    pictures, the search index, the logging form's data): rendered on demand, byte for byte
    what ``build`` writes."""
    import shutil

    from liaison.live import LiveSite
    from liaison.pipeline import build

    root = example_site
    if which == "sample":  # the repository's own sample site: decks, pictures, a logo
        root = tmp_path / "sample"
        for name in ("site.yaml", "data", "content", "templates"):
            if (REPO / name).is_dir():
                shutil.copytree(REPO / name, root / name)
            elif (REPO / name).exists():
                root.mkdir(exist_ok=True)
                shutil.copy(REPO / name, root / name)
    out = tmp_path / "out"
    build(root, dt.date(2026, 11, 26), out)
    site = LiveSite(root, dt.date(2026, 11, 26))
    assert site.refresh().ok
    written = [p for p in out.rglob("*") if p.is_file() and not p.name.startswith(".liaison")]
    assert len(written) > 50
    if which == "sample":
        assert sum(p.suffix == ".pptx" for p in written) > 10
    for path in written:
        rel = path.relative_to(out).as_posix()
        got = site.get(rel)
        assert got is not None, rel
        assert got[0] == path.read_bytes(), rel


def _random_edit(rng, root, kinds=EDITS):
    """One edit a person might save (tests/edits.py: a note, a date, a follow-up done, an
    interaction or a referral row removed, a file added or removed, a physician moved,
    renamed or added, a phone changed…): (its kind, the file it changed)."""
    kind = rng.choice(kinds)
    _what, path, _before = edit(rng, root, kind)
    return kind, path.relative_to(root).as_posix()


@pytest.mark.parametrize("kinds, seed, steps, least", [
    (EDITS, 16, 20, 7),
    # what the outputs of 6 December read: lunches with and without cost, a due date put
    # off, a practice's address, zip and liaison, a referral row's day and source
    (DEPENDENCY_EDITS, 6, 24, 6)])
def test_the_site_in_memory_after_random_edits_is_the_site_build_writes(
        example_site, tmp_path, kinds, seed, steps, least):
    """After each of a series of random edits, every file served equals the file a fresh
    build of the edited site writes (what is kept from refresh to refresh never shows)."""
    import random

    from liaison.live import LiveSite
    from liaison.pipeline import build

    rng = random.Random(seed)
    site = LiveSite(example_site, dt.date(2026, 11, 26))
    assert site.refresh().ok
    compared = set()
    for step in range(steps):
        edit = _random_edit(rng, example_site, kinds)
        done = site.refresh()
        out = tmp_path / f"out-{step}"
        try:
            build(example_site, dt.date(2026, 11, 26), out)
        except Exception:  # an edit that makes the data invalid: the refresh says so too
            assert not done.ok, edit
            continue
        assert done.ok, (edit, done.lines)
        compared.add(edit[0])
        for path in out.rglob("*"):
            if path.is_file() and not path.name.startswith(".liaison"):
                rel = path.relative_to(out).as_posix()
                assert site.get(rel)[0] == path.read_bytes(), (edit, rel)
    assert len(compared) >= least, compared  # most kinds of edit were compared


def _same_in_memory(site, out) -> int:
    """Every file a build wrote into ``out`` is the one ``site`` (a LiveSite) gives at its
    path: how many."""
    written = [p for p in out.rglob("*") if p.is_file() and not p.name.startswith(".liaison")]
    for path in written:
        rel = path.relative_to(out).as_posix()
        got = site.get(rel)
        assert got is not None and got[0] == path.read_bytes(), rel
    return len(written)


def test_the_site_in_memory_after_a_chain_of_edits_is_the_site_build_writes(example_site,
                                                                           tmp_path):
    """Fifteen edits in a row, a refresh after each and nothing built of the site root
    between (the random-edit test above builds the root after each edit): a template override
    made, edited, removed and put back, a physician added and removed, another moved to
    another practice, a practice and a team member added, a practice renamed, a guide and
    site.yaml edited, interactions edited, the as-of date moved. After the seventh step (a build of a copy) and after the last, every file
    served is the file a fresh full build writes."""
    from liaison.live import LiveSite

    site = LiveSite(example_site, dt.date(2026, 11, 26))
    assert site.refresh().ok

    def step(day):
        site.fixed = day
        return site.refresh().ok

    def check(day):
        assert _same_in_memory(site, fresh_build(example_site, day, tmp_path / "fresh")) > 50

    done = chain(random.Random(4), example_site, [
        "template", "note", "doctor added", "practice added", "template edited", "setting",
        "practice renamed", dt.date(2026, 11, 28), "no template", "revert", "doctor removed",
        "move", "member added", "guide", "follow-up"], dt.date(2026, 11, 26), step, check, at=(6,))
    check(dt.date(2026, 11, 28))
    assert not any(d.startswith("refused") for d in done), done
    assert OVERRIDE_MARK in site.get("physicians/nina-vargas/index.html")[0].decode()


def test_a_physician_moved_to_another_practice_moves_their_interactions_in_memory(
        example_site, tmp_path):
    """The pages' index of the interactions files each interaction under the practices of
    the physicians it names: a physician some interaction names, moved to another practice
    (their own file alone saved), makes the index again, and every file served is the file a
    fresh build writes (the index of the files not edited lately was kept, and the new
    practice's brief lacked the interactions)."""
    import yaml

    from edits import edit_yaml
    from liaison.live import LiveSite
    from liaison.pipeline import build

    site = LiveSite(example_site, dt.date(2026, 11, 26))
    assert site.refresh().ok
    logs = "".join(p.read_text() for p in (example_site / "data/interactions").rglob("*.yaml"))
    doc = next(p for p in sorted((example_site / "data/physicians").glob("*.yaml"))
               if p.stem in logs)
    was = yaml.safe_load(doc.read_text())["practice"]
    now = next(p.stem for p in sorted((example_site / "data/practices").glob("*.yaml"))
               if p.stem != was)
    edit_yaml(doc, lambda d: d.update(practice=now))
    assert site.refresh().ok
    out = tmp_path / "out"
    build(example_site, dt.date(2026, 11, 26), out)
    for path in out.rglob("*"):
        if path.is_file() and not path.name.startswith(".liaison"):
            rel = path.relative_to(out).as_posix()
            assert site.get(rel)[0] == path.read_bytes(), rel


def test_an_edited_template_shows_at_the_next_request(example_site):
    """The templates' environment reads each template once (render.make_env): a save of a
    site template makes ``serve`` take a new one, and the next page shows the edit."""
    from liaison.live import LiveSite

    (example_site / "templates").mkdir(exist_ok=True)
    template = example_site / "templates" / "physician.html"
    template.write_text('{% extends "builtin/physician.html" %}'
                        '{% block title %}First draft{% endblock %}\n')
    site = LiveSite(example_site, dt.date(2026, 11, 26))
    assert site.refresh().ok
    assert "<title>First draft · " in site.get("physicians/nina-vargas/index.html")[0].decode()
    template.write_text('{% extends "builtin/physician.html" %}'
                        '{% block title %}Second draft{% endblock %}\n')
    assert site.refresh().ok
    page = site.get("physicians/nina-vargas/index.html")[0].decode()
    assert "<title>Second draft · " in page and "First draft" not in page


@pytest.mark.parametrize("ago", [0, 3_600], ids=["same-time", "old-time"])
def test_a_template_saved_again_with_the_same_size_and_time_shows_at_the_next_request(
        example_site, ago):
    """A template saved twice with the same size and the same modification time shows its
    second save at the next request (the environment was kept, and the page showed the
    first). ``same-time``: a second save within one tick of a coarse file system's clock
    (FAT's 2 s); a template saved in the last 2 s is known by its content too. ``old-time``:
    one overwritten with its modification time put back an hour (``cp -p``, ``rsync -t``, an
    archive unpacked over the site), not known by its content: it keeps size, modification
    time and inode, and its change time moves."""
    from liaison.live import LiveSite

    (example_site / "templates").mkdir(exist_ok=True)
    template = example_site / "templates" / "physician.html"
    when = time.time_ns() - ago * 10**9
    site = LiveSite(example_site, dt.date(2026, 11, 26))
    for draft in ("First draft", "Later draft"):  # the same length
        template.write_text('{% extends "builtin/physician.html" %}'
                            f'{{% block title %}}{draft}{{% endblock %}}\n')
        os.utime(template, ns=(when, when))
        assert site.refresh().ok
        assert f"<title>{draft} · " in site.get("physicians/nina-vargas/index.html")[0].decode()


def test_a_template_saved_twice_in_a_tick_of_a_file_system_with_no_change_time_shows(
        example_site, monkeypatch):
    """On a file system whose times are coarse (FAT's 2 s) and that keeps no change time of
    its own (FAT's is its modification time), a template saved twice within a tick keeps
    size, times and inode: saved in the last 2 s, it is known by its content."""
    import types

    from liaison import live
    from liaison.live import LiveSite

    tick: list[int] = []

    def coarse(path, follow_symlinks=True):  # (what such a file system tells of a file)
        st = os.stat(path, follow_symlinks=follow_symlinks)
        when = tick[0] if tick else st.st_mtime_ns
        return types.SimpleNamespace(st_size=st.st_size, st_ino=st.st_ino, st_mtime_ns=when,
                                     st_ctime_ns=when)

    monkeypatch.setattr(live, "os", types.SimpleNamespace(walk=os.walk, path=os.path, stat=coarse))
    (example_site / "templates").mkdir(exist_ok=True)
    template = example_site / "templates" / "physician.html"
    site = LiveSite(example_site, dt.date(2026, 11, 26))
    for n, draft in enumerate(("First draft", "Later draft", "Third draft")):  # the same length
        if n == 1:  # (the whole site read first: the two saves after it are in one tick)
            tick.append(time.time_ns())
        template.write_text('{% extends "builtin/physician.html" %}'
                            f'{{% block title %}}{draft}{{% endblock %}}\n')
        assert site.refresh().ok
        assert f"<title>{draft} · " in site.get("physicians/nina-vargas/index.html")[0].decode()


def test_the_site_in_memory_at_a_new_day_is_the_site_build_writes_that_day(example_site, tmp_path,
                                                                           monkeypatch):
    """Without --as-of the date moves on with no file saved: what serve keeps between
    refreshes that depends on the date (the statistics, the briefs' index of referral rows,
    the interactions' index) is made again for the new day, and every file served is the
    one a fresh build that day writes."""
    from liaison import pipeline
    from liaison.live import LiveSite

    today = [dt.date(2026, 11, 26)]
    monkeypatch.setattr(pipeline, "resolve_as_of", lambda value, *a, **k: today[0])
    site = LiveSite(example_site)
    assert site.refresh().ok
    today[0] = dt.date(2027, 1, 6)
    assert site.refresh(set()).ok and site.as_of == today[0]
    assert _same_in_memory(site, fresh_build(example_site, today[0], tmp_path / "fresh")) > 50


def test_the_serve_command_leaves_the_date_to_serve_without_as_of(example_site, monkeypatch):
    """`liaison serve` without --as-of gives serve no date, so that it moves on with the day
    (below); with --as-of, that date. (A date resolved by the command pinned the site to the
    day the server started.)"""
    from click.testing import CliRunner

    import liaison.serve
    from liaison.cli import main

    dates = []
    monkeypatch.setattr(liaison.serve, "serve", lambda root, host, port, date: dates.append(date))
    for args in ([], ["--as-of", "2026-11-26"]):
        result = CliRunner().invoke(main, ["serve", "--root", str(example_site), *args])
        assert result.exit_code == 0, result.output
    assert dates == [None, dt.date(2026, 11, 26)]


def test_serve_without_as_of_moves_on_to_a_new_day_unasked(example_site, monkeypatch):
    """Without --as-of, the date is today's: when it moves on while nothing is saved (a
    server left open overnight), the watcher's timeout has serve read the site again at the
    new date, and every page is then the one a build that day writes (it showed yesterday's
    until a file was saved)."""
    import re as re_
    import threading

    import watchfiles

    from liaison import pipeline
    from liaison.live import LiveSite
    from liaison.serve import serve

    today = [dt.date(2026, 11, 26)]
    monkeypatch.setattr(pipeline, "resolve_as_of", lambda value, *a, **k: today[0])
    logged: list[str] = []
    seen: dict[str, object] = {}

    def watch(*_paths, **options):  # the watcher: two quiet timeouts, midnight between
        seen["options"] = options
        base = re_.search(r"on (http://127\.0\.0\.1:\d+/)", " ".join(logged)).group(1)
        seen["before"] = _get(base + "index.html")
        yield set()
        today[0] = dt.date(2027, 1, 6)  # (months later: every figure of the day moves)
        yield set()
        seen["after"] = _get(base + "index.html")
        raise KeyboardInterrupt

    monkeypatch.setattr(watchfiles, "watch", watch)
    thread = threading.Thread(target=serve, args=(example_site,),
                              kwargs={"port": 0, "log": logged.append})
    thread.start()
    thread.join(timeout=120)
    assert not thread.is_alive()
    assert seen["options"].get("yield_on_timeout") is True, seen["options"]
    assert any("a new day" in line for line in logged), logged
    # read at the start and at the new day only: the quiet timeout of the same day read
    # nothing again (else every tab reloaded every 30 s)
    read = [line for line in logged if line.startswith(("ready in", "changed: "))]
    assert len(read) == 2 and all(line.startswith("ready in") for line in read), logged
    fresh = LiveSite(example_site, dt.date(2027, 1, 6))
    assert fresh.refresh().ok
    want = re_.sub(r'data-version="\d+"', "", fresh.get("index.html")[0].decode())
    assert re_.sub(r'data-version="\d+"', "", seen["after"]) != re_.sub(
        r'data-version="\d+"', "", seen["before"])
    got = re_.sub(r'<script src="/__liaison__/reload.js" data-version="\d+"></script>', "",
                  seen["after"]).replace("connect-src 'self'; ", "")
    assert got == want


# --------------------------------------------------------------------------- the handler and
# the refresh in this process: what a browser is answered, what the terminal is told


@contextlib.contextmanager
def _in_process(root):
    """``serve``'s handler over the site at ``root`` (read once, at 2026-11-26) on a free port
    of this process: (its base URL, its State)."""
    import http.server
    import threading

    from liaison import live, serve

    state = serve.State(live.LiveSite(root, dt.date(2026, 11, 26)))
    serve.rebuild(state, lambda msg: None)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), serve.make_handler(state))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", state
    finally:
        httpd.shutdown()
        httpd.server_close()


def _answer(base: str, path: str, method: str = "GET") -> tuple[int, dict, bytes]:
    """One request, no redirect followed: its status, headers and body."""
    import http.client
    from urllib.parse import urlsplit

    u = urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    try:
        conn.request(method, path)
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        conn.close()


def test_each_file_is_answered_with_its_type_and_kept_by_no_browser_cache(example_site):
    """A file is answered with the content type of its name (an export opened by its address
    is a CSV, a deck's .pptx is no text), byte for byte the file (the reload script goes into
    pages only), never kept by the browser (a page kept showed the site of before the save),
    and a HEAD request gets the headers alone."""
    pptx = "presentations/venous-basics/venous-basics.pptx"
    with _in_process(example_site) as (base, state):
        for path, ctype in (
                ("/", "text/html; charset=utf-8"), ("/stats.json", "application/json"),
                ("/exports/physicians.csv", "text/csv"), ("/calendar.ics", "text/calendar"),
                ("/__liaison__/reload.js", "text/javascript"),
                ("/" + pptx, "application/vnd.openxmlformats-officedocument.presentationml.presentation")):
            status, headers, body = _answer(base, path)
            assert (status, headers["Content-Type"], headers["Cache-Control"]) == (200, ctype, "no-store"), path
            assert headers["Content-Length"] == str(len(body)), path
            head = _raw(base, path, "HEAD")
            assert head.startswith(b"HTTP/1.0 200 ") and head.endswith(b"\r\n\r\n"), path
            assert f"Content-Length: {len(body)}\r\n".encode() in head, path
        assert _answer(base, "/" + pptx)[2] == state.live.get(pptx)[0]
        # a page answered is counted: the end of a refresh waits for it, not SETTLE_WAIT. (The
        # count follows the answer's bytes: the last request's may come after the client read
        # them; here GET and HEAD of five files and the .pptx again, reload.js not counted.)
        state.wait_answered(10, 5)
        seen = state.answered
        assert seen == 11
        assert _answer(base, "/physicians/")[0] == 200
        state.wait_answered(seen, 5)
        assert state.answered == seen + 1
        assert _answer(base, "/exports/physicians.csv")[2] == state.live.get("exports/physicians.csv")[0]


def test_a_folder_asked_for_without_its_slash_is_sent_to_its_page(example_site):
    """``/physicians`` typed in the address bar is the directory's page: sent on to
    ``/physicians/`` (its relative links then lead where they should); a name with no page
    below it is not found."""
    with _in_process(example_site) as (base, _state):
        for path in ("/physicians", "/practices/french-broad-podiatry"):
            status, headers, _body = _answer(base, path)
            assert (status, headers["Location"]) == (301, path + "/"), path
            assert _answer(base, path + "/")[0] == 200
        # its query goes along: the search's words, a deck's ?presenter, whatever a page reads
        for path in ("/search?q=Holloway%20vein", "/practices/french-broad-podiatry?from=brief&x=%20y",
                     "/presentations/venous-basics?presenter"):
            status, headers, _body = _answer(base, path)
            folder, query = path.split("?")
            assert (status, headers["Location"]) == (301, f"{folder}/?{query}"), path
        # (not found: the page that reloads itself, for a page's path, with or without its slash)
        for path in ("/exports", "/physicians/no-one", "/physicians/no-one/"):
            status, headers, _body = _answer(base, path)
            assert (status, headers["Content-Type"]) == (404, "text/html; charset=utf-8"), path
        status, headers, _body = _answer(base, "/exports/no-one.csv")
        assert (status, headers["Content-Type"]) == (404, "text/plain")  # (a file's: plain)


def test_the_servers_own_pages_show_what_they_name_as_text_and_keep_no_place(example_site):
    """The diagnostics page and the "Not found" page write a diagnostic's text and the path
    asked for as text (a path or a value holding markup was markup in the page), are HTML
    while the files beside the pages answer text, and are marked as the server's own: the
    place a tab kept is for the page it comes back to."""
    with _in_process(example_site) as (base, state):
        assert 'data-own="1"' not in _answer(base, "/")[2].decode()
        state.update(["data/practices/x.yaml:3:7: error: name: '<b>Elm</b>' is no name"])
        status, headers, body = _answer(base, "/practices/index.html")
        assert (status, headers["Content-Type"]) == (500, "text/html; charset=utf-8")
        text = body.decode()
        assert "<code>data/practices/x.yaml:3:7: error: name: &#x27;&lt;b&gt;Elm&lt;/b&gt;&#x27; is no name</code>" in text
        assert "<b>" not in text and 'data-own="1"' in text
        status, headers, body = _answer(base, "/stats.json")
        assert (status, headers["Content-Type"]) == (500, "text/plain; charset=utf-8")
        state.update(None)
        status, headers, body = _answer(base, "/%3Cb%3Eno-one%3C/b%3E/")
        text = body.decode()
        assert (status, headers["Content-Type"]) == (404, "text/html; charset=utf-8")
        assert "<code>/&lt;b&gt;no-one&lt;/b&gt;/</code>" in text and "<b>" not in text
        assert 'data-own="1"' in text


def test_a_page_whose_template_fails_when_it_is_asked_for_is_answered_500(example_site, monkeypatch):
    """A template that fails when the page is rendered, not in the checks of the refresh:
    that page shows the diagnostic, answered 500 (a link checker took a 200 for the page),
    and the other pages are served."""
    from liaison import render
    from liaison.errors import TemplateFailure

    real = render.render_page

    def failing(view, page, env):
        if page.path == "physicians/nina-vargas/index.html":
            raise TemplateFailure("templates/physician.html:4:2: error: template error: division by zero")
        return real(view, page, env)

    with _in_process(example_site) as (base, _state):
        monkeypatch.setattr(render, "render_page", failing)
        status, headers, body = _answer(base, "/physicians/nina-vargas/")
        assert (status, headers["Content-Type"]) == (500, "text/html; charset=utf-8")
        assert "templates/physician.html:4:2: error: template error: division by zero" in body.decode()
        assert _answer(base, "/physicians/")[0] == 200


class _Scripted:
    """A site in memory whose refreshes give what a test says: ``rebuild`` alone."""

    fixed = None

    def __init__(self, *results):
        self.results = list(results)
        self.refreshes = self.settled = 0

    def refresh(self, changed=None, settle=True):
        self.refreshes += 1
        result = self.results.pop(0)
        if isinstance(result, Exception):
            raise result
        return result

    def settle(self):
        self.settled += 1


def test_the_terminal_says_the_first_20_errors_of_a_refresh_and_how_many_more():
    """The errors of a failed refresh are said in the terminal, the first 20 (the warnings
    after them are the browser's), then how many more there are: none said for 20."""
    from liaison import serve
    from liaison.live import Refreshed

    errors = [f"data/practices/p{n:02}.yaml:1:1: error: name: required field is missing"
              for n in range(25)]
    warnings = [f"data/physicians/d{n}.yaml:2:3: warning: npi: missing" for n in range(3)]
    for count, said_after in ((25, ["... and 5 more: the browser shows them all"]), (20, []),
                              (2, []), (1, [])):
        lines = errors[:count] + warnings
        live = _Scripted(Refreshed(False, lines, 0.1, 1, errors=count))
        state = serve.State(live)
        said = []
        serve.rebuild(state, said.append)
        name = "error" if count == 1 else "errors"
        assert said == [f"{count} {name} in the data; the browser shows them",
                        *errors[:min(count, 20)], *said_after], count
        assert state.errors == lines and state.version == 1
        assert (live.refreshes, live.settled) == (1, 1), "read once (not saved again meanwhile), settled"


def test_a_refresh_that_fails_unexpectedly_shows_its_error_and_the_server_goes_on():
    """A refresh that raises is shown as an error (the last good site is not shown as if it
    were current), and the next one that works brings the site back."""
    from liaison import serve
    from liaison.live import Refreshed

    live = _Scripted(RuntimeError("disk gone"), Refreshed(True, [], 0.1, 1, pages=3))
    state = serve.State(live)
    said = []
    serve.rebuild(state, said.append)
    assert state.errors == ["error: the site could not be read: RuntimeError('disk gone')"]
    assert state.version == 1 and live.settled == 1
    assert said == ["refresh failed unexpectedly: RuntimeError('disk gone')"]
    serve.rebuild(state, said.append)
    assert state.errors is None and state.version == 2 and live.settled == 2


def test_the_version_a_page_is_told_is_this_runs_and_the_wait_for_an_answer_waits():
    """Two runs of serve tell their first version apart (a tab left open across a restart
    reloads); the end of a refresh waits for a page to be answered, not a moment longer."""
    import threading

    from liaison import serve

    before = serve.State(None)
    time.sleep(0.01)
    after = serve.State(None)
    assert before.tag(1) != after.tag(1) and after.tag(1) != after.tag(2)
    start = time.monotonic()
    after.wait_answered(after.answered, 0.3)
    assert time.monotonic() - start >= 0.3, "nothing answered: it waits the time given"
    threading.Timer(0.1, after.answer).start()
    start = time.monotonic()
    after.wait_answered(after.answered, 5)
    assert 0.05 < time.monotonic() - start < 4
