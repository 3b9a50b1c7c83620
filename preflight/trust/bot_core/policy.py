"""bot_core's two licensing policies: declared (runtime.yaml ``licensing.license``) and enforced (core.yaml
``license``), normalised as bot_core's loader does, each value with its file:line.

bot_core applies the core.yaml block only when both ``license_keys_path`` and ``fingerprint_keys_path``
are set (bootstrap ``validate_license_from_config``); the runtime.yaml block is loaded into
``RuntimeLicensingSettings`` and nothing enforces it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from preflight.errors import ConfigError, Location
from preflight.yamlio import YamlDocument

DECLARED_FILE, DECLARED_PATH = "config/runtime.yaml", "licensing.license"
ENFORCED_FILE, ENFORCED_PATH = "config/core.yaml", "license"
ENFORCEMENT_RULE = (
    "bot_core enforces config/core.yaml `license` only when license_keys_path and fingerprint_keys_path "
    "are both set (bootstrap.py → validate_license_from_config); config/runtime.yaml `licensing` is "
    "loaded but enforced by nothing"
)

PolicyValue = tuple[str, ...] | float | bool | str | None


def _sequence(value: object) -> tuple[str, ...]:
    if value in (None, "", False):
        return ()
    items = [value] if isinstance(value, str) else list(value) if isinstance(value, list | tuple) else [value]
    return tuple(text for text in (str(item).strip() for item in items) if text)


def _float(value: object) -> float | None:
    if value in (None, "", False):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError("not a number")
    return float(value)


def _string(value: object) -> str | None:
    if value in (None, "", False):
        return None
    return str(value).strip() or None


def _bool(value: object) -> bool:
    if value in (None, ""):
        return False
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("true", "1", "yes", "y", "on"):
            return True
        if text in ("false", "0", "no", "n", "off"):
            return False
    return bool(value)


@dataclass(frozen=True)
class Field:
    """One policy field: how bot_core's loader normalises it and its default when absent."""

    name: str
    normalise: Callable[[object], PolicyValue]
    default: PolicyValue = None


FIELDS: tuple[Field, ...] = (
    Field("license_path", _string, "var/licenses/active/license.json"),
    Field("fingerprint_path", _string, "var/licenses/active/fingerprint.json"),
    Field("license_keys_path", _string),
    Field("fingerprint_keys_path", _string),
    Field("allowed_profiles", _sequence, ()),
    Field("allowed_issuers", _sequence, ()),
    Field("max_validity_days", _float),
    Field("required_schema", _string, "core.oem.license"),
    Field("allowed_schema_versions", _sequence, ("1.0",)),
    Field("revocation_list_path", _string),
    Field("revocation_required", _bool, False),
    Field("revocation_list_max_age_hours", _float),
    Field("revocation_keys_path", _string),
    Field("revocation_signature_required", _bool, False),
)
_DEFAULT_WHEN_EMPTY = {"license_path", "fingerprint_path", "required_schema", "allowed_schema_versions"}


@dataclass(frozen=True)
class Setting:
    """A policy value and where it is set (``location`` None: absent, bot_core's default applies)."""

    value: PolicyValue
    location: Location | None

    def shown(self) -> str:
        """Render the value as an operator reads it."""
        text = render(self.value)
        return text if self.location is not None else f"{text} (not set: bot_core's default)"


def render(value: PolicyValue) -> str:
    """Render a policy value: lists in brackets, booleans lower-case, numbers without trailing zeros."""
    if isinstance(value, tuple):
        return "[" + ", ".join(value) + "]"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    return "none" if value is None else str(value)


@dataclass(frozen=True)
class LicensingPolicy:
    """One licensing block, normalised; ``block`` is None when the file has no such block."""

    source: str  # "config/core.yaml license"
    block: Location | None
    settings: Mapping[str, Setting]

    def get(self, name: str) -> Setting:
        """Return setting ``name``."""
        return self.settings[name]

    def value(self, name: str) -> PolicyValue:
        """Return the value of setting ``name``."""
        return self.settings[name].value

    def path(self, name: str) -> str | None:
        """Return a path setting (None when unset)."""
        value = self.settings[name].value
        return value if isinstance(value, str) else None

    def allowed(self, name: str) -> frozenset[str]:
        """Return an allowlist lower-cased, as bot_core compares it (empty: anything is allowed)."""
        value = self.settings[name].value
        return frozenset(v.lower() for v in value) if isinstance(value, tuple) else frozenset()

    @property
    def enforced(self) -> bool:
        """Say whether bot_core applies this block (both key paths set)."""
        return bool(self.path("license_keys_path") and self.path("fingerprint_keys_path"))

    def missing_key_paths(self) -> tuple[str, ...]:
        """Name the key paths whose absence keeps bot_core from applying this block."""
        return tuple(n for n in ("license_keys_path", "fingerprint_keys_path") if not self.path(n))


def read_policy(document: YamlDocument, path: str, source: str) -> LicensingPolicy:
    """Read the licensing block at ``path`` of ``document``; ConfigError at the value bot_core cannot load."""
    block = document.lookup(path)
    section = block.value if block is not None and isinstance(block.value, dict) else {}
    settings: dict[str, Setting] = {}
    for field in FIELDS:
        found = document.lookup(f"{path}.{field.name}") if field.name in section else None
        if found is None:
            settings[field.name] = Setting(field.default, None)
            continue
        try:
            value = field.normalise(found.value)
        except (TypeError, ValueError):
            raise ConfigError(
                f"{path}.{field.name} must be a number (bot_core's loader fails on it); fix the value",
                found.location,
            ) from None
        if field.name in _DEFAULT_WHEN_EMPTY and value in (None, ()):
            value = field.default
        settings[field.name] = Setting(value, found.key_location or found.location)
    where = (block.key_location or block.location) if block is not None else None
    return LicensingPolicy(source=source, block=where, settings=settings)
