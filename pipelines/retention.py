"""Retention of raw pages: article pages keep every distinct version, other pages only the latest N.

Article pages back `reclean` and `revisions`, so none of their versions is ever pruned. List and
pagination pages (and error, captcha, search pages) are fetched again on every crawl; `pages` holds the
latest of each and `page_versions` the earlier distinct bodies, of which `prune_page_versions` keeps
N - 1, so each such URL has at most N versions. Run by `fanwen prune` and after each finished crawl.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

ARTICLE_KINDS = ("article", "article-part")


@dataclass(frozen=True)
class PruneResult:
    versions: int  # page versions deleted
    urls: int  # distinct URLs they belonged to
    body_bytes: int  # compressed raw bytes they held
    reclaimed: int  # bytes of the file freed for reuse (free pages after - before)


def _free_bytes(conn: sqlite3.Connection) -> int:
    return conn.execute("pragma freelist_count").fetchone()[0] * conn.execute("pragma page_size").fetchone()[0]


def prune_page_versions(conn: sqlite3.Connection, keep: int) -> PruneResult:
    """Delete all but the latest `keep` versions (the one in `pages` included) of every non-article page."""
    if keep < 1:
        raise ValueError(f"keep must be at least 1 (the current version), not {keep}")
    free_before = _free_bytes(conn)
    kinds = ", ".join(f"'{k}'" for k in ARTICLE_KINDS)
    doomed = f"""
        select id from (
          select id, row_number() over (partition by url order by fetched_at desc, id desc) as newer
          from page_versions where coalesce(kind, '') not in ({kinds})
        ) where newer > ?"""
    with conn:
        versions, urls, body_bytes = conn.execute(
            f"select count(*), count(distinct url), coalesce(sum(length(body)), 0) from page_versions"
            f" where id in ({doomed})", [keep - 1]).fetchone()
        conn.execute(f"delete from page_versions where id in ({doomed})", [keep - 1])
    return PruneResult(versions, urls, body_bytes, max(0, _free_bytes(conn) - free_before))


def vacuum(conn: sqlite3.Connection) -> int:
    """Rewrite the file without its free pages; returns the bytes by which it shrank."""
    def size() -> int:
        return conn.execute("pragma page_count").fetchone()[0] * conn.execute("pragma page_size").fetchone()[0]

    before = size()
    conn.execute("vacuum")
    return before - size()
