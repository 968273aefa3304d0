"""extract_document on real-looking pages: GBK bytes, multi-page, paywalls, tables, forums, multi-essay."""

from __future__ import annotations

import json

from fanwen.pipelines.decode import decode_html
from fanwen.pipelines.extract import clean_title, extract_document, extraction_to_dict
from fanwen.pipelines.rules import validate_rules

P = [
    "市政协选择行政服务中心开展民主评议工作，十分必要，也很有代表性和榜样激励意义。",
    "民主监督是《宪法》、《政协章程》赋予人民政协的一项重要职责，是社会主义民主政治建设的重要组成部分。",
    "我们要大力支持、积极配合，充分发挥政协各界别直接反映方方面面意见和建议的独特优势。",
    "有问题的群众可以拨打12345热线，也可以通过微信公众号留言，工作人员会及时回复。",
    "相关单位要全力支持政协对行政服务中心的民主评议工作，确保评议工作顺利进行。",
]


def _gbk(html: str) -> str:
    return decode_html(html.encode("gbk"), {"Content-Type": "text/html"}).text


def _paras(lines, indent="　　"):
    return "\n".join(f"<p>{indent}{t}</p>" for t in lines)


DIYI_1 = """<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN">
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312" />
<title>关于开展民主评议工作的讲话_第一范文网</title></head>
<body><div id="top"><a href="/">第一范文网</a> | <a href="/fanwen/">范文</a></div>
<div id="ArtLeft"><div class="list_info"><p><a href="/">首页</a> &gt; <a href="/fanwen/">范文大全</a> &gt;
<a href="/fanwen/jianghuagao/">讲话稿</a> &gt; 正文</p></div>
<h1>关于开展民主评议工作的讲话</h1><div class="info">发布时间：2023-06-18 09:12 作者：佚名</div>
<div id="ArtContent">{body}
<div id="CutPage"><a href="22366158.html">1</a> <a href="22366158_2.html">2</a>
<a href="22366158_2.html">下一页</a></div>
</div><div class="sfont">本文来自第一范文网</div></div>
<ul class="related"><li><a href="/a/1.html">其他讲话稿</a></li></ul></body></html>"""


def test_diyifanwen_gbk_two_pages_are_stitched():
    page1 = DIYI_1.replace("{body}", _paras(P[:3]))
    page2 = DIYI_1.replace("关于开展民主评议工作的讲话</h1>", "关于开展民主评议工作的讲话(2)</h1>").replace(
        "{body}", _paras(P[3:]))
    ext = extract_document([("https://www.diyifanwen.com/fanwen/jianghuagao/22366158.html", _gbk(page1)),
                            ("https://www.diyifanwen.com/fanwen/jianghuagao/22366158_2.html", _gbk(page2))])
    assert ext.kind == "article"
    assert ext.title == "关于开展民主评议工作的讲话"
    assert ext.text == "\n".join(P)
    assert ext.published == "2023-06-18"
    assert ext.category == "讲话稿"
    assert ext.author == "佚名"
    assert not ext.truncated and ext.parts == []


HUABO = """<html><head><meta charset="utf-8"><title>纪委书记在市政协民主评议动员会议上的讲话|华博范文网</title>
<style>.k9x{display:none}</style></head><body>
<header><a href="/">华博范文网</a> <a href="/">首页</a></header>
<div class="article"><h1>纪委书记在市政协民主评议动员会议上的讲话</h1><p class="date">2024-12-21 华博范文网</p>
<div class="news-content">
<p>&nbsp;&nbsp;同志们:</p>{body}<span class="k9x">华博范文网防采集</span>
<p>预览阅读已结束,若您需要全文或代笔。<br>请点击👉 mooonya 👈联系老师</p></div>
<h3>相关阅读</h3><ul><li><a href="/news/1.html">在全市作风建设大会上的讲话</a></li>
<li><a href="/news/2.html">在民主生活会上的发言</a></li></ul>
<h3>最近更新</h3><ul><li><a href="/news/3.html">2024年工作总结</a></li></ul></div></body></html>"""


