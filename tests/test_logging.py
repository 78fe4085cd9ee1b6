"""``ampho.logging.setup()``: Ampho's handlers on the root logger, from the configuration.

Every test writes real instance files under a temporary root and reads
the real log files ``setup()`` (or ``create_app()``) writes beneath it;
what must be seen from a fresh interpreter (standard error, Flask's and
Werkzeug's own handlers, a plain script) runs in a subprocess.

``setup()`` changes the root logger of the process: the autouse fixture
below puts back the handlers and the level each test found, and closes
whatever handler the test left. ``XDG_STATE_HOME`` points into the test's
own directory, so a fallback never reaches the real home directory.

Records that must fall in a given period are made with a chosen
``created`` time and handed to the logger: the handler, the files and
the directory are real, and no test waits for the clock to turn.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import textwrap
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import platformdirs
import pytest
from processes import call_as_user, run

from ampho import create_app
from ampho.config import Config, ConfigError
from ampho.logging import ConsoleHandler, PeriodFileHandler, quiet_libraries, setup

#: A moment to make records at, far from any period boundary: 2026-03-04 05:06:07.25.
MOMENT = time.mktime((2026, 3, 4, 5, 6, 7, 0, 0, -1)) + 0.25

#: The view of the request tests: two lines per request, from two loggers.
LOGGING_VIEWS = """
    import logging

    from flask import current_app

    from ampho import route

    log = logging.getLogger(__name__)


    @route("/hello")
    def hello():
        log.info("module line")
        current_app.logger.warning("flask line")
        return "hello"
"""


# --- fixtures and helpers ------------------------------------------------------


def _is_pytests(handler: logging.Handler) -> bool:
    """pytest's own capture handlers come and go with each test phase."""
    return type(handler).__module__.startswith("_pytest")


@pytest.fixture(autouse=True)
def restore_root_logger() -> Iterator[None]:
    """Put back the root logger's handlers and level; close what the test left."""
    root = logging.getLogger()
    handlers = list(root.handlers)
    level = root.level
    try:
        yield
    finally:
        for handler in list(root.handlers):
            if handler not in handlers and not _is_pytests(handler):
                root.removeHandler(handler)
                handler.close()
        for handler in handlers:
            if handler not in root.handlers and not _is_pytests(handler):
                root.addHandler(handler)
        root.setLevel(level)


@pytest.fixture(autouse=True)
def state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """platformdirs' user log directory lands here; no FLASK_DEBUG of the shell."""
    state = tmp_path / "xdg-state"
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    return state


@pytest.fixture
def configure(
    write: Callable[..., Path], load_root: Callable[..., Config]
) -> Callable[..., Config]:
    """Write ``instance/default.json`` from keyword settings and load the root."""

    def configure(settings: dict[str, Any] | None = None, **load_args: Any) -> Config:
        if settings is not None:
            write("instance/default.json", json.dumps(settings, indent=2))
        return load_root(**load_args)

    return configure


def marker() -> str:
    """A message no other line can contain."""
    return f"m-{uuid.uuid4().hex}"


def period_files(directory: Path, name: str = "app") -> list[Path]:
    """The period files of ``name`` in ``directory``, oldest first (no link).

    Empty files are left out: ``setup()`` opens the file of the real
    current period at once, and the tests that log at ``MOMENT`` never
    write to it.
    """
    pattern = re.compile(rf"{re.escape(name)}-\d{{4}}-\d\d-\d\d(_\d\d(-\d\d){{0,2}})?\.log")
    if not directory.is_dir():
        return []
    return sorted(
        path
        for path in directory.iterdir()
        if pattern.fullmatch(path.name) and not path.is_symlink() and path.stat().st_size
    )


def file_lines(path: Path) -> list[str]:
    """The lines of one file; each ends with a newline (split on ``\\n`` only)."""
    text = path.read_text(encoding="utf-8")
    assert text == "" or text.endswith("\n"), f"{path} ends with a partial line"
    return text.split("\n")[:-1]


def log_lines(directory: Path, name: str = "app") -> list[str]:
    """Every line of every period file of ``name``."""
    return [line for path in period_files(directory, name) for line in file_lines(path)]


def containing(text: str, lines: list[str]) -> list[str]:
    return [line for line in lines if text in line]


def log_at(created: float, message: str, logger: str = "t", level: int = logging.INFO) -> None:
    """Log ``message`` as if it happened at ``created``, through the real loggers."""
    log = logging.getLogger(logger)
    record = log.makeRecord(logger, level, __file__, 0, message, (), None)
    record.created = created
    record.msecs = (created - int(created)) * 1000
    log.handle(record)


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def ampho_handlers() -> list[logging.Handler]:
    return [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, (ConsoleHandler, PeriodFileHandler))
    ]


def period_name(name: str, when: str, created: float) -> str:
    """The file a record of ``created`` goes to: ``<name>-2026-03-04[_05[-06[-07]]].log``."""
    fmt = {"MIDNIGHT": "%Y-%m-%d", "H": "%Y-%m-%d_%H", "M": "%Y-%m-%d_%H-%M"}.get(
        when, "%Y-%m-%d_%H-%M-%S"
    )
    return f"{name}-{time.strftime(fmt, time.localtime(created))}.log"


def write_third_line(root: Path, first: str, key: str, value: Any) -> None:
    """``instance/default.json`` with ``key`` on its third line."""
    lines = ["{", f"  {first},", f"  {json.dumps(key)}: {json.dumps(value)}", "}"]
    (root / "instance" / "default.json").write_text("\n".join(lines) + "\n")


def write_app(app_tree: Any, settings: dict[str, Any], views: str = LOGGING_VIEWS) -> Path:
    app_tree.bundle("app", views=views)
    app_tree.write({"instance/default.json": json.dumps(settings, indent=2)})
    return app_tree.root


# --- setup() and the root logger ------------------------------------------------


def test_setup_writes_records_of_any_module_logger_to_root_log_once(configure, root) -> None:
    handlers = setup(configure({"LOG_CONSOLE": False}))
    assert handlers and all(h in logging.getLogger().handlers for h in handlers)
    message = marker()
    logging.getLogger("some.module.deep").info(message)
    [path] = period_files(root / "log")
    assert len(containing(message, file_lines(path))) == 1


def test_setup_takes_root_and_environment_from_the_config(configure, tmp_path, monkeypatch) -> None:
    # The config's root decides the directory, the config's env the level:
    # nothing is read from the current directory.
    other = tmp_path / "elsewhere"
    other.mkdir()
    monkeypatch.chdir(other)
    setup(configure({"LOG_CONSOLE": False}, env="development"))
    message = marker()
    logging.getLogger("t").debug(message)
    assert containing(message, log_lines(tmp_path / "log"))
    assert not (other / "log").exists()


SCRIPT = """
    import logging

    from ampho.config import load
    from ampho.logging import setup

    setup(load())
    logging.getLogger("jobs.nightly").info("{message}")
"""

WEB = """
    import logging

    from ampho import create_app

    app = create_app()
    logging.getLogger("jobs.nightly").info("{message}")
"""


def _shape(line: str, message: str) -> str:
    """A text line with its message and every number (time, pid) blanked."""
    return re.sub(r"\d+", "0", line.replace(message, "<message>"))


