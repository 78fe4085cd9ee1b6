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
import stat
import sys
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from .errors import ConfigError

if TYPE_CHECKING:
    # Names for annotations only, which ``from __future__ import
    # annotations`` leaves unevaluated: building them would cost every
    # cold ``load()``, and nothing reads them at run time.

    #: A key path inside a document: the keys from the top object down.
    KeyPath = tuple[str, ...]

    #: A path to a value: keys of objects and indices of arrays.
    ValuePath = tuple[str | int, ...]

    #: One item of ``defaults=`` or ``schemas=``: a mapping, or ``(name,
    #: mapping)``, or ``(name, path of a JSON file)``, read like the
    #: instance files.
    DocumentItem = Mapping[str, Any] | tuple[str, Mapping[str, Any] | str | os.PathLike[str]]

#: A JSON string (escapes included) or one of the punctuation characters.
#: Numbers and literals never match, which the scanner does not need.
#: A plain string, compiled by :mod:`re` on first use: loading never
#: scans, so a script that only loads does not pay for compiling it.
_TOKEN = r'(?s)"(?:[^"\\]|\\.)*"|[{}\[\]:,]'

#: Every token of a document, for finding a value the decoder refused:
#: strings, punctuation, and any other run of characters (a number, a
#: literal such as ``NaN``) up to the next delimiter.
_VALUE_TOKEN = r'(?s)"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+'

#: One escape inside a JSON string. An escaped backslash is consumed
#: whole, so ``\\\\ud800`` is a backslash and the text ``ud800``.
_ESCAPE = r"\\(?:u([0-9a-fA-F]{4})|.)"


class _DuplicateKey(Exception):
    """Raised by the decoder hook; turned into a located ConfigError."""


class _NotANumber(Exception):
    """Raised by the decoder hooks for ``NaN``, ``Infinity`` and ``1e999``."""


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise _DuplicateKey
    return obj


def _no_constant(text: str) -> Any:
    # json calls this for NaN, Infinity and -Infinity only, which
    # Python's decoder accepts and JSON does not.
    raise _NotANumber


def _finite_float(text: str) -> float:
    # Called for every number with a fraction or an exponent, and the C
    # decoder still does the rest. Measured at 0.06 microseconds a call:
    # 4% of the parse of the benchmark's 2,000 settings, 40% of one of
    # 2,000 floats. It catches 1e999, which the decoder would turn into
    # inf, the one float JSON cannot write back.
    value = float(text)
    if value - value:  # inf - inf is nan, which is true; x - x is 0.0
        raise _NotANumber
    return value


def decode(text: str, *, allow_duplicates: bool = False) -> Any:
    """:func:`json.loads` with JSON's own rules for numbers.

    ``NaN``, ``Infinity``, ``-Infinity`` and numbers too large for a
    float, which Python's decoder accepts, raise the private
    ``_NotANumber``; callers use :func:`not_json_value` to say where.
    """
    return json.loads(
        text,
        object_pairs_hook=None if allow_duplicates else _unique_object,
        parse_constant=_no_constant,
        parse_float=_finite_float,
    )


def position(text: str, offset: int) -> tuple[int, int]:
    """Turn a character offset into a 1-based ``(line, column)``."""
    line = text.count("\n", 0, offset) + 1
    column = offset - text.rfind("\n", 0, offset)
    return line, column


def read_json_file(
    path: str, source: str, *, allow_duplicates: bool = False
) -> tuple[dict[str, Any], str] | None:
    """Read and parse one layer file.

    Only a regular file is read. It is opened without blocking, so a FIFO
    (which would wait for a writer forever) or a device (``/dev/zero``
    would be read until memory runs out) is told apart and refused.

    :param path: the file to read.
    :param source: how to name the file in errors.
    :param allow_duplicates: passed on to :func:`parse_json`.
    :return: ``(data, text)``, or ``None`` when there is no such file.
    :raises ConfigError: for anything that keeps the file from being a
        usable layer, located as precisely as the problem allows.
    """
    raw = read_regular_file(path, source)
    if raw is None:
        return None
    return parse_json(raw, path, source, allow_duplicates=allow_duplicates)


