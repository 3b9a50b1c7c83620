"""Run every check-kind case table under tests/kinds/cases/<kind>.yaml through the engine.

A table::

    kind: config_value            # the registered kind under test
    base: sample                  # optional: start each case from the packaged sample config/
    entrypoint: bybit_desktop_paper
    variables: {environment: bybit_paper}     # defaults for every case
    cases:
      - id: eq_passes
        files: {config/x.yaml: "a: 1\\n"}     # written under the root (after base)
        replace: [{file: config/runtime.yaml, old: "burst: 6", new: "burst: 7"}]
        params: {...}
        expect: pass | fail | warn | skip | error | schema_error   # schema_error: params rejected
        words: ["config/x.yaml:1"]          # each must appear in the message or the evidence

Every case runs through ``engine.run_one`` (templating, parse, run, exception mapping), exactly as a
runbook check would.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from preflight.context import RunContext, RunOptions
from preflight.engine import run_one
from preflight.errors import Location
from preflight.kinds import KINDS
from preflight.resources import sample_config_dir
from preflight.results import Severity, Status
from preflight.runbook import CheckSpec
from preflight.schemas import best_error

CASES_DIR = Path(__file__).parent / "cases"


def _tables() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    rows = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        table = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
        for case in table["cases"]:
            rows.append((f"{path.stem}:{case['id']}", table, case))
    return rows


TABLES = _tables()


@pytest.mark.parametrize(("name", "table", "case"), TABLES, ids=[row[0] for row in TABLES])
def test_kind_case(tmp_path: Path, name: str, table: dict[str, Any], case: dict[str, Any]) -> None:
    kind = KINDS[table["kind"]]
    error = best_error(kind.params_schema, case["params"])
    if case["expect"] == "schema_error":
        assert error is not None, f"{name}: the params schema accepted {case['params']}"
        return
    assert error is None, f"{name}: params rejected: {error.message}"
    root = _root(tmp_path, table, case)
    variables = {**table.get("variables", {}), **case.get("variables", {})}
    entrypoint = case.get("entrypoint", table.get("entrypoint", "bybit_desktop_paper"))
    ctx = RunContext(RunOptions(root=root, entrypoint=entrypoint), {"entrypoint": entrypoint, **variables})
    spec = CheckSpec(
        id=f"tests.{table['kind']}.{case['id']}",
        title=name,
        kind=table["kind"],
        severity=Severity.MAJOR,
        params=case["params"],
        rationale="case table",
        remediation="case table",
        tags=(),
        section_id="cases",
        item_id=case["id"],
        location=Location(str(CASES_DIR / f"{table['kind']}.yaml")),
    )
    result = run_one(spec, ctx)
    text = " ".join([result.message, *(str(e) for e in result.evidence)])
    assert result.status is Status(case["expect"]), f"{name}: {result.status}: {text}"
    for word in case.get("words", ()):
        assert word in text, f"{name}: {word!r} not in {text!r}"
    assert "Traceback" not in text


def _root(tmp_path: Path, table: dict[str, Any], case: dict[str, Any]) -> Path:
    root = tmp_path / "root"
    root.mkdir()
    if case.get("base", table.get("base")) == "sample":
        shutil.copytree(sample_config_dir(), root / "config")
    for relpath, text in case.get("files", {}).items():
        target = root / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    for edit in case.get("replace", ()):
        target = root / edit["file"]
        content = target.read_text(encoding="utf-8")
        assert content.count(edit["old"]) == 1, f"{edit['old']!r} must occur once in {edit['file']}"
        target.write_text(content.replace(edit["old"], edit["new"]), encoding="utf-8")
    return root


def test_every_kind_of_this_layer_has_a_case_table() -> None:
    tables = {path.stem for path in CASES_DIR.glob("*.yaml")}
    assert {"config_value", "config_refs", "config_schema", "document_present"} <= tables


@pytest.mark.parametrize("kind_name", sorted({row[1]["kind"] for row in TABLES}))
def test_each_table_covers_pass_fail_and_rejection(kind_name: str) -> None:
    expects = {case["expect"] for _, table, case in TABLES if table["kind"] == kind_name}
    assert {"pass", "fail"} <= expects
    assert expects & {"error", "schema_error"}
