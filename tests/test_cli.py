"""The ``ampho`` command as a process: exit status, stderr, ``python -m ampho``.

Every test here runs the real console script (or ``python -m ampho`` when
the script cannot be found next to the interpreter) in a subprocess with
an environment built from scratch, so nothing of the developer's shell
(``AMPHO_*``, ``FLASK_ENV``, ``USER``, ...) can change what it sees.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from processes import (
    AMPHO,
    FLASKS_GROUP,
    PYTHON_M_AMPHO,
    assert_one_line_error,
    free_port,
    run,
    write_instance,
    write_tree,
)

import ampho


@pytest.fixture
def app_root(tmp_path: Path) -> Path:
    """An application with a string DB and a production layer."""
    return write_instance(
        tmp_path / "app",
        {
            "default.json": '{\n  "DB": "sqlite:///app.db",\n  "DEBUG": false\n}\n',
            "production.json": '{\n  "DEBUG": false,\n  "NAME": "prod"\n}\n',
        },
    )


# --- --version and --help ----------------------------------------------------


def test_version_option_prints_package_version(tmp_path: Path) -> None:
    result = run(AMPHO, ["--version"], tmp_path)
    assert result.returncode == 0
    assert result.stderr == ""
    assert result.stdout.strip() == f"ampho, version {ampho.__version__}"


def test_help_shows_usage_and_config_command(tmp_path: Path) -> None:
    for flag in ("--help", "-h"):
        result = run(AMPHO, [flag], tmp_path)
        assert result.returncode == 0
        assert result.stderr == ""
        assert result.stdout.splitlines()[0].startswith("Usage: ampho ")
        assert "config" in result.stdout


def test_config_help_lists_its_subcommands(tmp_path: Path) -> None:
    result = run(AMPHO, ["config", "--help"], tmp_path)
    assert result.returncode == 0
    assert result.stdout.splitlines()[0].startswith("Usage: ampho config ")
    for command in ("check", "diff", "dump", "get"):
        assert f"  {command} " in result.stdout


# --- python -m ampho -----------------------------------------------------------


def test_python_dash_m_help_usage_line_says_ampho(tmp_path: Path) -> None:
    result = run(PYTHON_M_AMPHO, ["--help"], tmp_path)
    assert result.returncode == 0
    first = result.stdout.splitlines()[0]
    assert first.startswith("Usage: ampho [OPTIONS] COMMAND")
    assert "__main__" not in result.stdout
    assert "python -m" not in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["--help"], id="help"),
        pytest.param(["--version"], id="version"),
        pytest.param(["config", "dump", "--root", "app"], id="dump"),
        pytest.param(["config", "dump", "--root", "app", "--explain"], id="explain"),
        pytest.param(["config", "get", "--root", "app", "NOPE"], id="missing-key"),
        pytest.param(["config", "dump", "--format", "xml"], id="usage-error"),
        pytest.param(["config", "dump", "--env", "../x"], id="config-error"),
    ],
)
def test_python_dash_m_behaves_like_console_script(
    tmp_path: Path, app_root: Path, args: list[str]
) -> None:
    script = run(AMPHO, args, tmp_path)
    module = run(PYTHON_M_AMPHO, args, tmp_path)
    assert (module.returncode, module.stdout, module.stderr) == (
        script.returncode,
        script.stdout,
        script.stderr,
    )
    # The comparison means something only if the command did its work.
    assert script.stdout or script.stderr.startswith("Error: ")


def test_python_dash_m_dump_prints_the_configuration(tmp_path: Path, app_root: Path) -> None:
    result = run(PYTHON_M_AMPHO, ["config", "dump", "--root", str(app_root)], tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"DB": "sqlite:///app.db", "DEBUG": False, "NAME": "prod"}


# --- one-line errors -------------------------------------------------------------


ROOT = "{root}"

ERROR_CASES = [
    # (id, args with {root} for the app's root, extra environment,
    #  instance files, text the message must hold)
    ("unknown-command", ["nope"], {}, None, "nope"),
    ("unknown-subcommand", ["config", "nope"], {}, None, "nope"),
    ("unknown-option", ["config", "dump", "--nope"], {}, None, "--nope"),
    ("unknown-top-level-option", ["--nope"], {}, None, "--nope"),
    ("missing-argument-get", ["config", "get", "--root", ROOT], {}, None, "KEY"),
    ("missing-argument-diff", ["config", "diff", "a"], {}, None, "ENV_B"),
    ("bad-format-choice", ["config", "dump", "--format", "xml"], {}, None, "xml"),
    (
        "explain-with-format-env",
        ["config", "dump", "--root", ROOT, "--explain", "--format", "env"],
        {},
        None,
        "--explain",
    ),
    (
        "invalid-json-file",
        ["config", "dump", "--root", ROOT],
        {},
        {"default.json": '{\n  "A": 1,\n}\n'},
        "instance/default.json:2:9: a comma before }: remove the trailing comma",
    ),
    (
        "invalid-json-file-get",
        ["config", "get", "--root", ROOT, "A"],
        {},
        {"default.json": '{"A": [1,'},
        "instance/default.json:1:",
    ),
    (
        "invalid-json-file-diff",
        ["config", "diff", "--root", ROOT, "production", "staging"],
        {},
        {"default.json": "{}", "staging.json": "[1]"},
        "instance/staging.json",
    ),
    (
        "duplicate-key",
        ["config", "dump", "--root", ROOT],
        {},
        {"default.json": '{"A": 1, "A": 2}'},
        "duplicate key 'A'",
    ),
    (
        "env-escaping-instance",
        ["config", "dump", "--root", ROOT, "--env", "../x"],
        {},
        None,
        "../x",
    ),
    (
        "env-escaping-instance-get",
        ["config", "get", "--root", ROOT, "--env", "../x", "A"],
        {},
        None,
        "../x",
    ),
    (
        "env-escaping-instance-check",
        ["config", "check", "--root", ROOT, "--env", "../x"],
        {},
        None,
        "../x",
    ),
    (
        "env-escaping-instance-diff",
        ["config", "diff", "--root", ROOT, "../x", "production"],
        {},
        None,
        "../x",
    ),
    (
        "env-override-collision",
        ["config", "dump", "--root", ROOT],
        {"AMPHO_DB__HOST": "x"},
        {"default.json": '{"DB": "sqlite:///app.db"}'},
        "AMPHO_DB__HOST",
    ),
    ("missing-key-dump", ["config", "dump", "--root", ROOT, "NOPE"], {}, None, "NOPE"),
    (
        "key-below-a-string",
        ["config", "get", "--root", ROOT, "DB.HOST"],
        {},
        {"default.json": '{"DB": "sqlite://"}'},
        "DB.HOST",
    ),
    (
        "env-format-control-name",
        ["config", "dump", "--root", ROOT, "--format", "env"],
        {},
        {"default.json": '{"ENV": "production"}'},
        "ENV",
    ),
    (
        "env-format-invalid-name",
        ["config", "dump", "--root", ROOT, "--format", "env"],
        {},
        {"default.json": '{"my-key": 1}'},
        "my-key",
    ),
]


@pytest.mark.parametrize(
    ("args", "environ", "files", "expected"),
    [pytest.param(*case[1:], id=case[0]) for case in ERROR_CASES],
)
def test_errors_are_one_line_on_stderr(
    tmp_path: Path,
    args: list[str],
    environ: dict[str, str],
    files: dict[str, str] | None,
    expected: str,
) -> None:
    root = write_instance(tmp_path / "app", files or {"default.json": "{}"})
    args = [arg.format(root=root) if arg == ROOT else arg for arg in args]
    result = run(AMPHO, args, tmp_path, **environ)
    line = assert_one_line_error(result)
    assert expected in line


def test_usage_errors_do_not_print_click_usage_text(tmp_path: Path) -> None:
    result = run(AMPHO, ["config", "dump", "--format", "xml"], tmp_path)
    assert_one_line_error(result)
    assert "Usage:" not in result.stderr
    assert "--help" not in result.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["run", "--env", "development"],
            "no such option '--env' of 'ampho run': --env is an option of ampho itself,"
            " given before the command (ampho --env ... run)",
        ),
        (
            ["routes", "-v"],
            "no such option '-v' of 'ampho routes': -v is an option of ampho itself,"
            " given before the command (ampho -v routes)",
        ),
        (
            ["app", "hi", "--root", "."],
            "no such option '--root' of 'ampho app hi': --root is an option of ampho"
            " itself, given before the command (ampho --root ... app hi)",
        ),
        (["routes", "--nope"], "No such option '--nope'."),
    ],
)
def test_a_global_option_after_the_command_says_where_it_goes(
    tmp_path: Path, args: list[str], expected: str
) -> None:
    """click would say "Did you mean '--key'?" of ``run --env``."""
    root = write_tree(
        tmp_path / "root",
        {
            "app/__init__.py": "",
            "app/commands.py": "from ampho.cli import command\n\n@command()\ndef hi():\n    pass\n",
            "instance/default.json": "{}",
        },
    )
    line = assert_one_line_error(run(AMPHO, args, root))
    assert line == f"Error: {expected}"


def test_config_error_exits_with_status_1(tmp_path: Path) -> None:
    root = write_instance(tmp_path / "app", {"default.json": "{"})
    result = run(AMPHO, ["config", "dump", "--root", str(root)], tmp_path)
    assert_one_line_error(result)
    assert result.returncode == 1


def test_get_missing_key_exits_1_with_one_line_error(tmp_path: Path, app_root: Path) -> None:
    result = run(AMPHO, ["config", "get", "--root", str(app_root), "NOPE"], tmp_path)
    line = assert_one_line_error(result)
    assert result.returncode == 1
    assert "NOPE" in line


def test_dump_format_env_error_leaves_stdout_empty(tmp_path: Path) -> None:
    """A key that no variable can hold fails the dump before anything is written.

    ``A`` sorts before ``my-key``, so a dump that streams variables as it
    goes would already have printed ``AMPHO_A=1``: half an env file that
    a script redirecting stdout would keep.
    """
    root = write_instance(tmp_path / "app", {"default.json": '{"A": 1, "my-key": 2}'})
    result = run(AMPHO, ["config", "dump", "--root", str(root), "--format", "env"], tmp_path)
    line = assert_one_line_error(result)
    assert "my-key" in line


def test_error_messages_are_flattened_to_one_line(tmp_path: Path) -> None:
    """A message that quotes a newline still prints as one line."""
    root = write_instance(tmp_path / "app", {"default.json": '{"A": 1}'})
    result = run(AMPHO, ["config", "get", "--root", str(root), "A\nB"], tmp_path)
    line = assert_one_line_error(result)
    assert "A" in line


# --- settings nested nearly as deep as the parser allows ----------------------


@pytest.mark.parametrize("subcommand", [["dump"], ["dump", "--explain"], ["check"]])
def test_deeply_nested_settings_print_or_fail_in_one_line(
    tmp_path: Path, subcommand: list[str]
) -> None:
    depth = 900
    root = write_instance(tmp_path / "app", {"default.json": '{"a":' * depth + "1" + "}" * depth})
    result = run(AMPHO, ["config", *subcommand, "--root", str(root)], tmp_path)
    if result.returncode == 0:
        assert "Traceback" not in result.stderr
        assert result.stdout
    else:
        line = assert_one_line_error(result)
        assert "nested too deeply" in line


def test_dump_in_a_deleted_directory_is_one_line(tmp_path: Path) -> None:
    script = 'mkdir gone && cd gone && rmdir ../gone && exec "$@"'
    result = run(["sh", "-c", script, "sh", *AMPHO], ["config", "dump"], tmp_path)
    line = assert_one_line_error(result)
    assert line == "Error: the current directory no longer exists; give the root directory"


# --- config check and the secret key file ---------------------------------------

#: A key as Ampho generates it: 64 hexadecimal characters.
HEX_KEY = "0123456789abcdef" * 4


def key_root(tmp_path: Path, key: str, mode: int) -> Path:
    """A root whose ``instance/secret_key`` holds ``key`` with ``mode``."""
    root = write_instance(tmp_path / "app", {"default.json": "{}", "secret_key": key + "\n"})
    (root / "instance" / "secret_key").chmod(mode)
    return root


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604], ids=["0644", "0640", "0604"])
def test_check_warns_about_a_secret_key_others_can_read(tmp_path: Path, mode: int) -> None:
    root = key_root(tmp_path, HEX_KEY, mode)
    result = run(AMPHO, ["config", "check", "--root", str(root)], tmp_path)
    assert result.returncode == 0, result.stderr
    assert (
        f"instance/secret_key: warning: holds the secret key and other users can read it"
        f" (mode {mode:04o}); run chmod 600 on it"
    ) in result.stdout.splitlines()
    assert HEX_KEY not in result.stdout + result.stderr
    strict = run(AMPHO, ["config", "check", "--strict", "--root", str(root)], tmp_path)
    assert strict.returncode == 1


def test_check_warns_about_a_secret_key_shorter_than_32_characters(tmp_path: Path) -> None:
    root = key_root(tmp_path, "k" * 31, 0o600)
    result = run(AMPHO, ["config", "check", "--root", str(root)], tmp_path)
    assert result.returncode == 0, result.stderr
    assert [line for line in result.stdout.splitlines() if "secret_key" in line] == [
        "instance/secret_key: warning: holds 31 characters, fewer than the 32 a key needs;"
        " remove it to have a new key generated"
    ]
    assert "k" * 31 not in result.stdout


def test_check_accepts_a_private_key_of_32_characters(tmp_path: Path) -> None:
    root = key_root(tmp_path, "k" * 32, 0o600)
    result = run(AMPHO, ["config", "check", "--strict", "--root", str(root)], tmp_path)
    assert (result.returncode, result.stdout) == (0, ""), result.stderr
    assert result.stderr == "no problems found\n"


def test_check_accepts_the_key_the_application_generated(tmp_path: Path) -> None:
    root = write_instance(tmp_path / "app", {"default.json": "{}"})
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    generated = run(AMPHO, ["routes"], root)
    assert generated.returncode == 0, generated.stderr
    assert (root / "instance" / "secret_key").exists()
    result = run(AMPHO, ["config", "check", "--strict", "--root", str(root)], tmp_path)
    assert (result.returncode, result.stdout) == (0, ""), result.stderr
    assert result.stderr == "no problems found\n"


# --- ampho config without Flask --------------------------------------------------

#: Runs the ``ampho`` console script's entry point as the script does, then
#: writes which of Flask, Werkzeug and Jinja it imported to the file named
#: by the first argument.
ENTRY_POINT_PROBE = """
import json, sys
from importlib.metadata import entry_points

