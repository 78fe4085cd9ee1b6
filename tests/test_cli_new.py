"""``ampho new``: a project that runs, and whose tests pass, as it is made.

Every test runs the real ``ampho`` command in a subprocess, then uses
what it made as its author would: ``python -m pytest`` in the project,
Gunicorn and the development server on a free port of 127.0.0.1, the
bundle's command, ``ampho config check``, ruff and mypy. So for the
distribution ``ampho new bundle NAME --package`` makes, from its source;
``tests/test_installed_bundles.py`` builds its wheel and tests it
installed. A refusal is one ``Error:`` line, and leaves every file as it
was.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import flask
import pytest
from processes import (
    AMPHO,
    assert_one_line_error,
    free_port,
    request,
    run,
    server_environment,
    serving,
    write_tree,
)

import ampho
from ampho.cli.new import RESERVED, write_files

#: The files of a new project, as ``ampho new`` lists them.
PROJECT_FILES = [
    ".gitignore",
    "Dockerfile",
    "README.md",
    "app/__init__.py",
    "app/static/style.css",
    "app/tpl/index.html",
    "app/tpl/layout.html",
    "app/views.py",
    "instance/default.json",
    "instance/development.json",
    "instance/production.json",
    "instance/testing.json",
    "pages/__init__.py",
    "pages/commands.py",
    "pages/static/pages.css",
    "pages/tpl/index.html",
    "pages/views.py",
    "pyproject.toml",
    "requirements.txt",
    "tests/test_app.py",
    "tests/test_pages.py",
]

#: The files of ``ampho new bundle blog``.
BLOG_FILES = [
    "blog/__init__.py",
    "blog/commands.py",
    "blog/static/blog.css",
    "blog/tpl/index.html",
    "blog/views.py",
    "tests/test_blog.py",
]

#: The tests the new project comes with.
PROJECT_TESTS = 9

#: The files of ``ampho new bundle blog --package``.
PACKAGE_FILES = [
    ".gitignore",
    "README.md",
    "pyproject.toml",
    "src/blog/__init__.py",
    "src/blog/commands.py",
    "src/blog/py.typed",
    "src/blog/static/blog.css",
    "src/blog/tpl/index.html",
    "src/blog/views.py",
    "tests/app/__init__.py",
    "tests/app/tpl/layout.html",
    "tests/conftest.py",
    "tests/instance/testing.json",
    "tests/test_blog.py",
]

#: The tests the new distribution comes with.
PACKAGE_TESTS = 6


# --- helpers -------------------------------------------------------------------------


def ampho_in(
    cwd: Path, *args: str, home: Path | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    """``ampho ARGS`` in ``cwd``, with a home directory outside it."""
    return run(AMPHO, list(args), cwd, home=str(home or cwd.parent / "home"), **env)


def new_project(parent: Path, name: str = "mysite") -> Path:
    """``ampho new NAME`` in ``parent``; the project's directory."""
    result = ampho_in(parent, "new", name)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return parent / name


def files_under(root: Path) -> dict[str, bytes]:
    """Every file and directory under ``root``, by relative path: a
    directory as ``b"<dir>"``."""
    found = {}
    for path in sorted(root.rglob("*")):
        key = path.relative_to(root).as_posix()
        found[key] = b"<dir>" if path.is_dir() else path.read_bytes()
    return found


def made_files(root: Path) -> list[str]:
    """The files under ``root``, without what running them leaves."""
    skip = {"__pycache__", "log", "home"}
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and not skip.intersection(p.relative_to(root).parts)
    )


def pytest_in(project: Path) -> tuple[dict[str, int], str]:
    """``python -m pytest`` in the project, configured by its own
    pyproject.toml alone; the counts of its last line, and its output."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    result = run(command, [], project, home=str(project.parent / "home"))
    lines = result.stdout.strip().splitlines()
    counts = {word: int(n) for n, word in re.findall(r"(\d+) (\w+)", lines[-1] if lines else "")}
    return counts, result.stdout + result.stderr


# --- ampho new DIR -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One new project, for the tests that only read and run it."""
    return new_project(tmp_path_factory.mktemp("new"))


