"""``ampho config schema``, ``explain`` and ``docs``, and violations on the command line.

Every test runs the real ``ampho`` command in a subprocess, in a real
package tree whose ``mail`` bundle ships a ``schema.json``: the commands
find the bundles the way the application factory does, and what a user
sees on the terminal (one ``Error:`` line per violation, no traceback, no
secret) is what is checked.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from processes import AMPHO, run, write_tree

# --- the tree ----------------------------------------------------------------------

MAIL_SCHEMA = """
{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "properties": {
    "MAIL": {
      "type": "object",
      "properties": {
        "HOST": {"type": "string", "description": "The SMTP server."},
        "PORT": {"type": "integer", "minimum": 1, "description": "Its port."},
        "PASSWORD": {"type": "string", "description": "The SMTP password."},
        "SIGNATURE": {
          "type": "string",
          "minLength": 12,
          "writeOnly": true,
          "description": "The key that signs messages."
        },
        "TIMEOUT": {"type": "number", "description": "Seconds to wait."}
      }
    }
  }
}
"""

#: Line 4 column 5 is PORT, line 6 column 5 SIGNATURE.
MAIL_DEFAULTS = """
{
  "MAIL": {
    "HOST": "localhost",
    "PORT": 25,
    "PASSWORD": "default-password-1",
    "SIGNATURE": "default-signature-2"
  }
}
"""

#: Line 4 column 5 is PORT.
PRODUCTION = """
{
  "$schema": "../schema.json",
  "MAIL": {
    "PORT": 587
  }
}
"""

#: Secret values that must never be printed unless asked for.
HIDDEN = ("default-password-1", "default-signature-2", "user-signature-3", "relay-4")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """An application: ``app`` requires ``mail``, which declares its settings."""
    root = write_tree(
        tmp_path / "site",
        {
            "app/__init__.py": 'REQUIRES = ["mail"]\n',
            "mail/__init__.py": "",
            "mail/schema.json": MAIL_SCHEMA,
            "mail/default.json": MAIL_DEFAULTS,
            "instance/production.json": PRODUCTION,
            # user u on host h, as processes.run() runs every command.
            "instance/u@h.json": '{"MAIL": {"SIGNATURE": "user-signature-3"}}\n',
            "secrets/MAIL__RELAY": "relay-4\n",
        },
    )
    # It holds a secret: readable by others, check would say so.
    (root / "instance/u@h.json").chmod(0o600)
    return root


def ampho(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return run(AMPHO, list(args), root, **env)


def ok(root: Path, *args: str, **env: str) -> str:
    result = ampho(root, *args, **env)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def assert_errors(result: subprocess.CompletedProcess[str], expected: list[str]) -> None:
    """The failure contract: exactly these ``Error:`` lines on stderr, nothing else."""
    assert result.returncode != 0
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [f"Error: {line}" for line in expected]
    for secret in HIDDEN:
        assert secret not in result.stderr


def assert_warnings(result: subprocess.CompletedProcess[str], expected: list[str]) -> None:
    """The diagnostic contract: the command does its work, and says what
    is invalid in these ``Warning:`` lines on stderr, nothing else."""
    assert result.returncode == 0, result.stderr
    assert result.stdout
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [f"Warning: {line}" for line in expected]
    for secret in HIDDEN:
        assert secret not in result.stderr
        assert secret not in result.stdout


def break_settings(root: Path) -> None:
    """Two violations: a wrong type, and a secret that is too short."""
    (root / "instance/production.json").write_text('{\n  "MAIL": {\n    "PORT": "abc"\n  }\n}\n')
    (root / "instance/u@h.json").write_text(
        '{\n  "MAIL": {\n    "SIGNATURE": "short-sig"\n  }\n}\n'
    )


#: What break_settings() does, at the place of each value.
VIOLATIONS = [
    "instance/production.json:3:13: MAIL.PORT: 'abc' is not of type 'integer' (mail/schema.json)",
    "instance/u@h.json:3:18: MAIL.SIGNATURE: *** is too short (mail/schema.json)",
]


# --- config schema -----------------------------------------------------------------


def test_schema_is_one_draft_2020_12_document_that_validates_the_settings(site: Path) -> None:
    document = json.loads(ok(site, "config", "schema"))
    Draft202012Validator.check_schema(document)
    validator = Draft202012Validator(document)
    settings = json.loads(ok(site, "config", "dump", "--show-secrets"))
    assert validator.is_valid(settings), list(validator.iter_errors(settings))
    # A $schema key for editors is allowed in the files it checks.
    assert validator.is_valid({**settings, "$schema": "../schema.json"})
    # It is the bundle's schema and Ampho's own, not an empty one.
    assert not validator.is_valid({"MAIL": {"PORT": "abc"}})
    assert not validator.is_valid({"LOG_CONSOLE": ["on"]})


def test_schema_prints_while_the_instance_files_break_it(site: Path) -> None:
    break_settings(site)
    assert_warnings(ampho(site, "config", "dump"), VIOLATIONS)
    document = json.loads(ok(site, "config", "schema"))
    assert not Draft202012Validator(document).is_valid({"MAIL": {"PORT": "abc"}})


def test_schema_without_an_application_is_one_error_line(tmp_path: Path) -> None:
    (tmp_path / "instance").mkdir()
    assert_errors(
        ampho(tmp_path, "config", "schema"),
        ["no schemas to read: no entry bundle 'app' here (give --root or AMPHO_ENTRY)"],
    )


def test_schema_that_is_not_a_json_schema_is_one_located_error(site: Path) -> None:
    (site / "mail/schema.json").write_text('{\n  "type": "object",\n  "minimum": "one"\n}\n')
    for args in (["config", "schema"], ["config", "dump"], ["config", "explain", "MAIL"]):
        result = ampho(site, *args)
        assert_errors(result, [result.stderr[len("Error: ") :].rstrip("\n")])
        assert result.stderr.startswith("Error: mail/schema.json:3:3: "), result.stderr
        assert "is not a valid JSON Schema" in result.stderr


def test_schema_file_that_is_not_json_is_one_located_error(site: Path) -> None:
    (site / "mail/schema.json").write_text('{\n  "type": "object",\n}\n')
    result = ampho(site, "config", "schema")
    assert_errors(result, [result.stderr[len("Error: ") :].rstrip("\n")])
    assert result.stderr.startswith("Error: mail/schema.json:2:19: "), result.stderr


# --- config explain ----------------------------------------------------------------


def test_explain_lists_every_layer_lowest_first_and_marks_the_winner(site: Path) -> None:
    out = ok(site, "config", "explain", "MAIL.PORT", AMPHO_MAIL__PORT="2525")
    assert out.splitlines() == [
        "mail/default.json:4:5: 25",
        "instance/production.json:4:5: 587",
        "env AMPHO_MAIL__PORT: 2525  (wins)",
    ]


def test_explain_of_a_key_one_layer_sets(site: Path) -> None:
    out = ok(site, "config", "explain", "MAIL.HOST")
    assert out == 'mail/default.json:3:5: "localhost"  (wins)\n'


def test_explain_of_an_object_shows_each_part_and_the_merged_result(site: Path) -> None:
    out = ok(site, "config", "explain", "MAIL", AMPHO_SECRETS_DIR="secrets")
    lines = out.splitlines()
    assert [line.split(": ", 1)[0] for line in lines] == [
        "mail/default.json:2:3",
        "instance/production.json:3:3",
        "instance/u@h.json:1:2",
        "secrets/MAIL__RELAY",
        "merged",
    ]
    assert lines[1] == 'instance/production.json:3:3: {"PORT": 587}'
    assert lines[-1] == (
        'merged: {"HOST": "localhost", "PASSWORD": "***", "PORT": 587,'
        ' "RELAY": "***", "SIGNATURE": "***"}  (wins)'
    )
    assert all(not line.endswith("(wins)") for line in lines[:-1])
    for secret in HIDDEN:
        assert secret not in out


def test_explain_redacts_a_secret_by_name_in_every_layer(site: Path) -> None:
    out = ok(site, "config", "explain", "MAIL.PASSWORD", AMPHO_MAIL__PASSWORD="env-password-5")
    assert out.splitlines() == [
        'mail/default.json:5:5: "***"',
        'env AMPHO_MAIL__PASSWORD: "***"  (wins)',
    ]
    shown = ok(site, "config", "explain", "--show-secrets", "MAIL.PASSWORD")
    assert shown == 'mail/default.json:5:5: "default-password-1"  (wins)\n'


def test_explain_redacts_a_key_the_schema_declares_write_only(site: Path) -> None:
    # SIGNATURE is no secret by its name: only the schema says so.
    out = ok(site, "config", "explain", "MAIL.SIGNATURE")
    assert out.splitlines() == [
        'mail/default.json:6:5: "***"',
        'instance/u@h.json:1:11: "***"  (wins)',
    ]


def test_explain_names_the_secrets_file_and_redacts_its_value(site: Path) -> None:
    out = ok(site, "config", "explain", "MAIL.RELAY", AMPHO_SECRETS_DIR="secrets")
    assert out == 'secrets/MAIL__RELAY: "***"  (wins)\n'
    shown = ok(
        site, "config", "explain", "--show-secrets", "MAIL.RELAY", AMPHO_SECRETS_DIR="secrets"
    )
    assert shown == 'secrets/MAIL__RELAY: "relay-4"  (wins)\n'


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("NOPE", "NOPE: no such key"),
        ("MAIL.NOPE", "MAIL.NOPE: MAIL has no key 'NOPE'"),
        ("MAIL.PORT.X", "MAIL.PORT.X: MAIL.PORT is a number, not an object"),
    ],
)
def test_explain_of_a_key_no_layer_sets_is_one_error_line(
    site: Path, key: str, message: str
) -> None:
    assert_errors(ampho(site, "config", "explain", key), [message])


# --- config docs -------------------------------------------------------------------


def docs_rows(text: str) -> dict[str, list[str]]:
    """The table's rows by key, split into columns at runs of two spaces."""
    rows = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.split("  ") if cell.strip()]
        rows[cells[0]] = cells
    return rows


