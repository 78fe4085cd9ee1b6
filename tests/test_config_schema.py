"""Declared settings: bundles' ``schema.json``, violations located to the value.

Every test builds a real package tree (:func:`app_tree`) and loads it as a
script or the application factory would; the violation lines are compared
whole, so a wrong place, key, message or schema name fails.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from processes import in_child

from ampho import create_app
from ampho.config import ConfigError, SettingsInvalid, load
from ampho.config.schema import Schemas, Violation, load_schemas
from ampho.config.tree import depth as output_depth

MAIL_SCHEMA = {
    "type": "object",
    "properties": {
        "MAIL": {
            "type": "object",
            "required": ["HOST"],
            "additionalProperties": False,
            "properties": {
                "HOST": {"type": "string", "description": "The SMTP server."},
                "PORT": {"type": "integer", "minimum": 1},
                "MODE": {"enum": ["smtp", "lmtp"]},
                "USER": {"type": "string", "pattern": "^[a-z]+$"},
                "ZIP": {"type": "string"},
                "CODE": {"type": ["string", "integer"]},
                "SIGNING": {"type": "string", "writeOnly": True, "pattern": "^s"},
            },
        }
    },
}


def mail_tree(app_tree: Any, files: dict[str, str] | None = None) -> Path:
    """``app`` requiring ``mail``, whose ``schema.json`` is :data:`MAIL_SCHEMA`."""
    app_tree.bundle("app", __init__="REQUIRES = ['mail']")
    app_tree.bundle("mail")
    app_tree.write({"mail/schema.json": json.dumps(MAIL_SCHEMA, indent=2)})
    app_tree.write(files or {})
    return app_tree.root  # type: ignore[no-any-return]


def violations(root: Path, environ: dict[str, str] | None = None, **kwargs: Any) -> list[str]:
    """The lines of the :class:`SettingsInvalid` a load raises."""
    with pytest.raises(SettingsInvalid) as caught:
        load(root, user="u", host="h", environ=environ or {}, **kwargs)
    assert str(caught.value).startswith(caught.value.lines()[0])
    return caught.value.lines()


def mail_file(line: str) -> dict[str, str]:
    """``instance/production.json`` with ``HOST`` and one more line in ``MAIL``:
    that line is line 4, its value at column 13 for a four-letter key."""
    return {
        "instance/production.json": '{\n  "MAIL": {\n    "HOST": "h",\n' + f"    {line}\n  }}\n}}\n"
    }


SCHEMA = "(mail/schema.json)"

# One case per kind of violation: the line in the file, the variable,
# the line it gives from the file, from the environment.
KINDS = [
    pytest.param(
        '"PORT": "abc"',
        ("AMPHO_MAIL__PORT", "abc"),
        "MAIL.PORT: 'abc' is not of type 'integer'",
        id="type",
    ),
    pytest.param(
        '"MODE": "pop"',
        ("AMPHO_MAIL__MODE", "pop"),
        "MAIL.MODE: 'pop' is not one of ['smtp', 'lmtp']",
        id="enum",
    ),
    pytest.param(
        '"PORT": 0',
        ("AMPHO_MAIL__PORT", "0"),
        "MAIL.PORT: 0 is less than the minimum of 1",
        id="minimum",
    ),
    pytest.param(
        '"USER": "Bob"',
        ("AMPHO_MAIL__USER", "Bob"),
        "MAIL.USER: 'Bob' does not match '^[a-z]+$'",
        id="pattern",
    ),
    pytest.param(
        '"EXTRA": 1',
        ("AMPHO_MAIL__EXTRA", "1"),
        "MAIL.EXTRA: Additional properties are not allowed ('EXTRA' was unexpected)",
        id="additionalProperties",
    ),
]


@pytest.mark.parametrize(("line", "variable", "message"), KINDS)
def test_a_violation_in_a_file_names_the_place_of_the_value(
    app_tree: Any, line: str, variable: tuple[str, str], message: str
) -> None:
    root = mail_tree(app_tree, mail_file(line))
    column = 5 + line.index(": ") + 2  # four spaces, then the key and ": "
    assert violations(root) == [f"instance/production.json:4:{column}: {message} {SCHEMA}"]


@pytest.mark.parametrize(("line", "variable", "message"), KINDS)
def test_a_violation_from_a_variable_names_the_variable(
    app_tree: Any, line: str, variable: tuple[str, str], message: str
) -> None:
    root = mail_tree(app_tree, {"instance/production.json": '{"MAIL": {"HOST": "h"}}'})
    name, value = variable
    assert violations(root, {name: value}) == [f"env {name}: {message} {SCHEMA}"]


def test_a_missing_required_key_names_the_object_that_lacks_it(app_tree: Any) -> None:
    root = mail_tree(app_tree, {"instance/production.json": '{\n  "MAIL": {"PORT": 25}\n}\n'})
    assert violations(root) == [f"instance/production.json:2:11: MAIL.HOST: is required {SCHEMA}"]
    os.remove(root / "instance" / "production.json")
    assert violations(root, {"AMPHO_MAIL__PORT": "25"}) == [
        f"env AMPHO_MAIL__PORT: MAIL.HOST: is required {SCHEMA}"
    ]


def test_a_required_top_level_key_that_is_missing_has_no_place(app_tree: Any) -> None:
    app_tree.bundle("app")
    app_tree.write({"app/schema.json": '{"type": "object", "required": ["DB", "MAIL"]}'})
    assert violations(app_tree.root) == [
        "DB: is required (app/schema.json)",
        "MAIL: is required (app/schema.json)",
    ]


def test_every_violation_is_listed_and_str_is_one_line(app_tree: Any) -> None:
    root = mail_tree(
        app_tree,
        {
            "instance/production.json": (
                '{\n  "MAIL": {\n    "PORT": "abc",\n    "MODE": "pop",\n    "EXTRA": 1\n  }\n}\n'
            )
        },
    )
    with pytest.raises(SettingsInvalid) as caught:
        load(root, user="u", host="h", environ={})
    error = caught.value
    assert isinstance(error, ConfigError)
    assert error.lines() == [
        f"instance/production.json:2:11: MAIL.HOST: is required {SCHEMA}",
        "instance/production.json:5:14: MAIL.EXTRA: Additional properties are not allowed"
        f" ('EXTRA' was unexpected) {SCHEMA}",
        f"instance/production.json:4:13: MAIL.MODE: 'pop' is not one of ['smtp', 'lmtp'] {SCHEMA}",
        f"instance/production.json:3:13: MAIL.PORT: 'abc' is not of type 'integer' {SCHEMA}",
    ]
    assert str(error) == f"{error.lines()[0]} (and 3 more)"
    assert "\n" not in str(error)
    assert all(isinstance(v, Violation) for v in error.violations)
    first = error.violations[0]
    assert (str(first.where), first.key, first.message, first.schema) == (
        "instance/production.json:2:11",
        "MAIL.HOST",
        "is required",
        "mail/schema.json",
    )


def test_a_list_item_without_a_place_is_located_at_the_list(app_tree: Any) -> None:
    app_tree.bundle("app")
    app_tree.write(
        {
            "app/schema.json": json.dumps(
                {"properties": {"HOSTS": {"type": "array", "items": {"type": "string"}}}}
            ),
            "instance/default.json": '{\n  "HOSTS": ["a", 2]\n}\n',
        }
    )
    assert violations(app_tree.root) == [
        "instance/default.json:2:12: HOSTS.1: 2 is not of type 'string' (app/schema.json)"
    ]


def test_a_key_two_bundles_declare_must_satisfy_both(app_tree: Any) -> None:
    app_tree.bundle("app", __init__="REQUIRES = ['a', 'b']")
    app_tree.bundle("a")
    app_tree.bundle("b")
    app_tree.write(
        {
            "a/schema.json": '{"properties": {"N": {"type": "integer", "minimum": 10}}}',
            "b/schema.json": '{"properties": {"N": {"type": "integer", "maximum": 5}}}',
            "instance/default.json": '{"N": 7}',
        }
    )
    assert violations(app_tree.root) == [
        "instance/default.json:1:7: N: 7 is less than the minimum of 10 (a/schema.json)",
        "instance/default.json:1:7: N: 7 is greater than the maximum of 5 (b/schema.json)",
    ]


SECRET_CASES = [
    pytest.param('"PASSWORD": {"type": "string", "minLength": 20}', "hunter2hunter2", id="by name"),
    pytest.param(
        '"SIGNING": {"type": "string", "writeOnly": true, "pattern": "^s"}',
        "hunter2hunter2",
        id="by writeOnly",
    ),
    pytest.param('"PASSWORD": {"type": "integer"}', "hunter2hunter2", id="type of a secret"),
    pytest.param('"PASSWORD": {"enum": ["a", "b"]}', "hunter2hunter2", id="enum of a secret"),
]


@pytest.mark.parametrize(("declaration", "secret"), SECRET_CASES)
def test_a_secrets_value_is_never_in_a_violation(
    app_tree: Any, declaration: str, secret: str
) -> None:
    key = declaration.split('"')[1]
    app_tree.bundle("app")
    app_tree.write(
        {
            "app/schema.json": '{"properties": {' + declaration + "}}",
            "instance/default.json": json.dumps({key: secret}),
        }
    )
    [line] = violations(app_tree.root)
    assert secret not in line
    assert line.startswith(f"instance/default.json:1:{len(key) + 6}: {key}: *** ")
    assert line.endswith("(app/schema.json)")


def test_a_write_only_key_is_a_declared_secret(app_tree: Any) -> None:
    root = mail_tree(
        app_tree, {"instance/default.json": '{"MAIL": {"HOST": "h", "SIGNING": "sk"}}'}
    )
    cfg = load(root, user="u", host="h", environ={})
    assert ("MAIL", "SIGNING") in cfg.declared_secrets
    assert cfg.schemas is not None and cfg.schemas.write_only(("MAIL", "SIGNING"))
    assert not cfg.schemas.write_only(("MAIL", "HOST"))


# --- typed environment values (issue point 4) ------------------------------------------


@pytest.mark.parametrize(
    ("key", "raw", "expected"),
    [
        ("ZIP", "12345", "12345"),  # declared a string: the text
        ("ZIP", "true", "true"),
        ("ZIP", "null", "null"),
        ("ZIP", "NaN", "NaN"),
        ("ZIP", '"01067"', '"01067"'),  # string only: never decoded, quotes kept
        ("ZIP", '"pass\\u0077ord"', '"pass\\u0077ord"'),
        ("CODE", "12345", 12345),  # string or integer: as Flask reads it
        ("CODE", '"12345"', "12345"),  # a JSON string literal: the string, as Flask reads it
        ("PORT", "25", 25),
        ("HOST", "[1]", "[1]"),
    ],
)
def test_environment_values_are_typed_by_the_schema(
    app_tree: Any, key: str, raw: str, expected: Any
) -> None:
    root = mail_tree(app_tree, {"instance/default.json": '{"MAIL": {"HOST": "h"}}'})
    cfg = load(root, user="u", host="h", environ={f"AMPHO_MAIL__{key}": raw})
    assert cfg.lookup(f"MAIL.{key}") == expected
    assert type(cfg.lookup(f"MAIL.{key}")) is type(expected)
    assert str(cfg.origin(f"MAIL.{key}")) == f"env AMPHO_MAIL__{key}"


def test_undeclared_environment_values_are_read_as_flask_reads_them(app_tree: Any) -> None:
    root = mail_tree(app_tree, {"instance/default.json": '{"MAIL": {"HOST": "h"}}'})
    cfg = load(root, user="u", host="h", environ={"AMPHO_OTHER": "12345"})
    assert cfg["OTHER"] == 12345
    cfg = load(root, user="u", host="h", environ={"AMPHO_MAIL__ZIP": "12345"}, bundles=False)
    assert cfg["MAIL"] == {"HOST": "h", "ZIP": 12345}


#: An optional string as pydantic writes it, and the other combinators.
COMBINED_SCHEMA = {
    "$defs": {"text": {"type": "string"}},
    "properties": {
        "B": {"anyOf": [{"type": "string"}, {"type": "null"}], "description": "Optional."},
        "C": {"oneOf": [{"$ref": "#/$defs/text"}, {"type": "integer"}]},
        "D": {"allOf": [{"type": ["string", "null"]}, {"type": "string"}]},
        "E": {"anyOf": [{"type": "string"}, {}]},
        "F": {"type": ["string", "null"]},
        "G": {"anyOf": [{"type": "string"}, {"type": "object"}]},
    },
}


def test_any_of_and_one_of_allow_the_union_of_their_branches(app_tree: Any) -> None:
    schemas = load_schemas([COMBINED_SCHEMA], str(app_tree.root))
    assert schemas is not None
    assert schemas.declared_types(("B",)) == {"string", "null"}
    assert schemas.declared_types(("C",)) == {"string", "integer"}
    assert schemas.declared_types(("D",)) == {"string"}  # allOf: the intersection
    assert schemas.declared_types(("E",)) is None  # one branch allows anything
    assert schemas.declared_types(("F",)) == {"string", "null"}
    docs = {d.key: d.type for d in schemas.settings()}
    assert docs == {
        "B": "null or string",
        "C": "integer or string",
        "D": "string",
        "E": "any",
        "F": "null or string",
        "G": "object or string",
    }


@pytest.mark.parametrize(
    ("key", "raw", "expected"),
    [
        ("B", "123", "123"),  # a string is allowed: not the integer, no violation
        ("B", "null", None),
        ("B", '"x"', "x"),  # a JSON string: the string, as Flask reads it
        ("C", "123", 123),
        ("C", "abc", "abc"),
        ("D", "null", "null"),
        ("G", '{"a": 1}', {"a": 1}),
        ("G", '"x"', "x"),
        ("G", "7", "7"),
    ],
)
def test_environment_values_typed_by_combined_declarations(
    tmp_path: Path, key: str, raw: str, expected: Any
) -> None:
    cfg = load(
        tmp_path,
        user="u",
        host="h",
        environ={f"AMPHO_{key}": raw},
        schemas=[COMBINED_SCHEMA],
        bundles=False,
    )
    assert cfg.to_dict()[key] == expected
    assert type(cfg.to_dict()[key]) is type(expected)


def test_declared_types(app_tree: Any) -> None:
    schemas = load_schemas([MAIL_SCHEMA], str(app_tree.root))
    assert schemas is not None
    assert schemas.declared_types(("MAIL", "ZIP")) == {"string"}
    assert schemas.declared_types(("MAIL", "CODE")) == {"string", "integer"}
    assert schemas.declared_types(("MAIL", "MODE")) == {"string"}
    assert schemas.declared_types(("MAIL", "NOPE")) is None
    assert schemas.declared_types(("OTHER",)) is None


# --- $schema, schema files, the combined document --------------------------------------


def test_a_top_level_dollar_schema_key_is_not_a_setting(app_tree: Any) -> None:
    app_tree.bundle("app")
    app_tree.write(
        {
            "app/schema.json": '{"type": "object", "additionalProperties": false,'
            ' "properties": {"A": {}}}',
            "app/default.json": '{"$schema": "../schema.json", "A": 0}',
            "instance/default.json": '{"$schema": "x.json", "A": 1}',
        }
    )
    cfg = load(app_tree.root, user="u", host="h", environ={})
    assert cfg.to_dict() == {"A": 1}
    assert "$schema" not in load(app_tree.root, user="u", host="h", environ={}, bundles=False)


def test_a_bad_schema_is_a_located_config_error_naming_its_file(app_tree: Any) -> None:
    app_tree.bundle("app")
    app_tree.write(
        {"app/schema.json": '{\n  "properties": {\n    "X": {"type": "integr"}\n  }\n}\n'}
    )
    with pytest.raises(ConfigError) as caught:
        load(app_tree.root, user="u", host="h", environ={})
    assert not isinstance(caught.value, SettingsInvalid)
    assert str(caught.value).startswith(
        "app/schema.json:3:11: is not a valid JSON Schema: properties.X.type: 'integr'"
    )


def test_a_schema_file_that_is_not_json_is_located(app_tree: Any) -> None:
    app_tree.bundle("app")
    app_tree.write({"app/schema.json": '{\n  "properties": {,}\n}\n'})
    with pytest.raises(ConfigError, match=r"^app/schema\.json:2:18: expected a key in double"):
        load(app_tree.root, user="u", host="h", environ={})


def test_the_combined_document_is_a_valid_draft_2020_12_schema(app_tree: Any) -> None:
    app_tree.bundle("app", __init__="REQUIRES = ['mail']")
    app_tree.bundle("mail")
    app_tree.write(
        {
            "mail/schema.json": json.dumps(MAIL_SCHEMA),
            "app/schema.json": json.dumps(
                {
                    "$defs": {"port": {"type": "integer", "maximum": 100}},
                    "properties": {"WEB": {"$ref": "#/$defs/port"}},
                }
            ),
            "instance/default.json": '{"MAIL": {"HOST": "h"}, "WEB": 80}',
        }
    )
    cfg = load(app_tree.root, user="u", host="h", environ={})
    assert cfg.schemas is not None
    document = cfg.schemas.document()
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(document)
    validator = jsonschema.Draft202012Validator(document)
    assert list(validator.iter_errors({"$schema": "x", **cfg.to_dict()})) == []
    assert validator.is_valid({"WEB": 80, "MAIL": {"HOST": "h"}})
    assert not validator.is_valid({"WEB": 800})  # the $ref still resolves
    assert not validator.is_valid({"MAIL": {"PORT": "x", "HOST": "h"}})
    assert not validator.is_valid({"LOG_LEVEL": [1]})  # Ampho's own schema is in it
    assert [schema.name for schema in cfg.schemas] == [
        "ampho/logging/schema.json",
        "mail/schema.json",
        "app/schema.json",
    ]


def test_settings_list_each_declared_leaf_with_its_schema(app_tree: Any) -> None:
    root = mail_tree(app_tree, {"instance/default.json": '{"MAIL": {"HOST": "h"}}'})
    cfg = load(root, user="u", host="h", environ={})
    assert cfg.schemas is not None
    declared = {d.key: d for d in cfg.schemas.settings()}
    assert "MAIL" not in declared  # an object of declared keys is not a leaf
    host = declared["MAIL.HOST"]
    assert (host.type, host.description, host.schema) == (
        "string",
        "The SMTP server.",
        "mail/schema.json",
    )
    assert declared["MAIL.CODE"].type == "integer or string"
    level = declared["LOG_LEVEL"]
    assert level.schema == "ampho/logging/schema.json"
    assert level.description.startswith("The level of the root logger")


def test_schemas_argument_takes_mappings_and_files_like_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(tmp_path / "nothing-here"))
    (tmp_path / "s.json").write_text('{"properties": {"A": {"type": "string"}}}')
    args: dict[str, Any] = dict(user="u", host="h", bundles=False)
    with pytest.raises(SettingsInvalid, match=r"^overrides: A: 1 is not of type 'string' \(s\)$"):
        load(tmp_path, environ={}, overrides={"A": 1}, schemas=[("s", "s.json")], **args)
    with pytest.raises(SettingsInvalid, match=r"\(schemas\[0\]\)$"):
        load(
            tmp_path, environ={}, overrides={"A": 1}, schemas=[{"properties": {"A": False}}], **args
        )
    with pytest.raises(ConfigError, match=r"^schemas\[0\] must be a mapping"):
        load(tmp_path, environ={}, schemas=[42], **args)  # type: ignore[list-item]
    with pytest.raises(ConfigError, match=r"^nope: no such schema file$"):
        load(tmp_path, environ={}, schemas=[("nope", "nope.json")], **args)
    assert load(tmp_path, environ={}, overrides={"A": "x"}, **args).schemas is None


def test_a_load_without_schemas_does_not_import_jsonschema(tmp_path: Path) -> None:
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "default.json").write_text('{"A": 1}')
    code = (
        "import sys; from ampho.config import load;"
        f" c = load({str(tmp_path)!r}, user='u', host='h', environ={{}});"
        " assert c['A'] == 1;"
        " print(sorted(m for m in ('jsonschema', 'flask', 'ampho.config.schema')"
        " if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, check=True
    )
    assert result.stdout.strip() == "[]"


#: A schema made of the keywords bundles use, which Ampho checks itself.
BUNDLE_KEYWORDS_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["MAIL"],
    "properties": {
        "MAIL": {
            "type": "object",
            "additionalProperties": False,
            "required": ["SERVER"],
            "properties": {
                "SERVER": {"type": "string", "pattern": "^[a-z.]+$", "minLength": 1},
                "PORT": {"type": "integer", "minimum": 1, "maximum": 65535},
                "MODE": {"enum": ["smtp", "log"]},
                "PASSWORD": {"type": ["string", "null"], "writeOnly": True},
                "ALLOWED": {
                    "type": "array",
                    "items": {"type": "string"},
                    "x-ampho-merge": "unique",
                },
            },
        }
    },
}


@pytest.mark.parametrize(
    ("port", "expected"),
    [
        (25, "ok False"),
        # A violation is explained by jsonschema, in its words.
        (0, "instance/default.json:1:45: MAIL.PORT: 0 is less than the minimum of 1"
            " (app/schema.json) True"),
    ],
)  # fmt: skip
def test_a_valid_load_with_the_keywords_bundles_use_imports_no_jsonschema(
    app_tree: Any, port: int, expected: str
) -> None:
    app_tree.bundle("app")
    mail = {"SERVER": "mail.example", "PORT": port, "MODE": "smtp", "ALLOWED": ["a"]}
    app_tree.write(
        {
            "app/schema.json": json.dumps(BUNDLE_KEYWORDS_SCHEMA),
            "instance/default.json": json.dumps({"MAIL": mail}),
        }
    )
    code = (
        "import sys; from ampho.config import ConfigError, load\n"
        "try:\n"
        f"    load({str(app_tree.root)!r}, user='u', host='h', environ={{}}); said = 'ok'\n"
        "except ConfigError as e:\n"
        "    said = str(e)\n"
        "print(said, 'jsonschema' in sys.modules)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=app_tree.root
    )
    assert (run.stdout.strip(), run.stderr) == (expected, "")


def test_a_schema_file_is_read_and_checked_once_while_it_is_unchanged(app_tree: Any) -> None:
    app_tree.bundle("app")
    app_tree.write(
        {
            "app/schema.json": json.dumps(BUNDLE_KEYWORDS_SCHEMA),
            "instance/default.json": '{"MAIL": {"SERVER": "mail.example"}}',
        }
    )
    first = load(app_tree.root, user="u", host="h", environ={})
    second = load(app_tree.root, user="u", host="h", environ={})
    assert first.schemas is not None and second.schemas is not None
    assert [s.name for s in second.schemas] == ["ampho/logging/schema.json", "app/schema.json"]
    assert second.schemas.items[1] is first.schemas.items[1]
    # Changed, the file is read and checked anew: even at the same size
    # with its old modification time put back (cp -p, touch -r, tar).
    path = app_tree.root / "app" / "schema.json"
    before = path.stat()
    changed = '{"type": "object", "minProperties": "many"}'
    path.write_text(changed.ljust(before.st_size), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    with pytest.raises(ConfigError) as caught:
        load(app_tree.root, user="u", host="h", environ={})
    assert str(caught.value) == (
        "app/schema.json:1:20: is not a valid JSON Schema: minProperties:"
        " 'many' is not of type 'integer'"
    )


# --- explain ---------------------------------------------------------------------------


def test_explain_lists_every_layer_that_sets_a_key_lowest_first(app_tree: Any) -> None:
    root = mail_tree(
        app_tree,
        {
            "mail/default.json": '{"MAIL": {"HOST": "default", "PORT": 25}}',
            "instance/production.json": '{\n  "MAIL": {"HOST": "prod"}\n}\n',
        },
    )
    cfg = load(root, user="u", host="h", environ={"AMPHO_MAIL__HOST": "env"})
    found = [(s.layer.name, str(s.origin), s.value) for s in cfg.explain("MAIL.HOST")]
    assert found == [
        ("mail/default.json", "mail/default.json:1:11", "default"),
        ("instance/production.json", "instance/production.json:2:12", "prod"),
        ("env", "env AMPHO_MAIL__HOST", "env"),
    ]
    assert cfg.lookup("MAIL.HOST") == found[-1][2]
    whole = [(s.layer.name, s.value) for s in cfg.explain("MAIL")]
    assert whole == [
        ("mail/default.json", {"HOST": "default", "PORT": 25}),
        ("instance/production.json", {"HOST": "prod"}),
        ("env", {"HOST": "env"}),
    ]
    with pytest.raises(KeyError):
        cfg.explain("MAIL.NOPE")


# --- create_app and Ampho's own settings (points 2 and 10) ----------------------------


def test_create_app_raises_every_violation(app_tree: Any) -> None:
    mail_tree(
        app_tree,
        {"instance/production.json": ('{\n  "LOG_CONSOLE_FORMAT": 5,\n  "MAIL": {"HOST": 1}\n}\n')},
    )
    with pytest.raises(SettingsInvalid) as caught:
        create_app(root_dir=app_tree.root)
    assert caught.value.lines() == [
        "instance/production.json:2:25: LOG_CONSOLE_FORMAT: 5 is not of type 'string', 'null'"
        " (ampho/logging/schema.json)",
        "instance/production.json:3:20: MAIL.HOST: 1 is not of type 'string' (mail/schema.json)",
    ]


def test_create_app_validates_with_the_bundles_schemas_when_valid(app_tree: Any) -> None:
    mail_tree(app_tree, {"instance/production.json": '{"MAIL": {"HOST": "h"}}'})
    app = create_app(root_dir=app_tree.root, config={"SECRET_KEY": "k"})
    cfg = app.extensions["ampho"].config
    assert cfg.schemas is not None
    assert [s.name for s in cfg.schemas] == ["ampho/logging/schema.json", "mail/schema.json"]


def test_logging_settings_keep_their_deeper_checks(app_tree: Any) -> None:
    app_tree.bundle("app")
    app_tree.write({"instance/production.json": '{\n  "LOG_LEVEL": "LOUD"\n}\n'})
    with pytest.raises(ConfigError) as caught:
        create_app(root_dir=app_tree.root)
    assert not isinstance(caught.value, SettingsInvalid)
    assert str(caught.value).startswith("instance/production.json:2:3: LOG_LEVEL must be a level")


def test_amphos_schema_is_in_the_package() -> None:
    from ampho.config.schema import AMPHO_SCHEMA_PATH

    path = Path(AMPHO_SCHEMA_PATH)
    document = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(document)
    keys = set(document["properties"])
    assert {"LOG_LEVEL", "LOG_CONSOLE", "LOG_FILES_DIR", "LOG_FILES_WHEN"} <= keys
    assert all(document["properties"][key]["description"] for key in keys)
    pyproject = (Path(__file__).parent.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert '"logging/schema.json"' in pyproject


def test_schemas_validate_a_plain_mapping() -> None:
    schemas = Schemas(load_schemas([MAIL_SCHEMA], os.getcwd()) or ())
    assert [str(v) for v in schemas.validate({"MAIL": {"HOST": 1}})] == [
        "MAIL.HOST: 1 is not of type 'string' (schemas[0])"
    ]


def test_an_app_that_sets_no_declared_key_starts_without_jsonschema(app_tree: Any) -> None:
    app_tree.bundle("app")
    app_tree.write({"instance/default.json": '{"SECRET_KEY": "k", "OTHER": 1}'})
    code = (
        "import sys; from ampho import create_app;"
        f" app = create_app(root_dir={str(app_tree.root)!r});"
        " print(app.config['OTHER'], 'jsonschema' in sys.modules)"
    )
    environ = {k: v for k, v in os.environ.items() if not k.startswith("AMPHO_")}
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environ, check=True
    )
    assert run.stdout.strip() == "1 False"
    app_tree.write({"instance/default.json": '{"SECRET_KEY": "k", "LOG_LEVEL": "INFO"}'})
    run = subprocess.run(
        [sys.executable, "-c", code.replace("app.config['OTHER']", "1")],
        capture_output=True,
        text=True,
        env=environ,
        check=True,
    )
    # A LOG_* key that plainly has a declared type is accepted on sight.
    assert run.stdout.strip() == "1 False"
    # 1.0 is an integer to JSON Schema, and so to Ampho's own check, which
    # accepts it without jsonschema (Ampho's logging then refuses a level
    # of 1.0).
    app_tree.write({"instance/default.json": '{"SECRET_KEY": "k", "LOG_LEVEL": 1.0}'})
    code = (
        "import sys; from ampho import create_app; from ampho.config import ConfigError\n"
        "try:\n"
        f"    create_app(root_dir={str(app_tree.root)!r})\n"
        "except ConfigError as e:\n"
        "    print(e.message, 'jsonschema' in sys.modules)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environ, check=True
    )
    assert run.stdout.strip() == (
        "LOG_LEVEL must be a level name such as DEBUG or INFO, not 1.0 False"
    )


def test_a_log_setting_of_the_wrong_type_is_still_a_violation(app_tree: Any) -> None:
    app_tree.bundle("app")
    app_tree.write({"instance/default.json": '{\n  "SECRET_KEY": "k",\n  "LOG_LEVEL": [1]\n}\n'})
    with pytest.raises(SettingsInvalid) as caught:
        create_app(root_dir=app_tree.root)
    assert caught.value.lines() == [
        "instance/default.json:3:16: LOG_LEVEL: [1] is not of type 'string', 'integer',"
        " 'null' (ampho/logging/schema.json)"
    ]


def test_ampho_schema_is_read_on_sight() -> None:
    # The fast path must keep working for Ampho's own schema: a keyword
    # added to it that Ampho's own check lacks would send every
    # application to jsonschema again.
    from ampho.bundle import AMPHO_SCHEMA_PATH
    from ampho.config.validator import compile_schema

    with open(AMPHO_SCHEMA_PATH, encoding="utf-8") as f:
        document = json.load(f)
    check = compile_schema(document)
    assert check is not None
    settings_of_each_type = {
        key: {"string": "x", "integer": 1, "boolean": True, "null": None}[
            next(t for t in rule["type"] if t in ("string", "integer", "boolean", "null"))
        ]
        for key, rule in document["properties"].items()
    }
    assert check(settings_of_each_type)
    assert not check({"LOG_LEVEL": [1]})


#: Settings whose secrets are secret by name only, inside objects and arrays.
HOLDING_SECRETS = {
    "VAT_ID": "x",
    "SECRET_KEY": "s3cr3t-top-level",
    "DEBUG_TOOLBAR": True,
    "DB": {"HOST": "h", "PASSWORD": "hunter2hunter2"},
    "ITEMS": [{"api_key": "k-SECRET"}, {"api_key": "k-SECRET"}],
}


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        pytest.param(
            {"not": {"required": ["DEBUG_TOOLBAR"]}},
            "(top level): {'VAT_ID': 'x', 'SECRET_KEY': '***', 'DEBUG_TOOLBAR': True,"
            " 'DB': {'HOST': 'h', 'PASSWORD': '***'}, 'ITEMS': [{'api_key': '***'},"
            " {'api_key': '***'}]} should not be valid under {'required': ['DEBUG_TOOLBAR']}"
            " (app/schema.json)",
            id="top level",
        ),
        pytest.param(
            {"properties": {"DB": {"maxProperties": 1}}},
            "instance/default.json:5:9: DB: {'HOST': 'h', 'PASSWORD': '***'} has too many"
            " properties (app/schema.json)",
            id="object",
        ),
        pytest.param(
            {"properties": {"ITEMS": {"uniqueItems": True}}},
            "instance/default.json:9:12: ITEMS: [{'api_key': '***'}, {'api_key': '***'}]"
            " has non-unique elements (app/schema.json)",
            id="array",
        ),
        pytest.param(
            {"properties": {"ITEMS": {"prefixItems": [{}], "items": False}}},
            "instance/default.json:9:12: ITEMS: [{'api_key': '***'}, {'api_key': '***'}]"
            " is not valid under the schema's 'items' rule (app/schema.json)",
            id="a message quoting a part",
        ),
    ],
)
def test_a_secret_inside_the_offending_object_is_masked(
    app_tree: Any, schema: dict[str, Any], expected: str
) -> None:
    """The rule fails on a parent of the secret, so jsonschema's message
    quotes the whole parent: the secret in it, known only by its name,
    is masked like everywhere else."""
    app_tree.bundle("app")
    app_tree.write(
        {
            "app/schema.json": json.dumps(schema),
            "instance/default.json": json.dumps(HOLDING_SECRETS, indent=2),
        }
    )
    [line] = violations(app_tree.root)
    assert line == expected
    for secret in ("s3cr3t", "hunter2", "k-SECRET"):
        assert secret not in line


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        pytest.param(
            {"uniqueItems": True},
            "HOOKS: [{'SIGNING': '***'}, {'SIGNING': '***'}] has non-unique elements",
            id="in the array's message",
        ),
        pytest.param(
            {"items": {"properties": {"SIGNING": {"pattern": "^s"}}}},
            "HOOKS.0.SIGNING: *** does not match '^s'",
            id="in its own message",
        ),
    ],
)
def test_a_write_only_key_in_array_items_is_masked(
    app_tree: Any, rules: dict[str, Any], expected: str
) -> None:
    """``writeOnly`` makes a value secret whatever its name, in the items
    of an array too, which have no key path of their own."""
    app_tree.bundle("app")
    hooks = {"allOf": [{"items": {"properties": {"SIGNING": {"writeOnly": True}}}}, rules]}
    app_tree.write(
        {
            "app/schema.json": json.dumps({"properties": {"HOOKS": hooks}}),
            "instance/default.json": '{"HOOKS": [{"SIGNING": "x-sign-me-9"},'
            ' {"SIGNING": "x-sign-me-9"}]}',
        }
    )
    lines = violations(app_tree.root)
    assert "sign-me" not in " ".join(lines)
    assert lines[0].split(": ", 1)[1] == f"{expected} (app/schema.json)"


def ref_tree(app_tree: Any, ref: str) -> Any:
    """``app`` whose schema refers to ``ref`` for the key ``X``, set to 1."""
    app_tree.bundle("app")
    app_tree.write(
        {
            "app/schema.json": '{\n  "properties": {\n    "X": {"$ref": ' + json.dumps(ref) + "}\n"
            '  },\n  "$defs": {"port": {"type": "integer"}}\n}\n',
            # A sibling that would resolve the reference, were files read.
            "app/common.json": '{"type": "integer"}',
            "instance/default.json": '{"X": 1}',
        }
    )
    return app_tree.root


@pytest.mark.parametrize("ref", ["#/nope", "#/$defs/nope", "common.json", "common.json#/x"])
def test_an_unresolvable_ref_is_a_located_config_error(app_tree: Any, ref: str) -> None:
    root = ref_tree(app_tree, ref)
    with pytest.raises(ConfigError) as caught:
        load(root, user="u", host="h", environ={})
    assert str(caught.value) == f"app/schema.json:3:11: cannot resolve $ref {ref!r}"


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every name lookup and connection tried in the test, refused and
    recorded (a refusal alone could pass as an unresolvable $ref)."""
    import socket

    tried: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        tried.append(args)
        raise OSError("no network in this test")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    return tried


