"""What composing settings costs: a load with 1,000 references against the same load without.

Two fixtures of the same size: ``default.json`` with 1,000 parts and
1,000 composed strings, each ``"x-${PARTS.P<i>}-y"`` (one reference), and
the same file with the composed strings written out (``"x-v<i>-y"``).
Both are loaded in this process, ``load(root, bundles=False)``, in
alternation, the median of many loads each; the difference is the time
resolving the references takes. Each result is checked first (every
composed value right, every origin found), or the script exits with
status 1. Writes the ``references`` section of ``docs/benchmarks.rst``.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

from page import arguments, machine, publish, table, verdict

from ampho.config import Config, load

REFERENCES = 1_000
TARGET_MS = 2.0  # resolving them, at most
RUNS = 200


def write(root: Path, *, composed: bool) -> Path:
    parts = {f"P{i}": f"v{i}" for i in range(REFERENCES)}
    strings = {
        f"C{i}": f"x-${{PARTS.P{i}}}-y" if composed else f"x-v{i}-y" for i in range(REFERENCES)
    }
    (root / "instance").mkdir(parents=True)
    text = json.dumps({"PARTS": parts, "COMPOSED": strings}, indent=1)
    (root / "instance" / "default.json").write_text(text, encoding="utf-8")
    return root


def loaded(root: Path) -> Config:
    return load(root, "production", user="bench", host="bench-host", environ={}, bundles=False)


def check(cfg: Config) -> list[str]:
    problems = []
    if cfg["COMPOSED"].to_dict() != {f"C{i}": f"x-v{i}-y" for i in range(REFERENCES)}:
        problems.append("a composed value is wrong")
    if len(cfg.compositions) != REFERENCES:
        problems.append(f"{len(cfg.compositions)} compositions, not {REFERENCES}")
    if str(cfg.references("COMPOSED.C7")[0][1]) != "instance/default.json:10:3":
        problems.append("an origin is wrong")
    return problems


def timed(roots: dict[str, Path], runs: int) -> dict[str, float]:
    """The median ms of a load of each root, the loads alternating."""
    times: dict[str, list[float]] = {name: [] for name in roots}
    for _ in range(runs):
        for name, root in roots.items():
            start = time.perf_counter()
            loaded(root)
            times[name].append((time.perf_counter() - start) * 1000)
    return {name: statistics.median(found) for name, found in times.items()}


def main() -> None:
    args = arguments(__doc__)
    runs = 20 if args.quick else RUNS
    with tempfile.TemporaryDirectory() as scratch:
        roots = {
            "plain": write(Path(scratch) / "plain", composed=False),
            "composed": write(Path(scratch) / "composed", composed=True),
        }
        problems = check(loaded(roots["composed"]))
        if problems:
            raise SystemExit("; ".join(problems))
        ms = timed(roots, runs)
    resolving = ms["composed"] - ms["plain"]
    rows = [
        ["the same settings written out", f"{ms['plain']:.2f}", "1.00"],
        [
            f"{REFERENCES:,} strings of one reference each",
            f"{ms['composed']:.2f}",
            f"{ms['composed'] / ms['plain']:.2f}",
        ],
    ]
    body = f"""
.. _benchmarks-references:

Composed settings
-----------------

What resolving references costs a load (:doc:`composing`): a
``default.json`` of {REFERENCES:,} parts and {REFERENCES:,} strings
``"x-${{PARTS.P<i>}}-y"``, against the same file with the strings written
out, each loaded {runs} times in this process, in alternation
(``load(root, bundles=False)``); the median of each.

{machine()}

{table(["Load", "ms", "ratio"], rows)}
* Resolving {REFERENCES:,} references: {resolving:.2f} ms; target at most
  {TARGET_MS} ms: {verdict(resolving / TARGET_MS, 1.0)}.
* A load with no ``${{`` imports nothing of composition and walks no
  setting to look for one: each file's text is searched once
  (:ref:`benchmarks-cold-start` counts the instructions).
"""
    publish(args, "references", "references.py", body)


if __name__ == "__main__":
    main()
