"""systemd's notification protocol: READY=1, WATCHDOG=1, STOPPING=1, STATUS=...

A datagram to ``$NOTIFY_SOCKET`` (a path, or ``@name`` for the abstract
namespace). Without the variable every call is a no-op, so the daemon runs
the same outside systemd.
"""

from __future__ import annotations

import logging
import os
import socket

log = logging.getLogger(__name__)


def watchdog_interval_s(environ: dict[str, str] | None = None) -> float | None:
    """Return half of ``$WATCHDOG_USEC`` in seconds (the ping period), or None if unset."""
    env = os.environ if environ is None else environ
    usec = env.get("WATCHDOG_USEC")
    if not usec or not usec.isdigit():
        return None
    pid = env.get("WATCHDOG_PID")
    if pid and pid.isdigit() and int(pid) != os.getpid():
        return None
    return int(usec) / 2_000_000


def notify(message: str, environ: dict[str, str] | None = None) -> bool:
    """Send ``message`` to the service manager; return True if it was sent."""
    env = os.environ if environ is None else environ
    address = env.get("NOTIFY_SOCKET")
    if not address:
        return False
    if address.startswith("@"):
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            # Never block the daemon on a service manager that is not reading.
            sock.send(message.encode(), socket.MSG_DONTWAIT)
    except OSError as exc:
        log.warning("sd_notify(%s) failed: %s", message.split("\n", maxsplit=1)[0], exc)
        return False
    return True
