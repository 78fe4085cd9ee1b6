"""The application factory: entry, root, instance, configuration, secret key.

Every test writes real packages with the ``app_tree`` fixture (which
clears ``AMPHO_*`` and sets ``USER=u``, ``HOSTNAME=h``); what must be
seen from a fresh interpreter runs in a subprocess.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask
from processes import free_port

import ampho
from ampho import create_app
from ampho.app import State
from ampho.config import Config, ConfigError, load
from ampho.config.errors import SettingsInvalid


def names(app: Flask) -> list[str]:
    return [bundle.name for bundle in app.extensions["ampho"].bundles]


def clean_environ(**extra: str) -> dict[str, str]:
    """An environment for a subprocess with no AMPHO_* or FLASK_* variables."""
    environ = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("AMPHO_", "FLASK_", "PYTHON"))
    }
    environ.update(USER="u", HOSTNAME="h", **extra)
    return environ


@pytest.fixture
def private_sys_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Undo whatever create_app adds to sys.path during the test."""
    monkeypatch.setattr(sys, "path", list(sys.path))


# --- the entry bundle -----------------------------------------------------------


def test_the_entry_defaults_to_the_app_package(app_tree) -> None:
    app_tree.bundle("app")
    app_tree.bundle("portal")
    app = create_app()
    assert app.name == "app"
    assert names(app) == ["app"]


def test_ampho_entry_chooses_the_entry_bundle(app_tree, monkeypatch) -> None:
    app_tree.bundle("app")
    app_tree.bundle("portal")
    monkeypatch.setenv("AMPHO_ENTRY", "portal")
    app = create_app()
    assert app.name == "portal"
    assert names(app) == ["portal"]


def test_an_entry_argument_wins_over_ampho_entry(app_tree, monkeypatch) -> None:
    app_tree.bundle("app")
    app_tree.bundle("portal")
    monkeypatch.setenv("AMPHO_ENTRY", "portal")
    app = create_app("app")
    assert app.name == "app"
    assert names(app) == ["app"]


def test_the_entry_bundle_is_loaded_last_and_is_the_state_entry(app_tree) -> None:
    app_tree.bundle("portal", __init__="REQUIRES = ['blog']")
    app_tree.bundle("blog")
    app = create_app("portal")
    state = app.extensions["ampho"]
    assert isinstance(state, State)
    assert state.entry.name == "portal"
    assert state.bundle("blog").name == "blog"
    with pytest.raises(KeyError):
        state.bundle("nope")


# --- the root and instance directories ------------------------------------------


def test_the_root_defaults_to_the_parent_of_the_entry_package(
    app_tree, tmp_path, monkeypatch
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    app_tree.bundle("app")
    app_tree.write({"instance/default.json": '{"WHERE": "root"}'})
    app = create_app()
    cfg = app.extensions["ampho"].config
    assert cfg.root_dir == str(app_tree.root)
    assert app.config["WHERE"] == "root"
    assert not (elsewhere / "instance").exists()


def test_ampho_root_chooses_the_root(app_tree, tmp_path, monkeypatch, private_sys_path) -> None:
    other = tmp_path / "other"
    (other / "instance").mkdir(parents=True)
    (other / "instance" / "default.json").write_text('{"WHERE": "other"}')
    app_tree.bundle("app")
    app_tree.write({"instance/default.json": '{"WHERE": "package parent"}'})
    monkeypatch.setenv("AMPHO_ROOT", str(other))
    app = create_app()
    assert app.config["WHERE"] == "other"
    assert app.instance_path == str(other / "instance")
    assert app.extensions["ampho"].config.root_dir == str(other)


def test_a_root_dir_argument_wins_over_ampho_root(
    app_tree, tmp_path, monkeypatch, private_sys_path
) -> None:
    app_tree.bundle("app")
    monkeypatch.setenv("AMPHO_ROOT", str(tmp_path / "from-env"))
    chosen = tmp_path / "chosen"
    app = create_app(root_dir=chosen)
    assert app.instance_path == str(chosen / "instance")
    assert not (tmp_path / "from-env").exists()


def test_a_root_dir_is_put_on_sys_path_so_its_bundles_import(
    app_tree, monkeypatch, private_sys_path
) -> None:
    app_tree.bundle("app", __init__="REQUIRES = ['blog']")
    app_tree.bundle("blog")
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p != str(app_tree.root)])
    app = create_app(root_dir=app_tree.root)
    assert names(app) == ["blog", "app"]
    assert sys.path[0] == str(app_tree.root)


def test_the_instance_directory_is_created_and_is_the_instance_path(app_tree) -> None:
    app_tree.bundle("app")
    instance = app_tree.root / "instance"
    assert not instance.exists()
    app = create_app()
    assert instance.is_dir()
    assert app.instance_path == str(instance)
    assert app.extensions["ampho"].config.instance_dir == str(instance)


def test_the_root_path_is_the_entry_package_and_open_resource_reads_from_it(app_tree) -> None:
    app_tree.bundle("portal")
    app_tree.write({"portal/x.txt": "inside the package", "x.txt": "beside it"})
    app = create_app("portal")
    assert app.root_path == str(app_tree.root / "portal")
    with app.open_resource("x.txt") as f:
        assert f.read() == b"inside the package"
    assert app.name == "portal"
    assert app.import_name == "portal"


