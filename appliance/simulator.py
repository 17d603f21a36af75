"""A seeded factory: motors with injected faults, Frigate events, operator tickets.

The same generator feeds ``appliance simulate`` (over MQTT), the benchmarks and
the anomaly model's training data, so every figure is reproducible from a seed.
Readings carry a ground-truth ``fault`` label that the MQTT payload omits.
"""

from __future__ import annotations

import json
import math
import random
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

FAULTS = ("bearing_wear", "overheat", "stall", "stuck_sensor")

FIRST_NAMES = (
    "Anna", "Lukas", "Marie", "Jonas", "Sofia", "Mateo", "Elena", "Piotr", "Aisha", "Kenji",
    "Fatima", "Oliver", "Chloé", "Jan", "Ingrid", "Tomás", "Leila", "Hannah", "Ravi", "Zofia",
)
LAST_NAMES = (
    "Schmidt", "Müller", "Kowalski", "Rossi", "García", "Novak", "Jensen", "Dubois", "Okafor",
    "Tanaka", "Nowak", "Fischer", "Lindqvist", "Moreau", "Silva", "Weber", "Horvat", "Costa",
)
TICKET_TEMPLATES = (
    "Conveyor {line} stopped again, {name} (badge {badge}) reset it. Call me on {phone}.",
    "{name} reports a burning smell near press {n} on {line}; badge {badge}.",
    "Safety guard on station {n} is loose. Reported by {name}, ext {phone}.",
    "Label printer jam on {line}, third time this shift. {name} ({badge}).",
    "Forklift near dock {n} nearly hit a pallet stack; driver badge {badge}, contact {phone}.",
    "Hydraulic leak under cell {n}, {name} put absorbent down. Phone {phone}.",
    "Request: recalibrate torque wrench T-{n:03d} before next batch. {name}.",
    "Vision station {n} rejecting good parts since the lens was cleaned. {name}, badge {badge}.",
)
PHONE_FORMATS = ("+49 151 {a:04d} {b:04d}", "+48 601 {c:03d} {d:03d}", "(555) {c:03d}-{a:04d}",
                 "+44 7700 {c:03d}{d:03d}", "+33 6 {e:02d} {f:02d} {g:02d} {h:02d}")
CAMERAS = ("dock_1", "dock_2", "line_a_entry", "yard")
CAMERA_LABELS = ("person", "car", "truck", "forklift", "person", "person")


@dataclass
class Reading:
    """One labelled sensor reading (``fault`` is ground truth, never published)."""

    sensor: str
    line: str
    ts: float
    readings: dict[str, float]
    fault: str | None


@dataclass
class Motor:
    """A motor with slow thermal drift, load cycles and occasional faults."""

    sensor: str
    line: str
    rng: random.Random
    fault_rate: float
    base_temp: float = 0.0
    base_vib: float = 0.0
    base_current: float = 0.0
    fault: str | None = None
    fault_left: int = 0
    fault_age: int = 0
    stuck: dict[str, float] = field(default_factory=dict)
    step: int = 0

    def __post_init__(self) -> None:
        self.base_temp = self.rng.uniform(55.0, 65.0)
        self.base_vib = self.rng.uniform(1.8, 3.2)
        self.base_current = self.rng.uniform(10.0, 14.0)

    def next(self, ts: float) -> Reading:
        """Advance one sample and return it, starting or ending faults at random."""
        self.step += 1
        load = 0.5 + 0.5 * math.sin(self.step / 40.0 + zlib.crc32(self.sensor.encode()) % 7)
        temp = self.base_temp + 6.0 * load + self.rng.gauss(0, 0.6)
        vib = self.base_vib * (0.9 + 0.2 * load) + self.rng.gauss(0, 0.15)
        cur = self.base_current * (0.8 + 0.4 * load) + self.rng.gauss(0, 0.3)
        if self.fault is None and self.rng.random() < self.fault_rate:
            self.fault = self.rng.choice(FAULTS)
            self.fault_left = self.rng.randint(8, 30)
            self.fault_age = 0
            self.stuck = {"temperature": round(temp, 2), "vibration": round(vib, 3)}
        if self.fault is not None:
            self.fault_age += 1
            ramp = min(1.0, self.fault_age / 6.0)
            if self.fault == "bearing_wear":
                vib += ramp * self.rng.uniform(6.0, 10.0)
                temp += ramp * 4.0
            elif self.fault == "overheat":
                temp += ramp * self.rng.uniform(28.0, 40.0)
            elif self.fault == "stall":
                cur += ramp * self.rng.uniform(9.0, 14.0)
                vib *= 0.3
            elif self.fault == "stuck_sensor":
                temp, vib = self.stuck["temperature"], self.stuck["vibration"]
        label = self.fault
        if self.fault is not None:
            self.fault_left -= 1
            if self.fault_left <= 0:
                self.fault = None
        values = {"temperature": round(temp, 2), "vibration": round(max(vib, 0.0), 3),
                  "current": round(max(cur, 0.0), 2)}
        return Reading(self.sensor, self.line, ts, values, label)


