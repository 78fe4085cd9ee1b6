"""Masking secrets before settings are shown.

Every rule of :mod:`ampho.config.redaction` is pinned by one table,
:data:`CASES`: a key and its value, what must not be seen once the
value is redacted, and what must still be seen, so that a rule that
hides too much fails as surely as one that hides too little. The same
table is then written into an instance directory and every command that
prints settings runs on it, through the real ``ampho`` command, and
must not print one of the hidden strings.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from processes import AMPHO, run, write_instance

from ampho.config import Config, is_secret_key, redact
from ampho.config.redaction import (
    CREDENTIAL_SHAPES,
    MASK,
    DeclaredSecrets,
    KeyPath,
    declared_paths,
    find_declared,
    find_secrets,
    is_secret_at,
    redact_at,
    redact_key,
    redact_keys,
    redact_shapes,
    redact_text,
    redact_violation,
)
from ampho.config.schema import load_schemas
from ampho.config.tree import format_key, iter_leaves, split_key


@dataclass(frozen=True)
class Case:
    """One setting, and what its redacted form must and must not hold."""

    #: The test id: what the case is about.
    why: str
    key: str
    value: Any
    #: Strings that must not appear once the setting is redacted.
    hidden: tuple[str, ...] = ()
    #: Strings that must still appear, in the JSON of the redacted
    #: ``{key: value}`` (``"KEY": 14`` for a number).
    shown: tuple[str, ...] = ()


CASES: list[Case] = [
    # -- key names that mark a secret: the whole value is masked --
    Case(
        "word SECRET", "SECRET_KEY", "kx-secret-key", ("kx-secret-key",), ('"SECRET_KEY": "***"',)
    ),
    Case("lower case", "db_password", "kx-db-password", ("kx-db-password",)),
    Case("PASSWD", "SMTP_PASSWD", "kx-passwd", ("kx-passwd",)),
    Case("TOKEN", "GITHUB_TOKEN", "kx-gh-token", ("kx-gh-token",)),
    Case("API_KEY", "STRIPE_API_KEY", "kx-stripe-1", ("kx-stripe-1",)),
    Case("camelCase apiKey", "apiKey", "kx-camel-api", ("kx-camel-api",), ('"apiKey": "***"',)),
    Case("dashed API-KEY", "API-KEY", "kx-dashed-api", ("kx-dashed-api",)),
    Case("one word APIKEY", "SENDGRID_APIKEY", "kx-apikey", ("kx-apikey",)),
    Case("header name", "x-api-key", "kx-header-name", ("kx-header-name",)),
    Case("PASSPHRASE", "PASSPHRASE", "kx pass phrase", ("kx pass phrase", "phrase")),
    Case("camelCase clientSecret", "clientSecret", "kx-client", ("kx-client",)),
    Case(
        "Authorization key",
        "Authorization",
        "Token kx-authz-1",
        ("kx-authz-1",),
        ('"Authorization": "***"',),
    ),
    Case("PRIVATE", "PRIVATE_KEY_PEM", "kx-pem-1", ("kx-pem-1",)),
    Case("CREDENTIAL, an object", "AWS_CREDENTIALS", {"user": "kx-cred-user"}, ("kx-cred-user",)),
    Case("a number", "PIN_PASSWORD", 987654321, ("987654321",), ('"PIN_PASSWORD": "***"',)),
    Case("a list", "SECRET_KEY_FALLBACKS", ["kx-old-1", "kx-old-2"], ("kx-old-1", "kx-old-2")),
    Case("last word KEY", "STRIPE_KEY", "kx-stripe-2", ("kx-stripe-2",)),
    Case("last word KEY, a digit after", "SIGNING_KEY_2", "kx-signing-2", ("kx-signing-2",)),
    Case("last word PASS", "SMTP_PASS", "kx-smtp-pass", ("kx-smtp-pass",)),
    Case("last word PWD", "DB_PWD", "kx-db-pwd", ("kx-db-pwd",)),
    Case("last word AUTH", "HTTP_AUTH", "app:kx-http-auth", ("kx-http-auth",)),
    Case(
        "nested",
        "DB",
        {"PASSWORD": "kx-nested-pw", "HOST": "db.example"},
        ("kx-nested-pw",),
        ('"PASSWORD": "***"', '"HOST": "db.example"'),
    ),
    Case(
        "a section named by a last word is read key by key",
        "AUTH",
        {"BACKEND": "ldap-kx", "CLIENT_SECRET": "kx-section-secret", "KEY": "kx-section-key"},
        ("kx-section-secret", "kx-section-key"),
        ('"BACKEND": "ldap-kx"',),
    ),
    Case(
        "a section named by a stem is masked whole",
        "CREDENTIALS",
        {"USER": "kx-whole-user", "KEY": "kx-whole-key"},
        ("kx-whole-user", "kx-whole-key"),
        ('"CREDENTIALS": "***"',),
    ),
    Case(
        "in a list of objects", "SERVERS", [{"token": "kx-list-token", "id": 7}], ("kx-list-token",)
    ),
    # -- key names that do not: measures, descriptions, other words --
    Case("measure", "PASSWORD_MIN_LENGTH", 14, shown=('"PASSWORD_MIN_LENGTH": 14',)),
    Case("measure, camelCase", "passwordMaxAge", 90, shown=('"passwordMaxAge": 90',)),
    Case("measure first", "MAX_TOKENS", 512, shown=('"MAX_TOKENS": 512',)),
    Case("duration", "TOKEN_TTL", 3600, shown=('"TOKEN_TTL": 3600',)),
    Case("duration", "PASSWORD_RESET_TIMEOUT", 259200, shown=('"PASSWORD_RESET_TIMEOUT": 259200',)),
    Case("a file", "SECRET_KEY_FILE", "/run/secrets/kx", shown=('"/run/secrets/kx"',)),
    Case("a header's name", "API_KEY_HEADER", "X-Api-Key", shown=('"X-Api-Key"',)),
    Case("an endpoint", "TOKEN_URL", "https://id.example/oauth/token", shown=("/oauth/token",)),
    Case("KEYBOARD is no KEY", "KEYBOARD_LAYOUT", "dvorak-kx", shown=('"dvorak-kx"',)),
    Case("KEY not last", "KEY_PREFIX", "cache-kx:", shown=('"cache-kx:"',)),
    Case("an id", "ACCESS_KEY_ID", "AKIAKX", shown=('"AKIAKX"',)),
    Case("public key", "JWT_PUBLIC_KEY", "ssh-ed25519 AAAAkx", shown=('"ssh-ed25519 AAAAkx"',)),
    Case("AUTH not last", "AUTH_BACKEND", "ldap", shown=('"AUTH_BACKEND": "ldap"',)),
    Case("PASS not last", "PASS_THROUGH", True, shown=('"PASS_THROUGH": true',)),
    Case("a switch, by a last word", "JSON_SORT_KEYS", True, shown=('"JSON_SORT_KEYS": true',)),
    Case("plain", "DEBUG", False, shown=('"DEBUG": false',)),
    Case("empty secret shown", "API_TOKEN", "", shown=('"API_TOKEN": ""',)),
    Case("unset secret shown", "OTHER_TOKEN", None, shown=('"OTHER_TOKEN": null',)),
    # -- URL passwords, under any key --
    Case(
        "URL",
        "DATABASE_URL",
        "postgres://app:kx3cret@db/x",
        ("kx3cret",),
        ('"postgres://app:***@db/x"',),
    ),
    Case(
        "URL, raw #",
        "DSN_HASH",
        "postgresql://u:S11#kx@db/x",
        ("S11#kx", "S11", "kx@"),
        ('"postgresql://u:***@db/x"',),
    ),
    Case("URL, raw /", "DSN_SLASH", "postgresql://u:a/kx9@db/x", ("a/kx9", "kx9"), ("u:***@db/x",)),
    Case("URL, raw ?", "DSN_QUERY", "postgresql://u:q?kx9@db/x", ("q?kx9", "kx9"), ("u:***@db/x",)),
    Case(
        "URL, raw space",
        "DSN_SPACE",
        "postgresql://u:sp kx9@db/x",
        ("sp kx9", "kx9"),
        ("u:***@db/x",),
    ),
    Case("URL, raw @", "DSN_AT", "postgres://app:p@kx9@db/x", ("p@kx9", "kx9"), ("app:***@db/x",)),
    Case(
        "URL, encoded",
        "DSN_ENCODED",
        "postgresql+psycopg://app:p%40kx@db:5432/x",
        ("p%40kx",),
        ('"postgresql+psycopg://app:***@db:5432/x"',),
    ),
    Case(
        "URL, e-mail user",
        "SMTP_URL",
        "smtp://me@example.com:kxhunter@smtp.example.com",
        ("kxhunter",),
        ('"smtp://me@example.com:***@smtp.example.com"',),
    ),
    Case(
        "URL, no user",
        "CACHE_URL",
        "redis://:kxredis@cache:6379/0",
        ("kxredis",),
        ('"redis://:***@cache:6379/0"',),
    ),
    Case("URL, IPv6 host", "V6", "postgres://u:kxv6@[::1]:5432/x", ("kxv6",), ("@[::1]:5432/x",)),
    Case(
        "URL, socket",
        "SOCKET",
        "postgresql://u:kxsock@/db?host=/run/pg",
        ("kxsock",),
        ("@/db?host=/run/pg",),
    ),
    Case(
        "two URLs",
        "NOTE",
        "see postgres://a:kx1@h/x and mysql://c:kx2@h/y",
        ("kx1", "kx2"),
        ('"see postgres://a:***@h/x and mysql://c:***@h/y"',),
    ),
    Case(
        "a password ends before the next URL",
        "LINKS",
        "ftp://host:kxp/x then https://u:kx3@h/",
        ("kx3",),
        ('"ftp://host:kxp/x then https://u:***@h/"',),
    ),
    Case(
        "URLs in lists and objects",
        "REPLICAS",
        ["postgres://a:kx-r1@r1/x", {"URL": "postgres://a:kx-r2@r2/x"}],
        ("kx-r1", "kx-r2"),
        ("postgres://a:***@r1/x", "postgres://a:***@r2/x"),
    ),
    Case("URL, no password", "PLAIN_DSN", "postgres://app@db/x", shown=('"postgres://app@db/x"',)),
    Case(
        "URL, empty password", "EMPTY_PW", "postgres://app:@db/x", shown=('"postgres://app:@db/x"',)
    ),
    Case("URL, a port", "PORT_URL", "http://db:5432/x", shown=('"http://db:5432/x"',)),
    Case("URL, @ in the path", "AT_PATH", "http://host/path@x", shown=('"http://host/path@x"',)),
    Case(
        "URL, @ after a port",
        "AT_QUERY",
        "http://h:80/p?q=a:b@c",
        shown=('"http://h:80/p?q=a:b@c"',),
    ),
    Case(
        "URL, : in the path",
        "COLON_PATH",
        "https://ex.com/a:b@c",
        shown=('"https://ex.com/a:b@c"',),
    ),
    # -- credentials in query strings and connection strings --
    Case(
        "query ?password=",
        "API",
        "https://api.example/v1?password=kx-q1",
        ("kx-q1",),
        ('"https://api.example/v1?password=***"',),
    ),
    Case(
        "JDBC &password=",
        "JDBC_MYSQL",
        "jdbc:mysql://db/x?user=app&password=kx-q2&ssl=true",
        ("kx-q2",),
        ("user=app&password=***&ssl=true",),
    ),
    Case(
        "JDBC ;password= with # / ?",
        "JDBC_MSSQL",
        "jdbc:sqlserver://db:1433;user=app;password=kx#q3/?z;databaseName=x",
        ("kx#q3", "q3/?z"),
        (";password=***;databaseName=x",),
    ),
    Case(
        "query access_token",
        "PUSH",
        "wss://push.example/?v=1&access_token=kx-q4",
        ("kx-q4",),
        ("v=1&access_token=***",),
    ),
    Case("query, a measure", "VERIFY", "https://x/?token_ttl=300", shown=("token_ttl=300",)),
    Case(
        "libpq keywords, quoted",
        "PG",
        "host=db user=app password='kx q5' dbname=x",
        ("kx q5", "q5"),
        ("host=db user=app password=*** dbname=x",),
    ),
    Case(
        "ODBC, braced",
        "ODBC",
        "Driver={X};Server=db;Uid=app;Pwd={kx;q6};",
        ("kx;q6", "q6"),
        ("Uid=app;Pwd=***;",),
    ),
    Case(
        "Azure AccountKey",
        "STORAGE",
        "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=kxQ7==;EndpointSuffix=x",
        ("kxQ7",),
        ("AccountName=acct;AccountKey=***;",),
    ),
    Case(
        "command line option",
        "ARGS",
        ["--password=kx-q8", "--verbose"],
        ("kx-q8",),
        ('"--password=***"', '"--verbose"'),
    ),
    # -- authorization headers and other credentials in values --
    Case(
        "header line",
        "HEADERS",
        ["Authorization: Bearer kx-h1", "Accept: json"],
        ("kx-h1",),
        ('"Authorization: ***"', '"Accept: json"'),
    ),
    Case(
        "Bearer as a value",
        "DEFAULT_HEADERS",
        [["Authorization", "Bearer kx.h2-jwt"]],
        ("kx.h2-jwt", "h2-jwt"),
        ('"Bearer ***"',),
    ),
    Case(
        "Basic as a value",
        "PROXY_HEADERS",
        [["Proxy-Authorization", "Basic dXNlcjprei1oMw=="]],
        ("dXNlcjprei1oMw",),
        ('"Basic ***"',),
    ),
    Case("Basic, no credentials", "PLAN", "Basic plan", shown=('"Basic plan"',)),
    Case(
        "header lines in one string",
        "RAW_HEADERS",
        "X-Api-Key: kx-h4\nAccept: */*",
        ("kx-h4",),
        ("X-Api-Key: ***\\nAccept: */*",),
    ),
    Case(
        "PEM private key",
        "BUNDLE",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIkx5\n-----END RSA PRIVATE KEY-----",
        ("MIIkx5",),
        ("-----BEGIN RSA PRIVATE KEY-----***-----END RSA PRIVATE KEY-----",),
    ),
    Case("plain text", "GREETING", "Hello, a:b=c", shown=('"Hello, a:b=c"',)),
    # -- credentials by their shape, under names that say nothing --
    Case(
        "Stripe key in a section",
        "STRIPE_KEYS",
        {"live": "sk_live_kxSTRIPE0123456789ab", "mode": "live"},
        ("kxSTRIPE0123456789ab",),
        ('"live": "sk_live_***"', '"mode": "live"'),
    ),
    Case(
        "GitHub token",
        "GITHUB_PAT",
        "ghp_kxGITHUB0123456789abcdefghijklmnopq",
        ("kxGITHUB0123456789",),
        ('"GITHUB_PAT": "ghp_***"',),
    ),
    Case(
        "Slack token in a command line",
        "NOTIFY",
        ["curl", "-H", "Authorization: xoxb-123456789012-kxSLACKbot0"],
        ("kxSLACKbot0", "123456789012"),
        ('"curl"',),
    ),
    Case(
        "Slack webhook",
        "SLACK_WEBHOOK",
        "https://hooks.slack.com/services/T0000/B0000/kxWEBHOOKxyz",
        ("kxWEBHOOKxyz",),
        ('"https://hooks.slack.com/services/***"',),
    ),
    Case(
        "AWS access key ID",
        "AWS",
        {"ID": "AKIAKXAWS0123456789A", "REGION": "eu-west-1"},
        ("KXAWS0123456789A",),
        ('"ID": "AKIA***"', '"REGION": "eu-west-1"'),
    ),
    Case(
        "JSON Web Token",
        "SAMPLE_SESSION",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJreCJ9.kxJWTsig0123",
        ("kxJWTsig0123", "eyJzdWIiOiJreCJ9"),
        ('"SAMPLE_SESSION": "***"',),
    ),
    Case(
        "publishable Stripe key",
        "STRIPE_PK",
        "pk_live_kx0123456789",
        shown=('"pk_live_kx0123456789"',),
    ),
    Case(
        "a prefix inside a word",
        "TASK",
        "task_live_0123456789ab",
        shown=("task_live_0123456789ab",),
    ),
    # -- keys: a URL with its password, a credential used as a name --
    Case(
        "a key that is a URL with a password",
        "redis://:kxKEYPW@cache:6379",
        {"DB": 0},
        ("kxKEYPW",),
        ('"redis://:***@cache:6379"', '"DB": 0'),
    ),
    Case(
        "a key that is a token",
        "TEAMS",
        {"xoxp-kxTEAM0123456789": "general"},
        ("kxTEAM0123456789",),
        ('"xoxp-***": "general"',),
    ),
]


@pytest.fixture(params=CASES, ids=lambda case: f"{case.key}: {case.why}")
def case(request: pytest.FixtureRequest) -> Case:
    return request.param  # type: ignore[no-any-return]


def _text(value: Any) -> str:
    """The JSON that ``config dump`` would print, on one line."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def test_redaction_hides_and_shows_what_the_table_says(case: Case) -> None:
    text = _text(redact({case.key: case.value}))
    assert case.hidden or case.shown, "a case must say something"
    for hidden in case.hidden:
        assert hidden in _text({case.key: case.value}), f"{hidden!r} is not in the input"
        assert hidden not in text
    for shown in case.shown:
        assert shown in text


