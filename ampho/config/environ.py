"""Settings from ``AMPHO_*`` environment variables, and back.

:func:`apply_environ` follows Flask's :meth:`flask.Config.from_prefixed_env`
rule for rule, so that what a Flask user knows holds here too: names are
applied in sorted order with the prefix stripped, each value goes
through :func:`json.loads` and stays the raw string when that fails, and
``__`` in a name nests into dicts, creating them when missing. Two
things differ. The control variables (``AMPHO_ENV``, ``AMPHO_ENTRY``,
``AMPHO_ROOT``) choose *which* configuration is loaded and are never
settings themselves. And descending into a value that is not a dict
(``AMPHO_DB__HOST`` while ``DB`` is a string) is a :class:`ConfigError`
naming the variable, where Flask raises a bare :exc:`TypeError`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from .errors import ConfigError
from .jsonfile import json_type

#: Names of variables that steer loading, after the prefix.
CONTROL_NAMES = ("ENV", "ENTRY", "ROOT")

#: A key that survives the trip through a variable name: no leading,
#: trailing or doubled underscore, which ``__`` splitting would eat.
_NAME_PART = r"[A-Za-z0-9]+(?:_[A-Za-z0-9]+)*"


def apply_environ(
    data: dict[str, Any], environ: Mapping[str, str], prefix: str
) -> list[tuple[str, tuple[str, ...]]]:
    """Apply the prefixed variables of ``environ`` to ``data``, in place.

    :return: ``(variable, key path)`` for each variable applied, in the
        order applied, which is what provenance needs.
    :raises ConfigError: when a variable would descend into a value that
        is not a dict.
    """
    start = f"{prefix}_"
    control = {start + name for name in CONTROL_NAMES}
    applied = []
    for name in sorted(environ):
        if not name.startswith(start) or name in control:
            continue
        raw = environ[name]
        try:
            value = json.loads(raw)
        except Exception:
            # Exactly Flask's rule: anything json cannot take stays a
            # string, including values nested too deeply for it.
            value = raw
        *parents, child = name[len(start) :].split("__")
        current = data
        for depth, parent in enumerate(parents):
            if parent not in current:
                current[parent] = {}
            current = current[parent]
            if not isinstance(current, dict):
                key = ".".join(parents[: depth + 1])
                raise ConfigError(
                    f"cannot set {'.'.join((*parents, child))}:"
                    f" {key} is {json_type(current)}, not an object",
                    source=f"env {name}",
                )
        current[child] = value
        applied.append((name, (*parents, child)))
    return applied


def to_environ(data: Mapping[str, Any], prefix: str) -> Iterator[tuple[str, str]]:
    """Yield ``(name, value)`` variables that rebuild ``data`` when applied.

    Objects are spread over one variable per leaf where every key can be
    spelled in a variable name, and written as one JSON value where not.
    A string is written as it is when JSON would read it as nothing else
    (``example.com``, ``007``) and as JSON otherwise (``"true"``, ``"1"``).

    :raises ConfigError: for a top-level key that no variable can set:
        one that is not a valid name part, or a control variable's name
        holding anything but an object to spread (``AMPHO_ENV`` chooses
        the environment, but ``AMPHO_ENV__X`` sets ``ENV.X``).
    """
    for key in sorted(data):
        value = data[key]
        usable = isinstance(key, str) and re.fullmatch(_NAME_PART, key) is not None
        if usable and key in CONTROL_NAMES and not _spreads(value):
            usable = False
        if not usable:
            raise ConfigError(
                f"the key {key!r} cannot be set through an environment variable"
                f" ({prefix}_{key} is not usable)"
            )
        yield from _leaf_variables(f"{prefix}_{key}", value)


def _spreads(value: Any) -> bool:
    """Whether an object is written one variable per key."""
    return (
        isinstance(value, Mapping)
        and bool(value)
        and all(isinstance(key, str) and re.fullmatch(_NAME_PART, key) for key in value)
    )


def _leaf_variables(name: str, value: Any) -> Iterator[tuple[str, str]]:
    if _spreads(value):
        for key in sorted(value):
            yield from _leaf_variables(f"{name}__{key}", value[key])
    else:
        yield name, _encode(value)


def _encode(value: Any) -> str:
    if isinstance(value, str):
        try:
            json.loads(value)
        except Exception:  # the same test apply_environ makes
            return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=_not_json)


def _not_json(value: object) -> Any:
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, tuple):
        return list(value)
    raise ConfigError(f"{type(value).__name__} values cannot be written as JSON")
