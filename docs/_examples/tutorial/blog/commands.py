"""The blog's commands: ``ampho blog init-db`` and ``ampho blog add``."""

import click

from ampho import cli, echo_info

from .models import Post, db


@cli.command("init-db")
def init_db() -> None:
    """Create the blog's tables, if they are not there yet."""
    db.create_all()
    echo_info("Created the blog's tables.")


@cli.command("add")
@click.argument("title")
def add(title: str) -> None:
    """Add a post called TITLE."""
    db.session.add(Post(title=title))
    db.session.commit()
    echo_info(f"Added the post {title!r}.")
