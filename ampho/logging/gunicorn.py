"""Gunicorn's own lines through Ampho's handlers.

``gunicorn --logger-class ampho.logging.gunicorn.Logger ampho.main:application``
sends Gunicorn's error log (``gunicorn.error``) and access log
(``gunicorn.access``) to the handlers :func:`ampho.logging.setup` puts on
the root logger: the same files, console and format as the
application's own records. An access record carries the request's
``method``, ``path``, ``status``, ``duration_ms``, ``remote_addr``,
``user_agent`` and the ``request_id`` of the application's records of
the same request.

This module imports Gunicorn; :mod:`ampho.logging` never imports it.
"""

from __future__ import annotations

import datetime
import logging
import sys
import uuid
from typing import Any

from gunicorn import glogging  # type: ignore[import-untyped]

from ..config import ConfigError, load
from .configure import setup as setup_logging
from .formatting import _ENVIRON_KEY, REQUEST_ID_HEADER, _clean

#: The WSGI environ key of the request id header.
_HEADER_KEY = "HTTP_" + REQUEST_ID_HEADER.upper().replace("-", "_")


class Logger(glogging.Logger):  # type: ignore[misc]
    """Gunicorn's logger class, writing through Ampho's handlers.

    ``loglevel`` sets the level of ``gunicorn.error``; ``access_log_format``
    makes the access record's message. ``errorlog`` and ``accesslog`` are
    not used: the lines go where ``LOG_*`` says, and access records are
    always written.
    """

    #: Whether Ampho's handlers were built once in this process; Gunicorn
    #: calls :meth:`setup` again on a reload (HUP).
    _configured = False

    def setup(self, cfg: Any) -> None:
        """Build Ampho's handlers from the application's configuration,
        its root found as :func:`ampho.config.load` finds it, so that the
        master's lines (booting, workers) reach them too; a worker's
        application replaces them when it is built.

        Broken settings at start-up stop Gunicorn with one ``Error:``
        line. On a reload they must not: Gunicorn calls this in the
        middle of ``Arbiter.reload()``, and a master that exits there
        leaves its workers serving on their own. So the error is logged,
        in one line, the handlers stay as they were, and the reload goes
        on: new workers that cannot build the application fail to boot,
        and Gunicorn then stops, master and workers together.
        """
        self.cfg = cfg
        self._access_log_enabled = True
        self._setup_handlers()
        level = self.LOG_LEVELS.get(cfg.loglevel.lower(), logging.INFO)
        for log, log_level in ((self.error_log, level), (self.access_log, logging.INFO)):
            for handler in list(log.handlers):
                log.removeHandler(handler)
            log.propagate = True
            log.setLevel(log_level)

    def _setup_handlers(self) -> None:
        # The root as the application finds it: Gunicorn put its working
        # directory on sys.path, so the entry bundle is found there.
        try:
            cfg = load()
            setup_logging(cfg, name=cfg.location.entry)
        except ConfigError as e:
            # Masked as the ampho command masks its error lines: a key
            # the message names may be a URL with a password.
            from ..config.tooling import redact_shapes

            message = redact_shapes(str(e))
            if self._configured:
                self.error_log.error("reload: %s; logging stays as it was", message)
                return
            # One line, as the ampho command gives, not a traceback.
            print(f"Error: {message}", file=sys.stderr)
            raise SystemExit(1) from None
        self._configured = True

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        """One record per response, with the request's fields as attributes."""
        request_id = environ.get(_ENVIRON_KEY)
        if request_id is None:
            request_id = _clean(environ.get(_HEADER_KEY)) or uuid.uuid4().hex
            environ[_ENVIRON_KEY] = request_id
        status = resp.status
        if isinstance(status, str):
            status = status.split(None, 1)[0]
        extra = {
            "method": environ.get("REQUEST_METHOD", "-"),
            "path": _text(environ.get("PATH_INFO", "-")),
            "status": int(status) if str(status).isdigit() else status,
            "duration_ms": _milliseconds(request_time),
            "remote_addr": environ.get("REMOTE_ADDR", "-"),
            "user_agent": environ.get("HTTP_USER_AGENT", "-"),
            "request_id": request_id,
        }
        atoms = self.atoms_wrapper_class(self.atoms(resp, req, environ, request_time))
        try:
            self.access_log.info(self.cfg.access_log_format, atoms, extra=extra)
        except Exception:
            self.error_log.exception("cannot write the access record")

    def reopen_files(self) -> None:
        """Ampho's files open the file of each period themselves; only
        Gunicorn's captured output, if any, is reopened."""
        if self.cfg.capture_output and self.cfg.errorlog != "-":
            super().reopen_files()

    def close_on_exec(self) -> None:
        """Nothing to do: Ampho's handlers are not Gunicorn's files."""


def _text(value: str) -> str:
    """A WSGI string (the bytes sent, one character each) as the UTF-8 text
    it is, as Flask's ``request.path`` decodes it: the access record and
    the application's records of a request show the same path."""
    try:
        return value.encode("latin-1").decode("utf-8", "replace")
    except UnicodeEncodeError:  # not a WSGI string: already text
        return value


def _milliseconds(request_time: datetime.timedelta) -> float:
    return round(request_time.total_seconds() * 1000, 3)
