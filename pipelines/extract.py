"""Extract one essay from its pages: metadata, the essay element, cleaned text, multi-page stitching, parts.

    extract_document([(url, html), ...]) → Extraction
    1. per page: parse (lxml) → metadata (title, breadcrumb category, author; the JSON-LD/<meta>/<time> date
       before cleaning drops scripts) → hidden + boilerplate steps (fanwen.pipelines.clean) → page kind
       (blocked/captcha/not-found/login) → essay element (site selector, else
       text-density scoring) → list/search check → line rules → lines; a page rejected as a list that
       declares itself a dated article keeps its description (its body is rendered by a script)
    2. stitch pages in reading order (title from page 1, "(2)"/"第2页" noise dropped)
    3. split multi-essay pages into parts
No selectors are needed: the essay element is the one that holds the most punctuated, unlinked text.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import islice

from lxml import etree

from fanwen.pipelines.clean import clean_block, mark_notice_after, prepare_page
from fanwen.pipelines.clean.blocks import Line, element_lines
from fanwen.pipelines.clean.normalize import normalize_line
from fanwen.pipelines.essays import split_essays
from fanwen.pipelines.folding import fold
from fanwen.pipelines.forum import find_first_post, mark_posts, replies_in, subject_of
from fanwen.pipelines.metadata import (
    clean_title,
    declares_article,
    page_title,
    read_author,
    read_category,
    read_description,
    read_meta_date,
    read_published,
    read_title,
    title_segments,
)
from fanwen.pipelines.pagekind import MIN_ESSAY_CHARS, has_password_field, kind_of_cleaned, list_kind, refusal_kind
from fanwen.pipelines.prose import (
    LIST_LINKS,
    PROSE_CHARS,
    SENTENCE_END_CHARS,
    SENTENCE_MARK,
    headline_list,
    item_list,
    keeps_page,
    no_sentences,
    one_paragraph,
    prose_line,
    prose_stats,
    reads_as_prose,
    short_article,
    verse,
    verse_lines,
    verse_strings,
    word_line,
)
from fanwen.pipelines.records import Extraction, Removal
from fanwen.pipelines.rules import Rule, load_rules, merge_rules
from fanwen.pipelines.selectors import select_one
from fanwen.pipelines.tree import Anchored, Element, body_of, drop, ink, is_inside, parse_html, text, text_strings

# --- the essay element ------------------------------------------------------------------------------------

# A short string ending in a sentence mark is a line of verse or a short sentence, not a label.
_VERSE_LINE = re.compile(r"..[，。！？；,!?;]$")
# A long run of Chinese words without a mark is text written with spaces for punctuation (a photo blog,
# a modern poem), not a label.
UNPUNCTUATED = 20
# Verse: at least this many lines broken by <br>, read as a whole like prose.
VERSE_STRINGS = 6
# Unlinked text in a paragraph-like string counts fully; short labels count this much.
SHORT_WEIGHT = 0.2


def _score(node: Element, good: dict[Element, float], link: dict[Element, float], in_link: bool,
           in_prose: bool = False) -> tuple[float, float]:
    g = lk = 0.0
    # The node's own strings: its text, then each child's tail.
    strings = [string.strip() for string in (node.text, *(child.tail for child in node)) if string and string.strip()]
    own = "".join(strings)
    # Running text cut into short pieces by inline links ("雄安新区是<a>中国</a>第19个…，也是首个由…") reads
    # as a whole.
    prose = not in_link and len(own) >= 10 and bool(SENTENCE_MARK.search(own))
    # Many lines of words broken by <br> (a song's lyrics, a poem without marks) read as a whole too.
    prose = prose or not in_link and len(strings) >= VERSE_STRINGS and verse_lines(strings)
    for string in strings:
        n = len(string)
        if in_link:
            lk += n
        elif in_prose or prose and len(strings) > 1 or (n >= 10 and SENTENCE_MARK.search(string)) or (
                n >= 4 and _VERSE_LINE.search(string)) or (n >= UNPUNCTUATED and word_line(string)):
            g += n
        else:
            g += n * SHORT_WEIGHT
    for child in node.iterchildren(etree.Element):
        # A link inside running text (an encyclopedia's or a news story's inline links) is part of the
        # prose, not link chrome to subtract.
        inline = prose and child.tag == "a" and not in_link
        linkish = in_link or (child.tag == "a" and not inline) or (
            child.tag in ("li", "dd", "dt") and child.find(".//a") is not None
        )
        cg, clk = _score(child, good, link, linkish, in_prose or inline)
        g += cg
        lk += clk
    good[node], link[node] = g, lk
    return g, lk


# Descend into a child that keeps this share of the candidate's text, or that leaves behind only a little
# (at most DESCEND_REST weighted characters and a quarter of its own: a title, an info line, a source note).
DESCEND_SHARE = 0.9
# A best paragraph whose parent holds this many times its prose stands for the parent.
PARAGRAPH_SHARE = 1.5
CONTAINER_SHARE = 3
DESCEND_REST = 60
# Weighted prose beside a table that keeps the table's parent the essay (two sentences of a notice).
TABLE_NOTE = 50
BODY_SHARE = 0.5


# Per element: its weighted unlinked text ("good") and its link text.
Scores = tuple[dict[Element, float], dict[Element, float]]


def score_elements(body: Element) -> Scores:
    """Good and link text of every element under `body` (see `_score`)."""
    good: dict[Element, float] = {}
    link: dict[Element, float] = {}
    _score(body, good, link, False)
    return good, link


def find_essay_element(body: Element, scores: Scores | None = None) -> tuple[Element, float]:
    """The element holding the most unlinked, punctuated text net of link text; and its text weight.
    `scores`: those of `body`, when the caller has them already."""
    good, link = scores or score_elements(body)
    best, best_score = body, float("-inf")
    for el in body.iter(etree.Element):
        score = good[el] - link[el]
        if score >= best_score:
            best, best_score = el, score
    # One paragraph is never the whole essay when its parent holds much more prose: the parent's own link
    # chrome (an encyclopedia's navboxes and references) outweighed the other paragraphs.
    parent = best.getparent()
    if best.tag == "p" and parent is not None and good[parent] >= PARAGRAPH_SHARE * good[best]:
        best = parent
    # The same for any small winner (a reference table, one section) inside a container that holds several
    # times its prose and more prose than links: an encyclopedia's sections lost to its link-heavy chrome.
    for ancestor in best.iterancestors():
        if ancestor is body or ancestor not in good:
            break
        if good[ancestor] >= CONTAINER_SHARE * good[best] and link[ancestor] <= good[ancestor]:
            best = ancestor
            break
    # The whole page is never the essay: a block of summaries beside the article (相关阅读 with excerpts) can
    # lift <body> above it. When one child holds most of the page's prose, the essay is in there.
    if best is body:
        kids = list(body.iterchildren(etree.Element))
        top = max(kids, key=good.__getitem__) if kids else None
        if top is not None and good[top] >= BODY_SHARE * good[body]:
            best = top
    # ≥ keeps the deepest of equal candidates; now climb down through single-child wrappers.
    while True:
        kids = list(best.iterchildren(etree.Element))
        if not kids:
            break
        top = max(kids, key=good.__getitem__)
        rest = good[best] - good[top]
        small_rest = rest <= DESCEND_REST and rest <= 0.25 * good[top]
        if good[top] == 0 or (good[top] < DESCEND_SHARE * good[best] and not small_rest):
            break
        # One huge paragraph (a 100,000-character line) must not shed the essay's other paragraphs.
        if top.tag == "p" and not small_rest:
            break
        # Nor may a long table of short cells (a price list) shed the paragraphs of prose above or below it:
        # its mass of labels outweighs them, but they are what the page says.
        if top.tag in ("table", "tbody") and rest >= TABLE_NOTE:
            break
        # Nor may it leave a sentence of its own behind: tags left open (<font>A<br><font>B<br>…, a <div>
        # never closed) nest each line of an essay in the one before, and every step down dropped one.
        if any(prose_line(string) for string in (best.text, *(child.tail for child in best)) if string):
            break
        best = top
    return best, good[best]


# Before a page is rejected for the link chrome around a main block that does not read as prose, the next
# best candidates outside that block get a look: an essay the scoring missed (its own links, a longer
# sidebar) still reads as prose. An excerpt of a list is one paragraph, never this much prose in lines.
ALT_CANDIDATES = 8
ALT_PROSE = 300
ALT_PROSE_LINES = 3


def prose_elsewhere(block: Element, scores: Scores) -> Element | None:
    """The best-scoring element outside `block` (and its ancestors) that reads as prose, if one does;
    `scores` are the page's (`score_elements`)."""
    good, link = scores
    around = {block, *block.iterancestors()}
    # By all their text: the essay may have counted as links (paragraphs in list items that hold a link).
    ranked = sorted((el for el in good if el not in around), key=lambda el: good[el] + link[el], reverse=True)
    for el in ranked[:ALT_CANDIDATES]:
        # ALT_PROSE_LINES sentences need as many sentence ends in its text: a cheap test first (the candidates
        # of a page of 40,000 links are big link lists).
        if is_inside(el, block) or len(SENTENCE_END_CHARS.findall("".join(text_strings(el)))) < ALT_PROSE_LINES:
            continue
        lines = element_lines(el, soup=False)
        stats = prose_stats(lines)
        # No linked titles among its lines: a stream of linked titles with long excerpts reads as prose too.
        if (stats.prose_chars >= ALT_PROSE and stats.prose_lines >= ALT_PROSE_LINES and stats.linked < 2
                and reads_as_prose(lines)):
            return el
    return None


