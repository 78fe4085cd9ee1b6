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

from ..config import ConfigError
from ..config.paths import display_path
from ..config.tooling import position, read_regular_file

#: The file the generated secret key is kept in, in the instance directory.
SECRET_KEY_FILE = "secret_key"

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


def _create_key_file(path: str, source: str, key: str) -> bool:
    """Write a new key file at ``path``; ``False`` if one is already there."""
    temporary = f"{path}.{os.getpid()}.{secrets.token_hex(4)}"
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as e:
        raise _write_error(e, path, source) from None
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as f:
            f.write(key + "\n")
            f.flush()
            # On disk before it has the name: after a power cut the name
            # holds the whole key or does not exist.
            os.fsync(f.fileno())
        os.link(temporary, path)
    except FileExistsError:
        return False
    except OSError as e:
        raise _write_error(e, path, source) from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
    return True


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
