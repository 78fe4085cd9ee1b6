"""Flask's own tutorial app, flaskr, moved onto Ampho, passes its own tests.

The tutorial ships in the Flask sdist under ``examples/tutorial``. It is
fetched for the installed Flask version (and kept in a cache, so only the
first run needs the network), moved onto Ampho as the migration page
tells a user to, then its own test suite runs, unchanged, in a
subprocess with warnings as errors. Plain Flask code meets Ampho here
at every point: blueprints registered in a hook, templates in the app's
``templates/`` folder, ``url_for("static")``, ``open_resource``,
``app.cli``, ``app.teardown_appcontext`` and an application per test.

Only ``flaskr/__init__.py`` is rewritten; its views, templates, static
files, ``db.py``, ``schema.sql`` and tests are the sdist's.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

import platformdirs
import pytest
from processes import run

FLASK_VERSION = importlib.metadata.version("flask")

#: Where the tutorial is inside the sdist, below its top directory.
TUTORIAL = PurePosixPath("examples/tutorial")

#: Lines of the tutorial's ``create_app`` that :data:`MIGRATED_INIT`
#: carries over. If Flask changes its tutorial, this says so, rather than
#: testing a migration of code that is no longer there.
ORIGINAL_FACTORY = (
    "def create_app(test_config=None):",
    'SECRET_KEY="dev",',
    'DATABASE=os.path.join(app.instance_path, "flaskr.sqlite"),',
    'app.config.from_pyfile("config.py", silent=True)',
    "app.config.update(test_config)",
    '@app.route("/hello")',
    "db.init_app(app)",
    "app.register_blueprint(auth.bp)",
    "app.register_blueprint(blog.bp)",
    'app.add_url_rule("/", endpoint="index")',
)

#: ``flaskr/__init__.py`` after the move. What followed ``Flask(...)`` is
#: the entry bundle's ``on_load`` hook, which gets the real application
#: after Ampho has applied every settings layer. ``SECRET_KEY="dev"`` and
#: ``from_pyfile("config.py")`` go: settings live in ``instance/*.json``
#: and Ampho generates a secret key when none is set. ``instance_path``
#: and ``os.makedirs`` go too: Ampho's instance directory is the same
#: ``instance/`` beside the package, and it creates it.
MIGRATED_INIT = '''\
import os

import ampho


def create_app(test_config=None):
    """Create and configure an instance of the Flask application.

    Ampho builds it from this package, the entry bundle. The test
    config goes above every settings layer (the files in instance/).
    """
    return ampho.create_app("flaskr", config=test_config)


def on_load(app):
    """Finish the application: what the factory did after Flask()."""
    # store the database in the instance folder, unless a setting
    # (an instance file, the test config) names another
    app.config.setdefault("DATABASE", os.path.join(app.instance_path, "flaskr.sqlite"))

    @app.route("/hello")
    def hello():
        return "Hello, World!"

    # register the database commands
    from . import db

    db.init_app(app)

    # apply the blueprints to the app
    from . import auth
    from . import blog

    app.register_blueprint(auth.bp)
    app.register_blueprint(blog.bp)

    # make url_for('index') == url_for('blog.index')
    app.add_url_rule("/", endpoint="index")
'''

#: Run in the tutorial directory: what the migrated flaskr is made of,
#: written as JSON to ``sys.argv[1]``. None of it holds for the plain
#: tutorial, whose app has no ``extensions["ampho"]``.
FACTS_SCRIPT = """\
import json
import sys

from flask import url_for

import flaskr

app = flaskr.create_app()
state = app.extensions["ampho"]
with app.test_request_context():
    static_url = url_for("static", filename="style.css")
