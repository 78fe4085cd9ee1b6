"""``ampho secret-key rotate``: a new key, the previous ones as fallbacks.

Run as users run it: the real ``ampho`` command in a subprocess, and a
session cookie made by Gunicorn on a free port of 127.0.0.1 before the
rotation, read by a new Gunicorn after it. The command lines of the
manual's "Rotating the secret key" (docs/deployment.rst) are read from
it and are the ones run here.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import stat
import sys
import tempfile
import time
from pathlib import Path

import pytest
from processes import (
    AMPHO,
    assert_one_line_error,
    call_as_user,
    free_port,
    request,
    run,
    server_environment,
    serving,
    wait_until,
    write_instance,
    write_tree,
)

from ampho.app.instance import FALLBACKS_KEPT, rotate_secret_key
from ampho.config import ConfigError

DEPLOYMENT = Path(__file__).resolve().parent.parent / "docs" / "deployment.rst"

VIEWS = """
from flask import session
from ampho import route

@route("/set")
def set_():
    session["who"] = "me"
    return "set"

@route("/get")
def get():
    return session.get("who", "nobody")
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    write_tree(root, {"app/__init__.py": "", "app/views.py": VIEWS})
    write_instance(root, {"default.json": {}})
    return root


def documented_commands() -> list[tuple[list[str], str]]:
    """The ``$ ampho ...`` lines of the manual's section on rotation,
    each with the line it shows printed."""
    text = DEPLOYMENT.read_text(encoding="utf-8")
    start = text.index("Rotating the secret key\n")
    section = text[start : text.index("\n----", start + 30)]
    found = re.findall(r"^ +\$ ampho (.*)\n +(.*)$", section, re.M)
    return [(args.split(), printed + "\n") for args, printed in found]


def keys(root: Path) -> list[str]:
    """Every key in the instance directory's key files."""
    found = []
    for name in ("secret_key", "secret_key.fallbacks"):
        path = root / "instance" / name
        if path.exists():
            found += path.read_text(encoding="ascii").split()
    return found


def ampho(root: Path, *args: str, **env: str) -> str:
    """Run ``ampho ARGS``; its one line of output, which holds no key,
    before or after the run."""
    before = keys(root)
    result = run(AMPHO, list(args), root, **env)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    # Not a key, nor any part of one long enough to help guess it.
    for key in [*before, *keys(root)]:
        for start in range(len(key) - 7):
            assert key[start : start + 8] not in result.stdout
    return result.stdout


def session_cookie(port: int) -> str:
    response = request(port, "/set")
    assert response.status == 200
    return response.headers["Set-Cookie"].split(";")[0]


def who(port: int, cookie: str) -> str:
    return request(port, "/get", headers={"Cookie": cookie}).text


def gunicorn(port: int) -> list[str]:
    return [
        *(sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}"),
        "ampho.main:application",
    ]


def test_the_manual_shows_rotate_then_drop_old() -> None:
    assert [args for args, _ in documented_commands()] == [
        ["secret-key", "rotate"],
        ["secret-key", "rotate", "--drop-old"],
    ]


def test_a_session_signed_before_rotation_reads_until_the_old_keys_are_dropped(
    project: Path, tmp_path: Path
) -> None:
    rotate, drop_old = documented_commands()
    env = server_environment(tmp_path / "home")
    log = tmp_path / "server.log"
    port = free_port()
    with serving(gunicorn(port), project, port, env, log):
        cookie = session_cookie(port)
        assert who(port, cookie) == "me"
    old_key = keys(project)

    assert (
        ampho(project, *rotate[0])
        == rotate[1]
        == (
            "wrote a new key to instance/secret_key; 1 previous key(s) in"
            " instance/secret_key.fallbacks still read sessions they signed;"
            " restart the application to use it\n"
        )
    )
    assert keys(project)[1:] == old_key
    with serving(gunicorn(port), project, port, env, log):
        assert who(port, cookie) == "me"
        # New sessions are signed with the new key alone.
        fresh = session_cookie(port)

    assert (
        ampho(project, *drop_old[0])
        == drop_old[1]
        == (
            "removed instance/secret_key.fallbacks: sessions signed with a previous key"
            " stop reading when the application restarts\n"
        )
    )
    with serving(gunicorn(port), project, port, env, log):
        assert who(port, cookie) == "nobody"
        assert who(port, fresh) == "me"


def signed_by(cookie: str, key: str) -> bool:
    """Whether Flask's session ``cookie`` (``session=...``) is signed with ``key``."""
    from flask import Flask
    from flask.sessions import SecureCookieSessionInterface
    from itsdangerous import BadSignature

    app = Flask("verify")
    app.secret_key = key
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    assert serializer is not None
    try:
        serializer.loads(cookie.partition("=")[2])
    except BadSignature:
        return False
    return True