def test_docs_table_has_key_type_default_schema_and_description(site: Path) -> None:
    rows = docs_rows(ok(site, "config", "docs"))
    assert rows["KEY"] == ["KEY", "TYPE", "DEFAULT", "DEFAULT FROM", "DECLARED IN", "DESCRIPTION"]
    # The default is the bundle's, not production.json's 587.
    assert rows["MAIL.PORT"] == [
        "MAIL.PORT",
        "integer",
        "25",
        "mail/default.json",
        "mail/schema.json",
        "Its port.",
    ]
    assert rows["MAIL.HOST"] == [
        "MAIL.HOST",
        "string",
        '"localhost"',
        "mail/default.json",
        "mail/schema.json",
        "The SMTP server.",
    ]
    assert rows["MAIL.TIMEOUT"] == [
        "MAIL.TIMEOUT",
        "number",
        "-",
        "-",
        "mail/schema.json",
        "Seconds to wait.",
    ]
    # Ampho's own settings come first, with their descriptions.
    keys = list(rows)
    assert keys[1].startswith("LOG_")
    assert rows["LOG_FILES_WHEN"][-2:-1] == ["ampho/logging/schema.json"]
    assert "midnight" in rows["LOG_FILES_WHEN"][-1]


def test_docs_table_columns_line_up(site: Path) -> None:
    lines = ok(site, "config", "docs").splitlines()
    start = lines[0].index("DECLARED IN")
    for line in lines[1:]:
        assert line[start:].startswith(("mail/schema.json", "ampho/logging/schema.json")), line