@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"LOG_FILES_FORMAT": "json"},
        {"LOG_FILES_MSG_FORMAT": "%(levelname)s <%(name)s> %(message)s"},
    ],
    ids=["default", "json", "custom-format"],
)
def test_a_script_with_load_and_setup_logs_exactly_like_create_app(
    app_tree, settings: dict[str, Any]
) -> None:
    root = write_app(app_tree, settings, views="")
    script_message, web_message = marker(), marker()
    (root / "job.py").write_text(textwrap.dedent(SCRIPT.format(message=script_message)))
    (root / "web.py").write_text(textwrap.dedent(WEB.format(message=web_message)))

    script = run([sys.executable], ["job.py"], root)
    web = run([sys.executable], ["web.py"], root)
    assert script.returncode == 0, script.stderr
    assert web.returncode == 0, web.stderr

    # Both wrote to the same file, in the same format.
    lines = log_lines(root / "log")
    [script_line] = containing(script_message, lines)
    [web_line] = containing(web_message, lines)
    if settings.get("LOG_FILES_FORMAT") == "json":
        script_obj, web_obj = json.loads(script_line), json.loads(web_line)
        assert set(script_obj) == set(web_obj)
        assert script_obj["logger"] == web_obj["logger"] == "jobs.nightly"
        assert script_obj["level"] == web_obj["level"] == "INFO"
    else:
        assert _shape(script_line, script_message) == _shape(web_line, web_message)
        if "LOG_FILES_MSG_FORMAT" in settings:
            assert script_line == f"INFO <jobs.nightly> {script_message}"
    # And the same on the console.
    [script_err] = containing(script_message, script.stderr.splitlines())
    [web_err] = containing(web_message, web.stderr.splitlines())
    assert _shape(script_err, script_message) == _shape(web_err, web_message)


SERVE = """
    import json
    import logging
    import threading
    import urllib.request

    from flask.logging import default_handler
    from werkzeug.serving import make_server

    from ampho import create_app

    app = create_app()
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.handle_request)
    thread.start()
    with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/hello", timeout=30) as r:
        body = r.read().decode()
    thread.join(30)
    server.server_close()
    print(json.dumps({
        "body": body,
        "flask_default_handler": default_handler in app.logger.handlers,
        "app_logger_handlers": [type(h).__name__ for h in app.logger.handlers],
        "werkzeug_handlers": len(logging.getLogger("werkzeug").handlers),
    }))
"""


def test_module_flask_and_werkzeug_loggers_reach_file_and_console_once(app_tree) -> None:
    root = write_app(app_tree, {})
    (root / "serve.py").write_text(textwrap.dedent(SERVE))
    result = run([sys.executable], ["serve.py"], root)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out == {
        "body": "hello",
        "flask_default_handler": False,
        "app_logger_handlers": ["AppLoggerHandler"],
        "werkzeug_handlers": 0,
    }

    lines = log_lines(root / "log")
    for where in (lines, result.stderr.splitlines()):
        assert len(containing("app.views: module line", where)) == 1, where
        assert len(containing("WARNING", containing("app: flask line", where))) == 1, where
        assert len(containing('"GET /hello HTTP/1.1" 200', where)) == 1, where
    [access] = containing('"GET /hello HTTP/1.1" 200', lines)
    assert "werkzeug" in access


# --- a command's console, and app.logger ------------------------------------------

#: Who logs, at which level, and whether a command's console shows it;
#: the application's bundles are ``shop`` and ``app``.
COMMAND_CONSOLE = [
    ("alembic.runtime.plugins", logging.INFO, False),
    ("alembic.runtime.plugins", logging.WARNING, True),
    ("sqlalchemy.engine.Engine", logging.DEBUG, False),
    ("urllib3", logging.ERROR, True),
    ("shop", logging.INFO, True),
    ("shop.orders", logging.DEBUG, True),
    ("app", logging.INFO, True),  # Flask's app.logger
    ("ampho.logging", logging.INFO, True),
    ("root", logging.INFO, True),  # logging.info() itself
    ("shopping.cart", logging.INFO, False),  # only starts like a bundle's name
]


def _log_each(table: list[tuple[str, int, bool]]) -> dict[str, bool]:
    """Log a line from each logger of ``table``; its message, and whether it should show.

    Each logger as a library leaves it: enabled, at no level of its own.
    Another test may have run Alembic, whose ``fileConfig`` disables every
    logger there is, or set SQLAlchemy's level.
    """
    expected = {}
    for name, level, shown in table:
        message = marker()
        parts = [] if name == "root" else name.split(".")
        # The logger and its parents: Alembic's file sets "sqlalchemy" to WARN.
        chain = [logging.getLogger(".".join(parts[:n])) for n in range(1, len(parts) + 1)]
        states = [(logger.disabled, logger.level) for logger in chain]
        for logger in chain:
            logger.disabled, logger.level = False, logging.NOTSET
        try:
            logging.getLogger(name if parts else None).log(level, message)
        finally:
            for logger, (disabled, logger_level) in zip(chain, states, strict=True):
                logger.disabled, logger.level = disabled, logger_level
        expected[message] = shown
    return expected


def test_a_commands_console_shows_other_libraries_records_from_warning_up_only(
    configure, root, capfd
) -> None:
    with quiet_libraries():
        setup(configure({}, env="development"), bundles=["shop", "app"])
    capfd.readouterr()
    expected = _log_each(COMMAND_CONSOLE)
    err = capfd.readouterr().err
    assert {message: message in err for message in expected} == expected
    # The files keep every record.
    lines = log_lines(root / "log")
    assert all(containing(message, lines) for message in expected)


@pytest.mark.parametrize(
    ("quiet", "settings"),
    [(False, {}), (True, {"LOG_VERBOSE": True}), (True, {"LOG_VERBOSE": "yes"})],
    ids=["not-a-command", "log-verbose", "log-verbose-string"],
)
def test_outside_a_command_or_with_log_verbose_the_console_shows_every_record(
    configure, capfd, quiet, settings
) -> None:
    with quiet_libraries(quiet):
        setup(
            configure({"LOG_FILES_ENABLED": False, **settings}, env="development"), bundles=["shop"]
        )
    capfd.readouterr()
    expected = _log_each(COMMAND_CONSOLE)
    err = capfd.readouterr().err
    assert all(message in err for message in expected)


def test_quiet_libraries_applies_to_the_setup_calls_within_its_block_only(configure, capfd) -> None:
    config = configure({"LOG_FILES_ENABLED": False})
    with quiet_libraries():
        setup(config)
    setup(config)
    message = marker()
    logging.getLogger("alembic").info(message)
    assert message in capfd.readouterr().err


APP_LOGGER = """
    import json

    from flask.logging import default_handler

    from ampho import create_app


    def handlers(app):
        return [
            "Flask's" if h is default_handler else type(h).__name__ for h in app.logger.handlers
        ]


    built = [handlers(create_app()) for _ in range(3)]
    without = handlers(create_app(config={"LOG_CONSOLE": False, "LOG_FILES_ENABLED": False}))
    print(json.dumps({"built": built, "without": without}))
"""


def test_app_logger_has_one_handler_of_amphos_while_ampho_logs_and_flasks_otherwise(
    app_tree,
) -> None:
    # A fresh interpreter: Flask's default handler, once added, stays on
    # the logger for the rest of the process.
    root = write_app(app_tree, {}, views="")
    (root / "app_logger.py").write_text(textwrap.dedent(APP_LOGGER))
    result = run([sys.executable], ["app_logger.py"], root)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "built": [["AppLoggerHandler"]] * 3,
        "without": ["Flask's"],
    }


