"""Turn the essay element into lines: one line per paragraph (block element or <br>-separated run).

Each line remembers whether all of its text was link text (a related title, a tag) and whether it is a
heading (<h1>–<h6>, or a paragraph that is entirely bold), which the line rules and the essay splitter use.
"""

from __future__ import annotations

from dataclasses import dataclass

from .normalize import normalize_line
from .tree import Element

BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "header", "footer", "aside", "nav", "blockquote", "pre",
    "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody",
    "tfoot", "tr", "td", "th", "caption", "figure", "figcaption", "form", "fieldset", "address", "hr",
    "center", "body", "html",
})
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
BOLD_TAGS = frozenset({"strong", "b"})


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
            self.lines.append(Line(text, linked=bool(plain) and self.link_chars >= plain, heading=heading))
        self.parts, self.link_chars, self.bold_chars, self.heading = [], 0, 0, None


def _walk(node: Element, b: _Builder, in_link: bool, in_bold: bool) -> None:
    if node.text:
        b.add(node.text, in_link, in_bold)
    for child in node:
        name = child.tag
        if not isinstance(name, str):  # an entity or other non-element node: only its tail is text
            pass
        elif name == "br":
            b.flush()
        elif name != "img":
            block = name in BLOCK_TAGS
            if block:
                b.flush()
            _walk(child, b, in_link or name == "a", in_bold or name in BOLD_TAGS)
            if block:
                if name in HEADING_TAGS and b.parts:
                    b.heading = name
                b.flush()
        if child.tail:
            b.add(child.tail, in_link, in_bold)


def element_lines(el: Element) -> list[Line]:
    """The lines of an element in reading order, whitespace-normalised, blank lines dropped."""
    b = _Builder()
    _walk(el, b, el.tag == "a", el.tag in BOLD_TAGS)
    b.flush()
    return b.lines
