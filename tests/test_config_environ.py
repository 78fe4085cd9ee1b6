"""``AMPHO_*`` variables follow Flask's ``Config.from_prefixed_env``."""

from __future__ import annotations

import copy
import json
import math
import os
from typing import Any
from unittest import mock

import flask
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from ampho.config import ConfigError, Layer, load

CONTROL = ("AMPHO_ENV", "AMPHO_ENTRY", "AMPHO_ROOT")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("007", "007"),
        ("true", True),
        ("True", "True"),
        ("false", False),
        ("null", None),
        ("None", "None"),
        ('{"a":1}', {"a": 1}),
        ('"x"', "x"),
        ('"007"', "007"),
        ("x", "x"),
        ("42", 42),
        ("-1.5", -1.5),
        ("[1, 2]", [1, 2]),
        ("", ""),
        (" 3 ", 3),
        ("{bad", "{bad"),
        ("postgres://u:p@h/db", "postgres://u:p@h/db"),
    ],
)
def test_env_value_is_json_with_raw_string_fallback(load_root, raw, expected):
    cfg = load_root(environ={"AMPHO_VALUE": raw})
    value = cfg.to_dict()["VALUE"]
    assert value == expected
    assert type(value) is type(expected)


def test_env_prefix_is_stripped_and_other_variables_ignored(load_root):
    cfg = load_root(
        environ={"AMPHO_A": "1", "AMPHOB": "2", "XAMPHO_C": "3", "ampho_D": "4", "PATH": "/bin"}
    )
    assert cfg == {"A": 1}


def test_env_keys_keep_their_case(load_root):
    cfg = load_root(environ={"AMPHO_MixedCase": "1"})
    assert list(cfg) == ["MixedCase"]


@pytest.mark.parametrize("name", CONTROL)
def test_control_variables_are_never_config_keys(load_root, root, name):
    value = str(root) if name == "AMPHO_ROOT" else "dev"
    cfg = load_root(environ={name: value, "AMPHO_OTHER": "1"})
    assert cfg == {"OTHER": 1}
    assert name.removeprefix("AMPHO_") not in cfg


def test_control_names_nested_are_config_keys(load_root):
    cfg = load_root(environ={"AMPHO_ENV__X": "1", "AMPHO_ROOT_DIR": "2"})
    assert cfg.to_dict() == {"ENV": {"X": 1}, "ROOT_DIR": 2}


def test_double_underscore_nests_and_creates_dicts(load_root, write):
    write("instance/default.json", '{"DB": {"HOST": "file", "PORT": 5432}}')
    cfg = load_root(
        environ={"AMPHO_DB__HOST": "env.example", "AMPHO_NEW__DEEP__KEY": "[1]"},
    )
    assert cfg.to_dict() == {
        "DB": {"HOST": "env.example", "PORT": 5432},
        "NEW": {"DEEP": {"KEY": [1]}},
    }


def test_single_underscore_does_not_nest(load_root):
    cfg = load_root(environ={"AMPHO_DB_HOST": "x"})
    assert cfg.to_dict() == {"DB_HOST": "x"}


def test_env_object_value_replaces_the_whole_object(load_root, write):
    write("instance/default.json", '{"DB": {"HOST": "file", "PORT": 5432}}')
    cfg = load_root(environ={"AMPHO_DB": '{"HOST": "env"}'})
    assert cfg.to_dict() == {"DB": {"HOST": "env"}}


def test_env_variables_apply_in_sorted_order(load_root):
    # AMPHO_A sets an object, then AMPHO_A__B (sorted after it) adds to it.
    environ = {"AMPHO_A__B": "2", "AMPHO_A": '{"C": 1}'}
    cfg = load_root(environ=environ)
    assert cfg.to_dict() == {"A": {"C": 1, "B": 2}}
    # Sorted: AMPHO_A__B before AMPHO_A__B__C? "__B" < "__B__C", so B is
    # created as a number, then descended into: an error.
    with pytest.raises(ConfigError, match="AMPHO_A__B__C"):
        load_root(environ={"AMPHO_A__B__C": "1", "AMPHO_A__B": "1"})


def test_env_variable_applied_later_replaces_object_set_earlier(load_root):
    # Sorted, AMPHO_X (an object) comes before AMPHO_X__Y, which adds to
    # it instead of being thrown away; AMPHO_X_Z is another key.
    cfg = load_root(environ={"AMPHO_X_Z": "3", "AMPHO_X__Y": "2", "AMPHO_X": '{"W": 1}'})
    assert cfg.to_dict() == {"X": {"W": 1, "Y": 2}, "X_Z": 3}


