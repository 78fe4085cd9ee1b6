"""``ampho notebook list`` and ``ampho notebook add TEXT``."""

from __future__ import annotations

import click

from ampho import cli, echo_info

from .store import add_note, notes_path, read_notes


@cli.command("list")
def list_notes() -> None:
    """List the notes, newest first."""
    notes = read_notes(notes_path())
    if not notes:
        echo_info("No notes yet.")
    for note in reversed(notes):
        echo_info(f"{note['id']}: {note['text']}")


@cli.command("add")
@click.argument("text")
def add(text: str) -> None:
    """Add a note."""
    note = add_note(notes_path(), text)
    echo_info(f"Added note {note['id']}: {note['text']}")
