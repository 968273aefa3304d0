"""The parsed page: one lxml tree per page, and the few tree helpers every step shares.

The whole page is parsed once with lxml (comments and processing instructions are dropped by the parser,
so no step ever sees them). Text is read the way a browser lays it out: an element's own text, then each
child followed by the child's tail.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from lxml import etree

from fanwen.pipelines.records import Removal

Element = etree._Element
# A page-wide removal and the element it was taken from: the audit keeps it when that element lies inside
# the chosen essay element.
Anchored = tuple[Element, Removal]

_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True)
# lxml refuses str input that declares its own encoding; the text is already decoded, so the
# declaration is dropped (only for parsing, the stored raw page keeps it).
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
# Browsers ignore </body> and </html> and keep building the body; libxml2 (2.14) drops everything after
# an early </html>, which some templates print at the end of an included header, before the article.
_END_OF_DOCUMENT = re.compile(r"</(?:body|html)\s*>", re.IGNORECASE)


def parse_html(html: str) -> Element:
    """The <html> element of a decoded page; an empty page gives an empty <html><body>."""
    html = _END_OF_DOCUMENT.sub("", html)
    try:
        root = etree.fromstring(html, _PARSER)
    except ValueError:
        root = etree.fromstring(_XML_DECL.sub("", html, count=1), _PARSER)
    if root is None:
        root = etree.fromstring("<html><body></body></html>", _PARSER)
    return root


def body_of(root: Element) -> Element:
    """The page's <body>, or the root when there is none."""
    body = root.find("body")
    return body if body is not None else root


# Every string inside an element (its text, its descendants' texts and tails), as plain str: C speed, and no
# parent reference kept per string.
text_strings = etree.XPath(".//text()", smart_strings=False)


def text(el: Element, sep: str = "") -> str:
    """All text inside `el` (not its tail), strings joined with `sep`."""
    return sep.join(el.itertext())


def ink(string: str) -> int:
    """How many characters of `string` show on screen: all but whitespace (source layout is not text)."""
    return len("".join(string.split()))


def text_head(el: Element, limit: int) -> str:
    """The first `limit` characters of text(el), without joining the rest of the element's text."""
    parts: list[str] = []
    size = 0
    for string in el.itertext():
        parts.append(string)
        size += len(string)
        if size >= limit:
            break
    return "".join(parts)[:limit]


def stripped_len(el: Element) -> int:
    """Characters of text inside `el` with each string stripped (bs4's get_text(strip=True) length)."""
    return sum(len(s.strip()) for s in el.itertext())


def drop(el: Element) -> Element | None:
    """Remove `el` and its subtree but keep its tail text in place; returns the former parent."""
    parent = el.getparent()
    if parent is None:
        return None
    if el.tail:
        previous = el.getprevious()
        if previous is None:
            parent.text = (parent.text or "") + el.tail
        else:
            previous.tail = (previous.tail or "") + el.tail
    parent.remove(el)
    return parent


def is_inside(el: Element, ancestor: Element) -> bool:
    """Whether `el` is `ancestor` or one of its descendants (still attached)."""
    return el is ancestor or any(a is ancestor for a in el.iterancestors())


def visit_undropped(root: Element, visit: Callable[[Element], bool]) -> None:
    """Call `visit` on each element of `root` in document order; when it returns True (it dropped the
    element) the element's subtree is skipped."""
    items = list(root.iter(etree.Element))
    i = 0
    while i < len(items):
        el = items[i]
        i += 1
        if visit(el):
            i += sum(1 for _ in el.iter(etree.Element)) - 1
