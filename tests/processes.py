"""Running the real ``ampho`` command in a subprocess, for the CLI tests.

The script is looked for next to the running interpreter (the venv or
the tox env under test), never on the developer's ``PATH``, where an
unrelated install could answer; ``python -m ampho`` stands in when there
is none. Each run gets an environment built from scratch, so nothing of
the developer's shell (``AMPHO_*``, ``FLASK_ENV``, ``USER``, ...) can
change what the command sees.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import textwrap
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any

import pytest


def _ampho_command() -> list[str]:
    for directory in (os.path.dirname(sys.executable), sysconfig.get_path("scripts")):
        found = shutil.which("ampho", path=directory)
        if found:
            return [found]
    return [sys.executable, "-m", "ampho"]


AMPHO = _ampho_command()
PYTHON_M_AMPHO = [sys.executable, "-m", "ampho"]
#: Flask's command group of ``ampho`` run on its own, as ``ampho`` ran it
#: for every command but ``config`` before it resolved commands lazily:
#: it takes the same global options.
FLASKS_GROUP = [
    sys.executable,
    "-c",
    "import sys; from ampho.cli.group import main; main(sys.argv[1:], prog_name='ampho')",
]


def run(
    command: list[str],
    args: list[str],
    cwd: Path,
    *,
    stdin: str | None = None,
    timeout: float = 60,
    home: str = "home",
    **env: str,
) -> subprocess.CompletedProcess[str]:
    """Run ``command + args`` in ``cwd`` as user ``u`` on host ``h``.

    ``stdin`` is fed to the process (else it reads nothing); ``home`` is
    the name of the ``HOME`` directory made under ``cwd``.
    """
    home_dir = cwd / home
    home_dir.mkdir(exist_ok=True)
    environ = {
        "PATH": os.pathsep.join([os.path.dirname(AMPHO[0]), os.environ.get("PATH", os.defpath)]),
        "HOME": str(home_dir),
        "USER": "u",
        "HOSTNAME": "h",
        **env,
    }
    return subprocess.run(
        [*command, *args],
        cwd=cwd,
        env=environ,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=timeout,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The failure contract: one ``Error:`` line on stderr, nothing else."""
    assert result.returncode != 0
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: "), result.stderr
    assert result.stderr.endswith("\n")
    return lines[0]


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write files under ``root``; text is dedented, a leading newline dropped."""
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


def write_instance(root: Path, files: dict[str, Any]) -> Path:
    """Write instance files under ``root``; a dict is dumped as indented JSON."""
    instance = root / "instance"
    instance.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        text = content if isinstance(content, str) else json.dumps(content, indent=2)
        (instance / name).write_text(text, encoding="utf-8")
    return root


def in_child(func: Callable[[], Any], *, uid: int | None = None, seconds: int = 0) -> Any:
    """Fork, and return ``func()`` as computed in the child (JSON-able).

    For checks that need an unprivileged user while the suite runs as
    root (``uid``), or that may block (``seconds``: an alarm ends the
    child; a FIFO opened for reading waits for a writer forever). The
    child needs no exec (the interpreter may live where that user cannot
    reach); it sends the JSON of the result, or of ``{"raised": type
    name, "str": message}``, back through a pipe.
    """
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():
        # Python 3.12+ warns about forking while other threads run; the
        # child only makes system calls and runs ``func``, then exits.
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        try:
            os.close(read_end)
            if uid is not None:
                os.setgroups([])
                os.setgid(uid)
                os.setuid(uid)
            signal.alarm(seconds)
            try:
                out = func()
            except BaseException as e:
                out = {"raised": type(e).__name__, "str": str(e)}
            os.write(write_end, json.dumps(out).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as f:
        data = f.read()
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    assert code == 0, f"the child ended with {code} (-{int(signal.SIGALRM)}: it blocked)"
    return json.loads(data)


def call_as_user(uid: int, func: Callable[[], Any]) -> Any:
    """``func()`` computed in a child running as user ``uid``; see :func:`in_child`."""
    return in_child(func, uid=uid)


# --- servers --------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_environment(home: Path, **env: str) -> dict[str, str]:
    """User ``u`` on host ``h``, and only what the test adds."""
    home.mkdir(exist_ok=True)
    return {
        "PATH": os.pathsep.join([os.path.dirname(AMPHO[0]), os.environ.get("PATH", os.defpath)]),
        "HOME": str(home),
        "USER": "u",
        "HOSTNAME": "h",
        **env,
    }


def tail(path: Path) -> str:
    """The end of a server's log, for a failure message."""
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-4000:]
    except OSError:
        return "(no log)"


def listening(port: int) -> bool:
    """Whether something accepts connections on 127.0.0.1:port."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def wait_until(
    proc: subprocess.Popen[bytes],
    ready: Callable[[], bool],
    what: str,
    log: Path,
    seconds: float = 30,
) -> None:
    """Poll ``ready()`` until true; fail at the deadline or if the server exits.

    The pause between looks is a wait on the process, which also notices
    a server that died: no blind sleep.
    """
    deadline = time.monotonic() + seconds
    while not ready():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} after {seconds} s:\n{tail(log)}")
        try:
            code = proc.wait(timeout=0.05)
        except subprocess.TimeoutExpired:
            continue
        pytest.fail(f"the server exited with status {code} before {what}:\n{tail(log)}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Terminate a server started in its own session; kill its group if it will not go."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=20)
    # Workers left behind by a master that died (none, normally).
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


@contextlib.contextmanager
def serving(
    command: list[str], cwd: Path, port: int, env: dict[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """Run a server until the block ends, once it listens on ``port``.

    Its output goes to ``log``; it runs in its own session, and is stopped
    when the block ends, whether the test passed or not.
    """
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, for the last resort
        )
        try:
            wait_until(proc, lambda: listening(port), f"nothing listens on port {port}", log)
            yield proc
        finally:
            stop(proc)


# --- HTTP ---------------------------------------------------------------------------------

#: How long a request to a real server may take to be answered.
REQUEST_SECONDS = 15.0


def http_opener(*handlers: urllib.request.BaseHandler) -> urllib.request.OpenerDirector:
    """An opener with ``handlers`` (a cookie jar, ...) that never uses a proxy.

    Whatever ``*_proxy`` variables the test run has, a request to
    127.0.0.1 must reach the server under test, not a proxy.
    """
    return urllib.request.build_opener(urllib.request.ProxyHandler({}), *handlers)


_OPENER = http_opener()


@dataclass
class Response:
    """A server's answer, read to the end so the connection is closed."""

    status: int
    headers: Message
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> dict[str, object]:
        data = json.loads(self.body)
        assert isinstance(data, dict), data
        return data


def request(
    port: int,
    path: str,
    *,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    opener: urllib.request.OpenerDirector | None = None,
) -> Response:
    """A request to 127.0.0.1: GET, or POST when there is ``data``.

    An HTTP error status is a response too, so a test can check a 404 or
    a 400 as it checks a 200. ``opener`` defaults to one without a proxy
    or cookies (see :func:`http_opener`).
    """
    url = f"http://127.0.0.1:{port}{path}"
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with (opener or _OPENER).open(req, timeout=REQUEST_SECONDS) as response:
            return Response(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        try:
            return Response(error.code, error.headers, error.read())
        finally:
            error.close()