def test_docs_redacts_secret_defaults_by_name_and_by_schema(site: Path) -> None:
    out = ok(site, "config", "docs")
    rows = docs_rows(out)
    assert rows["MAIL.PASSWORD"][2] == '"***"'
    assert rows["MAIL.SIGNATURE"][2] == '"***"'
    for secret in HIDDEN:
        assert secret not in out


def test_docs_json_lists_the_same_settings(site: Path) -> None:
    rows = {row["key"]: row for row in json.loads(ok(site, "config", "docs", "--format", "json"))}
    assert rows["MAIL.PORT"] == {
        "key": "MAIL.PORT",
        "type": "integer",
        "default": 25,
        "default_from": "mail/default.json",
        "declared_in": "mail/schema.json",
        "description": "Its port.",
    }
    assert "default" not in rows["MAIL.TIMEOUT"]
    assert "default_from" not in rows["MAIL.TIMEOUT"]
    assert rows["MAIL.SIGNATURE"]["default"] == "***"
    assert rows["MAIL.PASSWORD"]["default"] == "***"


def test_docs_default_is_the_one_that_applies_without_an_environment_file(site: Path) -> None:
    """instance/default.json is a default too; production.json, the
    user@host file, the secrets directory and the variables are not."""
    (site / "instance/default.json").write_text(
        json.dumps(
            {
                "MAIL": {
                    "HOST": "${env:MAIL_HOST:-mx.internal}",
                    "PASSWORD": "instance-password-5",
                },
                "LOG_FILES_DIR": "/var/log/shop",
            }
        )
    )
    out = ok(site, "config", "docs", "--format", "json", MAIL_HOST="from-env", AMPHO_MAIL__PORT="2")
    rows = {row["key"]: row for row in json.loads(out)}
    shown = {key: (row.get("default"), row.get("default_from")) for key, row in rows.items()}
    # A reference as written: what it resolves to comes from the environment.
    assert shown["MAIL.HOST"] == ("${env:MAIL_HOST:-mx.internal}", "instance/default.json")
    assert shown["MAIL.PORT"] == (25, "mail/default.json")
    assert shown["MAIL.PASSWORD"] == ("***", "instance/default.json")
    assert shown["MAIL.SIGNATURE"] == ("***", "mail/default.json")
    assert shown["MAIL.TIMEOUT"] == (None, None)
    assert shown["LOG_FILES_DIR"] == ("/var/log/shop", "instance/default.json")
    assert shown["LOG_CONSOLE"] == (True, "ampho (built in)")
    assert shown["LOG_FILES_NAME"] == ("app", "ampho (built in)")
    # LOG_LEVEL follows the environment and DEBUG: no one default.
    assert shown["LOG_LEVEL"] == (None, None)
    text = ok(site, "config", "docs")
    for secret in (*HIDDEN, "instance-password-5"):
        assert secret not in out
        assert secret not in text
    assert docs_rows(text)["MAIL.PASSWORD"][2:4] == ['"***"', "instance/default.json"]
    # A long default is cut in the table, whole in JSON.
    assert docs_rows(text)["LOG_FILES_MSG_FORMAT"][2] == '"%(asctime)s %(levelname)s [%...'
    assert rows["LOG_FILES_MSG_FORMAT"]["default"].endswith("%(name)s: %(message)s")


