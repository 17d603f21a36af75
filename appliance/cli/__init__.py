"""The ``appliance`` command line: one Typer app, one module per command group.

Command modules import heavy libraries (llama.cpp, onnxruntime, FastAPI)
inside the command functions, so ``appliance --help`` stays fast.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    name="appliance",
    help="Edge Appliance: decide on the device, escalate only what policy and budget allow.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register() -> None:
    # Each module adds its commands to ``app`` when imported.
    from appliance.cli import core  # noqa: F401
    from appliance.cli import perception  # noqa: F401
    from appliance.cli import models  # noqa: F401
    from appliance.cli import hw  # noqa: F401
    from appliance.cli import fleet  # noqa: F401
    from appliance.cli import uplink  # noqa: F401
    from appliance.cli import privacy  # noqa: F401
    from appliance.cli import routing  # noqa: F401


def main() -> None:
    """Entry point of the ``appliance`` console script."""
    _register()
    app()
