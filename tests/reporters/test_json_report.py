"""The JSON report validates against schemas/report.schema.json and reads back into the same RunReport."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace

import pytest
from jsonschema import Draft202012Validator

from preflight.baseline import BaselineDiff
from preflight.errors import ConfigError
from preflight.reporters.json_report import JsonReporter, parse_report
from preflight.resources import schemas_dir
from preflight.results import FailOn, RunReport

MakeReport = Callable[..., RunReport]


def _validator() -> Draft202012Validator:
    schema = json.loads((schemas_dir() / "report.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


@pytest.mark.parametrize("with_baseline", [False, True])
def test_output_validates_against_the_report_schema(
    with_baseline: bool, make_report: MakeReport, baseline_diff: BaselineDiff
) -> None:
    text = JsonReporter().render(make_report(), baseline_diff if with_baseline else None)
    errors = [error.message for error in _validator().iter_errors(json.loads(text))]
    assert errors == []


def test_schema_rejects_an_unknown_top_level_key(make_report: MakeReport) -> None:
    document = json.loads(JsonReporter().render(make_report()))
    document["verdikt"] = "GO"
    assert not _validator().is_valid(document)


def test_round_trip_gives_back_an_equal_report(make_report: MakeReport) -> None:
    report = replace(make_report(fail_on=FailOn.WARN), incomplete=True)
    assert parse_report(JsonReporter().render(report)) == report


def test_output_is_stable_and_key_sorted(make_report: MakeReport) -> None:
    text = JsonReporter().render(make_report())
    assert text == JsonReporter().render(make_report())
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_parse_names_the_source_of_a_bad_file(make_report: MakeReport) -> None:
    with pytest.raises(ConfigError, match=r"old\.json:1:2: not valid JSON"):
        parse_report("{oops", "old.json")
    document = {**json.loads(JsonReporter().render(make_report())), "results": 3}
    with pytest.raises(ConfigError, match=r"old\.json: not a preflight JSON report at results"):
        parse_report(json.dumps(document), "old.json")


def test_paper_metrics_with_decimals_and_dates_still_render(make_report: MakeReport) -> None:
    from datetime import UTC, datetime
    from decimal import Decimal

    metrics = {"summary": {"ratio": Decimal("0.5"), "at": datetime(2026, 1, 1, tzinfo=UTC), "s": {"b"}}}
    document = json.loads(JsonReporter().render(replace(make_report(), paper_metrics=metrics)))
    assert document["paper_metrics"] == {
        "summary": {"ratio": 0.5, "at": "2026-01-01T00:00:00+00:00", "s": ["b"]}
    }
