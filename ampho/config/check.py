"""Finding mistakes in an instance directory before they cost a deploy.

Loading stops at the first broken file and silently accepts a setting
that nobody reads. :func:`check_instance` looks at every file and
reports each problem with its place, for ``ampho config check``.
"""

from __future__ import annotations

import difflib
import json
import os
import stat
import time
from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from .errors import ConfigError, Origin, SettingsInvalid
from .flaskkeys import FLASK_KEYS, extension_of
from .jsontext import duplicates, json_type, key_positions, position
from .loader import bundle_files, defaults_source, load
from .output import recursion_room
from .paths import (
    check_name,
    display_path,
    entry_from_environ,
    environments_there,
    instance_path,
    named_env,
    needs_file,
    root_path,
)
from .redaction import find_declared, find_secrets
from .references import written_text
from .sources.declared import DeclaredSource
from .sources.files import SCHEMA_KEY, is_hidden_or_backup, read_json_file, read_regular_file
from .tree import copy_input, copy_tree, depth, format_key, merge_layer

if TYPE_CHECKING:
    from .schema import SchemaItem, Schemas
    from .settings import Config
    from .sources import DocumentItem, Source
    from .tree import KeyPath
    from .validation import Violation

ERROR = "error"
WARNING = "warning"

#: The environment in which a true ``DEBUG`` is a warning.
PRODUCTION = "production"


class Finding(NamedTuple):
    """One problem found by :func:`check_instance`."""

    #: ``"error"`` (the configuration cannot load as meant) or ``"warning"``.
    severity: str
    #: Where the problem is: a file (with line and column when it has
    #: them), an environment variable, a secrets file.
    where: Origin
    #: What is wrong, on one line.
    message: str

    @property
    def source(self) -> str:
        """The place as shown, a file relative to the root directory."""
        return self.where.source

    @property
    def line(self) -> int | None:
        """1-based line, if the problem has one."""
        return self.where.line

    @property
    def column(self) -> int | None:
        """1-based column, if the problem has one."""
        return self.where.column

    def __str__(self) -> str:
        return f"{self.where}: {self.severity}: {self.message}"


def _finding(
    severity: str, source: str, line: int | None, column: int | None, message: str
) -> Finding:
    return Finding(severity, Origin(source, line, column), message)


def _unplaced(severity: str, source: str, message: str) -> Finding:
    """A finding about a whole file or directory, with no line in it."""
    return Finding(severity, Origin(source), message)


def _error(error: ConfigError, default: str) -> Finding:
    """An error that stopped a read or a load, at its place (else ``default``)."""
    return Finding(ERROR, error.where or Origin(default), error.message)


class _File(NamedTuple):
    source: str
    path: str
    data: dict[str, Any]
    text: str
    positions: dict[KeyPath, tuple[int, int]]


