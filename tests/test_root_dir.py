"""The root directory rule, on real trees through the real command.

The rule (``docs/configuration.rst``, "Root and instance directories"):
``--root`` or ``AMPHO_ROOT``; else the project directory of the entry
bundle, the directory holding its package or, in a src layout, the one
above ``src/``; else, for an installed entry bundle, the current
directory. Nothing is ever created in site-packages or the standard
library, and a bundle cannot take a standard-library name.

Each layout is tried through ``ampho config get`` (no Flask), ``ampho
routes`` (the application factory) and ``import ampho.main`` (what a WSGI
server does): all three must read the same instance directory.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
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
    tail,
    write_instance,
    write_tree,
)

#: A bundle with one route, whose package is ``myapp``.
MYAPP = {
    "__init__.py": "",
    "views.py": """
        from ampho import route


        @route("/where")
        def where():
            return "here"
    """,
}

#: What ``import ampho.main`` shows: the instance path and a setting.
MAIN = (
    "import ampho.main as m; print(m.application.instance_path);"
    " print(m.application.config['WHERE'])"
)


def package(top: Path, name: str = "myapp") -> Path:
    """Write the ``myapp`` bundle under ``top``."""
    return write_tree(top, {f"{name}/{file}": text for file, text in MYAPP.items()})


def project(tmp_path: Path) -> Path:
    """A project directory holding ``instance/default.json``."""
    return write_instance(tmp_path / "project", {"default.json": {"WHERE": "project"}})


def venv(tmp_path: Path, *paths: Path) -> Path:
    """A virtual environment whose site-packages reaches this one's.

    ``paths`` go into a ``.pth`` file there, as an editable install of a
    src layout writes them. Returns its site-packages directory.
    """
    home = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(home)], check=True)
    site = Path(sysconfig.get_path("purelib", vars={"base": str(home), "platbase": str(home)}))
    purelib = sysconfig.get_path("purelib")
    # Flask and Ampho come from the running environment, its .pth files included.
    lines = [f"import site; site.addsitedir({purelib!r})", *map(str, paths)]
    (site / "_reach.pth").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return site


def in_venv(site: Path, args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m ampho ARGS`` with the interpreter of ``site``'s venv."""
    python = site.parents[2] / "bin" / "python"
    return run([str(python), "-m", "ampho"], args, cwd, home="../home", **env)


def python_in(
    site: Path | None, code: str, cwd: Path, **env: str
) -> subprocess.CompletedProcess[str]:
    """``python -c CODE`` with the interpreter of ``site``'s venv, or this one."""
    python = site.parents[2] / "bin" / "python" if site is not None else Path(sys.executable)
    return run([str(python), "-c", code], [], cwd, home="../home", **env)


def created(top: Path, before: set[Path]) -> set[Path]:
    """What appeared under ``top`` since ``before`` was taken."""
    return set(top.rglob("*")) - before


def assert_reads_the_project(result: subprocess.CompletedProcess[str]) -> None:
    """``config get WHERE`` printed the project's instance/default.json."""
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    assert result.stdout.strip() == "project"


# --- the src layout ----------------------------------------------------------------


