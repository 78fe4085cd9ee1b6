"""Where an application is: its entry bundle, root, instance directory,
environment, user and host.

Every part of Ampho decides it here, as every part of Flask's command
asks its ``ScriptInfo``, so they all read the same instance directory:
``load()`` and the application factory with :func:`locate` (and
Gunicorn's logger class, every command and :mod:`ampho.main` through
them); where the entry bundle is imported from with :func:`search_dir`
(the commands, :mod:`ampho.main`, the pytest plugin); ``config check``
and ``config schema``, which choose no environment, with the two pieces
:func:`locate` is made of, :func:`root_path` and :func:`instance_path`.
Each answer honours the ``environ`` and ``env_prefix`` it is given:
nothing here reads :data:`os.environ` behind a caller's back.

The root rule (:func:`find_root`) is explained in
``docs/configuration.rst``, "Root and instance directories".
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from ..packages import package_dir
from .errors import ConfigError

#: The environment when none is named: it needs no file of its own.
DEFAULT_ENV = "production"


class Location:
    """Where an application is, as :func:`locate` decided it.

    Made once, by :func:`locate`, and only read after: a load, and
    everything that shows its results, read the same directories and
    names.
    """

    __slots__ = (
        "entry",
        "env",
        "env_named",
        "env_prefix",
        "environ",
        "host",
        "instance_dir",
        "root_dir",
        "user",
    )

    def __init__(
        self,
        *,
        entry: str,
        root_dir: str,
        instance_dir: str,
        env: str,
        env_named: bool,
        user: str | None,
        host: str,
        environ: Mapping[str, str],
        env_prefix: str,
    ) -> None:
        #: The entry bundle's name: ``AMPHO_ENTRY``, else ``app``.
        self.entry = entry
        #: The absolute root directory; paths are shown relative to it.
        self.root_dir = root_dir
        #: The absolute instance directory, which may not exist yet.
        self.instance_dir = instance_dir
        #: The environment, choosing ``{env}.json``.
        self.env = env
        #: Whether the environment was named, by an argument or a
        #: variable, rather than :data:`DEFAULT_ENV` by default: a named
        #: one is meant to have a file (:func:`missing_environment`).
        self.env_named = env_named
        #: The user of ``{user}@{host}.json``; ``None`` when there is no
        #: name to be found, and the layer is skipped.
        self.user = user
        #: The host of ``{user}@{host}.json``.
        self.host = host
        #: The variables every lookup reads.
        self.environ = environ
        #: The prefix of the variables read, without ``_``: ``AMPHO``.
        self.env_prefix = env_prefix

    def variable(self, name: str) -> str | None:
        """The control variable ``<prefix>_<name>``, or ``None`` when it is
        unset or empty."""
        return self.environ.get(f"{self.env_prefix}_{name}") or None

    def display(self, path: str) -> str:
        """A path as it is shown: relative to the root when inside it."""
        return display_path(path, self.root_dir)

    def __repr__(self) -> str:
        return (
            f"<Location entry={self.entry!r} root_dir={self.root_dir!r}"
            f" env={self.env!r} instance_dir={self.instance_dir!r}>"
        )


def locate(
    root_dir: str | os.PathLike[str] | None = None,
    env: str | None = None,
    *,
    instance_dir: str | os.PathLike[str] | None = None,
    user: str | None = None,
    host: str | None = None,
    environ: Mapping[str, str] | None = None,
    env_prefix: str = "AMPHO",
    entry: str | None = None,
) -> Location:
    """Decide where an application is; every argument as for
    :func:`ampho.config.load`, which calls this.

    :param entry: the entry bundle, if not ``AMPHO_ENTRY`` or ``app``.
    :raises ConfigError: for a root inside an installation directory, an
        ``AMPHO_ROOT`` or instance directory that is not there, or a name
        that cannot become part of a file name.
    """
    if environ is None:
        environ = os.environ
    entry = entry or entry_from_environ(environ, env_prefix)
    root = root_path(root_dir, environ, env_prefix, entry)
    instance = instance_path(root, instance_dir, environ, env_prefix)
    named = env is not None or named_env(environ, env_prefix) is not None
    if env is None:
        env = named_env(environ, env_prefix) or DEFAULT_ENV
    check_name("environment", env)
    if user is None:
        user = environ.get("USER") or _login_name(environ)
    if user is not None:
        check_name("user", user)
    if host is None:
        host = environ.get("HOSTNAME") or _host_name()
    check_name("host", host)
    return Location(
        entry=entry,
        root_dir=root,
        instance_dir=instance,
        env=env,
        env_named=named,
        user=user,
        host=host,
        environ=environ,
        env_prefix=env_prefix,
    )


def named_env(environ: Mapping[str, str], env_prefix: str = "AMPHO") -> str | None:
    """The environment the variables name: ``AMPHO_ENV``, else
    ``FLASK_ENV``; ``None`` when neither is set, and ``production``
    applies by default."""
    return environ.get(f"{env_prefix}_ENV") or environ.get("FLASK_ENV") or None


def missing_environment(location: Location) -> str | None:
    """What is wrong with an environment that was named but has no file.

    ``None`` when ``{env}.json`` is in the instance directory, or the
    environment was not named, or is :data:`DEFAULT_ENV`, which needs no
    file whether named or not. Otherwise a sentence naming the file and
    the environments that have one, so that ``prod`` for ``production``
    is seen at once: the load itself cannot tell a misspelled environment
    from one that needs no file of its own, and runs on ``default.json``
    alone.
    """
    instance, env = location.instance_dir, location.env
    if not needs_file(env, location.env_named) or os.path.isfile(
        os.path.join(instance, f"{env}.json")
    ):
        return None
    return (
        f"environment {env!r} has no {location.display(instance)}/{env}.json, so it loads"
        f" default.json alone; {environments_there(instance, env)}"
    )


def needs_file(env: str | None, named: bool = True) -> bool:
    """Whether an environment is meant to have ``{env}.json``: one that
    was named, other than :data:`DEFAULT_ENV`."""
    return named and env is not None and env != DEFAULT_ENV


def environments_there(instance: str, env: str) -> str:
    """Which environments have a file in the instance directory, said in
    words, and the one ``env`` may have meant (``prod``: ``production``)."""
    try:
        names = os.listdir(instance)
    except OSError:
        names = []
    found = sorted(
        name[: -len(".json")]
        for name in names
        if name.endswith(".json")
        and not name.startswith(".")
        and "@" not in name
        and name != "default.json"
        and os.path.isfile(os.path.join(instance, name))
    )
    if not found:
        return "no environment has a file there"
    there = f"the environments with a file are {', '.join(found)}"
    meant = [name for name in found if name.startswith(env)]
    if not meant:
        import difflib  # only to word a warning

        meant = difflib.get_close_matches(env, found, n=1)
    return f"{there}; did you mean {meant[0]!r}?" if meant else there


def root_path(
    root_dir: str | os.PathLike[str] | None,
    environ: Mapping[str, str],
    env_prefix: str = "AMPHO",
    entry: str | None = None,
) -> str:
    """The absolute root directory: ``root_dir``, else ``AMPHO_ROOT``, else
    :func:`find_root` for the entry bundle.

    :raises ConfigError: for a root inside an installation directory, or
        an ``AMPHO_ROOT`` that names no directory.
    """
    if root_dir is None:
        root = environ_root(environ, env_prefix) or find_root(
            entry or entry_from_environ(environ, env_prefix)
        )
    else:
        root = os.path.abspath(root_dir)
    refuse_import_location(root)
    return root


def entry_from_environ(environ: Mapping[str, str], env_prefix: str = "AMPHO") -> str:
    """The entry bundle's name: ``AMPHO_ENTRY``, else ``app``."""
    return environ.get(f"{env_prefix}_ENTRY") or "app"


