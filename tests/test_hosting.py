"""The documented nginx recipe, run: the built sample site behind a password, under /liaison/.

docs/publishing.md ("Publishing privately") gives an nginx server block for serving the site
under a sub-path behind HTTP basic auth. This module takes that very block from the page (the
fenced block after the marker comment MARKER), changes only what must differ here — the port,
the certificate, the password file and the site folder — and runs it with Debian's nginx, in
the foreground, on 127.0.0.1 and an ephemeral port, with every file nginx writes in a temporary
folder. The certificate is a throw-away self-signed one made with openssl, and the password
file is made as the page says (`openssl passwd -6`).

Then, over HTTPS, with one fresh connection per request:

- without credentials, with a wrong password and with an unknown user, every file of the built
  site (and a page that does not exist) answers 401 with a basic-auth challenge;
- with the right credentials every file answers 200 with the bytes of the file on disk and the
  content type the recipe promises, and every link (`href`, `src`) of every page, resolved
  against the page's address, answers 200 and stays under /liaison/;
- /liaison redirects to /liaison/; nothing outside /liaison/ serves the site; folders are not
  listed;
- asked for gzip, as every browser asks, the text files come compressed (the stylesheet every
  page waits for, the scripts, the search index, the pages): on a phone's slow connection the
  stylesheet alone took 0.2 s uncompressed; a compressed file seen before answers 304.

Without nginx or openssl the tests are skipped with the reason, except under CI (the
environment variable CI set), where they fail instead: CI installs both (.ci/run), so a skip
there would hide a broken setup (the policy of tests/test_browser.py).
"""
from __future__ import annotations

import base64
import http.client
import os
import re
import shutil
import socket
import ssl
import subprocess
import time
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import build_sample_site

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs" / "publishing.md"
AS_OF = "2026-11-26"
NGINX = "/usr/sbin/nginx"
MIME_TYPES = Path("/etc/nginx/mime.types")
MARKER = "<!-- tested: tests/test_hosting.py serves the sample site with the block below -->"
PREFIX = "/liaison/"
USER, PASSWORD = "maya", "correct horse battery staple"
SERVER_NAME = "intranet.cascadevein.example"

# What the test changes in the documented block: each must occur exactly once (so that an edit
# of the page that renames one of them fails here loudly rather than testing something else).
PORT_LINE = "listen 443 ssl;"
IPV6_LINE = "listen [::]:443 ssl;"
CERT = f"/etc/letsencrypt/live/{SERVER_NAME}/fullchain.pem"
KEY = f"/etc/letsencrypt/live/{SERVER_NAME}/privkey.pem"
HTPASSWD = "/etc/nginx/liaison.htpasswd"
SITE_DIR = "/srv/liaison/site/"

# The content types the recipe promises (nginx's own table, plus .ics and .csv).
CONTENT_TYPES = {
    ".html": {"text/html"},
    ".css": {"text/css"},
    ".js": {"application/javascript", "text/javascript"},
    ".json": {"application/json"},
    ".ics": {"text/calendar"},
    ".csv": {"text/csv"},
    ".pptx": {"application/vnd.openxmlformats-officedocument.presentationml.presentation"},
    ".txt": {"text/plain"},
}
HEADERS = {
    "cache-control": "private, no-cache",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    # Crawlers read robots.txt only at a host's root, never /liaison/robots.txt, and the pages'
    # robots line says nothing of stats.json, the .csv, .ics and .pptx files: the header does.
    "x-robots-tag": "noindex, nofollow",
}
SKIPPED_SCHEMES = ("mailto", "tel", "data")


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _unavailable(reason: str):
    """Skip with the reason; under CI, fail instead (CI must not skip the hosting test)."""
    if _in_ci():
        pytest.fail(f"{reason} (CI is set: the hosting test may not be skipped)", pytrace=False)
    pytest.skip(reason)


# ---------------------------------------------------------------------------------------------
# the documented block


def documented_server_block() -> str:
    """The fenced nginx block that follows MARKER in docs/publishing.md."""
    text = DOCS.read_text(encoding="utf-8")
    assert text.count(MARKER) == 1, f"docs/publishing.md must hold the marker once: {MARKER}"
    after = text.split(MARKER, 1)[1]
    match = re.match(r"\s*```nginx\n(.*?)^```", after, re.S | re.M)
    assert match, "the marker in docs/publishing.md must be followed by a ```nginx block"
    return match.group(1)


