"""The adapter check kinds: adapter_signing, adapter_rate_limit and pytest_nodes."""

from __future__ import annotations

from pathlib import Path

import pytest

from preflight.context import RunContext, RunOptions
from preflight.exchange.bybit import scenarios
from preflight.kinds import KINDS
from preflight.kinds.pytest_nodes import GUARD_ENV, summary_line
from preflight.results import Status


def _ctx(root: Path, **env: str) -> RunContext:
    return RunContext(
        RunOptions(root=root, entrypoint="bybit_desktop_paper", env=env or {"PATH": "/usr/bin"}), {}
    )


def _run(kind: str, params: dict, ctx: RunContext):
    spec = KINDS[kind]
    return spec.run(spec.parse(params), ctx)


def test_kinds_are_registered():
    assert {"adapter_signing", "adapter_rate_limit", "pytest_nodes"} <= set(KINDS)


def test_adapter_signing_passes_with_vectors_and_round_trips(tmp_path):
    ctx = _ctx(tmp_path)
    outcome = _run("adapter_signing", {}, ctx)
    assert outcome.status is Status.PASS, outcome.message
    text = " ".join(str(e) for e in outcome.evidence)
    assert "10/10 match" in text and "hmac round trip" in text and "rsa round trip" in text
    assert ctx.simulated


def test_adapter_signing_fails_when_a_vector_breaks(tmp_path, monkeypatch):
    broken = scenarios.SigningReport((scenarios.VectorCheck("B-get", False),), ())
    monkeypatch.setattr(scenarios, "check_vectors", lambda: broken.vectors)
    outcome = _run("adapter_signing", {"round_trip": False}, _ctx(tmp_path))
    assert outcome.status is Status.FAIL and "B-get" in outcome.message


def test_adapter_rate_limit_passes(tmp_path):
    outcome = _run("adapter_rate_limit", {}, _ctx(tmp_path))
    assert outcome.status is Status.PASS, outcome.message
    assert any("without" in str(e) for e in outcome.evidence)


def test_adapter_rate_limit_fails_when_the_budget_is_too_small(tmp_path):
    outcome = _run("adapter_rate_limit", {"retry_budget": 1, "rate_limit": 0.9, "orders": 40}, _ctx(tmp_path))
    assert outcome.status is Status.FAIL and "not every order was placed" in outcome.message


def test_pytest_nodes_skips_without_a_tests_tree(tmp_path):
    outcome = _run("pytest_nodes", {"nodes": ["tests/test_x.py::test_y"]}, _ctx(tmp_path))
    assert outcome.status is Status.SKIP and "no tests/ tree" in outcome.message


def test_pytest_nodes_refuses_to_recurse(tmp_path):
    (tmp_path / "tests").mkdir()
    outcome = _run("pytest_nodes", {"nodes": ["tests/test_x.py"]}, _ctx(tmp_path, **{GUARD_ENV: "1"}))
    assert outcome.status is Status.SKIP and GUARD_ENV in outcome.message


def test_pytest_nodes_missing_file_fails(tmp_path):
    (tmp_path / "tests").mkdir()
    outcome = _run("pytest_nodes", {"nodes": ["tests/test_gone.py::test_y"]}, _ctx(tmp_path))
    assert outcome.status is Status.FAIL and "tests/test_gone.py" in outcome.message


@pytest.fixture
def tiny_suite(tmp_path):
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_tiny.py").write_text(
        "def test_ok():\n    assert True\n\n\ndef test_bad():\n    assert 1 == 2\n"
    )
    return tmp_path


def test_pytest_nodes_pass_and_fail_from_the_exit_code(tiny_suite):
    import os

    env = {"PATH": os.environ.get("PATH", "")}
    ok = _run("pytest_nodes", {"nodes": ["tests/test_tiny.py::test_ok"]}, _ctx(tiny_suite, **env))
    assert ok.status is Status.PASS and "1 passed" in ok.message
    bad = _run("pytest_nodes", {"nodes": ["tests/test_tiny.py::test_bad"]}, _ctx(tiny_suite, **env))
    assert bad.status is Status.FAIL and "1 failed" in bad.message
    assert any("FAILED tests/test_tiny.py::test_bad" in str(e) for e in bad.evidence)


def test_summary_line_picks_pytest_summary():
    out = "..F\nFAILED tests/a.py::b - assert 1 == 2\n1 failed, 2 passed in 0.1s\n"
    assert summary_line(out) == "1 failed, 2 passed in 0.1s"
    assert summary_line("") == "(no output)"
