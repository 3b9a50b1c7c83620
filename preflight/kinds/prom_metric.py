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
    """Parse the session's exposition and compare the selected series."""
    from prometheus_client.parser import text_string_to_metric_families

    from preflight.papertrade.provider import session_file_or_outcome

    found = session_file_or_outcome(ctx, lambda s: s.prom_path, "metrics exposition", "exposition")
    if isinstance(found, Outcome):
        return found
    path, shown = found
    labels = {k: ctx.template(v) for k, v in params.labels.items()}
    selector = _selector(params.metric, labels)
    try:
        families = list(text_string_to_metric_families(path.read_text(encoding="utf-8")))
    except ValueError as error:
        return Outcome.errored(f"{shown} is not a Prometheus text exposition: {error}")
    matched = [
        sample
        for family in families
        for sample in family.samples
        if sample.name == params.metric and all(sample.labels.get(k) == v for k, v in labels.items())
    ]
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
