"""Keeping secrets out of what Ampho prints.

A configuration dump ends up in terminals, tickets and chat. Values of
keys that look like secrets, and the password part of URLs, are replaced
by ``***`` unless the user asks to see them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

#: Shown instead of a secret.
MASK = "***"

#: Parts of key names that mark the value as a secret.
SECRET_WORDS = ("SECRET", "PASSWORD", "PASSWD", "TOKEN", "API_KEY", "PRIVATE", "CREDENTIAL")

_SECRET_KEY = re.compile("|".join(SECRET_WORDS), re.IGNORECASE)

#: A URL's scheme and authority: ``scheme://user:password@host:port``.
#: The authority ends at the first ``/``, ``?``, ``#`` or space; a raw
#: ``/`` in a password is invalid URL syntax (it must be ``%2F``).
_URL_AUTHORITY = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://)([^/?#\s]*)")

KeyPath = tuple[Any, ...]


def is_secret_key(key: str) -> bool:
    """Whether a key's name says its value is a secret.

    The test is a case-insensitive search for ``SECRET``, ``PASSWORD``,
    ``PASSWD``, ``TOKEN``, ``API_KEY``, ``PRIVATE`` or ``CREDENTIAL``, so
    ``SECRET_KEY``, ``db_password`` and ``GITHUB_TOKEN`` all are.
    """
    return _SECRET_KEY.search(key) is not None


def _mask_authority(match: re.Match[str]) -> str:
    scheme, authority = match.groups()
    # The user information runs to the *last* @, so a user name that is
    # an e-mail address (smtp://me@example.com:pw@host) is read right.
    userinfo, at, host = authority.rpartition("@")
    user, colon, password = userinfo.partition(":")
    if not at or not colon or not password:
        return match.group()
    return f"{scheme}{user}:{MASK}@{host}"


def redact_url(text: str) -> str:
    """Mask the password of every URL in a string.

    ``postgres://app:s3cret@db/x`` becomes ``postgres://app:***@db/x``. A
    URL with no password, or an empty one, is left as it is.
    """
    return _URL_AUTHORITY.sub(_mask_authority, text)


def _masked(key: Any, value: Any) -> bool:
    """Whether ``value`` under ``key`` is a secret to mask whole.

    An empty or ``null`` secret is shown, so a dump tells "unset" from
    "set" without telling the secret.
    """
    return isinstance(key, str) and is_secret_key(key) and value is not None and value != ""


def redact(value: Any, key: str = "") -> Any:
    """Return a copy of ``value`` with its secrets masked.

    :param value: a setting: a mapping, a list or a plain value.
    :param key: the name the value is stored under, if any. When it
        names a secret the whole value is masked, whatever its type.
    """
    if _masked(key, value):
        return MASK
    if isinstance(value, Mapping):
        return {k: redact(v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact(item) for item in value]
    if isinstance(value, str):
        return redact_url(value)
    return value


def find_secrets(value: Any, path: KeyPath = ()) -> Iterator[KeyPath]:
    """Yield the key path of every value :func:`redact` would mask.

    List items are addressed by their index. It is how ``ampho config
    check`` finds secrets written where they should not be, by the very
    rule that keeps them out of a dump.
    """
    if path and _masked(path[-1], value):
        yield path
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from find_secrets(item, (*path, key))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from find_secrets(item, (*path, index))
    elif isinstance(value, str) and redact_url(value) != value:
        yield path
