"""Prometheus text exposition from a file (``--metrics-file``) or a live ``/metrics`` (``--metrics-url``).

Parsed with prometheus_client's own parsers, never by hand; the scrape is one bounded HTTP GET.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from preflight.errors import InputError, UsageError
from preflight.evidence.files import EvidenceFile, read_evidence
from preflight.papertrade.samples import Series, SeriesIndex, index_series

SCRAPE_TIMEOUT_S = 10.0
MAX_SCRAPE_BYTES = 16 * 1024 * 1024
_BOOKKEEPING_SUFFIXES = ("_created",)  # prometheus_client's creation stamps are not series of the metric


@dataclass(frozen=True)
class Exposition:
    """The series of one scrape or file, and where they came from (file or URL, digest)."""

    source: str  # the file path or the URL, as shown
    sha256: str
    index: SeriesIndex
    file: EvidenceFile | None = None


def parse_exposition(text: str, source: str, openmetrics: bool = False) -> SeriesIndex:
    """Parse exposition text into series; InputError naming ``source`` when it is not an exposition."""
    if openmetrics:
        from prometheus_client.openmetrics.parser import text_string_to_metric_families
    else:
        from prometheus_client.parser import text_string_to_metric_families
    samples: list[Series] = []
    try:
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.name.endswith(_BOOKKEEPING_SUFFIXES):
                    continue
                samples.append(Series(sample.name, dict(sample.labels), float(sample.value)))
    except (ValueError, TypeError, IndexError) as error:
        raise InputError(
            f"{source}: not a Prometheus text exposition ({str(error)[:200]}); "
            "pass the bot's /metrics output or a .prom file it wrote"
        ) from None
    return index_series(samples)


def read_metrics_file(path: Path) -> Exposition:
    """Read and parse a ``.prom`` file."""
    file = read_evidence(path, "a Prometheus exposition")
    return Exposition(str(path), file.sha256, parse_exposition(file.text, str(path)), file)


def shown_url(url: str) -> str:
    """Return ``url`` without user info, query or fragment: they may carry a token, never shown."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def scrape(raw_url: str, timeout_s: float = SCRAPE_TIMEOUT_S) -> Exposition:
    """GET ``raw_url`` once (bounded time and size) and parse what it serves."""
    import hashlib

    import httpx

    if not raw_url.startswith(("http://", "https://")):
        raise UsageError("--metrics-url: give an http:// or https:// URL of the bot's /metrics")
    try:
        url = shown_url(raw_url)
    except ValueError:
        raise UsageError("--metrics-url: not a valid URL; give the bot's /metrics address") from None
    headers = {"Accept": "text/plain;version=0.0.4, application/openmetrics-text;q=0.5"}
    body = bytearray()
    # httpx's timeout bounds each read; a server dripping bytes is bounded by this deadline instead
    deadline = time.monotonic() + timeout_s
    try:
        with (
            httpx.Client(timeout=timeout_s, follow_redirects=False) as client,
            client.stream("GET", raw_url, headers=headers) as response,
        ):
            if response.status_code != 200:
                raise InputError(
                    f"{url}: HTTP {response.status_code}; point --metrics-url at the bot's /metrics"
                )
            content_type = response.headers.get("content-type", "")
            for chunk in response.iter_bytes():
                body.extend(chunk)
                if len(body) > MAX_SCRAPE_BYTES:
                    raise InputError(f"{url}: more than {MAX_SCRAPE_BYTES} bytes; not a bot's /metrics")
                if time.monotonic() > deadline:
                    raise httpx.ReadTimeout("scrape deadline")
    except httpx.TimeoutException:
        raise InputError(f"{url}: no answer within {timeout_s:g} s; is the bot's exporter running?") from None
    except httpx.HTTPError as error:
        raise InputError(
            f"{url}: cannot scrape ({type(error).__name__}); is the bot's exporter running?"
        ) from None
    try:
        text = bytes(body).decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{url}: the answer is not UTF-8 text; not a Prometheus exposition") from None
    index = parse_exposition(text, url, openmetrics="openmetrics" in content_type)
    return Exposition(url, hashlib.sha256(bytes(body)).hexdigest(), index)
