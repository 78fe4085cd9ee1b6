"""The instance directory, and the secret key Ampho keeps in it.

Nothing here needs Flask: the factory calls it before an application
exists, so that a directory that cannot be created or a key file that
cannot be read is one line naming the path, not a traceback from deep
inside Flask.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from typing import NamedTuple

from ..config import ConfigError
from ..config.paths import display_path
from ..config.tooling import position, read_regular_file

#: The file the generated secret key is kept in, in the instance directory.
SECRET_KEY_FILE = "secret_key"

#: The file the previous keys are kept in after a rotation, one a line,
#: newest first: Flask's ``SECRET_KEY_FALLBACKS``.
FALLBACKS_FILE = "secret_key.fallbacks"

#: How many previous keys a rotation keeps. Each one still signs in (a
#: session made with it reads), so a few cover a session's lifetime
#: across several rotations; more would keep a leaked key alive.
FALLBACKS_KEPT = 3

#: More than a key file ever needs to hold; a larger file is not a key.
SECRET_KEY_MAX_BYTES = 4096


def make_instance_dir(instance: str, root: str) -> None:
    """Create the instance directory when it is missing.

    :raises ConfigError: naming the directory and what to do, when it
        cannot be created or its name is taken by something else.
    """
    shown = display_path(instance, root)
    try:
        os.makedirs(instance, exist_ok=True)
    except FileExistsError:
        if os.path.islink(instance):
            what = f"is a symbolic link to a missing directory ({os.readlink(instance)})"
            remedy = "create that directory, or replace the link with a directory"
        else:
            what = "is not a directory"
            remedy = "replace it with a directory"
        raise ConfigError(f"{what}; {remedy}", path=instance, source=shown) from None
    except OSError as e:
        raise ConfigError(
            f"cannot be created: {_reason(e)}; create it, or let {_user()} write to"
            f" {os.path.dirname(instance)}",
            path=instance,
            source=shown,
        ) from None


def instance_secret_key(instance: str, root: str) -> str:
    """The key kept in ``<instance>/secret_key``, generated on first use.

    A new key goes into a file of mode 0600, so sessions survive restarts
    and every worker of a server shares it. The file is written under a
    temporary name, flushed to disk and linked into place, which fails
    if another process got there first; then that process's key is used.
    So workers starting at once end with one key, and a crash never
    leaves a partial or empty file under the name.

    A file that is there but cannot be a key (:func:`read_secret_key`)
    is refused, never replaced: Ampho writes no blank file, so somebody
    else did, such as a deploy writing an unset secret into it, and a
    key generated over it would hide that.

    :raises ConfigError: naming the file and what to do.
    """
    path = os.path.join(instance, SECRET_KEY_FILE)
    source = display_path(path, root)
    existing = read_secret_key(path, source)
    if existing is not None:
        return existing
    key = secrets.token_hex(32)
    if _create_key_file(path, source, key):
        return key
    existing = read_secret_key(path, source)
    if existing is None:
        raise ConfigError(
            "was removed while it was being created; start the application again",
            path=path,
            source=source,
        )
    return existing


def read_secret_key(path: str, source: str) -> str | None:
    """The key kept in ``path``; ``None`` when there is no such file.

    The file is read as a layer file is (a FIFO or a device is refused,
    not read), and the key is its one line of printable ASCII, whitespace
    around it aside.

    :param source: how to name the file in errors.
    :raises ConfigError: when the file is there but cannot be a key:
        unreadable, not a regular file, a link to nothing, too large,
        blank, not ASCII, or holding control characters. The message
        never quotes the file's content.
    """
    try:
        data = read_regular_file(path, source)
    except ConfigError as e:
        if os.path.islink(path) and not os.path.exists(path):
            remedy: str | None = f"restore {os.readlink(path)}, which it links to"
        elif os.path.isfile(path) and not os.access(path, os.R_OK):
            remedy = f"make it readable by {_user()}"
        else:
            remedy = None
        raise _key_error(e.message, path, source, remedy) from None
    if data is None:
        return None
    if len(data) > SECRET_KEY_MAX_BYTES:
        raise _key_error(
            f"holds more than {SECRET_KEY_MAX_BYTES} bytes, more than any key", path, source
        )
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError as e:
        line, column = position(data[: e.start].decode("ascii"), e.start)
        raise _key_error("is not ASCII text", path, source, line=line, column=column) from None
    key = text.strip()
    if not key:
        raise _key_error("is empty", path, source, "write a key into it")
    start = len(text) - len(text.lstrip())
    for offset in range(start, start + len(key)):
        if not " " <= text[offset] <= "~":
            line, column = position(text, offset)
            raise _key_error(
                "holds a control character or a line break (a key is one line of printable ASCII)",
                path,
                source,
                line=line,
                column=column,
            )
    return key


def instance_fallback_keys(instance: str, root: str) -> list[str]:
    """The previous keys kept in ``<instance>/secret_key.fallbacks``,
    newest first; none when there is no such file.

    Each line is read as a key file is (:func:`read_secret_key`), so a
    file that cannot hold keys is refused with the same remedies.

    :raises ConfigError: naming the file, and the line, and what to do.
    """
    path = os.path.join(instance, FALLBACKS_FILE)
    return _read_keys(path, display_path(path, root))


class Rotation(NamedTuple):
    """What :func:`rotate_secret_key` did, to be said without a key."""

    #: The key file, as shown (relative to the root).
    key_file: str
    #: The fallbacks file, as shown.
    fallbacks_file: str
    #: How many previous keys are kept now.
    fallbacks: int
    #: How many previous keys were dropped, being beyond the cap.
    dropped: int


def rotate_secret_key(instance: str, root: str) -> Rotation:
    """Put a new key in ``<instance>/secret_key``, and the previous one
    first among the fallbacks, which keep :data:`FALLBACKS_KEPT` at most.

    Both files are written as the first key is (:func:`_write_key_file`)
    and renamed into place, so a reader sees the old file or the new
    one, whole. The fallbacks are written first: a crash in between
    leaves the old key as both key and fallback, which signs as before;
    the other order could lose the old key while sessions depend on it.
    The application reads both when it starts, so a running server
    keeps its keys until it restarts.

    The new files belong to the owner of the key file they replace: a
    rotation run by root (``sudo ampho ...``) must not leave the
    service's user a key it cannot read.

    :raises ConfigError: naming the file and what to do.
    """
    key_path = os.path.join(instance, SECRET_KEY_FILE)
    fallbacks_path = os.path.join(instance, FALLBACKS_FILE)
    key_source = display_path(key_path, root)
    fallbacks_source = display_path(fallbacks_path, root)
    kept = _read_keys(fallbacks_path, fallbacks_source)
    dropped = 0
    owner = None
    current = read_secret_key(key_path, key_source)
    if current is not None:
        kept = list(dict.fromkeys([current, *kept]))
        dropped = len(kept[FALLBACKS_KEPT:])
        kept = kept[:FALLBACKS_KEPT]
        owner = _owner(key_path)
        _replace_key_file(fallbacks_path, fallbacks_source, kept, owner)
    _replace_key_file(key_path, key_source, [secrets.token_hex(32)], owner)
    return Rotation(key_source, fallbacks_source, len(kept), dropped)


def drop_fallback_keys(instance: str, root: str) -> str | None:
    """Remove ``<instance>/secret_key.fallbacks``, so that sessions
    signed with a previous key stop reading once the application
    restarts; the file as shown, or ``None`` when there was none.

    The file is removed unread: a broken one is dropped all the same.

    :raises ConfigError: naming the file, when it cannot be removed.
    """
    path = os.path.join(instance, FALLBACKS_FILE)
    source = display_path(path, root)
    try:
        os.unlink(path)
    except FileNotFoundError:
        return None
    except OSError as e:
        raise ConfigError(
            f"cannot be removed: {_reason(e)}; let {_user()} write to"
            f" {os.path.dirname(source) or '.'}",
            path=path,
            source=source,
        ) from None
    return source


def _read_keys(path: str, source: str) -> list[str]:
    """The keys of a fallbacks file, one a line, blank lines aside."""
    data = read_regular_file(path, source)
    if data is None:
        return []
    if len(data) > SECRET_KEY_MAX_BYTES * FALLBACKS_KEPT:
        raise _fallbacks_error("holds more than any list of keys", path, source)
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError as e:
        line, column = position(data[: e.start].decode("ascii"), e.start)
        raise _fallbacks_error("is not ASCII text", path, source, line, column) from None
    keys = []
    for number, line_text in enumerate(text.splitlines(), 1):
        key = line_text.strip()
        for column, character in enumerate(key, len(line_text) - len(line_text.lstrip()) + 1):
            if not " " <= character <= "~":
                raise _fallbacks_error(
                    "holds a control character (a key is one line of printable ASCII)",
                    path,
                    source,
                    number,
                    column,
                )
        if key:
            keys.append(key)
    return keys


def _create_key_file(path: str, source: str, key: str) -> bool:
    """Write a new key file at ``path``; ``False`` if one is already there."""
    temporary = _write_key_file(path, source, [key])
    try:
        os.link(temporary, path)
    except FileExistsError:
        return False
    except OSError as e:
        raise _write_error(e, path, source) from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
    return True


def _owner(path: str) -> tuple[int, int] | None:
    """The user and group owning ``path``; ``None`` when they are the
    ones running, or the system has no owners."""
    if not hasattr(os, "geteuid"):
        return None
    status = os.stat(path)
    if (status.st_uid, status.st_gid) == (os.geteuid(), os.getegid()):
        return None
    return status.st_uid, status.st_gid


def _replace_key_file(
    path: str, source: str, keys: list[str], owner: tuple[int, int] | None = None
) -> None:
    """Replace the file at ``path`` with one holding ``keys``, at once,
    owned by ``owner`` when given."""
    temporary = _write_key_file(path, source, keys, owner)
    try:
        os.replace(temporary, path)
    except OSError as e:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise _write_error(e, path, source) from None


def _write_key_file(
    path: str, source: str, keys: list[str], owner: tuple[int, int] | None = None
) -> str:
    """Write ``keys``, one a line, to a new file of mode 0600 beside
    ``path``, on disk; return its name, for the caller to put in place.

    The name is new (``O_EXCL``): a file or a link already there under
    it, left by somebody else, is never written through.
    """
    temporary = f"{path}.{os.getpid()}.{secrets.token_hex(4)}"
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as e:
        raise _write_error(e, path, source) from None
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as f:
            if owner is not None:
                # Before a byte is written: the key is never the runner's.
                _give(f.fileno(), owner, path, source)
            f.write("".join(key + "\n" for key in keys))
            f.flush()
            # On disk before it has the name: after a power cut the name
            # holds the whole file or the one before.
            os.fsync(f.fileno())
    except OSError as e:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise _write_error(e, path, source) from None
    except ConfigError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return temporary


def _give(descriptor: int, owner: tuple[int, int], path: str, source: str) -> None:
    """Make the open file ``owner``'s, as the file it replaces is."""
    try:
        os.fchown(descriptor, *owner)
    except PermissionError:
        raise ConfigError(
            f"would belong to uid {owner[0]}, as the key file does, but {_user()}"
            " cannot give it a file; run the command as that user",
            path=path,
            source=source,
        ) from None


