"""Reading the ``LOG_*`` settings, strictly.

A logging setting that is wrong is found at start-up, named with the
place it was set, and never at the first log call in production.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from ..config import Config, ConfigError

#: What the time of a record looks like in text logs, local time.
DEFAULT_MSG_FORMAT = "%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"

#: How often a new file starts, and what names its period.
PERIODS = {
    "MIDNIGHT": "%Y-%m-%d",
    "D": "%Y-%m-%d",
    "H": "%Y-%m-%d_%H",
    "M": "%Y-%m-%d_%H-%M",
    "S": "%Y-%m-%d_%H-%M-%S",
}

_TRUE = ("true", "1", "yes")
_FALSE = ("false", "0", "no")
_FORMATS = ("text", "json")


class LogSettings:
    """The logging settings of one configuration, checked."""

    def __init__(self, config: Config, name: str | None) -> None:
        self._config = config
        #: The level of the root logger.
        self.level = self._level()
        #: Whether records go to the console (standard error).
        self.console = self.boolean("LOG_CONSOLE", True)
        #: ``text`` or ``json``, for the console.
        self.console_format = self.choice("LOG_CONSOLE_FORMAT", "text", _FORMATS)
        #: Whether records go to daily (or hourly...) files.
        self.files = self.boolean("LOG_FILES_ENABLED", True)
        #: ``text`` or ``json``, for the files.
        self.files_format = self.choice("LOG_FILES_FORMAT", "text", _FORMATS)
        #: The ``%``-style format of text lines, console and files alike.
        self.msg_format = self.string("LOG_FILES_MSG_FORMAT", DEFAULT_MSG_FORMAT)
        #: The directory of the files.
        self.directory = os.path.join(config.root_dir, self.string("LOG_FILES_DIR", "log") or "log")
        #: The files' name, before the period: ``<name>-2026-11-21.log``.
        self.name = self.string("LOG_FILES_NAME", name or "app")
        #: How many files before the current one are kept.
        self.backup_count = self.integer("LOG_FILES_BACKUP_COUNT", 30)
        #: ``midnight``, ``H``, ``M`` or ``S``.
        self.when = self.choice("LOG_FILES_WHEN", "midnight", tuple(PERIODS), upper=True)

    def error(self, key: str, message: str) -> ConfigError:
        """A :class:`ConfigError` about ``key``, located where it was set."""
        try:
            where = str(self._config.origin(key))
        except KeyError:
            where = None
        return ConfigError(f"{key} {message}", source=where)

    def _get(self, key: str, default: Any) -> Any:
        value = self._config.get(key, default)
        return default if value is None else value

    def boolean(self, key: str, default: bool) -> bool:
        """A yes/no setting: JSON booleans, 1/0, or true/false/yes/no in any case."""
        value = self._get(key, default)
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str):
            if value.strip().lower() in _TRUE:
                return True
            if value.strip().lower() in _FALSE:
                return False
        raise self.error(key, f"must be true or false (or 1/0, yes/no), not {value!r}")

    def string(self, key: str, default: str) -> str:
        value = self._get(key, default)
        if not isinstance(value, str):
            raise self.error(key, f"must be a string, not {value!r}")
        return value

    def integer(self, key: str, default: int) -> int:
        value = self._get(key, default)
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.error(key, f"must be a whole number, 0 or more, not {value!r}")
        return value

    def choice(self, key: str, default: str, choices: tuple[str, ...], upper: bool = False) -> str:
        value = self.string(key, default)
        normal = value.upper() if upper else value.lower()
        if normal not in choices:
            shown = ", ".join(c.lower() if c == "MIDNIGHT" or not upper else c for c in choices)
            raise self.error(key, f"must be one of {shown}, not {value!r}")
        return normal

    def _level(self) -> int:
        value = self._config.get("LOG_LEVEL")
        if value is None:
            debug = (
                self._config.env == "development"
                or self.boolean("DEBUG", False)
                or os.environ.get("FLASK_DEBUG", "").lower() not in ("", "0", "false", "no")
            )
            return logging.DEBUG if debug else logging.INFO
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            # getLevelName maps a known name to its number (3.10 has no
            # getLevelNamesMapping).
            level = logging.getLevelName(value.strip().upper())
            if isinstance(level, int):
                return level
        raise self.error("LOG_LEVEL", f"must be a level name such as DEBUG or INFO, not {value!r}")
