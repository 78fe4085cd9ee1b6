"""The settings a load gives: :class:`Config`, read-only, with origins."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import Origin, SettingsInvalid
from .jsontext import json_type
from .sources import Layer, MappingSource
from .tree import NOTHING, copy_tree, format_key, split_key

if TYPE_CHECKING:
    from .paths import Location
    from .references import Composition, Resolution
    from .schema import Schemas
    from .sources import Source
    from .tree import Key

_MISSING: Any = object()

T = TypeVar("T")


class ReadOnlyMapping(Mapping[str, Any]):
    """A read-only view of one object of the settings tree.

    Nested objects come back as read-only views as well and lists as
    :class:`ReadOnlyList` tuples, so nothing reached through a
    :class:`Config` can change it by accident, and both compare equal to
    the dicts and lists the JSON held. Views are made on access and cost
    nothing to make. Use :meth:`to_dict` for a copy to change.
    """

    __slots__ = ("_data",)

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    def __getitem__(self, key: str) -> Any:
        return _read_only(self._data[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __eq__(self, other: object) -> bool:
        # Compared as plain trees: a Config equals its to_dict() and
        # dict(cfg) alike, lists equal to tuples.
        if not isinstance(other, Mapping):
            return NotImplemented
        return same_tree(self._data, other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._data!r})"

    def lookup(self, key: Key, default: Any = _MISSING) -> Any:
        """Get a nested value by a dotted key: ``lookup("DB.HOST")``.

        :param key: keys joined with dots, or a tuple of keys.
        :param default: returned when the key is missing; without it a
            missing key raises :exc:`KeyError` naming the missing part.
        """
        try:
            return _read_only(self._find(split_key(key)))
        except KeyError:
            if default is _MISSING:
                raise
            return default

    def to_dict(self) -> dict[str, Any]:
        """A deep copy to change: dicts, lists and the other containers
        the layers held (a tuple given in ``overrides`` stays a tuple)."""
        copy: dict[str, Any] = copy_tree(self._data)
        return copy

    def _find(self, path: Sequence[str]) -> Any:
        node: Any = self._data
        for depth, part in enumerate(path):
            if not isinstance(node, dict):
                above = format_key(path[:depth])
                raise KeyError(f"{format_key(path)}: {above} is {json_type(node)}, not an object")
            if part not in node:
                if depth == 0:
                    message = f"{format_key((part,))}: no such key"
                else:
                    above = format_key(path[:depth])
                    message = f"{format_key(path)}: {above} has no key {part!r}"
                raise KeyError(message + _dotted_hint(node, path, depth))
            node = node[part]
        return node


def _dotted_hint(node: dict[str, Any], path: Sequence[str], depth: int) -> str:
    """Say how to name a key that holds a dot, when ``path`` split one.

    ``A.B`` is looked up as ``A`` then ``B``; when the object holds the
    key ``"A.B"`` itself, the message says to quote it.
    """
    for end in range(len(path), depth + 1, -1):
        joined = ".".join(path[depth:end])
        if joined in node:
            fixed = format_key((*path[:depth], joined, *path[end:]))
            return f" (the key {joined!r} holds a dot: name it {fixed})"
    return ""


class ReadOnlyList(tuple[Any, ...]):
    """A list of the settings tree, read back as a tuple.

    It is a :class:`tuple`, so it cannot change, and what it holds is as
    read-only as the rest; unlike a plain tuple it compares equal to a
    list with equal items, so ``cfg["HOSTS"] == ["a", "b"]`` holds when
    the JSON said ``["a", "b"]``. It hashes as a tuple of its items does
    (a list is never hashed, so equal objects still hash alike). Use
    :meth:`to_list` for a copy to change.
    """

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, (list, tuple)):
            return NotImplemented
        return same_tree(self, other)

    def __ne__(self, other: object) -> bool:
        if not isinstance(other, (list, tuple)):
            return NotImplemented
        return not same_tree(self, other)

    __hash__ = tuple.__hash__

    def to_list(self) -> list[Any]:
        """A deep copy to change, as plain lists and dicts."""
        copy: list[Any] = plain_copy(self)
        return copy


def data_of(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The tree under a view, not copied, for a reader that only reads it
    (a validator, once per load); any other mapping as a plain dict."""
    if isinstance(settings, ReadOnlyMapping):
        return settings._data
    return dict(settings)


