"""Read an essay page's metadata: title, publication date, breadcrumb category and author.

Run on the parsed page before cleaning removes the page chrome that holds the breadcrumb. A site file's
[selectors] (title, date, category, author) win; otherwise each reader says what it looks at.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lxml import etree

from fanwen.pipelines.clean.normalize import normalize_line
from fanwen.pipelines.folding import fold
from fanwen.pipelines.rules import Rule
from fanwen.pipelines.selectors import select_one, selector_index
from fanwen.pipelines.tree import Element, body_of, text

# Site separators; an unspaced hyphen only before a site name at the end ("静夜思•夜-中国诗歌网").
_TITLE_SPLIT = re.compile(
    r"\s*(?:_|\||｜|\s[-–—]\s|--|——\s*[\u4e00-\u9fff]{0,8}网|[-–—](?=[\u4e00-\u9fff]{2,10}网\s*$))\s*")
# A 文库 page titles the essay by its file name ("2024年工作总结.docx").
_FILE_EXTENSION = re.compile(r"\.(?:docx?|pdf|txt|pptx?|xlsx?|wps|et|dps)$", re.I)
# Forum thread-type tags ("[作文] …"); full-width 【原创】 is part of the title and stays.
_TYPE_TAG = re.compile(r"^\[[^\[\]]{1,8}\]\s*")
_PAGE_NOISE = re.compile(r"\s*(?:[(（]\s*(?:第\s*)?\d{1,2}\s*(?:页)?\s*[)）]|第\s*\d{1,2}\s*页|_\d{1,2})\s*$")
# A word count after an essay title ("我的奶奶(300字)", "春节的味道 400字"), which 作文 sites add to <title>.
_WORD_COUNT = re.compile(r"\s*(?:[(（【\[]\s*\d{2,5}\s*字\s*[)）】\]]|\d{2,5}\s*字)\s*$")
_SUFFIX_START = re.compile(r"[\s(\[【]")
# What a heading may carry after the title in child spans: date, 来源, 作者, 评论/点击 counts.
_META_AFTER = re.compile(
    r"^\s*(?:(?:19|20)\d{2}[-/.年]\d{1,2}|(?:来源|作者|发布|时间|日期|评论|点击|浏览|阅读)\s*[:：])")
_DATE = (
    r"(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
)
# Publication labels first: a government page also shows 成文日期 (the day the document was signed).
_PUBLISHED_DATE = re.compile(r"(?:发布时间|发表时间|发布日期|发表日期|发文日期|公开日期)\s*[:：]?\s*" + _DATE)
_LABELLED_DATE = re.compile(r"(?:更新时间|上传日期|上传时间|时间|日期)\s*[:：]?\s*" + _DATE)
_ANY_DATE = re.compile(_DATE)
_META_DATE_NAMES = ("article:published_time", "og:release_date", "pubdate", "publishdate", "publish_date",
                    "datepublished", "date", "dc.date", "dc.date.issued", "article:modified_time")
_AUTHOR = re.compile(r"作者\s*[:：]\s*([^\s|,，/:：]{1,20}?)(?=\s|$|[|,，/]|来源|时间|发布|日期|点击|\d{4})")
_CRUMB_TEXT = re.compile(r"^\s*(您的)?(当前|现在的)?(所在)?位置\s*[:：是]?")
# The breadcrumb is found by the selectors of the "breadcrumb-box" rule (pipelines/rules/boilerplate.toml).
CRUMB_RULE = "breadcrumb-box"
_HOME = re.compile(r"^(首页|主页|网站首页|返回首页|home)$|网$|^www\.", re.I)


# "初二写景作文：家乡的老槐树": a category label before the essay's own title, which the page shows alone.
_LABELLED_TITLE = re.compile(r"^[^：:]{2,20}[：:]\s*([^：:]{2,60})$")
# Where a page shows its title when it has no <h1>/<h2> for it: bold or centred lines.
_EMPHASIS = etree.XPath("//body//*[self::strong or self::b or self::h3 or self::center or @align='center']")


def _text(el: Element | None) -> str:
    return normalize_line(text(el, " ")) if el is not None else ""


def title_segments(raw: str) -> list[str]:
    """The parts of a page title between site separators ("主题 - 版块 - 论坛" → three parts)."""
    title = _TYPE_TAG.sub("", normalize_line(raw))
    return [_PAGE_NOISE.sub("", part).strip() for part in _TITLE_SPLIT.split(title) if part.strip()]


def clean_title(raw: str) -> str:
    """Strip site suffixes ("_第一范文网", " - 瑞文网", "|华博范文网") and page-number noise from a title."""
    title = _TYPE_TAG.sub("", normalize_line(raw))
    head = _TITLE_SPLIT.split(title)[0].strip()
    if len(head) >= 2:
        title = head
    title = _FILE_EXTENSION.sub("", _PAGE_NOISE.sub("", title).strip())
    bare = _WORD_COUNT.sub("", title)
    return bare if len(bare) >= 2 else title


def _select_text(root: Element, selectors: dict[str, str], key: str) -> str | None:
    if key in selectors:
        return _text(select_one(root, selectors[key])) or None
    return None


def page_title(root: Element) -> str:
    """The text of the page's <title>."""
    return _text(next(root.iter("title"), None))


