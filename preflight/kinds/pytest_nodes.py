"""Kind ``pytest_nodes``: named pytest node ids pass, run in a subprocess from the deployment root.

Runs ``python -m pytest -q <node ids>`` when the root has a ``tests/`` tree; otherwise the check is
skipped and says why (a deployed bot rarely ships its tests). The subprocess gets an environment
variable so that a test suite which itself runs preflight cannot recurse into this check.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from preflight.context import RunContext
from preflight.kinds.base import CheckKind
from preflight.results import Evidence, Outcome

GUARD_ENV = "PREFLIGHT_PYTEST_NODES_ACTIVE"
_SUMMARY = re.compile(r"\b\d+ (passed|failed|error|errors|skipped|deselected)\b|no tests ran")

PARAMS_SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["nodes"],
    "properties": {
        "nodes": {
            "type": "array",
            "minItems": 1,
            "items": {"type": "string", "minLength": 1, "pattern": "^tests/"},
            "description": "pytest node ids or files under tests/, e.g. tests/x/test_y.py::test_z.",
        },
        "timeout_s": {
            "type": "integer",
            "minimum": 1,
            "maximum": 3600,
            "default": 300,
            "description": "Give up (fail) after this many seconds.",
        },
    },
}


@dataclass(frozen=True)
class NodesParams:
    """The node ids to run and how long they may take."""

    nodes: tuple[str, ...]
    timeout_s: int = 300


def parse(params: Mapping[str, Any]) -> NodesParams:
    """Build the params value."""
    return NodesParams(
        nodes=tuple(str(n) for n in params["nodes"]), timeout_s=int(params.get("timeout_s", 300))
    )


def summary_line(output: str) -> str:
    """Return pytest's last summary line (``2 passed in 0.1s``, ``FAILED x::y``...), or the last line."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for line in reversed(lines):
        if _SUMMARY.search(line):
            return line.strip("= ")
    return lines[-1] if lines else "(no output)"


def _failures(output: str) -> list[str]:
    return [line.strip() for line in output.splitlines() if line.startswith(("FAILED ", "ERROR "))]


def run(params: NodesParams, ctx: RunContext) -> Outcome:
    """Run the node ids with pytest in a subprocess; pass on exit code 0."""
    import os
    import subprocess
    import sys

    from preflight.trust.secrets import run_env

    env = dict(run_env(ctx))
    nodes = tuple(ctx.template(node) for node in params.nodes)
    if env.get(GUARD_ENV) or os.environ.get(GUARD_ENV):
        return Outcome.skipped(f"already inside a pytest run started by preflight ({GUARD_ENV} is set)")
    tests_dir = ctx.path("tests")
    if not tests_dir.is_dir():
        return Outcome.skipped(
            f"{ctx.root} has no tests/ tree (a deployment, not a source checkout); run this check from "
            "the checkout that holds the tests",
            Evidence("nodes", " ".join(nodes)),
        )
    missing = [n for n in nodes if not ctx.path(n.split("::", 1)[0]).exists()]
    if missing:
        return Outcome.failed(
            f"test file(s) missing under {ctx.root}: {', '.join(missing)}; restore them",
            Evidence("nodes", " ".join(nodes)),
        )
    env[GUARD_ENV] = "1"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *nodes]
    shown = "python -m pytest -q " + " ".join(nodes)
    try:
        done = subprocess.run(
            command,
            cwd=ctx.root,
            env=env,
            capture_output=True,
            text=True,
            errors="replace",  # a test may print any bytes; the verdict comes from the exit code
            timeout=params.timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Outcome.failed(
            f"pytest did not finish within {params.timeout_s} s", Evidence("command", shown)
        )
    output = done.stdout + "\n" + done.stderr
    summary = summary_line(done.stdout or done.stderr)
    evidence = [
        Evidence("command", shown),
        Evidence("exit code", str(done.returncode)),
        Evidence("summary", summary),
    ]
    if done.returncode == 0:
        return Outcome.passed(f"{len(nodes)} pytest node(s) pass: {summary}", *evidence)
    evidence += [Evidence("failure", line) for line in _failures(output)[:5]]
    if done.returncode == 5:
        return Outcome.failed(f"pytest collected no tests for {shown}; the node ids are stale", *evidence)
    return Outcome.failed(f"pytest failed ({summary}); run `{shown}` to see why", *evidence)


KIND: CheckKind[NodesParams] = CheckKind(
    name="pytest_nodes",
    summary="Named pytest node ids pass (run when the root has a tests/ tree; skipped otherwise).",
    params_schema=PARAMS_SCHEMA,
    parse=parse,
    run=run,
)
