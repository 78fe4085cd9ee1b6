"""The ``ampho`` command with bundles: groups, global options, ``bundles``, errors.

Every test runs the real console script (``python -m ampho`` where that
is the point) in a subprocess, in a root directory of real bundle
packages written under ``tmp_path``, with an environment built from
scratch: nothing of the developer's shell (``AMPHO_*``, ``FLASK_*``,
``USER``, ...) reaches the command. Serving with ``ampho run`` is in
``test_server.py``.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import pytest
from processes import (
    AMPHO,
    PYTHON_M_AMPHO,
    assert_one_line_error,
    run,
    write_instance,
    write_tree,
)

import ampho
import ampho.cli

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "hello-world"

BUILTIN_COMMANDS = {"bundles", "config", "new", "routes", "run", "secret-key", "shell"}


# --- helpers ---------------------------------------------------------------------


def run_ampho(
    args: list[str], cwd: Path, *, command: list[str] = AMPHO, **options: Any
) -> subprocess.CompletedProcess[str]:
    """Run ``ampho`` in ``cwd``; ``HOME`` is hidden, never a bundle name."""
    options.setdefault("timeout", 30)
    return run(command, args, cwd, home=".home", **options)


def ok(result: subprocess.CompletedProcess[str]) -> str:
    """The stdout of a run that succeeded without a word on stderr."""
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def commands_in_help(text: str) -> dict[str, str]:
    """The ``Commands:`` section of a help text: name -> help (maybe empty)."""
    lines = text.splitlines()
    assert "Commands:" in lines, text
    found: dict[str, str] = {}
    for line in lines[lines.index("Commands:") + 1 :]:
        if not line.startswith("  "):
            break
        if line.startswith("   "):  # a wrapped help line
            continue
        name, _, help_text = line.strip().partition(" ")
        found[name] = help_text.strip()
    return found


def free_port() -> int:
    """A port nothing listens on now, from a socket bound to port 0."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def copy_example(tmp_path: Path) -> Path:
    """A copy of examples/hello-world, so nothing is written into the repository."""
    root = tmp_path / "hello-world"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


#: A command that shows, as JSON, what it sees in its application context.
SHOW_COMMAND = """
    import json
    import os
    import sys

    import ampho
    from ampho import current_app


    @ampho.cli.command("show")
    def show():
        \"\"\"Print the application's name, settings and variables as JSON.\"\"\"
        print(json.dumps({
            "name": current_app.name,
            "GREETING": current_app.config.get("GREETING"),
            "instance": current_app.instance_path,
            "AMPHO_ROOT": os.environ.get("AMPHO_ROOT"),
            "AMPHO_ENTRY": os.environ.get("AMPHO_ENTRY"),
            "AMPHO_ENV": os.environ.get("AMPHO_ENV"),
            "sys.path": sys.path,
        }))
"""


def greeting_root(root: Path, entry: str = "app") -> Path:
    """A root whose entry bundle has ``show``; GREETING differs per environment."""
    write_tree(root, {f"{entry}/__init__.py": "", f"{entry}/commands.py": SHOW_COMMAND})
    write_instance(
        root,
        {
            "default.json": {"GREETING": "from default"},
            "production.json": {"GREETING": "from production"},
            "staging.json": {"GREETING": "from staging"},
        },
    )
    return root


def show(result: subprocess.CompletedProcess[str]) -> dict[str, object]:
    return json.loads(ok(result))


# --- Flask's commands on Ampho's factory --------------------------------------------


