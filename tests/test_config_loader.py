"""Which layers ``load()`` reads, where it finds them, in what order."""

from __future__ import annotations

import getpass
import json
import os
import socket
from pathlib import Path
from types import MappingProxyType

import pytest
from processes import call_as_user

from ampho.config import Config, ConfigError, Layer, load

# Layers in order, lowest first, as the spec lists them.
LAYER_ORDER = ["defaults", "default.json", "production.json", "user@host", "env", "overrides"]


def _load_with_layers(root: Path, write, upto: int) -> Config:
    """Set KEY in every layer from the lowest up to ``LAYER_ORDER[upto]``."""
    present = LAYER_ORDER[: upto + 1]
    for name in present:
        if name == "default.json":
            write("instance/default.json", '{"KEY": "default.json", "LOW": 1}')
        elif name == "production.json":
            write("instance/production.json", '{"KEY": "production.json"}')
        elif name == "user@host":
            write("instance/u@h.json", '{"KEY": "user@host"}')
    return load(
        root_dir=root,
        user="u",
        host="h",
        defaults=[("defaults", {"KEY": "defaults", "BOTTOM": True})],
        environ={"AMPHO_KEY": '"env"'} if "env" in present else {},
        overrides={"KEY": "overrides"} if "overrides" in present else None,
    )


@pytest.mark.parametrize("upto", range(len(LAYER_ORDER)), ids=LAYER_ORDER)
def test_highest_present_layer_wins(root, write, upto):
    cfg = _load_with_layers(root, write, upto)
    assert cfg["KEY"] == LAYER_ORDER[upto]
    # Lower layers still contribute the keys nobody above them set.
    assert cfg["BOTTOM"] is True


def test_layers_are_listed_lowest_first_with_paths_and_found_flags(root, write):
    write("instance/default.json", '{"A": 1}')
    write("instance/u@h.json", '{"B": 2}')
    cfg = load(
        root_dir=root,
        user="u",
        host="h",
        environ={"AMPHO_C": "3"},
        defaults=[{"Z": 0}, ("named", {"Y": 0})],
        overrides={"D": 4},
    )
    instance = root / "instance"
    assert cfg.layers == (
        Layer("defaults[0]", None, True),
        Layer("named", None, True),
        Layer("instance/default.json", str(instance / "default.json"), True),
        Layer("instance/production.json", str(instance / "production.json"), False),
        Layer("instance/u@h.json", str(instance / "u@h.json"), True),
        Layer("env", None, True),
        Layer("overrides", None, True),
    )
    assert all(isinstance(layer, Layer) for layer in cfg.layers)
    assert cfg == {"Z": 0, "Y": 0, "A": 1, "B": 2, "C": 3, "D": 4}


def test_missing_files_are_skipped_and_recorded_not_found(load_root, root):
    cfg = load_root()
    assert cfg == {}
    files = [layer for layer in cfg.layers if layer.path is not None]
    assert [layer.name for layer in files] == [
        "instance/default.json",
        "instance/production.json",
        "instance/u@h.json",
    ]
    assert [layer.found for layer in files] == [False, False, False]
    assert cfg.layers[-2:] == (Layer("env", None, False), Layer("overrides", None, False))


def test_missing_instance_directory_is_not_an_error(tmp_path):
    cfg = load(root_dir=tmp_path, user="u", host="h", environ={})
    assert cfg == {}
    assert not any(layer.found for layer in cfg.layers)


def test_layer_names_use_the_env_user_and_host(load_root, root, write):
    write("instance/staging.json", '{"WHO": "staging"}')
    write("instance/alice@box.example.json", '{"WHO": "alice"}')
    cfg = load_root(env="staging", user="alice", host="box.example")
    names = [layer.name for layer in cfg.layers]
    assert names[:3] == [
        "instance/default.json",
        "instance/staging.json",
        "instance/alice@box.example.json",
    ]
    assert [layer.found for layer in cfg.layers[:3]] == [False, True, True]
    assert cfg["WHO"] == "alice"


# -- defaults ---------------------------------------------------------------