def check_instance(
    root_dir: str | os.PathLike[str] | None = None,
    envs: Iterable[str] = (),
    *,
    instance_dir: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
    env_prefix: str = "AMPHO",
    defaults: Iterable[DocumentItem | Source] = (),
    schemas: Iterable[SchemaItem] = (),
    bundles: bool = True,
) -> list[Finding]:
    """Check every ``*.json`` file of an instance directory.

    Each check is small and reads what the loader reads, with its own
    pieces: every file with the file source's reader (keeping repeated
    keys, to report them all), the bundles' files and the defaults as the
    load's lowest layers, and finally a full :func:`~ampho.config.load`
    of each environment checked.

    :param root_dir: as for :func:`load`.
    :param defaults: as for :func:`load`, defaults beneath the instance
        files, such as bundles' ``default.json``: their keys are known
        keys too, and the full loads include them.
    :param schemas: as for :func:`load`: each is checked as a schema, the
        keys they declare are known keys, the keys they declare
        ``writeOnly`` are secrets, and every violation of the full loads
        is an error.
    :param bundles: as for :func:`load`: the settings of the entry bundle
        and all it requires (``default.json``, ``schema.json``, the
        classes of ``SETTINGS``) and Ampho's own schema join ``defaults``
        and ``schemas``, when
        the entry bundle can be imported, so the check reads what the
        application reads.
    :param envs: environments to check. With none, every file is checked
        and the environment :func:`load` would choose is loaded. With
        some, only ``default.json``, their files and ``user@host`` files
        are checked, another file is reported as never loaded, and each
        environment is loaded in full.
    :return: the findings, in file and line order.
    """
    if environ is None:
        environ = os.environ
    root = root_path(root_dir, environ, env_prefix)
    instance = instance_path(root, instance_dir, environ, env_prefix)
    envs = list(envs)
    for env in envs:
        check_name("environment", env)
    instance_shown = display_path(instance, root)
    if not os.path.isdir(instance):
        return [_unplaced(ERROR, instance_shown, "no such instance directory")]
    # Environments meant to have a file: those given, else the one the
    # variables name, with which the application would run on
    # default.json alone just the same.
    given = envs or [env for env in (named_env(environ, env_prefix),) if env is not None]
    findings = _missing_environments(instance, instance_shown, list(filter(needs_file, given)))
    files = _read_instance(instance, root, envs, findings)
    if files is None:
        return findings

    defaults = list(defaults)
    schemas = list(schemas)
    if bundles:
        _add_bundle_files(environ, env_prefix, defaults, schemas, findings)
    declared = _schemas(schemas, root, findings)
    if declared is not None:
        findings += [
            Finding(WARNING, e.where or Origin("schemas"), e.message)
            for e in declared.unchecked_formats()
        ]
    known = _known_keys(defaults, files.get("default.json"), root, findings)
    from_classes = any(isinstance(item, DeclaredSource) for item in defaults)
    findings += _check_files(files, known, bool(defaults), declared, from_classes)
    if not defaults and not os.path.exists(os.path.join(instance, "default.json")):
        findings.append(
            _unplaced(
                WARNING,
                f"{instance_shown}/default.json",
                "is missing, so keys of other files cannot be checked against it",
            )
        )
    findings += _check_secret_key(instance, instance_shown)

    if not any(f.severity == ERROR for f in findings):
        chosen: list[str | None] = list(envs) or [None]
        for selected in chosen:  # None: the environment load() chooses
            try:
                cfg = load(
                    root,
                    selected,
                    instance_dir=instance,
                    environ=environ,
                    env_prefix=env_prefix,
                    defaults=defaults,
                    schemas=schemas,
                    # The bundles' files are in defaults and schemas now.
                    bundles=False,
                )
            except SettingsInvalid as e:
                findings += [_violation_finding(v) for v in e.violations]
            except ConfigError as e:
                findings.append(_error(e, instance_shown))
            else:
                findings += _check_debug_reaching_production(cfg)
                findings += _check_key_can_be_generated(cfg, instance, instance_shown)
                findings += _check_key_age(cfg, instance, instance_shown)
    findings += _check_debug_in_production_file(files.get(f"{PRODUCTION}.json"), findings)

    # Several environments may share a violation (one in default.json).
    findings = list(dict.fromkeys(findings))
    findings.sort(key=lambda f: (f.source, f.line or 0, f.column or 0))
    return findings


def _missing_environments(instance: str, instance_shown: str, envs: list[str]) -> list[Finding]:
    """A warning for each environment checked that has no file."""
    return [
        _unplaced(
            WARNING,
            f"{instance_shown}/{env}.json",
            f"does not exist, so environment {env!r} loads default.json alone"
            f" (a misspelled environment? {environments_there(instance, env)})",
        )
        for env in envs
        if not os.path.isfile(os.path.join(instance, f"{env}.json"))
    ]


def _read_instance(
    instance: str, root: str, envs: list[str], findings: list[Finding]
) -> dict[str, _File] | None:
    """Every ``*.json`` file of the instance directory that a load of
    ``envs`` reads, as the file source reads it, but with every repeated
    key found; ``None`` when the directory cannot be listed."""
    try:
        names = sorted(os.listdir(instance))
    except OSError as e:
        # Unreadable (a deploy as the wrong user): one finding, not a traceback.
        findings[:] = [
            _unplaced(
                ERROR,
                display_path(instance, root),
                f"cannot be read ({e.strerror or type(e).__name__}), so no file in it"
                " can be checked; run the check as the application's user",
            )
        ]
        return None
    wanted = {"default.json", *(f"{env}.json" for env in envs)}
    files: dict[str, _File] = {}
    for name in names:
        # An editor's lock, swap or backup file is no layer: the
        # application never loads it, so neither does the check.
        if not name.endswith(".json") or is_hidden_or_backup(name):
            continue
        path = os.path.join(instance, name)
        source = display_path(path, root)
        if envs and name not in wanted and "@" not in name:
            message = f"is not loaded in any environment checked ({', '.join(envs)})"
            findings.append(_unplaced(WARNING, source, message))
            continue
        try:
            parsed = read_json_file(path, source, allow_duplicates=True)
        except ConfigError as e:
            findings.append(_error(e, source))
            continue
        if parsed is None:  # removed while we looked
            continue
        data, text = parsed
        for object_path, key, offset in duplicates(text):
            findings.append(
                _finding(
                    ERROR,
                    source,
                    *position(text, offset),
                    f"duplicate key {format_key((*(object_path or ()), key))!r}:"
                    " JSON keeps only the last one",
                )
            )
        files[name] = _File(source, path, data, text, key_positions(text))
    return files


