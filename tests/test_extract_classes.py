"""Real-page junk classes that are steps, not line patterns (issue 10, point 5): a box repeated on every page
of a multi-page article, the labels of link boxes inside the article element."""

from __future__ import annotations

from pathlib import Path

from fanwen.pipelines.clean.blocks import Line
from fanwen.pipelines.clean.related import drop_related_headings
from fanwen.pipelines.decode import decode_html
from fanwen.pipelines.extract import extract_document

DEMO = Path(__file__).resolve().parent.parent / "data" / "demo" / "fanwen" / "jianghuagao"


def test_a_summary_box_on_every_page_is_stored_once_never():
    pages = [(f"https://demo.example/fanwen/jianghuagao/{name}", decode_html((DEMO / name).read_bytes()).text)
             for name in ("20371.html", "20371_2.html", "20371_3.html")]
    ext = extract_document(pages)
    assert ext.kind == "article"
    box = ("同志们：今天召开全县春季农业生产工作会议，主要任务是总结去年农业农村工作，分析当前面临的形势，"
           "安排部署今年春耕生产各项工作。刚才，农业农村局负责同志通报了有关情...")
    assert box not in ext.text
    assert ext.text.count("主要任务是总结去年农业农村工作") == 1  # the essay's own opening stays, once
    repeats = [r for r in ext.removed if r.rule == "page-repeat"]
    assert [r.text for r in repeats] == [box, box]
    assert "二、突出重点，扎实抓好春耕生产各项工作" in ext.text


def test_the_label_of_a_link_box_goes_with_its_links():
    lines = [Line("李克强说，中国经济上半年总体平稳，结构调整步伐加快。"), Line("证券要闻", heading="strong"),
             Line("沪指3周重挫近30% 券商大佬齐聚证监会", linked=True), Line("证监会又出五大招救市", linked=True),
             Line("行业动态", heading="strong"), Line("光伏产业获政策强力扶持", linked=True),
             Line("一、工作目标", heading="strong"), Line("全年完成产值12亿元。"),
             Line("延伸阅读", heading="strong"), Line("一篇相关的文章", linked=True)]
    kept, removed = drop_related_headings(lines)
    assert [r.text for r in removed] == ["证券要闻"]  # one linked title is not a box (行业动态, 延伸阅读)
    assert [r.rule for r in removed] == ["related-heading"]
    assert "一、工作目标" in [line.text for line in kept]


PORTAL_POST = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}_新闻频道_某某网</title></head><body>
<div class="nav"><a href="/">首页</a> <a href="/news/">新闻</a> <a href="/tech/">科技</a> <a href="/ent/">娱乐</a></div>
<div class="article-main">
  <div class="top-bar"><div class="follow">+关注</div><div>89</div><div>66</div><div>25</div></div>
  <h1>{title}</h1>
  <p>2024-05-18 16:56发布于北京某某新媒体官方账号</p>
  <p>近日，某市一家门店在直播时出现不雅画面，引来“擦边”质疑。据平台发布的公告，涉事门店的账号已被无限期封禁。</p>
  <p>在近日的一场直播中，主播俯身讲解时被镜头拍到不雅画面。该场直播录屏画面也在网络流传，引来大量批评。</p>
  <p>平台公告称，近期发现部分主播以“香车美女”为噱头，在直播间打“擦边球”吸引流量，严重破坏了直播生态。</p>
  <p>特别声明：以上内容(如有图片或视频亦包括在内)为自媒体平台“某某号”用户上传并发布，本平台仅提供信息存储服务。</p>
  <p>评论 66文明上网理性发言，请遵守《新闻评论服务协议》</p>
  <div class="c"><span>人生有点甜</span><p>支持平台做法，今天擦边不管，明天就啥都敢露。</p>
    <span>吉林网友</span><span>回复</span></div>
  <div class="c"><span>立杆无影</span><p>网红直播就是个得寸进尺的市场，也要给孩子一个健康的成长环境。</p>
    <span>上海网友</span></div>
  <p>查看全部66条评论</p>