def test_load_without_root_dir_finds_the_root_create_app_chooses(
    app_tree, tmp_path, monkeypatch
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    app_tree.bundle("app")
    app_tree.write({"instance/default.json": '{"WHERE": "root"}'})
    cfg = load()
    assert cfg.root_dir == str(app_tree.root)
    assert cfg["WHERE"] == "root"
    app = create_app()
    assert app.extensions["ampho"].config.root_dir == cfg.root_dir


def test_load_without_bundles_does_not_import_the_entry_bundle(
    app_tree, tmp_path, monkeypatch
) -> None:
    # Finding the root needs no import; reading REQUIRES does, which
    # bundles=False turns off.
    monkeypatch.chdir(tmp_path)
    app_tree.bundle("app", __init__="raise RuntimeError('imported')")
    assert load(bundles=False).root_dir == str(app_tree.root)
    assert "app" not in sys.modules


def test_load_without_root_dir_follows_ampho_entry(app_tree, tmp_path, monkeypatch) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    app_tree.bundle("portal")
    assert load().root_dir == str(elsewhere)  # no "app" package: the current directory
    monkeypatch.setenv("AMPHO_ENTRY", "portal")
    assert load().root_dir == str(app_tree.root)


def test_a_directory_named_app_without_init_is_not_taken_for_the_entry(
    app_tree, tmp_path, monkeypatch
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    app_tree.write({"app/instance/default.json": "{}", "app/views.py": ""})
    assert load().root_dir == str(elsewhere)
    with pytest.raises(ampho.BundleError) as excinfo:
        create_app()
    assert excinfo.value.missing == "app"


# --- the configuration -----------------------------------------------------------


def test_the_config_is_loaded_into_app_config_with_its_provenance_in_the_state(
    app_tree,
) -> None:
    app_tree.bundle("app")
    app_tree.write({"instance/default.json": '{\n  "GREETING": "hello",\n  "DB": {"PORT": 5}\n}'})
    app = create_app(config={"TESTING": True})
    assert app.config["GREETING"] == "hello"
    assert app.config["DB"] == {"PORT": 5}
    assert app.testing is True
    cfg = app.extensions["ampho"].config
    assert isinstance(cfg, Config)
    assert cfg["GREETING"] == "hello"
    assert str(cfg.origin("GREETING")) == "instance/default.json:2:3"
    assert str(cfg.origin("TESTING")) == "overrides"


def test_env_chooses_the_environment_file(app_tree) -> None:
    app_tree.bundle("app")
    app_tree.write(
        {
            "instance/production.json": '{"WHERE": "production"}',
            "instance/staging.json": '{"WHERE": "staging"}',
        }
    )
    assert create_app().config["WHERE"] == "production"
    app = create_app(env="staging")
    assert app.config["WHERE"] == "staging"
    assert app.extensions["ampho"].config.env == "staging"


LAYERS = [
    "blog/default.json",
    "app/default.json",
    "instance/default.json",
    "instance/production.json",
    "instance/u@h.json",
    "env",
    "overrides",
]


def test_layers_stack_bundle_defaults_dependencies_first_then_instance_env_and_config(
    app_tree, monkeypatch
) -> None:
    """Layer j sets Kj..K6 to j, so key Ki must come from exactly layer i."""
    app_tree.bundle("app", __init__="REQUIRES = ['blog']")
    app_tree.bundle("blog")
    for level, name in enumerate(LAYERS[:5]):
        app_tree.write({name: json.dumps({f"K{i}": level for i in range(level, 7)})})
    monkeypatch.setenv("AMPHO_K5", "5")
    monkeypatch.setenv("AMPHO_K6", "5")
    app = create_app(config={"K6": 6, "SECRET_KEY": "set"})
    cfg = app.extensions["ampho"].config
    assert [(layer.name, layer.found) for layer in cfg.layers] == [(n, True) for n in LAYERS]
    assert [app.config[f"K{i}"] for i in range(7)] == list(range(7))
    assert [str(cfg.origin(f"K{i}")).split(":")[0] for i in range(7)] == [
        *LAYERS[:5],
        "env AMPHO_K5",
        "overrides",
    ]


def test_config_argument_wins_over_every_layer(app_tree, monkeypatch) -> None:
    app_tree.bundle("app", __init__="REQUIRES = ['blog']")
    app_tree.bundle("blog")
    for name in LAYERS[:5]:
        app_tree.write({name: '{"X": "' + name + '"}'})
    monkeypatch.setenv("AMPHO_X", "env")
    app = create_app(config={"X": "config"})
    assert app.config["X"] == "config"
    assert str(app.extensions["ampho"].config.origin("X")) == "overrides"
    assert create_app().config["X"] == "env"


#: A settings module of tests, as a Flask project has one for ``from_object``.
TEST_SETTINGS = """
    X = "module"


    class BaseConfig:
        TESTING = True
        X = "base"


    class TestingConfig(BaseConfig):
        X = "class"
        lowercase = "not a setting"
"""


def _config_object(kind: str) -> object:
    """``config=`` of each kind Flask's ``from_object`` takes, from
    ``test_settings.py``; and the name its layer has."""
    import test_settings  # type: ignore[import-not-found]

    return {
        "class": test_settings.TestingConfig,
        "import string": "test_settings.TestingConfig",
        "colon import string": "test_settings:TestingConfig",
        "instance": test_settings.TestingConfig(),
        "module": test_settings,
    }[kind]


@pytest.mark.parametrize(
    ("kind", "layer", "x"),
    [
        ("class", "config=test_settings.TestingConfig", "class"),
        ("import string", "config=test_settings.TestingConfig", "class"),
        ("colon import string", "config=test_settings:TestingConfig", "class"),
        ("instance", "config=test_settings.TestingConfig()", "class"),
        ("module", "config=test_settings", "module"),
    ],
)
def test_config_may_be_what_flasks_from_object_takes_and_its_layer_is_named_after_it(
    app_tree, monkeypatch, kind: str, layer: str, x: str
) -> None:
    app_tree.bundle("app")
    app_tree.write({"test_settings.py": TEST_SETTINGS, "instance/default.json": '{"X": "file"}'})
    monkeypatch.setenv("AMPHO_X", "env")
    app = create_app(config=_config_object(kind))
    assert app.config["X"] == x  # above every layer, as a mapping is
    assert "lowercase" not in app.config
    cfg = app.extensions["ampho"].config
    assert str(cfg.origin("X")) == layer
    assert cfg.layers[-1].name == layer
    if kind != "module":
        assert app.testing is True  # inherited, as from_object reads it
        assert str(cfg.origin("TESTING")) == layer


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("test_settings.Nope", "module 'test_settings' has no attribute 'Nope'"),
        ("no_such_settings.TestingConfig", "No module named 'no_such_settings'"),
        ("no_such_settings", "No module named 'no_such_settings'"),
    ],
)
def test_a_config_import_string_that_does_not_import_is_one_line_naming_it(
    app_tree, name: str, reason: str
) -> None:
    app_tree.bundle("app")
    app_tree.write({"test_settings.py": TEST_SETTINGS})
    with pytest.raises(ConfigError) as raised:
        create_app(config=name)
    assert str(raised.value) == f"config: cannot import {name!r}: {reason}"


