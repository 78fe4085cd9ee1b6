"""``ampho new``: start a project, add a bundle to one, or make a bundle
a distribution of its own.

A new project must run, and its tests pass, before its author has edited
a line: that is what shows the author the pieces fit, and what every
later change is measured against. So the files are not invented here but
copied from templates shipped in :mod:`ampho`'s ``scaffold/`` directory,
which the test suite generates, runs, serves and tests as a user would.

Nothing is ever overwritten. A project, or a bundle's distribution, goes
into a new or empty directory; a bundle's files must all be new. Each
file is created with ``O_EXCL``, so one that appears meanwhile is not
overwritten either, and on any failure the files and directories made so
far are removed again.

Like ``ampho config``, this command imports neither Flask nor the
application: it works in an empty directory, where there is none.
"""

from __future__ import annotations

import ast
import contextlib
import json
import keyword
import os
import re
import shlex
import sys
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

import click

from ..bundle import check_bundle_name
from ..config.paths import current_dir, entry_from_environ, search_dir
from ..packages import find_spec

if TYPE_CHECKING:
    from importlib.abc import Traversable

#: What each template's name ends with, so that no tool takes
#: ``views.py.tmpl`` for a module of Ampho's.
TEMPLATE_SUFFIX = ".tmpl"

#: A template named ``dot-gitignore`` is the file ``.gitignore``: package
#: data leaves out files whose names start with a dot.
DOT_PREFIX = "dot-"

#: ``__NAME__`` in a template's path or text; each is replaced in one pass,
#: so a value holding another placeholder is left as it is.
PLACEHOLDER = re.compile(r"__(BUNDLE|SETTINGS_KEY|PROJECT|PROJECT_JSON|DISTRIBUTION|AMPHO)__")

#: The bundle ``ampho new DIR`` makes beside the entry bundle, from the
#: same templates as ``ampho new bundle``.
FIRST_VALUES = {"BUNDLE": "pages"}

#: Names a bundle cannot take in a project: its directories
#: (``tests/test_tests.py`` would land in the bundle, the logs of
#: ``log/`` among its modules), and ``ampho``'s own commands, which
#: would hide the bundle's group of commands.
RESERVED = {
    "instance": "the project's instance directory",
    "log": "the project's log directory",
    "tests": "the project's tests directory",
    "bundles": "an ampho command",
    "config": "an ampho command",
    "new": "an ampho command",
    "routes": "an ampho command",
    "run": "an ampho command",
    "shell": "an ampho command",
}


#: What a directory may hold and still be empty enough for a project.
STARTING_POINTS = frozenset((".git", ".venv", "venv"))

#: What to do when the directory of a bundle's distribution is taken.
PACKAGE_REMEDY = "choose another bundle name, or run ampho new in another directory"


class NewCommand(click.Command):
    """A command with two forms, each on its own usage line."""

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, "DIR")
        formatter.write_usage(
            ctx.command_path, "bundle NAME [--package]", prefix=" " * len("Usage: ")
        )


@click.command("new", cls=NewCommand, no_args_is_help=True)
@click.argument("target", metavar="DIR")
@click.argument("name", required=False)
@click.option(
    "--package",
    is_flag=True,
    help="With bundle NAME: make the bundle a distribution of its own, to build"
    " as a wheel and install with pip, in a new directory named after it.",
)
def new_command(target: str, name: str | None, package: bool) -> None:
    """Start a project in DIR, or add a bundle to the current one.

    `ampho new DIR` makes DIR, or fills it if it is an empty directory,
    with a project that runs and whose tests pass: the entry bundle
    `app`, a bundle `pages`, settings for the development and testing
    environments, tests, a README and a Dockerfile.

    `ampho new bundle NAME` adds the bundle NAME and its tests to the
    project in the current directory (or in `ampho --root DIR`); add
    NAME to REQUIRES of the entry bundle to load it.

    `ampho new bundle NAME --package` makes the bundle a distribution of
    its own instead, in a new directory of the current one: a
    pyproject.toml whose wheel carries the templates, static files and
    settings, and tests that run it in an application requiring it.

    Nothing is ever overwritten. For a project in a directory called
    bundle, write `ampho new ./bundle`.
    """
    if target == "bundle" and name is not None:
        if package:
            new_package(name)
        else:
            new_bundle(name)
    elif target == "bundle":
        raise click.UsageError(
            "give the bundle's name: ampho new bundle NAME"
            " (for a project in a directory called bundle: ampho new ./bundle)"
        )
    elif name is not None:
        raise click.UsageError(
            f"unexpected {name!r}: ampho new DIR makes a project, ampho new bundle NAME a bundle"
        )
    elif package:
        raise click.UsageError(
            "--package makes a bundle a distribution of its own:"
            " ampho new bundle NAME --package; ampho new DIR makes a project"
        )
    else:
        new_project(target)


