"""Loading a configuration: build its layers, merge them, validate.

Every layer is a :class:`~ampho.config.Source` (:mod:`.sources`), and
where the application is was decided by :func:`~ampho.config.paths.locate`,
so :func:`load` is a short loop: each source applies itself to the
settings merged so far, lowest first, and the result is checked against
the declared schemas.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .errors import ConfigError, SettingsInvalid
from .paths import entry_package_dir, locate
from .settings import Config
from .sources import MappingSource, Source, named_item
from .sources.environ import EnvironSource
from .sources.files import FileSource

if TYPE_CHECKING:
    from ..bundle import Bundle
    from .classes import Declaration
    from .paths import Location
    from .schema import Schema, SchemaItem, Schemas
    from .sources import DocumentItem


def load(
    root_dir: str | os.PathLike[str] | None = None,
    env: str | None = None,
    *,
    instance_dir: str | os.PathLike[str] | None = None,
    user: str | None = None,
    host: str | None = None,
    environ: Mapping[str, str] | None = None,
    env_prefix: str = "AMPHO",
    defaults: Iterable[DocumentItem | Source] = (),
    overrides: Mapping[str, Any] | None = None,
    schemas: Iterable[SchemaItem] = (),
    secrets_dir: str | os.PathLike[str] | None = None,
    bundles: bool = True,
    sources: Iterable[Source] = (),
) -> Config:
    """Load the layered configuration of an application.

    The layers, lowest first:

    1. each of ``defaults``, in order;
    2. the bundles' defaults, in load order (see ``bundles``): each one's
       ``SETTINGS`` classes, then its ``default.json``;
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
        ``src/`` in a src layout (:func:`~ampho.config.paths.find_root`), as the application
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
        ``defaults[i]``), a ``(name, mapping)`` pair, a ``(name, path)``
        pair naming a JSON file read like the instance files, or a
        :class:`~ampho.config.Source`.
    :param overrides: the highest layer, above the environment.
    :param schemas: JSON Schemas (draft 2020-12) the settings must
        satisfy, given like ``defaults``, after the bundles' own; they
        also type environment values and secrets files.
    :param secrets_dir: a directory of one file per setting (Docker and
        Kubernetes secrets), relative to ``root_dir``. Defaults to
        ``AMPHO_SECRETS_DIR``; a name that is not a directory is an error.
    :param bundles: when the entry bundle (``AMPHO_ENTRY`` or ``app``)
        can be imported as it is, take in the ``default.json``,
        ``schema.json`` and the classes of ``SETTINGS`` of it and all it
        requires (:func:`bundle_settings`), in the order the application
        factory uses, and Ampho's own schema, so a script reads what its
        application reads. :data:`sys.path` is not changed.
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
    location = locate(
        root_dir,
        env,
        instance_dir=instance_dir,
        user=user,
        host=host,
        environ=environ,
        env_prefix=env_prefix,
    )
    return load_at(
        location,
        defaults=defaults,
        overrides=overrides,
        schemas=schemas,
        secrets_dir=secrets_dir,
        bundles=bundles,
        sources=sources,
    )


