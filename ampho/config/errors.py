"""The one exception the config engine raises for bad input."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..errors import AmphoError

if TYPE_CHECKING:
    from .schema import Violation


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
        self.path = path
        self.line = line
        self.column = column
        self.source = source if source is not None else path
        super().__init__(str(self))

    @property
    def location(self) -> str | None:
        """``source:line:column``, as much of it as is known."""
        if self.source is None:
            return None
        parts = [self.source]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        location = self.location
        return f"{location}: {self.message}" if location else self.message


class SettingsInvalid(ConfigError):
    """The settings break what the bundles' schemas declare.

    Raised by :func:`ampho.config.load` and :func:`ampho.create_app`
    with *every* violation, so one run shows them all. ``str()`` keeps
    the one-line contract of :class:`ConfigError`: the first violation,
    then ``(and N more)``; :meth:`lines` gives one line per violation,
    which the command line prints as ``Error: <line>`` each.

    :param violations: :class:`ampho.config.schema.Violation` objects,
        at least one.
    """

    def __init__(self, violations: Sequence[Violation]) -> None:
        #: Every violation, in schema order.
        self.violations = list(violations)
        first = str(self.violations[0]) if self.violations else "the settings are invalid"
        more = len(self.violations) - 1
        super().__init__(f"{first} (and {more} more)" if more > 0 else first)

    def lines(self) -> list[str]:
        """One line per violation."""
        return [" ".join(str(v).split()) for v in self.violations]
