"""The read-only result of a load."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from .jsonfile import json_type
from .merge import copy_tree
from .provenance import Layer, Origin, Source

_MISSING: Any = object()


#: A key: dotted (``"DB.HOST"``) or, for keys that hold dots, a tuple of parts.
Key = str | tuple[str, ...]


def split_key(key: Key) -> tuple[str, ...]:
    """Split a dotted key, ``"DB.HOST"``, into its parts.

    A tuple is already split, and is how to name a key that holds a dot.
    """
    if isinstance(key, tuple):
        return key
    return tuple(key.split("."))


class ReadOnlyMapping(Mapping[str, Any]):
    """A read-only view of one object of the settings tree.

    Nested objects come back as read-only views as well and lists as
    tuples, so nothing reached through a :class:`Config` can change it by
    accident. Views are made on access and cost nothing to make. Use
    :meth:`to_dict` for a copy to change.
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
        # Lists read back as tuples, so compare as plain trees: a Config
        # equals its to_dict() and dict(cfg) alike.
        if not isinstance(other, Mapping):
            return NotImplemented
        return bool(_thaw(self._data) == _thaw(other))

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
                above = ".".join(path[:depth])
                raise KeyError(f"{'.'.join(path)}: {above} is {json_type(node)}, not an object")
            if part not in node:
                if depth == 0:
                    raise KeyError(f"{part}: no such key")
                above = ".".join(path[:depth])
                raise KeyError(f"{'.'.join(path)}: {above} has no key {part!r}")
            node = node[part]
        return node


def iter_leaves(
    data: Mapping[str, Any], prefix: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Yield ``(key path, value)`` for every leaf, in sorted key order.

    A leaf is anything but a non-empty object: a list, a plain value, or
    an empty object.
    """
    for key in sorted(data, key=str):
        value = data[key]
        path = (*prefix, key)
        if isinstance(value, Mapping) and value:
            yield from iter_leaves(value, path)
        else:
            yield path, value


def _read_only(value: Any) -> Any:
    if isinstance(value, dict):
        return ReadOnlyMapping(value)
    if isinstance(value, (list, tuple)):
        return tuple(_read_only(item) for item in value)
    if isinstance(value, (set, frozenset)):
        return frozenset(value)
    if isinstance(value, bytearray):
        return bytes(value)
    return value


def _thaw(value: Any) -> Any:
    """Plain dicts and lists, to compare trees whatever views hold them."""
    if isinstance(value, ReadOnlyMapping):
        value = value._data
    if isinstance(value, Mapping):
        return {key: _thaw(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_thaw(item) for item in value]
    return value


class Config(ReadOnlyMapping):
    """Merged settings, with where each one came from.

    Made by :func:`ampho.config.load`. It is a read-only
    :class:`~collections.abc.Mapping` of the top-level keys, so it can be
    passed to anything that reads a mapping, including
    ``flask_app.config.update(cfg.to_dict())``.
    """

    __slots__ = ("_layers", "_sources", "env", "instance_dir", "root_dir")

    def __init__(
        self,
        data: dict[str, Any],
        *,
        env: str,
        root_dir: str,
        instance_dir: str,
        layers: Sequence[Layer],
        sources: Sequence[Source],
    ) -> None:
        super().__init__(data)
        #: The environment the layers were chosen for.
        self.env = env
        #: The absolute root directory; file origins are shown relative to it.
        self.root_dir = root_dir
        #: The absolute instance directory the JSON files were read from.
        self.instance_dir = instance_dir
        self._layers = tuple(layers)
        self._sources = tuple(sources)

    @property
    def layers(self) -> tuple[Layer, ...]:
        """Every layer of the load, lowest first, found or skipped."""
        return self._layers

    def origin(self, key: Key) -> Origin:
        """Where the value at a dotted key (or tuple of keys) came from.

        For an object merged from several layers it is the highest layer
        that set anything in it.

        :raises KeyError: if there is no such key.
        """
        path = split_key(key)
        self._find(path)
        for source in reversed(self._sources):
            found = source.origin(path)
            if found is not None:
                return found
        # Unreachable while sources and data agree; say so if not.
        raise LookupError(f"{'.'.join(path)}: no layer set this key")  # pragma: no cover

    def __repr__(self) -> str:
        return f"<Config env={self.env!r} root_dir={self.root_dir!r} keys={len(self._data)}>"