def test_defaults_layers_apply_in_order_below_the_files(load_root, write):
    write("instance/default.json", '{"C": "file"}')
    cfg = load_root(
        defaults=[
            {"A": "first", "B": "first", "C": "first"},
            ("second", {"B": "second"}),
        ]
    )
    assert cfg == {"A": "first", "B": "second", "C": "file"}
    assert [layer.name for layer in cfg.layers[:2]] == ["defaults[0]", "second"]


def test_defaults_accepts_any_mapping(load_root):
    cfg = load_root(defaults=[MappingProxyType({"A": MappingProxyType({"B": 1})})])
    assert cfg.to_dict() == {"A": {"B": 1}}
    assert type(cfg.to_dict()["A"]) is dict


def test_defaults_file_is_read_relative_to_root(load_root, root, write):
    write("bundles/blog/defaults.json", '{\n  "BLOG": {"PER_PAGE": 10}\n}')
    write("instance/default.json", '{"BLOG": {"TITLE": "t"}}')
    cfg = load_root(defaults=[("blog", "bundles/blog/defaults.json")])
    assert cfg.to_dict() == {"BLOG": {"PER_PAGE": 10, "TITLE": "t"}}
    assert cfg.layers[0] == Layer("blog", str(root / "bundles/blog/defaults.json"), True)


