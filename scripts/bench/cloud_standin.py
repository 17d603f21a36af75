"""A stand-in for a frontier model: an OpenAI-compatible server on loopback.

No frontier model is reachable from here, so this server answers
``/v1/chat/completions`` (plain and SSE) from a labels file: when the prompt
contains a known case id (``[case <id>]``) it answers that case's label,
wrong on purpose with probability ``--error-rate`` (seeded), and "unknown" when
the case names a fact that must reach the cloud and the prompt lacks it; otherwise it
answers ``stand-in answer: <first words of the last user message>``. Usage is
reported with a simple count (words and punctuation), as a provider would
report its own. Every request body is appended to ``--log`` (JSONL) so tests
and benchmarks can check what left the device.

    python scripts/bench/cloud_standin.py --port 9100 --labels labels.json --error-rate 0.03
"""

from __future__ import annotations

import argparse
import json
import random
import re
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

CASE = re.compile(r"\[case ([A-Za-z0-9_.-]+)\]")
WORDS = re.compile(r"\w+|[^\w\s]")


def count(text: str) -> int:
    """Return the stand-in provider's token count of ``text``."""
    return len(WORDS.findall(text))


def text_of(messages: list[dict[str, Any]]) -> str:
    """Return all message contents joined."""
    out = []
    for m in messages:
        c = m.get("content")
        if isinstance(c, list):
            c = " ".join(str(p.get("text", "")) for p in c if isinstance(p, dict))
        out.append(str(c or ""))
    return "\n".join(out)


def build_app(labels: dict[str, str], choices: dict[str, list[str]], error_rate: float,
              seed: int, log_path: Path | None, requires: dict[str, str] | None = None) -> FastAPI:
    """Return the stand-in app answering from ``labels`` with ``error_rate`` wrong answers."""
    app = FastAPI()
    requires = requires or {}
    rng = random.Random(seed)
    lock = threading.Lock()

    def answer(messages: list[dict[str, Any]]) -> str:
        text = text_of(messages)
        found = CASE.search(text)
        if found and found.group(1) in labels:
            case = found.group(1)
            right = labels[case]
            if case in requires and requires[case] not in text:
                return "unknown: the context I received does not say"
            with lock:
                wrong = rng.random() < error_rate
                pool = [c for c in choices.get(case, []) if c != right]
                if wrong and pool:
                    return rng.choice(pool)
                if wrong:
                    return "unknown"
            return right
        last = next((str(m.get("content") or "") for m in reversed(messages)
                     if m.get("role") == "user"), "")
        return "stand-in answer: " + " ".join(last.split()[:8])

    @app.get("/v1/models")
    def models() -> dict[str, Any]:
        return {"object": "list", "data": [{"id": "standin", "object": "model", "created": 0,
                                            "owned_by": "bench"}]}

    @app.post("/v1/chat/completions", response_model=None)
    async def chat(request: Request) -> JSONResponse | StreamingResponse:
        body = await request.json()
        if log_path is not None:
            with lock, log_path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(body) + "\n")
        messages = body.get("messages") or []
        reply = answer(messages)
        usage = {"prompt_tokens": count(text_of(messages)), "completion_tokens": count(reply),
                 "prompt_tokens_details": {"cached_tokens": 0}}
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        model = body.get("model", "standin")
        cid = f"chatcmpl-{uuid.uuid4().hex}"
        if not body.get("stream"):
            return JSONResponse({
                "id": cid, "object": "chat.completion", "created": int(time.time()),
                "model": model, "usage": usage,
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": reply}}],
            })

        def sse() -> Iterator[str]:
            base = {"id": cid, "object": "chat.completion.chunk", "created": int(time.time()),
                    "model": model}
            pieces = reply.split(" ")
            for i, piece in enumerate(pieces):
                delta = {"content": piece if i == 0 else " " + piece}
                yield "data: " + json.dumps({**base, "choices": [
                    {"index": 0, "delta": delta, "finish_reason": None}]}) + "\n\n"
            yield "data: " + json.dumps({**base, "choices": [
                {"index": 0, "delta": {}, "finish_reason": "stop"}]}) + "\n\n"
            if (body.get("stream_options") or {}).get("include_usage"):
                yield "data: " + json.dumps({**base, "choices": [], "usage": usage}) + "\n\n"
            yield "data: [DONE]\n\n"

        return StreamingResponse(sse(), media_type="text/event-stream")

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--labels", type=Path, help="JSON {case_id: label} or "
                        "{case_id: {label, choices}}")
    parser.add_argument("--error-rate", type=float, default=0.03)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--log", type=Path)
    args = parser.parse_args()
    labels: dict[str, str] = {}
    choices: dict[str, list[str]] = {}
    requires: dict[str, str] = {}
    if args.labels:
        for case, value in json.loads(args.labels.read_text()).items():
            if isinstance(value, dict):
                labels[case] = value["label"]
                choices[case] = list(value.get("choices", []))
                if value.get("requires"):
                    requires[case] = value["requires"]
            else:
                labels[case] = value
    app = build_app(labels, choices, args.error_rate, args.seed, args.log, requires)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
