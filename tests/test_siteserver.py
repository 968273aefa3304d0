"""The fixture/demo site server on real sockets, and the fixture sites' own `_expected.json` files.

The second half guards the fixtures: every expected path is served, every must_contain sentence and every
must_not_contain junk string really occurs on the page, and every page is reachable by following links.
"""

from __future__ import annotations

import html
import http.client
import importlib.resources
import json
import re
import subprocess
import sys
from collections import deque
from datetime import date
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from fanwen.errors import ConfigError
from fanwen.siteserver import SiteServer, load_manifest, serve_site

SITES = Path(__file__).parent / "sites"
DEMO = Path(str(importlib.resources.files("fanwen.data") / "demo"))
FIXTURE_ROOTS = [DEMO] + sorted(p for p in SITES.iterdir() if (p / "_expected.json").is_file())

# A paragraph that only GBK (not GB2312) can encode: 镕 and 堃 are the classic traps.
GBK_PAGE = (
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head>'
    "<body><p>\u3000\u3000朱镕同志和李堃同志在会上发言，全场响起热烈的掌声。</p></body></html>"
).encode("gbk")


def fetch(server: SiteServer, path: str, method: str = "GET", headers: dict[str, str] | None = None):
    """One request on a fresh connection: (status, headers, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request(method, path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.headers, resp.read()
    finally:
        conn.close()


@pytest.fixture
def tiny_site(tmp_path: Path) -> Path:
    """A small GBK site with a manifest exercising every per-path rule."""
    (tmp_path / "news").mkdir()
    (tmp_path / "index.html").write_bytes(GBK_PAGE)
    (tmp_path / "news" / "index.html").write_bytes("<p>列表页</p>".encode("gbk"))
    (tmp_path / "news" / "1.html").write_bytes(GBK_PAGE)
    (tmp_path / "lying.html").write_bytes(GBK_PAGE)
    (tmp_path / "bare.html").write_bytes(GBK_PAGE)
    (tmp_path / "custom500.html").write_bytes("<h1>服务器繁忙</h1>".encode("gbk"))
    (tmp_path / "busy.html").write_bytes(GBK_PAGE)
    (tmp_path / "robots.txt").write_bytes(b"User-agent: *\nDisallow: /admin/\n")
    (tmp_path / "_expected.json").write_text("{}", encoding="utf-8")
    (tmp_path / "_site.toml").write_text(
        """
