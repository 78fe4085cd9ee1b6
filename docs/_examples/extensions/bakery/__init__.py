"""The bakery's site: the entry bundle."""

from flask import Flask
from flask_caching import Cache
from flask_debugtoolbar import DebugToolbarExtension

REQUIRES = ["cakes", "customers", "orders", "orders_api", "locales", "backoffice"]

cache = Cache()
toolbar = DebugToolbarExtension()


def on_load(app: Flask) -> None:
    cache.init_app(app)
    toolbar.init_app(app)
