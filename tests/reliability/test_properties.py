"""Property tests: the YAML loader, the signer against the simulator's verifier, the metrics summary."""

from __future__ import annotations

import math
import re
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from preflight.errors import ConfigError

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SMALL = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# ---------------------------------------------------------------------------------------------- YAML

YAML_ALPHABET = st.sampled_from(list("abc:-[]{}&*!|>'\"#%@`,? \t\n\r\\0123\u00e9\ufeff"))
yaml_like = st.text(YAML_ALPHABET, max_size=200)
YAML_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def _assert_position_inside(error: ConfigError, text: str) -> None:
    """A reported position must point into the document (1-based, at most one line past the end)."""
    location = error.location
    assert location is not None, f"no location in {error}"
    assert "Traceback" not in str(error)
    if location.line is not None:
        lines = len(YAML_LINE_BREAK.split(text))  # YAML also breaks lines at \r, NEL, LS and PS
        assert 1 <= location.line <= lines + 1, (location, text)
    if location.col is not None:
        assert location.col >= 1


@SETTINGS
@given(st.one_of(st.text(max_size=300), yaml_like))
def test_parse_yaml_raises_only_config_error_with_an_inside_position(text: str) -> None:
    """Arbitrary text parses or fails with ConfigError, never another exception."""
    from preflight.yamlio import parse_yaml

    try:
        document = parse_yaml(text, "config/fuzz.yaml")
    except ConfigError as error:
        _assert_position_inside(error, text)
        assert error.location is not None and error.location.file == "config/fuzz.yaml"
        return
    document.to_plain()  # a document that loaded converts to plain values without raising


@SMALL
@given(st.binary(max_size=300))
def test_load_yaml_on_arbitrary_bytes(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    """Arbitrary bytes on disk (BOMs, invalid UTF-8, NULs) load or fail with a located ConfigError."""
    from preflight.yamlio import load_yaml

    path: Path = tmp_path_factory.mktemp("yaml") / "runtime.yaml"
    path.write_bytes(data)
    try:
        load_yaml(path, "config/runtime.yaml")
    except ConfigError as error:
        _assert_position_inside(error, data.decode("utf-8", "replace"))


@settings(max_examples=20, deadline=None)
@given(st.integers(min_value=1, max_value=9), st.integers(min_value=2, max_value=12))
def test_alias_bombs_of_any_shape_are_refused(depth: int, fan_out: int) -> None:
    """A billion-laughs document of any depth and fan-out loads quickly or is one ConfigError."""
    from preflight.yamlio import parse_yaml

    lines = ["a0: &a0 [lol]"]
    for level in range(1, depth + 1):
        refs = ", ".join([f"*a{level - 1}"] * fan_out)
        lines.append(f"a{level}: &a{level} [{refs}]")
    text = "\n".join(lines) + "\n"
    try:
        parse_yaml(text, "bomb.yaml")
    except ConfigError as error:
        assert "alias" in error.message or "expands" in error.message
        return
    assert fan_out**depth <= 200_000  # only a bounded expansion may load


# -------------------------------------------------------------------------------------------- signer

query_text = st.text(
    st.characters(min_codepoint=33, max_codepoint=0x2FF, exclude_characters="#"), min_size=0, max_size=80
)
params = st.dictionaries(
    st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8), query_text, max_size=5
)
json_bodies = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)


def _sim_request(request: httpx.Request):  # type: ignore[no-untyped-def]
    """Turn the bytes an httpx request puts on the wire into the simulator's request value."""
    from preflight.simulator.wire import SimRequest

    return SimRequest(
        method=request.method,
        path=request.url.path,
        raw_query=request.url.query.decode("ascii"),
        headers={k.lower(): v for k, v in request.headers.items()},
        body=request.read(),
    )


def _book_and_credentials(secret: str):  # type: ignore[no-untyped-def]
    from preflight.exchange.bybit.auth import BybitAuth, Credentials
    from preflight.simulator.accounts import Account, AccountBook

    book = AccountBook()
    book.add(Account(uid="1001", api_key="PROPKEY0001", api_secret=secret))
    return book, BybitAuth(
        Credentials(api_key="PROPKEY0001", api_secret=secret), 5000, lambda: 1_700_000_000_000
    )