# --- the two forms ---------------------------------------------------------------------


def new_project(target: str) -> None:
    """Make the project ``target``, then say what was made and what next."""
    directory = os.path.abspath(target)
    refuse_used_directory(target, directory)
    project = os.path.basename(directory)
    made = {**render("project", project_values(project)), **render("bundle", FIRST_VALUES)}
    files = dict(sorted(made.items()))
    write_files(directory, files, shown=target)
    click.echo(f"Created the project {project}:")
    echo_paths(files)
    click.echo("Next steps:")
    if directory != current_dir():
        click.echo(f"  cd {shlex.quote(target)}")
    click.echo("  ampho --env development run")
    click.echo("  pytest")


def new_bundle(name: str) -> None:
    """Make the bundle ``name`` in the project at the root, then say the
    one edit that loads it."""
    root = search_dir(os.environ)
    entry = entry_from_environ(os.environ)
    refuse_bundle_name(name)
    entry_init = os.path.join(root, entry, "__init__.py")
    if not os.path.isfile(entry_init):
        raise click.ClickException(
            f"no entry bundle {entry!r} in {root}: run ampho new bundle at the root of a"
            " project, or name one with ampho --root DIR"
        )
    files = render("bundle", {"BUNDLE": name})
    refuse_existing(root, name, files)
    refuse_taken(name)
    write_files(root, files)
    where = "" if root == current_dir() else f" in {root}"
    click.echo(f"Created the bundle {name}{where}:")
    echo_paths(files)
    for line in bundle_next_steps(root, entry, name):
        click.echo(line)


def new_package(name: str) -> None:
    """Make the bundle ``name`` a distribution of its own, in a new
    directory of the current one named after the distribution, then say
    how to test, build and use it.

    It belongs to no project, so neither ``--root`` nor the entry bundle
    matters; a name some installed module has already is refused, as a
    project's bundle's is, since an application would import one or the
    other.
    """
    refuse_bundle_name(name)
    values = package_values(name)
    target = values["DISTRIBUTION"]
    directory = os.path.abspath(target)
    refuse_used_directory(target, directory, remedy=PACKAGE_REMEDY)
    refuse_taken(name)
    files = package_files(values)
    write_files(directory, files, shown=target)
    click.echo(f"Created the distribution {target}, with the bundle {name}:")
    echo_paths(files)
    click.echo("Next steps:")
    click.echo(f"  cd {shlex.quote(target)}")
    click.echo("  pytest")
    click.echo("  python -m pip wheel --no-deps -w dist .")
    click.echo(
        f"An application installs the wheel, and adds {name!r} to REQUIRES of its entry bundle."
    )


# --- refusals ------------------------------------------------------------------------


def refuse_used_directory(target: str, directory: str, *, remedy: str | None = None) -> None:
    """Refuse a directory for a project, or a bundle's distribution, that
    is not new or empty.

    A directory holding only a ``.git`` or a virtual environment
    (``.venv``, ``venv``) counts as empty: a repository just made, or a
    directory where the environment was made first to install Ampho, is
    where a project often starts, and the scaffold writes nothing there.

    :param remedy: what to do instead, when the user named no directory
        (a distribution's is named after the bundle).
    """
    if os.path.lexists(directory) and not os.path.isdir(directory):
        raise click.ClickException(
            f"{target} exists and is not a directory: {remedy or 'give a new one'}"
        )
    try:
        entries = [e for e in os.listdir(directory) if e not in STARTING_POINTS]
    except FileNotFoundError:
        return
    except OSError as e:
        raise click.ClickException(f"cannot read {target}: {e.strerror}") from None
    if entries:
        raise click.ClickException(
            f"{target} is not empty: {remedy or 'give a new directory, or an empty one'};"
            " nothing is ever overwritten"
        )


def refuse_bundle_name(name: str) -> None:
    """Refuse a name no bundle can have (:func:`ampho.bundle.check_bundle_name`),
    a keyword, which no ``import`` statement can name, and the names of
    :data:`RESERVED`."""
    if name in sys.stdlib_module_names:
        # check_bundle_name's remedy is for a package that exists.
        raise click.ClickException(
            f"bundle name {name!r} is taken by the standard library's module {name!r}:"
            " choose another"
        )
    check_bundle_name(name)
    if keyword.iskeyword(name):
        raise click.ClickException(
            f"invalid bundle name {name!r}: a Python keyword, which no import can name"
        )
    if name in RESERVED:
        raise click.ClickException(
            f"bundle name {name!r} is taken by {RESERVED[name]}: choose another"
        )


