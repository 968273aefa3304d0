"""A misbehaving site for the fault tests and bench/soak.py: faults laid over a good fixture site.

`add_faults(root, articles)` writes fault pages under `<root>/faults/` and rules into `<root>/_site.toml`, and
links them from the home page; fanwen.siteserver serves the result (no server code of its own). Faults:

* on some of the site's own articles: 500, 502, 503 and 429 + Retry-After for the first hit (they recover);
* new pages: slower than the download timeout, cut short of their Content-Length, a redirect loop, a page
  larger than DOWNLOAD_MAXSIZE, random bytes and a PDF served as text/html, an empty 200, mojibake, login,
  captcha and soft-404 pages;
* new good essays reached through awkward links: a GBK-percent-encoded path, spaces around and inside an href,
  fragments and tracking parameters (each must be stored once, under its canonical URL).

`FaultPlan` says what a crawl must make of each path. `python -m fanwen.faultsite OUT` copies a site (the
bundled demo by default), lays the faults over it and serves it on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import importlib.resources
import json
import random
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from fanwen.siteserver import MANIFEST, run_until_interrupted, serve_site

FAULT_DIR = "faults"
# First-hit failures laid over existing articles: (status, extra manifest keys). Each recovers on a retry.
RECOVERING = ((500, ""), (502, ""), (503, ""), (429, "retry_after = 1\n"))
SENTENCES = (
    "这学期我担任班主任工作，始终把学生的安全和成长放在第一位，认真做好每一天的常规管理。",
    "通过这次培训，我深刻认识到基层治理必须坚持问题导向，把群众的急难愁盼作为工作的出发点。",
    "妈妈总说读书是为了看更大的世界，那时我还不懂，如今站在大学的校门口才明白她的用心。",
    "一年来，全科室同志团结协作、攻坚克难，较好地完成了年初确定的各项目标任务。",
    "在今后的工作中，我将进一步加强理论学习，提高业务能力，努力做一名让群众满意的干部。",
    "春天的校园里，桃花开得正艳，同学们在操场上奔跑，笑声一阵接着一阵。",
    "我们要坚持安全第一、预防为主，层层压实责任，坚决防范和遏制各类事故发生。",
    "回首这段经历，我收获的不仅是知识和技能，更有面对困难时不轻言放弃的勇气。",
)
ESSAY = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}_故障范文网</title></head><body>
<div class="nav"><a href="/">首页</a> &gt; <a href="/{dir}/">范文</a></div>
<h1>{title}</h1><div class="info">发布时间：2024-03-{day:02d}</div>
<div class="content">{paragraphs}</div>
<div class="footer">故障范文网 版权所有</div></body></html>"""
REFUSALS = {
    "login.html": ("会员登录", '<form action="/login.php" method="post">用户名 <input name="u"> 密码 '
                               '<input type="password" name="p"> <button>登录</button></form>'),
    "captcha.html": ("安全验证", "<p>请完成验证后继续访问</p><div id=\"captcha\">滑动验证</div>"),
    "missing.html": ("页面不存在", "<h1>404</h1><p>您访问的页面不存在或已被删除，3秒后返回首页。</p>"),
}
# A tiny but well-formed PDF: what a 文库 site sends when its download link answers as a page.
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")


@dataclass
class FaultPlan:
    """What a crawl of the faulty site must make of each URL path."""

    articles: list[str] = field(default_factory=list)  # new good essays: stored once each
    recovering: list[str] = field(default_factory=list)  # the site's articles that fail first, then answer
    garbage: dict[str, str] = field(default_factory=dict)  # path → garbage kind (archived raw, not as article)
    rejected: dict[str, str] = field(default_factory=dict)  # path → page kind (empty, login, captcha, not-found)
    failures: dict[str, str] = field(default_factory=dict)  # path → failure kind in crawls.error_kinds


def essay_html(n: int, dir_name: str = FAULT_DIR) -> str:
    """A good essay page, distinct for each n."""
    paragraphs = "".join(f"<p>{SENTENCES[(n + i) % len(SENTENCES)]}{SENTENCES[(n + 3 * i + 1) % len(SENTENCES)]}"
                         f"（第{n}篇第{i + 1}段）</p>" for i in range(6))
    return ESSAY.format(title=f"故障站范文第{n}篇", dir=dir_name, day=1 + n % 28, paragraphs=paragraphs)


def add_faults(root: Path, articles: list[str], *, timeout_s: float = 1.0, copies: int = 1,
               big_bytes: int = 20 * 1024 * 1024, seed: int = 11) -> FaultPlan:
    """Lay the faults over the site at `root`, whose article paths are `articles`; returns the plan.

    `timeout_s` is the crawl's DOWNLOAD_TIMEOUT (the slow page answers later than that); `copies` repeats the
    new fault pages (faults/2/…) and fails that many times more existing articles, for bench/soak.py.
    """
    rng = random.Random(seed)
    plan = FaultPlan()
    rules: list[str] = []
    for i, path in enumerate(articles[: len(RECOVERING) * copies]):
        status, extra = RECOVERING[i % len(RECOVERING)]
        rules.append(f'[paths."{path}"]\nstatus = {status}\nfail_times = 1\n{extra}')
        plan.recovering.append(path)
    links = []
    for copy in range(1, copies + 1):
        links.append(f"/{FAULT_DIR}/{copy}/")
        _write_copy(root, copy, rng, timeout_s, big_bytes if copy == 1 else 0, plan, rules)
    manifest = root / MANIFEST
    old = manifest.read_text(encoding="utf-8") if manifest.is_file() else ""
    manifest.write_text(old + "\n" + "\n".join(rules), encoding="utf-8")
    _link_from_home(root, links)
    return plan


