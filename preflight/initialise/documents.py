"""The two config files of a new preflight-format deployment, built from the packaged sample.

The sample (``config/``) is the one place that says what a good Bybit deployment looks like (guardrails,
io_queue, thresholds, strategy profile, permission profile); init keeps its values and gives every
name the operator chose to the entrypoints, environments, profiles and keychain entries.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any, cast

from preflight.initialise.base import PROFILE, InitRequest

ADAPTER = "bybit_spot"
IO_QUEUE = "bybit_spot"
EXCHANGE = "bybit"

_RUNTIME_HEAD = """\
# Runtime configuration of {entrypoint}, created by `preflight init`.
# `preflight schema runtime` describes every key; `preflight explain CHECK_ID` says what each check wants.
"""
_CORE_HEAD = """\
# Core configuration of {entrypoint}, created by `preflight init`: environments, key permissions,
# strategies, the secrets store and the license issuers this deployment trusts.
# `preflight schema core` describes every key.
"""


def _sample(name: str) -> Mapping[str, Any]:
    from ruamel.yaml import YAML

    from preflight.resources import sample_config_dir

    document = YAML(typ="safe").load((sample_config_dir() / name).read_text("utf-8"))
    return cast(Mapping[str, Any], document)


def _first(mapping: Mapping[str, Any]) -> Any:
    return next(iter(mapping.values()))


def variables(request: InitRequest, strategy_profile: str) -> dict[str, str]:
    """Return the runbook variables of the deployment (the vars file): name -> value."""
    return {
        "environment": request.paper_environment,
        "live_environment": request.live_environment,
        "strategy_profile": strategy_profile,
        "paper_profile": request.paper_environment,
        "trading_profile": request.trading_profile,
        "adapter": ADAPTER,
        "io_queue": IO_QUEUE,
        "paper_key": request.keychain_key(request.paper_environment),
        "live_key": request.keychain_key(request.live_environment),
    }


def strategy_profile_name() -> str:
    """Return the name of the sample's strategy profile (kept by init)."""
    return next(iter(_sample("core.yaml")["profiles"]))


def runtime_document(request: InitRequest) -> dict[str, Any]:
    """Return config/runtime.yaml as plain data."""
    sample = _sample("runtime.yaml")
    paper = dict(_first(sample["execution"]["paper_profiles"]))
    trading = dict(_first(sample["execution"]["trading_profiles"]))
    profile = strategy_profile_name()
    licensing = dict(sample["licensing"])
    licensing["allowed_profiles"] = [PROFILE]
    licensing["allowed_issuers"] = [request.issuer]
    return {
        "trading": {
            "entrypoints": {
                request.entrypoint: {
                    "description": f"Bybit spot, paper trading ({request.paper_environment}).",
                    "environment": request.paper_environment,
                    "profile": profile,
                    "tags": [PROFILE, "paper", EXCHANGE],
                },
                request.live_entrypoint: {
                    "description": f"The go-live target of {request.entrypoint}.",
                    "environment": request.live_environment,
                    "profile": profile,
                    "tags": [PROFILE, "live", EXCHANGE],
                },
            }
        },
        "execution": {
            "paper_profiles": {
                request.paper_environment: {
                    **paper,
                    "entrypoint": request.entrypoint,
                    "adapter": ADAPTER,
                    "io_queue": IO_QUEUE,
                }
            },
            "trading_profiles": {
                request.trading_profile: {**trading, "entrypoint": request.entrypoint, "adapter": ADAPTER}
            },
        },
        "io_queue": dict(sample["io_queue"]),
        "licensing": licensing,
    }


def core_document(request: InitRequest, trusted_issuers: list[dict[str, str]]) -> dict[str, Any]:
    """Return config/core.yaml as plain data."""
    sample = _sample("core.yaml")
    environments = sample["environments"]
    paper_sample = next(e for e in environments.values() if e["mode"] == "paper")
    permission_profile = next(iter(sample["permission_profiles"]))
    return {
        "environments": {
            request.paper_environment: {
                "exchange": EXCHANGE,
                "adapter": ADAPTER,
                "mode": "paper",
                "keychain_key": request.keychain_key(request.paper_environment),
                "endpoint": request.paper_endpoint,
                "permission_profile": permission_profile,
                "paper_trading": paper_sample["paper_trading"],
            },
            request.live_environment: {
                "exchange": EXCHANGE,
                "adapter": ADAPTER,
                "mode": "live",
                "keychain_key": request.keychain_key(request.live_environment),
                "endpoint": request.live_endpoint,
                "account_uid": request.account_uid,
                "permission_profile": permission_profile,
            },
        },
        "permission_profiles": sample["permission_profiles"],
        "profiles": sample["profiles"],
        "secrets": sample["secrets"],
        "licensing": {"trusted_issuers": trusted_issuers},
    }


def dump(document: Mapping[str, Any], head: str = "") -> str:
    """Return ``document`` as block-style YAML after the comment ``head``."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]  # keep the built order
    yaml.width = 4096
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    return head + buffer.getvalue()


def runtime_text(request: InitRequest) -> str:
    """Return config/runtime.yaml."""
    return dump(runtime_document(request), _RUNTIME_HEAD.format(entrypoint=request.entrypoint))


def core_text(request: InitRequest, trusted_issuers: list[dict[str, str]]) -> str:
    """Return config/core.yaml."""
    return dump(core_document(request, trusted_issuers), _CORE_HEAD.format(entrypoint=request.entrypoint))
