"""Flask extensions on Ampho, each wired in a bundle as its own manual says.

Each extension lives in a bundle of its own: the extension object at the
top of the package, ``init_app`` in the bundle's ``on_load`` (or in
``on_register`` when other bundles' hooks need it ready), settings in the
bundle's ``default.json``. The hooks receive the real Flask application,
so extensions that key a weak mapping by the application
(Flask-SQLAlchemy) work; each bundle's blueprint is registered before its
``on_load``, so a bundle can exempt its own blueprint from CSRF; and
templates that no bundle holds are found by Flask's own loader, in the
application's ``templates/`` and in extension blueprints' folders.

Most checks build the application in the test process and ask it with
Flask's test client. Commands run through the real ``ampho`` script in a
subprocess, and one test serves a tree of all these bundles but
Flask-Migrate's with ``ampho --debug run`` on 127.0.0.1 and talks HTTP
to it with urllib (a cookie jar for the logged-in session).
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
import subprocess
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from typing import TYPE_CHECKING, Any

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from flask import Flask
from flask.testing import FlaskClient
from processes import (
    AMPHO,
    free_port,
    http_opener,
    request,
    run,
    server_environment,
    serving,
    write_tree,
)

from ampho import create_app

if TYPE_CHECKING:
    from conftest import AppTree

# --- the bundles -------------------------------------------------------------------------
# Each bundle is a dict of files, combined into a tree by ``tree()``.

#: Flask-SQLAlchemy. ``init_app`` runs in ``on_register``: other bundles'
#: ``on_load`` hooks create tables and query through ``db``.
DATABASE = {
    "database/__init__.py": """
        from flask_sqlalchemy import SQLAlchemy

        db = SQLAlchemy()


        def on_register(app):
            db.init_app(app)
    """,
    "database/default.json": '{"SQLALCHEMY_DATABASE_URI": "sqlite:///shop.db"}',
}

#: Models in a bundle, tables made by ``db.create_all()``, a query in a view.
CATALOG = {
    "catalog/__init__.py": """
        REQUIRES = ["database"]


        def on_load(app):
            from database import db

            from .models import Product

            db.create_all()
            if db.session.scalar(db.select(db.func.count()).select_from(Product)) == 0:
                db.session.add_all(Product(name=name) for name in app.config["CATALOG_SEED"])
                db.session.commit()
    """,
    "catalog/default.json": '{"CATALOG_SEED": []}',
    "catalog/models.py": """
        from database import db


        class Product(db.Model):
            id = db.Column(db.Integer, primary_key=True)
            name = db.Column(db.String(80), unique=True, nullable=False)
    """,
    "catalog/views.py": """
        from ampho import route
        from database import db

        from .models import Product


        @route("/products")
        def products():
            names = db.session.scalars(db.select(Product.name).order_by(Product.name))
            return {"products": list(names)}
    """,
}

#: Flask-Login: a user loader, a login view, a ``login_required`` view.
ACCOUNTS = {
    "accounts/__init__.py": """
        from flask_login import LoginManager, UserMixin

        #: The users there are: id -> name. A test may remove one.
        USERS = {"7": "Ann"}

        login_manager = LoginManager()
        login_manager.login_view = "accounts.login"


        class User(UserMixin):
            def __init__(self, id):
                self.id = id
                self.name = USERS[id]


        @login_manager.user_loader
        def load_user(user_id):
            return User(user_id) if user_id in USERS else None


        def on_load(app):
            login_manager.init_app(app)
    """,
    "accounts/views.py": """
        from flask import request
        from flask_login import current_user, login_required, login_user

        from ampho import route

        from . import User


        @route("/login", methods=["GET", "POST"])
        def login():
            if request.method == "POST":
                login_user(User(request.form["id"]))
                return "logged in"
            return "please log in"


        @route("/private")
        @login_required
        def private():
            return f"Hello, {current_user.name}"
    """,
}

#: Flask-WTF's CSRFProtect, for every view of the application.
SECURITY = {
    "security/__init__.py": """
        from flask_wtf.csrf import CSRFProtect

        csrf = CSRFProtect()


        def on_load(app):
            csrf.init_app(app)
    """,
}

#: A Flask-WTF form, rendered from the bundle's ``tpl/``.
CONTACT = {
    "contact/__init__.py": 'REQUIRES = ["security"]\n',
    "contact/forms.py": """
        from flask_wtf import FlaskForm
        from wtforms import StringField
        from wtforms.validators import DataRequired


        class ContactForm(FlaskForm):
            name = StringField("Name", validators=[DataRequired()])
    """,
    "contact/views.py": """
        from ampho import render, route

        from .forms import ContactForm


        @route("/contact", methods=["GET", "POST"])
        def contact():
            form = ContactForm()
            if form.validate_on_submit():
                return f"Thanks, {form.name.data}"
            return render("contact.html", form=form)
    """,
    "contact/tpl/contact.html": """
        <form method="post">{{ form.csrf_token }}{{ form.name }}</form>
    """,
}

#: A JSON API that exempts its own blueprint from CSRF in its own hook.
API = {
    "api/__init__.py": """
        REQUIRES = ["security"]
        URL_PREFIX = "/api"


        def on_load(app):
            from security import csrf

            csrf.exempt(app.blueprints["api"])
    """,
    "api/views.py": """
        from flask import request

        from ampho import route


        @route("/echo", methods=["POST"])
        def echo():
            return {"echo": request.get_json()}


        @route("/ping")
        def ping():
            return {"ping": "pong"}
    """,
}

#: Flask-CORS, for the API's URLs only.
CROSSORIGIN = {
    "crossorigin/__init__.py": """
        from flask_cors import CORS

        cors = CORS()


        def on_load(app):
            cors.init_app(app, resources={r"/api/*": {"origins": "https://shop.example"}})
    """,
}

#: Flask-DebugToolbar, enabled by the application's debug mode.
DEVTOOLS = {
    "devtools/__init__.py": """
        from flask_debugtoolbar import DebugToolbarExtension

        toolbar = DebugToolbarExtension()


        def on_load(app):
            toolbar.init_app(app)
    """,
}

#: Flask-Babel with a locale selector: ?lang=, then Accept-Language.
I18N = {
    "i18n/__init__.py": """
        from flask import request
        from flask_babel import Babel

        babel = Babel()


        def select_locale():
            return request.args.get("lang") or request.accept_languages.best_match(["en", "de"])


        def on_load(app):
            babel.init_app(app, locale_selector=select_locale)
    """,
}

#: Flask-Caching with SimpleCache, set in the bundle's defaults.
CACHING = {
    "caching/__init__.py": """
        from flask_caching import Cache

        cache = Cache()


        def on_load(app):
            cache.init_app(app)
    """,
    "caching/default.json": '{"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 300}',
    "caching/views.py": """
        import itertools

        from ampho import route

        from . import cache

        CALLS = itertools.count(1)


        @route("/counter")
        @cache.cached()
        def counter():
            return f"call {next(CALLS)}"


        @route("/counter/clear")
        def clear():
            cache.clear()
            return "cleared"
    """,
}

#: Flask-Admin 2 with a model view of the catalog. It needs Flask-Babel
#: initialised when Flask-Babel is installed, hence ``i18n``.
BACKOFFICE = {
    "backoffice/__init__.py": """
        from flask_admin import Admin
        from flask_admin.contrib.sqla import ModelView

        from catalog.models import Product
        from database import db

        REQUIRES = ["i18n", "catalog"]

        admin = Admin(name="Shop admin")
        admin.add_view(ModelView(Product, db))


        def on_load(app):
            admin.init_app(app)
    """,
}

#: Plain Flask code: a blueprint with its own template folder,
#: registered by a hook, and a view using flask.render_template.
LEGACY = {
    "legacy/__init__.py": """
        def on_load(app):
            from .pages import pages

            app.register_blueprint(pages)
    """,
    "legacy/pages.py": """
        from flask import Blueprint, render_template

        pages = Blueprint("legacy_pages", __name__, template_folder="templates", url_prefix="/old")


        @pages.route("/")
        def index():
            return render_template("legacy/index.html", who="the blueprint")
    """,
    "legacy/templates/legacy/index.html": "Legacy page from {{ who }}",
}


def tree(
    *bundles: dict[str, str], requires: list[str], app: dict[str, str] | None = None
) -> dict[str, str]:
    """The files of ``bundles``, and an entry bundle ``app`` requiring ``requires``.

    ``app`` holds more files of the entry bundle, by path under ``app/``:
    ``{"views.py": ..., "templates/home.html": ...}``.
    """
    files: dict[str, str] = {}
    for bundle in bundles:
        files.update(bundle)
    files["app/__init__.py"] = f"REQUIRES = {requires!r}\n"
    for path, text in (app or {}).items():
        files[f"app/{path}"] = text
    return files


def make_app(app_tree: AppTree, files: dict[str, str], **config: Any) -> Flask:
    app_tree.write(dict(files))
    return create_app("app", root_dir=app_tree.root, config={"TESTING": True, **config})


def sqlite_uri(path: Path) -> str:
    return f"sqlite:///{path}"


def query(path: Path, sql: str) -> list[tuple[Any, ...]]:
    """Rows from a SQLite file, read with the standard library.

    ``closing``: a connection's own ``with`` block commits but stays open.
    """
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return connection.execute(sql).fetchall()


def tables(path: Path) -> set[str]:
    return {name for (name,) in query(path, "SELECT name FROM sqlite_master WHERE type = 'table'")}


def csrf_token(html: str) -> str:
    """The token of a Flask-WTF form's hidden ``csrf_token`` field."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match is not None, html
    return match.group(1)


