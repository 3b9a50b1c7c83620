"""Initialisers: create a new deployment, or adopt an existing one, in a named deployment format.

One module per format, one line per format in the registries below (no import magic): ``CREATORS``
makes a fresh deployment in a folder, ``ADOPTERS`` takes over a checkout that already holds a
deployment of its own format. ``preflight init`` picks the entry by format name
(:class:`preflight.deployment.formats.FormatName` values).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from preflight.errors import UsageError

if TYPE_CHECKING:
    from pathlib import Path

    from preflight.initialise.base import InitIO, InitRequest, InitResult


@dataclass(frozen=True)
class Creator:
    """A format that ``preflight init DIR`` can create from nothing."""

    name: str
    summary: str
    module: str  # imported when used, so `preflight --help` stays fast

    def create(self, request: InitRequest, io: InitIO) -> InitResult:
        """Create the deployment ``request`` describes."""
        import importlib

        create: Callable[[InitRequest, InitIO], InitResult] = importlib.import_module(self.module).create
        return create(request, io)


@dataclass(frozen=True)
class Adopter:
    """A format whose existing checkouts ``preflight init DIR --adopt`` takes over (issuer, license, keys)."""

    name: str
    summary: str
    adopt: Callable[[Path, InitRequest, InitIO], InitResult]


CREATORS: Mapping[str, Creator] = {
    "preflight": Creator(
        "preflight",
        "config/runtime.yaml + config/core.yaml in preflight's own format",
        "preflight.initialise.preflight_format",
    ),
}


def _adopt_bot_core(root: Path, request: InitRequest, io: InitIO) -> InitResult:
    """Adopt a bot_core checkout (imported when used: ``preflight --help`` stays fast)."""
    from preflight.initialise import bot_core

    return bot_core.adopt(root, request, io)


ADOPTERS: Mapping[str, Adopter] = {
    "bot_core": Adopter(
        "bot_core",
        "a bot_core checkout: HMAC license + keys files, signed fingerprint file, headless secrets file",
        _adopt_bot_core,
    ),
}


def creator(name: str) -> Creator:
    """Return the creator of format ``name``; UsageError naming the known ones."""
    found = CREATORS.get(name)
    if found is None:
        raise UsageError(f"--format {name!r} cannot be created; known: {', '.join(sorted(CREATORS))}")
    return found


def adopter(name: str) -> Adopter:
    """Return the adopter of format ``name``; UsageError saying which formats can be adopted."""
    found = ADOPTERS.get(name)
    if found is None:
        known = ", ".join(sorted(ADOPTERS)) or "none in this build"
        raise UsageError(f"a {name} deployment cannot be adopted (formats that can: {known})")
    return found
