"""``preflight list``, ``explain``, ``schema`` and ``--help``."""

from __future__ import annotations

import json
import subprocess
import sys
import time

from preflight.catalog import load_runbook

from .conftest import Cli


def test_list_prints_every_check_of_the_runbook(cli: Cli) -> None:
    result = cli("list", "--runbook", "bybit_go_live")
    assert result.code == 0
    for check in load_runbook("bybit_go_live").checks():
        assert check.id in result.out


def test_list_json_is_the_catalogue(cli: Cli) -> None:
    result = cli("list", "--format", "json")
    assert result.code == 0
    runbooks = json.loads(result.out)["runbooks"]
    ids = [c["id"] for r in runbooks for s in r["sections"] for i in s["items"] for c in i["checks"]]
    assert ids == [c.id for c in load_runbook("bybit_go_live").checks()]


def test_list_rejects_an_unknown_runbook_and_format(cli: Cli) -> None:
    assert cli("list", "--runbook", "nope").code == 2
    assert cli("list", "--format", "junit").code == 2


def test_explain_shows_what_why_and_fix(cli: Cli) -> None:
    check = next(load_runbook().checks())
    result = cli("explain", check.id)
    assert result.code == 0
    for label in ("section", "kind", "severity", "params", "why", "fix"):
        assert f"\n{label} " in "\n" + result.out
    assert check.kind in result.out


def test_explain_unknown_id_exits_2_naming_close_matches(cli: Cli) -> None:
    check = next(load_runbook().checks())
    result = cli("explain", check.id[:-1] + "x")
    assert result.code == 2
    assert "did you mean" in result.err and check.id in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_schema_lists_names_and_prints_one(cli: Cli) -> None:
    listed = cli("schema")
    assert listed.code == 0
    assert "report" in listed.out.split()
    printed = cli("schema", "report")
    assert printed.code == 0
    assert json.loads(printed.out)["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert cli("schema", "nope").code == 2


def test_help_works_in_a_fresh_process() -> None:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", "from preflight.cli.app import main; main()", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    assert done.returncode == 0, done.stderr
    for command in ("run", "demo", "list", "explain", "schema"):
        assert command in done.stdout
    assert elapsed < 5  # generous: only guards against heavy imports at start-up on a loaded machine
