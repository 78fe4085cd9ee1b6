"""Settings declared as classes: a bundle's ``SETTINGS``.

A bundle says ``SETTINGS = {"MAIL": Mail}`` with ``Mail`` a frozen
dataclass (or a frozen pydantic model); Ampho derives a schema and a
defaults layer from it, and ``Config.bind(Mail)`` / ``ampho.settings(Mail)``
give a frozen instance of it. Every test writes a real bundle: through
:func:`ampho.config.load` with the ``app_tree`` fixture, through
:func:`ampho.create_app` and a request, and through the real ``ampho``
command in a subprocess, where what a user sees (one ``Error:`` line per
problem, no traceback, no secret) is what is checked.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import logging
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pydantic
import pytest
from flask import Flask
from jsonschema import Draft202012Validator
from processes import AMPHO, assert_one_line_error, run, write_tree

import ampho
from ampho.config import Config, ConfigError, Secret, SettingsInvalid, load

# --- the bundles ---------------------------------------------------------------------

#: The entry bundle ``app`` declaring ``MAIL``. Lines: class Smtp 8, its
#: HOST 9 and PORT 10; class Mail 14; SENDER 17, SMTP 18, RATE 19,
#: ALLOWED 20, MODE 21, PASSWORD 22, TAGS 23.
DATACLASS_MAIL = '''
from dataclasses import dataclass, field
from typing import Literal

from ampho.config import Secret


@dataclass(frozen=True)
class Smtp:
    HOST: str = "localhost"
    PORT: int = 25


@dataclass(frozen=True)
class Mail:
    """Where the shop's mail goes."""

    SENDER: str
    SMTP: Smtp = field(default_factory=Smtp)
    RATE: float = 1
    ALLOWED: tuple[str, ...] = ()
    MODE: Literal["smtp", "log"] = "smtp"
    PASSWORD: Secret | None = None
    TAGS: dict[str, int] = field(default_factory=dict, metadata={"description": "tag weights"})


SETTINGS = {"MAIL": Mail}
'''

#: The same settings as frozen pydantic models, with what only pydantic
#: says: ``Field(ge=1)`` and a validator. Lines: class Smtp 8, its PORT
#: 12; class Mail 15; SENDER 20, SMTP 21, RATE 22, PASSWORD 25, RETRIES 27.
PYDANTIC_MAIL = '''
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ampho.config import Secret


class Smtp(BaseModel):
    model_config = ConfigDict(frozen=True)

    HOST: str = "localhost"
    PORT: int = Field(25, ge=1)


class Mail(BaseModel):
    """Where the shop's mail goes."""

    model_config = ConfigDict(frozen=True)

    SENDER: str
    SMTP: Smtp = Smtp()
    RATE: float = 1
    ALLOWED: tuple[str, ...] = ()
    MODE: Literal["smtp", "log"] = "smtp"
    PASSWORD: Secret | None = None
    TAGS: dict[str, int] = Field(default_factory=dict, description="tag weights")
    RETRIES: int = Field(3, ge=1)

    @field_validator("SENDER")
    @classmethod
    def _has_an_at(cls, value: str) -> str:
        if "@" not in value:
            raise ValueError("needs an @")
        return value


