"""License validity as bot_core judges it: expiry (30-day warning), max validity, revocation, allowlists."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from preflight_tests_bot_core_root import CORE, reissue, with_license_block, write_root

from preflight.results import Status
from preflight.trust.timeutil import format_utc, utc_now

REVOKING_CORE = CORE.replace(
    "  revocation_required: false\n",
    "  revocation_required: true\n  revocation_list_path: var/licenses/active/revocations.json\n"
    "  revocation_list_max_age_hours: 12\n",
)


def _stamps(issued_days: float, expires_days: float) -> dict[str, str]:
    now = utc_now()
    return {
        "issued_at": format_utc(now + timedelta(days=issued_days)),
        "expires_at": format_utc(now + timedelta(days=expires_days)),
    }


def test_an_expired_license_fails(root: Path, env, run_trust) -> None:
    reissue(root, **_stamps(-100, -1))
    result = run_trust(root, env)["license.not_expired"]
    assert result.status is Status.FAIL and "expired on" in result.message


def test_a_license_within_30_days_of_expiry_warns(root: Path, env, run_trust) -> None:
    reissue(root, **_stamps(-10, 20.5))
    result = run_trust(root, env)["license.not_expired"]
    assert result.status is Status.WARN and "expires in 20 days" in result.message


def test_a_license_over_max_validity_days_fails(root: Path, env, run_trust) -> None:
    reissue(root, **_stamps(-1, 400))
    result = run_trust(root, env)["license.not_expired"]
    assert result.status is Status.FAIL and "over max_validity_days 365" in result.message


def test_a_license_issued_in_the_future_warns(root: Path, env, run_trust) -> None:
    reissue(root, **_stamps(2, 100))
    result = run_trust(root, env)["license.not_expired"]
    assert result.status is Status.WARN and "issued in the future" in result.message


def test_a_revoked_license_fails_and_a_clear_list_passes(root: Path, env, run_trust) -> None:
    (root / "config/core.yaml").write_text(REVOKING_CORE)
    revocations = root / "var/licenses/active/revocations.json"
    assert "does not exist" in run_trust(root, env)["license.not_expired"].message
    license_id = json.loads((root / "var/licenses/active/license.json").read_text())["payload"]["license_id"]
    revocations.write_text(
        json.dumps({"generated_at": format_utc(utc_now()), "revoked": [{"license_id": "other"}]})
    )
    result = run_trust(root, env)["license.not_expired"]
    assert result.status is Status.PASS and "not revoked" in result.message
    revocations.write_text(json.dumps({"generated_at": format_utc(utc_now()), "revoked": [license_id]}))
    result = run_trust(root, env)["license.not_expired"]
    assert (
        result.status is Status.FAIL and f"license {license_id} is on the revocation list" in result.message
    )
    stale = format_utc(utc_now() - timedelta(hours=13))
    revocations.write_text(json.dumps({"generated_at": stale, "revoked": []}))
    result = run_trust(root, env)["license.not_expired"]
    assert result.status is Status.FAIL and "over the 12 h allowed" in result.message


def test_profile_and_issuer_are_compared_case_insensitively(root: Path, env, run_trust) -> None:
    reissue(root, profile="DeskTop", issuer="DUDZIAN")
    results = run_trust(root, env)
    assert results["license.profile_allowed"].status is Status.PASS
    assert results["license.issuer_allowed"].status is Status.PASS
    reissue(root, profile="server")
    result = run_trust(root, env)["license.profile_allowed"]
    assert (
        result.status is Status.FAIL
        and "license profile 'server' is not in config/core.yaml" in result.message
    )


def test_an_empty_enforced_allowlist_warns_that_bot_core_accepts_any(tmp_path: Path, env, run_trust) -> None:
    from preflight_tests_bot_core_root import provision

    block = CORE[CORE.index("license:\n") :].replace("  allowed_issuers: [dudzian]\n", "")
    root = write_root(tmp_path / "checkout", core=with_license_block(CORE, block))
    provision(root, env)
    result = run_trust(root, env)["license.issuer_allowed"]
    assert result.status is Status.WARN and "bot_core accepts a license of any issuer" in result.message


def test_a_license_without_fingerprint_is_bound_to_no_machine(root: Path, env, run_trust) -> None:
    reissue(root, fingerprint=None)
    result = run_trust(root, env)["fingerprint.license_bound"]
    assert result.status is Status.FAIL and "names no fingerprint" in result.message
    reissue(root, fingerprint="AAAAAAAA-BBBBBBBB")
    result = run_trust(root, env)["fingerprint.license_bound"]
    assert result.status is Status.FAIL and "another fingerprint" in result.message
