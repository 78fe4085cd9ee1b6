from ampho import current_app, route


@route("/")
def home() -> str:
    db = current_app.config["DB"]
    return f"Shop, database {db['NAME']} on {db['HOST']}"