def test_bundle_default_json_lies_beneath_the_instance_files_and_merges(app_tree) -> None:
    app_tree.bundle("app", __init__="REQUIRES = ['blog']")
    app_tree.bundle("blog")
    app_tree.write(
        {
            "blog/default.json": (
                '{\n  "DB": {\n    "HOST": "blog", "PORT": 1\n  },\n  "ONLY_BLOG": 1\n}'
            ),
            "app/default.json": '{"DB": {"HOST": "app"}, "ONLY_APP": 2}',
            "instance/default.json": '{"DB": {"HOST": "instance"}}',
        }
    )
    app = create_app()
    assert app.config["DB"] == {"HOST": "instance", "PORT": 1}
    cfg = app.extensions["ampho"].config
    assert str(cfg.origin("DB.HOST")) == "instance/default.json:1:9"
    assert str(cfg.origin("DB.PORT")) == "blog/default.json:3:21"
    assert str(cfg.origin("ONLY_BLOG")) == "blog/default.json:5:3"
    assert str(cfg.origin("ONLY_APP")) == "app/default.json:1:25"


def test_a_later_bundle_default_json_wins_over_its_dependency(app_tree) -> None:
    app_tree.bundle("app", __init__="REQUIRES = ['blog', 'shop']")
    app_tree.bundle("blog")
    app_tree.bundle("shop")
    app_tree.write(
        {
            "blog/default.json": '{"A": "blog", "B": "blog", "C": "blog"}',
            "shop/default.json": '{"B": "shop", "C": "shop"}',
            "app/default.json": '{"C": "app"}',
        }
    )
    app = create_app(config={"SECRET_KEY": "set"})
    assert (app.config["A"], app.config["B"], app.config["C"]) == ("blog", "shop", "app")
    layers = [layer.name for layer in app.extensions["ampho"].config.layers]
    assert layers[:3] == ["blog/default.json", "shop/default.json", "app/default.json"]


def test_a_bundle_without_default_json_adds_no_layer(app_tree) -> None:
    app_tree.bundle("app", __init__="REQUIRES = ['blog']")
    app_tree.bundle("blog")
    app_tree.write({"blog/default.json": "{}"})
    layers = [layer.name for layer in create_app().extensions["ampho"].config.layers]
    assert "blog/default.json" in layers
    assert "app/default.json" not in layers


def test_a_broken_bundle_default_json_is_a_config_error_naming_it(app_tree) -> None:
    from ampho.config import ConfigError

    app_tree.bundle("app")
    app_tree.write({"app/default.json": '{"A": 1,}'})
    with pytest.raises(ConfigError) as excinfo:
        create_app()
    assert "app/default.json" in str(excinfo.value)


def test_lowercase_top_level_keys_stay_in_the_state_but_not_in_app_config(app_tree) -> None:
    """Flask's ``Config.from_mapping`` keeps upper-case keys only.

    ``lower`` is in ``app.extensions["ampho"].config`` with its origin,
    and absent from ``app.config``; keys nested under an upper-case key
    keep their case.
    """
    app_tree.bundle("app")
    app_tree.write({"instance/default.json": '{"lower": 1, "Mixed": 2, "UP": {"inner": 3}}'})
    app = create_app()
    assert "lower" not in app.config
    assert "Mixed" not in app.config
    assert app.config["UP"] == {"inner": 3}
    cfg = app.extensions["ampho"].config
    assert cfg["lower"] == 1
    assert str(cfg.origin("lower")) == "instance/default.json:1:2"


def test_the_state_config_is_read_only_and_app_config_is_a_separate_copy(app_tree) -> None:
    app_tree.bundle("app")
    app_tree.write({"instance/default.json": '{"DB": {"HOST": "a"}}'})
    app = create_app()
    app.config["DB"]["HOST"] = "changed"
    assert app.extensions["ampho"].config.lookup("DB.HOST") == "a"
    assert create_app().config["DB"] == {"HOST": "a"}


# --- the secret key ----------------------------------------------------------------


