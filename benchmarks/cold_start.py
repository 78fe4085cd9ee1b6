"""Cold starts of the installed package, each against a floor script.

``import ampho.config`` and ``load()`` on the 2,000-leaf fixture of
``config_load.py``, with ``-X importtime`` to show where the time goes,
and ``ampho config get KEY`` on a copy of ``examples/hello-world``; both
in hyperfine, from a temporary directory. Stops with status 1 when
``ampho`` would be imported from the checkout (an editable install):
``tox -e bench`` installs the wheel. Writes the ``cold-start`` section.
"""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import config_load
import page
from page import HYPERFINE, ROOT, Times, callgrind, hyperfine, processes, rows, table, verdict

LOAD_TARGET = 1.15  # python -c "import ampho.config; load()" / floor
GET_TARGET = 3.0  # ampho config get / floor
KEY = "MAIL.SERVER"
#: Imports alone, counted to show what typing and deepmerge's own modules cost.
IMPORTS = {"json": "import json", "json-typing": "import json, typing"}
IMPORTS["json-deepmerge"] = "import json, deepmerge"
IMPORTTIME_RUNS = 9
TOP = 12

#: ``import time: self | cumulative | module``, the module indented by depth.
IMPORT_LINE = re.compile(r"^import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)$", re.M)

GET_FLOOR = (
    config_load.FLOOR
    + """
if __name__ == "__main__":
    import sys
    files = [os.path.join("instance", n) for n in ("default.json", "production.json")]
    node = load_floor(files, os.environ)
    for key in sys.argv[1].split("."):
        node = node[key]
    print(node if isinstance(node, str) else json.dumps(node))
"""
)


def load_code(fixture: dict[str, object]) -> str:
    options = f"user={config_load.USER!r}, host={config_load.HOST!r}"
    return (
        f"import ampho.config; ampho.config.load({fixture['root']!r}, {config_load.ENV!r},"
        f" {options}).lookup('DATABASE.HOST')"
    )


def imported_from(cwd: Path, env: dict[str, str]) -> Path:
    """Where a child started like the timed ones imports ``ampho`` from."""
    command = [sys.executable, "-c", "import ampho; print(ampho.__file__)"]
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return Path(done.stdout.strip()).resolve()


def self_times(command: list[str], cwd: Path, env: dict[str, str]) -> dict[str, float]:
    """Each module's self time in µs under ``-X importtime``, median of the runs."""
    seen: dict[str, list[int]] = {}
    for _ in range(IMPORTTIME_RUNS):
        argv = [command[0], "-X", "importtime", *command[1:]]
        done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=True)
        for micros, module in IMPORT_LINE.findall(done.stderr):
            seen.setdefault(module, []).append(int(micros))
    return {module: statistics.median(values) for module, values in seen.items()}


def where_time_goes(floor: list[str], ampho: list[str], cwd: Path, env: dict[str, str]) -> str:
    """The imports the ampho script makes beyond the floor's, heaviest first,
    each with what brings it: deepmerge's import, Ampho's own, or neither."""
    below = self_times(floor, cwd, env)
    typing = self_times([floor[0], "-c", IMPORTS["json-typing"]], cwd, env)
    deepmerge = self_times([floor[0], "-c", IMPORTS["json-deepmerge"]], cwd, env)
    extra = {m: us for m, us in self_times(ampho, cwd, env).items() if m not in below}
    by = {m: "ampho" if m.split(".")[0] == "ampho" else "other" for m in extra}
    by |= {m: "deepmerge" for m in extra if m in deepmerge}
    by |= {m: "typing" for m in extra if m in typing}
    heaviest = sorted(extra.items(), key=lambda item: -item[1])[:TOP]
    found = [[f"``{m}``", by[m], f"{us:,.0f}"] for m, us in heaviest]
    for group in ("typing", "deepmerge", "ampho", "other", "any"):
        modules = [us for m, us in extra.items() if group in (by[m], "any")]
        found.append([f"{len(modules)} modules in all", group, f"{sum(modules):,.0f}"])
    return table(["Module (self time)", "imported by", "µs"], found)


def cold_load(base: Path, runs: int) -> tuple[Times, dict[str, int], str]:
    """Wall times and instruction counts of the load against the floors, and
    where the time goes."""
    fixture = config_load.write_fixture(base, config_load.SIZES[0])
    env = config_load.child_environ()
    where = imported_from(base, env)
    if where.is_relative_to(ROOT / "ampho"):
        raise SystemExit(
            f"ERROR: the children import ampho from the checkout ({where}), not an installed"
            " package; run `tox -e bench`, which installs the wheel"
        )
    floor = fixture["scripts"]["floor"]
    ampho = [sys.executable, "-c", load_code(fixture)]
    commands = {"floor": floor, "deepmerge": fixture["scripts"]["deepmerge"], "ampho": ampho}
    times = hyperfine(commands, runs=runs, cwd=base, env=env, warmup=3)
    commands |= {name: [sys.executable, "-c", code] for name, code in IMPORTS.items()}
    counts = {name: callgrind(command, cwd=base, env=env) for name, command in commands.items()}
    return times, counts, where_time_goes(floor, ampho, base, env)