def test_routes_lists_the_endpoints_of_every_bundle(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "root",
        {
            "blog/__init__.py": 'URL_PREFIX = "/blog"',
            "blog/views.py": """
                from ampho import route

                @route("/")
                def index():
                    return "blog"

                @route("/<int:post>")
                def post(post):
                    return str(post)
            """,
            "app/__init__.py": 'REQUIRES = ["blog"]',
            "app/views.py": """
                from ampho import route

                @route("/")
                def home():
                    return "home"
            """,
            "app/static/site.css": "body {}",
        },
    )
    out = ok(run_ampho(["routes"], root))
    rows = {tuple(line.split()) for line in out.splitlines()[2:]}
    assert rows == {
        ("app.home", "GET", "/"),
        ("app.static", "GET", "/static/app/<path:filename>"),
        ("blog.index", "GET", "/blog/"),
        ("blog.post", "GET", "/blog/<int:post>"),
        ("static", "GET", "/static/<path:filename>"),
    }


def test_routes_of_the_hello_world_example(tmp_path: Path) -> None:
    out = ok(run_ampho(["routes"], copy_example(tmp_path)))
    rows = {tuple(line.split()) for line in out.splitlines()[2:]}
    assert rows == {
        ("app.hello", "GET", "/hello/<name>"),
        ("app.home", "GET", "/"),
        ("app.static", "GET", "/static/app/<path:filename>"),
        ("static", "GET", "/static/<path:filename>"),
    }


def test_shell_runs_in_the_application_context(tmp_path: Path) -> None:
    """Not interactive: the shell reads its input from a pipe."""
    root = copy_example(tmp_path)
    code = "print('SHOWN', app.name, app.config['GREETING'], sep='|')\n"
    result = run_ampho(["shell"], root, stdin=code)
    assert result.returncode == 0, result.stderr
    assert "SHOWN|app|Hello, world!" in result.stdout


