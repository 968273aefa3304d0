"""Keep when in doubt (issue 10, point 3): refusal words and link chrome reject only pages that do not read
as prose; short articles are articles; a rejection says why."""

from __future__ import annotations

from fanwen.pipelines.clean.blocks import Line
from fanwen.pipelines.extract import extract_document
from fanwen.pipelines.prose import item_list, no_sentences, reads_as_prose, short_article

NAV = "".join(f'<li><a href="/{c}/">{c}</a></li>' for c in ("作文", "范文", "工作总结", "心得体会", "演讲稿", "祝福语"))
RELATED = "".join(
    f'<li><a href="/zuowen/{i}.html">我的{w}</a><p>那天放学以后，我一个人走在回家的路上，心里想着{w}的事...</p></li>'
    for i, w in enumerate(("妈妈", "老师", "同桌", "爷爷", "小狗", "家乡", "校园", "梦想"))
)


def page(title: str, body: str, *, extra: str = "", login: bool = False) -> str:
    form = '<form action="/login"><input name="u"><input type="password" name="p"><a href="/login">登录</a></form>'
    return f"""<html><head><meta charset="utf-8"><title>{title}_作文网</title></head><body>
<div class="top">{form if login else ""}<ul class="nav">{NAV}</ul></div>
<div class="main"><h1>{title}</h1><div class="info">2024-05-06 来源：作文网</div>
<div class="content">{body}</div></div>
<div class="side"><h3>相关作文</h3><ul class="list">{RELATED}</ul></div>{extra}
<div class="foot">Copyright © 2024 作文网 版权所有</div></body></html>"""


ESSAY_ERROR = "".join(f"<p>{p}</p>" for p in (
    "那是一次数学考试，我早早地做完了题目，得意地东张西望，心想这次一定能拿满分。",
    "卷子发下来，我却愣住了：最后一道题，我把加号看成了减号，整整扣了十分。",
    "老师说：“出错了不要紧，要紧的是知道为什么出错。”我把那道题重新算了三遍。",
    "从那以后，每次做完题，我都会认真检查一遍。那一次，我出错了，却也学会了细心。",
))
FOOD_SAFETY = "".join(f"<p>{p}</p>" for p in (
    "2024年，我局围绕食品安全检测工作目标，扎实推进抽检监测，全年完成食品安全检测样品1200批次。",
    "一是加强检测能力建设，新增快速检测设备十台，检测人员全部持证上岗，检测数据及时录入系统。",
    "二是突出重点品种，对校园周边、农贸市场的食用农产品开展专项检测，发现问题及时处置。",
    "下一步，我们将继续完善安全检测体系，确保人民群众“舌尖上的安全”。",
))


def test_an_essay_about_the_words_error_pages_use_is_an_essay():
    ext = extract_document([("https://www.zuowen.cn/a/1.html", page("那一次，我出错了", ESSAY_ERROR))])
    assert ext.kind == "article", ext.reason
    assert ext.text.endswith("却也学会了细心。")
    ext = extract_document([("https://www.fanwen.cn/a/2.html", page("2024年食品安全检测工作总结", FOOD_SAFETY))])
    assert ext.kind == "article", ext.reason


def test_an_article_under_a_login_form_is_an_article():
    ext = extract_document([("https://news.cn/a/3.html", page("那一次，我出错了", ESSAY_ERROR, login=True))])
    assert ext.kind == "article", ext.reason


def test_a_real_refusal_page_is_still_refused_with_its_reason():
    html = page("页面不存在", "<p>抱歉，您访问的页面不存在或已被删除！</p><p><a href='/'>返回首页</a></p>")
    ext = extract_document([("https://www.zuowen.cn/a/404.html", html)])
    assert ext.kind == "not-found"
    assert ext.reason == "not-found words on a page without prose"


