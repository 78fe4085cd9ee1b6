"""The application, built at import, for WSGI servers.

``gunicorn ampho.main:application`` and ``uwsgi --module ampho.main``
serve the application of the current directory (or ``AMPHO_ROOT``):
the directory goes on :data:`sys.path`, so its entry bundle imports,
and the root is found as :func:`ampho.config.load` finds it.
``APPLICATION`` and ``app`` name the same object. An ``AMPHO_ENV``
that names an environment with no file is a warning in the log.

Whatever keeps the application from being built (a broken settings
file, an unreadable ``instance/secret_key``, an ``AMPHO_ROOT`` that
names no directory) raises :class:`~ampho.config.ConfigError` or
:class:`~ampho.BundleError` at import: the server's boot log ends with
its one line, which names the path and what to do.
"""

from __future__ import annotations

import logging
import os

from .app import create_app
from .bundle import add_to_path
from .config.paths import missing_environment, search_dir

add_to_path(search_dir(os.environ))

application = create_app()
APPLICATION = app = application


def _warn_of_a_missing_environment() -> None:
    """Log, once at the start, that ``AMPHO_ENV`` names an environment
    that has no file: ``AMPHO_ENV=prod`` would otherwise serve on
    ``default.json`` alone without a word, as ``ampho`` commands warn."""
    problem = missing_environment(application.extensions["ampho"].config.location)
    if problem is not None:
        logging.getLogger("ampho").warning(problem)


_warn_of_a_missing_environment()
