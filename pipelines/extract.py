"""Extract one essay from its pages: metadata, the essay element, cleaned text, multi-page stitching, parts.

    extract_document([(url, html), ...]) → Extraction
    1. per page: parse (lxml) → metadata (title, date, breadcrumb category, author) → hidden + boilerplate
       steps (pipelines.clean) → page kind (captcha/not-found/login) → essay element (site selector, else
       text-density scoring) → list/search check → line rules → lines
    2. stitch pages in reading order (title from page 1, "(2)"/"第2页" noise dropped)
    3. split multi-essay pages into parts
No selectors are needed: the essay element is the one that holds the most punctuated, unlinked text.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, NavigableString, Tag

from .clean import clean_block, mark_notice_after, prepare_page
from .clean.blocks import Line
from .clean.essays import split_essays
from .clean.normalize import normalize_line
from .clean.selectors import selector_index
from .pagekind import has_password_field, list_kind, refusal_kind
from .records import Extraction, Removal
from .rules import Rule, fold, load_rules, merge_rules

# --- metadata -------------------------------------------------------------------------------------------

_TITLE_SPLIT = re.compile(r"\s*(?:_|\||｜|\s[-–—]\s|--|——\s*[\u4e00-\u9fff]{0,8}网)\s*")
# Forum thread-type tags ("[作文] …"); full-width 【原创】 is part of the title and stays.
_TYPE_TAG = re.compile(r"^\[[^\[\]]{1,8}\]\s*")
_PAGE_NOISE = re.compile(r"\s*(?:[(（]\s*(?:第\s*)?\d{1,2}\s*(?:页)?\s*[)）]|第\s*\d{1,2}\s*页|_\d{1,2})\s*$")
_DATE = (
    r"(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
)
_LABELLED_DATE = re.compile(
    r"(?:发布时间|发表时间|发布日期|发表日期|更新时间|上传日期|上传时间|时间|日期)\s*[:：]?\s*" + _DATE
)
_ANY_DATE = re.compile(_DATE)
_META_DATE_NAMES = ("article:published_time", "og:release_date", "pubdate", "publishdate", "publish_date",
                    "datepublished", "date", "dc.date", "dc.date.issued", "article:modified_time")
_AUTHOR = re.compile(r"作者\s*[:：]\s*([^\s|,，/:：]{1,20}?)(?=\s|$|[|,，/]|来源|时间|发布|日期|点击|\d{4})")
_CRUMB_TEXT = re.compile(r"^\s*(您的)?(当前|现在的)?(所在)?位置\s*[:：是]?")
# The breadcrumb is found by the selectors of the "breadcrumb-box" rule (pipelines/rules/boilerplate.toml).
CRUMB_RULE = "breadcrumb-box"
_HOME = re.compile(r"^(首页|主页|网站首页|返回首页|home)$|网$|^www\.", re.I)


def _text(el: Tag | None) -> str:
    return normalize_line(el.get_text(" ")) if el is not None else ""


def clean_title(raw: str) -> str:
    """Strip site suffixes ("_第一范文网", " - 瑞文网", "|华博范文网") and page-number noise from a title."""
    title = _TYPE_TAG.sub("", normalize_line(raw))
    head = _TITLE_SPLIT.split(title)[0].strip()
    if len(head) >= 2:
        title = head
    return _PAGE_NOISE.sub("", title).strip()


def _select_text(soup: BeautifulSoup, selectors: dict[str, str], key: str) -> str | None:
    if key in selectors:
        text = _text(soup.select_one(selectors[key]))
        return text or None
    return None


def read_title(soup: BeautifulSoup, selectors: dict[str, str]) -> str:
    """Site selector, else the <h1>/<h2> that the <title> contains, else the cleaned <title>."""
    chosen = _select_text(soup, selectors, "title")
    if chosen:
        return clean_title(chosen)
    page_title = _text(soup.title)
    cleaned = clean_title(page_title) if page_title else ""
    folded = fold(cleaned)
    for level in ("h1", "h2"):
        heads = [clean_title(t) for t in (_text(h) for h in soup.find_all(level)) if 2 <= len(t) <= 120]
        # A heading that is the essay title overlaps the <title>'s first segment; a logo heading
        # ("金笔范文网") only matches the site suffix, which clean_title has cut off.
        inside = [t for t in heads if folded and (fold(t) in folded and len(t) >= len(cleaned) * 0.5
                                                  or folded in fold(t))]
        if inside:
            return max(inside, key=len)
        if level == "h1" and len(heads) == 1 and not page_title:
            return heads[0]
    if cleaned:
        return cleaned
    og = soup.find("meta", attrs={"property": "og:title"})
    return clean_title(og.get("content", "")) if og else ""


def _iso(m: re.Match[str]) -> str | None:
    # The day only: times on these sites are upload times of the copy, and the archive compares by day.
    y, mo, d = int(m["y"]), int(m["m"]), int(m["d"])
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def read_published(soup: BeautifulSoup, selectors: dict[str, str], near_title: str) -> str | None:
    """Publication date: site selector, <meta>, <time>, a labelled date, then a bare date next to the title."""
    texts: list[str] = []
    chosen = _select_text(soup, selectors, "date")
    if chosen:
        texts.append(chosen)
    for meta in soup.find_all("meta"):
        name = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        if name in _META_DATE_NAMES and meta.get("content"):
            texts.append(meta["content"])
    for t in soup.find_all("time"):
        texts.append(t.get("datetime") or _text(t))
    for text in texts:
        m = _ANY_DATE.search(fold(text))
        if m and (iso := _iso(m)):
            return iso
    folded = fold(near_title)
    for pattern in (_LABELLED_DATE, _ANY_DATE):
        for m in pattern.finditer(folded):
            if iso := _iso(m):
                return iso
    return None


def read_category(soup: BeautifulSoup, selectors: dict[str, str], title: str, rules: Sequence[Rule]) -> str | None:
    """The breadcrumb's last category (not 首页, not the site, not the essay title)."""
    if "category" in selectors:
        crumb = soup.select_one(selectors["category"])
    else:
        index = selector_index(tuple(r for r in rules if r.id == CRUMB_RULE))
        crumb = next((el for el in (soup.body or soup).find_all(True) if index.match(el)), None)
        if crumb is None:
            node = soup.find(string=_CRUMB_TEXT)
            crumb = node.parent if node is not None else None
    if crumb is None:
        return None
    names = [_text(a) for a in crumb.find_all("a")]
    if not names:
        names = [p.strip() for p in re.split(r">+|›|»|/", _CRUMB_TEXT.sub("", _text(crumb)))]
    folded_title = fold(title)
    names = [n for n in names if n and not _HOME.search(n) and fold(n) != folded_title
             and not (len(n) > 8 and fold(n) in folded_title)]
    return names[-1] if names else None


