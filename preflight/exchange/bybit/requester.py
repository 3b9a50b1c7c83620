"""One signed, queued, metered HTTP exchange with Bybit, and the retry loop for idempotent calls.

``attempt`` sends exactly one request and classifies the answer through :mod:`retcodes`; ``call``
retries what is safe to retry (reads and idempotent writes). Order creation does not use ``call``:
:mod:`orders` drives ``attempt`` itself so that an ambiguous outcome is reconciled before any resubmit.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import NoReturn

import httpx

from preflight import jsonsafe
from preflight.errors import ClockSkewError, ExchangeError, IpBannedError, TransportError
from preflight.exchange.bybit.auth import BybitAuth, Credentials
from preflight.exchange.bybit.bans import HostBans
from preflight.exchange.bybit.io_queue import IoQueue
from preflight.exchange.bybit.metrics import ErrorSeverity, ExchangeMetrics, RequestOutcome
from preflight.exchange.bybit.retcodes import Kind, RetCode, error_for, for_http_status, lookup
from preflight.exchange.bybit.retry import EndpointLimits, RetryPolicy, parse_limit_headers
from preflight.exchange.bybit.wire import parse_server_time_ms
from preflight.exchange.events import EventSink, EventType, ExchangeEvent
from preflight.exchange.plain_http import MAX_BODY_BYTES, transport_for
from preflight.redact import scrub

Params = Sequence[tuple[str, str]]
MAX_RESPONSE_BYTES = MAX_BODY_BYTES  # 4 MiB, far above any Bybit V5 answer; a hostile body stops here

_OUTCOME = {
    Kind.TRANSIENT: RequestOutcome.TRANSIENT,
    Kind.RATE_LIMIT: RequestOutcome.RATE_LIMITED,
    Kind.CLOCK: RequestOutcome.CLOCK_SKEW,
    Kind.AUTH: RequestOutcome.AUTH_FAILED,
    Kind.BANNED: RequestOutcome.IP_BANNED,
}
_CRITICAL = frozenset({Kind.AUTH, Kind.BANNED, Kind.CLOCK})


@dataclass(frozen=True)
class Failure:
    """Why one attempt failed, and whether the exchange may have acted on it."""

    error: ExchangeError
    kind: Kind
    may_have_executed: bool  # False when provably refused or never sent (safe to resubmit)
    reset_at_ms: int | None = None
    refused_locally: bool = False  # never sent: the host answered 403 earlier (maybe to another adapter)
    retryable: bool = True  # False: the same answer would come again (an oversized body)


class AttemptFailed(Exception):
    """Internal carrier of a :class:`Failure` between ``attempt`` and its retry loop."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(str(failure.error))
        self.failure = failure


