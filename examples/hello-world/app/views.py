from ampho import current_app, render, route


@route("/")
def home() -> str:
    return render("index.html", greeting=current_app.config["GREETING"])


@route("/hello/<name>")
def hello(name: str) -> str:
    return render("index.html", greeting=f"Hello, {name}!")
