"""What is wrong, and where.

:class:`Origin` is the one record of a place in the engine, and
:class:`ConfigError`, the one exception the engine raises for bad
input, names the place of the problem with one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..errors import AmphoError

if TYPE_CHECKING:
    from .settings import Config
    from .sources import Layer
    from .validation import Violation


class Origin(tuple[str, "int | None", "int | None", "Layer | None"]):
    """A place: where a value came from, or where a problem is.

    The one record of a place in the engine: a loaded value's origin, a
    :class:`ConfigError`'s :attr:`~ConfigError.where`, a schema
    violation's and a ``config check`` finding's, so a place is written
    out in one way, by ``str()``, and never parsed back from text.
    ``str()`` gives ``instance/production.json:12:5`` for a file (line
    and column of the key), ``env AMPHO_DB__HOST`` for an environment
    variable, ``instance/secrets/DB__PASSWORD`` for a secrets file,
    ``overrides``, or the name of a defaults layer.

    A small tuple, ``(source, line, column, layer)``, as a named tuple
    is, without making one: a cold start pays for every class it makes.
    """

    __slots__ = ()

    def __new__(
        cls,
        source: str,
        line: int | None = None,
        column: int | None = None,
        layer: Layer | None = None,
    ) -> Origin:
        return tuple.__new__(cls, (source, line, column, layer))

    def __getnewargs__(self) -> tuple[str, int | None, int | None, Layer | None]:
        return (self[0], self[1], self[2], self[3])

    @property
    def source(self) -> str:
        """The file as shown, ``env NAME``, ``overrides`` or a layer name."""
        return self[0]

    @property
    def line(self) -> int | None:
        """1-based line of the key in a file, else ``None``."""
        return self[1]

    @property
    def column(self) -> int | None:
        """1-based column of the key in a file, else ``None``."""
        return self[2]

    @property
    def layer(self) -> Layer | None:
        """The layer the value came from; ``None`` for a place that is in
        no layer of a load (a file that failed to load, a schema)."""
        return self[3]

    def __repr__(self) -> str:
        return (
            f"Origin(source={self[0]!r}, line={self[1]!r}, column={self[2]!r}, layer={self[3]!r})"
        )

    def __str__(self) -> str:
        """``source:line:column``, as much of it as is known."""
        source, line, column = self[0], self[1], self[2]
        if line is None:
            return source
        return f"{source}:{line}" if column is None else f"{source}:{line}:{column}"


class ConfigError(AmphoError, ValueError):
    """A configuration source could not be read or used.

    It subclasses :exc:`ValueError` because it is always about a bad
    value: a file that is not valid JSON, a name that would escape the
    instance directory, an environment variable that collides with a
    setting. ``str()`` is a single line that starts with the location,
    ``instance/production.json:12:5: Expecting ',' delimiter``, so a
    command line tool can print it as it is and an editor can jump to it.

    :param message: what is wrong, without the location.
    :param path: the file the problem is in, if any.
    :param line: 1-based line of the problem, if known.
    :param column: 1-based column of the problem, if known.
    :param source: how to show the file (usually relative to the root
        directory); defaults to ``path``.

    The place is kept as :attr:`where`, an :class:`~ampho.config.Origin`:
    the same record as a value's origin and a violation's place.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
        source: str | None = None,
    ) -> None:
        # A message is shown on one line, whatever it quotes.
        self.message = " ".join(message.split())
        #: The file the problem is in, if any.
        self.path = path
        if source is None:
            source = path
        #: Where the problem is, or ``None`` when it is in no one place.
        self.where = None if source is None else Origin(source, line, column)
        # A line may be known before the place is named: a source's read()
        # raises with one, and the source adds its name (Source.error).
        self._line_column = (line, column)
        super().__init__(str(self))

    @property
    def source(self) -> str | None:
        """The place as shown: a file, ``env NAME``, a secrets file."""
        return None if self.where is None else self.where.source

    @property
    def line(self) -> int | None:
        """1-based line of the problem, if known."""
        return self._line_column[0]

    @property
    def column(self) -> int | None:
        """1-based column of the problem, if known."""
        return self._line_column[1]

    @property
    def location(self) -> str | None:
        """``source:line:column``, as much of it as is known."""
        return None if self.where is None else str(self.where)

    def __str__(self) -> str:
        where = self.where
        return f"{where}: {self.message}" if where is not None else self.message


class SettingsInvalid(ConfigError):
    """The settings break what the bundles' schemas declare.

    Raised by :func:`ampho.config.load` and :func:`ampho.create_app`
    with *every* violation, so one run shows them all. ``str()`` keeps
    the one-line contract of :class:`ConfigError`: the first violation,
    then ``(and N more)``; :meth:`lines` gives one line per violation,
    which the command line prints as ``Error: <line>`` each.

    :param violations: :class:`ampho.config.validation.Violation` objects,
        at least one.
    :param config: the settings as loaded, which break the schemas.
    """

    def __init__(self, violations: Sequence[Violation], config: Config | None = None) -> None:
        #: Every violation, in schema order.
        self.violations = list(violations)
        #: The settings as loaded and composed, unvalidated, for the
        #: tools that show what is there while it is wrong (``config
        #: explain`` and ``config dump``); ``None`` when not given.
        self.config = config
        first = str(self.violations[0]) if self.violations else "the settings are invalid"
        more = len(self.violations) - 1
        super().__init__(f"{first} (and {more} more)" if more > 0 else first)

    def lines(self) -> list[str]:
        """One line per violation."""
        return [" ".join(str(v).split()) for v in self.violations]
