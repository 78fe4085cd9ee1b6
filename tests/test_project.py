"""The project's own promises: CI runs what the README tells users to run."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[1]


def quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_readme_quick_start_has_two_commands() -> None:
    commands = quick_start_commands()
    assert len(commands) == 2
    assert "ampho" in commands[0]
    assert "run" in commands[0]
    assert "tox" in commands[1]


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert quick_start_commands()[1] in script
