"""User sources: ``load(sources=...)``, ``AMPHO_SOURCES`` and the entry
points of ``ampho.sources`` (docs/sources.rst)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from processes import AMPHO, assert_one_line_error, run, write_instance, write_tree

from ampho.config import Config, ConfigError, Source

# A plugin package: "kv:A=1,B.C=x,!D=s" sets A, B.C and D, and marks D
# secret, and is shown as "kv A,B.C,D" (the keys, never a value);
# "broken:" reads nothing but fails.
PLUGIN = """
from ampho.config import Source


class KeyValues(Source):
    def __init__(self, rest):
        self.name = "kv " + ",".join(i.partition("=")[0].lstrip("!") for i in rest.split(","))
        self.rest = rest
        self.secrets = []

    def read(self):
        values = {}
        for item in self.rest.split(","):
            key, _, value = item.partition("=")
            if key.startswith("!"):
                key = key[1:]
                self.secrets.append(key)
            *parents, last = key.split(".")
            node = values
            for part in parents:
                node = node.setdefault(part, {})
            node[last] = value
        return values

    def secret_paths(self):
        return self.secrets


class Broken(Source):
    name = "broken store"

    def read(self):
        raise self.error("cannot reach the store")


def key_values(rest, environ):
    return KeyValues(rest)


def broken(rest, environ):
    return Broken()
"""


class Values(Source):
    """A source of given values, marking some secret."""

    def __init__(self, name: str, values: dict[str, Any], secrets: Iterable[str] = ()) -> None:
        self.name = name
        self.values = values
        self.secrets = list(secrets)

    def read(self) -> dict[str, Any]:
        return self.values

    def secret_paths(self) -> list[str]:
        return self.secrets


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A directory holding the plugin and its ``*.dist-info``, on ``sys.path``
    for this test: the schemes ``kv`` and ``broken`` are registered."""
    site = write_tree(
        tmp_path / "site",
        {
            "amphotest_kv.py": PLUGIN,
            "amphotest_kv-1.0.dist-info/METADATA": (
                "Metadata-Version: 2.1\nName: amphotest-kv\nVersion: 1.0\n"
            ),
            "amphotest_kv-1.0.dist-info/entry_points.txt": (
                "[ampho.sources]\nkv = amphotest_kv:key_values\nbroken = amphotest_kv:broken\n"
            ),
        },
    )
    monkeypatch.syspath_prepend(str(site))
    yield site
    sys.modules.pop("amphotest_kv", None)


def test_sources_are_layers_above_the_secrets_directory_and_below_the_environment(
    root: Path, write: Callable[..., Path], load_root: Callable[..., Config]
) -> None:
    write("instance/default.json", json.dumps({"A": 0, "B": {"X": 0}, "C": 0, "D": 0}))
    write("secrets/A", "from secrets\n")
    cfg = load_root(
        secrets_dir="secrets",
        environ={"AMPHO_D": "4"},
        sources=[Values("one", {"A": 1, "B": {"Y": 1}, "C": 1}), Values("two", {"C": 2})],
    )
    assert cfg.to_dict() == {"A": 1, "B": {"X": 0, "Y": 1}, "C": 2, "D": 4}
    names = [layer.name for layer in cfg.layers]
    assert names[-6:] == ["instance/u@h.json", "secrets", "one", "two", "env", "overrides"]
    assert [str(cfg.origin(key)) for key in ("A", "B.X", "B.Y", "B", "C", "D")] == [
        "one",
        "instance/default.json:1:16",
        "one",
        "one",
        "two",
        "env AMPHO_D",
    ]
    assert [(s.layer.name, s.value) for s in cfg.explain("C")] == [
        ("instance/default.json", 0),
        ("one", 1),
        ("two", 2),
    ]
    assert cfg.origin("C").layer is cfg.layers[names.index("two")]


