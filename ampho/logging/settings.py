"""Reading the ``LOG_*`` settings, strictly.

A logging setting that is wrong is found at start-up, named with the
place it was set, and never at the first log call in production.
"""

from __future__ import annotations

import logging
import os
import re
from typing import Any

from ..config import Config, ConfigError

#: What the time of a record looks like in text logs, local time.
DEFAULT_MSG_FORMAT = "%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"

#: What each ``LOG_*`` setting is when no layer sets it, read here and
#: shown by ``ampho config docs``. ``LOG_LEVEL`` has none (it follows the
#: environment and ``DEBUG``), and ``LOG_FILES_NAME`` is the entry bundle's
#: name.
DEFAULTS: dict[str, Any] = {
    "LOG_CONSOLE": True,
    "LOG_CONSOLE_FORMAT": "text",
    "LOG_VERBOSE": False,
    "LOG_FILES_ENABLED": True,
    "LOG_FILES_FORMAT": "text",
    "LOG_FILES_MSG_FORMAT": DEFAULT_MSG_FORMAT,
    "LOG_FILES_DIR": "log",
    "LOG_FILES_BACKUP_COUNT": 30,
    "LOG_FILES_WHEN": "midnight",
}

#: How often a new file starts, and what names its period.
PERIODS = {
    "MIDNIGHT": "%Y-%m-%d",
    "D": "%Y-%m-%d",
    "H": "%Y-%m-%d_%H",
    "M": "%Y-%m-%d_%H-%M",
    "S": "%Y-%m-%d_%H-%M-%S",
}

#: The longest ``LOG_FILES_NAME``, in bytes of UTF-8: with the longest
#: period and ``.log`` (24 more), a name stays within the 255 bytes most
#: file systems allow.
MAX_NAME_BYTES = 200

#: A whole number written as a string: ASCII digits only (``str.isdigit``
#: also accepts ``"²"``, which ``int`` refuses), and few enough of them
#: for ``int`` to read.
_WHOLE_NUMBER = re.compile(r"\s*([0-9]{1,18})\s*", re.ASCII)

#: The width and precision of each field of a ``%``-style format.
_FIELD_SIZES = re.compile(r"%(?:\([^)]*\))?[#0+ -]*(\d*)(?:\.(\d*))?", re.ASCII)

