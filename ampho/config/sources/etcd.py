"""Settings kept in etcd, read through its v3 HTTP/JSON gateway.

``AMPHO_SOURCES=etcd://127.0.0.1:2379/shop/`` makes every key under the
prefix ``/shop/`` a layer: ``/shop/DB/HOST`` sets ``DB.HOST``, its value
typed as an ``AMPHO_*`` variable's is (:func:`.environ.parse_value`), and
its origin is the key itself, ``etcd://127.0.0.1:2379/shop/DB/HOST``.

The gateway is plain HTTP and JSON, so the standard library's
:mod:`http.client` is all it takes: no client package, and no gRPC.
:mod:`http.client` rather than :mod:`urllib.request`, which would send
the request through whatever proxy ``http_proxy`` names and follow
redirects: a store is asked directly, or not at all.

The store is read once, when the settings load, as a file is; never per
request. A server that rebuilds the application (a Gunicorn ``HUP``, a
restart) reads it again, every key.
"""

from __future__ import annotations

import base64
import http.client
import json
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from ..errors import ConfigError, Origin
from ..tree import NOTHING, walk
from . import Source
from .environ import parse_value, set_at

if TYPE_CHECKING:
    from ..schema import Schemas
    from ..tree import KeyPath

#: How long, in seconds, connecting to the store and each read of its
#: answer may take unless the URL's ``?timeout=`` says otherwise: long
#: enough for a store across a data centre, short enough that a worker
#: whose store is gone fails while its supervisor still watches.
DEFAULT_TIMEOUT = 5.0


def etcd_source(rest: str, environ: Mapping[str, str]) -> EtcdSource:
    """The source of the URL ``etcd:REST`` in ``AMPHO_SOURCES``: the
    factory the entry point ``etcd`` of ``ampho.sources`` names.

    :param rest: ``//HOST:PORT/PREFIX/``, optionally ``?timeout=SECONDS``.
    :param environ: the environment the load reads (unused: the URL says
        everything).
    :raises ConfigError: for a URL that names no host, a port that is no
        port, or an unknown or wrong parameter. The URL is not repeated,
        since a mistaken one may hold a password.
    """
    parts = urlsplit(f"etcd:{rest}")
    if "@" in parts.netloc:
        raise ConfigError("a user or password in the URL is not supported")
    try:
        port = parts.port or 2379
    except ValueError:
        raise ConfigError("the port is not a number from 1 to 65535") from None
    if not parts.hostname or not rest.startswith("//"):
        raise ConfigError("the URL is not etcd://HOST:PORT/PREFIX/")
    prefix = parts.path if parts.path.endswith("/") else f"{parts.path}/"
    timeout = DEFAULT_TIMEOUT
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key != "timeout":
            raise ConfigError(f"unknown parameter {key!r} (known: timeout)")
        timeout = _seconds(value)
    return EtcdSource(parts.hostname, port, prefix, timeout=timeout)


