"""Core commands: ``run``, ``simulate``, ``demo``, ``config check`` and ``config show``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from appliance.cli import app
from appliance.cli.common import ConfigOption, err_console, fail, load_config, setup_logging
from appliance.errors import ApplianceError, ConfigError, ModelError

config_app = typer.Typer(help="Check and show the configuration.", no_args_is_help=True)
app.add_typer(config_app, name="config")


@app.command()
def run(
    config: ConfigOption = None,
    embedded_broker: Annotated[bool, typer.Option(
        help="Start a private mosquitto on mqtt.host:mqtt.port instead of using an existing broker."
    )] = False,
) -> None:
    """Run the device daemon until SIGTERM/SIGINT, then drain in-flight work and exit.

    Subscribes to the configured topics, decides every event, publishes decisions on
    appliance/<device>/decisions and rejects on appliance/<device>/deadletter, and serves
    the local REST API. Under systemd it reports READY=1, WATCHDOG=1 and STOPPING=1.
    """
    from appliance.daemon import Daemon

    cfg = load_config(config)
    if embedded_broker:
        cfg.mqtt.embedded_broker = True
    setup_logging(cfg.logging.level, cfg.logging.json_format)
    try:
        daemon = Daemon(cfg)
        daemon.install_signal_handlers()
        daemon.start()
    except ConfigError as exc:
        fail(str(exc), "fix the key named above; `appliance config check FILE` lists every error")
    except ModelError as exc:
        fail(str(exc), "`appliance models verify` shows every model's state")
    except ApplianceError as exc:
        fail(str(exc), "check mqtt.host/mqtt.port and the uplink settings, or pass --embedded-broker")
    raise typer.Exit(daemon.run_until_stopped())


@app.command()
def simulate(
    host: Annotated[str, typer.Option(help="Broker host.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Broker port.")] = 1883,
    rate: Annotated[float, typer.Option(help="Messages per second (0 = as fast as possible).")] = 20.0,
    count: Annotated[int, typer.Option(help="How many messages to publish.")] = 200,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same stream.")] = 7,
    fault_rate: Annotated[float, typer.Option(
        help="Chance per reading that a healthy motor develops a fault.")] = 0.01,
    lines: Annotated[int, typer.Option(help="Production lines.")] = 2,
    motors: Annotated[int, typer.Option(help="Motors per line.")] = 4,
) -> None:
    """Publish a realistic factory stream: motor readings with injected faults,
    Frigate-shaped camera events and operator tickets that contain names, badges and phones."""
    from rich.progress import Progress

    from appliance.simulator import Factory
    from appliance.simulator_mqtt import connect_publisher, publish_stream

    factory = Factory(seed=seed, lines=lines, motors_per_line=motors, fault_rate=fault_rate)
    try:
        client = connect_publisher(host, port)
    except ApplianceError as exc:
        fail(str(exc), "start a broker, or run `appliance demo` which starts its own")
    with Progress(console=err_console, transient=True) as progress:
        task = progress.add_task("publishing", total=count)
        sent = publish_stream(client, factory, count, rate,
                              on_progress=lambda n: progress.update(task, completed=n))
    client.disconnect()
    client.loop_stop()
    err_console.print(f"published {sent} messages to {host}:{port} (seed {seed})")


@app.command()
def demo(
    duration: Annotated[float, typer.Option(help="Seconds to run the simulator.")] = 20.0,
    rate: Annotated[float, typer.Option(help="Simulated messages per second.")] = 10.0,
    seed: Annotated[int, typer.Option(help="Simulator seed.")] = 7,
    config: ConfigOption = None,
) -> None:
    """Start a private broker, the daemon and the simulator, and show decisions as they arrive."""
    from appliance.demo import run_demo

    cfg = load_config(config)
    raise typer.Exit(run_demo(cfg, duration, rate, seed))


@config_app.command("check")
def config_check(
    file: Annotated[Path, typer.Argument(help="TOML config file to validate.")],
) -> None:
    """Validate FILE plus APPLIANCE_* overrides; print every error with its key path.

    Exits 0 when valid, 2 otherwise.
    """
    from appliance.config import load

    try:
        cfg = load(file)
    except ConfigError as exc:
        err_console.print(f"[bold red]invalid[/] {exc.source}:", highlight=False)
        for key, msg in exc.problems:
            err_console.print(f"  [cyan]{key}[/]: {msg}", highlight=False)
        raise typer.Exit(2) from exc
    typer.echo(f"ok: {file} is valid (device {cfg.device_id})")


@config_app.command("show")
def config_show(
    config: ConfigOption = None,
    defaults: Annotated[bool, typer.Option("--defaults", help="Show the built-in defaults.")] = False,
) -> None:
    """Print the effective configuration as JSON, secrets masked."""
    from appliance.config import Config, masked

    cfg = Config() if defaults else load_config(config)
    typer.echo(json.dumps(masked(cfg), indent=2))