# --- the level -------------------------------------------------------------------


LEVELS = [logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR]


def _levels_written(root: Path) -> list[int]:
    """Log one line at each level; return the levels whose line reached the file."""
    messages = {level: marker() for level in LEVELS}
    for level, message in messages.items():
        logging.getLogger("t").log(level, message)
    lines = log_lines(root / "log")
    return [level for level, message in messages.items() if containing(message, lines)]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("debug", logging.DEBUG),
        ("Warning", logging.WARNING),
        ("ERROR", logging.ERROR),
        ("info", logging.INFO),
        (30, logging.WARNING),
        (25, 25),
    ],
)
def test_log_level_sets_the_root_level_by_name_in_any_case_or_number(
    configure, root, value, expected
) -> None:
    setup(configure({"LOG_LEVEL": value, "LOG_CONSOLE": False}))
    assert logging.getLogger().level == expected
    assert _levels_written(root) == [level for level in LEVELS if level >= expected]


def test_log_level_from_an_environment_variable_string(configure, root) -> None:
    setup(configure({"LOG_CONSOLE": False}, environ={"AMPHO_LOG_LEVEL": "error"}))
    assert _levels_written(root) == [logging.ERROR]


def test_log_level_wins_over_development_and_debug(configure, root, monkeypatch) -> None:
    monkeypatch.setenv("FLASK_DEBUG", "1")
    cfg = configure(
        {"LOG_LEVEL": "WARNING", "DEBUG": True, "LOG_CONSOLE": False}, env="development"
    )
    setup(cfg)
    assert _levels_written(root) == [logging.WARNING, logging.ERROR]


@pytest.mark.parametrize(
    ("settings", "env", "flask_debug"),
    [
        ({}, "development", None),
        ({"DEBUG": True}, None, None),
        ({"DEBUG": "yes"}, None, None),
        ({"DEBUG": 1}, None, None),
        ({}, None, "1"),
    ],
    ids=["development", "DEBUG-true", "DEBUG-yes", "DEBUG-1", "FLASK_DEBUG=1"],
)
def test_level_is_debug_in_development_or_debug_mode(
    configure, root, monkeypatch, settings, env, flask_debug
) -> None:
    if flask_debug is not None:
        monkeypatch.setenv("FLASK_DEBUG", flask_debug)
    load_args = {"env": env} if env else {}
    setup(configure({**settings, "LOG_CONSOLE": False}, **load_args))
    assert logging.getLogger().level == logging.DEBUG
    assert _levels_written(root) == LEVELS


@pytest.mark.parametrize(
    ("settings", "env", "flask_debug"),
    [
        ({}, None, None),
        ({"DEBUG": False}, "production", None),
        ({"DEBUG": "no"}, "staging", None),
        ({}, None, "0"),
    ],
    ids=["nothing", "DEBUG-false", "DEBUG-no-staging", "FLASK_DEBUG=0"],
)
def test_level_is_info_otherwise(configure, root, monkeypatch, settings, env, flask_debug) -> None:
    if flask_debug is not None:
        monkeypatch.setenv("FLASK_DEBUG", flask_debug)
    load_args = {"env": env} if env else {}
    setup(configure({**settings, "LOG_CONSOLE": False}, **load_args))
    assert logging.getLogger().level == logging.INFO
    assert _levels_written(root) == [logging.INFO, logging.WARNING, logging.ERROR]


# --- files: directory, name, period, link, backups --------------------------------


def test_log_files_dir_defaults_to_log_under_the_root(configure, root) -> None:
    setup(configure({"LOG_CONSOLE": False}))
    log_at(MOMENT, "x")
    assert [p.name for p in period_files(root / "log")] == ["app-2026-03-04.log"]


def test_log_files_dir_is_relative_to_the_root(configure, root) -> None:
    setup(configure({"LOG_FILES_DIR": "var/logs", "LOG_CONSOLE": False}))
    message = marker()
    logging.getLogger("t").info(message)
    assert containing(message, log_lines(root / "var" / "logs"))
    assert not (root / "log").exists()


def test_log_files_dir_may_be_absolute(configure, root, tmp_path) -> None:
    absolute = tmp_path / "absolute" / "logs"
    setup(configure({"LOG_FILES_DIR": str(absolute), "LOG_CONSOLE": False}))
    message = marker()
    logging.getLogger("t").info(message)
    assert containing(message, log_lines(absolute))
    assert not (root / "log").exists()


def test_log_files_name_defaults_to_the_name_argument(configure, root) -> None:
    setup(configure({"LOG_CONSOLE": False}), name="worker")
    log_at(MOMENT, "x")
    assert [p.name for p in period_files(root / "log", "worker")] == ["worker-2026-03-04.log"]


def test_log_files_name_wins_over_the_name_argument(configure, root) -> None:
    setup(configure({"LOG_FILES_NAME": "nightly", "LOG_CONSOLE": False}), name="worker")
    log_at(MOMENT, "x")
    assert [p.name for p in period_files(root / "log", "nightly")] == ["nightly-2026-03-04.log"]
    assert os.readlink(root / "log" / "nightly.log") == "nightly-2026-03-04.log"
    assert not [p for p in (root / "log").iterdir() if p.name.startswith("worker")]


def test_create_app_names_the_files_after_the_entry_bundle(app_tree) -> None:
    app_tree.bundle("portal", views=LOGGING_VIEWS)
    app_tree.write({"instance/default.json": '{"LOG_CONSOLE": false}'})
    app = create_app("portal", config={"TESTING": True})
    assert app.test_client().get("/hello").text == "hello"
    lines = log_lines(app_tree.root / "log", "portal")
    assert len(containing("portal.views: module line", lines)) == 1
    assert len(containing("portal: flask line", lines)) == 1


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (None, "app-2026-03-04.log"),
        ("midnight", "app-2026-03-04.log"),
        ("MIDNIGHT", "app-2026-03-04.log"),
        ("H", "app-2026-03-04_05.log"),
        ("h", "app-2026-03-04_05.log"),
        ("M", "app-2026-03-04_05-06.log"),
        ("S", "app-2026-03-04_05-06-07.log"),
    ],
)
def test_log_files_when_names_the_file_after_its_period(configure, root, when, expected) -> None:
    settings: dict[str, Any] = {"LOG_CONSOLE": False}
    if when is not None:
        settings["LOG_FILES_WHEN"] = when
    setup(configure(settings))
    log_at(MOMENT, "at the moment")
    [path] = period_files(root / "log")
    assert path.name == expected
    assert containing("at the moment", file_lines(path))


@pytest.mark.parametrize(("when", "step"), [("midnight", 86400), ("H", 3600), ("M", 60), ("S", 1)])
def test_a_new_period_starts_a_new_file_and_moves_the_link(configure, root, when, step) -> None:
    setup(configure({"LOG_FILES_WHEN": when, "LOG_CONSOLE": False}))
    log_dir = root / "log"
    link = log_dir / "app.log"

    log_at(MOMENT, "first period")
    assert link.is_symlink()
    first = period_name("app", when.upper(), MOMENT)
    assert os.readlink(link) == first
    assert containing("first period", file_lines(link))

    log_at(MOMENT + step, "second period")
    second = period_name("app", when.upper(), MOMENT + step)
    assert second != first
    assert link.is_symlink()
    assert os.readlink(link) == second
    assert file_lines(link) == containing("second period", file_lines(link))
    assert [p.name for p in period_files(log_dir)] == [first, second]
    assert containing("first period", file_lines(log_dir / first))
    assert not containing("second period", file_lines(log_dir / first))


