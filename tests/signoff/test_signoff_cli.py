"""``preflight signoff ENTRYPOINT`` and ``preflight signoff verify FILE`` through the real CLI entry point."""

from __future__ import annotations

import stat
from dataclasses import replace
from pathlib import Path
from types import ModuleType

import pytest

from preflight.cli.app import main
from preflight.reporters.json_report import JsonReporter
from preflight.results import RunReport, Status, verdict_for


def run_cli(
    args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    """Run ``preflight ARGS`` in-process; return (exit code, stdout, stderr)."""
    monkeypatch.setattr("sys.argv", ["preflight", *args])
    with pytest.raises(SystemExit) as done:
        main()
    captured = capsys.readouterr()
    code = done.value.code
    return (code if isinstance(code, int) else 1), captured.out, captured.err


@pytest.fixture(autouse=True)
def sample_runbook_maps(monkeypatch: pytest.MonkeyPatch, samples: ModuleType) -> None:
    """Pin the runbook lookups to the sample's (the packaged runbook grows as checks land)."""
    maps = (samples.VARIABLES, samples.SEE, {})
    monkeypatch.setattr("preflight.cli.signoff_cmd._runbook_maps", lambda runbook_id: maps)


def _local(report: RunReport, root: Path) -> RunReport:
    """Return the sample report as a run of ``root``, whose inputs exist with the recorded digests."""
    inputs = []
    for recorded, content in zip(report.inputs, (b"runtime", b"core"), strict=True):
        path = root / Path(recorded.path).relative_to(report.root)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        inputs.append(replace(recorded, path=str(path)))
    return replace(report, root=str(root), inputs=tuple(inputs))


@pytest.fixture
def report_file(tmp_path: Path, report: RunReport) -> Path:
    path = tmp_path / "report.json"
    path.write_text(JsonReporter().render(_local(report, tmp_path)), encoding="utf-8")
    return path


def test_signoff_from_a_report_whose_input_changed_since_refuses_naming_the_file(
    tmp_path: Path, report_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "config" / "runtime.yaml").write_bytes(b"changed since the run")
    out_file = tmp_path / "signoff.md"
    code, _out, err = run_cli(_sign(tmp_path, report_file, "-o", str(out_file)), monkeypatch, capsys)
    assert code == 1 and not out_file.exists()
    assert "config/runtime.yaml changed since the run (the report recorded SHA-256 " in err
    (tmp_path / "config" / "runtime.yaml").unlink()
    code, _, err = run_cli(_sign(tmp_path, report_file, "-o", str(out_file)), monkeypatch, capsys)
    assert code == 1 and "config/runtime.yaml changed since the run" in err and "no longer exists" in err


def _sign(tmp_path: Path, report_file: Path, *extra: str) -> list[str]:
    return [
        "signoff",
        "bybit_desktop_paper",
        "--operator",
        "Jan Nowak",
        "--from-report",
        str(report_file),
        "--root",
        str(tmp_path),
        *extra,
    ]


def test_signoff_from_report_writes_a_signed_file_that_verifies(
    tmp_path: Path, report_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "signoff.md"
    code, out, _ = run_cli(_sign(tmp_path, report_file, "-o", str(out_file)), monkeypatch, capsys)
    assert code == 0
    key_path = tmp_path / "var" / "signoff" / "signing_key.pem"
    assert f"created signing key {key_path} (mode 0600" in out
    assert f"sign-off written: {out_file}" in out
    assert "verdict: GO WITH EXCEPTIONS: 1 skipped, 1 waived" in out
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    text = out_file.read_text(encoding="utf-8")
    assert "| Evaluated from | report " in text and "report.json" in text
    assert "- [x] The paper report satisfies every item of step 4." in text  # see: [paper.] from the runbook
    key_body = "".join(key_path.read_text().strip().splitlines()[1:-1])
    assert key_body not in out and key_body not in text

    public = tmp_path / "var" / "signoff" / "signing_key.pub.pem"
    code, out, _ = run_cli(["signoff", "verify", str(out_file), "--root", str(tmp_path)], monkeypatch, capsys)
    assert (
        code == 0
        and out == f"signature valid (key id {_key_id(public)}); signed by the deployment's key {public}\n"
    )
    monkeypatch.chdir(tmp_path)  # the default root is the current directory
    code, out, _ = run_cli(["signoff", "verify", str(out_file)], monkeypatch, capsys)
    assert code == 0 and "signed by the deployment's key" in out

    code, out, _ = run_cli(
        ["signoff", "verify", str(out_file), "--public-key", str(public)], monkeypatch, capsys
    )
    assert code == 0 and f"signed by the key given with --public-key {public}" in out
    trust = tmp_path / "trusted.pem"
    trust.write_text(_other_public_pem() + public.read_text(), encoding="ascii")
    code, out, _ = run_cli(
        ["signoff", "verify", str(out_file), "--trust-list", str(trust)], monkeypatch, capsys
    )
    assert code == 0 and f"signed by a key of the trust list {trust}" in out


def _key_id(public: Path) -> str:
    from preflight.signoff.sign import key_id_for
    from preflight.signoff.verify import load_public_key

    return key_id_for(load_public_key(public))


def _other_public_pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate().public_key()
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def test_a_sign_off_re_signed_with_a_key_embedded_in_itself_is_not_valid(
    tmp_path: Path, report_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from preflight.signoff.sign import from_private_key, sign_text
    from preflight.signoff.verify import split_signed

    out_file = tmp_path / "signoff.md"
    run_cli(_sign(tmp_path, report_file, "-o", str(out_file)), monkeypatch, capsys)
    content, _, _ = split_signed(out_file.read_bytes())
    forged = content.decode().replace("- [ ] API keys", "- [x] API keys")
    attacker = from_private_key(Ed25519PrivateKey.generate(), tmp_path / "attacker.pem")
    out_file.write_text(sign_text(forged, attacker), encoding="utf-8")
    code, out, err = run_cli(
        ["signoff", "verify", str(out_file), "--root", str(tmp_path)], monkeypatch, capsys
    )
    assert code == 1 and out == "" and err.count("\n") == 1
    assert f"signed by a different key than the deployment's key {tmp_path}" in err
    assert f"file: key id {attacker.key_id}" in err and "re-signed with a key embedded in itself" in err


def test_verify_without_any_trusted_key_is_not_valid(
    tmp_path: Path, report_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "signoff.md"
    run_cli(_sign(tmp_path, report_file, "-o", str(out_file)), monkeypatch, capsys)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.delenv("PREFLIGHT_SIGNOFF_TRUST_LIST", raising=False)
    code, out, err = run_cli(["signoff", "verify", str(out_file)], monkeypatch, capsys)
    assert code == 1 and out == ""
    assert "no trusted key to verify against" in err and "pass --root DIR" in err


def test_verify_of_a_changed_sign_off_exits_1_with_one_line(
    tmp_path: Path, report_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "signoff.md"
    run_cli(_sign(tmp_path, report_file, "-o", str(out_file)), monkeypatch, capsys)
    out_file.write_text(out_file.read_text().replace("[ ] API keys", "[x] API keys"), encoding="utf-8")
    code, out, err = run_cli(
        ["signoff", "verify", str(out_file), "--root", str(tmp_path)], monkeypatch, capsys
    )
    assert code == 1 and out == ""
    problem = "content changed after signing (its SHA-256 no longer matches the signed digest)"
    assert err == f"preflight: {out_file}: {problem}\n"


def test_verify_against_another_deployments_key_fails(
    tmp_path: Path, report_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "signoff.md"
    run_cli(_sign(tmp_path, report_file, "-o", str(out_file)), monkeypatch, capsys)
    other_root = tmp_path / "other"
    other_root.mkdir()
    run_cli(_sign(other_root, report_file, "-o", str(other_root / "x.md")), monkeypatch, capsys)
    other_public = other_root / "var" / "signoff" / "signing_key.pub.pem"
    code, _, err = run_cli(
        ["signoff", "verify", str(out_file), "--public-key", str(other_public)], monkeypatch, capsys
    )
    assert code == 1 and "signed by a different key than the key given with --public-key" in err
    assert err.count("\n") == 1


def test_create_alias_stdout_and_explicit_key(
    tmp_path: Path, report_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key_file = tmp_path / "team.pem"
    key_file.write_bytes(
        Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    key_file.chmod(0o600)
    args = _sign(tmp_path, report_file, "-o", "-", "--signing-key", str(key_file))
    args.insert(1, "create")
    code, out, err = run_cli(args, monkeypatch, capsys)
    assert code == 0
    assert out.startswith("# Go-live sign-off: ") and out.rstrip().endswith("-->")
    assert "verdict: GO WITH EXCEPTIONS" in err and "created signing key" not in err + out
    assert not (tmp_path / "var" / "signoff").exists()


def test_no_go_report_still_writes_the_sign_off_and_exits_1(
    tmp_path: Path, report: RunReport, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tuple(
        replace(r, status=Status.FAIL) if r.check_id == "license.profile" else r for r in report.results
    )
    failing = replace(report, results=results, verdict=verdict_for(results, report.fail_on))
    path = tmp_path / "failing.json"
    path.write_text(JsonReporter().render(_local(failing, tmp_path)), encoding="utf-8")
    out_file = tmp_path / "signoff.md"
    code, out, _ = run_cli(_sign(tmp_path, path, "-o", str(out_file)), monkeypatch, capsys)
    assert code == 1
    assert "verdict: NO-GO: 1 item failed, 1 skipped, 1 waived" in out
    assert "## Verdict: NO-GO" in out_file.read_text()


def test_usage_errors_exit_2(
    tmp_path: Path, report_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    args = _sign(tmp_path, report_file)
    args[1] = "bybit_desktop_live"
    code, _, err = run_cli(args, monkeypatch, capsys)
    assert code == 2 and "is a run of entrypoint 'bybit_desktop_paper', not 'bybit_desktop_live'" in err
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    code, _, err = run_cli(_sign(tmp_path, bad), monkeypatch, capsys)
    assert code == 2 and err.startswith(f"preflight: {bad}:1:2: not valid JSON")
    code, _, err = run_cli(["signoff", "verify", str(tmp_path / "none.md")], monkeypatch, capsys)
    assert code == 2 and "no such file" in err
    code, _, err = run_cli(_sign(tmp_path / "missing", report_file), monkeypatch, capsys)
    assert code == 2 and "does not exist or is not a directory; pass --root" in err
    assert not (tmp_path / "missing").exists()
    code, _, err = run_cli(_sign(tmp_path, report_file, "--operator", "  "), monkeypatch, capsys)
    assert code == 2 and "--operator must name the person signing off" in err


def test_help_shows_both_forms(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["signoff", "--help"], monkeypatch, capsys)
    assert code == 0
    assert "preflight signoff ENTRYPOINT --operator NAME" in out
    assert "preflight signoff verify FILE [--root DIR | --public-key FILE | --trust-list FILE]" in out
    assert "GO WITH EXCEPTIONS" in out


def test_the_packaged_runbook_provides_see_selectors_and_declared_checks() -> None:
    from preflight.catalog import load_runbook
    from preflight.signoff.selectors import declared_checks, see_selectors

    runbook = load_runbook("bybit_go_live")
    assert see_selectors(runbook)["paper_report"] == ("paper.",)
    declared = declared_checks(runbook)
    assert set(declared) >= {"step1", "license_oem", "paper_report", "smoke"}
    assert declared["paper_report"] == ()


def test_sample_report_round_trips_through_the_json_report(samples: ModuleType, report: RunReport) -> None:
    from preflight.reporters.json_report import parse_report

    assert parse_report(JsonReporter().render(report)) == samples.sample_report()


def test_an_output_onto_an_input_is_refused(
    tmp_path: Path, report_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    runtime = tmp_path / "config" / "runtime.yaml"
    code, _, err = run_cli(_sign(tmp_path, report_file, "-o", str(runtime)), monkeypatch, capsys)
    assert code == 2 and "an output never overwrites an input" in err
    assert runtime.read_bytes() == b"runtime"
    code, _, err = run_cli(_sign(tmp_path, report_file, "-o", str(report_file)), monkeypatch, capsys)
    assert code == 2 and "an input of this run" in err


def test_a_malformed_exchange_url_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["signoff", "bybit_desktop_paper", "--operator", "Jan", "--root", str(tmp_path)]
    code, _, err = run_cli([*args, "--exchange-url", "ftp://x"], monkeypatch, capsys)
    assert code == 2 and "--exchange-url 'ftp://x' is not an http:// or https:// URL" in err