def test_find_secrets_reports_what_redact_masks(case: Case) -> None:
    """``config check`` warns exactly where a dump would mask."""
    settings = {case.key: case.value}
    found = list(find_secrets(settings))
    assert bool(found) == (redact(settings) != settings) == bool(case.hidden)


def _lookup(data: Any, path: tuple[Any, ...]) -> Any:
    """The value at ``path`` in a redacted tree, whose keys are masked too."""
    for part in path:
        if not isinstance(data, Mapping):
            return MASK  # an object above was masked whole
        data = data[redact_key(part)]
    return data


def test_a_value_redacted_at_its_path_is_redacted_as_in_the_whole(case: Case) -> None:
    """``dump KEY`` and ``diff`` mask a leaf as the whole dump does."""
    settings = {"SECTION": {case.key: case.value}}
    whole = redact(settings)
    for path, leaf in iter_leaves(settings):
        assert redact_at(path, leaf) == _lookup(whole, path), path


def test_the_key_rule_is_the_rule_for_parameter_and_header_names(case: Case) -> None:
    """``?NAME=...`` and ``NAME: ...`` are masked when ``NAME`` would be."""
    value = "kx-by-name"
    query = redact(f"https://h/?{case.key}={value}")
    header = redact(f"{case.key}: {value}")
    assert (value not in query) == (value not in header) == is_secret_key(case.key)


