"""Every way a layer can be broken is a located, one-line ConfigError."""

from __future__ import annotations

import codecs
import json
import os
import pickle
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from processes import AMPHO, assert_one_line_error, call_as_user, run

import ampho
from ampho.config import ConfigError, load


def _error(load_root, **kwargs) -> ConfigError:
    with pytest.raises(ConfigError) as excinfo:
        load_root(**kwargs)
    error = excinfo.value
    assert isinstance(error, ValueError)
    assert "\n" not in str(error)
    return error


# -- the exception itself ------------------------------------------------------


def test_config_error_is_a_value_error():
    assert issubclass(ConfigError, ValueError)


def test_config_error_str_starts_with_the_location():
    error = ConfigError("Expecting ',' delimiter", path="/abs/p.json", line=12, column=5)
    assert str(error) == "/abs/p.json:12:5: Expecting ',' delimiter"
    assert (error.path, error.line, error.column) == ("/abs/p.json", 12, 5)


def test_config_error_shows_source_instead_of_path():
    error = ConfigError("bad", path="/abs/instance/x.json", line=3, source="instance/x.json")
    assert str(error) == "instance/x.json:3: bad"
    assert error.path == "/abs/instance/x.json"


def test_config_error_without_location_is_the_message():
    error = ConfigError("bad thing")
    assert str(error) == "bad thing"
    assert (error.path, error.line, error.column) == (None, None, None)


def test_config_error_message_is_one_line():
    error = ConfigError("first\nsecond\r\n  third", path="f.json", line=1, column=1)
    assert str(error) == "f.json:1:1: first second third"


@pytest.mark.parametrize(
    "error",
    [
        ConfigError("Expecting value", path="/r/i/p.json", line=2, column=3, source="i/p.json"),
        ConfigError("no location"),
        ConfigError("env", source="env AMPHO_DB__HOST"),
    ],
    ids=["file", "bare", "env"],
)
def test_config_error_survives_pickle(error):
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is ConfigError
    assert str(copy) == str(error)
    assert (copy.path, copy.line, copy.column, copy.source) == (
        error.path,
        error.line,
        error.column,
        error.source,
    )
    assert copy.args == error.args


def test_config_error_raised_by_load_survives_pickle(load_root, write):
    write("instance/production.json", '{\n  "A": 1\n  "B": 2\n}')
    error = _error(load_root)
    copy = pickle.loads(pickle.dumps(error))
    assert str(copy) == str(error)
    assert str(error) == (
        "instance/production.json:3:3: a comma is missing before this"
        " (expected , or } after a value)"
    )
    assert (copy.path, copy.line, copy.column) == (error.path, 3, 3)


# -- invalid JSON ----------------------------------------------------------------


def test_invalid_json_reports_line_and_column(load_root, write, root):
    lines = ["{"]
    lines += [f'  "A{i}": {i},' for i in range(1, 10)]  # lines 2 to 10
    lines += ['  "OBJ": {"X": 1', '    "Y": 2}', "}"]  # the error is on line 12
    path = write("instance/production.json", "\n".join(lines) + "\n")
    error = _error(load_root)
    assert str(error) == (
        "instance/production.json:12:5: a comma is missing before this"
        " (expected , or } after a value)"
    )
    assert error.path == str(path)
    assert (error.line, error.column) == (12, 5)
    assert error.path == str(root / "instance/production.json")


