"""The pytest plugin ``ampho.testing``, run as a real pytest on a project.

Each test writes a small project (an entry bundle ``app`` that requires a
``greet`` bundle, a command, an instance file, and the project's own
tests), runs ``python -m pytest`` on it in a subprocess, and reads the
outcome counts pytest prints: the plugin's fixtures are only real once
pytest itself has found and run them.
"""

from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path

import pytest
from processes import run, write_tree

#: The project under test: two bundles, a command, a view that keeps
#: state on the application, and an instance file that sets a title.
PROJECT = {
    "app/__init__.py": """
        REQUIRES = ["greet"]


        def on_load(app):
            app.extensions["visits"] = []
    """,
    "app/views.py": """
        from ampho import current_app, route


        @route("/")
        def index():
            current_app.extensions["visits"].append(1)
            return f"{current_app.config['TITLE']} {len(current_app.extensions['visits'])}"
    """,
    "app/commands.py": """
        from ampho import cli, current_app, echo_info


        @cli.command("hi")
        def hi():
            echo_info(f"hi from {current_app.name}, testing={current_app.testing}")
    """,
    "greet/__init__.py": "",
    "greet/views.py": """
        from ampho import route


        @route("/hello")
        def hello():
            return "hello"
    """,
    "instance/default.json": '{"TITLE": "From the file", "LOG_FILES_ENABLED": false}\n',
    "pytest.ini": "[pytest]\n",
}

#: Tests of the three fixtures and of a fresh application per test.
FIXTURE_TESTS = """
    def test_app_is_testing(app):
        assert app.testing
        assert app.config["TITLE"] == "From the file"
        assert sorted(b.name for b in app.extensions["ampho"].bundles) == ["app", "greet"]


    def test_client_reaches_both_bundles(client):
        assert client.get("/").text == "From the file 1"
        assert client.get("/hello").text == "hello"


    def test_runner_runs_a_bundle_command(runner):
        result = runner.invoke(args=["app", "hi"])
        assert result.exit_code == 0, result.output
        assert result.output == "hi from app, testing=True\\n"


    def test_state_of_one_test(app):
        app.extensions["visits"].extend([1, 2, 3])
        app.config["LEFT_BEHIND"] = True


    def test_is_invisible_in_the_next(app, client):
        assert "LEFT_BEHIND" not in app.config
        assert client.get("/").text == "From the file 1"
"""

#: Tests of the marker, on a module and on functions.
MARKER_TESTS = """
    import pytest

    pytestmark = pytest.mark.ampho_config(TITLE="From the module", EXTRA=1)


    @pytest.mark.ampho_config(TITLE="From the marker")
    def test_marker_beats_the_file(app, client):
        assert app.config["TITLE"] == "From the marker"
        assert app.config["EXTRA"] == 1
        assert app.testing
        assert str(app.extensions["ampho"].config.origin("TITLE")) == "overrides"
        assert client.get("/").text == "From the marker 1"


    @pytest.mark.ampho_config(TESTING=False)
    def test_marker_can_turn_testing_off(app):
        assert not app.testing


    def test_module_marker_alone(app):
        assert app.config["TITLE"] == "From the module"
"""


def outcomes(output: str) -> dict[str, int]:
    """The counts of pytest's last line, as ``{"passed": 5, "errors": 1}``."""
    lines = output.strip().splitlines()
    last = lines[-1] if lines else ""
    return {word: int(count) for count, word in re.findall(r"(\d+) (\w+)", last)}


