"""The application factory: a Flask application from an entry bundle."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping, Sequence
from types import ModuleType
from typing import Any, TypeVar

import flask
from flask import Flask, current_app, send_from_directory
from werkzeug.security import safe_join

from ..bundle import Bundle, BundleError, add_to_path, override_folders, resolve
from ..config import Config, ConfigError
from ..config.paths import Location, entry_from_environ, environ_root, locate
from ..config.tooling import bundle_settings, load_at
from ..logging import setup as setup_logging
from .commands import bundle_group, commands_by_module
from .instance import (
    FALLBACKS_FILE,
    SECRET_KEY_FILE,
    instance_fallback_keys,
    instance_secret_key,
    make_instance_dir,
)
from .routing import make_blueprint, routes_by_module
from .templating import BundleEnvironment, BundleLoader

T = TypeVar("T")


class State:
    """What Ampho keeps about an application, at ``app.extensions["ampho"]``."""

    def __init__(self, config: Config, bundles: Sequence[Bundle]) -> None:
        #: The loaded configuration, with where each value came from: the
        #: record of the start's one load, which never changes. What the
        #: application runs with is ``app.config``, filled from it, which
        #: hooks and extensions may change as in any Flask application.
        self.config = config
        #: The bundles, in load order: the entry bundle is the last.
        self.bundles = list(bundles)
        #: :meth:`owner`'s answers by module name: asked at every render.
        self.owners: dict[str, Bundle | None] = {}

    def owner(self, module_name: str) -> Bundle | None:
        """The bundle whose package holds a module, the innermost if one
        bundle's package is inside another's; ``None`` if none does.

        Remembered, as the bundles are fixed: :func:`~ampho.render` asks
        it at every call, for the module that called.
        """
        try:
            return self.owners[module_name]
        except KeyError:
            owners = [bundle for bundle in self.bundles if bundle.owns(module_name)]
            owner = max(owners, key=lambda bundle: len(bundle.name)) if owners else None
            self.owners[module_name] = owner
            return owner

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


def settings(cls: type[T], key: str | None = None) -> T:
    """The current application's settings declared with ``cls`` in a
    bundle's ``SETTINGS``, as an instance of ``cls``
    (:meth:`Config.bind <ampho.config.Config.bind>` of its load), in an
    application or request context::

        @route("/contact")
        def contact():
            mail = ampho.settings(Mail)
            return f"Write to {mail.SENDER}"

    The instance is made once per application, from the settings as
    loaded and validated at the start, and is frozen: a hook that
    changes ``app.config`` later does not change it.

    :param key: the top-level key, needed only for a class declared
        under more than one.
    :raises RuntimeError: outside an application context, or for an
        application that :func:`create_app` did not make.
    :raises LookupError: if no bundle declares ``cls``.
    """
    state = current_app.extensions.get("ampho")
    if not isinstance(state, State):
        raise RuntimeError(
            f"the current application {current_app.name!r} was not made by ampho.create_app"
        )
    return state.config.bind(cls, key)


def entry_name(entry: str | None = None) -> str:
    """The entry bundle: the argument, else ``AMPHO_ENTRY``, else ``app``."""
    return entry or entry_from_environ(os.environ)


def create_app(
    entry: str | None = None,
    *,
    root_dir: str | os.PathLike[str] | None = None,
    env: str | None = None,
    instance_dir: str | os.PathLike[str] | None = None,
    config: Mapping[str, Any] | str | object | None = None,
) -> Flask:
    """Build a Flask application from its entry bundle.

    :param entry: the entry bundle's package name. Defaults to
        ``AMPHO_ENTRY``, then ``"app"``.
    :param root_dir: the root directory, put on :data:`sys.path` so the
        bundles in it import. Defaults to ``AMPHO_ROOT``, then the project
        directory of the entry bundle's package (the directory holding
        it, or the one above ``src/``), then, for an installed entry
        bundle, the current directory: the rule of
        :func:`ampho.config.load`. A root in site-packages or the
        standard library is refused.
    :param env: the environment, as for :func:`ampho.config.load`.
    :param instance_dir: the instance directory, absolute or relative to
        the root: Flask's :attr:`~flask.Flask.instance_path`, where the
        settings files are read and ``secret_key`` is kept. Defaults to
        ``AMPHO_INSTANCE_DIR``, then ``<root>/instance``, which is
        created when missing; a directory named must exist.
    :param config: settings above every layer, such as
        ``{"TESTING": True}`` in tests: a mapping, shown as the layer
        ``overrides``; or whatever Flask's
        :meth:`~flask.Config.from_object` takes, read by it: a class, a
        module or an instance, whose uppercase attributes are the
        settings, or an import string naming one
        (``"tests.settings.TestingConfig"``), shown as the layer
        ``config=tests.settings.TestingConfig``.
    :raises BundleError: if a bundle is missing or wrongly declared.
    :raises SettingsInvalid: (a :exc:`ConfigError`) listing every
        setting that breaks the bundles' ``schema.json`` or Ampho's own.
    :raises ConfigError: if the configuration cannot be loaded, the
        import string of ``config`` cannot be imported, a
        ``LOG_*`` setting is wrong (logging is set up from it first),
        ``AMPHO_ROOT`` names no directory, a named instance directory is
        missing, the default one cannot be created, or its
        ``secret_key`` cannot be read or written when no setting gives
        ``SECRET_KEY``: one line naming the path and what to do.
    """
    entry = entry_name(entry)
    if root_dir is None:
        root_dir = environ_root(os.environ)
    if root_dir is not None:
        root_dir = os.path.abspath(root_dir)
        add_to_path(root_dir)
    overrides_name, overrides = _overrides(config)
    bundles = resolve(entry)
    main = bundles[-1]
    # Where the application is, as load() decides it, from the package
    # just imported; a named instance directory must exist (locate says
    # so), only the default is created.
    location = locate(root_dir, env, instance_dir=instance_dir, entry=entry)
    root, instance = location.root_dir, location.instance_dir
    make_instance_dir(instance, root)

    cfg = load_for(bundles, location, overrides=overrides, overrides_name=overrides_name)
    # Generated only when no layer sets the key at all: a null or empty
    # key written in a file is the user's choice, and Flask will say so.
    # Only the load can tell, so the key is added to it as the lowest
    # layer: nothing is read twice, and every layer still wins over it.
    if "SECRET_KEY" not in cfg:
        key = instance_secret_key(instance, root)
        shown = location.display(os.path.join(instance, SECRET_KEY_FILE))
        cfg = cfg.beneath(f"{shown} (generated)", {"SECRET_KEY": key})
        # The keys before the last `ampho secret-key rotate`, unless a
        # layer lists its own: sessions they signed still read.
        fallbacks = instance_fallback_keys(instance, root)
        if fallbacks and "SECRET_KEY_FALLBACKS" not in cfg:
            shown = location.display(os.path.join(instance, FALLBACKS_FILE))
            cfg = cfg.beneath(shown, {"SECRET_KEY_FALLBACKS": fallbacks})

    setup_logging(cfg, name=entry, bundles=[bundle.name for bundle in bundles])

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


def _overrides(config: object) -> tuple[str, Mapping[str, Any] | None]:
    """The name of the top layer, and its settings, from ``create_app``'s
    ``config``.

    A mapping is taken as it is. Anything else is read by Flask's own
    :meth:`~flask.Config.from_object`, so a config class, module or
    import string that a Flask factory took gives the same settings
    here; the layer is named after it, so that ``config dump --explain``
    and the origins say where each setting came from.

    :raises ConfigError: for an import string that cannot be imported,
        in one line naming it.
    """
    if config is None or isinstance(config, Mapping):
        return "overrides", config
    settings = flask.Config(os.curdir)  # the root path serves from_pyfile only
    try:
        settings.from_object(config)
    except ImportError as e:  # Werkzeug's ImportStringError, holding the cause
        reason = getattr(e, "exception", e)
        raise ConfigError(f"cannot import {config!r}: {reason}", source="config") from e
    return f"config={_object_name(config)}", dict(settings)


def _object_name(config: object) -> str:
    """``tests.settings.TestingConfig``: an import string, a module or a
    class by its name; an instance by its class's, called."""
    if isinstance(config, str):
        return config
    if isinstance(config, ModuleType):
        return config.__name__
    if isinstance(config, type):
        return f"{config.__module__}.{config.__qualname__}"
    return f"{_object_name(type(config))}()"


