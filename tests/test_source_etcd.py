"""The ``etcd://`` source of ``AMPHO_SOURCES``, against a real etcd server
(docs/configuration.rst, "Settings stores"; the examples there are these
tests). The ``etcd`` binary must be installed: CI installs it
(``.ci/run``), and a run without it fails rather than skips."""

from __future__ import annotations

import base64
import json
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from processes import (
    AMPHO,
    assert_one_line_error,
    free_port,
    request,
    run,
    server_environment,
    serving,
    stop,
    wait_until,
    write_instance,
)

from ampho.config import Config, ConfigError
from ampho.config.schema import load_schemas
from ampho.config.sources.etcd import EtcdSource


class Etcd:
    """A running etcd server on 127.0.0.1."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"etcd://127.0.0.1:{port}"

    def put(self, key: str, value: str | bytes) -> None:
        raw = value.encode("utf-8") if isinstance(value, str) else value
        body = {"key": _b64(key.encode("utf-8")), "value": _b64(raw)}
        answer = request(self.port, "/v3/kv/put", data=json.dumps(body).encode())
        assert answer.status == 200, answer.text


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@pytest.fixture(scope="module")
def etcd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Etcd]:
    """One etcd server for the module, on free client and peer ports."""
    binary = shutil.which("etcd") or shutil.which("etcd", path="/usr/bin")
    if binary is None:
        pytest.fail(
            "these tests need the etcd server: apt-get install etcd-server (.ci/run does)",
            pytrace=False,
        )
    home = tmp_path_factory.mktemp("etcd")
    client, peer = free_port(), free_port()
    command = [
        binary,
        "--name=test",
        f"--data-dir={home / 'data'}",
        f"--listen-client-urls=http://127.0.0.1:{client}",
        f"--advertise-client-urls=http://127.0.0.1:{client}",
        f"--listen-peer-urls=http://127.0.0.1:{peer}",
        f"--initial-advertise-peer-urls=http://127.0.0.1:{peer}",
        f"--initial-cluster=test=http://127.0.0.1:{peer}",
    ]
    log = home / "etcd.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until(proc, lambda: _healthy(client), "etcd is not healthy", log)
        yield Etcd(client)
    finally:
        stop(proc)


def _healthy(port: int) -> bool:
    try:
        return request(port, "/health").json().get("health") == "true"
    except OSError:
        return False


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port whose listener takes connections (the kernel completes them)
    and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


def test_every_key_under_the_prefix_is_a_setting(
    etcd: Etcd, load_root: Callable[..., Config]
) -> None:
    for key, value in [
        ("/site/DB/HOST", "db.example.com"),
        ("/site/DB/PORT", "5432"),
        ("/site/DEBUG", "false"),
        ("/site/GREETING", "hello, world"),
        ("/sites/LIST", "not read"),
        ("/site", "not read"),
    ]:
        etcd.put(key, value)
    cfg = load_root(environ={"AMPHO_SOURCES": f"{etcd.url}/site/"})
    assert cfg.to_dict() == {
        "DB": {"HOST": "db.example.com", "PORT": 5432},
        "DEBUG": False,
        "GREETING": "hello, world",
    }
    assert str(cfg.origin("DB.PORT")) == f"{etcd.url}/site/DB/PORT"
    assert str(cfg.origin("DB")) == f"{etcd.url}/site/DB/HOST"
    assert [layer.name for layer in cfg.layers][-3:] == [f"{etcd.url}/site/", "env", "overrides"]
    # Without the trailing slash the prefix is the same.
    again = load_root(environ={"AMPHO_SOURCES": f"{etcd.url}/site?timeout=2"})
    assert again.to_dict() == cfg.to_dict()


def test_the_environment_overrides_the_store(etcd: Etcd, load_root: Callable[..., Config]) -> None:
    etcd.put("/over/DB/HOST", "from-etcd")
    cfg = load_root(environ={"AMPHO_SOURCES": f"{etcd.url}/over/", "AMPHO_DB__HOST": "from-env"})
    assert cfg["DB"]["HOST"] == "from-env"


def test_declared_types_type_the_values(etcd: Etcd, load_root: Callable[..., Config]) -> None:
    etcd.put("/typed/ZIP", "01067")
    etcd.put("/typed/CODE", "12345")
    etcd.put("/typed/HOSTS", "a.example, b.example")
    schema = {
        "type": "object",
        "properties": {
            "CODE": {"type": "string"},
            "HOSTS": {"type": "array", "items": {"type": "string"}},
        },
    }
    declared = load_schemas([schema], str(load_root().root_dir))
    source = EtcdSource("127.0.0.1", etcd.port, "/typed/", schemas=declared)
    cfg = load_root(sources=[source])
    assert cfg.to_dict() == {"CODE": "12345", "HOSTS": ["a.example", "b.example"], "ZIP": "01067"}


def test_a_bundles_declarations_type_the_values_of_ampho_sources(etcd: Etcd, root: Path) -> None:
    """Named in AMPHO_SOURCES, the store is typed by the application's
    schemas as the environment is: a string-declared CODE stays text."""
    schema = {
        "type": "object",
        "properties": {
            "CODE": {"type": "string"},
            "HOSTS": {"type": "array", "items": {"type": "string"}},
        },
    }
    (root / "app").mkdir(exist_ok=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "schema.json").write_text(json.dumps(schema))
    write_instance(root, {"default.json": {}})
    etcd.put("/declared/CODE", "12345")
    etcd.put("/declared/COUNT", "12345")
    etcd.put("/declared/HOSTS", "a.example, b.example")
    result = _command(root, "dump", AMPHO_SOURCES=f"{etcd.url}/declared/")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "CODE": "12345",
        "COUNT": 12345,
        "HOSTS": ["a.example", "b.example"],
    }


def _command(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return run(AMPHO, ["config", *args], root, timeout=30, **env)


def test_the_commands_show_each_key(etcd: Etcd, root: Path) -> None:
    # The examples of docs/configuration.rst, "etcd", on a port of the test's.
    write_instance(root, {"default.json": {"DB": {"HOST": "localhost"}}, "production.json": {}})
    etcd.put("/shop/DB/HOST", "db.example.com")
    etcd.put("/shop/DB/PASSWORD", "hunter2")
    etcd.put("/shop/DEBUG", "true")
    sources = f"{etcd.url}/shop/"
    explained = _command(root, "explain", "DB.HOST", AMPHO_SOURCES=sources)
    assert explained.returncode == 0, explained.stderr
    assert explained.stdout.splitlines() == [
        'instance/default.json:3:5: "localhost"',
        f'{etcd.url}/shop/DB/HOST: "db.example.com"  (wins)',
    ]
    dumped = _command(root, "dump", "--explain", AMPHO_SOURCES=sources)
    assert dumped.returncode == 0, dumped.stderr
    assert dumped.stdout.splitlines() == [
        f'DB.HOST = "db.example.com"  ({etcd.url}/shop/DB/HOST)',
        f'DB.PASSWORD = "***"  ({etcd.url}/shop/DB/PASSWORD)',
        f"DEBUG = true  ({etcd.url}/shop/DEBUG)",
    ]
    # check points at the key that sets a value it warns about.
    checked = _command(root, "check", AMPHO_SOURCES=sources, AMPHO_ENV="production")
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith(
        f"{etcd.url}/shop/DEBUG: warning: DEBUG is true in the production"
    )
    assert "hunter2" not in explained.stdout + dumped.stdout + checked.stdout + checked.stderr


@pytest.mark.parametrize(
    ("keys", "prefix", "message"),
    [
        ({}, "/nothing/", "{url}/nothing/: no key starts with /nothing/ (is the prefix right?)"),
        (
            {"/bytes/KEY": b"\xff\xfe"},
            "/bytes/",
            "{url}/bytes/KEY: the value is not valid UTF-8 (byte 0xff); set it as UTF-8 text",
        ),
        (
            {"/nan/X": "NaN"},
            "/nan/",
            "{url}/nan/X: X: NaN is not a JSON number: write a number, or null",
        ),
        (
            {"/empty/A//B": "1"},
            "/empty/",
            "{url}/empty/A//B: an empty part in the key (a doubled or trailing /) names no setting",
        ),
        (
            {"/clash/A": "1", "/clash/A/B": "2"},
            "/clash/",
            "{url}/clash/A/B: cannot set A.B: A is a number, not an object",
        ),
    ],
)
def test_a_store_that_cannot_be_read_is_one_error(
    etcd: Etcd,
    load_root: Callable[..., Config],
    keys: dict[str, str | bytes],
    prefix: str,
    message: str,
) -> None:
    for key, value in keys.items():
        etcd.put(key, value)
    with pytest.raises(ConfigError) as caught:
        load_root(environ={"AMPHO_SOURCES": f"{etcd.url}{prefix}"})
    assert str(caught.value) == message.format(url=etcd.url)


@pytest.mark.parametrize(
    ("rest", "message"),
    [
        ("//127.0.0.1:99999/x/", "the port is not a number from 1 to 65535"),
        ("//user:secret@127.0.0.1/x/", "a user or password in the URL is not supported"),
        ("127.0.0.1/x/", "the URL is not etcd://HOST:PORT/PREFIX/"),
        ("//127.0.0.1/x/?timeout=0", "timeout='0' is not a positive number of seconds"),
        ("//127.0.0.1/x/?timeout=nan", "timeout='nan' is not a positive number of seconds"),
        ("//127.0.0.1/x/?tls=1", "unknown parameter 'tls' (known: timeout)"),
    ],
)
def test_a_wrong_url_is_one_error(
    load_root: Callable[..., Config], rest: str, message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_root(environ={"AMPHO_SOURCES": f"etcd:{rest}"})
    assert str(caught.value) == f"AMPHO_SOURCES etcd:: {message}"
    assert "secret" not in str(caught.value)


def test_a_closed_port_fails_at_once(load_root: Callable[..., Config]) -> None:
    port = free_port()
    with pytest.raises(ConfigError) as caught:
        load_root(environ={"AMPHO_SOURCES": f"etcd://127.0.0.1:{port}/shop/"})
    assert str(caught.value) == (
        f"etcd://127.0.0.1:{port}/shop/: cannot reach the store: Connection refused"
    )


def test_a_store_that_never_answers_times_out(
    silent_port: int, load_root: Callable[..., Config]
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_root(environ={"AMPHO_SOURCES": f"etcd://127.0.0.1:{silent_port}/shop/?timeout=0.5"})
    assert str(caught.value) == (
        f"etcd://127.0.0.1:{silent_port}/shop/: the store did not answer within 0.5 s"
        " (the URL's ?timeout= sets the limit)"
    )


@pytest.mark.parametrize(
    "command",
    [
        [*AMPHO, "config", "dump"],
        [*AMPHO, "config", "explain", "DB"],
        [*AMPHO, "routes"],
        [sys.executable, "-c", "from ampho import create_app; create_app('app')"],
    ],
    ids=["dump", "explain", "routes", "create_app"],
)
def test_an_unreachable_store_is_one_error_line_of_every_command(
    root: Path, silent_port: int, command: list[str]
) -> None:
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("", encoding="utf-8")
    refused = free_port()
    result = run(command, [], root, timeout=30, AMPHO_SOURCES=f"etcd://127.0.0.1:{refused}/shop/")
    if command[0] == sys.executable:
        # An uncaught ConfigError: its traceback ends with the one line.
        assert result.stderr.splitlines()[-1] == (
            f"ampho.config.errors.ConfigError: etcd://127.0.0.1:{refused}/shop/:"
            " cannot reach the store: Connection refused"
        )
        return
    assert assert_one_line_error(result) == (
        f"Error: etcd://127.0.0.1:{refused}/shop/: cannot reach the store: Connection refused"
    )
    silent = f"etcd://127.0.0.1:{silent_port}/shop/?timeout=0.5"
    result = run(command, [], root, timeout=30, AMPHO_SOURCES=silent)
    assert assert_one_line_error(result) == (
        f"Error: etcd://127.0.0.1:{silent_port}/shop/: the store did not answer within 0.5 s"
        " (the URL's ?timeout= sets the limit)"
    )


def test_check_reports_an_unreachable_store(root: Path, silent_port: int) -> None:
    refused = free_port()
    sources = f"etcd://127.0.0.1:{refused}/shop/ etcd://127.0.0.1:{silent_port}/shop/?timeout=0.5"
    result = _command(root, "check", AMPHO_SOURCES=sources)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == (
        f"etcd://127.0.0.1:{refused}/shop/: error: cannot reach the store: Connection refused"
    )


def test_a_server_that_is_no_etcd_is_one_error(
    tmp_path: Path, load_root: Callable[..., Config]
) -> None:
    port = free_port()
    command = [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)]
    env = server_environment(tmp_path / "home")
    with (
        serving(command, tmp_path, port, env, tmp_path / "http.log"),
        pytest.raises(ConfigError) as caught,
    ):
        load_root(environ={"AMPHO_SOURCES": f"etcd://127.0.0.1:{port}/shop/"})
    assert str(caught.value) == (
        f"etcd://127.0.0.1:{port}/shop/: the store answered HTTP 501 Unsupported method ('POST')"
    )
