"""Ampho: Flask applications made of small packages called bundles.

Importing ``ampho`` itself stays light: ``ampho.config`` is used by plain
scripts and must not pull in Flask through its parent package, so the
names below are imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0.dev0"

if TYPE_CHECKING:
    from flask import current_app, g, request

    from . import cli
    from .app import (
        create_app,
        echo_error,
        echo_info,
        echo_success,
        echo_warning,
        render,
        route,
        settings,
    )
    from .bundle import Bundle, BundleError
    from .errors import AmphoError

#: Where each public name lives.
_LAZY = {
    "AmphoError": "ampho.errors",
    "create_app": "ampho.app",
    "Bundle": "ampho.bundle",
    "BundleError": "ampho.bundle",
    "route": "ampho.app",
    "render": "ampho.app",
    "settings": "ampho.app",
    "echo_info": "ampho.app",
    "echo_success": "ampho.app",
    "echo_warning": "ampho.app",
    "echo_error": "ampho.app",
    "current_app": "flask",
    "request": "flask",
    "g": "flask",
}

__all__ = [
    "AmphoError",
    "Bundle",
    "BundleError",
    "__version__",
    "cli",
    "create_app",
    "current_app",
    "echo_error",
    "echo_info",
    "echo_success",
    "echo_warning",
    "g",
    "render",
    "request",
    "route",
    "settings",
]


def __getattr__(name: str) -> Any:
    if name == "cli":
        import importlib

        return importlib.import_module("ampho.cli")
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module_name), name)
