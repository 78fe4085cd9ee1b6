"""Tests of the blog bundle, with the fixtures of ``ampho.testing``.

Each test gets a new application in the testing environment, whose
database is in memory (``instance/testing.json``): new and empty.
"""

import pytest
from blog.models import Post, db
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select


@pytest.fixture
def posts(app: Flask) -> None:
    """The tables, and three posts."""
    with app.app_context():
        db.create_all()
        db.session.add_all([Post(title="First"), Post(title="Second"), Post(title="Third")])
        db.session.commit()


def test_is_loaded(app: Flask) -> None:
    assert "blog" in app.blueprints, "add 'blog' to REQUIRES of the entry bundle"


def test_index_lists_the_newest_first(client: FlaskClient, posts: None) -> None:
    text = client.get("/blog/").text
    assert text.index("Third") < text.index("Second") < text.index("First")


@pytest.mark.ampho_config(BLOG={"POSTS_PER_PAGE": 2})
def test_index_lists_as_many_as_the_setting_says(client: FlaskClient, posts: None) -> None:
    text = client.get("/blog/").text
    assert "Third" in text and "Second" in text
    assert "First" not in text


def test_init_db_and_add(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["blog", "init-db"])
    assert result.output == "Created the blog's tables.\n"
    result = runner.invoke(args=["blog", "add", "Hello, world"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalars(select(Post.title)).all() == ["Hello, world"]
