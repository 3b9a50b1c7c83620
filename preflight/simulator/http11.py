"""A small incremental HTTP/1.1 request parser and response writer for the simulator's server.

Why not h11: the server must sustain thousands of signed requests per second in one Python thread,
and h11's per-event validation cost several times the simulator's own work. This parser covers what
HTTP clients send to a REST API: Content-Length and chunked bodies, keep-alive, pipelining and
``Expect: 100-continue``; anything malformed is answered 400 and the connection closed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from http import HTTPStatus

from preflight.errors import PreflightError

MAX_HEAD_BYTES = 64 * 1024
MAX_BODY_BYTES = 4 * 1024 * 1024
# RFC 9112: chunk-size = 1*HEXDIG. int(x, 16) also takes a sign, "0x" and "_", and a negative size
# would move the parser backwards (a "-6" chunk loops in place forever).
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,16}")


class HttpParseError(PreflightError):
    """The peer sent something that is not acceptable HTTP/1.1; answer ``status`` and close."""

    def __init__(self, status: int, reason: str) -> None:
        self.status = status
        super().__init__(reason)


@dataclass(frozen=True)
class ParsedRequest:
    """One complete request: header names lower-cased, body de-chunked."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes
    keep_alive: bool


@dataclass(frozen=True)
class _Head:
    method: str
    target: str
    headers: dict[str, str]
    keep_alive: bool
    body_start: int
    content_length: int | None  # None: chunked


def _parse_head(buffer: bytearray, end: int) -> _Head:
    lines = bytes(buffer[:end]).decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise HttpParseError(400, "bad request line")
    method, target, version = parts
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise HttpParseError(400, "bad header line")
        key = name.lower()
        value = value.strip()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    connection = headers.get("connection", "").lower()
    keep_alive = "close" not in connection if version == "HTTP/1.1" else "keep-alive" in connection
    if "chunked" in headers.get("transfer-encoding", "").lower():
        length: int | None = None
    else:
        raw = headers.get("content-length", "0")
        if not (raw.isascii() and raw.isdigit()):  # str.isdigit() also accepts "²", which int() refuses
            raise HttpParseError(400, "bad content-length")
        length = int(raw)
        if length > MAX_BODY_BYTES:
            raise HttpParseError(413, "body too large")
    return _Head(method, target, headers, keep_alive, end + 4, length)


def _dechunk(buffer: bytearray, start: int) -> tuple[bytes, int] | None:
    """Return (body, end offset) when the chunked body starting at ``start`` is complete, else None."""
    body = bytearray()
    pos = start
    while True:
        line_end = buffer.find(b"\r\n", pos)
        if line_end < 0:
            return None
        size_text = bytes(buffer[pos:line_end]).split(b";", 1)[0].strip()
        if not _CHUNK_SIZE.fullmatch(size_text):
            raise HttpParseError(400, "bad chunk size")
        size = int(size_text, 16)
        if len(body) + size > MAX_BODY_BYTES:  # refuse now rather than buffer bytes that will be refused
            raise HttpParseError(413, "body too large")
        if size == 0:
            # The last chunk ends with optional trailers and an empty line.
            trailer_end = buffer.find(b"\r\n\r\n", line_end)
            return (bytes(body), trailer_end + 4) if trailer_end >= 0 else None
        data_start = line_end + 2
        if len(buffer) < data_start + size + 2:
            return None
        body += buffer[data_start : data_start + size]
        pos = data_start + size + 2


class RequestParser:
    """Accumulate bytes from one connection and hand out complete requests in order."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._head: _Head | None = None
        self._continue_sent = False

    def feed(self, data: bytes) -> None:
        """Append bytes received from the peer."""
        self._buffer += data

    def wants_continue(self) -> bool:
        """Say (once per request) whether the peer waits for ``100 Continue`` before its body."""
        head = self._head
        if head is None or self._continue_sent:
            return False
        if head.headers.get("expect", "").lower() == "100-continue":
            self._continue_sent = True
            return True
        return False

    def next_request(self) -> ParsedRequest | None:
        """Return the next complete request, or None until more bytes arrive; HttpParseError if bad."""
        buffer = self._buffer
        if self._head is None:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(buffer) > MAX_HEAD_BYTES:
                    raise HttpParseError(431, "request head too large")
                return None
            self._head = _parse_head(buffer, end)
        head = self._head
        if head.content_length is None:
            done = _dechunk(buffer, head.body_start)
            if done is None:
                return None
            body, consumed = done
        else:
            consumed = head.body_start + head.content_length
            if len(buffer) < consumed:
                return None
            body = bytes(buffer[head.body_start : consumed])
        del buffer[:consumed]
        self._head, self._continue_sent = None, False
        return ParsedRequest(head.method, head.target, head.headers, body, head.keep_alive)


def response_bytes(
    status: int, headers: tuple[tuple[str, str], ...], body: bytes, *, keep_alive: bool
) -> bytes:
    """Serialise an HTTP/1.1 response with Content-Length (and Connection: close when closing)."""
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Unknown"
    lines = [f"HTTP/1.1 {status} {reason}"]
    lines += [f"{name}: {value}" for name, value in headers]
    lines.append(f"Content-Length: {len(body)}")
    lines.append("Server: preflight-bybit-sim")
    if not keep_alive:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
