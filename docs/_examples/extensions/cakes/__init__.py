"""The cakes: Flask-SQLAlchemy models, migrated by Flask-Migrate."""

from flask import Flask

from .models import db, migrate

URL_PREFIX = "/cakes"


def on_load(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db)
