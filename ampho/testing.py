"""A pytest plugin with the fixtures every Ampho project writes.

Enable it for the whole project in its pytest settings:

.. code-block:: toml

    [tool.pytest.ini_options]
    addopts = "-p ampho.testing"

or with ``pytest -p ampho.testing``, or with
``pytest_plugins = ["ampho.testing"]`` in the ``conftest.py`` at the
project's root. It gives:

* the project's root directory (``AMPHO_ROOT`` when it is set, else
  pytest's ``rootdir``) on :data:`sys.path` from the start, before any
  test module is imported, so a test module can import a bundle at its
  top (``from blog.models import Post``);
* ``app``: a new application for each test, built by
  :func:`ampho.create_app` with ``TESTING`` true, in the ``testing``
  environment (``instance/testing.json``, which may be missing) unless
  the ``ampho_env`` marker, ``AMPHO_ENV`` or the ``ampho_env`` option
  of the pytest settings names another, in that order, and its root
  found from the entry bundle as every part of Ampho finds it;
* ``client``: ``app.test_client()``;
* ``runner``: ``app.test_cli_runner()``;
* the marker ``@pytest.mark.ampho_config(KEY=value, ...)``: settings for
  one test, above every layer;
* the marker ``@pytest.mark.ampho_env("staging")``: the environment of
  one test's application.

pytest-flask's fixtures (``client``, ``config``, ``live_server``...) use
this ``app`` when that plugin is installed too.

This module imports pytest, a test-time dependency: :mod:`ampho` itself
never imports it.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from .app import create_app
from .bundle import add_to_path
from .config import ConfigError
from .config.paths import search_dir
from .errors import AmphoError

#: The marker that gives a test settings of its own.
MARKER = "ampho_config"

#: The marker, and the option of the pytest settings, that choose the
#: environment of a test's application.
ENV_MARKER = ENV_OPTION = "ampho_env"

#: The environment of a test's application when nothing names one: its
#: ``instance/testing.json`` holds what tests need (a throw-away database,
#: no log files), and production's settings are never read by a test.
DEFAULT_ENV = "testing"


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the ``ampho_env`` option of the pytest settings
    (``pyproject.toml``, ``pytest.ini``, ``setup.cfg``, ``tox.ini``)."""
    parser.addini(
        ENV_OPTION,
        "the environment of the Ampho app of each test, unless AMPHO_ENV or "
        f"the {ENV_MARKER} marker names another (default: {DEFAULT_ENV})",
        default=DEFAULT_ENV,
    )


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    """Put the project's root directory on :data:`sys.path` before the
    first ``conftest.py`` is imported, when the plugin is enabled with
    ``-p ampho.testing``: a ``conftest.py`` may import a bundle too.

    A plugin named in a ``conftest.py`` is loaded too late for this hook,
    and :func:`pytest_configure` does it, still before collection.
    """
    put_root_on_path(early_config)


def pytest_configure(config: pytest.Config) -> None:
    """Register the markers, so ``--strict-markers`` accepts them, and put
    the project's root directory on :data:`sys.path` before test modules
    are collected (imported)."""
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**settings): settings above every layer for the Ampho app of this test",
    )
    config.addinivalue_line(
        "markers",
        f"{ENV_MARKER}(name): the environment of the Ampho app of this test, above "
        f"AMPHO_ENV and the {ENV_OPTION} option (default: {DEFAULT_ENV})",
    )
    put_root_on_path(config)


def put_root_on_path(config: pytest.Config) -> None:
    """Put :func:`project_root` first on :data:`sys.path`, once, so the
    bundles in it import: test modules import them at collection, long
    before any fixture runs.

    :raises pytest.UsageError: when ``AMPHO_ROOT`` names no directory,
        which pytest prints as one ``ERROR:`` line before running
        anything.
    """
    try:
        root = project_root(config)
    except ConfigError as exc:
        raise pytest.UsageError(str(exc)) from None
    add_to_path(root)


def project_root(config: pytest.Config) -> str:
    """Where the entry bundle is imported from: ``AMPHO_ROOT`` if set, else
    pytest's rootdir, as the ``ampho`` command uses the current directory
    (:func:`~ampho.config.paths.search_dir`). The root directory is then
    found from the entry bundle by the one rule of
    :func:`~ampho.config.paths.locate`.

    :raises ConfigError: when ``AMPHO_ROOT`` names no directory.
    """
    return search_dir(os.environ, default=str(config.rootpath))


def marker_settings(node: pytest.Item) -> dict[str, Any]:
    """The settings of every ``ampho_config`` marker on a test.

    The closest marker wins: one on the function over one on its class or
    module, so a module can set a default that a test changes.
    """
    settings: dict[str, Any] = {}
    for mark in reversed(list(node.iter_markers(MARKER))):
        if mark.args:
            pytest.fail(
                f"{MARKER} takes settings as keywords, such as @pytest.mark.{MARKER}(DEBUG=True)",
                pytrace=False,
            )
        settings.update(mark.kwargs)
    return settings


def session_env(config: pytest.Config) -> tuple[str, str]:
    """The environment of every test no marker moves, and what chose it:
    ``AMPHO_ENV``, the ``ampho_env`` option, or the default."""
    if os.environ.get("AMPHO_ENV"):
        return os.environ["AMPHO_ENV"], "AMPHO_ENV"
    option = config.getini(ENV_OPTION)
    if option and option != DEFAULT_ENV:
        return option, f"the {ENV_OPTION} option"
    return DEFAULT_ENV, "the default"


def pytest_report_header(config: pytest.Config) -> str:
    """One line atop the session: where the applications come from, and
    their environment. An ``AMPHO_ENV`` left exported in the shell wins
    over the ``testing`` default, and sends the tests to that
    environment's database: this line shows it before any test runs."""
    env, chosen_by = session_env(config)
    return f"ampho: root {project_root(config)}, environment {env!r} ({chosen_by})"


def app_env(node: pytest.Item) -> str:
    """The environment of a test's application, the most specific first:
    the closest ``ampho_env`` marker (function, then class, then module),
    ``AMPHO_ENV``, the ``ampho_env`` option of the pytest settings, then
    ``testing``.

    ``FLASK_ENV``, which the ``ampho`` command reads after ``AMPHO_ENV``,
    is not read: Flask no longer uses it, and a shell that still exports
    it for ``flask run`` should not move the tests to another database.
    """
    mark = node.get_closest_marker(ENV_MARKER)
    if mark is None:
        return session_env(node.config)[0]
    if len(mark.args) != 1 or mark.kwargs or not isinstance(mark.args[0], str):
        pytest.fail(
            f"{ENV_MARKER} takes the name of one environment, such as "
            f'@pytest.mark.{ENV_MARKER}("staging")',
            pytrace=False,
        )
    name: str = mark.args[0]
    return name


@pytest.fixture
def app(request: pytest.FixtureRequest) -> Flask:
    """A new application for this test, from the project's root directory,
    in the environment :func:`app_env` chooses.

    A bundle or settings error fails the test's setup with its one-line
    message, such as ``BundleError: no bundle named 'app': ...``, rather
    than a traceback through the factory.
    """
    env = app_env(request.node)
    settings = {"TESTING": True, **marker_settings(request.node)}
    try:
        return create_app(env=env, config=settings)
    except AmphoError as exc:
        message = f"{type(exc).__name__}: {exc}"
    # Outside the except block, so pytest shows no chained exception.
    pytest.fail(message, pytrace=False)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """The test client of this test's application."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """The CLI runner of this test's application.

    A bundle's commands are in its group: ``runner.invoke(args=["app", "hi"])``.
    """
    return app.test_cli_runner()
