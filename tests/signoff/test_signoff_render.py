"""Rendering details: metrics with breaches and gaps, the banner, digests, evidence, hostile text."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path
from types import ModuleType

import pytest

from preflight.errors import Location, SignoffError
from preflight.results import Evidence, InputDigest, RunReport, Status
from preflight.signoff.assess import assess
from preflight.signoff.digests import collect_digests
from preflight.signoff.metrics_table import parse_paper_metrics, render_paper_metrics
from preflight.signoff.render import SignoffMeta, evidence_line, problem_lines, render_signoff


def _render(report: RunReport, samples: ModuleType, operator: str = "Jan Nowak") -> str:
    meta = SignoffMeta(operator, samples.SIGNED_AT, "0.1.0", "0" * 16, "test", samples.VARIABLES)
    return render_signoff(report, assess(report, samples.SEE), (), meta)


def test_breaches_and_gaps_are_spelled_out() -> None:
    raw = {
        "bybit_desktop_paper": {
            "environment": "bybit_paper",
            "requests": 90,
            "rate_limited_events": 3,
            "network_errors_by_severity": {"warning": 2, "error": 0},
            "health_status": 0,
            "thresholds": {"rate_limit_max": 0, "network_errors_max": 0, "health_min": 1.0},
            "status": "breached",
            "breaches": [
                {"metric": "m", "threshold": "rate_limit_max", "observed": 3, "limit": 0, "comparator": "<="}
            ],
            "missing_error_severities": ["critical"],
        },
        "summary": {"status": "breached", "metric_coverage_score": 0.6667},
    }
    lines = render_paper_metrics(parse_paper_metrics(raw))
    text = "\n".join(lines)
    assert (
        "| `bybit_desktop_paper` | bybit_paper | 90 | 3 (max 0) | 2 / 0 / — (sum max 0) | 0 (min 1.0) |"
        in text
    )
    assert "  - **Breach**: `rate_limit_max` observed 3, required <= 0." in text
    assert "  - Gap: missing critical series." in text
    assert "Summary status **breached**" in text
    assert "| Metric coverage score | 0.6667 |" in text
    assert "| Threshold coverage score | — |" in text


def test_no_paper_session_and_nothing_simulated(report: RunReport, samples: ModuleType) -> None:
    text = _render(replace(report, paper_metrics=None, simulated=()), samples)
    assert "The paper session did not run in this report: there are no metrics to show." in text
    assert "> **Nothing was simulated.**" in text


def test_free_text_cannot_inject_html(report: RunReport, samples: ModuleType) -> None:
    text = _render(replace(report, notes=("<script>alert(1)</script>",)), samples, operator="<b>x</b> | y")
    assert "<script>" not in text and "- &lt;script>alert(1)&lt;/script>" in text
    assert "| Operator | &lt;b>x&lt;/b> \\| y |" in text


def test_evidence_is_deduplicated_and_relative_to_the_root(report: RunReport) -> None:
    evidence = Evidence("environment", "bybit_paper", Location("/srv/bots/desk-1/config/core.yaml", 3, 3))
    results = tuple(replace(r, evidence=(evidence,)) for r in report.results[:3])
    line = evidence_line(results, "/srv/bots/desk-1")
    assert line == "environment `bybit_paper` (config/core.yaml:3:3)"


def test_long_values_are_cut_to_one_readable_line(report: RunReport) -> None:
    result = replace(report.results[0], evidence=(Evidence("blob", "x" * 500 + "\nsecond line"),))
    line = evidence_line((result,))
    assert len(line) < 100 and line.endswith("…`") and "\n" not in line


def test_digests_computed_for_what_the_run_did_not_record(tmp_path: Path, report: RunReport) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "runtime.yaml").write_text("runtime")
    (tmp_path / "config" / "core.yaml").write_text("core")
    artefact = tmp_path / "reports" / "paper" / "session.json"
    artefact.parent.mkdir(parents=True)
    artefact.write_bytes(b"{}")
    recorded = InputDigest(str(tmp_path / "config" / "runtime.yaml"), hashlib.sha256(b"runtime").hexdigest())
    extra = tmp_path / "report.json"
    extra.write_text("{}")
    sample = replace(report, inputs=(recorded,), artefacts={"paper_report": str(artefact)})
    rows = {row.path: row for row in collect_digests(sample, tmp_path, (extra,))}
    assert (
        rows["config/runtime.yaml"].sha256 == recorded.sha256
        and rows["config/runtime.yaml"].recorded_by == "run"
    )
    assert rows["config/core.yaml"].sha256 == hashlib.sha256(b"core").hexdigest()
    assert rows["config/core.yaml"].recorded_by == "sign-off"
    assert rows["reports/paper/session.json"].sha256 == hashlib.sha256(b"{}").hexdigest()
    assert rows["report.json"].sha256 == hashlib.sha256(b"{}").hexdigest()
    assert rows["var/licenses/active/license.json"].sha256 is None


def test_an_input_changed_since_the_run_is_refused_naming_it(tmp_path: Path, report: RunReport) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "runtime.yaml").write_text("changed")
    recorded = InputDigest(str(tmp_path / "config" / "runtime.yaml"), hashlib.sha256(b"runtime").hexdigest())
    with pytest.raises(SignoffError, match=r"^config/runtime.yaml changed since the run"):
        collect_digests(replace(report, inputs=(recorded,)), tmp_path)
    rows = collect_digests(replace(report, inputs=(recorded,)), tmp_path, require_current=False)
    assert rows[0].sha256 == recorded.sha256


def test_checks_skipped_for_one_reason_share_one_line(report: RunReport) -> None:
    skipped = tuple(
        replace(r, status=Status.SKIP, message="--offline: not probed") for r in report.results[:3]
    )
    lines = problem_lines((*skipped, report.results[3]))
    ids = ", ".join(f"`{r.check_id}`" for r in skipped)
    assert lines == [f"{ids} skipped: --offline: not probed"]


def test_the_paper_evidence_is_named_with_its_digest(report: RunReport, samples: ModuleType) -> None:
    from preflight.results import PaperSource

    source = PaperSource(
        "bot",
        "run_local_bot report (bad092ec's rich block with summary)",
        (InputDigest("logs/e2e/run_local_bot_paper_20261130T090137.json", "ab" * 32),),
        "2026-11-30T09:00:00+00:00 → 2026-11-30T09:01:35+00:00",
        "newest of 2 paper-mode report(s) of bybit_desktop_paper",
    )
    text = _render(replace(report, paper_source=source), samples)
    assert (
        "Evidence: the bot's own paper run — run_local_bot report (bad092ec's rich block with summary)"
        in text
    )
    assert f"- `logs/e2e/run_local_bot_paper_20261130T090137.json` SHA-256 `{'ab' * 32}`" in text
    assert "Chosen as the newest of 2 paper-mode report(s) of bybit_desktop_paper." in text
    assert "Evidence: the " not in _render(report, samples)  # without paper_source: rendered as before