def test_help_without_an_application_lists_the_builtin_commands(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    out = ok(run_ampho(["--help"], empty))
    assert set(commands_in_help(out)) == BUILTIN_COMMANDS
    for option in ("--root", "--entry", "--env"):
        assert option in out


def test_help_of_the_example_lists_its_group_with_cli_help(tmp_path: Path) -> None:
    out = ok(run_ampho(["--help"], copy_example(tmp_path)))
    commands = commands_in_help(out)
    assert set(commands) == {*BUILTIN_COMMANDS, "app"}
    assert commands["app"] == "Commands of the hello-world application."


def test_example_hello_command(tmp_path: Path) -> None:
    assert ok(run_ampho(["app", "hello"], copy_example(tmp_path))) == "Hello, world\n"


# --- bundle commands ---------------------------------------------------------------------


def test_bundle_command_runs_in_an_application_context(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "root",
        {
            "app/__init__.py": "",
            "app/default.json": '{"GREETING": "from the bundle"}',
            "app/commands.py": """
                import ampho
                from ampho import current_app

                @ampho.cli.command("hello")
                def hello():
                    \"\"\"Say hello.\"\"\"
                    print(current_app.name, current_app.config["GREETING"], sep="|")
            """,
        },
    )
    assert ok(run_ampho(["app", "hello"], root)) == "app|from the bundle\n"
    # The group is named after the bundle and lists the command with its help.
    out = ok(run_ampho(["app", "--help"], root))
    assert commands_in_help(out) == {"hello": "Say hello."}
    # No CLI_HELP: the group is listed all the same.
    assert "app" in commands_in_help(ok(run_ampho(["--help"], root)))


@pytest.mark.parametrize("where", ["commands", "__init__"])
def test_cli_group_and_cli_help_name_the_group(tmp_path: Path, where: str) -> None:
    declarations = 'CLI_GROUP = "tools"\nCLI_HELP = "Tools of the site."\n'
    command = """
        import ampho

        @ampho.cli.command("hello")
        def hello():
            print("hello from tools")
    """
    files = {"app/__init__.py": "", "app/commands.py": textwrap.dedent(command)}
    files[f"app/{where}.py"] = declarations + files[f"app/{where}.py"]
    root = write_tree(tmp_path / "root", files)

    commands = commands_in_help(ok(run_ampho(["--help"], root)))
    assert commands["tools"] == "Tools of the site."
    assert "app" not in commands
    assert ok(run_ampho(["tools", "hello"], root)) == "hello from tools\n"
    line = assert_one_line_error(run_ampho(["app", "hello"], root))
    assert "app" in line


def test_a_required_bundle_has_its_own_group(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "root",
        {
            "blog/__init__.py": 'CLI_HELP = "Blog commands."',
            "blog/default.json": '{"BLOG": {"PER_PAGE": 10}}',
            "blog/commands.py": """
                import ampho
                from ampho import current_app

                @ampho.cli.command("per-page")
                def per_page():
                    print(current_app.config["BLOG"]["PER_PAGE"])
            """,
            "app/__init__.py": 'REQUIRES = ["blog"]',
        },
    )
    commands = commands_in_help(ok(run_ampho(["--help"], root)))
    assert commands["blog"] == "Blog commands."
    assert "app" not in commands  # the app bundle declares no command
    assert ok(run_ampho(["blog", "per-page"], root)) == "10\n"


@pytest.fixture
def greet_root(tmp_path: Path) -> Path:
    return write_tree(
        tmp_path / "root",
        {
            "app/__init__.py": "",
            "app/default.json": '{"GREETING": "Hello"}',
            "app/commands.py": """
                import click

                import ampho
                from ampho import current_app

                @ampho.cli.command("greet")
                @click.argument("name")
                @click.option("--times", type=int, default=1, help="How many times.")
                @click.option("--shout", is_flag=True, help="In capitals.")
                def greet(name, times, shout):
                    \"\"\"Greet NAME.\"\"\"
                    text = f"{current_app.config['GREETING']}, {name}!"
                    for _ in range(times):
                        print(text.upper() if shout else text)
            """,
        },
    )


def test_bundle_command_with_arguments_and_options(greet_root: Path) -> None:
    assert ok(run_ampho(["app", "greet", "Ann"], greet_root)) == "Hello, Ann!\n"
    out = ok(run_ampho(["app", "greet", "--times", "2", "--shout", "Bob"], greet_root))
    assert out == "HELLO, BOB!\nHELLO, BOB!\n"
    help_text = ok(run_ampho(["app", "greet", "--help"], greet_root))
    assert help_text.startswith("Usage: ampho app greet [OPTIONS] NAME")
    assert "Greet NAME." in help_text
    assert "--times INTEGER" in help_text


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(["app", "greet"], "NAME", id="missing-argument"),
        pytest.param(["app", "greet", "--times", "x", "A"], "'x'", id="bad-option-value"),
        pytest.param(["app", "nope"], "nope", id="unknown-command"),
    ],
)
def test_bundle_command_usage_errors_are_one_line(
    greet_root: Path, args: list[str], expected: str
) -> None:
    line = assert_one_line_error(run_ampho(args, greet_root))
    assert expected in line


# --- echo helpers -----------------------------------------------------------------------------


def test_echo_helpers_are_the_same_on_ampho_and_ampho_cli() -> None:
    for name in ("echo_info", "echo_success", "echo_warning", "echo_error"):
        assert getattr(ampho, name) is getattr(ampho.cli, name)
        assert name in ampho.__all__


def test_echo_helpers_print_lines_and_errors_go_to_stderr(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "root",
        {
            "app/__init__.py": "",
            "app/commands.py": """
                import ampho

                @ampho.cli.command("talk")
                def talk():
                    ampho.echo_info("info")
                    ampho.echo_success("success")
                    ampho.echo_warning("warning")
                    ampho.echo_error("error")
                    ampho.cli.echo_info("cli info")
                    ampho.cli.echo_success("cli success")
                    ampho.cli.echo_warning("cli warning")
                    ampho.cli.echo_error("cli error")
            """,
        },
    )
    result = run_ampho(["app", "talk"], root)
    assert result.returncode == 0, result.stderr
    # Not a terminal: no colour codes, one line per message.
    assert result.stdout == "info\nsuccess\nwarning\ncli info\ncli success\ncli warning\n"
    assert result.stderr == "error\ncli error\n"


