"""Forum threads: the essay is the opening post; replies, quotes, user columns and signatures are not.

Discuz! marks post bodies (`postmessage_<pid>`). Older table-layout boards (Dvbbs, phpwind, LeadBBS) mark
nothing, so a thread is recognised by what every post shows: a poster column with registration stats
(注册 / 积分 / 帖子), else a labelled post time (发表于 / 发表时间 / Posted:). The opening post is the
largest element around the first such anchor that holds no other one; its body is the best-scoring
element inside it. The subject is the <title> segment that the opening post repeats; the date is the
post's time (labelled, or bare under the post), never the poster's registration date.

Modern boards and Q&A pages (Flarum, Discourse-like, 知道, comment lists under a question or a blog post)
mark nothing of that: their posts are repeated siblings of one tag and class, each signed by a user (an
avatar, a link to a profile, a reply or like control) and stamped with a date. Inside the essay element,
such a reply stream is not the essay: what stands before it is (the question, the post), or, when nothing
does, its first item (the opening post, or the answer under a question that is only its title).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lxml import etree

from fanwen.pipelines.folding import fold
from fanwen.pipelines.prose import SENTENCE_MARK, STAMP_LINE
from fanwen.pipelines.tree import Element, is_inside, stripped_len, text_strings

if TYPE_CHECKING:  # annotations only: the cleaning package imports this module
    from fanwen.pipelines.clean.blocks import Line

# Discuz! and clones: the opening post's body element.
POST_BODY_ID = re.compile(r"^postmessage_\d")
_POST_BODY_CANDIDATES = etree.XPath(".//*[starts-with(@id, 'postmessage_')]")  # C-speed pre-filter
# Below this many characters a "post" holds no essay (a board index row, a moved-thread stub).
MIN_POST_CHARS = 50

_DATE = r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})"
# Matched on folded text, so 發表於 / 發表時間 count too; never 注册 (the poster's registration date).
POST_TIME = re.compile(r"(?:发表于|发表时间|发帖时间|发表日期|回复于|回复时间|posted(?: on)?)\s*[:]?\s*" + _DATE, re.I)
# Dvbbs prints the post time bare, under the post: a date with a time of day.
_DATETIME = re.compile(_DATE + r"日?\s*\d{1,2}:\d{2}")
# Dates that are not the post's: the poster's registration/last login, a quoted post's time.
_OTHER_DATE = re.compile(r"(注册|登录|登陆|加入|在线|在)\s*[:]?\s*$")
# The poster column every post shows; 文章/等级 alone are common words, so two distinct labels are needed.
_POSTER_STAT = re.compile(r"(注册|积分|帖子|文章|等级|精华|威望|金钱|经验|头衔|阅读权限|在线时间|uid)\s*[:]\s*\S", re.I)
_STRONG_STAT = frozenset({"注册", "积分", "帖子", "精华", "威望", "金钱", "经验", "阅读权限", "uid"})
_TEXT_NODES = etree.XPath(".//text()")
# Levels above a label searched for the rest of its group (the date after 发表时间, the other poster stats).
LABEL_REACH = 4
# The line that opens a signature: a bare rule of dashes/underscores under the post.
SIGNATURE_RULE = re.compile(r"^[-—_=~*]{2,}$")


@dataclass
class Post:
    """The opening post of a thread: its body element, the whole post, and its date (ISO day) if shown."""

    body: Element
    unit: Element | None = None
    published: str | None = None


def _by_post_body_id(body: Element) -> Post | None:
    post = next((el for el in _POST_BODY_CANDIDATES(body) if POST_BODY_ID.search(el.get("id"))), None)
    return Post(post) if post is not None and stripped_len(post) >= MIN_POST_CHARS else None


def _iso(m: re.Match[str]) -> str | None:
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    return f"{y:04d}-{mo:02d}-{d:02d}" if 1 <= mo <= 12 and 1 <= d <= 31 else None


def _poster_labels(folded: str) -> set[str]:
    return {m.group(1).lower() for m in _POSTER_STAT.finditer(folded)}


def _is_poster_column(folded: str) -> bool:
    labels = _poster_labels(folded)
    return len(labels) >= 2 and bool(labels & _STRONG_STAT)


def _anchors(body: Element, hint: re.Pattern[str], test: Callable[[str], bool]) -> list[Element]:
    """The smallest elements whose text passes `test`, grown from the strings that `hint` finds
    (a label and its value may be separate strings: `<td>发表时间：</td><td>2005-4-11</td>`)."""
    found: list[Element] = []
    for string in _TEXT_NODES(body):
        if not hint.search(string):
            continue
        owner = string.getparent()
        if string.is_tail and owner.getparent() is not None:
            owner = owner.getparent()
        for _ in range(LABEL_REACH):
            if owner is body or test(fold(" ".join(owner.itertext()))):
                break
            owner = owner.getparent()
        else:
            continue
        if owner is not body and not any(is_inside(owner, seen) or is_inside(seen, owner) for seen in found):
            found.append(owner)
    return found


_POSTER_HINT = re.compile(r"注册|註冊|积分|積分|帖子|精华|精華|威望|金钱|金錢|经验|經驗|uid", re.I)
_TIME_HINT = re.compile(r"发表|發表|發帖|发帖|回复于|回覆於|posted", re.I)
# One scan of the raw page text: a thread shows at least two poster stats or post times (either script).
_GATE = re.compile(
    r"(?:注册|註冊|积分|積分|帖子|精华|精華|威望|金钱|金錢|经验|經驗|uid)\s*[:：]"
    r"|(?:发表于|發表於|发表时间|發表時間|发帖时间|發帖時間|回复于|回覆於|posted)\s*[:：]?\s*(?:on\s*)?\d", re.I)


def _unit(anchor: Element, anchors: list[Element], body: Element) -> Element:
    """The largest ancestor of `anchor` below `body` that holds no other anchor."""
    others = [a for a in anchors if a is not anchor]
    unit = anchor
    parent = unit.getparent()
    while parent is not None and parent is not body and not any(is_inside(a, parent) for a in others):
        unit, parent = parent, parent.getparent()
    return unit


def _siblings_with_prose(unit: Element) -> Element | None:
    """Row-pair layouts: the post time sits in its own row next to the body's row (before it, else after)."""
    for sibling in (*unit.itersiblings(etree.Element, preceding=True), *unit.itersiblings(etree.Element)):
        if stripped_len(sibling) >= MIN_POST_CHARS:
            return sibling
    return None


