"""Finding the layers of a configuration and merging them."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .environ import apply_environ
from .errors import ConfigError, SettingsInvalid
from .jsonfile import named_item, read_json_file, shown_key
from .mapping import Config
from .merge import copy_tree, merge_into
from .provenance import EnvSource, FileSource, Layer, MappingSource, SecretsSource

if TYPE_CHECKING:
    from .jsonfile import DocumentItem, KeyPath
    from .provenance import Source as AnySource
    from .schema import Schemas
    from .sources import Source

    #: One step of a load: it adds its layer to the merged data, in place,
    #: and says which layer it was and how to find origins in it.
    Step = Callable[[dict[str, Any]], tuple[Layer, AnySource | None]]

    #: A key path as a chain from the innermost key: ``("B", ("A", None))``.
    _Trail = tuple[Any, "_Trail"] | None


def load(
    root_dir: str | os.PathLike[str] | None = None,
    env: str | None = None,
    *,
    instance_dir: str | os.PathLike[str] | None = None,
    user: str | None = None,
    host: str | None = None,
    environ: Mapping[str, str] | None = None,
    env_prefix: str = "AMPHO",
    defaults: Iterable[DocumentItem] = (),
    overrides: Mapping[str, Any] | None = None,
    schemas: Iterable[DocumentItem] = (),
    secrets_dir: str | os.PathLike[str] | None = None,
    bundles: bool = True,
    sources: Iterable[Source] = (),
) -> Config:
    """Load the layered configuration of an application.

    The layers, lowest first:

    1. each of ``defaults``, in order;
    2. the bundles' ``default.json`` files, in load order (see ``bundles``);
    3. ``default.json`` in the instance directory;
    4. ``{env}.json``;
    5. ``{user}@{host}.json``;
    6. the files of the secrets directory, if there is one;
    7. each of ``sources``, in order, then each source named in
       ``AMPHO_SOURCES``, in order;
    8. ``AMPHO_*`` environment variables;
    9. ``overrides``.

    Objects merge key by key; anything else is replaced by the upper
    layer. A missing file is skipped and recorded as such in
    :attr:`Config.layers`. A top-level ``"$schema"`` key of a file is for
    editors and is not a setting. When there are schemas, the result is
    validated against each.

    :param root_dir: the application's root directory. Defaults to
        ``AMPHO_ROOT``, then the project directory of the entry bundle
        (``AMPHO_ENTRY`` or ``app``) when it can be imported and is not
        installed: the directory holding its package, or the one above
        ``src/`` in a src layout (:func:`find_root`), as the application
        factory chooses it; then the current directory. A root inside
        site-packages or the standard library is refused.
    :param env: the environment, choosing ``{env}.json``. Defaults to
        ``AMPHO_ENV``, then ``FLASK_ENV``, then ``"production"``.
    :param instance_dir: where the JSON files are, absolute or relative
        to ``root_dir``. Defaults to ``AMPHO_INSTANCE_DIR``, then
        ``<root_dir>/instance``. A directory named by either must exist;
        only the default may be missing.
    :param user: defaults to ``$USER``, then :func:`getpass.getuser`.
    :param host: defaults to ``$HOSTNAME``, then the machine's host name
        (:func:`socket.gethostname`).
    :param environ: read instead of :data:`os.environ` for every lookup.
    :param env_prefix: the prefix of variables read, without ``_``.
    :param defaults: the lowest layers, each a mapping (named
        ``defaults[i]``), a ``(name, mapping)`` pair, or a ``(name, path)``
        pair naming a JSON file read like the instance files.
    :param overrides: the highest layer, above the environment.
    :param schemas: JSON Schemas (draft 2020-12) the settings must
        satisfy, given like ``defaults``, after the bundles' own; they
        also type environment values and secrets files.
    :param secrets_dir: a directory of one file per setting (Docker and
        Kubernetes secrets), relative to ``root_dir``. Defaults to
        ``AMPHO_SECRETS_DIR``; a name that is not a directory is an error.
    :param bundles: when the entry bundle (``AMPHO_ENTRY`` or ``app``)
        can be imported as it is, take in the ``default.json`` and
        ``schema.json`` of it and all it requires, in the order the
        application factory uses, and Ampho's own schema, so a script
        reads what its application reads. :data:`sys.path` is not changed.
    :param sources: layers of your own (:class:`~ampho.config.Source`),
        above the secrets directory and below the environment. Without
        code, ``AMPHO_SOURCES`` names more, after these: one or more
        URLs ``scheme:rest`` separated by spaces, each scheme registered
        by a package in the entry-point group ``ampho.sources``. The
        variable is never a setting.
    :raises ConfigError: if any layer cannot be read or applied, or a
        named directory is missing.
    :raises SettingsInvalid: listing every violation of the schemas.
    """
    if environ is None:
        environ = os.environ

    def variable(*names: str) -> str | None:
        for name in names:
            value = environ.get(name)
            if value:
                return value
        return None

    root, instance = resolve_dirs(root_dir, instance_dir, environ, env_prefix)
    if env is None:
        env = variable(f"{env_prefix}_ENV", "FLASK_ENV") or "production"
    check_name("environment", env)
    if user is None:
        user = variable("USER") or _login_name(environ)
    if user is not None:
        check_name("user", user)
    if host is None:
        host = variable("HOSTNAME") or _host_name()
    check_name("host", host)

    defaults = list(defaults)
    schemas = list(schemas)
    if bundles:
        found = bundle_files(entry_from_environ(environ, env_prefix))
        if found is not None:
            defaults += found[0]
            schemas[:0] = found[1]
    declared = None
    if schemas:
        from .schema import load_schemas

        declared = load_schemas(schemas, root)

    steps: list[Step] = [
        functools.partial(_defaults_step, index, item, root) for index, item in enumerate(defaults)
    ]
    # The environment "default" names default.json itself: read it once.
    file_names = ["default.json"] if env == "default" else ["default.json", f"{env}.json"]
    file_names.append(f"{user}@{host}.json" if user is not None else "")
    steps += [functools.partial(_file_step, name, instance, root, host) for name in file_names]
    if secrets_dir is not None or environ.get(f"{env_prefix}_SECRETS_DIR"):
        from .secretsdir import secrets_directory

        directory = secrets_directory(secrets_dir, environ, env_prefix, root)
        if directory is not None:
            steps.append(functools.partial(_secrets_step, directory, root, declared))
    steps += [
        functools.partial(_source_step, index, source)
        for index, source in enumerate(_user_sources(sources, environ, env_prefix))
    ]
    steps.append(functools.partial(_env_step, environ, env_prefix, declared))
    steps.append(functools.partial(_overrides_step, overrides))

    layers: list[Layer] = []
    answering: list[AnySource] = []
    data: dict[str, Any] = {}
    for step in steps:
        layer, source = step(data)
        layers.append(layer)
        if source is not None:
            answering.append(source)

    cfg = Config(
        data,
        env=env,
        root_dir=root,
        instance_dir=instance,
        layers=layers,
        sources=answering,
        schemas=declared,
        secrets_dir_paths=_secret_paths(answering),
    )
    if declared is not None:
        violations = declared.validate(cfg)
        if violations:
            raise SettingsInvalid(violations)
    return cfg


def bundle_files(entry: str) -> tuple[list[DocumentItem], list[DocumentItem]] | None:
    """The settings files of the entry bundle and all it requires, when
    the entry can be imported as it is; ``None`` when it cannot."""
    # Found first, as the root is: a script with no bundles does not
    # import the bundle machinery.
    if entry_package_dir(entry) is None:
        return None
    from ..bundle import BundleError, resolve, settings_files

    try:
        found = resolve(entry)
    except BundleError as e:
        raise ConfigError(str(e), source=f"bundle {entry!r}") from None
    defaults, schemas = settings_files(found)
    return list(defaults), list(schemas)


def _secret_paths(sources: list[AnySource]) -> frozenset[tuple[str, ...]]:
    """The key paths the layers mark secret (every file of the secrets
    directory, what a user's source says): a fact the load hands on,
    which :mod:`~ampho.config.redaction` makes secrets of."""
    paths: set[tuple[str, ...]] = set()
    for source in sources:
        if isinstance(source, (FileSource, MappingSource, EnvSource)):
            paths.update(source.secret_paths())
            continue
        from .mapping import split_key

        marked = _asking(source.name, functools.partial(_listed_secrets, source))
        for path in marked:
            if not isinstance(path, (str, tuple)) or not path:
                raise ConfigError(
                    f"secret_paths() gave {path!r}, not a key path", source=source.name
                )
            paths.add(split_key(path))
    return frozenset(paths)


def _listed_secrets(source: Source) -> list[KeyPath | str]:
    return list(source.secret_paths())


def _user_sources(
    sources: Iterable[Source], environ: Mapping[str, str], env_prefix: str
) -> list[Source]:
    """``sources``, then those ``AMPHO_SOURCES`` names, checked."""
    given = list(sources)
    if given:
        from .sources import Source

        for index, source in enumerate(given):
            if not isinstance(source, Source):
                raise ConfigError(
                    f"sources[{index}] is {type(source).__name__}, not an ampho.config.Source"
                )
    variable = f"{env_prefix}_SOURCES"
    value = environ.get(variable)
    if value and not value.isspace():
        from .sources import sources_from_environ

        given += sources_from_environ(value, environ, variable)
    return given


def _source_step(
    index: int, source: Source, data: dict[str, Any]
) -> tuple[Layer, AnySource | None]:
    """A user's source: read, merged, and kept (a copy that knows its layer)."""
    name = getattr(source, "name", None)
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(
            f"the source {type(source).__name__} (sources[{index}]) has no name:"
            " set its name attribute"
        )
    read = _asking(name, source.read)
    if not isinstance(read, Mapping):
        raise ConfigError(f"read() gave {type(read).__name__}, not a mapping", source=name)
    kept = _copy_input(read, name)
    layer = Layer(name, None, bool(kept))
    if not kept:
        return layer, None
    import copy

    bound = copy.copy(source)
    bound.layer = layer
    bound.data = kept
    _merge(data, copy_tree(kept), layer)
    return layer, bound


def _asking(name: str, call: Callable[[], Any]) -> Any:
    """``call()``, a method of a user's source, whose failure becomes the
    one-line error naming the source: a :class:`ConfigError` that names
    no place, or an :exc:`OSError` (a store that cannot be reached)."""
    try:
        return call()
    except ConfigError as e:
        if e.source is not None or isinstance(e, SettingsInvalid):
            raise
        raise ConfigError(e.message, line=e.line, column=e.column, source=name) from None
    except OSError as e:
        raise ConfigError(e.strerror or str(e) or type(e).__name__, source=name) from None


def _defaults_step(
    index: int, item: DocumentItem, root: str, data: dict[str, Any]
) -> tuple[Layer, AnySource | None]:
    layer, source, layer_data = _defaults_layer(index, item, root)
    if source is not None:
        _merge(data, layer_data, layer)
    return layer, source


def _file_step(
    file_name: str, instance: str, root: str, host: str, data: dict[str, Any]
) -> tuple[Layer, AnySource | None]:
    """An instance file, merged; a missing one is a layer that was not found."""
    if not file_name:
        # No user name could be found: the layer is listed, skipped.
        shown = display_path(os.path.join(instance, f"{{user}}@{host}.json"), root)
        return Layer(shown, None, False), None
    path = os.path.join(instance, file_name)
    name = display_path(path, root)
    parsed = read_json_file(path, name)
    layer = Layer(name, path, parsed is not None)
    if parsed is None:
        return layer, None
    layer_data, text = parsed
    layer_data.pop("$schema", None)
    _merge(data, layer_data, layer)
    return layer, FileSource(layer, text)


def _secrets_step(
    directory: str, root: str, declared: Schemas | None, data: dict[str, Any]
) -> tuple[Layer, AnySource | None]:
    from .secretsdir import read_secrets

    shown = display_path(directory, root)
    applied = read_secrets(directory, shown, data, declared)
    layer = Layer(shown, directory, bool(applied))
    return layer, SecretsSource(layer, applied) if applied else None


def _env_step(
    environ: Mapping[str, str], env_prefix: str, declared: Schemas | None, data: dict[str, Any]
) -> tuple[Layer, AnySource | None]:
    applied = apply_environ(data, environ, env_prefix, declared)
    layer = Layer("env", None, bool(applied))
    return layer, EnvSource(layer, applied) if applied else None


def _overrides_step(
    overrides: Mapping[str, Any] | None, data: dict[str, Any]
) -> tuple[Layer, AnySource | None]:
    if overrides is not None and not isinstance(overrides, Mapping):
        raise ConfigError(f"overrides must be a mapping, not {type(overrides).__name__}")
    layer = Layer("overrides", None, bool(overrides))
    if not overrides:
        return layer, None
    source = MappingSource(layer, _copy_input(overrides, "overrides"))
    _merge(data, copy_tree(source.data), layer)
    return layer, source


def resolve_dirs(
    root_dir: str | os.PathLike[str] | None,
    instance_dir: str | os.PathLike[str] | None,
    environ: Mapping[str, str],
    env_prefix: str,
    entry: str | None = None,
) -> tuple[str, str]:
    """The absolute root and instance directories, as :func:`load` finds them.

    :param entry: the entry bundle, if not ``AMPHO_ENTRY`` or ``app``.
    :raises ConfigError: for a root inside an installation directory,
        an ``AMPHO_ROOT`` or instance directory that is not there.
    """
    root = root_path(root_dir, environ, env_prefix, entry)
    return root, instance_path(root, instance_dir, environ, env_prefix)


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


def search_dir(environ: Mapping[str, str], env_prefix: str = "AMPHO") -> str:
    """The directory put first on :data:`sys.path` so the entry bundle
    imports: ``AMPHO_ROOT``, else the current directory, as ``flask``
    finds ``app.py`` there."""
    return environ_root(environ, env_prefix) or current_dir()


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
    :data:`sys.path` without importing it; ``None`` if there is none.

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
    import importlib.util

    try:
        spec = importlib.util.find_spec(entry)
    except (ImportError, ValueError):
        return None
    # A package, and a regular one: a namespace package is any directory
    # of that name on sys.path, such as a root directory called "app".
    if spec is None or spec.origin is None or not spec.submodule_search_locations:
        return None
    return os.path.abspath(next(iter(spec.submodule_search_locations)))


def current_dir() -> str:
    """:func:`os.getcwd`, or a :class:`ConfigError` if it was deleted."""
    try:
        return os.getcwd()
    except FileNotFoundError:
        raise ConfigError(
            "the current directory no longer exists; give the root directory"
        ) from None


def _copy_input(mapping: Mapping[str, Any], name: str) -> dict[str, Any]:
    """A private copy of a caller's mapping, so nothing is shared.

    :raises ConfigError: for a mapping that holds itself, or a value no
        JSON output could print (see :func:`refuse_unprintable`).
    """
    try:
        copy: dict[str, Any] = copy_tree(mapping)
    except ValueError as e:
        raise ConfigError(str(e), source=name) from None
    refuse_unprintable(copy, name)
    return copy


def refuse_unprintable(tree: dict[str, Any], name: str) -> None:
    """Refuse what a mapping layer holds that no dump could print.

    Python callers may put any object in a mapping (a class, a
    callable), and a dump shows those by their ``repr``. Three kinds of
    values are refused, because they would make every later dump fail:
    ``nan`` and infinite floats (JSON has no such numbers), strings and
    keys that are not text (a lone surrogate cannot be written as UTF-8)
    and integers longer than :func:`str` writes.

    The walk uses a list, not recursion, so a tree of any depth is fine;
    each node links to its parent, and a key path is built for an error
    only.
    """
    # Each entry: a node, and its trail (its key and its parent's trail).
    stack: list[tuple[Any, _Trail]] = [(tree, None)]
    while stack:
        node, trail = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if isinstance(key, str) and not _is_text(key):
                    _refuse(trail, "a key is not text (it holds a lone surrogate)", name)
                stack.append((value, (key, trail)))
        elif isinstance(node, (list, tuple, set, frozenset)):
            stack.extend((item, (index, trail)) for index, item in enumerate(node))
        elif isinstance(node, float):
            if node - node:  # nan or infinite
                _refuse(trail, f"{node!r} is not a JSON number", name)
        elif isinstance(node, str):
            if not _is_text(node):
                _refuse(trail, "the string is not text (it holds a lone surrogate)", name)
        elif isinstance(node, int) and node.bit_length() > 10_000:
            try:
                str(node)
            except ValueError:
                _refuse(trail, "the integer is too long to write out", name)


def _is_text(value: str) -> bool:
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _refuse(trail: _Trail, problem: str, name: str) -> None:
    path: list[Any] = []
    while trail is not None:
        key, trail = trail
        path.append(key)
    where = f"{shown_key(tuple(reversed(path)))}: " if path else ""
    raise ConfigError(f"{where}{problem}", source=name)


def _merge(data: dict[str, Any], layer_data: dict[str, Any], layer: Layer) -> None:
    try:
        merge_into(data, layer_data)
    except RecursionError:
        # The parser accepts nesting a few times deeper than the merge,
        # which recurses through deepmerge, can follow.
        raise ConfigError("is nested too deeply to merge", source=layer.name) from None


def _defaults_layer(
    index: int, item: DocumentItem, root: str
) -> tuple[Layer, AnySource | None, dict[str, Any]]:
    """Read one item of ``defaults`` into a layer."""
    name, value = named_item("defaults", index, item)
    if isinstance(value, Mapping):
        layer = Layer(name, None, True)
        # One copy is kept to answer origins, the other is merged away.
        kept = _copy_input(value, name)
        return layer, MappingSource(layer, kept), copy_tree(kept)
    path = os.path.join(root, os.fspath(value))
    parsed = read_json_file(path, name)
    layer = Layer(name, path, parsed is not None)
    if parsed is None:
        return layer, None, {}
    layer_data, text = parsed
    layer_data.pop("$schema", None)
    return layer, FileSource(layer, text), layer_data


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