@SETTINGS
@given(params, st.text(min_size=1, max_size=40), st.integers(min_value=-4999, max_value=999))
def test_signed_get_is_accepted_by_the_simulator(query: dict[str, str], secret: str, skew_ms: int) -> None:
    """Any query the adapter signs verifies in the simulator while the clock is inside the window."""
    from preflight.simulator.auth import authenticate

    book, auth = _book_and_credentials(secret)
    request = next(auth.sync_auth_flow(httpx.Request("GET", "http://sim/v5/order/realtime", params=query)))
    account = authenticate(_sim_request(request), book, server_ms=1_700_000_000_000 - skew_ms)
    assert account.uid == "1001"


@SETTINGS
@given(json_bodies, st.text(min_size=1, max_size=40))
def test_signed_post_is_accepted_and_any_body_change_is_rejected(body: object, secret: str) -> None:
    """Any JSON body the adapter signs verifies; the same headers over a changed body give 10004."""
    from preflight.simulator.auth import authenticate
    from preflight.simulator.wire import ApiError

    book, auth = _book_and_credentials(secret)
    request = next(auth.sync_auth_flow(httpx.Request("POST", "http://sim/v5/order/create", json=body)))
    sim_request = _sim_request(request)
    assert authenticate(sim_request, book, server_ms=1_700_000_000_000).uid == "1001"
    tampered = type(sim_request)(**{**sim_request.__dict__, "body": sim_request.body + b" "})
    with pytest.raises(ApiError) as refused:
        authenticate(tampered, book, server_ms=1_700_000_000_000)
    assert refused.value.ret_code == 10004


@SMALL
@given(params, st.integers(min_value=1000, max_value=10**7))
def test_timestamps_outside_the_window_are_refused(query: dict[str, str], distance_ms: int) -> None:
    """A signature made too far in the past (beyond recv_window) or future (>= +1000 ms) is 10002."""
    from preflight.simulator.auth import authenticate
    from preflight.simulator.wire import ApiError

    book, auth = _book_and_credentials("s3cr3t")
    sim_request = _sim_request(next(auth.sync_auth_flow(httpx.Request("GET", "http://sim/x", params=query))))
    for server_ms in (1_700_000_000_000 - distance_ms, 1_700_000_000_000 + 5000 + distance_ms):
        with pytest.raises(ApiError) as refused:
            authenticate(sim_request, book, server_ms=server_ms)
        assert refused.value.ret_code == 10002


# ------------------------------------------------------------------------------------------- summary

METRICS = ("bot_exchange_rate_limited_total", "bot_exchange_errors_total", "bot_exchange_health_status")
SEVERITIES = ("warning", "error", "critical")
thresholds = st.one_of(
    st.integers(min_value=0, max_value=5),
    st.floats(min_value=0, max_value=2, allow_nan=False),
    st.sampled_from([None, "zero", True, math.nan, math.inf]),
)


@st.composite
def entrypoint_cases(draw: st.DrawFn) -> tuple[str, dict[str, object], dict[str, object]]:
    """Draw one monitored entrypoint: its thresholds and which of its series exist with what values."""
    name = draw(st.sampled_from(["a", "b", "c", "d", "e"]))
    limits = {key: draw(thresholds) for key in ("rate_limit_max", "network_errors_max", "health_min")}
    series: dict[str, object] = {
        "requests": draw(st.none() | st.integers(min_value=0, max_value=50)),
        "rate": draw(st.none() | st.integers(min_value=0, max_value=6)),
        "health": draw(st.none() | st.sampled_from([0.0, 1.0])),
        "errors": {sev: draw(st.none() | st.integers(min_value=0, max_value=4)) for sev in SEVERITIES},
    }
    return name, limits, series


