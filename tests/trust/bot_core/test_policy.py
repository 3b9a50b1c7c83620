"""Declared (runtime.yaml) vs enforced (core.yaml) licensing policy: every disagreement with both lines."""

from __future__ import annotations

from pathlib import Path

from preflight_tests_bot_core_root import CONTRADICTING_LICENSE, CORE, RUNTIME, with_license_block, write_root

from preflight.results import Status


def _line(text: str, needle: str, after: str = "") -> int:
    """Return the 1-based line of ``needle``, searching from ``after``."""
    start = text.index(after) if after else 0
    return text[: text.index(needle, start)].count("\n") + 1


def test_contradicting_policies_are_reported_with_both_locations(tmp_path: Path, env, run_trust) -> None:
    core = with_license_block(CORE, CONTRADICTING_LICENSE)
    root = write_root(tmp_path / "checkout", core=core)
    result = run_trust(root, env)["core.license_policy"]
    assert result.status is Status.FAIL
    message = result.message
    for field, declared, enforced in [
        ("allowed_profiles", "[desktop]", "[paper, trading_gui]"),
        ("allowed_issuers", "[dudzian]", "[qa, security]"),
        ("max_validity_days", "365", "1095"),
        ("revocation_required", "false", "true"),
    ]:
        runtime_line = _line(RUNTIME, f"    {field}:")
        core_line = _line(core, f"  {field}:", after="\nlicense:")
        assert (
            f"{field}: declared {declared} (config/runtime.yaml:{runtime_line}:5) vs enforced {enforced} "
            f"(config/core.yaml:{core_line}:3)" in message
        ), message
    # the runbook's profile and issuer against the enforced allowlists
    assert (
        "allowed_profiles: runbook [desktop]" in message and "allowed_issuers: runbook [dudzian]" in message
    )
    evidence = {e.label: e for e in result.evidence}
    assert str(evidence["declared allowed_profiles"].location).startswith("config/runtime.yaml:")
    assert str(evidence["enforced allowed_profiles"].location).startswith("config/core.yaml:")
    assert (
        "only when license_keys_path and fingerprint_keys_path are both set" in evidence["enforcement"].value
    )
    assert "here: applied" in evidence["enforcement"].value


def test_agreeing_policies_pass_and_say_how_bot_core_enforces(tmp_path: Path, env, run_trust) -> None:
    result = run_trust(write_root(tmp_path / "checkout"), env)["core.license_policy"]
    assert result.status is Status.PASS, result.message
    assert any("enforced by nothing" in e.value for e in result.evidence)


def test_an_unenforced_core_block_is_the_finding_it_is(tmp_path: Path, env, run_trust) -> None:
    core = CORE.replace("  license_keys_path: config/oem_license_keys.json\n", "")
    results = run_trust(write_root(tmp_path / "checkout", core=core), env)
    signature = results["license.signature"]
    assert signature.status is Status.FAIL
    assert "bot_core does not verify the license: config/core.yaml license.license_keys_path is not set" in (
        signature.message
    )
    policy = results["core.license_policy"]
    assert any("NOT applied: license_keys_path unset" in e.value for e in policy.evidence)


def test_a_missing_core_license_block_fails_the_policy_and_the_signature(
    tmp_path: Path, env, run_trust
) -> None:
    core = CORE[: CORE.index("license:\n")]
    results = run_trust(write_root(tmp_path / "checkout", core=core), env)
    assert results["core.license_policy"].status is Status.FAIL
    assert "has no `license` block" in results["core.license_policy"].message
    assert "bot_core verifies no license" in results["license.signature"].message


def test_a_declared_policy_the_runbook_contradicts_is_reported(tmp_path: Path, env, run_trust) -> None:
    runtime = RUNTIME.replace("    allowed_issuers: [dudzian]\n", "    allowed_issuers: [Dudzian, qa]\n")
    core = CORE.replace("  allowed_issuers: [dudzian]\n", "  allowed_issuers: [DUDZIAN, QA]\n")
    result = run_trust(write_root(tmp_path / "checkout", core=core, runtime=runtime), env)[
        "core.license_policy"
    ]
    assert result.status is Status.PASS, result.message  # case-insensitive, as bot_core compares
    runtime = RUNTIME.replace("    allowed_profiles: [desktop]\n", "    allowed_profiles: [server]\n")
    result = run_trust(write_root(tmp_path / "other", runtime=runtime), env)["core.license_policy"]
    assert result.status is Status.FAIL
    assert (
        "allowed_profiles: runbook [desktop]" in result.message and "vs declared [server]" in result.message
    )
