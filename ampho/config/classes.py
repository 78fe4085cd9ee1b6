"""Settings declared as Python classes.

A bundle may declare its settings in code, next to ``REQUIRES``::

    @dataclass(frozen=True)
    class Mail:
        \"\"\"Where the shop's mail goes.\"\"\"

        SERVER: str = "localhost"
        PORT: int = 25
        PASSWORD: Secret | None = None

    SETTINGS = {"MAIL": Mail}

Each key of ``SETTINGS`` is a top-level settings key (``""`` for the top
level itself) and each value a frozen dataclass or, when pydantic is
installed, a frozen pydantic model. From a class, this module derives
what the bundle's files would say: a JSON Schema (draft 2020-12), used
exactly as a ``schema.json`` is, and the defaults, a layer beside the
bundle's ``default.json`` whose origins are the class's fields. So there
is one set of rules, whichever way a bundle writes them:
:meth:`Config.bind <ampho.config.Config.bind>` then makes an instance of
the class from the validated settings.

A dataclass is read with :mod:`dataclasses` and :func:`typing.get_type_hints`,
which the bundle imported already; a pydantic model through pydantic's
own JSON Schema, and it is validated by pydantic when bound. pydantic is
never imported here: a class is a model when :mod:`pydantic`, which
defined it, says so.
"""

from __future__ import annotations

import os
import sys
import types
import typing
from collections.abc import Iterator, Mapping
from typing import Any, TypeVar

from .errors import ConfigError
from .secret import Secret
from .tree import format_key

T = TypeVar("T")

#: The types a field may have, as the error for any other says them.
SUPPORTED = (
    "str, int, float, bool, list[T], tuple[T, ...], dict[str, T], T | None,"
    " Literal[...], Secret or a frozen dataclass"
)

# A field's type, read once: (kind, detail). Kinds: "str", "int", "float",
# "bool", "secret", "literal" (the values), "optional", "list", "tuple",
# "dict" (the shape of an item), "class" (a dataclass).
Shape = tuple[str, Any]

#: The shape of each scalar type, and its JSON type.
_SCALARS: dict[Any, str] = {str: "str", int: "int", float: "float", bool: "bool"}
_JSON_TYPES = {"str": "string", "int": "integer", "float": "number", "bool": "boolean"}


class Declaration:
    """One item of a bundle's ``SETTINGS``: a class, the key it is
    declared under, and what is derived from it."""

    __slots__ = ("bundle", "cls", "directory", "key", "model")

    def __init__(self, bundle: str, directory: str, key: str, cls: type) -> None:
        #: The bundle declaring it.
        self.bundle = bundle
        #: The bundle's directory, against which its files are shown.
        self.directory = directory
        #: The top-level key, or ``""`` for the top level.
        self.key = key
        #: The class.
        self.cls = cls
        #: What the class says, derived once for every declaration of it.
        self.model = model_of(cls)

    def __repr__(self) -> str:
        return f"<Declaration {self.key!r}: {self.name}>"

    @property
    def name(self) -> str:
        """How the class is shown: ``mail.Mail``."""
        return f"{self.cls.__module__}.{self.cls.__qualname__}"

    @property
    def path(self) -> tuple[str, ...]:
        """The key path the class is declared at."""
        return (self.key,) if self.key else ()

    def schema(self) -> dict[str, Any]:
        """The derived JSON Schema of the whole settings: the class's
        object at its key."""
        model = self.model
        document: dict[str, Any] = {"$schema": DRAFT}
        if self.key:
            document["type"] = "object"
            document["properties"] = {self.key: model.schema}
            if model.schema.get("required"):
                document["required"] = [self.key]
        else:
            document.update({k: v for k, v in model.schema.items() if k != "additionalProperties"})
        if model.definitions:
            document["$defs"] = model.definitions
        return document

    def defaults(self) -> dict[str, Any]:
        """The fields' defaults, at the key: the class's own, shared, which
        a layer copies before it merges them, as it copies any mapping."""
        values = self.model.defaults
        return {self.key: values} if self.key and values else values

    def place(self, path: tuple[str, ...]) -> tuple[str, int | None, int | None]:
        """Where the field that sets ``path`` (a key path below
        :attr:`key`) is written: ``(file, line, column)``; the class's
        own line for a path it has no field for. A nested class's default
        that the outer field changes (``SMTP: Smtp = Smtp(PORT=2525)``)
        is that field's; one it leaves as the class says is the nested
        class's field."""
        from .tree import walk

        owner, field, model = self.cls, None, self.model
        for depth, key in enumerate(path):
            shape = model.fields.get(key)
            if shape is None:
                break
            field = key
            inner = _unwrap(shape)
            if inner[0] != "class":
                break
            nested = model_of(inner[1])
            rest = path[depth + 1 :]
            if key in model.own_defaults and walk(model.defaults[key], rest) != walk(
                nested.defaults, rest
            ):
                break
            owner, field, model = inner[1], None, nested
        return where_defined(owner, field, self.directory)


