"""Make a small archive with the installed fanwen, through the real crawl path, for the migration tests.

Run once per release, BEFORE that release changes the schema, and commit the result:

    .venv/bin/python tests/archives/make_archive.py tests/archives/fanwen-0.1.0.db

It copies the demo site (data/demo) to a temporary directory, serves it on 127.0.0.1 and crawls it with
`fanwen crawl --start-url`; then it edits one article and deletes another and crawls again with
`--refresh`, so the archive holds articles, raw pages (article, list, pagination, multi-part), removals,
article_parts, the search index, two crawls rows, a revision and a 404'd article (gone_urls, gone_at).
The database is vacuumed into one file (no -wal) so it stays small (< 1 MB).
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from fanwen.siteserver import serve_site

ROOT = Path(__file__).resolve().parents[2]
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8"]


def crawl(url: str, db: Path, *extra: str) -> None:
    result = subprocess.run([sys.executable, "-m", "fanwen.cli", "crawl", "--start-url", url, "--db", str(db),
                             "--quiet", *FAST, *extra], capture_output=True, text=True)
    if result.returncode not in (0, 3):
        sys.exit(f"crawl failed ({result.returncode}): {result.stderr}")


def main(out: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        site_root = Path(tmp) / "site"
        shutil.copytree(ROOT / "data" / "demo", site_root)
        db = Path(tmp) / "archive.db"
        with serve_site(site_root) as site:
            crawl(site.url, db)
            page = site_root / "news" / "1203.html"
            page.write_bytes(page.read_bytes().replace("推出了一批含金量高的政策措施".encode(),
                                                       "推出了一批含金量高、惠及面广的政策措施".encode()))
            (site_root / "news" / "1217.html").unlink()
            crawl(site.url, db, "--refresh")
        Path(out).unlink(missing_ok=True)
        conn = sqlite3.connect(db)
        conn.execute("vacuum into ?", [str(Path(out).resolve())])
        conn.close()
    conn = sqlite3.connect(out)
    counts = {t: conn.execute(f"select count(*) from [{t}]").fetchone()[0]
              for t in ("articles", "pages", "removals", "article_parts", "crawls", "revisions", "gone_urls")}
    conn.close()
    print(out, Path(out).stat().st_size, "bytes", counts)


if __name__ == "__main__":
    main(sys.argv[1])