#: What a file's bytes give: the whole line of the ConfigError, location
#: (characters, 1-based, lines as an editor shows them) and one sentence.
SYNTAX_ERRORS = [
    # Comments, in every place the decoder meets them.
    (
        "line comment",
        b'{\n  // the port\n  "PORT": 80\n}',
        "2:3: JSON has no comments: remove this one",
    ),
    ("block comment", b"/* settings */\n{}", "1:1: JSON has no comments: remove this one"),
    ("comment after a value", b'{"A": 1 /* one */}', "1:9: JSON has no comments: remove this one"),
    ("hash comment", b'{\n# port\n"PORT": 80}', "2:1: JSON has no comments: remove this one"),
    (
        "comment after the object",
        b'{"A": 1}\n// end\n',
        "2:1: JSON has no comments: remove this one",
    ),
    # Trailing commas, pointed at the comma.
    (
        "trailing comma in an object",
        b'{"A": 1,}',
        "1:8: a comma before }: remove the trailing comma",
    ),
    (
        "trailing comma in an array",
        b'{"A": [1, 2,\n]}',
        "1:12: a comma before ]: remove the trailing comma",
    ),
    (
        "trailing comma, CRLF",
        b'{\r\n  "A": 1,\r\n\r\n}\r\n',
        "2:9: a comma before }: remove the trailing comma",
    ),
    # Quotes.
    (
        "single-quoted key",
        b"{'A': 1}",
        "1:2: a string in single quotes: JSON strings take double quotes",
    ),
    (
        "single-quoted value",
        b"{\"A\": 'x'}",
        "1:7: a string in single quotes: JSON strings take double quotes",
    ),
    (
        "curly quotes",
        "{\u201cA\u201d: 1}".encode(),
        '1:2: a curly quote: JSON strings take straight double quotes (")',
    ),
    (
        "unquoted key",
        b"{\n  PORT: 80\n}",
        '2:3: the key PORT is not in double quotes: write "PORT"',
    ),
    # Inside strings.
    ("tab in a string", b'{"A": "a\tb"}', "1:9: a tab inside a string: write it as \\t"),
    (
        "line break in a string",
        b'{\n  "A": "abc,\n  "B": 1\n}',
        "2:13: a line break inside a string: close the string on its line,"
        " or write the line break as \\n",
    ),
    (
        "CR in a string, CR-only file",
        b'{\r"A": 1,\r"B": "x\r"}',
        "3:8: a line break inside a string: close the string on its line,"
        " or write the line break as \\n",
    ),
    (
        "control character in a string",
        b'{"A": "\x1b[31m"}',
        "1:8: a control character (U+001B) inside a string: write it as \\u001b",
    ),
    (
        "unterminated string",
        b'{\n  "A": "abc}',
        "2:8: a string that is never closed: add the closing double quote",
    ),
    (
        "backslash of a Windows path",
        b'{"DIR": "C:\\Users"}',
        "1:12: \\U is not an escape JSON knows: write a backslash as \\\\",
    ),
    ("short \\u escape", b'{"A": "\\u12"}', "1:8: \\u must be followed by four hexadecimal digits"),
    # Crashes and encodings: the whole file, no place in it.
    (
        "only NUL bytes",
        b"\0" * 4096,
        ": holds only NUL bytes, as a crash can leave a file; restore it,"
        " or write {} for a layer with no settings",
    ),
    (
        "NUL bytes after the object",
        b'{"A": 1}\n' + b"\0" * 100,
        "2:1: a NUL byte, as a crash can leave in a file: restore the file,"
        " or remove the NUL bytes",
    ),
    (
        "UTF-16 without a byte order mark",
        '{"A": "\u00e9"}'.encode("utf-16-le"),
        ": is UTF-16 text without a byte order mark; save it as UTF-8",
    ),
    (
        "UTF-16 big-endian without a byte order mark",
        '{"A": 1}'.encode("utf-16-be"),
        ": is UTF-16 text without a byte order mark; save it as UTF-8",
    ),
    (
        "UTF-16 with a byte order mark",
        '{"A": 1}'.encode("utf-16"),
        ": is UTF-16 text (it starts with a UTF-16 byte order mark); save it as UTF-8",
    ),
    (
        "UTF-32 with a byte order mark",
        '{"A": 1}'.encode("utf-32"),
        ": is UTF-32 text (it starts with a UTF-32 byte order mark); save it as UTF-8",
    ),
    # Columns count characters, whatever bytes they took.
    (
        "invalid byte after multibyte text",
        '{"\u00e9": "\u20ac\U0001f600'.encode() + b'\xff"}',
        "1:10: is not valid UTF-8 (byte 0xff); save it as UTF-8",
    ),
    (
        "syntax error after multibyte text",
        '{"\u00e9": "\u20ac\U0001f600" "B": 1}'.encode(),
        "1:12: a comma is missing before this (expected , or } after a value)",
    ),
    # Lines as an editor counts them: CR, CRLF and LF.
    (
        "CR-only line endings",
        b'{\r  "A": 1\r  "B": 2\r}',
        "3:3: a comma is missing before this (expected , or } after a value)",
    ),
    (
        "mixed line endings",
        b'{\r\n"A": 1,\r"B": 2,\n"C": 3\r\n"D": 4}',
        "5:1: a comma is missing before this (expected , or } after a value)",
    ),
    # Structure.
    (
        "missing comma in an array",
        b'{"A": [1 2]}',
        "1:10: a comma is missing before this (expected , or ] after a value)",
    ),
    ("missing colon", b'{"A" 1}', "1:6: expected : between the key and its value"),
    (
        "equals sign for a colon",
        b'{"A" = 1}',
        "1:6: expected : between the key and its value, not =",
    ),
    (
        "missing value",
        b'{"A": }',
        "1:7: expected a value (a string, number, object, array, true, false or null), not }",
    ),
    ("comma for a key", b'{\n  "A": {,}\n}', "2:9: expected a key in double quotes, not ,"),
    (
        "bracket for a brace",
        b'{"A": {"B": 1]}',
        "1:14: ] does not close the object that starts at line 1, column 7: a } is missing",
    ),
    (
        "unclosed array",
        b'{\n  "A": [1,\n}\n',
        "3:1: } does not close the array that starts at line 2, column 8: a ] is missing",
    ),
    (
        "cut short",
        b'{\n  "A": {\n    "B": 1,\n',
        "4:1: the file ends inside the object that starts at line 2, column 8:"
        " a } is missing, or the file was cut short",
    ),
    (
        "more after the object",
        b'{"A": 1}\n{"B": 2}',
        "2:1: more text after the top-level object: a settings file holds one object",
    ),
    # Values of other languages.
    ("Python's True", b'{"A": True}', "1:7: True is not JSON: write true"),
    ("Python's None", b'{"A": None}', "1:7: None is not JSON: write null"),
    (
        "unquoted text",
        b'{"A": localhost}',
        "1:7: text without double quotes: JSON strings take double quotes"
        " (and true, false and null are lower case)",
    ),
    *(
        (
            f"number {number}",
            b'{"A": ' + number.encode() + b"}",
            "1:7: a number JSON cannot read (it has no leading zeros, + signs, hexadecimal or"
            " trailing dots): write it in double quotes to keep it as text",
        )
        for number in ("01067", "+1", ".5", "1.", "0x1F", "1.2.3", "-")
    ),
]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [pytest.param(raw, expected, id=name) for name, raw, expected in SYNTAX_ERRORS],
)
def test_json_syntax_error_is_one_located_sentence(load_root, write, raw, expected):
    write("instance/default.json", raw)
    error = _error(load_root)
    if expected.startswith(":"):  # about the whole file: no line, no column
        assert str(error) == f"instance/default.json{expected}"
        assert (error.line, error.column) == (None, None)
    else:
        assert str(error) == f"instance/default.json:{expected}"
        line, column, _ = expected.split(":", 2)
        assert (error.line, error.column) == (int(line), int(column))


