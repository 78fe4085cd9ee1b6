"""Settings from a secrets directory, as Docker and Kubernetes mount them.

Each regular file of the directory is one setting: its name is the key
path, ``__`` nesting as in environment variable names (``DB__PASSWORD``
sets ``DB.PASSWORD``), and its content, less one trailing newline, is
the value. Docker puts secrets in ``/run/secrets/<name>``; Kubernetes
mounts a Secret as one symbolic link per key (``DB__PASSWORD ->
..data/DB__PASSWORD``, ``..data`` a link to a timestamped folder), so
links are followed, and hidden files and editors' backups are skipped
(:func:`~ampho.config.sources.files.is_hidden_or_backup`). A UTF-8 byte order mark at the start of
a file is dropped, as in instance files.

The content is typed by the schema as an environment value is
(:func:`~ampho.config.sources.environ.parse_value`): a password declared a
string is the file's text, quotes and backslashes included, never JSON
decoded; an undeclared key is the text too.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError
from . import Layer, Source
from .environ import NAME_PART, AssignmentsSource, kept, parse_value, set_at
from .files import is_hidden_or_backup, read_regular_file

if TYPE_CHECKING:
    from ..schema import Schemas
    from ..tree import KeyPath


class SecretsSource(AssignmentsSource):
    """The files of a secrets directory, applied as variables are, each
    at its key path; an origin names the file, and every value is a secret.

    :param directory: the absolute directory.
    :param name: how it is shown, relative to the root directory.
    :param schemas: the declared settings, if any, which type the values.
    """

    __slots__ = ("directory",)

    def __init__(self, directory: str, name: str, schemas: Schemas | None = None) -> None:
        super().__init__(name, schemas)
        self.directory = directory

    def assign(self, data: dict[str, Any]) -> list[tuple[str, KeyPath, Any]]:
        """Apply the files to ``data``, in place (:func:`read_secrets`)."""
        return read_secrets(self.directory, self.name, data, self._schemas)

    def apply(self, data: dict[str, Any]) -> Source:
        """Apply the files; every value read is a secret."""
        super().apply(data)
        self.layer = Layer(self.name, self.directory, self.layer.found)
        self.marked_secrets = frozenset(self.secret_paths())
        return self

    def secret_paths(self) -> list[KeyPath]:
        """Every key path read from the directory."""
        return [path for _, path, _ in self.applied]


def secrets_directory(
    secrets_dir: str | os.PathLike[str] | None,
    environ: Mapping[str, str],
    env_prefix: str,
    root: str,
) -> str | None:
    """The absolute secrets directory: the argument, else ``AMPHO_SECRETS_DIR``.

    :raises ConfigError: one line naming the variable (or the argument)
        when it names no directory: an empty layer would hide the typo.
    """
    source = "secrets_dir"
    if secrets_dir is None:
        source = f"{env_prefix}_SECRETS_DIR"
        secrets_dir = environ.get(source) or None
        if secrets_dir is None:
            return None
    directory = os.path.join(root, os.fspath(secrets_dir))
    if not os.path.isdir(directory):
        raise ConfigError(
            f"{os.fspath(secrets_dir)!r} is not a directory: set it to the directory of"
            " secrets files",
            source=source,
        )
    return os.path.abspath(directory)


def read_secrets(
    directory: str,
    shown: str,
    data: dict[str, Any],
    schemas: Schemas | None,
) -> list[tuple[str, KeyPath, Any]]:
    """Apply the files of ``directory`` to ``data``, in sorted name order.

    :param shown: how to show the directory in origins and errors.
    :return: ``(shown file, key path, value)`` of each file applied.
    :raises ConfigError: naming the file, for a name no key path can be
        read from, a file that is not a regular one or not UTF-8, or a
        name that descends into a value that is not an object.
    """
    applied = []
    try:
        names = sorted(os.listdir(directory))
    except OSError as e:
        raise ConfigError(f"cannot be read: {e.strerror or e}", source=shown) from None
    for name in names:
        if is_hidden_or_backup(name):
            continue
        path = os.path.join(directory, name)
        source = f"{shown.rstrip('/')}/{name}"
        if os.path.isdir(path):
            continue
        key_path = _key_path(name, path, source)
        raw = read_regular_file(path, source)
        if raw is None:  # removed since it was listed
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise ConfigError(
                f"is not valid UTF-8 (byte 0x{raw[e.start]:02x}); save it as UTF-8",
                path=path,
                source=source,
            ) from None
        # An editor on Windows may start the file with a byte order mark,
        # which is no part of the secret: dropped, as instance files drop it.
        text = text.removeprefix("\ufeff")
        text = text.removesuffix("\n").removesuffix("\r") if text.endswith("\n") else text
        types = items = None
        if schemas is not None:
            types = schemas.declared_types(key_path)
            if types is not None and "array" in types:
                items = schemas.declared_item_types(key_path)
        value = parse_value(source, text, key_path, types, default_text=True, items=items)
        set_at(data, key_path, value, source)
        applied.append((source, key_path, kept(value)))
    return applied


def _key_path(name: str, path: str, source: str) -> tuple[str, ...]:
    parts = tuple(name.split("__"))
    if not all(re.fullmatch(NAME_PART, part) for part in parts):
        raise ConfigError(
            "is not a setting's name: use letters, digits and single underscores,"
            " with __ between nested keys (DB__PASSWORD)",
            path=path,
            source=source,
        )
    return parts