def test_docs_logging_defaults_are_those_logging_applies(site: Path) -> None:
    """Each LOG_* key's built-in default, set as a setting, changes nothing
    of what the logging reads; only LOG_LEVEL has none."""
    from ampho.config import load
    from ampho.logging.settings import LogSettings

    rows = json.loads(ok(site, "config", "docs", "--format", "json"))
    built_in = {r["key"]: r["default"] for r in rows if r.get("default_from") == "ampho (built in)"}
    declared = {r["key"] for r in rows if r["declared_in"] == "ampho/logging/schema.json"}
    assert set(built_in) == declared - {"LOG_LEVEL"}

    def read(**overrides: object) -> dict[str, object]:
        cfg = load(site, user="u", host="h", environ={}, bundles=False, overrides=overrides)
        return {k: v for k, v in vars(LogSettings(cfg, "app")).items() if not k.startswith("_")}

    unset = read()
    for key, value in built_in.items():
        assert read(**{key: value}) == unset, key


#: A declared type, and how config docs says it.
TYPES = {
    "MANY": (
        {"type": ["string", "null", "boolean", "integer"]},
        "boolean, integer, string or null",
    ),
    "NUMBER": ({"type": ["integer", "number"]}, "number"),
    "TAGS": ({"type": "array", "items": {"type": "string"}}, "list of strings"),
    "HOSTS": ({"type": ["array", "null"]}, "list or null"),
    "OPTIONAL": ({"anyOf": [{"type": "string"}, {"type": "null"}]}, "string or null"),
    "MODE": ({"enum": ["smtp", "log", None]}, 'one of "smtp", "log" or null'),
    "VERSION": ({"const": 2}, "only 2"),
    "ANYTHING": ({}, "any"),
    # A secret's values are not listed, as its value is not shown.
    "API_TOKEN": ({"type": "string", "enum": ["tok-secret-6"]}, "string"),
    "RELAY": ({"type": "string", "enum": ["pw-secret-7"], "writeOnly": True}, "string"),
}


