"""The wiki: the application's entry bundle."""

from ampho import current_app

REQUIRES = ["wiki_pages", "accounts"]


def on_register() -> None:
    print("register wiki")
    current_app.config.setdefault("WIKI_TITLE", "My wiki")


def on_load() -> None:
    print("load wiki")
