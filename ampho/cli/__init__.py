"""The ``ampho`` command.

Every command but ``config``, ``bundles``, ``new`` and ``secret-key`` is
Flask's, from Flask's command group (:data:`ampho.cli.group.main`): ``run``,
``routes``, ``shell``, the commands bundles declare. That group imports
Flask, Werkzeug and Jinja, about ten times what a small script costs.
``ampho config`` needs none of them (it reads the settings as
:func:`ampho.config.load` does), and deployment scripts call it several
times in a row; ``ampho bundles`` lists the bundles without building the
application, ``ampho new`` works where there is none, and ``ampho
secret-key`` writes files of the instance directory. So
:data:`main` is a group of click's lazy kind: it parses the global
options itself, has those commands as its own, and imports Flask's
group only to resolve any other command name, or to list the commands
for ``--help``.

A bundle declares its commands with :func:`command`, which lives with
the application (:mod:`ampho.app.commands`) and is named here too.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

import click

from .bundles import bundles_command
from .config import config_group
from .core import (
    COMMAND_HELP,
    CONTEXT_SETTINGS,
    OneLineErrorGroup,
    flask_options,
    global_options,
)
from .new import new_command
from .secretkey import secret_key_group

if TYPE_CHECKING:
    from ..app.commands import command, echo_error, echo_info, echo_success, echo_warning
    from .group import AmphoGroup

__all__ = ["command", "echo_error", "echo_info", "echo_success", "echo_warning", "main"]


class CommandLine(OneLineErrorGroup):
    """The ``ampho`` command: ``config``, ``bundles``, ``new`` and
    ``secret-key`` here, every other command Flask's.

    click's documented pattern for lazily loaded subcommands: the group
    answers :meth:`get_command` and :meth:`list_commands` from a module
    it imports when asked. Its options are the same as Flask's group's
    (:func:`~ampho.cli.core.global_options`,
    :func:`~ampho.cli.core.flask_options`, ``--version``), with the same
    help, so that ``--help`` and shell completion read as that group's
    do.
    """

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        return _flask_group(ctx).get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        # Flask's group lists this group's own commands too.
        return _flask_group(ctx).list_commands(ctx)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        # A name that is not this group's own is Flask's group's to
        # resolve, or to refuse with its suggestions ("Did you mean
        # 'routes'?").
        if args[0] in self.commands:
            return super().resolve_command(ctx, args)
        return _flask_group(ctx).resolve_command(ctx, args)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if (not args and self.no_args_is_help) or (
            len(args) == 1 and args[0] in self.get_help_option_names(ctx)
        ):
            # As Flask's group does: the help lists the application's
            # commands, and a .env file may say where the application
            # is, so the files are read before the help shows (--help
            # goes first, and a bare group does not parse at all).
            for param in self.params:
                if param.name == "env_file":
                    param.handle_parse_result(ctx, {}, [])
        return super().parse_args(ctx, args)


def _flask_group(ctx: click.Context) -> AmphoGroup:
    """Flask's command group, imported on first use, ready to run its
    commands in ``ctx`` (:meth:`~ampho.cli.group.AmphoGroup.adopt`)."""
    from .group import main as group

    return group.adopt(ctx)


#: The entry point of the ``ampho`` command (and of ``python -m ampho``).
main = CommandLine(
    name="ampho",
    help=COMMAND_HELP,
    commands=[bundles_command, config_group, new_command, secret_key_group],
    params=[*global_options(), *flask_options()],
    context_settings=dict(CONTEXT_SETTINGS),
)
click.version_option(package_name="ampho", prog_name="ampho")(main)


def __getattr__(name: str) -> Any:
    # The bundle command helpers need Flask: imported on first use, so
    # that `ampho config` does not pay for them.
    if name in ("command", "echo_error", "echo_info", "echo_success", "echo_warning"):
        return getattr(importlib.import_module("ampho.app.commands"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
