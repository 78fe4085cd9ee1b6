"""Text and JSON lines, and what a request adds to them."""

from __future__ import annotations

import logging
import sys
import uuid

#: The header a request id is taken from, when a proxy sets one.
REQUEST_ID_HEADER = "X-Request-ID"

#: Where the request id is kept for the rest of the request.
_ENVIRON_KEY = "ampho.request_id"


#: The fields a request adds, as text formats see them outside one.
REQUEST_FIELDS = {"method": "-", "path": "-", "remote_addr": "-", "request_id": "-"}


def text_formatter(fmt: str) -> logging.Formatter:
    """A ``%``-style formatter; request fields read ``-`` outside requests."""
    return logging.Formatter(fmt, defaults=REQUEST_FIELDS)


def json_formatter() -> logging.Formatter:
    """One JSON object per line: timestamp (UTC), level, logger, message,
    process, the exception as text when there is one, and inside a
    request: method, path, remote_addr and request_id."""
    from pythonjsonlogger.json import JsonFormatter

    return JsonFormatter(
        ["levelname", "name", "message", "process"],
        rename_fields={"levelname": "level", "name": "logger", "exc_info": "exception"},
        timestamp=True,
        json_ensure_ascii=False,
    )


class RequestFilter(logging.Filter):
    """Adds the current request, if any, to every record.

    It never imports Flask: a script that does not use Flask has no
    request, and pays nothing for this filter.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        flask = sys.modules.get("flask")
        if flask is None or not flask.has_request_context():
            return True
        request = flask.request
        environ = request.environ
        request_id = environ.get(_ENVIRON_KEY)
        if request_id is None:
            request_id = _clean(request.headers.get(REQUEST_ID_HEADER)) or uuid.uuid4().hex
            environ[_ENVIRON_KEY] = request_id
        record.method = request.method
        record.path = request.path
        record.remote_addr = request.remote_addr
        record.request_id = request_id
        return True


def _clean(value: str | None) -> str | None:
    """A request id from a header, if it is a sane one."""
    if not value or len(value) > 200 or not value.isprintable():
        return None
    return value
