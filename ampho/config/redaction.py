"""Keeping secrets out of what Ampho prints.

A configuration dump ends up in terminals, tickets and chat. Every rule
that decides what is a secret lives in this module, so that ``dump``,
``diff``, ``check`` and the documentation cannot disagree:

* a key whose *name* says it holds a secret (:func:`is_secret_key`) has
  its whole value replaced by ``***``;
* in every other string, the secret *parts* are masked
  (:func:`redact_text`): the password of a URL, a secret parameter
  (``?password=``, ``;Pwd=``, ``password=`` of a libpq string), a
  header line such as ``Authorization: ...``, the credentials after
  ``Bearer`` or ``Basic``, and the body of a PEM private key.

It is imported only by what prints: :func:`ampho.config.load` never
pays for it.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Iterator, Mapping
from typing import Any

#: Shown instead of a secret.
MASK = "***"

#: A name holding one of these, ignoring case and the separators between
#: its words (``db_password``, ``apiKey``, ``API-KEY``, ``clientSecret``),
#: is a secret's, and whatever is stored under it is masked whole.
SECRET_STEMS = (
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "TOKEN",
    "CREDENTIAL",
    "PRIVATE",
    "APIKEY",
    "AUTHORIZATION",
)

#: A name whose *last* word is one of these is a secret's too
#: (``STRIPE_KEY``, ``SMTP_PASS``, ``DB_PWD``, ``HTTP_AUTH``), while the
#: same word elsewhere is not (``KEY_PREFIX``, ``PASS_THROUGH``,
#: ``AUTH_BACKEND``). Such a name holding an object is a section, whose
#: keys are judged one by one, and holding a boolean a switch
#: (``JSON_SORT_KEYS``); holding anything else it is masked.
SECRET_LAST_WORDS = ("KEY", "KEYS", "PASS", "PWD", "AUTH")

#: ``PUBLIC_KEY``, ``STRIPE_PUBLISHABLE_KEY``: keys meant to be shown.
PUBLIC_WORDS = ("PUBLIC", "PUBLISHABLE")

#: A name holding one of these words measures a secret rather than
#: holding one: ``PASSWORD_MIN_LENGTH``, ``MAX_TOKENS``.
MEASURE_WORDS = (
    "MIN",
    "MAX",
    "MINIMUM",
    "MAXIMUM",
    "NUM",
    "COUNT",
    "LENGTH",
    "LEN",
    "SIZE",
    "LIMIT",
    "BITS",
    "BYTES",
    "ROUNDS",
    "ITERATIONS",
)

#: A name *ending* in one of these words says when a secret expires,
#: where it is kept or what it is called, not what it is:
#: ``TOKEN_TTL``, ``SECRET_KEY_FILE``, ``API_KEY_HEADER``, ``TOKEN_URL``.
DESCRIPTOR_WORDS = (
    "TTL",
    "TIMEOUT",
    "EXPIRY",
    "EXPIRES",
    "EXPIRATION",
    "LIFETIME",
    "AGE",
    "FILE",
    "PATH",
    "DIR",
    "URL",
    "URI",
    "ENDPOINT",
    "NAME",
    "HEADER",
    "PARAM",
    "FIELD",
    "LOCATION",
    "TYPE",
    "ALGORITHM",
)

#: The words of a name: runs of letters, split where case changes
#: (``apiKey``, ``APIKey``, ``OAuth2Token``); digits and separators drop.
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+")

_STRONG, _WEAK = 2, 1

KeyPath = tuple[Any, ...]


def _secrecy(key: Any) -> int:
    """``_STRONG``, ``_WEAK`` or 0: how much a key's name says "secret"."""
    if not isinstance(key, str):
        return 0
    words = [word.upper() for word in _WORD.findall(key)]
    if not words or words[-1] in DESCRIPTOR_WORDS:
        return 0
    if any(word in MEASURE_WORDS for word in words):
        return 0
    joined = "".join(words)
    if any(stem in joined for stem in SECRET_STEMS):
        return _STRONG
    if words[-1] in SECRET_LAST_WORDS and (len(words) < 2 or words[-2] not in PUBLIC_WORDS):
        return _WEAK
    return 0


def is_secret_key(key: str) -> bool:
    """Whether a key's name says its value is a secret.

    ``SECRET_KEY``, ``db_password``, ``apiKey``, ``API-KEY``,
    ``GITHUB_TOKEN``, ``PASSPHRASE``, ``Authorization`` and ``SMTP_PASS``
    are; ``PASSWORD_MIN_LENGTH``, ``TOKEN_TTL``, ``PUBLIC_KEY`` and
    ``KEYBOARD_LAYOUT`` are not. The words are in :data:`SECRET_STEMS`,
    :data:`SECRET_LAST_WORDS`, :data:`MEASURE_WORDS` and
    :data:`DESCRIPTOR_WORDS`.
    """
    return _secrecy(key) > 0


# --- secrets inside strings -------------------------------------------------------