</div>
<div class="footer">Copyright 2024 某某网</div>
</body></html>"""


def test_a_self_media_post_loses_its_header_chrome_its_declaration_and_its_comments():
    title = "汽车品牌直播出现不雅画面，涉事账号被无限期封禁！"
    ext = extract_document([("https://news.example.com/a/1.html", PORTAL_POST.format(title=title))])
    assert ext.kind == "article"
    lines = ext.text.splitlines()
    assert lines[0].startswith("近日，某市一家门店")  # counters, follow button, title and date line gone
    assert lines[-1].startswith("平台公告称")
    by_rule = {r.text: r.rule for r in ext.removed}
    assert "+关注" in by_rule and by_rule["89"] == by_rule["25"] == "above-title"
    assert by_rule["支持平台做法，今天擦边不管，明天就啥都敢露。"] == "platform-declaration-end"
    assert by_rule["查看全部66条评论"] == "platform-declaration-end"


def test_a_comment_thread_opened_by_its_prompt_goes_and_the_closing_source_note_above_it_too():
    html = PORTAL_POST.format(title="某地开展安全检查").replace(
        "<p>特别声明：以上内容(如有图片或视频亦包括在内)为自媒体平台“某某号”用户上传并发布，本平台仅提供信息存储服务。</p>",
        "<p>声明：本文转自某某日报，不代表本网立场。</p>")
    ext = extract_document([("https://news.example.com/a/2.html", html)])
    by_rule = {r.text: r.rule for r in ext.removed}
    # the declaration is the essay's last line once the thread is cut, so the end-scoped rule sees it
    assert by_rule["声明：本文转自某某日报，不代表本网立场。"] == "attribution-declaration"
    assert by_rule["评论 66文明上网理性发言，请遵守《新闻评论服务协议》"] == "comment-section-start"
    assert by_rule["立杆无影"] == "comment-section-start"
    assert ext.text.splitlines()[-1].startswith("平台公告称")


POEM_PAGE = """<html><head><meta charset="utf-8"><title>静夜思•夜-某某诗歌网</title></head><body>
<div class="menu"><a href="/">首页</a><a href="/sg/">诗歌</a><a href="/sw/">散文</a></div>
<div class="col-md-8"><h3>静夜思•夜</h3>
 <div class="info"><span>作者：涅阳城</span> <span>2020年01月12日18:32</span> <a href="#">收藏</a></div>
 <div id="content">
  <div class="m-lg">深夜看书须尽欢，<br>明月照亮浊酒案。<br>一杯美酒空对月，<br>酌酒吟诗五千年。<br><br></div>
  <div class="noteBox"><div class="note">注释：</div>
  <div class="noteCon">夜深人静时，是自己一天最轻松的时刻，此时品品红酒、
  独坐书房翻看经典，遨游在知识的海洋里，甚是尽兴；恰逢腊月十六，皎洁圆满的月光照进窗子、洒在酒案上；对着月亮饮一杯美酒，
  尽兴之时酌酒吟诗，歌颂华夏五千年之磅礴、之气势。</div></div>
 </div>
