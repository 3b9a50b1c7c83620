"""The sign-off of a fixed report matches its golden file, and the golden file has the promised structure."""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

GOLDEN = Path(__file__).parent / "golden" / "signoff_sample.md"


def _section(text: str, title: str) -> str:
    """Return the body of the ``## title`` section."""
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end >= 0 else len(text)]


def test_signoff_matches_the_golden_file(signed_text: str) -> None:
    # On an intended layout change: python tests/signoff/signoff_samples.py, then review the diff.
    assert signed_text == GOLDEN.read_text(encoding="utf-8")


def test_golden_mirrors_the_runbook_sections_in_order() -> None:
    text = GOLDEN.read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", text, flags=re.MULTILINE)
    assert headings == [
        "Verdict: GO WITH EXCEPTIONS",
        "Go-live runbook",
        "License checklist",
        "Bybit-specific checklist",
        "Smoke test",
        "Paper session metrics",
        "Waivers applied",
        "Notices",
        "Input digests (SHA-256)",
        "Sign-off",
    ]
    assert text.startswith("# Go-live sign-off: Bybit – go-live runbook\n")


def test_golden_ticks_exactly_the_items_whose_checks_all_passed() -> None:
    text = GOLDEN.read_text(encoding="utf-8")
    ticked = re.findall(r"^- \[x\] (.+)$", text, flags=re.MULTILINE)
    unticked = re.findall(r"^- \[ \] (.+)$", text, flags=re.MULTILINE)
    assert len(ticked) == 12
    assert [line.split(" — ")[-1] for line in unticked] == ["**skipped**", "**waived**"]
    assert unticked[0].startswith("API keys are registered")
    assert unticked[1].startswith(
        "Test tests/integration/exchanges/test_bybit.py::test_bybit_spot_rate_limit"
    )
    # Step text is templated with the runbook variables and the entrypoint.
    assert "- [x] **Step 1.** Check config/runtime.yaml: entrypoint bybit_desktop_paper points to " in text
    assert "{" + "environment}" not in text


def test_golden_says_why_an_item_is_not_ticked() -> None:
    text = GOLDEN.read_text(encoding="utf-8")
    assert "  - `keys.live.probe` skipped: --offline: the live key probe needs the exchange\n" in text
    assert (
        "  - `tests.rate_limit` waived by j.kowalska until 2026-12-31T23:59:00Z: "
        "CI runs the test on every merge (pipeline #812)"
    ) in text


def test_golden_evidence_is_one_line_with_values_and_locations() -> None:
    text = GOLDEN.read_text(encoding="utf-8")
    evidence = re.findall(r"^  - Evidence: (.+)$", text, flags=re.MULTILINE)
    assert len(evidence) == 13  # one per item with checks of its own (the see: item points upward instead)
    assert evidence[0] == (
        "trading.entrypoints.bybit_desktop_paper.environment `bybit_paper` (config/runtime.yaml:6); "
        "profile `multi_strategy_default` (config/runtime.yaml:7); "
        "tags `[desktop, paper, bybit]` (config/runtime.yaml:8)"
    )


def test_golden_paper_report_item_is_proven_by_the_checks_its_see_points_to() -> None:
    text = GOLDEN.read_text(encoding="utf-8")
    item = text[text.index("- [x] The paper report satisfies every item of step 4.") :].split("\n- ")[0]
    assert "Checks (2/2 passed): `paper.summary.status`, `paper.entrypoint.breaches`" in item
    # Evidence of checks proven at another item is not repeated; the item says where it stands.
    assert "  - Proven by the `paper.` checks shown above: 2/2 passed." in item
    assert "Evidence:" not in item


def test_golden_has_banner_metrics_waivers_digests_and_attestation(samples: ModuleType) -> None:
    text = GOLDEN.read_text(encoding="utf-8")
    banner = text[: text.index("## Verdict")]
    assert "> **SIMULATED" in banner
    assert "paper session: ran against the embedded Bybit V5 simulator" in banner
    assert "> **Real:**" in banner
    metrics = _section(text, "Paper session metrics")
    row = "| `bybit_desktop_paper` | bybit_paper | 412 | 0 (max 0) | 0 / 0 / 0 (sum max 0) | 1 (min 1.0) |"
    assert row + " **ok** |" in metrics
    assert "| Metric coverage score | 1.0 |" in metrics
    assert "| Threshold coverage score | 1.0 |" in metrics
    waivers = _section(text, "Waivers applied")
    assert "| `tests.rate_limit` | j.kowalska | 2026-12-31T23:59:00Z |" in waivers
    digests = _section(text, "Input digests (SHA-256)")
    assert re.search(r"\| `config/runtime.yaml` \| `[0-9a-f]{64}` \| run \|", digests)
    assert "| `var/licenses/active/license.json` | (file not found) | sign-off |" in digests
    attestation = _section(text, "Sign-off")
    assert "| Operator | Jan Nowak |" in attestation
    assert "| Signed at (UTC) | 2026-11-24T12:05:00Z |" in attestation
    assert "| Tool version | preflight " in attestation
    assert "| Runbook | `bybit_go_live` — Bybit – go-live runbook |" in attestation
    verdict_lines = re.findall(r"^\*\*Verdict: (.+)\*\*$", text, flags=re.MULTILINE)
    assert verdict_lines == ["GO WITH EXCEPTIONS: 1 skipped, 1 waived"]
    assert text.rstrip("\n").endswith("-->")


def test_golden_renders_to_html_with_tables_lists_and_a_hidden_signature() -> None:
    from markdown_it import MarkdownIt  # comes with rich

    html = MarkdownIt("commonmark").enable("table").render(GOLDEN.read_text(encoding="utf-8"))
    assert html.count("<table>") == 5  # metrics, coverage, waivers, digests, sign-off
    assert html.count("<li>[x] ") == 12 and html.count("<li>[ ] ") == 2
    assert "<blockquote>" in html and "<strong>SIMULATED" in html
    assert html.rstrip().endswith("-->")  # the block passes through as an HTML comment, invisible when shown
    assert "<!-- preflight-signature v1" in html
