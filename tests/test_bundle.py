"""Bundles: resolving REQUIRES, the two loading phases and the blueprints.

Every test writes real packages with the ``app_tree`` fixture. Bundles
that need to report what happened append to ``tracker.calls``, a plain
module at the root: it is imported once and forgotten with the tree, so
it also tells how many times a bundle's modules ran.
"""

from __future__ import annotations

import logging
import traceback

import pytest
from flask import Flask

import ampho
from ampho import Bundle, BundleError, create_app
from ampho.bundle import import_bundle, resolve


def names(app: Flask) -> list[str]:
    """The bundles of an application, in load order."""
    return [bundle.name for bundle in app.extensions["ampho"].bundles]


def requiring(app_tree, graph: dict[str, list[str]]) -> None:
    """Write one empty bundle per key, requiring the bundles listed."""
    for name, requires in graph.items():
        app_tree.bundle(name, __init__=f"REQUIRES = {requires!r}")


def tracker(app_tree) -> None:
    app_tree.write({"tracker.py": "calls = []\n"})


def calls() -> list:
    import tracker as module

    return module.calls


# --- resolving REQUIRES ---------------------------------------------------


def test_requirements_are_resolved_transitively_dependencies_first(app_tree) -> None:
    requiring(app_tree, {"app": ["a"], "a": ["b"], "b": ["c"], "c": []})
    app = create_app(config={"TESTING": True})
    assert names(app) == ["c", "b", "a", "app"]
    state = app.extensions["ampho"]
    assert state.entry.name == "app"
    assert state.bundle("a").requires == ("b",)
    assert state.bundle("c").requires == ()


def test_siblings_load_in_the_order_they_are_declared(app_tree) -> None:
    requiring(app_tree, {"app": ["zeta", "alpha", "mid"], "zeta": [], "alpha": [], "mid": []})
    assert names(create_app()) == ["zeta", "alpha", "mid", "app"]


def test_a_diamond_loads_the_shared_bundle_once_before_both_dependants(app_tree) -> None:
    requiring(app_tree, {"app": ["left", "right"], "left": ["base"], "right": ["base"], "base": []})
    assert names(create_app()) == ["base", "left", "right", "app"]


def test_a_bundle_required_twice_on_different_levels_is_loaded_once_at_its_first_need(
    app_tree,
) -> None:
    requiring(app_tree, {"app": ["a", "shared"], "a": ["shared"], "shared": []})
    assert names(create_app()) == ["shared", "a", "app"]


def test_requires_may_be_a_tuple(app_tree) -> None:
    app_tree.bundle("app", __init__="REQUIRES = ('blog',)")
    app_tree.bundle("blog")
    assert names(create_app()) == ["blog", "app"]


def test_resolve_returns_bundle_objects_describing_each_package(app_tree) -> None:
    app_tree.bundle("app", __init__="REQUIRES = ['blog']")
    app_tree.bundle(
        "blog", __init__="URL_PREFIX = '/blog'\nCLI_GROUP = 'posts'\nCLI_HELP = 'Posts.'"
    )
    app_tree.write({"blog/tpl/x.html": "x", "blog/static/s.css": "", "blog/default.json": "{}"})
    blog, app = resolve("app")
    assert isinstance(blog, Bundle)
    assert (blog.name, blog.path, blog.requires) == ("blog", str(app_tree.root / "blog"), ())
    assert (blog.url_prefix, blog.subdomain) == ("/blog", None)
    assert (blog.cli_group, blog.cli_help) == ("posts", "Posts.")
    assert blog.template_folder == str(app_tree.root / "blog" / "tpl")
    assert blog.static_folder == str(app_tree.root / "blog" / "static")
    assert blog.defaults_file == str(app_tree.root / "blog" / "default.json")
    assert (app.requires, app.cli_group) == (("blog",), "app")
    assert (app.template_folder, app.static_folder, app.defaults_file) == (None, None, None)


@pytest.mark.parametrize(
    ("graph", "message"),
    [
        (
            {"app": ["a"], "a": ["b"], "b": ["app"]},
            "circular requirement: app -> a -> b -> app",
        ),
        ({"app": ["app"]}, "circular requirement: app -> app"),
        (
            {"app": ["ok", "a"], "ok": [], "a": ["b"], "b": ["a"]},
            "circular requirement: a -> b -> a",
        ),
    ],
    ids=["through-the-entry", "self", "below-the-entry"],
)
def test_a_circular_requirement_is_a_bundle_error_naming_the_cycle(
    app_tree, graph, message
) -> None:
    requiring(app_tree, graph)
    with pytest.raises(BundleError) as excinfo:
        create_app()
    assert str(excinfo.value) == message
    assert excinfo.value.missing is None


