"""How many records a second Ampho's log file handler writes.

The benchmark sends a fixed number of records through
:class:`ampho.logging.PeriodFileHandler` and through the standard
:class:`logging.FileHandler`, with the same formatter on both: Ampho's
``text_formatter(DEFAULT_MSG_FORMAT)`` for text lines, Ampho's
``json_formatter()`` for JSON lines. It does so from one process (50,000
records) and from four processes at once (25,000 each), forked like
Gunicorn workers, each with its own handler on the same file (standard)
or directory (Ampho).

Each run writes into a new temporary directory, and afterwards the
files must hold exactly the expected lines, each one whole record and
every record once; if not, the script exits with status 1 and writes
no page. Runs are interleaved so that all variants share the machine's
noise; the medians are printed with the ratios Ampho / standard and
written into ``docs/benchmarks.rst``, between ``.. logging-start`` and
``.. logging-end``. If Ampho's text handler writes less than 0.8 times
as many records a second as the standard one, both are profiled with
:mod:`cProfile` and the heaviest functions are shown.

Ampho's handler also checks, once a second, that its path still names
the file it has open (a file deleted or moved away is followed by a new
one). The runs above include it; since a run lasts about a second, the
check is also timed on its own, many times over, and its cost is shown
as a share of each second and of each record.

Run it with ``python benchmarks/logging_throughput.py`` (``--quick`` for a
smoke run, which writes no page unless ``--output`` is given).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import gc
import json
import logging
import multiprocessing
import os
import platform
import pstats
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from page import cpu_name, load_average, package_version, write_section

from ampho.logging import PeriodFileHandler
from ampho.logging.formatting import json_formatter, text_formatter
from ampho.logging.settings import DEFAULT_MSG_FORMAT

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "docs" / "benchmarks.rst"

#: Records per process, by number of processes.
RECORDS = {1: 50_000, 4: 25_000}
QUICK_RECORDS = {1: 10_000, 4: 5_000}
DEFAULT_RUNS = 9
QUICK_RUNS = 3
MIN_RUNS = 5
SEED = 20261121

#: Ampho's text handler must write at least this share of the standard one's records a second.
TEXT_TARGET = 0.8

FORMATS = ("text", "json")
HANDLERS = ("ampho", "standard")
LABELS = {"ampho": "Ampho PeriodFileHandler", "standard": "logging.FileHandler"}
RST_LABELS = {"ampho": "Ampho ``PeriodFileHandler``", "standard": "``logging.FileHandler``"}
FORMAT_LABELS = {"text": "text", "json": "JSON"}

#: The logger every record goes through, the same for both handlers so
#: that the lines are the same length.
LOGGER = "app.requests"
#: The files' name: ``bench-<day>.log`` (Ampho) or ``bench.log`` (standard).
NAME = "bench"
#: One file a day: no new file starts during a run.
WHEN = "MIDNIGHT"
MESSAGE = "GET /items/%d 200 in %.1f ms [worker %d record %d]"

#: A record's message; group 1 is the worker, group 2 the record.
MESSAGE_PATTERN = r"GET /items/\d+ 200 in [\d.]+ ms \[worker (\d+) record (\d+)\]"
#: A whole text line.
TEXT_LINE = re.compile(
    r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO \[\d+\] "
    + re.escape(LOGGER)
    + ": "
    + MESSAGE_PATTERN
)
JSON_MESSAGE = re.compile(MESSAGE_PATTERN)

#: The page section this script owns; the rest of the page is left alone.
START_MARK = ".. logging-start"
END_MARK = ".. logging-end"

# --------------------------------------------------------------------------
# The work


def make_handler(kind: str, fmt: str, directory: str) -> logging.Handler:
    handler: logging.Handler
    if kind == "ampho":
        handler = PeriodFileHandler(directory, NAME, when=WHEN)
    else:
        handler = logging.FileHandler(os.path.join(directory, f"{NAME}.log"), encoding="utf-8")
    handler.setFormatter(text_formatter(DEFAULT_MSG_FORMAT) if fmt == "text" else json_formatter())
    return handler


def make_logger(handler: logging.Handler) -> logging.Logger:
    """The benchmark's logger, with ``handler`` alone."""
    logger = logging.getLogger(LOGGER)
    for old in list(logger.handlers):
        logger.removeHandler(old)
        old.close()
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    return logger