def load_at(
    location: Location,
    *,
    defaults: Iterable[DocumentItem | Source] = (),
    overrides: Mapping[str, Any] | None = None,
    schemas: Iterable[SchemaItem] = (),
    secrets_dir: str | os.PathLike[str] | None = None,
    bundles: bool = True,
    sources: Iterable[Source] = (),
    overrides_name: str = "overrides",
) -> Config:
    """:func:`load` at a location already decided: the application
    factory's, which imports the entry bundle first (the root is found
    from its package) and then loads with the bundles it resolved. The
    other arguments are as for :func:`load`; ``overrides_name`` names
    the ``overrides`` layer, as the factory names the object its
    settings came from (``config=tests.settings.TestingConfig``)."""
    defaults = list(defaults)
    schemas = list(schemas)
    if bundles:
        found = bundle_files(location.entry)
        if found is not None:
            defaults += found[0]
            schemas[:0] = found[1]
    declared = None
    if schemas:
        from .schema import load_schemas

        declared = load_schemas(schemas, location.root_dir)

    layers = layer_sources(
        location, defaults, overrides, secrets_dir, sources, declared, overrides_name=overrides_name
    )
    rules = declared.merge_rules() if declared is not None else None
    if rules:
        # Each file keeps its own values of these keys as it reads them,
        # so merging them asks no file to be parsed again.
        for source in layers:
            if isinstance(source, FileSource):
                source.keep = frozenset(rules)
    data: dict[str, Any] = {}
    answering = [source.apply(data) for source in layers]
    if rules:
        from .merging import apply_rules

        apply_rules(data, answering, rules)
    cfg = Config(data, location=location, sources=answering, schemas=declared)
    if any(source.holds_references() for source in answering):
        from .references import resolve

        cfg.resolution = resolve(
            data, location.environ, cfg.template_origin, declared, cfg.is_secret
        )
    if declared is not None:
        violations = declared.validate(cfg)
        if violations:
            raise SettingsInvalid(violations, cfg)
    return cfg


def layer_sources(
    location: Location,
    defaults: Iterable[DocumentItem | Source],
    overrides: Mapping[str, Any] | None,
    secrets_dir: str | os.PathLike[str] | None,
    sources: Iterable[Source],
    schemas: Schemas | None,
    *,
    overrides_name: str = "overrides",
) -> list[Source]:
    """Every layer of a load at ``location``, lowest first, none read yet.

    Made before any is read, so a mistake in how they are named (a
    secrets directory that is not there, an unknown scheme in
    ``AMPHO_SOURCES``) is found before anything is.
    """
    made = [defaults_source(index, item, location.root_dir) for index, item in enumerate(defaults)]
    made += instance_sources(location)
    if secrets_dir is not None or location.variable("SECRETS_DIR"):
        from .sources.secrets import SecretsSource, secrets_directory

        directory = secrets_directory(
            secrets_dir, location.environ, location.env_prefix, location.root_dir
        )
        if directory is not None:
            made.append(SecretsSource(directory, location.display(directory), schemas))
    stores = user_sources(sources, location)
    # A store's values are text, typed as the environment's are, by what
    # the bundles declare (Source.with_schemas).
    made += stores if schemas is None else [source.with_schemas(schemas) for source in stores]
    made.append(EnvironSource(location.environ, location.env_prefix, schemas))
    made.append(MappingSource(overrides_name, {} if overrides is None else overrides))
    return made


def instance_sources(location: Location) -> list[FileSource]:
    """``default.json``, ``{env}.json`` and ``{user}@{host}.json`` of the
    instance directory; the environment ``default`` names
    ``default.json`` itself, which is read once. With no user name to be
    found, the last is listed as a layer not found."""
    env = location.env
    names = ["default.json"] if env == "default" else ["default.json", f"{env}.json"]
    user = location.user
    names.append(f"{'{user}' if user is None else user}@{location.host}.json")
    made = []
    for name in names:
        path = os.path.join(location.instance_dir, name)
        made.append(FileSource(path, location.display(path)))
    if user is None:
        made[-1].path = None  # listed, never read
    return made


def defaults_source(index: int, item: DocumentItem | Source, root: str) -> Source:
    """The layer of one item of ``defaults=``: a mapping, or a JSON file
    (relative to ``root``); or a source made already, as the defaults of
    a bundle's settings classes are."""
    if isinstance(item, Source):
        return item
    name, value = named_item("defaults", index, item)
    if isinstance(value, Mapping):
        return MappingSource(name, value, always_found=True)
    return FileSource(os.path.join(root, os.fspath(value)), name)


