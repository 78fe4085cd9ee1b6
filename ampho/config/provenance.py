"""Where each setting came from.

Every layer that took part in a load is kept as a *source* that can
answer one question: did you set this key path, and where? Asking the
sources from the highest layer down finds the layer whose value won,
which stays right through deep merges: a key that ``default.json`` set
and ``production.json`` left alone is found in ``default.json`` even
when ``production.json`` changed its siblings.

Positions inside JSON files are found only when first asked for, so a
load that never needs them does not pay for them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .jsonfile import Lines, key_offsets, value_offset

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .jsonfile import KeyPath

# Layer and Origin are small immutable records. They are plain classes
# rather than NamedTuples because making a NamedTuple class costs a cold
# start a measurable part of a millisecond, and every script pays it.


class _Record:
    """Equality, hashing and unpacking by fields, as a tuple has them."""

    __slots__ = ()

    def _fields(self) -> tuple[Any, ...]:
        raise NotImplementedError

    def __iter__(self) -> Iterator[Any]:
        return iter(self._fields())

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())


class Layer(_Record):
    """One layer of a load, found or not, lowest first in ``Config.layers``.

    Layers compare equal when their fields are equal, and unpack as
    ``name, path, found``.
    """

    __slots__ = ("found", "name", "path")

    #: How the layer is shown: ``instance/production.json``, ``env``,
    #: ``overrides`` or the name given to a defaults layer.
    name: str
    #: The file the layer was read from, if it is a file.
    path: str | None
    #: Whether the layer was there: ``False`` for a missing file, and
    #: for ``env`` or ``overrides`` when they set nothing.
    found: bool

    def __init__(self, name: str, path: str | None, found: bool) -> None:
        self.name = name
        self.path = path
        self.found = found

    def _fields(self) -> tuple[str, str | None, bool]:
        return (self.name, self.path, self.found)

    def __repr__(self) -> str:
        return f"Layer(name={self.name!r}, path={self.path!r}, found={self.found!r})"


class Origin(_Record):
    """Where a value came from.

    ``str()`` gives ``instance/production.json:12:5`` for a file (line
    and column of the key), ``env AMPHO_DB__HOST`` for an environment
    variable, ``overrides``, or the name of a defaults layer.
    """

    __slots__ = ("column", "layer", "line", "source")

    #: The file as shown, ``env NAME``, ``overrides`` or a layer name.
    source: str
    #: 1-based line of the key in a file, else ``None``.
    line: int | None
    #: 1-based column of the key in a file, else ``None``.
    column: int | None
    #: The layer the value came from.
    layer: Layer

    def __init__(self, source: str, line: int | None, column: int | None, layer: Layer) -> None:
        self.source = source
        self.line = line
        self.column = column
        self.layer = layer

    def _fields(self) -> tuple[str, int | None, int | None, Layer]:
        return (self.source, self.line, self.column, self.layer)

    def __repr__(self) -> str:
        return (
            f"Origin(source={self.source!r}, line={self.line!r},"
            f" column={self.column!r}, layer={self.layer!r})"
        )

    def __str__(self) -> str:
        if self.line is None:
            return self.source
        return f"{self.source}:{self.line}:{self.column}"


#: What a source's ``value()`` answers where its layer sets nothing
#: (:attr:`Source.NOTHING <ampho.config.Source.NOTHING>`).
NOTHING: Any = object()


def walk(node: Any, path: KeyPath) -> Any:
    """The value at ``path`` under ``node``, or :data:`NOTHING`."""
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return NOTHING
        node = node[key]
    return node


class _BuiltIn:
    """A built-in layer's source, made once its layer is read.

    It follows the protocol of :class:`ampho.config.Source` (``name``,
    ``layer``, ``origin()``, ``value()``, ``secret_paths()``) without
    subclassing it, so that a load that has no source of a user's does
    not import :mod:`~ampho.config.sources` (measured with callgrind: a
    module more is about 1% of a cold ``load()``).
    """

    __slots__ = ()

    layer: Layer

    @property
    def name(self) -> str:
        """The layer's name."""
        return self.layer.name

    def secret_paths(self) -> Iterable[KeyPath]:
        """None: only the secrets directory marks its values."""
        return ()


