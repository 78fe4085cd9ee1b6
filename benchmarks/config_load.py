"""How fast ``ampho.config.load()`` is, next to a hand-written floor.

The benchmark writes a deterministic layered configuration (2,000 and
20,000 leaves in ``default.json``, ``production.json`` changing about a
tenth of them, ``{user}@{host}.json`` about a hundredth, and a few
``AMPHO_*`` variables) into a temporary directory and times, in fresh
processes:

* ``python -c pass``, the interpreter alone;
* the floor: a script that ``json.load``\\ s the three files, merges them
  recursively and applies the variables the way Flask's
  ``from_prefixed_env`` does, with nothing but :mod:`json` and :mod:`os`;
* ``import ampho.config`` and ``load()``;
* the same ``load()`` given a JSON Schema (``schemas=``) to validate
  the settings against;
* Dynaconf with ``merge_enabled=True``;
* pydantic-settings with ``JsonConfigSettingsSource(deep_merge=True)``.

It also times ``load()`` against the floor's functions inside one
process. Before timing it checks once that every approach produces the
floor's merged settings (ampho must, with and without the schema, or the
script exits with status 1; the others' differences are reported), that
the schema is enforced and that only the load with a schema imports
:mod:`jsonschema`, whose import it times with ``python -X importtime``.
It prints the figures and
rewrites the configuration section of ``docs/benchmarks.rst``.

Run it with ``python benchmarks/config_load.py`` (``--quick`` for a
smoke run, which writes no page unless ``--output`` is given).
"""

from __future__ import annotations

import argparse
import datetime
import gc
import importlib.metadata
import importlib.util
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from page import cpu_name, package_version, write_section

try:
    import resource
except ImportError:  # Windows
    resource = None  # type: ignore[assignment]

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "docs" / "benchmarks.rst"

SIZES = (2_000, 20_000)
USER = "bench"
HOST = "bench-host"
ENV = "production"
SEED = 20240611

#: Cold-process targets (ampho / floor) and the in-process one on the big fixture.
COLD_TARGET = 1.3
WARM_TARGET = 1.5

#: The ``AMPHO_*`` overrides: a top-level boolean, nested keys two and
#: three levels down, a JSON list and a string JSON cannot read.
ENV_OVERRIDES = {
    "AMPHO_DEBUG": "false",
    "AMPHO_DATABASE__HOST": "db.internal.example.com",
    "AMPHO_DATABASE__POOL__SIZE": "32",
    "AMPHO_CACHE__SERVERS": '["cache-1:11211", "cache-2:11211"]',
    "AMPHO_SECRET_KEY": "s3cr3t-from-the-environment",
}

#: Variants cheap enough to run several times a round, for steadier medians.
LIGHT = ("pass", "floor", "ampho", "ampho-schema")
LIGHT_REPEAT = 3

#: The schema's name, as ``load(schemas=[(name, path)])`` gives it.
SCHEMA_NAME = "bench/schema.json"

#: Runs of the schema script under ``python -X importtime``.
IMPORTTIME_RUNS = 5

#: The page section this script owns; the rest of the page is left alone.
START_MARK = ".. config-load-start"
END_MARK = ".. config-load-end"

# --------------------------------------------------------------------------
# The fixture

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
        return rng.choice(("https://", "redis://", "", "/var/lib/")) + "".join(
            rng.choice("abcdefghijklmnopqrstuvwxyz-.") for _ in range(rng.randint(4, 24))
        )
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
    """``default.json``: fixed well-known sections, then generated ones."""
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
    budget = leaves - count_leaves(data)
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


