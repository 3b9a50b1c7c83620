"""The one exception tree of preflight.

::

    PreflightError
    ├── UsageError                 bad flags, unknown entrypoint/runbook, missing root  -> exit 2
    ├── InputError                 a deployment or input file is unusable (has a Location)
    │   ├── ConfigError            malformed YAML/JSON, duplicate key, schema violation
    │   ├── SecretsError           secrets store missing, wrong passphrase, corrupt, entry problems
    │   ├── LicenseError           license unreadable, bad signature, policy violation
    │   └── FingerprintError       fingerprint file unreadable or inconsistent
    ├── SignoffError               sign-off cannot be rendered or verified
    ├── Interrupted                the run was interrupted (SIGINT)                     -> exit 130
    └── ExchangeError              anything the exchange adapter reports
        ├── TransportError         no usable HTTP answer (timeout, reset, bad JSON, 5xx); retryable
        │   └── DeadlineError      a probe or session ran past its overall deadline; not retried
        ├── RateLimitedError       retCode 10006 / HTTP 429; retryable after the reset time
        ├── IpBannedError          HTTP 403: all traffic to the host stops
        ├── AuthError              10003/10004/10005/10007/10010, expired key: never retried
        ├── ClockSkewError         10002 that survived one resync
        ├── OrderRejectedError     a business rejection of an order (1701xx, 110xxx)
        ├── AmbiguousOrderError    order outcome unknown after reconciliation failed
        └── BybitApiError          any other non-zero retCode

A failed check is a value (``Outcome``), never one of these; these are for conditions that stop a piece
of work. Retryability of exchange errors is decided by :func:`is_retryable`, in one place.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """A place in an input file: ``file:line:col`` (line and column are 1-based)."""

    file: str
    line: int | None = None
    col: int | None = None

    def __str__(self) -> str:
        text = self.file
        if self.line is not None:
            text += f":{self.line}"
            if self.col is not None:
                text += f":{self.col}"
        return text


class PreflightError(Exception):
    """Base of every error preflight raises on purpose."""


class UsageError(PreflightError):
    """The command line asks for something that cannot be evaluated (exit code 2)."""


class InputError(PreflightError):
    """An input file is unusable; carries where and one sentence saying what to do."""

    def __init__(self, message: str, location: Location | None = None) -> None:
        self.message = message
        self.location = location
        super().__init__(f"{location}: {message}" if location else message)


class ConfigError(InputError):
    """Malformed YAML/JSON, a duplicate key, a schema violation or a missing config file."""


class SecretsError(InputError):
    """The secrets store or one of its entries cannot be used."""


class LicenseError(InputError):
    """The license cannot be read or does not verify."""


class FingerprintError(InputError):
    """The fingerprint record cannot be read or is inconsistent."""


class SignoffError(PreflightError):
    """A sign-off cannot be rendered or does not verify."""


class Interrupted(PreflightError):
    """The run was interrupted; partial results were kept and marked incomplete."""


class ExchangeError(PreflightError):
    """An error reported by (or on the way to) an exchange."""

    def __init__(self, message: str, *, code: int | None = None, http_status: int | None = None) -> None:
        self.code = code
        self.http_status = http_status
        super().__init__(message)


class TransportError(ExchangeError):
    """No usable answer: timeout, connection reset, 5xx, unparsable body. Retryable for reads."""


class DeadlineError(TransportError):
    """A probe or the paper session ran past its overall deadline (a slow or endless endpoint)."""


class RateLimitedError(ExchangeError):
    """The exchange rate limit was hit (retCode 10006 or HTTP 429)."""

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        http_status: int | None = None,
        reset_at_ms: int | None = None,
    ) -> None:
        self.reset_at_ms = reset_at_ms
        super().__init__(message, code=code, http_status=http_status)


class IpBannedError(ExchangeError):
    """HTTP 403 from the host: the IP is banned, all traffic to it stops."""


class AuthError(ExchangeError):
    """Authentication, signature, permission or key-expiry failure; never retried."""


class ClockSkewError(ExchangeError):
    """The request timestamp stayed outside the exchange's window after a resync."""


class OrderRejectedError(ExchangeError):
    """The exchange rejected an order for a business reason."""


class AmbiguousOrderError(ExchangeError):
    """An order's outcome could not be established, even after reconciliation."""


class BybitApiError(ExchangeError):
    """A non-zero retCode without a more specific class."""


_RETRYABLE_CODES = frozenset({10000, 10016, 170001, 170007, 170032, 170146})


def is_retryable(error: BaseException) -> bool:
    """Say whether a request that failed with ``error`` may be retried (reads only, see adapter)."""
    if isinstance(error, (TransportError, RateLimitedError)):
        return True
    if isinstance(error, BybitApiError):
        return error.code in _RETRYABLE_CODES
    return False