</div>
<div class="links"><a href="/1">春日</a><a href="/2">秋思</a><a href="/3">冬夜</a></div>
</body></html>"""


def test_a_poem_above_its_longer_note_is_part_of_the_essay():
    ext = extract_document([("https://poems.example.org/c/1.shtml", POEM_PAGE)])
    assert ext.kind == "article"
    assert ext.text.splitlines()[:4] == ["深夜看书须尽欢，", "明月照亮浊酒案。", "一杯美酒空对月，", "酌酒吟诗五千年。"]
    assert "歌颂华夏五千年之磅礴" in ext.text


ENGLISH_STORY = """<html><head><meta charset="utf-8"><title>A cookbook from Taiwan</title></head><body>
<nav><a href="/">Home</a> <a href="/food">Food</a> <a href="/places">Places</a></nav>
<article><h1>A cookbook from Taiwan</h1>
<p>At age 17, chef and <a href="/v">video creator</a> George Lee gave up eating meat for 100 days. His
<a href="/g">A-gong</a>, or grandfather, had passed away.</p>
<p>During that period, Lee and his family ate special meals prepared by the nuns of a temple in
<a href="/taipei">Taipei</a>. Many dishes mimicked classic food by using meat substitutes.</p>
<p>Lee attended culinary school in <a href="/paris">Paris</a> and college in
<a href="/ca">California</a> before returning home. By then, he had become a full-time vegan.</p>
<p>That changed in 2022, when Lee went back to the <a href="/t">temple</a> as a volunteer.</p>
</article></body></html>"""


def test_an_english_story_with_inline_links_reads_as_prose():
    ext = extract_document([("https://magazine.example.com/articles/cookbook", ENGLISH_STORY)])
    assert ext.kind == "article", ext.reason
    assert "Lee went back to the" in ext.text


def _navbox(n: int) -> str:
    return "<table class='navbox'><tr><td>" + " · ".join(
        f"<a href='/wiki/{i}'>某某县第{i}号行政区划条目</a>" for i in range(n)) + "</td></tr></table>"


def test_an_encyclopedia_entry_keeps_every_paragraph_beside_its_navboxes():
    paragraphs = [
        "<p><b>雄安新区</b>是<a href='/z'>中国</a>第19个<a href='/g'>国家级新区</a>，"
        "也是首个由<a href='/c'>中共中央</a>、<a href='/s'>国务院</a>印发通知成立的国家级新区，"
        "位于<a href='/h'>河北省</a><a href='/b'>保定市</a>境内。</p>",
        "<p>新区规划范围涵盖<a href='/x'>雄县</a>、<a href='/r'>容城</a>、<a href='/a'>安新</a>三县及周边部分区域，"
        "地处北京、天津、保定腹地，区位优势明显，交通便捷通畅，生态环境优良，资源环境承载能力较强。</p>",
        "<p>夏朝雄县属有易氏，春秋时期，雄县为北燕之城。战国时期，雄县为燕国易邑地，安新初为燕国辖域，后为燕南赵北地，"
        "有葛城、浑埿城、三台城。秦朝雄县属广阳郡，后属上谷郡，容城置县，安新为广阳、钜鹿两郡交壤地。西汉雄县属涿郡，"
        "容城设深泽侯国后改容城侯国。东汉雄县属涿郡，三国时期雄县更名易城县，属河间郡，容城废入范阳国。</p>",
    ]
    html = ("<html><head><meta charset='utf-8'><title>雄安新区 - 维基百科</title></head><body>"
            "<div id='nav'><a href='/'>首页</a> <a href='/r'>随机条目</a></div>"
            "<div class='mw-parser-output'><h1>雄安新区</h1>" + "".join(paragraphs) + _navbox(60) + _navbox(40)
            + "</div></body></html>")
    ext = extract_document([("https://zh.wikipedia.example/wiki/xiongan", html)])
    assert ext.kind == "article"
    for needle in ("是中国第19个国家级新区", "三县及周边部分区域", "容城废入范阳国"):
        assert needle in ext.text


MODERN_POEM = """<html><head><meta charset="utf-8"><title>致橡树 - 诗歌频道 - 某某文学网</title></head><body>
<div class="nav"><a href="/">首页</a> <a href="/shige/">诗歌</a> <a href="/sanwen/">散文</a></div>
<div class="main"><h1>致橡树</h1><div class="info">作者：舒婷 发布时间：2021-03-08</div>
<div class="poem">我如果爱你<br>绝不像攀援的凌霄花<br>借你的高枝炫耀自己<br>我如果爱你<br>绝不学痴情的鸟儿<br>
为绿荫重复单调的歌曲<br>也不止像泉源<br>常年送来清凉的慰藉<br>也不止像险峰<br>增加你的高度<br>衬托你的威仪<br>
甚至日光<br>甚至春雨<br>不<br>这些都还不够<br>我必须是你近旁的一株木棉<br>作为树的形象和你站在一起</div></div>
<div class="side"><h3>热门诗歌</h3><ul><li><a href="/1">再别康桥</a></li><li><a href="/2">面朝大海，春暖花开</a></li>
<li><a href="/3">乡愁</a></li><li><a href="/4">雨巷</a></li><li><a href="/5">错误</a></li></ul></div>
<div class="footer">Copyright © 2021 某某文学网 版权所有</div></body></html>"""


def test_a_modern_poem_without_punctuation_is_an_article():
    ext = extract_document([("https://wenxue.example.com/shige/1.html", MODERN_POEM)])
    assert ext.kind == "article", ext.reason
    assert ext.text.splitlines()[0] == "我如果爱你"
    assert "作为树的形象和你站在一起" in ext.text
    assert "再别康桥" not in ext.text


def test_an_essay_written_as_list_items_with_links_is_not_rejected_for_the_lists_around_it():
    steps = "".join(
        f"<li>第{n}步，打开<a href='/tool/{n}'>工具页面</a>，按照提示填写本单位的基本信息，核对无误后提交，"
        f"系统会在三个工作日内完成审核，审核结果通过短信通知，请注意查收并妥善保存回执编号。</li>" for n in range(1, 7))
    sidebar = "".join(f"<li><a href='/news/{n}.html'>某某县召开第{n}次工作推进会议</a><span>2024-0{n}-01</span></li>"
                      for n in range(1, 10))
    html = ("<html><head><meta charset='utf-8'><title>网上申报操作指南_办事服务_某某县人民政府</title></head><body>"
            "<div class='top'><a href='/'>首页</a><a href='/gk/'>政务公开</a><a href='/bs/'>办事服务</a></div>"
            f"<div class='left'><h1>网上申报操作指南</h1><ol class='steps'>{steps}</ol></div>"
            f"<div class='right'><h3>最新动态</h3><ul>{sidebar}</ul><h3>热点关注</h3><ul>{sidebar}</ul></div>"
            "</body></html>")
    ext = extract_document([("https://www.county.example.gov.cn/bs/guide.html", html)])
    assert ext.kind == "article", ext.reason
    assert ext.text.count("按照提示填写本单位的基本信息") == 6
    assert "工作推进会议" not in ext.text


def test_the_second_look_also_saves_an_essay_whose_chosen_block_empties_in_cleaning():
    # No link list around it this time (the links are too short to be titles): the info box is chosen,
    # and cleaning leaves nothing of it.
    steps = "".join(
        f"<li>第{n}步，打开<a href='/tool/{n}'>此处</a>的页面，按照提示填写本单位的基本信息，核对无误后提交，"
        f"系统会在三个工作日内完成审核，审核结果通过短信通知，请注意查收并妥善保存回执编号。</li>" for n in range(1, 7))
    html = ("<html><head><meta charset='utf-8'><title>网上申报操作指南</title></head><body>"
            "<div class='info'><p>发布时间：2024-05-01 来源：本站</p><p>字体：大 中 小</p></div>"
            f"<div class='left'><ol class='steps'>{steps}</ol></div></body></html>")
    ext = extract_document([("https://www.county.example.gov.cn/bs/guide2.html", html)])
    assert ext.kind == "article", ext.reason
    assert ext.text.count("按照提示填写本单位的基本信息") == 6


def test_a_photo_blog_written_with_spaces_for_punctuation_is_an_article():
    lines = ["一波波接續性低溫寒流報到 已將新竹尖石鄉後山一帶層層山巒披上嫣紅的彩衣",
             "玉峰道路一路上雲氣山嵐滯留山頭 順路下切蜿蜒道路後不久即抵達來到玉峰國小",
             "美樹美如其名偌大楓香樹早已呈現金黃 泛紅色彩也是愛攝人仕所喜愛造訪之地",
             "第二次造訪美樹發現到營區變了 印象中以前生冷招牌換成了原木招牌可謂匠心獨運",
             "燻黑原木加上金黃色醒目字體 加上了貓頭鷹原木創作也充分發揮了裝飾藝術功力",
             "來到現場已是落葉飄飄堆疊滿地 不時隨著風吹雨襲而葉落垂地"]
    photos = "".join(f"<p>{line}</p><p><img src='/p/{i}.jpg'></p>" for i, line in enumerate(lines))
    links = "".join(f"<li><a href='/blog/post/{n}'>新竹尖石_秀巒野溪溫泉之旅第{n}集</a></li>" for n in range(12))
    html = ("<html><head><meta charset='utf-8'><title>新竹尖石 美樹營地賞楓 @ 某某的部落格</title></head><body>"
            f"<div class='article'><h2>新竹尖石 美樹營地賞楓</h2><div class='article-content'>{photos}</div></div>"
            f"<div class='sidebar'><h3>最新文章</h3><ul>{links}</ul><h3>熱門文章</h3><ul>{links}</ul></div>"
            "</body></html>")
    ext = extract_document([("https://blog.example.net/blog/post/39926056", html)])
    assert ext.kind == "article", ext.reason
    assert ext.text.splitlines() == lines


def test_an_encyclopedia_entry_is_not_its_reference_list():
    paras = "".join(f"<div class='para'>{n}年，她参与音乐剧的演出，随后发行第{n}张专辑，"
                    "专辑的首支单曲在电台播出后受到欢迎，她也因此获得了更多的演出机会，并开始为其他歌手创作歌曲。</div>"
                    for n in range(1996, 2002))
    works = "".join(f"<td><a href='/item/{n}'>作品第{n}号</a></td>" for n in range(80))
    refs = "".join(f"<li>{n}. 第{n}届金曲奖完全入围名单．新浪[引用日期2014-05-19]</li>" for n in range(1, 10))
    html = ("<html><head><meta charset='utf-8'><title>某歌手_百科</title></head><body>"
            "<div class='nav'><a href='/'>首页</a><a href='/help'>帮助</a></div>"
            f"<div class='main-content'><h1>某歌手</h1><h2>早年经历</h2>{paras}"
            f"<table class='works'><tr>{works}</tr></table>"
            f"<h2>参考资料</h2><ul class='refs'>{refs}</ul></div></body></html>")
    ext = extract_document([("https://baike.example.com/item/1", html)])
    assert ext.kind == "article"
    assert "1996年，她参与音乐剧的演出" in ext.text and "2001年，她参与音乐剧的演出" in ext.text


def test_song_lyrics_with_their_pinyin_beat_a_punctuated_appeal_beside_them():
    song = ["爱 逝去的爱 讨不回来", "Ai shi qu de ai tao bu hui lai",
            "我还有话想对你说", "Wo hai you hua xiang dui ni shuo",
            "舍不得说 来不及说", "She bu de shuo lai bu ji shuo",
            "离别的话最难说出口", "Li bie de hua zui nan shuo chu kou",
            "你会找到新的生活", "Ni hui zhao dao xin de sheng huo",
            "我会收起我的难过", "Wo hui shou qi wo de nan guo"]
    html = ("<html><head><meta charset='utf-8'><title>Chinese Pinyin Lyrics: Zhi Neng Xiang Nian Ni</title></head>"
            "<body><div class='menu'><a href='/'>Home</a> <a href='/a-z'>A-Z</a></div>"
            f"<div class='post-body'>{'<br />'.join(song)}<br /></div>"
            "<div class='sidebar'><p>To our fans, your contribution will allow us to continue providing pinyin "
            "translation for FREE. Donations could be done via the link below. Thank you for your support!</p></div>"
            "</body></html>")
    ext = extract_document([("https://lyrics.example.com/2024/05/zhi-neng.html", html)])
    assert ext.kind == "article", ext.reason
    assert ext.text.splitlines() == song


def test_a_photo_blog_inside_link_lists_is_kept_when_its_own_block_wins():
    lines = ["一波波接續性低溫寒流報到 已將新竹尖石鄉後山一帶層層山巒披上嫣紅的彩衣",
             "玉峰道路一路上雲氣山嵐滯留山頭 順路下切蜿蜒道路後不久即抵達來到玉峰國小",
             "美樹美如其名偌大楓香樹早已呈現金黃 泛紅色彩也是愛攝人仕所喜愛造訪之地",
             "第二次造訪美樹發現到營區變了 印象中以前生冷招牌換成了原木招牌可謂匠心獨運"]
    body = "".join(f"<p>{line}</p>" for line in lines)
    items = "".join(f"<li><a href='/blog/post/{n}'>新竹尖石秀巒野溪溫泉之旅第{n}集</a><p>2013-12-{n + 1:02d} 遊記分享，"
                    f"歡迎留言交流，下次再見。</p></li>" for n in range(8))
    html = ("<html><head><meta charset='utf-8'><title>美樹營地賞楓</title></head><body>"
            f"<div class='article-content'>{body}</div><div class='box'><ul>{items}</ul></div></body></html>")
    ext = extract_document([("https://blog.example.net/blog/post/2", html)])
    assert ext.kind == "article", ext.reason
    assert ext.text.splitlines() == lines


def test_a_login_dialog_on_a_tech_post_does_not_make_it_a_login_page():
    post = ("<p>以 猫猫 for windows 为例</p><p>cmd 设置代理</p><pre>set http_proxy=http://127.0.0.1:59727\n"
            "set https_proxy=http://127.0.0.1:59727</pre><p>powershell 设置代理</p>"
            "<pre>$Env:http_proxy=\"http://127.0.0.1:59727\";$Env:https_proxy=\"http://127.0.0.1:59727\"</pre>"
            "<p>取消代理</p><pre>set http_proxy=\nset https_proxy=</pre><p>查看当前代理设置</p>"
            "<pre>netsh winhttp show proxy\nreg query \"HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\"</pre>")
    dialog = ("<div class='modal'><h3>微信登录</h3><form><input name='u' placeholder='用户名'>"
              "<input type='password' name='p'><button>登录</button></form></div>")
    html = ("<html><head><meta charset='utf-8'><title>window系统设置代理 | 某某社区</title></head><body>"
            f"<div class='top'><a href='/'>首页</a><a href='/login'>登录</a></div>{dialog}"
            f"<div class='article'><h1>window系统设置代理</h1><div class='body'>{post}</div></div></body></html>")
    ext = extract_document([("https://community.example.com/articles/1", html)])
    assert ext.kind == "article", ext.reason
    assert "netsh winhttp show proxy" in ext.text
    login = ("<html><head><meta charset='utf-8'><title>用户登录</title></head><body><div class='box'><h3>用户登录</h3>"
             "<form><input name='u'><input type='password' name='p'><button>登录</button></form>"
             "<a href='/reg'>注册</a> <a href='/forgot'>忘记密码</a></div></body></html>")
    assert extract_document([("https://community.example.com/login", login)]).kind == "login"


def test_an_article_beside_a_column_of_summaries_is_not_the_whole_page():
    """A column of linked titles with one-sentence summaries (相关阅读 as a news site shows it) adds prose of its
    own: together with the article it lifted <body> above the article's column, and the page came back whole
    with its navigation, share hints and summaries."""
    paragraphs = [f"第{n}段：近期一些地方在推进产业升级时，坚持市场导向，既看到企业扩大投资的积极性，也看到产能调整"
                  f"带来的压力，各方在政策、资金和人才上协同发力，取得了阶段性成效。" for n in "一二三四五六"]
    summaries = "".join(
        f"<div class='m-read-item'><h4><a href='/2024-05/1{n}/content_{n}.htm'>专家谈产业政策第{n}期</a></h4>"
        f"<p>第{n}期节目里，专家回顾了去年各地的做法，认为稳定预期、扩大开放是关键，并对今年的形势作了分析。</p></div>"
        for n in range(6))
    html = ("<html><head><meta charset='utf-8'><title>维护共同利益需联手抵制保护主义_时政频道</title></head><body>"
            "<div class='g-top'><span>点击右上角微信好友</span><span>朋友圈</span>"
            "<a href='/'>首页</a><a href='/sz/'>时政</a><a href='/gj/'>国际</a><a href='/pl/'>时评</a></div>"
            "<div class='g-main'><div class='m-l-main'><h1>维护共同利益需联手抵制保护主义</h1>"
            "<div class='m-con-info'>2024-05-13 08:30 来源：光明日报</div><div class='u-mainText'>"
            + "".join(f"<p>{p}</p>" for p in paragraphs) + "</div></div></div>"
            f"<div class='g-maincon'><div class='m-l-reads'>{summaries}</div></div>"
            "<div class='g-bottom'>网站简介 | 联系我们 | 版权所有</div></body></html>")
    ext = extract_document([("https://politics.news.example.cn/2024-05/13/content_37319243.htm", html)])
    assert ext.kind == "article", ext.reason
    assert ext.text.splitlines() == paragraphs


def test_a_password_field_in_a_dialog_over_a_short_note_is_no_login_page():
    """A short technical note (commands and labels, no sentence to read as prose) under a login dialog that a
    script opens: the dialog's password field says nothing about the page."""
    note = ("<p>前言#</p><p>每次打开别人新的项目 npm 依赖都会各种报错很烦</p><p>解决#</p><p>安装 depcheck</p>"
            "<pre>npm i -g depcheck</pre><p>检查依赖</p><pre>depcheck</pre><p>找到 Missing dependencies 缺失依赖</p>")
    dialog = ("<div class='ui modal login small'><div class='header'>登录</div><form class='ui form'>"
              "<input name='account' placeholder='邮箱/用户名'><input type='password' name='password'>"
              "<button>登录</button><a href='/auth/oauth?driver=github'>GitHub 登录</a></form></div>")
    html = ("<html><head><meta charset='utf-8'><title>npm 检查缺失的依赖 | 某某社区</title></head><body>"
            f"<div class='pusher'><div class='main container'><h1>npm 检查缺失的依赖</h1>"
            f"<div class='markdown-body article-content'>{note}</div></div></div>{dialog}</body></html>")
    ext = extract_document([("https://community.example.com/articles/75214", html)])
    assert ext.kind == "article", ext.reason
    assert "找到 Missing dependencies 缺失依赖" in ext.text and "GitHub 登录" not in ext.text
    own_form = html.replace("ui modal login small", "login-panel")
    assert extract_document([("https://community.example.com/articles/75214", own_form)]).kind == "login"