def _text_before(body: Element, block: Element, limit: int = 600) -> str:
    """Visible text in document order before `block` (the title/info area), last `limit` chars."""
    chunks: list[str] = []
    for event, el in etree.iterwalk(body, events=("start", "end")):
        # When the essay element is the body itself, all of the body counts as "before" it, as it did
        # when this walked bs4's body.descendants (which never yields the body).
        if el is block and el is not body:
            break
        string = el.text if event == "start" else (el.tail if el is not body else None)
        if string and string.strip():
            chunks.append(string.strip())
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
    # The essay element's lines before the line step: `lines` + `removed` account for every one of them.
    source: list[str] = field(default_factory=list)
    # Why a page is not an article: the evidence, kept with the page so a rules change can revisit it.
    reason: str = ""


# Noise around a repeated title: a 文库 "1、" chunk marker, a "第一篇：" label on a one-essay page, the post
# time a blog prints after its title.
_TITLE_PREFIX = re.compile(r"^(?:1、|第[一1]篇\s*[:：]\s*)")
_TITLE_SUFFIX = re.compile(
    r"\s*[(（]?(?:19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?[)）]?$")
_SECOND_ESSAY = re.compile(r"^第[二2]篇")
# A title repeated in the essay sits in its first lines (after a dropped intro or meta line, as a
# centred or bold line); further down the same words are the essay's own.
TITLE_REPEAT_LINES = 3
# Header chrome above a repeated title: at most this many lines of at most CHROME_LINE visible characters.
CHROME_ABOVE_TITLE = 8
CHROME_LINE = 12
# What may follow a title glued to the first paragraph (a Word export with its CSS stripped).
_AFTER_GLUED_TITLE = re.compile(r"^(?:\s|同志们|各位|尊敬的|亲爱的|老师们|同学们)")


