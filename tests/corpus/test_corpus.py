"""The bad-input corpus: every broken deployment of cases.yaml trips its named check, cleanly.

Each case copies a base deployment (``sample`` = the packaged config/, ``demo`` = a provisioned demo
deployment), applies its mutations, and runs the whole runbook in-process through ``engine.run_checks``
under a per-case time limit. It must:
- give the named check the expected status, with the expected words in its message;
- show no traceback and no internal-error text (``KeyError: ...``) in any result or on stdout/stderr;
- finish within the time limit (a hang is a failure, not a stuck CI job);
- write nothing outside the deployment's report folders (reports/, logs/, var/metrics/), and nothing
  beside the deployment or in the working directory.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
ENTRYPOINT = "bybit_desktop_paper"
CASE_TIMEOUT_S = 180  # a hang guard, not a speed test: a case under load on 2 shared cores took 31 s
TimeLimit = Callable[[float, str], AbstractContextManager[None]]  # the conftest fixture
ALLOWED_WRITES = ("deploy/reports/", "deploy/logs/", "deploy/var/metrics/")
# How the engine words an exception that escaped a check kind: a bug, never an operator message.
INTERNAL_ERROR = re.compile(
    r"^[A-Z][A-Za-z]*(?:Error|Exception|Interrupt|Exit): |Traceback \(most recent call"
)
TRACEBACK = "Traceback (most recent call last)"


@dataclass(frozen=True)
class Expectation:
    """What one check must say about a case: its id, the statuses allowed, the words required."""

    check: str
    statuses: tuple[str, ...]
    words: tuple[str, ...]


@dataclass(frozen=True)
class Case:
    """One broken deployment: the base copied, the mutations applied, what must be found."""

    id: str
    description: str
    base: str  # sample | demo
    paper: bool
    skip_as_root: bool
    cli: bool  # also run through the real CLI (a sample: each costs a process start)
    mutations: tuple[Mapping[str, Any], ...]
    expect: tuple[Expectation, ...]


def load_cases() -> tuple[Case, ...]:
    """Read cases.yaml (a trusted file: plain safe YAML is enough here)."""
    from ruamel.yaml import YAML

    raw = YAML(typ="safe", pure=True).load((HERE / "cases.yaml").read_text(encoding="utf-8"))
    cases = []
    for item in raw["cases"]:
        expect = tuple(
            Expectation(
                check=e["check"],
                statuses=tuple([e["status"]] if isinstance(e["status"], str) else e["status"]),
                words=tuple(e.get("words", ())),
            )
            for e in item["expect"]
        )
        cases.append(
            Case(
                id=item["id"],
                description=item.get("description", ""),
                base=item.get("base", "sample"),
                paper=bool(item.get("paper", False)),
                skip_as_root=bool(item.get("skip_as_root", False)),
                cli=bool(item.get("cli", False)),
                mutations=tuple(item.get("mutate", ())),
                expect=expect,
            )
        )
    return tuple(cases)


CASES = load_cases()


# ------------------------------------------------------------------------------------------ mutations


def _alias_bomb(levels: int = 9, fan_out: int = 9) -> str:
    lines = ['a0: &a0 ["lol"]']
    for level in range(1, levels + 1):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * fan_out) + "]")
    return "\n".join(lines) + "\ntrading: *a9\n"


def _generated(name: str, args: Mapping[str, Any]) -> bytes:
    """Return the content of a generated hostile file."""
    size = int(args.get("size", 0))
    if name == "alias_bomb":
        return _alias_bomb().encode()
    if name == "deep_flow_nesting":
        depth = int(args.get("depth", 20000))
        return ("trading: " + "[" * depth + "]" * depth + "\n").encode()
    if name == "deep_block_nesting":
        depth = int(args.get("depth", 3000))
        return "".join(f"{' ' * i}k{i}:\n" for i in range(depth)).encode() + b" " * depth + b"x: 1\n"
    if name == "deep_json":
        depth = int(args.get("depth", 100000))
        return ("[" * depth + "]" * depth).encode()
    if name == "huge_comment":
        return b"# padding\n" * (size // 10 + 1)
    if name == "huge_mapping":
        lines = ["padding:"] + [f"  key_{i:07d}: value {i}" for i in range(size // 28 + 1)]
        return "\n".join(lines).encode()
    if name == "long_scalar":
        return b"trading:\n  entrypoints:\n    x: " + b"A" * size + b"\n"
    if name == "random_bytes":
        import random

        return random.Random(int(args.get("seed", 7))).randbytes(size)
    raise ValueError(f"unknown generator {name!r} in cases.yaml")


def _json_set(data: Any, path: str, value: Any) -> None:
    parts = path.split(".")
    for part in parts[:-1]:
        data = data[int(part)] if isinstance(data, list) else data[part]
    last = parts[-1]
    if isinstance(data, list):
        data[int(last)] = value
    else:
        data[last] = value


def apply_mutation(root: Path, mutation: Mapping[str, Any]) -> None:
    """Apply one mutation of cases.yaml to the deployment at ``root``."""
    op = mutation["op"]
    target = root / mutation["file"]
    if op == "replace":
        text = target.read_text(encoding="utf-8")
        old, new = mutation["old"], mutation["new"]
        if "fill" in mutation:  # big values are generated, not written out in cases.yaml
            new = new.replace("{fill}", mutation["fill"] * int(mutation["times"]))
        if old not in text:  # a stale case must fail loudly, not pass vacuously
            raise AssertionError(f"cases.yaml: {old!r} not found in {mutation['file']}")
        target.write_text(text.replace(old, new, int(mutation.get("count", 1))), encoding="utf-8")
    elif op == "write":
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(mutation["text"], encoding="utf-8")
    elif op == "write_bytes":  # latin-1 maps code points 0-255 to bytes: "\xff" in YAML is byte 0xff
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(mutation["latin1"].encode("latin-1"))
    elif op == "prepend_bytes":
        target.write_bytes(mutation["latin1"].encode("latin-1") + target.read_bytes())
    elif op == "append":
        with target.open("a", encoding="utf-8") as handle:
            handle.write(mutation["text"])
    elif op == "encode":
        target.write_bytes(target.read_text(encoding="utf-8").encode(mutation["encoding"]))
    elif op == "generate":
        target.parent.mkdir(parents=True, exist_ok=True)
        content = _generated(mutation["generator"], mutation)
        if mutation.get("position") == "prepend":
            content += b"\n" + target.read_bytes()
        target.write_bytes(content)
    elif op == "truncate":
        data = target.read_bytes()
        target.write_bytes(data[: int(len(data) * float(mutation["keep"]))])
    elif op == "flip_byte":
        data = bytearray(target.read_bytes())
        index = data.index(mutation["after"].encode()) + len(mutation["after"])
        data[index] = ord("X") if data[index] != ord("X") else ord("Y")
        target.write_bytes(bytes(data))
    elif op == "json_set":
        import json

        document = json.loads(target.read_text(encoding="utf-8"))
        _json_set(document, mutation["path"], mutation["value"])
        target.write_text(json.dumps(document, indent=2), encoding="utf-8")
    elif op == "delete":
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        else:
            target.unlink()
    elif op == "make_dir":  # a directory where a file should be
        if target.exists():
            target.unlink()
        (target / "placeholder").mkdir(parents=True)
    elif op == "symlink_loop":
        target.unlink(missing_ok=True)
        loop = target.with_name(target.name + ".loop")
        os.symlink(loop.name, target)
        os.symlink(target.name, loop)
    elif op == "fifo":
        target.unlink(missing_ok=True)
        os.mkfifo(target)
    elif op == "chmod":
        target.chmod(int(str(mutation["mode"]), 8))
    else:
        raise ValueError(f"unknown op {op!r} in cases.yaml")


# ------------------------------------------------------------------------------------------- the run


def snapshot(top: Path) -> dict[str, tuple[str, int, int]]:
    """Return every entry under ``top``: relative path -> (type, size, mtime_ns), without following links."""
    entries: dict[str, tuple[str, int, int]] = {}
    for dirpath, dirnames, filenames in os.walk(top, followlinks=False):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            info = path.lstat()
            kind = "link" if path.is_symlink() else "dir" if path.is_dir() else "file"
            rel = str(path.relative_to(top)) + ("/" if kind == "dir" else "")
            entries[rel] = (
                kind,
                info.st_size if kind == "file" else 0,
                info.st_mtime_ns if kind == "file" else 0,
            )
    return entries


def unexpected_writes(before: Mapping[str, object], after: Mapping[str, object]) -> list[str]:
    """Return the paths created, changed or removed outside the allowed report folders."""
    changed = {p for p in after if before.get(p) != after[p]} | {p for p in before if p not in after}
    allowed = {p.rstrip("/") + "/" for p in ALLOWED_WRITES}
    # The report folders themselves (and their parents, e.g. deploy/var/) may be created.
    parents = {str(Path(p).parent) + "/" for p in allowed} | allowed
    return sorted(p for p in changed if not p.startswith(tuple(allowed)) and p not in parents)


def result_texts(report: Any) -> list[tuple[str, str]]:
    """Return (check id, text) for every message and evidence value of the report."""
    texts = []
    for result in report.results:
        texts.append((result.check_id, result.message))
        texts.extend((result.check_id, str(evidence)) for evidence in result.evidence)
    return texts


def run_engine(root: Path, paper: bool) -> Any:
    """Run the whole runbook on ``root`` in-process (offline; the paper session only when asked)."""
    from preflight import catalog, engine
    from preflight.context import RunOptions

    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFLIGHT_")}
    options = RunOptions(root=root, entrypoint=ENTRYPOINT, offline=True, no_paper=not paper, env=env)
    return engine.run_checks(catalog.load_runbook(), options)


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _build_case(case: Case, bases: Mapping[str, Path], workdir: Path) -> Path:
    root = workdir / "deploy"
    shutil.copytree(bases[case.base], root, symlinks=True)
    for mutation in case.mutations:
        apply_mutation(root, mutation)
    return root


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_broken_deployment_trips_its_check_cleanly(
    case: Case,
    corpus_bases: Mapping[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    time_limit: TimeLimit,
) -> None:
    """Run one corpus case: named check, words, no traceback, no hang, no write outside the reports."""
    if case.skip_as_root and _is_root():
        pytest.skip("root reads mode-000 files; the symlink-loop and FIFO cases cover unreadable files")
    if case.base not in corpus_bases:
        pytest.skip(f"base {case.base!r} cannot be provisioned in this tree yet")
    root = _build_case(case, corpus_bases, tmp_path)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    before = snapshot(tmp_path)
    with time_limit(CASE_TIMEOUT_S, "case"):
        report = run_engine(root, case.paper)
    after = snapshot(tmp_path)
    out, err = capfd.readouterr()

    assert TRACEBACK not in out + err, f"traceback printed:\n{out}\n{err}"
    for check_id, text in result_texts(report):
        assert not INTERNAL_ERROR.search(text), f"{check_id}: internal error text: {text}"
    assert unexpected_writes(before, after) == [], "written outside the deployment's report folders"
    by_id = {result.check_id: result for result in report.results}
    for expectation in case.expect:
        matching = [r for cid, r in by_id.items() if cid == expectation.check]
        assert matching, f"{expectation.check} not in the report; ids: {sorted(by_id)}"
        result = matching[0]
        assert result.status in expectation.statuses, (
            f"{result.check_id} is {result.status}: {result.message}"
        )
        missing = [w for w in expectation.words if w.casefold() not in result.message.casefold()]
        assert not missing, f"{result.check_id} message lacks {missing}: {result.message}"


CLI_CASES = [case for case in CASES if case.cli]


@pytest.mark.parametrize("case", CLI_CASES, ids=[case.id for case in CLI_CASES])
def test_cli_reports_broken_deployment_as_no_go(
    case: Case, corpus_bases: Mapping[str, Path], tmp_path: Path
) -> None:
    """Through the real CLI a sample of the corpus exits 1 (NO-GO), names the check, prints no traceback."""
    if case.base not in corpus_bases:
        pytest.skip(f"base {case.base!r} cannot be provisioned in this tree yet")
    root = _build_case(case, corpus_bases, tmp_path)
    argv = [
        sys.executable,
        "-m",
        "preflight",
        "run",
        ENTRYPOINT,
        "--root",
        str(root),
        "--offline",
        "--no-paper",
    ]
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    done = subprocess.run(
        argv, capture_output=True, text=True, timeout=60, cwd=tmp_path, env=env, check=False
    )
    output = done.stdout + done.stderr
    assert done.returncode == 1, f"exit {done.returncode}:\n{output[-2000:]}"
    assert TRACEBACK not in output
    assert case.expect[0].check in output
