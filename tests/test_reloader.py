"""The development server's reloader watches the settings files.

``ampho --debug run`` runs in a subprocess as it does for a developer;
a settings file is changed, created, removed or broken on disk, and the
value the server answers with shows whether the reloader restarted it.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
from pathlib import Path

import pytest
from processes import (
    AMPHO,
    free_port,
    request,
    server_environment,
    serving,
    tail,
    wait_until,
    write_instance,
    write_tree,
)

from ampho.logging.formatting import plain

#: A bundle that shows one setting.
GREETING_VIEWS = """
    from ampho import current_app, route


    @route("/greeting")
    def greeting():
        return current_app.config["GREETING"]
"""


def greeting_app(root: Path, greeting: str) -> Path:
    """An ``app`` bundle serving ``GREETING``, set in ``instance/production.json``."""
    write_tree(root, {"app/__init__.py": "", "app/views.py": GREETING_VIEWS})
    write_tree(root, {"app/default.json": json.dumps({"GREETING": "default"})})
    return write_instance(root, {"production.json": {"GREETING": greeting}})


def served_greeting(port: int) -> str | None:
    """The greeting served now, or ``None`` while the server restarts or fails."""
    try:
        response = request(port, "/greeting")
    except (OSError, http.client.HTTPException):
        # Refused, reset or cut short by the restart.
        return None
    return response.text if response.status == 200 else None


def served_status(port: int) -> int | None:
    """The status of ``/greeting`` now, or ``None`` while the server restarts."""
    try:
        return request(port, "/greeting").status
    except (OSError, http.client.HTTPException):
        return None


def wait_for_greeting(proc: subprocess.Popen[bytes], port: int, expected: str, log: Path) -> None:
    """Poll until the server answers ``expected``: each restart takes a second or so."""
    wait_until(proc, lambda: served_greeting(port) == expected, f"no {expected!r} served", log)


def debug_server(
    tmp_path: Path, root: Path, port: int, *options: str, **env: str
) -> tuple[list[str], dict[str, str]]:
    """The command and environment of ``ampho [options] --debug run`` on ``port``."""
    args = [*AMPHO, *options, "--debug", "run", "--host", "127.0.0.1", "--port", str(port)]
    return args, server_environment(tmp_path / "home", **env)


def test_changed_instance_file_restarts_the_server(tmp_path: Path) -> None:
    root = greeting_app(tmp_path / "root", "first")
    port = free_port()
    args, env = debug_server(tmp_path, root, port)
    log = tmp_path / "server.log"
    with serving(args, root, port, env, log) as proc:
        wait_for_greeting(proc, port, "first", log)
        write_instance(root, {"production.json": {"GREETING": "second"}})
        wait_for_greeting(proc, port, "second", log)


def test_changed_bundle_defaults_restart_the_server(tmp_path: Path) -> None:
    root = greeting_app(tmp_path / "root", "first")
    (root / "instance" / "production.json").unlink()
    port = free_port()
    args, env = debug_server(tmp_path, root, port)
    log = tmp_path / "server.log"
    with serving(args, root, port, env, log) as proc:
        wait_for_greeting(proc, port, "default", log)
        write_tree(root, {"app/default.json": json.dumps({"GREETING": "new default"})})
        wait_for_greeting(proc, port, "new default", log)


def test_new_instance_files_restart_the_server(tmp_path: Path) -> None:
    """A file that was missing when the server started counts once it appears."""
    root = greeting_app(tmp_path / "root", "first")
    (root / "instance" / "production.json").unlink()
    port = free_port()
    args, env = debug_server(tmp_path, root, port)
    log = tmp_path / "server.log"
    with serving(args, root, port, env, log) as proc:
        wait_for_greeting(proc, port, "default", log)
        write_instance(root, {"production.json": {"GREETING": "for production"}})
        wait_for_greeting(proc, port, "for production", log)
        write_instance(root, {"u@h.json": {"GREETING": "for u on h"}})
        wait_for_greeting(proc, port, "for u on h", log)


def test_new_bundle_defaults_file_restarts_the_server(tmp_path: Path) -> None:
    """A bundle's ``default.json`` created while the server runs counts."""
    root = greeting_app(tmp_path / "root", "for production")
    (root / "app" / "default.json").unlink()
    port = free_port()
    args, env = debug_server(tmp_path, root, port, "--env", "development")
    log = tmp_path / "server.log"
    with serving(args, root, port, env, log) as proc:
        # No GREETING in development: the view fails.
        wait_until(proc, lambda: served_status(port) == 500, "no error served", log)
        write_tree(root, {"app/default.json": json.dumps({"GREETING": "new default"})})
        wait_for_greeting(proc, port, "new default", log)


