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
    "sphinx_copybutton",
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

# Furo: light and dark mode (following the reader's system), a page
# outline on the right, previous and next links at the foot of each page,
# and a navigation drawer instead of a sidebar on a phone.
html_theme = "furo"
html_title = "Ampho"
html_static_path = ["_static"]
html_css_files = ["ampho.css"]
html_theme_options = {
    "navigation_with_keys": True,
}

# -- Copy buttons ------------------------------------------------------------

# A copied example is what to type: no "$ " or "(.venv) $ " of a shell, no
# ">>> " or "... " of Python, and no output (only the lines that start
# with a prompt are copied when a block has any).
copybutton_prompt_text = r"\(\.venv\) \$ |\$ |>>> |\.\.\. "
copybutton_prompt_is_regexp = True
copybutton_only_copy_prompt_lines = True
copybutton_remove_prompts = True
# A command continued with a backslash is copied whole.
copybutton_line_continuation_character = "\\"