def _add_bundle_files(
    environ: Mapping[str, str],
    env_prefix: str,
    defaults: list[DocumentItem | Source],
    schemas: list[SchemaItem],
    findings: list[Finding],
) -> None:
    """Add the bundles' ``default.json`` and ``schema.json`` files, as the
    load adds them; an error for a named entry bundle that is not there."""
    named = environ.get(f"{env_prefix}_ENTRY")
    found = bundle_files(entry_from_environ(environ, env_prefix))
    if found is not None:
        # The bundles' files and classes.
        defaults += found[0]
        schemas[:0] = found[1]
    elif named:
        # Without an entry bundle a script reads the instance files
        # alone; a named one that is not there cannot start.
        findings.append(
            _unplaced(
                ERROR,
                f"env {env_prefix}_ENTRY",
                f"no bundle {named!r} can be imported from the root directory, so the"
                " application cannot start: check the name",
            )
        )


def _known_keys(
    defaults: list[DocumentItem | Source], default: _File | None, root: str, findings: list[Finding]
) -> dict[str, Any]:
    """The keys the defaults and ``default.json`` set, merged by the
    load's own layers; an error instead for one that cannot be read."""
    known: dict[str, Any] = {}
    for index, item in enumerate(defaults):
        source = defaults_source(index, item, root)
        try:
            # A copy: a mapping given is the caller's, and merging changes it.
            data = copy_input(source.read(), source.name)
        except ConfigError as e:
            findings.append(_error(e, source.name))
            continue
        try:
            merge_layer(known, data, source.name)
        except ConfigError as e:
            findings.append(_error(e, source.name))
            break
    if default is not None:
        try:
            merge_layer(known, copy_tree(default.data), default.source)
        except ConfigError as e:
            findings.append(_error(e, default.source))
    return known


def _check_files(
    files: dict[str, _File],
    known: dict[str, Any],
    has_defaults: bool,
    declared: Schemas | None,
    from_classes: bool = False,
) -> list[Finding]:
    """The checks of each file on its own: key case, unknown keys,
    secrets where they are committed or readable by others."""
    secret_paths = declared.write_only_paths() if declared is not None else frozenset()
    default = "default.json" in files
    # Defaults from a bundle's SETTINGS are in no file: named as defaults.
    described = "default.json"
    if has_defaults:
        described += " nor in a bundle's " + ("defaults" if from_classes else "default.json")
    defaults_named = "the defaults" if from_classes else "default.json"
    # The top-level keys the other instance files set, each with the
    # files that do: a typo of one is a typo too.
    set_in: dict[str, list[str]] = {}
    for name, file in files.items():
        if name != "default.json":
            for key in file.data:
                set_in.setdefault(key, []).append(file.source)
    set_in.pop(SCHEMA_KEY, None)
    found: list[Finding] = []
    for name, file in files.items():
        found += _check_case(file)
        if name == "default.json":
            found += _check_committed_secrets(file, secret_paths)
            continue
        if default or has_defaults:
            found += _check_against_default(
                file, known, (described, defaults_named), declared, set_in
            )
        if "@" in name:
            found += _check_private(file, secret_paths)
    return found


def _check_debug_in_production_file(
    production: _File | None, findings: list[Finding]
) -> list[Finding]:
    """A warning for a true ``DEBUG`` in ``production.json`` that a layer
    above overrides in the loads checked, for now."""
    if production is None or not production.data.get("DEBUG"):
        return []
    line, column = _at(production, ("DEBUG",))
    reaching = _debug_finding(production.data["DEBUG"], production.source, line, column)
    if reaching in findings:
        return []
    return [
        _finding(
            WARNING,
            production.source,
            line,
            column,
            f"DEBUG is {_described_debug(production.data['DEBUG'])} here: a layer above"
            " overrides it in the environments checked, but without that layer"
            " production runs in debug mode; remove it",
        )
    ]


