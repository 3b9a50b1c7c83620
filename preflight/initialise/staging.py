"""Build a deployment in a staging folder, then move it into place without overwriting anything.

Everything is written (atomically, by the usual writers) into a hidden folder beside the target; only
when every file exists and the deployment loads does it move in, file by file with ``os.link`` (which
refuses to replace an existing file) - so a failure or Ctrl-C leaves the target as it was.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from preflight.errors import UsageError


def refuse_existing(root: Path, relpaths: Iterable[str], shown_root: str) -> None:
    """Raise UsageError naming every planned file (or a parent) that already exists under ``root``."""
    if root.exists() and not root.is_dir():
        raise UsageError(f"{shown_root} is a file; pass a new or empty folder (or one without a deployment)")
    clashes: list[str] = []
    for relpath in relpaths:
        current = root
        for part in Path(relpath).parts:
            current = current / part
            if current.is_symlink() or (current.exists() and not current.is_dir()):
                clashes.append(str(current.relative_to(root)))
                break
            if not current.exists():
                break
        else:
            clashes.append(relpath)  # the path itself exists (as a folder)
    if clashes:
        named = ", ".join(f"{shown_root.rstrip('/')}/{c}" for c in sorted(set(clashes)))
        raise UsageError(
            f"refusing to overwrite {named}; move it aside or pass another folder (nothing was written)"
        )


def _remove_empty_folders(top: Path) -> None:
    """Remove ``top`` and the folders below it that are empty (bottom up); anything holding a file stays."""
    for folder, _, _ in os.walk(top, topdown=False):
        with contextlib.suppress(OSError):
            os.rmdir(folder)


@contextlib.contextmanager
def staging_folder(root: Path) -> Iterator[Path]:
    """Yield a fresh hidden folder beside ``root`` (same file system) and remove it afterwards.

    When the block fails, the folders created for the deployment (the root and missing parents) go too.
    """
    missing = [folder for folder in (root, *root.parents) if not folder.exists()]  # deepest first
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}.preflight-init-", dir=root.parent))
    done = False
    try:
        yield staging
        done = True
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if not done:
            for folder in missing:
                _remove_empty_folders(folder)


def move_into_place(staging: Path, root: Path, relpaths: Iterable[str]) -> None:
    """Move each staged file to ``root``; a file that appeared there meanwhile is never replaced."""
    relpaths = tuple(relpaths)
    tops = {root / Path(relpath).parts[0] for relpath in relpaths if len(Path(relpath).parts) > 1}
    new_tops = {folder for folder in tops if not folder.exists()}
    moved: list[Path] = []
    try:
        for relpath in relpaths:
            source, target = staging / relpath, root / relpath
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(source, target)  # FileExistsError instead of a silent overwrite
            moved.append(target)
    except BaseException as error:
        for path in moved:  # all or nothing
            path.unlink(missing_ok=True)
        for folder in new_tops:  # folders this call made; a folder that held anything before stays
            _remove_empty_folders(folder)
        if isinstance(error, FileExistsError):
            raise UsageError(f"refusing to overwrite {error.filename}: it appeared while init ran") from None
        raise
