"""Re-run decode → extract → clean on the raw pages already in the archive (no network).

After a rules change, `fanwen reclean` brings every stored article up to date in place.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from typing import Any

import sqlite_utils

from fanwen.pipelines.process import process_document
from fanwen.pipelines.records import Document, Fetched
from fanwen.pipelines.store import page_body, upsert_article


def stored_document(db: sqlite_utils.Database, url: str, site: str) -> Document | None:
    """Rebuild a (possibly multi-page) document from its stored raw pages, in page order."""
    rows = list(db.query("select * from pages where article_url = ? order by part", [url]))
    if not rows:
        return None
    parts = [Fetched(url=r["url"], status=r["status"], headers=json.loads(r["headers"] or "{}"),
                     body=page_body(r), encoding=r["encoding"] or "", fetched_at=r["fetched_at"])
             for r in rows]
    return Document(url=url, site=site, parts=parts)


def reclean(db: sqlite_utils.Database, sites: Mapping[str, Any], site: str | None = None) -> Counter:
    """Re-extract every stored article (of one site, if given). `sites` maps site names to configs
    (anything with selectors/rules/encoding); unknown sites are cleaned generically.

    Returns counts: updated, unchanged, no-longer-article (kept as it was), missing-pages.
    """
    where, params = ("where site = ?", [site]) if site else ("", [])
    summary: Counter = Counter()
    targets = [(r["url"], r["site"]) for r in db.query(f"select url, site from articles {where}", params)]
    for url, site_name in targets:
        doc = stored_document(db, url, site_name)
        if doc is None:
            summary["missing-pages"] += 1
            continue
        config = sites.get(site_name)
        ext = process_document(
            doc,
            selectors=getattr(config, "selectors", None),
            rules=getattr(config, "rules", ()),
            encoding=getattr(config, "encoding", None),
        )
        if not ext.is_article:
            summary["no-longer-article"] += 1
            continue
        with db.atomic():
            summary[upsert_article(db, doc, ext, None, seen=False)] += 1
    return summary
