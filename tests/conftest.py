"""Shared fixtures.

Every load made through :func:`load_root` names its user, host and
environment mapping, so the machine's ``$USER``, ``$HOSTNAME`` and
``AMPHO_*`` variables never reach a test. :func:`app_tree` writes real
bundle packages and forgets them afterwards, so the next test can use
the same package names.
"""

from __future__ import annotations

import os
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ampho.config import Config, load

if TYPE_CHECKING:
    from flask import Flask


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


class AppTree:
    """A root directory of bundle packages, importable while the test runs."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, files: dict[str, str | bytes]) -> Path:
        """Write files under the root; text is dedented.

        ``{"app/__init__.py": "REQUIRES = ['blog']", "blog/tpl/x.html": "..."}``
        """
        for relative, content in files.items():
            path = self.root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
        return self.root

    def bundle(self, name: str, **files: str) -> Path:
        """Write one bundle: ``bundle("blog", views="...", __init__="...")``.

        Keys are module names (``views`` becomes ``blog/views.py``);
        ``__init__`` defaults to an empty package.
        """
        files.setdefault("__init__", "")
        self.write({f"{name}/{module}.py": text for module, text in files.items()})
        return self.root / name

    def create_app(self, **config: Any) -> Flask:
        """The application of this root in testing mode, with ``config`` on top."""
        from ampho import create_app

        return create_app(root_dir=self.root, config={"TESTING": True, **config})


@pytest.fixture
def app_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTree]:
    """A fresh root with its packages importable, and no AMPHO_* variables.

    On teardown every module imported from the root is forgotten, so the
    next test can write packages of the same names.
    """
    root = tmp_path / "root"
    root.mkdir()
    for name in list(os.environ):
        if name.startswith("AMPHO_") or name in ("FLASK_ENV", "FLASK_DEBUG"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("USER", "u")
    monkeypatch.setenv("HOSTNAME", "h")
    monkeypatch.syspath_prepend(str(root))
    try:
        yield AppTree(root)
    finally:
        prefix = str(root) + os.sep
        for name, module in list(sys.modules.items()):
            location = getattr(module, "__file__", None) or ""
            paths = list(getattr(module, "__path__", []) or [])
            if location.startswith(prefix) or any(str(p).startswith(prefix) for p in paths):
                del sys.modules[name]