@pytest.mark.parametrize("how", ["PYTHONPATH", "editable"])
def test_a_src_layout_has_its_root_above_src(tmp_path: Path, how: str) -> None:
    root = project(tmp_path)
    package(root / "src")
    env = {"AMPHO_ENTRY": "myapp"}
    if how == "PYTHONPATH":
        site = None
        env["PYTHONPATH"] = str(root / "src")

        def ampho(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
            return run(AMPHO, args, cwd, home="../home", **env)
    else:
        site = venv(tmp_path, root / "src")

        def ampho(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
            return in_venv(site, args, cwd, **env)

    src_before = set((root / "src").rglob("*"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for cwd in (root, elsewhere):
        assert_reads_the_project(ampho(["config", "get", "WHERE"], cwd))
        routes = ampho(["routes"], cwd)
        assert routes.returncode == 0, routes.stderr
        assert "/where" in routes.stdout
        main = python_in(site, MAIN, cwd, **env)
        assert (main.returncode, main.stderr) == (0, ""), main.stderr
        assert main.stdout.split() == [str(root / "instance"), "project"]
    # The secret key and the logs went to the project, nothing into src/.
    assert (root / "instance" / "secret_key").is_file()
    assert (root / "log").is_dir()
    assert {p for p in created(root / "src", src_before) if "__pycache__" not in p.parts} == set()
    assert not (elsewhere / "instance").exists()


# --- an installed entry bundle ---------------------------------------------------------


def test_an_installed_bundle_run_from_the_project_reads_the_project(tmp_path: Path) -> None:
    root = project(tmp_path)
    site = venv(tmp_path)
    package(site)  # as pip installs a wheel: the package in site-packages
    before = set(site.rglob("*"))
    env = {"AMPHO_ENTRY": "myapp", "PYTHONDONTWRITEBYTECODE": "1"}
    assert_reads_the_project(in_venv(site, ["config", "get", "WHERE"], root, **env))
    routes = in_venv(site, ["routes"], root, **env)
    assert routes.returncode == 0, routes.stderr
    assert "/where" in routes.stdout
    main = python_in(site, MAIN, root, **env)
    assert (main.returncode, main.stderr) == (0, ""), main.stderr
    assert main.stdout.split() == [str(root / "instance"), "project"]
    assert created(site, before) == set()
    assert (root / "instance" / "secret_key").is_file()


def test_a_root_inside_site_packages_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    site = venv(tmp_path)
    package(site)
    before = set(site.rglob("*"))
    env = {"AMPHO_ENTRY": "myapp", "PYTHONDONTWRITEBYTECODE": "1"}
    for args in (["config", "get", "WHERE"], ["routes"]):
        line = assert_one_line_error(in_venv(site, args, site, **env))
        assert f"the root directory {site} is inside site-packages" in line
        assert "AMPHO_ROOT" in line
    named = in_venv(site, ["--root", str(site / "myapp"), "routes"], tmp_path, **env)
    assert "is inside site-packages" in assert_one_line_error(named)
    assert created(site, before) == set()


# --- names of the standard library -----------------------------------------------------

#: The standard library's directory, which nothing may be written into.
STDLIB = Path(os.__file__).parent


def stdlib_listing() -> set[str]:
    return set(os.listdir(STDLIB))


@pytest.mark.parametrize("entry", ["json", "email", "this", "antigravity"])
def test_an_entry_named_like_the_standard_library_is_refused_before_import(
    tmp_path: Path, entry: str
) -> None:
    root = project(tmp_path)
    before = stdlib_listing()
    for args in (["config", "get", "WHERE"], ["config", "dump"], ["routes"], ["config", "check"]):
        result = run(AMPHO, args, root, home="../home", AMPHO_ENTRY=entry, BROWSER="false")
        if args == ["config", "check"]:
            # check reports it as a finding, the line for the bundle
            assert result.returncode == 1
            assert "taken by the standard library's module" in result.stdout + result.stderr
            continue
        line = assert_one_line_error(result)
        assert f"bundle name {entry!r} is taken by the standard library's module" in line
    main = python_in(None, "import ampho.main", root, AMPHO_ENTRY=entry, BROWSER="false")
    assert main.returncode != 0
    assert "taken by the standard library's module" in main.stderr.splitlines()[-1]
    # `this` prints the Zen of Python when imported: it never was.
    assert "Beautiful is better than ugly" not in main.stdout + main.stderr
    assert stdlib_listing() == before
    assert not (root / "instance" / "secret_key").exists()


@pytest.mark.parametrize("name", ["email", "secrets", "calendar"])
def test_a_required_bundle_named_like_the_standard_library_is_one_error_line(
    tmp_path: Path, name: str
) -> None:
    root = write_tree(
        tmp_path / "root",
        {
            "app/__init__.py": f"REQUIRES = [{name!r}]",
            f"{name}/__init__.py": "",
            f"{name}/views.py": f"""
                from ampho import route


                @route("/{name}")
                def page():
                    return "mine"
            """,
            f"{name}/default.json": '{"A": "mine"}',
        },
    )
    expected = f"bundle name {name!r} is taken by the standard library's module {name!r}"
    for args in (["routes"], ["bundles"], ["config", "get", "A"], ["config", "dump"]):
        line = assert_one_line_error(run(AMPHO, args, root, home="../home"))
        assert expected in line, (args, line)


def test_a_bundle_shadowed_by_a_module_imported_first_is_refused(tmp_path: Path) -> None:
    # Flask imports Werkzeug before any bundle: a project package of that
    # name would never be the one the application gets.
    root = write_tree(
        tmp_path / "root",
        {"app/__init__.py": "REQUIRES = ['werkzeug']", "werkzeug/__init__.py": ""},
    )
    line = assert_one_line_error(run(AMPHO, ["routes"], root, home="../home"))
    assert f"bundle 'werkzeug' is {root / 'werkzeug' / '__init__.py'}" in line
    assert "was imported first: rename the package" in line


def test_a_module_named_as_the_entry_is_refused_without_running_it(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "root", {"loud.py": "print('ran')"})
    result = run(AMPHO, ["routes"], root, home="../home", AMPHO_ENTRY="loud")
    line = assert_one_line_error(result)
    assert f"bundle 'loud' is a module, not a package: {root / 'loud.py'}" in line


# --- found by review ----------------------------------------------------------------------


def test_a_project_in_a_directory_called_src_keeps_its_root(tmp_path: Path) -> None:
    # An image's WORKDIR /src holding app/ and instance/ is a project, not
    # a src layout: the root stays, and nothing goes to the directory above.
    root = write_instance(tmp_path / "src", {"default.json": {"WHERE": "project"}})
    package(root, "app")
    assert_reads_the_project(run(AMPHO, ["config", "get", "WHERE"], root, home="../home"))
    routes = run(AMPHO, ["routes"], root, home="../home")
    assert routes.returncode == 0, routes.stderr
    assert (root / "instance" / "secret_key").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "src"]


def test_an_invalid_entry_name_is_the_same_line_for_config_and_the_app(tmp_path: Path) -> None:
    root = project(tmp_path)
    lines = {
        assert_one_line_error(run(AMPHO, args, root, home="../home", AMPHO_ENTRY="my-app"))
        for args in (["config", "get", "WHERE"], ["routes"])
    }
    assert lines == {"Error: invalid bundle name 'my-app': use a top-level package name"}


def test_gunicorn_serves_a_root_reached_through_a_symbolic_link(tmp_path: Path) -> None:
    # A deploy's /srv/current -> releases/42: Gunicorn's master imports the
    # entry bundle through $PWD, the workers' sys.path holds the real path.
    release = project(tmp_path)
    package(release, "app")
    current = tmp_path / "current"
    current.symlink_to(release, target_is_directory=True)
    port = free_port()
    # The gunicorn script, not `python -m gunicorn`, which would put the
    # real path on sys.path before Gunicorn adds $PWD.
    command = [os.path.join(os.path.dirname(sys.executable), "gunicorn"), "-w", "1"]
    command += ["-b", f"127.0.0.1:{port}"]
    command += ["--logger-class", "ampho.logging.gunicorn.Logger", "ampho.main:application"]
    env = server_environment(tmp_path / "home", PWD=str(current))
    log = tmp_path / "server.log"
    with serving(command, current, port, env, log):
        response = request(port, "/where")
        assert (response.status, response.text) == (200, "here"), tail(log)
    assert "rename the package" not in log.read_text(encoding="utf-8", errors="replace")
