"""How the commands that print origins scale: each against ``config dump`` of the same settings.

A file of 100,000 keys: ``dump --explain`` (every key's origin), ``diff``
(every key differs, with its origin) and ``check`` (every key warned
about, at its line) against a plain ``dump``; and 10,000 ``AMPHO_*``
variables: ``dump --explain`` against ``dump``. Each command's output is
checked first (every origin at the right line, or naming the right
variable), or the script exits with status 1. Whole processes, paired
in hyperfine. Writes the ``origins`` section of ``docs/benchmarks.rst``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from page import (
    HYPERFINE,
    Times,
    arguments,
    hyperfine,
    machine,
    publish,
    rows,
    table,
    verdict,
)

KEYS = 100_000
VARIABLES = 10_000
TARGET = 3.0  # each command at most this many times dump's time
ENV = "development"

#: ``python -m ampho``: the ampho that ``sys.executable`` imports
#: (``PYTHONPATH`` is passed on, to time another copy).
AMPHO = [sys.executable, "-m", "ampho"]

#: The commands timed on the file, by name; the first is the baseline.
FILE_COMMANDS = {
    "dump": ["dump", "--env", ENV],
    "dump --explain": ["dump", "--env", ENV, "--explain"],
    "diff": ["diff", "production", ENV],
    "check": ["check"],
}
#: The commands timed with the variables, by name; the first is the baseline.
ENV_COMMANDS = {"dump (variables)": ["dump"], "dump --explain (variables)": ["dump", "--explain"]}


def write_files(root: Path) -> None:
    """``default.json`` with one key, ``development.json`` with :data:`KEYS`, one a line."""
    instance = root / "instance"
    instance.mkdir(parents=True)
    (instance / "default.json").write_text('{"DEBUG": false}\n', encoding="utf-8")
    lines = ",\n".join(f'  "ITEM_{i:06d}": {i}' for i in range(KEYS))
    (instance / f"{ENV}.json").write_text("{\n" + lines + "\n}\n", encoding="utf-8")


def variables() -> dict[str, str]:
    """:data:`VARIABLES` variables, a hundred to a section: ``AMPHO_S_3__N_42=342``."""
    return {f"AMPHO_S_{i // 100}__N_{i % 100}": str(i) for i in range(VARIABLES)}


def environ(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Ours without ``AMPHO_*``, plus ``extra``; bytecode caches written, as an install has."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith("AMPHO_")}
    keep.pop("PYTHONDONTWRITEBYTECODE", None)
    return {**keep, **(extra or {})}


def run(args: list[str], root: Path, env: dict[str, str]) -> list[str]:
    done = subprocess.run([*AMPHO, *args], cwd=root, env=env, capture_output=True, text=True)
    if done.returncode not in (0, 1) or "Traceback" in done.stderr:
        raise SystemExit(f"ampho {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return done.stdout.splitlines()


def check_file(root: Path) -> list[str]:
    """What differs from the expected output of each command, on the file."""
    env, problems = environ(), []
    key = "ITEM_{:06d}"
    shown = f"instance/{ENV}.json"
    dumped = json.loads("\n".join(run(["config", "dump", "--env", ENV], root, env)))
    if dumped != {"DEBUG": False, **{key.format(i): i for i in range(KEYS)}}:
        problems.append("dump: not the file's settings")
    # Key i is on line i + 2, at column 3.
    explained = run(["config", "dump", "--env", ENV, "--explain"], root, env)
    wanted = [f"{key.format(i)} = {i}  ({shown}:{i + 2}:3)" for i in range(KEYS)]
    if explained[1:] != wanted:
        problems.append("dump --explain: not every key at its line")
    lines = run(["config", "diff", "production", ENV], root, env)
    if lines != [
        line
        for i in range(KEYS)
        for line in (
            key.format(i),
            "  production   (not set)",
            f"  {ENV}  {i}  ({shown}:{i + 2}:3)",
        )
    ]:
        problems.append("diff: not every key with its origin")
    findings = run(["config", "check"], root, env)
    wanted = [
        f"{shown}:{i + 2}:3: warning: {key.format(i)} is not in default.json" for i in range(KEYS)
    ]
    if findings != wanted:
        problems.append(f"check: not a warning at each key's line: {findings[:2]}")
    return problems


def check_variables(root: Path) -> list[str]:
    env = environ(variables())
    lines = run(["config", "dump", "--explain"], root, env)
    wanted = sorted(
        f"S_{i // 100}.N_{i % 100} = {i}  (env AMPHO_S_{i // 100}__N_{i % 100})"
        for i in range(VARIABLES)
    )
    return [] if sorted(lines) == wanted else ["dump --explain: not every variable named"]


def section(files: Times, env: Times, runs: int, size: float) -> str:
    """The page's section: method, fixtures, the two tables, the targets."""
    labels = {name: f"``ampho config {' '.join(args)}``" for name, args in FILE_COMMANDS.items()}
    env_labels = {name: f"``ampho config {' '.join(args)}``" for name, args in ENV_COMMANDS.items()}
    targets = [
        f"* Target, ``{name}``: " + verdict(times[name]["ratio"], TARGET)
        for times, names in ((files, list(FILE_COMMANDS)[1:]), (env, list(ENV_COMMANDS)[1:]))
        for name in names
    ]
    header = ["Command", "ms", "ratio to dump"]
    return f"""
.. _benchmarks-origins:

Origins of many settings
------------------------

How the commands that print where each setting comes from scale, next to
a plain ``config dump`` of the same settings in the same run: finding an
origin must cost about the same whichever key it is, so a command that
prints every key's origin takes a few times as long as one that prints
the keys. Whole processes, ``python -m ampho``, {runs} runs each
({HYPERFINE}); the median wall time and its ratio to ``dump``'s.

{machine()}

A file of {KEYS:,} keys, one a line (``instance/{ENV}.json``, {size:,.0f} KiB,
``default.json`` holding one other key): ``dump --explain`` prints each
key's origin, ``diff production {ENV}`` each key (all differ) with its
origin, ``check`` a warning at each key's line (none is in
``default.json``). Checked before timing: every line of each output is
the expected one, origins at the right line and column.

{table(header, rows(files, labels))}
{VARIABLES:,} ``AMPHO_*`` variables, a hundred to a section
(``AMPHO_S_3__N_42``), and an empty ``default.json``; checked before
timing: ``--explain`` names each key's variable.

{table(header, rows(env, env_labels))}
Target: each at most {TARGET}x ``dump``.

{chr(10).join(targets)}
"""


