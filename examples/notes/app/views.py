"""The home page: a welcome and the latest notes."""

from notebook.store import latest, notes_path

from ampho import current_app, render, route


@route("/")
def home() -> str:
    """Show the title and the latest notes, through the notebook's partial."""
    return render(
        "index.html",
        title=current_app.config["SITE_TITLE"],
        notes=latest(notes_path(), 3),
    )