@pytest.mark.parametrize(
    ("key", "secret"),
    [
        ("SECRETARY", True),  # the price of matching inside words: dbpassword, mysecret
        ("dbpassword", True),
        ("OAuth2Token", True),
        ("KEY", True),
        ("PUBLIC_KEY", False),
        ("OAUTH", False),
        ("API", False),
        ("", False),
    ],
)
def test_key_names_at_the_edges(key: str, secret: bool) -> None:
    assert is_secret_key(key) is secret


def test_redact_does_not_mutate_its_input() -> None:
    data = {case.key: case.value for case in CASES}
    before = copy.deepcopy(data)
    result = redact(data)
    assert data == before
    assert result is not data
    result["DB"]["HOST"] = "changed"
    assert data["DB"]["HOST"] == "db.example"


def test_redact_accepts_a_config(
    load_root: Callable[..., Config], write: Callable[..., Path]
) -> None:
    write(
        "instance/default.json",
        '{"SECRET_KEY": "s", "DB": {"URL": "postgres://a:pw@h/x", "PORT": 1}, "L": [1]}',
    )
    cfg = load_root()
    assert redact(cfg) == {
        "SECRET_KEY": "***",
        "DB": {"URL": "postgres://a:***@h/x", "PORT": 1},
        "L": [1],
    }
    assert cfg["SECRET_KEY"] == "s"


