from ampho import route


@route("/page/<title>")
def page(title: str) -> str:
    return f"The page {title}"
