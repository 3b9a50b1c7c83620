"""One run at a time per deployment: an advisory lock, so two runs on one root never mix evidence.

The paper session writes ``var/metrics/<entrypoint>.prom`` (a name the bot's monitoring expects, so it
is not made unique per run) and later checks of the same run read it back. Two runs at once on one root
would each read the other's file. The second run waits for the first, saying so on stderr.
The lock is ``flock`` on a file beside the metrics: the kernel releases it when its holder dies.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_FILE = Path("var/metrics/.preflight-run.lock")


def _holder(fd: int) -> str:
    try:
        return os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
    except OSError:
        return "unknown"


@contextmanager
def run_lock(base: Path, on_wait: Callable[[str], None]) -> Iterator[None]:
    """Hold the run lock of ``base`` (the deployment root, or where its artefacts go) for the block."""
    path = base / LOCK_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError:
        # A folder this run cannot write can receive no artefacts of this run either: nothing to mix up.
        yield
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            on_wait(
                f"waiting for another preflight run on {base} (pid {_holder(fd)}) to finish, so the two "
                f"runs' evidence cannot mix (lock {path})"
            )
            fcntl.flock(fd, fcntl.LOCK_EX)
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        os.close(fd)  # releases the lock
