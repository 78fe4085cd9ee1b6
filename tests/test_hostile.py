"""The bad-input corpus: every hostile input gets one located line.

One table, :data:`CASES`, holds each bad input (files written under a
fresh root, environment variables, an optional ``prepare`` step for
what files cannot say: a FIFO, a symbolic link, a mode, a mount) and
the pieces its one line must hold (file, line, column, key). Every case
is run

- through the real ``ampho`` command in a subprocess, once per command
  in ``commands``: exactly one ``Error:`` line on stderr, a non-zero
  exit, no traceback, every piece in the line, no secret anywhere;
- through ``ampho config check`` (unless ``check=False``): an
  ``error:`` finding that holds the pieces, exit status 1;
- in-process (unless ``load=False`` / ``app=False``): through
  :func:`ampho.config.load` and :func:`ampho.create_app`, each of which
  must raise :class:`ampho.config.ConfigError` whose ``str()`` holds
  the pieces. The in-process calls run in a forked child, so a case
  that hangs is killed by an alarm instead of hanging the suite, and no
  module, logger or variable leaks into the next case.

Cases with ``unprivileged=True`` run as user 65534 (through ``setpriv``,
the command and, in a fresh interpreter, the calls) when the suite runs
as root, as it does in CI; their root directory is made
under the system's temporary directory with mode 0755 so that user can
enter it. A ``prepare`` step may call :func:`pytest.skip` when the
machine cannot do what it needs (mount a tmpfs, say), saying why; no
other case skips.

Adding a case: append a :class:`Case` to the table, in your own
labelled section at the end (``# -- logging settings --``).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from processes import AMPHO, free_port, in_child, run

#: The user id unprivileged cases run as.
NOBODY = 65534

#: Commands every case runs by default: each must print the one line.
CONFIG_COMMANDS: tuple[tuple[str, ...], ...] = (
    ("config", "dump"),
    ("config", "dump", "--explain"),
    ("config", "dump", "--format", "env"),
    ("config", "get", "A"),
)
#: Commands that build the application.
APP_COMMANDS: tuple[tuple[str, ...], ...] = (("routes",),)
ALL_COMMANDS = CONFIG_COMMANDS + APP_COMMANDS

#: The entry bundle every root holds, so ``routes`` and ``create_app`` run.
APP_FILES: Mapping[str, str] = {"app/__init__.py": ""}

#: An instance directory with an empty layer, for cases about other things.
INSTANCE: Mapping[str, str] = {"instance/default.json": "{}"}

#: A step run after the files are written, with the root directory; a
#: generator that yields once, so it can undo what it did (unmount).
Prepare = Callable[[Path], Iterator[None]]


@dataclass(frozen=True)
class Case:
    """One bad input, and what the one line about it must hold."""

    #: The test id: what the input is.
    name: str
    #: Files under the root (text is dedented); the entry bundle is added.
    files: Mapping[str, str | bytes] = field(default_factory=dict)
    #: Environment variables for the command and the calls.
    env: Mapping[str, str] = field(default_factory=dict)
    #: Pieces the line must hold: ``"instance/production.json:2:8"``, a key...
    pieces: tuple[str, ...] = ()
    #: Text that must appear nowhere in the output (secret values).
    secrets: tuple[str, ...] = ()
    #: The ``ampho`` commands run, each expected to print the one line.
    commands: tuple[tuple[str, ...], ...] = ALL_COMMANDS
    #: Whether ``ampho config check`` must report it as an error finding.
    check: bool = True
    #: Whether :func:`ampho.config.load` must raise it.
    load: bool = True
    #: Whether :func:`ampho.create_app` must raise it.
    app: bool = True
    #: Done after the files are written (FIFOs, links, modes, mounts).
    prepare: Prepare | None = None
    #: Run as user 65534 when the suite runs as root.
    unprivileged: bool = False


# --- prepare steps --------------------------------------------------------------------


def chmod(relative: str, mode: int) -> Prepare:
    """Give ``relative`` the mode ``mode`` while the case runs."""

    def prepare(root: Path) -> Iterator[None]:
        path = root / relative
        os.chmod(path, mode)
        try:
            yield
        finally:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)

    return prepare


def unix_socket(relative: str) -> Prepare:
    """Make ``relative`` a Unix socket, which ``open()`` cannot open at all."""

    def prepare(root: Path) -> Iterator[None]:
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        with socket.socket(socket.AF_UNIX) as server:
            server.bind(str(root / relative))
            yield

    return prepare


def _digits(count: int) -> str:
    return "9" * count


# instance directory and secret key: things files cannot say


def symlink(relative: str, target: str) -> Prepare:
    """Make ``relative`` a symbolic link to ``target`` (which may not exist)."""

    def prepare(root: Path) -> Iterator[None]:
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, root / relative)
        yield

    return prepare


def fifo(relative: str) -> Prepare:
    """Make ``relative`` a FIFO, which blocks whoever opens it to read."""

    def prepare(root: Path) -> Iterator[None]:
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(root / relative)
        yield

    return prepare


def tmpfs(relative: str, *, read_only: bool = False, full: bool = False) -> Prepare:
    """Mount a small tmpfs on the directory ``relative``: read-only, or filled up.

    Skips, saying why, where the machine allows no mount.
    """

    def prepare(root: Path) -> Iterator[None]:
        path = root / relative
        path.mkdir(parents=True, exist_ok=True)
        options = "ro,size=64k" if read_only else "size=16k,mode=0755"
        mounted = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
        if mounted.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
        try:
            if full:
                with contextlib.suppress(OSError), open(path / "filler", "wb") as f:
                    while True:
                        f.write(b"x" * 4096)
                        f.flush()
            yield
        finally:
            subprocess.run(["umount", str(path)], check=True)

    return prepare


#: ``ampho run`` on a port nothing listens on: it must fail before serving.
RUN = ("run", "--host", "127.0.0.1", "--port", str(free_port()))
#: What a broken instance directory or secret key is run through.
KEY_COMMANDS = (*APP_COMMANDS, RUN)


# --- the table ------------------------------------------------------------------------

CASES: list[Case] = [
    # -- settings that are not JSON --
    Case(
        "trailing comma",
        files={"instance/production.json": '{\n  "A": 1,\n}\n'},
        pieces=("instance/production.json:2:9", "remove the trailing comma"),
    ),
    Case(
        "duplicate key",
        files={"instance/production.json": '{\n  "A": 1,\n  "A": 2\n}\n'},
        pieces=("instance/production.json:3:3", "'A'"),
    ),
    Case(
        "NaN",
        files={"instance/production.json": '{\n  "RATE": NaN\n}\n'},
        pieces=("instance/production.json:2:11", "RATE", "NaN is not a JSON number"),
    ),
    Case(
        "Infinity in a list",
        files={"instance/production.json": '{\n  "A": {"B": [1, Infinity]}\n}\n'},
        pieces=("instance/production.json:2:18", "A.B.1", "Infinity is not a JSON number"),
    ),
    Case(
        "-Infinity",
        files={"instance/default.json": '{"LIMIT": -Infinity}'},
        pieces=("instance/default.json:1:11", "LIMIT", "-Infinity is not a JSON number"),
    ),
    Case(
        "1e999, too large for a float",
        files={"instance/production.json": '{\n  "A": 1,\n  "B": 1e999\n}\n'},
        pieces=("instance/production.json:3:8", "B", "1e999 is too large"),
    ),
    Case(
        "400 digits, too large for a float",
        files={"instance/production.json": '{"A": 1' + "0" * 400 + ".5}"},
        pieces=("instance/production.json:1:7", "A", "too large"),
    ),
    Case(
        "NaN in a bundle's default.json",
        files={**INSTANCE, "app/default.json": '{\n  "RATE": NaN\n}\n'},
        pieces=("app/default.json:2:11", "RATE", "NaN"),
        load=False,  # a bundle's file is the application's layer, not load()'s
    ),
    Case(
        "NaN in a variable",
        files=INSTANCE,
        env={"AMPHO_RATE": "NaN"},
        pieces=("env AMPHO_RATE", "RATE", "NaN is not a JSON number"),
    ),
    Case(
        "1e999 in a variable's list",
        files=INSTANCE,
        env={"AMPHO_A__B": "[1, 1e999]"},
        pieces=("env AMPHO_A__B", "A.B.1", "too large"),
    ),
    Case(
        "lone surrogate in a value",
        files={"instance/production.json": '{\n  "A": "x\\ud800"\n}\n'},
        pieces=("instance/production.json:2:10", "A", "\\ud800", "surrogate"),
    ),
    Case(
        "lone surrogate as a key",
        files={"instance/production.json": '{\n  "DB": {"\\udfff": 1}\n}\n'},
        pieces=("instance/production.json:2:11", "DB", "\\udfff", "surrogate"),
    ),
    Case(
        "low surrogate before a high one",
        files={"instance/default.json": '{"A": "\\udc00\\ud800"}'},
        pieces=("instance/default.json:1:8", "\\udc00"),
    ),
    Case(
        "lone surrogate in a variable",
        files=INSTANCE,
        env={"AMPHO_X": '"\\ud800"'},
        pieces=("env AMPHO_X", "\\ud800", "surrogate"),
    ),
    Case(
        "variable that is not UTF-8",
        files=INSTANCE,
        env={"AMPHO_X": "caf\udcff"},  # the byte 0xff, as os.environ holds it
        pieces=("env AMPHO_X", "not valid UTF-8", "0xff"),
    ),
    Case(
        "variable name that is not UTF-8",
        files=INSTANCE,
        env={"AMPHO_\udcff": "1"},
        pieces=("env AMPHO_\\xff", "not valid UTF-8"),
    ),
    Case(
        "integer of 5,000 digits",
        files={"instance/production.json": '{\n  "A": ' + _digits(5000) + "\n}\n"},
        pieces=("instance/production.json:2:8", "A", "5,000 digits"),
    ),
    Case(
        "variable name nesting 101 levels",
        files=INSTANCE,
        env={"AMPHO_" + "__".join(["A"] * 101): "1"},
        pieces=("env AMPHO_A__A", "101 levels", "at most 100"),
    ),
    # -- files that are not regular files --
    Case(
        "unreadable file",
        files={"instance/production.json": '{"A": 1}'},
        prepare=chmod("instance/production.json", 0),
        pieces=("instance/production.json", "cannot be read", "Permission denied"),
        unprivileged=True,
    ),
    Case(
        "FIFO",
        prepare=fifo("instance/production.json"),
        pieces=("instance/production.json", "is a FIFO, not a regular file"),
    ),
    Case(
        "symbolic link to /dev/zero",
        prepare=symlink("instance/production.json", "/dev/zero"),
        pieces=(
            "instance/production.json",
            "symbolic link to /dev/zero, a character device, not a regular file",
        ),
    ),
    Case(
        "socket",
        prepare=unix_socket("instance/default.json"),
        pieces=("instance/default.json", "is a socket, not a regular file"),
    ),
    Case(
        "directory",
        files={"instance/production.json/x": "{}"},
        pieces=("instance/production.json", "is a directory, not a file"),
    ),
    Case(
        "dangling symbolic link",
        prepare=symlink("instance/production.json", "gone.json"),
        pieces=("instance/production.json", "symbolic link to a missing file"),
    ),
    # load() here runs without the root on sys.path, so it sees no bundle.
    Case(
        "bundle default.json that is a FIFO",
        files={"instance/default.json": "{}"},
        prepare=fifo("app/default.json"),
        pieces=("app/default.json", "is a FIFO, not a regular file"),
        load=False,
    ),
    Case(
        "bundle schema.json that is a directory",
        files={"instance/default.json": "{}", "app/schema.json/x": "{}"},
        pieces=("app/schema.json", "is a directory, not a file"),
        load=False,
    ),
    Case(
        "unreadable instance directory",
        files={"instance/default.json": "{}"},
        prepare=chmod("instance", 0),
        pieces=("instance", "Permission denied"),
        unprivileged=True,
    ),
    Case(
        "instance directory that cannot be listed",
        # Its files can be opened, so the configuration loads; only the
        # check, which looks at every file, cannot do its work.
        files={"instance/default.json": "{}"},
        prepare=chmod("instance", 0o311),
        pieces=("instance", "cannot be read (Permission denied)"),
        commands=(),
        load=False,
        app=False,
        unprivileged=True,
    ),
    # -- instance directory and secret key --
    # None of these is about the settings: load() and `config check` read
    # no key, so they run through the commands that build the application
    # and create_app(). KEYPART marks text a message must never quote.
    Case(
        "blank secret key file",
        files={"instance/secret_key": ""},
        pieces=("instance/secret_key", "is empty", "SECRET_KEY"),
        commands=KEY_COMMANDS,
        check=False,
        load=False,
    ),
    Case(
        "secret key file of whitespace",
        files={"instance/secret_key": b"\n \t\r\n"},
        pieces=("instance/secret_key", "is empty"),
        commands=KEY_COMMANDS,
        check=False,
        load=False,
    ),
    Case(
        "secret key file that is a directory",
        files={"instance/secret_key/KEYPART": "x"},
        pieces=("instance/secret_key", "is a directory"),
        secrets=("KEYPART",),
        commands=KEY_COMMANDS,
        check=False,
        load=False,
    ),
    Case(
        "secret key not ASCII",
        files={"instance/secret_key": b"KEYPART\xffKEYPART\n"},
        pieces=("instance/secret_key:1:8", "not ASCII"),
        secrets=("KEYPART",),
        commands=KEY_COMMANDS,
        check=False,
        load=False,
    ),
    Case(
        "secret key holding a NUL",
        files={"instance/secret_key": b"KEYPART\x00KEYPART\n"},
        pieces=("instance/secret_key:1:8", "control character"),
        secrets=("KEYPART",),
        commands=KEY_COMMANDS,
        check=False,
        load=False,
    ),
    Case(
        "secret key of two lines",
        files={"instance/secret_key": "KEYPART1\nKEYPART2\n"},
        pieces=("instance/secret_key:1:9", "line break"),
        secrets=("KEYPART",),
        commands=KEY_COMMANDS,
        check=False,
        load=False,
    ),
    Case(
        "secret key file too large",
        files={"instance/secret_key": "KEYPART" * 1000},
        pieces=("instance/secret_key", "more than 4096 bytes"),
        secrets=("KEYPART",),
        commands=KEY_COMMANDS,
        check=False,
        load=False,
    ),
    Case(
        "secret key file that is a FIFO",
        files={"instance/default.json": "{}"},
        prepare=fifo("instance/secret_key"),
        pieces=("instance/secret_key", "is a FIFO"),
        commands=KEY_COMMANDS,
        check=False,
        load=False,
    ),
    Case(
        "secret key linked to /dev/zero",
        files={"instance/default.json": "{}"},
        prepare=symlink("instance/secret_key", "/dev/zero"),
        pieces=("instance/secret_key", "character device"),
        commands=KEY_COMMANDS,
        check=False,
        load=False,
    ),
    Case(
        "secret key a dangling symlink",
        files={"instance/default.json": "{}"},
        prepare=symlink("instance/secret_key", "gone"),
        pieces=("instance/secret_key", "symbolic link to a missing file", "gone"),
        commands=KEY_COMMANDS,
        check=False,
        load=False,
    ),
    Case(
        "unreadable secret key",
        files={"instance/secret_key": "KEYPART-0123456789abcdef0123456789abcdef\n"},
        prepare=chmod("instance/secret_key", 0o600),
        pieces=(
            "instance/secret_key",
            "cannot be read: Permission denied;",
            "make it readable by the user running the application",
            "uid 65534",
        ),
        secrets=("KEYPART",),
        commands=KEY_COMMANDS,
        check=False,
        load=False,
        unprivileged=True,
    ),
    Case(
        "instance directory not writable for a new key",
        files={"instance/default.json": "{}"},
        pieces=("instance/secret_key", "cannot be created: Permission denied;", "uid 65534"),
        commands=KEY_COMMANDS,
        check=False,
        load=False,
        unprivileged=True,
    ),
    Case(
        "instance directory on a read-only mount",
        prepare=tmpfs("instance", read_only=True),
        pieces=("instance/secret_key", "cannot be created: Read-only file system;"),
        commands=KEY_COMMANDS,
        check=False,
        load=False,
    ),
    Case(
        "instance directory on a full disk",
        prepare=tmpfs("instance", full=True),
        pieces=("instance/secret_key", "cannot be created: No space left on device;"),
        commands=KEY_COMMANDS,
        check=False,
        load=False,
    ),
    Case(
        "instance directory cannot be created",
        pieces=("instance: cannot be created: Permission denied;", "uid 65534"),
        commands=KEY_COMMANDS,
        check=False,
        load=False,
        unprivileged=True,
    ),
    Case(
        "instance is a file",
        files={"instance": "not a directory"},
        pieces=("instance: is not a directory",),
        commands=KEY_COMMANDS,
        check=False,
        load=False,
    ),
    Case(
        "instance a dangling symlink",
        prepare=symlink("instance", "gone"),
        pieces=("instance: is a symbolic link to a missing directory", "gone"),
        commands=KEY_COMMANDS,
        check=False,
        load=False,
    ),
    Case(
        "AMPHO_ROOT naming no directory",
        env={"AMPHO_ROOT": "missing-root"},
        pieces=("AMPHO_ROOT", "missing-root", "not a directory"),
        commands=(*ALL_COMMANDS, RUN),
        # `config check` refuses it before checking anything: the one line.
        check=False,
    ),
    # -- logging settings --
    # Only what builds the application reads the LOG_* settings: `routes`,
    # `run` and create_app(); load(), `config dump` and `check` do not.
    *(
        Case(
            f"logging setting {label}",
            files={"instance/production.json": f'{{\n  "{key}": {json.dumps(value)}\n}}\n'},
            pieces=("instance/production.json:2:3", key, piece),
            commands=KEY_COMMANDS,
            check=False,
            load=False,
        )
        for label, key, value, piece in [
            ("name ../x", "LOG_FILES_NAME", "../x", "it holds a /"),
            ("name a/b", "LOG_FILES_NAME", "a/b", "it holds a /"),
            ("name with a NUL", "LOG_FILES_NAME", "a\0b", "it holds a NUL character"),
            ("name of 300 characters", "LOG_FILES_NAME", "x" * 300, "300 bytes long"),
            ("name empty", "LOG_FILES_NAME", "", "it is empty"),
            ("name .", "LOG_FILES_NAME", ".", "it names a directory"),
            ("name ..", "LOG_FILES_NAME", "..", "it names a directory"),
            ("name hidden", "LOG_FILES_NAME", ".app", "it starts with a dot"),
            ("name of two lines", "LOG_FILES_NAME", "a\nb", "control character"),
            ("directory with a NUL", "LOG_FILES_DIR", "log\0", "it holds a NUL character"),
            ("backup count superscript two", "LOG_FILES_BACKUP_COUNT", "\u00b2", "whole number"),
            ("backup count 5000 digits", "LOG_FILES_BACKUP_COUNT", "9" * 5000, "whole number"),
            ("message format 100 MB wide", "LOG_FILES_MSG_FORMAT", "%(message)100000000s", "wide"),
            ("level unknown", "LOG_LEVEL", "LOUD", "level name"),
        ]
    ),
    # A type that Ampho's schema (ampho/logging/schema.json) refuses: a
    # violation, located at the value.
    Case(
        "logging setting name not a string",
        files={"instance/production.json": '{\n  "LOG_FILES_NAME": 7\n}\n'},
        pieces=(
            "instance/production.json:2:21",
            "LOG_FILES_NAME",
            "is not of type 'string'",
            "(ampho/logging/schema.json)",
        ),
        commands=KEY_COMMANDS,
        check=False,
        load=False,
    ),
    Case(
        "logging setting name ../x from the environment",
        env={"AMPHO_LOG_FILES_NAME": "../x"},
        pieces=("env AMPHO_LOG_FILES_NAME", "LOG_FILES_NAME", "plain file name"),
        commands=KEY_COMMANDS,
        check=False,
        load=False,
    ),
    # -- round 3: printing --
    # A credential known by its shape, quoted by a violation under a name
    # that says nothing: every line masks it.
    Case(
        "a GitHub token too long for its schema",
        files={
            "app/schema.json": '{"properties": {"GITHUB": {"type": "string", "maxLength": 8}}}',
            "instance/production.json": (
                '{\n  "GITHUB": "ghp_kxHOSTILE0123456789abcdefghijklmnopq"\n}\n'
            ),
        },
        pieces=("instance/production.json:2:13", "GITHUB", "is too long", "ghp_***"),
        secrets=("kxHOSTILE0123456789",),
        load=False,  # a plain load() here finds no entry bundle on sys.path
        # dump shows settings that break a schema, with a Warning: line
        # each (test_a_violation_shown_as_a_warning_masks_the_token).
        commands=(("config", "get", "GITHUB"), *APP_COMMANDS),
    ),
    # No variable holds a NUL; a key read as plain text cannot take JSON.
    Case(
        "a NUL in a string-only key, dumped as variables",
        files={
            **INSTANCE,
            "app/schema.json": '{"properties": {"TEXT": {"type": "string"}}}',
            "instance/production.json": '{"TEXT": "a\\u0000b"}',
        },
        pieces=("TEXT", "NUL character", "AMPHO_TEXT"),
        commands=(("config", "dump", "--format", "env"),),
        check=False,
        load=False,
        app=False,
    ),
    Case(
        "a KEY with a broken quoted part",
        files=INSTANCE,
        pieces=('"A.B', "a part in double quotes must be a JSON string"),
        commands=(
            ("config", "get", '"A.B'),
            ("config", "dump", '"A.B'),
            ("config", "explain", '"A.B'),
        ),
        check=False,
        load=False,
        app=False,
    ),
    # -- round 3: schemas and check --
    # A bundle's schema the application cannot use: every command, the
    # check, load() and create_app() say so in one line naming the file.
    Case(
        "schema nested 100 properties deep",
        files={
            **INSTANCE,
            "app/schema.json": "{" + '"properties": {"K": {' * 100 + "}}" * 100 + "}",
        },
        pieces=("app/schema.json:1:", "is nested too deeply (201 levels; a schema may nest 64)"),
        commands=(*ALL_COMMANDS, ("config", "schema"), ("config", "docs")),
        # load() finds bundles on sys.path, where the forked child has no
        # root: test_config_schema.py loads such schemas.
        load=False,
    ),
    # Matching it against the value would take about 2**40 steps: refused
    # before anything is matched (the runner's alarm fails a hang).
    Case(
        "schema pattern that backtracks for ever",
        files={
            "instance/default.json": '{"NAME": "' + "a" * 40 + '!"}',
            "app/schema.json": '{\n  "properties": {\n    "NAME": {"pattern": "^(a+)+$"}\n  }\n}\n',
        },
        pieces=("app/schema.json:3:14", "properties.NAME.pattern", "'^(a+)+$'", "exponential"),
        commands=(*ALL_COMMANDS, ("config", "schema"), ("config", "docs")),
        load=False,
    ),
    # -- round 3: JSON syntax messages --
    # One whole sentence, at the place an editor shows: lines end at CR,
    # CRLF or LF, columns count characters.
    Case(
        "a comment, CR-only lines",
        files={"instance/production.json": b'{\r  "A": 1,\r  // why\r  "B": 2\r}\r'},
        pieces=("instance/production.json:3:3", "JSON has no comments"),
    ),
    Case(
        "an invalid byte after multibyte text",
        files={"instance/production.json": '{"\u00c9T\u00c9": "\u20ac'.encode() + b'\xff"}'},
        pieces=("instance/production.json:1:11", "is not valid UTF-8 (byte 0xff)"),
    ),
    Case(
        "a password without quotes",
        files={"instance/production.json": '{\n  "DB_PASSWORD": hunter2-HOSTILE\n}\n'},
        pieces=("instance/production.json:2:18", "text without double quotes"),
        secrets=("hunter2-HOSTILE",),
    ),
    Case(
        "a file of NUL bytes",
        files={"instance/production.json": bytes(8192)},
        pieces=("instance/production.json", "holds only NUL bytes"),
    ),
    Case(
        "UTF-16 without a byte order mark",
        files={"instance/production.json": '{"A": "\u00e9"}'.encode("utf-16-le")},
        pieces=("instance/production.json", "is UTF-16 text", "save it as UTF-8"),
    ),
]


# --- the runner -----------------------------------------------------------------------


def _privileged() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


@pytest.fixture
def case_root(request: pytest.FixtureRequest) -> Iterator[Path]:
    """A fresh root directory that user 65534 can enter."""
    base = Path(tempfile.mkdtemp(prefix="ampho-hostile-"))
    os.chmod(base, 0o755)
    try:
        yield base / "root"
    finally:
        # A case may have made parts unreadable or unwritable.
        for directory, _, _ in os.walk(base):
            with contextlib.suppress(OSError):
                os.chmod(directory, 0o755)
        shutil.rmtree(base, ignore_errors=True)


def _write(root: Path, files: Mapping[str, str | bytes]) -> None:
    root.mkdir(mode=0o755)
    for relative, content in {**APP_FILES, **files}.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    for directory, _, names in os.walk(root):
        os.chmod(directory, 0o755)
        for name in names:
            with contextlib.suppress(OSError):
                os.chmod(os.path.join(directory, name), 0o644)


@pytest.fixture(scope="module", autouse=True)
def _ampho_reachable_by_nobody() -> Iterator[None]:
    """Let user 65534 reach the interpreter and the installed packages.

    Tox keeps its environments in a ``.tox`` directory of mode 0700, so
    the unprivileged cases could not even start ``ampho`` there. Only
    the search bit is added, to the directories on the way that lack it,
    and each is put back when the module's tests are done.
    """
    if not _privileged():
        yield
        return
    import ampho

    opened: dict[str, int] = {}
    for start in (AMPHO[0], sys.executable, os.path.dirname(ampho.__file__)):
        directory = os.path.dirname(os.path.abspath(start))
        while True:
            mode = os.stat(directory).st_mode
            if not mode & stat.S_IXOTH and directory not in opened:
                opened[directory] = stat.S_IMODE(mode)
                os.chmod(directory, stat.S_IMODE(mode) | stat.S_IXOTH)
            parent = os.path.dirname(directory)
            if parent == directory:
                break
            directory = parent
    try:
        yield
    finally:
        for directory, mode in opened.items():
            os.chmod(directory, mode)


def _as_user(case: Case) -> list[str]:
    """The ``setpriv`` prefix that runs a command as user 65534, if the case needs it."""
    if case.unprivileged and _privileged():
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.fail("the suite runs as root but setpriv is missing")
        return [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    return []


def _command(case: Case) -> list[str]:
    return [*_as_user(case), *AMPHO]


def _run(case: Case, root: Path, args: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
    # The HOME directory goes beside the root, not into it.
    return run(_command(case), list(args), root, timeout=30, home="../home", **case.env)


def _assert_no_secret(case: Case, *texts: str) -> None:
    for secret in case.secrets:
        for text in texts:
            assert secret not in text, f"secret {secret!r} printed: {text!r}"


def _assert_one_line(case: Case, result: subprocess.CompletedProcess[str]) -> None:
    shown = f"stdout={result.stdout!r} stderr={result.stderr!r}"
    assert result.returncode != 0, shown
    assert "Traceback" not in result.stderr, shown
    assert result.stdout == "", shown
    lines = result.stderr.splitlines()
    assert len(lines) == 1, shown
    assert lines[0].startswith("Error: "), shown
    for piece in case.pieces:
        assert piece in lines[0], f"{piece!r} missing: {lines[0]!r}"
    _assert_no_secret(case, result.stdout, result.stderr)


def _in_child(func: Callable[[], Any], seconds: int = 30) -> Any:
    """``{"returned": repr(func())}`` from a forked child that may block."""
    return in_child(lambda: {"returned": repr(func())}, seconds=seconds)


def _load_in(root: str) -> Any:
    from ampho.config import load

    chosen = None if "AMPHO_ROOT" in os.environ else root
    return load(chosen, user="u", host="h", environ=dict(os.environ))


def _create_app_in(root: str) -> Any:
    from ampho import create_app

    # Forked from pytest: forget any other test's entry bundle.
    for name in [m for m in sys.modules if m == "app" or m.startswith("app.")]:
        del sys.modules[name]
    sys.path.insert(0, root)
    return create_app(root_dir=None if "AMPHO_ROOT" in os.environ else root)


#: The calls made in-process, by name, for a child to look up.
_CALLS: dict[str, Callable[[str], Any]] = {"load": _load_in, "create_app": _create_app_in}

#: A fresh interpreter's script for the unprivileged calls: a forked
#: child of pytest may not reach the standard library as user 65534 (a
#: Python installed under /root, mode 0700), a fresh process finds its own.
_CHILD = """
import json, os, sys
sys.path.insert(0, sys.argv[3])
import test_hostile
os.chdir(sys.argv[1])
try:
    out = {"returned": repr(test_hostile._CALLS[sys.argv[2]](sys.argv[1]))}
