"""Settings trees, the plain dicts and lists a load builds, and the key
paths that address them.

A key path is a tuple of keys from the top object down, ``("DB",
"HOST")``. People write it dotted, ``DB.HOST``; a key that holds a dot
is written as a JSON string, ``LOGGERS."shop.orders".LEVEL``.
:func:`format_key` writes every key path that way and :func:`split_key`
reads it back, so whatever a command prints can be pasted back as its
``KEY``.

Every walk here uses a list rather than recursion, so a tree as deep as
the JSON parser accepts (about a thousand levels) can be walked, and
builds a key path only when it needs one.

Merging layers (:func:`merge_into`) follows the rules users expect from
layered settings: objects merge key by key, everything else (lists,
strings, numbers, ``null``) is replaced by the upper layer, and when the
two layers disagree on the type the upper layer wins. :mod:`deepmerge`
does the merging. It merges *in place* into the base and inserts values
*by reference*, so a merge must only ever be given objects that nobody
else holds: the loader parses each file afresh and passes callers'
mappings through :func:`copy_tree` first.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from deepmerge import Merger

from .errors import ConfigError

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

    #: A key path as a chain from the innermost key: ``("B", ("A", None))``.
    _Trail = tuple[Any, "_Trail"] | None

#: What a walk finds where a tree has nothing, and what a source's
#: ``value()`` answers where its layer sets nothing
#: (:attr:`Source.NOTHING <ampho.config.Source.NOTHING>`).
NOTHING: Any = object()


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


def walk(node: Any, path: KeyPath) -> Any:
    """The value at ``path`` under ``node``, or :data:`NOTHING`."""
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return NOTHING
        node = node[key]
    return node


def holds_text(tree: Any, needle: str) -> bool:
    """Whether any string of ``tree`` (a value, or dicts and lists of
    them) holds ``needle``."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            if needle in node:
                return True
        elif isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


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


def _merge_objects(
    merger: Merger, path: list[Any], base: dict[str, Any], upper: dict[str, Any]
) -> dict[str, Any]:
    """deepmerge's ``merge`` strategy for dicts, sending only dicts back.

    The built-in strategy hands every key present in both layers back to
    the merger, which dispatches on type even to replace one string by
    another; measured on 20,000 settings that dispatch tripled the merge
    time. Values that are not both dicts are replaced right here, which
    is what the fallback and type-conflict strategies would decide.
    """
    for key, value in upper.items():
        if type(value) is dict and key in base and type(base[key]) is dict:
            merger.value_strategy([*path, key], base[key], value)
        else:
            base[key] = value
    return base


_merger = Merger(
    type_strategies=[(dict, _merge_objects)],
    fallback_strategies=["override"],
    type_conflict_strategies=["override"],
)


def merge_into(base: dict[str, Any], upper: dict[str, Any]) -> None:
    """Merge ``upper`` into ``base``, in place.

    Both must be owned by the caller: ``base`` is changed and parts of
    ``upper`` end up inside it.
    """
    _merger.merge(base, upper)


def merge_layer(data: dict[str, Any], layer_data: dict[str, Any], name: str) -> None:
    """:func:`merge_into`, a layer's settings (named ``name``) into ``data``.

    :raises ConfigError: naming the layer, for one nested more deeply
        than the merge can follow.
    """
    try:
        merge_into(data, layer_data)
    except RecursionError:
        # The parser accepts nesting a few times deeper than the merge,
        # which recurses through deepmerge, can follow.
        raise ConfigError("is nested too deeply to merge", source=name) from None


def copy_input(mapping: Mapping[str, Any], name: str) -> dict[str, Any]:
    """A private copy of a caller's mapping, so nothing is shared.

    :raises ConfigError: for a mapping that holds itself, or a value no
        JSON output could print (see :func:`~ampho.config.tree.refuse_unprintable`).
    """
    try:
        copy: dict[str, Any] = copy_tree(mapping)
    except ValueError as e:
        raise ConfigError(str(e), source=name) from None
    refuse_unprintable(copy, name)
    return copy


def copy_tree(value: Any) -> Any:
    """Copy mappings, lists, tuples and sets all the way down.

    Any :class:`~collections.abc.Mapping` becomes a :class:`dict` (so it
    merges like one); lists, tuples, sets and bytearrays keep their type.
    Other objects, which in a settings tree are strings, numbers and the
    odd class or callable a Flask app puts in its config, are kept as
    they are: they are the caller's to share.

    It works with a list rather than recursion, so a tree as deep as the
    JSON parser accepts can be copied without hitting the recursion limit.

    :raises ValueError: if a container holds itself, at any depth.
    """
    if not isinstance(value, _CONTAINERS):
        return value
    holder: list[Any] = [None]
    # Entries: (where the copy goes, under which key, what to copy), or
    # (None, None, id) to mark that the walk left that container.
    stack: list[tuple[Any, Any, Any]] = [(holder, 0, value)]
    inside: set[int] = set()
    rebuild: list[tuple[Any, Any, list[Any], type]] = []
    while stack:
        parent, key, source = stack.pop()
        if parent is None:
            inside.discard(source)
            continue
        if id(source) in inside:
            raise ValueError("a mapping or list holds itself")
        copy: Any
        if isinstance(source, Mapping):
            copy = dict(source.items())
            children: Any = copy.items()
        else:
            copy = list(source)
            children = enumerate(copy)
            if not isinstance(source, list):
                # Tuples and sets are rebuilt once their items are copied.
                rebuild.append((parent, key, copy, type(source)))
        parent[key] = copy
        inside.add(id(source))
        stack.append((None, None, id(source)))
        stack.extend((copy, k, v) for k, v in children if isinstance(v, _CONTAINERS))
    # Inner containers were found after outer ones: rebuild them first.
    for parent, key, items, kind in reversed(rebuild):
        parent[key] = items if kind is list else _rebuild(kind, items)
    return holder[0]


def _rebuild(kind: type, items: list[Any]) -> Any:
    if issubclass(kind, tuple):
        return tuple(items)
    if issubclass(kind, bytearray):
        return bytearray(items)
    if issubclass(kind, frozenset):
        return frozenset(items)
    return set(items)


_CONTAINERS = (Mapping, list, tuple, set, frozenset, bytearray)
