"""JSON text: decoding it, and finding where each key is written.

Parsing goes through the C accelerated :mod:`json` decoder: a layer of
twenty thousand settings must load as fast as a plain ``json.load``.
Positions of keys are only needed when somebody asks where a value came
from, so they are found later by :func:`key_offsets`, from the one
tokenizer of this module (:func:`iter_keys`), which runs over text the
decoder has already accepted.

What to say about text the decoder refused is in
:mod:`~ampho.config.jsonerrors`, imported only then.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .tree import KeyPath, ValuePath

#: A JSON string, escapes included. The patterns here are plain strings,
#: compiled by :mod:`re` on first use (and cached by it): loading never
#: scans, so a script that only loads does not pay for compiling them.
STRING = r'"(?:[^"\\]|\\.)*"'

#: A JSON string or one of the punctuation characters. Numbers and
#: literals never match, which the scanner does not need.
TOKEN = rf"(?s){STRING}|[{{}}\[\]:,]"

#: A key, its colon and the whitespace around it: what stands between
#: where a key starts and where its value does.
_KEY_AND_COLON = rf"(?s){STRING}[ \t\r\n]*:[ \t\r\n]*"

#: A line break as editors count them: ``\n``, ``\r\n``, or a lone
#: ``\r`` (old Mac files), which Python's decoder does not count.
_LINE_BREAK = r"\r\n?|\n"


#: Every token of a document, for finding a value the decoder refused:
#: strings, punctuation, and any other run of characters (a number, a
#: literal such as ``NaN``) up to the next delimiter.
_VALUE_TOKEN = rf'(?s){STRING}|[{{}}\[\]:,]|[^\s{{}}\[\]:,"]+'

#: One escape inside a JSON string. An escaped backslash is consumed
#: whole, so ``\\\\ud800`` is a backslash and the text ``ud800``.
_ESCAPE = r"\\(?:u([0-9a-fA-F]{4})|.)"


class DuplicateKey(Exception):
    """Raised by :func:`decode` for a key an object already has."""


class NotANumber(Exception):
    """Raised by :func:`decode` for ``NaN``, ``Infinity`` and ``1e999``."""


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise DuplicateKey
    return obj


def _no_constant(text: str) -> Any:
    # json calls this for NaN, Infinity and -Infinity only, which
    # Python's decoder accepts and JSON does not.
    raise NotANumber


def _finite_float(text: str) -> float:
    # Called for every number with a fraction or an exponent, and the C
    # decoder still does the rest. Measured at 0.06 microseconds a call:
    # 4% of the parse of the benchmark's 2,000 settings, 40% of one of
    # 2,000 floats. It catches 1e999, which the decoder would turn into
    # inf, the one float JSON cannot write back.
    value = float(text)
    if value - value:  # inf - inf is nan, which is true; x - x is 0.0
        raise NotANumber
    return value


def decode(text: str, *, allow_duplicates: bool = False) -> Any:
    """:func:`json.loads` with JSON's own rules for numbers.

    ``NaN``, ``Infinity``, ``-Infinity`` and numbers too large for a
    float, which Python's decoder accepts, raise
    :exc:`NotANumber`, and a repeated key :exc:`DuplicateKey` unless
    ``allow_duplicates``; :mod:`~ampho.config.jsonerrors` says where.
    """
    return json.loads(
        text,
        object_pairs_hook=None if allow_duplicates else _unique_object,
        parse_constant=_no_constant,
        parse_float=_finite_float,
    )


class Lines:
    """Where the lines of a text start, to place many offsets in it.

    Finding a line by counting line breaks from the start of the text
    costs as much as the text before it, so placing every key of a large
    file that way takes time that grows with the square of its size
    (100,000 keys took a minute). This index is built once, in one pass,
    and then places an offset by a binary search.

    A line ends at ``\\n``, ``\\r\\n`` or a lone ``\\r``, as an editor
    shows it; a column counts characters (code points) from 1, whatever
    their encoding took in bytes.

    :param end: index only the text before this offset, enough to place
        offsets below it.
    """

    __slots__ = ("_bisect", "starts")

    def __init__(self, text: str, end: int | None = None) -> None:
        from bisect import bisect_right

        #: The offset where each line starts, in order; the first is 0.
        self.starts = [0]
        finder = re.compile(_LINE_BREAK).finditer
        self.starts += [m.end() for m in finder(text, 0, len(text) if end is None else end)]
        self._bisect = bisect_right

    def position(self, offset: int) -> tuple[int, int]:
        """Turn a character offset into a 1-based ``(line, column)``."""
        line = self._bisect(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


def position(text: str, offset: int) -> tuple[int, int]:
    """Turn a character offset into a 1-based ``(line, column)``.

    For one offset; to place many in the same text, build :class:`Lines`
    once. A ``\\r\\n`` that the offset splits is one line break, as in
    :class:`Lines`, so both always agree.
    """
    return Lines(text, offset + 1).position(offset)


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


#: The JSON types of Python values, as a schema's ``type`` names them.
_JSON_TYPES = {
    bool: "boolean",
    int: "integer",
    float: "number",
    str: "string",
    list: "array",
    tuple: "array",
    dict: "object",
    type(None): "null",
}


def json_type_name(value: Any) -> str:
    """The JSON type of a parsed value, as a schema's ``type`` names it."""
    return _JSON_TYPES.get(type(value), "object")