def _seconds(text: str) -> float:
    """The value of ``?timeout=``: a positive, finite number of seconds."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not (0 < seconds < math.inf):
        raise ConfigError(f"timeout={text!r} is not a positive number of seconds")
    return seconds


class EtcdSource(Source):
    """Every key under a prefix of an etcd store, as a layer.

    :param host: the store's host name or address.
    :param port: its client port, where the gateway answers.
    :param prefix: the prefix, ``/`` first and last: ``/shop/``.
    :param timeout: seconds that connecting, and each read of the
        answer, may take.
    :param schemas: the declared settings, if any, which type the values
        as they type the environment's (:func:`.environ.parse_value`).
    """

    def __init__(
        self,
        host: str,
        port: int,
        prefix: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        schemas: Schemas | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.prefix = prefix
        self.timeout = timeout
        self.schemas = schemas
        shown_host = f"[{host}]" if ":" in host else host
        #: ``etcd://HOST:PORT``, which a key follows in an origin.
        self.store = f"etcd://{shown_host}:{port}"
        self.name = f"{self.store}{prefix}"
        #: The key that set each key path, for origins.
        self.keys: dict[KeyPath, str] = {}

    def with_schemas(self, schemas: Schemas | None) -> EtcdSource:
        """A copy that types the values by the declared ``schemas``."""
        import copy

        typed = copy.copy(self)
        typed.schemas = schemas
        return typed

    def read(self) -> dict[str, Any]:
        """Every key under the prefix, set at its key path in key order.

        :raises ConfigError: naming the source when the store cannot be
            reached or does not answer in time, holds no key under the
            prefix, or holds a key or value that cannot be read; naming
            the key when its value is not text, or cannot be set.
        """
        found = self._range()
        if not found:
            raise self.error(f"no key starts with {self.prefix} (is the prefix right?)")
        settings: dict[str, Any] = {}
        keys: dict[KeyPath, str] = {}
        for key, raw in found:
            path = self._key_path(key)
            shown = f"{self.store}{key}"
            types = items = None
            if self.schemas is not None:
                types = self.schemas.declared_types(path)
                if types is not None and "array" in types:
                    items = self.schemas.declared_item_types(path)
            value = parse_value(shown, raw, path, types, items=items)
            set_at(settings, path, value, shown)
            keys[path] = key
        self.keys = keys
        return settings

    def origin(self, path: KeyPath) -> Origin | None:
        """The key that set ``path``; for an object, its first key."""
        if walk(self.data, path) is NOTHING:
            return None
        key = self.keys.get(path)
        if key is None:
            key = min(k for p, k in self.keys.items() if p[: len(path)] == path)
        return self.origin_named(f"{self.store}{key}")

    def _key_path(self, key: str) -> KeyPath:
        """``DB.HOST`` of the key ``/shop/DB/HOST``."""
        path = tuple(key[len(self.prefix) :].split("/"))
        if "" in path:
            raise ConfigError(
                "an empty part in the key (a doubled or trailing /) names no setting",
                source=f"{self.store}{key}",
            )
        return path

    def _range(self) -> list[tuple[str, str]]:
        """``(key, value)`` of every key under the prefix, in key order,
        both decoded as UTF-8 (an undecodable byte kept as a surrogate,
        which :func:`.environ.parse_value` refuses, naming the byte)."""
        start = self.prefix.encode("utf-8")
        # The range [start, end) holds exactly the keys that start with
        # the prefix: its last byte, '/', plus one.
        end = start[:-1] + bytes([start[-1] + 1])
        answer = self._post("/v3/kv/range", {"key": _b64(start), "range_end": _b64(end)})
        kvs = answer.get("kvs", [])
        if not isinstance(kvs, list):
            raise self.error("the store's answer holds no list of keys")
        found = []
        for kv in kvs:
            try:
                key = base64.b64decode(kv["key"], validate=True)
                value = base64.b64decode(kv.get("value", ""), validate=True)
            except (KeyError, TypeError, ValueError):
                raise self.error("the store's answer holds a key it does not encode") from None
            found.append(
                (key.decode("utf-8", "surrogateescape"), value.decode("utf-8", "surrogateescape"))
            )
        return found

    def _post(self, target: str, body: dict[str, str]) -> dict[str, Any]:
        """The JSON answer of the gateway to a POST of ``body``."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            connection.request(
                "POST", target, json.dumps(body), {"Content-Type": "application/json"}
            )
            response = connection.getresponse()
            data = response.read()
        except TimeoutError:
            raise self.error(
                f"the store did not answer within {self.timeout:g} s"
                " (the URL's ?timeout= sets the limit)"
            ) from None
        except (OSError, http.client.HTTPException) as e:
            reason = getattr(e, "strerror", None) or str(e) or type(e).__name__
            raise self.error(f"cannot reach the store: {reason}") from None
        finally:
            connection.close()
        try:
            answer = json.loads(data)
        except ValueError:
            answer = None
        if response.status != 200 or not isinstance(answer, dict):
            said = answer.get("message") if isinstance(answer, dict) else None
            detail = f": {said}" if isinstance(said, str) and said else ""
            raise self.error(f"the store answered HTTP {response.status} {response.reason}{detail}")
        return answer


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
