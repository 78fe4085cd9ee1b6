"""What Ampho costs an application, next to the same one in plain Flask.

The benchmark writes, into a temporary directory, applications of 1, 10
and 100 bundles, each bundle with a view, a template and a command, and
the same applications in plain Flask: a factory that registers one
blueprint a bundle (the same views, the templates through the
blueprint's ``template_folder``, the same click commands through
``app.cli``). It checks once that both serve the same pages and have the
same routes and commands, then measures, interleaving the variants so
that they share the machine's noise:

* start-up: in fresh processes, the time from before the first import to
  the application built, Ampho's ``create_app()`` against the Flask
  factory (Ampho with ``LOG_FILES_ENABLED`` and ``LOG_CONSOLE`` false
  and a ``SECRET_KEY``, plus one row with Ampho's defaults);
* requests: a hello-world view and a template view, each application
  under the same Gunicorn settings, driven by ``wrk`` if it is installed
  or else by a Python client making a fixed number of requests;
* ``ampho --help`` against ``flask --help``, whole processes.

The medians are printed with the ratios and targets and written into
``docs/benchmarks.rst``, between ``.. app-overhead-start`` and
``.. app-overhead-end``. If a target is missed, Ampho's side is
profiled: ``create_app()`` with 100 bundles under :mod:`cProfile`,
``python -X importtime -m ampho --help`` and, for requests, the views
under :mod:`cProfile`.

Run it with ``python benchmarks/app_overhead.py`` (``--quick`` for a
smoke run, which writes no page unless ``--output`` is given).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import importlib.metadata
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

from page import cpu_name, load_average, write_section

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "docs" / "benchmarks.rst"

#: Bundles (Ampho) or blueprints (Flask) of the applications, the entry included.
SIZES = (1, 10, 100)
#: The size of the Ampho application with its default settings (logging on).
DEFAULTS_SIZE = 1
#: The size of the applications served for the request benchmark.
SERVED_SIZE = 10
DEFAULT_RUNS = 15
QUICK_RUNS = 3
MIN_STARTUP_RUNS = 7
MIN_HELP_RUNS = 10
#: ``--help`` runs this many times as many rounds: a run is short and noisy.
HELP_FACTOR = 2
REQUESTS = 3_000
QUICK_REQUESTS = 300
#: Client threads (or wrk connections).
CONCURRENCY = 4
WORKERS = 2
#: The longest a batch of requests may take before it is cut short.
BATCH_LIMIT = 60.0
SEED = 20261122

STARTUP_TARGET = 1.2
REQUEST_TARGET = 0.95
HELP_TARGET = 1.1

SECRET_KEY = "benchmark-secret-key-0123456789abcdef"
#: The template view's items.
ITEMS = 20
VIEWS = {"hello": "/", "template": "/page"}
VIEW_LABELS = {"hello": "hello world", "template": "template"}

START_MARK = ".. app-overhead-start"
END_MARK = ".. app-overhead-end"

# --------------------------------------------------------------------------
# The applications


def bundle_names(size: int) -> list[str]:
    """The bundles in load order: the others, then the entry bundle ``app``."""
    return [f"b{i:03d}" for i in range(1, size)] + ["app"]


TEMPLATE = textwrap.dedent(
    """\
    <!doctype html>
    <title>{{ title }}</title>
    <h1>Hello, {{ name }}!</h1>
    <ul>
    {% for item in items %}  <li class="{{ loop.cycle('odd', 'even') }}">{{ item }}</li>
    {% endfor %}</ul>
    """
)

AMPHO_APP_VIEWS = textwrap.dedent(
    f"""\
    from ampho import render, route


    @route("/")
    def hello():
        return "Hello, World!"


    @route("/page")
    def page():
        return render("page.html", title="app", name="World", items=range({ITEMS}))
    """
)

AMPHO_VIEWS = textwrap.dedent(
    f"""\
    from ampho import render, route


    @route("/")
    def index():
        return render("{{name}}.html", title="{{name}}", name="World", items=range({ITEMS}))
    """
)

AMPHO_COMMANDS = textwrap.dedent(
    """\
    import click

    from ampho.cli import command


    @command("hello")
    @click.option("--name", default="World")
    def hello(name):
        \"\"\"Say hello.\"\"\"
        click.echo(f"Hello, {name}!")
    """
)

FLASK_PACKAGE = textwrap.dedent(
    """\
    from flask import Blueprint

    bp = Blueprint({name!r}, __name__, template_folder="tpl"{prefix})
    """
)

FLASK_APP_VIEWS = textwrap.dedent(
    f"""\
    from flask import render_template

    from . import bp


    @bp.route("/")
    def hello():
        return "Hello, World!"


    @bp.route("/page")
    def page():
        return render_template("page.html", title="app", name="World", items=range({ITEMS}))
    """
)

FLASK_VIEWS = textwrap.dedent(
    f"""\
    from flask import render_template

    from . import bp


    @bp.route("/")
    def index():
        return render_template(
            "{{name}}.html", title="{{name}}", name="World", items=range({ITEMS})
        )
    """
)

FLASK_COMMANDS = textwrap.dedent(
    """\
    import click
    from flask.cli import AppGroup

    cli = AppGroup({name!r})


    @cli.command("hello")
    @click.option("--name", default="World")
    def hello(name):
        \"\"\"Say hello.\"\"\"
        click.echo(f"Hello, {{name}}!")
    """
)

FLASK_FACTORY = textwrap.dedent(
    """\
    import importlib
    import json
    import os

    from flask import Flask

    BLUEPRINTS = {names!r}


    def create_app():
        app = Flask(__name__)
        app.config.from_file(os.path.join(app.instance_path, "default.json"), load=json.load)
        for name in BLUEPRINTS:
            package = importlib.import_module(name)
            importlib.import_module(name + ".views")
            commands = importlib.import_module(name + ".commands")
            app.register_blueprint(package.bp)
            app.cli.add_command(commands.cli)
        return app
    """
)

AMPHO_WSGI = textwrap.dedent(
    """\
    import os

    from ampho import create_app

    app = create_app("app", root_dir=os.path.dirname(os.path.abspath(__file__)))
    """
)

FLASK_WSGI = textwrap.dedent(
    """\
    from factory import create_app

    app = create_app()
    """
)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def write_ampho(root: Path, size: int, *, defaults: bool) -> None:
    names = bundle_names(size)
    for name in names:
        package = root / name
        if name == "app":
            write(package / "__init__.py", f"REQUIRES = {names[:-1]!r}\n")
            write(package / "views.py", AMPHO_APP_VIEWS)
            write(package / "tpl" / "page.html", TEMPLATE)
        else:
            write(package / "__init__.py", f"URL_PREFIX = '/{name}'\n")
            write(package / "views.py", AMPHO_VIEWS.format(name=name))
            write(package / "tpl" / f"{name}.html", TEMPLATE)
        write(package / "commands.py", AMPHO_COMMANDS)
    (root / "instance").mkdir(parents=True, exist_ok=True)
    if not defaults:
        settings = {"SECRET_KEY": SECRET_KEY, "LOG_FILES_ENABLED": False, "LOG_CONSOLE": False}
        write(root / "instance" / "default.json", json.dumps(settings, indent=2) + "\n")
    write(root / "wsgi.py", AMPHO_WSGI)


def write_flask(root: Path, size: int) -> None:
    names = bundle_names(size)
    for name in names:
        package = root / name
        if name == "app":
            write(package / "__init__.py", FLASK_PACKAGE.format(name=name, prefix=""))
            write(package / "views.py", FLASK_APP_VIEWS)
            write(package / "tpl" / "page.html", TEMPLATE)
        else:
            prefix = f", url_prefix='/{name}'"
            write(package / "__init__.py", FLASK_PACKAGE.format(name=name, prefix=prefix))
            write(package / "views.py", FLASK_VIEWS.format(name=name))
            write(package / "tpl" / f"{name}.html", TEMPLATE)
        write(package / "commands.py", FLASK_COMMANDS.format(name=name))
    settings = {"SECRET_KEY": SECRET_KEY}
    write(root / "instance" / "default.json", json.dumps(settings, indent=2) + "\n")
    write(root / "factory.py", FLASK_FACTORY.format(names=names))
    write(root / "wsgi.py", FLASK_WSGI)


def make_fixture(base: Path) -> dict[str, Path]:
    """Every application's root directory, by variant name, and an empty directory."""
    roots: dict[str, Path] = {}
    for size in SIZES:
        roots[f"ampho-{size}"] = base / f"ampho-{size}"
        write_ampho(roots[f"ampho-{size}"], size, defaults=False)
        roots[f"flask-{size}"] = base / f"flask-{size}"
        write_flask(roots[f"flask-{size}"], size)
    roots["defaults"] = base / f"ampho-defaults-{DEFAULTS_SIZE}"
    write_ampho(roots["defaults"], DEFAULTS_SIZE, defaults=True)
    roots["empty"] = base / "empty"
    roots["empty"].mkdir()
    return roots


