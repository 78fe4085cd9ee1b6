"""Ampho's log files under a real Gunicorn with four workers: nothing lost.

Each test serves a burst of numbered requests from 16 client threads
while the files roll over every second (``LOG_FILES_WHEN = "S"``), then
stops Gunicorn and reads every period file in ``<root>/log``: each
request's line must be there exactly once, whole, written by the worker
that answered it, in the file of its second. With ``--preload`` the
application, and so the handler, is built in the master before the fork.

Gunicorn's own logs go to files of their own; none of their lines may
show up in Ampho's files (Gunicorn's loggers do not propagate).

Servers listen on 127.0.0.1 only, the port is polled with a deadline and
the server is always stopped in a ``finally`` block. The environment is
built from scratch: no ``AMPHO_*`` variable of the developer's reaches
the server.
"""

from __future__ import annotations

import collections
import contextlib
import datetime
import http.client
import itertools
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from processes import (
    free_port,
    listening,
    server_environment,
    stop,
    tail,
    wait_until,
    write_instance,
    write_tree,
)

WORKERS = 4
CLIENT_THREADS = 16
#: At least this many requests, and until this many periods (seconds) have begun.
MIN_REQUESTS = 2000
MIN_PERIODS = 3
#: Bounds of the burst, whatever the machine's speed.
MAX_REQUESTS = 20000
BURST_SECONDS = 12.0
REQUEST_SECONDS = 15.0

#: The view: one line per request, the number taken from the query string.
VIEWS = """
    import logging
    import os

    from ampho import request, route

    log = logging.getLogger("app.views")


    @route("/log")
    def log_request():
        n = request.args["n"]
        log.info("req %s", n)
        return f"{n} {os.getpid()}"
"""

#: The default text format, with the record's second kept for the check below.
TEXT_LINE = re.compile(
    r"(?P<second>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),\d{3} INFO \[(?P<pid>\d+)\] "
    r"app\.views: req (?P<n>\d+)"
)
PERIOD_FILE = re.compile(r"app-(?P<period>\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d)\.log")
PERIOD_FORMAT = "%Y-%m-%d_%H-%M-%S"
ACCESS_LINE = re.compile(r'.*"GET /log\?n=(?P<n>\d+) HTTP/1\.[01]" 200 .*')
#: What every JSON line has.
FIELDS = {"timestamp", "level", "logger", "message", "process"}
BOOTING = re.compile(r".*\[INFO\] Booting worker with pid: (?P<pid>\d+)")


# --- the server ----------------------------------------------------------------------------


def environment(home: Path) -> dict[str, str]:
    """User ``u`` on host ``h``, in UTC: periods are local time, pinned so
    the JSON check can compute them."""
    return server_environment(home, TZ="UTC")


def _booted(error_log: Path) -> set[int]:
    """The pids of the workers Gunicorn has said it boots."""
    try:
        text = error_log.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return set()
    return {int(m.group("pid")) for m in map(BOOTING.fullmatch, text.splitlines()) if m}


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    port: int
    access_log: Path
    error_log: Path
    #: The exit status, once stopped.
    status: int | None = None


@contextlib.contextmanager
def gunicorn(root: Path, tmp_path: Path, *options: str) -> Iterator[Server]:
    """Gunicorn with four workers in ``root``, once all of them are booting."""
    port = free_port()
    access_log = tmp_path / "gunicorn-access.log"
    error_log = tmp_path / "gunicorn-error.log"
    output = tmp_path / "gunicorn-output.log"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        *("-w", str(WORKERS), "-b", f"127.0.0.1:{port}"),
        *("--graceful-timeout", "10", "--log-level", "info"),
        *("--access-logfile", str(access_log), "--error-logfile", str(error_log)),
        *options,
        "ampho.main:application",
    ]
    with output.open("wb") as out:
        proc = subprocess.Popen(
            command,
            cwd=root,
            env=environment(tmp_path / "home"),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, for the last resort
        )
        server = Server(proc, port, access_log, error_log)
        try:
            wait_until(proc, lambda: listening(port), f"nothing listens on {port}", error_log)

            def all_booted() -> bool:
                return len(_booted(error_log)) >= WORKERS

            wait_until(proc, all_booted, "the workers did not all boot", error_log)
            yield server
        finally:
            stop(proc)
            server.status = proc.returncode
    # Nothing on the console: LOG_CONSOLE is false, Gunicorn logs to files.
    printed = output.read_bytes()
    assert printed == b"", printed[-2000:]


