"""The runbook's signing test: credentials from the secrets store, published vectors, simulator accepts.

SPEC.md section 9: the adapter loads credentials from the secrets-store entry and its requests carry
signatures that match the published Bybit V5 vectors and are accepted by the simulator (GET and POST,
HMAC and RSA).
"""

from __future__ import annotations

import asyncio
import base64
import shutil
from datetime import UTC, datetime
from pathlib import Path

from preflight.exchange.bybit.auth import Credentials, sign_rsa, string_to_sign
from preflight.exchange.bybit.client import AdapterConfig, create_adapter
from preflight.exchange.bybit.metrics import ExchangeMetrics
from preflight.exchange.bybit.scenarios import DOCS_ORDER, Recorder
from preflight.exchange.bybit.vectors import PUBLISHED_VECTORS
from preflight.simulator.accounts import Account
from preflight.simulator.simulator import BybitSimulator, SimulatorConfig
from preflight.trust.secrets import KeyStatus, SecretEntry
from preflight.trust.store_file import write_store

PASSPHRASE = "test-passphrase-for-tmp-store"
VECTOR_GET = next(v for v in PUBLISHED_VECTORS if v.name == "E-get-wallet")
VECTOR_POST = next(v for v in PUBLISHED_VECTORS if v.name == "E-post-spot")


def _entry(name: str, api_key: str, *, secret: str | None = None, rsa_pem: str | None = None) -> SecretEntry:
    return SecretEntry(
        name=name,
        exchange="bybit",
        environment="bybit_paper",
        api_key=api_key,
        api_secret=secret,
        rsa_private_key=rsa_pem,
        account_uid="1001",
        permissions=("Spot.SpotTrade",),
        status=KeyStatus.ACTIVE,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def _keychain_entries(tmp_path: Path, rsa_pem: str) -> dict[str, SecretEntry]:
    """Write an encrypted store into a deployment under tmp_path and open it as a run would."""
    from preflight.deployment import load_deployment
    from preflight.resources import sample_config_dir
    from preflight.trust.secrets import open_keychain

    shutil.copytree(sample_config_dir(), tmp_path / "config")
    deployment = load_deployment(tmp_path)
    entries = {
        "bybit_paper_trading": _entry(
            "bybit_paper_trading", VECTOR_GET.api_key, secret=VECTOR_GET.api_secret
        ),
        "bybit_paper_rsa": _entry("bybit_paper_rsa", "RSAKEY0000000001", rsa_pem=rsa_pem),
    }
    write_store(tmp_path / deployment.core.secrets.path, PASSPHRASE, entries, log2_n=10)
    keychain = open_keychain(deployment, {deployment.core.secrets.passphrase_env: PASSPHRASE})
    return {name: keychain.get(name) for name in entries}


async def _signed_round_trip(credentials: Credentials, account: Account, pinned_ms: int) -> Recorder:
    """Run one GET (wallet-balance) and one POST (order/create) with the clock pinned at ``pinned_ms``."""
    simulator = BybitSimulator(SimulatorConfig(accounts=(account,)), clock_ms=lambda: pinned_ms)
    recorder = Recorder(simulator.async_transport())
    metrics = ExchangeMetrics("bybit", ["bybit_desktop_paper"])
    config = AdapterConfig(base_url="http://simulator.invalid", entrypoint="bybit_desktop_paper")
    adapter = create_adapter(
        config, credentials, metrics=metrics, transport=recorder, clock=lambda: pinned_ms / 1000
    )
    async with adapter:
        balances = await adapter.wallet_balance(["BTC"])
        ack = await adapter.place_order(DOCS_ORDER)
    assert "BTC" in balances or balances == {}  # an account without BTC lists none; the call was accepted
    assert ack.order_link_id == "spot-test-01" and not ack.reconciled
    held = [o for o in simulator.orders_for(account.uid) if o.order_link_id == "spot-test-01"]
    assert len(held) == 1 and held[0].order_id == ack.order_id
    assert (
        metrics.value("bot_exchange_errors_total", entrypoint="bybit_desktop_paper", severity="critical") == 0
    )
    return recorder


def test_bybit_adapter_populates_credentials_and_signs_request(tmp_path, rsa_key_pair):
    private_pem, public_pem = rsa_key_pair
    entries = _keychain_entries(tmp_path, private_pem)

    # HMAC: credentials from the store entry; the wire signatures equal the published vectors.
    hmac_credentials = Credentials.from_entry(entries["bybit_paper_trading"])
    assert hmac_credentials.method == "hmac" and VECTOR_GET.api_secret not in repr(hmac_credentials)
    hmac_account = Account("1001", VECTOR_GET.api_key, api_secret=VECTOR_GET.api_secret)
    get_ms, post_ms = int(VECTOR_GET.timestamp), int(VECTOR_POST.timestamp)
    get_wire = asyncio.run(_signed_round_trip(hmac_credentials, hmac_account, get_ms)).log[0][0]
    post_wire = asyncio.run(_signed_round_trip(hmac_credentials, hmac_account, post_ms)).log[1][0]
    assert get_wire.method == "GET" and get_wire.url.query.decode() == VECTOR_GET.payload
    assert get_wire.headers["X-BAPI-TIMESTAMP"] == VECTOR_GET.timestamp
    assert get_wire.headers["X-BAPI-SIGN"] == VECTOR_GET.signature
    assert post_wire.method == "POST" and post_wire.content.decode() == VECTOR_POST.payload
    assert post_wire.headers["X-BAPI-SIGN"] == VECTOR_POST.signature
    for wire in (get_wire, post_wire):
        assert wire.headers["X-BAPI-API-KEY"] == VECTOR_GET.api_key
        assert wire.headers["X-BAPI-RECV-WINDOW"] == "5000" and wire.headers["X-BAPI-SIGN-TYPE"] == "2"

    # RSA: no published vector exists (reference 1.5 F); PKCS#1 v1.5 is deterministic, so the wire
    # signature must equal our signer's over the documented string, verify with the public key, and
    # be accepted by the simulator holding only the public key.
    rsa_entry = entries["bybit_paper_rsa"]
    rsa_credentials = Credentials.from_entry(rsa_entry)
    assert rsa_credentials.method == "rsa" and "PRIVATE" not in repr(rsa_credentials)
    rsa_account = Account("1002", rsa_entry.api_key, rsa_public_key_pem=public_pem.decode())
    recorder = asyncio.run(_signed_round_trip(rsa_credentials, rsa_account, post_ms))
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    public_key = serialization.load_pem_public_key(public_pem)
    for wire, _, _ in recorder.log:
        payload = wire.url.query.decode() if wire.method == "GET" else wire.content.decode()
        message = string_to_sign(post_ms, rsa_entry.api_key, 5000, payload)
        assert wire.headers["X-BAPI-SIGN"] == sign_rsa(private_pem, message)
        public_key.verify(  # type: ignore[union-attr]
            base64.b64decode(wire.headers["X-BAPI-SIGN"]),
            message.encode(),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    assert recorder.log[1][0].content.decode() == VECTOR_POST.payload
