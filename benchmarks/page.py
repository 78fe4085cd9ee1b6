"""What the benchmarks share: the field's tools, the machine, the page.

hyperfine times whole processes, pyperf calls inside one, wrk loads a
real Gunicorn. This module runs hyperfine and wrk and reads their
figures; the benchmarks keep only their fixtures, the checks that every
approach computes the same thing, and their section of
``docs/benchmarks.rst``, between its two markers, the rest of the page
left as it is.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import importlib.metadata
import json
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "benchmarks.rst"

# The servers start as the tests start theirs (free port, polled, stopped).
sys.path.append(str(ROOT / "tests"))
import processes  # noqa: E402


def arguments(doc: str | None) -> argparse.Namespace:
    """``--quick`` (a smoke run that writes no page) and ``--page``."""
    parser = argparse.ArgumentParser(description=(doc or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="few runs; write no page")
    parser.add_argument(
        "--page", type=Path, help="the page to write (default: docs/benchmarks.rst)"
    )
    return parser.parse_args()


def publish(args: argparse.Namespace, name: str, script: str, body: str) -> None:
    """Print the section ``name`` and, unless ``--quick``, write it into the page."""
    start, end = f".. {name}-start", f".. {name}-end"
    text = f"{start}\n\n.. This section is written by benchmarks/{script}; edits are lost.\n\n"
    text += body.strip("\n") + f"\n\n{end}\n"
    print(text)
    path = args.page or (None if args.quick else PAGE)
    if path is None:
        return
    page = path.read_text(encoding="utf-8") if path.exists() else ".. _benchmarks:\n\n"
    found = re.search(rf"^{re.escape(start)}$.*?^{re.escape(end)}$\n?", page, re.M | re.S)
    if found:
        page = page[: found.start()] + text + page[found.end() :]
    else:
        page = page.rstrip("\n") + "\n\n" + text
    path.write_text(page, encoding="utf-8")
    print(f"wrote {path}", file=sys.stderr)


#: Figures by name: ``{"ampho": {"ms": 33.9, "ratio": 1.45, ...}}``.
Times = dict[str, dict[str, float]]
#: How :func:`hyperfine` runs the commands, for the page.
HYPERFINE = (
    "``hyperfine -N``, an invocation for each run of every command, the order reversed"
    " in every second, after warm-up runs in the first"
)


def hyperfine(
    commands: dict[str, list[str]],
    *,
    runs: int,
    cwd: Path,
    env: dict[str, str] | None = None,
    warmup: int = 2,
) -> Times:
    """Time ``commands`` (name: argv) with hyperfine, no shell, ``runs`` times each.

    hyperfine runs one command's runs after the other's, so a burst of
    other work on a shared machine, which can outlast a command of a few
    milliseconds many times over, lands on one side: each invocation
    runs every command once, side by side, the order reversed in every
    second, and only the first has warm-up runs. Returns by
    name the median of all runs (``ms``), its ratio to the first
    command's (``ratio``) and the mean CPU time, user plus system
    (``cpu``), all read from hyperfine's JSON exports.
    """
    times: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp) / "hyperfine.json"
        for n in range(runs):
            argv = ["hyperfine", "-N", "--style", "none", "--warmup", str(warmup if n == 0 else 0)]
            argv += ["--runs", "1", "--export-json", str(export)]
            for name in list(commands)[:: 1 - 2 * (n % 2)]:
                argv += ["-n", name, shlex.join(commands[name])]
            if subprocess.run(argv, cwd=cwd, env=env, stdout=sys.stderr).returncode:
                raise SystemExit(f"hyperfine failed on {', '.join(commands)}")
            for result in json.loads(export.read_text(encoding="utf-8"))["results"]:
                times[result["command"]] += result["times"]
                cpu[result["command"]].append(result["user"] + result["system"])
    first = statistics.median(times[next(iter(commands))])
    return {
        name: {
            "ms": statistics.median(times[name]) * 1000,
            "ratio": statistics.median(times[name]) / first,
            "cpu": statistics.mean(cpu[name]) * 1000,
        }
        for name in commands
    }


def callgrind(command: list[str], *, cwd: Path, env: dict[str, str]) -> int:
    """The instructions ``command`` executes, counted by valgrind's callgrind:
    the same for the same files however busy the machine is, unlike a time."""
    argv = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command]
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode or found is None:
        raise SystemExit(f"callgrind failed on {shlex.join(command)}: {done.stderr[-500:]}")
    return int(found.group(1))


@contextlib.contextmanager
def gunicorn(cwd: Path, *args: str) -> Iterator[int]:
    """``gunicorn -w 2 -k sync`` on 127.0.0.1 and a free port, for the block."""
    port = processes.free_port()
    command = [sys.executable, "-m", "gunicorn", "-w", "2", "-k", "sync"]
    command += ["-b", f"127.0.0.1:{port}", *args]
    env = processes.server_environment(cwd / "home")
    with processes.serving(command, cwd, port, env, cwd / f"gunicorn-{port}.log"):
        yield port


def wrk(port: int, path: str, seconds: float) -> float:
    """Requests a second from ``wrk -t 1 -c 4``; any non-2xx answer fails the run."""
    url = f"http://127.0.0.1:{port}{path}"
    command = ["wrk", "-t", "1", "-c", "4", "-d", f"{seconds:g}s", url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    found = re.search(r"^Requests/sec:\s+([\d.]+)", done.stdout, re.M)
    if done.returncode or found is None or "Non-2xx" in done.stdout:
        raise SystemExit(f"wrk failed on {url}:\n{done.stdout}{done.stderr}")
    return float(found.group(1))


def version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def machine(*libraries: str) -> str:
    """The machine, as a bulleted list: figures mean little without it."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="utf-8") as f:
        cpu = next((line.split(":", 1)[1].strip() for line in f if "model name" in line), cpu)
    load = ", ".join(f"{n:.2f}" for n in os.getloadavg())
    tools = subprocess.run(["hyperfine", "--version"], capture_output=True, text=True).stdout
    return "\n".join(
        [
            f"* {cpu}, {os.cpu_count()} logical CPUs, {platform.platform()}",
            f"* {platform.python_implementation()} {platform.python_version()}; "
            + ", ".join(f"{name} {version(name)}" for name in ("pyperf", *libraries))
            + f"; {tools.strip() or 'hyperfine not found'}",
            f"* Load average at the start: {load}; date:"
            f" {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d}. The machine is"
            " shared with other work: read the ratios, not the absolute figures.",
        ]
    )


def table(header: list[str], rows: list[list[str]]) -> str:
    """An reST list-table."""
    lines = [".. list-table::", "   :header-rows: 1", ""]
    for row in [header, *rows]:
        lines += [f"   * - {row[0]}", *(f"     - {cell}" for cell in row[1:])]
    return "\n".join(lines) + "\n"


def rows(times: Times, labels: dict[str, str]) -> list[list[str]]:
    """``[label, median ms, ratio]`` of hyperfine's figures, in the order of ``labels``."""
    return [
        [label, f"{times[k]['ms']:.1f}", f"{times[k]['ratio']:.2f}"] for k, label in labels.items()
    ]


def verdict(ratio: float, target: float, *, at_most: bool = True) -> str:
    """``1.07x (at most 1.2x): met``, or ``MISSED``; timing never fails a run."""
    met = ratio <= target if at_most else ratio >= target
    bound = "at most" if at_most else "at least"
    return f"{ratio:.2f}x ({bound} {target}x): {'met' if met else 'MISSED'}"
