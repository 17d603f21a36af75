"""The OpenAI-compatible gateway, called by the official ``openai`` client.

A real uvicorn server on loopback serves the gateway router behind the bearer
guard; the local path is the real Gemma 3 270M through llama.cpp (the
``slm_engine`` fixture); the cloud path is a real OpenAI-compatible server
process on loopback (``scripts/bench/cloud_standin.py``), which logs every
body it receives so the tests can check what left the device.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
import uvicorn
from fastapi import Depends, FastAPI
from prometheus_client import CollectorRegistry

from appliance.api.auth import bearer_guard
from appliance.api.gateway import create_gateway_router
from appliance.audit import AuditLog
from appliance.privacy.gate import EgressGate
from appliance.privacy.settings import PrivacyConfig
from appliance.routing.budget import BudgetAlert, BudgetLedger
from appliance.routing.chat_router import QueuedEscalation
from appliance.routing.cloud import CloudChat, OpenAICompatClient
from appliance.routing.cost import CostMeter
from appliance.routing.local_chat import SlmChat
from appliance.routing.settings import CloudEndpoint, RoutingConfig, TaskPolicy
from appliance.slm.engine import SlmEngine

REPO = Path(__file__).resolve().parents[2]
STANDIN = REPO / "scripts" / "bench" / "cloud_standin.py"
TOKEN = "test-gateway-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Standin:
    port: int
    log: Path
    proc: subprocess.Popen[bytes]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def requests(self) -> list[dict[str, Any]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def start_standin(tmp: Path) -> Standin:
    port = free_port()
    log = tmp / f"standin-{port}.jsonl"
    proc = subprocess.Popen([sys.executable, str(STANDIN), "--port", str(port), "--log", str(log)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = proc.stdout.read().decode() if proc.stdout else ""
            pytest.fail(f"cloud stand-in exited: {out}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=1).status_code == 200:
                return Standin(port, log, proc)
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    pytest.fail("cloud stand-in did not answer within 30 s")


@pytest.fixture(scope="module")
def standin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Standin]:
    s = start_standin(tmp_path_factory.mktemp("standin"))
    yield s
    s.stop()


@dataclass
class Gateway:
    port: int
    server: uvicorn.Server
    thread: threading.Thread
    budgets: BudgetLedger
    meter: CostMeter
    alerts: list[BudgetAlert] = field(default_factory=list)
    queued: list[QueuedEscalation] = field(default_factory=list)

    def client(self, session: str, **kw: Any) -> openai.OpenAI:
        return openai.OpenAI(base_url=f"http://127.0.0.1:{self.port}/v1", api_key=TOKEN,
                             default_headers={"X-Session-Id": session}, max_retries=0,
                             timeout=180, **kw)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def make_gateway(slm_engine: SlmEngine, tmp_path_factory: pytest.TempPathFactory
                 ) -> Iterator[Callable[..., Gateway]]:
    started: list[Gateway] = []

    def make(cloud_url: str | None, threshold: float = 0.0, cloud_chat: CloudChat | None = None,
             **budget: Any) -> Gateway:
        cfg = RoutingConfig(
            tasks={"chat": TaskPolicy(threshold=threshold, latency_class="batch")},
            cloud=CloudEndpoint(base_url=cloud_url, provider="openai", model="gpt-4.1",
                                timeout_s=20),
        )
        cfg.budgets = cfg.budgets.model_copy(update=budget)
        alerts: list[BudgetAlert] = []
        queued: list[QueuedEscalation] = []
        budgets = BudgetLedger(cfg.budgets, on_alert=alerts.append)
        meter = CostMeter(cfg.prices, cfg.counterfactual_model, registry=CollectorRegistry())
        cloud = cloud_chat or (OpenAICompatClient(cfg.cloud, api_key="unused") if cloud_url
                               else None)
        state = tmp_path_factory.mktemp("gate")
        gate = EgressGate(PrivacyConfig(), AuditLog(state / "audit.jsonl", b"k" * 32), state)
        router = create_gateway_router(
            cfg, local=SlmChat(slm_engine, context_tokens=1024), cloud=cloud, gate=gate,
            budgets=budgets, meter=meter, on_escalation=queued.append,
        )
        app = FastAPI()
        app.include_router(router, dependencies=[Depends(bearer_guard(TOKEN))])
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                               log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            if time.monotonic() > deadline:
                pytest.fail("gateway server did not start")
            time.sleep(0.05)
        gw = Gateway(port, server, thread, budgets, meter, alerts, queued)
        started.append(gw)
        return gw

    yield make
    for gw in started:
        gw.stop()


HELLO = [{"role": "system", "content": "You answer in one short sentence."},
         {"role": "user", "content": "Name one colour of a traffic light."}]


def test_local_completion_through_openai_client(make_gateway: Callable[..., Gateway]) -> None:
    gw = make_gateway(None)
    raw = gw.client("s-local").chat.completions.with_raw_response.create(
        model="appliance/local", messages=HELLO, max_tokens=12)
    completion = raw.parse()
    assert raw.headers["x-appliance-route"] in ("local", "local-degraded")
    assert raw.headers["x-session-id"] == "s-local"
    assert completion.choices[0].message.content
    assert completion.usage is not None and completion.usage.prompt_tokens > 10
    assert int(raw.headers["x-appliance-completion-tokens"]) == completion.usage.completion_tokens
    assert float(raw.headers["x-appliance-cost-usd"]) == 0.0
    assert float(raw.headers["x-appliance-avoided-usd"]) > 0.0
    assert 0.0 < float(raw.headers["x-appliance-confidence"]) <= 1.0


def test_local_streaming_through_openai_client(make_gateway: Callable[..., Gateway]) -> None:
    gw = make_gateway(None)
    with gw.client("s-stream").chat.completions.with_streaming_response.create(
            model="appliance/local", messages=HELLO, max_tokens=12, stream=True,
            stream_options={"include_usage": True}) as resp:
        assert resp.headers["x-appliance-route"] in ("local", "local-degraded")
        chunks = list(resp.parse())
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text.strip()
    usage = [c.usage for c in chunks if c.usage is not None]
    assert usage and usage[-1].completion_tokens > 0
    assert chunks[-2].choices[0].finish_reason in ("stop", "length")


def test_low_confidence_escalates_to_cloud_non_streaming(
        make_gateway: Callable[..., Gateway], standin: Standin) -> None:
    gw = make_gateway(standin.base_url, threshold=1.0)  # no local answer is ever confident enough
    before = len(standin.requests())
    raw = gw.client("s-cloud").chat.completions.with_raw_response.create(
        model="appliance/auto", messages=HELLO, max_tokens=12)
    completion = raw.parse()
    assert raw.headers["x-appliance-route"] == "cloud"
    assert "low_confidence" in raw.headers["x-appliance-reasons"]
    assert completion.choices[0].message.content.startswith("stand-in answer")
    assert float(raw.headers["x-appliance-cost-usd"]) > 0.0
    assert len(standin.requests()) == before + 1
    usage = httpx.get(f"http://127.0.0.1:{gw.port}/v1/usage",
                      headers={"Authorization": f"Bearer {TOKEN}"}).json()
    assert usage["cost"]["routes"]["cloud"]["requests"] == 1
    assert usage["budgets"]["sessions"]["s-cloud"]["used"] == (
        completion.usage.prompt_tokens + completion.usage.completion_tokens)


def test_cloud_streaming_proxies_the_provider_stream(
        make_gateway: Callable[..., Gateway], standin: Standin) -> None:
    gw = make_gateway(standin.base_url)
    with gw.client("s-cloud-stream").chat.completions.with_streaming_response.create(
            model="appliance/cloud", stream=True, max_tokens=20,
            stream_options={"include_usage": True},
            messages=[{"role": "user", "content": "Plan a root cause analysis for pump P4?"}],
    ) as resp:
        assert resp.headers["x-appliance-route"] == "cloud"
        assert "complex_input" in resp.headers["x-appliance-reasons"]
        chunks = list(resp.parse())
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "stand-in answer: Plan a root cause analysis for pump P4?"
    assert [c.usage for c in chunks if c.usage][-1].prompt_tokens > 0
    assert gw.meter.snapshot()["routes"]["cloud"]["requests"] == 1


def test_long_agent_context_is_compressed_before_it_leaves(
        make_gateway: Callable[..., Gateway], standin: Standin) -> None:
    gw = make_gateway(standin.base_url)
    lines = [f"10:{i // 60:02d}:{i % 60:02d} pump-4 pressure={5 + (i % 7) * 0.01:.2f} ok"
             for i in range(700)]
    lines[300] = "10:05:00 pump-4 ALARM seal failure, valve V-118 closed"
    log = "\n".join(lines)
    messages = [{"role": "system", "content": "You are the plant assistant."},
                {"role": "tool", "content": log, "tool_call_id": "t1"},
                {"role": "user", "content": "Which valve closed? Explain the alarm."}]
    raw = gw.client("s-long").chat.completions.with_raw_response.create(
        model="appliance/cloud", messages=messages, max_tokens=16)
    assert raw.headers["x-appliance-route"] == "cloud"
    assert float(raw.headers["x-appliance-compression"]) >= 4.0
    sent = json.dumps(standin.requests()[-1]["messages"])
    assert "V-118" in sent
    assert len(sent) * 4 < len(json.dumps(messages))


def test_budget_exhaustion_falls_back_to_local(
        make_gateway: Callable[..., Gateway], standin: Standin) -> None:
    # room for one request (its input plus max_tokens, counted on the device), not two
    gw = make_gateway(standin.base_url, threshold=1.0, session_tokens=70,
                      runaway_tokens_per_window=10**6)
    client = gw.client("s-budget")
    first = client.chat.completions.with_raw_response.create(
        model="appliance/auto", messages=HELLO, max_tokens=40)
    assert first.headers["x-appliance-route"] == "cloud"
    second = client.chat.completions.with_raw_response.create(
        model="appliance/auto", messages=HELLO, max_tokens=40)
    assert second.headers["x-appliance-route"] == "local-degraded"
    assert "budget_hard_limit" in second.headers["x-appliance-reasons"]
    assert second.parse().choices[0].message.content
    assert gw.budgets.snapshot()["sessions"]["s-budget"]["used"] <= 70, "never overrun"


def test_runaway_session_is_ended_with_a_clear_error(
        make_gateway: Callable[..., Gateway], standin: Standin) -> None:
    gw = make_gateway(standin.base_url, runaway_tokens_per_window=300, runaway_window_s=600)
    client = gw.client("s-loop")
    big = [{"role": "user", "content": "Compare these readings step by step: "
            + " ".join(f"r{i}={i}" for i in range(120))}]
    with pytest.raises(openai.RateLimitError) as err:
        for _ in range(5):
            client.chat.completions.create(model="appliance/cloud", messages=big, max_tokens=8)
    assert "was ended" in str(err.value) and "runaway" in str(err.value)
    with pytest.raises(openai.RateLimitError):
        client.chat.completions.create(model="appliance/local", messages=HELLO, max_tokens=4)
    assert any(a.level == "runaway" for a in gw.alerts)
    # other sessions are unaffected
    ok = gw.client("s-other").chat.completions.with_raw_response.create(
        model="appliance/local", messages=HELLO, max_tokens=4)
    assert ok.headers["x-appliance-route"] in ("local", "local-degraded")


def test_uplink_down_answers_locally_degraded_and_queues(
        make_gateway: Callable[..., Gateway], tmp_path: Path) -> None:
    own = start_standin(tmp_path)
    gw = make_gateway(own.base_url, threshold=1.0)
    own.stop()
    raw = gw.client("s-down").chat.completions.with_raw_response.create(
        model="appliance/auto", messages=HELLO, max_tokens=8)
    assert raw.headers["x-appliance-route"] == "local-degraded"
    assert "uplink_down" in raw.headers["x-appliance-reasons"]
    assert "escalation_queued" in raw.headers["x-appliance-reasons"]
    assert raw.parse().choices[0].message.content
    assert len(gw.queued) == 1 and gw.queued[0].session == "s-down"


def test_models_listing_and_auth(make_gateway: Callable[..., Gateway], standin: Standin) -> None:
    gw = make_gateway(standin.base_url)
    ids = {m.id for m in gw.client("s").models.list()}
    assert ids == {"appliance/auto", "appliance/local", "appliance/cloud"}
    bad = openai.OpenAI(base_url=f"http://127.0.0.1:{gw.port}/v1", api_key="wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        bad.models.list()


TICKET = ("Conveyor line1 stopped again, Anna Schmidt (badge B-12345) reset it. "
          "Call me on +49 151 1234 5678.")


def test_personal_data_is_redacted_before_it_leaves_and_restored_in_the_answer(
        make_gateway: Callable[..., Gateway], standin: Standin) -> None:
    gw = make_gateway(standin.base_url)
    raw = gw.client("s-pii").chat.completions.with_raw_response.create(
        model="appliance/cloud", messages=[{"role": "user", "content": TICKET}], max_tokens=16)
    assert raw.headers["x-appliance-route"] == "cloud"
    sent = json.dumps(standin.requests()[-1]["messages"])
    assert "Schmidt" not in sent and "1234 5678" not in sent and "<PERSON_1>" in sent
    # the stand-in echoes the start of the prompt; the device puts the name back
    assert "Anna Schmidt" in raw.parse().choices[0].message.content


def test_health_data_never_leaves_even_when_local_is_unsure(
        make_gateway: Callable[..., Gateway], standin: Standin) -> None:
    gw = make_gateway(standin.base_url, threshold=1.0)
    before = len(standin.requests())
    text = ("Operator Anna Schmidt, badge B-12345, fainted near press 4; she is diabetic and "
            "was taken to first aid. What should the shift lead log?")
    raw = gw.client("s-phi").chat.completions.with_raw_response.create(
        model="appliance/auto", messages=[{"role": "user", "content": text}], max_tokens=8)
    assert raw.headers["x-appliance-route"] == "local-degraded"
    assert "data_class_forbidden:HEALTH" in raw.headers["x-appliance-reasons"]
    assert len(standin.requests()) == before