def _check_debug_reaching_production(cfg: Config) -> list[Finding]:
    """A warning at the origin of a true ``DEBUG`` in production.

    ``ampho run`` keeps debug mode off there unless the command line
    asks for it, but a WSGI server serves the application as its
    settings say, and anything that reads ``DEBUG`` (the debug toolbar,
    error handling) follows.
    """
    value = cfg.get("DEBUG") if cfg.env == PRODUCTION else None
    if not value:
        return []
    origin = cfg.origin("DEBUG")
    return [_debug_finding(value, origin.source, origin.line, origin.column)]


def _debug_finding(value: Any, source: str, line: int | None, column: int | None) -> Finding:
    """The warning for a true ``DEBUG`` that reaches production, at its place."""
    return _finding(
        WARNING,
        source,
        line,
        column,
        f"DEBUG is {_described_debug(value)} in the {PRODUCTION} environment: Gunicorn and uWSGI"
        " serve the application in debug mode (`ampho run` ignores the setting there);"
        " set DEBUG in development.json instead",
    )


def _described_debug(value: Any) -> str:
    """A true ``DEBUG`` as a message shows it: a flag or number as it is,
    anything else by its kind only (it may come from a secrets file)."""
    if value is True or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return json.dumps(value)
    return f"a non-empty {'string' if isinstance(value, str) else 'value'} (true to Flask)"


def _schemas(schemas: list[SchemaItem], root: str, findings: list[Finding]) -> Schemas | None:
    """The schemas read and checked; a finding instead for a bad one."""
    if not schemas:
        return None
    from .schema import load_schemas

    try:
        return load_schemas(schemas, root)
    except ConfigError as e:
        findings.append(_error(e, "schemas"))
        return None


def _violation_finding(violation: Violation) -> Finding:
    """A violation as an error, at its place; a missing key at the schema.

    The place is as an origin shows it, ``instance/production.json:3:13``
    or ``env AMPHO_MAIL__PORT``.
    """
    message = f"{violation.key or '(top level)'}: {violation.message}"
    if violation.where is None:
        return _unplaced(ERROR, violation.schema, message)
    message += f" ({violation.schema})"
    return Finding(ERROR, violation.where, message)


def _secrets(data: dict[str, Any]) -> list[KeyPath]:
    """Every secret's key path; redaction recurses, so it gets room to."""
    with recursion_room(depth(data)):
        return list(find_secrets(data))


def _at(file: _File, path: tuple[Any, ...]) -> tuple[int | None, int | None]:
    return file.positions.get(path, (None, None))


def _check_case(file: _File) -> list[Finding]:
    return [
        _finding(
            WARNING,
            file.source,
            *_at(file, (key,)),
            f"key {key!r} is not upper case, and Flask's config ignores such keys",
        )
        for key in file.data
        if key != key.upper() and key != SCHEMA_KEY
    ]


def _check_against_default(
    file: _File,
    known: dict[str, Any],
    described: tuple[str, str],
    declared: Schemas | None,
    set_in: Mapping[str, list[str]],
) -> list[Finding]:
    """Keys no default sets and no schema declares; types unlike the default's.

    A top-level key of Flask's own is known; see :func:`_unknown_key`
    for the rest.

    :param described: how the defaults are named, where a key is missing
        and where a type differs.
    :param set_in: the top-level keys the instance files set, each with
        the files setting it.
    """
    found = []
    # A list of objects left to compare rather than recursion: any depth
    # that loads can be checked.
    stack: list[tuple[dict[str, Any], dict[str, Any], KeyPath]] = [(file.data, known, ())]
    while stack:
        node, reference, path = stack.pop()
        for key, value in node.items():
            here = (*path, key)
            shown = format_key(here)
            if not path and key == SCHEMA_KEY:
                continue
            if key not in reference and _declares(declared, here):
                if isinstance(value, dict):
                    stack.append((value, {}, here))
                continue
            if key not in reference:
                message = _unknown_key(here, reference, declared, set_in, described[0])
                if message is not None:
                    found.append(_finding(WARNING, file.source, *_at(file, here), message))
                continue
            expected = reference[key]
            if isinstance(value, dict) and isinstance(expected, dict):
                stack.append((value, expected, here))
            elif json_type(value) != json_type(expected) and None not in (value, expected):
                found.append(
                    _finding(
                        WARNING,
                        file.source,
                        *_at(file, here),
                        f"{shown} is {json_type(value)} here but"
                        f" {json_type(expected)} in {described[1]}",
                    )
                )
    return found


