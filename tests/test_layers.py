"""The package's layers import downwards only, with no cycle at any depth.

Every ``import`` of every module is read from its source, at module
level or inside a function, outside ``if TYPE_CHECKING:`` blocks only;
``importlib.import_module("...")`` with a literal name counts too. The
layers, lowest first, are those docs/design.rst describes.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "ampho"

#: Each module's layer, by the first part of its name under ``ampho``;
#: a module may import its own layer and those below it.
LAYERS = {
    "errors": 0,
    "bundle": 0,
    "packages": 0,
    "config": 1,
    "logging": 2,
    "app": 3,
    "cli": 4,
    "main": 5,
    "testing": 5,
    "__main__": 5,
}

#: Third-party packages a layer may never import, at any depth.
FORBIDDEN = {
    "errors": {"flask", "werkzeug", "jinja2", "click"},
    "bundle": {"flask", "werkzeug", "jinja2", "click"},
    "packages": {"flask", "werkzeug", "jinja2", "click"},
    "config": {"flask", "werkzeug", "jinja2", "click"},
    "logging": {"flask", "werkzeug", "jinja2", "click"},
}

#: Modules of ``ampho config``'s path, which import Flask, Werkzeug and
#: Jinja at no depth at all (the rest of the command imports them lazily).
WITHOUT_FLASK = ("ampho.cli", "ampho.cli.core", "ampho.cli.config")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imported_names(name: str, *, in_functions: bool = True) -> set[str]:
    """Every module name the module imports, at any depth (or, without
    ``in_functions``, those it imports when it is imported)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    visit_node(other)
                continue
            if not in_functions and isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            visit_node(child)

    def visit_node(node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            found.add(str(node.args[0].value))
        visit(node)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def ampho_imports(name: str) -> set[str]:
    """The modules of the package that ``name`` imports."""
    return {other for other in imported_names(name) if other in MODULES and other != name}


def layer_of(name: str) -> str:
    return name.split(".")[1] if "." in name else ""


def test_the_package_has_modules_in_every_layer() -> None:
    # Guards the other tests against reading nothing.
    assert {layer_of(name) for name in MODULES} - {""} == set(LAYERS)
    assert "ampho.app" in ampho_imports("ampho.cli.group")


def test_there_is_no_import_cycle() -> None:
    graph = {name: ampho_imports(name) for name in MODULES}
    done: set[str] = set()

    def walk(name: str, trail: list[str]) -> None:
        if name in trail:
            cycle = [*trail[trail.index(name) :], name]
            pytest.fail(f"import cycle: {' -> '.join(cycle)}")
        if name in done:
            return
        for other in sorted(graph[name]):
            walk(other, [*trail, name])
        done.add(name)

    for name in sorted(graph):
        walk(name, [])


@pytest.mark.parametrize("name", sorted(name for name in MODULES if name != "ampho"))
def test_each_module_imports_only_its_layer_and_those_below(name: str) -> None:
    # The package itself re-exports the public names from every layer, on
    # first use; nothing imports it.
    upward = {
        other
        for other in ampho_imports(name)
        if other != "ampho" and LAYERS[layer_of(other)] > LAYERS[layer_of(name)]
    }
    assert upward == set()


@pytest.mark.parametrize("name", sorted(name for name in MODULES if layer_of(name) in FORBIDDEN))
def test_the_layers_below_the_flask_wiring_never_import_flask_or_click(name: str) -> None:
    top_level = {other.partition(".")[0] for other in imported_names(name)}
    assert top_level & FORBIDDEN[layer_of(name)] == set()


@pytest.mark.parametrize("name", WITHOUT_FLASK)
def test_the_config_commands_path_imports_flasks_group_only_inside_functions(name: str) -> None:
    # What lets the next test stop at Flask's group and the bundle command
    # helpers: importing the module does not import them, a call does.
    on_import = imported_names(name, in_functions=False)
    assert "click" in on_import  # it reads something
    assert on_import & {"ampho.cli.group", "ampho.app.commands"} == set()


@pytest.mark.parametrize("name", WITHOUT_FLASK)
def test_the_config_commands_path_never_imports_flask(name: str) -> None:
    reached = {name}
    pending = [name]
    while pending:
        for other in ampho_imports(pending.pop()):
            # ampho.cli starts Flask's group, and names the bundle command
            # helpers, on demand only: that is the one way up.
            if other not in reached and other not in ("ampho.cli.group", "ampho.app.commands"):
                reached.add(other)
                pending.append(other)
    heavy = {
        other.partition(".")[0]
        for module in reached
        for other in imported_names(module)
        if other.partition(".")[0] in ("flask", "werkzeug", "jinja2")
    }
    assert heavy == set(), sorted(reached)


#: The internal modules of the engine the outer layers may import, besides
#: ``ampho.config`` itself (docs/design.rst, "Two doors").
ENGINE_DOORS = {"ampho.config", "ampho.config.paths", "ampho.config.tooling"}


@pytest.mark.parametrize("name", sorted(name for name in MODULES if layer_of(name) != "config"))
def test_the_outer_layers_reach_the_engine_through_its_two_doors(name: str) -> None:
    reached = {other for other in ampho_imports(name) if layer_of(other) == "config"}
    assert reached <= ENGINE_DOORS, sorted(reached - ENGINE_DOORS)


def _function_lengths(path: Path) -> list[tuple[str, int]]:
    """``(name, lines)`` of every function of a module, docstring excluded."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        body = node.body
        first = body[0]
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and len(body) > 1:
            first = body[1]
        assert node.end_lineno is not None
        found.append((node.name, node.end_lineno - first.lineno + 1))
    return found


@pytest.mark.parametrize("name", sorted(name for name in MODULES if layer_of(name) == "config"))
def test_no_function_of_the_engine_is_longer_than_80_lines(name: str) -> None:
    long = [
        (function, length) for function, length in _function_lengths(MODULES[name]) if length > 80
    ]
    assert long == []


def test_the_function_lengths_are_read() -> None:
    # Guards the test above against measuring nothing: load() is there,
    # and longer than its docstring alone.
    lengths = dict(_function_lengths(MODULES["ampho.config.loader"]))
    assert 5 < lengths["load"] <= 80
