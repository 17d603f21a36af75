"""The outbox loses nothing and sends nothing twice when its process is ``kill -9``-ed.

A real worker process writes to (or drains) the SQLite outbox and is killed
with SIGKILL mid-stream; the test reopens the same file and drains it through
the real relay to the real provider process, then counts what the provider saw.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from appliance.uplink.forwarder import Forwarder
from appliance.uplink.outbox import Outbox, OutboxItem, load_or_create_storage_key
from tests.fixtures.provider import ROOT, ProviderProcess, RelayProcess, make_client
from tests.fixtures.tls import DeviceIdentity, SessionPki

WORKER = ROOT / "tests" / "stand_ins" / "outbox_worker.py"


def spec_file(tmp_path: Path, device: DeviceIdentity, relay: RelayProcess, pki: SessionPki,
              **extra: object) -> Path:
    spec = {"outbox": str(tmp_path / "outbox.db"), "keys_dir": str(device.keys_dir),
            "relay_url": relay.url, "ca_file": str(pki.ca_file),
            "cert_file": str(device.cert_file), "device_id": device.device_id, **extra}
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    return path


def run_and_kill(mode: str, spec: Path, after_lines: int, timeout: float = 60) -> list[str]:
    """Start the worker, SIGKILL it once it printed ``after_lines`` ids; return the ids."""
    proc = subprocess.Popen([sys.executable, str(WORKER), mode, str(spec)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    assert proc.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while len(lines) < after_lines:
        line = proc.stdout.readline()
        if not line:
            err = proc.stderr.read().decode() if proc.stderr else ""
            pytest.fail(f"worker {mode} ended early ({proc.poll()}): {err[-2000:]}")
        lines.append(line.decode().strip())
        assert time.monotonic() < deadline, f"worker {mode} too slow"
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    assert proc.returncode == -signal.SIGKILL
    # lines already in the pipe were printed before the kill: they count too
    lines += [ln.decode().strip() for ln in proc.stdout.readlines() if ln.strip()]
    return lines


def drain_all(relay: RelayProcess, device: DeviceIdentity, box: Outbox,
              timeout: float = 60) -> list[str]:
    answered: list[str] = []
    lock = threading.Lock()

    def on_reply(item: OutboxItem, reply: bytes) -> None:
        with lock:
            answered.append(item.message_id)

    fwd = Forwarder(box, make_client(relay, device), on_reply, batch=16, concurrency=2)
    deadline = time.monotonic() + timeout
    try:
        while box.stats().depth:
            if fwd.drain_once().idle:
                time.sleep(0.05)  # items leased by the killed process become due later
            assert time.monotonic() < deadline, f"outbox not drained: {box.stats()}"
    finally:
        fwd.close()
    return answered


@pytest.mark.parametrize("group", [1, 25])
def test_outbox_survives_kill_during_write(tmp_path: Path, relay: RelayProcess, pki: SessionPki,
                                           provider: ProviderProcess, group: int) -> None:
    device = pki.device(f"edge-killw{group}")
    spec = spec_file(tmp_path, device, relay, pki, group=group)
    accepted = run_and_kill("write", spec, after_lines=150)
    box = Outbox(tmp_path / "outbox.db", load_or_create_storage_key(device.keys_dir))
    pending = set(box.pending_ids())
    assert set(accepted) <= pending, f"lost after kill -9: {sorted(set(accepted) - pending)[:5]}"
    answered = drain_all(relay, device, box)
    assert Counter(answered) == Counter(pending)
    seen = Counter(r["key"] for r in provider.requests(device.device_id))
    assert set(seen) == {f"{device.device_id}/{m}" for m in pending}
    assert max(seen.values()) == 1
    stats = box.stats()
    assert stats.depth == 0
    assert stats.delivered == len(pending)


def test_outbox_kill_during_drain_sends_nothing_twice(tmp_path: Path, relay: RelayProcess,
                                                      pki: SessionPki,
                                                      provider: ProviderProcess) -> None:
    device = pki.device("edge-killd")
    spec = spec_file(tmp_path, device, relay, pki, count=120, group=40)
    written = run_and_kill("write", spec, after_lines=120)
    assert len(written) == 120
    acked_before_kill = run_and_kill("drain", spec, after_lines=30)
    box = Outbox(tmp_path / "outbox.db", load_or_create_storage_key(device.keys_dir))
    answered_after = drain_all(relay, device, box)
    assert set(acked_before_kill) | set(answered_after) == set(written)
    seen = Counter(r["key"] for r in provider.requests(device.device_id))
    assert set(seen) == {f"{device.device_id}/{m}" for m in written}
    assert max(seen.values()) == 1, "the provider was asked twice about one escalation"
