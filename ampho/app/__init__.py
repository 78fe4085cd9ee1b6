"""The Flask wiring: the factory and what it registers for each bundle.

This layer consumes the ones beneath it (bundle discovery, the
configuration engine, logging) and is the first to import Flask. The
``ampho`` command sits on top of it.
"""

from __future__ import annotations

from .commands import command, echo_error, echo_info, echo_success, echo_warning
from .factory import State, create_app, entry_name, settings
from .routing import route
from .templating import render

__all__ = [
    "State",
    "command",
    "create_app",
    "echo_error",
    "echo_info",
    "echo_success",
    "echo_warning",
    "entry_name",
    "render",
    "route",
    "settings",
]
