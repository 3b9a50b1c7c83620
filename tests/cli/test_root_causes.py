"""One root cause is one finding: a wrong passphrase, a misspelt key; the rest point to it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from preflight.context import RunOptions
from preflight.papertrade.provider import session_for

from .conftest import Cli

Result = dict[str, str | None]


def _report(cli: Cli, root: Path, *args: str) -> tuple[list[Result], list[Result], str]:
    """Run with JSON on stdout; return the failing results, the root causes among them, all output."""
    result = cli("run", "bybit_desktop_paper", "--root", str(root), "--format", "json", "-o", "-", *args)
    assert result.code == 1, result.err
    problems = [r for r in json.loads(result.out)["results"] if r["status"] in ("fail", "error")]
    return problems, [r for r in problems if r["blocked_by"] is None], result.out + result.err


def test_a_wrong_passphrase_is_one_finding_with_the_passphrase_fix(
    cli: Cli, deployment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PREFLIGHT_SECRETS_PASSPHRASE", "not-the-passphrase")
    problems, roots, output = _report(cli, deployment, "--no-paper")
    assert [r["id"] for r in roots] == ["secrets.paper_key.active"]
    assert "wrong passphrase" in str(roots[0]["message"])
    assert "PREFLIGHT_SECRETS_PASSPHRASE" in str(roots[0]["remediation"])
    blocked = [r for r in problems if r["blocked_by"] == "secrets.paper_key.active"]
    assert {r["id"] for r in blocked} >= {"secrets.live_key.active", "keys.live_key.can_trade"}
    assert not any("spot trading" in str(r["remediation"]) for r in problems)
    assert "What failed and why: 1 root cause;" in output
    assert "not-the-passphrase" not in output


def test_a_misspelt_key_is_one_root_cause_with_the_number_of_blocked_checks_and_one_fix(
    cli: Cli, deployment: Path
) -> None:
    runtime = deployment / "config/runtime.yaml"
    text = runtime.read_text(encoding="utf-8")
    runtime.write_text(text.replace("max_concurrency:", "max_concurency:", 1), encoding="utf-8")
    problems, roots, output = _report(cli, deployment, "--no-paper")
    assert [r["id"] for r in roots] == ["runtime.schema"]
    blocked = len(problems) - 1
    assert blocked > 0 and all(r["blocked_by"] == "runtime.schema" for r in problems[1:])
    recap = output[output.index("What failed and why") :]
    flat = " ".join(recap.split())
    assert flat.startswith(f"What failed and why: 1 root cause; {blocked} more checks blocked by it")
    assert "max_concurency" in flat and flat.count("fix: ") == 1


def test_the_paper_session_reports_its_ticks_to_the_runs_progress_display(deployment: Path) -> None:
    from preflight.context import RunContext

    seen: list[tuple[str, int, int]] = []
    options = RunOptions(
        root=deployment,
        entrypoint="bybit_desktop_paper",
        paper_ticks=20,
        on_progress=lambda *a: seen.append(a),
    )
    session_for(RunContext(options, {"entrypoint": "bybit_desktop_paper"}))
    assert seen and {label for label, _, _ in seen} == {"paper session"}
    assert [done for _, done, _ in seen] == sorted(done for _, done, _ in seen)
    assert seen[-1][1] == seen[-1][2] == 20
