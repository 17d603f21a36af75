"""Schemathesis against the fleet's published OpenAPI spec: no input makes a server error.

A real uvicorn server on loopback, on SQLite and on PostgreSQL. Each operation gets a
few generated cases (bounded so the run stays short), sent with a token of the role
the operation documents, so the cases reach the handlers instead of stopping at auth.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.unit.fleet.harness import Fleet, Served

EXAMPLES_PER_OPERATION = 6


@pytest.fixture
def served_fleet(fleet_db_url: str, tmp_path: Path) -> Iterator[tuple[Fleet, Served, str]]:
    f = Fleet(fleet_db_url, tmp_path)
    device_token = f.enroll("dev-a", tmp_path / "keys", tags=["hall2"])["device_token"]
    served = Served(f.app)
    yield f, served, device_token
    served.stop()
    f.close()


def _fuzz(op: Any, role: str, headers: dict[str, str], base_url: str,
          failures: list[str]) -> int:
    """Send the operation's generated cases; record server errors; return the call count."""
    calls = 0

    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
              derandomize=True, suppress_health_check=list(HealthCheck))
    @given(case=op.as_strategy())
    def exercise(case: Any) -> None:
        nonlocal calls
        if role == "device" and case.path_parameters is not None:
            case.path_parameters["device_id"] = "dev-a"  # reach the handler, not the 403
        response = case.call(base_url=base_url, headers=headers, timeout=30)
        calls += 1
        if response.status_code >= 500:
            failures.append(f"{case.method} {case.formatted_path} -> "
                            f"{response.status_code}: {response.text[:200]}")

    exercise()
    return calls


def test_generated_requests_never_cause_a_server_error(
        served_fleet: tuple[Fleet, Served, str]) -> None:
    fleet, served, device_token = served_fleet
    spec = fleet.app.openapi()
    schema = schemathesis.openapi.from_dict(spec)
    failures: list[str] = []
    calls = 0
    for result in schema.get_all_operations():
        op = result.ok()
        role = spec["paths"][op.path][op.method.lower()]["x-required-role"]
        if role == "device":
            headers = {"Authorization": f"Bearer {device_token}"}
        elif role in ("viewer", "operator", "admin"):
            headers = fleet.auth("admin")
        else:
            headers = {}

        calls += _fuzz(op, role, headers, served.url, failures)
    assert calls >= 30 * 2
    assert failures == []