def _squeezed(text: str) -> str:
    return fold(text).replace(" ", "")


def _repeats_title(text: str, target: str, single: bool) -> bool:
    bare = _TITLE_SUFFIX.sub("", _TITLE_PREFIX.sub("", text) if single else re.sub(r"^1、", "", text))
    return bool(bare) and _squeezed(clean_title(bare)) == target


def _drop_above_title(lines: list[Line], title: str) -> tuple[list[Line], list[Removal]]:
    """Short lines above a repeated title are the block's own header chrome (a follow button, counters, a
    channel label): the essay starts under its title. Run before the line rules, so rules scoped to the
    first lines (a date line under the title) count from the title."""
    target = _squeezed(title)
    if not target:
        return lines, []
    single = not any(_SECOND_ESSAY.match(line.text) for line in lines)
    start = next((i for i, line in enumerate(lines[:CHROME_ABOVE_TITLE + 1])
                  if ink(line.text) > CHROME_LINE or _repeats_title(line.text, target, single)), 0)
    if not start or not _repeats_title(lines[start].text, target, single):
        return lines, []
    return lines[start:], [Removal("above-title", "navigation", line.text) for line in lines[:start]]


def _drop_title_lines(lines: list[Line], title: str) -> tuple[list[Line], list[Removal]]:
    """Drop lines near the top that repeat the title (with page-number, chunk-marker, 第一篇 or post-time
    noise), and a title glued to the front of the first paragraph."""
    target = _squeezed(title)
    if not target:
        return lines, []
    single = not any(_SECOND_ESSAY.match(line.text) for line in lines)
    removed = []
    kept: list[Line] = []
    for i, line in enumerate(lines):
        if i < TITLE_REPEAT_LINES and _repeats_title(line.text, target, single):
            removed.append(Removal("title-repeat", "navigation", line.text))
        else:
            kept.append(line)
    if kept and kept[0].text.startswith(title) and _AFTER_GLUED_TITLE.match(kept[0].text[len(title):]):
        first = kept[0]
        removed.append(Removal("title-repeat", "navigation", title))
        kept[0] = Line(first.text[len(title):].strip(), first.linked, first.heading)
    return kept, removed