def _title_plus_suffix(folded_title: str, folded_head: str) -> bool:
    """Whether the <title> is the heading plus a bracketed or spaced suffix ("我的奶奶 (300字)")."""
    return len(folded_head) >= 2 and folded_title.startswith(folded_head) and bool(
        _SUFFIX_START.match(folded_title[len(folded_head):]))


# Controls some templates put inside the heading (a listen button: <div class="article-audio-btn">播报文章</div>).
_WIDGET_TAGS = frozenset({"button", "audio", "video", "select", "svg", "script", "style"})
_WIDGET_CLASS = re.compile(r"(?:^|[-_\s])(?:btn|button|audio|player)(?:$|[-_\s])", re.IGNORECASE)


def _widget(el: Element) -> bool:
    return el.tag in _WIDGET_TAGS or bool(_WIDGET_CLASS.search(el.get("class", "")))


def _text_without_widgets(el: Element) -> str:
    parts = [el.text or ""]
    for child in el.iterchildren(etree.Element):
        if not _widget(child):
            parts.append(_text_without_widgets(child))
        parts.append(child.tail or "")
    return " ".join(parts)


def _heading_text(h: Element) -> str:
    """A heading's text without the controls (_widget) and meta spans some templates put inside it (PHPCMS:
    title<br><span>date 来源:… 评论:…</span>): the leading text alone when what follows it is meta."""
    full = normalize_line(_text_without_widgets(h)) if any(map(_widget, h.iterdescendants(etree.Element))) else _text(h)
    lead = normalize_line(h.text or "")
    if len(lead) >= 2 and len(h) and _META_AFTER.match(full[len(lead):]):
        return lead
    return full


def read_title(root: Element, selectors: dict[str, str]) -> str:
    """Site selector, else the <h1>/<h2> that the <title> contains, else the cleaned <title>."""
    chosen = _select_text(root, selectors, "title")
    if chosen:
        return clean_title(chosen)
    full = page_title(root)
    cleaned = clean_title(full) if full else ""
    folded = fold(cleaned)
    labelled = _LABELLED_TITLE.search(cleaned)
    shown = fold(labelled.group(1)) if labelled else None
    for level in ("h1", "h2"):
        raw = [t for t in (_heading_text(h) for h in root.iter(level)) if 2 <= len(t) <= 120]
        # A title with a separator of its own ("重磅 | 全市夜校开课"): the heading shows all of it, and
        # the whole <title> contains it, so it is not cut at the separator like a site suffix.
        whole = [t for t in raw if full and len(t) > len(cleaned) and fold(t) in fold(full)
                 and fold(t).startswith(folded)]
        if whole:
            return max(whole, key=len)
        heads = [clean_title(t) for t in raw]
        # A heading that is the essay title overlaps the <title>'s first segment; a logo heading
        # ("金笔范文网") only matches the site suffix, which clean_title has cut off.
        inside = [t for t in heads if folded and (fold(t) in folded and len(t) >= len(cleaned) * 0.5
                                                  or folded in fold(t) or fold(t) == shown
                                                  or _title_plus_suffix(folded, fold(t)))]
        if inside:
            return max(inside, key=len)
        if level == "h1" and len(heads) == 1 and not full:
            return heads[0]
    if shown and any(fold(_text(el)) == shown for el in _EMPHASIS(root)):
        return labelled.group(1)
    og = next((m for m in root.iter("meta") if m.get("property") == "og:title"), None)
    og_title = clean_title(og.get("content", "")) if og is not None else ""
    if og_title and (not cleaned or _title_plus_suffix(folded, fold(og_title))):
        return og_title
    return cleaned


def _iso(m: re.Match[str]) -> str | None:
    # The day only: times on these sites are upload times of the copy, and the archive compares by day.
    y, mo, d = int(m["y"]), int(m["m"]), int(m["d"])
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


# JSON-LD (plain, nested or in an @graph): the first datePublished/dateCreated value, read by pattern
# because many sites ship JSON-LD that a JSON parser refuses (trailing commas, raw newlines).
_LD_DATE = re.compile(r'"(?:datePublished|dateCreated|uploadDate)"\s*:\s*"([^"]{8,40})"')


def _ld_json(root: Element) -> list[str]:
    """The texts of the page's JSON-LD scripts (read before cleaning drops <script>)."""
    return [script.text for script in root.iter("script")
            if (script.get("type") or "").lower() == "application/ld+json" and script.text]


