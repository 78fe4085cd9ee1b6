"""Faults the file handler must survive: a full disk, a file deleted or
moved away while processes write to it, and the colours of Werkzeug's
development server.

The full disk is a real one: a 64 KiB tmpfs mounted for the test (the
test skips, saying why, where mounting is not allowed). The deleted and
moved files are deleted and moved under real writer processes, as a
user or logrotate's ``create`` mode would. The colours are Werkzeug's
own, from its server in this process and from a real ``ampho run``, on a
pipe and on a terminal.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from processes import AMPHO, free_port, server_environment, serving, stop, wait_until, write_tree
from test_logging import ampho_handlers, file_lines, restore_root_logger, state_home

from ampho.logging import PeriodFileHandler, setup
from ampho.logging.formatting import text_formatter

# The root logger and the fallback directory are put back as in test_logging.
__all__ = ["restore_root_logger", "state_home"]

#: A whole text line of the default format.
TEXT_LINE = re.compile(
    r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (?P<level>[A-Z]+) \[(?P<pid>\d+)\] "
    r"(?P<logger>[\w.]+): (?P<message>.*)"
)

#: No proxy, whatever the environment of the test run says.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def get_status(port: int, path: str) -> int:
    try:
        with _OPENER.open(f"http://127.0.0.1:{port}{path}", timeout=15) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


# --- a full disk --------------------------------------------------------------------


@contextlib.contextmanager
def small_disk(where: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs at ``where``, unmounted afterwards (skip if not allowed).

    Ampho's handlers are closed before the unmount: a file they hold open
    would keep the file system busy.
    """
    where.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(where)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        reason = mounted.stderr.strip() or f"status {mounted.returncode}"
        print(f"cannot mount a small tmpfs here: {reason}")
        pytest.skip(f"cannot mount a small tmpfs here: {reason}")
    try:
        yield where
    finally:
        root = logging.getLogger()
        for handler in ampho_handlers():
            root.removeHandler(handler)
            handler.close()
        subprocess.run(["umount", str(where)], check=True)


