"""Read the series of a prometheus_client registry into a plain index, without touching its internals."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

# Bookkeeping samples prometheus_client adds next to a counter/histogram; they are not series of the metric.
_BOOKKEEPING_SUFFIXES = ("_created",)


@dataclass(frozen=True)
class Series:
    """One sample of a registry: its full name (``..._total`` for counters), labels and value."""

    name: str
    labels: Mapping[str, str]
    value: float

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Say whether every label in ``labels`` has the same value on this series."""
        return all(self.labels.get(key) == value for key, value in labels.items())


@dataclass(frozen=True)
class SeriesIndex:
    """Every series of a registry by sample name."""

    by_name: Mapping[str, tuple[Series, ...]]

    def select(self, name: str, labels: Mapping[str, str]) -> tuple[Series, ...]:
        """Return the series called ``name`` whose labels include ``labels``."""
        return tuple(series for series in self.by_name.get(name, ()) if series.matches(labels))

    def restricted(self, keep: Callable[[Series], bool]) -> SeriesIndex:
        """Return the index of the series ``keep`` accepts."""
        return index_series(series for found in self.by_name.values() for series in found if keep(series))

    def total(self, name: str, labels: Mapping[str, str]) -> float | None:
        """Return the sum over the matching series, or None when there is no such series."""
        found = self.select(name, labels)
        return sum(series.value for series in found) if found else None


def index_series(samples: Iterable[Series]) -> SeriesIndex:
    """Group samples by name."""
    grouped: dict[str, list[Series]] = {}
    for series in samples:
        grouped.setdefault(series.name, []).append(series)
    return SeriesIndex({name: tuple(found) for name, found in grouped.items()})


def read_registry(registry: CollectorRegistry) -> SeriesIndex:
    """Collect every sample of ``registry`` (a scrape, as Prometheus would see it)."""
    samples: list[Series] = []
    for family in registry.collect():
        for sample in family.samples:
            if sample.name.endswith(_BOOKKEEPING_SUFFIXES):
                continue
            samples.append(Series(sample.name, dict(sample.labels), float(sample.value)))
    return index_series(samples)
