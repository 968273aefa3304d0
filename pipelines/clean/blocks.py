"""Turn the essay element into lines: one line per paragraph (block element or <br>-separated run).

Each line remembers whether all of its text was link text (a related title, a tag) and whether it is a
heading (<h1>–<h6>, or a paragraph that is entirely bold), which the line rules and the essay splitter use.

The page-wide steps (hidden text, boilerplate, scoring) run on one lxml tree because they touch every
element; the chosen essay element alone is handed to BeautifulSoup, whose tree is the one the line steps
read. That costs about 0.23 ms a page on tests/pages and tests/unseen_pages (0.41 ms before the reused
parser and the attribute-free copy in soup_of), a fraction of a whole-page soup.
"""

from __future__ import annotations

import copy
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

from bs4 import BeautifulSoup, Tag
from bs4.builder import LXMLTreeBuilder
from lxml import etree

from fanwen.pipelines.clean.normalize import normalize_line
from fanwen.pipelines.tree import Element

BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "header", "footer", "aside", "nav", "blockquote", "pre",
    "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody",
    "tfoot", "tr", "td", "th", "caption", "figure", "figcaption", "form", "fieldset", "address", "hr",
    "center", "body", "html",
})
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
BOLD_TAGS = frozenset({"strong", "b"})
_ORDINAL = re.compile(r"^\s*(?:\d{1,2}\s*[.、)）]|[(（]\d{1,2}[)）]|[·•●◆■□▪-])\s*")


@dataclass
class Line:
    """One paragraph of extracted text."""

    text: str
    linked: bool = False
    heading: str | None = None


class _Builder:
    def __init__(self) -> None:
        self.lines: list[Line] = []
        self.parts: list[str] = []
        self.link_chars = 0
        self.bold_chars = 0
        self.heading: str | None = None

    def add(self, text: str, in_link: bool, in_bold: bool) -> None:
        self.parts.append(text)
        n = len(text.strip())
        self.link_chars += n if in_link else 0
        self.bold_chars += n if in_bold else 0

    def flush(self) -> None:
        text = normalize_line("".join(self.parts))
        if text:
            plain = sum(len(p.strip()) for p in self.parts)
            heading = self.heading or ("strong" if plain and self.bold_chars >= plain else None)
            # "1. <a>title</a>": a numbered or bulleted link is still a link line
            ordinal = _ORDINAL.match(text)
            unlinked = plain - self.link_chars - (len(ordinal.group(0).replace(" ", "")) if ordinal else 0)
            self.lines.append(Line(text, linked=self.link_chars > 0 and unlinked <= 0, heading=heading))
        self.parts, self.link_chars, self.bold_chars, self.heading = [], 0, 0, None


def _tree_children(node: Element) -> Iterator[str | Element]:
    if node.text:
        yield node.text
    for child in node:
        if isinstance(child.tag, str):  # entities and other non-element nodes contribute only their tail
            yield child
        if child.tail:
            yield child.tail


def _heading_anchor(el: Element) -> bool:
    """An `<a href="#name">` inside a heading is the heading's own anchor (a docs site links every section
    heading to itself), not a link away: its text is the heading's."""
    href = el.get("href") or ""
    return len(href) > 1 and href.startswith("#") and next(el.iterancestors(*HEADING_TAGS), None) is not None


def _walk(node: Tag | Element, b: _Builder, in_link: bool, in_bold: bool, soup: bool, in_pre: bool = False) -> None:
    # a soup's strings are NavigableStrings, a str subclass (the parser dropped comments, so all are text)
    for child in node.contents if soup else _tree_children(node):
        if isinstance(child, str):
            if in_pre and "\n" in child:  # preformatted text (a poem) breaks its lines where its source does
                first, *more = child.split("\n")
                b.add(first, in_link, in_bold)
                for part in more:
                    b.flush()
                    b.add(part, in_link, in_bold)
            else:
                b.add(child, in_link, in_bold)
            continue
        name = child.name if soup else child.tag
        if name == "br":
            b.flush()
        elif name != "img":
            block = name in BLOCK_TAGS
            if block:
                b.flush()
            link = name == "a" and (soup or not _heading_anchor(child))  # a soup copy has them as <span>
            # A block of <code> stays one line: its lines are code, not text (nor lines a list check should count).
            pre = in_pre or name == "pre" and (child.find("code") if soup else child.find(".//code")) is None
            _walk(child, b, in_link or link, in_bold or name in BOLD_TAGS, soup, pre)
            if block:
                if name in HEADING_TAGS and b.parts:
                    b.heading = name
                b.flush()


