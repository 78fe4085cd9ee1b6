"""``check_instance`` finds mistakes in an instance directory."""

from __future__ import annotations

import os

import pytest

from ampho.config import ConfigError, Origin
from ampho.config.check import ERROR, WARNING, Finding, check_instance

ENVIRON = {"USER": "u", "HOSTNAME": "h"}


def _check(root, envs=(), environ=None, **kwargs) -> list[Finding]:
    return check_instance(root, envs, environ=ENVIRON if environ is None else environ, **kwargs)


def _lines(findings: list[Finding]) -> list[str]:
    return [str(finding) for finding in findings]


def test_clean_instance_has_no_findings(root, write):
    write("instance/default.json", '{"DEBUG": false, "DB": {"HOST": "a"}}')
    write("instance/production.json", '{"DB": {"HOST": "b"}}')
    assert _check(root) == []


def test_parse_error_is_an_error_with_file_line_and_column(root, write):
    write("instance/default.json", "{}")
    write("instance/production.json", '{\n  "A": 1\n  "B": 2\n}')
    findings = _check(root)
    message = "a comma is missing before this (expected , or } after a value)"
    assert findings == [Finding(ERROR, Origin("instance/production.json", 3, 3), message)]
    # One record of a place: the finding's is an Origin, as a value's is.
    assert str(findings[0].where) == "instance/production.json:3:3"
    assert _lines(findings) == [f"instance/production.json:3:3: error: {message}"]


def test_every_broken_file_is_reported_not_just_the_first(root, write):
    write("instance/default.json", "[]")
    write("instance/dev.json", "")
    write("instance/production.json", b'{"A": "\xff"}')
    findings = _check(root)
    assert [(f.severity, f.source, f.line, f.column) for f in findings] == [
        (ERROR, "instance/default.json", 1, 1),
        (ERROR, "instance/dev.json", None, None),
        (ERROR, "instance/production.json", 1, 8),
    ]


def test_duplicate_keys_are_errors_at_each_repeat(root, write):
    write(
        "instance/default.json",
        '{\n  "A": 1,\n  "DB": {\n    "HOST": "x",\n    "HOST": "y"\n  },\n  "A": 2\n}',
    )
    findings = _check(root)
    assert _lines(findings) == [
        "instance/default.json:5:5: error: duplicate key 'DB.HOST': JSON keeps only the last one",
        "instance/default.json:7:3: error: duplicate key 'A': JSON keeps only the last one",
    ]


def test_key_missing_from_default_suggests_the_close_one(root, write):
    write("instance/default.json", '{"DATABASE_URL": "sqlite://", "DB": {"HOST": "a"}}')
    write("instance/production.json", '{\n  "DATABSE_URL": "x",\n  "DB": {"HOTS": "b"}\n}')
    assert _lines(_check(root)) == [
        "instance/production.json:2:3: warning: DATABSE_URL is not in default.json"
        " (did you mean DATABASE_URL?)",
        "instance/production.json:3:10: warning: DB.HOTS is not in default.json"
        " (did you mean DB.HOST?)",
    ]


def test_key_missing_from_default_without_a_close_match(root, write):
    write("instance/default.json", '{"DEBUG": false}')
    write("instance/production.json", '{"ZZZ": 1}')
    assert _lines(_check(root)) == [
        "instance/production.json:1:2: warning: ZZZ is not in default.json"
    ]


def test_type_differing_from_default_is_a_warning(root, write):
    write("instance/default.json", '{"PORT": 8000, "DB": {"HOST": "a"}, "L": [], "N": null}')
    write("instance/production.json", '{"PORT": "8000",\n "DB": "flat", "L": [1], "N": 3}')
    assert _lines(_check(root)) == [
        "instance/production.json:1:2: warning: PORT is a string here but a number in default.json",
        "instance/production.json:2:2: warning: DB is a string here but an object in default.json",
    ]


def test_null_on_either_side_is_not_a_type_mismatch(root, write):
    write("instance/default.json", '{"A": null, "B": 1}')
    write("instance/production.json", '{"A": "x", "B": null}')
    assert _check(root) == []


def test_top_level_keys_that_are_not_upper_case_are_warned(root, write):
    write("instance/default.json", '{"debug": true, "DB": {"host": "a"}, "Mixed": 1}')
    findings = _check(root)
    assert [(f.severity, f.line, f.column) for f in findings] == [
        (WARNING, 1, 2),
        (WARNING, 1, 38),
    ]
    assert "'debug'" in findings[0].message
    assert "'Mixed'" in findings[1].message
    assert "upper case" in findings[0].message