charset = "gbk"
[paths."/lying.html"]
charset = "utf-8"
[paths."/bare.html"]
charset = ""
[paths."/custom500.html"]
status = 500
[paths."/gone.html"]
status = 410
[paths."/busy.html"]
status = 503
fail_times = 2
retry_after = 1
headers = { "X-Cache" = "MISS" }
[paths."/news/1.html"]
headers = { "X-Powered-By" = "PHP/5.2.17" }
""",
        encoding="utf-8",
    )
    return tmp_path


@pytest.fixture
def server(tiny_site: Path):
    with serve_site(tiny_site) as running:
        yield running


def test_url_and_port_are_the_bound_socket(server: SiteServer) -> None:
    assert server.port > 0
    assert server.url == f"http://127.0.0.1:{server.port}/"


def test_bytes_are_served_unchanged_with_the_manifest_charset(server: SiteServer, tiny_site: Path) -> None:
    status, headers, body = fetch(server, "/news/1.html")
    assert status == 200
    assert body == (tiny_site / "news" / "1.html").read_bytes()
    assert headers["Content-Type"] == "text/html; charset=gbk"
    assert headers["Content-Length"] == str(len(body))
    assert headers["X-Powered-By"] == "PHP/5.2.17"


def test_per_path_charset_can_lie_or_be_absent(server: SiteServer) -> None:
    _, lying, body = fetch(server, "/lying.html")
    assert lying["Content-Type"] == "text/html; charset=utf-8"
    assert body == GBK_PAGE  # the header lies; the bytes stay GBK
    _, bare, _ = fetch(server, "/bare.html")
    assert bare["Content-Type"] == "text/html"


def test_directory_urls_serve_index_and_redirect_without_slash(server: SiteServer) -> None:
    status, _, body = fetch(server, "/news/")
    assert (status, body.decode("gbk")) == (200, "<p>列表页</p>")
    status, headers, _ = fetch(server, "/news")
    assert status == 301
    assert headers["Location"] == "/news/"


def test_robots_txt_is_plain_text(server: SiteServer) -> None:
    status, headers, body = fetch(server, "/robots.txt")
    assert status == 200
    assert headers["Content-Type"].startswith("text/plain")
    assert b"Disallow: /admin/" in body


@pytest.mark.parametrize("path", ["/missing.html", "/_site.toml", "/_expected.json", "/../../etc/passwd"])
def test_missing_metadata_and_escaping_paths_answer_404(server: SiteServer, path: str) -> None:
    status, headers, body = fetch(server, path)
    assert status == 404
    assert b"404 Not Found" in body
    assert headers["Content-Type"] == "text/html"


def test_configured_errors_use_the_file_or_a_server_page(server: SiteServer) -> None:
    status, _, body = fetch(server, "/custom500.html")
    assert (status, body.decode("gbk")) == (500, "<h1>服务器繁忙</h1>")
    status, _, body = fetch(server, "/gone.html")
    assert status == 410
    assert b"410 Gone" in body


def test_busy_path_answers_503_with_retry_after_then_200(server: SiteServer) -> None:
    answers = [fetch(server, "/busy.html") for _ in range(3)]
    assert [a[0] for a in answers] == [503, 503, 200]
    assert answers[0][1]["Retry-After"] == "1"
    assert answers[0][1]["X-Cache"] == "MISS"
    assert answers[2][2] == GBK_PAGE
    assert "Retry-After" not in answers[2][1]


def test_head_sends_headers_without_a_body(server: SiteServer) -> None:
    _, get_headers, body = fetch(server, "/news/1.html")
    status, headers, head_body = fetch(server, "/news/1.html", method="HEAD")
    assert (status, head_body) == (200, b"")
    assert headers["Content-Length"] == str(len(body))
    assert headers["ETag"] == get_headers["ETag"]


def test_conditional_get_answers_304(server: SiteServer, tiny_site: Path) -> None:
    _, headers, _ = fetch(server, "/index.html")
    etag, modified = headers["ETag"], headers["Last-Modified"]
    status, _, body = fetch(server, "/index.html", headers={"If-None-Match": etag})
    assert (status, body) == (304, b"")
    status, _, body = fetch(server, "/index.html", headers={"If-Modified-Since": modified})
    assert (status, body) == (304, b"")
    status, _, body = fetch(server, "/index.html", headers={"If-None-Match": '"stale"'})
    assert (status, body) == (200, GBK_PAGE)
    (tiny_site / "index.html").write_bytes(GBK_PAGE + b"<!-- edited -->")
    status, headers, _ = fetch(server, "/index.html", headers={"If-None-Match": etag})
    assert status == 200
    assert headers["ETag"] != etag


def test_requests_are_recorded_in_order(server: SiteServer) -> None:
    fetch(server, "/news/1.html?from=home")
    fetch(server, "/missing.html", method="HEAD")
    assert server.requests == [("GET", "/news/1.html?from=home", 200), ("HEAD", "/missing.html", 404)]


def test_a_site_without_manifest_sends_no_charset(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_bytes(GBK_PAGE)
    with serve_site(tmp_path) as running:
        status, headers, _ = fetch(running, "/")
    assert status == 200
    assert headers["Content-Type"] == "text/html"


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        ("charset = ", "invalid TOML"),
        ("charst = 'gbk'", "charst: unknown key"),
        ('[paths."/a.html"]\nstatus = 999', "999 is not an HTTP status"),
        ('[paths."/a.html"]\nfail_times = 2', "fail_times needs a status"),
        ('[paths."a.html"]\nstatus = 500', 'starting "/"'),
        ('[paths."/a.html"]\nretry_after = "soon"', "retry_after: expected int, got str"),
        ('[paths."/a.html"]\nretry_after = -1', "retry_after: expected a non-negative integer"),
    ],
)
def test_bad_manifest_is_a_one_line_config_error(tmp_path: Path, manifest: str, message: str) -> None:
    (tmp_path / "_site.toml").write_text(manifest, encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(message)) as info:
        load_manifest(tmp_path)
    assert "\n" not in str(info.value)
    assert str(tmp_path / "_site.toml") in str(info.value)


def test_root_must_be_a_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is not a directory"):
        serve_site(tmp_path / "nowhere")


def test_module_main_prints_the_url_and_serves(tiny_site: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "fanwen.siteserver", str(tiny_site), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = proc.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", url)
        conn = http.client.HTTPConnection(urlsplit(url).hostname, urlsplit(url).port, timeout=10)
        conn.request("GET", "/news/1.html")
        resp = conn.getresponse()
        assert (resp.status, resp.read()) == (200, GBK_PAGE)
        conn.close()
    finally:
        proc.terminate()
        _, stderr = proc.communicate(timeout=10)
    assert "GET /news/1.html" not in stderr  # quiet unless --verbose


def test_module_main_reports_a_bad_root_in_one_line(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "fanwen.siteserver", str(tmp_path / "nowhere")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == ConfigError.exit_code
    assert proc.stderr.strip().count("\n") == 0
    assert proc.stderr.startswith("Error: site root ")


# --- the fixture sites themselves -------------------------------------------------------------------


def decode(body: bytes) -> str:
    """The fixture sites are UTF-8 or GBK; GBK text is never valid UTF-8."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("gb18030")