def test_redact_masks_a_configs_secrets_by_declaration(
    load_root: Callable[..., Config], write: Callable[..., Path]
) -> None:
    # Names that say nothing: a writeOnly key, and a secrets file.
    write("instance/default.json", '{"HOOK": "https://hooks.example/T0/Xy", "MODE": "live"}')
    write("run/secrets/DB__HOST", "kx-from-the-secrets-dir")
    schema = {"properties": {"HOOK": {"type": "string", "writeOnly": True}}}
    cfg = load_root(schemas=[schema], secrets_dir="run/secrets")
    assert redact(cfg) == {"HOOK": "***", "MODE": "live", "DB": {"HOST": "***"}}
    # A plain mapping of the same settings has no declarations to go by.
    assert redact(cfg.to_dict())["HOOK"] == "https://hooks.example/T0/Xy"


def test_redact_with_a_key_argument_masks_the_value() -> None:
    assert redact("s3cret", "GITHUB_TOKEN") == "***"
    assert redact("visible", "NAME") == "visible"


#: ``(text, redacted)``: one sample at least of every credential shape,
#: and text that only looks like one.
SHAPES = [
    ("sk_live_kx0123456789abcdef", "sk_live_***"),
    ("sk_test_kx0123456789abcdef", "sk_test_***"),
    ("rk_live_kx0123456789abcdef", "rk_live_***"),
    ("whsec_kx0123456789abcdefABCD", "whsec_***"),
    ("ghp_kx0123456789abcdefghijklmnopqrstuvwx", "ghp_***"),
    ("gho_kx0123456789abcdefghijklmnopqrstuvwx", "gho_***"),
    ("ghs_kx0123456789abcdefghijklmnopqrstuvwx", "ghs_***"),
    ("github_pat_11KX0123456789_abcdefghijklmnopqrstuvwxyz", "github_pat_***"),
    ("glpat-kx0123456789abcdefgh", "glpat-***"),
    ("xoxb-123456789012-kx0123456789", "xoxb-***"),
    ("xoxp-123456789012-kx0123456789", "xoxp-***"),
    (
        "https://hooks.slack.com/services/T00/B00/kx0123456789",
        "https://hooks.slack.com/services/***",
    ),
    ("AKIAKX0123456789ABCD", "AKIA***"),
    ("ASIAKX0123456789ABCD", "ASIA***"),
    ("AIzaKX0123456789abcdefghijklmnopqrstuvw", "AIza***"),
    ("npm_kx0123456789abcdefghijklmnopqrstuvwx", "npm_***"),
    ("pypi-AgEIcHlwaS5vcmcCJGkx0123456789abcdefghijklmnopqrstuvwxyz", "pypi-***"),
    ("SG.kx0123456789abcdefghij.kx0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHI", "SG.***"),
    ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJreCJ9.kxSig-_0", "***"),
    ("eyJhbGciOiJub25lIn0.eyJzdWIiOiJreCJ9.", "***"),
    # in text, in a URL's password, twice
    ("token ghp_kx0123456789abcdefghijklmnopqrstuvwx here", "token ghp_*** here"),
    (
        "https://x:ghp_kx0123456789abcdefghijklmnopqrstuvwx@github.com/o/r",
        "https://x:***@github.com/o/r",
    ),
    ("AKIAKX0123456789ABCD,AKIAKX0123456789WXYZ", "AKIA***,AKIA***"),
    # -- what only looks like one: shown as it is --
    ("pk_live_kx0123456789abcdef", "pk_live_kx0123456789abcdef"),
    ("sk_live_short", "sk_live_short"),
    ("task_live_kx0123456789abcdef", "task_live_kx0123456789abcdef"),
    ("ghp_short", "ghp_short"),
    ("AKIAKX0123456789ABCDEF", "AKIAKX0123456789ABCDEF"),  # 18 after AKIA: a word
    ("XAKIAKX0123456789ABCD", "XAKIAKX0123456789ABCD"),
    ("eyJhbGciOiJIUzI1NiJ9", "eyJhbGciOiJIUzI1NiJ9"),
    ("https://hooks.slack.com/services/", "https://hooks.slack.com/services/"),
    ("xoxb-", "xoxb-"),
]


@pytest.mark.parametrize(("text", "redacted"), SHAPES)
def test_credentials_are_masked_by_their_shape(text: str, redacted: str) -> None:
    assert redact_text(text) == redacted
    assert redact_shapes(text) == redacted
    assert redact(text, "ANY_NAME") == redacted


@pytest.mark.parametrize(("what", "prefix", "rest"), CREDENTIAL_SHAPES)
def test_every_credential_shape_has_a_sample(what: str, prefix: str, rest: str) -> None:
    """A shape added without a sample in :data:`SHAPES` fails here."""
    pattern = re.compile(f"{prefix}{rest}")
    assert any(pattern.fullmatch(text) and MASK in shown for text, shown in SHAPES), what


@pytest.mark.parametrize(
    "text",
    [
        "DB_PASSWORD: no such key",
        "instance/production.json:3:5: warning: API_TOKEN is a string here",
        "TOKEN=abc is not in default.json",
        "Bearer scheme",
    ],
)
def test_shapes_read_no_names_so_messages_stay_whole(text: str) -> None:
    """A message naming a secret's key is not a secret: only shapes are masked."""
    assert redact_shapes(text) == text


