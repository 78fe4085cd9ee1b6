"""Users, sign-up and log-in."""


def on_register() -> None:
    print("register accounts")


def on_load() -> None:
    print("load accounts")
