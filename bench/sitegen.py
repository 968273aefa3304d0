"""Generate a large local 范文 site for benchmarks: paginated lists and GBK DedeCMS-style articles.

Deterministic (seeded) so runs compare. Pages carry the junk the cleaner must remove (hidden spans,
ads, related boxes, paywall footers) so the full pipeline does its real work.
"""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from fanwen.siteserver import _QuietServer

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


# --- the same site made on request ------------------------------------------------------------------------
MULTI_PAGE_EVERY = 10  # every 10th article of a generated site has PARTS pages: 7.html, 7_2.html, 7_3.html
PARTS = 3
_ARTICLE_PATH = re.compile(r"/a/(\d+)(?:_(\d+))?\.html")
_LIST_PATH = re.compile(r"/list_(\d+)\.html")


def generated_pages(articles: int, per_list: int = 20) -> int:
    """How many pages `generated_page` serves for `articles` articles (parts and list pages included)."""
    multi = (articles + MULTI_PAGE_EVERY - 1) // MULTI_PAGE_EVERY
    return articles + multi * (PARTS - 1) + (articles + per_list - 1) // per_list + 1


def generated_page(path: str, articles: int, per_list: int = 20) -> bytes | None:
    """One page of a site like generate()'s, made when asked (GBK bytes), or None when the site has no such
    page: a site of 100,000 pages without writing them to disk. Every MULTI_PAGE_EVERY-th article is split
    over PARTS pages linked by a pager, so the crawl stitches articles as it does on the real sites."""
    lists = (articles + per_list - 1) // per_list
    if path in ("/", "/index.html"):
        return list_html(1, [], lists).encode("gbk")
    if m := _LIST_PATH.fullmatch(path):
        p = int(m.group(1))
        if not 1 <= p <= lists:
            return None
        return list_html(p, list(range((p - 1) * per_list, min(articles, p * per_list))), lists).encode("gbk")
    if m := _ARTICLE_PATH.fullmatch(path):
        i, part = int(m.group(1)), int(m.group(2) or 1)
        parts = PARTS if i % MULTI_PAGE_EVERY == 0 else 1
        if i >= articles or not 1 <= part <= parts or m.group(2) == "1":
            return None
        html = article_html(i, random.Random(i * 100 + part), articles)
        if parts > 1:
            pager = "".join(f'<a href="/a/{i}{"" if n == 1 else f"_{n}"}.html">{n}</a> ' for n in range(1, parts + 1))
            html = html.replace('<div class="related">', f'<div class="pages">{pager}</div><div class="related">', 1)
        return html.encode("gbk")
    return None


@contextmanager
def serve_generated(articles: int, per_list: int = 20) -> Iterator[str]:
    """Serve `generated_page` on 127.0.0.1 (a free port) for the duration; yields the site's base URL."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a real host answers Scrapy

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            body = generated_page(self.path.split("?", 1)[0], articles, per_list)
            self.send_response(200 if body is not None else 404)
            body = body if body is not None else b"not found"
            self.send_header("Content-Type", "text/html; charset=gbk")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = _QuietServer(("127.0.0.1", 0), Handler)  # a crawler closing a kept-alive connection is no error
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
