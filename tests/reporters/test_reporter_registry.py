"""The reporter registry and the Format enum name exactly the same formats."""

from __future__ import annotations

from preflight.reporters import REPORTERS, Format, get_reporter


def test_registry_and_format_enum_agree() -> None:
    assert set(REPORTERS) == {fmt.value for fmt in Format}


def test_each_reporter_is_registered_under_its_own_name() -> None:
    for name, reporter in REPORTERS.items():
        assert reporter.name == name
        assert reporter.file_suffix.startswith(".")
        assert get_reporter(name) is reporter
