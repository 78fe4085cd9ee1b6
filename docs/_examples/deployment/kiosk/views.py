from ampho import current_app, route


@route("/")
def home() -> str:
    return f"Kiosk, running in {current_app.extensions['ampho'].config.env}"