response = app.test_client().get(static_url)
response.close()
facts = {
    "bundles": [bundle.name for bundle in state.bundles],
    "blueprints": sorted(app.blueprints),
    "instance_path": app.instance_path,
    "database": app.config["DATABASE"],
    "test_database": flaskr.create_app({"DATABASE": "t.sqlite"}).config["DATABASE"],
    "secret_key_origin": state.config.origin("SECRET_KEY").source,
    "secret_key_is_dev": app.config["SECRET_KEY"] == "dev",
    "loader": type(app.jinja_env.loader).__name__,
    "template": app.jinja_env.get_template("blog/index.html").filename,
    "static_url": static_url,
    "static_status": response.status_code,
}
with open(sys.argv[1], "w", encoding="utf-8") as f:
    json.dump(facts, f)
"""


def cache_dir(config: pytest.Config) -> Path:
    """pytest's cache, or the user's cache directory under ``-p no:cacheprovider``."""
    cache = getattr(config, "cache", None)
    if cache is not None:
        return Path(cache.mkdir("flask-sdist"))
    path = Path(platformdirs.user_cache_dir("ampho-tests")) / "flask-sdist"
    path.mkdir(parents=True, exist_ok=True)
    return path


def download_sdist(version: str, cache: Path) -> Path:
    """The Flask sdist of ``version`` in ``cache``, downloaded by pip if missing.

    pip runs with the developer's environment, where the index and proxy
    settings are. The file is downloaded beside the cache and moved into
    it whole, so an interrupted run leaves nothing that looks cached.
    """
    cached = cache / f"flask-{version}.tar.gz"
    if cached.is_file():
        return cached
    with tempfile.TemporaryDirectory(dir=cache) as download:
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:"]
        command += ["--disable-pip-version-check", f"flask=={version}", "-d", download]
        try:
            result = subprocess.run(
                command, capture_output=True, text=True, timeout=300, check=False
            )
        except subprocess.TimeoutExpired:
            pytest.fail(f"pip download of the Flask {version} sdist took over 300 s")
        found = sorted(Path(download).glob("*.tar.gz"))
        if result.returncode != 0 or len(found) != 1:
            pytest.fail(
                f"cannot fetch the Flask {version} sdist (pip exited {result.returncode},"
                f" found {[p.name for p in found]}); pip's stderr ends:\n{result.stderr[-3000:]}"
            )
        os.replace(found[0], cached)
    return cached


@pytest.fixture(scope="session")
def flask_sdist(request: pytest.FixtureRequest) -> Path:
    """The sdist of the installed Flask; a failure to fetch it fails, never skips."""
    return download_sdist(FLASK_VERSION, cache_dir(request.config))


def extract_tutorial(sdist: Path, target: Path) -> Path:
    """Copy ``examples/tutorial`` out of the sdist into ``target``.

    Members are written one by one, regular files only and only below
    the tutorial, so no tar member can land outside ``target``.
    """
    with tarfile.open(sdist) as tar:
        for member in tar.getmembers():
            parts = PurePosixPath(member.name).parts
            inside = PurePosixPath(*parts[1:]) if len(parts) > 1 else PurePosixPath()
            if not member.isfile() or not inside.is_relative_to(TUTORIAL):
                continue
            relative = inside.relative_to(TUTORIAL)
            assert ".." not in relative.parts, member.name
            source = tar.extractfile(member)
            assert source is not None
            path = target.joinpath(*relative.parts)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(source.read())
    assert (target / "flaskr" / "__init__.py").is_file(), f"no {TUTORIAL} in {sdist.name}"
    return target


@pytest.fixture
def flaskr(flask_sdist: Path, tmp_path: Path) -> Path:
    """The tutorial, fresh from the sdist, moved onto Ampho."""
    tutorial = extract_tutorial(flask_sdist, tmp_path / "tutorial")
    init = tutorial / "flaskr" / "__init__.py"
    original = init.read_text(encoding="utf-8")
    missing = [line for line in ORIGINAL_FACTORY if line not in original]
    assert not missing, f"Flask {FLASK_VERSION}'s tutorial factory changed: {missing} not found"
    init.write_text(MIGRATED_INIT, encoding="utf-8")
    return tutorial


def run_in(tutorial: Path, command: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    """Run in the tutorial directory, in an environment built from scratch.

    Only the tutorial is added to the path: Ampho is the one installed
    with the interpreter. pytest loads no plugin it was not asked for,
    and nothing writes ``.pyc`` files into the checkout.
    """
    try:
        return run(
            command,
            [],
            tutorial,
            timeout=timeout,
            PYTHONPATH=str(tutorial),
            PYTHONDONTWRITEBYTECODE="1",
            PYTEST_DISABLE_PLUGIN_AUTOLOAD="1",
        )
    except subprocess.TimeoutExpired as e:
        # Captured output comes as bytes here, whatever text= said.
        output = [
            o.decode(errors="replace") if isinstance(o, bytes) else o or ""
            for o in (e.stdout, e.stderr)
        ]
        pytest.fail(f"{command[1:3]} took over {timeout} s:\n" + "\n".join(output), pytrace=False)


def summary(output: str) -> dict[str, int]:
    """``{"collected": 24, "passed": 24, ...}`` from pytest's output."""
    counts: dict[str, int] = {}
    collected = re.search(r"^collected (\d+) items?", output, re.MULTILINE)
    if collected:
        counts["collected"] = int(collected.group(1))
    lines = re.findall(r"^=+ (.*) in [\d.]+s.*=+$", output, re.MULTILINE)
    if lines:
        for number, word in re.findall(r"(\d+) (\w+)", lines[-1]):
            counts[{"error": "errors", "warning": "warnings"}.get(word, word)] = int(number)
    return counts