except BaseException as e:
    out = {"raised": type(e).__name__, "str": str(e)}
print(json.dumps(out))
"""


def _call(case: Case, root: Path, what: str) -> dict[str, str]:
    """Run the call ``what`` on the case's root, in a child; its JSON report."""
    if case.unprivileged and _privileged():
        result = run(
            [*_as_user(case), sys.executable, "-c", _CHILD],
            [str(root), what, os.path.dirname(__file__)],
            root,
            timeout=30,
            home="../home",
            **case.env,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        report: dict[str, str] = json.loads(result.stdout.splitlines()[-1])
        return report

    def in_root() -> Any:
        os.chdir(root)
        for name in list(os.environ):
            if name.startswith("AMPHO_") or name in ("FLASK_ENV", "FLASK_DEBUG"):
                del os.environ[name]
        os.environ.update({"USER": "u", "HOSTNAME": "h", **case.env})
        return _CALLS[what](str(root))

    forked: dict[str, str] = _in_child(in_root)
    return forked


def _assert_config_error(case: Case, result: dict[str, str]) -> None:
    # SettingsInvalid is the ConfigError of a schema violation.
    assert result.get("raised") in ("ConfigError", "SettingsInvalid"), result
    for piece in case.pieces:
        assert piece in result["str"], f"{piece!r} missing: {result['str']!r}"
    _assert_no_secret(case, result["str"])


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in CASES if c.commands])
def test_commands_print_one_located_line(case: Case, case_root: Path) -> None:
    """Each command prints the one ``Error:`` line, nothing else."""
    _write(case_root, case.files)
    with _preparation(case, case_root):
        for args in case.commands:
            _assert_one_line(case, _run(case, case_root, args))


