"""Declared settings: JSON Schemas, read, checked and asked.

A bundle may ship ``schema.json`` beside its ``default.json``: a JSON
Schema (draft 2020-12) for the keys it uses. :func:`load_schemas` reads
them and refuses a schema that is invalid, too deep or has a pattern
that could backtrack for ever; :class:`Schemas` answers what they
declare (types, ``writeOnly``, documentation). :meth:`Schemas.validate`
checks a loaded :class:`Config` against each, separately, so a key two
bundles declare must satisfy both and every violation names the file
whose rule failed (:mod:`~ampho.config.validation`).

:mod:`jsonschema` is imported only when some schema needs it: a load
without schemas never pays for it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from ..bundle import AMPHO_SCHEMA_PATH
from .errors import ConfigError
from .jsontext import json_type_name, key_offsets, position
from .sources import named_item
from .sources.files import read_json_file
from .tree import format_key
from .validation import Violation

if TYPE_CHECKING:
    from .classes import Declaration
    from .settings import Config
    from .sources import DocumentItem

#: The dialect every schema is checked and validated with.
DRAFT = "https://json-schema.org/draft/2020-12/schema"

#: What :attr:`Schema._check` holds before the schema is compiled.
_NOT_COMPILED: Any = object()


class Schema:
    """One schema file (or mapping) and its display name."""

    __slots__ = (
        "_check",
        "_rules",
        "_types",
        "_validator",
        "checked",
        "declaration",
        "document",
        "name",
        "path",
        "text",
    )

    def __init__(
        self,
        name: str,
        document: dict[str, Any],
        path: str | None,
        text: str | None,
        *,
        declaration: Declaration | None = None,
        checked: bool = False,
    ) -> None:
        #: How the schema is shown: ``mail/schema.json``, ``mail.Mail``.
        self.name = name
        #: The schema itself.
        self.document = document
        #: The file it was read from, if any.
        self.path = path
        #: The file's text, to locate problems in it.
        self.text = text
        #: The settings class it was derived from
        #: (:class:`~ampho.config.classes.Declaration`), if any.
        self.declaration = declaration
        #: Whether the schema is known to be valid (Ampho's own, one
        #: derived from a dataclass, one checked already): it is not
        #: checked again.
        self.checked = checked
        self._validator: Any = None
        self._check: Any = _NOT_COMPILED
        # What the schema says, worked out once: a schema read from an
        # unchanged file is the same object at every load of a process.
        self._rules: dict[tuple[str, ...], str] | None = None
        self._types: dict[tuple[str, ...], frozenset[str] | None] = {}

    def accepts(self, data: dict[str, Any]) -> bool:
        """Whether the schema surely accepts ``data``, answered by Ampho's
        own check of the keywords bundles use
        (:func:`~ampho.config.validator.compile_schema`, compiled once):
        ``False`` for settings it refuses and for a schema outside those
        keywords, both of which :meth:`iter_errors` then judges."""
        check = self._check
        if check is _NOT_COMPILED:
            from .validator import compile_schema

            check = self._check = compile_schema(self.document)
        if check is None:
            return False
        try:
            return bool(check(data))
        except RecursionError:
            return False

    def __repr__(self) -> str:
        return f"<Schema {self.name!r}>"

    def validator(self) -> Any:
        """A draft 2020-12 validator for the schema, made once."""
        if self._validator is None:
            from jsonschema import Draft202012Validator

            self._validator = Draft202012Validator(self.document, registry=_offline_registry())
        return self._validator

    def iter_errors(self, data: dict[str, Any]) -> list[Any]:
        """Every jsonschema error of ``data``, sorted by place.

        :raises ConfigError: naming this file for a ``$ref`` that cannot be
            resolved (nothing is fetched: not a file, not a URL) or one
            that refers to itself, which would recurse for ever.
        """
        from referencing.exceptions import Unresolvable

        from .tree import depth

        try:
            errors = list(self.validator().iter_errors(data))
        except Unresolvable as e:
            ref = str(getattr(e, "ref", None) or e)
            if ref.startswith("/"):  # a JSON pointer to nowhere in this file
                ref = f"#{ref}"
            raise self._ref_error(f"cannot resolve $ref {ref!r}", ref) from None
        except RecursionError:
            # Settings a few levels deep recurse that far only round a loop.
            if depth(data) > 50:
                raise self._ref_error("the settings nest too deeply to validate") from None
            raise self._ref_error("a $ref refers to itself, directly or through others") from None
        return sorted(errors, key=lambda e: [str(p) for p in e.path])

    def _ref_error(self, message: str, ref: str | None = None) -> ConfigError:
        """A ``$ref`` problem, at the first ``"$ref": ref`` of the file if any."""
        line = column = None
        if self.text is not None:
            offsets = key_offsets(self.text)
            path = _ref_path(self.document, ref) if ref is not None else None
            if path is not None and path in offsets:
                line, column = position(self.text, offsets[path])
        return ConfigError(message, path=self.path, line=line, column=column, source=self.name)

    def at(self, path: tuple[str, ...]) -> list[dict[str, Any]]:
        """The subschemas that declare the key path (``properties``,
        ``patternProperties``, ``additionalProperties``, through local
        ``$ref`` and ``allOf``/``anyOf``/``oneOf``)."""
        found = [self.document]
        for key in path:
            found = [child for node in found for child in self._children(node, key)]
            if not found:
                break
        return found

    def _children(self, node: dict[str, Any], key: str) -> Iterator[dict[str, Any]]:
        for part in self._expand(node):
            properties = part.get("properties")
            matched = False
            if isinstance(properties, dict) and isinstance(properties.get(key), dict):
                matched = True
                yield properties[key]
            patterns = part.get("patternProperties")
            if isinstance(patterns, dict):
                for pattern, child in patterns.items():
                    if isinstance(child, dict) and re.search(pattern, key):
                        matched = True
                        yield child
            extra = part.get("additionalProperties")
            if not matched and isinstance(extra, dict):
                yield extra

    def _expand(self, node: dict[str, Any], depth: int = 0) -> Iterator[dict[str, Any]]:
        """``node`` and what it takes in by ``$ref`` and the combinators."""
        yield node
        if depth > 20:  # a $ref loop: enough is enough
            return
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#"):
            target = self._resolve(ref)
            if target is not None:
                yield from self._expand(target, depth + 1)
        for word in ("allOf", "anyOf", "oneOf"):
            branches = node.get(word)
            if isinstance(branches, list):
                for branch in branches:
                    if isinstance(branch, dict):
                        yield from self._expand(branch, depth + 1)

    def _resolve(self, ref: str) -> dict[str, Any] | None:
        node: Any = self.document
        for part in ref[1:].split("/")[1:]:
            part = part.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return None
        return node if isinstance(node, dict) else None

    def types(self, path: tuple[str, ...]) -> frozenset[str] | None:
        """The JSON types this schema allows at ``path``; ``None``: any."""
        if path in self._types:
            return self._types[path]
        allowed: frozenset[str] | None = None
        for node in self.at(path):
            declared = _node_types(node, self)
            if declared is not None:
                allowed = declared if allowed is None else allowed & declared
        self._types[path] = allowed
        return allowed

    def merge_rules(self) -> dict[tuple[str, ...], str]:
        """How each key whose ``properties`` say ``"x-ampho-merge"``
        merges across layers."""
        if self._rules is None:
            found: dict[tuple[str, ...], str] = {}
            for path, node in _declared_nodes(self):
                for part in self._expand(node):
                    rule = part.get(MERGE_KEYWORD)
                    if isinstance(rule, str):
                        found[path] = rule
            self._rules = found
        return self._rules

    def write_only(self, path: tuple[str, ...]) -> bool:
        return any(
            part.get("writeOnly") is True for node in self.at(path) for part in self._expand(node)
        )

    def write_only_at(self) -> WriteOnlyAt:
        """What this schema says of ``writeOnly`` (:class:`WriteOnlyAt`)."""
        return WriteOnlyAt((self,))


if TYPE_CHECKING:
    #: One item of ``schemas=``: as ``defaults=`` takes them, or a
    #: :class:`Schema` made already (one derived from a settings class).
    SchemaItem = DocumentItem | Schema


def _node_types(node: dict[str, Any], schema: Schema, depth: int = 0) -> frozenset[str] | None:
    """What one subschema says of the type; ``None`` when it allows any.

    Every constraint of a value holds at once, so the node's own
    ``type``, ``enum`` and ``const``, its ``$ref`` and its ``allOf``
    branches are intersected. An ``anyOf`` or ``oneOf`` holds when one
    branch does, so it allows the union of its branches (any type when
    one branch allows any): ``anyOf: [{type: string}, {type: null}]``,
    the optional string pydantic writes, allows a string or null.
    """
    if depth > 20:  # a $ref loop: enough is enough
        return None
    found: list[frozenset[str] | None] = []
    declared = node.get("type")
    if isinstance(declared, str):
        declared = [declared]
    if isinstance(declared, list):
        types = frozenset(t for t in declared if isinstance(t, str))
        found.append(types | {"integer"} if "number" in types else types)
    if isinstance(node.get("enum"), list):
        found.append(frozenset(json_type_name(v) for v in node["enum"]))
    if "const" in node:
        found.append(frozenset({json_type_name(node["const"])}))
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#"):
        target = schema._resolve(ref)
        if target is not None:
            found.append(_node_types(target, schema, depth + 1))
    branches = node.get("allOf")
    if isinstance(branches, list):
        found.extend(_node_types(b, schema, depth + 1) for b in branches if isinstance(b, dict))
    for word in ("anyOf", "oneOf"):
        branches = node.get(word)
        if not isinstance(branches, list):
            continue
        union: frozenset[str] | None = frozenset()
        for branch in (b for b in branches if isinstance(b, dict)):
            branch_types = _node_types(branch, schema, depth + 1)
            union = None if branch_types is None or union is None else union | branch_types
        found.append(union)
    result: frozenset[str] | None = None
    for each in found:
        if each is not None:
            result = each if result is None else result & each
    return result


class Declared:
    """A declared leaf setting, for ``ampho config docs``."""

    __slots__ = ("description", "key", "schema", "type")

    def __init__(self, key: str, type: str, description: str, schema: str) -> None:
        #: The dotted key, a part holding a dot in double quotes, as
        #: ``KEY`` arguments take it (``LOGGERS."shop.orders".LEVEL``).
        self.key = key
        #: The declared type, as text: ``integer``, ``string or null``.
        self.type = type
        #: The schema's ``description`` (or ``title``), or ``""``.
        self.description = description
        #: The display name of the schema declaring it.
        self.schema = schema

    def __repr__(self) -> str:
        return f"<Declared {self.key!r} {self.type!r} ({self.schema})>"


class Schemas:
    """The schemas of an application, in order, each with its display name."""

    def __init__(self, schemas: Iterable[Schema]) -> None:
        self.items: tuple[Schema, ...] = tuple(schemas)

    def __iter__(self) -> Iterator[Schema]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __repr__(self) -> str:
        return f"<Schemas {[s.name for s in self.items]!r}>"

    def document(self) -> dict[str, Any]:
        """One draft 2020-12 schema that accepts what every schema accepts.

        Each schema is one branch of an ``allOf``, without its ``$schema``.
        A branch keeps (or is given) its own ``$id``, so a ``$ref`` to
        ``#/$defs/...`` inside it still resolves against that branch and
        not against the combined root. A top-level ``"$schema"`` key is
        declared, so an editor accepts the key that names this document.
        """
        branches = []
        for schema in self.items:
            branch = _admit_dollar_schema(
                {k: v for k, v in schema.document.items() if k != "$schema"}
            )
            branch.setdefault("$id", f"urn:ampho:schema:{schema.name}")
            branch.setdefault("title", schema.name)
            branches.append(branch)
        return {
            "$schema": DRAFT,
            "title": "Ampho application settings",
            "type": "object",
            "properties": {"$schema": {"type": "string"}},
            "allOf": branches,
        }

    def declared_types(self, path: tuple[str, ...]) -> frozenset[str] | None:
        """The JSON types declared for a key path; ``None`` when undeclared.

        With several schemas declaring the key, the value must satisfy
        each, so only the types all of them allow are left.
        """
        allowed: frozenset[str] | None = None
        for schema in self.items:
            types = schema.types(path)
            if types is not None:
                allowed = types if allowed is None else allowed & types
        return allowed

    def declared_item_types(self, path: tuple[str, ...]) -> frozenset[str] | None:
        """The JSON types declared for the items of the array at a key path
        (its ``items``); ``None`` when no schema says."""
        allowed: frozenset[str] | None = None
        for schema in self.items:
            for node in schema.at(path):
                for part in schema._expand(node):
                    item = part.get("items")
                    types = _node_types(item, schema) if isinstance(item, dict) else None
                    if types is not None:
                        allowed = types if allowed is None else allowed & types
        return allowed

    def write_only(self, path: tuple[str, ...]) -> bool:
        """Whether some schema says ``writeOnly: true`` of the key path."""
        return any(schema.write_only(path) for schema in self.items)

    def write_only_at(self) -> WriteOnlyAt:
        """What some schema says of ``writeOnly`` (:class:`WriteOnlyAt`)."""
        return WriteOnlyAt(self.items)

    def write_only_paths(self) -> frozenset[tuple[str, ...]]:
        """Every key path a schema's ``properties`` declare ``writeOnly``."""
        found: set[tuple[str, ...]] = set()
        for schema in self.items:
            for path, node in _declared_nodes(schema):
                if any(part.get("writeOnly") is True for part in schema._expand(node)):
                    found.add(path)
        return frozenset(found)

    def merge_rules(self) -> dict[tuple[str, ...], str]:
        """How each key whose ``properties`` say ``"x-ampho-merge"`` merges
        across layers (:mod:`~ampho.config.merging`); a later schema's
        rule wins over an earlier one's."""
        found: dict[tuple[str, ...], str] = {}
        for schema in self.items:
            found.update(schema.merge_rules())
        return found

    def unchecked_formats(self) -> list[ConfigError]:
        """A note, at its place, for each ``"format"`` of a schema: draft
        2020-12 makes it an annotation that validators need not check, and
        Ampho checks none (``"email"``, ``"uri"``, ``"date-time"``...), so a
        setting that looks checked is not. A schema derived from a pydantic
        model is left out: pydantic checks its formats when the settings
        are bound to it."""
        found = []
        for schema in self.items:
            if schema.declaration is not None:
                continue
            for node, where in _objects(schema.document):
                kind = node.get("format")
                if isinstance(kind, str):
                    keys = [k for before, k in pairwise(where) if before == "properties"]
                    message = (
                        f'{format_key(keys) or "(top level)"}: "format": "{kind}" is not checked'
                        ' (a schema\'s format is a note to readers); use "pattern" or "enum"'
                        " to check the value"
                    )
                    found.append(_error_at_key(schema, (*where, "format"), message))
        return found

    def settings(self) -> list[Declared]:
        """Each declared leaf (a key whose schema declares no properties),
        its key written as commands take it (``"shop.orders"`` quoted)."""
        result = []
        for schema in self.items:
            for path, node in _declared_nodes(schema):
                parts = list(schema._expand(node))
                if any(isinstance(part.get("properties"), dict) for part in parts):
                    continue
                types = _node_types(node, schema)
                if types is not None and "number" in types:
                    types = types - {"integer"}
                shown = " or ".join(sorted(types)) if types is not None else "any"
                description = next(
                    (
                        part[word]
                        for part in parts
                        for word in ("description", "title")
                        if isinstance(part.get(word), str)
                    ),
                    "",
                )
                result.append(Declared(format_key(path), shown, description, schema.name))
        return result

    def validate(self, config: Config | Mapping[str, Any]) -> list[Violation]:
        """Every violation of every schema, in schema order, then by place
        (:func:`~ampho.config.validation.validate`)."""
        from .validation import validate

        return validate(self.items, config)