#: A private key in PEM form: the part between the armour lines is masked.
#: An unterminated one is masked to the end of the text.
_PEM = re.compile(
    r"(-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----)(.+?)(-----END [A-Z0-9 ]*PRIVATE KEY-----|\Z)",
    re.DOTALL,
)

#: A URL with a password: ``scheme://user:password@host``. The user may
#: hold ``@`` (an e-mail address). The password runs to the first ``@``
#: followed by a host, an optional port and the end of the authority, so
#: a raw ``#``, ``?``, ``/``, space or ``@`` in it is still masked
#: (``postgresql://u:S11#x@db/x``). Digits alone after the colon are a
#: port, as RFC 3986 reads them (``http://h:80/p?q=a:b@c`` has none).
_URL_PASSWORD = re.compile(
    r"((?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]*://[^\s:/?#]*:)"
    r"(?!\d*(?:[/?#\s]|$))"
    r"((?:(?!://)[^\n])+?)"
    r"(?=@(?:\[[0-9A-Fa-f:.]*\]|[^\s/?#@:\[\]]*)(?::\d*)?(?:[/?#\s]|$))"
)

#: ``name=value`` at the start, after ``?``, ``&``, ``;``, ``,`` or a
#: space: URL queries, JDBC and ODBC strings, libpq keyword strings,
#: command line options. The value may be quoted.
_PARAMETER = re.compile(
    r"(?:(?<=[?&;,\s])|^)([A-Za-z0-9_.-]+=)"
    r"('(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"|\{[^}\n]*\}|[^&;\s]+)",
    re.MULTILINE,
)

#: A line ``Name: value``, such as a header: the rest of the line is masked.
_HEADER_LINE = re.compile(r"^([ \t]*([A-Za-z0-9_.-]+)[ \t]*:[ \t]*)([^\r\n]*[^\s])", re.MULTILINE)

#: HTTP credentials after their scheme, anywhere (``Bearer abc.def``).
_BEARER = re.compile(r"\b(Bearer[ \t]+)([A-Za-z0-9._~+/-]+=*)", re.IGNORECASE)
#: ``Basic`` is masked only when what follows decodes to ``user:password``,
#: so that "Basic plan" is left alone.
_BASIC = re.compile(r"\b(Basic[ \t]+)([A-Za-z0-9+/]+=*)", re.IGNORECASE)


def _mask_parameter(match: re.Match[str]) -> str:
    name = match.group(1)[:-1]
    return match.group(1) + MASK if is_secret_key(name) else match.group()


def _mask_header_line(match: re.Match[str]) -> str:
    return match.group(1) + MASK if is_secret_key(match.group(2)) else match.group()


def _mask_basic(match: re.Match[str]) -> str:
    encoded = match.group(2)
    try:
        decoded = binascii.a2b_base64(encoded + "=" * (-len(encoded) % 4))
    except (binascii.Error, ValueError):
        return match.group()
    return match.group(1) + MASK if b":" in decoded else match.group()


def redact_text(text: str) -> str:
    """Mask the secret parts of a string, whatever key it is under.

    ``postgres://app:s3cret@db/x`` becomes ``postgres://app:***@db/x``,
    ``jdbc:mysql://db/x?user=app&password=s3cret`` ends in
    ``password=***``, ``Bearer abc.def`` becomes ``Bearer ***``. A URL
    with no password, or an empty one, is left as it is.
    """
    if not text:
        return text
    text = _PEM.sub(lambda m: m.group(1) + MASK + m.group(3), text)
    text = _URL_PASSWORD.sub(lambda m: m.group(1) + MASK, text)
    text = _PARAMETER.sub(_mask_parameter, text)
    text = _HEADER_LINE.sub(_mask_header_line, text)
    text = _BEARER.sub(lambda m: m.group(1) + MASK, text)
    return _BASIC.sub(_mask_basic, text)


# --- whole settings -----------------------------------------------------------------


def _masked(key: Any, value: Any) -> bool:
    """Whether ``value`` under ``key`` is a secret to mask whole.

    An empty or ``null`` secret is shown, so a dump tells "unset" from
    "set" without telling the secret. Under a name that is a secret's only
    by its last word, an object is a section (``AUTH``) and a boolean a
    switch (``JSON_SORT_KEYS``), not a secret.
    """
    if value is None or value == "":
        return False
    secrecy = _secrecy(key)
    return secrecy == _STRONG or (secrecy == _WEAK and not isinstance(value, (Mapping, bool)))


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
        return redact_text(value)
    return value


def redact_at(path: KeyPath, value: Any) -> Any:
    """Redact the value found at ``path`` in the settings.

    A key above it that names a secret masks it, as :func:`redact` masks
    that key's whole value: ``redact_at(("PASSWORD", "OLD"), "x")`` is
    ``***``. An empty or ``null`` value is shown, as everywhere.
    """
    # Every key above holds an object, which only a stem masks whole.
    above = any(_secrecy(key) == _STRONG for key in path[:-1])
    if above and value is not None and value != "":
        return MASK
    return redact(value, path[-1] if path else "")


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
    elif isinstance(value, str) and redact_text(value) != value:
        yield path