def test_secrets_in_default_json_are_warned(root, write):
    write(
        "instance/default.json",
        '{\n  "SECRET_KEY": "dev",\n  "DATABASE_URL": "postgres://app:pw@db/x",\n'
        '  "API_TOKEN": null,\n  "SMTP_PASSWORD": ""\n}',
    )
    findings = _check(root)
    assert [(f.severity, f.source, f.line, f.column) for f in findings] == [
        (WARNING, "instance/default.json", 2, 3),
        (WARNING, "instance/default.json", 3, 3),
    ]
    assert findings[0].message.startswith("SECRET_KEY holds a secret in default.json")
    assert findings[1].message.startswith("DATABASE_URL holds a secret in default.json")


def test_readable_user_host_file_with_secrets_is_warned(root, write):
    write("instance/default.json", '{"DB_PASSWORD": null}')
    write("instance/u@h.json", '{"DB_PASSWORD": "pw"}', mode=0o644)
    findings = _check(root)
    assert len(findings) == 1
    finding = findings[0]
    assert (finding.severity, finding.source) == (WARNING, "instance/u@h.json")
    assert "DB_PASSWORD" in finding.message
    assert "0644" in finding.message
    assert "chmod 600" in finding.message


@pytest.mark.parametrize("mode", [0o600, 0o400])
def test_private_user_host_file_with_secrets_is_fine(root, write, mode):
    write("instance/default.json", '{"DB_PASSWORD": null}')
    write("instance/u@h.json", '{"DB_PASSWORD": "pw"}', mode=mode)
    assert _check(root) == []


def test_readable_user_host_file_without_secrets_is_fine(root, write):
    write("instance/default.json", '{"DEBUG": true}')
    write("instance/u@h.json", '{"DEBUG": false}', mode=0o644)
    assert _check(root) == []


def test_with_envs_a_file_for_another_env_is_reported_as_not_loaded(root, write):
    write("instance/default.json", '{"A": 1}')
    write("instance/dev.json", '{"A": 2}')
    write("instance/staging.json", "this is not even JSON")
    write("instance/u@h.json", '{"A": 3}')
    findings = _check(root, envs=["dev"])
    assert findings == [
        Finding(
            WARNING,
            Origin("instance/staging.json"),
            "is not loaded in any environment checked (dev)",
        )
    ]


def test_without_envs_every_file_is_checked(root, write):
    write("instance/default.json", '{"A": 1}')
    write("instance/staging.json", "this is not even JSON")
    findings = _check(root)
    assert [(f.severity, f.source) for f in findings] == [(ERROR, "instance/staging.json")]


def test_with_envs_each_environment_is_loaded(root, write):
    write("instance/default.json", '{"DB": "flat"}')
    write("instance/dev.json", "{}")
    findings = _check(root, envs=["dev"], environ={**ENVIRON, "AMPHO_DB__HOST": "x"})
    assert [f.severity for f in findings] == [ERROR]


def test_invalid_env_name_is_a_config_error(root, write):
    write("instance/default.json", "{}")
    with pytest.raises(ConfigError):
        _check(root, envs=["../x"])


def test_env_override_collision_found_by_full_load_is_an_error(root, write):
    write("instance/default.json", '{"DB": "sqlite://"}')
    findings = _check(root, environ={**ENVIRON, "AMPHO_DB__HOST": "x"})
    assert _lines(findings) == [
        "env AMPHO_DB__HOST: error: cannot set DB.HOST: DB is a string, not an object"
    ]


def test_missing_default_json_is_warned(root, write):
    write("instance/production.json", '{"A": 1}')
    findings = _check(root)
    assert [(f.severity, f.source) for f in findings] == [
        (WARNING, "instance/default.json"),
    ]


def test_missing_instance_directory_is_an_error(tmp_path):
    findings = check_instance(tmp_path, environ=ENVIRON)
    assert findings == [Finding(ERROR, Origin("instance"), "no such instance directory")]


def test_instance_dir_and_ampho_root_are_honoured(tmp_path):
    (tmp_path / "proj/conf").mkdir(parents=True)
    (tmp_path / "proj/conf/default.json").write_text('{"A": 1,}')
    findings = check_instance(
        None, instance_dir="conf", environ={**ENVIRON, "AMPHO_ROOT": str(tmp_path / "proj")}
    )
    assert [(f.severity, f.source, f.line, f.column) for f in findings] == [
        (ERROR, "conf/default.json", 1, 8)
    ]


