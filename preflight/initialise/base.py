"""What ``preflight init`` is asked (InitRequest), how it asks (InitIO) and what it made (InitResult)."""

from __future__ import annotations

import re
import shlex
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from preflight.errors import UsageError

DEFAULT_ENTRYPOINT = "bybit_desktop_paper"
DEFAULT_PAPER_ENVIRONMENT = "bybit_paper"
DEFAULT_LIVE_ENVIRONMENT = "bybit_live"
DEFAULT_LIVE_ENDPOINT = "https://api.bybit.com"
DEFAULT_ISSUER = "dudzian"
DEFAULT_DAYS = 365
PROFILE = "desktop"

# The runtime schema's rule for entrypoint names; environment names become keychain entry names
# (<environment>_trading), which the keychain restricts to lower-case identifiers.
_ENTRYPOINT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_ENVIRONMENT = re.compile(r"^[a-z][a-z0-9_]*$")
_UID = re.compile(r"^[0-9]{1,20}$")
_URL = re.compile(r"^https?://\S+$")


@dataclass(frozen=True)
class InitRequest:
    """The operator's choices for a new deployment (validated by :meth:`validate`)."""

    root: Path
    entrypoint: str = DEFAULT_ENTRYPOINT
    paper_environment: str = DEFAULT_PAPER_ENVIRONMENT
    live_environment: str = DEFAULT_LIVE_ENVIRONMENT
    account_uid: str = ""
    live_endpoint: str = DEFAULT_LIVE_ENDPOINT
    paper_endpoint: str = "embedded"
    licensee: str = ""
    issuer: str = DEFAULT_ISSUER
    days: int = DEFAULT_DAYS
    issuer_key: Path | None = None  # None: a new key under the user's config folder, outside the root
    request_license: bool = False  # write a license request for an external issuer instead of a license
    env: Mapping[str, str] = field(default_factory=dict)

    def validate(self) -> None:
        """Raise UsageError naming the flag whose value cannot make a valid deployment."""
        if not _ENTRYPOINT.match(self.entrypoint) or self.entrypoint == "summary":
            raise UsageError(
                f"--entrypoint {self.entrypoint!r}: use letters, digits, '_' and '-' (and not 'summary')"
            )
        for flag, name in (
            ("--paper-environment", self.paper_environment),
            ("--live-environment", self.live_environment),
        ):
            if not _ENVIRONMENT.match(name):
                raise UsageError(f"{flag} {name!r}: use lower-case letters, digits and '_', e.g. bybit_paper")
        if self.paper_environment == self.live_environment:
            raise UsageError("--paper-environment and --live-environment must differ")
        if not self.account_uid:
            raise UsageError(
                "--account-uid is required: the numeric UID of the Bybit account the live key belongs to "
                "(Bybit: Account > UID)"
            )
        if not _UID.match(self.account_uid):
            raise UsageError(
                f"--account-uid {self.account_uid!r}: give the numeric UID of the Bybit account the live "
                "key belongs to (Bybit: Account > UID)"
            )
        if not _URL.match(self.live_endpoint):
            raise UsageError(
                f"--live-endpoint {self.live_endpoint!r}: give a URL, e.g. {DEFAULT_LIVE_ENDPOINT}"
            )
        if self.paper_endpoint != "embedded" and not _URL.match(self.paper_endpoint):
            raise UsageError(
                f"--paper-endpoint {self.paper_endpoint!r}: `embedded` (the built-in simulator) or a URL"
            )
        if not self.issuer.strip():
            raise UsageError("--issuer must not be empty")
        if self.days < 1:
            raise UsageError("--days must be at least 1")

    @property
    def base_name(self) -> str:
        """Return the entrypoint without ``_paper`` (names the trading profile and the live entrypoint)."""
        return self.entrypoint.removesuffix("_paper")

    @property
    def live_entrypoint(self) -> str:
        """Return the name of the live entrypoint (the go-live target of the paper one)."""
        return f"{self.base_name}_live"

    @property
    def trading_profile(self) -> str:
        """Return the trading profile: the entrypoint without ``_paper``, else ``<entrypoint>_trading``."""
        return self.base_name if self.base_name != self.entrypoint else f"{self.entrypoint}_trading"

    def keychain_key(self, environment: str) -> str:
        """Return the keychain entry name of ``environment``."""
        return f"{environment}_trading"


@dataclass
class InitIO:
    """How init asks the operator: prompts on a terminal, else one answer per line of stdin."""

    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    hidden: Callable[[str], str] | None = None  # the hidden prompt (getpass on a terminal)

    @property
    def interactive(self) -> bool:
        """Say whether answers come from a person at a terminal."""
        return self.stdin.isatty()

    def ask(self, question: str, *, secret: bool = False) -> str:
        """Return the answer to ``question`` (stripped; '' at the end of stdin)."""
        if not self.interactive:
            return self.stdin.readline().strip()
        if secret:
            import getpass

            return (self.hidden or getpass.getpass)(question).strip()
        self.stderr.write(question)
        self.stderr.flush()
        return self.stdin.readline().strip()

    def say(self, text: str) -> None:
        """Tell the operator something (stderr: stdout stays for the final command)."""
        self.stderr.write(text + "\n")
        self.stderr.flush()


@dataclass(frozen=True)
class InitResult:
    """What init made, and what to do next."""

    root: Path
    written: tuple[str, ...]  # files created, relative to the root
    issuer_key: Path | None  # the private issuer key (outside the root), None when a license was requested
    vars_file: str  # relative to the root
    variables: Mapping[str, str]
    entrypoint: str
    needs_vars: bool  # the names differ from the runbook's defaults: `run` needs the vars file
    passphrase_from: str  # where `run` takes the secrets store's passphrase from, as the operator sets it
    next_steps: tuple[str, ...] = ()
    command: str | None = None  # the check command when the format needs more than root and vars

    def run_command(self, shown_root: str) -> str:
        """Return the exact ``preflight run`` command for this deployment, as the operator types it."""
        if self.command is not None:
            return self.command
        parts = ["preflight", "run", self.entrypoint, "--root", shown_root]
        if self.needs_vars:
            parts += ["--vars", f"{shown_root.rstrip('/')}/{self.vars_file}"]
        return shlex.join(parts)
