"""The blog: posts kept in a database with Flask-SQLAlchemy, listed at
/blog/, added with ``ampho blog add``."""

from flask import Flask

from .models import db

#: Where the bundle's pages are: /blog/ and below.
URL_PREFIX = "/blog"
#: The help of ``ampho blog``, the group of the bundle's commands.
CLI_HELP = "Commands of the blog bundle."


def on_load(app: Flask) -> None:
    """Start Flask-SQLAlchemy on each application Ampho builds."""
    db.init_app(app)
