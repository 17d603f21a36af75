"""``appliance keys ...`` (device identity, a local CA for the demo) and ``appliance cloud``."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from appliance.cli import app
from appliance.cli.common import (
    ConfigOption,
    err_console,
    exit_invalid_config,
    fail,
    load_config,
    setup_logging,
)
from appliance.errors import ApplianceError, ConfigError
from appliance.uplink.keys import DeviceKeyError, init_keys, load_keys
from appliance.uplink.pki import (
    CertificateAuthority,
    generate_key,
    load_certificate,
    make_csr,
    write_certificate,
    write_crl,
    write_private_key,
)

if TYPE_CHECKING:
    from appliance.cloud.settings import CloudConfig

keys_app = typer.Typer(help="Device keys and certificates.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")

CaDirOption = Annotated[Path, typer.Option("--ca-dir", help="the local CA's folder (created)")]


@keys_app.command("init")
def keys_init(config: ConfigOption = None,
              force: Annotated[bool, typer.Option(help="rotate existing keys")] = False) -> None:
    """Create the device's Ed25519 signing and X25519 agreement keys (mode 0600)."""
    cfg = load_config(config)
    try:
        keys = init_keys(cfg.uplink.keys_dir, force=force, owner=cfg.uplink.key_owner)
    except DeviceKeyError as exc:
        fail(str(exc), "use --force to rotate the keys")
    typer.echo(f"keys in {cfg.uplink.keys_dir}: signing {keys.signing_key_id}, "
               f"agreement {keys.agreement_key_id}")


def _local_ca(ca_dir: Path) -> CertificateAuthority:
    cert, key = ca_dir / "ca.pem", ca_dir / "ca.key"
    if cert.exists():
        return CertificateAuthority.load(cert, key)
    ca = CertificateAuthority.create("Edge Appliance local CA")
    ca.save(cert, key)
    err_console.print(f"created a local CA in {ca_dir} (for tests and the demo only)")
    return ca


@keys_app.command("issue")
def keys_issue(
    config: ConfigOption = None,
    ca_dir: CaDirOption = Path("var/pki"),
    server: Annotated[list[str] | None, typer.Option(
        "--server", help="also issue the relay's server certificate for this DNS name or IP")
    ] = None,
) -> None:
    """Issue this device's client certificate from a local CA (until fleet enrollment)."""
    cfg = load_config(config)
    try:
        keys = load_keys(cfg.uplink.keys_dir)
    except DeviceKeyError as exc:
        fail(str(exc), "run `appliance keys init` first")
    ca = _local_ca(ca_dir)
    cert = ca.issue(common_name=cfg.device_id, kind="client",
                    csr=make_csr(keys.signing, cfg.device_id))
    write_certificate(cfg.uplink.client_cert, cert)
    cfg.uplink.ca_file.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ca_dir / "ca.pem", cfg.uplink.ca_file)
    typer.echo(f"device certificate {cfg.uplink.client_cert} (CN={cfg.device_id}, "
               f"serial {cert.serial_number:x}); CA copied to {cfg.uplink.ca_file}")
    if server:
        ips, names = [], []
        for name in server:
            try:
                ips.append(str(ipaddress.ip_address(name)))
            except ValueError:
                names.append(name)
        key = generate_key("p256")
        scert = ca.issue(common_name=server[0], kind="server", public_key=key.public_key(),
                         dns_names=names, ip_addresses=ips)
        write_certificate(ca_dir / "relay.pem", scert)
        write_private_key(ca_dir / "relay.key", key)
        typer.echo(f"relay certificate {ca_dir / 'relay.pem'} for {', '.join(server)}")


@keys_app.command("revoke")
def keys_revoke(
    certificate: Annotated[Path, typer.Argument(help="the certificate to revoke (PEM)")],
    ca_dir: CaDirOption = Path("var/pki"),
) -> None:
    """Add a certificate to the local CA's revocation list (``<ca-dir>/crl.pem``)."""
    ca = _local_ca(ca_dir)
    serials_file = ca_dir / "revoked.json"
    serials: dict[str, str] = (json.loads(serials_file.read_text())
                               if serials_file.exists() else {})
    serial = load_certificate(certificate).serial_number
    serials[str(serial)] = dt.datetime.now(dt.UTC).isoformat()
    serials_file.write_text(json.dumps(serials, indent=1))
    write_crl(ca_dir / "crl.pem", ca.crl((int(s), dt.datetime.fromisoformat(t))
                                         for s, t in serials.items()))
    typer.echo(f"revoked serial {serial:x}; {len(serials)} in {ca_dir / 'crl.pem'}")


CloudConfigOption = Annotated[Path | None, typer.Option(
    "--config", "-c", envvar="APPLIANCE_CLOUD_CONFIG",
    help="cloud TOML config; APPLIANCE_CLOUD__<SECTION>__<KEY> variables override it")]


def _load_cloud(config: Path | None) -> CloudConfig:
    from appliance.cloud.settings import load_cloud_config

    try:
        return load_cloud_config(config)
    except ConfigError as exc:
        exit_invalid_config(exc)


@keys_app.command("rotate-relay")
def rotate_relay(config: CloudConfigOption = None) -> None:
    """Give the relay a new current key set; the older sets stay valid.

    With the fleet enabled the sets live in the fleet database, and every
    replica sees the new set at once; standalone, in relay.keyring_file.
    Devices seal to the new set after their next key fetch, and meanwhile to
    the old one, which still opens.
    """
    from appliance.cloud.keyring import RelayKeyring

    cfg = _load_cloud(config)
    setup_logging(cfg.logging.level, cfg.logging.json_format)
    try:
        if cfg.fleet.enabled:
            from appliance.cloud.shared_keyring import open_shared_keyring
            from appliance.fleet.context import FleetContext

            ctx = FleetContext.open(cfg.fleet)
            if ctx.secret is None:
                fail("the fleet has no key-encryption key to seal relay keys with "
                     "(set fleet.secret_key_file)")
            ring = open_shared_keyring(ctx.db, ctx.secret, cfg.relay.keyring_file)
        else:
            ring = RelayKeyring.load_or_create(cfg.relay.keyring_file)
        new = ring.rotate()
    except (ApplianceError, OSError) as exc:
        fail(f"cannot rotate the relay keys: {exc}")
    typer.echo(f"relay key set {new.key_id} is current; {len(ring.sets)} held")


@app.command("cloud")
def cloud(config: CloudConfigOption = None) -> None:
    """Run the cloud service: the relay (and the fleet API) over mutual TLS."""
    # FastAPI and uvicorn load only for this command.
    from appliance.cloud.server import serve

    cfg = _load_cloud(config)
    setup_logging(cfg.logging.level, cfg.logging.json_format)
    try:
        serve(cfg)
    except (ConfigError, OSError) as exc:
        fail(f"the cloud service cannot start: {exc}")