# A news brief's page: its <title> repeats its <h1> headline (a channel's name is short; a headline is not),
# and its main block is one paragraph of prose, whatever link lists and players surround it.
HEADLINE_CHARS = 8


def _named_by_headline(root: Element, title: str) -> bool:
    target = _squeezed(title)
    return (len(target) >= HEADLINE_CHARS and target in _squeezed(page_title(root))
            and any(_squeezed(text(h1)) == target for h1 in root.iter("h1")))


# A block of this many lines without one sentence mark is a table or a link list whatever the line rules leave
# of it: judged before them, which take seconds on a page of 46,000 links.
HUGE_TABLE_LINES = 2000


_UNLINKED_STRINGS = etree.XPath(".//text()[not(ancestor::a)]", smart_strings=False)


def _huge_table(block: Element) -> bool:
    if sum(1 for _ in islice(block.iter(), HUGE_TABLE_LINES)) < HUGE_TABLE_LINES:
        return False
    # Judged on its strings, not its lines: in a table or a link list every cell or link is a line of its own,
    # and building the lines of a block of 40,000 links took a second.
    texts = text_strings(block)
    if SENTENCE_MARK.search("".join(texts)):  # most big blocks: an article with many elements
        return False
    cells = _stripped(texts)
    if len(cells) < HUGE_TABLE_LINES or not no_sentences(cells):
        return False
    return not verse_strings(_stripped(_UNLINKED_STRINGS(block)), len(cells))


def _stripped(texts: list[str]) -> list[str]:
    return [s for s in (t.strip() for t in texts) if s]


# A one-line opening post of a thread is an article from this many characters of sentences on.
OPENING_CHARS = 20


def _drop_replies(block: Element, anchored: list[Anchored]) -> bool:
    """Leave a reply stream out of the essay element (fanwen.pipelines.forum.replies_in), line by line in the
    audit; True when its opening post is what is left."""
    replies, opening = replies_in(block)
    for item in replies:
        lines = element_lines(item, soup=False)
        parent = drop(item)
        anchored += [(parent, Removal("forum-reply", "comment", line.text)) for line in lines]
    return opening

# Unlinked text in the main block beyond which a password field and login words are a dialog, not the page.
LOGIN_PAGE_TEXT = 300
# Rejections a page's own metadata may overrule (a refusal or a search page is what it says).
_DESCRIBED_KINDS = frozenset({"list", "empty"})
DESCRIBED_REASON = "the article's body is not in the page (a script renders it): the text is its description"