@pytest.mark.parametrize(
    ("raw", "line"),
    [
        (
            b'{\r  // the port\r  "PORT": 80\r}',
            "instance/production.json:2:3: JSON has no comments: remove this one",
        ),
        (
            '{"PORT": 80}'.encode("utf-16-le"),
            "instance/production.json: is UTF-16 text without a byte order mark; save it as UTF-8",
        ),
    ],
    ids=["comment, CR-only lines", "UTF-16"],
)
def test_json_syntax_error_is_one_line_from_the_command(root, write, raw, line):
    write("instance/production.json", raw)
    result = run(AMPHO, ["config", "dump"], root)
    assert assert_one_line_error(result) == f"Error: {line}"


def test_json_syntax_messages_never_quote_a_value(load_root, write):
    # A password someone forgot to quote, or quoted wrongly: the message
    # says what is wrong without repeating it.
    for text, mistake in [
        ('{"PASSWORD": hunter2}', "text without double quotes"),
        ("{\"PASSWORD\": 'hunter2'}", "a string in single quotes"),
        ('{"PASSWORD": "hunter2\t"}', "a tab inside a string"),
        ('{"PASSWORD": "hunter2', "a string that is never closed"),
    ]:
        write("instance/default.json", text)
        message = str(_error(load_root))
        assert mistake in message
        assert "hunter2" not in message


@pytest.mark.parametrize(
    ("text", "kind", "line", "column"),
    [
        ("[1, 2]", "an array", 1, 1),
        ('"text"', "a string", 1, 1),
        ("42", "a number", 1, 1),
        ("1.5", "a number", 1, 1),
        ("true", "a boolean", 1, 1),
        ("null", "null", 1, 1),
        ("\n\n  [1]\n", "an array", 3, 3),
    ],
)
def test_top_level_must_be_an_object(load_root, write, text, kind, line, column):
    write("instance/default.json", text)
    error = _error(load_root)
    assert str(error) == (
        f"instance/default.json:{line}:{column}: the top level must be a JSON object, not {kind}"
    )


