from ampho import g, render, route


@route("/gallery/")
def index() -> str:
    return render("index.html")


@route("/gallery/<name>")
def photo(name: str) -> str:
    g.viewer = "guest"
    return render("photo.html", name=name)
