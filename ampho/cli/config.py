"""``ampho config``: show, query, check and compare the configuration."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ..config import Config, SettingsInvalid, load, redact
from ..config.paths import entry_from_environ, root_path
from ..config.tooling import (
    DeclaredSecrets,
    bundle_files,
    declared_in,
    depth,
    format_key,
    is_secret_at,
    iter_leaves,
    plain_copy,
    recursion_room,
    redact_at,
    redact_key,
    redact_keys,
    redact_shapes,
    split_key,
    to_json,
)
from .core import echo_warnings, environment_warnings, project_on_path

if TYPE_CHECKING:
    from ..config.tooling import Declared

#: A key path: the keys from the top, ``("DB", "HOST")``.
KeyPath = tuple[str, ...]

F = TypeVar("F", bound=Callable[..., Any])


def _root_option(f: F) -> F:
    return click.option(
        "--root",
        type=click.Path(exists=True, file_okay=False),
        default=None,
        help="The application's root directory (default: AMPHO_ROOT, else the"
        " entry bundle's project directory, else here).",
    )(f)


def _env_option(f: F) -> F:
    return click.option(
        "--env",
        help="The environment (default: AMPHO_ENV, else FLASK_ENV, else production).",
    )(f)


def _show_secrets_option(f: F) -> F:
    return click.option("--show-secrets", is_flag=True, help="Print secrets instead of ***.")(f)


def _load(
    root: str | None,
    env: str | None,
    *,
    strict: bool = False,
    warnings: list[str] | None = None,
) -> Config:
    """Load as the application factory does, by the same rule.

    :func:`~ampho.config.load` reads the ``default.json`` and
    ``schema.json`` of the entry bundle and all it requires when the
    entry bundle imports, and validates the settings against the
    schemas; like ``ampho run``, the root directory goes on
    :data:`sys.path` first so the bundles in it import
    (:func:`~ampho.cli.core.project_on_path`, which refuses a directory
    that holds no application).

    Settings that break the schemas are what the diagnostic commands are
    for: unless ``strict``, they are loaded all the same, and each
    violation is a ``Warning:`` line, as is an environment named that has
    no file (:func:`~ampho.cli.core.environment_warnings`). ``config
    check`` is the command that fails on violations, and ``config get``,
    whose scripts must not go on with what the application would refuse.

    :param warnings: where to add the warnings instead of printing them,
        for a command that loads twice and must print its ``Error:`` line
        alone if the second load fails.
    """
    project_on_path(root)
    invalid = None
    try:
        cfg = load(root, env)
    except SettingsInvalid as e:
        if strict or e.config is None:
            raise
        cfg, invalid = e.config, e
    found = environment_warnings(cfg) + (invalid.lines() if invalid is not None else [])
    if warnings is None:
        echo_warnings(found)
    else:
        warnings += found
    return cfg


def _path(key: str) -> KeyPath:
    """The key path of a ``KEY`` argument, as :func:`split_key` reads it."""
    try:
        return split_key(key)
    except KeyError as e:
        raise click.ClickException(e.args[0]) from None


def _value(cfg: Config, key: str | None) -> Any:
    """The plain value under a ``KEY`` argument, or the whole configuration.

    The key is dotted, a part holding a dot in double quotes
    (``LOGGERS."shop.orders"``), as :func:`_shown_key` prints it.
    """
    if key is None:
        return cfg.to_dict()
    try:
        value = cfg.lookup(_path(key))
    except KeyError as e:
        raise click.ClickException(e.args[0]) from None
    return plain_copy(value)


def _shown_key(path: KeyPath) -> str:
    """A key path to print: secrets in its keys masked, and written so
    that, unmasked, it can be given back as a ``KEY`` argument."""
    return format_key([redact_key(part) for part in path])


def _redact(declared: DeclaredSecrets, path: KeyPath, value: Any, *, keys: bool = True) -> Any:
    """Redact a value found at a key path, by the rules of the whole dump
    (:func:`~ampho.config.redaction.redact_at`), declared secrets included.

    Unless ``keys``, the keys inside the value stay those of the
    settings, to look up origins by, and the caller masks what it prints.
    """
    # Redaction recurses; give it room for as deep a tree as was loaded.
    with recursion_room(depth(value)):
        return redact_at(path, value, keys=keys, declared=declared)


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

    Secrets (keys naming a SECRET, PASSWORD, TOKEN, ..., passwords in
    URLs, keys a schema declares writeOnly and values from the secrets
    directory) are printed as *** unless --show-secrets is given.
    """
    if explain and output_format != "json":
        raise click.UsageError("--explain cannot be combined with --format env")
    cfg = _load(root, env)
    value = _value(cfg, key)
    path = _path(key) if key is not None else ()
    if not show_secrets:
        value = _redact(declared_in(cfg), path, value, keys=not explain)
    if explain:
        _explain(cfg, path, value, show_secrets)
    elif output_format == "env":
        for part in reversed(path):
            value = {part: value}
        # All or nothing: an error half way must not leave half a file.
        # A key the schemas declare a string is read back as the text.
        types = cfg.schemas.declared_types if cfg.schemas is not None else None
        import shlex

        from ..config.tooling import to_environ

        lines = [f"{name}={shlex.quote(text)}" for name, text in to_environ(value, "AMPHO", types)]
        for line in lines:
            click.echo(line)
    else:
        click.echo(_json(value, indent=2))


