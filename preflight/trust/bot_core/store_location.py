"""Where bot_core keeps an environment's API keys on this machine, and the headless file's passphrase.

bot_core's ``create_default_secret_storage`` picks the OS keyring on Windows and macOS and on Linux with
``DISPLAY``/``WAYLAND_DISPLAY``/``DBUS_SESSION_BUS_ADDRESS`` set; on headless Linux an encrypted file,
``$DUDZIAN_HOME/secrets.age`` (default ``~/.dudzian/secrets.age``). preflight follows the same rule over
the run's environment variables; ``PREFLIGHT_BOT_CORE_SECRETS`` names the file explicitly (what the bot's
scripts get as ``--headless-secrets-path``). The passphrase comes from ``PREFLIGHT_BOT_CORE_PASSPHRASE``
or the file ``PREFLIGHT_BOT_CORE_PASSPHRASE_FILE`` names — never from the command line.
"""

from __future__ import annotations

import platform
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from preflight.errors import SecretsError

SECRETS_PATH_ENV = "PREFLIGHT_BOT_CORE_SECRETS"
PASSPHRASE_ENV = "PREFLIGHT_BOT_CORE_PASSPHRASE"
PASSPHRASE_FILE_ENV = "PREFLIGHT_BOT_CORE_PASSPHRASE_FILE"
HOME_ENV = "DUDZIAN_HOME"
GUI_ENV_VARS = ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS")
KEYRING_UNREADABLE = (
    "preflight cannot read bot_core's OS keyring here: its entries are AES-GCM sealed under a master key "
    "bound to the device's hardware id (bot_core/security/keyring_storage.py), which only bot_core "
    f"computes; to check a headless secrets file instead, set {SECRETS_PATH_ENV} to its path"
)


@dataclass(frozen=True)
class SecretsBackend:
    """The store bot_core would use: ``file`` (with its path) or ``keyring``; ``reason`` says why."""

    kind: str  # "file" | "keyring"
    path: Path | None
    reason: str


def default_file(env: Mapping[str, str]) -> Path:
    """Return bot_core's headless file: ``$DUDZIAN_HOME/secrets.age``, else ``~/.dudzian/secrets.age``."""
    home = env.get(HOME_ENV)
    if home:
        return Path(home).expanduser() / "secrets.age"
    user_home = env.get("HOME")
    return (Path(user_home) if user_home else Path.home()) / ".dudzian" / "secrets.age"


def backend_for(env: Mapping[str, str], system: str | None = None) -> SecretsBackend:
    """Pick the store as bot_core's factory does for this machine and these environment variables."""
    explicit = env.get(SECRETS_PATH_ENV)
    if explicit:
        return SecretsBackend(
            "file",
            Path(explicit).expanduser(),
            f"named by {SECRETS_PATH_ENV} (bot_core reads such a file only on headless Linux, when its "
            "scripts get --headless-secrets-path)",
        )
    name = (system or platform.system()).lower()
    if name in ("windows", "darwin"):
        return SecretsBackend("keyring", None, f"bot_core uses the OS keyring on {platform.system() or name}")
    gui = [var for var in GUI_ENV_VARS if env.get(var)]
    if name != "linux" or gui:
        why = f"{', '.join(gui)} set" if gui else f"system {name}"
        return SecretsBackend("keyring", None, f"bot_core picks the OS keyring ({why})")
    path = default_file(env)
    where = f"${HOME_ENV}/secrets.age" if env.get(HOME_ENV) else "~/.dudzian/secrets.age"
    return SecretsBackend("file", path, f"headless Linux: bot_core's default file {where}")


def passphrase_for(env: Mapping[str, str], shown_file: str) -> str:
    """Return the headless file's passphrase; SecretsError naming both sources when neither is set."""
    from preflight.trust.passphrase import read_passphrase_file

    value = env.get(PASSPHRASE_ENV)
    if value:
        return value
    file_name = env.get(PASSPHRASE_FILE_ENV)
    if file_name:
        text = read_passphrase_file(Path(file_name).expanduser(), file_name, PASSPHRASE_ENV)
        if text:
            return text
        raise SecretsError(f"the passphrase file {file_name} is empty; write the passphrase in it")
    raise SecretsError(
        f"no passphrase for bot_core's secrets file {shown_file}; set {PASSPHRASE_ENV}, or "
        f"{PASSPHRASE_FILE_ENV} to a file (mode 0600) holding it"
    )
