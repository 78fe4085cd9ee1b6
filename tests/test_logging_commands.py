"""What the ``ampho`` command's console shows of the log, as a process.

A command other than ``run`` shows the application's records (its
bundles', ``app.logger``'s) as before, and other libraries' only from
WARNING up, unless ``-v`` or ``LOG_VERBOSE`` asks for them; ``ampho
run`` shows them all, Werkzeug's request lines first. The files keep
every record. The site's hook also keeps the logging setup of a factory
written for plain Flask (cookiecutter-flask's ``configure_logger``),
which must not print a line twice. Every test runs the real command in
a subprocess; the server binds 127.0.0.1 on a free port.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from processes import (
    AMPHO,
    FLASKS_GROUP,
    free_port,
    request,
    run,
    server_environment,
    serving,
    wait_until,
    write_tree,
)

#: An entry bundle whose hook logs as Alembic does when Flask-Migrate
#: imports it, and as the application does; a bundle it requires logs
#: too.
SITE = {
    "app/__init__.py": """
        import logging
        import sys

        REQUIRES = ["blog"]


        def on_load(app):
            # cookiecutter-flask's configure_logger, kept from the factory.
            handler = logging.StreamHandler(sys.stdout)
            if not app.logger.handlers:
                app.logger.addHandler(handler)

            library = logging.getLogger("alembic.runtime.migration")
            library.info("library info")
            library.warning("library warning")
            app.logger.info("app logger info")
    """,
    "app/views.py": """
        from flask import current_app

        from ampho import route


        @route("/hello")
        def hello():
            current_app.logger.info("app logger in a request")
            return "hello"
    """,
    "blog/__init__.py": """
        import logging


        def on_load(app):
            logging.getLogger(__name__).info("blog info")
    """,
}

#: The application's own lines, which every command shows once.
OWN_LINES = ("library warning", "app: app logger info", "blog: blog info")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "site", SITE)


def file_text(site: Path) -> str:
    """Today's log file of the site."""
    return (site / "log" / "app.log").read_text(encoding="utf-8")


@pytest.mark.parametrize("args", [["routes"], ["--help"]], ids=["routes", "help"])
def test_a_command_leaves_other_libraries_info_lines_off_the_console(
    site: Path, args: list[str]
) -> None:
    result = run(AMPHO, args, site)
    assert result.returncode == 0, result.stderr
    assert "library info" not in result.stderr
    for line in OWN_LINES:
        assert result.stderr.count(line) == 1, result.stderr
    # The files keep every record.
    assert file_text(site).count("alembic.runtime.migration: library info") == 1


@pytest.mark.parametrize(
    ("command", "args", "env"),
    [
        pytest.param(AMPHO, ["-v", "routes"], {}, id="v"),
        pytest.param(AMPHO, ["--verbose", "--help"], {}, id="verbose-help"),
        pytest.param(FLASKS_GROUP, ["-v", "routes"], {}, id="flasks-group"),
        pytest.param(AMPHO, ["routes"], {"AMPHO_LOG_VERBOSE": "1"}, id="log-verbose"),
    ],
)
def test_verbose_or_log_verbose_shows_other_libraries_info_lines(
    site: Path, command: list[str], args: list[str], env: dict[str, str]
) -> None:
    result = run(command, args, site, **env)
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("alembic.runtime.migration: library info") == 1, result.stderr
    for line in OWN_LINES:
        assert result.stderr.count(line) == 1, result.stderr


@pytest.mark.parametrize("command", [AMPHO, FLASKS_GROUP], ids=["ampho", "flasks-group"])
def test_both_groups_list_verbose_among_the_global_options(
    tmp_path: Path, command: list[str]
) -> None:
    result = run(command, ["--help"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "  -v, --verbose " in result.stdout


def test_a_handler_added_to_app_logger_when_it_has_none_prints_nothing_twice(
    site: Path,
) -> None:
    result = run(AMPHO, ["routes"], site)
    assert result.returncode == 0, result.stderr
    # Neither a bare line on stdout from the hook's handler, nor a second
    # line on stderr.
    assert (result.stdout + result.stderr).count("app logger info") == 1, result


def test_ampho_run_shows_other_libraries_info_and_werkzeugs_request_lines(
    site: Path, tmp_path: Path
) -> None:
    port = free_port()
    log = tmp_path / "server.log"
    command = [*AMPHO, "run", "--host", "127.0.0.1", "--port", str(port)]
    env = server_environment(tmp_path / "home")
    with serving(command, site, port, env, log) as proc:
        assert request(port, "/hello").text == "hello"
        wait_until(
            proc,
            lambda: '"GET /hello HTTP/1.1" 200' in log.read_text(errors="replace"),
            "no request line",
            log,
        )
    output = log.read_text(errors="replace")
    assert output.count("alembic.runtime.migration: library info") == 1, output
    for line in OWN_LINES:
        assert output.count(line) == 1, output
    # A request's line from app.logger, once: the hook's handler added nothing.
    assert output.count("app logger in a request") == 1, output
