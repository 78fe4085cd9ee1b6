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
from collections.abc import Iterator, Mapping, Sequence
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

#: A JSON string, escapes included. The patterns here are plain strings,
#: compiled by :mod:`re` on first use (and cached by it): loading never
#: scans, so a script that only loads does not pay for compiling them.
_STRING = r'"(?:[^"\\]|\\.)*"'

#: A JSON string or one of the punctuation characters. Numbers and
#: literals never match, which the scanner does not need.
_TOKEN = rf"(?s){_STRING}|[{{}}\[\]:,]"

#: Every token of a document, for finding a value the decoder refused:
#: strings, punctuation, and any other run of characters (a number, a
#: literal such as ``NaN``) up to the next delimiter.
_VALUE_TOKEN = rf'(?s){_STRING}|[{{}}\[\]:,]|[^\s{{}}\[\]:,"]+'

#: A key, its colon and the whitespace around it: what stands between
#: where a key starts and where its value does.
_KEY_AND_COLON = rf"(?s){_STRING}[ \t\r\n]*:[ \t\r\n]*"

#: A line break as editors count them: ``\n``, ``\r\n``, or a lone
#: ``\r`` (old Mac files), which Python's decoder does not count.
_LINE_BREAK = r"\r\n?|\n"

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
        wide = wide_encoding(raw)
        if wide is not None:
            raise ConfigError(wide, path=path, source=source) from None
        # Placed in characters, as every other message is: the bytes
        # before the bad one are valid UTF-8, so they decode.
        before = raw[: e.start].decode("utf-8").removeprefix("\ufeff")
        raise _error_at(
            f"is not valid UTF-8 (byte 0x{raw[e.start]:02x}); save it as UTF-8",
            len(before),
            before,
            path,
            source,
        ) from None
    if not text.strip(" \t\r\n"):  # JSON's whitespace, and only that
        raise ConfigError(
            "is empty; write {} for a layer with no settings", path=path, source=source
        )
    try:
        data = decode(text, allow_duplicates=allow_duplicates)
    except json.JSONDecodeError as e:
        whole = whole_file_problem(raw, text)
        if whole is not None:
            raise ConfigError(whole, path=path, source=source) from None
        message, offset = syntax_error(e.msg, e.pos, text)
        raise _error_at(message, offset, text, path, source) from None
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


#: Byte order marks of the encodings JSON files are mistakenly saved
#: in, longest first (UTF-32's little-endian mark starts like UTF-16's).
_BYTE_ORDER_MARKS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


def wide_encoding(raw: bytes) -> str | None:
    """Say so when a file is UTF-16 or UTF-32 text rather than UTF-8.

    Windows tools (PowerShell's ``>``, Notepad's "Unicode") save UTF-16,
    which is not valid UTF-8 or, without a byte order mark, decodes as
    text with a NUL byte between the characters. Told apart by the mark,
    or by a JSON document appearing when the bytes are read as one of
    these encodings. Only asked once a file has failed to parse.
    """
    for mark, name in _BYTE_ORDER_MARKS:
        if raw.startswith(mark):
            return f"is {name} text (it starts with a {name} byte order mark); save it as UTF-8"
    if b"\x00" not in raw:
        return None
    for codec, name in (
        ("utf-32-le", "UTF-32"),
        ("utf-32-be", "UTF-32"),
        ("utf-16-le", "UTF-16"),
        ("utf-16-be", "UTF-16"),
    ):
        try:
            first = raw.decode(codec).lstrip(" \t\r\n")[:1]
        except UnicodeDecodeError:
            continue
        if first in ("{", "["):
            return f"is {name} text without a byte order mark; save it as UTF-8"
    return None


def whole_file_problem(raw: bytes, text: str) -> str | None:
    """What is wrong with a whole file that failed to parse, if it is that.

    A crash or a full disk can leave a file of NUL bytes: the blocks were
    allocated, nothing was written to them. Such a file, and one in
    UTF-16 or UTF-32, has no place worth pointing at.
    """
    if "\x00" not in text:
        return None
    if not text.strip("\x00 \t\r\n"):
        return (
            "holds only NUL bytes, as a crash can leave a file; restore it,"
            " or write {} for a layer with no settings"
        )
    return wide_encoding(raw)


