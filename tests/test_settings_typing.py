"""``ampho.settings(Mail)`` and ``Config.bind(Mail)`` are typed: mypy sees a ``Mail``.

The real ``mypy --strict`` runs in a subprocess on small sample modules
written to a temporary directory: a bundle declaring a frozen dataclass,
code that reads it correctly, code with a misspelt field and code that
puts an ``int`` field in a ``str`` variable. Ampho itself is found where
it is installed, or from the checkout through ``MYPYPATH`` (an editable
install is invisible to mypy), and followed silently, as an installed
library would be, so only the samples' errors count.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import ampho

pytest.importorskip("mypy")

#: The directory holding the ``ampho`` package being tested.
AMPHO_ROOT = Path(ampho.__file__).resolve().parent.parent
#: What mypy is told of it: nothing when it is installed in site-packages,
#: where mypy finds it (and refuses to be pointed at it); the checkout
#: otherwise, which an editable install hides from mypy.
MYPY_PATH = (
    {} if AMPHO_ROOT.name in ("site-packages", "dist-packages") else {"MYPYPATH": str(AMPHO_ROOT)}
)

SAMPLES = {
    "shop/__init__.py": """
        from dataclasses import dataclass


        @dataclass(frozen=True)
        class Mail:
            HOST: str = "localhost"
            PORT: int = 25


        SETTINGS = {"MAIL": Mail}
    """,
    "good.py": """
        from typing_extensions import assert_type

        import ampho
        from ampho.config import Config, load
        from shop import Mail


        def port() -> int:
            value: int = ampho.settings(Mail).PORT
            return value


        def port_of(cfg: Config) -> int:
            value: int = cfg.bind(Mail).PORT
            return value


        def instances() -> None:
            assert_type(ampho.settings(Mail), Mail)
            assert_type(load().bind(Mail), Mail)
            assert_type(load().bind(Mail).HOST, str)
    """,
    "misspelt.py": """
        import ampho
        from shop import Mail

        port: int = ampho.settings(Mail).PROT
    """,
    "wrong_type.py": """
        import ampho
        from ampho.config import Config
        from shop import Mail


        def ports(cfg: Config) -> None:
            port: str = ampho.settings(Mail).PORT
            bound: str = cfg.bind(Mail).PORT
    """,
}

#: Ampho is a library here: followed for its types, its own errors not shown.
MYPY_INI = """
[mypy]

[mypy-ampho.*]
follow_imports = silent
"""

ERROR = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): error: (?P<message>.*)$")


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("typing_samples")
    for name, text in {**SAMPLES, "mypy.ini": MYPY_INI}.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return directory


def mypy(samples: Path, module: str) -> tuple[int, list[tuple[str, int, str]], str]:
    """``mypy --strict`` on one sample: exit code, errors, and the whole output."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--config-file",
            str(samples / "mypy.ini"),
            "--cache-dir",
            str(samples / ".mypy_cache"),
            "--no-color-output",
            "--no-pretty",
            "--hide-error-context",
            module,
        ],
        cwd=samples,
        env={**{k: v for k, v in os.environ.items() if k != "MYPYPATH"}, **MYPY_PATH},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    output = result.stdout + result.stderr
    errors = [
        (found["file"], int(found["line"]), found["message"])
        for found in map(ERROR.match, output.splitlines())
        if found
    ]
    return result.returncode, errors, output


def test_reading_the_settings_as_declared_passes_mypy_strict(samples: Path) -> None:
    code, errors, output = mypy(samples, "good.py")
    assert (code, errors) == (0, []), output
    assert output.startswith("Success: no issues found"), output


def test_a_misspelt_field_is_one_mypy_error(samples: Path) -> None:
    code, errors, output = mypy(samples, "misspelt.py")
    assert code == 1, output
    assert errors == [("misspelt.py", 4, '"Mail" has no attribute "PROT"  [attr-defined]')], output


def test_an_int_field_in_a_str_variable_is_a_mypy_error(samples: Path) -> None:
    code, errors, output = mypy(samples, "wrong_type.py")
    assert code == 1, output
    incompatible = (
        'Incompatible types in assignment (expression has type "int", variable has type "str")'
        "  [assignment]"
    )
    assert errors == [("wrong_type.py", 7, incompatible), ("wrong_type.py", 8, incompatible)], (
        output
    )