# --- ampho bundles -----------------------------------------------------------------------------


def test_bundles_lists_three_bundles_in_load_order(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "root",
        {
            "core/__init__.py": "",
            "blog/__init__.py": 'REQUIRES = ["core"]',
            "blog/views.py": "",
            "blog/tpl/post.html": "{{ post }}",
            "blog/default.json": "{}",
            # core is declared after blog but needed by it: it loads first.
            "app/__init__.py": 'REQUIRES = ["blog", "core"]',
            "app/views.py": "",
            "app/commands.py": "",
            "app/tpl/index.html": "index",
            "app/static/site.css": "",
            "app/default.json": "{}",
        },
    )
    out = ok(run_ampho(["bundles"], root))
    assert out.splitlines() == [
        f"core  {root / 'core'}  requires: -  has: -",
        f"blog  {root / 'blog'}  requires: core  has: views, tpl, default.json",
        f"app  {root / 'app'}  requires: blog, core"
        "  has: views, commands, tpl, static, default.json",
    ]


def test_bundles_of_the_example(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    out = ok(run_ampho(["bundles"], root))
    assert out == (
        f"app  {root / 'app'}  requires: -"
        "  has: views, commands, tpl, static, on_register, on_load\n"
    )


# --- global options: --root, --entry, --env ----------------------------------------------------


def test_root_dir_goes_on_sys_path(tmp_path: Path) -> None:
    """``cd root && ampho ...`` imports the ``app`` package found there."""
    root = greeting_root(tmp_path / "root")
    seen = show(run_ampho(["app", "show"], root))
    assert seen["name"] == "app"
    assert str(root) in seen["sys.path"]  # type: ignore[operator]
    assert seen["instance"] == str(root / "instance")


def test_root_option_from_another_directory(tmp_path: Path) -> None:
    root = greeting_root(tmp_path / "root")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # A relative --root is made absolute for AMPHO_ROOT.
    seen = show(run_ampho(["--root", "../root", "app", "show"], elsewhere))
    assert seen["AMPHO_ROOT"] == str(root)
    assert seen["instance"] == str(root / "instance")
    assert seen["GREETING"] == "from production"
    out = ok(run_ampho(["--root", str(root), "bundles"], elsewhere))
    assert out == f"app  {root / 'app'}  requires: -  has: commands\n"
    # Without --root, there is no application here.
    assert_one_line_error(run_ampho(["bundles"], elsewhere))


def test_ampho_root_variable_from_another_directory(tmp_path: Path) -> None:
    root = greeting_root(tmp_path / "root")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    seen = show(run_ampho(["app", "show"], elsewhere, AMPHO_ROOT=str(root)))
    assert seen["GREETING"] == "from production"


def test_entry_option_picks_a_differently_named_bundle(tmp_path: Path) -> None:
    root = greeting_root(tmp_path / "root", entry="shop")
    seen = show(run_ampho(["--entry", "shop", "shop", "show"], root))
    assert seen["name"] == "shop"
    assert seen["AMPHO_ENTRY"] == "shop"
    out = ok(run_ampho(["--entry", "shop", "bundles"], root))
    assert out == f"shop  {root / 'shop'}  requires: -  has: commands\n"
    # The variable does the same; without either, the entry is "app".
    assert show(run_ampho(["shop", "show"], root, AMPHO_ENTRY="shop"))["name"] == "shop"
    line = assert_one_line_error(run_ampho(["bundles"], root))
    assert "'app'" in line


def test_env_option_picks_the_environment_file(tmp_path: Path) -> None:
    root = greeting_root(tmp_path / "root")
    seen = show(run_ampho(["--env", "staging", "app", "show"], root))
    assert seen["GREETING"] == "from staging"
    assert seen["AMPHO_ENV"] == "staging"
    # The default environment is production; the variable works as the option.
    assert show(run_ampho(["app", "show"], root))["GREETING"] == "from production"
    assert show(run_ampho(["app", "show"], root, AMPHO_ENV="staging"))["GREETING"] == (
        "from staging"
    )
    out = ok(run_ampho(["--env", "staging", "config", "get", "GREETING"], root))
    assert out == "from staging\n"


def test_global_options_together(tmp_path: Path) -> None:
    root = greeting_root(tmp_path / "root", entry="shop")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    args = ["--root", str(root), "--entry", "shop", "--env", "staging", "shop", "show"]
    seen = show(run_ampho(args, elsewhere))
    assert (seen["name"], seen["GREETING"]) == ("shop", "from staging")
    assert (seen["AMPHO_ROOT"], seen["AMPHO_ENTRY"], seen["AMPHO_ENV"]) == (
        str(root),
        "shop",
        "staging",
    )


def test_python_dash_m_ampho_runs_bundle_commands(tmp_path: Path) -> None:
    root = greeting_root(tmp_path / "root")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    args = ["--root", str(root), "--env", "staging", "app", "show"]
    seen = show(run_ampho(args, elsewhere, command=PYTHON_M_AMPHO))
    assert (seen["name"], seen["GREETING"]) == ("app", "from staging")


# --- ampho config with bundles ----------------------------------------------------------------


@pytest.fixture
def defaults_root(tmp_path: Path) -> Path:
    root = write_tree(
        tmp_path / "root",
        {
            "blog/__init__.py": "",
            "blog/default.json": '{\n  "BLOG": {\n    "PER_PAGE": 10\n  },\n  "X": "blog"\n}\n',
            "app/__init__.py": 'REQUIRES = ["blog"]',
            "app/default.json": '{\n  "X": "app",\n  "Y": "app"\n}\n',
        },
    )
    return write_instance(root, {"default.json": '{\n  "Y": "instance"\n}\n'})


def test_config_dump_includes_bundle_defaults(defaults_root: Path) -> None:
    out = ok(run_ampho(["config", "dump"], defaults_root))
    assert json.loads(out) == {"BLOG": {"PER_PAGE": 10}, "X": "app", "Y": "instance"}


def test_config_dump_explain_names_bundle_default_files(defaults_root: Path) -> None:
    out = ok(run_ampho(["config", "dump", "--explain"], defaults_root))
    assert out.splitlines() == [
        "BLOG.PER_PAGE = 10  (blog/default.json:3:5)",
        'X = "app"  (app/default.json:2:3)',
        'Y = "instance"  (instance/default.json:2:3)',
    ]


def test_config_get_with_bundle_defaults_from_another_directory(
    defaults_root: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert ok(run_ampho(["config", "get", "--root", str(defaults_root), "X"], elsewhere)) == (
        "app\n"
    )
    assert ok(run_ampho(["--root", str(defaults_root), "config", "get", "X"], elsewhere)) == (
        "app\n"
    )
    environ = {"AMPHO_ROOT": str(defaults_root)}
    out = ok(run_ampho(["config", "get", "BLOG.PER_PAGE"], elsewhere, **environ))
    assert out == "10\n"


def test_config_with_another_entry_bundle(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "root", {"shop/__init__.py": "", "shop/default.json": '{"A": 1}'})
    assert ok(run_ampho(["--entry", "shop", "config", "get", "A"], root)) == "1\n"
    # Without the entry bundle, its defaults are not read.
    assert_one_line_error(run_ampho(["config", "get", "A"], root))


def test_config_works_without_any_bundle(tmp_path: Path) -> None:
    root = write_instance(tmp_path / "root", {"default.json": '{\n  "A": 1\n}\n'})
    assert json.loads(ok(run_ampho(["config", "dump"], root))) == {"A": 1}
    assert ok(run_ampho(["config", "dump", "--explain"], root)) == (
        "A = 1  (instance/default.json:2:3)\n"
    )


# --- errors ---------------------------------------------------------------------------------------


BUNDLE_ERRORS = [
    # (id, files, text the message must hold)
    (
        "cycle",
        {"app/__init__.py": 'REQUIRES = ["a"]', "a/__init__.py": 'REQUIRES = ["app"]'},
        "circular requirement: app -> a -> app",
    ),
    (
        "missing-required",
        {"app/__init__.py": 'REQUIRES = ["nosuch"]'},
        "no bundle named 'nosuch' (required by 'app')",
    ),
    (
        "required-typo",
        {"app/__init__.py": 'REQUIRES = ["blgo"]', "blog/__init__.py": ""},
        "no bundle named 'blgo' (required by 'app'): no such package on sys.path;"
        " did you mean 'blog'?",
    ),
    (
        "requires-a-string",
        {"app/__init__.py": 'REQUIRES = "blog"', "blog/__init__.py": ""},
        "REQUIRES of bundle 'app'",
    ),
    (
        "requires-not-names",
        {"app/__init__.py": "REQUIRES = [1]"},
        "REQUIRES of bundle 'app'",
    ),
    (
        "hook-signature",
        {"app/__init__.py": "def on_load(app, db):\n    pass\n"},
        "on_load of bundle 'app' must take the application as its one parameter,"
        " or no parameter: it is on_load(app, db)",
    ),
    (
        "invalid-instance-json",
        {"app/__init__.py": "", "instance/default.json": '{\n  "A": 1,\n}\n'},
        "instance/default.json:2:9: a comma before }: remove the trailing comma",
    ),
    (
        "invalid-env-json",
        {"app/__init__.py": "", "instance/production.json": "[1"},
        "instance/production.json",
    ),
    (
        "invalid-bundle-default-json",
        {"app/__init__.py": "", "app/default.json": '{"A": 1,}'},
        "app/default.json:1:",
    ),
]


#: The errors of building the application, which ``ampho bundles`` does not do.
BUILD_ERRORS = {
    "hook-signature",
    "invalid-instance-json",
    "invalid-env-json",
    "invalid-bundle-default-json",
}


@pytest.mark.parametrize(
    ("args", "files", "expected"),
    [
        pytest.param(args, *case[1:], id=f"{name}-{case[0]}")
        for name, args in (
            ("bundles", ["bundles"]),
            ("routes", ["routes"]),
            ("bundle-command", ["app", "hello"]),
        )
        for case in BUNDLE_ERRORS
        if not (name == "bundles" and case[0] in BUILD_ERRORS)
    ],
)
def test_bundle_and_config_errors_are_one_line(
    tmp_path: Path, files: dict[str, str], expected: str, args: list[str]
) -> None:
    root = write_tree(tmp_path / "root", files)
    line = assert_one_line_error(run_ampho(args, root))
    assert expected in line


def test_bundles_lists_without_building_the_application(tmp_path: Path) -> None:
    """No hook runs and no settings load: a hook that cannot reach its
    database, broken settings and a failing view module do not stand
    between a developer and the list."""
    root = write_tree(
        tmp_path / "root",
        {
            "app/__init__.py": (
                'REQUIRES = ["blog"]\n'
                "def on_register(app):\n"
                "    raise RuntimeError('the database is down')\n"
            ),
            "blog/__init__.py": "def on_load(app, extra):\n    pass\n",
            "blog/views.py": "import does_not_exist\n",
            "blog/schema.json": '{"type": "object"}',
            "instance/production.json": '{"A": 1,}',
        },
    )
    out = ok(run_ampho(["bundles"], root))
    assert out.splitlines() == [
        f"blog  {root / 'blog'}  requires: -  has: views, schema.json, on_load",
        f"app  {root / 'app'}  requires: blog  has: on_register",
    ]
    # Building it fails, as it must.
    assert_one_line_error(run_ampho(["routes"], root))


def test_bundles_shows_the_files_the_application_overrides(tmp_path: Path) -> None:
    """Named as in the bundle, each once, templates then static files;
    the entry bundle's folder named after itself is no override."""
    root = write_tree(
        tmp_path / "root",
        {
            "blog/__init__.py": "",
            "blog/tpl/post.html": "",
            "blog/static/blog.css": "",
            "shop/__init__.py": "",
            "shop/tpl/cart.html": "",
            "app/__init__.py": 'REQUIRES = ["blog", "shop"]',
            "app/tpl/blog/post.html": "",
            "app/tpl/blog/parts/card.html": "",
            "app/templates/blog/post.html": "",
            "app/templates/blog/list.html": "",
            "app/static/blog/blog.css": "",
            "app/static/blog/img/logo.png": "",
            "app/tpl/app/own.html": "",
            "app/static/app/own.css": "",
        },
    )
    out = ok(run_ampho(["bundles"], root))
    assert out.splitlines() == [
        f"blog  {root / 'blog'}  requires: -  has: tpl, static  overridden: tpl/list.html,"
        " tpl/parts/card.html, tpl/post.html, static/blog.css, static/img/logo.png",
        f"shop  {root / 'shop'}  requires: -  has: tpl",
        f"app  {root / 'app'}  requires: blog, shop  has: tpl, static",
    ]


def test_bundle_error_stops_run_with_one_line(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "root",
        {"app/__init__.py": 'REQUIRES = ["a"]', "a/__init__.py": 'REQUIRES = ["app"]'},
    )
    args = ["run", "--host", "127.0.0.1", "--port", str(free_port())]
    result = run_ampho(args, root, timeout=20)
    line = assert_one_line_error(result)
    assert "circular requirement" in line


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["bundles"], id="bundles"),
        pytest.param(["routes"], id="routes"),
        pytest.param(["shell"], id="shell"),
        pytest.param(["run", "--host", "127.0.0.1", "--port", "{port}"], id="run"),
    ],
)
def test_missing_entry_bundle_is_one_line(tmp_path: Path, args: list[str]) -> None:
    # A project (it has an instance directory) without the entry named.
    root = write_tree(tmp_path / "root", {"app/__init__.py": "", "instance/default.json": "{}"})
    args = [arg.format(port=free_port()) for arg in args]
    result = run_ampho(["--entry", "nosuch", *args], root, stdin="", timeout=20)
    line = assert_one_line_error(result)
    assert line == "Error: no bundle named 'nosuch': no such package on sys.path"


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["bundles"], id="bundles"),
        pytest.param(["routes"], id="routes"),
        pytest.param(["shell"], id="shell"),
        pytest.param(["run", "--host", "127.0.0.1", "--port", "{port}"], id="run"),
        pytest.param(["config", "dump"], id="config-dump"),
        pytest.param(["config", "dump", "--explain"], id="config-dump-explain"),
        pytest.param(["config", "get", "SECRET_KEY"], id="config-get"),
        pytest.param(["config", "explain", "SECRET_KEY"], id="config-explain"),
        pytest.param(["config", "check"], id="config-check"),
        pytest.param(["config", "diff", "production", "development"], id="config-diff"),
        pytest.param(["config", "schema"], id="config-schema"),
        pytest.param(["config", "docs"], id="config-docs"),
    ],
)
def test_a_directory_that_is_no_project_is_one_line_naming_it(
    tmp_path: Path, args: list[str]
) -> None:
    """Run from the wrong directory, every command says where it looked
    and how to look elsewhere; ``config dump`` prints no ``{}``."""
    elsewhere = write_tree(tmp_path / "elsewhere", {"notes.txt": ""})
    args = [arg.format(port=free_port()) for arg in args]
    line = assert_one_line_error(run_ampho(args, elsewhere, stdin="", timeout=20))
    assert line == (
        f"Error: no application in {elsewhere}: no entry bundle 'app' and no instance"
        " directory; run ampho in the project's root directory, or give --root"
    )
    # The same directory with an instance directory is a project of
    # settings alone, which the config commands read.
    (elsewhere / "instance").mkdir()
    assert ok(run_ampho(["config", "dump"], elsewhere)).startswith("{")


