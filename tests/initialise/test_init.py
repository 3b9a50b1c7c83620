"""``preflight init``: a new deployment whose static, license, fingerprint and secrets checks pass."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import stat
import subprocess
from pathlib import Path

import pytest

from preflight.catalog import load_runbook
from preflight.context import RunOptions
from preflight.engine import Selection, run_checks
from preflight.errors import LicenseError, SecretsError, UsageError
from preflight.initialise import creator
from preflight.initialise.base import InitIO, InitRequest
from preflight.results import Status
from preflight.trust.fingerprint import FACTORS_ENV
from preflight.trust.store_file import read_store

LIVE_KEY, LIVE_SECRET = "LIVEKEY7A1B2C3", "live-secret-9f8e7d6c5b4a"
PASSPHRASE = "a long passphrase for the test store"
STATIC = ("runtime.", "core.", "execution.", "io_queue.", "license.", "fingerprint.", "secrets.")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The environment init sees: injected fingerprint factors, a private config folder, the passphrase."""
    factors = tmp_path / "factors.json"
    factors.write_text(json.dumps({"machine_id": "init-test-machine", "cpu_model": "Test CPU"}))
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PREFLIGHT_")}
    return {
        **clean,
        FACTORS_ENV: str(factors),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
        "PREFLIGHT_SECRETS_PASSPHRASE": PASSPHRASE,
        "NO_COLOR": "1",
    }


def _create(
    root: Path, env: dict[str, str], answers: str = f"{LIVE_KEY}\n{LIVE_SECRET}\n", **choices: object
):
    request = InitRequest(root=root, account_uid="53219870", env=env, **choices)  # type: ignore[arg-type]
    return creator("preflight").create(request, InitIO(stdin=io.StringIO(answers), stderr=io.StringIO()))


def _static_results(root: Path, env: dict[str, str], variables: dict[str, str] | None = None):
    runbook = load_runbook()
    if variables is not None:
        runbook = dataclasses.replace(runbook, variables={**runbook.variables, **variables})
    entrypoint = "bybit_desktop_paper" if variables is None else None
    options = RunOptions(
        root=root, entrypoint=entrypoint or _entrypoint(root), offline=True, no_paper=True, env=env
    )
    return run_checks(runbook, options, selection=Selection(only=STATIC)).results


def _entrypoint(root: Path) -> str:
    text = (root / "config/runtime.yaml").read_text()
    return text.split("entrypoints:\n", 1)[1].split(":", 1)[0].strip()


def test_a_default_deployment_passes_every_static_and_trust_check(
    tmp_path: Path, env: dict[str, str]
) -> None:
    root = tmp_path / "deploy"
    result = _create(root, env)
    bad = [(r.check_id, r.status.value, r.message) for r in _static_results(root, env)
           if r.status is not Status.PASS]  # fmt: skip
    assert bad == []
    assert result.run_command("deploy") == "preflight run bybit_desktop_paper --root deploy"
    assert not result.needs_vars
    store = read_store(root / "var/secrets/keychain.enc", PASSPHRASE)
    live = store["bybit_live_trading"]
    assert (live.api_key, live.api_secret, live.account_uid) == (LIVE_KEY, LIVE_SECRET, "53219870")
    assert store["bybit_paper_trading"].environment == "bybit_paper"  # made up for the embedded simulator


