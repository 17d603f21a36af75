"""The TOML writer round-trips config-shaped trees through the standard library reader."""

from __future__ import annotations

import math
import tomllib
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from appliance.config import Config
from appliance.fleet.toml_writer import dumps

text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
keys = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12)
scalars = st.one_of(
    st.booleans(), st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False), text,
)
flat_tables = st.dictionaries(keys, scalars, max_size=4)
values = st.one_of(scalars, st.lists(scalars, max_size=4), st.lists(flat_tables, max_size=3))
trees = st.recursive(
    st.dictionaries(keys, values, max_size=5),
    lambda children: st.dictionaries(keys, st.one_of(values, children), max_size=4),
    max_leaves=20,
)


@settings(max_examples=200)
@given(trees)
@example({"0\n": 1})  # a key ending in a newline once passed the bare-key check
def test_written_toml_reads_back_to_the_same_tree(tree: dict[str, Any]) -> None:
    assert tomllib.loads(dumps(tree)) == tree


def test_the_default_device_config_round_trips() -> None:
    tree = Config().model_dump(mode="json", exclude_none=True)
    assert Config.model_validate(tomllib.loads(dumps(tree))) == Config()


def test_special_floats_and_none_values() -> None:
    back = tomllib.loads(dumps({"a": math.inf, "b": None, "t": {"c": -math.inf}}))
    assert back == {"a": math.inf, "t": {"c": -math.inf}}
    with pytest.raises(TypeError):
        dumps({"when": object()})
    with pytest.raises(TypeError, match="surrogate"):
        dumps({"name": "bad \ud800 text"})
    assert tomllib.loads(dumps({"del": "a\x7fb"})) == {"del": "a\x7fb"}
