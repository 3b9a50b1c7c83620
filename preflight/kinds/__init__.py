"""The check-kind registry: every kind a runbook may name, one module each.

Kind modules import heavy dependencies inside ``run`` so that loading the registry stays cheap.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from preflight.kinds.base import CheckKind

# name -> kind. One line per module; tests/kinds/test_registry.py proves the mapping is complete.
KINDS: Mapping[str, CheckKind[Any]] = {}


def get_kind(name: str) -> CheckKind[Any] | None:
    """Return the kind registered as ``name``, or None."""
    return KINDS.get(name)
