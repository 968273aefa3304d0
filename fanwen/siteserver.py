"""Serve a fixture or demo site directory over HTTP, the way a real Chinese 范文 host would answer.

Used by `fanwen demo` and by the crawl tests (127.0.0.1, port 0). Files are served as bytes, never
re-encoded; an optional `<root>/_site.toml` manifest sets the charset in the Content-Type header and per-path
behaviour (error statuses, lying charset headers, delays, 503 + Retry-After for the first N hits, bodies
cut short of their Content-Length). Paths may be percent-encoded in UTF-8 or, as on GBK sites, in GBK.
Files whose name starts with `_` (the manifest, `_expected.json`) are metadata and answer 404.
"""

from __future__ import annotations

import argparse
import hashlib
import mimetypes
import sys
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from fanwen.errors import ConfigError, FanwenError
from fanwen.tomldata import Schema, check_table, read_toml

MANIFEST = "_site.toml"
HTML_SUFFIXES = {".html", ".htm", ".shtml", ".php", ".asp", ".aspx", ".jsp", ""}
SITE_SCHEMA: Schema = {"charset": (False, str), "delay_ms": (False, int), "description": (False, str),
                       "paths": (False, dict)}
PATH_SCHEMA: Schema = {"charset": (False, str), "status": (False, int), "headers": (False, dict),
                       "delay_ms": (False, int), "retry_after": (False, int), "fail_times": (False, int),
                       "cut_at": (False, int), "description": (False, str)}