def test_a_missing_secret_key_is_generated_and_kept_in_the_instance_with_mode_0600(
    app_tree,
) -> None:
    app_tree.bundle("app")
    app = create_app()
    key_file = app_tree.root / "instance" / "secret_key"
    key = app.config["SECRET_KEY"]
    assert isinstance(key, str)
    assert len(key) >= 32
    assert key_file.read_text().strip() == key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    cfg = app.extensions["ampho"].config
    assert "secret_key" in str(cfg.origin("SECRET_KEY"))
    assert sorted(os.listdir(app_tree.root / "instance")) == ["secret_key"]


def test_the_generated_secret_key_is_the_lowest_layer(app_tree) -> None:
    app_tree.bundle("app")
    app_tree.write({"app/default.json": "{}"})
    cfg = create_app().extensions["ampho"].config
    assert [layer.name for layer in cfg.layers][:2] == [
        "instance/secret_key (generated)",
        "app/default.json",
    ]
    assert str(cfg.origin("SECRET_KEY")) == "instance/secret_key (generated)"


def test_the_generated_secret_key_is_reused_by_the_next_application(app_tree) -> None:
    app_tree.bundle("app")
    first = create_app().config["SECRET_KEY"]
    key_file = app_tree.root / "instance" / "secret_key"
    written = key_file.stat().st_mtime_ns
    second = create_app().config["SECRET_KEY"]
    assert second == first
    assert key_file.stat().st_mtime_ns == written


def test_two_fresh_roots_get_different_secret_keys(app_tree, tmp_path, private_sys_path) -> None:
    app_tree.bundle("app")
    one = create_app(root_dir=tmp_path / "one").config["SECRET_KEY"]
    two = create_app(root_dir=tmp_path / "two").config["SECRET_KEY"]
    assert one != two
    assert (tmp_path / "one" / "instance" / "secret_key").read_text().strip() == one
    assert (tmp_path / "two" / "instance" / "secret_key").read_text().strip() == two


def test_an_existing_secret_key_file_is_used(app_tree) -> None:
    app_tree.write({"instance/secret_key": "kept-from-before\n"})
    app_tree.bundle("app")
    assert create_app().config["SECRET_KEY"] == "kept-from-before"


def test_the_generated_secret_key_signs_sessions_across_applications(app_tree) -> None:
    app_tree.bundle(
        "app",
        views="""
        from flask import session
        from ampho import route

        @route("/set")
        def set_():
            session["who"] = "me"
            return "set"

        @route("/get")
        def get():
            return session.get("who", "nobody")
        """,
    )
    first = create_app().test_client()
    first.get("/set")
    cookie = first.get_cookie("session")
    second = create_app().test_client()
    second.set_cookie("session", cookie.value)
    assert second.get("/get").text == "me"


@pytest.mark.parametrize("layer", ["instance", "bundle", "env", "config"])
def test_a_secret_key_set_by_a_layer_writes_no_file(app_tree, monkeypatch, layer) -> None:
    app_tree.bundle("app")
    config = None
    if layer == "instance":
        app_tree.write({"instance/default.json": '{"SECRET_KEY": "given"}'})
    elif layer == "bundle":
        app_tree.write({"app/default.json": '{"SECRET_KEY": "given"}'})
    elif layer == "env":
        monkeypatch.setenv("AMPHO_SECRET_KEY", "given")
    else:
        config = {"SECRET_KEY": "given"}
    app = create_app(config=config)
    assert app.config["SECRET_KEY"] == "given"
    assert not (app_tree.root / "instance" / "secret_key").exists()
    assert "secret_key" not in str(app.extensions["ampho"].config.origin("SECRET_KEY"))


@pytest.mark.parametrize("value", ["null", '""'])
def test_a_null_or_empty_secret_key_in_a_layer_is_kept_and_nothing_generated(
    app_tree, value
) -> None:
    # The layer sets the key, to nothing: that is the user's choice, and
    # Flask refuses sessions without a key, so the mistake shows.
    app_tree.bundle("app")
    app_tree.write({"instance/default.json": f'{{"SECRET_KEY": {value}}}'})
    app = create_app()
    assert app.config["SECRET_KEY"] in (None, "")
    assert not (app_tree.root / "instance" / "secret_key").exists()


def test_a_layer_secret_key_wins_over_an_existing_generated_file(app_tree) -> None:
    app_tree.bundle("app")
    generated = create_app().config["SECRET_KEY"]
    app = create_app(config={"SECRET_KEY": "given"})
    assert app.config["SECRET_KEY"] == "given" != generated


OPENED = """
import json, os, sys

root = sys.argv[1]
opened = []


def audit(event, args):
    # Every open() and os.open(), missing files too: the attempt is the read.
    if event == "open" and isinstance(args[0], str) and args[0].startswith(root + os.sep):
        name = os.path.relpath(args[0], root)
        if name.endswith(".json") or name == "instance/secret_key":
            opened.append(name)


sys.addaudithook(audit)
from ampho import create_app

create_app(root_dir=root, config=json.loads(sys.argv[2]))
print(json.dumps(sorted(opened)))
"""

SETTINGS_FILES = [
    "app/default.json",
    "app/schema.json",
    "instance/default.json",
    "instance/production.json",
    "instance/u@h.json",
]


