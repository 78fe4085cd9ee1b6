"""Text and JSON lines, and what a request adds to them."""

from __future__ import annotations

import functools
import logging
import re
import sys
import uuid
from typing import Any

#: The header a request id is taken from, when a proxy sets one.
REQUEST_ID_HEADER = "X-Request-ID"

#: Where the request id is kept for the rest of the request.
_ENVIRON_KEY = "ampho.request_id"


#: The fields a request adds, as text formats see them outside one.
REQUEST_FIELDS = {"method": "-", "path": "-", "remote_addr": "-", "request_id": "-"}


#: A terminal's escape sequence (ECMA-48): colours and the like (CSI,
#: ``ESC [``), a title (OSC, ``ESC ]``), or the short kind (``ESC c``,
#: ``ESC ( B``); a lone ESC goes too.
_ESCAPES = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[ -/]*[0-~])?")


def plain(text: str) -> str:
    """``text`` without terminal escape sequences.

    Werkzeug's development server colours its lines
    (``\\x1b[31m\\x1b[1mWARNING: This is a development server...``)
    whatever receives them; in a file or a JSON record the codes are
    noise that ``grep`` and log shippers trip over.
    """
    # The test is a scan in C; the substitution runs only for the rare
    # text that needs it.
    return _ESCAPES.sub("", text) if "\x1b" in text else text


class PlainFormatter(logging.Formatter):
    """A ``%``-style formatter whose lines hold no terminal escape sequences."""

    def format(self, record: logging.LogRecord) -> str:
        return plain(super().format(record))


def text_formatter(fmt: str, *, colours: bool = False) -> logging.Formatter:
    """A ``%``-style formatter; request fields read ``-`` outside requests.

    :param colours: keep the terminal escape sequences of messages, for a
        console that is a terminal; otherwise lines are plain text.
    """
    if colours:
        return logging.Formatter(fmt, defaults=REQUEST_FIELDS)
    return PlainFormatter(fmt, defaults=REQUEST_FIELDS)


def json_formatter() -> logging.Formatter:
    """One JSON object per line: timestamp (UTC), level, logger, message,
    process, the exception as text when there is one, and inside a
    request: method, path, remote_addr and request_id. Text values hold
    no terminal escape sequences."""
    formatter: logging.Formatter = _plain_json_formatter_class()(
        ["levelname", "name", "message", "process"],
        rename_fields={"levelname": "level", "name": "logger", "exc_info": "exception"},
        timestamp=True,
        json_ensure_ascii=False,
    )
    return formatter


@functools.cache
def _plain_json_formatter_class() -> Any:
    """The JSON formatter's class, made when first needed: a script that
    logs text never imports python-json-logger."""
    from pythonjsonlogger.json import JsonFormatter

    class PlainJsonFormatter(JsonFormatter):
        def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
            for key, value in log_data.items():
                if isinstance(value, str):
                    log_data[key] = plain(value)
            return log_data

    return PlainJsonFormatter


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
