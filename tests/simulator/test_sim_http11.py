"""The server's HTTP/1.1 parser: bodies, keep-alive, pipelining, 100-continue, malformed input."""

from __future__ import annotations

import socket

import pytest

from preflight.simulator import SimulatorServer
from preflight.simulator.http11 import MAX_BODY_BYTES, HttpParseError, RequestParser, response_bytes


def parse_all(*chunks: bytes) -> list:
    parser = RequestParser()
    found = []
    for chunk in chunks:
        parser.feed(chunk)
        while (request := parser.next_request()) is not None:
            found.append(request)
    return found


def test_content_length_body_split_across_reads_and_pipelining():
    raw = (
        b"POST /v5/order/create HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\nX-BAPI-SIGN: abc\r\n\r\n"
        b'{"a": "b1"}GET /v5/market/time?x=1 HTTP/1.1\r\nHost: x\r\n\r\n'
    )
    requests = parse_all(raw[:30], raw[30:70], raw[70:])
    assert [(r.method, r.target) for r in requests] == [
        ("POST", "/v5/order/create"),
        ("GET", "/v5/market/time?x=1"),
    ]
    assert requests[0].body == b'{"a": "b1"}'
    assert requests[0].headers["x-bapi-sign"] == "abc"
    assert all(r.keep_alive for r in requests)


def test_chunked_body_and_trailers():
    head = b"POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    raw = head + b'4\r\n{"a"\r\n5;ext=1\r\n: 1}x\r\n0\r\nX-T: 1\r\n\r\n'
    (request,) = parse_all(raw[:40], raw[40:])
    assert request.body == b'{"a": 1}x'


def test_connection_close_and_http10():
    (one,) = parse_all(b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n")
    (two,) = parse_all(b"GET / HTTP/1.0\r\n\r\n")
    (three,) = parse_all(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
    assert (one.keep_alive, two.keep_alive, three.keep_alive) == (False, False, True)


def test_expect_continue_is_offered_once():
    parser = RequestParser()
    parser.feed(b"POST /p HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
    assert parser.next_request() is None
    assert parser.wants_continue() is True
    assert parser.wants_continue() is False
    parser.feed(b"{}")
    assert parser.next_request().body == b"{}"


@pytest.mark.parametrize(
    "raw",
    [
        b"GARBAGE\r\n\r\n",
        b"GET / HTTP/1.1\r\nno-colon-here\r\n\r\n",
        b"GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n",
    ],
)
def test_malformed_requests_are_refused(raw):
    with pytest.raises(HttpParseError) as caught:
        parse_all(raw)
    assert caught.value.status == 400


@pytest.mark.parametrize(
    "raw",
    [
        b"GET / HTTP/1.1\r\nContent-Length: \xb2\r\n\r\n",  # a latin-1 digit int() refuses
        b"POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n-6\r\n",  # would loop in place
        b"POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n+4\r\nabcd\r\n0\r\n\r\n",
        b"POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0x4\r\nabcd\r\n0\r\n\r\n",
    ],
    ids=["unicode-digit-length", "negative-chunk", "signed-chunk", "0x-chunk"],
)
def test_malformed_lengths_are_refused_not_crashed_or_looped(raw, time_limit):
    with time_limit(120, "parsing a malformed length"), pytest.raises(HttpParseError) as caught:
        parse_all(raw)
    assert caught.value.status == 400


def test_an_oversized_chunk_is_refused_before_its_bytes_arrive():
    head = b"POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    with pytest.raises(HttpParseError) as caught:
        parse_all(head + b"%x\r\n" % (MAX_BODY_BYTES + 1))
    assert caught.value.status == 413


def test_response_bytes_carry_length_and_close():
    data = response_bytes(200, (("Content-Type", "application/json"),), b"{}", keep_alive=False)
    head, body = data.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"Content-Length: 2" in head and b"Connection: close" in head
    assert body == b"{}"


def test_server_answers_pipelined_requests_and_400_on_garbage(simulator):
    with (
        SimulatorServer(simulator) as server,
        socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock,
    ):
        sock.sendall(
            b"GET /v5/market/time HTTP/1.1\r\nHost: x\r\n\r\nGET /v5/market/time HTTP/1.1\r\nHost: x\r\n\r\n"
        )
        received = b""
        while received.count(b"HTTP/1.1 200 OK") < 2 or not received.endswith(b"}"):
            received += sock.recv(65536)
        assert received.count(b'"retCode":0') == 2
        sock.sendall(b"NOT HTTP\r\n\r\n")
        rest = b""
        while chunk := sock.recv(65536):
            rest += chunk
        assert rest.startswith(b"HTTP/1.1 400 Bad Request")
