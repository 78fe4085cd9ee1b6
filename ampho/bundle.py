"""Bundles: the packages an Ampho application is made of.

A bundle is a regular Python package. What it holds is found by name:
``views`` and ``commands`` modules, a ``tpl/`` folder of templates, a
``static/`` folder, a ``default.json`` of default settings and a
``schema.json`` declaring them. Module
attributes tune it: ``REQUIRES`` (the bundles it needs), ``SETTINGS``
(its settings declared as classes, read by :mod:`ampho.config.classes`), ``URL_PREFIX``,
``SUBDOMAIN``, ``CLI_GROUP`` and ``CLI_HELP``; functions ``on_register``
and ``on_load`` are its hooks.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from collections.abc import Mapping, Sequence
from types import ModuleType
from typing import Any, TypeVar

from .errors import AmphoError
from .packages import find_spec, is_regular_package

T = TypeVar("T")

#: Ampho's own schema, the ``LOG_*`` keys, which every application has:
#: shipped, and tested valid, so it is not checked again at every start.
AMPHO_SCHEMA_PATH = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "logging", "schema.json"
)


class BundleError(AmphoError):
    """A bundle cannot be found or its declarations are wrong.

    The message is one line that names the bundles involved, such as
    ``circular requirement: app -> a -> b -> app``.
    """

    def __init__(self, message: str, *, missing: str | None = None) -> None:
        super().__init__(message)
        #: The name of the bundle that could not be found, if that is the error.
        self.missing = missing


class Bundle:
    """One bundle of an application: its package and what it holds.

    Bundles are made by the application factory, one per package and
    application, in load order; they are kept, in that order, in
    ``app.extensions["ampho"].bundles``. A template rendered with
    :func:`ampho.render` receives the calling bundle as ``_bundle``.
    """

    def __init__(self, module: ModuleType, requires: tuple[str, ...]) -> None:
        #: The bundle's package.
        self.module = module
        #: The bundle's name: the name of its package.
        self.name: str = module.__name__
        #: The bundles this one needs, as declared in ``REQUIRES``.
        self.requires = requires
        #: The directory of the package.
        self.path: str = os.path.dirname(os.path.abspath(module.__file__ or ""))
        #: Passed to the bundle's blueprint.
        self.url_prefix: str | None = getattr(module, "URL_PREFIX", None)
        #: Passed to the bundle's blueprint.
        self.subdomain: str | None = getattr(module, "SUBDOMAIN", None)
        #: The name of the bundle's command group.
        self.cli_group: str = getattr(module, "CLI_GROUP", None) or self.name
        #: The help of the bundle's command group.
        self.cli_help: str | None = getattr(module, "CLI_HELP", None)

    def __repr__(self) -> str:
        return f"<Bundle {self.name!r} at {self.path!r}>"

    def _child(self, name: str) -> str | None:
        path = os.path.join(self.path, name)
        return path if os.path.exists(path) else None

    @property
    def template_folder(self) -> str | None:
        """The bundle's ``tpl/`` directory, if it has one."""
        folder = self._child("tpl")
        return folder if folder and os.path.isdir(folder) else None

    @property
    def static_folder(self) -> str | None:
        """The bundle's ``static/`` directory, if it has one."""
        folder = self._child("static")
        return folder if folder and os.path.isdir(folder) else None

    def _settings_file(self, name: str) -> str | None:
        # Anything by that name, a dangling link or a FIFO included, is
        # meant as the file: reading it then says what is wrong with it.
        path = os.path.join(self.path, name)
        return path if os.path.lexists(path) else None

    @property
    def defaults_file(self) -> str | None:
        """The bundle's ``default.json``, if it has one."""
        return self._settings_file("default.json")

    @property
    def schema_file(self) -> str | None:
        """The bundle's ``schema.json``, if it has one."""
        return self._settings_file("schema.json")

    def has_module(self, name: str) -> bool:
        """Whether the bundle has a submodule ``name`` (``views``, ``commands``)."""
        return importlib.util.find_spec(f"{self.name}.{name}") is not None

    def import_module(self, name: str) -> ModuleType | None:
        """Import the bundle's submodule ``name`` if it has one.

        An :exc:`ImportError` raised while the submodule runs is not
        taken for a missing submodule: it propagates with its traceback.
        """
        if not self.has_module(name):
            return None
        return importlib.import_module(f"{self.name}.{name}")

    def call_hook(self, name: str, app: Any) -> None:
        """Call the bundle's ``on_register`` or ``on_load`` if defined.

        A hook takes the application as its one positional parameter, or
        no parameter at all. It gets the real application object, not
        Flask's ``current_app`` proxy: extensions such as Flask-SQLAlchemy
        keep the application in a weak mapping, which a proxy cannot key.

        :raises BundleError: if the hook cannot be called either way. The
            signature is checked before the call, so a :exc:`TypeError`
            raised inside the hook is the hook's own and propagates.
        """
        import inspect

        hook = getattr(self.module, name, None)
        if hook is None:
            return
        if not callable(hook):
            raise BundleError(
                f"{name} of bundle {self.name!r} must be a function, not {type(hook).__name__}"
            )
        if inspect.iscoroutinefunction(hook):
            # Called, it would return a coroutine that nobody awaits.
            raise BundleError(f"{name} of bundle {self.name!r} must be a plain function, not async")
        try:
            # The wrapper's own signature is the one that gets called.
            signature = inspect.signature(hook, follow_wrapped=False)
        except (TypeError, ValueError):  # a builtin without one, say
            raise BundleError(
                f"{name} of bundle {self.name!r} must be a function whose parameters can be read"
            ) from None
        for args in ((app,), ()):
            try:
                signature.bind(*args)
            except TypeError:
                continue
            hook(*args)
            return
        raise BundleError(
            f"{name} of bundle {self.name!r} must take the application as its one"
            f" parameter, or no parameter: it is {name}{signature}"
        )

    def owns(self, module_name: str) -> bool:
        """Whether a module belongs to this bundle's package."""
        return module_name == self.name or module_name.startswith(self.name + ".")


