"""``appliance fleet ...`` (cloud), ``appliance agent`` and ``appliance bundle ...`` (device)."""

from __future__ import annotations

import contextlib
import json
import os
import shlex
from pathlib import Path
from typing import Annotated

import typer

from appliance.cli import app
from appliance.cli.common import fail, setup_logging

fleet_app = typer.Typer(help="Fleet service: serve, migrate, bootstrap operator tokens.",
                        no_args_is_help=True)
token_app = typer.Typer(help="Operator API tokens.", no_args_is_help=True)
bundle_app = typer.Typer(help="Air-gapped bundles: export from the fleet, apply on a device.",
                         no_args_is_help=True)
fleet_app.add_typer(token_app, name="token")
app.add_typer(fleet_app, name="fleet")
app.add_typer(bundle_app, name="bundle")

DbOption = Annotated[str, typer.Option("--db", envvar="APPLIANCE_FLEET__DATABASE_URL",
                                       help="SQLAlchemy URL of the fleet database")]
StateDir = Annotated[Path, typer.Option(
    "--state-dir", help="generated key-encryption key (SQLite only), files of older releases")]
SecretKeyFile = Annotated[Path | None, typer.Option(
    "--secret-key-file", envvar="APPLIANCE_FLEET__SECRET_KEY_FILE",
    help="the deployment's key-encryption key, the same on every replica")]
LogLevel = Annotated[str, typer.Option("--log-level")]


@fleet_app.command("serve")
def fleet_serve(
    db: DbOption = "sqlite:///var/cloud/fleet.db",
    state_dir: StateDir = Path("var/cloud/fleet"),
    secret_key_file: SecretKeyFile = None,
    host: str = "127.0.0.1",
    port: int = 8443,
    tls_cert: Annotated[Path | None, typer.Option(help="server certificate (enables TLS)")] = None,
    tls_key: Annotated[Path | None, typer.Option(help="server key")] = None,
    require_client_cert: bool = False,
    model_signer: Annotated[list[str] | None, typer.Option(
        help="trusted model-signing Ed25519 public key (base64), repeatable")] = None,
    offline_after: float = 90.0,
    mqtt_host: Annotated[str | None, typer.Option(help="broker for nudges")] = None,
    mqtt_port: int = 1883,
    log_level: LogLevel = "INFO",
) -> None:
    """Run the fleet REST service alone (``appliance cloud`` mounts it beside the relay)."""
    from appliance.fleet.sealing import SecretKeyError
    from appliance.fleet.serve import TlsFiles, serve
    from appliance.fleet.settings import FleetConfig

    setup_logging(log_level)
    config = FleetConfig(database_url=db, state_dir=state_dir, secret_key_file=secret_key_file,
                         model_signers=model_signer or [],
                         offline_after_s=offline_after, mqtt_host=mqtt_host,
                         mqtt_port=mqtt_port, require_client_certificate=require_client_cert)
    tls = None
    if tls_cert is not None:
        if tls_key is None:
            fail("--tls-cert needs --tls-key")
        # Client certificates are checked against the fleet CA, kept in the database.
        tls = TlsFiles(tls_cert, tls_key, None, require_client_cert)
    try:
        serve(config, host, port, tls)
    except SecretKeyError as exc:
        fail(str(exc))


@fleet_app.command("secret-key")
def fleet_secret_key(
    path: Annotated[Path, typer.Argument(help="file to create (mode 0600, never overwritten)")],
) -> None:
    """Create the deployment's key-encryption key; give the same file to every replica."""
    from appliance.fleet.sealing import SecretKeyError, write_secret_key

    try:
        key = write_secret_key(path)
    except SecretKeyError as exc:
        fail(str(exc))
    typer.echo(f"key-encryption key {key.key_id} written to {path}")


