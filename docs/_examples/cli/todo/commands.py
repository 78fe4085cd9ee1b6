import click

from ampho import cli, current_app, echo_success


@cli.command("add")
@click.argument("title")
def add(title: str) -> None:
    """Add an item to the list."""
    echo_success(f"Added {title!r} to {current_app.config['TODO_LIST']}.")
