"""Ampho's own schema validator answers what jsonschema answers, or nothing.

``compile_schema`` must agree with ``Draft202012Validator.is_valid`` on
every schema it compiles, and ``plainly_valid_schema`` must never call
valid a schema ``check_schema`` refuses. Hypothesis builds schemas of the
subset (nested, with ``$defs`` and ``$ref``, combinators, boolean
schemas) and JSON instances made to hit the corners (``1``, ``1.0`` and
``True``; unicode); the tables pin each corner by hand, jsonschema's
quirks included, and what the subset refuses.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

import ampho.config.validator as validator_module
from ampho.config.validator import DRAFT_2020_12, compile_schema, plainly_valid_schema

PROPERTIES = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


def schema_is_valid(schema: Any) -> bool:
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError:
        return False
    return True


def jsonschema_says(schema: Any, instance: Any) -> bool:
    return Draft202012Validator(schema).is_valid(instance)


def ampho_says(schema: Any, instance: Any) -> bool:
    check = compile_schema(schema)
    assert check is not None, "the schema should be in the subset"
    return check(instance)


# --- strategies ---------------------------------------------------------------------------

KEYS = st.sampled_from(["a", "b", "ab", "ba", "bb", "é", "x-y", ""])
STRINGS = st.sampled_from(["", "a", "b", "ab", "ba", "abc", "A", "1", "é", "日本", "😀"]) | st.text(
    max_size=3
)
NUMBERS = st.sampled_from([0, 1, -1, 2, 3, 10**20, 0.0, -0.0, 1.0, 1.5, 2.0, -2.5, 1e300])
SCALARS = st.none() | st.booleans() | NUMBERS | st.integers(-3, 3) | STRINGS
INSTANCES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=12,
)

#: The values where JSON types and jsonschema's equality meet.
CORNERS = st.sampled_from(
    [
        *(None, True, False, 0, 1, 1.0, 2, 2.0, 1.5, -1, 0.0, 10**20, 1e300),
        *("", "a", "b", "ab", "ba", "A", "1", "é", "😀"),
        *([], {}, [1], [1.0], [True], [1, 1.0], [[1], [True]]),
    ]
)
BOUND_KEYWORDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")


def twins(value: Any) -> list[Any]:
    """``value`` and the values Python calls equal to it but JSON may not."""
    if isinstance(value, bool):
        return [value, int(value), float(value)]
    if isinstance(value, int) and abs(value) < 2**53:
        return [value, float(value), value + 1]
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return [value, int(value), value - 0.5]
    if isinstance(value, list):
        return [value, [t for each in value for t in twins(each)[1:2]]]
    if isinstance(value, dict):
        return [value, {k: twins(v)[-1] for k, v in value.items()}]
    return [value]


def near(schema: Any, root: Any, depth: int = 3) -> st.SearchStrategy[Any]:
    """Instances shaped after ``schema``: its properties and items, the
    subschemas it applies, its bounds and choices and their twins."""
    if depth <= 0 or not isinstance(schema, dict):
        return CORNERS | INSTANCES
    down = depth - 1
    own = [schema[k] for k in BOUND_KEYWORDS if k in schema] + schema.get("enum", [])
    own += [schema["const"]] if "const" in schema else []
    options = [CORNERS, INSTANCES]
    if own:
        options.append(st.sampled_from([t for value in own for t in twins(value)]))
    applied = [*schema.get("allOf", []), *schema.get("anyOf", []), *schema.get("oneOf", [])]
    applied += [schema[k] for k in ("not",) if k in schema]
    applied += [target for target in [refers_to(schema.get("$ref"), root)] if target is not None]
    options.extend(near(each, root, down) for each in applied)
    properties = schema.get("properties", {})
    if properties or {"required", "additionalProperties", "patternProperties"} & set(schema):
        declared = st.fixed_dictionaries(
            {}, optional={k: near(v, root, down) for k, v in properties.items()}
        )
        extra = st.dictionaries(KEYS, near(schema.get("additionalProperties"), root, down))
        options.append(st.tuples(declared, extra).map(lambda pair: {**pair[1], **pair[0]}))
    if {"items", "prefixItems", "uniqueItems", "minItems", "maxItems"} & set(schema):
        head = st.tuples(*(near(each, root, down) for each in schema.get("prefixItems", [])))
        rest = st.lists(near(schema.get("items"), root, down), max_size=4)
        options.append(st.tuples(head, rest).map(lambda pair: [*pair[0], *pair[1]]))
    return st.one_of(options)


def refers_to(ref: Any, root: Any) -> Any:
    if ref == "#":
        return root
    if ref == "#/$defs/a":
        return root["$defs"]["a"]
    if ref == "#/$defs/b~1~0c%20d":
        return root["$defs"]["b/~c d"]
    return None


TYPE_NAMES = ["array", "boolean", "integer", "null", "number", "object", "string"]
SOME_TYPE = st.sampled_from([*TYPE_NAMES, "integer", "integer", "number"])
WEIGHTS = {"type": 6, "enum": 3, "const": 3, "pattern": 2, "uniqueItems": 2, "required": 2}
WEIGHTS |= {"properties": 3, "items": 2, "prefixItems": 2, "additionalProperties": 2}
PATTERNS = ["^a", "b$", "a+", "^$", ".", "é", "(?i)A", "^[ab]*$", "(a)\\1", "(b)\\1", ""]
REFS = ["#", "#/$defs/a", "#/$defs/b~1~0c%20d", "#/$defs/a", "#/$defs/b~1~0c%20d"]
BOUNDS = st.sampled_from([0, 1, 2, -1, 1.5, 2.0, 0.5, 10**20])
COUNTS = st.sampled_from([0, 1, 2, 3, 2.0])

LEAF_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "type": SOME_TYPE | st.lists(SOME_TYPE, min_size=1, max_size=3, unique=True),
    "minimum": BOUNDS,
    "maximum": BOUNDS,
    "exclusiveMinimum": BOUNDS,
    "exclusiveMaximum": BOUNDS,
    "minLength": COUNTS,
    "maxLength": COUNTS,
    "pattern": st.sampled_from(PATTERNS),
    "minItems": COUNTS,
    "maxItems": COUNTS,
    "uniqueItems": st.booleans(),
    "required": st.lists(KEYS, max_size=3, unique=True),
    "enum": st.lists(SCALARS | st.lists(SCALARS, max_size=2), max_size=4),
    "const": SCALARS | st.lists(SCALARS, max_size=2) | st.dictionaries(KEYS, SCALARS, max_size=2),
    "$ref": st.sampled_from(REFS),
    "title": st.just("A title"),
    "format": st.sampled_from(["email", "date", "uri"]),
    "default": INSTANCES,
    "x-ampho-merge": st.sampled_from(["append", "replace"]),
}


def keywords(
    values: dict[str, st.SearchStrategy[Any]], most: int, least: int = 1
) -> st.SearchStrategy[Any]:
    """Dicts of ``least`` to ``most`` of ``values``' keywords, the ones
    that decide most drawn most often."""
    weighted = [name for name in sorted(values) for _ in range(WEIGHTS.get(name, 1))]
    names = st.lists(st.sampled_from(weighted), min_size=least, max_size=most, unique=True)
    return names.flatmap(lambda chosen: st.fixed_dictionaries({n: values[n] for n in chosen}))


def compound_values(children: st.SearchStrategy[Any]) -> dict[str, st.SearchStrategy[Any]]:
    some = st.lists(children, min_size=1, max_size=3)
    return {
        "properties": st.dictionaries(KEYS, children, max_size=3),
        "patternProperties": st.dictionaries(st.sampled_from(PATTERNS), children, max_size=2),
        "additionalProperties": children,
        "items": children,
        "prefixItems": some,
        "allOf": some,
        "anyOf": some,
        "oneOf": some,
        "not": children,
    }


def nested(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    compound = keywords(compound_values(children), 3)
    return st.tuples(compound, keywords(LEAF_VALUES, 2, least=0)).map(
        lambda pair: {**pair[1], **pair[0]}
    )


REFERENCES = st.sampled_from(REFS).map(lambda ref: {"$ref": ref})
SUBSCHEMAS = st.recursive(
    st.booleans() | REFERENCES | keywords(LEAF_VALUES, 3), nested, max_leaves=6
)


ROOT_IDS = [None, "urn:ampho:schema:test", "https://example.com/s", "s"]


@st.composite
def schemas(
    draw: st.DrawFn, subschemas: st.SearchStrategy[Any] = SUBSCHEMAS, ids: list[Any] = ROOT_IDS
) -> Any:
    """A root: a subschema, with ``$defs`` its ``$ref`` can point into."""
    root = draw(subschemas)
    if isinstance(root, bool):
        if draw(st.booleans()):
            return root
        root = {"not": {"not": root}}
    root = dict(root)
    root["$defs"] = {"a": draw(subschemas), "b/~c d": draw(subschemas)}
    root_id = draw(st.sampled_from(ids))
    if root_id is not None:
        root["$id"] = root_id
    if draw(st.booleans()):
        root["$schema"] = DRAFT_2020_12
    return root


#: Values a keyword must not have, or that leave the subset.
BAD_VALUES: dict[str, list[Any]] = {
    "type": ["int", [], ["string", "string"], 5, [5]],
    "minimum": ["3", True, None, [1]],
    "exclusiveMaximum": [False, "1"],
    "minLength": [-1, 2.5, True, "2", -1.0],
    "maxItems": [-3, 0.5, None],
    "pattern": ["(", "[a-", "a{2,1}", 5, "x(?i)"],
    "required": [5, ["a", "a"], [1], "a"],
    "enum": [5, {}, "a"],
    "prefixItems": [[], {}, 5],
    "allOf": [[], {}, [5]],
    "anyOf": [[], [[]]],
    "items": [[], 5, [{}]],
    "not": [5, None, []],
    "properties": [[], {"a": 5}, "a"],
    "patternProperties": [{"(": {}}, {"a": 5}, []],
    "additionalProperties": [5, "no"],
    "uniqueItems": ["yes", 1, None],
    "$ref": [5, "other.json", "#anchor", "#/$defs/missing", "#/$defs/a/items", "#/properties/a"],
    "$id": [5, "x#frag", "#frag"],
    "$schema": [5, "http://json-schema.org/draft-07/schema#"],
    "title": [5, None],
    "examples": ["x", {}],
    "readOnly": ["yes", 0],
    "multipleOf": [2, 0, -1],
    "minProperties": [1],
    "if": [{}],
    "propertyNames": [{"pattern": "^a"}],
    "$anchor": ["here"],
    "unknown": [1],
    "x-anything": [[1, {"$id": 5}]],
}


def shaky_values(children: st.SearchStrategy[Any]) -> dict[str, st.SearchStrategy[Any]]:
    """Each keyword's value: a good one or a bad one; and keywords outside the subset."""
    values = {
        name: strategy | st.sampled_from(BAD_VALUES[name]) if name in BAD_VALUES else strategy
        for name, strategy in {**LEAF_VALUES, **compound_values(children)}.items()
    }
    values.update({n: st.sampled_from(bad) for n, bad in BAD_VALUES.items() if n not in values})
    return values