def fill(disk: Path, leave: int) -> Path:
    """Fill ``disk`` with one file, then give back ``leave`` bytes of it."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        with contextlib.suppress(OSError):  # ENOSPC: full
            while True:
                os.write(fd, b"f" * 4096)
        os.ftruncate(fd, max(os.fstat(fd).st_size - leave, 0))
    finally:
        os.close(fd)
    return filler


def burst(log: logging.Logger, count: int, tag: str) -> None:
    for i in range(count):
        log.info("%s %d %s", tag, i, "x" * 77)


def test_a_full_disk_tears_no_line_and_reports_once_with_a_count(
    load_root, tmp_path, capfd
) -> None:
    with small_disk(tmp_path / "disk") as disk:
        [handler] = setup(load_root(overrides={"LOG_CONSOLE": False, "LOG_FILES_DIR": str(disk)}))
        assert isinstance(handler, PeriodFileHandler) and handler.filename is not None
        path = Path(handler.filename)
        filler = fill(disk, leave=8192)
        capfd.readouterr()

        log = logging.getLogger("shop")
        burst(log, 500, "BURST")
        # The precondition of the fault: the last write stopped halfway.
        assert not path.read_bytes().endswith(b"\n")
        during = capfd.readouterr().err

        filler.unlink()
        log.info("AFTER-FREE-1")
        log.info("AFTER-FREE-2")
        after = capfd.readouterr().err
        data = path.read_text(encoding="utf-8")

    # Reported once when writing failed, and once when it worked again.
    assert "Traceback" not in during + after and "Logging error" not in during + after
    assert during.count("\n") == 1, during
    assert f"cannot write log records to {path} (No space left on device)" in during
    lines = data.split("\n")
    assert lines[-1] == "", "the file ends with a whole line"
    # A line is a record only if the whole of it is there: where a tear
    # falls depends on the line's length, the pid's digits included.
    expected = {f"BURST {i} {'x' * 77}" for i in range(500)}
    whole = [TEXT_LINE.fullmatch(line) for line in lines[:-1]]
    written = sum(1 for m in whole if m and m["message"] in expected)
    lost = 500 - written
    assert after == (
        f"ampho.logging: writing log records to {path} again;"
        f" {lost} were lost (No space left on device)\n"
    )

    # The half line stays alone; the count comes next, then the records.
    torn, notice, first, second = lines[-5:-1]
    found = TEXT_LINE.fullmatch(torn)
    assert torn.startswith("20") and (found is None or found["message"] not in expected), torn
    found = TEXT_LINE.fullmatch(notice)
    assert found is not None, notice
    assert (found["level"], found["logger"]) == ("WARNING", "ampho.logging")
    assert re.fullmatch(
        rf"{lost} log records were lost from \d\d:\d\d:\d\d to \d\d:\d\d:\d\d:"
        " No space left on device",
        found["message"],
    ), found["message"]
    for line, message in ((first, "AFTER-FREE-1"), (second, "AFTER-FREE-2")):
        found = TEXT_LINE.fullmatch(line)
        assert found is not None and found["message"] == message, line


def test_after_a_full_disk_no_process_glues_its_line_to_another_s_half_line(
    tmp_path, capfd
) -> None:
    """Two handlers on one directory, as two workers have: one tears a line
    and goes quiet; the other, whose writes failed too, writes first once
    there is room again."""
    with small_disk(tmp_path / "disk") as disk:
        workers = []
        for number in (1, 2):
            handler = PeriodFileHandler(str(disk), "app")
            handler.setFormatter(text_formatter("%(name)s: %(message)s"))
            log = logging.getLogger(f"worker{number}")
            log.propagate = False
            log.setLevel(logging.INFO)
            log.addHandler(handler)
            handler.open()
            workers.append((log, handler))
        try:
            (one, first), (two, _) = workers
            filler = fill(disk, leave=8192)
            burst(one, 300, "ONE")
            assert first.filename is not None
            path = Path(first.filename)
            assert not path.read_bytes().endswith(b"\n")
            two.info("TWO-DURING")  # fails: nothing is written
            filler.unlink()
            two.info("TWO-AFTER")
            one.info("ONE-AFTER")
            data = path.read_text(encoding="utf-8")
        finally:
            for log, handler in workers:
                log.removeHandler(handler)
                log.propagate = True
                handler.close()
    err = capfd.readouterr().err
    assert "Traceback" not in err
    torn, two_lost, two_after, one_lost, one_after, end = data.split("\n")[-6:]
    assert end == ""
    assert torn.startswith("worker1: ONE ") and not torn.endswith("x" * 77), torn
    lost = (
        r"ampho.logging: (\d+) log records? (?:was|were) lost from [\d:]+ to [\d:]+:"
        " No space left on device"
    )
    two_count, one_count = (re.fullmatch(lost, line) for line in (two_lost, one_lost))
    assert two_count is not None and two_count[1] == "1"
    written = data.count("worker1: ONE ") - 1  # the half line is not written
    assert one_count is not None and int(one_count[1]) == 300 - written
    assert (two_after, one_after) == ("worker2: TWO-AFTER", "worker1: ONE-AFTER")


def test_a_descriptor_closed_behind_the_handler_s_back_is_opened_again(load_root, capfd) -> None:
    """A daemonizing library may close every descriptor of the process."""
    [handler] = setup(load_root(overrides={"LOG_CONSOLE": False}))
    assert isinstance(handler, PeriodFileHandler) and handler.filename is not None
    path = Path(handler.filename)
    log = logging.getLogger("shop")
    log.info("BEFORE")
    [fd] = [
        int(fd)
        for fd in os.listdir("/proc/self/fd")
        if os.path.realpath(f"/proc/self/fd/{fd}") == str(path.resolve())
    ]
    os.close(fd)
    log.info("LOST")
    log.info("AFTER")
    messages = [m["message"] for m in map(TEXT_LINE.fullmatch, file_lines(path)) if m]
    assert messages[0] == "BEFORE" and messages[2] == "AFTER", messages
    assert re.fullmatch(
        r"1 log record was lost from [\d:]+ to [\d:]+: Bad file descriptor", messages[1]
    )
    err = capfd.readouterr().err
    assert err.count("\n") == 2 and "Traceback" not in err, err


# --- the file deleted or moved away ---------------------------------------------------

WRITER = """
    import logging
    import os
    import sys
    import time

    from ampho.config import load
    from ampho.logging import setup

    worker, root, stop = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    setup(load(root, user="u", host="h", environ={}))
    log = logging.getLogger("writer")
    n = 0
    deadline = time.monotonic() + 60
    while not os.path.exists(stop) and time.monotonic() < deadline:
        log.info("w%d n%d", worker, n)
        n += 1
        time.sleep(0.002)  # the pace of a busy application, not a wait for anything
    print(n)
