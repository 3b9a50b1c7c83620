"""The typed paper report: what every paper check, reporter and the sign-off read, whatever its source.

The embedded session writes it as ``reports/paper/<entrypoint>-<stamp>.json``; the evidence readers build
one from the bot's own run. The fields every consumer needs are typed; the session's own sections
(strategies, equity, requests, ...) stay JSON values in ``details``, rendered only by the session's
Markdown export. ``to_json`` keeps the document's key order, so a session report reads back and writes
out byte for byte.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from preflight.errors import ConfigError
from preflight.papertrade.metrics_model import PaperExchangeMetrics

METRICS_KEY = "paper_exchange_metrics"
_TYPED = ("entrypoint", "started_at", "finished_at", METRICS_KEY, "warnings", "errors")


def _strings(doc: Mapping[str, object], key: str) -> tuple[str, ...]:
    value = doc.get(key, [])
    if not isinstance(value, list):
        raise ConfigError(f"{key} is not a list")
    return tuple(str(item) for item in value)


def _optional_text(doc: Mapping[str, object], key: str) -> str | None:
    value = doc.get(key)
    if value is not None and not isinstance(value, str):
        raise ConfigError(f"{key} is not a string")
    return value


@dataclass(frozen=True)
class PaperReport:
    """One paper run's report: entrypoint, session time, ``paper_exchange_metrics``, warnings, errors."""

    entrypoint: str
    started_at: str | None
    finished_at: str | None
    metrics: PaperExchangeMetrics
    warnings: tuple[str, ...]
    errors: tuple[str, ...]
    # the rest of the document (JSON values) and the top-level key order it was written in
    details: Mapping[str, object] = field(default_factory=dict)
    layout: tuple[str, ...] = _TYPED

    def to_json(self) -> dict[str, object]:
        """Return the JSON document (``warnings``/``errors`` of the report, not of the metrics)."""
        typed: dict[str, object] = {
            "entrypoint": self.entrypoint,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            METRICS_KEY: self.metrics.to_json(),
            "warnings": list(self.warnings),
            "errors": list(self.errors),
        }
        keys = (*self.layout, *(k for k in (*_TYPED, *self.details) if k not in self.layout))
        return {key: typed[key] if key in typed else self.details[key] for key in keys}

    def to_text(self) -> str:
        """Return the report file's text (indent 2, one trailing newline)."""
        return json.dumps(self.to_json(), indent=2, default=str) + "\n"

    @classmethod
    def from_json(cls, doc: object) -> PaperReport:
        """Read a session report document; ``ConfigError`` naming the field when it is not one."""
        if not isinstance(doc, Mapping):
            raise ConfigError("the paper report is not a JSON object")
        entrypoint = doc.get("entrypoint")
        if not isinstance(entrypoint, str):
            raise ConfigError("entrypoint is absent or not a string")
        warnings, errors = _strings(doc, "warnings"), _strings(doc, "errors")
        metrics = PaperExchangeMetrics.from_json(doc.get(METRICS_KEY), warnings, errors)
        return cls(
            entrypoint=entrypoint,
            started_at=_optional_text(doc, "started_at"),
            finished_at=_optional_text(doc, "finished_at"),
            metrics=metrics,
            warnings=warnings,
            errors=errors,
            details={k: v for k, v in doc.items() if k not in _TYPED},
            layout=tuple(str(k) for k in doc),
        )
