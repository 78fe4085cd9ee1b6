"""``setup()``: Ampho's handlers on the root logger, from the configuration."""

from __future__ import annotations

import contextlib
import contextvars
import logging
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import IO

from ..config import Config
from .formatting import RequestFilter, json_formatter, text_formatter
from .handler import PeriodFileHandler
from .settings import LogSettings, check_field_widths


class ConsoleHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Records on standard error: Ampho's, so that ``setup()`` finds it again."""


class AppLoggerHandler(logging.NullHandler):
    """On Flask's ``app.logger``: it handles nothing, and records go on
    to the root logger's handlers.

    Code written for plain Flask often adds a handler to ``app.logger``
    when that has none (``if not app.logger.handlers: ...``), since
    Flask's default handler would be there. With Ampho's handlers on the
    root logger, such a handler would print every line a second time;
    with this one in the list, the code adds nothing.
    """


class LibraryFilter(logging.Filter):
    """Pass the application's records, and other loggers' from WARNING up.

    A logger is the application's when the first part of its name is one
    of ``own``: a bundle's (its ``app.logger`` is the entry bundle's),
    Ampho's, or the root logger itself. One set lookup a record.
    """

    def __init__(self, own: Iterable[str]) -> None:
        super().__init__()
        self.own = frozenset(own)

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or record.name.partition(".")[0] in self.own


#: Whether the console handlers :func:`setup` makes now leave out other
#: libraries' records below WARNING (:func:`quiet_libraries`): a context
#: variable, so a block in one thread or task leaves others' setups alone.
_quiet: contextvars.ContextVar[bool] = contextvars.ContextVar("ampho_quiet", default=False)

#: The logger the last :func:`setup` gave an :class:`AppLoggerHandler`.
_app_logger: logging.Logger | None = None


@contextlib.contextmanager
def quiet_libraries(quiet: bool = True) -> Iterator[None]:
    """Within the block, :func:`setup` makes a console that leaves out
    other libraries' records below WARNING, unless ``LOG_VERBOSE`` is on.

    A command prints what it was asked for, and a library that reports
    at INFO what it set up would bury that: Alembic, which Flask-Migrate
    imports, lists seven plugins whenever it is imported. The ``ampho``
    command builds its application in this block, unless it is given
    ``-v``, for every command but ``run``, whose request lines are
    Werkzeug's INFO records. The application's own records, its
    bundles', ``app.logger``'s and Ampho's, show at every level as
    before, and the files keep every record. Servers, scripts and tests
    never enter the block.

    :param quiet: whether to leave them out; ``False`` is the default
        outside the block.
    """
    token = _quiet.set(quiet)
    try:
        yield
    finally:
        _quiet.reset(token)


def setup(
    config: Config, *, name: str | None = None, bundles: Sequence[str] = ()
) -> list[logging.Handler]:
    """Send log records to the console and to daily files, as configured.

    The handlers go on the root logger, so ``logging.getLogger(__name__)``
    in any module, Flask's ``app.logger`` and Werkzeug all reach them. A
    second call replaces (and closes) the handlers of the first, so an
    application built many times in one process writes each line once.

    It works in any script: ``setup(load())`` logs exactly as the web
    application of the same root does.

    The current period's file is opened here, so that a file that cannot
    be written (permissions, a directory or a FIFO in its place) is found
    now: the files then go to the user's log directory, or nowhere, with
    a warning, and the application still starts.

    :param config: the configuration; its root directory and environment
        are used too.
    :param name: the name of the log files when ``LOG_FILES_NAME`` is not
        set; the application factory passes the entry bundle's name.
    :param bundles: the application's bundles, by name, the entry bundle
        last, as the application factory passes them. Their loggers are
        the application's own, which a command's console shows at every
        level (:func:`quiet_libraries`); and the entry bundle's, Flask's
        ``app.logger``, gets an :class:`AppLoggerHandler` while the root
        logger has Ampho's handlers, so that code adding a handler to an
        ``app.logger`` without one does not print each line twice.
    :return: the handlers installed.
    :raises ConfigError: for a bad ``LOG_*`` setting: a boolean that is not
        one, an unknown level or format, a format string that does not
        format, a ``LOG_FILES_NAME`` that is not a plain file name.
    """
    settings = LogSettings(config, name)
    _check_text_format(settings)
    handlers: list[logging.Handler] = []
    if settings.console:
        console = ConsoleHandler(sys.stderr)
        console.setFormatter(_console_formatter(settings, console.stream))
        if _quiet.get() and not settings.verbose:
            console.addFilter(LibraryFilter(["root", "ampho", *bundles]))
        handlers.append(console)
    warning = None
    if settings.files:
        files, warning = _file_handler(settings)
        if files is not None:
            files.setFormatter(
                json_formatter()
                if settings.files_format == "json"
                else text_formatter(settings.msg_format)
            )
            handlers.append(files)
    request_filter = RequestFilter()
    for handler in handlers:
        handler.addFilter(request_filter)

    root = logging.getLogger()
    for old in list(root.handlers):
        if isinstance(old, (ConsoleHandler, PeriodFileHandler)):
            root.removeHandler(old)
            old.close()
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(settings.level)
    _hold_app_logger(bundles[-1] if bundles and handlers else None)
    if warning is not None:
        logging.getLogger("ampho.logging").warning(warning)
    return handlers


