"""A site's own name, read from its pages, for crawls without a site config (the generic spider).

Sites put their name in every <title> ("2023年社区党支部工作总结_工作总结_金笔范文网", home page
"金笔范文网_免费范文大全") and sometimes in <meta property="og:site_name">. Each page votes for the first and
last segment of its title; the article's own title gets one vote per page, the site's name one from
nearly every page, so the most frequent segment is the name.
"""

from __future__ import annotations

import re
from collections import Counter
from html import unescape

import sqlite_utils

from fanwen.pipelines.metadata import title_segments
from fanwen.pipelines.store import page_body

_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.I | re.S)
_OG_SITE_NAME = re.compile(r"""<meta[^>]+property\s*=\s*["']og:site_name["'][^>]*>""", re.I)
_CONTENT = re.compile(r"""content\s*=\s*["']([^"']+)["']""", re.I)
# Forum software signs its titles ("Powered by Discuz!"); that is not the site's name.
_SOFTWARE = re.compile(r"powered\s+by|discuz|phpwind|dedecms|wordpress", re.I)
MIN_VOTES = 2  # one page alone cannot tell its own title from the site's name
OG_WEIGHT = 3  # a declared name counts more than a title segment
SAMPLE_PAGES = 40  # stored pages read for the vote; the name is the same on every page
HEAD_BYTES = 16384  # <title> and <meta> live in <head>


class SiteNameVotes:
    """Collects votes from a crawl's pages; `best()` is the name most pages agree on, or None."""

    def __init__(self) -> None:
        self.votes: Counter[str] = Counter()
        self.pages = 0

    def add(self, html: str) -> None:
        """Count one page's votes."""
        self.pages += 1
        head = html[:HEAD_BYTES]
        og = _OG_SITE_NAME.search(head)
        content = _CONTENT.search(og.group(0)) if og else None
        if content and _plausible(name := unescape(content.group(1)).strip()):
            self.votes[name] += OG_WEIGHT
        title = _TITLE.search(head)
        if not title:
            return
        segments = [s for s in title_segments(unescape(title.group(1))) if not _SOFTWARE.search(s)]
        if len(segments) >= 2:
            for name in {segments[0], segments[-1]}:
                if _plausible(name):
                    self.votes[name] += 1

    def best(self) -> str | None:
        """The winning name, when at least MIN_VOTES pages agree."""
        if not self.votes:
            return None
        name, count = self.votes.most_common(1)[0]
        return name if count >= MIN_VOTES else None


def _plausible(name: str) -> bool:
    return 2 <= len(name) <= 30


def site_name_of(db: sqlite_utils.Database, site: str) -> str | None:
    """The name most of a site's stored pages show, or None. Reads the heads of SAMPLE_PAGES pages."""
    votes = SiteNameVotes()
    rows = db.execute("select body, encoding from pages where site = ? and status = 200 order by rowid limit ?",
                      [site, SAMPLE_PAGES]).fetchall()
    for body, encoding in rows:
        head = page_body({"body": body})[:HEAD_BYTES]
        try:
            votes.add(head.decode(encoding or "utf-8", errors="replace"))
        except LookupError:  # an encoding label Python does not know: the page was stored, skip its vote
            continue
    return votes.best()