"""

WRITERS = 2

#: The message of a writer's line: its number and the line's.
WRITER_MESSAGE = re.compile(r"w(?P<worker>\d) n(?P<n>\d+)")


class Writers:
    """Writer processes logging through ``setup()`` under ``root``, until stopped."""

    def __init__(self, tmp_path: Path, root: Path) -> None:
        self.script = tmp_path / "writer.py"
        self.script.write_text(textwrap.dedent(WRITER))
        self.stop_file = tmp_path / "stop"
        self.errors = [tmp_path / f"writer{n}.err" for n in range(WRITERS)]
        env = server_environment(tmp_path / "home", XDG_STATE_HOME=str(tmp_path / "state"))
        self.procs = []
        for number, err in enumerate(self.errors):
            with err.open("wb") as out:
                self.procs.append(
                    subprocess.Popen(
                        [
                            sys.executable,
                            str(self.script),
                            str(number),
                            str(root),
                            str(self.stop_file),
                        ],
                        cwd=tmp_path,
                        env=env,
                        stdout=subprocess.PIPE,
                        stderr=out,
                        start_new_session=True,
                    )
                )

    def wait_for(self, ready: Callable[[], bool], what: str, seconds: float) -> None:
        wait_until(self.procs[0], ready, what, self.errors[0], seconds)

    def finish(self) -> list[int]:
        """Stop every writer; how many lines each logged."""
        self.stop_file.write_text("")
        counts = []
        for proc, err in zip(self.procs, self.errors, strict=True):
            out, _ = proc.communicate(timeout=30)
            assert proc.returncode == 0, err.read_text()
            assert err.read_text() == ""  # no handler error, no traceback
            counts.append(int(out))
        return counts

    def kill(self) -> None:
        for proc in self.procs:
            stop(proc)


@pytest.fixture
def writers(tmp_path: Path) -> Iterator[tuple[Writers, Path]]:
    root = tmp_path / "root"
    write_tree(root, {"instance/default.json": '{"LOG_CONSOLE": false}'})
    started = Writers(tmp_path, root)
    try:
        yield started, root / "log"
    finally:
        started.kill()


def numbers(text: str) -> dict[int, list[int]]:
    """Each writer's line numbers in ``text``, in the order written; every line whole."""
    found: dict[int, list[int]] = {n: [] for n in range(WRITERS)}
    assert text == "" or text.endswith("\n")
    for line in text.split("\n")[:-1]:
        whole = TEXT_LINE.fullmatch(line)
        assert whole is not None and whole["logger"] == "writer", line
        message = WRITER_MESSAGE.fullmatch(whole["message"])
        assert message is not None, line
        found[int(message["worker"])].append(int(message["n"]))
    return found


def by_everyone(path: Path) -> bool:
    """Whether every writer has a line in ``path``."""
    try:
        return all(numbers(path.read_text(encoding="utf-8")).values())
    except (FileNotFoundError, AssertionError):
        return False  # not there yet, or a line being written


def current_file(log_dir: Path) -> Path:
    return log_dir / os.readlink(log_dir / "app.log")


def test_a_file_moved_away_logrotate_style_is_followed_by_a_new_one_losing_nothing(
    writers,
) -> None:
    started, log_dir = writers
    started.wait_for(lambda: log_dir.is_dir() and by_everyone(current_file(log_dir)), "lines", 30)
    path = current_file(log_dir)
    rotated = path.with_name(path.name + ".1")
    # logrotate's default, "create": rename the file, make a new empty one.
    path.rename(rotated)
    path.touch(mode=0o640)
    moved = time.monotonic()
    # Within about a second: the check runs at a record's first second.
    started.wait_for(lambda: by_everyone(path), f"no writer wrote to a new {path.name}", 3)
    assert time.monotonic() - moved < 3
    counts = started.finish()

    before, after = numbers(rotated.read_text()), numbers(path.read_text())
    for worker, count in enumerate(counts):
        # The renamed file got the lines until the writer noticed; the new
        # one every line after; none is lost or written twice.
        assert before[worker] + after[worker] == list(range(count)), worker


@pytest.mark.parametrize("what", ["file", "directory"])
def test_a_deleted_file_or_directory_is_made_again_within_about_a_second(writers, what) -> None:
    started, log_dir = writers
    started.wait_for(lambda: log_dir.is_dir() and by_everyone(current_file(log_dir)), "lines", 30)
    path = current_file(log_dir)
    # What is written after the deletion, until the writers notice, goes
    # to the deleted file: keep it open to read it afterwards.
    with path.open(encoding="utf-8") as deleted:
        if what == "file":
            path.unlink()
        else:
            shutil.rmtree(log_dir)
        removed = time.monotonic()
        started.wait_for(lambda: by_everyone(path), f"no writer wrote to a new {path.name}", 3)
        assert time.monotonic() - removed < 3
        counts = started.finish()
        before = numbers(deleted.read())
    after = numbers(path.read_text())
    assert os.readlink(log_dir / "app.log") == path.name
    for worker, count in enumerate(counts):
        assert before[worker] + after[worker] == list(range(count)), worker
        # The new file has every line from about a second after the deletion.
        assert len(after[worker]) > 0


# --- Werkzeug's colours --------------------------------------------------------------------

#: The start of the development server's warning, as Werkzeug colours it.
COLOURED_WARNING = "\x1b[31m\x1b[1mWARNING: This is a development server."
PLAIN_WARNING = "WARNING: This is a development server."