def test_secrets_stay_secret_and_the_issuer_key_lives_outside_the_root(
    tmp_path: Path, env: dict[str, str]
) -> None:
    root = tmp_path / "deploy"
    result = _create(root, env)
    assert result.issuer_key is not None and root not in result.issuer_key.parents
    assert stat.S_IMODE(result.issuer_key.stat().st_mode) == 0o600
    assert stat.S_IMODE(result.issuer_key.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE((root / "var/secrets/keychain.enc").stat().st_mode) == 0o600
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert LIVE_SECRET.encode() not in data and LIVE_KEY.encode() not in data, path
            assert PASSPHRASE.encode() not in data, path
    core = (root / "config/core.yaml").read_text()
    public = result.issuer_key.read_bytes()
    assert b"PRIVATE KEY" in public and "PRIVATE KEY" not in core
    assert "var/secrets/" in (root / ".gitignore").read_text()
    assert not list(tmp_path.glob(".deploy.preflight-init-*"))  # the staging folder is gone


def test_the_cli_reads_keys_from_stdin_and_never_prints_them(tmp_path: Path, env: dict[str, str]) -> None:
    done = subprocess.run(
        ["preflight", "init", str(tmp_path / "deploy"), "--account-uid", "53219870", "--licensee", "Desk A"],
        input=f"{LIVE_KEY}\n{LIVE_SECRET}\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().splitlines()[-1].strip() == (
        f"preflight run bybit_desktop_paper --root {tmp_path / 'deploy'}"
    )
    lines = done.stdout.rstrip().splitlines()
    # the passphrase hint is the deployment's own (its passphrase_env and passphrase_file)
    assert lines[-2] == "then check it (the passphrase comes from PREFLIGHT_SECRETS_PASSPHRASE, "\
        "var/secrets/passphrase or a prompt):"  # fmt: skip
    for secret in (LIVE_KEY, LIVE_SECRET, PASSPHRASE):
        assert secret not in done.stdout + done.stderr
    license_doc = json.loads((tmp_path / "deploy/var/licenses/active/license.json").read_text())
    assert license_doc["payload"]["licensee"] == "Desk A"


def test_init_refuses_to_overwrite_and_names_what_exists(tmp_path: Path, env: dict[str, str]) -> None:
    root = tmp_path / "deploy"
    (root / "config").mkdir(parents=True)
    (root / "config/core.yaml").write_text("mine: true\n")
    (root / "notes.txt").write_text("kept\n")
    with pytest.raises(UsageError, match=r"refusing to overwrite .*deploy/config/core.yaml"):
        _create(root, env)
    assert sorted(p.name for p in root.rglob("*")) == ["config", "core.yaml", "notes.txt"]
    assert not list(tmp_path.glob(".deploy.preflight-init-*"))
    assert not (tmp_path / "xdg").exists()  # no issuer key was saved for a deployment never made


def test_an_existing_folder_without_a_deployment_is_used(tmp_path: Path, env: dict[str, str]) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "README.md").write_text("desk repo\n")
    _create(root, env)
    assert (root / "README.md").read_text() == "desk repo\n" and (root / "config/core.yaml").is_file()


@pytest.mark.parametrize(
    ("choices", "flag"),
    [
        ({"entrypoint": "summary"}, "--entrypoint"),
        ({"entrypoint": "bad name"}, "--entrypoint"),
        ({"paper_environment": "Bybit-Paper"}, "--paper-environment"),
        ({"live_environment": "bybit_paper"}, "must differ"),
        ({"account_uid": "uid-1"}, "--account-uid"),
        ({"live_endpoint": "api.bybit.com"}, "--live-endpoint"),
        ({"paper_endpoint": "simulator"}, "--paper-endpoint"),
    ],
)
def test_bad_choices_name_the_flag_and_write_nothing(
    tmp_path: Path, env: dict[str, str], choices: dict[str, str], flag: str
) -> None:
    root = tmp_path / "deploy"
    request = InitRequest(root=root, account_uid=choices.pop("account_uid", "53219870"), env=env, **choices)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match=flag):
        creator("preflight").create(request, InitIO(stdin=io.StringIO(""), stderr=io.StringIO()))
    assert not root.exists()


