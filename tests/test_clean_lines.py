"""Step 3: line rules on the tail and head of real-looking essays; real sentences with risky words survive."""

from __future__ import annotations

from fanwen.pipelines.clean.blocks import Line
from fanwen.pipelines.clean.lines import apply_line_rules, drop_opening_summary, join_chunk_breaks
from fanwen.pipelines.rules import load_rules

RULES = load_rules()

BODY = [
    "同志们:",
    "今天,我们召开全市经济工作会议。有问题可以加我微信,也可以在QQ群里留言,联系老师的电话会后发给大家。",
    "各单位要严格落实版权保护制度,来源不明的资料一律不得使用,会员单位要带头执行。",
    "市民可拨打12345热线反映问题,也可以到首页查看办事指南,下载相关表格。",
    "我们要阅读全文件,吃透精神,把会议精神传达到每一位干部职工。",
]


def _texts(result):
    return [line.text for line in result.lines]


def test_huabo_paywall_footer_marks_truncated_and_spares_the_speech():
    lines = [Line(t) for t in [*BODY, "真......", "预览结束,免费获取全文或定制代笔此类文章!",
                                "请点击👉 mbgs777 👈联系老师", "请点击👉 mbgs777 👈联系老师", "相关阅读", "最近更新"]]
    result = apply_line_rules(lines, RULES)
    assert _texts(result) == [*BODY, "真"]
    assert result.truncated
    assert [r.rule for r in result.removed] == [
        "paywall-cut-ellipsis", "paywall-preview-ended", "paywall-contact-teacher", "paywall-contact-teacher",
        "nav-related-heading", "nav-related-heading",
    ]


def test_mid_body_hidden_notice_and_inline_omission():
    lines = [Line("市委书记在2025年全市三级干部大会上的讲话"), Line("今天,我们市县乡三级干部齐聚一堂。"),
             Line("此处隐藏5120个字。VIP会员可见"),
             Line("縣政協會明天就要正式開幕,……(新文秘网http://m.120pk.cn省略314字,正式会员可完整阅读)……同志們要做好準備。"),
             Line("上一篇:在节后收心会上的讲话 下一篇:在2025年春节后收心大会上的讲话"),
             Line("留言与评论(共有 条评论) |")]
    result = apply_line_rules(lines, RULES)
    assert _texts(result) == ["市委书记在2025年全市三级干部大会上的讲话", "今天,我们市县乡三级干部齐聚一堂。",
                              "縣政協會明天就要正式開幕,同志們要做好準備。"]
    assert result.truncated


def test_intro_and_meta_only_at_the_top():
    intro = "下面是小编为大家整理的在全县安全生产专项整治工作会议上讲话【优秀范文】,供大家参考。"
    lines = [Line("时间:2023-01-31 10:15:03 心得体会 来源:网友投稿"), Line(intro), *map(Line, BODY)]
    result = apply_line_rules(lines, RULES)
    assert _texts(result) == BODY and not result.truncated
    late = apply_line_rules([Line(t) for t in [*BODY, *BODY, intro]], RULES)
    assert _texts(late)[-1] == intro


def test_wenku_preview_end_drops_the_garbage_after_it():
    lines = [Line("第一章 总则"), Line("为加强绩效管理,制定本细则。"), Line("全文预览已结束"),
             Line("蒄蚄袀膇莀蚃羂羀芆蚃蚂膅膂艿螄羈肇芈袇膄莆莇"), Line("下载本文档")]
    result = apply_line_rules(lines, RULES)
    assert _texts(result) == ["第一章 总则", "为加强绩效管理,制定本细则。"]
    assert result.truncated and len(result.removed) == 3


def test_unfolded_text_button_does_not_truncate():
    result = apply_line_rules([Line(t) for t in [*BODY, "展开阅读全文"]], RULES)
    assert _texts(result) == BODY and not result.truncated


def test_watermarks_are_stripped_inside_paragraphs():
    lines = [Line("今天,我们在这里举行全市拔河比赛。 稿子汇 www.gaozihui.com"), Line("稿子汇 www.gaozihui.com"),
             Line("最后祝拔河比赛圆满成功! 公文汇 www.gongwenhui.com")]
    result = apply_line_rules(lines, RULES)
    assert _texts(result) == ["今天,我们在这里举行全市拔河比赛。", "最后祝拔河比赛圆满成功!"]


def test_link_only_short_lines_are_navigation():
    lines = [*map(Line, BODY), Line("年终工作总结", linked=True)]
    result = apply_line_rules(lines, RULES)
    assert _texts(result) == BODY and result.removed[0].rule == "nav-link-only-line"


def test_cut_off_dots_are_only_trimmed_right_above_a_notice():
    lines = [Line("我想起了很多很多……"), Line("窗外的雨还在下。")]
    assert _texts(apply_line_rules(lines, RULES)) == ["我想起了很多很多……", "窗外的雨还在下。"]


