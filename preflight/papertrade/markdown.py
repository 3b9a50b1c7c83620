"""The Markdown export of a session report: what ran, strategies, guardrail events, metrics, charts.

Event types are named only when they occurred, so a reader (or a check) searching the export for a word
such as the io_queue wait event finds it exactly when the session recorded one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import cast

from preflight.textsafe import md_cell

Doc = Mapping[str, object]


def _map(doc: Doc, key: str) -> Doc:
    value = doc.get(key)
    return cast(Doc, value) if isinstance(value, Mapping) else {}


def _list(doc: Doc, key: str) -> list[object]:
    value = doc.get(key)
    return list(value) if isinstance(value, list) else []


def _cell(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.4f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "—"
    return md_cell(str(value))


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return [*lines, ""]


def _what_ran(report: Doc) -> list[str]:
    queue = _map(report, "io_queue")
    guardrails = _map(report, "guardrails")
    faults = report.get("faults") or "none"
    rows = [
        ("entrypoint", report.get("entrypoint")),
        ("environment", report.get("environment")),
        ("exchange / adapter", f"{report.get('exchange')} / {report.get('adapter')}"),
        ("endpoint", report.get("endpoint")),
        ("simulated", report.get("simulated")),
        (
            "seed / ticks / tick length",
            f"{report.get('seed')} / {report.get('ticks')} / {report.get('interval_seconds')} s",
        ),
        ("injected faults", faults),
        ("strategy profile", report.get("strategy_profile")),
        (
            "io_queue",
            f"{queue.get('key')}: max_concurrency {queue.get('max_concurrency')}, "
            f"burst {queue.get('burst')}, wait warning at {queue.get('rate_limit_warning_seconds')} s",
        ),
        ("guardrails", guardrails.get("source")),
        ("started / finished", f"{report.get('started_at')} / {report.get('finished_at')}"),
    ]
    return ["## What ran", "", *_table(["", ""], rows)]


def _strategies(report: Doc) -> list[str]:
    rows = []
    for item in _list(report, "strategies"):
        s = cast(Doc, item)
        rows.append(
            [s.get("name"), s.get("kind"), s.get("weight"), s.get("symbol"), s.get("intents"),
             s.get("orders_submitted"), s.get("orders_accepted"), s.get("guardrail_rejects"),
             s.get("exchange_rejects"), s.get("fills"), s.get("volume_quote"), s.get("fees_quote"),
             s.get("realized_pnl"), s.get("unrealized_pnl"), s.get("pnl")]
        )  # fmt: skip
    headers = ["strategy", "kind", "weight", "symbol", "intents", "orders", "accepted", "guardrail rejects",
               "exchange rejects", "fills", "volume", "fees", "realised", "unrealised", "PnL"]  # fmt: skip
    orders = _map(report, "orders")
    pnl = _map(report, "pnl")
    return [
        "## Orders, fills and PnL per strategy",
        "",
        *_table(headers, rows),
        f"Total PnL (quote, net of fees): **{_cell(pnl.get('total'))}**. Open orders cancelled at the end: "
        f"{_cell(orders.get('cancelled_at_end'))}.",
        "",
    ]


def _account(report: Doc) -> list[str]:
    balances = _map(report, "balances")
    start, end = _map(balances, "start"), _map(balances, "end")
    coins = list(dict.fromkeys([*start, *end]))
    equity = _map(report, "equity")
    health = _map(report, "health")
    lines = [
        "## Account",
        "",
        *_table(["coin", "start", "end"], [[c, start.get(c), end.get(c)] for c in coins]),
    ]
    lines += [
        f"Equity {_cell(equity.get('start'))} → {_cell(equity.get('end'))} (min {_cell(equity.get('min'))}, "
        f"max {_cell(equity.get('max'))}, max drawdown {_cell(equity.get('max_drawdown_pct'))} %). "
        f"Health probe: start {_cell(health.get('start'))}, end {_cell(health.get('end'))}.",
        "",
    ]
    return lines


def _charts(report: Doc) -> list[str]:
    # Images are files beside this export (inline <svg> is stripped by GitHub); the table says the same
    # in text wherever images do not show.
    from pathlib import PurePosixPath

    from preflight.papertrade.charts import build_charts, text_table

    charts = build_charts(report)
    artefacts = _map(report, "artefacts")
    lines = ["## Charts", "", *text_table(charts)]
    for chart in charts:
        path = artefacts.get(f"chart_{chart.key}")
        if isinstance(path, str):
            lines += [f"![{chart.title}]({PurePosixPath(path).name})", ""]
    return lines


def _events(report: Doc) -> list[str]:
    counts = {k: v for k, v in _map(report, "guardrail_events").items() if isinstance(v, int) and v > 0}
    lines = ["## Guardrail events", ""]
    if not counts:
        return [*lines, "No guardrail events were recorded in this session.", ""]
    lines += _table(["type", "events"], sorted(counts.items()))
    artefacts = _map(report, "artefacts")
    return [*lines, f"Every event, with its details, is in `{artefacts.get('guardrail_log')}`.", ""]


def _metrics(report: Doc) -> list[str]:
    metrics = _map(report, "paper_exchange_metrics")
    summary = _map(metrics, "summary")
    rows = []
    for name, raw in metrics.items():
        if name == "summary":
            continue
        block = cast(Doc, raw)
        thresholds = _map(block, "thresholds")
        rows.append(
            [name, block.get("status"), block.get("requests"),
             f"{_cell(block.get('rate_limited_events'))} (≤ {_cell(thresholds.get('rate_limit_max'))})",
             f"{_cell(block.get('network_errors'))} (≤ {_cell(thresholds.get('network_errors_max'))})",
             f"{_cell(block.get('health_status'))} (≥ {_cell(thresholds.get('health_min'))})",
             block.get("missing_metrics"), block.get("missing_error_severities"),
             block.get("invalid_thresholds")]
        )  # fmt: skip
    headers = ["entrypoint", "status", "requests", "rate limited (max)", "network errors (max)",
               "health (min)", "missing metrics", "missing severities", "invalid thresholds"]  # fmt: skip
    coverage = [
        ["metric coverage", _cell(summary.get("metric_coverage_score")),
         _ratios(_map(summary, "metric_coverage_ratio"))],
        ["threshold coverage", _cell(summary.get("threshold_coverage_score")),
         _ratios(_map(summary, "threshold_coverage_ratio"))],
        ["error severity coverage", "", _ratios(_map(summary, "network_error_severity_coverage_ratio"))],
    ]  # fmt: skip
    return [
        "## paper_exchange_metrics",
        "",
        f"Summary status: **{_cell(summary.get('status'))}** over {_cell(summary.get('entrypoints'))} "
        f"monitored entrypoint(s): {_cell(summary.get('monitored_entrypoint_names'))}.",
        "",
        *_table(headers, rows),
        *_table(["coverage", "score", "ratios"], coverage),
    ]


def _ratios(ratios: Doc) -> str:
    return ", ".join(f"{key} {_cell(value)}" for key, value in ratios.items()) or "—"


def _sentences(report: Doc) -> list[str]:
    lines: list[str] = []
    for title, key in (("Warnings", "warnings"), ("Errors", "errors")):
        items = _list(report, key)
        lines += [f"## {title}", ""]
        lines += [f"- {item}" for item in items] if items else [f"No {key}."]
        lines.append("")
    return lines


def render_markdown(report: Doc) -> str:
    """Return the Markdown export of a session report."""
    summary = _map(_map(report, "paper_exchange_metrics"), "summary")
    head = [
        f"# Paper session: {report.get('entrypoint')}",
        "",
        f"Metrics status **{_cell(summary.get('status'))}** — "
        f"{_cell(_map(report, 'orders').get('fills'))} fills, "
        f"{_cell(_map(report, 'requests').get('total'))} exchange requests, "
        f"{len(_list(report, 'warnings'))} warning(s). Simulated: {_cell(report.get('simulated'))}.",
        "",
    ]
    body = [
        *_what_ran(report),
        *_strategies(report),
        *_account(report),
        *_events(report),
        *_metrics(report),
        *_sentences(report),
        *_charts(report),
    ]
    return "\n".join([*head, *body]).rstrip() + "\n"
