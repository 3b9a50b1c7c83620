"""Where a run's outputs go: ``--format F -o PATH`` pairs, stdout, files and GITHUB_STEP_SUMMARY."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from preflight.errors import UsageError

STDOUT = "-"
TERMINAL_FILE_WIDTH = 100


@dataclass(frozen=True)
class OutputRequest:
    """One requested output: a format name (a key of REPORTERS) and ``-`` (stdout) or a file path."""

    format: str
    target: str

    @property
    def to_stdout(self) -> bool:
        """Say whether this output goes to stdout."""
        return self.target == STDOUT


def pair_outputs(formats: Sequence[str], targets: Sequence[str]) -> tuple[OutputRequest, ...]:
    """Pair ``--format`` and ``-o`` values in order; UsageError on a mismatch or two stdout outputs.

    A trailing ``--format`` without ``-o`` writes to stdout, except ``terminal``, which is the display
    shown anyway.
    """
    from preflight.reporters import Format  # the registry's keys; imported here to keep --help fast

    known = [fmt.value for fmt in Format]
    for name in formats:
        if name not in known:
            raise UsageError(f"unknown --format {name!r}; choose one of: {', '.join(known)}")
    if len(targets) > len(formats):
        extra = ", ".join(targets[len(formats) :])
        raise UsageError(f"-o {extra} has no --format before it; give each -o PATH its own --format F")
    requests = []
    for index, name in enumerate(formats):
        if index < len(targets):
            if not targets[index]:
                raise UsageError(f"-o for --format {name} is empty; give a file path or - for stdout")
            requests.append(OutputRequest(name, targets[index]))
        elif name != "terminal":
            requests.append(OutputRequest(name, STDOUT))
    to_stdout = [r.format for r in requests if r.to_stdout]
    if len(to_stdout) > 1:
        raise UsageError(
            f"--format {' and '.join(to_stdout)} would both write to stdout; give all but one an -o PATH"
        )
    return tuple(requests)


# Folders of the deployment's own inputs (configs, secrets store, license, fingerprint, signing keys).
INPUT_FOLDERS = ("config", "var/secrets", "var/licenses", "var/signoff")


def _same_file(first: Path, second: Path) -> bool:
    try:
        return first.resolve() == second.resolve() or (first.exists() and first.samefile(second))
    except OSError:
        return False


def refuse_input_targets(targets: Sequence[Path], root: Path, inputs: Sequence[Path] = ()) -> None:
    """UsageError when an output would overwrite an input of the run (a config, the keychain, ...)."""
    real_root = root.resolve()
    for target in targets:
        resolved = target.resolve()
        for folder in INPUT_FOLDERS:
            if resolved.is_relative_to(real_root / folder):
                raise UsageError(
                    f"-o {target} is inside {folder}/ of the deployment, which holds the run's inputs; "
                    "an output never overwrites an input: choose another -o PATH (e.g. under reports/)"
                )
        for source in inputs:
            if _same_file(target, source):
                raise UsageError(
                    f"-o {target} is {source}, an input of this run; an output never overwrites an input: "
                    "choose another -o PATH"
                )


def write_file(path: Path, text: str) -> None:
    """Write one output file atomically; UsageError naming the path when it cannot be written."""
    from preflight.fsutil import atomic_write_text

    try:
        atomic_write_text(path, text)
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}; choose another -o PATH") from None


def _silence(stream: TextIO) -> None:
    """Point ``stream``'s descriptor at /dev/null, so the interpreter's final flush cannot fail again."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)


@contextmanager
def stream_errors(stream: TextIO) -> Iterator[None]:
    """Turn a failing stdout/stderr write into its meaning: the reader left (quiet) or a usage error.

    A reader that closed the pipe (``| head``) has what it wanted: the verdict's exit code stands and
    nothing more is said. Any other failure (a full disk, an I/O error) is said in one line, exit 2,
    like an ``-o`` file that cannot be written.
    """
    try:
        yield
    except BrokenPipeError:
        _silence(stream)
    except OSError as error:
        _silence(stream)
        name = getattr(stream, "name", "the output stream")
        raise UsageError(
            f"cannot write the report to {name}: {error.strerror or error}; the files given with -o "
            "were written; free space or send the output elsewhere"
        ) from None


def append_step_summary(env: Mapping[str, str], markdown: str) -> Path | None:
    """Append ``markdown`` to the file named by GITHUB_STEP_SUMMARY (if set); return its path."""
    target = env.get("GITHUB_STEP_SUMMARY")
    if not target:
        return None
    from preflight.fsutil import atomic_write_bytes

    path = Path(target)
    # Bytes, not text: earlier steps' summaries are kept exactly, whatever their encoding.
    try:
        if not path.parent.is_dir():  # the runner creates the file's folder; never invent one
            raise FileNotFoundError(2, "its folder does not exist")
        existing = path.read_bytes() if path.exists() else b""
        separator = b"\n" if existing and not existing.endswith(b"\n") else b""
        atomic_write_bytes(path, existing + separator + markdown.encode("utf-8"))
    except OSError as error:
        raise UsageError(
            f"cannot append to GITHUB_STEP_SUMMARY file {path}: {error.strerror or error}; "
            "unset GITHUB_STEP_SUMMARY or point it at a writable file"
        ) from None
    return path


def color_enabled(stream: TextIO, env: Mapping[str, str]) -> bool:
    """Say whether ANSI styles may be written to ``stream``.

    NO_COLOR (set and non-empty) wins, then FORCE_COLOR (set and non-empty, not ``0``: styles even when
    piped, as CI log viewers render them), then a TTY whose TERM is not ``dumb``.
    """
    if env.get("NO_COLOR"):
        return False
    force = env.get("FORCE_COLOR")
    if force and force != "0":
        return True
    if env.get("TERM") == "dumb":
        return False
    return is_tty(stream)


def is_tty(stream: TextIO) -> bool:
    """Say whether ``stream`` is an interactive terminal."""
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or replaced streams (pytest capture) are not terminals
        return False


def terminal_width(stream: TextIO, env: Mapping[str, str] | None = None) -> int:
    """Return the display width: the terminal's on a TTY, else ``COLUMNS`` when set, else 100."""
    columns_env = (env if env is not None else os.environ).get("COLUMNS", "")
    if columns_env.strip().isdigit() and int(columns_env) >= 40:
        return int(columns_env)  # what the user (or CI log viewer) asked for, piped or not
    if is_tty(stream):
        try:
            columns = os.get_terminal_size(stream.fileno()).columns
        except (OSError, ValueError):
            columns = 0
        # A pseudo-terminal without a size reports 0 columns; rich would then print nothing at all.
        return columns if columns >= 40 else TERMINAL_FILE_WIDTH
    return TERMINAL_FILE_WIDTH
