"""A first check of the factory on a real package tree (more in test_app.py)."""

from __future__ import annotations


def test_two_bundles_each_render_their_own_index(app_tree) -> None:
    app_tree.bundle(
        "blog",
        views="""
        from ampho import render, route

        @route("/blog")
        def index():
            return render("index.html")
    """,
    )
    app_tree.write({"blog/tpl/index.html": "blog {{ _bundle.name }}"})
    app_tree.bundle(
        "app",
        __init__="REQUIRES = ['blog']",
        views="""
        from ampho import render, route

        @route("/")
        def index():
            return render("index.html")
    """,
    )
    app_tree.write({"app/tpl/index.html": "app {{ _bundle.name }}"})
    app = app_tree.create_app()
    client = app.test_client()
    assert client.get("/").data == b"app app"
    assert client.get("/blog").data == b"blog blog"
    assert [b.name for b in app.extensions["ampho"].bundles] == ["blog", "app"]
