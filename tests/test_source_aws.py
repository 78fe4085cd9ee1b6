"""The ``ssm:`` and ``secretsmanager:`` sources of ``AMPHO_SOURCES``, against
moto's server, a local stand-in of AWS (docs/configuration.rst, "Settings
stores"; the examples there are these tests). boto3 and moto are test
requirements: a run without them fails rather than skips."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from processes import (
    AMPHO,
    assert_one_line_error,
    free_port,
    run,
    server_environment,
    stop,
    wait_until,
)

from ampho.config import Config, ConfigError
from ampho.config.schema import load_schemas
from ampho.config.sources.aws import ParameterStoreSource


class Aws:
    """moto's server on 127.0.0.1, and the environment that points boto3 at it."""

    def __init__(self, port: int) -> None:
        self.environ = {
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "eu-central-1",
            # Nothing of the developer's ~/.aws.
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        }

        self.clients: dict[str, Any] = {}

    def client(self, service: str) -> Any:
        if service not in self.clients:
            self.clients[service] = boto3.session.Session().client(service)
        return self.clients[service]

    def put(self, name: str, value: str, kind: str = "String") -> None:
        self.client("ssm").put_parameter(Name=name, Value=value, Type=kind, Overwrite=True)

    def secret(self, name: str, value: str) -> None:
        self.client("secretsmanager").create_secret(Name=name, SecretString=value)


@pytest.fixture(scope="module")
def aws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Aws]:
    """One moto server for the module, boto3 of this process pointed at it."""
    home = tmp_path_factory.mktemp("moto")
    port = free_port()
    server = Path(sys.executable).with_name("moto_server")
    log = home / "moto.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(server), "-H", "127.0.0.1", "-p", str(port)],
            env=server_environment(home),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    found = Aws(port)
    try:
        wait_until(proc, lambda: _answers(port), "moto does not answer", log)
        with pytest.MonkeyPatch.context() as patch:
            for name, value in found.environ.items():
                patch.setenv(name, value)
            yield found
    finally:
        stop(proc)


def _answers(port: int) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/", timeout=1):
            return True
    except OSError:
        return False


def test_every_parameter_under_the_path_is_a_setting(
    aws: Aws, load_root: Callable[..., Config]
) -> None:
    for name, value, kind in [
        ("/site/DB/HOST", "db.example.com", "String"),
        ("/site/DB/PORT", "5432", "String"),
        ("/site/DB/PASSWORD", "12345", "SecureString"),
        ("/site/DEBUG", "false", "String"),
        ("/site/HOSTS", "a.example,b.example", "StringList"),
        ("/sites/OTHER", "not read", "String"),
    ]:
        aws.put(name, value, kind)
    cfg = load_root(environ={"AMPHO_SOURCES": "ssm:/site/"})
    assert cfg.to_dict() == {
        "DB": {"HOST": "db.example.com", "PASSWORD": "12345", "PORT": 5432},
        "DEBUG": False,
        "HOSTS": "a.example,b.example",
    }
    assert str(cfg.origin("DB.PORT")) == "ssm:/site/DB/PORT"
    assert str(cfg.origin("DB")) == "ssm:/site/DB/HOST"
    assert cfg.declared_secrets == {("DB", "PASSWORD")}
    assert [layer.name for layer in cfg.layers][-3:] == ["ssm:/site/", "env", "overrides"]
    # Without the last slash the path is the same.
    assert load_root(environ={"AMPHO_SOURCES": "ssm:/site"}).to_dict() == cfg.to_dict()


def test_every_page_of_parameters_is_read(aws: Aws, load_root: Callable[..., Config]) -> None:
    # AWS answers at most 10 parameters a call.
    for number in range(25):
        aws.put(f"/paged/KEY{number:02}", str(number))
    cfg = load_root(environ={"AMPHO_SOURCES": "ssm:/paged/"})
    assert cfg.to_dict() == {f"KEY{number:02}": number for number in range(25)}


def test_declared_types_type_the_values(aws: Aws, load_root: Callable[..., Config]) -> None:
    aws.put("/typed/CODE", "12345")
    aws.put("/typed/HOSTS", "a.example,b.example", "StringList")
    schema = {
        "type": "object",
        "properties": {
            "CODE": {"type": "string"},
            "HOSTS": {"type": "array", "items": {"type": "string"}},
        },
    }
    typed = {"CODE": "12345", "HOSTS": ["a.example", "b.example"]}
    # Declared to the load, as the bundles' schemas are, for AMPHO_SOURCES:
    cfg = load_root(schemas=[schema], environ={"AMPHO_SOURCES": "ssm:/typed/"})
    assert cfg.to_dict() == typed
    # or to the source itself.
    declared = load_schemas([schema], str(load_root().root_dir))
    cfg = load_root(sources=[ParameterStoreSource("/typed/", schemas=declared)])
    assert cfg.to_dict() == typed


