#!/usr/bin/env python3
"""SLM benchmark: triage latency with and without prefix reuse, decode speed, memory, calibration.

Everything is measured side by side in one run on the real model:

* triage latency p50/p95 per event with prefix reuse vs full evaluation (the
  same events, interleaved so load on the machine hits both equally);
* decode tokens/s through the appliance's generation path vs raw
  ``llama_cpp.Llama.generate`` on the same prompt, and the implied memory
  bandwidth (tokens/s x model bytes: every decoded token reads the weights once);
* process RSS with the model loaded, and load-to-ready time of the engine;
* calibration: ECE of triage confidence on held-out labelled events before and
  after the map fitted on the other half.

Usage: scripts/bench/bench_slm.py [--events 40] [--event-tokens 60] [--decode-tokens 64]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from appliance.modelstore import ModelStore  # noqa: E402
from appliance.simulator import Factory  # noqa: E402
from appliance.slm import calibration  # noqa: E402
from appliance.slm.engine import SlmEngine  # noqa: E402
from appliance.slm.runtime import LlamaRuntime  # noqa: E402
from appliance.slm.settings import SlmConfig  # noqa: E402

MANIFEST = REPO / "models" / "manifest.toml"
DEV_KEY = REPO / "models" / "keys" / "dev-signing-key.pub.pem"

# Hand-labelled triage events for the calibration figure (text, severity).
LABELLED = [
    ("sensor pump-1 pressure=5.0 reading normal", "low"),
    ("sensor oven-3 temperature=60 reading normal", "low"),
    ("operator: the break room fridge is humming", "low"),
    ("sensor motor-12 current=12.1 reading normal", "low"),
    ("operator: please restock gloves at station 4", "low"),
    ("sensor motor-21 temperature=58.3 reading normal", "low"),
    ("operator: parking lot light is out", "low"),
    ("sensor fan-2 vibration=2.4 reading normal", "low"),
    ("sensor fan-1 vibration=6.9 reading slightly unusual", "medium"),
    ("operator: conveyor 4 hesitates now and then", "medium"),
    ("sensor motor-14 current=17.5 reading slightly unusual", "medium"),
    ("operator: label printer jam on line1, third time this shift", "medium"),
    ("sensor oven-1 temperature=72 reading slightly unusual", "medium"),
    ("operator: torque wrench needs recalibration before next batch", "medium"),
    ("operator: vision station rejecting good parts since lens cleaning", "medium"),
    ("sensor motor-3 current=21 reading clearly abnormal", "high"),
    ("operator: hydraulic hose on press-2 is dripping oil", "high"),
    ("sensor motor-22 vibration=9.8 reading clearly abnormal", "high"),
    ("operator: burning smell near press 7 on line2", "high"),
    ("sensor pump-4 pressure=9.1 reading clearly abnormal", "high"),
    ("operator: safety guard on station 12 is loose", "high"),
    ("operator: gearbox on conveyor 3 grinding loudly", "high"),
    ("operator: fire in the paint booth, evacuating", "critical"),
    ("sensor boiler-1 pressure=12 reading extremely abnormal", "critical"),
    ("operator: worker unconscious next to the mixer", "critical"),
    ("sensor motor-11 temperature=104 reading extremely abnormal", "critical"),
    ("operator: forklift hit a person at dock 2", "critical"),
    ("operator: gas smell in hall B, alarm sounding", "critical"),
    ("sensor motor-13 vibration=14.2 reading extremely abnormal", "critical"),
    ("operator: electrical fire in control cabinet of press-4", "critical"),
]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


def make_events(engine: SlmEngine, count: int, target_tokens: int, seed: int) -> list[str]:
    """Simulator-made operator/sensor events, each cut or grown to about target_tokens."""
    factory = Factory(seed=seed)
    readings = list(factory.readings(count))
    events = []
    for i in range(count):
        r = readings[i]
        values = " ".join(f"{k}={v:g}" for k, v in sorted(r.readings.items()))
        text = f"sensor {r.sensor} {values}; operator note: {factory.ticket_text()}"
        while engine.count_tokens(text) < target_tokens:
            text += " " + factory.ticket_text()
        words = text.split()
        while engine.count_tokens(" ".join(words)) > target_tokens:
            words.pop()
        events.append(" ".join(words))
    return events


def bench_triage(engine: SlmEngine, events: list[str], repeats: int) -> None:
    reuse_ms: list[float] = []
    full_ms: list[float] = []
    tokens: list[int] = []
    same = 0
    for text in events:
        # Interleaved, so both modes see the same machine load; each event's
        # figure is its fastest of `repeats` runs (filters other processes' bursts).
        runs_a, runs_b = [], []
        for _ in range(repeats):
            a = engine.classify("triage", text, deadline_s=600)
            b = engine.classify("triage", text, deadline_s=600, reuse_prefix=False)
            runs_a.append(a.latency_ms)
            runs_b.append(b.latency_ms)
        reuse_ms.append(min(runs_a))
        full_ms.append(min(runs_b))
        tokens.append(a.tokens)
        same += a.label == b.label
    prefix = engine.prefix_tokens("triage")
    p50r, p95r = pct(reuse_ms, 0.5), pct(reuse_ms, 0.95)
    p50f, p95f = pct(full_ms, 0.5), pct(full_ms, 0.95)
    print(f"triage events: {len(events)}, event tokens mean {statistics.mean(tokens):.1f}, "
          f"task prefix {prefix} tokens, per-event best of {repeats} runs")
    print(f"triage latency with prefix reuse:    p50 {p50r:7.1f} ms  p95 {p95r:7.1f} ms")
    print(f"triage latency without prefix reuse: p50 {p50f:7.1f} ms  p95 {p95f:7.1f} ms")
    print(f"prefix reuse speed-up: p50 {p50f / p50r:.2f}x  p95 {p95f / p95r:.2f}x  "
          f"(same label in {same}/{len(events)})")


def bench_decode(engine: SlmEngine, model_bytes: int, n_tokens: int, rounds: int) -> None:
    prompt = ("Write a short maintenance note about the hydraulic press on line 2, "
              "covering the oil leak, the seal, and the next inspection.\n")

    def appliance_path(rt: LlamaRuntime) -> tuple[float, list[float]]:
        rt.eval_after_prefix(None, rt.tokenize(prompt, add_bos=True), [])
        gen = rt.generate([], None, n_tokens)
        return gen.decode_tokens_per_s, gen.step_s

    def raw_path(rt: LlamaRuntime) -> tuple[float, list[float]]:
        llm = rt.llm  # the bare llama_cpp.Llama, same weights and threads
        llm.reset()
        toks = llm.tokenize(prompt.encode(), add_bos=True)
        n = 0
        steps: list[float] = []
        first = last = time.perf_counter()
        for tok in llm.generate(toks, temp=0.0, repeat_penalty=1.0):
            n += 1
            now = time.perf_counter()
            if n == 1:
                first = now
            else:
                steps.append(now - last)
            last = now
            if tok == llm.token_eos() or n > n_tokens:
                break
        return (n - 1) / (time.perf_counter() - first), steps

    app_tps, raw_tps = [], []
    app_steps: list[float] = []
    raw_steps: list[float] = []
    # Alternate the two paths so both see the same machine load. Per-token step
    # times are pooled and their median taken: robust to other processes' bursts.
    for _ in range(rounds):
        tps, steps = engine.run_raw(appliance_path)
        app_tps.append(tps)
        app_steps += steps
        tps, steps = engine.run_raw(raw_path)
        raw_tps.append(tps)
        raw_steps += steps
    a, r = 1.0 / statistics.median(app_steps), 1.0 / statistics.median(raw_steps)
    print(f"decode via appliance: {a:6.1f} tokens/s (median step; best run {max(app_tps):.1f})   "
          f"raw llama_cpp: {r:6.1f} tokens/s (median step; best run {max(raw_tps):.1f})")
    print(f"appliance / raw decode speed: {a / r * 100:.1f}%  ({rounds} alternating rounds, "
          f"{len(app_steps)} + {len(raw_steps)} decode steps)")
    print(f"implied memory bandwidth: appliance {a * model_bytes / 1e9:.2f} GB/s, "
          f"raw {r * model_bytes / 1e9:.2f} GB/s (model {model_bytes / 1e6:.1f} MB)")


def bench_calibration(engine: SlmEngine, seed: int) -> None:
    labels = engine.task("triage").labels
    rows = LABELLED[:]
    random.Random(seed).shuffle(rows)
    half = len(rows) // 2
    fit_rows, held = rows[:half], rows[half:]

    def score(part: list[tuple[str, str]]) -> tuple[list[list[float]], list[int]]:
        probs, truth = [], []
        for text, lab in part:
            res = engine.classify("triage", text, deadline_s=600)
            probs.append([res.raw_probs[x] for x in labels])
            truth.append(labels.index(lab))
        return probs, truth

    fp, ft = score(fit_rows)
    hp, ht = score(held)
    cal = calibration.fit("triage", labels, fp, ft)
    raw_conf = [max(p) for p in hp]
    raw_hit = [p.index(max(p)) == t for p, t in zip(hp, ht, strict=True)]
    after = [list(cal.apply(p)) for p in hp]
    cal_conf = [max(p) for p in after]
    cal_hit = [p.index(max(p)) == t for p, t in zip(after, ht, strict=True)]
    print(f"calibration ({cal.method}, T={cal.temperature:.2f}) fitted on {len(fit_rows)}, "
          f"held out {len(held)}: accuracy {sum(raw_hit) / len(held):.2f} -> "
          f"{sum(cal_hit) / len(held):.2f}, ECE "
          f"{calibration.expected_calibration_error(raw_conf, raw_hit):.3f} -> "
          f"{calibration.expected_calibration_error(cal_conf, cal_hit):.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=30)
    parser.add_argument("--event-tokens", type=int, default=60)
    parser.add_argument("--decode-tokens", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3, help="runs per event and mode")
    parser.add_argument("--rounds", type=int, default=7, help="decode rounds per path")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()

    rss0 = rss_mb()
    with tempfile.TemporaryDirectory() as tmp:
        store = ModelStore(MANIFEST, [DEV_KEY], Path(tmp))
        t0 = time.perf_counter()
        path = store.verified_path("gemma-3-270m-q4_k_m")
        t1 = time.perf_counter()
        config = SlmConfig(manifest=MANIFEST, trusted_keys=[DEV_KEY], n_threads=args.threads)
        engine = SlmEngine(config, path)
        engine.warm()
        t2 = time.perf_counter()
        print(f"model: {path.name} {path.stat().st_size / 1e6:.1f} MB; assemble+verify "
              f"{t1 - t0:.2f} s; load + warm task prefixes {t2 - t1:.2f} s")
        print(f"process RSS: before load {rss0:.0f} MB, model loaded and warm {rss_mb():.0f} MB")
        with engine:
            events = make_events(engine, args.events, args.event_tokens, args.seed)
            bench_triage(engine, events, args.repeats)
            bench_decode(engine, path.stat().st_size, args.decode_tokens, args.rounds)
            bench_calibration(engine, args.seed)
            print(f"process RSS after the benchmark: {rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
