"""Each single edit of the sample deployment turns the static runbook NO-GO at the edited file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from preflight import catalog, engine
from preflight.context import RunOptions
from preflight.resources import sample_config_dir
from preflight.results import CheckResult, Status, Verdict

STATIC = engine.Selection(only=("runtime.", "execution.", "core.", "io_queue."))


def _deploy(tmp_path: Path) -> Path:
    shutil.copytree(sample_config_dir(), tmp_path / "config")
    return tmp_path


def _edit(root: Path, name: str, old: str, new: str) -> int:
    """Replace the unique ``old`` in config/<name>; return the 1-based line where the change begins."""
    path = root / "config" / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in {name}"
    same = next(
        (i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), min(len(old), len(new))
    )
    line = text[: text.index(old) + same].count("\n") + 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    return line


def _run(root: Path) -> tuple[CheckResult, ...]:
    report = engine.run_checks(
        catalog.load_runbook("bybit_go_live"),
        RunOptions(root=root, entrypoint="bybit_desktop_paper"),
        selection=STATIC,
    )
    # Only some groups are selected: the rest are "not selected" exceptions, never a plain GO.
    assert report.verdict is (
        Verdict.GO_WITH_EXCEPTIONS if all(r.status is Status.PASS for r in report.results) else Verdict.NO_GO
    )
    return report.results


def _text(result: CheckResult) -> str:
    return " ".join([result.message, *(str(e) for e in result.evidence)])


def test_sample_deployment_passes_every_static_check(tmp_path: Path) -> None:
    results = _run(_deploy(tmp_path))
    assert results, "the static groups hold checks"
    assert [r.check_id for r in results if r.status is not Status.PASS] == []


# (file, old text, new text, failing check id, file named in the message) - one runbook edit each
EDITS = [
    ("runtime.yaml", "environment: bybit_paper", "environment: bybit_live", "runtime.entrypoint.environment"),
    ("runtime.yaml", "tags: [desktop, paper, bybit]", "tags: [desktop, bybit]", "runtime.entrypoint.tags"),
    (
        "runtime.yaml",
        "profile: multi_strategy_default\n      tags: [desktop, paper",
        "profile: single_trend\n      tags: [desktop, paper",
        "runtime.entrypoint.profile",
    ),
    (
        "runtime.yaml",
        "adapter: bybit_spot\n      io_queue",
        "adapter: bybit_futures\n      io_queue",
        "execution.paper_profile.adapter",
    ),
    (
        "runtime.yaml",
        "adapter: bybit_spot\n      guardrails",
        "adapter: bybit_futures\n      guardrails",
        "execution.trading_profile.adapter",
    ),
    (
        "runtime.yaml",
        "bybit_desktop:\n      entrypoint: bybit_desktop_paper",
        "bybit_desktop:\n      entrypoint: bybit_desktop_live",
        "execution.trading_profile.entrypoint",
    ),
    ("runtime.yaml", "burst: 6", "burst: 7", "io_queue.burst"),
    ("runtime.yaml", "max_concurrency: 3", "max_concurrency: 4", "io_queue.max_concurrency"),
    ("runtime.yaml", "rate_limit_max: 0", "rate_limit_max: 1", "execution.thresholds.rate_limit_max"),
    ("runtime.yaml", "health_min: 1.0", "health_min: 0.5", "execution.thresholds.health_min"),
    (
        "core.yaml",
        "keychain_key: bybit_paper_trading",
        "keychain_key: bybit_other_trading",
        "core.environment.keychain_key",
    ),
]


@pytest.mark.parametrize(("name", "old", "new", "check_id"), EDITS, ids=[e[3] for e in EDITS])
def test_single_edit_fails_the_right_check_at_its_line(
    tmp_path: Path, name: str, old: str, new: str, check_id: str
) -> None:
    root = _deploy(tmp_path)
    line = _edit(root, name, old, new)
    by_id = {r.check_id: r for r in _run(root)}
    failing = by_id[check_id]
    assert failing.status is Status.FAIL, failing.message
    assert f"{name}:{line}" in _text(failing)
    assert failing.group == check_id.split(".")[0]


def test_removing_the_paper_environment_fails_core_and_the_reference(tmp_path: Path) -> None:
    root = _deploy(tmp_path)
    core = root / "config" / "core.yaml"
    text = core.read_text(encoding="utf-8")
    start, end = text.index("  bybit_paper:\n"), text.index("  bybit_live:\n")
    core.write_text(text[:start] + text[end:], encoding="utf-8")
    by_id = {r.check_id: r for r in _run(root)}
    assert by_id["core.environment.defined"].status is Status.FAIL
    assert "core.yaml:2" in _text(by_id["core.environment.defined"])  # the environments mapping
    assert by_id["runtime.refs.environment"].status is Status.FAIL
    assert "runtime.yaml:6" in _text(by_id["runtime.refs.environment"])  # the dangling reference


def test_unclosed_bracket_in_runtime_fails_runtime_checks_at_the_bracket(tmp_path: Path) -> None:
    root = _deploy(tmp_path)
    line = _edit(root, "runtime.yaml", "tags: [desktop, paper, bybit]", "tags: [desktop, paper, bybit")
    results = _run(root)
    runtime = [r for r in results if r.group == "runtime"]
    assert runtime and all(r.status is Status.FAIL for r in runtime)
    text = _text(runtime[0])
    assert "runtime.yaml:" in text
    assert f"opened at line {line}" in text
    assert "Traceback" not in text


def test_duplicated_key_in_core_fails_core_checks_at_the_duplicate(tmp_path: Path) -> None:
    root = _deploy(tmp_path)
    line = _edit(root, "core.yaml", "    mode: paper\n", "    mode: paper\n    mode: live\n")
    results = _run(root)
    core = [r for r in results if r.group == "core"]
    assert core and all(r.status is Status.FAIL for r in core)
    assert f"core.yaml:{line}" in _text(core[0])
    assert "duplicate key 'mode'" in _text(core[0])


def test_checks_blocked_by_a_schema_error_state_it_once_and_point_at_the_schema_check(tmp_path: Path) -> None:
    root = _deploy(tmp_path)
    line = _edit(
        root, "runtime.yaml", "max_drawdown_pct: 5.0\n      metrics", "max_drawdwn_pct: 5.0\n      metrics"
    )
    by_id = {r.check_id: r for r in _run(root)}
    schema = _text(by_id["runtime.schema"])
    assert f"runtime.yaml:{line}" in schema and "max_drawdwn_pct" in schema
    blocked = by_id["runtime.refs.environment"]
    assert blocked.status is Status.FAIL
    assert blocked.message.startswith(f"blocked by config/runtime.yaml:{line}:")
    assert "runtime.schema" in blocked.message
    assert _text(blocked).count("unknown key 'max_drawdwn_pct'") == 1  # once, not again in the evidence