def _explain(cfg: Config, path: KeyPath, value: Any, show_secrets: bool) -> None:
    """One line per leaf: its key, as ``KEY`` takes it, its value and origin.

    ``value`` is redacted but for its keys, which find the origins; they
    are masked as they are printed.
    """
    if isinstance(value, dict) and (value or not path):
        leaves = list(iter_leaves(value, path))
    else:
        leaves = [(path, value)]
    for leaf_path, leaf in leaves:
        if show_secrets:
            shown_path, shown = format_key(leaf_path), leaf
        else:
            shown_path, shown = _shown_key(leaf_path), redact_keys(leaf)
        click.echo(f"{shown_path} = {_json(shown)}  ({cfg.origin(leaf_path)})")


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
    value = _value(_load(root, env, strict=True), key)
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

    Reports, with file:line: parse errors, duplicate keys, schemas that
    are not valid JSON Schemas and every setting that breaks a bundle's
    schema.json (errors); keys neither a default.json sets nor a schema
    declares, types that differ from default.json, top-level keys that
    are not upper case (but "$schema", which is for editors), secrets in
    default.json and user@host files with secrets that others can read
    (warnings).
    Errors exit with status 1; warnings only with --strict.
    """
    project_on_path(root)
    # The check parses and loads a few calls deeper than a plain load,
    # and the parser's limit is the recursion limit: room for as deep a
    # document as a load accepts, so the check handles every one.
    # Imported here: the other commands need none of it.
    from ..config.tooling import ERROR, check_instance

    with recursion_room(sys.getrecursionlimit()):
        findings = check_instance(root, envs)
    for finding in findings:
        # A finding names keys, never values; a key may be a URL with
        # its password, or a token used as a name.
        click.echo(redact_shapes(str(finding)))
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
    """Print the keys whose values differ between ENV_A and ENV_B.

    Secrets are printed as *** unless --show-secrets is given; a key that
    is a declared secret in either environment is one in both.
    """
    warnings: list[str] = []
    # Two calls, not a comprehension, whose frame would leave the parser
    # less room than the other commands have (see recursion_room).
    configs = [_load(root, env_a, warnings=warnings), _load(root, env_b, warnings=warnings)]
    # Two environments share the violations of default.json.
    echo_warnings(list(dict.fromkeys(warnings)))
    declared = declared_in(*configs)
    # Compare the real values, show the redacted ones: two different
    # passwords are a difference worth seeing, even as *** and ***.
    leaves = [dict(iter_leaves(cfg.to_dict())) for cfg in configs]
    width = max(len(env_a), len(env_b))
    missing = object()
    # Printed at once, as dump prints: an echo a line was a third of the
    # time of a diff of 100,000 keys.
    lines = []
    for path in sorted(leaves[0].keys() | leaves[1].keys()):
        values = [side.get(path, missing) for side in leaves]
        # Compared as written: 1 and 1.0 differ, as do [1] and [1.0].
        if missing not in values and _json(values[0]) == _json(values[1]):
            continue
        lines.append(format_key(path) if show_secrets else _shown_key(path))
        for name, cfg, value in zip((env_a, env_b), configs, values, strict=True):
            if value is missing:
                lines.append(f"  {name:<{width}}  (not set)")
                continue
            if not show_secrets:
                value = _redact(declared, path, value)
            lines.append(f"  {name:<{width}}  {_json(value)}  ({cfg.origin(path)})")
    if lines:
        click.echo("\n".join(lines))


@config_group.command("schema")
@_root_option
def schema(root: str | None) -> None:
    """Print the combined JSON Schema of the application's settings.

    One draft 2020-12 document that holds the schema.json of every
    bundle (and Ampho's own, for LOG_*): point an editor at it, with a
    top-level "$schema" key in an instance file or VS Code's json.schemas
    setting, to have the files checked and completed as you type. Only
    the schemas are read, so it works while the instance files break
    them. Without an application (no entry bundle here) there is no
    schema to print: that is an error, so a script that writes the file
    for an editor learns of it.
    """
    project_on_path(root)
    from ..config.tooling import load_schemas

    found = bundle_files(entry_from_environ(os.environ))
    schemas = load_schemas(found[1], root_path(root, os.environ)) if found is not None else None
    if schemas is None:
        raise _no_application()
    click.echo(_json(schemas.document(), indent=2))


def _no_application() -> click.ClickException:
    entry = entry_from_environ(os.environ)
    return click.ClickException(
        f"no schemas to read: no entry bundle {entry!r} here (give --root or AMPHO_ENTRY)"
    )


@config_group.command("explain")
@_root_option
@_env_option
@_show_secrets_option
@click.argument("key")
def explain(root: str | None, env: str | None, show_secrets: bool, key: str) -> None:
    """Print each layer that sets KEY, lowest first; mark the one that wins.

    Each line is where the layer sets KEY (file:line:column, env
    AMPHO_..., or a file of the secrets directory), then its value as
    JSON; the last line, the value the application sees, ends in
    "(wins)". Objects merge key by key across layers: for an object each
    layer's line shows the part it sets, and a last line "merged: ..."
    the result, which wins. A value built from references (${DB.HOST},
    ${env:NAME}) shows its template's layers, then each reference, where
    its value came from and the value, and a last line "composed: ...",
    which wins. Secrets are printed as *** unless --show-secrets is
    given. A key no layer sets is an error.
    """
    cfg = _load(root, env)
    path = _path(key)
    try:
        settings = cfg.explain(path)
    except KeyError:
        settings = []
    if not settings:
        _value(cfg, key)  # the lookup's error names the missing part
        raise click.ClickException(f"{key}: no layer sets it")  # pragma: no cover
    lines = [(str(s.origin) if s.origin is not None else s.layer.name, s.value) for s in settings]
    merged = _value(cfg, key)
    # A key inside a value a template made (COPY.PORT of "${DB}") is
    # explained by that template's references.
    templates = cfg.templates
    made_by = next((path[:d] for d in range(1, len(path) + 1) if path[:d] in templates), path)
    references = cfg.references(made_by)
    # A list a schema merges across layers (x-ampho-merge) is merged too.
    rules = cfg.schemas.merge_rules() if cfg.schemas is not None else {}
    if (isinstance(merged, dict) or path in rules) and not references:
        lines.append(("merged", merged))
    declared = declared_in(cfg)
    for index, (place, value) in enumerate(lines):
        if not show_secrets:
            value = _redact(declared, path, plain_copy(value))
        wins = "  (wins)" if index == len(lines) - 1 and not references else ""
        click.echo(f"{place}: {_json(value)}{wins}")
    if references:
        # A secret composed whole hides its parts; otherwise each part is
        # shown as the rules show it where it was set.
        whole_secret = is_secret_at(made_by, declared)
        for text, origin, value in references:
            if whole_secret and not show_secrets:
                value = _redact(declared, made_by, value)
            elif not show_secrets:
                value = _redact_reference(declared, text, value)
            click.echo(f"  {text} from {origin}: {_json(value)}")
        if not show_secrets:
            merged = _redact(declared, path, merged)
        click.echo(f"composed: {_json(merged)}  (wins)")


def _redact_reference(declared: DeclaredSecrets, text: str, value: Any) -> Any:
    """A reference's value, redacted as the setting (or the variable) it
    names would be."""
    inner = text[2:-1].strip()
    if inner.startswith("env:"):
        return redact(value, inner[4:].partition(":-")[0])
    return _redact(declared, _path(inner), value)


@config_group.command("docs")
@_root_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="A plain text table, or a JSON list of objects for other tools.",
)
def docs(root: str | None, output_format: str) -> None:
    """Print a reference of the settings the schemas declare.

    One row per declared setting, in the schemas' order: its dotted KEY,
    its TYPE, its DEFAULT (as JSON) and the layer the DEFAULT is FROM,
    the schema that DECLARES it (named after its bundle) and its
    DESCRIPTION. The default is the value the application has when only
    the defaults set the key: the highest of the bundles' SETTINGS
    classes and default.json files and the instance's default.json that
    sets it, as written there; else, for a LOG_* key, Ampho's own ("ampho
    (built in)"); "-" when there is none. Secrets are shown as ***.
    "--format json" prints the same as a list of objects with the keys
    key, type, default and default_from (both absent when there is no
    default), declared_in and description. The settings load as for
    "config dump"; "config schema" prints what is declared.
    """
    cfg = _load(root, None)
    if cfg.schemas is None:
        raise _no_application()
    secrets = declared_in(cfg)
    built_in = _built_in_defaults()
    rows = [_doc_row(cfg, secrets, declared, built_in) for declared in cfg.schemas.settings()]
    if output_format == "json":
        click.echo(_json(rows, indent=2))
        return
    header = {
        "key": "KEY",
        "type": "TYPE",
        "default": "DEFAULT",
        "default_from": "DEFAULT FROM",
        "declared_in": "DECLARED IN",
        "description": "DESCRIPTION",
    }
    table = [header] + [
        {
            **row,
            "default": _cut(_json(row["default"])) if "default" in row else "-",
            "default_from": row.get("default_from", "-"),
        }
        for row in rows
    ]
    columns = ["key", "type", "default", "default_from", "declared_in"]
    widths = {column: max(len(line[column]) for line in table) for column in columns}
    for line in table:
        cells = [f"{line[column]:<{widths[column]}}" for column in columns]
        click.echo("  ".join([*cells, line["description"]]).rstrip())


#: Where a default of Ampho's own comes from, as ``config docs`` names it.
BUILT_IN = "ampho (built in)"

#: The widest default the table shows whole (``--format json`` shows any):
#: one long format string would widen every row.
DEFAULT_WIDTH = 32


def _cut(text: str) -> str:
    """``text``, cut to :data:`DEFAULT_WIDTH` with ``...`` when longer."""
    return text if len(text) <= DEFAULT_WIDTH else f"{text[: DEFAULT_WIDTH - 3]}..."


def _built_in_defaults() -> dict[str, Any]:
    """What Ampho's logging uses for a ``LOG_*`` key no layer sets
    (:data:`ampho.logging.settings.DEFAULTS`); the application factory
    names the files after the entry bundle."""
    from ..logging.settings import DEFAULTS

    return {**DEFAULTS, "LOG_FILES_NAME": entry_from_environ(os.environ)}


def _doc_row(
    cfg: Config, secrets: DeclaredSecrets, declared: Declared, built_in: dict[str, Any]
) -> dict[str, Any]:
    """One declared setting for ``config docs``, its default redacted."""
    path = split_key(declared.key)
    row: dict[str, Any] = {"key": declared.key, "type": _readable_type(cfg, declared, secrets)}
    default = _default_of(cfg, path, built_in)
    if default is not None:
        layer, value = default
        row["default"] = _redact(secrets, path, plain_copy(value))
        row["default_from"] = layer
    row["declared_in"] = declared.schema
    row["description"] = " ".join((declared.description or "").split())
    return row


def _default_of(cfg: Config, path: KeyPath, built_in: dict[str, Any]) -> tuple[str, Any] | None:
    """The default of ``path`` and the name of its layer; ``None`` if none.

    The defaults are the layers up to the instance directory's
    ``default.json``: the bundles' classes and ``default.json`` files, in
    load order, then that file. The highest that sets the key gives its
    value as written there (a ``${...}`` reference unresolved, since what
    it resolves to is no default). Without one, a ``LOG_*`` key has
    Ampho's own default.
    """
    instance_default = os.path.join(cfg.instance_dir, "default.json")
    defaults = []
    for layer in cfg.layers:
        defaults.append(layer)
        if layer.path is not None and os.path.abspath(layer.path) == instance_default:
            break
    else:  # pragma: no cover - every load lists the instance's default.json
        defaults = []
    try:
        settings = [s for s in cfg.explain(path) if s.layer in defaults]
    except KeyError:
        settings = []
    if settings:
        return settings[-1].layer.name, settings[-1].value
    if len(path) == 1 and path[0] in built_in:
        return BUILT_IN, built_in[path[0]]
    return None


#: The JSON types in the order ``config docs`` lists them, null last.
_TYPE_ORDER = ("boolean", "integer", "number", "string", "array", "object", "null")

#: How the items of a list are named, by their JSON type.
_PLURALS = {
    "array": "lists",
    "boolean": "booleans",
    "integer": "integers",
    "null": "nulls",
    "number": "numbers",
    "object": "objects",
    "string": "strings",
}


def _readable_type(cfg: Config, declared: Declared, secrets: DeclaredSecrets) -> str:
    """The type a schema declares, as a reader says it: ``boolean,
    integer, string or null``, ``list of strings``, ``one of "smtp" or
    "log"``; ``any`` when it says none.

    The values of an ``enum`` (or ``const``) written at the key are
    listed, but not a secret's; one behind a ``$ref`` is given by its
    type. ``schema.types()`` answers as validation does, ``anyOf`` and
    ``$ref`` included.
    """
    assert cfg.schemas is not None
    path = split_key(declared.key)
    schema = next(s for s in cfg.schemas if s.name == declared.schema)
    values = None if is_secret_at(path, secrets) else _enum_values(schema.at(path))
    if values:
        # Masked as a default would be: a URL's password, say.
        shown = [_json(_redact(secrets, path, value)) for value in values]
        return f"only {shown[0]}" if len(shown) == 1 else f"one of {_or(shown)}"
    types = schema.types(path)
    if types is None:
        return "any"
    items = cfg.schemas.declared_item_types(path)
    names = [_list_of(items) if name == "array" else name for name in _ordered_types(types)]
    return _or(names) if names else "nothing"


def _ordered_types(types: frozenset[str]) -> list[str]:
    """JSON types in the order they are listed, ``integer`` left out
    beside ``number``, which says both."""
    return [t for t in _TYPE_ORDER if t in types and not (t == "integer" and "number" in types)]


def _list_of(items: frozenset[str] | None) -> str:
    """An array, by what its items are: ``list of strings``, or ``list``."""
    if not items:
        return "list"
    return "list of " + _or([_PLURALS[name] for name in _ordered_types(items)])


def _enum_values(nodes: list[dict[str, Any]]) -> list[Any] | None:
    """The values every node's ``enum`` (or ``const``) allows, in the
    first one's order; ``None`` when no node lists values."""
    allowed: list[Any] | None = None
    for node in nodes:
        if isinstance(node.get("enum"), list):
            listed = node["enum"]
        elif "const" in node:
            listed = [node["const"]]
        else:
            continue
        allowed = listed if allowed is None else [v for v in allowed if v in listed]
    return allowed


def _or(words: list[str]) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"
