"""The secrets directory: one file per setting, as Docker and Kubernetes mount them.

Each test writes a real directory (with the symbolic links Kubernetes
makes, a FIFO where one matters) and loads through :func:`ampho.config.load`.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

import pytest
from processes import AMPHO, run

from ampho.config import ConfigError, SettingsInvalid, load
from ampho.config.redaction import redact_at

SCHEMA = {
    "properties": {
        "DB": {
            "type": "object",
            "required": ["HOST"],
            "additionalProperties": False,
            "properties": {
                "HOST": {"type": "string"},
                "PORT": {"type": "integer", "minimum": 1},
                "MODE": {"enum": ["rw", "ro"]},
                "NAME": {"type": "string", "pattern": "^[a-z]+$"},
                "PASSWORD": {"type": "string"},
                "OPTIONS": {"type": "object"},
            },
        }
    }
}


def secrets_dir(root: Path, files: dict[str, str | bytes]) -> Path:
    directory = root / "secrets"
    directory.mkdir(exist_ok=True)
    for name, content in files.items():
        path = directory / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return directory


def load_at(root: Path, environ: dict[str, str] | None = None, **kwargs: Any) -> Any:
    kwargs.setdefault("bundles", False)
    return load(root, user="u", host="h", environ=environ or {}, **kwargs)


def test_each_file_is_a_setting_named_like_an_environment_variable(tmp_path: Path) -> None:
    secrets_dir(tmp_path, {"TOKEN": "abc\n", "DB__PASSWORD": "pw", "DB__OPTIONS__SSL": "on\n"})
    cfg = load_at(tmp_path, {"AMPHO_SECRETS_DIR": "secrets"})
    assert cfg.to_dict() == {"TOKEN": "abc", "DB": {"PASSWORD": "pw", "OPTIONS": {"SSL": "on"}}}
    assert str(cfg.origin("DB.PASSWORD")) == "secrets/DB__PASSWORD"
    assert str(cfg.origin("TOKEN")) == "secrets/TOKEN"
    assert cfg.declared_secrets == {("TOKEN",), ("DB", "PASSWORD"), ("DB", "OPTIONS", "SSL")}
    assert "SECRETS_DIR" not in cfg


def test_only_one_trailing_newline_is_removed(tmp_path: Path) -> None:
    secrets_dir(tmp_path, {"A": "x\n\n", "B": " y ", "C": "z\r\n", "D": "", "E": "two\nlines"})
    cfg = load_at(tmp_path, secrets_dir="secrets")
    assert cfg.to_dict() == {"A": "x\n", "B": " y ", "C": "z", "D": "", "E": "two\nlines"}


BOM = "\ufeff".encode()


@pytest.mark.parametrize(
    ("content", "value"),
    [
        (BOM + b"hunter2\n", "hunter2"),
        (BOM + b"hunter2\r\n", "hunter2"),
        (BOM, ""),
        (BOM + BOM + b"x", "\ufeffx"),  # one mark is an encoding's; a second is text
        (b"x" + BOM, "x\ufeff"),  # only at the start
    ],
)
def test_a_byte_order_mark_starting_a_file_is_dropped(
    tmp_path: Path, content: bytes, value: str
) -> None:
    """Notepad writes one; an instance file's is dropped, and so is a secret's."""
    secrets_dir(tmp_path, {"SMTP_PASSWORD": content})
    assert load_at(tmp_path, secrets_dir="secrets")["SMTP_PASSWORD"] == value


def test_a_byte_order_mark_does_not_change_a_declared_type(tmp_path: Path) -> None:
    secrets_dir(tmp_path, {"DB__PORT": BOM + b"5432\n", "DB__HOST": BOM + b"10\n"})
    cfg = load_at(tmp_path, secrets_dir="secrets", schemas=[SCHEMA])
    assert cfg.lookup("DB.PORT") == 5432
    assert cfg.lookup("DB.HOST") == "10"


def test_the_command_reads_a_secret_with_a_byte_order_mark_as_its_text(tmp_path: Path) -> None:
    """Through the real command, with the directory given by AMPHO_SECRETS_DIR."""
    secrets = secrets_dir(tmp_path, {"MAIL__PASSWORD": BOM + b"hunter2\r\n"})
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "default.json").write_text('{"MAIL": {"SERVER": "smtp"}}')
    env = {"AMPHO_SECRETS_DIR": str(secrets)}
    got = run(AMPHO, ["config", "get", "MAIL.PASSWORD"], tmp_path, **env)
    assert got.returncode == 0, got.stderr
    assert got.stdout.encode() == b"hunter2\n"
    dumped = run(AMPHO, ["config", "dump", "--show-secrets", "MAIL"], tmp_path, **env)
    assert json.loads(dumped.stdout) == {"PASSWORD": "hunter2", "SERVER": "smtp"}


def test_undeclared_values_are_text_and_declared_ones_are_typed(tmp_path: Path) -> None:
    secrets_dir(tmp_path, {"N": "5432\n", "DB__PORT": "5432\n", "DB__HOST": "10\n"})
    cfg = load_at(tmp_path, secrets_dir="secrets", schemas=[SCHEMA])
    assert cfg["N"] == "5432"
    assert cfg.lookup("DB.PORT") == 5432
    assert cfg.lookup("DB.HOST") == "10"


def test_a_file_for_a_string_is_its_text_never_decoded(tmp_path: Path) -> None:
    """A password is what the file holds: quotes and escapes are characters of it."""
    secrets_dir(tmp_path, {"DB__PASSWORD": '"pass\\u0077ord"\n', "DB__HOST": '"db"'})
    cfg = load_at(tmp_path, secrets_dir="secrets", schemas=[SCHEMA])
    assert cfg.lookup("DB.PASSWORD") == '"pass\\u0077ord"'
    assert cfg.lookup("DB.HOST") == '"db"'


def test_a_file_for_an_optional_string_is_text_unless_it_is_null(tmp_path: Path) -> None:
    """``anyOf`` string or null, as pydantic writes an optional string."""
    schema = {"properties": {"TOKEN": {"anyOf": [{"type": "string"}, {"type": "null"}]}}}
    secrets_dir(tmp_path, {"TOKEN": "123\n"})
    assert load_at(tmp_path, secrets_dir="secrets", schemas=[schema])["TOKEN"] == "123"
    secrets_dir(tmp_path, {"TOKEN": "null\n"})
    assert load_at(tmp_path, secrets_dir="secrets", schemas=[schema])["TOKEN"] is None


def test_the_layer_sits_above_the_user_file_and_below_the_environment(tmp_path: Path) -> None:
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "u@h.json").write_text('{"A": "file", "B": "file"}')
    secrets_dir(tmp_path, {"A": "secret", "B": "secret"})
    cfg = load_at(tmp_path, {"AMPHO_SECRETS_DIR": "secrets", "AMPHO_B": "env"})
    assert (cfg["A"], cfg["B"]) == ("secret", "env")
    names = [layer.name for layer in cfg.layers]
    assert names[names.index("instance/u@h.json") + 1 : names.index("env") + 1] == [
        "secrets",
        "env",
    ]
    assert [s.layer.name for s in cfg.explain("A")] == ["instance/u@h.json", "secrets"]
    assert cfg.explain("A")[-1].value == "secret"


def test_the_argument_wins_over_the_variable(tmp_path: Path) -> None:
    secrets_dir(tmp_path, {"A": "1"})
    cfg = load_at(tmp_path, {"AMPHO_SECRETS_DIR": "missing"}, secrets_dir=tmp_path / "secrets")
    assert cfg["A"] == "1"


def test_names_starting_with_a_dot_are_skipped_and_kubernetes_links_followed(
    tmp_path: Path,
) -> None:
    directory = tmp_path / "secrets"
    stamped = directory / "..2026_12_01_10_00_00.123"
    stamped.mkdir(parents=True)
    (stamped / "DB__PASSWORD").write_text("from-k8s\n")
    (stamped / "DB__HOST").write_text("db\n")
    os.symlink(stamped.name, directory / "..data")
    os.symlink("..data/DB__PASSWORD", directory / "DB__PASSWORD")
    os.symlink("..data/DB__HOST", directory / "DB__HOST")
    (directory / ".hidden").write_text("not a setting")
    cfg = load_at(tmp_path, secrets_dir="secrets", schemas=[SCHEMA])
    assert cfg.to_dict() == {"DB": {"PASSWORD": "from-k8s", "HOST": "db"}}
    assert str(cfg.origin("DB.PASSWORD")) == "secrets/DB__PASSWORD"


def test_an_editors_lock_swap_and_backup_files_are_skipped(tmp_path: Path) -> None:
    # The rule config check applies in the instance directory, too.
    directory = secrets_dir(
        tmp_path,
        {
            "DB__PASSWORD": "pw\n",
            "DB__PASSWORD~": "old-pw\n",
            ".DB__PASSWORD.swp": "b0VIM 9.0",
            "#DB__PASSWORD#": "draft-pw\n",
        },
    )
    os.symlink("u@h.4242:1733580000", directory / ".#DB__PASSWORD")
    assert load_at(tmp_path, secrets_dir="secrets").to_dict() == {"DB": {"PASSWORD": "pw"}}


@pytest.mark.parametrize("name", ["db-password", "DB___X", "_A", "A__", "A.B", "é"])
def test_an_invalid_name_is_an_error_naming_the_file(tmp_path: Path, name: str) -> None:
    secrets_dir(tmp_path, {name: "x"})
    with pytest.raises(ConfigError) as caught:
        load_at(tmp_path, secrets_dir="secrets")
    assert str(caught.value) == (
        f"secrets/{name}: is not a setting's name: use letters, digits and single"
        " underscores, with __ between nested keys (DB__PASSWORD)"
    )


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    directory = secrets_dir(tmp_path, {})
    os.mkfifo(directory / "TOKEN")
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            load_at(tmp_path, secrets_dir="secrets")
        except BaseException as e:  # handed to the test's thread
            outcome.append(e)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=10)
    assert not thread.is_alive(), "load() waited on the FIFO"
    assert isinstance(outcome[0], ConfigError)
    assert str(outcome[0]) == "secrets/TOKEN: is a FIFO, not a regular file"


def test_invalid_utf8_is_an_error_naming_the_file_not_the_content(tmp_path: Path) -> None:
    secrets_dir(tmp_path, {"TOKEN": b"s3cr\xfft"})
    with pytest.raises(ConfigError) as caught:
        load_at(tmp_path, secrets_dir="secrets")
    assert str(caught.value) == "secrets/TOKEN: is not valid UTF-8 (byte 0xff); save it as UTF-8"


def test_a_file_that_nests_into_a_string_is_an_error_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "default.json").write_text('{"DB": "sqlite://"}')
    secrets_dir(tmp_path, {"DB__PASSWORD": "pw"})
    with pytest.raises(ConfigError) as caught:
        load_at(tmp_path, secrets_dir="secrets")
    assert str(caught.value) == (
        "secrets/DB__PASSWORD: cannot set DB.PASSWORD: DB is a string, not an object"
    )


@pytest.mark.parametrize("value", ["missing", "secrets/TOKEN"])
def test_a_missing_directory_is_a_one_line_error(tmp_path: Path, value: str) -> None:
    secrets_dir(tmp_path, {"TOKEN": "x"})
    with pytest.raises(ConfigError) as caught:
        load_at(tmp_path, {"AMPHO_SECRETS_DIR": value})
    assert str(caught.value) == (
        f"AMPHO_SECRETS_DIR: {value!r} is not a directory: set it to the directory of secrets files"
    )
    with pytest.raises(ConfigError, match=r"^secrets_dir: 'missing' is not a directory"):
        load_at(tmp_path, secrets_dir="missing")


def test_an_empty_variable_means_no_directory(tmp_path: Path) -> None:
    cfg = load_at(tmp_path, {"AMPHO_SECRETS_DIR": ""})
    assert "secrets" not in [layer.name for layer in cfg.layers]


# One case per kind of violation, from a secrets file: the file, its
# content, the line. The value is a secret: never shown.
KINDS = [
    pytest.param("DB__PORT", "abc", "DB.PORT: *** is not of type 'integer'", id="type"),
    pytest.param("DB__MODE", "wx", "DB.MODE: *** is not one of ['rw', 'ro']", id="enum"),
    pytest.param("DB__PORT", "0", "DB.PORT: *** is less than the minimum of 1", id="minimum"),
    pytest.param("DB__NAME", "Bob", "DB.NAME: *** does not match '^[a-z]+$'", id="pattern"),
    pytest.param(
        "DB__EXTRA",
        "1",
        "DB.EXTRA: Additional properties are not allowed ('EXTRA' was unexpected)",
        id="additionalProperties",
    ),
]


@pytest.mark.parametrize(("name", "content", "message"), KINDS)
def test_a_violation_from_a_secrets_file_names_the_file_and_hides_the_value(
    app_tree: Any, name: str, content: str, message: str
) -> None:
    app_tree.bundle("app")
    app_tree.write(
        {"app/schema.json": json.dumps(SCHEMA), "instance/default.json": '{"DB": {"HOST": "h"}}'}
    )
    secrets_dir(app_tree.root, {name: content + "\n"})
    with pytest.raises(SettingsInvalid) as caught:
        load(app_tree.root, user="u", host="h", environ={"AMPHO_SECRETS_DIR": "secrets"})
    assert caught.value.lines() == [f"secrets/{name}: {message} (app/schema.json)"]


def test_a_required_key_missing_from_an_object_set_by_a_secrets_file(app_tree: Any) -> None:
    app_tree.bundle("app")
    app_tree.write({"app/schema.json": json.dumps(SCHEMA)})
    secrets_dir(app_tree.root, {"DB__PASSWORD": "pw"})
    with pytest.raises(SettingsInvalid) as caught:
        load(app_tree.root, user="u", host="h", environ={"AMPHO_SECRETS_DIR": "secrets"})
    assert caught.value.lines() == ["secrets/DB__PASSWORD: DB.HOST: is required (app/schema.json)"]


def test_a_value_from_the_directory_is_a_secret_whatever_its_name(tmp_path: Path) -> None:
    secrets_dir(tmp_path, {"DB__HOST": "internal.example"})
    cfg = load_at(tmp_path, secrets_dir="secrets")
    assert ("DB", "HOST") in cfg.declared_secrets
    # The name alone would show it: the declaration is what printers use.
    assert redact_at(("DB", "HOST"), "internal.example") == "internal.example"