def _admit_dollar_schema(branch: dict[str, Any]) -> dict[str, Any]:
    """A top-level schema that also accepts the editors' ``"$schema"`` key.

    The file's own schema does not know the key, which Ampho drops before
    validating; in the combined document each branch sees it, so
    ``additionalProperties`` or ``propertyNames`` of a branch would refuse
    it. Declaring it in the branch's own ``properties`` (and letting its
    name through ``propertyNames``) keeps every other rule as it is.
    """
    properties = branch.get("properties", {})
    if isinstance(properties, dict) and "$schema" not in properties:
        branch["properties"] = {**properties, "$schema": {"type": "string"}}
    names = branch.get("propertyNames")
    if names is not None:
        branch["propertyNames"] = {"anyOf": [{"const": "$schema"}, names]}
    return branch


def _offline_registry() -> Any:
    """A :mod:`referencing` registry that retrieves nothing: a ``$ref`` to
    a file or URL is unresolvable, never a request over the network."""
    from referencing import Registry
    from referencing.exceptions import NoSuchResource

    def retrieve(uri: str) -> Any:
        raise NoSuchResource(uri)

    return Registry(retrieve=retrieve)  # type: ignore[call-arg]  # an attrs field


def _ref_path(node: Any, ref: str, path: tuple[Any, ...] = ()) -> tuple[Any, ...] | None:
    """The key path of the first ``"$ref"`` whose value is ``ref``."""
    stack: list[tuple[Any, tuple[Any, ...]]] = [(node, path)]
    while stack:
        node, path = stack.pop(0)
        if isinstance(node, dict):
            if node.get("$ref") == ref:
                return (*path, "$ref")
            stack.extend((child, (*path, key)) for key, child in node.items())
        elif isinstance(node, list):
            stack.extend((child, (*path, index)) for index, child in enumerate(node))
    return None