@pytest.mark.parametrize(
    ("start", "config", "key_file_read"),
    [
        ("fresh root, key generated", {}, True),
        ("key file kept from the first start", {}, True),
        ("key set by a layer", {"SECRET_KEY": "given"}, False),
    ],
)
def test_a_start_reads_each_settings_file_once(
    app_tree, tmp_path, start, config, key_file_read
) -> None:
    """One load per start, counted by an audit hook in a fresh interpreter.

    The generated key used to cost a second load of every layer; it is
    added to the one load as its lowest layer now.
    """
    app_tree.bundle("app")
    app_tree.write(
        {
            "app/default.json": '{"A": 1}',
            "app/schema.json": '{"properties": {"A": {"type": "integer"}}}',
            "instance/default.json": '{"B": 2}',
        }
    )
    if start == "key file kept from the first start":
        create_app()
    result = subprocess.run(
        [sys.executable, "-c", OPENED, str(app_tree.root), json.dumps(config)],
        capture_output=True,
        text=True,
        env=clean_environ(),
        cwd=tmp_path,
        timeout=60,
    )
    assert result.stderr == ""
    expected = SETTINGS_FILES + (["instance/secret_key"] if key_file_read else [])
    assert json.loads(result.stdout) == sorted(expected)


def test_the_generated_secret_key_gives_what_a_load_with_it_beneath_gives(
    app_tree, monkeypatch
) -> None:
    """The key added to the one load: the same values in the same order,
    layers, origins and explanations as loading with it as the lowest
    ``defaults`` layer, which is how the factory used to build it."""
    app_tree.bundle("app")
    app_tree.write(
        {
            "app/default.json": '{"DB": {"HOST": "a", "PORT": 1}, "A": 1}',
            "app/schema.json": '{"properties": {"SECRET_KEY": {"minLength": 32}}}',
            "instance/default.json": '{"DB": {"PORT": 2}}',
            "instance/u@h.json": '{"B": [1, 2]}',
        }
    )
    monkeypatch.setenv("AMPHO_C", "3")
    cfg = create_app(config={"D": {"E": True}}).extensions["ampho"].config
    generated = (
        "instance/secret_key (generated)",
        {"SECRET_KEY": (app_tree.root / "instance" / "secret_key").read_text().strip()},
    )
    loaded = load(app_tree.root, defaults=[generated], overrides={"D": {"E": True}})
    assert list(cfg) == list(loaded) == ["SECRET_KEY", "DB", "A", "B", "C", "D"]
    assert cfg == loaded
    assert cfg.layers == loaded.layers
    assert cfg.declared_secrets == loaded.declared_secrets
    for key in ("SECRET_KEY", "DB", "DB.HOST", "DB.PORT", "A", "B", "C", "D.E"):
        assert cfg.origin(key) == loaded.origin(key)
        assert [(s.layer, s.origin, s.value) for s in cfg.explain(key)] == [
            (s.layer, s.origin, s.value) for s in loaded.explain(key)
        ]


def test_the_schemas_still_judge_the_generated_secret_key(app_tree) -> None:
    """Validated with the key too: a schema may declare what a key must be."""
    app_tree.bundle("app")
    app_tree.write({"app/schema.json": '{"properties": {"SECRET_KEY": {"maxLength": 10}}}'})
    with pytest.raises(SettingsInvalid) as excinfo:
        create_app()
    assert excinfo.value.lines() == [
        "instance/secret_key (generated): SECRET_KEY: *** is too long (app/schema.json)"
    ]


def test_a_schema_requiring_a_secret_key_setting_refuses_to_generate_one(app_tree) -> None:
    """The settings are judged before a key is generated, as when they
    were loaded twice: a bundle can demand that the deployment sets it."""
    app_tree.bundle("app")
    app_tree.write({"app/schema.json": '{"required": ["SECRET_KEY"]}'})
    with pytest.raises(SettingsInvalid) as excinfo:
        create_app()
    assert excinfo.value.lines() == ["SECRET_KEY: is required (app/schema.json)"]
    assert not (app_tree.root / "instance" / "secret_key").exists()


def test_a_layer_beneath_a_config_only_fills_in_keys_no_layer_sets(root, write) -> None:
    write("instance/default.json", '{"A": 1}')
    cfg = load(root)
    with pytest.raises(ValueError) as excinfo:
        cfg.beneath("low", {"B": 2, "A": 0})
    assert str(excinfo.value) == "A is set already, beneath 'low'"
    below = cfg.beneath("low", {"B": {"C": 2}})
    assert below == {"B": {"C": 2}, "A": 1}
    assert str(below.origin("B.C")) == "low"
    assert [layer.name for layer in below.layers] == ["low", *(layer.name for layer in cfg.layers)]
    assert "B" not in cfg


CONCURRENT = """
import sys
from ampho import create_app
from ampho.config import ConfigError

sys.stdin.read()  # wait until every process is ready
try:
    app = create_app(root_dir=sys.argv[1])
except ConfigError as e:
    print("refused:", e)
    sys.exit(1)
print(app.config["SECRET_KEY"])
"""


def start_at_once(root: Path, tmp_path: Path, count: int = 8) -> list[tuple[int, str, str]]:
    """``(exit status, stdout, stderr)`` of processes building one root's app at once.

    Every process is started and blocks on its standard input; closing
    them all is the starting gun, so they race for ``instance/secret_key``.
    """
    logs = tmp_path / "logs"
    logs.mkdir()
    with contextlib.ExitStack() as stack:
        processes = []
        for i in range(count):
            out = stack.enter_context(open(logs / f"{i}.out", "w+", encoding="utf-8"))
            err = stack.enter_context(open(logs / f"{i}.err", "w+", encoding="utf-8"))
            process = subprocess.Popen(
                [sys.executable, "-c", CONCURRENT, str(root)],
                stdin=subprocess.PIPE,
                stdout=out,
                stderr=err,
                env=clean_environ(),
                cwd=tmp_path,
            )
            processes.append(stack.enter_context(process))
        for process in processes:
            process.stdin.close()  # the starting gun
        codes = [process.wait(timeout=60) for process in processes]
    return [
        (code, (logs / f"{i}.out").read_text(), (logs / f"{i}.err").read_text())
        for i, code in enumerate(codes)
    ]


