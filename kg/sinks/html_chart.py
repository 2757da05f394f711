"""The chart of a leaderboard page: each dated result as a point, the best value so far as a step line.

Drawn as inline SVG by the page template from the geometry computed here, so it needs no script and no library:
the page stays offline and its text (systems, titles) is only ever SVG ``<title>`` text, escaped like any other.
A result is placed at its paper's date (the arXiv id's month, or the input record's date); results of undated
papers are counted but not drawn.
"""

from __future__ import annotations

import math
import re
from typing import Any

from kg.leaderboard import Leaderboard

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 72, 24, 16, 44
"""The chart's size and the margins around its plot area, in SVG user units (pixels at 100 %)."""

_DATE = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?")


def best_over_time(board: Leaderboard) -> dict[str, Any]:
    """The chart's geometry: points, the best-so-far line, axis ticks, and how many results have no date."""
    dated = sorted(((_year(r.date), r) for r in board.rows if r.date and _DATE.fullmatch(r.date)),
                   key=lambda item: (item[0], item[1].rank))
    chart: dict[str, Any] = {"width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT, "top": TOP,
                             "bottom": HEIGHT - BOTTOM, "undated": len(board.rows) - len(dated), "points": []}
    if not dated:
        return chart
    x0, x1 = dated[0][0], dated[-1][0]
    if x1 - x0 < 1 / 6:
        x0, x1 = x0 - 1 / 12, x1 + 1 / 12
    values = [r.value for _, r in dated]
    y0, y1 = min(values), max(values)
    pad = (y1 - y0) * 0.08 or abs(y1) * 0.1 or 1.0
    y0, y1 = y0 - pad, y1 + pad

    def sx(year: float) -> float:
        return round(LEFT + (year - x0) / (x1 - x0) * (WIDTH - LEFT - RIGHT), 1)

    def sy(value: float) -> float:
        return round(TOP + (y1 - value) / (y1 - y0) * (HEIGHT - TOP - BOTTOM), 1)

    best: float | None = None
    line: list[tuple[float, float]] = []
    for year, row in dated:
        better = best is None or (row.value > best if board.higher_is_better else row.value < best)
        if better:
            if line:
                line.append((sx(year), line[-1][1]))
            best = row.value
            line.append((sx(year), sy(row.value)))
        chart["points"].append({"x": sx(year), "y": sy(row.value), "best": better,
                                "label": f"{row.system or 'unnamed system'}: {number(row.value)} {row.unit} "
                                         f"({row.title or row.paper}, {row.date})".replace(" ,", ",")})
    line.append((sx(x1), line[-1][1]))
    chart["line"] = " ".join(f"{x},{y}" for x, y in line)
    chart["yticks"] = [{"y": sy(v), "label": number(v)} for v in _ticks(y0, y1)]
    chart["xticks"] = [{"x": sx(year), "label": label} for year, label in _date_ticks(x0, x1)]
    return chart


def _year(date: str) -> float:
    """A date as a fractional year: 2024-01 -> 2024.0, 2024-07-01 -> 2024.5."""
    match = _DATE.fullmatch(date)
    assert match is not None
    year, month, day = int(match[1]), int(match[2]), int(match[3] or 1)
    return year + (month - 1) / 12 + (day - 1) / 365


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About ``count`` round values between ``low`` and ``high``."""
    step = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(step))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= step)
    first = math.ceil(low / step) * step
    return [round(first + i * step, 10) for i in range(int((high - first) / step) + 1)]


def _date_ticks(low: float, high: float) -> list[tuple[float, str]]:
    """Years on a span of years, months on a span of months (at most eight labels)."""
    if high - low >= 2:
        step = max(1, math.ceil((high - low) / 8))
        return [(float(y), str(y)) for y in range(math.ceil(low), math.floor(high) + 1, step)]
    months = range(math.ceil(low * 12), math.floor(high * 12) + 1)
    step = max(1, math.ceil(len(months) / 8))
    return [(m / 12, f"{m // 12}-{m % 12 + 1:02d}") for m in months[::step]]


def number(value: float) -> str:
    """A value as papers write it: 1.5, 85, 217.8 (no float noise)."""
    return f"{value:.6g}"