# -- duplicate keys --------------------------------------------------------------


def test_duplicate_top_level_key_points_at_the_second_occurrence(load_root, write):
    write("instance/default.json", '{"A": 1, "A": 2}')
    error = _error(load_root)
    assert (error.line, error.column) == (1, 10)
    assert str(error).startswith("instance/default.json:1:10: duplicate key 'A'")


def test_duplicate_nested_key_points_at_the_second_occurrence(load_root, write):
    write(
        "instance/production.json",
        '{\n  "DB": {\n    "HOST": "a",\n    "HOST": "b"\n  }\n}\n',
    )
    error = _error(load_root)
    assert (error.line, error.column) == (4, 5)
    assert str(error).startswith("instance/production.json:4:5: duplicate key 'DB.HOST'")


def test_duplicate_key_inside_an_array_is_an_error(load_root, write):
    write("instance/default.json", '{"L": [{"K": 1, "K": 2}]}')
    error = _error(load_root)
    assert (error.line, error.column) == (1, 17)
    assert "duplicate key 'K'" in str(error)


def test_duplicate_key_spelled_with_an_escape_is_found(load_root, write):
    write("instance/default.json", '{"A": 1, "\\u0041": 2}')
    error = _error(load_root)
    assert (error.line, error.column) == (1, 10)
    assert "duplicate key 'A'" in str(error)


def test_same_key_in_different_objects_is_not_a_duplicate(load_root, write):
    write("instance/default.json", '{"A": {"X": 1}, "B": {"X": 2}, "L": [{"X": 3}, {"X": 4}]}')
    cfg = load_root()
    assert cfg.lookup("A.X") == 1
    assert cfg.lookup("B.X") == 2


def test_first_of_several_duplicates_is_reported(load_root, write):
    write("instance/default.json", '{\n"A": {"X": 1, "X": 2},\n"B": 1,\n"B": 2\n}')
    error = _error(load_root)
    assert str(error).startswith("instance/default.json:2:15: duplicate key 'A.X'")


# -- encoding and emptiness ----------------------------------------------------


def test_file_that_is_not_utf8_is_located_at_the_bad_byte(load_root, write):
    write("instance/default.json", b'{\n"A": "\xff"\n}')
    error = _error(load_root)
    assert (error.line, error.column) == (2, 7)
    assert str(error).startswith("instance/default.json:2:7: is not valid UTF-8")
    assert "0xff" in str(error)


def test_latin1_file_is_rejected(load_root, write):
    write("instance/default.json", '{"A": "café"}'.encode("latin-1"))
    error = _error(load_root)
    assert (error.line, error.column) == (1, 11)
    assert "0xe9" in str(error)


def test_utf8_file_with_byte_order_mark_is_accepted(load_root, write):
    write("instance/default.json", b'\xef\xbb\xbf{"A": "caf\xc3\xa9"}')
    cfg = load_root()
    assert cfg["A"] == "café"
    assert str(cfg.origin("A")) == "instance/default.json:1:2"


@pytest.mark.parametrize("text", ["", " ", "\n\n", " \t\r\n "], ids=repr)
def test_empty_or_blank_file_is_an_error(load_root, write, text):
    write("instance/default.json", text)
    error = _error(load_root)
    assert str(error).startswith("instance/default.json: ")
    assert "empty" in str(error)
    assert error.line is None


# -- nesting ------------------------------------------------------------------------


