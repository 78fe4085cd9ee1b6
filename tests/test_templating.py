"""``ampho.render`` and bundle templates: each bundle's ``tpl/`` is its own namespace."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

import pytest
from jinja2 import TemplateNotFound, TemplatesNotFound

from ampho import render


def two_bundles(app_tree, blog_views: str, app_views: str, files: dict[str, str]) -> None:
    """``blog`` and the entry bundle ``app`` requiring it, with templates."""
    app_tree.bundle("blog", views=blog_views)
    app_tree.bundle("app", __init__="REQUIRES = ['blog']", views=app_views)
    app_tree.write(files)


def views(*routes: tuple[str, str]) -> str:
    """A views module: one route per ``(rule, expression)``, named v0, v1..."""
    lines = ["from flask import g, request, session", "from ampho import render, route", ""]
    for number, (rule, expression) in enumerate(routes):
        lines += [f"@route({rule!r})", f"def v{number}():", f"    return {expression}", ""]
    return "\n".join(lines)


# -- the calling bundle's templates first ------------------------------------------


def test_each_bundle_renders_its_own_template_of_the_same_name(app_tree) -> None:
    two_bundles(
        app_tree,
        views(("/blog", "render('index.html', who='b')")),
        views(("/", "render('index.html', who='a')")),
        {
            "blog/tpl/index.html": "blog index {{ who }} {{ _bundle.name }}",
            "app/tpl/index.html": "app index {{ who }} {{ _bundle.name }}",
        },
    )
    client = app_tree.create_app().test_client()
    assert client.get("/").text == "app index a app"
    assert client.get("/blog").text == "blog index b blog"


def test_bundle_in_context_is_the_calling_bundles_object(app_tree) -> None:
    two_bundles(
        app_tree,
        views(("/blog", "render('who.html')")),
        views(("/", "render('who.html')")),
        {"blog/tpl/who.html": "{{ _bundle.name }} {{ _bundle.requires | join(',') }}"},
    )
    app = app_tree.create_app()
    client = app.test_client()
    assert client.get("/blog").text == "blog "
    # app has no who.html: blog's is used, but the calling bundle is still app
    assert client.get("/").text == "app blog"


def test_bundle_in_context_is_the_same_object_as_in_app_state(app_tree) -> None:
    two_bundles(
        app_tree,
        views(("/blog", "render('id.html')")),
        views(),
        {"blog/tpl/id.html": "{{ object_id(_bundle) }}"},
    )
    app = app_tree.create_app()
    app.jinja_env.globals["object_id"] = id
    blog = app.extensions["ampho"].bundle("blog")
    assert app.test_client().get("/blog").text == str(id(blog))


def test_render_from_a_views_package_submodule_uses_its_bundles_templates(app_tree) -> None:
    app_tree.write(
        {
            "blog/__init__.py": "",
            "blog/views/__init__.py": "from . import admin",
            "blog/views/admin.py": """
            from ampho import render, route

            @route("/admin")
            def dashboard():
                return render("index.html")
        """,
            "blog/tpl/index.html": "blog index {{ _bundle.name }}",
            "app/__init__.py": "REQUIRES = ['blog']",
            "app/tpl/index.html": "app index",
        }
    )
    assert app_tree.create_app().test_client().get("/admin").text == "blog index blog"


def test_render_from_a_bundle_helper_module_uses_that_bundles_templates(app_tree) -> None:
    app_tree.bundle(
        "blog",
        helpers="""
        from ampho import render

        def widget():
            return render("widget.html")
    """,
    )
    app_tree.bundle(
        "app",
        __init__="REQUIRES = ['blog']",
        views="""
        from ampho import route
        from blog.helpers import widget

        @route("/")
        def home():
            return "[" + widget() + "]"
    """,
    )
    app_tree.write(
        {
            "blog/tpl/widget.html": "blog widget {{ _bundle.name }}",
            "app/tpl/widget.html": "app widget",
        }
    )
    app = app_tree.create_app()
    assert app.test_client().get("/").text == "[blog widget blog]"
    # outside a request too, in an application context
    with app.app_context():
        assert sys.modules["blog.helpers"].widget() == "blog widget blog"


def test_render_accepts_a_list_and_uses_the_first_found(app_tree) -> None:
    two_bundles(
        app_tree,
        views(
            ("/blog/1", "render(['missing.html', 'second.html', 'third.html'])"),
            ("/blog/2", "render(['third.html', 'second.html'])"),
        ),
        views(),
        {
            "blog/tpl/second.html": "blog second {{ _bundle.name }}",
            "blog/tpl/third.html": "blog third",
            "app/tpl/second.html": "app second",
        },
    )
    client = app_tree.create_app().test_client()
    assert client.get("/blog/1").text == "blog second blog"
    assert client.get("/blog/2").text == "blog third"


def test_render_list_of_only_missing_templates_names_them_all(app_tree) -> None:
    two_bundles(
        app_tree,
        views(("/blog", "render(['nope.html', 'blog:gone.html'])")),
        views(),
        {"blog/tpl/index.html": "x"},
    )
    client = app_tree.create_app().test_client()
    with pytest.raises(TemplatesNotFound) as caught:
        client.get("/blog")
    assert caught.value.templates == ["nope.html", "blog:gone.html"]
    assert isinstance(caught.value, TemplateNotFound)


def test_render_template_in_a_subdirectory_of_the_calling_bundle(app_tree) -> None:
    two_bundles(
        app_tree,
        views(("/blog", "render('posts/show.html')")),
        views(("/", "render('posts/show.html')")),
        {
            "blog/tpl/posts/show.html": "blog show",
            "app/tpl/posts/show.html": "app show",
        },
    )
    client = app_tree.create_app().test_client()
    assert client.get("/blog").text == "blog show"
    assert client.get("/").text == "app show"


def test_html_templates_are_autoescaped(app_tree) -> None:
    two_bundles(
        app_tree,
        views(("/blog", "render('page.html', x='<b>')"), ("/txt", "render('page.txt', x='<b>')")),
        views(("/", "render('blog:page.html', x='<b>')")),
        {"blog/tpl/page.html": "{{ x }}", "blog/tpl/page.txt": "{{ x }}"},
    )
    client = app_tree.create_app().test_client()
    assert client.get("/blog").text == "&lt;b&gt;"
    assert client.get("/").text == "&lt;b&gt;"
    assert client.get("/txt").text == "<b>"


# -- naming another bundle's template ----------------------------------------------


def test_bundle_colon_name_renders_another_bundles_template(app_tree) -> None:
    two_bundles(
        app_tree,
        views(("/blog", "render('app:post.html')")),
        views(("/", "render('blog:post.html')")),
        {
            "blog/tpl/post.html": "blog post {{ _bundle.name }}",
            "app/tpl/post.html": "app post {{ _bundle.name }}",
        },
    )
    client = app_tree.create_app().test_client()
    assert client.get("/").text == "blog post app"
    assert client.get("/blog").text == "app post blog"


def test_extends_and_include_with_bundle_names(app_tree) -> None:
    app_tree.bundle("layout")
    app_tree.bundle("blog", __init__="REQUIRES = ['layout']")
    app_tree.bundle(
        "app", __init__="REQUIRES = ['layout', 'blog']", views=views(("/", "render('home.html')"))
    )
    app_tree.write(
        {
            "layout/tpl/base.html": "<{% block body %}base{% endblock %}>",
            "blog/tpl/card.html": "card of blog",
            "app/tpl/card.html": "card of app",
            "app/tpl/home.html": (
                '{% extends "layout:base.html" %}'
                '{% block body %}home, {% include "blog:card.html" %}{% endblock %}'
            ),
        }
    )
    assert app_tree.create_app().test_client().get("/").text == "<home, card of blog>"


def test_plain_include_in_a_bundle_template_is_that_bundles_own(app_tree) -> None:
    two_bundles(
        app_tree,
        views(("/blog", "render('post.html')")),
        views(("/", "render('blog:post.html')")),
        {
            "blog/tpl/post.html": '{% include "card.html" %}',
            "blog/tpl/card.html": "blog card",
            "app/tpl/card.html": "app card",
        },
    )
    client = app_tree.create_app().test_client()
    assert client.get("/blog").text == "blog card"
    assert client.get("/").text == "blog card"


def test_plain_include_in_a_bundle_template_reached_by_fallback(app_tree) -> None:
    """app has no post.html: render("post.html") from app falls back to blog's,
    and inside blog's template "card.html" still means blog's own card."""
    two_bundles(
        app_tree,
        views(),
        views(("/", "render('post.html')")),
        {
            "blog/tpl/post.html": 'blog post: {% include "card.html" %}',
            "blog/tpl/card.html": "blog card",
            "app/tpl/card.html": "app card",
        },
    )
    assert app_tree.create_app().test_client().get("/").text == "blog post: blog card"


def test_plain_names_inside_an_extended_bundle_template_are_its_own(app_tree) -> None:
    app_tree.bundle("layout")
    app_tree.bundle(
        "app", __init__="REQUIRES = ['layout']", views=views(("/", "render('home.html')"))
    )
    app_tree.write(
        {
            "layout/tpl/base.html": (
                '{% include "nav.html" %}|{% from "macros.html" import m %}{{ m() }}|'
                "{% block body %}{% endblock %}"
            ),
            "layout/tpl/nav.html": "layout nav",
            "layout/tpl/macros.html": "{% macro m() %}layout macro{% endmacro %}",
            "app/tpl/nav.html": "app nav",
            "app/tpl/macros.html": "{% macro m() %}app macro{% endmacro %}",
            "app/tpl/home.html": (
                '{% extends "layout:base.html" %}{% block body %}'
                '{% include "nav.html" %}{% endblock %}'
            ),
        }
    )
    # base's plain names are layout's; home's plain include is app's
    assert app_tree.create_app().test_client().get("/").text == "layout nav|layout macro|app nav"


def test_plain_name_missing_in_caller_falls_back_to_entry_bundle_first(app_tree) -> None:
    app_tree.bundle("blog")
    app_tree.bundle(
        "shop",
        views=views(("/shop/1", "render('shared.html')"), ("/shop/2", "render('only_blog.html')")),
    )
    app_tree.bundle("app", __init__="REQUIRES = ['blog', 'shop']")
    app_tree.write(
        {
            "blog/tpl/shared.html": "blog shared",
            "blog/tpl/only_blog.html": "blog only {{ _bundle.name }}",
            "app/tpl/shared.html": "app shared",
            "shop/tpl/other.html": "shop other",
        }
    )
    client = app_tree.create_app().test_client()
    assert client.get("/shop/1").text == "app shared"
    assert client.get("/shop/2").text == "blog only shop"


def test_plain_include_missing_in_bundle_falls_back_to_entry_bundle(app_tree) -> None:
    two_bundles(
        app_tree,
        views(("/blog", "render('post.html')")),
        views(),
        {
            "blog/tpl/post.html": '{% extends "base.html" %}{% block b %}post{% endblock %}',
            "app/tpl/base.html": "app base [{% block b %}{% endblock %}]",
        },
    )
    assert app_tree.create_app().test_client().get("/blog").text == "app base [post]"


# -- missing templates -------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["nope.html", "blog:nope.html", "app:index.html", "ghost:index.html"]
)
def test_missing_template_raises_template_not_found_naming_it(app_tree, name) -> None:
    two_bundles(
        app_tree,
        views(("/blog", f"render({name!r})")),
        views(),
        {"blog/tpl/index.html": "blog index"},
    )
    client = app_tree.create_app().test_client()
    with pytest.raises(TemplateNotFound) as caught:
        client.get("/blog")
    assert caught.value.name == name
    assert name in str(caught.value)


def test_missing_include_raises_template_not_found_naming_it(app_tree) -> None:
    two_bundles(
        app_tree,
        views(("/blog", "render('post.html')")),
        views(),
        {"blog/tpl/post.html": '{% include "absent.html" %}'},
    )
    with pytest.raises(TemplateNotFound) as caught:
        app_tree.create_app().test_client().get("/blog")
    assert caught.value.name == "absent.html"


@pytest.mark.parametrize(
    "name", ["../views.py", "blog:../views.py", "blog:!../views.py", "../../app/views.py"]
)
def test_template_name_cannot_leave_the_tpl_folder(app_tree, name) -> None:
    two_bundles(
        app_tree,
        views(("/blog", f"render({name!r})")),
        views(),
        {"blog/tpl/index.html": "blog index"},
    )
    with pytest.raises(TemplateNotFound):
        app_tree.create_app().test_client().get("/blog")


# -- Flask's own template search, after the bundles ------------------------------

BLUEPRINT_HOOK = """
from flask import Blueprint, render_template