#: Files the handler of ``app`` must leave alone: other names, even ``app-2``.
UNRELATED = [
    "app-2-2026-03-04_05-00-00.log",
    "app-notes.txt",
    "other-2026-03-04_05-00-00.log",
    "readme.log",
]


def _precreate(log_dir: Path, count: int, start: float) -> list[str]:
    """``count`` earlier one-second files, oldest first, and a few unrelated files."""
    log_dir.mkdir(exist_ok=True)
    names = [period_name("app", "S", start + i) for i in range(count)]
    for name in names:
        (log_dir / name).write_text("old line\n")
    for unrelated in UNRELATED:
        (log_dir / unrelated).write_text("keep me\n")
    return names


@pytest.mark.parametrize(("backup_count", "older"), [(0, 4), (2, 6), (5, 5), (None, 33)])
def test_backup_count_deletes_older_files_and_keeps_the_newest(
    configure, root, backup_count, older
) -> None:
    settings: dict[str, Any] = {"LOG_FILES_WHEN": "S", "LOG_CONSOLE": False}
    if backup_count is not None:
        settings["LOG_FILES_BACKUP_COUNT"] = backup_count
    keep = 30 if backup_count is None else backup_count
    old = _precreate(root / "log", older, MOMENT - 100)
    setup(configure(settings))

    log_at(MOMENT, "now")
    current = period_name("app", "S", MOMENT)
    kept = old[len(old) - keep :] if keep else []
    assert [p.name for p in period_files(root / "log")] == [*kept, current]
    remaining = sorted(
        p.name for p in (root / "log").iterdir() if p.name != "app.log" and p.stat().st_size
    )
    assert remaining == sorted([*kept, current, *UNRELATED])


def test_backup_count_is_applied_again_at_every_rollover(configure, root) -> None:
    old = _precreate(root / "log", 3, MOMENT - 100)
    setup(configure({"LOG_FILES_WHEN": "S", "LOG_FILES_BACKUP_COUNT": 1, "LOG_CONSOLE": False}))
    seen = []
    for i in range(4):
        log_at(MOMENT + i, f"second {i}")
        seen.append(period_name("app", "S", MOMENT + i))
        names = [p.name for p in period_files(root / "log")]
        assert names == [(old + seen)[-2], seen[-1]]
    for name in UNRELATED:
        assert (root / "log" / name).read_text() == "keep me\n"


# --- formats -----------------------------------------------------------------------


def test_default_text_format_shows_time_level_pid_logger_and_message(configure, root) -> None:
    before = time.time()
    setup(configure({"LOG_CONSOLE": False}))
    message = marker()
    logging.getLogger("billing.invoices").warning(message)
    [line] = containing(message, log_lines(root / "log"))
    when = datetime.datetime.strptime(line[:19], "%Y-%m-%d %H:%M:%S").timestamp()
    assert int(before) - 1 <= when <= time.time() + 1
    rest = line[19:]
    assert re.search(r"\bWARNING\b", rest)
    assert re.search(rf"\b{os.getpid()}\b", rest)
    assert re.search(r"\bbilling\.invoices\b", rest)
    assert rest.endswith(message)
    assert rest.index("WARNING") < rest.index("billing.invoices") < rest.index(message)


def test_log_files_msg_format_shapes_file_and_console_lines(configure, root, capfd) -> None:
    setup(configure({"LOG_FILES_MSG_FORMAT": "%(levelname)s|%(name)s|%(message)s"}))
    message = marker()
    logging.getLogger("t").error(message)
    assert containing(message, log_lines(root / "log")) == [f"ERROR|t|{message}"]
    assert containing(message, capfd.readouterr().err.splitlines()) == [f"ERROR|t|{message}"]


def test_console_is_on_by_default_and_writes_to_stderr(configure, capfd) -> None:
    setup(configure({}))
    message = marker()
    logging.getLogger("t").info(message)
    out, err = capfd.readouterr()
    assert len(containing(message, err.splitlines())) == 1
    assert message not in out


def test_log_console_false_writes_nothing_to_stderr(configure, root, capfd) -> None:
    setup(configure({"LOG_CONSOLE": False}))
    message = marker()
    logging.getLogger("t").warning(message)
    out, err = capfd.readouterr()
    assert message not in err
    assert message not in out
    assert containing(message, log_lines(root / "log"))


def test_log_console_format_json_is_independent_of_the_files(configure, root, capfd) -> None:
    setup(configure({"LOG_CONSOLE_FORMAT": "json", "LOG_FILES_MSG_FORMAT": "%(message)s"}))
    message = marker()
    logging.getLogger("t").info(message)
    [err_line] = containing(message, capfd.readouterr().err.splitlines())
    assert json.loads(err_line)["message"] == message
    assert containing(message, log_lines(root / "log")) == [message]


def test_log_files_format_json_leaves_the_console_text(configure, root, capfd) -> None:
    setup(configure({"LOG_FILES_FORMAT": "json", "LOG_FILES_MSG_FORMAT": "%(message)s"}))
    message = marker()
    logging.getLogger("t").info(message)
    assert containing(message, capfd.readouterr().err.splitlines()) == [message]
    [line] = containing(message, log_lines(root / "log"))
    assert json.loads(line)["message"] == message


def _json_lines(root: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log_lines(root / "log")]


def test_json_lines_have_utc_timestamp_level_logger_message_and_process(configure, root) -> None:
    setup(configure({"LOG_FILES_FORMAT": "json", "LOG_CONSOLE": False}))
    message = marker()
    before = time.time()
    logging.getLogger("shop.orders").warning("%s placed", message)
    after = time.time()
    [line] = [obj for obj in _json_lines(root) if obj.get("message") == f"{message} placed"]
    stamp = datetime.datetime.fromisoformat(line["timestamp"])
    assert stamp.utcoffset() == datetime.timedelta(0)
    assert before - 0.001 <= stamp.timestamp() <= after + 0.001
    assert line["level"] == "WARNING"
    assert line["logger"] == "shop.orders"
    assert line["process"] == os.getpid()
    assert "exception" not in line


def test_json_lines_carry_the_exception_text_with_exc_info(configure, root) -> None:
    setup(configure({"LOG_FILES_FORMAT": "json", "LOG_CONSOLE": False}))
    message = marker()
    try:
        {}["missing-key"]
    except KeyError:
        logging.getLogger("t").exception(message)
    lines = log_lines(root / "log")
    [line] = containing(message, lines)
    obj = json.loads(line)
    assert obj["message"] == message
    assert obj["level"] == "ERROR"
    assert "Traceback (most recent call last)" in obj["exception"]
    assert "KeyError: 'missing-key'" in obj["exception"]
    assert len(lines) == 1


