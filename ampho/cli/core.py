"""What every ``ampho`` command shares, without importing Flask.

The global options, the way a failure becomes one ``Error:`` line, and
Flask's ``.env`` rule live here: the ``ampho`` command parses its
options before it knows which command runs, and ``ampho config`` runs
without Flask's command group.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

import click
from click.core import ParameterSource

from ..bundle import BundleError, add_to_path
from ..config.paths import (
    current_dir,
    entry_from_environ,
    instance_path,
    missing_environment,
    search_dir,
)
from ..errors import AmphoError
from ..packages import find_spec

if TYPE_CHECKING:
    from ..config import Config

#: The context settings of the ``ampho`` command, whichever group runs it:
#: Flask's ``FLASK_*`` defaults for options, and ``-h`` for help.
CONTEXT_SETTINGS: dict[str, Any] = {
    "help_option_names": ["-h", "--help"],
    "auto_envvar_prefix": "FLASK",
}

#: What ``ampho --help`` says the command is for.
COMMAND_HELP = "Build and run Flask applications made of bundles."


class OneLineErrorGroup(click.Group):
    """A command group whose failures are one ``Error:`` line on stderr.

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

        def invoke() -> Any:
            return super(OneLineErrorGroup, self).main(
                args, prog_name, complete_var, False, **extra
            )

        run_main(invoke)


#: What writing to standard output fails with when it cannot take more.
_OUTPUT_ERRORS = frozenset((errno.ENOSPC, errno.EPIPE, errno.EIO, errno.EDQUOT, errno.EFBIG))


def run_main(main: Callable[[], Any]) -> NoReturn:
    """Run a group's ``main`` outside click's standalone mode, and exit
    (see :class:`OneLineErrorGroup`)."""
    try:
        # Flask's .env lookup, among others, needs a current directory.
        current_dir()
        result = main()
    except click.exceptions.NoArgsIsHelpError as e:
        # A bare group shows its help, as click does: that is no error.
        e.show()
        sys.exit(e.exit_code)
    except click.NoSuchOption as e:
        fail([_misplaced_option(e) or e.format_message()], e.exit_code)
    except click.ClickException as e:
        fail([e.format_message()], e.exit_code)
    except AmphoError as e:
        fail(e.lines(), 1)
    except click.Abort:
        fail(["aborted"], 1)
    except RecursionError:
        # Settings nested nearly as deep as the JSON parser allows
        # load, but printing them recurses deeper still.
        fail(["the configuration is nested too deeply to process"], 1)
    except OSError as e:
        if e.errno not in _OUTPUT_ERRORS:
            raise
        # Standard output cannot take what the command prints (a full
        # disk, a closed pipe): say so once, and let nothing try again
        # at exit.
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        what = f"cannot write {e.filename}" if e.filename else "cannot write the output"
        fail([f"{what}: {e.strerror or type(e).__name__}"], 1)
    # Without standalone mode click returns the exit code of ctx.exit().
    sys.exit(result if isinstance(result, int) else 0)


def _misplaced_option(error: click.NoSuchOption) -> str | None:
    """What to say when one of ``ampho``'s own options follows a command.

    ``ampho run --env development`` is the first thing many type, and
    click's answer, "No such option '--env'. Did you mean '--key'?",
    points away from the fix: ``ampho --env development run``.
    """
    ctx = error.ctx
    if ctx is None or ctx.parent is None:
        return None
    name = error.option_name
    root = ctx.find_root()
    own = [p for p in root.command.params if name in (*p.opts, *p.secondary_opts)]
    if not own:
        return None
    value = "" if isinstance(own[0], click.Option) and own[0].is_flag else " ..."
    command = ctx.command_path.partition(" ")[2]
    return (
        f"no such option {name!r} of {ctx.command_path!r}: {name} is an option of"
        f" {root.info_name} itself, given before the command ({root.info_name}"
        f" {name}{value} {command})"
    )


def fail(messages: Sequence[str], code: int) -> NoReturn:
    """Print each message as an ``Error:`` line, and exit with ``code``."""
    echo_errors(messages)
    sys.exit(code)


def echo_errors(messages: Sequence[str]) -> None:
    """Print each message as one ``Error:`` line on stderr (:func:`echo_lines`)."""
    echo_lines("Error", messages)


