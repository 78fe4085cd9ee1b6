"""``ampho.route``: views bound to the bundle that defines them, and static files."""

from __future__ import annotations

import importlib
import os
import sys

import pytest
from flask import url_for
from werkzeug.routing import BuildError

BLOG_VIEWS = """
    from ampho import route

    @route("/post/<int:post_id>")
    def post(post_id):
        return f"post {post_id} {type(post_id).__name__}"

    @route("/comment", methods=["POST"])
    def comment():
        return "commented"

    @route("/feed", endpoint="atom")
    def feed():
        return "feed"

    @route("/about/", strict_slashes=False)
    def about():
        return "about"

    @route("/strict/")
    def strict():
        return "strict"

    @route("/page/", defaults={"number": 1})
    @route("/page/<int:number>")
    def page(number):
        return f"page {number}"
"""


def blog_and_app(app_tree, blog_init: str = "", app_views: str | None = None) -> None:
    app_tree.bundle("blog", __init__=blog_init, views=BLOG_VIEWS)
    app_tree.bundle(
        "app",
        __init__="REQUIRES = ['blog']",
        views=app_views
        or """
        from ampho import route

        @route("/")
        def home():
            return "home"
    """,
    )


# -- route options, as for Flask ---------------------------------------------


def test_variable_rule_converts_the_value(app_tree) -> None:
    blog_and_app(app_tree)
    client = app_tree.create_app().test_client()
    assert client.get("/post/42").text == "post 42 int"
    assert client.get("/post/abc").status_code == 404


def test_methods_post_accepts_post_and_refuses_get(app_tree) -> None:
    blog_and_app(app_tree)
    client = app_tree.create_app().test_client()
    assert client.post("/comment").text == "commented"
    assert client.get("/comment").status_code == 405


def test_endpoint_option_names_the_endpoint_within_the_bundle(app_tree) -> None:
    blog_and_app(app_tree)
    app = app_tree.create_app()
    assert "blog.atom" in app.view_functions
    assert "blog.feed" not in app.view_functions
    with app.test_request_context():
        assert url_for("blog.atom") == "/feed"
    assert app.test_client().get("/feed").text == "feed"


def test_strict_slashes_false_serves_the_url_without_its_slash(app_tree) -> None:
    blog_and_app(app_tree)
    client = app_tree.create_app().test_client()
    assert client.get("/about").status_code == 200
    assert client.get("/about").text == "about"
    # the default (strict) rule redirects instead
    assert client.get("/strict").status_code == 308


def test_two_routes_on_one_view_with_defaults(app_tree) -> None:
    blog_and_app(app_tree)
    client = app_tree.create_app().test_client()
    assert client.get("/page/").text == "page 1"
    assert client.get("/page/7").text == "page 7"


def test_route_returns_the_view_unchanged(app_tree) -> None:
    blog_and_app(app_tree)
    app = app_tree.create_app()
    views = sys.modules["blog.views"]
    assert views.feed() == "feed"
    assert app.view_functions["blog.atom"] is views.feed
    assert app.view_functions["blog.post"] is views.post


# -- which bundle a view belongs to --------------------------------------------


def test_endpoints_are_bundle_dot_function(app_tree) -> None:
    blog_and_app(app_tree)
    app = app_tree.create_app()
    assert app.view_functions["app.home"] is sys.modules["app.views"].home
    assert "blog.post" in app.view_functions
    assert "app.post" not in app.view_functions
    assert "blog.home" not in app.view_functions
    with app.test_request_context():
        assert url_for("app.home") == "/"
        assert url_for("blog.post", post_id=3) == "/post/3"


def test_same_function_name_in_two_bundles_gives_two_endpoints(app_tree) -> None:
    app_tree.bundle(
        "blog",
        views="""
        from ampho import route

        @route("/blog")
        def index():
            return "blog index"
    """,
    )
    app_tree.bundle(
        "app",
        __init__="REQUIRES = ['blog']",
        views="""
        from ampho import route

        @route("/")
        def index():
            return "app index"
    """,
    )
    app = app_tree.create_app()
    client = app.test_client()
    assert client.get("/").text == "app index"
    assert client.get("/blog").text == "blog index"
    with app.test_request_context():
        assert url_for("app.index") == "/"
        assert url_for("blog.index") == "/blog"


def test_relative_url_for_resolves_within_the_requests_bundle(app_tree) -> None:
    app_tree.bundle(
        "blog",
        views="""
        from flask import url_for
        from ampho import route

        @route("/blog")
        def home():
            return url_for(".home") + " " + url_for(".other")

        @route("/blog/other")
        def other():
            return "other"
    """,
    )
    app_tree.bundle(
        "app",
        __init__="REQUIRES = ['blog']",
        views="""
        from flask import url_for
        from ampho import route

        @route("/")
        def home():
            return url_for(".home")

        @route("/other")
        def other():
            return "other"
    """,
    )
    client = app_tree.create_app().test_client()
    assert client.get("/").text == "/"
    assert client.get("/blog").text == "/blog /blog/other"


