from ampho import route


@route("/")
def index() -> str:
    return "Staff pages"
