"""``ampho bundles``: the application's bundles, without building it."""

from __future__ import annotations

import os

import click

from ..bundle import OVERRIDES, Bundle, override_folders, resolve
from ..config.paths import entry_from_environ
from .core import project_on_path


@click.command("bundles")
def bundles_command() -> None:
    """List the bundles in load order, and what each one has.

    A bundle whose templates or static files the application overrides
    says which, as ``overridden: tpl/post.html, static/blog.css``.

    The bundles are found as the application factory finds them, but no
    application is built: no hook runs, so a hook that cannot reach its
    database, or settings that break a schema, do not stand between you
    and the list.
    """
    project_on_path()
    bundles = resolve(entry_from_environ(os.environ))
    for bundle in bundles:
        requires = ", ".join(bundle.requires) or "-"
        has = ", ".join(_contents(bundle)) or "-"
        line = f"{bundle.name}  {bundle.path}  requires: {requires}  has: {has}"
        overridden = _overridden(bundles[-1], bundle)
        if overridden:
            line += f"  overridden: {', '.join(overridden)}"
        click.echo(line)


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


def _overridden(entry: Bundle, bundle: Bundle) -> list[str]:
    """The files of ``bundle`` that the application overrides, named as
    in the bundle (``tpl/post.html``, ``static/blog.css``), each once.

    Every file in an override folder counts, also one that the bundle
    lacks: the bundle gets it all the same, and a misspelt name shows
    here as it is. The entry bundle overrides nothing of its own.
    """
    return [
        f"{kind}/{name}"
        for kind in OVERRIDES
        for name in sorted(
            {name for folder in override_folders(entry, bundle, kind) for name in _files(folder)}
        )
    ]


def _files(top: str) -> list[str]:
    """The files under ``top``, as ``/``-separated paths relative to it;
    none if it is not a directory."""
    files = []
    for directory, _, names in os.walk(top, followlinks=True):
        relative = os.path.relpath(directory, top)
        files += [os.path.normpath(os.path.join(relative, name)) for name in names]
    return [name.replace(os.sep, "/") for name in files]
