"""Every edit of issue 5's "What it must show" turns the right trust check to fail, through the engine."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from preflight_tests_trust_helpers import FACTORS, Issuer, edit_entry, passphrase_of, remove_entry

from preflight.results import Status
from preflight.trust.timeutil import utc_now

LICENSE = "var/licenses/active/license.json"
FINGERPRINT = "var/licenses/active/fingerprint.json"


def failing(results: dict) -> set[str]:
    """Return the ids of the checks that failed or errored."""
    return {cid for cid, r in results.items() if r.status in (Status.FAIL, Status.ERROR)}


def test_demo_trust_checks_all_pass(demo_root: Path, run_trust) -> None:
    results = run_trust(demo_root)
    assert len(results) == 20
    assert {cid: r.status for cid, r in results.items() if r.status is not Status.PASS} == {}


def test_one_byte_of_the_payload_changed_breaks_the_signature(demo_root: Path, run_trust) -> None:
    path = demo_root / LICENSE
    text = path.read_text()
    path.write_text(text.replace("Demo desk", "Demo desj", 1))
    results = run_trust(demo_root)
    assert failing(results) == {"license.signature"}
    assert "changed after signing" in results["license.signature"].message


def test_a_license_signed_by_an_untrusted_key_fails(demo_root: Path, run_trust) -> None:
    Issuer(demo_root, key_id="rogue-1", trust=False).reissue()
    results = run_trust(demo_root)
    assert failing(results) == {"license.signature", "license.issuer_trusted"}
    assert "rogue-1" in results["license.signature"].message


def test_a_trusted_key_id_with_another_key_behind_it_fails(demo_root: Path, run_trust) -> None:
    signed = json.loads((demo_root / LICENSE).read_text())["signature"]["key_id"]
    impostor = Issuer(demo_root, key_id="impostor", trust=False)
    impostor.key_id = signed  # claims the trusted demo key id, signs with its own key
    impostor.reissue()
    assert failing(run_trust(demo_root)) == {"license.signature"}


def test_an_expired_license_fails_and_a_nearly_expired_one_warns(demo_root: Path, run_trust) -> None:
    issuer = Issuer(demo_root)
    now = utc_now()
    issuer.reissue(issued_at=now - timedelta(days=400), expires_at=now - timedelta(days=1))
    results = run_trust(demo_root)
    assert failing(results) == {"license.not_expired"}
    assert "expired" in results["license.not_expired"].message
    issuer.reissue(issued_at=now - timedelta(days=300), expires_at=now + timedelta(days=10))
    results = run_trust(demo_root)
    assert failing(results) == set()
    assert results["license.not_expired"].status is Status.WARN


def test_a_profile_outside_the_policy_fails(demo_root: Path, run_trust) -> None:
    Issuer(demo_root).reissue(profile="server")
    assert failing(run_trust(demo_root)) == {"license.profile_allowed"}


def test_an_issuer_outside_the_policy_fails(demo_root: Path, run_trust) -> None:
    Issuer(demo_root, issuer="acme", key_id="acme-1").reissue(issuer="acme")
    assert failing(run_trust(demo_root)) == {"license.issuer_allowed"}


def test_an_issuer_claimed_with_another_issuers_key_fails(demo_root: Path, run_trust) -> None:
    Issuer(demo_root, issuer="acme", key_id="acme-1").reissue()  # payload still says dudzian
    assert failing(run_trust(demo_root)) == {"license.issuer_trusted"}


def test_bybit_not_entitled_fails(demo_root: Path, run_trust) -> None:
    Issuer(demo_root).reissue(exchanges=("binance",))
    results = run_trust(demo_root)
    assert failing(results) == {"license.exchange_entitled"}
    assert "'bybit'" in results["license.exchange_entitled"].message


def test_live_mode_not_entitled_fails(demo_root: Path, run_trust) -> None:
    Issuer(demo_root).reissue(environments=("paper",))
    results = run_trust(demo_root)
    assert failing(results) == {"license.environments_entitled"}
    assert "bybit_live (live)" in results["license.environments_entitled"].message


def test_an_edited_fingerprint_value_fails(demo_root: Path, run_trust) -> None:
    path = demo_root / FINGERPRINT
    record = json.loads(path.read_text())
    record["value"] = "0" * 64
    path.write_text(json.dumps(record))
    assert failing(run_trust(demo_root)) == {
        "fingerprint.record_intact",
        "fingerprint.license_bound",
        "fingerprint.machine_current",
    }


def test_an_edited_factor_hash_fails(demo_root: Path, run_trust) -> None:
    path = demo_root / FINGERPRINT
    record = json.loads(path.read_text())
    record["factors"]["cpu_model"] = "f" * 64
    path.write_text(json.dumps(record))
    results = run_trust(demo_root)
    assert failing(results) == {"fingerprint.record_intact"}
    assert "edited" in results["fingerprint.record_intact"].message


def test_a_malformed_fingerprint_file_fails_with_its_line(demo_root: Path, run_trust) -> None:
    (demo_root / FINGERPRINT).write_text('{\n  "algorithm": "x",\n')
    results = run_trust(demo_root)
    assert "fingerprint.json:3" in results["fingerprint.record_intact"].message
    assert {
        "fingerprint.record_intact",
        "fingerprint.license_bound",
        "fingerprint.machine_current",
    } <= failing(results)


def test_a_changed_machine_factor_names_the_factor_and_the_fix(
    demo_root: Path, run_trust, tmp_path: Path
) -> None:
    other = tmp_path / "factors.json"
    other.write_text(json.dumps({**FACTORS, "nic:eth0": "02:00:00:00:00:99"}))
    results = run_trust(demo_root, env={"PREFLIGHT_FINGERPRINT_FACTORS": str(other)})
    assert failing(results) == {"fingerprint.machine_current"}
    message = results["fingerprint.machine_current"].message
    assert "changed: nic:eth0" in message
    assert "preflight fingerprint refresh" in message and "reissued" in message


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"status": "disabled"}, "disabled"),
        ({"status": "revoked"}, "revoked"),
        ({"expires_at": utc_now() - timedelta(days=1)}, "expired"),
        ({"permissions": ()}, "lacks Spot.SpotTrade"),
        ({"permissions": ("Spot.SpotTrade", "Wallet.Withdraw")}, "Wallet.Withdraw"),
        ({"environment": "bybit_live"}, "not bybit/bybit_paper"),
    ],
)
def test_a_paper_key_that_is_not_active_fails(
    demo_root: Path, run_trust, change: dict, expected: str
) -> None:
    from preflight.trust.secrets import KeyStatus

    if "status" in change:
        change = {"status": KeyStatus(change["status"])}
    edit_entry(demo_root, "bybit_paper_trading", **change)
    results = run_trust(demo_root)
    assert failing(results) == {"secrets.paper_key.active"}
    assert expected in results["secrets.paper_key.active"].message


def test_a_missing_paper_key_fails(demo_root: Path, run_trust) -> None:
    remove_entry(demo_root, "bybit_paper_trading")
    results = run_trust(demo_root)
    assert failing(results) == {"secrets.paper_key.active"}
    assert "no entry 'bybit_paper_trading'" in results["secrets.paper_key.active"].message


def test_a_live_key_of_another_account_fails(demo_root: Path, run_trust) -> None:
    edit_entry(demo_root, "bybit_live_trading", account_uid="99999999")
    results = run_trust(demo_root)
    assert failing(results) == {"secrets.live_key.active", "keys.live_key.production_account"}
    assert "99999999" in results["keys.live_key.production_account"].message


@contextmanager
def exchange_serving(root: Path, **account_changes: object) -> Iterator[str]:
    """Serve a simulator on 127.0.0.1 that knows the live key with ``account_changes``; yield its URL."""
    from preflight.simulator import Account, BybitSimulator, SimulatorConfig, SimulatorServer
    from preflight.simulator.faults import FaultSpec
    from preflight.trust.store_file import read_store

    entry = read_store(root / "var/secrets/keychain.enc", passphrase_of(root))["bybit_live_trading"]
    faults = account_changes.pop("faults", FaultSpec())
    assert isinstance(faults, FaultSpec)
    fields: dict = {
        "uid": "53219870",
        "api_key": entry.api_key,
        "api_secret": entry.api_secret,
        "ips": ("127.0.0.1",),
    }
    account = Account(**{**fields, **account_changes})
    server = SimulatorServer(BybitSimulator(SimulatorConfig(accounts=(account,), faults=faults))).start()
    try:
        yield server.url
    finally:
        server.stop()


def test_withdraw_permission_on_the_exchange_side_fails(demo_root: Path, run_trust) -> None:
    with exchange_serving(demo_root, permissions={"Spot": ("SpotTrade",), "Wallet": ("Withdraw",)}) as url:
        results = run_trust(demo_root, exchange_url=url)
    assert failing(results) == {"keys.live_key.no_withdraw"}
    assert "Wallet.Withdraw" in results["keys.live_key.no_withdraw"].message


def test_the_exchange_reporting_another_account_fails(demo_root: Path, run_trust) -> None:
    with exchange_serving(demo_root, uid="11111111") as url:
        results = run_trust(demo_root, exchange_url=url)
    assert failing(results) == {"keys.live_key.production_account"}


def test_a_read_only_key_fails_and_an_unbound_one_warns(demo_root: Path, run_trust) -> None:
    with exchange_serving(demo_root, read_only=True, ips=()) as url:
        results = run_trust(demo_root, exchange_url=url)
    assert failing(results) == {"keys.live_key.can_trade"}
    assert results["keys.live_key.ip_bound"].status is Status.WARN


def test_a_key_unknown_to_the_exchange_fails_every_key_check(demo_root: Path, run_trust) -> None:
    with exchange_serving(demo_root, api_key="SOMEOTHERKEY0000") as url:
        results = run_trust(demo_root, exchange_url=url)
    assert failing(results) == {c for c in results if c.startswith("keys.live_key.")}
    assert results["keys.clock_skew"].status is Status.PASS  # the clock is read without the key


def test_clock_skew_beyond_a_second_fails(demo_root: Path, run_trust) -> None:
    from preflight.simulator.faults import FaultSpec

    with exchange_serving(demo_root, faults=FaultSpec(skew_ms=3000)) as url:
        results = run_trust(demo_root, exchange_url=url)
    assert "keys.clock_skew" in failing(results)
    assert "NTP" in results["keys.clock_skew"].message


def test_a_wrong_passphrase_fails_in_one_sentence(demo_root: Path, run_trust) -> None:
    results = run_trust(demo_root, env={"PREFLIGHT_SECRETS_PASSPHRASE": "not-the-passphrase"})
    message = results["secrets.paper_key.active"].message
    assert message == "cannot decrypt var/secrets/keychain.enc: wrong passphrase or corrupted store"
    assert {"secrets.paper_key.active", "secrets.live_key.active"} <= failing(results)
    assert "Traceback" not in message
    assert results["keys.clock_skew"].status is Status.PASS  # the exchange clock needs no key


def test_offline_skips_the_exchange_probes_and_says_so(demo_root: Path, run_trust) -> None:
    results = run_trust(demo_root, offline=True)
    skipped = {c for c, r in results.items() if r.status is Status.SKIP}
    assert skipped == {c for c in results if c.startswith("keys.") and c != "keys.offline_access_documented"}
    assert all("--offline" in results[c].message for c in skipped)


def test_an_empty_offline_access_document_fails(demo_root: Path, run_trust) -> None:
    (demo_root / "config/offline_access.md").write_text("")
    assert failing(run_trust(demo_root)) == {"keys.offline_access_documented"}


def test_an_rsa_live_key_is_probed_with_rsa_signatures(demo_root: Path, run_trust) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    pem = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        .decode()
    )
    edit_entry(demo_root, "bybit_live_trading", api_secret=None, rsa_private_key=pem)
    results = run_trust(demo_root)
    assert failing(results) == set()
    assert results["keys.live_key.known"].status is Status.PASS


def test_a_passphrase_file_readable_by_others_warns(demo_root: Path, run_trust) -> None:
    (demo_root / "var/secrets/passphrase").chmod(0o644)
    results = run_trust(demo_root)
    assert failing(results) == set()
    assert results["secrets.paper_key.active"].status is Status.WARN
    assert "var/secrets/passphrase" in results["secrets.paper_key.active"].message