def test_a_question_over_its_log_in_to_answer_form_is_no_login_page():
    """A short Q&A page: the question (two sentences) and, inside the same box, the form that asks a visitor to
    log in before answering. Login words and a password field beside a paragraph of prose make no login page."""
    question = ("请问怎样修改单个问题页面的模板？我按照文档把模板文件复制到了主题目录，修改以后页面没有任何变化，"
                "清除缓存也试过了，是不是还需要在后台打开什么设置？另外，子主题里的模板会不会被插件升级覆盖，"
                "有没有更稳妥的做法？")
    html = ("<html><head><meta charset='utf-8'><title>怎样修改问题页面的模板 - 问答社区</title></head><body>"
            "<div class='top'><a href='/'>首页</a> <a href='/questions/'>问题</a></div>"
            "<div class='single-question'><h1>怎样修改问题页面的模板</h1>"
            "<div class='meta'>提问者 小李 · 2024-05-20</div>"
            f"<div class='question-content'><p>{question}</p></div><div class='vote'><a href='#'>赞同</a> 0</div>"
            "<div class='answer-form'><p>请先登录再回答</p><form><label>用户名</label><input name='log'>"
            "<label>密码</label><input type='password' name='pwd'><button>登录</button></form></div></div>"
            "</body></html>")
    ext = extract_document([("https://ask.example.com/question/can-i-custom-the-template", html)])
    assert ext.kind == "article", ext.reason
    assert question in ext.text


