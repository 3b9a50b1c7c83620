"""Load simulator accounts from a JSON or YAML list (``preflight simulator serve --accounts FILE``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from preflight.errors import ConfigError, Location
from preflight.simulator.accounts import Account

_FIELDS = {
    "uid", "api_key", "api_secret", "rsa_public_key_pem", "permissions", "read_only", "ips",
    "expires_at", "balances", "is_master", "note", "parent_uid",
}  # fmt: skip


def _line_of(items: Any, index: int) -> int | None:
    # ruamel keeps the position of each list item; JSON loaded by ruamel does too.
    try:
        return int(items.lc.item(index)[0]) + 1
    except (AttributeError, KeyError, TypeError, IndexError):
        return None


def load_accounts(path: Path) -> tuple[Account, ...]:
    """Read ``path`` (a list of account objects); ConfigError at file:line says what to fix."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"cannot read the accounts file: {error.strerror}", Location(str(path))) from None
    try:
        items = YAML(typ="rt").load(text)
    except YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(error, "problem", None) or "malformed"
        raise ConfigError(f"not valid JSON/YAML ({problem})", Location(str(path), line)) from None
    if not isinstance(items, list) or not items:
        raise ConfigError("expected a non-empty list of accounts", Location(str(path), 1))
    accounts = []
    for index, item in enumerate(items):
        where = Location(str(path), _line_of(items, index))
        accounts.append(_account(item, where))
    return tuple(accounts)


def _account(item: Any, where: Location) -> Account:
    if not isinstance(item, Mapping):
        raise ConfigError("each account must be a mapping with uid and api_key", where)
    unknown = sorted(set(item) - _FIELDS)
    if unknown:
        raise ConfigError(
            f"unknown account field(s) {', '.join(unknown)}; known: {', '.join(sorted(_FIELDS))}", where
        )
    for required in ("uid", "api_key"):
        if not item.get(required):
            raise ConfigError(f"account is missing {required}", where)
    if not item.get("api_secret") and not item.get("rsa_public_key_pem"):
        raise ConfigError("account needs api_secret (HMAC) or rsa_public_key_pem (RSA)", where)
    permissions = item.get("permissions", {"Spot": ["SpotTrade"]})
    if not isinstance(permissions, Mapping) or not all(isinstance(v, list) for v in permissions.values()):
        raise ConfigError('permissions must map a group to a list, e.g. {"Spot": ["SpotTrade"]}', where)
    return Account(
        uid=str(item["uid"]),
        api_key=str(item["api_key"]),
        api_secret=str(item["api_secret"]) if item.get("api_secret") else None,
        rsa_public_key_pem=str(item["rsa_public_key_pem"]) if item.get("rsa_public_key_pem") else None,
        permissions={str(k): tuple(str(p) for p in v) for k, v in permissions.items()},
        read_only=bool(item.get("read_only", False)),
        ips=tuple(str(ip) for ip in item.get("ips", ())),
        expires_at=_moment(item.get("expires_at"), where),
        balances=_balances(item.get("balances", {"USDT": "10000"}), where),
        is_master=bool(item.get("is_master", True)),
        note=str(item.get("note", "")),
        parent_uid=str(item.get("parent_uid", "0")),
    )


def _moment(value: Any, where: Location) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(f"expires_at {value!r} is not an ISO 8601 time", where) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _balances(value: Any, where: Location) -> dict[str, Decimal]:
    if not isinstance(value, Mapping):
        raise ConfigError('balances must map a coin to an amount, e.g. {"USDT": "10000"}', where)
    try:
        return {str(coin): Decimal(str(amount)) for coin, amount in value.items()}
    except InvalidOperation:
        raise ConfigError("every balance must be a number", where) from None
