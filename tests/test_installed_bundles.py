"""Bundles installed from a wheel work as the project's own bundles do.

A sample bundle, ``bookshelf``, is built into a real wheel by ``pip
wheel`` (setuptools, offline) and installed into an environment of its
own, the application's; the application, a project directory elsewhere,
requires it. Then, as for a bundle of the project: Gunicorn serves its
view, its templates (one in a subdirectory), its static files and a
route its ``on_load`` hook adds; the application overrides a template
and a static file of it; its command runs; ``ampho bundles`` shows it in site-packages;
``config check --strict``, ``config docs`` and ``config schema`` know its
``default.json``, ``schema.json`` and ``SETTINGS`` class, and
``ampho.config.load()`` in a script reads them. An installed entry
bundle keeps its instance directory in the current directory.

The distribution ``ampho new bundle blog --package`` makes goes the same
way: its wheel carries its templates, static files and settings files,
and its own tests pass against the installed package.

Every process runs with ``PYTHONDONTWRITEBYTECODE=1``, and the
application's site-packages is compared, file by file, before and after
each test: Ampho writes nothing into an installed package.

The application's environment is made by ``venv``, and sees this
environment's packages (Flask, Ampho, Gunicorn, pytest) through a
``.pth`` file: nothing is downloaded, only the two wheels are installed
into it. Building both wheels and making the environment takes about
five seconds, once for the module; the whole module about eight.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import site
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pytest
from processes import free_port, request, run, server_environment, serving, write_tree

#: What every process here is run with: no bytecode written anywhere, so
#: that any change to the installed files is Ampho's; and pip reads no
#: configuration of this machine (an index, links to find packages at).
ENV = {
    "PYTHONDONTWRITEBYTECODE": "1",
    "PIP_CONFIG_FILE": os.devnull,
    "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    "PIP_NO_INPUT": "1",
}

#: A bundle with one of everything a bundle can hold, as its author
#: would publish it: a src layout, whose pyproject.toml names the files
#: that are not Python.
BOOKSHELF = {
    "pyproject.toml": """
        [build-system]
        requires = ["setuptools>=70.1"]
        build-backend = "setuptools.build_meta"

        [project]
        name = "ampho-bookshelf"
        version = "1.0.0"
        dependencies = ["ampho"]

        [tool.setuptools.packages.find]
        where = ["src"]

        [tool.setuptools.package-data]
        bookshelf = ["default.json", "schema.json", "tpl/**/*", "static/**/*"]
    """,
    "src/bookshelf/__init__.py": """
        from dataclasses import dataclass

        URL_PREFIX = "/shelf"
        CLI_HELP = "Commands of the shelf."


        @dataclass(frozen=True)
        class Limits:
            PER_PAGE: int = 10


        SETTINGS = {"SHELF_LIMITS": Limits}


        def on_register(app):
            app.config["SHELF_REGISTERED"] = True


        def on_load(app):
            def hook():
                return f"on_load ran, on_register ran: {app.config['SHELF_REGISTERED']}"

            app.add_url_rule("/shelf-hook", "shelf_hook", hook)
    """,
    "src/bookshelf/views.py": """
        from ampho import current_app, render, route, settings

        from . import Limits


        @route("/")
        def index():
            shelf = current_app.config["BOOKSHELF"]
            return render("shelf.html", shelf=shelf, limits=settings(Limits))
    """,
    "src/bookshelf/commands.py": """
        from ampho import cli, current_app, echo_info, settings

        from . import Limits


        @cli.command("count")
        def count():
            shelf = current_app.config["BOOKSHELF"]
            per_page = settings(Limits).PER_PAGE
            echo_info(f"{shelf['TITLE']}: {shelf['COLUMNS']} columns, {per_page} per page")
    """,
    "src/bookshelf/tpl/shelf.html": """
        <link rel="stylesheet" href="{{ url_for('bookshelf.static', filename='shelf.css') }}">
        <h1>{{ shelf.TITLE }}</h1>
        {% include "parts/limits.html" %}
    """,
    "src/bookshelf/tpl/parts/limits.html": """
        <p>{{ shelf.COLUMNS }} columns, {{ limits.PER_PAGE }} per page</p>
    """,
    "src/bookshelf/static/shelf.css": "h1 { color: teal; }\n",
    "src/bookshelf/static/icons/book.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>\n',
    "src/bookshelf/default.json": """
        {
          "BOOKSHELF": {
            "TITLE": "The shelf",
            "COLUMNS": 3
          }
        }
    """,
    "src/bookshelf/schema.json": """
        {
          "type": "object",
          "properties": {
            "BOOKSHELF": {
              "type": "object",
              "properties": {
                "TITLE": {"type": "string", "description": "The heading of the shelf."},
                "COLUMNS": {"type": "integer", "minimum": 1, "description": "Columns of books."}
              }
            }
          }
        }
    """,
}

#: The application: its entry bundle requires the installed one, and its
#: instance directory changes one of the bundle's defaults.
SITE = {
    "app/__init__.py": """
        REQUIRES = ["bookshelf"]
    """,
    "instance/default.json": """
        {
          "BOOKSHELF": {
            "TITLE": "My books"
          }
        }
    """,
}

#: What an author adds to the bundle ``ampho new bundle blog --package``
#: makes: the files a wheel leaves out unless its pyproject.toml names them.
BLOG_SETTINGS_FILES = {
    "src/blog/default.json": '{"BLOG": {"GREETING": "Hello from the blog bundle."}}\n',
    "src/blog/schema.json": (
        '{"properties": {"BLOG": {"properties": {"GREETING": {"minLength": 1}}}}}\n'
    ),
}


# --- the wheels and the application's environment -----------------------------------------


def offline_build() -> list[str] | None:
    """The options with which ``pip wheel`` builds a setuptools project
    here without an index: this environment's setuptools when it builds
    wheels by itself (70.1 and later; tox's environments have one), else
    the setuptools wheel that virtualenv carries, installed by pip into
    an isolated build environment; ``None`` when neither is here."""
    try:
        version = metadata.version("setuptools")
    except metadata.PackageNotFoundError:
        pass
    else:
        if tuple(int(part) for part in re.findall(r"\d+", version)[:2]) >= (70, 1):
            return ["--no-build-isolation"]
    spec = importlib.util.find_spec("virtualenv")
    if spec is not None and spec.submodule_search_locations:
        embedded = Path(next(iter(spec.submodule_search_locations)), "seed", "wheels", "embed")
        if any(embedded.glob("setuptools-*.whl")):
            return ["--find-links", str(embedded)]
    return None


def pip(python: Path | str, *args: str, cwd: Path) -> None:
    """Run ``python -m pip ARGS`` offline, and fail with its output if it fails."""
    result = run([str(python), "-m", "pip", *args], [], cwd, timeout=120, **ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def build_wheel(project: Path, wheels: Path, distribution: str, build: list[str]) -> Path:
    """The wheel of ``project``, built offline with the ``build`` options
    of :func:`offline_build`."""
    options = ["--no-deps", "--no-index", *build, "--wheel-dir", str(wheels)]
    pip(sys.executable, "wheel", *options, str(project), cwd=project.parent)
    (wheel,) = wheels.glob(f"{distribution.replace('-', '_')}-*.whl")
    return wheel


def make_environment(directory: Path) -> tuple[Path, Path]:
    """A new virtual environment that sees this environment's packages;
    its interpreter and its site-packages."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(directory)], check=True)
    python = directory / "bin" / "python"
    where = "import sysconfig; print(sysconfig.get_path('purelib'))"
    site_packages = Path(run([str(python), "-c", where], [], directory, **ENV).stdout.strip())
    # Below the environment's own packages on sys.path, with the .pth
    # files of each (an editable install of Ampho is one).
    lines = "; ".join(f"site.addsitedir({path!r})" for path in site.getsitepackages())
    (site_packages / "_test_environment.pth").write_text(f"import site; {lines}\n")
    return python, site_packages


def new_package(parent: Path, name: str) -> Path:
    """``ampho new bundle NAME --package`` in ``parent``; its directory."""
    command = [sys.executable, "-m", "ampho", "new", "bundle", name, "--package"]
    result = run(command, [], parent, **ENV)
    assert result.returncode == 0, result.stderr
    return parent / name


def snapshot(top: Path) -> dict[str, tuple[int, int, str]]:
    """Every entry under ``top``: its mode, its modification time, and
    the digest of a file's bytes; a directory's time changes with any
    entry made or removed in it, even one removed again."""
    found = {}
    for path in [top, *sorted(top.rglob("*"))]:
        info = path.lstat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
        found[path.relative_to(top).as_posix()] = (info.st_mode, info.st_mtime_ns, digest)
    return found


@dataclass
class Installed:
    """The application's environment, with both wheels installed."""

    #: Its interpreter.
    python: Path
    #: Its site-packages, where the bundles are.
    site_packages: Path
    #: The application's project directory, which requires ``bookshelf``.
    site: Path
    #: The distribution ``ampho new bundle blog --package`` made.
    blog: Path
    #: The wheel of ``blog``.
    blog_wheel: Path

    def ampho(self, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        """``python -m ampho ARGS`` with the application's interpreter."""
        command = [str(self.python), "-m", "ampho", *args]
        return run(command, [], cwd or self.site, **ENV)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    build = offline_build()
    if build is None:
        pytest.skip("no setuptools>=70.1 here, nor virtualenv's: no wheel can be built offline")
    base = tmp_path_factory.mktemp("installed")
    wheels = base / "wheels"
    bookshelf = write_tree(base / "bookshelf", BOOKSHELF)
    bookshelf_wheel = build_wheel(bookshelf, wheels, "ampho-bookshelf", build)
    blog = write_tree(new_package(base, "blog"), BLOG_SETTINGS_FILES)
    blog_wheel = build_wheel(blog, wheels, "blog", build)
    python, site_packages = make_environment(base / "venv")
    both = [str(bookshelf_wheel), str(blog_wheel)]
    pip(python, "install", "--no-deps", "--no-index", *both, cwd=base)
    site = write_tree(base / "site", SITE)
    return Installed(python, site_packages, site, blog, blog_wheel)


@pytest.fixture(autouse=True)
def nothing_written(installed: Installed) -> Iterator[None]:
    """The installed packages as they were before the test, to the byte."""
    before = snapshot(installed.site_packages)
    yield
    after = snapshot(installed.site_packages)
    changed = sorted(
        key for key in before.keys() | after.keys() if before.get(key) != after.get(key)
    )
    assert not changed, f"written into {installed.site_packages}: {changed}"


# --- an installed bundle, required by an application ---------------------------------------


def test_gunicorn_serves_the_installed_bundle(installed: Installed, tmp_path: Path) -> None:
    port = free_port()
    command = [
        *(str(installed.python), "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}"),
        "ampho.main:application",
    ]
    env = server_environment(tmp_path / "home", **ENV)
    with serving(command, installed.site, port, env, tmp_path / "server.log"):
        page = request(port, "/shelf/")
        assert page.status == 200, page.text
        # The instance directory's title over the bundle's default.json,
        # its columns from there, and the default of its settings class.
        assert "<h1>My books</h1>" in page.text
        assert "<p>3 columns, 10 per page</p>" in page.text
        assert 'href="/static/bookshelf/shelf.css"' in page.text
        style = request(port, "/static/bookshelf/shelf.css")
        assert (style.status, style.body) == (200, b"h1 { color: teal; }\n")
        assert style.headers.get_content_type() == "text/css"
        icon = request(port, "/static/bookshelf/icons/book.svg")
        assert icon.status == 200
        assert icon.headers.get_content_type() == "image/svg+xml"
        hook = request(port, "/shelf-hook")
        assert (hook.status, hook.text) == (200, "on_load ran, on_register ran: True")


def test_the_application_overrides_the_installed_bundle(
    installed: Installed, tmp_path: Path
) -> None:
    """A template and a static file of the application stand in for the
    bundle's, which stay as they were installed."""
    overrides = {
        "app/tpl/bookshelf/parts/limits.html": "<p>As many as fit.</p>\n",
        "app/static/bookshelf/shelf.css": "h1 { color: navy; }\n",
    }
    site = write_tree(tmp_path / "site", {**SITE, **overrides})
    script = (
        "from ampho import create_app\n"
        "client = create_app(config={'TESTING': True}).test_client()\n"
        "for path in ['/shelf/', '/static/bookshelf/shelf.css']:\n"
        "    print(client.get(path).text.strip().splitlines()[-1])\n"
    )
    result = run([str(installed.python), "-c", script], [], site, **ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "<p>As many as fit.</p>\nh1 { color: navy; }\n"
    listed = installed.ampho("bundles", cwd=site).stdout.splitlines()[0]
    assert listed.endswith("  overridden: tpl/parts/limits.html, static/shelf.css")


def test_command_of_the_installed_bundle(installed: Installed) -> None:
    result = installed.ampho("bookshelf", "count")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "My books: 3 columns, 10 per page\n"


def test_bundles_shows_the_installed_bundle_where_it_is(installed: Installed) -> None:
    result = installed.ampho("bundles")
    assert result.returncode == 0, result.stderr
    bookshelf, app = result.stdout.splitlines()
    assert bookshelf.startswith(
        f"bookshelf  {installed.site_packages / 'bookshelf'}  requires: -  has: views,"
        " commands, tpl, static, default.json, schema.json, SETTINGS, on_register, on_load"
    )
    assert app.startswith(f"app  {installed.site / 'app'}  requires: bookshelf")


def test_config_check_knows_the_installed_bundle(installed: Installed) -> None:
    result = installed.ampho("config", "check", "--strict")
    assert (result.returncode, result.stdout) == (0, ""), result.stderr
    # A typo of one of its keys, and a value its schema.json refuses.
    staging = installed.site / "instance" / "staging.json"
    staging.write_text('{"BOOKSHELF": {"TITEL": "x", "COLUMNS": 0}}')
    try:
        result = installed.ampho("--env", "staging", "config", "check", "--strict")
    finally:
        staging.unlink()
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "instance/staging.json:1:16: warning: BOOKSHELF.TITEL is not in default.json nor in"
        " a bundle's defaults (did you mean BOOKSHELF.TITLE?)",
        "instance/staging.json:1:41: error: BOOKSHELF.COLUMNS: 0 is less than the minimum"
        " of 1 (bookshelf/schema.json)",
    ]


def test_config_docs_and_schema_show_the_installed_bundle(installed: Installed) -> None:
    result = installed.ampho("config", "docs", "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = {row["key"]: row for row in json.loads(result.stdout)}
    assert rows["BOOKSHELF.TITLE"]["declared_in"] == "bookshelf/schema.json"
    assert rows["BOOKSHELF.TITLE"]["description"] == "The heading of the shelf."
    assert rows["BOOKSHELF.COLUMNS"]["default_from"] == "bookshelf/default.json"
    assert rows["SHELF_LIMITS.PER_PAGE"]["declared_in"] == "bookshelf.Limits"
    assert rows["SHELF_LIMITS.PER_PAGE"]["default"] == 10

    result = installed.ampho("config", "schema")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert '"description": "Columns of books."' in text
    assert '"minimum": 1' in text
    assert '"PER_PAGE"' in text


def test_load_in_a_script_reads_the_installed_bundle(installed: Installed) -> None:
    script = installed.site / "report.py"
    script.write_text(
        "import json\n"
        "from ampho.config import load\n"
        "cfg = load()\n"
        "keys = ['BOOKSHELF.TITLE', 'BOOKSHELF.COLUMNS', 'SHELF_LIMITS.PER_PAGE']\n"
        "print(json.dumps({key: [cfg.lookup(key), str(cfg.origin(key))] for key in keys}))\n"
    )
    result = run([str(installed.python), str(script)], [], installed.site, **ENV)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "BOOKSHELF.TITLE": ["My books", "instance/default.json:3:5"],
        "BOOKSHELF.COLUMNS": [3, "bookshelf/default.json:4:5"],
        "SHELF_LIMITS.PER_PAGE": [10, "bookshelf/__init__.py:9:5"],
    }


def test_an_installed_entry_bundle_keeps_its_instance_here(
    installed: Installed, tmp_path: Path
) -> None:
    """An application whose entry bundle is installed has its root in the
    current directory: its instance directory and logs are made there,
    never in site-packages."""
    result = installed.ampho("--entry", "bookshelf", "bookshelf", "count", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "The shelf: 3 columns, 10 per page\n"
    assert (tmp_path / "instance" / "secret_key").is_file()
    result = installed.ampho(
        "--entry", "bookshelf", "config", "get", "BOOKSHELF.TITLE", cwd=tmp_path
    )
    assert result.stdout == "The shelf\n", result.stderr


# --- the distribution `ampho new bundle NAME --package` makes ------------------------------


def test_wheel_of_a_new_package_carries_its_files(installed: Installed) -> None:
    with zipfile.ZipFile(installed.blog_wheel) as wheel:
        package = sorted(name for name in wheel.namelist() if name.startswith("blog/"))
    assert package == [
        "blog/__init__.py",
        "blog/commands.py",
        "blog/default.json",
        "blog/py.typed",
        "blog/schema.json",
        "blog/static/blog.css",
        "blog/tpl/index.html",
        "blog/views.py",
    ]


def test_tests_of_a_new_package_pass_against_its_wheel(installed: Installed) -> None:
    """The package's own tests, run where it is installed, import the
    installed package, not its source, and say so in pytest's header."""
    command = [str(installed.python), "-m", "pytest", "-p", "no:cacheprovider"]
    result = run(command, [], installed.blog, **ENV)
    output = result.stdout + result.stderr
    assert f"\nblog: {installed.site_packages / 'blog'}\n" in output
    assert re.search(r"^=+ 6 passed in ", output, re.MULTILINE), output
