"""Profile a figure that misses: ``python -m benchmarks.profile demo|static [--entrypoints N] [--top K]``.

Runs the same command the figure times, in-process under cProfile, and prints the functions with the
most cumulative time (the cause to fix), so an owner can repeat what the benchmark note says.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import pstats
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from benchmarks.deployments import ENTRYPOINT, provision_demo, scale_deployment


def _run_cli(argv: Sequence[str]) -> None:
    """Run the preflight CLI in this process, swallowing its exit."""
    from preflight.cli.app import main

    sys.argv = ["preflight", *argv]
    with contextlib.suppress(SystemExit):
        main()


def profile_command(argv: Sequence[str], top: int) -> str:
    """Profile ``preflight argv`` and return the ``top`` rows by cumulative time."""
    profiler = cProfile.Profile()
    profiler.runcall(_run_cli, argv)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    """Provision the deployment a figure uses, then profile its command."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile", description=__doc__)
    parser.add_argument("figure", choices=("demo", "static"), help="demo = full run; static = --no-paper")
    parser.add_argument("--entrypoints", type=int, default=500, help="size of the static deployment")
    parser.add_argument("--top", type=int, default=40, help="rows to print")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="preflight-profile-") as tmp:
        root = Path(tmp) / "demo"
        provision_demo(root)
        command = ["run", ENTRYPOINT, "--root", str(root), "--quiet"]
        if args.figure == "static":
            scaled = Path(tmp) / "scaled"
            scale_deployment(root, scaled, args.entrypoints)
            command = ["run", ENTRYPOINT, "--root", str(scaled), "--no-paper", "--quiet"]
        report = profile_command(command, args.top)
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
