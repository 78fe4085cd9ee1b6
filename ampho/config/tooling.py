"""What the ``ampho`` command and the Flask wiring use of the engine,
beyond the public API of :mod:`ampho.config`.

This is one of the two internal modules the outer layers may import (the
other is :mod:`ampho.config.paths`, where an application is): every name
they need is re-exported here, so the engine's own modules can move
without the outer layers noticing, as pydantic-settings' callers import
providers only from ``sources``.

Printing, redaction, checks and schemas are imported on first use, as in
:mod:`ampho.config`, so importing this module costs a command that only
loads nothing it does not need.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .jsontext import position
from .loader import bundle_files, bundle_settings, load_at
from .settings import plain_copy
from .sources.files import is_hidden_or_backup, read_regular_file
from .tree import depth, format_key, iter_leaves, split_key

if TYPE_CHECKING:
    from .check import ERROR, check_instance
    from .output import recursion_room, to_environ, to_json
    from .redaction import (
        DeclaredSecrets,
        declared_in,
        is_secret_at,
        redact_at,
        redact_key,
        redact_keys,
        redact_shapes,
    )
    from .schema import Declared, load_schemas


def __getattr__(name: str) -> Any:
    # Each module on first use, so a command that only loads imports
    # none of them.
    found: dict[str, Any]
    if name in ("ERROR", "check_instance"):
        from .check import ERROR, check_instance

        found = {"ERROR": ERROR, "check_instance": check_instance}
    elif name in ("recursion_room", "to_environ", "to_json"):
        from .output import recursion_room, to_environ, to_json

        found = {"recursion_room": recursion_room, "to_environ": to_environ, "to_json": to_json}
    elif name in ("Declared", "load_schemas"):
        from .schema import Declared, load_schemas

        found = {"Declared": Declared, "load_schemas": load_schemas}
    elif name in _REDACTION:
        from .redaction import (
            DeclaredSecrets,
            declared_in,
            is_secret_at,
            redact_at,
            redact_key,
            redact_keys,
            redact_shapes,
        )

        found = {
            "DeclaredSecrets": DeclaredSecrets,
            "declared_in": declared_in,
            "is_secret_at": is_secret_at,
            "redact_at": redact_at,
            "redact_key": redact_key,
            "redact_keys": redact_keys,
            "redact_shapes": redact_shapes,
        }
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return found[name]


#: The names of :mod:`~ampho.config.redaction` re-exported here.
_REDACTION = (
    "DeclaredSecrets",
    "declared_in",
    "is_secret_at",
    "redact_at",
    "redact_key",
    "redact_keys",
    "redact_shapes",
)


__all__ = [
    "ERROR",
    "Declared",
    "DeclaredSecrets",
    "bundle_files",
    "bundle_settings",
    "check_instance",
    "declared_in",
    "depth",
    "format_key",
    "is_hidden_or_backup",
    "is_secret_at",
    "iter_leaves",
    "load_at",
    "load_schemas",
    "plain_copy",
    "position",
    "read_regular_file",
    "recursion_room",
    "redact_at",
    "redact_key",
    "redact_keys",
    "redact_shapes",
    "split_key",
    "to_environ",
    "to_json",
]
