"""Gunicorn's own lines in Ampho's files, with ``--logger-class ampho.logging.gunicorn.Logger``.

A real Gunicorn with two workers on 127.0.0.1 serves 40 numbered
requests, half with an ``X-Request-ID`` header and half without; then
the log file must hold 40 access records, each with the request's
fields, and the same ``request_id`` as the application's own record of
that request, generated ids included.

Requests whose path or user agent holds line breaks must not forge lines
in the file or on the console; and a HUP with broken settings must never
leave workers serving without their master.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from processes import (
    free_port,
    listening,
    request,
    server_environment,
    serving,
    tail,
    wait_until,
    write_instance,
    write_tree,
)

REQUESTS = 40

VIEWS = """
    import logging

    from ampho import request, route

    log = logging.getLogger("app.views")


    @route("/log")
    def log_request():
        log.info("req %s", request.args["n"])
        return "ok"
"""

#: Text lines with the request's fields; every record has them (``-`` outside requests).
TEXT_FORMAT = "%(name)s|%(request_id)s|%(method)s|%(path)s|%(remote_addr)s|%(message)s"


def make_root(root: Path, log_format: str) -> Path:
    write_tree(root, {"app/__init__.py": "", "app/views.py": VIEWS})
    return write_instance(
        root,
        {
            "default.json": {
                "LOG_CONSOLE": False,
                "LOG_FILES_FORMAT": log_format,
                "LOG_FILES_MSG_FORMAT": TEXT_FORMAT,
            }
        },
    )


def send(port: int, n: int) -> None:
    """GET /log?n=<n>; even numbers carry their own request id."""
    headers = {"User-Agent": "test-agent/1"}
    if n % 2 == 0:
        headers["X-Request-ID"] = f"given-{n}"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        connection.request("GET", f"/log?n={n}", headers=headers)
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    assert response.status == 200


def serve(root: Path, tmp_path: Path) -> None:
    """Gunicorn with Ampho's logger class, 40 requests, then stopped."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        *("-w", "2", "-b", f"127.0.0.1:{port}", "--graceful-timeout", "10"),
        *("--logger-class", "ampho.logging.gunicorn.Logger", "ampho.main:application"),
    ]
    env = server_environment(tmp_path / "home")
    output = tmp_path / "output.log"
    with serving(command, root, port, env, output) as proc:
        for n in range(REQUESTS):
            send(port, n)
    assert proc.returncode == 0, output.read_text()
    assert output.read_bytes() == b""  # LOG_CONSOLE is false: all of it went to the file


def records(root: Path, log_format: str) -> list[dict[str, str]]:
    """Every line of the log file, as a dict (JSON, or the text fields)."""
    (path,) = (root / "log").glob("app-*.log")
    lines = path.read_text(encoding="utf-8").splitlines()
    if log_format == "json":
        return [json.loads(line) for line in lines]
    keys = ["logger", "request_id", "method", "path", "remote_addr", "message"]
    return [dict(zip(keys, line.split("|", 5), strict=True)) for line in lines]


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_access_records_carry_the_request_id_of_the_app_records(
    tmp_path: Path, log_format: str
) -> None:
    root = make_root(tmp_path / "root", log_format)
    serve(root, tmp_path)
    found = records(root, log_format)
    app_ids = {
        int(r["message"].split()[1]): r["request_id"] for r in found if r["logger"] == "app.views"
    }
    access = [r for r in found if r["logger"] == "gunicorn.access"]
    assert len(app_ids) == REQUESTS
    assert len(access) == REQUESTS
    seen = set()
    for record in access:
        assert record["method"] == "GET"
        assert record["path"] == "/log"
        assert record["remote_addr"] == "127.0.0.1"
        n = int(record["message"].split("/log?n=")[1].split()[0])
        assert '" 200 ' in record["message"]
        assert record["request_id"] == app_ids[n]
        if n % 2 == 0:
            assert record["request_id"] == f"given-{n}"
        seen.add(n)
        if log_format == "json":
            assert record["status"] == 200
            assert isinstance(record["duration_ms"], float) and record["duration_ms"] >= 0
            assert record["user_agent"] == "test-agent/1"
    assert seen == set(range(REQUESTS))
    # Generated ids are all different.
    assert len(set(app_ids.values())) == REQUESTS
    # The master's lines are there too.
    errors = [r["message"] for r in found if r["logger"] == "gunicorn.error"]
    assert any(m.startswith("Listening at: http://127.0.0.1:") for m in errors)
    assert any(m.startswith("Booting worker with pid: ") for m in errors)