def _write_copy(root: Path, copy: int, rng: random.Random, timeout_s: float, big_bytes: int, plan: FaultPlan,
                rules: list[str]) -> None:
    base = f"/{FAULT_DIR}/{copy}/"
    folder = root / FAULT_DIR / str(copy)
    folder.mkdir(parents=True, exist_ok=True)
    n = copy * 10

    def page(name: str, body: bytes | str) -> str:
        (folder / name).write_bytes(body.encode("utf-8") if isinstance(body, str) else body)
        return base + name

    # Good essays behind awkward links.
    gbk_name = f"范文{copy}.html"
    page(gbk_name, essay_html(n + 1, f"{FAULT_DIR}/{copy}"))
    page("essay two.html", essay_html(n + 2, f"{FAULT_DIR}/{copy}"))
    page("tracked.html", essay_html(n + 3, f"{FAULT_DIR}/{copy}"))
    plan.articles += [base + gbk_name, base + "essay two.html", base + "tracked.html"]
    # Answers that never make a page.
    slow = page("slow.html", essay_html(n + 4))
    rules.append(f'[paths."{slow}"]\ndelay_ms = {int(timeout_s * 1000) + 1500}\n')
    plan.failures[slow] = "download_errors/DownloadTimeoutError"
    cut = page("cut.html", essay_html(n + 5))
    rules.append(f'[paths."{cut}"]\ncut_at = 300\n')
    plan.failures[cut] = "download_errors/ResponseDataLossError"
    loop_a, loop_b = base + "loop-a.html", base + "loop-b.html"
    rules.append(f'[paths."{loop_a}"]\nstatus = 302\nheaders = {{ Location = "{loop_b}" }}\n')
    rules.append(f'[paths."{loop_b}"]\nstatus = 302\nheaders = {{ Location = "{loop_a}" }}\n')
    plan.failures[loop_a] = "download_errors/redirect_loop"
    if big_bytes:
        filler = essay_html(n + 6).encode("utf-8")
        big = page("big.html", filler * (big_bytes // len(filler) + 1))
        plan.failures[big] = "download_errors/DownloadCancelledError"
    # Garbage served as text/html with status 200.
    plan.garbage[page("binary.html", bytes(rng.randrange(256) for _ in range(4096)))] = "binary"
    plan.garbage[page("report.html", PDF)] = "binary"
    mangled = essay_html(n + 7).encode("utf-8").decode("gbk", "ignore").encode("utf-8")
    plan.garbage[page("mojibake.html", mangled)] = "mojibake"
    plan.rejected[page("empty.html", b"")] = "empty"
    for name, (title, body) in REFUSALS.items():
        html = f"<html><head><meta charset=\"utf-8\"><title>{title}</title></head><body>{body}</body></html>"
        plan.rejected[page(name, html)] = {"login.html": "login", "captcha.html": "captcha"}.get(name, "not-found")
    gbk_href = quote(gbk_name.encode("gbk"))
    hrefs = [gbk_href, " essay two.html ", "tracked.html?utm_source=wechat&from=timeline#comments",
             "tracked.html#top", "slow.html", "cut.html", "loop-a.html", "binary.html", "report.html",
             "mojibake.html", "empty.html", "login.html", "captcha.html", "missing.html"]
    if big_bytes:
        hrefs.append("big.html")
    items = "".join(f'<li><a href="{h}">故障页面 {i}</a></li>' for i, h in enumerate(hrefs))
    page("index.html", f"<html><head><meta charset=\"utf-8\"><title>故障页面 {copy}</title></head>"
                       f"<body><ul>{items}</ul></body></html>")


def _link_from_home(root: Path, links: list[str]) -> None:
    home = root / "index.html"
    anchors = "".join(f'<a href="{link}">faults</a> ' for link in links).encode("ascii")
    body = home.read_bytes() if home.is_file() else b"<html><body></body></html>"
    end = body.rfind(b"</body>")
    home.write_bytes(body[:end] + anchors + body[end:] if end >= 0 else body + anchors)


def main(argv: list[str] | None = None) -> int:
    """`python -m fanwen.faultsite OUT [--base SITE]`: copy SITE (the demo), lay faults, serve until killed."""
    parser = argparse.ArgumentParser(prog="python -m fanwen.faultsite", description=main.__doc__)
    parser.add_argument("out", type=Path, help="new directory for the faulty copy")
    parser.add_argument("--base", type=Path, help="site to copy (default: the bundled demo site); its "
                                                  "_expected.json lists its articles")
    parser.add_argument("--timeout", type=float, default=1.0, help="the crawl's DOWNLOAD_TIMEOUT in seconds")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    base = args.base or Path(str(importlib.resources.files("fanwen.data") / "demo"))
    if args.out.exists():
        print(f"Error: {args.out} exists; give a new directory", file=sys.stderr)
        return 2
    shutil.copytree(base, args.out)
    expected = args.out / "_expected.json"
    articles = [a["path"] for a in json.loads(expected.read_text(encoding="utf-8"))["articles"]] \
        if expected.is_file() else []
    plan = add_faults(args.out, articles, timeout_s=args.timeout)
    server = serve_site(args.out, port=args.port)
    print(server.url, flush=True)
    print(json.dumps(plan.__dict__, ensure_ascii=False), file=sys.stderr, flush=True)
    return run_until_interrupted(server)


if __name__ == "__main__":
    sys.exit(main())