def test_defaults_file_accepts_a_path_object_and_absolute_path(load_root, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "d.json"
    elsewhere.write_text('{"X": 1}')
    cfg = load_root(defaults=[("abs", elsewhere)])
    assert cfg["X"] == 1
    assert cfg.layers[0] == Layer("abs", str(elsewhere), True)


def test_missing_defaults_file_is_skipped_and_recorded(load_root, root):
    cfg = load_root(defaults=[("gone", "nope.json"), {"A": 1}])
    assert cfg == {"A": 1}
    assert cfg.layers[0] == Layer("gone", str(root / "nope.json"), False)
    assert cfg.layers[1] == Layer("defaults[1]", None, True)


def test_defaults_file_errors_are_reported_under_the_layer_name(load_root, write):
    write("d.json", '{"A": 1,}')
    with pytest.raises(ConfigError) as excinfo:
        load_root(defaults=[("bundle", "d.json")])
    assert str(excinfo.value) == "bundle:1:8: a comma before }: remove the trailing comma"


def test_defaults_file_is_read_like_instance_files_for_duplicates(load_root, write):
    write("d.json", '{"A": 1, "A": 2}')
    with pytest.raises(ConfigError, match="duplicate key 'A'"):
        load_root(defaults=[("bundle", "d.json")])


# -- root_dir and instance_dir ----------------------------------------------


def test_root_dir_argument_wins_over_ampho_root(tmp_path):
    (tmp_path / "a/instance").mkdir(parents=True)
    (tmp_path / "b/instance").mkdir(parents=True)
    (tmp_path / "a/instance/default.json").write_text('{"WHERE": "a"}')
    (tmp_path / "b/instance/default.json").write_text('{"WHERE": "b"}')
    cfg = load(
        root_dir=tmp_path / "a",
        user="u",
        host="h",
        environ={"AMPHO_ROOT": str(tmp_path / "b")},
    )
    assert cfg["WHERE"] == "a"
    assert cfg.root_dir == str(tmp_path / "a")


def test_root_dir_falls_back_to_ampho_root_from_environ(tmp_path, monkeypatch):
    (tmp_path / "b/instance").mkdir(parents=True)
    (tmp_path / "b/instance/default.json").write_text('{"WHERE": "b"}')
    monkeypatch.chdir(tmp_path)
    cfg = load(user="u", host="h", environ={"AMPHO_ROOT": str(tmp_path / "b")})
    assert cfg["WHERE"] == "b"
    assert cfg.root_dir == str(tmp_path / "b")
    assert "ROOT" not in cfg


def test_root_dir_falls_back_to_the_current_directory(tmp_path, monkeypatch):
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance/default.json").write_text('{"WHERE": "cwd"}')
    monkeypatch.chdir(tmp_path)
    cfg = load(user="u", host="h", environ={})
    assert cfg["WHERE"] == "cwd"
    assert cfg.root_dir == os.getcwd()


@pytest.mark.parametrize("value", ["missing-root", "/nonexistent/root", "file.txt"])
def test_ampho_root_naming_no_directory_is_a_config_error(tmp_path, monkeypatch, value):
    # A typo in a service file would otherwise load no settings at all.
    (tmp_path / "file.txt").write_text("")
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance/default.json").write_text('{"WHERE": "cwd"}')
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as excinfo:
        load(user="u", host="h", environ={"AMPHO_ROOT": value})
    assert str(excinfo.value) == (
        f"AMPHO_ROOT: {value!r} is not a directory: set it to the application's root directory"
    )


def test_ampho_root_is_not_looked_at_when_root_dir_is_given(tmp_path):
    (tmp_path / "instance").mkdir()
    cfg = load(tmp_path, user="u", host="h", environ={"AMPHO_ROOT": str(tmp_path / "missing")})
    assert cfg.root_dir == str(tmp_path)


def test_empty_ampho_root_falls_back_to_the_current_directory(tmp_path, monkeypatch):
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance/default.json").write_text('{"WHERE": "cwd"}')
    monkeypatch.chdir(tmp_path)
    cfg = load(user="u", host="h", environ={"AMPHO_ROOT": ""})
    assert cfg["WHERE"] == "cwd"


def test_relative_root_dir_becomes_absolute(tmp_path, monkeypatch):
    (tmp_path / "proj/instance").mkdir(parents=True)
    (tmp_path / "proj/instance/default.json").write_text('{"A": 1}')
    monkeypatch.chdir(tmp_path)
    cfg = load("proj", user="u", host="h", environ={})
    assert cfg["A"] == 1
    assert os.path.isabs(cfg.root_dir)
    assert cfg.root_dir == os.path.join(os.getcwd(), "proj")
    assert cfg.instance_dir == os.path.join(os.getcwd(), "proj", "instance")


def test_instance_dir_defaults_to_root_instance(load_root, root):
    cfg = load_root()
    assert cfg.instance_dir == str(root / "instance")


def test_instance_dir_argument_is_relative_to_root(load_root, root, write, monkeypatch):
    write("conf/default.json", '{"A": "conf"}')
    write("instance/default.json", '{"A": "instance"}')
    monkeypatch.chdir("/")
    cfg = load_root(instance_dir="conf")
    assert cfg["A"] == "conf"
    assert cfg.instance_dir == str(root / "conf")
    assert cfg.layers[0] == Layer("conf/default.json", str(root / "conf/default.json"), True)


def test_absolute_instance_dir_is_used_as_is(load_root, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("inst")
    (elsewhere / "default.json").write_text('{"A": "elsewhere"}')
    cfg = load_root(instance_dir=elsewhere)
    assert cfg["A"] == "elsewhere"
    assert cfg.instance_dir == str(elsewhere)
    # Outside the root, files are shown by their absolute path.
    assert cfg.layers[0].name == str(elsewhere / "default.json")


def test_config_directories_and_env_are_absolute_strings(load_root, root):
    cfg = load_root(root_dir=Path(root), env="dev")
    assert isinstance(cfg.root_dir, str)
    assert isinstance(cfg.instance_dir, str)
    assert os.path.isabs(cfg.root_dir)
    assert os.path.isabs(cfg.instance_dir)
    assert cfg.env == "dev"
    assert isinstance(cfg.env, str)


# -- env, user, host ----------------------------------------------------------


@pytest.mark.parametrize(
    ("argument", "environ", "expected"),
    [
        ("arg", {"AMPHO_ENV": "ampho", "FLASK_ENV": "flask"}, "arg"),
        (None, {"AMPHO_ENV": "ampho", "FLASK_ENV": "flask"}, "ampho"),
        (None, {"FLASK_ENV": "flask"}, "flask"),
        (None, {"AMPHO_ENV": "", "FLASK_ENV": "flask"}, "flask"),
        (None, {}, "production"),
    ],
    ids=["argument", "AMPHO_ENV", "FLASK_ENV", "empty-AMPHO_ENV", "production"],
)
def test_env_is_chosen_by_argument_then_ampho_env_then_flask_env(
    load_root, write, argument, environ, expected
):
    write(f"instance/{expected}.json", json.dumps({"FROM": expected}))
    cfg = load_root(env=argument, environ=environ)
    assert cfg.env == expected
    assert cfg["FROM"] == expected
    assert cfg.layers[1].name == f"instance/{expected}.json"
    assert "ENV" not in cfg


def test_ampho_env_uses_the_env_prefix(load_root):
    cfg = load_root(environ={"MYAPP_ENV": "dev", "AMPHO_ENV": "other"}, env_prefix="MYAPP")
    assert cfg.env == "dev"


def test_env_prefix_selects_the_override_variables(load_root):
    cfg = load_root(environ={"MYAPP_X": "1", "AMPHO_Y": "2"}, env_prefix="MYAPP")
    assert cfg == {"X": 1}


def _user_layer(cfg: Config) -> str:
    return cfg.layers[2].name


def test_user_argument_wins_over_user_variable(load_root):
    cfg = load_root(user="arg", environ={"USER": "var"})
    assert _user_layer(cfg) == "instance/arg@h.json"


def test_user_falls_back_to_user_variable_of_environ(load_root, monkeypatch):
    monkeypatch.setenv("USER", "os-user")
    cfg = load_root(user=None, environ={"USER": "var"})
    assert _user_layer(cfg) == "instance/var@h.json"


def test_user_falls_back_to_getpass_order_in_environ(load_root, monkeypatch):
    # getpass.getuser()'s order, LOGNAME first, read in environ= (issue 19:
    # it used to read os.environ whatever environ= said).
    monkeypatch.setenv("LOGNAME", "os-user")
    cfg = load_root(user=None, environ={"LOGNAME": "gp-user", "USERNAME": "other"})
    assert _user_layer(cfg) == "instance/gp-user@h.json"


def test_user_without_variables_is_the_password_database_name_as_getpass_finds_it(
    load_root, monkeypatch
):
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.delenv(name, raising=False)
    cfg = load_root(user=None, environ={})
    assert _user_layer(cfg) == f"instance/{getpass.getuser()}@h.json"


def test_host_argument_wins_over_hostname_variable(load_root):
    cfg = load_root(host="arg", environ={"HOSTNAME": "var"})
    assert _user_layer(cfg) == "instance/u@arg.json"


def test_host_falls_back_to_hostname_variable_of_environ(load_root, monkeypatch):
    monkeypatch.setenv("HOSTNAME", "os-host")
    cfg = load_root(host=None, environ={"HOSTNAME": "var"})
    assert _user_layer(cfg) == "instance/u@var.json"


def test_host_falls_back_to_the_machine_host_name(load_root, monkeypatch):
    monkeypatch.setenv("HOSTNAME", "os-host")
    cfg = load_root(host=None, environ={})
    assert _user_layer(cfg) == f"instance/u@{socket.gethostname()}.json"


def test_environ_mapping_replaces_os_environ_for_every_lookup(tmp_path, monkeypatch):
    other = tmp_path / "other"
    (other / "instance").mkdir(parents=True)
    (other / "instance/default.json").write_text('{"WHERE": "other"}')
    here = tmp_path / "here"
    (here / "instance").mkdir(parents=True)
    monkeypatch.chdir(here)
    monkeypatch.setenv("AMPHO_ROOT", str(other))
    monkeypatch.setenv("AMPHO_ENV", "osenv")
    monkeypatch.setenv("FLASK_ENV", "osflask")
    monkeypatch.setenv("AMPHO_LEAK", "1")
    monkeypatch.setenv("USER", "osuser")
    monkeypatch.setenv("HOSTNAME", "oshost")
    cfg = load(environ={"USER": "u", "HOSTNAME": "h"})
    assert cfg.root_dir == os.getcwd()
    assert cfg.env == "production"
    assert cfg == {}
    assert [layer.name for layer in cfg.layers[:3]] == [
        "instance/default.json",
        "instance/production.json",
        "instance/u@h.json",
    ]


def test_os_environ_is_read_when_no_environ_is_given(load_root, monkeypatch):
    for name in list(os.environ):
        if name.startswith("AMPHO_") or name == "FLASK_ENV":
            monkeypatch.delenv(name)
    monkeypatch.setenv("AMPHO_FROM_OS", "[1]")
    monkeypatch.setenv("AMPHO_ENV", "osenv")
    cfg = load_root(environ=None)
    assert cfg.to_dict() == {"FROM_OS": [1]}
    assert cfg.env == "osenv"


BAD_NAMES = ["../x", "a/b", "", "a\x00b", ".hidden", "..", "a\\b", "-x", "a b", "a@b", "x\n"]
# Letters and digits outside ASCII, which str.isalnum() alone would let through.
BAD_NAMES += ["caf\u00e9", "\u00b2", "x\u0663", "\u212a"]


@pytest.mark.parametrize("bad", BAD_NAMES, ids=repr)
@pytest.mark.parametrize("what", ["env", "user", "host"])
def test_unsafe_env_user_or_host_name_is_a_config_error(load_root, what, bad):
    with pytest.raises(ConfigError) as excinfo:
        load_root(**{what: bad})
    message = str(excinfo.value)
    assert ("environment" if what == "env" else what) in message
    assert repr(bad) in message
    assert "\n" not in message


@pytest.mark.parametrize("bad", ["../x", "a/b", ".hidden"])
@pytest.mark.parametrize("variable", ["AMPHO_ENV", "FLASK_ENV", "USER", "HOSTNAME"])
def test_unsafe_names_from_variables_are_config_errors(load_root, variable, bad):
    kwargs = {"environ": {variable: bad}}
    if variable == "USER":
        kwargs["user"] = None
    if variable == "HOSTNAME":
        kwargs["host"] = None
    with pytest.raises(ConfigError):
        load_root(**kwargs)


@pytest.mark.parametrize("good", ["a", "dev", "1x", "my-host_1.example.com", "A.b-c_d"])
def test_safe_names_are_accepted(load_root, write, good):
    write(f"instance/{good}.json", '{"ENV_FILE": true}')
    write(f"instance/{good}@{good}.json", '{"USER_FILE": true}')
    cfg = load_root(env=good, user=good, host=good)
    assert cfg == {"ENV_FILE": True, "USER_FILE": True}


def test_env_named_default_reads_default_json_once(load_root, write):
    write("instance/default.json", '{"A": 1}')
    cfg = load_root(env="default")
    names = [layer.name for layer in cfg.layers]
    assert names.count("instance/default.json") == 1
    assert names[1] == "instance/u@h.json"


NO_SUCH_UID = 54321


@pytest.mark.skipif(
    not hasattr(os, "fork") or os.geteuid() != 0,
    reason="needs root to run as a user id with no name",
)
def test_user_layer_is_listed_as_skipped_when_no_user_name_exists():
    # A container often runs as a bare user id: getpass finds no name.
    import pwd
    import shutil
    import tempfile

    # The child runs as a stranger: its root must be open to others.
    root = Path(tempfile.mkdtemp())
    os.chmod(root, 0o755)
    (root / "instance").mkdir(mode=0o755)
    (root / "instance/default.json").write_text('{"A": 1}')

    with pytest.raises(KeyError):
        pwd.getpwuid(NO_SUCH_UID)

    def child() -> dict:
        for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
            os.environ.pop(name, None)
        return {"layers": [list(layer) for layer in load(root, host="h", environ={}).layers]}

    out = call_as_user(NO_SUCH_UID, child)
    shutil.rmtree(root)
    assert out == {
        "layers": [
            ["instance/default.json", str(root / "instance/default.json"), True],
            ["instance/production.json", str(root / "instance/production.json"), False],
            ["instance/{user}@h.json", None, False],
            ["env", None, False],
            ["overrides", None, False],
        ]
    }


# --- the bundles' settings files (issue 10, point 7) -----------------------------------


def test_load_sees_the_bundles_default_json_as_the_application_does(app_tree) -> None:
    import sys

    from ampho import create_app

    app_tree.bundle("app", __init__="REQUIRES = ['blog', 'shop']")
    app_tree.bundle("blog")
    app_tree.bundle("shop", __init__="REQUIRES = ['blog']")
    app_tree.write(
        {
            "blog/default.json": '{"A": "blog", "B": "blog", "C": "blog"}',
            "shop/default.json": '{"B": "shop", "C": "shop"}',
            "app/default.json": '{"C": "app"}',
            "app/schema.json": '{"properties": {"C": {"type": "string"}}}',
            "instance/default.json": '{"SECRET_KEY": "k"}',
        }
    )
    path_before = list(sys.path)
    cfg = load(user="u", host="h", environ={})
    assert sys.path == path_before
    assert (cfg["A"], cfg["B"], cfg["C"]) == ("blog", "shop", "app")
    app_cfg = create_app().extensions["ampho"].config
    assert cfg.layers == app_cfg.layers
    assert cfg.to_dict() == app_cfg.to_dict()
    assert [s.name for s in cfg.schemas] == [s.name for s in app_cfg.schemas]
    assert [s.name for s in cfg.schemas] == ["ampho/logging/schema.json", "app/schema.json"]
    assert str(cfg.origin("B")) == "shop/default.json:1:2"


def test_load_follows_ampho_entry_for_the_bundles(app_tree) -> None:
    app_tree.bundle("portal")
    app_tree.write({"portal/default.json": '{"WHO": "portal"}'})
    assert "WHO" not in load(app_tree.root, user="u", host="h", environ={})
    cfg = load(app_tree.root, user="u", host="h", environ={"AMPHO_ENTRY": "portal"})
    assert cfg["WHO"] == "portal"


def test_bundles_false_leaves_the_bundles_out(app_tree) -> None:
    app_tree.bundle("app")
    app_tree.write({"app/default.json": '{"A": 1}', "app/schema.json": '{"required": ["NOPE"]}'})
    cfg = load(user="u", host="h", environ={}, bundles=False)
    assert "A" not in cfg
    assert cfg.schemas is None
    assert cfg.layers[0].name == "instance/default.json"


def test_the_callers_defaults_lie_beneath_the_bundles(app_tree) -> None:
    app_tree.bundle("app")
    app_tree.write({"app/default.json": '{"A": "bundle"}'})
    cfg = load(user="u", host="h", environ={}, defaults=[{"A": "mine", "B": "mine"}])
    assert (cfg["A"], cfg["B"]) == ("bundle", "mine")


def test_a_bundle_error_is_a_config_error_in_a_script(app_tree) -> None:
    app_tree.bundle("app", __init__="REQUIRES = ['missing']")
    with pytest.raises(ConfigError, match=r"no bundle named 'missing' \(required by 'app'\)"):
        load(user="u", host="h", environ={})


def test_load_with_bundles_imports_no_flask(app_tree) -> None:
    import subprocess
    import sys

    app_tree.bundle("app", __init__="REQUIRES = ['blog']")
    app_tree.bundle("blog")
    app_tree.write({"blog/default.json": '{"A": 1}', "blog/schema.json": '{"type": "object"}'})
    code = (
        "import sys; from ampho.config import load;"
        " c = load(user='u', host='h', environ={});"
        " print(c['A'], [m for m in ('flask', 'click', 'werkzeug') if m in sys.modules])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=app_tree.root,
        check=True,
        env={**os.environ, "PYTHONPATH": str(app_tree.root)},
    )
    assert result.stdout.strip() == "1 []"


def test_load_with_environ_takes_no_user_name_from_the_process_environment(
    root, write, monkeypatch
) -> None:
    # environ= is read instead of os.environ "for every lookup": the user
    # name too, which getpass would take from LOGNAME whatever was passed.
    import pwd

    monkeypatch.setenv("LOGNAME", "zed")
    write("instance/zed@h.json", '{"WHO": "zed"}')
    mine = pwd.getpwuid(os.getuid()).pw_name
    write(f"instance/{mine}@h.json", '{"WHO": "the account"}')
    assert load(root, environ={}, host="h")["WHO"] == "the account"
    assert load(root, environ={"LOGNAME": "zed"}, host="h")["WHO"] == "zed"