def test_processes_starting_at_once_on_a_fresh_root_share_one_secret_key(
    app_tree, tmp_path
) -> None:
    app_tree.bundle("app")
    results = start_at_once(app_tree.root, tmp_path)
    assert [(code, err) for code, _, err in results] == [(0, "")] * len(results)
    keys = {out.strip() for _, out, _ in results}
    assert len(keys) == 1
    assert sorted(os.listdir(app_tree.root / "instance")) == ["secret_key"]
    assert (app_tree.root / "instance" / "secret_key").read_text().strip() in keys


@pytest.mark.parametrize("blank", ["", "\n", " \t\r\n\n"])
def test_a_blank_secret_key_file_is_refused_and_left_as_it_is(app_tree, blank) -> None:
    """Ampho never writes a blank key file, so somebody did: say so, change nothing.

    Used, it made every request that touches the session fail; a key
    generated over it would hide a deploy that wrote an empty secret.
    """
    app_tree.bundle("app")
    key_file = app_tree.root / "instance" / "secret_key"
    app_tree.write({"instance/secret_key": blank.encode()})
    with pytest.raises(ConfigError) as excinfo:
        create_app()
    assert str(excinfo.value) == (
        "instance/secret_key: is empty; write a key into it, remove it to have a new key"
        " generated, or set SECRET_KEY in the configuration"
    )
    assert excinfo.value.path == str(key_file)
    assert key_file.read_bytes() == blank.encode()
    assert sorted(os.listdir(key_file.parent)) == ["secret_key"]


def test_processes_starting_at_once_on_a_blank_secret_key_all_refuse_it(app_tree, tmp_path) -> None:
    app_tree.bundle("app")
    app_tree.write({"instance/secret_key": b"\n"})
    results = start_at_once(app_tree.root, tmp_path)
    assert {(code, out, err) for code, out, err in results} == {
        (
            1,
            "refused: instance/secret_key: is empty; write a key into it, remove it to have a"
            " new key generated, or set SECRET_KEY in the configuration\n",
            "",
        )
    }
    assert (app_tree.root / "instance" / "secret_key").read_bytes() == b"\n"
    assert sorted(os.listdir(app_tree.root / "instance")) == ["secret_key"]


def test_removing_a_blank_secret_key_file_has_a_key_generated(app_tree) -> None:
    """What the error says to do works."""
    app_tree.bundle("app")
    app_tree.write({"instance/secret_key": b""})
    with pytest.raises(ConfigError):
        create_app()
    (app_tree.root / "instance" / "secret_key").unlink()
    key = create_app().config["SECRET_KEY"]
    assert len(key) == 64
    assert (app_tree.root / "instance" / "secret_key").read_text() == key + "\n"


def test_a_secret_key_setting_wins_over_an_unusable_key_file(app_tree, monkeypatch) -> None:
    """The file is read only when no setting gives the key, so setting one is a way out."""
    app_tree.bundle("app")
    app_tree.write({"instance/secret_key": b"\xff\n"})
    monkeypatch.setenv("AMPHO_SECRET_KEY", "from-the-environment")
    assert create_app().config["SECRET_KEY"] == "from-the-environment"


def test_a_secret_key_file_that_is_a_link_is_read_through_it(app_tree, tmp_path) -> None:
    """Kubernetes and Docker mount secrets as links and files elsewhere."""
    app_tree.bundle("app")
    mounted = tmp_path / "secrets" / "key"
    mounted.parent.mkdir()
    mounted.write_text("a-key-mounted-from-a-secret-store-0123456789\n")
    (app_tree.root / "instance").mkdir()
    (app_tree.root / "instance" / "secret_key").symlink_to(mounted)
    assert create_app().config["SECRET_KEY"] == "a-key-mounted-from-a-secret-store-0123456789"


def test_a_secret_key_of_printable_ascii_with_spaces_is_used_as_written(app_tree) -> None:
    app_tree.bundle("app")
    app_tree.write({"instance/secret_key": "  correct horse battery staple!  \r\n"})
    assert create_app().config["SECRET_KEY"] == "correct horse battery staple!"


@pytest.mark.parametrize(
    ("content", "location", "what"),
    [
        (b"KEYPART\xe9KEYPART\n", "instance/secret_key:1:8", "is not ASCII text"),
        (b"\nKEYPART\x1bKEYPART", "instance/secret_key:2:8", "holds a control character"),
        (b"KEYPART\nKEYPART\n", "instance/secret_key:1:8", "holds a control character"),
    ],
)
def test_an_unusable_secret_key_is_located_and_never_quoted(
    app_tree, content, location, what
) -> None:
    app_tree.bundle("app")
    app_tree.write({"instance/secret_key": content})
    with pytest.raises(ConfigError) as excinfo:
        create_app()
    message = str(excinfo.value)
    assert message.startswith(f"{location}: {what}")
    assert (excinfo.value.line, excinfo.value.column) == tuple(
        int(n) for n in location.split(":")[1:]
    )
    assert "KEYPART" not in message