SHAKY_SUBSCHEMAS = st.recursive(
    st.booleans() | keywords(shaky_values(st.booleans()), 3),
    lambda children: keywords(shaky_values(children), 3),
    max_leaves=6,
)


# --- the properties -----------------------------------------------------------------------


@PROPERTIES
@given(schemas(), st.data())
def test_a_schema_of_the_subset_is_judged_as_jsonschema_judges_it(
    schema: Any, data: st.DataObject
) -> None:
    valid = schema_is_valid(schema)
    # Valid shapes throughout: "not known" only for the relative $id.
    relative = isinstance(schema, dict) and schema.get("$id") == "s"
    assert plainly_valid_schema(schema) == (valid and not relative)
    check = compile_schema(schema)
    assume(check is not None)
    assert check is not None
    assert valid
    validator = Draft202012Validator(schema)
    for instance in data.draw(st.lists(near(schema, schema), min_size=4, max_size=10)):
        assert check(instance) == validator.is_valid(instance), instance


FLAT_VALUES = {name: values for name, values in LEAF_VALUES.items() if name != "$ref"}
SHALLOW_VALUES = FLAT_VALUES | compound_values(st.booleans() | keywords(FLAT_VALUES, 2))


@PROPERTIES
@given(keywords(SHALLOW_VALUES, 3), st.data())
def test_a_compiled_schema_two_levels_deep_answers_as_jsonschema_does(
    schema: Any, data: st.DataObject
) -> None:
    check = compile_schema(schema)
    assume(check is not None)
    assert check is not None
    assert schema_is_valid(schema)
    validator = Draft202012Validator(schema)
    for instance in data.draw(st.lists(near(schema, schema), min_size=4, max_size=12)):
        assert check(instance) == validator.is_valid(instance), instance