def _news_page(title: str, h1: str, block: str) -> str:
    items = "".join(f"<li><a href='/news/2024/05/{n}.shtml'>第{n}部新片定档暑期 主创亮相发布会</a>"
                    f"<p>{n}日，片方在北京举行发布会，主演悉数到场，分享了拍摄中的趣事，影片将于七月上映。</p></li>"
                    for n in range(10, 18))
    return (f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>"
            "<div class='nav'><a href='/'>首页</a><a href='/news/'>新闻</a><a href='/film/'>影库</a></div>"
            f"<div class='main'><h1>{h1}</h1><div class='info'>时间：2024.05.20 来源：电影网</div>"
            "<div class='player'>时长：01:45 来源：电影网 展开 收起 会员跳过广告 00:00 / 00:00 倍速 高清</div>"
            f"<div class='text'>{block}</div></div>"
            f"<div class='side'><h3>热门新闻</h3><ul>{items}</ul></div></body></html>")


def test_a_news_brief_under_its_headline_is_kept_among_link_lists():
    """A one-paragraph news brief (three sentences) under its headline, a video player between them, and a
    column of news items with summaries beside it: the page's <title> repeats its <h1>, so the paragraph is
    the article, not an excerpt of a list."""
    brief = ("以光影之名，探寻首都文化魅力。5月20日22点起，《中国电影报道》栏目将推出系列访谈节目，五位电影人将讲述"
             "他们的成长故事和艺术生涯，用电影人的艺术探索构建起中国电影和首都北京的发展之路。敬请关注，一起期待吧！")
    headline = "《会客厅》之《北京影人》5月20日起播出"
    page = _news_page(f"{headline}_华语_电影网", headline, f"<p>电影网讯</p><p>{brief}</p>")
    ext = extract_document([("https://www.film.example.com/news/2024/05/20/1683915.shtml", page)])
    assert ext.kind == "article", ext.reason
    assert brief in ext.text
    # A channel page names itself by a short heading: its one summary paragraph stays a list's excerpt.
    channel = _news_page("华语_电影网", "华语", f"<p>{brief}</p>")
    assert extract_document([("https://www.film.example.com/huayu/", channel)]).kind == "list"