def _post_time(unit: Element) -> str | None:
    """The post's day: a labelled post time, else the first bare date-and-time that is not a registration
    date or a quoted post's time."""
    shown = fold(" ".join(unit.itertext()))
    labelled = POST_TIME.search(shown)
    if labelled:
        return _iso(labelled)
    for m in _DATETIME.finditer(shown):
        if not _OTHER_DATE.search(shown[max(0, m.start() - 8):m.start()]):
            return _iso(m)
    return None


def find_first_post(body: Element, visible: str, essay_of: Callable[[Element], Element]) -> Post | None:
    """The opening post when the page is a forum thread, else None. `visible` is the page's text;
    `essay_of` picks the essay element inside a post (the extractor's scorer)."""
    post = _by_post_body_id(body)
    if post is not None:
        return post
    gate = _GATE.finditer(visible)
    if next(gate, None) is None or next(gate, None) is None:
        return None
    folded = fold(visible)
    if _is_poster_column(folded):
        anchors = _anchors(body, _POSTER_HINT, _is_poster_column)
    elif len(POST_TIME.findall(folded)) >= 2:
        anchors = _anchors(body, _TIME_HINT, lambda t: bool(POST_TIME.search(t)))
    else:
        return None
    if len(anchors) < 2:  # one poster box is a blog's profile sidebar; a thread shows one per post
        return None
    unit = _unit(anchors[0], anchors, body)
    if stripped_len(unit) < MIN_POST_CHARS * 2:
        unit = _siblings_with_prose(unit) or unit
    essay = essay_of(unit)
    if stripped_len(essay) < MIN_POST_CHARS:
        return None
    return Post(essay, unit, _post_time(unit))


def subject_of(post: Post, page_title: str, split: Callable[[str], Sequence[str]]) -> str | None:
    """The thread subject: the longest <title> segment that the opening post repeats (not the board name)."""
    if post.unit is None:
        return None
    shown = fold(" ".join(post.unit.itertext()))
    segments = [s for s in split(page_title) if len(s) >= 2 and fold(s) in shown]
    return max(segments, key=len) if segments else None


# A post is stamped: a <time> element, or a short line that is a date, a time of day or "… ago".
_STAMP = re.compile(
    r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}|\d{1,2}[-/]\d{1,2}\s+\d{1,2}:\d{2}"
    r"|\d+\s*(?:秒|分钟|小时|天|周|个月|月|年)\s*[前后]|刚刚|昨天|前天"
    r"|\b\d+\s*(?:second|minute|hour|day|week|month|year)s?\s+ago\b", re.I)
# …and signed: an avatar, a link to the poster's profile, or a control only posts have.
_AVATAR = re.compile(r"avatar|portrait|headimg|head-img|userpic|user-pic|头像", re.I)
_PROFILE = re.compile(r"/(?:u|user|users|member|members|people|space|profile|author|home|usercenter)(?:/|\?|$|\.php)"
                      r"|[?&](?:uid|user|username)=", re.I)
_CONTROL = re.compile(r"^(?:回复|回覆|引用|举报|點讚|点赞|赞同?|reply|quote|report|like)$", re.I)
# Stream items: at least this many signed, stamped siblings, and most of their group.
MIN_REPLIES = 2
# Sentences of the block's own outside a stream (else the first item is the essay).
MIN_LEAD = MIN_POST_CHARS
# …and at least this share of the opening post's (else the opening post is the essay).
LEAD_SHARE = 0.5
# The opening post may be one line (a question); an item with less text is a deleted or folded post.
MIN_OPENING = 10


