"""The ``AMPHO_*`` environment variables as a layer.

:class:`EnvironSource` follows Flask's :meth:`flask.Config.from_prefixed_env`
rule for rule, so that what a Flask user knows holds here too: names are
applied in sorted order with the prefix stripped, each value goes
through :func:`json.loads` and stays the raw string when that fails, and
``__`` in a name nests into dicts, creating them when missing. A few
things differ. The control variables (``AMPHO_ENV``, ``AMPHO_ENTRY``,
``AMPHO_ROOT``, ``AMPHO_INSTANCE_DIR``, ``AMPHO_SECRETS_DIR``,
``AMPHO_SOURCES``) choose *which* configuration is loaded and are never
settings themselves.
Descending into a value that is not a dict
(``AMPHO_DB__HOST`` while ``DB`` is a string) is a :class:`ConfigError`
naming the variable, where Flask raises a bare :exc:`TypeError`. And
what JSON cannot hold is a :class:`ConfigError` too, where Flask keeps
it: ``NaN``, ``Infinity`` and ``1e999`` (floats no JSON output can write
back), text that is not valid UTF-8, and a name nesting more than
:data:`MAX_NAME_LEVELS` levels.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, Origin
from ..jsontext import NotANumber, decode, json_type, json_types_of, lone_surrogate
from ..tree import NOTHING, format_key, holds_text, walk
from . import Layer, Source

if TYPE_CHECKING:
    from ..schema import Schemas
    from ..tree import KeyPath, ValuePath

#: Names of variables that steer loading, after the prefix.
CONTROL_NAMES = ("ENV", "ENTRY", "ROOT", "INSTANCE_DIR", "SECRETS_DIR", "SOURCES")

#: A key that survives the trip through a variable name (or a secrets
#: file's name): no leading, trailing or doubled underscore, which
#: ``__`` splitting would eat.
NAME_PART = r"[A-Za-z0-9]+(?:_[A-Za-z0-9]+)*"

#: How many levels one variable name may nest (``A__B__C`` is three).
#: Far beyond any real setting, and it keeps what variables build within
#: the depth every printer can handle.
MAX_NAME_LEVELS = 100


class AssignmentsSource(Source):
    """A layer of assignments, each a value set at a key path, in order:
    the environment's variables and the secrets directory's files.

    An assignment replaces the whole value at its key path rather than
    merging into it, so such a source overrides :meth:`apply`, and
    remembers each assignment, in order, to answer origins.

    :param name: how the layer is shown.
    :param schemas: the declared settings, if any, which type the values
        (:func:`parse_value`).
    """

    __slots__ = ("_last_at", "_last_under", "_schemas", "applied", "name")

    #: How an assignment's name (a variable, a file) is shown as an origin.
    label = "{}"

    def __init__(self, name: str, schemas: Schemas | None = None) -> None:
        self.name = name
        self._schemas = schemas
        #: ``(name, key path, value)`` of each assignment applied, in order.
        self.applied: list[tuple[str, KeyPath, Any]] = []
        self.marked_secrets = frozenset()
        self._last_at: dict[KeyPath, int] | None = None
        self._last_under: dict[KeyPath, int] = {}

    def assign(self, data: dict[str, Any]) -> list[tuple[str, KeyPath, Any]]:
        """Set each value at its key path in ``data``, in place; say which."""
        raise NotImplementedError

    def read(self) -> dict[str, Any]:
        """What the assignments set, as a tree of its own."""
        tree: dict[str, Any] = {}
        self.assign(tree)
        return tree

    def apply(self, data: dict[str, Any]) -> Source:
        """Set each value at its key path in ``data``, in place.

        :raises ConfigError: when an assignment would descend into a
            value that is not an object, nests too deeply, or holds what
            JSON cannot.
        """
        self.applied = self.assign(data)
        self._last_at = None
        self._last_under = {}
        self.layer = Layer(self.name, None, bool(self.applied))
        return self

    def holds_references(self) -> bool:
        """Whether a value assigned holds ``${``."""
        return any(holds_text(value, "${") for _, _, value in self.applied)

    def _index(self) -> dict[KeyPath, int]:
        """Index the variables by key path, once: asking each origin by
        going through every variable took minutes for a dump of ten
        thousand of them.

        ``_last_at`` maps a key path to the last variable that set it,
        ``_last_under`` a key path to the last variable set at or below
        it (under each of the variable's key path's prefixes).
        """
        last_at: dict[KeyPath, int] = {}
        last_under = self._last_under
        for index, (_, target, _) in enumerate(self.applied):
            last_at[target] = index
            for depth in range(len(target) + 1):
                last_under[target[:depth]] = index
        self._last_at = last_at
        return last_at

    def origin(self, path: KeyPath) -> Origin | None:
        # A variable replaces the whole value at its path, so the last
        # one at or above the path set it; one below it changed the
        # object at the path.
        last_at = self._index() if self._last_at is None else self._last_at
        found = self._last_under.get(path, -1)
        for depth in range(1, len(path)):
            found = max(found, last_at.get(path[:depth], -1))
        if found < 0:
            return None
        return Origin(self.label.format(self.applied[found][0]), None, None, self.layer)

    def value(self, path: KeyPath) -> Any:
        """What this layer's entries set at ``path``, applied in order."""
        tree: dict[str, Any] = {}
        touched = False
        for _, target, value in self.applied:
            depth = min(len(target), len(path))
            if target[:depth] != path[:depth]:
                continue
            touched = True
            node = tree
            for key in target[:-1]:
                if not isinstance(node.get(key), dict):
                    node[key] = {}
                node = node[key]
            node[target[-1]] = value
        return walk(tree, path) if touched else NOTHING


class EnvironSource(AssignmentsSource):
    """The prefixed variables, set at their key paths in sorted name order
    (:func:`apply_environ`).

    :param environ: the variables.
    :param prefix: their prefix, without ``_``.
    :param schemas: the declared settings, if any, which type the values.
    """

    __slots__ = ("_prefix", "environ")

    label = "env {}"

    def __init__(
        self, environ: Mapping[str, str], prefix: str, schemas: Schemas | None = None
    ) -> None:
        super().__init__("env", schemas)
        self.environ = environ
        self._prefix = prefix

    def assign(self, data: dict[str, Any]) -> list[tuple[str, KeyPath, Any]]:
        """Apply the variables to ``data``, in place."""
        return apply_environ(data, self.environ, self._prefix, self._schemas)


def apply_environ(
    data: dict[str, Any],
    environ: Mapping[str, str],
    prefix: str,
    schemas: Schemas | None = None,
) -> list[tuple[str, tuple[str, ...], Any]]:
    """Apply the prefixed variables of ``environ`` to ``data``, in place.

    :param schemas: the declared settings, if any: where they declare a
        key a string (and not what JSON makes of the value), the value
        is the text, so ``AMPHO_ZIP=12345`` is ``"12345"``.
    :return: ``(variable, key path, value)`` for each variable applied,
        in the order applied, which is what origins need.
    :raises ConfigError: when a variable would descend into a value that
        is not a dict, nests too deeply, or holds what JSON cannot.
    """
    start = f"{prefix}_"
    control = {start + name for name in CONTROL_NAMES}
    applied = []
    for name in sorted(environ):
        if not name.startswith(start) or name in control:
            continue
        raw = environ[name]
        *parents, child = name[len(start) :].split("__")
        if len(parents) >= MAX_NAME_LEVELS:
            raise ConfigError(
                f"the name nests {len(parents) + 1} levels; at most {MAX_NAME_LEVELS} are read",
                source=f"env {_printable_name(name[:40])}...",
            )
        path = (*parents, child)
        _check_text(f"env {_printable_name(name)}", "name", name)
        types = items = None
        if schemas is not None:
            types = schemas.declared_types(path)
            if types is not None and "array" in types:
                items = schemas.declared_item_types(path)
        value = parse_value(f"env {_printable_name(name)}", raw, path, types, items=items)
        set_at(data, path, value, f"env {name}")
        applied.append((name, path, kept(value)))
    return applied


def kept(value: Any) -> Any:
    """A copy of a container value, for the source to keep apart from the tree."""
    if isinstance(value, (dict, list)):
        from ..tree import copy_tree

        return copy_tree(value)
    return value


def set_at(data: dict[str, Any], path: tuple[str, ...], value: Any, source: str) -> None:
    """Set ``value`` at a key path, creating the objects above it.

    :raises ConfigError: from ``source`` when a key above is not an object.
    """
    *parents, child = path
    current = data
    for depth, parent in enumerate(parents):
        if parent not in current:
            current[parent] = {}
        current = current[parent]
        if not isinstance(current, dict):
            key = ".".join(parents[: depth + 1])
            raise ConfigError(
                f"cannot set {'.'.join(path)}: {key} is {json_type(current)}, not an object",
                source=source,
            )
    current[child] = value


def parse_value(
    source: str,
    raw: str,
    path: tuple[str, ...],
    types: frozenset[str] | None = None,
    *,
    default_text: bool = False,
    items: frozenset[str] | None = None,
) -> Any:
    """A variable's (or secrets file's) value, typed by the declared ``types``.

    - Undeclared (``types`` is ``None``): read as Flask reads a variable
      (:func:`_parse_value`), or the text when ``default_text``.
    - Declared without ``string``: read as Flask reads it too; the
      schema then judges what JSON made of it.
    - Declared a string only: the text as written, never decoded, so
      ``AMPHO_ZIP=01067`` and ``AMPHO_ZIP='"01067"'`` keep their digits
      and their quotes, and a password file holding ``"pass\\u0077ord"``
      is those fifteen characters.
    - Declared a string and other types: decoded as Flask does, and the
      decoded value kept when its JSON type is declared, else the text:
      with string or integer, ``5`` is the integer and ``"5"`` the
      string ``5``, which is also how ``ampho config dump --format env``
      writes them, so a dump read back gives the same settings.
    - Declared an array (and not a string) of items that are no objects
      or arrays: a list of the comma-separated items, each stripped of
      spaces and typed by ``items``, the declared types of an item, as a
      value is: ``a.example, b.example`` is two strings. A value that
      starts with ``[`` or ``{`` is JSON, judged as it is (an item holding
      a comma is written so, ``["a,b", "c"]``); ``null`` is JSON where
      null is declared; an empty value is an empty list. Items that are
      objects are never cut at commas, which would cut a JSON object
      written without its brackets into strings that quote its values.
    """
    if (
        types is not None
        and "array" in types
        and "string" not in types
        and not (items is not None and items & {"object", "array"})
    ):
        text = raw.strip()
        if text.startswith(("[", "{")) or (text == "null" and "null" in types):
            return _parse_value(source, raw, path)
        if not text:
            return []
        return [parse_value(source, item.strip(), path, items) for item in raw.split(",")]
    if types is None and default_text:
        _check_text(source, "value", raw)
        return raw
    if types is None or "string" not in types:
        return _parse_value(source, raw, path)
    _check_text(source, "value", raw)
    if types == {"string"}:
        return raw
    if types & {"integer", "number"}:
        value = _parse_value(source, raw, path)
    else:
        # Where numbers cannot go, NaN and 1e999 are text like any other.
        try:
            value = decode(raw, allow_duplicates=True)
        except Exception:
            return raw
    if not json_types_of(value) & types:
        return raw
    _refuse_lone_surrogate(raw, path, source)
    return value


def _check_text(source: str, what: str, text: str) -> None:
    """Refuse text that is not text: an undecodable byte, a lone surrogate."""
    if text.isascii():
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        bad = ord(text[e.start])
        # Python hands an undecodable byte over as U+DC80-U+DCFF.
        what_is_wrong = (
            f"is not valid UTF-8 (byte 0x{bad - 0xDC00:02x})"
            if 0xDC80 <= bad <= 0xDCFF
            else f"holds \\u{bad:04x}, half of a UTF-16 surrogate pair"
        )
        raise ConfigError(
            f"the {what} {what_is_wrong}; set it as UTF-8 text", source=source
        ) from None


def _parse_value(source: str, raw: str, path: tuple[str, ...]) -> Any:
    """A variable's value: its JSON, else the raw string, as Flask has it.

    What JSON cannot hold is refused rather than kept: ``NaN``,
    ``Infinity`` and ``1e999`` (Python's decoder would make floats of
    them, which no JSON output can write back), and text that is not
    text, such as an undecodable byte (which Python hands over as a lone
    surrogate) or a ``\\ud800`` escape.
    """
    _check_text(source, "value", raw)
    try:
        value = decode(raw, allow_duplicates=True)
    except NotANumber:
        from ..jsonerrors import not_json_value

        found = not_json_value(raw)
        if found is None or not _is_python_json(raw):
            return raw  # not JSON for other reasons too ("NaNa"): a string
        raise _value_error(path, found, source) from None
    except Exception:
        # Exactly Flask's rule: anything json cannot take stays a
        # string, including values nested too deeply for it and
        # integers longer than int() takes.
        return raw
    _refuse_lone_surrogate(raw, path, source)
    return value


def _refuse_lone_surrogate(raw: str, path: tuple[str, ...], source: str) -> None:
    """Refuse a ``\\u`` escape that is half a surrogate pair: Python's
    decoder accepts it, but the string it makes is not text."""
    if "\\u" in raw:
        found = lone_surrogate(raw)
        if found is not None:
            raise _value_error(path, found, source)


def _is_python_json(raw: str) -> bool:
    """Whether Python's own decoder, NaN and all, reads the whole value."""
    try:
        json.loads(raw)
    except Exception:
        return False
    return True


def _value_error(
    path: tuple[str, ...], found: tuple[ValuePath, str, int], source: str
) -> ConfigError:
    """The error for a value JSON cannot hold, at its key path under the variable's."""
    inner, problem, _ = found
    return ConfigError(f"{format_key((*path, *inner))}: {problem}", source=source)


def _printable_name(name: str) -> str:
    """A variable name that can be printed, undecodable bytes escaped."""
    if name.isascii():
        return name
    try:
        raw = name.encode("utf-8", "surrogateescape")  # an undecodable byte shows as \xff
    except UnicodeEncodeError:
        return name.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")