def test_wechat_prompts_and_credits_around_the_story():
    story = ["每周二晚上七点,社区活动室的灯总是亮着,退休教师王阿姨在这里教大家用智能手机。",
             "请大家关注街道的微信公众号,课程安排每周在公众号里发布。"]
    lines = [Line(t) for t in ["点击上方蓝字关注我们", *story, "来源:南湖街道", "编辑:周敏 审核:陈立",
                               "长按二维码关注", "阅读原文"]]
    result = apply_line_rules(lines, RULES)
    assert _texts(result) == story and not result.truncated
    assert [r.rule for r in result.removed] == [
        "solicitation-follow-account", "source-line", "source-editor-credit", "solicitation-qr-code",
        "nav-read-original"]


def test_every_pinyin_annotation_in_a_paragraph_is_stripped():
    lines = [Line("縣政協(xié)組織委員深入學(xué)校和網(wǎng)點調研,推動創(chuàng)新。這個字讀作(hao),意思是好。")]
    result = apply_line_rules(lines, RULES)
    assert _texts(result) == ["縣政協組織委員深入學校和網點調研,推動創新。這個字讀作(hao),意思是好。"]
    assert [r.text for r in result.removed] == ["(xié)", "(xué)", "(wǎng)", "(chuàng)"]


def test_word_export_css_prefix_is_cut_and_the_text_after_it_kept():
    css = ("l> [标签:标题] @page { size: 21cm 29.7cm; margin: 2cm } p { margin-bottom: 0.25cm } "
           "p.cjk { font-size: 12pt } ")
    result = apply_line_rules([Line(css + "同志们:今天我们召开全县经济工作会议。"), *map(Line, BODY[1:])], RULES)
    assert _texts(result) == ["同志们:今天我们召开全县经济工作会议。", *BODY[1:]]


def test_site_brand_intro_and_footers():
    lines = [Line("应届毕业生网作文栏目为大家整理的“我的老师”，仅供参考，欢迎阅读。"), *map(Line, BODY),
             Line("更多作文请访问应届毕业生网作文频道。"),
             Line("好范文网 www.haofanwen.cn 为您提供各类范文、作文，更多精彩敬请关注。")]
    result = apply_line_rules(lines, RULES)
    assert _texts(result) == BODY
    assert [r.rule for r in result.removed] == ["intro-site-column", "watermark-more-visit", "watermark-brand-provides"]


def test_wenku_complete_preview_is_junk_but_not_a_paywall():
    lines = [*map(Line, BODY), Line("亲,该文档总共2页,全部预览完了,如果喜欢就下载吧!"),
             Line("下载本文档 下载资源需要10金币"), Line("蒄蚄袀膇莀蚃羂羀芆蚃蚂膅膂艿螄羈肇芈袇膄莆莇")]
    result = apply_line_rules(lines, RULES)
    assert _texts(result) == BODY and not result.truncated


def test_wenku_summary_repeating_the_opening_is_dropped():
    opening = "一年来，我坚持把学习作为提高自身素质的重要途径，认真学习法律法规，结合公司实际，邀请专家集中授课。"
    # the summary box often has the punctuation made half-width
    summary = "文档简介：" + opening[:30].replace("，", ",") + "..."
    lines = [Line(summary), Line(opening), *map(Line, BODY[1:])]
    kept, removed = drop_opening_summary(lines)
    assert [line.text for line in kept] == [opening, *BODY[1:]]
    assert removed[0].rule == "summary-repeat"
    ellipsis = [Line("我想起了很多很多……"), Line("我想起了很多很多往事,一时说不出话来。")]
    assert drop_opening_summary(ellipsis) == (ellipsis, [])
    titled = [Line("年度述职报告" + opening[:40] + "..."), Line(opening)]
    assert drop_opening_summary(titled)[0] == [Line(opening)]


def test_chunk_markers_after_a_full_stop_continue_a_confirmed_run():
    a = "一年来，我坚持把学习作为提高自身素质的重要途径，认真学习法律法规，结合公司实际，邀请专家集"
    b = "2、中授课学习2次，部门整体业务能力有了明显提升，各项工作都取得了新的进展，得到了领导的肯定。"
    c = "3、下一步，我将继续加强学习，努力提高业务水平，为公司发展作出更大的贡献，不辜负组织的信任。"
    joined, removed = join_chunk_breaks([Line("1、" + a), Line(b), Line(c)])
    assert [line.text for line in joined] == [a + b[2:], c[2:]]
    assert [r.text for r in removed] == ["1、", "2、", "3、"]
    real = [Line("为做好本年度工作，现提出以下几点要求，请各单位结合实际认真抓好贯彻落实，确保取得实效。"),
            Line("1、提高认识。"), Line("2、加强领导。"), Line("3、狠抓落实。")]
    assert join_chunk_breaks(real) == (real, [])