def test_a_tech_note_without_sentence_marks_between_its_code_lines_is_an_article():
    # A programmer's note: headings, one long sentence written without a mark, commands; the only punctuated
    # line is the site's licence line, which goes. Its lines are no table of labels.
    html = """<html><head><meta charset="utf-8"><title>npm 依赖检查 | 社区</title></head><body>
<div class="nav"><a href="/">首页</a> <a href="/topics">话题</a> <a href="/login">登录</a></div>
<div class="ui readme markdown-body content-body article-content">
<h2 id="前言"><a class="anchor" href="#前言">#</a>前言</h2>
<p>每次打开别人新的项目都要安装 npm 依赖然后就会各种报错很烦</p>
<h2 id="解决"><a class="anchor" href="#解决">#</a>解决</h2>
<p>安装 depcheck</p><pre><code>npm i -g depcheck</code></pre>
<p>检查依赖</p><pre><code>depcheck</code></pre>
<p>删除没用到的依赖然后重新安装</p><pre><code>npm uninstall moment lodash</code></pre>
<p>重新安装</p><pre><code>npm install</code></pre>
<h2 id="参考"><a class="anchor" href="#参考">#</a>参考</h2><p>depcheck 项目主页</p>
<p>本作品采用《CC 协议》，转载必须注明作者和本文链接</p>
</div><div class="footer">© 2024 社区</div></body></html>"""
    ext = extract_document([("https://community.example.com/articles/12345", html)])
    assert ext.kind == "article"
    assert "每次打开别人新的项目都要安装 npm 依赖然后就会各种报错很烦" in ext.text
    assert "npm uninstall moment lodash" in ext.text
    assert "本作品采用" not in ext.text
    assert [r.rule for r in ext.removed if "CC 协议" in r.text] == ["copyright-licence"]


