"""Ampho: Flask applications made of small packages called bundles.

Importing ``ampho`` itself stays light: ``ampho.config`` is used by plain
scripts and must not pull in Flask through its parent package.
"""

from __future__ import annotations

__version__ = "0.1.0.dev0"