#: One keyword at a time, each value where the JSON types meet.
GRID_SCHEMAS: list[Any] = [
    True,
    False,
    *({"type": name} for name in TYPE_NAMES),
    {"type": ["integer", "string"]},
    {"type": ["number", "null"]},
    {"type": ["boolean", "integer"]},
    *({name: bound} for name in BOUND_KEYWORDS for bound in (1, 1.0, 2, 0.5, -1, 10**20)),
    *({name: count} for name in ("minLength", "maxLength") for count in (0, 1, 2.0)),
    *({name: count} for name in ("minItems", "maxItems") for count in (0, 1, 2.0)),
    *({"pattern": pattern} for pattern in PATTERNS),
    *({"enum": choices} for choices in ([1], [True], [1.0], [0], [False], [None], ["1"])),
    *({"enum": choices} for choices in (["a", "b"], [[1]], [[True]], [{"a": 1}], [], [1, "1"])),
    *({"const": value} for value in (1, True, 1.0, 0, False, None, "1", "a", [1], [True])),
    *({"const": value} for value in ([1, [1.0]], {"a": 1}, {"a": True}, {}, [], [None])),
    {"uniqueItems": True},
    {"uniqueItems": False},
    {"type": "integer", "minimum": 1},
    {"type": "number", "exclusiveMaximum": 2},
    {"type": "string", "minLength": 1, "pattern": "^a"},
]
GRID_INSTANCES: list[Any] = [
    *(None, True, False, 0, 1, 1.0, -0.0, 2, 2.0, 1.5, 0.5, -1, 10**20, 1e20, 1e300, 10**400),
    *("", "a", "b", "1", "ab", "ba", "aa", "A", "é", "😀", "日本"),
    *([], [1], [1.0], [True], [None], [1, True], [1, 1.0], [0, False], [None, None], ["a", "a"]),
    *([[1], [1.0]], [[1], [True]], [[1], [True], [1]], [1, [1.0]], ["1", 1]),
    *([{"a": 1}, {"a": 1.0}], [{"a": 1}, {"a": True}], [{}, []]),
    *({}, {"a": 1}, {"a": True}, {"a": 1.0}, {"a": 1, "b": 2}, {"1": 1}),
]


