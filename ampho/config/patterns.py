r"""Regular expressions that could keep a load busy for ever.

A schema's ``pattern`` and the keys of its ``patternProperties`` are
matched with :mod:`re`, by :mod:`jsonschema` and by Ampho, and :mod:`re`
backtracks without a time limit: ``^(a+)+$`` against forty ``a`` and a
``!`` tries every way of sharing the ``a`` between the two ``+``, about
2**40 of them, and the load never ends. A bundle installed from PyPI
must not be able to do that to an application, so
:func:`backtracking_problem` finds such patterns, and the schema is
refused when it is read, before anything is matched.

The test reads the pattern as :mod:`re` parses it, and is cautious: it
may refuse a pattern that would have been fast, never the reverse
(within what it models; a lookaround is judged as a pattern of its own).
The matcher backtracks to a choice, another round of a quantifier or
another branch of an alternation, only when the next character does
not settle it: when what the choice may start with overlaps what may
come after it. So:

- inside a part repeated without bound (``+``, ``*``, ``{2,}``), no
  choice may be unsettled: the rounds could then share a text in
  exponentially many ways (``(a+)+``, ``(a|a)*``, ``(\w+\s?)+``), while
  ``(-[a-z0-9]+)*`` or ``([^"\\]|\\.)*`` decide every choice on sight;
- elsewhere each unsettled quantifier multiplies the work by the
  length of the text: ``.*a.*b`` is fine, more than
  :data:`MAX_DEGREE` of them in a row (``.*a.*b.*c.*d``) is not;
- an unsettled choice with a bounded number of options multiplies the
  work by that number (``(\d{1,3}\.){3}`` settles everything; ``(a|a){30}``
  would try 2**30 ways): at most :data:`MAX_WAYS` in all.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Iterable
from typing import Any

if sys.version_info >= (3, 11):
    from re import _constants as sre
    from re import _parser as sre_parse
else:  # pragma: no cover (the suite runs on 3.11)
    import sre_constants as sre
    import sre_parse

#: More unsettled quantifiers than this in a row are refused: the work
#: would grow as a power of the text's length above its cube.
MAX_DEGREE = 3

#: More ways than this to try for one start in the text are refused.
MAX_WAYS = 10_000

#: Groups nested deeper than this are refused. :mod:`re` parses and
#: compiles a pattern recursively, two frames a level, so a pattern a few
#: hundred levels deep fails on Python's recursion limit in one process
#: and not in another; real patterns nest a handful of levels.
MAX_NESTING = 50

#: A set of characters: sorted, disjoint, inclusive code point ranges.
Chars = tuple[tuple[int, int], ...]

_TOP = sys.maxunicode
_EVERYTHING: Chars = ((0, _TOP),)
_NOTHING: Chars = ()


def _normal(ranges: Iterable[tuple[int, int]]) -> Chars:
    merged: list[tuple[int, int]] = []
    for low, high in sorted(ranges):
        if merged and low <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return tuple(merged)


def _union(*sets: Chars) -> Chars:
    return _normal(pair for chars in sets for pair in chars)


def _complement(chars: Chars) -> Chars:
    result = []
    start = 0
    for low, high in chars:
        if low > start:
            result.append((start, low - 1))
        start = high + 1
    if start <= _TOP:
        result.append((start, _TOP))
    return tuple(result)


def _meet(a: Chars, b: Chars) -> bool:
    """Whether two sets share a character."""
    i = j = 0
    while i < len(a) and j < len(b):
        if a[i][1] < b[j][0]:
            i += 1
        elif b[j][1] < a[i][0]:
            j += 1
        else:
            return True
    return False


_DIGITS: Chars = ((0x30, 0x39),)
_WORD: Chars = ((0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A))
#: What ``\s`` matches: the characters :meth:`str.isspace` accepts. It is
#: a short list, unlike the digits and letters of Unicode, and knowing it
#: exactly keeps ``(\w+\s)+`` apart; a test holds it to the interpreter's.
SPACES: Chars = (
    (0x09, 0x0D),
    (0x1C, 0x20),
    (0x85, 0x85),
    (0xA0, 0xA0),
    (0x1680, 0x1680),
    (0x2000, 0x200A),
    (0x2028, 0x2029),
    (0x202F, 0x202F),
    (0x205F, 0x205F),
    (0x3000, 0x3000),
)
#: Characters beyond ASCII that are not spaces: any may be a digit or a letter.
_OTHER = _complement(_union(((0, 0x7F),), SPACES))
_LETTERS: Chars = ((0x41, 0x5A), (0x61, 0x7A))
_NON_ASCII: Chars = ((0x80, _TOP),)

#: For each category, the characters surely in it and those perhaps in it.
_CATEGORIES: dict[Any, tuple[Chars, Chars]] = {
    sre.CATEGORY_DIGIT: (_DIGITS, _union(_DIGITS, _OTHER)),
    sre.CATEGORY_WORD: (_WORD, _union(_WORD, _OTHER)),
    sre.CATEGORY_SPACE: (SPACES, SPACES),
}
for _positive, _negative in (
    (sre.CATEGORY_DIGIT, sre.CATEGORY_NOT_DIGIT),
    (sre.CATEGORY_WORD, sre.CATEGORY_NOT_WORD),
    (sre.CATEGORY_SPACE, sre.CATEGORY_NOT_SPACE),
):
    _surely, _perhaps = _CATEGORIES[_positive]
    _CATEGORIES[_negative] = (_complement(_perhaps), _complement(_surely))

_REPEATS = frozenset(
    op
    for op in (
        sre.MAX_REPEAT,
        sre.MIN_REPEAT,
        getattr(sre, "POSSESSIVE_REPEAT", sre.MAX_REPEAT),
    )
)
_POSSESSIVE = getattr(sre, "POSSESSIVE_REPEAT", None)
_ATOMIC = getattr(sre, "ATOMIC_GROUP", None)


class _Refused(Exception):
    """The pattern could backtrack for too long; the message says why."""


@functools.lru_cache(maxsize=256)
def backtracking_problem(pattern: str) -> str | None:
    """Why matching ``pattern`` could take for ever, or ``None`` when it cannot.

    A pattern :mod:`re` cannot compile is ``None`` too: whoever compiles
    it reports that better.
    """
    nesting = _nesting(pattern)
    if nesting > MAX_NESTING:
        return f"nests groups {nesting} deep, more than the {MAX_NESTING} a pattern may"
    try:
        parsed = sre_parse.parse(pattern)
    except (re.error, OverflowError):
        return None
    except RecursionError:
        return "nests too deeply to be checked"
    fold = bool(parsed.state.flags & re.IGNORECASE)
    try:
        degree, ways = _Walk().sequence(parsed, _NOTHING, fold)
    except _Refused as e:
        return str(e)
    except RecursionError:
        return "nests too deeply to be checked"
    return _excess(degree, ways)


def _nesting(pattern: str) -> int:
    """How deeply groups nest in ``pattern``, or a little more: a ``(``
    escaped or in a ``[...]`` set is passed over, roughly."""
    deepest = level = 0
    escaped = in_set = False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_set:
            in_set = char != "]"
        elif char == "[":
            in_set = True
        elif char == "(":
            level += 1
            deepest = max(deepest, level)
        elif char == ")":
            level -= 1
    return deepest


def _excess(degree: int, ways: int) -> str | None:
    if degree > MAX_DEGREE:
        return (
            f"has {degree} quantifiers in a row whose end the next character cannot"
            " tell, as in .*a.*b, so a failing match takes time growing as the"
            f" text's length to the power {degree}"
        )
    if ways > MAX_WAYS:
        return (
            f"can match one text in more than {MAX_WAYS:,} ways, as (a|a){{30}} can,"
            " and a failing match tries each"
        )
    return None


class _Walk:
    """One pattern's parse tree, read for the choices the next character
    cannot settle.

    :meth:`sequence` answers ``(degree, ways)``: how many unsettled
    quantifiers a match may pass in a row, and how many ways it may try
    for bounded choices; it raises :class:`_Refused` for a part repeated
    without bound whose rounds could share a text in more than one way.
    """

    def __init__(self) -> None:
        self._firsts: dict[tuple[int, bool], tuple[Chars, bool]] = {}

    def first(self, items: Any, fold: bool) -> tuple[Chars, bool]:
        """What a sequence may start with, and whether it may match nothing."""
        key = (id(items), fold)
        found = self._firsts.get(key)
        if found is None:
            chars = _NOTHING
            empty = True
            for op, av in items:
                item_chars, item_empty = self._item_first(op, av, fold)
                chars = _union(chars, item_chars)
                if not item_empty:
                    empty = False
                    break
            found = self._firsts[key] = (chars, empty)
        return found

    def _item_first(self, op: Any, av: Any, fold: bool) -> tuple[Chars, bool]:
        if op in (sre.LITERAL, sre.NOT_LITERAL, sre.ANY, sre.IN, sre.CATEGORY):
            return _leaf(op, av, fold), False
        if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
            return _NOTHING, True  # they consume nothing
        if op == sre.SUBPATTERN:
            return self.first(av[3], fold or bool(av[1] & re.IGNORECASE))
        if op == _ATOMIC:
            return self.first(av, fold)
        if op in _REPEATS:
            chars, empty = self.first(av[2], fold)
            return chars, empty or av[0] == 0
        if op == sre.BRANCH:
            found = [self.first(branch, fold) for branch in av[1]]
            return _union(*(chars for chars, _ in found)), any(empty for _, empty in found)
        if op == sre.GROUPREF_EXISTS:
            yes = self.first(av[1], fold)
            no = self.first(av[2], fold) if av[2] is not None else (_NOTHING, True)
            return _union(yes[0], no[0]), yes[1] or no[1]
        if op == sre.FAILURE:
            return _NOTHING, False
        return _EVERYTHING, True  # a back reference, or what this does not know

    def sequence(self, items: Any, after: Chars, fold: bool) -> tuple[int, int]:
        """``(degree, ways)`` of a sequence followed by what starts with ``after``."""
        degree, ways = 0, 1
        follow = after
        for op, av in reversed(list(items)):
            item_degree, item_ways = self._item(op, av, follow, fold)
            degree += item_degree
            ways = min(ways * item_ways, MAX_WAYS + 1)
            chars, empty = self._item_first(op, av, fold)
            follow = _union(chars, follow) if empty else chars
        return degree, ways

    def _item(self, op: Any, av: Any, follow: Chars, fold: bool) -> tuple[int, int]:
        if op == sre.SUBPATTERN:
            return self.sequence(av[3], follow, fold or bool(av[1] & re.IGNORECASE))
        if op == _ATOMIC:
            return self.sequence(av, follow, fold)
        if op in (sre.ASSERT, sre.ASSERT_NOT):
            # Matched on its own, never re-entered: judged as a pattern.
            problem = _excess(*self.sequence(av[1], _NOTHING, fold))
            if problem is not None:
                raise _Refused(problem)
            return 0, 1
        if op in _REPEATS:
            return self._repeat(op, av, follow, fold)
        if op == sre.BRANCH:
            return self._choice(av[1], follow, fold)
        if op == sre.GROUPREF_EXISTS:
            # The group settles which branch: no choice is left open.
            found = [self.sequence(b, follow, fold) for b in av[1:] if b is not None]
            return max(d for d, _ in found), max(w for _, w in found)
        return 0, 1

    def _choice(self, branches: list[Any], follow: Chars, fold: bool) -> tuple[int, int]:
        """An alternation: settled when no two branches may start alike."""
        starts = []
        for branch in branches:
            chars, empty = self.first(branch, fold)
            starts.append(_union(chars, follow) if empty else chars)
        empties = sum(self.first(branch, fold)[1] for branch in branches)
        open_ = empties > 1 or _overlap(starts)
        found = [self.sequence(branch, follow, fold) for branch in branches]
        degree = max(d for d, _ in found)
        ways = sum(w for _, w in found) if open_ else max(w for _, w in found)
        return degree, min(ways, MAX_WAYS + 1)

    def _repeat(self, op: Any, av: Any, follow: Chars, fold: bool) -> tuple[int, int]:
        low, high, body = av
        chars, empty = self.first(body, fold)
        # Whether the next character may leave "another round or not" open.
        open_ = low != high and op != _POSSESSIVE and (empty or _meet(chars, follow))
        rounds_after = _union(chars, follow) if high > 1 else follow
        degree, ways = self.sequence(body, rounds_after, fold)
        if high == sre.MAXREPEAT:
            if degree or ways > 1 or empty:
                raise _Refused(
                    "repeats a part whose rounds can share a text in more than one way,"
                    " as (a+)+ and (a|a)* do, so a failing match takes exponential time"
                )
            return (1 if open_ else 0), 1
        ways = _power(ways, high)
        if open_:
            ways = min(ways * (high - low + 1), MAX_WAYS + 1)
        return degree * high, ways


def _overlap(sets: list[Chars]) -> bool:
    """Whether two of ``sets`` share a character: one sort, not a
    comparison of each pair (an alternation may have thousands of branches)."""
    ranges = sorted(pair for chars in sets for pair in chars)
    reach = -1
    for low, high in ranges:
        # Ranges of one set never overlap: an overlap is between two sets.
        if low <= reach:
            return True
        reach = max(reach, high)
    return False


def _power(ways: int, times: int) -> int:
    """``ways ** times``, stopping above :data:`MAX_WAYS`."""
    if ways <= 1:
        return ways
    result = 1
    for _ in range(times):
        result *= ways
        if result > MAX_WAYS:
            return MAX_WAYS + 1
    return result


def _leaf(op: Any, av: Any, fold: bool) -> Chars:
    """The characters one character-matching item may match (perhaps more)."""
    if op == sre.LITERAL:
        chars: Chars = ((av, av),)
    elif op == sre.NOT_LITERAL:
        chars = _complement(((av, av),))
    elif op == sre.IN:
        chars = _class(av)
    elif op == sre.CATEGORY:
        chars = _CATEGORIES.get(av, (_NOTHING, _EVERYTHING))[1]
    else:
        chars = _EVERYTHING
    return _folded(chars) if fold else chars


def _class(members: list[tuple[Any, Any]]) -> Chars:
    """A ``[...]`` set: a negated one is what its members surely leave out."""
    surely: list[Chars] = []
    perhaps: list[Chars] = []
    negated = False
    sure: Chars
    maybe: Chars
    for op, av in members:
        if op == sre.NEGATE:
            negated = True
            continue
        if op == sre.LITERAL:
            sure = maybe = ((av, av),)
        elif op == sre.RANGE:
            sure = maybe = ((av[0], av[1]),)
        elif op == sre.CATEGORY:
            sure, maybe = _CATEGORIES.get(av, (_NOTHING, _EVERYTHING))
        else:
            sure, maybe = _NOTHING, _EVERYTHING
        surely.append(sure)
        perhaps.append(maybe)
    if negated:
        return _complement(_union(*surely))
    return _union(*perhaps)


def _folded(chars: Chars) -> Chars:
    """``chars`` as ``re.IGNORECASE`` matches them (perhaps more): a letter
    or any character beyond ASCII may stand for another case."""
    if not (_meet(chars, _LETTERS) or _meet(chars, _NON_ASCII)):
        return chars
    return _union(chars, _LETTERS, _NON_ASCII)