def write_records(logger: logging.Logger, worker: int, count: int) -> None:
    info = logger.info
    for i in range(count):
        info(MESSAGE, i % 997, 0.25 * (i % 40), worker, i)


def worker_main(
    kind: str, fmt: str, directory: str, worker: int, count: int, barrier: Any, conn: Any
) -> None:
    """One process: set up, wait for the others, write, report CPU time."""
    handler = make_handler(kind, fmt, directory)
    logger = make_logger(handler)
    gc.collect()
    barrier.wait()
    start = time.process_time()
    write_records(logger, worker, count)
    conn.send(time.process_time() - start)
    conn.close()
    logger.removeHandler(handler)
    handler.close()


def run_once(
    context: Any, base: str, kind: str, fmt: str, processes: int, count: int
) -> tuple[float, float, str | None]:
    """Wall time, workers' CPU time and what is wrong with the files (None if nothing).

    The wall time runs from the moment every worker is ready until the
    last one is done.
    """
    directory = tempfile.mkdtemp(prefix=f"{kind}-{fmt}-{processes}-", dir=base)
    barrier = context.Barrier(processes + 1)
    workers, conns = [], []
    for worker in range(processes):
        ours, theirs = context.Pipe(duplex=False)
        process = context.Process(
            target=worker_main,
            args=(kind, fmt, directory, worker, count, barrier, theirs),
            daemon=True,
        )
        process.start()
        theirs.close()
        workers.append(process)
        conns.append(ours)
    try:
        barrier.wait(timeout=120)
        start = time.perf_counter()
        cpu = 0.0
        for conn in conns:
            cpu += conn.recv()
        wall = time.perf_counter() - start
    except Exception as error:  # a worker died: report its exit code
        for process in workers:
            process.join(timeout=5)
        codes = [process.exitcode for process in workers]
        raise SystemExit(
            f"{kind} {fmt} x{processes}: workers failed ({codes}): {error!r}"
        ) from error
    for process in workers:
        process.join()
        if process.exitcode != 0:
            raise SystemExit(f"{kind} {fmt} x{processes}: a worker exited with {process.exitcode}")
    problem = verify(kind, fmt, directory, processes, count)
    shutil.rmtree(directory, ignore_errors=True)
    return wall, cpu, problem


def log_files(kind: str, directory: str) -> list[str]:
    if kind == "standard":
        return [os.path.join(directory, f"{NAME}.log")]
    # Every period's file (two if a run crosses midnight), not the link.
    pattern = re.compile(rf"{re.escape(NAME)}-\d[\d_-]*\.log")
    return sorted(
        os.path.join(directory, name) for name in os.listdir(directory) if pattern.fullmatch(name)
    )


def parse_line(fmt: str, line: str) -> tuple[int, int] | None:
    """The worker and record of one line, or None if it is not one whole record."""
    if fmt == "text":
        found = TEXT_LINE.fullmatch(line)
    else:
        try:
            fields = json.loads(line)
        except ValueError:
            return None
        if not isinstance(fields, dict) or fields.get("level") != "INFO":
            return None
        if fields.get("logger") != LOGGER or not isinstance(fields.get("message"), str):
            return None
        found = JSON_MESSAGE.fullmatch(fields["message"])
    return None if found is None else (int(found.group(1)), int(found.group(2)))