def search_dir(
    environ: Mapping[str, str], env_prefix: str = "AMPHO", default: str | None = None
) -> str:
    """The directory put first on :data:`sys.path` so the entry bundle
    imports: ``AMPHO_ROOT``, else ``default``, else the current
    directory, as ``flask`` finds ``app.py`` there.

    :param default: where to look when ``AMPHO_ROOT`` is not set, if not
        the current directory: pytest's ``rootdir`` for the plugin.
    """
    return environ_root(environ, env_prefix) or default or current_dir()


def find_root(entry: str) -> str:
    """The root directory when none is named: the project directory of the
    entry bundle (:func:`project_dir`), else the current directory.

    This is the one rule every part of Ampho uses (``load()``, the
    application factory, the ``ampho`` command, ``ampho.main`` and
    Gunicorn's logger class), so they all read the same instance
    directory. ``docs/configuration.rst`` explains it.
    """
    package_dir = entry_package_dir(entry)
    found = project_dir(package_dir) if package_dir is not None else None
    return found or current_dir()


def project_dir(package_dir: str) -> str | None:
    """The project directory of a package, or ``None`` if it is installed.

    The directory that holds the package, or for the *src layout*
    (``<project>/src/<package>``, imported through ``PYTHONPATH=src`` or an
    editable install; see :func:`_is_src_layout`) the one above ``src``. A
    package in an import
    location that is not a project's (site-packages, the standard
    library) has none: Ampho must never put ``instance/`` or ``log/``
    there.
    """
    parent = os.path.dirname(os.path.abspath(package_dir))
    if import_location(parent) is not None:
        return None
    if os.path.basename(parent) == "src" and _is_src_layout(parent):
        return os.path.dirname(parent)
    return parent


