"""An evidence file read once: its text, its SHA-256 digest, how to show it, and its stamp."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from preflight.errors import InputError

# run_local_bot and bot_core's reporters name files <prefix>_<YYYYmmddTHHMMSS>.<ext> (UTC)
_STAMP = re.compile(r"_(\d{8}T\d{6})\.[a-z]+$")
MAX_BYTES = 64 * 1024 * 1024  # a report or log beyond this is not a paper session's evidence


@dataclass(frozen=True)
class EvidenceFile:
    """One file of evidence as it was when read."""

    path: Path
    text: str
    sha256: str

    @property
    def name(self) -> str:
        """Return the file name."""
        return self.path.name

    def stamp(self) -> datetime | None:
        """Return the UTC time in the file name, if it carries one."""
        return stamp_of(self.path)


def stamp_of(path: Path) -> datetime | None:
    """Return the ``_YYYYmmddTHHMMSS`` time of a bot file name, if it has one."""
    found = _STAMP.search(path.name)
    if found is None:
        return None
    try:
        return datetime.strptime(found.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def read_evidence(path: Path, what: str) -> EvidenceFile:
    """Read ``path`` as UTF-8 text; InputError naming the file and what to do when it cannot be."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError(f"{path}: {size} bytes is too large for {what}; pass the bot's own file")
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"{path}: cannot read {what} ({error.strerror or error})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"{path}: {what} is not UTF-8 text (byte {error.start})") from None
    return EvidenceFile(path, text, hashlib.sha256(data).hexdigest())


def parse_time(value: object) -> datetime | None:
    """Return an ISO 8601 time (the bot writes ``datetime.isoformat()``) as aware UTC, or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