#: The dialect of every derived schema.
DRAFT = "https://json-schema.org/draft/2020-12/schema"


class Model:
    """What a settings class says: its object schema, the schemas it
    refers to (pydantic's ``$defs``), its defaults and its fields."""

    __slots__ = ("defaults", "definitions", "fields", "is_pydantic", "own_defaults", "schema")

    def __init__(
        self,
        schema: dict[str, Any],
        defaults: dict[str, Any],
        fields: dict[str, Shape],
        *,
        own_defaults: frozenset[str],
        definitions: dict[str, Any] | None = None,
        is_pydantic: bool = False,
    ) -> None:
        #: The JSON Schema of the class's object.
        self.schema = schema
        #: The defaults, a settings tree.
        self.defaults = defaults
        #: Each field's shape, by setting name.
        self.fields = fields
        #: The fields with a default of their own (rather than a nested
        #: class's defaults).
        self.own_defaults = own_defaults
        #: The schemas the object's ``$ref`` point at (pydantic's ``$defs``).
        self.definitions = definitions or {}
        #: Whether the class is a pydantic model.
        self.is_pydantic = is_pydantic


_models: dict[type, Model] = {}


def model_of(cls: type) -> Model:
    """What ``cls`` says, derived on first use and kept for the process:
    a class does not change once defined.

    :raises ConfigError: naming the class (and the field) for a class
        that is neither a frozen dataclass nor a frozen pydantic model,
        or a field whose type no setting can have.
    """
    model = _models.get(cls)
    if model is not None:
        return model
    if cls in _deriving:
        raise ConfigError(f"{_shown(cls)} holds itself: settings cannot nest for ever")
    _deriving.add(cls)
    try:
        if _is_pydantic_model(cls):
            model = _pydantic_model(cls)
        elif hasattr(cls, "__dataclass_fields__") and isinstance(cls, type):
            model = _dataclass_model(cls)
        else:
            raise ConfigError(
                f"{_shown(cls)} is not a dataclass or a pydantic model: declare"
                " it @dataclass(frozen=True)"
            )
    except (ConfigError, RecursionError):
        raise
    except Exception as e:
        # pydantic refusing to write a schema, a default factory that
        # fails: the class's own problem, said in one line.
        raise ConfigError(f"{_shown(cls)} cannot be read: {_first_line(e)}") from None
    finally:
        _deriving.discard(cls)
    _models[cls] = model
    return model


#: The classes being derived, to refuse one that holds itself.
_deriving: set[type] = set()


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__


def declarations(bundle: str, directory: str, settings: object) -> list[Declaration]:
    """The declarations of a bundle's ``SETTINGS``.

    :raises ConfigError: naming the bundle, for ``SETTINGS`` that is not a
        mapping of keys to classes, or a class :func:`model_of` refuses.
    """
    source = f"SETTINGS of bundle {bundle!r}"
    if not isinstance(settings, Mapping):
        raise ConfigError(
            "must map settings keys to classes, as {'MAIL': Mail},"
            f" not {type(settings).__name__}",
            source=source,
        )
    found = []
    for key, cls in settings.items():
        if not isinstance(key, str) or "." in key:
            raise ConfigError(
                f"key {key!r} is not a top-level settings key (or '' for the top level)",
                source=source,
            )
        if not isinstance(cls, type):
            raise ConfigError(
                f"{key!r} maps to {type(cls).__name__} {cls!r}, not a class", source=source
            )
        try:
            found.append(Declaration(bundle, directory, key, cls))
        except ConfigError as e:
            raise ConfigError(e.message, source=source) from None
    return found


