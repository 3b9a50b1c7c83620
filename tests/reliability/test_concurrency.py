"""Concurrency: two runs on one root never mix evidence; two first sign-offs leave one matching key pair."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from preflight.signoff.sign import DEFAULT_KEY_PATH, default_signing_key, key_id_for, load_signing_key
from preflight.signoff.verify import load_public_key

ENTRYPOINT = "bybit_desktop_paper"


def _start(root: Path, report: Path, *extra: str) -> subprocess.Popen[str]:
    argv = [sys.executable, "-m", "preflight", "run", ENTRYPOINT, "--root", str(root), "--quiet",
            "--format", "json", "-o", str(report), *extra]  # fmt: skip
    return subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "NO_COLOR": "1"}
    )


def _status(report: dict[str, object], check_id: str) -> str:
    results = report["results"]
    assert isinstance(results, list)
    return next(r["status"] for r in results if r["id"] == check_id)


def test_two_runs_on_one_root_never_mix_evidence(demo_root: Path, tmp_path: Path) -> None:
    """A rate-limited run and a clean run at once: each report judges its own session's metrics."""
    root = tmp_path / "deploy"
    shutil.copytree(demo_root, root)
    noisy, clean = tmp_path / "noisy.json", tmp_path / "clean.json"
    runs = [_start(root, noisy, "--faults", "rate_limit=0.2"), _start(root, clean)]
    outputs = [run.communicate(timeout=600) for run in runs]
    assert [run.returncode for run in runs] == [1, 0], outputs
    for path, expected in ((noisy, "fail"), (clean, "pass")):
        report = json.loads(path.read_text(encoding="utf-8"))
        metrics = report["paper_metrics"][ENTRYPOINT]
        assert (metrics["rate_limited_events"] > 0) == (expected == "fail")
        # The .prom the check read is the one its own session wrote, not the other run's.
        assert _status(report, "smoke.rate_limited_zero") == expected


def test_two_first_sign_offs_at_once_leave_a_matching_key_pair(tmp_path: Path) -> None:
    """Eight first uses of the deployment key at once: one key wins and every signer uses it."""
    for attempt in range(10):
        root = tmp_path / f"root{attempt}"
        root.mkdir()
        barrier = threading.Barrier(8)
        ids: list[str] = []

        def first_use(root: Path = root, barrier: threading.Barrier = barrier, ids: list[str] = ids) -> None:
            barrier.wait()
            ids.append(default_signing_key(root, env={}).key_id)

        threads = [threading.Thread(target=first_use) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        private = load_signing_key(root / DEFAULT_KEY_PATH, env={})
        public = load_public_key(root / "var" / "signoff" / "signing_key.pub.pem")
        raw = private.private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        assert public == raw and set(ids) == {key_id_for(raw)}
        assert not [p for p in (root / "var" / "signoff").iterdir() if p.name.endswith(".tmp")]
