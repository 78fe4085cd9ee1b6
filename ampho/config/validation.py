"""Checking settings against their schemas: every violation, located.

:mod:`jsonschema` judges; this module turns each of its errors into a
:class:`Violation` at the place the value was set (its
:class:`~ampho.config.Origin`, the value's own ``file:line:column``),
with no secret quoted. It is asked only when Ampho's own check of the
keywords bundles use (:mod:`~ampho.config.validator`) does not say yes,
so a load that breaks nothing of such a schema never imports
:mod:`jsonschema`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from .tree import format_key

if TYPE_CHECKING:
    from .errors import Origin
    from .schema import Schema
    from .settings import Config

#: How a violation of the top-level object names its key.
TOP_LEVEL = "(top level)"


class Violation:
    """One value (or missing key) that a schema refuses.

    ``str()`` is ``<where>: <key>: <message> (<schema>)``, the place
    left out when the value was set nowhere (a missing key of the top
    level object).
    """

    __slots__ = ("key", "message", "schema", "where")

    def __init__(self, where: Origin | None, key: str, message: str, schema: str) -> None:
        #: Where the offending value was set, an :class:`~ampho.config.Origin`
        #: whose ``str()`` is ``instance/production.json:3:13``, ``env
        #: AMPHO_MAIL__PORT``, a secrets file or ``overrides``; ``None`` for
        #: a value set nowhere. A record, not text: ``config check`` reads
        #: its file, line and column as they are.
        self.where = where
        #: The dotted key of the value (or of the missing key).
        self.key = key
        #: What is wrong, a secret's value replaced by ``***``.
        self.message = message
        #: The display name of the schema whose rule failed.
        self.schema = schema

    def __str__(self) -> str:
        where = str(self.where) if self.where is not None else None
        parts = [part for part in (where, self.key or TOP_LEVEL) if part]
        parts.append(f"{self.message} ({self.schema})")
        return ": ".join(parts)

    def __repr__(self) -> str:
        return f"<Violation {str(self)!r}>"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Violation):
            return NotImplemented
        return str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))


def validate(schemas: Iterable[Schema], config: Config | Mapping[str, Any]) -> list[Violation]:
    """Every violation of every schema, in schema order, then by place."""
    from .settings import data_of

    data = data_of(config)
    found: list[Violation] = []
    for schema in schemas:
        if schema.accepts(data):
            continue
        for error in schema.iter_errors(data):
            found.extend(_violations(error, schema, config))
    if not found:
        found = _refused_by_models(schemas, config)
    return found


def _refused_by_models(schemas: Iterable[Schema], config: Any) -> list[Violation]:
    """What the validators of pydantic models declared in ``SETTINGS``
    refuse, once the schemas accept everything: each at the place its
    value was set, so a model's own rule fails the start and ``config
    check``, as a schema's does, rather than the first request that asks
    :func:`ampho.settings`."""
    from .settings import Config

    if not isinstance(config, Config):
        return []
    from .classes import ModelRefused

    found = []
    for schema in schemas:
        declaration = schema.declaration
        if declaration is None or not declaration.model.is_pydantic:
            continue
        try:
            config.bind(declaration.cls, declaration.key)
        except ModelRefused as e:
            for path, message in e.problems:
                keys = tuple(str(part) for part in path)
                found.append(
                    Violation(_where(config, path), format_key(keys), message, schema.name)
                )
    return found


def _violations(error: Any, schema: Schema, config: Any) -> Iterator[Violation]:
    """The violations one jsonschema error stands for."""
    path = tuple(error.absolute_path)
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = [
            key
            for key in error.validator_value
            if key not in error.instance and error.message == f"{key!r} is a required property"
        ]
        for key in missing or ["?"]:
            yield Violation(
                _where(config, path) if path else None,
                format_key((*path, key)),
                "is required",
                schema.name,
            )
        return
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        extras = _extra_keys(error.instance, error.schema)
        for key in extras:
            yield Violation(
                _where(config, (*path, key)),
                format_key((*path, key)),
                f"Additional properties are not allowed ({key!r} was unexpected)",
                schema.name,
            )
        if extras:
            return
    yield Violation(
        _where(config, (*path, *_dependent(error))),
        format_key(path),
        _message(error, path, schema, config),
        schema.name,
    )


def _dependent(error: Any) -> tuple[str, ...]:
    """For ``dependentRequired``, the key that needs the missing one: the
    violation is at its place (the object itself may be set everywhere)."""
    if error.validator != "dependentRequired" or not isinstance(error.instance, dict):
        return ()
    rules = error.validator_value if isinstance(error.validator_value, dict) else {}
    for key, needed in rules.items():
        if (
            key in error.instance
            and isinstance(needed, list)
            and any(error.message == f"{n!r} is a dependency of {key!r}" for n in needed)
        ):
            return (key,)
    return ()


def _extra_keys(instance: dict[str, Any], subschema: Any) -> list[str]:
    properties = subschema.get("properties", {}) if isinstance(subschema, dict) else {}
    patterns = subschema.get("patternProperties", {}) if isinstance(subschema, dict) else {}
    return [
        key
        for key in instance
        if key not in properties and not any(re.search(p, key) for p in patterns)
    ]


def _message(error: Any, path: tuple[Any, ...], schema: Schema, config: Any) -> str:
    """jsonschema's message, with no secret quoted
    (:func:`~ampho.config.redaction.redact_violation`).

    The secrets by declaration are a loaded configuration's, as the
    commands mask them (:func:`~ampho.config.redaction.declared_in`);
    for plain settings, those this schema declares ``writeOnly``.
    Imported and worked out only here: a load that breaks no rule never
    pays for it.
    """
    from .redaction import DeclaredSecrets, declared_in, redact_violation
    from .settings import Config

    if isinstance(config, Config) and config.schemas is not None:
        declared = declared_in(config)
    else:
        declared = DeclaredSecrets(write_only=schema.write_only_at())
    return redact_violation(error.message, error.instance, path, error.validator, declared)


def _where(config: Any, path: tuple[Any, ...]) -> Origin | None:
    """Where the value at ``path`` was set: in a file, the place of the
    value itself; for a list item without a place, the list's."""
    from .settings import Config

    if not isinstance(config, Config):
        return None
    keys: list[str] = []
    for part in path:
        if not isinstance(part, str):
            break
        keys.append(part)
    while keys:
        try:
            return config.value_origin(tuple(keys))
        except (KeyError, LookupError):
            keys.pop()
    return None