def test_new_project_says_what_it_made(tmp_path: Path) -> None:
    result = ampho_in(tmp_path, "new", "mysite")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == "".join(
        [
            "Created the project mysite:\n",
            *(f"  {path}\n" for path in PROJECT_FILES),
            "Next steps:\n",
            "  cd mysite\n",
            "  ampho --env development run\n",
            "  pytest\n",
        ]
    )
    assert made_files(tmp_path / "mysite") == PROJECT_FILES


def test_tests_of_the_new_project_pass(project: Path) -> None:
    counts, output = pytest_in(project)
    assert counts == {"passed": PROJECT_TESTS}, output


def test_gunicorn_serves_the_new_project(project: Path, tmp_path: Path) -> None:
    port = free_port()
    command = [
        *(sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}"),
        "ampho.main:application",
    ]
    env = server_environment(tmp_path / "home")
    with serving(command, project, port, env, tmp_path / "server.log"):
        home = request(port, "/")
        assert home.status == 200
        # Production: instance/default.json, where TITLE is made from NAME.
        assert "<title>mysite</title>" in home.text
        assert "<h1>mysite</h1>" in home.text
        assert 'href="/static/app/style.css"' in home.text
        assert 'href="/pages/"' in home.text
        pages = request(port, "/pages/")
        assert pages.status == 200
        assert "<title>pages - mysite</title>" in pages.text
        assert "Rendered by the pages bundle" in pages.text
        assert 'href="/static/pages/pages.css"' in pages.text
        for path in ("/static/app/style.css", "/static/pages/pages.css"):
            style = request(port, path)
            assert style.status == 200, path
            assert style.headers.get_content_type() == "text/css"


def test_development_server_serves_the_new_project(project: Path, tmp_path: Path) -> None:
    port = free_port()
    command = [
        *AMPHO,
        *("--env", "development", "run", "--no-reload"),
        *("--host", "127.0.0.1", "--port", str(port)),
    ]
    env = server_environment(tmp_path / "home")
    with serving(command, project, port, env, tmp_path / "server.log"):
        home = request(port, "/")
        assert home.status == 200
        assert "<h1>mysite (development)</h1>" in home.text
        assert request(port, "/pages/").status == 200


def test_bundle_command_of_the_new_project(project: Path) -> None:
    result = ampho_in(project, "pages", "hello")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Hello from the pages bundle.\n"


@pytest.mark.parametrize("env", ["production", "development", "testing"])
def test_settings_of_the_new_project_check_clean(project: Path, env: str) -> None:
    result = ampho_in(project, "--env", env, "config", "check", "--strict")
    assert result.returncode == 0, result.stdout + result.stderr


def test_settings_are_composed_and_typed(project: Path) -> None:
    result = ampho_in(project, "--env", "testing", "config", "dump", "SITE")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"NAME": "mysite", "TITLE": "mysite (testing)"}
    result = ampho_in(project, "config", "docs", "--format", "json")
    assert result.returncode == 0, result.stderr
    declared = {row["key"]: row["declared_in"] for row in json.loads(result.stdout)}
    assert declared["SITE.NAME"] == declared["SITE.TITLE"] == "app.Site"


def test_pyproject_is_a_distribution_of_no_package(project: Path) -> None:
    """``pip install .`` must not stop at setuptools' "Multiple top-level
    packages discovered": the project declares no package, and its
    dependencies are requirements.txt. Read as setuptools reads it."""
    script = (
        "import json, warnings\n"
        "warnings.simplefilter('ignore')\n"
        "from setuptools.config.pyprojecttoml import read_configuration\n"
        "config = read_configuration('pyproject.toml')\n"
        "print(json.dumps([config['project'], config['tool']['setuptools']['packages']]))\n"
    )
    result = run([sys.executable, "-c", script], [], project, home=str(project.parent / "home"))
    assert result.returncode == 0, result.stderr
    metadata, packages = json.loads(result.stdout)
    assert metadata["name"] == "mysite"
    assert metadata["dependencies"] == [f"ampho=={version('ampho')}"]
    assert packages == []


def tool(name: str) -> str:
    """A tool of the environment under test, or skip."""
    found = shutil.which(name, path=os.path.dirname(sys.executable))
    if found is None:
        pytest.skip(f"{name} is not installed here")
    return found


