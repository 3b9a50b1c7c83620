"""Small dependency-free SVG line charts for the session's Markdown export."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 28, 32
LEGEND_ROW = 13


@dataclass(frozen=True)
class Line:
    """One series of a chart."""

    label: str
    values: Sequence[float]
    color: str
    dashed: bool = False
    markers: bool = False  # dots instead of a line (sparse counts such as rate-limited responses)


def _fmt(value: float) -> str:
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:.0f}"


def _legend_layout(lines: Sequence[Line]) -> tuple[list[tuple[float, float]], int]:
    """Place each legend entry (x, y of its swatch), wrapping rows; return the places and the row count."""
    start = LEFT + 8
    places: list[tuple[float, float]] = []
    x, row = start, 0
    for line in lines:
        span = 24 + 6 * len(line.label)
        if x > start and x + span > WIDTH - RIGHT:
            x, row = start, row + 1
        places.append((x, 24 + LEGEND_ROW * row))
        x += span
    return places, row + 1


def _shown(value: float, log_scale: bool) -> bool:
    # NaN marks a gap (a tick without a point); a log axis cannot show zero or less.
    return math.isfinite(value) and (not log_scale or value > 0)


def line_chart(
    title: str,
    lines: Sequence[Line],
    *,
    log_scale: bool = False,
    x_label: str = "tick",
    y_floor: float | None = None,
) -> str:
    """Return an SVG of ``lines`` over a shared x axis (the index); a log10 y axis when asked.

    ``y_floor`` pulls the bottom of a linear axis down to that value (0 for rates, so a limit line and
    the series it bounds are drawn to scale).
    """
    values = [v for line in lines for v in line.values if _shown(v, log_scale)]
    if values and y_floor is not None and not log_scale:
        values.append(y_floor)
    count = max((len(line.values) for line in lines), default=0)
    if not values or count == 0:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="40">'
            f'<text x="8" y="24">{escape(title)}: no data</text></svg>'
        )

    def scale(v: float) -> float:
        return math.log10(v) if log_scale else v

    low, high = min(scale(v) for v in values), max(scale(v) for v in values)
    if log_scale:
        low, high = math.floor(low), math.ceil(high)
    if high == low:
        high, low = high + 1, low - (0 if log_scale else 1)
    legend, rows = _legend_layout(lines)
    top = TOP + LEGEND_ROW * rows  # the legend sits between the title and the plot, never over a line
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    height = top + plot_h + BOTTOM

    def x(i: int) -> float:
        return LEFT + (plot_w * i / (count - 1) if count > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h * (1 - (scale(v) - low) / (high - low))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="11">',
        f'<rect width="{WIDTH}" height="{height}" fill="white"/>',
        f'<text x="{LEFT}" y="16" font-size="13" font-weight="bold">{escape(title)}</text>',
        f'<line x1="{LEFT}" y1="{top + plot_h}" x2="{LEFT + plot_w}" y2="{top + plot_h}" stroke="#999"/>',
        f'<line x1="{LEFT}" y1="{top}" x2="{LEFT}" y2="{top + plot_h}" stroke="#999"/>',
    ]
    ticks = (
        [10.0**p for p in range(int(low), int(high) + 1)]
        if log_scale
        else [low + (high - low) * k / 4 for k in range(5)]
    )
    for value in ticks:
        ty = y(value)
        parts.append(
            f'<line x1="{LEFT - 4}" y1="{ty:.1f}" x2="{LEFT + plot_w}" y2="{ty:.1f}" stroke="#eee"/>'
        )
        parts.append(f'<text x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end">{_fmt(value)}</text>')
    parts.append(
        f'<text x="{LEFT + plot_w}" y="{height - 8}" text-anchor="end">{escape(x_label)} ({count})</text>'
    )
    for line, (legend_x, legend_y) in zip(lines, legend, strict=True):
        points = [(x(i), y(v)) for i, v in enumerate(line.values) if _shown(v, log_scale)]
        if points and line.markers:
            parts.extend(
                f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.5" fill="{line.color}"/>' for px, py in points
            )
        elif points:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            dash = ' stroke-dasharray="6 4"' if line.dashed else ""
            parts.append(
                f'<polyline fill="none" stroke="{line.color}" stroke-width="1.5"{dash} points="{path}"/>'
            )
        parts.append(f'<rect x="{legend_x}" y="{legend_y}" width="10" height="3" fill="{line.color}"/>')
        parts.append(f'<text x="{legend_x + 14}" y="{legend_y + 5}">{escape(line.label)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)
