"""What ``--logger-class ampho.logging.gunicorn.Logger`` costs a request.

Two real Gunicorns side by side, Gunicorn's logger writing its access
log and Ampho's logger class, loaded by wrk in alternating rounds.
Writes the ``gunicorn-logger`` section of ``docs/benchmarks.rst``.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

from page import arguments, gunicorn, machine, processes, publish, table, wrk

VIEWS = """
import logging

from ampho import route

log = logging.getLogger("app.views")

@route("/")
def index():
    log.info("hello")
    return "hello"
"""
OPTIONS = {
    "gunicorn": ["--access-logfile", "access.log"],
    "ampho": ["--logger-class", "ampho.logging.gunicorn.Logger"],
}
LABELS = {"gunicorn": "Gunicorn's logger (``--access-logfile``)", "ampho": "Ampho's logger class"}


def main() -> int:
    args = arguments(__doc__)
    rounds, seconds = (1, 1.0) if args.quick else (5, 4.0)
    rates: dict[str, list[float]] = {name: [] for name in OPTIONS}
    with tempfile.TemporaryDirectory(prefix="ampho-bench-gunicorn-") as tmp:
        root = processes.write_tree(
            Path(tmp),
            {
                "app/__init__.py": "",
                "app/views.py": VIEWS,
                "instance/default.json": '{"LOG_CONSOLE": false, "SECRET_KEY": "bench"}',
            },
        )
        app = "ampho.main:application"
        with (
            gunicorn(root, *OPTIONS["gunicorn"], app) as g,
            gunicorn(root, *OPTIONS["ampho"], app) as a,
        ):
            ports = {"gunicorn": g, "ampho": a}
            for n in range(rounds):
                for name in OPTIONS if n % 2 == 0 else reversed(OPTIONS):
                    rates[name].append(wrk(ports[name], "/", seconds))
        logged = "".join(path.read_text() for path in (root / "log").glob("*.log"))
    if "gunicorn.access" not in logged:
        print("ERROR: Ampho's log file holds no access record", file=sys.stderr)
        return 1
    rps = {name: statistics.median(values) for name, values in rates.items()}
    rows = [[LABELS[k], f"{rps[k]:,.0f}", f"{1e6 / rps[k]:.0f}"] for k in OPTIONS]
    body = f"""
Gunicorn's logger class
-----------------------

One view that logs a line under ``gunicorn -w 2 -k sync``, its access
log written by Gunicorn's own logger to a file, or by
``ampho.logging.gunicorn.Logger`` into Ampho's log file. Both servers run
side by side; ``wrk -t 1 -c 4 -d {seconds:g}s``, {rounds} rounds alternating
which goes first, the median.

{machine("gunicorn")}

{table(["Logger", "Requests/s", "µs per request"], rows)}
Difference: {1e6 / rps["ampho"] - 1e6 / rps["gunicorn"]:+.0f} µs per request.
"""
    publish(args, "gunicorn-logger", "gunicorn_logger.py", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
