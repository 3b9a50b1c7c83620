"""The summary semantics of SPEC.md section 8, pinned field by field on hand-built registries."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from preflight.errors import ConfigError
from preflight.papertrade.summary import build_paper_exchange_metrics

RATE = "bot_exchange_rate_limited_total"
ERRORS = "bot_exchange_errors_total"
HEALTH = "bot_exchange_health_status"
EP = "bybit_desktop_paper"
ZERO = {"warning": 0, "error": 0, "critical": 0}
FULL = {"warning": 1.0, "error": 1.0, "critical": 1.0}


def test_clean_session_satisfies_every_step4_expectation(make_registry: Any, entry: Any) -> None:
    registry = make_registry().session(EP).registry
    result = build_paper_exchange_metrics([entry(EP)], registry)
    report = result.to_json()

    assert report[EP] == {
        "environment": "bybit_paper",
        "exchange": "bybit",
        "requests": 12,
        "rate_limited_events": 0,
        "network_errors": 0,
        "network_errors_by_severity": ZERO,
        "health_status": 1,
        "thresholds": {"rate_limit_max": 0, "network_errors_max": 0, "health_min": 1.0},
        "status": "ok",
        "breaches": [],
        "missing_metrics": [],
        "missing_error_severities": [],
        "invalid_thresholds": [],
    }
    assert report["summary"] == {
        "status": "ok",
        "entrypoints": 1,
        "monitored_entrypoint_names": [EP],
        "ok_entrypoint_names": [EP],
        "breached_entrypoint_names": [],
        "unknown_entrypoint_names": [],
        "breached_thresholds_entrypoints": {},
        "missing_metrics_entrypoints": {},
        "breach_counts_by_metric": {},
        "threshold_breach_counts": {},
        "missing_metric_counts": {},
        "metric_coverage_entrypoints": {RATE: [EP], ERRORS: [EP], HEALTH: [EP]},
        "metric_coverage_ratio": {RATE: 1.0, ERRORS: 1.0, HEALTH: 1.0},
        "metric_coverage_score": 1.0,
        "threshold_coverage_entrypoints": {
            "rate_limit_max": [EP],
            "network_errors_max": [EP],
            "health_min": [EP],
        },
        "threshold_coverage_ratio": {"rate_limit_max": 1.0, "network_errors_max": 1.0, "health_min": 1.0},
        "threshold_coverage_score": 1.0,
        "network_error_severity_totals": ZERO,
        "network_error_severity_coverage_entrypoints": {"warning": [EP], "error": [EP], "critical": [EP]},
        "network_error_severity_coverage_ratio": FULL,
        "missing_error_severity_counts": {},
        "missing_error_severity_entrypoints": {},
    }
    assert result.warnings == ()
    assert result.errors == ()
    json.dumps(report)  # JSON-able as is


def test_no_series_at_all_is_missing_not_zero(make_registry: Any, entry: Any) -> None:
    result = build_paper_exchange_metrics([entry(EP)], make_registry().registry)
    block = result.to_json()[EP]
    summary = result.summary
    assert isinstance(block, dict)
    assert block["status"] == "unknown"
    assert block["rate_limited_events"] is None
    assert block["network_errors"] is None
    assert block["health_status"] is None
    assert block["network_errors_by_severity"] == {"warning": None, "error": None, "critical": None}
    assert block["missing_metrics"] == [RATE, ERRORS, HEALTH]
    assert block["missing_error_severities"] == ["warning", "error", "critical"]
    assert block["breaches"] == []
    assert summary["status"] == "unknown"
    assert summary["unknown_entrypoint_names"] == [EP]
    assert summary["missing_metrics_entrypoints"] == {EP: [RATE, ERRORS, HEALTH]}
    assert summary["missing_metric_counts"] == {RATE: 1, ERRORS: 1, HEALTH: 1}
    assert summary["metric_coverage_entrypoints"] == {RATE: [], ERRORS: [], HEALTH: []}
    assert summary["metric_coverage_score"] == 0.0
    assert summary["threshold_coverage_entrypoints"] == {
        "rate_limit_max": [],
        "network_errors_max": [],
        "health_min": [],
    }
    assert summary["threshold_coverage_score"] == 0.0
    assert summary["network_error_severity_totals"] == ZERO
    assert summary["network_error_severity_coverage_ratio"] == {"warning": 0.0, "error": 0.0, "critical": 0.0}
    assert summary["missing_error_severity_counts"] == {"warning": 1, "error": 1, "critical": 1}
    assert summary["missing_error_severity_entrypoints"] == {"warning": [EP], "error": [EP], "critical": [EP]}


def test_one_missing_severity_series_is_a_sampling_gap(make_registry: Any, entry: Any) -> None:
    registry = make_registry().session(EP, severities=("warning", "error")).registry
    result = build_paper_exchange_metrics([entry(EP)], registry)
    block = result.entrypoints[0]
    assert block.status == "unknown"
    assert block.missing_metrics == ()
    assert block.missing_error_severities == ("critical",)
    assert block.network_errors_by_severity == {"warning": 0, "error": 0, "critical": None}
    summary = result.summary
    assert summary["network_error_severity_coverage_entrypoints"] == {
        "warning": [EP],
        "error": [EP],
        "critical": [],
    }
    assert summary["network_error_severity_coverage_ratio"] == {"warning": 1.0, "error": 1.0, "critical": 0.0}
    assert summary["missing_error_severity_counts"] == {"critical": 1}
    assert summary["missing_error_severity_entrypoints"] == {"critical": [EP]}
    assert summary["missing_metrics_entrypoints"] == {}


def test_series_of_another_exchange_label_do_not_cover(make_registry: Any, entry: Any) -> None:
    registry = make_registry().session(EP, exchange="bybit_spot").registry
    result = build_paper_exchange_metrics([entry(EP)], registry)
    assert result.entrypoints[0].missing_metrics == (RATE, ERRORS, HEALTH)
    assert result.entrypoints[0].requests == 0


@pytest.mark.parametrize("bad", ["abc", "0", True, False, None, math.nan, math.inf])
def test_invalid_threshold_makes_the_entrypoint_unknown(bad: object, make_registry: Any, entry: Any) -> None:
    registry = make_registry().session(EP).registry
    result = build_paper_exchange_metrics([entry(EP, rate_limit_max=bad)], registry)  # type: ignore[arg-type]
    block = result.entrypoints[0]
    assert block.status == "unknown"
    assert block.invalid_thresholds == ("rate_limit_max",)
    assert block.breaches == ()
    assert result.summary["threshold_coverage_entrypoints"] == {
        "rate_limit_max": [],
        "network_errors_max": [EP],
        "health_min": [EP],
    }
    assert result.summary["threshold_coverage_ratio"] == {
        "rate_limit_max": 0.0,
        "network_errors_max": 1.0,
        "health_min": 1.0,
    }
    assert result.summary["threshold_coverage_score"] == 0.6667
    assert result.summary["metric_coverage_score"] == 1.0
    assert len(result.errors) == 1 and "rate_limit_max" in result.errors[0]


def test_invalid_threshold_is_not_evaluated_even_when_the_metric_is_high(
    make_registry: Any, entry: Any
) -> None:
    registry = make_registry().session(EP, rate_limited=5).registry
    result = build_paper_exchange_metrics([entry(EP, rate_limit_max="zero")], registry)
    assert result.entrypoints[0].status == "unknown"
    assert result.warnings == ()


def test_zero_request_session_is_unknown_even_with_every_series(make_registry: Any, entry: Any) -> None:
    registry = make_registry().session(EP, requests=0).registry
    result = build_paper_exchange_metrics([entry(EP)], registry)
    block = result.entrypoints[0]
    assert block.requests == 0
    assert block.missing_metrics == () and block.missing_error_severities == ()
    assert block.status == "unknown"
    assert result.summary["status"] == "unknown"
    assert result.summary["metric_coverage_score"] == 1.0


def test_rate_limit_breach(make_registry: Any, entry: Any) -> None:
    registry = make_registry().session(EP, rate_limited=3).registry
    result = build_paper_exchange_metrics([entry(EP)], registry)
    block = result.to_json()[EP]
    assert isinstance(block, dict)
    assert block["status"] == "breached"
    assert block["breaches"] == [
        {"metric": RATE, "threshold": "rate_limit_max", "observed": 3, "limit": 0, "comparator": "<="}
    ]
    assert result.warnings == (f"{EP}: rate_limit_max breached: observed 3 > limit 0",)
    summary = result.summary
    assert summary["status"] == "breached"
    assert summary["breached_entrypoint_names"] == [EP]
    assert summary["breached_thresholds_entrypoints"] == {EP: ["rate_limit_max"]}
    assert summary["breach_counts_by_metric"] == {RATE: 1}
    assert summary["threshold_breach_counts"] == {"rate_limit_max": 1}
    assert summary["metric_coverage_score"] == 1.0  # a breach is still covered


def test_network_errors_sum_over_severities_and_health_min(make_registry: Any, entry: Any) -> None:
    registry = make_registry().session(EP, errors={"warning": 2, "critical": 1}, health=0.0).registry
    result = build_paper_exchange_metrics([entry(EP, network_errors_max=2)], registry)
    block = result.entrypoints[0]
    assert block.network_errors == 3
    assert block.network_errors_by_severity == {"warning": 2, "error": 0, "critical": 1}
    assert [(b.threshold, b.observed, b.limit, b.comparator) for b in block.breaches] == [
        ("network_errors_max", 3, 2, "<="),
        ("health_min", 0, 1, ">="),
    ]
    assert result.warnings == (
        f"{EP}: network_errors_max breached: observed 3 > limit 2",
        f"{EP}: health_min breached: observed 0 < limit 1",
    )
    assert result.summary["network_error_severity_totals"] == {"warning": 2, "error": 0, "critical": 1}
    assert result.summary["breach_counts_by_metric"] == {ERRORS: 1, HEALTH: 1}


def test_several_entrypoints_one_breached_one_missing(make_registry: Any, entry: Any) -> None:
    other, third = "bybit_laptop_paper", "kraken_paper"
    registry = make_registry().session(EP).session(other, rate_limited=2, errors={"error": 1}).registry
    entries = [entry(EP), entry(other), entry(third, exchange="kraken", environment="kraken_paper")]
    result = build_paper_exchange_metrics(entries, registry, run_errors=[f"{third}: no adapter"])
    summary = result.summary
    assert summary["status"] == "breached"
    assert summary["entrypoints"] == 3
    assert summary["monitored_entrypoint_names"] == [EP, other, third]
    assert summary["ok_entrypoint_names"] == [EP]
    assert summary["breached_entrypoint_names"] == [other]
    assert summary["unknown_entrypoint_names"] == [third]
    assert summary["breached_thresholds_entrypoints"] == {other: ["rate_limit_max", "network_errors_max"]}
    assert summary["missing_metrics_entrypoints"] == {third: [RATE, ERRORS, HEALTH]}
    assert summary["missing_metric_counts"] == {RATE: 1, ERRORS: 1, HEALTH: 1}
    assert summary["metric_coverage_entrypoints"] == {
        RATE: [EP, other],
        ERRORS: [EP, other],
        HEALTH: [EP, other],
    }
    assert summary["metric_coverage_ratio"] == {RATE: 0.6667, ERRORS: 0.6667, HEALTH: 0.6667}
    assert summary["metric_coverage_score"] == 0.6667
    assert summary["threshold_coverage_score"] == 0.6667
    assert summary["network_error_severity_totals"] == {"warning": 0, "error": 1, "critical": 0}
    assert summary["network_error_severity_coverage_ratio"] == {
        "warning": 0.6667,
        "error": 0.6667,
        "critical": 0.6667,
    }
    assert summary["missing_error_severity_entrypoints"] == {
        "warning": [third],
        "error": [third],
        "critical": [third],
    }
    assert result.warnings == (
        f"{other}: rate_limit_max breached: observed 2 > limit 0",
        f"{other}: network_errors_max breached: observed 1 > limit 0",
    )
    assert result.errors == (f"{third}: no adapter",)
    assert list(result.to_json()) == [EP, other, third, "summary"]


def test_breached_wins_over_unknown_and_unknown_over_ok(make_registry: Any, entry: Any) -> None:
    registry = make_registry().session(EP).session("b", requests=0).registry
    unknown = build_paper_exchange_metrics([entry(EP), entry("b")], registry)
    assert unknown.summary["status"] == "unknown"
    registry = make_registry().session(EP, rate_limited=1).session("b", requests=0).registry
    breached = build_paper_exchange_metrics([entry(EP), entry("b")], registry)
    assert breached.summary["status"] == "breached"


def test_nothing_monitored_is_not_configured_with_every_field_present(make_registry: Any, entry: Any) -> None:
    result = build_paper_exchange_metrics([], make_registry().session(EP).registry)
    assert result.to_json() == {"summary": result.summary}
    assert result.summary == {
        "status": "not_configured",
        "entrypoints": 0,
        "monitored_entrypoint_names": [],
        "ok_entrypoint_names": [],
        "breached_entrypoint_names": [],
        "unknown_entrypoint_names": [],
        "breached_thresholds_entrypoints": {},
        "missing_metrics_entrypoints": {},
        "breach_counts_by_metric": {},
        "threshold_breach_counts": {},
        "missing_metric_counts": {},
        "metric_coverage_entrypoints": {},
        "metric_coverage_ratio": {},
        "metric_coverage_score": 0.0,
        "threshold_coverage_entrypoints": {},
        "threshold_coverage_ratio": {},
        "threshold_coverage_score": 0.0,
        "network_error_severity_totals": ZERO,
        "network_error_severity_coverage_entrypoints": {"warning": [], "error": [], "critical": []},
        "network_error_severity_coverage_ratio": {"warning": 0.0, "error": 0.0, "critical": 0.0},
        "missing_error_severity_counts": {},
        "missing_error_severity_entrypoints": {},
    }


def test_an_entrypoint_called_summary_is_refused(make_registry: Any, entry: Any) -> None:
    with pytest.raises(ConfigError, match="summary"):
        build_paper_exchange_metrics([entry("summary")], make_registry().registry)
