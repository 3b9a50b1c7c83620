"""Where bot_core's OS keyring is the store, the secrets checks skip and say exactly why — never a pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from preflight.results import Status
from preflight.trust.bot_core.store_location import backend_for, default_file


@pytest.mark.parametrize("variable", ["DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS"])
def test_a_graphical_session_means_the_keyring_and_a_skip(root: Path, env, run_trust, variable: str) -> None:
    results = run_trust(root, env | {variable: ":0"})
    for check in ("secrets.paper_key.active", "secrets.live_key.active"):
        result = results[check]
        assert result.status is Status.SKIP, result.message
        assert f"bot_core picks the OS keyring ({variable} set)" in result.message
        assert "cannot read bot_core's OS keyring here" in result.message
        assert "PREFLIGHT_BOT_CORE_SECRETS" in result.message  # what to do instead


def test_an_explicit_secrets_file_is_read_even_with_a_display(root: Path, env, run_trust) -> None:
    explicit = {"DISPLAY": ":0", "PREFLIGHT_BOT_CORE_SECRETS": str(default_file(env))}
    result = run_trust(root, env | explicit)["secrets.paper_key.active"]
    assert result.status is Status.PASS, result.message


@pytest.mark.parametrize("system", ["Windows", "Darwin"])
def test_windows_and_macos_use_the_keyring(system: str) -> None:
    backend = backend_for({"HOME": "/home/op"}, system=system)
    assert backend.kind == "keyring" and backend.path is None


def test_headless_linux_uses_dudzian_home_else_the_home_folder() -> None:
    assert backend_for({"DUDZIAN_HOME": "/srv/bot"}, system="Linux").path == Path("/srv/bot/secrets.age")
    backend = backend_for({"HOME": "/home/op"}, system="Linux")
    assert backend.kind == "file" and backend.path == Path("/home/op/.dudzian/secrets.age")
    assert "~/.dudzian/secrets.age" in backend.reason
