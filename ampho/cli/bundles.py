"""``ampho bundles``: the application's bundles, without building it."""

from __future__ import annotations

import os

import click

from ..bundle import Bundle, resolve
from ..config.paths import entry_from_environ
from .core import project_on_path


@click.command("bundles")
def bundles_command() -> None:
    """List the bundles in load order, and what each one has.

    The bundles are found as the application factory finds them, but no
    application is built: no hook runs, so a hook that cannot reach its
    database, or settings that break a schema, do not stand between you
    and the list.
    """
    project_on_path()
    for bundle in resolve(entry_from_environ(os.environ)):
        requires = ", ".join(bundle.requires) or "-"
        has = ", ".join(_contents(bundle)) or "-"
        click.echo(f"{bundle.name}  {bundle.path}  requires: {requires}  has: {has}")


def _contents(bundle: Bundle) -> list[str]:
    """What Ampho found in a bundle: its modules, folders and files, its
    settings declared in Python, and its hooks (listed, never called)."""
    found = {
        "views": bundle.has_module("views"),
        "commands": bundle.has_module("commands"),
        "tpl": bundle.template_folder is not None,
        "static": bundle.static_folder is not None,
        "default.json": bundle.defaults_file is not None,
        "schema.json": bundle.schema_file is not None,
        "SETTINGS": hasattr(bundle.module, "SETTINGS"),
        "on_register": callable(getattr(bundle.module, "on_register", None)),
        "on_load": callable(getattr(bundle.module, "on_load", None)),
    }
    return [label for label, present in found.items() if present]