def refuse_existing(root: str, name: str, files: Mapping[str, str]) -> None:
    """Refuse a bundle any of whose files exists, or whose name a module
    of the root has already."""
    candidates = [name, f"{name}.py", *files]
    for relative in candidates:
        if os.path.lexists(os.path.join(root, relative)):
            raise click.ClickException(
                f"{relative} exists already: choose another bundle name;"
                " nothing is ever overwritten"
            )


def refuse_taken(name: str) -> None:
    """Refuse a name that imports from elsewhere: a package of the root
    called ``flask`` would be imported in Flask's place, or lose to it.

    The root has no package or module of that name (:func:`refuse_existing`),
    so whatever is found is another's.
    """
    spec = find_spec(name)
    if spec is None:
        return
    where = spec.origin if spec.origin not in (None, "namespace") else None
    if where is None and spec.submodule_search_locations:
        where = next(iter(spec.submodule_search_locations))
    raise click.ClickException(
        f"bundle name {name!r} is taken by the module {name!r} at {where}: choose another"
    )


# --- templates -----------------------------------------------------------------------


def project_values(project: str) -> dict[str, str]:
    """The placeholders' values in a project named after its directory.

    The name is written as a JSON string whose ``${`` is no reference
    (``$${``), and as a distribution name: ASCII letters, digits and
    dashes.
    """
    return {
        "PROJECT": project,
        "PROJECT_JSON": json.dumps(project.replace("${", "$${"), ensure_ascii=False),
        "DISTRIBUTION": distribution_name(project, "site"),
        "AMPHO": ampho_requirement(),
    }


def package_values(name: str) -> dict[str, str]:
    """The placeholders' values for the bundle ``name`` made a
    distribution: named after it, its settings under its name in
    capitals (``blog``: ``BLOG``)."""
    return {
        "BUNDLE": name,
        "SETTINGS_KEY": name.upper(),
        "DISTRIBUTION": distribution_name(name, "bundle"),
        "AMPHO": ampho_requirement(),
    }