SETTINGS = {"MAIL": Mail}
'''

FLAVOURS = {"dataclass": DATACLASS_MAIL, "pydantic": PYDANTIC_MAIL}

#: A password that must never be printed unless asked for.
PASSWORD = "hunter2-pw-7"

#: What the instance files say, on top of the class's defaults.
INSTANCE_DEFAULT = {
    "MAIL": {
        "SENDER": "shop@example.com",
        "SMTP": {"HOST": "mx.example"},
        "ALLOWED": ["a.example"],
        "MODE": "log",
        "TAGS": {"news": 2},
    }
}


def declared(name: str, module: str = "app") -> Any:
    """A class of a bundle, as the load imported it."""
    return getattr(importlib.import_module(module), name)


def load_tree(app_tree, env: dict[str, str] | None = None, **kwargs: Any) -> Config:
    """``load()`` of the tree as user ``u`` on host ``h``, with only ``env``."""
    return load(app_tree.root, user="u", host="h", environ=env or {}, **kwargs)


def write_shop(app_tree, source: str = DATACLASS_MAIL, **files: Any) -> None:
    """The ``app`` bundle declaring ``MAIL``, its instance files, and ``files``."""
    app_tree.bundle("app", __init__=source)
    app_tree.write(
        {
            "instance/default.json": json.dumps(INSTANCE_DEFAULT),
            "instance/u@h.json": json.dumps({"MAIL": {"PASSWORD": PASSWORD}}),
            **{
                name: text if isinstance(text, str) else json.dumps(text)
                for name, text in files.items()
            },
        }
    )


# --- binding: Config.bind ------------------------------------------------------------


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_bind_makes_the_declared_class_with_every_value_of_its_type(app_tree, flavour) -> None:
    write_shop(app_tree, FLAVOURS[flavour])
    cfg = load_tree(app_tree, {"AMPHO_MAIL__RATE": "3", "AMPHO_MAIL__ALLOWED": "a.example, b.ex"})
    Mail, Smtp = declared("Mail"), declared("Smtp")
    mail = cfg.bind(Mail)
    assert mail == Mail(
        SENDER="shop@example.com",
        SMTP=Smtp(HOST="mx.example", PORT=25),
        RATE=3.0,
        ALLOWED=("a.example", "b.ex"),
        MODE="log",
        PASSWORD=Secret(PASSWORD),
        TAGS={"news": 2},
    )
    # Equality does not tell 3 from 3.0, nor a list from a tuple for pydantic.
    assert type(mail.RATE) is float
    assert type(mail.ALLOWED) is tuple
    assert type(mail.SMTP) is Smtp
    assert type(mail.SMTP.PORT) is int
    assert type(mail.PASSWORD) is Secret
    assert mail.PASSWORD.get_secret_value() == PASSWORD


@pytest.mark.parametrize(
    ("flavour", "error"),
    [("dataclass", dataclasses.FrozenInstanceError), ("pydantic", pydantic.ValidationError)],
)
def test_the_bound_instance_is_frozen_and_made_once(app_tree, flavour, error) -> None:
    write_shop(app_tree, FLAVOURS[flavour])
    cfg = load_tree(app_tree)
    mail = cfg.bind(declared("Mail"))
    with pytest.raises(error):
        mail.RATE = 2.0
    with pytest.raises(error):
        mail.SMTP.PORT = 26
    assert cfg.bind(declared("Mail")) is mail
    # The instance holds copies: changing one changes no setting.
    mail.TAGS["news"] = 99
    assert cfg["MAIL"]["TAGS"] == {"news": 2}


def box(annotation: str, default: str = "") -> str:
    """A bundle declaring ``BOX`` with one field, ``VALUE``."""
    return f"""
import datetime
from dataclasses import dataclass, field
from typing import Literal

from ampho.config import Secret


@dataclass(frozen=True)
class Smtp:
    HOST: str = "localhost"
    PORT: int = 25


@dataclass(frozen=True)
class Box:
    VALUE: {annotation}{default}


SETTINGS = {{"BOX": Box}}
"""


@pytest.mark.parametrize(
    ("annotation", "value", "bound"),
    [
        ("str", "x", "'x'"),
        ("bool", True, "True"),
        ("float", 3, "3.0"),
        # JSON Schema's "integer" takes 587.0; an int field must still hold an int.
        ("int", 587.0, "587"),
        ("tuple[int, ...]", [1, 2], "(1, 2)"),
        ("list[float]", [1, 2.5], "[1.0, 2.5]"),
        ("dict[str, float]", {"a": 1}, "{'a': 1.0}"),
        ("Literal['smtp', 'log']", "log", "'log'"),
        ("Secret", "s3", "Secret('**********')"),
        ("Secret | None", None, "None"),
        ("list[Secret]", ["s3"], "[Secret('**********')]"),
        ("Smtp", {"PORT": 2}, "Smtp(HOST='localhost', PORT=2)"),
        ("Smtp | None", {"HOST": "mx"}, "Smtp(HOST='mx', PORT=25)"),
        ("list[Smtp]", [{"PORT": 1}], "[Smtp(HOST='localhost', PORT=1)]"),
        ("dict[str, Smtp]", {"a": {}}, "{'a': Smtp(HOST='localhost', PORT=25)}"),
    ],
)
def test_bind_converts_each_supported_type(app_tree, annotation, value, bound) -> None:
    app_tree.bundle("app", __init__=box(annotation))
    app_tree.write({"instance/default.json": json.dumps({"BOX": {"VALUE": value}})})
    assert repr(load_tree(app_tree).bind(declared("Box")).VALUE) == bound


def test_bind_of_a_class_no_bundle_declares_is_a_lookup_error(app_tree) -> None:
    write_shop(app_tree)
    cfg = load_tree(app_tree)

    @dataclasses.dataclass(frozen=True)
    class Other:
        A: int = 1

    # Smtp is only a field's type: no key is declared with it.
    for cls, name in [(declared("Smtp"), "Smtp"), (Other, Other.__qualname__)]:
        with pytest.raises(LookupError, match=f"^{re.escape(name)} is declared in the SETTINGS"):
            cfg.bind(cls)


def test_a_class_declared_under_two_keys_is_bound_by_key(app_tree) -> None:
    source = DATACLASS_MAIL.replace(
        'SETTINGS = {"MAIL": Mail}', 'SETTINGS = {"A": Smtp, "B": Smtp}'
    )
    app_tree.bundle("app", __init__=source)
    cfg = load_tree(app_tree, {"AMPHO_B__PORT": "2525"})
    assert (cfg["A"], cfg["B"]) == (
        {"HOST": "localhost", "PORT": 25},
        {"HOST": "localhost", "PORT": 2525},
    )
    smtp = declared("Smtp")
    with pytest.raises(LookupError, match=r"^Smtp is declared under 'A' and 'B': bind\(cls, key="):
        cfg.bind(smtp)
    assert (cfg.bind(smtp, "A").PORT, cfg.bind(smtp, "B").PORT) == (25, 2525)
    with pytest.raises(LookupError, match=r"^Smtp is not declared under 'C'"):
        cfg.bind(smtp, "C")


PYDANTIC_TWICE = """
    from pydantic import BaseModel, ConfigDict, field_validator

    class Relay(BaseModel):
        model_config = ConfigDict(frozen=True)
        PORT: int = 25

        @field_validator("PORT")
        @classmethod
        def not_smtps(cls, value: int) -> int:
            if value == 465:
                raise ValueError("use 587, not 465")
            return value

    SETTINGS = {"A": Relay, "B": Relay}
"""


def test_a_pydantic_model_declared_under_two_keys_is_validated_at_each(app_tree) -> None:
    app_tree.bundle("app", __init__=PYDANTIC_TWICE)
    cfg = load_tree(app_tree, {"AMPHO_B__PORT": "587"})
    assert cfg.bind(declared("Relay"), "B").PORT == 587
    with pytest.raises(SettingsInvalid) as refused:
        load_tree(app_tree, {"AMPHO_B__PORT": "465"})
    assert refused.value.lines() == ["env AMPHO_B__PORT: B.PORT: use 587, not 465 (app.Relay)"]


def test_a_class_declared_at_the_top_level_binds_its_own_keys(app_tree) -> None:
    source = DATACLASS_MAIL.replace('{"MAIL": Mail}', '{"": Smtp}')
    app_tree.bundle("app", __init__=source)
    app_tree.write({"instance/default.json": '{"HOST": "mx.example", "SECRET_KEY": "k"}'})
    cfg = load_tree(app_tree, {"AMPHO_PORT": "2525"})
    assert cfg.to_dict() == {"HOST": "mx.example", "PORT": 2525, "SECRET_KEY": "k"}
    assert cfg.bind(declared("Smtp")) == declared("Smtp")(HOST="mx.example", PORT=2525)
    assert str(cfg.origin("PORT")) == "env AMPHO_PORT"
    # The top level holds other settings too: only a wrong type is refused.
    with pytest.raises(SettingsInvalid, match=r"^env AMPHO_PORT: PORT: 'x' is not of type"):
        load_tree(app_tree, {"AMPHO_PORT": "x"})


# --- the defaults layer ---------------------------------------------------------------


def test_the_class_defaults_lie_beneath_default_json_the_instance_files_and_env(app_tree) -> None:
    write_shop(app_tree)
    app_tree.write(
        {
            "app/default.json": '{\n  "MAIL": {\n    "RATE": 2\n  }\n}\n',
            "instance/production.json": '{\n  "MAIL": {\n    "RATE": 4\n  }\n}\n',
        }
    )
    cfg = load_tree(app_tree, {"AMPHO_MAIL__RATE": "5"})
    assert [layer.name for layer in cfg.layers] == [
        "app.Mail",
        "app/default.json",
        "instance/default.json",
        "instance/production.json",
        "instance/u@h.json",
        "env",
        "overrides",
    ]
    assert [(str(s.origin), s.value) for s in cfg.explain("MAIL.RATE")] == [
        ("app/__init__.py:19:5", 1),
        ("app/default.json:3:5", 2),
        ("instance/production.json:3:5", 4),
        ("env AMPHO_MAIL__RATE", 5),
    ]
    assert cfg.bind(declared("Mail")).RATE == 5.0
    # Without the variable, the file above the class wins; without the files, the class.
    assert load_tree(app_tree)["MAIL"]["RATE"] == 4
    (app_tree.root / "instance/production.json").unlink()
    (app_tree.root / "app/default.json").unlink()
    assert load_tree(app_tree).bind(declared("Mail")).RATE == 1.0


@pytest.mark.parametrize(
    ("flavour", "key", "origin"),
    [
        ("dataclass", "MAIL.RATE", "app/__init__.py:19:5"),
        ("dataclass", "MAIL.MODE", "app/__init__.py:21:5"),
        ("dataclass", "MAIL.SMTP.PORT", "app/__init__.py:10:5"),
        # An object is the class's own line.
        ("dataclass", "MAIL", "app/__init__.py:14:1"),
        ("pydantic", "MAIL.RATE", "app/__init__.py:22:5"),
        ("pydantic", "MAIL.RETRIES", "app/__init__.py:27:5"),
        ("pydantic", "MAIL.SMTP.PORT", "app/__init__.py:12:5"),
    ],
)
def test_the_origin_of_a_class_default_is_its_fields_line(app_tree, flavour, key, origin) -> None:
    app_tree.bundle("app", __init__=FLAVOURS[flavour])
    app_tree.write({"instance/default.json": '{"MAIL": {"SENDER": "s@example.com"}}'})
    cfg = load_tree(app_tree)
    lowest = cfg.explain(key)[0]
    assert (str(lowest.origin), lowest.layer.name) == (origin, "app.Mail")


def test_the_origin_of_a_nested_default_the_outer_field_sets_is_that_field(app_tree) -> None:
    # Smtp says PORT 25 on line 10; Mail says 2525 for its BACKUP on line 4 of
    # what is added. Pointing at line 10 sends the user to a line that does
    # not hold the value shown.
    source = DATACLASS_MAIL.replace(
        'SETTINGS = {"MAIL": Mail}',
        "@dataclass(frozen=True)\nclass Relay:\n    BACKUP: Smtp = Smtp(PORT=2525)\n\n\n"
        'SETTINGS = {"RELAY": Relay}',
    )
    app_tree.bundle("app", __init__=source)
    lines = (app_tree.root / "app/__init__.py").read_text().splitlines()
    assert lines[27] == "    BACKUP: Smtp = Smtp(PORT=2525)"
    cfg = load_tree(app_tree)
    assert cfg["RELAY"]["BACKUP"]["PORT"] == 2525
    assert str(cfg.origin("RELAY.BACKUP.PORT")) == "app/__init__.py:28:5"


# --- declarations that are refused ----------------------------------------------------


def bundle_code(decorator: str, annotation: str, default: str, settings: str) -> str:
    return f"""
import datetime
from dataclasses import InitVar, dataclass, field

from ampho.config import Secret


{decorator}
class Mail:
    VALUE: {annotation}{default}


SETTINGS = {settings}
"""


MAIL_MAP = '{"MAIL": Mail}'
FROZEN = "@dataclass(frozen=True)"

NESTED_NOT_FROZEN = """
from dataclasses import dataclass, field


@dataclass
class Smtp:
    HOST: str = "localhost"


@dataclass(frozen=True)
class Mail:
    SMTP: Smtp = field(default_factory=Smtp)


SETTINGS = {"MAIL": Mail}
"""

PYDANTIC_NOT_FROZEN = """
from pydantic import BaseModel


class Mail(BaseModel):
    VALUE: int = 1


SETTINGS = {"MAIL": Mail}
"""

#: (bundle source, what the one-line error must say after the bundle is named)
REFUSED = {
    "a dataclass that is not frozen": (
        bundle_code("@dataclass", "int", " = 1", MAIL_MAP),
        ["Mail is not frozen: declare it @dataclass(frozen=True)"],
    ),
    "a class that is no dataclass": (
        bundle_code("", "int", " = 1", MAIL_MAP),
        ["Mail is not a dataclass or a pydantic model"],
    ),
    "an instance, not a class": (
        bundle_code(FROZEN, "int", " = 1", '{"MAIL": Mail()}'),
        ["'MAIL' maps to Mail Mail(VALUE=1), not a class"],
    ),
    "a string, not a class": (
        bundle_code(FROZEN, "int", " = 1", '{"MAIL": "app.Mail"}'),
        ["'MAIL' maps to str 'app.Mail', not a class"],
    ),
    "a complex field": (
        bundle_code(FROZEN, "complex", " = 0j", MAIL_MAP),
        ["Mail.VALUE is complex, which no setting can be"],
    ),
    "a set field": (
        bundle_code(FROZEN, "set[str]", " = field(default_factory=set)", MAIL_MAP),
        ["Mail.VALUE is set[str], which no setting can be"],
    ),
    "a union field": (
        bundle_code(FROZEN, "int | str", " = 1", MAIL_MAP),
        ["Mail.VALUE is int | str, which no setting can be"],
    ),
    "a bare list field": (
        bundle_code(FROZEN, "list", " = field(default_factory=list)", MAIL_MAP),
        ["Mail.VALUE is list, which no setting can be", "list[T]"],
    ),
    "a dict with int keys": (
        bundle_code(FROZEN, "dict[int, str]", " = field(default_factory=dict)", MAIL_MAP),
        ["Mail.VALUE is dict[int, str], which no setting can be"],
    ),
    "a NaN default": (
        bundle_code(FROZEN, "float", " = float('nan')", MAIL_MAP),
        ["the default of Mail.VALUE is nan, which JSON lacks"],
    ),
    "a date default": (
        bundle_code(FROZEN, "str", " = datetime.date(2024, 1, 2)", MAIL_MAP),
        ["the default of Mail.VALUE is date, which settings cannot hold"],
    ),
    "SETTINGS that is a list": (
        bundle_code(FROZEN, "int", " = 1", "[Mail]"),
        ["must map settings keys to classes", "not list"],
    ),
    "a key with a dot": (
        bundle_code(FROZEN, "int", " = 1", '{"MAIL.SMTP": Mail}'),
        ["key 'MAIL.SMTP' is not a top-level settings key"],
    ),
    "a nested dataclass that is not frozen": (
        NESTED_NOT_FROZEN,
        ["Smtp is not frozen"],
    ),
    "a pydantic model that is not frozen": (
        PYDANTIC_NOT_FROZEN,
        ["Mail is not frozen: set model_config = ConfigDict(frozen=True)"],
    ),
    "a dataclass that holds itself": (
        bundle_code(FROZEN, '"Mail | None"', " = None", MAIL_MAP),
        ["Mail holds itself: settings cannot nest for ever"],
    ),
    "a default factory that fails": (
        bundle_code(FROZEN, "int", " = field(default_factory=lambda: 1 // 0)", MAIL_MAP),
        ["Mail cannot be read: ZeroDivisionError: integer division or modulo by zero"],
    ),
    "a required InitVar": (
        bundle_code(FROZEN, "InitVar[int]", "", MAIL_MAP),
        ["Mail.VALUE is an InitVar without a default, which no setting fills"],
    ),
    "a Secret in a field that declares none": (
        bundle_code(
            FROZEN, "list[str]", " = field(default_factory=lambda: [Secret('x')])", MAIL_MAP
        ),
        ["the default of Mail.VALUE holds a Secret, but the field declares none"],
    ),
    "a pydantic RootModel": (
        "from pydantic import RootModel\n\n\nclass Mail(RootModel[int]):\n    root: int = 1\n\n\n"
        f"SETTINGS = {MAIL_MAP}\n",
        ["Mail is a RootModel: settings are named fields"],
    ),
    "a pydantic bytes default": (
        "from pydantic import BaseModel, ConfigDict\n\n\nclass Mail(BaseModel):\n"
        "    model_config = ConfigDict(frozen=True)\n    VALUE: bytes = b'\\xff'\n\n\n"
        f"SETTINGS = {MAIL_MAP}\n",
        ["the default of Mail.VALUE is bytes, which settings cannot hold"],
    ),
}


def assert_refused(message: str, expected: list[str]) -> None:
    assert message.startswith("SETTINGS of bundle 'app': "), message
    assert "\n" not in message
    for part in expected:
        assert part in message, message


@pytest.mark.parametrize(("source", "expected"), REFUSED.values(), ids=list(REFUSED))
def test_a_refused_declaration_is_one_config_error_everywhere(app_tree, source, expected) -> None:
    app_tree.bundle("app", __init__=source)
    app_tree.write({"instance/default.json": '{"SECRET_KEY": "k"}'})
    with pytest.raises(ConfigError) as in_script:
        load_tree(app_tree)
    assert_refused(str(in_script.value), expected)
    with pytest.raises(ConfigError) as in_app:
        app_tree.create_app()
    assert str(in_app.value) == str(in_script.value)
    line = assert_one_line_error(run(AMPHO, ["config", "check"], app_tree.root))
    assert line == f"Error: {in_script.value}"


def test_a_pydantic_settings_base_settings_is_refused(app_tree) -> None:
    pytest.importorskip("pydantic_settings")
    app_tree.bundle(
        "app",
        __init__="""
        from pydantic_settings import BaseSettings, SettingsConfigDict


        class Mail(BaseSettings):
            model_config = SettingsConfigDict(frozen=True)

            HOST: str = "localhost"


        SETTINGS = {"MAIL": Mail}
        """,
    )
    with pytest.raises(ConfigError) as refused:
        load_tree(app_tree)
    assert_refused(str(refused.value), ["Mail is a pydantic-settings BaseSettings"])


@pytest.mark.parametrize(
    "args",
    [
        ["config", "dump"],
        ["config", "explain", "MAIL"],
        ["config", "docs"],
        ["config", "schema"],
        ["config", "check"],
    ],
)
def test_every_config_command_says_a_refused_declaration_in_one_line(tmp_path, args) -> None:
    source, _ = REFUSED["a set field"]
    root = write_tree(tmp_path / "site", {"app/__init__.py": source, "instance/default.json": "{}"})
    line = assert_one_line_error(run(AMPHO, args, root))
    assert line.startswith("Error: SETTINGS of bundle 'app': Mail.VALUE is set[str]")


# --- pydantic ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "env", "expected"),
    [
        (
            {},
            {"AMPHO_MAIL__RETRIES": "0"},
            "env AMPHO_MAIL__RETRIES: MAIL.RETRIES: 0 is less than the minimum of 1 (app.Mail)",
        ),
        (
            {"instance/production.json": '{\n  "MAIL": {\n    "RETRIES": 0\n  }\n}\n'},
            {},
            "instance/production.json:3:16: MAIL.RETRIES: 0 is less than the minimum of 1"
            " (app.Mail)",
        ),
        # In a nested model: pydantic's $defs, lifted to the top, are followed.
        (
            {},
            {"AMPHO_MAIL__SMTP__PORT": "0"},
            "env AMPHO_MAIL__SMTP__PORT: MAIL.SMTP.PORT: 0 is less than the minimum of 1"
            " (app.Mail)",
        ),
    ],
)
def test_a_pydantic_constraint_is_a_violation_where_the_value_is(
    app_tree, files, env, expected
) -> None:
    write_shop(app_tree, PYDANTIC_MAIL, **files)
    with pytest.raises(SettingsInvalid) as invalid:
        load_tree(app_tree, env)
    assert invalid.value.lines() == [expected]


def test_a_pydantic_validator_refusing_the_value_fails_the_load_where_the_value_is(
    app_tree,
) -> None:
    # A model's own validator runs when the settings are loaded, as a
    # schema's rule does, not at the first request that binds them.
    write_shop(app_tree, PYDANTIC_MAIL)
    sender = "nobody-but-secretly-3"
    with pytest.raises(SettingsInvalid) as refused:
        load_tree(app_tree, {"AMPHO_MAIL__SENDER": sender})
    assert refused.value.lines() == ["env AMPHO_MAIL__SENDER: MAIL.SENDER: needs an @ (app.Mail)"]
    message = str(refused.value)
    # pydantic quotes the input; a secret would be quoted with it.
    assert sender not in message
    assert "input" not in message
    assert "errors.pydantic.dev" not in message
    # Nor is pydantic's error chained, where a traceback would print it, input and all.
    assert refused.value.__cause__ is None


def test_a_secret_in_a_pydantic_model_is_a_secret(app_tree) -> None:
    write_shop(app_tree, PYDANTIC_MAIL)
    mail = load_tree(app_tree).bind(declared("Mail"))
    assert type(mail.PASSWORD) is Secret
    assert mail.PASSWORD.get_secret_value() == PASSWORD
    assert PASSWORD not in repr(mail)
    assert PASSWORD not in str(mail)


# --- Secret ---------------------------------------------------------------------------


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_bound_secret_never_shows_itself(app_tree, caplog, flavour) -> None:
    write_shop(app_tree, FLAVOURS[flavour])
    mail = load_tree(app_tree).bind(declared("Mail"))
    shown = [
        repr(mail),
        str(mail),
        f"{mail}",
        f"{mail!r}",
        repr(mail.PASSWORD),
        str(mail.PASSWORD),
        f"{mail.PASSWORD}",
        f"{mail.PASSWORD:>30}",
        "%s %r" % (mail.PASSWORD, mail.PASSWORD),  # noqa: UP031 (what old code writes)
        "{}".format(mail.PASSWORD),  # noqa: UP032
    ]
    for text in shown:
        assert PASSWORD not in text
        assert "*" in text
    with caplog.at_level(logging.INFO, logger="shop.mail"):
        logging.getLogger("shop.mail").info("settings %s, %r", mail, mail.PASSWORD)
    (record,) = [r for r in caplog.records if r.name == "shop.mail"]
    assert PASSWORD not in record.getMessage()
    assert PASSWORD not in logging.Formatter("%(message)s %(args)s").format(record)
    assert "Secret('**********')" in record.getMessage()
    assert mail.PASSWORD.get_secret_value() == PASSWORD


# --- comma-separated lists -------------------------------------------------------------

LISTS = """
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Lists:
    HOSTS: tuple[str, ...] = ()
    PORTS: list[int] = field(default_factory=list)
    RATES: list[float] = field(default_factory=list)
    MAYBE: list[str] | None = None
    NAME: str = ""


SETTINGS = {"LISTS": Lists}
"""


def load_lists(app_tree, source: str, key: str, raw: str) -> Config:
    """The ``LISTS`` bundle loaded with ``raw`` given to ``LISTS.<key>``
    by an environment variable, a secrets file or a ``${env:...}`` reference."""
    app_tree.bundle("app", __init__=LISTS)
    if source == "env":
        return load_tree(app_tree, {f"AMPHO_LISTS__{key}": raw})
    if source == "secrets file":
        app_tree.write({f"secrets/LISTS__{key}": raw + "\n"})
        return load_tree(app_tree, secrets_dir=app_tree.root / "secrets")
    app_tree.write({"instance/default.json": json.dumps({"LISTS": {key: "${env:VALUE}"}})})
    return load_tree(app_tree, {"VALUE": raw})


SOURCES = ["env", "secrets file", "${env:VALUE}"]


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize(
    ("key", "raw", "bound"),
    [
        ("HOSTS", "a.example, b.example", ("a.example", "b.example")),
        ("HOSTS", "  a.example ,b.example  ", ("a.example", "b.example")),
        ("HOSTS", "one.example", ("one.example",)),
        ("HOSTS", '["a,b", "c"]', ("a,b", "c")),
        ("HOSTS", "", ()),
        # Each item is typed as the items are declared: these are strings.
        ("HOSTS", "1, true, null", ("1", "true", "null")),
        ("PORTS", "1,2", [1, 2]),
        ("PORTS", " 1 , 2 ", [1, 2]),
        ("PORTS", "[1, 2]", [1, 2]),
        ("RATES", "1, 2.5", [1.0, 2.5]),
        ("MAYBE", "a,b", ["a", "b"]),
        ("MAYBE", "null", None),
        # A string is never split.
        ("NAME", "a, b", "a, b"),
    ],
)
def test_a_list_setting_takes_comma_separated_items(app_tree, source, key, raw, bound) -> None:
    cfg = load_lists(app_tree, source, key, raw)
    assert repr(getattr(cfg.bind(declared("Lists")), key)) == repr(bound)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("env", "env AMPHO_LISTS__PORTS: LISTS.PORTS.1: 'x' is not of type 'integer' (app.Lists)"),
        # A secrets file's value is never quoted.
        ("secrets file", "secrets/LISTS__PORTS: LISTS.PORTS.1: *** is not of type 'integer'"),
        ("${env:VALUE}", "instance/default.json:1:21: LISTS.PORTS.1: 'x' is not of type 'integer'"),
    ],
)
def test_a_list_item_of_the_wrong_type_is_a_violation_at_its_source(
    app_tree, source, expected
) -> None:
    with pytest.raises(SettingsInvalid) as invalid:
        load_lists(app_tree, source, "PORTS", "1, x")
    (line,) = invalid.value.lines()
    assert line.startswith(expected), line


# --- the application: ampho.settings ---------------------------------------------------

VIEWS = """
import ampho
from ampho import route

from . import Mail


@route("/mail")
def mail():
    first = ampho.settings(Mail)
    return {
        "id": id(first),
        "same": first is ampho.settings(Mail),
        "sender": first.SENDER,
        "port": first.SMTP.PORT,
        "rate": repr(first.RATE),
        "allowed": repr(first.ALLOWED),
        "password": f"{first.PASSWORD}",
    }
"""


def test_settings_gives_the_apps_instance_in_a_request_and_an_app_context(app_tree) -> None:
    write_shop(app_tree)
    app_tree.write({"app/views.py": VIEWS})
    app = app_tree.create_app()
    Mail = declared("Mail")
    with app.app_context():
        mail = ampho.settings(Mail)
        assert mail is ampho.settings(Mail)
        assert mail is app.extensions["ampho"].config.bind(Mail)
    response = app.test_client().get("/mail")
    assert response.status_code == 200
    assert response.get_json() == {
        "id": id(mail),
        "same": True,
        "sender": "shop@example.com",
        "port": 25,
        "rate": "1.0",
        "allowed": "('a.example',)",
        "password": "**********",
    }
    # Another application has its own settings, and its own instance.
    other = app_tree.create_app(MAIL={"SENDER": "other@example.com"})
    with other.app_context():
        assert ampho.settings(Mail).SENDER == "other@example.com"
        assert ampho.settings(Mail) is not mail
    # A later change to app.config does not reach the frozen instance.
    app.config["MAIL"] = {"SENDER": "changed@example.com"}
    with app.app_context():
        assert ampho.settings(Mail) is mail
        assert mail.SENDER == "shop@example.com"


def test_settings_of_an_undeclared_class_is_a_lookup_error(app_tree) -> None:
    write_shop(app_tree)
    app = app_tree.create_app()
    with app.app_context(), pytest.raises(LookupError, match=r"^Smtp is declared in the SETTINGS"):
        ampho.settings(declared("Smtp"))


def test_settings_needs_an_app_that_ampho_made_and_its_context(app_tree) -> None:
    write_shop(app_tree)
    app_tree.create_app()
    Mail = declared("Mail")
    with pytest.raises(RuntimeError, match="application context"):
        ampho.settings(Mail)
    with (
        Flask("plain").app_context(),
        pytest.raises(RuntimeError, match=r"'plain' was not made by ampho\.create_app$"),
    ):
        ampho.settings(Mail)


def test_create_app_refuses_settings_that_break_the_class(app_tree) -> None:
    write_shop(app_tree)
    app_tree.write({"instance/production.json": '{"MAIL": {"MODE": "fax", "SENDR": "x"}}'})
    with pytest.raises(SettingsInvalid) as invalid:
        app_tree.create_app()
    assert sorted(invalid.value.lines()) == [
        "instance/production.json:1:19: MAIL.MODE: 'fax' is not one of ['smtp', 'log'] (app.Mail)",
        "instance/production.json:1:35: MAIL.SENDR: Additional properties are not allowed"
        " ('SENDR' was unexpected) (app.Mail)",
    ]


def test_a_script_loads_and_binds_without_importing_flask_or_pydantic(tmp_path) -> None:
    root = write_tree(
        tmp_path / "site",
        {
            "app/__init__.py": DATACLASS_MAIL,
            "instance/default.json": json.dumps(INSTANCE_DEFAULT),
        },
    )
    code = (
        "import sys\n"
        "from ampho.config import load\n"
        "from app import Mail\n"
        "mail = load(user='u', host='h', environ={'AMPHO_MAIL__ALLOWED': 'a, b'}).bind(Mail)\n"
        "print(repr(mail.RATE), mail.ALLOWED, mail.SMTP.HOST)\n"
        "print([m for m in ('flask', 'werkzeug', 'click', 'pydantic') if m in sys.modules])\n"
    )
    result = run([sys.executable, "-c", code], [], root)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["1.0 ('a', 'b') mx.example", "[]"]


# --- the command line ------------------------------------------------------------------


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A project on disk whose ``app`` bundle declares ``MAIL`` as a dataclass."""
    root = write_tree(
        tmp_path / "site",
        {
            "app/__init__.py": DATACLASS_MAIL,
            "instance/default.json": json.dumps(INSTANCE_DEFAULT, indent=2),
            "instance/u@h.json": '{\n  "MAIL": {\n    "PASSWORD": "' + PASSWORD + '"\n  }\n}\n',
        },
    )
    (root / "instance/u@h.json").chmod(0o600)
    return root


def ampho_ok(root: Path, *args: str, **env: str) -> str:
    result = run(AMPHO, list(args), root, **env)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def assert_error_lines(result: subprocess.CompletedProcess[str], expected: list[str]) -> None:
    assert result.returncode != 0
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert sorted(result.stderr.splitlines()) == sorted(f"Error: {line}" for line in expected)


def test_explain_points_at_the_fields_lines_and_masks_the_secret(site: Path) -> None:
    out = ampho_ok(site, "config", "explain", "MAIL.RATE", AMPHO_MAIL__RATE="3")
    assert out.splitlines() == ["app/__init__.py:19:5: 1", "env AMPHO_MAIL__RATE: 3  (wins)"]
    out = ampho_ok(site, "config", "explain", "MAIL.SMTP.PORT")
    assert out == "app/__init__.py:10:5: 25  (wins)\n"
    out = ampho_ok(site, "config", "explain", "MAIL.PASSWORD")
    assert out.splitlines() == [
        "app/__init__.py:22:5: null",
        'instance/u@h.json:3:5: "***"  (wins)',
    ]
    out = ampho_ok(site, "config", "explain", "MAIL")
    assert out.splitlines()[0].startswith("app/__init__.py:14:1: {")
    assert PASSWORD not in out
    shown = ampho_ok(site, "config", "explain", "--show-secrets", "MAIL.PASSWORD")
    assert shown.splitlines()[-1] == f'instance/u@h.json:3:5: "{PASSWORD}"  (wins)'


def test_docs_lists_each_field_with_its_type_default_and_description(site: Path) -> None:
    rows = json.loads(ampho_ok(site, "config", "docs", "--format", "json"))
    mail = {row["key"]: row for row in rows if row["key"].startswith("MAIL.")}
    row = {"declared_in": "app.Mail", "description": ""}
    # A default is the class's, unless instance/default.json sets the key.
    from_class = {"default_from": "app.Mail"}
    from_instance = {"default_from": "instance/default.json"}
    assert mail == {
        "MAIL.SENDER": {
            **row,
            **from_instance,
            "key": "MAIL.SENDER",
            "type": "string",
            "default": "shop@example.com",
        },
        "MAIL.RATE": {**row, **from_class, "key": "MAIL.RATE", "type": "number", "default": 1},
        "MAIL.ALLOWED": {
            **row,
            **from_instance,
            "key": "MAIL.ALLOWED",
            "type": "list of strings",
            "default": ["a.example"],
        },
        "MAIL.MODE": {
            **row,
            **from_instance,
            "key": "MAIL.MODE",
            "type": 'one of "smtp" or "log"',
            "default": "log",
        },
        "MAIL.PASSWORD": {
            **row,
            **from_class,
            "key": "MAIL.PASSWORD",
            "type": "string or null",
            "default": None,
        },
        "MAIL.TAGS": {
            **row,
            **from_instance,
            "key": "MAIL.TAGS",
            "type": "object",
            "default": {"news": 2},
            "description": "tag weights",
        },
        "MAIL.SMTP.HOST": {
            **row,
            **from_instance,
            "key": "MAIL.SMTP.HOST",
            "type": "string",
            "default": "mx.example",
        },
        "MAIL.SMTP.PORT": {
            **row,
            **from_class,
            "key": "MAIL.SMTP.PORT",
            "type": "integer",
            "default": 25,
        },
    }
    text = ampho_ok(site, "config", "docs")
    (rate,) = [line for line in text.splitlines() if line.startswith("MAIL.RATE ")]
    assert rate.split() == ["MAIL.RATE", "number", "1", "app.Mail", "app.Mail"]


def test_schema_is_the_class_with_its_docstring_and_validates_the_settings(site: Path) -> None:
    document = json.loads(ampho_ok(site, "config", "schema"))
    Draft202012Validator.check_schema(document)
    (branch,) = [b for b in document["allOf"] if b.get("title") == "app.Mail"]
    mail = branch["properties"]["MAIL"]
    assert mail["description"] == "Where the shop's mail goes."
    assert mail["required"] == ["SENDER"]
    assert mail["additionalProperties"] is False
    assert mail["properties"]["TAGS"]["description"] == "tag weights"
    assert mail["properties"]["PASSWORD"] == {"type": ["string", "null"], "writeOnly": True}
    assert mail["properties"]["MODE"] == {"default": "smtp", "enum": ["smtp", "log"]}
    validator = Draft202012Validator(document)
    settings = json.loads(ampho_ok(site, "config", "dump", "--show-secrets"))
    assert validator.is_valid(settings), list(validator.iter_errors(settings))
    assert not validator.is_valid({"MAIL": {"SENDER": "s@example.com", "MODE": "fax"}})
    assert not validator.is_valid({"MAIL": {"SENDER": "s@example.com", "SMTP": {"PORT": "25"}}})
    assert not validator.is_valid({"MAIL": {"RATE": 1}})


def test_dump_masks_the_secret_field(site: Path) -> None:
    dumped = json.loads(ampho_ok(site, "config", "dump"))
    assert dumped["MAIL"]["PASSWORD"] == "***"
    assert dumped["MAIL"]["RATE"] == 1
    env = ampho_ok(site, "config", "dump", "--format", "env")
    assert "AMPHO_MAIL__PASSWORD='***'" in env.splitlines()
    assert PASSWORD not in env
    shown = json.loads(ampho_ok(site, "config", "dump", "--show-secrets"))
    assert shown["MAIL"]["PASSWORD"] == PASSWORD


def test_check_passes_then_reports_each_violation_at_its_place(site: Path) -> None:
    result = run(AMPHO, ["config", "check"], site)
    assert result.returncode == 0, result.stderr
    (site / "instance/production.json").write_text(
        '{\n  "MAIL": {\n    "SMTP": {"PORT": "abc"},\n    "MODE": "fax"\n  }\n}\n'
    )
    result = run(AMPHO, ["config", "check"], site, AMPHO_MAIL__RATE="fast")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr == "3 error(s), 1 warning(s)\n"
    errors = [line for line in result.stdout.splitlines() if ": error: " in line]
    assert sorted(errors) == [
        "env AMPHO_MAIL__RATE: error: MAIL.RATE: 'fast' is not of type 'number' (app.Mail)",
        "instance/production.json:3:22: error: MAIL.SMTP.PORT: 'abc' is not of type 'integer'"
        " (app.Mail)",
        "instance/production.json:4:13: error: MAIL.MODE: 'fax' is not one of ['smtp', 'log']"
        " (app.Mail)",
    ]
    # get says the same, one Error: line each.
    assert_error_lines(
        run(AMPHO, ["config", "get", "MAIL"], site, AMPHO_MAIL__RATE="fast"),
        [line.replace(": error: ", ": ", 1) for line in errors],
    )


def test_a_required_field_no_layer_sets_is_located_at_the_class(site: Path) -> None:
    (site / "instance/default.json").write_text("{}\n")
    (site / "instance/u@h.json").unlink()
    assert_error_lines(
        run(AMPHO, ["config", "get", "MAIL"], site),
        ["app/__init__.py:14:1: MAIL.SENDER: is required (app.Mail)"],
    )


@pytest.fixture
def pydantic_site(tmp_path: Path) -> Path:
    return write_tree(
        tmp_path / "site",
        {
            "app/__init__.py": PYDANTIC_MAIL,
            "instance/default.json": json.dumps(INSTANCE_DEFAULT, indent=2),
        },
    )


def test_the_commands_read_a_pydantic_model_as_they_read_a_dataclass(pydantic_site) -> None:
    env = {"AMPHO_MAIL__PASSWORD": PASSWORD, "AMPHO_MAIL__RATE": "3"}
    dumped = json.loads(ampho_ok(pydantic_site, "config", "dump", **env))
    assert dumped["MAIL"]["PASSWORD"] == "***"
    assert dumped["MAIL"]["RETRIES"] == 3
    out = ampho_ok(pydantic_site, "config", "explain", "MAIL.RETRIES")
    assert out == "app/__init__.py:27:5: 3  (wins)\n"
    document = json.loads(ampho_ok(pydantic_site, "config", "schema"))
    Draft202012Validator.check_schema(document)
    (branch,) = [b for b in document["allOf"] if b.get("title") == "app.Mail"]
    assert branch["properties"]["MAIL"]["properties"]["SMTP"]["$ref"] == "#/$defs/Smtp"
    assert set(branch["$defs"]) == {"Smtp"}
    assert branch["properties"]["MAIL"]["description"] == "Where the shop's mail goes."
    validator = Draft202012Validator(document)
    assert not validator.is_valid({"MAIL": {"SENDER": "s@x", "SMTP": {"PORT": 0}}})
    rows = json.loads(ampho_ok(pydantic_site, "config", "docs", "--format", "json"))
    (tags,) = [row for row in rows if row["key"] == "MAIL.TAGS"]
    assert tags["description"] == "tag weights"
    assert_error_lines(
        run(AMPHO, ["config", "get", "MAIL"], pydantic_site, AMPHO_MAIL__SMTP__PORT="0"),
        ["env AMPHO_MAIL__SMTP__PORT: MAIL.SMTP.PORT: 0 is less than the minimum of 1 (app.Mail)"],
    )


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_schema_never_prints_the_default_of_a_secret_field(tmp_path, flavour) -> None:
    default = "pw-default-in-code-5"
    source = FLAVOURS[flavour].replace(
        "PASSWORD: Secret | None = None", f'PASSWORD: Secret = Secret("{default}")'
    )
    assert default in source
    root = write_tree(tmp_path / "site", {"app/__init__.py": source, "instance/default.json": "{}"})
    for args in (["config", "schema"], ["config", "docs"], ["config", "dump"]):
        result = run(AMPHO, args, root, AMPHO_MAIL__SENDER="s@example.com")
        assert result.returncode == 0, result.stderr
        assert default not in result.stdout, args


# --- what a hostile review found ----------------------------------------------------------

SERVERS = """
from dataclasses import dataclass, field

from ampho.config import Secret


@dataclass(frozen=True)
class Server:
    HOST: str = "h"
    PASSWORD: Secret | None = None


@dataclass(frozen=True)
class Mail:
    SERVERS: list[Server] = field(default_factory=list)
    BCC: tuple[str, ...] = ()


SETTINGS = {"MAIL": Mail}
"""


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        # An object without its brackets is not cut at its commas into
        # strings that quote the password.
        (
            "AMPHO_MAIL__SERVERS",
            '{"HOST": "a", "PASSWORD": "s3cr3t-value"}',
            "env AMPHO_MAIL__SERVERS: MAIL.SERVERS: {'HOST': 'a', 'PASSWORD': '***'}"
            " is not of type 'array' (app.Mail)",
        ),
        # JSON that is not closed is refused, not cut into items.
        (
            "AMPHO_MAIL__BCC",
            '["a@x.example", "b@x.example"',
            'env AMPHO_MAIL__BCC: MAIL.BCC: \'["a@x.example", "b@x.example"\''
            " is not of type 'array' (app.Mail)",
        ),
    ],
)
def test_a_list_value_is_cut_at_commas_only_when_it_is_no_json(
    app_tree, variable, value, expected
) -> None:
    app_tree.bundle("app", __init__=SERVERS)
    with pytest.raises(SettingsInvalid) as refused:
        load_tree(app_tree, {variable: value})
    assert refused.value.lines() == [expected]
    assert "s3cr3t-value" not in str(refused.value.lines())


NESTED_DEFAULTS = """
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Smtp:
    PORT: int = 25


@dataclass(frozen=True)
class Mail:
    SMTP: Smtp = Smtp(PORT=2525)


@dataclass(frozen=True)
class Alerts:
    SMTP: Smtp = Smtp(PORT=465)


SETTINGS = {"MAIL": Mail, "ALERTS": Alerts, "SMTP": Smtp}
"""


def test_each_field_keeps_its_own_default_of_a_shared_nested_class(app_tree) -> None:
    app_tree.bundle("app", __init__=NESTED_DEFAULTS)
    cfg = load_tree(app_tree)
    assert cfg.schemas is not None
    document = cfg.schemas.document()
    defaults = {
        key: branch["properties"][key]["properties"]["SMTP"].get("default")
        for branch in document["allOf"]
        for key in ("MAIL", "ALERTS")
        if key in branch.get("properties", {})
    }
    assert defaults == {"MAIL": {"PORT": 2525}, "ALERTS": {"PORT": 465}}
    smtp = next(b for b in document["allOf"] if "SMTP" in b.get("properties", {}))
    assert "default" not in smtp["properties"]["SMTP"]


TOP_LEVEL_MODEL = """
from pydantic import BaseModel, ConfigDict


class Top(BaseModel):
    model_config = ConfigDict(frozen=True, extra="{extra}")
    SITE_NAME: str = "Shop"


SETTINGS = {{"": Top}}
"""


@pytest.mark.parametrize("extra", ["forbid", "allow"])
def test_a_model_at_the_top_level_is_given_its_own_keys_only(app_tree, extra) -> None:
    app_tree.bundle("app", __init__=TOP_LEVEL_MODEL.format(extra=extra))
    app_tree.write({"instance/default.json": '{"SECRET_KEY": "k-s3cr3t", "OTHER": 1}'})
    top = load_tree(app_tree).bind(declared("Top"))
    assert top.SITE_NAME == "Shop"
    assert "k-s3cr3t" not in repr(top)
    assert top.model_dump() == {"SITE_NAME": "Shop"}


ALIASED = """
from pydantic import BaseModel, ConfigDict, Field


class Mail(BaseModel):
    model_config = ConfigDict(frozen=True)
    host: str = Field("h", validation_alias="HOST")


SETTINGS = {"MAIL": Mail}
"""


def test_a_pydantic_field_is_the_setting_it_is_validated_from(app_tree) -> None:
    app_tree.bundle("app", __init__=ALIASED)
    assert load_tree(app_tree)["MAIL"] == {"HOST": "h"}
    cfg = load_tree(app_tree, {"AMPHO_MAIL__HOST": "mx"})
    assert cfg.bind(declared("Mail")).host == "mx"


RAISING_VALIDATOR = """
from pydantic import BaseModel, ConfigDict, field_validator


class Mail(BaseModel):
    model_config = ConfigDict(frozen=True)
    SENDER: str = "shop@example.com"

    @field_validator("SENDER")
    @classmethod
    def broken(cls, value: str) -> str:
        raise TypeError(f"cannot check {value}")


SETTINGS = {"MAIL": Mail}
"""


def test_a_validator_raising_its_own_exception_is_a_violation_that_quotes_nothing(
    app_tree,
) -> None:
    app_tree.bundle("app", __init__=RAISING_VALIDATOR)
    with pytest.raises(SettingsInvalid) as refused:
        load_tree(app_tree, {"AMPHO_MAIL__SENDER": "s3cr3t@example.com"})
    assert refused.value.lines() == [
        "env AMPHO_MAIL__SENDER: MAIL: the model's validation raised TypeError (app.Mail)"
    ]


def test_an_empty_secret_is_false() -> None:
    assert not Secret("")
    assert Secret("x")
