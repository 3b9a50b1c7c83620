"""The check-kind registry is complete: one module per kind, each module registered, each used kind known."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from jsonschema import Draft202012Validator
from ruamel.yaml import YAML

import preflight.kinds
from preflight.kinds import KINDS
from preflight.kinds.base import CheckKind
from preflight.resources import checks_dir
from preflight.schemas import validator_for

_NOT_KINDS = {"base"}


def _kind_modules() -> set[str]:
    return {m.name for m in pkgutil.iter_modules(preflight.kinds.__path__) if m.name not in _NOT_KINDS}


@pytest.mark.parametrize("name", sorted(KINDS))
def test_every_registered_kind_is_its_own_module(name: str) -> None:
    kind = KINDS[name]
    assert isinstance(kind, CheckKind)
    assert kind.name == name
    module = importlib.import_module(f"preflight.kinds.{name}")
    assert module.KIND is kind, f"preflight.kinds.{name}.KIND is not the registered kind"
    assert kind.summary and kind.summary.endswith(".")
    Draft202012Validator.check_schema(kind.params_schema)  # a valid Draft 2020-12 schema
    validator_for(kind.params_schema)


def test_every_kind_module_is_registered() -> None:
    assert _kind_modules() == set(KINDS), "register each preflight/kinds/<name>.py in KINDS (and only those)"


def test_every_kind_a_runbook_names_is_registered() -> None:
    used: set[tuple[str, str]] = set()
    for path in sorted(checks_dir().glob("*.yaml")):
        runbook = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
        for section in runbook["sections"]:
            for item in section["items"]:
                used.update((path.name, check["kind"]) for check in item["checks"])
    assert used, "the runbooks name some kinds"
    assert [f"{file}: {kind}" for file, kind in sorted(used) if kind not in KINDS] == []
