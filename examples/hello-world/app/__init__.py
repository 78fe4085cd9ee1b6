"""The hello-world application's bundle: the entry bundle, named ``app``.

A bundle's package is imported by ``ampho config`` too, to find the
bundles it requires; Flask is imported only for the type checker, so
that command stays as fast as a script.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def on_register(app: Flask) -> None:
    # Runs first, in an application context: settings other bundles read.
    app.config.setdefault("GREETING", "Hello, world!")


def on_load(app: Flask) -> None:
    app.logger.debug("hello-world loaded")
