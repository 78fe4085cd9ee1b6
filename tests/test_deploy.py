"""Deploying with production servers: Gunicorn and uWSGI (the ``pyuwsgi`` wheel).

``gunicorn -w 4 ampho.main:application`` (from the root directory, or
with ``--chdir`` from elsewhere, with or without ``--preload``) and
``uwsgi --http ... --module ampho.main`` serve an application made of
two bundles: ``app``, which requires ``blog`` (mounted at ``/blog``),
each with views, templates and a static file, and ``app``'s page
extending ``blog:layout.html``. The configuration is chosen by
``AMPHO_ENV`` and overridden by ``AMPHO_*`` variables. ``kill -HUP``
makes Gunicorn's new workers read an edited ``instance/*.json``, and
every request still logs exactly one line in ``<root>/log``.

Each server runs in its own session on a free port of 127.0.0.1, is
polled with a deadline (never a blind sleep) and is stopped in a
``finally`` block. Environments are built from scratch.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from processes import (
    free_port,
    request,
    server_environment,
    serving,
    tail,
    wait_until,
    write_instance,
    write_tree,
)

#: How long a reload may take to show.
RELOAD_SECONDS = 30.0

BIN = os.path.dirname(sys.executable)

# --- the application -------------------------------------------------------------------

BLOG_CSS = "/* blog */ .post { color: #123456; }\n"
APP_CSS = "/* app */ body { margin: 0; }\n"

TREE = {
    "app/__init__.py": """
        REQUIRES = ["blog"]
    """,
    "app/views.py": """
        import logging
        import os

        from ampho import current_app, render, request, route

        #: The process that built the application (imported the views).
        BUILT_IN = os.getpid()

        log = logging.getLogger("app.views")


        @route("/")
        def home():
            return render("index.html", greeting=current_app.config["GREETING"])


        @route("/config")
        def config():
            return {key: current_app.config[key] for key in ("GREETING", "COLOR")}


        @route("/pid")
        def pid():
            return {
                "pid": os.getpid(),
                "built_in": BUILT_IN,
                "greeting": current_app.config["GREETING"],
            }


        @route("/log")
        def log_marker():
            log.info("marker %s", request.args["marker"])
            return str(os.getpid())
    """,
    "app/tpl/index.html": """
        {% extends "blog:layout.html" %}
        {% block title %}{{ greeting }}{% endblock %}
        {% block content %}<h1>{{ greeting }}</h1>
        <p>App page in {{ _bundle.name }}, color {{ config.COLOR }}.</p>
        <link rel="stylesheet" href="{{ url_for('app.static', filename='app.css') }}">
        <a href="{{ url_for('blog.post', slug='first-post') }}">first</a>{% endblock %}
    """,
    "app/static/app.css": APP_CSS,
    "blog/__init__.py": """
        URL_PREFIX = "/blog"
    """,
    "blog/views.py": """
        from ampho import render, route


        @route("/")
        def index():
            return render("index.html", posts=["first-post", "second-post"])


        @route("/<slug>")
        def post(slug):
            return render("post.html", slug=slug)
    """,
    "blog/tpl/layout.html": """
        <!doctype html>
        <html>
          <head>
            <title>{% block title %}{% endblock %} | Blog layout</title>
            <link rel="stylesheet" href="{{ url_for('blog.static', filename='blog.css') }}">
          </head>
          <body>{% block content %}{% endblock %}</body>
        </html>
    """,
    # The same name as app's page: the blog's own must be the one rendered.
    "blog/tpl/index.html": """
        {% extends "layout.html" %}
        {% block title %}Posts{% endblock %}
        {% block content %}<ul>{% for p in posts %}<li>{{ p }}</li>{% endfor %}</ul>
        <p>Blog index in {{ _bundle.name }}.</p>{% endblock %}
    """,
    "blog/tpl/post.html": """
        {% extends "layout.html" %}
        {% block title %}Post {{ slug }}{% endblock %}
        {% block content %}<article class="post">{{ slug }}</article>{% endblock %}
    """,
    "blog/static/blog.css": BLOG_CSS,
}

INSTANCE = {
    "default.json": {"GREETING": "from default", "COLOR": "default-grey"},
    "production.json": {"GREETING": "from production", "COLOR": "production-red"},
    "staging.json": {"GREETING": "from staging", "COLOR": "staging-blue"},
}

#: What AMPHO_GREETING sets: above every instance file.
OVERRIDE = "from the environment"


def make_root(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    write_tree(root, TREE)
    return write_instance(root, INSTANCE)


def staging_environment(tmp_path: Path) -> dict[str, str]:
    return server_environment(tmp_path / "home", AMPHO_ENV="staging", AMPHO_GREETING=OVERRIDE)


# --- HTTP ------------------------------------------------------------------------------


def check_site(port: int, root: Path) -> None:
    """Both bundles' routes, templates and static files, and the staging config."""
    home = request(port, "/")
    assert home.status == 200, home.text
    assert home.headers.get_content_type() == "text/html"
    # app's page, in blog's layout (blog:layout.html), with blog's stylesheet.
    assert f"<title>{OVERRIDE} | Blog layout</title>" in home.text
    assert f"<h1>{OVERRIDE}</h1>" in home.text
    assert "App page in app, color staging-blue." in home.text
    assert 'href="/static/blog/blog.css"' in home.text
    assert 'href="/static/app/app.css"' in home.text
    assert 'href="/blog/first-post"' in home.text

    # blog's routes, under its URL_PREFIX, render blog's own index.html.
    index = request(port, "/blog/")
    assert index.status == 200, index.text
    assert "<title>Posts | Blog layout</title>" in index.text
    assert "<li>first-post</li><li>second-post</li>" in index.text
    assert "Blog index in blog." in index.text
    assert "App page" not in index.text
    post = request(port, "/blog/first-post")
    assert post.status == 200, post.text
    assert '<article class="post">first-post</article>' in post.text
    assert request(port, "/first-post").status == 404  # the prefix is not optional

    # Static files at /static/<bundle>/, not moved by the prefix.
    for url, body in (("/static/blog/blog.css", BLOG_CSS), ("/static/app/app.css", APP_CSS)):
        css = request(port, url)
        assert css.status == 200, url
        assert css.headers.get_content_type() == "text/css"
        assert css.text == body
    for missing in ("/blog/static/blog.css", "/static/blog/nope.css", "/static/nope/blog.css"):
        assert request(port, missing).status == 404, missing

    # instance/staging.json chosen by AMPHO_ENV, GREETING from AMPHO_GREETING.
    config = request(port, "/config")
    assert config.status == 200
    assert config.json() == {"GREETING": OVERRIDE, "COLOR": "staging-blue"}

    # One request, one line in Ampho's log file, from the process that answered.
    check_logged_once(port, root)