def test_a_remote_ref_is_refused_without_a_connection(
    app_tree: Any, connections: list[Any]
) -> None:
    root = ref_tree(app_tree, "https://schemas.invalid/x.json")
    with pytest.raises(ConfigError) as caught:
        load(root, user="u", host="h", environ={})
    assert str(caught.value) == (
        "app/schema.json:3:11: cannot resolve $ref 'https://schemas.invalid/x.json'"
    )
    assert connections == []


def test_a_ref_loop_is_a_config_error_naming_the_schema(app_tree: Any) -> None:
    app_tree.bundle("app")
    app_tree.write(
        {
            "app/schema.json": '{"$defs": {"a": {"$ref": "#/$defs/a"}},'
            ' "properties": {"X": {"$ref": "#/$defs/a"}}}',
            "instance/default.json": '{"X": 1}',
        }
    )
    with pytest.raises(ConfigError) as caught:
        load(app_tree.root, user="u", host="h", environ={})
    assert not isinstance(caught.value, SettingsInvalid)
    assert (
        str(caught.value) == "app/schema.json: a $ref refers to itself, directly or through others"
    )


def test_the_combined_document_accepts_dollar_schema_beside_closed_bundles(
    app_tree: Any,
) -> None:
    """``additionalProperties: false`` and ``propertyNames`` of a bundle
    apply to every instance file, whose ``"$schema"`` key is for editors."""
    schemas = load_schemas(
        [
            ("a/schema.json", {"additionalProperties": False, "properties": {"A": {}}}),
            ("b/schema.json", {"propertyNames": {"pattern": "^[A-Z]+$"}}),
        ],
        os.fspath(app_tree.root),
    )
    assert schemas is not None
    document = schemas.document()
    jsonschema.Draft202012Validator.check_schema(document)
    validator = jsonschema.Draft202012Validator(document)
    assert validator.is_valid({"$schema": "../schema.json", "A": 1})
    assert not validator.is_valid({"$schema": "../schema.json", "B": 1})
    assert not validator.is_valid({"$schema": "../schema.json", "A": 1, "a": 1})
    assert not validator.is_valid({"$schema": 1, "A": 1})
    # The bundle's own schema is left as it is.
    assert "$schema" not in schemas.items[0].document["properties"]


