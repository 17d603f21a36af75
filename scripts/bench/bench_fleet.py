"""Fleet benchmark: many simulated devices heartbeating against one fleet process.

For each backend (SQLite file, PostgreSQL private database) it starts one
``appliance fleet serve`` process on loopback, seeds N devices (device tokens written
to the database the way enrollment stores them), then:

1. heartbeat phase — every device sends R heartbeats, at most C requests in flight
   (asyncio + httpx): heartbeats/s and latency percentiles;
2. rollout phase — devices heartbeat every I seconds (spread evenly); a new fleet
   config document is posted and each device, told it is out of sync, pulls its
   desired config and reports it applied: time until 50 % and 100 % applied.

Usage:  .venv/bin/python scripts/bench/bench_fleet.py [--devices 1000] [--rounds 3]
        [--concurrency 16] [--interval 2] [--backends sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from appliance.fleet.auth import create_api_token, hash_token, new_token  # noqa: E402
from appliance.fleet.sealing import write_secret_key  # noqa: E402
from appliance.fleet.store import Database, Device  # noqa: E402

PG_ADMIN = os.environ.get("FLEET_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def database(backend: str, workdir: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{workdir / 'fleet.db'}"
        return
    name = f"fleet_bench_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}".replace("postgresql://",
                                                             "postgresql+psycopg://", 1)
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed(url: str, devices: int) -> tuple[str, dict[str, str]]:
    db = Database(url)
    tokens = {f"bench-{i:05d}": new_token("fld") for i in range(devices)}
    with db.session() as s:
        admin = create_api_token(s, "bench", "admin", "bench")
        s.add_all([Device(id=d, serial=d, site="bench", line=f"line-{i % 10}",
                          tags=["bench", f"hall{i % 4}"], token_hash=hash_token(t))
                   for i, (d, t) in enumerate(tokens.items())])
    db.dispose()
    return admin, tokens


def cpu_seconds(pid: int) -> float:
    """Return user+system CPU seconds of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def secret_key_option(workdir: Path) -> list[str]:
    """Return ``--secret-key-file`` with a fresh key (a PostgreSQL fleet needs one)."""
    path = workdir / "fleet-secret.key"
    if not path.exists():
        write_secret_key(path)
    return ["--secret-key-file", str(path)]


@contextmanager
def fleet_process(url: str, workdir: Path,
                  extra: tuple[str, ...] = ("--offline-after", "600")) -> Iterator[tuple[str, int]]:
    """Run ``appliance fleet serve`` on ``url`` until the block ends; yield (base URL, pid)."""
    port = free_port()
    exe = str(Path(sys.executable).with_name("appliance"))
    log = (workdir / "fleet.log").open("wb")
    proc = subprocess.Popen(
        [exe, "fleet", "serve", "--db", url, "--state-dir", str(workdir / "state"),
         *secret_key_option(workdir), "--port", str(port), "--log-level", "WARNING", *extra],
        stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"fleet did not start; see {workdir / 'fleet.log'}")
        time.sleep(0.2)
    try:
        yield base, proc.pid
    finally:
        proc.terminate()
        proc.wait(15)


@dataclass
class Phase:
    latencies: list[float]
    errors: int
    wall_s: float


def heartbeat_body(i: int, applied: str = "") -> dict[str, object]:
    return {"software_version": "0.1.0", "board": "orin-nano",
            "queue_depths": {"outbox": i % 7, "ingest": i % 3},
            "temperatures": {"cpu": 40.0 + i % 30}, "budget_used": 0.01 * (i % 100),
            "applied_config_version": applied}


async def heartbeat_phase(base: str, tokens: dict[str, str], rounds: int,
                          concurrency: int) -> Phase:
    sem = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:

        async def one(i: int, device: str, token: str) -> None:
            nonlocal errors
            async with sem:
                t0 = time.perf_counter()
                r = await client.post(f"/fleet/devices/{device}/heartbeat",
                                      json=heartbeat_body(i),
                                      headers={"Authorization": f"Bearer {token}"})
                latencies.append(time.perf_counter() - t0)
                errors += r.status_code != 200

        start = time.perf_counter()
        for _ in range(rounds):
            await asyncio.gather(*(one(i, d, t) for i, (d, t) in enumerate(tokens.items())))
        wall = time.perf_counter() - start
    return Phase(latencies, errors, wall)


