"""The articles-per-month chart reads right from 1 to 120 months and 1 to 30 sites."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from fanwen.browse.chart import LABEL_WIDTH, chart_svg, integer_ticks, month_range

NS = "{http://www.w3.org/2000/svg}"


def synthetic(months: int, sites: int) -> list[dict]:
    """Months from 2015-01, every third one (not the first or last) without articles."""
    span = month_range("2015-01", "2030-12")[:months]
    return [{"month": m, "site": f"site{i}", "articles": 1 + (i + j) % 3}
            for j, m in enumerate(span) if j % 3 != 1 or j in (0, months - 1) for i in range(sites)]


@pytest.mark.parametrize(("months", "sites"), [(1, 1), (2, 1), (17, 3), (60, 10), (120, 30)])
def test_labels_thin_out_ticks_are_integers_and_empty_months_count(months, sites):
    rows = synthetic(months, sites)
    titles = {f"site{i}": f"第{i}范文网" for i in range(sites)}
    svg = ET.fromstring(chart_svg(rows, titles))
    texts = list(svg.iter(f"{NS}text"))
    x_labels = [t for t in texts if t.get("class") == "x-label"]
    xs = [float(t.get("x")) for t in x_labels]
    assert all(b - a >= LABEL_WIDTH for a, b in zip(xs, xs[1:], strict=False))  # no label overlaps the next
    assert x_labels[0].text == "2015-01"
    ticks = [t.text for t in texts if t.get("class") == "y-tick"]
    assert all(t.isdigit() for t in ticks) and ticks[0] == "0"
    steps = {int(b) - int(a) for a, b in zip(ticks, ticks[1:], strict=False)}
    assert len(steps) == 1  # evenly spaced whole numbers
    legend = [t.text for t in texts if t.get("class") == "legend"]
    present = {r["site"] for r in rows}
    assert sorted(legend) == sorted(titles[s] for s in present)  # by title, never the key
    # Months without articles are there (as zero): the bars' slots span every month of the range.
    bar_months = {r.find(f"{NS}title").text.split()[0] for r in svg.iter(f"{NS}rect")
                  if r.find(f"{NS}title") is not None}
    assert len(bar_months) < months or months <= 2
    assert int(svg.get("width")) <= 800  # one width for 1 or 120 months: it fits a page


def test_gaps_are_zero_months_not_skipped():
    svg = ET.fromstring(chart_svg([{"month": "2023-01", "site": "a", "articles": 2},
                                   {"month": "2023-05", "site": "a", "articles": 1}]))
    bars = {r.find(f"{NS}title").text: float(r.get("x")) for r in svg.iter(f"{NS}rect")
            if r.find(f"{NS}title") is not None}
    jan, may = bars["2023-01 a: 2"], bars["2023-05 a: 1"]
    slot = (may - jan) / 4  # four month slots apart, not one
    assert slot > 0 and abs(may - jan - 4 * slot) < 0.01
    assert [t.text for t in svg.iter(f"{NS}text") if t.get("class") == "y-tick"] == ["0", "1", "2"]


@pytest.mark.parametrize(("top", "ticks"), [(0, [0, 1]), (3, [0, 1, 2, 3]), (7, [0, 2, 4, 6, 8]),
                                            (17, [0, 5, 10, 15, 20]), (99, [0, 20, 40, 60, 80, 100])])
def test_integer_ticks(top, ticks):
    assert integer_ticks(top) == ticks


def test_month_range_crosses_years():
    assert month_range("2023-11", "2024-02") == ["2023-11", "2023-12", "2024-01", "2024-02"]
    assert len(month_range("2015-01", "2024-12")) == 120