VIEWS_PACKAGE = {
    "blog/__init__.py": "",
    "blog/views/__init__.py": """
        from ampho import route

        from . import admin

        @route("/posts")
        def posts():
            return "posts"
    """,
    "blog/views/admin.py": """
        from ampho import route

        @route("/admin")
        def dashboard():
            return "dashboard"
    """,
}


def test_views_package_binds_routes_of_its_submodules_to_the_bundle(app_tree) -> None:
    app_tree.write(VIEWS_PACKAGE)
    app_tree.bundle("app", __init__="REQUIRES = ['blog']")
    app = app_tree.create_app()
    client = app.test_client()
    assert client.get("/posts").text == "posts"
    assert client.get("/admin").text == "dashboard"
    assert app.view_functions["blog.dashboard"] is sys.modules["blog.views.admin"].dashboard
    assert app.view_functions["blog.posts"] is sys.modules["blog.views"].posts
    with app.test_request_context():
        assert url_for("blog.dashboard") == "/admin"


def test_route_in_a_helper_module_imported_by_views_belongs_to_the_bundle(app_tree) -> None:
    app_tree.bundle(
        "blog",
        helpers="""
        from ampho import route

        @route("/help")
        def help_page():
            return "help"
    """,
        views="""
        from ampho import route

        from .helpers import help_page

        @route("/blog")
        def index():
            return "index"
    """,
    )
    app_tree.bundle("app", __init__="REQUIRES = ['blog']")
    app = app_tree.create_app()
    assert app.test_client().get("/help").text == "help"
    assert app.view_functions["blog.help_page"] is sys.modules["blog.helpers"].help_page
    assert "app.help_page" not in app.view_functions


def test_url_prefix_applies_to_the_bundles_routes_only(app_tree) -> None:
    blog_and_app(app_tree, blog_init="URL_PREFIX = '/blog'")
    app = app_tree.create_app()
    client = app.test_client()
    assert client.get("/blog/post/5").text == "post 5 int"
    assert client.get("/post/5").status_code == 404
    assert client.get("/").text == "home"
    with app.test_request_context():
        assert url_for("blog.post", post_id=5) == "/blog/post/5"
        assert url_for("blog.atom") == "/blog/feed"
        assert url_for("app.home") == "/"


def test_two_apps_in_one_process_both_have_all_routes(app_tree) -> None:
    app_tree.write({**VIEWS_PACKAGE, "blog/__init__.py": "RUNS = []"})
    app_tree.write(
        {
            "blog/views/admin.py": """
            import blog
            from ampho import route

            blog.RUNS.append(__name__)

            @route("/admin")
            def dashboard():
                return "dashboard"
        """
        }
    )
    app_tree.bundle(
        "app",
        __init__="REQUIRES = ['blog']",
        views="""
        from ampho import route

        @route("/")
        def home():
            return "home"
    """,
    )
    first = app_tree.create_app()
    assert first.test_client().get("/").text == "home"
    second = app_tree.create_app()
    for app in (first, second):
        client = app.test_client()
        assert client.get("/").text == "home"
        assert client.get("/posts").text == "posts"
        assert client.get("/admin").text == "dashboard"
        assert {"app.home", "blog.posts", "blog.dashboard"} <= set(app.view_functions)
    # the modules ran once; each app registered the routes on its own blueprint
    assert sys.modules["blog"].RUNS == ["blog.views.admin"]
    assert first.blueprints["blog"] is not second.blueprints["blog"]


def test_routes_of_a_forgotten_module_are_not_registered_again(app_tree) -> None:
    """A bundle imported anew (its modules dropped from sys.modules, as the
    app_tree fixture and reloaders do) contributes only its new routes, even
    while the old module object is still referenced somewhere."""
    blog_and_app(app_tree)
    app_tree.create_app()
    forgotten = sys.modules["blog.views"]
    for name in [n for n in sys.modules if n.split(".")[0] in ("app", "blog")]:
        del sys.modules[name]
    app_tree.bundle(
        "blog",
        views="""
        from ampho import route

        @route("/new/<int:post_id>")
        def post(post_id):
            return f"new {post_id}"
    """,
    )
    importlib.invalidate_caches()
    app = app_tree.create_app()
    assert sys.modules["blog.views"] is not forgotten
    client = app.test_client()
    assert client.get("/new/1").text == "new 1"
    assert client.get("/post/1").status_code == 404
    assert client.get("/feed").status_code == 404
    assert "blog.atom" not in app.view_functions


# -- static files ---------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(32))


