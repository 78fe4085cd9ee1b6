"""Reading JSON layer files, and finding where each key is written.

Parsing goes through the C accelerated :mod:`json` decoder: a layer of
twenty thousand settings must load as fast as a plain ``json.load``.
Positions of keys are only needed when somebody asks where a value came
from, so they are found later by :func:`key_offsets`, a small scanner
that runs over text the decoder has already accepted.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from typing import Any

from .errors import ConfigError

#: A JSON string (escapes included) or one of the punctuation characters.
#: Numbers and literals never match, which the scanner does not need.
#: A plain string, compiled by :mod:`re` on first use: loading never
#: scans, so a script that only loads does not pay for compiling it.
_TOKEN = r'(?s)"(?:[^"\\]|\\.)*"|[{}\[\]:,]'

#: A key path inside a document: the keys from the top object down.
KeyPath = tuple[str, ...]


class _DuplicateKey(Exception):
    """Raised by the decoder hook; turned into a located ConfigError."""


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise _DuplicateKey
    return obj


def position(text: str, offset: int) -> tuple[int, int]:
    """Turn a character offset into a 1-based ``(line, column)``."""
    line = text.count("\n", 0, offset) + 1
    column = offset - text.rfind("\n", 0, offset)
    return line, column


def read_json_file(
    path: str, source: str, *, allow_duplicates: bool = False
) -> tuple[dict[str, Any], str] | None:
    """Read and parse one layer file.

    :param path: the file to read.
    :param source: how to name the file in errors.
    :param allow_duplicates: passed on to :func:`parse_json`.
    :return: ``(data, text)``, or ``None`` when there is no such file.
    :raises ConfigError: for anything that keeps the file from being a
        usable layer, located as precisely as the problem allows.
    """
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        # A symbolic link to nothing is a mistake, not an absent layer.
        if os.path.islink(path):
            raise ConfigError(
                "is a symbolic link to a missing file", path=path, source=source
            ) from None
        return None
    except IsADirectoryError:
        raise ConfigError("is a directory, not a file", path=path, source=source) from None
    except OSError as e:
        raise ConfigError(f"cannot be read: {e.strerror or e}", path=path, source=source) from None
    return parse_json(raw, path, source, allow_duplicates=allow_duplicates)


def parse_json(
    raw: bytes, path: str | None, source: str, *, allow_duplicates: bool = False
) -> tuple[dict[str, Any], str]:
    """Decode and parse one JSON document that must hold an object.

    :param allow_duplicates: keep the last of repeated keys instead of
        failing, for a caller that reports them all with :func:`duplicates`.
    :return: the parsed object and the decoded text, which is kept to
        find the positions of keys later.

    A UTF-8 byte order mark is accepted, because some editors on Windows
    write one. Python's :mod:`json` keeps the last of two equal keys in
    one object; here that is an error, because the first value is lost
    without a word, which is how a typo eats a setting.
    """
    try:
        # Not the "utf-8-sig" codec: looking it up imports a module, which
        # a cold start pays for. The byte order mark is one character.
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        column = e.start - raw.rfind(b"\n", 0, e.start)
        raise ConfigError(
            f"is not valid UTF-8 (byte 0x{raw[e.start]:02x}); save it as UTF-8",
            path=path,
            line=line,
            column=column,
            source=source,
        ) from None
    if not text.strip(" \t\r\n"):  # JSON's whitespace, and only that
        raise ConfigError(
            "is empty; write {} for a layer with no settings", path=path, source=source
        )
    try:
        data = json.loads(text, object_pairs_hook=None if allow_duplicates else _unique_object)
    except json.JSONDecodeError as e:
        raise ConfigError(e.msg, path=path, line=e.lineno, column=e.colno, source=source) from None
    except _DuplicateKey:
        key, offset = first_duplicate(text)
        raise _error_at(
            f"duplicate key {key!r}: the same object already has it (JSON keeps only the last one)",
            text,
            offset,
            path,
            source,
        ) from None
    except RecursionError:
        depth, offset = deepest(text)
        raise _error_at(
            f"is nested too deeply ({depth} levels)", text, offset, path, source
        ) from None
    if not isinstance(data, dict):
        raise _error_at(
            f"the top level must be a JSON object, not {json_type(data)}",
            text,
            len(text) - len(text.lstrip()),
            path,
            source,
        )
    return data, text


def _error_at(message: str, text: str, offset: int, path: str | None, source: str) -> ConfigError:
    line, column = position(text, offset)
    return ConfigError(message, path=path, line=line, column=column, source=source)


def json_type(value: object) -> str:
    """Name the JSON type of a parsed value, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


def iter_keys(text: str) -> Iterator[tuple[int, KeyPath | None, str, int]]:
    """Yield every key of every object in a document already known valid.

    Each item is ``(object_id, path, key, offset)``: ``object_id`` tells
    objects apart (for finding duplicates), ``path`` is the key path of
    the object holding the key, or ``None`` for objects inside arrays,
    which settings never address, and ``offset`` is where the key's
    opening quote stands.
    """
    # Each frame: (object id or -1 for an array, key path or None).
    stack: list[tuple[int, KeyPath | None]] = []
    key = ""
    expect_key = False
    next_id = 0
    for match in re.finditer(_TOKEN, text):
        token = match.group()
        char = token[0]
        if char == '"':
            if expect_key:
                key = json.loads(token) if "\\" in token else token[1:-1]
                object_id, path = stack[-1]
                yield object_id, path, key, match.start()
                expect_key = False
        elif char == "{" or char == "[":
            if not stack:
                child: KeyPath | None = ()
            else:
                # Arrays have no path, so nothing inside one is tracked.
                parent_path = stack[-1][1]
                child = None if parent_path is None else (*parent_path, key)
            if char == "{":
                stack.append((next_id, child))
                next_id += 1
                expect_key = True
            else:
                stack.append((-1, None))
        elif char == "}" or char == "]":
            stack.pop()
            expect_key = False
        elif char == ",":
            expect_key = stack[-1][0] >= 0


def key_offsets(text: str) -> dict[KeyPath, int]:
    """Map every addressable key path of a document to its offset."""
    return {(*path, key): offset for _, path, key, offset in iter_keys(text) if path is not None}


def duplicates(text: str) -> list[tuple[KeyPath | None, str, int]]:
    """Every repeated key of a document: ``(object path, key, offset)``.

    The offset is the repeat's, the place where the earlier value was
    silently thrown away.
    """
    seen: set[tuple[int, str]] = set()
    found = []
    for object_id, path, key, offset in iter_keys(text):
        if (object_id, key) in seen:
            found.append((path, key, offset))
        else:
            seen.add((object_id, key))
    return found


def first_duplicate(text: str) -> tuple[str, int]:
    """The first repeated key of a document, dotted, and its offset."""
    path, key, offset = duplicates(text)[0]
    return dotted((*(path or ()), key)), offset


def dotted(path: tuple[object, ...]) -> str:
    """Show a key path the way ``lookup()`` takes it: ``DB.HOST``."""
    return ".".join(str(part) for part in path)


def deepest(text: str) -> tuple[int, int]:
    """How deep a document nests, and where it first gets that deep."""
    depth = best = best_offset = 0
    for match in re.finditer(_TOKEN, text):
        char = match.group()[0]
        if char == "{" or char == "[":
            depth += 1
            if depth > best:
                best, best_offset = depth, match.start()
        elif char == "}" or char == "]":
            depth -= 1
    return best, best_offset
