"""``setup()``: Ampho's handlers on the root logger, from the configuration."""

from __future__ import annotations

import logging
import os
import sys

from ..config import Config
from .formatting import RequestFilter, json_formatter, text_formatter
from .handler import PeriodFileHandler
from .settings import LogSettings


class ConsoleHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Records on standard error: Ampho's, so that ``setup()`` finds it again."""


def setup(config: Config, *, name: str | None = None) -> list[logging.Handler]:
    """Send log records to the console and to daily files, as configured.

    The handlers go on the root logger, so ``logging.getLogger(__name__)``
    in any module, Flask's ``app.logger`` and Werkzeug all reach them. A
    second call replaces (and closes) the handlers of the first, so an
    application built many times in one process writes each line once.

    It works in any script: ``setup(load())`` logs exactly as the web
    application of the same root does.

    :param config: the configuration; its root directory and environment
        are used too.
    :param name: the name of the log files when ``LOG_FILES_NAME`` is not
        set; the application factory passes the entry bundle's name.
    :return: the handlers installed.
    :raises ConfigError: for a bad ``LOG_*`` setting: a boolean that is not
        one, an unknown level or format, a format string that does not
        format.
    """
    settings = LogSettings(config, name)
    text = _checked_text_formatter(settings)
    handlers: list[logging.Handler] = []
    if settings.console:
        console = ConsoleHandler(sys.stderr)
        console.setFormatter(json_formatter() if settings.console_format == "json" else text)
        handlers.append(console)
    warning = None
    if settings.files:
        directory, warning = _log_directory(settings)
        if directory is not None:
            files = PeriodFileHandler(
                directory, settings.name, settings.when, settings.backup_count
            )
            files.setFormatter(json_formatter() if settings.files_format == "json" else text)
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
    if warning is not None:
        logging.getLogger("ampho.logging").warning(warning)
    return handlers


def _checked_text_formatter(settings: LogSettings) -> logging.Formatter:
    """The text formatter, tried on a record now rather than in production."""
    try:
        formatter = text_formatter(settings.msg_format)
        formatter.format(logging.LogRecord("ampho", logging.INFO, __file__, 1, "probe", (), None))
    except (ValueError, KeyError, TypeError) as e:
        message = f"is not a usable %-style format: {e}"
        raise settings.error("LOG_FILES_MSG_FORMAT", message) from None
    return formatter


def _log_directory(settings: LogSettings) -> tuple[str | None, str | None]:
    """The directory to write files in, and a warning if it is not the one set.

    A directory that cannot be made or written to must not stop the
    application: the logs go to the user's log directory instead, and if
    that cannot be written either, to the console alone.
    """
    try:
        _prove_writable(settings.directory)
    except OSError as e:
        import platformdirs

        fallback = platformdirs.user_log_dir(settings.name)
        reason = e.strerror or str(e)
        try:
            _prove_writable(fallback)
        except OSError as fallback_error:
            return None, (
                f"cannot write log files to {settings.directory} ({reason}) nor to"
                f" {fallback} ({fallback_error.strerror or fallback_error}); no log files"
            )
        return fallback, (
            f"cannot write log files to {settings.directory} ({reason}); writing them to {fallback}"
        )
    return settings.directory, None


def _prove_writable(directory: str) -> None:
    os.makedirs(directory, exist_ok=True)
    probe = os.path.join(directory, f".write-test-{os.getpid()}")
    os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    os.unlink(probe)