def test_a_key_that_cannot_be_written_leaves_no_file_behind(app_tree) -> None:
    """A full disk: the temporary file goes, and ``secret_key`` never appears.

    So the next start, with space again, generates the key: no blank or
    partial file stands in the way.
    """
    app_tree.bundle("app")
    instance = app_tree.root / "instance"
    instance.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", str(instance)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        filler = instance / "filler"
        with contextlib.suppress(OSError), open(filler, "wb") as f:
            while True:
                f.write(b"x" * 4096)
                f.flush()
        with pytest.raises(ConfigError) as excinfo:
            create_app()
        assert str(excinfo.value).startswith(
            "instance/secret_key: cannot be created: No space left on device;"
        )
        assert os.listdir(instance) == ["filler"]
        filler.unlink()
        key = create_app().config["SECRET_KEY"]
        assert (instance / "secret_key").read_text() == key + "\n"
    finally:
        subprocess.run(["umount", str(instance)], check=True)


def test_ampho_root_naming_no_directory_is_refused_and_nothing_is_created(
    app_tree, tmp_path, monkeypatch, private_sys_path
) -> None:
    """A typo in ``AMPHO_ROOT`` once made a new root with a new key there."""
    app_tree.bundle("app")
    monkeypatch.setenv("AMPHO_ROOT", str(tmp_path / "typo"))
    with pytest.raises(ConfigError) as excinfo:
        create_app()
    assert str(excinfo.value) == (
        f"AMPHO_ROOT: {str(tmp_path / 'typo')!r} is not a directory:"
        " set it to the application's root directory"
    )
    assert not (tmp_path / "typo").exists()


# --- many applications in one process ---------------------------------------------


def test_many_applications_are_each_complete_while_modules_run_once(app_tree) -> None:
    app_tree.write({"tracker.py": "imports = []\nhooks = []\n"})
    for name, requires in (("app", ["blog"]), ("blog", [])):
        app_tree.bundle(
            name,
            __init__=f"""
            import tracker
            from ampho import current_app

            REQUIRES = {requires!r}
            tracker.imports.append("{name}")

            def on_register():
                tracker.hooks.append(("register", "{name}", id(current_app._get_current_object())))

            def on_load():
                tracker.hooks.append(("load", "{name}", id(current_app._get_current_object())))
                current_app.config.setdefault("COUNT", []).append("{name}")
            """,
            views=f"""
            import tracker
            from ampho import route

            tracker.imports.append("{name}.views")

            @route("/{name}")
            def index():
                return "{name}"
            """,
            commands=f"""
            import click
            import tracker
            from ampho.cli import command

            tracker.imports.append("{name}.commands")

            @command("hello")
            def hello():
                click.echo("hello from {name}")
            """,
        )
    apps = [create_app(config={"TESTING": True}) for _ in range(3)]
    import tracker

    assert sorted(tracker.imports) == sorted(
        ["app", "app.views", "app.commands", "blog", "blog.views", "blog.commands"]
    )
    assert len({id(app) for app in apps}) == 3
    for app in apps:
        assert tracker.hooks.count(("register", "blog", id(app))) == 1
        assert tracker.hooks.count(("load", "app", id(app))) == 1
        assert [h for h in tracker.hooks if h[2] == id(app)] == [
            ("register", "blog", id(app)),
            ("register", "app", id(app)),
            ("load", "blog", id(app)),
            ("load", "app", id(app)),
        ]
        assert app.config["COUNT"] == ["blog", "app"]
        client = app.test_client()
        assert client.get("/app").text == "app"
        assert client.get("/blog").text == "blog"
        runner = app.test_cli_runner()
        assert runner.invoke(args=["app", "hello"]).output == "hello from app\n"
        assert runner.invoke(args=["blog", "hello"]).output == "hello from blog\n"
    first, second, _ = apps
    assert first.blueprints["blog"] is not second.blueprints["blog"]
    assert first.extensions["ampho"] is not second.extensions["ampho"]
    assert first.cli.commands["app"] is not second.cli.commands["app"]
    first.config["COUNT"].append("mutated")
    assert second.config["COUNT"] == ["blog", "app"]


# --- ampho.main ------------------------------------------------------------------

MAIN = (
    "import ampho.main as m; "
    "print(m.application is m.APPLICATION is m.app, m.application.name, "
    "m.application.instance_path)"
)


