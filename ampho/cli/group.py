"""Flask's command group, for every command but ``config``.

Flask's :class:`~flask.cli.FlaskGroup` built with Ampho's application
factory, so ``ampho run``, ``ampho routes`` and ``ampho shell`` are
Flask's own, and the commands bundles declare join them in groups named
after the bundles. The ``ampho`` command (:data:`ampho.cli.main`)
imports this module only when it needs a command from here, or their
list for ``--help``.
"""

from __future__ import annotations

import os
import traceback

import click
from flask import Flask
from flask.cli import FlaskGroup, ScriptInfo
from werkzeug.serving import is_running_from_reloader

from ..app import create_app, entry_name
from ..bundle import BundleError
from ..errors import AmphoError
from ..logging import quiet_libraries
from .bundles import bundles_command
from .config import config_group
from .core import (
    COMMAND_HELP,
    CONTEXT_SETTINGS,
    VERBOSE,
    OneLineErrorGroup,
    echo_errors,
    echo_warnings,
    environment_warnings,
    global_options,
    project_on_path,
)
from .new import new_command
from .run import watching_run
from .secretkey import secret_key_group


class AmphoGroup(OneLineErrorGroup, FlaskGroup):
    """Flask's command group, whose failures are one line on stderr."""

    def adopt(self, ctx: click.Context) -> AmphoGroup:
        """Make ``ctx``, which the ``ampho`` command made, one that this
        group's commands run in; and return the group.

        The ``ampho`` command makes and parses the context before it
        knows which command runs; this does now what
        :meth:`FlaskGroup.make_context <flask.cli.FlaskGroup.make_context>`
        would have done then: the :class:`~flask.cli.ScriptInfo` that
        loads the application (with Ampho's factory) and
        ``FLASK_RUN_FROM_CLI``, which makes a stray ``app.run()`` do nothing.
        """
        os.environ["FLASK_RUN_FROM_CLI"] = "true"
        if ctx.obj is None:
            ctx.obj = ScriptInfo(
                create_app=self.create_app,
                set_debug_flag=self.set_debug_flag,
                load_dotenv_defaults=self.load_dotenv,
            )
        return self

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        try:
            return super().get_command(ctx, name)
        except BundleError as e:
            if _no_application(e):
                return None  # "No such command", as anywhere without an app
            raise

    def list_commands(self, ctx: click.Context) -> list[str]:
        # Flask prints a traceback when the application fails to load
        # while listing commands for --help; a bundle or configuration
        # error is one line here, and no application is no error.
        try:
            ctx.ensure_object(ScriptInfo).load_app()
        except AmphoError as e:
            if not (isinstance(e, BundleError) and _no_application(e)):
                echo_errors(e.lines())
            return sorted(self.commands)
        except Exception:
            # A bug in a bundle, such as an ImportError inside it: its
            # traceback is the useful part, and the help still shows.
            click.echo(traceback.format_exc(), err=True)
            return sorted(self.commands)
        return super().list_commands(ctx)


def _no_application(error: BundleError) -> bool:
    """Whether the error is only that there is no entry bundle here."""
    return error.missing is not None and error.missing == entry_name()


def _create_app() -> Flask:
    """The factory for the command line: the root goes on ``sys.path``.

    So ``cd hello-world && ampho run`` finds the ``app`` package there,
    as ``flask run`` finds ``app.py``.
    """
    project_on_path()
    # A command's console leaves out other libraries' INFO lines (Alembic
    # lists its plugins whenever it is imported), but `run` shows them,
    # Werkzeug's request lines first, and so does any command with -v.
    ctx = click.get_current_context(silent=True)
    quiet = ctx is None or not (ctx.command is watching_run or ctx.meta.get(VERBOSE))
    with quiet_libraries(quiet):
        app = create_app()
    if not is_running_from_reloader():  # said by the first process only
        echo_warnings(environment_warnings(app.extensions["ampho"].config))
    # Flask's command line takes debug mode from FLASK_DEBUG (--debug)
    # alone. Ampho's configuration has its say when neither is given, so
    # `ampho --env development run` debugs when development.json says so;
    # but not in production, where debug mode under `ampho run` serves
    # Werkzeug's debugger, a console that runs code (see run.py).
    state = app.extensions["ampho"]
    if (
        not os.environ.get("FLASK_DEBUG")  # empty is unset, as to Flask
        and app.config.get("DEBUG")
        and state.config.env != "production"
    ):
        os.environ["FLASK_DEBUG"] = "1"
    return app


main = AmphoGroup(
    name="ampho",
    help=COMMAND_HELP,
    create_app=_create_app,
    add_version_option=False,
    context_settings=dict(CONTEXT_SETTINGS),
    params=global_options(),
)
# FlaskGroup's --app names a module to import; Ampho finds the entry bundle.
main.params = [param for param in main.params if param.name != "app"]
click.version_option(package_name="ampho", prog_name="ampho")(main)


main.add_command(bundles_command)
main.add_command(config_group)
main.add_command(new_command)
main.add_command(secret_key_group)
main.add_command(watching_run)