def test_findings_are_in_file_and_line_order(root, write):
    write("instance/default.json", '{\n"b": 1,\n"a": 2\n}')
    write("instance/dev.json", '{"a": 1, "c": 2}')
    findings = _check(root)
    keys = [(f.source, f.line or 0, f.column or 0) for f in findings]
    assert keys == sorted(keys)
    assert [f.source for f in findings] == [
        "instance/default.json",
        "instance/default.json",
        "instance/dev.json",
        "instance/dev.json",
        "instance/dev.json",
    ]


def test_env_without_a_file_is_warned(root, write):
    # `--env prodution` would otherwise check, and load, default.json alone.
    write("instance/default.json", "{}")
    write("instance/production.json", "{}")
    findings = _check(root, envs=["production", "prodution"])
    assert _lines(findings) == [
        "instance/prodution.json: warning: does not exist, so environment 'prodution'"
        " loads default.json alone (a misspelled environment? the environments with a file"
        " are production; did you mean 'production'?)"
    ]


def test_suggestion_ignores_case(root, write):
    write("instance/default.json", '{"DEBUG": false, "MAIL": {"SERVER": "x"}}')
    write("instance/production.json", '{"MAIL": {"server": "y"}}')
    findings = _check(root)
    assert _lines(findings) == [
        "instance/production.json:1:11: warning: MAIL.server is not in default.json"
        " (did you mean MAIL.SERVER?)"
    ]


def test_secrets_inside_lists_of_default_json_are_warned(root, write):
    write(
        "instance/default.json",
        '{"SERVERS": [{"PASSWORD": "hunter2"}], "REPLICAS": ["postgres://u:pw@h/db"],'
        ' "EMPTY": "postgres://app:@localhost/app"}',
    )
    messages = [f.message for f in _check(root)]
    assert messages == [
        "SERVERS.0.PASSWORD holds a secret in default.json, which is usually committed;"
        " set it in a user@host file or an AMPHO_ variable",
        "REPLICAS.0 holds a secret in default.json, which is usually committed;"
        " set it in a user@host file or an AMPHO_ variable",
    ]


def test_keys_from_bundle_defaults_are_known(root, write):
    write("bundles/blog/default.json", '{"BLOG": {"PER_PAGE": 10}}')
    write("instance/default.json", '{"DEBUG": false}')
    write("instance/production.json", '{"BLOG": {"PER_PAGE": 20, "PER_PGAE": 5}}')
    defaults = [("blog/default.json", str(root / "bundles/blog/default.json"))]
    assert _lines(_check(root, defaults=defaults)) == [
        "instance/production.json:1:27: warning: BLOG.PER_PGAE is not in default.json"
        " nor in a bundle's default.json (did you mean BLOG.PER_PAGE?)"
    ]


def test_broken_bundle_defaults_are_an_error(root, write):
    write("bundles/blog/default.json", '{"BLOG": }')
    write("instance/default.json", "{}")
    defaults = [("blog/default.json", str(root / "bundles/blog/default.json"))]
    assert _lines(_check(root, defaults=defaults)) == [
        "blog/default.json:1:10: error: expected a value (a string, number, object, array,"
        " true, false or null), not }"
    ]


# -- values JSON cannot hold, and directories that cannot be read ----------------------


def test_numbers_json_cannot_hold_are_errors_in_every_file(root, write):
    write("instance/default.json", '{"A": 1, "B": "x"}')
    write("instance/dev.json", '{\n  "A": NaN\n}')
    write("instance/production.json", '{"A": 1' + "0" * 5000 + "}")
    write("instance/staging.json", '{"B": "\\ud800"}')
    assert _lines(_check(root)) == [
        "instance/dev.json:2:8: error: A: NaN is not a JSON number: write a number, or null",
        "instance/production.json:1:7: error: A: an integer of 5,001 digits is longer than"
        " the 4,300 digits Python reads; write it as a string",
        "instance/staging.json:1:8: error: B: the string holds \\ud800, half of a UTF-16"
        " surrogate pair, which is not text: write the character itself, or both halves",
    ]


