"""Orders as JSON, for the shops that sell our cakes."""

from flask import Flask
from flask_cors import CORS
from orders import csrf

REQUIRES = ["orders"]
URL_PREFIX = "/api"

cors = CORS()


def on_load(app: Flask) -> None:
    # The bundle's own blueprint is registered before on_load runs.
    csrf.exempt(app.blueprints["orders_api"])
    cors.init_app(app, resources={"/api/*": {"origins": "https://shop.example"}})