class _ReusedParserBuilder(LXMLTreeBuilder):
    """bs4's lxml builder with one lxml parser kept for every page: creating the parser (lxml inspects the
    target's methods) cost more than parsing a whole essay element."""

    _parser: etree.HTMLParser | None = None

    def default_parser(self, encoding: str | None) -> etree.HTMLParser:
        if self._parser is None:
            self._parser = etree.HTMLParser(target=self, recover=True, huge_tree=self.huge_tree, encoding=encoding)
        return self._parser

    def feed(self, markup: str) -> None:
        try:
            super().feed(markup)
        except BaseException:
            self._parser = None  # a parse cut short leaves the parser mid-document: never reuse it
            raise


_BUILDERS = threading.local()  # a parser holds one document at a time: one builder per thread


def soup_of(el: Element) -> Tag:
    """The essay element re-parsed as a BeautifulSoup tag: the tree the line steps read.

    Only tag names and text are read from it, so a copy is serialised without what the walk never reads and
    bs4 would spend its time on: attributes (class lists, style strings), and the source-layout whitespace
    between block elements (a line starts or ends there, and lines are trimmed)."""
    bare = copy.deepcopy(el)
    for anchor in [a for a in bare.iter("a") if _heading_anchor(a)]:
        anchor.tag = "span"
    for node in bare.iter(etree.Element):
        if node.attrib:
            node.attrib.clear()
        if node.tail and node.tag in BLOCK_TAGS and node.tail.isspace():
            node.tail = None
        if node.text and len(node) and node[0].tag in BLOCK_TAGS and node.text.isspace():
            node.text = None
    builder = getattr(_BUILDERS, "builder", None)
    if builder is None:
        builder = _BUILDERS.builder = _ReusedParserBuilder()
    soup = BeautifulSoup(etree.tostring(bare, encoding="unicode", method="html", with_tail=False), builder=builder)
    if el.tag in ("html", "body", "head"):
        found = soup.find(el.tag)
    else:  # the parser wraps the element in <html><body>: step down instead of searching (bs4's find is slow)
        html = _first_tag(soup)
        body = _first_tag(html) if html is not None else None
        found = _first_tag(body) if body is not None and body.name == "body" else None
    return found if isinstance(found, Tag) else soup


def _first_tag(node: Tag) -> Tag | None:
    return next((child for child in node.children if isinstance(child, Tag)), None)


# Beyond this many elements the essay element is read from the lxml tree too: bs4's re-parse of a page-sized
# element (a forum page of 50,000 tags) took seconds, and both walks give the same lines.
SOUP_MAX_ELEMENTS = 5_000


def element_lines(el: Element, *, soup: bool = True) -> list[Line]:
    """The lines of an element in reading order, whitespace-normalised, blank lines dropped.

    The essay element is read through BeautifulSoup; `soup=False` reads the lxml tree directly, for the
    many small elements scanned around the essay (its re-parse would cost more than their text is worth)
    and for elements of more than SOUP_MAX_ELEMENTS elements.
    """
    soup = soup and sum(1 for _ in islice(el.iter(), SOUP_MAX_ELEMENTS + 1)) <= SOUP_MAX_ELEMENTS
    b = _Builder()
    _walk(soup_of(el) if soup else el, b, el.tag == "a", el.tag in BOLD_TAGS, soup)
    b.flush()
    return b.lines
