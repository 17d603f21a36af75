"""Two ``appliance cloud`` relay replicas behind one database act as one relay.

Each replica is a real process with the fleet served beside the relay, its own port and
state folder; they share only the fleet database (PostgreSQL, or one SQLite file) and
the deployment's key-encryption key. They start at the same moment on an empty
database. Devices talk to them over mutual TLS with real sealed envelopes, and the
stand-in provider is a real server process that logs every Idempotency-Key it gets.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from appliance.cloud.keyring import RelayKeyring
from appliance.cloud.shared_keyring import open_shared_keyring
from appliance.fleet.sealing import read_secret_key_file, write_secret_key
from appliance.fleet.store import Database, RelayTokenDay
from appliance.uplink.client import ENVELOPE_TYPE, ESCALATE_PATH, RelayKeys, UplinkClient
from appliance.uplink.envelope import MemoryReplayGuard, open_envelope, seal
from appliance.uplink.forwarder import Forwarder
from appliance.uplink.messages import EscalationReply
from appliance.uplink.outbox import NewItem, Outbox, OutboxItem, load_or_create_storage_key
from appliance.uplink.settings import RelayKey
from tests.fixtures.provider import ProviderProcess, RelayProcess, escalation, make_client
from tests.fixtures.tls import DeviceIdentity, SessionPki

REJECTIONS = "appliance_relay_rejections_total"
ESCALATIONS = "appliance_relay_escalations_total"


@pytest.fixture
def slow_provider(tmp_path: Path) -> Iterator[ProviderProcess]:
    """A provider of this test's own that takes 0.8 s per answer."""
    p = ProviderProcess(tmp_path / "provider", "slow")
    p.start(delay=0.8)
    yield p
    p.kill()


@pytest.fixture
def start_replicas(fleet_db_url: str, tmp_path: Path, pki: SessionPki,
                   relay_factory: Callable[..., RelayProcess]
                   ) -> Callable[..., tuple[RelayProcess, RelayProcess]]:
    """Start replicas A and B at once on the (empty) database; ``**relay`` settings for both."""
    secret = tmp_path / "fleet-secret.key"
    write_secret_key(secret)

    def start(providers: list[ProviderProcess], before_start: Callable[[Path], None] | None = None,
              **relay: Any) -> tuple[RelayProcess, RelayProcess]:
        pair = []
        for name in ("a", "b"):
            fleet = {"database_url": fleet_db_url, "state_dir": str(tmp_path / name / "fleet"),
                     "secret_key_file": str(secret), "sweep_interval_s": 3600.0}
            pair.append(relay_factory(providers, fleet=fleet, privacy_check=False, **relay))
        if before_start is not None:
            before_start(pair[0].workdir)
        errors: list[BaseException] = []

        def run(r: RelayProcess) -> None:
            try:
                r.start()
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=run, args=(r,)) for r in pair]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert not errors, f"{errors}\nA: {pair[0].output()[-2000:]}\nB: {pair[1].output()[-2000:]}"
        return pair[0], pair[1]

    return start


def _relay_keys(relay: RelayProcess) -> tuple[dict[str, Any], RelayKeys]:
    doc = relay.get("/v1/relay/keys").json()
    return doc, RelayKeys.from_config(
        {k: RelayKey.model_validate(v) for k, v in doc["keys"].items()}, doc["current"])


def _post(relay: RelayProcess, device: DeviceIdentity, body: bytes) -> httpx.Response:
    with httpx.Client(verify=relay.client_context(device), timeout=10) as c:
        return c.post(relay.url + ESCALATE_PATH, content=body,
                      headers={"content-type": ENVELOPE_TYPE})


