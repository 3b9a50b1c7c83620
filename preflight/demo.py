"""The demo deployment: a copy of the packaged sample config, provisioned step by step in PROVISIONERS."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from preflight.errors import UsageError
from preflight.trust.demo import provision_trust

DEMO_ENTRYPOINT = "bybit_desktop_paper"
DEMO_RUNBOOK = "bybit_go_live"
MARKER = ".preflight-demo"

Provisioner = Callable[[Path], None]

# The demo's provisioning steps, run in order on the deployment root after the config is copied
# (license, fingerprint and secrets provisioning register here). An explicit tuple: no import magic.
PROVISIONERS: tuple[Provisioner, ...] = (
    provision_trust,  # issuer key trusted by the copy, fingerprint.json, license, secrets store
)


def is_demo_root(directory: Path) -> bool:
    """Say whether ``directory`` was created by ``preflight demo``."""
    return (directory / MARKER).is_file()


def _claim(directory: Path | None) -> Path:
    if directory is None:
        return Path(tempfile.mkdtemp(prefix="preflight-demo-")).resolve()
    root = directory.resolve()
    if root.exists() and not root.is_dir():
        raise UsageError(f"--dir {directory} is a file; pass an empty or new folder")
    if root.is_dir() and any(root.iterdir()) and not is_demo_root(root):
        raise UsageError(
            f"--dir {directory} is not empty and is not a demo deployment; pass an empty or new folder"
        )
    root.mkdir(parents=True, exist_ok=True)
    return root


def prepare_demo(directory: Path | None = None) -> Path:
    """Create (or refresh) a demo deployment in ``directory`` or a fresh temporary folder; return its root."""
    from preflight.fsutil import atomic_write_text
    from preflight.resources import sample_config_dir

    root = _claim(directory)
    config = root / "config"
    if config.exists():  # an earlier demo: start again from the packaged sample, not from edits
        shutil.rmtree(config)
    shutil.copytree(sample_config_dir(), config, ignore=shutil.ignore_patterns("__pycache__"))
    atomic_write_text(
        root / MARKER, "Created by `preflight demo`; `preflight demo --dir` may overwrite it.\n"
    )
    for provision in PROVISIONERS:
        provision(root)
    return root
