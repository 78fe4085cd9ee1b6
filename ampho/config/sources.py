"""The protocol every layer of a load follows, and the one users write to.

A *source* is one layer of settings. It has a name, by which it is shown
in :meth:`Config.origin <ampho.config.Config.origin>`,
:meth:`~ampho.config.Config.explain` and the ``ampho config`` commands;
it reads a dict of settings, which :func:`~ampho.config.load` merges as it
merges a file; it answers where each value came from; it may mark key
paths secret, so every printer masks them whatever their names say; and
its failures are one-line :class:`~ampho.config.ConfigError` naming it.

The built-in layers (the JSON files, the secrets directory, the
environment, the mappings of ``defaults`` and ``overrides``) are sources
too, made after their layer is read, so a loaded configuration asks a
user's source exactly as it asks them. A user's source is given to
:func:`~ampho.config.load` through ``sources=``, or named by a URL in
``AMPHO_SOURCES`` whose scheme a package registers in the entry-point
group ``ampho.sources`` (see "Writing a source" in the manual).

The built-in layers follow the protocol without subclassing
:class:`Source`, so this module is imported only by a load that is given
sources (``sources=`` or ``AMPHO_SOURCES``) and a plain ``load()`` costs
what it did. :class:`Source` is a plain class rather than a
:class:`typing.Protocol` or an :mod:`abc` class, which would cost an
import for a check no caller needs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .errors import ConfigError
from .provenance import NOTHING, Origin, walk

if TYPE_CHECKING:
    from .jsonfile import KeyPath
    from .provenance import Layer


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

    :func:`~ampho.config.load` calls :meth:`read` once, when the layer's
    turn comes, and keeps a shallow copy of the source with :attr:`layer`
    and :attr:`data` set: the configuration it returns asks that copy
    for origins, so the same source object can be given to many loads.
    """

    # A subclass without __slots__ has a __dict__ as usual; the built-in
    # layers' classes keep theirs small.
    __slots__ = ("data", "layer")

    #: What :meth:`value` answers where the layer sets nothing.
    NOTHING: Any = NOTHING

    #: How the layer is shown: in :attr:`Config.layers
    #: <ampho.config.Config.layers>`, in origins, and by every command.
    #: A class attribute or one set by ``__init__``.
    name: str
    #: The layer this source became, set by :func:`~ampho.config.load`.
    layer: Layer
    #: A copy of what :meth:`read` returned, set by :func:`~ampho.config.load`.
    data: dict[str, Any]

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


#: What makes a source of a URL in ``AMPHO_SOURCES``: the object an entry
#: point of the group ``ampho.sources`` names, called with the URL's part
#: after ``scheme:`` and the environment the load reads.
if TYPE_CHECKING:
    from collections.abc import Callable

    SourceFactory = Callable[[str, Mapping[str, str]], Source]

#: The entry-point group that registers the schemes of ``AMPHO_SOURCES``.
ENTRY_POINT_GROUP = "ampho.sources"


def sources_from_environ(value: str, environ: Mapping[str, str], variable: str) -> list[Source]:
    """The sources named by the URLs of ``AMPHO_SOURCES``, in order.

    Each URL is ``scheme:rest``, separated by white space; its scheme is
    looked up in the entry-point group :data:`ENTRY_POINT_GROUP` (only
    here, so a load without the variable never imports
    :mod:`importlib.metadata`). An error names the scheme and the URL's
    place in the variable, never the rest of the URL, which may hold a
    token or a password.

    :param variable: the variable's name, ``AMPHO_SOURCES``.
    :raises ConfigError: naming the variable, for a URL that is not
        ``scheme:rest``, an unknown scheme, or a factory that fails.
    """
    from importlib.metadata import entry_points

    urls = value.split()
    known = {point.name: point for point in entry_points(group=ENTRY_POINT_GROUP)}
    made = []
    for place, url in enumerate(urls, 1):
        scheme, colon, rest = url.partition(":")
        where = f"URL {place} of {len(urls)}"
        if not (colon and _is_scheme(scheme)):
            raise ConfigError(
                f"{where} is not scheme:rest (a scheme is a letter, then letters,"
                " digits, '+', '-' or '.')",
                source=variable,
            )
        if scheme not in known:
            listed = ", ".join(sorted(known)) or "none are installed"
            raise ConfigError(
                f"{where}: unknown source scheme {scheme!r} (known: {listed})", source=variable
            )
        shown = f"{variable} {scheme}:"
        try:
            source = known[scheme].load()(rest, environ)
        except ConfigError as e:
            raise e if e.source is not None else ConfigError(e.message, source=shown) from None
        except (ImportError, AttributeError) as e:
            raise ConfigError(
                f"the entry point of {scheme!r} cannot be loaded: {e}", source=shown
            ) from None
        if not isinstance(source, Source):
            raise ConfigError(
                f"the factory of {scheme!r} gave {type(source).__name__}, not a Source",
                source=shown,
            )
        made.append(source)
    return made


def _is_scheme(scheme: str) -> bool:
    """A URL scheme as RFC 3986 spells it, tested without a regex."""
    return (
        scheme.isascii() and scheme[:1].isalpha() and all(c.isalnum() or c in "+-." for c in scheme)
    )
