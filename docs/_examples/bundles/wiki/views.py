from ampho import current_app, route


@route("/")
def home() -> str:
    return f"Welcome to {current_app.config['WIKI_TITLE']}"
