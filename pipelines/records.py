"""The records handed between stages: fetch → extract/clean → store. Plain dataclasses, no Scrapy."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Fetched:
    """One HTTP response exactly as archived in `pages`."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    encoding: str
    fetched_at: str


@dataclass
class Document:
    """What a spider yields: one page, or a multi-page article stitched from its continuation pages.

    `url` is the canonical URL of the first page; `parts` are in reading order.
    """

    url: str
    site: str
    parts: list[Fetched]
    # "list" (a site config says so) or "duplicate" (rel=canonical names another page): skip extraction
    hint: str | None = None
    extraction: Extraction | None = None  # filled in by the extract pipeline


@dataclass
class Removal:
    """A piece of visible text the cleaner removed, and the rule that removed it (the audit trail)."""

    rule: str
    category: str
    text: str


@dataclass
class EssayPart:
    """One essay of a multi-essay page ("…(通用3篇)")."""

    ordinal: int
    heading: str
    text: str


@dataclass
class Extraction:
    """The result of extracting and cleaning one document.

    `kind` is "article" when an essay was found; otherwise it names why the page is not one
    ("list", "search", "not-found", "captcha", "login", "blocked", "empty", "duplicate", "http-<status>",
    "garbage"). `reason` says why the page is not an article, in words (stored as pages.reason): for a
    "garbage" page its first word is the garbage kind (binary, undecodable, mojibake); for the others the
    evidence that rejected it (pipelines/extract.py).
    """

    kind: str
    reason: str = ""
    title: str = ""
    published: str | None = None
    category: str | None = None
    author: str | None = None
    text: str = ""
    truncated: bool = False
    removed: list[Removal] = field(default_factory=list)
    parts: list[EssayPart] = field(default_factory=list)

    @property
    def is_article(self) -> bool:
        return self.kind == "article"
