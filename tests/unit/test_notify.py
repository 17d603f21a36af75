"""sd_notify over a real datagram socket, as systemd receives it."""

from __future__ import annotations

import socket
from pathlib import Path

from appliance.notify import notify, watchdog_interval_s


def test_notify_sends_a_datagram_to_notify_socket(tmp_path: Path) -> None:
    path = tmp_path / "n.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind(str(path))
        assert notify("READY=1", {"NOTIFY_SOCKET": str(path)})
        assert server.recv(100) == b"READY=1"


def test_notify_without_socket_is_a_no_op() -> None:
    assert notify("READY=1", {}) is False


def test_watchdog_interval_is_half_the_timeout() -> None:
    assert watchdog_interval_s({"WATCHDOG_USEC": "10000000"}) == 5.0
    assert watchdog_interval_s({"WATCHDOG_USEC": "10000000", "WATCHDOG_PID": "1"}) is None
    assert watchdog_interval_s({}) is None
