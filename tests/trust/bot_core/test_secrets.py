"""An environment's credentials judged as bot_core's SecretManager judges them, one reason per failure."""

from __future__ import annotations

from pathlib import Path

import pytest
from preflight_tests_bot_core_root import CORE, PASSPHRASE, write_root

from preflight.results import Status
from preflight.trust.bot_core.credentials import serialize_credential, storage_key
from preflight.trust.bot_core.secrets_file import read_secrets_file, write_secrets_file

PAPER = storage_key("bybit_paper_trading")


def _store(env: dict[str, str]) -> Path:
    return Path(env["DUDZIAN_HOME"]) / "secrets.age"


def _rewrite(env: dict[str, str], **entries: str | None) -> None:
    path = _store(env)
    current = read_secrets_file(path, PASSPHRASE, "secrets.age")
    for key, value in entries.items():
        name = storage_key(key)
        if value is None:
            current.pop(name)
        else:
            current[name] = value
    write_secrets_file(path, PASSPHRASE, current, iterations=1000)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (None, ["no credentials 'dudzian.trading:bybit_paper_trading:trading'", "store the bybit_paper key"]),
        (
            serialize_credential("K", "S", ["read", "trade"], "live"),
            ["stored for environment live", "expects paper"],
        ),
        (serialize_credential("K", "S", ["read"], "paper"), ["lack trade (required by trading_default)"]),
        (
            serialize_credential("K", "S", ["read", "trade", "Withdraw"], "paper"),
            ["carry withdraw, forbidden"],
        ),
        ('{"secret": "S", "environment": "paper"}', ["cannot be parsed (no key_id)"]),
    ],
)
def test_each_reason_bot_core_refuses_credentials_fails(
    root: Path, env, run_trust, value: str | None, words: list[str]
) -> None:
    _rewrite(env, bybit_paper_trading=value)
    result = run_trust(root, env)["secrets.paper_key.active"]
    assert result.status is Status.FAIL
    for word in words:
        assert word in result.message, result.message
    assert run_trust(root, env)["secrets.live_key.active"].status is Status.PASS


def test_a_pass_says_what_active_means_for_bot_core(root: Path, env, run_trust) -> None:
    result = run_trust(root, env)["secrets.paper_key.active"]
    assert result.status is Status.PASS
    assert any("bot_core stores no status or expiry" in e.value for e in result.evidence)


def test_a_store_readable_by_others_warns(root: Path, env, run_trust) -> None:
    _store(env).chmod(0o644)
    result = run_trust(root, env)["secrets.paper_key.active"]
    assert result.status is Status.WARN and "chmod 600" in result.message


def test_a_missing_store_names_where_it_was_looked_for(root: Path, env, run_trust) -> None:
    _store(env).unlink()
    result = run_trust(root, env)["secrets.paper_key.active"]
    assert result.status is Status.FAIL
    assert f"bot_core's secrets file {_store(env)} (headless Linux: bot_core's default file" in result.message
    assert "$DUDZIAN_HOME/secrets.age" in result.message


def test_a_runbook_key_the_environment_does_not_load_is_named(tmp_path: Path, env, run_trust) -> None:
    core = CORE.replace("keychain_key: bybit_paper_trading", "keychain_key: desk_a_paper_key")
    result = run_trust(write_root(tmp_path / "checkout", core=core), env)["secrets.paper_key.active"]
    assert result.status is Status.FAIL
    assert "loads keychain key 'desk_a_paper_key', not 'bybit_paper_trading'" in result.message


def test_a_credential_purpose_changes_the_storage_key(tmp_path: Path, env, run_trust) -> None:
    core = CORE.replace(
        "    keychain_key: bybit_paper_trading\n",
        "    keychain_key: bybit_paper_trading\n    credential_purpose: Research\n",
    )
    root = write_root(tmp_path / "checkout", core=core)
    from preflight_tests_bot_core_root import provision

    provision(root, env)
    assert PAPER not in read_secrets_file(_store(env), PASSPHRASE, "s")
    assert run_trust(root, env)["secrets.paper_key.active"].status is Status.PASS


def test_an_undefined_live_environment_fails_and_an_online_probe_says_it_was_not_run(
    root: Path, env, run_trust, tmp_path: Path
) -> None:
    from preflight.catalog import load_runbook
    from preflight.context import RunOptions
    from preflight.engine import Selection, run_checks

    options = RunOptions(root=root, entrypoint="bybit_desktop_paper", env=env, no_paper=True)
    report = run_checks(load_runbook("bybit_go_live"), options, selection=Selection(only=("keys.live_key.",)))
    assert {r.status for r in report.results} == {Status.SKIP}
    assert all("was not probed: probing a bot_core deployment's key" in r.message for r in report.results)
    bare = write_root(
        tmp_path / "bare", core=CORE[: CORE.index("  bybit_live:\n")] + CORE[CORE.index("license:\n") :]
    )
    report = run_checks(
        load_runbook("bybit_go_live"),
        RunOptions(root=bare, entrypoint="bybit_desktop_paper", env=env, no_paper=True),
        selection=Selection(only=("keys.live_key.known",)),
    )
    assert report.results[0].status is Status.FAIL
    undefined = "environment 'bybit_live' (runbook variable live_environment) is not defined in the"
    assert f"{undefined} deployment (config/core.yaml:" in report.results[0].message
