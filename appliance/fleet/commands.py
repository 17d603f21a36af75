"""Signed commands to devices: issued by operators, pulled on poll, acknowledged, audited."""


import logging
import uuid
from datetime import timedelta
from typing import Annotated, Any, Literal, Self

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel, Field, model_validator
from sqlalchemy import select

from appliance.fleet.auth import Principal, audit, requires
from appliance.fleet.context import FleetContext
from appliance.fleet.signing import sign
from appliance.fleet.store import Command, Device, utcnow

log = logging.getLogger(__name__)

CommandKind = Literal["restart", "rotate_keys", "flush_outbox", "set_log_level",
                      "collect_diagnostics"]
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class CommandIn(BaseModel):
    """A command for one device."""

    kind: CommandKind
    args: dict[str, str] = Field(default_factory=dict, max_length=8)

    @model_validator(mode="after")
    def _args_fit_kind(self) -> Self:
        if self.kind == "set_log_level":
            if set(self.args) != {"level"} or self.args["level"] not in LOG_LEVELS:
                raise ValueError(f"set_log_level takes args {{'level': one of {LOG_LEVELS}}}")
        elif self.args:
            raise ValueError(f"{self.kind} takes no args")
        return self


class SignedCommand(BaseModel):
    """The signed document a device verifies with the pinned fleet key before acting."""

    payload: dict[str, Any]
    signature: str


class CommandOut(SignedCommand):
    """A command and its delivery state."""

    id: str
    status: str
    result: dict[str, Any]
    acked_at: str | None


class CommandAck(BaseModel):
    """The device's acknowledgement: did it work, and what came out (diagnostics...)."""

    ok: bool
    result: dict[str, Any] = Field(default_factory=dict)


def _out(c: Command) -> CommandOut:
    return CommandOut(id=c.id, payload=c.payload, signature=c.signature, status=c.status,
                      result=c.result, acked_at=c.acked_at.isoformat() if c.acked_at else None)


def build_router(ctx: FleetContext) -> APIRouter:
    """Return the command routes."""
    router = APIRouter(prefix="/fleet", tags=["commands"])
    Operator = Annotated[Principal, Depends(ctx.role("operator"))]  # noqa: N806
    Viewer = Annotated[Principal, Depends(ctx.role("viewer"))]  # noqa: N806
    DeviceP = Annotated[Principal, Depends(ctx.device())]  # noqa: N806

    @router.post("/devices/{device_id}/commands", status_code=201,
                 openapi_extra=requires("operator"))
    def issue(device_id: str, body: CommandIn, who: Operator) -> CommandOut:
        """Sign and queue a command; the device gets it on its next poll."""
        now = utcnow()
        payload = {
            "id": str(uuid.uuid4()), "device_id": device_id, "kind": body.kind,
            "args": body.args, "issued_at": now.isoformat(),
            "expires_at": (now + timedelta(seconds=ctx.config.command_ttl_s)).isoformat(),
        }
        with ctx.db.session() as s:
            if s.get(Device, device_id) is None:
                raise HTTPException(status.HTTP_404_NOT_FOUND, "no such device")
            cmd = Command(id=payload["id"], device_id=device_id, kind=body.kind,
                          payload=payload, signature=sign(ctx.signing_key, payload),
                          created_by=who.actor)
            s.add(cmd)
            audit(s, who, "command.issue", device_id, {"id": cmd.id, "kind": body.kind,
                                                       "args": body.args})
        ctx.nudge([device_id], "command")
        return _out(cmd)

    @router.get("/devices/{device_id}/commands", openapi_extra=requires("viewer"))
    def list_commands(device_id: str, who: Viewer) -> list[CommandOut]:
        """Return the device's commands, newest first."""
        with ctx.db.session() as s:
            rows = s.scalars(select(Command).where(Command.device_id == device_id)
                             .order_by(Command.created_at.desc()).limit(ctx.config.page_size_max))
            return [_out(c) for c in rows]

    @router.get("/devices/{device_id}/commands/pending", openapi_extra=requires("device"))
    def pending(device_id: str, who: DeviceP) -> list[SignedCommand]:
        """Return the device's unacknowledged commands, oldest first."""
        with ctx.db.session() as s:
            rows = s.scalars(select(Command).where(
                Command.device_id == device_id, Command.status == "pending")
                .order_by(Command.created_at))
            return [SignedCommand(payload=c.payload, signature=c.signature) for c in rows]

    @router.post("/devices/{device_id}/commands/{command_id}/ack",
                 openapi_extra=requires("device"))
    def ack(device_id: str, command_id: str, body: CommandAck, who: DeviceP) -> CommandOut:
        """Record the device's acknowledgement (idempotent: a repeated ack changes nothing)."""
        with ctx.db.session() as s:
            cmd = s.get(Command, command_id)
            if cmd is None or cmd.device_id != device_id:
                raise HTTPException(status.HTTP_404_NOT_FOUND, "no such command")
            if cmd.status == "pending":
                cmd.status = "ok" if body.ok else "failed"
                cmd.result, cmd.acked_at = body.result, utcnow()
                audit(s, who, "command.ack", device_id,
                      {"id": cmd.id, "kind": cmd.kind, "ok": body.ok})
            return _out(cmd)

    return router
