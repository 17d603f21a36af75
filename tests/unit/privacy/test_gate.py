"""The egress gate: nothing regulated leaves under the default policy, and it fails closed."""

from __future__ import annotations

import json
import random
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appliance.audit import AuditLog, open_log
from appliance.errors import EgressBlocked
from appliance.privacy.detect import Detector
from appliance.privacy.entities import Entity
from appliance.privacy.gate import EgressGate
from appliance.privacy.settings import PrivacyConfig

from .conftest import aws_key, card_number, iban, ssn


def make_gate(
    state: Path, config: PrivacyConfig | None = None, detector: Detector | None = None
) -> EgressGate:
    config = config or PrivacyConfig()
    audit = open_log(state, config.audit_file, config.key_dir)
    return EgressGate(config, audit, state, detector=detector)


@pytest.fixture(scope="module")
def gate(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EgressGate]:
    yield make_gate(tmp_path_factory.mktemp("gate"))


# --- generated PII in random factory text --------------------------------------------------
FIRST = [
    "Anna",
    "Tuomas",
    "Chidi",
    "Zofia",
    "Mateo",
    "Ilmari",
    "Aisha",
    "Bartosz",
    "Henrike",
    "Oluwaseun",
    "Eero",
    "Katalin",
    "Sipho",
    "Margit",
]
LAST = [
    "Schmidt",
    "Häkkinen",
    "Okafor",
    "Nowak",
    "García",
    "Koskinen",
    "Adebayo",
    "Wiśniewski",
    "Lindqvist",
    "Varga",
    "Mahlangu",
    "Kallio",
    "Oyelaran",
    "Brandstätter",
]
WORDS = [
    "conveyor",
    "stopped",
    "line",
    "press",
    "reset",
    "the",
    "at",
    "pallet",
    "jam",
    "again",
    "motor",
    "vibration",
    "high",
    "temp",
    "station",
    "cell",
    "shift",
    "handover",
    "ok",
    "PN 4471-220-13",
    "SN20240117-0042",
    "2026-01-02T12:30:45Z",
    "firmware 4.2.1.0",
    "7",
    "lot 24-118-07",
    "61.23 °C",
    "batch",
    "scrap",
    "rework",
]


@st.composite
def pii(draw: st.DrawFn) -> tuple[str, str]:
    """Return (framed text, the regulated value inside it)."""
    rng = random.Random(draw(st.integers(0, 2**32)))
    kind = draw(
        st.sampled_from(
            [
                "name",
                "email",
                "phone",
                "card",
                "iban",
                "ssn",
                "ip",
                "mac",
                "gps",
                "secret",
                "badge",
                "dob",
                "mrn",
                "address",
            ]
        )
    )
    if kind == "name":
        v = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        return draw(
            st.sampled_from([f"reported by {v}", f"{v} reset it", f"operator {v}", f"ask {v}"])
        ), v
    if kind == "email":
        u = "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 8)))
        domain = rng.choice(["acme.de", "plant.com"])
        v = f"{u}.{rng.choice(LAST).lower().replace('ä', 'ae')}@{domain}"
        v = v.encode("ascii", "ignore").decode()
        return f"mail {v}", v
    if kind == "phone":
        v = rng.choice(
            [
                f"+49 151 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}",
                f"+44 7700 {rng.randint(100000, 999999)}",
                f"({rng.randint(200, 989)}) {rng.randint(200, 999)}-{rng.randint(1000, 9999)}",
                f"+33 6 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} "
                f"{rng.randint(10, 99)}",
            ]
        )
        return f"call {v}", v
    if kind == "card":
        v = card_number(rng)
        return f"card {v}", v
    if kind == "iban":
        v = iban(rng, rng.choice(["DE", "FR"]) if False else "DE")
        return f"pay to {v}", v
    if kind == "ssn":
        v = ssn(rng)
        return f"SSN {v}", v
    if kind == "ip":
        v = f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        return f"host {v}", v
    if kind == "mac":
        v = ":".join(f"{rng.randint(0, 255):02x}" for _ in range(6))
        return f"mac {v}", v
    if kind == "gps":
        v = f"{rng.uniform(35, 60):.6f}, {rng.uniform(-9, 30):.6f}"
        return f"parked at {v}", v
    if kind == "secret":
        v = rng.choice(
            [
                aws_key(rng),
                "ghp_"
                + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(36)),
            ]
        )
        return f"key {v}", v
    if kind == "badge":
        v = f"B-{rng.randint(10000, 99999)}"
        return f"badge {v}", v
    if kind == "dob":
        v = f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{rng.randint(1950, 2004)}"
        return f"DOB {v}", v
    if kind == "mrn":
        v = f"{rng.randint(1000000, 99999999):08d}"
        return f"MRN {v}", v
    street = rng.choice(["Haupt", "Linden", "Garten"])
    v = f"{street}straße {rng.randint(1, 200)}, {rng.randint(10000, 99999)} Berlin"
    return f"ship to {v}", v


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    chunks=st.lists(
        st.tuples(st.lists(st.sampled_from(WORDS), max_size=6).map(" ".join), pii()),
        min_size=1,
        max_size=4,
    ),
    tail=st.lists(st.sampled_from(WORDS), max_size=5).map(" ".join),
)
def test_generated_pii_never_appears_in_gate_output(
    gate: EgressGate, chunks: list[tuple[str, tuple[str, str]]], tail: str
) -> None:
    text = " ".join(f"{words} {framed}," for words, (framed, _) in chunks) + " " + tail
    sent: list[bytes] = []
    try:
        gate.send("uplink", text, sent.append)
    except EgressBlocked:
        return  # nothing left
    out = b"".join(sent).decode()
    for _, (_, value) in chunks:
        assert value not in out, (text, out)