def test_short_poem_and_couplet_are_articles():
    poem = "<p>春眠不觉晓，</p><p>处处闻啼鸟。</p><p>夜来风雨声，</p><p>花落知多少。</p>"
    ext = extract_document([("https://www.shici.cn/a/5.html", page("春晓", poem))])
    assert ext.kind == "article", ext.reason
    assert ext.text == "春眠不觉晓，\n处处闻啼鸟。\n夜来风雨声，\n花落知多少。"


def test_two_short_paragraphs_are_an_article():
    body = "<p>今天下了第一场雪，院子里白茫茫的一片。</p><p>我和弟弟堆了一个雪人，还给它戴上了红帽子，真开心！</p>"
    ext = extract_document([("https://www.zuowen.cn/a/6.html", page("第一场雪", body))])
    assert ext.kind == "article", ext.reason
    assert "红帽子" in ext.text


def test_a_page_of_only_navigation_and_footer_is_not_an_article():
    html = f"""<html><head><meta charset="utf-8"><title>作文网</title></head><body>
<ul class="nav">{NAV}</ul><div class="box"><a href="/zuowen/1.html">我的妈妈</a></div>
<div class="foot">Copyright © 2024 作文网 版权所有 京ICP备12345678号</div></body></html>"""
    ext = extract_document([("https://www.zuowen.cn/", html)])
    assert ext.kind != "article"
    assert ext.reason


def test_a_table_of_data_is_not_an_article():
    rows = "".join(f"<tr><td>180.110.4.{i}</td><td>808</td><td>江苏省南京市</td><td>HTTP</td></tr>" for i in range(20))
    html = page("免费代理IP", f"<table>{rows}</table>")
    ext = extract_document([("https://www.66ip.cn/1.html", html)])
    assert ext.kind == "list"
    assert "without a sentence mark" in ext.reason


def test_prose_measures():
    prose = [Line("那是一次数学考试，我早早地做完了题目，得意地东张西望，心想这次一定能拿满分。")] * 4
    titles = [Line(f"我的妈妈{i}", linked=True) for i in range(6)]
    assert reads_as_prose(prose)
    assert not reads_as_prose(prose[:1])  # too little
    assert reads_as_prose(prose + titles)  # an essay ending in a block of related links
    alternating = [line for title, text in zip(titles, prose * 2, strict=False) for line in (title, text)]
    assert not reads_as_prose(alternating)  # search results: linked titles alternate with text
    assert not reads_as_prose(prose + [Line("180.110.4.78"), Line("江苏省南京市")] * 20)  # prose is not most of it
    assert item_list([*titles, Line("2024-05-06"), Line("那天放学以后……")])
    assert not item_list(prose + titles[:2])
    assert no_sentences(["180.110.4.78", "808", "江苏省南京市"] * 4)
    assert not no_sentences(["180.110.4.78", "808"] * 4 + ["说明：数据每天更新。"])
    assert short_article(["春眠不觉晓，", "处处闻啼鸟。", "夜来风雨声，", "花落知多少。"])
    assert not short_article(["春眠不觉晓，", "处处闻啼鸟。"])  # under 20 characters
    assert not short_article(["欢迎您来到东方阿尔法基金管理有限公司，投资有风险，购买需谨慎！"])  # a one-line slogan


def rendered_page(head: str) -> str:
    """A news page saved before its script rendered the story: chrome and a related-news stream only."""
    news = ("维持利率不变", "发布季度报告", "行长发表讲话", "公布会议纪要", "调整购债计划")
    stream = "".join(f'<li><a href="/news/{i}.html">日本央行{w}，市场关注后续政策走向</a></li>'
                     for i, w in enumerate(news))
    return f"""<html><head><meta charset="utf-8"><title>日本企業5月信心保持穩定_財經新聞</title>{head}</head>
<body><div class="top"><ul class="nav">{NAV}</ul></div><div id="app"><noscript>請啟用JavaScript</noscript></div>
<div class="stream"><h3>更多新聞</h3><ul>{stream}</ul></div>
<div class="foot">Copyright © 2024 財經新聞 版權所有</div></body></html>"""