def test_env_sits_above_files_and_below_overrides(load_root, write):
    write("instance/default.json", '{"A": "file", "B": "file", "C": "file"}')
    write("instance/u@h.json", '{"A": "user", "B": "user"}')
    cfg = load_root(environ={"AMPHO_A": "env", "AMPHO_B": "env"}, overrides={"A": "over"})
    assert cfg == {"A": "over", "B": "env", "C": "file"}


def test_env_layer_is_recorded(load_root):
    assert load_root(environ={"AMPHO_A": "1"}).layers[-2] == Layer("env", None, True)
    assert load_root(environ={"AMPHO_ENV": "x"}).layers[-2] == Layer("env", None, False)


def test_env_value_too_deep_for_json_stays_a_string(load_root):
    raw = "[" * 100000
    cfg = load_root(environ={"AMPHO_DEEP": raw})
    assert cfg["DEEP"] == raw


# -- the oracle: flask.Config.from_prefixed_env --------------------------------

KEYS = st.sampled_from(["A", "B", "A_B"])
SCALARS = st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.text("abx0 ", max_size=4)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(KEYS, children, max_size=3),
    max_leaves=12,
)
BASES = st.dictionaries(KEYS, VALUES, max_size=4)

JSON_TEXTS = st.sampled_from(
    [
        "007",
        "true",
        "True",
        "null",
        '{"a":1}',
        '{"A": {"B": 1}}',
        "{}",
        "[1,2]",
        '"q"',
        "1.5",
        "-3",
        "",
        "x",
        "NaN",
    ]
)
# No NUL and no lone surrogates: os.environ cannot hold them.
ENV_TEXTS = JSON_TEXTS | st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=8
)
PARTS = st.sampled_from(["A", "B", "A_B", "ENV", "ROOT", "ENTRY", ""])
NAMES = st.lists(PARTS, min_size=1, max_size=3).map(lambda parts: "AMPHO_" + "__".join(parts))
OTHER_NAMES = st.sampled_from(["AMPHOX_A", "XAMPHO_A", "OTHER"])


@st.composite
def environs(draw: st.DrawFn) -> dict[str, str]:
    names = draw(st.lists(NAMES | OTHER_NAMES, max_size=6, unique=True))
    environ = {}
    for name in names:
        if name in CONTROL:
            # They choose the environment, the entry bundle and the root:
            # keep them valid names, since they are not settings at all.
            valid = ["dev", "production", "x.y"] if name == "AMPHO_ENV" else ["dev", "no_app"]
            environ[name] = draw(st.sampled_from(valid))
        else:
            environ[name] = draw(ENV_TEXTS)
    return environ


def _canonical(value: Any) -> Any:
    """A form that compares types strictly and NaN equal to NaN."""
    if isinstance(value, dict):
        return ("dict", {k: _canonical(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [_canonical(v) for v in value])
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    return (type(value).__name__, value)


def _not_finite(raw: str) -> bool:
    """Whether Python's JSON decoder reads ``raw`` as a value holding NaN or inf."""
    try:
        value = json.loads(raw)
    except ValueError:
        return False
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, float) and not math.isfinite(item):
            return True
    return False


@pytest.fixture(scope="module")
def empty_root(tmp_path_factory):
    return tmp_path_factory.mktemp("empty-root")


@settings(max_examples=200, deadline=None)
@given(base=BASES, environ=environs())
def test_env_overrides_match_flask_from_prefixed_env(empty_root, base, environ):
    oracle = flask.Config(root_path=str(empty_root))
    oracle.update(copy.deepcopy(base))
    flask_environ = {k: v for k, v in environ.items() if k not in CONTROL}
    flask_error = None
    with mock.patch.dict(os.environ, flask_environ, clear=True):
        try:
            oracle.from_prefixed_env("AMPHO")
        except TypeError as e:
            flask_error = e

    ours_error = None
    try:
        cfg = load(
            root_dir=empty_root,
            defaults=[("base", base)],
            environ=environ,
            user="u",
            host="h",
        )
    except ConfigError as e:
        ours_error = e

    # The one difference by design: NaN, which Flask makes a float of,
    # is a ConfigError (JSON has no such number; no dump could print it).
    if any(_not_finite(raw) for name, raw in flask_environ.items() if name.startswith("AMPHO_")):
        event("not a JSON number")
        assert ours_error is not None
        assert str(ours_error).startswith("env AMPHO_")
        return
    event("collision" if flask_error is not None else "applied")
    assert (ours_error is None) == (flask_error is None), (ours_error, flask_error)
    if ours_error is None:
        assert _canonical(cfg.to_dict()) == _canonical(dict(oracle))
    else:
        assert str(ours_error).startswith("env AMPHO_")


def test_control_names_spread_into_variables_round_trip(tmp_path):
    from ampho.config.output import to_environ

    data = {"ENV": {"X": 1}, "ROOT": {"PATH": "/srv"}}
    variables = dict(to_environ(data, "AMPHO"))
    assert variables == {"AMPHO_ENV__X": "1", "AMPHO_ROOT__PATH": "/srv"}
    cfg = load(tmp_path, "production", user="u", host="h", environ=variables)
    assert cfg.to_dict() == data


# -- values JSON cannot hold -------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("NaN", "env AMPHO_RATE: RATE: NaN is not a JSON number: write a number, or null"),
        (
            "-Infinity",
            "env AMPHO_RATE: RATE: -Infinity is not a JSON number: write a number, or null",
        ),
        (
            '{"MAX": [1, 1e999]}',
            "env AMPHO_RATE: RATE.MAX.1: 1e999 is too large for a number (it would be infinity);"
            " write it as a string",
        ),
        (
            '"\\ud800"',
            "env AMPHO_RATE: RATE: the string holds \\ud800, half of a UTF-16 surrogate pair,"
            " which is not text: write the character itself, or both halves",
        ),
        (
            "caf\udcff",
            "env AMPHO_RATE: the value is not valid UTF-8 (byte 0xff); set it as UTF-8 text",
        ),
    ],
    ids=["NaN", "-Infinity", "1e999", "escaped surrogate", "undecodable byte"],
)
def test_env_values_json_cannot_hold_are_config_errors(load_root, raw, message):
    with pytest.raises(ConfigError) as excinfo:
        load_root(environ={"AMPHO_RATE": raw})
    assert str(excinfo.value) == message