def test_a_variable_json_cannot_hold_is_an_error(root, write):
    write("instance/default.json", '{"A": 1}')
    findings = _check(root, environ={**ENVIRON, "AMPHO_A": "Infinity"})
    assert _lines(findings) == [
        "env AMPHO_A: error: A: Infinity is not a JSON number: write a number, or null"
    ]


def test_a_fifo_is_an_error_not_a_hang(root, write):
    import os
    import signal

    def expired(signum, frame):
        raise TimeoutError("the check blocked")

    write("instance/default.json", "{}")
    os.mkfifo(root / "instance/production.json")
    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(10)
    try:
        lines = _lines(_check(root))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert lines == ["instance/production.json: error: is a FIFO, not a regular file"]


def _check_as_nobody(base) -> list[str]:
    from processes import call_as_user

    return call_as_user(65534, lambda: _lines(_check(base)))


@pytest.mark.parametrize("mode", [0o000, 0o311], ids=["no access", "no listing"])
def test_an_unreadable_instance_directory_is_one_error(tmp_path, mode):
    import os
    import shutil
    import tempfile

    # As user 65534 when the suite runs as root (root reads anything);
    # in a directory that user can enter.
    base = tempfile.mkdtemp()
    try:
        os.chmod(base, 0o755)
        instance = os.path.join(base, "instance")
        os.mkdir(instance)
        with open(os.path.join(instance, "default.json"), "w") as f:
            f.write("{}")
        os.chmod(os.path.join(instance, "default.json"), 0o644)
        os.chmod(instance, mode)
        lines = _check_as_nobody(base) if os.geteuid() == 0 else _lines(_check(base))
    finally:
        os.chmod(os.path.join(base, "instance"), 0o755)
        shutil.rmtree(base)
    assert lines == [
        "instance: error: cannot be read (Permission denied), so no file in it can be"
        " checked; run the check as the application's user"
    ]


def test_layers_too_deep_to_merge_are_an_error_not_a_traceback(root, write):
    nested = '{"a":' * 450 + "1" + "}" * 450
    write("instance/default.json", nested)
    write("bundle.json", nested)
    findings = _check(root, defaults=[("bundle/default.json", str(root / "bundle.json"))])
    assert "instance/default.json: error: is nested too deeply to merge" in _lines(findings)


def test_keys_of_default_json_are_known_after_a_defaults_layer_too_deep_to_merge(root, write):
    nested = '{"a":' * 450 + "1" + "}" * 450
    write("deep1.json", nested)
    write("deep2.json", nested)
    write("instance/default.json", '{"B": 1}')
    write("instance/production.json", '{"B": 2}')
    layers = [(name, str(root / f"{name}.json")) for name in ("deep1", "deep2")]
    lines = _lines(_check(root, defaults=layers))
    assert "deep2: error: is nested too deeply to merge" in lines
    assert [line for line in lines if "is not in" in line] == []


def test_a_defaults_mapping_given_to_check_is_left_as_it_was(root, write):
    write("instance/default.json", '{"A": {"C": 2}}')
    given = {"A": {"B": 1}}
    _check(root, defaults=[("given", given)])
    assert given == {"A": {"B": 1}}


def test_a_named_entry_bundle_that_is_not_there_is_an_error(root, write):
    # The application cannot start; the check must not pass it.
    write("instance/default.json", '{"A": 1}')
    findings = _check(root, environ={**ENVIRON, "AMPHO_ENTRY": "no_such_bundle_here"})
    assert _lines(findings) == [
        "env AMPHO_ENTRY: error: no bundle 'no_such_bundle_here' can be imported from the"
        " root directory, so the application cannot start: check the name"
    ]


def test_without_an_entry_bundle_named_the_instance_files_are_checked_alone(root, write):
    write("instance/default.json", '{"A": 1}')
    assert _check(root) == []


def _check_read_only(base: str, default: str) -> list[str]:
    """The check of ``base`` as user 65534, who cannot write its instance directory."""
    import os

    os.chmod(base, 0o755)
    instance = os.path.join(base, "instance")
    os.mkdir(instance, 0o755)
    with open(os.path.join(instance, "default.json"), "w") as f:
        f.write(default)
    os.chmod(os.path.join(instance, "default.json"), 0o644)
    return _check_as_nobody(base)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
