"""The layers of a load: one protocol, and one module per kind of layer.

A *source* is one layer of settings. It has a name, by which it is shown
in :meth:`Config.origin <ampho.config.Config.origin>`,
:meth:`~ampho.config.Config.explain` and the ``ampho config`` commands;
it reads a dict of settings, which :func:`~ampho.config.load` merges as it
merges a file; it answers where each value came from; it may mark key
paths secret, so every printer masks them whatever their names say; and
its failures are one-line :class:`~ampho.config.ConfigError` naming it.

The built-in layers are sources too, each one class in one module that
both reads its layer and answers where each of its values came from:

- :mod:`.files`: a JSON file (the instance files, the bundles'
  ``default.json``, a ``defaults=`` path);
- :class:`MappingSource`, here: a mapping given in code (``defaults=``,
  ``overrides=``), the simplest source;
- :mod:`.secrets`: the secrets directory;
- :mod:`.environ`: the ``AMPHO_*`` variables;
- :mod:`.plugins`: the sources ``AMPHO_SOURCES`` names, made by the
  packages of the entry-point group ``ampho.sources``.

:func:`~ampho.config.load` builds the sources, lowest first, and has each
:meth:`~Source.apply` itself to the settings merged so far. A user's
source is given through ``sources=`` or named in ``AMPHO_SOURCES`` (see
"Writing a source" in the manual), and is asked exactly as the built-in
ones are.

:class:`Source` is a plain class rather than a :class:`typing.Protocol`
or an :mod:`abc` class, which would cost every cold start an import for
a check no caller needs.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, Origin, SettingsInvalid
from ..tree import NOTHING, copy_input, copy_tree, holds_text, merge_layer, split_key, walk

if TYPE_CHECKING:
    from ..schema import Schemas
    from ..tree import KeyPath

    #: One item of ``defaults=`` or ``schemas=``: a mapping, or ``(name,
    #: mapping)``, or ``(name, path of a JSON file)``, read like the
    #: instance files.
    DocumentItem = Mapping[str, Any] | tuple[str, Mapping[str, Any] | str | os.PathLike[str]]


class Layer(tuple[str, "str | None", bool]):
    """One layer of a load, found or not, lowest first in
    :attr:`Config.layers <ampho.config.Config.layers>`: what a source
    became. A small tuple, ``(name, path, found)``, as a named tuple is.
    """

    __slots__ = ()

    def __new__(cls, name: str, path: str | None, found: bool) -> Layer:
        return tuple.__new__(cls, (name, path, found))

    def __getnewargs__(self) -> tuple[str, str | None, bool]:
        return (self[0], self[1], self[2])

    @property
    def name(self) -> str:
        """How the layer is shown: ``instance/production.json``, ``env``,
        ``overrides`` or the name given to a defaults layer."""
        return self[0]

    @property
    def path(self) -> str | None:
        """The file or directory the layer was read from, if any."""
        return self[1]

    @property
    def found(self) -> bool:
        """Whether the layer was there: ``False`` for a missing file, and
        for ``env`` or ``overrides`` when they set nothing."""
        return self[2]

    def __repr__(self) -> str:
        return f"Layer(name={self[0]!r}, path={self[1]!r}, found={self[2]!r})"


class Source:
    """One layer of settings: subclass it to read settings from anywhere.

    A subclass sets :attr:`name` and writes :meth:`read`; everything
    else has a default that answers from what :meth:`read` returned::

        class StaticSource(Source):
            def __init__(self, values):
                self.name = "static"
                self.values = values

            def read(self):
                return self.values

    :func:`~ampho.config.load` calls :meth:`apply` when the layer's
    turn comes, which calls :meth:`read` once and returns a shallow copy
    of the source with :attr:`layer`, :attr:`data` and
    :attr:`marked_secrets` set: the configuration it returns asks that
    copy for origins, so the same source object can be given to many
    loads, and keeps whatever :meth:`read` stored on it.
    """

    # A subclass without __slots__ has a __dict__ as usual; the built-in
    # layers' classes keep theirs small.
    __slots__ = ("data", "layer", "marked_secrets")

    #: What :meth:`value` answers where the layer sets nothing.
    NOTHING: Any = NOTHING

    #: How the layer is shown: in :attr:`Config.layers
    #: <ampho.config.Config.layers>`, in origins, and by every command.
    #: A class attribute or one set by ``__init__``.
    name: str
    #: The layer this source became, set by :meth:`apply`.
    layer: Layer
    #: A copy of what :meth:`read` returned, set by the default
    #: :meth:`apply` (the built-in layers keep what they read their own way).
    data: dict[str, Any]
    #: The key paths this layer marks secret, set by :meth:`apply` from
    #: :meth:`secret_paths`.
    marked_secrets: frozenset[KeyPath]

    def apply(self, data: dict[str, Any]) -> Source:
        """Add this layer to ``data``, the settings merged so far, in place,
        and return the source that answers for the layer from then on.

        This is the one step :func:`~ampho.config.load` takes for every
        layer. By default: :meth:`read`, once; a private copy of what it
        gave (checked to hold only what JSON output can print), merged
        into ``data`` key by key as a file is; and a shallow copy of this
        source, with :attr:`layer`, :attr:`data` and :attr:`marked_secrets`
        set, asked :meth:`secret_paths` once when the layer set anything.
        A failure of any of these is the one-line error naming the source.

        The built-in layers, made afresh for each load, override it and
        return themselves; the environment and the secrets directory set
        values at key paths rather than merge an object.
        """
        name = self.name
        read = self._ask(self.read)
        if not isinstance(read, Mapping):
            raise self.error(f"read() gave {type(read).__name__}, not a mapping")
        kept = copy_input(read, name)
        import copy

        bound = copy.copy(self)
        bound.data = kept
        bound.layer = Layer(name, None, bool(kept))
        bound.marked_secrets = frozenset()
        if kept:
            marked = bound._ask(bound.secret_paths)
            bound.marked_secrets = frozenset(bound._checked_path(p) for p in marked)
            merge_layer(data, copy_tree(kept), name)
        return bound

    def with_schemas(self, schemas: Schemas | None) -> Source:
        """The source to apply in a load whose declared settings are
        ``schemas``: a source whose values are text (a store, like the
        environment) returns a copy that types them by the declared
        types (:func:`~ampho.config.sources.environ.parse_value`). By
        default the source itself."""
        return self

    def holds_references(self) -> bool:
        """Whether a value of this layer may hold ``${``, a reference to
        another setting or a variable (:mod:`~ampho.config.references`).

        Asked once the layer is applied; a load in which no layer says
        so never looks for references. By default every string of
        :attr:`data` is looked at.
        """
        return holds_text(self.data, "${")

    def _checked_path(self, path: object) -> KeyPath:
        if not isinstance(path, (str, tuple)) or not path:
            raise self.error(f"secret_paths() gave {path!r}, not a key path")
        return split_key(path)

    def _ask(self, call: Callable[[], Any]) -> Any:
        """``call()``, a method of this source, whose failure becomes the
        one-line error naming the source: a :class:`ConfigError` that
        names no place, or an :exc:`OSError` (a store that cannot be
        reached)."""
        try:
            return call()
        except ConfigError as e:
            if e.source is not None or isinstance(e, SettingsInvalid):
                raise
            raise self.error(e.message, line=e.line, column=e.column) from None
        except OSError as e:
            raise self.error(e.strerror or str(e) or type(e).__name__) from None

    def read(self) -> Mapping[str, Any]:
        """The settings of this layer, a mapping of JSON values, merged
        above the layers below it as a file is.

        :raises ConfigError: when the settings cannot be read; make it
            with :meth:`error`, so it names the source. An
            :exc:`OSError` (a store that cannot be reached) is turned
            into one too.
        """
        raise NotImplementedError(f"{type(self).__name__} must define read()")

    def origin(self, path: KeyPath) -> Origin | None:
        """Where the value at ``path`` was set in this layer, ``None``
        when the layer sets nothing there.

        By default, the layer's name: override it to say more, such as
        the entry of a store, with :meth:`origin_named`.
        """
        if walk(self.data, path) is NOTHING:
            return None
        return self.origin_named(self.name)

    def value_origin(self, path: KeyPath) -> Origin | None:
        """Where the *value* at ``path`` starts, rather than its key: in a
        file, the place a schema violation points at. By default the
        same as :meth:`origin`."""
        return self.origin(path)

    def origin_named(
        self, shown: str, line: int | None = None, column: int | None = None
    ) -> Origin:
        """An :class:`~ampho.config.Origin` in this layer, shown as ``shown``
        (with ``:line:column`` when they are given)."""
        return Origin(shown, line, column, self.layer)

    def value(self, path: KeyPath) -> Any:
        """What this layer itself says at ``path`` (for
        :meth:`~ampho.config.Config.explain`), or :attr:`NOTHING`."""
        return walk(self.data, path)

    def secret_paths(self) -> Iterable[KeyPath | str]:
        """Key paths (tuples of keys, or dotted strings) whose values are
        secrets whatever their names say: every printer masks them, as it
        masks the files of the secrets directory. Asked once, after
        :meth:`read`. None by default."""
        return ()

    def error(
        self, message: str, *, line: int | None = None, column: int | None = None
    ) -> ConfigError:
        """The one-line error for a failure of this source, naming it:
        ``raise self.error("cannot reach the store")``."""
        return ConfigError(message, line=line, column=column, source=self.name)


class MappingSource(Source):
    """A layer given as a mapping; its origins are its name
    (:meth:`Source.origin <ampho.config.Source.origin>`).

    :param name: how the layer is shown: ``defaults[0]``, ``overrides``.
    :param mapping: the settings.
    :param always_found: list the layer as found even when the mapping
        is empty, as an item of ``defaults=`` is; ``overrides`` that set
        nothing are a layer not found.
    """

    __slots__ = ("_always_found", "_mapping", "name")

    def __init__(self, name: str, mapping: object, *, always_found: bool = False) -> None:
        self.name = name
        self._mapping = mapping
        self._always_found = always_found
        self.data: dict[str, Any] = {}
        self.marked_secrets = frozenset()

    def read(self) -> Mapping[str, Any]:
        """The mapping given.

        :raises ConfigError: when it is no mapping (``overrides`` may be
            anything a caller passed).
        """
        if not isinstance(self._mapping, Mapping):
            raise ConfigError(f"{self.name} must be a mapping, not {type(self._mapping).__name__}")
        return self._mapping

    def apply(self, data: dict[str, Any]) -> Source:
        """Merge a private copy; another copy is kept to answer origins."""
        self.data = copy_input(self.read(), self.name)
        self.layer = Layer(self.name, None, self._always_found or bool(self.data))
        if self.data:
            merge_layer(data, copy_tree(self.data), self.name)
        return self


def named_item(
    kind: str, index: int, item: object
) -> tuple[str, Mapping[str, Any] | str | os.PathLike[str]]:
    """``(name, mapping or path)`` of one item of ``defaults=`` or ``schemas=``.

    An item is a mapping (named ``<kind>[<index>]``), or a ``(name,
    mapping)`` or ``(name, path)`` pair.

    :raises ConfigError: for anything else, naming the item.
    """
    if isinstance(item, Mapping):
        return f"{kind}[{index}]", item
    if (
        isinstance(item, tuple)
        and len(item) == 2
        and isinstance(item[0], str)
        and isinstance(item[1], (Mapping, str, os.PathLike))
    ):
        return item[0], item[1]
    raise ConfigError(
        f"{kind}[{index}] must be a mapping, (name, mapping) or (name, path),"
        f" not {type(item).__name__}"
    )
