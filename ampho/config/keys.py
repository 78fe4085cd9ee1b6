"""Key paths: how a setting is named, and how a name is read back.

A key path is a tuple of keys from the top object down, ``("DB",
"HOST")``. People write it dotted, ``DB.HOST``; a key that holds a dot
is written as a JSON string, ``LOGGERS."shop.orders".LEVEL``.
:func:`format_key` writes every key path that way and :func:`split_key`
reads it back, so whatever a command prints can be pasted back as its
``KEY``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # Names for annotations only, which ``from __future__ import
    # annotations`` leaves unevaluated: building them would cost every
    # cold ``load()``, and nothing reads them at run time.

    #: A key path inside a document: the keys from the top object down.
    KeyPath = tuple[str, ...]

    #: A path to a value: keys of objects and indices of arrays.
    ValuePath = tuple[str | int, ...]

    #: A key: dotted (``"DB.HOST"``) or, for keys that hold dots, a tuple of parts.
    Key = str | tuple[str, ...]


def split_key(key: Key) -> tuple[str, ...]:
    """Split a dotted key, ``"DB.HOST"``, into its parts.

    A part that holds a dot is written as a JSON string, in double
    quotes: ``'LOGGERS."shop.orders".LEVEL'`` is ``("LOGGERS",
    "shop.orders", "LEVEL")``, which is how :func:`format_key` (and so
    every command) prints it. A tuple is already split.

    :raises KeyError: naming the key, for a part that starts with a
        double quote but is not a JSON string followed by a dot or the end.
    """
    if isinstance(key, tuple):
        return key
    if '"' not in key:
        return tuple(key.split("."))
    return _split_quoted(key)


def _split_quoted(key: str) -> tuple[str, ...]:
    """Split a key that holds a double quote: a part starting with one is
    read by :mod:`json`'s own decoder, so it is exactly a JSON string."""
    parts: list[str] = []
    start = 0
    while True:
        if key.startswith('"', start):
            try:
                part, end = json.JSONDecoder().raw_decode(key, start)
            except ValueError:
                end = -1
            if end < 0 or (end != len(key) and not key.startswith(".", end)):
                raise KeyError(
                    f"{key}: a part in double quotes must be a JSON string followed by a dot"
                    ' or the end, as in LOGGERS."shop.orders".LEVEL'
                )
        else:
            end = key.find(".", start)
            end = len(key) if end < 0 else end
            part = key[start:end]
        parts.append(part)
        if end == len(key):
            return tuple(parts)
        start = end + 1


def format_key(path: Sequence[Any]) -> str:
    """Write a key path the way :func:`split_key` reads it: ``DB.HOST``.

    A part that holds a dot, starts with a double quote, is empty, or
    holds a character that is not printable (a line break, say) is
    written as a JSON string, so that what a command prints can be
    pasted back as its ``KEY`` and one key stays on one line:
    ``format_key(("LOGGERS", "shop.orders"))`` is ``LOGGERS."shop.orders"``.
    A part that is not text (a lone surrogate) is written in ASCII
    escapes, so any key path can be printed.
    """
    return ".".join(_format_part(str(part)) for part in path)


def _format_part(part: str) -> str:
    if part and "." not in part and not part.startswith('"') and part.isprintable():
        return part
    return json.dumps(part, ensure_ascii=not part.isprintable())
