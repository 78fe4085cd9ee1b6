"""Gunicorn's own lines in Ampho's files, with ``--logger-class ampho.logging.gunicorn.Logger``.

A real Gunicorn with two workers on 127.0.0.1 serves 40 numbered
requests, half with an ``X-Request-ID`` header and half without; then
the log file must hold 40 access records, each with the request's
fields, and the same ``request_id`` as the application's own record of
that request, generated ids included.
"""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
from pathlib import Path

import pytest
from processes import free_port, server_environment, serving, write_instance, write_tree

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