def read_author(soup: BeautifulSoup, selectors: dict[str, str], near_title: str) -> str | None:
    """The author when the page shows one (作者:…, <meta name=author>), else None."""
    chosen = _select_text(soup, selectors, "author")
    if chosen:
        return re.sub(r"^作者\s*[:：]\s*", "", chosen) or None
    m = _AUTHOR.search(near_title)
    if m:
        return m.group(1)
    meta = soup.find("meta", attrs={"name": "author"})
    content = normalize_line(meta.get("content", "")) if meta else ""
    return content if content and not re.search(r"网|站|com|cn", content) else None


# --- the essay element ------------------------------------------------------------------------------------

# Colons are left out: meta lines (发布时间:… 作者:…) have them, prose has commas and full stops.
_SENTENCE_PUNCT = re.compile(r"[，。！？；、,!?;]")
# Unlinked text in a paragraph-like string counts fully; short labels count this much.
SHORT_WEIGHT = 0.2


@dataclass
class _Scores:
    good: dict[int, float] = field(default_factory=dict)
    link: dict[int, float] = field(default_factory=dict)


def _score(node: Tag, s: _Scores, in_link: bool) -> tuple[float, float]:
    good = link = 0.0
    for child in node.children:
        if isinstance(child, NavigableString):
            if type(child) is not NavigableString:
                continue
            text = child.strip()
            n = len(text)
            if not n:
                continue
            if in_link:
                link += n
            elif n >= 10 and _SENTENCE_PUNCT.search(text):
                good += n
            else:
                good += n * SHORT_WEIGHT
        elif isinstance(child, Tag):
            linkish = in_link or child.name == "a" or (
                child.name in ("li", "dd", "dt") and child.find("a") is not None
            )
            g, lk = _score(child, s, linkish)
            good += g
            link += lk
    s.good[id(node)], s.link[id(node)] = good, link
    return good, link


# Descend into a child that keeps this share of the candidate's text, or that leaves behind only a little
# (at most DESCEND_REST weighted characters and a quarter of its own: a title, an info line, a source note).
DESCEND_SHARE = 0.9
DESCEND_REST = 60


def find_essay_element(body: Tag) -> tuple[Tag, float]:
    """The element holding the most unlinked, punctuated text net of link text; and its text weight."""
    s = _Scores()
    _score(body, s, False)
    best, best_score = body, float("-inf")
    for el in [body, *body.find_all(True)]:
        score = s.good.get(id(el), 0.0) - s.link.get(id(el), 0.0)
        if score >= best_score:
            best, best_score = el, score
    # ≥ keeps the deepest of equal candidates; now climb down through single-child wrappers.
    while True:
        kids = [k for k in best.find_all(True, recursive=False) if id(k) in s.good]
        if not kids:
            break
        top = max(kids, key=lambda k: s.good[id(k)])
        rest = s.good[id(best)] - s.good[id(top)]
        small_rest = rest <= DESCEND_REST and rest <= 0.25 * s.good[id(top)]
        if s.good[id(top)] == 0 or (s.good[id(top)] < DESCEND_SHARE * s.good[id(best)] and not small_rest):
            break
        best = top
    return best, s.good.get(id(best), 0.0)


# Forum threads (Discuz! and clones): the essay is the opening post, the replies are comments.
FIRST_POST = re.compile(r"^postmessage_\d")
MIN_POST_CHARS = 50


