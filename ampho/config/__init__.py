"""Ampho's layered configuration engine.

It reads ``default.json``, ``{env}.json`` and ``{user}@{host}.json``
from an instance directory, deep-merges them, applies ``AMPHO_*``
environment variables and remembers where every value came from. It
works in any script and imports neither Flask nor click, so a cron job
reads exactly the settings its web application reads::

    from ampho.config import load

    cfg = load()
    cfg.lookup("DB.HOST")
    str(cfg.origin("DB.HOST"))  # 'instance/production.json:12:5'
"""

from __future__ import annotations

from .errors import ConfigError
from .loader import load
from .mapping import Config, ReadOnlyMapping
from .provenance import Layer, Origin
from .redact import is_secret_key, redact

__all__ = [
    "Config",
    "ConfigError",
    "Layer",
    "Origin",
    "ReadOnlyMapping",
    "is_secret_key",
    "load",
    "redact",
]