def static_tree(app_tree, blog_init: str = "") -> None:
    app_tree.bundle(
        "blog",
        __init__=blog_init,
        views="""
        from flask import url_for
        from ampho import route

        @route("/where")
        def where():
            return url_for(".static", filename="site.css")
    """,
    )
    app_tree.write(
        {
            "blog/static/site.css": "body { color: red }\n",
            "blog/static/js/app.js": "console.log(1);\n",
            "blog/static/logo.png": PNG,
        }
    )
    app_tree.bundle("app", __init__="REQUIRES = ['blog']")


def test_static_file_is_served_with_content_and_mimetype(app_tree) -> None:
    static_tree(app_tree)
    client = app_tree.create_app().test_client()
    css = client.get("/static/blog/site.css")
    assert css.status_code == 200
    assert css.text == "body { color: red }\n"
    assert css.mimetype == "text/css"
    js = client.get("/static/blog/js/app.js")
    assert js.status_code == 200
    assert js.text == "console.log(1);\n"
    assert js.mimetype == "text/javascript"
    png = client.get("/static/blog/logo.png")
    assert png.data == PNG
    assert png.mimetype == "image/png"
    for response in (css, js, png):
        response.close()


def test_missing_static_file_is_404(app_tree) -> None:
    static_tree(app_tree)
    client = app_tree.create_app().test_client()
    assert client.get("/static/blog/nope.css").status_code == 404
    assert client.get("/static/blog/js").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/static/blog/../app/__init__.py",
        "/static/blog/../__init__.py",
        "/static/blog/..%2f__init__.py",
        "/static/blog/%2e%2e/views.py",
        "/static/blog/js/../../views.py",
    ],
)
def test_static_path_traversal_is_404(app_tree, url) -> None:
    static_tree(app_tree)
    response = app_tree.create_app().test_client().get(url)
    assert response.status_code == 404
    assert b"import" not in response.data
    assert b"url_for" not in response.data


def test_url_for_bundle_static_builds_the_static_url(app_tree) -> None:
    static_tree(app_tree)
    app = app_tree.create_app()
    with app.test_request_context():
        assert url_for("blog.static", filename="site.css") == "/static/blog/site.css"
        assert url_for("blog.static", filename="js/app.js") == "/static/blog/js/app.js"
    # ".static" inside the bundle's request means the bundle's static
    assert app.test_client().get("/where").text == "/static/blog/site.css"


def test_url_prefix_does_not_move_static_files(app_tree) -> None:
    static_tree(app_tree, blog_init="URL_PREFIX = '/blog'")
    app = app_tree.create_app()
    client = app.test_client()
    assert client.get("/blog/where").text == "/static/blog/site.css"
    response = client.get("/static/blog/site.css")
    assert response.text == "body { color: red }\n"
    response.close()
    assert client.get("/blog/static/blog/site.css").status_code == 404
    with app.test_request_context():
        assert url_for("blog.static", filename="site.css") == "/static/blog/site.css"


def test_bundle_without_static_folder_has_no_static_rule(app_tree) -> None:
    static_tree(app_tree)
    app = app_tree.create_app()
    assert "blog.static" in app.view_functions
    assert "app.static" not in app.view_functions
    assert not [r for r in app.url_map.iter_rules() if r.rule.startswith("/static/app")]
    with app.test_request_context(), pytest.raises(BuildError):
        url_for("app.static", filename="x.css")
    assert app.test_client().get("/static/app/__init__.py").status_code == 404


def test_the_entry_bundles_static_folder_is_flasks_static_endpoint(app_tree) -> None:
    """``url_for("static")``, in every Flask template, serves the entry's static/."""
    static_tree(app_tree)
    app_tree.write(
        {
            "app/static/site.css": "app css",
            "app/tpl/page.html": "{{ url_for('static', filename='site.css') }}",
            "app/views.py": """
            from ampho import render, route

            @route("/page")
            def page():
                return render("page.html")
            """,
        }
    )
    app = app_tree.create_app()
    assert app.static_folder == str(app_tree.root / "app" / "static")
    assert app.has_static_folder
    client = app.test_client()
    assert client.get("/page").text == "/static/site.css"
    for url in ("/static/site.css", "/static/app/site.css"):
        response = client.get(url)
        assert response.text == "app css", url
        response.close()
    # A bundle's static rule still wins over Flask's for its own prefix.
    response = client.get("/static/blog/site.css")
    assert response.text == "body { color: red }\n"
    response.close()
    with app.test_request_context():
        assert url_for("app.static", filename="site.css") == "/static/app/site.css"


def test_without_an_entry_static_folder_static_answers_404_as_in_flask(app_tree) -> None:
    """Flask adds its static rule whether the folder exists or not."""
    static_tree(app_tree)
    app = app_tree.create_app()
    assert not os.path.isdir(app.static_folder or "")
    with app.test_request_context():
        assert url_for("static", filename="site.css") == "/static/site.css"
    assert app.test_client().get("/static/site.css").status_code == 404