def _declared_nodes(schema: Schema) -> Iterator[tuple[tuple[str, ...], dict[str, Any]]]:
    """``(key path, subschema)`` of every key named in ``properties``."""
    stack: list[tuple[tuple[str, ...], dict[str, Any]]] = [((), schema.document)]
    seen: set[tuple[str, ...]] = set()
    while stack:
        path, node = stack.pop(0)
        if len(path) > 50:
            continue
        for part in schema._expand(node):
            properties = part.get("properties")
            if not isinstance(properties, dict):
                continue
            for key, child in properties.items():
                if not isinstance(child, dict):
                    continue
                child_path = (*path, key)
                if child_path not in seen:
                    seen.add(child_path)
                    yield child_path, child
                stack.append((child_path, child))


def _below(schema: Schema, nodes: list[dict[str, Any]], part: Any) -> list[dict[str, Any]]:
    """The subschemas of a key (``properties``...) or of an array item
    (``prefixItems``, ``items``) of values that ``nodes`` describe."""
    if isinstance(part, str):
        return [child for node in nodes for child in schema._children(node, part)]
    found = []
    for node in nodes:
        for whole in schema._expand(node):
            prefix = whole.get("prefixItems")
            if isinstance(prefix, list) and part < len(prefix):
                if isinstance(prefix[part], dict):
                    found.append(prefix[part])
            elif isinstance(whole.get("items"), dict):
                found.append(whole["items"])
    return found