def top_level_tree(app_tree: Any, schema: dict[str, Any]) -> Any:
    app_tree.bundle("app")
    app_tree.write(
        {
            "app/schema.json": json.dumps(schema),
            "instance/default.json": '{\n  "A": 1,\n  "C": 2\n}\n',
        }
    )
    return app_tree.root


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        pytest.param(
            {"dependentRequired": {"A": ["B"]}},
            "instance/default.json:2:8: (top level): 'B' is a dependency of 'A' (app/schema.json)",
            id="dependentRequired at the key that needs another",
        ),
        pytest.param(
            {"maxProperties": 1},
            "(top level): {'A': 1, 'C': 2} has too many properties (app/schema.json)",
            id="maxProperties",
        ),
        pytest.param(
            {"anyOf": [{"required": ["B"]}, {"required": ["D"]}]},
            "(top level): {'A': 1, 'C': 2} is not valid under any of the given schemas"
            " (app/schema.json)",
            id="anyOf",
        ),
    ],
)
def test_a_top_level_violation_names_the_top_level(
    app_tree: Any, schema: dict[str, Any], expected: str
) -> None:
    assert violations(top_level_tree(app_tree, schema)) == [expected]


def test_check_reports_a_top_level_violation_without_an_empty_key(app_tree: Any) -> None:
    from ampho.config.check import check_instance

    root = top_level_tree(app_tree, {"dependentRequired": {"A": ["B"]}, "maxProperties": 1})
    errors = [str(f) for f in check_instance(root) if f.severity == "error"]
    assert errors == [
        "app/schema.json: error: (top level): {'A': 1, 'C': 2} has too many properties",
        "instance/default.json:2:8: error: (top level): 'B' is a dependency of 'A'"
        " (app/schema.json)",
    ]