# --------------------------------------------------------------------------
# Child processes


def child_environ() -> dict[str, str]:
    """Our environment without AMPHO_*, FLASK_* and PYTHONPATH."""
    environ = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AMPHO_", "FLASK_")) and k != "PYTHONPATH"
    }
    # Let the warm-up runs leave bytecode caches, as an installed package has.
    environ.pop("PYTHONDONTWRITEBYTECODE", None)
    return environ


#: Builds the application; ``BUILD`` is replaced by the factory call.
STARTUP_SCRIPT = """\
import time
_start = time.perf_counter()
BUILD
_elapsed = time.perf_counter() - _start
import sys
sys.stdout.write(repr(_elapsed))
"""

AMPHO_BUILD = "from ampho import create_app\napp = create_app('app', root_dir=ROOT)"
FLASK_BUILD = "from factory import create_app\napp = create_app()"

#: Prints what an application holds and serves, for the check.
CHECK_SCRIPT = """\
import json
BUILD
rules = sorted(
    (rule.rule, rule.endpoint, sorted(rule.methods))
    for rule in app.url_map.iter_rules()
    if not rule.endpoint.endswith("static")
)
commands = {}
with app.app_context():
    for name, group in app.cli.commands.items():
        commands[name] = sorted(getattr(group, "commands", {}))
client = app.test_client()
pages = {}
for rule, _, _ in rules:
    response = client.get(rule)
    pages[rule] = [response.status_code, response.get_data(as_text=True)]
print(json.dumps({"rules": rules, "commands": commands, "pages": pages, "key": app.secret_key}))
"""


def build_code(kind: str, root: Path) -> str:
    if kind == "flask":
        return FLASK_BUILD
    return AMPHO_BUILD.replace("ROOT", repr(str(root)))


def startup_command(kind: str, root: Path) -> list[str]:
    return [sys.executable, "-c", STARTUP_SCRIPT.replace("BUILD", build_code(kind, root))]


def help_command(kind: str) -> list[str]:
    return [sys.executable, "-m", kind, "--help"]


def run_child(command: list[str], cwd: Path, what: str) -> str:
    done = subprocess.run(
        command, cwd=cwd, env=child_environ(), capture_output=True, text=True, timeout=120
    )
    if done.returncode != 0:
        raise SystemExit(f"{what} exited with {done.returncode}:\n{done.stderr}")
    return done.stdout


def check(roots: dict[str, Path]) -> list[str]:
    """What differs between each Ampho application and its Flask twin."""
    problems = []
    for size in SIZES:
        found = {}
        for kind in ("ampho", "flask"):
            root = roots[f"{kind}-{size}"]
            script = CHECK_SCRIPT.replace("BUILD", build_code(kind, root))
            found[kind] = json.loads(run_child([sys.executable, "-c", script], root, "check"))
        ampho, flask = found["ampho"], found["flask"]
        for key in ("rules", "commands", "pages", "key"):
            if ampho[key] != flask[key]:
                problems.append(f"{size} bundles: the {key} differ")
        if len(ampho["rules"]) != size + 1:
            problems.append(f"{size} bundles: {len(ampho['rules'])} routes, not {size + 1}")
        bad = [rule for rule, (status, _) in ampho["pages"].items() if status != 200]
        if bad:
            problems.append(f"{size} bundles: {', '.join(bad)} did not answer 200")
    return problems


# --------------------------------------------------------------------------
# Start-up and --help