def echo_warnings(messages: Sequence[str]) -> None:
    """Print each message as one ``Warning:`` line on stderr (:func:`echo_lines`)."""
    echo_lines("Warning", messages)


def echo_lines(kind: str, messages: Sequence[str]) -> None:
    """Print each message as one ``<kind>: ...`` line on stderr.

    Every error and warning line of the command passes here, so here is
    where what a message quotes is masked when it looks like a
    credential: a key may be a URL holding a password
    (``{"redis://:pw@cache": ...}``), and a schema's message names the
    key (:func:`~ampho.config.redaction.redact_shapes`). Imported when
    there is something to say, which a command that works seldom has.
    """
    if not messages:
        return
    from ..config.tooling import redact_shapes

    for message in messages:
        click.echo(f"{kind}: {redact_shapes(' '.join(message.split()))}", err=True)


def project_on_path(root: str | None = None) -> None:
    """Put the application's directory first on :data:`sys.path`, as
    ``flask`` puts the current directory there to find ``app.py``; refuse
    a directory that holds no application.

    The directory is ``root`` (a command's ``--root``), else
    ``AMPHO_ROOT`` (the global ``--root``), else the current directory.
    An application there is an entry bundle that can be imported, from
    it or installed, or an instance directory: a project may keep only
    settings, or run an installed entry bundle. Neither is a command run from the wrong
    directory, which would otherwise find nothing and say little
    (``config dump`` printed ``{}``); so it is one line that names the
    directory and ``--root``.

    :raises BundleError: with ``missing`` set to the entry bundle, as the
        factory's error for a missing entry bundle is: ``ampho --help``
        still lists Flask's commands in such a directory.
    """
    directory = os.path.abspath(root) if root else search_dir(os.environ)
    add_to_path(directory)
    entry = entry_from_environ(os.environ)
    try:
        # Anything of the name is meant as the entry bundle: a module or
        # a directory without __init__.py gets the resolver's own error.
        if find_spec(entry) is not None:
            return
        instance = instance_path(directory, None, os.environ)
    except (ImportError, ValueError, AmphoError):
        return  # a bad name or a missing named directory: the load says which
    if os.path.isdir(instance):
        return
    raise BundleError(
        f"no application in {directory}: no entry bundle {entry!r} and no instance"
        " directory; run ampho in the project's root directory, or give --root",
        missing=entry,
    )


def environment_warnings(cfg: Config) -> list[str]:
    """The warning, if any, that the environment was named (by a
    command's ``--env``, the global ``--env``, ``AMPHO_ENV`` or
    ``FLASK_ENV``) and has no file (:func:`~ampho.config.paths.missing_environment`):
    a misspelled ``prod`` would otherwise run on ``default.json`` alone
    without a word."""
    problem = missing_environment(cfg.location)
    return [problem] if problem is not None else []


def variable_option(
    flag: str, variable: str, help: str, *, absolute: bool = False, **attrs: Any
) -> click.Option:
    """A global option that sets an ``AMPHO_*`` variable, before anything loads.

    A variable, not a parameter, because the application factory, the
    configuration engine and the processes the reloader starts all read
    the variables. ``absolute`` makes a path absolute from the current
    directory first; ``--instance`` stays as given, relative to the root.
    """

    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        if value is not None:
            os.environ[variable] = os.path.abspath(value) if absolute else value

    return click.Option(
        [flag], expose_value=False, is_eager=True, callback=callback, help=help, **attrs
    )


#: Where ``-v`` is kept, in the ``meta`` that every context of one
#: command line shares: the command's application is built later, when
#: the command runs (:func:`ampho.logging.quiet_libraries`).
VERBOSE = "ampho.verbose"


