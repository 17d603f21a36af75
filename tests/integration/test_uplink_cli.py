"""The demo path on the command line: ``appliance keys init``, ``keys issue``, ``keys revoke``.

The files the commands write are used as they are: the relay runs on the
issued server certificate, the device's client reads its config and key files.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from appliance.config import load
from appliance.uplink.client import RelayRejectedError, UplinkClient
from appliance.uplink.keys import load_keys
from appliance.uplink.messages import EscalationReply
from appliance.uplink.pki import CertificateAuthority
from tests.fixtures.provider import ROOT, ProviderProcess, RelayProcess, escalation
from tests.fixtures.tls import SessionPki


def cli(*args: str) -> str:
    proc = subprocess.run([sys.executable, "-c", "from appliance.cli import main; main()", *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_keys_init_issue_and_revoke_drive_a_real_uplink(tmp_path: Path,
                                                        provider: ProviderProcess) -> None:
    ca_dir = tmp_path / "pki"
    cfg_path = tmp_path / "device.toml"
    cfg_path.write_text(
        'device_id = "edge-cli"\n[uplink]\nenabled = true\n'
        f'keys_dir = "{tmp_path / "keys"}"\nclient_cert = "{tmp_path / "device.pem"}"\n'
        f'ca_file = "{tmp_path / "relay-ca.pem"}"\noutbox_path = "{tmp_path / "outbox.db"}"\n')
    out = cli("keys", "init", "-c", str(cfg_path))
    assert "signing" in out
    assert os.stat(tmp_path / "keys" / "signing.key").st_mode & 0o777 == 0o600
    assert os.stat(tmp_path / "keys" / "agreement.key").st_mode & 0o777 == 0o600
    cli("keys", "issue", "-c", str(cfg_path), "--ca-dir", str(ca_dir), "--server", "127.0.0.1")
    for name in ("ca.pem", "relay.pem", "relay.key"):
        assert (ca_dir / name).exists()

    ca = CertificateAuthority.load(ca_dir / "ca.pem", ca_dir / "ca.key")
    pki = SessionPki(ca_dir, ca, ca_dir / "ca.pem", ca_dir / "relay.pem", ca_dir / "relay.key",
                     ca_dir / "crl.pem")
    relay = RelayProcess(tmp_path / "relay", pki, [provider])
    relay.start()
    try:
        cfg = load(cfg_path, environ={})
        cfg.uplink.relay_url = relay.url
        client = UplinkClient.from_config(cfg.uplink, cfg.device_id, load_keys(cfg.uplink.keys_dir))
        reply = EscalationReply.model_validate_json(client.escalate("cli-1", escalation()))
        assert reply.status == "ok"
        cli("keys", "revoke", str(tmp_path / "device.pem"), "--ca-dir", str(ca_dir))
        with pytest.raises(RelayRejectedError) as info:
            client.escalate("cli-2", escalation())
        assert info.value.reason == "revoked"
    finally:
        relay.stop()
