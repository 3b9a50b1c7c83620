"""The session's charts: SVG files beside the Markdown export, and a text view that survives anywhere.

GitHub strips inline ``<svg>`` from rendered Markdown (step summaries, PR comments, files), so the
export links chart *files* as images and also carries each chart as one table row with a text
sparkline and its figures; the step summary gets only that table. The rate charts are linear and in
the units of the limits they are drawn against (see :mod:`preflight.papertrade.request_rates`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import cast

from preflight.papertrade.svg import Line, line_chart
from preflight.simulator.ratelimit import IP_LIMIT, IP_WINDOW_MS

Doc = Mapping[str, object]
BARS = "▁▂▃▄▅▆▇█"
SPARK_WIDTH = 48
# One artefact name and file suffix per chart, in the order the export shows them.
CHART_KEYS = ("equity", "uid_rate", "ip_rate")
_GROUP_COLOURS = ("#1f77b4", "#9467bd", "#8c564b", "#17becf")


@dataclass(frozen=True)
class Chart:
    """One chart: its SVG, and the text row standing in for it where images do not show."""

    key: str
    title: str
    svg: str
    spark: str
    figures: str


def _map(doc: Doc, key: str) -> Doc:
    value = doc.get(key)
    return cast(Doc, value) if isinstance(value, Mapping) else {}


def _floats(value: object) -> list[float]:
    return [float(v) for v in value if isinstance(v, int | float)] if isinstance(value, list) else []


def _fmt(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"


def sparkline(values: Sequence[float], *, low: float | None = None, high: float | None = None) -> str:
    """Return ``values`` as at most SPARK_WIDTH block characters (bucket maxima), scaled to low..high."""
    if not values:
        return "—"
    size = math.ceil(len(values) / SPARK_WIDTH)
    buckets = [max(values[i : i + size]) for i in range(0, len(values), size)]
    bottom = min(buckets) if low is None else low
    top = max(buckets) if high is None else high
    if top <= bottom:
        return BARS[0] * len(buckets)
    steps = len(BARS) - 1
    return "".join(BARS[min(steps, max(0, round((v - bottom) / (top - bottom) * steps)))] for v in buckets)


def _equity(report: Doc) -> Chart:
    equity = _map(report, "equity")
    curve = _floats(equity.get("curve"))
    title = "Equity (quote coin)"
    figures = (
        f"{_fmt(curve[0])} → {_fmt(curve[-1])} (min {_fmt(min(curve))}, max {_fmt(max(curve))})"
        if curve
        else "no data"
    )
    return Chart(
        "equity", title, line_chart(title, [Line("equity", curve, "#2ca02c")]), sparkline(curve), figures
    )


def _short(path: object) -> str:
    return str(path).removeprefix("/v5/")


def _uid_rate(report: Doc) -> Chart:
    uid = _map(_map(report, "requests"), "uid_limit")
    raw_groups = uid.get("groups")
    groups = (
        [cast(Doc, g) for g in raw_groups if isinstance(g, Mapping)] if isinstance(raw_groups, list) else []
    )
    shown = [g for g in groups if any(_floats(g.get("peak_per_tick")))]
    title = "Per-UID rate: each tick's busiest second per endpoint vs Bybit's limit (req/s)"
    lines: list[Line] = []
    at_limit: list[float] = []
    top = 0.0
    for index, group in enumerate(shown):
        peaks = _floats(group.get("peak_per_tick"))
        limit = float(cast(float, group.get("limit")))
        colour = _GROUP_COLOURS[index % len(_GROUP_COLOURS)]
        names = ", ".join(_short(e) for e in cast(list[object], group.get("endpoints") or []))
        lines.append(Line(f"{names} (req/s)", peaks, colour))
        lines.append(Line(f"limit {_fmt(limit)}/s", [limit] * len(peaks), colour, dashed=True))
        at_limit = at_limit or [math.nan] * len(peaks)
        at_limit = [limit if p >= limit else a for p, a in zip(peaks, at_limit, strict=False)]
        top = max(top, limit)
    if any(math.isfinite(v) for v in at_limit):
        lines.append(Line("limit reached (rate-limited answer)", at_limit, "#d62728", markers=True))
    peak = _map(uid, "peak")
    figures = (
        f"peak {peak.get('used')}/s of {peak.get('limit')}/s on {_short(peak.get('endpoint'))}; "
        f"{uid.get('at_limit_responses', 0)} answer(s) at the limit"
        if peak
        else "the exchange reported no per-UID limit usage"
    )
    # The text view: each tick's busiest endpoint as a share of its limit, so a full bar is the limit.
    ratio = [max(col) for col in zip(*(_ratios(g) for g in shown), strict=True)] if shown else []
    return Chart(
        "uid_rate",
        title,
        line_chart(title, lines, y_floor=0.0),
        sparkline(ratio, low=0.0, high=1.0),
        figures,
    )


def _ratios(group: Doc) -> list[float]:
    limit = max(1.0, float(cast(float, group.get("limit"))))
    return [v / limit for v in _floats(group.get("peak_per_tick"))]


def _ip_rate(report: Doc) -> Chart:
    ip = _map(_map(report, "requests"), "ip_limit")
    peaks = _floats(ip.get("peak_per_tick"))
    # A report without the block (written before it existed) still names Bybit's figures, marked no data.
    limit = float(cast(float, ip.get("limit") or IP_LIMIT))
    window = int(cast(int, ip.get("window_ms") or IP_WINDOW_MS)) // 1000
    title = f"Per-IP rate: each tick's busiest {window} s from this machine vs Bybit's IP limit"
    lines = [
        Line(f"requests per {window} s", peaks, "#1f77b4"),
        Line(f"limit {_fmt(limit)} per {window} s", [limit] * len(peaks), "#d62728", dashed=True),
    ]
    peak = ip.get("peak")
    figures = (
        f"peak {_fmt(float(peak))} of {_fmt(limit)} per {window} s"
        if isinstance(peak, int | float)
        else "no data"
    )
    return Chart(
        "ip_rate",
        title,
        line_chart(title, lines, y_floor=0.0),
        sparkline(peaks, low=0.0, high=limit),
        figures,
    )


def build_charts(report: Doc) -> tuple[Chart, ...]:
    """Return the session's charts in CHART_KEYS order."""
    charts = (_equity(report), _uid_rate(report), _ip_rate(report))
    assert tuple(c.key for c in charts) == CHART_KEYS
    return charts


def text_table(charts: Sequence[Chart]) -> list[str]:
    """Return the charts as a Markdown table of text sparklines (rates scaled so a full bar is the limit)."""
    rows = ["| chart | over the session | figures |", "|---|---|---|"]
    rows += [f"| {c.title} | `{c.spark}` | {c.figures} |" for c in charts]
    return [*rows, ""]


def summary_block(report: Doc) -> str:
    """Return the text-only chart block for the step summary (no images: they would not resolve there)."""
    head = f"### Paper session charts: {report.get('entrypoint')}"
    return "\n".join([head, "", *text_table(build_charts(report))])
