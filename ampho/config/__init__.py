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

from typing import TYPE_CHECKING, Any

from .errors import ConfigError, Origin, SettingsInvalid
from .loader import load
from .secret import Secret
from .settings import Config, ReadOnlyList, ReadOnlyMapping, Setting
from .sources import Layer, Source

if TYPE_CHECKING:
    from .redaction import is_secret_key, redact


def __getattr__(name: str) -> Any:
    # Redaction is for printing; a script that only loads its settings
    # does not pay for importing it (measured: about half a millisecond
    # of a cold start, which docs/benchmarks.rst compares with a bare
    # json.load).
    if name in ("is_secret_key", "redact"):
        from . import redaction

        return getattr(redaction, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Config",
    "ConfigError",
    "Layer",
    "Origin",
    "ReadOnlyList",
    "ReadOnlyMapping",
    "Secret",
    "Setting",
    "SettingsInvalid",
    "Source",
    "is_secret_key",
    "load",
    "redact",
]
