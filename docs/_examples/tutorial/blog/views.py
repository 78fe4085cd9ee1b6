"""The blog's page."""

from sqlalchemy import select

from ampho import render, route

from .models import Post, db


@route("/")
def index() -> str:
    """The posts, newest first."""
    posts = db.session.scalars(select(Post).order_by(Post.id.desc()))
    return render("index.html", posts=posts)