def test_json_message_with_newlines_and_quotes_stays_one_valid_line(configure, root) -> None:
    setup(configure({"LOG_FILES_FORMAT": "json", "LOG_CONSOLE": False}))
    message = f'{marker()} said "hi"\nsecond line\r\n\ttab \\ back\'slash {{"json": 1}} é\u2028'
    logging.getLogger("t").info(message)
    lines = log_lines(root / "log")
    assert len(lines) == 1
    assert json.loads(lines[0])["message"] == message


def test_json_lines_inside_a_request_carry_method_path_address_and_header_id(app_tree) -> None:
    write_app(app_tree, {"LOG_FILES_FORMAT": "json", "LOG_CONSOLE": False})
    client = create_app(config={"TESTING": True}).test_client()
    assert client.get("/hello", headers={"X-Request-ID": "req-42"}).text == "hello"
    lines = _json_lines(app_tree.root)
    request_lines = [obj for obj in lines if obj["message"] in ("module line", "flask line")]
    assert [obj["logger"] for obj in request_lines] == ["app.views", "app"]
    for obj in request_lines:
        assert obj["method"] == "GET"
        assert obj["path"] == "/hello"
        assert obj["remote_addr"] == "127.0.0.1"
        assert obj["request_id"] == "req-42"


def test_request_id_is_generated_once_per_request(app_tree) -> None:
    write_app(app_tree, {"LOG_FILES_FORMAT": "json", "LOG_CONSOLE": False})
    client = create_app(config={"TESTING": True}).test_client()
    for _ in range(3):
        assert client.get("/hello").text == "hello"
    lines = [obj for obj in _json_lines(app_tree.root) if obj.get("path") == "/hello"]
    assert len(lines) == 6
    ids = [obj["request_id"] for obj in lines]
    assert all(isinstance(i, str) and len(i) >= 8 for i in ids)
    # One id for both lines of a request, a new one for each request.
    assert ids[0] == ids[1] and ids[2] == ids[3] and ids[4] == ids[5]
    assert len({ids[0], ids[2], ids[4]}) == 3


def test_request_fields_are_available_to_text_formats(app_tree) -> None:
    write_app(
        app_tree,
        {
            "LOG_CONSOLE": False,
            "LOG_FILES_MSG_FORMAT": (
                "%(request_id)s %(method)s %(path)s %(remote_addr)s %(message)s"
            ),
        },
    )
    client = create_app(config={"TESTING": True}).test_client()
    client.get("/hello", headers={"X-Request-ID": "abc"})
    lines = log_lines(app_tree.root / "log")
    assert "abc GET /hello 127.0.0.1 module line" in lines
    assert "abc GET /hello 127.0.0.1 flask line" in lines


# --- one record, one line ----------------------------------------------------------------

#: What ends a line for ``str.splitlines`` and for many log viewers, and
#: how a text line shows it.
LINE_BREAKS = [
    pytest.param("\n", "\\n", id="LF"),
    pytest.param("\r\n", "\\r\\n", id="CRLF"),
    pytest.param("\r", "\\r", id="CR"),
    pytest.param("\v", "\\x0b", id="VT"),
    pytest.param("\f", "\\x0c", id="FF"),
    pytest.param("\x1c", "\\x1c", id="FS"),
    pytest.param("\x1e", "\\x1e", id="RS"),
    pytest.param("\x85", "\\x85", id="NEL"),
    pytest.param("\u2028", "\\u2028", id="LS"),
    pytest.param("\u2029", "\\u2029", id="PS"),
]

#: Every record's line starts with its level in the formats below.
RECORD_START = re.compile(r"(DEBUG|INFO|WARNING|ERROR|CRITICAL) ")


def lines_of(text: str) -> list[str]:
    """The lines of ``text`` as ``str.splitlines`` sees them: every line break counts."""
    return text.splitlines()


@pytest.mark.parametrize(("line_break", "shown"), LINE_BREAKS)
def test_a_line_break_in_a_message_is_escaped_in_text_lines_of_file_and_console(
    configure, root, capfd, line_break, shown
) -> None:
    setup(configure({"LOG_FILES_MSG_FORMAT": "%(levelname)s %(message)s"}))
    message = marker()
    logging.getLogger("t").info("%s%sCRITICAL forged", message, line_break)
    expected = [f"INFO {message}{shown}CRITICAL forged"]
    [path] = period_files(root / "log")
    assert lines_of(path.read_text(encoding="utf-8")) == expected
    assert containing(message, lines_of(capfd.readouterr().err)) == expected


@pytest.mark.parametrize("line_break", ["\x85", "\u2028", "\u2029"], ids=["NEL", "LS", "PS"])
def test_a_line_break_json_dumps_leaves_raw_is_escaped_in_json_lines_of_file_and_console(
    configure, root, capfd, line_break
) -> None:
    # json.dumps escapes the others (below U+0020) itself.
    setup(configure({"LOG_FILES_FORMAT": "json", "LOG_CONSOLE_FORMAT": "json"}))
    message = f"{marker()}{line_break}CRITICAL forged"
    logging.getLogger("t").info(message)
    [path] = period_files(root / "log")
    for text in (path.read_text(encoding="utf-8"), capfd.readouterr().err):
        [line] = containing("forged", lines_of(text))
        assert json.loads(line)["message"] == message
        assert f"\\u{ord(line_break):04x}CRITICAL forged" in line


def test_a_traceback_follows_its_record_indented_and_cannot_start_a_record(
    configure, root, capfd
) -> None:
    setup(configure({"LOG_FILES_MSG_FORMAT": "%(levelname)s %(message)s"}))
    message = marker()
    try:
        raise ValueError("bad value\nCRITICAL forged\u2028CRITICAL forged too")
    except ValueError:
        logging.getLogger("t").exception(message)
    [path] = period_files(root / "log")
    for text in (path.read_text(encoding="utf-8"), capfd.readouterr().err):
        lines = lines_of(text[text.index(f"ERROR {message}") :])
        assert lines[0] == f"ERROR {message}"
        assert lines[1] == "  Traceback (most recent call last):"
        assert lines[-2:] == [
            "  ValueError: bad value",
            "  CRITICAL forged\\u2028CRITICAL forged too",
        ]
        assert all(line.startswith("  ") for line in lines[1:])


#: Request paths as a client sends them, and as Flask decodes them.
HOSTILE_PATHS = [
    pytest.param("/a%0ACRITICAL%20forged", "/a\nCRITICAL forged", id="LF"),
    pytest.param("/a%0D%0ACRITICAL%20forged", "/a\r\nCRITICAL forged", id="CRLF"),
    pytest.param("/a%C2%85CRITICAL%20forged", "/a\x85CRITICAL forged", id="NEL"),
    pytest.param("/a%E2%80%A8CRITICAL%20forged", "/a\u2028CRITICAL forged", id="LS"),
    pytest.param("/a%E2%80%A9CRITICAL%20forged", "/a\u2029CRITICAL forged", id="PS"),
    pytest.param("/a%1B[2J%1B]0;title%07b", "/a\x1b[2J\x1b]0;title\x07b", id="terminal"),
    pytest.param("/a%E2%80%AEgnp.exe", "/a\u202egnp.exe", id="bidi"),
    pytest.param("/a%00b", "/a\x00b", id="NUL"),
]


