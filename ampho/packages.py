"""Finding a top-level package without importing it.

Bundle discovery and the configuration engine must take the same
package for a bundle's name: a script's :func:`ampho.config.load` reads
the ``default.json`` of the package the application imports. Both ask
:func:`find_spec` here, which asks the finders of :data:`sys.meta_path`
as the import system does, so editable installs (whose finders sit
there) count, and a module of that name imported already from elsewhere
does not hide the package. It imports nothing, not even
:mod:`importlib.util`: a plain ``load()`` pays for no import to find the
entry bundle.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.machinery import ModuleSpec


def find_spec(name: str) -> ModuleSpec | None:
    """Where importing a top-level ``name`` now would find it, whether or
    not :data:`sys.modules` holds a module of that name already."""
    for finder in sys.meta_path:
        find = getattr(finder, "find_spec", None)
        if find is None:
            continue
        spec: ModuleSpec | None = find(name, None)
        if spec is not None:
            return spec
    return None


def is_regular_package(spec: ModuleSpec) -> bool:
    """Whether a spec is a package with an ``__init__.py``: a namespace
    package is any directory of that name on :data:`sys.path`, such as a
    root directory called ``app``."""
    return (
        spec.submodule_search_locations is not None
        and spec.origin is not None
        and spec.origin != "namespace"
    )


def package_dir(name: str) -> str | None:
    """The absolute directory of the regular package ``name``, found without
    importing it; ``None`` for no package, a module, or a namespace."""
    spec = find_spec(name)
    if spec is None or not is_regular_package(spec):
        return None
    assert spec.submodule_search_locations is not None
    return os.path.abspath(next(iter(spec.submodule_search_locations)))
