"""Uplink benchmark: envelope cost, durable enqueue and drain rates, relay overhead.

    .venv/bin/python scripts/bench/bench_uplink.py [--items 10000] [--requests 200]

Everything is measured side by side in one run on this machine:

1. seal+open of a sealed envelope (X25519 + HKDF + AES-256-GCM + Ed25519) in
   µs per KB, beside a bare AES-256-GCM encrypt+decrypt of the same bytes;
2. durable enqueue into the SQLite outbox (synchronous=FULL: fsync per
   commit), one item per commit and grouped commits;
3. escalation latency through the relay vs calling the provider directly;
4. the drain rate of a backlog of ``--items`` escalations left by an outage,
   through a real relay process (mTLS) to a real stand-in provider process.

``--fleet-db sqlite`` (a fresh SQLite file) or ``--fleet-db postgresql://HOST/DB`` (a
fresh database created on that server and dropped afterwards) serves the fleet beside
the relay, as replicas run it: the relay's keys, replay and idempotency records then
live in that database.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ed25519, x25519  # noqa: E402
from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: E402

from appliance.uplink.envelope import open_envelope, seal  # noqa: E402
from appliance.uplink.forwarder import Forwarder  # noqa: E402
from appliance.uplink.keys import key_id  # noqa: E402
from appliance.uplink.outbox import (  # noqa: E402
    NewItem,
    Outbox,
    OutboxItem,
    load_or_create_storage_key,
)
from tests.fixtures.provider import (  # noqa: E402
    ProviderProcess,
    RelayProcess,
    escalation,
    make_client,
)
from tests.fixtures.tls import make_pki  # noqa: E402


def bench_envelope(sizes_kb: list[int], budget_s: float = 1.0) -> None:
    print("== 1. envelope seal+open vs bare AES-256-GCM (same run) ==")
    dev = ed25519.Ed25519PrivateKey.generate()
    relay = x25519.X25519PrivateKey.generate()
    reply = x25519.X25519PrivateKey.generate()
    ring = {key_id(relay.public_key()): relay}
    verify = dev.public_key()
    aead = AESGCM(os.urandom(32))
    rows: list[tuple[int, float, float]] = []
    print(f"{'size':>7} {'seal+open µs':>13} {'µs/KB':>8} {'bare GCM µs':>12} {'µs/KB':>8} "
          f"{'ratio':>6}")
    for kb in sizes_kb:
        data = os.urandom(kb * 1024)

        def envelope_once(data: bytes = data) -> None:
            env = seal(data, kind="request", device_id="bench", message_id="m",
                       signing_key=dev, recipient=relay.public_key(),
                       reply_public=reply.public_key())
            open_envelope(env, recipient_keys=ring, sender_key=lambda h: verify, replay=None)

        def gcm_once(data: bytes = data) -> None:
            nonce = os.urandom(12)
            aead.decrypt(nonce, aead.encrypt(nonce, data, b"aad"), b"aad")

        env_us = _per_call_us(envelope_once, budget_s)
        gcm_us = _per_call_us(gcm_once, budget_s)
        rows.append((kb, env_us, gcm_us))
        print(f"{kb:>5}KB {env_us:>13.1f} {env_us / kb:>8.2f} {gcm_us:>12.1f} {gcm_us / kb:>8.2f} "
              f"{env_us / gcm_us:>6.1f}x")
    if len(rows) > 1:
        (k0, e0, g0), (k1, e1, g1) = rows[0], rows[-1]
        print(f"fixed cost (X25519 x3, HKDF, Ed25519 sign+verify) ~{e0 - (e1 - e0) / (k1 - k0) * k0:.0f}"
              f" µs; marginal {(e1 - e0) / (k1 - k0):.2f} µs/KB sealed vs {(g1 - g0) / (k1 - k0):.2f}"
              f" µs/KB bare GCM (the signature hashes the ciphertext)")


def _per_call_us(fn: object, budget_s: float) -> float:
    assert callable(fn)
    fn()
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < budget_s:
        fn()
        n += 1
    return (time.perf_counter() - start) / n * 1e6


def bench_enqueue(work: Path, items: int) -> None:
    print("== 2. durable enqueue (SQLite WAL, synchronous=FULL: fsync per commit) ==")
    key = load_or_create_storage_key(work / "keys")
    payload = escalation("Line 3 conveyor: current 23.9 A over the 18 A warning; bearing hot.")
    single_n = min(items, 500)
    box = Outbox(work / "enq-single.db", key)
    start = time.perf_counter()
    for i in range(single_n):
        box.enqueue(f"s-{i}", payload)
    rate1 = single_n / (time.perf_counter() - start)
    box.close()
    print(f"one item per commit : {rate1:>9.0f} items/s ({single_n} items, "
          f"{len(payload)} B payload)")
    for group in (10, 100):
        box = Outbox(work / f"enq-g{group}.db", key)
        start = time.perf_counter()
        for g in range(0, items, group):
            box.enqueue_many([NewItem(f"g-{i}", payload) for i in range(g, min(items, g + group))])
        rate = items / (time.perf_counter() - start)
        box.close()
        print(f"group commit of {group:<4}: {rate:>9.0f} items/s ({items} items), "
              f"{rate / rate1:.1f}x one-per-commit")


def bench_drain(work: Path, items: int, relay: RelayProcess, pki: object) -> None:
    print(f"== 4. drain after an outage: {items} queued escalations -> relay -> provider ==")
    device = pki.device("bench-drain")  # type: ignore[attr-defined]
    box = Outbox(work / "drain.db", load_or_create_storage_key(device.keys_dir))
    for g in range(0, items, 500):
        box.enqueue_many([NewItem(f"d-{i:06d}", escalation(f"event {i}: vibration 12 mm/s"))
                          for i in range(g, min(items, g + 500))])
    answered = 0
    lock = threading.Lock()

    def on_reply(item: OutboxItem, raw: bytes) -> None:
        nonlocal answered
        with lock:
            answered += 1

    for concurrency in (8,):
        fwd = Forwarder(box, make_client(relay, device, timeout_s=30), on_reply, batch=64,
                        concurrency=concurrency)
        start = time.perf_counter()
        last = start
        while box.stats().depth:
            fwd.drain_once()
            if time.perf_counter() - last > 10:
                last = time.perf_counter()
                print(f"   ... {answered}/{items} after {last - start:.0f}s", flush=True)
        elapsed = time.perf_counter() - start
        fwd.close()
        s = box.stats()
        print(f"drained {s.delivered} items in {elapsed:.1f}s: {s.delivered / elapsed:.0f} items/s "
              f"(concurrency {concurrency}, {s.failures} failed attempts retried)")


def bench_latency(relay: RelayProcess, provider: ProviderProcess, pki: object,
                  n: int) -> None:
    print(f"== 3. escalation latency: direct to provider vs through the relay ({n} each) ==")
    device = pki.device("bench-latency")  # type: ignore[attr-defined]
    client = make_client(relay, device, timeout_s=30)
    body = {"model": "stand-in", "max_tokens": 256, "temperature": 0.0,
            "messages": [{"role": "user", "content": "Press 4 vibration 11.2 mm/s. Severity?"}]}
    headers = {"Authorization": "Bearer sk-test-relay-only-7c1f0e"}
    direct, relayed = [], []
    with httpx.Client(timeout=30) as http:
        for i in range(n):
            t = time.perf_counter()
            http.post(provider.base_url + "/chat/completions", json=body,
                      headers={**headers, "Idempotency-Key": f"direct/{i}"}).raise_for_status()
            direct.append(time.perf_counter() - t)
            t = time.perf_counter()
            client.escalate(f"lat-{i}", escalation("Press 4 vibration 11.2 mm/s. Severity?"))
            relayed.append(time.perf_counter() - t)

    def q(xs: list[float], p: float) -> float:
        return sorted(xs)[min(len(xs) - 1, int(p * len(xs)))] * 1000

    md, mr = statistics.median(direct) * 1000, statistics.median(relayed) * 1000
    print(f"direct  : median {md:6.2f} ms  p95 {q(direct, 0.95):6.2f} ms")
    print(f"relayed : median {mr:6.2f} ms  p95 {q(relayed, 0.95):6.2f} ms")
    print(f"overhead: median +{mr - md:.2f} ms (mTLS, seal/open both ways, signatures, "
          f"replay + idempotency records with fsync, privacy re-check)")


def fleet_settings(work: Path, spec: str) -> tuple[dict[str, object], str | None]:
    """Return the ``[fleet]`` settings for ``--fleet-db`` and a PostgreSQL database to drop."""
    from appliance.fleet.sealing import write_secret_key

    key = work / "fleet-secret.key"
    write_secret_key(key)
    settings: dict[str, object] = {"state_dir": str(work / "fleet-state"),
                                   "secret_key_file": str(key), "sweep_interval_s": 3600.0}
    if spec == "sqlite":
        return {**settings, "database_url": f"sqlite:///{work / 'fleet.db'}"}, None
    import psycopg

    name = f"bench_relay_{os.urandom(6).hex()}"
    with psycopg.connect(spec, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = spec.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return {**settings, "database_url": f"{url}/{name}"}, name


def drop_database(spec: str, name: str) -> None:
    """Drop the benchmark's PostgreSQL database."""
    import psycopg

    with psycopg.connect(spec, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--items", type=int, default=10_000, help="backlog size for enqueue/drain")
    ap.add_argument("--requests", type=int, default=200, help="latency samples per path")
    ap.add_argument("--sizes", default="1,4,16,64", help="envelope sizes in KB")
    ap.add_argument("--fleet-db", default=None,
                    help="serve the fleet beside the relay: 'sqlite' or a postgresql:// URL")
    args = ap.parse_args()
    bench_envelope([int(s) for s in args.sizes.split(",")])
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        bench_enqueue(work, args.items)
        pki = make_pki(work / "pki", "bench CA")
        provider = ProviderProcess(work / "provider", "bench")
        provider.start()
        fleet, pg_name = (fleet_settings(work, args.fleet_db) if args.fleet_db
                          else (None, None))
        relay = RelayProcess(work / "relay", pki, [provider], fleet=fleet, rate_per_minute=1e9,
                             rate_burst=1_000_000, token_budget_per_day=0)
        try:
            relay.start()
            if fleet is not None:
                print(f"(relay served with the fleet, database {fleet['database_url']})")
            bench_latency(relay, provider, pki, args.requests)
            bench_drain(work, args.items, relay, pki)
        finally:
            relay.stop()
            provider.kill()
            if pg_name is not None:
                drop_database(args.fleet_db, pg_name)


if __name__ == "__main__":
    main()