def dispose(app: Flask) -> None:
    """Close Flask-SQLAlchemy's connections, so no SQLite file is left open."""
    with app.app_context():
        app.extensions["sqlalchemy"].engine.dispose()


# --- Flask-SQLAlchemy --------------------------------------------------------------------


def test_sqlalchemy_models_in_a_bundle_are_queried_in_a_view(
    app_tree: AppTree, tmp_path: Path
) -> None:
    """The hooks get the real app: Flask-SQLAlchemy keys a weak map by it."""
    database = tmp_path / "shop.db"
    app = make_app(
        app_tree,
        tree(DATABASE, CATALOG, requires=["catalog"]),
        SQLALCHEMY_DATABASE_URI=sqlite_uri(database),
        CATALOG_SEED=["pen", "ink"],
    )
    try:
        assert app.test_client().get("/products").json == {"products": ["ink", "pen"]}
    finally:
        dispose(app)
    assert tables(database) == {"product"}


def test_sqlalchemy_relative_sqlite_path_is_in_the_instance_directory(
    app_tree: AppTree,
) -> None:
    """``sqlite:///shop.db`` from the bundle's defaults lands in ``instance/``."""
    app = make_app(app_tree, tree(DATABASE, CATALOG, requires=["catalog"]), CATALOG_SEED=["cup"])
    try:
        assert app.test_client().get("/products").json == {"products": ["cup"]}
    finally:
        dispose(app)
    assert tables(app_tree.root / "instance" / "shop.db") == {"product"}