def verify(kind: str, fmt: str, directory: str, processes: int, count: int) -> str | None:
    """Exactly ``processes * count`` lines, each a whole record, each record once."""
    data = b"".join(Path(path).read_bytes() for path in log_files(kind, directory))
    expected = processes * count
    lines = data.count(b"\n")
    if lines != expected:
        return f"{lines:,} lines instead of {expected:,}"
    if not data.endswith(b"\n"):
        return "the last line is not finished"
    seen: Counter[tuple[int, int]] = Counter()
    for number, line in enumerate(data.decode("utf-8").split("\n")[:-1], 1):
        found = parse_line(fmt, line)
        if found is None:
            return f"line {number:,} is not one whole record: {line[:120]!r}"
        seen[found] += 1
    want = {(w, i) for w in range(processes) for i in range(count)}
    if set(seen) != want or max(seen.values()) != 1:
        missing = len(want - set(seen))
        repeated = sum(1 for n in seen.values() if n > 1)
        return f"{missing:,} records missing, {repeated:,} repeated"
    return None


# --------------------------------------------------------------------------
# Timing


def measure(
    runs: int, records: dict[int, int]
) -> tuple[dict[tuple[str, int, str], dict[str, list[float]]], list[str]]:
    """Every variant ``runs`` times after a warm-up, interleaved.

    A round runs the four cases (format x processes) in a shuffled order;
    within a case Ampho and the standard handler run back to back, the
    one going first alternating from round to round. Returns the times
    and what was wrong with the files of any run.
    """
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    context = multiprocessing.get_context(method)
    cases = [(fmt, processes) for fmt in FORMATS for processes in records]
    times: dict[tuple[str, int, str], dict[str, list[float]]] = {
        (fmt, processes, kind): {"wall": [], "cpu": []}
        for fmt, processes in cases
        for kind in HANDLERS
    }
    problems: list[str] = []

    def run(kind: str, fmt: str, processes: int, count: int) -> tuple[float, float]:
        wall, cpu, problem = run_once(context, base, kind, fmt, processes, count)
        if problem is not None:
            message = f"{LABELS[kind]}, {fmt}, {plural(processes)}: {problem}"
            print(f"ERROR: {message}", file=sys.stderr)
            problems.append(message)
        return wall, cpu

    rng = random.Random(SEED)
    base = tempfile.mkdtemp(prefix="ampho-bench-logging-")
    try:
        print("warming up...", file=sys.stderr)
        for fmt, processes in cases:
            for kind in HANDLERS:
                run(kind, fmt, processes, max(1, records[processes] // 5))
        for round_ in range(runs):
            print(f"round {round_ + 1} of {runs}...", file=sys.stderr)
            order = cases[:]
            rng.shuffle(order)
            for index, (fmt, processes) in enumerate(order):
                kinds = HANDLERS if (round_ + index) % 2 == 0 else HANDLERS[::-1]
                for kind in kinds:
                    wall, cpu = run(kind, fmt, processes, records[processes])
                    times[fmt, processes, kind]["wall"].append(wall)
                    times[fmt, processes, kind]["cpu"].append(cpu)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return times, problems


def summarize(
    times: dict[tuple[str, int, str], dict[str, list[float]]], records: dict[int, int]
) -> dict[tuple[str, int], dict[str, Any]]:
    """Per case: each handler's median records a second and CPU time a record, and ratios."""
    cases: dict[tuple[str, int], dict[str, Any]] = {}
    for (fmt, processes, kind), values in times.items():
        total = processes * records[processes]
        rates = [total / wall for wall in values["wall"]]
        case = cases.setdefault((fmt, processes), {"records": total})
        case[kind] = {
            "rate": statistics.median(rates),
            "low": min(rates),
            "high": max(rates),
            "cpu_us": statistics.median(values["cpu"]) / total * 1e6,
            "runs": len(rates),
        }
    for case in cases.values():
        case["ratio"] = case["ampho"]["rate"] / case["standard"]["rate"]
        case["cpu_ratio"] = case["standard"]["cpu_us"] / case["ampho"]["cpu_us"]
    return cases


# --------------------------------------------------------------------------
# The once-a-second file check

#: How many checks are timed in a round, and how many rounds.
CHECKS = 20_000
CHECK_ROUNDS = 7


def measure_check(checks: int = CHECKS, rounds: int = CHECK_ROUNDS) -> dict[str, float]:
    """What one check that the path still names the open file costs, in µs.

    The check is the handler's own (one ``os.stat()`` of the path, its
    device and inode compared with the open file's), on an open handler
    in a temporary directory; the median of ``rounds`` rounds.
    """
    directory = tempfile.mkdtemp(prefix="ampho-bench-check-")
    handler = PeriodFileHandler(directory, NAME, when=WHEN)
    try:
        handler.open()
        check = handler._still_current
        assert check(), "the check must find the open file"
        per_round = []
        for _ in range(rounds):
            start = time.perf_counter()
            for _ in range(checks):
                check()
            per_round.append((time.perf_counter() - start) / checks * 1e6)
    finally:
        handler.close()
        shutil.rmtree(directory, ignore_errors=True)
    return {"us": statistics.median(per_round), "low": min(per_round), "high": max(per_round)}


def check_share(
    check: dict[str, float], cases: dict[tuple[str, int], dict[str, Any]]
) -> dict[str, float]:
    """The check's cost as a share of a second, and per record at the text rate of one process."""
    rate = cases["text", 1]["ampho"]["rate"]
    return {
        "second_share": check["us"] / 1e6,
        "per_record_us": check["us"] / rate,
        "record_share": check["us"] / rate / cases["text", 1]["ampho"]["cpu_us"],
        "rate": rate,
    }


# --------------------------------------------------------------------------
# Profiling


def profile(kind: str, fmt: str, count: int, top: int = 12) -> dict[str, Any]:
    """The heaviest functions (own time) of ``count`` records in this process."""
    directory = tempfile.mkdtemp(prefix="ampho-bench-profile-")
    try:
        handler = make_handler(kind, fmt, directory)
        logger = make_logger(handler)
        profiler = cProfile.Profile()
        profiler.enable()
        write_records(logger, 0, count)
        profiler.disable()
        logger.removeHandler(handler)
        handler.close()
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    stats = pstats.Stats(profiler)
    total = stats.total_tt  # type: ignore[attr-defined]
    rows = []
    raw = stats.stats  # type: ignore[attr-defined]
    for (path, line, function), (_, calls, own, cumulative, _) in sorted(
        raw.items(), key=lambda item: item[1][2], reverse=True
    )[:top]:
        where = "built-in" if path == "~" else f"{short_path(path)}:{line}"
        rows.append(
            {
                "function": function,
                "where": where,
                "calls": calls,
                "own_us": own / count * 1e6,
                "cumulative_us": cumulative / count * 1e6,
                "share": own / total,
            }
        )
    return {"kind": kind, "fmt": fmt, "count": count, "total_us": total / count * 1e6, "rows": rows}


def short_path(path: str) -> str:
    for prefix in (str(ROOT) + os.sep, os.path.dirname(logging.__file__) + os.sep):
        if path.startswith(prefix):
            rest = path[len(prefix) :]
            return rest if prefix.startswith(str(ROOT)) else f"logging/{rest}"
    parts = Path(path).parts
    return "/".join(parts[-2:])


# --------------------------------------------------------------------------
# Reporting


def machine() -> dict[str, str]:
    cpu = cpu_name()
    jsonlogger = package_version("python-json-logger")
    load = load_average()
    return {
        "platform": platform.platform(),
        "cpus": str(os.cpu_count()),
        "cpu": f"{cpu}, {os.cpu_count()} logical CPUs",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "jsonlogger": jsonlogger,
        "filesystem": file_system(tempfile.gettempdir()),
        "load": load,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d"),
    }


def file_system(path: str) -> str:
    """``path (type)``, the type from /proc/mounts where there is one."""
    real = os.path.realpath(path)
    best, kind = "", "unknown file system"
    try:
        with open("/proc/mounts", encoding="utf-8") as f:
            for line in f:
                fields = line.split()
                point = fields[1]
                inside = real == point or real.startswith(point.rstrip("/") + "/")
                if inside and len(point) >= len(best):
                    best, kind = point, fields[2]
    except (OSError, IndexError):
        pass
    return f"{path} ({kind})"


def target_lines(cases: dict[tuple[str, int], dict[str, Any]]) -> list[str]:
    lines = []
    for (fmt, processes), case in sorted(cases.items(), key=lambda item: item[0][1]):
        if fmt != "text":
            continue
        met = "met" if case["ratio"] >= TEXT_TARGET else "MISSED"
        lines.append(
            f"Target text >= {TEXT_TARGET}x the standard handler, {plural(processes)}:"
            f" {case['ratio']:.2f}x, {met}"
        )
    return lines


def target_met(cases: dict[tuple[str, int], dict[str, Any]]) -> bool:
    return all(case["ratio"] >= TEXT_TARGET for (fmt, _), case in cases.items() if fmt == "text")


def plural(processes: int) -> str:
    return "1 process" if processes == 1 else f"{processes} processes"


def ordered(cases: dict[tuple[str, int], dict[str, Any]]) -> list[tuple[str, int]]:
    return sorted(cases, key=lambda key: (key[1], FORMATS.index(key[0])))


def print_report(results: dict[str, Any]) -> None:
    cases = results["cases"]
    print(
        f"\nMedian of {results['runs']} runs; records a second (lowest-highest),"
        " CPU time a record, ratio Ampho / standard"
    )
    print(
        f"  {'case':22}{'handler':26}{'records/s':>11}  {'range':>17}"
        f"  {'CPU us/rec':>10}  {'ratio':>6}"
    )
    for key in ordered(cases):
        fmt, processes = key
        case = cases[key]
        for kind in HANDLERS:
            cell = case[kind]
            ratio = f"{case['ratio']:5.2f}x" if kind == "ampho" else ""
            name = f"{FORMAT_LABELS[fmt]}, {plural(processes)}" if kind == "ampho" else ""
            print(
                f"  {name:22}{LABELS[kind]:26}{cell['rate']:11,.0f}"
                f"  {cell['low']:8,.0f}-{cell['high']:<8,.0f}"
                f"  {cell['cpu_us']:10.2f}  {ratio:>6}"
            )
    print("\nCPU time a record, standard / Ampho (above 1: Ampho uses less):")
    for key in ordered(cases):
        fmt, processes = key
        print(f"  {FORMAT_LABELS[fmt]}, {plural(processes)}: {cases[key]['cpu_ratio']:.2f}")
    check = results["check"]
    share = check_share(check, cases)
    print(
        f"\nThe once-a-second file check: {check['us']:.2f} us"
        f" ({check['low']:.2f}-{check['high']:.2f}), {share['second_share']:.5%} of each second;"
        f" at {share['rate']:,.0f} records a second, {share['per_record_us'] * 1000:.3f} ns"
        f" a record ({share['record_share']:.5%} of a record's CPU time)"
    )
    print()
    for line in target_lines(cases):
        print(line)
    for found in results.get("profiles", []):
        print(
            f"\nProfile: {LABELS[found['kind']]}, {found['fmt']}, {found['count']:,} records"
            f" in this process, {found['total_us']:.2f} us a record under cProfile"
        )
        print(f"  {'own us/rec':>10}  {'share':>6}  {'cum us/rec':>10}  {'calls':>9}  function")
        for row in found["rows"]:
            print(
                f"  {row['own_us']:10.2f}  {row['share']:6.1%}  {row['cumulative_us']:10.2f}"
                f"  {row['calls']:9,}  {row['function']} ({row['where']})"
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
    cases = results["cases"]
    records = results["records"]
    many = max(records)
    lines = [
        START_MARK,
        "",
        ".. This section is written by benchmarks/logging_throughput.py; edits are lost.",
        "",
        ".. _benchmarks-logging:",
        "",
        *heading("Writing log files", "-"),
        "How many records a second Ampho's file handler,",
        ":class:`ampho.logging.PeriodFileHandler`, writes in text and in JSON, next to",
        "the standard :class:`logging.FileHandler` with the same formatter, from",
        f"one process and from {many} processes writing at once. Written by",
        "``python benchmarks/logging_throughput.py``.",
        "",
        *heading("Machine", "~"),
        f"* Platform: {info['platform']}",
        f"* CPU: {info['cpu']}",
        f"* Python: {info['python']}",
        f"* Libraries: python-json-logger {info['jsonlogger']}",
        f"* Temporary directory: {info['filesystem']}",
        f"* Load average when the run started: {info['load']}",
        f"* Date: {info['date']}",
        "",
        *heading("Method", "~"),
        "* A logger of its own (``propagate = False``, level ``INFO``) with only",
        "  the handler under test, and the same formatter on both handlers:",
        "  ``text_formatter(DEFAULT_MSG_FORMAT)`` for text",
        f"  (``{DEFAULT_MSG_FORMAT}``),",
        "  ``json_formatter()`` for JSON.",
        f"* Ampho: ``PeriodFileHandler(directory, {NAME!r}, when={WHEN!r})``, as",
        "  with ``LOG_FILES_WHEN = midnight``: one file a day, so no new file",
        "  starts during a run (a run crossing midnight would write two, and",
        "  the check reads both). Standard:",
        "  ``logging.FileHandler(path, encoding='utf-8')``, which appends.",
        f'* Each record: ``logger.info("{MESSAGE}", ...)``.',
        f"* One process writes {records[1]:,} records. {many} processes,"
        f" {'forked' if sys.platform.startswith('linux') else 'started'} like",
        f"  Gunicorn workers, write {records[many]:,} each, every one with its own",
        "  handler on the same file (standard) or directory (Ampho). The workers",
        "  set up and wait for each other; the time runs from then until the",
        f"  last one is done. With {many} processes on {info['cpus']} CPUs the figures",
        "  show what the machine does with all its CPUs busy, not what more",
        "  CPUs would do.",
        f"* {results['runs']} rounds after a warm-up. A round runs the four cases",
        "  (format and number of processes) in a shuffled order, Ampho and the",
        "  standard handler back to back, the one going first alternating, so",
        "  that both share the machine's noise. The tables show the median of",
        "  the rounds and the lowest and highest; the ratio is Ampho's median",
        "  over the standard handler's.",
        "* CPU time is the workers' own (user and system) per record, which",
        "  other work on the machine disturbs less than the wall time.",
        "* After every run the files are read back: they must hold exactly the",
        "  expected number of lines, each line one whole record, every record",
        "  once, or the script fails. All runs passed.",
        "",
        f"Target: Ampho's text handler writes at least {TEXT_TARGET} times as many",
        "records a second as the standard handler.",
        "",
        *heading("Results", "~"),
    ]
    header = ["Format", "Handler", "records/s", "lowest-highest", "ratio", "CPU µs a record"]
    for processes in sorted(records):
        title = "One process" if processes == 1 else f"{processes} processes"
        total = processes * records[processes]
        lines += [f"*{title}*, {total:,} records:", ""]
        rows = []
        for fmt in FORMATS:
            case = cases[fmt, processes]
            for kind in HANDLERS:
                cell = case[kind]
                ratio = f"{case['ratio']:.2f}" if kind == "ampho" else "1.00"
                rows.append(
                    [
                        FORMAT_LABELS[fmt],
                        RST_LABELS[kind],
                        f"{cell['rate']:,.0f}",
                        f"{cell['low']:,.0f}-{cell['high']:,.0f}",
                        ratio,
                        f"{cell['cpu_us']:.2f}",
                    ]
                )
        lines += rst_table(header, rows, "10 28 14 22 10 16")
    lines += [f"* {line}" for line in target_lines(cases)]
    lines += [""]
    check = results["check"]
    share = check_share(check, cases)
    lines += [
        *heading("The file check", "~"),
        "Once a second, at the first record of the second, Ampho's handler checks",
        "that its path still names the file it has open, so that a file deleted or",
        "moved away (logrotate's ``create`` mode) is followed by a new one",
        "(:ref:`logging-faults`). The runs above include it, but a run lasts about",
        "a second, so the check is also timed on its own: the handler's own check,",
        f"{CHECKS:,} times in each of {CHECK_ROUNDS} rounds, on an open handler in the",
        "temporary directory.",
        "",
        f"* One check (an ``os.stat()`` of the path): {check['us']:.2f} µs, median of",
        f"  the rounds ({check['low']:.2f}-{check['high']:.2f}).",
        f"* Once a second, that is {share['second_share']:.5%} of each second of one",
        "  process.",
        f"* At the {share['rate']:,.0f} records a second of one process writing text,",
        f"  it is {share['per_record_us'] * 1000:.2f} ns a record, {share['record_share']:.5%}",
        "  of a record's CPU time: nothing the throughput figures can show.",
        "",
    ]
    profiles = results.get("profiles", [])
    if profiles:
        lines += [
            *heading("Where the time goes", "~"),
            ("The target was missed, so both" if not target_met(cases) else "Both")
            + " text handlers were run under :mod:`cProfile` in one process,",
            f"{records[1]:,} records each; the heaviest functions by their own time,",
            "in µs a record (cProfile slows everything down):",
            "",
        ]
        for found in profiles:
            lines += [f"{RST_LABELS[found['kind']]}, {found['total_us']:.2f} µs a record:", ""]
            rows = [
                [
                    f"``{row['function']}`` ({row['where']})",
                    f"{row['own_us']:.2f}",
                    f"{row['share']:.0%}",
                    f"{row['cumulative_us']:.2f}",
                ]
                for row in found["rows"]
            ]
            lines += rst_table(
                ["Function", "own µs", "share", "cumulative µs"], rows, "52 16 16 16"
            )
    lines += [END_MARK]
    return "\n".join(lines) + "\n"


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
        help=f"a smoke run: {QUICK_RUNS} rounds of fewer records, no page unless --output",
    )
    parser.add_argument(
        "--output",
        type=Path,
        help=f"the page to write (default {DEFAULT_OUTPUT.relative_to(ROOT)})",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="profile the handlers even when the target is met",
    )
    args = parser.parse_args(argv)
    runs = QUICK_RUNS if args.quick else args.runs
    records = QUICK_RECORDS if args.quick else RECORDS
    output = args.output if args.output or args.quick else DEFAULT_OUTPUT
    if runs < 1:
        parser.error("--runs must be at least 1")
    if runs < MIN_RUNS and not args.quick:
        print(f"warning: --runs {runs}: the page asks for at least {MIN_RUNS}", file=sys.stderr)

    started = time.perf_counter()
    results: dict[str, Any] = {"machine": machine(), "runs": runs, "records": records}
    times, problems = measure(runs, records)
    results["cases"] = summarize(times, records)
    print("timing the file check...", file=sys.stderr)
    results["check"] = measure_check()
    if args.profile or not target_met(results["cases"]):
        print("profiling...", file=sys.stderr)
        results["profiles"] = [profile(kind, "text", records[1]) for kind in HANDLERS]
    print_report(results)
    print(f"\n{time.perf_counter() - started:.0f} s in all")
    if problems:
        print(f"\n{len(problems)} run(s) left wrong files: no page written.")
        for problem in problems:
            print(f"  {problem}")
        return 1
    if output is not None:
        write_page(output, rst_section(results))
        print(f"\nwrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
