"""Where a run writes its artefacts: ``--artefacts-dir`` (or its environment variable), else the
deployment's own default ``preflight.artefacts_dir`` in config/runtime.yaml, else the root.

A deployment mounted read-only states once, in its own configuration, where its go-live evidence goes;
every run on it then reaches GO without a flag. The setting is read in both formats (bot_core's loader
ignores a section it does not know, so the bot runs unchanged).
"""

from __future__ import annotations

import os
from pathlib import Path

from preflight.context import RunContext
from preflight.errors import ConfigError, InputError

SETTING = "preflight.artefacts_dir"


def artefacts_root(ctx: RunContext) -> Path:
    """Return the folder the run's artefacts (and its run lock) go under; see the module docstring."""
    if ctx.options.artefacts_dir is not None:
        return ctx.options.artefacts_dir
    return ctx.memo("deployment.artefacts_root", lambda: configured(ctx) or ctx.root)


def configured(ctx: RunContext) -> Path | None:
    """Return the deployment's ``preflight.artefacts_dir`` (created if missing), None when it sets none.

    A runtime.yaml that does not load, or a value that is not a string, leaves the default: the schema
    check reports those. A folder that cannot be created or written is a ConfigError at its line.
    """
    from preflight.deployment.documents import RUNTIME_FILE, document_for

    try:
        found = document_for(ctx, RUNTIME_FILE).lookup(SETTING)
    except InputError:
        return None
    if found is None or not isinstance(found.value, str) or not found.value.strip():
        return None
    folder = Path(os.path.expanduser(found.value))
    folder = folder if folder.is_absolute() else ctx.root / folder
    fix = "point it at a folder this user can write, or pass --artefacts-dir"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigError(
            f"{SETTING} {found.value!r} cannot be created ({error.strerror or error}); {fix}", found.location
        ) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ConfigError(f"{SETTING} {found.value!r} is not writable; {fix}", found.location)
    return folder.resolve()
