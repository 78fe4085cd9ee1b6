"""How fast ``ampho.config.load()`` is, next to a floor, Dynaconf and pydantic-settings.

Seeded layered configurations of 2,000 and 20,000 leaves; every approach
must first give the floor's settings (ampho's differences fail the run).
hyperfine times fresh processes, ``pyperf timeit`` the load in process.
Writes the ``config-load`` section of ``docs/benchmarks.rst``.
"""

from __future__ import annotations

import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from page import HYPERFINE, Times, arguments, hyperfine, machine, publish, table, verdict

SIZES = (2_000, 20_000)
USER, HOST, ENV = "bench", "bench-host", "production"
SEED = 20240611
COLD_TARGET = 1.3  # a fresh process, ampho / floor
WARM_TARGET = 1.5  # load() in process on 20,000 leaves, ampho / floor
SCHEMA_NAME = "bench/schema.json"

#: A top-level boolean, nested keys, a JSON list and a string JSON cannot read.
ENV_OVERRIDES = {
    "AMPHO_DEBUG": "false",
    "AMPHO_DATABASE__HOST": "db.internal.example.com",
    "AMPHO_DATABASE__POOL__SIZE": "32",
    "AMPHO_CACHE__SERVERS": '["cache-1:11211", "cache-2:11211"]',
    "AMPHO_SECRET_KEY": "s3cr3t-from-the-environment",
}

# --- the fixture ------------------------------------------------------------------------

LEAF_WORDS = (
    "HOST", "PORT", "TIMEOUT", "RETRIES", "ENABLED", "NAME", "URL", "PATH", "USER",
    "LEVEL", "SIZE", "LIMIT", "MODE", "PREFIX", "TTL", "REGION", "BUCKET", "QUEUE",
    "WORKERS", "FORMAT", "INTERVAL", "THRESHOLD", "BACKEND", "TAGS", "LABEL",
)  # fmt: skip
GROUP_WORDS = (
    "CLIENT", "SERVER", "LIMITS", "RETRY", "AUTH", "STORAGE", "METRICS", "PROXY",
    "SCHEDULE", "OPTIONS", "FEATURES", "ALERTS",
)  # fmt: skip
SECTION_WORDS = (
    "SERVICE", "FEATURE", "INTEGRATION", "WORKER", "PLUGIN", "REPORT", "TENANT", "JOB",
)  # fmt: skip


def make_value(rng: random.Random) -> Any:
    """A leaf: mostly strings and numbers, some booleans, lists and nulls."""
    kind = rng.random()
    if kind < 0.35:
        prefix = rng.choice(("https://", "redis://", "", "/var/lib/"))
        letters = "abcdefghijklmnopqrstuvwxyz-."
        return prefix + "".join(rng.choice(letters) for _ in range(rng.randint(4, 24)))
    if kind < 0.60:
        return rng.randint(0, 100_000)
    if kind < 0.75:
        return rng.random() < 0.5
    if kind < 0.82:
        return round(rng.uniform(0, 100), 3)
    if kind < 0.97:
        if rng.random() < 0.5:
            return [rng.randint(0, 1000) for _ in range(rng.randint(1, 4))]
        return [f"item-{rng.randint(0, 999)}" for _ in range(rng.randint(1, 4))]
    return None


def make_leaves(rng: random.Random, count: int) -> dict[str, Any]:
    return {f"{rng.choice(LEAF_WORDS)}_{i}": make_value(rng) for i in range(count)}