def page_text(body: bytes) -> str:
    """Visible-ish text of a page: decoded, tags dropped, entities resolved."""
    return html.unescape(re.sub(r"<[^>]*>", "", decode(body)))


def site_links(body: bytes, page_url: str, site_url: str) -> list[str]:
    """Links on a page that stay on the site, resolved against the page."""
    links = []
    for href in re.findall(r"""href\s*=\s*["']([^"'#]+)""", decode(body)):
        url = urljoin(page_url, html.unescape(href))
        if url.startswith(site_url) and not href.startswith("javascript:"):
            links.append(url)
    return links


@pytest.fixture(params=FIXTURE_ROOTS, ids=lambda p: p.name)
def fixture_site(request: pytest.FixtureRequest):
    root: Path = request.param
    spec = json.loads((root / "_expected.json").read_text(encoding="utf-8"))
    with serve_site(root) as running:
        yield root, spec, running


def test_expected_json_is_well_formed(fixture_site) -> None:
    root, spec, _ = fixture_site
    articles = spec["articles"]
    paths = [a["path"] for a in articles]
    assert len(paths) == len(set(paths))
    assert not set(paths) & set(spec["non_articles"])
    for art in articles:
        assert art["pages"][0] == art["path"]
        assert art["page_count"] == len(art["pages"])
        assert date.fromisoformat(art["published"]).isoformat() == art["published"]
        assert isinstance(art["truncated"], bool)
        assert art["title"] and art["must_contain"] and art["must_not_contain"]


def test_expected_sentences_occur_on_the_served_pages(fixture_site) -> None:
    _, spec, running = fixture_site
    for art in spec["articles"]:
        text = ""
        for path in art["pages"]:
            status, _, body = fetch(running, path)
            if status == 503:  # a busy page from the manifest; its second answer is the page
                status, _, body = fetch(running, path)
            assert status == 200, path
            text += page_text(body)
        for sentence in art["must_contain"] + art["must_not_contain"]:
            assert sentence in text, f"{art['path']}: {sentence!r} is not on the page"
        assert art["title"] in text


def test_every_page_is_reachable_from_the_home_page(fixture_site) -> None:
    _, spec, running = fixture_site
    wanted = {p for a in spec["articles"] for p in a["pages"]} | set(spec["non_articles"])
    seen, queue = {running.url}, deque([running.url])
    while queue:
        url = queue.popleft()
        path = url[len(running.url) - 1 :]
        status, headers, body = fetch(running, path)
        if status == 503:
            status, headers, body = fetch(running, path)
        if status != 200 or not headers["Content-Type"].startswith("text/html"):
            continue
        for link in site_links(body, url, running.url):
            if link not in seen:
                seen.add(link)
                queue.append(link)
    reached = {url[len(running.url) - 1 :] for url in seen}
    assert wanted <= reached, f"not linked from anywhere: {sorted(wanted - reached)}"


def test_demo_is_plain_files_in_the_package() -> None:
    assert DEMO.is_dir()
    assert not [p for p in DEMO.rglob("*") if p.is_symlink()]
    assert len(json.loads((DEMO / "_expected.json").read_text(encoding="utf-8"))["articles"]) >= 30
