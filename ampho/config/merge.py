"""Deep merging of layers, and copying of what callers hand in.

The merge rules are those users expect from layered settings: objects
merge key by key, everything else (lists, strings, numbers, ``null``) is
replaced by the upper layer, and when the two layers disagree on the
type the upper layer wins.

:mod:`deepmerge` does the merging. It merges *in place* into the base
and inserts values *by reference*, so a merge must only ever be given
objects that nobody else holds: the loader parses each file afresh and
passes callers' mappings through :func:`copy_tree` first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deepmerge import Merger

_merger = Merger(
    type_strategies=[(dict, "merge")],
    fallback_strategies=["override"],
    type_conflict_strategies=["override"],
)


def merge_into(base: dict[str, Any], upper: dict[str, Any]) -> None:
    """Merge ``upper`` into ``base``, in place.

    Both must be owned by the caller: ``base`` is changed and parts of
    ``upper`` end up inside it.
    """
    _merger.merge(base, upper)


def copy_tree(value: Any) -> Any:
    """Copy mappings and lists all the way down; share nothing else.

    Any :class:`~collections.abc.Mapping` becomes a :class:`dict` (so it
    merges like one), a list stays a list and a tuple a tuple. Other
    objects, which in a settings tree are strings, numbers and the odd
    class or callable a Flask app puts in its config, are kept as they
    are.
    """
    if isinstance(value, Mapping):
        return {key: copy_tree(item) for key, item in value.items()}
    if isinstance(value, list):
        return [copy_tree(item) for item in value]
    if isinstance(value, tuple):
        return tuple(copy_tree(item) for item in value)
    return value
