"""A fixed, hand-built RunReport shaped like the Bybit runbook, for the sign-off tests and golden file.

Regenerate the golden file after an intended change of the sign-off layout with::

    python tests/signoff/signoff_samples.py

then review ``git diff tests/signoff/golden`` before keeping it.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from preflight.errors import Location
from preflight.results import (
    CheckResult,
    Evidence,
    FailOn,
    InputDigest,
    ItemInfo,
    RunReport,
    SectionInfo,
    Severity,
    Status,
    Verdict,
    WaiverApplied,
    verdict_for,
)
from preflight.signoff.service import SignoffRequest, build_signoff
from preflight.signoff.sign import SigningKey, from_private_key

GOLDEN_DIR = Path(__file__).parent / "golden"
STARTED = datetime(2026, 11, 24, 12, 0, 0, tzinfo=UTC)
FINISHED = datetime(2026, 11, 24, 12, 0, 2, tzinfo=UTC)
SIGNED_AT = datetime(2026, 11, 24, 12, 5, 0, tzinfo=UTC)
ROOT = "/srv/bots/desk-1"
VARIABLES = {
    "environment": "bybit_paper",
    "strategy_profile": "multi_strategy_default",
    "paper_profile": "bybit_paper",
    "trading_profile": "bybit_desktop",
    "adapter": "bybit_spot",
    "io_queue": "bybit_spot",
    "paper_key": "bybit_paper_trading",
}
SEE = {"paper_report": ("paper.",)}
RUNTIME = "config/runtime.yaml"
PAPER_JSON = "reports/paper/bybit_desktop_paper-20261124T120001Z.json"


def result(
    check_id: str,
    item: tuple[str, str],
    status: Status = Status.PASS,
    message: str = "as expected",
    *evidence: Evidence,
    severity: Severity = Severity.MAJOR,
    waiver: WaiverApplied | None = None,
    original: Status | None = None,
    remediation: str = "",
) -> CheckResult:
    """Build one check result in ``item`` = (section id, item id)."""
    return CheckResult(
        check_id=check_id,
        title=f"Title of {check_id}",
        section_id=item[0],
        item_id=item[1],
        kind="config_assert",
        severity=severity,
        tags=(),
        status=status,
        message=message,
        evidence=evidence,
        remediation=remediation,
        duration_s=0.01,
        waiver=waiver,
        original_status=original,
    )


def ev(label: str, value: str, file: str | None = None, line: int | None = None) -> Evidence:
    """Build one piece of evidence."""
    return Evidence(label, value, Location(file, line) if file else None)


STEP1, STEP2, STEP3, STEP4, STEP5 = (("steps", f"step{n}") for n in range(1, 6))
LICENSE, FINGERPRINT, API_KEYS = (
    ("license", "license_oem"),
    ("license", "fingerprint"),
    ("license", "api_keys"),
)
IO_QUEUE, THRESHOLDS = ("bybit", "io_queue"), ("bybit", "thresholds")
RATE_TEST, SIGN_TEST, SMOKE = ("bybit", "rate_limit_test"), ("bybit", "signing_test"), ("smoke", "smoke")

RESULTS = (
    result("runtime.entrypoint.environment", STEP1, Status.PASS, "points to bybit_paper",
           ev("trading.entrypoints.bybit_desktop_paper.environment", "bybit_paper", RUNTIME, 6)),
    result("runtime.entrypoint.profile", STEP1, Status.PASS, "profile as expected",
           ev("profile", "multi_strategy_default", RUNTIME, 7)),
    result("runtime.entrypoint.tags", STEP1, Status.PASS, "tags as expected",
           ev("tags", "[desktop, paper, bybit]", RUNTIME, 8)),
    result("execution.paper_profile.adapter", STEP2, Status.PASS, "adapter bybit_spot",
           ev("execution.paper_profiles.bybit_paper.adapter", "bybit_spot", RUNTIME, 19)),
    result("execution.trading_profile.adapter", STEP2, Status.PASS, "adapter bybit_spot",
           ev("execution.trading_profiles.bybit_desktop.adapter", "bybit_spot", RUNTIME, 43)),
    result("core.environment.mapping", STEP3, Status.PASS, "mapping complete",
           ev("environments.bybit_paper.adapter", "bybit_spot", "config/core.yaml", 4)),
    result("secrets.paper_key.active", STEP3, Status.PASS, "active",
           ev("bybit_paper_trading api_key", "****9Xk2", "var/secrets/store.enc")),
    result("paper.summary.status", STEP4, Status.PASS, "ok",
           ev("summary.status", "ok", PAPER_JSON)),
    result("paper.entrypoint.breaches", STEP4, Status.PASS, "no breaches",
           ev("bybit_desktop_paper.breaches", "[]", PAPER_JSON)),
    result("guardrails.no_throttle", STEP5, Status.PASS, "no throttle event",
           ev("throttle events", "0", "logs/guardrails/bybit_desktop_paper-20261124T120001Z.jsonl")),
    result("license.profile", LICENSE, Status.PASS, "profile desktop, issuer dudzian",
           ev("payload.profile", "desktop", "var/licenses/active/license.json", 1),
           ev("payload.issuer", "dudzian", "var/licenses/active/license.json", 1)),
    result("fingerprint.current", FINGERPRINT, Status.PASS, "matches this machine",
           ev("fingerprint.value", "sha256:5be1…a0", "var/licenses/active/fingerprint.json", 3)),
    result("keys.live.registered", API_KEYS, Status.PASS, "entry present",
           ev("bybit_live_trading account_uid", "1290443", "var/secrets/store.enc")),
    result("keys.live.probe", API_KEYS, Status.SKIP, "--offline: the live key probe needs the exchange",
           severity=Severity.CRITICAL),
    result("io_queue.bybit_spot.limits", IO_QUEUE, Status.PASS, "3 / 6",
           ev("max_concurrency", "3", RUNTIME, 57), ev("burst", "6", RUNTIME, 58)),
    result("execution.thresholds", THRESHOLDS, Status.PASS, "0 / 0 / 1.0",
           ev("rate_limit_max", "0", RUNTIME, 32), ev("network_errors_max", "0", RUNTIME, 33),
           ev("health_min", "1.0", RUNTIME, 34)),
    result("tests.rate_limit", RATE_TEST, Status.WAIVED, "tests/ tree not shipped on this host",
           waiver=WaiverApplied("CI runs the test on every merge (pipeline #812)", "j.kowalska",
                                datetime(2026, 12, 31, 23, 59, tzinfo=UTC)),
           original=Status.FAIL),
    result("adapter.signing_vectors", SIGN_TEST, Status.PASS, "published vectors match",
           ev("HMAC GET vector", "matches", "reference/bybit_v5.md", 112)),
    result("smoke.rate_limited_zero", SMOKE, Status.PASS, "0",
           ev('bot_exchange_rate_limited_total{exchange="bybit"}', "0",
              "var/metrics/bybit_desktop_paper.prom", 14)),
)  # fmt: skip

SECTIONS = (
    SectionInfo("steps", "Go-live runbook", "steps", (
        ItemInfo("step1", "Check config/runtime.yaml: entrypoint {entrypoint} points to environment "
                 "{environment}, with active profile {strategy_profile} and tags [desktop, paper, bybit].",
                 ("runtime.entrypoint.environment", "runtime.entrypoint.profile", "runtime.entrypoint.tags")),
        ItemInfo("step2", "Verify execution.paper_profiles.{paper_profile} and "
                 "execution.trading_profiles.{trading_profile}: both point to adapter {adapter}.",
                 ("execution.paper_profile.adapter", "execution.trading_profile.adapter")),
        ItemInfo("step3", "config/core.yaml holds a correct {environment} mapping, and key {paper_key} is "
                 "active in the secrets store.", ("core.environment.mapping", "secrets.paper_key.active")),
        ItemInfo("step4", "Run the paper session for {entrypoint} and check every field of its "
                 "paper_exchange_metrics report.", ("paper.summary.status", "paper.entrypoint.breaches")),
        ItemInfo("step5", "After the smoke run, inspect logs/guardrails and the exported Markdown report: "
                 "no throttling recorded.", ("guardrails.no_throttle",)),
    )),
    SectionInfo("license", "License checklist", "checklist", (
        ItemInfo("license_oem", "The OEM license allows trading on Bybit (profile desktop, issuer dudzian).",
                 ("license.profile",)),
        ItemInfo("fingerprint", "The fingerprint (var/licenses/active/fingerprint.json) was refreshed after "
                 "a hardware change.", ("fingerprint.current",)),
        ItemInfo("api_keys", "API keys are registered and assigned to the production account; offline "
                 "access is documented.", ("keys.live.registered", "keys.live.probe")),
    )),
    SectionInfo("bybit", "Bybit-specific checklist", "checklist", (
        ItemInfo("io_queue", "io_queue.exchanges.{io_queue} has max_concurrency=3 and burst=6.",
                 ("io_queue.bybit_spot.limits",)),
        ItemInfo("thresholds", "In execution.paper_profiles.{paper_profile}.metrics.thresholds, "
                 "rate_limit_max and network_errors_max stay 0 and health_min is 1.0.",
                 ("execution.thresholds",)),
        ItemInfo("paper_report", "The paper report satisfies every item of step 4.", ()),
        ItemInfo("rate_limit_test", "Test tests/integration/exchanges/test_bybit.py::"
                 "test_bybit_spot_rate_limit passes locally and in CI, proving correct retry.",
                 ("tests.rate_limit",)),
        ItemInfo("signing_test", "Test tests/exchanges/test_bybit_signing.py::"
                 "test_bybit_adapter_populates_credentials_and_signs_request proves REST signatures are "
                 "correct.", ("adapter.signing_vectors",)),
    )),
    SectionInfo("smoke", "Smoke test", "checklist", (
        ItemInfo("smoke", 'pytest tests/integration/exchanges/test_bybit.py passes, and metric '
                 'bot_exchange_rate_limited_total{exchange="bybit"} stays at 0.',
                 ("smoke.rate_limited_zero",)),
    )),
)  # fmt: skip

PAPER_METRICS: dict[str, object] = {
    "bybit_desktop_paper": {
        "environment": "bybit_paper",
        "exchange": "bybit",
        "requests": 412,
        "rate_limited_events": 0,
        "network_errors": 0,
        "network_errors_by_severity": {"warning": 0, "error": 0, "critical": 0},
        "health_status": 1,
        "thresholds": {"rate_limit_max": 0, "network_errors_max": 0, "health_min": 1.0},
        "status": "ok",
        "breaches": [],
        "missing_metrics": [],
        "missing_error_severities": [],
        "invalid_thresholds": [],
    },
    "summary": {
        "status": "ok",
        "monitored_entrypoint_names": ["bybit_desktop_paper"],
        "metric_coverage_ratio": {
            "bot_exchange_rate_limited_total": 1.0,
            "bot_exchange_errors_total": 1.0,
            "bot_exchange_health_status": 1.0,
        },
        "metric_coverage_score": 1.0,
        "threshold_coverage_score": 1.0,
        "network_error_severity_totals": {"warning": 0, "error": 0, "critical": 0},
        "network_error_severity_coverage_ratio": {"warning": 1.0, "error": 1.0, "critical": 1.0},
    },
    "warnings": [],
}

SIMULATED = (
    "paper session: ran against the embedded Bybit V5 simulator on 127.0.0.1 (seed 7, 240 ticks), "
    "not against Bybit",
    "live key probe: skipped (--offline); the live key was not checked against Bybit",
)


def sample_report() -> RunReport:
    """Return the fixed report: one item skipped (live key probe), one waived (rate-limit test)."""
    return RunReport(
        tool_version="0.1.0",
        runbook_id="bybit_go_live",
        runbook_title="Bybit – go-live runbook",
        exchange="bybit",
        entrypoint="bybit_desktop_paper",
        root=ROOT,
        started_at=STARTED,
        finished_at=FINISHED,
        fail_on=FailOn.FAIL,
        sections=SECTIONS,
        results=RESULTS,
        verdict=verdict_for(RESULTS, FailOn.FAIL),
        simulated=SIMULATED,
        artefacts={"paper_report": f"{ROOT}/reports/paper/bybit_desktop_paper-20261124T120001Z.json"},
        inputs=(
            InputDigest(f"{ROOT}/config/runtime.yaml", hashlib.sha256(b"runtime").hexdigest()),
            InputDigest(f"{ROOT}/config/core.yaml", hashlib.sha256(b"core").hexdigest()),
        ),
        paper_metrics=PAPER_METRICS,
        notes=("waiver for tests.rate_limit expires in 37 days",),
    )


def all_passing_report() -> RunReport:
    """Return the sample with every non-passing result turned into a pass (a plain GO)."""
    report = sample_report()
    results = tuple(replace(r, status=Status.PASS, waiver=None, original_status=None) for r in report.results)
    return replace(report, results=results, verdict=Verdict.GO, notes=())


def test_key() -> SigningKey:
    """Return the fixed test signing key (Ed25519 signatures are deterministic: the golden is stable)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return from_private_key(Ed25519PrivateKey.from_private_bytes(bytes(range(32))), Path("test-key.pem"))


def golden_request() -> SignoffRequest:
    """Return the sign-off request of the golden file."""
    # The sample's inputs live on another machine: render their recorded digests.
    return SignoffRequest(
        root=Path(ROOT), operator="Jan Nowak", variables=VARIABLES, see=SEE, require_current_inputs=False
    )


def golden_text() -> str:
    """Return the signed sign-off of the sample report, as the golden file holds it."""
    text, _ = build_signoff(sample_report(), golden_request(), test_key(), SIGNED_AT)
    return text


def regenerate() -> None:
    """Rewrite the golden sign-off from the sample report."""
    (GOLDEN_DIR / "signoff_sample.md").write_text(golden_text(), encoding="utf-8")


if __name__ == "__main__":
    regenerate()
