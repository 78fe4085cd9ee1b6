"""The ``ampho`` command, and the commands bundles add to it.

``ampho`` is Flask's :class:`~flask.cli.FlaskGroup` built with Ampho's
application factory, so ``ampho run``, ``ampho routes`` and ``ampho
shell`` are Flask's own. A bundle adds commands with :func:`command` in
its ``commands`` module; they form a group named after the bundle.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

import click
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup, ScriptInfo, run_command, with_appcontext
from werkzeug import _reloader
from werkzeug.serving import is_running_from_reloader

from . import __version__
from .bundle import Bundle, BundleError, add_to_path, declarations
from .config import ConfigError
from .config.errors import SettingsInvalid
from .config.loader import current_dir, environ_root

F = TypeVar("F", bound=Callable[..., Any])

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


class AmphoGroup(FlaskGroup):
    """Flask's command group, whose failures are one line on stderr.

    Click shows a usage error with the usage text and a hint around the
    message; Ampho prints ``Error: ...`` alone, as it does for a bad
    configuration file or a missing bundle, so scripts and people get
    one line to read. Settings that break their schemas are the one
    failure of several lines: an ``Error:`` line per violation, so every
    mistake is fixed in one pass. An :exc:`ImportError` inside a bundle
    keeps its traceback: that is where the bug is.
    """

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            # Flask's .env lookup, among others, needs a current directory.
            current_dir()
            result = super().main(args, prog_name, complete_var, False, **extra)
        except click.exceptions.NoArgsIsHelpError as e:
            # A bare group shows its help, as click does: that is no error.
            e.show()
            sys.exit(e.exit_code)
        except click.ClickException as e:
            _fail(e.format_message(), e.exit_code)
        except SettingsInvalid as e:
            _fail_lines(e.lines(), 1)
        except (ConfigError, BundleError) as e:
            _fail(str(e), 1)
        except click.Abort:
            _fail("aborted", 1)
        except RecursionError:
            # Settings nested nearly as deep as the JSON parser allows
            # load, but printing them recurses deeper still.
            _fail("the configuration is nested too deeply to process", 1)
        # Without standalone mode click returns the exit code of ctx.exit().
        sys.exit(result if isinstance(result, int) else 0)

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
        except SettingsInvalid as e:
            _echo_errors(e.lines())
            return sorted(self.commands)
        except (ConfigError, BundleError) as e:
            if not (isinstance(e, BundleError) and _no_application(e)):
                _echo_errors([str(e)])
            return sorted(self.commands)
        except Exception:
            # A bug in a bundle, such as an ImportError inside it: its
            # traceback is the useful part, and the help still shows.
            click.echo(traceback.format_exc(), err=True)
            return sorted(self.commands)
        return super().list_commands(ctx)


def _no_application(error: BundleError) -> bool:
    """Whether the error is only that there is no entry bundle here."""
    from .app import entry_name

    return error.missing is not None and error.missing == entry_name()


def _fail(message: str, code: int) -> None:
    _fail_lines([message], code)


def _fail_lines(messages: Sequence[str], code: int) -> None:
    _echo_errors(messages)
    sys.exit(code)


def _echo_errors(messages: Sequence[str]) -> None:
    """Print each message as one ``Error:`` line on stderr."""
    for message in messages:
        click.echo(f"Error: {' '.join(message.split())}", err=True)


def _variable_option(flag: str, variable: str, help: str, **attrs: Any) -> click.Option:
    """A global option that sets an ``AMPHO_*`` variable, before anything loads."""

    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        if value is not None:
            os.environ[variable] = os.path.abspath(value) if variable == "AMPHO_ROOT" else value

    return click.Option(
        [flag], expose_value=False, is_eager=True, callback=callback, help=help, **attrs
    )


def _create_app() -> Flask:
    """The factory for the command line: the root goes on ``sys.path``.

    So ``cd hello-world && ampho run`` finds the ``app`` package there,
    as ``flask run`` finds ``app.py``.
    """
    from .app import create_app

    add_to_path(environ_root(os.environ) or current_dir())
    app = create_app()
    # Flask's command line takes debug mode from FLASK_DEBUG (--debug)
    # alone. Ampho's configuration has its say when neither is given, so
    # `ampho --env development run` debugs when development.json says so.
    if "FLASK_DEBUG" not in os.environ and app.config.get("DEBUG"):
        os.environ["FLASK_DEBUG"] = "1"
    return app


main = AmphoGroup(
    name="ampho",
    help="Build and run Flask applications made of bundles.",
    create_app=_create_app,
    add_version_option=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    params=[
        _variable_option(
            "--root",
            "AMPHO_ROOT",
            "The application's root directory (sets AMPHO_ROOT).",
            type=click.Path(exists=True, file_okay=False),
        ),
        _variable_option(
            "--entry", "AMPHO_ENTRY", "The entry bundle (sets AMPHO_ENTRY; default: app)."
        ),
        _variable_option(
            "--env", "AMPHO_ENV", "The environment (sets AMPHO_ENV; default: production)."
        ),
    ],
)
# FlaskGroup's --app names a module to import; Ampho finds the entry bundle.
main.params = [param for param in main.params if param.name != "app"]
click.version_option(__version__, "--version", prog_name="ampho")(main)


@main.command("bundles")
@with_appcontext
def bundles_command() -> None:
    """List the bundles in load order, and what each one has."""
    for bundle in current_app.extensions["ampho"].bundles:
        parts = [
            label
            for label, present in (
                ("views", bundle.has_module("views")),
                ("commands", bundle.has_module("commands")),
                ("tpl", bundle.template_folder is not None),
                ("static", bundle.static_folder is not None),
                ("default.json", bundle.defaults_file is not None),
            )
            if present
        ]
        requires = ", ".join(bundle.requires) or "-"
        click.echo(
            f"{bundle.name}  {bundle.path}  requires: {requires}  has: {', '.join(parts) or '-'}"
        )


#: Where the first process hands the settings files to the processes the
#: reloader starts, so a child whose settings are broken still watches them.
#: (Not ``AMPHO_*``: that would be a setting.)
_SETTINGS_FILES_VARIABLE = "_AMPHO_RELOAD_FILES"


def settings_files(app: Flask) -> list[str]:
    """Every file the application's configuration was read from, or may be.

    The layers' files, found or not (a missing ``instance/{env}.json`` or
    ``instance/{user}@{host}.json`` counts, so creating one restarts the
    server), the files of the secrets directory, and the bundles'
    ``schema.json``.
    """
    state = app.extensions["ampho"]
    files = [bundle.schema_file for bundle in state.bundles if bundle.schema_file]
    for layer in state.config.layers:
        if layer.path is None:
            continue
        if os.path.isdir(layer.path):  # the secrets directory: its files
            files.extend(entry.path for entry in os.scandir(layer.path) if entry.is_file())
        else:
            files.append(layer.path)
    return sorted({os.path.abspath(path) for path in files})


#: When each settings file was last changed as this process read it, 0
#: for a missing one: what the reloader compares with.
_read_mtimes: dict[str, float] = {}


def _note_mtimes(paths: Sequence[str]) -> None:
    for path in paths:
        try:
            _read_mtimes.setdefault(path, os.stat(path).st_mtime)
        except OSError:
            _read_mtimes.setdefault(path, 0.0)


class _StatReloaderLoop(_reloader.StatReloaderLoop):
    """Werkzeug's stat reloader, comparing settings files with what was read.

    Werkzeug's loop takes the first time it sees a file for its starting
    point, so a settings file created while the server runs would count
    only from its next change, and a change made while the application
    loaded would not count at all.
    """

    def __enter__(self) -> _reloader.ReloaderLoop:
        loop = super().__enter__()
        for path in self.extra_files:
            if path in _read_mtimes:
                self.mtimes[path] = _read_mtimes[path]
        return loop


def _use_stat_reloader_loop() -> None:
    for name, loop in list(_reloader.reloader_loops.items()):
        if loop is _reloader.StatReloaderLoop:
            _reloader.reloader_loops[name] = _StatReloaderLoop


def _failing_app(error: Exception) -> Flask:
    """An application that raises the loading error for every request.

    It stands in while the settings are broken, as Flask's does for a
    syntax error in a view, so the reloader keeps watching.
    """
    app = Flask("ampho")

    @app.before_request
    def raise_error() -> None:
        raise error

    return app


@click.pass_context
def _run_watching_settings(ctx: click.Context, /, **params: Any) -> Any:
    """Flask's ``run``, whose reloader watches the settings files too."""
    info = ctx.ensure_object(ScriptInfo)
    inherited = os.environ.get(_SETTINGS_FILES_VARIABLE, "")
    files = [path for path in inherited.split(os.pathsep) if path]
    _note_mtimes(files)
    try:
        app = info.load_app()
    except Exception as e:
        if not is_running_from_reloader():
            raise
        # As Flask's run does in a restarted server, but a settings error
        # is its one located line, as anywhere on the command line.
        if isinstance(e, SettingsInvalid):
            _echo_errors(e.lines())
        elif isinstance(e, (ConfigError, BundleError)):
            _echo_errors([str(e)])
        else:
            click.echo(traceback.format_exc(), err=True)
        fallback = _failing_app(e)
        info.create_app = lambda: fallback
    else:
        files.extend(settings_files(app))
    files = sorted(set(files))
    _note_mtimes(files)
    os.environ[_SETTINGS_FILES_VARIABLE] = os.pathsep.join(files)
    _use_stat_reloader_loop()
    params["extra_files"] = [*(params.get("extra_files") or ()), *files]
    flask_run = run_command.callback
    assert flask_run is not None
    return ctx.invoke(flask_run, **params)


def _add_commands() -> None:
    from .config_cli import config_group

    main.add_command(config_group)
    run = main.commands["run"]
    main.add_command(
        click.Command(
            run.name,
            context_settings=run.context_settings,
            callback=_run_watching_settings,
            params=run.params,
            help=run.help,
            short_help=run.short_help,
        )
    )


_add_commands()
