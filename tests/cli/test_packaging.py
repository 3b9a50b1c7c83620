"""Packaging and CLI conventions: --version, -h, readable help, usage errors exit 2, declared bounds."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from preflight import __version__

from .conftest import Cli

ROOT = Path(__file__).resolve().parents[2]


def test_version_prints_the_package_version(cli: Cli) -> None:
    for flag in ("--version", "-V"):
        result = cli(flag)
        assert result.code == 0 and result.out == f"preflight {__version__}\n"


@pytest.mark.parametrize("command", [(), ("run",), ("demo",), ("signoff",), ("secrets",)])
def test_h_is_an_alias_of_help_everywhere(cli: Cli, command: tuple[str, ...]) -> None:
    short, long = cli(*command, "-h"), cli(*command, "--help")
    assert short.code == long.code == 0
    assert short.out == long.out and "Usage: preflight" in short.out


@pytest.mark.parametrize("command", [("run",), ("demo",), ("paper",), ("signoff",), ("list",)])
def test_help_shows_readable_types(cli: Cli, command: tuple[str, ...]) -> None:
    text = cli(*command, "--help").out
    assert not re.search(r"<list\[|\[str\]|<Path>", text), text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--faults", "rate_limt=0.1"), "bad fault 'rate_limt=0.1' in --faults"),
        (("--ticks", "0"), "--ticks"),
        (("--ticks", "10001"), "--ticks must be between 1 and 10000"),
        (("--show", "everything"), "unknown --show 'everything'"),
        (("--fail-on", "sometimes"), "unknown --fail-on 'sometimes'"),
    ],
)
def test_usage_errors_exit_2(cli: Cli, deployment: Path, args: tuple[str, ...], message: str) -> None:
    result = cli("run", "bybit_desktop_paper", "--root", str(deployment), *args)
    assert result.code == 2, result.out + result.err
    assert message in result.err


def test_every_runtime_dependency_has_a_lower_bound_the_ci_script_proves() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for requirement in project["dependencies"]:
        # a lower bound always; an upper bound only where a release is known to cost (typer<0.29)
        assert re.fullmatch(r"[A-Za-z0-9_.\-]+>=[0-9][0-9.]*(,<[0-9][0-9.]*)?", requirement), requirement
    script = (ROOT / ".ci" / "min_deps.sh").read_text(encoding="utf-8")
    assert "cli_smoke.sh" in script and "pyproject.toml" in script
    assert "min_deps.sh" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
