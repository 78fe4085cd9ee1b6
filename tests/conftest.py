"""Shared fixtures for the config engine tests.

Every load made through :func:`load_root` names its user, host and
environment mapping, so the machine's ``$USER``, ``$HOSTNAME`` and
``AMPHO_*`` variables never reach a test.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ampho.config import Config, load


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """An application root directory with an empty ``instance`` directory."""
    (tmp_path / "instance").mkdir()
    return tmp_path


@pytest.fixture
def write(root: Path) -> Callable[..., Path]:
    """Write a file under the root: ``write("instance/default.json", text)``.

    ``text`` may be ``str`` (written as UTF-8, newlines kept as given) or
    ``bytes``; ``mode`` is applied with chmod when given.
    """

    def write(relative: str, text: str | bytes, mode: int | None = None) -> Path:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8") if isinstance(text, str) else text
        path.write_bytes(data)
        if mode is not None:
            os.chmod(path, mode)
        return path

    return write


@pytest.fixture
def load_root(root: Path) -> Callable[..., Config]:
    """``load()`` at the root, as user ``u`` on host ``h``, with no variables.

    Keyword arguments override these choices.
    """

    def load_root(**kwargs: Any) -> Config:
        kwargs.setdefault("root_dir", root)
        kwargs.setdefault("user", "u")
        kwargs.setdefault("host", "h")
        kwargs.setdefault("environ", {})
        return load(**kwargs)

    return load_root
