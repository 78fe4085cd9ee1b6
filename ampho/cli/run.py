"""``ampho run``: Flask's ``run``, watching the settings files too.

The development server's reloader restarts on a change to any settings
file, a new one included, and keeps watching while the settings are
broken. In the ``production`` environment, debug mode (and with it
Werkzeug's interactive debugger) comes only from the command line.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Sequence
from typing import Any

import click
from flask import Flask
from flask.cli import ScriptInfo, run_command
from werkzeug import _reloader
from werkzeug.serving import is_running_from_reloader

from ..bundle import BundleError
from ..config import ConfigError
from ..config.errors import SettingsInvalid
from .core import echo_errors

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
            echo_errors(e.lines())
        elif isinstance(e, (ConfigError, BundleError)):
            echo_errors([str(e)])
        else:
            click.echo(traceback.format_exc(), err=True)
        fallback = _failing_app(e)
        info.create_app = lambda: fallback
    else:
        files.extend(settings_files(app))
        _explain_debug_off(app)
    files = sorted(set(files))
    _note_mtimes(files)
    os.environ[_SETTINGS_FILES_VARIABLE] = os.pathsep.join(files)
    _use_stat_reloader_loop()
    params["extra_files"] = [*(params.get("extra_files") or ()), *files]
    flask_run = run_command.callback
    assert flask_run is not None
    return ctx.invoke(flask_run, **params)


def _explain_debug_off(app: Flask) -> None:
    """Say why a ``DEBUG`` setting left debug mode off, in production.

    The factory for the command line turns a ``DEBUG`` setting into
    debug mode everywhere but in the ``production`` environment: there,
    one stray line in ``production.json`` would serve Werkzeug's
    debugger, a console that runs code, to whoever reaches the port.
    Said once, by the first process, not again by each the reloader
    starts.
    """
    # The settings, not app.config: Flask's command line has set debug
    # mode from FLASK_DEBUG by now.
    cfg = app.extensions["ampho"].config
    if (
        cfg.env != "production"
        or os.environ.get("FLASK_DEBUG")
        or is_running_from_reloader()
        or not cfg.get("DEBUG")
    ):
        return
    where = cfg.origin("DEBUG")
    click.echo(
        f" * Debug mode stays off: DEBUG is true ({where}) in the production"
        " environment, where only --debug or FLASK_DEBUG=1 turns it on",
        err=True,
    )


#: ``ampho run``: Flask's ``run`` command, as :func:`_run_watching_settings` runs it.
watching_run = click.Command(
    run_command.name,
    context_settings=run_command.context_settings,
    callback=_run_watching_settings,
    params=run_command.params,
    help=run_command.help,
    short_help=run_command.short_help,
)