def test_ampho_logging_does_not_import_gunicorn() -> None:
    code = "import sys, ampho.logging; print('gunicorn' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_a_bad_log_setting_stops_gunicorn_with_one_line(tmp_path: Path) -> None:
    root = write_instance(tmp_path / "root", {"default.json": {"LOG_LEVEL": "LOUD"}})
    command = [sys.executable, "-m", "gunicorn", "-b", f"127.0.0.1:{free_port()}"]
    command += ["--logger-class", "ampho.logging.gunicorn.Logger", "ampho.main:application"]
    result = subprocess.run(
        command,
        cwd=root,
        env=server_environment(tmp_path / "home"),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: instance/default.json:2:3: ")
    assert "LOG_LEVEL" in lines[0]


# --- forged lines ----------------------------------------------------------------------

#: Logs the path of every request, in the message too, and answers ``ok``
#: whatever the path (a path with a line break matches no route).
PATH_LOGGER = """
    import logging

    from flask import request

    log = logging.getLogger("app.views")


    def on_load(app):
        @app.before_request
        def log_path():
            log.info("saw %s", request.path)
            return "ok"
"""

#: The format of the issue, with the logger's name to count records by.
FORGEABLE_FORMAT = "%(levelname)s %(name)s %(request_id)s %(method)s %(path)s: %(message)s"

#: A record's line, in that format: nothing else may start a line.
RECORD_LINE = re.compile(
    r"(INFO|WARNING|ERROR) (?P<logger>app\.views|gunicorn\.access|gunicorn\.error)"
    r" \S+ \S+ (?P<path>.*?): (?P<message>.*)"
)

#: Request target, extra header lines, and the path the application sees
#: (None: Gunicorn refuses the request line, with a 400).
FORGERIES: list[tuple[bytes, bytes, str | None]] = [
    (b"/a%0ACRITICAL%20forged", b"", "/a\nCRITICAL forged"),
    (b"/a%0D%0ACRITICAL%20forged", b"", "/a\r\nCRITICAL forged"),
    (b"/a%E2%80%A8CRITICAL%20forged", b"", "/a\u2028CRITICAL forged"),
    (b"/a%E2%80%A9CRITICAL%20forged", b"", "/a\u2029CRITICAL forged"),
    (b"/a%C2%85CRITICAL%20forged", b"", "/a\x85CRITICAL forged"),
    (b"/raw\xe2\x80\xa8CRITICAL%20forged", b"", None),
    (b"/raw\xc2\x85CRITICAL%20forged", b"", None),
    (b"/agent", b"User-Agent: x\xc2\x85CRITICAL forged\r\n", "/agent"),
]


def send_raw(port: int, target: bytes, headers: bytes = b"") -> int:
    """GET ``target`` exactly as given, bytes and all; the response's status."""
    with socket.create_connection(("127.0.0.1", port), timeout=15) as connection:
        connection.sendall(
            b"GET " + target + b" HTTP/1.1\r\nHost: h\r\n" + headers + b"Connection: close\r\n\r\n"
        )
        response = b""
        while chunk := connection.recv(65536):
            response += chunk
    return int(response.split(b" ", 2)[1])


def assert_no_forged_line(text: str, log_format: str) -> list[dict[str, str]]:
    """Every line of ``text``, by every line break there is, is one whole
    record; the records, as dicts (``logger``, ``path``, ``message``...)."""
    lines = text.splitlines()
    assert lines == text.split("\n")[:-1], "a line break other than LF in the output"
    assert not [line for line in lines if line.startswith("CRITICAL")]
    if log_format == "json":
        return [json.loads(line) for line in lines]
    matches = [RECORD_LINE.fullmatch(line) for line in lines]
    assert [line for line, match in zip(lines, matches, strict=True) if not match] == []
    return [match.groupdict() for match in matches if match]


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_line_breaks_in_a_request_forge_no_line_in_file_or_console(
    tmp_path: Path, log_format: str
) -> None:
    root = tmp_path / "root"
    write_tree(root, {"app/__init__.py": PATH_LOGGER})
    settings = {
        "LOG_FILES_FORMAT": log_format,
        "LOG_CONSOLE_FORMAT": log_format,
        "LOG_FILES_MSG_FORMAT": FORGEABLE_FORMAT,
    }
    write_instance(root, {"default.json": settings})
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        *("-w", "2", "-b", f"127.0.0.1:{port}", "--graceful-timeout", "10"),
        *("--logger-class", "ampho.logging.gunicorn.Logger", "ampho.main:application"),
    ]
    console = tmp_path / "console.log"
    with serving(command, root, port, server_environment(tmp_path / "home"), console):
        for target, headers, path in FORGERIES:
            assert send_raw(port, target, headers) == (200 if path else 400), target
    (log_file,) = (root / "log").glob("app-*.log")
    paths = sorted(path for _, _, path in FORGERIES if path)
    escaped = sorted(path.encode("unicode_escape").decode("ascii") for path in paths)
    for text in (log_file.read_text(encoding="utf-8"), console.read_text(encoding="utf-8")):
        records = assert_no_forged_line(text, log_format)
        app = [r for r in records if r["logger"] == "app.views"]
        access = [r for r in records if r["logger"] == "gunicorn.access"]
        refused = [r for r in records if "Invalid HTTP request line" in r["message"]]
        assert len(refused) == len(FORGERIES) - len(paths)
        shown = paths if log_format == "json" else escaped
        assert sorted(r["path"] for r in app) == shown
        assert sorted(r["message"] for r in app) == [f"saw {path}" for path in shown]
        assert sorted(r["path"] for r in access) == shown
        if log_format == "json":
            [agent] = [r["user_agent"] for r in access if r["path"] == "/agent"]
            assert agent == "x\xc2\x85CRITICAL forged"  # the header's bytes, one character each


