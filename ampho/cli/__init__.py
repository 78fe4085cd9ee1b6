"""The ``ampho`` command.

Every command but ``config`` runs in Flask's command group,
:data:`ampho.cli.group.main`: ``run``, ``routes``, ``shell``, the
commands bundles declare, and ``--help``, which lists them all. That
group imports Flask, Werkzeug and Jinja before it knows which command
runs, about ten times what a small script costs. ``ampho config`` needs
none of them (it reads the settings as :func:`ampho.config.load` does),
and deployment scripts call it several times in a row; so :data:`main`
looks at the command line first, and runs ``config`` in a group of its
own, with the same global options and the same one-line errors.

A bundle declares its commands with :func:`command`, which lives with
the application (:mod:`ampho.app.commands`) and is named here too.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from .config import config_group
from .core import CONTEXT_SETTINGS, OneLineErrorGroup, flask_options, global_options

if TYPE_CHECKING:
    from ..app.commands import command, echo_error, echo_info, echo_success, echo_warning

__all__ = ["command", "echo_error", "echo_info", "echo_success", "echo_warning", "main"]


class CommandLine(OneLineErrorGroup):
    """The ``ampho`` command: ``config`` here, all else in Flask's group."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        if self.own_command(argv) is None:
            from .group import main as flask_group

            return flask_group.main(argv, prog_name, complete_var, standalone_mode, **extra)
        return super().main(argv, prog_name, complete_var, standalone_mode, **extra)

    def own_command(self, args: Sequence[str]) -> str | None:
        """The command this group runs for ``args``, if it is one of its own.

        The global options are skipped with their values (and ``--``);
        anything else before the command (``--help``, ``--version``, an option this
        group does not know) leaves the whole command line to Flask's
        group, which answers it as it always has. So does shell
        completion.
        """
        if any(name.endswith("_COMPLETE") and name.startswith("_") for name in os.environ):
            return None
        takes_value: dict[str, bool] = {}
        for param in self.params:
            if isinstance(param, click.Option):
                for name in (*param.opts, *param.secondary_opts):
                    takes_value[name] = not param.is_flag
        remaining = iter(args)
        for arg in remaining:
            if arg == "--":  # what follows is the command, whatever it looks like
                command = next(remaining, None)
                break
            if not arg.startswith("-"):
                command = arg
                break
            name, has_value, _ = arg.partition("=")
            if name not in takes_value:
                return None
            if takes_value[name] and not has_value:
                next(remaining, None)
        else:
            return None
        return command if command in self.commands else None


#: The entry point of the ``ampho`` command (and of ``python -m ampho``).
main = CommandLine(
    name="ampho",
    commands=[config_group],
    params=[*global_options(), *flask_options()],
    context_settings=dict(CONTEXT_SETTINGS),
)


def __getattr__(name: str) -> Any:
    # The bundle command helpers need Flask: imported on first use, so
    # that `ampho config` does not pay for them.
    if name in ("command", "echo_error", "echo_info", "echo_success", "echo_warning"):
        return getattr(importlib.import_module("ampho.app.commands"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
