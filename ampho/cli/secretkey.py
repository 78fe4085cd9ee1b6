"""``ampho secret-key``: rotate the key Ampho generates and keeps.

The key is Ampho's only when no layer sets ``SECRET_KEY``: then the
application factory reads it from ``<instance>/secret_key``, and the
keys before it from ``<instance>/secret_key.fallbacks``, as Flask's
``SECRET_KEY_FALLBACKS``. A key set in a file, a variable or a secrets
store is rotated where it is set. No key is ever printed.
"""

from __future__ import annotations

import click

from ..config import Config, SettingsInvalid, load
from .core import project_on_path


@click.group("secret-key")
def secret_key_group() -> None:
    """Rotate the secret key Ampho generated."""


@secret_key_group.command("rotate")
@click.option(
    "--drop-old",
    is_flag=True,
    help="Remove the previous keys instead, so that what they signed no longer reads.",
)
def rotate(drop_old: bool) -> None:
    """Write a new key, keeping the previous one.

    The new key goes to <instance>/secret_key, written as the first was.
    The previous key goes first into <instance>/secret_key.fallbacks,
    which keeps three at most: sessions it signed still read after the
    application restarts, and new ones are signed with the new key.
    With --drop-old, the fallbacks are removed and the key stays.

    Refused when a layer sets SECRET_KEY: that key is not Ampho's.
    Restart the application to use the new keys.
    """
    # Imported here: the package ampho.app imports Flask, which `ampho
    # config` and the other commands of the lazy group must not pay for.
    # The key files themselves need none of it (ampho.app.instance).
    from ..app.instance import drop_fallback_keys, make_instance_dir, rotate_secret_key

    cfg = _loaded()
    if "SECRET_KEY" in cfg:
        raise click.ClickException(
            f"SECRET_KEY is set in {cfg.origin('SECRET_KEY')}, so the key is not"
            " Ampho's to rotate: change it there, and list the previous key in"
            " SECRET_KEY_FALLBACKS"
        )
    root, instance = cfg.location.root_dir, cfg.location.instance_dir
    make_instance_dir(instance, root)
    if drop_old:
        removed = drop_fallback_keys(instance, root)
        if removed is None:
            click.echo("there are no previous keys to drop")
        else:
            click.echo(
                f"removed {removed}: sessions signed with a previous key stop"
                " reading when the application restarts"
            )
        return
    rotation = rotate_secret_key(instance, root)
    message = f"wrote a new key to {rotation.key_file}"
    if rotation.fallbacks:
        message += (
            f"; {rotation.fallbacks} previous key(s) in {rotation.fallbacks_file}"
            " still read sessions they signed"
        )
    if rotation.dropped:
        message += f" ({rotation.dropped} older key(s) dropped)"
    click.echo(f"{message}; restart the application to use it")


def _loaded() -> Config:
    """The configuration the application would run with, as the
    factory loads it; settings that break a schema are no reason not
    to rotate, so they load all the same."""
    project_on_path()
    try:
        return load()
    except SettingsInvalid as e:
        if e.config is None:
            raise
        return e.config