@pytest.mark.parametrize(
    ("default", "expected"),
    [
        pytest.param(
            '{"A": 1}',
            [
                "instance/secret_key: error: does not exist and cannot be created (instance is"
                " not writable), so the application cannot start: set SECRET_KEY, in the"
                " secrets directory say, or put a key in this file"
            ],
            id="no-key-setting",
        ),
        pytest.param('{"SECRET_KEY": null}', [], id="a-setting-gives-the-key"),
    ],
)
def test_a_key_a_read_only_instance_dir_cannot_hold_is_an_error(default, expected):
    import shutil
    import tempfile

    base = tempfile.mkdtemp()
    try:
        lines = _check_read_only(base, default)
    finally:
        shutil.rmtree(base)
    assert lines == expected


def test_check_passes_over_an_editors_lock_swap_and_backup_files(tmp_path):
    """Emacs's lock (a dangling link), Vim's swap file and a backup beside
    production.json: the application never loads them, and the real
    command, the gate before ``kill -HUP``, passes."""
    from processes import AMPHO, run, write_tree

    root = write_tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "instance/default.json": '{"A": 1}',
            "instance/production.json": '{"A": 2}',
            "instance/production.json~": '{"A": ',
            "instance/.production.json.swp": "b0VIM 9.0",
            "instance/#production.json#": '{"A": ',
        },
    )
    os.symlink("u@h.4242:1733580000", root / "instance/.#production.json")
    result = run(AMPHO, ["config", "check", "--strict"], root)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "no problems found\n")


def test_every_format_of_a_schema_is_a_warning_at_its_place(root, write):
    write("instance/default.json", '{"MAIL": {"SENDER": "not an address"}}')
    write(
        "schema.json",
        '{\n  "properties": {\n    "MAIL": {"properties": {\n'
        '      "SENDER": {"type": "string", "format": "email"}}},\n'
        '    "SITE": {"type": "string", "format": "uri"}\n  }\n}\n',
    )
    findings = _check(root, schemas=[("mail/schema.json", str(root / "schema.json"))])
    assert [str(f) for f in findings if f.source == "mail/schema.json"] == [
        'mail/schema.json:4:36: warning: MAIL.SENDER: "format": "email" is not checked'
        ' (a schema\'s format is a note to readers); use "pattern" or "enum" to check the value',
        'mail/schema.json:5:32: warning: SITE: "format": "uri" is not checked'
        ' (a schema\'s format is a note to readers); use "pattern" or "enum" to check the value',
    ]
    # Not checked, as said: the address that is none loads.
    assert not any(f.severity == ERROR for f in findings)


# -- Flask's keys and its extensions' ---------------------------------------------------

#: A migrated flasky: its base Config in default.json, each config class
#: an environment file.
FLASKY = {
    "app/__init__.py": "",
    "instance/default.json": """
        {
          "SITE": "Flasky",
          "MAIL_SERVER": "smtp.googlemail.com",
          "MAIL_PORT": 587,
          "MAIL_USE_TLS": true,
          "SQLALCHEMY_TRACK_MODIFICATIONS": false,
          "SQLALCHEMY_RECORD_QUERIES": true,
          "FLASKY_POSTS_PER_PAGE": 20
        }
        """,
    "instance/development.json": """
        {
          "DEBUG": true,
          "SQLALCHEMY_DATABASE_URI": "sqlite:///data-dev.sqlite"
        }
        """,
    "instance/testing.json": """
        {
          "TESTING": true,
          "SQLALCHEMY_DATABASE_URI": "sqlite://",
          "WTF_CSRF_ENABLED": false,
          "MAIL_SERVER": "localhost"
        }
        """,
    "instance/production.json": """
        {
          "SQLALCHEMY_DATABASE_URI": "sqlite:///data.sqlite"
        }
        """,
}


def _check_command(tmp_path, files: dict[str, str], *, mail_installed: bool = False):
    """``ampho config check --strict`` of the flasky tree with ``files`` on top.

    flask_sqlalchemy and flask_wtf are installed with the tests; Flask-Mail
    is not, and ``mail_installed`` installs a package ``flask_mail`` for the
    run (on ``PYTHONPATH``, outside the root).
    """
    from processes import AMPHO, run, write_tree

    root = write_tree(tmp_path / "flasky", {**FLASKY, **files})
    env = {}
    if mail_installed:
        site = write_tree(tmp_path / "site-packages", {"flask_mail/__init__.py": ""})
        env["PYTHONPATH"] = str(site)
    return run(AMPHO, ["config", "check", "--strict"], root, **env)