def test_gunicorn_reloaded_with_hup_signs_with_the_new_key(project: Path, tmp_path: Path) -> None:
    env = server_environment(tmp_path / "home")
    log = tmp_path / "server.log"
    port = free_port()
    with serving(gunicorn(port), project, port, env, log) as server:
        cookie = session_cookie(port)
        (old_key,) = keys(project)
        assert signed_by(cookie, old_key)
        ampho(project, "secret-key", "rotate")
        new_key, fallback = keys(project)
        assert (fallback, new_key != old_key) == (old_key, True)
        # The running worker keeps its key until the workers restart.
        assert signed_by(session_cookie(port), old_key)
        server.send_signal(signal.SIGHUP)
        wait_until(
            server,
            lambda: signed_by(session_cookie(port), new_key),
            "no worker signs with the new key",
            log,
        )
        assert who(port, cookie) == "me"


def test_rotation_keeps_the_newest_previous_keys_in_files_of_mode_0600(project: Path) -> None:
    ampho(project, "secret-key", "rotate")  # no key yet: the first
    assert not (project / "instance" / "secret_key.fallbacks").exists()
    written = []
    for _ in range(FALLBACKS_KEPT + 1):
        written.insert(0, keys(project)[0])
        out = ampho(project, "secret-key", "rotate")
    assert out.endswith(
        f"{FALLBACKS_KEPT} previous key(s) in instance/secret_key.fallbacks still read"
        " sessions they signed (1 older key(s) dropped); restart the application to use it\n"
    )
    current, *fallbacks = keys(project)
    assert fallbacks == written[:FALLBACKS_KEPT]
    assert current not in written
    assert len(set(keys(project))) == FALLBACKS_KEPT + 1
    for name in ("secret_key", "secret_key.fallbacks"):
        path = project / "instance" / name
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, name
    # No temporary file is left behind.
    assert sorted(p.name for p in (project / "instance").iterdir()) == [
        "default.json",
        "secret_key",
        "secret_key.fallbacks",
    ]


def test_drop_old_without_previous_keys_says_so(project: Path) -> None:
    ampho(project, "secret-key", "rotate")
    assert ampho(project, "secret-key", "rotate", "--drop-old") == (
        "there are no previous keys to drop\n"
    )


def test_the_application_signs_with_the_key_and_accepts_the_fallbacks(app_tree) -> None:
    from ampho import create_app

    app_tree.bundle("app")
    instance = app_tree.root / "instance"
    instance.mkdir()
    rotate_secret_key(str(instance), str(app_tree.root))
    rotate_secret_key(str(instance), str(app_tree.root))
    current, *fallbacks = keys(app_tree.root)
    app = create_app()
    assert app.config["SECRET_KEY"] == current
    assert app.config["SECRET_KEY_FALLBACKS"] == fallbacks
    origin = app.extensions["ampho"].config.origin("SECRET_KEY_FALLBACKS")
    assert str(origin) == "instance/secret_key.fallbacks"


def test_a_layers_fallbacks_win_over_the_files(app_tree) -> None:
    from ampho import create_app

    app_tree.bundle("app")
    instance = app_tree.root / "instance"
    instance.mkdir()
    rotate_secret_key(str(instance), str(app_tree.root))
    rotate_secret_key(str(instance), str(app_tree.root))
    app = create_app(config={"SECRET_KEY_FALLBACKS": ["mine"]})
    assert app.config["SECRET_KEY_FALLBACKS"] == ["mine"]


