"""A paper session refuses unusable output folders and absurd lengths up front, in one clear sentence."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from preflight.deployment import load_deployment
from preflight.errors import ConfigError, InputError, UsageError
from preflight.papertrade.artefacts import output_dirs
from preflight.papertrade.plan import MAX_TICKS, SessionOptions, make_plan
from preflight.papertrade.session import run_paper_session
from preflight.trust.secrets import Keychain

EP = "bybit_desktop_paper"


@pytest.fixture(scope="module")
def demo_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Provision one demo deployment for the module."""
    from preflight.demo import prepare_demo

    yield prepare_demo(tmp_path_factory.mktemp("outputs") / "demo")


@pytest.fixture
def root(demo_root: Path, tmp_path: Path) -> Path:
    """Return a private copy of the demo deployment without earlier artefacts."""
    copy = tmp_path / "root"
    shutil.copytree(demo_root, copy)
    for leftover in ("reports", "logs", "var/metrics"):
        shutil.rmtree(copy / leftover, ignore_errors=True)
    return copy


def files_under(top: Path) -> set[str]:
    """Return every path under ``top``, relative to it."""
    return {str(p.relative_to(top)) for p in top.rglob("*")}


def no_keychain() -> Keychain:
    """Fail the test: a refused session must not get as far as opening the keychain."""
    raise AssertionError("the session ran although an output folder was unusable")


def set_log_directory(root: Path, value: str) -> None:
    """Point io_queue.log_directory of runtime.yaml at ``value``."""
    runtime = root / "config" / "runtime.yaml"
    text = runtime.read_text()
    assert "log_directory: logs/guardrails" in text
    runtime.write_text(text.replace("log_directory: logs/guardrails", f"log_directory: {value}"))


@pytest.mark.parametrize(
    ("blocker", "expected"),
    [
        ("reports/paper", "reports/paper is a file, not a folder; move it aside"),
        ("var/metrics", "var/metrics is a file, not a folder; move it aside"),
        ("logs/guardrails", "logs/guardrails is a file, not a folder; move it aside"),
        ("var", "var is a file, not a folder, so var/metrics cannot be created"),
    ],
)
def test_a_file_where_an_output_folder_belongs_stops_the_session_before_it_runs(
    root: Path, blocker: str, expected: str
) -> None:
    if blocker == "var":
        shutil.rmtree(root / "var")
    (root / blocker).parent.mkdir(parents=True, exist_ok=True)
    (root / blocker).write_text("not a directory\n")
    before = files_under(root)
    with pytest.raises(InputError, match=expected):
        run_paper_session(load_deployment(root), no_keychain, SessionOptions(EP, ticks=2))
    assert files_under(root) == before  # nothing half-written


@pytest.mark.parametrize("value", ["../escaped", "logs/../../escaped", "/tmp/preflight-escaped"])
def test_a_log_directory_outside_the_root_is_refused_not_followed(
    root: Path, tmp_path: Path, value: str
) -> None:
    set_log_directory(root, value)
    outside = files_under(tmp_path)
    with pytest.raises(ConfigError) as raised:
        run_paper_session(load_deployment(root), no_keychain, SessionOptions(EP, ticks=2))
    message = str(raised.value)
    assert message.startswith("config/runtime.yaml:") and f"{value!r} points outside" in message
    line = int(message.split(":")[1])
    assert value in (root / "config/runtime.yaml").read_text().splitlines()[line - 1]
    assert files_under(tmp_path) == outside
    if value.startswith("/"):
        assert not Path(value).exists()


def test_output_dirs_lie_inside_the_root(root: Path) -> None:
    dirs = output_dirs("logs/guardrails", root)
    assert (dirs.log_dir, dirs.report_dir, dirs.metrics_dir) == (
        root / "logs/guardrails",
        root / "reports/paper",
        root / "var/metrics",
    )


def test_ticks_beyond_the_bound_are_refused_with_the_range(root: Path) -> None:
    deployment = load_deployment(root)
    assert make_plan(deployment, SessionOptions(EP, ticks=MAX_TICKS)).ticks == MAX_TICKS
    with pytest.raises(UsageError, match=f"--ticks must be between 1 and {MAX_TICKS}, got 1000000000"):
        make_plan(deployment, SessionOptions(EP, ticks=1_000_000_000))


def test_the_schema_bounds_the_profile_ticks_like_the_plan(root: Path) -> None:
    runtime = root / "config" / "runtime.yaml"
    runtime.write_text(runtime.read_text().replace("ticks: 240", "ticks: 1000000000"))
    with pytest.raises(ConfigError) as raised:
        load_deployment(root)
    message = str(raised.value)
    assert message.startswith("config/runtime.yaml:") and "ticks" in message and str(MAX_TICKS) in message