def same_tree(a: Any, b: Any) -> bool:
    """Whether two settings trees are equal: mappings by their items,
    lists and tuples by their items in order, anything else by ``==``.

    It works with a list rather than recursion, so trees of any depth
    compare, and a view compares by the data under it.
    """
    stack = [(a, b)]
    while stack:
        a, b = stack.pop()
        if isinstance(a, ReadOnlyMapping):
            a = a._data
        if isinstance(b, ReadOnlyMapping):
            b = b._data
        if a is b:
            continue
        if isinstance(a, Mapping):
            if not isinstance(b, Mapping) or len(a) != len(b):
                return False
            for key, value in a.items():
                if key not in b:
                    return False
                stack.append((value, b[key]))
        elif isinstance(a, (list, tuple)):
            if not isinstance(b, (list, tuple)) or len(a) != len(b):
                return False
            stack.extend(zip(a, b, strict=True))
        elif isinstance(b, (Mapping, list, tuple)) or a != b:
            return False
    return True


def plain_copy(value: Any) -> Any:
    """A plain deep copy of a value read from a :class:`Config`.

    Views become dicts (as :meth:`ReadOnlyMapping.to_dict` makes them)
    and :class:`ReadOnlyList` tuples become lists, at any depth.
    """
    if isinstance(value, ReadOnlyMapping):
        return value.to_dict()
    if not isinstance(value, ReadOnlyList):
        return value
    top: list[Any] = []
    stack: list[tuple[list[Any], ReadOnlyList]] = [(top, value)]
    while stack:
        into, items = stack.pop()
        for item in items:
            if isinstance(item, ReadOnlyList):
                child: list[Any] = []
                into.append(child)
                stack.append((child, item))
            else:
                into.append(item.to_dict() if isinstance(item, ReadOnlyMapping) else item)
    return top


def _read_only(value: Any) -> Any:
    if isinstance(value, dict):
        return ReadOnlyMapping(value)
    if isinstance(value, (list, tuple)):
        return _read_only_list(value)
    if isinstance(value, (set, frozenset)):
        return frozenset(value)
    if isinstance(value, bytearray):
        return bytes(value)
    return value


def _read_only_list(value: list[Any] | tuple[Any, ...]) -> ReadOnlyList:
    """A list as a :class:`ReadOnlyList`, nested lists too, without recursion.

    A tuple cannot be filled after it is made, so the innermost lists are
    built first.
    """
    # Every list found, outer ones first; each is built once all the
    # lists inside it are.
    order: list[list[Any] | tuple[Any, ...]] = []
    stack = [value]
    while stack:
        items = stack.pop()
        order.append(items)
        stack.extend(item for item in items if isinstance(item, (list, tuple)))
    built: dict[int, ReadOnlyList] = {}
    for items in reversed(order):
        built[id(items)] = ReadOnlyList(
            built[id(item)] if isinstance(item, (list, tuple)) else _read_only(item)
            for item in items
        )
    return built[id(value)]