class WriteOnlyAt:
    """Whether some schema says ``writeOnly`` of a key path.

    Called with a key path, list indices included, it answers ``True``,
    ``False``, or ``None`` when no schema says anything of the path or
    below it (:data:`~ampho.config.redaction.WriteOnly`). It follows
    ``properties``, ``patternProperties``, ``additionalProperties``,
    ``prefixItems`` and ``items``, through local ``$ref`` and the
    combinators. What is a secret is
    :mod:`~ampho.config.redaction`'s to decide; this only reads the
    schemas. The subschemas of each path asked are remembered, so a walk
    down a value, which asks about every child of a path, reads each
    level once.
    """

    __slots__ = ("_nodes", "_schemas")

    def __init__(self, schemas: tuple[Schema, ...]) -> None:
        self._schemas = schemas
        self._nodes: dict[tuple[Any, ...], list[list[dict[str, Any]]]] = {
            (): [[schema.document] for schema in schemas]
        }

    def __call__(self, path: tuple[Any, ...]) -> bool | None:
        found = self._at(path)
        if not any(found):
            return None
        return any(
            part.get("writeOnly") is True
            for schema, nodes in zip(self._schemas, found, strict=True)
            for node in nodes
            for part in schema._expand(node)
        )

    def _at(self, path: tuple[Any, ...]) -> list[list[dict[str, Any]]]:
        """The subschemas of ``path``, one list a schema."""
        known = len(path)
        while path[:known] not in self._nodes:
            known -= 1
        found = self._nodes[path[:known]]
        for depth in range(known, len(path)):
            part = path[depth]
            found = [
                _below(schema, nodes, part) if nodes else []
                for schema, nodes in zip(self._schemas, found, strict=True)
            ]
            self._nodes[path[: depth + 1]] = found
        return found


