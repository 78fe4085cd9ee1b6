"""``ampho.config`` works without importing Flask or its companions."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import ampho

HEAVY = ("flask", "werkzeug", "click", "jinja2")

_PRELUDE = """
import sys
heavy = {heavy!r}
already = [name for name in heavy if name in sys.modules]
assert not already, f"imported before ampho: {{already}}"
"""

_CHECK = """
offending = sorted(
    name for name in sys.modules if name.split(".")[0] in heavy
)
print("offending:", offending)
sys.exit(1 if offending else 0)
"""

SNIPPETS = {
    "load": """
        import ampho.config
        cfg = ampho.config.load(sys.argv[1], user="u", host="h", environ={"AMPHO_X": "1"})
        assert cfg.lookup("DB.HOST") == "h", cfg
        cfg.origin("DB.HOST")
        cfg.to_dict()
    """,
    "redact": """
        from ampho.config import redact
        assert redact({"SECRET_KEY": "s"}) == {"SECRET_KEY": "***"}
    """,
    "check": """
        from ampho.config.check import check_instance
        check_instance(sys.argv[1], environ={"USER": "u", "HOSTNAME": "h"})
    """,
    "ampho": """
        import ampho
    """,
}


@pytest.mark.parametrize("name", SNIPPETS)
def test_config_engine_imports_no_web_framework(tmp_path, name):
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance/default.json").write_text('{"DB": {"HOST": "h"}}')
    code = _PRELUDE.format(heavy=HEAVY) + textwrap.dedent(SNIPPETS[name]) + _CHECK
    env = {key: value for key, value in os.environ.items() if not key.startswith("AMPHO_")}
    env["PYTHONPATH"] = str(Path(ampho.__file__).parents[1])
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "offending: []" in result.stdout
