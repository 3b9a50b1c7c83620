"""Figure: ``preflight run bybit_desktop_paper`` ÷ its in-run floor (<= 1.3), and its peak RSS.

The floor is what the run's work physically costs, measured in the same run:
  floor = T(``--no-paper`` run: interpreter start, imports, every static check)
        + T(bare replay child: interpreter start, httpx import, the session's own request stream sent in
            order by a bare ``httpx.AsyncClient`` to the minimal canned server of benchmarks.canned)
        - T(``python -c pass``: the second interpreter start, counted once)
The stream is recorded from a default session of the same deployment (benchmarks.stream). Every time is
the best of its runs; absolute seconds are shown for information only. The hard floor replays the stream
over a raw socket instead (no HTTP library): shown for information, as the distance to the metal.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from benchmarks.canned import CannedServer
from benchmarks.common import (
    REPO_ROOT,
    Figure,
    Target,
    Unavailable,
    bench_env,
    best_of,
    preflight_argv,
    python_pass,
    run_timed,
)
from benchmarks.deployments import ENTRYPOINT, provision_demo

TARGET = Target("<=", 1.3)
RSS_TARGET = Target("<=", 200.0)


def _stream_files(root: Path, tmp: Path) -> tuple[Path, Path, int]:
    """Record the session's request stream; return (stream file, canned bodies file, request count)."""
    import json

    stream = tmp / "stream.json"
    sample = run_timed(
        [sys.executable, "-m", "benchmarks.stream", "record", str(root), str(stream)],
        cwd=REPO_ROOT,
        timeout_s=300,
    )
    if sample.returncode != 0 or not stream.is_file():
        raise Unavailable(f"recording the request stream failed: {sample.stderr.strip()[-200:]}")
    data = json.loads(stream.read_text(encoding="utf-8"))
    bodies = tmp / "bodies.json"
    bodies.write_text(json.dumps(data["bodies"]), encoding="utf-8")
    return stream, bodies, len(data["requests"])


def measure(quick: bool) -> tuple[Figure, ...]:
    """Provision a demo, record its stream, then time the full run and every part of its floor."""
    runs = 2 if quick else 5
    with tempfile.TemporaryDirectory(prefix="preflight-bench-demo-") as tmp_name:
        tmp = Path(tmp_name)
        root = tmp / "demo"
        provision_demo(root)
        stream, bodies, count = _stream_files(root, tmp)
        env = bench_env()
        with CannedServer(bodies) as canned:
            replay_argv = [sys.executable, "-m", "benchmarks.stream", "replay", canned.url, str(stream)]
            raw_argv = [sys.executable, "-m", "benchmarks.stream", "replay-raw", canned.url, str(stream)]
            full = static = replay = raw = None
            for _ in range(runs):  # interleaved, so load from other processes hits every part alike
                candidates = (
                    best_of(1, preflight_argv("run", ENTRYPOINT, "--root", str(root)), env=env),
                    best_of(1, preflight_argv("run", ENTRYPOINT, "--root", str(root), "--no-paper"), env=env),
                    best_of(1, replay_argv, cwd=REPO_ROOT, env=env),
                    best_of(1, raw_argv, cwd=REPO_ROOT, env=env),
                )
                full = min(full or candidates[0], candidates[0], key=lambda s: s.wall_s)
                static = min(static or candidates[1], candidates[1], key=lambda s: s.wall_s)
                replay = min(replay or candidates[2], candidates[2], key=lambda s: s.wall_s)
                raw = min(raw or candidates[3], candidates[3], key=lambda s: s.wall_s)
        start = python_pass(runs * 2)
    assert full is not None and static is not None and replay is not None and raw is not None
    floor = static.wall_s + replay.wall_s - start.wall_s
    hard_floor = static.wall_s + raw.wall_s - start.wall_s
    detail = (
        f"best of {runs}: full {full.wall_s:.2f} s; floor {floor:.2f} s = --no-paper {static.wall_s:.2f} s "
        f"+ bare replay of {count} requests {replay.wall_s:.2f} s - python -c pass {start.wall_s:.3f} s"
    )
    return (
        Figure("full run / its floor", full.wall_s / floor, "x", TARGET, detail),
        Figure(
            "full run / hard floor (raw-socket replay)",
            full.wall_s / hard_floor,
            "x",
            None,
            f"the replay without any HTTP library: {raw.wall_s:.2f} s; floor {hard_floor:.2f} s",
        ),
        Figure("full run peak RSS", full.peak_rss_mb, "MB", RSS_TARGET, "VmHWM of the run's own process"),
        Figure(
            "--no-paper run / python -c pass",
            static.wall_s / start.wall_s,
            "x",
            None,
            "start-up + static checks",
        ),
        Figure("python -c pass peak RSS", start.peak_rss_mb, "MB", None, "the RSS reference"),
    )
