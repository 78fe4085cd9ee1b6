"""The wiki: the application's entry bundle."""

from flask import Flask

REQUIRES = ["wiki_pages", "accounts"]


def on_register(app: Flask) -> None:
    print("register wiki")
    app.config.setdefault("WIKI_TITLE", "My wiki")


def on_load(app: Flask) -> None:
    print("load wiki")
