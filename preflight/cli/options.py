"""Command-line options that several commands share, declared once so their flag and help stay alike."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

RootOption = Annotated[Path, typer.Option("--root", help="Deployment root (default: current directory).")]
