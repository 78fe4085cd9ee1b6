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
  ``Bearer`` or ``Basic``, the body of a PEM private key, and
  credentials that show what they are by their shape (a ``ghp_`` or
  ``sk_live_`` token, a JSON Web Token: :data:`CREDENTIAL_SHAPES`);
* in keys, and in messages that may quote a key, the secrets known by
  their shape alone are masked (:func:`redact_shapes`): a URL's
  password, a credential, a private key;
* a key path is a secret by declaration (:class:`DeclaredSecrets`) whatever its
  name when a schema says ``writeOnly`` of it or its value came from the
  secrets directory: :func:`redact_at` masks it, :func:`is_secret_at`
  answers for it, and :func:`redact_violation` keeps it out of what a
  schema violation quotes.

The schemas and the loader only report facts: which key paths a schema
declares ``writeOnly`` (:meth:`~ampho.config.schema.Schemas.write_only_at`),
which came from the secrets directory. What makes them secret, and how a
secret is masked, is decided here.

It is imported only by what prints: :func:`ampho.config.load` never
pays for it.
"""

from __future__ import annotations

import binascii
import contextlib
import json
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from .settings import Config

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


#: Credentials that say what they are by their shape, whatever key holds
#: them: ``(what, prefix, rest)``. The prefix their issuer gives them is
#: kept, so a dump still tells a live key from a test one; the rest is
#: masked. Each needs enough characters after its prefix to be a real
#: credential, so ``sk_live_`` alone, or ``AKIA`` in a word, is text.
CREDENTIAL_SHAPES = (
    ("Stripe secret and restricted keys", r"[sr]k_(?:live|test)_", r"[0-9A-Za-z]{10,}"),
    ("Stripe webhook secrets", r"whsec_", r"[0-9A-Za-z+/=]{16,}"),
    ("GitHub tokens", r"gh[pousr]_", r"[0-9A-Za-z]{30,}"),
    ("GitHub fine-grained tokens", r"github_pat_", r"[0-9A-Za-z_]{30,}"),
    ("GitLab tokens", r"glpat-", r"[0-9A-Za-z_-]{20,}"),
    ("Slack tokens", r"xox[abeoprs]-", r"[0-9A-Za-z-]{10,}"),
    ("Slack webhooks", r"https://hooks\.slack\.com/services/", r"[0-9A-Za-z_/-]{10,}"),
    ("AWS access key IDs", r"A[KS]IA", r"[0-9A-Z]{16}(?![0-9A-Za-z])"),
    ("Google API keys", r"AIza", r"[0-9A-Za-z_-]{35,}"),
    ("npm tokens", r"npm_", r"[0-9A-Za-z]{36,}"),
    ("PyPI tokens", r"pypi-", r"[0-9A-Za-z_-]{50,}"),
    ("SendGrid keys", r"SG\.", r"[0-9A-Za-z_-]{22}\.[0-9A-Za-z_-]{43,}"),
    # Not after a "-" either, which its parts hold: each run of them is
    # then tried once, not once per "eyJ" in it, which was quadratic.
    ("JSON Web Tokens", r"", r"(?<!-)eyJ[0-9A-Za-z_-]+\.eyJ[0-9A-Za-z_-]+\.[0-9A-Za-z_-]*"),
)

#: One pattern for them all: group ``n`` is the prefix of the ``n``-th
#: shape. A credential starts a word: ``mask_live_...`` is not one.
_CREDENTIAL = re.compile(
    r"(?<![0-9A-Za-z_])(?:"
    + "|".join(f"({prefix}){rest}" for _, prefix, rest in CREDENTIAL_SHAPES)
    + ")"
)


def _mask_credential(match: re.Match[str]) -> str:
    prefix = next(group for group in match.groups() if group is not None)
    return prefix + MASK


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
    ``password=***``, ``Bearer abc.def`` becomes ``Bearer ***``,
    ``ghp_`` and 36 letters ``ghp_***``. A URL with no password, or an
    empty one, is left as it is.
    """
    if not text:
        return text
    text = redact_shapes(text)
    text = _PARAMETER.sub(_mask_parameter, text)
    text = _HEADER_LINE.sub(_mask_header_line, text)
    text = _BEARER.sub(lambda m: m.group(1) + MASK, text)
    return _BASIC.sub(_mask_basic, text)


