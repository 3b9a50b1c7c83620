"""adopt_bot_core provisions a checkout's trust files where its config points, and never overwrites one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from preflight_tests_bot_core_root import CORE, PASSPHRASE, provision, write_root

from preflight.errors import ConfigError, UsageError
from preflight.trust.bot_core.credentials import parse_credential
from preflight.trust.bot_core.secrets_file import read_secrets_file

CREATED = [
    "config/oem_license_keys.json",
    "config/oem_fingerprint_keys.json",
    "var/licenses/active/fingerprint.json",
    "var/licenses/active/license.json",
]


def test_adoption_writes_every_file_and_names_the_command(tmp_path: Path, env) -> None:
    root = write_root(tmp_path / "checkout")
    result = provision(root, env)
    secrets = Path(env["DUDZIAN_HOME"]) / "secrets.age"
    assert list(result.created) == [root / p for p in CREATED] + [secrets]
    assert result.command == f"preflight run bybit_desktop_paper --root {root}"
    assert any("PREFLIGHT_BOT_CORE_PASSPHRASE" in note for note in result.notes)
    assert any("not from bot_core's own probe" in note for note in result.notes)
    for keys in CREATED[:2]:
        assert (root / keys).stat().st_mode & 0o777 == 0o600
    entries = read_secrets_file(secrets, PASSPHRASE, "secrets.age")
    paper = parse_credential("k", entries["dudzian.trading:bybit_paper_trading:trading"])
    live = parse_credential("k", entries["dudzian.trading:bybit_live_trading:trading"])
    assert (paper.environment, paper.permissions) == ("paper", ("read", "trade"))
    assert live.environment == "live"
    license_payload = json.loads((root / CREATED[3]).read_text())["payload"]
    fingerprint = json.loads((root / CREATED[2]).read_text())["payload"]["fingerprint"]
    assert license_payload["fingerprint"] == fingerprint
    assert (license_payload["profile"], license_payload["issuer"]) == ("desktop", "dudzian")


def test_adoption_refuses_an_existing_file_and_writes_nothing(tmp_path: Path, env) -> None:
    root = write_root(tmp_path / "checkout")
    existing = root / "var/licenses/active/license.json"
    existing.parent.mkdir(parents=True)
    existing.write_text("the operator's own license\n")
    with pytest.raises(UsageError, match=r"license\.json already exists; adoption never overwrites"):
        provision(root, env)
    assert existing.read_text() == "the operator's own license\n"
    assert not (root / "config/oem_license_keys.json").exists()
    assert not (Path(env["DUDZIAN_HOME"]) / "secrets.age").exists()


def test_adoption_refuses_an_existing_secrets_file(tmp_path: Path, env) -> None:
    root = write_root(tmp_path / "checkout")
    secrets = Path(env["DUDZIAN_HOME"]) / "secrets.age"
    secrets.parent.mkdir(parents=True)
    secrets.write_text("{}")
    with pytest.raises(UsageError, match=r"secrets\.age already exists"):
        provision(root, env)


def test_adoption_names_an_unknown_environment_or_entrypoint(tmp_path: Path, env) -> None:
    root = write_root(tmp_path / "checkout")
    with pytest.raises(ConfigError, match="environment 'desk_a_live' is not defined"):
        provision(root, env, credentials={"desk_a_live": ("K", "S")})
    with pytest.raises(ConfigError, match="entrypoint 'nope' is not defined"):
        provision(root, env, entrypoint="nope")


def test_unset_key_paths_get_defaults_and_a_note(tmp_path: Path, env) -> None:
    core = CORE.replace("  license_keys_path: config/oem_license_keys.json\n", "")
    root = write_root(tmp_path / "checkout", core=core)
    result = provision(root, env)
    assert root / "var/licenses/keys/license_keys.json" in result.created
    assert any(
        "license.license_keys_path is not set, so bot_core verifies no license" in n for n in result.notes
    )


def test_a_failed_adoption_leaves_no_file_behind(
    tmp_path: Path, env, monkeypatch: pytest.MonkeyPatch
) -> None:
    import preflight.trust.bot_core.secrets_file as secrets_file

    def refuse(*_: object, **__: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(secrets_file, "write_secrets_file", refuse)
    root = write_root(tmp_path / "checkout")
    with pytest.raises(OSError, match="disk full"):
        provision(root, env)
    assert [p for p in root.rglob("*") if p.is_file() and "config/" not in str(p.relative_to(root))] == []
    assert not (root / "config/oem_license_keys.json").exists()
