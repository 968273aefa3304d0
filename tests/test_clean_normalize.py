"""Step 4: whitespace only — full-width punctuation, width and script are kept (no NFKC)."""

from __future__ import annotations

import pytest

from fanwen.pipelines.clean.normalize import normalize_line


@pytest.mark.parametrize("raw,expected", [
    ("\u3000\u3000同志们：", "同志们："),
    ("\xa0\xa0今天，我们\u200b召开会议。\ufeff", "今天，我们召开会议。"),
    ("第一，深化认识\n      积极支持", "第一，深化认识积极支持"),
    ("采用 B/S  架构,支持\tPC 端", "采用 B/S 架构,支持 PC 端"),
    ("ＡＢＣ（全角）１２３", "ＡＢＣ（全角）１２３"),
    ("請點擊👉 mooonya 👈聯繫老師", "請點擊👉 mooonya 👈聯繫老師"),
    ("\u3000 \u00a0", ""),
])
def test_normalize_line(raw, expected):
    assert normalize_line(raw) == expected
