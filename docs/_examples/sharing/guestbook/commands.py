"""The commands of the guestbook bundle, version 0.2."""

from ampho import cli, echo_info, settings

from . import Settings


@cli.command("hello")
def hello() -> None:
    """Say the greeting of the guestbook bundle's settings."""
    echo_info(settings(Settings).welcome)
