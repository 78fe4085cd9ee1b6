"""The back office: Flask-Admin over the cakes."""

from cakes.models import Cake, db
from flask import Flask
from flask_admin import Admin
from flask_admin.contrib.sqla import ModelView

# Flask-Admin needs Flask-Babel started when Flask-Babel is installed.
REQUIRES = ["cakes", "locales"]

admin = Admin(name="Bakery")
admin.add_view(ModelView(Cake, db))


def on_load(app: Flask) -> None:
    admin.init_app(app)
