"""CLI: ``preflight simulator serve`` runs the Bybit V5 simulator on a loopback socket until interrupted."""

from __future__ import annotations

import ipaddress
import signal
import sys
import threading
from pathlib import Path
from typing import Any

import typer

from preflight.errors import UsageError

simulator_app = typer.Typer(
    name="simulator",
    help="The embedded Bybit V5 simulator.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)


def register(app: typer.Typer) -> None:
    """Register this module's commands on app."""
    app.add_typer(simulator_app, name="simulator")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _warn(message: str) -> None:
    sys.stderr.write(f"warning: {message}\n")
    sys.stderr.flush()


def _from_command_line(ctx: typer.Context, name: str) -> bool:
    # By name: typer vendors click, whose ParameterSource enum it does not export.
    return getattr(ctx.get_parameter_source(name), "name", None) == "COMMANDLINE"


def _read_secret_file(path: Path) -> str:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(
            f"--api-secret-file {path}: cannot read it ({getattr(error, 'strerror', None) or error})"
        ) from None
    secret = lines[0].strip() if lines else ""
    if not secret:
        raise UsageError(f"--api-secret-file {path}: its first line is empty; put the secret there")
    return secret


@simulator_app.command("serve")
def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", help="Address to listen on (loopback only unless --allow-remote)."),
    port: int = typer.Option(0, help="Port to listen on; 0 picks a free one (printed)."),
    api_key: str | None = typer.Option(None, "--api-key", help="API key of the one simulated account."),
    api_secret: str | None = typer.Option(
        None,
        "--api-secret",
        envvar="PREFLIGHT_SIM_API_SECRET",
        show_envvar=True,
        help="Its HMAC secret; on the command line every user sees it (ps): prefer the environment "
        "variable or --api-secret-file.",
    ),
    api_secret_file: Path | None = typer.Option(
        None, "--api-secret-file", help="File holding the HMAC secret (its first line)."
    ),
    uid: str = typer.Option("1001", help="UID of the account given by --api-key."),
    accounts: Path | None = typer.Option(None, "--accounts", help="JSON or YAML list of accounts."),
    faults: str = typer.Option("", help="Fault spec, e.g. rate_limit=0.05,server_error=0.02,skew_ms=3000."),
    seed: int = typer.Option(7, help="Seed of the market and the faults."),
    symbols: str = typer.Option("BTCUSDT,ETHUSDT", help="Comma-separated spot symbols."),
    tick_seconds: float = typer.Option(
        1.0, help="Look at the clock every N seconds and add the candles that closed; 0 freezes the market."
    ),
    interval_seconds: int = typer.Option(
        60, help="Length of one simulated candle in seconds (a divisor of 60, e.g. 1 for a fast market)."
    ),
    allow_remote: bool = typer.Option(False, "--allow-remote", help="Allow a non-loopback --host."),
) -> None:
    """Serve the Bybit V5 simulator and print its URL; stop with Ctrl-C."""
    from decimal import Decimal

    from preflight.simulator import Account, BybitSimulator, FaultSpec, SimulatorConfig, SimulatorServer
    from preflight.simulator.accounts_file import load_accounts

    if not allow_remote and not _is_loopback(host):
        raise UsageError(f"--host {host} is not a loopback address; pass --allow-remote to serve it anyway")
    if not _is_loopback(host):
        _warn(
            f"--host {host} is not a loopback address: anyone who can reach this machine can trade on the "
            "simulated accounts"
            + (" (0.0.0.0/:: listens on every interface)" if host in ("0.0.0.0", "::") else "")
        )
    if api_secret_file is not None:
        if api_secret:
            raise UsageError(
                "give either --api-secret-file or --api-secret (PREFLIGHT_SIM_API_SECRET), not both"
            )
        api_secret = _read_secret_file(api_secret_file)
    elif api_secret and _from_command_line(ctx, "api_secret"):
        _warn(
            "--api-secret on the command line is visible to every user of this machine (ps, /proc); "
            "set PREFLIGHT_SIM_API_SECRET or pass --api-secret-file FILE instead"
        )
    if accounts is not None and (api_key or api_secret):
        raise UsageError("give either --accounts FILE or --api-key/--api-secret, not both")
    if bool(api_key) != bool(api_secret):
        raise UsageError(
            "--api-key and --api-secret go together (the secret may come from PREFLIGHT_SIM_API_SECRET)"
        )
    if tick_seconds < 0:
        raise UsageError("--tick-seconds must not be negative")
    if interval_seconds <= 0 or 60 % interval_seconds:
        raise UsageError("--interval-seconds must divide 60 (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 or 60)")
    if accounts is not None:
        loaded = load_accounts(accounts)
    elif api_key and api_secret:
        starting = {"USDT": Decimal("10000"), "BTC": Decimal("0.1"), "ETH": Decimal("1")}
        loaded = (Account(uid=uid, api_key=api_key, api_secret=api_secret, balances=starting),)
    else:
        loaded = ()
    config = SimulatorConfig(
        accounts=loaded,
        seed=seed,
        faults=FaultSpec.parse(faults),
        symbols=tuple(s.strip() for s in symbols.split(",") if s.strip()),
        interval_seconds=interval_seconds,
    )
    simulator = BybitSimulator(config)
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        with SimulatorServer(simulator, host=host, port=port) as server:
            _announce(server.url, loaded, config.faults)
            _run_until_stopped(simulator, stop, tick_seconds)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _announce(url: str, accounts: tuple[Any, ...], faults: Any) -> None:
    from preflight.redact import mask

    print(f"Bybit V5 simulator listening on {url}", flush=True)
    for account in accounts:
        print(f"  account uid={account.uid} api_key={mask(account.api_key)}", file=sys.stderr)
    if not accounts:
        print("  no accounts: signed endpoints answer 10003 (give --api-key or --accounts)", file=sys.stderr)
    if str(faults):
        print(f"  faults: {faults}", file=sys.stderr)
    sys.stderr.flush()


def _run_until_stopped(simulator: Any, stop: threading.Event, tick_seconds: float) -> None:
    # Candles follow the server clock: a tick adds only the candles that have closed since the last
    # one, so the newest candle never starts after server time (a client's `until` means what it says).
    try:
        while not stop.wait(tick_seconds or None):
            simulator.catch_up()
    except KeyboardInterrupt:
        pass  # Ctrl-C is the normal way to stop: exit 0, no traceback