def test_huabo_paywall_page_is_truncated_even_if_complete():
    html = HUABO.replace("{body}", _paras(P, "&nbsp;&nbsp;") + "<p>&nbsp;&nbsp;谢谢大家!</p>")
    ext = extract_document([("https://m.huaboedu.com/news/762.html", html)])
    assert ext.title == "纪委书记在市政协民主评议动员会议上的讲话"
    assert ext.text == "\n".join(["同志们:", *P, "谢谢大家!"])
    assert ext.truncated
    assert ext.published == "2024-12-21"
    removed = {(r.rule, r.text) for r in ext.removed}
    assert ("hidden-style-class", "华博范文网防采集") in removed
    assert ("paywall-contact-teacher", "请点击👉 mooonya 👈联系老师") in removed
    assert json.loads(json.dumps(extraction_to_dict(ext), ensure_ascii=False))["truncated"] is True


TABLE_2004 = """<html><head><title>学习心得体会 - 瑞文网</title></head><body bgcolor="#FFFFFF">
<table width="778" border="0" align="center"><tr><td><img src="/logo.gif">
<a href="/">网站首页</a> | <a href="/xd/">心得</a>
</td></tr></table>
<table width="778" align="center"><tr><td width="180" valign="top" class="left">
<a href="/1.htm">热门文章一</a><br><a href="/2.htm">热门文章二</a><br><a href="/3.htm">热门文章三</a></td>
<td valign="top"><font size="4"><b>学习心得体会</b></font><br>时间：2005-3-8 来源：网友投稿<br><br>
{body}
</td></tr></table><table><tr><td align="center">Copyright 2005 瑞文网 All Rights Reserved 京ICP备05000000号</td></tr>
</table></body></html>"""


def test_table_layout_with_br_paragraphs():
    html = TABLE_2004.replace("{body}", "<br>".join("&nbsp;&nbsp;&nbsp;&nbsp;" + t for t in P))
    ext = extract_document([("http://www.ruiwen.com/xd/200503/1.htm", _gbk(html))])
    assert ext.kind == "article"
    assert ext.title == "学习心得体会"
    assert ext.text == "\n".join(P)
    assert ext.published == "2005-03-08"


DISCUZ = """<html><head><title>关于安全生产的讲话 - 公文写作 - 老秘网 - Powered by Discuz!</title></head><body>
<div id="hd"><a href="forum.php">论坛</a></div>
<div id="postlist"><table id="pid1"><tr><td class="pls">laomi</td><td class="plc">
<div class="pi"><em id="authorposton1">发表于 2019-4-2 10:21:33</em></div>
<td class="t_f" id="postmessage_1">{body}</td></td></tr></table>
<table id="pid2"><tr><td class="pls">网友甲</td><td class="plc">
<td class="t_f" id="postmessage_2">谢谢楼主分享</td></td></tr>
</table></div></body></html>"""


def test_discuz_jammer_and_replies():
    jams = ["8 p& m( M)", "p5 b2 O. R", "x1 Y", "q% T", "k9"]
    body = "<br />\r\n".join(f'{t}<font class="jammer">{j}</font>' for t, j in zip(P, jams, strict=True))
    html = DISCUZ.replace("{body}", body)
    ext = extract_document([("http://caiyes.cn/thread-72317-1-1.html", html)])
    assert ext.text == "\n".join(P)
    assert ext.title == "关于安全生产的讲话"
    assert sum(r.category == "hidden" for r in ext.removed) == 5


MULTI = """<html><head><title>工作心得体会(通用3篇)_范文网</title></head><body>
<div class="nav"><a href="/">首页</a> <a href="/xd/">心得体会</a></div>
<div class="content"><h1>工作心得体会(通用3篇)</h1>
<p>下面是小编为大家整理的工作心得体会(通用3篇),供大家参考。</p>
<h2>工作心得体会 篇1</h2>{a}<h2>工作心得体会 篇2</h2>{b}<h2>工作心得体会 篇3</h2>{c}
</div></body></html>"""