REQUIRES = {requires!r}

shop = Blueprint("shop", __name__, template_folder="shop_templates", url_prefix="/shop")


@shop.route("/")
def index():
    return render_template("shop/index.html")


def on_load(app):
    app.register_blueprint(shop)
"""


def test_the_app_templates_folder_is_searched_as_flask_searches_it(app_tree) -> None:
    """``templates/`` beside the entry bundle's files, Flask's default folder."""
    app_tree.bundle(
        "app",
        views="""
        from flask import render_template
        from ampho import render, route

        @route("/flask")
        def with_flask():
            return render_template("blog/update.html", title="T")

        @route("/ampho")
        def with_ampho():
            return render("blog/update.html", title="T")
        """,
    )
    app_tree.write(
        {
            "app/templates/base.html": "<base>{% block body %}{% endblock %}</base>",
            "app/templates/blog/update.html": (
                '{% extends "base.html" %}{% block body %}'
                '{{ title }}{% include "blog/_form.html" %}{% endblock %}'
            ),
            "app/templates/blog/_form.html": "<form>",
        }
    )
    client = app_tree.create_app().test_client()
    assert client.get("/flask").text == "<base>T<form></base>"
    assert client.get("/ampho").text == "<base>T<form></base>"


def test_a_blueprint_template_folder_registered_by_a_hook_is_searched(app_tree) -> None:
    app_tree.bundle("app", __init__=BLUEPRINT_HOOK.format(requires=[]))
    app_tree.write(
        {
            "app/shop_templates/shop/index.html": '{% extends "layout.html" %}',
            # A blueprint's template extends a bundle's: the bundles come first.
            "app/tpl/layout.html": "bundle layout",
        }
    )
    assert app_tree.create_app().test_client().get("/shop/").text == "bundle layout"


def test_a_bundle_template_includes_a_template_only_flask_finds(app_tree) -> None:
    two_bundles(
        app_tree,
        views(("/blog", "render('post.html')")),
        views(),
        {
            "blog/tpl/post.html": '{% include "macros.html" %}!',
            "app/templates/macros.html": "from templates/",
        },
    )
    assert app_tree.create_app().test_client().get("/blog").text == "from templates/!"


def test_on_a_clash_bundles_win_then_the_app_folder_then_blueprints(app_tree) -> None:
    app_tree.bundle(
        "app",
        __init__=BLUEPRINT_HOOK.format(requires=[]),
        views=views(("/a", "render('a.html')"), ("/b", "render('b.html')")),
    )
    app_tree.write(
        {
            "app/tpl/a.html": "tpl a",
            "app/templates/a.html": "templates a",
            "app/templates/b.html": "templates b",
            "app/shop_templates/a.html": "blueprint a",
            "app/shop_templates/b.html": "blueprint b",
            "app/shop_templates/shop/index.html": "{% include 'c.html' %}",
            "app/shop_templates/c.html": "blueprint c",
        }
    )
    client = app_tree.create_app().test_client()
    assert client.get("/a").text == "tpl a"
    assert client.get("/b").text == "templates b"
    assert client.get("/shop/").text == "blueprint c"


def test_on_a_clash_a_plain_name_from_flask_code_gets_the_bundle_template(app_tree) -> None:
    """Not qualified by ``render()``: the loader's own order decides."""
    app_tree.bundle(
        "app",
        __init__=BLUEPRINT_HOOK.format(requires=[]),
        views="""
        from flask import render_template
        from ampho import route

        @route("/plain")
        def plain():
            return render_template("a.html") + "|" + render_template("b.html")
        """,
    )
    app_tree.write(
        {
            "app/tpl/a.html": "tpl a",
            "app/templates/a.html": "templates a",
            "app/templates/b.html": "templates b",
            "app/shop_templates/b.html": "blueprint b",
            "app/shop_templates/shop/index.html": "{% extends 'a.html' %}",
        }
    )
    client = app_tree.create_app().test_client()
    assert client.get("/plain").text == "tpl a|templates b"
    assert client.get("/shop/").text == "tpl a"


