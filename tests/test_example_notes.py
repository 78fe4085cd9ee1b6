"""The notes example: an ``app`` bundle that requires a reusable ``notebook``.

Each test works on a copy of ``examples/notes`` under ``tmp_path``, so
the repository is never written to, and forgets the copy's modules
afterwards, so the next test imports them anew.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from processes import AMPHO, run

from ampho import create_app

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "notes"


@pytest.fixture
def notes_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the example, importable, with no ``AMPHO_*`` variables."""
    root = tmp_path / "notes"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__"))
    for name in list(os.environ):
        if name.startswith("AMPHO_") or name in ("FLASK_ENV", "FLASK_DEBUG"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("USER", "u")
    monkeypatch.setenv("HOSTNAME", "h")
    monkeypatch.syspath_prepend(str(root))
    try:
        yield root
    finally:
        prefix = str(root) + os.sep
        for name, module in list(sys.modules.items()):
            location = getattr(module, "__file__", None) or ""
            paths = list(getattr(module, "__path__", []) or [])
            if location.startswith(prefix) or any(str(p).startswith(prefix) for p in paths):
                del sys.modules[name]


def make_app(root: Path, env: str = "development", **config: Any) -> Flask:
    return create_app(root_dir=root, env=env, config={"TESTING": True, **config})


def note_texts(html: str) -> list[str]:
    """The texts of the notes listed on a page, in order."""
    return re.findall(r'<li class="note" id="note-\d+">([^<]*?) <time>', html)


def test_example_is_clean() -> None:
    # Nothing generated was copied into the repository's example.
    assert not (EXAMPLE / "instance" / "secret_key").exists()
    assert not (EXAMPLE / "instance" / "notes.json").exists()
    ignored = (EXAMPLE / ".gitignore").read_text(encoding="utf-8").split()
    assert {"instance/secret_key", "instance/notes.json", "log/"} <= set(ignored)


def test_pages_render_through_both_bundles(notes_root: Path) -> None:
    app = make_app(notes_root)
    assert [b.name for b in app.extensions["ampho"].bundles] == ["notebook", "app"]
    client = app.test_client()

    # The notebook's list.html extends the app's layout.html.
    page = client.get("/notes")
    assert page.status_code == 200
    html = page.text
    assert "<title>Notes (0)</title>" in html
    assert "/static/app/site.css" in html  # from app:layout.html
    assert "/static/notebook/notebook.css" in html  # from notebook:list.html
    assert '<form method="post" action="/notes">' in html
    assert '<li class="empty">No notes yet.</li>' in html  # notebook:latest.html

    # The app's index.html includes the notebook's partial.
    home = client.get("/").text
    assert "<h1>Notes</h1>" in home
    assert '<li class="empty">No notes yet.</li>' in home
    assert "notebook.css" not in home


def test_static_files_of_each_bundle(notes_root: Path) -> None:
    client = make_app(notes_root).test_client()
    for url, path in [
        ("/static/app/site.css", "app/static/site.css"),
        ("/static/notebook/notebook.css", "notebook/static/notebook.css"),
    ]:
        response = client.get(url)
        assert response.status_code == 200
        assert response.mimetype == "text/css"
        assert response.data == (notes_root / path).read_bytes()
        response.close()
    assert client.get("/static/app/notebook.css").status_code == 404


def test_post_redirects_and_the_note_appears(notes_root: Path) -> None:
    app = make_app(notes_root)
    client = app.test_client()
    response = client.post("/notes", data={"text": "buy <milk>"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/notes"

    html = client.get("/notes").text
    assert note_texts(html) == ["buy &lt;milk&gt;"]
    assert '<p class="flash message">Note 1 added.</p>' in html
    assert "Your last note: buy &lt;milk&gt;" in html
    # The flash shows once; the note stays.
    again = client.get("/notes").text
    assert "Note 1 added." not in again
    assert note_texts(again) == ["buy &lt;milk&gt;"]
    assert note_texts(client.get("/").text) == ["buy &lt;milk&gt;"]

    stored = json.loads((notes_root / "instance" / "notes.json").read_text(encoding="utf-8"))
    assert [(n["id"], n["text"]) for n in stored] == [(1, "buy <milk>")]
    # Written atomically: no temporary file is left beside it.
    assert sorted(p.name for p in (notes_root / "instance").iterdir()) == [
        "default.json",
        "development.json",
        "notes.json",
        "production.json",
        "secret_key",
    ]


def test_empty_note_is_refused(notes_root: Path) -> None:
    client = make_app(notes_root).test_client()
    response = client.post("/notes", data={"text": "   "}, follow_redirects=True)
    assert response.status_code == 200
    assert '<p class="flash error">Write something first.</p>' in response.text
    assert not (notes_root / "instance" / "notes.json").exists()


def test_session_survives_requests_and_a_new_app(notes_root: Path) -> None:
    first = make_app(notes_root)
    client = first.test_client()
    client.post("/notes", data={"text": "remember me"})
    client.get("/notes")  # the flash is spent; the session stays
    assert "Your last note: remember me" in client.get("/").text

    key_file = notes_root / "instance" / "secret_key"
    key = key_file.read_text(encoding="ascii").strip()
    assert len(key) == 64
    assert first.secret_key == key
    assert str(first.extensions["ampho"].config.origin("SECRET_KEY")) == (
        "instance/secret_key (generated)"
    )

    # A second application on the same root reads the same key, so the
    # first one's cookie still opens the session.
    second = make_app(notes_root)
    assert second.secret_key == key
    cookie = client.get_cookie("session")
    assert cookie is not None
    other = second.test_client()
    assert "Your last note" not in other.get("/").text
    other.set_cookie("session", cookie.value)
    assert "Your last note: remember me" in other.get("/").text

    # With another key, the same cookie is worthless.
    key_file.write_text("0" * 64 + "\n", encoding="ascii")
    third = make_app(notes_root).test_client()
    third.set_cookie("session", cookie.value)
    assert "Your last note" not in third.get("/").text


def test_production_and_development_differ(notes_root: Path) -> None:
    development = make_app(notes_root, "development")
    production = make_app(notes_root, "production")
    assert development.config["DEBUG"] is True
    assert production.config["DEBUG"] is False
    assert development.config["NOTEBOOK"]["PER_PAGE"] == 3
    assert production.config["NOTEBOOK"]["PER_PAGE"] == 20
    # STORAGE is nobody's but the bundle's: both keep the default.
    assert development.config["NOTEBOOK"]["STORAGE"] == "notes.json"
    assert production.config["NOTEBOOK"]["STORAGE"] == "notes.json"

    client = development.test_client()
    for i in range(1, 5):
        client.post("/notes", data={"text": f"note {i}"})
    assert note_texts(client.get("/notes").text) == ["note 4", "note 3", "note 2"]
    page_two = client.get("/notes?page=2").text
    assert note_texts(page_two) == ["note 1"]
    assert "Page 2 of 2" in page_two
    assert note_texts(client.get("/notes?page=99").text) == ["note 1"]
    assert len(note_texts(production.test_client().get("/notes").text)) == 4


def test_bundle_default_and_its_origin(notes_root: Path) -> None:
    config = make_app(notes_root).extensions["ampho"].config
    # Line 4, column 5 of notebook/default.json is where "STORAGE" starts.
    assert config["NOTEBOOK"]["STORAGE"] == "notes.json"
    assert str(config.origin("NOTEBOOK.STORAGE")) == "notebook/default.json:4:5"
    assert str(config.origin("NOTEBOOK.PER_PAGE")).startswith("instance/development.json:")
    assert str(config.origin("SITE_TITLE")).startswith("instance/default.json:")
    names = [layer.name for layer in config.layers]
    assert names.index("notebook/default.json") < names.index("instance/default.json")


def test_storage_setting_names_the_file(notes_root: Path) -> None:
    app = make_app(notes_root, NOTEBOOK={"STORAGE": "other.json", "PER_PAGE": 5})
    app.test_client().post("/notes", data={"text": "elsewhere"})
    assert (notes_root / "instance" / "other.json").is_file()
    assert not (notes_root / "instance" / "notes.json").exists()

    escaping = make_app(notes_root, NOTEBOOK={"STORAGE": "../x.json", "PER_PAGE": 5})
    with pytest.raises(ValueError, match="must be a file name"):
        escaping.test_client().get("/notes")


def test_commands(notes_root: Path) -> None:
    app = make_app(notes_root)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["notebook", "list"])
    assert result.exit_code == 0, result.output
    assert result.output == "No notes yet.\n"

    result = runner.invoke(args=["notebook", "add", "x"])
    assert result.exit_code == 0, result.output
    assert result.output == "Added note 1: x\n"
    runner.invoke(args=["notebook", "add", "second one"])

    result = runner.invoke(args=["notebook", "list"])
    assert result.output == "2: second one\n1: x\n"
    # The web side sees what the command wrote.
    assert note_texts(app.test_client().get("/notes").text) == ["second one", "x"]

    result = runner.invoke(args=["notebook", "add"])
    assert result.exit_code == 2
    assert "Missing argument 'TEXT'" in result.output


def test_real_ampho_command(notes_root: Path, tmp_path: Path) -> None:
    add = run(AMPHO, ["--root", str(notes_root), "notebook", "add", "from the shell"], tmp_path)
    assert add.returncode == 0, add.stderr
    assert add.stdout == "Added note 1: from the shell\n"
    assert add.stderr == ""

    listed = run(AMPHO, ["--root", str(notes_root), "notebook", "list"], tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout == "1: from the shell\n"
    assert (notes_root / "instance" / "secret_key").is_file()

    helped = run(AMPHO, ["--root", str(notes_root), "notebook", "--help"], tmp_path)
    assert "Read and write the notes." in helped.stdout
    assert re.search(r"^\s+add\s+Add a note\.$", helped.stdout, re.M)