def _is_src_layout(src: str) -> bool:
    """Whether a directory called ``src`` is a src layout's, not a project's.

    A project may well live in a directory called ``src`` (an image's
    ``WORKDIR /src``): it is one when it holds ``instance/``, or when the
    directory above shows no sign of a project (``instance/``,
    ``pyproject.toml``, ``setup.py`` or ``setup.cfg``).
    """
    if os.path.isdir(os.path.join(src, "instance")):
        return False
    project = os.path.dirname(src)
    markers = ("instance", "pyproject.toml", "setup.py", "setup.cfg")
    return any(os.path.exists(os.path.join(project, name)) for name in markers)


def import_location(path: str) -> str | None:
    """What installation directory ``path`` is in, if it is in one:
    ``"site-packages"``, ``"dist-packages"`` or ``"the standard library"``.

    Told by the names alone, which costs no import: the directories
    ``pip`` installs into are called so on every platform (Debian's are
    ``dist-packages``), and the standard library is where :mod:`os` is.
    """
    parts = os.path.normcase(os.path.abspath(path)).split(os.sep)
    for name in ("site-packages", "dist-packages"):
        if name in parts:
            return name
    stdlib = os.path.normcase(os.path.dirname(os.path.abspath(os.__file__)))
    joined = os.sep.join(parts)
    if joined == stdlib or joined.startswith(stdlib + os.sep):
        return "the standard library"
    return None


def refuse_import_location(root: str) -> None:
    """Refuse a root directory inside an installation directory.

    Ampho creates the instance directory, its ``secret_key`` and the log
    directory under the root: files written into site-packages or the
    standard library would outlive the project, be shared by every
    program using that Python, and vanish with the next upgrade.

    :raises ConfigError: naming the directory and what to do.
    """
    where = import_location(root)
    if where is not None:
        raise ConfigError(
            f"the root directory {root} is inside {where}: run from the project's"
            " directory, or name it with --root or AMPHO_ROOT"
        )


def instance_path(
    root: str,
    instance_dir: str | os.PathLike[str] | None,
    environ: Mapping[str, str],
    env_prefix: str = "AMPHO",
) -> str:
    """The absolute instance directory: ``instance_dir``, else
    ``AMPHO_INSTANCE_DIR``, else ``<root>/instance``.

    A relative name is relative to the root, as the default is. Only the
    default may be missing (the application factory creates it): a
    directory that was named and is not there is a mistyped mount or
    variable, and loading nothing from it would start the application on
    its defaults without a word.

    :raises ConfigError: naming the variable or argument, when a named
        directory does not exist or is not a directory.
    """
    source = "instance_dir"
    if instance_dir is None:
        source = f"{env_prefix}_INSTANCE_DIR"
        instance_dir = environ.get(source) or None
        if instance_dir is None:
            return os.path.join(root, "instance")
    path = os.path.abspath(os.path.join(root, instance_dir))
    if not os.path.isdir(path):
        what = "is not a directory" if os.path.exists(path) else "does not exist"
        given = os.fspath(instance_dir)
        shown = repr(given) if os.path.isabs(given) else f"{given!r} ({path})"
        raise ConfigError(
            f"{shown} {what}: name the directory the settings files are in"
            " (absolute, or relative to the root directory)",
            source=source,
        )
    return path