def test_sqlalchemy_two_applications_in_one_process_keep_their_databases(
    app_tree: AppTree, tmp_path: Path
) -> None:
    """One ``db`` object, two applications, two SQLite files: as Flask-SQLAlchemy means it."""
    files = tree(DATABASE, CATALOG, requires=["catalog"])
    one_db, two_db = tmp_path / "one.db", tmp_path / "two.db"
    one = make_app(
        app_tree, files, SQLALCHEMY_DATABASE_URI=sqlite_uri(one_db), CATALOG_SEED=["pen"]
    )
    two = make_app(
        app_tree, files, SQLALCHEMY_DATABASE_URI=sqlite_uri(two_db), CATALOG_SEED=["ink", "cup"]
    )
    try:
        assert one.test_client().get("/products").json == {"products": ["pen"]}
        assert two.test_client().get("/products").json == {"products": ["cup", "ink"]}
        # The first application still has its own engine after the second was built.
        assert one.test_client().get("/products").json == {"products": ["pen"]}
    finally:
        dispose(one)
        dispose(two)
    assert query(one_db, "SELECT name FROM product") == [("pen",)]
    assert sorted(query(two_db, "SELECT name FROM product")) == [("cup",), ("ink",)]


# --- Flask-Migrate -----------------------------------------------------------------------

#: Models without ``create_all()``: the migration makes the tables.
MIGRATIONS = {
    **DATABASE,
    "schema/__init__.py": """
        from flask_migrate import Migrate

        REQUIRES = ["database"]

        migrate = Migrate()


        def on_load(app):
            from database import db

            from . import models  # noqa: F401  the tables the migration compares

            migrate.init_app(app, db)
    """,
    "schema/models.py": """
        from database import db


        class Author(db.Model):
            id = db.Column(db.Integer, primary_key=True)
            name = db.Column(db.String(80), nullable=False)
    """,
    "app/__init__.py": 'REQUIRES = ["schema"]\n',
}