def test_a_missing_required_bundle_names_itself_and_who_requires_it(app_tree) -> None:
    requiring(app_tree, {"app": ["blog"], "blog": ["comments"]})
    with pytest.raises(BundleError) as excinfo:
        create_app()
    message = str(excinfo.value)
    assert "'comments'" in message
    assert "required by 'blog'" in message
    assert excinfo.value.missing == "comments"


@pytest.mark.parametrize(
    ("required", "hint"),
    [
        ("blgo", "; did you mean 'blog'?"),
        ("Blog", "; did you mean 'blog'?"),
        # Nothing close: no guess.
        ("payments", ""),
    ],
)
def test_a_requires_typo_suggests_the_package_of_a_close_name(app_tree, required, hint) -> None:
    requiring(app_tree, {"app": [required], "blog": [], "shop": []})
    with pytest.raises(BundleError) as excinfo:
        create_app()
    assert str(excinfo.value) == (
        f"no bundle named {required!r} (required by 'app'): no such package on sys.path{hint}"
    )


def test_a_missing_entry_bundle_is_a_bundle_error_naming_it(app_tree) -> None:
    with pytest.raises(BundleError) as excinfo:
        create_app("nowhere")
    assert "'nowhere'" in str(excinfo.value)
    assert "required by" not in str(excinfo.value)
    assert excinfo.value.missing == "nowhere"


def test_a_directory_without_init_is_not_a_bundle(app_tree) -> None:
    app_tree.write({"app/views.py": ""})  # a namespace package, not a bundle
    with pytest.raises(BundleError) as excinfo:
        create_app()
    assert "'app'" in str(excinfo.value)
    assert "__init__.py" in str(excinfo.value)
    assert excinfo.value.missing == "app"


def test_a_plain_module_is_not_a_bundle(app_tree) -> None:
    app_tree.write({"app.py": "X = 1\n"})
    with pytest.raises(BundleError, match="'app' is a module, not a package"):
        create_app()


@pytest.mark.parametrize("name", ["", "app.sub", "not-a-name", "1app"])
def test_an_invalid_bundle_name_is_a_bundle_error(app_tree, name) -> None:
    with pytest.raises(BundleError, match="invalid bundle name"):
        import_bundle(name)


@pytest.mark.parametrize(
    "requires",
    ["'blog'", "['a', 1]", "None", "{'blog': True}", "[['blog']]"],
    ids=["string", "list-with-int", "None", "dict", "nested-list"],
)
def test_requires_that_is_not_a_list_or_tuple_of_names_is_a_bundle_error(
    app_tree, requires
) -> None:
    app_tree.bundle("app", __init__=f"REQUIRES = {requires}")
    app_tree.bundle("blog")
    app_tree.bundle("a")
    with pytest.raises(BundleError) as excinfo:
        create_app()
    message = str(excinfo.value)
    assert "REQUIRES of bundle 'app'" in message
    assert "list or tuple" in message


# --- an ImportError inside a bundle keeps its traceback -------------------


@pytest.mark.parametrize(
    ("bundle", "module"),
    [
        ("app", "__init__"),
        ("app", "views"),
        ("app", "commands"),
        ("blog", "__init__"),
        ("blog", "views"),
        ("blog", "commands"),
    ],
)
def test_a_missing_import_inside_a_bundle_propagates_with_its_traceback(
    app_tree, bundle, module
) -> None:
    app_tree.bundle("app", __init__="REQUIRES = ['blog']")
    app_tree.bundle("blog")
    app_tree.write({f"{bundle}/{module}.py": "X = 1\nimport does_not_exist\n"})
    with pytest.raises(ModuleNotFoundError) as excinfo:
        create_app()
    assert not isinstance(excinfo.value, BundleError)
    assert excinfo.value.name == "does_not_exist"
    frames = traceback.extract_tb(excinfo.value.__traceback__)
    culprit = str(app_tree.root / bundle / f"{module}.py")
    assert [(f.filename, f.lineno) for f in frames if f.filename == culprit] == [(culprit, 2)]


def test_a_missing_submodule_of_the_bundle_itself_is_not_taken_for_a_missing_bundle(
    app_tree,
) -> None:
    app_tree.bundle("app", __init__="", views="import app.helpers_that_do_not_exist\n")
    with pytest.raises(ModuleNotFoundError) as excinfo:
        create_app()
    assert excinfo.value.name == "app.helpers_that_do_not_exist"


