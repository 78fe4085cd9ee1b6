"""Sphinx configuration for the Ampho manual.

Build it the way ``tox -e docs`` does, from the project root::

    sphinx-build -W --keep-going -b html docs docs/_build/html
    sphinx-build -W --keep-going -b doctest docs docs/_build/doctest

The second command runs every Python example of the manual.
"""

from __future__ import annotations

import doctest
import os

import ampho

DOCS_DIR = os.path.dirname(os.path.abspath(__file__))

# -- Project -----------------------------------------------------------------

project = "Ampho"
author = "the Ampho authors"
copyright = "the Ampho authors"
release = ampho.__version__
version = ".".join(release.split(".")[:2])

# -- General -----------------------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
]

exclude_patterns = ["_build", "_examples"]
default_role = "code"
nitpicky = False

# -- autodoc -----------------------------------------------------------------

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_preserve_defaults = True
# Names that exist for the type checker only (``ampho.config.tree.Key``).
autodoc_type_aliases = {"Key": "str | tuple[str, ...]"}

# -- doctest -----------------------------------------------------------------

# Sphinx ignores exception messages by default (IGNORE_EXCEPTION_DETAIL);
# the manual shows Ampho's error messages, so they are checked too.
doctest_default_flags = doctest.ELLIPSIS | doctest.DONT_ACCEPT_TRUE_FOR_1

# Every document's examples start from a known environment: AMPHO_* and
# FLASK_ENV of whoever runs the build must not change what they print.
# EXAMPLES is the directory of the manual's example applications, REPO
# the project's root (for examples/hello-world).
doctest_global_setup = f"""
import os as _os
_saved_environ = dict(_os.environ)
for _name in list(_os.environ):
    if _name.startswith("AMPHO_") or _name == "FLASK_ENV":
        del _os.environ[_name]

import pathlib as _pathlib
EXAMPLES = _pathlib.Path({os.path.join(DOCS_DIR, "_examples")!r})
REPO = _pathlib.Path({os.path.dirname(DOCS_DIR)!r})
"""

doctest_global_cleanup = """
_os.environ.clear()
_os.environ.update(_saved_environ)
"""

# -- HTML --------------------------------------------------------------------

html_theme = "alabaster"
html_theme_options = {
    "description": "Flask applications made of bundles",
    "fixed_sidebar": True,
}
html_static_path: list[str] = []