def test_list_templates_lists_bundles_app_folder_and_blueprints(app_tree) -> None:
    app_tree.bundle("app", __init__=BLUEPRINT_HOOK.format(requires=[]))
    app_tree.write(
        {
            "app/tpl/page.html": "",
            "app/templates/base.html": "",
            "app/shop_templates/shop/index.html": "",
        }
    )
    listed = app_tree.create_app().jinja_env.list_templates()
    assert {"page.html", "app:page.html", "base.html", "shop/index.html"} <= set(listed)


def test_a_name_with_a_colon_that_is_no_bundle_is_flasks_to_find(app_tree) -> None:
    app_tree.bundle("app", views=views(("/", "render('ghost:page.html')")))
    app_tree.write({"app/templates/ghost:page.html": "flask's"})
    assert app_tree.create_app().test_client().get("/").text == "flask's"


def test_a_name_no_folder_holds_is_template_not_found_naming_it(app_tree) -> None:
    app_tree.bundle("app", __init__=BLUEPRINT_HOOK.format(requires=[]))
    app_tree.write({"app/templates/base.html": ""})
    with pytest.raises(TemplateNotFound) as caught:
        app_tree.create_app().test_client().get("/shop/")
    assert caught.value.name == "shop/index.html"


# -- the application's overrides of a bundle's templates -----------------------------

