"""Composed settings: ``${KEY.PATH}`` and ``${env:NAME}`` in string values.

Through ``load()``, ``create_app()``, the real ``ampho`` command and the
pytest plugin: the syntax, the types, the resolution after every layer,
each error at its template's place, the origins, and a composed secret in
every printing path.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from processes import AMPHO, assert_one_line_error, run, write_tree

from ampho.config import Config, ConfigError, SettingsInvalid, Source, redact

#: The database URL from parts of three layers: the user in default.json,
#: the host in production.json, the password in the secrets directory.
DEFAULT = """\
{
  "DB": {"USER": "site", "HOST": "localhost", "PORT": 5432, "NAME": "shop"},
  "SQLALCHEMY_DATABASE_URI":
    "postgresql://${DB.USER}:${DB.PASSWORD}@${DB.HOST}:${DB.PORT}/${DB.NAME}",
  "DSN": "user=${DB.USER} key ${DB.PASSWORD}"
}
"""
PRODUCTION = '{\n  "DB": {"HOST": "db.internal"}\n}\n'
PASSWORD = "kx-s3cret-9"
COMPOSED = f"postgresql://site:{PASSWORD}@db.internal:5432/shop"
MASKED = "postgresql://site:***@db.internal:5432/shop"


@pytest.fixture
def shop(write: Callable[..., Path], root: Path) -> Path:
    write("instance/default.json", DEFAULT)
    write("instance/production.json", PRODUCTION)
    write("secrets/DB__PASSWORD", PASSWORD)
    return root


def load_shop(load_root: Callable[..., Config], **kwargs: Any) -> Config:
    return load_root(secrets_dir="secrets", **kwargs)


def test_a_value_is_composed_from_parts_of_every_layer(
    shop: Path, load_root: Callable[..., Config]
) -> None:
    cfg = load_shop(load_root)
    assert cfg["SQLALCHEMY_DATABASE_URI"] == COMPOSED
    assert cfg["DSN"] == f"user=site key {PASSWORD}"


def test_overriding_a_part_changes_the_composite_and_overriding_it_replaces_it(
    shop: Path, load_root: Callable[..., Config]
) -> None:
    cfg = load_shop(load_root, environ={"AMPHO_DB__HOST": "other"})
    assert cfg["SQLALCHEMY_DATABASE_URI"] == f"postgresql://site:{PASSWORD}@other:5432/shop"
    cfg = load_shop(load_root, overrides={"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert cfg["SQLALCHEMY_DATABASE_URI"] == "sqlite://"
    assert cfg.references("SQLALCHEMY_DATABASE_URI") == []


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("${DB.PORT}", 5432),  # exactly one reference: the value with its type
        ("${DB}", {"PORT": 5432, "ON": True, "NONE": None}),
        ("port ${DB.PORT}", "port 5432"),  # inside text: JSON text
        ("${DB.ON}/${DB.NONE}", "true/null"),
        ("cost: $5, $HOME, {x}, $}", "cost: $5, $HOME, {x}, $}"),  # nothing else changes
        ("$${DB.PORT} is ${DB.PORT}", "${DB.PORT} is 5432"),  # $${ is a literal ${
        ("$${", "${"),
    ],
)
def test_references_and_what_they_give(
    write: Callable[..., Path], load_root: Callable[..., Config], written: str, value: Any
) -> None:
    settings = {"DB": {"PORT": 5432, "ON": True, "NONE": None}, "X": written}
    write("instance/default.json", json.dumps(settings))
    assert load_root()["X"] == value


def test_references_chain_and_reach_into_composed_objects(
    write: Callable[..., Path], load_root: Callable[..., Config]
) -> None:
    settings = {
        "A": "${B}-a",
        "B": "${C}-b",
        "C": "c",
        "COPY": "${D}",
        "D": {"E": "${C}"},
        "F": "${COPY.E}!",
        "L": ["${C}", {"M": "${B}"}],
    }
    write("instance/default.json", json.dumps(settings))
    cfg = load_root()
    assert (cfg["A"], cfg["B"], cfg["F"]) == ("c-b-a", "c-b", "c!")
    assert cfg["COPY"] == {"E": "c"}
    assert cfg.lookup("L").to_list() == ["c", {"M": "c-b"}]


def test_a_variable_of_the_environment_and_its_fallback(
    write: Callable[..., Path], load_root: Callable[..., Config]
) -> None:
    settings = {
        "URL": "${env:DATABASE_URL}",
        "REDIS": "${env:REDIS_URL:-redis://localhost:6379/0}",
        "EMPTY": "${env:BLANK:-used}",
        "PORT": "${env:PORT}",
        "LABEL": "port ${env:PORT}",
    }
    write("instance/default.json", json.dumps(settings))
    environ = {"DATABASE_URL": "postgres://u@h/d", "BLANK": "", "PORT": "8080"}
    cfg = load_root(environ=environ)
    assert cfg["URL"] == "postgres://u@h/d"
    assert (cfg["REDIS"], cfg["EMPTY"]) == ("redis://localhost:6379/0", "used")
    # A whole variable is typed as an AMPHO_ variable is; inside text, text.
    assert (cfg["PORT"], cfg["LABEL"]) == (8080, "port 8080")


def test_a_whole_variable_is_typed_by_the_schema(
    write: Callable[..., Path], load_root: Callable[..., Config]
) -> None:
    write("instance/default.json", '{"ZIP": "${env:ZIP}", "PORT": "${env:PORT}"}')
    schema = {"properties": {"ZIP": {"type": "string"}, "PORT": {"type": "integer"}}}
    cfg = load_root(environ={"ZIP": "01067", "PORT": "8080"}, schemas=[schema])
    assert (cfg["ZIP"], cfg["PORT"]) == ("01067", 8080)


def test_references_are_resolved_before_the_schemas_check(
    write: Callable[..., Path], load_root: Callable[..., Config]
) -> None:
    write("instance/default.json", '{"DB": {"PORT": "abc"}, "PORT": "${DB.PORT}"}')
    schema = {"properties": {"PORT": {"type": "integer"}}}
    with pytest.raises(SettingsInvalid) as caught:
        load_root(schemas=[schema])
    assert str(caught.value) == (
        "instance/default.json:1:33: PORT: 'abc' is not of type 'integer' (schemas[0])"
    )


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"A": "x${NOPE}y"}, "A: ${NOPE} names no setting"),
        ({"A": "${B.C}", "B": "text"}, "A: ${B.C} names no setting"),
        (
            {"A": "${B}", "B": "${C}", "C": "${A}"},
            "A: the references go round in a cycle: A -> B -> C -> A",
        ),
        ({"A": ["${A}"]}, "A.0: the references go round in a cycle: A.0 -> A.0"),
        (
            {"A": "${env:NOT_SET_HERE}"},
            "A: ${env:NOT_SET_HERE}: the environment variable NOT_SET_HERE is not set"
            " (write ${env:NOT_SET_HERE:-text} for a value to use then)",
        ),
        (
            {"A": "x ${B}", "B": {"C": 1}},
            "A: ${B} is an object, which cannot be part of a longer string:"
            " make the whole string the reference",
        ),
        (
            {"A": "x ${B}", "B": [1]},
            "A: ${B} is a list, which cannot be part of a longer string:"
            " make the whole string the reference",
        ),
        ({"A": "abc ${B"}, "A: a ${ that is never closed (write $${ for a literal ${)"),
        ({"A": "${ }"}, "A: ${ } names nothing: write ${KEY.PATH} or ${env:NAME}"),
        ({"A": "${env:}"}, "A: ${env:} names no variable: write ${env:NAME}"),
        ({"A": "${B..C}"}, "A: ${B..C} is not a key: write ${KEY.PATH}"),
    ],
)
def test_each_error_is_one_line_at_the_template(
    write: Callable[..., Path],
    load_root: Callable[..., Config],
    settings: dict[str, Any],
    message: str,
) -> None:
    write("instance/production.json", json.dumps(settings))
    with pytest.raises(ConfigError) as caught:
        load_root()
    # The template's value is the first one of the file, after '{"A": '.
    assert str(caught.value) == f"instance/production.json:1:7: {message}"


def test_an_error_in_an_environment_value_names_the_variable(
    load_root: Callable[..., Config], root: Path
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_root(environ={"AMPHO_A": "${NOPE}"})
    assert str(caught.value) == "env AMPHO_A: A: ${NOPE} names no setting"


def test_origins_name_the_template_and_each_part(
    shop: Path, load_root: Callable[..., Config]
) -> None:
    cfg = load_shop(load_root)
    assert str(cfg.origin("SQLALCHEMY_DATABASE_URI")) == "instance/default.json:3:3"
    parts = [(text, str(origin)) for text, origin, _ in cfg.references("SQLALCHEMY_DATABASE_URI")]
    assert parts == [
        ("${DB.USER}", "instance/default.json:2:10"),
        ("${DB.PASSWORD}", "secrets/DB__PASSWORD"),
        ("${DB.HOST}", "instance/production.json:2:10"),
        ("${DB.PORT}", "instance/default.json:2:47"),
        ("${DB.NAME}", "instance/default.json:2:61"),
    ]
    assert [s.value for s in cfg.explain("SQLALCHEMY_DATABASE_URI")] == [
        "postgresql://${DB.USER}:${DB.PASSWORD}@${DB.HOST}:${DB.PORT}/${DB.NAME}"
    ]
    assert cfg.references("DB.HOST") == []


def test_what_a_whole_reference_copies_comes_from_its_template(
    write: Callable[..., Path], load_root: Callable[..., Config]
) -> None:
    write("instance/default.json", '{"DB": {"HOST": "h"},\n "COPY": "${DB}"}')
    cfg = load_root()
    assert str(cfg.origin("COPY.HOST")) == "instance/default.json:2:2"
    assert [s.value for s in cfg.explain("COPY.HOST")] == ["${DB}"]


def test_a_composed_secret_is_masked_in_part_by_redact(
    shop: Path, load_root: Callable[..., Config]
) -> None:
    shown = redact(load_shop(load_root))
    assert shown["SQLALCHEMY_DATABASE_URI"] == MASKED
    # No rule for URLs helps here: the composition does.
    assert shown["DSN"] == "user=site key ***"


@pytest.mark.parametrize(
    ("settings", "environ", "shown"),
    [
        # A secret by the name of its key, by its variable's name, whole.
        ({"DB": {"PASSWORD": "pw-1"}, "X": "a ${DB.PASSWORD} b"}, {}, "a *** b"),
        ({"X": "t=${env:API_TOKEN}"}, {"API_TOKEN": "tok-1"}, "t=***"),
        ({"DB": {"PASSWORD": "pw-1"}, "X": "${DB.PASSWORD}"}, {}, "***"),
        # A composed secret inside another composition.
        ({"DB": {"PASSWORD": "pw-1"}, "Y": "${DB.PASSWORD}/y", "X": "x/${Y}"}, {}, "x/***/y"),
        # Nothing secret: shown whole.
        ({"DB": {"HOST": "h"}, "X": "at ${DB.HOST}"}, {}, "at h"),
    ],
)
def test_what_makes_a_composed_value_secret(
    write: Callable[..., Path],
    load_root: Callable[..., Config],
    settings: dict[str, Any],
    environ: dict[str, str],
    shown: str,
) -> None:
    write("instance/default.json", json.dumps(settings))
    assert redact(load_root(environ=environ))["X"] == shown


def test_a_value_composed_from_a_declared_or_marked_secret_is_masked(
    write: Callable[..., Path], load_root: Callable[..., Config]
) -> None:
    class Store(Source):
        name = "store"

        def read(self) -> dict[str, Any]:
            return {"STORE": {"KEY": "st-1"}}

        def secret_paths(self) -> list[str]:
            return ["STORE.KEY"]

    settings = {"HOOK": "https://hooks.example/T0", "A": "${HOOK}?x", "B": "k=${STORE.KEY}"}
    write("instance/default.json", json.dumps(settings))
    schema = {"properties": {"HOOK": {"type": "string", "writeOnly": True}}}
    shown = redact(load_root(schemas=[schema], sources=[Store()]))
    assert (shown["A"], shown["B"]) == ("***?x", "k=***")


def test_a_violation_quotes_a_composed_secret_masked(
    write: Callable[..., Path], load_root: Callable[..., Config]
) -> None:
    write(
        "instance/default.json",
        '{"DB": {"PASSWORD": "pw-1"}, "URL": "db://${DB.PASSWORD}@h"}',
    )
    schema = {"properties": {"URL": {"type": "string", "maxLength": 3}}}
    with pytest.raises(SettingsInvalid) as caught:
        load_root(schemas=[schema])
    assert "pw-1" not in str(caught.value)
    assert "'db://***@h' is too long" in str(caught.value)


def test_a_load_without_references_does_not_import_them(root: Path) -> None:
    (root / "instance" / "default.json").write_text('{"A": "$5 {x}", "B": [1, "$HOME"]}')
    code = (
        "import sys, ampho.config; ampho.config.load(user='u', host='h', environ={});"
        " print('ampho.config.references' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert result.stdout == "False\n"


# -- the real command ---------------------------------------------------------


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return write_tree(
        tmp_path / "site",
        {
            "instance/default.json": DEFAULT,
            "instance/production.json": PRODUCTION,
            "secrets/DB__PASSWORD": PASSWORD,
        },
    )


def ampho(site: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return run(AMPHO, list(args), site, AMPHO_SECRETS_DIR="secrets", **env)


@pytest.mark.parametrize(
    "args",
    [
        ["config", "dump"],
        ["config", "dump", "SQLALCHEMY_DATABASE_URI"],
        ["config", "dump", "--format", "env"],
        ["config", "dump", "--explain"],
        ["config", "explain", "SQLALCHEMY_DATABASE_URI"],
        ["config", "explain", "DSN"],
        ["config", "diff", "production", "development"],
        ["config", "check"],
    ],
    ids=lambda args: " ".join(args[1:]),
)
def test_no_command_prints_a_composed_secret(site: Path, args: list[str]) -> None:
    result = ampho(site, *args)
    assert result.returncode == 0, result.stderr
    assert PASSWORD not in result.stdout + result.stderr


def test_dump_shows_the_composed_value_with_the_secret_part_masked(site: Path) -> None:
    assert json.loads(ampho(site, "config", "dump").stdout)["SQLALCHEMY_DATABASE_URI"] == MASKED
    explained = ampho(site, "config", "dump", "--explain").stdout.splitlines()
    assert f'SQLALCHEMY_DATABASE_URI = "{MASKED}"  (instance/default.json:3:3)' in explained
    assert 'DSN = "user=site key ***"  (instance/default.json:5:3)' in explained


def test_explain_shows_the_template_and_where_each_part_came_from(site: Path) -> None:
    result = ampho(site, "config", "explain", "SQLALCHEMY_DATABASE_URI")
    assert result.stdout.splitlines() == [
        "instance/default.json:3:3:"
        ' "postgresql://${DB.USER}:${DB.PASSWORD}@${DB.HOST}:${DB.PORT}/${DB.NAME}"',
        '  ${DB.USER} from instance/default.json:2:10: "site"',
        '  ${DB.PASSWORD} from secrets/DB__PASSWORD: "***"',
        '  ${DB.HOST} from instance/production.json:2:10: "db.internal"',
        "  ${DB.PORT} from instance/default.json:2:47: 5432",
        '  ${DB.NAME} from instance/default.json:2:61: "shop"',
        f'composed: "{MASKED}"  (wins)',
    ]


def test_get_prints_the_composed_value_itself(site: Path) -> None:
    result = ampho(site, "config", "get", "SQLALCHEMY_DATABASE_URI")
    assert result.stdout == COMPOSED + "\n"


def test_a_reference_error_is_one_error_line_of_every_command(site: Path) -> None:
    (site / "instance" / "production.json").write_text('{"A": "${NOPE}"}')
    for args in (["config", "dump"], ["config", "get", "A"], ["config", "explain", "A"]):
        line = assert_one_line_error(ampho(site, *args))
        assert line == "Error: instance/production.json:1:7: A: ${NOPE} names no setting"


def test_check_reports_a_reference_error_at_its_place(site: Path) -> None:
    (site / "instance" / "production.json").write_text('{"A": "${NOPE}"}')
    result = ampho(site, "config", "check")
    assert result.returncode == 1
    assert "instance/production.json:1:7: error: A: ${NOPE} names no setting" in result.stdout, (
        result.stdout
    )


# -- the application and the pytest plugin ----------------------------------

APP = {
    "app/__init__.py": "",
    "app/views.py": (
        "from ampho import route\n"
        "from flask import current_app\n\n\n"
        "@route('/')\n"
        "def index():\n"
        "    return current_app.config['SQLALCHEMY_DATABASE_URI']\n"
    ),
    "instance/default.json": DEFAULT,
    "instance/production.json": PRODUCTION,
    "secrets/DB__PASSWORD": PASSWORD,
    "tests/test_site.py": (
        "import pytest\n\n\n"
        "def test_the_composed_url(client):\n"
        f"    assert client.get('/').text == {COMPOSED!r}\n\n\n"
        "@pytest.mark.ampho_config(DB={'HOST': 'test-db'})\n"
        "def test_a_marker_changes_a_part(client):\n"
        "    assert '@test-db:5432' in client.get('/').text\n\n\n"
        "@pytest.mark.ampho_config(SQLALCHEMY_DATABASE_URI='sqlite://')\n"
        "def test_a_marker_replaces_the_composite(client):\n"
        "    assert client.get('/').text == 'sqlite://'\n"
    ),
}


def test_create_app_composes_its_config_with_its_own_above_every_layer(
    app_tree: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    app_tree.write(APP)
    monkeypatch.setenv("AMPHO_SECRETS_DIR", "secrets")
    app = app_tree.create_app(DB={"HOST": "from-config"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == COMPOSED.replace("db.internal", "from-config")
    assert app.test_client().get("/").text == app.config["SQLALCHEMY_DATABASE_URI"]
    state = app.extensions["ampho"].config
    assert str(state.references("SQLALCHEMY_DATABASE_URI")[2][1]) == "overrides"


def test_the_pytest_plugin_composes_with_the_marker_above_every_layer(tmp_path: Path) -> None:
    project = write_tree(tmp_path / "project", APP)
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "ampho.testing"]
    # The site's settings are production.json's; tests run in `testing` by default.
    args = ["-q", "-o", "ampho_env=production", "tests"]
    result = run(command, args, project, AMPHO_SECRETS_DIR="secrets")
    assert "3 passed" in result.stdout, result.stdout + result.stderr


def test_an_object_copied_whole_keeps_the_secrets_declared_in_it(
    write: Callable[..., Path], load_root: Callable[..., Config]
) -> None:
    write("instance/default.json", '{"DB": {"HOST": "h"}, "COPY": "${DB}"}')
    write("secrets/DB__TOKENISH", "tk-1")
    assert redact(load_root(secrets_dir="secrets"))["COPY"] == {"HOST": "h", "TOKENISH": "***"}


def test_diff_masks_each_side_with_its_own_value(site: Path) -> None:
    (site / "instance" / "development.json").write_text('{"DB": {"HOST": "localhost"}}')
    result = ampho(site, "config", "diff", "development", "production")
    assert result.returncode == 0, result.stderr
    assert "postgresql://site:***@localhost:5432/shop" in result.stdout
    assert MASKED in result.stdout
    assert PASSWORD not in result.stdout


def test_check_takes_no_reference_for_a_committed_secret(
    write: Callable[..., Path], root: Path
) -> None:
    from ampho.config.check import check_instance

    write(
        "instance/default.json",
        json.dumps(
            {
                "DB_PASSWORD": "${env:DB_PASSWORD}",
                "URL": "postgresql://site:${DB_PASSWORD}@db/shop",
                "KEY": "sk_live_51HxQ2kPq8vLw0aZ ${env:SUFFIX:-x}",
            }
        ),
    )
    write("instance/u@h.json", '{"DB_PASSWORD": "${env:DB_PASSWORD}"}').chmod(0o644)
    environ = {"USER": "u", "HOSTNAME": "h", "DB_PASSWORD": "pw"}
    lines = [str(f) for f in check_instance(root, environ=environ, bundles=False)]
    # The written Stripe key is one; the references hold none.
    assert [line for line in lines if "secret" in line] == [
        "instance/default.json:1:90: warning: KEY holds a secret in default.json, which is"
        " usually committed; set it in a user@host file or an AMPHO_ variable"
    ]


# -- what a review found ------------------------------------------------------


def test_a_variable_changed_after_the_load_changes_neither_value_nor_masking(
    write: Callable[..., Path], load_root: Callable[..., Config]
) -> None:
    write("instance/default.json", '{"LOGIN": "site ${env:BROKER_PASSWORD}"}')
    environ = {"BROKER_PASSWORD": "hunter2"}
    cfg = load_root(environ=environ)
    environ.pop("BROKER_PASSWORD")
    assert redact(cfg)["LOGIN"] == "site ***"
    assert cfg.references("LOGIN")[0][2] == "hunter2"


def test_secrets_stay_secret_through_copies_of_copies_and_lists(
    write: Callable[..., Path], load_root: Callable[..., Config]
) -> None:
    settings = {
        "DB": {"HOST": "h", "PGPASS": "h:5432:u:${DB_PASSWORD}"},
        "DB_PASSWORD": "pw-1",
        "C1": "${DB}",
        "C2": "${C1}",
        "C3": "k=${C1.DSN}",
        "L": ["${DB}"],
    }
    write("instance/default.json", json.dumps(settings))
    write("secrets/DB__DSN", "dsn-1")
    shown = redact(load_root(secrets_dir="secrets"))
    text = json.dumps(shown)
    assert "pw-1" not in text and "dsn-1" not in text, text
    assert shown["C2"]["HOST"] == "h"
    assert shown["C2"]["PGPASS"] == "h:5432:u:***"
    assert shown["C3"] == "k=***"
    assert shown["L"][0]["DSN"] == "***"


def test_a_part_is_masked_only_where_the_rules_would_mask_it(
    write: Callable[..., Path], load_root: Callable[..., Config]
) -> None:
    settings = {
        "AUTH": {"SERVER": "sso.example"},  # a section, shown
        "JSON_SORT_KEYS": True,  # a switch, shown
        "DB": {"PASSWORD": ""},  # an empty secret, shown as empty
        "LOGIN_URL": "https://${AUTH.SERVER}/login",
        "SORT": "sort=${JSON_SORT_KEYS}",
        "DSN": "password=${DB.PASSWORD} host=h",
    }
    write("instance/default.json", json.dumps(settings))
    shown = redact(load_root())
    assert (shown["LOGIN_URL"], shown["SORT"]) == ("https://sso.example/login", "sort=true")
    assert shown["DSN"] == "password= host=h"


@pytest.mark.parametrize(
    ("files", "environ", "expected"),
    [
        # A reference inside a secret may be a part of its text: not quoted.
        (
            {"secrets/DB__PASSWORD": "ab${Qz7-part}cd"},
            {},
            "secrets/DB__PASSWORD: DB.PASSWORD: a reference names no setting",
        ),
        (
            {"instance/default.json": '{"API_TOKEN": "x${part-of-it}"}'},
            {},
            "instance/default.json:1:15: API_TOKEN: a reference names no setting",
        ),
        (
            {},
            {"AMPHO_API_TOKEN": "x${env:PART_OF_IT}"},
            "env AMPHO_API_TOKEN: API_TOKEN: a reference names an environment variable"
            " that is not set",
        ),
    ],
)
def test_an_error_quotes_no_reference_of_a_secret(
    write: Callable[..., Path],
    load_root: Callable[..., Config],
    files: dict[str, str],
    environ: dict[str, str],
    expected: str,
) -> None:
    for name, text in files.items():
        write(name, text)
    with pytest.raises(ConfigError) as caught:
        load_root(
            secrets_dir="secrets" if files.get("secrets/DB__PASSWORD") else None, environ=environ
        )
    assert str(caught.value) == expected


def test_a_violation_of_a_secret_composite_quotes_nothing_of_it(
    write: Callable[..., Path], load_root: Callable[..., Config]
) -> None:
    write(
        "instance/default.json",
        '{"DB": {"PASSWORD": "p-1"}, "API_TOKEN": "literalprefix-${DB.PASSWORD}"}',
    )
    schema = {"properties": {"API_TOKEN": {"type": "string", "maxLength": 3}}}
    with pytest.raises(SettingsInvalid) as caught:
        load_root(schemas=[schema])
    assert "literalprefix" not in str(caught.value)
    assert "p-1" not in str(caught.value)


def test_a_chain_too_deep_is_one_error(
    write: Callable[..., Path], load_root: Callable[..., Config]
) -> None:
    settings = {f"K{i}": f"${{K{i + 1}}}" for i in range(2000)}
    settings["K2000"] = "end"
    write("instance/default.json", json.dumps(settings))
    with pytest.raises(ConfigError) as caught:
        load_root()
    assert str(caught.value).startswith("instance/default.json:1:8: K0: the references nest more")


def test_a_value_with_no_text_in_a_longer_string_is_one_error(
    load_root: Callable[..., Config], root: Path
) -> None:
    import datetime

    overrides = {"LIFETIME": datetime.timedelta(days=1), "MSG": "lifetime ${LIFETIME}"}
    with pytest.raises(ConfigError) as caught:
        load_root(overrides=overrides)
    assert str(caught.value) == (
        "overrides: MSG: ${LIFETIME} is a timedelta, which has no text to put in a longer string"
    )
    with pytest.raises(ConfigError) as caught:
        load_root(overrides={"T": (1, 2), "MSG": "t ${T}"})
    assert "MSG: ${T} is a list, which cannot be part of a longer string" in str(caught.value)


def test_a_reference_written_with_json_escapes_is_one_all_the_same(
    write: Callable[..., Path], load_root: Callable[..., Config]
) -> None:
    write("instance/default.json", '{"B": "b", "A": "\\u0024{B}"}')
    assert load_root()["A"] == "b"


def test_a_variable_that_is_no_json_value_is_an_error_at_the_template(
    write: Callable[..., Path], load_root: Callable[..., Config]
) -> None:
    write("instance/default.json", '{"PORT": "${env:PORT}"}')
    with pytest.raises(ConfigError) as caught:
        load_root(environ={"PORT": "NaN"})
    assert str(caught.value).startswith("instance/default.json:1:10: PORT: ${env:PORT}: ")


def test_a_fallback_keeps_its_spaces_and_says_it_was_used(
    write: Callable[..., Path], load_root: Callable[..., Config]
) -> None:
    write("instance/default.json", '{"SEP": "a${env:SEP:- }b", "X": "${ env:X:-x }"}')
    cfg = load_root()
    assert (cfg["SEP"], cfg["X"]) == ("a b", "x ")
    assert str(cfg.references("SEP")[0][1]) == "env SEP (unset: the text after :-)"


def test_explain_hides_every_part_of_a_secret_composed_whole(site: Path) -> None:
    (site / "instance" / "production.json").write_text(
        '{"API_TOKEN": "${env:GH}", "SECRET_KEY": "k-${env:SK}"}'
    )
    for key in ("API_TOKEN", "SECRET_KEY"):
        result = ampho(site, "config", "explain", key, GH="plain-token-1", SK="plain-key-2")
        assert result.returncode == 0, result.stderr
        assert "plain-" not in result.stdout, result.stdout


def test_explain_of_a_key_inside_a_copy_shows_the_copy_and_its_value(site: Path) -> None:
    (site / "instance" / "production.json").write_text('{"COPY": "${DB}"}')
    lines = ampho(site, "config", "explain", "COPY.PORT").stdout.splitlines()
    assert lines[0] == 'instance/production.json:1:2: "${DB}"'
    assert lines[1].startswith("  ${DB} from ")
    assert PASSWORD not in lines[1]
    assert lines[-1] == "composed: 5432  (wins)"
