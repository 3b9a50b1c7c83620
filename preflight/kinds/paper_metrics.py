"""Kind ``paper_metrics``: one assertion over the paper report (path + operator + expected).

The report is the embedded session's, or the bot's own run with ``--evidence``/``--metrics-*``; a path
that evidence cannot express skips, naming why.

The path is dotted from the report's top (``paper_exchange_metrics.summary.status``) and templated
(``paper_exchange_metrics.{entrypoint}.breaches``). A path that is absent fails: "absent" is never read
as "empty" or "zero".
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from preflight.context import RunContext
from preflight.kinds.base import CheckKind
from preflight.results import Evidence, Outcome

OPERATORS = (
    "eq",
    "ne",
    "in",
    "contains",
    "not_contains",
    "empty",
    "not_empty",
    "ge",
    "le",
    "covers_all_paper_entrypoints",
    "no_warning_mentions",
)
_NO_EXPECTED = ("empty", "not_empty", "covers_all_paper_entrypoints")

PARAMS_SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["path", "op"],
    "properties": {
        "path": {
            "type": "string",
            "minLength": 1,
            "description": "Dotted path in the report, templated: paper_exchange_metrics.summary.status.",
        },
        "op": {"enum": list(OPERATORS), "description": "How the observed value is compared with `expected`."},
        "expected": {
            "description": "The value to compare with (strings are templated); not used by empty, "
            "not_empty and covers_all_paper_entrypoints."
        },
    },
}


@dataclass(frozen=True)
class PaperMetricsParams:
    """One assertion: where to look, how to compare, and with what."""

    path: str
    op: str
    expected: object = None


def parse(params: Mapping[str, Any]) -> PaperMetricsParams:
    """Build the params value."""
    return PaperMetricsParams(path=str(params["path"]), op=str(params["op"]), expected=params.get("expected"))


_MISSING = object()


def _lookup(report: Mapping[str, object], path: str) -> object:
    node: object = report
    for part in path.split("."):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return _MISSING
    return node


def _template(ctx: RunContext, value: object) -> object:
    if isinstance(value, str):
        return ctx.template(value)
    if isinstance(value, list):
        return [_template(ctx, item) for item in value]
    if isinstance(value, Mapping):
        return {key: _template(ctx, item) for key, item in value.items()}
    return value


def _show(value: object) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def evaluate(
    op: str, observed: object, expected: object, paper_entrypoints: tuple[str, ...] = ()
) -> str | None:
    """Return None when ``observed`` satisfies ``op`` against ``expected``, else what is wrong."""
    if op == "eq":
        return None if observed == expected else f"expected {_show(expected)}"
    if op == "ne":
        return None if observed != expected else f"expected anything but {_show(expected)}"
    if op == "in":
        options = expected if isinstance(expected, list) else [expected]
        return None if observed in options else f"expected one of {_show(options)}"
    if op in ("contains", "not_contains"):
        if not isinstance(observed, list | str | Mapping):
            return "expected a list, a string or a mapping"
        found = (expected in observed) if not isinstance(observed, str) else str(expected) in observed
        if op == "contains":
            return None if found else f"expected it to contain {_show(expected)}"
        return None if not found else f"expected it not to contain {_show(expected)}"
    if op in ("empty", "not_empty"):
        if not isinstance(observed, list | str | Mapping):
            return "expected a list, a string or a mapping"
        if op == "empty":
            return None if len(observed) == 0 else "expected it to be empty"
        return None if len(observed) > 0 else "expected it not to be empty"
    if op in ("ge", "le"):
        value, limit = _number(observed), _number(expected)
        if value is None or limit is None:
            return f"expected numbers, compared {_show(observed)} with {_show(expected)}"
        ok = value >= limit if op == "ge" else value <= limit
        return None if ok else f"expected {'>=' if op == 'ge' else '<='} {_show(expected)}"
    if op == "covers_all_paper_entrypoints":
        if not isinstance(observed, list):
            return "expected a list of entrypoint names"
        missing = [name for name in paper_entrypoints if name not in observed]
        return None if not missing else f"paper entrypoint(s) not covered: {', '.join(missing)}"
    if op == "no_warning_mentions":
        if not isinstance(observed, list):
            return "expected a list of warnings"
        hits = [str(w) for w in observed if str(expected) in str(w)]
        return None if not hits else f"{len(hits)} entry(ies) mention {expected}: {hits[0]}"
    return f"unknown operator {op!r}"


def run(params: PaperMetricsParams, ctx: RunContext) -> Outcome:
    """Assert one value of the paper report: the embedded session's, or the bot's own with --evidence."""
    from preflight.papertrade.provider import paper_document_or_outcome

    document = paper_document_or_outcome(ctx)
    if isinstance(document, Outcome):
        return document
    path = ctx.template(params.path)
    expected = _template(ctx, params.expected)
    where = document.where
    unexpressed = document.paper.metrics.unexpressed_reason(path)
    if unexpressed is not None:
        return Outcome.skipped(f"{path} cannot be judged from this evidence: {unexpressed}", where)
    observed = _lookup(document.paper.to_json(), path)
    if observed is _MISSING:
        return Outcome.failed(f"{path} is absent from the session report", where)
    papers: tuple[str, ...] = ()
    if params.op == "covers_all_paper_entrypoints":
        from preflight.deployment import deployment_for

        papers = deployment_for(ctx).paper_entrypoints()
    problem = evaluate(params.op, observed, expected, papers)
    evidence = [Evidence(path, _show(observed)), where]
    if params.op not in _NO_EXPECTED:
        evidence.insert(1, Evidence("expected", f"{params.op} {_show(expected)}"))
    elif params.op == "covers_all_paper_entrypoints":
        evidence.insert(1, Evidence("paper entrypoints", ", ".join(papers) or "none"))
    if problem is None:
        return Outcome.passed(f"{path} = {_show(observed)} ({params.op} holds)", *evidence)
    evidence += [Evidence("note", note) for note in document.notes]
    return Outcome.failed(f"{path} = {_show(observed)}: {problem}", *evidence)


KIND: CheckKind[PaperMetricsParams] = CheckKind(
    name="paper_metrics",
    summary="An assertion (path, operator, expected) over the paper session report.",
    params_schema=PARAMS_SCHEMA,
    parse=parse,
    run=run,
)