class Factory:
    """A seeded plant: motors on lines, cameras and operators.

    ``mix`` gives the share of sensor, frigate and ticket messages.
    """

    def __init__(self, seed: int = 7, lines: int = 2, motors_per_line: int = 4,
                 fault_rate: float = 0.01, mix: tuple[float, float, float] = (0.85, 0.08, 0.07),
                 start_ts: float = 1_767_225_600.0) -> None:
        self.rng = random.Random(seed)
        self.mix = mix
        self.ts = start_ts
        self.counter = 0
        self.motors = [
            Motor(f"motor-{li}{mi}", f"line{li}", random.Random(seed * 1000 + li * 10 + mi), fault_rate)
            for li in range(1, lines + 1) for mi in range(1, motors_per_line + 1)
        ]
        self.lines = sorted({m.line for m in self.motors})

    def _id(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}-{self.counter:08d}"

    def readings(self, count: int, step_s: float = 1.0) -> Iterator[Reading]:
        """Yield ``count`` labelled readings round-robin over the motors."""
        for i in range(count):
            motor = self.motors[i % len(self.motors)]
            if i % len(self.motors) == 0:
                self.ts += step_s
            yield motor.next(self.ts)

    def person(self) -> str:
        """Return a random full name."""
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"

    def phone(self) -> str:
        """Return a random phone number in one of several international formats."""
        r = self.rng
        return r.choice(PHONE_FORMATS).format(
            a=r.randint(0, 9999), b=r.randint(0, 9999), c=r.randint(100, 999), d=r.randint(100, 999),
            e=r.randint(10, 99), f=r.randint(10, 99), g=r.randint(10, 99), h=r.randint(10, 99))

    def ticket_text(self) -> str:
        """Return operator text that contains a name, a badge number and/or a phone number."""
        r = self.rng
        return r.choice(TICKET_TEMPLATES).format(
            line=r.choice(self.lines), name=self.person(), badge=f"B-{r.randint(10000, 99999)}",
            phone=self.phone(), n=r.randint(1, 40))

    def frigate(self) -> dict[str, Any]:
        """Return a Frigate-shaped ``frigate/events`` message."""
        r = self.rng
        eid = f"{self.ts:.6f}-{r.randint(0, 999999):06x}"
        label = r.choice(CAMERA_LABELS)
        after = {
            "id": eid, "camera": r.choice(CAMERAS), "label": label, "sub_label": None,
            "score": round(r.uniform(0.55, 0.97), 3), "top_score": round(r.uniform(0.7, 0.98), 3),
            "start_time": self.ts, "end_time": None, "false_positive": False,
            "current_zones": r.sample(["dock", "walkway", "restricted"], k=r.randint(0, 2)),
            "entered_zones": [], "has_snapshot": True, "has_clip": False, "stationary": False,
            "box": [r.randint(0, 600), r.randint(0, 300), r.randint(600, 1280), r.randint(300, 720)],
        }
        return {"type": "new", "before": dict(after), "after": after}

    def messages(self, count: int) -> Iterator[tuple[str, bytes]]:
        """Yield ``count`` ``(topic, payload)`` pairs in the configured mix."""
        readings = self.readings(10**12)
        for _ in range(count):
            pick = self.rng.random()
            if pick < self.mix[0]:
                rd = next(readings)
                body: dict[str, Any] = {"id": self._id("r"), "ts": rd.ts, "readings": rd.readings}
                yield f"factory/{rd.line}/sensors/{rd.sensor}", json.dumps(body).encode()
            elif pick < self.mix[0] + self.mix[1]:
                yield "frigate/events", json.dumps(self.frigate()).encode()
            else:
                line = self.rng.choice(self.lines)
                ticket = {"id": self._id("t"), "ts": self.ts, "text": self.ticket_text()}
                yield f"factory/{line}/tickets", json.dumps(ticket).encode()
