"""Figure: static checks on a generated 2,800-line bot_core core.yaml cost no more per line than the sample.

Both deployments are checked in-process (the static groups, ``--offline --no-paper``) after a warm-up
run, best of several; the cost is divided by the lines of config/runtime.yaml + the core file. The
figure is the ratio bot_core / sample (target <= 1.0), with both per-line costs in its detail.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from benchmarks.common import REPO_ROOT, Figure, Target

CORE_LINES = 2800
FIXTURE = REPO_ROOT / "tests" / "fixtures" / "bot_core" / "head"
STATIC = ("runtime.", "execution.", "core.", "io_queue.")


def _environment(index: int) -> str:
    return (
        f"  desk_{index:04d}_paper:\n"
        f"    exchange: binance_spot\n"
        f"    environment: paper\n"
        f"    keychain_key: desk_{index:04d}_paper_trading\n"
        f"    data_cache_path: ./var/data/desk_{index:04d}\n"
        f"    risk_profile: balanced\n"
        f"    default_strategy: core_daily_trend\n"
        f"    default_controller: daily_trend_core\n"
        f"    permission_profile: trading_default\n"
        f"    instrument_universe: core_multi_exchange\n"
        f"    alert_throttle:\n"
        f"      window_seconds: 300\n"
        f"      max_entries: 4096\n"
    )


def generate_bot_core(root: Path, lines: int = CORE_LINES) -> Path:
    """Write a bot_core deployment whose core file has at least ``lines`` lines (extra environments)."""
    shutil.copytree(FIXTURE, root)
    core = root / "config" / "core.yaml"
    text = core.read_text(encoding="utf-8")
    head, marker, tail = text.partition("\nlicense:\n")
    extra = []
    index = 0
    while (text.count("\n") + sum(block.count("\n") for block in extra)) < lines:
        extra.append(_environment(index))
        index += 1
    core.write_text(head + "\n" + "".join(extra) + marker + tail, encoding="utf-8")
    return root


def _lines(root: Path) -> int:
    return sum(
        (root / "config" / name).read_text(encoding="utf-8").count("\n")
        for name in ("runtime.yaml", "core.yaml")
    )


def _best_run_s(root: Path, runs: int) -> float:
    """Return the best wall time of the static checks on ``root`` (after one warm-up run)."""
    from preflight import catalog, engine
    from preflight.context import RunOptions

    runbook = catalog.load_runbook("bybit_go_live")
    selection = engine.Selection(only=STATIC)
    options = RunOptions(root=root, entrypoint="bybit_desktop_paper", offline=True, no_paper=True)
    engine.run_checks(runbook, options, selection=selection)
    walls = []
    for _ in range(runs):
        started = time.perf_counter()
        engine.run_checks(runbook, options, selection=selection)
        walls.append(time.perf_counter() - started)
    return min(walls)


def measure(quick: bool) -> tuple[Figure, ...]:
    """Time the static checks per config line on the sample and on a 2,800-line bot_core core file."""
    from preflight.resources import sample_config_dir

    runs = 3 if quick else 7
    with tempfile.TemporaryDirectory(prefix="preflight-bench-bot-core-") as tmp:
        sample = Path(tmp) / "sample"
        shutil.copytree(sample_config_dir(), sample / "config")
        bot_core = generate_bot_core(Path(tmp) / "bot_core")
        per_line = {}
        for name, root in (("sample", sample), ("bot_core", bot_core)):
            per_line[name] = (_best_run_s(root, runs) / _lines(root), _lines(root))
    (sample_us, sample_n), (bot_us, bot_n) = (
        (1e6 * v, n) for v, n in (per_line["sample"], per_line["bot_core"])
    )
    ratio = bot_us / sample_us
    detail = (
        f"in-process static groups, best of {runs}: sample {sample_us:.1f} us/line ({sample_n} lines), "
        f"bot_core {bot_us:.1f} us/line ({bot_n} lines)"
    )
    return (
        Figure("static checks per config line, bot_core / sample", ratio, "x", Target("<=", 1.0), detail),
    )


def main() -> None:
    """Print both per-line figures and their ratio."""
    for figure in measure(quick=False):
        print(f"{figure.name}: {figure.value:.3f} (target {figure.target}); {figure.detail}")


if __name__ == "__main__":
    main()
