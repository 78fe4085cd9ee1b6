"""What to say about JSON text the decoder refused, and where.

:mod:`json`'s messages say what the decoder expected, not what is
wrong, and some stop mid-sentence. This module turns each refusal of a
settings file, a schema file, an environment value or a secrets file
into a whole sentence with its line and column, and finds what Python's
decoder accepts but JSON cannot hold (``NaN``, ``1e999``, a lone
surrogate). It runs only once something failed, so a load that
succeeds never imports it.
"""

from __future__ import annotations

import json
import re
import sys
from typing import TYPE_CHECKING

from .errors import ConfigError
from .jsontext import (
    TOKEN,
    DuplicateKey,
    duplicates,
    iter_values,
    json_type,
    position,
)
from .tree import format_key

if TYPE_CHECKING:
    from .tree import ValuePath


def undecodable(
    raw: bytes, error: UnicodeDecodeError, path: str | None, source: str
) -> ConfigError:
    """The error for a file that is not UTF-8: UTF-16 or UTF-32 told as
    such, else the first bad byte, placed in characters as every other
    message is (the bytes before it are valid UTF-8, so they decode)."""
    wide = wide_encoding(raw)
    if wide is not None:
        return ConfigError(wide, path=path, source=source)
    before = raw[: error.start].decode("utf-8").removeprefix("\ufeff")
    return _error_at(
        f"is not valid UTF-8 (byte 0x{raw[error.start]:02x}); save it as UTF-8",
        len(before),
        before,
        path,
        source,
    )


def refused(error: Exception, raw: bytes, text: str, path: str | None, source: str) -> ConfigError:
    """The located error for a document :func:`~ampho.config.jsontext.decode`
    refused with ``error``."""
    if isinstance(error, json.JSONDecodeError):
        whole = whole_file_problem(raw, text)
        if whole is not None:
            return ConfigError(whole, path=path, source=source)
        message, offset = syntax_error(error.msg, error.pos, text)
        return _error_at(message, offset, text, path, source)
    if isinstance(error, DuplicateKey):
        key, offset = first_duplicate(text)
        return _error_at(
            f"duplicate key {key!r}: the same object already has it (JSON keeps only the last one)",
            offset,
            text,
            path,
            source,
        )
    if isinstance(error, RecursionError):
        depth, offset = deepest(text)
        return _error_at(f"is nested too deeply ({depth} levels)", offset, text, path, source)
    # NotANumber, or a ValueError: an integer longer than int() takes.
    found = not_json_value(text)
    if found is None:  # pragma: no cover (no other ValueError is known)
        return ConfigError(f"cannot be read as JSON: {error}", path=path, source=source)
    return value_error_at(found, text, path, source)


def not_an_object(data: object, text: str, path: str | None, source: str) -> ConfigError:
    """The error for a settings document whose top level is no object."""
    return _error_at(
        f"the top level must be a JSON object, not {json_type(data)}",
        len(text) - len(text.lstrip()),
        text,
        path,
        source,
    )


def first_duplicate(text: str) -> tuple[str, int]:
    """The first repeated key of a document, dotted, and its offset."""
    path, key, offset = duplicates(text)[0]
    return format_key((*(path or ()), key)), offset


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
    for match in re.compile(TOKEN).finditer(text, 0, end):
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


def value_error_at(
    found: tuple[ValuePath, str, int], text: str, path: str | None, source: str
) -> ConfigError:
    key_path, problem, offset = found
    message = f"{format_key(key_path)}: {problem}" if key_path else problem
    return _error_at(message, offset, text, path, source)


def deepest(text: str) -> tuple[int, int]:
    """How deep a document nests, and where it first gets that deep."""
    depth = best = best_offset = 0
    for match in re.finditer(TOKEN, text):
        char = match.group()[0]
        if char == "{" or char == "[":
            depth += 1
            if depth > best:
                best, best_offset = depth, match.start()
        elif char == "}" or char == "]":
            depth -= 1
    return best, best_offset


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
