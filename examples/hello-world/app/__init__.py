"""The hello-world application's bundle: the entry bundle, named ``app``."""

from flask import Flask


def on_register(app: Flask) -> None:
    # Runs first, in an application context: settings other bundles read.
    app.config.setdefault("GREETING", "Hello, world!")


def on_load(app: Flask) -> None:
    app.logger.debug("hello-world loaded")