#: blog's templates, each using post.html in another way.
BLOG_TEMPLATES = {
    "blog/tpl/post.html": (
        "<h1>{% block title %}Post{% endblock %}</h1>{% block body %}{% endblock %}"
    ),
    "blog/tpl/list.html": "[{% include 'post.html' %}]",
    "blog/tpl/page.html": "{% extends 'post.html' %}{% block body %}page{% endblock %}",
}

#: Every way a template of blog's is reached: from blog's code by its plain name,
#: by its qualified name, by include and extends inside blog's templates, and by
#: Flask's render_template with the plain name.
BLOG_ROUTES = views(("/blog/post", "render('post.html')"), ("/blog/list", "render('list.html')"))
APP_ROUTES = "from flask import render_template\n" + views(
    ("/post", "render('blog:post.html')"),
    ("/page", "render('blog:page.html')"),
    ("/flask", "render_template('post.html')"),
)


def override_tree(app_tree, files: dict[str, str]) -> None:
    two_bundles(app_tree, BLOG_ROUTES, APP_ROUTES, {**BLOG_TEMPLATES, **files})


def render_in(client, name: str) -> str:
    """``render(name)`` in the client's application context, outside any bundle."""
    with client.application.app_context():
        return render(name)


def test_an_override_replaces_the_bundle_template_wherever_it_is_used(app_tree) -> None:
    override_tree(app_tree, {"app/tpl/blog/post.html": "app's post"})
    client = app_tree.create_app().test_client()
    assert client.get("/blog/post").text == "app's post"
    assert client.get("/post").text == "app's post"
    assert client.get("/blog/list").text == "[app's post]"
    assert client.get("/page").text == "app's post"
    assert client.get("/flask").text == "app's post"


