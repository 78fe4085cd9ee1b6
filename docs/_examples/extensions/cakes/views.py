from sqlalchemy import select

from ampho import route

from .models import Cake, db


@route("/")
def index() -> str:
    cakes = db.session.scalars(select(Cake).order_by(Cake.name))
    return ", ".join(cake.name for cake in cakes)
