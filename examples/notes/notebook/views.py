"""The list of notes, and the form that adds one."""

from __future__ import annotations

from flask import flash, redirect, session, url_for
from werkzeug.wrappers import Response

from ampho import current_app, render, request, route

from .store import add_note, notes_path, read_notes

#: The longest note the form accepts.
MAX_LENGTH = 500


@route("/notes")
def index() -> str:
    """One page of notes, newest first: ``?page=2``."""
    per_page: int = current_app.config["NOTEBOOK"]["PER_PAGE"]
    notes = read_notes(notes_path())[::-1]
    pages = max(1, -(-len(notes) // per_page))
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    start = (page - 1) * per_page
    return render(
        "list.html",
        notes=notes[start : start + per_page],
        page=page,
        pages=pages,
        total=len(notes),
        max_length=MAX_LENGTH,
    )


@route("/notes", methods=["POST"])
def add() -> Response:
    """Add the posted note, then go back to the list (303, so a reload
    does not post twice)."""
    text = request.form.get("text", "").strip()
    if not text:
        flash("Write something first.", "error")
    elif len(text) > MAX_LENGTH:
        flash(f"A note has at most {MAX_LENGTH} characters.", "error")
    else:
        note = add_note(notes_path(), text)
        session["last_added"] = note["text"]
        flash(f"Note {note['id']} added.", "message")
    return redirect(url_for("notebook.index"), 303)
