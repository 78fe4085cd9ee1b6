from flask import url_for

from ampho import route


@route("/")
def index() -> str:
    return f"Admin. Edit {url_for('blog.post', slug='hello')}"