def make_default(rng: random.Random, leaves: int) -> dict[str, Any]:
    """``default.json``: well-known sections, then generated ones up to ``leaves``."""
    data: dict[str, Any] = {
        "DEBUG": True,
        "SECRET_KEY": "change-me",
        "DATABASE": {
            "HOST": "localhost",
            "PORT": 5432,
            "NAME": "app",
            "USER": "app",
            "PASSWORD": "app",
            "POOL": {"SIZE": 5, "TIMEOUT": 30, "RECYCLE": 3600, "PRE_PING": True},
        },
        "CACHE": {"TYPE": "memcached", "SERVERS": ["localhost:11211"], "DEFAULT_TIMEOUT": 300},
        "MAIL": {"SERVER": "localhost", "PORT": 25, "USE_TLS": False, "SENDER": "app@localhost"},
    }
    budget = leaves - len(leaf_values(data))
    index = 0
    while budget > 0:
        section: dict[str, Any] = {}
        for g in range(rng.randint(2, 6)):
            if budget <= 0:
                break
            take = min(budget, rng.randint(5, 25))
            group = make_leaves(rng, take)
            budget -= take
            if budget > 0 and rng.random() < 0.3:
                take = min(budget, rng.randint(3, 10))
                group[f"{rng.choice(GROUP_WORDS)}_{g}_SUB"] = make_leaves(rng, take)
                budget -= take
            section[f"{rng.choice(GROUP_WORDS)}_{g}"] = group
        data[f"{rng.choice(SECTION_WORDS)}_{index:03d}"] = section
        index += 1
    return data