def test_flask_keys_are_those_of_the_installed_flask():
    from flask import Flask

    from ampho.config.flaskkeys import FLASK_KEYS

    assert set(Flask.default_config) == FLASK_KEYS


def test_flask_keys_in_an_environment_file_pass_strict(tmp_path):
    files = {
        "instance/staging.json": '{"DEBUG": false, "TESTING": true, "SERVER_NAME": "x.example",'
        ' "SESSION_COOKIE_SECURE": true, "TRUSTED_HOSTS": ["x.example"]}'
    }
    result = _check_command(tmp_path, files)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "no problems found\n")


@pytest.mark.parametrize("mail_installed", [True, False], ids=["flask-mail", "no-flask-mail"])
def test_a_migrated_flasky_passes_strict(tmp_path, mail_installed):
    """Its extensions' keys are declared nowhere: flask_sqlalchemy and
    flask_wtf are installed, and Flask-Mail's keys are in default.json."""
    result = _check_command(tmp_path, {}, mail_installed=mail_installed)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "no problems found\n")


@pytest.mark.parametrize(
    ("staging", "mail_installed", "expected"),
    [
        pytest.param(
            {"SITEE": "x"},
            False,
            "SITEE is not in default.json (did you mean SITE?)",
            id="close-to-a-default",
        ),
        pytest.param(
            {"MAIL_SEVER": "x"},
            True,
            "MAIL_SEVER is not in default.json (did you mean MAIL_SERVER?)",
            id="extension-key-one-edit-from-a-default",
        ),
        pytest.param(
            {"SQLALCHEMY_DATABSE_URI": "x"},
            False,
            "SQLALCHEMY_DATABSE_URI is not in default.json, nor is SQLALCHEMY_DATABASE_URI"
            " (set in instance/development.json): is one a typo?",
            id="extension-key-one-edit-from-another-file",
        ),
        pytest.param(
            {"DEBGU": True},
            False,
            "DEBGU is not in default.json (did you mean DEBUG?)",
            id="close-to-a-flask-key",
        ),
        pytest.param(
            {"SESSION_COOKIE_SECUR": True},
            False,
            "SESSION_COOKIE_SECUR is not in default.json (did you mean SESSION_COOKIE_SECURE?)",
            id="flask-key-with-an-extensions-prefix",
        ),
        pytest.param(
            {"MAIL_USE_SSL": True},
            False,
            "MAIL_USE_SSL is not in default.json (did you mean MAIL_USE_TLS?)",
            id="no-extension-for-the-prefix",
        ),
        pytest.param(
            {"PAYMENT_PROVIDER": "x"},
            False,
            # Not "add it to default.json", where a null would defeat
            # app.config.setdefault().
            "PAYMENT_PROVIDER is not in default.json, and no schema declares it: a typo, or a"
            " setting to declare in a bundle's schema.json or SETTINGS",
            id="unknown-key",
        ),
    ],
)
def test_typos_and_unknown_keys_fail_strict(tmp_path, staging, mail_installed, expected):
    import json

    files = {"instance/staging.json": json.dumps(staging)}
    result = _check_command(tmp_path, files, mail_installed=mail_installed)
    assert result.returncode == 1
    assert result.stdout == f"instance/staging.json:1:2: warning: {expected}\n"


def test_an_extensions_keys_alike_but_for_two_letters_pass(tmp_path):
    # Flask-Mail has both; difflib finds them close, one edit does not.
    files = {"instance/staging.json": '{"MAIL_USE_SSL": true, "SQLALCHEMY_ECHO": true}'}
    result = _check_command(tmp_path, files, mail_installed=True)
    assert (result.returncode, result.stdout) == (0, "")


def test_two_keys_one_edit_apart_as_common_are_both_reported(tmp_path):
    files = {
        "instance/staging.json": '{"SQLALCHEMY_BINDS": {}}',
        "instance/testing.json": '{"SQLALCHEMY_BINDZ": {}}',
    }
    result = _check_command(tmp_path, files)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "instance/staging.json:1:2: warning: SQLALCHEMY_BINDS is not in default.json,"
        " nor is SQLALCHEMY_BINDZ (set in instance/testing.json): is one a typo?",
        "instance/testing.json:1:2: warning: SQLALCHEMY_BINDZ is not in default.json,"
        " nor is SQLALCHEMY_BINDS (set in instance/staging.json): is one a typo?",
    ]