def pytest_run(
    project: Path, *args: str, cwd: Path | None = None, **env: str
) -> tuple[dict[str, int], str]:
    """Run pytest on ``project``, in a clean environment with ``env``
    added; its counts and output.

    ``--strict-markers`` makes an unregistered marker an error. ``cwd``
    is where pytest starts, the project by default: ``python -m`` puts
    it on :data:`sys.path`, so a run that must show the plugin put the
    root there starts in a directory below it.
    """
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--strict-markers"]
    result = run(command, list(args), cwd=cwd or project, **env)
    return outcomes(result.stdout), result.stdout + result.stderr


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project tree with its bundles, command and instance file."""
    return write_tree(tmp_path / "project", PROJECT)


def test_fixtures_app_client_runner(project: Path) -> None:
    write_tree(project, {"tests/test_fixtures.py": FIXTURE_TESTS})
    counts, output = pytest_run(project, "-p", "no:flask", "-p", "ampho.testing")
    assert counts == {"passed": 5}, output


def test_marker_overrides_the_instance_file(project: Path) -> None:
    write_tree(project, {"tests/test_marker.py": MARKER_TESTS})
    counts, output = pytest_run(project, "-p", "no:flask", "-p", "ampho.testing")
    assert counts == {"passed": 3}, output


def test_marker_is_registered_for_strict_markers(project: Path) -> None:
    write_tree(project, {"tests/test_marker.py": MARKER_TESTS})
    _, output = pytest_run(project, "-p", "no:flask", "-p", "ampho.testing", "--markers")
    assert "@pytest.mark.ampho_config(**settings)" in output


def test_conftest_pytest_plugins_form(project: Path) -> None:
    # pytest honours pytest_plugins only in the rootdir's conftest.
    write_tree(
        project,
        {
            "conftest.py": 'pytest_plugins = ["ampho.testing"]\n',
            "tests/test_fixtures.py": FIXTURE_TESTS,
        },
    )
    counts, output = pytest_run(project, "-p", "no:flask")
    assert counts == {"passed": 5}, output


def test_ampho_root_chooses_another_root(project: Path, tmp_path: Path) -> None:
    # The tests live apart from the project, so pytest's rootdir is not it.
    tests = write_tree(
        tmp_path / "elsewhere",
        {
            "pytest.ini": "[pytest]\n",
            "test_root.py": f"""
                def test_root_is_ampho_root(app):
                    assert app.instance_path == {str(project / "instance")!r}
                    assert app.config["TITLE"] == "From the file"
            """,
        },
    )
    counts, output = pytest_run(
        tests, "-p", "no:flask", "-p", "ampho.testing", AMPHO_ROOT=str(project)
    )
    assert counts == {"passed": 1}, output


def test_ampho_root_naming_no_directory_is_one_line(project: Path) -> None:
    # Refused when pytest starts, before a test module imports a bundle.
    write_tree(project, {"tests/test_fixtures.py": FIXTURE_TESTS})
    missing = str(project / "nowhere")
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider"]
    args = ["-p", "no:flask", "-p", "ampho.testing"]
    result = run(command, args, cwd=project, AMPHO_ROOT=missing)
    assert result.returncode == pytest.ExitCode.USAGE_ERROR, result.stdout + result.stderr
    assert result.stdout == "", result.stdout
    assert result.stderr.strip().splitlines() == [
        f"ERROR: AMPHO_ROOT: {missing!r} is not a directory: set it to the application's"
        " root directory"
    ], result.stderr


def test_missing_entry_bundle_fails_setup_with_the_bundle_error(project: Path) -> None:
    write_tree(project, {"tests/test_fixtures.py": FIXTURE_TESTS})
    (project / "app" / "__init__.py").write_text('REQUIRES = ["greet", "absent"]\n')
    counts, output = pytest_run(project, "-p", "no:flask", "-p", "ampho.testing")
    assert counts == {"errors": 5}, output
    message = "BundleError: no bundle named 'absent' (required by 'app')"
    assert output.count(f"\n{message}") == 5, output
    # One line per test, not a traceback through create_app.
    assert "ampho/app.py" not in output, output
    assert "Traceback" not in output, output
    assert "During handling" not in output, output


def test_with_pytest_flask_its_fixtures_use_amphos_app(project: Path) -> None:
    pytest.importorskip("pytest_flask")
    write_tree(
        project,
        {
            "tests/test_flask.py": """
                import urllib.request

                import pytest
                from flask import request, url_for


                def test_client_is_amphos(client):
                    assert client.get("/hello").text == "hello"


                def test_config_is_the_apps(config):
                    assert config["TITLE"] == "From the file"
                    assert config["TESTING"] is True


                @pytest.mark.ampho_config(TITLE="Marked")
                def test_request_context_pushed(app):
                    assert request.path == "/"
                    assert url_for("greet.hello") == "/hello"
                    assert app.config["TITLE"] == "Marked"


                def test_live_server_serves_amphos_app(live_server):
                    with urllib.request.urlopen(live_server.url("/hello"), timeout=10) as r:
                        assert r.read() == b"hello"
            """,
        },
    )
    counts, output = pytest_run(project, "-p", "ampho.testing", "-o", "live_server_scope=function")
    assert counts == {"passed": 4}, output


#: pytest settings that enable the plugin the documented way, with ``addopts``.
PLUGIN_INI = "[pytest]\naddopts = -p ampho.testing -p no:flask\n"

#: The title each environment's instance file gives.
ENV_FILES = {
    f"instance/{env}.json": f'{{"TITLE": "From {env}.json"}}\n'
    for env in ("testing", "production", "staging", "ci", "development")
}

#: A test that prints the environment and title of its application.
SHOW_ENV_TEST = """
    def test_show(app):
        print(f"[env={app.extensions['ampho'].config.env} title={app.config['TITLE']}]")