def test_shapes_are_masked_in_keys_and_name_rules_are_not() -> None:
    """A key is masked by its shape; a name rule reads it as a name, not a value."""
    assert redact_key("postgres://u:kx@h/x") == "postgres://u:***@h/x"
    assert redact_key("DB_PASSWORD: x") == "DB_PASSWORD: x"
    assert redact_key(7) == 7


def test_keys_that_mask_alike_are_numbered_not_merged() -> None:
    data = {
        "redis://:kx1@cache": 1,
        "redis://:***@cache": 2,
        "redis://:kx2@cache": 3,
        "plain": {"https://u:kx3@h": [{"ghp_kx0123456789abcdefghijklmnopqrstuvwx": 4}]},
    }
    assert redact(data) == {
        "redis://:***@cache (2)": 1,
        "redis://:***@cache": 2,
        "redis://:***@cache (3)": 3,
        "plain": {"https://u:***@h": [{"ghp_***": 4}]},
    }
    assert redact_keys(data) == redact(data)
    assert redact_keys({"a": {"https://u:kx@h": 1}}, deep=False) == {"a": {"https://u:kx@h": 1}}
    assert sorted(find_secrets(data)) == [
        ("plain", "https://u:kx3@h"),
        ("redis://:kx1@cache",),
        ("redis://:kx2@cache",),
    ]


def test_redaction_ends_on_long_hostile_strings() -> None:
    """No pattern backtracks without end: a dump of a huge value finishes.

    A hang guard, not a speed check: the samples run in a subprocess
    that a catastrophic pattern would keep busy for hours, far past the
    deadline; figures belong in benchmarks/.
    """
    code = (
        "from ampho.config.redaction import redact\n"
        "for sample in [\n"
        "    'a' * 200_000, 'x://u:' * 40_000, 'postgres://u:' + 'p@' * 100_000,\n"
        "    'password=' * 40_000, 'Bearer ' * 40_000, 'k: ' * 60_000,\n"
        "    'eyJ-' * 500_000, 'eyJa.eyJ' + 'a-' * 100_000, 'xoxb-' * 40_000,\n"
        "    'AIza-' * 40_000, 'github_pat_' * 20_000, 'SG.' + 'a.' * 100_000,\n"
        "]:\n"
        "    redact(sample)\n"
        "print('done')\n"
    )
    try:
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
        )
    except subprocess.TimeoutExpired:
        pytest.fail("redacting the hostile samples did not finish within 120 s")
    assert result.stdout == "done\n", result.stderr


def test_a_plain_load_does_not_import_redaction(tmp_path: Path) -> None:
    """Redaction is for printing: ``load()`` must not pay for its import."""
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "default.json").write_text('{"SECRET_KEY": "s"}')
    code = (
        "import sys\n"
        "from ampho.config import load\n"
        "load(sys.argv[1])\n"
        "print('ampho.config.redaction' in sys.modules)\n"
    )
    env = {name: value for name, value in os.environ.items() if not name.startswith("AMPHO_")}
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=60,
    )
    assert result.stdout == "False\n"


# --- through the real ampho command ---------------------------------------------------

#: Every string the table hides, and the ones the environment adds.
ENV_SECRETS = {
    "AMPHO_FROM_ENV__PASSWORD": "kx-env-password",
    "AMPHO_FROM_ENV__DSN": "postgresql://u:kx#env@db/x",
}
HIDDEN = [hidden for case in CASES for hidden in case.hidden] + [
    "kx-env-password",
    "kx#env",
    "kx-uh-secret",
]


def _sections() -> dict[str, dict[str, Any]]:
    """The table as settings: one section per case, so no key collides."""
    return {f"C{index:02d}": {case.key: case.value} for index, case in enumerate(CASES)}


def _retyped(value: Any) -> Any:
    """The same tree with every leaf a number: each one a type change."""
    if isinstance(value, Mapping):
        return {key: _retyped(item) for key, item in value.items()}
    return 1


@pytest.fixture(scope="module")
def secrets_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An instance directory holding every secret of the table.

    ``default.json`` holds the table, which ``check`` reports as secrets
    committed; ``staging.json`` changes the type of every leaf, which
    ``check`` reports and ``diff`` lists; ``u@h.json`` (the user and host
    :func:`processes.run` gives) holds a secret and is readable by all.
    """
    root = write_instance(
        tmp_path_factory.mktemp("secrets"),
        {
            "default.json": _sections(),
            "staging.json": _retyped(_sections()),
            "u@h.json": {"EXTRA": {"PASSWORD": "kx-uh-secret"}},
        },
    )
    (root / "instance" / "u@h.json").chmod(0o644)
    return root


def _ampho(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run(AMPHO, list(args), root, **ENV_SECRETS)


def test_the_tree_really_holds_the_secrets(secrets_root: Path) -> None:
    """Without this, a command that printed nothing would pass."""
    shown = _ampho(secrets_root, "config", "dump", "--show-secrets")
    assert shown.returncode == 0, shown.stderr
    leaked = [hidden for hidden in HIDDEN if hidden not in json.dumps(json.loads(shown.stdout))]
    assert leaked == []


@pytest.mark.parametrize(
    "args",
    [
        ("config", "dump"),
        ("config", "dump", "--explain"),
        ("config", "dump", "--format", "env"),
        ("config", "dump", "--env", "staging"),
        ("config", "diff", "production", "staging"),
        ("config", "check"),
        ("config", "check", "--env", "staging", "--env", "production"),
    ],
    ids=" ".join,
)
def test_no_printing_path_shows_a_secret(secrets_root: Path, args: tuple[str, ...]) -> None:
    result = _ampho(secrets_root, *args)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.strip()
    output = result.stdout + result.stderr
    assert [hidden for hidden in HIDDEN if hidden in output] == []
    # JSON escapes some characters ("a/b" stays, "\n" does not): look
    # for the escaped forms too.
    assert [hidden for hidden in HIDDEN if json.dumps(hidden)[1:-1] in output] == []


def test_dump_shows_what_is_not_secret(secrets_root: Path) -> None:
    result = _ampho(secrets_root, "config", "dump")
    for case in CASES:
        for shown in case.shown:
            assert shown in result.stdout, (case.key, shown)


def test_check_reports_the_secrets_by_path_only(secrets_root: Path) -> None:
    result = _ampho(secrets_root, "config", "check")
    assert "C00.SECRET_KEY holds a secret in default.json" in result.stdout
    assert any(
        line.startswith("instance/staging.json:") and "C00.SECRET_KEY is " in line
        for line in result.stdout.splitlines()
    ), result.stdout  # the type change, named by its path
    assert "holds secrets (EXTRA.PASSWORD) and other users can read it" in result.stdout


def _leaf_keys() -> Iterator[str]:
    """Keys into the table's objects, as ``dump KEY`` takes them."""
    for path, _ in iter_leaves(_sections()):
        if len(path) > 2:
            yield format_key(path)


