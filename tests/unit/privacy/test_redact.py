"""Placeholders are typed, numbered, consistent per session, and reverse exactly."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appliance.privacy.detect import Detector
from appliance.privacy.redact import Session, redact, reidentify
from appliance.privacy.vault import Vault, VaultError, load_or_create_key, pseudonym


def test_same_value_gets_the_same_placeholder_within_a_session(detector: Detector) -> None:
    session = Session()
    first, _ = redact(
        "Anna Schmidt called +49 151 1234 5678.",
        detector.detect("Anna Schmidt called +49 151 1234 5678."),
        session,
    )
    text2 = "Tomasz Nowak and Anna Schmidt swapped shifts."
    second, _ = redact(text2, detector.detect(text2), session)
    assert first == "<PERSON_1> called <PHONE_1>."
    assert second == "<PERSON_2> and <PERSON_1> swapped shifts."


NAMES = st.sampled_from(
    [
        "Anna Schmidt",
        "Tuomas Häkkinen",
        "Chidi Okafor",
        "Zofia Nowak",
        "Mateo García",
        "Ilmari Koskinen",
    ]
)
FILLER = st.lists(
    st.sampled_from(
        [
            "conveyor",
            "stopped",
            "line",
            "2",
            "press",
            "reset",
            "the",
            "at",
            "12:30",
            "pallet",
            "jam",
            "ok",
            "again",
            "PN 4471-220-13",
        ]
    ),
    min_size=0,
    max_size=8,
).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(
    parts=st.lists(
        st.tuples(
            FILLER,
            NAMES,
            st.sampled_from(["", "badge B-12345", "ext +44 7700 900123", "mail a.b@example.com"]),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_placeholder_round_trip_reidentifies_exactly(
    detector: Detector, parts: list[tuple[str, str, str]]
) -> None:
    text = " ".join(f"{f} reported by {n}, {extra}." for f, n, extra in parts)
    session = Session()
    redacted, applied = redact(text, detector.detect(text), session)
    for _, name, _ in parts:
        assert name not in redacted
    assert applied
    assert reidentify(redacted, session.mapping) == text


def test_reidentify_tolerates_case_changes_from_the_model() -> None:
    assert (
        reidentify("Ask <Person_1> to call back.", {"<PERSON_1>": "Anna"})
        == "Ask Anna to call back."
    )
    assert reidentify("<PERSON_9> is unknown", {"<PERSON_1>": "Anna"}) == "<PERSON_9> is unknown"


def test_key_files_are_created_0600_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "vault.key"
    key = load_or_create_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and len(key) == 32
    assert load_or_create_key(path) == key
    os.chmod(path, 0o644)
    with pytest.raises(VaultError, match="0600"):
        load_or_create_key(path)


def test_vault_is_encrypted_at_rest_and_detects_tampering(tmp_path: Path) -> None:
    key = load_or_create_key(tmp_path / "vault.key")
    vault = Vault(tmp_path / "vault", key)
    vault.save("s-1", {"<PERSON_1>": "Anna Schmidt"})
    blob = (tmp_path / "vault" / "s-1.vault").read_bytes()
    assert b"Anna" not in blob and b"PERSON" not in blob
    assert vault.load("s-1") == {"<PERSON_1>": "Anna Schmidt"}
    with pytest.raises(VaultError):
        Vault(tmp_path / "vault", os.urandom(32)).load("s-1")
    (tmp_path / "vault" / "s-2.vault").write_bytes(blob)  # moved to another session's name
    with pytest.raises(VaultError):
        vault.load("s-2")
    tampered = bytearray(blob)
    tampered[-1] ^= 1
    (tmp_path / "vault" / "s-1.vault").write_bytes(bytes(tampered))
    with pytest.raises(VaultError):
        vault.load("s-1")


def test_pseudonyms_are_keyed_and_stable(tmp_path: Path, detector: Detector) -> None:
    key = load_or_create_key(tmp_path / "p.key")
    a = pseudonym(key, "EMPLOYEE_ID", "B-12345")
    assert a == pseudonym(key, "EMPLOYEE_ID", "B-12345")
    assert a != pseudonym(os.urandom(32), "EMPLOYEE_ID", "B-12345")
    assert a not in hashlib.sha256(b"B-12345").hexdigest()
    text = "Forklift driver badge B-12345 reported a near miss."
    out1, _ = redact(
        text, detector.detect(text), Session(pseudonym_key=key), {"EMPLOYEE_ID": "pseudonymize"}
    )
    session2 = Session(pseudonym_key=key)
    out2, _ = redact(text, detector.detect(text), session2, {"EMPLOYEE_ID": "pseudonymize"})
    assert out1 == out2 == f"Forklift driver badge <EMPLOYEE_ID#{a}> reported a near miss."
    assert reidentify(out2, session2.mapping) == text