def test_an_import_error_of_a_name_inside_a_bundle_propagates_unchanged(app_tree) -> None:
    app_tree.bundle("app", __init__="from os import no_such_name\n")
    with pytest.raises(ImportError) as excinfo:
        create_app()
    assert type(excinfo.value) is ImportError
    assert excinfo.value.name == "os"
    files = [f.filename for f in traceback.extract_tb(excinfo.value.__traceback__)]
    assert str(app_tree.root / "app" / "__init__.py") in files


def test_a_bundle_error_is_an_exception_exported_by_ampho() -> None:
    assert ampho.BundleError is BundleError
    assert issubclass(BundleError, Exception)
    assert BundleError("x", missing="y").missing == "y"


# --- the two phases -----------------------------------------------------------

HOOKS = """
import tracker
from ampho import current_app

REQUIRES = {requires!r}


def on_register():
    tracker.calls.append(("register:{name}", sorted(current_app.blueprints)))
    current_app.config.setdefault("REGISTERED", []).append("{name}")
    current_app.logger.info("registering {name}")


def on_load():
    tracker.calls.append(("load:{name}", sorted(current_app.blueprints)))
    current_app.config.setdefault("LOADED", []).append("{name}")
"""


def hooked_bundle(app_tree, name: str, requires: list[str]) -> None:
    app_tree.bundle(
        name,
        __init__=HOOKS.format(name=name, requires=requires),
        views=f"""
        import tracker
        from ampho import route

        tracker.calls.append(("views:{name}", None))

        @route("/{name}")
        def index():
            return "{name}"
        """,
        commands=f"""
        import tracker
        from ampho.cli import command

        tracker.calls.append(("commands:{name}", None))

        @command("hello")
        def hello():
            print("hello from {name}")
        """,
    )


def test_every_on_register_runs_before_any_views_commands_or_on_load_in_load_order(
    app_tree,
) -> None:
    tracker(app_tree)
    hooked_bundle(app_tree, "app", ["blog", "shop"])
    hooked_bundle(app_tree, "blog", [])
    hooked_bundle(app_tree, "shop", [])
    app = create_app()
    # on_load sees its own blueprint registered, and those loaded before it.
    assert calls() == [
        ("register:blog", []),
        ("register:shop", []),
        ("register:app", []),
        ("views:blog", None),
        ("commands:blog", None),
        ("load:blog", ["blog"]),
        ("views:shop", None),
        ("commands:shop", None),
        ("load:shop", ["blog", "shop"]),
        ("views:app", None),
        ("commands:app", None),
        ("load:app", ["app", "blog", "shop"]),
    ]
    assert sorted(app.blueprints) == ["app", "blog", "shop"]
    assert app.config["REGISTERED"] == ["blog", "shop", "app"]
    assert app.config["LOADED"] == ["blog", "shop", "app"]


def test_a_second_application_runs_the_hooks_again_but_not_the_modules(app_tree) -> None:
    tracker(app_tree)
    hooked_bundle(app_tree, "app", ["blog"])
    hooked_bundle(app_tree, "blog", [])
    create_app()
    calls().clear()
    app = create_app()
    assert calls() == [
        ("register:blog", []),
        ("register:app", []),
        ("load:blog", ["blog"]),
        ("load:app", ["app", "blog"]),
    ]
    assert app.config["LOADED"] == ["blog", "app"]


def test_hooks_run_inside_an_app_context_of_the_app_being_built(app_tree, caplog) -> None:
    app_tree.bundle(
        "app",
        __init__="""
        from ampho import current_app

        SEEN = []

        def on_register():
            SEEN.append(current_app._get_current_object())
            current_app.config.setdefault("GREETING", "from the hook")
            current_app.logger.info("registering app")

        def on_load():
            SEEN.append(current_app._get_current_object())
        """,
    )
    with caplog.at_level(logging.INFO, logger="app"):
        first = create_app()
        second = create_app(config={"GREETING": "from config"})
    import app as package

    assert [first, first, second, second] == package.SEEN
    assert first.config["GREETING"] == "from the hook"
    # setdefault in a hook stays beneath every configuration layer.
    assert second.config["GREETING"] == "from config"
    assert [r.getMessage() for r in caplog.records if r.name == "app"] == [
        "registering app",
        "registering app",
    ]


def test_bundles_without_hooks_views_or_commands_load(app_tree) -> None:
    app_tree.bundle("app", __init__="REQUIRES = ['bare']")
    app_tree.bundle("bare")
    app = create_app()
    assert names(app) == ["bare", "app"]
    assert sorted(app.blueprints) == ["app", "bare"]
    assert "bare" not in app.cli.commands