def test_each_keyword_meets_each_corner_as_jsonschema_has_it() -> None:
    differ = []
    for schema in GRID_SCHEMAS:
        check = compile_schema(schema)
        assert check is not None, schema
        validator = Draft202012Validator(schema)
        differ += [(schema, x) for x in GRID_INSTANCES if check(x) != validator.is_valid(x)]
    assert differ == []


@PROPERTIES
@given(schemas(SHAKY_SUBSCHEMAS), st.lists(INSTANCES, min_size=1, max_size=3))
def test_a_plainly_valid_or_compiled_schema_passes_check_schema(
    schema: Any, instances: list[Any]
) -> None:
    valid = schema_is_valid(schema)
    if plainly_valid_schema(schema):
        assert valid
    check = compile_schema(schema)
    if check is not None:
        assert valid
        for instance in instances:
            assert check(instance) == jsonschema_says(schema, instance), instance


def test_the_strategies_reach_both_answers_and_both_kinds_of_schema() -> None:
    # Guards the properties above against comparing nothing interesting:
    # the schemas of the subset mostly compile, their instances are valid
    # or not, the shaky schemas are plainly valid or not.
    seen: dict[str, list[bool]] = {"compiled": [], "answers": [], "plainly": []}

    @settings(max_examples=50, deadline=None, derandomize=True)
    @given(schemas(), schemas(SHAKY_SUBSCHEMAS), st.data())
    def collect(schema: Any, shaky: Any, data: st.DataObject) -> None:
        check = compile_schema(schema)
        seen["compiled"].append(check is not None)
        seen["plainly"].append(plainly_valid_schema(shaky))
        if check is not None:
            seen["answers"].extend(map(check, data.draw(st.lists(near(schema, schema)))))

    collect()
    for name, found in seen.items():
        assert 0.1 < sum(found) / len(found) < 0.95, name


# --- the corners, by hand -----------------------------------------------------------------

DEFS = {"$defs": {"name": {"type": "string", "minLength": 1}}}


