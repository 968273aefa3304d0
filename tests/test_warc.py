"""`fanwen warc`: stored raw responses as WARC 1.1, read back with warcio's ArchiveIterator byte for byte."""

from __future__ import annotations

import shutil
import sqlite3
import zlib
from urllib.parse import urlsplit

from conftest import DEMO, FAST, fanwen
from warcio.archiveiterator import ArchiveIterator


def read_warc(path) -> list:
    records = []
    with open(path, "rb") as stream:
        for record in ArchiveIterator(stream, check_digests="raise"):
            records.append((record.rec_type, record.rec_headers, record.http_headers, record.content_stream().read()))
    return records


def test_warc_round_trip(site_server, tmp_path):
    site_root = tmp_path / "site"
    shutil.copytree(DEMO, site_root)
    site = site_server(site_root)
    db = tmp_path / "fanwen.db"
    assert fanwen("crawl", "--start-url", site.url, "--db", str(db), *FAST).returncode in (0, 3)
    article = site_root / "news" / "1203.html"
    first_version = article.read_bytes()
    article.write_bytes(first_version.replace("同志们".encode(), "各位同志".encode()))
    assert fanwen("crawl", "--start-url", site.url, "--db", str(db), "--refresh", *FAST).returncode in (0, 3)

    out = tmp_path / "archive.warc.gz"
    result = fanwen("warc", "--db", str(db), "-o", str(out))
    assert result.returncode == 0, result.stderr
    records = read_warc(out)
    assert records[0][0] == "warcinfo" and records[0][1].protocol == "WARC/1.1"
    responses = [r for r in records if r[0] == "response"]
    assert result.stderr == f"wrote {len(responses)} response records to {out}\n"

    conn = sqlite3.connect(db)
    stored = sorted((url, fetched_at, status, zlib.decompress(body)) for url, fetched_at, status, body in conn.execute(
        "select url, fetched_at, status, body from pages union all "
        "select url, fetched_at, status, body from page_versions"))
    site_name = conn.execute("select site from pages limit 1").fetchone()[0]
    conn.close()
    written = sorted((h.get_header("WARC-Target-URI"), h.get_header("WARC-Date"), int(http.get_statuscode()), body)
                     for _, h, http, body in responses)
    assert written == stored  # every version, with its URL, fetch time, status and exact bytes
    by_url = {}
    for url, _, _status, body in written:
        by_url.setdefault(url, []).append(body)
    # The bytes the site served: the GBK list pages and both versions of the edited article.
    assert by_url[site.url + "fanwen/"] == [(site_root / "fanwen" / "index.html").read_bytes()]
    assert sorted(by_url[site.url + "news/1203.html"]) == sorted([first_version, article.read_bytes()])
    for _, h, http, body in responses:
        assert http.get_header("Content-Length") == str(len(body))
        assert http.protocol == "HTTP/1.1" and h.get_header("WARC-Payload-Digest")
        assert urlsplit(h.get_header("WARC-Target-URI")).hostname == site_name  # site key: host, not port

    filtered = tmp_path / "none.warc.gz"
    result = fanwen("warc", "--db", str(db), "--site", site_name, "--since", "2999-01-01", "-o", str(filtered))
    assert result.returncode == 0 and [r[0] for r in read_warc(filtered)] == ["warcinfo"]
    # A site the archive does not hold is a mistake (issue 11: unknown site names are errors everywhere).
    unknown = tmp_path / "unknown.warc.gz"
    result = fanwen("warc", "--db", str(db), "--site", "elsewhere", "-o", str(unknown))
    assert result.returncode == 2 and result.stderr.startswith("Error: unknown site 'elsewhere'")
    assert not unknown.exists()


def test_warc_refusals_leave_no_file(tmp_path):
    db = tmp_path / "fanwen.db"
    shutil.copy(DEMO.parent.parent / "tests" / "archives" / "fanwen-0.1.0.db", db)
    result = fanwen("warc", "--db", str(db), "--since", "yesterday", "-o", str(tmp_path / "x.warc.gz"))
    assert result.returncode == 2 and result.stderr.startswith("Error: --since: 'yesterday' is not a date")
    result = fanwen("warc", "--db", str(db), "-o", "-")
    assert result.returncode == 2 and result.stderr.startswith("Error: -o FILE.warc.gz is required")
    result = fanwen("warc", "--db", str(db))
    assert result.returncode == 2 and "-o" in result.stderr
    assert list(tmp_path.iterdir()) == [db]
    # An archive from before page_versions is read as it is (read-only, not migrated).
    result = fanwen("warc", "--db", str(db), "-o", str(tmp_path / "old.warc.gz"))
    assert result.returncode == 0 and result.stderr == f"wrote 116 response records to {tmp_path / 'old.warc.gz'}\n"
