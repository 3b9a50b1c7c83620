"""Run the CLI as ``python -m preflight``."""

from preflight.cli.app import main

main()
