"""No interactive debugger in production by accident (issue 13).

In the ``production`` environment a ``DEBUG`` setting no longer turns
on debug mode under ``ampho run``: debug mode there serves Werkzeug's
debugger, a console that runs code, to whoever reaches the port. Only
``--debug`` or ``FLASK_DEBUG=1`` does; ``ampho run`` says once why debug
mode stayed off, and ``ampho config check`` warns at the place that
sets ``DEBUG``.

The servers are the real ``ampho run`` on a free port of 127.0.0.1; a
view that raises shows which error page they serve.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from processes import (
    AMPHO,
    free_port,
    request,
    run,
    server_environment,
    serving,
    tail,
    wait_until,
    write_instance,
    write_tree,
)

#: A bundle with a view that raises, and one that names the serving process.
BOOM_VIEWS = """
    import os

    from ampho import route


    @route("/boom")
    def boom():
        raise RuntimeError("boom")


    @route("/pid")
    def pid():
        return str(os.getpid())
"""

#: What only Werkzeug's debugger page holds (``werkzeug/debug/tbtools.py``):
#: its title, the URLs of its own resources, and the switch of its console.
DEBUGGER_MARKERS = ("// Werkzeug Debugger", "?__debugger__=yes", "EVALEX = true")

#: A resource the debugger serves itself; without it, the URL is the app's 404.
DEBUGGER_RESOURCE = "/?__debugger__=yes&cmd=resource&f=debugger.js"

#: The start of the line ``ampho run`` prints when a setting asked for debug mode.
STAYS_OFF = " * Debug mode stays off"

#: The message of ``ampho config check`` for a true ``DEBUG`` in production.
CHECK_MESSAGE = (
    "DEBUG is {value} in the production environment: Gunicorn and uWSGI serve the"
    " application in debug mode (`ampho run` ignores the setting there); set DEBUG in"
    " development.json instead"
)

DEBUG_TRUE = {"DEBUG": True}
DEBUG_FALSE = {"DEBUG": False}
#: A ``production.json`` that leaves ``DEBUG`` alone (``--env production``
#: warns when the file is missing).
NO_DEBUG: dict[str, object] = {}


# --- helpers ---------------------------------------------------------------------


def stays_off_line(where: str) -> str:
    """The line ``ampho run`` prints for a ``DEBUG`` set at ``where``."""
    return (
        f"{STAYS_OFF}: DEBUG is true ({where}) in the production environment,"
        " where only --debug or FLASK_DEBUG=1 turns it on"
    )


def boom_app(root: Path, instance: dict[str, object], bundle_defaults: object = None) -> Path:
    """An ``app`` bundle whose ``/boom`` raises, with these instance files.

    Instance files are indented JSON, so a top-level ``DEBUG`` is at 2:3.
    """
    write_tree(root, {"app/__init__.py": "", "app/views.py": BOOM_VIEWS})
    if bundle_defaults is not None:
        write_tree(root, {"app/default.json": json.dumps(bundle_defaults, indent=2)})
    return write_instance(root, instance)


@contextlib.contextmanager
def ampho_run(
    tmp_path: Path,
    root: Path,
    options: tuple[str, ...] = (),
    run_options: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
) -> Iterator[tuple[subprocess.Popen[bytes], int, Path]]:
    """``ampho [options] run [run_options]`` on a free port, until the block ends.

    ``env`` is all the server's environment has but user ``u`` on host
    ``h``. Yields the process, its port and its log (stdout and stderr).
    """
    port = free_port()
    command = [
        *AMPHO,
        *options,
        "run",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        *run_options,
    ]
    log = tmp_path / "server.log"
    with serving(
        command, root, port, server_environment(tmp_path / "home", **(env or {})), log
    ) as proc:
        yield proc, port, log


def stays_off_lines(log: Path) -> list[str]:
    """The "stays off" lines of a server's log, as printed."""
    text = log.read_text(encoding="utf-8", errors="replace")
    return [line for line in text.splitlines() if STAYS_OFF in line]


