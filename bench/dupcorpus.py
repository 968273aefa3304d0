"""A hard, seeded corpus for near-duplicate detection: distinct 公文 texts and planted near-duplicates.

Distinct texts share what real 范文 sites share, so that keeping them apart is earned:
- 公文 openings and closings (同志们：, 各位领导、同志们：, 下面，我讲几点意见。, 谢谢大家！, …);
- stock sentences from a pool of a few hundred (要坚持问题导向，…), several per text;
- the site's own boilerplate line at the top or bottom of about half its articles;
- a Zipf-weighted vocabulary (bench/search.py), so common words recur everywhere;
- many short texts (a few hundred characters), where the shared parts weigh most.
Near-duplicates (the planted share of the corpus) are copies of a distinct text as another site
republishes it: another intro line, watermarks inside, cut at the end (a preview, sometimes only
a quarter of the text but at least 200 characters), first paragraphs dropped, a few characters
changed, other punctuation and line breaks. Most copied texts are copied once, a few dozens of times
(more than the index's postings cap).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from bench.search import vocabulary

SITES = [f"site{i:02d}" for i in range(24)]
SITE_NAMES = ["第一范文网", "瑞文网", "学习啦", "范文先生网", "出国留学网", "应届毕业生网", "中国人才网", "好范文",
              "文书帮", "公文素材库", "写作网", "秘书网", "范文大全", "文秘114", "免费范文网", "公文易",
              "找范文", "范文之家", "文档网", "稿子网", "写材料网", "讲话稿网", "心得网", "总结网"]
SALUTATIONS = ["同志们：", "各位领导、同志们：", "尊敬的各位领导、各位同事：", "同志们、朋友们：", "各位代表："]
OPENINGS = ["今天我们召开{}工作会议，主要任务是总结工作、分析形势、部署任务。",
            "刚才，{}的同志作了很好的发言，我完全同意。",
            "这次会议是经{}研究决定召开的一次重要会议。", "下面，我讲几点意见。", "下面我讲几点意见，供大家参考。"]
CLOSINGS = ["同志们，任务艰巨，使命光荣，让我们团结一心，真抓实干，奋力开创工作新局面！", "谢谢大家！",
            "以上是我的述职报告，请各位领导和同志们批评指正。", "以上讲话，不妥之处请批评指正。谢谢大家！"]
TOPICS = ["全县安全生产", "全市经济", "党风廉政建设", "乡村振兴", "招商引资", "教育", "卫生健康", "城市管理",
          "生态环境保护", "信访稳定", "民政", "防汛抗旱"]
STOCK_HEADS = ["要坚持问题导向，", "必须提高政治站位，", "各级各部门要", "全体干部职工要", "我们要始终坚持", "要进一步",
               "必须清醒认识到，", "要切实", "要牢固树立", "务必"]
STOCK_TAILS = ["切实增强责任感和紧迫感。", "确保各项工作任务落到实处。", "聚焦群众反映强烈的突出问题。",
               "以钉钉子精神抓好工作落实。", "坚决守住不发生重大风险的底线。", "推动工作提质增效。",
               "把思想和行动统一到上级决策部署上来。", "以更加务实的作风推动高质量发展。", "形成齐抓共管的工作合力。",
               "不断增强人民群众的获得感、幸福感、安全感。", "持续优化营商环境。", "加强统筹协调，压实工作责任。"]
INTROS = ["以下是小编为大家整理的{}，欢迎阅读参考。", "{}由网友投稿，仅供参考。",
          "本文是{}为您搜集的范文，希望对您有帮助。", "【导语】下面是{}，供大家学习借鉴。"]
WATERMARKS = ["（来源：{}）", "本文来自{}", "更多精彩内容请访问{}", "{}版权所有"]
PREVIEW_MIN = 200  # characters a preview keeps at least (real previews show a few hundred)
# How many copies a copied text gets: most once, some a few times, a few dozens of times (republished everywhere).
COPY_COUNTS = ([1] * 60 + [2] * 18 + [3] * 8 + [5] * 6 + [8] * 4 + [15] * 2 + [40] * 1 + [60] * 1)


@dataclass
class Article:
    """One generated article; `text_id` is the ground truth (copies share their original's)."""

    url: str
    site: str
    text_id: int
    text: str
    truncated: int
    copy: bool


class Generator:
    """Seeded text factory (build one per corpus)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        words, weights = vocabulary(random.Random(seed))
        self.words = words
        self.cum: list[float] = []
        total = 0.0
        for w in weights:
            total += w
            self.cum.append(total)
        self.stock = [h + "".join(self.rng.choices(words[:300], k=3)) + t for h in STOCK_HEADS for t in STOCK_TAILS]

    def sentence(self) -> str:
        rng = self.rng
        if rng.random() < 0.3:
            return rng.choice(self.stock)
        picks = rng.choices(self.words, cum_weights=self.cum, k=rng.randint(6, 24))
        return "".join(w + ("，" if rng.random() < 0.15 else "") for w in picks) + "。"

    def text(self) -> list[str]:
        """A distinct text as paragraphs: often a 公文 frame around a body of sentences."""
        rng = self.rng
        size = rng.choice([rng.randint(150, 400), rng.randint(300, 1200), rng.randint(800, 2500)])
        paragraphs = []
        formal = rng.random() < 0.7
        if formal:
            paragraphs.append(rng.choice(SALUTATIONS))
            paragraphs.append(rng.choice(OPENINGS).format(rng.choice(TOPICS)) + rng.choice(OPENINGS[3:]))
        body = 0
        while body < size:
            paragraph = "".join(self.sentence() for _ in range(rng.randint(1, 5)))
            paragraphs.append(paragraph)
            body += len(paragraph)
        if formal:
            paragraphs.append(rng.choice(CLOSINGS))
        return paragraphs

    def copy(self, paragraphs: list[str], site_name: str) -> tuple[list[str], int]:
        """How another site republishes a text; returns (paragraphs, truncated)."""
        rng = self.rng
        out = list(paragraphs)
        truncated = 0
        if rng.random() < 0.3 and len(out) > 3:
            out = out[rng.randint(1, 2):]  # the salutation and opening left out
        if rng.random() < 0.4:  # a preview: the site shows the first part only
            chars = sum(map(len, out))
            keep = max(int(chars * rng.uniform(0.25, 0.8)), min(chars, PREVIEW_MIN))
            cut, at = [], 0
            for p in out:
                if at + len(p) > keep:
                    cut.append(p[: max(0, keep - at)] + "……")
                    break
                cut.append(p)
                at += len(p)
            out, truncated = cut, 1
        if rng.random() < 0.6:
            out.insert(0, rng.choice(INTROS).format(site_name))
        for _ in range(rng.randint(0, 3)):
            out.insert(rng.randint(0, len(out)), rng.choice(WATERMARKS).format(site_name))
        if rng.random() < 0.5:  # typos and re-typed characters
            text = list("\n".join(out))
            for _ in range(rng.randint(1, 6)):
                text[rng.randrange(len(text))] = rng.choice(self.words[:50])[0]
            out = "".join(text).split("\n")
        if rng.random() < 0.3:  # half-width punctuation, paragraphs joined
            out = ["".join(out).replace("，", ",").replace("：", ":").replace("！", "!")]
        return out, truncated


def corpus(n: int, dup_share: float = 0.1, seed: int = 20261201) -> list[Article]:
    """n articles in arrival order (shuffled: a copy may arrive before its original)."""
    gen = Generator(seed)
    rng = gen.rng
    copies_wanted = int(n * dup_share)
    originals = n - copies_wanted
    articles: list[Article] = []
    texts: list[list[str]] = []
    for i in range(originals):
        site = rng.randrange(len(SITES))
        paragraphs = gen.text()
        texts.append(paragraphs)
        framed = list(paragraphs)
        if rng.random() < 0.5:  # the site's boilerplate line, top or bottom
            line = f"欢迎访问{SITE_NAMES[site]}，更多精彩范文尽在本站！"
            framed = [line, *framed] if rng.random() < 0.5 else [*framed, line]
        articles.append(Article(f"https://www.{SITES[site]}.com/fanwen/{i}.html", SITES[site], i,
                                "\n".join(framed), 0, False))
    made = 0
    while made < copies_wanted:
        text_id = rng.randrange(originals)
        for _ in range(min(rng.choice(COPY_COUNTS), copies_wanted - made)):
            site = rng.randrange(len(SITES))
            paragraphs, truncated = gen.copy(texts[text_id], SITE_NAMES[site])
            articles.append(Article(f"https://www.{SITES[site]}.com/wenzhang/{text_id}-{made}.html", SITES[site],
                                    text_id, "\n".join(paragraphs), truncated, True))
            made += 1
    rng.shuffle(articles)
    return articles