# --- schemas the application could not use: too deep, patterns that hang -----------

#: Forty "a" and a "!": ``^(a+)+$`` takes about 2**40 steps to refuse it.
HANGING = "a" * 40 + "!"


def _load_in_child(root: Path) -> dict[str, Any]:
    """What :func:`load` does in a forked child; an alarm ends one that hangs,
    so a regression fails the test instead of hanging the suite."""

    def call() -> dict[str, Any]:
        load(root, user="u", host="h", environ={})
        return {"loaded": True}

    result: dict[str, Any] = in_child(call, seconds=20)
    return result


@pytest.mark.parametrize(
    ("schema", "settings", "expected"),
    [
        pytest.param(
            {"properties": {"NAME": {"type": "string", "pattern": "^(a+)+$"}}},
            {"NAME": HANGING},
            "app/schema.json:5:7: properties.NAME.pattern: the pattern '^(a+)+$' repeats"
            " a part whose rounds can share a text in more than one way, as (a+)+ and"
            " (a|a)* do, so a failing match takes exponential time; rewrite it",
            id="pattern",
        ),
        pytest.param(
            {"patternProperties": {"^(A+)+$": {"type": "integer"}}},
            {"A" * 40 + "!": 1},
            "app/schema.json:3:5: patternProperties: the pattern '^(A+)+$'",
            id="patternProperties",
        ),
        pytest.param(
            {"properties": {"NAME": {"pattern": "^(a+)+" + "b" * 60 + "$"}}},
            {"NAME": HANGING},
            "app/schema.json:4:7: properties.NAME.pattern: the pattern"
            f" '^(a+)+{'b' * 51}...' repeats",
            id="long pattern",
        ),
        pytest.param(
            {
                "$defs": {"name": {"type": "string", "pattern": "^(a|a)*$"}},
                "properties": {"NAME": {"$ref": "#/$defs/name"}},
            },
            {"NAME": HANGING},
            "app/schema.json:5:7: $defs.name.pattern: the pattern '^(a|a)*$'",
            id="$defs",
        ),
        pytest.param(
            {"properties": {"NAMES": {"type": "array", "items": {"pattern": "^(a+)+$"}}}},
            {"NAMES": [HANGING]},
            "app/schema.json:6:9: properties.NAMES.items.pattern: the pattern '^(a+)+$'",
            id="items",
        ),
        pytest.param(
            {"properties": {"MAP": {"type": "object", "propertyNames": {"pattern": "^(a+)+$"}}}},
            {"MAP": {HANGING: 1}},
            "app/schema.json:6:9: properties.MAP.propertyNames.pattern: the pattern '^(a+)+$'",
            id="propertyNames",
        ),
        # Properties named like data keywords are schemas all the same.
        pytest.param(
            {"properties": {"default": {"type": "string", "pattern": "^(a+)+$"}}},
            {"default": HANGING},
            "app/schema.json:5:7: properties.default.pattern: the pattern '^(a+)+$'",
            id="property named default",
        ),
        pytest.param(
            {
                "$defs": {"enum": {"type": "string", "pattern": "^(a|a)*$"}},
                "properties": {"NAME": {"$ref": "#/$defs/enum"}},
            },
            {"NAME": HANGING},
            "app/schema.json:5:7: $defs.enum.pattern: the pattern '^(a|a)*$'",
            id="$defs named enum",
        ),
        pytest.param(
            {"patternProperties": {"examples": {"type": "string", "pattern": "^(a+)+$"}}},
            {"my_examples": HANGING},
            "app/schema.json:5:7: patternProperties.examples.pattern: the pattern '^(a+)+$'",
            id="patternProperties named examples",
        ),
        # The key is not set: the load would take the path that validates
        # without jsonschema, and the pattern is refused all the same.
        pytest.param(
            {"properties": {"NAME": {"type": "string", "pattern": "^(\\w+\\s?)+$"}}},
            {},
            "app/schema.json:5:7: properties.NAME.pattern: the pattern '^(\\\\w+\\\\s?)+$'",
            id="key not set",
        ),
    ],
)
def test_a_pattern_that_backtracks_for_ever_is_refused_at_its_key(
    app_tree: Any, schema: dict[str, Any], settings: dict[str, Any], expected: str
) -> None:
    app_tree.bundle("app")
    app_tree.write(
        {
            "app/schema.json": json.dumps(schema, indent=2),
            "instance/default.json": json.dumps(settings),
        }
    )
    result = _load_in_child(app_tree.root)
    assert result.get("raised") == "ConfigError", result
    assert result["str"].startswith(expected), result["str"]


def test_a_pattern_in_data_keywords_is_no_pattern(app_tree: Any) -> None:
    app_tree.bundle("app")
    schema = {
        "properties": {
            "X": {"const": {"pattern": "^(a+)+$"}},
            "Y": {"enum": [{"pattern": "(a|a)*"}], "default": {"pattern": "(a*)*"}},
        }
    }
    app_tree.write({"app/schema.json": json.dumps(schema), "instance/default.json": "{}"})
    assert load(app_tree.root, user="u", host="h", environ={}).to_dict() == {}


def _nested(levels: int) -> dict[str, Any]:
    """A schema of ``levels`` nested ``properties``, ``{"K": {"K": ...}}``."""
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(levels):
        schema = {"type": "object", "properties": {"K": schema}}
    return schema


def test_a_schema_nested_too_deeply_is_one_error_naming_its_file(app_tree: Any) -> None:
    from ampho.config.check import check_instance

    app_tree.bundle("app")
    text = json.dumps(_nested(100))
    app_tree.write({"app/schema.json": text, "instance/default.json": '{"A": 1}'})
    deepest = text.rindex("{")
    expected = (
        f"app/schema.json:1:{deepest + 1}: is nested too deeply (201 levels; a schema may nest 64)"
    )
    with pytest.raises(ConfigError) as caught:
        load(app_tree.root, user="u", host="h", environ={})
    assert str(caught.value) == expected
    # config check says the same, where it used to find no problem.
    findings = [str(f) for f in check_instance(app_tree.root, environ={})]
    assert findings == [expected.replace(": is nested", ": error: is nested")]


def test_a_mapping_schema_nested_too_deeply_names_its_item() -> None:
    with pytest.raises(ConfigError) as caught:
        load_schemas([_nested(40)], ".")
    assert str(caught.value) == "schemas[0]: is nested too deeply (81 levels; a schema may nest 64)"


def _deep_call(frames: int, func: Any) -> Any:
    """``func()`` called ``frames`` frames deeper, as under a server and Flask."""
    return func() if frames == 0 else _deep_call(frames - 1, func)


def test_a_schema_as_deep_as_allowed_validates_under_a_deep_caller(app_tree: Any) -> None:
    """The limit leaves room: ``not`` inside ``not``, the shape jsonschema
    recurses deepest for, validates 300 frames down."""
    from ampho.config.schema import MAX_DEPTH

    nots = MAX_DEPTH - 3  # the top object, its properties, then the chain
    rule: dict[str, Any] = {"type": "integer" if nots % 2 == 0 else "string"}
    for _ in range(nots):
        rule = {"not": rule}
    schema = {"type": "object", "properties": {"A": rule}}
    assert output_depth(schema) == MAX_DEPTH
    app_tree.bundle("app")
    app_tree.write({"app/schema.json": json.dumps(schema), "instance/default.json": '{"A": "x"}'})
    with pytest.raises(SettingsInvalid) as caught:
        _deep_call(300, lambda: load(app_tree.root, user="u", host="h", environ={}))
    assert caught.value.lines()[0].startswith("instance/default.json:1:7: A: ")