@pytest.mark.parametrize(("sent", "path"), HOSTILE_PATHS)
def test_request_fields_are_printable_in_text_lines_and_exact_in_json_lines(
    configure, root, capfd, sent, path
) -> None:
    from flask import Flask

    # The same record goes to the text file and the JSON console.
    setup(
        configure(
            {
                "LOG_CONSOLE_FORMAT": "json",
                "LOG_FILES_MSG_FORMAT": "%(levelname)s %(method)s %(path)s %(remote_addr)s|",
            }
        )
    )
    web = Flask("web")
    environ = {"REMOTE_ADDR": f"10.0.0.1{path[2:]}"}  # as a ProxyFix would take it from a header
    with web.test_request_context(sent, environ_base=environ):
        logging.getLogger("t").info("seen")
    [path_file] = period_files(root / "log")
    [line] = lines_of(path_file.read_text(encoding="utf-8"))
    escaped = path.encode("unicode_escape").decode("ascii")
    assert line == f"INFO GET {escaped} 10.0.0.1{escaped[2:]}|"
    assert line.isprintable()
    [json_line] = containing('"seen"', lines_of(capfd.readouterr().err))
    record = json.loads(json_line)
    if "\x1b" not in path:  # JSON lines hold no terminal escapes (see the colour tests)
        assert record["path"] == path
        assert record["remote_addr"] == f"10.0.0.1{path[2:]}"


def test_gunicorn_access_atoms_have_line_breaks_escaped_and_keep_their_mapping() -> None:
    # Gunicorn formats its access line from SafeAtoms, a mapping that
    # answers "-" for a header the request did not send; a plain dict
    # in its place raised KeyError, and the record was lost.
    from gunicorn.glogging import SafeAtoms

    from ampho.logging.formatting import text_formatter

    formatter = text_formatter("%(message)s")
    atoms = SafeAtoms({"a": "agent\x85CRITICAL forged\n", "r": "GET / HTTP/1.1"})
    record = logging.makeLogRecord(
        {"msg": '%(r)s "%(a)s" %({x-real-ip}i)s', "args": atoms, "levelname": "INFO"}
    )
    assert formatter.format(record) == 'GET / HTTP/1.1 "agent\\x85CRITICAL forged\\n" -'


def test_a_terminal_console_keeps_the_colours_of_messages_but_not_of_request_fields() -> None:
    from ampho.logging.formatting import text_formatter

    formatter = text_formatter("%(path)s %(message)s", colours=True)
    record = logging.makeLogRecord({"msg": "\x1b[31mred\x1b[0m\nCRITICAL", "path": "/\x1b[2J"})
    assert formatter.format(record) == "/\\x1b[2J \x1b[31mred\x1b[0m\n  CRITICAL"


@pytest.mark.parametrize(("line_break", "shown"), LINE_BREAKS[2:])
def test_a_message_of_several_lines_keeps_them_indented_under_its_record(
    configure, root, capfd, line_break, shown
) -> None:
    # The program's own text, as Werkzeug's banner or an f-string: its line
    # feeds start indented lines, which no reader takes for a record.
    setup(configure({"LOG_FILES_MSG_FORMAT": "%(levelname)s %(message)s"}))
    message = marker()
    logging.getLogger("t").info(f"{message}\nCRITICAL forged{line_break}CRITICAL again\n * x")
    expected = [f"INFO {message}", f"  CRITICAL forged{shown}CRITICAL again", "   * x"]
    [path] = period_files(root / "log")
    text = path.read_text(encoding="utf-8")
    assert lines_of(text[text.index(f"INFO {message}") :]) == expected
    err = capfd.readouterr().err
    assert lines_of(err[err.index(f"INFO {message}") :])[:3] == expected


# --- booleans and bad settings ---------------------------------------------------------


BOOLEANS = [
    (True, True),
    (False, False),
    (1, True),
    (0, False),
    ("true", True),
    ("FALSE", False),
    ("True", True),
    ("yes", True),
    ("No", False),
    ("YES", True),
    ("1", True),
    ("0", False),
]

#: As environment variables: JSON is tried first, so some become bools or ints.
BOOLEAN_VARIABLES = [
    ("true", True),
    ("false", False),
    ("1", True),
    ("0", False),
    ("Yes", True),
    ("NO", False),
    ("TRUE", True),
    ("False", False),
]


def _enabled(root: Path, capfd: pytest.CaptureFixture[str]) -> dict[str, bool]:
    """Whether a line reaches the files and the console after setup()."""
    capfd.readouterr()
    message = marker()
    logging.getLogger("t").warning(message)
    return {
        "LOG_FILES_ENABLED": bool(containing(message, log_lines(root / "log"))),
        "LOG_CONSOLE": message in capfd.readouterr().err,
    }


@pytest.mark.parametrize("key", ["LOG_FILES_ENABLED", "LOG_CONSOLE"])
@pytest.mark.parametrize(("value", "expected"), BOOLEANS)
def test_booleans_accept_true_false_1_0_yes_no_as_json_or_strings(
    configure, root, capfd, key, value, expected
) -> None:
    setup(configure({key: value}))
    assert _enabled(root, capfd)[key] is expected


@pytest.mark.parametrize("key", ["LOG_FILES_ENABLED", "LOG_CONSOLE"])
@pytest.mark.parametrize(("value", "expected"), BOOLEAN_VARIABLES)
def test_booleans_accept_environment_variable_strings(
    configure, root, capfd, key, value, expected
) -> None:
    setup(configure({}, environ={f"AMPHO_{key}": value}))
    assert _enabled(root, capfd)[key] is expected


@pytest.mark.parametrize("key", ["LOG_FILES_ENABLED", "LOG_CONSOLE", "LOG_VERBOSE", "DEBUG"])
@pytest.mark.parametrize("value", ["maybe", "on", "", "truee", 2, -1, 0.5, [], {}])
def test_a_non_boolean_is_a_config_error_naming_key_and_file_line(
    configure, root, key, value
) -> None:
    write_third_line(root, '"OTHER": 1', key, value)
    cfg = configure()
    with pytest.raises(ConfigError) as raised:
        setup(cfg)
    assert key in str(raised.value)
    assert str(raised.value).startswith("instance/default.json:3:")


