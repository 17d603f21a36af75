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
    from appliance.cli import (
        core,  # noqa: F401
        fleet,  # noqa: F401
        hw,  # noqa: F401
        models,  # noqa: F401
        perception,  # noqa: F401
        privacy,  # noqa: F401
        routing,  # noqa: F401
        uplink,  # noqa: F401
    )


def main() -> None:
    """Entry point of the ``appliance`` console script."""
    _register()
    app()
