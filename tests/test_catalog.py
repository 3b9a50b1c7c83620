"""The runbook catalogue: packaged runbooks load, ids are unique, params validate, bad files are located."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from preflight import catalog
from preflight.errors import ConfigError, UsageError
from preflight.kinds import KINDS
from preflight.schemas import best_error

GROUPS = {
    *("runtime", "execution", "core", "secrets", "paper", "guardrails", "report"),
    *("license", "fingerprint", "keys", "io_queue", "adapter", "smoke", "tests"),
}

HEADER = """\
id: tiny
title: Tiny runbook
exchange: bybit
variables: {environment: bybit_paper}
sections:
  - id: steps
    title: Steps
    kind: steps
    items:
      - id: one
        text: Step one for {entrypoint}.
        checks:
"""

CHECK = """\
          - id: {id}
            title: A check
            kind: {kind}
            severity: major
            params: {params}
            rationale: Because.
            remediation: Fix it.
"""


def _runbook(tmp_path: Path, *checks: tuple[str, str, str]) -> Path:
    body = HEADER + "".join(CHECK.format(id=i, kind=k, params=p) for i, k, p in checks)
    path = tmp_path / "tiny.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def test_the_bybit_runbook_is_the_default() -> None:
    runbook = catalog.load_runbook()
    assert runbook.id == "bybit_go_live" and runbook.exchange == "bybit"
    assert catalog.load_runbook("bybit_go_live") is runbook  # parsed once per process
    assert runbook in catalog.list_runbooks()


def test_unknown_runbook_is_a_usage_error_naming_the_known_ones() -> None:
    with pytest.raises(UsageError, match=r"known: .*bybit_go_live"):
        catalog.load_runbook("kraken")


@pytest.mark.parametrize("runbook", catalog.list_runbooks(), ids=lambda r: r.id)
def test_packaged_runbook_ids_unique_params_valid_and_grouped(runbook: catalog.Runbook) -> None:
    checks = list(runbook.checks())
    ids = [c.id for c in checks]
    assert len(ids) == len(set(ids))
    for check in checks:
        assert check.group in GROUPS, check.id
        assert check.kind in KINDS, check.id
        error = best_error(KINDS[check.kind].params_schema, check.params)
        assert error is None, f"{check.id}: {error.message if error else ''}"
        assert check.rationale.strip() and check.remediation.strip() and check.title.strip()
        assert check.location.line is not None


@pytest.mark.parametrize("runbook", catalog.list_runbooks(), ids=lambda r: r.id)
def test_every_placeholder_names_a_variable(runbook: catalog.Runbook) -> None:
    known = {"entrypoint", *runbook.variables}
    placeholder = re.compile(r"\{([a-z_]+)\}")
    unknown = []
    for section in runbook.sections:
        for item in section.items:
            unknown += [(item.id, name) for name in placeholder.findall(item.text) if name not in known]
            for check in item.checks:
                texts = [check.title, check.remediation, *_strings(check.params)]
                found = [n for text in texts for n in placeholder.findall(text)]
                unknown += [(check.id, n) for n in found if n not in known]
    assert unknown == []


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_a_valid_file_builds_the_model(tmp_path: Path) -> None:
    path = _runbook(tmp_path, ("runtime.a", "config_value", "{file: a.yaml, path: a, op: exists}"))
    runbook = catalog.load_runbook_file(path)
    (check,) = runbook.checks()
    assert (check.section_id, check.item_id, check.location.line) == ("steps", "one", 13)
    assert runbook.check("runtime.a") is check and runbook.check("nope") is None


def test_duplicate_check_ids_are_located(tmp_path: Path) -> None:
    path = _runbook(
        tmp_path,
        ("runtime.a", "config_value", "{file: a.yaml, path: a, op: exists}"),
        ("runtime.a", "config_value", "{file: a.yaml, path: b, op: exists}"),
    )
    with pytest.raises(ConfigError, match="used twice \\(first at line 13\\)") as caught:
        catalog.load_runbook_file(path)
    assert caught.value.location is not None and caught.value.location.line == 20


def test_unknown_kind_names_the_registered_kinds(tmp_path: Path) -> None:
    path = _runbook(tmp_path, ("runtime.a", "config_valu", "{}"))
    expected = r"unknown kind 'config_valu'; registered kinds: .*config_value"
    with pytest.raises(ConfigError, match=expected) as caught:
        catalog.load_runbook_file(path)
    assert str(caught.value).startswith(f"{path}:15:")


def test_invalid_params_are_located_in_the_params_block(tmp_path: Path) -> None:
    params = "{file: a.yaml, path: a, op: equals, expected: 1}"
    path = _runbook(tmp_path, ("runtime.a", "config_value", params))
    with pytest.raises(ConfigError, match=r"check 'runtime.a' \(config_value\)") as caught:
        catalog.load_runbook_file(path)
    assert caught.value.location is not None and caught.value.location.line == 17


@pytest.mark.parametrize(
    ("check_id", "words"),
    [
        ("runtime", "starting with its group"),
        ("wallet.withdraw", "starting with its group"),
        ("Runtime.a", "group"),
    ],
)
def test_check_ids_need_a_group_prefix(tmp_path: Path, check_id: str, words: str) -> None:
    path = _runbook(tmp_path, (check_id, "config_value", "{file: a.yaml, path: a, op: exists}"))
    with pytest.raises(ConfigError, match=words) as caught:
        catalog.load_runbook_file(path)
    assert caught.value.location is not None and caught.value.location.line == 13


def test_schema_violation_in_a_runbook_is_located(tmp_path: Path) -> None:
    path = _runbook(tmp_path, ("runtime.a", "config_value", "{file: a.yaml, path: a, op: exists}"))
    path.write_text(path.read_text().replace("severity: major", "severity: blocker"))
    with pytest.raises(ConfigError, match='"blocker" is not one of') as caught:
        catalog.load_runbook_file(path)
    assert caught.value.location is not None and caught.value.location.line == 16


def test_malformed_runbook_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("id: x\nsections: [\n")
    with pytest.raises(ConfigError, match="bracket"):
        catalog.load_runbook_file(path)
