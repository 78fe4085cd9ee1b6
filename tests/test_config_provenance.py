"""``cfg.origin(key)``: which layer, file, line and column set a value."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ampho.config import Layer, Origin, jsontext, load
from ampho.config.sources import files
from ampho.config.sources.environ import EnvironSource, apply_environ

DEFAULT_JSON = """\
{
  "DEBUG": false,
  "DB": {
    "HOST": "localhost",
    "PORT": 5432,
    "OPTIONS": {"TIMEOUT": 5, "RETRIES": 3}
  },
  "NAME": "app"
}
"""

PRODUCTION_JSON = """\
{
    "DB": {
        "HOST": "db.internal"
    },
\t"NAME": "prod"
}
"""


@pytest.fixture
def two_files(write):
    write("instance/default.json", DEFAULT_JSON)
    write("instance/production.json", PRODUCTION_JSON)


def test_origin_of_a_file_value_is_path_line_and_column(two_files, load_root):
    cfg = load_root()
    assert str(cfg.origin("DEBUG")) == "instance/default.json:2:3"
    assert str(cfg.origin("DB.HOST")) == "instance/production.json:3:9"
    assert str(cfg.origin("NAME")) == "instance/production.json:5:2"


def test_origin_stays_with_the_lower_file_for_untouched_siblings(two_files, load_root):
    cfg = load_root()
    # production.json changed DB.HOST, not DB.PORT or DB.OPTIONS.*.
    assert str(cfg.origin("DB.PORT")) == "instance/default.json:5:5"
    assert str(cfg.origin("DB.OPTIONS")) == "instance/default.json:6:5"
    assert str(cfg.origin("DB.OPTIONS.TIMEOUT")) == "instance/default.json:6:17"
    assert str(cfg.origin("DB.OPTIONS.RETRIES")) == "instance/default.json:6:31"


def test_origin_of_a_merged_object_is_the_highest_layer_in_it(two_files, load_root):
    cfg = load_root()
    assert str(cfg.origin("DB")) == "instance/production.json:2:5"


def test_origin_fields_and_layer(two_files, load_root, root):
    cfg = load_root()
    origin = cfg.origin("DB.HOST")
    assert isinstance(origin, Origin)
    assert origin.source == "instance/production.json"
    assert (origin.line, origin.column) == (3, 9)
    assert origin.layer == Layer(
        "instance/production.json", str(root / "instance/production.json"), True
    )
    assert origin.layer in cfg.layers


def test_origin_accepts_a_tuple_for_keys_with_dots(load_root, write):
    write("instance/default.json", '{\n  "a.b": {\n    "c": 1\n  }\n}')
    cfg = load_root()
    assert str(cfg.origin(("a.b", "c"))) == "instance/default.json:3:5"
    assert str(cfg.origin(("a.b",))) == "instance/default.json:2:3"


def test_origin_finds_keys_by_path_not_by_name(load_root, write):
    text = '{"A": {"X": 1},\n "B": {"X": 2},\n "L": [{"X": 3}],\n "X": 4}'
    write("instance/default.json", text)
    cfg = load_root()
    assert str(cfg.origin("A.X")) == "instance/default.json:1:8"
    assert str(cfg.origin("B.X")) == "instance/default.json:2:8"
    assert str(cfg.origin("X")) == "instance/default.json:4:2"


def test_origin_is_not_fooled_by_strings_that_look_like_keys(load_root, write):
    text = '{"A": "B", "S": "{\\"B\\": 1, \\\\", "P": "C:\\\\", "B": 2}'
    write("instance/default.json", text)
    cfg = load_root()
    assert cfg["S"] == '{"B": 1, \\'
    assert cfg["P"] == "C:\\"
    column = text.rindex('"B"') + 1
    assert column == 47
    assert str(cfg.origin("B")) == f"instance/default.json:1:{column}"


def test_origin_of_an_escaped_key(load_root, write):
    write("instance/default.json", '{"X": 0,\n  "\\u0041B": 1}')
    cfg = load_root()
    assert cfg["AB"] == 1
    assert str(cfg.origin("AB")) == "instance/default.json:2:3"


def test_origin_columns_count_characters_not_bytes(load_root, write):
    write("instance/default.json", '{"ÉÉ": 1, "B": 2}')
    assert str(load_root().origin("B")) == "instance/default.json:1:11"


def test_origin_with_crlf_line_endings(load_root, write):
    write("instance/default.json", '{\r\n  "A": 1,\r\n    "B": 2\r\n}\r\n')
    cfg = load_root()
    assert str(cfg.origin("A")) == "instance/default.json:2:3"
    assert str(cfg.origin("B")) == "instance/default.json:3:5"


def test_origin_of_a_list_value_is_its_key(load_root, write):
    write("instance/default.json", '{\n "L": [\n  {"K": 1}\n ]\n}')
    assert str(load_root().origin("L")) == "instance/default.json:2:2"


def test_origin_of_user_host_file(load_root, write):
    write("instance/u@h.json", '{\n  "SECRET_KEY": "x"\n}')
    assert str(load_root().origin("SECRET_KEY")) == "instance/u@h.json:2:3"


def test_origin_of_an_env_variable(load_root, write):
    write("instance/default.json", '{"DB": {"HOST": "file", "PORT": 1}}')
    cfg = load_root(environ={"AMPHO_DB__HOST": "env"})
    origin = cfg.origin("DB.HOST")
    assert str(origin) == "env AMPHO_DB__HOST"
    assert (origin.line, origin.column) == (None, None)
    assert origin.layer == Layer("env", None, True)
    # The sibling is still the file's, the object the variable's.
    assert str(cfg.origin("DB.PORT")) == "instance/default.json:1:25"
    assert str(cfg.origin("DB")) == "env AMPHO_DB__HOST"


def test_origin_below_an_env_variable_that_set_an_object(load_root):
    cfg = load_root(environ={"AMPHO_DB": '{"HOST": "h", "OPTIONS": {"X": 1}}'})
    assert str(cfg.origin("DB.OPTIONS.X")) == "env AMPHO_DB"


def test_origin_of_overrides(load_root, write):
    write("instance/default.json", '{"A": {"B": 1, "C": 2}}')
    cfg = load_root(overrides={"A": {"B": 10}}, environ={"AMPHO_A__C": "20"})
    origin = cfg.origin("A.B")
    assert str(origin) == "overrides"
    assert origin.layer == Layer("overrides", None, True)
    assert str(cfg.origin("A.C")) == "env AMPHO_A__C"


def test_origin_of_defaults_layers(load_root):
    cfg = load_root(defaults=[{"A": 1}, ("bundle", {"B": 2})])
    assert str(cfg.origin("A")) == "defaults[0]"
    assert str(cfg.origin("B")) == "bundle"
    assert cfg.origin("B").layer == Layer("bundle", None, True)


def test_origin_of_a_defaults_file_layer_has_name_line_and_column(load_root, write):
    write("bundles/blog.json", '{\n  "BLOG": {\n    "PER_PAGE": 10\n  }\n}')
    cfg = load_root(defaults=[("blog", "bundles/blog.json")])
    assert str(cfg.origin("BLOG.PER_PAGE")) == "blog:3:5"


def test_origin_of_a_file_outside_root_is_absolute(load_root, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (elsewhere / "default.json").write_text('{\n "A": 1}')
    cfg = load_root(instance_dir=elsewhere)
    assert str(cfg.origin("A")) == f"{elsewhere / 'default.json'}:2:2"


def test_origin_of_a_value_set_to_null(load_root, write):
    write("instance/default.json", '{"A": 1}')
    write("instance/production.json", '{"A": null}')
    assert str(load_root().origin("A")) == "instance/production.json:1:2"


def test_origin_after_a_type_change_in_between(load_root, write):
    write("instance/default.json", '{"A": {"B": 1}}')
    write("instance/production.json", '{"A": "flat"}')
    write("instance/u@h.json", '{"A": {"C": 2}}')
    cfg = load_root()
    assert cfg.to_dict() == {"A": {"C": 2}}
    assert str(cfg.origin("A.C")) == "instance/u@h.json:1:8"
    with pytest.raises(KeyError):
        cfg.origin("A.B")


@pytest.mark.parametrize("key", ["MISSING", "DB.MISSING", "DB.HOST.DEEPER", ("DB", "X")])
def test_origin_of_a_missing_key_is_a_key_error(two_files, load_root, key):
    cfg = load_root()
    with pytest.raises(KeyError):
        cfg.origin(key)


# -- properties -------------------------------------------------------------------

KEYS = st.sampled_from(["A", "B", "C"])
LEAVES = st.none() | st.booleans() | st.integers(-5, 5) | st.lists(st.integers(0, 3), max_size=2)
TREES = st.recursive(
    LEAVES, lambda children: st.dictionaries(KEYS, children, max_size=3), max_leaves=10
)
LAYERS = st.lists(st.dictionaries(KEYS, TREES, max_size=3), min_size=1, max_size=4)


def _merge(lower: object, upper: object) -> object:
    if isinstance(lower, dict) and isinstance(upper, dict):
        out = dict(lower)
        for key, value in upper.items():
            out[key] = _merge(out[key], value) if key in out else value
        return out
    return upper


def _paths(tree: dict, prefix: tuple = ()):
    for key, value in tree.items():
        yield (*prefix, key)
        if isinstance(value, dict):
            yield from _paths(value, (*prefix, key))


def _has(tree: object, path: tuple) -> bool:
    for key in path:
        if not isinstance(tree, dict) or key not in tree:
            return False
        tree = tree[key]
    return True


@settings(max_examples=200, deadline=None)
@given(layers=LAYERS)
def test_origin_is_the_highest_layer_that_has_the_path(layers):
    with tempfile.TemporaryDirectory() as tmp:
        cfg = load(
            root_dir=tmp,
            defaults=[(f"L{i}", layer) for i, layer in enumerate(layers)],
            user="u",
            host="h",
            environ={},
        )
    expected: object = {}
    for layer in layers:
        expected = _merge(expected, layer)
    assert cfg.to_dict() == expected
    for path in _paths(expected):
        highest = max(i for i, layer in enumerate(layers) if _has(layer, path))
        assert str(cfg.origin(path)) == f"L{highest}"


@settings(max_examples=100, deadline=None)
@given(layers=LAYERS)
def test_origin_in_files_points_at_the_key(layers):
    # Written with indent=2, a key d levels down starts at column 2*d+1, and
    # the text there is the key followed by a colon.
    with tempfile.TemporaryDirectory() as tmp:
        texts = {}
        defaults = []
        for i, layer in enumerate(layers):
            texts[f"L{i}"] = json.dumps(layer, indent=2)
            Path(tmp, f"L{i}.json").write_text(texts[f"L{i}"])
            defaults.append((f"L{i}", f"L{i}.json"))
        cfg = load(root_dir=tmp, defaults=defaults, user="u", host="h", environ={})
    expected: object = {}
    for layer in layers:
        expected = _merge(expected, layer)
    for path in _paths(expected):
        origin = cfg.origin(path)
        highest = max(i for i, layer in enumerate(layers) if _has(layer, path))
        assert origin.source == f"L{highest}"
        line = texts[origin.source].splitlines()[origin.line - 1]
        assert origin.column == 2 * len(path) + 1
        assert line[origin.column - 1 :].startswith(json.dumps(path[-1]) + ":")


# -- many keys, many variables: every origin right, the layer indexed once -----------


def _counted_position(text: str, offset: int) -> tuple[int, int]:
    """Lines and columns as an editor counts them, the slow obvious way."""
    line, start, index = 1, 0, 0
    while index < offset:
        char = text[index]
        index += 1
        if char == "\r" and text[index : index + 1] == "\n":
            index += 1
        if char in "\r\n" and index <= offset:
            line, start = line + 1, index
    return line, offset - start + 1


def test_lines_place_every_offset_as_an_editor_counts():
    text = 'a\nb\r\ncd\re\r\r\n\n"\u00e9\U0001f600"\r\nend'
    lines = jsontext.Lines(text)
    for offset in range(len(text) + 1):
        expected = _counted_position(text, offset)
        assert lines.position(offset) == expected, offset
        assert jsontext.position(text, offset) == expected, offset


def test_origins_of_many_keys_are_at_their_lines(load_root, write):
    # Sections end their lines in turn with LF, CRLF and a lone CR, as
    # files edited on several systems do. Key i of section s is on line
    # 3 + s * 52 + i, at column 5.
    sections = []
    for s in range(60):
        newline = ("\n", "\r\n", "\r")[s % 3]
        keys = f",{newline}".join(f'    "K{i}": {i}' for i in range(50))
        sections.append(f'  "S{s}": {{{newline}{keys}{newline}  }}')
    write("instance/default.json", "{\n" + ",\n".join(sections) + "\n}\n")
    cfg = load_root()
    for s in range(60):
        for i in range(50):
            assert (
                str(cfg.origin((f"S{s}", f"K{i}"))) == f"instance/default.json:{3 + s * 52 + i}:5"
            )


def _file_source(directory: Path, text: str) -> files.FileSource:
    """The source of a file holding ``text``, read as a load reads it."""
    path = directory / "d.json"
    path.write_bytes(text.encode("utf-8"))
    source = files.FileSource(str(path), "d.json")
    source.apply({})
    return source


def test_a_file_is_indexed_once_however_many_origins_are_asked(monkeypatch, tmp_path):
    indexed: list[str] = []

    class CountedLines(jsontext.Lines):
        __slots__ = ()

        def __init__(self, text: str, end: int | None = None) -> None:
            indexed.append("lines")
            super().__init__(text, end)

    def counted_key_offsets(text: str) -> dict:
        indexed.append("keys")
        return jsontext.key_offsets(text)

    monkeypatch.setattr(files, "Lines", CountedLines)
    monkeypatch.setattr(files, "key_offsets", counted_key_offsets)
    text = json.dumps({f"K{i}": i for i in range(500)}, indent=1)
    source = _file_source(tmp_path, text)
    for i in range(500):
        # ' "K12": 12': the key at column 2, its value after '": '.
        assert str(source.origin((f"K{i}",))) == f"d.json:{i + 2}:2"
        assert str(source.value_origin((f"K{i}",))) == f"d.json:{i + 2}:{7 + len(str(i))}"
    assert sorted(indexed) == ["keys", "lines"]


def test_value_origin_skips_the_key_and_its_colon(tmp_path):
    text = '{\r"A\\"B"\r  :\r\t[1]}'
    source = _file_source(tmp_path, text)
    assert str(source.value_origin(('A"B',))) == "d.json:4:2"
    assert source.value_origin(("C",)) is None


def _env_origin_by_scanning(applied, path):
    """The rule, the slow obvious way: the last variable at, above or below the path."""
    for name, target, _ in reversed(applied):
        depth = min(len(target), len(path))
        if target[:depth] == path[:depth]:
            return f"env {name}"
    return None


class _CountedList(list):
    """A list that counts how often it is gone through."""

    def __init__(self, items):
        super().__init__(items)
        self.passes = 0

    def __iter__(self):
        self.passes += 1
        return super().__iter__()

    def __reversed__(self):
        self.passes += 1
        return super().__reversed__()


def test_env_origins_of_many_variables():
    environ = {f"AMPHO_S{i % 40}__N{i % 7}__V{i}": str(i) for i in range(2000)}
    environ |= {f"AMPHO_S{i}": "{}" for i in range(0, 40, 3)}  # objects replaced, then filled
    environ |= {"AMPHO_S5__N2": '{"X": 1}', "AMPHO_T": "1"}
    plain = apply_environ({}, environ, "AMPHO")
    counted = EnvironSource(environ, "AMPHO")
    counted.apply({})
    assert counted.applied == plain
    applied = counted.applied = _CountedList(plain)
    # Each variable's key path and every path above it, and some below.
    targets = [tuple(name.removeprefix("AMPHO_").split("__")) for name in environ]
    paths = [target[:depth] for target in targets for depth in range(1, len(target) + 1)]
    paths += [("S5", "N2", "X"), ("S5", "N2", "X", "DEEPER"), ("NOWHERE",), ("S1", "NOWHERE")]
    for path in paths:
        found = counted.origin(path)
        assert (None if found is None else str(found)) == _env_origin_by_scanning(plain, path)
    # One pass to index them, however many origins were asked.
    assert applied.passes == 1
