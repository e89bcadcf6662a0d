"""Literal anchors of a regex: strings of which every match contains at least one.

Pattern entries (\\d+天见效, 原价\\d+) are run only on texts where the Aho-Corasick automaton has seen one
of their anchors, so a hundred patterns cost one automaton pass instead of a hundred regex scans. The
longer the shortest anchor, the rarer the pattern runs: (?:销量|排名)第[一1] anchors on 销量第一, 销量第1,
排名第一 and 排名第1, not on 第.
"""

from __future__ import annotations

from collections.abc import Iterable

try:  # Python 3.11+
    from re import _parser as sre_parse
except ImportError:  # Python 3.10
    import sre_parse  # type: ignore[no-redef]

# Literal alternatives are multiplied out (销量|排名 then 第[一1]) up to this many strings.
MAX_STRINGS = 256

_REPEATS = {sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT} | (
    {sre_parse.POSSESSIVE_REPEAT} if hasattr(sre_parse, "POSSESSIVE_REPEAT") else set()
)
_ZERO_WIDTH = {sre_parse.ASSERT, sre_parse.ASSERT_NOT, sre_parse.AT}

Strings = frozenset[str]


def _better(a: Strings | None, b: Strings | None) -> Strings | None:
    """The set whose shortest string is longest (fewer false triggers), then the smaller set."""
    if a is None or b is None:
        return a or b
    return max(a, b, key=lambda s: (min(map(len, s)), -len(s)))


def _product(left: Strings, right: Strings) -> Strings | None:
    if len(left) * len(right) > MAX_STRINGS:
        return None
    return frozenset(a + b for a in left for b in right)


def _exact(op, av) -> Strings | None:
    """Every string an item can match when it is fully literal (a, [ab], (?:ab|cd)); else None."""
    if op is sre_parse.LITERAL:
        return frozenset(chr(av))
    if op is sre_parse.IN:
        literal = all(item_op is sre_parse.LITERAL for item_op, _ in av)
        return frozenset(chr(c) for _, c in av) if literal else None
    if op is sre_parse.SUBPATTERN:
        return _exact_sequence(av[-1])
    if op is sre_parse.BRANCH:
        alternatives = [_exact_sequence(alt) for alt in av[1]]
        return frozenset().union(*alternatives) if all(alternatives) else None
    return None


def _exact_sequence(sequence: Iterable) -> Strings | None:
    strings: Strings | None = frozenset([""])
    for op, av in sequence:
        if op in _ZERO_WIDTH:
            continue
        item = _exact(op, av)
        if item is None or strings is None:
            return None
        strings = _product(strings, item)
    return strings


def _required(sequence: Iterable) -> Strings | None:
    """Best anchor set for a sequence: runs of literal items multiplied out, or a required sub-part."""
    best: Strings | None = None
    run: Strings | None = None
    for op, av in [*sequence, (None, None)]:
        if op in _ZERO_WIDTH:
            continue
        item = _exact(op, av) if op is not None else None
        if item is not None:
            joined = _product(run, item) if run else item
            if joined is not None:
                run = joined
                continue
        best = _better(best, run)
        run = item
        if item is not None or op is None:
            continue
        if op is sre_parse.SUBPATTERN:
            best = _better(best, _required(av[-1]))
        elif op is sre_parse.BRANCH:
            alternatives = [_required(alt) for alt in av[1]]
            if all(alternatives):
                best = _better(best, frozenset().union(*alternatives))
        elif op in _REPEATS and av[0] >= 1:
            best = _better(best, _required(av[2]))
    return best


def anchors(pattern: str) -> tuple[str, ...]:
    """Sorted anchors of `pattern`; () when some match could contain no fixed text."""
    found = _required(sre_parse.parse(pattern))
    return tuple(sorted(found)) if found and "" not in found else ()