#: Literals of Python, JavaScript and SQL that JSON spells otherwise,
#: and how JSON spells them.
_LITERALS = {
    "True": "true",
    "False": "false",
    "None": "null",
    "TRUE": "true",
    "FALSE": "false",
    "NULL": "null",
    "Null": "null",
    "undefined": "null",
}

#: A key written without quotes, then its colon: shown in the message.
_BARE_KEY = r"[A-Za-z_$][A-Za-z0-9_$.-]{0,63}(?=[ \t]*:)"

#: A number as JSON writes it, at the end of the text before a mistake.
_NUMBER_BEFORE = r"(?:^|(?<=[\s:\[,]))-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?\Z"


def syntax_error(message: str, offset: int, text: str) -> tuple[str, int]:
    """A whole sentence for what :mod:`json`'s decoder refused, and where.

    The decoder's messages say what it expected, not what is wrong, and
    some stop mid-sentence (``Unterminated string starting at``, whose
    position is left out). The usual slips, a comment, a trailing comma,
    single quotes, a line break in a string, a cut-off file, are told
    apart by what stands at the offset, and the sentence says what to do.
    Nothing of a value is quoted, as it may be a secret; a key written
    without quotes is.

    :param message: the decoder's ``msg``.
    :param offset: the decoder's ``pos``, a character offset in ``text``.
    :return: ``(sentence, offset)``; the offset moves where the mistake
        is elsewhere (the comma of a trailing comma, the start of a
        malformed number).
    """
    if message.startswith("Unterminated string"):
        return "a string that is never closed: add the closing double quote", offset
    if message.startswith("Invalid control character"):
        return _control_character(text[offset]), offset
    if message.startswith("Invalid \\uXXXX"):
        # The decoder points past the backslash; the escape starts at it.
        offset = text.rfind("\\", 0, offset + 1)
        return "\\u must be followed by four hexadecimal digits", offset
    if message.startswith("Invalid \\escape"):
        escaped = text[offset + 1 : offset + 2]
        if escaped.isprintable() and not escaped.isspace():
            return f"\\{escaped} is not an escape JSON knows: write a backslash as \\\\", offset
        return "a backslash that starts no escape: write a backslash as \\\\", offset
    if offset >= len(text):
        return _ends_early(text), offset
    found = text[offset : offset + 2]
    if found[0] == "\x00":
        return (
            "a NUL byte, as a crash can leave in a file: restore the file, or remove the NUL bytes",
            offset,
        )
    if found in ("//", "/*") or found[0] == "#":
        return "JSON has no comments: remove this one", offset
    if found[0] in "'\u2018\u2019":
        return "a string in single quotes: JSON strings take double quotes", offset
    if found[0] in "\u201c\u201d":
        return 'a curly quote: JSON strings take straight double quotes (")', offset
    if message.startswith("Illegal trailing comma"):  # Python 3.13, at the comma
        close = "}" if message.endswith("object") else "]"
        return f"a comma before {close}: remove the trailing comma", offset
    if found[0] in "}]":
        closing = _closing(text, offset, found[0])
        if closing is not None:
            return closing
    number = _number_start(text, offset)
    if number is not None:
        return (
            "a number JSON cannot read (it has no leading zeros, + signs, hexadecimal or"
            " trailing dots): write it in double quotes to keep it as text",
            number,
        )
    if message == "Extra data":
        return "more text after the top-level object: a settings file holds one object", offset
    shown = f", not {found[0]}" if found[0] in "{}[]:,=;" else ""
    if message.startswith("Expecting property name"):
        key = re.compile(_BARE_KEY).match(text, offset)
        if key is not None:
            return f'the key {key.group()} is not in double quotes: write "{key.group()}"', offset
        return f"expected a key in double quotes{shown}", offset
    if message == "Expecting value":
        word = re.compile(r"[A-Za-z_]\w*").match(text, offset)
        if word is not None and word.group() in _LITERALS:
            return f"{word.group()} is not JSON: write {_LITERALS[word.group()]}", offset
        if word is not None:
            return (
                "text without double quotes: JSON strings take double quotes"
                " (and true, false and null are lower case)",
                offset,
            )
        return (
            f"expected a value (a string, number, object, array, true, false or null){shown}",
            offset,
        )
    if message == "Expecting ':' delimiter":
        return f"expected : between the key and its value{shown}", offset
    if message == "Expecting ',' delimiter":
        return _missing_comma(text, offset), offset
    # A message of a later Python: whole, without the dangling " at".
    return f"is not valid JSON: {message.removesuffix(' at')}", offset