def test_one_source_object_serves_many_loads(load_root: Callable[..., Config]) -> None:
    source = Values("store", {"A": 1})
    first = load_root(sources=[source])
    source.values = {"B": 2}
    second = load_root(sources=[source])
    assert (first.to_dict(), second.to_dict()) == ({"A": 1}, {"B": 2})
    assert str(first.origin("A")) == "store"
    assert [s.value for s in first.explain("A")] == [1]


def test_read_runs_on_the_source_given_so_what_it_keeps_lasts(
    load_root: Callable[..., Config],
) -> None:
    class Counting(Source):
        name = "counting"

        def __init__(self) -> None:
            self.reads = 0

        def read(self) -> dict[str, Any]:
            self.reads += 1  # a client opened once, a cache...
            return {"N": self.reads}

    source = Counting()
    assert [load_root(sources=[source])["N"] for _ in range(3)] == [1, 2, 3]
    assert source.reads == 3


def test_an_empty_source_is_not_asked_for_its_secrets(
    load_root: Callable[..., Config],
) -> None:
    class Empty(Values):
        def secret_paths(self) -> list[str]:
            raise AssertionError("asked")

    assert "A" not in load_root(sources=[Empty("empty", {})])


def test_a_source_that_sets_nothing_is_a_layer_not_found(
    load_root: Callable[..., Config],
) -> None:
    cfg = load_root(sources=[Values("empty", {})])
    assert [(layer.name, layer.found) for layer in cfg.layers][-3] == ("empty", False)


def test_a_source_marks_its_secrets(load_root: Callable[..., Config]) -> None:
    cfg = load_root(sources=[Values("store", {"HOOK": {"URL": "x"}}, secrets=["HOOK.URL"])])
    assert cfg.declared_secrets == {("HOOK", "URL")}


