"""Smaller contract breaks: empty --root, a closed or full stdout, option bounds, NAME_MAX, fingerprint
factors across users, and look-alike names."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from preflight.fsutil import atomic_write_text
from preflight.trust.fingerprint import fingerprint_from_factors, system_factors

ENTRYPOINT = "bybit_desktop_paper"
QUICK = ("--no-paper", "--offline")  # nothing here needs the session or the network


def _preflight(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "preflight", *args],
        capture_output=kwargs.pop("capture_output", True),
        text=True,
        timeout=600,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
        **kwargs,
    )


def test_an_empty_root_is_a_usage_error(tmp_path: Path) -> None:
    done = _preflight("run", ENTRYPOINT, "--root", "", cwd=tmp_path)
    assert done.returncode == 2 and "--root is empty" in done.stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--ticks", "10001"), "--ticks"),
        (("--faults", "bogus=1"), "bad fault 'bogus=1' in --faults"),
        (("--faults", "rate_limit=2"), "must be a probability"),
    ],
)
def test_out_of_range_session_options_are_usage_errors(
    demo_root: Path, args: tuple[str, ...], words: str
) -> None:
    done = _preflight("run", ENTRYPOINT, "--root", str(demo_root), *args)
    assert done.returncode == 2 and words in done.stderr


def test_a_reader_that_went_away_leaves_the_verdicts_exit_code(demo_root: Path) -> None:
    """``| head`` closed the pipe: the GO still exits 0, with nothing on stderr."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # every write to the pipe fails with EPIPE
    try:
        done = subprocess.run(
            [sys.executable, "-m", "preflight", "run", ENTRYPOINT, "--root", str(demo_root), *QUICK],
            stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=600, check=False,
        )  # fmt: skip
    finally:
        os.close(write_end)
    assert done.returncode == 0 and done.stderr == ""


def test_a_closed_stdout_leaves_the_verdicts_exit_code(demo_root: Path) -> None:
    command = shlex.join(
        [sys.executable, "-m", "preflight", "run", ENTRYPOINT, "--root", str(demo_root), *QUICK]
    )
    done = subprocess.run(["sh", "-c", f"exec {command} >&-"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0 and done.stderr == ""


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full to fill the disk under stdout")
def test_stdout_on_a_full_disk_says_so_and_exits_2(demo_root: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "preflight", "run", ENTRYPOINT, "--root", str(demo_root), *QUICK,
             "--format", "json", "-o", str(report)],
            stdout=full, stderr=subprocess.PIPE, text=True, timeout=600, check=False,
        )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "cannot write the report to <stdout>: No space left on device" in done.stderr
    assert "internal error" not in done.stderr and report.is_file()


def test_an_output_name_at_name_max_is_written(tmp_path: Path) -> None:
    """The temporary name of an atomic write fits NAME_MAX whenever the final name does."""
    limit = os.pathconf(tmp_path, "PC_NAME_MAX")
    target = tmp_path / ("r" * (limit - len(".json")) + ".json")
    atomic_write_text(target, "{}\n")
    assert target.read_text() == "{}\n" and [p.name for p in tmp_path.iterdir()] == [target.name]


def _machine(root: Path, *, product_uuid: bool) -> Path:
    (root / "etc").mkdir(parents=True)
    (root / "etc/machine-id").write_text("abc123\n")
    (root / "proc").mkdir()
    (root / "proc/cpuinfo").write_text("model name\t: Test CPU\n")
    if product_uuid:  # root sees it; an unprivileged service user gets EACCES on the real file
        (root / "sys/class/dmi/id").mkdir(parents=True)
        (root / "sys/class/dmi/id/product_uuid").write_text("4C4C4544-0042\n")
    return root


def test_the_fingerprint_is_the_same_for_root_and_an_unprivileged_user(tmp_path: Path) -> None:
    """The root-only DMI product UUID is no factor: both users compute one fingerprint."""
    as_root = fingerprint_from_factors(system_factors(_machine(tmp_path / "root", product_uuid=True)))
    as_user = fingerprint_from_factors(system_factors(_machine(tmp_path / "user", product_uuid=False)))
    assert as_root.value == as_user.value and "product_uuid" not in as_root.factors


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None, reason="needs root and setpriv")
def test_the_real_machine_fingerprint_matches_across_users() -> None:
    """On this machine: the factors read as root equal those read as nobody."""
    script = "from preflight.trust.fingerprint import system_factors as f; print(sorted(f().items()))"
    as_root = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    as_nobody = subprocess.run(
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-c", script],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if as_nobody.returncode != 0:
        pytest.skip(f"nobody cannot run this interpreter here: {as_nobody.stderr.strip()[-200:]}")
    assert as_root.stdout == as_nobody.stdout


def test_look_alike_entrypoint_names_are_said_to_differ(demo_root: Path, tmp_path: Path) -> None:
    """An NFD name in runtime.yaml and an NFC one on the command line: the error says how they differ."""
    root = tmp_path / "deploy"
    shutil.copytree(demo_root, root)
    runtime = root / "config" / "runtime.yaml"
    decomposed = unicodedata.normalize("NFD", "bybit_desktop_papér")
    runtime.write_text(runtime.read_text().replace(f"{ENTRYPOINT}:", f"{decomposed}:", 1))
    done = _preflight("run", unicodedata.normalize("NFC", "bybit_desktop_papér"), "--root", str(root), *QUICK)
    assert done.returncode == 2
    assert "look alike but differ in Unicode normalisation: composed (NFC) vs decomposed (NFD)" in done.stderr