# --- a HUP with broken settings ---------------------------------------------------------

#: Leaves a file named after the process that imported it, once the
#: settings are loaded: that process has its application.
READY_VIEWS = """
    import os

    from ampho import route

    open(os.path.join("ready", str(os.getpid())), "w").close()


    @route("/pid")
    def pid():
        return str(os.getpid())
"""


def children(pid: int) -> set[int]:
    """The processes ``pid`` forked and has not reaped (Linux's ``/proc``)."""
    try:
        return set(map(int, Path(f"/proc/{pid}/task/{pid}/children").read_text().split()))
    except OSError:
        return set()


def running(pid: int) -> bool:
    """Whether ``pid`` is a live process; a zombie is dead, only not reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def answers(port: int) -> bool:
    try:
        return request(port, "/pid").status == 200
    except OSError:
        return False


@pytest.mark.parametrize("preload", [False, True], ids=["workers-load", "preload"])
def test_a_hup_with_broken_settings_never_leaves_workers_without_their_master(
    tmp_path: Path, preload: bool
) -> None:
    root = tmp_path / "root"
    write_tree(root, {"app/__init__.py": "", "app/views.py": READY_VIEWS})
    settings = {"LOG_CONSOLE": False, "LOG_FILES_MSG_FORMAT": "%(levelname)s %(name)s: %(message)s"}
    write_instance(root, {"default.json": settings, "production.json": {"A": 1}})
    (root / "ready").mkdir()
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        *("-w", "2", "-b", f"127.0.0.1:{port}", "--graceful-timeout", "10"),
        *(["--preload"] if preload else []),
        *("--logger-class", "ampho.logging.gunicorn.Logger", "ampho.main:application"),
    ]
    output = tmp_path / "output.log"
    with serving(command, root, port, server_environment(tmp_path / "home"), output) as proc:
        master = proc.pid

        def loaded() -> bool:
            ready = {int(name) for name in os.listdir(root / "ready")}
            workers = children(master)
            return len(workers) == 2 and (master in ready or workers <= ready)

        wait_until(proc, loaded, "the workers have not loaded the application", output)
        before = children(master)
        workers = set(before)
        (root / "instance" / "production.json").write_text('{"A": ', encoding="utf-8")
        os.kill(master, signal.SIGHUP)

        def settled() -> bool:
            """The master is gone, or serves with new workers only."""
            now = children(master)
            workers.update(now)
            if proc.poll() is not None:
                return True
            return len(now) == 2 and not now & before and answers(port)

        deadline = time.monotonic() + 60
        while not settled():
            if time.monotonic() > deadline:
                pytest.fail(f"the reload has not settled after 60 s:\n{tail(output)}")
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=0.05)
        status = proc.returncode
        if status is not None:
            # Gone: then its workers went first, and nothing serves the port.
            assert [pid for pid in workers if running(pid)] == []
            assert not listening(port)
    lines = [
        line for path in (root / "log").glob("app-*.log") for line in path.read_text().splitlines()
    ]
    [error] = [line for line in lines if "reload:" in line]
    assert error.startswith("ERROR gunicorn.error: reload: instance/production.json:1:")
    assert error.endswith("; logging stays as it was")
    if preload:
        # The workers are copies of the master's application: they serve on.
        assert status is None
    else:
        # New workers cannot build the application: Gunicorn stops, all of it
        # (status 3, or 1 when the second worker's failure interrupts the halt).
        assert status not in (None, 0), tail(output)
