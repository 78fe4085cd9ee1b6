"""Text and JSON lines, and what a request adds to them."""

from __future__ import annotations

import functools
import logging
import re
import sys
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

#: The header a request id is taken from, when a proxy sets one.
REQUEST_ID_HEADER = "X-Request-ID"

#: Where the request id is kept for the rest of the request.
_ENVIRON_KEY = "ampho.request_id"


#: The fields a request adds, as text formats see them outside one.
REQUEST_FIELDS = {"method": "-", "path": "-", "remote_addr": "-", "request_id": "-"}

#: The fields whose text a client chose: the request's, and the user
#: agent of Gunicorn's access records (:mod:`ampho.logging.gunicorn`).
_FROM_REQUEST = (*REQUEST_FIELDS, "user_agent")


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


#: What ends a line for :meth:`str.splitlines`, and so for many log
#: viewers and shippers: LF, CR, the vertical tab and form feed, the file,
#: group and record separators, NEL (U+0085), and the line and paragraph
#: separators (U+2028, U+2029).
_LINE_BREAKS = re.compile("[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")

#: What a traceback's lines start with, under the line of their record.
TRACEBACK_INDENT = "  "


def _escaped(character: str) -> str:
    """``\\n``, ``\\x85``, ``\\u2028``: the character as Python writes it in a string."""
    return character.encode("unicode_escape").decode("ascii")


def one_line(text: str) -> str:
    """``text`` with its line breaks escaped: ``\\n``, ``\\r``, ``\\u2028``...

    A message or a field holding a line break would otherwise start a
    new line in the file, one that a reader, ``grep`` or a log shipper
    takes for a record of its own: a request to ``/a%0ACRITICAL%20...``
    would write a ``CRITICAL`` line.
    """
    if text.isprintable():  # a scan in C, for the many lines that need nothing
        return text
    return _LINE_BREAKS.sub(lambda match: _escaped(match.group()), text)


def printable(value: str) -> str:
    """A value from a request, with every character that is not printable
    escaped: line breaks, and also terminal escapes, NULs and the
    invisible characters that reorder text (U+202E), which the client
    chose and the reader of the log should see."""
    if value.isprintable():
        return value
    return "".join(c if c.isprintable() else _escaped(c) for c in value)


class TextFormatter(logging.Formatter):
    """A ``%``-style formatter whose every record starts a line, and whose
    other lines are indented.

    What a record is made of decides how it is kept safe. The fields a
    request sets are data a client chose: they are made printable
    (:func:`printable`). The string arguments of a message (``%s`` of
    ``log.info("no page %s", path)``) are data too: their line breaks
    are escaped (:func:`one_line`). The message's own text and a
    traceback are the program's: they keep their lines, for reading
    (Werkzeug's start-up banner is one message of three lines), and each
    line after the first is indented by :data:`TRACEBACK_INDENT`, their
    other line breaks escaped. So a line that does not start with a
    space starts a record, whatever a client sent, and the usual
    multi-line rule of log shippers (a line starting with a space
    continues the record) keeps a traceback with its record.
    """

    def formatMessage(self, record: logging.LogRecord) -> str:
        return super().formatMessage(_safe_copy(record))

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        if text.isprintable():  # one line, nothing to escape: most records
            return text
        first, *rest = text.split("\n")
        return "\n".join([one_line(first), *(TRACEBACK_INDENT + one_line(part) for part in rest)])


class PlainFormatter(TextFormatter):
    """A :class:`TextFormatter` whose lines hold no terminal escape sequences."""

    def format(self, record: logging.LogRecord) -> str:
        return plain(super().format(record))


def text_formatter(fmt: str, *, colours: bool = False) -> logging.Formatter:
    """A ``%``-style formatter of one line a record; request fields read
    ``-`` outside requests.

    :param colours: keep the terminal escape sequences of messages, for a
        console that is a terminal; otherwise lines are plain text. The
        fields of a request never keep theirs (:func:`printable`).
    """
    if colours:
        return TextFormatter(fmt, defaults=REQUEST_FIELDS)
    return PlainFormatter(fmt, defaults=REQUEST_FIELDS)


def _safe_copy(record: logging.LogRecord) -> logging.LogRecord:
    """``record``, or a copy whose request fields are :func:`printable` and
    whose message was made from string arguments on :func:`one_line`.

    A copy, because the record is shared: the JSON handler formats the
    same record, and keeps the values as they are.
    """
    fields = vars(record)
    changed: dict[str, Any] = {}
    if not fields.keys().isdisjoint(_FROM_REQUEST):  # outside requests: one step in C
        for name in _FROM_REQUEST:
            value = fields.get(name)
            if isinstance(value, str) and not value.isprintable():
                changed[name] = printable(value)
    args = record.args
    if isinstance(args, Mapping):
        # Gunicorn's access atoms: a mapping of its own, which answers "-"
        # for an atom that is missing; it is wrapped, not copied.
        changed["args"] = _OneLineArguments(args)
    elif args and any(isinstance(value, str) and not value.isprintable() for value in args):
        changed["args"] = tuple(_one_line_argument(value) for value in args)
    if not changed:
        return record
    copy = logging.makeLogRecord({**fields, **changed})
    if "args" in changed:
        copy.message = copy.getMessage()
    return copy


def _one_line_argument(value: object) -> object:
    # Line breaks only: a terminal's colours in an argument (Werkzeug
    # colours its request lines) are stripped from plain lines whole.
    return one_line(value) if isinstance(value, str) else value


class _OneLineArguments(Mapping[str, Any]):
    """A message's mapping of arguments, whose strings read :func:`one_line`."""

    def __init__(self, arguments: Mapping[str, Any]) -> None:
        self._arguments = arguments

    def __getitem__(self, key: str) -> Any:
        return _one_line_argument(self._arguments[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self._arguments)

    def __len__(self) -> int:
        return len(self._arguments)


#: The line breaks ``json.dumps`` leaves as they are, as JSON escapes.
_JSON_LINE_BREAKS = {ord(c): f"\\u{ord(c):04x}" for c in "\x85\u2028\u2029"}


def json_formatter() -> logging.Formatter:
    """One JSON object per line: timestamp (UTC), level, logger, message,
    process, the exception as text when there is one, and inside a
    request: method, path, remote_addr and request_id. Text values hold
    no terminal escape sequences, and every line break is escaped."""
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

        def jsonify_log_record(self, log_data: dict[str, Any]) -> str:
            # json.dumps escapes LF and CR, but with ensure_ascii=False it
            # writes NEL, U+2028 and U+2029 as they are, and those end a
            # line for many readers. Outside strings JSON is ASCII, so
            # replacing them anywhere is replacing them in strings.
            text = str(super().jsonify_log_record(log_data))
            return text if text.isascii() else text.translate(_JSON_LINE_BREAKS)

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