class Requester:
    """Send signed requests to one Bybit host for one entrypoint through an io_queue."""

    def __init__(
        self,
        *,
        base_url: str,
        entrypoint: str,
        credentials: Credentials | None,
        recv_window_ms: int,
        timeout_s: float,
        metrics: ExchangeMetrics,
        queue: IoQueue,
        policy: RetryPolicy,
        transport: httpx.AsyncBaseTransport | None,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
        events: EventSink,
        rng: random.Random,
        warning_seconds: float,
        bans: HostBans | None = None,
        deadline_s: float | None = None,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
    ) -> None:
        self.entrypoint = entrypoint
        # httpx's timeout bounds each read; a body trickled a byte at a time needs a bound on the whole.
        self._deadline_s = deadline_s if deadline_s is not None else 3 * timeout_s
        self._max_response_bytes = max_response_bytes
        self.metrics = metrics
        self.queue = queue
        self.policy = policy
        self.clock = clock
        self.sleep = sleep
        self.rng = rng
        self.offset_ms = 0
        self.limits = EndpointLimits()
        self.bans = bans if bans is not None else HostBans()
        self._ban_counted = False  # this entrypoint's critical error for the host's ban is counted
        self._events = events
        self._warning_seconds = warning_seconds
        self._credentials = credentials
        self._auth = BybitAuth(credentials, recv_window_ms, clock=self.server_now_ms) if credentials else None
        self._host = httpx.URL(base_url).host
        self._client = httpx.AsyncClient(
            base_url=base_url,
            # plain-HTTP hosts: no TLS context, lean I/O, never buffering past the size cap
            transport=transport or transport_for(base_url, max_response_bytes + 1),
            timeout=httpx.Timeout(timeout_s),
        )

    @property
    def banned(self) -> bool:
        """Say whether this host answered HTTP 403 to any adapter sharing this requester's bans."""
        return self.bans.is_banned(self._host)

    @property
    def signed(self) -> bool:
        """Say whether credentials are configured (private endpoints usable)."""
        return self._auth is not None

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()

    def server_now_ms(self) -> int:
        """Return the local clock corrected by the last measured server offset (epoch ms)."""
        return int(self.clock() * 1000) + self.offset_ms

    def emit(self, type_: EventType, **details: object) -> None:
        """Report an event to the session's sink."""
        self._events(ExchangeEvent(type_, int(self.clock() * 1000), details))

    def count_error(self, severity: ErrorSeverity, n: int = 1) -> None:
        """Count ``n`` errors of ``severity`` for this entrypoint."""
        self.metrics.count_error(self.entrypoint, severity, n)

    def _scrub(self, text: str) -> str:
        if self._credentials is None:
            return text
        return scrub(text, (*self._credentials.secrets, self._credentials.api_key))

    async def sync_time(self) -> int:
        """Measure the server clock offset from ``/v5/market/time``; return it in ms."""
        before = self.clock()
        result = await self.call("GET", "/v5/market/time", signed=False)
        after = self.clock()
        local_mid_ms = int((before + after) * 500)
        self.offset_ms = parse_server_time_ms(result) - local_mid_ms
        return self.offset_ms

    async def _hold_back(self, endpoint: str) -> None:
        """Wait until ``endpoint``'s limit resets when the last answer said none remain."""
        wait_ms = self.limits.wait_ms(endpoint, self.server_now_ms())
        if wait_ms <= 0:
            return
        wait_s = min(wait_ms / 1000.0, self.policy.max_reset_wait_s)
        if wait_s >= self._warning_seconds:
            self.emit(EventType.THROTTLE, endpoint=endpoint, waited_s=round(wait_s, 3), reason="limit_status")
        await self.sleep(wait_s)

    async def attempt(
        self,
        method: str,
        endpoint: str,
        *,
        params: Params = (),
        body: bytes | None = None,
        signed: bool = True,
    ) -> Mapping[str, object]:
        """Send one request; return the envelope's ``result`` or raise :class:`AttemptFailed`."""
        self._refuse_if_banned()
        await self._hold_back(endpoint)
        async with self.queue.slot(endpoint):
            self._refuse_if_banned()  # the ban may have come while this request waited for its slot
            if method == "GET":
                request = self._client.build_request("GET", endpoint, params=list(params))
            else:
                request = self._client.build_request(
                    method, endpoint, content=body or b"{}", headers={"Content-Type": "application/json"}
                )
            started = time.perf_counter()
            try:
                response, content = await self._send(request, endpoint, signed)
            except AttemptFailed:
                self.metrics.observe_request(
                    self.entrypoint, endpoint, RequestOutcome.TRANSIENT, time.perf_counter() - started
                )
                raise
            except httpx.HTTPError as exc:
                failure = self._transport_failure(endpoint, exc)
                self.metrics.observe_request(
                    self.entrypoint, endpoint, RequestOutcome.TRANSIENT, time.perf_counter() - started
                )
                raise AttemptFailed(failure) from None
            elapsed = time.perf_counter() - started
        try:
            result = self._classify(endpoint, response, content)
        except AttemptFailed as failed:
            outcome = _OUTCOME.get(failed.failure.kind, RequestOutcome.REJECTED)
            self.metrics.observe_request(self.entrypoint, endpoint, outcome, elapsed)
            raise
        self.metrics.observe_request(self.entrypoint, endpoint, RequestOutcome.OK, elapsed)
        return result

    async def _send(
        self, request: httpx.Request, endpoint: str, signed: bool
    ) -> tuple[httpx.Response, bytes]:
        """Send and read the answer within the deadline and the size cap; AttemptFailed otherwise."""
        try:
            async with asyncio.timeout(self._deadline_s):
                response = await self._client.send(request, auth=self._auth if signed else None, stream=True)
                try:
                    return response, await self._read_capped(response, endpoint)
                finally:
                    await response.aclose()
        except TimeoutError:
            self.emit(EventType.TIMEOUT, endpoint=endpoint, error="deadline")
            message = (
                f"{endpoint} took longer than its {self._deadline_s:g} s deadline talking to {self._host}"
            )
            raise AttemptFailed(
                Failure(TransportError(message), Kind.TRANSIENT, may_have_executed=True)
            ) from None

    async def _read_capped(self, response: httpx.Response, endpoint: str) -> bytes:
        limit = self._max_response_bytes
        declared = response.headers.get("Content-Length", "")
        body = bytearray()
        if not (declared.isdigit() and int(declared) > limit):
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > limit:
                    break
            else:
                return bytes(body)
        message = (
            f"{endpoint}: {self._host} sent a response body over {limit / 1048576:g} MiB; refused unread "
            "(a Bybit answer is a few KiB): this endpoint is not a working Bybit API"
        )
        failure = Failure(TransportError(message), Kind.TRANSIENT, may_have_executed=True, retryable=False)
        raise AttemptFailed(failure)

    def _refuse_if_banned(self) -> None:
        if self.banned:
            error = IpBannedError(
                f"{self._host} answered HTTP 403 earlier (IP ban): all traffic to it is stopped; wait at "
                "least 10 minutes and lower the request rate"
            )
            raise AttemptFailed(Failure(error, Kind.BANNED, may_have_executed=False, refused_locally=True))

    def _transport_failure(self, endpoint: str, exc: httpx.HTTPError) -> Failure:
        # A connection that was never established cannot have delivered the request.
        never_sent = isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))
        what = "timed out" if isinstance(exc, httpx.TimeoutException) else "failed"
        self.emit(EventType.TIMEOUT, endpoint=endpoint, error=type(exc).__name__)
        message = self._scrub(f"{endpoint} {what} ({type(exc).__name__}) talking to {self._host}")
        return Failure(TransportError(message), Kind.TRANSIENT, may_have_executed=not never_sent)

    def _classify(self, endpoint: str, response: httpx.Response, content: bytes) -> Mapping[str, object]:
        limits = parse_limit_headers(response.headers)
        self.limits.record(endpoint, limits)
        status = response.status_code
        http_row = for_http_status(status)
        if http_row is not None and http_row.kind is Kind.BANNED:
            self.bans.ban(self._host)
            self.metrics.count_rate_limited(self.entrypoint)
            self.emit(EventType.IP_BAN, endpoint=endpoint, host=self._host, http_status=status)
            error = IpBannedError(
                f"{self._host} answered HTTP 403 on {endpoint}: IP rate limit breached or IP banned; all "
                "traffic to it is stopped; wait at least 10 minutes and lower the request rate",
                http_status=status,
            )
            raise AttemptFailed(Failure(error, Kind.BANNED, may_have_executed=False))
        data = _json_object(content)
        envelope = _envelope(data)
        if envelope is not None and envelope[0] != 0:
            code, message = envelope
            row = lookup(code)
        elif data is not None and envelope is not None and status == 200:
            result = data.get("result")
            return result if isinstance(result, dict) else {}
        elif http_row is not None:
            code, message, row = (http_row.code, http_row.meaning, http_row)
        elif status != 200:
            code, message, row = (None, f"HTTP {status}", lookup(-1))
        else:
            code, message = None, "unparsable response body"
            row = RetCode(0, Kind.TRANSIENT, TransportError, message)
        self._fail(endpoint, row, code, message, status, limits.reset_at_ms)

    def _fail(
        self,
        endpoint: str,
        row: RetCode,
        code: int | None,
        message: str,
        status: int,
        reset_at_ms: int | None,
    ) -> NoReturn:
        if row.kind is Kind.RATE_LIMIT:
            self.metrics.count_rate_limited(self.entrypoint)
            self.emit(EventType.RATE_LIMIT, endpoint=endpoint, code=code, reset_at_ms=reset_at_ms)
            if reset_at_ms:  # concurrent requests to this endpoint hold back until the reset too
                self.limits.block(endpoint, reset_at_ms)
        text = self._scrub(f"{endpoint}: {message or row.meaning}")
        error = error_for(row, code, text, http_status=status)
        # Only a transient answer leaves the outcome open: every other answer is the exchange's verdict.
        ambiguous = row.kind is Kind.TRANSIENT
        raise AttemptFailed(Failure(error, row.kind, ambiguous, reset_at_ms))

    async def backoff(self, failure: Failure, retry: int) -> None:
        """Sleep before retry ``retry``: until the limit reset for 10006, else exponential with jitter."""
        if failure.kind is Kind.RATE_LIMIT:
            now = self.server_now_ms()
            wait = self.policy.rate_limit_wait(failure.reset_at_ms, now, retry, self.rng)
        else:
            wait = self.policy.backoff(retry, self.rng)
        await self.sleep(wait)

    async def call(
        self,
        method: str,
        endpoint: str,
        *,
        params: Params = (),
        body: bytes | None = None,
        signed: bool = True,
        retry_transient: bool = True,
    ) -> Mapping[str, object]:
        """Send a request that is safe to repeat, retrying within the budget; raise the typed error."""
        attempts = Attempts(self)
        while True:
            try:
                result = await self.attempt(method, endpoint, params=params, body=body, signed=signed)
            except AttemptFailed as failed:
                failure = failed.failure
                # the clock is resynced through this very endpoint: a rejection of it cannot be resynced
                if endpoint != "/v5/market/time" and await attempts.resync(failure):
                    continue
                retryable = failure.retryable and (
                    failure.kind is Kind.RATE_LIMIT or (failure.kind is Kind.TRANSIENT and retry_transient)
                )
                if retryable and await attempts.retry(failure):
                    continue
                raise attempts.give_up(failure) from None
            attempts.succeeded()
            return result

    def give_up(self, failure: Failure) -> None:
        """Count a request that failed for good: critical for auth/ban/clock, else error."""
        if failure.refused_locally and self._ban_counted:
            return
        # A ban met by another entrypoint of the session still fails this one critically, once.
        self._ban_counted |= failure.kind is Kind.BANNED
        critical = failure.kind in _CRITICAL
        self.count_error(ErrorSeverity.CRITICAL if critical else ErrorSeverity.ERROR)

    def final_error(self, failure: Failure, resynced: bool) -> ExchangeError:
        """Return the error to raise for a failure that is not retried further."""
        if failure.kind is Kind.CLOCK:
            return ClockSkewError(
                f"{failure.error} - still outside the recv window after resyncing the clock (offset "
                f"{self.offset_ms} ms); synchronise this host's clock (NTP)"
                if resynced
                else str(failure.error),
                code=failure.error.code,
            )
        return failure.error


