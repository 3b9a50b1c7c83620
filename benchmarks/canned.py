"""A minimal canned HTTP/1.1 server: the reference the simulator and the session floor are measured against.

Run as ``python -m benchmarks.canned BODIES.json``: prints one JSON line (the url), then serves until
stdin closes. Each answer is the canned JSON body for the request's path (the first one the session
recorded for it, or a small Bybit envelope), with no signature check, no routing beyond a dict lookup,
no state: what any server must do at least. Same architecture as the simulator's server (a thread per
keep-alive connection, blocking recv/sendall), so the ratio isolates the simulator's own work.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
from pathlib import Path

from benchmarks.common import ServedChild

DEFAULT_BODY = b'{"retCode":0,"retMsg":"OK","result":{"list":[]},"retExtInfo":{},"time":1}'


def _answers(bodies: dict[str, str]) -> dict[str, bytes]:
    out = {}
    for path, body in bodies.items():
        raw = body.encode()
        head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(raw)}\r\n\r\n"
        out[path] = head.encode() + raw
    return out


def _serve_connection(conn: socket.socket, answers: dict[str, bytes], default: bytes) -> None:
    buffer = b""
    with conn:
        while True:
            data = conn.recv(65536)
            if not data:
                return
            buffer += data
            replies = []
            while True:
                end = buffer.find(b"\r\n\r\n")
                if end < 0:
                    break
                head = buffer[:end]
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                if len(buffer) < end + 4 + length:
                    break
                buffer = buffer[end + 4 + length :]
                target = head.split(b" ", 2)[1]
                replies.append(answers.get(target.split(b"?", 1)[0].decode("latin-1"), default))
            if replies:
                conn.sendall(b"".join(replies))


def _serve(bodies_file: str) -> None:
    bodies = json.loads(Path(bodies_file).read_text()) if bodies_file else {}
    answers = _answers(bodies)
    default = _answers({"": DEFAULT_BODY.decode()})[""]
    listener = socket.create_server(("127.0.0.1", 0), backlog=128)

    def accept() -> None:
        while True:
            conn, _ = listener.accept()
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=_serve_connection, args=(conn, answers, default), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    print(json.dumps({"url": f"http://127.0.0.1:{listener.getsockname()[1]}"}), flush=True)
    sys.stdin.read()


class CannedServer(ServedChild):
    """Context manager: the canned server in a child process; ``.url`` once started."""

    def __init__(self, bodies_file: Path | None = None) -> None:
        super().__init__("benchmarks.canned", str(bodies_file or ""), what="canned server")


if __name__ == "__main__":
    _serve(sys.argv[1] if len(sys.argv) > 1 else "")
