"""Charts drawn on the server as inline SVG: no script, no external service.

Geometry only; the templates draw it. Every chart comes with a table of its figures for
screen readers and for people who want the numbers.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field

from django.utils.formats import date_format

WIDTH = 760
HEIGHT = 220
LEFT = 44  # room for the axis labels
RIGHT = 8
TOP = 10
BOTTOM = 26


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    day: datetime.date
    value: int
    secondary: int


@dataclass
class DailyChart:
    width: int = WIDTH
    height: int = HEIGHT
    bars: list[Bar] = field(default_factory=list)
    line: str = ""  # SVG polyline points of the secondary series
    dots: list[tuple[float, float]] = field(default_factory=list)
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    x_labels: list[tuple[float, str]] = field(default_factory=list)
    baseline: float = HEIGHT - BOTTOM
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    maximum: int = 0


def nice_ceiling(value: int) -> int:
    """1, 2, 5, 10, 20, 50… at or above `value` (axes read better on round numbers)."""
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def daily_chart(
    days: list[datetime.date],
    primary: list[int],
    secondary: list[int] | None = None,
    *,
    width: int = WIDTH,
) -> DailyChart:
    """Bars for `primary`, a line for `secondary` (on the same scale), one slot per day.
    `width` is the drawing's own width: a chart for half a page draws narrower, so that its
    text keeps its size once scaled to the column."""
    secondary = secondary or [0] * len(days)
    chart = DailyChart(width=width, right_edge=width - RIGHT)
    if not days:
        return chart
    top_value = nice_ceiling(max([*primary, *secondary, 0]))
    chart.maximum = top_value
    plot_width = width - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    slot = plot_width / len(days)
    gap = min(slot * 0.2, 3.0) if slot > 3 else 0.0

    def y_of(value: int) -> float:
        return round(TOP + plot_height * (1 - value / top_value), 1)

    points = []
    for index, (day, value, other) in enumerate(zip(days, primary, secondary, strict=True)):
        x = LEFT + index * slot
        y = y_of(value)
        chart.bars.append(
            Bar(round(x + gap / 2, 1), y, round(max(slot - gap, 0.6), 1),
                round(chart.baseline - y, 1), day, value, other)
        )  # fmt: skip
        centre = round(x + slot / 2, 1)
        points.append((centre, y_of(other)))
    if any(secondary):
        chart.line = " ".join(f"{x},{y}" for x, y in points)
        if len(days) <= 45:
            chart.dots = points
    chart.y_ticks = [
        (y_of(v), f"{v:,}".replace(",", "\u202f")) for v in (0, top_value // 2, top_value)
    ]
    every = max(1, math.ceil(len(days) / max(2, width // 95)))
    for index in range(0, len(days), every):
        chart.x_labels.append(
            (round(LEFT + index * slot + slot / 2, 1), date_format(days[index], "j b"))
        )
    return chart


def sparkline(values: list[int], *, width: int = 120, height: int = 28) -> str:
    """SVG polyline points for a small trend line; "" when there is nothing to draw."""
    if len(values) < 2 or not any(values):
        return ""
    top = max(values)
    step = width / (len(values) - 1)
    return " ".join(
        f"{round(i * step, 1)},{round(height - 2 - (height - 4) * v / top, 1)}"
        for i, v in enumerate(values)
    )