def test_documented_block_is_a_whole_recipe():
    block = documented_server_block()
    for needle in (PORT_LINE, IPV6_LINE, CERT, KEY, HTPASSWD, SITE_DIR):
        assert block.count(needle) == 1, f"the documented block should hold {needle!r} once"
    for directive in ("auth_basic ", "auth_basic_user_file ", "alias ", "location /liaison/",
                      "location = /liaison"):
        assert directive in block, f"the documented block lost {directive.strip()!r}"


def adapted_server_block(port: int, cert: Path, key: Path, htpasswd: Path, site: Path) -> str:
    block = documented_server_block()
    for old, new in (
        (PORT_LINE, f"listen 127.0.0.1:{port} ssl;"),
        (IPV6_LINE, "# (IPv6 listener left out by the test)"),
        (CERT, str(cert)),
        (KEY, str(key)),
        (HTPASSWD, str(htpasswd)),
        (SITE_DIR, f"{site}/"),
    ):
        assert block.count(old) == 1, f"the documented block should hold {old!r} once"
        block = block.replace(old, new)
    return block


# ---------------------------------------------------------------------------------------------
# fixtures: the site, the server


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The sample site (the repository root), built once into a temporary folder."""
    return build_sample_site(tmp_path_factory.mktemp("hosting"))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run(args, capture_output=True, text=True, timeout=60, **kwargs)
    assert proc.returncode == 0, f"{' '.join(args)} failed:\n{proc.stdout}{proc.stderr}"
    return proc


class Server:
    def __init__(self, port: int, cafile: Path, site: Path):
        self.port = port
        self.site = site
        self.context = ssl.create_default_context(cafile=str(cafile))
        self.context.verify_flags &= ~getattr(ssl, "VERIFY_X509_STRICT", 0)

    def get(self, path: str, auth: tuple[str, str] | None = None, extra: dict | None = None):
        """(status, headers with lower-case names, body) of one GET on a fresh connection."""
        headers = {"Host": SERVER_NAME, "Connection": "close", **(extra or {})}
        if auth is not None:
            token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=10,
                                           context=self.context)
        try:
            conn.request("GET", path, headers=headers)
            resp = conn.getresponse()
            body = resp.read()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body
        finally:
            conn.close()


@pytest.fixture(scope="module")
def server(request, tmp_path_factory):
    """nginx with the documented block, in the foreground; always stopped at the end."""
    if not os.access(NGINX, os.X_OK):
        _unavailable(f"nginx is not installed ({NGINX}; Debian package nginx)")
    if not MIME_TYPES.is_file():
        _unavailable(f"{MIME_TYPES} is missing (Debian package nginx-common)")
    openssl = shutil.which("openssl")
    if openssl is None:
        _unavailable("openssl is not installed (Debian package openssl)")
    site = request.getfixturevalue("site")  # built only when there is a server to serve it

    base = tmp_path_factory.mktemp("nginx")
    for sub in ("conf", "logs", "temp"):
        (base / sub).mkdir()
    conf = base / "conf"
    # The block's `include mime.types;` is relative to the configuration's folder, as in /etc/nginx.
    shutil.copy(MIME_TYPES, conf / "mime.types")

    cert, key = conf / "cert.pem", conf / "key.pem"
    _run([openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
          "-nodes", "-days", "2", "-subj", f"/CN={SERVER_NAME}",
          "-addext", f"subjectAltName=DNS:{SERVER_NAME},IP:127.0.0.1",
          "-keyout", str(key), "-out", str(cert)])
    # The password file as docs/publishing.md makes it: `openssl passwd -6`.
    hashed = _run([openssl, "passwd", "-6", "-stdin"], input=PASSWORD + "\n").stdout.strip()
    htpasswd = conf / "liaison.htpasswd"
    htpasswd.write_text(f"{USER}:{hashed}\n", encoding="utf-8")

    temp = base / "temp"
    proc = None
    log = base / "logs" / "stderr.log"
    try:
        for attempt in range(5):  # the free port may be taken before nginx binds it: retry
            port = _free_port()
            block = adapted_server_block(port, cert, key, htpasswd, site)
            nginx_conf = conf / "nginx.conf"
            nginx_conf.write_text(
                f"""# written by tests/test_hosting.py: the server block is docs/publishing.md's