def test_docs_types_read_as_a_reader_says_them(tmp_path: Path) -> None:
    schema = {"type": "object", "properties": {key: node for key, (node, _) in TYPES.items()}}
    root = write_tree(
        tmp_path / "site",
        {
            "app/__init__.py": "",
            "app/schema.json": json.dumps(schema),
            "instance/default.json": "{}",
        },
    )
    out = ok(root, "config", "docs", "--format", "json")
    rows = json.loads(out)
    types = {r["key"]: r["type"] for r in rows if r["declared_in"] == "app/schema.json"}
    assert types == {key: shown for key, (_, shown) in TYPES.items()}
    assert docs_rows(ok(root, "config", "docs"))["MANY"][1] == "boolean, integer, string or null"
    assert "secret" not in out


def test_docs_without_an_application_is_one_error_line(tmp_path: Path) -> None:
    (tmp_path / "instance").mkdir()
    assert_errors(
        ampho(tmp_path, "config", "docs"),
        ["no schemas to read: no entry bundle 'app' here (give --root or AMPHO_ENTRY)"],
    )


# --- violations on the command line ------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["config", "get", "MAIL.HOST"],
        ["routes"],
        ["shell"],
        # Fails before it binds a port; were it to serve, run() times out.
        ["run", "--port", "0"],
    ],
)
def test_every_violation_is_its_own_error_line(site: Path, args: list[str]) -> None:
    break_settings(site)
    assert_errors(ampho(site, *args), VIOLATIONS)


@pytest.mark.parametrize(
    "args",
    [
        ["config", "dump"],
        ["config", "dump", "--format", "env"],
        ["config", "dump", "MAIL.HOST"],
        ["config", "dump", "--explain"],
        ["config", "explain", "MAIL.PORT"],
        ["config", "docs"],
        ["config", "diff", "production", "staging"],
    ],
)
def test_diagnostics_show_what_loads_with_the_violations_as_warnings(
    site: Path, args: list[str]
) -> None:
    """The commands that show the settings show them while they are
    wrong: that is when they are needed. ``config check`` fails."""
    break_settings(site)
    (site / "instance/staging.json").write_text('{"MAIL": {"HOST": "staging.example"}}')
    assert_warnings(ampho(site, *args), VIOLATIONS)


def test_explain_shows_the_invalid_value_and_where_it_was_set(site: Path) -> None:
    break_settings(site)
    result = ampho(site, "config", "explain", "MAIL.PORT")
    assert result.stdout.splitlines()[-1] == 'instance/production.json:3:5: "abc"  (wins)'
    assert json.loads(ampho(site, "config", "dump", "MAIL.PORT").stdout) == "abc"


def test_help_lists_the_commands_after_the_violations(site: Path) -> None:
    break_settings(site)
    result = ampho(site, "--help")
    assert result.returncode == 0
    assert result.stderr.splitlines() == [f"Error: {line}" for line in VIOLATIONS]
    assert "config" in result.stdout