def _shown(cls: type, field: str | None = None) -> str:
    name = getattr(cls, "__qualname__", repr(cls))
    return f"{name}.{field}" if field else name


def _dataclass_model(cls: type) -> Model:
    """The model of a dataclass: every field of ``__init__``, typed."""
    import dataclasses

    if not cls.__dataclass_params__.frozen:  # type: ignore[attr-defined]
        raise ConfigError(
            f"{_shown(cls)} is not frozen: declare it @dataclass(frozen=True), so the"
            " settings bound to it cannot be changed by the code that reads them"
        )
    try:
        hints = typing.get_type_hints(cls)
    except Exception as e:
        raise ConfigError(f"{_shown(cls)}: its annotations cannot be read: {e}") from None
    for name, field in cls.__dataclass_fields__.items():  # type: ignore[attr-defined]
        if (
            isinstance(hints.get(name), dataclasses.InitVar)
            and field.default is dataclasses.MISSING
            and field.default_factory is dataclasses.MISSING
        ):
            raise ConfigError(
                f"{_shown(cls, name)} is an InitVar without a default, which no setting fills"
            )
    properties: dict[str, Any] = {}
    defaults: dict[str, Any] = {}
    fields: dict[str, Shape] = {}
    required = []
    for field in dataclasses.fields(cls):
        if not field.init:
            continue
        name = field.name
        shape = _shape(hints[name], cls, name)
        fields[name] = shape
        rule = _schema(shape)
        description = field.metadata.get("description")
        if isinstance(description, str):
            rule = {"description": description, **rule}
        value: Any = dataclasses.MISSING
        if field.default is not dataclasses.MISSING:
            value = field.default
        elif field.default_factory is not dataclasses.MISSING:
            value = field.default_factory()
        if value is dataclasses.MISSING:
            required.append(name)
            if shape[0] == "class" and model_of(shape[1]).defaults:
                defaults[name] = model_of(shape[1]).defaults
        else:
            defaults[name] = _json_default(value, cls, name, secret=_holds_secret(shape))
            if shape[0] != "secret" and not _holds_secret(shape):
                rule["default"] = defaults[name]
        properties[name] = rule
    schema = _object_schema(cls, properties, required)
    own = frozenset(name for name in defaults if name not in required)
    return Model(schema, defaults, fields, own_defaults=own)


