"""The README's GitHub Actions workflows: they parse, and their ``run:`` steps work on the first run.

Each workflow is read out of the README's CI section; its ``run:`` steps are executed with GitHub's
default shell (``bash --noprofile --norc -eo pipefail``) in a workspace laid out like a checkout, with
``${{ secrets.X }}`` filled from test values and GITHUB_STEP_SUMMARY pointing at a file.
``pip install .`` is the environment these tests already run in. The hosted workflow runs on a
checkout of a deployment made by ``preflight init`` (no keychain: it is git-ignored) on a machine with
another fingerprint; the self-hosted one against the deployment itself, whose live endpoint is a
simulator on 127.0.0.1 that knows the key.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from preflight.initialise import creator
from preflight.initialise.base import InitIO, InitRequest

README = Path(__file__).resolve().parents[1] / "README.md"
SECTION = "### CI gate (GitHub Actions)"
LIVE_KEY, LIVE_SECRET = "CIGATE4LIVEKEY01", "ci-gate-live-secret-0a1b2c3d"
SECRETS = {
    "PREFLIGHT_SECRETS_PASSPHRASE": "ci passphrase from a repository secret",
    "BYBIT_LIVE_API_KEY": LIVE_KEY,
    "BYBIT_LIVE_API_SECRET": LIVE_SECRET,
}


def workflows() -> list[dict[str, Any]]:
    """Return the workflows of the README's CI section, parsed."""
    text = README.read_text(encoding="utf-8")
    start = text.index(SECTION)
    end = text.find("\n## ", start)
    blocks = re.findall(r"```yaml\n(.*?)```", text[start:end], flags=re.DOTALL)
    return [YAML(typ="safe").load(block) for block in blocks]


def _expand(value: str, env: Mapping[str, str]) -> str:
    def secret(match: re.Match[str]) -> str:
        return SECRETS[match.group(1)]

    expanded = re.sub(r"\$\{\{\s*secrets\.(\w+)\s*\}\}", secret, value)
    assert "${{" not in expanded, f"an expression the test cannot evaluate: {value}"
    return expanded


def run_steps(
    workflow: dict[str, Any], workspace: Path, env: dict[str, str]
) -> list[subprocess.CompletedProcess[str]]:
    """Run the ``run:`` steps of the workflow's one job in ``workspace``; every step must exit 0."""
    (job,) = workflow["jobs"].values()
    job_env = {k: _expand(str(v), env) for k, v in (job.get("env") or {}).items()}
    done = []
    for step in job["steps"]:
        if "run" not in step or step["run"].strip() == "pip install .":
            continue  # `uses:` steps are GitHub's; `pip install .` made the environment these tests run in
        step_env = {k: _expand(str(v), env) for k, v in (step.get("env") or {}).items()}
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=workspace,
            env={**env, **job_env, **step_env},
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert result.returncode == 0, f"{step.get('name')}: exit {result.returncode}\n{result.stderr}"
        done.append(result)
    return done


def test_the_workflows_parse_and_use_what_a_first_run_needs() -> None:
    hosted, self_hosted = workflows()
    for workflow in (hosted, self_hosted):
        (job,) = workflow["jobs"].values()
        uses = [step.get("uses", "") for step in job["steps"]]
        assert "actions/checkout@v4" in uses and "actions/setup-python@v5" in uses
        upload = next(step for step in job["steps"] if step.get("uses") == "actions/upload-artifact@v4")
        assert upload["if"] == "always()" and "reports/preflight.*" in upload["with"]["path"]
        run = next(step["run"] for step in job["steps"] if "preflight run" in step.get("run", ""))
        assert "if [ -f" in run and "--baseline" in run  # the baseline only when one exists
        assert "PREFLIGHT_SECRETS_PASSPHRASE" in job["env"]
    assert hosted["jobs"]["preflight"]["runs-on"] == "ubuntu-latest"
    assert self_hosted["jobs"]["preflight"]["runs-on"] == ["self-hosted", "bybit-desk"]