def test_env_name_that_is_not_utf8_is_a_config_error(load_root):
    with pytest.raises(ConfigError) as excinfo:
        load_root(environ={"AMPHO_CAF\udcff": "1"})
    assert str(excinfo.value) == (
        "env AMPHO_CAF\\xff: the name is not valid UTF-8 (byte 0xff); set it as UTF-8 text"
    )


@pytest.mark.parametrize("raw", ["NaNa", "[NaN, x]", "Infinity!", "9" * 5000, "nan", "inf"])
def test_env_values_that_are_not_json_anyway_stay_strings(load_root, raw):
    # Flask's rule holds for them: json.loads fails, the string is kept.
    assert load_root(environ={"AMPHO_X": raw})["X"] == raw


def test_env_names_nest_up_to_the_limit(load_root):
    from ampho.config.sources.environ import MAX_NAME_LEVELS

    parts = [f"K{i}" for i in range(MAX_NAME_LEVELS)]
    cfg = load_root(environ={"AMPHO_" + "__".join(parts): "1"})
    assert cfg.lookup(tuple(parts)) == 1
    with pytest.raises(ConfigError) as excinfo:
        load_root(environ={"AMPHO_" + "__".join([*parts, "ONE_MORE"]): "1"})
    assert str(excinfo.value).endswith(
        f": the name nests {MAX_NAME_LEVELS + 1} levels; at most {MAX_NAME_LEVELS} are read"
    )
    assert str(excinfo.value).startswith("env AMPHO_K0__K1__")


@pytest.mark.parametrize(
    ("raw", "types", "expected"),
    [
        ('"01067"', {"string"}, '"01067"'),  # string only: never decoded
        ('"\\ud800"', {"string"}, '"\\ud800"'),  # an escape is text, not a surrogate
        ("NaN", {"string"}, "NaN"),
        ('"x"', {"string", "null"}, "x"),  # a string literal: the string, as Flask reads it
        ("null", {"string", "null"}, None),
        ("5", {"string", "null"}, "5"),  # decoded, but not a declared type
        ('"5"', {"string", "integer"}, "5"),  # how a dump writes the string 5
        ("5", {"string", "integer"}, 5),
        ('"x"', None, "x"),  # undeclared: as Flask reads it
        ('"x"', {"integer"}, "x"),  # no string declared: as Flask too
    ],
)
def test_declared_types_decide_how_a_value_is_read(
    raw: str, types: set[str] | None, expected: Any
) -> None:
    from ampho.config.sources.environ import parse_value

    declared = frozenset(types) if types is not None else None
    value = parse_value("env AMPHO_X", raw, ("X",), declared)
    assert value == expected
    assert type(value) is type(expected)


def test_a_declared_string_that_is_not_text_is_still_refused() -> None:
    from ampho.config.sources.environ import parse_value

    with pytest.raises(ConfigError, match="UTF-8"):
        parse_value("env AMPHO_X", "a\udcff", ("X",), frozenset({"string"}))