def assert_debugger_page(port: int, log: Path) -> None:
    """The error page is Werkzeug's debugger, with the traceback, and its resources answer.

    The positive case for the markers :func:`assert_no_debugger_page` looks for.
    """
    response = request(port, "/boom")
    assert response.status == 500, tail(log)
    for marker in DEBUGGER_MARKERS:
        assert marker in response.text, (marker, response.text[:2000])
    assert "RuntimeError: boom" in response.text
    assert request(port, DEBUGGER_RESOURCE).status == 200, tail(log)


def assert_no_debugger_page(port: int, log: Path) -> None:
    """The error page is Flask's plain 500: no debugger, no traceback, no console."""
    response = request(port, "/boom")
    assert response.status == 500, tail(log)
    for marker in DEBUGGER_MARKERS:
        assert marker not in response.text, (marker, response.text[:2000])
    assert "Internal Server Error" in response.text
    assert "RuntimeError" not in response.text
    # The debugger's own URL reaches the application, which has no "/".
    assert request(port, DEBUGGER_RESOURCE).status == 404, tail(log)


def served_pid(port: int) -> int | None:
    """The process answering now, or ``None`` while none does."""
    try:
        response = request(port, "/pid")
    except (OSError, http.client.HTTPException):
        return None
    return int(response.text) if response.status == 200 else None


