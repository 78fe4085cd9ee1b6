"""The instance directory can live anywhere: ``AMPHO_INSTANCE_DIR``, ``--instance``.

A container keeps its code in a read-only image and gets its settings
from a mounted volume (a Kubernetes ConfigMap), so the directory the
settings files are read from is named by ``AMPHO_INSTANCE_DIR`` (or
``ampho --instance DIR``, or ``instance_dir=``), absolute or relative to
the root directory. Every reader honours it: :func:`ampho.config.load`,
:func:`ampho.create_app`, ``ampho.main:application`` under Gunicorn and
uWSGI, every command, ``ampho config check`` and the reloader of
``ampho run``. A named directory that is missing is one line naming the
variable, never created; only the default ``<root>/instance`` is.

Each test writes a real tree under ``tmp_path``; commands and servers
run as real subprocesses with environments built from scratch.
"""

from __future__ import annotations

import hashlib
import json
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from processes import (
    AMPHO,
    free_port,
    request,
    run,
    server_environment,
    serving,
    tail,
    write_tree,
)
from test_deploy import uwsgi_command
from test_reloader import wait_for_greeting

from ampho import create_app
from ampho.config import Config, ConfigError, load

#: The one line for a named directory that is not there (after ``source: 'value'``).
DOES_NOT_EXIST = (
    "does not exist: name the directory the settings files are in"
    " (absolute, or relative to the root directory)"
)

#: The same, for a name taken by something that is not a directory.
NOT_A_DIRECTORY = (
    "is not a directory: name the directory the settings files are in"
    " (absolute, or relative to the root directory)"
)


# --- helpers ---------------------------------------------------------------------------


def write_json(directory: Path, files: dict[str, Any]) -> Path:
    """Write each value as a JSON file in ``directory``, created if need be."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (directory / name).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return directory


def kubelet_volume(directory: Path, files: dict[str, str]) -> Path:
    """A directory laid out as the kubelet mounts a ConfigMap or a Secret.

    The files are in a timestamped folder, ``..data`` links to it, and
    each name is a link through ``..data``, so an update swaps one link.
    """
    stamp = directory / "..2026_12_01_00_00_00.000000001"
    stamp.mkdir(parents=True)
    for name, text in files.items():
        (stamp / name).write_text(text, encoding="utf-8")
    (directory / "..data").symlink_to(stamp.name)
    for name in files:
        (directory / name).symlink_to(f"..data/{name}")
    return directory


def load_at(root: Path, environ: dict[str, str], **kwargs: Any) -> Config:
    """``load()`` at ``root`` as user ``u`` on host ``h``, with only ``environ``."""
    return load(root, user="u", host="h", environ=environ, **kwargs)


def error_line(
    source: str, value: str, what: str = DOES_NOT_EXIST, resolved: Path | None = None
) -> str:
    """The one line a named directory that cannot be used gives; a relative
    name is followed by the path it resolved to under the root."""
    shown = f"{value!r} ({resolved})" if resolved is not None else repr(value)
    return f"{source}: {shown} {what}"


def ampho(
    args: list[str], cwd: Path, timeout: float = 60, **env: str
) -> subprocess.CompletedProcess[str]:
    """The real ``ampho`` command in ``cwd``; ``HOME`` is hidden, never a bundle."""
    return run(AMPHO, args, cwd, home=".home", timeout=timeout, **env)


def ok(result: subprocess.CompletedProcess[str]) -> str:
    """The stdout of a run that succeeded without a word on stderr."""
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", result.stderr
    return result.stdout


def tree_state(root: Path) -> dict[str, tuple[int, int, float]]:
    """Every path under ``root`` with its type, mode and modification time."""
    found = {}
    for path in [root, *root.rglob("*")]:
        info = path.lstat()
        found[str(path.relative_to(root))] = (
            stat.S_IFMT(info.st_mode),
            stat.S_IMODE(info.st_mode),
            info.st_mtime,
        )
    return found


def make_read_only(top: Path) -> None:
    """Take write permission away from everything under ``top`` (links aside)."""
    for path in [top, *top.rglob("*")]:
        if not path.is_symlink():
            path.chmod(stat.S_IMODE(path.lstat().st_mode) & ~0o222)


def make_writable(top: Path) -> None:
    """Give the owner write permission back, so ``tmp_path`` can be removed."""
    for path in [top, *top.rglob("*")]:
        if not path.is_symlink():
            path.chmod(stat.S_IMODE(path.lstat().st_mode) | 0o200)


# --- load() ----------------------------------------------------------------------------


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A root directory whose default ``instance`` holds decoy settings.

    Reading them instead of the named directory's shows as ``"decoy"``.
    """
    root = tmp_path / "root"
    write_json(root / "instance", {"default.json": {"GREETING": "decoy", "DECOY": True}})
    return root