@pytest.mark.parametrize(
    ("schema", "instance", "valid"),
    [
        # type: 1.0 is an integer, a bool is neither an integer nor a number
        ({"type": "integer"}, 1.0, True),
        ({"type": "integer"}, 1e300, True),
        ({"type": "integer"}, 1.5, False),
        ({"type": "integer"}, True, False),
        ({"type": "number"}, False, False),
        ({"type": "number"}, 10**400, True),
        ({"type": "boolean"}, 0, False),
        ({"type": "null"}, None, True),
        ({"type": ["string", "null"]}, None, True),
        ({"type": ["string", "null"]}, 0, False),
        ({"type": "object"}, [], False),
        ({"type": "array"}, {}, False),
        # bounds apply to numbers only, bools and strings pass
        ({"minimum": 5}, True, True),
        ({"minimum": 5}, "1", True),
        ({"minimum": 5}, 4.999, False),
        ({"minimum": 5}, 5, True),
        ({"exclusiveMinimum": 5}, 5.0, False),
        ({"exclusiveMaximum": 5}, 4, True),
        ({"maximum": 1e308}, 10**400, False),
        ({"type": "integer", "minimum": 2}, 1.0, False),
        ({"type": "integer", "maximum": 2}, 2.0, True),
        # lengths count code points; a pattern searches
        ({"minLength": 1}, "😀", True),
        ({"maxLength": 1}, "é", True),
        ({"maxLength": 1}, "ab", False),
        ({"minLength": 2.0}, "a", False),
        ({"pattern": "b"}, "abc", True),
        ({"pattern": "^b"}, "abc", False),
        ({"pattern": "^b"}, 5, True),
        # enum and const: jsonschema's equal
        ({"enum": [1]}, 1.0, True),
        ({"enum": [1]}, True, False),
        ({"enum": [True]}, 1, False),
        ({"enum": [0]}, False, False),
        ({"enum": ["a", "b"]}, "b", True),
        ({"enum": ["1"]}, 1, False),
        ({"enum": []}, None, False),
        ({"enum": [None]}, None, True),
        ({"const": [1, {"a": 2}]}, [1.0, {"a": 2.0}], True),
        ({"const": [1]}, [True], False),
        ({"const": {"a": 1}}, {"a": True}, False),
        ({"const": {"a": 1}}, {"a": 1, "b": 1}, False),
        ({"const": []}, {}, False),
        ({"const": False}, 0, False),
        # uniqueItems: jsonschema's equality, and its sort
        ({"uniqueItems": True}, [1, True], True),
        ({"uniqueItems": True}, [0, False], True),
        ({"uniqueItems": True}, [1, 1.0], False),
        ({"uniqueItems": True}, [[1], [1.0]], False),
        ({"uniqueItems": True}, [{"a": 1}, {"a": 1.0}], False),
        ({"uniqueItems": True}, [{"a": 1}, {"a": True}], True),
        ({"uniqueItems": True}, ["1", 1], True),
        ({"uniqueItems": True}, [None, None], False),
        ({"uniqueItems": True}, [[1], [True], [1]], True),  # jsonschema misses this pair
        ({"uniqueItems": False}, [1, 1], True),
        # properties, required, patternProperties, additionalProperties
        ({"properties": {"a": {"type": "string"}}}, {"a": 1}, False),
        ({"properties": {"a": {"type": "string"}}}, {"b": 1}, True),
        ({"properties": {"a": {"type": "string"}}}, [1], True),
        ({"required": ["a"]}, {"b": 1}, False),
        ({"required": ["a"]}, ["a"], True),
        ({"patternProperties": {"^x-": {"type": "integer"}}}, {"x-a": "1"}, False),
        ({"patternProperties": {"^x-": {"type": "integer"}}}, {"a-x-": "1"}, True),
        ({"additionalProperties": False, "properties": {"a": {}}}, {"a": 1}, True),
        ({"additionalProperties": False, "properties": {"a": {}}}, {"a": 1, "b": 2}, False),
        ({"additionalProperties": {"type": "string"}}, {"a": "1", "b": 2}, False),
        ({"additionalProperties": False, "patternProperties": {"^x": {}}}, {"xa": 1}, True),
        ({"additionalProperties": False, "patternProperties": {"^x": {}}}, {"ax": 1}, False),
        # the key matches "" alone, but jsonschema reads an empty alternation as none
        ({"additionalProperties": False, "patternProperties": {"": {}}}, {"x": 1}, False),
        # "(b)\1" matches "bb", but not once joined into "(a)|(b)\1"
        (
            {"additionalProperties": False, "patternProperties": {"(a)": {}, "(b)\\1": {}}},
            {"bb": 1},
            False,
        ),
        ({"patternProperties": {"(a)": {}, "(b)\\1": {"type": "string"}}}, {"bb": 1}, False),
        # items apply after prefixItems
        ({"prefixItems": [{"type": "string"}], "items": {"type": "integer"}}, ["a", 1, 2], True),
        ({"prefixItems": [{"type": "string"}], "items": {"type": "integer"}}, [1], False),
        ({"prefixItems": [{"type": "string"}], "items": {"type": "integer"}}, ["a", "b"], False),
        ({"prefixItems": [{}, {}], "items": False}, [1, 2], True),
        ({"prefixItems": [{}, {}], "items": False}, [1, 2, 3], False),
        ({"items": {"type": "string"}}, [], True),
        ({"minItems": 2, "maxItems": 2.0}, [1, 2], True),
        ({"minItems": 2}, [1], False),
        ({"minItems": 2}, "a", True),
        # combinators
        ({"allOf": [{"type": "integer"}, {"minimum": 2}]}, 1, False),
        ({"anyOf": [{"type": "string"}, {"minimum": 2}]}, 1, False),
        ({"anyOf": [{"type": "string"}, {"minimum": 2}]}, "1", True),
        ({"oneOf": [{"type": "integer"}, {"type": "number"}]}, 1, False),
        ({"oneOf": [{"type": "integer"}, {"type": "number"}]}, 1.5, True),
        ({"oneOf": [{"type": "integer"}, {"type": "string"}]}, None, False),
        ({"not": {"type": "string"}}, "a", False),
        ({"not": {"type": "string"}}, 1, True),
        ({"not": True}, None, False),
        # boolean schemas
        (True, {"anything": [1]}, True),
        (False, None, False),
        ({"properties": {"a": False}}, {"a": None}, False),
        ({"properties": {"a": False}}, {}, True),
        # $ref: local pointers, escapes, siblings applied alongside
        ({**DEFS, "$ref": "#/$defs/name"}, "", False),
        ({**DEFS, "$ref": "#/$defs/name", "maxLength": 2}, "abc", False),
        ({**DEFS, "$ref": "#/$defs/name", "maxLength": 2}, "ab", True),
        ({"$defs": {"a/b~c": {"type": "string"}}, "$ref": "#/$defs/a~1b~0c"}, 1, False),
        ({"$defs": {"~1": {"type": "string"}}, "$ref": "#/$defs/~01"}, 1, False),
        ({"$defs": {"a b%": {"type": "string"}}, "$ref": "#/$defs/a%20b%25"}, 1, False),
        # percent-decoded before it is split: %2F separates
        (
            {
                "properties": {"a": {"properties": {"b": {"type": "string"}}}},
                "$ref": "#/properties/a%2Fproperties%2Fb",
            },
            1,
            False,
        ),
        (
            {"properties": {"x": {"type": "string"}, "y": {"$ref": "#/properties/x"}}},
            {"y": 1},
            False,
        ),
        (
            {"definitions": {"n": {"type": "null"}}, "items": {"$ref": "#/definitions/n"}},
            [None, 0],
            False,
        ),
        (
            {"prefixItems": [{"type": "string"}], "items": {"$ref": "#/prefixItems/0"}},
            ["a", 1],
            False,
        ),
        ({"allOf": [{}, {"type": "null"}], "$ref": "#/allOf/1"}, 0, False),
        (
            {
                "$id": "https://example.com/s#",
                "$ref": "#/$defs/n",
                "$defs": {"n": {"type": "null"}},
            },
            0,
            False,
        ),
        ({"$id": "urn:ampho:schema:t", **DEFS, "items": {"$ref": "#/$defs/name"}}, [""], False),
        (
            {
                "$id": "https://example.com/s.json",
                "$schema": DRAFT_2020_12,
                "$ref": "#/$defs/n",
                "$defs": {"n": {"type": "null"}},
            },
            None,
            True,
        ),
        # annotations never fail
        ({"format": "email"}, "not an email", True),
        ({"x-ampho-merge": "append", "type": "array"}, [1], True),
        (
            {
                "title": "t",
                "description": "d",
                "$comment": "c",
                "default": 5,
                "examples": [1],
                "readOnly": True,
                "writeOnly": False,
                "deprecated": True,
                "contentMediaType": "text/x",
                "contentEncoding": "base64",
            },
            5,
            True,
        ),
    ],
)
def test_the_corners_of_the_subset_as_jsonschema_has_them(
    schema: Any, instance: Any, valid: bool
) -> None:
    assert schema_is_valid(schema)
    assert jsonschema_says(schema, instance) is valid
    assert ampho_says(schema, instance) is valid


