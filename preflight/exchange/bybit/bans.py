"""The hosts that answered HTTP 403 (IP ban), shared by every adapter of one session.

Bybit bans the caller's IP, not one entrypoint: once any adapter sees 403 from a host, every adapter of
the session that talks to that host must stop (SPEC section 6). A session passes one :class:`HostBans`
to all the adapters it creates; an adapter built without one gets its own.
"""

from __future__ import annotations


class HostBans:
    """Remember which hosts banned this session's IP; the ban lasts for the session's lifetime."""

    def __init__(self) -> None:
        self._hosts: set[str] = set()

    def ban(self, host: str) -> None:
        """Record that ``host`` answered HTTP 403: stop all traffic to it."""
        self._hosts.add(host.lower())

    def is_banned(self, host: str) -> bool:
        """Say whether ``host`` answered HTTP 403 earlier in this session."""
        return host.lower() in self._hosts

    @property
    def hosts(self) -> frozenset[str]:
        """Return the banned hosts."""
        return frozenset(self._hosts)
