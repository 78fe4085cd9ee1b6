"""The application factory."""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from flask import Flask, send_from_directory

from .bundle import Bundle, resolve
from .config import Config, load
from .logging import setup as setup_logging
from .routing import make_blueprint
from .templating import BundleEnvironment, BundleLoader

#: The file the generated secret key is kept in, in the instance directory.
SECRET_KEY_FILE = "secret_key"


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


def add_to_path(directory: str) -> None:
    """Put a directory first on :data:`sys.path`, once."""
    if directory not in sys.path:
        sys.path.insert(0, directory)


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
    :raises ConfigError: if the configuration cannot be loaded, or a
        ``LOG_*`` setting is wrong (logging is set up from it first).
    """
    entry = entry_name(entry)
    if root_dir is None:
        root_dir = os.environ.get("AMPHO_ROOT") or None
    if root_dir is not None:
        root_dir = os.path.abspath(root_dir)
        add_to_path(root_dir)
    bundles = resolve(entry)
    main = bundles[-1]
    root = root_dir if root_dir is not None else os.path.dirname(main.path)
    instance = os.path.join(root, "instance")
    os.makedirs(instance, exist_ok=True)

    cfg = load_for(bundles, root, env, overrides=config)
    # Generated only when no layer sets the key at all: a null or empty
    # key written in a file is the user's choice, and Flask will say so.
    if "SECRET_KEY" not in cfg:
        cfg = load_for(bundles, root, env, overrides=config, secret_key=secret_key(instance))

    setup_logging(cfg, name=entry)

    # The root path is the entry bundle's package, so Flask's defaults
    # hold as in a plain Flask app: its `templates/` folder, and its
    # `static/` served at /static (endpoint "static") when it exists.
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
            bundle.call_hook("on_load", app)
    return app


def load_for(
    bundles: Sequence[Bundle],
    root: str,
    env: str | None,
    *,
    overrides: Mapping[str, Any] | None = None,
    secret_key: str | None = None,
) -> Config:
    """Load the configuration with the bundles' defaults beneath it.

    A generated ``secret_key`` goes lowest of all, so that any layer that
    sets ``SECRET_KEY`` wins over it.
    """
    defaults: list[Any] = []
    if secret_key is not None:
        defaults.append(("instance/secret_key (generated)", {"SECRET_KEY": secret_key}))
    defaults.extend(bundle_defaults(bundles))
    return load(root, env, defaults=defaults, overrides=overrides)


def bundle_defaults(bundles: Sequence[Bundle]) -> list[tuple[str, str]]:
    """``(name, path)`` of the bundles' ``default.json`` files, in load order."""
    return [
        (f"{bundle.name}/default.json", bundle.defaults_file)
        for bundle in bundles
        if bundle.defaults_file is not None
    ]


def secret_key(instance: str) -> str:
    """The application's generated secret key, made on first use.

    It is kept in ``<instance>/secret_key`` with mode 0600, so sessions
    survive restarts and every worker of a server shares it. The file is
    written under a temporary name and linked into place, which fails if
    another process got there first; then that process's key is used.
    """
    path = os.path.join(instance, SECRET_KEY_FILE)
    try:
        with open(path, encoding="ascii") as f:
            existing = f.read().strip()
    except FileNotFoundError:
        existing = ""
    if existing:
        return existing
    key = secrets.token_hex(32)
    temporary = f"{path}.{os.getpid()}.{secrets.token_hex(4)}"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as f:
            f.write(key + "\n")
        try:
            os.link(temporary, path)
        except FileExistsError:
            with open(path, encoding="ascii") as f:
                return f.read().strip()
    finally:
        os.unlink(temporary)
    return key


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
