"""The record of a place: where a value, an error or a finding is.

An :class:`Origin` is the one record of a place in the engine. A loaded
value's origin, a :class:`~ampho.config.ConfigError`'s location, a
schema violation's place and a ``config check`` finding are each an
:class:`Origin`, so a place is formatted in one way, by :meth:`Origin.__str__`,
and never parsed back from text. A :class:`Layer` is one layer of a load.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

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
    """A place: where a value came from, or where a problem is.

    ``str()`` gives ``instance/production.json:12:5`` for a file (line
    and column of the key), ``env AMPHO_DB__HOST`` for an environment
    variable, ``instance/secrets/DB__PASSWORD`` for a secrets file,
    ``overrides``, or the name of a defaults layer.
    """

    __slots__ = ("column", "layer", "line", "source")

    #: The file as shown, ``env NAME``, ``overrides`` or a layer name.
    source: str
    #: 1-based line of the key in a file, else ``None``.
    line: int | None
    #: 1-based column of the key in a file, else ``None``.
    column: int | None
    #: The layer the value came from; ``None`` for a place that is in no
    #: layer of a load (a file that failed to load, a schema).
    layer: Layer | None

    def __init__(
        self,
        source: str,
        line: int | None = None,
        column: int | None = None,
        layer: Layer | None = None,
    ) -> None:
        self.source = source
        self.line = line
        self.column = column
        self.layer = layer

    def _fields(self) -> tuple[str, int | None, int | None, Layer | None]:
        return (self.source, self.line, self.column, self.layer)

    def __repr__(self) -> str:
        return (
            f"Origin(source={self.source!r}, line={self.line!r},"
            f" column={self.column!r}, layer={self.layer!r})"
        )

    def __str__(self) -> str:
        """``source:line:column``, as much of it as is known."""
        if self.line is None:
            return self.source
        if self.column is None:
            return f"{self.source}:{self.line}"
        return f"{self.source}:{self.line}:{self.column}"
