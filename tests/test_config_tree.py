"""How layers merge, and that no input is changed or shared."""

from __future__ import annotations

import copy
import json
import tempfile
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ampho.config import Config, ReadOnlyMapping, load


def _files(write, default: str, production: str) -> None:
    write("instance/default.json", default)
    write("instance/production.json", production)


def test_objects_merge_key_by_key_at_every_depth(load_root, write):
    _files(
        write,
        '{"DB": {"HOST": "a", "OPTIONS": {"SSL": true, "TIMEOUT": 5}}, "KEEP": 1}',
        '{"DB": {"PORT": 1, "OPTIONS": {"TIMEOUT": 10}}}',
    )
    assert load_root().to_dict() == {
        "DB": {"HOST": "a", "PORT": 1, "OPTIONS": {"SSL": True, "TIMEOUT": 10}},
        "KEEP": 1,
    }


def test_lists_are_replaced_not_concatenated(load_root, write):
    _files(write, '{"L": [1, 2, 3], "O": {"L": [{"A": 1}]}}', '{"L": [4], "O": {"L": []}}')
    assert load_root().to_dict() == {"L": [4], "O": {"L": []}}


@pytest.mark.parametrize(
    ("lower", "upper"),
    [("1", "2"), ('"a"', '"b"'), ("true", "false"), ("1", "1.5"), ("1", '"1"'), ("[1]", '"s"')],
)
def test_scalars_are_replaced(load_root, write, lower, upper):
    _files(write, '{"V": ' + lower + "}", '{"V": ' + upper + "}")
    cfg = load_root()
    assert cfg.to_dict() == {"V": json.loads(upper)}


def test_null_sets_none_and_keeps_the_key(load_root, write):
    _files(write, '{"A": 1, "B": {"C": 1}}', '{"A": null, "B": null}')
    cfg = load_root()
    assert cfg.to_dict() == {"A": None, "B": None}
    assert "A" in cfg


def test_object_over_scalar_wins(load_root, write):
    _files(write, '{"A": 1, "B": [1]}', '{"A": {"X": 1}, "B": {"Y": 2}}')
    assert load_root().to_dict() == {"A": {"X": 1}, "B": {"Y": 2}}


def test_scalar_over_object_wins(load_root, write):
    _files(write, '{"A": {"X": 1}, "B": {"Y": 2}}', '{"A": 1, "B": [3]}')
    assert load_root().to_dict() == {"A": 1, "B": [3]}


def test_empty_object_over_object_changes_nothing(load_root, write):
    _files(write, '{"A": {"X": 1}}', '{"A": {}}')
    assert load_root().to_dict() == {"A": {"X": 1}}


def test_defaults_env_and_overrides_merge_deeply_too(load_root, write):
    write("instance/default.json", '{"DB": {"FILE": 1}}')
    cfg = load_root(
        defaults=[{"DB": {"D0": 0, "FILE": 0}}, ("two", {"DB": {"D1": 1}})],
        environ={"AMPHO_DB__ENV": "2"},
        overrides={"DB": {"OVER": 3}},
    )
    assert cfg.to_dict() == {"DB": {"D0": 0, "D1": 1, "FILE": 1, "ENV": 2, "OVER": 3}}


def test_overrides_type_conflicts_win_both_ways(load_root, write):
    write("instance/default.json", '{"A": {"X": 1}, "B": 2}')
    cfg = load_root(overrides={"A": "flat", "B": {"Y": 1}})
    assert cfg.to_dict() == {"A": "flat", "B": {"Y": 1}}


# -- nothing given is changed or shared -------------------------------------------


def _inputs() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    first = {"DB": {"HOST": "d0", "OPTIONS": {"SSL": True}}, "LIST": [1, {"K": "v"}], "ONLY0": {}}
    second = {"DB": {"PORT": 1}, "NEW": {"DEEP": [1, 2]}}
    overrides = {"DB": {"HOST": "over"}, "OVER": {"X": [{"Y": 1}]}, "LIST": [3, [4]]}
    return first, second, overrides


def _load_inputs(load_root, first, second, overrides) -> Config:
    return load_root(defaults=[first, ("second", second)], overrides=overrides)


def test_inputs_are_not_mutated(load_root, write):
    write("instance/default.json", '{"DB": {"HOST": "file", "X": 1}, "NEW": {"FILE": 1}}')
    first, second, overrides = _inputs()
    before = copy.deepcopy((first, second, overrides))
    _load_inputs(load_root, first, second, overrides)
    assert (first, second, overrides) == before


