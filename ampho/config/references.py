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

A load imports this module only when a layer holds ``${`` (``config
check`` imports it too): a load without one pays for nothing here.
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
FALLBACK = ":-"


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

    __slots__ = ("fallbacks", "path", "pieces", "references", "template", "values", "whole")

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
        #: For each reference, whether it was a variable's fallback text.
        self.fallbacks: list[bool] = []
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


def _plain_key(inner: str) -> KeyPath | None:
    """The usual reference, ``DB.HOST``, read with :meth:`str.split` alone
    (as :func:`~ampho.config.tree.split_key` reads it); ``None`` when it
    needs more: quotes, a variable, white space at either end."""
    if '"' in inner or inner.startswith(ENV) or inner != inner.strip():
        return None
    key = tuple(inner.split("."))
    return key if all(key) else None


def _reference(text: str, inner: str) -> Reference:
    key = _plain_key(inner)
    if key is not None:
        return Reference(text, key)
    # A variable's fallback is the text as written, spaces and all.
    inner = inner.lstrip()
    if not inner.strip():
        raise ValueError(f"{text} names nothing: write ${{KEY.PATH}} or ${{env:NAME}}")
    if inner.startswith(ENV):
        name, separator, default = inner[len(ENV) :].partition(FALLBACK)
        name = name.strip()
        if not name:
            raise ValueError(f"{text} names no variable: write ${{env:NAME}}")
        return Reference(text, variable=name, default=default if separator else None)
    try:
        key = split_key(inner.rstrip())
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


class Resolution:
    """What a resolution kept: each template, by path, and what each
    variable gave it. A setting's value is the final one, which the
    configuration keeps read-only; a variable may change after the load,
    so its value is kept as it was then."""

    __slots__ = ("fallbacks", "records", "variables")

    def __init__(self) -> None:
        #: The templates, by path.
        self.records: dict[ValuePath, str] = {}
        #: ``(path, inside of the reference) -> value`` of each variable.
        self.variables: dict[tuple[ValuePath, str], Any] = {}
        #: The insides of ``${env:NAME:-text}`` whose text was used.
        self.fallbacks: set[str] = set()


def resolve(
    data: dict[str, Any],
    environ: Mapping[str, str],
    place: Place,
    schemas: Schemas | None = None,
    secret: Callable[[ValuePath], bool] | None = None,
) -> Resolution:
    """Resolve every reference of ``data``, in place.

    :param environ: where ``${env:NAME}`` is looked up.
    :param place: where a value starts, for the errors.
    :param schemas: the declared settings, which type a variable that
        is a whole value, as they type an ``AMPHO_*`` variable.
    :param secret: whether the value at a path is a secret, asked only
        for an error: the error then quotes no reference, which may be a
        part of the secret's text.
    :return: what :func:`compositions` makes the records of, when
        origins or printing ask.
    :raises ConfigError: one line at the template's place, for a key or
        a variable that is missing, a cycle, an object or list inside a
        longer string, a value that has no text, references nested too
        deeply, or a reference that cannot be read.
    """
    resolver = _Resolver(data, environ, place, schemas, secret)
    try:
        return resolver.run()
    except RecursionError:
        path = resolver.stack[0]
        raise resolver.error(
            path, f"the references nest more than {len(resolver.stack)} deep"
        ) from None


def compositions(resolution: Resolution, data: dict[str, Any]) -> dict[ValuePath, Composition]:
    """The records of resolved templates: each template, and what each of
    its references gave: the final value of a setting (``data``, the
    resolved settings), a variable's as it was at the load.

    Made only when asked for, by :attr:`Config.compositions
    <ampho.config.Config.compositions>`: a load resolves with strings and
    dicts alone, which is what keeps 1,000 references within a
    millisecond or two.
    """
    known: dict[str, Reference] = {}
    made = {}
    for path, template in resolution.records.items():
        composition = Composition(path, template, parse(template, known))
        for reference in composition.references:
            inner = reference.text[2:-1]
            if reference.key is None:
                value = resolution.variables[(path, inner)]
                composition.fallbacks.append(inner in resolution.fallbacks)
            else:
                value = data
                for part in reference.key:
                    value = value[part]
                composition.fallbacks.append(False)
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
    # A list's item has no declared type of its own here: JSON, else text.
    declared = schemas is not None and len(keys) == len(path)
    types = items = None
    if declared and schemas is not None:
        types = schemas.declared_types(keys)
        if types is not None and "array" in types:
            items = schemas.declared_item_types(keys)
    return parse_value(f"env {reference.variable}", raw, keys, types, items=items)


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
        secret: Callable[[ValuePath], bool] | None,
    ) -> None:
        self.data = data
        self.environ = environ
        self.place = place
        self.schemas = schemas
        self.secret = secret
        #: Templates to resolve: path -> (template, its container).
        self.pending: dict[ValuePath, tuple[str, Any]] = {}
        self.resolution = Resolution()
        self.records = self.resolution.records
        self.stack: list[ValuePath] = []
        self.known: dict[str, Reference] = {}
        #: The key path each reference's inside names (``None`` for a
        #: variable): all the usual case needs.
        self.keys: dict[str, Any] = {}

    def run(self) -> Resolution:
        pending = self.pending
        for path, template, container in list(templates(self.data)):
            pending[path] = (template, container)
        # In the order found; one resolved before its turn, as a part of
        # another, is passed over.
        for path in list(pending):
            if path in pending:
                self.compose(path)
        return self.resolution

    def error(
        self, path: ValuePath, message: str, reference: str = "", hidden: str = ""
    ) -> ConfigError:
        """The error at the template of ``path``, quoting ``reference`` (the
        text as written) unless the value is a secret, whose text it may
        be part of: then ``hidden`` is said, if given, instead of
        ``message``, which may quote more of it."""
        if reference:
            if self.secret is not None and self.secret(path):
                message = f"a reference {hidden or message}"
            else:
                gap = "" if message.startswith(":") else " "
                message = f"{reference}{gap}{message}"
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
        and each reference's inside is read once (:meth:`key_of`): no
        object is made for a template, and the usual reference, a walk
        to a plain value, is followed right here. That is what keeps a
        thousand of them within a millisecond or two.
        """
        stack, pending = self.stack, self.pending
        if path in stack:
            cycle = [format_key(p) for p in stack[stack.index(path) :]]
            cycle.append(format_key(path))
            raise self.error(path, f"the references go round in a cycle: {' -> '.join(cycle)}")
        template, container = pending[path]
        stack.append(path)
        parts = template.split(OPEN)
        if ESCAPED in template:
            value = self.compose_escaped(path, template)
        elif not parts[0] and len(parts) == 2 and parts[1].find(CLOSE) == len(parts[1]) - 1:
            value = self.value_of(path, self.read(path, parts[1][:-1]), whole=True)
            self.records[path] = template
        else:
            text = [parts[0]]
            keys, data = self.keys, self.data
            for part in parts[1:]:
                inner, closed, after = part.partition(CLOSE)
                if not closed:
                    raise self.error(path, _UNCLOSED)
                key = keys.get(inner, _ELSEWHERE)
                if key is _ELSEWHERE:
                    key = keys[inner] = self.key_of(path, inner)
                found: Any = data
                for part_key in key or ():
                    found = found.get(part_key, _ELSEWHERE) if type(found) is dict else _ELSEWHERE
                if type(found) is str and OPEN not in found:
                    text.append(found)  # the usual case: a plain string
                else:
                    if key is None or type(found) not in _TEXT_TYPES or type(found) is str:
                        found = self.text_of(path, inner)
                    text.append(found if type(found) is str else json.dumps(found))
                text.append(after)
            value = "".join(text)
            self.records[path] = template
        stack.pop()
        del pending[path]
        container[path[-1]] = value
        return value

    def text_of(self, path: ValuePath, inner: str) -> Any:
        """A reference's value inside a longer string, when it is not the
        usual case: a variable, a template to resolve first, an error."""
        found = self.value_of(path, self.read(path, inner))
        if type(found) not in _TEXT_TYPES:
            raise self.error(
                path,
                f"is {_kind(found)}, which has no text to put in a longer string",
                OPEN + inner + CLOSE,
            )
        return found

    def compose_escaped(self, path: ValuePath, template: str) -> Any:
        """:meth:`compose` of a template that holds ``$${``, by its pieces."""
        try:
            pieces = parse(template, self.known)
        except ValueError as e:
            raise self.error(path, str(e)) from None
        references = [piece for piece in pieces if isinstance(piece, Reference)]
        if not references:
            return "".join(piece for piece in pieces if isinstance(piece, str))
        self.records[path] = template
        if len(pieces) == 1:
            return self.value_of(path, references[0], whole=True)
        text = []
        for piece in pieces:
            if isinstance(piece, str):
                text.append(piece)
                continue
            found = self.value_of(path, piece)
            if type(found) not in _TEXT_TYPES:
                raise self.error(
                    path,
                    f"is {_kind(found)}, which has no text to put in a longer string",
                    piece.text,
                )
            text.append(_as_text(found))
        return "".join(text)

    def key_of(self, path: ValuePath, inner: str) -> KeyPath | None:
        """The key path a reference's inside names, ``None`` for a
        variable."""
        key = _plain_key(inner)
        return key if key is not None else self.read(path, inner).key

    def read(self, path: ValuePath, inner: str) -> Reference:
        """The reference whose inside is ``inner``, read once."""
        reference = self.known.get(inner)
        if reference is None:
            try:
                reference = _reference(OPEN + inner + CLOSE, inner)
            except ValueError as e:
                hidden = self.secret is not None and self.secret(path)
                raise self.error(
                    path, "a reference in it cannot be read" if hidden else str(e)
                ) from None
            self.known[inner] = reference
        return reference

    def value_of(self, path: ValuePath, reference: Reference, *, whole: bool = False) -> Any:
        if reference.key is not None:
            value = self.setting(path, reference)
        else:
            value = self.variable(path, reference, whole=whole)
        if isinstance(value, (dict, list, tuple)):
            if not whole:
                raise self.error(
                    path,
                    f"is {_kind(value)}, which cannot be part of a longer string:"
                    " make the whole string the reference",
                    reference.text,
                )
            return copy_tree(value)
        return value

    def variable(self, path: ValuePath, reference: Reference, *, whole: bool) -> Any:
        name = reference.variable
        raw = self.environ.get(name) if name is not None else None
        if not raw and reference.default is not None:
            raw = reference.default
            self.resolution.fallbacks.add(reference.text[2:-1])
        if raw is None:
            raise self.error(
                path,
                f": the environment variable {name} is not set"
                f" (write ${{env:{name}:-text}} for a value to use then)",
                reference.text,
                hidden="names an environment variable that is not set",
            )
        try:
            value = _typed(raw, reference, path, self.schemas, whole)
        except ConfigError as e:
            raise self.error(
                path, f": {e.message}", reference.text, hidden="names a variable it cannot read"
            ) from None
        self.resolution.variables[(path, reference.text[2:-1])] = value
        return value

    def setting(self, path: ValuePath, reference: Reference) -> Any:
        """The value at the key a reference names, its templates resolved
        first (a template on the way, or any below it)."""
        key = reference.key
        assert key is not None
        node: Any = self.data
        pending = self.pending
        for depth, part in enumerate(key, 1):
            if not isinstance(node, dict) or part not in node:
                raise self.error(path, "names no setting", reference.text)
            node = node[part]
            # Only a string holding ${ can be a template still to resolve.
            if isinstance(node, str) and OPEN in node and key[:depth] in pending:
                node = self.compose(key[:depth])
        if pending and isinstance(node, (dict, list)):
            self.compose_below(key, node)
        return node

    def compose_below(self, path: ValuePath, node: Any) -> None:
        """Resolve, in place, the templates inside ``node`` (at ``path``)
        that are still to resolve: an object named whole must be copied
        resolved. A walk of that object alone, whatever else is pending."""
        stack: list[tuple[Any, ValuePath]] = [(node, path)]
        while stack:
            container, where = stack.pop()
            items = container.items() if isinstance(container, dict) else enumerate(container)
            for key, value in list(items):
                if isinstance(value, str):
                    if OPEN in value and (*where, key) in self.pending:
                        self.compose((*where, key))
                elif isinstance(value, (dict, list)):
                    stack.append((value, (*where, key)))


#: What a walk finds where it must leave the usual case to setting().
_ELSEWHERE: Any = object()

#: The types of the values that have a text to put in a longer string.
_TEXT_TYPES = frozenset({str, int, float, bool, type(None)})


def _kind(value: Any) -> str:
    """What a value is, for a message: ``an object``, ``a list``, ``a timedelta``."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "a list"
    return f"a {type(value).__name__}"


def _as_text(value: Any) -> str:
    """A value inside a longer string: a string as it is, else JSON."""
    return value if isinstance(value, str) else json.dumps(value)
