from flask_login import current_user, login_required

from ampho import route


@route("/account")
@login_required
def account() -> str:
    return f"Hello, {current_user.name}"


@route("/login")
def login() -> str:
    return "Please log in."
