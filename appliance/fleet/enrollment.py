"""Enrollment: one-time tokens, CSR → client certificate, re-enrollment, revocation, trust."""


import logging
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Response, status
from pydantic import BaseModel, Field
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from appliance.fleet.auth import (
    Principal,
    Role,
    audit,
    create_api_token,
    hash_token,
    new_token,
    requires,
)
from appliance.fleet.ca import EnrollmentError
from appliance.fleet.context import FleetContext
from appliance.fleet.store import (
    ApiToken,
    AuditRecord,
    Certificate,
    Device,
    EnrollmentToken,
    record_event,
    utcnow,
)

log = logging.getLogger(__name__)

DEVICE_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"


class EnrollmentTokenRequest(BaseModel):
    """Create a one-time enrollment token, optionally bound to a serial number."""

    serial: str | None = Field(default=None, max_length=128)
    ttl_s: int | None = Field(default=None, ge=60, le=30 * 24 * 3600)
    site: str = Field(default="", max_length=128)
    line: str = Field(default="", max_length=128)
    tags: list[str] = Field(default_factory=list, max_length=32)


class EnrollmentTokenOut(BaseModel):
    """The token (shown once) and when it expires."""

    token: str
    expires_at: str
    serial: str | None


class EnrollRequest(BaseModel):
    """A device's enrollment: the one-time token, its identity and a PEM CSR."""

    token: str = Field(max_length=128)
    device_id: str = Field(pattern=DEVICE_ID)
    serial: str = Field(default="", max_length=128)
    board: str = Field(default="", max_length=64)
    csr_pem: str = Field(max_length=16384)


class ReenrollRequest(BaseModel):
    """A new CSR from an enrolled device (key rotation)."""

    csr_pem: str = Field(max_length=16384)


class TrustOut(BaseModel):
    """What a device pins: the fleet CA, the fleet signing key and trusted model signers."""

    ca_pem: str
    fleet_public_key: str
    model_signers: list[str]


class EnrollOut(TrustOut):
    """The issued certificate and the device's API token (shown once)."""

    device_id: str
    certificate_pem: str
    certificate_serial: str
    not_after: str
    device_token: str


class RevokeRequest(BaseModel):
    """Why a device is revoked."""

    reason: str = Field(default="unspecified", max_length=64)


class ApiTokenRequest(BaseModel):
    """A new operator token."""

    name: str = Field(min_length=1, max_length=128)
    role: Role


class ApiTokenOut(BaseModel):
    """The operator token (shown once)."""

    name: str
    role: str
    token: str


class AuditOut(BaseModel):
    """One audit record."""

    ts: str
    actor: str
    action: str
    target: str
    detail: dict[str, object]


def _issue(ctx: FleetContext, session: Session, dev: Device, csr_pem: str) -> EnrollOut:
    issued = ctx.ca.issue(csr_pem, dev.id, ctx.config.certificate_ttl_days)
    session.add(Certificate(serial=issued.serial, device_id=dev.id,
                            fingerprint=issued.fingerprint, not_after=issued.not_after))
    token = new_token("fld")
    dev.token_hash = hash_token(token)
    dev.cert_serial = issued.serial
    return EnrollOut(
        device_id=dev.id, certificate_pem=issued.pem, certificate_serial=issued.serial,
        not_after=issued.not_after.isoformat(), device_token=token, ca_pem=ctx.ca.cert_pem,
        fleet_public_key=ctx.public_key, model_signers=list(ctx.config.model_signers),
    )


def _revoke_certs(session: Session, device_id: str, reason: str, keep: str | None = None) -> int:
    now = utcnow()
    certs = session.scalars(select(Certificate).where(
        Certificate.device_id == device_id, Certificate.revoked_at.is_(None)))
    count = 0
    for cert in certs:
        if cert.serial != keep:
            cert.revoked_at, cert.revoke_reason = now, reason
            count += 1
    return count


