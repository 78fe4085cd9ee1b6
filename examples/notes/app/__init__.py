"""The notes site's own bundle, the entry bundle: layout, home page and style.

The notes themselves live in the reusable ``notebook`` bundle, which
this one requires. Its pages extend this bundle's ``layout.html``.
"""

REQUIRES = ["notebook"]
