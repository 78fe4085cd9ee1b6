"""The guestbook bundle, version 0.2: GREETING is WELCOME now.

An application installs the distribution guestbook and adds
``"guestbook"`` to ``REQUIRES`` of its entry bundle. The pages extend
``layout.html``, which the application provides.
"""

from dataclasses import dataclass, field

from flask import Flask

#: Where the bundle's pages are: /guestbook/ and below.
URL_PREFIX = "/guestbook"
#: The help of ``ampho guestbook``, the group of the bundle's commands.
CLI_HELP = "Commands of the guestbook bundle."


@dataclass(frozen=True)
class Settings:
    """The bundle's settings: ``GUESTBOOK`` in an application's files."""

    WELCOME: str = field(
        default="Hello from the guestbook bundle.",
        metadata={"description": "What ampho guestbook hello says."},
    )
    GREETING: str | None = field(
        default=None,
        metadata={"description": "Deprecated since 0.2, gone in 1.0: use WELCOME."},
    )

    @property
    def welcome(self) -> str:
        """WELCOME, or GREETING while an application still sets it."""
        return self.GREETING if self.GREETING is not None else self.WELCOME


#: The settings this bundle declares, checked at every start of an
#: application that requires it; read them with ``ampho.settings(Settings)``.
SETTINGS = {"GUESTBOOK": Settings}


def on_load(app: Flask) -> None:
    """Say where a deprecated setting is set, at every start."""
    config = app.extensions["ampho"].config
    if config.lookup("GUESTBOOK.GREETING") is not None:
        app.logger.warning(
            "%s: GUESTBOOK.GREETING is deprecated, and gone in guestbook 1.0:"
            " rename it GUESTBOOK.WELCOME",
            config.origin("GUESTBOOK.GREETING"),
        )
