"""Calls OpenAI-compatible chat-completions providers, falling back to the next on failure."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from appliance.cloud.settings import ProviderConfig
from appliance.errors import ApplianceError
from appliance.uplink.messages import EscalationRequest, Usage

log = logging.getLogger(__name__)


class ProvidersFailedError(ApplianceError):
    """Every configured provider failed; ``attempts`` lists ``(provider, reason)``."""

    def __init__(self, attempts: list[tuple[str, str]]) -> None:
        self.attempts = attempts
        super().__init__("all providers failed: " + "; ".join(f"{p}: {r}" for p, r in attempts))


@dataclass(frozen=True)
class Completion:
    """A provider's answer."""

    provider: str
    model: str
    content: str
    usage: Usage
    latency_s: float


class ProviderChain:
    """Tries providers in order; a connection error, timeout, 429 or 5xx moves to the next."""

    def __init__(self, providers: list[ProviderConfig],
                 on_attempt: Callable[[str, str, float], None] | None = None) -> None:
        self.providers = providers
        self._keys = {p.name: p.key() for p in providers}
        self._http = httpx.AsyncClient(trust_env=False)
        self._on_attempt = on_attempt

    async def complete(self, request: EscalationRequest, idempotency_key: str) -> Completion:
        """Return the first successful completion; raise :class:`ProvidersFailedError`."""
        attempts: list[tuple[str, str]] = []
        for provider in self.providers:
            started = time.perf_counter()
            try:
                result = await self._call(provider, request, idempotency_key)
            except _AttemptError as exc:
                attempts.append((provider.name, exc.reason))
                log.warning("provider %s failed (%s), trying the next", provider.name, exc.reason)
                if self._on_attempt is not None:
                    self._on_attempt(provider.name, exc.reason, time.perf_counter() - started)
                continue
            if self._on_attempt is not None:
                self._on_attempt(provider.name, "ok", time.perf_counter() - started)
            return result
        raise ProvidersFailedError(attempts)

    async def _call(self, provider: ProviderConfig, request: EscalationRequest,
                    idempotency_key: str) -> Completion:
        headers = {"Idempotency-Key": idempotency_key}
        key = self._keys.get(provider.name)
        if key is not None:
            headers["Authorization"] = f"Bearer {key.get_secret_value()}"
        body = {"model": provider.model, "max_tokens": request.max_tokens,
                "temperature": request.temperature,
                "messages": [m.model_dump() for m in request.messages]}
        started = time.perf_counter()
        try:
            resp = await self._http.post(provider.base_url.rstrip("/") + "/chat/completions",
                                         json=body, headers=headers, timeout=provider.timeout_s)
        except httpx.TimeoutException as exc:
            raise _AttemptError("timeout") from exc
        except httpx.HTTPError as exc:
            raise _AttemptError(f"unreachable ({type(exc).__name__})") from exc
        if resp.status_code != 200:
            raise _AttemptError(f"http {resp.status_code}")
        try:
            doc = resp.json()
            content = str(doc["choices"][0]["message"]["content"])
            usage = Usage.model_validate(doc.get("usage") or {})
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise _AttemptError("malformed response") from exc
        return Completion(provider.name, str(doc.get("model", provider.model)), content, usage,
                          time.perf_counter() - started)

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()


class _AttemptError(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)