def test_custom_names_go_into_the_vars_file_and_the_run_command(tmp_path: Path, env: dict[str, str]) -> None:
    root = tmp_path / "desk"
    result = _create(
        root, env, entrypoint="desk_a_paper", paper_environment="desk_paper", live_environment="desk_live"
    )
    from ruamel.yaml import YAML

    variables = YAML(typ="safe").load((root / "config/vars.yaml").read_text())
    assert variables == {
        "environment": "desk_paper",
        "live_environment": "desk_live",
        "strategy_profile": "multi_strategy_default",
        "paper_profile": "desk_paper",
        "trading_profile": "desk_a",
        "adapter": "bybit_spot",
        "io_queue": "bybit_spot",
        "paper_key": "desk_paper_trading",
        "live_key": "desk_live_trading",
    }
    assert result.needs_vars
    assert result.run_command("desk") == "preflight run desk_a_paper --root desk --vars desk/config/vars.yaml"
    # With the vars file's names, the runbook's static and trust checks all pass on the new deployment.
    bad = [
        (r.check_id, r.message) for r in _static_results(root, env, variables) if r.status is not Status.PASS
    ]
    assert bad == []


def test_an_empty_live_key_is_left_for_later_with_the_command_that_adds_it(
    tmp_path: Path, env: dict[str, str]
) -> None:
    root = tmp_path / "deploy"
    result = _create(root, env, answers="\n")
    assert set(read_store(root / "var/secrets/keychain.enc", PASSPHRASE)) == {"bybit_paper_trading"}
    assert any("preflight secrets set bybit_live_trading" in step for step in result.next_steps)
    failed = {r.check_id: r.status for r in _static_results(root, env) if r.status is not Status.PASS}
    assert failed == {"secrets.live_key.active": Status.FAIL}


def test_without_a_passphrase_source_init_says_where_and_writes_nothing(
    tmp_path: Path, env: dict[str, str]
) -> None:
    del env["PREFLIGHT_SECRETS_PASSPHRASE"]
    root = tmp_path / "new" / "desk" / "deploy"
    with pytest.raises(SecretsError, match="PREFLIGHT_SECRETS_PASSPHRASE"):
        _create(root, env)
    assert not (tmp_path / "new").exists() and not (tmp_path / "xdg").exists()  # no folder left behind


def test_a_passphrase_file_in_the_target_is_honoured(tmp_path: Path, env: dict[str, str]) -> None:
    del env["PREFLIGHT_SECRETS_PASSPHRASE"]
    root = tmp_path / "deploy"
    (root / "var/secrets").mkdir(parents=True)
    (root / "var/secrets/passphrase").write_text("from the file\n")
    _create(root, env)
    assert "bybit_live_trading" in read_store(root / "var/secrets/keychain.enc", "from the file")


def test_one_issuer_key_serves_several_deployments(tmp_path: Path, env: dict[str, str]) -> None:
    key = tmp_path / "keys" / "desk-issuer.pem"
    first = _create(tmp_path / "a", env, issuer_key=key)
    second = _create(tmp_path / "b", env, issuer_key=key)
    assert first.issuer_key == second.issuer_key == key
    core_a, core_b = ((tmp_path / n / "config/core.yaml").read_text() for n in ("a", "b"))
    assert core_a.split("trusted_issuers:")[1] == core_b.split("trusted_issuers:")[1]
    (tmp_path / "not-a-key.pem").write_text("hello\n")
    with pytest.raises(LicenseError, match="not an unencrypted Ed25519 private key"):
        _create(tmp_path / "c", env, issuer_key=tmp_path / "not-a-key.pem")


