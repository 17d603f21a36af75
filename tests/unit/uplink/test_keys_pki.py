"""Device keys on disk and the X.509 helpers: modes, rotation, issuing, revocation."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ed25519

from appliance.uplink.keys import DeviceKeyError, init_keys, key_id, load_keys, rotate_keys
from appliance.uplink.pki import (
    CertificateAuthority,
    PkiError,
    RevocationList,
    common_name,
    generate_key,
    make_csr,
    verify_issued_by,
    write_crl,
)


def test_init_writes_private_keys_readable_only_by_the_owner(tmp_path: Path) -> None:
    keys = init_keys(tmp_path / "keys")
    assert os.stat(tmp_path / "keys").st_mode & 0o777 == 0o700
    for name in ("signing.key", "agreement.key"):
        assert os.stat(tmp_path / "keys" / name).st_mode & 0o777 == 0o600
    again = load_keys(tmp_path / "keys")
    assert again.signing_key_id == keys.signing_key_id
    assert again.agreement_key_id == keys.agreement_key_id


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    init_keys(tmp_path)
    with pytest.raises(DeviceKeyError, match="exists"):
        init_keys(tmp_path)


def test_load_refuses_a_key_others_can_read(tmp_path: Path) -> None:
    init_keys(tmp_path)
    os.chmod(tmp_path / "signing.key", 0o644)
    with pytest.raises(DeviceKeyError, match="readable by others"):
        load_keys(tmp_path)


def test_missing_keys_say_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(DeviceKeyError, match="appliance keys init"):
        load_keys(tmp_path)


def test_rotation_keeps_the_previous_agreement_key(tmp_path: Path) -> None:
    old = init_keys(tmp_path)
    new = rotate_keys(tmp_path)
    assert new.signing_key_id != old.signing_key_id
    loaded = load_keys(tmp_path)
    assert set(loaded.agreement_keys()) == {old.agreement_key_id, new.agreement_key_id}


def test_key_id_is_stable_and_short() -> None:
    key = ed25519.Ed25519PrivateKey.generate().public_key()
    assert key_id(key) == key_id(key)
    assert len(key_id(key)) == 16


def test_ca_issues_a_client_certificate_from_a_device_csr() -> None:
    ca = CertificateAuthority.create("fleet")
    device = ed25519.Ed25519PrivateKey.generate()
    cert = ca.issue(common_name="edge-7", kind="client", csr=make_csr(device, "edge-7"))
    verify_issued_by(cert, ca.certificate)
    assert common_name(cert) == "edge-7"
    assert isinstance(cert.public_key(), ed25519.Ed25519PublicKey)
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH in eku


def test_server_certificate_names_its_hosts() -> None:
    ca = CertificateAuthority.create("fleet")
    key = generate_key()
    cert = ca.issue(common_name="relay", kind="server", public_key=key.public_key(),
                    dns_names=["relay.example"], ip_addresses=["127.0.0.1"])
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["relay.example"]


def test_certificate_from_another_ca_does_not_verify() -> None:
    ours, theirs = CertificateAuthority.create("ours"), CertificateAuthority.create("theirs")
    cert = theirs.issue(common_name="x", kind="client", public_key=generate_key().public_key())
    with pytest.raises(PkiError):
        verify_issued_by(cert, ours.certificate)


def test_issue_needs_exactly_one_of_csr_and_key() -> None:
    ca = CertificateAuthority.create("fleet")
    with pytest.raises(PkiError):
        ca.issue(common_name="x", kind="client")


def test_ca_round_trips_through_files(tmp_path: Path) -> None:
    ca = CertificateAuthority.create("fleet")
    ca.save(tmp_path / "ca.pem", tmp_path / "ca.key")
    assert os.stat(tmp_path / "ca.key").st_mode & 0o777 == 0o600
    again = CertificateAuthority.load(tmp_path / "ca.pem", tmp_path / "ca.key")
    assert again.certificate == ca.certificate
    other = CertificateAuthority.create("other")
    other.save(tmp_path / "o.pem", tmp_path / "o.key")
    with pytest.raises(PkiError, match="does not belong"):
        CertificateAuthority.load(tmp_path / "ca.pem", tmp_path / "o.key")


def test_revocation_list_follows_the_crl_file(tmp_path: Path) -> None:
    ca = CertificateAuthority.create("fleet")
    crl_path = tmp_path / "crl.pem"
    revocation = RevocationList(crl_path, ca.certificate)
    assert not revocation.is_revoked(42)  # no file yet: nothing revoked
    write_crl(crl_path, ca.crl([(42, dt.datetime.now(dt.UTC))]))
    assert revocation.is_revoked(42)
    assert not revocation.is_revoked(43)
    time.sleep(0.01)
    write_crl(crl_path, ca.crl([(42, dt.datetime.now(dt.UTC)), (43, dt.datetime.now(dt.UTC))]))
    assert revocation.is_revoked(43)


def test_crl_not_signed_by_the_ca_is_ignored(tmp_path: Path) -> None:
    ca, impostor = CertificateAuthority.create("fleet"), CertificateAuthority.create("evil")
    crl_path = tmp_path / "crl.pem"
    write_crl(crl_path, impostor.crl([(7, dt.datetime.now(dt.UTC))]))
    assert not RevocationList(crl_path, ca.certificate).is_revoked(7)


def test_keys_are_given_to_the_service_user(tmp_path: Path) -> None:
    import pwd

    init_keys(tmp_path / "keys", owner="nobody")
    # as root (the installer, CI) the files go to the service user; otherwise they stay ours
    want = pwd.getpwnam("nobody") if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())
    for name in ("", "signing.key", "agreement.key"):
        st = os.stat(tmp_path / "keys" / name)
        assert (st.st_uid, st.st_gid) == (want.pw_uid, want.pw_gid)


def test_unknown_service_user_is_an_error_for_root(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        assert init_keys(tmp_path, owner="no-such-user-x").signing_key_id
        return
    with pytest.raises(DeviceKeyError, match="no such user"):
        init_keys(tmp_path, owner="no-such-user-x")
    assert not (tmp_path / "signing.key").exists()  # refused before writing anything
