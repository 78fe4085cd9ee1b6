"""``ampho config``: dump, get, check and diff.

Most tests call the click group in-process through ``CliRunner`` with a
controlled environment; the ``--format env`` round trip runs the real
command through ``sh`` because it is about what a shell does with the
output.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st
from processes import AMPHO, assert_one_line_error, run, write_instance

from ampho.cli import main as cli
from ampho.config import load
from ampho.config.output import to_environ

# --- helpers -----------------------------------------------------------------


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Keep the developer's AMPHO_* / FLASK_ENV and working directory out."""
    for name in list(os.environ):
        if name.startswith("AMPHO_") or name == "FLASK_ENV":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


class Ampho:
    """Runs ``ampho`` in-process with ``USER=u`` and ``HOSTNAME=h``."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, **env: str) -> Result:
        return self.runner.invoke(
            cli,
            list(args),
            env={"USER": "u", "HOSTNAME": "h", **env},
            prog_name="ampho",
        )

    def ok(self, *args: str, **env: str) -> Result:
        result = self(*args, **env)
        assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
        return result


@pytest.fixture
def ampho() -> Ampho:
    return Ampho()


DEFAULT_JSON = """\
{
  "DB": {
    "HOST": "localhost",
    "PORT": 5432
  },
  "DEBUG": false,
  "SERVER_NAME": null,
  "EMPTY": {},
  "ALLOWED_HOSTS": []
}
"""

PRODUCTION_JSON = """\
{
  "DB": {
    "HOST": "x"
  },
  "ALLOWED_HOSTS": ["a.example.com", "b.example.com"]
}
"""

STAGING_JSON = """\
{
  "DB": {
    "HOST": "staging-db"
  },
  "DEBUG": true
}
"""

USER_HOST_JSON = """\
{
  "DEBUG": true
}
"""


@pytest.fixture
def app(tmp_path: Path) -> Path:
    return write_instance(
        tmp_path / "app",
        {
            "default.json": DEFAULT_JSON,
            "production.json": PRODUCTION_JSON,
            "staging.json": STAGING_JSON,
        },
    )


# --- dump: JSON ------------------------------------------------------------------

MERGED_PRODUCTION = {
    "ALLOWED_HOSTS": ["a.example.com", "b.example.com"],
    "DB": {"HOST": "x", "PORT": 5432},
    "DEBUG": False,
    "EMPTY": {},
    "SERVER_NAME": None,
}


def test_dump_prints_merged_config_as_sorted_indented_json(ampho: Ampho, app: Path) -> None:
    result = ampho.ok("config", "dump", "--root", str(app))
    assert result.stdout == json.dumps(MERGED_PRODUCTION, indent=2, sort_keys=True) + "\n"
    assert result.stderr == ""


def test_dump_env_option_chooses_the_environment_file(ampho: Ampho, app: Path) -> None:
    result = ampho.ok("config", "dump", "--root", str(app), "--env", "staging")
    data = json.loads(result.stdout)
    assert data["DB"] == {"HOST": "staging-db", "PORT": 5432}
    assert data["DEBUG"] is True
    assert data["ALLOWED_HOSTS"] == []  # production.json was not read


def test_dump_includes_user_at_host_layer(ampho: Ampho, app: Path) -> None:
    write_instance(app, {"u@h.json": USER_HOST_JSON})
    result = ampho.ok("config", "dump", "--root", str(app))
    assert json.loads(result.stdout)["DEBUG"] is True


def test_dump_applies_ampho_environment_variables(ampho: Ampho, app: Path) -> None:
    result = ampho.ok("config", "dump", "--root", str(app), AMPHO_DB__PORT="6543")
    assert json.loads(result.stdout)["DB"] == {"HOST": "x", "PORT": 6543}


def test_dump_key_prints_value_under_dotted_key(ampho: Ampho, app: Path) -> None:
    assert ampho.ok("config", "dump", "--root", str(app), "DB.HOST").stdout == '"x"\n'
    assert ampho.ok("config", "dump", "--root", str(app), "DB.PORT").stdout == "5432\n"
    assert ampho.ok("config", "dump", "--root", str(app), "SERVER_NAME").stdout == "null\n"
    db = ampho.ok("config", "dump", "--root", str(app), "DB").stdout
    assert db == json.dumps({"HOST": "x", "PORT": 5432}, indent=2, sort_keys=True) + "\n"
    hosts = ampho.ok("config", "dump", "--root", str(app), "ALLOWED_HOSTS").stdout
    assert json.loads(hosts) == ["a.example.com", "b.example.com"]


def test_dump_missing_key_fails(ampho: Ampho, app: Path) -> None:
    result = ampho("config", "dump", "--root", str(app), "DB.NOPE")
    assert result.exit_code != 0
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ")
    assert "NOPE" in result.stderr


def test_dump_keeps_unicode_readable(ampho: Ampho, tmp_path: Path) -> None:
    root = write_instance(tmp_path / "u", {"default.json": '{"CITY": "東京"}'})
    result = ampho.ok("config", "dump", "--root", str(root))
    assert json.loads(result.stdout) == {"CITY": "東京"}


# --- dump --explain ------------------------------------------------------------


def test_explain_prints_every_leaf_with_value_and_origin(ampho: Ampho, app: Path) -> None:
    write_instance(app, {"u@h.json": USER_HOST_JSON})
    result = ampho.ok("config", "dump", "--root", str(app), "--explain", AMPHO_DB__PORT="6543")
    assert result.stdout.splitlines() == [
        'ALLOWED_HOSTS = ["a.example.com", "b.example.com"]  (instance/production.json:5:3)',
        'DB.HOST = "x"  (instance/production.json:3:5)',
        "DB.PORT = 6543  (env AMPHO_DB__PORT)",
        "DEBUG = true  (instance/u@h.json:2:3)",
        "EMPTY = {}  (instance/default.json:8:3)",
        "SERVER_NAME = null  (instance/default.json:7:3)",
    ]


def test_explain_origin_of_object_set_by_one_variable(ampho: Ampho, app: Path) -> None:
    result = ampho.ok(
        "config", "dump", "--root", str(app), "--explain", AMPHO_DB='{"HOST": "e", "PORT": 1}'
    )
    lines = result.stdout.splitlines()
    assert 'DB.HOST = "e"  (env AMPHO_DB)' in lines
    assert "DB.PORT = 1  (env AMPHO_DB)" in lines


def test_explain_with_key_lists_only_that_subtree(ampho: Ampho, app: Path) -> None:
    result = ampho.ok("config", "dump", "--root", str(app), "--explain", "--env", "staging", "DB")
    assert result.stdout.splitlines() == [
        'DB.HOST = "staging-db"  (instance/staging.json:3:5)',
        "DB.PORT = 5432  (instance/default.json:4:5)",
    ]


def test_explain_with_leaf_key_prints_one_line(ampho: Ampho, app: Path) -> None:
    result = ampho.ok("config", "dump", "--root", str(app), "--explain", "DEBUG")
    assert result.stdout == "DEBUG = false  (instance/default.json:6:3)\n"


def test_explain_of_an_empty_configuration_prints_no_leaves(tmp_path: Path) -> None:
    """Nothing set anywhere: no leaf to explain, and certainly no traceback."""
    for files in ({}, {"default.json": "{}"}):
        root = tmp_path / f"empty{len(files)}"
        write_instance(root, files)
        result = run(AMPHO, ["config", "dump", "--root", str(root), "--explain"], tmp_path)
        assert "Traceback" not in result.stderr
        assert result.returncode == 0, result.stderr
        assert result.stdout == ""


# --- keys that hold a dot ----------------------------------------------------------

#: Keys a dotted name cannot spell as they are, each with its own leaf.
ODD_KEYS = {
    "A.B": 1,
    "LOGGERS": {"shop.orders": {"LEVEL": "INFO"}, "plain": "x"},
    '"quoted': 2,
    "": {"empty": 3},
    "two\nlines": 4,
    "a b": 5,
    "é": {"x.y.z": [1, 2]},
}


@pytest.fixture
def odd_root(tmp_path: Path) -> Path:
    return write_instance(
        tmp_path / "odd",
        {
            "default.json": ODD_KEYS,
            "staging.json": {"LOGGERS": {"shop.orders": {"LEVEL": "DEBUG"}}},
        },
    )


def _explained(line: str) -> tuple[str, Any]:
    """The key and the value of a ``dump --explain`` line."""
    key, rest = line.split(" = ", 1)
    return key, json.loads(rest.rsplit("  (", 1)[0])


def test_every_key_explain_prints_can_be_given_back(ampho: Ampho, odd_root: Path) -> None:
    """What ``dump --explain`` prints as a key, every command takes as KEY."""
    lines = ampho.ok("config", "dump", "--root", str(odd_root), "--explain").stdout.splitlines()
    assert [_explained(line)[0] for line in lines] == [
        '"".empty',
        '"\\"quoted"',
        '"A.B"',
        "LOGGERS.plain",
        'LOGGERS."shop.orders".LEVEL',
        "a b",
        '"two\\nlines"',
        'é."x.y.z"',
    ]
    for line in lines:
        key, value = _explained(line)
        root = ("--root", str(odd_root))
        assert json.loads(ampho.ok("config", "dump", *root, key).stdout) == value
        assert ampho.ok("config", "dump", *root, "--explain", key).stdout == line + "\n"
        got = ampho.ok("config", "get", *root, key).stdout
        assert got == (value if isinstance(value, str) else json.dumps(value)) + "\n"
        explained = ampho.ok("config", "explain", *root, key).stdout.splitlines()
        assert explained[-1].endswith(f"{json.dumps(value)}  (wins)")


def test_diff_prints_keys_as_commands_take_them(ampho: Ampho, odd_root: Path) -> None:
    result = ampho.ok("config", "diff", "--root", str(odd_root), "production", "staging")
    assert result.stdout.splitlines()[0] == 'LOGGERS."shop.orders".LEVEL'


def test_a_dotted_key_split_at_its_dot_says_how_to_name_it(ampho: Ampho, odd_root: Path) -> None:
    for command in ("get", "dump", "explain"):
        result = ampho("config", command, "--root", str(odd_root), "LOGGERS.shop.orders.LEVEL")
        assert result.exit_code == 1
        assert result.stderr == (
            "Error: LOGGERS.shop.orders.LEVEL: LOGGERS has no key 'shop' (the key"
            """ 'shop.orders' holds a dot: name it LOGGERS."shop.orders".LEVEL)\n"""
        )


@pytest.mark.parametrize("key", ['"A', '"A.B"C', 'LOGGERS."shop.orders', '"\\x"'])
def test_a_key_with_a_broken_quoted_part_is_one_error_line(key: str, odd_root: Path) -> None:
    for command in ("get", "dump", "explain"):
        result = run(AMPHO, ["config", command, key], odd_root)
        line = assert_one_line_error(result)
        assert line.startswith(f"Error: {key}: a part in double quotes must be a JSON string")


def test_docs_prints_a_declared_dotted_key_as_commands_take_it(tmp_path: Path) -> None:
    schema = {
        "properties": {
            "LOGGERS": {
                "type": "object",
                "properties": {"shop.orders": {"type": "object", "properties": {"LEVEL": {}}}},
            }
        }
    }
    root = tmp_path / "docs"
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "schema.json").write_text(json.dumps(schema))
    (root / "app" / "default.json").write_text('{"LOGGERS": {"shop.orders": {"LEVEL": "INFO"}}}')
    rows = json.loads(run(AMPHO, ["config", "docs", "--format", "json"], root).stdout)
    row = next(row for row in rows if row["declared_in"] == "app/schema.json")
    assert row["key"] == 'LOGGERS."shop.orders".LEVEL'
    assert row["default"] == "INFO"
    got = run(AMPHO, ["config", "get", row["key"]], root)
    assert got.stdout == "INFO\n"


# --- dump --format env --------------------------------------------------------------


def parse_env_file(text: str) -> dict[str, str]:
    """Read NAME=value lines as a POSIX shell would, values unquoted."""
    pairs = [word.split("=", 1) for word in shlex.split(text)]
    return {name: value for name, value in pairs}


def test_dump_format_env_prints_quoted_ampho_variables(ampho: Ampho, app: Path) -> None:
    result = ampho.ok("config", "dump", "--root", str(app), "--format", "env")
    assert result.stdout.splitlines() == [
        'AMPHO_ALLOWED_HOSTS=\'["a.example.com", "b.example.com"]\'',
        "AMPHO_DB__HOST=x",
        "AMPHO_DB__PORT=5432",
        "AMPHO_DEBUG=false",
        "AMPHO_EMPTY='{}'",
        "AMPHO_SERVER_NAME=null",
    ]


def test_dump_format_env_quotes_with_shlex(ampho: Ampho, tmp_path: Path) -> None:
    values = {"A": "two words", "B": "it's", "C": "$HOME", "D": "42", "E": ""}
    root = write_instance(tmp_path / "q", {"default.json": values})
    result = ampho.ok("config", "dump", "--root", str(root), "--format", "env")
    assert result.stdout.splitlines() == [
        "AMPHO_A=" + shlex.quote("two words"),
        "AMPHO_B=" + shlex.quote("it's"),
        "AMPHO_C=" + shlex.quote("$HOME"),
        "AMPHO_D=" + shlex.quote('"42"'),
        "AMPHO_E=" + shlex.quote(""),
    ]


def test_dump_format_env_writes_object_with_unusable_key_as_json(
    ampho: Ampho, tmp_path: Path
) -> None:
    data = {"OUTER": {"my-key": "dash", "GOOD": 1, "INNER": {"OK": True}}, "OTHER": {"A": 1}}
    root = write_instance(tmp_path / "k", {"default.json": data})
    # --show-secrets: "my-key" names a secret (its last word is KEY).
    result = ampho.ok("config", "dump", "--root", str(root), "--format", "env", "--show-secrets")
    variables = parse_env_file(result.stdout)
    assert set(variables) == {"AMPHO_OUTER", "AMPHO_OTHER__A"}
    assert json.loads(variables["AMPHO_OUTER"]) == data["OUTER"]


def test_dump_format_env_with_key_nests_under_that_key(ampho: Ampho, app: Path) -> None:
    result = ampho.ok("config", "dump", "--root", str(app), "--format", "env", "DB")
    assert result.stdout.splitlines() == ["AMPHO_DB__HOST=x", "AMPHO_DB__PORT=5432"]
    leaf = ampho.ok("config", "dump", "--root", str(app), "--format", "env", "DB.PORT")
    assert leaf.stdout == "AMPHO_DB__PORT=5432\n"


@pytest.mark.parametrize("key", ["ENV", "ROOT", "ENTRY", "my-key", "A__B", "_X", "X_"])
def test_dump_format_env_rejects_top_level_key_no_variable_can_set(
    ampho: Ampho, tmp_path: Path, key: str
) -> None:
    root = write_instance(tmp_path / "bad", {"default.json": {key: 1}})
    result = ampho("config", "dump", "--root", str(root), "--format", "env")
    assert result.exit_code != 0
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Error: ")
    assert repr(key) in lines[0]


AWKWARD = {
    "STR_007": "007",
    "STR_TRUE": "true",
    "STR_NULL": "null",
    "STR_EMPTY": "",
    "STR_BLANK": "   ",
    "STR_SPACES": "  two  spaces  ",
    "STR_QUOTES": "it's \"quoted\" and 'single'",
    "STR_DOLLAR": "$HOME ${PATH} $(id) `id` $$ $1",
    "STR_NEWLINES": "line one\nline two\n\n",
    "STR_LEADING_NEWLINE": "\n1",
    "STR_UNICODE": "Grüße aus 東京 ✓ — ünïcödé 🚀",
    "STR_BACKSLASH": "C:\\path\\n and \\'",
    "STR_TAB": "a\tb",
    "STR_HASH": "# not a comment",
    "STR_SHELL": "a; rm -rf / && echo | cat > x",
    "STR_EQUALS": "a=b=c",
    "STR_JSON_OBJECT": '{"a": 1}',
    "STR_JSON_STRING": '"already quoted"',
    "STR_NUMBERISH": "1.5e3",
    "STR_NEGATIVE": "-1",
    "STR_NAN": "NaN",
    "STR_INFINITY": "-Infinity",
    "STR_URL": "https://example.com/?a=1&b=2",
    # No variable holds a NUL character: these are written as JSON.
    "STR_NUL": "x\0y",
    "STR_NUL_ONLY": "\0",
    "STR_NUL_JSONISH": "1\0",
    "NESTED": {
        "DEEP": {"DEEPER": {"VALUE": "x", "NUMBER": 3}},
        "LIST": [1, "two", None, {"k": "v"}],
        "lower_key": "y",
        "Mixed_Case_1": 1,
        "2FA": True,
        "NUL": "a\0b",
        "NUL_LIST": ["\0", {"k": "\0"}],
    },
    "EMPTY": {},
    "NESTED_EMPTY": {"INNER": {}},
    "WITH_BAD_KEY": {"my-key": "dash", "GOOD": {"A": 1}, "": "empty key", "a b": 2},
    "WITH_DUNDER_KEY": {"A__B": 1},
    "LIST": [1, 2.5, "three", True, None, [], {}, ["nested"]],
    "EMPTY_LIST": [],
    "NULL": None,
    "FLOAT": 0.1,
    "BIG_FLOAT": 1e100,
    "NEG_FLOAT": -2.5,
    "WHOLE_FLOAT": 3.0,
    "INT": 42,
    "BIG_INT": 12345678901234567890,
    "ZERO": 0,
    "TRUE": True,
    "FALSE": False,
    "lower": "top-level lower case",
    "SECRET_KEY": "s3cret",
    "DATABASE_URL": "postgres://app:pa$$w0rd@db/x",
}


def _source_then(shell: str, env_file: str, args: list[str], cwd: Path, **env: str) -> Any:
    """Run ``ampho ARGS`` in ``shell`` after sourcing ``env_file`` with ``set -a``."""
    executable = shutil.which(shell)
    if executable is None:  # pragma: no cover - both are in every image we run on
        pytest.fail(f"{shell} is not installed")
    command = f"set -a; . ./{env_file}; set +a; exec " + shlex.join([*AMPHO, *args])
    return run([executable, "-c", command], [], cwd, **env)


@pytest.mark.parametrize("shell", ["bash", "sh"])
def test_dump_format_env_round_trips_through_a_real_shell(tmp_path: Path, shell: str) -> None:
    # The awkward values are split over layers so the dump is a real merge.
    # A literal ${ is written $${ in a file: ${ starts a reference.
    written = {k: v.replace("${", "$${") if isinstance(v, str) else v for k, v in AWKWARD.items()}
    root = write_instance(
        tmp_path / "app",
        {
            "default.json": {k: v for k, v in written.items() if k < "N"},
            "production.json": {k: v for k, v in written.items() if "N" <= k < "T"},
            "u@h.json": {k: v for k, v in written.items() if k >= "T"},
        },
    )
    # A project with nothing in it: its settings come from the variables.
    empty_root = tmp_path / "empty"
    (empty_root / "instance").mkdir(parents=True)

    original = run(AMPHO, ["config", "dump", "--show-secrets", "--root", str(root)], tmp_path)
    assert original.returncode == 0, original.stderr
    assert json.loads(original.stdout) == AWKWARD

    dumped = run(
        AMPHO,
        ["config", "dump", "--show-secrets", "--format", "env", "--root", str(root)],
        tmp_path,
    )
    assert dumped.returncode == 0, dumped.stderr
    assert all(name.startswith("AMPHO_") for name in parse_env_file(dumped.stdout))
    (tmp_path / "dump.env").write_text(dumped.stdout, encoding="utf-8")

    args = ["config", "dump", "--show-secrets", "--root", str(empty_root)]
    rebuilt = _source_then(shell, "dump.env", args, tmp_path)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert rebuilt.stderr == ""
    assert json.loads(rebuilt.stdout) == json.loads(original.stdout)
    assert rebuilt.stdout == original.stdout
    # One value read back by a script, byte for byte.
    nul = _source_then(
        shell, "dump.env", ["config", "get", "--root", str(empty_root), "STR_NUL"], tmp_path
    )
    assert nul.stdout == "x\0y\n"


#: A schema typing some keys: a string-only key is read back as the
#: text, never decoded, so it is written as the text.
TYPED_SCHEMA = {
    "type": "object",
    "properties": {
        "TEXT": {"type": "string"},
        "TEXT_JSONISH": {"type": "string"},
        "MAYBE": {"type": ["string", "null"]},
        "MAYBE_NUL": {"type": ["string", "null"]},
        "NUMBERISH": {"type": ["string", "integer"]},
        "SECTION": {
            "type": "object",
            "properties": {"TEXT": {"type": "string"}, "NUL": {"type": ["string", "null"]}},
        },
    },
}

TYPED = {
    "TEXT": 'it\'s "quoted" $HOME\n',
    "TEXT_JSONISH": '"007"',
    "MAYBE": "null",
    "MAYBE_NUL": "a\0b",
    "NUMBERISH": "5",
    "SECTION": {"TEXT": "true", "NUL": "\0"},
    "UNDECLARED_NUL": "\0\0",
}


def _typed_root(root: Path, settings: dict[str, Any]) -> Path:
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "schema.json").write_text(json.dumps(TYPED_SCHEMA))
    return write_instance(root, {"default.json": settings})


@pytest.mark.parametrize("shell", ["bash", "sh"])
def test_dump_format_env_round_trips_typed_keys_and_nul_characters(
    tmp_path: Path, shell: str
) -> None:
    """Every value written is read back the same, through a real shell,
    by the same schemas: the empty instance directory keeps the bundle."""
    root = _typed_root(tmp_path / "app", TYPED)
    dumped = run(AMPHO, ["config", "dump", "--show-secrets", "--format", "env"], root)
    assert dumped.returncode == 0, dumped.stderr
    assert "\0" not in dumped.stdout
    (root / "dump.env").write_text(dumped.stdout, encoding="utf-8")
    (root / "empty").mkdir()
    empty = {"AMPHO_INSTANCE_DIR": str(root / "empty")}
    args = ["config", "dump", "--show-secrets"]
    rebuilt = _source_then(shell, "dump.env", args, root, **empty)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert json.loads(rebuilt.stdout) == TYPED
    explained = _source_then(shell, "dump.env", [*args, "--explain"], root, **empty)
    lines = explained.stdout.splitlines()
    assert len(lines) == 8
    assert all("(env AMPHO_" in line for line in lines), lines


@pytest.mark.parametrize(
    ("settings", "key"),
    [
        ({"TEXT": "x\0y"}, "TEXT"),
        ({"SECTION": {"TEXT": "\0"}}, "SECTION.TEXT"),
    ],
)
def test_dump_format_env_refuses_a_nul_in_a_string_only_key(
    tmp_path: Path, settings: dict[str, Any], key: str
) -> None:
    """Read as the text, it could not be written as JSON: one line names it."""
    root = _typed_root(tmp_path / "app", settings)
    result = run(AMPHO, ["config", "dump", "--show-secrets", "--format", "env"], root)
    line = assert_one_line_error(result)
    assert line.startswith(f"Error: {key}: the string holds a NUL character")
    assert "AMPHO_" + key.replace(".", "__") in line


# A config whose top-level keys can all be variables; anything below.
_NAME = st.from_regex(r"[A-Za-z0-9]{1,4}(?:_[A-Za-z0-9]{1,3}){0,2}", fullmatch=True).filter(
    lambda name: name not in ("ENV", "ENTRY", "ROOT")
)
_AWKWARD_STRINGS = st.sampled_from(
    ["", " ", "007", "true", "false", "null", "1.0", "-0", "[1]", "{}", '"x"', "NaN", "a b"]
)
# Keys below the top level that no variable name part can spell.
_AWKWARD_KEYS = st.sampled_from(["my-key", "", "_", "__", "a__b", "_a", "a_", "a b", "é"])
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
    | _AWKWARD_STRINGS
)
_VALUES = st.recursive(
    _SCALARS,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(_NAME | _AWKWARD_KEYS | st.text(max_size=4), children, max_size=3)
    ),
    max_leaves=8,
)
_CONFIGS = st.dictionaries(_NAME, _VALUES, max_size=5)


def _canonical(data: Any) -> str:
    """Equal only for equal JSON: 1, 1.0 and true stay apart."""
    return json.dumps(data, sort_keys=True)


@pytest.fixture(scope="module")
def empty_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("empty-root")


@settings(max_examples=60, deadline=None, database=None)
@given(data=_CONFIGS)
def test_to_environ_then_load_rebuilds_the_config(empty_root: Path, data: dict[str, Any]) -> None:
    environ = dict(to_environ(data, "AMPHO"))
    assert all(name.startswith("AMPHO_") for name in environ)
    cfg = load(empty_root, environ=environ, user="u", host="h")
    assert _canonical(cfg.to_dict()) == _canonical(data)


# --- secrets ---------------------------------------------------------------------

SECRET_NAMES = [
    "SECRET_KEY",
    "MySecret",
    "DB_PASSWORD",
    "password",
    "SMTP_PASSWD",
    "GITHUB_TOKEN",
    "Stripe_Api_Key",
    "PRIVATE_KEY",
    "AWS_CREDENTIALS",
]


@pytest.fixture
def secrets_app(tmp_path: Path) -> Path:
    data = {
        "HOST": "db.internal",
        "USER_NAME": "app",
        "DATABASE_URL": "postgres://app:s3cret@db/x",
        "PLAIN_URL": "http://db:5432/x",
        "URLS": ["redis://:r3dis@cache:6379/0", "https://example.com"],
        "NESTED": {"PASSWORD": "inner-pw", "LEVEL": 3},
        "CREDENTIALS": {"user": "a", "key": "b"},
        "EMPTY_TOKEN": "",
        **{name: f"value-of-{name}" for name in SECRET_NAMES},
    }
    return write_instance(tmp_path / "s", {"default.json": {}, "production.json": data})


def test_dump_json_redacts_secrets_by_default(ampho: Ampho, secrets_app: Path) -> None:
    result = ampho.ok("config", "dump", "--root", str(secrets_app))
    data = json.loads(result.stdout)
    for name in SECRET_NAMES:
        assert data[name] == "***", name
    assert data["DATABASE_URL"] == "postgres://app:***@db/x"
    assert data["URLS"] == ["redis://:***@cache:6379/0", "https://example.com"]
    assert data["NESTED"] == {"PASSWORD": "***", "LEVEL": 3}
    assert data["CREDENTIALS"] == "***"
    # What is not a secret is left alone.
    assert data["HOST"] == "db.internal"
    assert data["USER_NAME"] == "app"
    assert data["PLAIN_URL"] == "http://db:5432/x"
    for name in SECRET_NAMES:
        assert f"value-of-{name}" not in result.stdout
    assert "s3cret" not in result.stdout
    assert "inner-pw" not in result.stdout


def test_dump_show_secrets_prints_them(ampho: Ampho, secrets_app: Path) -> None:
    result = ampho.ok("config", "dump", "--root", str(secrets_app), "--show-secrets")
    data = json.loads(result.stdout)
    for name in SECRET_NAMES:
        assert data[name] == f"value-of-{name}"
    assert data["DATABASE_URL"] == "postgres://app:s3cret@db/x"
    assert data["URLS"][0] == "redis://:r3dis@cache:6379/0"
    assert data["NESTED"]["PASSWORD"] == "inner-pw"
    assert data["CREDENTIALS"] == {"user": "a", "key": "b"}
    assert "***" not in result.stdout


def test_dump_format_env_redacts_secrets(ampho: Ampho, secrets_app: Path) -> None:
    result = ampho.ok("config", "dump", "--root", str(secrets_app), "--format", "env")
    variables = parse_env_file(result.stdout)
    for name in SECRET_NAMES:
        assert variables[f"AMPHO_{name}"] == "***", name
    assert variables["AMPHO_DATABASE_URL"] == "postgres://app:***@db/x"
    assert variables["AMPHO_NESTED__PASSWORD"] == "***"
    assert "s3cret" not in result.stdout
    shown = ampho.ok(
        "config", "dump", "--root", str(secrets_app), "--format", "env", "--show-secrets"
    )
    assert parse_env_file(shown.stdout)["AMPHO_NESTED__PASSWORD"] == "inner-pw"


def test_dump_explain_redacts_secrets(ampho: Ampho, secrets_app: Path) -> None:
    result = ampho.ok("config", "dump", "--root", str(secrets_app), "--explain")
    lines = result.stdout.splitlines()
    assert 'DATABASE_URL = "postgres://app:***@db/x"  (instance/production.json:4:3)' in lines
    assert 'NESTED.PASSWORD = "***"  (instance/production.json:11:5)' in lines
    assert 'SECRET_KEY = "***"  (instance/production.json:19:3)' in lines
    assert "s3cret" not in result.stdout
    assert "value-of-" not in result.stdout
    shown = ampho.ok("config", "dump", "--root", str(secrets_app), "--explain", "--show-secrets")
    assert 'SECRET_KEY = "value-of-SECRET_KEY"  (instance/production.json:19:3)' in (
        shown.stdout.splitlines()
    )


@pytest.mark.parametrize(
    ("key", "masked", "shown"),
    [
        ("SECRET_KEY", '"***"', '"value-of-SECRET_KEY"'),
        ("NESTED.PASSWORD", '"***"', '"inner-pw"'),
        ("DATABASE_URL", '"postgres://app:***@db/x"', '"postgres://app:s3cret@db/x"'),
        ("CREDENTIALS", '"***"', None),
        ("NESTED", '{\n  "LEVEL": 3,\n  "PASSWORD": "***"\n}', None),
    ],
)
def test_dump_key_redacts_secrets(
    ampho: Ampho, secrets_app: Path, key: str, masked: str, shown: str | None
) -> None:
    result = ampho.ok("config", "dump", "--root", str(secrets_app), key)
    assert result.stdout == masked + "\n"
    revealed = ampho.ok("config", "dump", "--root", str(secrets_app), "--show-secrets", key)
    assert "***" not in revealed.stdout
    if shown is not None:
        assert revealed.stdout == shown + "\n"


def test_dump_key_redacts_secret_under_explain_and_env(ampho: Ampho, secrets_app: Path) -> None:
    explained = ampho.ok("config", "dump", "--root", str(secrets_app), "--explain", "GITHUB_TOKEN")
    assert explained.stdout.startswith('GITHUB_TOKEN = "***"  (instance/production.json:')
    env = ampho.ok("config", "dump", "--root", str(secrets_app), "--format", "env", "NESTED")
    assert parse_env_file(env.stdout) == {
        "AMPHO_NESTED__LEVEL": "3",
        "AMPHO_NESTED__PASSWORD": "***",
    }


# --- get -------------------------------------------------------------------------


@pytest.fixture
def get_app(tmp_path: Path) -> Path:
    data = {
        "NAME": "My App",
        "ZIP": "007",
        "WORD": "true",
        "MULTI": "a\nb",
        "CITY": "東京",
        "PORT": 5432,
        "RATIO": 0.5,
        "DEBUG": False,
        "NOTHING": None,
        "DB": {"HOST": "x", "PORT": 1},
        "HOSTS": ["a", "b"],
        "SECRET_KEY": "s3cret",
        "DATABASE_URL": "postgres://app:pw@db/x",
    }
    return write_instance(tmp_path / "g", {"default.json": data})


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("NAME", "My App"),
        ("ZIP", "007"),
        ("WORD", "true"),
        ("MULTI", "a\nb"),
        ("CITY", "東京"),
        ("PORT", "5432"),
        ("RATIO", "0.5"),
        ("DEBUG", "false"),
        ("NOTHING", "null"),
        ("DB.HOST", "x"),
        ("DB.PORT", "1"),
    ],
)
def test_get_prints_strings_raw_and_the_rest_as_json(
    ampho: Ampho, get_app: Path, key: str, expected: str
) -> None:
    result = ampho.ok("config", "get", "--root", str(get_app), key)
    assert result.stdout == expected + "\n"
    assert result.stderr == ""


def test_get_prints_structures_as_json(ampho: Ampho, get_app: Path) -> None:
    db = ampho.ok("config", "get", "--root", str(get_app), "DB").stdout
    assert json.loads(db) == {"HOST": "x", "PORT": 1}
    assert db.count("\n") == 1  # one line, for a shell variable
    hosts = ampho.ok("config", "get", "--root", str(get_app), "HOSTS").stdout
    assert json.loads(hosts) == ["a", "b"]


def test_get_prints_secrets_unredacted(ampho: Ampho, get_app: Path) -> None:
    assert ampho.ok("config", "get", "--root", str(get_app), "SECRET_KEY").stdout == "s3cret\n"
    url = ampho.ok("config", "get", "--root", str(get_app), "DATABASE_URL").stdout
    assert url == "postgres://app:pw@db/x\n"


def test_get_honours_env_option(ampho: Ampho, app: Path) -> None:
    assert ampho.ok("config", "get", "--root", str(app), "DB.HOST").stdout == "x\n"
    staging = ampho.ok("config", "get", "--root", str(app), "--env", "staging", "DB.HOST")
    assert staging.stdout == "staging-db\n"


def test_get_missing_key_exits_1(ampho: Ampho, get_app: Path) -> None:
    result = ampho("config", "get", "--root", str(get_app), "DB.NOPE")
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Error: ")
    assert "NOPE" in lines[0]


# --- check -----------------------------------------------------------------------


def check(ampho: Ampho, root: Path, *args: str) -> Result:
    return ampho("config", "check", "--root", str(root), *args)


def test_check_clean_directory_exits_0(ampho: Ampho, app: Path) -> None:
    result = check(ampho, app)
    assert result.exit_code == 0, result.stdout
    assert result.stdout == ""
    strict = check(ampho, app, "--strict")
    assert strict.exit_code == 0, strict.stdout


def test_check_reports_parse_error_with_location(ampho: Ampho, app: Path) -> None:
    write_instance(app, {"broken.json": '{\n  "A": [1,\n}\n'})
    result = check(ampho, app)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "instance/broken.json:3:1: error: } does not close the array that starts at line 2,"
        " column 8: a ] is missing"
    ]


def test_check_reports_every_broken_file(ampho: Ampho, app: Path) -> None:
    write_instance(app, {"one.json": "{", "two.json": "[1]"})
    result = check(ampho, app)
    assert result.exit_code == 1
    assert any(line.startswith("instance/one.json:1:") for line in result.stdout.splitlines())
    assert any(line.startswith("instance/two.json:1:1:") for line in result.stdout.splitlines())


def test_check_reports_duplicate_keys_as_errors(ampho: Ampho, app: Path) -> None:
    write_instance(
        app,
        {
            "staging.json": (
                '{\n  "DB": {\n    "HOST": "a",\n    "HOST": "b"\n  },\n  "DEBUG": true\n}\n'
            )
        },
    )
    result = check(ampho, app)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("instance/staging.json:4:5: error: ")
    assert "DB.HOST" in lines[0]


def test_check_warns_about_key_absent_from_default_with_suggestion(
    ampho: Ampho, tmp_path: Path
) -> None:
    root = write_instance(
        tmp_path / "t",
        {
            "default.json": '{\n  "DATABASE_URL": "sqlite://"\n}\n',
            "production.json": '{\n  "DATABSE_URL": "postgres://db/x"\n}\n',
        },
    )
    result = check(ampho, root)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    line = lines[0]
    assert line.startswith("instance/production.json:2:3: warning: ")
    assert "DATABSE_URL" in line
    assert "did you mean DATABASE_URL" in line
    assert check(ampho, root, "--strict").exit_code == 1


def test_check_warns_about_nested_key_absent_from_default(ampho: Ampho, app: Path) -> None:
    write_instance(app, {"staging.json": '{\n  "DB": {\n    "HOTS": "a"\n  }\n}\n'})
    result = check(ampho, app)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("instance/staging.json:3:5: warning: ")
    assert "DB.HOTS" in lines[0]
    assert "did you mean DB.HOST" in lines[0]


def test_check_warns_about_type_that_differs_from_default(ampho: Ampho, app: Path) -> None:
    write_instance(app, {"staging.json": '{\n  "DB": {\n    "PORT": "5432"\n  }\n}\n'})
    result = check(ampho, app)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("instance/staging.json:3:5: warning: ")
    assert "DB.PORT" in lines[0]
    assert "string" in lines[0]
    assert "number" in lines[0]
    assert check(ampho, app, "--strict").exit_code == 1


def test_check_accepts_null_against_any_type(ampho: Ampho, app: Path) -> None:
    write_instance(app, {"staging.json": '{"SERVER_NAME": "example.com", "DB": {"PORT": null}}'})
    result = check(ampho, app, "--strict")
    assert result.exit_code == 0, result.stdout
    assert result.stdout == ""


def test_check_warns_about_top_level_key_not_upper_case(ampho: Ampho, tmp_path: Path) -> None:
    root = write_instance(
        tmp_path / "c",
        {
            "default.json": (
                '{\n  "DEBUG": false,\n  "debug_toolbar": true,\n  "DB": {"host": 1}\n}\n'
            )
        },
    )
    result = check(ampho, root)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 1  # nested keys may be any case
    assert lines[0].startswith("instance/default.json:3:3: warning: ")
    assert "debug_toolbar" in lines[0]
    assert check(ampho, root, "--strict").exit_code == 1


def test_check_warns_about_secrets_in_default_json(ampho: Ampho, tmp_path: Path) -> None:
    root = write_instance(
        tmp_path / "c",
        {
            "default.json": (
                "{\n"
                '  "SECRET_KEY": "committed",\n'
                '  "DATABASE_URL": "postgres://app:pw@db/x",\n'
                '  "API_TOKEN": null,\n'
                '  "DB_PASSWORD": ""\n'
                "}\n"
            )
        },
    )
    result = check(ampho, root)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 2  # unset secrets (null, "") are fine
    assert lines[0].startswith("instance/default.json:2:3: warning: ")
    assert "SECRET_KEY" in lines[0]
    assert lines[1].startswith("instance/default.json:3:3: warning: ")
    assert "DATABASE_URL" in lines[1]
    assert "pw" not in result.stdout.replace("PASSWORD", "")
    assert check(ampho, root, "--strict").exit_code == 1


@pytest.fixture
def private_app(tmp_path: Path) -> Path:
    return write_instance(
        tmp_path / "p",
        {
            "default.json": '{"DB_PASSWORD": null, "DEBUG": false}',
            "u@h.json": '{\n  "DB_PASSWORD": "pw"\n}\n',
        },
    )


def test_check_warns_about_user_host_secrets_readable_by_others(
    ampho: Ampho, private_app: Path
) -> None:
    (private_app / "instance" / "u@h.json").chmod(0o644)
    result = check(ampho, private_app)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("instance/u@h.json")
    assert "warning" in lines[0]
    assert "DB_PASSWORD" in lines[0]
    assert "0644" in lines[0]
    assert check(ampho, private_app, "--strict").exit_code == 1


def test_check_accepts_user_host_secrets_readable_only_by_owner(
    ampho: Ampho, private_app: Path
) -> None:
    (private_app / "instance" / "u@h.json").chmod(0o600)
    result = check(ampho, private_app, "--strict")
    assert result.exit_code == 0, result.stdout
    assert result.stdout == ""


def test_check_accepts_readable_user_host_file_without_secrets(
    ampho: Ampho, private_app: Path
) -> None:
    # (false: a true DEBUG reaching production is a warning of its own)
    write_instance(private_app, {"u@h.json": '{"DEBUG": false}'})
    (private_app / "instance" / "u@h.json").chmod(0o644)
    assert check(ampho, private_app, "--strict").exit_code == 0


def test_check_errors_exit_1_even_with_only_warnings_elsewhere(ampho: Ampho, app: Path) -> None:
    write_instance(app, {"staging.json": '{"DEBUG": 1, "DEBUG": 2}', "qa.json": '{"lower": 1}'})
    result = check(ampho, app)
    assert result.exit_code == 1
    assert " error: " in result.stdout
    assert " warning: " in result.stdout


def test_check_env_option_limits_the_files_checked(ampho: Ampho, app: Path) -> None:
    write_instance(app, {"staging.json": "{ broken"})
    result = check(ampho, app, "--env", "production")
    assert result.exit_code == 0
    assert " error: " not in result.stdout
    assert "instance/staging.json" in result.stdout
    assert check(ampho, app, "--env", "production", "--env", "staging").exit_code == 1


# --- diff ------------------------------------------------------------------------


def diff_blocks(stdout: str) -> dict[str, list[str]]:
    """``{key: [line for env A, line for env B]}`` from diff output."""
    blocks: dict[str, list[str]] = {}
    current: list[str] = []
    for line in stdout.splitlines():
        if line.startswith(" "):
            current.append(line.strip())
        else:
            current = blocks.setdefault(line, [])
    return blocks


@pytest.fixture
def diff_app(tmp_path: Path) -> Path:
    return write_instance(
        tmp_path / "d",
        {
            "default.json": DEFAULT_JSON,
            "staging.json": (
                "{\n"
                '  "DB": {"HOST": "staging-db"},\n'
                '  "DATABASE_URL": "postgres://app:stage-pw@db-staging/x",\n'
                '  "SECRET_KEY": "stage-secret",\n'
                '  "SAME_SECRET": "same",\n'
                '  "ONLY_STAGING": true,\n'
                '  "NUMBER": 1\n'
                "}\n"
            ),
            "production.json": (
                "{\n"
                '  "DB": {"HOST": "prod-db"},\n'
                '  "DATABASE_URL": "postgres://app:prod-pw@db-prod/x",\n'
                '  "SECRET_KEY": "prod-secret",\n'
                '  "SAME_SECRET": "same",\n'
                '  "NUMBER": 1.0\n'
                "}\n"
            ),
        },
    )


def test_diff_prints_differing_keys_with_values_and_origins(ampho: Ampho, diff_app: Path) -> None:
    result = ampho.ok("config", "diff", "--root", str(diff_app), "staging", "production")
    blocks = diff_blocks(result.stdout)
    assert blocks["DB.HOST"] == [
        'staging     "staging-db"  (instance/staging.json:2:10)',
        'production  "prod-db"  (instance/production.json:2:10)',
    ]
    assert blocks["NUMBER"] == [
        "staging     1  (instance/staging.json:7:3)",
        "production  1.0  (instance/production.json:6:3)",
    ]


def test_diff_marks_key_missing_on_one_side_as_not_set(ampho: Ampho, diff_app: Path) -> None:
    result = ampho.ok("config", "diff", "--root", str(diff_app), "staging", "production")
    assert diff_blocks(result.stdout)["ONLY_STAGING"] == [
        "staging     true  (instance/staging.json:6:3)",
        "production  (not set)",
    ]
    reverse = ampho.ok("config", "diff", "--root", str(diff_app), "production", "staging")
    assert diff_blocks(reverse.stdout)["ONLY_STAGING"] == [
        "production  (not set)",
        "staging     true  (instance/staging.json:6:3)",
    ]


def test_diff_omits_identical_keys(ampho: Ampho, diff_app: Path) -> None:
    result = ampho.ok("config", "diff", "--root", str(diff_app), "staging", "production")
    keys = set(diff_blocks(result.stdout))
    assert not keys & {"DB.PORT", "DEBUG", "SERVER_NAME", "EMPTY", "SAME_SECRET"}
    same = ampho.ok("config", "diff", "--root", str(diff_app), "staging", "staging")
    assert same.stdout == ""


def test_diff_redacts_url_passwords(ampho: Ampho, diff_app: Path) -> None:
    result = ampho.ok("config", "diff", "--root", str(diff_app), "staging", "production")
    assert diff_blocks(result.stdout)["DATABASE_URL"] == [
        'staging     "postgres://app:***@db-staging/x"  (instance/staging.json:3:3)',
        'production  "postgres://app:***@db-prod/x"  (instance/production.json:3:3)',
    ]
    assert "stage-pw" not in result.stdout
    assert "prod-pw" not in result.stdout


def test_diff_lists_differing_secrets_masked(ampho: Ampho, diff_app: Path) -> None:
    """SECRET_KEY differs between the two: say so, without showing either."""
    result = ampho.ok("config", "diff", "--root", str(diff_app), "staging", "production")
    assert "stage-secret" not in result.stdout
    assert "prod-secret" not in result.stdout
    assert diff_blocks(result.stdout).get("SECRET_KEY") == [
        'staging     "***"  (instance/staging.json:4:3)',
        'production  "***"  (instance/production.json:4:3)',
    ]


def test_diff_show_secrets_prints_them(ampho: Ampho, diff_app: Path) -> None:
    result = ampho.ok(
        "config", "diff", "--root", str(diff_app), "--show-secrets", "staging", "production"
    )
    blocks = diff_blocks(result.stdout)
    assert blocks["SECRET_KEY"] == [
        'staging     "stage-secret"  (instance/staging.json:4:3)',
        'production  "prod-secret"  (instance/production.json:4:3)',
    ]
    assert blocks["DATABASE_URL"][0].startswith(
        'staging     "postgres://app:stage-pw@db-staging/x"'
    )
    assert "SAME_SECRET" not in blocks


def test_diff_includes_environment_overrides(ampho: Ampho, diff_app: Path) -> None:
    """A variable applies to both sides, so it hides the difference."""
    result = ampho.ok(
        "config", "diff", "--root", str(diff_app), "staging", "production", AMPHO_DB__HOST="h1"
    )
    assert "DB.HOST" not in diff_blocks(result.stdout)


# -- what loads, prints ----------------------------------------------------------------


def _deep_document(depth: int, password: str) -> str:
    """An object nested ``depth`` levels, a list with a secret URL at the bottom."""
    return (
        '{"A": '
        + '{"B": ' * (depth - 2)
        + f'[1, "postgres://u:{password}@db/x"]'
        + "}" * (depth - 1)
    )


def _deepest_accepted(root: Path) -> int:
    """The deepest document ``load()`` accepts in a fresh ``ampho`` process.

    Found by bisection: it is the JSON parser's limit, which depends on
    the Python version (about a thousand levels, far more on 3.13).
    """
    low, high = 2, 100_000
    while low < high:
        middle = (low + high + 1) // 2
        (root / "instance/production.json").write_text(_deep_document(middle, "pw"))
        if run(AMPHO, ["config", "get", "A.B"], root).returncode == 0:
            low = middle
        else:
            high = middle - 1
    return low


PRINTING_COMMANDS = [
    ["config", "dump"],
    ["config", "dump", "--show-secrets"],
    ["config", "dump", "--explain"],
    ["config", "dump", "--format", "env"],
    ["config", "dump", "A"],
    ["config", "dump", "--explain", "A.B"],
    ["config", "get", "A"],
    ["config", "diff", "production", "staging"],
    ["config", "check"],
]


def test_the_deepest_configuration_load_accepts_prints_in_every_command(tmp_path: Path) -> None:
    root = tmp_path / "app"
    (root / "instance").mkdir(parents=True)
    depth = _deepest_accepted(root)
    assert depth >= 500, depth  # the nesting the issue reported as unprintable
    (root / "instance/production.json").write_text(_deep_document(depth, "pw"))
    (root / "instance/staging.json").write_text(_deep_document(depth, "other"))
    (root / "instance/default.json").write_text("{}")
    for args in PRINTING_COMMANDS:
        result = run(AMPHO, args, root)
        assert result.returncode == 0, (args, result.stderr[-500:])
        # Nothing but the check's summary (warnings: A is not in default.json).
        assert result.stderr in ("", "0 error(s), 2 warning(s)\n"), (args, result.stderr[-500:])
        if args[1] != "check":
            assert "postgres://u:" in result.stdout, args
        if args[1] != "get" and "--show-secrets" not in args:
            assert "pw" not in result.stdout, args
    # One level deeper is refused at load, with the place, by every command.
    (root / "instance/production.json").write_text(_deep_document(depth + 1, "pw"))
    for args in PRINTING_COMMANDS[:-1]:
        result = run(AMPHO, args, root)
        assert result.returncode == 1, args
        # At the list, the deepest opening bracket: after depth - 1 '{"X": '.
        assert result.stderr == (
            f"Error: instance/production.json:1:{depth * 6 + 1}:"
            f" is nested too deeply ({depth + 1} levels)\n"
        ), args


def test_variables_nesting_as_deep_as_a_name_may_print(tmp_path: Path) -> None:
    from ampho.config.sources.environ import MAX_NAME_LEVELS

    (tmp_path / "instance").mkdir()
    name = "AMPHO_" + "__".join(["K"] * MAX_NAME_LEVELS)
    value = "[" * 400 + '"token"' + "]" * 400
    for args in [*PRINTING_COMMANDS[:4], ["config", "get", "K"]]:
        result = run(AMPHO, args, tmp_path, **{name: value})
        assert result.returncode == 0, (args, result.stderr[-500:])
        assert "token" in result.stdout, args


def test_dump_prints_strict_json(ampho: Ampho, tmp_path: Path) -> None:
    write_instance(tmp_path, {"default.json": '{"A": 1e308, "B": -0.0, "C": [1.5e-300]}'})
    result = ampho.ok("config", "dump", "--root", str(tmp_path))

    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} in the output")

    assert json.loads(result.stdout, parse_constant=refuse) == {
        "A": 1e308,
        "B": -0.0,
        "C": [1.5e-300],
    }


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(max_size=4), children, max_size=4)
        ),
        max_leaves=20,
    ),
    st.sampled_from([None, 2]),
)
def test_to_json_writes_what_json_dumps_writes(value: Any, indent: int | None) -> None:
    from ampho.config.output import to_json

    expected = json.dumps(value, indent=indent, sort_keys=True, ensure_ascii=False)
    assert to_json(value, indent=indent) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"A": [float("nan")]}, "A.0: nan is not a JSON number"),
        ({"A": {"B": float("inf")}}, "A.B: inf is not a JSON number"),
        ({"A": 10**5000}, "A: the integer is too long to write out"),
    ],
)
def test_to_json_refuses_what_strict_json_cannot_hold(value: Any, message: str) -> None:
    from ampho.config import ConfigError
    from ampho.config.output import to_json

    with pytest.raises(ConfigError) as excinfo:
        to_json(value)
    assert str(excinfo.value) == message


def test_to_json_escapes_what_is_not_text_so_it_can_be_printed() -> None:
    from ampho.config.output import to_json

    assert to_json({"\udfff": "x\ud800"}) == '{"\\udfff": "x\\ud800"}'


def test_to_json_writes_other_objects_with_their_repr_and_any_depth() -> None:
    from ampho.config.output import to_json

    assert to_json({"T": (1, 2), "S": frozenset(), "C": dict}) == (
        '{"C": "<class \'dict\'>", "S": "frozenset()", "T": [1, 2]}'
    )
    deep: Any = 1
    for _ in range(5_000):
        deep = {"a": [deep]}
    text = to_json(deep)
    assert text.startswith('{"a": [{"a": [') and text.endswith("]}]}")