def plain_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("404 NOT FOUND", [("Content-Type", "text/plain")])
    return [b"nothing here"]


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_werkzeug_s_coloured_lines_reach_the_files_as_plain_text(load_root, fmt) -> None:
    from werkzeug.serving import make_server

    setup(load_root(overrides={"LOG_CONSOLE": False, "LOG_FILES_FORMAT": fmt}))
    port = free_port()
    server = make_server("127.0.0.1", port, plain_app)
    try:
        server.log_startup()
        thread = threading.Thread(target=server.handle_request)
        thread.start()
        assert get_status(port, "/missing") == 404  # yellow, in Werkzeug's log
        thread.join(timeout=15)
    finally:
        server.server_close()

    [path] = [h.filename for h in ampho_handlers() if isinstance(h, PeriodFileHandler)]
    assert path is not None
    data = Path(path).read_bytes()
    assert b"\x1b" not in data and b"\\u001b" not in data
    lines = file_lines(Path(path))
    if fmt == "json":
        messages = [json.loads(line)["message"] for line in lines]
    else:
        messages = [m["message"] for m in map(TEXT_LINE.fullmatch, lines) if m]
    assert any(m.startswith(PLAIN_WARNING) for m in messages), messages
    assert any('"GET /missing HTTP/1.1" 404 -' in m for m in messages), messages


COLOUR_VIEWS = """
    from ampho import route


    @route("/hello")
    def hello():
        return "hello"
"""


def run_root(tmp_path: Path, fmt: str) -> Path:
    root = tmp_path / "root"
    settings = {"LOG_FILES_FORMAT": fmt}
    write_tree(
        root,
        {
            "app/__init__.py": "",
            "app/views.py": COLOUR_VIEWS,
            "instance/default.json": json.dumps(settings),
        },
    )
    return root


def served_lines(root: Path, fmt: str) -> list[str]:
    """The messages of the application's log file."""
    [path] = (root / "log").glob("app-*.log")
    data = path.read_bytes()
    assert b"\x1b" not in data and b"\\u001b" not in data, data[:500]
    lines = data.decode("utf-8").split("\n")[:-1]
    if fmt == "json":
        return [json.loads(line)["message"] for line in lines]
    return [m["message"] for m in map(TEXT_LINE.fullmatch, lines) if m]


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_ampho_run_writes_plain_text_to_its_file_and_to_a_console_that_is_no_terminal(
    tmp_path, fmt
) -> None:
    root = run_root(tmp_path, fmt)
    port = free_port()
    console = tmp_path / "console.log"
    env = server_environment(tmp_path / "home")
    args = [*AMPHO, "run", "--host", "127.0.0.1", "--port", str(port)]
    with serving(args, root, port, env, console) as proc:
        assert get_status(port, "/missing") == 404
        wait_until(
            proc,
            lambda: any("/missing" in m for m in served_lines(root, fmt)),
            "the request line is not in the log file",
            console,
        )
    messages = served_lines(root, fmt)
    assert any(m.startswith(PLAIN_WARNING) for m in messages), messages
    assert any('"GET /missing HTTP/1.1" 404 -' in m for m in messages), messages
    shown = console.read_bytes()
    assert PLAIN_WARNING.encode() in shown and b"\x1b" not in shown, shown[:500]


def read_terminal(master: int, until: bytes, proc: subprocess.Popen[bytes]) -> bytes:
    """What the process wrote to its terminal, up to ``until`` (deadline 30 s)."""
    seen = b""
    deadline = time.monotonic() + 30
    while until not in seen:
        if time.monotonic() > deadline or proc.poll() is not None:
            pytest.fail(f"{until!r} never reached the terminal: {seen[-2000:]!r}")
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            with contextlib.suppress(OSError):
                seen += os.read(master, 65536)
    return seen


def test_ampho_run_keeps_werkzeug_s_colours_on_a_terminal_but_not_in_the_file(
    tmp_path,
) -> None:
    root = run_root(tmp_path, "text")
    port = free_port()
    env = server_environment(tmp_path / "home", TERM="xterm")
    master, terminal = pty.openpty()
    proc = subprocess.Popen(
        [*AMPHO, "run", "--host", "127.0.0.1", "--port", str(port)],
        cwd=root,
        env=env,
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        start_new_session=True,
    )
    os.close(terminal)
    try:
        shown = read_terminal(master, b"Running on", proc)
        assert get_status(port, "/missing") == 404
        shown += read_terminal(master, b"/missing", proc)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=20)
        stop(proc)
        os.close(master)
    assert COLOURED_WARNING.encode() in shown, shown[:1000]
    messages = served_lines(root, "text")
    assert any(m.startswith(PLAIN_WARNING) for m in messages), messages
    assert any('"GET /missing HTTP/1.1" 404 -' in m for m in messages), messages