def load_schemas(items: Iterable[SchemaItem], root: str) -> Schemas | None:
    """Read and check the schemas of ``items``; ``None`` when there are none.

    :param items: like ``defaults=`` of :func:`ampho.config.load`: a
        mapping (named ``schemas[i]``), ``(name, mapping)`` or ``(name,
        path)``; a path is relative to ``root`` and read like an
        instance file, so a JSON error in it is located.
    :raises ConfigError: for an item of the wrong kind, a file that
        cannot be read, or a schema that is not a valid draft 2020-12
        schema (located in its file where possible).
    """
    schemas = [_read_item(index, item, root) for index, item in enumerate(items)]
    if not schemas:
        return None
    for schema in schemas:
        if not schema.checked:
            _check(schema)
            schema.checked = True
    return Schemas(schemas)


def _check(schema: Schema) -> None:
    """Refuse a schema too deep, with a pattern that could backtrack for
    ever, a merge rule Ampho does not know, or that is no valid draft
    2020-12 schema. The last is asked of :mod:`jsonschema` only when
    Ampho's own reading of the meta-schema
    (:func:`~ampho.config.validator.plainly_valid_schema`) cannot say
    yes, which it can for the keywords bundles use."""
    # Before anything compiles a pattern (recursively).
    _check_depth(schema)
    _check_patterns(schema)
    _check_merge_rules(schema)
    from .validator import plainly_valid_schema

    if plainly_valid_schema(schema.document):
        return
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    try:
        Draft202012Validator.check_schema(schema.document)
    except SchemaError as e:
        raise _schema_error(schema, e) from None


