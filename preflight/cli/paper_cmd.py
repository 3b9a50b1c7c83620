"""CLI: ``preflight paper ENTRYPOINT`` runs the embedded paper session and writes its artefacts.

Exit codes: 0 when ``paper_exchange_metrics.summary.status`` is ok or unknown, 1 when breached,
2 for an unknown or non-paper entrypoint (and other usage errors).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from preflight.cli.options import DeploymentFormatOption

if TYPE_CHECKING:
    from preflight.papertrade.paperreport import PaperReport
from preflight.cli.options import MAX_TICKS, check_faults


def paper(
    entrypoint: str = typer.Argument(..., help="A paper entrypoint (its environment has mode: paper)."),
    root: Path = typer.Option(Path("."), "--root", help="The deployment root (default: current directory)."),
    ticks: int | None = typer.Option(
        None,
        "--ticks",
        min=1,
        max=MAX_TICKS,
        help="Session length in market ticks (default: the paper profile's).",
    ),
    seed: int | None = typer.Option(
        None, "--seed", help="Seed of the simulated market (default: the profile's)."
    ),
    faults: str | None = typer.Option(
        None,
        "--faults",
        callback=check_faults,
        help="Simulator faults, e.g. rate_limit=0.2 or server_error=0.05,reset=0.02.",
    ),
    exchange_url: str | None = typer.Option(
        None,
        "--exchange-url",
        help="Trade against this Bybit-compatible URL instead of the embedded simulator.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the session report as JSON on stdout."),
    deployment_format: DeploymentFormatOption = None,
) -> None:
    """Run the paper session for ENTRYPOINT; exit 0 (ok/unknown) or 1 (breached)."""
    import json
    import os

    from preflight.cli.options import check_exchange_url
    from preflight.deployment import load_deployment
    from preflight.deployment.formats import parse_format_name
    from preflight.papertrade.plan import SessionOptions
    from preflight.papertrade.provider import progress_bar
    from preflight.papertrade.session import run_paper_session
    from preflight.trust.secrets import Keychain, open_keychain

    root = root.resolve()
    deployment = load_deployment(root, parse_format_name(deployment_format))
    opened: list[Keychain] = []

    def keychain() -> Keychain:
        if not opened:
            opened.append(open_keychain(deployment, os.environ))
        return opened[0]

    options = SessionOptions(
        entrypoint, ticks=ticks, seed=seed, faults=faults, exchange_url=check_exchange_url(exchange_url)
    )
    with progress_bar(sys.stderr.isatty() and not as_json) as progress:
        result = run_paper_session(deployment, keychain, options, root=root, progress=progress)
    if as_json:
        sys.stdout.write(json.dumps(result.report, indent=2, default=str) + "\n")
    else:
        sys.stdout.write(_summary(result.report, result.paper))
    out = sys.stderr if as_json else sys.stdout
    for name, path in result.artefacts().items():
        out.write(f"{name}: {path}\n")
    sys.exit(1 if result.status == "breached" else 0)


def _summary(report: Any, paper: PaperReport) -> str:
    """Return the few lines an operator reads first (the session's own sections are JSON values)."""
    summary = paper.metrics.summary
    orders, requests, pnl, equity = report["orders"], report["requests"], report["pnl"], report["equity"]
    entry = paper.metrics.block(paper.entrypoint)
    lines = [
        f"paper session {report['entrypoint']} ({report['environment']}): {report['ticks']} ticks, "
        f"seed {report['seed']}, faults {report['faults'] or 'none'}",
        f"  endpoint     {report['endpoint']}",
        f"  orders       {orders['submitted']} submitted, {orders['fills']} fills, "
        f"{orders['guardrail_rejects']} refused by guardrails, "
        f"{orders['cancelled_at_end']} cancelled at the end",
        f"  PnL          {pnl['total']} (equity {equity['start']} -> {equity['end']})",
        f"  requests     {requests['total']} ({requests['rate_limited_responses']} rate-limited)",
        f"  metrics      summary {summary.status}; {paper.entrypoint} {entry.status if entry else None}; "
        f"coverage {summary.metric_coverage_score}",
    ]
    lines += [f"  warning      {w}" for w in paper.warnings]
    lines += [f"  error        {e}" for e in paper.errors[:10]]
    return "\n".join(lines) + "\n"


def register(app: typer.Typer) -> None:
    """Register ``paper`` on app."""
    app.command("paper")(paper)