STORY = ("路透月度調查顯示，日本企業信心5月保持穩定，但製造業及服務業反映，日圓疲弱帶來的通脹壓力正損害利潤。"
         "調查顯示，5月製造業景氣判斷指數維持於正9，未來3個月預計略有改善。5月非製造業景氣判斷指數微升至正26，比前月高1點。")
DATED_ARTICLE = ('<meta property="og:type" content="article">'
                 '<meta property="article:published_time" content="2024-05-22T00:21:04Z">')


def test_an_article_its_script_renders_is_kept_as_its_description_with_the_reason():
    ext = extract_document([("https://hk.finance.example.com/news/a-1.html",
                             rendered_page(DATED_ARTICLE + f'<meta name="description" content="{STORY}">'))])
    assert ext.kind == "article" and ext.text == STORY
    assert ext.truncated and "description" in ext.reason and ext.published == "2024-05-22"


def test_a_list_page_with_a_description_stays_a_list():
    site = "財經新聞網提供最新的財經新聞、股市行情、外匯走勢與專家評論，是香港投資者每日必讀的財經資訊平台。" * 2
    for head in (f'<meta property="og:type" content="website"><meta name="description" content="{site}">',
                 # declared an article but undated, or dated but described in too few words
                 f'<meta property="og:type" content="article"><meta name="description" content="{STORY}">',
                 DATED_ARTICLE + '<meta name="description" content="日本企業信心保持穩定。">',
                 # a topic page that calls itself an article and lists its stories as an ItemList
                 DATED_ARTICLE + f'<meta name="description" content="{STORY}"><script type="application/ld+json">'
                 '{"@type": "ItemList", "itemListElement": [{"@type": "ListItem", "position": 1}]}</script>'):
        ext = extract_document([("https://hk.finance.example.com/news/", rendered_page(head))])
        assert ext.kind == "list" and ext.text == "", head



SHARE = "".join(f'<a href="https://share.example.com/{s}">{s}</a>' for s in ("易信", "微信", "QQ空间", "微博", "更多"))
SPECS = "".join(f"<tr><td>{m}</td><td>{a}</td><td>{b}</td><td>{c}</td></tr>" for m, a, b, c in (
    ("车型", "长(mm)", "宽(mm)", "高(mm)"), ("全新帕萨特", "4933", "1836", "1465"),
    ("老款帕萨特", "4948", "1836", "1469"),
    ("迈腾", "4865", "1832", "1469"), ("雅阁", "4893", "1862", "1449"), ("凯美瑞", "4885", "1840", "1455"))) * 5
MODELS = "".join(f'<li><a href="/car/{i}/">{m}{j}</a></li>' for j in range(4) for i, m in enumerate(
    ("帕萨特", "迈腾", "朗逸", "途观", "宝来", "凌渡", "速腾", "桑塔纳", "高尔夫", "辉昂", "途昂", "探岳", "威然",
     "途岳")))
REVIEW = (
    f'<div class="share">分享到：{SHARE}</div>'
    "<p>历经18年市场淬炼，帕萨特留下了超过250万台的销量，不过历史已经翻篇，更加年轻动感科技化的全新帕萨特来了！</p>"
    "<p>网易汽车10月12日报道 今日，上汽大众全新一代帕萨特官图发布，新车采用最新家族式设计，整体更加年轻动感，"
    "基于MQB平台打造，车身尺寸也有所增加。</p>"
    '<div class="car"><a href="/car/0/">帕萨特</a> 12.34~30.39万 <a href="/price/">询底价</a></div>'
    "<p>1.采用光韵前脸设计，和全新一代朗逸有异曲同工之处，点阵式横拉一体格栅搭配流光环绕式镀铬饰条，配备双L回旋式全LED透镜大灯。</p>"
    "<p>动力方面，新车将搭载1.4T和2.0T两种排量的发动机，匹配7速双离合变速箱，官方表示新车将于10月31日正式上市。</p>"
    "<p>2.尺寸方面新车长宽高分别为4933/1836/1465mm，轴距达到了2871mm，侧面采用悬浮式溜背搭配双腰线设计，风阻系数仅为0.26。</p>"
    "<p>3.车尾部分带流光转向功能的全LED尾灯辨识度很高，排气采用隐藏式布局，车标下方PASSAT字样专属标记则是和旗舰车型辉昂相似。</p>"
    f'<table>{SPECS}</table><div class="models"><h4>大众车型</h4><ul>{MODELS}</ul></div>')


