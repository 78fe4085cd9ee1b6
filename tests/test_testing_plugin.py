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
    project: Path, *args: str, ampho_root: str | None = None
) -> tuple[dict[str, int], str]:
    """Run pytest on ``project``, in a clean environment; its counts and output.

    ``--strict-markers`` makes an unregistered ``ampho_config`` an error.
    """
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--strict-markers"]
    if ampho_root is None:
        result = run(command, list(args), cwd=project)
    else:
        result = run(command, list(args), cwd=project, AMPHO_ROOT=ampho_root)
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
        tests, "-p", "no:flask", "-p", "ampho.testing", ampho_root=str(project)
    )
    assert counts == {"passed": 1}, output


def test_ampho_root_naming_no_directory_is_one_line(project: Path) -> None:
    write_tree(project, {"tests/test_fixtures.py": FIXTURE_TESTS})
    missing = str(project / "nowhere")
    counts, output = pytest_run(
        project, "-p", "no:flask", "-p", "ampho.testing", "-k", "app_is", ampho_root=missing
    )
    assert counts == {"error": 1, "deselected": 4}, output
    assert "\nConfigError: AMPHO_ROOT" in output, output
    assert "Traceback" not in output, output
    assert "During handling" not in output, output


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


def test_ampho_does_not_import_the_plugin(project: Path) -> None:
    # pytest is a test-time dependency: an application must run without it.
    code = (
        "import sys, ampho, ampho.cli\n"
        "print(sorted({'ampho.testing', 'pytest'} & set(sys.modules)))"
    )
    result = run([sys.executable, "-c", code], [], cwd=project)
    assert result.stdout == "[]\n", result.stdout + result.stderr
