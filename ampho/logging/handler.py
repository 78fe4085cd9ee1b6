"""A file per period, safe for many processes writing at once.

:class:`logging.handlers.TimedRotatingFileHandler` renames the current
file at rollover and deletes old ones, each process on its own: with
several Gunicorn workers, one renames the file another still writes to,
and lines are lost. Here nothing is ever renamed. Each period has its own
file, ``<name>-2026-11-21.log``, opened for appending; each record is
one ``write()``, which the kernel keeps whole among other appends; every
process switches to the next file when its clock enters the next period;
and files beyond the backup count are deleted by whoever notices first.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import time

from .settings import PERIODS


class PeriodFileHandler(logging.Handler):
    """Write records to one file per day (hour, minute or second).

    :param directory: where the files go; it must exist.
    :param name: the files' name: ``<name>-<period>.log``.
    :param when: ``MIDNIGHT`` (or ``D``), ``H``, ``M`` or ``S``.
    :param backup_count: how many files before the current one are kept.

    ``<name>.log`` is a symbolic link to the current file, for
    ``tail -F``.
    """

    def __init__(
        self, directory: str, name: str, when: str = "MIDNIGHT", backup_count: int = 30
    ) -> None:
        super().__init__()
        self.directory = directory
        self.name_prefix = name
        self.when = when.upper()
        self.backup_count = backup_count
        self._pattern = PERIODS[self.when]
        self._fd: int | None = None
        self._period = ""
        self._second = -1
        self._second_period = ""
        #: Matches this handler's files, and only its: group 1 is a period
        #: of exactly this handler's shape (``app-2-...`` is another name's).
        period = re.escape(self._pattern)
        for directive in ("%Y", "%m", "%d", "%H", "%M", "%S"):
            digits = 4 if directive == "%Y" else 2
            period = period.replace(re.escape(directive), rf"\d{{{digits}}}")
        self._file_name = re.compile(rf"{re.escape(name)}-({period})\.log")

    @property
    def filename(self) -> str | None:
        """The file written to now, once a record has been written."""
        if not self._period:
            return None
        return self._path(self._period)

    def _path(self, period: str) -> str:
        return os.path.join(self.directory, f"{self.name_prefix}-{period}.log")

    def emit(self, record: logging.LogRecord) -> None:
        try:
            data = (self.format(record) + "\n").encode("utf-8", "backslashreplace")
            second = int(record.created)
            if second != self._second:
                # Periods are whole seconds at the finest: one strftime
                # a second, not one a record.
                self._second = second
                self._second_period = time.strftime(self._pattern, time.localtime(second))
            period = self._second_period
            if period != self._period or self._fd is None:
                self._switch(period)
            assert self._fd is not None
            written = os.write(self._fd, data)
            while written < len(data):  # only ever short on a full disk
                written += os.write(self._fd, data[written:])
        except Exception:
            self.handleError(record)

    def _switch(self, period: str) -> None:
        """Start writing the file of ``period``, and tidy up."""
        self._close_file()
        path = self._path(period)
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self._period = period
        self._link(path)
        self._delete_old()

    def _link(self, path: str) -> None:
        link = os.path.join(self.directory, f"{self.name_prefix}.log")
        temporary = f"{link}.{os.getpid()}.tmp"
        try:
            os.symlink(os.path.basename(path), temporary)
            os.replace(temporary, link)
        except OSError:
            # A kindness, not a duty: a file system without links, or a
            # race with another process doing the same, changes nothing.
            with contextlib.suppress(OSError):
                os.unlink(temporary)

    def _delete_old(self) -> None:
        periods = sorted(
            match.group(1)
            for match in map(self._file_name.fullmatch, os.listdir(self.directory))
            if match is not None
        )
        # The current file and backup_count before it stay; a period
        # after ours (another process's clock is ahead) stays too.
        older = [p for p in periods if p < self._period]
        for period in older[: max(len(older) - self.backup_count, 0)]:
            # Another process may have got there first.
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._path(period))

    def _close_file(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def close(self) -> None:
        self.acquire()
        try:
            self._close_file()
        finally:
            self.release()
        super().close()
