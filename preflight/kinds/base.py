"""The check-kind interface: parse validated params into a frozen value, then run against a context."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from preflight.context import RunContext
from preflight.results import Outcome

P = TypeVar("P")


@dataclass(frozen=True)
class CheckKind(Generic[P]):
    """A check kind: one module under ``preflight/kinds`` and one line in the registry.

    ``params_schema`` is the JSON Schema (Draft 2020-12) of the check's ``params`` block; the catalog
    validates every check against it at load time, then ``parse`` turns the templated params into a
    frozen dataclass and ``run`` evaluates it. ``run`` returns an Outcome for pass *and* fail; an
    exception escaping it becomes status ``error`` (the engine catches it).
    """

    name: str
    summary: str
    params_schema: Mapping[str, Any]
    parse: Callable[[Mapping[str, Any]], P]
    run: Callable[[P, RunContext], Outcome]
