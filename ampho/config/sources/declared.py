"""The defaults of a settings class, as a layer.

A bundle's ``SETTINGS`` (:mod:`~ampho.config.classes`) gives defaults
the way its ``default.json`` does: they are its layer, just beneath the
file, and each value answers with the field that set it, ``mail/__init__.py:14:5``,
so ``ampho config explain`` points at the line to change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import Origin
from ..tree import NOTHING, walk
from . import Layer, MappingSource

if TYPE_CHECKING:
    from ..classes import Declaration
    from ..tree import KeyPath


class DeclaredSource(MappingSource):
    """The defaults of one declaration of a bundle's ``SETTINGS``, shown
    as the class (``mail.Mail``)."""

    __slots__ = ("declaration",)

    def __init__(self, declaration: Declaration) -> None:
        super().__init__(declaration.name, declaration.defaults(), always_found=True)
        #: The declaration the defaults are derived from.
        self.declaration = declaration

    def apply(self, data: dict[str, object]) -> DeclaredSource:
        super().apply(data)
        # The layer's path is the class's file, as a file layer's is its file.
        from ..classes import defined_in

        declaration = self.declaration
        self.layer = Layer(self.name, defined_in(declaration.cls, declaration.directory)[0], True)
        return self

    def origin(self, path: KeyPath) -> Origin | None:
        """The field that sets ``path``: its file, line and column."""
        if walk(self.data, path) is NOTHING:
            return None
        below = path[len(self.declaration.path) :]
        shown, line, column = self.declaration.place(tuple(str(key) for key in below))
        return Origin(shown, line, column, self.layer)