def _price_table(rows: int, intro: str = "") -> str:
    cells = "".join(f"<tr><td>{100 + n % 50}*{100 + n % 7}*6*8</td><td>{('莱钢', '马钢', '日照', '津西')[n % 4]}</td>"
                    f"<td>{3800 + n % 120}</td><td>元/吨</td></tr>" for n in range(rows))
    return f"""<html><head><meta charset="utf-8"><title>H型钢今日价格</title></head><body>
<div class="nav"><a href="/">首页</a> <a href="/price/">价格</a></div>
<div class="main">{intro}<table class="price">{cells}</table></div></body></html>"""


def test_a_page_of_thousands_of_lines_without_a_sentence_is_a_table_before_the_line_rules():
    ext = extract_document([("https://steel.example.cn/price/h.html", _price_table(600))])
    assert ext.kind == "list"
    assert ext.reason == "2000+ lines without a sentence mark"



def test_a_directory_of_thousands_of_links_is_a_list_and_a_long_unpunctuated_poem_is_not_a_table():
    links = "".join(f'<li><a href="/site/{n}.html">站点{n}号</a></li>' for n in range(2500))
    html = f"""<html><head><meta charset="utf-8"><title>网址大全</title></head><body>
<div class="nav"><a href="/">首页</a></div><div class="main"><ul class="sites">{links}</ul></div></body></html>"""
    ext = extract_document([("https://dir.example.cn/all.html", html)])
    assert ext.kind == "list"
    # Lyrics and modern verse are written without marks: lines of words, not cells.
    verses = ("从明天起做一个幸福的人", "喂马劈柴周游世界", "我有一所房子面朝大海春暖花开", "陌生人我也为你祝福")
    poem = "".join(f"<p>{verses[n % 4]}</p>" for n in range(2100))
    html = f"""<html><head><meta charset="utf-8"><title>诗歌长卷</title></head><body>
<div class="nav"><a href="/">首页</a></div><h1>诗歌长卷</h1><div class="poem">{poem}</div></body></html>"""
    ext = extract_document([("https://shige.example.cn/1.html", html)])
    assert ext.reason != "2000+ lines without a sentence mark"
    assert ext.kind == "article" and verses[2] in ext.text


