"""The operator's own names: a preflight deployment with every name changed, checked through --var/--vars."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from preflight import catalog, engine
from preflight.cli.app import main
from preflight.context import RunOptions
from preflight.errors import UsageError
from preflight.resources import sample_config_dir
from preflight.results import RunReport, Status

STATIC = engine.Selection(only=("runtime.", "execution.", "core.", "io_queue."))
OWN_NAMES = {
    "environment": "desk_a_paper",
    "live_environment": "desk_a_live",
    "strategy_profile": "desk_a_strategies",
    "paper_profile": "desk_a_profile",
    "trading_profile": "desk_a_trading",
    "io_queue": "desk_a_queue",
    "paper_key": "desk_a_paper_key",
    "live_key": "desk_a_live_key",
}
RENAMES = {
    "runtime.yaml": [
        ("environment: bybit_paper", "environment: desk_a_paper", 1),
        ("environment: bybit_live", "environment: desk_a_live", 1),
        ("profile: multi_strategy_default", "profile: desk_a_strategies", 2),
        ("    bybit_paper:\n      entrypoint", "    desk_a_profile:\n      entrypoint", 1),
        ("    bybit_desktop:\n", "    desk_a_trading:\n", 1),
        ("io_queue: bybit_spot", "io_queue: desk_a_queue", 1),
        ("    bybit_spot:\n      max_concurrency: 3", "    desk_a_queue:\n      max_concurrency: 3", 1),
    ],
    "core.yaml": [
        ("  bybit_paper:\n", "  desk_a_paper:\n", 1),
        ("  bybit_live:\n", "  desk_a_live:\n", 1),
        ("keychain_key: bybit_paper_trading", "keychain_key: desk_a_paper_key", 1),
        ("keychain_key: bybit_live_trading", "keychain_key: desk_a_live_key", 1),
        ("  multi_strategy_default:\n", "  desk_a_strategies:\n", 1),
    ],
}


def _deploy(tmp_path: Path, renamed: bool) -> Path:
    root = tmp_path / ("renamed" if renamed else "sample")
    shutil.copytree(sample_config_dir(), root / "config")
    if renamed:
        for name, edits in RENAMES.items():
            path = root / "config" / name
            text = path.read_text(encoding="utf-8")
            for old, new, count in edits:
                assert text.count(old) == count, old
                text = text.replace(old, new)
            path.write_text(text, encoding="utf-8")
    return root


def _run(root: Path, variables: dict[str, str] | None = None) -> RunReport:
    options = RunOptions(root=root, entrypoint="bybit_desktop_paper", variables=variables or {})
    return engine.run_checks(catalog.load_runbook("bybit_go_live"), options, selection=STATIC)


def test_own_names_with_vars_give_the_results_of_the_original_names(tmp_path: Path) -> None:
    original = _run(_deploy(tmp_path, renamed=False))
    renamed = _run(_deploy(tmp_path, renamed=True), OWN_NAMES)
    assert [(r.check_id, r.status) for r in renamed.results] == [
        (r.check_id, r.status) for r in original.results
    ]
    assert all(r.status is Status.PASS for r in renamed.results)
    assert renamed.variables["environment"] == "desk_a_paper"
    assert not [n for n in renamed.notes if "variable" in n]  # every derivable one agrees


def test_own_names_without_vars_fail_naming_the_variable_to_set(tmp_path: Path) -> None:
    report = _run(_deploy(tmp_path, renamed=True))
    failing = [r for r in report.results if r.status is Status.FAIL]
    assert failing
    for result in failing:
        assert "--var " in result.message, (result.check_id, result.message)
    by_id = {r.check_id: r for r in report.results}
    assert "--var environment=desk_a_paper" in by_id["runtime.entrypoint.environment"].message
    assert "--var paper_profile=desk_a_profile" in by_id["execution.paper_profile.adapter"].message
    assert "--var trading_profile=desk_a_trading" in by_id["execution.trading_profile.adapter"].message
    assert "--var strategy_profile=desk_a_strategies" in by_id["runtime.entrypoint.profile"].message
    assert "--var io_queue=desk_a_queue" in by_id["io_queue.max_concurrency"].message
    assert any("variable environment=bybit_paper" in note for note in report.notes)


def test_unknown_variable_is_a_usage_error_naming_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(
        UsageError, match=r"unknown runbook variable 'enviroment'; known: adapter, environment"
    ):
        _run(_deploy(tmp_path, renamed=False), {"enviroment": "x"})


def _cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    monkeypatch.setattr(sys, "argv", ["preflight", *args])
    with pytest.raises(SystemExit) as done:
        main()
    captured = capsys.readouterr()
    return int(done.value.code or 0), captured.out + captured.err


def test_a_vars_file_and_var_flags_through_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _deploy(tmp_path, renamed=True)
    vars_file = tmp_path / "vars.yaml"
    vars_file.write_text(
        "".join(f"{k}: {v}\n" for k, v in OWN_NAMES.items() if k != "io_queue"), encoding="utf-8"
    )
    base = ("run", "bybit_desktop_paper", "--root", str(root), "--offline", "--no-paper")
    static = ("--only", "runtime.", "--only", "execution.", "--only", "core.", "--only", "io_queue.")
    code, out = _cli(
        monkeypatch, capsys, *base, *static, "--vars", str(vars_file), "--var", "io_queue=desk_a_queue"
    )
    assert code == 0, out
    assert "environment=desk_a_paper" in out and "format      preflight" in out
    code, out = _cli(monkeypatch, capsys, *base, "--var", "enviroment=x")
    assert code == 2 and "unknown runbook variable 'enviroment'" in out
    code, out = _cli(monkeypatch, capsys, *base, "--var", "environment")
    assert code == 2 and "NAME=VALUE" in out
    code, out = _cli(monkeypatch, capsys, *base, "--deployment-format", "yaml")
    assert code == 2 and "choose one of preflight, bot_core" in out


def test_the_json_report_and_the_signoff_name_the_format_and_the_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from preflight.schemas import load_schema, validator_for

    root = _deploy(tmp_path, renamed=True)
    names = [arg for name, value in OWN_NAMES.items() for arg in ("--var", f"{name}={value}")]
    base = ("bybit_desktop_paper", "--root", str(root), "--offline", "--no-paper", *names)
    report_path = tmp_path / "report.json"
    code, out = _cli(
        monkeypatch, capsys, "run", *base, "--only", "runtime.", "--format", "json", "-o", str(report_path)
    )
    assert code == 0, out
    document = json.loads(report_path.read_text(encoding="utf-8"))
    validator_for(load_schema("report")).validate(document)
    assert document["deployment_format"] == "format preflight (no core.path in config/runtime.yaml)"
    assert document["variables"]["paper_profile"] == "desk_a_profile"
    signoff = tmp_path / "signoff.md"
    code, out = _cli(monkeypatch, capsys, "signoff", *base, "--operator", "desk lead", "-o", str(signoff))
    text = signoff.read_text(encoding="utf-8")
    assert "Deployment format preflight (no core.path in config/runtime.yaml)" in text
    assert "environment=desk_a_paper" in text and "desk_a_profile" in text