def _base_env(tmp_path: Path, machine: str) -> dict[str, str]:
    factors = tmp_path / f"factors-{machine}.json"
    factors.write_text(json.dumps({"machine_id": machine, "cpu_model": "CI CPU"}))
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PREFLIGHT_", "GITHUB_"))}
    return {**clean, "PREFLIGHT_FINGERPRINT_FACTORS": str(factors), "NO_COLOR": "1", "HOME": str(tmp_path)}


@pytest.fixture
def deployment(tmp_path: Path, serve_simulator: Callable[[str], str]) -> Path:
    """A deployment made by ``preflight init`` on the trading machine, its live endpoint a local simulator."""
    url = serve_simulator(
        f'- uid: "53219870"\n  api_key: {LIVE_KEY}\n  api_secret: {LIVE_SECRET}\n'
        "  permissions: {Spot: [SpotTrade]}\n  ips: [127.0.0.1]\n"
    )
    env = {**_base_env(tmp_path, "trading-machine"), "XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    env["PREFLIGHT_SECRETS_PASSPHRASE"] = SECRETS["PREFLIGHT_SECRETS_PASSPHRASE"]
    root = tmp_path / "srv" / "deploy"
    request = InitRequest(root=root, account_uid="53219870", live_endpoint=url, env=env)
    answers = InitIO(stdin=io.StringIO(f"{LIVE_KEY}\n{LIVE_SECRET}\n"), stderr=io.StringIO())
    creator("preflight").create(request, answers)
    (root / "config/offline_access.md").write_text("# Offline access\n\n" + "The desk's procedure. " * 8)
    return root


def _results(path: Path) -> dict[str, str]:
    return {r["id"]: r["status"] for r in json.loads(path.read_text())["results"]}


def test_the_hosted_workflow_passes_on_its_first_run_and_then_compares(
    tmp_path: Path, deployment: Path
) -> None:
    hosted, _ = workflows()
    workspace = tmp_path / "checkout"
    # What a checkout holds: everything but the git-ignored keychain and run outputs.
    shutil.copytree(deployment, workspace / "deploy", ignore=shutil.ignore_patterns("secrets", "reports"))
    summary = tmp_path / "step_summary.md"
    env = {**_base_env(tmp_path, "hosted-runner-4711"), "GITHUB_STEP_SUMMARY": str(summary)}

    first = run_steps(hosted, workspace, env)
    results = _results(workspace / "reports/preflight.json")
    assert "fingerprint.machine_current" not in results  # skipped on purpose: not the licensed machine
    probes = {i for i in results if i.startswith(("keys.live_key.", "keys.clock_skew"))}
    assert len(probes) == 7 and {results[i] for i in probes} == {"skip"}  # IP-bound: not probed
    assert results["secrets.live_key.active"] == "pass" and results["license.signature"] == "pass"
    assert not {i for i, s in results.items() if s in ("fail", "error")}
    assert ET.parse(workspace / "reports/preflight.xml").getroot().tag in ("testsuites", "testsuite")
    text = summary.read_text()
    assert "Paper session charts" in text and "![" not in text and "<svg" not in text
    for output in first:
        assert (
            LIVE_SECRET not in output.stdout + output.stderr and LIVE_KEY not in output.stdout + output.stderr
        )

    (workspace / "baseline").mkdir()
    shutil.copy(workspace / "reports/preflight.json", workspace / "baseline/preflight.json")
    summary.write_text("")
    run_steps(hosted, workspace, env)
    assert "Changes since baseline" in summary.read_text()


def test_the_self_hosted_workflow_proves_what_a_hosted_runner_cannot(
    tmp_path: Path, deployment: Path
) -> None:
    _, self_hosted = workflows()
    workflow = json.loads(json.dumps(self_hosted))
    workflow["jobs"]["preflight"]["env"]["DEPLOY_ROOT"] = str(deployment)  # /srv/bybit/deploy on the desk
    workspace = tmp_path / "runner-checkout"
    workspace.mkdir()
    env = _base_env(tmp_path, "trading-machine")
    run_steps(workflow, workspace, env)
    results = _results(workspace / "reports/preflight.json")
    assert results["fingerprint.machine_current"] == "pass"
    assert all(results[i] == "pass" for i in results if i.startswith("keys."))
    assert not {i for i, s in results.items() if s in ("fail", "error")}