def test_a_non_boolean_variable_is_a_config_error_naming_the_variable(configure) -> None:
    with pytest.raises(ConfigError) as raised:
        setup(configure({}, environ={"AMPHO_LOG_CONSOLE": "sometimes"}))
    assert "LOG_CONSOLE" in str(raised.value)
    assert "AMPHO_LOG_CONSOLE" in str(raised.value)
    assert "sometimes" in str(raised.value)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("LOG_FILES_MSG_FORMAT", "%(message"),
        ("LOG_FILES_MSG_FORMAT", "%(nosuch)s"),
        ("LOG_FILES_MSG_FORMAT", "%(asctime)s %(levelname"),
        ("LOG_FILES_MSG_FORMAT", "%(message)d"),
        ("LOG_FILES_MSG_FORMAT", 42),
        ("LOG_LEVEL", "LOUD"),
        ("LOG_LEVEL", "debugx"),
        ("LOG_LEVEL", ""),
        ("LOG_LEVEL", True),
        ("LOG_LEVEL", 2.5),
        ("LOG_FILES_FORMAT", "xml"),
        ("LOG_FILES_FORMAT", "JSONL"),
        ("LOG_CONSOLE_FORMAT", "yaml"),
        ("LOG_FILES_WHEN", "W0"),
        ("LOG_FILES_WHEN", "daily"),
        ("LOG_FILES_WHEN", ""),
        ("LOG_FILES_BACKUP_COUNT", -1),
        ("LOG_FILES_BACKUP_COUNT", "-3"),
        ("LOG_FILES_BACKUP_COUNT", "many"),
        ("LOG_FILES_BACKUP_COUNT", 1.5),
        ("LOG_FILES_BACKUP_COUNT", True),
        ("LOG_FILES_BACKUP_COUNT", "\u00b2"),  # str.isdigit() says yes, int() says no
        ("LOG_FILES_BACKUP_COUNT", "\u0663"),  # an Arabic-Indic 3, which int() reads
        ("LOG_FILES_BACKUP_COUNT", "9" * 5000),  # more digits than int() reads
        ("LOG_FILES_BACKUP_COUNT", "1_000"),
        ("LOG_FILES_MSG_FORMAT", "%(message)100000000s"),  # a 100 MB line a record
        ("LOG_FILES_MSG_FORMAT", "%(message).99999999999999999999s"),
        ("LOG_FILES_DIR", "log\u0000"),
        ("LOG_FILES_DIR", 7),
        ("LOG_FILES_NAME", "../x"),
        ("LOG_FILES_NAME", "a/b"),
        ("LOG_FILES_NAME", "a\\b"),
        ("LOG_FILES_NAME", "/abs"),
        ("LOG_FILES_NAME", "a\u0000b"),
        ("LOG_FILES_NAME", "x" * 300),
        ("LOG_FILES_NAME", "\u00e9" * 101),  # 101 characters, 202 bytes
        ("LOG_FILES_NAME", ""),
        ("LOG_FILES_NAME", "."),
        ("LOG_FILES_NAME", ".."),
        ("LOG_FILES_NAME", ".hidden"),
        ("LOG_FILES_NAME", "two\nlines"),
        ("LOG_FILES_NAME", "\u001b[31mred"),
        ("LOG_FILES_NAME", 42),
        ("LOG_FILES_NAME", ["app"]),
    ],
)
def test_a_bad_setting_is_a_config_error_raised_by_setup(configure, root, key, value) -> None:
    write_third_line(root, '"LOG_CONSOLE": false', key, value)
    before = list(logging.getLogger().handlers)
    with pytest.raises(ConfigError) as raised:
        setup(configure())
    message = str(raised.value)
    assert message.startswith(f"instance/default.json:3:3: {key} "), message
    assert "\n" not in message and len(message) < 300, message
    # Nothing was installed: the first log call cannot be the one to fail.
    assert logging.getLogger().handlers == before
    # Nothing was written either, inside the root or beside it (``../x``).
    assert sorted(p.name for p in root.iterdir()) == ["instance"]
    assert not list(root.parent.glob("*.log"))


@pytest.mark.parametrize(
    "name", ["app", "shop-api", "worker_2", "caf\u00e9", "x" * 200, "a.b", "-dash", "with space"]
)
def test_log_files_name_takes_any_plain_visible_file_name(configure, root, name) -> None:
    setup(configure({"LOG_FILES_NAME": name, "LOG_CONSOLE": False}))
    message = marker()
    logging.getLogger("t").info(message)
    [path] = period_files(root / "log", name)
    assert containing(message, file_lines(path))
    assert os.readlink(root / "log" / f"{name}.log") == path.name


def test_a_bad_log_files_name_variable_is_named_as_the_variable(configure, root) -> None:
    with pytest.raises(ConfigError) as raised:
        setup(configure({}, environ={"AMPHO_LOG_FILES_NAME": "../escape"}))
    assert str(raised.value) == (
        "env AMPHO_LOG_FILES_NAME: LOG_FILES_NAME must be a plain file name,"
        " not '../escape': it holds a / or \\"
    )
    assert not list(root.parent.glob("*.log"))


@pytest.mark.parametrize("name", ["../x", "a/b", ".hidden"])
def test_a_bad_name_argument_is_a_config_error_too(configure, root, name) -> None:
    with pytest.raises(ConfigError, match="the name of the log files must be a plain file name"):
        setup(configure({"LOG_CONSOLE": False}), name=name)
    assert sorted(p.name for p in root.iterdir()) == ["instance"]


def test_backup_count_reads_ascii_digits_in_a_string(configure, root) -> None:
    handlers = setup(configure({"LOG_CONSOLE": False, "LOG_FILES_BACKUP_COUNT": " 12 "}))
    assert [getattr(h, "backup_count", None) for h in handlers] == [12]


def test_create_app_raises_the_config_error_of_a_bad_log_setting(app_tree) -> None:
    write_app(app_tree, {"LOG_FILES_MSG_FORMAT": "%(nosuch)s"})
    with pytest.raises(ConfigError, match="LOG_FILES_MSG_FORMAT"):
        create_app()


# --- idempotence ----------------------------------------------------------------------


def test_setup_again_replaces_the_handlers_and_closes_the_old_files(configure, root) -> None:
    cfg = configure({})
    first = setup(cfg)
    logging.getLogger("t").info("opens the first file")
    fds = open_fds()
    second = setup(cfg)
    message = marker()
    logging.getLogger("t").info(message)
    assert open_fds() == fds
    assert ampho_handlers() == second
    assert not set(first) & set(logging.getLogger().handlers)
    assert len(containing(message, log_lines(root / "log"))) == 1


def test_a_hundred_apps_write_each_line_once_and_leak_no_descriptors(app_tree, capfd) -> None:
    write_app(app_tree, {})
    fds = []
    for i in range(100):
        app = create_app(config={"TESTING": True})
        app.logger.info("built app %d", i)
        fds.append(open_fds())
    message = marker()
    logging.getLogger("t").info(message)
    assert fds[-1] == fds[0], fds

    lines = log_lines(app_tree.root / "log")
    assert len(containing(message, lines)) == 1
    for i in range(100):
        assert len([line for line in lines if line.endswith(f"app: built app {i}")]) == 1
    err = capfd.readouterr().err.splitlines()
    assert len(containing(message, err)) == 1
    assert [type(h) for h in ampho_handlers()] == [ConsoleHandler, PeriodFileHandler]


# --- the directory: fallback, disabled --------------------------------------------------


def test_an_impossible_log_dir_falls_back_to_the_user_log_dir_with_one_warning(
    app_tree, state_home, capfd
) -> None:
    write_app(app_tree, {"LOG_FILES_DIR": "not-a-dir/logs"})
    (app_tree.root / "not-a-dir").write_text("a regular file\n")
    fallback = Path(platformdirs.user_log_dir("app"))
    assert state_home in fallback.parents

    app = create_app(config={"TESTING": True})
    assert app.test_client().get("/hello").text == "hello"

    err = capfd.readouterr().err.splitlines()
    warnings = [line for line in err if "WARNING" in line and str(fallback) in line]
    assert len(warnings) == 1, err
    assert str(app_tree.root / "not-a-dir" / "logs") in warnings[0]
    lines = log_lines(fallback)
    assert len(containing("app.views: module line", lines)) == 1
    assert (app_tree.root / "not-a-dir").read_text() == "a regular file\n"