def test_a_project_of_settings_alone_or_an_installed_entry_is_a_project(tmp_path: Path) -> None:
    """An entry bundle that imports (here from --root) is a project
    without an instance directory, which the factory creates."""
    root = write_tree(tmp_path / "root", {"app/__init__.py": ""})
    elsewhere = write_tree(tmp_path / "elsewhere", {"notes.txt": ""})
    assert json.loads(ok(run_ampho(["config", "dump", "--root", str(root)], elsewhere))) == {}
    assert ok(run_ampho(["--root", str(root), "bundles"], elsewhere)).startswith("app  ")


def test_help_with_a_bundle_error_still_lists_the_builtin_commands(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "root", {"app/__init__.py": 'REQUIRES = ["nosuch"]'})
    result = run_ampho(["--help"], root)
    assert result.returncode == 0
    assert set(commands_in_help(result.stdout)) == BUILTIN_COMMANDS
    assert "Traceback" not in result.stderr
    assert re.fullmatch(r"Error: [^\n]*'nosuch'[^\n]*\n", result.stderr), result.stderr


@pytest.mark.parametrize(
    ("source", "error"),
    [
        pytest.param("import does_not_exist\n", "ModuleNotFoundError", id="missing-module"),
        pytest.param("from os import does_not_exist\n", "ImportError", id="missing-name"),
    ],
)
@pytest.mark.parametrize(
    ("args", "module"),
    [
        # `ampho bundles` imports a bundle's package, not its modules.
        pytest.param(["bundles"], "__init__", id="bundles-__init__"),
        *(pytest.param(["routes"], m, id=f"routes-{m}") for m in ("views", "commands", "__init__")),
    ],
)
def test_import_error_inside_a_bundle_keeps_its_traceback(
    tmp_path: Path, module: str, args: list[str], source: str, error: str
) -> None:
    root = write_tree(tmp_path / "root", {"app/__init__.py": "", f"app/{module}.py": source})
    result = run_ampho(args, root)
    assert result.returncode != 0
    assert result.stdout == ""
    assert "Traceback" in result.stderr
    assert "does_not_exist" in result.stderr
    assert str(root / "app" / f"{module}.py") in result.stderr
    assert result.stderr.splitlines()[-1].startswith(f"{error}: ")