def test_violation_from_an_environment_variable_names_it(site: Path) -> None:
    expected = [
        "env AMPHO_MAIL__PORT: MAIL.PORT: 0 is less than the minimum of 1 (mail/schema.json)"
    ]
    assert_errors(ampho(site, "config", "get", "MAIL", AMPHO_MAIL__PORT="0"), expected)
    assert_warnings(ampho(site, "config", "dump", AMPHO_MAIL__PORT="0"), expected)


def test_violation_from_the_secrets_directory_names_the_file_not_the_value(
    site: Path,
) -> None:
    (site / "secrets/MAIL__PORT").write_text("hidden-port-6\n")
    result = ampho(site, "config", "get", "MAIL", AMPHO_SECRETS_DIR="secrets")
    assert_errors(result, [result.stderr[len("Error: ") :].rstrip("\n")])
    assert result.stderr.startswith("Error: secrets/MAIL__PORT: MAIL.PORT: ")
    assert result.stderr.endswith(" (mail/schema.json)\n")
    assert "hidden-port-6" not in result.stderr
    result = ampho(site, "config", "dump", AMPHO_SECRETS_DIR="secrets")
    assert_warnings(result, [result.stderr[len("Warning: ") :].rstrip("\n")])
    assert "hidden-port-6" not in result.stderr + result.stdout


def test_missing_required_key_names_the_key_and_the_schema(site: Path) -> None:
    (site / "app/schema.json").write_text('{"type": "object", "required": ["APP_NAME"]}\n')
    assert_errors(ampho(site, "config", "get", "MAIL"), ["APP_NAME: is required (app/schema.json)"])


# --- config check ------------------------------------------------------------------


def check(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return ampho(root, "config", "check", *args, **env)


def test_check_lists_violations_with_its_other_findings(site: Path) -> None:
    break_settings(site)
    (site / "instance/production.json").write_text(
        '{\n  "$schema": "../schema.json",\n  "MAIL": {\n    "PORT": "abc"\n  },\n  "lower": 1\n}\n'
    )
    result = check(site)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stdout.splitlines() == [
        "instance/production.json:4:5: warning: MAIL.PORT is a string here but a number"
        " in default.json",
        "instance/production.json:4:13: error: MAIL.PORT: 'abc' is not of type 'integer'"
        " (mail/schema.json)",
        "instance/production.json:6:3: warning: key 'lower' is not upper case, and Flask's"
        " config ignores such keys",
        "instance/production.json:6:3: warning: lower is not in default.json nor in a"
        " bundle's default.json",
        "instance/u@h.json:3:18: error: MAIL.SIGNATURE: *** is too short (mail/schema.json)",
    ]
    assert result.stderr == "2 error(s), 3 warning(s)\n"
    assert "short-sig" not in result.stdout


def test_check_does_not_report_a_top_level_schema_key(site: Path) -> None:
    (site / "instance/default.json").write_text('{\n  "$schema": "../schema.json"\n}\n')
    (site / "instance/u@h.json").unlink()
    # production.json has a "$schema" key too.
    result = check(site, "--strict")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "no problems found\n")


def test_check_knows_the_keys_a_schema_declares(site: Path) -> None:
    # TIMEOUT has no default anywhere, but the schema declares it.
    (site / "instance/production.json").write_text(
        '{\n  "MAIL": {\n    "TIMEOUT": 2.5,\n    "TIMEOUTS": 3\n  }\n}\n'
    )
    result = check(site)
    assert result.stdout.splitlines() == [
        "instance/production.json:4:5: warning: MAIL.TIMEOUTS is not in default.json nor in"
        " a bundle's default.json (did you mean MAIL.TIMEOUT?)"
    ]


def test_check_warns_of_a_write_only_value_in_default_json(site: Path) -> None:
    (site / "instance/default.json").write_text(
        '{\n  "MAIL": {\n    "SIGNATURE": "committed-signature"\n  }\n}\n'
    )
    result = check(site)
    assert result.returncode == 0
    assert result.stdout.splitlines() == [
        "instance/default.json:3:5: warning: MAIL.SIGNATURE holds a secret in default.json,"
        " which is usually committed; set it in a user@host file or an AMPHO_ variable"
    ]
    assert "committed-signature" not in result.stdout


