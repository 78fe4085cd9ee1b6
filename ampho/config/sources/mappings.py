"""A mapping given in code as a layer: an item of ``defaults=``, the
``overrides=``, the secret key the application factory generates.

What the caller hands in is copied first (:func:`~ampho.config.merge.copy_input`):
deepmerge merges in place and by reference, so a layer must own what it
merges, and a caller's dict changed after the load must not change the
settings or their origins.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..merge import copy_input, copy_tree, merge_layer
from ..origin import Layer
from . import Source


class MappingSource(Source):
    """A layer given as a mapping; its origins are its name
    (:meth:`Source.origin <ampho.config.Source.origin>`).

    :param name: how the layer is shown: ``defaults[0]``, ``overrides``.
    :param mapping: the settings.
    :param always_found: list the layer as found even when the mapping
        is empty, as an item of ``defaults=`` is; ``overrides`` that set
        nothing are a layer not found.
    """

    __slots__ = ("_always_found", "_mapping", "name")

    def __init__(
        self, name: str, mapping: Mapping[str, Any], *, always_found: bool = False
    ) -> None:
        self.name = name
        self._mapping = mapping
        self._always_found = always_found
        self.data: dict[str, Any] = {}
        self.secrets = frozenset()

    def read(self) -> Mapping[str, Any]:
        """The mapping given."""
        return self._mapping

    def apply(self, data: dict[str, Any]) -> None:
        """Merge a private copy; another copy is kept to answer origins."""
        self.data = copy_input(self._mapping, self.name)
        self.layer = Layer(self.name, None, self._always_found or bool(self.data))
        if self.data:
            merge_layer(data, copy_tree(self.data), self.name)