# Attributes that carry a post's time (Flarum's data-time, <time datetime>, widgets' data-timestamp). The
# checks below are XPath queries (C speed): every page has many groups of twins to judge, most of them no posts.
_TIME_ATTRS = ("datetime", "data-time", "data-date", "data-timestamp", "data-created", "data-created-at")
_TIMED = etree.XPath("boolean(descendant-or-self::time | descendant-or-self::*[{}])".format(
    " or ".join(f"@{name} != ''" for name in _TIME_ATTRS)))
_CLASSES = etree.XPath("descendant-or-self::*/@class")
_IMAGE_ATTRS = etree.XPath("descendant-or-self::img/@src | descendant-or-self::img/@alt")
_HREFS = etree.XPath("descendant-or-self::a/@href")
# An element's own leading text (its .text), where a control's label is; longer strings are no label.
_LEADING_TEXTS = etree.XPath("descendant-or-self::*/text()[not(preceding-sibling::*)]", smart_strings=False)
CONTROL_TEXT = 20


def _stamped(item: Element) -> bool:
    return _TIMED(item) or any(
        len(s) <= STAMP_LINE and _STAMP.search(s) for s in (t.strip() for t in text_strings(item)) if s)


def _signed(item: Element) -> bool:
    return bool(
        _AVATAR.search(" ".join(_CLASSES(item))) or _AVATAR.search(" ".join(_IMAGE_ATTRS(item)))
        or any(_PROFILE.search(href) for href in _HREFS(item))
        or any(len(t) <= CONTROL_TEXT and _CONTROL.match(t.strip()) for t in _LEADING_TEXTS(item)))


POST_MARK = "data-fanwen-post"


_CLASSED = etree.XPath(".//*[@class]")
# Items read per group to judge it (a long comment list is judged by its first posts).
SAMPLE_ITEMS = 8


def mark_posts(body: Element) -> None:
    """Mark the items of every reply stream on the page (POST_MARK), before cleaning drops the bylines,
    avatars and controls that identify them: at least MIN_REPLIES siblings of one tag and first class, most of
    them signed and stamped."""
    groups: dict[tuple[Element, str, str], list[Element]] = {}
    for el in _CLASSED(body):
        # Siblings of one kind share the first class; later ones mark a state or an id ("bd answer answer-hide
        # answer-3790968386", "item last").
        kind = next(iter(el.get("class").split()), "")
        groups.setdefault((el.getparent(), el.tag, kind), []).append(el)
    for items in groups.values():
        if len(items) < MIN_REPLIES:
            continue
        sample = items[:SAMPLE_ITEMS]
        need = max(MIN_REPLIES, (len(sample) + 1) // 2)
        posts = 0
        for n, item in enumerate(sample):
            posts += bool(_signed(item) and _stamped(item))
            if posts >= need or posts + len(sample) - n - 1 < need:  # decided either way
                break
        if posts >= need:
            for item in items:
                item.set(POST_MARK, "")


def reply_stream(block: Element) -> list[Element]:
    """The items of the largest reply stream (marked by mark_posts) inside `block`, in document order."""
    streams: dict[Element, list[Element]] = {}
    for item in block.iterfind(f".//*[@{POST_MARK}]"):
        streams.setdefault(item.getparent(), []).append(item)
    return max(streams.values(), key=lambda items: sum(map(stripped_len, items)), default=[])


def _strings_outside(el: Element, skip: set[Element]) -> Iterator[str]:
    yield el.text or ""
    for child in el.iterchildren(etree.Element):
        if child not in skip:
            yield from _strings_outside(child, skip)
        yield child.tail or ""


def _sentences(strings: Iterable[str]) -> int:
    return sum(len(s) for s in (s.strip() for s in strings) if len(s) >= 10 and SENTENCE_MARK.search(s))


def replies_in(block: Element) -> tuple[list[Element], bool]:
    """The reply items to leave out of the essay element `block`, and whether the opening post is the essay.

    Prose of the block's own outside the stream (a question, a blog post above it) is the essay and the whole
    stream its replies, unless it is much shorter than the first post (a disclaimer above a thread): then
    the opening post stays too, and the items after it go."""
    items = reply_stream(block)
    if not items:
        return [], False
    opening = next((item for item in items if stripped_len(item) >= MIN_OPENING), items[0])
    lead = _sentences(_strings_outside(block, set(items)))
    if lead >= MIN_LEAD and lead >= LEAD_SHARE * _sentences(text_strings(opening)):
        return items, False
    return [item for item in items if item is not opening], True


def cut_signature(lines: list[Line]) -> tuple[list[Line], list[Line]]:
    """(post lines, signature lines): everything from a bare dash rule under the post text is the signature."""
    for i, line in enumerate(lines):
        if i and SIGNATURE_RULE.match(line.text):
            return lines[:i], lines[i:]
    return lines, []
