"""The cloud path as the router sees it, and a client for any OpenAI-compatible endpoint.

Until the uplink carries escalations, the gateway and the cascade reach the
cloud through :class:`CloudChat`; :class:`OpenAICompatClient` implements it
over HTTP for an OpenAI-compatible ``/v1/chat/completions`` (a relay, a
provider, or a stand-in on loopback). Transport and HTTP errors become
:class:`appliance.errors.UplinkError`.
"""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from appliance.errors import UplinkError
from appliance.routing.settings import CloudEndpoint

log = logging.getLogger(__name__)

Message = dict[str, Any]


@dataclass(frozen=True)
class CloudReply:
    """The cloud's answer and the usage it reported."""

    text: str
    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int = 0
    model: str = ""
    finish_reason: str = "stop"


@dataclass(frozen=True)
class CloudDelta:
    """One streamed piece: a text delta, or (last) the reported usage."""

    text: str = ""
    usage: CloudReply | None = None


class CloudChat(Protocol):
    """What the router needs from the cloud path."""

    provider: str
    model: str

    def is_up(self) -> bool:
        """Return whether an escalation could be sent now."""
        ...

    def complete(self, messages: Sequence[Message], *, max_tokens: int,
                 temperature: float | None = None) -> CloudReply:
        """Return the cloud's answer; raise UplinkError when it cannot be had."""
        ...

    def stream(self, messages: Sequence[Message], *, max_tokens: int,
               temperature: float | None = None) -> Iterator[CloudDelta]:
        """Yield text deltas, then one delta carrying the usage; raise UplinkError on failure."""
        ...


class OpenAICompatClient:
    """:class:`CloudChat` over HTTP to an OpenAI-compatible endpoint.

    The API key is read from the environment variable the config names, never
    from the config itself. ``is_up`` reflects the last call's outcome and is
    retried after ``retry_after_s``.
    """

    def __init__(self, endpoint: CloudEndpoint, *, api_key: str | None = None,
                 retry_after_s: float = 15.0) -> None:
        if not endpoint.base_url:
            raise UplinkError("routing.cloud.base_url is not set")
        self.provider = endpoint.provider
        self.model = endpoint.model
        key = api_key if api_key is not None else os.environ.get(endpoint.api_key_env, "")
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self._http = httpx.Client(base_url=endpoint.base_url.rstrip("/"), headers=headers,
                                  timeout=endpoint.timeout_s)
        self._down_until = 0.0
        self._retry_after_s = retry_after_s

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._http.close()

    def is_up(self) -> bool:
        """Return False for ``retry_after_s`` after a transport failure, else True."""
        return time.monotonic() >= self._down_until

    def _body(self, messages: Sequence[Message], max_tokens: int, temperature: float | None,
              stream: bool) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.model, "messages": list(messages),
                                "max_tokens": max_tokens, "stream": stream}
        if temperature is not None:
            body["temperature"] = temperature
        if stream:
            body["stream_options"] = {"include_usage": True}
        return body

    def _failed(self, exc: Exception) -> UplinkError:
        self._down_until = time.monotonic() + self._retry_after_s
        return UplinkError(f"cloud endpoint failed: {exc}")

    def complete(self, messages: Sequence[Message], *, max_tokens: int,
                 temperature: float | None = None) -> CloudReply:
        """POST a chat completion and return the answer with the provider's usage."""
        try:
            resp = self._http.post("/chat/completions",
                                   json=self._body(messages, max_tokens, temperature, False))
        except httpx.HTTPError as exc:
            raise self._failed(exc) from exc
        if resp.status_code >= 400:
            if resp.status_code >= 500:
                self._down_until = time.monotonic() + self._retry_after_s
            raise UplinkError(f"cloud endpoint answered {resp.status_code}: {resp.text[:200]}")
        try:
            data = resp.json()
            choice = data["choices"][0]
            return _reply(choice["message"].get("content") or "", data.get("usage") or {},
                          data.get("model", self.model), choice.get("finish_reason") or "stop")
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise UplinkError(f"cloud endpoint sent a malformed completion: {exc}") from exc

    def stream(self, messages: Sequence[Message], *, max_tokens: int,
               temperature: float | None = None) -> Iterator[CloudDelta]:
        """Stream a chat completion (SSE); the last delta carries the usage."""
        body = self._body(messages, max_tokens, temperature, True)
        usage: dict[str, Any] = {}
        model = self.model
        finish = "stop"
        try:
            with self._http.stream("POST", "/chat/completions", json=body) as resp:
                if resp.status_code >= 400:
                    resp.read()
                    raise UplinkError(
                        f"cloud endpoint answered {resp.status_code}: {resp.text[:200]}")
                for line in resp.iter_lines():
                    if not line.startswith("data:"):
                        continue
                    payload = line[5:].strip()
                    if payload == "[DONE]":
                        break
                    chunk = json.loads(payload)
                    model = chunk.get("model", model)
                    usage = chunk.get("usage") or usage
                    for choice in chunk.get("choices") or []:
                        finish = choice.get("finish_reason") or finish
                        text = (choice.get("delta") or {}).get("content")
                        if text:
                            yield CloudDelta(text=text)
        except httpx.HTTPError as exc:
            raise self._failed(exc) from exc
        except (ValueError, TypeError) as exc:
            raise UplinkError(f"cloud endpoint sent a malformed stream: {exc}") from exc
        yield CloudDelta(usage=_reply("", usage, model, finish))


