"""What declaring settings costs a load: a realistic schema and a settings dataclass.

The 2,000-leaf fixture of ``config_load.py``, with three entry bundles
beside it (chosen by ``AMPHO_ENTRY``): ``bare``, an empty package;
``plain``, whose ``__init__`` defines the settings dataclass (so imports
:mod:`dataclasses`, as a bundle with any dataclass does) but declares
nothing; and ``declared``, the same module with ``SETTINGS`` and a
``schema.json`` using ``type``, ``required``, ``minimum``/``maximum``,
``enum``, ``pattern``, ``additionalProperties``, ``items``,
``writeOnly`` and ``x-ampho-merge`` over 16 typed leaves. Counted by
callgrind in fresh processes (the instructions do not depend on how busy
the machine is) and timed in process, the loads alternating. Each load
is checked first: ``declared`` must refuse a value its schema forbids,
bind its dataclass, and import no :mod:`jsonschema`. Writes the
``declared`` section of ``docs/benchmarks.rst``.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import config_load
from page import arguments, callgrind, machine, publish, table, verdict

COLD_TARGET = 1.25  # declared / plain, instructions of a fresh process
WARM_TARGET = 1.5  # declared / plain, in process
RUNS = 200
#: The entry bundles: nothing, the dataclass alone, the dataclass declared.
ENTRIES = ("bare", "plain", "declared")
#: Their package names (``declared`` is this script's own module name).
PACKAGE = "shop_{}"

BUNDLE = '''\
from dataclasses import dataclass, field
from typing import Literal

from ampho.config import Secret


@dataclass(frozen=True)
class Retry:
    """How often a failed delivery is tried again."""

    TIMES: int = 3
    BACKOFF: float = 1.5


@dataclass(frozen=True)
class Shop:
    """The shop's own settings."""

    NAME: str = "Shop"
    CURRENCY: Literal["EUR", "USD", "GBP"] = "EUR"
    ALLOWED_HOSTS: tuple[str, ...] = ()
    API_KEY: Secret | None = None
    RETRY: Retry = field(default_factory=Retry)
    LIMITS: dict[str, int] = field(default_factory=dict)
    OPEN: bool = True
