"""The sources ``AMPHO_SOURCES`` names, made by plugin packages.

The variable holds one or more URLs, ``scheme:rest``, separated by white
space. Each scheme is the name of an entry point in the group
``ampho.sources``, which a package registers in its metadata; the entry
point names a factory, called with the URL's part after ``scheme:`` and
the environment the load reads, which returns a
:class:`~ampho.config.Source`. So a plugin package adds a kind of store
without a line of code in the application.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..errors import ConfigError
from . import Source

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