def _unknown_key(
    here: KeyPath,
    reference: Mapping[str, Any],
    declared: Schemas | None,
    set_in: Mapping[str, list[str]],
    described: str,
) -> str | None:
    """What to say of a key that no default sets and no schema declares;
    ``None`` when it is a Flask key or an installed extension's.

    Keys of Flask and of its extensions are set in environment files and
    declared nowhere (``DEBUG``, ``SQLALCHEMY_DATABASE_URI``), and must
    not be listed as ``null`` in default.json either: a null there is a
    value, and ``app.config.setdefault(...)`` in a hook keeps it. So a
    top-level key is known when Flask's default config has it, and
    passes when its first word names an installed extension
    (:func:`~ampho.config.flaskkeys.extension_of`), unless it is one
    edit from a key known or set elsewhere: a typo (``MAIL_SEVER``).
    One edit, not :mod:`difflib`'s closeness, because an extension's
    keys are alike (``MAIL_USE_SSL`` and ``MAIL_USE_TLS`` are both
    Flask-Mail's). A key set in other files but no better known counts
    when it is set in as many files at least: the rarer of two is the
    likelier typo, and of two as common either may be.
    """
    path, key = here[:-1], here[-1]
    if not path and key in FLASK_KEYS:
        return None
    names = [*reference, *_declared_names(declared, path)]
    elsewhere: dict[str, str] = {}
    if not path:
        names += FLASK_KEYS
        # A key set in more files than this one is no typo of it.
        times = len(set_in.get(key, ()))
        elsewhere = {
            name: sources[0]
            for name, sources in set_in.items()
            if name != key and len(sources) >= times
        }
    if not path and extension_of(key) is not None:
        suggestion = _one_edit_away(key, names) or _one_edit_away(key, elsewhere)
        if suggestion is None:
            return None
    else:
        suggestion = _suggest(key, [*names, *elsewhere])
    message = f"{format_key(here)} is not in {described}"
    if suggestion is not None and suggestion not in names:
        # Neither is known: which one is right, the check cannot tell.
        return f"{message}, nor is {suggestion} (set in {elsewhere[suggestion]}): is one a typo?"
    if suggestion is not None:
        return f"{message} (did you mean {format_key((*path, suggestion))}?)"
    # A top-level key in lower case is no setting to declare: Flask
    # ignores it, as its own warning says.
    if declared is not None and (path or key == key.upper()):
        # Not "add it to default.json": a null there breaks setdefault.
        message += (
            ", and no schema declares it: a typo, or a setting to declare"
            " in a bundle's schema.json or SETTINGS"
        )
    return message


def _one_edit_away(key: str, names: Iterable[str]) -> str | None:
    """The first name one edit from ``key``, ignoring case: a letter
    added, dropped or changed, or two neighbours swapped."""
    wanted = key.upper()
    return next((name for name in names if _one_edit(wanted, str(name).upper())), None)


def _one_edit(a: str, b: str) -> bool:
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    # The first place they differ; all before it is the same.
    at = next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )
    if len(a) != len(b):
        shorter, longer = sorted((a, b), key=len)
        return shorter[at:] == longer[at + 1 :]
    changed = a[at + 1 :] == b[at + 1 :]
    swapped = a[at : at + 2] == b[at : at + 2][::-1] and a[at + 2 :] == b[at + 2 :]
    return changed or swapped


def _declares(declared: Schemas | None, path: KeyPath) -> bool:
    """Whether some schema declares the key path."""
    return declared is not None and any(schema.at(path) for schema in declared)


def _declared_names(declared: Schemas | None, path: KeyPath) -> list[str]:
    """The keys some schema's ``properties`` name in the object at ``path``."""
    if declared is None:
        return []
    return [
        name
        for schema in declared
        for node in schema.at(path)
        if isinstance(node.get("properties"), dict)
        for name in node["properties"]
    ]


def _suggest(key: str, known: Iterable[str]) -> str | None:
    """The known key closest to a misspelled one, ignoring case."""
    by_upper = {str(name).upper(): str(name) for name in known}
    close = difflib.get_close_matches(key.upper(), list(by_upper), n=1)
    return by_upper[close[0]] if close else None