#: Where the entry bundle overrides another bundle's files: for each
#: folder of a bundle, the entry bundle's folders whose subfolder named
#: after the bundle stands in for it, the first found winning. Ampho's
#: ``tpl/``, then Flask's ``templates/``; ``static/``.
OVERRIDES: dict[str, tuple[str, ...]] = {"tpl": ("tpl", "templates"), "static": ("static",)}


def override_folders(entry: Bundle, bundle: Bundle, kind: str) -> list[str]:
    """Where the application overrides ``bundle``'s ``kind`` of files
    (``tpl`` or ``static``), first wins: ``<entry>/tpl/<bundle>/``, then
    ``<entry>/templates/<bundle>/`` for templates; ``<entry>/static/<bundle>/``.

    They need not exist: a folder made while the application runs is
    found, as an edited template is. The entry bundle has none, since its
    ``tpl/<entry>/`` is only a subfolder of its own templates. The template
    loader, the static files' view and ``ampho bundles`` all ask here.
    """
    if bundle is entry:
        return []
    return [os.path.join(entry.path, folder, bundle.name) for folder in OVERRIDES[kind]]


def add_to_path(directory: str) -> None:
    """Put a directory first on :data:`sys.path`, once, so the bundles in it import."""
    if directory not in sys.path:
        sys.path.insert(0, directory)


def declarations(
    bundle: Bundle, registry: Mapping[ModuleType, Sequence[T]]
) -> dict[str, Sequence[T]]:
    """What a bundle's modules declared in a registry, by module name.

    Routes and commands are recorded per module object, so every
    application built in a process gets them all. Only a module imported
    now counts: one forgotten by :data:`sys.modules` (and imported anew,
    as tests do) may live on a while in the registry.
    """
    return {
        module.__name__: items
        for module, items in list(registry.items())
        if bundle.owns(module.__name__) and sys.modules.get(module.__name__) is module
    }


def check_bundle_name(name: str) -> None:
    """Refuse a name that cannot be a bundle's, before anything is imported.

    A bundle is a top-level package of the project. A name of the
    standard library is refused even when the project has a package of
    that name: the standard library's module is often imported already
    (``email`` is, by Werkzeug), so the application would get it while a
    script got the project's; importing ``this`` or ``antigravity`` does
    things of its own.

    :raises BundleError: saying what is wrong with the name.
    """
    if not name or "." in name or not name.isidentifier():
        raise BundleError(f"invalid bundle name {name!r}: use a top-level package name")
    if name in sys.stdlib_module_names:
        raise BundleError(
            f"bundle name {name!r} is taken by the standard library's module {name!r}:"
            " rename the package"
        )


