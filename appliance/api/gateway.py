"""OpenAI-compatible gateway on the device: ``/v1/chat/completions``, ``/v1/models``, ``/v1/usage``.

An agent framework on the plant network points its base URL at the appliance.
Each request goes through the same cascade as events (router, budgets,
trimming, redaction by the egress gate). Response headers say the route, the
reasons, the tokens and the cost; ``X-Session-Id`` names the session whose
budget is charged. The daemon mounts the router with its bearer-token guard.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Header
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from appliance.errors import EgressBlocked
from appliance.routing.budget import BudgetLedger, SessionEnded
from appliance.routing.chat_router import (
    AUTO_MODEL_ID,
    CLOUD_MODEL_ID,
    LOCAL_MODEL_ID,
    ChatOutcome,
    ChatRequest,
    ChatRouter,
    ChatStream,
    EgressGate,
    QueuedEscalation,
    RouteBlockedError,
)
from appliance.routing.cloud import CloudChat
from appliance.routing.cost import CostMeter
from appliance.routing.local_chat import LocalChat
from appliance.routing.settings import RoutingConfig

log = logging.getLogger(__name__)


class ChatCompletionBody(BaseModel):
    """The request fields the gateway reads; other OpenAI fields are accepted and ignored."""

    model_config = ConfigDict(extra="allow")

    model: str = AUTO_MODEL_ID
    messages: list[dict[str, Any]] = Field(min_length=1)
    stream: bool = False
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    stream_options: dict[str, Any] | None = None
    user: str | None = None
    metadata: dict[str, str] | None = None


def _error(status: int, message: str, kind: str, headers: dict[str, str] | None = None,
           **extra: Any) -> JSONResponse:
    body = {"error": {"message": message, "type": kind, "code": kind, **extra}}
    return JSONResponse(body, status_code=status, headers=headers)


def _headers(route: str, reasons: tuple[str, ...], session: str, **values: Any) -> dict[str, str]:
    out = {"X-Appliance-Route": route, "X-Appliance-Reasons": ",".join(reasons),
           "X-Session-Id": session}
    for key, value in values.items():
        if value is not None:
            out["X-Appliance-" + "-".join(p.capitalize() for p in key.split("_"))] = (
                f"{value:.6f}" if isinstance(value, float) else str(value))
    return out


def _outcome_headers(o: ChatOutcome, session: str) -> dict[str, str]:
    return _headers(o.route.value, o.reasons, session, prompt_tokens=o.prompt_tokens,
                    completion_tokens=o.completion_tokens, cost_usd=o.cost_usd,
                    avoided_usd=o.avoided_usd, compression=round(o.compression_ratio, 3),
                    confidence=o.confidence, model=o.model)


def create_gateway_router(config: RoutingConfig, *, local: LocalChat | None,
                          cloud: CloudChat | None, gate: EgressGate | None,
                          budgets: BudgetLedger, meter: CostMeter,
                          on_escalation: Callable[[QueuedEscalation], None] | None = None,
                          allow_ungated_cloud: bool = False) -> APIRouter:
    """Return the gateway's APIRouter (mount it behind the bearer guard).

    With ``gate=None`` nothing is sent to the cloud unless
    ``allow_ungated_cloud`` (synthetic data in development only).
    """
    chat = ChatRouter(config, local=local, cloud=cloud, gate=gate, budgets=budgets, meter=meter,
                      on_escalation=on_escalation, allow_ungated_cloud=allow_ungated_cloud)
    router = APIRouter(tags=["openai"])
    created = int(time.time())

    @router.get("/v1/models")
    def models() -> dict[str, Any]:
        """List the model ids an agent may ask for."""
        ids = [AUTO_MODEL_ID, LOCAL_MODEL_ID]
        if cloud is not None:
            ids.append(CLOUD_MODEL_ID)
        return {"object": "list", "data": [
            {"id": i, "object": "model", "created": created, "owned_by": "appliance"} for i in ids
        ]}

    @router.get("/v1/usage")
    def usage() -> dict[str, Any]:
        """Tokens and money per route, money avoided against cloud-only, budgets and alerts."""
        return {"cost": meter.snapshot(), "budgets": budgets.snapshot()}

    @router.post("/v1/chat/completions", response_model=None)
    def chat_completions(
        body: ChatCompletionBody,
        x_session_id: Annotated[str | None, Header()] = None,
        x_appliance_task: Annotated[str | None, Header()] = None,
        x_appliance_deadline_ms: Annotated[float | None, Header(gt=0)] = None,
    ) -> JSONResponse | StreamingResponse:
        """Answer a chat completion through the cascade (SSE when ``stream`` is true)."""
        session = x_session_id or body.user or "default"
        meta = body.metadata or {}
        req = ChatRequest(
            messages=body.messages, session=session,
            task=x_appliance_task or meta.get("task", ""), model=body.model,
            max_tokens=body.max_completion_tokens or body.max_tokens or 256,
            temperature=body.temperature,
            deadline_s=x_appliance_deadline_ms / 1000 if x_appliance_deadline_ms else None,
        )
        try:
            if body.stream:
                stream = chat.stream(req)
                include_usage = bool((body.stream_options or {}).get("include_usage"))
                return StreamingResponse(
                    _sse(stream, include_usage), media_type="text/event-stream",
                    headers=_headers(stream.route.value, stream.reasons, session,
                                     prompt_tokens=stream.prompt_tokens, model=stream.model))
            outcome = chat.complete(req)
        except SessionEnded as exc:
            return _error(429, str(exc), "session_ended",
                          headers={"X-Session-Id": session, "X-Appliance-Route": "blocked"})
        except RouteBlockedError as exc:
            return _error(503, str(exc), "route_blocked", reasons=list(exc.reasons),
                          headers=_headers("blocked", exc.reasons, session))
        except EgressBlocked as exc:
            return _error(403, f"the egress gate refused the request: {exc}", "egress_blocked",
                          headers={"X-Session-Id": session})
        return JSONResponse(_completion(outcome), headers=_outcome_headers(outcome, session))

    return router


def _completion(o: ChatOutcome) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex}", "object": "chat.completion",
        "created": int(time.time()), "model": o.model,
        "choices": [{"index": 0, "finish_reason": o.finish_reason,
                     "message": {"role": "assistant", "content": o.text}}],
        "usage": {"prompt_tokens": o.prompt_tokens, "completion_tokens": o.completion_tokens,
                  "total_tokens": o.prompt_tokens + o.completion_tokens,
                  "prompt_tokens_details": {"cached_tokens": o.cached_tokens}},
        "appliance": _summary(o),
    }


def _summary(o: ChatOutcome) -> dict[str, Any]:
    return {"route": o.route.value, "reasons": list(o.reasons), "cost_usd": o.cost_usd,
            "avoided_usd": o.avoided_usd, "compression_ratio": o.compression_ratio,
            "confidence": o.confidence, "queued_escalation": o.queued_escalation}


def _sse(stream: ChatStream, include_usage: bool) -> Iterator[str]:
    cid = f"chatcmpl-{uuid.uuid4().hex}"
    created = int(time.time())

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        body = {"id": cid, "object": "chat.completion.chunk", "created": created,
                "model": stream.model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
        return f"data: {json.dumps(body)}\n\n"

    yield chunk({"role": "assistant", "content": ""})
    try:
        for text in stream.deltas:
            yield chunk({"content": text})
    except Exception as exc:  # headers are gone: end the stream with an error event
        log.warning("stream failed after the route was chosen: %s", exc)
        err = {"error": {"message": f"stream failed: {exc}", "type": "stream_error"}}
        yield f"data: {json.dumps(err)}\n\n"
        yield "data: [DONE]\n\n"
        return
    o = stream.outcome
    yield chunk({}, o.finish_reason if o else "stop",
                **({"appliance": _summary(o)} if o else {}))
    if include_usage and o is not None:
        body = {"id": cid, "object": "chat.completion.chunk", "created": created,
                "model": stream.model, "choices": [],
                "usage": {"prompt_tokens": o.prompt_tokens,
                          "completion_tokens": o.completion_tokens,
                          "total_tokens": o.prompt_tokens + o.completion_tokens}}
        yield f"data: {json.dumps(body)}\n\n"
    yield "data: [DONE]\n\n"