def _reply(text: str, usage: dict[str, Any], model: str, finish: str) -> CloudReply:
    details = usage.get("prompt_tokens_details") or {}
    return CloudReply(
        text=text,
        prompt_tokens=int(usage.get("prompt_tokens") or 0),
        completion_tokens=int(usage.get("completion_tokens") or 0),
        cached_tokens=int(details.get("cached_tokens") or 0),
        model=model,
        finish_reason=finish,
    )


def escalation_messages(messages: Sequence[Message]) -> list[dict[str, str]]:
    """Return ``messages`` in the uplink's shape: system/user/assistant with text content.

    Tool results become user turns ("Tool result: ..."); assistant turns that
    only called tools are dropped; consecutive turns of one role are merged.
    """
    out: list[dict[str, str]] = []
    for m in messages:
        role = str(m.get("role", "user"))
        content = m.get("content")
        if isinstance(content, list):
            content = "\n".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
        text = str(content or "")
        if role in ("tool", "function"):
            role, text = "user", f"Tool result:\n{text}"
        if role not in ("system", "user", "assistant") or not text:
            continue
        if out and out[-1]["role"] == role:
            out[-1]["content"] += "\n\n" + text
        else:
            out.append({"role": role, "content": text})
    return out


class UplinkChat:
    """:class:`CloudChat` over the encrypted uplink (the relay holds the provider keys).

    ``escalate(message_id, payload) -> reply`` is the uplink client's method;
    payloads are the uplink's JSON escalation request and reply. An
    ``outcome_unknown`` reply, like any uplink failure, raises UplinkError so
    the device keeps its local answer.
    """

    def __init__(self, escalate: Callable[[str, bytes], bytes], *, provider: str, model: str,
                 task: str = "chat", retry_after_s: float = 15.0) -> None:
        self._escalate = escalate
        self.provider = provider
        self.model = model
        self._task = task
        self._down_until = 0.0
        self._retry_after_s = retry_after_s

    def is_up(self) -> bool:
        """Return False for ``retry_after_s`` after a failed escalation."""
        return time.monotonic() >= self._down_until

    def complete(self, messages: Sequence[Message], *, max_tokens: int,
                 temperature: float | None = None) -> CloudReply:
        """Send one escalation through the uplink and return the relay's answer."""
        body = {"messages": escalation_messages(messages), "task": self._task,
                "max_tokens": max_tokens, "temperature": temperature or 0.0}
        try:
            raw = self._escalate(f"esc-{uuid.uuid4().hex}", json.dumps(body).encode())
        except UplinkError:
            self._down_until = time.monotonic() + self._retry_after_s
            raise
        try:
            reply = json.loads(raw)
            status = reply["status"]
        except (ValueError, KeyError, TypeError) as exc:
            raise UplinkError(f"malformed escalation reply: {exc}") from exc
        if status != "ok":
            raise UplinkError(f"escalation outcome {status}; keeping the local answer")
        return _reply(str(reply.get("content", "")), reply.get("usage") or {},
                      str(reply.get("model") or self.model), "stop")

    def stream(self, messages: Sequence[Message], *, max_tokens: int,
               temperature: float | None = None) -> Iterator[CloudDelta]:
        """Yield the whole answer as one delta (the uplink does not stream), then the usage."""
        reply = self.complete(messages, max_tokens=max_tokens, temperature=temperature)
        yield CloudDelta(text=reply.text)
        yield CloudDelta(usage=reply)