class FileSource(_BuiltIn):
    """A JSON file layer; knows key positions once asked.

    The first question indexes the whole file (where each key is, where
    each line starts) in one pass; every answer after it is a lookup, so
    placing every key of a file takes time in proportion to its size.
    """

    __slots__ = ("_lines", "_offsets", "layer", "text")

    def __init__(self, layer: Layer, text: str) -> None:
        self.layer = layer
        self.text = text
        self._offsets: dict[KeyPath, int] | None = None
        self._lines: Lines | None = None

    def _origin_at(self, offset: int) -> Origin:
        if self._lines is None:
            self._lines = Lines(self.text)
        line, column = self._lines.position(offset)
        return Origin(self.layer.name, line, column, self.layer)

    def _offset(self, path: KeyPath) -> int | None:
        if self._offsets is None:
            self._offsets = key_offsets(self.text)
        return self._offsets.get(path)

    def origin(self, path: KeyPath) -> Origin | None:
        offset = self._offset(path)
        return None if offset is None else self._origin_at(offset)

    def value_origin(self, path: KeyPath) -> Origin | None:
        """Where the value of the key at ``path`` starts, rather than the key."""
        offset = self._offset(path)
        return None if offset is None else self._origin_at(value_offset(self.text, offset))

    def value(self, path: KeyPath) -> Any:
        """What the file itself says at ``path`` (the file is parsed again:
        only :meth:`Config.explain` asks)."""
        from .jsonfile import decode

        return walk(decode(self.text, allow_duplicates=True), path)


class MappingSource(_BuiltIn):
    """A layer given as a mapping: a defaults layer or the overrides."""

    __slots__ = ("data", "layer")

    def __init__(self, layer: Layer, data: dict[str, Any]) -> None:
        self.layer = layer
        # A private copy, never merged into anything.
        self.data = data

    def origin(self, path: KeyPath) -> Origin | None:
        if walk(self.data, path) is NOTHING:
            return None
        return Origin(self.layer.name, None, None, self.layer)

    def value(self, path: KeyPath) -> Any:
        return walk(self.data, path)


class EnvSource(_BuiltIn):
    """The environment variables applied, in the order applied.

    :param applied: ``(variable, key path, value)`` of each.
    """

    __slots__ = ("_last_at", "_last_under", "applied", "layer")

    #: How a variable is shown as an origin.
    label = "env {}"

    def __init__(self, layer: Layer, applied: list[tuple[str, KeyPath, Any]]) -> None:
        self.layer = layer
        self.applied = applied
        self._last_at: dict[KeyPath, int] | None = None
        self._last_under: dict[KeyPath, int] = {}

    def _index(self) -> dict[KeyPath, int]:
        """Index the variables by key path, once: asking each origin by
        going through every variable took minutes for a dump of ten
        thousand of them.

        ``_last_at`` maps a key path to the last variable that set it,
        ``_last_under`` a key path to the last variable set at or below
        it (under each of the variable's key path's prefixes).
        """
        last_at: dict[KeyPath, int] = {}
        last_under = self._last_under
        for index, (_, target, _) in enumerate(self.applied):
            last_at[target] = index
            for depth in range(len(target) + 1):
                last_under[target[:depth]] = index
        self._last_at = last_at
        return last_at

    def origin(self, path: KeyPath) -> Origin | None:
        # A variable replaces the whole value at its path, so the last
        # one at or above the path set it; one below it changed the
        # object at the path.
        last_at = self._index() if self._last_at is None else self._last_at
        found = self._last_under.get(path, -1)
        for depth in range(1, len(path)):
            found = max(found, last_at.get(path[:depth], -1))
        if found < 0:
            return None
        return Origin(self.label.format(self.applied[found][0]), None, None, self.layer)

    def value(self, path: KeyPath) -> Any:
        """What this layer's entries set at ``path``, applied in order."""
        tree: dict[str, Any] = {}
        touched = False
        for _, target, value in self.applied:
            depth = min(len(target), len(path))
            if target[:depth] != path[:depth]:
                continue
            touched = True
            node = tree
            for key in target[:-1]:
                if not isinstance(node.get(key), dict):
                    node[key] = {}
                node = node[key]
            node[target[-1]] = value
        return walk(tree, path) if touched else NOTHING


class SecretsSource(EnvSource):
    """The files of a secrets directory, as variables are: ``(shown path,
    key path, value)`` each; an origin names the file."""

    __slots__ = ()

    label = "{}"

    def secret_paths(self) -> list[KeyPath]:
        """Every value read from the secrets directory is a secret."""
        return [path for _, path, _ in self.applied]


if TYPE_CHECKING:
    from typing import TypeAlias

    from .sources import Source as UserSource

    #: Any layer's source (for annotations only): a built-in layer's or
    #: a user's.
    Source: TypeAlias = FileSource | MappingSource | EnvSource | UserSource
