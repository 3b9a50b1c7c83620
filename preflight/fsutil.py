"""Atomic file writes (a reader sees the old file or the new one, never half of either); paths as shown."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def _process_umask() -> int:
    # Read once at import (os.umask can only be read by setting it; later, threads may be creating files).
    current = os.umask(0o022)
    os.umask(current)
    return current


_UMASK = _process_umask()


def atomic_write_bytes(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and an atomic rename.

    ``mode`` None keeps the permissions of the file being replaced, or gives a new file the ones a plain
    ``open()`` would (0666 less the umask) - mkstemp alone would leave every report 0600.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if mode is None:
        try:
            mode = path.stat().st_mode & 0o7777
        except FileNotFoundError:
            mode = 0o666 & ~_UMASK
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise


def atomic_write_text(path: Path, text: str, *, mode: int | None = None) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    atomic_write_bytes(path, text.encode("utf-8"), mode=mode)


def shown_path(path: Path, root: Path) -> str:
    """Show ``path`` relative to ``root`` when it lies under it, else as it is."""
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