def _nested(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def _deep_mapping(depth: int) -> dict:
    tree: dict = {"leaf": 1}
    for _ in range(depth):
        tree = {"a": tree}
    return tree


def test_unclosed_deep_arrays_are_a_config_error(load_root, write):
    write("instance/default.json", "[" * 100000)
    error = _error(load_root)
    assert str(error) == "instance/default.json:1:100000: is nested too deeply (100000 levels)"


def test_deep_valid_objects_are_a_config_error(load_root, write):
    depth = 5000
    write("instance/default.json", _nested(depth))
    error = _error(load_root)
    # The 5000th "{" stands at offset 4999 * 5.
    assert (error.line, error.column) == (1, 4999 * 5 + 1)
    assert "nested too deeply (5000 levels)" in str(error)


def test_deep_object_on_a_later_line_is_located(load_root, write):
    write("instance/default.json", '{\n "A":\n  ' + "[" * 50000 + "]" * 50000 + "\n}")
    error = _error(load_root)
    assert (error.line, error.column) == (3, 50002)


@pytest.mark.parametrize("depth", [600, 900])
def test_nesting_the_parser_accepts_gives_a_usable_config_or_a_config_error(
    load_root, write, depth
):
    # The JSON parser stops near the recursion limit; a document just
    # below it must not load into a Config that then fails with a bare
    # RecursionError when copied.
    write("instance/default.json", _nested(depth))
    try:
        cfg = load_root()
    except ConfigError as e:
        assert "nested too deeply" in str(e)
        return
    try:
        copy = cfg.to_dict()
    except RecursionError:
        # Caught to keep the report short: the traceback is 1000 frames.
        pytest.fail(f"load() accepted {depth} levels, then to_dict() raised RecursionError")
    assert cfg.lookup(".".join(["a"] * depth)) == 1
    node = copy
    for _ in range(depth):
        node = node["a"]
    assert node == 1


def test_deep_layers_that_cannot_be_merged_are_a_config_error(load_root, write):
    # Each file parses, but merging two such trees recurses deeper.
    depth = 450
    write("instance/default.json", _nested(depth))
    write("instance/production.json", _nested(depth))
    error = _error(load_root)
    assert str(error) == "instance/production.json: is nested too deeply to merge"


@pytest.mark.parametrize("depth", [600, 5000])
def test_deep_mappings_load_or_give_a_config_error(load_root, depth):
    # A Python caller can build deeper trees than the parser accepts;
    # copying them must not hit the recursion limit.
    cfg = load_root(defaults=[("bundle", _deep_mapping(depth))])
    assert cfg.lookup(".".join(["a"] * depth + ["leaf"])) == 1
    error = _error(
        load_root,
        defaults=[("bundle", _deep_mapping(depth))],
        overrides=_deep_mapping(depth),
    )
    assert str(error) == "overrides: is nested too deeply to merge"


# -- what is at the path -----------------------------------------------------------


def test_layer_path_that_is_a_directory_is_an_error(load_root, root):
    (root / "instance/production.json").mkdir()
    error = _error(load_root)
    assert str(error) == "instance/production.json: is a directory, not a file"
    assert error.path == str(root / "instance/production.json")


def test_defaults_path_that_is_a_directory_is_an_error(load_root, root):
    (root / "somedir").mkdir()
    error = _error(load_root, defaults=[("bundle", "somedir")])
    assert str(error) == "bundle: is a directory, not a file"


def test_dangling_symlink_layer_is_an_error(load_root, root):
    (root / "instance/default.json").symlink_to(root / "missing.json")
    error = _error(load_root)
    assert str(error) == "instance/default.json: is a symbolic link to a missing file"


def test_symlink_to_a_file_is_followed(load_root, root, write):
    write("shared/settings.json", '{"A": 1}')
    (root / "instance/default.json").symlink_to(root / "shared/settings.json")
    assert load_root()["A"] == 1


_UNREADABLE_CHILD = """
import json, sys
from ampho.config import ConfigError, load
try:
    load(sys.argv[1], user="u", host="h", environ={})
except ConfigError as e:
    print(json.dumps({"str": str(e), "path": e.path, "line": e.line, "type": type(e).__name__}))
else:
    print(json.dumps(None))
"""

NOBODY = 65534


def _others_can_reach(path: Path) -> bool:
    """Whether a user with no rights of its own can read ``path``.

    Every directory above it must be searchable by others, and the
    path itself readable (and searchable, for a directory).
    """
    path = path.resolve()
    if not all(d.stat().st_mode & stat.S_IXOTH for d in path.parents):
        return False
    mode = path.stat().st_mode
    need = stat.S_IROTH | (stat.S_IXOTH if path.is_dir() else 0)
    return mode & need == need


def _load_as_nobody_in_subprocess(base: Path) -> dict | None:
    """Run load() in a fresh interpreter as user 65534."""
    import deepmerge

    paths = [Path(ampho.__file__).parents[1], Path(deepmerge.__file__).parents[1]]
    pythonpath = os.pathsep.join(dict.fromkeys(str(p) for p in paths))
    result = subprocess.run(
        [sys.executable, "-c", _UNREADABLE_CHILD, str(base)],
        user=NOBODY,
        group=NOBODY,
        extra_groups=[],
        cwd=base,
        env={"PYTHONPATH": pythonpath, "PATH": os.defpath},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _load_as_nobody_in_fork(base: Path) -> dict | None:
    """Run load() as user 65534 in a forked child.

    Used when the interpreter itself lives where user 65534 cannot
    reach (a Python installed under /root, mode 0700): the forked child
    needs no exec, as ampho is already imported.
    """
    # The child may not reach the standard library either: import now
    # what a load imports lazily.
    codecs.lookup("utf-8")

    def child() -> dict | None:
        try:
            load(base, user="u", host="h", environ={})
        except ConfigError as e:
            return {"str": str(e), "path": e.path, "line": e.line, "type": type(e).__name__}
        return None

    return call_as_user(NOBODY, child)


def test_unreadable_file_is_an_error():
    base = Path(tempfile.mkdtemp())
    try:
        os.chmod(base, 0o755)
        (base / "instance").mkdir()
        os.chmod(base / "instance", 0o755)
        target = base / "instance/default.json"
        target.write_text('{"A": 1}')
        os.chmod(target, 0)
        if os.geteuid() != 0:
            with pytest.raises(ConfigError) as excinfo:
                load(base, user="u", host="h", environ={})
            error = excinfo.value
            found = {"str": str(error), "path": error.path, "line": error.line}
        else:
            # Root reads any file, so an unprivileged child must try.
            assert _others_can_reach(base / "instance"), "user 65534 cannot reach the file"
            import deepmerge

            needed = [
                Path(sys.executable),
                Path(ampho.__file__).parent,
                Path(deepmerge.__file__).parent,
            ]
            if all(_others_can_reach(p) for p in needed):
                found = _load_as_nobody_in_subprocess(base)
            else:
                found = _load_as_nobody_in_fork(base)
            assert found is not None, "user 65534 read a file with mode 000"
            assert found["type"] == "ConfigError", found
        assert found["str"] == "instance/default.json: cannot be read: Permission denied"
        assert found["path"] == str(target)
        assert found["line"] is None
    finally:
        shutil.rmtree(base)


# -- environment variables, names, defaults --------------------------------------------


def test_env_override_into_a_string_names_the_variable_and_key(load_root, write):
    write("instance/default.json", '{"DB": "sqlite://"}')
    error = _error(load_root, environ={"AMPHO_DB__HOST": "x"})
    assert str(error) == "env AMPHO_DB__HOST: cannot set DB.HOST: DB is a string, not an object"
    assert error.path is None
    assert error.line is None


@pytest.mark.parametrize(
    ("value", "kind"),
    [("[1]", "an array"), ("null", "null"), ("5", "a number"), ("true", "a boolean")],
)
def test_env_override_into_any_non_object_is_an_error(load_root, write, value, kind):
    write("instance/default.json", '{"DB": ' + value + "}")
    error = _error(load_root, environ={"AMPHO_DB__HOST": "x"})
    assert "AMPHO_DB__HOST" in str(error)
    assert f"DB is {kind}" in str(error)


def test_env_override_collision_deep_down_names_the_full_key(load_root, write):
    write("instance/default.json", '{"DB": {"OPTIONS": 5}}')
    error = _error(load_root, environ={"AMPHO_DB__OPTIONS__TIMEOUT": "3"})
    assert str(error) == (
        "env AMPHO_DB__OPTIONS__TIMEOUT: cannot set DB.OPTIONS.TIMEOUT:"
        " DB.OPTIONS is a number, not an object"
    )


def test_env_override_collision_between_two_variables(load_root):
    error = _error(load_root, environ={"AMPHO_A": "1", "AMPHO_A__B": "2"})
    assert str(error).startswith("env AMPHO_A__B: cannot set A.B: A is a number")


def test_env_override_collision_survives_pickle(load_root, write):
    write("instance/default.json", '{"DB": "x"}')
    error = _error(load_root, environ={"AMPHO_DB__HOST": "x"})
    assert str(pickle.loads(pickle.dumps(error))) == str(error)


@pytest.mark.parametrize("what", ["env", "user", "host"])
def test_invalid_name_is_a_one_line_config_error(load_root, what):
    error = _error(load_root, **{what: "../etc/passwd"})
    assert "'../etc/passwd'" in str(error)


@pytest.mark.parametrize(
    "item",
    [42, "a string", None, ("name",), ("name", {}, "extra"), (1, {}), ("name", 42), b"bytes"],
    ids=repr,
)
def test_bad_defaults_item_is_a_config_error(load_root, item):
    error = _error(load_root, defaults=[{"OK": 1}, item])
    assert str(error).startswith("defaults[1] must be")


# -- caller-given mappings -------------------------------------------------------------


def test_overrides_that_hold_themselves_are_a_config_error(load_root):
    looped: dict = {}
    looped["A"] = {"B": looped}
    error = _error(load_root, overrides=looped)
    assert str(error) == "overrides: a mapping or list holds itself"


def test_defaults_with_a_list_that_holds_itself_are_a_config_error(load_root):
    items: list = [1]
    items.append(items)
    error = _error(load_root, defaults=[("bundle", {"ITEMS": items})])
    assert str(error) == "bundle: a mapping or list holds itself"


def test_shared_objects_are_not_mistaken_for_loops(load_root):
    shared = {"PORT": 1}
    cfg = load_root(overrides={"A": shared, "B": [shared, shared]})
    assert cfg.to_dict() == {"A": {"PORT": 1}, "B": [{"PORT": 1}, {"PORT": 1}]}


@pytest.mark.parametrize("overrides", [[("X", 1)], "X=1", 42])
def test_overrides_that_are_not_a_mapping_are_a_config_error(load_root, overrides):
    error = _error(load_root, overrides=overrides)
    assert str(error).startswith("overrides must be a mapping, not ")


def test_a_deleted_current_directory_is_a_config_error(tmp_path, monkeypatch):
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    with pytest.raises(ConfigError) as excinfo:
        load(user="u", host="h", environ={})
    assert str(excinfo.value) == ("the current directory no longer exists; give the root directory")


# -- values JSON cannot hold -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        (
            '{\n  "RATE": NaN\n}',
            2,
            11,
            "RATE: NaN is not a JSON number: write a number, or null",
        ),
        (
            '{"A": {"B": [1, Infinity]}}',
            1,
            17,
            "A.B.1: Infinity is not a JSON number: write a number, or null",
        ),
        (
            '{"A": -Infinity}',
            1,
            7,
            "A: -Infinity is not a JSON number: write a number, or null",
        ),
        (
            '{"A": 1,\n "B": 1e999}',
            2,
            7,
            "B: 1e999 is too large for a number (it would be infinity); write it as a string",
        ),
        (
            '{"A": -1E+400}',
            1,
            7,
            "A: -1E+400 is too large for a number (it would be infinity); write it as a string",
        ),
        (
            '{"A": 1' + "0" * 400 + ".5}",
            1,
            7,
            "A: 10000000000000000000... is too large for a number (it would be infinity);"
            " write it as a string",
        ),
        (
            '{"A": [' + "9" * 5000 + "]}",
            1,
            8,
            "A.0: an integer of 5,000 digits is longer than the 4,300 digits Python reads;"
            " write it as a string",
        ),
    ],
    ids=["NaN", "Infinity", "-Infinity", "1e999", "-1E+400", "400 digits", "5000 digits"],
)
def test_numbers_json_cannot_hold_are_located(load_root, write, text, line, column, message):
    write("instance/production.json", text)
    error = _error(load_root)
    assert (error.source, error.line, error.column, error.message) == (
        "instance/production.json",
        line,
        column,
        message,
    )