def test_an_article_with_its_share_bar_widgets_and_tables_is_an_article():
    """Paragraphs of its own keep the page, however many links and table cells the element also holds."""
    ext = extract_document([("https://auto.example.com/18/1012/passat.html", page("全新帕萨特官图发布", REVIEW))])
    assert ext.kind == "article" and "轴距达到了2871mm" in ext.text and "7速双离合变速箱" in ext.text


def test_a_stream_of_dated_entries_with_prose_is_still_a_list():
    entries = "".join(
        f'<div class="item"><a href="/movie/{i}.html">{t}</a><div>日期：2020-0{i + 1}-1{i} 点击：{i}3</div>'
        f"<div>◎译名 {t} ◎年代 2020 ◎产地 中国大陆 ◎类别 剧情 ◎语言 普通话 ◎字幕 中英双字 ◎片长 118分钟"
        f" ◎导演 张{i}</div>"
        f"<p>◎简介：{t}讲述了一个平凡的人在困境中坚持梦想的故事，影片节奏紧凑，情感真挚，上映后获得了观众的一致好评。</p></div>"
        for i, t in enumerate(("2020年剧情片《远方》", "2020年喜剧片《归途》", "2020年动作片《长风》",
                               "2020年爱情片《春日》", "2020年悬疑片《迷雾》", "2020年动画片《星河》")))
    ext = extract_document([("https://movie.example.com/html/gndy/index.html", page("最新电影", entries))])
    assert ext.kind == "list"


HEADLINES = ["駁疫苗徵召說 總統府：台積電鴻海都是主動申請要買疫苗",
             "總統府宣布黃曙光任國安會諮委 確保潛艦國造如期執行",
             "丁允恭酒駕又闖禍 前記者女友撂重話！要他好好懺悔",
             "幕後｜兩大團體發動罷免林昶佐 背後原來是「他」在主導",
             "江啟臣：與藍營4縣市申購500萬劑BNT疫苗 盼蔡政府比照前例協助",
             "決戰年底公投！國民黨改辦線上宣講 再喊話政府：發消費券救產業"]


def _carousel(headline: str) -> str:
    # Each slide: an image link with no text, and the headline in an overlay heading beside it.
    slides = "".join(f"""<div class="slide" id="slide_{n}"><a href="/politics/20210714/{n}/" class="slide-image"
aria-label="{h}"><figure><img src="/img/{n}.jpg" alt=""></figure></a>
<div class="image-overlay"><section class="headline_overlay"><h3><span>{h}</span></h3></section></div></div>"""
                     for n, h in enumerate(HEADLINES))
    return f"""<html><head><meta charset="utf-8"><title>即時新聞 | 蘋果新聞網</title></head><body>
<div class="nav"><a href="/">首頁</a> <a href="/realtime/">即時</a> <a href="/politics/">政治</a></div>
<main><section><article><h2>{headline}</h2><div class="carousel-wrap"><div id="carousel-box" class="carousel">{slides}
</div></div></article></section></main><div class="foot">© 2021 蘋果日報</div></body></html>"""


def test_a_carousel_of_linked_headlines_is_a_list():
    ext = extract_document([("https://tw.appledaily.com/realtime/new/", _carousel("即時"))])
    assert ext.kind == "list"
    assert "headlines" in ext.reason


POEM = ["从明天起 做一个幸福的人", "喂马 劈柴 周游世界", "从明天起 关心粮食和蔬菜", "我有一所房子 面朝大海 春暖花开",
        "从明天起 和每一个亲人通信", "告诉他们我的幸福", "那幸福的闪电告诉我的 我将告诉每一个人"]
