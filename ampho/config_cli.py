"""``ampho config``: show, query, check and compare the configuration."""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from .bundle import Bundle
from .config import Config, load
from .config.check import ERROR, check_instance
from .config.environ import to_environ
from .config.loader import current_dir
from .config.mapping import iter_leaves, plain, split_key
from .config.output import depth, recursion_room, to_json
from .config.redaction import redact_at

F = TypeVar("F", bound=Callable[..., Any])


def _root_option(f: F) -> F:
    return click.option(
        "--root",
        type=click.Path(exists=True, file_okay=False),
        default=None,
        help="The application's root directory (default: AMPHO_ROOT, else here).",
    )(f)


def _env_option(f: F) -> F:
    return click.option(
        "--env",
        help="The environment (default: AMPHO_ENV, else FLASK_ENV, else production).",
    )(f)


def _show_secrets_option(f: F) -> F:
    return click.option("--show-secrets", is_flag=True, help="Print secrets instead of ***.")(f)


def _application(root: str | None) -> tuple[list[Bundle] | None, str | None]:
    """The application's bundles and root directory, if it has bundles.

    When the entry bundle can be imported (from the root directory), its
    bundles are resolved, so their ``default.json`` files take part; the
    root is then the one the application factory would choose.
    """
    from .app import add_to_path, entry_name
    from .bundle import bundle_exists, resolve

    base = root or os.environ.get("AMPHO_ROOT")
    add_to_path(os.path.abspath(base or current_dir()))
    entry = entry_name()
    if not bundle_exists(entry):
        return None, root
    bundles = resolve(entry)
    return bundles, base or os.path.dirname(bundles[-1].path)


def _load(root: str | None, env: str | None) -> Config:
    """Load as the application would: with its bundles' defaults."""
    from .app import load_for

    bundles, app_root = _application(root)
    if bundles is None:
        return load(root, env)
    return load_for(bundles, app_root or root or current_dir(), env)


def _value(cfg: Config, key: str | None) -> Any:
    """The plain value under a dotted key, or the whole configuration."""
    if key is None:
        return cfg.to_dict()
    try:
        value = cfg.lookup(key)
    except KeyError as e:
        raise click.ClickException(e.args[0]) from None
    return plain(value)


def _redact_at(path: tuple[str, ...], value: Any) -> Any:
    """Redact a value found at a key path, by the rules of the whole dump."""
    # Redaction recurses; give it room for as deep a tree as was loaded.
    with recursion_room(depth(value)):
        return redact_at(path, value)


def _json(value: Any, indent: int | None = None) -> str:
    """Strict JSON, at any depth (see :func:`ampho.config.output.to_json`)."""
    return to_json(value, indent=indent)


@click.group("config")
def config_group() -> None:
    """Show, query, check and compare the layered configuration."""


@config_group.command("dump")
@_root_option
@_env_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["json", "env"]),
    default="json",
    show_default=True,
    help="JSON, or AMPHO_ variables that rebuild the configuration (with --show-secrets).",
)
@click.option("--explain", is_flag=True, help="List every leaf key with its origin.")
@_show_secrets_option
@click.argument("key", required=False)
def dump(
    root: str | None,
    env: str | None,
    output_format: str,
    explain: bool,
    show_secrets: bool,
    key: str | None,
) -> None:
    """Print the merged configuration, or the value under KEY.

    Secrets (keys naming a SECRET, PASSWORD, TOKEN, ... and passwords in
    URLs) are printed as *** unless --show-secrets is given.
    """
    if explain and output_format != "json":
        raise click.UsageError("--explain cannot be combined with --format env")
    cfg = _load(root, env)
    value = _value(cfg, key)
    path = split_key(key) if key is not None else ()
    if not show_secrets:
        value = _redact_at(path, value)
    if explain:
        _explain(cfg, path, value)
    elif output_format == "env":
        for part in reversed(path):
            value = {part: value}
        # All or nothing: an error half way must not leave half a file.
        lines = [f"{name}={shlex.quote(text)}" for name, text in to_environ(value, "AMPHO")]
        for line in lines:
            click.echo(line)
    else:
        click.echo(_json(value, indent=2))


def _explain(cfg: Config, path: tuple[str, ...], value: Any) -> None:
    if isinstance(value, dict) and (value or not path):
        leaves = list(iter_leaves(value, path))
    else:
        leaves = [(path, value)]
    for leaf_path, leaf in leaves:
        click.echo(f"{'.'.join(leaf_path)} = {_json(leaf)}  ({cfg.origin(leaf_path)})")


@config_group.command("get")
@_root_option
@_env_option
@click.argument("key")
def get(root: str | None, env: str | None, key: str) -> None:
    """Print the value under KEY, for shell scripts.

    A string prints as it is, anything else as JSON. Secrets are printed
    too: a script asks for a value because it needs it. A missing key
    exits with status 1.
    """
    value = _value(_load(root, env), key)
    click.echo(value if isinstance(value, str) else _json(value))


@config_group.command("check")
@_root_option
@click.option(
    "--env",
    "envs",
    multiple=True,
    help="An environment to check; repeat for more. Other env files are reported.",
)
@click.option("--strict", is_flag=True, help="Exit with status 1 on warnings too.")
@click.pass_context
def check(ctx: click.Context, root: str | None, envs: tuple[str, ...], strict: bool) -> None:
    """Check every JSON file of the instance directory.

    Reports, with file:line: parse errors and duplicate keys (errors);
    keys absent from default.json, types that differ from default.json,
    top-level keys that are not upper case, secrets in default.json and
    user@host files with secrets that others can read (warnings).
    Errors exit with status 1; warnings only with --strict.
    """
    from .app import bundle_defaults

    bundles, app_root = _application(root)
    # The check parses and loads a few calls deeper than a plain load,
    # and the parser's limit is the recursion limit: room for as deep a
    # document as a load accepts, so the check handles every one.
    with recursion_room(sys.getrecursionlimit()):
        findings = check_instance(app_root, envs, defaults=bundle_defaults(bundles or []))
    for finding in findings:
        click.echo(str(finding))
    errors = sum(f.severity == ERROR for f in findings)
    warnings = len(findings) - errors
    if findings:
        click.echo(f"{errors} error(s), {warnings} warning(s)", err=True)
    else:
        click.echo("no problems found", err=True)
    if errors or (strict and warnings):
        ctx.exit(1)


@config_group.command("diff")
@_root_option
@_show_secrets_option
@click.argument("env_a")
@click.argument("env_b")
def diff(root: str | None, show_secrets: bool, env_a: str, env_b: str) -> None:
    """Print the keys whose values differ between ENV_A and ENV_B."""
    configs = [_load(root, env_a), _load(root, env_b)]
    # Compare the real values, show the redacted ones: two different
    # passwords are a difference worth seeing, even as *** and ***.
    leaves = [dict(iter_leaves(cfg.to_dict())) for cfg in configs]
    width = max(len(env_a), len(env_b))
    missing = object()
    for path in sorted(leaves[0].keys() | leaves[1].keys()):
        values = [side.get(path, missing) for side in leaves]
        # Compared as written: 1 and 1.0 differ, as do [1] and [1.0].
        if missing not in values and _json(values[0]) == _json(values[1]):
            continue
        click.echo(".".join(path))
        for name, cfg, value in zip((env_a, env_b), configs, values, strict=True):
            if value is missing:
                click.echo(f"  {name:<{width}}  (not set)")
                continue
            if not show_secrets:
                value = _redact_at(path, value)
            click.echo(f"  {name:<{width}}  {_json(value)}  ({cfg.origin(path)})")
