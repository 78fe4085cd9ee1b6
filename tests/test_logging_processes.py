"""Many processes writing through Ampho's handler while the files roll over.

Four writers, each a fresh interpreter running a small script, call
``setup(load(root))`` with ``LOG_FILES_WHEN = "S"`` and no console, and
log numbered lines until their own clock (``time.time()``) has entered
a fifth second, so that every run spans four one-second periods and
three rollovers. A writer writes at most ``PER_SECOND`` lines a second,
as fast as it can from the second's start, so all four burst into each
new file at once, where the rollover is contended. Then
every period file is read: each line of each writer must be there
exactly once, whole (its padding has a length and letter fixed by its
number and writer), from that writer's process, in the file of its own
second. In text and in JSON.
"""

from __future__ import annotations

import collections
import datetime
import json
import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

WRITERS = 4
#: A writer stops once this many distinct seconds have begun; the last is not written in.
PERIODS = 5
#: Whatever the clock does, no writer writes longer than this.
MAX_SECONDS = 5.5
#: Lines a writer writes in one second at most, so that the check stays quick.
#: Every writer then starts each second with a burst: the rollover is contended.
PER_SECOND = 4000

WRITER = f"""
    import logging
    import sys
    import time

    from ampho.config import load
    from ampho.logging import setup

    worker = int(sys.argv[1])
    setup(load(sys.argv[2], user="u", host="h", environ={{}}), name="multi")
    log = logging.getLogger("writer")
    letter = "abcdefghij"[worker]
    seconds = {{}}
    n = 0
    start = time.time()
    while True:
        now = time.time()
        second = int(now)
        written = seconds.setdefault(second, 0)
        if len(seconds) >= {PERIODS} or now - start > {MAX_SECONDS}:
            break
        if written >= {PER_SECOND}:
            continue
        log.info("w%d n%d %s", worker, n, letter * (20 + n % 300))
        seconds[second] = written + 1
        n += 1
    print(n, len(seconds))
"""

MESSAGE = re.compile(r"w(?P<worker>\d) n(?P<n>\d+) (?P<padding>[a-j]+)")
TEXT_LINE = re.compile(
    r"(?P<second>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),\d{3} INFO \[(?P<pid>\d+)\] writer: "
    r"(?P<message>.*)"
)
PERIOD_FILE = re.compile(r"multi-(?P<period>\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d)\.log")
PERIOD_FORMAT = "%Y-%m-%d_%H-%M-%S"


def _environ(tmp_path: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": str(tmp_path),
        "USER": "u",
        "HOSTNAME": "h",
        "XDG_STATE_HOME": str(tmp_path / "state"),
    }


def _parse(line: str, fmt: str) -> tuple[int, str, float, float]:
    """``(pid, message, earliest, latest)`` of one line: its time as a range."""
    if fmt == "json":
        obj = json.loads(line)
        assert (obj["level"], obj["logger"]) == ("INFO", "writer"), line
        stamp = datetime.datetime.fromisoformat(obj["timestamp"])
        assert stamp.utcoffset() == datetime.timedelta(0), line
        # Microseconds are rounded: the last one of a second may read as the next.
        return obj["process"], obj["message"], stamp.timestamp() - 1e-6, stamp.timestamp()
    match = TEXT_LINE.fullmatch(line)
    assert match is not None, f"not a whole line: {line!r}"
    second = time.mktime(time.strptime(match["second"], "%Y-%m-%d %H:%M:%S"))
    return int(match["pid"]), match["message"], second, second + 0.999999


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_processes_rolling_over_every_second_lose_and_mangle_no_line(
    tmp_path: Path, fmt: str
) -> None:
    root = tmp_path / "root"
    (root / "instance").mkdir(parents=True)
    settings = {
        "LOG_FILES_WHEN": "S",
        "LOG_CONSOLE": False,
        "LOG_FILES_FORMAT": fmt,
        "LOG_FILES_BACKUP_COUNT": 100,
    }
    (root / "instance" / "default.json").write_text(json.dumps(settings))
    script = tmp_path / "writer.py"
    script.write_text(textwrap.dedent(WRITER))

    writers = [
        subprocess.Popen(
            [sys.executable, str(script), str(worker), str(root)],
            cwd=tmp_path,
            env=_environ(tmp_path),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for worker in range(WRITERS)
    ]
    results = []
    try:
        for writer in writers:
            out, err = writer.communicate(timeout=30)
            assert writer.returncode == 0, err
            assert err == ""  # no handler error, no traceback
            count, seconds = map(int, out.split())
            results.append((writer.pid, count))
            assert seconds == PERIODS, f"writer stopped by its time bound: {out}"
    finally:
        for writer in writers:
            if writer.poll() is None:
                writer.kill()
                writer.wait()

    log_dir = root / "log"
    files = {}
    for path in log_dir.iterdir():
        if path.name == "multi.log":
            assert path.is_symlink()
            continue
        match = PERIOD_FILE.fullmatch(path.name)
        assert match is not None, f"unexpected file {path.name}"
        files[match["period"]] = path
    # Several rollovers happened while everyone wrote.
    assert len(files) >= PERIODS - 1, sorted(files)
    assert (log_dir / os.readlink(log_dir / "multi.log")).exists()

    numbers: dict[int, list[int]] = collections.defaultdict(list)
    for period, path in files.items():
        start = time.mktime(time.strptime(period, PERIOD_FORMAT))
        data = path.read_text(encoding="utf-8")
        # Empty is whole: setup() opens its second's file before the first line.
        assert data == "" or data.endswith("\n"), f"{path.name} ends with a partial line"
        for line in data.split("\n")[:-1]:
            pid, message, earliest, latest = _parse(line, fmt)
            match = MESSAGE.fullmatch(message)
            assert match is not None, f"not a whole message: {line!r}"
            worker, n = int(match["worker"]), int(match["n"])
            assert match["padding"] == "abcdefghij"[worker] * (20 + n % 300), line
            assert pid == results[worker][0], line
            # In the file of its own second.
            assert start <= latest and earliest < start + 1, (path.name, line)
            numbers[worker].append(n)

    for worker, (_, count) in enumerate(results):
        got = numbers[worker]
        duplicated = [n for n, k in collections.Counter(got).items() if k > 1]
        assert not duplicated, f"writer {worker}: {len(duplicated)} lines twice"
        missing = set(range(count)) - set(got)
        assert not missing, f"writer {worker}: {len(missing)} of {count} lines missing"
        assert len(got) == count
    assert sum(len(v) for v in numbers.values()) == sum(c for _, c in results)
