"""The key-encryption key: where it comes from, and what happens when it is wrong or missing.

On a real SQLite fleet database in a temporary folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from sqlalchemy import select, update

from appliance.fleet.context import FleetContext
from appliance.fleet.sealing import (
    SecretKeyError,
    load_secret_key,
    new_secret_key_text,
    write_secret_key,
)
from appliance.fleet.settings import FleetConfig
from appliance.fleet.signing import public_b64
from appliance.fleet.store import FleetKey
from appliance.uplink.pki import CertificateAuthority, generate_key, write_private_key


def _config(tmp_path: Path, **kw: object) -> FleetConfig:
    return FleetConfig.model_validate({"database_url": f"sqlite:///{tmp_path / 'fleet.db'}",
                                       "state_dir": str(tmp_path / "state"), **kw})


def _rows(ctx: FleetContext) -> list[tuple[str, str, bytes, str]]:
    with ctx.db.session() as s:
        return [(k.name, k.public, k.sealed_private, k.kek_id)
                for k in s.scalars(select(FleetKey).order_by(FleetKey.name))]


def test_wrong_secret_key_fails_naming_the_setting_and_creates_no_keys(tmp_path: Path) -> None:
    write_secret_key(tmp_path / "right.key")
    write_secret_key(tmp_path / "wrong.key")
    first = FleetContext.open(_config(tmp_path, secret_key_file=str(tmp_path / "right.key")))
    before, public = _rows(first), first.public_key
    first.close()
    with pytest.raises(SecretKeyError) as err:
        FleetContext.open(_config(tmp_path, secret_key_file=str(tmp_path / "wrong.key")))
    message = str(err.value)
    assert "fleet.secret_key_file" in message and str(tmp_path / "wrong.key") in message
    assert "no new keys were created" in message
    again = FleetContext.open(_config(tmp_path, secret_key_file=str(tmp_path / "right.key")))
    assert _rows(again) == before and again.public_key == public
    again.close()


def test_sealed_keys_are_not_stored_in_clear(tmp_path: Path) -> None:
    write_secret_key(tmp_path / "k")
    ctx = FleetContext.open(_config(tmp_path, secret_key_file=str(tmp_path / "k")))
    raw = ctx.signing_key.private_bytes(serialization.Encoding.Raw,
                                        serialization.PrivateFormat.Raw,
                                        serialization.NoEncryption())
    db_bytes = b"".join(p.read_bytes() for p in tmp_path.glob("fleet.db*"))
    assert ctx.public_key.encode() in db_bytes  # the public half is there, in clear
    assert raw not in db_bytes
    assert all(len(sealed) > 28 for _n, _p, sealed, _k in _rows(ctx))
    ctx.close()


def test_an_altered_sealed_key_fails_authentication(tmp_path: Path) -> None:
    write_secret_key(tmp_path / "k")
    config = _config(tmp_path, secret_key_file=str(tmp_path / "k"))
    ctx = FleetContext.open(config)
    with ctx.db.session() as s:
        row = s.get(FleetKey, "signing")
        assert row is not None
        flipped = bytearray(row.sealed_private)
        flipped[-1] ^= 1
        s.execute(update(FleetKey).where(FleetKey.name == "signing")
                  .values(sealed_private=bytes(flipped)))
    ctx.close()
    with pytest.raises(SecretKeyError, match="fails authentication"):
        FleetContext.open(config)


def test_sqlite_fleet_generates_a_private_secret_key_once(tmp_path: Path) -> None:
    config = _config(tmp_path)
    ctx = FleetContext.open(config)
    path = tmp_path / "state" / "secret.key"
    assert path.stat().st_mode & 0o777 == 0o600
    text, public = path.read_text(), ctx.public_key
    ctx.close()
    ctx = FleetContext.open(config)
    assert path.read_text() == text and ctx.public_key == public
    ctx.close()


def test_database_with_keys_and_no_secret_is_refused_without_generating_one(
        tmp_path: Path) -> None:
    write_secret_key(tmp_path / "k")
    FleetContext.open(_config(tmp_path, secret_key_file=str(tmp_path / "k"))).close()
    with pytest.raises(SecretKeyError, match=r"fleet\.secret_key_file is not set"):
        FleetContext.open(_config(tmp_path))
    assert not (tmp_path / "state" / "secret.key").exists()


def test_postgresql_fleet_without_a_secret_key_is_refused(tmp_path: Path) -> None:
    config = FleetConfig(database_url="postgresql+psycopg://h/db", state_dir=tmp_path)
    with pytest.raises(SecretKeyError, match=r"fleet\.secret_key_file is not set") as err:
        load_secret_key(config, environ={})
    assert "appliance fleet secret-key" in str(err.value)
    assert list(tmp_path.iterdir()) == []


def test_secret_key_from_the_environment_and_its_mistakes(tmp_path: Path) -> None:
    config = FleetConfig(database_url="postgresql+psycopg://h/db", state_dir=tmp_path,
                         secret_key_env="FLEET_KEK")
    text = new_secret_key_text()
    assert load_secret_key(config, environ={"FLEET_KEK": text}).key_id == \
        load_secret_key(config, environ={"FLEET_KEK": text + "\n"}).key_id
    with pytest.raises(SecretKeyError, match=r"\$FLEET_KEK is not set"):
        load_secret_key(config, environ={})
    with pytest.raises(SecretKeyError, match="expected 32 random bytes"):
        load_secret_key(config, environ={"FLEET_KEK": "c2hvcnQ="})
    both = config.model_copy(update={"secret_key_file": tmp_path / "k"})
    with pytest.raises(SecretKeyError, match="both set"):
        load_secret_key(both, environ={"FLEET_KEK": text})


def test_secret_key_file_must_exist_and_be_private(tmp_path: Path) -> None:
    config = _config(tmp_path, secret_key_file=str(tmp_path / "k"))
    with pytest.raises(SecretKeyError, match="does not exist"):
        load_secret_key(config)
    write_secret_key(tmp_path / "k")
    with pytest.raises(SecretKeyError, match="never overwritten"):
        write_secret_key(tmp_path / "k")
    os.chmod(tmp_path / "k", 0o644)
    with pytest.raises(SecretKeyError, match="accessible by other users"):
        load_secret_key(config)


def test_keys_of_an_older_release_are_imported_not_replaced(tmp_path: Path) -> None:
    state = tmp_path / "state"
    ca = CertificateAuthority.create("Old fleet CA")
    ca.save(state / "ca" / "ca.pem", state / "ca" / "ca.key")
    signing = generate_key("ed25519")
    write_private_key(state / "fleet-signing.key", signing)
    ctx = FleetContext.open(_config(tmp_path))
    assert ctx.ca.cert == ca.certificate
    assert ctx.public_key == public_b64(signing.public_key())  # type: ignore[arg-type]
    ctx.close()


def test_resealing_moves_the_keys_to_a_new_secret_and_a_wrong_old_one_changes_nothing(
        tmp_path: Path) -> None:
    for name in ("old.key", "new.key", "stranger.key"):
        write_secret_key(tmp_path / name)
    old = _config(tmp_path, secret_key_file=str(tmp_path / "old.key"))
    ctx = FleetContext.open(old)
    public, ca_pem, before = ctx.public_key, ctx.ca.cert_pem, _rows(ctx)
    ctx.close()
    exe = str(Path(sys.executable).with_name("appliance"))
    db = ["--db", old.database_url]
    run = subprocess.run([exe, "fleet", "reseal", "--old-key-file", str(tmp_path / "stranger.key"),
                          "--new-key-file", str(tmp_path / "new.key"), *db],
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 2 and "nothing was changed" in run.stderr
    ctx = FleetContext.open(old)
    assert _rows(ctx) == before
    ctx.close()
    run = subprocess.run([exe, "fleet", "reseal", "--old-key-file", str(tmp_path / "old.key"),
                          "--new-key-file", str(tmp_path / "new.key"), *db],
                         capture_output=True, text=True, timeout=120, check=True)
    assert "2 fleet keys resealed" in run.stdout
    with pytest.raises(SecretKeyError, match="sealed with key-encryption key"):
        FleetContext.open(old)
    ctx = FleetContext.open(_config(tmp_path, secret_key_file=str(tmp_path / "new.key")))
    assert (ctx.public_key, ctx.ca.cert_pem) == (public, ca_pem)
    ctx.close()