def redact_shapes(text: str) -> str:
    """Mask the secrets that a string shows by their shape alone.

    The password of a URL, the body of a PEM private key and the
    credentials of :data:`CREDENTIAL_SHAPES`. Unlike :func:`redact_text`
    no rule reads a name (``password=``, ``Authorization:``), so it is
    safe on any text: a key, which may be a URL
    (``{"redis://:pw@cache": ...}``), or a message that quotes one.
    """
    text = _CREDENTIAL.sub(_mask_credential, text)
    # Most strings, and nearly every key, hold neither: two substring
    # tests spare them two patterns (a dump of 100,000 keys runs them all).
    if "-----BEGIN" in text:
        text = _PEM.sub(lambda m: m.group(1) + MASK + m.group(3), text)
    if "://" in text:
        text = _URL_PASSWORD.sub(lambda m: m.group(1) + MASK, text)
    return text


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

    Keys are masked too, by :func:`redact_shapes`: a key may be a URL
    with its password. Two keys that mask alike are told apart by a
    number, ``redis://:***@cache (2)``, so that no value disappears.

    A loaded :class:`~ampho.config.Config` is masked by its secrets by
    declaration too (:func:`declared_in`): its keys a schema declares
    ``writeOnly``, the values of its secrets directory and those its
    sources mark, as every command masks them.

    :param value: a setting: a mapping, a list or a plain value, or a
        whole configuration.
    :param key: the name the value is stored under, if any. When it
        names a secret the whole value is masked, whatever its type.
    """
    # A loaded configuration, told by what declared_in() reads of it: the
    # class itself would be an import of this module's caller.
    if not key and hasattr(value, "declared_secrets") and hasattr(value, "schemas"):
        return redact_at((), value.to_dict(), declared=declared_in(value))
    return _redact(value, key, keys=True)


def _redact(value: Any, key: Any, *, keys: bool) -> Any:
    if _masked(key, value):
        return MASK
    if isinstance(value, Mapping):
        redacted = {k: _redact(v, k, keys=keys) for k, v in value.items()}
        return redact_keys(redacted, deep=False) if keys else redacted
    if isinstance(value, (list, tuple)):
        return [_redact(item, "", keys=keys) for item in value]
    if isinstance(value, str):
        return redact_text(value)
    return value


def redact_key(key: Any) -> Any:
    """A key as it may be shown: its secrets masked (:func:`redact_shapes`)."""
    return redact_shapes(key) if isinstance(key, str) else key


def redact_keys(value: Any, *, deep: bool = True) -> Any:
    """``value`` with the keys of its objects masked by :func:`redact_key`.

    A masked key that would replace another is numbered instead:
    ``redis://:***@cache (2)``.

    :param deep: the keys of objects at every depth, not only the top;
        without, an object none of whose keys is masked is returned as
        it is.
    """
    if isinstance(value, (list, tuple)):
        return [redact_keys(item) for item in value] if deep else value
    if not isinstance(value, Mapping):
        return value
    names = [(key, redact_key(key)) for key in value]
    if not deep and all(name == key for key, name in names):
        return value
    taken = {name for _, name in names}
    result: dict[Any, Any] = {}
    for key, name in names:
        if name != key and (name in value or name in result):
            number = 2
            while f"{name} ({number})" in taken:
                number += 1
            name = f"{name} ({number})"
            taken.add(name)
        result[name] = redact_keys(value[key]) if deep else value[key]
    return result


def redact_at(
    path: KeyPath, value: Any, *, keys: bool = True, declared: DeclaredSecrets | None = None
) -> Any:
    """Redact the value found at ``path`` in the settings.

    A key above it that names a secret masks it, as :func:`redact` masks
    that key's whole value: ``redact_at(("PASSWORD", "OLD"), "x")`` is
    ``***``. An empty or ``null`` value is shown, as everywhere.

    :param keys: mask the keys inside ``value`` too. Without, the key
        paths stay those of the settings, to look up origins by; show
        them through :func:`redact_key`.
    :param declared: the secrets by declaration (:class:`DeclaredSecrets`),
        after the name rules: one at or above ``path`` masks the value
        whole, and one below it masks that part of it.
    """
    # Every key above holds an object, which only a stem masks whole.
    above = any(_secrecy(key) == _STRONG for key in path[:-1])
    if above and value is not None and value != "":
        return MASK
    last = path[-1] if path else ""
    if declared is None:
        return _redact(value, last, keys=keys)
    # The keys stay those of the settings until the declared paths are
    # found in the copy; _redact made new containers, masked in place.
    value = _mask_declared(path, _redact(value, last, keys=False), declared)
    return redact_keys(value) if keys else value


def find_secrets(value: Any, path: KeyPath = ()) -> Iterator[KeyPath]:
    """Yield the key path of every value :func:`redact` would mask.

    List items are addressed by their index; a key that would be masked
    gives its own path (show it through :func:`redact_key`). It is how
    ``ampho config check`` finds secrets written where they should not
    be, by the very rule that keeps them out of a dump.
    """
    if path and _masked(path[-1], value):
        yield path
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if redact_key(key) != key:
                yield (*path, key)
            else:
                yield from find_secrets(item, (*path, key))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from find_secrets(item, (*path, index))
    elif isinstance(value, str) and redact_text(value) != value:
        yield path


# --- secrets by declaration ---------------------------------------------------------

#: How a schema answers for a key path (list indices included): ``True``
#: when it says ``writeOnly`` of it, ``False`` when not, ``None`` when it
#: says nothing of the path or of anything below it, so that a walk down
#: a value stops there.
WriteOnly = Callable[[KeyPath], bool | None]


class DeclaredSecrets(NamedTuple):
    """What makes a key path a secret whatever its name.

    A value the name rules would show is still a secret when a schema
    declares its key ``writeOnly`` (a Slack webhook's URL is its own
    password) or when it came from the secrets directory: whoever put it
    there said so. Both come as facts, from the schemas and from the
    load; that they make a secret, and how it is masked, is this
    module's rule.
    """

    #: Key paths secret whole: :func:`declared_paths`, as
    #: :attr:`Config.declared_secrets <ampho.config.Config.declared_secrets>`
    #: lists them.
    paths: Collection[KeyPath] = frozenset()
    #: The schemas' answer for any key path (:data:`WriteOnly`). It
    #: reaches what no list of paths can hold: the items of an array and
    #: the keys of ``patternProperties`` or ``additionalProperties``.
    write_only: WriteOnly | None = None
    #: Strings composed from a secret (``postgresql://site:${DB.PASSWORD}@db``),
    #: by path: each such value (as loaded, and as the rules by name and
    #: shape already show it) and how it is shown, the secret's part
    #: masked (:func:`composed_secrets`). Several configurations (``config
    #: diff``) may each have one at a path.
    composed: Mapping[tuple[Any, ...], Mapping[str, str]] | None = None


#: No secret by declaration: the name rules alone.
NO_DECLARED_SECRETS = DeclaredSecrets()


def declared_paths(write_only: Iterable[KeyPath], marked: Iterable[KeyPath]) -> frozenset[KeyPath]:
    """The key paths that are secrets by declaration, as a load lists them.

    :param write_only: the key paths the schemas' ``properties`` declare
        ``writeOnly``.
    :param marked: the key paths the layers mark secret: every value of
        the secrets directory, what a source's
        :meth:`~ampho.config.Source.secret_paths` names.
    """
    return frozenset(write_only) | frozenset(marked)


def declared_in(*configs: Config, compositions: bool = True) -> DeclaredSecrets:
    """The secrets by declaration of one or more loaded configurations.

    With two (``config diff``), a key that is declared secret in either
    is one in both, so that the two sides of a line mask alike.

    :param compositions: count the values composed from a secret
        (:func:`composed_secrets`) and what whole references copied.
    """
    paths: frozenset[KeyPath] = frozenset()
    answers: list[WriteOnly] = []
    for config in configs:
        paths |= config.declared_secrets
        if config.schemas is not None:
            answers.append(config.schemas.write_only_at())
    write_only: WriteOnly | None = answers[0] if len(answers) == 1 else None
    if len(answers) > 1:

        def write_only(path: KeyPath) -> bool | None:
            said = [answer(path) for answer in answers]
            if any(said):
                return True
            return None if all(each is None for each in said) else False

    declared = DeclaredSecrets(paths, write_only)
    if not compositions or not any(config.compositions for config in configs):
        return declared
    composed: dict[tuple[Any, ...], dict[str, str]] = {}
    for config in configs:
        copied, shown = composed_secrets(config, declared)
        paths |= copied
        for path, (value, text) in shown.items():
            if text == MASK:  # one secret, whole, of any type
                paths |= {path}
            # The value as loaded, and as the name and shape rules leave
            # it, which is what a printer has in hand.
            composed.setdefault(path, {}).update({value: text, redact_text(value): text})
    return DeclaredSecrets(paths, write_only, composed or None)


def composed_secrets(
    config: Config, declared: DeclaredSecrets
) -> tuple[frozenset[KeyPath], dict[tuple[Any, ...], tuple[str, str]]]:
    """What references make secret in ``config``: the paths under objects
    a whole reference copied from a secret's (``"COPY": "${DB}"`` copies
    ``DB.TOKEN``'s secrecy to ``COPY.TOKEN``), and the strings composed
    from a secret, each with only the secret's part masked:
    ``postgresql://site:***@db:5432/shop``.

    A reference's value is a secret's part when the rules would not show
    it as it is at the key it names (:func:`redact_at`: by the key's name,
    its shape, a declaration, a copy) or, for a variable, under the
    variable's name; a string composed from a secret shows its own masked
    text where another names it. Only the masking is decided here; which
    strings are composed, and from what, the load recorded.
    """
    compositions = config.compositions
    copies: list[tuple[tuple[Any, ...], tuple[Any, ...]]] = [
        (path, composition.references[0].key)
        for path, composition in compositions.items()
        if composition.whole and composition.references[0].key is not None
    ]
    tree = config.to_dict()
    secrets = set(declared.paths)
    # Copies of copies: until no copy adds a secret.
    while True:
        current = DeclaredSecrets(frozenset(secrets), declared.write_only)
        added = {
            path + below
            for path, key in copies
            for below in _paths_in(_at(tree, path))
            if below and _declared_at(key + below, current)
        } - secrets
        if not added:
            break
        secrets |= added
    current = DeclaredSecrets(frozenset(secrets), declared.write_only)
    shown: dict[tuple[Any, ...], str | None] = {}

    def show(path: tuple[Any, ...]) -> str | None:
        """The masked text of a composition, or None when no part is secret."""
        if path in shown:
            return shown[path]
        composition = compositions[path]
        shown[path] = None  # a cycle cannot be loaded; this ends any walk
        secret = False
        pieces = []
        values = iter(composition.values)
        for piece in composition.pieces:
            if isinstance(piece, str):
                pieces.append(piece)
                continue
            value = next(values)
            part = _shown_part(piece, value, current, compositions, show)
            secret = secret or part != value
            pieces.append(part if isinstance(part, str) else json.dumps(part))
        shown[path] = redact_text("".join(pieces)) if secret else None
        return shown[path]

    found = {}
    for path, composition in compositions.items():
        text = show(path)
        if text is not None:
            value = composition.value
            found[path] = (value if isinstance(value, str) else json.dumps(value), text)
    # A composed secret inside a copied object is shown alike in the copy.
    for path, key in copies:
        for inner, entry in list(found.items()):
            if len(inner) > len(key) and inner[: len(key)] == key:
                found[path + inner[len(key) :]] = entry
    return frozenset(secrets - set(declared.paths)), found


def _shown_part(
    reference: Any,
    value: Any,
    declared: DeclaredSecrets,
    compositions: Mapping[tuple[Any, ...], Any],
    show: Callable[[tuple[Any, ...]], str | None],
) -> Any:
    """What a reference shows inside its template: the value as the rules
    show it where it was set, or the masked text of a string composed
    from a secret."""
    if reference.variable is not None:
        return redact(value, reference.variable)
    if reference.key in compositions:
        text = show(reference.key)
        if text is not None:
            return text
    return redact_at(reference.key, value, keys=False, declared=declared)


def _at(tree: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        tree = tree[part]
    return tree


def _paths_in(value: Any) -> Iterator[tuple[Any, ...]]:
    """The path of every value inside ``value`` (and ``()`` for itself)."""
    stack: list[tuple[Any, tuple[Any, ...]]] = [(value, ())]
    while stack:
        node, path = stack.pop()
        yield path
        if isinstance(node, dict):
            stack.extend((child, (*path, key)) for key, child in node.items())
        elif isinstance(node, list):
            stack.extend((child, (*path, index)) for index, child in enumerate(node))


def _declared_at(path: KeyPath, declared: DeclaredSecrets) -> bool:
    """Whether ``path`` itself is a secret by declaration."""
    return path in declared.paths or (
        declared.write_only is not None and declared.write_only(path) is True
    )


def is_secret_at(path: KeyPath, declared: DeclaredSecrets = NO_DECLARED_SECRETS) -> bool:
    """Whether whatever is at ``path`` is a secret, before looking at it.

    A key on the way that names a secret (:func:`is_secret_key`, by
    its last word too), or a secret by declaration at or above it,
    makes it one. A schema violation asks, before it quotes the value.
    """
    if any(is_secret_key(key) for key in path if isinstance(key, str)):
        return True
    return any(_declared_at(path[:depth], declared) for depth in range(1, len(path) + 1))


def _mask(value: Any) -> Any:
    return value if value is None or value == "" else MASK


def _mask_declared(path: KeyPath, value: Any, declared: DeclaredSecrets) -> Any:
    """``value`` (a redacted copy) at ``path``, each declared secret masked."""
    if any(_declared_at(path[:depth], declared) for depth in range(1, len(path) + 1)):
        return _mask(value)
    if declared.composed:
        value = _mask_composed(path, value, declared.composed)
    for secret in declared.paths:
        if len(secret) > len(path) and secret[: len(path)] == path:
            value = _mask_under(value, secret[len(path) :])
    if declared.write_only is not None and isinstance(value, (dict, list)):
        _mask_write_only(value, path, declared.write_only)
    return value


def _mask_composed(
    path: KeyPath, value: Any, composed: Mapping[tuple[Any, ...], Mapping[str, str]]
) -> Any:
    """``value`` at ``path`` with each string composed from a secret at or
    below it shown with the secret's part masked. Only a composed value
    is: a template (what a layer wrote, ``${DB.PASSWORD}`` and all) is no
    secret, and stays."""
    if not isinstance(value, (dict, list)):
        shown = composed.get(path, {}).get(value) if isinstance(value, str) else None
        return value if shown is None else shown
    for where, shown_as in composed.items():
        if where[: len(path)] != path:
            continue
        below = where[len(path) :]
        node: Any = value
        parent: Any = None
        key: Any = None
        for part in below:
            if not isinstance(node, (dict, list)):
                break
            try:
                parent, key, node = node, part, node[part]
            except (KeyError, IndexError, TypeError):
                break
        else:
            shown = shown_as.get(node) if isinstance(node, str) else None
            if shown is not None:
                if parent is None:
                    value = shown
                else:
                    parent[key] = shown
    return value


def _mask_under(value: Any, path: KeyPath) -> Any:
    """Mask the value at ``path`` inside ``value``, if it is there (keys of
    objects, and indices of lists)."""
    node = value
    for key in path[:-1]:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return value
    with contextlib.suppress(KeyError, IndexError, TypeError):
        node[path[-1]] = _mask(node[path[-1]])
    return value


def _mask_write_only(value: Any, path: KeyPath, write_only: WriteOnly) -> None:
    """Mask, in place, every part of ``value`` a schema says is ``writeOnly``.

    A walk without recursion, which stops where the schemas say nothing
    more: a dump of 100,000 keys asks only about the declared ones.
    """
    stack: list[tuple[Any, KeyPath]] = [(value, path)]
    while stack:
        node, where = stack.pop()
        items = list(node.items() if isinstance(node, dict) else enumerate(node))
        for key, child in items:
            below = (*where, key)
            said = write_only(below)
            if said:
                node[key] = _mask(child)
            elif said is False and isinstance(child, (dict, list)):
                stack.append((child, below))


def find_declared(value: Any, paths: Iterable[KeyPath]) -> list[KeyPath]:
    """The paths of ``paths`` that hold a secret in ``value``, sorted.

    A ``null`` or empty value holds none, as :func:`redact` shows it.
    ``ampho config check`` asks this of a file, beside
    :func:`find_secrets`, to warn about secrets declared by a schema.
    """
    held = []
    for path in sorted(paths):  # often a set: sorted, so messages are stable
        node: Any = value
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if node is not None and node != "":
            held.append(path)
    return held


def redact_violation(
    message: str,
    instance: Any,
    path: KeyPath,
    rule: str,
    declared: DeclaredSecrets = NO_DECLARED_SECRETS,
) -> str:
    """A schema violation's message, with no secret quoted.

    The message is :mod:`jsonschema`'s, which quotes the offending value
    (``instance``, at ``path``). A secret value (:func:`is_secret_at`) is
    replaced by ``***``; an object or array holding a secret anywhere
    below (by its name or by declaration) is quoted with that secret
    masked, and a message that quotes some part of it otherwise is
    replaced whole. Last, :func:`redact_text` masks what is left, on one
    line.

    :param rule: the keyword that failed (``pattern``), for the message
        that replaces one that would give the secret away.
    """
    generic = f"is not valid under the schema's {rule!r} rule"
    shown_as = declared.composed.get(path, {}) if declared.composed else {}
    composed = shown_as.get(instance) if isinstance(instance, str) else None
    if composed is not None and not is_secret_at(path, declared):
        # Composed from a secret: quoted with only the secret's part masked.
        message = message.replace(repr(instance), repr(composed))
        if instance in message:
            message = f"{composed!r} {generic}"
    elif is_secret_at(path, declared):
        quoted = repr(instance)
        message = message.replace(quoted, MASK, 1) if quoted in message else f"{MASK} {generic}"
        # Whatever else is quoted may be a part of it.
        if len(quoted) > 3 and quoted[1:-1] in message:
            message = f"{MASK} {generic}"
    elif isinstance(instance, (dict, list)):
        try:
            shown = redact_at(path, instance, keys=False, declared=declared)
            if shown != instance:
                quoted = repr(instance)
                if quoted in message:
                    message = message.replace(quoted, repr(shown))
                if any(str(value) in message for value in _hidden(instance, shown)):
                    message = f"{shown!r} {generic}"  # it quotes a part
        except RecursionError:
            message = f"the value {generic}"
    message = redact_text(message)
    return " ".join(message.split())


def _hidden(value: Any, shown: Any) -> Iterator[Any]:
    """The plain values of ``value`` that ``shown`` (its redacted copy) masks."""
    if isinstance(value, dict) and isinstance(shown, dict):
        for key, child in value.items():
            yield from _hidden(child, shown.get(key))
    elif isinstance(value, list) and isinstance(shown, list):
        for child, shown_child in zip(value, shown, strict=False):
            yield from _hidden(child, shown_child)
    elif isinstance(value, (dict, list)):
        for child in value.values() if isinstance(value, dict) else value:
            yield from _hidden(child, None)
    elif value != shown and value not in (None, ""):
        yield value
