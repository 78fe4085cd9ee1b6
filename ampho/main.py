"""The application, built at import, for WSGI servers.

``gunicorn ampho.main:application`` and ``uwsgi --module ampho.main``
serve the application of the current directory (or ``AMPHO_ROOT``):
the directory goes on :data:`sys.path`, so its entry bundle imports,
and the root is found as :func:`ampho.config.load` finds it.
``APPLICATION`` and ``app`` name the same object.

Whatever keeps the application from being built (a broken settings
file, an unreadable ``instance/secret_key``, an ``AMPHO_ROOT`` that
names no directory) raises :class:`~ampho.config.ConfigError` or
:class:`~ampho.BundleError` at import: the server's boot log ends with
its one line, which names the path and what to do.
"""

from __future__ import annotations

import os

from .app import create_app
from .bundle import add_to_path
from .config.paths import search_dir

add_to_path(search_dir(os.environ))

application = create_app()
APPLICATION = app = application
