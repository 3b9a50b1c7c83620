"""Measure every figure of SPEC.md section 10 in one run and print each beside its target."""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType

if __package__ in (None, ""):  # run as a script (python benchmarks/run.py): make the package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import adapter_ratio, bot_core_scale, cli_help, demo_run, simulator_rps, static_scale
from benchmarks.common import Figure, Unavailable, not_measured

# The explicit registry of figure modules, in the order the table shows them.
FIGURE_MODULES: dict[str, ModuleType] = {
    "cli_help": cli_help,
    "demo_run": demo_run,
    "simulator_rps": simulator_rps,
    "adapter_ratio": adapter_ratio,
    "static_scale": static_scale,
    "bot_core_scale": bot_core_scale,
}


def _measure(name: str, module: ModuleType, quick: bool) -> tuple[Figure, ...]:
    """Run one figure module; a module that is not built yet, or breaks, becomes an N/A row."""
    measure: Callable[[bool], tuple[Figure, ...]] = module.measure
    try:
        return measure(quick)
    except Unavailable as missing:
        return (not_measured(name, "", None, str(missing)),)
    except Exception as error:  # a broken module must not hide the other figures
        where = traceback.extract_tb(error.__traceback__)[-1]
        reason = f"{type(error).__name__}: {error} (at {where.filename}:{where.lineno})"
        return (not_measured(name, "", None, reason),)


def _format_value(figure: Figure) -> str:
    if figure.value is None:
        return "-"
    if figure.unit == "s":
        return f"{figure.value:.3f} s"
    if figure.unit in {"req/s", "MB"}:
        return (
            f"{figure.value:,.0f} {figure.unit}"
            if figure.value >= 100
            else f"{figure.value:.1f} {figure.unit}"
        )
    return f"{figure.value:.3g} {figure.unit}".strip()


def render_table(figures: Sequence[Figure]) -> str:
    """Return the figures as a plain-text table: figure, measured, target, ratio, PASS/MISS, how."""
    rows = [("figure", "measured", "target", "x target", "result", "how / why not measured")]
    for figure in figures:
        target = f"{figure.target} {figure.unit}".strip() if figure.target else "-"
        ratio = f"{figure.ratio:.2f}" if figure.ratio is not None else "-"
        how = figure.unavailable or figure.detail
        rows.append((figure.name, _format_value(figure), target, ratio, figure.status, how))
    columns = len(rows[0]) - 1
    widths = [max(len(row[i]) for row in rows) for i in range(columns)]
    lines = []
    for index, row in enumerate(rows):
        cells = [row[i].ljust(widths[i]) for i in range(columns)]
        lines.append("  ".join([*cells, row[columns]]).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths) + "  " + "-" * 22)
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse options, measure the figures, print the table (or JSON); exit 1 when a figure misses."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions and sizes: a fast smoke run")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON instead of a table")
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted(FIGURE_MODULES),
        default=[],
        help="measure only these figures",
    )
    args = parser.parse_args(argv)
    names = args.only or list(FIGURE_MODULES)
    figures: list[Figure] = []
    for name in names:
        if not args.json:
            print(f"measuring {name} ...", file=sys.stderr, flush=True)
        figures.extend(_measure(name, FIGURE_MODULES[name], args.quick))
    if args.json:
        print(json.dumps({"quick": args.quick, "figures": [f.as_json() for f in figures]}, indent=2))
    else:
        print(render_table(figures))
    # Informational exit status only: CI does not gate on absolute times (SPEC.md section 10).
    return 1 if any(f.status == "MISS" for f in figures) else 0


if __name__ == "__main__":
    sys.exit(main())
