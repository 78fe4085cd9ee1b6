"""Numbers and dates in the visitor's language: Flask-Babel."""

from flask import Flask, request
from flask_babel import Babel

babel = Babel()


def select_locale() -> str | None:
    return request.accept_languages.best_match(["en", "de", "fr"])


def on_load(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
