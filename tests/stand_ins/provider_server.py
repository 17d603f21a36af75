"""An OpenAI-compatible chat-completions server for tests: a real HTTP server process.

    python tests/stand_ins/provider_server.py --port 8099 --log requests.jsonl \
        [--api-key KEY] [--mode ok|fail|hang] [--delay 0.05] [--name primary] [--idempotent]

``POST /v1/chat/completions`` answers in the OpenAI wire format with usage
counts (whitespace tokens). Every request is appended to ``--log`` (JSON lines,
fsynced before the answer) with its ``Idempotency-Key``, so a test can count
what the provider saw even after killing it. ``POST /control`` changes the
mode (``ok``, ``fail`` = HTTP 500, ``hang`` = never answers) and the delay.
``GET /v1/models`` lists the one model. With ``--idempotent`` a repeated
``Idempotency-Key`` gets the first answer again (logged with ``"repeat": true``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
import uuid
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse


def create_app(name: str, log_path: str, api_key: str | None, mode: str,
               delay: float, idempotent: bool = False) -> FastAPI:
    app = FastAPI()
    state: dict[str, Any] = {"mode": mode, "delay": delay}
    seen: set[str] = set()
    answered: dict[str, dict[str, Any]] = {}
    log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    def record(entry: dict[str, Any]) -> None:
        os.write(log_fd, (json.dumps(entry) + "\n").encode())
        os.fsync(log_fd)

    @app.post("/control")
    async def control(request: Request) -> dict[str, Any]:
        doc = await request.json()
        state.update({k: doc[k] for k in ("mode", "delay") if k in doc})
        return dict(state)

    @app.get("/v1/models")
    async def models() -> dict[str, Any]:
        return {"object": "list", "data": [{"id": "stand-in", "object": "model"}]}

    @app.post("/v1/chat/completions")
    async def completions(request: Request) -> JSONResponse:
        if api_key is not None and request.headers.get("authorization") != f"Bearer {api_key}":
            return JSONResponse({"error": {"message": "invalid api key"}}, status_code=401)
        body = await request.json()
        messages = body.get("messages") or []
        if not messages:
            return JSONResponse({"error": {"message": "messages required"}}, status_code=400)
        key = request.headers.get("idempotency-key", "")
        record({"provider": name, "key": key, "mode": state["mode"], "t": time.time(),
                "repeat": key in seen})
        seen.add(key)
        if idempotent and key in answered:
            return JSONResponse(answered[key])
        if state["mode"] == "hang":
            await asyncio.sleep(3600)
        if state["delay"]:
            await asyncio.sleep(float(state["delay"]))
        if state["mode"] == "fail":
            return JSONResponse({"error": {"message": "stand-in told to fail"}}, status_code=500)
        prompt = " ".join(str(m.get("content", "")) for m in messages)
        answer = f"[{name}] severity=high action=inspect ({len(prompt.split())} words seen)"
        p_tokens, c_tokens = len(prompt.split()), len(answer.split())
        doc = {
            "id": f"chatcmpl-{uuid.uuid4().hex[:12]}", "object": "chat.completion",
            "created": int(time.time()), "model": body.get("model", "stand-in"),
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": answer}}],
            "usage": {"prompt_tokens": p_tokens, "completion_tokens": c_tokens,
                      "total_tokens": p_tokens + c_tokens},
        }
        if idempotent and key:
            answered[key] = doc
        return JSONResponse(doc)

    return app


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--name", default="stand-in")
    ap.add_argument("--api-key", default=os.environ.get("STAND_IN_PROVIDER_KEY"))
    ap.add_argument("--mode", default="ok", choices=["ok", "fail", "hang"])
    ap.add_argument("--delay", type=float, default=0.0)
    ap.add_argument("--idempotent", action="store_true",
                    help="answer a repeated Idempotency-Key with the first answer")
    args = ap.parse_args()
    app = create_app(args.name, args.log, args.api_key, args.mode, args.delay, args.idempotent)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
