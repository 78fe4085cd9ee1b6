"""A pytest plugin with the fixtures every Ampho project writes.

Enable it with ``pytest -p ampho.testing`` or, in a ``conftest.py``,
``pytest_plugins = ["ampho.testing"]``. It gives:

* ``app``: a new application for each test, built by
  :func:`ampho.create_app` with ``TESTING`` true, its entry bundle
  imported from pytest's ``rootdir`` (or ``AMPHO_ROOT`` when it is set)
  and its root found as every part of Ampho finds it;
* ``client``: ``app.test_client()``;
* ``runner``: ``app.test_cli_runner()``;
* the marker ``@pytest.mark.ampho_config(KEY=value, ...)``: settings for
  one test, above every layer.

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
from .config.paths import search_dir
from .errors import AmphoError

#: The marker that gives a test settings of its own.
MARKER = "ampho_config"


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker, so ``--strict-markers`` accepts it."""
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**settings): settings above every layer for the Ampho app of this test",
    )


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
            raise pytest.UsageError(
                f"{node.nodeid}: {MARKER} takes settings as keywords, such as "
                f"@pytest.mark.{MARKER}(DEBUG=True)"
            )
        settings.update(mark.kwargs)
    return settings


@pytest.fixture
def app(request: pytest.FixtureRequest) -> Flask:
    """A new application for this test, from the project's root directory.

    A bundle or settings error fails the test's setup with its one-line
    message, such as ``BundleError: no bundle named 'app': ...``, rather
    than a traceback through the factory.
    """
    settings = {"TESTING": True, **marker_settings(request.node)}
    try:
        add_to_path(project_root(request.config))
        return create_app(config=settings)
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
