"""Ampho's own check of settings against the JSON Schema keywords bundles use.

Validating with :mod:`jsonschema` means importing it (some 57 ms) and
checking the schema against the draft's meta-schema at every load, which
is most of what a load with a schema costs. Bundles' schemas say which
keys are objects, their types, bounds, patterns and choices, so for a
schema made of those keywords alone :func:`compile_schema` builds a
predicate once, a closure per subschema, that answers what
``Draft202012Validator(schema).is_valid(data)`` answers, and
:func:`plainly_valid_schema` says when ``check_schema`` would surely pass.
A valid configuration then never imports :mod:`jsonschema`.

Both answer only what they are sure of. For a keyword outside the subset,
a ``$ref`` that is not a JSON pointer into the same document or a nested
``$id``, :func:`compile_schema` returns ``None``, and a "no" from either
sends the caller to :mod:`jsonschema`, which judges and explains. The
semantics are those of :mod:`jsonschema` 4.26, quirks included: ``1`` and
``1.0`` are equal and ``1`` and ``True`` are not, ``1.0`` is an integer,
and a key is "additional" unless in ``properties`` or matched by the
``patternProperties`` keys joined with ``|`` into one pattern.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping, Sequence
from itertools import islice
from typing import Any

__all__ = ["DRAFT_2020_12", "compile_schema", "plainly_valid_schema"]

#: A compiled schema: whether an instance is valid under it.
Check = Callable[[Any], bool]

#: The only dialect of the subset, and the only ``$schema`` it accepts.
DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"

#: The seven JSON types a ``type`` may name.
_TYPE_NAMES = frozenset(("array", "boolean", "integer", "null", "number", "object", "string"))

#: ``type`` naming one type, as :func:`_type_names` reads it.
_ONE_TYPE = {name: frozenset((name,)) for name in _TYPE_NAMES}

#: Keywords that annotate and never fail, by the shape their value must have.
_STRING_ANNOTATIONS = frozenset(
    ("$comment", "title", "description", "format", "contentMediaType", "contentEncoding")
)
_BOOLEAN_ANNOTATIONS = frozenset(("readOnly", "writeOnly", "deprecated"))

#: Keywords :func:`compile_schema` reads itself (annotations aside).
_ASSERTIONS = frozenset(
    (
        "type", "properties", "required", "additionalProperties", "patternProperties",
        "items", "prefixItems", "minItems", "maxItems", "uniqueItems",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
        "minLength", "maxLength", "pattern", "enum", "const",
        "allOf", "anyOf", "oneOf", "not", "$ref", "$defs", "definitions",
    )
)  # fmt: skip


#: The keywords of each part of a subschema, to skip at once the parts it lacks.
_OBJECT_KEYWORDS = frozenset(
    ("properties", "required", "additionalProperties", "patternProperties")
)
_ARRAY_KEYWORDS = frozenset(("items", "prefixItems", "minItems", "maxItems", "uniqueItems"))
_STRING_KEYWORDS = frozenset(("minLength", "maxLength", "pattern"))
_NUMBER_KEYWORDS = frozenset(("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"))
_IN_PLACE_KEYWORDS = frozenset(("enum", "const", "$ref", "allOf", "anyOf", "oneOf", "not"))


class _Unsupported(Exception):
    """Raised while compiling: the schema leaves the subset."""


# --- compile_schema -----------------------------------------------------------------------


def compile_schema(document: Any) -> Callable[[Any], bool] | None:
    """A predicate that answers exactly what
    ``jsonschema.Draft202012Validator(document).is_valid(instance)``
    answers (with no format checker: ``format`` is an annotation).

    ``None`` when the schema uses a keyword outside the subset, a keyword
    value of the wrong shape, a ``$ref`` that is not a JSON pointer into
    the document (``#``, ``#/$defs/name``), a ``$ref`` loop that does not
    go down into the data, or an ``$id`` below the root. Calling the
    predicate on data nested deeper than Python's recursion limit allows
    raises :exc:`RecursionError`.
    """
    try:
        return _Compiler(document).run()
    except (_Unsupported, RecursionError):
        return None


def _accept(instance: Any) -> bool:
    return True


def _reject(instance: Any) -> bool:
    return False


class _Compiler:
    """Compiles a document's subschemas, each once, into closures.

    A ``$ref`` resolves to its target at once, and the target is compiled
    after the subschema in hand (a recursive schema then compiles), the
    reference calling it through a cell. The in-place edges (``$ref`` and
    the combinators, which apply to the same instance) are kept to refuse
    a loop of them, which would recurse for ever on any data.
    """

    __slots__ = ("edges", "keep", "memo", "pending", "root")

    def __init__(self, root: Any) -> None:
        self.root = root
        self.memo: dict[int, Check] = {}
        #: The compiled subschemas, alive so that their ids stay theirs.
        self.keep: list[Any] = []
        self.edges: dict[int, list[int]] = {}
        self.pending: list[tuple[list[Check], Any]] = []

    def run(self) -> Check:
        check = self.schema(self.root)
        while self.pending:
            cell, target = self.pending.pop()
            cell.append(self.schema(target))
        if _has_cycle(self.edges):
            raise _Unsupported
        return check

    def schema(self, node: Any) -> Check:
        if node is True:
            return _accept
        if node is False:
            return _reject
        if not isinstance(node, dict):
            raise _Unsupported
        check = self.memo.get(id(node))
        if check is None:
            self.keep.append(node)
            check = self.memo[id(node)] = self._compile(node)
        return check

    def _compile(self, node: dict[str, Any]) -> Check:
        if len(node) == 1 and "type" in node:  # the usual leaf
            return _type_check(_type_names(node["type"]))
        _check_other_keywords(node, is_root=node is self.root)
        for name in ("$defs", "definitions"):
            if name in node:
                container = node[name]
                if not isinstance(container, dict):
                    raise _Unsupported
                for subschema in container.values():
                    self.schema(subschema)
        typed = [
            (kind, part)
            for kind, part in (
                ("object", self._object_part(node)),
                ("array", self._array_part(node)),
                ("string", _string_part(node)),
                ("number", _number_part(node)),
            )
            if part is not None
        ]
        parts: list[Check] = []
        if "type" in node:
            names = _type_names(node["type"])
            admitted = (names | {"number"}) if "integer" in names else names
            typed = [(kind, part) for kind, part in typed if kind in admitted]
            if len(names) == 1 and len(typed) == 1:
                # {"type": "object", "properties": ...}: one test of the kind.
                parts.append(_both(_TYPE_CHECKS[next(iter(names))], typed.pop()[1]))
            else:
                parts.append(_type_check(names))
        parts.extend(_when(_TYPE_CHECKS[kind], part) for kind, part in typed)
        parts.extend(self._in_place_parts(node))
        return _all(parts)

    def _object_part(self, node: dict[str, Any]) -> Check | None:
        if _OBJECT_KEYWORDS.isdisjoint(node):
            return None
        properties = node.get("properties", {})
        patterns = node.get("patternProperties", {})
        required = node.get("required", [])
        if not isinstance(properties, dict) or not isinstance(patterns, dict):
            raise _Unsupported
        if not _unique_strings(required):
            raise _Unsupported
        declared = tuple(
            (name, check)
            for name, subschema in properties.items()
            if (check := self.schema(subschema)) is not _accept
        )
        searches = tuple(
            (search, check)
            for search, check in [
                (_compile_pattern(pattern), self.schema(subschema))
                for pattern, subschema in patterns.items()
            ]
            if check is not _accept
        )
        extra = None
        if "additionalProperties" in node:
            # What is additional is what jsonschema finds so: a key neither
            # among the properties nor matched by the patterns' alternation.
            joined = "|".join(patterns)
            search = _compile_pattern(joined) if joined else None
            check = self.schema(node["additionalProperties"])
            if check is not _accept:
                extra = _extra_check(frozenset(properties), search, check)
        if not (declared or required or searches or extra):
            return None
        return _object_check(tuple(required), declared, searches, extra)

    def _array_part(self, node: dict[str, Any]) -> Check | None:
        if _ARRAY_KEYWORDS.isdisjoint(node):
            return None
        prefix: tuple[Check, ...] = ()
        if "prefixItems" in node:
            subschemas = node["prefixItems"]
            if not isinstance(subschemas, list) or not subschemas:
                raise _Unsupported
            prefix = tuple(self.schema(subschema) for subschema in subschemas)
        items = self.schema(node["items"]) if "items" in node else _accept
        low, high = _count(node, "minItems"), _count(node, "maxItems")
        unique = node.get("uniqueItems", False)
        if not isinstance(unique, bool):
            raise _Unsupported
        if items is _accept and all(check is _accept for check in prefix):
            prefix = ()  # the prefix only counts for "items"
        if not prefix and items is _accept and low is None and high is None and not unique:
            return None
        return _array_check(prefix, items, low, high, unique)

    def _in_place_parts(self, node: dict[str, Any]) -> list[Check]:
        """The keywords that apply to any instance, whatever its type."""
        parts: list[Check] = []
        if _IN_PLACE_KEYWORDS.isdisjoint(node):
            return parts
        if "enum" in node:
            parts.append(_enum_check(node["enum"]))
        if "const" in node:
            parts.append(_const_check(node["const"]))
        if "$ref" in node:
            parts.append(self._reference(node, node["$ref"]))
        for name, combine in _COMBINATORS.items():
            if name in node:
                subschemas = node[name]
                if not isinstance(subschemas, list) or not subschemas:
                    raise _Unsupported
                self._edge(node, subschemas)
                parts.append(combine(tuple(self.schema(each) for each in subschemas)))
        if "not" in node:
            self._edge(node, [node["not"]])
            parts.append(_not_check(self.schema(node["not"])))
        return parts

    def _reference(self, node: dict[str, Any], ref: Any) -> Check:
        if not isinstance(ref, str) or not ref.startswith("#"):
            raise _Unsupported
        target = _resolve(self.root, ref[1:])
        self._edge(node, [target])
        if not isinstance(target, dict):
            return self.schema(target)
        found = self.memo.get(id(target))
        if found is not None:
            return found
        cell: list[Check] = []
        self.pending.append((cell, target))

        def follow(instance: Any) -> bool:
            return cell[0](instance)

        return follow

    def _edge(self, node: dict[str, Any], targets: list[Any]) -> None:
        found = self.edges.setdefault(id(node), [])
        found.extend(id(target) for target in targets if isinstance(target, dict))


def _check_other_keywords(node: dict[str, Any], *, is_root: bool) -> None:
    """Refuse a keyword outside the subset or an annotation of the wrong shape."""
    for key, value in node.items():
        if key in _ASSERTIONS or key == "default":
            continue
        if key in _STRING_ANNOTATIONS:
            ok = isinstance(value, str)
        elif key in _BOOLEAN_ANNOTATIONS:
            ok = isinstance(value, bool)
        elif key == "examples":
            ok = isinstance(value, list)
        elif key == "$schema":
            ok = value == DRAFT_2020_12
        elif key == "$id":
            # Below the root, an $id would move what "#" refers to; and
            # the meta-schema allows no fragment but an empty one.
            ok = is_root and isinstance(value, str) and "#" not in value.removesuffix("#")
        else:
            ok = isinstance(key, str) and key.startswith("x-")
        if not ok:
            raise _Unsupported


def _resolve(root: Any, fragment: str) -> Any:
    """What a ``$ref`` of ``#`` + ``fragment`` points to, as :mod:`referencing`
    finds it: the pointer percent-decoded, then split, then unescaped."""
    if not fragment:
        return root
    if not fragment.startswith("/"):
        raise _Unsupported  # an anchor
    pointer = fragment[1:]
    if "%" in pointer:
        from urllib.parse import unquote

        pointer = unquote(pointer)
    contents = root
    for segment in pointer.split("/"):
        if isinstance(contents, dict):
            key = segment.replace("~1", "/").replace("~0", "~")
            if key not in contents:
                raise _Unsupported
            contents = contents[key]
        elif isinstance(contents, list) and _is_index(segment, len(contents)):
            contents = contents[int(segment)]
        else:
            raise _Unsupported
        if isinstance(contents, dict) and "$id" in contents:
            raise _Unsupported  # the way there enters another resource
    return contents


def _is_index(segment: str, length: int) -> bool:
    """Whether ``segment`` is a canonical index below ``length`` (referencing
    reads ``01`` or ``-1`` as :func:`int` does: those are not known here)."""
    return (
        segment.isascii()
        and segment.isdigit()
        and (segment == "0" or not segment.startswith("0"))
        and int(segment) < length
    )


def _has_cycle(edges: dict[int, list[int]]) -> bool:
    """Whether the in-place edges loop."""
    state: dict[int, bool] = {}  # True while on the path, False once done
    for start in edges:
        if start in state:
            continue
        state[start] = True
        stack = [(start, iter(edges[start]))]
        while stack:
            node, children = stack[-1]
            for child in children:
                on_path = state.get(child)
                if on_path:
                    return True
                if on_path is None:
                    state[child] = True
                    stack.append((child, iter(edges.get(child, ()))))
                    break
            else:
                state[node] = False
                stack.pop()
    return False


def _compile_pattern(pattern: Any) -> Callable[[str], Any]:
    if not isinstance(pattern, str):
        raise _Unsupported
    try:
        return re.compile(pattern).search
    except Exception:  # re.error, or an OverflowError for a huge repeat
        raise _Unsupported from None


def _unique_strings(value: Any) -> bool:
    return (
        isinstance(value, list)
        and all(isinstance(each, str) for each in value)
        and len(set(value)) == len(value)
    )


def _count(node: dict[str, Any], name: str) -> int | float | None:
    """A non-negative integer (``2.0`` is one in draft 2020-12), if given."""
    if name not in node:
        return None
    value = node[name]
    if not _is_integer(value) or value < 0:
        raise _Unsupported
    return value  # type: ignore[no-any-return]


def _bound(node: dict[str, Any], name: str) -> int | float | None:
    if name not in node:
        return None
    value = node[name]
    if type(value) not in (int, float):
        raise _Unsupported
    return value  # type: ignore[no-any-return]


def _type_names(value: Any) -> frozenset[str]:
    if type(value) is str and value in _ONE_TYPE:
        return _ONE_TYPE[value]
    names = [value] if isinstance(value, str) else value
    if (
        not isinstance(names, list)
        or not names
        or not all(isinstance(name, str) and name in _TYPE_NAMES for name in names)
        or len(set(names)) != len(names)
    ):
        raise _Unsupported
    return frozenset(names)


# --- the closures -------------------------------------------------------------------------


def _is_object(instance: Any) -> bool:
    return isinstance(instance, dict)


def _is_array(instance: Any) -> bool:
    return isinstance(instance, list)


def _is_string(instance: Any) -> bool:
    return isinstance(instance, str)


def _is_boolean(instance: Any) -> bool:
    return isinstance(instance, bool)


def _is_null(instance: Any) -> bool:
    return instance is None


def _is_number(instance: Any) -> bool:
    """jsonschema's number: any :class:`numbers.Number` but a bool."""
    kind = type(instance)
    if kind is int or kind is float:
        return True
    if kind in (bool, str, dict, list) or instance is None:
        return False
    import numbers  # for Decimal and the like, which JSON never gives

    return not isinstance(instance, bool) and isinstance(instance, numbers.Number)


def _is_integer(instance: Any) -> bool:
    """jsonschema's integer: an int but a bool, or a float with no fraction."""
    kind = type(instance)
    if kind is int:
        return True
    if kind is float:
        return instance.is_integer()  # type: ignore[no-any-return]
    if isinstance(instance, bool):
        return False
    return isinstance(instance, int) or (isinstance(instance, float) and instance.is_integer())


_TYPE_CHECKS: dict[str, Check] = {
    "array": _is_array,
    "boolean": _is_boolean,
    "integer": _is_integer,
    "null": _is_null,
    "number": _is_number,
    "object": _is_object,
    "string": _is_string,
}


def _type_check(names: frozenset[str]) -> Check:
    if len(names) == 1:
        return _TYPE_CHECKS[next(iter(names))]
    checks = tuple(_TYPE_CHECKS[name] for name in sorted(names))

    def check(instance: Any) -> bool:
        return any(each(instance) for each in checks)

    return check


def _both(first: Check, second: Check) -> Check:
    def check(instance: Any) -> bool:
        return first(instance) and second(instance)

    return check


def _when(guard: Check, part: Check) -> Check:
    def check(instance: Any) -> bool:
        return not guard(instance) or part(instance)

    return check


def _all(parts: list[Check]) -> Check:
    if not parts:
        return _accept
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        return _both(*parts)
    checks = tuple(parts)

    def check(instance: Any) -> bool:
        return all(each(instance) for each in checks)

    return check


def _any_of(checks: tuple[Check, ...]) -> Check:
    def check(instance: Any) -> bool:
        return any(each(instance) for each in checks)

    return check


def _one_of(checks: tuple[Check, ...]) -> Check:
    def check(instance: Any) -> bool:
        found = False
        for each in checks:
            if each(instance):
                if found:
                    return False
                found = True
        return found

    return check


def _all_of(checks: tuple[Check, ...]) -> Check:
    return _all(list(checks))


_COMBINATORS: dict[str, Callable[[tuple[Check, ...]], Check]] = {
    "allOf": _all_of,
    "anyOf": _any_of,
    "oneOf": _one_of,
}


def _not_check(negated: Check) -> Check:
    def check(instance: Any) -> bool:
        return not negated(instance)

    return check


def _object_check(
    required: tuple[str, ...],
    declared: tuple[tuple[str, Check], ...],
    searches: tuple[tuple[Callable[[str], Any], Check], ...],
    extra: Check | None,
) -> Check:
    """Applied to a dict only."""

    def check(instance: dict[str, Any]) -> bool:
        for name in required:
            if name not in instance:
                return False
        for name, subschema in declared:
            if name in instance and not subschema(instance[name]):
                return False
        for search, subschema in searches:
            for key, value in instance.items():
                if search(key) and not subschema(value):
                    return False
        return extra is None or extra(instance)

    return check


def _extra_check(
    declared: frozenset[str], search: Callable[[str], Any] | None, subschema: Check
) -> Check:
    def check(instance: dict[str, Any]) -> bool:
        for key, value in instance.items():
            if key in declared or (search is not None and search(key)):
                continue
            if not subschema(value):
                return False
        return True

    return check


def _array_check(
    prefix: tuple[Check, ...],
    items: Check,
    low: float | None,
    high: float | None,
    unique: bool,
) -> Check:
    """Applied to a list only; ``items`` applies after the prefix."""
    start = len(prefix)
    rest = None if items is _accept else items

    def check(instance: list[Any]) -> bool:
        length = len(instance)
        if (low is not None and length < low) or (high is not None and length > high):
            return False
        for value, subschema in zip(instance, prefix, strict=False):
            if not subschema(value):
                return False
        if rest is not None and length > start:
            for value in islice(instance, start, None):
                if not rest(value):
                    return False
        return not unique or _uniq(instance)

    return check


def _string_part(node: dict[str, Any]) -> Check | None:
    if _STRING_KEYWORDS.isdisjoint(node):
        return None
    low, high = _count(node, "minLength"), _count(node, "maxLength")
    search = _compile_pattern(node["pattern"]) if "pattern" in node else None
    if low is None and high is None and search is None:
        return None

    def check(instance: str) -> bool:
        length = len(instance)
        if (low is not None and length < low) or (high is not None and length > high):
            return False
        return search is None or search(instance) is not None

    return check


def _number_part(node: dict[str, Any]) -> Check | None:
    if _NUMBER_KEYWORDS.isdisjoint(node):
        return None
    low, high = _bound(node, "minimum"), _bound(node, "maximum")
    above, below = _bound(node, "exclusiveMinimum"), _bound(node, "exclusiveMaximum")
    if low is None and high is None and above is None and below is None:
        return None

    def check(instance: Any) -> bool:
        return not (
            (low is not None and instance < low)
            or (high is not None and instance > high)
            or (above is not None and instance <= above)
            or (below is not None and instance >= below)
        )

    return check


def _enum_check(values: Any) -> Check:
    if not isinstance(values, list):
        raise _Unsupported
    if all(type(value) is str for value in values):
        # equal() compares a string with == only, so a set says the same.
        choices = frozenset(values)

        def among_strings(instance: Any) -> bool:
            return isinstance(instance, str) and instance in choices

        return among_strings
    frozen = tuple(values)

    def among(instance: Any) -> bool:
        return any(_equal(value, instance) for value in frozen)

    return among


def _const_check(value: Any) -> Check:
    def check(instance: Any) -> bool:
        return _equal(instance, value)

    return check


# --- jsonschema's equality (jsonschema._utils, ported as it is) ----------------------------

_TRUE, _FALSE = object(), object()


def _unbool(element: Any) -> Any:
    """True and False apart from 1 and 0."""
    if element is True:
        return _TRUE
    if element is False:
        return _FALSE
    return element


def _equal(one: Any, two: Any) -> bool:
    """Equal as JSON: a bool is no number, ``1 == 1.0``, containers deeply."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return one == two  # type: ignore[no-any-return]
    if isinstance(one, Sequence) and isinstance(two, Sequence):
        return len(one) == len(two) and all(_equal(i, j) for i, j in zip(one, two, strict=True))
    if isinstance(one, Mapping) and isinstance(two, Mapping):
        return len(one) == len(two) and all(
            key in two and _equal(value, two[key]) for key, value in one.items()
        )
    return _unbool(one) == _unbool(two)  # type: ignore[no-any-return]


def _uniq(container: list[Any]) -> bool:
    """Whether the items are unique, as ``uniqueItems`` finds them.

    The sort, then neighbours, as jsonschema does: items Python orders as
    equal but :func:`_equal` tells apart (``[1]`` and ``[True]``) can keep
    two equal ones from being neighbours, and then they pass.
    """
    try:
        ordered = sorted(_unbool(each) for each in container)
        for first, second in zip(ordered, islice(ordered, 1, None), strict=False):
            if _equal(first, second):
                return False
    except (NotImplementedError, TypeError):
        seen: list[Any] = []
        for each in container:
            each = _unbool(each)
            for other in seen:
                if _equal(other, each):
                    return False
            seen.append(each)
    return True


# --- plainly_valid_schema -----------------------------------------------------------------

#: One pchar of RFC 3986 (what a URI path segment or fragment is made of).
_PCHAR = r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})"
#: A ``$ref`` no URI checker can refuse: a plain fragment. (Patterns are
#: compiled on first use, by :mod:`re`'s cache: a schema may need none.)
_SAFE_REF = rf"#(?:{_PCHAR}|[/?])*"
#: An absolute URI no URI checker can refuse, with an empty fragment at most.
_SAFE_URI = (
    rf"[A-Za-z][A-Za-z0-9+.\-]*:"
    rf"(?://[A-Za-z0-9\-._~]+(?::[0-9]+)?(?:/{_PCHAR}*)*|/?{_PCHAR}+(?:/{_PCHAR}*)*)#?"
)

#: Stack frames jsonschema's check_schema takes per level of a schema (82
#: levels of allOf fill Python's default 1,000), with room to spare.
_FRAMES_PER_LEVEL = 16
_MAX_DEPTH = 32


def plainly_valid_schema(document: Any) -> bool:
    """True only when ``Draft202012Validator.check_schema(document)`` would
    pass: the meta-schema of draft 2020-12 with its format checker, so
    ``pattern`` and the ``patternProperties`` keys compile with :mod:`re`.

    False means "not known": a keyword outside the subset, a value of the
    wrong shape, a ``$ref`` other than a plain fragment, an ``$id`` other
    than a plain absolute URI, a schema nested too deep for the stack left
    to check it. The caller then asks :mod:`jsonschema`.
    """
    room = (sys.getrecursionlimit() - _stack_depth() - 100) // _FRAMES_PER_LEVEL
    try:
        return _plain(document, min(_MAX_DEPTH, room))
    except RecursionError:
        return False


def _stack_depth() -> int:
    depth = 0
    frame: Any = sys._getframe()
    while frame is not None:
        frame, depth = frame.f_back, depth + 1
    return depth


def _plain(node: Any, depth: int) -> bool:
    """Whether ``node`` is plainly a valid schema, ``depth`` levels allowed."""
    if node is True or node is False:
        return True
    if not isinstance(node, dict) or depth <= 0:
        return False
    for key, value in node.items():
        rule = _PLAIN_RULES.get(key)
        if rule is None:
            if not (isinstance(key, str) and key.startswith("x-")):
                return False
        elif not rule(value, depth - 1):
            return False
    return True


def _plain_schema_map(value: Any, depth: int) -> bool:
    return isinstance(value, dict) and all(_plain(each, depth) for each in value.values())


def _plain_pattern_map(value: Any, depth: int) -> bool:
    return _plain_schema_map(value, depth) and all(_is_regex(key) for key in value)


def _plain_schema_list(value: Any, depth: int) -> bool:
    return isinstance(value, list) and bool(value) and all(_plain(each, depth) for each in value)


def _plain_type(value: Any, depth: int) -> bool:
    try:
        _type_names(value)
    except _Unsupported:
        return False
    return True


def _is_regex(value: Any) -> bool:
    try:
        _compile_pattern(value)
    except _Unsupported:
        return False
    return True


def _matches(pattern: str, value: Any) -> bool:
    return isinstance(value, str) and re.fullmatch(pattern, value) is not None


def _is_count(value: Any) -> bool:
    return _is_integer(value) and value >= 0


_PLAIN_RULES: dict[str, Callable[[Any, int], bool]] = {
    "type": _plain_type,
    "properties": _plain_schema_map,
    "patternProperties": _plain_pattern_map,
    "$defs": _plain_schema_map,
    "definitions": _plain_schema_map,
    "additionalProperties": _plain,
    "items": _plain,
    "not": _plain,
    "prefixItems": _plain_schema_list,
    "allOf": _plain_schema_list,
    "anyOf": _plain_schema_list,
    "oneOf": _plain_schema_list,
    "required": lambda value, depth: _unique_strings(value),
    "enum": lambda value, depth: isinstance(value, list),
    "examples": lambda value, depth: isinstance(value, list),
    "const": lambda value, depth: True,
    "default": lambda value, depth: True,
    "pattern": lambda value, depth: _is_regex(value),
    "$ref": lambda value, depth: _matches(_SAFE_REF, value),
    "$id": lambda value, depth: _matches(_SAFE_URI, value),
    "$schema": lambda value, depth: _matches(_SAFE_URI, value),
    **{
        name: lambda value, depth: type(value) in (int, float)
        for name in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
    },
    **{
        name: lambda value, depth: _is_count(value)
        for name in ("minLength", "maxLength", "minItems", "maxItems")
    },
    **{
        name: lambda value, depth: isinstance(value, bool)
        for name in ("uniqueItems", *_BOOLEAN_ANNOTATIONS)
    },
    **{name: lambda value, depth: isinstance(value, str) for name in _STRING_ANNOTATIONS},
}