def main() -> int:
    args = arguments(__doc__)
    runs = 3 if args.quick else 10
    with tempfile.TemporaryDirectory(prefix="ampho-bench-origins-") as tmp:
        files_root, env_root = Path(tmp, "file"), Path(tmp, "variables")
        write_files(files_root)
        (env_root / "instance").mkdir(parents=True)
        (env_root / "instance" / "default.json").write_text("{}\n", encoding="utf-8")
        print("checking the outputs", file=sys.stderr)
        problems = check_file(files_root) + check_variables(env_root)
        for problem in problems:
            print(f"ERROR: {problem}", file=sys.stderr)
        if problems:
            return 1
        size = (files_root / "instance" / f"{ENV}.json").stat().st_size / 1024
        commands = {name: [*AMPHO, "config", *a] for name, a in FILE_COMMANDS.items()}
        files = hyperfine(commands, runs=runs, cwd=files_root, env=environ(), warmup=1)
        commands = {name: [*AMPHO, "config", *a] for name, a in ENV_COMMANDS.items()}
        env = hyperfine(commands, runs=runs, cwd=env_root, env=environ(variables()), warmup=1)
    publish(args, "origins", "origins.py", section(files, env, runs, size))
    return 0


if __name__ == "__main__":
    sys.exit(main())
