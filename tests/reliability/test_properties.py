"""Property tests: the YAML loader, the signer against the simulator's verifier, the metrics summary."""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from preflight.deployment.model import Threshold
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


def _sim_request(request: httpx.Request) -> Any:
    """Turn the bytes an httpx request puts on the wire into the simulator's request value."""
    from preflight.simulator.wire import SimRequest

    return SimRequest(
        method=request.method,
        path=request.url.path,
        raw_query=request.url.query.decode("ascii"),
        headers={k.lower(): v for k, v in request.headers.items()},
        body=request.read(),
    )


def _book_and_credentials(secret: str) -> tuple[Any, Any]:
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


@functools.cache
def _rsa_key_pair() -> tuple[str, str]:
    """Return one RSA key pair (private PEM, public PEM) for the whole module: generation is slow."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


@SMALL
@given(st.sampled_from(["GET", "POST"]), params, json_bodies)
def test_rsa_signatures_round_trip(method: str, query: dict[str, str], body: object) -> None:
    """RSA (PKCS#1 v1.5, SHA-256, base64) signatures of any GET query or POST body verify in the simulator."""
    from preflight.exchange.bybit.auth import BybitAuth, Credentials
    from preflight.simulator.accounts import Account, AccountBook
    from preflight.simulator.auth import authenticate

    private, public = _rsa_key_pair()
    book = AccountBook()
    book.add(Account(uid="2002", api_key="RSAKEY0002", rsa_public_key_pem=public))
    auth = BybitAuth(
        Credentials(api_key="RSAKEY0002", rsa_private_key_pem=private), 5000, lambda: 1_700_000_000_000
    )
    if method == "GET":
        request = httpx.Request("GET", "http://sim/v5/order/realtime", params=query)
    else:
        request = httpx.Request("POST", "http://sim/v5/order/create", json=body)
    signed = next(auth.sync_auth_flow(request))
    assert authenticate(_sim_request(signed), book, server_ms=1_700_000_000_000).uid == "2002"


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
THRESHOLD_KEYS = ("rate_limit_max", "network_errors_max", "health_min")
thresholds = st.one_of(
    st.integers(min_value=0, max_value=5),
    st.floats(min_value=0, max_value=2, allow_nan=False),
    st.sampled_from([None, "zero", True, math.nan, math.inf]),
)


@dataclass(frozen=True)
class DrawnEntrypoint:
    """One monitored entrypoint: its thresholds and which of its series exist (None = no series)."""

    name: str
    limits: dict[str, Threshold]
    requests: int | None
    rate_limited: int | None
    health: float | None
    errors: dict[str, int | None]


@st.composite
def drawn_entrypoints(draw: st.DrawFn) -> DrawnEntrypoint:
    """Draw one monitored entrypoint with arbitrary thresholds and series."""
    return DrawnEntrypoint(
        name=draw(st.sampled_from(["a", "b", "c", "d", "e"])),
        limits={key: draw(thresholds) for key in THRESHOLD_KEYS},
        requests=draw(st.none() | st.integers(min_value=0, max_value=50)),
        rate_limited=draw(st.none() | st.integers(min_value=0, max_value=6)),
        health=draw(st.none() | st.sampled_from([0.0, 1.0])),
        errors={sev: draw(st.none() | st.integers(min_value=0, max_value=4)) for sev in SEVERITIES},
    )


def _build(cases: list[DrawnEntrypoint]) -> Any:
    """Build paper_exchange_metrics from hand-made series, as a session's registry would hold them."""
    from preflight.deployment.model import MetricsConfig, Thresholds
    from preflight.papertrade.monitoring import MonitoredEntrypoint
    from preflight.papertrade.samples import Series, index_series
    from preflight.papertrade.summary import build_from_index

    monitored = []
    samples = []
    for case in cases:
        limits = Thresholds(*(case.limits[key] for key in THRESHOLD_KEYS))
        monitored.append(
            MonitoredEntrypoint(case.name, "env_" + case.name, "bybit", MetricsConfig(*METRICS, limits))
        )
        labels = {"exchange": "bybit", "entrypoint": case.name}
        if case.requests is not None:
            request_labels = {**labels, "endpoint": "x", "outcome": "ok"}
            samples.append(Series("bot_exchange_requests_total", request_labels, float(case.requests)))
        if case.rate_limited is not None:
            samples.append(Series(METRICS[0], labels, float(case.rate_limited)))
        if case.health is not None:
            samples.append(Series(METRICS[2], labels, case.health))
        for severity, value in case.errors.items():
            if value is not None:
                samples.append(Series(METRICS[1], {**labels, "severity": severity}, float(value)))
    return build_from_index(monitored, index_series(samples))


def _expected_breaches(case: DrawnEntrypoint) -> set[str]:
    """The oracle: which thresholds a correct summary must report breached."""
    errors = [v for v in case.errors.values() if v is not None]
    observed: dict[str, float | None] = {
        "rate_limit_max": case.rate_limited,
        "network_errors_max": sum(errors) if errors else None,
        "health_min": case.health,
    }
    found = set()
    for key, raw in case.limits.items():
        value = observed[key]
        if (
            isinstance(raw, bool)
            or not isinstance(raw, int | float)
            or not math.isfinite(raw)
            or value is None
        ):
            continue
        if (value < raw) if key == "health_min" else (value > raw):
            found.add(key)
    return found


@SETTINGS
@given(st.lists(drawn_entrypoints(), max_size=4, unique_by=lambda case: case.name))
def test_summary_ratios_and_status_agree_with_the_breaches(cases: list[DrawnEntrypoint]) -> None:
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
    for case, block in zip(cases, built.entrypoints, strict=True):
        expected = _expected_breaches(case)
        assert {b.threshold for b in block.breaches} == expected
        assert (block.status == "breached") == bool(expected)
        if expected:
            breached_names.append(case.name)
            in_order = [key for key in THRESHOLD_KEYS if key in expected]
            assert summary["breached_thresholds_entrypoints"][case.name] == in_order
        elif block.status == "ok":
            assert not block.missing_metrics and not block.missing_error_severities
            assert not block.invalid_thresholds and block.requests > 0
    assert summary["breached_entrypoint_names"] == breached_names
    if not cases:
        expected_status = "not_configured"
    elif breached_names:
        expected_status = "breached"
    else:
        expected_status = "unknown" if summary["unknown_entrypoint_names"] else "ok"
    assert summary["status"] == expected_status
    breaches = [breach for block in built.entrypoints for breach in block.breaches]
    assert len(built.warnings) == len(breaches)
    for warning, breach in zip(built.warnings, breaches, strict=True):
        assert breach.threshold in warning