def test_new_environment_file_restarts_the_server(tmp_path: Path) -> None:
    root = greeting_app(tmp_path / "root", "for production")
    port = free_port()
    args, env = debug_server(tmp_path, root, port, "--env", "development")
    log = tmp_path / "server.log"
    with serving(args, root, port, env, log) as proc:
        wait_for_greeting(proc, port, "default", log)
        write_instance(root, {"development.json": {"GREETING": "for development"}})
        wait_for_greeting(proc, port, "for development", log)
        write_instance(root, {"development.json": {"GREETING": "changed"}})
        wait_for_greeting(proc, port, "changed", log)


def test_changed_secret_file_restarts_the_server(tmp_path: Path) -> None:
    root = greeting_app(tmp_path / "root", "first")
    write_tree(root, {"secrets/GREETING": "secret one\n"})
    port = free_port()
    args, env = debug_server(tmp_path, root, port, AMPHO_SECRETS_DIR="secrets")
    log = tmp_path / "server.log"
    with serving(args, root, port, env, log) as proc:
        wait_for_greeting(proc, port, "secret one", log)
        write_tree(root, {"secrets/GREETING": "secret two\n"})
        wait_for_greeting(proc, port, "secret two", log)


#: A settings file removed while the server runs, the environment, and the
#: greeting served before and after: a file that disappears is a change.
REMOVED_FILES = [
    ("instance/development.json", "development", "for development", "default"),
    ("instance/u@h.json", "production", "for u on h", "first"),
    ("secrets/GREETING", "production", "secret", "first"),
]


@pytest.mark.parametrize(("removed", "env", "before", "after"), REMOVED_FILES)
def test_removed_settings_file_restarts_the_server(
    tmp_path: Path, removed: str, env: str, before: str, after: str
) -> None:
    root = greeting_app(tmp_path / "root", "first")
    (root / "secrets").mkdir()
    if removed.endswith(".json"):
        write_tree(root, {removed: json.dumps({"GREETING": before})})
    else:
        write_tree(root, {removed: f"{before}\n"})
    port = free_port()
    args, environ = debug_server(tmp_path, root, port, "--env", env, AMPHO_SECRETS_DIR="secrets")
    log = tmp_path / "server.log"
    with serving(args, root, port, environ, log) as proc:
        wait_for_greeting(proc, port, before, log)
        os.rename(root / removed, tmp_path / "elsewhere")  # as mv does
        wait_for_greeting(proc, port, after, log)


def test_new_secret_file_restarts_the_server(tmp_path: Path) -> None:
    root = greeting_app(tmp_path / "root", "first")
    (root / "secrets").mkdir()
    port = free_port()
    args, env = debug_server(tmp_path, root, port, AMPHO_SECRETS_DIR="secrets")
    log = tmp_path / "server.log"
    with serving(args, root, port, env, log) as proc:
        wait_for_greeting(proc, port, "first", log)
        write_tree(root, {"secrets/GREETING": "secret\n"})
        wait_for_greeting(proc, port, "secret", log)


def test_settings_file_replaced_by_an_older_one_restarts_the_server(tmp_path: Path) -> None:
    """A backup moved back into place counts, although it is not newer."""
    root = greeting_app(tmp_path / "root", "first")
    backup = tmp_path / "production.json.bak"
    backup.write_text(json.dumps({"GREETING": "restored"}), encoding="utf-8")
    a_day_ago = (root / "instance" / "production.json").stat().st_mtime - 86400
    os.utime(backup, (a_day_ago, a_day_ago))
    port = free_port()
    args, env = debug_server(tmp_path, root, port)
    log = tmp_path / "server.log"
    with serving(args, root, port, env, log) as proc:
        wait_for_greeting(proc, port, "first", log)
        os.replace(backup, root / "instance" / "production.json")
        wait_for_greeting(proc, port, "restored", log)


