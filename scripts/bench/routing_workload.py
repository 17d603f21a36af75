"""The labelled mixed workload the routing benchmark replays (seeded, built here).

Three parts, every item tagged ``[case <id>]`` so the cloud stand-in can look
up its label:

* sensor triage: a motor's last five readings from :mod:`appliance.simulator`
  with the rule stage's flags, labelled with the injected fault (or ``normal``);
  about one alarm in ten is re-delivered (same readings, new event id);
* tickets with personal data: operator text with names, badges and phone
  numbers, eight categories in five phrasings each (training pools use three);
* long agent-style contexts: a system prompt, old turns, sensor-history tool
  outputs (one duplicated) with one planted fault code; the answer is the code.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from appliance.simulator import Factory, Reading

SENSOR_LABELS = ("normal", "bearing_wear", "overheat", "stall", "stuck_sensor")
LIMITS = {"temperature": (80.0, 95.0), "vibration": (7.1, 11.0), "current": (18.0, 24.0)}

TICKETS: dict[str, tuple[str, ...]] = {
    "conveyor_stop": (
        "Conveyor {line} stopped again, {name} (badge {badge}) reset it. Call me on {phone}.",
        "Belt on {line} halted twice this morning; {name} restarted it, reach me at {phone}.",
        "{line} conveyor is standing still since the break. {name}, badge {badge}.",
        "Main belt tripped out and will not restart from the panel. {name} ({phone}).",
        "Transport line {line} at a standstill, parts piling up at the infeed. {name}.",
    ),
    "burning_smell": (
        "{name} reports a burning smell near press {n} on {line}; badge {badge}.",
        "Smoke and a hot plastic smell around press {n}, {line}. Reported by {name} ({phone}).",
        "Something smells scorched at press {n} - please check the motor. {name}.",
        "Burnt electrical odour in the cabinet next to press {n}. Badge {badge}.",
        "{name} noticed a smell like hot insulation at press {n}; contact {phone}.",
    ),
    "safety_guard": (
        "Safety guard on station {n} is loose. Reported by {name}, ext {phone}.",
        "The light curtain at station {n} does not trip when I reach in. {name}, {badge}.",
        "Guard door interlock on cell {n} can be opened while running. Call {name} on {phone}.",
        "Fence panel by robot cell {n} is bent and leaves a gap. {name}, ext {phone}.",
        "E-stop on station {n} is missing its cover and the guard is unbolted. {name}.",
    ),
    "printer_jam": (
        "Label printer jam on {line}, third time this shift. {name} ({badge}).",
        "Labeller at the end of {line} keeps eating labels; {name} cleared it at {phone}.",
        "Printer for the shipping labels is jammed again on {line}. {name}.",
        "Barcode labels come out crumpled and stuck on {line}. {name} ({badge}).",
        "Tag printer on {line} is blinking red with a paper jam again. Call {phone}.",
    ),
    "forklift_near_miss": (
        "Forklift near dock {n} nearly hit a pallet stack; driver badge {badge}, contact {phone}.",
        "Near miss: truck reversing at dock {n} almost struck {name}. Badge {badge}.",
        "A forklift came round the corner at dock {n} far too fast, {name} had to jump aside.",
        "Reach truck clipped the racking at dock {n}, nobody hurt. Driver {name}.",
        "Pedestrian walkway at dock {n} ignored by a forklift driver, badge {badge}.",
    ),
    "hydraulic_leak": (
        "Hydraulic leak under cell {n}, {name} put absorbent down. Phone {phone}.",
        "Oil puddle growing under press {n} on {line}, looks like a hose. {name} ({badge}).",
        "Hydraulic fluid dripping from cylinder on cell {n}. Reported by {name}, {phone}.",
        "Pressure drops on the hydraulic unit of press {n}, fluid on the floor. {name}.",
        "Seal on the hydraulic ram at cell {n} is weeping oil. {name}, {phone}.",
    ),
    "calibration_request": (
        "Request: recalibrate torque wrench T-{n:03d} before next batch. {name}.",
        "Torque tool T-{n:03d} is out of its calibration date, please book it. {name} {phone}.",
        "Gauge G-{n:03d} reads 0.3 bar high against the reference; needs calibration. {name}.",
        "Please verify the scale at station {n}, readings drift by 5 g. {name}.",
        "Micrometer M-{n:03d} needs its yearly check before the audit. {name} ({badge}).",
    ),
    "vision_reject": (
        "Vision station {n} rejecting good parts since the lens was cleaned. {name}, "
        "badge {badge}.",
        "Camera check at station {n} throws out parts that pass the manual gauge. {name}.",
        "False rejects from the optical inspection on {line}, station {n}. Call {name} {phone}.",
        "Inspection camera on station {n} flags scratches that are not there. {name}.",
        "Too many NOK results from the vision system on {line} after the update. {phone}.",
    ),
}
TICKET_LABELS = tuple(sorted(TICKETS))
TRAIN_PHRASINGS = 3
OPENERS = ("", "", "Hi team, ", "URGENT: ", "Night shift: ", "FYI ")
CLOSERS = ("", "", " Thanks.", " Please check asap.", " Not the first time.")


@dataclass
class Item:
    """One workload item: the messages a client would send, the label, its part."""

    case: str
    part: str  # sensor | ticket | long
    task: str
    text: str
    label: str
    messages: list[dict[str, Any]] = field(default_factory=list)
    duplicate_of: str | None = None
    requires: str | None = None  # a fact the cloud must receive to answer right


def _flags(history: list[Reading]) -> str:
    last = history[-1].readings
    out = []
    for metric, (warn, crit) in LIMITS.items():
        value = last[metric]
        if value >= crit:
            out.append(f"{metric} critical")
        elif value >= warn:
            out.append(f"{metric} above warn")
    if len(history) >= 4 and len({h.readings["temperature"] for h in history[-4:]}) == 1:
        out.append("temperature unchanged over 4 readings")
    rise = last["temperature"] - history[0].readings["temperature"]
    if rise > 8:
        out.append(f"temperature rising +{rise:.0f}")
    return ", ".join(out) or "all within limits"


def _sensor_text(history: list[Reading]) -> str:
    last = history[-1]
    series = "; ".join(
        f"{m} " + " ".join(f"{h.readings[m]:g}" for h in history) for m in LIMITS)
    return f"{last.sensor} on {last.line}, last {len(history)} readings: {series}. " \
           f"Rules: {_flags(history)}."


def sensor_items(count: int, seed: int, prefix: str, dup_rate: float = 0.1) -> list[Item]:
    """Return ``count`` sensor triage items, about half of them faults."""
    factory = Factory(seed=seed, lines=2, motors_per_line=4, fault_rate=0.03)
    rng = random.Random(seed)
    histories: dict[str, list[Reading]] = {}
    items: list[Item] = []
    want_fault = 0
    for reading in factory.readings(10**9):
        hist = histories.setdefault(reading.sensor, [])
        hist.append(reading)
        del hist[:-5]
        if len(hist) < 5:
            continue
        label = reading.fault or "normal"
        if (label == "normal") != (want_fault % 2 == 0) or rng.random() < 0.5:
            continue
        want_fault += 1
        case = f"{prefix}{len(items):04d}"
        text = _sensor_text(hist)
        items.append(Item(case, "sensor", "severity", text, label))
        if items[-1].label != "normal" and rng.random() < dup_rate and len(items) < count:
            items.append(Item(f"{prefix}{len(items):04d}", "sensor", "severity", text, label,
                              duplicate_of=case))
        if len(items) >= count:
            break
    return items


def ticket_items(count: int, seed: int, prefix: str, phrasings: int | None = None) -> list[Item]:
    """Return ``count`` operator tickets with personal data, labelled by category.

    ``phrasings`` limits each category to its first phrasings (training pools
    see three of five, so the test set holds phrasings the head never saw).
    """
    factory = Factory(seed=seed)
    rng = random.Random(seed)
    items = []
    for i in range(count):
        label = rng.choice(TICKET_LABELS)
        body = rng.choice(TICKETS[label][:phrasings]).format(
            line=rng.choice(factory.lines), name=factory.person(),
            badge=f"B-{rng.randint(10000, 99999)}", phone=factory.phone(), n=rng.randint(1, 40))
        text = f"{rng.choice(OPENERS)}{body}{rng.choice(CLOSERS)}"
        items.append(Item(f"{prefix}{i:04d}", "ticket", "ticket_category", text, label))
    return items


def _history(rng: random.Random, lines: int, planted: dict[int, str]) -> str:
    out = []
    for i in range(lines):
        if i in planted:
            out.append(planted[i])
            continue
        stamp = f"2026-01-0{1 + i // 1440} {i // 60 % 24:02d}:{i % 60:02d}"
        out.append(f"{stamp} motor-{rng.randint(11, 24)} "
                   f"temperature={60 + rng.gauss(0, 1.5):.1f} "
                   f"vibration={2.6 + rng.gauss(0, 0.25):.2f} "
                   f"current={12 + rng.gauss(0, 0.5):.1f} state=RUN")
    return "\n".join(out)


def long_items(count: int, seed: int, prefix: str) -> list[Item]:
    """Return ``count`` long agent-style conversations with one planted fault code each."""
    rng = random.Random(seed)
    factory = Factory(seed=seed)
    items = []
    system = ("You are the maintenance assistant of the Nordhafen plant. Answer from the tool "
              "outputs only. Escalate safety issues to the shift lead. Use plant codes as given. "
              + "Standard operating procedure text. " * 20)
    for i in range(count):
        code = f"E-{rng.randint(1000, 9999)}"
        motor = f"motor-{rng.randint(11, 24)}"
        n_lines = rng.randint(300, 700)
        at = rng.randint(10, n_lines - 10)
        fault = (f"2026-01-01 {at // 60 % 24:02d}:{at % 60:02d} {motor} FAULT code {code} "
                 f"overcurrent trip, drive stopped state=STOP")
        log = _history(rng, n_lines, {at: fault})
        other = _history(rng, rng.randint(200, 400), {})
        msgs: list[dict[str, Any]] = [{"role": "system", "content": system}]
        for t in range(rng.randint(6, 12)):
            msgs.append({"role": "user", "content": f"Shift note {t}: {factory.ticket_text()} "
                         "Any follow-up from the earlier handover? " * 2})
            msgs.append({"role": "assistant", "content": "Noted; I logged it for the shift lead "
                         "and checked the open work orders for that area. " * 2})
        for call, content in (("c1", other), ("c2", log), ("c3", other)):
            msgs.append({"role": "assistant", "content": None, "tool_calls": [
                {"id": call, "type": "function",
                 "function": {"name": "read_history", "arguments": "{}"}}]})
            msgs.append({"role": "tool", "tool_call_id": call, "content": content})
        question = (f"[case {prefix}{i:04d}] Which fault code did {motor} raise? "
                    "Answer with the code only.")
        msgs.append({"role": "user", "content": question})
        items.append(Item(f"{prefix}{i:04d}", "long", "chat", question, code, msgs,
                          requires=code))
    return items


def build(seed: int = 7, sensors: int = 240, tickets: int = 240, longs: int = 16,
          sensor_train: int = 300, ticket_pool: int = 1000) -> dict[str, list[Item]]:
    """Return the training pools and the replayed test workload (disjoint seeds)."""
    return {
        "sensor_train": sensor_items(sensor_train, seed + 100, "st", dup_rate=0.0),
        "ticket_train": ticket_items(ticket_pool, seed + 200, "tt", phrasings=TRAIN_PHRASINGS),
        "test": (sensor_items(sensors, seed, "s") + ticket_items(tickets, seed + 1, "t")
                 + long_items(longs, seed + 2, "L")),
    }