def ampho(args: list[str], root: Path) -> subprocess.CompletedProcess[str]:
    """Run the real ``ampho`` in ``root``; fail with its output if it fails."""
    result = run(AMPHO, args, cwd=root, timeout=120)
    assert result.returncode == 0, f"ampho {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result


def test_migrate_db_commands_create_the_tables(tmp_path: Path) -> None:
    """``ampho db init``, ``db migrate``, ``db upgrade``, in a subprocess.

    Flask-Migrate 4 declares no ``flask.commands`` entry point: its
    ``init_app`` adds the ``db`` group to ``app.cli``, which the ``ampho``
    command (a FlaskGroup) lists once it has built the application.
    """
    root = write_tree(tmp_path / "shop", MIGRATIONS)
    assert "db" in ampho(["--help"], root).stdout.split()
    ampho(["db", "init"], root)
    assert (root / "migrations" / "env.py").is_file()
    ampho(["db", "migrate", "-m", "x"], root)
    [revision] = (root / "migrations" / "versions").glob("*_x.py")
    assert "op.create_table('author'" in revision.read_text(encoding="utf-8")
    database = root / "instance" / "shop.db"
    assert not database.exists() or "author" not in tables(database)
    ampho(["db", "upgrade"], root)
    assert tables(database) == {"alembic_version", "author"}
    columns = {row[1] for row in query(database, "PRAGMA table_info(author)")}
    [(version,)] = query(database, "SELECT version_num FROM alembic_version")
    assert columns == {"id", "name"}
    assert revision.name.startswith(version)


# --- Flask-Login -------------------------------------------------------------------------


def test_login_required_redirects_anonymous_users_to_the_login_view(app_tree: AppTree) -> None:
    app = make_app(app_tree, tree(ACCOUNTS, requires=["accounts"]))
    response = app.test_client().get("/private")
    assert response.status_code == 302
    assert response.location == "/login?next=%2Fprivate"


def test_login_required_view_answers_a_logged_in_user(app_tree: AppTree) -> None:
    """After ``login_user`` the next request's user comes from the ``user_loader``."""
    app = make_app(app_tree, tree(ACCOUNTS, requires=["accounts"]))
    client = app.test_client()
    assert client.post("/login", data={"id": "7"}).text == "logged in"
    response = client.get("/private")
    assert response.status_code == 200
    assert response.text == "Hello, Ann"
    # The loader is asked on every request: a user it no longer knows is anonymous.
    import accounts

    del accounts.USERS["7"]
    assert client.get("/private").status_code == 302


# --- Flask-WTF ---------------------------------------------------------------------------


def csrf_app(app_tree: AppTree) -> Flask:
    return make_app(app_tree, tree(SECURITY, CONTACT, API, requires=["contact", "api"]))


def test_csrf_rejects_a_post_without_token(app_tree: AppTree) -> None:
    response = csrf_app(app_tree).test_client().post("/contact", data={"name": "Ann"})
    assert response.status_code == 400
    assert "The CSRF token is missing." in response.text


def test_csrf_accepts_a_form_posted_with_its_token(app_tree: AppTree) -> None:
    client = csrf_app(app_tree).test_client()
    form = client.get("/contact")
    assert form.status_code == 200
    token = csrf_token(form.text)
    response = client.post("/contact", data={"name": "Ann", "csrf_token": token})
    assert response.status_code == 200
    assert response.text == "Thanks, Ann"
    assert client.post("/contact", data={"name": "Ann", "csrf_token": "forged"}).status_code == 400


def test_bundle_exempts_its_own_blueprint_from_csrf(app_tree: AppTree) -> None:
    """``csrf.exempt(app.blueprints["api"])`` in api's ``on_load``: the blueprint exists."""
    client = csrf_app(app_tree).test_client()
    response = client.post("/api/echo", json={"n": 1})
    assert response.status_code == 200
    assert response.json == {"echo": {"n": 1}}
    # Only the api bundle is exempt.
    assert client.post("/contact", data={"name": "Ann"}).status_code == 400


# --- Flask-DebugToolbar ------------------------------------------------------------------

PAGE_VIEWS = """
    from ampho import route


    @route("/")
    def page():
        return "<!doctype html><html><head><title>Shop</title></head><body>Shop</body></html>"
"""


