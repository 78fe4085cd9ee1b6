"""``ampho run``: Flask's ``run``, watching the settings files too.

The development server's reloader restarts on a change to any settings
file, one created or removed included, and keeps watching while the
settings are broken. In the ``production`` environment, debug mode (and
with it Werkzeug's interactive debugger) comes only from the command
line.
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

from ..config.tooling import is_hidden_or_backup
from ..errors import AmphoError
from .core import echo_errors

#: Where the first process hands the settings files to the processes the
#: reloader starts, so a child whose settings are broken still watches them.
#: (Not ``AMPHO_*``: that would be a setting.)
_SETTINGS_FILES_VARIABLE = "_AMPHO_RELOAD_FILES"


def settings_files(app: Flask) -> list[str]:
    """Every path the application's configuration was read from, or may be.

    The layers' files, the secrets directory, and each bundle's
    ``default.json`` and ``schema.json``, whether they exist or not: a
    missing ``instance/{env}.json`` counts, so creating one restarts the
    server.
    """
    state = app.extensions["ampho"]
    paths = [layer.path for layer in state.config.layers if layer.path is not None]
    for bundle in state.bundles:
        paths.append(os.path.join(bundle.path, "default.json"))
        paths.append(os.path.join(bundle.path, "schema.json"))
    return sorted({os.path.abspath(path) for path in paths})


def _file_state(path: str) -> tuple[int, int, int] | None:
    """A file's inode, modification time and size; ``None`` if it is missing."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_ino, info.st_mtime_ns, info.st_size)


def _state(path: str) -> object:
    """What a watched settings path holds now, as far as the reloader can tell.

    Any difference from the state noted when the settings were read is a
    change, in either direction: a file that appears or disappears, or a
    backup moved back over a newer file. The secrets directory's state is
    the state of each file the secrets layer reads (not an editor's swap
    or backup file: :func:`~ampho.config.sources.files.is_hidden_or_backup`),
    so adding or removing a secret is a change and saving in an editor
    changes only the file saved.
    """
    if not os.path.isdir(path):
        return _file_state(path)
    try:
        names = sorted(os.listdir(path))
    except OSError:
        return None
    return [
        (name, _file_state(os.path.join(path, name)))
        for name in names
        if not is_hidden_or_backup(name)
    ]


#: The state of each watched settings path when this process read it.
_read_states: dict[str, object] = {}


def _note_states(paths: Sequence[str]) -> None:
    for path in paths:
        _read_states.setdefault(path, _state(path))


class _SettingsWatch(_reloader.ReloaderLoop):
    """Restart when a settings path differs from what the application read.

    Werkzeug's loops watch ``extra_files`` for code: the stat loop skips
    a file that does not exist, so removing a settings file would change
    nothing; it takes the first time it sees a file for its starting
    point, missing a change made while the application loaded; and it
    counts only a newer modification time. Comparing with the noted
    states at each of the loop's steps serves the stat and the watchdog
    loop alike.
    """

    def run_step(self) -> None:
        super().run_step()
        for path, read in _read_states.items():
            if _state(path) != read:
                self.trigger_reload(path)
                return


class _StatLoopWatchingSettings(_SettingsWatch, _reloader.StatReloaderLoop):
    """Werkzeug's stat reloader loop, watching the settings too."""


class _WatchdogLoopWatchingSettings(_SettingsWatch, _reloader.WatchdogReloaderLoop):
    """Werkzeug's watchdog reloader loop, watching the settings too."""


_LOOPS_WATCHING_SETTINGS: dict[type[_reloader.ReloaderLoop], type[_reloader.ReloaderLoop]] = {
    _reloader.StatReloaderLoop: _StatLoopWatchingSettings,
    _reloader.WatchdogReloaderLoop: _WatchdogLoopWatchingSettings,
}


def _use_loops_watching_settings() -> None:
    for name, loop in list(_reloader.reloader_loops.items()):
        _reloader.reloader_loops[name] = _LOOPS_WATCHING_SETTINGS.get(loop, loop)


class AppNotLoaded(RuntimeError):
    """Raised for each request while the application cannot be loaded.

    A new exception for each request, caused by the loading error: raising
    that one error object again would add each request's frames to its
    traceback, so each logged traceback would hold every earlier one, and
    the log would grow with the square of the requests (60 wrote 1.9 MB).
    """


def _failing_app(error: Exception) -> Flask:
    """An application that answers every request with the loading error.

    It stands in while the settings are broken, as Flask's does for a
    syntax error in a view, so the reloader keeps watching. A settings
    error is its one located line, as on the command line, without the
    loader's frames; any other error keeps its traceback, as the cause.
    """
    app = Flask("ampho")
    message = f"the application could not be loaded: {error}"
    cause = None if isinstance(error, AmphoError) else error

    @app.before_request
    def raise_error() -> None:
        raise AppNotLoaded(message) from cause

    return app


@click.pass_context
def _run_watching_settings(ctx: click.Context, /, **params: Any) -> Any:
    """Flask's ``run``, whose reloader watches the settings files too."""
    info = ctx.ensure_object(ScriptInfo)
    inherited = os.environ.get(_SETTINGS_FILES_VARIABLE, "")
    files = [path for path in inherited.split(os.pathsep) if path]
    _note_states(files)
    try:
        app = info.load_app()
    except Exception as e:
        if not is_running_from_reloader():
            raise
        # As Flask's run does in a restarted server, but a settings error
        # is its one located line, as anywhere on the command line.
        if isinstance(e, AmphoError):
            echo_errors(e.lines())
        else:
            click.echo(traceback.format_exc(), err=True)
        fallback = _failing_app(e)
        info.create_app = lambda: fallback
    else:
        files.extend(settings_files(app))
        _explain_debug_off(app)
    files = sorted(set(files))
    _note_states(files)
    os.environ[_SETTINGS_FILES_VARIABLE] = os.pathsep.join(files)
    _use_loops_watching_settings()
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