def log_lines(root: Path, marker: str) -> list[str]:
    """Lines of Ampho's log files holding ``marker`` (``app.log`` is a link, skipped)."""
    found = []
    for path in sorted((root / "log").glob("*.log")):
        if path.is_symlink():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        found.extend(line for line in text.splitlines() if marker in line)
    return found


def check_logged_once(port: int, root: Path, requests: int = 4) -> set[int]:
    """Each of a few requests logs exactly one line; the pids that answered."""
    pids = set()
    for _ in range(requests):
        marker = uuid.uuid4().hex
        response = request(port, f"/log?marker={marker}")
        assert response.status == 200, response.text
        pid = int(response.text)
        pids.add(pid)
        lines = log_lines(root, marker)
        assert len(lines) == 1, lines
        assert f"INFO [{pid}] app.views: marker {marker}" in lines[0], lines
    return pids


# --- servers ---------------------------------------------------------------------------


def gunicorn(port: int, *options: str, workers: int = 4) -> list[str]:
    """``gunicorn -w 4 ... ampho.main:application``, the script next to the interpreter."""
    script = shutil.which("gunicorn", path=BIN)
    command = [script] if script else [sys.executable, "-m", "gunicorn"]
    return [
        *command,
        *("-w", str(workers), "-b", f"127.0.0.1:{port}", "--graceful-timeout", "10"),
        *options,
        "ampho.main:application",
    ]


