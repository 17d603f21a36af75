"""A device-side outbox process for crash tests: writes or drains, and can be ``kill -9``-ed.

    python tests/stand_ins/outbox_worker.py write SPEC.json   # prints each accepted id
    python tests/stand_ins/outbox_worker.py drain SPEC.json   # prints each acked id

SPEC holds the outbox path, the keys folder, and (for drain) the relay URL,
CA and client certificate. ``write`` enqueues ``count`` items (``group`` per
transaction) and prints every message id only after ``enqueue`` returned,
i.e. after the commit was fsynced: a printed id is an accepted one.
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path

from appliance.uplink.client import UplinkClient, tls_context
from appliance.uplink.forwarder import Forwarder
from appliance.uplink.keys import load_keys
from appliance.uplink.messages import ChatMessage, EscalationRequest
from appliance.uplink.outbox import NewItem, Outbox, OutboxItem, load_or_create_storage_key


def open_outbox(spec: dict[str, str]) -> Outbox:
    keys_dir = Path(spec["keys_dir"])
    return Outbox(Path(spec["outbox"]), load_or_create_storage_key(keys_dir),
                  retry_base_s=0.05, retry_max_s=0.5, lease_s=5.0)


def payload(i: int) -> bytes:
    msg = ChatMessage(role="user", content=f"Line 3 conveyor {i}: current 23.9 A, over limit.")
    return EscalationRequest(messages=[msg]).model_dump_json().encode()


def write(spec: dict[str, str]) -> None:
    box = open_outbox(spec)
    group = int(spec.get("group", 1))
    count = int(spec.get("count", 100000))
    for start in range(0, count, group):
        ids = [f"m-{i:06d}" for i in range(start, min(count, start + group))]
        box.enqueue_many([NewItem(mid, payload(int(mid[2:]))) for mid in ids])
        sys.stdout.write("".join(f"{mid}\n" for mid in ids))
        sys.stdout.flush()


def drain(spec: dict[str, str]) -> None:
    box = open_outbox(spec)
    keys = load_keys(Path(spec["keys_dir"]))
    ctx = tls_context(Path(spec["ca_file"]), Path(spec["cert_file"]),
                      Path(spec["keys_dir"]) / "signing.key")
    client = UplinkClient(relay_url=spec["relay_url"], device_id=spec["device_id"], keys=keys,
                          ssl_context=ctx, timeout_s=10)

    def on_reply(item: OutboxItem, reply: bytes) -> None:
        sys.stdout.write(f"{item.message_id}\n")
        sys.stdout.flush()

    Forwarder(box, client, on_reply, batch=8, concurrency=2).run(threading.Event(), idle_s=0.1)


if __name__ == "__main__":
    mode, spec_path = sys.argv[1], sys.argv[2]
    doc = json.loads(Path(spec_path).read_text())
    {"write": write, "drain": drain}[mode](doc)