@pytest.mark.parametrize("key", sorted(_leaf_keys()))
def test_dump_of_one_key_is_redacted_as_the_whole(secrets_root: Path, key: str) -> None:
    section, *path = split_key(key)
    whole = redact(_sections()[section])
    expected = _lookup(whole, tuple(path))
    for args in (("config", "dump", key), ("config", "dump", "--explain", key)):
        result = _ampho(secrets_root, *args)
        assert result.returncode == 0, result.stderr
        assert [hidden for hidden in HIDDEN if hidden in result.stdout] == []
        assert json.dumps(expected, ensure_ascii=False) in result.stdout


def test_get_prints_secrets_but_its_errors_do_not(secrets_root: Path) -> None:
    """``get`` is for scripts, which ask for a value because they need it."""
    index = next(i for i, case in enumerate(CASES) if case.key == "SECRET_KEY")
    value = _ampho(secrets_root, "config", "get", f"C{index:02d}.SECRET_KEY")
    assert value.stdout == "kx-secret-key\n"
    missing = _ampho(secrets_root, "config", "get", f"C{index:02d}.SECRET_KEY.nope")
    assert missing.returncode == 1
    assert missing.stderr.startswith("Error: ")
    assert "kx-secret-key" not in missing.stdout + missing.stderr


# --- error messages -----------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    """Bad input next to a secret: the error about it must not show it."""

    why: str
    #: Files of the instance directory, by name.
    files: Mapping[str, str | bytes]
    #: The secret, which every output must leave out.
    secret: str
    env: Mapping[str, str] = field(default_factory=dict)
    #: The command, after ``ampho config``; ``check`` runs too.
    args: tuple[str, ...] = ("dump",)


FAILURES = [
    Failure(
        "a variable descends into a secret",
        {"default.json": '{"DB": {"PASSWORD": "kx-e1"}}'},
        "kx-e1",
        {"AMPHO_DB__PASSWORD__OLD": "1"},
    ),
    Failure(
        "a variable descends into a variable's secret",
        {"default.json": "{}"},
        "kx-e2",
        {"AMPHO_DB": "postgres://u:kx-e2@h/x", "AMPHO_DB__HOST": "x"},
    ),
    Failure(
        "a syntax error after a secret",
        {"default.json": '{"DB_PASSWORD": "kx-e3" "X": 1}'},
        "kx-e3",
    ),
    Failure(
        "a duplicate secret",
        {"default.json": '{"API_TOKEN": "kx-e4a", "API_TOKEN": "kx-e4"}'},
        "kx-e4",
    ),
    Failure("a bad escape in a secret", {"default.json": '{"PASSWORD": "kx-e5\\q"}'}, "kx-e5"),
    Failure(
        "a control character in a secret", {"default.json": '{"PASSWORD": "kx-e6\t"}'}, "kx-e6"
    ),
    Failure("invalid UTF-8 in a secret", {"default.json": b'{"PASSWORD": "kx-e7\xff"}'}, "kx-e7"),
    Failure("NaN next to a secret", {"default.json": '{"PASSWORD": "kx-e11", "N": NaN}'}, "kx-e11"),
    Failure(
        "NaN next to a secret in a variable",
        {"default.json": "{}"},
        "kx-e12",
        {"AMPHO_DB": '{"PASSWORD": "kx-e12", "N": NaN}'},
    ),
    Failure(
        "a lone surrogate in a secret",
        {"default.json": '{"PASSWORD": "kx-e13\\ud800"}'},
        "kx-e13",
    ),
    Failure(
        "a top level that is not an object",
        {"default.json": '["postgres://u:kx-e8@h/x"]'},
        "kx-e8",
    ),
    Failure(
        "a key no variable can set, holding a secret",
        {"default.json": '{"bad key": "postgres://u:kx-e9@h/x"}'},
        "kx-e9",
        args=("dump", "--format", "env"),
    ),
    Failure(
        "a key looked up inside a secret",
        {"default.json": '{"DATABASE_URL": "postgres://u:kx-e10@h/x"}'},
        "kx-e10",
        args=("get", "DATABASE_URL.HOST"),
    ),
]


@pytest.mark.parametrize("failure", FAILURES, ids=lambda failure: failure.why)
def test_error_messages_do_not_show_the_secret(tmp_path: Path, failure: Failure) -> None:
    instance = tmp_path / "instance"
    instance.mkdir()
    for name, content in failure.files.items():
        path = instance / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    result = run(AMPHO, ["config", *failure.args], tmp_path, **failure.env)
    assert result.returncode != 0
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert failure.secret not in result.stdout + result.stderr
    if failure.args == ("dump",):  # the problem is in what loads: check finds it
        checked = run(AMPHO, ["config", "check"], tmp_path, **failure.env)
        assert checked.returncode == 1, checked.stdout + checked.stderr
        assert ": error: " in checked.stdout
        assert failure.secret not in checked.stdout + checked.stderr


# --- secrets by their shape, through every command that prints -------------------------

GITHUB = "ghp_kxSHAPE0123456789abcdefghijklmnopqr"
STRIPE = "sk_live_kxSHAPE0123456789ab"


