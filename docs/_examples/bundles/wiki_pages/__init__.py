"""Pages and their history."""

REQUIRES = ["accounts"]


def on_register() -> None:
    print("register wiki_pages")


def on_load() -> None:
    print("load wiki_pages")
