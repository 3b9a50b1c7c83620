"""Which of the bot's files to judge: the newest paper session of the entrypoint, and its exports and log.

``--evidence`` names a report or a folder holding the bot's reports, logs and exports (its root, or any
folder above ``logs/e2e``). In a folder, the newest ``run_local_bot_paper_*.json`` whose ``entrypoint`` is
the one asked for wins, by its ``started_at``; the choice and what was passed over are said in one line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from preflight.errors import InputError
from preflight.evidence.botreport import peek
from preflight.evidence.files import stamp_of

REPORT_GLOB = "run_local_bot_*.json"
PAIRING_WINDOW = timedelta(minutes=2)  # the guardrail export is stamped when written, not when the run ended
_EPOCH = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Choice:
    """The report chosen and why."""

    path: Path
    reason: str


def _files(folder: Path, pattern: str) -> list[Path]:
    try:
        return sorted(p for p in folder.rglob(pattern) if p.is_file())
    except OSError as error:
        raise InputError(f"{folder}: cannot list the evidence folder ({error.strerror or error})") from None


def choose_report(folder: Path, entrypoint: str) -> Choice:
    """Return the newest paper-mode report of ``entrypoint`` under ``folder``; InputError when none."""
    found = _files(folder, REPORT_GLOB)
    if not found:
        raise InputError(
            f"{folder}: no {REPORT_GLOB} report; pass the folder run_local_bot wrote to (--report-dir, "
            "default logs/e2e) or the report file itself"
        )
    mine, others, other_modes, unreadable = [], 0, 0, 0
    for path in found:
        name, mode, started = peek(path)
        if name is None and mode is None:
            unreadable += 1
        elif name != entrypoint:
            others += 1
        elif mode != "paper":
            other_modes += 1
        else:
            mine.append((started or stamp_of(path) or _EPOCH, path))
    passed = [
        f"{count} {what}"
        for count, what in (
            (others, "of other entrypoints"),
            (other_modes, "of other modes (demo/live)"),
            (unreadable, "unreadable"),
        )
        if count
    ]
    passed_over = f"; passed over {', '.join(passed)}" if passed else ""
    if not mine:
        raise InputError(
            f"{folder}: none of {len(found)} run_local_bot report(s) is a paper run of {entrypoint}"
            f"{passed_over}; run `run_local_bot.py --mode paper --entrypoint {entrypoint}` first"
        )
    mine.sort()
    started, path = mine[-1]
    when = started.isoformat() if started is not _EPOCH else "no started_at"
    reason = f"newest of {len(mine)} paper-mode report(s) of {entrypoint} (started {when}){passed_over}"
    return Choice(path, reason)


def search_bases(report: Path, folder: Path | None) -> tuple[Path, ...]:
    """Return where paths a report records may be relative to: the folder, then the report's ancestors
    (``logs/e2e/x.json`` -> the bot's root two levels up)."""
    bases = [folder] if folder is not None else []
    bases += [report.parent, *list(report.parents)[1:3]]
    return tuple(dict.fromkeys(bases))


def locate(recorded: str | None, bases: Sequence[Path], search_in: Path) -> Path | None:
    """Find a file the report recorded (absolute on HEAD, relative on bad092ec, or moved with the folder).

    Only ``search_in`` (the evidence folder) is searched by file name; ``bases`` are joined, never walked.
    """
    if not recorded:
        return None
    path = Path(recorded)
    if path.is_absolute() and path.is_file():
        return path
    for base in bases:
        if not path.is_absolute() and (base / path).is_file():
            return base / path
    # copied elsewhere: the same file name in the evidence folder, in a folder of the same name (bot_core
    # writes two events.log, guardrails/ and retraining/); any folder only for a stamped, unique name
    found = _files(search_in, path.name)
    same_folder = [p for p in found if p.parent.name == path.parent.name]
    if same_folder:
        return same_folder[0]
    return found[0] if found and stamp_of(path) is not None else None


def nearest_stamped(search_in: Path, pattern: str, moment: datetime | None) -> Path | None:
    """Return the file matching ``pattern`` whose name stamp is nearest ``moment`` (within the window)."""
    if moment is None:
        return None
    best: tuple[timedelta, Path] | None = None
    for path in _files(search_in, pattern):
        stamp = stamp_of(path)
        if stamp is None:
            continue
        gap = abs(stamp - moment)
        if gap <= PAIRING_WINDOW and (best is None or gap < best[0]):
            best = (gap, path)
    return best[1] if best else None