@pytest.fixture(scope="module")
def shapes_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An application whose defaults hold credentials under names that say nothing.

    The entry bundle declares them, so ``config docs`` prints their
    defaults; a key of the instance files is a URL with a password.
    """
    root = tmp_path_factory.mktemp("shapes")
    schema = {
        "type": "object",
        "properties": {
            "GITHUB_PAT": {"type": "string", "description": "For the release job."},
            "STRIPE_KEYS": {
                "type": "object",
                "properties": {"live": {"type": "string", "description": "Charges."}},
            },
        },
    }
    app = root / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "schema.json").write_text(json.dumps(schema))
    (app / "default.json").write_text(
        json.dumps({"GITHUB_PAT": GITHUB, "STRIPE_KEYS": {"live": STRIPE}})
    )
    write_instance(
        root,
        {
            "default.json": {"CACHES": {"redis://:kxCACHEPW@cache": {"DB": 0}}},
            "staging.json": {"GITHUB_PAT": "ghp_kxSTAGING0123456789abcdefghijklmnopq"},
        },
    )
    return root


SHAPE_SECRETS = ["kxSHAPE0123456789", "kxCACHEPW", "kxSTAGING0123456789"]


@pytest.mark.parametrize(
    "args",
    [
        ("config", "dump"),
        ("config", "dump", "--explain"),
        ("config", "dump", "--format", "env"),
        ("config", "dump", "STRIPE_KEYS"),
        ("config", "dump", "--explain", "CACHES"),
        ("config", "diff", "production", "staging"),
        ("config", "explain", "GITHUB_PAT"),
        ("config", "explain", "STRIPE_KEYS"),
        ("config", "explain", "CACHES"),
        ("config", "docs"),
        ("config", "docs", "--format", "json"),
        ("config", "check"),
        ("config", "get", "GITHUB_PAT.nope"),
        ("config", "get", "CACHES.redis://:kxCACHEPW@cache.DB.nope"),
    ],
    ids=" ".join,
)
def test_no_command_shows_a_credential_by_its_shape(
    shapes_root: Path, args: tuple[str, ...]
) -> None:
    result = run(AMPHO, list(args), shapes_root)
    assert "Traceback" not in result.stderr
    output = result.stdout + result.stderr
    assert output.strip()
    assert [secret for secret in SHAPE_SECRETS if secret in output] == []
    if result.returncode == 0:
        assert MASK in result.stdout


def test_get_prints_a_credential_as_it_prints_any_secret(shapes_root: Path) -> None:
    """``get`` is for scripts: a value recognised by its shape is printed too."""
    result = run(AMPHO, ["config", "get", "GITHUB_PAT"], shapes_root)
    assert result.stdout == GITHUB + "\n"
    keyed = run(AMPHO, ["config", "get", "CACHES"], shapes_root)
    assert json.loads(keyed.stdout) == {"redis://:kxCACHEPW@cache": {"DB": 0}}


def test_show_secrets_shows_credentials_and_keys(shapes_root: Path) -> None:
    result = run(AMPHO, ["config", "dump", "--explain", "--show-secrets"], shapes_root)
    assert f'GITHUB_PAT = "{GITHUB}"' in result.stdout
    assert "CACHES.redis://:kxCACHEPW@cache.DB = 0" in result.stdout


def test_an_error_line_masks_a_password_in_the_key_it_names(tmp_path: Path) -> None:
    # A schema's message names the key, and a key may be a URL.
    root = tmp_path / "root"
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    schema = {"properties": {"C": {"type": "object", "additionalProperties": {"type": "integer"}}}}
    (root / "app" / "schema.json").write_text(json.dumps(schema))
    write_instance(root, {"default.json": {"C": {"redis://u:hunter2@cache": "x"}}})
    for args in (["config", "get", "C"], ["config", "dump"], ["routes"]):
        result = run(AMPHO, args, root)
        # dump shows what loads, the violation a warning; the others fail.
        assert result.returncode == (0 if args[1:] == ["dump"] else 1), result.stderr
        assert "hunter2" not in result.stdout + result.stderr, (args, result.stderr)
        assert "redis://u:***@cache" in result.stderr, (args, result.stderr)


# --- secrets by declaration: writeOnly, wherever a schema says it ----------------------

#: A schema that declares secrets every way JSON Schema can reach a key:
#: its own ``properties``, ``patternProperties``, ``additionalProperties``,
#: a ``$ref``, an ``allOf`` branch, an array's ``items`` and ``prefixItems``.
DECLARING_SCHEMA: dict[str, Any] = {
    "type": "object",
    "$defs": {"hidden": {"type": "string", "writeOnly": True}},
    "properties": {
        "WEBHOOK": {"type": "string", "writeOnly": True, "description": "Its own password."},
        "SIGNERS": {"type": "object", "patternProperties": {"^SIGN_": {"writeOnly": True}}},
        "VAULT": {"type": "object", "additionalProperties": {"writeOnly": True}},
        "REFERRED": {"$ref": "#/$defs/hidden"},
        "BRANCHED": {"allOf": [{"type": "object"}, {"properties": {"PIN": {"writeOnly": True}}}]},
        "HOOKS": {"type": "array", "items": {"properties": {"URL": {"writeOnly": True}}}},
        "PAIR": {"type": "array", "prefixItems": [{"type": "string"}, {"writeOnly": True}]},
        "WHOLE": {"type": "object", "writeOnly": True},
        "UNSET": {"type": ["string", "null"], "writeOnly": True},
    },
}

#: Settings for it: each ``kx-decl-*`` string is a declared secret, each
#: ``kx-open-*`` one is not.
DECLARED_SETTINGS: dict[str, Any] = {
    "WEBHOOK": "https://hooks.example/T0/kx-decl-webhook",
    "SIGNERS": {"SIGN_A": "kx-decl-sign", "LABEL": "kx-open-label"},
    "VAULT": {"ANY": "kx-decl-vault", "OTHER": {"DEEP": "kx-decl-vault-deep"}},
    "REFERRED": "kx-decl-ref",
    "BRANCHED": {"PIN": "kx-decl-pin", "NOTE": "kx-open-note"},
    "HOOKS": [{"URL": "kx-decl-hook-1", "NAME": "kx-open-hook"}, {"URL": "kx-decl-hook-2"}],
    "PAIR": ["kx-open-first", "kx-decl-second"],
    "WHOLE": {"INNER": "kx-decl-whole"},
    "UNSET": None,
    "FROM_DIR": {"TOKENISH": "kx-decl-dir", "PLAIN": "kx-open-dir"},
    "OPEN": "kx-open-plain",
}

#: ``FROM_DIR.TOKENISH`` stands for a file of the secrets directory.
SECRETS_DIR_PATHS = frozenset({("FROM_DIR", "TOKENISH")})


def _strings(value: Any, prefix: str) -> list[str]:
    text = json.dumps(value)
    return sorted(set(re.findall(rf"{prefix}[a-z0-9-]+", text)))


DECLARED_HIDDEN = _strings(DECLARED_SETTINGS, "kx-decl-")
DECLARED_SHOWN = _strings(DECLARED_SETTINGS, "kx-open-")


@pytest.fixture(scope="module")
def declared() -> DeclaredSecrets:
    schemas = load_schemas([("app/schema.json", DECLARING_SCHEMA)], "/")
    assert schemas is not None
    return DeclaredSecrets(SECRETS_DIR_PATHS, schemas.write_only_at())


def test_redact_at_masks_every_declared_secret_and_nothing_else(
    declared: DeclaredSecrets,
) -> None:
    text = _text(redact_at((), DECLARED_SETTINGS, declared=declared))
    assert [hidden for hidden in DECLARED_HIDDEN if hidden in text] == []
    assert [shown for shown in DECLARED_SHOWN if shown not in text] == []
    assert '"UNSET": null' in text  # an unset secret is shown as unset


def test_a_declared_secret_redacted_at_its_path_is_redacted_as_in_the_whole(
    declared: DeclaredSecrets,
) -> None:
    whole = redact_at((), DECLARED_SETTINGS, declared=declared)
    for path, leaf in iter_leaves(DECLARED_SETTINGS):
        assert redact_at(path, leaf, declared=declared) == _lookup(whole, path), path
        hidden = _lookup(whole, path) == MASK
        assert is_secret_at(path, declared) == hidden or leaf in (None, ""), path


def test_declared_paths_are_the_write_only_and_the_secrets_directory_paths() -> None:
    found = declared_paths([("WEBHOOK",)], SECRETS_DIR_PATHS)
    assert found == {("WEBHOOK",), ("FROM_DIR", "TOKENISH")}


def test_find_declared_lists_the_declared_paths_that_hold_a_value() -> None:
    paths = [("UNSET",), ("WEBHOOK",), ("MISSING", "X"), ("FROM_DIR", "TOKENISH")]
    assert find_declared(DECLARED_SETTINGS, paths) == [("FROM_DIR", "TOKENISH"), ("WEBHOOK",)]


@pytest.mark.parametrize(
    ("path", "instance", "message", "expected"),
    [
        (("REFERRED",), "kx-decl-ref", "'kx-decl-ref' is too long", "*** is too long"),
        (("HOOKS", 0, "URL"), "kx-decl-hook-1", "no 'kx-decl-hook-1' here", "no *** here"),
        (
            ("SIGNERS",),
            {"SIGN_A": "kx-decl-sign"},
            "{'SIGN_A': 'kx-decl-sign'} has too few properties",
            "{'SIGN_A': '***'} has too few properties",
        ),
        (
            ("SIGNERS",),
            {"SIGN_A": "kx-decl-sign"},
            "'kx-decl-sign' is quoted alone",
            "{'SIGN_A': '***'} is not valid under the schema's 'x' rule",
        ),
        (("OPEN",), "kx-open-plain", "'kx-open-plain' is too long", "'kx-open-plain' is too long"),
    ],
    ids=["a $ref", "an array's items", "quoted whole", "quoted in part", "not a secret"],
)
def test_a_violation_quotes_no_declared_secret(
    declared: DeclaredSecrets, path: KeyPath, instance: Any, message: str, expected: str
) -> None:
    assert redact_violation(message, instance, path, "x", declared) == expected


@pytest.fixture(scope="module")
def declared_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An application whose schema declares :data:`DECLARED_SETTINGS`'s
    secrets, set in its ``default.json`` (so ``config docs`` shows them),
    with one from the secrets directory; ``staging.json`` changes each."""
    root = tmp_path_factory.mktemp("declared")
    app = root / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "schema.json").write_text(json.dumps(DECLARING_SCHEMA))
    (app / "default.json").write_text(json.dumps(DECLARED_SETTINGS))
    staging = json.loads(json.dumps(DECLARED_SETTINGS).replace("kx-", "kx-staging-"))
    del staging["FROM_DIR"]
    write_instance(root, {"default.json": {}, "staging.json": staging})
    (root / "secrets").mkdir()
    (root / "secrets" / "FROM_DIR__TOKENISH").write_text("kx-decl-dir\n")
    return root


