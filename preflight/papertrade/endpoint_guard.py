"""Refuse a paper session whose endpoint the deployment's own checks reject: no key goes there.

``core.environment.endpoint`` fails a paper environment that points at anything but the embedded
simulator or Bybit's testnet/demo hosts. The session used to run anyway and send orders signed with the
paper key to that endpoint; now it does not start, and every paper check says it is blocked by that
check. An ``--exchange-url`` on the loopback interface (a simulator the operator started) is allowed.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from preflight.errors import PreflightError
from preflight.papertrade.plan import SessionPlan

ENDPOINT_CHECK = "core.environment.endpoint"
# The hosts the check accepts (checks/bybit_go_live.yaml, core.environment.endpoint), with an optional "/".
SAFE_ENDPOINT = re.compile(r"https://api-(testnet|demo)\.bybit\.com/?")


class UnsafeEndpointError(PreflightError):
    """The paper session would send the deployment's key to an endpoint its checks reject."""

    check_id = ENDPOINT_CHECK


def is_loopback_url(url: str) -> bool:
    """Say whether ``url`` is http(s) to a loopback address (127.0.0.0/8, ::1, localhost)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def refuse_unsafe_endpoints(plan: SessionPlan) -> None:
    """Raise UnsafeEndpointError naming the first entrypoint whose endpoint is not embedded/testnet/demo."""
    for entry in plan.runnable:
        url = entry.base_url
        if url is None or SAFE_ENDPOINT.fullmatch(url):
            continue
        if plan.exchange_url is not None and url == plan.exchange_url:
            if is_loopback_url(url):
                continue
            source = f"--exchange-url {url}"
            fix = "pass a loopback simulator URL or a Bybit testnet/demo URL"
        else:
            field = f"environments.{entry.environment.name}.endpoint"
            source = f"{field} {url}"
            fix = f"set {field} to embedded (or a Bybit testnet/demo URL)"
        raise UnsafeEndpointError(
            f"the paper session did not start: {source} (entrypoint {entry.entrypoint}) is neither the "
            f"embedded simulator nor a Bybit testnet/demo host, so the paper key is never sent to it "
            f"(see {ENDPOINT_CHECK}); {fix}"
        )