def test_broken_settings_file_keeps_the_server_watching(tmp_path: Path) -> None:
    root = greeting_app(tmp_path / "root", "first")
    port = free_port()
    args, env = debug_server(tmp_path, root, port)
    log = tmp_path / "server.log"
    with serving(args, root, port, env, log) as proc:
        wait_for_greeting(proc, port, "first", log)
        write_instance(root, {"production.json": '{"GREETING": "broken",\n'})
        wait_until(
            proc,
            lambda: "Error: instance/production.json:2:" in tail(log),
            "no located error in the log",
            log,
        )
        # One located line from loading the settings, no traceback.
        loaded = log.read_text(encoding="utf-8")
        errors = [line for line in loaded.splitlines() if line.startswith("Error:")]
        assert len(errors) == 1, loaded
        assert errors[0].startswith("Error: instance/production.json:2:1: "), loaded
        assert "Traceback" not in loaded, loaded
        # The server still runs and answers with the error, as Flask does
        # for a syntax error in a view.
        assert proc.poll() is None
        response = request(port, "/greeting")
        assert response.status == 500
        assert "production.json:2:1" in response.text
        write_instance(root, {"production.json": {"GREETING": "fixed"}})
        wait_for_greeting(proc, port, "fixed", log)


#: A file broken while the server runs, its new content, the line that
#: ends the error each request logs (and the loading error too), and a
#: word of it the debugger's page shows.
BROKEN_FILES = [
    (
        "instance/production.json",
        '{"GREETING": "broken",\n',
        "instance/production.json:2:1: ",
        "production.json:2:1",
    ),
    (
        "app/views.py",
        "import nosuchmodule\n",
        "ModuleNotFoundError: No module named 'nosuchmodule'",
        "nosuchmodule",
    ),
]


@pytest.mark.parametrize(
    ("command", "debugger"),
    [(("--debug", "run"), True), (("run", "--reload"), False)],
    ids=["debugger", "no debugger"],
)
@pytest.mark.parametrize(
    ("broken", "content", "error", "shown"), BROKEN_FILES, ids=["settings", "views"]
)
def test_loading_error_is_logged_once_and_alike_per_request(
    tmp_path: Path,
    command: tuple[str, ...],
    debugger: bool,
    broken: str,
    content: str,
    error: str,
    shown: str,
) -> None:
    """Each request logs the loading error anew, never the earlier requests' with it."""
    root = greeting_app(tmp_path / "root", "first")
    port = free_port()
    args = [*AMPHO, *command, "--host", "127.0.0.1", "--port", str(port)]
    env = server_environment(tmp_path / "home")
    log = tmp_path / "server.log"

    def logged() -> tuple[int, int]:
        """How many requests were logged, and how many errors after the loading one.

        Werkzeug colours its request lines when its own handler writes
        them (no settings, no Ampho logging), so colours are dropped first.
        """
        text = plain(log.read_text(encoding="utf-8", errors="replace"))
        return text.count('"GET /greeting HTTP/1.1" 500'), text.count(error) - 1

    with serving(args, root, port, env, log) as proc:
        wait_for_greeting(proc, port, "first", log)
        write_tree(root, {broken: content})
        wait_until(proc, lambda: logged()[1] == 0, "no loading error in the log", log)
        # The first request's record may hold the end of the server's start.
        wait_until(proc, lambda: served_status(port) == 500, "no error served", log)
        wait_until(proc, lambda: logged() == (1, 1), "the first request not logged", log)
        record_sizes = []
        for count in range(2, 22):
            size = log.stat().st_size
            response = request(port, "/greeting")
            assert response.status == 500
            assert (shown in response.text) is debugger
            # The debugger logs the traceback after the page: wait for both.
            done = (count, count)
            wait_until(proc, lambda done=done: logged() == done, f"request {count} not logged", log)
            record_sizes.append(log.stat().st_size - size)
    assert len(set(record_sizes)) == 1, record_sizes


def test_settings_breaking_a_changed_schema_are_reported_and_watched(tmp_path: Path) -> None:
    """A ``schema.json`` is watched, and its violations are ``Error:`` lines."""
    root = greeting_app(tmp_path / "root", "first")
    write_tree(root, {"app/schema.json": '{"properties": {"GREETING": {"type": "string"}}}'})
    port = free_port()
    args, env = debug_server(tmp_path, root, port)
    log = tmp_path / "server.log"
    with serving(args, root, port, env, log) as proc:
        wait_for_greeting(proc, port, "first", log)
        write_tree(root, {"app/schema.json": '{"properties": {"GREETING": {"type": "integer"}}}'})
        wait_until(
            proc,
            lambda: (
                "Error: instance/production.json:2:15: GREETING: 'first' is not of type"
                in tail(log)
            ),
            "no schema error in the log",
            log,
        )
        assert "Traceback" not in log.read_text(encoding="utf-8"), tail(log)
        assert proc.poll() is None
        write_tree(root, {"app/schema.json": '{"properties": {"GREETING": {"type": "string"}}}'})
        wait_for_greeting(proc, port, "first", log)