def test_check_reports_a_schema_that_is_not_a_json_schema(site: Path) -> None:
    (site / "mail/schema.json").write_text('{\n  "type": "object",\n  "minimum": "one"\n}\n')
    result = check(site)
    assert result.returncode == 1
    [line] = result.stdout.splitlines()
    assert line.startswith("mail/schema.json:3:3: error: is not a valid JSON Schema"), line


def test_check_reports_a_violation_from_the_environment(site: Path) -> None:
    result = check(site, AMPHO_MAIL__PORT="0")
    assert result.returncode == 1
    assert result.stdout == (
        "env AMPHO_MAIL__PORT: error: MAIL.PORT: 0 is less than the minimum of 1"
        " (mail/schema.json)\n"
    )


def test_check_reports_a_missing_required_key_at_its_schema(site: Path) -> None:
    (site / "app/schema.json").write_text('{"type": "object", "required": ["APP_NAME"]}\n')
    result = check(site)
    assert result.returncode == 1
    assert result.stdout == "app/schema.json: error: APP_NAME: is required\n"


def test_check_reports_a_violation_shared_by_environments_once(site: Path) -> None:
    (site / "instance/development.json").write_text("{}\n")
    result = check(site, "--env", "production", "--env", "development", AMPHO_MAIL__PORT="0")
    assert result.stdout.splitlines() == [
        "env AMPHO_MAIL__PORT: error: MAIL.PORT: 0 is less than the minimum of 1 (mail/schema.json)"
    ]


def test_check_warns_of_a_readable_user_host_file_with_a_write_only_value(site: Path) -> None:
    (site / "instance/u@h.json").chmod(0o644)
    result = check(site)
    assert result.returncode == 0
    assert result.stdout.splitlines() == [
        "instance/u@h.json: warning: holds secrets (MAIL.SIGNATURE) and other users can"
        " read it (mode 0644); run chmod 600 on it"
    ]


# --- declared secrets in dump and diff ---------------------------------------------


def test_dump_redacts_write_only_and_secrets_directory_values(site: Path) -> None:
    env = {"AMPHO_SECRETS_DIR": "secrets"}
    outputs = {
        "json": ok(site, "config", "dump", **env),
        "key": ok(site, "config", "dump", "MAIL", **env),
        "leaf": ok(site, "config", "dump", "MAIL.RELAY", **env),
        "env": ok(site, "config", "dump", "--format", "env", **env),
        "explain": ok(site, "config", "dump", "--explain", **env),
    }
    mail = json.loads(outputs["json"])["MAIL"]
    assert (mail["SIGNATURE"], mail["RELAY"], mail["PASSWORD"]) == ("***", "***", "***")
    assert json.loads(outputs["leaf"]) == "***"
    assert "AMPHO_MAIL__SIGNATURE='***'" in outputs["env"].splitlines()
    assert 'MAIL.RELAY = "***"  (secrets/MAIL__RELAY)' in outputs["explain"].splitlines()
    for name, out in outputs.items():
        for secret in HIDDEN:
            assert secret not in out, name
    shown = json.loads(ok(site, "config", "dump", "--show-secrets", **env))["MAIL"]
    assert (shown["SIGNATURE"], shown["RELAY"]) == ("user-signature-3", "relay-4")


def test_diff_redacts_declared_secrets(site: Path) -> None:
    (site / "instance/development.json").write_text(
        '{"MAIL": {"SIGNATURE": "development-signature"}}\n'
    )
    (site / "instance/u@h.json").unlink()
    out = ok(site, "config", "diff", "production", "development")
    assert out.splitlines() == [
        "MAIL.PORT",
        "  production   587  (instance/production.json:4:5)",
        "  development  25  (mail/default.json:4:5)",
        "MAIL.SIGNATURE",
        '  production   "***"  (mail/default.json:6:5)',
        '  development  "***"  (instance/development.json:1:11)',
    ]


