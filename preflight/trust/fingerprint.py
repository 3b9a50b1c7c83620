"""The machine fingerprint: stable hardware/OS-install factors, hashed one by one, then combined.

Only factors that survive a reboot, a kernel upgrade and a rename, and that every user can read, are
used: the machine id, the CPU model and the MACs of physical NICs. Hostname, kernel version and virtual
interfaces (loopback, docker, veth, bridges, ifb, tun) are left out on purpose: they change without the
hardware changing. The DMI product UUID is left out too: only root can read it, so a license bound by
root would not match the bot's unprivileged service user (and the other way round). Tests and CI inject
factors through a provider or through the JSON file named by ``PREFLIGHT_FINGERPRINT_FACTORS``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from preflight import jsonsafe
from preflight.errors import FingerprintError, Location
from preflight.fsutil import atomic_write_text
from preflight.trust.jsonfile import load_json_file
from preflight.trust.timeutil import format_utc, parse_utc, utc_now

ALGORITHM = "preflight-fingerprint/1;sha256"
FACTORS_ENV = "PREFLIGHT_FINGERPRINT_FACTORS"

# name -> raw value; raw values never leave this module unhashed.
FactorProvider = Callable[[], Mapping[str, str]]

_SYS = Path("/")


@dataclass(frozen=True)
class Fingerprint:
    """A fingerprint: the per-factor hashes and their combined value."""

    algorithm: str
    value: str
    factors: Mapping[str, str]  # name -> sha256 hex


@dataclass(frozen=True)
class FingerprintRecord:
    """``fingerprint.json``: the fingerprint recorded at activation."""

    path: Path
    display: str  # the path as messages show it
    fingerprint: Fingerprint
    created_at: datetime

    @property
    def consistent(self) -> bool:
        """Say whether the recorded value is what the recorded factor hashes combine to."""
        return combine(self.fingerprint.factors) == self.fingerprint.value


@dataclass(frozen=True)
class FactorChanges:
    """How the factors of two fingerprints differ, by factor name."""

    changed: tuple[str, ...]
    added: tuple[str, ...]
    removed: tuple[str, ...]

    def describe(self) -> str:
        """Name the differing factors in one phrase."""
        parts = []
        if self.changed:
            parts.append("changed: " + ", ".join(self.changed))
        if self.added:
            parts.append("new: " + ", ".join(self.added))
        if self.removed:
            parts.append("gone: " + ", ".join(self.removed))
        return "; ".join(parts) or "no factor differs (the recorded value does not match its factors)"


def hash_factor(name: str, raw: str) -> str:
    """Hash one factor; the name is included so equal values of different factors differ."""
    return hashlib.sha256(f"{name}\n{raw.strip()}".encode()).hexdigest()


def combine(factor_hashes: Mapping[str, str]) -> str:
    """Combine factor hashes: SHA-256 over the sorted hashes, one per line."""
    return hashlib.sha256("\n".join(sorted(factor_hashes.values())).encode("ascii")).hexdigest()


def fingerprint_from_factors(raw: Mapping[str, str]) -> Fingerprint:
    """Hash raw factor values into a fingerprint; FingerprintError when there are none."""
    hashes = {name: hash_factor(name, value) for name, value in sorted(raw.items()) if value.strip()}
    if not hashes:
        raise FingerprintError(
            "no stable machine factor is readable (machine-id, CPU model, physical NIC); "
            f"set {FACTORS_ENV} to a JSON file of factors"
        )
    return Fingerprint(algorithm=ALGORITHM, value=combine(hashes), factors=hashes)


def _read(path: Path) -> str | None:
    try:
        return path.read_text("utf-8", errors="replace").strip() or None
    except OSError:
        return None


def system_factors(sys_root: Path = _SYS) -> dict[str, str]:
    """Read this machine's stable factors (``sys_root`` lets tests point at a fake filesystem)."""
    factors: dict[str, str] = {}
    machine_id = _read(sys_root / "etc/machine-id") or _read(sys_root / "var/lib/dbus/machine-id")
    if machine_id:
        factors["machine_id"] = machine_id
    cpuinfo = _read(sys_root / "proc/cpuinfo") or ""
    model = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")), ""
    )
    if model:
        factors["cpu_model"] = model
    net = sys_root / "sys/class/net"
    for interface in sorted(net.iterdir()) if net.is_dir() else ():
        # A physical NIC has a backing device; loopback, bridges, veth, docker and ifb do not.
        if not (interface / "device").exists():
            continue
        mac = (_read(interface / "address") or "").lower()
        if mac and mac != "00:00:00:00:00:00":
            factors[f"nic:{interface.name}"] = mac
    return factors


def injected_factors(path: Path) -> dict[str, str]:
    """Read factors from a JSON object file ``{name: value}`` (tests, CI, containers)."""
    try:
        data = jsonsafe.loads(path.read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as problem:
        raise FingerprintError(
            f"cannot read injected fingerprint factors ({type(problem).__name__}); "
            f"point {FACTORS_ENV} at a JSON object of factor name -> value",
            Location(str(path)),
        ) from None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise FingerprintError(
            f"injected fingerprint factors must be a JSON object of name -> string; fix {FACTORS_ENV}",
            Location(str(path)),
        )
    return {str(k): v for k, v in data.items()}


def provider_from_env(env: Mapping[str, str]) -> FactorProvider:
    """Return the factor provider: the file named by ``PREFLIGHT_FINGERPRINT_FACTORS``, else this machine."""
    injected = env.get(FACTORS_ENV)
    if injected:
        return lambda: injected_factors(Path(injected))
    return system_factors


def current_fingerprint(provider: FactorProvider = system_factors) -> Fingerprint:
    """Compute this machine's fingerprint from ``provider``'s factors."""
    return fingerprint_from_factors(provider())


def compare(recorded: Fingerprint, current: Fingerprint) -> FactorChanges:
    """Name the factors that differ between ``recorded`` and ``current``."""
    old, new = recorded.factors, current.factors
    return FactorChanges(
        changed=tuple(sorted(n for n in old.keys() & new.keys() if old[n] != new[n])),
        added=tuple(sorted(new.keys() - old.keys())),
        removed=tuple(sorted(old.keys() - new.keys())),
    )


def load_record(path: Path, display: str | None = None) -> FingerprintRecord:
    """Read ``fingerprint.json``; FingerprintError (file:line, one sentence) when unusable."""
    what_to_do = "run `preflight fingerprint refresh`, then get the license reissued for the new value"
    shown = display or str(path)
    data = load_json_file(path, "fingerprint", FingerprintError, what_to_do, shown)
    try:
        created_at = parse_utc(data["created_at"])
    except ValueError as problem:
        raise FingerprintError(f"{problem}; {what_to_do}", Location(shown)) from None
    fingerprint = Fingerprint(algorithm=data["algorithm"], value=data["value"], factors=dict(data["factors"]))
    return FingerprintRecord(path=path, display=shown, fingerprint=fingerprint, created_at=created_at)


def write_record(path: Path, fingerprint: Fingerprint, now: datetime | None = None) -> FingerprintRecord:
    """Write ``fingerprint`` to ``path`` atomically as a fingerprint.json record."""
    created_at = now or utc_now()
    document = {
        "algorithm": fingerprint.algorithm,
        "value": fingerprint.value,
        "factors": dict(sorted(fingerprint.factors.items())),
        "created_at": format_utc(created_at),
    }
    atomic_write_text(path, json.dumps(document, indent=2) + "\n")
    return FingerprintRecord(path=path, display=str(path), fingerprint=fingerprint, created_at=created_at)