#: How deeply a bundle's schema may nest objects and arrays. jsonschema
#: recurses about eight frames a level (``not`` in ``not``, measured),
#: so a deeper schema would fail on Python's recursion limit, in the
#: application and not in ``config check``, which allows more; 64 levels
#: (32 of nested ``properties``) are far more than settings need.
MAX_DEPTH = 64

#: Keywords whose values are data, not schemas: a ``"pattern"`` in them
#: is nobody's regular expression.
_DATA_KEYWORDS = frozenset(("const", "enum", "default", "examples"))

#: Keywords whose values map names to schemas. The names are the
#: author's, not keywords: a property called ``default`` or ``enum`` is a
#: schema like any other, and its patterns are matched all the same.
_SCHEMA_MAPS = frozenset(
    ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
)


def _check_depth(schema: Schema) -> None:
    """Refuse a schema too deep to check, at its deepest place.

    :raises ConfigError: naming the schema file.
    """
    from .tree import depth

    levels = depth(schema.document)
    if levels <= MAX_DEPTH:
        return
    line = column = None
    if schema.text is not None:
        from .jsonerrors import deepest

        line, column = position(schema.text, deepest(schema.text)[1])
    raise ConfigError(
        f"is nested too deeply ({levels} levels; a schema may nest {MAX_DEPTH})",
        path=schema.path,
        line=line,
        column=column,
        source=schema.name,
    )


def _check_patterns(schema: Schema) -> None:
    """Refuse a ``pattern`` or ``patternProperties`` key that could make a
    match backtrack for ever (:mod:`ampho.config.patterns`).

    Every validation and :meth:`Schema.at` match these with :mod:`re`,
    which has no time limit: refused here, a bundle's schema cannot hang
    the application at start-up, whichever way its settings are checked.

    :raises ConfigError: naming the schema file, at the pattern's key.
    """
    from .patterns import backtracking_problem

    for where, pattern, keyed in _patterns(schema.document):
        problem = backtracking_problem(pattern)
        if problem is None:
            continue
        # A key of patternProperties is the pattern: shown once, and cut short.
        place = format_key(where[:-1] if keyed else where)
        shown = pattern if len(pattern) <= 60 else f"{pattern[:57]}..."
        raise _error_at_key(schema, where, f"{place}: the pattern {shown!r} {problem}; rewrite it")


def _patterns(document: dict[str, Any]) -> Iterator[tuple[tuple[Any, ...], str, bool]]:
    """``(key path, pattern, is a patternProperties key)`` of every regular
    expression of a schema.

    Data keywords are skipped only in a schema object. The values of a
    name-to-schema map (:data:`_SCHEMA_MAPS`) are all schemas, whatever
    their names, or a property named ``default`` would hide its pattern.
    """
    # (node, key path, whether node is a name-to-schema map)
    stack: list[tuple[Any, tuple[Any, ...], bool]] = [(document, (), False)]
    while stack:
        node, path, named = stack.pop()
        if isinstance(node, list):
            stack.extend((child, (*path, index), False) for index, child in enumerate(node))
            continue
        if not isinstance(node, dict):
            continue
        if named:
            stack.extend((child, (*path, name), False) for name, child in node.items())
            continue
        if isinstance(node.get("pattern"), str):
            yield (*path, "pattern"), node["pattern"], False
        patterns = node.get("patternProperties")
        if isinstance(patterns, dict):
            for pattern in patterns:
                yield (*path, "patternProperties", pattern), pattern, True
        stack.extend(
            (child, (*path, key), key in _SCHEMA_MAPS)
            for key, child in node.items()
            if key not in _DATA_KEYWORDS
        )