def toolbar_client(app_tree: AppTree, debug: bool) -> FlaskClient:
    files = tree(DEVTOOLS, requires=["devtools"], app={"views.py": PAGE_VIEWS})
    return make_app(app_tree, files, DEBUG=debug).test_client()


def test_debug_toolbar_is_injected_in_debug_mode(app_tree: AppTree) -> None:
    """With DEBUG and the generated SECRET_KEY, the toolbar and its files are served.

    Flask-DebugToolbar 0.16 renders its templates with a Jinja environment
    of its own and serves its files from an application URL rule, so this
    holds whatever the application's template loader is.
    """
    client = toolbar_client(app_tree, debug=True)
    page = client.get("/")
    assert page.status_code == 200
    assert 'id="flDebug"' in page.text
    assert "Shop</body>" not in page.text  # the toolbar went in before </body>
    script = re.search(r'src="(/_debug_toolbar/static/js/toolbar\.js)"', page.text)
    assert script is not None, page.text
    js = client.get(script.group(1))
    assert js.status_code == 200
    assert js.mimetype == "text/javascript"
    js.close()


def test_debug_toolbar_stays_out_without_debug_mode(app_tree: AppTree) -> None:
    client = toolbar_client(app_tree, debug=False)
    assert "flDebug" not in client.get("/").text
    assert client.get("/_debug_toolbar/static/js/toolbar.js").status_code == 404


# --- Flask-Babel -------------------------------------------------------------------------

GREETING_VIEWS = """
    from datetime import date

    from flask_babel import format_date, get_locale, gettext

    from ampho import render, route

    DAY = date(2024, 3, 1)


    @route("/greeting")
    def greeting():
        return {
            "locale": str(get_locale()),
            "hello": gettext("Hello"),
            "date": format_date(DAY, "long"),
        }


    @route("/page")
    def page():
        return render("page.html", day=DAY)
"""


def write_german(app_root: Path) -> None:
    """``translations/de/LC_MESSAGES/messages.mo`` under the entry bundle.

    Flask-Babel looks for ``translations`` in the application's root path,
    which is the entry bundle's directory.
    """
    catalog = Catalog(locale="de")
    catalog.add("Hello", "Hallo")
    folder = app_root / "translations" / "de" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.mo").open("wb") as f:
        write_mo(f, catalog)


def babel_client(app_tree: AppTree) -> FlaskClient:
    files = tree(
        I18N,
        requires=["i18n"],
        app={
            "views.py": GREETING_VIEWS,
            "tpl/page.html": '{{ _("Hello") }}, {{ day|dateformat("long") }}',
        },
    )
    write_german(app_tree.root / "app")
    return make_app(app_tree, files).test_client()


