"""A private Mosquitto broker process for the demo, tests and single-box sites.

Started when ``mqtt.embedded_broker`` is set (or by the test fixtures). It
listens on loopback only, keeps sessions and queued messages on disk so that a
restart loses nothing, and raises its queue limits well above Mosquitto's
defaults (1,000 queued messages would silently drop a backlog).
"""

from __future__ import annotations

import logging
import os
import pwd
import shutil
import socket
import subprocess
import time
from pathlib import Path

from appliance.errors import ApplianceError

log = logging.getLogger(__name__)

_CANDIDATES = ("mosquitto", "/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto")


def find_mosquitto() -> str:
    """Return the mosquitto binary's path, or raise with what to install."""
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise ApplianceError(
        "mosquitto is not installed; install Debian's 'mosquitto' package "
        "(scripts/setup does this) or point mqtt.host/mqtt.port at a broker"
    )


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port that was free on ``host`` a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def wait_for_port(host: str, port: int, timeout: float) -> bool:
    """Return True once ``host:port`` accepts TCP connections, False after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.2):
                return True
        except OSError:
            time.sleep(0.05)
    return False


class EmbeddedBroker:
    """One mosquitto process with its config, persistence and log in ``workdir``."""

    def __init__(self, workdir: Path, port: int | None = None, host: str = "127.0.0.1") -> None:
        self.workdir = workdir
        self.host = host
        self.port = port or free_port(host)
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def config_path(self) -> Path:
        """The generated mosquitto.conf."""
        return self.workdir / "mosquitto.conf"

    def _write_config(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        data = self.workdir / "data"
        data.mkdir(exist_ok=True)
        self.config_path.write_text(
            "\n".join([
                f"listener {self.port} {self.host}",
                "allow_anonymous true",
                # Mosquitto started as root switches to user 'mosquitto', which could not
                # write this directory; stay the user that owns it.
                f"user {pwd.getpwuid(os.geteuid()).pw_name}",
                "persistence true",
                f"persistence_location {data}/",
                "autosave_interval 1",
                "max_queued_messages 1000000",
                # Late acknowledgement holds a slot per event for a round trip: allow many.
                "max_inflight_messages 1000",
                "max_packet_size 16777216",
                f"log_dest file {self.workdir / 'mosquitto.log'}",
                "log_type error",
                "log_type warning",
                "",
            ]),
            encoding="utf-8",
        )

    def start(self, timeout: float = 10.0) -> None:
        """Start the broker and wait until it accepts connections."""
        if self.proc is not None and self.proc.poll() is None:
            return
        self._write_config()
        self.proc = subprocess.Popen(
            [find_mosquitto(), "-c", str(self.config_path)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        if not wait_for_port(self.host, self.port, timeout):
            err = b""
            if self.proc.poll() is not None and self.proc.stderr is not None:
                err = self.proc.stderr.read()
            self.stop()
            raise ApplianceError(
                f"mosquitto did not start on {self.host}:{self.port}: {err.decode(errors='replace')}"
            )
        log.info("embedded mosquitto listening on %s:%d", self.host, self.port)

    def stop(self, kill: bool = False) -> None:
        """Stop the broker (SIGTERM saves its persistence file; ``kill`` skips that)."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            if kill:
                self.proc.kill()
            else:
                self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stderr is not None:
            self.proc.stderr.close()
        self.proc = None

    def restart(self) -> None:
        """Stop and start again on the same port with the same persistence."""
        self.stop()
        self.start()

    def __enter__(self) -> EmbeddedBroker:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
