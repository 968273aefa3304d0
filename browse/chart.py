"""The "articles per site and month" chart as plain SVG: stacked bars, no JavaScript, no network.

Reads right from 1 to 120 months and 1 to 30 sites: every month between the first and the last gets a
bar (empty months are zero, not skipped), month labels are thinned to fit, the y axis has whole-number
ticks, and the legend names each site by its title.
"""

from __future__ import annotations

import colorsys
import math

from markupsafe import escape

PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
           "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac")
PLOT_WIDTH = 720  # px for the bars, whatever the number of months
PLOT_HEIGHT = 220
LEFT = 44  # room for the y labels
LABEL_WIDTH = 52  # px one "2023-07" label needs
LEGEND_COLUMNS = 4
LEGEND_CELL = 170


def month_range(first: str, last: str) -> list[str]:
    """Every YYYY-MM from first to last inclusive."""
    year, month = int(first[:4]), int(first[5:7])
    end = (int(last[:4]), int(last[5:7]))
    months = []
    while (year, month) <= end:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def integer_ticks(top: int, most: int = 5) -> list[int]:
    """Whole-number ticks from 0 to at least `top`, at a 1/2/5×10^k step, at most `most` + 1 of them."""
    top = max(top, 1)
    step = 1
    for magnitude in (10**k for k in range(0, 10)):
        for factor in (1, 2, 5):
            step = factor * magnitude
            if math.ceil(top / step) <= most:
                return list(range(0, step * math.ceil(top / step) + 1, step))
    return [0, top]


def colours(n: int) -> list[str]:
    """n distinguishable colours: the 10-colour palette, then evenly spaced hues for more sites."""
    if n <= len(PALETTE):
        return list(PALETTE[:n])
    out = []
    for i in range(n):
        r, g, b = colorsys.hls_to_rgb(i / n, 0.5 if i % 2 else 0.38, 0.65)
        out.append(f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}")
    return out


def chart_svg(rows: list[dict], titles: dict[str, str] | None = None) -> str:
    """Stacked bars of (month, site, articles) rows, one colour per site, legend by site title."""
    titles = titles or {}
    rows = [r for r in rows if r.get("month") and len(str(r["month"])) >= 7]
    sites = sorted({r["site"] or "" for r in rows}, key=lambda s: (titles.get(s) or s, s))
    counts: dict[tuple[str, str], int] = {}
    for r in rows:
        key = (str(r["month"])[:7], r["site"] or "")
        counts[key] = counts.get(key, 0) + int(r["articles"] or 0)
    months = month_range(min(m for m, _ in counts), max(m for m, _ in counts)) if counts else []
    totals = [sum(counts.get((m, s), 0) for s in sites) for m in months]
    ticks = integer_ticks(max(totals, default=0))
    top = ticks[-1]
    legend_h = 22 * math.ceil(max(len(sites), 1) / LEGEND_COLUMNS)
    width = max(LEFT + PLOT_WIDTH + 16, LEGEND_COLUMNS * LEGEND_CELL + 10)
    base = legend_h + 10 + PLOT_HEIGHT
    height = base + 30
    slot = PLOT_WIDTH / max(len(months), 1)
    bar = max(1.0, min(28.0, slot * 0.75))
    label_every = max(1, math.ceil(LABEL_WIDTH / slot))
    palette = colours(len(sites))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="Noto Sans CJK SC, sans-serif" font-size="11" '
        'role="img" aria-label="每月各站文章数 Articles per site and month">',
    ]
    for tick in ticks:
        y = base - tick / top * PLOT_HEIGHT
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + PLOT_WIDTH}" y2="{y:.1f}" '
                   f'stroke="{"#333" if tick == 0 else "#ddd"}"/>')
        out.append(f'<text class="y-tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>')
    for i, site in enumerate(sites):
        x, y = 10 + (i % LEGEND_COLUMNS) * LEGEND_CELL, 16 + (i // LEGEND_COLUMNS) * 22
        name = titles.get(site) or site or "—"
        out.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{palette[i]}"/>')
        out.append(f'<text class="legend" x="{x + 16}" y="{y}">{escape(name[:14])}</text>')
    for j, month in enumerate(months):
        x, y = LEFT + j * slot + (slot - bar) / 2, base
        for i, site in enumerate(sites):
            n = counts.get((month, site), 0)
            if not n:
                continue
            h = n / top * PLOT_HEIGHT
            y -= h
            name = titles.get(site) or site
            out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{palette[i]}">'
                       f'<title>{escape(month)} {escape(name)}: {n}</title></rect>')
        if j % label_every == 0:
            out.append(f'<text class="x-label" x="{x + bar / 2:.1f}" y="{base + 16}" '
                       f'text-anchor="middle">{escape(month)}</text>')
    out.append("</svg>")
    return "\n".join(out)