def test_an_unwritable_log_dir_falls_back_to_the_user_log_dir(configure, root, monkeypatch) -> None:
    cfg = configure({"LOG_FILES_DIR": "locked", "LOG_CONSOLE": False})
    (root / "locked").mkdir(mode=0o555)
    state = Path(tempfile.mkdtemp(prefix="ampho-state-"))
    try:
        state.chmod(0o777)
        monkeypatch.setenv("XDG_STATE_HOME", str(state))
        message = marker()

        def attempt() -> dict[str, Any]:
            handlers = setup(cfg)
            logging.getLogger("t").info(message)
            return {"dirs": [getattr(h, "directory", None) for h in handlers]}

        # As root every directory is writable: try as nobody, who cannot.
        result = call_as_user(65534, attempt) if os.geteuid() == 0 else attempt()
        fallback = state / "app" / "log"
        assert result == {"dirs": [str(fallback)]}
        assert list((root / "locked").iterdir()) == []
        lines = log_lines(fallback)
        assert len(containing(message, lines)) == 1
        assert len(containing(str(root / "locked"), lines)) == 1  # the warning
    finally:
        shutil.rmtree(state)


def test_log_files_disabled_makes_no_directory_at_all(configure, root, state_home, capfd) -> None:
    handlers = setup(configure({"LOG_FILES_ENABLED": False}))
    message = marker()
    logging.getLogger("t").warning(message)
    assert [type(h) for h in handlers] == [ConsoleHandler]
    assert message in capfd.readouterr().err
    assert [p.name for p in root.iterdir()] == ["instance"]
    assert not state_home.exists()


def test_log_files_disabled_in_create_app_makes_no_directory(app_tree, state_home) -> None:
    write_app(app_tree, {"LOG_FILES_ENABLED": "no", "LOG_CONSOLE": False})
    app = create_app(config={"TESTING": True})
    assert app.test_client().get("/hello").text == "hello"
    assert not (app_tree.root / "log").exists()
    assert not state_home.exists()
    assert ampho_handlers() == []


def test_when_no_directory_can_be_written_the_app_logs_to_the_console_alone(
    app_tree, tmp_path, monkeypatch, capfd
) -> None:
    # Both the configured directory and the user's log directory sit
    # under a regular file: neither can ever exist.
    blocker = tmp_path / "blocker"
    blocker.write_text("a regular file\n")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocker / "state"))
    write_app(app_tree, {"LOG_FILES_DIR": str(blocker / "logs")})

    app = create_app(config={"TESTING": True})
    assert app.test_client().get("/hello").text == "hello"

    assert [type(h) for h in ampho_handlers()] == [ConsoleHandler]
    err = capfd.readouterr().err
    warnings = [line for line in err.splitlines() if "cannot write log files" in line]
    assert len(warnings) == 1, err
    assert str(blocker / "logs") in warnings[0]
    assert "no log files" in warnings[0]
    assert "app.views: module line" in err
    assert blocker.read_text() == "a regular file\n"


# --- the file setup() opens ---------------------------------------------------------


def current_names(name: str = "app", when: str = "MIDNIGHT") -> list[str]:
    """The current period's file name, and the next one's should it turn meanwhile."""
    now = time.time()
    return sorted({period_name(name, when, now), period_name(name, when, now + 60)})


def test_setup_opens_the_current_file_before_any_record(configure, root) -> None:
    [handler] = setup(configure({"LOG_CONSOLE": False}))
    assert isinstance(handler, PeriodFileHandler) and handler.filename is not None
    path = Path(handler.filename)
    assert path.parent == root / "log"
    assert path.name in current_names()
    assert path.read_bytes() == b""
    assert os.readlink(root / "log" / "app.log") == path.name


def _file_handler_dirs(handlers: list[logging.Handler]) -> list[str]:
    return [h.directory for h in handlers if isinstance(h, PeriodFileHandler)]


def test_a_directory_in_place_of_the_current_file_falls_back_to_the_user_log_dir(
    configure, root, capfd
) -> None:
    # The directory is fine; the file the records would go to cannot be.
    for name in current_names():
        (root / "log" / name).mkdir(parents=True)
    handlers = setup(configure({}))
    fallback = platformdirs.user_log_dir("app")
    assert _file_handler_dirs(handlers) == [fallback]
    message = marker()
    logging.getLogger("t").info(message)
    assert len(containing(message, log_lines(Path(fallback)))) == 1

    err = capfd.readouterr().err
    warnings = [line for line in err.splitlines() if "cannot write log files" in line]
    assert len(warnings) == 1, err
    assert "Is a directory" in warnings[0] and str(root / "log") in warnings[0]
    assert "Traceback" not in err and "Logging error" not in err


def test_a_current_file_the_user_cannot_write_falls_back_to_the_user_log_dir(configure) -> None:
    # A directory everybody can enter, and a log directory everybody can
    # write: only the day's file, left by another user, is read-only.
    top = Path(tempfile.mkdtemp(prefix="ampho-readonly-file-"))
    try:
        top.chmod(0o755)
        root = top / "root"
        (root / "instance").mkdir(parents=True)
        (root / "log").mkdir(mode=0o777)
        (root / "log").chmod(0o777)
        for name in current_names():
            (root / "log" / name).write_text("another user's line\n")
            (root / "log" / name).chmod(0o444)
        (top / "state").mkdir(mode=0o777)
        (top / "state").chmod(0o777)
        cfg = configure(root_dir=root, overrides={"LOG_CONSOLE": False})
        message = marker()

        def attempt() -> dict[str, Any]:
            os.environ["XDG_STATE_HOME"] = str(top / "state")
            probe = root / "log" / "probe"
            probe.write_text("")  # the directory can be written: the old check passed
            probe.unlink()
            handlers = setup(cfg)
            logging.getLogger("t").info(message)
            return {"dirs": _file_handler_dirs(handlers)}

        # As root every file is writable: try as nobody, who cannot write it.
        result = call_as_user(65534, attempt) if os.geteuid() == 0 else attempt()
        fallback = top / "state" / "app" / "log"
        assert result == {"dirs": [str(fallback)]}
        assert len(containing(message, log_lines(fallback))) == 1
        for name in current_names():
            assert (root / "log" / name).read_text() == "another user's line\n"
    finally:
        shutil.rmtree(top)


FIFO_SCRIPT = """
import logging, sys
from ampho.config import load
from ampho.logging import PeriodFileHandler, setup

handlers = setup(load(sys.argv[1], user="u", host="h", environ={}))
logging.getLogger("t").info("after setup")
print([h.directory for h in handlers if isinstance(h, PeriodFileHandler)])
"""


def test_a_fifo_in_place_of_the_current_file_falls_back_without_hanging(root, tmp_path) -> None:
    for name in current_names():
        (root / "log").mkdir(exist_ok=True)
        os.mkfifo(root / "log" / name)
    # Opening a FIFO for writing blocks until a reader comes: a fresh
    # interpreter, so that a hang is a timeout and not a stuck test run.
    result = run(
        [sys.executable, "-c", FIFO_SCRIPT],
        [str(root)],
        tmp_path,
        timeout=30,
        XDG_STATE_HOME=str(tmp_path / "state"),
    )
    assert result.returncode == 0, result.stderr
    fallback = tmp_path / "state" / "app" / "log"
    assert result.stdout.strip() == repr([str(fallback)])
    warnings = [line for line in result.stderr.splitlines() if "cannot write log files" in line]
    assert len(warnings) == 1, result.stderr
    assert "not a regular file" in warnings[0]
    assert containing("t: after setup", log_lines(fallback))