def test_python_of_the_new_project_is_ruff_clean(project: Path) -> None:
    ruff = tool("ruff")
    strict = ["--select", "E,F,W,I,B,UP,SIM,RUF", "--target-version", "py310"]
    for args in (["check", *strict], ["format", "--check"]):
        result = run([ruff, *args, "--isolated", "."], [], project, home=str(project.parent))
        assert result.returncode == 0, result.stdout + result.stderr


def test_python_of_the_new_project_type_checks(project: Path) -> None:
    mypy = tool("mypy")
    # An editable install is a finder mypy cannot follow: name the checkout.
    package_parent = str(Path(ampho.__file__).parent.parent)
    env = {} if "-packages" in package_parent else {"MYPYPATH": package_parent}
    command = [mypy, "--strict", "--no-incremental", "app", "pages", "tests"]
    result = run(command, [], project, home=str(project.parent / "home"), **env)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("already", [".git", ".venv", "venv"])
def test_new_project_in_the_current_directory(tmp_path: Path, already: str) -> None:
    """An empty directory, or one holding only a repository's .git or the
    virtual environment Ampho was installed in, takes the project; the
    next steps need no cd then."""
    here = tmp_path / "here"
    (here / already).mkdir(parents=True)
    result = ampho_in(here, "new", ".")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Created the project here:\n")
    assert "cd " not in result.stdout
    assert made_files(here) == PROJECT_FILES


def test_a_project_called_bundle(tmp_path: Path) -> None:
    project = new_project(tmp_path, "./bundle")
    assert made_files(project) == PROJECT_FILES


def test_a_project_named_with_quotes_and_a_dollar(tmp_path: Path) -> None:
    """The directory's name is the site's name, as JSON text whose ``${``
    is no reference, and a distribution name of letters and dashes."""
    name = 'My "Site" ${x}'
    project = new_project(tmp_path, name)
    result = ampho_in(project, "config", "get", "SITE.NAME")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{name}\n"
    assert 'name = "my-site-x"' in (project / "pyproject.toml").read_text()
    counts, output = pytest_in(project)
    assert counts == {"passed": PROJECT_TESTS}, output


# --- ampho new bundle NAME -----------------------------------------------------------------


