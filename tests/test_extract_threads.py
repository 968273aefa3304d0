"""Reply streams inside the essay element (issue 10, "comments after the essay"): a modern board's thread, a
blog post's comment list, answers under a question. Posts are siblings of one tag and class, each signed by
a user (avatar, profile link, reply control) and stamped with a date; dated entries without a user are not."""

from __future__ import annotations

from fanwen.pipelines.extract import extract_document

QUESTION = "问题描述（报错内容）：访问社区首页时自动弹出登录窗口，访问子页会自动跳转到首页"
REPLIES = ["Private Forum Facade 这个插件可以实现，但是问题是需要付费，而且显示不兼容当前版本。",
           "测试了，可以安装，是免费的。感谢！安装命令是 composer require 加上插件名。",
           "那可以用 login2see，这个应该很多的，配置一下达成的效果一样，设置也更简单。"]


def _post(n: int, user: str, when: str, body: str) -> str:
    return f"""
  <div class="PostStream-item" data-index="{n}">
    <article class="CommentPost Post">
      <header class="Post-header"><ul>
        <li class="item-user"><a href="/u/{user}"><img class="Avatar" src="/assets/avatars/{user}.png" alt="">
          <span class="username">{user}</span></a></li>
        <li class="item-meta"><a href="/d/7013/{n + 1}"><time datetime="{when}">{when[:10]}</time></a></li>
      </ul></header>
      <div class="Post-body"><p>{body}</p></div>
      <aside class="Post-actions"><ul><li><button class="Button">回复</button></li>
        <li><button class="Button">点赞</button></li></ul></aside>
    </article>
  </div>"""


def _thread(first: str, replies: list[str]) -> str:
    posts = [_post(0, "hanbing", "2024-05-15T12:20:00+08:00", first)]
    posts += [_post(n, user, f"2024-05-1{n + 5}T08:12:38+08:00", body)
              for n, (user, body) in enumerate(zip(["youdianchun", "hanbing", "youdianchun"], replies, strict=True), 1)]
    return f"""<!doctype html><html><head><meta charset="utf-8">
<title>有没有强制用户登录插件？ - 中文社区</title></head>
<body><div id="app"><header class="App-header"><a href="/">首页</a> <a href="/tags">标签</a>
<a href="/login">登录</a> <a href="/register">注册</a></header>
<main class="App-content"><div class="DiscussionPage"><div class="DiscussionHero"><h1>有没有强制用户登录插件？</h1>
<ul><li><a href="/t/help">求助</a></li></ul></div>
<div class="PostStream" role="feed">{''.join(posts)}</div></div></main>
<footer>Powered by Flarum · 中文社区 © 2024</footer></div></body></html>"""


def test_a_threads_opening_post_is_the_essay_and_its_replies_are_in_the_audit():
    ext = extract_document([("https://discuss.example.cn/d/7013", _thread(QUESTION, REPLIES))])
    assert ext.kind == "article"  # a one-sentence question is an article: it is the thread's post
    assert ext.text == QUESTION
    replies = [r for r in ext.removed if r.rule == "forum-reply"]
    assert {r.category for r in replies} == {"comment"}
    for reply in REPLIES:
        assert any(reply in r.text for r in replies), reply


def test_a_long_opening_post_keeps_every_paragraph():
    first = "。</p><p>".join(["国内做社区需要严格控制用户内容，本项目基于内容过滤插件进行修改"] * 3
                            + ["对不合规的内容自动进入审核并记录日志。"])
    ext = extract_document([("https://discuss.example.cn/d/7014", _thread(first, REPLIES))])
    assert ext.text.count("国内做社区需要严格控制用户内容") == 3
    assert "自动进入审核并记录日志" in ext.text
    assert not any(reply[:12] in ext.text for reply in REPLIES)


def _blog_with_comments(post: list[str]) -> str:
    # The site prints its readers' messages inside the article's own container, under the last paragraph.
    messages = "".join(f"""
<li class="msg-item" id="msg-{n}"><div class="msg-user"><img class="avatar" src="/avatar/{n}.jpg">
<a href="https://example.net/space/{n}">读者{n}</a></div>
<div class="msg-time"><a href="#msg-{n}">2023年10月{n + 2}日 下午3:2{n}</a></div>
<div class="msg-text">{body}</div><a class="msg-reply" href="?replyto={n}">回复</a></li>"""
                       for n, body in enumerate(COMMENTS, 1))
    paragraphs = "".join(f"<p>{p}</p>" for p in post)
    return f"""<html><head><meta charset="utf-8"><title>2023年度个人工作总结 - 某某的博客</title></head><body>
<div class="site-header"><a href="/">某某的博客</a> <a href="/about">关于</a></div>
<div id="main"><h1 class="entry-title">2023年度个人工作总结</h1>
<div class="entry-meta">发布于 2023-10-01 · 分类：<a href="/c/zongjie">工作总结</a></div>
<div class="article-content">{paragraphs}<h3>网友留言（{len(COMMENTS)}）</h3>
<ul class="msg-list">{messages}</ul></div></div>
<div class="footer">© 2023 某某的博客</div></body></html>"""


