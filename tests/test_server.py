"""Real servers: ``ampho run``, ``python -m ampho run`` and Gunicorn.

Each test starts a server process on a free port of 127.0.0.1, waits
for the port with a deadline, talks real HTTP to it with urllib, and
stops it in a ``finally`` block (terminate, wait, then kill its process
group). Environments are built from scratch: nothing of the developer's
shell (``AMPHO_*``, ``FLASK_*``, proxies, ...) reaches the server.
"""

from __future__ import annotations

import json
import shutil
import sys
import threading
import time
from pathlib import Path

import pytest
from processes import (
    AMPHO,
    PYTHON_M_AMPHO,
    REQUEST_SECONDS,
    Response,
    free_port,
    request,
    server_environment,
    serving,
    write_instance,
    write_tree,
)

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "hello-world"


# --- helpers ---------------------------------------------------------------------


def copy_example(tmp_path: Path) -> Path:
    """A copy of examples/hello-world, so nothing is written into the repository."""
    root = tmp_path / "hello-world"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def gunicorn(port: int, *options: str, workers: int = 2) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
        "--graceful-timeout",
        "10",
        *options,
        "ampho.main:application",
    ]


def check_example_home_page(port: int) -> None:
    response = request(port, "/")
    assert response.status == 200
    assert response.headers.get_content_type() == "text/html"
    assert "<title>Hello, world!</title>" in response.text
    assert "<h1>Hello, world!</h1>" in response.text
    assert "Rendered by the app bundle." in response.text
    assert 'href="/static/app/style.css"' in response.text


def check_example_site(port: int) -> None:
    """The example's pages, its static file and a 404, over real HTTP."""
    check_example_home_page(port)
    hello = request(port, "/hello/Ann")
    assert hello.status == 200
    assert "<h1>Hello, Ann!</h1>" in hello.text
    css = request(port, "/static/app/style.css")
    assert css.status == 200
    assert css.headers.get_content_type() == "text/css"
    assert css.body == (EXAMPLE / "app" / "static" / "style.css").read_bytes()
    for missing in ("/nope", "/static/app/nope.css", "/static/nope/style.css"):
        assert request(port, missing).status == 404, missing


# --- ampho run -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [pytest.param(AMPHO, id="ampho"), pytest.param(PYTHON_M_AMPHO, id="python-m-ampho")],
)
def test_ampho_run_serves_the_example(tmp_path: Path, command: list[str]) -> None:
    """``cd hello-world && ampho run``: the root goes on sys.path."""
    root = copy_example(tmp_path)
    port = free_port()
    args = [*command, "run", "--host", "127.0.0.1", "--port", str(port)]
    env = server_environment(tmp_path / "home")
    with serving(args, root, port, env, tmp_path / "server.log"):
        check_example_site(port)


#: A bundle whose views show the configuration and the process serving.
SHOW_VIEWS = """
    import hashlib
    import os

    from ampho import current_app, route


    @route("/greeting")
    def greeting():
        return current_app.config["GREETING"]


    @route("/pid")
    def pid():
        return {
            "pid": os.getpid(),
            "key": hashlib.sha256(current_app.secret_key.encode()).hexdigest(),
        }
"""


def show_root(root: Path, entry: str = "app") -> Path:
    write_tree(root, {f"{entry}/__init__.py": "", f"{entry}/views.py": SHOW_VIEWS})
    return write_instance(
        root,
        {
            "default.json": {"GREETING": "from default"},
            "production.json": {"GREETING": "from production"},
            "staging.json": {"GREETING": "from staging"},
        },
    )


@pytest.mark.parametrize(
    "command",
    [pytest.param(AMPHO, id="ampho"), pytest.param(PYTHON_M_AMPHO, id="python-m-ampho")],
)
def test_ampho_run_with_global_options_from_another_directory(
    tmp_path: Path, command: list[str]
) -> None:
    root = show_root(tmp_path / "root", entry="shop")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    port = free_port()
    args = [
        *command,
        *("--root", str(root), "--entry", "shop", "--env", "staging"),
        *("run", "--host", "127.0.0.1", "--port", str(port)),
    ]
    env = server_environment(tmp_path / "home")
    with serving(args, elsewhere, port, env, tmp_path / "server.log") as proc:
        response = request(port, "/greeting")
        assert response.status == 200
        assert response.text == "from staging"
        # The development server answers in its own process.
        answer = request(port, "/pid")
        assert answer.status == 200
        assert json.loads(answer.text)["pid"] == proc.pid


# --- Gunicorn ----------------------------------------------------------------------------


