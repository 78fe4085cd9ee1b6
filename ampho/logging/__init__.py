"""Logging for Ampho applications and scripts.

``setup(config)`` puts a console handler and a file per day (or hour,
minute, second) on the root logger, text or JSON, as the ``LOG_*``
settings say. The files are safe with many processes writing at once:
nothing is renamed, every record is one append.
"""

from __future__ import annotations

from .configure import AppLoggerHandler, ConsoleHandler, quiet_libraries, setup
from .handler import PeriodFileHandler

__all__ = ["AppLoggerHandler", "ConsoleHandler", "PeriodFileHandler", "quiet_libraries", "setup"]
