"""The simulator's wire values: one request in, one response out, and Bybit's JSON envelope."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from preflight.errors import PreflightError


class Drop(StrEnum):
    """How a front-end must fail the exchange instead of sending the response (injected faults)."""

    TIMEOUT = "timeout"  # in-process: httpx.ReadTimeout; socket: no answer (delay or close)
    RESET = "reset"  # in-process: httpx.RemoteProtocolError; socket: connection closed


@dataclass(frozen=True)
class SimRequest:
    """One HTTP request as it arrived: the raw query string and raw body are what was signed."""

    method: str
    path: str
    raw_query: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)  # names lower-cased
    body: bytes = b""
    client_ip: str = "127.0.0.1"

    def header(self, name: str) -> str | None:
        """Return the header ``name`` (case-insensitive) or None."""
        return self.headers.get(name.lower())


@dataclass(frozen=True)
class SimResponse:
    """One HTTP response; ``drop`` set means the front-end fails the exchange instead of answering."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    drop: Drop | None = None


class ApiError(PreflightError):
    """A Bybit business error raised inside a handler and answered as HTTP 200 with ``ret_code``."""

    def __init__(self, ret_code: int, ret_msg: str) -> None:
        self.ret_code = ret_code
        self.ret_msg = ret_msg
        super().__init__(f"{ret_code}: {ret_msg}")


class HttpRefusal(PreflightError):
    """A request Bybit refuses at the HTTP layer (401 missing auth headers, 403 GET with a body)."""

    def __init__(self, status: int, text: str) -> None:
        self.status = status
        self.text = text
        super().__init__(f"HTTP {status}: {text}")


JSON_HEADERS: tuple[tuple[str, str], ...] = (("Content-Type", "application/json; charset=utf-8"),)


def is_digits(text: str) -> bool:
    """Say whether ``text`` is ASCII digits only (``str.isdigit`` also takes "²", which ``int`` refuses)."""
    return text.isascii() and text.isdigit()


def fmt(value: Decimal) -> str:
    """Format a decimal the way Bybit sends numbers: a plain string, no exponent, no trailing zeros."""
    if not value:
        return "0"
    text = format(value.normalize(), "f")
    return text


def envelope_bytes(ret_code: int, ret_msg: str, result: Any, time_ms: int) -> bytes:
    """Serialise Bybit's envelope ``{retCode, retMsg, result, retExtInfo, time}``."""
    payload = {"retCode": ret_code, "retMsg": ret_msg, "result": result, "retExtInfo": {}, "time": time_ms}
    return json.dumps(payload, separators=(",", ":")).encode()


def json_response(
    ret_code: int,
    ret_msg: str,
    result: Any,
    time_ms: int,
    extra_headers: tuple[tuple[str, str], ...] = (),
) -> SimResponse:
    """Build an HTTP 200 response carrying the envelope (business errors are HTTP 200 too)."""
    body = envelope_bytes(ret_code, ret_msg, result, time_ms)
    return SimResponse(200, JSON_HEADERS + extra_headers, body)


def text_response(status: int, text: str) -> SimResponse:
    """Build a plain-text response (404, 403 IP ban, 5xx gateway errors)."""
    return SimResponse(status, (("Content-Type", "text/plain; charset=utf-8"),), text.encode())