@pytest.mark.parametrize("text", ['{"A": 1e308}', '{"A": 1e-999}', '{"A": 4.5e-324}'])
def test_large_and_tiny_finite_numbers_load(load_root, write, text):
    write("instance/default.json", text)
    assert load_root()["A"] == json.loads(text)["A"]


def test_integers_up_to_the_digit_limit_load(load_root, write):
    limit = sys.get_int_max_str_digits()
    write("instance/default.json", '{"A": ' + "9" * limit + "}")
    assert load_root()["A"] == int("9" * limit)


def test_a_number_looking_string_is_not_a_number(load_root, write):
    write("instance/default.json", '{"A": "NaN", "B": "1e999", "C": "' + "9" * 5000 + '"}')
    assert load_root().to_dict() == {"A": "NaN", "B": "1e999", "C": "9" * 5000}


def test_the_first_bad_number_in_the_document_is_reported(load_root, write):
    write("instance/default.json", '{"A": {"NaN": "NaN", "x": [NaN]}, "B": Infinity}')
    error = _error(load_root)
    assert (error.line, error.column) == (1, 28)
    assert error.message.startswith("A.x.0: NaN")


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ('{"A": "x\\ud800"}', 9, "A: the string holds \\ud800,"),
        ('{"A": "\\udfff"}', 8, "A: the string holds \\udfff,"),
        ('{"A": "\\udc00\\ud800"}', 8, "A: the string holds \\udc00,"),
        ('{"A": "\\ud800\\u0041"}', 8, "A: the string holds \\ud800,"),
        ('{"A": "\\ud800 \\udc00"}', 8, "A: the string holds \\ud800,"),
        ('{"\\udfff": 1}', 3, "a key holds \\udfff,"),
        ('{"A": [{"K\\uD800": 1}]}', 11, "A.0: a key holds \\uD800,"),
    ],
)
def test_lone_surrogates_are_located(load_root, write, text, column, message):
    write("instance/default.json", text)
    error = _error(load_root)
    assert (error.line, error.column) == (1, column)
    assert error.message.startswith(message)
    assert error.message.endswith(
        "half of a UTF-16 surrogate pair, which is not text:"
        " write the character itself, or both halves"
    )
    str(error).encode("utf-8")  # printable


