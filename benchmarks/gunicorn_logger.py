"""What ``--logger-class ampho.logging.gunicorn.Logger`` costs a request.

One application (a view that logs one line) served by a real Gunicorn
with two workers on 127.0.0.1, twice: with Gunicorn's own logger writing
its access log to a file, and with Ampho's logger class writing the
access records into Ampho's log file. The two servers run side by side
and the rounds alternate between them, so they share the machine's
noise. Load comes from ``wrk`` if it is installed, else from a Python
client making a fixed number of requests.

The medians go into ``docs/benchmarks.rst`` between
``.. gunicorn-logger-start`` and ``.. gunicorn-logger-end``.
Run it with ``python benchmarks/gunicorn_logger.py`` (``--quick`` for a
smoke run, which writes no page unless ``--output`` is given).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

from page import cpu_name, load_average, package_version, write_section

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "docs" / "benchmarks.rst"
START_MARK = ".. gunicorn-logger-start"
END_MARK = ".. gunicorn-logger-end"
VARIANTS = ("gunicorn", "ampho")
VIEWS = """
    import logging

    from ampho import route

    log = logging.getLogger("app.views")


    @route("/")
    def index():
        log.info("hello")
        return "hello"
"""


def make_root(base: Path) -> Path:
    root = base / "root"
    (root / "app").mkdir(parents=True)
    (root / "instance").mkdir()
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "views.py").write_text(textwrap.dedent(VIEWS))
    settings = {"LOG_CONSOLE": False, "SECRET_KEY": "bench"}
    (root / "instance" / "default.json").write_text(json.dumps(settings))
    return root


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def server(root: Path, base: Path, variant: str) -> Iterator[int]:
    """Gunicorn with two workers and the variant's logger, on a free port."""
    port = free_port()
    if variant == "ampho":
        options = ["--logger-class", "ampho.logging.gunicorn.Logger"]
    else:
        options = ["--access-logfile", str(base / "access.log")]
    command = [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}"]
    env = {"PATH": os.environ.get("PATH", os.defpath), "HOME": str(base)}
    out = (base / f"{variant}.out").open("wb")
    proc = subprocess.Popen(
        [*command, *options, "ampho.main:application"],
        cwd=root,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while not _answers(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{variant}: Gunicorn did not start")
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(0.1)
        yield port
    finally:
        proc.terminate()
        proc.wait(30)
        out.close()


def _answers(port: int) -> bool:
    try:
        return get(port) == 200
    except OSError:
        return False


def get(port: int) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", "/")
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def requests_per_second(port: int, seconds: float, count: int) -> float:
    """wrk for ``seconds``, or ``count`` sequential Python requests."""
    wrk = shutil.which("wrk")
    if wrk:
        done = subprocess.run(
            [wrk, "-t", "1", "-c", "4", "-d", f"{seconds:g}s", f"http://127.0.0.1:{port}/"],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
        )
        found = re.search(r"Requests/sec:\s+([\d.]+)", done.stdout)
        if done.returncode != 0 or found is None or "Non-2xx" in done.stdout:
            raise SystemExit(f"wrk failed: {done.stdout}{done.stderr}")
        return float(found.group(1))
    start = time.perf_counter()
    for _ in range(count):
        if get(port) != 200:
            raise SystemExit("a request failed")
    return count / (time.perf_counter() - start)


def section(results: dict[str, list[float]], client: str) -> str:
    rps = {v: statistics.median(results[v]) for v in VARIANTS}
    us = {v: 1e6 / rps[v] for v in VARIANTS}
    rows = [
        "   * - Gunicorn's logger (``--access-logfile``)",
        f"     - {rps['gunicorn']:.0f}",
        f"     - {us['gunicorn']:.0f}",
        "   * - Ampho's logger class",
        f"     - {rps['ampho']:.0f}",
        f"     - {us['ampho']:.0f}",
    ]
    return "\n".join(
        [
            START_MARK,
            "",
            ".. This section is written by benchmarks/gunicorn_logger.py; edits are lost.",
            "",
            "Gunicorn's logger class",
            "-----------------------",
            "",
            "One view that logs a line, Gunicorn with two workers, its access log",
            "written by Gunicorn's own logger to a file, or by",
            "``ampho.logging.gunicorn.Logger`` into Ampho's log file",
            f"(medians of {len(results['ampho'])} alternating rounds, load from {client}).",
            "",
            ".. list-table::",
            "   :header-rows: 1",
            "",
            "   * - Logger",
            "     - Requests/s",
            "     - µs per request",
            *rows,
            "",
            f"Difference: {us['ampho'] - us['gunicorn']:+.0f} µs per request.",
            f"Gunicorn {package_version('gunicorn')}, Python {sys.version.split()[0]},",
            f"{cpu_name()}, load average {load_average()} at the end.",
            "",
            END_MARK,
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one short round, no page")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    rounds, seconds, count = (1, 1.0, 200) if args.quick else (args.rounds, 3.0, 2000)
    output = args.output or (None if args.quick else DEFAULT_OUTPUT)
    client = "``wrk -t 1 -c 4``" if shutil.which("wrk") else f"a Python client ({count})"
    results: dict[str, list[float]] = {v: [] for v in VARIANTS}
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        root = make_root(base)
        with server(root, base, "gunicorn") as g_port, server(root, base, "ampho") as a_port:
            ports = {"gunicorn": g_port, "ampho": a_port}
            for n in range(rounds):
                order = VARIANTS if n % 2 == 0 else VARIANTS[::-1]
                for variant in order:
                    results[variant].append(requests_per_second(ports[variant], seconds, count))
        access = sum(1 for line in (root / "log" / "app.log").open() if "gunicorn.access" in line)
    if access == 0:
        raise SystemExit("Ampho's log file holds no access record")
    text = section(results, client)
    print(text)
    if output is not None:
        write_section(output, text, START_MARK, END_MARK)


if __name__ == "__main__":
    main()