#: The widest field a format may ask for: ``%(message)100000000s`` would
#: make every record a hundred megabytes.
MAX_FIELD_WIDTH = 999

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
        self.console = self.boolean("LOG_CONSOLE")
        #: ``text`` or ``json``, for the console.
        self.console_format = self.choice("LOG_CONSOLE_FORMAT", _FORMATS)
        #: Whether a command's console shows other libraries' records
        #: below WARNING too, as ``ampho -v`` does.
        self.verbose = self.boolean("LOG_VERBOSE")
        #: Whether records go to daily (or hourly...) files.
        self.files = self.boolean("LOG_FILES_ENABLED")
        #: ``text`` or ``json``, for the files.
        self.files_format = self.choice("LOG_FILES_FORMAT", _FORMATS)
        #: The ``%``-style format of text lines, console and files alike.
        self.msg_format = self.string("LOG_FILES_MSG_FORMAT")
        #: The directory of the files.
        self.directory = os.path.join(config.root_dir, self._directory())
        #: The files' name, before the period: ``<name>-2026-11-21.log``.
        self.name = self._name(name)
        #: How many files before the current one are kept.
        self.backup_count = self.integer("LOG_FILES_BACKUP_COUNT")
        #: ``midnight``, ``H``, ``M`` or ``S``.
        self.when = self.choice("LOG_FILES_WHEN", tuple(PERIODS), upper=True)

    def error(self, key: str, message: str) -> ConfigError:
        """A :class:`ConfigError` about ``key``, located where it was set."""
        try:
            origin = self._config.origin(key)
        except KeyError:
            return ConfigError(f"{key} {message}")
        return ConfigError(
            f"{key} {message}", source=origin.source, line=origin.line, column=origin.column
        )

    def _get(self, key: str, default: Any) -> Any:
        value = self._config.get(key, default)
        return default if value is None else value

    def boolean(self, key: str, default: bool | None = None) -> bool:
        """A yes/no setting: JSON booleans, 1/0, or true/false/yes/no in any
        case; unset, ``default``, else the key's in :data:`DEFAULTS`."""
        value = self._get(key, DEFAULTS[key] if default is None else default)
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str):
            if value.strip().lower() in _TRUE:
                return True
            if value.strip().lower() in _FALSE:
                return False
        raise self.error(key, f"must be true or false (or 1/0, yes/no), not {_shown(value)}")

    def string(self, key: str) -> str:
        value = self._get(key, DEFAULTS[key])
        if not isinstance(value, str):
            raise self.error(key, f"must be a string, not {_shown(value)}")
        return value

    def integer(self, key: str) -> int:
        """A whole number, 0 or more: a JSON integer, or a string of ASCII digits."""
        value = self._get(key, DEFAULTS[key])
        if isinstance(value, str):
            digits = _WHOLE_NUMBER.fullmatch(value)
            if digits is not None:
                return int(digits.group(1))
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.error(key, f"must be a whole number, 0 or more, not {_shown(value)}")
        return value

    def choice(self, key: str, choices: tuple[str, ...], upper: bool = False) -> str:
        value = self.string(key)
        normal = value.upper() if upper else value.lower()
        if normal not in choices:
            shown = ", ".join(c.lower() if c == "MIDNIGHT" or not upper else c for c in choices)
            raise self.error(key, f"must be one of {shown}, not {_shown(value)}")
        return normal

    def _directory(self) -> str:
        """``LOG_FILES_DIR``: any path the system can open; empty is the default."""
        value = self.string("LOG_FILES_DIR") or DEFAULTS["LOG_FILES_DIR"]
        problem = _unusable_text(value)
        if problem is not None:
            raise self.error(
                "LOG_FILES_DIR", f"must be a usable path, not {_shown(value)}: {problem}"
            )
        return value

    def _name(self, fallback: str | None) -> str:
        """``LOG_FILES_NAME``, else ``fallback``, else ``app``: a plain file name.

        A name with a separator in it would write outside the directory
        (``../x``) or into a directory that does not exist (``a/b``), and
        the old files of either are never deleted; a name that starts with
        a dot hides its files; one that is too long or holds a NUL cannot
        be opened at all. So only a plain, visible file name will do.
        """
        value = self._get("LOG_FILES_NAME", None)
        if value is None:
            value = fallback or "app"
            problem = plain_name_problem(value)
            if problem is not None:
                raise ConfigError(
                    f"the name of the log files must be a plain file name, not {_shown(value)}:"
                    f" {problem}"
                )
            return value
        if not isinstance(value, str):
            raise self.error("LOG_FILES_NAME", f"must be a string, not {_shown(value)}")
        problem = plain_name_problem(value)
        if problem is not None:
            raise self.error(
                "LOG_FILES_NAME", f"must be a plain file name, not {_shown(value)}: {problem}"
            )
        return value

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
        raise self.error(
            "LOG_LEVEL", f"must be a level name such as DEBUG or INFO, not {_shown(value)}"
        )


def plain_name_problem(name: str) -> str | None:
    """What keeps ``name`` from being a plain file name, or ``None``."""
    if name == "":
        return "it is empty"
    if name in (".", ".."):
        return "it names a directory"
    if "/" in name or "\\" in name:
        return "it holds a / or \\"
    if name.startswith("."):
        return "it starts with a dot, which hides the files"
    problem = _unusable_text(name, controls=False)
    if problem is not None:
        return problem
    size = len(name.encode("utf-8"))
    if size > MAX_NAME_BYTES:
        return f"it is {size} bytes long, more than {MAX_NAME_BYTES}"
    return None


def _unusable_text(value: str, *, controls: bool = True) -> str | None:
    """Why ``value`` cannot be part of a path, or ``None``.

    :param controls: whether control characters other than NUL (a
        newline, an escape) are allowed, as in a directory someone made.
    """
    if "\0" in value:
        return "it holds a NUL character"
    if not controls and any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in value):
        return "it holds a control character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "it holds a lone surrogate, which is not text"
    return None


def _shown(value: Any) -> str:
    """``repr(value)``, shortened when it is long: a message stays readable."""
    shown = repr(value)
    if len(shown) > 60:
        length = f"{len(value)} characters" if isinstance(value, str) else "long"
        shown = f"{shown[:40]}... ({length})"
    return shown


def check_field_widths(fmt: str) -> str | None:
    """What is wrong with the field widths of a ``%``-style format, or ``None``."""
    for match in _FIELD_SIZES.finditer(fmt):
        for size in match.groups():
            # len() first: int() refuses more than 4,300 digits.
            if size and (len(size) > 9 or int(size) > MAX_FIELD_WIDTH):
                wide = f"{int(size):,}" if len(size) <= 9 else f"a {len(size)}-digit number of"
                return f"a field is {wide} characters wide, more than {MAX_FIELD_WIDTH}"
    return None
