"""Find the secrets-store passphrase: environment variable, then passphrase file, then a TTY prompt."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from preflight.errors import SecretsError

_MAX_BYTES = 4096  # a passphrase is one line; a big file is the wrong file

if TYPE_CHECKING:
    from preflight.deployment.model import Deployment


def _tty_prompt(text: str) -> str:
    import getpass

    return getpass.getpass(text)


def _read_passphrase_file(path: Path, shown: str, env_name: str) -> str:
    """Return the passphrase file's text without its line break; SecretsError naming the fix otherwise."""
    try:
        if not path.is_file():  # a FIFO would block the run; a folder cannot hold a passphrase
            raise SecretsError(
                f"the passphrase file {shown} is not a regular file; replace it with a file "
                f"holding the passphrase or set {env_name}"
            )
        with path.open("rb") as handle:
            data = handle.read(_MAX_BYTES + 1)
    except OSError as problem:
        raise SecretsError(
            f"cannot read the passphrase file {shown} ({type(problem).__name__}); "
            f"fix its permissions or set {env_name}"
        ) from None
    if len(data) > _MAX_BYTES:
        raise SecretsError(
            f"the passphrase file {shown} is over {_MAX_BYTES} bytes; write only the passphrase in it"
        )
    try:
        return data.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError as problem:
        line = data.count(b"\n", 0, problem.start) + 1
        # The bad byte is part of a secret: name only where it is, never its value.
        raise SecretsError(
            f"the passphrase file {shown} is not UTF-8 text (line {line}); save the passphrase as "
            f"UTF-8 or set {env_name}"
        ) from None


read_passphrase_file = _read_passphrase_file  # public name for the bot_core headless file's passphrase


def resolve_passphrase(
    deployment: Deployment,
    env: Mapping[str, str],
    *,
    prompt: Callable[[str], str] | None = None,
    confirm: bool = False,
) -> str:
    """Return the passphrase from ``secrets.passphrase_env``, ``secrets.passphrase_file`` or a prompt.

    A prompt is used only when one is injected or stdin is a terminal; otherwise the caller gets one
    sentence naming the three sources. ``confirm`` asks twice (when creating a store).
    """
    settings = deployment.core.secrets
    from_env = env.get(settings.passphrase_env)
    if from_env:
        return from_env
    if settings.passphrase_file:
        path = deployment.root / settings.passphrase_file
        if path.exists():
            text = _read_passphrase_file(path, settings.passphrase_file, settings.passphrase_env)
            if not text:
                raise SecretsError(
                    f"the passphrase file {settings.passphrase_file} is empty; write the passphrase in it"
                )
            return text
    if prompt is None and sys.stdin.isatty():
        prompt = _tty_prompt
    if prompt is None:
        where = f", write it to {settings.passphrase_file} (mode 0600)" if settings.passphrase_file else ""
        raise SecretsError(
            f"no passphrase for the secrets store {settings.path}: set {settings.passphrase_env}{where}, "
            "or run on a terminal to be asked"
        )
    passphrase = prompt(f"Passphrase for {settings.path}: ")
    if not passphrase:
        raise SecretsError("an empty passphrase cannot open the secrets store; enter the passphrase")
    if confirm and prompt(f"Repeat the passphrase for {settings.path}: ") != passphrase:
        raise SecretsError("the two passphrases differ; run the command again")
    return passphrase