def test_new_bundle_then_requires_it(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    result = ampho_in(project, "new", "bundle", "blog")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == "".join(
        [
            "Created the bundle blog:\n",
            *(f"  {path}\n" for path in BLOG_FILES),
            "Next step: add 'blog' to REQUIRES in app/__init__.py, then run pytest:\n",
            '  REQUIRES = ["pages", "blog"]\n',
            "Note: the Dockerfile copies each bundle: add COPY blog/ blog/ to it.\n",
        ]
    )
    assert made_files(project) == sorted([*PROJECT_FILES, *BLOG_FILES])

    # Not loaded yet: its own test says what to do.
    counts, output = pytest_in(project)
    assert counts == {"failed": 4, "passed": PROJECT_TESTS}, output
    assert "add 'blog' to REQUIRES of the entry bundle" in output

    # The one edit, as printed.
    init = project / "app" / "__init__.py"
    text = init.read_text()
    assert text.count('REQUIRES = ["pages"]\n') == 1
    init.write_text(text.replace('REQUIRES = ["pages"]\n', 'REQUIRES = ["pages", "blog"]\n'))
    counts, output = pytest_in(project)
    assert counts == {"passed": PROJECT_TESTS + 4}, output
    hello = ampho_in(project, "blog", "hello")
    assert hello.stdout == "Hello from the blog bundle.\n", hello.stderr

    # Required already, before the bundle was made: nothing left to do.
    result = ampho_in(project, "new", "bundle", "shop")
    assert "Next step: add 'shop'" in result.stdout
    init.write_text(init.read_text().replace('"blog"]', '"blog", "news"]'))
    result = ampho_in(project, "new", "bundle", "news")
    assert "Next step: app/__init__.py requires 'news' already; run pytest.\n" in result.stdout


def test_new_bundle_with_the_global_root(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = ampho_in(elsewhere, "--root", str(project), "new", "bundle", "blog")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Created the bundle blog in {project}:\n")
    assert made_files(project) == sorted([*PROJECT_FILES, *BLOG_FILES])
    assert made_files(elsewhere) == []


def test_new_bundle_in_a_project_of_another_shape(tmp_path: Path) -> None:
    """A REQUIRES that is not written out, and no layout.html to extend:
    the bundle is made, and the next steps say what it needs."""
    root = write_tree(
        tmp_path / "shop",
        {"shop/__init__.py": "REQUIRES = list(('catalog',))\n", "instance/default.json": "{}"},
    )
    result = ampho_in(root, "--entry", "shop", "new", "bundle", "blog")
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith(
        "Next step: add 'blog' to REQUIRES in shop/__init__.py, then run pytest.\n"
        "Note: blog/tpl/index.html extends layout.html, which shop/tpl/ does not have:"
        " add one there, or change the template.\n"
    )


# --- ampho new bundle NAME --package ------------------------------------------------------


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One new distribution of the bundle blog, for the tests that only
    read and run it."""
    parent = tmp_path_factory.mktemp("package")
    result = ampho_in(parent, "new", "bundle", "blog", "--package")
    assert result.returncode == 0, result.stderr
    return parent / "blog"


def test_new_package_says_what_it_made(tmp_path: Path) -> None:
    result = ampho_in(tmp_path, "new", "bundle", "ampho_blog", "--package")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    files = [path.replace("/blog", "/ampho_blog") for path in PACKAGE_FILES]
    files = [path.replace("test_blog", "test_ampho_blog") for path in files]
    assert result.stdout == "".join(
        [
            "Created the distribution ampho-blog, with the bundle ampho_blog:\n",
            *(f"  {path}\n" for path in files),
            "Next steps:\n",
            "  cd ampho-blog\n",
            "  pytest\n",
            "  python -m pip wheel --no-deps -w dist .\n",
            "An application installs the wheel, and adds 'ampho_blog' to REQUIRES of its"
            " entry bundle.\n",
        ]
    )
    assert made_files(tmp_path / "ampho-blog") == sorted(files)
    pyproject = (tmp_path / "ampho-blog" / "pyproject.toml").read_text()
    assert 'name = "ampho-blog"' in pyproject
    assert f'dependencies = ["ampho=={version("ampho")}"]' in pyproject
    init = (tmp_path / "ampho-blog" / "src" / "ampho_blog" / "__init__.py").read_text()
    assert 'SETTINGS = {"AMPHO_BLOG": Settings}' in init


def test_tests_of_the_new_package_pass_from_source(package: Path) -> None:
    """Not installed, the package's tests run its source in ``src/``, in
    the application of ``tests/app``, and pytest's header says so."""
    counts, output = pytest_in(package)
    assert counts == {"passed": PACKAGE_TESTS}, output
    command = [sys.executable, "-m", "pytest", "--collect-only", "-p", "no:cacheprovider"]
    result = run(command, [], package, home=str(package.parent / "home"))
    assert f"\nblog: {package / 'src' / 'blog'}\n" in result.stdout, result.stdout


def test_python_of_the_new_package_is_ruff_clean(package: Path) -> None:
    ruff = tool("ruff")
    strict = ["--select", "E,F,W,I,B,UP,SIM,RUF", "--target-version", "py310"]
    for args in (["check", *strict], ["format", "--check"]):
        result = run([ruff, *args, "--isolated", "."], [], package, home=str(package.parent))
        assert result.returncode == 0, result.stdout + result.stderr


def test_python_of_the_new_package_type_checks(package: Path) -> None:
    mypy = tool("mypy")
    package_parent = str(Path(ampho.__file__).parent.parent)
    env = {} if "-packages" in package_parent else {"MYPYPATH": package_parent}
    command = [mypy, "--strict", "--no-incremental", "src", "tests"]
    result = run(command, [], package, home=str(package.parent / "home"), **env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_new_package_in_an_empty_directory_of_its_name(tmp_path: Path) -> None:
    """A repository just cloned, empty but for its .git, takes the distribution."""
    (tmp_path / "blog" / ".git").mkdir(parents=True)
    result = ampho_in(tmp_path, "new", "bundle", "blog", "--package")
    assert result.returncode == 0, result.stderr
    assert made_files(tmp_path / "blog") == PACKAGE_FILES


# --- refusals ----------------------------------------------------------------------------


def in_project(tmp_path: Path) -> Path:
    return new_project(tmp_path)


def project_with(*paths: str) -> Callable[[Path], Path]:
    """A new project, plus empty files at ``paths``."""

    def make(tmp_path: Path) -> Path:
        project = new_project(tmp_path)
        write_tree(project, dict.fromkeys(paths, ""))
        return project

    return make


def not_empty(tmp_path: Path) -> Path:
    write_tree(tmp_path / "mysite", {"notes.txt": "mine\n"})
    return tmp_path


def a_file(tmp_path: Path) -> Path:
    write_tree(tmp_path, {"mysite": "a file\n"})
    return tmp_path


def empty(tmp_path: Path) -> Path:
    (tmp_path / "empty").mkdir()
    return tmp_path / "empty"


REFUSALS = [
    pytest.param(
        not_empty,
        ["new", "mysite"],
        "Error: mysite is not empty: give a new directory, or an empty one;"
        " nothing is ever overwritten",
        id="non-empty-dir",
    ),
    pytest.param(
        a_file,
        ["new", "mysite"],
        "Error: mysite exists and is not a directory: give a new one",
        id="dir-is-a-file",
    ),
    pytest.param(
        empty,
        ["new", "bundle"],
        "Error: give the bundle's name: ampho new bundle NAME"
        " (for a project in a directory called bundle: ampho new ./bundle)",
        id="bundle-without-name",
    ),
    pytest.param(
        empty,
        ["new", "mysite", "blog"],
        "Error: unexpected 'blog': ampho new DIR makes a project, ampho new bundle NAME a bundle",
        id="two-dirs",
    ),
    pytest.param(
        empty,
        ["new", "bundle", "blog"],
        "Error: no entry bundle 'app' in {cwd}: run ampho new bundle at the root of a"
        " project, or name one with ampho --root DIR",
        id="not-a-project",
    ),
    pytest.param(
        in_project,
        ["new", "bundle", "pages"],
        "Error: pages exists already: choose another bundle name; nothing is ever overwritten",
        id="existing-bundle",
    ),
    pytest.param(
        project_with("tests/test_blog.py"),
        ["new", "bundle", "blog"],
        "Error: tests/test_blog.py exists already: choose another bundle name;"
        " nothing is ever overwritten",
        id="existing-test",
    ),
    pytest.param(
        project_with("blog.py"),
        ["new", "bundle", "blog"],
        "Error: blog.py exists already: choose another bundle name; nothing is ever overwritten",
        id="existing-module",
    ),
    pytest.param(
        in_project,
        ["new", "bundle", "my-blog"],
        "Error: invalid bundle name 'my-blog': use a top-level package name",
        id="not-an-identifier",
    ),
    pytest.param(
        in_project,
        ["new", "bundle", "email"],
        "Error: bundle name 'email' is taken by the standard library's module 'email':"
        " choose another",
        id="stdlib",
    ),
    pytest.param(
        in_project,
        ["new", "bundle", "class"],
        "Error: invalid bundle name 'class': a Python keyword, which no import can name",
        id="keyword",
    ),
    pytest.param(
        in_project,
        ["new", "bundle", "flask"],
        "Error: bundle name 'flask' is taken by the module 'flask' at {flask}: choose another",
        id="installed",
    ),
    pytest.param(
        in_project,
        ["new", "bundle", "config"],
        "Error: bundle name 'config' is taken by an ampho command: choose another",
        id="ampho-command",
    ),
    pytest.param(
        empty,
        ["new", "mysite", "--package"],
        "Error: --package makes a bundle a distribution of its own:"
        " ampho new bundle NAME --package; ampho new DIR makes a project",
        id="package-without-bundle",
    ),
    pytest.param(
        not_empty,
        ["new", "bundle", "mysite", "--package"],
        "Error: mysite is not empty: choose another bundle name, or run ampho new in another"
        " directory; nothing is ever overwritten",
        id="package-dir-not-empty",
    ),
    pytest.param(
        a_file,
        ["new", "bundle", "mysite", "--package"],
        "Error: mysite exists and is not a directory: choose another bundle name, or run"
        " ampho new in another directory",
        id="package-dir-is-a-file",
    ),
    pytest.param(
        empty,
        ["new", "bundle", "my-blog", "--package"],
        "Error: invalid bundle name 'my-blog': use a top-level package name",
        id="package-not-an-identifier",
    ),
    pytest.param(
        empty,
        ["new", "bundle", "flask", "--package"],
        "Error: bundle name 'flask' is taken by the module 'flask' at {flask}: choose another",
        id="package-installed",
    ),
    pytest.param(
        in_project,
        ["new", "bundle", "tests"],
        "Error: bundle name 'tests' is taken by the project's tests directory: choose another",
        id="tests-dir",
    ),
]


@pytest.mark.parametrize(("setup", "args", "error"), REFUSALS)
def test_refusal_is_one_line_and_writes_nothing(
    tmp_path: Path, setup: Callable[[Path], Path], args: list[str], error: str
) -> None:
    cwd = setup(tmp_path)
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    before = files_under(tmp_path)
    result = ampho_in(cwd, *args, home=home)
    expected = error.format(cwd=cwd, flask=flask.__file__)
    assert assert_one_line_error(result) == expected
    assert files_under(tmp_path) == before


def test_a_failure_midway_removes_what_was_made(tmp_path: Path) -> None:
    """A file that appears between the checks and the writing is not
    overwritten, and the files and directories made before it go."""
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "y.txt").write_text("theirs")
    before = files_under(tmp_path)
    files = {"a/deep/x.txt": "mine", "b/y.txt": "mine", "c.txt": "mine"}
    with pytest.raises(Exception, match=r"^b/y.txt exists already: nothing was written"):
        write_files(str(tmp_path), files)
    assert files_under(tmp_path) == before


# --- the command itself --------------------------------------------------------------------


def test_package_data_holds_every_template() -> None:
    """The wheel carries the scaffold through pyproject.toml's package
    data: each of its patterns is a glob of setuptools, relative to the
    package, and together they must match every file of the scaffold."""
    tomllib = pytest.importorskip("tomllib")
    package = Path(ampho.__file__).parent
    pyproject = package.parent / "pyproject.toml"
    if not pyproject.is_file():
        pytest.skip("ampho is installed, not a checkout")
    patterns = tomllib.loads(pyproject.read_text())["tool"]["setuptools"]["package-data"]
    shipped = {path for pattern in patterns["ampho"] for path in package.glob(pattern)}
    scaffold = {
        path
        for path in (package / "scaffold").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    kinds = Counter(path.relative_to(package / "scaffold").parts[0] for path in scaffold)
    # A new project is the project's templates and a bundle's, each once;
    # a new distribution is the package's and a bundle's but three (its
    # __init__ and commands, which the package's replace, and its tests).
    assert kinds["project"] + kinds["bundle"] == len(PROJECT_FILES)
    assert kinds["package"] + kinds["bundle"] - 3 == len(PACKAGE_FILES)
    assert scaffold <= shipped


def test_help_shows_both_forms(tmp_path: Path) -> None:
    result = ampho_in(tmp_path, "new", "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(
        "Usage: ampho new DIR\n       ampho new bundle NAME [--package]\n\n"
        "  Start a project in DIR, or add a bundle to the current one.\n"
    )
    assert "ampho new ./bundle" in result.stdout


def test_new_imports_no_flask(tmp_path: Path) -> None:
    """Like ``ampho config``, ``ampho new`` works where there is no
    application, and pays for no Flask."""
    script = (
        "import sys\n"
        "from ampho.cli import main\n"
        "try:\n"
        "    main(['new', 'mysite'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in"
        " ('flask', 'werkzeug', 'jinja2')), file=sys.stderr)\n"
    )
    result = run([sys.executable, "-c", script], [], tmp_path, home=str(tmp_path / "home"))
    assert result.stdout.startswith("Created the project mysite:\n"), result.stderr
    assert result.stderr == "[]\n"


def test_reserved_names_cover_the_ampho_commands() -> None:
    """A bundle named after a command of ``ampho`` would have its group
    of commands hidden by it: every such name is refused."""
    from ampho.cli import main
    from ampho.cli.group import main as flask_group

    commands = {*main.commands, *flask_group.commands}
    # "secret-key" is no package name, so no bundle's.
    assert {name for name in commands if name.isidentifier()} <= set(RESERVED)
    assert "secret-key" in commands
