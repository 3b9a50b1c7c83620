"""The deployment a root holds: position-keeping documents and the typed, validated model."""

from __future__ import annotations

from preflight.deployment import documents
from preflight.deployment.documents import CORE_FILE, RUNTIME_FILE, document_for
from preflight.deployment.load import build_deployment, deployment_for, load_deployment

__all__ = [
    "CORE_FILE",
    "RUNTIME_FILE",
    "build_deployment",
    "deployment_for",
    "document_for",
    "documents",
    "load_deployment",
]