def _build(cases: list[tuple[str, dict[str, object], dict[str, object]]]):  # type: ignore[no-untyped-def]
    from preflight.deployment.model import MetricsConfig, Thresholds
    from preflight.papertrade.monitoring import MonitoredEntrypoint
    from preflight.papertrade.samples import Series, index_series
    from preflight.papertrade.summary import build_from_index

    monitored = []
    samples = []
    for name, limits, series in cases:
        metrics = MetricsConfig(*METRICS, thresholds=Thresholds(**limits))  # type: ignore[arg-type]
        monitored.append(MonitoredEntrypoint(name, "env_" + name, "bybit", metrics))
        labels = {"exchange": "bybit", "entrypoint": name}
        if series["requests"] is not None:
            samples.append(
                Series(
                    "bot_exchange_requests_total",
                    {**labels, "endpoint": "x", "outcome": "ok"},
                    float(series["requests"]),
                )
            )  # type: ignore[arg-type]
        if series["rate"] is not None:
            samples.append(Series(METRICS[0], labels, float(series["rate"])))  # type: ignore[arg-type]
        if series["health"] is not None:
            samples.append(Series(METRICS[2], labels, float(series["health"])))  # type: ignore[arg-type]
        for severity, value in series["errors"].items():  # type: ignore[attr-defined]
            if value is not None:
                samples.append(Series(METRICS[1], {**labels, "severity": severity}, float(value)))
    return build_from_index(monitored, index_series(samples))


def _expected_breaches(limits: dict[str, object], series: dict[str, object]) -> set[str]:
    """The oracle: which thresholds a correct summary must report breached."""
    errors = [v for v in series["errors"].values() if v is not None]  # type: ignore[attr-defined]
    observed = {
        "rate_limit_max": series["rate"],
        "network_errors_max": sum(errors) if errors else None,
        "health_min": series["health"],
    }
    found = set()
    for key, raw in limits.items():
        valid = isinstance(raw, int | float) and not isinstance(raw, bool) and math.isfinite(raw)
        value = observed[key]
        if not valid or value is None:
            continue
        if (value < raw) if key == "health_min" else (value > raw):  # type: ignore[operator]
            found.add(key)
    return found


@SETTINGS
@given(st.lists(entrypoint_cases(), max_size=4, unique_by=lambda case: case[0]))
def test_summary_ratios_and_status_agree_with_the_breaches(cases: list) -> None:  # type: ignore[type-arg]
    """Coverage ratios stay in [0, 1]; statuses, breach lists and warnings follow exactly from the series."""
    built = _build(cases)
    summary = built.summary
    for field in (
        "metric_coverage_ratio",
        "threshold_coverage_ratio",
        "network_error_severity_coverage_ratio",
    ):
        for ratio in summary[field].values():
            assert 0.0 <= ratio <= 1.0, (field, ratio)
    for field in ("metric_coverage_score", "threshold_coverage_score"):
        assert 0.0 <= summary[field] <= 1.0
    assert set(summary["network_error_severity_totals"]) == set(SEVERITIES)
    breached_names = []
    for (name, limits, series), block in zip(cases, built.entrypoints, strict=True):
        expected = _expected_breaches(limits, series)
        assert {b.threshold for b in block.breaches} == expected
        assert (block.status == "breached") == bool(expected)
        if expected:
            breached_names.append(name)
            assert summary["breached_thresholds_entrypoints"][name] == [
                k for k in ("rate_limit_max", "network_errors_max", "health_min") if k in expected
            ]
        elif block.status == "ok":
            assert not block.missing_metrics and not block.missing_error_severities
            assert not block.invalid_thresholds and block.requests > 0
    assert summary["breached_entrypoint_names"] == breached_names
    expected_status = (
        "not_configured"
        if not cases
        else "breached"
        if breached_names
        else "unknown"
        if summary["unknown_entrypoint_names"]
        else "ok"
    )
    assert summary["status"] == expected_status
    assert len(built.warnings) == sum(len(b.breaches) for b in built.entrypoints)
    for warning, breach in zip(
        built.warnings, (b for e in built.entrypoints for b in e.breaches), strict=True
    ):
        assert breach.threshold in warning