def distribution_name(name: str, fallback: str) -> str:
    """``name`` as a distribution's: lower-case ASCII letters, digits and
    dashes (``My_Blog``: ``my-blog``)."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or fallback


def ampho_requirement() -> str:
    """Exactly the release that makes the files, which they are written
    for: a range such as ``~=0.1.0.dev0`` is met by releases of the
    original Ampho on PyPI (0.1 to 0.4), a different library."""
    # The version `ampho --version` says: that of the installed distribution.
    # Imported here: importlib.metadata would cost every `ampho` command
    # a third of its start (this module is imported by them all).
    from importlib import metadata

    release = metadata.version("ampho").partition("+")[0]
    return f"ampho=={release}"


def package_files(values: Mapping[str, str]) -> dict[str, str]:
    """The files of a bundle's distribution: the bundle a project's would
    have, under ``src/``, with the package scaffold's files over it (an
    ``__init__`` that declares typed settings, a command that reads them,
    and the tests' application), so both kinds of bundle keep the same
    pages, templates and static files."""
    package = values["BUNDLE"] + "/"
    files = {
        f"src/{path}": text
        for path, text in render("bundle", values).items()
        if path.startswith(package)
    }
    files.update(render("package", values))
    return dict(sorted(files.items()))


def render(kind: str, values: Mapping[str, str]) -> dict[str, str]:
    """Every file of the scaffold ``kind``, by its path relative to where it
    goes, with the placeholders replaced by ``values``."""
    from importlib import resources

    base = resources.files("ampho") / "scaffold" / kind
    files = {}
    for parts, template in templates(base, ()):
        path = "/".join(fill(output_name(part), values) for part in parts)
        files[path] = fill(template.read_text(encoding="utf-8"), values)
    return dict(sorted(files.items()))


def templates(
    directory: Traversable, parents: tuple[str, ...]
) -> Iterator[tuple[tuple[str, ...], Traversable]]:
    """The templates under ``directory``, each with the parts of its path."""
    for item in directory.iterdir():
        if item.is_dir():
            yield from templates(item, (*parents, item.name))
        elif item.name.endswith(TEMPLATE_SUFFIX):
            yield (*parents, item.name), item


def output_name(name: str) -> str:
    """The name of the file a template makes: without ``.tmpl``, and with
    ``dot-`` made a dot."""
    name = name.removesuffix(TEMPLATE_SUFFIX)
    if name.startswith(DOT_PREFIX):
        return "." + name[len(DOT_PREFIX) :]
    return name


def fill(text: str, values: Mapping[str, str]) -> str:
    """``text`` with each placeholder replaced by its value."""
    return PLACEHOLDER.sub(lambda match: values[match[1]], text)


# --- writing -------------------------------------------------------------------------


def write_files(base: str, files: Mapping[str, str], *, shown: str = "") -> None:
    """Create ``files`` under ``base``, which may not exist yet.

    Each file is created new (``O_EXCL``); when one cannot be, whatever
    this call created is removed, and the error names the file relative
    to ``base``, which the user calls ``shown``.
    """
    created: list[str] = []
    try:
        for relative, text in files.items():
            path = os.path.join(base, *relative.split("/"))
            make_dirs(os.path.dirname(path), created)
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            created.append(path)
            with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
    except BaseException as e:
        remove(created)
        if not isinstance(e, OSError):
            raise
        what = shown_path(e.filename, base, shown)
        if isinstance(e, FileExistsError):
            raise click.ClickException(
                f"{what} exists already: nothing was written, and nothing overwritten"
            ) from None
        raise click.ClickException(
            f"cannot write {what}: {e.strerror}; nothing was written"
        ) from None


def shown_path(path: str | None, base: str, shown: str) -> str:
    """``path`` as the user calls it: relative to ``base``, called ``shown``."""
    if not path or os.path.abspath(path) == base:
        return shown or base
    relative = os.path.relpath(path, base)
    if relative.startswith(os.pardir):
        return path
    return os.path.join(shown, relative)


def make_dirs(directory: str, created: list[str]) -> None:
    """Make ``directory`` and its missing parents, adding each to ``created``."""
    missing = []
    while not os.path.isdir(directory):
        missing.append(directory)
        directory = os.path.dirname(directory)
    for path in reversed(missing):
        os.mkdir(path)
        created.append(path)


def remove(created: list[str]) -> None:
    """Remove what :func:`write_files` made, newest first."""
    for path in reversed(created):
        with contextlib.suppress(OSError):
            if os.path.isdir(path) and not os.path.islink(path):
                os.rmdir(path)
            else:
                os.unlink(path)


# --- what to say -----------------------------------------------------------------------


def echo_paths(files: Mapping[str, str]) -> None:
    for path in files:
        click.echo(f"  {path}")


def bundle_next_steps(root: str, entry: str, name: str) -> list[str]:
    """What is left to do after ``ampho new bundle``: the one edit that
    loads the bundle, which Ampho never makes in the user's Python, and
    what else depends on the project."""
    init = f"{entry}/__init__.py"
    requires = declared_requires(os.path.join(root, entry, "__init__.py"))
    if requires is not None and name in requires:
        lines = [f"Next step: {init} requires {name!r} already; run pytest."]
    elif requires is not None:
        lines = [
            f"Next step: add {name!r} to REQUIRES in {init}, then run pytest:",
            f"  REQUIRES = {json.dumps([*requires, name])}",
        ]
    else:
        lines = [f"Next step: add {name!r} to REQUIRES in {init}, then run pytest."]
    if not os.path.isfile(os.path.join(root, entry, "tpl", "layout.html")):
        lines.append(
            f"Note: {name}/tpl/index.html extends layout.html, which {entry}/tpl/ does not"
            " have: add one there, or change the template."
        )
    if os.path.isfile(os.path.join(root, "Dockerfile")):
        lines.append(f"Note: the Dockerfile copies each bundle: add COPY {name}/ {name}/ to it.")
    return lines


def declared_requires(path: str) -> list[str] | None:
    """The names of a literal ``REQUIRES`` in a bundle's ``__init__.py``,
    read without running it; ``[]`` if it has none, ``None`` if it is not
    a list of strings written out (or the file does not parse)."""
    try:
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read(), path)
    except (OSError, SyntaxError, ValueError):
        return None
    values = [value for node in tree.body if (value := _assigned(node, "REQUIRES"))]
    if not values:
        return []
    # The last assignment is the one the import leaves.
    value = values[-1]
    if not isinstance(value, (ast.List, ast.Tuple)):
        return None
    names = []
    for item in value.elts:
        if not (isinstance(item, ast.Constant) and isinstance(item.value, str)):
            return None
        names.append(item.value)
    return names


def _assigned(node: ast.stmt, name: str) -> ast.expr | None:
    """The value a module-level statement assigns to ``name``, if it does."""
    if isinstance(node, ast.Assign) and any(
        isinstance(t, ast.Name) and t.id == name for t in node.targets
    ):
        return node.value
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return node.value if node.target.id == name else None
    return None