def test_a_license_request_then_the_issuer_round_trip(tmp_path: Path, env: dict[str, str]) -> None:
    root = tmp_path / "deploy"
    result = _create(root, env, request_license=True)
    assert result.issuer_key is None and not (root / "var/licenses/active/license.json").exists()
    request_doc = json.loads((root / "var/licenses/license-request.json").read_text())
    statuses = {r.check_id: r.status for r in _static_results(root, env)}
    assert statuses["license.signature"] is Status.FAIL  # no license yet: the run says so

    # The issuer, elsewhere: a key, a license for the requested fingerprint; then the operator trusts it.
    def preflight(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["preflight", *args], capture_output=True, text=True, env=env, timeout=120)

    key = tmp_path / "vendor.pem"
    public = preflight("license", "keygen", "-o", str(key)).stdout.strip()
    issued = preflight(
        "license", "issue", "--issuer-key", str(key), "--key-id", "dudzian-7", "--issuer", "dudzian",
        "--licensee", request_doc["licensee"], "--profile", "desktop", "--exchange", "bybit",
        "--environment", "paper", "--environment", "live", "--days", "365",
        "--fingerprint", request_doc["fingerprint"], "-o", str(root / "var/licenses/active/license.json"),
    )  # fmt: skip
    assert issued.returncode == 0, issued.stderr
    trusted = preflight("license", "trust", "dudzian-7", "--issuer", "dudzian", "--public-key", public,
                        "--root", str(root))  # fmt: skip
    assert trusted.returncode == 0, trusted.stderr
    assert any("license trust KEY_ID" in step for step in result.next_steps)
    bad = [(r.check_id, r.message) for r in _static_results(root, env) if r.status is not Status.PASS]
    assert bad == []
    refused = preflight("license", "trust", "k", "--issuer", "x", "--public-key", "abc", "--root", str(root))
    assert refused.returncode == 2 and "44 characters" in refused.stderr


def test_adopting_a_preflight_deployment_says_it_needs_no_adoption(
    tmp_path: Path, env: dict[str, str]
) -> None:
    _create(tmp_path / "deploy", env)
    done = subprocess.run(
        ["preflight", "init", str(tmp_path / "deploy"), "--adopt"],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 2 and "already holds a preflight deployment" in done.stderr


def test_an_issuer_key_inside_the_deployment_is_refused(tmp_path: Path, env: dict[str, str]) -> None:
    with pytest.raises(UsageError, match="inside the deployment"):
        _create(tmp_path / "deploy", env, issuer_key=tmp_path / "deploy" / "issuer.pem")
    assert not (tmp_path / "deploy").exists()


class _Terminal(io.StringIO):
    """A stdin that says it is a terminal (the person typing is the StringIO's lines)."""

    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_passphrase_is_asked_twice_and_the_secret_hidden(
    tmp_path: Path, env: dict[str, str]
) -> None:
    del env["PREFLIGHT_SECRETS_PASSPHRASE"]
    hidden = iter(["typed passphrase", "typed passphrase", LIVE_SECRET])
    asked: list[str] = []

    def getpass(prompt: str) -> str:
        asked.append(prompt)
        return next(hidden)

    shown = io.StringIO()
    terminal = InitIO(stdin=_Terminal(f"{LIVE_KEY}\n"), stderr=shown, hidden=getpass)
    request = InitRequest(root=tmp_path / "deploy", account_uid="53219870", env=env)
    creator("preflight").create(request, terminal)
    assert asked == [
        "Passphrase for var/secrets/keychain.enc: ",
        "Repeat the passphrase for var/secrets/keychain.enc: ",
        "API secret for bybit_live_trading: ",
    ]
    assert "API key for bybit_live_trading: " in shown.getvalue() and LIVE_SECRET not in shown.getvalue()
    live = read_store(tmp_path / "deploy/var/secrets/keychain.enc", "typed passphrase")["bybit_live_trading"]
    assert (live.api_key, live.api_secret) == (LIVE_KEY, LIVE_SECRET)


def test_a_failed_move_takes_back_every_file_and_folder_it_made(tmp_path: Path) -> None:
    from preflight.initialise.staging import move_into_place

    staging, root = tmp_path / "staging", tmp_path / "root"
    for relpath in ("config/a.yaml", "var/x/b.json", "var/x/c.json"):
        (staging / relpath).parent.mkdir(parents=True, exist_ok=True)
        (staging / relpath).write_text(relpath)
    (root / "var/x").mkdir(parents=True)
    (root / "var/x/c.json").write_text("someone else's")  # appeared while init ran
    with pytest.raises(UsageError, match=r"c\.json: it appeared while init ran"):
        move_into_place(staging, root, ("config/a.yaml", "var/x/b.json", "var/x/c.json"))
    assert sorted(str(p.relative_to(root)) for p in root.rglob("*")) == ["var", "var/x", "var/x/c.json"]
    assert (root / "var/x/c.json").read_text() == "someone else's"
