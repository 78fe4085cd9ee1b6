"""A file per period, safe for many processes writing at once.

:class:`logging.handlers.TimedRotatingFileHandler` renames the current
file at rollover and deletes old ones, each process on its own: with
several Gunicorn workers, one renames the file another still writes to,
and lines are lost. Here nothing is ever renamed. Each period has its own
file, ``<name>-2026-11-21.log``, opened for appending; each record is
one ``write()``, which the kernel keeps whole among other appends; every
process switches to the next file when its clock enters the next period;
and files beyond the backup count are deleted by whoever notices first.

Faults are the handler's to survive, not the application's:

* A write that fails (a full disk) loses its record, and the handler
  says so once on standard error, not once a record; when writing works
  again, a line in the file says how many records were lost, and the
  next record starts on a line of its own even when the failed write
  left half a line behind (its own or another process's).
* Once a second, at the first record of the second, the handler checks
  that its path still names the file it has open. When the file was
  deleted or renamed away (by hand, or by logrotate's ``create`` mode),
  the handler opens the path anew; the check is one ``stat()`` a second.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import re
import stat
import sys
import time

from .settings import DEFAULTS, PERIODS


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
        self,
        directory: str,
        name: str,
        when: str = DEFAULTS["LOG_FILES_WHEN"],
        backup_count: int = DEFAULTS["LOG_FILES_BACKUP_COUNT"],
    ) -> None:
        super().__init__()
        self.directory = directory
        self.name_prefix = name
        self.when = when.upper()
        self.backup_count = backup_count
        self._pattern = PERIODS[self.when]
        self._fd: int | None = None
        #: ``(st_dev, st_ino)`` of the open file, to tell when its path
        #: names another file (or none).
        self._identity: tuple[int, int] | None = None
        self._period = ""
        self._second = -1
        self._second_period = ""
        #: A write of this process failed: the file may end in half a line,
        #: this process's or another's (they fail together on a full disk).
        self._suspect = False
        #: The last write of this process left half a line behind.
        self._torn = False
        #: While writing fails: why, since when, and how many records were lost.
        self._failure: str | None = None
        self._failed_at = 0.0
        self._lost = 0
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

    def open(self) -> None:
        """Open the current period's file now, rather than at the first record.

        :func:`~ampho.logging.setup` calls it, so that a file that cannot
        be written is found while there is still a fallback to choose.

        :raises OSError: if the file cannot be opened for appending, or is
            not a regular file.
        """
        self.acquire()
        try:
            self._tick(int(time.time()))
            self._switch(self._second_period)
        finally:
            self.release()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            data = (self.format(record) + "\n").encode("utf-8", "backslashreplace")
        except Exception:
            self.handleError(record)  # a record that does not format: the caller's bug
            return
        try:
            second = int(record.created)
            if second != self._second:
                self._tick(second)
            fd = self._fd
            if fd is None or self._second_period != self._period:
                fd = self._switch(self._second_period)
            if self._suspect:
                self._write_after_failure(fd, data)
                return
            written = os.write(fd, data)
            if written < len(data):  # only ever short on a full disk
                self._write_rest(fd, data, written)
        except OSError as e:
            self._failed(e)

    def _tick(self, second: int) -> None:
        """What is done once a second: name the period, check the file is still ours."""
        # Periods are whole seconds at the finest: one strftime a second,
        # not one a record.
        self._second = second
        self._second_period = time.strftime(self._pattern, time.localtime(second))
        if self._fd is not None and not self._still_current():
            self._close_file()  # deleted or moved away: the next write opens the path anew

    def _still_current(self) -> bool:
        """Whether the path of the open file still names it."""
        try:
            found = os.stat(self._path(self._period))
        except FileNotFoundError:
            return False
        except OSError:
            return True  # cannot tell (a permission changed): keep what works
        return (found.st_dev, found.st_ino) == self._identity

    def _write_rest(self, fd: int, data: bytes, written: int) -> None:
        """Write what a short write left of ``data``; if that fails, half a line stays."""
        while written < len(data):
            try:
                more = os.write(fd, data[written:])
            except OSError:
                self._torn = True
                raise
            if more == 0:
                self._torn = True
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            written += more

    def _write_after_failure(self, fd: int, data: bytes) -> None:
        """Write ``data`` after a failed write: on a line of its own, after
        the count of the records lost, in one ``write()`` still."""
        if self._failure is not None:
            data = self._lost_notice() + data
        if not self._at_line_start(fd):
            data = b"\n" + data
        self._write_rest(fd, data, os.write(fd, data))
        self._suspect = self._torn = False
        if self._failure is not None:
            self._recovered()

    def _at_line_start(self, fd: int) -> bool:
        """Whether the file ends with a whole line (or is empty).

        A failed write may leave half a line at the end, this process's or
        another's; the next record must not be glued to it.
        """
        try:
            size = os.fstat(fd).st_size
            return size == 0 or os.pread(fd, 1, size - 1) == b"\n"
        except (OSError, AttributeError):  # opened write-only, or no pread
            return not self._torn

    def _failed(self, error: OSError) -> None:
        """Count a lost record; the first of a run of failures is reported."""
        self._lost += 1
        self._suspect = True
        if error.errno == errno.EBADF:
            # Closed behind our back (a daemonizing library closing every
            # descriptor): not ours to close again; the next record reopens.
            self._fd = None
        if self._failure is None:
            self._failure = error.strerror or str(error)
            self._failed_at = time.time()
            where = error.filename or self.filename or self.directory
            self._report(
                f"cannot write log records to {where} ({self._failure});"
                " they are lost until it can be written again, and counted"
            )

    def _lost_notice(self) -> bytes:
        """The line that says how many records were lost, and why."""
        record = logging.LogRecord(
            "ampho.logging",
            logging.WARNING,
            __file__,
            0,
            "%d log %s lost from %s to %s: %s",
            (
                self._lost,
                "record was" if self._lost == 1 else "records were",
                time.strftime("%H:%M:%S", time.localtime(self._failed_at)),
                time.strftime("%H:%M:%S"),
                self._failure,
            ),
            None,
        )
        try:
            return (self.format(record) + "\n").encode("utf-8", "backslashreplace")
        except Exception:
            return b""

    def _recovered(self) -> None:
        self._report(
            f"writing log records to {self.filename} again;"
            f" {self._lost} {'was' if self._lost == 1 else 'were'} lost ({self._failure})"
        )
        self._failure = None
        self._lost = 0

    def _report(self, message: str) -> None:
        """One line on standard error, as :meth:`handleError` would write a traceback."""
        if not logging.raiseExceptions or sys.stderr is None:
            return
        with contextlib.suppress(Exception):
            sys.stderr.write(f"ampho.logging: {message}\n")
            sys.stderr.flush()

    def _switch(self, period: str) -> int:
        """Start writing the file of ``period``, and tidy up; the file's descriptor."""
        self._close_file()
        path = self._path(period)
        try:
            fd = self._open(path)
        except FileNotFoundError:
            # The directory itself was removed: make it again.
            os.makedirs(self.directory, exist_ok=True)
            fd = self._open(path)
        found = os.fstat(fd)
        self._fd = fd
        self._identity = (found.st_dev, found.st_ino)
        self._period = period
        self._torn = False  # half a line in another file is no longer our concern
        self._link(path)
        self._delete_old()
        return fd

    @staticmethod
    def _open(path: str) -> int:
        """Open ``path`` for appending, creating it; never block, and only a regular file.

        Read access too, when allowed, to see whether the file ends in the
        middle of a line after a failed write. ``O_NONBLOCK`` makes a FIFO
        in the file's place an error instead of a hang.
        """
        flags = os.O_APPEND | os.O_CREAT | getattr(os, "O_NONBLOCK", 0)
        try:
            fd = os.open(path, os.O_RDWR | flags, 0o644)
        except PermissionError:
            fd = os.open(path, os.O_WRONLY | flags, 0o644)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise OSError(errno.EINVAL, "not a regular file", path)
            if hasattr(os, "set_blocking"):
                os.set_blocking(fd, True)
        except BaseException:
            os.close(fd)
            raise
        return fd

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
        try:
            names = os.listdir(self.directory)
        except OSError:
            return  # a directory that can be written but not read: keep all
        periods = sorted(
            match.group(1) for match in map(self._file_name.fullmatch, names) if match is not None
        )
        # The current file and backup_count before it stay; a period
        # after ours (another process's clock is ahead) stays too.
        older = [p for p in periods if p < self._period]
        for period in older[: max(len(older) - self.backup_count, 0)]:
            # Another process may have got there first.
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._path(period))

    def _close_file(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            with contextlib.suppress(OSError):  # an error on close loses nothing more
                os.close(fd)

    def close(self) -> None:
        self.acquire()
        try:
            self._close_file()
        finally:
            self.release()
        super().close()