def test_help_shows_an_import_error_in_a_bundle_with_its_traceback_and_the_help(
    tmp_path: Path,
) -> None:
    write_tree(tmp_path, {"app/__init__.py": "import does_not_exist\n"})
    result = run_ampho(["--help"], tmp_path)
    assert result.returncode == 0
    assert "Traceback" in result.stderr
    assert "No module named 'does_not_exist'" in result.stderr
    assert str(tmp_path / "app" / "__init__.py") in result.stderr
    assert "Commands:" in result.stdout
    assert "run " in result.stdout


@pytest.mark.parametrize(
    ("args", "extra_env", "expected"),
    [
        (["--env", "development"], {}, "True"),
        (["--env", "production"], {}, "False"),
        (["--env", "development", "--no-debug"], {}, "False"),
        (["--env", "production"], {"FLASK_DEBUG": "1"}, "True"),
    ],
)
def test_debug_mode_follows_the_configuration_unless_flask_debug_says(
    tmp_path: Path, args: list[str], extra_env: dict[str, str], expected: str
) -> None:
    write_tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/commands.py": """
                from ampho import cli, current_app

                @cli.command("debug")
                def debug():
                    print(current_app.debug)
            """,
            "instance/development.json": '{"DEBUG": true}',
            "instance/production.json": '{"DEBUG": false}',
        },
    )
    result = run_ampho([*args, "app", "debug"], tmp_path, **extra_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected
