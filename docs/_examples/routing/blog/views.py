from flask import url_for

from ampho import request, route


@route("/")
def index() -> str:
    return f"Latest posts. Read {url_for('.post', slug='hello')}"


@route("/post/<slug>")
def post(slug: str) -> str:
    return f"The post {slug}"


@route("/post/<slug>/comments", methods=["POST"], endpoint="comment")
def add_comment(slug: str) -> tuple[str, int]:
    return f"Comment on {slug}: {request.form['text']}", 201