#: The schema files read in this process, checked, by name, path and
#: file identity (device, inode, modification and change times, size): a
#: file changed since is read and checked again.
_read: dict[tuple[Any, ...], Schema] = {}


def _read_item(index: int, item: SchemaItem, root: str) -> Schema:
    if isinstance(item, Schema):
        return item
    name, value = named_item("schemas", index, item)
    if isinstance(value, Mapping):
        from .tree import copy_tree

        return Schema(name, copy_tree(dict(value)), None, None)
    path = os.path.join(root, os.fspath(value))
    try:
        found = os.stat(path)
    except (OSError, ValueError):
        identity = None  # reading it says what is wrong
    else:
        # The change time too: a copy that keeps the old modification
        # time (cp -p, touch -r, tar) still changes it.
        identity = (
            name,
            path,
            found.st_dev,
            found.st_ino,
            found.st_mtime_ns,
            found.st_ctime_ns,
            found.st_size,
        )
        if identity in _read:
            return _read[identity]
    parsed = read_json_file(path, name)
    if parsed is None:
        raise ConfigError("no such schema file", path=path, source=name)
    document, text = parsed
    schema = Schema(name, document, path, text, checked=path == AMPHO_SCHEMA_PATH)
    if identity is not None:
        _read[identity] = schema
    return schema


def _schema_error(schema: Schema, error: Any) -> ConfigError:
    """A bad schema, at the keyword that is wrong when it can be found."""
    where = tuple(error.absolute_path)
    message = f"is not a valid JSON Schema: {format_key(where) or '(top level)'}: {error.message}"
    return _error_at_key(schema, where, message)


#: The keyword that says how a key merges across layers.
MERGE_KEYWORD = "x-ampho-merge"

#: Its values, by the type of value they are for.
MERGE_RULES = {"array": ("replace", "append", "unique"), "object": ("merge", "replace")}


def _check_merge_rules(schema: Schema) -> None:
    """Refuse an ``x-ampho-merge`` that says nothing Ampho knows, at its
    place in the schema: a typo would merge a key silently otherwise."""
    for node, where in _objects(schema.document):
        if MERGE_KEYWORD in node:
            rule = node[MERGE_KEYWORD]
            kind = node.get("type")
            kinds = [kind] if isinstance(kind, str) else kind if isinstance(kind, list) else []
            rules = [r for k in kinds if isinstance(k, str) for r in MERGE_RULES.get(k, ())]
            if rule not in rules:
                said = " or ".join(f'"{r}"' for r in rules) if rules else None
                allowed = (
                    f"for type {kind!r} it is {said}"
                    if said
                    else 'it needs "type": "array" ("append", "unique") or "object" ("replace")'
                )
                raise _error_at_key(
                    schema, (*where, MERGE_KEYWORD), f"{MERGE_KEYWORD} is {rule!r}: {allowed}"
                )


def _objects(document: Any) -> Iterator[tuple[dict[str, Any], tuple[Any, ...]]]:
    """Every object of a schema document that is a schema, with its path
    in the document: what is under a keyword of data (``const``,
    ``enum``, ``default``, ``examples``) is a value, whatever it holds."""
    stack: list[tuple[Any, tuple[Any, ...]]] = [(document, ())]
    while stack:
        node, where = stack.pop()
        if isinstance(node, list):
            stack.extend((child, (*where, index)) for index, child in enumerate(node))
        elif isinstance(node, dict):
            yield node, where
            stack.extend(
                (child, (*where, key)) for key, child in node.items() if key not in _DATA_KEYWORDS
            )


def _error_at_key(schema: Schema, where: tuple[Any, ...], message: str) -> ConfigError:
    """A problem of a schema, at the key of ``where`` (or the nearest
    object key above it) when the schema has a file."""
    keys: list[str] = []
    for part in where:
        if not isinstance(part, str):
            break
        keys.append(part)
    line = column = None
    if schema.text is not None:
        offsets = key_offsets(schema.text)
        while keys and tuple(keys) not in offsets:
            keys.pop()
        if keys:
            line, column = position(schema.text, offsets[tuple(keys)])
    return ConfigError(message, path=schema.path, line=line, column=column, source=schema.name)


__all__ = [
    "Declared",
    "Schema",
    "Schemas",
    "Violation",
    "WriteOnlyAt",
    "load_schemas",
]
