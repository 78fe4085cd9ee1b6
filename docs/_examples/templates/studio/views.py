from ampho import render, route


@route("/")
def index() -> str:
    return render("index.html")