@fleet_app.command("reseal")
def fleet_reseal(
    old_key_file: Annotated[Path, typer.Option(help="the key-encryption key in use")],
    new_key_file: Annotated[Path, typer.Option(help="the key to seal under from now on")],
    db: DbOption = "sqlite:///var/cloud/fleet.db",
) -> None:
    """Rotate the key-encryption key: reseal the fleet keys, then give replicas the new file."""
    from appliance.fleet.keystore import reseal_keys
    from appliance.fleet.sealing import SecretKeyError, read_secret_key_file
    from appliance.fleet.store import Database

    database = Database(db)
    try:
        old, new = read_secret_key_file(old_key_file), read_secret_key_file(new_key_file)
        count = reseal_keys(database, old, new)
    except SecretKeyError as exc:
        fail(str(exc), "nothing was changed")
    finally:
        database.dispose()
    typer.echo(f"{count} fleet keys resealed under {new.key_id}; restart each replica "
               f"with {new_key_file}")


@fleet_app.command("migrate")
def fleet_migrate(db: DbOption = "sqlite:///var/cloud/fleet.db") -> None:
    """Bring the fleet database schema to the newest revision."""
    from appliance.fleet.store import Database

    Database(db).dispose()
    typer.echo("fleet database migrated")


@token_app.command("create")
def token_create(
    name: str,
    role: Annotated[str, typer.Option(help="viewer, operator or admin")] = "viewer",
    db: DbOption = "sqlite:///var/cloud/fleet.db",
) -> None:
    """Create an operator token directly in the database (bootstrap the first admin)."""
    from appliance.fleet.auth import ROLES, audit, create_api_token
    from appliance.fleet.store import Database

    if role not in ROLES:
        fail(f"unknown role {role!r}", f"use one of {', '.join(ROLES)}")
    database = Database(db)
    with database.session() as s:
        token = create_api_token(s, name, role, "cli")
        audit(s, "cli", "api_token.create", name, {"role": role})
    database.dispose()
    typer.echo(token)


@app.command("agent")
def agent_run(
    fleet_url: Annotated[str, typer.Option(help="fleet base URL")],
    device_id: Annotated[str, typer.Option(help="this device's id")],
    state_dir: Annotated[Path, typer.Option(help="agent identity and state")] = Path(
        "var/state/fleet"),
    config_out: Annotated[Path, typer.Option(help="config file the daemon reads")] = Path(
        "var/state/appliance.toml"),
    base_config: Annotated[Path | None, typer.Option(help="device-local base TOML")] = None,
    enroll_token: Annotated[str | None, typer.Option(envvar="APPLIANCE_ENROLL_TOKEN")] = None,
    serial: str = "",
    board: str = "",
    interval: float = 10.0,
    once: Annotated[bool, typer.Option(help="one step, then exit")] = False,
    health_cmd: Annotated[str | None, typer.Option(help="model health check command")] = None,
    restart_cmd: str | None = None,
    flush_outbox_cmd: str | None = None,
    server_ca: Path | None = None,
    telemetry_file: Annotated[Path | None, typer.Option(
        help="the daemon's heartbeat summary (default: from the device config, else "
             "$APPLIANCE_STATE_DIR/telemetry.json)")] = None,
    telemetry_max_age: Annotated[float | None, typer.Option(
        min=0.0, help="seconds after which the summary is not reported (default: 3 daemon telemetry "
             "intervals, at least 10; 120 without a device config)")] = None,
    mqtt_host: Annotated[str | None, typer.Option(help="broker to hear nudges on")] = None,
    mqtt_port: int = 1883,
    keys_dir: Annotated[Path | None, typer.Option(
        help="the uplink's device keys (default <state-dir>/keys); the certificate binds them")
    ] = None,
    log_level: LogLevel = "INFO",
) -> None:
    """Run the device agent: enroll, heartbeat, apply desired config and models, run commands."""
    from appliance.fleet.agent import AgentOptions, FleetAgent
    from appliance.heartbeat_summary import agent_source

    setup_logging(log_level)
    if not fleet_url.startswith(("https://", "http://")):
        fail(f"--fleet-url {fleet_url!r} is not an http(s) URL")
    # Every APPLIANCE_* variable is a device setting to the config loader (the privacy
    # gate's config, the summary's path); the token is none, so it leaves the environment.
    os.environ.pop("APPLIANCE_ENROLL_TOKEN", None)
    summary, max_age = agent_source([config_out, base_config], os.environ)
    hooks = {k: shlex.split(v) for k, v in (("restart", restart_cmd),
                                           ("flush_outbox", flush_outbox_cmd)) if v}
    agent = FleetAgent(AgentOptions(
        fleet_url=fleet_url, state_dir=state_dir, config_path=config_out, device_id=device_id,
        base_config=base_config, enroll_token=enroll_token, serial=serial, board=board,
        interval_s=interval, health_cmd=shlex.split(health_cmd) if health_cmd else None,
        hooks=hooks, server_ca=server_ca, telemetry_file=telemetry_file or summary,
        telemetry_max_age_s=max_age if telemetry_max_age is None else telemetry_max_age,
        mqtt_host=mqtt_host, mqtt_port=mqtt_port, keys_dir=keys_dir))
    with contextlib.suppress(KeyboardInterrupt):
        agent.run(once=once)