'''


def make_schema(merged: dict[str, Any]) -> dict[str, Any]:
    """:func:`config_load.make_schema`, with the keywords bundles use, each
    satisfied by the fixture's merged values."""
    schema = config_load.make_schema(merged)
    props = schema["properties"]
    database = props["DATABASE"]["properties"]
    database["PORT"] |= {"minimum": 1, "maximum": 65535}
    database["HOST"] |= {"pattern": r"^[A-Za-z0-9.-]+$", "minLength": 1}
    props["DATABASE"]["required"] = ["HOST", "PORT", "NAME"]
    cache = props["CACHE"]["properties"]
    cache["TYPE"] |= {"enum": [merged["CACHE"]["TYPE"], "redis", "simple"]}
    cache["SERVERS"] |= {"items": {"type": "string"}, "x-ampho-merge": "unique"}
    props["SECRET_KEY"] |= {"writeOnly": True, "minLength": 8}
    props["SENTRY"]["additionalProperties"] = False
    props["SENTRY"]["properties"]["SAMPLE_RATE"] |= {"minimum": 0, "maximum": 1}
    return schema


def write(base: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """The fixture and its three bundles; the environment of the children."""
    fixture = config_load.write_fixture(base, config_load.SIZES[0])
    root = Path(fixture["root"])
    namespace: dict[str, Any] = {}
    exec(config_load.FLOOR, namespace)
    merged = namespace["load_floor"](fixture["files"], config_load.ENV_OVERRIDES)
    for entry, text in zip(ENTRIES, ("", BUNDLE, BUNDLE), strict=True):
        (root / PACKAGE.format(entry)).mkdir()
        (root / PACKAGE.format(entry) / "__init__.py").write_text(text, encoding="utf-8")
    with (root / PACKAGE.format("declared") / "__init__.py").open("a", encoding="utf-8") as f:
        f.write('\n\nSETTINGS = {"SHOP": Shop}\n')
    (root / PACKAGE.format("declared") / "schema.json").write_text(
        json.dumps(make_schema(merged), indent=2) + "\n", encoding="utf-8"
    )
    env = config_load.child_environ() | {"AMPHO_SHOP__ALLOWED_HOSTS": "a.example, b.example"}
    return fixture, env


def load_code(fixture: dict[str, Any]) -> str:
    options = f"user={config_load.USER!r}, host={config_load.HOST!r}"
    return (
        f"import ampho.config; ampho.config.load({fixture['root']!r}, {config_load.ENV!r},"
        f" {options}).lookup('DATABASE.HOST')"
    )


CHECK = """
import sys
from ampho.config import SettingsInvalid, load
root, env, user, host = sys.argv[1:5]
cfg = load(root, env, user=user, host=host)
shop = cfg.bind(sys.modules["shop_declared"].Shop)
assert shop.ALLOWED_HOSTS == ("a.example", "b.example"), shop
assert shop.RETRY.BACKOFF == 1.5, shop
assert "jsonschema" not in sys.modules, "a valid load imported jsonschema"
try:
    load(root, env, user=user, host=host, overrides={"DATABASE": {"PORT": 70000}})
except SettingsInvalid as e:
    assert "DATABASE.PORT" in str(e), e
else:
    raise SystemExit("a port of 70000 was accepted")
"""


def check(fixture: dict[str, Any], env: dict[str, str]) -> None:
    """The declared load binds, refuses what its schema forbids, and
    imports no jsonschema while the settings are valid."""
    args = [fixture["root"], config_load.ENV, config_load.USER, config_load.HOST]
    done = subprocess.run(
        [sys.executable, "-c", CHECK, *args],
        cwd=fixture["root"],
        env=env | {"AMPHO_ENTRY": PACKAGE.format("declared")},
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"ERROR: the declared load is wrong: {done.stderr[-800:]}")


def counted(fixture: dict[str, Any], env: dict[str, str]) -> dict[str, int]:
    """Instructions of a fresh process loading with each entry bundle."""
    command = [sys.executable, "-c", load_code(fixture)]
    root = Path(fixture["root"])
    environs = {entry: env | {"AMPHO_ENTRY": PACKAGE.format(entry)} for entry in ENTRIES}
    for environ in environs.values():  # the bundles' bytecode written first
        subprocess.run(command, cwd=root, env=environ, check=True)
    return {entry: callgrind(command, cwd=root, env=environ) for entry, environ in environs.items()}


def timed(fixture: dict[str, Any], env: dict[str, str], runs: int) -> dict[str, float]:
    """The median ms of a load in this process with each entry bundle,
    the loads alternating, after one of each (which imports the bundles
    and fills the schema cache, as a process's first load does)."""
    from ampho.config import load

    sys.path.insert(0, fixture["root"])
    environs = {entry: env | {"AMPHO_ENTRY": PACKAGE.format(entry)} for entry in ENTRIES[1:]}
    times: dict[str, list[float]] = {entry: [] for entry in environs}
    options = {"user": config_load.USER, "host": config_load.HOST}
    for n in range(runs + 1):
        for entry, environ in environs.items():
            start = time.perf_counter()
            load(fixture["root"], config_load.ENV, environ=environ, **options)
            if n:
                times[entry].append((time.perf_counter() - start) * 1000)
    return {entry: statistics.median(found) for entry, found in times.items()}


def main() -> None:
    args = arguments(__doc__)
    runs = 20 if args.quick else RUNS
    with tempfile.TemporaryDirectory() as scratch:
        fixture, env = write(Path(scratch))
        check(fixture, env)
        counts = counted(fixture, env)
        ms = timed(fixture, env, runs)
    cold = counts["declared"] / counts["plain"]
    warm = ms["declared"] / ms["plain"]
    rows = [
        ["``bare``: no dataclass, nothing declared", f"{counts['bare'] / 1e6:.1f}", "", ""],
        ["``plain``: the dataclass, nothing declared", f"{counts['plain'] / 1e6:.1f}", "1.00"],
        ["``declared``: ``schema.json`` and ``SETTINGS``", f"{counts['declared'] / 1e6:.1f}"],
    ]
    rows[0][2:] = [f"{counts['bare'] / counts['plain']:.2f}", "-"]
    rows[1].append(f"{ms['plain']:.2f}")
    rows[2] += [f"{cold:.2f}", f"{ms['declared']:.2f}"]
    body = f"""
.. _benchmarks-declared:

Declared settings
-----------------

What declaring settings costs a load (:doc:`declaring`,
:doc:`typed-settings`): the 2,000-leaf fixture loaded with each of three
entry bundles. ``bare`` is an empty package; ``plain`` defines a frozen
settings dataclass (seven fields, a nested one, a ``Secret``, a
``Literal``, a tuple and a dict) and so imports :mod:`dataclasses`, as
any bundle with a dataclass does, but declares nothing; ``declared`` is
the same module with ``SETTINGS = {{"SHOP": Shop}}`` and a
``schema.json`` using ``type``, ``required``, ``minimum``/``maximum``,
``enum``, ``pattern``, ``minLength``, ``additionalProperties``,
``items``, ``writeOnly`` and ``x-ampho-merge`` over 16 typed leaves, and
one ``AMPHO_SHOP__ALLOWED_HOSTS=a.example, b.example``. Checked first:
the declared load binds ``Shop``, refuses a port of 70000, and imports
no :mod:`jsonschema` while the settings are valid.

*Fresh process*: millions of instructions of ``python -c "import
ampho.config; ampho.config.load(...)"``, counted by callgrind. *In
process*: the median of {runs} loads of each, alternating, after a first
load of each (the bundles imported, the schemas checked and cached).

{machine()}

{table(["Entry bundle", "Minstr, fresh", "ratio", "ms, in process"], rows)}
* Fresh process, ``declared`` / ``plain``: {cold:.2f}; target at most
  {COLD_TARGET}: {verdict(cold, COLD_TARGET)}.
* In process, ``declared`` / ``plain``: {warm:.2f}; target at most
  {WARM_TARGET}: {verdict(warm, WARM_TARGET)}.
* ``plain`` / ``bare`` is what the bundle's own ``import dataclasses``
  costs a script (:mod:`dataclasses` imports :mod:`inspect`); a Flask
  application has imported both before any bundle.
"""
    publish(args, "declared", "declared.py", body)


if __name__ == "__main__":
    os.environ.pop("AMPHO_ENTRY", None)
    main()