def test_flask_tutorial_passes_its_own_tests_on_ampho(flaskr: Path) -> None:
    """Every test flaskr ships passes, none skipped, warnings as errors.

    The count is not fixed (24 in Flask 3.1), but a run that collects
    only a few tests is not the tutorial's suite.
    """
    result = run_in(
        flaskr, [sys.executable, "-m", "pytest", "-W", "error", "-p", "no:cacheprovider"], 180
    )
    counts = summary(result.stdout)
    passed = counts.get("passed", 0)
    if (
        result.returncode != 0
        or counts.get("failed", 0)
        or counts.get("errors", 0)
        or passed < 20
        or passed != counts.get("collected")
    ):
        pytest.fail(
            f"flaskr's tests on Ampho: exit {result.returncode}, {counts}\n"
            f"{result.stdout}\n{result.stderr}",
            pytrace=False,
        )
    # The plain tutorial never writes this: Ampho built the apps of the
    # run, and generated the key the tutorial's "dev" placeholder was for.
    assert (flaskr / "instance" / "secret_key").is_file()


def test_migrated_tutorial_is_an_ampho_app_with_flask_layout(flaskr: Path, tmp_path: Path) -> None:
    """Ampho built it, and found what plain Flask finds where Flask finds it."""
    out = tmp_path / "facts.json"
    result = run_in(flaskr, [sys.executable, "-c", FACTS_SCRIPT, str(out)], 60)
    if result.returncode != 0:
        pytest.fail(f"the facts script failed:\n{result.stderr}", pytrace=False)
    facts = json.loads(out.read_text(encoding="utf-8"))
    instance = flaskr / "instance"
    assert facts["bundles"] == ["flaskr"]
    # The bundle's own blueprint beside the two the hook registered.
    assert facts["blueprints"] == ["auth", "blog", "flaskr"]
    # The directory Flask gives a package that is not installed.
    assert facts["instance_path"] == str(instance)
    assert facts["database"] == str(instance / "flaskr.sqlite")
    assert facts["test_database"] == "t.sqlite"
    assert facts["secret_key_origin"] == "instance/secret_key (generated)"
    assert not facts["secret_key_is_dev"]
    # No bundle has a tpl/: Flask's own loader found the app's templates/.
    assert facts["loader"] == "BundleLoader"
    assert facts["template"] == str(flaskr / "flaskr" / "templates" / "blog" / "index.html")
    # The entry bundle's static/ is Flask's "static" endpoint.
    assert facts["static_url"] == "/static/style.css"
    assert facts["static_status"] == 200