@bundle_app.command("apply")
def bundle_apply(
    file: Path,
    device_id: Annotated[str, typer.Option(help="this device's id")],
    state_dir: Annotated[Path, typer.Option()] = Path("var/state/fleet"),
    config_out: Annotated[Path, typer.Option()] = Path("var/state/appliance.toml"),
    base_config: Path | None = None,
    trust_key: Annotated[list[str] | None, typer.Option(
        help="fleet public key (base64) to trust besides the pinned one")] = None,
    health_cmd: str | None = None,
) -> None:
    """Verify a signed bundle and apply its config, models and CA material offline."""
    from appliance.fleet.agent import AgentOptions, FleetAgent
    from appliance.fleet.bundle import BundleError
    from appliance.fleet.bundle_apply import apply_bundle

    agent = FleetAgent(AgentOptions(
        fleet_url="", state_dir=state_dir, config_path=config_out, device_id=device_id,
        base_config=base_config, health_cmd=shlex.split(health_cmd) if health_cmd else None))
    try:
        summary = apply_bundle(agent, file, trust_key or [])
    except BundleError as exc:
        fail(f"bundle rejected: {exc}", "export a fresh bundle from the fleet", code=3)
    typer.echo(json.dumps(summary, indent=1))
    if not summary["ok"]:
        raise typer.Exit(1)


@bundle_app.command("export")
def bundle_export(
    device_id: Annotated[str, typer.Option(help="device the bundle is for")],
    output: Annotated[Path, typer.Option("--output", "-o")],
    fleet_url: Annotated[str, typer.Option()] = "http://127.0.0.1:8443",
    token: Annotated[str, typer.Option(envvar="APPLIANCE_FLEET_TOKEN",
                                       help="operator token")] = "",
    ca: Annotated[Path | None, typer.Option(help="CA that signed the fleet's TLS cert")] = None,
) -> None:
    """Download a signed bundle for one device from the fleet into a file."""
    import httpx

    verify: str | bool = str(ca) if ca else True
    with httpx.Client(base_url=fleet_url, verify=verify, timeout=120.0) as client, \
            client.stream("POST", "/fleet/bundles", json={"device_id": device_id},
                          headers={"Authorization": f"Bearer {token}"}) as resp:
        if resp.status_code != 200:
            resp.read()
            fail(f"export failed: HTTP {resp.status_code} {resp.text[:300]}")
        tmp = output.with_name(f".{output.name}.part")
        with tmp.open("wb") as fh:
            for chunk in resp.iter_bytes():
                fh.write(chunk)
        tmp.replace(output)
    typer.echo(f"bundle written to {output}")
