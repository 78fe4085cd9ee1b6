"""The blog: posts kept in a database with Flask-SQLAlchemy, listed at
/blog/, added with ``ampho blog add``."""

from dataclasses import dataclass, field

from flask import Flask

from .models import db

#: Where the bundle's pages are: /blog/ and below.
URL_PREFIX = "/blog"
#: The help of ``ampho blog``, the group of the bundle's commands.
CLI_HELP = "Commands of the blog bundle."


@dataclass(frozen=True)
class Blog:
    """The blog's settings: ``BLOG`` in the instance files."""

    POSTS_PER_PAGE: int = field(
        default=10, metadata={"description": "How many posts the blog's page lists."}
    )


#: The settings this bundle declares, checked at every start.
SETTINGS = {"BLOG": Blog}


def on_load(app: Flask) -> None:
    """Start Flask-SQLAlchemy on each application Ampho builds."""
    db.init_app(app)
