"""The hello-world application's bundle: the entry bundle, named ``app``."""

from ampho import current_app


def on_register() -> None:
    # Runs first, in an application context: settings other bundles read.
    current_app.config.setdefault("GREETING", "Hello, world!")


def on_load() -> None:
    current_app.logger.debug("hello-world loaded")