def import_bundle(name: str, required_by: str | None = None) -> ModuleType:
    """Import a bundle's package.

    The package is found before it is imported, so a module that is not a
    package is refused without running it. A package of that name already
    imported from elsewhere than :data:`sys.path` now finds it (a library
    the application imported first) is refused too: the application and a
    script reading its settings must take the same package for the bundle.

    :raises BundleError: for a name :func:`check_bundle_name` refuses, if
        there is no such package (and not because something inside it
        failed to import), or it is not a package, or it is shadowed.
    """
    check_bundle_name(name)
    where = f" (required by {required_by!r})" if required_by else ""
    spec = find_spec(name)
    if spec is None:
        close = _close_sibling(name, required_by)
        hint = f"; did you mean {close!r}?" if close else ""
        raise BundleError(
            f"no bundle named {name!r}{where}: no such package on sys.path{hint}", missing=name
        )
    if spec.submodule_search_locations is None:
        raise BundleError(f"bundle {name!r} is a module, not a package: {spec.origin}")
    if spec.origin is None or not is_regular_package(spec):
        raise BundleError(
            f"no bundle named {name!r}: {next(iter(spec.submodule_search_locations))}"
            " has no __init__.py",
            missing=name,
        )
    imported = sys.modules.get(name)
    imported_from = getattr(getattr(imported, "__spec__", None), "origin", None)
    if imported is not None and not _same_file(imported_from, spec.origin):
        raise BundleError(
            f"bundle {name!r} is {spec.origin}, but a module {name!r} from {imported_from}"
            " was imported first: rename the package"
        )
    return importlib.import_module(name)


def _close_sibling(name: str, required_by: str | None) -> str | None:
    """A package beside the requiring bundle whose name is close to
    ``name``: ``REQUIRES = ["blgo"]`` next to ``blog/`` is a typo. Only
    the requiring bundle's own directory is looked at, which is read in
    one listing, and only when a bundle is missing."""
    path = getattr(sys.modules.get(required_by or ""), "__file__", None)
    if not path:
        return None
    import difflib

    parent = os.path.dirname(os.path.dirname(os.path.abspath(path)))
    try:
        with os.scandir(parent) as entries:
            names = [
                entry.name
                for entry in entries
                if entry.name.isidentifier()
                and entry.name not in sys.stdlib_module_names
                and os.path.isfile(os.path.join(entry.path, "__init__.py"))
            ]
    except OSError:
        return None
    found = difflib.get_close_matches(name, names, n=1)
    return found[0] if found else None


def _same_file(first: str | None, second: str) -> bool:
    """Whether two origins are one file, under whatever names: a deploy
    directory reached through a symbolic link (``/srv/current``) is on
    :data:`sys.path` as Gunicorn's ``$PWD`` gives it, and again as the
    real path :func:`os.getcwd` gives."""
    if first == second:
        return True
    try:
        return first is not None and os.path.samefile(first, second)
    except OSError:
        return False


def _requires(module: ModuleType) -> tuple[str, ...]:
    requires: Any = getattr(module, "REQUIRES", ())
    if not isinstance(requires, (list, tuple)) or not all(isinstance(r, str) for r in requires):
        raise BundleError(
            f"REQUIRES of bundle {module.__name__!r} must be a list or tuple of bundle"
            f" names, not {requires!r}"
        )
    return tuple(requires)


def resolve(entry: str) -> list[Bundle]:
    """Import the entry bundle and, transitively, what it requires.

    :return: the bundles in load order: dependencies before dependants,
        siblings in the order they are declared, each bundle once.
    :raises BundleError: for a missing bundle, a circular requirement or
        a malformed ``REQUIRES``.
    """
    order: list[Bundle] = []
    done: set[str] = set()

    def visit(name: str, chain: list[str]) -> None:
        if name in done:
            return
        if name in chain:
            cycle = [*chain[chain.index(name) :], name]
            raise BundleError(f"circular requirement: {' -> '.join(cycle)}")
        module = import_bundle(name, chain[-1] if chain else None)
        requires = _requires(module)
        for required in requires:
            visit(required, [*chain, name])
        done.add(name)
        order.append(Bundle(module, requires))

    visit(entry, [])
    return order
