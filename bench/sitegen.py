"""Generate a large local 范文 site for benchmarks: paginated lists and GBK DedeCMS-style articles.

Deterministic (seeded) so runs compare. Pages carry the junk the cleaner must remove (hidden spans,
ads, related boxes, paywall footers) so the full pipeline does its real work.
"""

from __future__ import annotations

import random
from pathlib import Path

SENTENCES = [
    "今年以来，我们坚持以人民为中心的发展思想，扎实推进各项工作落地见效。",
    "全体干部职工要进一步统一思想、提高认识，切实增强责任感和紧迫感。",
    "要坚持问题导向，聚焦群众反映强烈的突出问题，拿出务实管用的举措。",
    "通过开展主题教育活动，党员干部的理论水平和业务能力得到明显提升。",
    "我们要把安全生产摆在更加突出的位置，坚决遏制重特大事故发生。",
    "在老师的耐心指导下，我逐渐明白了学习不仅是为了考试，更是为了成长。",
    "回顾过去一年的工作，既有成绩也有不足，需要我们认真总结经验教训。",
    "各部门要加强协调配合，形成工作合力，确保各项任务按时保质完成。",
    "妈妈每天早上六点就起床为我们准备早餐，从来没有一句怨言。",
    "乡村振兴是一项系统工程，需要政府、企业和社会各方面共同参与。",
]
TITLES = ["在全市安全生产工作会议上的讲话", "学习心得体会", "年度工作总结", "我的妈妈", "述职报告",
          "主题教育动员讲话", "乡村振兴调研报告", "教师节演讲稿"]
PAYWALL = "<p>预览阅读已结束,若您需要全文或代笔。</p><p>请点击&#128073; mooonya &#128072;联系老师</p>"
TEMPLATE = """<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>{title}_基准范文网</title><style>.h{n}{{display:none}}</style></head><body>
<div class="top"><a href="/">首页</a> <a href="/list_1.html">范文大全</a></div>
<div class="gg"><script>show_ad("top");</script>广告位招租</div>
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/list_1.html">范文</a></div>
<h1>{title}</h1><div class="info">发布时间：2024-{month:02d}-{day:02d} 来源：网友投稿</div>
<div class="content">{paragraphs}</div>
{paywall}
<div class="related"><h3>相关阅读</h3><ul>{related}</ul></div>
<div class="footer">Copyright &copy; 基准范文网 版权所有</div></body></html>"""


def article_html(i: int, rng: random.Random, total: int) -> str:
    paragraphs = []
    for _ in range(rng.randint(6, 14)):
        text = "".join(rng.choice(SENTENCES) for _ in range(rng.randint(2, 5)))
        paragraphs.append(f"<p>　　{text}<span class=\"h{i}\">基准范文网防采集</span></p>")
    related = "".join(f'<li><a href="/a/{rng.randrange(total)}.html">{rng.choice(TITLES)}</a></li>' for _ in range(5))
    # The seed's paywall footer; the emoji as character references, as GBK pages must carry them.
    paywall = PAYWALL if i % 5 == 0 else ""
    return TEMPLATE.format(title=f"{rng.choice(TITLES)}（{i}）", n=i, month=1 + i % 12, day=1 + i % 28,
                           paragraphs="\n".join(paragraphs), related=related, paywall=paywall)


def list_html(page: int, ids: list[int], pages: int) -> str:
    items = "".join(f'<li><a href="/a/{i}.html">范文第{i}篇</a><p>摘要……</p></li>' for i in ids)
    nav = "".join(f'<a href="/list_{p}.html">{p}</a> ' for p in range(max(1, page - 5), min(pages, page + 5) + 1))
    nxt = f'<a href="/list_{page + 1}.html">下一页</a>' if page < pages else ""
    return (f'<html><head><meta charset="gbk"><title>范文大全 第{page}页</title></head><body>'
            f'<ul class="list">{items}</ul><div class="pages">{nav}{nxt}</div></body></html>')


def generate(root: Path, articles: int, *, per_list: int = 20, delay_ms: int = 0, seed: int = 7) -> int:
    """Write the site under `root`; returns the number of pages (articles + list pages + home)."""
    rng = random.Random(seed)
    (root / "a").mkdir(parents=True, exist_ok=True)
    for i in range(articles):
        (root / "a" / f"{i}.html").write_bytes(article_html(i, rng, articles).encode("gbk"))
    pages = (articles + per_list - 1) // per_list
    for p in range(1, pages + 1):
        ids = list(range((p - 1) * per_list, min(articles, p * per_list)))
        (root / f"list_{p}.html").write_bytes(list_html(p, ids, pages).encode("gbk"))
    (root / "index.html").write_bytes(list_html(1, [], pages).encode("gbk"))
    (root / "_site.toml").write_text(f'charset = "gbk"\ndelay_ms = {delay_ms}\n', encoding="utf-8")
    return articles + pages + 1