def test_babel_selects_the_locale_for_gettext_and_format_date(app_tree: AppTree) -> None:
    client = babel_client(app_tree)
    assert client.get("/greeting").json == {
        "locale": "en",
        "hello": "Hello",
        "date": "March 1, 2024",
    }
    assert client.get("/greeting?lang=de").json == {
        "locale": "de",
        "hello": "Hallo",
        "date": "1. März 2024",
    }
    german = client.get("/greeting", headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert german.json is not None
    assert german.json["hello"] == "Hallo"


def test_babel_translates_in_a_bundle_template(app_tree: AppTree) -> None:
    """Flask-Babel's Jinja extension and filters reach templates of ``tpl/``."""
    client = babel_client(app_tree)
    assert client.get("/page").text == "Hello, March 1, 2024"
    assert client.get("/page?lang=de").text == "Hallo, 1. März 2024"


# --- Flask-Caching -----------------------------------------------------------------------


def test_caching_cached_view_returns_the_cached_value(app_tree: AppTree) -> None:
    client = make_app(app_tree, tree(CACHING, requires=["caching"])).test_client()
    assert client.get("/counter").text == "call 1"
    assert client.get("/counter").text == "call 1"
    assert client.get("/counter/clear").text == "cleared"
    assert client.get("/counter").text == "call 2"


# --- Flask-CORS --------------------------------------------------------------------------


def test_cors_allows_the_configured_origin_on_the_api(app_tree: AppTree) -> None:
    files = tree(SECURITY, API, CROSSORIGIN, CONTACT, requires=["contact", "api", "crossorigin"])
    client = make_app(app_tree, files).test_client()
    origin = {"Origin": "https://shop.example"}
    response = client.get("/api/ping", headers=origin)
    assert response.json == {"ping": "pong"}
    assert response.headers["Access-Control-Allow-Origin"] == "https://shop.example"
    preflight = client.options(
        "/api/echo", headers={**origin, "Access-Control-Request-Method": "POST"}
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://shop.example"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    # Only the resources given to init_app.
    assert "Access-Control-Allow-Origin" not in client.get("/contact", headers=origin).headers
    other = client.get("/api/ping", headers={"Origin": "https://elsewhere.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


# --- Flask-Admin -------------------------------------------------------------------------


def admin_files() -> dict[str, str]:
    return tree(DATABASE, CATALOG, I18N, BACKOFFICE, requires=["backoffice"])


def test_admin_index_and_model_view_render(app_tree: AppTree, tmp_path: Path) -> None:
    """Flask-Admin's templates are in its blueprints' folder, found by Flask's loader."""
    app = make_app(
        app_tree,
        admin_files(),
        SQLALCHEMY_DATABASE_URI=sqlite_uri(tmp_path / "shop.db"),
        CATALOG_SEED=["pen", "ink"],
    )
    client = app.test_client()
    try:
        index = client.get("/admin/")
        assert index.status_code == 200
        assert "<title>Home - Shop admin</title>" in index.text
        assert 'href="/admin/product/"' in index.text
        products = client.get("/admin/product/")
        assert products.status_code == 200
        assert "pen" in products.text
        assert "ink" in products.text
        stylesheet = re.search(r'href="(/admin/static/[^"?]+\.css)[^"]*"', index.text)
        assert stylesheet is not None, index.text
        css = client.get(stylesheet.group(1))
        assert css.status_code == 200
        css.close()
    finally:
        dispose(app)


# --- plain Flask code --------------------------------------------------------------------

FLASK_VIEWS = """
    from flask import render_template, url_for

    from ampho import route


    @route("/")
    def home():
        return render_template("home.html", css=url_for("static", filename="site.css"))
"""


def test_plain_blueprint_registered_by_a_hook_finds_its_template_folder(
    app_tree: AppTree,
) -> None:
    """``render_template`` in a blueprint's view, as in Flask: its ``template_folder``."""
    client = make_app(app_tree, tree(LEGACY, requires=["legacy"])).test_client()
    assert client.get("/old/").text == "Legacy page from the blueprint"


def test_entry_templates_and_static_folders_are_flasks(app_tree: AppTree) -> None:
    """The entry bundle's ``templates/`` and ``static/`` are the application's."""
    files = tree(
        requires=[],
        app={
            "views.py": FLASK_VIEWS,
            "templates/home.html": "Home with {{ css }}",
            "static/site.css": "body { color: #123456; }",
        },
    )
    client = make_app(app_tree, files).test_client()
    assert client.get("/").text == "Home with /static/site.css"
    css = client.get("/static/site.css")
    assert css.status_code == 200
    assert css.data == b"body { color: #123456; }"
    css.close()


# --- a real server -----------------------------------------------------------------------

SITE_CSS = "body { color: #123456; }"

#: The entry bundle of the served tree: Flask's ``templates/`` and
#: ``static/``, and the Babel views. Its page is a whole HTML document, so
#: the debug toolbar has a ``</body>`` to go in before.
SERVED_ENTRY = {
    "views.py": FLASK_VIEWS + GREETING_VIEWS,
    "templates/home.html": """
        <!doctype html>
        <html><head><title>Home</title><link rel="stylesheet" href="{{ css }}"></head>
        <body>Home</body></html>
    """,
    "static/site.css": SITE_CSS,
    "tpl/page.html": '{{ _("Hello") }}, {{ day|dateformat("long") }}',
}


class KeepRedirects(urllib.request.HTTPRedirectHandler):
    """Hand a redirect back as the response, to check where it points."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def served_tree(root: Path) -> Path:
    """Every bundle above but Flask-Migrate's, with the entry bundle's own folders.

    ``DEBUG_TB_INTERCEPT_REDIRECTS`` is off, as a developer who tests
    redirects sets it: else the toolbar answers a redirect with a page of
    its own, status 200.
    """
    files = tree(
        *(DATABASE, CATALOG, I18N, BACKOFFICE, SECURITY, CONTACT, API, CROSSORIGIN),
        *(ACCOUNTS, CACHING, DEVTOOLS, LEGACY),
        requires=[
            *("backoffice", "contact", "api", "crossorigin"),
            *("accounts", "caching", "devtools", "legacy"),
        ],
        app=SERVED_ENTRY,
    )
    files["instance/default.json"] = json.dumps(
        {"CATALOG_SEED": ["pen", "ink"], "DEBUG_TB_INTERCEPT_REDIRECTS": False}
    )
    write_tree(root, files)
    write_german(root / "app")
    return root


def check_admin_and_database(port: int) -> None:
    admin = request(port, "/admin/")
    assert admin.status == 200
    assert "<title>Home - Shop admin</title>" in admin.text
    products = request(port, "/products")
    assert products.status == 200
    assert products.json() == {"products": ["ink", "pen"]}


def check_csrf_and_cors(port: int) -> None:
    ping = request(port, "/api/ping", headers={"Origin": "https://shop.example"})
    assert ping.headers["Access-Control-Allow-Origin"] == "https://shop.example"
    form = request(port, "/contact", data=b"name=Ann")
    assert form.status == 400
    assert "The CSRF token is missing." in form.text
    echo = request(
        port, "/api/echo", data=b'{"n": 1}', headers={"Content-Type": "application/json"}
    )
    assert echo.status == 200
    assert echo.json() == {"echo": {"n": 1}}


def check_login(port: int) -> None:
    """Anonymous to the login view; logged in through the session cookie.

    CSRFProtect covers the login form too: the token comes from the
    contact form, in the same session as the login.
    """
    browser = http_opener(urllib.request.HTTPCookieProcessor(CookieJar()), KeepRedirects())
    anonymous = request(port, "/private", opener=browser)
    assert anonymous.status == 302
    assert anonymous.headers["Location"] == "/login?next=%2Fprivate"
    token = csrf_token(request(port, "/contact", opener=browser).text)
    login = urllib.parse.urlencode({"id": "7", "csrf_token": token}).encode()
    assert request(port, "/login", data=login, opener=browser).text == "logged in"
    private = request(port, "/private", opener=browser)
    assert private.status == 200
    assert private.text == "Hello, Ann"
    # Without the browser's cookies the same page is closed again.
    assert request(port, "/private", opener=http_opener(KeepRedirects())).status == 302


def check_babel(port: int) -> None:
    assert request(port, "/greeting").json() == {
        "locale": "en",
        "hello": "Hello",
        "date": "March 1, 2024",
    }
    assert request(port, "/greeting?lang=de").json()["date"] == "1. März 2024"
    german = request(port, "/page", headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert german.text == "Hallo, 1. März 2024"


def check_caching(port: int) -> None:
    assert request(port, "/counter").text == "call 1"
    assert request(port, "/counter").text == "call 1"
    assert request(port, "/counter/clear").text == "cleared"
    assert request(port, "/counter").text == "call 2"


def check_toolbar_and_entry_folders(port: int) -> None:
    """The entry's ``templates/`` page, its ``url_for('static')`` file, the toolbar in it."""
    home = request(port, "/")
    assert home.status == 200
    assert "<title>Home</title>" in home.text
    stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)">', home.text)
    assert stylesheet is not None, home.text
    assert stylesheet.group(1) == "/static/site.css"
    css = request(port, stylesheet.group(1))
    assert css.status == 200
    assert css.body == SITE_CSS.encode()
    assert 'id="flDebug"' in home.text
    script = re.search(r'src="(/_debug_toolbar/static/js/toolbar\.js)"', home.text)
    assert script is not None, home.text
    js = request(port, script.group(1))
    assert js.status == 200
    assert js.headers.get_content_type() == "text/javascript"


def test_ampho_run_serves_a_tree_of_extension_bundles(tmp_path: Path) -> None:
    """The extensions above in one tree, served by ``ampho --debug run``, over HTTP.

    Debug mode is what turns Flask-DebugToolbar on; the other checks hold
    in it as they do without.
    """
    root = served_tree(tmp_path / "shop")
    port = free_port()
    command = [*AMPHO, "--debug", "run", "--host", "127.0.0.1", "--port", str(port)]
    env = server_environment(tmp_path / "home")
    with serving(command, root, port, env, tmp_path / "server.log"):
        check_admin_and_database(port)
        check_csrf_and_cors(port)
        check_login(port)
        check_babel(port)
        check_caching(port)
        check_toolbar_and_entry_folders(port)
        legacy = request(port, "/old/")
        assert legacy.status == 200
        assert legacy.text == "Legacy page from the blueprint"
    assert tables(root / "instance" / "shop.db") == {"product"}