def _key_error(
    what: str,
    path: str,
    source: str,
    remedy: str | None = None,
    *,
    line: int | None = None,
    column: int | None = None,
) -> ConfigError:
    """A key file's error: what is wrong; then what to do about it."""
    remedies = [remedy] if remedy else []
    remedies += ["remove it to have a new key generated", "set SECRET_KEY in the configuration"]
    advice = ", ".join(remedies[:-1]) + ", or " + remedies[-1]
    return ConfigError(f"{what}; {advice}", path=path, source=source, line=line, column=column)


def _fallbacks_error(
    what: str, path: str, source: str, line: int | None = None, column: int | None = None
) -> ConfigError:
    """A fallbacks file's error; removing it only ends the old keys."""
    return ConfigError(
        f"{what}; remove it (ampho secret-key rotate --drop-old), which ends the previous keys",
        path=path,
        source=source,
        line=line,
        column=column,
    )


def _write_error(error: OSError, path: str, source: str) -> ConfigError:
    """The error for a key file that could not be created."""
    if error.errno in (errno.EACCES, errno.EPERM):
        remedy = f"let {_user()} write to {os.path.dirname(source) or '.'} for the first start, "
    else:
        remedy = ""
    return ConfigError(
        f"cannot be created: {_reason(error)}; {remedy}put a key in it yourself,"
        " or set SECRET_KEY in the configuration",
        path=path,
        source=source,
    )


def _reason(error: OSError) -> str:
    """What the system said, without the path it quotes."""
    return error.strerror or type(error).__name__


def _user() -> str:
    """The user running the application, as messages name it."""
    if not hasattr(os, "geteuid"):
        return "the user running the application"
    uid = os.geteuid()
    try:
        import pwd

        name = pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return f"the user running the application (uid {uid})"
    return f"the user running the application ({name}, uid {uid})"