def test_the_variable_names_an_absolute_instance_dir(root: Path, tmp_path: Path) -> None:
    named = write_json(tmp_path / "settings", {"default.json": {"GREETING": "named"}})
    cfg = load_at(root, {"AMPHO_INSTANCE_DIR": str(named)})
    assert cfg["GREETING"] == "named"
    assert "DECOY" not in cfg
    assert cfg.instance_dir == str(named)


def test_a_relative_variable_is_relative_to_the_root_not_the_cwd(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_json(root / "conf", {"default.json": {"GREETING": "root/conf"}})
    elsewhere = write_json(tmp_path / "elsewhere" / "conf", {"default.json": {"GREETING": "cwd"}})
    monkeypatch.chdir(elsewhere.parent)
    cfg = load_at(root, {"AMPHO_INSTANCE_DIR": "conf"})
    assert cfg["GREETING"] == "root/conf"
    assert cfg.instance_dir == str(root / "conf")


def test_the_argument_beats_the_variable(root: Path, tmp_path: Path) -> None:
    by_variable = write_json(tmp_path / "variable", {"default.json": {"GREETING": "variable"}})
    by_argument = write_json(tmp_path / "argument", {"default.json": {"GREETING": "argument"}})
    cfg = load_at(root, {"AMPHO_INSTANCE_DIR": str(by_variable)}, instance_dir=by_argument)
    assert cfg["GREETING"] == "argument"
    assert cfg.instance_dir == str(by_argument)


def test_an_empty_variable_means_the_default(root: Path) -> None:
    """An unset value in a service file (``AMPHO_INSTANCE_DIR=``) names nothing."""
    cfg = load_at(root, {"AMPHO_INSTANCE_DIR": ""})
    assert cfg["GREETING"] == "decoy"
    assert cfg.instance_dir == str(root / "instance")


@pytest.mark.parametrize("relative", [False, True], ids=["absolute", "relative"])
def test_a_missing_named_dir_is_one_line_naming_the_variable_and_the_path(
    root: Path, tmp_path: Path, relative: bool
) -> None:
    value = "nope" if relative else str(tmp_path / "nope")
    with pytest.raises(ConfigError) as caught:
        load_at(root, {"AMPHO_INSTANCE_DIR": value})
    resolved = root / "nope" if relative else None
    assert str(caught.value) == error_line("AMPHO_INSTANCE_DIR", value, resolved=resolved)
    assert "\n" not in str(caught.value)
    assert not (root / "nope").exists()
    assert not (tmp_path / "nope").exists()


def test_a_missing_dir_given_as_the_argument_names_the_argument(root: Path, tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(ConfigError) as caught:
        load_at(root, {}, instance_dir=missing)
    assert str(caught.value) == error_line("instance_dir", str(missing))
    assert not missing.exists()


@pytest.mark.parametrize("how", ["variable", "argument"])
def test_a_file_named_as_the_instance_dir_is_not_a_directory(
    root: Path, tmp_path: Path, how: str
) -> None:
    file = tmp_path / "settings.json"
    file.write_text('{"GREETING": "a file"}', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        if how == "variable":
            load_at(root, {"AMPHO_INSTANCE_DIR": str(file)})
        else:
            load_at(root, {}, instance_dir=file)
    source = "AMPHO_INSTANCE_DIR" if how == "variable" else "instance_dir"
    assert str(caught.value) == error_line(source, str(file), NOT_A_DIRECTORY)
    assert file.is_file()


def test_a_missing_default_dir_loads_nothing_and_is_not_an_error(tmp_path: Path) -> None:
    cfg = load_at(tmp_path, {})
    assert cfg.to_dict() == {}
    assert cfg.instance_dir == str(tmp_path / "instance")
    assert not (tmp_path / "instance").exists()  # load() reads; the factory creates


def test_the_variable_is_not_a_setting(root: Path, tmp_path: Path) -> None:
    """It chooses which files are read; the other variables still apply."""
    named = write_json(tmp_path / "settings", {"default.json": {"GREETING": "named"}})
    cfg = load_at(root, {"AMPHO_INSTANCE_DIR": str(named), "AMPHO_COLOR": "red"})
    assert cfg.to_dict() == {"GREETING": "named", "COLOR": "red"}
    assert "INSTANCE_DIR" not in cfg


@pytest.mark.parametrize("inside", [False, True], ids=["outside-root", "inside-root"])
def test_origins_name_the_named_dirs_file(root: Path, tmp_path: Path, inside: bool) -> None:
    named = root / "conf" if inside else tmp_path / "settings"
    write_json(named, {"default.json": {"A": 1}, "production.json": {"GREETING": "named"}})
    cfg = load_at(root, {"AMPHO_INSTANCE_DIR": str(named)})
    origin = cfg.origin("GREETING")
    assert origin.layer.path == str(named / "production.json")
    shown = "conf/production.json" if inside else str(named / "production.json")
    assert str(origin) == f"{shown}:2:3"
    assert cfg.origin("A").layer.path == str(named / "default.json")
    files = [layer.path for layer in cfg.layers if layer.path is not None]
    assert files == [str(named / name) for name in ("default.json", "production.json", "u@h.json")]


# --- create_app() ----------------------------------------------------------------------


@pytest.mark.parametrize("how", ["variable", "relative-variable", "argument"])
def test_create_app_reads_the_named_dir_and_makes_it_the_instance_path(
    app_tree: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    app_tree.bundle("app")
    named = app_tree.root / "conf" if how == "relative-variable" else tmp_path / "settings"
    write_json(named, {"default.json": {"GREETING": "named"}})
    if how == "argument":
        app = create_app(root_dir=app_tree.root, instance_dir=named)
    else:
        value = "conf" if how == "relative-variable" else str(named)
        monkeypatch.setenv("AMPHO_INSTANCE_DIR", value)
        app = create_app(root_dir=app_tree.root)
    assert app.instance_path == str(named)
    assert app.config["GREETING"] == "named"
    assert app.extensions["ampho"].config.instance_dir == str(named)
    assert not (app_tree.root / "instance").exists()


def test_the_generated_secret_key_is_kept_in_the_named_dir(
    app_tree: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app_tree.bundle("app")
    named = write_json(tmp_path / "settings", {"default.json": {"GREETING": "named"}})
    monkeypatch.setenv("AMPHO_INSTANCE_DIR", str(named))
    app = create_app(root_dir=app_tree.root)
    key_file = named / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_text(encoding="ascii").strip() == app.config["SECRET_KEY"]
    assert str(app.extensions["ampho"].config.origin("SECRET_KEY")) == (f"{key_file} (generated)")
    # Not in the default directory, which is not even created.
    assert not (app_tree.root / "instance").exists()
    # The next start reads the same key from the named directory.
    assert create_app(root_dir=app_tree.root).config["SECRET_KEY"] == app.config["SECRET_KEY"]


@pytest.mark.parametrize("how", ["variable", "argument"])
def test_create_app_refuses_a_missing_named_dir_and_creates_nothing(
    app_tree: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    app_tree.bundle("app")
    missing = tmp_path / "nope"
    with pytest.raises(ConfigError) as caught:
        if how == "argument":
            create_app(root_dir=app_tree.root, instance_dir=missing)
        else:
            monkeypatch.setenv("AMPHO_INSTANCE_DIR", str(missing))
            create_app(root_dir=app_tree.root)
    source = "AMPHO_INSTANCE_DIR" if how == "variable" else "instance_dir"
    assert str(caught.value) == error_line(source, str(missing))
    assert not missing.exists()
    assert not (app_tree.root / "instance").exists()


# --- the command line ------------------------------------------------------------------

#: A bundle with one route and one command that shows what the application read.
CLI_TREE = {
    "app/__init__.py": "",
    "app/views.py": """
        from ampho import route


        @route("/hello")
        def hello():
            return "hello"
    """,
    "app/commands.py": """
        import json

        import ampho
        from ampho import current_app


        @ampho.cli.command("show")
        def show():
            \"\"\"Print the instance path and GREETING as JSON.\"\"\"
            print(json.dumps({
                "instance": current_app.instance_path,
                "GREETING": current_app.config.get("GREETING"),
            }))
    """,
}


def cli_root(tmp_path: Path) -> Path:
    """A root with the ``app`` bundle, and no instance directory of its own."""
    return write_tree(tmp_path / "root", CLI_TREE)


def named_dir(tmp_path: Path) -> Path:
    """A settings directory outside the root."""
    return write_json(
        tmp_path / "settings",
        {"default.json": {"GREETING": "named", "DB": {"HOST": "db.named"}}},
    )


def test_instance_option_names_the_dir_for_config_get(tmp_path: Path) -> None:
    root = cli_root(tmp_path)
    named = named_dir(tmp_path)
    out = ok(ampho(["--instance", str(named), "config", "get", "GREETING"], root))
    assert out == "named\n"
    assert not (root / "instance").exists()


def test_the_variable_names_the_dir_for_config_dump(tmp_path: Path) -> None:
    root = cli_root(tmp_path)
    named = named_dir(tmp_path)
    out = ok(ampho(["config", "dump"], root, AMPHO_INSTANCE_DIR=str(named)))
    assert json.loads(out) == {"GREETING": "named", "DB": {"HOST": "db.named"}}
    explained = ok(ampho(["config", "dump", "--explain"], root, AMPHO_INSTANCE_DIR=str(named)))
    assert explained.splitlines() == [
        f'DB.HOST = "db.named"  ({named / "default.json"}:4:5)',
        f'GREETING = "named"  ({named / "default.json"}:2:3)',
    ]


def test_a_relative_instance_option_is_relative_to_the_root_not_the_cwd(tmp_path: Path) -> None:
    root = cli_root(tmp_path)
    write_json(root / "conf", {"default.json": {"GREETING": "root/conf"}})
    elsewhere = tmp_path / "elsewhere"
    write_json(elsewhere / "conf", {"default.json": {"GREETING": "cwd/conf"}})
    args = ["--root", str(root), "--instance", "conf", "config", "get", "GREETING"]
    assert ok(ampho(args, elsewhere)) == "root/conf\n"
    show = ["--root", str(root), "--instance", "conf", "app", "show"]
    assert json.loads(ok(ampho(show, elsewhere))) == {
        "instance": str(root / "conf"),
        "GREETING": "root/conf",
    }


def test_routes_and_bundle_commands_use_the_named_dir(tmp_path: Path) -> None:
    """Commands that build the application: it reads the named directory,
    and the default one is never created."""
    root = cli_root(tmp_path)
    named = named_dir(tmp_path)
    routes = ok(ampho(["--instance", str(named), "routes"], root))
    assert "app.hello" in routes
    assert "/hello" in routes
    shown = json.loads(ok(ampho(["--instance", str(named), "app", "show"], root)))
    assert shown == {"instance": str(named), "GREETING": "named"}
    by_variable = json.loads(ok(ampho(["app", "show"], root, AMPHO_INSTANCE_DIR=str(named))))
    assert by_variable == shown
    # The generated key went where the settings are.
    assert (named / "secret_key").is_file()
    assert not (root / "instance").exists()


@pytest.mark.parametrize(
    "command",
    [["config", "get", "GREETING"], ["config", "check"], ["routes"], ["run"]],
    ids=lambda command: " ".join(command),
)
@pytest.mark.parametrize("how", ["option", "variable"])
def test_a_missing_instance_dir_is_one_error_line(
    tmp_path: Path, command: list[str], how: str
) -> None:
    root = cli_root(tmp_path)
    missing = tmp_path / "nope"
    if command == ["run"]:
        # Were the directory ignored, the server would start: on a port of ours.
        command = ["run", "--host", "127.0.0.1", "--port", str(free_port())]
    # An error comes at once; a server that started would end at the timeout.
    if how == "option":
        result = ampho(["--instance", str(missing), *command], root, timeout=20)
    else:
        result = ampho(command, root, timeout=20, AMPHO_INSTANCE_DIR=str(missing))
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    assert result.stderr == f"Error: {error_line('AMPHO_INSTANCE_DIR', str(missing))}\n"
    assert not missing.exists()
    assert not (root / "instance").exists()


def test_a_file_named_by_the_instance_option_is_one_error_line(tmp_path: Path) -> None:
    root = cli_root(tmp_path)
    write_tree(root, {"conf": "not a directory\n"})
    result = ampho(["--instance", "conf", "config", "get", "GREETING"], root)
    assert result.returncode == 1
    assert result.stdout == ""
    line = error_line("AMPHO_INSTANCE_DIR", "conf", NOT_A_DIRECTORY, resolved=root / "conf")
    assert result.stderr == f"Error: {line}\n"


@pytest.mark.parametrize("how", ["option", "variable"])
def test_config_check_checks_the_named_dirs_files(tmp_path: Path, how: str) -> None:
    root = cli_root(tmp_path)
    named = named_dir(tmp_path)
    (named / "production.json").write_text('{\n  "GREETTING": "typo"\n}\n', encoding="utf-8")
    # A typo of its own in the default directory, which must not be read.
    write_json(root / "instance", {"default.json": {"COLOR": "red"}, "production.json": {"X": 1}})
    if how == "option":
        result = ampho(["--instance", str(named), "config", "check"], root)
    else:
        result = ampho(["config", "check"], root, AMPHO_INSTANCE_DIR=str(named))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"{named / 'production.json'}:2:3: warning: GREETTING is not in default.json"
        " (did you mean GREETING?)"
    ]
    assert result.stderr == "0 error(s), 1 warning(s)\n"


# --- a container: read-only code, a ConfigMap and a Secret, Gunicorn and uWSGI ----------

#: A bundle whose view shows where its settings came from; secrets as digests only.
CONTAINER_TREE = {
    "app/__init__.py": "",
    "app/views.py": """
        import hashlib

        from ampho import current_app, route


        def digest(text):
            return hashlib.sha256(text.encode("utf-8")).hexdigest()


        @route("/settings")
        def settings():
            config = current_app.config
            return {
                "GREETING": config["GREETING"],
                "DB_HOST": config["DB"]["HOST"],
                "DB_PASSWORD_SHA256": digest(config["DB"]["PASSWORD"]),
                "SECRET_KEY_SHA256": digest(config["SECRET_KEY"]),
                "instance_path": current_app.instance_path,
            }
    """,
}

#: The ConfigMap's files. Containers log to the console, not to files in the image.
CONFIG_MAP = {
    "default.json": json.dumps(
        {
            "GREETING": "from the config map",
            "DB": {"HOST": "db.internal"},
            "LOG_FILES_ENABLED": False,
        }
    ),
    "production.json": json.dumps({"GREETING": "from the config map, production"}),
}

#: The Secret's files: one a setting, ``__`` nesting.
SECRETS = {"SECRET_KEY": "k" * 64 + "\n", "DB__PASSWORD": "s3cr3t-pa55\n"}


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def container(tmp_path: Path) -> tuple[Path, Path, Path]:
    """The image's code root, a ConfigMap volume and a Secret volume, read-only."""
    root = write_tree(tmp_path / "image" / "srv", CONTAINER_TREE)
    config_map = kubelet_volume(tmp_path / "etc" / "config", CONFIG_MAP)
    secrets = kubelet_volume(tmp_path / "etc" / "secrets", SECRETS)
    for top in (root, config_map, secrets):
        make_read_only(top)
    return root, config_map, secrets


def container_server(server: str, port: int, home: Path) -> list[str]:
    """``gunicorn ... ampho.main:application`` or ``uwsgi ... --module ampho.main``."""
    if server == "gunicorn":
        return [
            *(sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}"),
            *("--graceful-timeout", "10", "ampho.main:application"),
        ]
    uwsgi, _ = uwsgi_command(home)
    return [
        *(uwsgi, "--http", f"127.0.0.1:{port}", "--module", "ampho.main"),
        *("--master", "--processes", "2", "--need-app", "--die-on-term"),
    ]


@pytest.mark.parametrize("server", ["gunicorn", "uwsgi"])
def test_a_container_serves_settings_from_a_config_map_and_secrets(
    tmp_path: Path, server: str
) -> None:
    root, config_map, secrets = container(tmp_path)
    home = tmp_path / "home"
    port = free_port()
    command = container_server(server, port, home)
    env = server_environment(
        home,
        AMPHO_INSTANCE_DIR=str(config_map),
        AMPHO_SECRETS_DIR=str(secrets),
        # As an image sets it: no bytecode written beside read-only code.
        PYTHONDONTWRITEBYTECODE="1",
    )
    before = {top: tree_state(top) for top in (root, config_map, secrets)}
    log = tmp_path / "server.log"
    try:
        with serving(command, root, port, env, log):
            response = request(port, "/settings")
            assert response.status == 200, response.text
            assert response.json() == {
                "GREETING": "from the config map, production",
                "DB_HOST": "db.internal",
                "DB_PASSWORD_SHA256": digest("s3cr3t-pa55"),
                "SECRET_KEY_SHA256": digest("k" * 64),
                "instance_path": str(config_map),
            }
        after = {top: tree_state(top) for top in (root, config_map, secrets)}
    finally:
        for top in (root, config_map, secrets):
            make_writable(top)
    # Nothing was written: no instance/, no secret_key, no log/, no bytecode.
    assert after == before
    assert not (root / "instance").exists()
    text = log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in text, tail(log)
    assert "s3cr3t-pa55" not in text


# --- the reloader ----------------------------------------------------------------------

#: A bundle serving GREETING, and the settings files the reloader was handed.
RELOADER_TREE = {
    "app/__init__.py": "",
    "app/views.py": """
        import os

        from ampho import current_app, route


        @route("/greeting")
        def greeting():
            return current_app.config["GREETING"]


        @route("/watched")
        def watched():
            # What `ampho run` hands the processes its reloader starts.
            return {"files": os.environ.get("_AMPHO_RELOAD_FILES", "").split(os.pathsep)}
    """,
}


def test_the_reloader_watches_the_named_dirs_files(tmp_path: Path) -> None:
    """Debug mode comes from DIR/development.json, and a change there restarts."""
    root = write_tree(tmp_path / "root", RELOADER_TREE)
    named = write_json(
        tmp_path / "settings",
        {"default.json": {"GREETING": "default"}, "development.json": {"DEBUG": True}},
    )
    port = free_port()
    args = [*AMPHO, "--env", "development", "--instance", str(named), "run"]
    args += ["--host", "127.0.0.1", "--port", str(port)]
    env = server_environment(tmp_path / "home")
    log = tmp_path / "server.log"
    with serving(args, root, port, env, log) as proc:
        wait_for_greeting(proc, port, "default", log)
        write_json(named, {"development.json": {"DEBUG": True, "GREETING": "changed"}})
        wait_for_greeting(proc, port, "changed", log)
        # A file of the named directory that was missing at the start counts too.
        write_json(named, {"u@h.json": {"GREETING": "for u on h"}})
        wait_for_greeting(proc, port, "for u on h", log)
        watched = request(port, "/watched").json()["files"]
        assert isinstance(watched, list)
        settings = [path for path in watched if path.startswith(str(named))]
        assert settings == [
            str(named / name) for name in ("default.json", "development.json", "u@h.json")
        ]
        assert proc.poll() is None
    assert not (root / "instance").exists()
    text = log.read_text(encoding="utf-8", errors="replace")
    assert "Debug mode: on" in text, text
    assert "Traceback" not in text, text