def test_without_an_override_the_bundle_template_is_used(app_tree) -> None:
    override_tree(app_tree, {"app/tpl/post.html": "app's own post, not an override"})
    client = app_tree.create_app().test_client()
    assert client.get("/blog/post").text == "<h1>Post</h1>"
    assert client.get("/post").text == "<h1>Post</h1>"
    assert client.get("/blog/list").text == "[<h1>Post</h1>]"
    assert client.get("/page").text == "<h1>Post</h1>page"


@pytest.mark.parametrize("folder", ["tpl", "templates"])
def test_an_override_extends_the_bundles_own_template_to_change_one_block(app_tree, folder) -> None:
    """``blog:!post.html`` skips the overrides: the override does not find itself."""
    override = '{% extends "blog:!post.html" %}{% block title %}Mine{% endblock %}'
    override_tree(app_tree, {f"app/{folder}/blog/post.html": override})
    client = app_tree.create_app().test_client()
    assert client.get("/blog/post").text == "<h1>Mine</h1>"
    assert client.get("/blog/list").text == "[<h1>Mine</h1>]"
    assert client.get("/page").text == "<h1>Mine</h1>page"


def test_the_own_template_and_the_override_are_two_templates_in_the_cache(app_tree) -> None:
    override = '{% extends "blog:!post.html" %}{% block title %}Mine{% endblock %}'
    override_tree(app_tree, {"app/tpl/blog/post.html": override})
    app = app_tree.create_app()
    with app.app_context():
        assert render("blog:post.html") == "<h1>Mine</h1>"
        assert render("blog:!post.html") == "<h1>Post</h1>"
        assert render("blog:post.html") == "<h1>Mine</h1>"
    assert app.jinja_env.get_template("blog:!post.html").filename.endswith(
        os.path.join("blog", "tpl", "post.html")
    )


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        pytest.param(["tpl", "templates"], "tpl", id="tpl-first"),
        pytest.param(["templates"], "templates", id="templates-then"),
        pytest.param([], "own", id="own-last"),
    ],
)
def test_overrides_in_tpl_then_in_templates_then_the_bundles_own(
    app_tree, overrides, expected
) -> None:
    override_tree(app_tree, {f"app/{folder}/blog/post.html": folder for folder in overrides})
    app = app_tree.create_app()
    client = app.test_client()
    text = {"tpl": "tpl", "templates": "templates", "own": "<h1>Post</h1>"}[expected]
    assert client.get("/blog/post").text == text
    assert client.get("/post").text == text
    found = {"tpl": "app/tpl/blog", "templates": "app/templates/blog", "own": "blog/tpl"}[expected]
    filename = app.jinja_env.get_template("blog:post.html").filename
    assert filename == str(app_tree.root / found / "post.html")