def test_a_failing_hook_propagates(app_tree) -> None:
    app_tree.bundle(
        "app",
        __init__="""
        def on_load():
            raise RuntimeError("boom in on_load")
        """,
    )
    with pytest.raises(RuntimeError, match="boom in on_load"):
        create_app()


def test_hooks_taking_a_parameter_get_the_real_application_not_the_proxy(app_tree) -> None:
    app_tree.bundle(
        "app",
        __init__="""
        import weakref

        SEEN = []
        APPS = weakref.WeakKeyDictionary()  # as Flask-SQLAlchemy keeps them

        def on_register(app):
            SEEN.append(("register", app))
            APPS[app] = "registered"

        def on_load(application):
            SEEN.append(("load", application))
        """,
    )
    app = create_app()
    import app as package

    assert [("register", app), ("load", app)] == package.SEEN
    assert all(type(seen) is Flask for _, seen in package.SEEN)
    assert package.APPS[app] == "registered"


@pytest.mark.parametrize(
    "signature", ["app=None", "*args", "app, /", "app, extra=1", "*args, **kwargs"]
)
def test_hooks_that_accept_one_positional_argument_get_the_application(app_tree, signature) -> None:
    app_tree.bundle(
        "app",
        __init__=f"""
        SEEN = []

        def on_load({signature}):
            SEEN.append(locals())
        """,
    )
    app = create_app()
    import app as package

    assert app in package.SEEN[0].values() or (app,) in package.SEEN[0].values()


@pytest.mark.parametrize(
    ("hook", "signature"),
    [
        ("on_load", "app, db"),
        ("on_register", "*, app"),
        ("on_load", "app, /, db, *, x"),
    ],
)
def test_a_hook_that_cannot_take_the_application_is_a_bundle_error_naming_it(
    app_tree, hook, signature
) -> None:
    app_tree.bundle("app", __init__="REQUIRES = ['shop']")
    app_tree.bundle("shop", __init__=f"def {hook}({signature}):\n    raise AssertionError")
    with pytest.raises(BundleError) as caught:
        create_app()
    assert str(caught.value) == (
        f"{hook} of bundle 'shop' must take the application as its one parameter,"
        f" or no parameter: it is {hook}({signature})"
    )


def test_a_hook_that_is_not_a_function_is_a_bundle_error(app_tree) -> None:
    app_tree.bundle("app", __init__="on_load = 'not callable'")
    with pytest.raises(BundleError) as caught:
        create_app()
    assert str(caught.value) == "on_load of bundle 'app' must be a function, not str"


@pytest.mark.parametrize(
    ("init", "message"),
    [
        (
            "async def on_load(app):\n    pass",
            "on_load of bundle 'app' must be a plain function, not async",
        ),
        (
            "import time\non_load = time.time",
            "on_load of bundle 'app' must be a function whose parameters can be read",
        ),
    ],
    ids=["async", "builtin"],
)
def test_a_hook_that_cannot_be_called_plainly_is_a_bundle_error(app_tree, init, message) -> None:
    app_tree.bundle("app", __init__=init)
    with pytest.raises(BundleError) as caught:
        create_app()
    assert str(caught.value) == message


def test_a_decorated_hook_is_called_as_its_wrapper_takes_it(app_tree) -> None:
    """``functools.wraps`` copies the signature; the wrapper's own is what runs."""
    app_tree.bundle(
        "app",
        __init__="""
        import functools

        SEEN = []

        def no_argument(hook):
            @functools.wraps(hook)
            def wrapper():
                return hook("from the wrapper")
            return wrapper

        @no_argument
        def on_load(app):
            SEEN.append(app)
        """,
    )
    create_app()
    import app as package

    assert package.SEEN == ["from the wrapper"]


def test_a_type_error_raised_inside_a_hook_is_the_hooks_own(app_tree) -> None:
    app_tree.bundle(
        "app",
        __init__="""
        def on_load(app):
            len(5)
        """,
    )
    with pytest.raises(TypeError, match="has no len"):
        create_app()


def test_on_load_finds_its_own_blueprint_registered_with_its_routes(app_tree) -> None:
    app_tree.bundle(
        "api",
        __init__="""
        SEEN = {}

        def on_load(app):
            blueprint = app.blueprints["api"]
            SEEN["name"] = blueprint.name
            SEEN["rules"] = sorted(
                r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")
            )
        """,
        views="""
        from ampho import route

        @route("/ping", methods=["POST"])
        def ping():
            return "pong"
        """,
    )
    app_tree.bundle("app", __init__="REQUIRES = ['api']")
    create_app()
    import api

    assert api.SEEN == {"name": "api", "rules": ["/ping"]}


