"""``--format sarif|github`` from the command line, with repository-relative paths."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from .conftest import Cli

Edit = Callable[[Path, str, str], None]

STATIC = ("--no-paper", "--offline", "--only", "runtime.", "--only", "io_queue.")


def test_sarif_and_annotations_point_into_the_repository(
    cli: Cli, deployment: Path, tmp_path: Path, edit_file: Edit
) -> None:
    edit_file(deployment / "config/runtime.yaml", "      burst: 6", "      burst: 7")
    repo = deployment.parent
    out = tmp_path / "r.sarif"
    result = cli(
        "run", "bybit_desktop_paper", "--root", str(deployment), *STATIC, "--repo-root", str(repo),
        "--format", "sarif", "-o", str(out), "--format", "github",
    )  # fmt: skip
    assert result.code == 1
    uris = {
        location["physicalLocation"]["artifactLocation"]["uri"]
        for entry in json.loads(out.read_text(encoding="utf-8"))["runs"][0]["results"]
        for location in entry["locations"]
    }
    assert uris == {f"{deployment.name}/config/runtime.yaml"}
    errors = [line for line in result.out.splitlines() if line.startswith("::error file=")]
    where = f"::error file={deployment.name}/config/runtime.yaml,line="
    assert len(errors) == 1 and errors[0].startswith(where)
    assert result.out.rstrip().splitlines()[-1].startswith("::error title=preflight verdict::NO-GO")


def test_repo_root_and_path_prefix_exclude_each_other(cli: Cli, deployment: Path) -> None:
    result = cli(
        "run", "bybit_desktop_paper", "--root", str(deployment), *STATIC,
        "--repo-root", str(deployment), "--path-prefix", "x", "--format", "sarif",
    )  # fmt: skip
    assert result.code == 2 and "give one of them" in result.err
    missing = cli("run", "bybit_desktop_paper", "--root", str(deployment), "--repo-root", "/nonexistent/x")
    assert missing.code == 2 and "--repo-root /nonexistent/x is not a directory" in missing.err