POST = ["这一年来，在单位领导和同事们的帮助下，我认真履行岗位职责，较好地完成了各项工作任务。",
        "一是加强政治理论学习，坚持每周参加集中学习，撰写学习笔记两万余字，思想认识有了新的提高。",
        "二是扎实做好本职工作，全年共起草各类文稿六十余篇，办理来文来电三百余件，没有出现差错。",
        "三是存在的不足：调查研究还不够深入，工作方法有时比较简单，今后要在实践中努力加以改进。"]
COMMENTS = ["写得真好，我们单位也在整理类似的年终总结材料，借鉴了，谢谢博主的分享。",
            "第三部分的问题分析很到位，建议再补充一下下一年的具体计划，这样更完整。",
            "请问博主，总结里的数字是全年累计的吗？我们单位要求按季度分别列出来。",
            "收藏了，明年写总结的时候再来看看，结构清楚，语言也很朴实，值得学习。"]


def test_a_blog_posts_comment_list_is_not_the_essay():
    ext = extract_document([("https://blog.example.net/2023/10/zongjie.html", _blog_with_comments(POST))])
    assert ext.kind == "article"
    assert ext.text.splitlines()[-4:] == POST
    replies = " ".join(r.text for r in ext.removed if r.rule == "forum-reply")
    for comment in COMMENTS:
        assert comment not in ext.text
        assert comment in replies


def test_dated_diary_entries_without_a_user_are_all_the_essay():
    entries = [("2023年5月1日 星期一 晴", "今天是劳动节，我和爸爸妈妈一起去外婆家帮忙插秧，虽然很累，但是我很开心。"),
               ("2023年5月2日 星期二 多云", "上午我在家写作业，下午和小伙伴们去公园放风筝，风筝飞得又高又远。"),
               ("2023年5月3日 星期三 小雨", "下雨了，我在家里读了一本童话书，书里的小王子让我明白了友谊的珍贵。")]
    body = "".join(f'<div class="diary-entry"><p class="date">{d}</p><p>{t}</p>'
                   f'<a class="share" href="/share?id={n}">分享</a></div>' for n, (d, t) in enumerate(entries))
    html = f"""<html><head><meta charset="utf-8"><title>劳动节日记三篇_日记大全</title></head><body>
<div class="nav"><a href="/">首页</a> <a href="/riji/">日记</a></div><h1>劳动节日记三篇</h1>
<div class="content">{body}</div></body></html>"""
    ext = extract_document([("https://www.fanwen.example/riji/1234.html", html)])
    assert ext.kind == "article"
    for _, text in entries:
        assert text in ext.text
    assert not any(r.rule == "forum-reply" for r in ext.removed)


BEST = ["中国地震预警网的预警是比较准确的，它利用地震波和电磁波的速度差，在破坏性地震波到达之前发出警报。",
        "预警时间从几秒到几十秒不等，距离震中越远，提前的时间越长，可以让人们及时避险。"]
OTHERS = ["据报道，中国地震预警网的预告是十分精准的，而且实现了秒级地震预警能力。",
          "他的预告精准到了中等偏高的地步，基本上可以提前预警到很多的突发地震情况。",
          "地震预警网的预告非常的精准，因为它可以精准到具体在哪一分钟发生地震，所以对我们很有帮助。"]


def test_other_answers_whose_classes_differ_by_state_are_one_stream():
    # Baidu Zhidao: each further answer is `bd answer` plus state and id classes of its own
    # (answer-hide, answer-last, answer-3790968386), under the best answer's separate box.
    others = "".join(f"""<div class="bd answer {state} answer-fold answer-37909{n}">
<div class="wgt-replyer-all"><a class="reply-user-tohometip" href="https://zhidao.baidu.com/usercenter?uid=u{n}">
<img class="avatar" src="/portrait/{n}.jpg"><span class="wgt-replyer-all-uname">网友{n}</span></a>
<span class="wgt-replyer-all-box">2021-10-19 ·知识分享者</span></div>
<div class="line content"><p>{body}</p></div></div>"""
                     for n, (state, body) in enumerate(
                         zip(["", "answer-hide", "answer-last answer-hide"], OTHERS, strict=True), 1))
    html = f"""<html><head><meta charset="utf-8"><title>中国地震预警网的预告准确吗？_百度知道</title></head><body>
<header><a href="/">百度首页</a> <a href="/login">登录</a></header>
<article id="qb-content"><div id="wgt-ask"><h1>中国地震预警网的预告准确吗？</h1>
<span class="ask-info">2021-10-19</span></div>
<div id="wgt-best"><div class="wgt-best"><div class="wgt-replyer-all"><a href="/usercenter?uid=best">青灯教育笔记</a>
</div><div class="best-text">{''.join(f'<p>{p}</p>' for p in BEST)}</div></div></div>
<div id="wgt-answers" class="wgt-answers has-other"><div class="bd-wrap">{others}</div></div></article>
<footer>©2024 Baidu 使用百度前必读</footer></body></html>"""
    ext = extract_document([("https://zhidao.baidu.com/question/123.html", html)])
    assert ext.kind == "article"
    for p in BEST:
        assert p in ext.text
    replies = " ".join(r.text for r in ext.removed if r.rule == "forum-reply")
    for other in OTHERS:
        assert other not in ext.text
        assert other in replies
