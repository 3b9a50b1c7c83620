"""Atomic writes keep the permissions a plain write would give, unless a mode is asked for."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from preflight.fsutil import atomic_write_bytes, atomic_write_text


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_file_gets_the_umask_default_not_0600(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    os.umask(umask)
    target = tmp_path / "report.json"
    atomic_write_text(target, "{}\n")
    assert target.read_text(encoding="utf-8") == "{}\n"
    assert _mode(target) == 0o666 & ~umask


def test_replacing_a_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "README.md"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    atomic_write_text(target, "new\n")
    assert target.read_text(encoding="utf-8") == "new\n"
    assert _mode(target) == 0o640


def test_explicit_mode_wins_and_no_temporary_file_is_left(tmp_path: Path) -> None:
    target = tmp_path / "keychain.enc"
    target.write_bytes(b"old")
    target.chmod(0o644)
    atomic_write_bytes(target, b"secret", mode=0o600)
    assert _mode(target) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["keychain.enc"]