def test_ampho_main_builds_the_application_of_the_current_directory(app_tree) -> None:
    app_tree.bundle("app")
    result = subprocess.run(
        [sys.executable, "-c", MAIN],
        cwd=app_tree.root,
        env=clean_environ(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.split() == ["True", "app", str(app_tree.root / "instance")]


def test_ampho_main_follows_ampho_root_and_ampho_entry(app_tree, tmp_path: Path) -> None:
    app_tree.bundle("portal")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run(
        [sys.executable, "-c", MAIN],
        cwd=elsewhere,
        env=clean_environ(AMPHO_ROOT=str(app_tree.root), AMPHO_ENTRY="portal"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.split() == ["True", "portal", str(app_tree.root / "instance")]


BLANK_KEY_LINE = (
    "ampho.config.errors.ConfigError: instance/secret_key: is empty; write a key into it,"
    " remove it to have a new key generated, or set SECRET_KEY in the configuration"
)


def test_importing_ampho_main_with_a_blank_secret_key_raises_its_one_line(app_tree) -> None:
    """A WSGI server importing ``ampho.main`` ends its log with the located line."""
    app_tree.bundle("app")
    app_tree.write({"instance/secret_key": "\n"})
    result = subprocess.run(
        [sys.executable, "-c", "import ampho.main"],
        cwd=app_tree.root,
        env=clean_environ(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == BLANK_KEY_LINE


@pytest.mark.parametrize("preload", [False, True], ids=["workers", "preload"])
def test_gunicorn_with_a_blank_secret_key_stops_and_logs_the_line(
    app_tree, tmp_path, preload
) -> None:
    """Gunicorn gives up at boot, saying which file and what to do; nothing listens."""
    app_tree.bundle("app")
    app_tree.write({"instance/secret_key": "\n"})
    port = free_port()
    gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable))
    command = [gunicorn] if gunicorn else [sys.executable, "-m", "gunicorn"]
    options = ["--preload"] if preload else []
    result = subprocess.run(
        [*command, "-w", "2", "-b", f"127.0.0.1:{port}", *options, "ampho.main:application"],
        cwd=app_tree.root,
        env=clean_environ(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert BLANK_KEY_LINE in result.stderr.splitlines(), result.stderr


# --- the public API ---------------------------------------------------------------


def test_the_public_names_import_from_ampho() -> None:
    import flask

    import ampho.app.routing
    import ampho.app.templating
    import ampho.bundle
    import ampho.cli
    import ampho.errors
    from ampho import (
        AmphoError,
        Bundle,
        BundleError,
        __version__,
        cli,
        current_app,
        echo_error,
        echo_info,
        echo_success,
        echo_warning,
        g,
        render,
        request,
        route,
        settings,
    )
    from ampho import create_app as factory

    assert factory is ampho.app.create_app
    assert route is ampho.app.routing.route is ampho.app.route
    assert render is ampho.app.templating.render is ampho.app.render
    assert cli is ampho.cli
    assert callable(cli.command)
    assert (echo_info, echo_success, echo_warning, echo_error) == (
        ampho.cli.echo_info,
        ampho.cli.echo_success,
        ampho.cli.echo_warning,
        ampho.cli.echo_error,
    )
    assert (current_app, request, g) == (flask.current_app, flask.request, flask.g)
    assert (Bundle, BundleError) == (ampho.bundle.Bundle, ampho.bundle.BundleError)
    assert AmphoError is ampho.errors.AmphoError
    assert settings is ampho.app.factory.settings
    assert isinstance(__version__, str)
    assert __version__
    assert sorted(ampho.__all__) == sorted(
        [
            "AmphoError",
            "Bundle",
            "BundleError",
            "__version__",
            "cli",
            "create_app",
            "current_app",
            "echo_error",
            "echo_info",
            "echo_success",
            "echo_warning",
            "g",
            "render",
            "request",
            "route",
            "settings",
        ]
    )
    with pytest.raises(AttributeError):
        ampho.no_such_name  # noqa: B018


def test_importing_ampho_config_alone_does_not_import_flask_or_click(tmp_path) -> None:
    code = (
        "import sys, ampho.config; "
        "print(sorted(m for m in ('flask', 'click', 'werkzeug', 'jinja2') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=clean_environ(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.strip() == "[]"


# --- declared settings and the secrets directory (issue 10) -------------------------


def test_create_app_reads_the_secrets_directory_and_types_it_by_the_schemas(
    app_tree, monkeypatch
) -> None:
    app_tree.bundle("app")
    app_tree.write(
        {
            "app/schema.json": '{"properties": {"DB": {"properties": {"PORT":'
            ' {"type": "integer"}}}}}',
            "secrets/DB__PORT": "5432\n",
            "secrets/DB__PASSWORD": "pw\n",
            "secrets/SECRET_KEY": "from-a-file\n",
        }
    )
    monkeypatch.setenv("AMPHO_SECRETS_DIR", str(app_tree.root / "secrets"))
    app = create_app()
    assert app.config["DB"] == {"PORT": 5432, "PASSWORD": "pw"}
    assert app.config["SECRET_KEY"] == "from-a-file"
    assert "SECRETS_DIR" not in app.config
    cfg = app.extensions["ampho"].config
    assert str(cfg.origin("DB.PORT")) == "secrets/DB__PORT"
    assert {("DB", "PORT"), ("DB", "PASSWORD"), ("SECRET_KEY",)} <= cfg.declared_secrets
    assert not (app_tree.root / "instance" / "secret_key").exists()


def test_create_app_refuses_settings_that_break_a_bundles_schema(app_tree) -> None:
    from ampho.config import SettingsInvalid

    app_tree.bundle("app", __init__="REQUIRES = ['blog']")
    app_tree.bundle("blog")
    app_tree.write(
        {
            "blog/schema.json": '{"properties": {"BLOG": {"required": ["TITLE"]}}}',
            "blog/default.json": '{\n  "BLOG": {"PER_PAGE": 10}\n}\n',
        }
    )
    with pytest.raises(SettingsInvalid) as caught:
        create_app(config={"SECRET_KEY": "k"})
    assert caught.value.lines() == [
        "blog/default.json:2:11: BLOG.TITLE: is required (blog/schema.json)"
    ]
    app = create_app(config={"SECRET_KEY": "k", "BLOG": {"TITLE": "t"}})
    assert app.config["BLOG"] == {"PER_PAGE": 10, "TITLE": "t"}


def test_bundle_and_config_errors_share_one_base_that_prints_their_lines() -> None:
    from ampho import AmphoError, BundleError
    from ampho.config import ConfigError, SettingsInvalid

    assert issubclass(BundleError, AmphoError)
    assert issubclass(ConfigError, AmphoError) and issubclass(ConfigError, ValueError)
    assert BundleError("no bundle named 'x'").lines() == ["no bundle named 'x'"]
    error = ConfigError("a comma\nis missing", source="instance/default.json", line=2, column=9)
    assert error.lines() == ["instance/default.json:2:9: a comma is missing"]
    assert issubclass(SettingsInvalid, AmphoError)
    assert SettingsInvalid.lines is not AmphoError.lines  # one line per violation
