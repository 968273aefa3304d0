"""Decoding: every page becomes correct Chinese whatever it declares."""

import pytest

from fanwen.pipelines.decode import decode_html, normalise_label

TEXT = "朱镕基同志的讲话稿，王堃同学的作文《我的妈妈》。"


def page(meta: str = "") -> str:
    return f"<html><head>{meta}<title>范文</title></head><body><p>{TEXT}</p></body></html>"


def test_gb2312_declared_but_gbk_bytes():
    body = page('<meta http-equiv="Content-Type" content="text/html; charset=gb2312">').encode("gbk")
    decoded = decode_html(body)
    assert TEXT in decoded.text
    assert decoded.encoding == "gb18030"
    assert "\ufffd" not in decoded.text


def test_no_declaration_at_all_gbk():
    decoded = decode_html(page().encode("gbk"))
    assert TEXT in decoded.text and decoded.how == "detected"


def test_header_says_utf8_meta_and_bytes_gbk():
    body = page('<meta charset="gbk">').encode("gbk")
    decoded = decode_html(body, {"Content-Type": "text/html; charset=utf-8"})
    assert TEXT in decoded.text and decoded.encoding == "gb18030"


def test_header_says_gbk_but_bytes_utf8():
    decoded = decode_html(page().encode("utf-8"), {"content-type": "text/html; charset=GBK"})
    assert TEXT in decoded.text and decoded.encoding == "utf-8"


def test_latin1_declaration_on_gbk_page_is_not_trusted():
    body = page('<meta charset="iso-8859-1">').encode("gbk")
    assert TEXT in decode_html(body).text


def test_utf8_bom_wins():
    decoded = decode_html(b"\xef\xbb\xbf" + page('<meta charset="gbk">').encode("utf-8"))
    assert TEXT in decoded.text and decoded.how == "bom"


def test_forced_encoding_from_site_config():
    body = "<p>繁體中文的範文，臺灣的學生作文。</p>".encode("big5")
    assert "臺灣的學生作文" in decode_html(body, force="big5").text


def test_invalid_bytes_are_lossy_not_an_exception():
    body = page().encode("gbk")[:-30] + b"\xff\xff" + page().encode("gbk")[-30:]
    decoded = decode_html(body)
    assert decoded.how == "lossy"
    assert "朱镕基" in decoded.text


@pytest.mark.parametrize("label,expected", [("GB2312", "gb18030"), ("gbk", "gb18030"), ("x-gbk", "gb18030"),
                                            ("UTF8", "utf-8"), ("big5", "big5hkscs"), ("klingon", None)])
def test_labels(label, expected):
    assert normalise_label(label) == expected
