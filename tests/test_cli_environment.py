"""A misspelled environment is loud in every command.

An environment named with ``--env``, ``AMPHO_ENV`` or ``FLASK_ENV`` that
has no ``{env}.json`` used to load ``default.json`` alone without a
word: ``AMPHO_ENV=prod ampho config check --strict`` said "no problems
found". Each command now warns in one line naming the environments that
have a file, and ``config check --strict`` fails, however the
environment was chosen. All through the real ``ampho`` command.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from processes import AMPHO, free_port, request, run, server_environment, serving, write_tree

#: The one warning for ``prod`` in the site below.
PROD_WARNING = (
    "Warning: environment 'prod' has no instance/prod.json, so it loads default.json alone;"
    " the environments with a file are development, production; did you mean 'production'?"
)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return write_tree(
        tmp_path / "site",
        {
            "app/__init__.py": "",
            "app/views.py": (
                "from flask import current_app\n"
                "from ampho import route\n\n"
                "@route('/')\n"
                "def home():\n"
                "    return current_app.config['WHERE']\n"
            ),
            "instance/default.json": '{"WHERE": "default"}',
            "instance/development.json": '{"WHERE": "development"}',
            "instance/production.json": '{"WHERE": "production"}',
            # Not environments: a user@host file, an editor's, a directory.
            "instance/u@h.json": "{}",
            "instance/.#production.json": "",
            "instance/secrets/TOKEN": "t",
        },
    )


def ampho(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return run(AMPHO, list(args), root, **env)


@pytest.mark.parametrize(
    ("args", "env", "stdout"),
    [
        pytest.param(["--env", "prod", "config", "get", "WHERE"], {}, "default\n", id="global-env"),
        pytest.param(
            ["config", "get", "WHERE"], {"AMPHO_ENV": "prod"}, "default\n", id="AMPHO_ENV"
        ),
        pytest.param(
            ["config", "get", "WHERE"], {"FLASK_ENV": "prod"}, "default\n", id="FLASK_ENV"
        ),
        pytest.param(["config", "get", "--env", "prod", "WHERE"], {}, "default\n", id="get-env"),
        pytest.param(["config", "dump", "--env", "prod", "WHERE"], {}, '"default"\n', id="dump"),
        pytest.param(
            ["config", "explain", "--env", "prod", "WHERE"],
            {},
            'instance/default.json:1:2: "default"  (wins)\n',
            id="explain",
        ),
        pytest.param(
            ["config", "diff", "prod", "development"],
            {},
            'WHERE\n  prod         "default"  (instance/default.json:1:2)\n'
            '  development  "development"  (instance/development.json:1:2)\n',
            id="diff",
        ),
        pytest.param(["--env", "prod", "routes"], {}, None, id="routes"),
        pytest.param(["--env", "prod", "bundles"], {}, None, id="bundles-loads-nothing"),
    ],
)
def test_a_named_environment_without_a_file_is_one_warning_line(
    site: Path, args: list[str], env: dict[str, str], stdout: str | None
) -> None:
    result = ampho(site, *args, **env)
    assert result.returncode == 0, result.stderr
    if stdout is not None:
        assert result.stdout == stdout
    if args[-1] == "bundles":
        # It reads no settings, so it has nothing to say about them.
        assert result.stderr == ""
    else:
        assert result.stderr == PROD_WARNING + "\n"


@pytest.mark.parametrize(
    ("args", "env", "stdout"),
    [
        pytest.param(["config", "get", "WHERE"], {}, "default\n", id="default"),
        pytest.param(
            ["config", "get", "WHERE"], {"AMPHO_ENV": "development"}, "development\n", id="a-file"
        ),
        # production is the default: named or not, it needs no file.
        pytest.param(
            ["config", "get", "WHERE"], {"AMPHO_ENV": "production"}, "default\n", id="AMPHO_ENV"
        ),
        pytest.param(
            ["--env", "production", "config", "get", "WHERE"], {}, "default\n", id="--env"
        ),
        pytest.param(
            ["config", "diff", "production", "development"],
            {},
            'WHERE\n  production   "default"  (instance/default.json:1:2)\n'
            '  development  "development"  (instance/development.json:1:2)\n',
            id="diff",
        ),
        pytest.param(["--env", "production", "routes"], {}, None, id="routes"),
        pytest.param(["--env", "production", "config", "check", "--strict"], {}, None, id="check"),
    ],
)
def test_an_environment_with_a_file_or_the_default_is_quiet(
    site: Path, args: list[str], env: dict[str, str], stdout: str | None
) -> None:
    (site / "instance/production.json").unlink()
    result = ampho(site, *args, **env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr in ("", "no problems found\n")
    if stdout is not None:
        assert result.stdout == stdout


def test_the_warning_says_when_no_environment_has_a_file(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "site", {"app/__init__.py": "", "instance/default.json": "{}"})
    result = ampho(root, "--env", "staging", "config", "dump")
    assert result.stderr == (
        "Warning: environment 'staging' has no instance/staging.json, so it loads default.json"
        " alone; no environment has a file there\n"
    )


def test_the_warning_names_no_environment_it_cannot_have_meant(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "site",
        {"app/__init__.py": "", "instance/staging.json": "{}", "instance/production.json": "{}"},
    )
    assert ampho(root, "--env", "qa", "config", "dump").stderr == (
        "Warning: environment 'qa' has no instance/qa.json, so it loads default.json alone;"
        " the environments with a file are production, staging\n"
    )
    # Close in spelling, or cut short.
    assert ampho(root, "--env", "stagin", "config", "dump").stderr.endswith(
        "; did you mean 'staging'?\n"
    )


def test_a_failing_command_prints_its_error_alone(site: Path) -> None:
    """The warning is for a command that goes on; one that fails says why, in one line."""
    (site / "instance/development.json").write_text("[1]")
    result = ampho(site, "config", "diff", "prod", "development")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "Error: instance/development.json:1:1: the top level must be a JSON object, not an array"
    ]


@pytest.mark.parametrize(
    ("args", "env"),
    [
        pytest.param(["--env", "prod"], {}, id="global-env"),
        pytest.param([], {"AMPHO_ENV": "prod"}, id="AMPHO_ENV"),
        pytest.param([], {"FLASK_ENV": "prod"}, id="FLASK_ENV"),
    ],
)
def test_check_strict_fails_however_the_environment_was_chosen(
    site: Path, args: list[str], env: dict[str, str]
) -> None:
    result = ampho(site, *args, "config", "check", "--strict", **env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        "instance/prod.json: warning: does not exist, so environment 'prod' loads default.json"
        " alone (a misspelled environment? the environments with a file are development,"
        " production; did you mean 'production'?)"
    ]
    # Without --strict it is a warning, and the status says all is well.
    assert ampho(site, *args, "config", "check", **env).returncode == 0
    # The default environment needs no file.
    (site / "instance/production.json").unlink()
    assert ampho(site, "config", "check", "--strict").returncode == 0


def test_run_warns_once_even_with_the_reloader(site: Path, tmp_path: Path) -> None:
    """The reloader's child builds the application again; the warning is
    the first process's, said once."""
    port = free_port()
    log = tmp_path / "server.log"
    command = [*AMPHO, "--env", "prod", "run", "--reload", "--port", str(port)]
    command += ["--host", "127.0.0.1"]
    env = server_environment(tmp_path / "home", PYTHONUNBUFFERED="1")
    with serving(command, site, port, env, log):
        # The reloader's parent holds the socket; an answer is the child's,
        # which has built the application by then.
        assert request(port, "/").text == "default"
    lines = log.read_text().splitlines()
    assert lines.count(PROD_WARNING) == 1, lines
