"""Bytes → text for Chinese pages, whatever they declare.

Sites declare gb2312 and send GBK/GB18030 bytes (镕, 堃), declare nothing, or send an HTTP charset that
disagrees with their <meta>. Scrapy's fallback is cp1252, which silently makes mojibake. So every candidate
is verified by a strict decode; declarations only order the candidates.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

# GB2312 and GBK are subsets of GB18030: decoding them as GB18030 never loses a valid character.
_ALIASES = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030", "gb_2312-80": "gb18030",
    "gb_2312": "gb18030", "zh_cn": "gb18030", "euc-cn": "gb18030", "hz-gb-2312": "gb18030",
    "big5": "big5hkscs", "utf8": "utf-8",
}
# Declarations of these on a page with non-ASCII bytes are almost always a CMS default, not the truth.
_UNTRUSTED = {"ascii", "latin-1", "iso8859-1", "cp1252", "us-ascii"}


@dataclass(frozen=True)
class Decoded:
    """Decoded page text, the codec used, and how it was chosen (recorded in `pages.encoding`)."""

    text: str
    encoding: str
    how: str  # "bom", "declared", "detected" or "lossy"


def normalise_label(label: str | None) -> str | None:
    """Map a charset label to the Python codec we decode with (gb2312/gbk → gb18030), or None if unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return _ALIASES.get(name, name)


def declared_encodings(body: bytes, headers: dict[str, str] | None = None) -> list[str]:
    """Encodings the page claims, HTTP header first, then <meta>, normalised and de-duplicated."""
    found: list[str] = []
    content_type = _header(headers or {}, "content-type")
    for label in (http_content_type_encoding(content_type) if content_type else None,
                  html_body_declared_encoding(body)):
        enc = normalise_label(label)
        if enc and enc not in found:
            found.append(enc)
    return found


def decode_html(body: bytes, headers: dict[str, str] | None = None, *, force: str | None = None) -> Decoded:
    """Decode a page's bytes to text. `force` (a site config's encoding override) is tried first.

    Never raises: when no candidate decodes cleanly, the one with the fewest U+FFFD wins and `how` is "lossy".
    """
    bom_enc, bom = read_bom(body)
    if bom_enc and not force:
        return Decoded(body[len(bom):].decode(bom_enc, "replace"), normalise_label(bom_enc) or bom_enc, "bom")
    declared = declared_encodings(body, headers)
    candidates = _candidates(body, declared, normalise_label(force))
    for enc in candidates:
        try:
            text = body.decode(enc)
        except UnicodeDecodeError:
            continue
        how = "declared" if enc in declared or enc == normalise_label(force) else "detected"
        return Decoded(text, enc, how)
    best = min(candidates, key=lambda enc: body.decode(enc, "replace").count("\ufffd"))
    return Decoded(body.decode(best, "replace"), best, "lossy")


def _candidates(body: bytes, declared: list[str], forced: str | None) -> list[str]:
    if _is_ascii(body):
        return [forced or (declared[0] if declared else "utf-8"), "utf-8"]
    # Valid UTF-8 with multi-byte sequences is a very strong signal; GB18030 accepts almost any byte pair,
    # so it must come after UTF-8 or it would "succeed" on UTF-8 pages and produce mojibake.
    ordered = [forced] if forced else []
    ordered += [e for e in declared if e not in _UNTRUSTED and e != "gb18030"]
    ordered += ["utf-8", "gb18030", "big5hkscs"]
    ordered += [e for e in declared if e in _UNTRUSTED]
    seen: list[str] = []
    for enc in ordered:
        if enc and enc not in seen:
            seen.append(enc)
    return seen


_ASCII = re.compile(rb"^[\x00-\x7f]*$")


def _is_ascii(body: bytes) -> bool:
    return bool(_ASCII.match(body))


def _header(headers: dict[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None