def _first_post(body: Tag) -> Tag | None:
    post = body.find(id=FIRST_POST)
    return post if post is not None and len(post.get_text(strip=True)) >= MIN_POST_CHARS else None


def _text_before(body: Tag, block: Tag, limit: int = 600) -> str:
    """Visible text in document order before `block` (the title/info area), last `limit` chars."""
    chunks: list[str] = []
    for node in body.descendants:
        if node is block:
            break
        if type(node) is NavigableString and node.strip():
            chunks.append(node.strip())
    return " ".join(chunks)[-limit:]


# --- pages and documents ----------------------------------------------------------------------------------

@dataclass
class PageResult:
    """What one page contributed: its kind, metadata and cleaned lines."""

    kind: str
    title: str = ""
    published: str | None = None
    category: str | None = None
    author: str | None = None
    lines: list[Line] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)
    truncated: bool = False


_CHUNK_ONE = re.compile(r"^1、")


def _drop_title_lines(lines: list[Line], title: str) -> tuple[list[Line], list[Removal]]:
    """Drop leading lines that repeat the title (with page-number noise or a 文库 "1、" chunk marker)."""
    removed = []
    target = fold(title).replace(" ", "")
    while lines and target and fold(clean_title(_CHUNK_ONE.sub("", lines[0].text))).replace(" ", "") == target:
        removed.append(Removal("title-repeat", "navigation", lines[0].text))
        lines = lines[1:]
    return lines, removed


# List and tag pages show cut-off excerpts ("…安排部..."); an essay does not end its paragraphs that way.
_EXCERPT_END = re.compile(r"(?<![.…])(\.{3,6}|…)$")


def _mostly_excerpts(lines: list[Line]) -> bool:
    cut = [line for line in lines if _EXCERPT_END.search(line.text)]
    if cut and len(cut) == len(lines):  # the last page of a list can hold a single excerpt
        return True
    return len(cut) >= 2 and sum(len(line.text) for line in cut) * 2 >= sum(len(line.text) for line in lines)


# Below this many characters of cleaned text a page holds no essay.
MIN_ESSAY_CHARS = 50
MIN_LIST_LINKS = 5


def extract_page(url: str, html: str, selectors: dict[str, str], rules: Sequence[Rule]) -> PageResult:
    """Extract one page (see module docstring, step 1)."""
    soup = BeautifulSoup(html, "lxml")
    title = read_title(soup, selectors)
    password = has_password_field(soup)
    category = read_category(soup, selectors, title, rules)
    anchored = prepare_page(soup, rules)
    body = soup.body or soup
    visible = normalize_line(body.get_text(" "))
    refusal = refusal_kind(_text(soup.title) or title, visible, password)
    if refusal:
        return PageResult(refusal, title=title)
    block = soup.select_one(selectors["body"]) if "body" in selectors else None
    if block is None:
        block = _first_post(body)
    if block is None:
        block, weight = find_essay_element(body)
    else:
        weight = float(len(block.get_text()))
    kind = list_kind(url, body, block, int(weight))
    if kind:
        return PageResult(kind, title=title)
    near = _text_before(body, block)
    published = read_published(soup, selectors, near + "\n" + _text(block)[:200])
    author = read_author(soup, selectors, near)
    cleaned = clean_block(block, anchored, rules)
    mark_notice_after(cleaned, block, rules)
    lines, title_removed = _drop_title_lines(cleaned.lines, title)
    if _mostly_excerpts(lines):
        return PageResult("list", title=title)
    if sum(len(line.text) for line in lines) < MIN_ESSAY_CHARS:
        # No prose: a forum index or a bare link list is a list; anything else is empty.
        kind = "list" if len(body.find_all("a", href=True)) >= MIN_LIST_LINKS else "empty"
        return PageResult(kind, title=title)
    return PageResult("article", title, published, category, author, lines, title_removed + cleaned.removed,
                      cleaned.truncated)


def extract_document(
    pages: list[tuple[str, str]],
    *,
    selectors: dict[str, str] | None = None,
    rules: Sequence[Rule] = (),
) -> Extraction:
    """Extract and clean one document from its pages in reading order (several pages = one article)."""
    if not pages:
        return Extraction(kind="empty")
    all_rules = merge_rules(load_rules(), rules)
    results = [extract_page(url, html, selectors or {}, all_rules) for url, html in pages]
    first = results[0]
    if first.kind != "article":
        return Extraction(kind=first.kind, title=first.title)
    lines: list[Line] = list(first.lines)
    removed = list(first.removed)
    for more in results[1:]:
        more_lines, dropped = _drop_title_lines(more.lines, first.title)
        lines += more_lines
        removed += dropped + more.removed
    return Extraction(
        kind="article",
        title=first.title,
        published=first.published,
        category=first.category,
        author=first.author,
        text="\n".join(line.text for line in lines),
        truncated=any(r.truncated for r in results),
        removed=removed,
        parts=split_essays(lines, first.title),
    )


def extraction_to_dict(ext: Extraction) -> dict:
    """A JSON-ready dict of an Extraction (used by `fanwen extract --json`)."""
    return dataclasses.asdict(ext)
