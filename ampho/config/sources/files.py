"""A JSON file as a layer: the instance files, the bundles' ``default.json``,
a ``defaults=`` path.

A file is read only if it is a regular one, parsed by the C decoder,
and kept as text: where each key is written is found only when first
asked (:class:`FileSource`), so a load that never asks does not pay for
it. What to say about a file the decoder refused is in
:mod:`~ampho.config.jsonerrors`, imported only then.
"""

from __future__ import annotations

import json
import os
import stat
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, Origin
from ..jsontext import (
    DuplicateKey,
    Lines,
    NotANumber,
    decode,
    key_offsets,
    lone_surrogate,
    value_offset,
)
from ..tree import NOTHING, copy_tree, merge_layer, walk
from . import Layer, Source

if TYPE_CHECKING:
    from ..tree import KeyPath

#: A top-level key of a settings file that is for editors, not a setting.
SCHEMA_KEY = "$schema"


class FileSource(Source):
    """A JSON file layer; a file that is not there is a layer not found.

    Where keys are is found on the first question: it indexes the whole
    file (where each key is, where each line starts) in one pass, and
    every answer after it is a lookup, so placing every key of a file
    takes time in proportion to its size.

    :param path: the file; ``None`` for a layer that has no file to read
        (the ``{user}@{host}.json`` of a user with no name).
    :param name: how the file is shown: relative to the root directory,
        or the name given to a ``defaults=`` item.
    """

    __slots__ = ("_kept", "_lines", "_offsets", "_said", "keep", "name", "path", "text")

    def __init__(self, path: str | None, name: str) -> None:
        self.path = path
        self.name = name
        #: The file's text, once read; ``""`` for a missing file.
        self.text = ""
        #: Key paths whose values the file keeps a copy of when it is
        #: read, for :meth:`value`: the keys a schema merges its own way
        #: (:mod:`~ampho.config.merging`), which asks every layer.
        self.keep: frozenset[KeyPath] = frozenset()
        self.marked_secrets = frozenset()
        self._offsets: dict[KeyPath, int] | None = None
        self._lines: Lines | None = None
        self._said: Any = None
        self._kept: dict[KeyPath, Any] = {}

    def read(self) -> dict[str, Any]:
        """The file's settings (without a top-level ``"$schema"``), or an
        empty dict when there is no such file."""
        parsed = None if self.path is None else read_json_file(self.path, self.name)
        if parsed is None:
            return {}
        data, self.text = parsed
        data.pop(SCHEMA_KEY, None)
        return data

    def apply(self, data: dict[str, Any]) -> Source:
        """Merge the file's settings, freshly parsed, so owned by nobody."""
        read = self.read()
        self.layer = Layer(self.name, self.path, bool(self.text))
        if read:
            for path in self.keep:
                value = walk(read, path)
                if value is not NOTHING:
                    self._kept[path] = copy_tree(value)
            merge_layer(data, read, self.name)
        return self

    def holds_references(self) -> bool:
        """Whether the file's text holds ``${`` anywhere: one search of
        the text as read, never a walk of the settings. One character is
        searched for first, as fast as memory reads (measured: a search
        for ``${`` through 2,000 settings costs 0.4% of a cold load, one
        for ``$`` nothing measurable)."""
        text = self.text
        if "$" in text and "${" in text:
            return True
        # JSON may write the characters as escapes, \u0024 and \u007b:
        # searched for only where a backslash is (one character, fast).
        return "\\" in text and "\\u00" in text and "${" in self._decoded_text()

    def _origin_at(self, offset: int) -> Origin:
        if self._lines is None:
            self._lines = Lines(self.text)
        line, column = self._lines.position(offset)
        return Origin(self.name, line, column, self.layer)

    def _offset(self, path: KeyPath) -> int | None:
        if self._offsets is None:
            self._offsets = key_offsets(self.text)
        return self._offsets.get(path)

    def origin(self, path: KeyPath) -> Origin | None:
        """The key's ``file:line:column``."""
        offset = self._offset(path)
        return None if offset is None else self._origin_at(offset)

    def value_origin(self, path: KeyPath) -> Origin | None:
        """Where the value of the key at ``path`` starts, rather than the key."""
        offset = self._offset(path)
        return None if offset is None else self._origin_at(value_offset(self.text, offset))

    def _decoded_text(self) -> str:
        """The file's strings, decoded, as one text (only asked for a file
        that writes escapes)."""
        return json.dumps(self.value(()), ensure_ascii=False)

    def value(self, path: KeyPath) -> Any:
        """What the file itself says at ``path``: for a path of
        :attr:`keep`, the copy kept when it was read; else the file is
        parsed again, once, when first asked, which only
        :meth:`Config.explain <ampho.config.Config.explain>` does."""
        if not self.text:
            return NOTHING
        if path in self._kept:
            return self._kept[path]
        if path in self.keep:
            return NOTHING
        if self._said is None:
            self._said = decode(self.text, allow_duplicates=True)
        return walk(self._said, path)


