"""Desired-state merging is ordered, deep, and versioned by content."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from appliance.config import merge_trees as deep_merge
from appliance.fleet.desired import config_version

leaf = st.one_of(st.integers(), st.text(max_size=5), st.booleans())
tree = st.recursive(st.dictionaries(st.text(max_size=3), leaf, max_size=3),
                    lambda c: st.dictionaries(st.text(max_size=3), c | leaf, max_size=3),
                    max_leaves=10)


def test_later_layers_win_and_tables_merge_key_by_key() -> None:
    fleet = {"logging": {"level": "INFO", "json_format": True}, "pipeline": {"workers": 2}}
    group = {"pipeline": {"workers": 4}, "rules": {"per_sensor": {}}}
    device = {"logging": {"level": "DEBUG"}, "pipeline": 7}
    merged = deep_merge(deep_merge(fleet, group), device)
    assert merged == {"logging": {"level": "DEBUG", "json_format": True}, "pipeline": 7,
                      "rules": {"per_sensor": {}}}
    assert fleet["logging"]["level"] == "INFO"  # inputs untouched


@given(tree, tree)
def test_merging_over_itself_is_identity_and_empty_is_neutral(a: dict[str, Any],
                                                               b: dict[str, Any]) -> None:
    assert deep_merge(a, a) == a
    assert deep_merge(a, {}) == a
    assert deep_merge({}, b) == b
    merged = deep_merge(a, b)
    assert deep_merge(merged, b) == merged


def test_version_depends_on_content_not_key_order() -> None:
    assert config_version({"a": 1, "b": {"c": 2}}) == config_version({"b": {"c": 2}, "a": 1})
    assert config_version({"a": 1}) != config_version({"a": 2})
    assert len(config_version({})) == 16