def test_a_temporary_name_taken_is_never_written_through(
    app_tree, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ampho.app.instance as instance_module

    instance = app_tree.root / "instance"
    instance.mkdir()
    rotate_secret_key(str(instance), str(app_tree.root))
    before = keys(app_tree.root)
    victim = tmp_path / "victim"
    victim.write_text("not yours\n", encoding="ascii")
    # Somebody else's link under the name the next temporary file gets.
    token_hex = instance_module.secrets.token_hex
    monkeypatch.setattr(
        instance_module.secrets, "token_hex", lambda n: "0badcafe" if n == 4 else token_hex(n)
    )
    taken = instance / f"secret_key.fallbacks.{os.getpid()}.0badcafe"
    taken.symlink_to(victim)
    with pytest.raises(ConfigError) as caught:
        rotate_secret_key(str(instance), str(app_tree.root))
    assert str(caught.value).startswith(
        "instance/secret_key.fallbacks: cannot be created: File exists;"
    )
    assert victim.read_text(encoding="ascii") == "not yours\n"
    assert keys(app_tree.root) == before
    assert taken.is_symlink()


@pytest.mark.parametrize("layer", ["env", "file"])
def test_a_key_a_layer_sets_is_not_rotated(project: Path, layer: str) -> None:
    env = {}
    if layer == "env":
        env["AMPHO_SECRET_KEY"] = "given-key-value"
        where = "env AMPHO_SECRET_KEY"
    else:
        write_instance(project, {"default.json": {"SECRET_KEY": "given-key-value"}})
        where = "instance/default.json:2:3"
    for args in (["rotate"], ["rotate", "--drop-old"]):
        result = run(AMPHO, ["secret-key", *args], project, **env)
        assert assert_one_line_error(result) == (
            f"Error: SECRET_KEY is set in {where}, so the key is not Ampho's to rotate:"
            " change it there, and list the previous key in SECRET_KEY_FALLBACKS"
        )
        assert "given-key-value" not in result.stderr
        if layer == "env":  # as the manual shows it
            assert result.stderr.rstrip() in DEPLOYMENT.read_text(encoding="utf-8")
    assert not (project / "instance" / "secret_key").exists()


def test_config_check_warns_of_a_key_older_than_a_year(project: Path) -> None:
    ampho(project, "secret-key", "rotate")
    ampho(project, "secret-key", "rotate")
    fresh = run(AMPHO, ["config", "check", "--strict"], project)
    assert (fresh.returncode, fresh.stdout) == (0, ""), fresh.stderr
    key_file = project / "instance" / "secret_key"
    written = time.time() - 400 * 86400
    os.utime(key_file, (written, written))
    old = run(AMPHO, ["config", "check"], project)
    assert old.returncode == 0, old.stderr
    assert old.stdout.splitlines() == [
        "instance/secret_key: warning: holds a key written 400 days ago, more than 365"
        " (1 previous key(s) kept): run ampho secret-key rotate"
    ]
    assert run(AMPHO, ["config", "check", "--strict"], project).returncode == 1
    # A key a layer sets is not the file's: its age is no matter.
    given = run(AMPHO, ["config", "check", "--strict"], project, AMPHO_SECRET_KEY="k" * 40)
    assert "secret_key" not in given.stdout


ROOT_ONLY = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root, to own files for others"
)
#: A user the suite never runs as.
SERVICE_UID = 43210


@ROOT_ONLY
def test_a_rotation_run_as_root_leaves_the_files_to_the_key_files_owner(project: Path) -> None:
    ampho(project, "secret-key", "rotate")
    key_file = project / "instance" / "secret_key"
    os.chown(key_file, SERVICE_UID, SERVICE_UID)
    ampho(project, "secret-key", "rotate")
    for name in ("secret_key", "secret_key.fallbacks"):
        status = (project / "instance" / name).stat()
        assert (status.st_uid, status.st_gid) == (SERVICE_UID, SERVICE_UID), name
        assert stat.S_IMODE(status.st_mode) == 0o600, name


@ROOT_ONLY
def test_a_rotation_that_cannot_keep_the_owner_writes_nothing() -> None:
    # Under /tmp, which the other user can reach; pytest's tmp_path is
    # its owner's alone.
    root = Path(tempfile.mkdtemp())
    try:
        root.chmod(0o755)
        instance = root / "instance"
        instance.mkdir(mode=0o777)
        instance.chmod(0o777)
        rotate_secret_key(str(instance), str(root))
        before = keys(root)
        (instance / "secret_key").chmod(0o644)  # readable by the other user
        result = call_as_user(SERVICE_UID, lambda: rotate_secret_key(str(instance), str(root)))
        assert result["raised"] == "ConfigError"
        assert result["str"].startswith(
            "instance/secret_key.fallbacks: would belong to uid 0, as the key file does, but"
            f" the user running the application (uid {SERVICE_UID}) cannot give it a file;"
        )
        assert keys(root) == before
        assert sorted(p.name for p in instance.iterdir()) == ["secret_key"]
    finally:
        shutil.rmtree(root)


def test_a_broken_fallbacks_file_is_one_line_until_dropped(project: Path) -> None:
    ampho(project, "secret-key", "rotate")
    (project / "instance" / "secret_key.fallbacks").write_bytes(b"abc\x01def\n")
    line = (
        "Error: instance/secret_key.fallbacks:1:4: holds a control character (a key is one"
        " line of printable ASCII); remove it (ampho secret-key rotate --drop-old), which"
        " ends the previous keys"
    )
    for args in (["routes"], ["secret-key", "rotate"]):
        assert assert_one_line_error(run(AMPHO, args, project)) == line
    ampho(project, "secret-key", "rotate", "--drop-old")
    assert run(AMPHO, ["routes"], project).returncode == 0