def _described(rejected: PageResult, description: str, meta_date: str | None, category: str | None) -> PageResult:
    """A rejected page that declares itself a dated article (og:type, JSON-LD: `description` is its
    description, else "") and describes itself in prose is an article whose body a script renders: its
    description is all of it the page holds, kept (marked truncated, with the reason) rather than lost."""
    if rejected.kind not in _DESCRIBED_KINDS or meta_date is None:
        return rejected
    line = Line(description)
    if prose_stats([line]).prose_chars < PROSE_CHARS:
        return rejected
    return PageResult("article", rejected.title, meta_date, category, lines=[line], truncated=True,
                      source=[line.text], reason=DESCRIBED_REASON)


def extract_page(url: str, html: str, selectors: dict[str, str], rules: Sequence[Rule]) -> PageResult:
    """Extract one page (see module docstring, step 1)."""
    root = parse_html(html)
    title = read_title(root, selectors)
    password = has_password_field(root)
    category = read_category(root, selectors, title, rules)
    meta_date = read_meta_date(root)
    # Only a dated page's description can stand for its body (_described): read it while <script> is there.
    description = read_description(root) if meta_date and declares_article(root) else ""
    if "body" not in selectors:
        mark_posts(body_of(root))
    anchored = prepare_page(root, rules)
    body = body_of(root)
    visible = normalize_line(text(body, " "))
    refusal = refusal_kind(page_title(root) or title, visible, password)
    block = select_one(root, selectors["body"]) if "body" in selectors else None
    post = find_first_post(body, visible, lambda unit: find_essay_element(unit)[0]) if block is None else None
    if post is not None:
        block = post.body
        title = subject_of(post, page_title(root), title_segments) or title
    scores = None
    if block is None:
        scores = score_elements(body)
        block, weight = find_essay_element(body, scores)
    else:
        weight = float(len(text(block)))

    def cleaned_page(block: Element) -> PageResult:
        """Metadata, cleaning and the after-cleaning checks with `block` as the essay element."""
        near = _text_before(body, block)
        published = read_published(root, selectors, near + "\n" + normalize_line(text(block, " "))[:200],
                                   meta_date)
        if post is not None and post.published and "date" not in selectors:
            published = post.published
        author = read_author(root, selectors, near)
        opening = post is None and _drop_replies(block, anchored)  # posts are marked only without a body selector
        if _huge_table(block):
            return PageResult("list", title=title, reason=f"{HUGE_TABLE_LINES}+ lines without a sentence mark")
        cleaned = clean_block(block, anchored, rules, post=post is not None,
                              header=lambda lines: _drop_above_title(lines, title))
        mark_notice_after(cleaned, block, rules)
        lines, title_removed = _drop_title_lines(cleaned.lines, title)
        texts = [line.text for line in lines]
        kind = kind_of_cleaned(texts, body)
        # An opening post kept from its replies may be one sentence (a question).
        if kind and not short_article(texts) and not (opening and prose_stats(lines).marked_chars >= OPENING_CHARS):
            chars = sum(map(len, texts))
            return PageResult(kind, title=title, reason=f"{chars} characters left after cleaning"
                              if chars < MIN_ESSAY_CHARS else "the main block is cut-off excerpts")
        # Measured on the element as the page shows it: the line rules drop linked lines as related links.
        if sum(1 for _ in block.iter("a")) >= LIST_LINKS and item_list(element_lines(block, soup=False)):
            return PageResult("list", title=title, reason="the main block is a list of linked titles")
        if headline_list(lines, sum(1 for a in block.iter("a") if a.get("href"))):
            return PageResult("list", title=title, reason="the main block is a carousel of linked headlines")
        if no_sentences(texts) and not verse(lines):
            return PageResult("list", title=title, reason=f"{len(texts)} lines without a sentence mark")
        return PageResult("article", title, published, category, author, lines, title_removed + cleaned.removed,
                          cleaned.truncated, cleaned.source)

    # A page is rejected on positive evidence only: before that, the next candidates outside the chosen
    # element get one look (a site's own selector or a forum post is not second-guessed).
    second_look = scores is not None
    # Keep when in doubt: refusal words and link items around the essay reject only a page whose essay
    # element does not read as prose (a short essay titled 那一次，我出错了 is an essay).
    # A login form on an article page is no login page: its main block holds text of its own, or a paragraph
    # of prose (a question over its log-in-to-answer form); a login page's block is the form and its labels.
    if refusal:
        own = element_lines(block, soup=False)
        if refusal == "login" and (sum(ink(line.text) for line in own if not line.linked) >= LOGIN_PAGE_TEXT
                                   or prose_stats(own).prose_chars >= PROSE_CHARS):
            refusal = None
        elif not reads_as_prose(own):
            other = prose_elsewhere(block, scores) if second_look else None
            if other is None:
                return PageResult(refusal, title=title, reason=f"{refusal} words on a page without prose")
            block, second_look = other, False
    kind = list_kind(url, body, block, int(weight))
    if kind and not keeps_page(lines := element_lines(block, soup=False)) and not (
            one_paragraph(lines) and _named_by_headline(root, title)):
        other = prose_elsewhere(block, scores) if second_look else None
        if other is None:
            return _described(PageResult(kind, title=title, reason="repeated link items outweigh a main block"
                                         " without prose"), description, meta_date, category)
        block, second_look = other, False
    page = cleaned_page(block)
    if page.kind != "article" and second_look and (other := prose_elsewhere(block, scores)) is not None:
        page = cleaned_page(other)
    return page if page.kind == "article" else _described(page, description, meta_date, category)


