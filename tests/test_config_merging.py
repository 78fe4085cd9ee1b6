"""Merging declared per key: ``"x-ampho-merge"`` in a schema.

Through ``load()``, ``create_app()`` with a bundle's ``schema.json``, and
the real ``ampho config`` command.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from processes import AMPHO, assert_one_line_error, run, write_tree

from ampho.config import Config, ConfigError

SCHEMA = {
    "properties": {
        "HOSTS": {"type": "array", "x-ampho-merge": "append"},
        "TAGS": {"type": "array", "x-ampho-merge": "unique"},
        "POOL": {"type": "object", "x-ampho-merge": "replace"},
        "MAIL": {"properties": {"TO": {"type": "array", "x-ampho-merge": "append"}}},
    }
}


@pytest.fixture
def layered(write: Callable[..., Path], load_root: Callable[..., Config]) -> Callable[..., Config]:
    """Loads a default.json and a production.json with the rules above."""

    def layered(default: dict[str, Any], production: dict[str, Any], **kwargs: Any) -> Config:
        write("instance/default.json", json.dumps(default))
        write("instance/production.json", json.dumps(production))
        return load_root(schemas=[SCHEMA], **kwargs)

    return layered


def test_append_takes_every_layers_items_lowest_first(
    layered: Callable[..., Config],
) -> None:
    cfg = layered(
        {"HOSTS": ["a", "b"], "MAIL": {"TO": ["ops"]}},
        {"HOSTS": ["c"], "MAIL": {"TO": ["dev"]}},
        environ={"AMPHO_HOSTS": '["d"]'},
        overrides={"HOSTS": ["e"]},
    )
    assert cfg.lookup("HOSTS").to_list() == ["a", "b", "c", "d", "e"]
    assert cfg.lookup("MAIL.TO").to_list() == ["ops", "dev"]
    # explain shows every layer that gave items.
    assert [str(s.origin) for s in cfg.explain("HOSTS")] == [
        "instance/default.json:1:2",
        "instance/production.json:1:2",
        "env AMPHO_HOSTS",
        "overrides",
    ]


def test_unique_keeps_an_item_once_where_it_first_came(
    layered: Callable[..., Config],
) -> None:
    cfg = layered({"TAGS": ["x", {"k": 1}]}, {"TAGS": [{"k": 1}, "y", "x"]})
    assert cfg.lookup("TAGS").to_list() == ["x", {"k": 1}, "y"]


def test_replace_takes_an_object_whole_from_the_highest_layer(
    layered: Callable[..., Config],
) -> None:
    cfg = layered({"POOL": {"one": 1, "two": 2}}, {"POOL": {"three": 3}})
    assert cfg["POOL"] == {"three": 3}
    cfg = layered({"POOL": {"one": 1, "two": 2}}, {})
    assert cfg["POOL"] == {"one": 1, "two": 2}


def test_without_a_rule_an_array_is_replaced_and_an_object_merged(
    write: Callable[..., Path], load_root: Callable[..., Config]
) -> None:
    write("instance/default.json", '{"L": [1, 2], "O": {"a": 1}}')
    write("instance/production.json", '{"L": [3], "O": {"b": 2}}')
    cfg = load_root(schemas=[SCHEMA])
    assert (cfg.lookup("L").to_list(), cfg["O"]) == ([3], {"a": 1, "b": 2})


def test_a_layer_that_gives_no_list_starts_the_list_again(
    layered: Callable[..., Config],
) -> None:
    cfg = layered({"HOSTS": ["a"]}, {"HOSTS": None}, environ={"AMPHO_HOSTS": '["b"]'})
    assert cfg.lookup("HOSTS").to_list() == ["b"]
    with pytest.raises(ConfigError) as caught:
        layered({"HOSTS": ["a"]}, {"HOSTS": None})
    assert "HOSTS: None is not of type 'array'" in str(caught.value)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            {"type": "array", "x-ampho-merge": "apend"},
            "x-ampho-merge is 'apend': for type 'array' it is \"replace\" or \"append\" or"
            ' "unique"',
        ),
        (
            {"type": "object", "x-ampho-merge": "append"},
            "x-ampho-merge is 'append': for type 'object' it is \"merge\" or \"replace\"",
        ),
        (
            {"x-ampho-merge": "append"},
            'x-ampho-merge is \'append\': it needs "type": "array" ("append", "unique")'
            ' or "object" ("replace")',
        ),
    ],
)
def test_a_rule_ampho_does_not_know_is_one_error_at_its_place(
    write: Callable[..., Path], load_root: Callable[..., Config], rule: Any, message: str
) -> None:
    write("schema.json", json.dumps({"properties": {"X": rule}}, indent=1))
    with pytest.raises(ConfigError) as caught:
        load_root(schemas=[("app/schema.json", "schema.json")])
    assert str(caught.value).startswith("app/schema.json:")
    assert str(caught.value).endswith(message)


APP = {
    "app/__init__.py": "REQUIRES = ['hosts']\n",
    "app/default.json": '{"HOSTS": ["app.example"]}\n',
    "hosts/__init__.py": "",
    "hosts/default.json": '{"HOSTS": ["localhost"]}\n',
    "hosts/schema.json": json.dumps(
        {"properties": {"HOSTS": {"type": "array", "x-ampho-merge": "append"}}}
    ),
    "instance/production.json": '{"HOSTS": ["www.example"]}\n',
}


def test_create_app_merges_as_a_bundles_schema_declares(app_tree: Any) -> None:
    app_tree.write(APP)
    app = app_tree.create_app()
    assert app.config["HOSTS"] == ["localhost", "app.example", "www.example"]


def test_config_schema_keeps_the_keyword_and_dump_shows_the_merge(tmp_path: Path) -> None:
    site = write_tree(tmp_path / "site", APP)
    schema = json.loads(run(AMPHO, ["config", "schema"], site).stdout)
    assert '"x-ampho-merge": "append"' in json.dumps(schema)
    dumped = run(AMPHO, ["config", "dump", "--explain", "HOSTS"], site)
    assert dumped.stdout.splitlines() == [
        'HOSTS = ["localhost", "app.example", "www.example"]  (instance/production.json:1:2)'
    ]


def test_a_bad_rule_is_one_error_line_of_the_command(tmp_path: Path) -> None:
    bad = {**APP, "hosts/schema.json": '{"properties": {"HOSTS": {"x-ampho-merge": 1}}}'}
    site = write_tree(tmp_path / "site", bad)
    line = assert_one_line_error(run(AMPHO, ["config", "dump"], site))
    assert line.startswith("Error: hosts/schema.json:1:27: x-ampho-merge is 1: it needs")


def test_explain_ends_an_appended_list_with_what_the_layers_made(tmp_path: Path) -> None:
    site = write_tree(tmp_path / "site", APP)
    lines = run(AMPHO, ["config", "explain", "HOSTS"], site).stdout.splitlines()
    assert lines[-1] == 'merged: ["localhost", "app.example", "www.example"]  (wins)'
    assert len(lines) == 4  # three layers, then the merge
