"""Records a second: Ampho's ``PeriodFileHandler`` against ``logging.FileHandler``.

Text and JSON, one process and four forked ones, timed by pyperf's
``bench_time_func``; after every run the files are read back (every line
whole, every record once) or the script exits with status 1. Writes the
``logging`` section of ``docs/benchmarks.rst``.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pyperf
from page import machine, publish, table, verdict

from ampho.logging import PeriodFileHandler
from ampho.logging.formatting import json_formatter, text_formatter
from ampho.logging.settings import DEFAULT_MSG_FORMAT

QUICK = "--quick" in sys.argv[1:]
#: Records each process writes, by number of processes.
RECORDS = {1: 5_000, 4: 2_500} if QUICK else {1: 50_000, 4: 25_000}
TEXT_TARGET = 0.8  # Ampho's text records/s at least this share of the standard handler's
LOGGER, NAME, WHEN = "app.requests", "bench", "MIDNIGHT"  # one file a day: no switch
MESSAGE = "GET /items/%d 200 in %.1f ms [worker %d record %d]"
MESSAGE_PATTERN = r"GET /items/\d+ 200 in [\d.]+ ms \[worker (\d+) record (\d+)\]"
TIME = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}"
TEXT_LINE = re.compile(rf"{TIME} INFO \[\d+\] {re.escape(LOGGER)}: {MESSAGE_PATTERN}")
LABELS = {"ampho": "Ampho ``PeriodFileHandler``", "standard": "``logging.FileHandler``"}


def make_logger(kind: str, fmt: str, directory: str) -> logging.Logger:
    """The benchmark's logger, with the handler under test alone."""
    handler: logging.Handler
    if kind == "ampho":
        handler = PeriodFileHandler(directory, NAME, when=WHEN)
    else:
        handler = logging.FileHandler(os.path.join(directory, f"{NAME}.log"), encoding="utf-8")
    handler.setFormatter(text_formatter(DEFAULT_MSG_FORMAT) if fmt == "text" else json_formatter())
    logger = logging.getLogger(LOGGER)
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger


def writer(kind: str, fmt: str, directory: str, worker: int, count: int, gates: Any) -> None:
    """One process: set up, wait for the others, write, say so."""
    try:
        logger = make_logger(kind, fmt, directory)
        gates[0].wait()
        for i in range(count):
            logger.info(MESSAGE, i % 997, 0.25 * (i % 40), worker, i)
        gates[1].wait()
        logger.handlers[0].close()
    except BaseException:  # let the parent know now, not at its timeout
        for gate in gates:
            gate.abort()
        raise


def timed_writes(loops: int, kind: str, fmt: str, processes: int) -> float:
    """pyperf's time function: ``loops`` runs, each checked once done."""
    context = multiprocessing.get_context("fork")
    count, total = RECORDS[processes], 0.0
    for _ in range(loops):
        directory = tempfile.mkdtemp(prefix="ampho-bench-logging-")
        gates = (context.Barrier(processes + 1), context.Barrier(processes + 1))
        workers = [
            context.Process(target=writer, args=(kind, fmt, directory, w, count, gates))
            for w in range(processes)
        ]
        for process in workers:
            process.start()
        gates[0].wait(timeout=120)
        start = time.perf_counter()
        gates[1].wait(timeout=300)
        total += time.perf_counter() - start
        for process in workers:
            process.join()
        problem = verify(kind, fmt, directory, processes, count)
        shutil.rmtree(directory, ignore_errors=True)
        if problem or any(process.exitcode for process in workers):
            print(f"ERROR: {kind} {fmt} x{processes}: {problem or 'a writer failed'}")
            sys.exit(1)
    return total


def parse_line(fmt: str, line: str) -> tuple[int, int] | None:
    """The worker and record of one line, or None if it is not one whole record."""
    if fmt == "text":
        found = TEXT_LINE.fullmatch(line)
    else:
        try:
            fields = json.loads(line)
        except ValueError:
            return None
        whose = (fields.get("level"), fields.get("logger")) if isinstance(fields, dict) else ()
        message = str(fields.get("message")) if whose == ("INFO", LOGGER) else ""
        found = re.fullmatch(MESSAGE_PATTERN, message)
    return None if found is None else (int(found.group(1)), int(found.group(2)))


