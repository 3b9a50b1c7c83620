"""Passphrase sources in order (env, file, prompt, else one sentence) and the CI environment backend."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from preflight.deployment import load_deployment
from preflight.deployment.model import Deployment
from preflight.errors import SecretsError
from preflight.trust.passphrase import resolve_passphrase
from preflight.trust.secrets import KeyStatus, open_keychain


@pytest.fixture
def deployment(demo_root: Path) -> Deployment:
    """Load the demo copy."""
    return load_deployment(demo_root)


def without_file(deployment: Deployment) -> Deployment:
    """Return ``deployment`` pointing at a passphrase file that does not exist."""
    secrets = dataclasses.replace(deployment.core.secrets, passphrase_file="var/secrets/missing")
    return dataclasses.replace(deployment, core=dataclasses.replace(deployment.core, secrets=secrets))


def test_the_environment_variable_wins_over_the_file(deployment: Deployment) -> None:
    assert resolve_passphrase(deployment, {"PREFLIGHT_SECRETS_PASSPHRASE": "from-env"}) == "from-env"


def test_the_file_is_used_without_the_variable(deployment: Deployment) -> None:
    expected = (deployment.root / "var/secrets/passphrase").read_text().strip()
    assert resolve_passphrase(deployment, {}) == expected


def test_a_prompt_is_used_last(deployment: Deployment) -> None:
    asked: list[str] = []

    def prompt(text: str) -> str:
        asked.append(text)
        return "typed"

    answer = resolve_passphrase(without_file(deployment), {}, prompt=prompt)
    assert answer == "typed" and asked == ["Passphrase for var/secrets/keychain.enc: "]


def test_no_source_and_no_terminal_is_one_clear_sentence(
    deployment: Deployment, env_without_passphrase: None
) -> None:
    with pytest.raises(SecretsError) as raised:
        resolve_passphrase(without_file(deployment), {})  # pytest's stdin is not a TTY
    message = str(raised.value)
    assert (
        "PREFLIGHT_SECRETS_PASSPHRASE" in message
        and "var/secrets/missing" in message
        and "terminal" in message
    )


def test_creating_a_store_asks_twice(deployment: Deployment) -> None:
    answers = iter(["one", "two"])
    with pytest.raises(SecretsError, match="differ"):
        resolve_passphrase(without_file(deployment), {}, prompt=lambda _: next(answers), confirm=True)


def env_deployment(deployment: Deployment) -> Deployment:
    """Return ``deployment`` with the environment-variable secrets backend."""
    secrets = dataclasses.replace(deployment.core.secrets, backend="env")
    return dataclasses.replace(deployment, core=dataclasses.replace(deployment.core, secrets=secrets))


def test_the_env_backend_builds_entries_with_defaults_from_core(deployment: Deployment) -> None:
    env = {
        "PREFLIGHT_SECRET_BYBIT_PAPER_TRADING_API_KEY": "KEYKEYKEY1234",
        "PREFLIGHT_SECRET_BYBIT_PAPER_TRADING_API_SECRET": "secretsecret",
        "PREFLIGHT_SECRET_BYBIT_PAPER_TRADING_PERMISSIONS": "Spot.SpotTrade, Spot.Other",
        "PREFLIGHT_SECRET_BYBIT_LIVE_TRADING_API_KEY": "LIVEKEY99999",
        "PREFLIGHT_SECRET_BYBIT_LIVE_TRADING_API_SECRET": "livesecret",
        "PREFLIGHT_SECRET_BYBIT_LIVE_TRADING_STATUS": "disabled",
        "PREFLIGHT_SECRET_BYBIT_LIVE_TRADING_EXPIRES_AT": "2030-01-01T00:00:00Z",
    }
    keychain = open_keychain(env_deployment(deployment), env)
    assert keychain.names() == ("bybit_live_trading", "bybit_paper_trading")
    paper = keychain.get("bybit_paper_trading")
    assert (paper.environment, paper.exchange, paper.permissions) == (
        "bybit_paper",
        "bybit",
        ("Spot.SpotTrade", "Spot.Other"),
    )
    live = keychain.get("bybit_live_trading")
    assert live.status is KeyStatus.DISABLED and live.expires_at is not None and live.expires_at.year == 2030


def test_the_env_backend_needs_exactly_one_secret(deployment: Deployment) -> None:
    env = {"PREFLIGHT_SECRET_BYBIT_PAPER_TRADING_API_KEY": "KEYKEYKEY1234"}
    with pytest.raises(SecretsError, match="exactly one of"):
        open_keychain(env_deployment(deployment), env)


def test_a_missing_env_entry_says_how_to_add_it(deployment: Deployment) -> None:
    with pytest.raises(SecretsError, match="preflight secrets set bybit_paper_trading"):
        open_keychain(env_deployment(deployment), {}).get("bybit_paper_trading")


def test_engine_run_with_the_env_backend_passes(demo_root: Path, run_trust) -> None:
    from preflight.trust.store_file import read_store

    passphrase = (demo_root / "var/secrets/passphrase").read_text().strip()
    entries = read_store(demo_root / "var/secrets/keychain.enc", passphrase)
    core = demo_root / "config/core.yaml"
    core.write_text(core.read_text().replace("backend: file", "backend: env"))
    env: dict[str, str] = {}
    for name, e in entries.items():
        base = f"PREFLIGHT_SECRET_{name.upper()}_"
        env |= {
            base + "API_KEY": e.api_key,
            base + "API_SECRET": e.api_secret or "",
            base + "PERMISSIONS": "Spot.SpotTrade",
        }
        env[base + "ACCOUNT_UID"] = e.account_uid or ""
    results = run_trust(demo_root, env=env)
    assert all(r.status.value == "pass" for r in results.values()), {c: r.message for c, r in results.items()}


def test_the_demo_encrypts_with_a_passphrase_already_in_the_environment(
    tmp_path: Path, machine_env: dict[str, str], run_trust
) -> None:
    import os
    from unittest import mock

    from preflight.demo import prepare_demo

    with mock.patch.dict(os.environ, {"PREFLIGHT_SECRETS_PASSPHRASE": "operator-set", **machine_env}):
        root = prepare_demo(tmp_path / "demo")
    assert not (root / "var/secrets/passphrase").exists()
    results = run_trust(root, env={"PREFLIGHT_SECRETS_PASSPHRASE": "operator-set"})
    assert results["secrets.paper_key.active"].status.value == "pass"


def test_a_passphrase_file_that_is_not_utf8_names_the_file_not_the_bytes(deployment: Deployment) -> None:
    (deployment.root / "var/secrets/passphrase").write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(SecretsError) as raised:
        resolve_passphrase(deployment, {})
    message = str(raised.value)
    assert "passphrase file var/secrets/passphrase is not UTF-8 text (line 1)" in message
    assert "bad" not in message and "0xff" not in message  # nothing of the secret leaks


def test_a_passphrase_file_that_is_a_pipe_is_refused_without_blocking(deployment: Deployment) -> None:
    path = deployment.root / "var/secrets/passphrase"
    path.unlink()
    os.mkfifo(path)
    with pytest.raises(SecretsError, match="var/secrets/passphrase is not a regular file"):
        resolve_passphrase(deployment, {})
