"""Multi-essay pages ("…(通用3篇)") split into parts; single essays and numbered points do not."""

from __future__ import annotations

from fanwen.pipelines.clean.blocks import Line
from fanwen.pipelines.essays import cn_number, split_essays


def test_cn_number():
    assert [cn_number(s) for s in ("1", "一", "九", "十", "十二", "二十", "二十三")] == [1, 1, 9, 10, 12, 20, 23]


def test_pian_headings_split_the_page():
    lines = [Line("工作心得体会 篇1"), Line("参加工作以来,我收获很多。"), Line("工作心得体会 篇2"),
             Line("回顾一年,感慨良多。"), Line("也有不足。"), Line("工作心得体会 篇3"), Line("新的一年,继续努力。")]
    parts = split_essays(lines, "工作心得体会(通用3篇)")
    assert [(p.ordinal, p.heading) for p in parts] == [(1, "工作心得体会 篇1"), (2, "工作心得体会 篇2"),
                                                      (3, "工作心得体会 篇3")]
    assert parts[1].text == "回顾一年,感慨良多。\n也有不足。"


def test_di_n_pian_and_chinese_numerals():
    lines = [Line("第一篇:支部书记党课讲稿"), Line("同志们:今天讲党课。"), Line("第二篇:党课讲稿"), Line("同志们好。")]
    assert [p.ordinal for p in split_essays(lines, "党课讲稿汇编")] == [1, 2]


def test_h2_headings_when_the_title_announces_the_count():
    lines = [Line("我的妈妈", heading="h2"), Line("妈妈很爱我。"), Line("我的爸爸", heading="h2"), Line("爸爸很忙。")]
    assert [p.heading for p in split_essays(lines, "我的家人作文(精选2篇)")] == ["我的妈妈", "我的爸爸"]
    assert split_essays(lines, "我的家人作文(精选3篇)") == []


def test_single_essay_with_numbered_points_has_no_parts():
    lines = [Line("一、深化认识"), Line("民主监督是重要职责。"), Line("二、聚焦问题"), Line("要改进作风。"),
             Line("篇2"), Line("只有一个标记不算多篇。")]
    assert split_essays(lines, "纪委书记在民主评议动员会议上的讲话") == []
