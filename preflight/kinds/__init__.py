"""The check-kind registry: every kind a runbook may name, one module each.

Kind modules import heavy dependencies inside ``run`` so that loading the registry stays cheap.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from preflight.kinds import (  # trust kinds (issue 5), adapter kinds (issue 3)
    adapter_rate_limit,
    adapter_signing,
    api_key_probe,
    clock_skew,
    config_refs,
    config_schema,
    config_value,
    document_present,
    fingerprint_current,
    guardrail_log,
    license_policy,
    license_valid,
    paper_metrics,
    prom_metric,
    pytest_nodes,
    report_export,
    secret_active,
)
from preflight.kinds.base import CheckKind

# name -> kind. One line per module; tests/kinds/test_registry.py proves the mapping is complete.
KINDS: Mapping[str, CheckKind[Any]] = {
    "config_value": config_value.KIND,
    "config_refs": config_refs.KIND,
    "config_schema": config_schema.KIND,
    "document_present": document_present.KIND,
    "secret_active": secret_active.KIND,
    "license_valid": license_valid.KIND,
    "license_policy": license_policy.KIND,
    "fingerprint_current": fingerprint_current.KIND,
    "api_key_probe": api_key_probe.KIND,
    "clock_skew": clock_skew.KIND,
    "adapter_signing": adapter_signing.KIND,
    "adapter_rate_limit": adapter_rate_limit.KIND,
    "pytest_nodes": pytest_nodes.KIND,
    "paper_metrics": paper_metrics.KIND,
    "guardrail_log": guardrail_log.KIND,
    "report_export": report_export.KIND,
    "prom_metric": prom_metric.KIND,
}


def get_kind(name: str) -> CheckKind[Any] | None:
    """Return the kind registered as ``name``, or None."""
    return KINDS.get(name)
