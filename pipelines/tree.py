"""The parsed page: one lxml tree per page, and the few tree helpers every step shares.

The whole page is parsed once with lxml (comments and processing instructions are dropped by the parser,
so no step ever sees them). Text is read the way a browser lays it out: an element's own text, then each
child followed by the child's tail.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

from lxml import etree

from fanwen.pipelines.records import Removal

Element = etree._Element
# A page-wide removal and the element it was taken from: the audit keeps it when that element lies inside
# the chosen essay element.
Anchored = tuple[Element, Removal]

_PER_THREAD = threading.local()  # a parser's error log is read after its run: one parser per thread
# libxml2 stops parsing at 256 levels of nesting and drops the rest of the page (an old site that never
# closed its <font> tags lost all but its first 125 paragraphs, see _NESTED_PARAGRAPHS). Such a page is parsed
# again without the limit, then flattened below MAX_DEPTH as Chrome's parser does (beyond its 512 levels,
# elements are added as siblings): the walks over the tree recurse, and the essay element is parsed once more
# for its lines.
MAX_DEPTH = 200
_HOLDS_ANY = frozenset({"div", "body", "html", "table", "thead", "tbody", "tfoot", "tr", "ul", "ol", "dl"})
# lxml refuses str input that declares its own encoding; the text is already decoded, so the
# declaration is dropped (only for parsing, the stored raw page keeps it).
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
# Browsers ignore </body> and </html> and keep building the body; libxml2 (2.14) drops everything after
# an early </html>, which some templates print at the end of an included header, before the article.
_END_OF_DOCUMENT = re.compile(r"</(?:body|html)\s*>", re.IGNORECASE)


def parse_html(html: str) -> Element:
    """The <html> element of a decoded page; an empty page gives an empty <html><body>."""
    html = _END_OF_DOCUMENT.sub("", html)
    parser = getattr(_PER_THREAD, "parser", None)
    if parser is None:
        parser = _PER_THREAD.parser = etree.HTMLParser(remove_comments=True, remove_pis=True)
    root = _parse(html, parser)
    deep = any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log)
    if deep:
        root = _parse(html, etree.HTMLParser(remove_comments=True, remove_pis=True, huge_tree=True))
    if root is None:
        return etree.fromstring("<html><body></body></html>", parser)
    for nested in _NESTED_PARAGRAPHS(root):
        _close_paragraph_before(nested)
    if deep:
        _flatten_below(root, MAX_DEPTH)
    return root


# libxml2 leaves a paragraph open while an inline element in it is (<p><font>A<p><font>B: the second <p> in
# the first one's <font>); a browser closes a paragraph where the next one starts. Left nested, each paragraph
# held the rest of the essay, and the essay element (the deepest that keeps most of the text) dropped every
# paragraph above the last few.
_NESTED_PARAGRAPHS = etree.XPath("//p/*//p")


def _close_paragraph_before(p: Element) -> None:
    """Move `p`, and what follows it inside the paragraph that holds it, to after that paragraph."""
    outer = next(p.iterancestors("p"), None)
    if outer is None:  # an earlier move already took it out
        return
    after: list[Element | str] = [p, *p.itersiblings()]
    node = p.getparent()
    while node is not outer:
        # an inline element's tail follows all of its content, the part moved out included
        after += [node.tail or "", *node.itersiblings()]
        node.tail = None
        node = node.getparent()
    _put_after(outer, after)


def _put_after(el: Element, pieces: list[Element | str]) -> None:
    """Insert `pieces` (elements, and strings as the text between them) right after `el`, before its tail."""
    tail, el.tail = el.tail, None  # an element inserted after `el` would land after its tail
    previous = el
    for piece in [*pieces, tail or ""]:
        if isinstance(piece, str):
            previous.tail = (previous.tail or "") + piece or None
        else:
            previous.addnext(piece)
            previous = piece


def _parse(html: str, parser: etree.HTMLParser) -> Element | None:
    try:
        return etree.fromstring(html, parser)
    except ValueError:  # str input that declares its own encoding
        return etree.fromstring(_XML_DECL.sub("", html, count=1), parser)


def _flatten_below(root: Element, depth: int) -> None:
    """Make every element deeper than `depth` a child of its ancestor at `depth`, in document order, each
    element's tail after its last descendant: the text reads as before, blocks still break lines."""
    level = 0
    anchors = []
    for event, el in etree.iterwalk(root, events=("start", "end")):
        level += 1 if event == "start" else -1
        if event == "start" and level == depth and len(el):
            anchors.append(el)
    for anchor in anchors:
        # A <p> (or a link, a list item) holding its flattened descendants would be closed by the first <p>
        # among them when the essay element is parsed again: a <div> holds any of them.
        if anchor.tag not in _HOLDS_ANY:
            anchor.tag = "div"
        child = anchor[0]
        while child is not None:
            if len(child):
                _put_after(child, list(child))
            child = child.getnext()


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
