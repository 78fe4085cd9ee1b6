"""Orders, taken with a form that Flask-WTF's CSRF check protects."""

from flask import Flask
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()


def on_load(app: Flask) -> None:
    csrf.init_app(app)