@pytest.mark.parametrize(
    ("hooked", "module"),
    [
        ("app", "from ampho import route\n\n@route('/late')\ndef late():\n    return 'late'\n"),
        (
            "app",
            "from ampho.cli import command\n\n@command('late')\ndef late():\n    pass\n",
        ),
        # Another bundle's hook importing it: still after app was registered.
        ("shop", "from ampho import route\n\n@route('/late')\ndef late():\n    return 'late'\n"),
    ],
    ids=["route", "command", "from-another-bundles-hook"],
)
def test_routes_or_commands_a_hook_imports_late_are_a_bundle_error(
    app_tree, hooked, module
) -> None:
    """They would be missing from this app and present in the next one."""
    hook = "def on_load(application):\n    import app.tools\n"
    app_tree.write(
        {
            "app/tools.py": module,
            "app/__init__.py": hook if hooked == "app" else "",
            "shop/__init__.py": "REQUIRES = ['app']\n" + (hook if hooked == "shop" else ""),
        }
    )
    with pytest.raises(BundleError) as caught:
        create_app("shop")
    assert str(caught.value) == (
        "module 'app.tools' of bundle 'app' declared routes or commands while a hook ran,"
        " after the bundle was registered: import it from app.views or app.commands instead"
    )


def test_a_hook_may_import_a_module_that_declares_nothing(app_tree) -> None:
    app_tree.write({"app/helpers.py": "VALUE = 1\n"})
    app_tree.bundle("app", __init__="def on_load(app):\n    from . import helpers\n")
    assert names(create_app()) == ["app"]


# --- the blueprint of a bundle -------------------------------------------------


def test_each_bundle_is_a_blueprint_named_after_it_with_its_routes(app_tree) -> None:
    app_tree.bundle(
        "app",
        __init__="REQUIRES = ['blog']",
        views="""
        from flask import url_for
        from ampho import route

        @route("/")
        def home():
            return url_for("blog.post", slug="hi")
        """,
    )
    app_tree.bundle(
        "blog",
        views="""
        from ampho import route

        @route("/post/<slug>")
        def post(slug):
            return "post " + slug
        """,
    )
    app = create_app()
    assert app.blueprints["blog"].name == "blog"
    assert app.blueprints["app"].name == "app"
    rules = {rule.endpoint: rule.rule for rule in app.url_map.iter_rules()}
    assert rules["app.home"] == "/"
    assert rules["blog.post"] == "/post/<slug>"
    client = app.test_client()
    assert client.get("/").text == "/post/hi"
    assert client.get("/post/hi").text == "post hi"


def test_url_prefix_of_a_bundle_prefixes_its_rules(app_tree) -> None:
    app_tree.bundle("app", __init__="REQUIRES = ['blog']")
    app_tree.bundle(
        "blog",
        __init__="URL_PREFIX = '/blog'",
        views="""
        from ampho import route

        @route("/")
        def index():
            return "blog index"

        @route("/<int:year>")
        def year(year):
            return f"year {year}"
        """,
    )
    app = create_app()
    rules = {rule.endpoint: rule.rule for rule in app.url_map.iter_rules()}
    assert rules["blog.index"] == "/blog/"
    assert rules["blog.year"] == "/blog/<int:year>"
    client = app.test_client()
    assert client.get("/blog/").text == "blog index"
    assert client.get("/blog/2024").text == "year 2024"
    assert client.get("/2024").status_code == 404


SUBDOMAIN_TREE = {
    "app/__init__.py": "REQUIRES = ['api']\n",
    "app/views.py": """
        from ampho import route

        @route("/")
        def home():
            return "www home"
        """,
    "api/__init__.py": "SUBDOMAIN = 'api'\n",
    "api/views.py": """
        from ampho import route

        @route("/")
        def index():
            return "api index"
        """,
}


def test_subdomain_of_a_bundle_is_given_to_its_rules(app_tree) -> None:
    app_tree.write(SUBDOMAIN_TREE)
    app = create_app(config={"SERVER_NAME": "example.test"})
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    assert rules["api.index"].subdomain == "api"
    assert rules["app.home"].subdomain == ""
    with app.app_context():
        from flask import url_for

        assert url_for("api.index") == "http://api.example.test/"


def test_a_request_to_the_subdomain_reaches_the_subdomain_bundle(app_tree) -> None:
    app_tree.write(SUBDOMAIN_TREE)
    app = create_app(config={"SERVER_NAME": "example.test"})
    client = app.test_client()
    assert client.get("/", base_url="http://example.test/").text == "www home"
    response = client.get("/", base_url="http://api.example.test/")
    assert (response.status_code, response.text) == (200, "api index")
