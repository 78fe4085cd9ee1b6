"""Settings kept in AWS: Systems Manager Parameter Store and Secrets Manager.

``AMPHO_SOURCES=ssm:/shop/prod/`` makes every parameter under the path a
layer, read recursively and decrypted: ``/shop/prod/DB/HOST`` sets
``DB.HOST``, its value typed as an ``AMPHO_*`` variable's is
(:func:`.environ.parse_value`); a ``SecureString`` is a secret, typed as
a file of the secrets directory is, and masked by every command.
``AMPHO_SOURCES=secretsmanager:shop/prod`` makes the secret ``shop/prod``,
a JSON object, a layer merged at its top level, every value a secret.

The client is boto3 (``pip install ampho[aws]``), imported only when a
URL names one of these schemes, so a load without them never pays for
it. It finds the region, the credentials and the endpoint as every AWS
tool does: ``AWS_DEFAULT_REGION``, ``AWS_ACCESS_KEY_ID``, an instance
role, ``AWS_ENDPOINT_URL``, ``~/.aws/config``. Those come from the
process's environment, not from the ``environ=`` of a load, which only
Ampho's own variables are read from.

A store is read once, when the settings load, as a file is; never per
request. Every call is bounded (:data:`CONNECT_TIMEOUT`,
:data:`READ_TIMEOUT`, :data:`MAX_ATTEMPTS`), so a worker whose store is
gone fails with one line while its supervisor still watches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, Origin
from ..tree import NOTHING, format_key, iter_leaves, walk
from . import Source
from .environ import parse_value, set_at

if TYPE_CHECKING:
    from ..schema import Schemas
    from ..tree import KeyPath

#: Seconds that opening a connection to AWS may take: a region's
#: endpoint answers in far less; a closed or filtered one fails here.
CONNECT_TIMEOUT = 5.0
#: Seconds that each read of an answer may take.
READ_TIMEOUT = 10.0
#: Attempts of one call in all, the first included, in botocore's
#: ``standard`` retry mode: one retry rides out a throttled or dropped
#: call without making a dead store slow to report.
MAX_ATTEMPTS = 2


def ssm_source(rest: str, environ: Mapping[str, str]) -> ParameterStoreSource:
    """The source of the URL ``ssm:PATH`` in ``AMPHO_SOURCES``: the
    factory the entry point ``ssm`` of ``ampho.sources`` names.

    :param rest: the path, ``/shop/prod/`` (the last ``/`` optional).
    :param environ: the environment the load reads (unused: boto3 reads
        the process's).
    :raises ConfigError: for a path that does not start with ``/``, or
        when boto3 is not installed.
    """
    source = ParameterStoreSource(rest)
    if not rest.startswith("/"):
        raise source.error("the path must start with /: ssm:/shop/prod/")
    _require_boto3(source)
    return source


def secretsmanager_source(rest: str, environ: Mapping[str, str]) -> SecretsManagerSource:
    """The source of the URL ``secretsmanager:NAME`` in ``AMPHO_SOURCES``:
    the factory the entry point ``secretsmanager`` of ``ampho.sources``
    names.

    :param rest: the secret's name or ARN, ``shop/prod``.
    :param environ: the environment the load reads (unused).
    :raises ConfigError: for an empty name, or when boto3 is not installed.
    """
    source = SecretsManagerSource(rest)
    if not rest:
        raise source.error("name the secret: secretsmanager:shop/prod")
    _require_boto3(source)
    return source


def _require_boto3(source: Source) -> None:
    """Refuse a URL of these schemes before any layer is read when boto3,
    an optional dependency, is not installed."""
    try:
        import boto3  # type: ignore[import-untyped]  # noqa: F401
    except ImportError:
        raise source.error("boto3 is not installed: pip install ampho[aws]") from None


def _client(service: str) -> Any:
    """A boto3 client of ``service`` in a session of its own, its calls bounded."""
    try:
        import boto3
        from botocore.config import Config  # type: ignore[import-untyped]
    except ImportError:
        raise ConfigError("boto3 is not installed: pip install ampho[aws]") from None
    bounds = Config(
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
        retries={"total_max_attempts": MAX_ATTEMPTS, "mode": "standard"},
    )
    return boto3.session.Session().client(service, config=bounds)


def _asking_aws(source: Source, call: Callable[[], Any]) -> Any:
    """``call()``, whose failures (no credentials, no region, an endpoint
    that cannot be reached or answers an error) become the one-line
    error naming the source. botocore's messages name endpoints, codes
    and names, never a value."""
    try:
        from botocore.exceptions import (  # type: ignore[import-untyped]
            BotoCoreError,
            ClientError,
        )
    except ImportError:
        raise source.error("boto3 is not installed: pip install ampho[aws]") from None
    try:
        return call()
    except ClientError as e:
        error = e.response.get("Error", {})
        code = error.get("Code") or "an error"
        message = error.get("Message") or ""
        raise source.error(f"AWS answered {code}{': ' if message else ''}{message}") from None
    except BotoCoreError as e:
        raise source.error(f"cannot ask AWS: {e}") from None


class ParameterStoreSource(Source):
    """Every parameter under a path of AWS Systems Manager Parameter Store.

    :param path: the path, ``/shop/prod/``.
    :param schemas: the declared settings, if any, which type the values
        as they type the environment's (:func:`.environ.parse_value`).
    """

    def __init__(self, path: str, *, schemas: Schemas | None = None) -> None:
        #: ``ssm:/shop/prod/``, as the URL names it.
        self.name = f"ssm:{path}"
        self.path = path
        self.schemas = schemas
        #: The parameter that set each key path, for origins.
        self.parameters: dict[KeyPath, str] = {}
        #: The key paths of ``SecureString`` parameters.
        self.secure: list[KeyPath] = []

    def with_schemas(self, schemas: Schemas | None) -> ParameterStoreSource:
        """A copy that types the values by the declared ``schemas``."""
        import copy

        typed = copy.copy(self)
        typed.schemas = schemas
        return typed

    def read(self) -> dict[str, Any]:
        """Every parameter under the path, decrypted, set at its key path
        in name order.

        :raises ConfigError: naming the source when AWS cannot be asked or
            answers an error, or no parameter is under the path; naming
            the parameter when its value cannot be set.
        """
        found = sorted(self._parameters(), key=lambda parameter: parameter["Name"])
        if not found:
            raise self.error(f"no parameter under {self.path} (is the path right?)")
        prefix = self.path.rstrip("/") + "/"
        settings: dict[str, Any] = {}
        parameters: dict[KeyPath, str] = {}
        secure = []
        for parameter in found:
            name = parameter["Name"]
            shown = f"ssm:{name}"
            path = _key_path(name[len(prefix) :], shown)
            value = _typed(shown, parameter["Value"], path, self.schemas, parameter["Type"])
            set_at(settings, path, value, shown)
            parameters[path] = name
            if parameter["Type"] == "SecureString":
                secure.append(path)
        self.parameters = parameters
        self.secure = secure
        return settings

    def _parameters(self) -> Iterator[dict[str, Any]]:
        """The parameters under the path, every page of them."""
        # The API takes a path without its last /, except the root.
        path = self.path.rstrip("/") or "/"

        def every_page() -> list[dict[str, Any]]:
            pages = (
                _client("ssm")
                .get_paginator("get_parameters_by_path")
                .paginate(Path=path, Recursive=True, WithDecryption=True)
            )
            return [parameter for page in pages for parameter in page["Parameters"]]

        return iter(_asking_aws(self, every_page))

    def secret_paths(self) -> list[KeyPath]:
        """The key paths of ``SecureString`` parameters."""
        return self.secure

    def origin(self, path: KeyPath) -> Origin | None:
        """The parameter that set ``path``; for an object, its first one."""
        if walk(self.data, path) is NOTHING:
            return None
        name = self.parameters.get(path)
        if name is None:
            name = min(n for p, n in self.parameters.items() if p[: len(path)] == path)
        return self.origin_named(f"ssm:{name}")


class SecretsManagerSource(Source):
    """One secret of AWS Secrets Manager, a JSON object merged at its top
    level; every value of it is a secret.

    :param secret_id: the secret's name or ARN.
    """

    def __init__(self, secret_id: str) -> None:
        #: ``secretsmanager:shop/prod``, as the URL names it.
        self.name = f"secretsmanager:{secret_id}"
        self.secret_id = secret_id

    def read(self) -> dict[str, Any]:
        """The secret's current value, a JSON object.

        :raises ConfigError: naming the source when AWS cannot be asked,
            answers an error (no such secret), or the value is not the
            text of a JSON object. The value is never repeated.
        """
        answer = _asking_aws(
            self, lambda: _client("secretsmanager").get_secret_value(SecretId=self.secret_id)
        )
        text = answer.get("SecretString")
        if not isinstance(text, str):
            raise self.error("the secret holds binary data, not the text of a JSON object")
        value = parse_value(self.name, text, ())
        if not isinstance(value, dict):
            raise self.error("the secret's value is not a JSON object")
        return value

    def secret_paths(self) -> list[KeyPath]:
        """Every value's key path (not the objects above them, which lower
        layers may fill too): the whole secret is one."""
        return [path for path, _ in iter_leaves(self.data)]

    def origin(self, path: KeyPath) -> Origin | None:
        """The secret and the key path in it:
        ``secretsmanager:shop/prod#API_TOKEN``, ``...#DB.PASSWORD``."""
        if walk(self.data, path) is NOTHING:
            return None
        return self.origin_named(f"{self.name}#{format_key(path)}")


def _key_path(rest: str, shown: str) -> KeyPath:
    """``("DB", "HOST")`` of ``DB/HOST``, the part of a name below the path."""
    path = tuple(rest.split("/"))
    if "" in path:
        raise ConfigError("an empty part in the name names no setting", source=shown)
    return path


def _typed(shown: str, raw: str, path: KeyPath, schemas: Schemas | None, kind: str) -> Any:
    """A parameter's value, typed as an ``AMPHO_*`` variable's is; a
    ``SecureString`` undeclared is its text, as a secrets file's is."""
    types = items = None
    if schemas is not None:
        types = schemas.declared_types(path)
        if types is not None and "array" in types:
            items = schemas.declared_item_types(path)
    secure = kind == "SecureString"
    return parse_value(shown, raw, path, types, default_text=secure, items=items)