def _declared_ampho(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run(AMPHO, list(args), root, AMPHO_SECRETS_DIR="secrets")


def test_the_declaring_tree_really_holds_the_secrets(declared_root: Path) -> None:
    shown = _declared_ampho(declared_root, "config", "dump", "--show-secrets")
    assert shown.returncode == 0, shown.stderr
    assert [hidden for hidden in DECLARED_HIDDEN if hidden not in shown.stdout] == []


@pytest.mark.parametrize(
    "args",
    [
        ("config", "dump"),
        ("config", "dump", "--explain"),
        ("config", "dump", "--format", "env"),
        ("config", "dump", "VAULT"),
        ("config", "dump", "--explain", "HOOKS"),
        ("config", "diff", "production", "staging"),
        ("config", "explain", "SIGNERS"),
        ("config", "explain", "PAIR"),
        ("config", "explain", "FROM_DIR.TOKENISH"),
        ("config", "docs"),
        ("config", "docs", "--format", "json"),
    ],
    ids=" ".join,
)
def test_no_command_shows_a_secret_a_schema_declares(
    declared_root: Path, args: tuple[str, ...]
) -> None:
    """``writeOnly`` is a secret wherever the schema says it: under
    ``patternProperties``, ``additionalProperties`` and an array's items
    as under ``properties``, whichever command prints it."""
    result = _declared_ampho(declared_root, *args)
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert [hidden for hidden in DECLARED_HIDDEN if hidden in output] == []
    assert MASK in result.stdout


def test_dump_shows_what_no_schema_declares(declared_root: Path) -> None:
    result = _declared_ampho(declared_root, "config", "dump")
    assert [shown for shown in DECLARED_SHOWN if shown not in result.stdout] == []


def test_a_load_with_declared_secrets_does_not_import_redaction(declared_root: Path) -> None:
    """Secrets by declaration are worked out when something prints."""
    code = (
        "import sys\n"
        "from ampho.config import load\n"
        "cfg = load(sys.argv[1], schemas=[('s', sys.argv[2])], bundles=False,"
        " secrets_dir='secrets')\n"
        "print('ampho.config.redaction' in sys.modules)\n"
        "print(sorted(cfg.declared_secrets))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(declared_root), "app/schema.json"],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("AMPHO_")},
        check=True,
        timeout=60,
    )
    loaded, listed = result.stdout.splitlines()
    assert loaded == "False"
    # The paths the schema's properties name; items and patterns have none.
    paths = [("BRANCHED", "PIN"), ("FROM_DIR", "TOKENISH"), ("REFERRED",), ("UNSET",)]
    assert listed == str([*paths, ("WEBHOOK",), ("WHOLE",)])
