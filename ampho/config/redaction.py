"""Keeping secrets out of what Ampho prints.

A configuration dump ends up in terminals, tickets and chat. Values of
keys that look like secrets, and the password part of URLs, are replaced
by ``***`` unless the user asks to see them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

#: Shown instead of a secret.
MASK = "***"

#: Parts of key names that mark the value as a secret.
SECRET_WORDS = ("SECRET", "PASSWORD", "PASSWD", "TOKEN", "API_KEY", "PRIVATE", "CREDENTIAL")

_SECRET_KEY = re.compile("|".join(SECRET_WORDS), re.IGNORECASE)

#: ``scheme://user:password@`` in a URL; the password is group 2.
#: The password runs to the last ``@`` of the authority, so one that holds
#: a raw ``@`` (``p@ss``, which should be written ``p%40ss``) is masked whole.
_URL_PASSWORD = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*:)([^/\s]*)(@)")


def is_secret_key(key: str) -> bool:
    """Whether a key's name says its value is a secret.

    The test is a case-insensitive search for ``SECRET``, ``PASSWORD``,
    ``PASSWD``, ``TOKEN``, ``API_KEY``, ``PRIVATE`` or ``CREDENTIAL``, so
    ``SECRET_KEY``, ``db_password`` and ``GITHUB_TOKEN`` all are.
    """
    return _SECRET_KEY.search(key) is not None


def redact_url(text: str) -> str:
    """Mask the password of every URL in a string.

    ``postgres://app:s3cret@db/x`` becomes ``postgres://app:***@db/x``.
    """
    return _URL_PASSWORD.sub(rf"\g<1>{MASK}\g<3>", text)


def redact(value: Any, key: str = "") -> Any:
    """Return a copy of ``value`` with its secrets masked.

    :param value: a setting: a mapping, a list or a plain value.
    :param key: the name the value is stored under, if any. When it
        names a secret the whole value is masked, whatever its type.
    """
    if key and is_secret_key(key) and value is not None and value != "":
        return MASK
    if isinstance(value, Mapping):
        return {k: redact(v, k if isinstance(k, str) else "") for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact(item) for item in value]
    if isinstance(value, str):
        return redact_url(value)
    return value