def test_a_notice_above_a_long_price_table_is_the_article_with_its_table():
    intro = "".join(f"<p>{p}</p>" for p in (
        "近期钢材市场整体呈现震荡走势，受下游需求恢复缓慢的影响，各地H型钢价格涨跌互现。",
        "下表是本周各钢厂的出厂价格，供采购时参考，实际成交价格以当日报价为准。"))
    ext = extract_document([("https://steel.example.cn/news/h.html", _price_table(600, intro))])
    assert ext.kind == "article"
    assert "各地H型钢价格涨跌互现" in ext.text and "实际成交价格以当日报价为准" in ext.text
    assert "元/吨" in ext.text


DOCS_PAGE = """<html><head><title>如何配置 Nginx 反向代理 - 文档</title></head><body>
<div class="sidebar"><ul><li><a href="/a">首页</a></li><li><a href="/b">指南</a></li><li><a href="/c">配置</a></li>
<li><a href="/d">常见问题</a></li></ul></div>
<article><h1>如何配置 Nginx 反向代理</h1>
<ul class="toc"><li><a href="#s1">一、安装</a></li><li><a href="#s2">二、配置</a></li></ul>
<h2 id="s1"><a href="#s1" class="anchor">一、安装</a></h2>
<p>在服务器上安装 Nginx，可以使用系统的包管理器完成，安装后服务会自动启动。这一步通常只需要几分钟。</p>
<h2 id="s2"><a href="#s2" class="anchor">二、配置</a></h2>
<p>编辑配置文件，在 server 块中加入 location 指令，把请求转发到后端的应用服务器。修改后重新加载配置即可生效。</p>
<h3><a href="#">相关推荐</a></h3>
</article></body></html>"""


def test_a_section_heading_linked_to_its_own_anchor_is_a_heading_not_a_link():
    ext = extract_document([("http://docs.example.cn/nginx.html", DOCS_PAGE)])
    assert ext.kind == "article"
    lines = ext.text.splitlines()
    assert lines[0] == "一、安装" and lines[2] == "二、配置"
    # The table of contents above is links to the sections: dropped, in the audit; so is a heading whose
    # link goes nowhere ("#"), a related box's label.
    assert [(r.rule, r.text) for r in ext.removed if r.text in ("一、安装", "二、配置")] == [
        ("nav-link-only-line", "一、安装"), ("nav-link-only-line", "二、配置")]
    assert "相关推荐" not in ext.text


def test_preformatted_text_keeps_its_lines_and_a_block_of_code_stays_one():
    poem = "床前明月光，\n疑是地上霜。\n举头望明月，\n低头思故乡。\n"
    html = f"""<html><head><meta charset="utf-8"><title>静夜思_唐诗</title></head><body>
<div class="nav"><a href="/">首页</a> <a href="/tang/">唐诗</a> <a href="/song/">宋词</a></div>
<div class="content"><h1>静夜思</h1><pre>{poem}</pre>
<p>这首诗写的是在寂静的月夜思念家乡的感受。诗的前两句，是写诗人在作客他乡的特定环境中一刹那间所产生的错觉。</p></div>
</body></html>"""
    ext = extract_document([("https://www.shici.example/tang/1.html", html)])
    assert ext.kind == "article" and ext.text.splitlines()[:4] == poem.split()
    code = "\n".join(["server {", "    listen 80;", "    location / {", "        proxy_pass http://127.0.0.1:8080;",
                      "    }", "}"])
    note = f"""<html><head><meta charset="utf-8"><title>Nginx 反向代理配置</title></head><body>
<div class="post"><h1>Nginx 反向代理配置</h1>
<p>把下面的配置写进 nginx.conf，然后重新加载，请求就会转发到后端的应用。</p>
<pre><code><span class="k">server</span> {{\n{code.split(chr(10), 1)[1]}</code></pre>
<p>修改配置以后先用 nginx -t 检查语法，再执行 nginx -s reload 让它生效。</p></div></body></html>"""
    ext = extract_document([("https://blog.example.cn/nginx.html", note)])
    assert ext.kind == "article", ext.reason
    # a block of <code> stays one line: code is not lines of text for the list and table checks to count
    assert " ".join(line.strip() for line in code.splitlines()) in ext.text.splitlines()
