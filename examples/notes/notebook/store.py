"""Notes in a JSON file, written atomically."""

from __future__ import annotations

import json
import os
import tempfile
from datetime import datetime, timezone
from typing import TypedDict

from ampho import current_app


class Note(TypedDict):
    """One note."""

    id: int
    text: str
    created: str


def notes_path() -> str:
    """The notes file of the current application: ``NOTEBOOK.STORAGE``
    in its instance directory."""
    name = current_app.config["NOTEBOOK"]["STORAGE"]
    if not name or os.path.basename(name) != name:
        raise ValueError(f"NOTEBOOK.STORAGE must be a file name, not {name!r}")
    return os.path.join(current_app.instance_path, name)


def read_notes(path: str) -> list[Note]:
    """All notes, oldest first; none if the file does not exist yet."""
    try:
        with open(path, encoding="utf-8") as f:
            notes: list[Note] = json.load(f)
    except FileNotFoundError:
        return []
    return notes


def write_notes(path: str, notes: list[Note]) -> None:
    """Replace the notes file at once: write a temporary file beside it,
    then rename it into place, so a reader never sees half a file."""
    directory = os.path.dirname(path) or "."
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=".notes-", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as f:
            json.dump(notes, f, ensure_ascii=False, indent=2)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def add_note(path: str, text: str) -> Note:
    """Append a note and return it."""
    notes = read_notes(path)
    note: Note = {
        "id": max((n["id"] for n in notes), default=0) + 1,
        "text": text,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    write_notes(path, [*notes, note])
    return note


def latest(path: str, count: int) -> list[Note]:
    """The ``count`` newest notes, newest first."""
    return read_notes(path)[::-1][:count]
