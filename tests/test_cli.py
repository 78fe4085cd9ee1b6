"""The ``ampho`` command as a process: exit status, stderr, ``python -m ampho``.

Every test here runs the real console script (or ``python -m ampho`` when
the script cannot be found next to the interpreter) in a subprocess with
an environment built from scratch, so nothing of the developer's shell
(``AMPHO_*``, ``FLASK_ENV``, ``USER``, ...) can change what it sees.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from processes import AMPHO, PYTHON_M_AMPHO, run, write_instance

import ampho


def assert_one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The failure contract: one ``Error:`` line on stderr, nothing else."""
    assert result.returncode != 0
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: "), result.stderr
    assert result.stderr.endswith("\n")
    return lines[0]


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
        "instance/default.json:3:1",
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