def config_get(base: Path, runs: int) -> Times:
    """``ampho config get KEY`` against the floor; both must print the same value."""
    root = base / "hello-world"
    ignore = shutil.ignore_patterns("__pycache__", "log", "secret_key", "*.db")
    shutil.copytree(ROOT / "examples" / "hello-world", root, ignore=ignore)
    (root / "get_floor.py").write_text(GET_FLOOR, encoding="utf-8")
    env = processes.server_environment(base / "home")
    commands = {
        "floor": [sys.executable, "get_floor.py", KEY],
        "ampho": [*processes.AMPHO, "config", "get", KEY],
        "pass": [sys.executable, "-c", "pass"],
    }
    printed = {}
    for name in ("floor", "ampho"):
        done = subprocess.run(commands[name], cwd=root, env=env, capture_output=True, text=True)
        printed[name] = (done.returncode, done.stdout)
    if printed["floor"] != printed["ampho"] or printed["floor"][0]:
        raise SystemExit(f"ERROR: config get and the floor differ: {printed}")
    return hyperfine(commands, runs=runs, cwd=root, env=env, warmup=3)


def load_table(times: Times, counts: dict[str, int]) -> str:
    """Times and instruction counts, then what deepmerge's import takes of the target."""
    labels = {"floor": "floor script", "deepmerge": "floor script, merged by deepmerge"}
    labels |= {"ampho": "``import ampho.config`` and ``load()``"}
    labels |= {name: f"``python -c '{code}'``" for name, code in IMPORTS.items()}
    floor, ampho = counts["floor"], counts["ampho"]
    found = []
    for name, label in labels.items():
        timed = times.get(name)
        wall = [f"{timed['ms']:.1f}", f"{timed['ratio']:.2f}"] if timed else ["not timed"] * 2
        found.append([label, *wall, f"{counts[name] / 1e6:.1f}", f"{counts[name] / floor:.2f}"])
    typing = counts["json-typing"] - counts["json"]
    own = counts["json-deepmerge"] - counts["json-typing"]  # deepmerge's own modules
    wall = times["ampho"]["ms"] / times["deepmerge"]["ms"]
    return table(["Command", "ms", "ratio", "M instructions", "ratio"], found) + (
        f"\n* Target, ampho / floor: {verdict(times['ampho']['ratio'], LOAD_TARGET)}\n"
        f"* Ampho against the floor merged by deepmerge: {wall:.2f}x in wall time,"
        f" {ampho / counts['deepmerge']:.2f}x in instructions.\n"
        f"* :mod:`typing`, which deepmerge and Ampho both import: {typing / 1e6:.1f} M"
        f" instructions ({typing / floor:.0%} of the floor's); deepmerge's own modules:"
        f" {own / 1e6:.1f} M; the target leaves {(LOAD_TARGET - 1) * floor / 1e6:.1f} M.\n"
        f"* Ampho's count less deepmerge's own modules: {(ampho - own) / floor:.2f}x the floor's.\n"
    )


def section(load: tuple[Times, dict[str, int], str], get: Times, runs: int) -> str:
    times, counts, imports = load
    get_labels = {"pass": "``python -c pass``", "floor": "floor script"}
    get_labels["ampho"] = f"``ampho config get {KEY}``"
    return f"""
.. _benchmarks-cold-start:

Cold starts of the installed package
------------------------------------

What a fresh process pays to use Ampho once, as a script or a
deployment hook does, against a floor script doing the same work with
:mod:`json` and :mod:`os` only. Both sides paired in hyperfine, {runs}
runs each ({HYPERFINE}); the median wall time and its ratio to the
floor's. Ampho is the installed wheel (``tox -e bench``), run from a temporary
directory, so the checkout is not on ``sys.path``; the benchmark stops
if ``ampho.__file__`` lies in the checkout.

{page.machine("deepmerge", "flask", "click")}

*Loading the configuration*: the 2,000-leaf fixture of the section
above, ``python -c "import ampho.config; ampho.config.load(root,
'production', user=..., host=...)"`` against the floor script, and
against the floor with its merge done by deepmerge, as Ampho's is. Each
command is also run once under ``valgrind --tool=callgrind``, whose
count of instructions does not depend on what else the machine is
doing; the imports alone are counted too.

{load_table(times, counts)}
Where the time goes: ``python -X importtime`` of both commands (median
of {IMPORTTIME_RUNS} runs, importtime's own bookkeeping included), the
modules the ampho command imports and the floor does not, by self time.
*typing* marks those that ``python -c 'import json, typing'`` imports as
well, which deepmerge and Ampho both need; *deepmerge* those that
``import json, deepmerge`` adds to them; *ampho* Ampho's own modules:

{imports}
*Reading one setting*: ``ampho config get {KEY}`` in a copy of
``examples/hello-world`` against a floor script that merges its
``default.json`` and ``production.json`` and prints the same value
(checked before timing).

{table(["Command", "ms", "ratio"], rows(get, get_labels))}
* Target, ampho / floor: {verdict(get["ampho"]["ratio"], GET_TARGET)}
"""


def main() -> int:
    args = page.arguments(__doc__)
    runs = 3 if args.quick else 20
    with tempfile.TemporaryDirectory(prefix="ampho-bench-cold-") as tmp:
        load = cold_load(Path(tmp), runs)
        get = config_get(Path(tmp), runs)
    page.publish(args, "cold-start", "cold_start.py", section(load, get, runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