class Config(ReadOnlyMapping):
    """Merged settings, with where each one came from.

    Made by :func:`ampho.config.load`. It is a read-only
    :class:`~collections.abc.Mapping` of the top-level keys, so it can be
    passed to anything that reads a mapping, including
    ``flask_app.config.update(cfg.to_dict())``.
    """

    __slots__ = (
        "_bound",
        "_compositions",
        "_declared_secrets",
        "_layers",
        "_sources",
        "location",
        "resolution",
        "schemas",
    )

    def __init__(
        self,
        data: dict[str, Any],
        *,
        location: Location,
        sources: Sequence[Source],
        schemas: Schemas | None = None,
    ) -> None:
        super().__init__(data)
        #: Where the application is: entry bundle, root and instance
        #: directories, environment, user and host
        #: (:class:`~ampho.config.paths.Location`).
        self.location = location
        # Every layer, found or not: one that was not there answers
        # nothing, and keeping it lets beneath() list it again.
        self._sources = tuple(sources)
        self._layers = tuple(source.layer for source in sources)
        #: The declared settings the load was validated against, if any.
        self.schemas = schemas
        #: The strings that held references (``${DB.HOST}``,
        #: ``${env:NAME}``), as their layers wrote them, by the paths of
        #: the values made of them (:mod:`~ampho.config.references`).
        #: What resolving its references kept (:mod:`~ampho.config.references`),
        #: when a layer held ``${``.
        self.resolution: Resolution | None = None
        self._compositions: dict[tuple[str | int, ...], Composition] | None = None
        self._declared_secrets: frozenset[tuple[str, ...]] | None = None
        self._bound: dict[tuple[type, str | None], Any] = {}

    @property
    def compositions(self) -> dict[tuple[str | int, ...], Composition]:
        """The values built from references, by path: each one's template,
        its references and what each gave. Made when first asked, which
        only origins and printing do."""
        if self._compositions is None:
            resolution = self.resolution
            if resolution is None or not resolution.records:
                self._compositions = {}
            else:
                from .references import compositions

                self._compositions = compositions(resolution, self._data)
        return self._compositions

    @property
    def templates(self) -> dict[tuple[str | int, ...], str]:
        """The strings that held references (``${DB.HOST}``,
        ``${env:NAME}``), as their layers wrote them, by the paths of the
        values made of them."""
        if self.resolution is None:
            return {}
        return dict(self.resolution.records)

    @property
    def env(self) -> str:
        """The environment the layers were chosen for."""
        return self.location.env

    @property
    def root_dir(self) -> str:
        """The absolute root directory; file origins are shown relative to it."""
        return self.location.root_dir

    @property
    def instance_dir(self) -> str:
        """The absolute instance directory the JSON files were read from."""
        return self.location.instance_dir

    @property
    def declared_secrets(self) -> frozenset[tuple[str, ...]]:
        """Key paths that are secrets by declaration (a schema's
        ``writeOnly``) or because their layer marks them (the secrets
        directory marks all it holds, a :class:`~ampho.config.Source` its
        :meth:`~ampho.config.Source.secret_paths`):
        every printer masks them, besides what their names say
        (:func:`~ampho.config.redaction.declared_paths`).

        Worked out when first asked, which only printing does: a load
        neither walks the schemas for them nor imports the redaction rules.
        """
        if self._declared_secrets is None:
            from .redaction import declared_paths

            schemas = self.schemas
            write_only = schemas.write_only_paths() if schemas is not None else ()
            marked = frozenset().union(*(source.marked_secrets for source in self._sources))
            self._declared_secrets = declared_paths(write_only, marked)
        return self._declared_secrets

    @property
    def layers(self) -> tuple[Layer, ...]:
        """Every layer of the load, lowest first, found or skipped."""
        return self._layers

    def origin(self, key: Key) -> Origin:
        """Where the value at a dotted key (or tuple of keys) came from.

        For an object merged from several layers it is the highest layer
        that set anything in it. A value built from references
        (:attr:`compositions`) came from its template, and so did what is
        inside it: the template ``"${DB}"`` is the origin of its ``HOST``.

        :raises KeyError: if there is no such key.
        """
        path = self._template_of(split_key(key))
        self._find(path)
        for source in reversed(self._sources):
            found = source.origin(path)
            if found is not None:
                return found
        # Unreachable while sources and data agree; say so if not.
        raise LookupError(f"{'.'.join(path)}: no layer set this key")  # pragma: no cover

    def _template_of(self, path: tuple[str, ...]) -> tuple[str, ...]:
        """The key path itself, or the template's above it that made it."""
        if self.resolution is not None and self.resolution.records:
            records = self.resolution.records
            for depth in range(1, len(path)):
                if path[:depth] in records:
                    self._find(path)
                    return path[:depth]
        return path

    def template_origin(self, path: tuple[str | int, ...]) -> Origin | None:
        """Where the value at a path of keys and list indices starts: the
        place of a template, for an error about it. A list item is placed
        at its list."""
        keys: list[str] = []
        for part in path:
            if not isinstance(part, str):
                break
            keys.append(part)
        try:
            return self.value_origin(tuple(keys)) if keys else None
        except (KeyError, LookupError):
            return None

    def references(self, key: Key) -> list[tuple[str, Origin, Any]]:
        """What the value at ``key`` was built from, when it is a template:
        each reference as written (``${DB.HOST}``), where the value it
        gave came from, and that value; ``[]`` for a value that is no
        template. The template's own place is :meth:`origin`.

        :raises KeyError: if there is no such key.
        """
        path = split_key(key)
        self._find(path)
        composition = self.compositions.get(path)
        if composition is None:
            return []
        found = []
        parts = zip(composition.references, composition.values, composition.fallbacks, strict=True)
        for reference, value, fallback in parts:
            if reference.key is not None:
                origin = self.origin(reference.key)
            elif fallback:
                origin = Origin(f"env {reference.variable} (unset: the text after :-)")
            else:
                origin = Origin(f"env {reference.variable}")
            found.append((reference.text, origin, copy_tree(value)))
        return found

    def is_secret(self, key: Key | tuple[str | int, ...]) -> bool:
        """Whether the value at a key path is a secret, or composed from
        one: by its key's name, a schema's ``writeOnly``, the secrets
        directory, a source's mark (:mod:`~ampho.config.redaction` holds
        every rule). It imports the rules, so a load asks only for an
        error."""
        from .redaction import declared_in, is_secret_at

        path = split_key(key) if isinstance(key, str) else key
        declared = declared_in(self)
        return is_secret_at(path, declared) or path in (declared.composed or {})

    def value_origin(self, key: Key) -> Origin:
        """Where the value at a key starts, rather than the key: in a file,
        the place of the value itself, which a schema violation points at.

        :raises KeyError: if there is no such key.
        """
        origin = self.origin(key)
        path = split_key(key)
        for source in self._sources:
            if source.layer is origin.layer:
                return source.value_origin(path) or origin
        return origin  # pragma: no cover (the origin's layer is one of them)

    def explain(self, key: Key) -> list[Setting]:
        """Every layer that sets the key, lowest first; the last one wins.

        A layer that set only part of an object (one key of it) gives the
        part it set.

        A value built from references is explained by its template's
        layers (:meth:`references` tells what the template took).

        :raises KeyError: if there is no such key.
        """
        path = self._template_of(split_key(key))
        self._find(path)
        found = []
        for source in self._sources:
            origin = source.origin(path)
            if origin is None:
                continue
            value = source.value(path)
            if value is not NOTHING:
                if isinstance(value, (dict, list)):
                    value = copy_tree(value)
                found.append(Setting(source.layer, origin, value))
        return found

    def bind(self, cls: type[T], key: str | None = None) -> T:
        """The settings a bundle declared with ``cls`` in its ``SETTINGS``,
        as an instance of ``cls``: every field of its declared type, the
        instance frozen and made once per configuration.

        ``cfg.bind(Mail).PORT`` is an :class:`int` to mypy and to editors,
        and a misspelt field is an error they report. The values were
        validated when the configuration was loaded, a pydantic model's
        own validators included.

        :param key: the top-level key (``""`` for the top level), needed
            only for a class declared under more than one.
        :raises LookupError: if no bundle declares ``cls`` (under
            ``key``), or one declares it under several keys and none is
            given.
        """
        bound = self._bound.get((cls, key))
        if bound is None:
            keys = sorted(
                {
                    schema.declaration.key
                    for schema in self.schemas or ()
                    if schema.declaration is not None and schema.declaration.cls is cls
                }
            )
            name = getattr(cls, "__qualname__", repr(cls))
            if key is not None and key not in keys:
                raise LookupError(f"{name} is not declared under {key!r} in any bundle's SETTINGS")
            if not keys:
                raise LookupError(f"{name} is declared in the SETTINGS of no bundle")
            if key is None and len(keys) > 1:
                raise LookupError(
                    f"{name} is declared under {' and '.join(map(repr, keys))}: bind(cls, key=...)"
                )
            from .classes import bind

            chosen = keys[0] if key is None else key
            value = self._data.get(chosen, {}) if chosen else self._data
            bound = self._bound[(cls, key)] = bind(cls, value, chosen)
        return bound

    def beneath(self, name: str, values: Mapping[str, Any]) -> Config:
        """This configuration with one more layer under all the others.

        The result is what :func:`~ampho.config.load` would give with
        ``(name, values)`` as the first item of ``defaults``, without
        reading any layer again: the application factory adds the secret
        key it generates when no layer sets one, and a start reads each
        file once. The layer may only fill in top-level keys that no
        layer sets, so nothing above has to be merged again. A new key
        can break a schema the load satisfied (a ``maxLength``, say), so
        the result is validated against :attr:`schemas` again.

        :raises ValueError: if a layer sets one of the keys already.
        :raises SettingsInvalid: listing every violation of the schemas.
        """
        taken = [key for key in values if key in self._data]
        if taken:
            raise ValueError(f"{format_key((taken[0],))} is set already, beneath {name!r}")
        added: dict[str, Any] = {}
        source = MappingSource(name, values, always_found=True).apply(added)
        # Lowest, so first in the data too, as a load would have merged it.
        cfg = Config(
            {**added, **self._data},
            location=self.location,
            sources=(source, *self._sources),
            schemas=self.schemas,
        )
        cfg.resolution = self.resolution
        if self.schemas is not None:
            violations = self.schemas.validate(cfg)
            if violations:
                raise SettingsInvalid(violations, cfg)
        return cfg

    def __repr__(self) -> str:
        return f"<Config env={self.env!r} root_dir={self.root_dir!r} keys={len(self._data)}>"


class Setting:
    """What one layer says of a key, from :meth:`Config.explain`."""

    __slots__ = ("layer", "origin", "value")

    def __init__(self, layer: Layer, origin: Origin | None, value: Any) -> None:
        #: The layer.
        self.layer = layer
        #: Where in the layer: ``instance/production.json:3:5``, ``env AMPHO_X``.
        self.origin = origin
        #: The layer's own value, a copy.
        self.value = value

    def __repr__(self) -> str:
        return f"Setting(layer={self.layer.name!r}, origin={str(self.origin)!r})"
