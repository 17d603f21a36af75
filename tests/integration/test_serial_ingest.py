"""Serial ingest through a real pseudo-terminal pair: protocols, garbage, unplug and return."""

from __future__ import annotations

import os
import threading
import time
import tty
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from appliance.hw.serial_ingest import SerialIngest
from appliance.hw.settings import SerialPortConfig
from appliance.schema import Event


class CollectingSink:
    """A small real EventSink: keeps events and dead letters in lists."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.dead: list[tuple[str, bytes, str, str]] = []
        self._lock = threading.Lock()

    def submit(self, event: Event, ack: Callable[[], None] | None = None) -> bool:
        with self._lock:
            self.events.append(event)
        if ack is not None:
            ack()
        return True

    def dead_letter(self, topic: str, payload: bytes, reason: str, detail: str,
                    event_id: str | None = None) -> None:
        with self._lock:
            self.dead.append((topic, payload, reason, detail))


class FakeDevice:
    """The far end of a pty pair, reachable through a stable symlink like a udev name."""

    def __init__(self, link: Path) -> None:
        self.link = link
        self.master = -1
        self.slave = -1

    def plug(self) -> None:
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        self.link.symlink_to(os.ttyname(self.slave))

    def unplug(self) -> None:
        self.link.unlink()
        os.close(self.master)
        os.close(self.slave)

    def send(self, data: bytes) -> None:
        os.write(self.master, data)


def wait_for(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"condition not met within {timeout:.0f} s")


@pytest.fixture
def device(tmp_path: Path) -> Iterator[FakeDevice]:
    dev = FakeDevice(tmp_path / "ttyAPPLIANCE0")
    dev.plug()
    yield dev
    if dev.link.is_symlink():
        dev.unplug()


def _ingest(device: FakeDevice, sink: CollectingSink, **kw: object) -> SerialIngest:
    port = SerialPortConfig.model_validate({
        "path": str(device.link), "name": "line1-press", "line": "line1", "baud": 115200,
        "reconnect_min_s": 0.05, "reconnect_max_s": 0.2, "read_timeout_s": 0.05, **kw})
    ingest = SerialIngest(port, sink)
    ingest.start()
    wait_for(lambda: ingest.stats.connected)
    return ingest


def test_json_csv_and_kv_lines_arrive_as_events(device: FakeDevice) -> None:
    sinks = {p: CollectingSink() for p in ("json", "csv", "kv")}
    ingest = _ingest(device, sinks["json"])
    try:
        device.send(b'{"readings": {"pressure": 6.1}}\r\n{"metric": "pressure", "value": 6.3}\n')
        wait_for(lambda: len(sinks["json"].events) == 2)
    finally:
        ingest.stop()
    assert [e.readings for e in sinks["json"].events] == [{"pressure": 6.1}, {"pressure": 6.3}]
    assert {e.topic for e in sinks["json"].events} == {"serial/line1-press"}
    assert {e.line for e in sinks["json"].events} == {"line1"}

    ingest = _ingest(device, sinks["csv"], protocol="csv", csv_columns=["ts", "pressure", "temp"])
    try:
        # Split mid-line across writes: the reader must join them.
        device.send(b"ts,pressure,temp\n1700000000,6.4,")
        time.sleep(0.1)
        device.send(b"40.5\n1700000001,6.5,40.7\n")
        wait_for(lambda: len(sinks["csv"].events) == 2)
    finally:
        ingest.stop()
    assert [e.ts for e in sinks["csv"].events] == [1700000000.0, 1700000001.0]
    assert sinks["csv"].events[0].readings == {"pressure": 6.4, "temp": 40.5}

    ingest = _ingest(device, sinks["kv"], protocol="kv")
    try:
        device.send(b"pressure=6.6 temp=41\n")
        wait_for(lambda: len(sinks["kv"].events) == 1)
    finally:
        ingest.stop()
    assert sinks["kv"].events[0].readings == {"pressure": 6.6, "temp": 41.0}
    assert all(not s.dead for s in sinks.values())


def test_garbage_and_framing_errors_are_counted_and_dead_lettered(device: FakeDevice) -> None:
    sink = CollectingSink()
    ingest = _ingest(device, sink, protocol="kv", max_line_bytes=64)
    try:
        device.send(b"\xf0\x9f\xff\xfe\x80\n")       # wrong baud rate: not text
        device.send(b"pres\x00sure=1\n")             # framing error reads as NUL
        device.send(b"pressure=lots\n")              # text, but not a number
        device.send(b"x" * 200 + b"\n")              # no newline in time: oversize
        device.send(b"pressure=7.0\n")               # good line after all that
        wait_for(lambda: len(sink.events) == 1 and len(sink.dead) == 4)
    finally:
        ingest.stop()
    reasons = [d[2] for d in sink.dead]
    assert reasons == ["framing", "framing", "schema", "oversize"]
    assert {d[0] for d in sink.dead} == {"serial/line1-press"}
    assert ingest.stats.rejected == {"framing": 2, "schema": 1, "oversize": 1}
    assert sink.events[0].readings == {"pressure": 7.0}


def test_port_unplugged_and_replugged_is_survived(device: FakeDevice) -> None:
    sink = CollectingSink()
    ingest = _ingest(device, sink, protocol="kv")
    try:
        device.send(b"pressure=1\n")
        wait_for(lambda: len(sink.events) == 1)
        device.send(b"pressure=2")  # cut off by the unplug
        time.sleep(0.1)
        device.unplug()
        wait_for(lambda: not ingest.stats.connected)
        time.sleep(0.5)  # several failed reopen attempts with backoff
        assert ingest.stats.disconnects == 1 and "No such file" in ingest.stats.last_error
        device.plug()    # a new pty behind the same symlink, as udev recreates it
        wait_for(lambda: ingest.stats.connected)
        device.send(b"pressure=3\n")
        wait_for(lambda: len(sink.events) == 2)
    finally:
        ingest.stop()
    assert [e.readings["pressure"] for e in sink.events] == [1.0, 3.0]
    assert ingest.stats.opens == 2
    assert [d[2] for d in sink.dead] == ["framing"]
    assert b"pressure=2" in sink.dead[0][1]
    assert not ingest._thread.is_alive()  # type: ignore[union-attr]
