"""Masking secrets before settings are shown."""

from __future__ import annotations

import copy

import pytest

from ampho.config import is_secret_key, redact


@pytest.mark.parametrize(
    "key",
    [
        "SECRET_KEY",
        "secret",
        "MySecret",
        "DB_PASSWORD",
        "password",
        "SMTP_PASSWD",
        "GITHUB_TOKEN",
        "token",
        "CSRF_Token_Salt",
        "STRIPE_API_KEY",
        "api_key",
        "PRIVATE_KEY_PEM",
        "private",
        "AWS_CREDENTIALS",
        "Credential",
    ],
)
def test_secret_key_names(key):
    assert is_secret_key(key)


@pytest.mark.parametrize("key", ["DEBUG", "DB_HOST", "APIKEY", "API", "KEY", "PASS", "USER", ""])
def test_ordinary_key_names(key):
    assert not is_secret_key(key)


@pytest.mark.parametrize("value", ["s3cret", 12345, True, ["a", "b"], {"NESTED": "x"}, 1.5])
def test_values_of_secret_keys_are_masked_whatever_their_type(value):
    assert redact({"API_KEY": value, "PLAIN": "visible"}) == {"API_KEY": "***", "PLAIN": "visible"}


@pytest.mark.parametrize("value", [None, ""])
def test_empty_secrets_are_not_masked(value):
    assert redact({"SECRET_KEY": value}) == {"SECRET_KEY": value}


def test_secret_keys_are_masked_at_any_depth():
    data = {"DB": {"PASSWORD": "pw", "HOST": "h"}, "LIST": [{"token": "t", "id": 1}]}
    assert redact(data) == {
        "DB": {"PASSWORD": "***", "HOST": "h"},
        "LIST": [{"token": "***", "id": 1}],
    }


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://app:pw@db/x", "postgres://app:***@db/x"),
        ("postgresql+psycopg://app:p%40ss@db:5432/x", "postgresql+psycopg://app:***@db:5432/x"),
        ("redis://:pw@cache:6379/0", "redis://:***@cache:6379/0"),
        ("postgres://app@db/x", "postgres://app@db/x"),
        ("https://example.com/a:b@c", "https://example.com/a:b@c"),
        (
            "see postgres://a:b@h/x and mysql://c:d@h/y",
            "see postgres://a:***@h/x and mysql://c:***@h/y",
        ),
        ("not a url", "not a url"),
    ],
)
def test_url_passwords_are_masked(url, expected):
    assert redact({"DATABASE_URL": url}) == {"DATABASE_URL": expected}
    assert redact(url) == expected


def test_url_passwords_are_masked_inside_lists_and_objects():
    data = {"REPLICAS": ["postgres://a:pw1@r1/x", {"URL": "postgres://a:pw2@r2/x"}]}
    assert redact(data) == {"REPLICAS": ["postgres://a:***@r1/x", {"URL": "postgres://a:***@r2/x"}]}


def test_plain_values_pass_through():
    data = {"DEBUG": False, "PORT": 5432, "RATIO": 0.5, "NAME": "app", "NONE": None}
    assert redact(data) == data


def test_redact_does_not_mutate_its_input():
    data = {
        "SECRET_KEY": "s",
        "DB": {"PASSWORD": "pw", "URL": "postgres://a:pw@h/x"},
        "LIST": ["postgres://a:pw@h/x", {"TOKEN": "t"}],
    }
    before = copy.deepcopy(data)
    result = redact(data)
    assert data == before
    assert result is not data
    assert result["DB"] is not data["DB"]
    result["DB"]["HOST"] = "added"
    assert "HOST" not in data["DB"]


def test_redact_accepts_a_config(load_root, write):
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


def test_redact_with_a_key_argument_masks_the_value():
    assert redact("s3cret", "GITHUB_TOKEN") == "***"
    assert redact("visible", "NAME") == "visible"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        # A user name that is an e-mail address: the password is after it.
        (
            "smtp://me@example.com:hunter2@smtp.example.com",
            "smtp://me@example.com:***@smtp.example.com",
        ),
        ("postgres://app:p@ss@db/x", "postgres://app:***@db/x"),
        ("redis://:pw@cache:6379/0", "redis://:***@cache:6379/0"),
        # No password, or an empty one: nothing to hide.
        ("postgres://app:@localhost/app", "postgres://app:@localhost/app"),
        ("https://user@host/x", "https://user@host/x"),
        # An @ after the authority is not user information.
        ("http://host/path@x", "http://host/path@x"),
        ("http://h:80/p?q=a:b@c", "http://h:80/p?q=a:b@c"),
    ],
)
def test_url_passwords_are_masked_to_the_last_at_of_the_authority(url, shown):
    assert redact(url) == shown


def test_find_secrets_uses_the_rule_redact_uses():
    from ampho.config.redaction import find_secrets

    settings = {
        "SERVERS": [{"PASSWORD": "hunter2"}, {"PASSWORD": ""}],
        "REPLICAS": ["postgres://u:pw@h/db", "postgres://u:@h/db"],
        "API_TOKEN": None,
        "NESTED": {"CREDENTIALS": {"user": "x"}},
        "PLAIN": "value",
    }
    found = list(find_secrets(settings))
    assert found == [("SERVERS", 0, "PASSWORD"), ("REPLICAS", 0), ("NESTED", "CREDENTIALS")]
    # Every path found is one redact() masks, and nothing else is.
    masked = redact(settings)
    assert masked["SERVERS"][0]["PASSWORD"] == "***"
    assert masked["SERVERS"][1]["PASSWORD"] == ""
    assert masked["REPLICAS"] == ["postgres://u:***@h/db", "postgres://u:@h/db"]
    assert masked["NESTED"]["CREDENTIALS"] == "***"