"""


def shown_env(output: str) -> str:
    """What :data:`SHOW_ENV_TEST` printed: ``env=ci title=From ci.json``."""
    found = re.findall(r"\[(env=[^]]*)\]", output)
    assert len(found) == 1, output
    return str(found[0])


#: A bundle module, and a test module that imports it at its top.
WORDS = {
    "greet/words.py": 'GREETING = "hello"\n',
    "tests/test_words.py": """
        from greet.words import GREETING


        def test_imported_at_collection():
            assert GREETING == "hello"


        def test_the_app_has_the_same_module(client):
            assert client.get("/hello").text == GREETING
    """,
}


def test_test_modules_and_conftests_import_bundles_at_collection(project: Path) -> None:
    conftest = "from greet.words import GREETING\n"
    write_tree(project, {"pytest.ini": PLUGIN_INI, "tests/conftest.py": conftest, **WORDS})
    # Started in tests/: `python -m` puts that directory on sys.path, not
    # the project's, as the `pytest` script puts neither.
    counts, output = pytest_run(project, cwd=project / "tests")
    assert counts == {"passed": 2}, output


def test_with_pytest_plugins_test_modules_import_bundles_too(project: Path) -> None:
    # pytest's importlib mode puts no conftest's directory on sys.path:
    # only the plugin puts the project's there.
    write_tree(project, {"conftest.py": 'pytest_plugins = ["ampho.testing"]\n', **WORDS})
    counts, output = pytest_run(
        project, "-p", "no:flask", "--import-mode=importlib", cwd=project / "tests"
    )
    assert counts == {"passed": 2}, output


def test_the_default_environment_is_testing(project: Path) -> None:
    write_tree(project, {"pytest.ini": PLUGIN_INI, **ENV_FILES, "tests/test_env.py": SHOW_ENV_TEST})
    counts, output = pytest_run(project, "-s")
    assert counts == {"passed": 1}, output
    assert shown_env(output) == "env=testing title=From testing.json"


@pytest.mark.parametrize(
    ("option", "variable", "marker", "expected"),
    [
        ("staging", None, None, "staging"),
        ("staging", "ci", None, "ci"),
        ("staging", "ci", "development", "development"),
        ("", "", None, "testing"),
    ],
    ids=["option-over-default", "variable-over-option", "marker-over-variable", "empty-is-unset"],
)
def test_the_environment_marker_variable_and_option_in_order(
    project: Path, option: str, variable: str | None, marker: str | None, expected: str
) -> None:
    test = textwrap.dedent(SHOW_ENV_TEST)
    if marker is not None:
        test = f"import pytest\n\npytestmark = pytest.mark.ampho_env({marker!r})\n{test}"
    write_tree(
        project,
        {
            "pytest.ini": f"{PLUGIN_INI}ampho_env = {option}\n",
            **ENV_FILES,
            "tests/test_env.py": test,
        },
    )
    env = {} if variable is None else {"AMPHO_ENV": variable}
    counts, output = pytest_run(project, "-s", **env)
    assert counts == {"passed": 1}, output
    assert shown_env(output) == f"env={expected} title=From {expected}.json"


@pytest.mark.parametrize(
    ("settings_file", "text"),
    [
        ("pyproject.toml", '[tool.pytest.ini_options]\nampho_env = "staging"\n'),
        ("pytest.ini", "[pytest]\nampho_env = staging\n"),
        ("setup.cfg", "[tool:pytest]\nampho_env = staging\n"),
        ("tox.ini", "[pytest]\nampho_env = staging\n"),
    ],
)
def test_the_option_in_each_settings_file(project: Path, settings_file: str, text: str) -> None:
    (project / "pytest.ini").unlink()
    write_tree(project, {settings_file: text, **ENV_FILES, "tests/test_env.py": SHOW_ENV_TEST})
    counts, output = pytest_run(project, "-s", "-p", "no:flask", "-p", "ampho.testing")
    assert counts == {"passed": 1}, output
    assert shown_env(output) == "env=staging title=From staging.json"


def test_the_closest_environment_marker_wins(project: Path) -> None:
    write_tree(
        project,
        {
            "pytest.ini": PLUGIN_INI,
            **ENV_FILES,
            "tests/test_env.py": """
                import pytest

                pytestmark = pytest.mark.ampho_env("staging")


                def test_module(app):
                    assert app.config["TITLE"] == "From staging.json"


                @pytest.mark.ampho_env("ci")
                class TestClass:
                    def test_class(self, app):
                        assert app.config["TITLE"] == "From ci.json"

                    @pytest.mark.ampho_env("development")
                    def test_function(self, app):
                        assert app.config["TITLE"] == "From development.json"

            """,
        },
    )
    counts, output = pytest_run(project, AMPHO_ENV="production")
    assert counts == {"passed": 3}, output


#: What a wrong marker fails a test's setup with.
KEYWORDS = "ampho_config takes settings as keywords, such as @pytest.mark.ampho_config(DEBUG=True)"
ONE_ENV = 'ampho_env takes the name of one environment, such as @pytest.mark.ampho_env("staging")'


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        ("ampho_env()", ONE_ENV),
        ("ampho_env('a', 'b')", ONE_ENV),
        ("ampho_env(name='a')", ONE_ENV),
        ("ampho_config({'TITLE': 'x'})", KEYWORDS),
    ],
)
def test_a_marker_with_wrong_arguments_fails_setup_with_one_line(
    project: Path, marker: str, message: str
) -> None:
    test = f"import pytest\n\n\n@pytest.mark.{marker}\ndef test_it(app):\n    pass\n"
    write_tree(project, {"pytest.ini": PLUGIN_INI, "tests/test_marker.py": test})
    counts, output = pytest_run(project)
    assert counts == {"error": 1}, output
    assert f"\n{message}\n" in output, output
    assert "Traceback" not in output, output
    assert "testing.py" not in output, output


def test_no_file_for_the_environment_is_no_warning(project: Path) -> None:
    # The project has instance/default.json alone. Warnings are errors,
    # and log records of WARNING and above are printed as they happen.
    write_tree(project, {"pytest.ini": PLUGIN_INI, "tests/test_env.py": SHOW_ENV_TEST})
    counts, output = pytest_run(
        project, "-s", "-W", "error", "-o", "log_cli=true", "--log-cli-level=WARNING"
    )
    assert counts == {"passed": 1}, output
    assert shown_env(output) == "env=testing title=From the file"
    assert "warning" not in output.lower(), output


def test_ampho_does_not_import_the_plugin(project: Path) -> None:
    # pytest is a test-time dependency: an application must run without it.
    code = (
        "import sys, ampho, ampho.cli\n"
        "print(sorted({'ampho.testing', 'pytest'} & set(sys.modules)))"
    )
    result = run([sys.executable, "-c", code], [], cwd=project)
    assert result.stdout == "[]\n", result.stdout + result.stderr