def test_multi_essay_page_keeps_all_essays_and_lists_parts():
    html = MULTI.format(a=_paras(P[:2]), b=_paras(P[2:4]), c=_paras(P[4:]))
    ext = extract_document([("https://www.example-fanwen.cn/xd/1.html", html)])
    assert [p.ordinal for p in ext.parts] == [1, 2, 3]
    assert ext.parts[1].text == "\n".join(P[2:4])
    assert ext.text.startswith("工作心得体会 篇1\n" + P[0])
    assert [r.category for r in ext.removed] == ["navigation", "intro"]  # the repeated <h1> title, the intro


LIST = """<html><head><title>讲话稿_第一范文网</title></head><body><div id="AListBox"><ul>{items}</ul></div>
<div id="CutPage"><a href="index_2.html">2</a></div></body></html>"""


def test_list_page_is_not_an_article():
    items = "".join(f'<li><a href="/fanwen/{i}.html" title="讲话稿{i}">在全市工作会议上的讲话{i}</a>'
                    f'<p>同志们：今天我们召开会议，主要任务是总结工作、部署任务……</p></li>' for i in range(12))
    ext = extract_document([("https://www.diyifanwen.com/fanwen/jianghuagao/index_2.html", LIST.format(items=items))])
    assert ext.kind == "list"


def test_soft_404_and_captcha_pages():
    not_found = "<html><head><title>页面不存在</title></head><body><h1>404</h1><p>您访问的页面不存在或已被删除！</p>" \
                "<a href='/'>返回首页</a></body></html>"
    captcha = "<html><head><title>正在进行安全检测...</title></head><body><p>请输入验证码</p></body></html>"
    assert extract_document([("https://a.cn/x.html", not_found)]).kind == "not-found"
    assert extract_document([("https://a.cn/x.html", captcha)]).kind == "captcha"
    assert extract_document([("https://a.cn/x.html", "<html><body><div></div></body></html>")]).kind == "empty"


def test_site_selectors_and_rules_override():
    html = ("<html><head><title>站点</title></head><body><div class='x-title'>真正的标题</div>"
            f"<div class='x-body'>{_paras(P[:2])}<p>本站独有尾巴</p></div><div class='x-side'>{_paras(P[2:])}</div>"
            "</body></html>")
    rules = validate_rules([{"id": "site-tail", "category": "watermark", "kind": "literal",
                             "pattern": "本站独有尾巴", "why": "site tail"}], "crawler/sites/x.toml")
    ext = extract_document([("https://x.cn/1.html", html)], selectors={"title": ".x-title", "body": ".x-body"},
                           rules=rules)
    assert ext.title == "真正的标题"
    assert ext.text == "\n".join(P[:2])
    assert ext.removed[-1].rule == "site-tail"


def test_clean_title_strips_site_suffix_and_page_noise():
    assert clean_title("关于开展民主评议工作的讲话_第一范文网") == "关于开展民主评议工作的讲话"
    assert clean_title("我的母亲作文 - 瑞文网") == "我的母亲作文"
    assert clean_title("纪委书记的讲话|华博范文网") == "纪委书记的讲话"
    assert clean_title("关于开展民主评议工作的讲话(2)") == "关于开展民主评议工作的讲话"
    assert clean_title("年度工作总结 第3页") == "年度工作总结"
    assert clean_title("2023-2024学年工作计划") == "2023-2024学年工作计划"
    assert clean_title("静夜思•夜-中国诗歌网") == "静夜思•夜"
    assert clean_title("2024年食品安全检测工作总结.docx") == "2024年食品安全检测工作总结"
    assert clean_title("年度考核表.DOC - 某某文库") == "年度考核表"
    assert clean_title("Python入门.pdf版本说明") == "Python入门.pdf版本说明"