def json_types_of(value: Any) -> frozenset[str]:
    """The JSON types a parsed value has: ``1`` is an integer and a number."""
    name = json_type_name(value)
    if name == "integer":
        return frozenset({"integer", "number"})
    if name == "number" and float(value).is_integer():
        return frozenset({"integer", "number"})
    return frozenset({name})


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
    for match in re.finditer(TOKEN, text):
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


def key_positions(text: str) -> dict[KeyPath, tuple[int, int]]:
    """Map every addressable key path of a document to its ``(line, column)``."""
    lines = Lines(text)
    return {path: lines.position(offset) for path, offset in key_offsets(text).items()}


def value_offset(text: str, key_offset: int) -> int:
    """Where the value of the key at ``key_offset`` starts."""
    found = re.compile(_KEY_AND_COLON).match(text, key_offset)
    return key_offset if found is None else found.end()


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


def iter_values(text: str) -> Iterator[tuple[ValuePath, str, int, bool]]:
    """Yield every key and every plain value of a document, in order.

    Each item is ``(path, token, offset, is_key)``: the path of the value
    (or of the key's value), the token as written, and where it starts.
    Only the slow paths use it, to say where a value the decoder refused
    stands; it needs no more than the tokens before that value to be valid.
    """
    path: list[str | int] = []
    in_object: list[bool] = []
    expect_key = False
    for match in re.finditer(_VALUE_TOKEN, text):
        token = match.group()
        char = token[0]
        if char == "{" or char == "[":
            in_object.append(char == "{")
            path.append("" if char == "{" else 0)
            expect_key = char == "{"
        elif char == "}" or char == "]":
            if in_object:
                in_object.pop()
                path.pop()
            expect_key = False
        elif char == ",":
            if in_object and in_object[-1]:
                expect_key = True
            elif path:
                index = path[-1]
                path[-1] = index + 1 if isinstance(index, int) else index
        elif char != ":":
            if expect_key:
                try:
                    path[-1] = json.loads(token)
                except ValueError:
                    path[-1] = token
                expect_key = False
                yield tuple(path), token, match.start(), True
            else:
                yield tuple(path), token, match.start(), False


def lone_surrogate(text: str) -> tuple[ValuePath, str, int] | None:
    """The first ``\\u`` escape of a document that is half a surrogate pair.

    Python's decoder accepts ``"\\ud800"``, but such a string is not
    text: it cannot be written as UTF-8, so printing it fails later.

    :return: ``(path, problem, offset)``, the path of the string or of
        the object holding the key; ``None`` if every escape pairs up.
    """
    for path, token, offset, is_key in iter_values(text):
        if token[0] != '"' or "\\u" not in token:
            continue
        at = _unpaired_escape(token)
        if at is None:
            continue
        escape = token[at : at + 6]
        what = "a key" if is_key else "the string"
        return (
            path[:-1] if is_key else path,
            f"{what} holds {escape}, half of a UTF-16 surrogate pair, which is"
            " not text: write the character itself, or both halves",
            offset + at,
        )
    return None


def _unpaired_escape(token: str) -> int | None:
    """Where a string token has a surrogate escape with no partner."""
    high: int | None = None  # a high surrogate waiting for its low half
    end = -1
    for match in re.finditer(_ESCAPE, token):
        code = match.group(1)
        value = int(code, 16) if code is not None else -1
        is_high = 0xD800 <= value <= 0xDBFF
        is_low = 0xDC00 <= value <= 0xDFFF
        if high is not None:
            if is_low and match.start() == end:
                high = None
                end = match.end()
                continue
            return high
        if is_high:
            high = match.start()
        elif is_low:
            return match.start()
        end = match.end()
    return high