def environ_root(environ: Mapping[str, str], env_prefix: str = "AMPHO") -> str | None:
    """``AMPHO_ROOT`` as an absolute path, or ``None`` when it is unset or empty.

    :raises ConfigError: naming the variable, when it names no
        directory: a typo in a service file would otherwise load no
        settings at all, without a word.
    """
    name = f"{env_prefix}_ROOT"
    value = environ.get(name)
    if not value:
        return None
    root = os.path.abspath(value)
    if not os.path.isdir(root):
        raise ConfigError(
            f"{value!r} is not a directory: set it to the application's root directory",
            source=name,
        )
    return root


def entry_package_dir(entry: str) -> str | None:
    """The directory of the entry bundle's package, found on
    :data:`sys.path` without importing it, as bundle discovery finds it
    (:func:`ampho.packages.package_dir`); ``None`` if there is none.

    A name of the standard library is never a bundle: it is refused here,
    before anything is imported, as :func:`ampho.bundle.import_bundle`
    refuses it, so the configuration commands and the application agree.
    So is a name that is no package name (``this.x``), which looking up
    would import ``this``.
    """
    import sys

    if not entry.isidentifier() or entry in sys.stdlib_module_names:
        # Imported only to say why, so a plain load does not pay for it.
        from ..bundle import BundleError, check_bundle_name

        try:
            check_bundle_name(entry)
        except BundleError as e:
            raise ConfigError(str(e)) from None
    return package_dir(entry)


def current_dir() -> str:
    """:func:`os.getcwd`, or a :class:`ConfigError` if it was deleted."""
    try:
        return os.getcwd()
    except FileNotFoundError:
        raise ConfigError(
            "the current directory no longer exists; give the root directory"
        ) from None


def check_name(what: str, value: str) -> None:
    """Refuse a name that cannot become part of a file name as it is.

    ASCII letters, digits, ``.``, ``_`` and ``-``, starting with a letter
    or digit: no separator and no leading dot, so no variable can reach
    outside the instance directory. Tested with string methods, not a
    regular expression, whose compiling would cost every cold ``load()``.
    """
    if not (
        isinstance(value, str)
        and value.isascii()
        and value[:1].isalnum()
        and all(c.isalnum() or c in "._-" for c in value)
    ):
        raise ConfigError(
            f"invalid {what} name {value!r}: use letters, digits, '.', '_' and '-',"
            " starting with a letter or digit"
        )


def _login_name(environ: Mapping[str, str]) -> str | None:
    """The user name as :func:`getpass.getuser` finds it, or ``None``.

    The same lookup (``LOGNAME``, ``USER``, ``LNAME``, ``USERNAME``, then
    the password database), but in ``environ``, which :func:`load` reads
    instead of :data:`os.environ` for every lookup: ``getpass`` reads
    :data:`os.environ` whatever the caller said, so ``load(environ={})``
    would still pick ``$LOGNAME@host.json``. A container often runs as a
    user id with no name; that skips the ``user@host`` layer rather than
    refusing to start.
    """
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        value = environ.get(name)
        if value:
            return value
    try:
        import pwd
    except ImportError:  # pragma: no cover (Windows)
        return None
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return None


def _host_name() -> str:
    """The host name, as :func:`socket.gethostname` gives it.

    ``os.uname()`` reads the same kernel field without importing
    :mod:`socket`, which matters to a command that starts often.
    """
    if hasattr(os, "uname"):
        return os.uname().nodename
    import socket  # pragma: no cover (Windows)

    return socket.gethostname()  # pragma: no cover


def display_path(path: str, root: str) -> str:
    """Show a path relative to the root directory when it is inside it."""
    relative = os.path.relpath(path, root)
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return path
    return relative.replace(os.sep, "/")