def test_names_inside_an_override_are_the_bundles(app_tree) -> None:
    """An override of blog:post.html that includes card.html gets blog's
    card.html, not the entry bundle's, unless that is overridden too."""
    override_tree(
        app_tree,
        {
            "blog/tpl/card.html": "blog's card",
            "blog/tpl/footer.html": "blog's footer",
            "app/tpl/card.html": "app's card",
            "app/tpl/footer.html": "app's footer",
            "app/tpl/blog/post.html": '{% include "card.html" %}+{% include "footer.html" %}',
            "app/templates/blog/footer.html": "app's footer for blog",
        },
    )
    client = app_tree.create_app().test_client()
    assert client.get("/blog/post").text == "blog's card+app's footer for blog"
    assert client.get("/post").text == "blog's card+app's footer for blog"


def test_an_override_adds_a_template_the_bundle_lacks(app_tree) -> None:
    """blog's post.html extends a layout.html it lacks: the entry bundle's,
    unless the application gives blog one of its own."""
    two_bundles(
        app_tree,
        views(("/blog", "render('post.html')"), ("/blog/extra", "render('extra.html')")),
        views(("/", "render('layout.html')")),
        {
            "blog/tpl/post.html": "{% extends 'layout.html' %}{% block b %}post{% endblock %}",
            "app/tpl/layout.html": "site [{% block b %}{% endblock %}]",
        },
    )
    assert app_tree.create_app().test_client().get("/blog").text == "site [post]"
    app_tree.write(
        {
            "app/tpl/blog/layout.html": "blog's [{% block b %}{% endblock %}]",
            "app/tpl/blog/extra.html": "extra",
        }
    )
    client = app_tree.create_app().test_client()
    assert client.get("/blog").text == "blog's [post]"
    assert client.get("/blog/extra").text == "extra"
    assert client.get("/").text == "site []"
    with pytest.raises(TemplateNotFound) as caught:
        render_in(client, "blog:!extra.html")
    assert caught.value.name == "blog:!extra.html"


def test_overrides_of_a_bundle_without_a_tpl_folder(app_tree) -> None:
    two_bundles(
        app_tree,
        views(("/blog", "render('post.html')")),
        views(),
        {"app/tpl/blog/post.html": "app's post for blog"},
    )
    client = app_tree.create_app().test_client()
    assert client.get("/blog").text == "app's post for blog"
    with pytest.raises(TemplateNotFound):
        render_in(client, "blog:!post.html")


def test_the_entry_bundle_does_not_override_itself(app_tree) -> None:
    """``app/tpl/app/`` is a subfolder of app's templates, nothing more."""
    app_tree.bundle(
        "app", views=views(("/", "render('page.html')"), ("/sub", "render('app/page.html')"))
    )
    app_tree.write(
        {
            "app/tpl/page.html": "app page",
            "app/tpl/app/page.html": "subfolder page",
            "app/templates/app/page.html": "templates page",
        }
    )
    client = app_tree.create_app().test_client()
    assert client.get("/").text == "app page"
    assert client.get("/sub").text == "subfolder page"
    assert render_in(client, "app:page.html") == "app page"
    assert render_in(client, "app:!page.html") == "app page"