def test_paywall_notice_in_a_sibling_box_still_marks_truncated():
    html = ("<html><head><title>讲话_华博范文网</title></head><body><div class='art'><h1>讲话</h1>"
            f"<div class='art-con'>{_paras(P)}</div><div class='art-pay'><p>预览阅读已结束,若您需要全文或代笔。</p>"
            "<p><a href='javascript:;'>请点击👉 mooonya 👈联系老师</a></p></div></div></body></html>")
    ext = extract_document([("https://m.huaboedu.com/news/1.html", html)])
    assert ext.text == "\n".join(P) and ext.truncated
    assert [r.rule for r in ext.removed] == ["paywall-preview-ended", "paywall-contact-teacher"]


def test_dede_summary_box_repeating_the_description_is_dropped():
    summary = P[0][:30] + "..."
    html = (f"<html><head><title>总结_工作总结_好范文网</title><meta name='description' content='{summary}'></head>"
            f"<body><div class='viewbox'><h2>总结</h2><div class='intro'>{summary}</div>"
            f"<div class='content'>{_paras(P)}</div></div></body></html>")
    ext = extract_document([("http://www.hfanwen.cn/a/1.html", _gbk(html))])
    assert ext.text == "\n".join(P)


def test_wenku_preview_chunks_are_rejoined():
    html = ("<html><head><title>述职报告_三一文库</title></head><body><div class='doc'>"
            "<p>1、述职报告</p><p>一年来，我坚持把学习作为提高自身素质的重要途径，认真学习法律法规，结合公司实际，邀请专家集</p>"
            "<p>2、中授课学习2次，部门整体业务能力有了明显提升。</p><p>全文预览已结束</p><p>蒄蚄袀膇莀蚃羂羀芆</p>"
            "</div></body></html>")
    ext = extract_document([("https://www.31doc.com/p-1.html", html)])
    assert ext.text == ("一年来，我坚持把学习作为提高自身素质的重要途径，认真学习法律法规，结合公司实际，"
                        "邀请专家集中授课学习2次，部门整体业务能力有了明显提升。")
    assert ext.truncated


def test_forum_thread_keeps_the_opening_post_only():
    op = "<br />".join(P)
    reply = "沙发！写得很实在，数据也很详细，收藏了，回头慢慢学习。" * 3
    html = DISCUZ.replace("{body}", op).replace("谢谢楼主分享", reply)
    ext = extract_document([("http://caiyes.cn/thread-1-1-1.html", html)])
    assert ext.kind == "article" and ext.text == "\n".join(P)


TABLE_LIST = """<html><head><title>领导讲话_知行文秘网</title></head><body>
<table width="960"><tr><td class="nav">您现在的位置: <a href="/">知行文秘网</a> &gt;&gt; 领导讲话</td></tr></table>
<table width="960"><tr><td width="700" valign="top"><table width="100%">{rows}
<tr><td colspan="2" align="center">共 4 篇文章 页次：2/2 <a href="/html/jianghua/">1</a>
<font color=red>2</font></td></tr>
</table></td><td class="right"><a href="/1.htm">热门文章</a></td></tr></table></body></html>"""


def test_table_list_pages_with_cut_excerpts_are_lists():
    row = ('<tr><td class="ltitle">·<a href="/html/jianghua/{i}.htm">在全县工作会议上的讲话{i}</a></td>'
           '<td>2012-03-15</td></tr><tr><td colspan="2" class="lintro">{p}...</td></tr>')
    two = TABLE_LIST.format(rows="".join(row.format(i=i, p=P[i][:-1]) for i in range(2)))
    one = TABLE_LIST.format(rows=row.format(i=0, p=P[0][:-1]))
    for html in (two, one):
        assert extract_document([("http://www.zx.cn/html/jianghua/list_2.htm", _gbk(html))]).kind == "list"


def test_forum_thread_type_tag_is_not_part_of_the_title():
    assert clean_title("[作文] 那一次，我学会了坚持") == "那一次，我学会了坚持"
    assert clean_title("【原创】关于加强机关干部队伍建设的调研报告") == "【原创】关于加强机关干部队伍建设的调研报告"
