"""The file primitives rotation relies on: the tail read and segment names."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from appliance.audit.segments import Layout, tail

LINES = st.lists(st.binary(max_size=9000).map(lambda b: b.replace(b"\n", b"x")), max_size=5)


@given(lines=LINES, torn=st.binary(max_size=5000).map(lambda b: b.replace(b"\n", b"y")))
def test_tail_finds_the_last_complete_line_and_where_a_torn_one_starts(
        lines: list[bytes], torn: bytes) -> None:
    body = b"".join(x + b"\n" for x in lines)
    with tempfile.TemporaryFile() as fh:
        fh.write(body + torn)
        fh.flush()
        last, end = tail(fh.fileno())
    assert end == len(body)
    assert last == ((lines[-1] + b"\n") if lines else None)


def test_segment_names_round_trip_in_utc(tmp_path: Path) -> None:
    layout = Layout(tmp_path / "egress.jsonl")
    path = layout.segment_path(42, 1201, 1800, 1_740_824_100.7, compressed=True)
    assert path.name == "egress.000042.1201-1800.20250301T101500Z.jsonl.gz"
    seg = layout.parse(path)
    assert seg is not None and (seg.number, seg.first_seq, seg.last_seq, seg.records) == (
        42, 1201, 1800, 600)
    assert seg.last_ts == 1_740_824_100 and seg.compressed
    assert layout.parse(tmp_path / "other.000001.1-2.20250301T101500Z.jsonl") is None
    assert layout.parse(tmp_path / "egress.jsonl.head") is None


def test_closed_lists_a_plain_segment_once_and_temp_files_as_leftovers(tmp_path: Path) -> None:
    layout = Layout(tmp_path / "egress.jsonl")
    plain = layout.segment_path(1, 1, 5, 1_740_000_000)
    for p in (plain, Path(str(plain) + ".gz"), layout.segment_path(2, 6, 9, 1_740_000_100, True),
              tmp_path / "egress.jsonl.head.tmp", tmp_path / "unrelated.txt"):
        p.write_bytes(b"")
    closed, leftovers = layout.closed()
    assert [s.path.name for s in closed] == [plain.name, layout.segment_path(
        2, 6, 9, 1_740_000_100, True).name]
    assert sorted(p.name for p in leftovers) == sorted([plain.name + ".gz", "egress.jsonl.head.tmp"])
    assert os.path.exists(tmp_path / "unrelated.txt")
