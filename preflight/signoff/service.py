"""Make a sign-off: assess the report, digest the inputs, render, sign, and write it atomically."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from preflight import __version__
from preflight.errors import UsageError
from preflight.fsutil import atomic_write_text, file_component
from preflight.results import RunReport
from preflight.signoff.assess import VerdictLine, assess
from preflight.signoff.digests import collect_digests
from preflight.signoff.render import SignoffMeta, render_signoff
from preflight.signoff.sign import SigningKey, default_signing_key, load_signing_key, sign_text

STDOUT = Path("-")


@dataclass(frozen=True)
class SignoffRequest:
    """What the operator asked for: who signs, where to write, which key, and how the report came."""

    root: Path
    operator: str
    output: Path | None = None  # None: reports/signoff/<entrypoint>-<stamp>.md under the root; "-": stdout
    signing_key: Path | None = None  # None: the deployment's key, created on first use
    source: str = "a fresh run of the runbook"
    variables: Mapping[str, str] = field(default_factory=dict)  # runbook variables for item text
    see: Mapping[str, Sequence[str]] = field(default_factory=dict)  # item id -> ``see:`` selectors
    declared: Mapping[str, Sequence[str]] = field(default_factory=dict)  # item id -> its declared check ids
    extra_inputs: tuple[Path, ...] = ()  # more files to digest (e.g. the --from-report file)
    require_current_inputs: bool = True  # refuse when an input changed since the run (False: render only)


@dataclass(frozen=True)
class SignoffResult:
    """The signed text, where it went, its verdict, and the key that signed it."""

    text: str
    path: Path | None  # None when written to stdout
    verdict: VerdictLine
    key: SigningKey


def utc_now() -> datetime:
    """Return the current time in UTC (the default clock)."""
    return datetime.now(UTC)


def default_output(root: Path, entrypoint: str, when: datetime) -> Path:
    """Return ``reports/signoff/<entrypoint>-<UTC stamp>.md`` under the deployment root."""
    name = file_component(entrypoint, "entrypoint")  # from the CLI or a report: never a path
    return root / "reports" / "signoff" / f"{name}-{when.astimezone(UTC):%Y%m%dT%H%M%SZ}.md"


def check_operator(name: str) -> str:
    """Return the operator's name on one line; UsageError when it is empty."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise UsageError("--operator must name the person signing off (it was empty)")
    return cleaned


def build_signoff(
    report: RunReport, request: SignoffRequest, key: SigningKey, signed_at: datetime
) -> tuple[str, VerdictLine]:
    """Return the signed Markdown and its verdict line (nothing is written)."""
    assessment = assess(report, request.see, request.declared)
    digests = collect_digests(
        report, request.root, request.extra_inputs, require_current=request.require_current_inputs
    )
    meta = SignoffMeta(
        operator=check_operator(request.operator),
        signed_at=signed_at,
        tool_version=__version__,
        key_id=key.key_id,
        source=request.source,
        variables=request.variables,
    )
    return sign_text(render_signoff(report, assessment, digests, meta), key), assessment.verdict


def create_signoff(
    report: RunReport,
    request: SignoffRequest,
    *,
    clock: Callable[[], datetime] = utc_now,
    env: Mapping[str, str] | None = None,
) -> SignoffResult:
    """Sign off ``report``: load (or create) the key, render, sign, and write the file atomically."""
    check_operator(request.operator)
    environment = dict(env) if env is not None else None
    if request.signing_key is not None:
        key = load_signing_key(request.signing_key, environment)
    else:
        key = default_signing_key(request.root, environment)
    signed_at = clock()
    text, verdict = build_signoff(report, request, key, signed_at)
    if request.output == STDOUT:
        return SignoffResult(text, None, verdict, key)
    path = request.output or default_output(request.root, report.entrypoint, signed_at)
    atomic_write_text(path, text)
    return SignoffResult(text, path, verdict, key)
