"""Operator API tokens with roles, device tokens, and the audit trail of every write.

Tokens are 256-bit random strings, so they are stored as their SHA-256: a slow KDF
(scrypt, argon2) only adds strength to guessable secrets, and a deterministic hash
lets each request find its token through a unique index instead of scanning and
running a 50 ms KDF per heartbeat. A stolen database yields no usable token.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.orm import Session

from appliance.fleet.ca import fingerprint_der
from appliance.fleet.store import ApiToken, AuditRecord, Certificate, Database, Device

log = logging.getLogger(__name__)

Role = Literal["viewer", "operator", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "operator", "admin")
_RANK = {role: i for i, role in enumerate(ROLES)}

bearer = HTTPBearer(auto_error=False, description="operator or device API token")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def new_token(prefix: str) -> str:
    """Return a new random token ``<prefix>_<43 url-safe chars>`` (256 bits)."""
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def hash_token(token: str) -> str:
    """Return the hex SHA-256 under which ``token`` is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Principal:
    """Who is calling: an operator (with a role) or a device."""

    name: str
    role: str  # viewer | operator | admin | device
    device_id: str = ""

    @property
    def actor(self) -> str:
        """Return the audit actor string."""
        return f"device:{self.device_id}" if self.role == "device" else f"{self.role}:{self.name}"


def role_allows(have: str, need: Role) -> bool:
    """Return whether role ``have`` may do what role ``need`` may."""
    return have in _RANK and _RANK[have] >= _RANK[need]


def create_api_token(session: Session, name: str, role: Role, created_by: str) -> str:
    """Store a new operator token and return it (the only time it is seen in clear)."""
    token = new_token("flo")
    session.add(ApiToken(name=name, role=role, token_hash=hash_token(token), created_by=created_by))
    return token


def audit(session: Session, who: Principal | str, action: str, target: str = "",
          detail: dict[str, Any] | None = None) -> None:
    """Add an audit record to ``session`` (committed together with the write it describes)."""
    actor = who.actor if isinstance(who, Principal) else who
    session.add(AuditRecord(actor=actor, action=action, target=target, detail=detail or {}))


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail,
                         headers={"WWW-Authenticate": "Bearer"})


def operator_dependency(db: Database, need: Role) -> Callable[..., Principal]:
    """Return a FastAPI dependency admitting operators whose role is at least ``need``."""

    def dependency(creds: Credentials) -> Principal:
        if creds is None:
            raise _unauthorized("missing bearer token")
        with db.session() as session:
            row = session.scalar(
                select(ApiToken).where(ApiToken.token_hash == hash_token(creds.credentials))
            )
            if row is None or row.revoked_at is not None:
                raise _unauthorized("unknown or revoked token")
            principal = Principal(name=row.name, role=row.role)
        if not role_allows(principal.role, need):
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"needs role {need}")
        return principal

    return dependency


def client_cert_der(request: Request) -> bytes | None:
    """Return the TLS client certificate (DER) from the ASGI TLS extension, if any.

    The server fills ``scope["extensions"]["tls"]["client_cert_chain"]`` (PEM, leaf
    first), as :class:`appliance.cloud.tls.TlsScopeH11Protocol` does under uvicorn.
    """
    tls = request.scope.get("extensions", {}).get("tls")
    chain = tls.get("client_cert_chain") if isinstance(tls, dict) else None
    if not chain:
        return None
    return ssl.PEM_cert_to_DER_cert(chain[0])


def device_dependency(db: Database, require_cert: bool) -> Callable[..., Principal]:
    """Return a dependency admitting the device named in the path by its device token.

    A revoked device gets 403; a client certificate, when the server sees one, must
    be the device's own and unrevoked.
    """

    def dependency(device_id: str, request: Request, creds: Credentials) -> Principal:
        if creds is None:
            raise _unauthorized("missing device token")
        der = client_cert_der(request)
        if der is None and require_cert:
            raise _unauthorized("client certificate required")
        with db.session() as session:
            dev = session.scalar(
                select(Device).where(Device.token_hash == hash_token(creds.credentials))
            )
            if dev is None:
                raise _unauthorized("unknown device token")
            if dev.status == "revoked":
                raise HTTPException(status.HTTP_403_FORBIDDEN, "device revoked")
            if dev.id != device_id:
                raise HTTPException(status.HTTP_403_FORBIDDEN, "token belongs to another device")
            if der is not None:
                cert = session.get(Certificate, dev.cert_serial or "")
                if cert is None or cert.fingerprint != fingerprint_der(der):
                    raise HTTPException(status.HTTP_403_FORBIDDEN, "certificate not current")
                if cert.revoked_at is not None:
                    raise HTTPException(status.HTTP_403_FORBIDDEN, "certificate revoked")
        return Principal(name=device_id, role="device", device_id=device_id)

    return dependency


def requires(role: str) -> dict[str, Any]:
    """Return the ``openapi_extra`` that documents a route's required role (checked by tests)."""
    return {"x-required-role": role}
