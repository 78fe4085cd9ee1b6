"""Writing one benchmark's section of ``docs/benchmarks.rst``.

Each benchmark owns the part of the page between its two comment
markers and rewrites only that, so the benchmarks can run separately
and the hand-written text around them stays as it is.
"""

from __future__ import annotations

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