def timed_child(command: list[str], cwd: Path, what: str) -> tuple[float, float | None]:
    """Whole-process wall time and, if the child printed one, its own figure."""
    start = time.perf_counter()
    done = subprocess.run(
        command,
        cwd=cwd,
        env=child_environ(),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        timeout=120,
    )
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{what} exited with {done.returncode}")
    inner = None
    if command[1] == "-c":
        inner = float(done.stdout.decode())
    return wall, inner


def startup_variants() -> list[tuple[str, str, int]]:
    """(name, kind, size) of every start-up variant."""
    variants = []
    for size in SIZES:
        variants += [(f"ampho-{size}", "ampho", size), (f"flask-{size}", "flask", size)]
    variants.append(("defaults", "ampho", DEFAULTS_SIZE))
    return variants


def measure_startup(roots: dict[str, Path], runs: int) -> dict[str, dict[str, list[float]]]:
    """Fresh processes building each application, interleaved.

    A round runs every size in a shuffled order, Ampho and Flask back to
    back, the one going first alternating; the defaults row goes next to
    its size.
    """
    variants = startup_variants()
    times: dict[str, dict[str, list[float]]] = {
        name: {"inner": [], "wall": []} for name, _, _ in variants
    }
    kinds = {name: kind for name, kind, _ in variants}

    def run(name: str) -> tuple[float, float]:
        wall, inner = timed_child(startup_command(kinds[name], roots[name]), roots[name], name)
        assert inner is not None
        return wall, inner

    print("start-up: warming up...", file=sys.stderr)
    for name, _, _ in variants:
        run(name)
        run(name)
    rng = random.Random(SEED)
    for round_ in range(runs):
        print(f"start-up: round {round_ + 1} of {runs}...", file=sys.stderr)
        sizes = list(SIZES)
        rng.shuffle(sizes)
        for index, size in enumerate(sizes):
            group = [f"ampho-{size}", f"flask-{size}"]
            if size == DEFAULTS_SIZE:
                group.insert(1, "defaults")
            if (round_ + index) % 2:
                group.reverse()
            for name in group:
                wall, inner = run(name)
                times[name]["wall"].append(wall)
                times[name]["inner"].append(inner)
    return times


def measure_help(empty: Path, runs: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"ampho": [], "flask": []}
    print("--help: warming up...", file=sys.stderr)
    for kind in times:
        for _ in range(2):
            timed_child(help_command(kind), empty, f"{kind} --help")
    for round_ in range(runs):
        order = ["ampho", "flask"] if round_ % 2 == 0 else ["flask", "ampho"]
        for kind in order:
            wall, _ = timed_child(help_command(kind), empty, f"{kind} --help")
            times[kind].append(wall)
    return times


# --------------------------------------------------------------------------
# Requests


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(port: int, path: str, timeout: float = 10.0) -> bytes:
    """One request on a new connection; the whole response."""
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request.encode("ascii"))
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def body_of(response: bytes) -> bytes:
    return response.partition(b"\r\n\r\n")[2]