daemon off;
master_process off;
pid {base / "logs" / "nginx.pid"};
error_log {base / "logs" / "error.log"} info;
events {{
    worker_connections 64;
}}
http {{
    access_log {base / "logs" / "access.log"};
    client_body_temp_path {temp / "body"};
    proxy_temp_path {temp / "proxy"};
    fastcgi_temp_path {temp / "fastcgi"};
    uwsgi_temp_path {temp / "uwsgi"};
    scgi_temp_path {temp / "scgi"};
    include mime.types;
    default_type application/octet-stream;

{block}
}}
""", encoding="utf-8")
            with open(log, "wb") as err:
                proc = subprocess.Popen(
                    [NGINX, "-p", f"{base}/", "-c", str(nginx_conf), "-e", "stderr"],
                    stdin=subprocess.DEVNULL, stdout=err, stderr=err,
                )
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and proc.poll() is None:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.05)
            if proc.poll() is None:
                break
            output = log.read_text(errors="replace")
            proc = None
            if "Address already in use" not in output or attempt == 4:
                pytest.fail(f"nginx did not start:\n{output}", pytrace=False)
        else:  # pragma: no cover
            pytest.fail("nginx did not start")
        yield Server(port, cert, site)
    finally:
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


# ---------------------------------------------------------------------------------------------
# helpers


def site_files(site: Path) -> list[str]:
    """Every file of the built site, as a path relative to its root (POSIX)."""
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())


def url_of(rel: str) -> str:
    return PREFIX + urllib.parse.quote(rel)


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.links.append(value)

    handle_startendtag = handle_starttag


def links_of(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    parser.close()
    return parser.links


def _check_headers(url: str, status: int, headers: dict, problems: list[str]) -> None:
    for name, value in HEADERS.items():
        if headers.get(name) != value:
            problems.append(f"{url} ({status}): header {name} is {headers.get(name)!r}, "
                            f"the recipe promises {value!r}")


# ---------------------------------------------------------------------------------------------
# the tests


@pytest.mark.parametrize("auth", [None, (USER, "wrong password"), ("mallory", PASSWORD)],
                         ids=["no-credentials", "wrong-password", "unknown-user"])
def test_without_the_right_credentials_every_file_is_401(server, site, auth):
    files = site_files(site)
    assert "index.html" in files and "stats.json" in files
    urls = [url_of(rel) for rel in files] + [PREFIX, PREFIX + "no-such-page.html"]
    problems: list[str] = []
    for url in urls:
        status, headers, body = server.get(url, auth)
        if status != 401:
            problems.append(f"{url}: {status} instead of 401")
            continue
        if not headers.get("www-authenticate", "").startswith("Basic "):
            problems.append(f"{url}: 401 without a basic-auth challenge "
                            f"({headers.get('www-authenticate')!r})")
        _check_headers(url, status, headers, problems)
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems[:40])


def test_with_the_right_credentials_every_page_and_every_link_resolves(server, site):
    auth = (USER, PASSWORD)
    files = site_files(site)
    pages = [rel for rel in files if rel.endswith(".html")]
    assert len(pages) > 50, f"the sample site should have many pages, found {len(pages)}"

    problems: list[str] = []
    fetched: dict[str, int] = {}  # URL path -> status: each URL is fetched once
    bodies: dict[str, bytes] = {}

    def fetch(url: str) -> int:
        if url not in fetched:
            status, headers, body = server.get(url, auth)
            fetched[url] = status
            bodies[url] = body
            if status == 200:
                _check_headers(url, status, headers, problems)
                suffix = Path(urllib.parse.unquote(url)).suffix
                ctype = headers.get("content-type", "").split(";")[0].strip()
                if suffix in CONTENT_TYPES and ctype not in CONTENT_TYPES[suffix]:
                    problems.append(f"{url}: content type {ctype!r}, expected one of "
                                    f"{sorted(CONTENT_TYPES[suffix])}")
        return fetched[url]

    # every file of the site: 200 and the bytes on disk
    for rel in files:
        url = url_of(rel)
        status = fetch(url)
        if status != 200:
            problems.append(f"{url}: {status} instead of 200")
        elif bodies[url] != (site / rel).read_bytes():
            problems.append(f"{url}: the body differs from {rel} on disk")

    # every link of every page
    origin = f"https://{SERVER_NAME}"
    link_count = checked = 0
    for rel in pages:
        page_url = url_of(rel)
        html = bodies[page_url].decode("utf-8")
        for link in links_of(html):
            link_count += 1
            where = f"{rel}: link {link!r}"
            if link.startswith("#"):
                continue
            parts = urllib.parse.urlsplit(link)
            if parts.scheme in SKIPPED_SCHEMES:
                continue
            if parts.scheme in ("http", "https") and parts.netloc not in ("", SERVER_NAME):
                continue  # another site
            if parts.scheme and parts.scheme not in ("http", "https"):
                problems.append(f"{where}: unexpected scheme {parts.scheme!r}")
                continue
            target = urllib.parse.urlsplit(urllib.parse.urljoin(origin + page_url, link))
            path = target.path
            if not path.startswith(PREFIX):
                problems.append(f"{where} leads to {path}, outside {PREFIX}")
                continue
            checked += 1
            status = fetch(path)
            if status != 200:
                problems.append(f"{where} -> {path}: {status}")

    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems[:40])
    print(f"\n{len(pages)} pages, {len(files)} files; {link_count} links, {checked} of them "
          f"internal; {len(fetched)} distinct URLs fetched, all 200")


def test_the_sub_path_without_its_slash_redirects(server, site):
    status, headers, _ = server.get(PREFIX.rstrip("/"))
    assert status == 301, status
    assert urllib.parse.urlsplit(headers.get("location", "")).path == PREFIX, headers
    status, _, body = server.get(PREFIX, (USER, PASSWORD))
    assert status == 200, status
    assert body == (site / "index.html").read_bytes(), "/liaison/ is not the site's index.html"


# Every text type the site holds. Served as they are, the render-blocking stylesheet (43 kB), the
# scripts every page loads and the search index were two thirds of a brief's bytes (70 kB of 104
# in the docs' recipe, where Debian's nginx.conf compresses text/html alone; a Caddyfile without
# `encode` compresses nothing): 0.35 s of a 1.6 Mbit/s phone connection.
COMPRESSED = ["index.html", "assets/style.css", "assets/app.js", "search/index.js",
              "stats.json", "calendar.ics", "exports/physicians.csv", "robots.txt"]


@pytest.mark.parametrize("rel", COMPRESSED)
def test_text_files_come_compressed_to_a_browser_that_asks(server, site, rel):
    import gzip

    raw = (site / rel).read_bytes()
    status, headers, body = server.get(url_of(rel), (USER, PASSWORD),
                                       {"Accept-Encoding": "gzip, deflate, br"})
    assert status == 200, status
    if len(raw) < 1000:  # below gzip_min_length nothing is gained
        return
    assert headers.get("content-encoding") == "gzip", f"{rel} ({len(raw)} bytes) came as is"
    assert gzip.decompress(body) == raw
    assert len(body) < len(raw) / 2, (rel, len(body), len(raw))
    assert "accept-encoding" in headers.get("vary", "").lower(), headers.get("vary")
    _check_headers(rel, status, headers, problems := [])
    assert not problems, problems


def test_a_compressed_file_seen_before_is_not_sent_again(server, site):
    """A phone coming back to a page asks again (no-cache); compressed, the file's ETag turns
    weak (W/"…"), and nginx must still answer 304 to it rather than the whole file."""
    auth, gz = (USER, PASSWORD), {"Accept-Encoding": "gzip"}
    for rel in ("assets/style.css", "physicians/adaeze-montgomery/index.html"):
        status, headers, _ = server.get(url_of(rel), auth, gz)
        assert status == 200 and headers.get("content-encoding") == "gzip", (rel, headers)
        tag = headers.get("etag")
        assert tag, f"{rel}: no ETag to revalidate with"
        status, headers, body = server.get(url_of(rel), auth, {**gz, "If-None-Match": tag})
        assert (status, body) == (304, b""), (rel, status, len(body))
        problems: list[str] = []
        _check_headers(rel, status, headers, problems)
        assert not problems, problems


@pytest.mark.parametrize("path", ["/", "/index.html", "/stats.json", "/site/index.html",
                                  "/liaison/../index.html", "/liaison../site/index.html",
                                  "/liaison/assets/", "/liaison/exports/"])
def test_nothing_else_serves_the_site(server, path):
    """Only /liaison/<file> serves the site: no other path, no escape, no folder listing."""
    status, _, body = server.get(path, (USER, PASSWORD))
    assert status != 200, f"{path} answered 200"
    assert b"Physician relations" not in body and b"<a href=" not in body, body[:200]
