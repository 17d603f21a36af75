"""Context preparation keeps the facts a test plants and reports its compression ratio."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from appliance.routing.context import (
    approx_tokens,
    compress_lines,
    content_text,
    count_messages,
    drop_duplicate_tool_outputs,
    prepare_context,
)
from appliance.routing.settings import ContextConfig

CFG = ContextConfig(budget_tokens=1500, keep_recent_turns=3)


def sensor_history(n: int, seed: int, planted: dict[int, str]) -> str:
    rng = random.Random(seed)
    lines = []
    for i in range(n):
        if i in planted:
            lines.append(planted[i])
        else:
            lines.append(f"2026-01-01T10:{i // 60 % 60:02d}:{i % 60:02d}Z motor-12 "
                         f"temperature={60 + rng.gauss(0, 1.2):.2f} "
                         f"vibration={2.5 + rng.gauss(0, 0.2):.3f} "
                         f"current={12 + rng.gauss(0, 0.4):.2f} status=ok")
    return "\n".join(lines)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(60, 800), seed=st.integers(0, 10**6), data=st.data())
def test_compression_keeps_planted_anomalies(n: int, seed: int, data: st.DataObject) -> None:
    spike_at = data.draw(st.integers(0, n - 1))
    error_at = data.draw(st.integers(0, n - 1).filter(lambda i: i != spike_at))
    spike = ("2026-01-01T11:00:00Z motor-12 temperature=131.70 vibration=2.511 "
             "current=12.10 status=ok")
    error = "2026-01-01T11:00:01Z motor-12 ERROR bearing B7 seized (code E-4471)"
    text = sensor_history(n, seed, {spike_at: spike, error_at: error})
    out, changed = compress_lines(text, CFG)
    assert "temperature=131.70" in out
    assert "E-4471" in out
    assert changed
    assert approx_tokens(out) * 3 < approx_tokens(text) or n < 120


def test_repeated_warning_is_collapsed_to_one_fact() -> None:
    lines = [f"10:00:{i % 60:02d} WARN retry connection to plc-3 attempt {i}" for i in range(300)]
    lines[150] = "10:02:30 ERROR plc-3 refused write to DB7.DBX0.1"
    out, _ = compress_lines("\n".join(lines), CFG)
    assert "DB7.DBX0.1" in out
    assert "repeated 296 more times" in out
    assert len(out.splitlines()) < 30


def test_duplicate_tool_outputs_keep_the_latest_copy() -> None:
    big = "row " * 100
    msgs = [
        {"role": "user", "content": "check"},
        {"role": "assistant", "content": None, "tool_calls": [{"id": "1"}]},
        {"role": "tool", "tool_call_id": "1", "content": big},
        {"role": "assistant", "content": None, "tool_calls": [{"id": "2"}]},
        {"role": "tool", "tool_call_id": "2", "content": big},
    ]
    out, dropped = drop_duplicate_tool_outputs(msgs)
    assert dropped == 1
    assert out[2]["content"].startswith("[tool output omitted")
    assert out[4]["content"] == big
    assert out[2]["tool_call_id"] == "1"


def agent_conversation() -> list[dict[str, object]]:
    log = sensor_history(600, 3, {417: "2026-01-01T10:06:57Z motor-12 FAULT overcurrent trip "
                                       "on phase L2 (breaker Q12)"})
    msgs: list[dict[str, object]] = [
        {"role": "system", "content": "You are the maintenance assistant for plant Nordhafen. "
                                      "The safety officer is on extension 4471."},
    ]
    for i in range(12):
        msgs.append({"role": "user", "content": f"Old question {i} about shift handover " * 8})
        msgs.append({"role": "assistant", "content": f"Old answer {i} with details " * 10})
    msgs.append({"role": "user", "content": "Here is the motor log:\n" + log})
    msgs.append({"role": "assistant", "content": "Noted."})
    msgs.append({"role": "user", "content": "Which breaker tripped, and whom do I call?"})
    return msgs


def test_prepare_keeps_system_recent_turns_and_planted_facts_within_budget() -> None:
    msgs = agent_conversation()
    result = prepare_context(msgs, approx_tokens, CFG)
    text = "\n".join(content_text(m) for m in result.messages)
    assert result.messages[0]["content"] == msgs[0]["content"]
    assert result.messages[-1]["content"] == "Which breaker tripped, and whom do I call?"
    assert "breaker Q12" in text and "4471" in text
    assert result.tokens_after <= CFG.budget_tokens
    assert result.tokens_before == count_messages(msgs, approx_tokens)
    assert result.ratio >= 4.0
    assert result.dropped_turns > 0 and result.compressed_blocks == 1
    assert any("earlier turns omitted" in content_text(m) for m in result.messages)


def test_old_turns_go_to_the_summarizer_when_given() -> None:
    seen: list[str] = []

    def summarize(text: str) -> str:
        seen.append(text)
        return "the operator asked about shift handovers"

    result = prepare_context(agent_conversation(), approx_tokens, CFG, summarize=summarize)
    assert seen and "Old question 0" in seen[0]
    assert any("shift handovers" in content_text(m) for m in result.messages)


def test_short_context_is_left_alone() -> None:
    msgs = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]
    result = prepare_context(msgs, approx_tokens, CFG)
    assert result.messages == msgs
    assert result.ratio == 1.0


def test_oversized_recent_turn_is_cut_to_the_budget() -> None:
    msgs = [{"role": "system", "content": "sys"},
            {"role": "user", "content": "lorem ipsum dolor sit amet " * 2000}]
    result = prepare_context(msgs, approx_tokens, CFG)
    assert result.tokens_after <= CFG.budget_tokens
    assert "cut to fit" in content_text(result.messages[-1])
