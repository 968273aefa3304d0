"""Page kinds: soft errors answered with 200, and list/search pages, recognised from the page itself."""

from __future__ import annotations

from fanwen.pipelines.pagekind import has_password_field, list_kind, refusal_kind
from fanwen.pipelines.tree import Element, body_of, parse_html

ESSAY = "同志们：今天我们召开全市经济工作会议，主要任务是总结工作、分析形势、部署任务。" * 20


def test_refusals_on_short_pages_only():
    assert refusal_kind("正在进行安全检测...", "请稍候", False) == "captcha"
    assert refusal_kind("提示信息", "您访问的页面不存在或已被删除！ 返回首页", False) == "not-found"
    assert refusal_kind("用户登录 - 知行文秘网", "用户名 密码 登录", True) == "login"
    # A long essay that mentions 验证码 or 登录 is an essay.
    assert refusal_kind("网络安全讲话", ESSAY + "不要轻易泄露验证码。", False) is None
    assert refusal_kind("用户登录", "用户名 密码 登录", False) is None
    # On a short page too, the words inside a long sentence are a text about them, not a notice.
    about = ("介绍 本项目基于 fof/filter 进行修改，支持阿里云内容安全检测，"
             "对不合规的内容，自动进入小黑屋审核、记录日志、入库")
    assert refusal_kind("内容安全插件 - 社区", about, False) is None
    assert refusal_kind("提示", "抱歉，您访问的页面不存在或已被删除，请返回首页。", False) == "not-found"


def test_password_field():
    assert has_password_field(parse_html('<form><input type="PASSWORD" name="pw"></form>'))
    assert not has_password_field(parse_html('<form><input name="q"></form>'))


def _page(items: int, excerpt: str) -> Element:
    lis = "".join(f'<li><a href="/a/{i}.html"><img src="x.gif"></a><a href="/a/{i}.html">工作总结范文{i}</a>'
                  f"<p>{excerpt}</p></li>" for i in range(items))
    return parse_html(f'<body><div id="essay"><p>短文。</p></div><ul class="e2">{lis}</ul></body>')


def _essay(root: Element) -> Element:
    return root.find(".//div[@id='essay']")


def test_list_of_excerpts_outweighs_a_short_candidate():
    root = _page(6, "一年来，本人认真学习政治理论和业务知识，严格遵守各项规章制度...")
    url = "http://a.cn/a/gongzuozongjie/list_2.html"
    assert list_kind(url, body_of(root), _essay(root), 3) == "list"


def test_related_links_beside_an_essay_do_not_make_a_list():
    root = _page(6, "")
    assert list_kind("http://a.cn/a/1.html", body_of(root), _essay(root), len(ESSAY)) is None


def test_search_results_are_search():
    root = _page(4, "安全生产是企业的生命线，是职工的幸福线。通过学习，我深刻认识到...")
    essay = _essay(root)
    assert list_kind("https://so.ruiwen.com/?keyword=安全", body_of(root), essay, 3) == "search"