class Server:
    """Gunicorn serving one application, in a session of its own."""

    def __init__(self, name: str, root: Path, log: Path) -> None:
        self.name = name
        self.root = root
        self.port = free_port()
        self.log_path = log
        self.process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            str(WORKERS),
            "-k",
            "sync",
            "-b",
            f"127.0.0.1:{self.port}",
            "--chdir",
            str(self.root),
            "wsgi:app",
        ]

    def start(self, deadline: float = 60.0) -> None:
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                self.command(),
                cwd=self.root,
                env=child_environ(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        until = time.monotonic() + deadline
        while time.monotonic() < until:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name}: Gunicorn exited:\n{self.log_tail()}")
            try:
                answered = fetch(self.port, "/", timeout=2.0).startswith(b"HTTP/1.1 200")
                ready = len(self.workers()) >= WORKERS or not sys.platform.startswith("linux")
                if answered and ready:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise SystemExit(f"{self.name}: Gunicorn did not answer in {deadline:.0f} s")

    def log_tail(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    def workers(self) -> list[int]:
        """The worker processes' ids (Linux), else none."""
        if self.process is None:
            return []
        pid = self.process.pid
        try:
            with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as f:
                return [int(child) for child in f.read().split()]
        except OSError:
            return []

    def cpu(self) -> float | None:
        """The workers' CPU time (user and system) in seconds, from /proc."""
        total = 0.0
        pids = self.workers()
        if not pids:
            return None
        ticks = os.sysconf("SC_CLK_TCK")
        for pid in pids:
            try:
                with open(f"/proc/{pid}/stat", encoding="ascii") as f:
                    fields = f.read().rpartition(")")[2].split()
            except OSError:
                return None
            total += (int(fields[11]) + int(fields[12])) / ticks
        return total

    def stop(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)


def python_load(port: int, path: str, count: int, expected: bytes) -> tuple[float, int, str]:
    """``count`` requests from :data:`CONCURRENCY` threads, a connection each.

    Returns the wall time, the requests made and the first problem seen
    (empty if none).
    """
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    raw = request.encode("ascii")
    lock = threading.Lock()
    state = {"next": 0, "done": 0, "problem": ""}
    stop_at = time.perf_counter() + BATCH_LIMIT
    size = len(expected)

    def worker() -> None:
        done = 0
        problem = ""
        while True:
            with lock:
                if state["next"] >= count or state["problem"]:
                    break
                state["next"] += 1
            if time.perf_counter() > stop_at:
                problem = f"cut short after {BATCH_LIMIT:.0f} s"
                break
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                    sock.sendall(raw)
                    chunks = []
                    while True:
                        chunk = sock.recv(65536)
                        if not chunk:
                            break
                        chunks.append(chunk)
            except OSError as error:
                problem = f"{error!r}"
                break
            response = b"".join(chunks)
            if not response.startswith(b"HTTP/1.1 200") or not response.endswith(expected):
                problem = f"unexpected response: {response[:200]!r}"
                break
            if len(response) < size:
                problem = "short response"
                break
            done += 1
        with lock:
            state["done"] += done
            if problem and not state["problem"]:
                state["problem"] = problem

    threads = [threading.Thread(target=worker) for _ in range(CONCURRENCY)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start, int(state["done"]), str(state["problem"])


WRK_DURATION = 5


def wrk_load(wrk: str, port: int, path: str) -> tuple[float, int, str]:
    """wrk for :data:`WRK_DURATION` seconds: wall time, requests and problems."""
    done = subprocess.run(
        [
            wrk,
            "-t",
            "2",
            "-c",
            str(CONCURRENCY),
            "-d",
            f"{WRK_DURATION}s",
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        timeout=WRK_DURATION + 60,
    )
    found = re.search(r"(\d+) requests in ([\d.]+)(m?s)", done.stdout)
    if done.returncode != 0 or found is None:
        return 1.0, 0, f"wrk failed: {done.stdout}{done.stderr}"
    seconds = float(found.group(2)) / (1000 if found.group(3) == "ms" else 1)
    problem = ""
    if "Non-2xx" in done.stdout or "Socket errors" in done.stdout:
        problem = " ".join(done.stdout.split())[:300]
    return seconds, int(found.group(1)), problem


def measure_requests(
    roots: dict[str, Path], base: Path, runs: int, count: int
) -> tuple[dict[tuple[str, str], dict[str, list[float]]], list[str], str]:
    """Requests a second of each view and application, interleaved.

    Both servers run throughout; a round takes the views in a shuffled
    order, Ampho and Flask back to back, the one going first alternating.
    """
    wrk = shutil.which("wrk")
    client = f"wrk ({wrk})" if wrk else "python"
    times: dict[tuple[str, str], dict[str, list[float]]] = {
        (view, kind): {"rate": [], "cpu_us": []} for view in VIEWS for kind in ("ampho", "flask")
    }
    problems: list[str] = []
    servers = {
        kind: Server(kind, roots[f"{kind}-{SERVED_SIZE}"], base / f"gunicorn-{kind}.log")
        for kind in ("ampho", "flask")
    }
    try:
        for server in servers.values():
            server.start()
        expected: dict[str, bytes] = {}
        for view, path in VIEWS.items():
            bodies = {kind: body_of(fetch(s.port, path)) for kind, s in servers.items()}
            if bodies["ampho"] != bodies["flask"]:
                problems.append(f"{VIEW_LABELS[view]}: Ampho and Flask answer differently")
            expected[view] = bodies["flask"]

        def run(view: str, kind: str, n: int) -> tuple[float, float | None]:
            server = servers[kind]
            before = server.cpu()
            if wrk:
                elapsed, made, problem = wrk_load(wrk, server.port, VIEWS[view])
            else:
                elapsed, made, problem = python_load(server.port, VIEWS[view], n, expected[view])
            after = server.cpu()
            if problem:
                message = f"{kind}, {VIEW_LABELS[view]}: {problem}"
                print(f"ERROR: {message}", file=sys.stderr)
                problems.append(message)
            cpu = None if before is None or after is None or not made else after - before
            return made / elapsed, None if cpu is None else cpu / made * 1e6

        print(f"requests: warming up ({client} client)...", file=sys.stderr)
        for view in VIEWS:
            for kind in servers:
                run(view, kind, max(50, count // 5))
        rng = random.Random(SEED)
        for round_ in range(runs):
            print(f"requests: round {round_ + 1} of {runs}...", file=sys.stderr)
            views = list(VIEWS)
            rng.shuffle(views)
            for index, view in enumerate(views):
                kinds = ["ampho", "flask"] if (round_ + index) % 2 == 0 else ["flask", "ampho"]
                for kind in kinds:
                    rate, cpu_us = run(view, kind, count)
                    times[view, kind]["rate"].append(rate)
                    if cpu_us is not None:
                        times[view, kind]["cpu_us"].append(cpu_us)
    finally:
        for server in servers.values():
            server.stop()
    return times, problems, client


# --------------------------------------------------------------------------
# Profiling

PROFILE_SCRIPT = """\
import cProfile, json, os, pstats, sys
ROOTS = [os.path.dirname(sys.prefix), os.path.dirname(os.__file__)]
def short(path):
    for marker in ("/site-packages/", "/ampho/", "/lib/python"):
        if marker in path:
            rest = path.split(marker, 1)[1]
            return ("ampho/" + rest) if marker == "/ampho/" else rest.split("/", 1)[-1]
    return path.rsplit("/", 2)[-1] if "/" in path else path
profiler = cProfile.Profile()
profiler.enable()
WORK
profiler.disable()
stats = pstats.Stats(profiler)
rows = []
for (path, line, function), (_, calls, own, cum, _) in stats.stats.items():
    where = "built-in" if path == "~" else f"{short(path)}:{line}"
    rows.append({"function": function, "where": where, "calls": calls, "own": own, "cum": cum})
print(json.dumps({"total": stats.total_tt, "rows": rows}))
"""

PROFILE_BUILD = "from ampho import create_app\napp = create_app('app', root_dir=ROOT)"
PROFILE_REQUESTS = """\
from ampho import create_app
app = create_app('app', root_dir=ROOT)
profiler.disable()
client = app.test_client()
for _ in range(50):
    client.get(PATH)
profiler = cProfile.Profile()
profiler.enable()
for _ in range(COUNT):
    client.get(PATH)
"""


def top_rows(rows: list[dict[str, Any]], key: str, top: int) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda row: row[key], reverse=True)[:top]


def profile_startup(root: Path, top: int = 14) -> dict[str, Any]:
    """``create_app()`` of the 100-bundle application under cProfile, imports included."""
    work = PROFILE_BUILD.replace("ROOT", repr(str(root)))
    found = json.loads(
        run_child(
            [sys.executable, "-c", PROFILE_SCRIPT.replace("WORK", work)], root, "profile start-up"
        )
    )
    rows = found["rows"]
    # The heaviest by cumulative time among Ampho's own functions and imports.
    ampho = [row for row in rows if row["where"].startswith("ampho/")]
    return {
        "total_ms": found["total"] * 1e3,
        "own": top_rows(rows, "own", top),
        "ampho": top_rows(ampho, "cum", top),
    }


def profile_requests(root: Path, view: str, count: int = 2000, top: int = 12) -> dict[str, Any]:
    work = (
        PROFILE_REQUESTS.replace("ROOT", repr(str(root)))
        .replace("PATH", repr(VIEWS[view]))
        .replace("COUNT", str(count))
    )
    found = json.loads(
        run_child(
            [sys.executable, "-c", PROFILE_SCRIPT.replace("WORK", work)], root, "profile requests"
        )
    )
    rows = found["rows"]
    ampho = [row for row in rows if row["where"].startswith("ampho/")]
    return {
        "view": view,
        "count": count,
        "total_us": found["total"] / count * 1e6,
        "ampho": top_rows(ampho, "cum", top),
        "own": top_rows(rows, "own", top),
    }


IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def import_times(kind: str, empty: Path, runs: int = 5) -> dict[str, dict[str, float]]:
    """``-X importtime`` of ``<kind> --help``: per module the least self and cumulative µs."""
    best: dict[str, dict[str, float]] = {}
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", kind, "--help"],
            cwd=empty,
            env=child_environ(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        for line in done.stderr.splitlines():
            found = IMPORT_LINE.match(line)
            if found is None:
                continue
            own, cum, indent, module = found.groups()
            depth = len(indent) // 2
            entry = best.setdefault(
                module, {"own": float(own), "cum": float(cum), "depth": float(depth)}
            )
            entry["own"] = min(entry["own"], float(own))
            entry["cum"] = min(entry["cum"], float(cum))
    return best


def profile_help(empty: Path, top: int = 10) -> dict[str, Any]:
    """What ``ampho --help`` imports that ``flask --help`` does not, and their cost."""
    ampho = import_times("ampho", empty)
    flask = import_times("flask", empty)
    extra = {name: row for name, row in ampho.items() if name not in flask}
    heaviest = sorted(extra.items(), key=lambda item: item[1]["own"], reverse=True)[:top]
    # The outermost extra imports: what pulls the rest in.
    roots = [
        (name, row)
        for name, row in extra.items()
        if row["depth"] == min(r["depth"] for r in extra.values())
    ]
    roots.sort(key=lambda item: item[1]["cum"], reverse=True)
    return {
        "ampho_ms": sum(row["own"] for row in ampho.values()) / 1e3,
        "flask_ms": sum(row["own"] for row in flask.values()) / 1e3,
        "extra_count": len(extra),
        "extra_ms": sum(row["own"] for row in extra.values()) / 1e3,
        "heaviest": [{"module": name, "own_ms": row["own"] / 1e3} for name, row in heaviest],
        "roots": [{"module": name, "cum_ms": row["cum"] / 1e3} for name, row in roots[:top]],
    }


# --------------------------------------------------------------------------
# Results


def spread(values: list[float]) -> dict[str, float]:
    return {
        "median": statistics.median(values),
        "low": min(values),
        "high": max(values),
        "runs": len(values),
    }


def summarize(results: dict[str, Any]) -> None:
    startup = results["startup_times"]
    rows = []
    for size in SIZES:
        ampho = spread(startup[f"ampho-{size}"]["inner"])
        flask = spread(startup[f"flask-{size}"]["inner"])
        rows.append(
            {
                "label": f"{size} bundle{'s' if size > 1 else ''}",
                "size": size,
                "ampho": ampho,
                "flask": flask,
                "ampho_wall": statistics.median(startup[f"ampho-{size}"]["wall"]),
                "flask_wall": statistics.median(startup[f"flask-{size}"]["wall"]),
                "ratio": ampho["median"] / flask["median"],
                "target": True,
            }
        )
    defaults = spread(startup["defaults"]["inner"])
    flask = spread(startup[f"flask-{DEFAULTS_SIZE}"]["inner"])
    rows.append(
        {
            "label": f"{DEFAULTS_SIZE} bundle{'s' if DEFAULTS_SIZE > 1 else ''},"
            " Ampho's defaults (logging on)",
            "size": DEFAULTS_SIZE,
            "ampho": defaults,
            "flask": flask,
            "ampho_wall": statistics.median(startup["defaults"]["wall"]),
            "flask_wall": statistics.median(startup[f"flask-{DEFAULTS_SIZE}"]["wall"]),
            "ratio": defaults["median"] / flask["median"],
            "target": False,
        }
    )
    results["startup"] = rows

    requests = []
    for view in VIEWS:
        ampho_times = results["request_times"][view, "ampho"]
        flask_times = results["request_times"][view, "flask"]
        row = {
            "view": view,
            "ampho": spread(ampho_times["rate"]),
            "flask": spread(flask_times["rate"]),
            "ampho_cpu": statistics.median(ampho_times["cpu_us"])
            if ampho_times["cpu_us"]
            else None,
            "flask_cpu": statistics.median(flask_times["cpu_us"])
            if flask_times["cpu_us"]
            else None,
        }
        row["ratio"] = row["ampho"]["median"] / row["flask"]["median"]
        requests.append(row)
    results["requests"] = requests

    help_times = results["help_times"]
    ampho_help, flask_help = spread(help_times["ampho"]), spread(help_times["flask"])
    results["help"] = {
        "ampho": ampho_help,
        "flask": flask_help,
        "ratio": ampho_help["median"] / flask_help["median"],
    }


def startup_met(results: dict[str, Any]) -> bool:
    return all(row["ratio"] <= STARTUP_TARGET for row in results["startup"] if row["target"])


def requests_met(results: dict[str, Any]) -> bool:
    return all(row["ratio"] >= REQUEST_TARGET for row in results["requests"])


def help_met(results: dict[str, Any]) -> bool:
    return bool(results["help"]["ratio"] <= HELP_TARGET)


def target_lines(results: dict[str, Any]) -> list[str]:
    lines = []
    for row in results["startup"]:
        if row["target"]:
            met = "met" if row["ratio"] <= STARTUP_TARGET else "MISSED"
            lines.append(
                f"Start-up, {row['label']}: Ampho / Flask {row['ratio']:.2f}"
                f" (target at most {STARTUP_TARGET}), {met}"
            )
    for row in results["requests"]:
        met = "met" if row["ratio"] >= REQUEST_TARGET else "MISSED"
        lines.append(
            f"Requests, {VIEW_LABELS[row['view']]} view: Ampho / Flask {row['ratio']:.2f}"
            f" (target at least {REQUEST_TARGET}), {met}"
        )
    ratio = results["help"]["ratio"]
    met = "met" if ratio <= HELP_TARGET else "MISSED"
    lines.append(f"--help: Ampho / Flask {ratio:.2f} (target at most {HELP_TARGET}), {met}")
    return lines


def versions() -> str:
    parts = []
    for name in ("flask", "werkzeug", "jinja2", "click", "gunicorn"):
        try:
            parts.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            parts.append(f"{name} not installed")
    return ", ".join(parts)


def machine() -> dict[str, str]:
    cpu = cpu_name()
    load = load_average()
    return {
        "platform": platform.platform(),
        "cpus": str(os.cpu_count()),
        "cpu": f"{cpu}, {os.cpu_count()} logical CPUs",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "libraries": versions(),
        "load": load,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d"),
    }


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.1f}"


def print_report(results: dict[str, Any]) -> None:
    print(
        f"\nStart-up: fresh process, import to application built, ms;"
        f" median of {results['runs']} (lowest-highest); whole process in brackets"
    )
    print(f"  {'application':42}{'Ampho':>32}{'Flask':>32}{'ratio':>8}")
    for row in results["startup"]:
        a, f = row["ampho"], row["flask"]
        cell_a = f"{ms(a['median'])} ({ms(a['low'])}-{ms(a['high'])}) [{ms(row['ampho_wall'])}]"
        cell_f = f"{ms(f['median'])} ({ms(f['low'])}-{ms(f['high'])}) [{ms(row['flask_wall'])}]"
        print(f"  {row['label']:42}{cell_a:>32}{cell_f:>32}{row['ratio']:8.2f}")
    print(
        f"\nRequests: Gunicorn -w {WORKERS} sync, {results['client']} client,"
        f" {CONCURRENCY} connections at a time, {results['requests_count']:,} requests a run;"
        f" requests/s, median of {results['runs']}; workers' CPU us a request"
    )
    print(f"  {'view':14}{'Ampho':>24}{'Flask':>24}{'ratio':>8}{'CPU Ampho':>11}{'CPU Flask':>11}")
    for row in results["requests"]:
        a, f = row["ampho"], row["flask"]
        cell_a = f"{a['median']:,.0f} ({a['low']:,.0f}-{a['high']:,.0f})"
        cell_f = f"{f['median']:,.0f} ({f['low']:,.0f}-{f['high']:,.0f})"
        cpu_a = f"{row['ampho_cpu']:.0f}" if row["ampho_cpu"] is not None else "-"
        cpu_f = f"{row['flask_cpu']:.0f}" if row["flask_cpu"] is not None else "-"
        print(
            f"  {VIEW_LABELS[row['view']]:14}{cell_a:>24}{cell_f:>24}{row['ratio']:8.2f}"
            f"{cpu_a:>11}{cpu_f:>11}"
        )
    h = results["help"]
    print(f"\n--help: whole process, ms, median of {results['help_runs']} (lowest-highest)")
    for kind in ("ampho", "flask"):
        cell = h[kind]
        print(f"  {kind:8}{ms(cell['median']):>8} ({ms(cell['low'])}-{ms(cell['high'])})")
    print(f"  ratio {h['ratio']:.2f}")
    print()
    for line in target_lines(results):
        print(line)
    profiles = results.get("profiles", {})
    if "startup" in profiles:
        found = profiles["startup"]
        print(
            f"\nProfile: create_app() with 100 bundles, imports included,"
            f" {found['total_ms']:.0f} ms under cProfile; Ampho's functions by cumulative time"
        )
        for row in found["ampho"]:
            print(
                f"  {row['cum'] * 1e3:8.1f} ms cum {row['own'] * 1e3:7.1f} ms own"
                f" {row['calls']:7,}  {row['function']} ({row['where']})"
            )
        print("  heaviest functions by own time:")
        for row in found["own"]:
            print(
                f"  {row['own'] * 1e3:8.1f} ms own {row['calls']:7,}"
                f"  {row['function']} ({row['where']})"
            )
    if "help" in profiles:
        found = profiles["help"]
        print(
            f"\nImports of --help (-X importtime, least of 5): Ampho {found['ampho_ms']:.1f} ms,"
            f" Flask {found['flask_ms']:.1f} ms; {found['extra_count']} modules only Ampho's"
            f" imports, {found['extra_ms']:.1f} ms of their own"
        )
        for row in found["roots"]:
            print(f"  {row['cum_ms']:7.1f} ms cumulative  {row['module']}")
        print("  heaviest of those by own time:")
        for row in found["heaviest"]:
            print(f"  {row['own_ms']:7.1f} ms own  {row['module']}")
    for found in profiles.get("requests", []):
        print(
            f"\nProfile: {found['count']:,} requests to the {VIEW_LABELS[found['view']]} view"
            f" through the test client, {found['total_us']:.0f} us a request under cProfile;"
            " Ampho's functions by cumulative time"
        )
        for row in found["ampho"]:
            print(
                f"  {row['cum'] / found['count'] * 1e6:8.1f} us cum {row['calls']:8,}"
                f"  {row['function']} ({row['where']})"
            )


def rst_table(header: list[str], rows: list[list[str]], widths: str) -> list[str]:
    lines = [".. list-table::", "   :header-rows: 1", f"   :widths: {widths}", ""]
    for row in [header, *rows]:
        lines.append(f"   * - {row[0]}")
        lines.extend(f"     - {cell}" for cell in row[1:])
    return [*lines, ""]


def heading(title: str, underline: str) -> list[str]:
    return [title, underline * len(title), ""]


def rst_section(results: dict[str, Any]) -> str:
    info = results["machine"]
    runs = results["runs"]
    lines = [
        START_MARK,
        "",
        ".. This section is written by benchmarks/app_overhead.py; edits are lost.",
        "",
        ".. _benchmarks-app-overhead:",
        "",
        *heading("Ampho against plain Flask", "-"),
        "What Ampho adds to an application's start-up, to its requests and to",
        "its command line, next to the same application written with plain",
        "Flask blueprints. Written by ``python benchmarks/app_overhead.py``.",
        "",
        *heading("Machine", "~"),
        f"* Platform: {info['platform']}",
        f"* CPU: {info['cpu']}",
        f"* Python: {info['python']}",
        f"* Libraries: {info['libraries']}",
        f"* Load average when the run started: {info['load']}",
        f"* Date: {info['date']}",
        "",
        *heading("Method", "~"),
        "* The script writes the applications into a temporary directory: an",
        "  entry bundle ``app`` requiring the other bundles, each bundle with a",
        "  view (under ``URL_PREFIX = '/<bundle>'``) rendering a template of",
        "  its ``tpl/`` and a ``commands`` module with one command. The plain",
        "  Flask twin has one package a bundle with a ``Blueprint`` (the same",
        "  URL prefix, ``template_folder='tpl'``), the same views using",
        "  ``render_template`` and an ``AppGroup`` with the same command, and a",
        "  factory that imports them, registers the blueprints and adds the",
        "  groups to ``app.cli``, after ``app.config.from_file()`` of a JSON file",
        "  holding the ``SECRET_KEY``. Before timing, the script checks that",
        "  both have the same routes, commands and secret key and answer every",
        "  route with the same page.",
        "* Ampho's applications have an ``instance/default.json`` setting",
        "  ``LOG_FILES_ENABLED`` and ``LOG_CONSOLE`` to false and a",
        "  ``SECRET_KEY``, so that neither setting up log handlers nor the",
        "  generated key's file weighs on the comparison. The row marked",
        "  *Ampho's defaults* has no such file: logging goes to the console",
        "  and to daily files, and the secret key is read from",
        "  ``instance/secret_key`` (generated by the warm-up run). It is shown",
        "  for information; the target does not apply to it.",
        "* *Start-up*: a fresh ``python -c`` process that notes",
        "  ``time.perf_counter()``, imports ``ampho.create_app`` (or the Flask",
        "  factory), builds the application and prints the time taken, which",
        "  leaves out the interpreter's own start-up; the whole process's wall",
        "  time is shown next to it. Two warm-up runs of each variant first",
        "  (bytecode caches), then",
        f"  {runs} rounds, each taking the sizes in a shuffled order, Ampho and",
        "  Flask back to back, the one going first alternating.",
        f"* *Requests*: the {SERVED_SIZE}-bundle applications, each served by",
        f"  ``gunicorn -w {WORKERS} -k sync -b 127.0.0.1:<port> wsgi:app``, both",
        "  running throughout. A hello-world view (``/``, returning a string)",
        f"  and a template view (``/page``, a template looping over {ITEMS} items).",
    ]
    if results["client"].startswith("wrk"):
        lines += [
            f"  Load from ``wrk -t 2 -c {CONCURRENCY} -d {WRK_DURATION}s`` on loopback.",
        ]
    else:
        lines += [
            "  ``wrk`` was not installed, so the load comes from a Python client in",
            f"  the script's process: {CONCURRENCY} threads, each request on a new",
            "  connection (Gunicorn's sync workers close every connection), raw",
            f"  sockets, {results['requests_count']:,} requests a run. The client",
            f"  shares the {info['cpus']} CPUs with the workers, so the rates are",
            "  lower than the servers alone could reach and the ratio is pulled",
            "  towards 1; the workers' CPU time a request, read from",
            "  ``/proc``, shows the servers' own cost.",
        ]
    lines += [
        f"  After a warm-up, {runs} rounds, each taking the views in a shuffled order, Ampho and",
        "  Flask back to back, the one going first alternating. Every response",
        "  is checked: status 200 and the expected page.",
        "* *--help*: the wall time of ``python -m ampho --help`` against",
        "  ``python -m flask --help``, both in an empty directory (no",
        f"  application to load), {results['help_runs']} runs each, alternating,",
        "  after two warm-up runs.",
        "* The tables show medians, with the lowest and highest run; a ratio is",
        "  Ampho's median over Flask's.",
        "",
        "Targets: Ampho's start-up at most",
        f"{STARTUP_TARGET} times Flask's, its requests a second at least {REQUEST_TARGET}",
        f"times Flask's and ``ampho --help`` at most {HELP_TARGET} times ``flask --help``.",
        "",
        *heading("Results", "~"),
        "*Start-up*, ms from before the import to the application built (whole",
        "process in brackets):",
        "",
    ]
    rows = []
    for row in results["startup"]:
        a, f = row["ampho"], row["flask"]
        label = row["label"].replace("Ampho's defaults (logging on)", "*Ampho's defaults*")
        rows.append(
            [
                label,
                f"{ms(a['median'])} [{ms(row['ampho_wall'])}]",
                f"{ms(a['low'])}-{ms(a['high'])}",
                f"{ms(f['median'])} [{ms(row['flask_wall'])}]",
                f"{ms(f['low'])}-{ms(f['high'])}",
                f"{row['ratio']:.2f}",
            ]
        )
    lines += rst_table(
        ["Application", "Ampho", "lowest-highest", "Flask", "lowest-highest", "ratio"],
        rows,
        "26 16 16 16 16 10",
    )
    lines += [
        f"*Requests* a second, {SERVED_SIZE} bundles, and the Gunicorn workers' CPU",
        "time a request:",
        "",
    ]
    rows = []
    for row in results["requests"]:
        a, f = row["ampho"], row["flask"]
        cpu_a = f"{row['ampho_cpu']:.0f}" if row["ampho_cpu"] is not None else "-"
        cpu_f = f"{row['flask_cpu']:.0f}" if row["flask_cpu"] is not None else "-"
        rows.append(
            [
                VIEW_LABELS[row["view"]],
                f"{a['median']:,.0f}",
                f"{a['low']:,.0f}-{a['high']:,.0f}",
                f"{f['median']:,.0f}",
                f"{f['low']:,.0f}-{f['high']:,.0f}",
                f"{row['ratio']:.2f}",
                f"{cpu_a} / {cpu_f}",
            ]
        )
    lines += rst_table(
        [
            "View",
            "Ampho",
            "lowest-highest",
            "Flask",
            "lowest-highest",
            "ratio",
            "CPU µs, Ampho / Flask",
        ],
        rows,
        "14 12 16 12 16 10 20",
    )
    h = results["help"]
    lines += ["*--help*, ms, whole process:", ""]
    lines += rst_table(
        ["Command", "median", "lowest-highest"],
        [
            [
                f"``{kind} --help``",
                ms(h[kind]["median"]),
                f"{ms(h[kind]['low'])}-{ms(h[kind]['high'])}",
            ]
            for kind in ("ampho", "flask")
        ],
        "40 30 30",
    )
    lines += [f"Ratio Ampho / Flask: {h['ratio']:.2f}.", ""]
    lines += [f"* {line}" for line in target_lines(results)]
    lines += [""]
    lines += rst_profiles(results)
    lines += [END_MARK]
    return "\n".join(lines) + "\n"


def rst_profiles(results: dict[str, Any]) -> list[str]:
    profiles = results.get("profiles", {})
    if not profiles:
        return []
    lines = [*heading("Where Ampho's time goes", "~")]
    if "startup" in profiles:
        found = profiles["startup"]
        lines += [
            "``create_app()`` of the 100-bundle application under :mod:`cProfile`,",
            f"imports included ({found['total_ms']:.0f} ms, cProfile slows everything",
            "down); Ampho's functions by cumulative time:",
            "",
        ]
        lines += rst_table(
            ["Function", "cumulative ms", "own ms", "calls"],
            [
                [
                    f"``{row['function']}`` ({row['where']})",
                    f"{row['cum'] * 1e3:.1f}",
                    f"{row['own'] * 1e3:.1f}",
                    f"{row['calls']:,}",
                ]
                for row in found["ampho"]
            ],
            "52 16 16 16",
        )
        lines += ["The heaviest functions by their own time, all libraries:", ""]
        lines += rst_table(
            ["Function", "own ms", "calls"],
            [
                [
                    f"``{row['function']}`` ({row['where']})",
                    f"{row['own'] * 1e3:.1f}",
                    f"{row['calls']:,}",
                ]
                for row in found["own"]
            ],
            "60 20 20",
        )
    if "help" in profiles:
        found = profiles["help"]
        lines += [
            "``python -X importtime -m ampho --help`` against the same for Flask",
            f"(least of 5 runs a module): Ampho's imports take {found['ampho_ms']:.1f} ms,",
            f"Flask's {found['flask_ms']:.1f} ms; {found['extra_count']} modules are imported",
            f"by Ampho's only, {found['extra_ms']:.1f} ms of their own time. The outermost",
            "of them, by cumulative time:",
            "",
        ]
        lines += rst_table(
            ["Module", "cumulative ms"],
            [[f"``{row['module']}``", f"{row['cum_ms']:.1f}"] for row in found["roots"]],
            "70 30",
        )
        lines += ["The heaviest of the modules only Ampho's imports, by their own time:", ""]
        lines += rst_table(
            ["Module", "own ms"],
            [[f"``{row['module']}``", f"{row['own_ms']:.1f}"] for row in found["heaviest"]],
            "70 30",
        )
    for found in profiles.get("requests", []):
        lines += [
            f"{found['count']:,} requests to the {VIEW_LABELS[found['view']]} view through",
            f"Flask's test client under :mod:`cProfile` ({found['total_us']:.0f} µs a",
            "request); Ampho's functions by cumulative time:",
            "",
        ]
        lines += rst_table(
            ["Function", "cumulative µs a request", "calls"],
            [
                [
                    f"``{row['function']}`` ({row['where']})",
                    f"{row['cum'] / found['count'] * 1e6:.1f}",
                    f"{row['calls']:,}",
                ]
                for row in found["ampho"]
            ]
            or [["(none)", "-", "-"]],
            "60 20 20",
        )
    return lines


def write_page(path: Path, section: str) -> None:
    """Replace this benchmark's section of the page."""
    write_section(path, section, START_MARK, END_MARK)


# --------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--runs", type=int, default=DEFAULT_RUNS, help=f"rounds of timing (default {DEFAULT_RUNS})"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"a smoke run: {QUICK_RUNS} rounds of fewer requests, no page unless --output",
    )
    parser.add_argument(
        "--output",
        type=Path,
        help=f"the page to write (default {DEFAULT_OUTPUT.relative_to(ROOT)})",
    )
    parser.add_argument(
        "--profile", action="store_true", help="profile Ampho's side even when the targets are met"
    )
    args = parser.parse_args(argv)
    runs = QUICK_RUNS if args.quick else args.runs
    count = QUICK_REQUESTS if args.quick else REQUESTS
    output = args.output if args.output or args.quick else DEFAULT_OUTPUT
    if runs < 1:
        parser.error("--runs must be at least 1")
    help_runs = runs if args.quick else max(HELP_FACTOR * runs, MIN_HELP_RUNS)
    if runs < MIN_STARTUP_RUNS and not args.quick:
        print(
            f"warning: --runs {runs}: the page asks for at least {MIN_STARTUP_RUNS}",
            file=sys.stderr,
        )

    started = time.perf_counter()
    results: dict[str, Any] = {
        "machine": machine(),
        "runs": runs,
        "help_runs": help_runs,
        "requests_count": count,
    }
    base = Path(tempfile.mkdtemp(prefix="ampho-bench-app-"))
    try:
        roots = make_fixture(base)
        print("checking the applications...", file=sys.stderr)
        problems = check(roots)
        if problems:
            for problem in problems:
                print(f"ERROR: {problem}", file=sys.stderr)
            return 1
        results["startup_times"] = measure_startup(roots, runs)
        results["help_times"] = measure_help(roots["empty"], help_runs)
        times, problems, client = measure_requests(roots, base, runs, count)
        results["request_times"], results["client"] = times, client
        summarize(results)
        profiles: dict[str, Any] = {}
        if args.profile or not startup_met(results):
            print("profiling create_app()...", file=sys.stderr)
            profiles["startup"] = profile_startup(roots["ampho-100"])
        if args.profile or not help_met(results):
            print("profiling --help imports...", file=sys.stderr)
            profiles["help"] = profile_help(roots["empty"])
        if args.profile or not requests_met(results):
            print("profiling requests...", file=sys.stderr)
            profiles["requests"] = [
                profile_requests(roots[f"ampho-{SERVED_SIZE}"], view) for view in VIEWS
            ]
        results["profiles"] = profiles
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print_report(results)
    print(f"\n{time.perf_counter() - started:.0f} s in all")
    if problems:
        print(f"\n{len(problems)} problem(s) with the responses: no page written.")
        for problem in problems:
            print(f"  {problem}")
        return 1
    if output is not None:
        write_page(output, rst_section(results))
        print(f"\nwrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
