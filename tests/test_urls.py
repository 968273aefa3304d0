"""URL rules: canonical keys and DedeCMS-style continuation pages."""

from fanwen.crawler.urls import canonical_url, continuation_pages, is_resource, page_number


def test_canonical_url_drops_fragment_tracking_and_default_port():
    assert canonical_url("HTTP://WWW.Example.com:80/a/1.html?utm_source=x&id=3#top") == \
        "http://www.example.com/a/1.html?id=3"
    assert canonical_url("http://127.0.0.1:8080/x") == "http://127.0.0.1:8080/x"


def test_continuation_pages_in_order_and_only_of_this_article():
    links = ["http://h/fanwen/123_3.html", "http://h/fanwen/123_2.html", "http://h/fanwen/124_2.html",
             "http://h/fanwen/index_2.html"]
    assert continuation_pages("http://h/fanwen/123.html", links) == [
        "http://h/fanwen/123_2.html", "http://h/fanwen/123_3.html"]


def test_list_pagination_is_not_a_continuation():
    assert page_number("http://h/fanwen/index_2.html") is None
    assert page_number("http://h/fanwen/list_5_2.html") is None
    assert page_number("http://h/fanwen/22366158_2.htm") == ("http://h/fanwen/22366158.htm", 2)


def test_resources_are_not_pages():
    assert is_resource("http://h/ads/asda.png") and is_resource("http://h/down/a.DOC")
    assert not is_resource("http://h/news/762.html")


def test_phpcms_dash_numbered_pages():
    links = ["http://h/show-6-1234-3.html", "http://h/show-6-1234-2.html", "http://h/show-6-1235-2.html",
             "http://h/list-6-2.html"]
    assert continuation_pages("http://h/show-6-1234-1.html", links) == [
        "http://h/show-6-1234-2.html", "http://h/show-6-1234-3.html"]
    # one id after a slug is an article of its own, not a page of another
    assert page_number("http://h/zuowen/wode-nainai-1234.html") == ("http://h/zuowen/wode-nainai-1234.html", 1)
    assert continuation_pages("http://h/zuowen/wode-nainai-1234.html", ["http://h/zuowen/wode-nainai-1235.html"]) == []


def test_share_tracking_parameters_are_dropped():
    assert canonical_url("http://h/show-6-1250-1.html?tdsourcetag=s_pcqq_aiomsg") == "http://h/show-6-1250-1.html"
    assert canonical_url("http://h/a/1.html?id=2&isappinstalled=0&wxfrom=5") == "http://h/a/1.html?id=2"