def is_hidden_or_backup(name: str) -> bool:
    """Whether a directory entry is a tool's file beside the settings, not one.

    Hidden names: Emacs's lock ``.#name`` (a dangling symbolic link while
    the file is open), Vim's swap file ``.name.swp``, Kubernetes's
    ``..data``; backups: ``name~``, and Emacs's auto-save ``#name#``. The
    secrets directory and ``ampho config check`` in the instance directory
    pass over them alike, so a file open in an editor breaks neither.
    """
    return name.startswith((".", "#")) or name.endswith("~")


def read_json_file(
    path: str, source: str, *, allow_duplicates: bool = False
) -> tuple[dict[str, Any], str] | None:
    """Read and parse one layer file.

    Only a regular file is read. It is opened without blocking, so a FIFO
    (which would wait for a writer forever) or a device (``/dev/zero``
    would be read until memory runs out) is told apart and refused.

    :param path: the file to read.
    :param source: how to name the file in errors.
    :param allow_duplicates: passed on to :func:`parse_json`.
    :return: ``(data, text)``, or ``None`` when there is no such file.
    :raises ConfigError: for anything that keeps the file from being a
        usable layer, located as precisely as the problem allows.
    """
    raw = read_regular_file(path, source)
    if raw is None:
        return None
    return parse_json(raw, path, source, allow_duplicates=allow_duplicates)


def read_regular_file(path: str, source: str) -> bytes | None:
    """The bytes of a regular file; ``None`` when there is no such file.

    :raises ConfigError: when the path is something else (a directory,
        a FIFO, a socket, a device, a link to nothing) or cannot be read.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        # A symbolic link to nothing is a mistake, not an absent layer.
        if os.path.islink(path):
            raise ConfigError(
                "is a symbolic link to a missing file", path=path, source=source
            ) from None
        return None
    except OSError as e:
        # Opening a socket fails (ENXIO); say what it is when it can be told.
        try:
            mode = os.stat(path).st_mode
        except OSError:
            mode = stat.S_IFREG
        if not stat.S_ISREG(mode):
            raise _not_a_file(path, source, mode) from None
        raise ConfigError(f"cannot be read: {e.strerror or e}", path=path, source=source) from None
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise _not_a_file(path, source, mode)
        with open(descriptor, "rb", closefd=False) as f:
            return f.read()
    except OSError as e:
        raise ConfigError(f"cannot be read: {e.strerror or e}", path=path, source=source) from None
    finally:
        os.close(descriptor)


def _not_a_file(path: str, source: str, mode: int) -> ConfigError:
    kind = file_kind(mode)
    if os.path.islink(path):
        kind = f"a symbolic link to {os.path.realpath(path)}, {kind}"
    if stat.S_ISDIR(mode):
        return ConfigError(f"is {kind}, not a file", path=path, source=source)
    return ConfigError(f"is {kind}, not a regular file", path=path, source=source)


def file_kind(mode: int) -> str:
    """What a file is, by its ``st_mode``: ``a FIFO``, ``a directory``..."""
    for test, kind in (
        (stat.S_ISREG, "a regular file"),
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    ):
        if test(mode):
            return kind
    return "not a regular file"


def parse_json(
    raw: bytes, path: str | None, source: str, *, allow_duplicates: bool = False
) -> tuple[dict[str, Any], str]:
    """Decode and parse one JSON document that must hold an object.

    :param allow_duplicates: keep the last of repeated keys instead of
        failing, for a caller that reports them all.
    :return: the parsed object and the decoded text, which is kept to
        find the positions of keys later.

    A UTF-8 byte order mark is accepted, because some editors on Windows
    write one. Python's :mod:`json` keeps the last of two equal keys in
    one object; here that is an error, because the first value is lost
    without a word, which is how a typo eats a setting.
    """
    try:
        # Not the "utf-8-sig" codec: looking it up imports a module, which
        # a cold start pays for. The byte order mark is one character.
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as e:
        from ..jsonerrors import undecodable

        raise undecodable(raw, e, path, source) from None
    if not text.strip(" \t\r\n"):  # JSON's whitespace, and only that
        raise ConfigError(
            "is empty; write {} for a layer with no settings", path=path, source=source
        )
    try:
        data = decode(text, allow_duplicates=allow_duplicates)
    except (json.JSONDecodeError, DuplicateKey, RecursionError, NotANumber, ValueError) as e:
        # ValueError: an integer longer than int() takes (4,300 digits).
        from ..jsonerrors import refused

        raise refused(e, raw, text, path, source) from None
    # A lone surrogate can only come from a \u escape: cheap tests first.
    # One character is searched for as fast as memory reads (measured:
    # 0.01 ms on 20,000 settings, where the two longer searches take 1 ms).
    if "\\" in text and ("\\ud" in text or "\\uD" in text):
        found = lone_surrogate(text)
        if found is not None:
            from ..jsonerrors import value_error_at

            raise value_error_at(found, text, path, source)
    if not isinstance(data, dict):
        from ..jsonerrors import not_an_object

        raise not_an_object(data, text, path, source)
    return data, text