# --- Gunicorn --------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["root", "chdir", "preload"])
def test_gunicorn_serves_the_bundles(tmp_path: Path, how: str) -> None:
    root = make_root(tmp_path)
    port = free_port()
    if how == "chdir":
        cwd = tmp_path / "elsewhere"
        cwd.mkdir()
        command = gunicorn(port, "--chdir", str(root))
    else:
        cwd = root
        command = gunicorn(port, "--preload") if how == "preload" else gunicorn(port)
    log = tmp_path / "server.log"
    with serving(command, cwd, port, staging_environment(tmp_path), log) as proc:
        check_site(port, root)
        assert request(port, "/").headers["Server"].startswith("gunicorn")
        answer = request(port, "/pid").json()
        assert answer["pid"] != proc.pid  # a worker answers, not the master
        if how == "preload":
            # Built once in the master, before the workers were forked.
            assert answer["built_in"] == proc.pid
        else:
            # Built in each worker.
            assert answer["built_in"] == answer["pid"]
    if how == "chdir":  # the logs went to the root, not the directory started from
        assert not (cwd / "log").exists()
    assert "Traceback" not in tail(log)


def test_gunicorn_hup_reloads_an_edited_instance_file(tmp_path: Path) -> None:
    """``kill -HUP``: new workers read the edited file and log each request once.

    Without ``--preload``: with it, the master keeps the application it
    loaded and new workers are forks of it.
    """
    root = make_root(tmp_path)
    port = free_port()
    env = server_environment(tmp_path / "home")  # no AMPHO_ENV: production
    log = tmp_path / "server.log"
    with serving(gunicorn(port), root, port, env, log) as proc:
        assert request(port, "/config").json()["GREETING"] == "from production"
        old_pids = check_logged_once(port, root)

        write_instance(root, {"production.json": {"GREETING": "reloaded", "COLOR": "x"}})
        os.kill(proc.pid, signal.SIGHUP)

        # Until several answers in a row show the new file (old workers
        # may still answer for a moment while they stop).
        in_a_row: list[dict[str, object]] = []

        def reloaded() -> bool:
            answer = request(port, "/pid").json()
            if answer["greeting"] == "reloaded":
                in_a_row.append(answer)
            else:
                in_a_row.clear()
            return len(in_a_row) >= 8

        wait_until(proc, reloaded, "the edited production.json never showed", log, RELOAD_SECONDS)
        assert request(port, "/config").json() == {"GREETING": "reloaded", "COLOR": "x"}
        new_pids = {answer["pid"] for answer in in_a_row}
        assert not new_pids & old_pids, "old workers answered with the new file"
        assert proc.poll() is None  # the same master

        # After the reload: still exactly one line a request, by new workers.
        after = check_logged_once(port, root, requests=8)
        assert not after & old_pids
    text = tail(log)
    assert "Handling signal: hup" in text
    assert "Traceback" not in text


# --- uWSGI -----------------------------------------------------------------------------


def uwsgi_command(home: Path) -> tuple[str, str]:
    """The ``uwsgi`` of the ``pyuwsgi`` wheel next to the interpreter, and its version.

    Skips, with the exact error as the reason, when there is none or it cannot run.
    """
    found = shutil.which("uwsgi", path=BIN)
    if found is None:
        pytest.skip(f"no uwsgi command in {BIN} (is pyuwsgi installed?)")
    try:
        probe = subprocess.run(
            [found, "--version"],
            env=server_environment(home),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as e:
        pytest.skip(f"{found} --version cannot run: {type(e).__name__}: {e}")
    if probe.returncode != 0:
        error = (probe.stderr or probe.stdout).strip()
        pytest.skip(f"{found} --version exited with status {probe.returncode}: {error}")
    return found, probe.stdout.strip()


@pytest.mark.parametrize("how", ["cwd", "chdir"])
def test_uwsgi_serves_the_bundles(tmp_path: Path, how: str) -> None:
    uwsgi, version = uwsgi_command(tmp_path / "home")
    root = make_root(tmp_path)
    port = free_port()
    command = [
        uwsgi,
        *("--http", f"127.0.0.1:{port}", "--module", "ampho.main"),
        *("--master", "--processes", "2", "--need-app", "--die-on-term"),
    ]
    if how == "chdir":
        cwd = tmp_path / "elsewhere"
        cwd.mkdir()
        command += ["--chdir", str(root)]
    else:
        cwd = root
    log = tmp_path / "server.log"
    with serving(command, cwd, port, staging_environment(tmp_path), log) as proc:
        check_site(port, root)
        answer = request(port, "/pid").json()
        assert answer["pid"] != proc.pid  # a worker answers, not the master
    text = tail(log)
    assert f"Starting uWSGI {version}" in log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in text