def verify(kind: str, fmt: str, directory: str, processes: int, count: int) -> str | None:
    """Exactly ``processes * count`` lines, each a whole record, each record once."""
    if kind == "standard":
        paths = [Path(directory, f"{NAME}.log")]
    else:  # every period's file (two if the run crossed midnight), not the link
        paths = sorted(p for p in Path(directory).glob(f"{NAME}-*.log") if not p.is_symlink())
    data = b"".join(path.read_bytes() for path in paths)
    lines = data.count(b"\n")
    if lines != processes * count or not data.endswith(b"\n"):
        return f"{lines:,} lines instead of {processes * count:,}"
    seen: Counter[tuple[int, int]] = Counter()
    for number, line in enumerate(data.decode("utf-8").split("\n")[:-1], 1):
        found = parse_line(fmt, line)
        if found is None:
            return f"line {number:,} is not one whole record: {line[:120]!r}"
        seen[found] += 1
    want = {(w, i) for w in range(processes) for i in range(count)}
    if set(seen) != want or max(seen.values()) != 1:
        return f"{len(want - set(seen)):,} records missing, some maybe repeated"
    return None


def section(rates: dict[tuple[str, int, str], float], runner: pyperf.Runner) -> str:
    tables, targets = [], []
    for processes, count in RECORDS.items():
        rows = []
        for fmt, kind in [(f, k) for f in ("text", "JSON") for k in ("ampho", "standard")]:
            rate, standard = (rates[fmt.lower(), processes, k] for k in (kind, "standard"))
            rows.append([fmt, LABELS[kind], f"{rate:,.0f}", f"{rate / standard:.2f}"])
        title = f"{processes} process{'es' * (processes > 1)}"
        ratio = rates["text", processes, "ampho"] / rates["text", processes, "standard"]
        targets.append(f"* Target, text, {title}: {verdict(ratio, TEXT_TARGET, at_most=False)}")
        header = ["Format", "Handler", "records/s", "ratio"]
        tables.append(f"*{title}*, {processes * count:,} records:\n\n{table(header, rows)}")
    args = runner.args
    return f"""
.. _benchmarks-logging:

Writing log files
-----------------

How many records a second :class:`ampho.logging.PeriodFileHandler` writes
(``when='MIDNIGHT'``: one file a day, no switch during a run) next to
:class:`logging.FileHandler` (append), with the same formatter:
``text_formatter(DEFAULT_MSG_FORMAT)`` or ``json_formatter()``. One
process writes {RECORDS[1]:,} records; 4 forked processes, like
Gunicorn workers, write {RECORDS[4]:,} each into the same file or
directory, each with its own handler (4 processes on 2 CPUs: the
machine busy, not more CPUs). pyperf's ``bench_time_func`` times a run
from every writer ready to every writer done, in {args.processes}
worker processes of {args.values} values after {args.warmups} warm-up;
records a second from the median. After every run the files are read
back: exactly the expected lines, each one whole record, every record
once, else the benchmark fails. All runs passed. Target: Ampho's text
handler at least {TEXT_TARGET}x the standard one's records a second.

{machine("python-json-logger")}

{chr(10).join(tables)}
{chr(10).join(targets)}
"""


def main() -> int:
    def forward(command: list[str], args: Any) -> None:
        command.extend(["--quick"] if args.quick else [])

    processes, values = (1, 1) if QUICK else (5, 3)
    runner = pyperf.Runner(processes=processes, values=values, loops=1, add_cmdline_args=forward)
    runner.argparser.add_argument("--quick", action="store_true", help="few records; no page")
    runner.argparser.add_argument("--page", type=Path, help="the page to write")
    runner.parse_args()
    rates = {}
    for fmt in ("text", "json"):
        for processes in RECORDS:
            for kind in ("ampho", "standard"):
                name = f"{kind}-{fmt}-{processes}"
                try:
                    bench = runner.bench_time_func(name, timed_writes, kind, fmt, processes)
                except RuntimeError as error:  # a worker failed its check
                    print(f"ERROR: {name}: {error}", file=sys.stderr)
                    return 1
                if bench is not None:
                    rates[fmt, processes, kind] = processes * RECORDS[processes] / bench.median()
    if not runner.args.worker:
        publish(runner.args, "logging", "logging_throughput.py", section(rates, runner))
    return 0


if __name__ == "__main__":
    sys.exit(main())
