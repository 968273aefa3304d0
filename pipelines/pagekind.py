"""Decide whether a page is an essay or why it is not: "list", "search", "not-found", "captcha", "blocked" (a
firewall's refusal), "login", "empty".

Soft error pages answer 200, so the decision looks at the page (title, headings, short visible text, forms,
repeated link items), never at the status code.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml import etree

from fanwen.pipelines.folding import HAN, fold
from fanwen.pipelines.tree import Element, text, text_head

_CAPTCHA = re.compile(r"安全检测|验证码|人机验证|滑动验证|安全验证|访问验证|请完成验证|captcha|正在验证", re.I)
_NOT_FOUND = re.compile(
    r"页面不存在|页面未找到|找不到(该|此|您要的)?页面|您访问的页面不存在|文章不存在|内容不存在|已被删除|已删除|"
    r"页面已失效|无法找到|not found|\b404\b|出错了|信息不存在",
    re.I,
)
# Web application firewalls (安全狗, 云锁, 宝塔, CDN shields) answer a blocked request with 200 and a notice.
_BLOCKED = re.compile(
    r"网站防火墙|安全狗|(?:已被|被)网站管理员设置拦截|您的(?:访问|请求)(?:已)?被(?:拒绝|拦截|阻断)|"
    r"疑似(?:黑客)?攻击|访问被拒绝|请求带有不合法参数|web\s*application\s*firewall|access\s+denied",
    re.I,
)
_LOGIN = re.compile(r"登录|登陆|login|sign in", re.I)
_SEARCH_URL = re.compile(r"(^|[/.])(search|so)([/.?]|$)|[?&](q|wd|kw|keyword|keywords|searchword|s)=", re.I)
_SEARCH_TEXT = re.compile(r"搜索结果|找到相关结果|相关结果约|共找到\d+|搜索“|搜索\"")
# A short page: error and captcha pages say what they are in a few dozen characters.
SHORT_PAGE = 400
# Repeated link items (title + optional excerpt) that make a list page.
MIN_ITEMS = 4
# A tag or topic page: a short intro over as few as this many cards with excerpts.
MIN_CARDS = 3
SHORT_INTRO = 100


def _in_dialog(el: Element) -> bool:
    """Inside a dialog a script opens over the page (what the dialog-box rule in rules/boilerplate.toml drops)."""
    return any(a.tag == "dialog" or a.get("aria-modal") == "true" or "modal" in (a.get("class") or "").split()
               for a in el.iterancestors())


def has_password_field(root: Element) -> bool:
    """True when the page has a password input of its own, not one in a login dialog over an article (read
    before inputs are stripped)."""
    return any((el.get("type") or "").lower() == "password" and not _in_dialog(el) for el in root.iter("input"))


def refusal_kind(title: str, visible_text: str, password_field: bool) -> str | None:
    """'blocked' / 'captcha' / 'not-found' / 'login' for short pages that say so, else None."""
    if len(visible_text) > SHORT_PAGE * 3:
        return None
    head = fold(title + "\n" + visible_text[:SHORT_PAGE])
    if _says(_BLOCKED, head):
        return "blocked"
    if _says(_CAPTCHA, head):
        return "captcha"
    if _says(_NOT_FOUND, head) and len(visible_text) <= SHORT_PAGE * 2:
        return "not-found"
    if password_field and _says(_LOGIN, head):
        return "login"
    return None


# A refusal is a short notice ("正在进行安全检测...", "您访问的页面不存在！"); the same words inside a long
# sentence ("支持阿里云内容安全检测，对不合规的内容自动审核") are a text about them.
NOTICE_RUN = 40
_RUN_BREAK = re.compile(r"\s|[。！？!?]")


def _says(words: re.Pattern[str], head: str) -> bool:
    """Whether `words` occur in `head` within a short run of text (between spaces or sentence ends)."""
    for match in words.finditer(head):
        start = max((m.end() for m in _RUN_BREAK.finditer(head, 0, match.start())), default=0)
        end = next((m.start() for m in _RUN_BREAK.finditer(head, match.end())), len(head))
        if end - start <= NOTICE_RUN:
            return True
    return False


_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_CONTAINERS = frozenset({"ul", "ol", "dl", "div", "table", "tbody", "section"})


class _TextStats:
    """Per element, in one pass: (stripped text length, links strictly inside it: sum and longest, excerpt
    text of card links inside or being it: a link wrapping a title heading and an excerpt)."""

    def __init__(self, root: Element) -> None:
        self.of: dict[Element, tuple[int, int, int, int]] = {}
        self._add(root)

    def _add(self, el: Element) -> tuple[int, int, int, int]:
        chars = len(el.text.strip()) if el.text else 0
        link_sum = link_max = card = 0
        add, of = self._add, self.of
        for child in el.iterchildren(etree.Element):
            c_chars, c_sum, c_max, c_card = add(child)
            if child.tag == "a":
                c_sum, c_max = c_sum + c_chars, max(c_max, c_chars)
            tail = child.tail
            chars += c_chars + (len(tail.strip()) if tail else 0)
            link_sum += c_sum
            link_max = c_max if c_max > link_max else link_max
            card += c_card
        if el.tag == "a" and len(el):
            heading = next(el.iter(_HEADINGS), None)
            card = chars - of[heading][0] if heading is not None else 0
        stats = of[el] = (chars, link_sum, link_max, card)
        return stats

    def links(self, el: Element) -> tuple[int, int]:
        """(sum, longest) stripped length of the links of a list item: the item itself when it is a link."""
        chars, link_sum, link_max, _ = self.of[el]
        return (chars, chars) if el.tag == "a" else (link_sum, link_max)


def _item_stats(container: Element, holds_essay: set[Element], stats: _TextStats) -> tuple[int, int, int]:
    """(items, excerpt chars, card excerpt chars): children that carry a link with a title-like text (never
    the essay itself)."""
    items = excerpt = card = 0
    for child in container.iterchildren(etree.Element):
        if child in holds_essay:
            continue
        link_sum, link_max = stats.links(child)
        if link_max < 4:
            continue
        items += 1
        chars, _, _, card_text = stats.of[child]
        excerpt += max(0, chars - link_sum)
        card += card_text
    return items, excerpt, card


# A directory page (regions under a note, a site's index of sections): its main block is the note, one cell of
# a table whose other cells are a link each. A short essay in a page laid out with tables shares its table
# with a few link cells, not a grid of them.
GRID_CELLS = 12
GRID_CAPTION = 150


def _grid_caption(essay: Element) -> bool:
    """Whether `essay` is a cell of a table (or in one) whose other cells with text are nearly all one link."""
    cell = essay if essay.tag in ("td", "th") else next(essay.iterancestors("td", "th"), None)
    table = next(cell.iterancestors("table"), None) if cell is not None else None
    if table is None:
        return False
    links = others = 0
    for other in table.iter("td", "th"):
        if other is cell or next(other.iterancestors("table")) is not table:
            continue
        words = text(other).strip()
        if not words:
            continue
        anchors = other.findall(".//a")
        if len(anchors) == 1 and text(anchors[0]).strip() == words:
            links += 1
        else:
            others += 1
    return links >= GRID_CELLS and others * 10 <= links


def list_kind(url: str, body: Element, essay: Element, essay_chars: int) -> str | None:
    """'list' or 'search' when repeated link items outweigh the essay candidate, else None."""
    holds_essay = {essay, *essay.iterancestors()}
    stats = _TextStats(body)
    best_items = best_excerpt = 0
    cards = False
    for container in stats.of:
        if container.tag not in _CONTAINERS or container is body:
            continue
        items, excerpt, card = _item_stats(container, holds_essay, stats)
        # Excerpts first: a sidebar 排行 of bare titles must not beat the list of title + excerpt items.
        if items >= MIN_ITEMS and (excerpt, items) > (best_excerpt, best_items):
            best_items, best_excerpt = items, excerpt
        # A tag page: a short intro over a few cards whose excerpts outweigh it.
        cards = cards or (items >= MIN_CARDS and essay_chars < SHORT_INTRO
                          and excerpt + card >= max(essay_chars, 20 * items))
    listy = cards or best_items >= MIN_ITEMS and (
        (best_excerpt >= essay_chars and best_excerpt >= 20 * best_items) or essay_chars < 60
    )
    listy = listy or essay_chars < GRID_CAPTION and _grid_caption(essay)
    parts = urlsplit(url)
    searchy = bool(_SEARCH_URL.search(parts.netloc + parts.path + ("?" + parts.query if parts.query else ""))) or bool(
        _SEARCH_TEXT.search(text_head(body, 2000))
    )
    if searchy and (listy or essay_chars < 200):
        return "search"
    return "list" if listy else None


# List and tag pages show cut-off excerpts ("…安排部...", "…打造一流营……[详细]"); an essay does not end its
# paragraphs that way. A short block ending in a read-more link ("[阅读全文]", "更多>>") is an excerpt too.
_MORE_WORDS = r"(?:详细|详情|阅读全文|查看全文|全文|阅读更多|查看更多|更多)"
_READ_MORE = r"\s*(?:[\[【(（]\s*" + _MORE_WORDS + r"\s*[\]】)）]|" + _MORE_WORDS + r"\s*(?:>>|»|›))"
_EXCERPT_END = re.compile(r"(?<![.…])(?:\.{3,6}|…{1,2})(?:" + _READ_MORE + r")?$")
_READ_MORE_END = re.compile(_READ_MORE + r"$")
SHORT_EXCERPT = 200


def _is_excerpt(text: str) -> bool:
    return bool(_EXCERPT_END.search(text)) or (len(text) <= SHORT_EXCERPT and bool(_READ_MORE_END.search(text)))


def _mostly_excerpts(lines: list[str]) -> bool:
    cut = [line for line in lines if _is_excerpt(line)]
    if cut and len(cut) == len(lines):  # the last page of a list can hold a single excerpt
        return True
    return len(cut) >= 2 and sum(map(len, cut)) * 2 >= sum(map(len, lines))


# Below this many characters of cleaned text a page holds no essay.
MIN_ESSAY_CHARS = 50
MIN_LIST_LINKS = 5


def kind_of_cleaned(lines: list[str], body: Element) -> str | None:
    """After cleaning: "list" for a page of excerpts or of bare links, "empty" for one without prose left,
    None for an essay."""
    if _mostly_excerpts(lines):
        return "list"
    if sum(map(len, lines)) < MIN_ESSAY_CHARS:
        # No prose: a forum index or a bare link list is a list; anything else is empty.
        return "list" if sum(1 for a in body.iter("a") if a.get("href") is not None) >= MIN_LIST_LINKS else "empty"
    return None


# --- garbage: bytes that are no web page, or text that no longer reads --------------------------------

# File signatures of what sites serve by mistake (or on purpose) as text/html: 文库 downloads, images, archives.
_MAGIC = (
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (docx/xlsx/zip)"),
    (b"\xd0\xcf\x11\xe0", "an MS Office document (doc/xls)"),
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x1f\x8b", "gzip-compressed bytes"),
    (b"Rar!", "a RAR archive"),
)
# C0 controls other than tab, newline, form feed and carriage return never occur in real pages in bulk;
# a few NULs do (hostile or broken CMS output) and are kept as inert text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# Share of the decoded text that may be control characters or U+FFFD before a page counts as garbage.
MAX_BAD_SHARE = 0.02
MIN_BAD_CHARS = 16
SAMPLE = 8_000
# Mojibake: UTF-8 bytes that were read as GBK (and stored or served again as text). Encoding such text back to
# GBK gives the original UTF-8 bytes, which decode to Chinese again; real Chinese text's GBK bytes are not UTF-8.
MIN_HAN_FOR_MOJIBAKE = 20


def garbage_reason(body: bytes, text: str) -> str | None:
    """Why a page's bytes or decoded text are garbage ("pdf: …", "binary: …", "undecodable: …",
    "mojibake: …"), or None for a page that reads as text. The reason's first word is its kind."""
    head = body[:1024].lstrip()
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return f"binary: {what}, not a web page"
    if not text:
        return None
    full, text = text, text[:SAMPLE]  # binary garbage shows from the start; a sample keeps this cheap
    controls = len(_CONTROL.findall(text))
    if controls >= MIN_BAD_CHARS and controls > MAX_BAD_SHARE * len(text):
        return f"binary: {controls} control characters in {len(text)}"
    lost = text.count("\ufffd")
    if lost >= MIN_BAD_CHARS and lost > MAX_BAD_SHARE * len(text):
        return f"undecodable: {lost} of {len(text)} characters could not be decoded"
    first_han = HAN.search(full)  # past a long <head> of scripts and styles
    recovered = _read_back_as_utf8(full[first_han.start():first_han.start() + SAMPLE]) if first_han else 0
    if recovered:
        return f"mojibake: UTF-8 read as GBK ({recovered} Chinese characters come back when it is undone)"
    return None


def _read_back_as_utf8(text: str) -> int:
    """How many Chinese characters undoing a UTF-8-read-as-GBK mix-up recovers (0 when it recovers few, or
    mostly broken sequences, as it does for any real text)."""
    if len(HAN.findall(text)) < MIN_HAN_FOR_MOJIBAKE:
        return 0
    undone = text.encode("gbk", "ignore").decode("utf-8", "replace")
    han = len(HAN.findall(undone))
    return han if han >= MIN_HAN_FOR_MOJIBAKE and han > 3 * undone.count("\ufffd") else 0
