"""The bot_core fixtures (tests/fixtures/bot_core/<revision>) and their repaired variants, built on demand.

``repair`` removes exactly the true defects of the shipped configuration: the first copies of the four
duplicated environments, the undefined strategy and controller, the universe without Bybit symbols,
the missing Bybit live target, the contradicting licensing policies and (at HEAD) the missing
paper-session thresholds.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from preflight import catalog, engine
from preflight.context import RunOptions
from preflight.results import RunReport

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bot_core"
REVISIONS = ("head", "bad092ec")
# what the runbook reads statically (the trust groups license./fingerprint./secrets./keys.live_key are
# verified by the trust kinds in bot_core's own formats)
STATIC = engine.Selection(
    only=("runtime.", "execution.", "core.", "io_queue.", "keys.offline_access_documented", "keys.clock_skew")
)


def copy_fixture(tmp_path: Path, revision: str) -> Path:
    """Copy one revision's deployment to a fresh root and return it."""
    root = tmp_path / revision
    shutil.copytree(FIXTURES / revision, root)
    return root


def line_of(root: Path, relpath: str, text: str, occurrence: int = 1) -> int:
    """Return the 1-based line where the ``occurrence``-th ``text`` starts in ``relpath``."""
    content = (root / relpath).read_text(encoding="utf-8")
    index = -1
    for _ in range(occurrence):
        index = content.index(text, index + 1)
    return content[:index].count("\n") + 1


def replace(root: Path, relpath: str, old: str, new: str, count: int = 1) -> None:
    """Replace ``old`` (which must occur ``count`` times) in ``relpath``."""
    path = root / relpath
    content = path.read_text(encoding="utf-8")
    assert content.count(old) == count, f"{old!r} occurs {content.count(old)} times in {relpath}"
    path.write_text(content.replace(old, new), encoding="utf-8")


def _environment_block(content: str, name: str) -> tuple[int, int]:
    """Return the span of the first ``  <name>:`` block under ``environments``."""
    start = content.index(f"\n  {name}:\n", content.index("\nenvironments:\n")) + 1
    end = start + 1
    lines = content[start:].splitlines(keepends=True)
    end = start + len(lines[0])
    for line in lines[1:]:
        if not line.startswith("    "):
            break
        end += len(line)
    return start, end


def repair(root: Path) -> Path:
    """Repair every true defect of a copied fixture in place; return the root."""
    core = root / "config" / "core.yaml"
    content = core.read_text(encoding="utf-8")
    for name in ("coinbase_paper", "okx_paper", "kucoin_paper", "bybit_paper"):
        start, end = _environment_block(content, name)
        content = content[:start] + content[end:]
    core.write_text(content, encoding="utf-8")
    replace(
        root,
        "config/core.yaml",
        "mean_reversion_strategies:\n",
        "strategy_definitions:\n  multi_strategy_default:\n    engine: multi_strategy\n\n"
        "mean_reversion_strategies:\n",
    )
    replace(
        root,
        "config/core.yaml",
        "  controllers:\n",
        "  controllers:\n    stage6.desktop:\n      tick_seconds: 60\n      interval: 1m\n",
    )
    for symbol in ("BTC", "ETH"):
        replace(
            root,
            "config/core.yaml",
            f"          okx_spot: {symbol}-USDT\n",
            f"          okx_spot: {symbol}-USDT\n          bybit_spot: {symbol}USDT\n",
        )
    replace(
        root,
        "config/core.yaml",
        "\nlicense:\n",
        "  bybit_live:\n    exchange: bybit_spot\n    environment: live\n"
        "    keychain_key: bybit_live_trading\n"
        "    data_cache_path: ./var/data/bybit_live\n    risk_profile: balanced\n"
        "    permission_profile: trading_default\n    instrument_universe: core_multi_exchange\n"
        "\nlicense:\n",
    )
    replace(root, "config/core.yaml", "allowed_profiles: [paper, trading_gui]", "allowed_profiles: [desktop]")
    replace(root, "config/core.yaml", "allowed_issuers: [qa, security]", "allowed_issuers: [dudzian]")
    replace(root, "config/core.yaml", "  max_validity_days: 1095\n", "  max_validity_days: 365\n")
    replace(
        root,
        "config/core.yaml",
        "  revocation_required: true\n",
        "  revocation_required: false\n  revocation_list_path: var/licenses/active/revocations.json\n",
    )
    # as declared: no revocation keys when revocation is not required (adoption writes no such file)
    replace(root, "config/core.yaml", "  revocation_keys_path: config/oem_revocation_keys.json\n", "")
    runtime = (root / "config" / "runtime.yaml").read_text(encoding="utf-8")
    if "thresholds:" not in runtime:
        replace(
            root,
            "config/runtime.yaml",
            "      io_queue: bybit_spot\n      metrics:\n"
            "        rate_limit: bot_exchange_rate_limited_total\n"
            "        network_errors: bot_exchange_errors_total\n",
            "      io_queue: bybit_spot\n      metrics:\n"
            "        rate_limit: bot_exchange_rate_limited_total\n"
            "        network_errors: bot_exchange_errors_total\n"
            "        thresholds:\n          rate_limit_max: 0\n          network_errors_max: 0\n"
            "          health_min: 1.0\n",
        )
    return root


def run_static(root: Path, **options: object) -> RunReport:
    """Run the runbook's static checks on ``root`` for bybit_desktop_paper, offline."""
    return engine.run_checks(
        catalog.load_runbook("bybit_go_live"),
        RunOptions(root=root, entrypoint="bybit_desktop_paper", offline=True, no_paper=True, **options),  # type: ignore[arg-type]
        selection=STATIC,
    )
