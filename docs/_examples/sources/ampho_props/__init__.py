"""A source of settings from a properties file, for "Writing a source".

Each line is ``KEY.PATH = value``; the value is read as JSON when it is
JSON, and as the text when not. A line starting with ``!`` marks its
value a secret, and ``#`` starts a comment line. Registered as the
scheme ``props`` in the entry-point group ``ampho.sources``, so
``AMPHO_SOURCES=props:settings.properties`` adds the file as a layer.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from ampho.config import Origin, Source


class PropertiesSource(Source):
    """The settings of one properties file."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.name = f"props {path}"
        self.lines: dict[tuple[str, ...], int] = {}
        self.secrets: list[tuple[str, ...]] = []

    def read(self) -> dict[str, Any]:
        try:
            with open(self.path, encoding="utf-8") as file:
                text = file.read()
        except OSError as e:
            raise self.error(f"cannot read it: {e.strerror}") from None
        settings: dict[str, Any] = {}
        for number, line in enumerate(text.splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            secret = line.startswith("!")
            key, equals, value = line.lstrip("!").partition("=")
            if not equals or not key.strip():
                raise self.error("expected KEY.PATH = value", line=number)
            path = tuple(key.strip().split("."))
            node = settings
            for part in path[:-1]:
                node = node.setdefault(part, {})
            node[path[-1]] = _value(value.strip())
            self.lines[path] = number
            if secret:
                self.secrets.append(path)
        return settings

    def origin(self, path: tuple[str, ...]) -> Origin | None:
        # The line that set the key, or for an object the first line in it.
        found = [n for p, n in self.lines.items() if p[: len(path)] == path]
        return self.origin_named(self.name, min(found), 1) if found else None

    def secret_paths(self) -> list[tuple[str, ...]]:
        return self.secrets


def _value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def from_url(rest: str, environ: Mapping[str, str]) -> PropertiesSource:
    """``props:<path>``: a relative path is taken from the current directory."""
    return PropertiesSource(os.path.normpath(rest))