async def rollout_phase(base: str, admin: str, tokens: dict[str, str], concurrency: int,
                        interval: float) -> tuple[float, float, int, int]:
    sem = asyncio.Semaphore(concurrency)
    errors = 0
    applied_at: dict[str, float] = {}
    started: list[float] = []
    stop = asyncio.Event()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:

        async def device(i: int, dev: str, token: str) -> None:
            nonlocal errors
            auth = {"Authorization": f"Bearer {token}"}
            applied = ""
            await asyncio.sleep(interval * i / len(tokens))  # spread the fleet evenly
            while not stop.is_set():
                try:
                    async with sem:
                        applied = await cycle(i, dev, auth, applied)
                except (httpx.HTTPError, KeyError, ValueError):
                    errors += 1  # counted; the device tries again on its next round
                await asyncio.sleep(interval)

        async def cycle(i: int, dev: str, auth: dict[str, str], applied: str) -> str:
            r = await client.post(f"/fleet/devices/{dev}/heartbeat", headers=auth,
                                  json=heartbeat_body(i, applied))
            r.raise_for_status()
            if r.json()["config_in_sync"]:
                return applied
            r = await client.get(f"/fleet/devices/{dev}/desired", headers=auth)
            r.raise_for_status()
            desired = r.json()
            r = await client.post(f"/fleet/devices/{dev}/config-report", headers=auth,
                                  json={"version": desired["version"], "status": "applied"})
            r.raise_for_status()
            if started and desired["config"] and dev not in applied_at:
                applied_at[dev] = time.perf_counter()
                if len(applied_at) == len(tokens):
                    stop.set()
            return str(desired["version"])

        tasks = [asyncio.create_task(device(i, d, t)) for i, (d, t) in enumerate(tokens.items())]
        await asyncio.sleep(interval * 2)  # every device has heartbeated and is in sync
        started.append(time.perf_counter())
        r = await client.post("/fleet/configs", headers={"Authorization": f"Bearer {admin}"},
                              json={"scope": "fleet", "body": {"logging": {"level": "WARNING"}}})
        r.raise_for_status()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=max(300.0, interval * 20))
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
    times = sorted(t - started[0] for t in applied_at.values())
    half = times[len(times) // 2 - 1] if times else float("nan")
    return half, times[-1] if times else float("nan"), len(times), errors


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--devices", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--interval", type=float, default=2.0)
    ap.add_argument("--backends", default="sqlite,postgresql")
    args = ap.parse_args()
    rows, rollouts = [], []
    for backend in args.backends.split(","):
        workdir = Path(tempfile.mkdtemp(prefix=f"bench-fleet-{backend}-"))
        try:
            with database(backend, workdir) as url:
                print(f"[{backend}] seeding {args.devices} devices ...", flush=True)
                admin, tokens = seed(url, args.devices)
                with fleet_process(url, workdir) as (base, pid):
                    print(f"[{backend}] heartbeat phase ...", flush=True)
                    cpu0 = cpu_seconds(pid)
                    hb = asyncio.run(heartbeat_phase(base, tokens, args.rounds,
                                                     args.concurrency))
                    cpu = cpu_seconds(pid) - cpu0
                    n = len(hb.latencies)
                    rows.append((backend, n, hb.wall_s, n / hb.wall_s, pct(hb.latencies, 0.5),
                                 pct(hb.latencies, 0.99), hb.errors, cpu / n * 1000,
                                 cpu / hb.wall_s * 100))
                    print(f"[{backend}] rollout phase ...", flush=True)
                    rollouts.append((backend, *asyncio.run(rollout_phase(
                        base, admin, tokens, args.concurrency, args.interval))))
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"\nfleet heartbeats: {args.devices} devices x {args.rounds} rounds, "
          f"{args.concurrency} in flight, one fleet process on loopback, "
          f"{os.cpu_count()} CPUs shared with the load generator")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (fleet CPU = the fleet process's "
          f"own CPU time per heartbeat and its share of one core)")
    print(f"{'backend':<11}{'heartbeats':>11}{'wall_s':>8}{'hb/s':>8}{'p50_ms':>8}"
          f"{'p99_ms':>8}{'errors':>7}{'cpu_ms/hb':>10}{'core%':>7}")
    for b, n, wall, rate, p50, p99, err, cpu_ms, share in rows:
        print(f"{b:<11}{n:>11}{wall:>8.1f}{rate:>8.0f}{p50:>8.1f}{p99:>8.1f}{err:>7}"
              f"{cpu_ms:>10.1f}{share:>7.0f}")
    if len(rows) == 2:
        print(f"ratio postgresql/sqlite heartbeats/s: {rows[1][3] / rows[0][3]:.2f}")
    print(f"\nconfig rollout to all devices (each heartbeats every {args.interval:g} s, then "
          f"pulls desired and reports applied):")
    for b, half, full, n, err in rollouts:
        print(f"{b:<11} 50% applied after {half:6.2f} s, {n}/{args.devices} after {full:6.2f} s"
              f" ({err} failed requests, retried)")


if __name__ == "__main__":
    main()