def user_sources(sources: Iterable[Source], location: Location) -> list[Source]:
    """``sources``, then those ``AMPHO_SOURCES`` names, checked before
    any layer is read: a mistake in the arguments of :func:`load` is
    found first.

    :raises ConfigError: for an item that is not a
        :class:`~ampho.config.Source`, or one without a name.
    """
    given = list(sources)
    if given:
        for index, source in enumerate(given):
            if not isinstance(source, Source):
                raise ConfigError(
                    f"sources[{index}] is {type(source).__name__}, not an ampho.config.Source"
                )
    variable = f"{location.env_prefix}_SOURCES"
    value = location.environ.get(variable)
    if value and not value.isspace():
        from .sources.plugins import sources_from_environ

        given += sources_from_environ(value, location.environ, variable)
    for index, source in enumerate(given):
        name = getattr(source, "name", None)
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(
                f"the source {type(source).__name__} (sources[{index}]) has no name:"
                " set its name attribute"
            )
    return given


def bundle_files(entry: str) -> tuple[list[DocumentItem | Source], list[SchemaItem]] | None:
    """The settings of the entry bundle and all it requires
    (:func:`bundle_settings`), when the entry can be imported as it is;
    ``None`` when it cannot."""
    # Found first, as the root is: a script with no bundles does not
    # import the bundle machinery.
    if entry_package_dir(entry) is None:
        return None
    from ..bundle import BundleError, resolve

    try:
        found = resolve(entry)
    except BundleError as e:
        raise ConfigError(str(e), source=f"bundle {entry!r}") from None
    return bundle_settings(found)


def bundle_settings(
    bundles: Sequence[Bundle],
) -> tuple[list[DocumentItem | Source], list[SchemaItem]]:
    """What these bundles declare of the settings: ``(defaults, schemas)``,
    as ``defaults=`` and ``schemas=`` of :func:`load` take them.

    In load order, each bundle gives the defaults of the classes of its
    ``SETTINGS`` (:mod:`~ampho.config.classes`), then its ``default.json``
    above them; the schemas start with Ampho's own, then each bundle's
    ``schema.json`` and the schemas derived from its classes. The
    application factory and a script's :func:`load` both use this, so
    they read the same settings.
    """
    from ..bundle import AMPHO_SCHEMA_PATH

    defaults: list[DocumentItem | Source] = []
    # Ampho's own declared settings (the LOG_* keys) come first.
    schemas: list[SchemaItem] = [("ampho/logging/schema.json", AMPHO_SCHEMA_PATH)]
    for bundle in bundles:
        derived: list[SchemaItem] = []
        settings = getattr(bundle.module, "SETTINGS", None)
        if settings is not None:
            from .classes import declarations
            from .sources.declared import DeclaredSource

            for declaration in declarations(bundle.name, bundle.path, settings):
                defaults.append(DeclaredSource(declaration))
                derived.append(derived_schema(declaration))
        if bundle.defaults_file is not None:
            defaults.append((f"{bundle.name}/default.json", bundle.defaults_file))
        if bundle.schema_file is not None:
            schemas.append((f"{bundle.name}/schema.json", bundle.schema_file))
        schemas += derived
    return defaults, schemas


#: The schemas derived from settings classes in this process, each
#: compiled and checked once: a class does not change once defined.
_derived: dict[tuple[type, str, str], Schema] = {}


def derived_schema(declaration: Declaration) -> Schema:
    """The schema derived from a declaration, as :func:`load` takes a
    schema, named as the class is. A dataclass's is made by Ampho and
    needs no check; a pydantic model's holds its author's patterns and
    bounds, so it is checked as a file is."""
    from .schema import Schema

    key = (declaration.cls, declaration.key, declaration.name)
    schema = _derived.get(key)
    if schema is None:
        schema = _derived[key] = Schema(
            declaration.name,
            declaration.schema(),
            None,
            None,
            declaration=declaration,
            checked=not declaration.model.is_pydantic,
        )
    return schema