def _control_character(char: str) -> str:
    if char == "\t":
        return "a tab inside a string: write it as \\t"
    if char in "\r\n":
        return (
            "a line break inside a string: close the string on its line,"
            " or write the line break as \\n"
        )
    return (
        f"a control character (U+{ord(char):04X}) inside a string: write it as \\u{ord(char):04x}"
    )


def _open_brackets(text: str, end: int) -> list[tuple[str, int]]:
    """The objects and arrays open at ``end``: ``(bracket, offset)``, innermost last."""
    stack: list[tuple[str, int]] = []
    for match in re.compile(_TOKEN).finditer(text, 0, end):
        char = match.group()[0]
        if char == "{" or char == "[":
            stack.append((char, match.start()))
        elif (char == "}" or char == "]") and stack:
            stack.pop()
    return stack


def _container(text: str, bracket: str, offset: int) -> str:
    line, column = position(text, offset)
    kind = "object" if bracket == "{" else "array"
    return f"the {kind} that starts at line {line}, column {column}"


def _ends_early(text: str) -> str:
    open_ = _open_brackets(text, len(text))
    if not open_:
        return "the file ends before the JSON document does: it may have been cut short"
    bracket, at = open_[-1]
    close = "}" if bracket == "{" else "]"
    return (
        f"the file ends inside {_container(text, bracket, at)}:"
        f" a {close} is missing, or the file was cut short"
    )


def _closing(text: str, offset: int, found: str) -> tuple[str, int] | None:
    """A trailing comma, or a bracket that closes the wrong thing."""
    open_ = _open_brackets(text, offset)
    if open_ and open_[-1][0] + found not in ("{}", "[]"):
        bracket, at = open_[-1]
        close = "}" if bracket == "{" else "]"
        return (
            f"{found} does not close {_container(text, bracket, at)}: a {close} is missing",
            offset,
        )
    comma = len(text[:offset].rstrip(" \t\r\n")) - 1
    if comma >= 0 and text[comma] == ",":
        return f"a comma before {found}: remove the trailing comma", comma
    return None


def _number_start(text: str, offset: int) -> int | None:
    """Where a number JSON cannot read starts, when the decoder stopped in one."""
    char = text[offset]
    if char in ".eExX0123456789":  # 01, 1., 1e, 0x1F, 1.2.3
        number = re.compile(_NUMBER_BEFORE).search(text, max(0, offset - 400), offset)
        if number is not None:
            return number.start()
    after = text[offset + 1 : offset + 2]
    if char == "-" or (char in "+." and after in "0123456789" and after):  # -, +1, .5
        return offset
    return None


def _missing_comma(text: str, offset: int) -> str:
    open_ = _open_brackets(text, offset)
    close = "]" if open_ and open_[-1][0] == "[" else "}"
    return f"a comma is missing before this (expected , or {close} after a value)"


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


def first_duplicate(text: str) -> tuple[str, int]:
    """The first repeated key of a document, dotted, and its offset."""
    path, key, offset = duplicates(text)[0]
    return dotted((*(path or ()), key)), offset


def format_key(path: Sequence[Any]) -> str:
    """Write a key path the way :func:`split_key` reads it: ``DB.HOST``.

    A part that holds a dot, starts with a double quote, is empty, or
    holds a character that is not printable (a line break, say) is
    written as a JSON string, so that what a command prints can be
    pasted back as its ``KEY`` and one key stays on one line:
    ``format_key(("LOGGERS", "shop.orders"))`` is ``LOGGERS."shop.orders"``.
    """
    return ".".join(_format_part(str(part)) for part in path)


def _format_part(part: str) -> str:
    if part and "." not in part and not part.startswith('"') and part.isprintable():
        return part
    return json.dumps(part, ensure_ascii=not part.isprintable())


def dotted(path: tuple[object, ...]) -> str:
    """Show a key path the way ``lookup()`` takes it: ``DB.HOST``
    (:func:`format_key`)."""
    return format_key(path)


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
    """A dotted key path that can be printed whatever its keys hold: a
    part that :func:`format_key` leaves as it is is printable, any other
    is written as JSON, ASCII when it is not text (a lone surrogate)."""
    return format_key(path)


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