@pytest.mark.parametrize(
    "text",
    ['{"A": "\\ud83d\\ude00"}', '{"A": "\\\\ud800"}', '{"A": "\\\\\\\\ud800"}', '{"A": "\\u00e9"}'],
    ids=["a pair", "escaped backslash", "two escaped backslashes", "not a surrogate"],
)
def test_escapes_that_are_text_load(load_root, write, text):
    write("instance/default.json", text)
    assert load_root()["A"] == json.loads(text)["A"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (float("nan"), "overrides: A.B: nan is not a JSON number"),
        ([1, float("-inf")], "overrides: A.B.1: -inf is not a JSON number"),
        ("\ud800", "overrides: A.B: the string is not text (it holds a lone surrogate)"),
        ({"\udfff": 1}, "overrides: A.B: a key is not text (it holds a lone surrogate)"),
        (10**5000, "overrides: A.B: the integer is too long to write out"),
    ],
    ids=["nan", "-inf", "surrogate", "surrogate key", "long integer"],
)
def test_mapping_layers_refuse_what_no_dump_could_print(load_root, value, message):
    assert str(_error(load_root, overrides={"A": {"B": value}})) == message
    error = _error(load_root, defaults=[("bundle", {"A": {"B": value}})])
    assert str(error) == message.replace("overrides", "bundle")


