"""Bearer-token authentication shared by the device's routes."""

from __future__ import annotations

import hmac
from collections.abc import Callable

from fastapi import HTTPException, Request, status


def bearer_guard(token: str) -> Callable[[Request], None]:
    """Return a FastAPI dependency that requires ``Authorization: Bearer <token>``.

    Comparison is constant-time; the token is never echoed in errors.
    """
    expected = token.encode()

    def guard(request: Request) -> None:
        header = request.headers.get("authorization", "")
        scheme, _, given = header.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected):
            raise HTTPException(
                status_code=status.HTTP_401_UNAUTHORIZED,
                detail="missing or wrong bearer token (see <state_dir>/api-token)",
                headers={"WWW-Authenticate": "Bearer"},
            )

    return guard