TREE = {
    "$defs": {
        "node": {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "children": {"type": "array", "items": {"$ref": "#/$defs/node"}},
            },
            "required": ["name"],
            "additionalProperties": False,
        }
    },
    "$ref": "#/$defs/node",
}


def tree(depth: int, leaf: Any) -> Any:
    node = leaf
    for level in range(depth):
        node = {"name": f"level {level}", "children": [{"name": "sibling"}, node]}
    return node


@pytest.mark.parametrize(
    ("instance", "valid"),
    [
        (tree(30, {"name": "leaf"}), True),
        (tree(30, {"name": "leaf", "extra": 1}), False),
        (tree(30, {"children": []}), False),
        (tree(30, {"name": 5}), False),
    ],
)
def test_a_recursive_ref_checks_nested_data(instance: Any, valid: bool) -> None:
    assert jsonschema_says(TREE, instance) is valid
    assert ampho_says(TREE, instance) is valid


def test_a_ref_to_the_root_recurses_through_the_data() -> None:
    schema = {"type": ["object", "integer"], "additionalProperties": {"$ref": "#"}}
    for instance, valid in [({"a": {"b": {"c": 1}}}, True), ({"a": {"b": {"c": "1"}}}, False)]:
        assert jsonschema_says(schema, instance) is valid
        assert ampho_says(schema, instance) is valid


def test_data_too_deep_for_the_stack_raises_recursion_error() -> None:
    check = compile_schema(TREE)
    assert check is not None
    with pytest.raises(RecursionError):
        check(tree(sys.getrecursionlimit(), {"name": "leaf"}))