@pytest.mark.parametrize(
    "args",
    [["config", "schema"], ["config", "docs"], ["config", "explain", "MAIL"], ["config", "check"]],
)
def test_a_missing_required_bundle_is_one_error_line(site: Path, args: list[str]) -> None:
    (site / "app/__init__.py").write_text('REQUIRES = ["mail", "nope"]\n')
    result = ampho(site, *args)
    assert_errors(result, [result.stderr[len("Error: ") :].rstrip("\n")])
    assert "'nope'" in result.stderr


def test_the_root_option_reads_another_directory(site: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = ok(elsewhere, "config", "explain", "--root", str(site), "MAIL.PORT")
    assert out.splitlines()[-1] == "instance/production.json:4:5: 587  (wins)"
    document = json.loads(ok(elsewhere, "--root", str(site), "config", "schema"))
    assert not Draft202012Validator(document).is_valid({"MAIL": {"PORT": "abc"}})
    rows = docs_rows(ok(elsewhere, "config", "docs", "--root", str(site)))
    assert rows["MAIL.PORT"][2] == "25"


def test_schema_accepts_dollar_schema_when_a_bundle_allows_no_other_keys(site: Path) -> None:
    """Each bundle's schema is one branch of the printed document, so a
    bundle's top-level ``additionalProperties: false`` must not refuse
    the ``"$schema"`` key an editor reads from every instance file."""
    schema = json.loads(MAIL_SCHEMA)
    schema["additionalProperties"] = False
    (site / "mail/schema.json").write_text(json.dumps(schema))
    validator = Draft202012Validator(json.loads(ok(site, "config", "schema")))
    production = json.loads((site / "instance/production.json").read_text())
    assert "$schema" in production
    assert validator.is_valid(production), list(validator.iter_errors(production))
    assert not validator.is_valid({**production, "OTHER": 1})
    assert not validator.is_valid({**production, "MAIL": {"PORT": "abc"}})


def test_a_top_level_violation_is_one_error_line_naming_the_top_level(site: Path) -> None:
    (site / "app/schema.json").write_text('{"dependentRequired": {"LONE": ["PAIR"]}}')
    (site / "instance/production.json").write_text('{\n  "LONE": 1\n}\n')
    expected = "instance/production.json:2:11: (top level): 'PAIR' is a dependency of 'LONE'"
    assert_errors(ampho(site, "config", "get", "LONE"), [f"{expected} (app/schema.json)"])
    result = check(site)
    assert (
        "instance/production.json:2:11: error: (top level): 'PAIR' is a dependency of 'LONE'"
        " (app/schema.json)"
    ) in result.stdout.splitlines()


def test_env_dump_of_declared_strings_reads_back_the_same(tmp_path: Path) -> None:
    """``--format env`` writes a string-only key as the text the loader keeps."""
    schema = json.dumps(
        {
            "type": "object",
            "properties": {
                "ZIP": {"type": "string"},
                "CODE": {"type": ["string", "integer"]},
                "NOTE": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                "FLAG": {"type": "string"},
            },
        }
    )
    values = {"ZIP": "12345", "CODE": "12345", "NOTE": '"quoted" 007', "FLAG": "true"}
    source = write_tree(
        tmp_path / "source",
        {"app/__init__.py": "", "app/schema.json": schema, "instance/default.json": "{}"},
    )
    (source / "app" / "default.json").write_text(json.dumps(values), encoding="utf-8")
    # The same bundle with other defaults: only the variables can bring the values back.
    target = write_tree(
        tmp_path / "target",
        {
            "app/__init__.py": "",
            "app/schema.json": schema,
            "app/default.json": '{"ZIP": "x", "CODE": 1, "NOTE": null, "FLAG": "no"}',
            "instance/default.json": "{}",
        },
    )
    (tmp_path / "dump.env").write_text(ok(source, "config", "dump", "--format", "env"))
    command = "set -a; . ./dump.env; set +a; exec " + shlex.join(
        [*AMPHO, "config", "dump", "--root", str(target)]
    )
    rebuilt = run([shutil.which("sh") or "/bin/sh", "-c", command], [], tmp_path)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert json.loads(rebuilt.stdout) == values