report, sys.argv = sys.argv[1], ["ampho", *sys.argv[2:]]
(script,) = entry_points(group="console_scripts", name="ampho")
try:
    script.load()()
except SystemExit as e:
    code = e.code
else:
    code = 0
heavy = sorted(m for m in sys.modules if m.partition(".")[0] in ("flask", "werkzeug", "jinja2"))
with open(report, "w") as f:
    json.dump({"code": code, "modules": heavy}, f)
"""


@pytest.fixture
def bundle_root(tmp_path: Path) -> Path:
    """An application of two bundles with defaults, a schema and a command.

    The bundles' packages import no Flask: what ``ampho config`` costs
    beyond them is Ampho's own.
    """
    root = write_tree(
        tmp_path / "shop",
        {
            "app/__init__.py": 'REQUIRES = ["mail"]\n',
            "app/commands.py": """
                import click
                from flask import current_app

                from ampho.cli import command


                @command("show")
                @click.argument("key")
                def show(key):
                    click.echo(current_app.config[key])
            """,
            "mail/__init__.py": "",
            "mail/default.json": '{"MAIL": {"PORT": 25}}\n',
            "mail/schema.json": json.dumps(
                {
                    "type": "object",
                    "properties": {
                        "MAIL": {
                            "type": "object",
                            "properties": {"PORT": {"type": "integer"}},
                        }
                    },
                }
            ),
        },
    )
    return write_instance(
        root,
        {
            "default.json": {"NAME": "default", "SECRET_KEY": "k" * 32},
            "development.json": {"NAME": "development", "DEBUG": True},
        },
    )


def probe(tmp_path: Path, cwd: Path, args: list[str], **env: str) -> dict[str, Any]:
    report = tmp_path / "report.json"
    result = run([sys.executable, "-c", ENTRY_POINT_PROBE, str(report)], args, cwd, **env)
    assert "Traceback" not in result.stderr, result.stderr
    data: dict[str, Any] = json.loads(report.read_text())
    data["stdout"] = result.stdout
    return data


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["config", "dump"], id="dump"),
        pytest.param(["config", "dump", "--explain"], id="dump-explain"),
        pytest.param(["config", "dump", "--format", "env"], id="dump-env"),
        pytest.param(["config", "get", "MAIL.PORT"], id="get"),
        pytest.param(["config", "check"], id="check"),
        pytest.param(["config", "diff", "production", "development"], id="diff"),
        pytest.param(["config", "explain", "NAME"], id="explain"),
        pytest.param(["config", "schema"], id="schema"),
        pytest.param(["config", "docs"], id="docs"),
        pytest.param(["--env", "development", "config", "get", "NAME"], id="global-env"),
        pytest.param(["--env=development", "config", "get", "NAME"], id="global-env="),
        pytest.param(["--env", "config", "config", "get", "NAME"], id="env-named-config"),
        pytest.param(
            ["--root", ".", "--entry", "app", "--instance", "instance", "config", "get", "NAME"],
            id="root-entry-instance",
        ),
        pytest.param(["-e", "dev.env", "--debug", "config", "get", "NAME"], id="env-file-debug"),
        pytest.param(["--env-file=dev.env", "config", "get", "NAME"], id="env-file="),
        pytest.param(["--no-debug", "config", "get", "NAME"], id="no-debug"),
        pytest.param(["--", "config", "get", "NAME"], id="double-dash"),
        pytest.param(["config", "--help"], id="config-help"),
    ],
)
def test_config_commands_do_not_import_flask(
    tmp_path: Path, bundle_root: Path, args: list[str]
) -> None:
    write_tree(bundle_root, {"dev.env": "AMPHO_ENV=development\n"})
    found = probe(tmp_path, bundle_root, args)
    assert found["code"] == 0, found
    assert found["stdout"]
    assert found["modules"] == []


@pytest.mark.parametrize("args", [["--help"], ["routes"], ["app", "show", "NAME"]])
def test_other_commands_still_run_in_flasks_group(
    tmp_path: Path, bundle_root: Path, args: list[str]
) -> None:
    # The probe's control: it does see Flask where Flask runs.
    found = probe(tmp_path, bundle_root, args)
    assert found["code"] == 0, found
    assert "flask.cli" in found["modules"]


def test_python_dash_m_ampho_config_does_not_import_flask(
    tmp_path: Path, bundle_root: Path
) -> None:
    code = (
        "import runpy, sys\n"
        "sys.argv = ['ampho', 'config', 'get', 'NAME']\n"
        "try:\n"
        "    runpy.run_module('ampho', run_name='__main__', alter_sys=True)\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('flask', 'werkzeug', 'jinja2'))))\n"
    )
    result = run([sys.executable, "-c", code], [], bundle_root)
    assert result.stdout == "default\n[]\n", result.stderr


def test_help_is_flasks_group_help(tmp_path: Path, bundle_root: Path) -> None:
    code = "from ampho.cli.group import main; main(['--help'], prog_name='ampho')"
    group = run([sys.executable, "-c", code], [], bundle_root)
    for flag in ("--help", "-h"):
        entry = run(AMPHO, [flag], bundle_root)
        assert entry.returncode == 0
        assert (entry.stdout, entry.stderr) == (group.stdout, group.stderr)
    listed = [line.split()[0] for line in group.stdout.split("Commands:")[1].splitlines() if line]
    assert listed == ["app", "bundles", "config", "new", "routes", "run", "secret-key", "shell"]


@pytest.mark.parametrize(
    "args",
    [
        pytest.param([], id="nothing"),
        pytest.param(["--version"], id="version"),
        pytest.param(["--help", "config"], id="help-before-config"),
        pytest.param(["-h", "config"], id="h-before-config"),
        pytest.param(["--env", "config", "routes"], id="env-named-config"),
        pytest.param(["--env", "development", "app", "show", "NAME"], id="bundle-command"),
        pytest.param(["--bogus", "config"], id="unknown-option"),
        pytest.param(["--entr", "x", "config"], id="option-suggestion"),
        pytest.param(["--env"], id="missing-value"),
        pytest.param(["nosuch"], id="unknown-command"),
        pytest.param(["rout"], id="command-suggestion"),
        pytest.param(["--", "--help"], id="double-dash-help"),
        pytest.param(["routes", "extra"], id="extra-argument"),
    ],
)
def test_other_command_lines_are_answered_as_flasks_group_answers_them(
    bundle_root: Path, args: list[str]
) -> None:
    group = run(FLASKS_GROUP, args, bundle_root)
    entry = run(AMPHO, args, bundle_root)
    assert (entry.returncode, entry.stdout, entry.stderr) == (
        group.returncode,
        group.stdout,
        group.stderr,
    )
    assert group.stdout or group.stderr.startswith(("Error: ", "Usage: "))


@pytest.mark.parametrize(
    ("instruction", "words", "current"),
    [
        ("bash_complete", "ampho ", 1),
        ("bash_complete", "ampho --", 1),
        ("bash_complete", "ampho --env development c", 3),
        ("bash_complete", "ampho app ", 2),
        ("bash_complete", "ampho -e ", 2),
        ("zsh_complete", "ampho --", 1),
        ("zsh_complete", "ampho ", 1),
        ("zsh_complete", "ampho config get --", 3),
        ("bash_source", "", 0),
    ],
)
def test_shell_completion_is_flasks_groups(
    bundle_root: Path, instruction: str, words: str, current: int
) -> None:
    env = {"_AMPHO_COMPLETE": instruction, "COMP_WORDS": words, "COMP_CWORD": str(current)}
    group = run(FLASKS_GROUP, [], bundle_root, **env)
    entry = run(AMPHO, [], bundle_root, **env)
    assert (entry.returncode, entry.stdout, entry.stderr) == (
        group.returncode,
        group.stdout,
        group.stderr,
    )
    assert group.stdout


def test_completing_a_config_command_does_not_import_flask(
    tmp_path: Path, bundle_root: Path
) -> None:
    env = {"_AMPHO_COMPLETE": "bash_complete", "COMP_WORDS": "ampho config d", "COMP_CWORD": "2"}
    found = probe(tmp_path, bundle_root, [], **env)
    assert (found["code"], found["stdout"]) == (0, "plain,diff\nplain,docs\nplain,dump\n")
    assert found["modules"] == []


def test_a_stray_app_run_in_a_bundle_command_is_ignored(tmp_path: Path) -> None:
    # As under Flask's group, which sets FLASK_RUN_FROM_CLI for that.
    root = write_tree(
        tmp_path / "site",
        {
            "app/__init__.py": "",
            "app/commands.py": f"""
                from flask import current_app

                from ampho.cli import command


                @command("serve")
                def serve():
                    current_app.run(port={free_port()})
            """,
        },
    )
    result = run(AMPHO, ["app", "serve"], root, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(" * Ignoring a call to 'app.run()'"), result.stdout


@pytest.mark.parametrize("args", [["--help"], ["-h"], []])
def test_help_lists_the_commands_of_the_entry_bundle_a_dotenv_file_names(
    tmp_path: Path, args: list[str]
) -> None:
    # --help is eager and a bare command parses nothing, so the .env files
    # are read first, as Flask's group reads them: they may say where the
    # application is.
    root = write_tree(
        tmp_path / "site",
        {
            ".env": "AMPHO_ENTRY=web\n",
            "web/__init__.py": "",
            "web/commands.py": """
                from ampho.cli import command


                @command("hi")
                def hi():
                    pass
            """,
        },
    )
    result = run(AMPHO, args, root)
    output = result.stdout + result.stderr
    assert "Commands:\n  bundles" in output
    assert "\n  web\n" in output, output


@pytest.mark.parametrize(
    ("files", "args", "env", "expected"),
    [
        pytest.param({}, [], {}, "default", id="none"),
        pytest.param(
            {".flaskenv": "AMPHO_ENV=development\n"}, [], {}, "development", id="flaskenv"
        ),
        pytest.param(
            {".flaskenv": "AMPHO_ENV=development\n", ".env": "AMPHO_ENV=production\n"},
            [],
            {},
            "default",
            id="env-over-flaskenv",
        ),
        pytest.param(
            {".env": "AMPHO_ENV=production\n", "dev.env": "AMPHO_ENV=development\n"},
            ["-e", "dev.env"],
            {},
            "development",
            id="env-file-over-env",
        ),
        pytest.param(
            {".env": "AMPHO_ENV=development\n"},
            [],
            {"AMPHO_ENV": "production"},
            "default",
            id="environment-over-env",
        ),
        pytest.param(
            {".env": "AMPHO_ENV=development\n"},
            [],
            {"FLASK_SKIP_DOTENV": "1"},
            "default",
            id="skip-dotenv",
        ),
    ],
)
def test_config_reads_the_dotenv_files_the_application_reads(
    bundle_root: Path,
    files: dict[str, str],
    args: list[str],
    env: dict[str, str],
    expected: str,
) -> None:
    write_tree(bundle_root, files)
    config = run(AMPHO, [*args, "config", "get", "NAME"], bundle_root, **env)
    app = run(AMPHO, [*args, "app", "show", "NAME"], bundle_root, **env)
    assert (config.returncode, app.returncode) == (0, 0), config.stderr + app.stderr
    assert config.stdout == app.stdout == f"{expected}\n"


@pytest.mark.parametrize(
    ("files", "args", "expected"),
    [
        pytest.param(
            {".env": "AMPHO_ENV=development\n"}, ["-e", "/dev/null"], "development", id="device"
        ),
        pytest.param({}, ["-e", "<(echo AMPHO_ENV=development)"], "default", id="pipe"),
    ],
)
def test_config_reads_an_env_file_that_is_not_a_regular_file_as_the_application_does(
    bundle_root: Path, files: dict[str, str], args: list[str], expected: str
) -> None:
    # Flask reads --env-file only when it is a regular file; the .env files
    # it finds are read all the same.
    write_tree(bundle_root, files)
    ampho = f"{shlex.join(AMPHO)} {' '.join(args)}"
    config = run(["bash", "-c", f"{ampho} config get NAME"], [], bundle_root)
    app = run(["bash", "-c", f"{ampho} app show NAME"], [], bundle_root)
    assert (config.returncode, app.returncode) == (0, 0), config.stderr + app.stderr
    assert config.stdout == app.stdout == f"{expected}\n"


def test_config_with_a_missing_env_file_is_one_line(bundle_root: Path) -> None:
    line = assert_one_line_error(run(AMPHO, ["-e", "nope.env", "config", "get", "X"], bundle_root))
    assert "nope.env" in line
    assert line == assert_one_line_error(run(AMPHO, ["-e", "nope.env", "routes"], bundle_root))


@pytest.mark.parametrize("args", [["config", "dump"], ["routes"]])
def test_output_that_cannot_be_written_is_one_line(bundle_root: Path, args: list[str]) -> None:
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [*AMPHO, *args],
            cwd=bundle_root,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env={"PATH": "/usr/bin:/bin", "HOME": str(bundle_root), "USER": "u", "HOSTNAME": "h"},
            check=False,
        )
    assert result.returncode == 1
    assert result.stderr == "Error: cannot write the output: No space left on device\n"


def test_config_reads_a_dotenv_served_through_a_named_pipe(bundle_root: Path) -> None:
    # As python-dotenv finds it, and so Flask's group: a FIFO counts.
    import os
    import threading

    fifo = bundle_root / ".env"
    os.mkfifo(fifo)

    def serve() -> None:
        with open(fifo, "w") as f:
            f.write("AMPHO_ENV=development\n")

    writer = threading.Thread(target=serve, daemon=True)
    writer.start()
    result = run(AMPHO, ["config", "get", "NAME"], bundle_root, timeout=30)
    writer.join(timeout=30)
    assert (result.returncode, result.stdout) == (0, "development\n"), result.stderr
