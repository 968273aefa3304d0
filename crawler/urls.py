"""URL rules shared by the spiders: canonical form, same-site checks, continuation pages of multi-page articles."""

from __future__ import annotations

import functools
import re
from urllib.parse import urlsplit, urlunsplit

from w3lib.url import url_query_cleaner

# Tracking/session parameters that make one article look like many URLs.
TRACKING_PARAMS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "spm", "from",
                   "fromid", "share", "sessionid", "phpsessid", "sid",
                   # added by QQ / WeChat / Baidu / ad networks to shared links
                   "tdsourcetag", "wxfrom", "isappinstalled", "scene", "clicktime", "enterid", "share_token",
                   "bd_vid", "gclid", "fbclid")
RESOURCE_RE = re.compile(
    r"\.(jpe?g|png|gif|webp|svg|ico|bmp|css|js|json|xml|pdf|docx?|xlsx?|pptx?|zip|rar|7z|mp3|mp4|swf|apk|exe)$",
    re.I,
)
# DedeCMS/EmpireCMS: 123.html → 123_2.html. The stem must hold a digit and no "_" so that list
# pagination such as index_2.html or list_5_2.html is never mistaken for an article's continuation page.
_PAGE_RE = re.compile(r"^(?P<stem>.*/[^/_]*\d[^/_]*)(?:_(?P<n>\d+))?(?P<ext>\.s?html?)$", re.I)
# PHPCMS: show-6-1234-1.html → show-6-1234-2.html (catid-id-page). Two numbers before the page number,
# so a slug with one id (/zuowen/nainai-1234.html) never looks paged.
_DASH_PAGE_RE = re.compile(r"^(?P<stem>.*/[a-z]+-\d+-\d+)-(?P<n>\d+)(?P<ext>\.s?html?)$", re.I)


@functools.lru_cache(maxsize=1 << 14)
def canonical_url(url: str) -> str:
    """The key an article is stored under: no fragment, no tracking parameters, lower-case host, no :80/:443.

    Cached: a crawl asks again for the same URLs (every page's navigation links, a link as it is found, requested,
    filtered by the incremental middleware and archived), and this was the largest cost of the spider's parse.
    """
    url = url_query_cleaner(url, TRACKING_PARAMS, remove=True, keep_fragments=False)
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port
    if port and not ((parts.scheme == "http" and port == 80) or (parts.scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    return urlunsplit((parts.scheme.lower(), host, parts.path or "/", parts.query, ""))


def host_of(url: str) -> str:
    """Host (with a non-default port) used to keep a crawl on its site."""
    return urlsplit(canonical_url(url)).netloc


def site_key_of(url: str) -> str:
    """The site key a crawl without a config stores articles under: the host name without port or "www.",
    so the same site keeps one key however (and on whichever port) it is reached."""
    host = (urlsplit(canonical_url(url)).hostname or "").lower()
    return host.removeprefix("www.") or host_of(url)


def is_resource(url: str) -> bool:
    """True for links to images, scripts, documents: never pages to crawl."""
    return is_resource_path(urlsplit(url).path)


def is_resource_path(path: str) -> bool:
    """is_resource for a URL's path."""
    return bool(RESOURCE_RE.search(path))


def page_number(url: str) -> tuple[str, int] | None:
    """For an article-like URL return (first page URL, page number): 123_3.html → (123.html, 3),
    show-6-1234-3.html → (show-6-1234-1.html, 3)."""
    parts = urlsplit(url)
    m = _DASH_PAGE_RE.match(parts.path)
    if m:
        first = urlunsplit((parts.scheme, parts.netloc, f"{m['stem']}-1{m['ext']}", "", ""))
        return first, int(m["n"])
    m = _PAGE_RE.match(parts.path)
    if not m:
        return None
    first = urlunsplit((parts.scheme, parts.netloc, m["stem"] + m["ext"], "", ""))
    return first, int(m["n"] or 1)


def continuation_pages(url: str, links: list[str]) -> list[str]:
    """The continuation pages of `url` found among `links`, in page order (page 1 excluded)."""
    this = page_number(url)
    if not this:
        return []
    found: dict[int, str] = {}
    for link in links:
        other = page_number(link)
        if other and other[0] == this[0] and other[1] > 1:
            found.setdefault(other[1], link)
    return [found[n] for n in sorted(found)]