def test_replicas_share_the_relay_keys_and_refuse_an_envelope_replayed_to_the_other(
        start_replicas: Callable[..., tuple[RelayProcess, RelayProcess]],
        slow_provider: ProviderProcess, pki: SessionPki, fleet_db_url: str,
        tmp_path: Path) -> None:
    legacy: list[RelayKeyring] = []

    def old_keyring_file(workdir: Path) -> None:  # A ran an older release: its keys stay
        legacy.append(RelayKeyring.load_or_create(workdir / "relay-keys.json"))

    a, b = start_replicas([slow_provider], before_start=old_keyring_file)
    doc_a, keys = _relay_keys(a)
    doc_b, _ = _relay_keys(b)
    assert doc_a == doc_b  # one keyring, whichever replica created it
    assert legacy[0].current.key_id in doc_a["keys"]  # the imported file's key opens
    assert not (b.workdir / "relay-keys.json").exists()  # nothing kept beside a replica
    assert not list(a.workdir.glob("relay*.db")) and not list(b.workdir.glob("relay*.db"))

    device = pki.device("edge-replica-replay")
    envelope = seal(escalation(), kind="request", device_id=device.device_id,
                    message_id="m-replay", signing_key=device.keys.signing,
                    recipient=keys.agreement[keys.current],
                    reply_public=device.keys.agreement.public_key())
    first = _post(a, device, envelope)
    assert first.status_code == 200, first.text
    reply = open_envelope(first.content, recipient_keys=device.keys.agreement_keys(),
                          sender_key=lambda h: keys.signing.get(h.sender_key_id),
                          replay=MemoryReplayGuard(), expect="reply")
    assert EscalationReply.model_validate_json(reply.plaintext).status == "ok"

    before = b.metric(REJECTIONS, reason="replayed")
    again = _post(b, device, envelope)  # the same bytes, captured and sent to the other
    assert again.status_code == 400
    assert again.json()["error"] == "replayed"
    assert b.metric(REJECTIONS, reason="replayed") == before + 1
    assert [r["key"] for r in slow_provider.requests(device.device_id)] == [
        f"{device.device_id}/m-replay"]

    # Sealed to the key A's old file held (an older set, not the current one): B opens it.
    old = seal(escalation(), kind="request", device_id=device.device_id,
               message_id="m-old-key", signing_key=device.keys.signing,
               recipient=legacy[0].current.agreement.public_key(),
               reply_public=device.keys.agreement.public_key())
    assert _post(b, device, old).status_code == 200

    # A rotation made through the database (as by another replica): a device sealing to
    # the new key is served by both replicas, which loaded their keys before it existed.
    db = Database(fleet_db_url, run_migrations=False)
    try:
        new = open_shared_keyring(db, read_secret_key_file(tmp_path / "fleet-secret.key"),
                                  tmp_path / "no-file.json").rotate()
    finally:
        db.dispose()
    for n, replica in enumerate((a, b)):
        to_new = seal(escalation(), kind="request", device_id=device.device_id,
                      message_id=f"m-new-key-{n}", signing_key=device.keys.signing,
                      recipient=new.agreement.public_key(),
                      reply_public=device.keys.agreement.public_key())
        resp = _post(replica, device, to_new)
        assert resp.status_code == 200, resp.text


def test_an_escalation_retried_at_the_other_replica_gets_one_reply_from_one_provider_call(
        start_replicas: Callable[..., tuple[RelayProcess, RelayProcess]],
        slow_provider: ProviderProcess, pki: SessionPki, fleet_db_url: str) -> None:
    a, b = start_replicas([slow_provider])
    device = pki.device("edge-replica-retry")
    via_a, via_b = make_client(a, device), make_client(b, device)

    # Answered by A; the retry (a new envelope, the same message id) lands on B.
    first = via_a.escalate("m-1", escalation())
    assert via_b.escalate("m-1", escalation()) == first

    # Sent to both at once: one provider call, the same reply at both.
    got: dict[str, bytes] = {}

    def send(name: str, client: UplinkClient) -> None:
        got[name] = client.escalate("m-2", escalation())

    threads = [threading.Thread(target=send, args=("a", via_a))]
    threads[0].start()
    deadline = time.monotonic() + 10
    while not any(r["key"].endswith("/m-2") for r in slow_provider.requests(device.device_id)):
        assert time.monotonic() < deadline, "the provider never got m-2"
        time.sleep(0.02)
    threads.append(threading.Thread(target=send, args=("b", via_b)))
    threads[1].start()  # while A waits for the provider: B waits for A's reply
    for t in threads:
        t.join(30)
    assert got["a"] == got["b"]
    assert EscalationReply.model_validate_json(got["a"]).status == "ok"

    seen = Counter(r["key"] for r in slow_provider.requests(device.device_id))
    assert seen == {f"{device.device_id}/m-1": 1, f"{device.device_id}/m-2": 1}
    # Tokens are booked once per provider call, in the one count both replicas read.
    usage = [EscalationReply.model_validate_json(r).usage for r in (first, got["a"])]
    db = Database(fleet_db_url, run_migrations=False)
    with db.session() as s:
        booked = s.scalar(select(func.sum(RelayTokenDay.used)))
    db.dispose()
    assert booked == sum(u.total_tokens for u in usage if u is not None) > 0