def test_mapping_layers_keep_other_python_objects(load_root):
    cfg = load_root(overrides={"CLASS": dict, "BIG": 10**100, "TEXT": "caf\u00e9"})
    assert cfg["CLASS"] is dict
    assert cfg["BIG"] == 10**100


# -- files that are not regular files ----------------------------------------------------


@pytest.fixture
def alarm():
    """Fail a test that blocks, instead of hanging the suite."""
    import signal

    def expired(signum, frame):
        raise TimeoutError("the load blocked")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(10)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_a_fifo_is_refused_without_blocking(load_root, root, alarm):
    path = root / "instance/production.json"
    os.mkfifo(path)
    error = _error(load_root)
    assert str(error) == "instance/production.json: is a FIFO, not a regular file"
    assert error.path == str(path)


def test_a_fifo_given_as_defaults_is_refused_without_blocking(load_root, root, alarm):
    os.mkfifo(root / "defaults.json")
    error = _error(load_root, defaults=[("bundle", "defaults.json")])
    assert str(error) == "bundle: is a FIFO, not a regular file"


@pytest.mark.parametrize(
    ("target", "kind"), [("/dev/zero", "a character device"), ("/dev/null", "a character device")]
)
def test_a_link_to_a_device_is_refused(load_root, root, alarm, target, kind):
    (root / "instance/default.json").symlink_to(target)
    error = _error(load_root)
    assert str(error) == (
        f"instance/default.json: is a symbolic link to {target}, {kind}, not a regular file"
    )


def test_a_socket_is_refused(load_root, root):
    import socket

    path = root / "instance/default.json"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        error = _error(load_root)
    assert str(error) == "instance/default.json: is a socket, not a regular file"


def test_a_link_to_a_directory_is_refused(load_root, root):
    (root / "conf").mkdir()
    (root / "instance/default.json").symlink_to(root / "conf")
    error = _error(load_root)
    assert str(error) == (
        f"instance/default.json: is a symbolic link to {root / 'conf'}, a directory, not a file"
    )