# --- the burst -------------------------------------------------------------------------------


@dataclass
class Burst:
    #: Request number -> pid of the worker that answered it.
    answered: dict[int, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0


def send(port: int, n: int) -> int:
    """GET /log?n=<n>; the pid of the worker that logged it."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_SECONDS)
    try:
        connection.request("GET", f"/log?n={n}")
        response = connection.getresponse()
        body = response.read().decode("utf-8")
    finally:
        connection.close()
    if response.status != 200:
        raise AssertionError(f"status {response.status}: {body[:200]!r}")
    number, pid = body.split()
    if int(number) != n:
        raise AssertionError(f"answered {body!r}")
    return int(pid)


def burst(port: int) -> Burst:
    """Numbered requests from 16 threads: at least MIN_REQUESTS, over MIN_PERIODS seconds.

    Requests go on until both are true (so at least MIN_PERIODS second
    files are written to), within MAX_REQUESTS and BURST_SECONDS.
    """
    result = Burst()
    numbers = itertools.count()
    lock = threading.Lock()
    start = time.time()
    # Some way into the last of the seconds wanted, counting whole seconds
    # only: the first, partial one may pass before a loaded machine serves
    # the first request, and then holds no line.
    enough_time = int(start) + MIN_PERIODS + 0.2
    deadline = time.monotonic() + BURST_SECONDS

    def sender() -> None:
        while True:
            with lock:
                if result.errors or time.monotonic() > deadline:
                    return
                n = next(numbers)
                if n >= MAX_REQUESTS or (n >= MIN_REQUESTS and time.time() >= enough_time):
                    return
            try:
                pid = send(port, n)
            except Exception as e:
                with lock:
                    result.errors.append(f"request {n}: {type(e).__name__}: {e}")
                return
            result.answered[n] = pid

    with ThreadPoolExecutor(CLIENT_THREADS) as pool:
        for future in [pool.submit(sender) for _ in range(CLIENT_THREADS)]:
            future.result()
    result.seconds = time.time() - start
    return result


# --- reading the files ------------------------------------------------------------------------


@dataclass
class Line:
    n: int
    pid: int
    period: str  # of the file it is in


def read_period_files(log_dir: Path, log_format: str) -> tuple[list[Line], list[str], list[str]]:
    """Every line of every period file: (request lines, other lines, periods).

    A line that is not a whole request line (a fragment, two records run
    together, another logger's record) is an "other" line.
    """
    names = sorted(os.listdir(log_dir))
    periods = []
    for name in names:
        match = PERIOD_FILE.fullmatch(name)
        if match is not None:
            periods.append(match.group("period"))
        elif name == "app.log":
            # The link to the current file, for tail -F: not a second copy.
            assert (log_dir / name).is_symlink(), "app.log is a file, not the link"
        else:
            pytest.fail(f"an unexpected file in {log_dir}: {name} (all: {names})")
    lines: list[Line] = []
    others: list[str] = []
    # An empty file is the one setup() opened at once, for its own second.
    periods = [p for p in periods if (log_dir / f"app-{p}.log").stat().st_size]
    for period in periods:
        data = (log_dir / f"app-{period}.log").read_bytes()
        assert data.endswith(b"\n"), f"app-{period}.log ends in the middle of a line"
        for raw in data.decode("utf-8").split("\n")[:-1]:
            line = parse(raw, period, log_format)
            if line is None:
                others.append(f"app-{period}.log: {raw!r}")
            else:
                lines.append(line)
    return lines, others, periods


def parse(raw: str, period: str, log_format: str) -> Line | None:
    """The request line ``raw``, checked against its file's period; else None."""
    file_second = datetime.datetime.strptime(period, PERIOD_FORMAT)
    if log_format == "text":
        match = TEXT_LINE.fullmatch(raw)
        if match is None:
            return None
        # asctime and the file name come from the same local second.
        second = datetime.datetime.strptime(match.group("second"), "%Y-%m-%d %H:%M:%S")
        assert second == file_second, f"a line of {second} in app-{period}.log: {raw!r}"
        return Line(int(match.group("n")), int(match.group("pid")), period)
    try:
        record = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(record, dict) or not set(record) >= FIELDS:
        return None
    message = record.get("message")
    if record.get("logger") != "app.views" or not isinstance(message, str):
        return None
    match = re.fullmatch(r"req (\d+)", message)
    if match is None or record.get("level") != "INFO":
        return None
    # The timestamp is UTC, and so is the server's local time (TZ=UTC); it
    # is rounded to the microsecond, so it may read the next second exactly.
    stamp = datetime.datetime.fromisoformat(record["timestamp"])
    start = file_second.replace(tzinfo=datetime.timezone.utc)
    assert start <= stamp <= start + datetime.timedelta(seconds=1), (
        f"a line of {stamp} in app-{period}.log: {raw!r}"
    )
    return Line(int(match.group(1)), int(record["process"]), period)


# --- the tests ----------------------------------------------------------------------------------


def make_root(root: Path, log_format: str) -> Path:
    write_tree(root, {"app/__init__.py": "", "app/views.py": VIEWS})
    return write_instance(
        root,
        {
            "default.json": {
                "LOG_FILES_WHEN": "S",
                "LOG_CONSOLE": False,
                "LOG_FILES_FORMAT": log_format,
                # Old seconds are not deleted while the test runs: a
                # deleted file would read as lost lines.
                "LOG_FILES_BACKUP_COUNT": 100000,
            }
        },
    )


@pytest.mark.parametrize("log_format", ["text", "json"])
@pytest.mark.parametrize(
    "options", [pytest.param((), id="fork"), pytest.param(("--preload",), id="preload")]
)
def test_every_request_is_logged_once_across_rollovers(
    tmp_path: Path, log_format: str, options: tuple[str, ...]
) -> None:
    root = make_root(tmp_path / "root", log_format)
    with gunicorn(root, tmp_path, *options) as server:
        result = burst(server.port)
        master = server.proc.pid
    assert server.status == 0, tail(server.error_log)

    # Every request was answered (else there is nothing to look for).
    assert result.errors == []
    sent = set(result.answered)
    assert len(sent) >= MIN_REQUESTS
    assert sent == set(range(len(sent)))

    lines, others, periods = read_period_files(root / "log", log_format)
    summary = (
        f"{len(sent)} requests in {result.seconds:.1f} s, {len(lines)} request lines "
        f"and {len(others)} others in {len(periods)} files {periods}"
    )
    print(summary)

    # Whole lines only: no fragment, no record run into another, nothing else.
    assert not others, f"{summary}; for example: {others[:5]}"
    # Exactly once each.
    counts = collections.Counter(line.n for line in lines)
    missing = sorted(sent - set(counts))
    duplicated = {n: c for n, c in counts.items() if c > 1}
    unknown = sorted(set(counts) - sent)
    assert not missing, f"{summary}; {len(missing)} missing: {missing[:20]}"
    assert not duplicated, f"{summary}; {len(duplicated)} duplicated: {list(duplicated)[:20]}"
    assert not unknown, f"{summary}; never sent: {unknown[:20]}"
    assert len(lines) == len(sent)

    # Written by the worker that answered, never by the master.
    wrong_pid = [
        (line.n, line.pid, result.answered[line.n])
        for line in lines
        if line.pid != result.answered[line.n]
    ]
    assert not wrong_pid, f"{summary}; (n, logged by, answered by): {wrong_pid[:20]}"
    workers = {line.pid for line in lines}
    print(f"workers seen: {sorted(workers)}")
    assert len(workers) > 1, summary
    assert master not in workers
    assert workers <= _booted(server.error_log)

    # The burst spanned several rollovers.
    assert len(periods) >= MIN_PERIODS, summary
    used = collections.Counter(line.period for line in lines)
    assert set(used) == set(periods), summary

    # Gunicorn logged too, to its own files, and none of it went to Ampho's.
    access = server.access_log.read_text(encoding="utf-8").splitlines()
    served = collections.Counter(
        int(match.group("n")) for match in map(ACCESS_LINE.fullmatch, access) if match
    )
    assert served == collections.Counter(sent), "gunicorn's access log does not match"
    error_lines = server.error_log.read_text(encoding="utf-8").splitlines()
    ampho_text = "".join(
        (root / "log" / f"app-{period}.log").read_text(encoding="utf-8") for period in periods
    )
    assert "gunicorn" not in ampho_text
    assert '"GET /log?n=' not in ampho_text
    for line in error_lines:
        # The message, without Gunicorn's date and pid.
        message = line.split("] ", 3)[-1]
        if message:
            assert message not in ampho_text, f"gunicorn's {line!r} is in Ampho's files"
