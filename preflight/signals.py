"""SIGTERM handled like Ctrl-C: raised in the main thread as an interrupt, so every cleanup path runs.

CI runners cancel a job with SIGTERM (and SIGKILL some seconds later). Without a handler the process
dies at once: no partial report at ``-o``, no JUnit, the simulator and temporary files left behind.
The handler takes the SIGINT path (it raises SIGINT, or ``Terminated``, a ``KeyboardInterrupt``, where
SIGINT has no Python handler), so the engine, the paper session and the writers treat it
exactly like Ctrl-C; only the exit code differs (143 = 128 + SIGTERM, as the shell reports it).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from preflight.exitcodes import EXIT_INTERRUPTED, EXIT_TERMINATED


class Terminated(KeyboardInterrupt):
    """The process received SIGTERM; handled like Ctrl-C."""


_received: list[int] = []


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    del frame
    if _received:  # a second SIGTERM must not cut short the partial report the first one is writing
        return
    _received.append(signum)
    if callable(signal.getsignal(signal.SIGINT)):
        # Take the Ctrl-C path itself, through whichever handler is installed: Python's default one, or
        # asyncio.run's, which turns SIGINT into a clean cancellation of its main task (an exception
        # raised mid-step instead would leave tasks failing noisily).
        signal.raise_signal(signal.SIGINT)
        return
    raise Terminated()  # SIGINT ignored (SIG_IGN) or fatal (SIG_DFL): raise the interrupt directly


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Turn SIGTERM into ``Terminated`` in the main thread while the block runs (no-op elsewhere)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _received.clear()
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def interrupted_exit_code() -> int:
    """Return the exit code of an interrupted run: 143 after SIGTERM, 130 after Ctrl-C."""
    return EXIT_TERMINATED if _received else EXIT_INTERRUPTED