@pytest.mark.parametrize(
    ("read", "line"),
    [
        (ConfigError("cannot reach the store"), "vault: cannot reach the store"),
        (ConnectionRefusedError(111, "Connection refused"), "vault: Connection refused"),
        (ConfigError("no such entry", source="vault secret/x"), "vault secret/x: no such entry"),
        # A place in the source, which names itself.
        (ConfigError("bad entry", line=3, column=7), "vault:3:7: bad entry"),
    ],
)
def test_a_failing_source_is_one_error_naming_it(
    load_root: Callable[..., Config], read: Exception, line: str
) -> None:
    class Failing(Source):
        name = "vault"

        def read(self) -> dict[str, Any]:
            raise read

    with pytest.raises(ConfigError) as caught:
        load_root(sources=[Failing()])
    assert str(caught.value) == line


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (object(), "sources[0] is object, not an ampho.config.Source"),
        (Values("", {}), "the source Values (sources[0]) has no name: set its name attribute"),
        (Values("list", [1]), "list: read() gave list, not a mapping"),  # type: ignore[arg-type]
        (Values("nan", {"X": float("nan")}), "nan: X: nan is not a JSON number"),
        (Values("odd", {"X": 1}, secrets=[3]), "odd: secret_paths() gave 3, not a key path"),  # type: ignore[list-item]
    ],
)
def test_a_wrong_source_is_one_error(
    load_root: Callable[..., Config], source: Any, message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_root(sources=[source])
    assert str(caught.value) == message


def test_ampho_sources_adds_layers_after_the_given_ones(
    plugin: Path, load_root: Callable[..., Config]
) -> None:
    cfg = load_root(
        sources=[Values("code", {"A": "code", "Z": "code"})],
        environ={"AMPHO_SOURCES": " kv:A=1,B.C=x \n kv:B.C=y,!D=s "},
    )
    assert cfg.to_dict() == {"A": "1", "B": {"C": "y"}, "D": "s", "Z": "code"}
    names = [layer.name for layer in cfg.layers]
    assert names[-5:] == ["code", "kv A,B.C", "kv B.C,D", "env", "overrides"]
    assert [str(cfg.origin(key)) for key in ("A", "B.C", "Z")] == ["kv A,B.C", "kv B.C,D", "code"]
    assert cfg.declared_secrets == {("D",)}
    assert "SOURCES" not in cfg


def test_the_prefix_names_the_sources_variable(
    plugin: Path, load_root: Callable[..., Config]
) -> None:
    cfg = load_root(env_prefix="SHOP", environ={"SHOP_SOURCES": "kv:A=1", "AMPHO_SOURCES": "x"})
    assert cfg.to_dict() == {"A": "1"}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "kv:A=1 vault:secret/x",
            "AMPHO_SOURCES: URL 2 of 2: unknown source scheme 'vault'"
            " (known: broken, etcd, kv, secretsmanager, ssm)",
        ),
        (
            "kv:A=1 user:password@host",
            "AMPHO_SOURCES: URL 2 of 2: unknown source scheme 'user'"
            " (known: broken, etcd, kv, secretsmanager, ssm)",
        ),
        (
            "secret-token",
            "AMPHO_SOURCES: URL 1 of 1 is not scheme:rest"
            " (a scheme is a letter, then letters, digits, '+', '-' or '.')",
        ),
        (
            "1kv:A=1",
            "AMPHO_SOURCES: URL 1 of 1 is not scheme:rest"
            " (a scheme is a letter, then letters, digits, '+', '-' or '.')",
        ),
        ("broken:", "broken store: cannot reach the store"),
    ],
)
def test_a_wrong_sources_variable_is_one_error(
    plugin: Path, load_root: Callable[..., Config], value: str, message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_root(environ={"AMPHO_SOURCES": value})
    assert str(caught.value) == message
    assert "password" not in message and "token" not in message


def test_the_sources_variable_is_never_a_setting(load_root: Callable[..., Config]) -> None:
    cfg = load_root(environ={"AMPHO_SOURCES": "  ", "AMPHO_X": "1"})
    assert cfg.to_dict() == {"X": 1}


def _command(root: Path, site: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return run(AMPHO, ["config", *args], root, PYTHONPATH=str(site), **env)


def test_dump_masks_what_a_source_marks_secret(plugin: Path, root: Path) -> None:
    write_instance(root, {"default.json": {"HOOK": "none", "PORT": 1}})
    sources = "kv:!HOOK=https://hooks.example.com/abc,PORT=2"
    dumped = _command(root, plugin, "dump", AMPHO_SOURCES=sources)
    assert dumped.returncode == 0, dumped.stderr
    assert json.loads(dumped.stdout) == {"HOOK": "***", "PORT": "2"}
    explained = _command(root, plugin, "dump", "--explain", AMPHO_SOURCES=sources)
    assert explained.returncode == 0, explained.stderr
    assert explained.stdout.splitlines() == [
        'HOOK = "***"  (kv HOOK,PORT)',
        'PORT = "2"  (kv HOOK,PORT)',
    ]
    assert "hooks.example.com" not in dumped.stdout + explained.stdout


@pytest.mark.parametrize(
    ("value", "line"),
    [
        (
            "nope:x",
            "Error: AMPHO_SOURCES: URL 1 of 1: unknown source scheme 'nope'"
            " (known: broken, etcd, kv, secretsmanager, ssm)",
        ),
        (
            "nope",
            "Error: AMPHO_SOURCES: URL 1 of 1 is not scheme:rest"
            " (a scheme is a letter, then letters, digits, '+', '-' or '.')",
        ),
        ("broken:", "Error: broken store: cannot reach the store"),
    ],
)
def test_a_wrong_source_is_one_error_line_of_the_command(
    plugin: Path, root: Path, value: str, line: str
) -> None:
    result = _command(root, plugin, "dump", AMPHO_SOURCES=value)
    assert assert_one_line_error(result) == line


def test_a_load_without_sources_does_not_import_importlib_metadata(root: Path) -> None:
    code = (
        "import sys\n"
        "import ampho.config\n"
        f"ampho.config.load({str(root)!r}, environ={{}}, user='u', host='h')\n"
        "print('importlib.metadata' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={}
    )
    assert result.stdout == "False\n"
