"""A small bot_core-shaped checkout (no duplicate keys), written in bot_core's layout for the trust tests."""

from __future__ import annotations

from pathlib import Path

RUNTIME = """\
core:
  path: core.yaml
trading:
  default_entrypoint: bybit_desktop_paper
  entrypoints:
    bybit_desktop_paper:
      environment: bybit_paper
      strategy: core_daily_trend
      risk_profile: balanced
      tags: [desktop, paper, bybit]
licensing:
  enforcement: true
  offline_activation_required: true
  license:
    license_path: var/licenses/active/license.json
    fingerprint_path: var/licenses/active/fingerprint.json
    fingerprint_keys_path: config/oem_fingerprint_keys.json
    allowed_profiles: [desktop]
    allowed_issuers: [dudzian]
    max_validity_days: 365
    required_schema: core.oem.license
    revocation_required: false
"""

CORE = """\
risk_profiles:
  balanced:
    max_daily_loss_pct: 0.015
    max_position_pct: 0.05
permission_profiles:
  trading_default:
    required_permissions: [read, trade]
    forbidden_permissions: [withdraw]
environments:
  bybit_paper:
    exchange: bybit_spot
    environment: paper
    keychain_key: bybit_paper_trading
    data_cache_path: var/data/bybit_paper
    risk_profile: balanced
    permission_profile: trading_default
  bybit_live:
    exchange: bybit_spot
    environment: live
    keychain_key: bybit_live_trading
    data_cache_path: var/data/bybit_live
    risk_profile: balanced
    permission_profile: trading_default
license:
  license_path: var/licenses/active/license.json
  fingerprint_path: var/licenses/active/fingerprint.json
  license_keys_path: config/oem_license_keys.json
  fingerprint_keys_path: config/oem_fingerprint_keys.json
  allowed_profiles: [desktop]
  allowed_issuers: [dudzian]
  max_validity_days: 365
  revocation_required: false
"""

# The contradicting enforced block of the shipped bot_core config, in its shape (values, not its text).
CONTRADICTING_LICENSE = """\
license:
  license_path: var/licenses/active/license.json
  fingerprint_path: var/licenses/active/fingerprint.json
  license_keys_path: config/oem_license_keys.json
  fingerprint_keys_path: config/oem_fingerprint_keys.json
  allowed_profiles: [paper, trading_gui]
  allowed_issuers: [qa, security]
  max_validity_days: 1095
  revocation_required: true
  revocation_list_path: var/licenses/active/revocations.json
  revocation_list_max_age_hours: 12
"""


def write_root(root: Path, *, core: str = CORE, runtime: str = RUNTIME) -> Path:
    """Write the two config files of a bot_core checkout under ``root``."""
    (root / "config").mkdir(parents=True, exist_ok=True)
    (root / "config/runtime.yaml").write_text(runtime, encoding="utf-8")
    (root / "config/core.yaml").write_text(core, encoding="utf-8")
    return root


def with_license_block(core: str, block: str) -> str:
    """Return ``core`` with its top-level ``license:`` block replaced by ``block``."""
    head = core[: core.index("license:\n")]
    return head + block


PASSPHRASE = "correct horse battery staple 42"
PAPER_KEY, PAPER_SECRET = "BCPAPERKEYCANARY7Q2W", "bc-paper-secret-canary-3f9a1c77e2b4"
LIVE_KEY, LIVE_SECRET = "BCLIVEKEYCANARY4M8Z", "bc-live-secret-canary-9b2e6d0a4c1f"
CREDENTIALS = {"bybit_paper": (PAPER_KEY, PAPER_SECRET), "bybit_live": (LIVE_KEY, LIVE_SECRET)}
ENTRYPOINT = "bybit_desktop_paper"


def machine_env(base: Path) -> dict[str, str]:
    """Return a headless-Linux environment whose bot_core home is under ``base`` (no GUI variables)."""
    return {"DUDZIAN_HOME": str(base / "dudzian-home"), "HOME": str(base), "PATH": "/usr/bin:/bin"}


def provision(root: Path, env: dict[str, str], **options: object) -> object:
    """Adopt ``root`` with the test credentials; return the AdoptResult."""
    from preflight.initialise.bot_core import adopt_bot_core

    arguments: dict[str, object] = {
        "entrypoint": ENTRYPOINT,
        "passphrase": PASSPHRASE,
        "credentials": CREDENTIALS,
        "licensee": "Desk A",
        "issuer": "dudzian",
        "days": 200,
        "env": env,
    } | options
    return adopt_bot_core(root, **arguments)  # type: ignore[arg-type]


def reissue(root: Path, **changes: object) -> None:
    """Re-sign ``root``'s license with ``changes`` applied to its payload, using ``root``'s license key."""
    import json

    from preflight.trust.bot_core.license import write_license

    keys = json.loads((root / "config/oem_license_keys.json").read_text())["keys"]
    key_id, value = next(iter(keys.items()))
    path = root / "var/licenses/active/license.json"
    payload = json.loads(path.read_text())["payload"] | changes
    write_license(path, payload, bytes.fromhex(value.removeprefix("hex:")), key_id)
