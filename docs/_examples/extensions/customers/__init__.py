"""Customer accounts: Flask-Login."""

from flask import Flask
from flask_login import LoginManager, UserMixin

login_manager = LoginManager()
login_manager.login_view = "customers.login"


class Customer(UserMixin):
    def __init__(self, id: str, name: str) -> None:
        self.id = id
        self.name = name


#: A real application keeps its customers in a database.
CUSTOMERS = {"1": Customer("1", "Ada")}


@login_manager.user_loader
def load_customer(customer_id: str) -> Customer | None:
    return CUSTOMERS.get(customer_id)


def on_load(app: Flask) -> None:
    login_manager.init_app(app)