def test_gunicorn_serves_the_example(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    port = free_port()
    env = server_environment(tmp_path / "home")
    with serving(gunicorn(port), root, port, env, tmp_path / "server.log"):
        check_example_site(port)
        assert request(port, "/").headers["Server"].startswith("gunicorn")


@pytest.mark.parametrize("how", ["chdir", "AMPHO_ROOT"])
def test_gunicorn_from_another_directory(tmp_path: Path, how: str) -> None:
    root = copy_example(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    port = free_port()
    if how == "chdir":
        command = gunicorn(port, "--chdir", str(root))
        env = server_environment(tmp_path / "home")
    else:
        command = gunicorn(port)
        env = server_environment(tmp_path / "home", AMPHO_ROOT=str(root))
    with serving(command, elsewhere, port, env, tmp_path / "server.log"):
        check_example_home_page(port)
        assert request(port, "/static/app/style.css").status == 200


def test_gunicorn_reads_the_environment_named_by_ampho_env(tmp_path: Path) -> None:
    root = show_root(tmp_path / "root")
    port = free_port()
    env = server_environment(tmp_path / "home", AMPHO_ENV="staging")
    with serving(gunicorn(port, workers=1), root, port, env, tmp_path / "server.log"):
        assert request(port, "/greeting").text == "from staging"


def test_gunicorn_logs_an_ampho_env_that_has_no_file(tmp_path: Path) -> None:
    """``AMPHO_ENV=prod`` serves on default.json alone, as the commands
    warn; the server's log says so at the start."""
    root = show_root(tmp_path / "root")
    port = free_port()
    log = tmp_path / "server.log"
    env = server_environment(tmp_path / "home", AMPHO_ENV="prod")
    with serving(gunicorn(port, workers=1), root, port, env, log):
        assert request(port, "/greeting").text == "from default"
    warnings = [line for line in log.read_text().splitlines() if "'prod'" in line]
    assert len(warnings) == 1, warnings
    assert " WARNING [" in warnings[0]
    assert warnings[0].endswith(
        "] ampho: environment 'prod' has no instance/prod.json, so it loads"
        " default.json alone; the environments with a file are production, staging;"
        " did you mean 'production'?"
    )


HOLD_VIEWS = """
    import os
    import time

    from ampho import route

    from .views import pid

    ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


    @route("/hold")
    def hold():
        # Keep this worker busy until the test says so (at most 15 s).
        open(os.path.join(ROOT, "started"), "w").close()
        deadline = time.monotonic() + 15
        while not os.path.exists(os.path.join(ROOT, "release")):
            if time.monotonic() > deadline:
                return "never released", 500
            time.sleep(0.01)
        return pid()
"""


def test_gunicorn_both_workers_answer_with_the_same_secret_key(tmp_path: Path) -> None:
    """One request holds a sync worker; the next one must be the other worker's.

    Both workers built the application at once, with no secret key yet:
    they must have settled on one key, or sessions would break between
    them.
    """
    root = show_root(tmp_path / "root")
    write_tree(root, {"app/hold.py": HOLD_VIEWS, "app/__init__.py": "from . import hold\n"})
    assert not (root / "instance" / "secret_key").exists()
    port = free_port()
    env = server_environment(tmp_path / "home")
    with serving(gunicorn(port), root, port, env, tmp_path / "server.log") as proc:
        held: dict[str, object] = {}

        def request_hold() -> None:
            try:
                held["response"] = request(port, "/hold")
            except Exception as e:  # reported by the assertions below
                held["error"] = e

        thread = threading.Thread(target=request_hold, daemon=True)
        thread.start()
        try:
            deadline = time.monotonic() + REQUEST_SECONDS
            while not (root / "started").exists():
                assert thread.is_alive(), held
                assert time.monotonic() < deadline, "the /hold request never started"
                thread.join(timeout=0.02)  # the pause between looks
            other = request(port, "/pid")
        finally:
            (root / "release").touch()
            thread.join(timeout=REQUEST_SECONDS + 5)
        assert not thread.is_alive()
        response = held.get("response")
        assert isinstance(response, Response), held
        assert response.status == 200
        assert other.status == 200
        held_data = json.loads(response.text)
        other_data = json.loads(other.text)
        assert held_data["pid"] != other_data["pid"]
        # Workers answer, not the master.
        assert proc.pid not in (held_data["pid"], other_data["pid"])
        # Both workers use the one key kept in the instance directory.
        assert held_data["key"] == other_data["key"]
    key_file = root / "instance" / "secret_key"
    assert key_file.stat().st_mode & 0o777 == 0o600