def leaf_paths(data: dict[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Key paths of every leaf (anything but a non-empty object)."""
    paths = []
    for key, value in data.items():
        if isinstance(value, dict) and value:
            paths.extend(leaf_paths(value, (*prefix, key)))
        else:
            paths.append((*prefix, key))
    return paths


def count_leaves(data: dict[str, Any]) -> int:
    return len(leaf_paths(data))


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


#: The leaves the schema types (beside declaring every section an object).
SCHEMA_LEAVES = (
    "DEBUG", "SECRET_KEY", "DATABASE.HOST", "DATABASE.PORT", "DATABASE.NAME",
    "DATABASE.POOL.SIZE", "DATABASE.POOL.TIMEOUT", "DATABASE.POOL.PRE_PING", "CACHE.TYPE",
    "CACHE.SERVERS", "CACHE.DEFAULT_TIMEOUT", "MAIL.SERVER", "MAIL.PORT", "MAIL.USE_TLS",
    "SENTRY.DSN", "SENTRY.SAMPLE_RATE",
)  # fmt: skip

#: The JSON types of the fixture's values, as a schema's ``type`` names them.
JSON_TYPES = {
    bool: "boolean",
    int: "integer",
    float: "number",
    str: "string",
    list: "array",
    dict: "object",
    type(None): "null",
}


def leaf_schema(value: Any) -> dict[str, Any]:
    """The real JSON type of a merged value, and a bound it meets."""
    node: dict[str, Any] = {"type": JSON_TYPES[type(value)]}
    if isinstance(value, str) and value:
        node["minLength"] = min(len(value), 8)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        node["minimum"] = 0 if value >= 0 else value
    elif isinstance(value, list) and value:
        node["minItems"] = 1
        kinds = {JSON_TYPES[type(item)] for item in value}
        if len(kinds) == 1:
            node["items"] = {"type": kinds.pop()}
    return node


def make_schema(merged: dict[str, Any]) -> dict[str, Any]:
    """A draft 2020-12 schema of the fixture, as a bundle would ship one.

    Every top-level section is declared an object, and the leaves of
    :data:`SCHEMA_LEAVES` get the JSON types of their merged values (an
    upper layer may have changed one's type) and bounds that they meet,
    so :mod:`jsonschema` really validates them: a schema of bare
    ``properties`` none of which is set would be skipped.
    """
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {
            key: {"type": "object"} for key, value in merged.items() if isinstance(value, dict)
        },
        "required": ["DATABASE", "SECRET_KEY"],
    }
    for dotted in SCHEMA_LEAVES:
        *parents, leaf = dotted.split(".")
        node, value = schema, merged
        for key in parents:
            value = value[key]
            node = node["properties"].setdefault(key, {"type": "object"})
            node.setdefault("properties", {})
        node["properties"][leaf] = leaf_schema(value[leaf])
    return schema


def write_fixture(base: Path, leaves: int) -> dict[str, Any]:
    """Write one fixture; return what the benchmark needs to know of it."""
    rng = random.Random(f"{SEED}-{leaves}")
    default = make_default(rng, leaves)
    paths = leaf_paths(default)
    production = make_layer(
        rng,
        paths,
        0.10,
        {
            "DEBUG": False,
            "DATABASE.HOST": "db.example.com",
            "SENTRY": {"DSN": "https://key@sentry.example.com/1", "SAMPLE_RATE": 0.2},
        },
    )
    personal = make_layer(rng, paths, 0.01, {"DATABASE.HOST": "localhost"})
    instance = base / f"leaves-{leaves}" / "instance"
    instance.mkdir(parents=True)
    layers = {
        "default.json": default,
        f"{ENV}.json": production,
        f"{USER}@{HOST}.json": personal,
    }
    for name, data in layers.items():
        (instance / name).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    namespace: dict[str, Any] = {}
    exec(FLOOR_FUNCTIONS, namespace)
    merged = namespace["load_floor"]([instance / name for name in layers], ENV_OVERRIDES)
    schema = instance.parent / "schema.json"
    schema.write_text(json.dumps(make_schema(merged), indent=2) + "\n", "utf-8")
    return {
        "leaves": leaves,
        "root": str(instance.parent),
        "files": [str(instance / name) for name in layers],
        "schema": str(schema),
        "layer_leaves": {name: count_leaves(data) for name, data in layers.items()},
        "bytes": sum((instance / name).stat().st_size for name in layers),
    }


# --------------------------------------------------------------------------
# The four approaches, each a script run in a fresh process.
#
# Every script gets its paths baked in, looks up one nested key (so that
# lazy loaders really load) and prints the merged settings as JSON only
# when BENCH_DUMP is set, for the correctness check.

FLOOR_FUNCTIONS = """
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
data = load_floor({files!r}, os.environ)
data["DATABASE"]["HOST"]
if os.environ.get("BENCH_DUMP"):
    print(json.dumps(data))
"""

AMPHO_SCRIPT = """
from ampho.config import load

cfg = load({root!r}, {env!r}, user={user!r}, host={host!r}{schemas})
cfg.lookup("DATABASE.HOST")

import os

if os.environ.get("BENCH_DUMP"):
    import json

    print(json.dumps(cfg.to_dict()))
"""

DYNACONF_SCRIPT = """
from dynaconf import Dynaconf

settings = Dynaconf(
    settings_files={files!r},
    merge_enabled=True,
    environments=False,
    envvar_prefix="AMPHO",
)
settings.DATABASE.HOST

import os

if os.environ.get("BENCH_DUMP"):
    import json

    print(json.dumps(settings.as_dict()))
"""

PYDANTIC_SCRIPT = """
from typing import Any

try:
    import resource
except ImportError:  # Windows
    resource = None  # type: ignore[assignment]

from pydantic_settings import BaseSettings, JsonConfigSettingsSource, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        json_file={files!r},
        env_prefix="AMPHO_",
        env_nested_delimiter="__",
        case_sensitive=True,
        extra="allow",
    )

    # The environment only reaches declared fields: declare those the
    # AMPHO_* variables set; everything else stays an extra.
    DEBUG: bool = False
    SECRET_KEY: str = ""
    DATABASE: dict[str, Any] = {{}}
    CACHE: dict[str, Any] = {{}}

    @classmethod
    def settings_customise_sources(
        cls, settings_cls, init_settings, env_settings, dotenv_settings, file_secret_settings
    ):
        # json_file=[...] alone merges the files shallowly.
        return (
            init_settings,
            env_settings,
            JsonConfigSettingsSource(settings_cls, deep_merge=True),
        )


settings = Settings()
settings.DATABASE["HOST"]

import os

if os.environ.get("BENCH_DUMP"):
    import json

    print(json.dumps(settings.model_dump()))
"""

PYDANTIC_METHOD = (
    "JsonConfigSettingsSource(deep_merge=True) from settings_customise_sources"
    " (json_file=[...] alone merges shallowly); env_prefix='AMPHO_',"
    " env_nested_delimiter='__', case_sensitive=True, extra='allow'; the environment"
    " only reaches declared fields, so DEBUG, SECRET_KEY, DATABASE and CACHE are declared"
)
DYNACONF_METHOD = (
    "Dynaconf(settings_files=[...], merge_enabled=True, environments=False, envvar_prefix='AMPHO')"
)

#: Variants in the order shown: (key, label).
VARIANTS = (
    ("pass", "python -c pass"),
    ("floor", "floor (json + merge + env)"),
    ("ampho", "ampho.config.load()"),
    ("ampho-schema", "load() with a schema"),
    ("dynaconf", "Dynaconf"),
    ("pydantic", "pydantic-settings"),
)
LABELS = dict(VARIANTS)
CHECK_LABELS = {
    "ampho-in-process": "load() in this process",
    "floor": "floor script",
    "ampho": "ampho script",
    "ampho-schema-in-process": "load() with a schema in this process",
    "ampho-schema": "ampho script with a schema",
    "dynaconf": "Dynaconf script",
    "pydantic": "pydantic-settings script",
}
#: Why a variant's settings differ from the floor's, shown when they do.
DIFFERENCE_NOTES = {
    "dynaconf": "with ``merge_enabled`` Dynaconf appends a list to the list below it"
    " instead of replacing it",
    "pydantic": "pydantic-settings keeps a JSON list given in a variable nested into a"
    " ``dict[str, Any]`` field as a string",
}


def schema_item(fixture: dict[str, Any]) -> tuple[str, str]:
    """The fixture's schema as an item of ``load(schemas=...)``."""
    return (SCHEMA_NAME, fixture["schema"])


def write_scripts(base: Path, fixture: dict[str, Any]) -> dict[str, list[str]]:
    """Write the scripts of one fixture; return their command lines by variant."""
    files = fixture["files"]
    sources = {
        "floor": FLOOR_FUNCTIONS + FLOOR_MAIN.format(files=files),
        "ampho": AMPHO_SCRIPT.format(
            root=fixture["root"], env=ENV, user=USER, host=HOST, schemas=""
        ),
        "ampho-schema": AMPHO_SCRIPT.format(
            root=fixture["root"],
            env=ENV,
            user=USER,
            host=HOST,
            schemas=f", schemas=[{schema_item(fixture)!r}]",
        ),
        "dynaconf": DYNACONF_SCRIPT.format(files=files),
        "pydantic": PYDANTIC_SCRIPT.format(files=files),
    }
    scripts = {"pass": [sys.executable, "-c", "pass"]}
    folder = base / f"scripts-{fixture['leaves']}"
    folder.mkdir()
    for variant, source in sources.items():
        path = folder / f"{variant}_bench.py"
        path.write_text(source.lstrip(), encoding="utf-8")
        scripts[variant] = [sys.executable, str(path)]
    return scripts


def child_environ() -> dict[str, str]:
    """The environment of every child: ours without AMPHO_*, plus the overrides."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("AMPHO_")}
    environ.pop("BENCH_DUMP", None)
    # Let the warm-up runs leave bytecode caches, as an installed package has.
    environ.pop("PYTHONDONTWRITEBYTECODE", None)
    environ.update(ENV_OVERRIDES)
    return environ


# --------------------------------------------------------------------------
# Correctness


def diff(expected: Any, actual: Any, path: str = "") -> list[str]:
    """Describe how ``actual`` differs from ``expected``, one line a leaf."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        found = []
        for key in expected:
            where = f"{path}.{key}" if path else key
            if key not in actual:
                found.append(f"{where}: missing")
            else:
                found.extend(diff(expected[key], actual[key], where))
        for key in actual:
            if key not in expected:
                where = f"{path}.{key}" if path else key
                found.append(f"{where}: extra key, {short(actual[key])}")
        return found
    if expected == actual and type(expected) is type(actual):
        return []
    return [f"{path}: {short(actual)} instead of {short(expected)}"]


def short(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check(scripts: dict[str, list[str]], fixture: dict[str, Any], variants: list[str]) -> dict:
    """Run every script once with BENCH_DUMP and compare with the floor.

    Also runs the floor's functions and ``load()`` in this process, which
    is what the in-process timing uses.
    """
    from ampho.config import load

    environ = child_environ()
    namespace: dict[str, Any] = {}
    exec(FLOOR_FUNCTIONS, namespace)
    floor = namespace["load_floor"](fixture["files"], environ)
    in_process = load(fixture["root"], ENV, user=USER, host=HOST, environ=environ).to_dict()
    results: dict[str, list[str]] = {"ampho-in-process": diff(floor, in_process)}
    with_schema = load(
        fixture["root"], ENV, user=USER, host=HOST, environ=environ, schemas=[schema_item(fixture)]
    ).to_dict()
    results["ampho-schema-in-process"] = diff(floor, with_schema)
    for variant in variants:
        if variant == "pass":
            continue
        done = subprocess.run(
            scripts[variant],
            env={**environ, "BENCH_DUMP": "1"},
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise SystemExit(f"{variant} failed:\n{done.stderr}")
        results[variant] = diff(floor, json.loads(done.stdout))
    return results


def check_schema_enforced(fixture: dict[str, Any]) -> str | None:
    """Load with a copy of the schema that ``DATABASE.HOST`` cannot meet.

    If that load passes, the benchmark's schema is not really validated
    and its row measures nothing: return why, else ``None``.
    """
    from ampho.config import SettingsInvalid, load

    with open(fixture["schema"], encoding="utf-8") as f:
        document = json.load(f)
    document["properties"]["DATABASE"]["properties"]["HOST"]["minLength"] = 1000
    try:
        load(
            fixture["root"],
            ENV,
            user=USER,
            host=HOST,
            environ=child_environ(),
            schemas=[(SCHEMA_NAME, document)],
        )
    except SettingsInvalid as e:
        if "DATABASE.HOST" in str(e):
            return None
        return f"the schema was refused for another reason: {e}"
    return "a schema DATABASE.HOST cannot meet was accepted: the load does not validate"


def imported_ms(stderr: str, module: str) -> float | None:
    """The cumulative import time of ``module`` in ``-X importtime`` output."""
    for line in stderr.splitlines():
        if not line.startswith("import time:"):
            continue
        fields = line[len("import time:") :].split("|")
        if len(fields) == 3 and fields[2].strip() == module:
            try:
                return int(fields[1]) / 1000
            except ValueError:
                return None
    return None


def time_jsonschema_import(scripts: dict[str, list[str]]) -> dict[str, Any]:
    """``import jsonschema`` in the two ampho scripts, by ``-X importtime``.

    The script with a schema must import it (its load validates); the
    one without must not (a load without schemas never pays for it).
    Returns the median over :data:`IMPORTTIME_RUNS` runs, in ms, and
    what is wrong, if anything.
    """
    environ = child_environ()

    def run(variant: str) -> float | None:
        python, script = scripts[variant]
        done = subprocess.run(
            [python, "-X", "importtime", script],
            env=environ,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        if done.returncode != 0:
            raise SystemExit(f"{variant} -X importtime failed:\n{done.stderr[-2000:]}")
        return imported_ms(done.stderr, "jsonschema")

    problems = []
    if run("ampho") is not None:
        problems.append("the ampho script without a schema imports jsonschema")
    found = [run("ampho-schema") for _ in range(IMPORTTIME_RUNS)]
    times = [t for t in found if t is not None]
    if len(times) < len(found):
        problems.append("the ampho script with a schema does not import jsonschema")
    return {"ms": statistics.median(times) if times else None, "problems": problems}


# --------------------------------------------------------------------------
# Timing


def time_cold(
    scripts: dict[str, list[str]], variants: list[str], runs: int
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Wall and CPU time of fresh processes, interleaved so variants share the noise.

    Each round runs the light variants :data:`LIGHT_REPEAT` times and the
    others once, in a shuffled order.

    CPU time (user + system of the child) is empty where :mod:`resource`
    is missing.
    """
    environ = child_environ()
    times: dict[str, list[float]] = {v: [] for v in variants}
    cpu: dict[str, list[float]] = {v: [] for v in variants}

    def used() -> float:
        if resource is None:
            return 0.0
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    def run(variant: str) -> tuple[float, float]:
        before = used()
        start = time.perf_counter()
        done = subprocess.run(
            scripts[variant],
            env=environ,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(f"{variant} exited with {done.returncode}")
        return elapsed, used() - before

    for variant in variants:  # warm-up: bytecode caches, page cache
        run(variant)
    rng = random.Random(SEED)
    for _ in range(runs):
        # Shuffled, so that no variant always follows the same one.
        order = [v for v in variants for _ in range(LIGHT_REPEAT if v in LIGHT else 1)]
        rng.shuffle(order)
        for variant in order:
            elapsed, spent = run(variant)
            times[variant].append(elapsed)
            if resource is not None:
                cpu[variant].append(spent)
    return times, cpu


def time_in_process(fixture: dict[str, Any], rounds: int, budget: float) -> dict[str, list[float]]:
    """Per-call time of ``load()`` and of the floor's functions, same process.

    Each round times a batch of calls of each, alternating the order; a
    batch lasts about ``budget`` seconds for the floor.
    """
    from ampho.config import load

    environ = child_environ()
    namespace: dict[str, Any] = {}
    exec(FLOOR_FUNCTIONS, namespace)
    load_floor = namespace["load_floor"]
    files, root, schema = fixture["files"], fixture["root"], schema_item(fixture)
    calls = {
        "floor": lambda: load_floor(files, environ),
        "ampho": lambda: load(root, ENV, user=USER, host=HOST, environ=environ),
        "ampho-schema": lambda: load(
            root, ENV, user=USER, host=HOST, environ=environ, schemas=[schema]
        ),
    }
    for call in calls.values():  # warm-up
        for _ in range(3):
            call()
    start = time.perf_counter()
    calls["floor"]()
    reps = max(1, round(budget / (time.perf_counter() - start)))

    times: dict[str, list[float]] = {name: [] for name in calls}
    for round_ in range(rounds):
        order = list(calls) if round_ % 2 == 0 else list(reversed(calls))
        for name in order:
            call = calls[name]
            gc.collect()
            start = time.perf_counter()
            for _ in range(reps):
                call()
            times[name].append((time.perf_counter() - start) / reps)
    return times


def time_schema_parts(fixture: dict[str, Any], calls: int = 20) -> dict[str, float]:
    """Where a load with a schema spends its extra time, in process (ms).

    ``load_schemas()`` reads the schema and checks it against the draft
    2020-12 meta-schema, on every load; ``Schemas.validate()`` then
    checks the settings against it. Medians of ``calls`` calls each.
    """
    from ampho.config import load
    from ampho.config.schema import load_schemas

    item, root = schema_item(fixture), fixture["root"]
    cfg = load(root, ENV, user=USER, host=HOST, environ=child_environ())
    schemas = load_schemas([item], root)
    assert schemas is not None

    def median_ms(call: Any) -> float:
        call()  # warm-up
        times = []
        for _ in range(calls):
            start = time.perf_counter()
            call()
            times.append(time.perf_counter() - start)
        return statistics.median(times) * 1000

    return {
        "check": median_ms(lambda: load_schemas([item], root)),
        "validate": median_ms(lambda: schemas.validate(cfg)),
    }


# --------------------------------------------------------------------------
# Reporting


def summarize(times: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    """Median in ms and ratio to the floor's median, per variant."""
    floor = statistics.median(times["floor"])
    rows = {}
    for variant, values in times.items():
        median = statistics.median(values)
        rows[variant] = {"ms": median * 1000, "ratio": median / floor, "n": len(values)}
    return rows


def machine() -> dict[str, str]:
    cpu = cpu_name()

    return {
        "platform": platform.platform(),
        "cpu": f"{cpu}, {os.cpu_count()} logical CPUs",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d"),
        "libraries": ", ".join(
            f"{name} {package_version(name)}"
            for name in ("deepmerge", "dynaconf", "pydantic-settings", "jsonschema")
        ),
    }


def print_report(results: dict[str, Any]) -> None:
    for kind, title in (
        ("cold", "Fresh process, wall time"),
        ("cpu", "Fresh process, CPU time (user + system)"),
        ("warm", "In process, per load"),
    ):
        if not results["sizes"][0][kind]:
            continue
        print(f"\n{title}: median ms (ratio to the floor)")
        variants = [v for v in LABELS if v in results["sizes"][0][kind]]
        header = f"  {'':30}" + "".join(f"{s['leaves']:>10,} leaves     " for s in results["sizes"])
        print(header)
        for variant in variants:
            cells = "".join(
                f"{s[kind][variant]['ms']:10.1f} ms ({s[kind][variant]['ratio']:5.2f}x)"
                for s in results["sizes"]
            )
            print(f"  {LABELS[variant]:30}{cells}")
    print()
    for line in target_lines(results):
        print(line)
    for line in schema_lines(results):
        print(line)
    print(f"\npydantic-settings: {PYDANTIC_METHOD}")
    print(f"Dynaconf: {DYNACONF_METHOD}")
    for size in results["sizes"]:
        for variant, found in size["check"].items():
            status = "same as the floor" if not found else f"{len(found)} difference(s)"
            print(f"  {size['leaves']:,} leaves, {CHECK_LABELS[variant]}: {status}")
            for line in found[:5]:
                print(f"      {line}")


def target_lines(results: dict[str, Any]) -> list[str]:
    lines = []
    for size in results["sizes"]:
        ratio = size["cold"]["ampho"]["ratio"]
        met = "met" if ratio <= COLD_TARGET else "MISSED"
        lines.append(
            f"Target cold process <= {COLD_TARGET}x the floor, {size['leaves']:,} leaves:"
            f" {ratio:.2f}x, {met}"
        )
    big = results["sizes"][-1]
    ratio = big["warm"]["ampho"]["ratio"]
    met = "met" if ratio <= WARM_TARGET else "MISSED"
    lines.append(
        f"Target in-process load() <= {WARM_TARGET}x the floor, {big['leaves']:,} leaves:"
        f" {ratio:.2f}x, {met}"
    )
    return lines


def schema_lines(results: dict[str, Any]) -> list[str]:
    """The cost of the schema, which has no target: ratios and the import."""
    lines = []
    for size in results["sizes"]:
        cold, plain = size["cold"]["ampho-schema"], size["cold"]["ampho"]
        lines.append(
            f"load() with a schema, cold process, {size['leaves']:,} leaves:"
            f" {cold['ratio']:.2f}x the floor ({cold['ms'] - plain['ms']:+.1f} ms"
            f" over load() without one)"
        )
    for size in results["sizes"]:
        warm = size["warm"]["ampho-schema"]
        lines.append(
            f"load() with a schema, in process, {size['leaves']:,} leaves:"
            f" {warm['ratio']:.2f}x the floor"
        )
    for size in results["sizes"]:
        parts = size["schema_parts"]
        lines.append(
            f"  of a load with a schema in process, {size['leaves']:,} leaves: reading and"
            f" checking the schema {parts['check']:.1f} ms, validating the settings"
            f" {parts['validate']:.2f} ms"
        )
    imported = results.get("jsonschema_import", {}).get("ms")
    if imported is not None:
        lines.append(
            f"import jsonschema in the schema script (python -X importtime, median of"
            f" {IMPORTTIME_RUNS}): {imported:.1f} ms; the script without a schema does not"
            " import it"
        )
    return lines


def rst_table(header: list[str], rows: list[list[str]], widths: str) -> list[str]:
    lines = [".. list-table::", "   :header-rows: 1", f"   :widths: {widths}", ""]
    for row in [header, *rows]:
        lines.append(f"   * - {row[0]}")
        lines.extend(f"     - {cell}" for cell in row[1:])
    return [*lines, ""]


def rst_section(results: dict[str, Any]) -> str:
    info = results["machine"]
    sizes = results["sizes"]
    lines = [
        START_MARK,
        "",
        ".. This section is written by benchmarks/config_load.py; edits are lost.",
        "",
        ".. _benchmarks-config-load:",
        "",
        "Loading the configuration",
        "-------------------------",
        "",
        "How long a process takes to import the configuration engine and load a",
        "layered configuration, next to the least any Python program can do with",
        "the same files, and next to Dynaconf and pydantic-settings.",
        "",
        "Machine",
        "~~~~~~~",
        "",
        f"* Platform: {info['platform']}",
        f"* CPU: {info['cpu']}",
        f"* Python: {info['python']}",
        f"* Libraries: {info['libraries']}",
        f"* Date: {info['date']}",
        "",
        "Method",
        "~~~~~~",
        "",
        "The script writes a deterministic fixture into a temporary directory:",
        "``default.json`` with 2,000 or 20,000 leaves (strings, integers, floats,",
        "booleans, lists and nulls in nested objects under upper-case sections),",
        f"``{ENV}.json`` changing about 10% of them, ``{USER}@{HOST}.json`` about 1%,",
        f"and {len(ENV_OVERRIDES)} ``AMPHO_*`` variables, nested ones included"
        f" (``{next(k for k in ENV_OVERRIDES if '__' in k)}``).",
        "",
    ]
    fixture_rows = [
        [
            f"{s['leaves']:,}",
            *(f"{n:,}" for n in s["fixture"]["layer_leaves"].values()),
            f"{s['fixture']['bytes'] / 1024:,.0f}",
        ]
        for s in sizes
    ]
    lines += rst_table(
        [
            "Fixture",
            "leaves in ``default.json``",
            f"in ``{ENV}.json``",
            f"in ``{USER}@{HOST}.json``",
            "KiB of JSON",
        ],
        fixture_rows,
        "20 20 20 20 20",
    )
    lines += [
        "Approaches:",
        "",
        "* **floor**: a script that ``json.load``\\ s the three files, merges them",
        "  recursively and applies the variables as Flask's ``from_prefixed_env``",
        "  does (sorted, ``json.loads`` with a fallback to the string, ``__``",
        "  nesting), importing nothing but :mod:`json` and :mod:`os`;",
        f"* **ampho**: ``import ampho.config`` and ``load(root, {ENV!r}, user=..., host=...)``;",
        f"* **load() with a schema**: the same, with ``schemas=[({SCHEMA_NAME!r}, path)]``:"
        " a draft 2020-12 schema written beside the fixture that declares every"
        " top-level section an object, requires ``DATABASE`` and ``SECRET_KEY``, and"
        f" gives {len(SCHEMA_LEAVES)} well-known leaves (``DEBUG``, ``DATABASE.HOST``,"
        " ``DATABASE.POOL.SIZE``, ``CACHE.SERVERS``, ...) the JSON types of their merged"
        " values and a bound each meets (``minLength``, ``minimum``, ``minItems``), so"
        " that the load checks the schema and validates the settings with"
        " :mod:`jsonschema`;",
        f"* **Dynaconf**: ``{DYNACONF_METHOD}``;",
        "* **pydantic-settings**: a ``BaseSettings`` whose"
        " ``settings_customise_sources`` returns"
        " ``JsonConfigSettingsSource(settings_cls, deep_merge=True)`` (``json_file=[...]``"
        " alone merges the files shallowly), with ``env_prefix='AMPHO_'``,"
        " ``env_nested_delimiter='__'``, ``case_sensitive=True`` and ``extra='allow'``;"
        " the environment only reaches declared fields, so ``DEBUG``, ``SECRET_KEY``,"
        " ``DATABASE`` and ``CACHE`` are declared.",
        "",
    ]
    lines += [
        "Each script looks one nested key up, so that lazy loaders load. Before",
        "timing, every approach runs once and its merged settings are compared",
        "with the floor's; ampho, with and without the schema, must match exactly",
        "(it does). The script also checks that a copy of the schema that",
        "``DATABASE.HOST`` cannot meet makes ``load()`` raise ``SettingsInvalid``,",
        "and, with ``python -X importtime``, that the script with a schema imports",
        ":mod:`jsonschema` and the one without does not.",
        "",
        f"*Fresh process*: wall time of ``subprocess.run([sys.executable, script])``,"
        f" {results['runs']} rounds after one warm-up run each. A round runs"
        f" ``python -c pass``, the floor and ampho (without and with the schema)"
        f" {LIGHT_REPEAT} times each and the others once, in a shuffled order, so that"
        " all share the machine's noise;",
        "the median is shown with its ratio to the floor's median of the same run.",
        "",
        f"*In process*: {results['rounds']} rounds, each timing a batch of calls of",
        f"``load()`` (without and with the schema) and of the floor's functions (about"
        f" {results['batch']} s for the floor,",
        "the order alternating), after a warm-up; the median of the per-call times.",
        "",
        f"Targets: a fresh process at most {COLD_TARGET} times the floor; ``load()``",
        f"in process at most {WARM_TARGET} times the floor on 20,000 leaves.",
        "",
        "Fresh process",
        "~~~~~~~~~~~~~",
        "",
    ]
    header = ["Approach"]
    for s in sizes:
        header += [f"{s['leaves']:,} leaves (ms)", "ratio"]
    widths = " ".join(["28"] + ["18 12"] * len(sizes))

    def rows(kind: str) -> list[list[str]]:
        table = []
        for variant in LABELS:
            if variant not in sizes[0][kind]:
                continue
            row = [LABELS[variant].replace("python -c pass", "``python -c pass``")]
            for s in sizes:
                cell = s[kind][variant]
                row += [f"{cell['ms']:.1f}", f"{cell['ratio']:.2f}"]
            table.append(row)
        return table

    lines += rst_table(header, rows("cold"), widths)
    if sizes[0]["cpu"]:
        lines += [
            "The CPU time (user and system) of the same processes, which other",
            "work on the machine disturbs less than the wall time:",
            "",
        ]
        lines += rst_table(header, rows("cpu"), widths)
    lines += [
        "In process",
        "~~~~~~~~~~",
        "",
        "Time of one load, files read and parsed anew each time (and the schema",
        "read and checked anew, for the load with a schema).",
        "",
    ]
    lines += rst_table(header, rows("warm"), widths)
    lines += ["Results", "~~~~~~~", ""]
    lines += [f"* {line}" for line in target_lines(results)]
    lines += [""]
    lines += schema_paragraph(results)
    notes = []
    for s in sizes:
        for variant, found in s["check"].items():
            if variant in ("ampho-in-process", "floor") or not found:
                continue
            notes.append(
                f"* {LABELS[variant]}, {s['leaves']:,} leaves: {len(found)}"
                f" {'value differs' if len(found) == 1 else 'values differ'} from the"
                f" floor's{', for example' if len(found) > 3 else ''}:"
            )
            notes.append("")
            notes.extend(f"  - ``{line}``" for line in found[:3])
            notes.append("")
    if notes:
        why = [
            DIFFERENCE_NOTES[v] for v in DIFFERENCE_NOTES if any(s["check"].get(v) for s in sizes)
        ]
        lines += [
            "Where the merged settings differ from the floor's (" + "; ".join(why) + "):",
            "",
            *notes,
        ]
    lines += [END_MARK]
    return "\n".join(lines) + "\n"


def schema_paragraph(results: dict[str, Any]) -> list[str]:
    """What a schema costs and where the time goes, for the page."""
    sizes = results["sizes"]
    ratios = " and ".join(
        f"{s['cold']['ampho-schema']['ratio']:.2f} times the floor on {s['leaves']:,} leaves"
        f" ({s['cold']['ampho-schema']['ms'] - s['cold']['ampho']['ms']:+.1f} ms over"
        " ``load()`` without one)"
        for s in sizes
    )
    warm = " and ".join(
        f"{s['warm']['ampho-schema']['ratio']:.2f} times on {s['leaves']:,}" for s in sizes
    )
    lines = [
        f"With a schema (no target), a fresh process takes {ratios}; in process,",
        f"``load()`` with a schema takes {warm} leaves.",
    ]
    first = sizes[0]
    extra = first["cold"]["ampho-schema"]["ms"] - first["cold"]["ampho"]["ms"]
    imported = results.get("jsonschema_import", {}).get("ms")
    if imported is not None:
        lines += [
            f"Of the {extra:.1f} ms a schema adds to a fresh process on {first['leaves']:,}"
            " leaves, ``import jsonschema`` (which a load without schemas never does)"
            f" takes {imported:.1f} ms, measured with ``python -X importtime`` in the"
            f" script with a schema (median of {IMPORTTIME_RUNS} runs, the importtime"
            " bookkeeping included).",
        ]
    parts = " and ".join(
        f"checking {s['schema_parts']['check']:.1f} ms and validating"
        f" {s['schema_parts']['validate']:.2f} ms on {s['leaves']:,} leaves"
        for s in sizes
    )
    lines += [
        "Then every ``load()`` checks the schema against the draft 2020-12",
        "meta-schema (``load_schemas()``) before it validates the settings",
        f"(``Schemas.validate()``): in process, {parts}, medians of 20 calls each;",
        "the check of a schema that declares each section grows with the sections.",
    ]
    return [*lines, ""]


def write_page(path: Path, section: str) -> None:
    """Replace this benchmark's section of the page."""
    write_section(path, section, START_MARK, END_MARK)


# --------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="rounds of timing (default 15)")
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: 3 rounds, no page unless --output"
    )
    parser.add_argument(
        "--output",
        type=Path,
        help=f"the page to write (default {DEFAULT_OUTPUT.relative_to(ROOT)})",
    )
    args = parser.parse_args(argv)
    runs = 3 if args.quick else args.runs
    output = args.output if args.output or args.quick else DEFAULT_OUTPUT
    if runs < 10 and not args.quick:
        print(f"warning: --runs {runs}: the page asks for at least 10", file=sys.stderr)

    variants = ["pass", "floor", "ampho", "ampho-schema"]
    for variant, module in (("dynaconf", "dynaconf"), ("pydantic", "pydantic_settings")):
        if importlib.util.find_spec(module) is None:
            print(f"{module} is not installed: skipping it", file=sys.stderr)
        else:
            variants.append(variant)

    results: dict[str, Any] = {
        "machine": machine(),
        "runs": runs,
        # Many short batches, alternated, ride out the machine's changes of pace.
        "rounds": max(3 * runs, 3 if args.quick else 10),
        "batch": 0.05 if args.quick else 0.1,
        "sizes": [],
    }
    failed = False
    base = Path(tempfile.mkdtemp(prefix="ampho-bench-"))
    try:
        for leaves in SIZES:
            fixture = write_fixture(base, leaves)
            scripts = write_scripts(base, fixture)
            print(f"{leaves:,} leaves: checking...", file=sys.stderr)
            found = check(scripts, fixture, variants)
            for name in ("ampho-in-process", "ampho", "ampho-schema-in-process", "ampho-schema"):
                if found[name]:
                    failed = True
                    print(f"ERROR: {name} differs from the floor:", file=sys.stderr)
                    for line in found[name][:20]:
                        print(f"  {line}", file=sys.stderr)
            problems = [p for p in [check_schema_enforced(fixture)] if p]
            if leaves == SIZES[0]:
                print(f"{leaves:,} leaves: import jsonschema...", file=sys.stderr)
                results["jsonschema_import"] = time_jsonschema_import(scripts)
                problems += results["jsonschema_import"]["problems"]
            for problem in problems:
                failed = True
                print(f"ERROR: {problem}", file=sys.stderr)
            print(f"{leaves:,} leaves: fresh processes...", file=sys.stderr)
            wall, cpu = time_cold(scripts, variants, runs)
            print(f"{leaves:,} leaves: in process...", file=sys.stderr)
            warm = summarize(time_in_process(fixture, results["rounds"], results["batch"]))
            parts = time_schema_parts(fixture)
            results["sizes"].append(
                {
                    "leaves": leaves,
                    "fixture": fixture,
                    "check": found,
                    "cold": summarize(wall),
                    "cpu": summarize(cpu) if cpu["floor"] else {},
                    "warm": warm,
                    "schema_parts": parts,
                }
            )
    finally:
        shutil.rmtree(base, ignore_errors=True)

    print_report(results)
    if failed:
        print("\nthe checks of ampho's settings failed (see above): no page written.")
        return 1
    if output is not None:
        write_page(output, rst_section(results))
        print(f"\nwrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