def check(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``ampho config check [args]`` in ``root``, as user ``u`` on host ``h``."""
    return run(AMPHO, ["config", "check", *args], root, **env)


def debug_warning(where: str, value: str = "true") -> str:
    """The line of ``ampho config check`` for a true ``DEBUG`` set at ``where``."""
    return f"{where}: warning: {CHECK_MESSAGE.format(value=value)}"


def overridden_warning(where: str) -> str:
    """The line for a true ``DEBUG`` in ``production.json`` that a layer
    above overrides in the loads checked."""
    return (
        f"{where}: warning: DEBUG is true here: a layer above overrides it in the"
        " environments checked, but without that layer production runs in debug mode;"
        " remove it"
    )


# --- ampho run ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instance", "bundle_defaults", "where"),
    [
        pytest.param(
            {"production.json": DEBUG_TRUE}, None, "instance/production.json:2:3", id="production"
        ),
        pytest.param({"default.json": DEBUG_TRUE}, None, "instance/default.json:2:3", id="default"),
        pytest.param({"u@h.json": DEBUG_TRUE}, DEBUG_FALSE, "instance/u@h.json:2:3", id="u@h"),
        pytest.param({}, DEBUG_TRUE, "app/default.json:2:3", id="bundle-default"),
    ],
)
def test_debug_setting_in_production_serves_no_debugger(
    tmp_path: Path, instance: dict[str, object], bundle_defaults: object, where: str
) -> None:
    """A ``DEBUG: true`` in any settings layer leaves the debugger off in
    production, and the server says so once, naming the place."""
    root = boom_app(tmp_path / "root", instance, bundle_defaults)
    with ampho_run(tmp_path, root) as (_, port, log):
        assert_no_debugger_page(port, log)
        assert stays_off_lines(log) == [stays_off_line(where)], tail(log)


def test_debug_from_ampho_debug_variable_serves_no_debugger(tmp_path: Path) -> None:
    root = boom_app(tmp_path / "root", {"default.json": DEBUG_FALSE})
    with ampho_run(tmp_path, root, env={"AMPHO_DEBUG": "true"}) as (_, port, log):
        assert_no_debugger_page(port, log)
        assert stays_off_lines(log) == [stays_off_line("env AMPHO_DEBUG")], tail(log)


@pytest.mark.parametrize(
    ("options", "env"),
    [
        pytest.param(("--debug",), {}, id="--debug"),
        pytest.param((), {"FLASK_DEBUG": "1"}, id="FLASK_DEBUG=1"),
    ],
)
def test_command_line_debug_serves_the_debugger_in_production(
    tmp_path: Path, options: tuple[str, ...], env: dict[str, str]
) -> None:
    """Asked for on the command line, debug mode is on, and nothing says otherwise."""
    root = boom_app(tmp_path / "root", {"production.json": DEBUG_TRUE})
    with ampho_run(tmp_path, root, options, env=env) as (_, port, log):
        assert_debugger_page(port, log)
        assert stays_off_lines(log) == [], tail(log)


@pytest.mark.parametrize(
    ("options", "env"),
    [
        pytest.param(("--no-debug",), {}, id="--no-debug"),
        pytest.param((), {"FLASK_DEBUG": "0"}, id="FLASK_DEBUG=0"),
    ],
)
def test_debug_turned_off_on_the_command_line_needs_no_explaining(
    tmp_path: Path, options: tuple[str, ...], env: dict[str, str]
) -> None:
    """Whoever set ``FLASK_DEBUG`` chose; the setting is not what decided."""
    root = boom_app(tmp_path / "root", {"production.json": DEBUG_TRUE})
    with ampho_run(tmp_path, root, options, env=env) as (_, port, log):
        assert_no_debugger_page(port, log)
        assert stays_off_lines(log) == [], tail(log)


def test_an_empty_flask_debug_is_unset_as_flask_reads_it(tmp_path: Path) -> None:
    """``FLASK_DEBUG=`` asks for nothing: the setting was what decided."""
    root = boom_app(tmp_path / "root", {"production.json": DEBUG_TRUE})
    with ampho_run(tmp_path, root, env={"FLASK_DEBUG": ""}) as (_, port, log):
        assert_no_debugger_page(port, log)
        assert stays_off_lines(log) == [stays_off_line("instance/production.json:2:3")]


def test_debug_setting_outside_production_still_serves_the_debugger(tmp_path: Path) -> None:
    """``development.json`` turning debug mode on is the convenience kept."""
    root = boom_app(
        tmp_path / "root", {"production.json": DEBUG_TRUE, "development.json": DEBUG_TRUE}
    )
    with ampho_run(tmp_path, root, ("--env", "development")) as (_, port, log):
        assert_debugger_page(port, log)
        assert stays_off_lines(log) == [], tail(log)


def test_reloader_child_does_not_repeat_the_line(tmp_path: Path) -> None:
    """``ampho run --reload`` prints the line in the first process only.

    The reloader starts a child that loads the application again; once
    that child answers, it has decided whether to print.
    """
    root = boom_app(tmp_path / "root", {"production.json": DEBUG_TRUE})
    with ampho_run(tmp_path, root, run_options=("--reload",)) as (proc, port, log):
        wait_until(
            proc,
            lambda: served_pid(port) not in (None, proc.pid),
            "no child of the reloader answers",
            log,
        )
        assert_no_debugger_page(port, log)
        assert stays_off_lines(log) == [stays_off_line("instance/production.json:2:3")], tail(log)


# --- ampho config check --------------------------------------------------------------


@pytest.mark.parametrize("args", [(), ("--env", "production")], ids=["default-env", "--env"])
@pytest.mark.parametrize(
    ("instance", "bundle_defaults", "env", "expected"),
    [
        pytest.param(
            {"default.json": DEBUG_FALSE, "production.json": DEBUG_TRUE},
            None,
            {},
            [debug_warning("instance/production.json:2:3")],
            id="production.json",
        ),
        pytest.param(
            {"default.json": DEBUG_TRUE, "production.json": NO_DEBUG},
            None,
            {},
            [debug_warning("instance/default.json:2:3")],
            id="default.json",
        ),
        pytest.param(
            {"production.json": NO_DEBUG},
            DEBUG_TRUE,
            {},
            [debug_warning("app/default.json:2:3")],
            id="bundle-default.json",
        ),
        pytest.param(
            {"default.json": DEBUG_FALSE, "production.json": NO_DEBUG},
            None,
            {"AMPHO_DEBUG": "1"},
            [debug_warning("env AMPHO_DEBUG", "1")],
            id="AMPHO_DEBUG",
        ),
        pytest.param(
            {"default.json": DEBUG_FALSE, "production.json": NO_DEBUG, "u@h.json": DEBUG_TRUE},
            None,
            {},
            [debug_warning("instance/u@h.json:2:3")],
            id="user@host",
        ),
        pytest.param(
            {"default.json": DEBUG_FALSE, "production.json": DEBUG_TRUE, "u@h.json": DEBUG_FALSE},
            None,
            {},
            [overridden_warning("instance/production.json:2:3")],
            id="production.json-overridden",
        ),
        pytest.param(
            {"default.json": DEBUG_FALSE, "production.json": DEBUG_TRUE, "u@h.json": DEBUG_TRUE},
            None,
            {},
            [
                overridden_warning("instance/production.json:2:3"),
                debug_warning("instance/u@h.json:2:3"),
            ],
            id="production.json-and-user@host",
        ),
        pytest.param(
            {"default.json": DEBUG_FALSE, "production.json": NO_DEBUG},
            None,
            {"AMPHO_DEBUG": "s3cret-looking"},
            # A string is true to Flask; its text may come from a secrets
            # file, so the message names its kind, not its value.
            [debug_warning("env AMPHO_DEBUG", "a non-empty string (true to Flask)")],
            id="a-string",
        ),
    ],
)
def test_check_warns_where_debug_is_true_in_production(
    tmp_path: Path,
    args: tuple[str, ...],
    instance: dict[str, object],
    bundle_defaults: object,
    env: dict[str, str],
    expected: list[str],
) -> None:
    """One located warning per place that sets ``DEBUG`` for production
    (``production.json`` even when a later layer overrides it), and a
    warning leaves the exit status 0."""
    root = boom_app(tmp_path, instance, bundle_defaults)
    result = check(root, *args, **env)
    assert result.stdout.splitlines() == expected, result.stderr
    assert result.stderr == f"0 error(s), {len(expected)} warning(s)\n"
    assert result.returncode == 0


def test_check_strict_fails_on_debug_in_production(tmp_path: Path) -> None:
    """The warning is a finding like any other: ``--strict`` fails on it."""
    root = boom_app(tmp_path, {"default.json": DEBUG_FALSE, "production.json": DEBUG_TRUE})
    result = check(root, "--strict")
    assert result.stdout.splitlines() == [debug_warning("instance/production.json:2:3")]
    assert result.returncode == 1


@pytest.mark.parametrize(
    ("instance", "args"),
    [
        pytest.param(
            {"default.json": DEBUG_FALSE, "development.json": DEBUG_TRUE},
            (),
            id="development.json",
        ),
        pytest.param(
            {"default.json": DEBUG_FALSE, "development.json": DEBUG_TRUE},
            ("--env", "development"),
            id="development.json-env-development",
        ),
        pytest.param(
            {"default.json": DEBUG_TRUE, "production.json": DEBUG_FALSE},
            (),
            id="production.json-false-over-default.json",
        ),
        pytest.param(
            {"default.json": DEBUG_TRUE, "production.json": DEBUG_FALSE},
            ("--env", "production"),
            id="production.json-false-over-default.json-env-production",
        ),
    ],
)
def test_check_is_quiet_when_debug_does_not_reach_production(
    tmp_path: Path, instance: dict[str, object], args: tuple[str, ...]
) -> None:
    root = boom_app(tmp_path, instance)
    result = check(root, *args)
    assert result.stdout == "", result.stdout
    assert result.stderr == "no problems found\n"
    assert result.returncode == 0


def test_check_of_production_ignores_debug_in_development(tmp_path: Path) -> None:
    """Checking production alone reports ``development.json`` as not loaded, nothing more."""
    root = boom_app(
        tmp_path,
        {"default.json": DEBUG_FALSE, "production.json": NO_DEBUG, "development.json": DEBUG_TRUE},
    )
    result = check(root, "--env", "production")
    assert "DEBUG is" not in result.stdout, result.stdout
    assert result.stdout.splitlines() == [
        "instance/development.json: warning: is not loaded in any environment checked (production)"
    ]
    assert result.returncode == 0
