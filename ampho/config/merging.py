"""Merging declared per key: ``"x-ampho-merge"`` in a bundle's schema.

By default an upper layer replaces an array and merges into an object,
key by key. A schema may say otherwise for one key:

- an array with ``"x-ampho-merge": "append"`` takes every layer's items,
  lowest layer first: a bundle's ``ALLOWED_HOSTS`` and production's extra
  host both count;
- ``"unique"`` does the same and keeps an item once, where it first came;
- an object with ``"x-ampho-merge": "replace"`` is taken whole from the
  highest layer that sets it, as a dictionary of handlers or a pool of
  connections is meant.

The merge itself stays deepmerge's, layer by layer; this step then
rebuilds each declared key from what every layer itself says of it
(:meth:`Source.value <ampho.config.Source.value>`), so it needs nothing
of the merge, and a load whose schemas declare no rule only walks their
``properties`` to find none. A layer whose value at the key is not of
the declared type (``null``, say) is where the key starts again. A
variable that sets one key of a ``"replace"`` object (``AMPHO_POOLS__jobs``)
is that layer's object, whole.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .tree import NOTHING, copy_tree

if TYPE_CHECKING:
    from .sources import Source
    from .tree import KeyPath


def apply_rules(
    data: dict[str, Any], sources: Sequence[Source], rules: Mapping[KeyPath, str]
) -> None:
    """Rebuild, in place, each key of ``data`` that ``rules`` declare."""
    for path, rule in sorted(rules.items(), key=lambda item: len(item[0])):
        parent = _parent(data, path)
        if parent is None or path[-1] not in parent:
            continue
        said = (source.value(path) for source in sources if source.layer.found)
        values = [value for value in said if value is not NOTHING]
        if not values:
            continue
        if rule in ("append", "unique") and isinstance(parent[path[-1]], list):
            parent[path[-1]] = _joined(values, unique=rule == "unique")
        elif rule == "replace" and isinstance(parent[path[-1]], dict):
            parent[path[-1]] = copy_tree(values[-1])


def _parent(data: dict[str, Any], path: KeyPath) -> dict[str, Any] | None:
    node: Any = data
    for key in path[:-1]:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node if isinstance(node, dict) else None


def _joined(values: list[Any], *, unique: bool) -> Any:
    """Every layer's items, lowest first, from the last layer that did not
    give a list; that layer's own value when it is the highest."""
    start = 0
    for index, value in enumerate(values):
        if not isinstance(value, list):
            start = index
    if not isinstance(values[start], list):
        if start == len(values) - 1:
            return copy_tree(values[start])
        start += 1
    items: list[Any] = []
    seen: set[str] = set()
    for value in values[start:]:
        for item in value:
            if unique:
                mark = json.dumps(item, sort_keys=True, default=repr)
                if mark in seen:
                    continue
                seen.add(mark)
            items.append(copy_tree(item))
    return items
