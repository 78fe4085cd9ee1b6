"""The blog's page."""

from sqlalchemy import select

from ampho import render, route, settings

from . import Blog
from .models import Post, db


@route("/")
def index() -> str:
    """The newest posts, as many as ``BLOG.POSTS_PER_PAGE`` says."""
    limit = settings(Blog).POSTS_PER_PAGE
    posts = db.session.scalars(select(Post).order_by(Post.id.desc()).limit(limit))
    return render("index.html", posts=posts)
