"""A small archive that looks like the real thing, shared by the search and Datasette tests.

Hand-written 公文/范文 articles carry the acceptance cases (政协, 民主评议, 堃, QQ群, traditional and
full-width forms, boundaries between paragraphs and between title and text); seeded random essays
from a vocabulary add volume so every query has both hits and misses. Rows go in through
store.upsert_article, the crawl's own writer, so the index is filled by the real triggers.
"""

from __future__ import annotations

import hashlib
import random
import sqlite3
from pathlib import Path

from fanwen.browse.search_index import FTS_TABLE, rebuild_search_index
from fanwen.pipelines.records import Document, Extraction, Fetched, Removal
from fanwen.pipelines.store import open_db, upsert_article

HAND_WRITTEN = [
    ("https://www.ruiwen.com/gongwen/baogao/1001.html", "ruiwen", "政协工作报告（2023年）", "2023-01-12",
     "各位委员：\n\u3000\u3000现在，我代表政协常务委员会向大会报告工作，请予审议。\n"
     "\u3000\u3000一年来，我们坚持民主评议，组织委员视察调研。", False),
    ("https://m.huaboedu.com/news/762.html", "huaboedu", "在全市民主评议政风行风工作会议上的讲话", "2023-03-05",
     "同志们：\n\u3000\u3000今天召开全市民主评议政风行风工作会议，主要任务是总结去年工作、部署今年任务。\n"
     "\u3000\u3000紧紧围绕市委、市政府确定的各项任务目标,真......", True),
    ("https://www.diyifanwen.com/fanwen/xindetihui2/22366158.html", "diyifanwen", "教师学习心得体会", "2023-03-28",
     "我叫李堃，是一名乡村教师。\n\u3000\u3000通过这次学习，我深刻认识到师德的重要性。", False),
    ("https://www.xuexila.com/fwn/xindetihuifwn/c627042.html", "xuexila", "班级QQ群管理制度", "2023-05-02",
     "为加强班级管理，本班建立家长QQ群和微信群。\n\u3000\u3000群内禁止发布广告。", False),
    ("https://www.ruiwen.com/wenxue/beiying/696905.html", "ruiwen", "ＱＱ群公告（全角）", "2023-05-20",
     "各位家長：請加入ｑｑ群１２３４５６。", False),
    ("https://www.fwsir.com/gongwen/1.html", "fwsir", "政協委員履職報告", "2023-06-01",
     "本人作為政協委員，積極參加民主評議活動。", False),
    ("https://www.yjbys.com/zhidu/2.html", "yjbys", "民主 评议（分开写的标题）", "2023-06-15",
     "会议听取了大家对民主\n评议工作的意见，两个词分在两段。", False),
    ("https://www.cnrencai.com/jiyu/3.html", "cnrencai", "工作总结报告", "2023-07-07",
     "告各位同事书：本文只在标题末尾有“报告”，正文开头是“告”。", False),
    ("https://www.liuxue86.com/a/4.html", "liuxue86", "我的妈妈", "2022-12-30",
     "我的妈妈是一名老师。她每天都很忙。", True),
    ("https://www.ruiwen.com/zuowen/5.html", "ruiwen", "雪", None, "雪", False),
]

VOCABULARY = (
    "政协 委员 民主 评议 工作 报告 会议 学习 心得 体会 党建 扶贫 乡村 振兴 教师 学生 作文 老师 "
    "我们 同志们 坚持 加强 推进 落实 组织 调研 视察 提案 意见 建议 群众 服务 发展 安全 生产 "
    "的 了 在 和 是 有 一 个 年 月 日 市 县 区 新 大 好 QQ群 微信 2023 第一 第二"
).split()
PUNCTUATION = "，。；：、！？"


def random_essay(rng: random.Random) -> str:
    """A few paragraphs of vocabulary words with Chinese punctuation and full-width indents."""
    paragraphs = []
    for _ in range(rng.randint(1, 4)):
        words = [rng.choice(VOCABULARY) + (rng.choice(PUNCTUATION) if rng.random() < 0.2 else "")
                 for _ in range(rng.randint(5, 40))]
        paragraphs.append("\u3000\u3000" + "".join(words) + "。")
    return "\n".join(paragraphs)


def add_article(db, url: str, site: str, title: str, published: str | None, text: str, truncated: bool,
                crawl_id: int | None = 1) -> None:
    """Store one article through the crawl's writer, with a removal so the audit has something."""
    body = f"<html><head><title>{title}</title></head><body>{text}</body></html>".encode("gb18030")
    doc = Document(url=url, site=site, parts=[Fetched(url, 200, {"Content-Type": "text/html"}, body,
                                                      "gb18030", "2023-08-01T00:00:00Z")])
    ext = Extraction(kind="article", title=title, published=published, text=text, truncated=truncated,
                     removed=[Removal("paywall-preview-ended", "paywall", "预览阅读已结束,若您需要全文或代笔。")]
                     if truncated else [], parts=[])
    upsert_article(db, doc, ext, crawl_id)


def make_archive(path: Path, random_articles: int = 150, seed: int = 20231, hand_written: bool = True) -> Path:
    """Build the archive at path and return it."""
    db = open_db(path)
    for row in HAND_WRITTEN if hand_written else []:
        add_article(db, *row)
    rng = random.Random(seed)
    sites = ["ruiwen", "diyifanwen", "xuexila", "huaboedu"]
    for i in range(random_articles):
        title = "".join(rng.choice(VOCABULARY) for _ in range(rng.randint(2, 5)))
        published = f"{rng.choice([2021, 2022, 2023])}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        add_article(db, f"https://www.{sites[i % 4]}.com/fanwen/{10000 + i}.html", sites[i % 4], title,
                    published, random_essay(rng), rng.random() < 0.1)
    db.close()
    return path


def substring_scan(path: Path, *needles: str) -> set[str]:
    """URLs whose title or text contains any of the needles, by a plain scan (the oracle)."""
    conn = sqlite3.connect(path)
    try:
        return {url for needle in needles for (url,) in conn.execute(
            "select url from articles where instr(title, ?) > 0 or instr(text, ?) > 0", [needle, needle])}
    finally:
        conn.close()


def index_entries(path: Path) -> str:
    """Every entry of the search index (token, rowid, column, offset), in index order, as one digest."""
    conn = sqlite3.connect(path)
    try:
        conn.execute(f"create virtual table temp.entries using fts5vocab(main, {FTS_TABLE}, 'instance')")
        digest = hashlib.sha256()
        for row in conn.execute("select * from temp.entries"):
            digest.update(repr(row).encode())
        return digest.hexdigest()
    finally:
        conn.close()


def rebuilt_index_entries(path: Path) -> str:
    """index_entries of a copy of the archive whose index was rebuilt from its current titles and texts:
    what the index of an archive whose writers kept it in step must equal."""
    copy = path.with_name(path.stem + "-rebuilt.db")
    source = sqlite3.connect(path)
    target = sqlite3.connect(copy)
    source.backup(target)
    source.close()
    target.close()
    db = open_db(copy, create=False)
    rebuild_search_index(db)
    db.close()
    try:
        return index_entries(copy)
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(str(copy) + suffix).unlink(missing_ok=True)


def test_corpus_has_hits_and_misses_for_the_acceptance_queries(tmp_path):
    path = make_archive(tmp_path / "fanwen.db")
    total = sqlite3.connect(path).execute("select count(*) from articles").fetchone()[0]
    assert total == len(HAND_WRITTEN) + 150
    for needle in ["政协", "民主评议", "堃", "QQ群", "的"]:
        assert 0 < len(substring_scan(path, needle)) < total, needle
