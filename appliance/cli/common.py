"""Options and helpers shared by the command modules."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from appliance.config import Config, load
from appliance.errors import ConfigError

err_console = Console(stderr=True)

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config", "-c", envvar="APPLIANCE_CONFIG",
        help="TOML config file; APPLIANCE_<SECTION>__<KEY> variables override it.",
    ),
]


def fail(message: str, hint: str = "", code: int = 2) -> NoReturn:
    """Print an error (and what to do next) on stderr and exit with ``code``."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    if hint:
        err_console.print(f"[yellow]hint:[/] {hint}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def exit_invalid_config(exc: ConfigError) -> NoReturn:
    """Print every bad key path of ``exc`` on stderr and exit with 2."""
    err_console.print(f"[bold red]invalid configuration[/] ({exc.source}):", highlight=False)
    for key, msg in exc.problems:
        err_console.print(f"  [cyan]{key}[/]: {msg}", highlight=False)
    raise typer.Exit(2) from exc


def load_config(path: Path | None) -> Config:
    """Load the config or exit with every bad key path listed."""
    try:
        return load(path)
    except ConfigError as exc:
        exit_invalid_config(exc)


def setup_logging(level: str, json_format: bool = False) -> None:
    """Configure root logging once, on stderr."""
    fmt = (
        '{"ts":"%(asctime)s","level":"%(levelname)s","logger":"%(name)s","msg":"%(message)s"}'
        if json_format else "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
    )
    logging.basicConfig(level=level, format=fmt, stream=sys.stderr, force=True)