def test_redacted_send_is_audited_and_reidentified(tmp_path: Path) -> None:
    gate = make_gate(tmp_path)
    sent: list[bytes] = []
    text = "Conveyor 3 stopped; Anna Schmidt (badge B-12345) reset it, call +49 151 1234 5678."
    gate.send("uplink", text, sent.append, session_id="s-test")
    out = sent[0].decode()
    assert out == "Conveyor 3 stopped; <PERSON_1> (badge <EMPLOYEE_ID_1>) reset it, call <PHONE_1>."
    rec = gate.audit.records()[-1]
    assert rec["outcome"] == "sent" and rec["classes"] == {
        "PERSON": 1,
        "EMPLOYEE_ID": 1,
        "PHONE": 1,
    }
    assert "Anna" not in json.dumps(rec)
    answer = "Ask <PERSON_1> to check the e-stop; <PERSON_1> can call back."
    fresh = make_gate(tmp_path)  # another process: the mapping comes from the encrypted vault
    assert (
        fresh.reidentify(answer, "s-test")
        == "Ask Anna Schmidt to check the e-stop; Anna Schmidt can call back."
    )


def test_blocked_class_never_calls_send_and_is_audited(tmp_path: Path) -> None:
    gate = make_gate(tmp_path)
    sent: list[bytes] = []
    with pytest.raises(EgressBlocked, match="HEALTH"):
        gate.send("uplink", "Maria Rossi, MRN 00482913, was diagnosed with epilepsy.", sent.append)
    assert sent == []
    rec = gate.audit.records()[-1]
    assert rec["outcome"] == "blocked" and "MRN" in rec["classes"] and "payload_sha256" not in rec
    assert gate.audit.verify().ok


class BrokenDetector(Detector):
    def detect(self, text: str, field: str | None = None) -> list[Entity]:
        raise RuntimeError("recognizer crashed")


def test_detector_failure_blocks_the_send(tmp_path: Path) -> None:
    config = PrivacyConfig()
    gate = make_gate(tmp_path, config, BrokenDetector(config))
    sent: list[bytes] = []
    with pytest.raises(EgressBlocked, match="detector error"):
        gate.send("telemetry", "temperature 61.2 on motor 4", sent.append)
    assert sent == []
    assert gate.audit.records()[-1]["reason"] == "detector error (RuntimeError)"
    with pytest.raises(EgressBlocked):
        gate.data_classes("anything")


def test_unwritable_audit_log_blocks_the_send(tmp_path: Path) -> None:
    config = PrivacyConfig()
    (tmp_path / "not-a-dir").write_text("x")
    audit = AuditLog(tmp_path / "not-a-dir" / "audit.jsonl", b"k" * 32)
    gate = EgressGate(config, audit, tmp_path)
    sent: list[bytes] = []
    with pytest.raises(EgressBlocked, match="audit"):
        gate.send("uplink", "line 2 running normally", sent.append)
    assert sent == []


def test_disabled_guard_blocks_everything(tmp_path: Path) -> None:
    gate = make_gate(tmp_path, PrivacyConfig(enabled=False))
    with pytest.raises(EgressBlocked, match="disabled"):
        gate.send("uplink", "line 2 running normally", lambda b: None)


def test_json_keys_and_values_are_inspected(tmp_path: Path) -> None:
    gate = make_gate(tmp_path)
    payload = {
        "event": "stop",
        "operator": "Zofia Nowak",
        "badge_id": 40417,
        "note": "reset by Zofia Nowak, call +48 601 123 456",
        "readings": {"temperature": 61.2},
        "contacts": {"a.b@example.com": "primary"},
    }
    sent: list[bytes] = []
    gate.send("uplink", payload, sent.append)
    out = json.loads(sent[0])
    assert out["operator"] == "<PERSON_1>" and out["badge_id"] == "<EMPLOYEE_ID_1>"
    assert out["note"] == "reset by <PERSON_1>, call <PHONE_1>"
    assert out["readings"] == {"temperature": 61.2}
    assert out["contacts"] == {"<EMAIL_1>": "primary"}
    with pytest.raises(EgressBlocked, match="MRN"):
        gate.send("uplink", {"patient_id": "4711", "status": "stable"}, sent.append)


def test_send_failure_is_recorded_and_raised(tmp_path: Path) -> None:
    gate = make_gate(tmp_path)

    def broken(_: bytes) -> None:
        raise ConnectionError("uplink down")

    with pytest.raises(ConnectionError):
        gate.send("uplink", "line 2 ok", broken)
    outcomes = [r["outcome"] for r in gate.audit.records()]
    assert outcomes[-2:] == ["sent", "send_failed"] and gate.audit.verify().ok


def test_chat_messages_are_redacted_for_the_router(tmp_path: Path) -> None:
    gate = make_gate(tmp_path)
    msgs = [
        {"role": "system", "content": "You are a maintenance assistant."},
        {"role": "user", "content": "Ilmari Koskinen says press 4 smells burnt."},
    ]
    out = gate.redact(msgs, session_id="s-chat")
    assert out[1]["content"] == "<PERSON_1> says press 4 smells burnt." and out[0] == msgs[0]
    assert gate.data_classes(msgs[1]["content"]) == frozenset({"PERSON"})
    assert gate.audit.records()[-1]["outcome"] == "released"
