"""The application overrides a bundle's static files: ``<entry>/static/<bundle>/<file>``
is served at ``/static/<bundle>/<file>`` in place of the bundle's ``static/<file>``.

Most tests use Flask's test client; one serves the application with
``ampho run`` on a free port of 127.0.0.1 and asks it over HTTP.
"""

from __future__ import annotations

import pytest
from flask import url_for
from processes import AMPHO, free_port, request, server_environment, serving, write_tree
from werkzeug.routing import BuildError

BLOG_CSS = "/* blog's own */\n"
BLOG_JS = "/* blog's script */\n"
APP_CSS = "/* the application's blog.css */\n"

FILES = {
    "blog/__init__.py": "",
    "blog/static/blog.css": BLOG_CSS,
    "blog/static/js/blog.js": BLOG_JS,
    "blog/tpl/post.html": "<link href=\"{{ url_for('blog.static', filename='blog.css') }}\">",
    "blog/views.py": """
        from ampho import render, route

        @route("/post")
        def post():
            return render("post.html")
    """,
    "app/__init__.py": "REQUIRES = ['blog']",
    "app/views.py": "import os  # never served\n",
    "app/static/blog/blog.css": APP_CSS,
    "app/tpl/blog/post.html": '{% extends "blog:!post.html" %}',
}


def text(client, url: str) -> tuple[int, str]:
    """The status and text of a GET, the response closed."""
    response = client.get(url)
    try:
        return response.status_code, response.text
    finally:
        response.close()


def test_an_override_is_served_in_place_of_the_bundles_file(app_tree) -> None:
    app_tree.write(FILES)
    app = app_tree.create_app()
    client = app.test_client()
    assert text(client, "/static/blog/blog.css") == (200, APP_CSS)
    response = client.get("/static/blog/blog.css")
    assert response.mimetype == "text/css"
    response.close()
    with app.test_request_context():
        assert url_for("blog.static", filename="blog.css") == "/static/blog/blog.css"
    assert client.get("/post").text == '<link href="/static/blog/blog.css">'


def test_a_file_the_application_does_not_override_comes_from_the_bundle(app_tree) -> None:
    app_tree.write(FILES)
    client = app_tree.create_app().test_client()
    assert text(client, "/static/blog/js/blog.js") == (200, BLOG_JS)
    assert client.get("/static/blog/nope.css").status_code == 404


def test_without_overrides_the_bundles_files_are_served(app_tree) -> None:
    app_tree.write({name: body for name, body in FILES.items() if "app/static" not in name})
    client = app_tree.create_app().test_client()
    assert text(client, "/static/blog/blog.css") == (200, BLOG_CSS)


def test_an_override_added_while_the_app_runs_is_served(app_tree) -> None:
    app_tree.write({name: body for name, body in FILES.items() if "app/static" not in name})
    client = app_tree.create_app().test_client()
    assert text(client, "/static/blog/blog.css") == (200, BLOG_CSS)
    app_tree.write({"app/static/blog/blog.css": APP_CSS})
    assert text(client, "/static/blog/blog.css") == (200, APP_CSS)


@pytest.mark.parametrize(
    "url",
    [
        "/static/blog/../app/views.py",
        "/static/blog/..%2fviews.py",
        "/static/blog/..%2f..%2fviews.py",
        "/static/blog/%2e%2e/%2e%2e/app/views.py",
        "/static/blog/js/../../../app/views.py",
        "/static/blog/%2fetc%2fpasswd",
    ],
)
def test_path_traversal_from_the_override_folder_is_404(app_tree, url) -> None:
    app_tree.write(FILES)
    response = app_tree.create_app().test_client().get(url)
    assert response.status_code == 404
    assert b"never served" not in response.data
    assert b"root:" not in response.data


def test_overrides_of_a_bundle_without_a_static_folder_are_served(app_tree) -> None:
    app_tree.write(
        {
            "blog/__init__.py": "",
            "shop/__init__.py": "",
            "app/__init__.py": "REQUIRES = ['blog', 'shop']",
            "app/static/blog/blog.css": APP_CSS,
        }
    )
    app = app_tree.create_app()
    client = app.test_client()
    assert text(client, "/static/blog/blog.css") == (200, APP_CSS)
    assert client.get("/static/blog/nope.css").status_code == 404
    with app.test_request_context():
        assert url_for("blog.static", filename="blog.css") == "/static/blog/blog.css"
        # Neither a static/ nor overrides: no rule, as before.
        with pytest.raises(BuildError):
            url_for("shop.static", filename="shop.css")


def test_the_entry_bundle_does_not_override_its_own_static_files(app_tree) -> None:
    """``app/static/app/`` is a folder of app's static/, served below it."""
    app_tree.write(
        {
            "app/__init__.py": "",
            "app/static/site.css": "own",
            "app/static/app/site.css": "a subfolder",
        }
    )
    client = app_tree.create_app().test_client()
    assert text(client, "/static/app/site.css") == (200, "own")
    assert text(client, "/static/app/app/site.css") == (200, "a subfolder")


def test_a_served_application_sends_the_override_and_the_bundles_files(tmp_path) -> None:
    """``ampho run``, asked over HTTP, as a browser asks for a page's stylesheet."""
    root = write_tree(tmp_path / "root", FILES)
    port = free_port()
    command = [*AMPHO, "run", "--no-reload", "--host", "127.0.0.1", "--port", str(port)]
    env = server_environment(tmp_path / "home")
    with serving(command, root, port, env, tmp_path / "server.log"):
        page = request(port, "/post")
        assert page.status == 200, page.text
        assert page.text == '<link href="/static/blog/blog.css">'
        css = request(port, "/static/blog/blog.css")
        assert (css.status, css.text) == (200, APP_CSS)
        assert css.headers.get_content_type() == "text/css"
        js = request(port, "/static/blog/js/blog.js")
        assert (js.status, js.text) == (200, BLOG_JS)
        for url in ("/static/blog/..%2fviews.py", "/static/blog/%2e%2e/%2e%2e/app/views.py"):
            refused = request(port, url)
            assert refused.status == 404, url
            assert "never served" not in refused.text
