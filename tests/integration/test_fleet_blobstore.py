"""Model artifacts stored as chunks in the fleet database, on SQLite and on PostgreSQL.

Round trips across chunk boundaries, refusal of content that is not what was
registered, deduplication, corruption found before or while bytes leave, abandoned
uploads swept, and memory that stays near one chunk whatever the artifact's size.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import tracemalloc
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, update

from appliance.fleet.blobstore import (
    BlobCorruptError,
    BlobMismatchError,
    BlobMissingError,
    BlobStore,
)
from appliance.fleet.store import ArtifactBlob, ArtifactChunk, Database
from tests.unit.fleet.harness import Fleet, Served

CHUNK = 64 * 1024


@pytest.fixture
def store(fleet_db_url: str) -> Iterator[BlobStore]:
    db = Database(fleet_db_url)
    yield BlobStore(db, chunk_bytes=CHUNK)
    db.dispose()


def _counts(store: BlobStore) -> tuple[int, int]:
    with store.db.session() as s:
        return (s.scalar(select(func.count()).select_from(ArtifactBlob)) or 0,
                s.scalar(select(func.count()).select_from(ArtifactChunk)) or 0)


async def _pieces(data: bytes, size: int) -> AsyncIterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i:i + size]


@pytest.mark.parametrize("length", [0, 1, CHUNK, 3 * CHUNK + 17])
def test_blob_round_trips_across_chunk_boundaries(store: BlobStore, length: int) -> None:
    data = os.urandom(length)
    sha = hashlib.sha256(data).hexdigest()
    blob = asyncio.run(store.put_stream(_pieces(data, 10_000), sha, length))
    assert (blob.sha256, blob.size, blob.chunk_count) == (sha, length, -(-length // CHUNK))
    assert b"".join(store.chunks(sha)) == data
    got, chunks = store.stream(sha)
    assert got == blob and b"".join(chunks) == data


def test_content_other_than_registered_is_refused_and_leaves_nothing(store: BlobStore) -> None:
    data = os.urandom(2 * CHUNK + 5)
    sha = hashlib.sha256(data).hexdigest()
    with pytest.raises(BlobMismatchError, match="does not match"):
        asyncio.run(store.put_stream(_pieces(data[:-1] + b"x", 4096), sha, len(data)))
    with pytest.raises(BlobMismatchError, match="larger than"):
        asyncio.run(store.put_stream(_pieces(data + b"more", 4096), sha, len(data)))
    assert _counts(store) == (0, 0)
    with pytest.raises(BlobMissingError):
        store.chunks(sha)


def test_the_same_content_is_stored_once(store: BlobStore) -> None:
    data = os.urandom(CHUNK + 1)
    sha = hashlib.sha256(data).hexdigest()
    first = store.put_file(io.BytesIO(data), sha, len(data))
    second = store.put_file(io.BytesIO(data), sha, len(data))
    assert second == first and _counts(store) == (1, 2)


def test_corrupt_chunks_are_found_before_and_while_streaming(store: BlobStore) -> None:
    data = os.urandom(3 * CHUNK)
    sha = store.put_file(io.BytesIO(data)).sha256

    def damage(seq: int) -> None:
        with store.db.session() as s:
            s.execute(update(ArtifactChunk).where(ArtifactChunk.seq == seq)
                      .values(data=os.urandom(CHUNK)))

    damage(2)
    _blob, chunks = store.stream(sha)  # the first chunk is fine: streaming starts
    assert next(chunks) == data[:CHUNK]
    assert next(chunks) == data[CHUNK:2 * CHUNK]
    with pytest.raises(BlobCorruptError, match="chunk 2 fails its hash"):
        next(chunks)
    damage(0)
    with pytest.raises(BlobCorruptError, match="chunk 0"):
        store.stream(sha)  # known before any response would begin


def test_abandoned_uploads_are_swept_and_finished_ones_kept(store: BlobStore) -> None:
    kept = store.put_file(io.BytesIO(b"kept"))
    writer = store.writer()
    writer.append(b"half an upload")
    assert store.sweep_abandoned(older_than=timedelta(hours=1)) == 0  # still young
    assert store.sweep_abandoned(older_than=timedelta(seconds=-1)) == 1
    assert _counts(store) == (1, 1) and store.stat(kept.sha256) == kept


def test_a_large_artifact_moves_through_about_one_chunk_of_memory(fleet_db_url: str) -> None:
    db = Database(fleet_db_url)
    store = BlobStore(db)  # the default 2 MiB chunks
    size = 48 * 1024 * 1024

    block = os.urandom(1024 * 1024)

    def source() -> Iterator[bytes]:  # 1 MiB pieces, each a little different
        for i in range(size // len(block)):
            yield bytes([i % 256]) + block[1:]

    digest = hashlib.sha256()
    for piece in source():
        digest.update(piece)
    expected = digest.hexdigest()

    async def body() -> AsyncIterator[bytes]:
        for piece in source():
            yield piece

    tracemalloc.start()
    try:
        blob = asyncio.run(store.put_stream(body(), expected, size))
        read = hashlib.sha256()
        for chunk in store.chunks(blob.sha256):
            read.update(chunk)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        db.dispose()
    assert read.hexdigest() == expected
    assert peak < 16 * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB for a 48 MiB artifact"


def test_a_corrupt_artifact_is_refused_or_cut_short_by_the_api(fleet_db_url: str,
                                                               tmp_path: Path) -> None:
    f = Fleet(fleet_db_url, tmp_path)
    served = Served(f.app)
    try:
        out = f.enroll("dev-a", tmp_path / "keys", tags=["line1"])
        data = os.urandom(5 * 1024 * 1024)
        model_id = f.publish_model("m", "1", data)
        r = f.client.post("/fleet/rollouts", json={"model_id": model_id, "selector": ["line1"],
                                                   "canary_share": 1.0},
                          headers=f.auth("operator"))
        assert r.status_code == 201, r.text
        device = {"Authorization": f"Bearer {out['device_token']}"}
        url = f"{served.url}/fleet/devices/dev-a/models/{model_id}/artifact"
        r = httpx.get(url, headers=device, timeout=30)
        assert r.content == data and r.headers["content-length"] == str(len(data))

        def damage(seq: int) -> None:
            with f.ctx.db.session() as s:
                s.execute(update(ArtifactChunk).where(ArtifactChunk.seq == seq)
                          .values(data=b"tampered"))

        damage(1)  # found mid-way: the response stops short of its Content-Length
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.get(url, headers=device, timeout=30)
        damage(0)  # found before the response begins
        r = httpx.get(url, headers=device, timeout=30)
        assert r.status_code == 503 and "not available" in r.text
        r = f.client.post("/fleet/bundles", json={"device_id": "dev-a"},
                          headers=f.auth("operator"))
        assert r.status_code == 503
    finally:
        served.stop()
        f.close()
