"""The application, built at import, for WSGI servers.

``gunicorn ampho.main:application`` and ``uwsgi --module ampho.main``
serve the application of the current directory (or ``AMPHO_ROOT``):
the directory goes on :data:`sys.path`, so its entry bundle imports.
``APPLICATION`` and ``app`` name the same object.
"""

from __future__ import annotations

import os

from .app import add_to_path, create_app

add_to_path(os.path.abspath(os.environ.get("AMPHO_ROOT") or os.getcwd()))

application = create_app()
APPLICATION = app = application
