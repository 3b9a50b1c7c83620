"""A fixed, hand-built RunReport holding every status, shared by the reporter tests and the golden script.

Regenerate the golden files after an intended change of a format with::

    python tests/reporters/reporter_samples.py

then review ``git diff tests/reporters/golden`` before keeping it.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from preflight.baseline import BaselineDiff, diff_reports
from preflight.errors import Location
from preflight.results import (
    CheckResult,
    Evidence,
    FailOn,
    InputDigest,
    ItemInfo,
    RunReport,
    SectionInfo,
    Severity,
    Status,
    Verdict,
    WaiverApplied,
    verdict_for,
)

GOLDEN_DIR = Path(__file__).parent / "golden"
GOLDEN_WIDTH = 100
STARTED = datetime(2026, 11, 24, 12, 0, 0, tzinfo=UTC)
FINISHED = datetime(2026, 11, 24, 12, 0, 1, 250000, tzinfo=UTC)


def _result(check_id: str, status: Status, message: str, **extra: object) -> CheckResult:
    section, item = {
        "runtime": ("steps", "step1"),
        "execution": ("steps", "step2"),
        "license": ("license", "license_oem"),
        "io_queue": ("bybit", "io_queue"),
        "tests": ("bybit", "rate_limit_test"),
    }[check_id.split(".", 1)[0]]
    fields: dict[str, object] = {
        "check_id": check_id,
        "title": f"Title of {check_id}",
        "section_id": section,
        "item_id": item,
        "kind": "config_assert",
        "severity": Severity.MAJOR,
        "tags": ("config",),
        "status": status,
        "message": message,
        "evidence": (),
        "remediation": "",
        "duration_s": 0.001,
    }
    fields.update(extra)
    return CheckResult(**fields)  # type: ignore[arg-type]


def sample_results() -> tuple[CheckResult, ...]:
    """Return one result per status, with evidence, remediation, waiver and notes where they apply."""
    runtime_yaml = "config/runtime.yaml"
    return (
        _result(
            "runtime.entrypoint.environment",
            Status.PASS,
            "bybit_desktop_paper points to environment bybit_paper.",
            evidence=(Evidence("environment", "bybit_paper", Location(runtime_yaml, 12, 7)),),
            simulated="answered by the embedded simulator, not by the exchange",
        ),
        _result(
            "runtime.entrypoint.tags",
            Status.FAIL,
            "Tags of bybit_desktop_paper lack 'paper' "
            "(expected [desktop, paper, bybit] | got [desktop, bybit]).",
            severity=Severity.CRITICAL,
            evidence=(
                Evidence(
                    "trading.entrypoints.bybit_desktop_paper.tags",
                    "[desktop, bybit]",
                    Location(runtime_yaml, 14, 11),
                ),
                Evidence("expected", "[desktop, paper, bybit]"),
            ),
            remediation="Add `paper` to trading.entrypoints.bybit_desktop_paper.tags in config/runtime.yaml.",
        ),
        _result(
            "execution.paper_profile.adapter",
            Status.ERROR,
            "Could not evaluate: config/runtime.yaml:3:1: duplicate key 'execution'.",
            evidence=(Evidence("file", "config/runtime.yaml", Location(runtime_yaml, 3, 1)),),
            remediation="Remove the second `execution` key.",
        ),
        _result(
            "license.expiry",
            Status.WARN,
            "The license expires in 9 days (warning window 30 days).",
            severity=Severity.MINOR,
            evidence=(
                Evidence(
                    "expires_at", "2026-12-03T00:00:00+00:00", Location("var/licenses/active/license.json")
                ),
            ),
            remediation="Ask the issuer for a renewed license before it expires.",
        ),
        _result(
            "io_queue.bybit_spot.burst",
            Status.WAIVED,
            "burst is 7, expected 6.",
            original_status=Status.FAIL,
            waiver=WaiverApplied(
                "Load test runs with one extra slot", "J. Doe", datetime(2026, 12, 31, 23, 59, tzinfo=UTC)
            ),
            evidence=(Evidence("io_queue.exchanges.bybit_spot.burst", "7", Location(runtime_yaml, 40, 14)),),
            remediation="Set burst: 6.",
        ),
        _result(
            "tests.rate_limit",
            Status.SKIP,
            "No tests/ tree under the root; the named pytest node was not run.",
            notes=("Run it in the source checkout instead.",),
        ),
    )


def sample_sections() -> tuple[SectionInfo, ...]:
    """Return the sections of the sample runbook (one item without results is left out by reporters)."""
    return (
        SectionInfo(
            "steps",
            "Go-live runbook",
            "steps",
            (
                ItemInfo(
                    "step1",
                    "Check config/runtime.yaml: entrypoint points to [bybit_paper].",
                    ("runtime.entrypoint.environment", "runtime.entrypoint.tags"),
                ),
                ItemInfo(
                    "step2", "Verify the paper and trading profiles.", ("execution.paper_profile.adapter",)
                ),
                ItemInfo("step3", "config/core.yaml holds a correct mapping.", ()),
            ),
        ),
        SectionInfo(
            "license",
            "License checklist",
            "checklist",
            (ItemInfo("license_oem", "The OEM license allows Bybit.", ("license.expiry",)),),
        ),
        SectionInfo(
            "bybit",
            "Bybit-specific checklist",
            "checklist",
            (
                ItemInfo(
                    "io_queue",
                    "io_queue.exchanges.bybit_spot has max_concurrency=3 and burst=6.",
                    ("io_queue.bybit_spot.burst",),
                ),
                ItemInfo("rate_limit_test", "The rate-limit test passes.", ("tests.rate_limit",)),
            ),
        ),
    )


def sample_report(
    *, fail_on: FailOn = FailOn.FAIL, results: tuple[CheckResult, ...] | None = None
) -> RunReport:
    """Return the fixed report the golden files are rendered from."""
    chosen = sample_results() if results is None else results
    return RunReport(
        tool_version="0.1.0",
        runbook_id="bybit_go_live",
        runbook_title="Bybit – go-live runbook",
        exchange="bybit",
        entrypoint="bybit_desktop_paper",
        root="/srv/deploy",
        started_at=STARTED,
        finished_at=FINISHED,
        fail_on=fail_on,
        sections=sample_sections(),
        results=chosen,
        verdict=verdict_for(chosen, fail_on),
        simulated=("Bybit exchange: embedded simulator on 127.0.0.1",),
        artefacts={"paper_report": "reports/paper/bybit_desktop_paper-20261124T120000Z.json"},
        inputs=(InputDigest("config/runtime.yaml", "0" * 64),),
        paper_metrics={"summary": {"status": "ok", "entrypoints": ["bybit_desktop_paper"]}},
        notes=(
            "Waiver for runtime.entrypoint.profile expired at 2026-11-01T00:00:00+00:00 "
            "and no longer applies.",
        ),
    )


def sample_baseline() -> BaselineDiff:
    """Return a diff against a baseline where the tags check passed and a now-removed check existed."""
    before = list(sample_results())
    before[1] = _result("runtime.entrypoint.tags", Status.PASS, "ok")
    before[2] = _result("execution.paper_profile.adapter", Status.FAIL, "was failing")
    before.append(_result("runtime.entrypoint.old", Status.PASS, "gone now"))
    del before[5]
    baseline = sample_report(results=tuple(before))
    assert baseline.verdict is Verdict.NO_GO
    return diff_reports(baseline, sample_report(), "previous/report.json")


def golden_outputs() -> dict[str, str]:
    """Return golden file name -> rendered text for every format."""
    from preflight.reporters import get_reporter
    from preflight.reporters.findings import RepoPaths
    from preflight.reporters.terminal import TerminalReporter

    report, baseline = sample_report(), sample_baseline()
    outputs = {
        "terminal.txt": TerminalReporter(color=False, width=GOLDEN_WIDTH).render(report, baseline),
        "terminal_quiet.txt": TerminalReporter(color=False, width=GOLDEN_WIDTH, quiet=True).render(report),
    }
    # CI formats map paths to the repository: a fixed one here, so the files never depend on the cwd.
    paths = RepoPaths(repo_root=Path("/srv"))
    for name in ("json", "junit", "markdown", "sarif"):
        reporter = get_reporter(name, paths)
        outputs[f"report{reporter.file_suffix}"] = reporter.render(report, baseline)
    outputs["report.github.txt"] = get_reporter("github", paths).render(report, baseline)
    outputs["report.xunit1.xml"] = get_reporter("junit-xunit1", paths).render(report, baseline)
    return outputs


if __name__ == "__main__":
    GOLDEN_DIR.mkdir(exist_ok=True)
    for file_name, text in golden_outputs().items():
        (GOLDEN_DIR / file_name).write_text(text, encoding="utf-8")
        sys.stdout.write(f"wrote {GOLDEN_DIR / file_name}\n")