class Attempts:
    """The bookkeeping of one logical request's attempts: retries, made-good failures, one clock resync."""

    def __init__(self, requester: Requester) -> None:
        self.requester = requester
        self.retries = 0
        self.recovered = 0  # transient failures (and one clock resync) that a later attempt made good
        self.resynced = False

    async def resync(self, failure: Failure) -> bool:
        """Resync the clock after the first clock rejection; say whether to send again."""
        if failure.kind is not Kind.CLOCK or self.resynced:
            return False
        self.resynced = True
        self.recovered += 1
        await self.requester.sync_time()
        return True

    async def retry(self, failure: Failure) -> bool:
        """Wait before the next retry while the budget lasts; say whether to send again."""
        if self.retries >= self.requester.policy.budget:
            return False
        self.retries += 1
        self.recovered += failure.kind is Kind.TRANSIENT
        await self.requester.backoff(failure, self.retries)
        return True

    def succeeded(self, extra_recovered: int = 0) -> None:
        """Count the failures a later attempt made good as warnings."""
        self.requester.count_error(ErrorSeverity.WARNING, self.recovered + extra_recovered)

    def give_up(self, failure: Failure) -> ExchangeError:
        """Count the request as failed for good and return the error to raise."""
        self.requester.give_up(failure)
        return self.requester.final_error(failure, self.resynced)


def _json_object(content: bytes) -> dict[str, object] | None:
    """Return the body as a JSON object, or None when it is not one."""
    try:
        data = jsonsafe.loads(content)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _envelope(data: dict[str, object] | None) -> tuple[int, str] | None:
    """Return (retCode, retMsg) of a Bybit envelope, or None when the body is not one."""
    if data is None:
        return None
    code = data.get("retCode")
    if not isinstance(code, int) or isinstance(code, bool):
        return None
    message = data.get("retMsg")
    return code, message if isinstance(message, str) else ""