def test_a_violation_shown_as_a_warning_masks_the_token(case_root: Path) -> None:
    """The diagnostic commands print what breaks a schema as a warning,
    masked as the error line is."""
    (case,) = [c for c in CASES if c.name == "a GitHub token too long for its schema"]
    _write(case_root, case.files)
    for args in (("config", "dump"), ("config", "explain", "GITHUB")):
        result = _run(case, case_root, args)
        shown = f"stdout={result.stdout!r} stderr={result.stderr!r}"
        assert result.returncode == 0, shown
        (line,) = result.stderr.splitlines()
        assert line.startswith("Warning: "), shown
        assert all(piece in line for piece in case.pieces), shown
        _assert_no_secret(case, result.stdout, result.stderr)


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in CASES if c.check])
def test_check_reports_an_error_finding(case: Case, case_root: Path) -> None:
    """``config check`` lists the problem as an error, located, and fails."""
    _write(case_root, case.files)
    with _preparation(case, case_root):
        result = _run(case, case_root, ("config", "check"))
    shown = f"stdout={result.stdout!r} stderr={result.stderr!r}"
    assert result.returncode == 1, shown
    assert "Traceback" not in result.stderr, shown
    errors = [line for line in result.stdout.splitlines() if ": error: " in line]
    assert any(all(p in line for p in case.pieces) for line in errors), shown
    _assert_no_secret(case, result.stdout, result.stderr)


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in CASES if c.load])
def test_load_raises_a_located_config_error(case: Case, case_root: Path) -> None:
    """:func:`ampho.config.load` raises the error, with the same pieces."""
    _write(case_root, case.files)
    with _preparation(case, case_root):
        _assert_config_error(case, _call(case, case_root, "load"))


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in CASES if c.app])
def test_create_app_raises_a_located_config_error(case: Case, case_root: Path) -> None:
    """:func:`ampho.create_app` raises the error, with the same pieces."""
    _write(case_root, case.files)
    with _preparation(case, case_root):
        _assert_config_error(case, _call(case, case_root, "create_app"))


@contextlib.contextmanager
def _preparation(case: Case, root: Path) -> Iterator[None]:
    """Run the case's ``prepare`` step around the block."""
    if case.prepare is None:
        yield
        return
    with contextlib.contextmanager(case.prepare)(root):
        yield
