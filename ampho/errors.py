"""The base of the errors Ampho raises for something a user can fix.

It sits beneath every layer, importing nothing, so that bundle discovery
(:class:`~ampho.bundle.BundleError`) and the configuration engine
(:class:`~ampho.config.ConfigError`) can share it without either
importing the other.
"""

from __future__ import annotations


class AmphoError(Exception):
    """A settings file, a variable or a bundle that is wrong, not a bug.

    The ``ampho`` command prints :meth:`lines`, one ``Error:`` line each,
    and no traceback, whichever subclass it is; as click's
    ``ClickException`` is shown by ``show()``, every such error is printed
    in one place. A program that builds an application catches this one
    class for all of them.
    """

    def lines(self) -> list[str]:
        """What to show, one line each: the message, on one line."""
        return [" ".join(str(self).split())]
