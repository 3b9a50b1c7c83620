"""``preflight demo`` provisions a deployment and runs the whole runbook there."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from preflight import demo
from preflight.schemas import load_schema

from .conftest import Cli


def test_demo_refuses_a_non_empty_foreign_folder(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = cli("demo", "--dir", str(tmp_path), "--quiet")
    assert result.code == 2
    assert "not empty" in result.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_prepare_demo_copies_the_sample_and_runs_provisioners_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []
    monkeypatch.setattr(
        demo, "PROVISIONERS", (lambda root: seen.append(f"a:{root.name}"), lambda root: seen.append("b"))
    )
    root = demo.prepare_demo(tmp_path / "d")
    assert (root / "config" / "runtime.yaml").is_file()
    assert (root / "config" / "core.yaml").is_file()
    assert demo.is_demo_root(root)
    assert seen == ["a:d", "b"]
    (root / "config" / "runtime.yaml").write_text("edited", encoding="utf-8")
    demo.prepare_demo(root)  # an earlier demo is refreshed from the packaged sample
    assert (root / "config" / "runtime.yaml").read_text(encoding="utf-8") != "edited"


def test_demo_bad_output_pairing_creates_nothing(cli: Cli, tmp_path: Path) -> None:
    result = cli("demo", "--dir", str(tmp_path / "new"), "-o", "x.json")
    assert result.code == 2
    assert not (tmp_path / "new").exists()


def test_demo_runs_the_whole_runbook_and_is_go_with_exceptions(cli: Cli, tmp_path: Path) -> None:
    report = tmp_path / "demo.json"
    result = cli("demo", "--dir", str(tmp_path / "d"), "--offline", "--format", "json", "-o", str(report))
    assert "demo deployment: " in result.err
    assert result.code == 0, result.out
    document = json.loads(report.read_text(encoding="utf-8"))
    assert list(Draft202012Validator(load_schema("report")).iter_errors(document)) == []
    # --offline: the live-key and clock probes skipped, named as offline exceptions.
    assert document["entrypoint"] == "bybit_desktop_paper" and document["verdict"] == "GO WITH EXCEPTIONS"
    offline = {e["check"] for e in document["exceptions"] if e["kind"] == "offline"}
    assert {"keys.live_key.known", "keys.clock_skew"} <= offline
