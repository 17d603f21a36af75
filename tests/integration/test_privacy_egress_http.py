"""The gate in front of a real HTTP receiver on loopback: only redacted bytes arrive."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from appliance.audit import open_log
from appliance.errors import EgressBlocked
from appliance.privacy.gate import EgressGate
from appliance.privacy.settings import PrivacyConfig


class Receiver(ThreadingHTTPServer):
    bodies: list[bytes]


class Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.bodies.append(body)  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        answer = {"answer": "Tell <PERSON_1> to replace the belt; call <PHONE_1> when done."}
        self.wfile.write(json.dumps(answer).encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver(("127.0.0.1", 0), Handler)
    server.bodies = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_only_redacted_bytes_reach_the_receiver_and_answers_are_reidentified(
    receiver: Receiver, tmp_path: Path
) -> None:
    config = PrivacyConfig()
    gate = EgressGate(config, open_log(tmp_path, config.audit_file, config.key_dir), tmp_path)
    url = f"http://127.0.0.1:{receiver.server_address[1]}/v1/escalate"
    ticket = {
        "line": "line2",
        "operator": "Ilmari Koskinen",
        "text": "Belt slipping on conveyor 3; Ilmari Koskinen, call +358 40 123 4567.",
    }

    def post(data: bytes) -> httpx.Response:
        return httpx.post(
            url, content=data, headers={"Content-Type": "application/json"}, timeout=5
        )

    response = gate.send("cloud", ticket, post, session_id="s-http")
    assert len(receiver.bodies) == 1
    arrived = receiver.bodies[0]
    assert b"Ilmari" not in arrived and b"Koskinen" not in arrived and b"4567" not in arrived
    assert json.loads(arrived)["text"] == "Belt slipping on conveyor 3; <PERSON_1>, call <PHONE_1>."
    record = gate.audit.records()[-1]
    assert record["payload_sha256"] == hashlib.sha256(arrived).hexdigest()
    assert record["bytes"] == len(arrived)
    answer = gate.reidentify(response.json()["answer"], "s-http")
    assert answer == "Tell Ilmari Koskinen to replace the belt; call +358 40 123 4567 when done."

    with pytest.raises(EgressBlocked):
        gate.send("cloud", {"text": "Ilmari Koskinen, MRN 00482913, has epilepsy."}, post)
    assert len(receiver.bodies) == 1  # the blocked payload never reached the wire
    assert gate.audit.verify().ok