def leaf_values(data: dict[str, Any], prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    """Every leaf (anything but a non-empty object) by its key path."""
    found: dict[tuple[str, ...], Any] = {}
    for key, value in data.items():
        if isinstance(value, dict) and value:
            found.update(leaf_values(value, (*prefix, key)))
        else:
            found[(*prefix, key)] = value
    return found


def set_path(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        data = data.setdefault(key, {})
    data[path[-1]] = value


def make_layer(
    rng: random.Random, paths: list[tuple[str, ...]], share: float, extra: dict[str, Any]
) -> dict[str, Any]:
    """An upper layer changing ``share`` of the leaves, plus ``extra``."""
    layer: dict[str, Any] = {}
    for path in sorted(rng.sample(paths, max(1, round(len(paths) * share)))):
        set_path(layer, path, make_value(rng))
    for key, value in extra.items():
        set_path(layer, tuple(key.split(".")), value)
    return layer


#: The leaves the schema types, beside declaring every section an object.
SCHEMA_LEAVES = (
    "DEBUG", "SECRET_KEY", "DATABASE.HOST", "DATABASE.PORT", "DATABASE.NAME",
    "DATABASE.POOL.SIZE", "DATABASE.POOL.TIMEOUT", "DATABASE.POOL.PRE_PING", "CACHE.TYPE",
    "CACHE.SERVERS", "CACHE.DEFAULT_TIMEOUT", "MAIL.SERVER", "MAIL.PORT", "MAIL.USE_TLS",
    "SENTRY.DSN", "SENTRY.SAMPLE_RATE",
)  # fmt: skip
JSON_TYPES = {bool: "boolean", int: "integer", float: "number", str: "string"}
JSON_TYPES.update({list: "array", dict: "object", type(None): "null"})


def make_schema(merged: dict[str, Any]) -> dict[str, Any]:
    """A draft 2020-12 schema of the fixture, as a bundle would ship one.

    Every section an object, and the real JSON types of the merged values
    of :data:`SCHEMA_LEAVES`, so that values are checked too.
    """
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {k: {"type": "object"} for k, v in merged.items() if isinstance(v, dict)},
        "required": ["DATABASE", "SECRET_KEY"],
    }
    for dotted in SCHEMA_LEAVES:
        *parents, leaf = dotted.split(".")
        node, value = schema, merged
        for key in parents:
            value = value[key]
            node = node["properties"].setdefault(key, {"type": "object"})
            node.setdefault("properties", {})
        node["properties"][leaf] = {"type": JSON_TYPES[type(value[leaf])]}
    return schema


def write_fixture(base: Path, leaves: int) -> dict[str, Any]:
    """Write one fixture and its scripts; return what the benchmark needs of it."""
    rng = random.Random(f"{SEED}-{leaves}")
    default = make_default(rng, leaves)
    paths = list(leaf_values(default))
    sentry = {"DSN": "https://key@sentry.example.com/1", "SAMPLE_RATE": 0.2}
    upper = {"DEBUG": False, "DATABASE.HOST": "db.example.com", "SENTRY": sentry}
    layers = {
        "default.json": default,
        f"{ENV}.json": make_layer(rng, paths, 0.10, upper),
        f"{USER}@{HOST}.json": make_layer(rng, paths, 0.01, {"DATABASE.HOST": "localhost"}),
    }
    root = base / f"leaves-{leaves}"
    (root / "instance").mkdir(parents=True)
    files = [str(root / "instance" / name) for name in layers]
    for path, data in zip(files, layers.values(), strict=True):
        Path(path).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    namespace: dict[str, Any] = {}
    exec(FLOOR, namespace)
    merged = namespace["load_floor"](files, ENV_OVERRIDES)
    schema = root / "schema.json"
    schema.write_text(json.dumps(make_schema(merged), indent=2) + "\n", encoding="utf-8")
    fixture = {"leaves": leaves, "root": str(root), "files": files, "schema": str(schema)}
    fixture["layer_leaves"] = [len(leaf_values(data)) for data in layers.values()]
    fixture["kib"] = sum(Path(path).stat().st_size for path in files) / 1024
    fixture["scripts"] = write_scripts(base / f"scripts-{leaves}", fixture)
    return fixture


# --- the approaches, each a script; BENCH_DUMP=1 makes it print its settings -----------

FLOOR = """\
import json
import os

def read(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)

def merge(base, upper):
    for key, value in upper.items():
        old = base.get(key)
        if isinstance(value, dict) and isinstance(old, dict):
            merge(old, value)
        else:
            base[key] = value

def apply_env(data, environ, prefix="AMPHO_"):
    for name in sorted(environ):
        if not name.startswith(prefix):
            continue
        try:
            value = json.loads(environ[name])
        except ValueError:
            value = environ[name]
        *parents, child = name[len(prefix):].split("__")
        node = data
        for part in parents:
            node = node.setdefault(part, {})
        node[child] = value

def load_floor(files, environ):
    data = {}
    for path in files:
        merge(data, read(path))
    apply_env(data, environ)
    return data
"""
FLOOR_MAIN = """
if __name__ == "__main__":
    data = load_floor({files!r}, os.environ)
    data["DATABASE"]["HOST"]
    if os.environ.get("BENCH_DUMP"):
        print(json.dumps(data))
"""
#: The floor merged by deepmerge with Ampho's strategy for dicts (``ampho/config/tree.py``),
#: its import included; ``load_floor`` finds this ``merge`` in place of the floor's own.
DEEPMERGE_FLOOR = (
    FLOOR
    + """
from deepmerge import Merger

def merge_objects(merger, path, base, upper):
    for key, value in upper.items():
        if type(value) is dict and type(base.get(key)) is dict:
            merger.value_strategy([*path, key], base[key], value)
        else:
            base[key] = value
    return base

merge = Merger([(dict, merge_objects)], ["override"], ["override"]).merge
"""
)
AMPHO = """\
from ampho.config import load

cfg = load({root!r}, {env!r}, user={user!r}, host={host!r}{schemas})
cfg.lookup("DATABASE.HOST")
import json, os

if os.environ.get("BENCH_DUMP"):
    print(json.dumps(cfg.to_dict()))
"""
DYNACONF = """\
import json, os
from dynaconf import Dynaconf

settings = Dynaconf(
    settings_files={files!r}, merge_enabled=True, environments=False, envvar_prefix="AMPHO"
)
settings.DATABASE.HOST
if os.environ.get("BENCH_DUMP"):
    print(json.dumps(settings.as_dict()))
"""
PYDANTIC = """\
import json, os
from typing import Any
from pydantic_settings import BaseSettings, JsonConfigSettingsSource, SettingsConfigDict

class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        json_file={files!r}, env_prefix="AMPHO_", env_nested_delimiter="__",
        case_sensitive=True, extra="allow",
    )
    # The environment reaches declared fields only.
    DEBUG: bool = False
    SECRET_KEY: str = ""
    DATABASE: dict[str, Any] = {{}}
    CACHE: dict[str, Any] = {{}}

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, **_):
        # json_file=[...] alone merges the files shallowly.
        return init_settings, env_settings, JsonConfigSettingsSource(settings_cls, deep_merge=True)

settings = Settings()
settings.DATABASE["HOST"]
if os.environ.get("BENCH_DUMP"):
    print(json.dumps(settings.model_dump()))
"""

LABELS = {"pass": "``python -c pass``", "floor": "floor (json + merge + env)"}
LABELS |= {"deepmerge": "floor, merged by deepmerge"}
LABELS |= {"ampho": "ampho.config.load()", "ampho-schema": "load() with a schema"}
LABELS |= {"dynaconf": "Dynaconf", "pydantic": "pydantic-settings"}
#: Why a peer's settings differ from the floor's.
WHY = {
    "dynaconf": "with ``merge_enabled`` Dynaconf appends a list to the list below it",
    "pydantic": "pydantic-settings keeps a JSON list in a variable nested into a"
    " ``dict[str, Any]`` field as a string",
}


def write_scripts(folder: Path, fixture: dict[str, Any]) -> dict[str, list[str]]:
    """The command line of every approach, by name; scripts written into ``folder``."""
    files, root = fixture["files"], fixture["root"]
    schemas = f", schemas=[{(SCHEMA_NAME, fixture['schema'])!r}]"
    options = {"root": root, "env": ENV, "user": USER, "host": HOST}
    sources = {
        "floor": FLOOR + FLOOR_MAIN.format(files=files),
        "deepmerge": DEEPMERGE_FLOOR + FLOOR_MAIN.format(files=files),
        "ampho": AMPHO.format(**options, schemas=""),
        "ampho-schema": AMPHO.format(**options, schemas=schemas),
        "dynaconf": DYNACONF.format(files=files),
        "pydantic": PYDANTIC.format(files=files),
    }
    folder.mkdir()
    scripts = {}  # the floor first: hyperfine's ratios are to the first command
    for name, source in sources.items():
        (folder / f"bench_{name.replace('-', '_')}.py").write_text(source, encoding="utf-8")
        scripts[name] = [sys.executable, str(folder / f"bench_{name.replace('-', '_')}.py")]
    return {**scripts, "pass": [sys.executable, "-c", "pass"]}


def child_environ() -> dict[str, str]:
    """Ours without ``AMPHO_*`` and ``PYTHONPATH``, plus the overrides."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("AMPHO_", "BENCH_"))}
    keep.pop("PYTHONPATH", None)
    keep.pop("PYTHONDONTWRITEBYTECODE", None)  # bytecode caches, as an install has
    return {**keep, **ENV_OVERRIDES}


# --- the checks ---------------------------------------------------------------------------


def flat(data: dict[str, Any]) -> dict[str, str]:
    """Every leaf as ``{dotted key: its JSON}``, so that ``1`` and ``true`` differ."""
    return {".".join(path): json.dumps(value) for path, value in leaf_values(data).items()}


def diff(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """How ``actual`` differs from ``expected``, one line a leaf."""
    want, got = flat(expected), flat(actual)

    def cut(text: str) -> str:
        return text if len(text) <= 60 else text[:57] + "..."

    keys = sorted(k for k in want.keys() | got.keys() if want.get(k) != got.get(k))
    return [f"{k}: {cut(got.get(k, 'missing'))} instead of {cut(want.get(k, '-'))}" for k in keys]


def dump(command: list[str], cwd: Path) -> Any:
    env = {**child_environ(), "BENCH_DUMP": "1"}
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{command[-1]} failed:\n{done.stderr}")
    return json.loads(done.stdout)


def check(fixture: dict[str, Any], cwd: Path) -> tuple[list[str], dict[str, list[str]]]:
    """Ampho's problems (each fails the run) and the peers' differences from the floor.

    Besides equal settings: a schema ``DATABASE.HOST`` cannot meet must
    be refused (else the schema row measures nothing), and neither load
    may import :mod:`jsonschema`: Ampho checks the settings, and the
    schema, itself (:mod:`ampho.config.validator`).
    """
    from ampho.config import SettingsInvalid, load

    scripts = fixture["scripts"]
    floor = dump(scripts["floor"], cwd)
    found = {name: diff(floor, dump(scripts[name], cwd)) for name in scripts if name != "pass"}
    size = f"{fixture['leaves']:,} leaves"
    ours = ("deepmerge", "ampho", "ampho-schema")  # must give the floor's settings
    problems = [f"{size}: {n} differs: {found[n][:3]}" for n in ours if found[n]]
    options: dict[str, Any] = {"user": USER, "host": HOST, "environ": child_environ()}
    schema = json.loads(Path(fixture["schema"]).read_text(encoding="utf-8"))
    schema["properties"]["DATABASE"]["properties"]["HOST"]["minLength"] = 1000
    try:
        load(fixture["root"], ENV, **options, schemas=[(SCHEMA_NAME, schema)])
        problems.append(f"{size}: a schema the settings cannot meet was accepted")
    except SettingsInvalid:
        pass
    for name in ("ampho", "ampho-schema"):
        command = [sys.executable, "-X", "importtime", *scripts[name][1:]]
        done = subprocess.run(command, cwd=cwd, env=child_environ(), capture_output=True, text=True)
        if re.search(r"\|\s+jsonschema$", done.stderr, re.M):
            problems.append(f"{size}: {name} imports jsonschema")
    return problems, {k: v for k, v in found.items() if k in ("dynaconf", "pydantic")}


# --- the timing ------------------------------------------------------------------------------


def in_process(fixture: dict[str, Any], quick: bool, cwd: Path) -> Times:
    """Median ms of one load and its ratio to the floor's, by ``python -m pyperf timeit``;
    the approaches take turns, as in :func:`page.hyperfine`."""
    import pyperf

    root, calls = fixture["root"], {}
    folder = Path(fixture["scripts"]["floor"][1]).parent
    calls["floor"] = (
        f"import sys; sys.path.insert(0, {str(folder)!r}); from bench_floor import load_floor",
        f"load_floor({fixture['files']!r}, environ)",
    )
    ampho = f"load({root!r}, {ENV!r}, user={USER!r}, host={HOST!r}, environ=environ"
    calls["ampho"] = ("from ampho.config import load", ampho + ")")
    schemas = f", schemas=[{(SCHEMA_NAME, fixture['schema'])!r}])"
    calls["ampho-schema"] = ("from ampho.config import load", ampho + schemas)
    runs = ["--processes", "2", "--values", "1" if quick else "3"]
    values: dict[str, list[float]] = {name: [] for name in calls}
    for n in range(1 if quick else 4):
        for name in list(calls)[:: 1 - 2 * (n % 2)]:
            out = cwd / f"pyperf-{fixture['leaves']}-{name}-{n}.json"
            command = [sys.executable, "-m", "pyperf", "timeit", "--quiet", *runs, "-o", str(out)]
            command += ["-s", f"{calls[name][0]}; environ = {ENV_OVERRIDES!r}", calls[name][1]]
            if subprocess.run(command, cwd=cwd, env=child_environ()).returncode:
                raise SystemExit(f"pyperf timeit failed on {name}")
            values[name] += pyperf.Benchmark.load(str(out)).get_values()
    times = {name: statistics.median(found) * 1000 for name, found in values.items()}
    return {name: {"ms": ms, "ratio": ms / times["floor"]} for name, ms in times.items()}


def grid(results: list[dict[str, Any]], kind: str, columns: tuple[str, ...]) -> str:
    """A table of ``ms``, ``ratio`` (and ``cpu``) by approach, a column group a size."""
    header = ["Approach"] + [f"{r['leaves']:,} leaves: {c}" for r in results for c in columns]
    digits = 1 if kind == "cold" else 2
    body = [
        [label, *(c for r in results for c in cells(r[kind][k], digits)[: len(columns)])]
        for k, label in LABELS.items()
        if k in results[0][kind]
    ]
    return table(header, body)


def cells(row: dict[str, float], digits: int) -> list[str]:
    return [f"{row['ms']:.{digits}f}", f"{row['ratio']:.2f}", f"{row.get('cpu', 0):.1f}"]


def section(results: list[dict[str, Any]], runs: int) -> str:
    """The page's section: method, fixture, the two tables, targets, differences."""
    fixtures = "\n".join(
        f"* {r['leaves']:,} leaves: {', '.join(f'{n:,}' for n in r['layer_leaves'])} leaves in"
        f" ``default.json``, ``{ENV}.json`` and ``{USER}@{HOST}.json``, {r['kib']:,.0f} KiB"
        for r in results
    )
    targets = [
        f"* Target, fresh process, {r['leaves']:,} leaves: "
        + verdict(r["cold"]["ampho"]["ratio"], COLD_TARGET)
        for r in results
    ]
    targets.append(
        f"* Target, in process, {results[-1]['leaves']:,} leaves: "
        + verdict(results[-1]["warm"]["ampho"]["ratio"], WARM_TARGET)
    )
    notes = []
    for r in results:
        for name, found in r["differences"].items():
            if found:
                notes.append(
                    f"* {LABELS[name]}, {r['leaves']:,} leaves, values differing: {len(found)}"
                    f" ({WHY[name]}), e.g. ``{found[0]}``"
                )
    return f"""
.. _benchmarks-config-load:

Loading the configuration
-------------------------

How long a process takes to import the configuration engine and load a
layered configuration, next to the least a Python program can do with
the same files (the *floor*: ``json.load`` of the three files, a
recursive merge and the ``AMPHO_*`` variables applied as Flask's
``from_prefixed_env`` does, importing only :mod:`json` and :mod:`os`),
and next to Dynaconf (``merge_enabled=True``) and pydantic-settings
(``JsonConfigSettingsSource(deep_merge=True)``). *Floor, merged by
deepmerge* is the floor with its merge done by deepmerge's ``Merger``
and Ampho's strategy for dicts: about the least a loader merging with
deepmerge can take. *load() with a schema*
passes ``schemas=[({SCHEMA_NAME!r}, path)]``, a draft 2020-12 schema
declaring every section an object and typing {len(SCHEMA_LEAVES)} leaves.

{machine("deepmerge", "jsonschema", "dynaconf", "pydantic-settings")}

The fixtures (seeded, in a temporary directory, and {len(ENV_OVERRIDES)} ``AMPHO_*`` variables):

{fixtures}

Checked before timing: every approach loads once and its settings are
compared with the floor's (ampho's and deepmerge's must be equal, and
are); a schema the
settings cannot meet must make ``load()`` raise ``SettingsInvalid``; no
load imports :mod:`jsonschema` (``-X importtime``): Ampho checks the
schema and the settings itself, and imports it only to explain a
violation.

*Fresh process*: all approaches paired in hyperfine, {runs} runs each
({HYPERFINE}), run from the fixture's directory; the median wall time,
its ratio to the floor's, and the mean CPU time (user + system).
Target: ampho at most {COLD_TARGET}x the floor.

{grid(results, "cold", ("ms", "ratio", "CPU ms"))}
*In process*: ``python -m pyperf timeit`` of one call, files read and
parsed anew each time (the schema file read and checked once a
process, while it is unchanged), in four turns of
two processes each, the order reversed in every second; the median in ms.
Target: ``load()`` at most {WARM_TARGET}x the floor on 20,000 leaves.

{grid(results, "warm", ("ms", "ratio"))}
{chr(10).join(targets)}

Where the peers' settings differ from the floor's (shown, not failed):

{chr(10).join(notes) or "* nowhere"}
"""


def main() -> int:
    args = arguments(__doc__)
    runs = 3 if args.quick else 20
    with tempfile.TemporaryDirectory(prefix="ampho-bench-config-") as tmp:
        base, results, problems = Path(tmp), [], []
        for leaves in SIZES:
            fixture = write_fixture(base, leaves)
            print(f"{leaves:,} leaves: checking", file=sys.stderr)
            found, fixture["differences"] = check(fixture, base)
            problems += found
            if found:
                continue
            commands = fixture["scripts"]
            fixture["cold"] = hyperfine(commands, runs=runs, cwd=base, env=child_environ())
            fixture["warm"] = in_process(fixture, args.quick, base)
            results.append(fixture)
    for problem in problems:
        print(f"ERROR: {problem}", file=sys.stderr)
    if problems:
        return 1
    publish(args, "config-load", "config_load.py", section(results, runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
