"""``Config`` is a read-only mapping with dotted lookups and a mutable copy."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ampho.config import Config, ReadOnlyMapping
from ampho.config.settings import ReadOnlyList
from ampho.config.tree import format_key, split_key

SETTINGS = """\
{
  "DEBUG": false,
  "DB": {"HOST": "localhost", "PORT": 5432, "OPTIONS": {"SSL": true}},
  "HOSTS": ["a", "b"],
  "ROUTES": [{"PATH": "/"}, ["nested", {"K": 1}]],
  "a.b": {"c": 1},
  "NOTHING": null
}
"""


@pytest.fixture
def cfg(load_root, write) -> Config:
    write("instance/default.json", SETTINGS)
    return load_root()


def test_config_is_a_mapping_of_top_level_keys(cfg):
    assert isinstance(cfg, Mapping)
    assert set(cfg) == {"DEBUG", "DB", "HOSTS", "ROUTES", "a.b", "NOTHING"}
    assert len(cfg) == 6
    assert "DB" in cfg
    assert "MISSING" not in cfg
    assert cfg.get("MISSING", 7) == 7
    assert cfg["NOTHING"] is None
    assert "NOTHING" in cfg


def test_item_assignment_and_deletion_fail(cfg):
    with pytest.raises(TypeError):
        cfg["DEBUG"] = True
    with pytest.raises(TypeError):
        del cfg["DEBUG"]
    with pytest.raises(AttributeError):
        cfg.update({"DEBUG": True})
    assert cfg["DEBUG"] is False


def test_nested_objects_are_read_only_mappings(cfg):
    db = cfg["DB"]
    assert isinstance(db, ReadOnlyMapping)
    assert isinstance(db["OPTIONS"], ReadOnlyMapping)
    with pytest.raises(TypeError):
        db["HOST"] = "changed"
    with pytest.raises(TypeError):
        db["OPTIONS"]["SSL"] = False
    assert cfg.lookup("DB.HOST") == "localhost"
    assert cfg.lookup("DB.OPTIONS.SSL") is True


def test_lists_come_back_as_tuples_all_the_way_down(cfg):
    assert cfg["HOSTS"] == ("a", "b")
    routes = cfg["ROUTES"]
    assert isinstance(routes, tuple)
    assert isinstance(routes[0], ReadOnlyMapping)
    assert isinstance(routes[1], tuple)
    assert isinstance(routes[1][1], ReadOnlyMapping)
    with pytest.raises(TypeError):
        routes[0]["PATH"] = "/x"
    with pytest.raises(AttributeError):
        cfg["HOSTS"].append("c")


def test_tuples_given_in_defaults_hold_read_only_objects(load_root):
    # A Python caller may hand in tuples; what they hold must be as
    # read-only as what lists hold.
    cfg = load_root(defaults=[{"ITEMS": ({"K": 1}, [2])}])
    items = cfg["ITEMS"]
    with pytest.raises(TypeError):
        items[0]["K"] = 99
    with pytest.raises(AttributeError):
        items[1].append(3)
    assert cfg.to_dict()["ITEMS"][0] == {"K": 1}


def test_lookup_by_dotted_key(cfg):
    assert cfg.lookup("DEBUG") is False
    assert cfg.lookup("DB.PORT") == 5432
    assert cfg.lookup("DB") == {"HOST": "localhost", "PORT": 5432, "OPTIONS": {"SSL": True}}
    assert isinstance(cfg.lookup("DB.OPTIONS"), ReadOnlyMapping)
    assert cfg.lookup("HOSTS") == ("a", "b")


def test_lookup_by_tuple_for_keys_with_dots(cfg):
    assert cfg.lookup(("a.b", "c")) == 1
    assert cfg.lookup(("DB", "PORT")) == 5432
    with pytest.raises(KeyError):
        cfg.lookup("a.b.c")


def test_lookup_by_a_quoted_part_for_keys_with_dots(cfg):
    assert cfg.lookup('"a.b".c') == 1
    assert cfg.lookup('"a.b"') == {"c": 1}
    assert cfg.origin('"a.b".c') == cfg.origin(("a.b", "c"))
    assert [s.value for s in cfg.explain('"a.b".c')] == [1]


def test_a_key_split_on_a_dot_it_holds_says_how_to_name_it(cfg):
    with pytest.raises(KeyError) as excinfo:
        cfg.lookup("a.b.c")
    assert excinfo.value.args[0] == (
        """a: no such key (the key 'a.b' holds a dot: name it "a.b".c)"""
    )


#: ``(key, path)``: how :func:`split_key` reads a key, and
#: :func:`format_key` writes the path back (as the key, when it is the
#: one way to write it).
KEYS = [
    ("DB.HOST", ("DB", "HOST")),
    ("DB", ("DB",)),
    ('"a.b"', ("a.b",)),
    ('LOGGERS."shop.orders".LEVEL', ("LOGGERS", "shop.orders", "LEVEL")),
    ('""', ("",)),
    ('A."".B', ("A", "", "B")),
    ('"\\"q"', ('"q',)),
    ('x"y.z', ('x"y', "z")),
    ('"a\\nb".c', ("a\nb", "c")),
    ('"\\u2028"', ("\u2028",)),
    ('"\\u0007"', ("\a",)),
    ("é.ü", ("é", "ü")),
    ("a b.c", ("a b", "c")),
    ('"a.b"."c.d"', ("a.b", "c.d")),
]


@pytest.mark.parametrize(("key", "path"), KEYS)
def test_split_key_and_format_key_are_inverses(key, path):
    assert split_key(key) == path
    assert format_key(path) == key
    assert split_key(path) == path


@pytest.mark.parametrize(("key", "path"), [("", ("",)), ("A..B", ("A", "", "B")), ('"a"', ("a",))])
def test_split_key_reads_other_spellings_too(key, path):
    assert split_key(key) == path


@pytest.mark.parametrize("key", ['"a', '"a"b', '"a"."b', '"\\q"', 'x."a"b.c'])
def test_split_key_refuses_a_quoted_part_that_is_not_json(key):
    with pytest.raises(KeyError) as excinfo:
        split_key(key)
    assert excinfo.value.args[0].startswith(f"{key}: a part in double quotes must be a JSON")


@given(st.lists(st.text(), min_size=1, max_size=4).map(tuple))
def test_any_key_path_survives_format_and_split(path):
    shown = format_key(path)
    assert split_key(shown) == path
    assert shown.isprintable()  # one line, whatever the keys hold


def test_lookup_with_default(cfg):
    sentinel = object()
    assert cfg.lookup("MISSING", sentinel) is sentinel
    assert cfg.lookup("DB.MISSING", None) is None
    assert cfg.lookup("DB.HOST.DEEPER", "d") == "d"
    assert cfg.lookup("NOTHING", "d") is None
    assert cfg.lookup("DB.PORT", 0) == 5432


def test_lookup_missing_top_level_key_names_it(cfg):
    with pytest.raises(KeyError) as excinfo:
        cfg.lookup("MISSING")
    assert "MISSING" in str(excinfo.value)


def test_lookup_missing_nested_key_names_the_missing_part(cfg):
    with pytest.raises(KeyError) as excinfo:
        cfg.lookup("DB.OPTIONS.TIMEOUT")
    message = str(excinfo.value)
    assert "'TIMEOUT'" in message
    assert "DB.OPTIONS" in message


def test_lookup_through_a_non_object_names_where_it_stops(cfg):
    with pytest.raises(KeyError) as excinfo:
        cfg.lookup("DB.HOST.X")
    message = str(excinfo.value)
    assert "DB.HOST" in message
    assert "str" in message


def test_getitem_missing_key_is_a_key_error(cfg):
    with pytest.raises(KeyError):
        cfg["MISSING"]
    with pytest.raises(KeyError):
        cfg["DB"]["MISSING"]


def test_to_dict_is_a_deep_plain_copy(cfg):
    data = cfg.to_dict()
    assert type(data) is dict
    assert type(data["DB"]) is dict
    assert type(data["DB"]["OPTIONS"]) is dict
    assert type(data["HOSTS"]) is list
    assert type(data["ROUTES"][0]) is dict
    assert data == {
        "DEBUG": False,
        "DB": {"HOST": "localhost", "PORT": 5432, "OPTIONS": {"SSL": True}},
        "HOSTS": ["a", "b"],
        "ROUTES": [{"PATH": "/"}, ["nested", {"K": 1}]],
        "a.b": {"c": 1},
        "NOTHING": None,
    }


def test_changing_to_dict_result_leaves_config_alone(cfg):
    before = copy.deepcopy(cfg.to_dict())
    data = cfg.to_dict()
    data["DEBUG"] = True
    data["DB"]["HOST"] = "changed"
    data["DB"]["OPTIONS"]["SSL"] = False
    data["HOSTS"].append("c")
    data["ROUTES"][0]["PATH"] = "/changed"
    data["ROUTES"][1][1]["K"] = 2
    data["NEW"] = 1
    assert cfg.to_dict() == before
    assert cfg.lookup("DB.OPTIONS.SSL") is True
    assert cfg["ROUTES"][1][1]["K"] == 1


def test_nested_view_to_dict(cfg):
    db = cfg["DB"].to_dict()
    db["OPTIONS"]["SSL"] = False
    assert cfg.lookup("DB.OPTIONS.SSL") is True
    assert cfg["DB"].lookup("OPTIONS.SSL") is True


def test_config_equals_plain_dicts_both_ways(cfg):
    expected = copy.deepcopy(cfg.to_dict())
    assert cfg == expected
    assert expected == cfg
    assert cfg["DB"] == expected["DB"]
    assert expected["DB"] == cfg["DB"]
    expected["DB"]["PORT"] = 1
    assert cfg != expected
    assert expected != cfg
    assert cfg != {}
    assert cfg != 42


def test_configs_loaded_alike_are_equal(cfg, load_root):
    assert cfg == load_root()
    assert cfg != load_root(overrides={"DEBUG": True})


def test_config_is_not_hashable(cfg):
    with pytest.raises(TypeError):
        hash(cfg)


def test_empty_config(load_root):
    cfg = load_root()
    assert cfg == {}
    assert len(cfg) == 0
    assert cfg.to_dict() == {}
    assert list(cfg) == []


def test_config_repr_names_env_and_root(cfg, root):
    text = repr(cfg)
    assert "production" in text
    assert str(root) in text


def test_config_equals_its_own_items_and_its_copy(load_root, write):
    write("instance/default.json", SETTINGS)
    cfg = load_root()
    # Lists read back as tuples; equality compares the trees all the same.
    assert cfg == dict(cfg)
    assert cfg == cfg.to_dict()
    assert cfg["ROUTES"] == cfg.to_dict()["ROUTES"]
    changed = cfg.to_dict()
    changed["HOSTS"].append("c")
    assert cfg != changed


def test_sets_given_by_callers_come_back_frozen_and_unshared(load_root):
    tags = {"a", "b"}
    cfg = load_root(overrides={"TAGS": tags, "RAW": bytearray(b"xy")})
    tags.add("c")
    assert cfg["TAGS"] == frozenset({"a", "b"})
    assert cfg["RAW"] == b"xy"
    copy_ = cfg.to_dict()
    assert copy_["TAGS"] == {"a", "b"} and copy_["TAGS"] is not tags


# -- values compare equal to the JSON they came from ---------------------------------


def test_lists_compare_equal_to_the_json_lists_they_came_from(cfg):
    parsed = json.loads(SETTINGS)
    assert cfg["HOSTS"] == ["a", "b"]
    assert ["a", "b"] == cfg["HOSTS"]  # noqa: SIM300 (the list's side first)
    assert cfg["HOSTS"] == ("a", "b")
    assert cfg["HOSTS"] != ["a"]
    assert cfg["HOSTS"] != ["a", "c"]
    assert (cfg["HOSTS"] != ["a", "b"]) is False
    assert cfg["ROUTES"] == parsed["ROUTES"]
    assert parsed["ROUTES"] == cfg["ROUTES"]
    assert cfg["ROUTES"][1] == ["nested", {"K": 1}]
    assert cfg["ROUTES"] != [{"PATH": "/"}, ["nested", {"K": 2}]]
    assert cfg.lookup("HOSTS") == parsed["HOSTS"]


def test_a_config_equals_the_json_it_came_from(cfg):
    parsed = json.loads(SETTINGS)
    assert cfg == parsed
    assert parsed == cfg
    assert cfg["DB"] == parsed["DB"]
    assert {"HOSTS": ["a", "b"]} == {"HOSTS": cfg["HOSTS"]}  # noqa: SIM300


def test_read_only_lists_are_tuples_that_nothing_can_change(cfg):
    hosts = cfg["HOSTS"]
    assert isinstance(hosts, tuple)
    assert isinstance(hosts, ReadOnlyList)
    assert not isinstance(hosts, list)
    with pytest.raises(TypeError):
        hosts[0] = "x"  # type: ignore[index]
    with pytest.raises(AttributeError):
        hosts.append("c")  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        cfg["ROUTES"][0]["PATH"] = "/x"
    both = cfg["ROUTES"] + cfg["ROUTES"]
    with pytest.raises(TypeError):
        both[0]["PATH"] = "/x"
    assert cfg["ROUTES"][0] == {"PATH": "/"}


def test_read_only_lists_hash_as_tuples_do(cfg):
    # Equal objects hash alike: a list is never hashed, and an equal
    # tuple has the same hash.
    assert hash(cfg["HOSTS"]) == hash(("a", "b"))
    assert {cfg["HOSTS"]: 1}[("a", "b")] == 1
    with pytest.raises(TypeError):
        hash(cfg["ROUTES"])  # it holds an object, which is not hashable


def test_to_list_is_a_deep_plain_copy(cfg):
    routes = cfg["ROUTES"].to_list()
    assert routes == [{"PATH": "/"}, ["nested", {"K": 1}]]
    assert type(routes) is list
    assert type(routes[0]) is dict
    assert type(routes[1]) is list
    assert type(routes[1][1]) is dict
    routes[1][1]["K"] = 2
    routes[1].append("more")
    assert cfg["ROUTES"][1] == ["nested", {"K": 1}]


def test_deeply_nested_lists_read_compare_and_copy(load_root):
    # Neither reading nor comparing nor copying recurses, so a list as
    # deep as a mapping layer can hold works (Python's own == on such
    # lists would not: it recurses, so the checks below walk by hand).
    cfg = load_root(overrides={"DEEP": _deep_list(5000)})
    value = cfg["DEEP"]
    assert value == _deep_list(5000)
    assert value != _deep_list(4999)
    copied = value.to_list()
    for _ in range(5000):
        assert type(copied) is list and len(copied) == 1
        copied = copied[0]
    assert copied == [1]


def _deep_list(depth: int) -> list:
    deep: list = [1]
    for _ in range(depth):
        deep = [deep]
    return deep


def test_errors_name_a_dotted_key_as_the_commands_take_it(tmp_path) -> None:
    # One key formatter: what an error line says can be pasted into `get`.
    from ampho.config import SettingsInvalid, load

    schema = {"properties": {"L": {"additionalProperties": {"type": "integer"}}}}
    with pytest.raises(SettingsInvalid) as excinfo:
        load(
            tmp_path,
            defaults=[("d", {"L": {"shop.orders": "x"}})],
            schemas=[("s", schema)],
            environ={},
            user="u",
            host="h",
            bundles=False,
        )
    assert 'L."shop.orders": ' in str(excinfo.value)
