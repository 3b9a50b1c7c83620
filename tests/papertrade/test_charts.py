"""Charts that survive GitHub: SVG files beside the export, a text view, rates in the limits' own units."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from preflight.deployment import load_deployment
from preflight.papertrade.artefacts import PaperSessionResult
from preflight.papertrade.charts import BARS, build_charts, sparkline, summary_block
from preflight.papertrade.plan import SessionOptions
from preflight.papertrade.request_rates import ip_limit_usage, uid_limit_usage
from preflight.papertrade.session import run_paper_session
from preflight.papertrade.transport import RequestSample
from preflight.trust.secrets import open_keychain

EP = "bybit_desktop_paper"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def demo_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One demo deployment for the module (each session writes its own stamped artefacts)."""
    from preflight.demo import prepare_demo

    yield prepare_demo(tmp_path_factory.mktemp("charts") / "demo")


def session(root: Path, faults: str | None = None) -> PaperSessionResult:
    deployment = load_deployment(root)
    keychain = open_keychain(deployment, {})
    return run_paper_session(deployment, lambda: keychain, SessionOptions(EP, ticks=80, faults=faults))


def test_uid_usage_is_the_exchange_count_per_second_grouped_by_limit() -> None:
    samples = [
        RequestSample(0, "/v5/market/time"),  # start phase
        RequestSample(60_000, "/v5/order/create", 20, 1),
        RequestSample(60_001, "/v5/order/create", 20, 2),
        RequestSample(60_002, "/v5/order/realtime", 50, 1),
        RequestSample(120_000, "/v5/order/create", 20, 20),  # the window full: a rate-limited answer
        RequestSample(120_001, "/v5/market/tickers"),  # public: no usage headers
        RequestSample(180_000, "/v5/order/cancel", 20, 1),  # end phase
    ]
    usage = uid_limit_usage([1, 3, 2, 1], samples)
    assert usage["groups"] == [
        {"limit": 20, "endpoints": ["/v5/order/cancel", "/v5/order/create"], "peak_per_tick": [2, 20]},
        {"limit": 50, "endpoints": ["/v5/order/realtime"], "peak_per_tick": [1, 0]},
    ]
    assert usage["peak"] == {"used": 20, "limit": 20, "endpoint": "/v5/order/create"}
    assert usage["at_limit_responses"] == 1


def test_ip_usage_counts_every_request_of_the_session_within_five_seconds() -> None:
    mine = [RequestSample(t, "/v5/market/tickers") for t in (0, 1_000, 4_000, 9_500, 20_000)]
    other = [RequestSample(t, "/v5/market/tickers") for t in (3_000, 3_500, 9_000)]
    usage = ip_limit_usage([1, 2, 1, 1], mine, [*mine, *other])
    # tick 1: at 1 s -> {0, 1}; at 4 s -> {0, 1, 3, 3.5, 4}; tick 2: at 9.5 s -> {9, 9.5} (4 s fell out)
    assert usage["peak_per_tick"] == [5, 2] and usage["limit"] == 600 and usage["window_ms"] == 5000


def test_sparkline_scales_to_the_limit_so_a_full_bar_means_the_limit_was_reached() -> None:
    assert sparkline([0, 20, 10], low=0, high=20) == BARS[0] + BARS[-1] + BARS[4]
    flat = sparkline([3.0] * 200)  # 200 ticks bucketed into at most 48 characters
    assert set(flat) == {BARS[0]} and len(flat) <= 48
    assert sparkline(list(range(200)))[-1] == BARS[-1] and sparkline([]) == "—"


def _polylines(svg: str) -> list[list[tuple[float, float]]]:
    root = ET.fromstring(svg)
    return [
        [tuple(float(c) for c in p.split(",")) for p in line.attrib["points"].split()]  # type: ignore[misc]
        for line in root.iter(f"{SVG}polyline")
    ]


def _axis_labels(svg: str) -> list[float]:
    root = ET.fromstring(svg)
    texts = [t.text or "" for t in root.iter(f"{SVG}text") if t.attrib.get("text-anchor") == "end"]
    numbers = [t.replace(",", "") for t in texts]
    return [float(n) for n in numbers if n.replace(".", "").isdigit()]


def test_a_rate_limited_session_visibly_reaches_its_limit_on_a_linear_axis(demo_root: Path) -> None:
    result = session(demo_root, faults="rate_limit=0.07")
    requests = result.report["requests"]
    assert isinstance(requests, dict)
    limited = requests["rate_limited_responses"]
    assert limited >= 10 and requests["uid_limit"]["at_limit_responses"] == limited
    svg = result.chart_paths["uid_rate"].read_text()
    root = ET.fromstring(svg)
    dots = {round(float(c.attrib["cy"]), 1) for c in root.iter(f"{SVG}circle")}
    limit_lines = [pts for pts in _polylines(svg) if len({y for _, y in pts}) == 1]
    assert dots and dots <= {round(pts[0][1], 1) for pts in limit_lines}  # every red dot sits on a limit line
    labels = _axis_labels(svg)
    steps = {round(b - a, 6) for a, b in itertools.pairwise(labels)}
    assert labels[0] == 0 and len(steps) == 1  # a linear axis from 0
    uid_row = next(c for c in build_charts(result.report) if c.key == "uid_rate")
    assert BARS[-1] in uid_row.spark and f"{limited} answer(s) at the limit" in uid_row.figures


def test_a_clean_session_stays_visibly_below_its_limits(demo_root: Path) -> None:
    result = session(demo_root)
    markdown = result.markdown_path.read_text()
    assert "<svg" not in markdown
    for key, path in result.chart_paths.items():
        assert ET.fromstring(path.read_text()).tag == f"{SVG}svg", key  # a well-formed SVG file
        assert f"]({path.name})" in markdown
    uid = ET.fromstring(result.chart_paths["uid_rate"].read_text())
    assert not list(uid.iter(f"{SVG}circle"))  # no answer at the limit
    ip_svg = result.chart_paths["ip_rate"].read_text()
    series, limit = _polylines(ip_svg)
    assert max(y for _, y in limit) < min(y for _, y in series)  # the limit line is above every point
    assert "| Per-IP rate: each tick's busiest 5 s" in markdown and "of 600 per 5 s" in markdown


def test_the_step_summary_block_is_text_only(demo_root: Path) -> None:
    block = summary_block(session(demo_root).report)
    assert block.startswith(f"### Paper session charts: {EP}")
    assert "![" not in block and "<svg" not in block and "Per-UID rate" in block


def test_a_report_without_rate_blocks_says_no_data_instead_of_inventing_figures() -> None:
    rows = {c.key: c for c in build_charts({"entrypoint": EP, "requests": {"per_tick": [1, 2]}})}
    assert rows["ip_rate"].figures == "no data" and "busiest 5 s" in rows["ip_rate"].title
    assert rows["uid_rate"].figures == "the exchange reported no per-UID limit usage"
    assert rows["equity"].figures == "no data"