def read_meta_date(root: Element) -> str | None:
    """The date the page's machine-readable metadata gives: JSON-LD, <meta>, <time datetime>.

    Read from the raw tree, before cleaning removes <script> and <time>. A relative date ("2年前") is no date.
    """
    texts = [date for ld in _ld_json(root) for date in _LD_DATE.findall(ld)]
    for meta in root.iter("meta"):
        name = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        if name in _META_DATE_NAMES and meta.get("content"):
            texts.append(meta.get("content"))
    for t in root.iter("time"):
        texts.append(t.get("datetime") or _text(t))
    for candidate in texts:
        m = _ANY_DATE.search(fold(candidate))
        if m and (iso := _iso(m)):
            return iso
    return None


# What a page says it is: Open Graph's type or a JSON-LD article type.
_ARTICLE_TYPES = frozenset({"article", "news", "newsarticle", "blogposting", "reportagenewsarticle"})
_LIST_TYPES = frozenset({"itemlist", "collectionpage"})
_LD_TYPE = re.compile(r'"@type"\s*:\s*"(\w+)"')
_DESCRIPTION_NAMES = ("og:description", "description", "twitter:description")


def declares_article(root: Element) -> bool:
    """Whether the page's metadata calls it an article (og:type article/news, a JSON-LD NewsArticle …)."""
    og = {(meta.get("content") or "").strip().lower() for meta in root.iter("meta")
          if (meta.get("property") or meta.get("name") or "").lower() == "og:type"}
    types = {t.lower() for ld in _ld_json(root) for t in _LD_TYPE.findall(ld)}
    # A topic page may call itself an article and list its stories as an ItemList: it is a list.
    return bool((og | types) & _ARTICLE_TYPES) and not types & _LIST_TYPES


def read_description(root: Element) -> str:
    """The longest of the page's description metadata (og:description, description, twitter:description)."""
    found = [normalize_line(meta.get("content") or "") for meta in root.iter("meta")
             if (meta.get("property") or meta.get("name") or "").lower() in _DESCRIPTION_NAMES]
    return max(found, key=len, default="")


def read_published(root: Element, selectors: dict[str, str], near_title: str, meta_date: str | None) -> str | None:
    """Publication date: site selector, the page's metadata (`read_meta_date` before cleaning), a labelled
    date, then a bare date next to the title."""
    chosen = _select_text(root, selectors, "date")
    m = _ANY_DATE.search(fold(chosen)) if chosen else None
    if m and (iso := _iso(m)):
        return iso
    if meta_date:
        return meta_date
    folded = fold(near_title)
    for pattern in (_PUBLISHED_DATE, _LABELLED_DATE, _ANY_DATE):
        for m in pattern.finditer(folded):
            if iso := _iso(m):
                return iso
    return None


# 位置 is in every match; contains() picks the few candidate strings without building the rest.
_CRUMB_CANDIDATES = etree.XPath("//text()[contains(., '位置')]")


def _crumb_by_text(root: Element) -> Element | None:
    """The element holding the first string that starts with 当前位置/您的位置 (document order)."""
    for string in _CRUMB_CANDIDATES(root):
        if _CRUMB_TEXT.search(string):
            owner = string.getparent()
            # lxml hangs a tail string on the element before it; its container is that element's parent
            return owner.getparent() if string.is_tail else owner
    return None


def read_category(root: Element, selectors: dict[str, str], title: str, rules: Sequence[Rule]) -> str | None:
    """The breadcrumb's last category (not 首页, not the site, not the essay title)."""
    if "category" in selectors:
        crumb = select_one(root, selectors["category"])
    else:
        body = body_of(root)
        match = selector_index(tuple(r for r in rules if r.id == CRUMB_RULE)).matcher(body)
        crumb = next((el for el in body.iter() if el is not body and match(el)), None)
        if crumb is None:
            crumb = _crumb_by_text(root)
    if crumb is None:
        return None
    names = [_text(a) for a in crumb.iter("a") if a is not crumb]
    if not names:
        names = [p.strip() for p in re.split(r">+|›|»|/", _CRUMB_TEXT.sub("", _text(crumb)))]
    folded_title = fold(title)
    names = [n for n in names if n and not _HOME.search(n) and fold(n) != folded_title
             and not (len(n) > 8 and fold(n) in folded_title)]
    return names[-1] if names else None


def read_author(root: Element, selectors: dict[str, str], near_title: str) -> str | None:
    """The author when the page shows one (作者:…, <meta name=author>), else None."""
    chosen = _select_text(root, selectors, "author")
    if chosen:
        return re.sub(r"^作者\s*[:：]\s*", "", chosen) or None
    m = _AUTHOR.search(near_title)
    if m:
        return m.group(1)
    meta = next((m for m in root.iter("meta") if m.get("name") == "author"), None)
    content = normalize_line(meta.get("content", "")) if meta is not None else ""
    return content if content and not re.search(r"网|站|com|cn", content) else None