def test_a_secret_is_merged_at_the_top_level(aws: Aws, load_root: Callable[..., Config]) -> None:
    aws.secret("shop/merged", json.dumps({"API_TOKEN": "t0ken", "DB": {"PASSWORD": "pw"}}))
    cfg = load_root(
        defaults=[{"DB": {"HOST": "localhost"}}],
        environ={"AMPHO_SOURCES": "secretsmanager:shop/merged"},
    )
    assert cfg.to_dict() == {
        "API_TOKEN": "t0ken",
        "DB": {"HOST": "localhost", "PASSWORD": "pw"},
    }
    assert str(cfg.origin("DB.PASSWORD")) == "secretsmanager:shop/merged#DB.PASSWORD"
    assert str(cfg.origin("API_TOKEN")) == "secretsmanager:shop/merged#API_TOKEN"
    # The secret's values, not DB.HOST of a lower layer.
    assert cfg.declared_secrets == {("API_TOKEN",), ("DB", "PASSWORD")}


def _command(root: Path, aws: Aws, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return run(AMPHO, ["config", *args], root, timeout=30, **{**aws.environ, **env})


def test_the_commands_show_each_parameter(aws: Aws, root: Path) -> None:
    # The examples of docs/configuration.rst, "AWS Systems Manager
    # Parameter Store" and "AWS Secrets Manager".
    (root / "instance" / "default.json").write_text('{"DB": {"HOST": "localhost"}}\n')
    aws.put("/shop/prod/DB/HOST", "db.example.com")
    aws.put("/shop/prod/DB/PASSWORD", "hunter2", "SecureString")
    aws.put("/shop/prod/DEBUG", "true")
    aws.secret("shop/prod", '{"API_TOKEN": "s3cr3t-t0k3n"}')
    sources = "ssm:/shop/prod/ secretsmanager:shop/prod"
    explained = _command(root, aws, "explain", "DB.HOST", AMPHO_SOURCES=sources)
    assert explained.returncode == 0, explained.stderr
    assert explained.stdout.splitlines() == [
        'instance/default.json:1:9: "localhost"',
        'ssm:/shop/prod/DB/HOST: "db.example.com"  (wins)',
    ]
    dumped = _command(root, aws, "dump", "--explain", AMPHO_SOURCES=sources)
    assert dumped.returncode == 0, dumped.stderr
    assert dumped.stdout.splitlines() == [
        'API_TOKEN = "***"  (secretsmanager:shop/prod#API_TOKEN)',
        'DB.HOST = "db.example.com"  (ssm:/shop/prod/DB/HOST)',
        'DB.PASSWORD = "***"  (ssm:/shop/prod/DB/PASSWORD)',
        "DEBUG = true  (ssm:/shop/prod/DEBUG)",
    ]
    checked = _command(root, aws, "check", AMPHO_SOURCES=sources, AMPHO_ENV="production")
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith(
        "ssm:/shop/prod/DEBUG: warning: DEBUG is true in the production"
    )
    shown = explained.stdout + dumped.stdout + checked.stdout + checked.stderr
    assert "hunter2" not in shown
    assert "s3cr3t" not in shown


@pytest.mark.parametrize(
    ("setup", "url", "message"),
    [
        (
            [],
            "ssm:/nothing/",
            "ssm:/nothing/: no parameter under /nothing/ (is the path right?)",
        ),
        (
            [("/nan/X", "NaN")],
            "ssm:/nan/",
            "ssm:/nan/X: X: NaN is not a JSON number: write a number, or null",
        ),
        (
            [("/clash/A", "1"), ("/clash/A/B", "2")],
            "ssm:/clash/",
            "ssm:/clash/A/B: cannot set A.B: A is a number, not an object",
        ),
        (
            [],
            "secretsmanager:no/such",
            "secretsmanager:no/such: AWS answered ResourceNotFoundException:"
            " Secrets Manager can't find the specified secret.",
        ),
        (
            [("list", '["hunter2"]')],
            "secretsmanager:list",
            "secretsmanager:list: the secret's value is not a JSON object",
        ),
        (
            [("text", "hunter2")],
            "secretsmanager:text",
            "secretsmanager:text: the secret's value is not a JSON object",
        ),
        ([], "ssm:shop/", "ssm:shop/: the path must start with /: ssm:/shop/prod/"),
    ],
)
def test_a_store_that_cannot_be_read_is_one_error(
    aws: Aws,
    load_root: Callable[..., Config],
    setup: list[tuple[str, str]],
    url: str,
    message: str,
) -> None:
    for name, value in setup:
        if url.startswith("ssm:"):
            aws.put(name, value)
        else:
            aws.secret(name, value)
    with pytest.raises(ConfigError) as caught:
        load_root(environ={"AMPHO_SOURCES": url})
    assert str(caught.value) == message
    assert "hunter2" not in str(caught.value)


def test_no_region_is_one_error(
    aws: Aws, load_root: Callable[..., Config], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    with pytest.raises(ConfigError) as caught:
        load_root(environ={"AMPHO_SOURCES": "ssm:/shop/prod/"})
    assert str(caught.value) == "ssm:/shop/prod/: cannot ask AWS: You must specify a region."


def test_a_binary_secret_is_one_error(aws: Aws, load_root: Callable[..., Config]) -> None:
    aws.client("secretsmanager").create_secret(Name="binary", SecretBinary=b"\xffhunter2")
    with pytest.raises(ConfigError) as caught:
        load_root(environ={"AMPHO_SOURCES": "secretsmanager:binary"})
    assert str(caught.value) == (
        "secretsmanager:binary: the secret holds binary data, not the text of a JSON object"
    )


def test_a_closed_port_fails_at_once(
    aws: Aws, load_root: Callable[..., Config], monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
    with pytest.raises(ConfigError) as caught:
        load_root(environ={"AMPHO_SOURCES": "ssm:/shop/prod/"})
    assert str(caught.value) == (
        "ssm:/shop/prod/: cannot ask AWS: Could not connect to the endpoint URL:"
        f' "http://127.0.0.1:{port}/"'
    )


def test_an_endpoint_that_never_answers_times_out(
    aws: Aws, load_root: Callable[..., Config], monkeypatch: pytest.MonkeyPatch
) -> None:
    import ampho.config.sources.aws

    monkeypatch.setattr(ampho.config.sources.aws, "READ_TIMEOUT", 0.3)
    with socket.socket() as silent:
        # It takes connections (the kernel completes them) and never answers.
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/"
        monkeypatch.setenv("AWS_ENDPOINT_URL", url)
        with pytest.raises(ConfigError) as caught:
            load_root(environ={"AMPHO_SOURCES": "ssm:/shop/prod/"})
    assert (
        str(caught.value)
        == f'ssm:/shop/prod/: cannot ask AWS: Read timeout on endpoint URL: "{url}"'
    )


def test_missing_credentials_are_one_error(
    aws: Aws, load_root: Callable[..., Config], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    # No instance role to ask either.
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(ConfigError) as caught:
        load_root(environ={"AMPHO_SOURCES": "secretsmanager:shop/prod"})
    assert (
        str(caught.value)
        == "secretsmanager:shop/prod: cannot ask AWS: Unable to locate credentials"
    )


@pytest.mark.parametrize(
    "command",
    [
        [*AMPHO, "config", "dump"],
        [*AMPHO, "routes"],
        [sys.executable, "-c", "from ampho import create_app; create_app('app')"],
    ],
    ids=["dump", "routes", "create_app"],
)
def test_an_unreachable_store_is_one_error_line_of_every_command(
    aws: Aws, root: Path, command: list[str]
) -> None:
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("", encoding="utf-8")
    port = free_port()
    environ = {**aws.environ, "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}"}
    result = run(command, [], root, timeout=30, AMPHO_SOURCES="ssm:/shop/prod/", **environ)
    line = (
        "ssm:/shop/prod/: cannot ask AWS: Could not connect to the endpoint URL:"
        f' "http://127.0.0.1:{port}/"'
    )
    if command[0] == sys.executable:
        # An uncaught ConfigError: its traceback ends with the one line.
        assert result.stderr.splitlines()[-1] == f"ampho.config.errors.ConfigError: {line}"
        return
    assert assert_one_line_error(result) == f"Error: {line}"


def test_check_reports_an_unreachable_store(aws: Aws, root: Path) -> None:
    port = free_port()
    result = _command(
        root,
        aws,
        "check",
        AMPHO_SOURCES="secretsmanager:shop/prod",
        AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}",
    )
    assert result.returncode == 1
    assert (
        "secretsmanager:shop/prod: error: cannot ask AWS: Could not connect to the endpoint"
        f' URL: "http://127.0.0.1:{port}/"'
    ) in result.stdout.splitlines()


#: Run with boto3 hidden, as in an install without the extra ``aws``.
WITHOUT_BOTO3 = """
import sys
from importlib.abc import MetaPathFinder

class NoBoto3(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("boto3", "botocore"):
            raise ModuleNotFoundError(f"No module named {name!r}")
        return None

sys.meta_path.insert(0, NoBoto3())
from ampho.cli import main
main(sys.argv[1:], prog_name="ampho")
"""


@pytest.mark.parametrize(
    ("url", "line"),
    [
        (
            "ssm:/shop/prod/",
            "Error: ssm:/shop/prod/: boto3 is not installed: pip install ampho[aws]",
        ),
        (
            "secretsmanager:shop/prod",
            "Error: secretsmanager:shop/prod: boto3 is not installed: pip install ampho[aws]",
        ),
    ],
)
def test_without_boto3_the_error_names_the_extra(root: Path, url: str, line: str) -> None:
    result = run([sys.executable, "-c", WITHOUT_BOTO3], ["config", "dump"], root, AMPHO_SOURCES=url)
    assert assert_one_line_error(result) == line