def test_a_plain_name_in_an_override_of_its_own_name_is_the_override(app_tree) -> None:
    """Only ``blog:!post.html`` gets past the override: ``blog:post.html``
    inside it is itself, which Jinja refuses as any template that extends
    itself."""
    override_tree(app_tree, {"app/tpl/blog/post.html": '{% extends "blog:post.html" %}'})
    with pytest.raises(RecursionError):
        app_tree.create_app().test_client().get("/post")


@pytest.mark.parametrize("folder", ["tpl", "templates"])
def test_an_override_made_while_the_app_runs_is_used_with_auto_reload(app_tree, folder) -> None:
    override_tree(app_tree, {})
    client = app_tree.create_app(TEMPLATES_AUTO_RELOAD=True).test_client()
    assert client.get("/blog/post").text == "<h1>Post</h1>"
    assert client.get("/page").text == "<h1>Post</h1>page"
    # The override folder did not exist when the application started.
    app_tree.write({f"app/{folder}/blog/post.html": "late override"})
    assert client.get("/blog/post").text == "late override"
    assert client.get("/post").text == "late override"
    assert client.get("/page").text == "late override"
    (app_tree.root / "app" / folder / "blog" / "post.html").unlink()
    assert client.get("/blog/post").text == "<h1>Post</h1>"


def test_without_auto_reload_a_loaded_template_stays(app_tree) -> None:
    override_tree(app_tree, {})
    client = app_tree.create_app(TEMPLATES_AUTO_RELOAD=False).test_client()
    assert client.get("/post").text == "<h1>Post</h1>"
    app_tree.write({"app/tpl/blog/post.html": "late override"})
    assert client.get("/post").text == "<h1>Post</h1>"


@pytest.mark.parametrize("reload", [True, False], ids=["auto-reload", "no-reload"])
@pytest.mark.parametrize(
    ("route", "late"),
    [
        pytest.param("/blog", "blog/tpl/layout.html", id="render"),
        pytest.param("/blog/list", "blog/tpl/card.html", id="include"),
    ],
)
def test_a_template_added_while_the_app_runs_is_found_only_with_auto_reload(
    app_tree, reload, route, late
) -> None:
    """Which bundle holds a plain name is looked up once without auto-reload,
    as Jinja loads a template once: blog's own template, added later, is
    found only with auto-reload; before, the entry bundle's was used."""
    two_bundles(
        app_tree,
        views(("/blog", "render('layout.html')"), ("/blog/list", "render('list.html')")),
        views(),
        {
            "blog/tpl/list.html": "[{% include 'card.html' %}]",
            "app/tpl/layout.html": "app's",
            "app/tpl/card.html": "app's",
        },
    )
    client = app_tree.create_app(TEMPLATES_AUTO_RELOAD=reload).test_client()
    before = client.get(route).text
    assert "app's" in before
    app_tree.write({late: "blog's"})
    assert client.get(route).text == (before.replace("app's", "blog's") if reload else before)


class Counted:
    """A function that counts its calls: how often the loader looks at the folders."""

    def __init__(self, function: Callable[..., Any]) -> None:
        self.function, self.calls = function, 0

    def __call__(self, *args: Any) -> Any:
        self.calls += 1
        return self.function(*args)


@pytest.mark.parametrize("reload", [True, False], ids=["auto-reload", "no-reload"])
def test_without_auto_reload_the_folders_are_looked_at_once_a_name(app_tree, reload) -> None:
    override_tree(app_tree, {"app/tpl/blog/post.html": "app's post", "blog/tpl/card.html": ""})
    app = app_tree.create_app(TEMPLATES_AUTO_RELOAD=reload)
    loader = app.jinja_env.loader
    has_template = loader.has_template = Counted(loader.has_template)  # type: ignore[union-attr]
    client = app.test_client()
    counts = []
    for _ in range(3):
        assert client.get("/blog/list").text == "[app's post]"
        counts.append(has_template.calls)
    assert counts[0] > 0
    assert (counts[2] > counts[1] > counts[0]) if reload else (counts[2] == counts[0])


