"""``preflight run`` answers with the exit codes of SPEC section 3."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from preflight import engine
from preflight.runbook import CheckSpec

from .conftest import Cli, line_of

Edit = Callable[[Path, str, str], None]
STATIC = ("--no-paper", "--offline", "--only", "runtime.", "--only", "io_queue.")


def test_sample_deployment_is_go(cli: Cli, deployment: Path) -> None:
    result = cli("run", "bybit_desktop_paper", "--root", str(deployment), *STATIC)
    assert result.code == 0, result.out + result.err
    # Only two groups ran, the rest were not selected: never a plain GO.
    assert result.out.rstrip().splitlines()[-1].startswith("GO WITH EXCEPTIONS (")
    assert "\x1b[" not in result.out  # captured output is not a TTY: plain text


def test_a_failing_check_is_no_go_with_file_and_line(cli: Cli, deployment: Path, edit_file: Edit) -> None:
    edit_file(deployment / "config/runtime.yaml", "      burst: 6", "      burst: 7")
    result = cli("run", "bybit_desktop_paper", "--root", str(deployment), *STATIC)
    assert result.code == 1
    assert "✗ FAIL   io_queue.burst" in result.out
    assert (
        f"config/runtime.yaml:{line_of(deployment / 'config/runtime.yaml', '      burst: 7')}" in result.out
    )
    assert result.out.rstrip().splitlines()[-1].startswith("NO-GO — ")


def test_a_broken_deployment_file_is_no_go_not_a_usage_error(
    cli: Cli, deployment: Path, edit_file: Edit
) -> None:
    runtime = deployment / "config/runtime.yaml"
    edit_file(runtime, "tags: [desktop, paper, bybit]", "tags: [desktop, paper, bybit")
    unclosed = line_of(runtime, "tags: [desktop, paper, bybit")
    result = cli("run", "bybit_desktop_paper", "--root", str(deployment), *STATIC)
    assert result.code == 1
    assert f"config/runtime.yaml:{unclosed + 1}:" in result.out  # YAML notices on the next line


def test_unknown_entrypoint_exits_2_naming_the_known_ones(cli: Cli, deployment: Path) -> None:
    result = cli("run", "bybit_nope", "--root", str(deployment), *STATIC)
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 1
    assert "bybit_nope" in lines[0] and "bybit_desktop_paper" in lines[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--root", "{missing}"), "does not exist"),
        (("--runbook", "nope"), "unknown runbook 'nope'"),
        (("--only", "nosuchgroup."), "selects no check"),
        (("--format", "json", "-o", "a.json", "-o", "b.json"), "has no --format"),
        (("--format", "json", "--format", "markdown"), "both write to stdout"),
        (("--format", "yaml"), "unknown --format 'yaml'"),
        (("--fail-on", "error"), "unknown --fail-on 'error'"),
        (("--baseline", "{missing}"), "--baseline"),
        (("--waivers", "{missing}"), "--waivers"),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    cli: Cli, deployment: Path, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    resolved = [a.replace("{missing}", str(tmp_path / "missing")) for a in args]
    if "--root" not in resolved:
        resolved += ["--root", str(deployment)]
    result = cli("run", "bybit_desktop_paper", *STATIC, *resolved)
    assert result.code == 2, result.err
    assert message in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_an_internal_error_exits_3_with_one_line(
    cli: Cli, deployment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("engine bug")

    monkeypatch.setattr(engine, "run_checks", broken)
    result = cli("run", "bybit_desktop_paper", "--root", str(deployment), *STATIC)
    assert result.code == 3
    assert result.err.strip().splitlines() == [
        "preflight: internal error: RuntimeError: engine bug (rerun with --debug for a traceback)"
    ]


def test_an_interrupt_exits_130_and_still_writes_a_partial_report(
    cli: Cli, deployment: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_run_one = engine.run_one
    calls: list[str] = []

    def interrupting(spec: CheckSpec, ctx: object) -> object:
        calls.append(spec.id)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real_run_one(spec, ctx)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "run_one", interrupting)
    report_path = tmp_path / "out" / "report.json"
    result = cli(
        "run",
        "bybit_desktop_paper",
        "--root",
        str(deployment),
        *STATIC,
        "--format",
        "json",
        "-o",
        str(report_path),
    )
    assert result.code == 130
    document = json.loads(report_path.read_text(encoding="utf-8"))
    assert document["incomplete"] is True
    assert len(document["results"]) == 2
    assert "INCOMPLETE" in result.out


@pytest.mark.parametrize("args", [("run", "--no-such-flag"), ("run",), ("explain",)])
def test_bad_flags_exit_2(cli: Cli, args: tuple[str, ...]) -> None:
    result = cli(*args)
    assert result.code == 2, result.err
    assert "internal error" not in result.err
