r"""Schema patterns that could backtrack for ever are found before any match.

``backtracking_problem`` reads a pattern as :mod:`re` parses it. The
refused table holds the classic catastrophic shapes, each of which keeps
:mod:`re` busy for minutes or more on a string of forty characters; the
accepted table holds patterns schemas really use, whose every choice the
next character settles. How a refused pattern reaches a load is tested
in ``test_config_schema.py`` and in the corpus of ``test_hostile.py``.
"""

from __future__ import annotations

import re
import sys

import pytest

from ampho.config.patterns import (
    MAX_DEGREE,
    MAX_NESTING,
    MAX_WAYS,
    SPACES,
    backtracking_problem,
)

EXPONENTIAL = "can share a text in more than one way"
POWER = "growing as the text's length to the power"
WAYS = f"more than {MAX_WAYS:,} ways"


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        (r"^(a+)+$", EXPONENTIAL),
        (r"(a*)*", EXPONENTIAL),
        (r"(a|a)+", EXPONENTIAL),
        (r"(a|aa)+", EXPONENTIAL),
        (r"^(\w+\s?)+$", EXPONENTIAL),
        (r"(x+x+)+y", EXPONENTIAL),
        (r"^(([a-z])+.)+[A-Z]([a-z])+$", EXPONENTIAL),
        # Case folding makes the branches alike.
        (r"(?i)(Ab|ab)+", EXPONENTIAL),
        (r"(?i:Ab|ab)+", EXPONENTIAL),
        # \d matches Arabic-Indic digits too.
        (r"(\d+\u0660)+", EXPONENTIAL),
        # Inside a lookahead, which is matched on its own.
        (r"(?=(a+)+b)", EXPONENTIAL),
        (r"(.*a){20}", POWER),
        (r"(a+){10}", POWER),
        (r".*a.*b.*c.*d", POWER),
        # Cautious: the second character would settle it, the test looks at one.
        (r"(xy|xz|w)+", EXPONENTIAL),
        (r"(a|a){30}", WAYS),
        (r"^(a?){25}a{25}$", WAYS),
    ],
)
def test_patterns_that_could_backtrack_for_ever_are_refused(pattern: str, reason: str) -> None:
    problem = backtracking_problem(pattern)
    assert problem is not None
    assert reason in problem


@pytest.mark.parametrize(
    "pattern",
    [
        r"^[a-z0-9]+(-[a-z0-9]+)*$",
        r"^([a-z0-9-]+\.)+[a-z]{2,}$",
        r"^(?:[a-z]+(?:-[a-z]+)*)(?:\.[a-z]+(?:-[a-z]+)*)*$",
        r"^(\d{1,3}\.){3}\d{1,3}$",
        r"^([01]?\d|2[0-4]\d|25[0-5])(\.([01]?\d|2[0-4]\d|25[0-5])){3}$",
        r"^((25[0-5]|2[0-4]\d|[01]?\d\d?)\.){3}(25[0-5]|2[0-4]\d|[01]?\d\d?)$",
        r"^([0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}$",
        r'^"([^"\\]|\\.)*"$',
        r"^(\w+\s)*\w+$",
        r"^(?=.*[A-Z])(?=.*[a-z])(?=.*\d)(?=.*[^\w\s]).{8,}$",
        r"^[^@]+@[^@]+\.[^@]+$",
        r"^https?://",
        r"^[A-Z][A-Z0-9_]*$",
        r"^\d+(\.\d+)*$",
        r"^sk_(live|test)_[A-Za-z0-9]{24}$",
        r"^.*foo.*$",
        r"^[a-z]{2}(_[A-Z]{2})?$",
        # re merges one-character branches into a set: nothing to choose.
        r"(?i)(A|a)+",
        # Possessive quantifiers never give back what they took.
        r"^(\w++\s?)+$",
    ],
)
def test_patterns_whose_choices_the_next_character_settles_are_accepted(pattern: str) -> None:
    assert backtracking_problem(pattern) is None


def test_the_degree_allowed_is_that_of_the_cube() -> None:
    assert MAX_DEGREE == 3
    assert backtracking_problem(r".*a.*b.*c") is None
    assert backtracking_problem(r".*a.*b.*c.*d") is not None


def test_groups_nested_deeper_than_re_can_surely_parse_are_refused() -> None:
    assert backtracking_problem("(" * MAX_NESTING + "a" + ")" * MAX_NESTING) is None
    deeper = "(" * (MAX_NESTING + 1) + "a" + ")" * (MAX_NESTING + 1)
    assert backtracking_problem(deeper) == "nests groups 51 deep, more than the 50 a pattern may"
    # An escaped parenthesis, or one in a set, opens no group.
    assert backtracking_problem("\\(" * 60 + "[(((]" * 60) is None


def test_an_alternation_of_thousands_of_branches_is_read() -> None:
    """Branches are compared by one sort, not pair by pair."""
    distinct = "|".join(chr(0x4E00 + i) + "x" for i in range(5000))
    assert backtracking_problem(f"^({distinct})+$") is None
    alike = "|".join(f"w{i:04d}" for i in range(5000))
    assert EXPONENTIAL in (backtracking_problem(f"^({alike})+$") or "")


def test_a_pattern_re_cannot_compile_is_left_to_the_schema_check() -> None:
    # jsonschema's check_schema reports it, as "is not a 'regex'".
    assert backtracking_problem("(") is None


def test_the_spaces_are_what_re_matches_with_backslash_s() -> None:
    """The table is exact for this interpreter's Unicode, and no space is a
    word character, which is what keeps ``(\\w+\\s)+`` apart."""
    spaces = [c for c in range(sys.maxunicode + 1) if re.match(r"\s", chr(c))]
    assert spaces == [c for low, high in SPACES for c in range(low, high + 1)]
    assert not [c for c in spaces if re.match(r"\w", chr(c))]