def _hold_app_logger(name: str | None) -> None:
    """Give the logger ``name`` an :class:`AppLoggerHandler`, and take
    the last call's away.

    ``None`` when the root logger has none of Ampho's handlers: a logger
    with a handler, even one that handles nothing, keeps Flask from
    adding its default one, and Python from writing warnings to standard
    error when no handler is found.
    """
    global _app_logger
    if _app_logger is not None:
        for handler in list(_app_logger.handlers):
            if isinstance(handler, AppLoggerHandler):
                _app_logger.removeHandler(handler)
        _app_logger = None
    if name is not None:
        _app_logger = logging.getLogger(name)
        _app_logger.addHandler(AppLoggerHandler())


def _check_text_format(settings: LogSettings) -> None:
    """Try the text format on a record now rather than in production."""
    problem = check_field_widths(settings.msg_format)
    if problem is not None:
        raise settings.error("LOG_FILES_MSG_FORMAT", f"is not a usable %-style format: {problem}")
    try:
        formatter = text_formatter(settings.msg_format)
        formatter.format(logging.LogRecord("ampho", logging.INFO, __file__, 1, "probe", (), None))
    except (ValueError, KeyError, TypeError) as e:
        message = f"is not a usable %-style format: {e}"
        raise settings.error("LOG_FILES_MSG_FORMAT", message) from None


def _console_formatter(settings: LogSettings, stream: IO[str]) -> logging.Formatter:
    """JSON, or text that keeps Werkzeug's colours only on a terminal."""
    if settings.console_format == "json":
        return json_formatter()
    return text_formatter(settings.msg_format, colours=_is_terminal(stream))


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):  # none, closed, or not a file
        return False


def _file_handler(settings: LogSettings) -> tuple[PeriodFileHandler | None, str | None]:
    """The file handler, with its file open, and a warning if it is not where set.

    A file that cannot be written must not stop the application: the
    logs go to the user's log directory instead, and if that cannot be
    written either, to the console alone. The file opened is the one the
    first records go to, so what works here keeps working.
    """
    try:
        return _opened(settings.directory, settings), None
    except OSError as e:
        reason = _reason(e, settings.directory)
    import platformdirs

    fallback = platformdirs.user_log_dir(settings.name)
    try:
        handler = _opened(fallback, settings)
    except OSError as e:
        return None, (
            f"cannot write log files to {settings.directory} ({reason}) nor to"
            f" {fallback} ({_reason(e, fallback)}); no log files"
        )
    return handler, (
        f"cannot write log files to {settings.directory} ({reason}); writing them to {fallback}"
    )


def _opened(directory: str, settings: LogSettings) -> PeriodFileHandler:
    """A handler for ``directory`` whose current file is open for appending."""
    os.makedirs(directory, exist_ok=True)
    handler = PeriodFileHandler(directory, settings.name, settings.when, settings.backup_count)
    try:
        handler.open()
    except BaseException:
        handler.close()
        raise
    return handler


def _reason(error: OSError, directory: str) -> str:
    """Why: the system's words, and the file when it is not the directory."""
    words = error.strerror or str(error)
    if error.filename and os.path.abspath(error.filename) != os.path.abspath(directory):
        return f"{error.filename}: {words}"
    return words
