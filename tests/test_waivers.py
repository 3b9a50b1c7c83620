"""Waivers: a live waiver turns a failure into ``waived``; an expired one stops applying, loudly."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from preflight import catalog, engine
from preflight.context import RunOptions
from preflight.errors import ConfigError
from preflight.resources import sample_config_dir
from preflight.results import Status, Verdict
from preflight.waivers import load_waivers

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _waivers(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "waivers.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _broken_deployment(tmp_path: Path) -> Path:
    """The sample with burst 7: io_queue.burst fails, everything else static passes."""
    root = tmp_path / "root"
    shutil.copytree(sample_config_dir(), root / "config")
    runtime = root / "config" / "runtime.yaml"
    runtime.write_text(runtime.read_text().replace("burst: 6", "burst: 7"))
    return root


def _run(root: Path, waivers_path: Path) -> engine.RunReport:  # type: ignore[name-defined]
    return engine.run_checks(
        catalog.load_runbook(),
        RunOptions(root=root, entrypoint="bybit_desktop_paper"),
        selection=engine.Selection(only=("io_queue.",)),
        waivers=load_waivers(waivers_path),
        clock=lambda: NOW,
    )


WAIVER = """\
- check: io_queue.burst
  justification: Bybit raised our limits; burst 7 agreed with the exchange desk.
  approver: desk-lead
  expires: {expires}
"""


def test_a_live_waiver_turns_the_failure_into_waived_and_go(tmp_path: Path) -> None:
    report = _run(
        _broken_deployment(tmp_path), _waivers(tmp_path, WAIVER.format(expires="2026-12-31T23:59:59Z"))
    )
    burst = next(r for r in report.results if r.check_id == "io_queue.burst")
    assert burst.status is Status.WAIVED and burst.original_status is Status.FAIL
    assert burst.waiver is not None and burst.waiver.approver == "desk-lead"
    assert burst.waiver.expires == datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC)
    # A waiver is an accepted exception, never a plain GO.
    assert report.verdict is Verdict.GO_WITH_EXCEPTIONS
    assert any(e.check_id == "io_queue.burst" and e.kind.value == "waived" for e in report.exceptions)


def test_an_expired_waiver_no_longer_applies_and_says_so(tmp_path: Path) -> None:
    report = _run(
        _broken_deployment(tmp_path), _waivers(tmp_path, WAIVER.format(expires="2026-05-31T00:00:00+02:00"))
    )
    burst = next(r for r in report.results if r.check_id == "io_queue.burst")
    assert burst.status is Status.FAIL and burst.waiver is None
    assert any("WAIVER EXPIRED" in note and "desk-lead" in note for note in burst.notes)
    assert any("WAIVER EXPIRED: io_queue.burst" in note for note in report.notes)
    assert report.verdict is Verdict.NO_GO


def test_a_waiver_for_a_passing_check_changes_nothing(tmp_path: Path) -> None:
    root = tmp_path / "root"
    shutil.copytree(sample_config_dir(), root / "config")
    report = _run(root, _waivers(tmp_path, WAIVER.format(expires="2026-12-31T23:59:59Z")))
    assert all(r.status is Status.PASS and r.waiver is None for r in report.results)


def test_a_waiver_naming_an_unknown_check_is_noted(tmp_path: Path) -> None:
    text = WAIVER.format(expires="2026-12-31T23:59:59Z").replace("io_queue.burst", "io_queue.bursts")
    report = _run(_broken_deployment(tmp_path), _waivers(tmp_path, text))
    assert any(
        "unknown check 'io_queue.bursts'" in note and "waivers.yaml:1" in note for note in report.notes
    )
    assert report.verdict is Verdict.NO_GO


@pytest.mark.parametrize(
    ("expires", "words"),
    [
        ("2026-12-31T23:59:59", "WITH a timezone"),  # no timezone
        ("2026-12-31", "WITH a timezone"),  # a date is not a date-time
        ('"2026-13-45T00:00:00Z"', "is not valid here"),
    ],
)
def test_expiry_needs_a_timezone_aware_date_time(tmp_path: Path, expires: str, words: str) -> None:
    with pytest.raises(ConfigError, match=words) as caught:
        load_waivers(_waivers(tmp_path, WAIVER.format(expires=expires)))
    assert caught.value.location is not None and caught.value.location.line == 4


def test_quoted_expiry_with_offset_is_accepted(tmp_path: Path) -> None:
    waivers = load_waivers(_waivers(tmp_path, WAIVER.format(expires='"2026-12-31T23:59:59+02:00"')))
    assert waivers.entries[0].expires.utcoffset() is not None


@pytest.mark.parametrize(
    ("text", "words", "line"),
    [
        (
            WAIVER.format(expires="2026-12-31T23:59:59Z").replace("  approver: desk-lead\n", ""),
            "'approver'",
            1,
        ),
        (WAIVER.format(expires="2026-12-31T23:59:59Z") + "  ticket: OPS-1\n", "unknown key 'ticket'", 5),
        (
            WAIVER.format(expires="2026-12-31T23:59:59Z").replace(
                "Bybit raised our limits; burst 7 agreed with the exchange desk.", "ok"
            ),
            "too short",
            2,
        ),
        ("check: io_queue.burst\n", "expected array", 1),
    ],
)
def test_bad_waiver_files_are_located(tmp_path: Path, text: str, words: str, line: int) -> None:
    with pytest.raises(ConfigError, match=words) as caught:
        load_waivers(_waivers(tmp_path, text))
    assert caught.value.location is not None and caught.value.location.line == line


def test_missing_waivers_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_waivers(tmp_path / "none.yaml")