def _mutate_everything(first, second, overrides) -> None:
    first["DB"]["OPTIONS"]["SSL"] = "mutated"
    first["DB"]["HOST"] = "mutated"
    first["LIST"][1]["K"] = "mutated"
    first["ONLY0"]["NEW"] = 1
    first["ADDED"] = 1
    second["NEW"]["DEEP"].append(3)
    second["DB"]["PORT"] = "mutated"
    overrides["OVER"]["X"][0]["Y"] = "mutated"
    overrides["LIST"][1].append("mutated")
    overrides["DB"]["HOST"] = "mutated"


def test_mutating_inputs_after_load_does_not_change_the_config(load_root):
    first, second, overrides = _inputs()
    cfg = _load_inputs(load_root, first, second, overrides)
    snapshot = copy.deepcopy(cfg.to_dict())
    _mutate_everything(first, second, overrides)
    assert cfg.to_dict() == snapshot
    assert cfg.lookup("DB.OPTIONS.SSL") is True
    assert cfg.lookup("NEW.DEEP") == (1, 2)
    assert cfg.lookup("OVER.X")[0]["Y"] == 1
    # Provenance answers from the values as loaded, too.
    assert str(cfg.origin("DB.OPTIONS.SSL")) == "defaults[0]"
    with pytest.raises(KeyError):
        cfg.origin("ADDED")


def test_mutating_to_dict_result_does_not_change_inputs_or_config(load_root):
    first, second, overrides = _inputs()
    cfg = _load_inputs(load_root, first, second, overrides)
    before_inputs = copy.deepcopy((first, second, overrides))
    snapshot = copy.deepcopy(cfg.to_dict())
    data = cfg.to_dict()
    data["DB"]["OPTIONS"]["SSL"] = "mutated"
    data["LIST"][1].append("mutated")
    data["NEW"]["DEEP"].append("mutated")
    data["OVER"]["X"][0]["Y"] = "mutated"
    data["ONLY0"]["NEW"] = "mutated"
    assert (first, second, overrides) == before_inputs
    assert cfg.to_dict() == snapshot


def _containers(value: Any, found: dict[int, Any]) -> dict[int, Any]:
    """Every dict and list reachable from ``value``, by id."""
    if isinstance(value, (dict, list)):
        found[id(value)] = value
    if isinstance(value, ReadOnlyMapping):
        value = value._data  # the tree itself, not a view of it
        found[id(value)] = value
    if isinstance(value, dict):
        for item in value.values():
            _containers(item, found)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _containers(item, found)
    return found


def test_config_shares_no_mutable_object_with_inputs(load_root):
    first, second, overrides = _inputs()
    cfg = _load_inputs(load_root, first, second, overrides)
    ours = _containers(cfg, {})
    theirs = _containers((first, second, overrides), {})
    assert ours.keys().isdisjoint(theirs.keys())


def test_loading_twice_gives_equal_independent_configs(load_root, write):
    write("instance/default.json", '{"DB": {"FILE": [1]}}')
    first, second, overrides = _inputs()
    one = _load_inputs(load_root, first, second, overrides)
    two = _load_inputs(load_root, first, second, overrides)
    assert one == two
    assert one.to_dict() == two.to_dict()
    assert _containers(one, {}).keys().isdisjoint(_containers(two, {}).keys())


# -- the rule, against a reference merge ---------------------------------------------

KEYS = st.sampled_from(["A", "B", "C"])
LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.floats(allow_nan=False, allow_infinity=False)  # JSON has neither
    | st.text(max_size=3)
    | st.lists(st.integers(), max_size=2)
)
TREES = st.recursive(
    LEAVES, lambda children: st.dictionaries(KEYS, children, max_size=3), max_leaves=10
)
LAYERS = st.lists(st.dictionaries(KEYS, TREES, max_size=3), min_size=1, max_size=5)


def _reference_merge(lower: Any, upper: Any) -> Any:
    if isinstance(lower, dict) and isinstance(upper, dict):
        out = dict(lower)
        for key, value in upper.items():
            out[key] = _reference_merge(out[key], value) if key in out else value
        return out
    return upper


def _typed(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return (type(value).__name__, value)


@settings(max_examples=200, deadline=None)
@given(layers=LAYERS)
def test_merge_follows_the_reference_rule(layers):
    before = copy.deepcopy(layers)
    with tempfile.TemporaryDirectory() as tmp:
        cfg = load(
            root_dir=tmp,
            defaults=layers[:-1],
            overrides=layers[-1],
            user="u",
            host="h",
            environ={},
        )
    expected: Any = {}
    for layer in layers:
        expected = _reference_merge(expected, layer)
    assert _typed(cfg.to_dict()) == _typed(expected)
    assert layers == before
