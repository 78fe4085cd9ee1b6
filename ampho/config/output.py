"""Writing settings out: as JSON at any depth the loader accepts, and
as the environment variables that would set them.

:func:`json.dumps` recurses, and so does its C encoder: a configuration
nested as deeply as the JSON parser accepts (about a thousand levels,
more on Python 3.13) loads and serves, and then could not be printed.
:func:`to_json` writes the same text with a list instead of recursion.
It is imported only by what prints, never by a plain load.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from .errors import ConfigError
from .sources.environ import CONTROL_NAMES, NAME_PART
from .tree import format_key

#: What is left to write of one container: the key as written (``None``
#: in an array), the key or index itself, and the value of each item.
_Items = Iterator[tuple[str | None, Any, Any]]

#: The key path of the value being written, built only for an error.
_Where = Callable[[], tuple[Any, ...]]


class _Frame:
    """One open container: its items left, its closing bracket, and
    whether nothing of it is written yet."""

    __slots__ = ("closer", "empty", "items")

    def __init__(self, items: _Items, closer: str) -> None:
        self.items = items
        self.closer = closer
        self.empty = True


def to_json(
    value: Any,
    *,
    indent: int | None = None,
    default: Callable[[Any], Any] = repr,
) -> str:
    """``json.dumps(value, indent=indent, sort_keys=True, ensure_ascii=False,
    allow_nan=False, default=default)``, for trees of any depth.

    Any mapping is written as an object and any list or tuple as an
    array. A string that cannot be written as UTF-8 (it holds a lone
    surrogate) is written with ``\\u`` escapes, so the output can always
    be printed. Memory stays proportional to the depth, not its square:
    the key path of a value is only built for an error message.

    :param default: called for any other object; what it returns is
        written instead (``repr``, by default, writes a string).
    :raises ConfigError: naming the key, for ``nan`` or an infinite
        float, which strict JSON cannot hold, or an integer too long to
        write out.
    """
    out: list[str] = []
    newline = None if indent is None else "\n"
    item_separator = ", " if indent is None else ","
    stack: list[_Frame] = []
    keys: list[Any] = []  # the key of the current item of each open container

    def where() -> tuple[Any, ...]:
        return tuple(keys[: len(stack)])

    node: Any = value
    while True:
        opened = _open(node, where)
        if opened is None:
            out.append(_scalar(node, where, default))
        else:
            opener, closer, items = opened
            out.append(opener)
            stack.append(_Frame(items, closer))
            if len(keys) < len(stack):
                keys.append(None)
        while stack:
            frame = stack[-1]
            item = next(frame.items, None)
            if item is None:
                stack.pop()
                if newline is not None and not frame.empty:
                    out.append(newline + " " * (indent or 0) * len(stack))
                out.append(frame.closer)
                continue
            shown, keys[len(stack) - 1], node = item
            if not frame.empty:
                out.append(item_separator)
            frame.empty = False
            if newline is not None:
                out.append(newline + " " * (indent or 0) * len(stack))
            if shown is not None:
                out.append(f"{_string(shown)}: ")
            break
        else:
            return "".join(out)


def _open(node: Any, where: _Where) -> tuple[str, str, _Items] | None:
    """Brackets and items of a container; ``None`` for a plain value."""
    if isinstance(node, Mapping):
        keys = sorted((_key(key, where), key) for key in node)
        return "{", "}", ((shown, key, node[key]) for shown, key in keys)
    if isinstance(node, (list, tuple)):
        return "[", "]", ((None, index, item) for index, item in enumerate(node))
    return None


def _scalar(node: Any, where: _Where, default: Callable[[Any], Any]) -> str:
    if isinstance(node, str):
        return _string(node)
    if node is None or node is True or node is False:
        return json.dumps(node)
    if isinstance(node, int):
        try:
            return int.__repr__(node)
        except ValueError:
            raise _error(where(), "the integer is too long to write out") from None
    if isinstance(node, float):
        if node - node:  # nan or infinite
            raise _error(where(), f"{node!r} is not a JSON number")
        return float.__repr__(node)
    replaced = default(node)
    if isinstance(replaced, (Mapping, list, tuple)):
        return to_json(replaced, default=default)
    return _scalar(replaced, where, default)


def _string(text: str) -> str:
    written = json.dumps(text, ensure_ascii=False)
    if written.isascii():
        return written
    try:
        written.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(text)  # \ud800 as an escape, printable
    return written


def _key(key: Any, where: _Where) -> str:
    """A key as JSON has it: strings as they are, numbers and literals as text."""
    if isinstance(key, str):
        return key
    if key is None or key is True or key is False or isinstance(key, (int, float)):
        return _scalar(key, where, repr)
    raise _error(where(), f"a key of type {type(key).__name__} cannot be written as JSON")


def _error(path: tuple[Any, ...], problem: str) -> ConfigError:
    return ConfigError(f"{format_key(path)}: {problem}" if path else problem)


@contextlib.contextmanager
def recursion_room(levels: int, frames_per_level: int = 4) -> Iterator[None]:
    """Let recursive code walk a tree ``levels`` deep inside the block.

    For the printing steps that still recurse (redaction), Python's
    recursion limit is raised for the block to what they need, and put
    back afterwards; it is never lowered. The trees printed come from
    files and variables, which the JSON parser and the loader keep to a
    few thousand levels at most, a depth whose frames fit the C stack.
    """
    before = sys.getrecursionlimit()
    needed = _stack_depth() + levels * frames_per_level + 200
    if needed > before:
        sys.setrecursionlimit(needed)
    try:
        yield
    finally:
        if needed > before:
            sys.setrecursionlimit(before)


def _stack_depth() -> int:
    frame = sys._getframe()
    count = 0
    while frame is not None:
        count += 1
        frame = frame.f_back  # type: ignore[assignment]
    return count


def to_environ(
    data: Mapping[str, Any],
    prefix: str,
    types: Callable[[tuple[str, ...]], frozenset[str] | None] | None = None,
) -> Iterator[tuple[str, str]]:
    """Yield ``(name, value)`` variables that rebuild ``data`` when applied.

    Objects are spread over one variable per leaf where every key can be
    spelled in a variable name, and written as one JSON value where not.
    A string is written as it is when JSON would read it as nothing else
    (``example.com``, ``007``) and as JSON otherwise (``"true"``, ``"1"``),
    unless ``types`` (the schemas' declared types of a key path) says the
    key is a string only: such a value is read as the text, so it is
    written as the text.

    :raises ConfigError: for a top-level key that no variable can set:
        one that is not a valid name part, or a control variable's name
        holding anything but an object to spread (``AMPHO_ENV`` chooses
        the environment, but ``AMPHO_ENV__X`` sets ``ENV.X``); for a
        string holding a NUL character, which no variable can hold, when
        the schemas declare it a string only (read as the text, never
        decoded). Another string holding one is written as JSON.
    """
    for key in sorted(data):
        value = data[key]
        usable = isinstance(key, str) and re.fullmatch(NAME_PART, key) is not None
        if usable and key in CONTROL_NAMES and not _spreads(value):
            usable = False
        if not usable:
            raise ConfigError(
                f"the key {key!r} cannot be set through an environment variable"
                f" ({prefix}_{key} is not usable)"
            )
        yield from _leaf_variables(f"{prefix}_{key}", (key,), value, types)


def _spreads(value: Any) -> bool:
    """Whether an object is written one variable per key."""
    return (
        isinstance(value, Mapping)
        and bool(value)
        and all(isinstance(key, str) and re.fullmatch(NAME_PART, key) for key in value)
    )


def _leaf_variables(
    name: str,
    path: tuple[str, ...],
    value: Any,
    types: Callable[[tuple[str, ...]], frozenset[str] | None] | None,
) -> Iterator[tuple[str, str]]:
    # A list of what is left to write rather than recursion: a tree of
    # any depth the loader accepts can be written out.
    stack = [(name, path, value)]
    while stack:
        name, path, value = stack.pop()
        if _spreads(value):
            stack.extend(
                (f"{name}__{key}", (*path, key), value[key]) for key in sorted(value, reverse=True)
            )
        elif isinstance(value, str) and types is not None and types(path) == frozenset({"string"}):
            if "\0" in value:  # no variable holds one, and this text is never decoded
                raise ConfigError(
                    f"{format_key(path)}: the string holds a NUL character, which no environment"
                    f" variable can hold; its schema reads {name} as plain text, so it cannot be"
                    " written as JSON either"
                )
            yield name, _literal(value)
        else:
            yield name, _literal(_encode(value))


def _literal(text: str) -> str:
    """A variable's text, read back as written: ``${`` would be read as a
    reference (:mod:`~ampho.config.references`), so it is written ``$${``."""
    return text.replace("${", "$${")


def _encode(value: Any) -> str:
    # A NUL character cannot be in a variable: such a string is JSON,
    # which writes it \u0000.
    if isinstance(value, str) and "\0" not in value:
        try:
            json.loads(value)
        except Exception:  # the same test apply_environ makes
            return value
    return to_json(value, default=_not_json)


def _not_json(value: object) -> Any:
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, tuple):
        return list(value)
    raise ConfigError(f"{type(value).__name__} values cannot be written as JSON")
