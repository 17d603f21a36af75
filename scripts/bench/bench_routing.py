"""Routing benchmark: one labelled mixed workload replayed cloud-only, local-only and routed.

    .venv/bin/python scripts/bench/bench_routing.py [--error-rate 0.03] [--model openai/gpt-4.1]

The workload (scripts/bench/routing_workload.py, seeded) mixes sensor triage,
tickets with personal data and long agent-style contexts. The local side is
real: Gemma 3 270M through llama.cpp (pooled embeddings for the learned heads,
generation for the long contexts), the real privacy egress gate, and the
routing code (LabelCascade, ChatRouter). The cloud side is NOT a frontier
model: it is scripts/bench/cloud_standin.py on loopback, answering from the
workload's labels with a stated error rate. Cloud calls are priced with the
config's price table for the named model, on the token counts the stand-in
reports. Also prints the learning curve of the ticket head.
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from prometheus_client import CollectorRegistry

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).parent))

from routing_workload import SENSOR_LABELS, TICKET_LABELS, Item, build  # noqa: E402

from appliance.audit import AuditLog  # noqa: E402
from appliance.privacy.gate import EgressGate  # noqa: E402
from appliance.privacy.settings import PrivacyConfig  # noqa: E402
from appliance.routing.budget import BudgetLedger  # noqa: E402
from appliance.routing.chat_router import ChatRequest, ChatRouter  # noqa: E402
from appliance.routing.cloud import OpenAICompatClient  # noqa: E402
from appliance.routing.context import count_messages, prepare_context  # noqa: E402
from appliance.routing.cost import CostMeter  # noqa: E402
from appliance.routing.label_cascade import LabelCascade, match_label  # noqa: E402
from appliance.routing.learn import HeadStore  # noqa: E402
from appliance.routing.local_chat import SlmChat  # noqa: E402
from appliance.routing.settings import BudgetConfig, CloudEndpoint, RoutingConfig  # noqa: E402
from appliance.schema import Route  # noqa: E402
from appliance.slm.engine import SlmEngine  # noqa: E402
from appliance.slm.loader import verified_model_path  # noqa: E402
from appliance.slm.settings import SlmConfig  # noqa: E402

LABELS = {"severity": list(SENSOR_LABELS), "ticket_category": list(TICKET_LABELS)}


def say(msg: str) -> None:
    print(msg, flush=True)


def start_standin(tmp: Path, items: list[Item], error_rate: float, seed: int) -> tuple[Any, str]:
    labels = {i.case: {"label": i.label, "choices": LABELS.get(i.task, []),
                       "requires": i.requires} for i in items}
    path = tmp / "labels.json"
    path.write_text(json.dumps(labels))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, str(Path(__file__).parent / "cloud_standin.py"),
                             "--port", str(port), "--labels", str(path), "--error-rate",
                             str(error_rate), "--seed", str(seed)])
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=1).status_code == 200:
                return proc, f"http://127.0.0.1:{port}/v1"
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("cloud stand-in did not start")


class Run:
    """Totals for one replay mode."""

    def __init__(self, name: str, cfg: RoutingConfig) -> None:
        self.name = name
        self.meter = CostMeter(cfg.prices, cfg.counterfactual_model, registry=CollectorRegistry())
        self.right: dict[str, list[bool]] = {"sensor": [], "ticket": [], "long": []}
        self.local = 0
        self.total = 0
        self.tokens_sent = 0
        self.reductions: list[float] = []
        self.reasons: Counter[str] = Counter()
        self.facts_lost = 0

    def add(self, item: Item, answer: str, local: bool, tokens_sent: int) -> None:
        if answer.startswith("unknown: the context"):
            self.facts_lost += 1
        ok = (item.label in answer) if item.part == "long" else (answer == item.label)
        self.right[item.part].append(ok)
        self.local += int(local)
        self.total += 1
        self.tokens_sent += tokens_sent

    def accuracy(self, part: str | None = None) -> float:
        vals = [v for k, vs in self.right.items() if part in (None, k) for v in vs]
        return sum(vals) / len(vals) if vals else 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description="routing benchmark")
    ap.add_argument("--error-rate", type=float, default=0.03)
    ap.add_argument("--model", default="openai/gpt-4.1", help="price-table key of the cloud model")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--sensors", type=int, default=240)
    ap.add_argument("--tickets", type=int, default=240)
    ap.add_argument("--longs", type=int, default=16)
    ap.add_argument("--sensor-train", type=int, default=300)
    ap.add_argument("--ticket-pool", type=int, default=1000)
    ap.add_argument("--state-dir", type=Path, default=REPO / "var" / "bench-routing")
    args = ap.parse_args()
    provider, model = args.model.split("/", 1)
    cfg = RoutingConfig(counterfactual_model=args.model,
                        cloud=CloudEndpoint(provider=provider, model=model),
                        budgets=BudgetConfig(session_tokens=10**9, device_day_tokens=10**10,
                                             runaway_tokens_per_window=10**9))
    price = cfg.prices[args.model]
    work = build(args.seed, args.sensors, args.tickets, args.longs, args.sensor_train,
                 args.ticket_pool)
    test = work["test"]
    say("# routing benchmark")
    say(f"# CLOUD IS A STAND-IN: an OpenAI-compatible server on loopback that answers from the "
        f"workload's labels, wrong on purpose {args.error_rate:.0%} of the time (seeded), and "
        "'unknown' when a long context's planted fact did not reach it. No frontier model ran.")
    say(f"# priced as {args.model}: input ${price.input}/M, cached ${price.cached_input}/M, "
        f"output ${price.output}/M, on the token counts the stand-in reports")
    say("# routing config: " + "; ".join(
        f"{name} threshold from its head's calibration, deadline {cfg.deadline_s(name):g} s"
        for name in ("severity", "ticket_category")) + f"; cloud latency assumed "
        f"{cfg.cloud.expected_latency_s} s; long contexts over "
        f"{cfg.task('chat').max_local_input_tokens} tokens skip the local model")
    say(f"# workload seed {args.seed}: {args.sensors} sensor triage, {args.tickets} tickets with "
        f"personal data, {args.longs} long agent contexts; training pools: {args.sensor_train} "
        f"sensor, {args.ticket_pool} ticket examples (other seeds)")
    args.state_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="bench-routing-"))
    proc, base_url = start_standin(tmp, test, args.error_rate, args.seed)
    slm_cfg = SlmConfig(manifest=REPO / "models" / "manifest.toml",
                        trusted_keys=[REPO / "models" / "keys" / "dev-signing-key.pub.pem"],
                        n_ctx=2048, queue_size=16, deadline_ms=120_000)
    engine = SlmEngine(slm_cfg, verified_model_path(slm_cfg, args.state_dir),
                       model_name=slm_cfg.model)
    try:
        with engine:
            run_all(args, cfg, work, test, engine, base_url, tmp)
    finally:
        proc.terminate()
        shutil.rmtree(tmp, ignore_errors=True)


def train_head(store: HeadStore, items: list[Item], embed: Callable[..., Any]) -> float | None:
    t = time.monotonic()
    store.add_examples([(i.text, i.label) for i in items])
    version, cal = store.retrain(embed)
    meta = store.meta(version)
    say(f"  head {store.task}: {meta['examples']} examples, held-back accuracy "
        f"{meta['holdout_accuracy']:.3f}, calibrated threshold {cal.threshold} "
        f"({time.monotonic() - t:.0f} s)")
    return cal.threshold


def fresh_store(root: Path, task: str, cfg: RoutingConfig, cache_from: Path | None) -> HeadStore:
    shutil.rmtree(root / task, ignore_errors=True)
    store = HeadStore(root, task, cfg.learn)
    if cache_from is not None and (cache_from / "embeddings.npz").exists():
        shutil.copy(cache_from / "embeddings.npz", store.dir / "embeddings.npz")
    return store


def run_all(args: argparse.Namespace, cfg: RoutingConfig, work: dict[str, list[Item]],
            test: list[Item], engine: SlmEngine, base_url: str, tmp: Path) -> None:
    started = time.monotonic()
    cache_dir = args.state_dir / "embedding-cache"
    cache = HeadStore(cache_dir, "all", cfg.learn)
    texts = [i.text for i in work["sensor_train"] + work["ticket_train"] + test
             if i.part != "long"]
    t = time.monotonic()
    cache.embed(texts, engine.embed, progress=lambda _s, done, of: say(
        f"  embedding {done}/{of}") if done % 320 == 0 or done == of else None)
    say(f"# embedded {len(texts)} texts with Gemma 3 270M (cached in {cache_dir}) "
        f"in {time.monotonic() - t:.0f} s")
    heads = tmp / "heads"
    sensor = fresh_store(heads, "severity", cfg, cache.dir)
    ticket = fresh_store(heads, "ticket_category", cfg, cache.dir)
    thresholds = {"severity": train_head(sensor, work["sensor_train"], engine.embed),
                  "ticket_category": train_head(ticket, work["ticket_train"], engine.embed)}
    stores = {"severity": sensor, "ticket_category": ticket}

    vec_of = dict(zip(texts, cache.embed(texts, engine.embed), strict=True))

    def head_label(task: str, text: str) -> tuple[str, float] | None:
        if text.startswith("[case "):  # the stand-in's lookup tag is not the device's input
            text = text.split("] ", 1)[1]
        vec = vec_of[text] if text in vec_of else engine.embed([text])[0]
        return stores[task].classify(vec)

    state = tmp / "gate"
    gate = EgressGate(PrivacyConfig(), AuditLog(state / "audit.jsonl", b"k" * 32), state)
    cloud = OpenAICompatClient(cfg.cloud.model_copy(update={"base_url": base_url}),
                               api_key="unused")
    local_chat = SlmChat(engine, context_tokens=2048)
    runs = [cloud_only(cfg, test, gate, cloud, engine),
            local_only(cfg, test, head_label, local_chat),
            routed(cfg, test, gate, cloud, engine, head_label, thresholds, local_chat)]
    report(runs, cfg, test, engine)
    learning_curve(cfg, work, test, cache, heads, gate, cloud, engine)
    say(f"# total bench time {time.monotonic() - started:.0f} s")


def cloud_only(cfg: RoutingConfig, test: list[Item], gate: EgressGate, cloud: OpenAICompatClient,
               engine: SlmEngine) -> Run:
    run = Run("cloud-only", cfg)
    lc = LabelCascade(cfg, labels=LABELS, local=lambda *_: None, cloud=cloud, gate=gate,
                      budgets=BudgetLedger(cfg.budgets), meter=run.meter,
                      count_tokens=engine.count_tokens)
    key = f"{cloud.provider}/{cloud.model}"
    for item in test:
        if item.part == "long":
            msgs = item.messages  # cloud-only sends the whole context, redacted
        else:
            msgs = lc.prompt(item.task, f"[case {item.case}] {item.text}")
        sent = gate.redact(msgs, destination="cloud", session_id="r-cloudonly")
        reply = cloud.complete(sent, max_tokens=16, temperature=0.0)
        answer = reply.text if item.part == "long" else match_label(reply.text, LABELS[item.task])
        run.meter.record(Route.CLOUD, key, reply.prompt_tokens, reply.completion_tokens)
        run.add(item, answer, False, reply.prompt_tokens)
    gate.end_session("r-cloudonly")
    return run


def local_only(cfg: RoutingConfig, test: list[Item],
               head_label: Callable[[str, str], tuple[str, float] | None],
               local_chat: SlmChat) -> Run:
    run = Run("local-only", cfg)
    room = local_chat.context_tokens - 32
    for item in test:
        if item.part == "long":
            ctx = prepare_context(item.messages, local_chat.count_tokens, cfg.context,
                                  budget_tokens=min(room, cfg.context.budget_tokens))
            answer = local_chat.complete(ctx.messages, max_tokens=16).text
        else:
            got = head_label(item.task, item.text)
            answer = got[0] if got else ""
        run.meter.record(Route.LOCAL, cfg.local_model, 0, 0)
        run.add(item, answer, True, 0)
    return run


def routed(cfg: RoutingConfig, test: list[Item], gate: EgressGate, cloud: OpenAICompatClient,
           engine: SlmEngine, head_label: Callable[[str, str], tuple[str, float] | None],
           thresholds: dict[str, float | None], local_chat: SlmChat) -> Run:
    run = Run("routed", cfg)
    budgets = BudgetLedger(cfg.budgets)
    lc = LabelCascade(cfg, labels=LABELS, local=head_label, cloud=cloud, gate=gate,
                      budgets=budgets, meter=run.meter, count_tokens=engine.count_tokens,
                      thresholds={k: v for k, v in thresholds.items() if v is not None})
    chat = ChatRouter(cfg, local=local_chat, cloud=cloud, gate=gate, budgets=budgets,
                      meter=run.meter)
    for item in test:
        if item.part == "long":
            out = chat.complete(ChatRequest(messages=item.messages, session="agent",
                                            task="chat", max_tokens=16))
            run.reductions.append(out.compression_ratio)
            run.reasons.update(f"{out.route.value}:{r}" for r in out.reasons)
            run.add(item, out.text, out.route is not Route.CLOUD,
                    out.prompt_tokens if out.route is Route.CLOUD else 0)
            continue
        # the case tag lets the stand-in find the label; the cache key leaves it out
        res = lc.classify(item.task, f"[case {item.case}] {item.text}", cache_text=item.text)
        run.add(item, res.label, res.route is not Route.CLOUD, res.prompt_tokens)
        run.reasons.update(f"{item.part} {res.route.value}:{r.split(':')[0]}"
                           for r in res.reasons)
    return run


def report(runs: list[Run], cfg: RoutingConfig, test: list[Item], engine: SlmEngine) -> None:
    say("")
    say(f"{'mode':<11} {'cost_usd':>9} {'local_share':>11} {'tokens_sent':>11} "
        f"{'accuracy':>8} {'sensor':>7} {'ticket':>7} {'long':>6}")
    for r in runs:
        snap = r.meter.snapshot()
        say(f"{r.name:<11} {snap['cost_usd']:>9.4f} {r.local / r.total:>11.3f} "
            f"{r.tokens_sent:>11d} {r.accuracy():>8.3f} {r.accuracy('sensor'):>7.3f} "
            f"{r.accuracy('ticket'):>7.3f} {r.accuracy('long'):>6.3f}")
    cloud, routed_run = runs[0], runs[2]
    c_cost = cloud.meter.snapshot()["cost_usd"]
    r_cost = routed_run.meter.snapshot()["cost_usd"]
    assert isinstance(c_cost, float) and isinstance(r_cost, float)
    say(f"routed cost / cloud-only cost = {r_cost / c_cost:.3f} (goal <= 0.20); "
        f"routed accuracy / cloud-only accuracy = "
        f"{routed_run.accuracy() / cloud.accuracy():.3f} (goal >= 0.95)")
    reductions = routed_run.reductions
    longs = [i for i in test if i.part == "long"]
    before = [count_messages(i.messages, engine.count_tokens) for i in longs]
    if reductions:
        say(f"long-context part: median context reduction {statistics.median(reductions):.1f}x "
            f"(min {min(reductions):.1f}x, max {max(reductions):.1f}x) on {len(reductions)} "
            f"contexts of median {statistics.median(before):.0f} Gemma tokens (goal >= 4x); "
            f"answers where the planted fact did not reach the cloud: {routed_run.facts_lost} "
            f"(other long-context misses are the stand-in's deliberate errors)")
    say("routed decisions by part, route and reason: " + ", ".join(
        f"{k} {v}" for k, v in sorted(routed_run.reasons.items())))
    snap = routed_run.meter.snapshot()
    say(f"routed money avoided vs cloud-only counterfactual (meter): ${snap['avoided_usd']:.4f}")


def learning_curve(cfg: RoutingConfig, work: dict[str, list[Item]], test: list[Item],
                   cache: HeadStore, heads: Path, gate: EgressGate, cloud: OpenAICompatClient,
                   engine: SlmEngine) -> None:
    tickets = [i for i in test if i.part == "ticket"]
    vecs = cache.embed([i.text for i in tickets], engine.embed)
    key = f"{cloud.provider}/{cloud.model}"
    lc = LabelCascade(cfg, labels=LABELS, local=lambda *_: None, cloud=cloud, gate=gate,
                      budgets=BudgetLedger(cfg.budgets),
                      meter=CostMeter(cfg.prices, key, registry=CollectorRegistry()),
                      count_tokens=engine.count_tokens)
    cloud_answer: dict[str, str] = {}

    def escalate(item: Item) -> str:
        if item.case not in cloud_answer:
            sent = gate.redact(lc.prompt(item.task, f"[case {item.case}] {item.text}"),
                               destination="cloud", session_id="r-curve")
            reply = cloud.complete(sent, max_tokens=16, temperature=0.0)
            cloud_answer[item.case] = match_label(reply.text, LABELS[item.task])
        return cloud_answer[item.case]

    say("")
    say(f"learning curve, ticket task ({len(tickets)} held-back tickets; threshold calibrated on "
        f"each head's own held-back 20% for target accuracy {cfg.learn.target_accuracy} with "
        f"cloud answers assumed {cfg.learn.cloud_accuracy} accurate; escalations answered by "
        "the stand-in):")
    say(f"{'examples':>8} {'threshold':>9} {'local_share':>11} {'accuracy':>8} "
        f"{'local_acc':>9} {'head_acc':>8}")
    for n in (0, 100, 300, 1000):
        if n == 0:
            answers = [escalate(i) for i in tickets]
            acc = np.mean([a == i.label for a, i in zip(answers, tickets, strict=True)])
            say(f"{n:>8} {'-':>9} {0.0:>11.3f} {acc:>8.3f} {'-':>9} {'-':>8}")
            continue
        store = fresh_store(heads / f"curve-{n}", "ticket_category", cfg, cache.dir)
        store.add_examples([(i.text, i.label) for i in work["ticket_train"][:n]])
        _, cal = store.retrain(engine.embed)
        head = store.head()
        assert head is not None
        preds = head.predict(vecs)
        thr = cal.threshold if cal.threshold is not None else 1.01
        local = [p[1] >= thr for p in preds]
        answers = [p[0] if keep else escalate(i)
                   for p, keep, i in zip(preds, local, tickets, strict=True)]
        acc = np.mean([a == i.label for a, i in zip(answers, tickets, strict=True)])
        head_acc = np.mean([p[0] == i.label for p, i in zip(preds, tickets, strict=True)])
        kept = [p[0] == i.label for p, keep, i in zip(preds, local, tickets, strict=True) if keep]
        local_acc = f"{np.mean(kept):.3f}" if kept else "-"
        say(f"{n:>8} {thr:>9.4f} {np.mean(local):>11.3f} {acc:>8.3f} {local_acc:>9} "
            f"{head_acc:>8.3f}")
    gate.end_session("r-curve")


if __name__ == "__main__":
    main()