def _set_verbose(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        ctx.meta[VERBOSE] = True


def global_options() -> list[click.Option]:
    """Ampho's options of the ``ampho`` command, in the order ``--help`` lists them."""
    return [
        variable_option(
            "--root",
            "AMPHO_ROOT",
            "The application's root directory (sets AMPHO_ROOT).",
            absolute=True,
            type=click.Path(exists=True, file_okay=False),
        ),
        variable_option(
            "--entry", "AMPHO_ENTRY", "The entry bundle (sets AMPHO_ENTRY; default: app)."
        ),
        variable_option(
            "--env", "AMPHO_ENV", "The environment (sets AMPHO_ENV; default: production)."
        ),
        variable_option(
            "--instance",
            "AMPHO_INSTANCE_DIR",
            "The instance directory, absolute or relative to the root"
            " (sets AMPHO_INSTANCE_DIR; default: <root>/instance).",
            metavar="DIR",
        ),
        click.Option(
            ["-v", "--verbose"],
            is_flag=True,
            expose_value=False,
            # Before --help, whose command list builds the application.
            is_eager=True,
            allow_from_autoenv=False,
            callback=_set_verbose,
            help="Show other libraries' INFO and DEBUG log lines too ('run' always does).",
        ),
    ]


def flask_options() -> list[click.Option]:
    """Flask's own global options, without importing Flask.

    The same names, help and effects as :class:`flask.cli.FlaskGroup`'s
    ``--env-file`` and ``--debug``: the ``ampho`` command parses them
    before it knows whether the command is ``config`` (which must not
    import Flask) or one of Flask's group, so ``ampho --env-file prod.env
    config get KEY`` reads the variables ``ampho run`` reads, and
    ``ampho --help`` lists them as Flask's group does.
    """
    return [
        click.Option(
            ["-e", "--env-file"],
            type=click.Path(exists=True, dir_okay=False),
            help=(
                "Load environment variables from this file, taking precedence over"
                " those set by '.env' and '.flaskenv'. Variables set directly in the"
                " environment take highest precedence. python-dotenv must be installed."
            ),
            is_eager=True,
            expose_value=False,
            callback=_load_env_files,
        ),
        click.Option(
            ["--debug/--no-debug"], help="Set debug mode.", expose_value=False, callback=_set_debug
        ),
    ]


def _load_env_files(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """Flask's rule for ``.flaskenv``, ``.env`` and ``--env-file``.

    As :func:`flask.cli.load_dotenv` does it: unless ``FLASK_SKIP_DOTENV``
    says not to, ``.flaskenv`` then ``.env`` (the nearest, from the
    current directory upwards), then the given file if it is a regular
    file, each later one winning; a variable already set in the
    environment wins over them all. Without python-dotenv, a given file
    is an error and present files a tip. python-dotenv is imported only
    when there is a file to read: most runs of ``ampho config`` have none.
    """
    skip = os.environ.get("FLASK_SKIP_DOTENV")
    load_defaults = not skip or skip.lower() in ("0", "false", "no")
    found = [path for name in (".flaskenv", ".env") if (path := _nearest(name))]
    given = [value] if value is not None and os.path.isfile(value) else []
    paths = [*(found if load_defaults else ()), *given]
    if not paths and value is None:
        return
    try:
        import dotenv
    except ImportError:
        if value is not None:
            raise click.BadParameter(
                "python-dotenv must be installed to load an env file.", ctx=ctx, param=param
            ) from None
        if load_defaults and (os.path.isfile(".env") or os.path.isfile(".flaskenv")):
            click.secho(
                " * Tip: There are .env files present. Install python-dotenv to use them.",
                fg="yellow",
                err=True,
            )
        return
    data: dict[str, str | None] = {}
    for path in paths:
        data |= dotenv.dotenv_values(path, encoding="utf-8")
    for key, text in data.items():
        if key not in os.environ and text is not None:
            os.environ[key] = text


def _nearest(name: str) -> str | None:
    """The file ``name`` in the current directory or the nearest parent
    holding one, as :func:`dotenv.find_dotenv` with ``usecwd`` finds it:
    a regular file or a named pipe (which secret managers serve)."""
    directory = os.getcwd()
    while True:
        path = os.path.join(directory, name)
        try:
            mode = os.stat(path).st_mode
        except OSError:
            mode = 0
        if stat.S_ISREG(mode) or stat.S_ISFIFO(mode):
            return path
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def _set_debug(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """Flask's ``--debug/--no-debug``: ``FLASK_DEBUG``, unless left to its default."""
    source = ctx.get_parameter_source(param.name or "debug")
    if source not in (ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP):
        os.environ["FLASK_DEBUG"] = "1" if value else "0"