class RoundRobin:
    """A device's uplink client behind a load balancer: each attempt goes to the next replica."""

    def __init__(self, clients: list[UplinkClient]) -> None:
        self.clients = clients
        self.turn = 0
        self.lock = threading.Lock()

    def escalate(self, message_id: str, payload: bytes) -> bytes:
        with self.lock:
            client = self.clients[self.turn % len(self.clients)]
            self.turn += 1
        return client.escalate(message_id, payload)

    def close(self) -> None:
        for c in self.clients:
            c.close()


def test_a_device_whose_attempts_alternate_between_replicas_gets_each_reply_once(
        start_replicas: Callable[..., tuple[RelayProcess, RelayProcess]],
        slow_provider: ProviderProcess, pki: SessionPki, tmp_path: Path) -> None:
    # The device gives up on each attempt before the provider answers (0.5 s < 0.8 s), so
    # every escalation is retried, at the other replica, while the first still runs.
    a, b = start_replicas([slow_provider], in_progress_wait_s=0.2)
    device = pki.device("edge-replica-lb")
    box = Outbox(tmp_path / "outbox.db", load_or_create_storage_key(device.keys_dir),
                 retry_base_s=0.05, retry_max_s=0.3, lease_s=30)
    ids = [f"esc-{i}" for i in range(6)]
    box.enqueue_many([NewItem(m, escalation(f"event {m}: vibration 12 mm/s")) for m in ids])
    replies: list[tuple[str, str]] = []
    lock = threading.Lock()

    def on_reply(item: OutboxItem, raw: bytes) -> None:
        with lock:
            replies.append((item.message_id, EscalationReply.model_validate_json(raw).status))

    balancer = RoundRobin([make_client(a, device, timeout_s=0.5),
                           make_client(b, device, timeout_s=0.5)])
    fwd = Forwarder(box, balancer, on_reply, batch=3, concurrency=3)  # type: ignore[arg-type]
    deadline = time.monotonic() + 60
    while box.stats().depth:
        assert time.monotonic() < deadline, f"not drained: {box.stats()}"
        fwd.drain_once()
        time.sleep(0.05)
    fwd.close()
    balancer.close()

    assert sorted(replies) == sorted((m, "ok") for m in ids)  # each answered once, ok
    assert box.stats().failures >= len(ids)  # every one was retried at least once
    seen = Counter(r["key"] for r in slow_provider.requests(device.device_id))
    assert seen == {f"{device.device_id}/{m}": 1 for m in ids}
    def total(outcome: str) -> float:
        return sum(r.metric(ESCALATIONS, outcome=outcome) for r in (a, b))

    assert total("answered") == len(ids)  # one provider call per escalation ...
    assert total("repeat") >= len(ids)  # ... and every delivered reply came from the record


def test_relay_keys_rotated_from_the_cli_reach_every_replica_and_old_keys_still_open(
        start_replicas: Callable[..., tuple[RelayProcess, RelayProcess]], pki: SessionPki,
        provider: ProviderProcess) -> None:
    import subprocess
    import sys

    a, b = start_replicas([provider])
    device = pki.device("edge-rotated")
    client = make_client(b, device)
    before = client.fetch_relay_keys().current
    out = subprocess.run(
        [str(Path(sys.executable).with_name("appliance")), "keys", "rotate-relay",
         "-c", str(a.config_path)], capture_output=True, text=True, timeout=60, check=True)
    new_id = out.stdout.split()[3]
    assert new_id != before and "is current; 2 held" in out.stdout, out.stdout
    # The device still holds the old sets: its envelope to B opens with the old key.
    assert EscalationReply.model_validate_json(client.escalate("m-old", escalation())).status == "ok"
    for replica in (a, b):  # both serve the new set as current, no restart
        assert make_client(replica, device).fetch_relay_keys().current == new_id
    assert client.fetch_relay_keys().current == new_id
    assert EscalationReply.model_validate_json(client.escalate("m-new", escalation())).status == "ok"