def extract_document(
    pages: list[tuple[str, str]],
    *,
    selectors: dict[str, str] | None = None,
    rules: Sequence[Rule] = (),
) -> Extraction:
    """Extract and clean one document from its pages in reading order (several pages = one article)."""
    return assemble_document(extract_pages(pages, selectors=selectors, rules=rules))


def extract_pages(
    pages: list[tuple[str, str]],
    *,
    selectors: dict[str, str] | None = None,
    rules: Sequence[Rule] = (),
) -> list[PageResult]:
    """Step 1 of the module docstring on every page of a document, in reading order."""
    all_rules = merge_rules(load_rules(), rules)
    return [extract_page(url, html, selectors or {}, all_rules) for url, html in pages]


# A line this long that a continuation page shares with an earlier page is a box every page repeats (a
# summary, a notice), not the essay going on; shorter lines (谢谢大家！) may recur in an essay.
PAGE_REPEAT_CHARS = 10


def _page_lines(result: PageResult) -> set[str]:
    """The squeezed lines a page showed in its essay element, kept or removed."""
    return {flat for text in (*(line.text for line in result.lines), *(r.text for r in result.removed))
            if len(flat := _squeezed(text)) >= PAGE_REPEAT_CHARS}


def _drop_page_repeats(lines: list[Line], seen: set[str]) -> tuple[list[Line], list[Removal]]:
    """Drop the lines of a continuation page that an earlier page of the document already showed."""
    kept = [line for line in lines if _squeezed(line.text) not in seen]
    if len(kept) == len(lines):
        return lines, []
    return kept, [Removal("page-repeat", "navigation", line.text) for line in lines if _squeezed(line.text) in seen]


def assemble_document(results: list[PageResult]) -> Extraction:
    """Steps 2–3: stitch the pages' results into one document (the first page decides its kind)."""
    if not results:
        return Extraction(kind="empty")
    first = results[0]
    if first.kind != "article":
        return Extraction(kind=first.kind, title=first.title, reason=first.reason)
    lines: list[Line] = list(first.lines)
    removed = list(first.removed)
    seen = _page_lines(first)
    for more in results[1:]:
        more_lines, dropped = _drop_title_lines(more.lines, first.title)
        more_lines, repeated = _drop_page_repeats(more_lines, seen)
        seen |= _page_lines(more)
        lines += more_lines
        removed += dropped + repeated + more.removed
    return Extraction(
        kind="article",
        title=first.title,
        published=first.published,
        category=first.category,
        author=first.author,
        text="\n".join(line.text for line in lines),
        truncated=any(r.truncated for r in results),
        removed=removed,
        reason=first.reason,
        parts=split_essays(lines, first.title),
    )


def extraction_to_dict(ext: Extraction) -> dict:
    """A JSON-ready dict of an Extraction (used by `fanwen extract --json`)."""
    return dataclasses.asdict(ext)
