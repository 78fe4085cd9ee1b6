"""The application factory."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from flask import Flask, send_from_directory

from .bundle import Bundle, BundleError, add_to_path, resolve, settings_files
from .config import Config, ConfigError, load
from .config.jsonfile import position, read_regular_file
from .config.loader import display_path, environ_root
from .logging import setup as setup_logging
from .routing import make_blueprint, routes_by_module
from .templating import BundleEnvironment, BundleLoader

#: The file the generated secret key is kept in, in the instance directory.
SECRET_KEY_FILE = "secret_key"

#: More than a key file ever needs to hold; a larger file is not a key.
SECRET_KEY_MAX_BYTES = 4096


class State:
    """What Ampho keeps about an application, at ``app.extensions["ampho"]``."""

    def __init__(self, config: Config, bundles: Sequence[Bundle]) -> None:
        #: The loaded configuration, with where each value came from.
        self.config = config
        #: The bundles, in load order: the entry bundle is the last.
        self.bundles = list(bundles)

    @property
    def entry(self) -> Bundle:
        """The entry bundle."""
        return self.bundles[-1]

    def bundle(self, name: str) -> Bundle:
        """The bundle called ``name``; :exc:`KeyError` if there is none."""
        for bundle in self.bundles:
            if bundle.name == name:
                return bundle
        raise KeyError(name)


def entry_name(entry: str | None = None) -> str:
    """The entry bundle: the argument, else ``AMPHO_ENTRY``, else ``app``."""
    return entry or os.environ.get("AMPHO_ENTRY") or "app"


def create_app(
    entry: str | None = None,
    *,
    root_dir: str | os.PathLike[str] | None = None,
    env: str | None = None,
    config: Mapping[str, Any] | None = None,
) -> Flask:
    """Build a Flask application from its entry bundle.

    :param entry: the entry bundle's package name. Defaults to
        ``AMPHO_ENTRY``, then ``"app"``.
    :param root_dir: the root directory, put on :data:`sys.path` so the
        bundles in it import. Defaults to ``AMPHO_ROOT``, then the parent
        directory of the entry bundle's package.
    :param env: the environment, as for :func:`ampho.config.load`.
    :param config: settings above every layer, such as
        ``{"TESTING": True}`` in tests.
    :raises BundleError: if a bundle is missing or wrongly declared.
    :raises SettingsInvalid: (a :exc:`ConfigError`) listing every
        setting that breaks the bundles' ``schema.json`` or Ampho's own.
    :raises ConfigError: if the configuration cannot be loaded, a
        ``LOG_*`` setting is wrong (logging is set up from it first),
        ``AMPHO_ROOT`` names no directory, the instance directory cannot
        be created, or ``instance/secret_key`` cannot be read or written
        when no setting gives ``SECRET_KEY``: one line naming the path
        and what to do.
    """
    entry = entry_name(entry)
    if root_dir is None:
        root_dir = environ_root(os.environ)
    if root_dir is not None:
        root_dir = os.path.abspath(root_dir)
        add_to_path(root_dir)
    bundles = resolve(entry)
    main = bundles[-1]
    root = root_dir if root_dir is not None else os.path.dirname(main.path)
    instance = os.path.join(root, "instance")
    make_instance_dir(instance, root)

    cfg = load_for(bundles, root, env, overrides=config)
    # Generated only when no layer sets the key at all: a null or empty
    # key written in a file is the user's choice, and Flask will say so.
    if "SECRET_KEY" not in cfg:
        key = instance_secret_key(instance, root)
        cfg = load_for(bundles, root, env, overrides=config, secret_key=key)

    setup_logging(cfg, name=entry)

    # The root path is the entry bundle's package, so Flask's defaults
    # hold as in a plain Flask app: its `templates/` folder, and its
    # `static/` served at /static (endpoint "static"; like Flask, the rule
    # is there even when the folder is not).
    app = Flask(
        entry,
        root_path=main.path,
        instance_path=instance,
        # Flask matches subdomains only when asked to; a bundle's
        # SUBDOMAIN is that request.
        subdomain_matching=any(bundle.subdomain for bundle in bundles),
    )
    app.jinja_environment = BundleEnvironment
    loader = BundleLoader(bundles, fallback=app.create_global_jinja_loader())
    app.jinja_options = {**app.jinja_options, "loader": loader}
    app.config.from_mapping(cfg.to_dict())
    app.extensions["ampho"] = State(cfg, bundles)

    from .cli import bundle_group

    registered: dict[str, Counter[str]] = {}
    with app.app_context():
        for bundle in bundles:
            bundle.call_hook("on_register", app)
        for bundle in bundles:
            bundle.import_module("views")
            bundle.import_module("commands")
            # Registered before on_load, so the hook finds the bundle's
            # blueprint (for csrf.exempt, say) at app.blueprints[name].
            app.register_blueprint(make_blueprint(bundle))
            _serve_static(app, bundle)
            group = bundle_group(bundle)
            if group is not None:
                app.cli.add_command(group)
            registered[bundle.name] = _declared(bundle)
            bundle.call_hook("on_load", app)
    for bundle in bundles:
        _refuse_late_declarations(bundle, registered[bundle.name])
    return app


def _declared(bundle: Bundle) -> Counter[str]:
    """How many routes and commands each module of a bundle declares."""
    from .cli import commands_by_module

    counts: Counter[str] = Counter()
    for declared in (routes_by_module(bundle), commands_by_module(bundle)):
        counts.update({module: len(items) for module, items in declared.items()})
    return counts


def _refuse_late_declarations(bundle: Bundle, registered: Counter[str]) -> None:
    """Fail if a hook imported routes or commands after they were registered.

    They would be missing from this application and present in the next
    one built in the same process, whose modules are imported already: a
    silent difference that only an error makes visible.
    """
    late = sorted(
        module for module, count in _declared(bundle).items() if count > registered[module]
    )
    if late:
        raise BundleError(
            f"module {late[0]!r} of bundle {bundle.name!r} declared routes or commands"
            f" while a hook ran, after the bundle was registered: import it from"
            f" {bundle.name}.views or {bundle.name}.commands instead"
        )


def load_for(
    bundles: Sequence[Bundle],
    root: str,
    env: str | None,
    *,
    overrides: Mapping[str, Any] | None = None,
    secret_key: str | None = None,
) -> Config:
    """Load the configuration with the bundles' settings files: their
    ``default.json`` beneath the instance files, and their ``schema.json``
    (after Ampho's own) to validate the result against.

    A generated ``secret_key`` goes lowest of all, so that any layer that
    sets ``SECRET_KEY`` wins over it.

    :raises SettingsInvalid: listing every violation of the schemas.
    """
    defaults: list[Any] = []
    if secret_key is not None:
        defaults.append(("instance/secret_key (generated)", {"SECRET_KEY": secret_key}))
    bundle_defaults, schemas = settings_files(bundles)
    defaults.extend(bundle_defaults)
    return load(root, env, defaults=defaults, overrides=overrides, schemas=schemas, bundles=False)


def bundle_defaults(bundles: Sequence[Bundle]) -> list[tuple[str, str]]:
    """``(name, path)`` of the bundles' ``default.json`` files, in load order."""
    return settings_files(bundles)[0]


def make_instance_dir(instance: str, root: str) -> None:
    """Create the instance directory when it is missing.

    :raises ConfigError: naming the directory and what to do, when it
        cannot be created or its name is taken by something else.
    """
    shown = display_path(instance, root)
    try:
        os.makedirs(instance, exist_ok=True)
    except FileExistsError:
        if os.path.islink(instance):
            what = f"is a symbolic link to a missing directory ({os.readlink(instance)})"
            remedy = "create that directory, or replace the link with a directory"
        else:
            what = "is not a directory"
            remedy = "replace it with a directory"
        raise ConfigError(f"{what}; {remedy}", path=instance, source=shown) from None
    except OSError as e:
        raise ConfigError(
            f"cannot be created: {_reason(e)}; create it, or let {_user()} write to"
            f" {os.path.dirname(instance)}",
            path=instance,
            source=shown,
        ) from None


def instance_secret_key(instance: str, root: str) -> str:
    """The key kept in ``<instance>/secret_key``, generated on first use.

    A new key goes into a file of mode 0600, so sessions survive restarts
    and every worker of a server shares it. The file is written under a
    temporary name, flushed to disk and linked into place, which fails
    if another process got there first; then that process's key is used.
    So workers starting at once end with one key, and a crash never
    leaves a partial or empty file under the name.

    A file that is there but cannot be a key (:func:`read_secret_key`)
    is refused, never replaced: Ampho writes no blank file, so somebody
    else did, such as a deploy writing an unset secret into it, and a
    key generated over it would hide that.

    :raises ConfigError: naming the file and what to do.
    """
    path = os.path.join(instance, SECRET_KEY_FILE)
    source = display_path(path, root)
    existing = read_secret_key(path, source)
    if existing is not None:
        return existing
    key = secrets.token_hex(32)
    if _create_key_file(path, source, key):
        return key
    existing = read_secret_key(path, source)
    if existing is None:
        raise ConfigError(
            "was removed while it was being created; start the application again",
            path=path,
            source=source,
        )
    return existing


def read_secret_key(path: str, source: str) -> str | None:
    """The key kept in ``path``; ``None`` when there is no such file.

    The file is read as a layer file is (a FIFO or a device is refused,
    not read), and the key is its one line of printable ASCII, whitespace
    around it aside.

    :param source: how to name the file in errors.
    :raises ConfigError: when the file is there but cannot be a key:
        unreadable, not a regular file, a link to nothing, too large,
        blank, not ASCII, or holding control characters. The message
        never quotes the file's content.
    """
    try:
        data = read_regular_file(path, source)
    except ConfigError as e:
        if os.path.islink(path) and not os.path.exists(path):
            remedy: str | None = f"restore {os.readlink(path)}, which it links to"
        elif os.path.isfile(path) and not os.access(path, os.R_OK):
            remedy = f"make it readable by {_user()}"
        else:
            remedy = None
        raise _key_error(e.message, path, source, remedy) from None
    if data is None:
        return None
    if len(data) > SECRET_KEY_MAX_BYTES:
        raise _key_error(
            f"holds more than {SECRET_KEY_MAX_BYTES} bytes, more than any key", path, source
        )
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError as e:
        line, column = position(data[: e.start].decode("ascii"), e.start)
        raise _key_error("is not ASCII text", path, source, line=line, column=column) from None
    key = text.strip()
    if not key:
        raise _key_error("is empty", path, source, "write a key into it")
    start = len(text) - len(text.lstrip())
    for offset in range(start, start + len(key)):
        if not " " <= text[offset] <= "~":
            line, column = position(text, offset)
            raise _key_error(
                "holds a control character or a line break (a key is one line of printable ASCII)",
                path,
                source,
                line=line,
                column=column,
            )
    return key


def _create_key_file(path: str, source: str, key: str) -> bool:
    """Write a new key file at ``path``; ``False`` if one is already there."""
    temporary = f"{path}.{os.getpid()}.{secrets.token_hex(4)}"
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as e:
        raise _write_error(e, path, source) from None
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as f:
            f.write(key + "\n")
            f.flush()
            # On disk before it has the name: after a power cut the name
            # holds the whole key or does not exist.
            os.fsync(f.fileno())
        os.link(temporary, path)
    except FileExistsError:
        return False
    except OSError as e:
        raise _write_error(e, path, source) from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
    return True


def _key_error(
    what: str,
    path: str,
    source: str,
    remedy: str | None = None,
    *,
    line: int | None = None,
    column: int | None = None,
) -> ConfigError:
    """A key file's error: what is wrong; then what to do about it."""
    remedies = [remedy] if remedy else []
    remedies += ["remove it to have a new key generated", "set SECRET_KEY in the configuration"]
    advice = ", ".join(remedies[:-1]) + ", or " + remedies[-1]
    return ConfigError(f"{what}; {advice}", path=path, source=source, line=line, column=column)


def _write_error(error: OSError, path: str, source: str) -> ConfigError:
    """The error for a key file that could not be created."""
    if error.errno in (errno.EACCES, errno.EPERM):
        remedy = f"let {_user()} write to {os.path.dirname(source) or '.'} for the first start, "
    else:
        remedy = ""
    return ConfigError(
        f"cannot be created: {_reason(error)}; {remedy}put a key in it yourself,"
        " or set SECRET_KEY in the configuration",
        path=path,
        source=source,
    )


def _reason(error: OSError) -> str:
    """What the system said, without the path it quotes."""
    return error.strerror or type(error).__name__


def _user() -> str:
    """The user running the application, as messages name it."""
    if not hasattr(os, "geteuid"):
        return "the user running the application"
    uid = os.geteuid()
    try:
        import pwd

        name = pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return f"the user running the application (uid {uid})"
    return f"the user running the application ({name}, uid {uid})"


def _serve_static(app: Flask, bundle: Bundle) -> None:
    """Serve a bundle's ``static/`` at ``/static/<bundle>/``.

    The rule is the application's, not the blueprint's, so a bundle's
    ``URL_PREFIX`` does not move its static files; the endpoint is
    ``<bundle>.static`` all the same.
    """
    folder = bundle.static_folder
    if folder is None:
        return

    def static(filename: str) -> Any:
        return send_from_directory(folder, filename, max_age=app.get_send_file_max_age(filename))

    app.add_url_rule(
        f"/static/{bundle.name}/<path:filename>", endpoint=f"{bundle.name}.static", view_func=static
    )