def _declared(bundle: Bundle) -> Counter[str]:
    """How many routes and commands each module of a bundle declares."""
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
    location: Location,
    *,
    overrides: Mapping[str, Any] | None = None,
    overrides_name: str = "overrides",
) -> Config:
    """Load the configuration with the bundles' settings: their defaults
    (``SETTINGS`` classes, ``default.json``) beneath the instance files,
    and their schemas (after Ampho's own) to validate the result against
    (:func:`~ampho.config.tooling.bundle_settings`); ``overrides`` on
    top, in a layer called ``overrides_name``.

    :raises SettingsInvalid: listing every violation of the schemas.
    """
    defaults, schemas = bundle_settings(bundles)
    return load_at(
        location,
        defaults=defaults,
        overrides=overrides,
        schemas=schemas,
        bundles=False,
        overrides_name=overrides_name,
    )


def _holds(folder: str, filename: str) -> bool:
    """Whether ``folder`` holds the file ``filename``, a path that stays in it."""
    path = safe_join(folder, filename)
    return path is not None and os.path.isfile(path)


def _serve_static(app: Flask, bundle: Bundle) -> None:
    """Serve a bundle's ``static/`` at ``/static/<bundle>/``, under the
    application's overrides: a file in ``<entry>/static/<bundle>/`` is
    served in place of the bundle's file of that name.

    The rule is the application's, not the blueprint's, so a bundle's
    ``URL_PREFIX`` does not move its static files; the endpoint is
    ``<bundle>.static`` all the same. It is made when the bundle has a
    ``static/`` or the application has overrides for it at the start; an
    override added later is served without a restart, as Flask serves a
    file added to its static folder. Each folder is read with
    :func:`~flask.send_from_directory`, which refuses a path that leaves it.
    """
    entry = app.extensions["ampho"].entry
    folders = override_folders(entry, bundle, "static")
    if bundle.static_folder is not None:
        folders.append(bundle.static_folder)
    elif not (folders and os.path.isdir(folders[0])):
        return

    def static(filename: str) -> Any:
        max_age = app.get_send_file_max_age(filename)
        # The override is served if there is one: one stat, where trying
        # to send it would raise and catch a NotFound for every file the
        # application does not override.
        folder = next((f for f in folders[:-1] if _holds(f, filename)), folders[-1])
        return send_from_directory(folder, filename, max_age=max_age)

    app.add_url_rule(
        f"/static/{bundle.name}/<path:filename>", endpoint=f"{bundle.name}.static", view_func=static
    )
