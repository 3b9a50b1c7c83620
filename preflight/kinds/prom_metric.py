"""Kind ``prom_metric``: a series of the session's ``var/metrics/<entrypoint>.prom`` compared with a value.

The selector is a metric name plus labels that must match (others may vary); several matching series
are summed, as a Prometheus ``sum()`` would. No matching series fails: absent is not zero.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from preflight.context import RunContext
from preflight.kinds.base import CheckKind
from preflight.papertrade.samples import SeriesIndex
from preflight.results import Evidence, Outcome

COMPARATORS: Mapping[str, Callable[[float, float], bool]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "le": operator.le,
    "lt": operator.lt,
    "ge": operator.ge,
    "gt": operator.gt,
}
SYMBOLS = {"eq": "==", "ne": "!=", "le": "<=", "lt": "<", "ge": ">=", "gt": ">"}

PARAMS_SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["metric", "op", "value"],
    "properties": {
        "metric": {"type": "string", "pattern": "^[a-zA-Z_:][a-zA-Z0-9_:]*$", "description": "Sample name."},
        "labels": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": "Labels a series must carry (values templated).",
        },
        "op": {"enum": list(COMPARATORS), "description": "Comparison of the (summed) value with `value`."},
        "value": {"type": "number"},
    },
}


@dataclass(frozen=True)
class PromMetricParams:
    """A selector and a comparison."""

    metric: str
    labels: Mapping[str, str]
    op: str
    value: float


def parse(params: Mapping[str, Any]) -> PromMetricParams:
    """Build the params value."""
    labels = {str(k): str(v) for k, v in (params.get("labels") or {}).items()}
    return PromMetricParams(str(params["metric"]), labels, str(params["op"]), float(params["value"]))


def _selector(metric: str, labels: Mapping[str, str]) -> str:
    inner = ",".join(f'{k}="{v}"' for k, v in labels.items())
    return f"{metric}{{{inner}}}" if inner else metric


def run(params: PromMetricParams, ctx: RunContext) -> Outcome:
    """Parse the session's exposition (or the bot's series) and compare the selected series."""
    from preflight.errors import InputError
    from preflight.evidence.prometheus import parse_exposition
    from preflight.papertrade.provider import session_file_or_outcome, unavailable_reason

    labels = {k: ctx.template(v) for k, v in params.labels.items()}
    if ctx.options.bot_evidence:
        from preflight.evidence.checks import evidence_or_outcome

        reason = unavailable_reason(ctx)
        evidence = Outcome.skipped(reason) if reason else evidence_or_outcome(ctx)
        if isinstance(evidence, Outcome):
            return evidence
        if evidence.exposition is None:
            return Outcome.skipped(
                f"{_selector(params.metric, labels)} is read from Prometheus series; the bot's were not "
                "given (pass --metrics-file or --metrics-url)"
            )
        return judge(params, labels, evidence.exposition.index, evidence.exposition.source)
    found = session_file_or_outcome(ctx, lambda s: s.prom_path, "metrics exposition", "exposition")
    if isinstance(found, Outcome):
        return found
    path, shown = found
    try:
        index = parse_exposition(path.read_text(encoding="utf-8"), shown)
    except InputError as error:
        return Outcome.errored(str(error))
    return judge(params, labels, index, shown)


def judge(params: PromMetricParams, labels: Mapping[str, str], index: SeriesIndex, shown: str) -> Outcome:
    """Compare the sum of the series ``params.metric`` with ``labels`` in ``index`` with the value."""
    selector = _selector(params.metric, labels)
    matched = index.select(params.metric, labels)
    where = Evidence("exposition", shown)
    if not matched:
        return Outcome.failed(f"no series {selector} in {shown}: the metric was never produced", where)
    total = sum(sample.value for sample in matched)
    series = "; ".join(f"{_selector(s.name, dict(s.labels))} {s.value:g}" for s in matched[:5]) + (
        f"; ... {len(matched) - 5} more" if len(matched) > 5 else ""
    )
    evidence = (
        Evidence(selector, f"{total:g} over {len(matched)} series"),
        Evidence("series", series),
        where,
    )
    symbol = SYMBOLS[params.op]
    if COMPARATORS[params.op](total, params.value):
        return Outcome.passed(f"{selector} = {total:g} ({symbol} {params.value:g})", *evidence)
    return Outcome.failed(f"{selector} = {total:g}, expected {symbol} {params.value:g}", *evidence)


KIND: CheckKind[PromMetricParams] = CheckKind(
    name="prom_metric",
    summary="A series of the session's Prometheus exposition compared with a value.",
    params_schema=PARAMS_SCHEMA,
    parse=parse,
    run=run,
)
