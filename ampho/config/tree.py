"""Walking settings trees: the plain dicts and lists a load builds.

Every walk here uses a list rather than recursion, so a tree as deep as
the JSON parser accepts (about a thousand levels) can be walked, and
builds a key path only when it needs one.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from .errors import ConfigError
from .keys import format_key

if TYPE_CHECKING:
    from .keys import KeyPath

    #: A key path as a chain from the innermost key: ``("B", ("A", None))``.
    _Trail = tuple[Any, "_Trail"] | None

#: What a walk finds where a tree has nothing, and what a source's
#: ``value()`` answers where its layer sets nothing
#: (:attr:`Source.NOTHING <ampho.config.Source.NOTHING>`).
NOTHING: Any = object()


def walk(node: Any, path: KeyPath) -> Any:
    """The value at ``path`` under ``node``, or :data:`NOTHING`."""
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return NOTHING
        node = node[key]
    return node


def iter_leaves(
    data: Mapping[str, Any], prefix: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Yield ``(key path, value)`` for every leaf, in sorted key order.

    A leaf is anything but a non-empty object: a list, a plain value, or
    an empty object. It works with a list rather than recursion, so a
    tree of any depth can be walked, and builds a key path only for a
    leaf.
    """
    path = list(prefix)
    # The items left of each open object; path[len(prefix) + i] is the
    # key of the current item of stack[i].
    stack: list[Iterator[tuple[str, Any]]] = [_sorted_items(data)]
    path.append("")
    while stack:
        for key, value in stack[-1]:
            path[-1] = key
            if isinstance(value, Mapping) and value:
                stack.append(_sorted_items(value))
                path.append("")
                break
            yield tuple(path), value
        else:
            stack.pop()
            path.pop()


def _sorted_items(data: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    return ((key, data[key]) for key in sorted(data, key=str))


def depth(value: Any) -> int:
    """How deeply mappings, lists and tuples nest in ``value`` (0 for a plain value)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, Mapping):
            children: Any = node.values()
        elif isinstance(node, (list, tuple)):
            children = node
        else:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children)
    return deepest


def refuse_unprintable(tree: dict[str, Any], name: str) -> None:
    """Refuse what a mapping layer holds that no dump could print.

    Python callers may put any object in a mapping (a class, a
    callable), and a dump shows those by their ``repr``. Three kinds of
    values are refused, because they would make every later dump fail:
    ``nan`` and infinite floats (JSON has no such numbers), strings and
    keys that are not text (a lone surrogate cannot be written as UTF-8)
    and integers longer than :func:`str` writes.

    The walk uses a list, not recursion, so a tree of any depth is fine;
    each node links to its parent, and a key path is built for an error
    only.
    """
    # Each entry: a node, and its trail (its key and its parent's trail).
    stack: list[tuple[Any, _Trail]] = [(tree, None)]
    while stack:
        node, trail = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if isinstance(key, str) and not _is_text(key):
                    _refuse(trail, "a key is not text (it holds a lone surrogate)", name)
                stack.append((value, (key, trail)))
        elif isinstance(node, (list, tuple, set, frozenset)):
            stack.extend((item, (index, trail)) for index, item in enumerate(node))
        elif isinstance(node, float):
            if node - node:  # nan or infinite
                _refuse(trail, f"{node!r} is not a JSON number", name)
        elif isinstance(node, str):
            if not _is_text(node):
                _refuse(trail, "the string is not text (it holds a lone surrogate)", name)
        elif isinstance(node, int) and node.bit_length() > 10_000:
            try:
                str(node)
            except ValueError:
                _refuse(trail, "the integer is too long to write out", name)


def _is_text(value: str) -> bool:
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _refuse(trail: _Trail, problem: str, name: str) -> None:
    path: list[Any] = []
    while trail is not None:
        key, trail = trail
        path.append(key)
    where = f"{format_key(tuple(reversed(path)))}: " if path else ""
    raise ConfigError(f"{where}{problem}", source=name)
