"""Writing one benchmark's section of ``docs/benchmarks.rst``, and
describing the machine it ran on.

Each benchmark owns the part of the page between its two comment
markers and rewrites only that, so the benchmarks can run separately
and the hand-written text around them stays as it is.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import re
from pathlib import Path

HEADER = (
    ".. _benchmarks:\n\n"
    "Benchmarks\n"
    "==========\n\n"
    "Figures measured by the scripts in ``benchmarks/``; each writes its own\n"
    "section of this page.\n\n"
)


def write_section(path: Path, section: str, start_mark: str, end_mark: str) -> None:
    """Replace the text from ``start_mark`` to ``end_mark`` with ``section``.

    ``section`` starts and ends with the markers itself. Without them on
    the page, it is added at the end; without a page, one is started.
    """
    if not path.exists():
        text = HEADER + section
    else:
        text = path.read_text(encoding="utf-8")
        start = re.search(rf"^{re.escape(start_mark)}$", text, re.M)
        end = re.search(rf"^{re.escape(end_mark)}$", text, re.M)
        if start and end and end.start() > start.start():
            text = text[: start.start()] + section.rstrip("\n") + text[end.end() :]
        else:
            text = text.rstrip("\n") + "\n\n" + section
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# --- the machine, as each page section describes it ---------------------------------


def cpu_name() -> str:
    """The processor's model name, from /proc/cpuinfo where there is one."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load_average() -> str:
    """The load averages, which say how busy the machine was."""
    try:
        return ", ".join(f"{n:.2f}" for n in os.getloadavg())
    except (AttributeError, OSError):
        return "unknown"


def package_version(name: str) -> str:
    """An installed distribution's version, or ``not installed``."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"