def _object_schema(cls: type, properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object"}
    doc = _docstring(cls)
    if doc:
        schema["description"] = doc
    schema["properties"] = properties
    if required:
        schema["required"] = required
    # A key the class has no field for is a typo, not a setting.
    schema["additionalProperties"] = False
    return schema


def _docstring(cls: type) -> str:
    """The class's docstring, cleaned; ``""`` for none, and for the
    signature dataclasses writes in its place."""
    doc = cls.__doc__
    if not doc or doc.startswith(f"{cls.__name__}("):
        return ""
    import inspect

    return inspect.cleandoc(doc)


def _shape(tp: Any, cls: type, field: str) -> Shape:
    """The shape of a field's type.

    :raises ConfigError: naming the class and field, for a type no
        setting can have.
    """
    if tp in _SCALARS:
        return (_SCALARS[tp], None)
    if tp is Secret:
        return ("secret", None)
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Literal and all(
        isinstance(a, (str, int, float, bool)) or a is None for a in args
    ):
        return ("literal", args)
    if origin in (typing.Union, types.UnionType) and type(None) in args and len(args) == 2:
        inner = next(a for a in args if a is not type(None))
        return ("optional", _shape(inner, cls, field))
    if origin is list and len(args) == 1:
        return ("list", _shape(args[0], cls, field))
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return ("tuple", _shape(args[0], cls, field))
    if origin is dict and len(args) == 2 and args[0] is str:
        return ("dict", _shape(args[1], cls, field))
    if isinstance(tp, type) and hasattr(tp, "__dataclass_fields__"):
        model_of(tp)  # refused now, with its own field named, if it cannot be
        return ("class", tp)
    shown = getattr(tp, "__name__", None) if isinstance(tp, type) else None
    raise ConfigError(
        f"{_shown(cls, field)} is {shown or repr(tp)}, which no setting can be: use {SUPPORTED}"
    )


def _schema(shape: Shape) -> dict[str, Any]:
    """The JSON Schema of a shape."""
    kind, detail = shape
    if kind in _JSON_TYPES:
        return {"type": _JSON_TYPES[kind]}
    if kind == "secret":
        return {"type": "string", "writeOnly": True}
    if kind == "literal":
        return {"enum": list(detail)}
    if kind == "optional":
        inner = _schema(detail)
        if isinstance(inner.get("type"), str) and "enum" not in inner:
            return {**inner, "type": [inner["type"], "null"]}
        if "enum" in inner and "type" not in inner:
            return {"enum": [*inner["enum"], None]}
        return {"anyOf": [inner, {"type": "null"}]}
    if kind in ("list", "tuple"):
        return {"type": "array", "items": _schema(detail)}
    if kind == "dict":
        return {"type": "object", "additionalProperties": _schema(detail)}
    # A copy: the field's rule gets its own "default", the class's stays.
    return dict(model_of(detail).schema)


def _unwrap(shape: Shape) -> Shape:
    """The shape inside ``T | None``."""
    return shape[1] if shape[0] == "optional" else shape


def _holds_secret(shape: Shape) -> bool:
    kind, detail = _unwrap(shape)
    if kind == "secret":
        return True
    if kind in ("list", "tuple", "dict"):
        return _holds_secret(detail)
    if kind == "class":
        return any(_holds_secret(s) for s in model_of(detail).fields.values())
    return False


def _json_default(value: Any, cls: type, field: str, *, secret: bool = False) -> Any:
    """A field's default as settings hold it.

    :raises ConfigError: naming the field, for a default JSON cannot hold,
        or a :class:`~ampho.config.Secret` in a field that declares none,
        where it would be printed as plain text.
    """
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ConfigError(f"the default of {_shown(cls, field)} is {value!r}, which JSON lacks")
        return value
    if isinstance(value, Secret):
        if not secret:
            raise ConfigError(
                f"the default of {_shown(cls, field)} holds a Secret, but the field declares"
                " none: type it Secret so that it is masked"
            )
        return value.get_secret_value()
    if isinstance(value, (list, tuple)):
        return [_json_default(item, cls, field, secret=secret) for item in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: _json_default(v, cls, field, secret=secret) for k, v in value.items()}
    if hasattr(type(value), "__dataclass_fields__"):
        import dataclasses

        return {
            f.name: _json_default(getattr(value, f.name), cls, field, secret=secret)
            for f in dataclasses.fields(value)
            if f.init
        }
    raise ConfigError(
        f"the default of {_shown(cls, field)} is {type(value).__name__}, which settings cannot hold"
    )


# -- pydantic ---------------------------------------------------------------


def _is_pydantic_model(cls: object) -> bool:
    pydantic = sys.modules.get("pydantic")
    return (
        pydantic is not None
        and isinstance(cls, type)
        and issubclass(cls, pydantic.BaseModel)
        and cls is not pydantic.BaseModel
    )


def _pydantic_model(cls: Any) -> Model:
    """The model of a pydantic model: pydantic's own JSON Schema, its
    ``$defs`` lifted to the top, and the fields' defaults."""
    settings = sys.modules.get("pydantic_settings")
    if settings is not None and issubclass(cls, settings.BaseSettings):
        raise ConfigError(
            f"{_shown(cls)} is a pydantic-settings BaseSettings, which reads the environment"
            " itself: declare a pydantic BaseModel, and Ampho reads its layers"
        )
    root_model = getattr(sys.modules.get("pydantic"), "RootModel", None)
    if root_model is not None and issubclass(cls, root_model):
        raise ConfigError(f"{_shown(cls)} is a RootModel: settings are named fields")
    if not cls.model_config.get("frozen"):
        raise ConfigError(
            f"{_shown(cls)} is not frozen: set model_config = ConfigDict(frozen=True), so the"
            " settings bound to it cannot be changed by the code that reads them"
        )
    defaults: dict[str, Any] = {}
    fields: dict[str, Shape] = {}
    for name, field in cls.model_fields.items():
        key = _pydantic_key(name, field)
        annotation = field.annotation
        nested = _is_pydantic_model(annotation)
        fields[key] = ("class", annotation) if nested else ("other", None)
        if not field.is_required():
            default = field.get_default(call_default_factory=True)
            defaults[key] = _pydantic_default(default, cls, key)
        elif nested and model_of(annotation).defaults:
            defaults[key] = model_of(annotation).defaults
    own = frozenset(
        _pydantic_key(name, field)
        for name, field in cls.model_fields.items()
        if not field.is_required()
    )
    # After the defaults, whose mistakes are said more plainly than
    # pydantic's schema says them.
    schema = _without_generated_titles(cls.model_json_schema(ref_template="#/$defs/{model}"))
    definitions = schema.pop("$defs", {})
    schema.pop("title", None)

    return Model(
        schema, defaults, fields, own_defaults=own, definitions=definitions, is_pydantic=True
    )


def _pydantic_key(name: str, field: Any) -> str:
    """The key a pydantic field is read from: its validation alias, its
    alias, or its name, as pydantic validates (and writes the schema)."""
    alias = field.validation_alias
    return alias if isinstance(alias, str) else field.alias or name


def _pydantic_default(value: Any, cls: type, key: str) -> Any:
    """A pydantic field's default as settings hold it: a secret's text,
    a model's fields, anything else as pydantic writes it in JSON.

    :raises ConfigError: for bytes, which settings cannot hold.
    """
    get_secret = getattr(value, "get_secret_value", None)
    if callable(get_secret):
        value = get_secret()
    if isinstance(value, bytes):
        raise ConfigError(f"the default of {_shown(cls, key)} is bytes, which settings cannot hold")
    if isinstance(value, str):
        return value
    if _is_pydantic_model(type(value)):
        return {
            _pydantic_key(name, field): _pydantic_default(getattr(value, name), cls, key)
            for name, field in type(value).model_fields.items()
        }
    if isinstance(value, (list, tuple)):
        return [_pydantic_default(item, cls, key) for item in value]
    if isinstance(value, dict):
        return {k: _pydantic_default(v, cls, key) for k, v in value.items()}
    from pydantic_core import to_jsonable_python

    return to_jsonable_python(value)


def _without_generated_titles(node: Any) -> Any:
    """pydantic's schema without the titles it makes up from names
    (``"Port"`` for ``PORT``), which ``config docs`` would show as the
    description; a title written in the model stays."""
    if isinstance(node, list):
        return [_without_generated_titles(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {}
    for key, value in node.items():
        if key == "properties" and isinstance(value, dict):
            result[key] = {
                name: _drop_title(_without_generated_titles(rule), name)
                for name, rule in value.items()
            }
        else:
            result[key] = _without_generated_titles(value)
    return result


def _drop_title(rule: Any, name: str) -> Any:
    if isinstance(rule, dict) and rule.get("title") == name.replace("_", " ").title():
        return {k: v for k, v in rule.items() if k != "title"}
    return rule


# -- binding ----------------------------------------------------------------


def bind(cls: type[T], value: Any, key: str) -> T:
    """An instance of ``cls`` made of ``value``, the validated settings
    at ``key``: each field of its type (a float from ``5``, a
    :class:`~ampho.config.Secret` from a string, a tuple from a list,
    nested classes), copied, so the instance shares nothing with the
    settings.

    :raises ModelRefused: when a pydantic model's own validators refuse
        the value.
    """
    model = model_of(cls)
    if model.is_pydantic:
        from .tree import copy_tree

        if not key:  # the top level: the class's own keys, not everything else
            value = {k: v for k, v in value.items() if k in model.fields}
        try:
            return cls.model_validate(copy_tree(value))  # type: ignore[attr-defined,no-any-return]
        except (ValueError, TypeError, LookupError, AttributeError) as e:
            raise ModelRefused(key, e) from None
    return _build(("class", cls), value)  # type: ignore[no-any-return]


class ModelRefused(ConfigError):
    """A pydantic model's validators refused the settings at its key.

    :attr:`problems` holds each, ``(key path, message)``, with no input
    quoted (a secret would be), for the load to locate them as schema
    violations; ``str()`` is the first, on one line.
    """

    def __init__(self, key: str, error: Exception) -> None:
        errors = getattr(error, "errors", None)
        found = errors(include_input=False, include_url=False) if callable(errors) else []
        base = (key,) if key else ()
        if not found:
            # A validator's own exception, not pydantic's ValidationError:
            # its words may quote the value, so only its kind is told.
            found = [{"msg": f"the model's validation raised {type(error).__name__}"}]
        #: ``(key path, message)`` of each problem.
        self.problems: list[tuple[tuple[str | int, ...], str]] = [
            # "Value error, needs an @": the first words are pydantic's.
            (
                (*base, *problem.get("loc", ())),
                str(problem.get("msg", "is invalid")).removeprefix("Value error, "),
            )
            for problem in found
        ]
        path, message = self.problems[0]
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        shown = format_key([str(part) for part in path]) or "(top level)"
        super().__init__(f"{shown}: {message}{more}")


def _build(shape: Shape, value: Any) -> Any:
    kind, detail = shape
    if kind == "class":
        fields = model_of(detail).fields
        return detail(**{k: _build(s, value[k]) for k, s in fields.items() if k in value})
    if value is None:
        return None
    if kind == "optional":
        return _build(detail, value)
    if kind == "float":
        return float(value)
    if kind == "int":
        return int(value)  # JSON Schema's integers include 587.0
    if kind == "secret":
        return Secret(value)
    if kind == "list":
        return [_build(detail, item) for item in value]
    if kind == "tuple":
        return tuple(_build(detail, item) for item in value)
    if kind == "dict":
        return {k: _build(detail, v) for k, v in value.items()}
    return value


# -- where a field is written -----------------------------------------------


def where_defined(
    cls: type, field: str | None, directory: str
) -> tuple[str, int | None, int | None]:
    """``(file, line, column)`` of a class's field (or of the class, for
    ``None``), its file shown from the bundle's parent directory; the
    line and column are ``None`` when the source cannot be read. Read
    with :mod:`ast` on first use: only origins ask."""
    path, shown = defined_in(cls, directory)
    if path is not None:
        for node, line, column in _definitions(path, cls.__qualname__):
            if node == field:
                return (shown, line, column)
    return (shown, None, None)


def defined_in(cls: type, directory: str) -> tuple[str | None, str]:
    """The file a class is defined in (``None`` if it has none) and how
    it is shown: from the bundle's parent directory when it is in the
    bundle (``mail/__init__.py``), else the module and class names."""
    path = getattr(sys.modules.get(cls.__module__), "__file__", None)
    if not path:
        return None, f"{cls.__module__}.{cls.__qualname__}"
    path = os.path.abspath(path)
    if path.startswith(directory + os.sep):
        return path, os.path.relpath(path, os.path.dirname(directory)).replace(os.sep, "/")
    return path, path


_places: dict[tuple[str, str, int], list[tuple[str | None, int, int]]] = {}


def _definitions(path: str, qualname: str) -> Iterator[tuple[str | None, int, int]]:
    """``(field or None for the class, line, column)`` of a class in a
    file, read again when the file has changed."""
    try:
        mtime = os.stat(path).st_mtime_ns
    except OSError:
        return iter(())
    found = _places.get((path, qualname, mtime))
    if found is None:
        found = _read_places(path, qualname)
        _places[(path, qualname, mtime)] = found
    return iter(found)


def _read_places(path: str, qualname: str) -> list[tuple[str | None, int, int]]:
    import ast

    try:
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read(), path)
    except (OSError, SyntaxError, ValueError):
        return []
    body: list[ast.stmt] = tree.body
    node: ast.ClassDef | None = None
    for part in qualname.split("."):
        node = next((n for n in body if isinstance(n, ast.ClassDef) and n.name == part), None)
        if node is None:
            return []
        body = node.body
    assert node is not None
    found: list[tuple[str | None, int, int]] = [(None, node.lineno, node.col_offset + 1)]
    for statement in node.body:
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            target = statement.target
            found.append((target.id, target.lineno, target.col_offset + 1))
    return found
