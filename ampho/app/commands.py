"""The commands bundles declare, and the lines they print.

A bundle's ``commands`` module declares commands with :func:`command`;
the factory gathers them into a group named after the bundle and adds it
to ``app.cli``, as it registers the bundle's blueprint. So this registry
belongs to the application, not to the ``ampho`` command: ``flask
--app`` and :meth:`Flask.test_cli_runner` see the same commands.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any
from weakref import WeakKeyDictionary

import click
from flask.cli import AppGroup, with_appcontext

from ..bundle import Bundle, declarations

#: Commands declared in each module, keyed by the module object as
#: routes are, so every application gets them all.
_commands: WeakKeyDictionary[ModuleType, list[click.Command]] = WeakKeyDictionary()


def command(name: str | None = None, **attrs: Any) -> Callable[[Callable[..., Any]], click.Command]:
    """Declare a command of the bundle whose package holds the function.

    It works like :func:`click.command` and runs inside an application
    context. The command lands in the bundle's group, named ``CLI_GROUP``
    or after the bundle: ``@command("hello")`` in the ``app`` bundle is
    ``ampho app hello``.
    """

    def decorator(f: Callable[..., Any]) -> click.Command:
        cmd: click.Command = click.command(name, **attrs)(with_appcontext(f))  # type: ignore[no-untyped-call]
        module = sys.modules[f.__module__]
        _commands.setdefault(module, []).append(cmd)
        return cmd

    return decorator


def commands_by_module(bundle: Bundle) -> dict[str, Sequence[click.Command]]:
    """The commands declared in the modules of a bundle's package, by module."""
    return declarations(bundle, _commands)


def bundle_group(bundle: Bundle) -> click.Group | None:
    """A new command group with the commands a bundle declared, if any."""
    commands = [cmd for declared in commands_by_module(bundle).values() for cmd in declared]
    if not commands:
        return None
    # CLI_GROUP and CLI_HELP may sit in the commands module, as in the
    # original manual, or in the bundle's package.
    module = sys.modules.get(f"{bundle.name}.commands")
    name = getattr(module, "CLI_GROUP", None) or bundle.cli_group
    help_text = getattr(module, "CLI_HELP", None) or bundle.cli_help
    group = AppGroup(name, help=help_text)
    for cmd in commands:
        group.add_command(cmd)
    return group


def echo_info(message: str) -> None:
    """Print an informative line."""
    click.secho(message, fg="cyan")


def echo_success(message: str) -> None:
    """Print a line that says something went well."""
    click.secho(message, fg="green")


def echo_warning(message: str) -> None:
    """Print a warning line."""
    click.secho(message, fg="yellow")


def echo_error(message: str) -> None:
    """Print an error line to standard error."""
    click.secho(message, fg="red", err=True)
