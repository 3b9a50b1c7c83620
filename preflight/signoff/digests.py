"""The SHA-256 digest of every input a sign-off rests on.

The run records the inputs it read (``RunReport.inputs``); anything it did not record among the
deployment's standard inputs (config files, license, fingerprint) and the run's artefacts (the paper
session report and its logs) is digested at sign-off time, and the sign-off says which is which.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from preflight.errors import SignoffError
from preflight.results import RunReport

# The deployment files every Bybit go-live decision depends on (SPEC.md section 5).
STANDARD_INPUTS = (
    "config/runtime.yaml",
    "config/core.yaml",
    "var/licenses/active/license.json",
    "var/licenses/active/fingerprint.json",
)


@dataclass(frozen=True)
class DigestRow:
    """One input file: where it is, its SHA-256 (None when the file is absent), and who digested it."""

    path: str
    sha256: str | None
    recorded_by: str  # "run" (recorded by the run) or "sign-off" (computed when signing)


def sha256_file(path: Path) -> str:
    """Return the hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def display_path(path: str | Path, root: Path) -> str:
    """Show ``path`` relative to the deployment root when it lies under it."""
    candidate = Path(path)
    if not candidate.is_absolute():
        return candidate.as_posix()
    try:
        return candidate.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return candidate.as_posix()


def _absolute(path: str, root: Path) -> Path:
    candidate = Path(path)
    return candidate if candidate.is_absolute() else root / candidate


def _digest_now(path: Path) -> str | None:
    try:
        return sha256_file(path) if path.is_file() else None
    except OSError:
        return None


def collect_digests(
    report: RunReport, root: Path, extra: Sequence[Path] = (), *, require_current: bool = True
) -> tuple[DigestRow, ...]:
    """Return a digest row per input as the file is now; SignoffError when it differs from the run's.

    A sign-off attests the files as they are when it is made: an input the run read that has changed
    (or gone) since would be signed with the report's old digest, as if it were still current.
    ``require_current=False`` renders a report of files this machine does not hold (its recorded digests).
    """
    rows: dict[str, DigestRow] = {}
    for recorded in report.inputs:
        shown = display_path(recorded.path, root)
        now = _digest_now(_absolute(recorded.path, root))
        if require_current and recorded.sha256 and now != recorded.sha256:
            state = f"its SHA-256 is now {now[:12]}…" if now else "it no longer exists"
            raise SignoffError(
                f"{shown} changed since the run (the report recorded SHA-256 {recorded.sha256[:12]}…, "
                f"{state}); run the checks again to sign off the deployment as it is now"
            )
        rows.setdefault(
            shown, DigestRow(shown, recorded.sha256 or now, "run" if recorded.sha256 else "sign-off")
        )
    wanted = [*STANDARD_INPUTS, *report.artefacts.values(), *(str(p) for p in extra)]
    for path in wanted:
        shown = display_path(path, root)
        if shown not in rows:
            rows[shown] = DigestRow(shown, _digest_now(_absolute(path, root)), "sign-off")
    return tuple(rows.values())
