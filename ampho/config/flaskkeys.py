"""The settings Flask and its extensions read, for ``config check``.

Nothing declares them in a bundle's schema, yet they are no typos:
``DEBUG`` in ``development.json``, or ``SQLALCHEMY_DATABASE_URI`` for
Flask-SQLAlchemy. The engine never imports Flask, so Flask's own keys
are listed here (a test compares the list with the installed Flask's
``Flask.default_config``), and an extension is found by its module's
name without importing it.
"""

from __future__ import annotations

import importlib.util

#: The keys of ``flask.Flask.default_config`` (Flask 3.1).
FLASK_KEYS = frozenset(
    {
        "APPLICATION_ROOT",
        "DEBUG",
        "EXPLAIN_TEMPLATE_LOADING",
        "MAX_CONTENT_LENGTH",
        "MAX_COOKIE_SIZE",
        "MAX_FORM_MEMORY_SIZE",
        "MAX_FORM_PARTS",
        "PERMANENT_SESSION_LIFETIME",
        "PREFERRED_URL_SCHEME",
        "PROPAGATE_EXCEPTIONS",
        "PROVIDE_AUTOMATIC_OPTIONS",
        "SECRET_KEY",
        "SECRET_KEY_FALLBACKS",
        "SEND_FILE_MAX_AGE_DEFAULT",
        "SERVER_NAME",
        "SESSION_COOKIE_DOMAIN",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_NAME",
        "SESSION_COOKIE_PARTITIONED",
        "SESSION_COOKIE_PATH",
        "SESSION_COOKIE_SAMESITE",
        "SESSION_COOKIE_SECURE",
        "SESSION_REFRESH_EACH_REQUEST",
        "TEMPLATES_AUTO_RELOAD",
        "TESTING",
        "TRAP_BAD_REQUEST_ERRORS",
        "TRAP_HTTP_EXCEPTIONS",
        "TRUSTED_HOSTS",
        "USE_X_SENDFILE",
    }
)

#: Well-known extensions whose keys' first word is not their module's
#: ``flask_<word>`` (``CACHE_TYPE`` is Flask-Caching's, ``DEBUG_TB_*``
#: the debug toolbar's), or is shared by two (Flask-Mail, Flask-Mailman).
EXTENSIONS_BY_PREFIX = {
    "CACHE": ("flask_caching",),
    "DEBUG": ("flask_debugtoolbar",),
    "JWT": ("flask_jwt_extended",),
    "MAIL": ("flask_mail", "flask_mailman"),
    "MONGO": ("flask_pymongo",),
    "MONGODB": ("flask_mongoengine",),
    "RATELIMIT": ("flask_limiter",),
    "RECAPTCHA": ("flask_wtf",),
    "REMEMBER": ("flask_login",),
    "SCHEDULER": ("flask_apscheduler",),
}


def extension_of(key: str) -> str | None:
    """The installed Flask extension whose settings ``key`` looks like,
    by the word before its first underscore: ``flask_sqlalchemy`` for
    ``SQLALCHEMY_ECHO``, ``flask_caching`` for ``CACHE_TYPE``; ``None``
    when no such module can be imported, or the key is not an upper case
    ``WORD_...`` name (Flask's config ignores any other).

    The module is found on :data:`sys.path` (where ``ampho config
    check`` has put the root directory too), never imported.
    """
    prefix, underscore, rest = key.partition("_")
    if not (underscore and rest and prefix.isascii() and prefix.isalnum()):
        return None
    if key != key.upper() or not prefix.isupper():
        return None
    candidates = (f"flask_{prefix.lower()}", *EXTENSIONS_BY_PREFIX.get(prefix, ()))
    return next((name for name in candidates if _installed(name)), None)


def _installed(module: str) -> bool:
    """Whether a top-level module can be imported; it is not imported
    (a top-level name has no parent package to import either). Not
    cached: :data:`sys.path` may differ from one check to the next."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a module in sys.modules without a spec
        return False
