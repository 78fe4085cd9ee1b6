"""Composed settings: ``${KEY.PATH}`` and ``${env:NAME}`` inside string values.

A string of any layer may name another setting, ``${DB.HOST}``, or a
variable of the process environment, ``${env:DATABASE_URL}``; ``$${`` is
a literal ``${``, and nothing else changes meaning (``$HOME``, ``{x}``,
``cost: $5``). References are resolved once, after every layer is
merged and before the schemas are checked, so they see the final value
of what they name, and so do the schemas.

A string that is exactly one reference takes the value with its type
(``"${DB.PORT}"`` is ``5432``, ``"${DB}"`` the object); inside a longer
string the value is inserted as text, JSON text for a number, a boolean
or ``null``. ``${env:NAME:-text}`` falls back to ``text`` when ``NAME``
is unset or empty, as a shell's ``${NAME:-text}`` does.

This module is imported only by a load whose layers hold ``${``: a load
without it pays for nothing here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from .errors import ConfigError
from .tree import copy_tree, format_key, split_key

if TYPE_CHECKING:
    from .errors import Origin
    from .schema import Schemas
    from .tree import KeyPath, ValuePath

    #: Where a template's value starts, for its errors.
    Place = Callable[[ValuePath], Origin | None]

#: How a reference starts and ends, and how a literal ``${`` is written.
OPEN, CLOSE, ESCAPED = "${", "}", "$${"

#: What is said of a ``${`` with no ``}`` after it.
_UNCLOSED = "a ${ that is never closed (write $${ for a literal ${)"

#: The prefix of a reference to a variable of the process environment.
ENV = "env:"

#: What separates a variable's name from the text used when it is unset.
DEFAULT = ":-"


class Reference:
    """One ``${...}`` in a template: what it names.

    :param text: the reference as written, ``${DB.HOST}``.
    :param key: the key path it names, or ``None`` for a variable.
    :param variable: the environment variable it names, or ``None``.
    :param default: the text used when the variable is unset or empty.
    """

    __slots__ = ("default", "key", "text", "variable")

    def __init__(
        self,
        text: str,
        key: KeyPath | None = None,
        variable: str | None = None,
        default: str | None = None,
    ) -> None:
        self.text = text
        self.key = key
        self.variable = variable
        self.default = default

    def __repr__(self) -> str:
        return f"<Reference {self.text}>"


class Composition:
    """A string value built from references: the template, in pieces, and
    once resolved what each reference gave.

    :param pieces: the literal text and the :class:`Reference` objects,
        in order.
    """

    __slots__ = ("path", "pieces", "references", "template", "values", "whole")

    def __init__(self, path: ValuePath, template: str, pieces: list[str | Reference]) -> None:
        #: Where the value is, keys and list indices.
        self.path = path
        #: The string as written in its layer.
        self.template = template
        self.pieces = pieces
        #: Its references, in order.
        self.references = [piece for piece in pieces if isinstance(piece, Reference)]
        #: What each reference gave, in order, once resolved.
        self.values: list[Any] = []
        #: Whether the template is exactly one reference, which gives the
        #: value with its type.
        self.whole = len(pieces) == 1 and bool(self.references)

    @property
    def value(self) -> Any:
        """The value it gave, once resolved."""
        if self.whole:
            return self.values[0]
        given = iter(self.values)
        return "".join(p if isinstance(p, str) else _as_text(next(given)) for p in self.pieces)


#: What a template's text holds: a literal ``${`` (``$${``), a reference
#: (``${...}``, its inside the group), or a ``${`` that is never closed.
#: Compiled when this module is imported, which only a load holding
#: ``${`` does.
_PIECE = re.compile(r"\$\$\{|\$\{([^}]*)\}|\$\{")


def parse(template: str, known: dict[str, Reference] | None = None) -> list[str | Reference]:
    """The pieces of a template: literal text (``$${`` made ``${``) and
    references.

    :param known: references already read, by what is inside the braces,
        to share: a resolution reads each once.
    :raises ValueError: with a sentence, for a ``${`` that is never
        closed, an empty reference, or one that names no key.
    """
    if ESCAPED in template:
        return _parse_escaped(template, known)
    first, *rest = template.split(OPEN)
    pieces: list[str | Reference] = [first] if first else []
    for part in rest:
        inner, closed, after = part.partition(CLOSE)
        if not closed:
            raise ValueError(_UNCLOSED)
        reference = known.get(inner) if known is not None else None
        if reference is None:
            reference = _reference(f"{OPEN}{inner}{CLOSE}", inner)
            if known is not None:
                known[inner] = reference
        pieces.append(reference)
        if after:
            pieces.append(after)
    return pieces


def _parse_escaped(template: str, known: dict[str, Reference] | None) -> list[str | Reference]:
    """:func:`parse` of a template that holds ``$${``, piece by piece."""
    pieces: list[str | Reference] = []
    text = ""
    start = 0
    for match in _PIECE.finditer(template):
        text += template[start : match.start()]
        start = match.end()
        found = match.group()
        if found == ESCAPED:
            text += OPEN
        elif found == OPEN:
            raise ValueError(_UNCLOSED)
        else:
            if text:
                pieces.append(text)
                text = ""
            pieces.append(_reference(found, match.group(1)))
    text += template[start:]
    if text:
        pieces.append(text)
    return pieces


def _reference(text: str, inner: str) -> Reference:
    if '"' not in inner and " " not in inner and not inner.startswith(ENV):
        # The usual case, DB.HOST: split as split_key splits it.
        key = tuple(inner.split("."))
        if all(key):
            return Reference(text, key)
    inner = inner.strip()
    if not inner:
        raise ValueError(f"{text} names nothing: write ${{KEY.PATH}} or ${{env:NAME}}")
    if inner.startswith(ENV):
        name, separator, default = inner[len(ENV) :].partition(DEFAULT)
        if not name:
            raise ValueError(f"{text} names no variable: write ${{env:NAME}}")
        return Reference(text, variable=name, default=default if separator else None)
    try:
        key = split_key(inner)
    except KeyError:
        raise ValueError(f"{text} is not a key: write ${{KEY.PATH}}") from None
    if not all(key):
        raise ValueError(f"{text} is not a key: write ${{KEY.PATH}}")
    return Reference(text, key=key)


def written_text(data: dict[str, Any]) -> dict[str, Any]:
    """A copy of a layer's settings with every reference left out of its
    string: what the layer itself holds. ``"${env:DB_PASSWORD}"`` holds no
    secret, and ``postgresql://site:${DB.PASSWORD}@db`` none either; the
    check for secrets committed to a file asks this."""
    copy: dict[str, Any] = copy_tree(data)
    for path, template, _ in list(templates(copy)):
        try:
            pieces = parse(template)
        except ValueError:
            continue  # the load reports it
        node: Any = copy
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = "".join(piece for piece in pieces if isinstance(piece, str))
    return copy


def templates(data: dict[str, Any]) -> Iterator[tuple[ValuePath, str, Any]]:
    """Every string of a settings tree that holds ``${``: its path, the
    string, and the container holding it."""
    stack: list[tuple[Any, ValuePath]] = [(data, ())]
    while stack:
        node, path = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in items:
            if isinstance(value, str):
                if OPEN in value:
                    yield (*path, key), value, node
            elif isinstance(value, (dict, list)):
                stack.append((value, (*path, key)))


def resolve(
    data: dict[str, Any],
    environ: Mapping[str, str],
    place: Place,
    schemas: Schemas | None = None,
) -> dict[ValuePath, str]:
    """Resolve every reference of ``data``, in place.

    :param environ: where ``${env:NAME}`` is looked up.
    :param place: where a value starts, for the errors.
    :param schemas: the declared settings, which type a variable that
        is a whole value, as they type an ``AMPHO_*`` variable.
    :return: the templates, by path: :func:`compositions` makes the
        records of them when they are asked for (origins, masking).
    :raises ConfigError: one line at the template's place, for a key or
        a variable that is missing, a cycle, an object or list inside a
        longer string, or a reference that cannot be read.
    """
    return _Resolver(data, environ, place, schemas).run()


def compositions(
    written: Mapping[ValuePath, str],
    data: dict[str, Any],
    environ: Mapping[str, str],
    schemas: Schemas | None = None,
) -> dict[ValuePath, Composition]:
    """The records of resolved templates: each one's pieces, and what each
    reference gave, read again from the resolved settings (a reference
    gave the final value of what it names) and from ``environ``.

    Made only when asked for, by :attr:`Config.compositions
    <ampho.config.Config.compositions>`: a load resolves with strings and
    dicts alone, which is what keeps 1,000 references within a
    millisecond or two.
    """
    known: dict[str, Reference] = {}
    made = {}
    for path, template in written.items():
        composition = Composition(path, template, parse(template, known))
        for reference in composition.references:
            if reference.variable is not None:
                raw = environ.get(reference.variable)
                if not raw and reference.default is not None:
                    raw = reference.default
                value: Any = _typed(raw or "", reference, path, schemas, composition.whole)
            else:
                assert reference.key is not None
                value = data
                for part in reference.key:
                    value = value[part]
            composition.values.append(copy_tree(value))
        made[path] = composition
    return made


def _typed(
    raw: str, reference: Reference, path: ValuePath, schemas: Schemas | None, whole: bool
) -> Any:
    """A variable's value: typed as an ``AMPHO_*`` variable is when it is
    a whole value, else its text."""
    if not whole:
        return raw
    from .sources.environ import parse_value

    keys = tuple(key for key in path if isinstance(key, str))
    types = schemas.declared_types(keys) if schemas is not None else None
    return parse_value(f"env {reference.variable}", raw, keys, types)


class _Resolver:
    """One resolution, with strings, tuples and dicts only: the templates
    not done yet, those in progress (for cycles), and each reference's
    inside read once."""

    def __init__(
        self,
        data: dict[str, Any],
        environ: Mapping[str, str],
        place: Place,
        schemas: Schemas | None,
    ) -> None:
        self.data = data
        self.environ = environ
        self.place = place
        self.schemas = schemas
        #: Templates to resolve: path -> (template, its container).
        self.pending: dict[ValuePath, tuple[str, Any]] = {}
        self.done: dict[ValuePath, str] = {}
        self.stack: list[ValuePath] = []
        self.known: dict[str, Reference] = {}
        #: The key path each reference's inside names (``None`` for a
        #: variable): all the usual case needs.
        self.keys: dict[str, Any] = {}
        #: How many pending templates each path holds below it, counted
        #: when a reference first names an object or a list.
        self.below: dict[ValuePath, int] | None = None

    def run(self) -> dict[ValuePath, str]:
        pending = self.pending
        for path, template, container in list(templates(self.data)):
            pending[path] = (template, container)
        # In the order found; one resolved before its turn, as a part of
        # another, is passed over.
        for path in list(pending):
            if path in pending:
                self.compose(path)
        return self.done

    def error(self, path: ValuePath, message: str) -> ConfigError:
        where = self.place(path)
        shown = format_key(path)
        if where is None:
            return ConfigError(f"{shown}: {message}")
        return ConfigError(
            f"{shown}: {message}", source=where.source, line=where.line, column=where.column
        )

    def compose(self, path: ValuePath) -> Any:
        """The value of the template at ``path``, resolved and set.

        Templates are cut with :meth:`str.split` and :meth:`str.partition`
        and each reference's inside is read once (:meth:`read`): no
        object is made for a template, which is what keeps a thousand of
        them within a millisecond or two.
        """
        if path in self.stack:
            cycle = [format_key(p) for p in self.stack[self.stack.index(path) :]]
            cycle.append(format_key(path))
            raise self.error(path, f"the references go round in a cycle: {' -> '.join(cycle)}")
        template, container = self.pending[path]
        self.stack.append(path)
        if ESCAPED in template:
            value = self.compose_escaped(path, template)
        else:
            parts = template.split(OPEN)
            first = parts[0]
            if not first and len(parts) == 2 and parts[1].find(CLOSE) == len(parts[1]) - 1:
                value = self.value_of(path, self.read(path, parts[1][:-1]), whole=True)
            else:
                text = [first]
                keys, data = self.keys, self.data
                for part in parts[1:]:
                    inner, closed, after = part.partition(CLOSE)
                    if not closed:
                        raise self.error(path, _UNCLOSED)
                    key = keys.get(inner, _ELSEWHERE)
                    if key is _ELSEWHERE:
                        key = keys[inner] = self.key_of(path, inner)
                    found: Any = data
                    # The usual case first: a walk to a plain value, no
                    # template on the way; anything else takes setting().
                    for part_key in key or ():
                        found = (
                            found.get(part_key, _ELSEWHERE) if type(found) is dict else _ELSEWHERE
                        )
                    if (
                        key is None
                        or found is _ELSEWHERE
                        or type(found) is dict
                        or type(found) is list
                        or (type(found) is str and OPEN in found)
                    ):
                        found = self.value_of(path, self.read(path, inner))
                    text.append(found if type(found) is str else json.dumps(found))
                    text.append(after)
                value = "".join(text)
            self.done[path] = template
        self.stack.pop()
        del self.pending[path]
        if self.below is not None:
            for depth in range(len(path)):
                self.below[path[:depth]] -= 1
        container[path[-1]] = value
        return value

    def compose_escaped(self, path: ValuePath, template: str) -> Any:
        """:meth:`compose` of a template that holds ``$${``, by its pieces."""
        try:
            pieces = parse(template, self.known)
        except ValueError as e:
            raise self.error(path, str(e)) from None
        references = [piece for piece in pieces if isinstance(piece, Reference)]
        if not references:
            return "".join(piece for piece in pieces if isinstance(piece, str))
        self.done[path] = template
        if len(pieces) == 1:
            return self.value_of(path, self.read(path, references[0].text[2:-1]), whole=True)
        return "".join(
            piece
            if isinstance(piece, str)
            else _as_text(self.value_of(path, self.read(path, piece.text[2:-1])))
            for piece in pieces
        )

    def key_of(self, path: ValuePath, inner: str) -> KeyPath | None:
        """The key path a reference's inside names, ``None`` for a
        variable: the usual ``DB.HOST`` read with :meth:`str.split` alone."""
        if '"' not in inner and " " not in inner and not inner.startswith(ENV):
            key = tuple(inner.split("."))
            if all(key):
                return key
        return self.read(path, inner).key

    def read(self, path: ValuePath, inner: str) -> Reference:
        """The reference whose inside is ``inner``, read once."""
        reference = self.known.get(inner)
        if reference is None:
            try:
                reference = _reference(OPEN + inner + CLOSE, inner)
            except ValueError as e:
                raise self.error(path, str(e)) from None
            self.known[inner] = reference
        return reference

    def value_of(self, path: ValuePath, reference: Reference, *, whole: bool = False) -> Any:
        if reference.key is not None:
            value = self.setting(path, reference)
        else:
            value = self.variable(path, reference, whole=whole)
        if isinstance(value, (dict, list)):
            if not whole:
                kind = "an object" if isinstance(value, dict) else "a list"
                raise self.error(
                    path,
                    f"{reference.text} is {kind}, which cannot be part of a longer string:"
                    " make the whole string the reference",
                )
            return copy_tree(value)
        return value

    def variable(self, path: ValuePath, reference: Reference, *, whole: bool) -> Any:
        name = reference.variable
        raw = self.environ.get(name) if name is not None else None
        if not raw and reference.default is not None:
            raw = reference.default
        if raw is None:
            raise self.error(
                path,
                f"{reference.text}: the environment variable {name} is not set"
                f" (write ${{env:{name}:-text}} for a value to use then)",
            )
        return _typed(raw, reference, path, self.schemas, whole)

    def setting(self, path: ValuePath, reference: Reference) -> Any:
        """The value at the key a reference names, its templates resolved
        first (a template on the way, or any below it)."""
        key = reference.key
        assert key is not None
        node: Any = self.data
        pending = self.pending
        for depth, part in enumerate(key, 1):
            if not isinstance(node, dict) or part not in node:
                raise self.error(path, f"{reference.text} names no setting")
            node = node[part]
            # Only a string holding ${ can be a template still to resolve.
            if isinstance(node, str) and OPEN in node and key[:depth] in pending:
                node = self.compose(key[:depth])
        if not pending or not isinstance(node, (dict, list)):
            return node
        if self.below is None:
            self.below = {}
            for inner in pending:
                for level in range(len(inner)):
                    self.below[inner[:level]] = self.below.get(inner[:level], 0) + 1
        if not self.below.get(key):
            return node
        for inner in [p for p in pending if len(p) > len(key) and p[: len(key)] == key]:
            if inner in pending:
                self.compose(inner)
        node = self.data
        for part in key:
            node = node[part]
        return node


#: What a walk finds where it must leave the usual case to setting().
_ELSEWHERE: Any = object()


def _as_text(value: Any) -> str:
    """A value inside a longer string: a string as it is, else JSON."""
    return value if isinstance(value, str) else json.dumps(value)