def build_router(ctx: FleetContext) -> APIRouter:
    """Return the enrollment, revocation, trust, operator-token and audit routes."""
    router = APIRouter(prefix="/fleet", tags=["enrollment"])
    Admin = Annotated[Principal, Depends(ctx.role("admin"))]  # noqa: N806
    DeviceP = Annotated[Principal, Depends(ctx.device())]  # noqa: N806

    @router.post("/enrollment-tokens", status_code=201, openapi_extra=requires("admin"))
    def create_enrollment_token(body: EnrollmentTokenRequest, who: Admin) -> EnrollmentTokenOut:
        """Create a one-time, expiring enrollment token (returned once)."""
        token = new_token("fle")
        ttl = body.ttl_s or ctx.config.enrollment_token_ttl_s
        expires = utcnow() + timedelta(seconds=ttl)
        with ctx.db.session() as s:
            s.add(EnrollmentToken(token_hash=hash_token(token), serial=body.serial,
                                  site=body.site, line=body.line, tags=body.tags,
                                  expires_at=expires, created_by=who.actor))
            audit(s, who, "enrollment_token.create", body.serial or "",
                  {"ttl_s": ttl, "site": body.site, "tags": body.tags})
        return EnrollmentTokenOut(token=token, expires_at=expires.isoformat(), serial=body.serial)

    @router.post("/enroll", status_code=201, openapi_extra=requires("enrollment-token"),
                 responses={403: {"description": "token invalid, used, expired or bound"}})
    def enroll(body: EnrollRequest) -> EnrollOut:
        """Exchange a one-time token and a CSR for a client certificate and a device token."""
        with ctx.db.session() as s:
            tok = s.scalar(select(EnrollmentToken).where(
                EnrollmentToken.token_hash == hash_token(body.token)))
            if tok is None or tok.used_at is not None or tok.expires_at <= utcnow():
                raise HTTPException(status.HTTP_403_FORBIDDEN, "enrollment token invalid")
            if tok.serial is not None and tok.serial != body.serial:
                raise HTTPException(status.HTTP_403_FORBIDDEN, "token bound to another serial")
            dev = s.get(Device, body.device_id)
            if dev is not None and dev.status == "active" and dev.serial != body.serial:
                raise HTTPException(status.HTTP_409_CONFLICT, "device id enrolled by another unit")
            if dev is None:
                dev = Device(id=body.device_id)
                s.add(dev)
            dev.serial, dev.board, dev.status = body.serial, body.board, "active"
            dev.site, dev.line, dev.tags = tok.site, tok.line, list(tok.tags)
            dev.enrolled_at = utcnow()
            s.flush()
            _revoke_certs(s, dev.id, "superseded")
            try:
                out = _issue(ctx, s, dev, body.csr_pem)
            except EnrollmentError as exc:
                raise HTTPException(422, exc.detail) from exc
            # Consume the token with a conditional UPDATE: of two racing enrollments
            # with one token, exactly one sees a row change.
            used = s.execute(update(EnrollmentToken).where(
                EnrollmentToken.id == tok.id, EnrollmentToken.used_at.is_(None),
            ).values(used_at=utcnow(), used_by=dev.id))
            if used.rowcount != 1:  # type: ignore[attr-defined]
                raise HTTPException(status.HTTP_403_FORBIDDEN, "enrollment token invalid")
            record_event(s, dev.id, "enrolled", "", out.certificate_serial)
            audit(s, f"device:{dev.id}", "device.enroll", dev.id,
                  {"serial": body.serial, "certificate": out.certificate_serial})
        ctx.publish_revocations()  # a re-enrolled unit's old certificate is superseded
        log.info("device %s enrolled (certificate %s)", dev.id, out.certificate_serial)
        return out

    @router.post("/devices/{device_id}/reenroll", openapi_extra=requires("device"))
    def reenroll(device_id: str, body: ReenrollRequest, who: DeviceP) -> EnrollOut:
        """Rotate the device's key: issue a new certificate and token, revoke the old ones."""
        with ctx.db.session() as s:
            dev = s.get(Device, device_id)
            assert dev is not None  # the dependency checked it
            old = dev.cert_serial or ""
            try:
                out = _issue(ctx, s, dev, body.csr_pem)
            except EnrollmentError as exc:
                raise HTTPException(422, exc.detail) from exc
            s.flush()
            _revoke_certs(s, device_id, "superseded", keep=out.certificate_serial)
            record_event(s, device_id, "reenrolled", old, out.certificate_serial)
            audit(s, who, "device.reenroll", device_id, {"old": old,
                                                         "new": out.certificate_serial})
        ctx.publish_revocations()
        return out

    @router.post("/devices/{device_id}/revoke", openapi_extra=requires("admin"))
    def revoke(device_id: str, body: RevokeRequest, who: Admin) -> dict[str, object]:
        """Revoke the device: its certificates join the CRL and its token stops working."""
        with ctx.db.session() as s:
            dev = s.get(Device, device_id)
            if dev is None:
                raise HTTPException(status.HTTP_404_NOT_FOUND, "no such device")
            count = _revoke_certs(s, device_id, body.reason)
            old_status, dev.status, dev.online = dev.status, "revoked", False
            record_event(s, device_id, "status", old_status, "revoked")
            audit(s, who, "device.revoke", device_id, {"reason": body.reason,
                                                       "certificates": count})
        ctx.publish_revocations()
        log.warning("device %s revoked (%s)", device_id, body.reason)
        return {"device_id": device_id, "revoked_certificates": count}

    @router.get("/trust", openapi_extra=requires("public"))
    def trust() -> TrustOut:
        """Return the fleet CA certificate, fleet public key and trusted model signers."""
        return TrustOut(ca_pem=ctx.ca.cert_pem, fleet_public_key=ctx.public_key,
                        model_signers=list(ctx.config.model_signers))

    @router.get("/crl", openapi_extra=requires("public"),
                response_class=Response, responses={200: {"content": {"application/pkix-crl": {}}}})
    def crl() -> Response:
        """Return the current CRL (PEM), signed by the fleet CA."""
        pem = ctx.ca.crl_pem(ctx.revoked_serials())
        return Response(pem, media_type="application/pkix-crl")

    @router.post("/api-tokens", status_code=201, openapi_extra=requires("admin"))
    def create_operator_token(body: ApiTokenRequest, who: Admin) -> ApiTokenOut:
        """Create an operator API token with a role (returned once, stored hashed)."""
        with ctx.db.session() as s:
            token = create_api_token(s, body.name, body.role, who.actor)
            audit(s, who, "api_token.create", body.name, {"role": body.role})
        return ApiTokenOut(name=body.name, role=body.role, token=token)

    @router.post("/api-tokens/{name}/revoke", openapi_extra=requires("admin"))
    def revoke_operator_token(name: str, who: Admin) -> dict[str, int]:
        """Revoke every live token with this name."""
        with ctx.db.session() as s:
            rows = list(s.scalars(select(ApiToken).where(ApiToken.name == name,
                                                         ApiToken.revoked_at.is_(None))))
            for row in rows:
                row.revoked_at = utcnow()
            audit(s, who, "api_token.revoke", name, {"count": len(rows)})
        return {"revoked": len(rows)}

    @router.get("/audit", openapi_extra=requires("admin"))
    def audit_log(who: Admin, limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
                  offset: Annotated[int, Query(ge=0, le=2**31)] = 0) -> list[AuditOut]:
        """Return audit records, newest first."""
        limit = min(limit, ctx.config.page_size_max)
        with ctx.db.session() as s:
            rows = s.scalars(select(AuditRecord).order_by(AuditRecord.id.desc())
                             .limit(limit).offset(offset))
            return [AuditOut(ts=r.ts.isoformat(), actor=r.actor, action=r.action,
                             target=r.target, detail=r.detail) for r in rows]

    return router