@pytest.mark.parametrize(
    "schema",
    [
        {"multipleOf": 2},
        {"if": {"type": "string"}, "then": {"minLength": 1}},
        {"dependentRequired": {"a": ["b"]}},
        {"dependentSchemas": {"a": {}}},
        {"propertyNames": {"pattern": "^a"}},
        {"contains": {"type": "string"}},
        {"unevaluatedProperties": False},
        {"unevaluatedItems": False},
        {"minProperties": 1},
        {"maxProperties": 1},
        {"$anchor": "here"},
        {"$dynamicRef": "#meta"},
        {"$dynamicAnchor": "meta"},
        {"$vocabulary": {}},
        {"dependencies": {}},
        {"unknown": 1},
        {"properties": {"a": {"multipleOf": 2}}},
        {"$defs": {"unused": {"if": {}}}},
        # a keyword's value of the wrong shape
        {"minimum": "3"},
        {"minimum": True},
        {"required": 5},
        {"required": ["a", "a"]},
        {"type": "int"},
        {"type": []},
        {"type": ["string", "string"]},
        {"minLength": -1},
        {"minLength": 1.5},
        {"pattern": "("},
        {"patternProperties": {"(": {}}},
        {"items": [{}]},
        {"prefixItems": []},
        {"allOf": []},
        {"enum": "a"},
        {"uniqueItems": 1},
        {"title": 5},
        {"examples": "x"},
        {"not": 5},
        {"properties": []},
        # patterns that compile alone but not joined, as additionalProperties joins them
        {"patternProperties": {"a": {}, "(?i)b": {}}, "additionalProperties": False},
        # $schema other than draft 2020-12, anywhere
        {"$schema": "http://json-schema.org/draft-07/schema#"},
        {"properties": {"a": {"$schema": "http://json-schema.org/draft-07/schema#"}}},
        # references that are not a pointer into the document
        {"$ref": "other.json"},
        {"$ref": "other.json#/$defs/a"},
        {"$id": "https://example.com/s", "$ref": "https://example.com/s#/$defs/a"},
        {"$ref": "#anchor"},
        {"$ref": "#/$defs/missing"},
        {"$ref": "#/allOf/01", "allOf": [{}, {}]},
        {"$ref": "#/allOf/-1", "allOf": [{}, {}]},
        {"$ref": "#/allOf/2", "allOf": [{}, {}]},
        {"$ref": 5},
        # an $id below the root moves what "#" refers to
        {"$defs": {"a": {"$id": "inner", "type": "string"}}},
        {"properties": {"a": {"$id": "https://example.com/a"}}},
        {"$id": "https://example.com/s#frag"},  # no fragment but an empty one
        {"$id": "https://example.com/s##"},
        {"$defs": {"a": {"$id": "inner", "b": {}}}, "$ref": "#/$defs/a/b"},
        # $ref loops that never go down into the data recurse for ever
        {"$ref": "#"},
        {"type": "object", "$ref": "#"},
        {"anyOf": [{"type": "string"}, {"$ref": "#"}]},
        {"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"not": {"$ref": "#/$defs/a"}}}},
        # not a schema at all
        None,
        5,
        "string",
        [],
    ],
)
def test_what_leaves_the_subset_compiles_to_none(schema: Any) -> None:
    assert compile_schema(schema) is None


REALISTIC = {
    "$schema": DRAFT_2020_12,
    "$id": "urn:ampho:schema:mail/schema.json",
    "title": "Mail",
    "type": "object",
    "properties": {
        "MAIL": {
            "type": "object",
            "properties": {
                "SERVER": {"type": "string", "minLength": 1, "pattern": "^[a-z0-9.-]+$"},
                "PORT": {"type": "integer", "minimum": 1, "maximum": 65535},
                "USE_TLS": {"type": "boolean", "default": False},
                "RECIPIENTS": {
                    "type": "array",
                    "items": {"$ref": "#/$defs/address"},
                    "uniqueItems": True,
                    "x-ampho-merge": "append",
                },
                "PASSWORD": {"type": ["string", "null"], "writeOnly": True},
            },
            "required": ["SERVER"],
            "additionalProperties": False,
        },
    },
    "patternProperties": {"^MAIL_[A-Z]+$": {"type": "string"}},
    "$defs": {"address": {"type": "string", "format": "email"}},
}


@pytest.mark.parametrize(
    "schema",
    [
        True,
        False,
        {},
        REALISTIC,
        {"minItems": 2.0, "maxLength": 0, "minimum": -1.5, "exclusiveMaximum": 10**30},
        {"x-ampho-merge": "replace", "x-whatever": {"$id": 5, "type": "nonsense"}},
        {"$ref": "#/$defs/a%20b", "$defs": {"a b": {}}},
        {"$id": "https://example.com:8080/schemas/s.json#"},
        {"enum": [], "required": [], "examples": [], "const": None, "default": {"x": 1}},
        {"$schema": "http://json-schema.org/draft-07/schema#"},  # a valid URI all the same
    ],
)
def test_plainly_valid_schemas_pass_check_schema(schema: Any) -> None:
    assert plainly_valid_schema(schema)
    assert schema_is_valid(schema)


@pytest.mark.parametrize(
    "schema",
    [
        {"pattern": "("},
        {"pattern": "a{2,1}"},
        {"patternProperties": {"[a-": {}}},
        {"type": "int"},
        {"type": []},
        {"type": ["string", "string"]},
        {"required": ["a", "a"]},
        {"required": [1]},
        {"minimum": "3"},
        {"minimum": True},
        {"maxLength": -1},
        {"maxLength": 1.5},
        {"minItems": True},
        {"prefixItems": []},
        {"allOf": []},
        {"oneOf": {}},
        {"not": 5},
        {"items": [{}]},
        {"additionalProperties": "no"},
        {"properties": {"a": {"type": "nonsense"}}},
        {"$defs": {"a": {"minimum": "0"}}},
        {"definitions": {"a": {"enum": 5}}},
        {"uniqueItems": "yes"},
        {"readOnly": 1},
        {"title": 5},
        {"examples": "x"},
        {"enum": "a"},
        {"$id": "https://example.com/s#frag"},
        {"$id": 5},
        {"$ref": 5},
        5,
        None,
        [],
    ],
)
def test_invalid_schemas_are_never_plainly_valid(schema: Any) -> None:
    assert not schema_is_valid(schema)
    assert not plainly_valid_schema(schema)


@pytest.mark.parametrize(
    "schema",
    [
        {"multipleOf": 2},
        {"unknown": 1},
        {"$ref": "other.json#/a"},  # valid, but refs other than fragments are not read
        {"$id": "relative.json"},
        {"$anchor": "here"},
        {"if": True},
    ],
)
def test_plainly_valid_says_not_known_outside_the_subset(schema: Any) -> None:
    assert schema_is_valid(schema)
    assert not plainly_valid_schema(schema)


def nest(depth: int) -> Any:
    schema: Any = {"type": "string"}
    for _ in range(depth):
        schema = {"allOf": [schema]}
    return schema


def test_a_schema_too_deep_for_check_schema_is_not_plainly_valid() -> None:
    with pytest.raises(RecursionError):
        Draft202012Validator.check_schema(nest(200))
    assert not plainly_valid_schema(nest(200))
    assert plainly_valid_schema(nest(10))


def test_a_schema_is_not_plainly_valid_without_the_stack_to_check_it() -> None:
    # Called this deep, check_schema would run out of stack on a schema
    # twenty levels deep; so plainly_valid_schema does not vouch for it.
    def stack_depth() -> int:
        frame, depth = sys._getframe(), 0
        while frame.f_back is not None:
            frame, depth = frame.f_back, depth + 1
        return depth

    def deep(levels: int) -> tuple[bool, bool]:
        if levels:
            return deep(levels - 1)
        try:
            Draft202012Validator.check_schema(nest(20))
        except RecursionError:
            return False, plainly_valid_schema(nest(20))
        return True, plainly_valid_schema(nest(20))

    assert deep(0) == (True, True)
    assert deep(sys.getrecursionlimit() - stack_depth() - 150) == (False, False)


# --- the import -------------------------------------------------------------------------


def test_checking_with_a_compiled_schema_imports_no_jsonschema(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from ampho.config.validator import compile_schema, plainly_valid_schema\n"
        "schema = {'type': 'object', 'properties': {'A': {'type': 'integer', 'minimum': 1}},"
        " 'required': ['A'], 'patternProperties': {'^B': {'enum': [1, 'b']}},"
        " 'additionalProperties': {'$ref': '#/$defs/s'}, '$defs': {'s': {'type': 'string'}}}\n"
        "check = compile_schema(schema)\n"
        "assert plainly_valid_schema(schema)\n"
        "assert check({'A': 2, 'B': 'b', 'C': 'c'}) and not check({'A': 0})\n"
        "print(sorted({m.partition('.')[0] for m in sys.modules}"
        " & {'jsonschema', 'referencing', 'flask', 'click', 'werkzeug'}))\n"
    )
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("AMPHO_", "PYTHON"))}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.strip() == "[]"


def test_the_module_names_no_validator_library_even_inside_functions() -> None:
    source = Path(validator_module.__file__).read_text(encoding="utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported.update(alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").partition(".")[0])
    assert imported & {"jsonschema", "referencing", "flask", "click", "werkzeug"} == set()
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}