def _check_committed_secrets(file: _File, declared: Collection[KeyPath]) -> list[Finding]:
    data = written_text(file.data)
    paths = dict.fromkeys([*_secrets(data), *find_declared(data, declared)])
    return [
        _finding(
            WARNING,
            file.source,
            *_at(file, path),
            f"{format_key(path)} holds a secret in default.json, which is usually"
            " committed; set it in a user@host file or an AMPHO_ variable",
        )
        for path in paths
    ]


def _check_secret_key(instance: str, instance_shown: str) -> list[Finding]:
    """Warnings about ``secret_key``: who can read it, and a key too short.

    A file the application cannot use at all is refused when it starts;
    here a file that cannot be read is passed over.
    """
    path = os.path.join(instance, "secret_key")
    source = f"{instance_shown}/secret_key"
    try:
        data = read_regular_file(path, source)
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except (ConfigError, OSError):
        return []
    if data is None:
        return []
    findings = []
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        findings.append(
            _unplaced(
                WARNING,
                source,
                f"holds the secret key and other users can read it (mode {mode:04o});"
                " run chmod 600 on it",
            )
        )
    length = len(data.strip())
    if length < 32:
        findings.append(
            _unplaced(
                WARNING,
                source,
                f"holds {length} characters, fewer than the 32 a key needs;"
                " remove it to have a new key generated",
            )
        )
    return findings


def _check_key_can_be_generated(cfg: Config, instance: str, instance_shown: str) -> list[Finding]:
    """An error when the application would have to write ``secret_key``
    and cannot: no setting gives ``SECRET_KEY``, there is no key file,
    and the instance directory is read-only (a mounted ConfigMap)."""
    path = os.path.join(instance, "secret_key")
    if "SECRET_KEY" in cfg or os.path.lexists(path) or os.access(instance, os.W_OK):
        return []
    return [
        _unplaced(
            ERROR,
            f"{instance_shown}/secret_key",
            f"does not exist and cannot be created ({instance_shown} is not writable), so"
            " the application cannot start: set SECRET_KEY, in the secrets directory say,"
            " or put a key in this file",
        )
    ]


#: The age, in days, from which a generated secret key is a warning:
#: a key that signs sessions for years has had years to leak.
KEY_AGE_DAYS = 365


def _check_key_age(cfg: Config, instance: str, instance_shown: str) -> list[Finding]:
    """A warning when the generated key, in use because no setting gives
    ``SECRET_KEY``, was written more than :data:`KEY_AGE_DAYS` days ago
    (the file's mtime; ``ampho secret-key rotate`` renews it), with how
    many previous keys ``secret_key.fallbacks`` keeps.

    A warning only then, not a line at every check: ``--strict`` fails
    on warnings, and a fresh project must pass it.
    """
    if "SECRET_KEY" in cfg:
        return []
    try:
        modified = os.stat(os.path.join(instance, "secret_key")).st_mtime
    except OSError:
        return []
    days = int((time.time() - modified) // 86400)
    if days <= KEY_AGE_DAYS:
        return []
    fallbacks_path = os.path.join(instance, "secret_key.fallbacks")
    try:
        # As the loader reads a file: a FIFO there is never opened.
        data = read_regular_file(fallbacks_path, f"{instance_shown}/secret_key.fallbacks")
    except ConfigError:
        data = None
    fallbacks = len((data or b"").split())
    return [
        _unplaced(
            WARNING,
            f"{instance_shown}/secret_key",
            f"holds a key written {days} days ago, more than {KEY_AGE_DAYS}"
            f" ({fallbacks} previous key(s) kept): run ampho secret-key rotate",
        )
    ]


def _check_private(file: _File, declared: Collection[KeyPath]) -> list[Finding]:
    data = written_text(file.data)
    secrets = list(dict.fromkeys([*_secrets(data), *find_declared(data, declared)]))
    if not secrets:
        return []
    try:
        mode = stat.S_IMODE(os.stat(file.path).st_mode)
    except OSError:
        return []
    if not mode & (stat.S_IRGRP | stat.S_IROTH):
        return []
    return [
        _unplaced(
            WARNING,
            file.source,
            f"holds secrets ({', '.join(format_key(p) for p in secrets)}) and other users"
            f" can read it (mode {mode:04o}); run chmod 600 on it",
        )
    ]
