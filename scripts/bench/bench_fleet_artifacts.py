"""Artifact store benchmark: a large model through the fleet database vs a plain file copy.

For a random file of ``--size-mb`` MB it measures, in MB/s:

1. plain file: copy it (``shutil.copyfile`` + fsync), then read the copy back hashing it —
   what the file-based artifact store cost at best;
2. store: ``BlobStore.put_file`` into the fleet database, then read it back chunk by
   chunk (every chunk and the whole hash verified), on each backend;
3. HTTP: one ``appliance fleet serve`` process per backend; the model is registered,
   uploaded (``PUT``, streamed from the file) and downloaded by a targeted device
   (``GET``, streamed, hashed) — with the fleet process's peak RSS before and after,
   which shows the transfer does not hold the model in memory.

Usage:  .venv/bin/python scripts/bench/bench_fleet_artifacts.py [--size-mb 100]
        [--backends sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench_fleet import database, fleet_process  # noqa: E402

from appliance.fleet.auth import create_api_token, hash_token, new_token  # noqa: E402
from appliance.fleet.blobstore import BlobStore  # noqa: E402
from appliance.fleet.signing import public_b64, sign  # noqa: E402
from appliance.fleet.store import Database, Device  # noqa: E402

PIECE = 1024 * 1024


def mb_s(size: int, seconds: float) -> float:
    return size / 1e6 / seconds


def hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while piece := fh.read(PIECE):
            digest.update(piece)
    return digest.hexdigest()


def plain_copy(src: Path, workdir: Path) -> tuple[float, float]:
    dst = workdir / "copy.bin"
    t0 = time.perf_counter()
    shutil.copyfile(src, dst)
    with dst.open("rb+") as fh:
        os.fsync(fh.fileno())
    t1 = time.perf_counter()
    hash_file(dst)
    t2 = time.perf_counter()
    dst.unlink()
    return t1 - t0, t2 - t1


def store_round_trip(url: str, src: Path, sha: str) -> tuple[float, float]:
    db = Database(url)
    store = BlobStore(db)
    try:
        t0 = time.perf_counter()
        with src.open("rb") as fh:
            store.put_file(fh, expect_sha256=sha)
        t1 = time.perf_counter()
        digest = hashlib.sha256()
        for chunk in store.chunks(sha):
            digest.update(chunk)
        t2 = time.perf_counter()
        assert digest.hexdigest() == sha
    finally:
        db.dispose()
    return t1 - t0, t2 - t1


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def http_round_trip(url: str, workdir: Path, src: Path, sha: str,
                    size: int) -> tuple[float, float, float, float]:
    key = Ed25519PrivateKey.generate()
    with fleet_process(url, workdir, ("--model-signer", public_b64(key))) as (base, pid):
        db = Database(url, run_migrations=False)
        device_token = new_token("fld")
        with db.session() as s:
            admin = create_api_token(s, "bench", "admin", "bench")
            s.add(Device(id="bench-dev", serial="bench-dev", tags=["bench"],
                         token_hash=hash_token(device_token)))
        db.dispose()
        auth = {"Authorization": f"Bearer {admin}"}
        manifest = {"name": "bench-model", "version": "1", "size": size, "sha256": sha}
        rss_before = peak_rss_mb(pid)
        with httpx.Client(base_url=base, timeout=600) as c:
            r = c.post("/fleet/models", json={"manifest": manifest,
                                              "signature": sign(key, manifest)}, headers=auth)
            r.raise_for_status()
            model_id = r.json()["id"]

            def body() -> Iterator[bytes]:
                with src.open("rb") as fh:
                    while piece := fh.read(PIECE):
                        yield piece

            t0 = time.perf_counter()
            c.put(f"/fleet/models/{model_id}/artifact", content=body(),
                  headers=auth).raise_for_status()
            t1 = time.perf_counter()
            c.post("/fleet/rollouts", json={"model_id": model_id, "selector": ["bench"],
                                            "canary_share": 1.0},
                   headers=auth).raise_for_status()
            digest = hashlib.sha256()
            t2 = time.perf_counter()
            with c.stream("GET", f"/fleet/devices/bench-dev/models/{model_id}/artifact",
                          headers={"Authorization": f"Bearer {device_token}"}) as r:
                r.raise_for_status()
                for piece in r.iter_bytes(PIECE):
                    digest.update(piece)
            t3 = time.perf_counter()
        assert digest.hexdigest() == sha
        rss_after = peak_rss_mb(pid)
    return t1 - t0, t3 - t2, rss_before, rss_after


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=100)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    size = args.size_mb * 1000 * 1000
    with tempfile.TemporaryDirectory(prefix="bench-artifacts-") as tmp:
        root = Path(tmp)
        src = root / "model.bin"
        with src.open("wb") as fh:
            left = size
            while left:
                n = min(left, PIECE)
                fh.write(os.urandom(n))
                left -= n
        sha = hash_file(src)
        print(f"artifact: {size / 1e6:.0f} MB random bytes")
        print(f"{'path':<22}{'write MB/s':>12}{'read MB/s':>12}")
        w, r = plain_copy(src, root)
        print(f"{'plain file copy':<22}{mb_s(size, w):>12.0f}{mb_s(size, r):>12.0f}")
        for backend in args.backends.split(","):
            workdir = root / backend
            workdir.mkdir()
            with database(backend, workdir) as url:
                w, r = store_round_trip(url, src, sha)
            print(f"{'store ' + backend:<22}{mb_s(size, w):>12.0f}{mb_s(size, r):>12.0f}")
            workdir = root / f"{backend}-http"
            workdir.mkdir()
            with database(backend, workdir) as url:
                up, down, rss0, rss1 = http_round_trip(url, workdir, src, sha, size)
            print(f"{'HTTP ' + backend:<22}{mb_s(size, up):>12.0f}{mb_s(size, down):>12.0f}"
                  f"   fleet peak RSS {rss0:.0f} MB before, {rss1:.0f} MB after")


if __name__ == "__main__":
    main()