SECTIONS = [("一、加强学习", "坚持每周参加集中学习，撰写学习笔记两万余字，思想认识有了新的提高。"),
            ("二、做好本职", "全年共起草各类文稿六十余篇，办理来文来电三百余件，没有出现差错。"),
            ("三、存在不足", "调查研究还不够深入，工作方法有时比较简单，今后要在实践中努力加以改进。"),
            ("四、今后打算", "新的一年，我将继续加强学习，提高本领，努力把各项工作做得更好。")]


def test_a_poem_set_in_headings_and_an_essay_with_section_headings_stay_articles():
    verses = "".join(f"<h3>{v}</h3>" for v in POEM)
    html = f"""<html><head><meta charset="utf-8"><title>面朝大海，春暖花开_诗词网</title></head><body>
<div class="nav">{NAV}</div><h1>面朝大海，春暖花开</h1><div class="poem">{verses}</div>
<div class="foot">Copyright © 2024 诗词网</div></body></html>"""
    ext = extract_document([("https://www.shici.example/1.html", html)])
    assert ext.kind == "article" and all(v in ext.text for v in POEM)
    sections = "".join(f'<h3>{h}</h3><p><a href="/img/{n}.jpg"><img src="/img/{n}.jpg"></a>{p}</p>'
                       for n, (h, p) in enumerate(SECTIONS))
    ext = extract_document([("https://www.fanwen.example/zongjie/2.html", page("个人工作总结", sections))])
    assert ext.kind == "article" and all(h in ext.text and p in ext.text for h, p in SECTIONS)


REGIONS = ("北京市", "天津市", "河北省", "山西省", "内蒙古自治区", "辽宁省", "吉林省", "黑龙江省", "上海市", "江苏省",
           "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省")


def grid_page(note: str, regions: tuple[str, ...] = REGIONS) -> str:
    """A directory laid out as one table, the way an old government site writes it: a heading row, a note
    row, then rows of eight cells with a link each."""
    rows = "".join("<tr class='provincetr'>" + "".join(f"<td><a href='{i + j}.html'>{name}<br/></a></td>"
                                                      for j, name in enumerate(regions[i:i + 8])) + "</tr>"
                   for i in range(0, len(regions), 8))
    return f"""<html><head><meta charset="gb2312"><title>2015年统计用区划代码</title></head><body>
<table><tr><td><img src="banner.jpg"></td></tr></table>
<table class='provincetable'><tr><td colspan=8>&nbsp;</td></tr>
<tr><td colspan=8><strong>2015年统计用区划代码和城乡划分代码(截止2015年09月30日)</strong></td></tr>
<tr><td colspan=8>{note}<br></td></tr>{rows}</table>
<div>版权所有：国家统计局 <a href="http://www.miibeian.gov.cn/">京ICP备05034670号</a></div></body></html>"""


def test_the_note_above_a_grid_of_region_links_is_a_directory_not_an_article():
    note = ("统计用区划代码和城乡划分代码说明：统计用区划代码和城乡划分代码所涉及的数据，"
            "是国家统计局开展统计调查所涉及的区划范围，未包括我国台湾省、香港特别行政区、澳门特别行政区。")
    ext = extract_document([("http://www.stats.gov.cn/tjsj/2015/index.html", grid_page(note))])
    assert ext.kind == "list" and ext.reason
    # A few link cells are not a grid: the same note over four regions is kept.
    ext = extract_document([("http://www.stats.gov.cn/tjsj/2015/index.html", grid_page(note, REGIONS[:4]))])
    assert ext.kind == "article" and ext.text == note
    # Nor is a couplet in the cell of a grid: two lines of sentences keep their page.
    couplet = "上联：春回大地千山秀，<br>下联：福满人间万户新。"
    ext = extract_document([("http://www.duilian.cn/a/1.html", grid_page(couplet))])
    assert ext.kind == "article" and "福满人间万户新" in ext.text
