"""Atomic file writes (a reader sees the old file or the new one, never half of either); paths as shown."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path

from preflight.errors import UsageError
from preflight.textsafe import one_line


def _process_umask() -> int:
    # Read once at import (os.umask can only be read by setting it; later, threads may be creating files).
    current = os.umask(0o022)
    os.umask(current)
    return current


_UMASK = _process_umask()


_TEMPORARY_EXTRA = len("..") + 8 + len(".tmp")  # the dots, mkstemp's random part and the suffix


def _name_max(folder: Path) -> int:
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError):
        return 255


def _temporary_prefix(path: Path) -> str:
    """Return ``.NAME.`` cut so the temporary name fits NAME_MAX whenever the final name does."""
    keep = max(1, _name_max(path.parent) - _TEMPORARY_EXTRA)
    return f".{path.name[:keep]}."


def _write_temporary(path: Path, data: bytes, mode: int) -> str:
    """Write ``data`` (synced, with ``mode``) to a new temporary file beside ``path``; return its name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=_temporary_prefix(path), suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    return tmp_name


def create_exclusive_bytes(path: Path, data: bytes, *, mode: int) -> bool:
    """Create ``path`` whole with ``data`` unless it exists; return False (and write nothing) if it does.

    The file is written under a temporary name and hard-linked into place: linking fails when the
    name exists, so of two processes creating the same file at once exactly one wins, and a reader
    never sees a partial file.
    """
    tmp_name = _write_temporary(path, data, mode)
    try:
        os.link(tmp_name, path)
    except FileExistsError:
        return False
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
    return True


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
    tmp_name = _write_temporary(path, data, mode)
    try:
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


_UNSAFE_COMPONENT = re.compile(r"[/\\\x00-\x1f\x7f]")


def file_component(name: str, what: str) -> str:
    """Return ``name`` when it is safe as one file-name component; UsageError naming ``what`` otherwise.

    Entrypoint names (from the command line, runtime.yaml or a report) become file names such as
    ``reports/signoff/<entrypoint>-<UTC>.md``: a slash or ``..`` would write outside the folder.
    """
    if not name or name in (".", "..") or _UNSAFE_COMPONENT.search(name) or len(name.encode()) > 200:
        raise UsageError(
            f"{what} {one_line(name)!r} cannot name a file: use letters, digits, '.', '_' or '-' "
            "(no '/', '\\', control characters or '..'; at most 200 bytes)"
        )
    return name