def read_regular_file(path: str, source: str) -> bytes | None:
    """The bytes of a regular file; ``None`` when there is no such file.

    :raises ConfigError: when the path is something else (a directory,
        a FIFO, a socket, a device, a link to nothing) or cannot be read.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        # A symbolic link to nothing is a mistake, not an absent layer.
        if os.path.islink(path):
            raise ConfigError(
                "is a symbolic link to a missing file", path=path, source=source
            ) from None
        return None
    except OSError as e:
        # Opening a socket fails (ENXIO); say what it is when it can be told.
        try:
            mode = os.stat(path).st_mode
        except OSError:
            mode = stat.S_IFREG
        if not stat.S_ISREG(mode):
            raise _not_a_file(path, source, mode) from None
        raise ConfigError(f"cannot be read: {e.strerror or e}", path=path, source=source) from None
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise _not_a_file(path, source, mode)
        with open(descriptor, "rb", closefd=False) as f:
            return f.read()
    except OSError as e:
        raise ConfigError(f"cannot be read: {e.strerror or e}", path=path, source=source) from None
    finally:
        os.close(descriptor)


def _not_a_file(path: str, source: str, mode: int) -> ConfigError:
    kind = file_kind(mode)
    if os.path.islink(path):
        kind = f"a symbolic link to {os.path.realpath(path)}, {kind}"
    if stat.S_ISDIR(mode):
        return ConfigError(f"is {kind}, not a file", path=path, source=source)
    return ConfigError(f"is {kind}, not a regular file", path=path, source=source)


def file_kind(mode: int) -> str:
    """What a file is, by its ``st_mode``: ``a FIFO``, ``a directory``..."""
    for test, kind in (
        (stat.S_ISREG, "a regular file"),
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    ):
        if test(mode):
            return kind
    return "not a regular file"


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
        data = decode(text, allow_duplicates=allow_duplicates)
    except json.JSONDecodeError as e:
        raise ConfigError(e.msg, path=path, line=e.lineno, column=e.colno, source=source) from None
    except _DuplicateKey:
        key, offset = first_duplicate(text)
        raise _error_at(
            f"duplicate key {key!r}: the same object already has it (JSON keeps only the last one)",
            offset,
            text,
            path,
            source,
        ) from None
    except RecursionError:
        depth, offset = deepest(text)
        raise _error_at(
            f"is nested too deeply ({depth} levels)", offset, text, path, source
        ) from None
    except (_NotANumber, ValueError) as e:
        # ValueError: an integer longer than int() takes (4,300 digits).
        found = not_json_value(text)
        if found is None:  # pragma: no cover (no other ValueError is known)
            raise ConfigError(f"cannot be read as JSON: {e}", path=path, source=source) from None
        raise _value_error_at(found, text, path, source) from None
    # A lone surrogate can only come from a \u escape: cheap tests first.
    # One character is searched for as fast as memory reads (measured:
    # 0.01 ms on 20,000 settings, where the two longer searches take 1 ms).
    if "\\" in text and ("\\ud" in text or "\\uD" in text):
        found = lone_surrogate(text)
        if found is not None:
            raise _value_error_at(found, text, path, source)
    if not isinstance(data, dict):
        raise _error_at(
            f"the top level must be a JSON object, not {json_type(data)}",
            len(text) - len(text.lstrip()),
            text,
            path,
            source,
        )
    return data, text


def _error_at(message: str, offset: int, text: str, path: str | None, source: str) -> ConfigError:
    line, column = position(text, offset)
    return ConfigError(message, path=path, line=line, column=column, source=source)


def _value_error_at(
    found: tuple[ValuePath, str, int], text: str, path: str | None, source: str
) -> ConfigError:
    key_path, problem, offset = found
    message = f"{shown_key(key_path)}: {problem}" if key_path else problem
    return _error_at(message, offset, text, path, source)


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


def not_json_value(text: str) -> tuple[ValuePath, str, int] | None:
    """The first number of a document that JSON or Python cannot hold.

    :return: ``(path, problem, offset)`` for ``NaN``, ``Infinity``,
        ``-Infinity``, a number too large for a float, or an integer of
        more digits than :func:`int` takes; ``None`` if there is none.
    """
    for path, token, offset, is_key in iter_values(text):
        if not is_key:
            problem = number_problem(token)
            if problem is not None:
                return path, problem, offset
    return None


def number_problem(token: str) -> str | None:
    """What is wrong with a token that should be a JSON number, if anything."""
    if token in ("NaN", "Infinity", "-Infinity"):
        return f"{token} is not a JSON number: write a number, or null"
    if token[:1] not in "-0123456789" or token[-1:] not in "0123456789":
        return None  # a string, a literal, or not a number at all
    digits = token.lstrip("-")
    if digits.isdigit():
        limit = getattr(sys, "get_int_max_str_digits", lambda: 0)()
        if limit and len(digits) > limit:
            return (
                f"an integer of {len(digits):,} digits is longer than the {limit:,} digits"
                " Python reads; write it as a string"
            )
        return None
    try:
        value = float(token)
    except ValueError:
        return None
    if value - value:
        shown = token if len(token) <= 24 else token[:20] + "..."
        return f"{shown} is too large for a number (it would be infinity); write it as a string"
    return None


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


def shown_key(path: tuple[object, ...]) -> str:
    """A dotted key path that can be printed whatever its keys hold."""
    text = dotted(path)
    if text.isascii():
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


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