def test_what_is_remembered_is_bounded(app_tree) -> None:
    """Names made from a request's input must not grow the memory forever."""
    from ampho.app.templating import MAX_REMEMBERED

    override_tree(app_tree, {"blog/tpl/card.html": ""})
    loader = app_tree.create_app().jinja_env.loader
    for number in range(MAX_REMEMBERED + 10):
        assert loader.qualify(f"page-{number}.html", "blog", reload=False) == f"page-{number}.html"
    assert loader.qualify("card.html", "blog", reload=False) == "blog:card.html"
    assert len(loader.qualified) == MAX_REMEMBERED


@pytest.mark.parametrize("reload", [True, False], ids=["auto-reload", "no-reload"])
def test_overrides_and_own_templates_are_the_same_with_or_without_auto_reload(
    app_tree, reload
) -> None:
    """Each name is rendered twice: the second time from what was remembered."""
    override = '{% extends "blog:!post.html" %}{% block title %}Mine{% endblock %}'
    override_tree(
        app_tree,
        {"app/templates/blog/post.html": override, "app/tpl/blog/list.html": "app's list"},
    )
    client = app_tree.create_app(TEMPLATES_AUTO_RELOAD=reload).test_client()
    expected = {
        "/blog/post": "<h1>Mine</h1>",
        "/blog/list": "app's list",
        "/post": "<h1>Mine</h1>",
        "/page": "<h1>Mine</h1>page",
        "/flask": "<h1>Mine</h1>",
    }
    for _ in range(2):
        assert {route: client.get(route).text for route in expected} == expected
        assert render_in(client, "blog:!post.html") == "<h1>Post</h1>"
        assert render_in(client, "post.html") == "<h1>Mine</h1>"


def test_list_templates_lists_an_override_under_its_bundle(app_tree) -> None:
    override_tree(app_tree, {"app/tpl/blog/extra.html": "", "app/templates/blog/more.html": ""})
    listed = set(app_tree.create_app().jinja_env.list_templates())
    assert {"blog:extra.html", "blog:more.html", "blog:post.html"} <= listed
    assert not any("!" in name for name in listed)


# -- the request's context -------------------------------------------------------


def test_g_from_before_request_and_view_and_request_args_reach_the_template(app_tree) -> None:
    app_tree.bundle(
        "app",
        __init__="""
        from flask import current_app, g

        def on_load():
            @current_app.before_request
            def set_x():
                g.x = "from-before"
    """,
        views="""
        from flask import g
        from ampho import render, route

        @route("/")
        def home():
            g.y = "from-view"
            return render("ctx.html")
    """,
    )
    app_tree.write(
        {"app/tpl/ctx.html": "{{ g.x }} {{ g.y }} {{ request.args.q }} {{ request.path }}"}
    )
    client = app_tree.create_app().test_client()
    assert client.get("/?q=hello").text == "from-before from-view hello /"


@pytest.mark.parametrize("config", [{"SECRET_KEY": "test-secret"}, {}])
def test_session_reaches_the_template(app_tree, config) -> None:
    app_tree.bundle(
        "app",
        views="""
        from flask import session
        from ampho import render, route

        @route("/login/<name>")
        def login(name):
            session["user"] = name
            return "ok"

        @route("/")
        def home():
            return render("session.html")
    """,
    )
    app_tree.write({"app/tpl/session.html": "user={{ session.user }}"})
    app = app_tree.create_app(**config)
    assert app.secret_key
    client = app.test_client()
    assert client.get("/").text == "user="
    assert client.get("/login/ann").text == "ok"
    assert client.get("/").text == "user=ann"


# -- outside any bundle ------------------------------------------------------------


def test_render_from_outside_any_bundle_has_no_bundle(app_tree) -> None:
    two_bundles(
        app_tree,
        views(),
        views(),
        {
            "blog/tpl/index.html": "blog {{ _bundle }}",
            "blog/tpl/post.html": "blog post {{ _bundle is none }}",
            "app/tpl/index.html": "app {{ _bundle is none }}",
        },
    )
    app_tree.write(
        {
            "outside.py": """
            from ampho import render

            def show(name):
                return render(name)
        """
        }
    )
    app = app_tree.create_app()
    import outside

    with app.test_request_context("/"):
        assert outside.show("index.html") == "app True"
        assert outside.show("post.html") == "blog post True"
        assert outside.show("blog:index.html") == "blog None"
        assert render("index.html") == "app True"