# nginx's own error pages: what a crawler really meets on these hosts.
ERROR_PAGE = (
    "<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n"
    "<center><h1>{code} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


@dataclass(frozen=True)
class PathRule:
    """Per-path overrides from the manifest; `None` means "as the site default"."""

    charset: str | None = None
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay_ms: int = 0
    retry_after: int | None = None
    fail_times: int | None = None
    cut_at: int | None = None  # send only this many bytes of the body, then close (Content-Length says all)


@dataclass(frozen=True)
class SiteManifest:
    """The parsed `_site.toml`: default charset ("" = none) and rules keyed by URL path."""

    charset: str = ""
    paths: dict[str, PathRule] = field(default_factory=dict)
    delay_ms: int = 0  # every response waits this long (benchmarks model a remote site's latency)


def load_manifest(root: Path) -> SiteManifest:
    """Read `<root>/_site.toml`; a missing file means defaults, a malformed one raises ConfigError."""
    path = root / MANIFEST
    if not path.is_file():
        return SiteManifest()
    data = read_toml(path)
    check_table(data, SITE_SCHEMA, str(path))
    charset = data.get("charset", "")
    delay_ms = data.get("delay_ms", 0)
    if delay_ms < 0:
        raise ConfigError(f"{path}: delay_ms: expected a non-negative integer")
    rules = {}
    for url_path, raw in data.get("paths", {}).items():
        if not url_path.startswith("/") or not isinstance(raw, dict):
            raise ConfigError(f'{path}: paths."{url_path}": expected a table keyed by a path starting "/"')
        rules[url_path] = _parse_rule(path, url_path, raw)
    return SiteManifest(charset=charset, paths=rules, delay_ms=delay_ms)


def _parse_rule(path: Path, url_path: str, raw: dict) -> PathRule:
    where = f'paths."{url_path}".'
    check_table(raw, PATH_SCHEMA, str(path), where)
    for key in ("status", "delay_ms", "retry_after", "fail_times", "cut_at"):
        if raw.get(key, 0) < 0:
            raise ConfigError(f"{path}: {where}{key}: expected a non-negative integer")
    if "status" in raw and raw["status"] not in HTTPStatus._value2member_map_:
        raise ConfigError(f"{path}: {where}status: {raw['status']} is not an HTTP status")
    if "fail_times" in raw and "status" not in raw:
        raise ConfigError(f"{path}: {where}fail_times needs a status to fail with")
    headers = raw.get("headers", {})
    if not all(isinstance(v, str) for v in headers.values()):
        raise ConfigError(f"{path}: {where}headers: expected a table of strings")
    return PathRule(
        charset=raw.get("charset"),
        status=raw.get("status"),
        headers=headers,
        delay_ms=raw.get("delay_ms", 0),
        retry_after=raw.get("retry_after"),
        fail_times=raw.get("fail_times"),
        cut_at=raw.get("cut_at"),
    )


class SiteServer:
    """A running site server. `requests` lists (method, path, status) in arrival order."""

    def __init__(self, root: Path, host: str, port: int, verbose: bool = False) -> None:
        self.root = root.resolve()
        if not self.root.is_dir():
            raise ConfigError(f"site root {root} is not a directory")
        self.manifest = load_manifest(self.root)
        self.verbose = verbose
        self._lock = threading.Lock()
        self._requests: list[tuple[str, str, int]] = []
        self._hits: dict[str, int] = {}
        self._httpd = _QuietServer((host, port), _make_handler(self))
        self._httpd.daemon_threads = True
        # A short poll interval makes stop() quick; tests start and stop many servers.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="siteserver", daemon=True
        )

    @property
    def port(self) -> int:
        """The bound port (useful after asking for port 0)."""
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        """Base URL with a trailing slash, e.g. http://127.0.0.1:43121/."""
        return f"http://{self._httpd.server_address[0]}:{self.port}/"

    @property
    def requests(self) -> list[tuple[str, str, int]]:
        """A snapshot of the requests answered so far."""
        with self._lock:
            return list(self._requests)

    def start(self) -> SiteServer:
        """Start serving in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._thread.is_alive():
            self._httpd.shutdown()
            self._thread.join()
        self._httpd.server_close()

    def __enter__(self) -> SiteServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def record(self, method: str, path: str, status: int) -> None:
        """Remember one answered request (called from handler threads)."""
        with self._lock:
            self._requests.append((method, path, status))

    def count_hit(self, url_path: str) -> int:
        """Count a hit on a path and return how many there have been, this one included."""
        with self._lock:
            self._hits[url_path] = self._hits.get(url_path, 0) + 1
            return self._hits[url_path]


class _QuietServer(ThreadingHTTPServer):
    """A client that hangs up early (a crawler refusing a page over DOWNLOAD_MAXSIZE) is routine, not a
    traceback on stderr."""

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def serve_site(root: Path, host: str = "127.0.0.1", port: int = 0, verbose: bool = False) -> SiteServer:
    """Start serving `root` in a background thread and return the running server."""
    return SiteServer(Path(root), host, port, verbose).start()


def _make_handler(site: SiteServer) -> type[BaseHTTPRequestHandler]:
    class Handler(_SiteHandler):
        server_site = site

    return Handler


class _SiteHandler(BaseHTTPRequestHandler):
    server_site: SiteServer
    protocol_version = "HTTP/1.1"
    timeout = 10  # drop idle keep-alive connections so stop() leaves no busy threads behind

    def version_string(self) -> str:
        return "nginx"

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def log_message(self, format: str, *args: object) -> None:
        if self.server_site.verbose:
            super().log_message(format, *args)

    def _answer(self, send_body: bool) -> None:
        site = self.server_site
        url_path = _unquote_path(urlsplit(self.path).path) or "/"
        rule = site.manifest.paths.get(url_path, PathRule())
        delay_ms = rule.delay_ms or site.manifest.delay_ms
        if delay_ms:
            time.sleep(delay_ms / 1000)
        file = self._locate(url_path)
        if file is not None and file.is_dir():
            self._send(301, b"", "text/html", {"Location": url_path + "/"}, send_body)
            return
        charset = site.manifest.charset if rule.charset is None else rule.charset
        failing = rule.status is not None and (rule.fail_times is None or site.count_hit(url_path) <= rule.fail_times)
        if failing:
            extra = dict(rule.headers)
            if rule.retry_after is not None:
                extra["Retry-After"] = str(rule.retry_after)
            # A configured error status still serves the file if there is one: sites have custom error pages.
            body = file.read_bytes() if file is not None else _error_page(rule.status)
            self._send(rule.status, body, self._content_type(file, charset), extra, send_body)
            return
        if file is None:
            self._send(404, _error_page(404), "text/html", {}, send_body)
            return
        body = file.read_bytes()
        etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
        mtime = int(file.stat().st_mtime)
        validators = {"ETag": etag, "Last-Modified": formatdate(mtime, usegmt=True)}
        if self._not_modified(etag, mtime):
            self._send(304, b"", None, validators | rule.headers, send_body)
            return
        self._send(200, body, self._content_type(file, charset), validators | rule.headers, send_body, rule.cut_at)

    def _locate(self, url_path: str) -> Path | None:
        root = self.server_site.root
        target = (root / url_path.lstrip("/")).resolve()
        if target != root and root not in target.parents:
            return None
        if target.is_dir() and url_path.endswith("/"):
            target = target / "index.html"
        if target.name.startswith("_") or not target.exists():
            return None
        return target

    def _not_modified(self, etag: str, mtime: int) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
            return etag in tags or "*" in tags
        if_modified_since = self.headers.get("If-Modified-Since")
        if if_modified_since:
            try:
                return mtime <= parsedate_to_datetime(if_modified_since).timestamp()
            except (TypeError, ValueError):
                return False
        return False

    @staticmethod
    def _content_type(file: Path | None, charset: str) -> str:
        suffix = file.suffix.lower() if file is not None else ".html"
        if suffix in HTML_SUFFIXES:
            mime = "text/html"
        else:
            mime = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        return f"{mime}; charset={charset}" if charset and mime.startswith("text/") else mime

    def _send(
        self, status: int, body: bytes, content_type: str | None, headers: dict[str, str], send_body: bool,
        cut_at: int | None = None,
    ) -> None:
        # Recorded before answering, so a client that has its response also sees it counted.
        self.server_site.record(self.command, self.path, status)
        self.send_response(status)
        if content_type is not None:
            self.send_header("Content-Type", content_type)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if send_body and status != 304:
            self.wfile.write(body if cut_at is None else body[:cut_at])
        if cut_at is not None:
            self.close_connection = True  # the client is left waiting for bytes that never come


def _unquote_path(path: str) -> str:
    """Percent-decode a request path: UTF-8, or GBK as the links of GBK sites encode it."""
    try:
        return unquote(path, errors="strict")
    except UnicodeDecodeError:
        return unquote(path, encoding="gb18030", errors="replace")


def _error_page(status: int) -> bytes:
    phrase = HTTPStatus(status).phrase
    return ERROR_PAGE.format(code=status, reason=phrase).encode("ascii")


def main(argv: list[str] | None = None) -> int:
    """`python -m fanwen.siteserver ROOT [--port N]`: print the URL, serve until killed."""
    parser = argparse.ArgumentParser(prog="python -m fanwen.siteserver", description=main.__doc__)
    parser.add_argument("root", type=Path, help="site directory (may hold a _site.toml manifest)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)
    try:
        server = serve_site(args.root, args.host, args.port, verbose=args.verbose)
    except (FanwenError, OSError) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return getattr(exc, "exit_code", 1)
    print(server.url, flush=True)
    return run_until_interrupted(server)


def run_until_interrupted(server: SiteServer) -> int:
    """Keep a started server up until Ctrl-C, then stop it; the exit status of a clean stop (0)."""
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
