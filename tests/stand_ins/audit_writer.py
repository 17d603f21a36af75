"""An audit-log writer process for crash and concurrency tests; it can be ``kill -9``-ed.

    python tests/stand_ins/audit_writer.py SPEC.json

SPEC holds ``log`` (the active segment's path), ``key`` (hex), ``tag``, ``count``,
``config`` (an ``[audit]`` section), and optionally ``start_at`` (a wall-clock time to
wait for, so two writers start together) and ``kill_at_call`` (N: the process kills
itself with SIGKILL at the N-th file-system call the log makes: ``os.write``,
``os.fsync``, ``os.replace``, ``os.rename`` or ``os.unlink``/``Path.unlink``). Before
that kill it prints ``KILL <call> <function>`` on stderr, naming the call and the
audit function it was made from.

Each record is printed as ``<seq> <tag>:<n>`` only after ``append`` returned, so a
printed record is an acknowledged one.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

from appliance.audit import AuditConfig, AuditLog


def _arm(limit: int) -> None:
    calls = 0

    def wrap(name: str, fn: Any) -> Any:
        def inner(*args: Any, **kwargs: Any) -> Any:
            nonlocal calls
            calls += 1
            if calls >= limit:
                frame = sys._getframe(1)
                while frame is not None and "appliance/audit" not in frame.f_code.co_filename:
                    frame = frame.f_back  # type: ignore[assignment]
                where = frame.f_code.co_name if frame is not None else "?"
                sys.stderr.write(f"KILL {name} {where}\n")
                sys.stderr.flush()
                os.kill(os.getpid(), signal.SIGKILL)
            return fn(*args, **kwargs)
        return inner

    for name in ("write", "fsync", "replace", "rename", "unlink"):
        setattr(os, name, wrap(name, getattr(os, name)))
    Path.unlink = wrap("unlink", Path.unlink)  # type: ignore[method-assign]


def main() -> None:
    spec = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    log = AuditLog(Path(spec["log"]), bytes.fromhex(spec["key"]),
                   AuditConfig.model_validate(spec["config"]))
    if "start_at" in spec:
        time.sleep(max(0.0, float(spec["start_at"]) - time.time()))
    if "kill_at_call" in spec:
        _arm(int(spec["kill_at_call"]))
    tag = spec["tag"]
    out = sys.stdout
    for n in range(int(spec["count"])):
        rec = log.append({"destination": "fleet", "outcome": "sent", "tag": f"{tag}:{n}",
                          "classes": {}, "redactions": {}, "bytes": 100 + n, "tokens": n})
        out.write(f"{rec['seq']} {tag}:{n}\n")
        out.flush()


if __name__ == "__main__":
    main()
