"""Context exceptions: the lawful uses of lexicon words that SAMR's 2023 guide and GUIDELINES.md list.

Three kinds, all data in exceptions.yaml:
- shield: a phrase or pattern (最近, 第一次, 致力于…, 一级能效) that overlaps the word and is at least as
  long as it: the longer reading wins, exactly like a customer's allow term;
- before: a pattern ending right where the word starts (不是, 不敢说, 不能 before 代替药物);
- near: patterns that must all occur within `window` characters (a data source and a period).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

from model.anchors import anchors
from model.lexicon_loader import ContextRule, Entry
from model.matcher import Hit

# How far back a `before` pattern may reach: a disclaimer plus the few words it governs.
LOOKBACK = 16


class Shield(NamedTuple):
    """A stretch read lawfully; `rule` None means a customer allow term or a name (clears every label)."""

    start: int
    end: int
    rule: ContextRule | None

    def covers(self, hit: Hit) -> bool:
        """Overlaps the hit, is at least as long (longest match wins) and may clear its entry."""
        return (
            self.start < hit.end and hit.start < self.end
            and self.end - self.start >= hit.end - hit.start
            and (self.rule is None or self.rule.clears(hit.entry))
        )


class Shields:
    """The shields of one text, sorted by start, so those that could cover a hit are found by bisection."""

    def __init__(self, shields: Iterable[Shield]) -> None:
        self._shields = sorted(shields, key=lambda s: s.start)
        self._starts = [s.start for s in self._shields]
        self._longest = max((s.end - s.start for s in self._shields), default=0)

    def __iter__(self) -> Iterator[Shield]:
        return iter(self._shields)

    def covering(self, hit: Hit) -> Shield | None:
        low = bisect_left(self._starts, hit.start - self._longest + 1)
        for shield in self._shields[low:bisect_left(self._starts, hit.end)]:
            if shield.covers(hit):
                return shield
        return None


# (index, whole-text pattern, pattern anchored at the end, rule) for `before` rules; `near` rules as they are.
BeforeRule = tuple[int, re.Pattern[str], re.Pattern[str], ContextRule]
WindowRules = tuple[tuple[BeforeRule, ...], tuple[ContextRule, ...]]


class TextContext:
    """One text's shields and window rules. Whether a `before` pattern occurs in the text at all is found
    out once, the first time a hit it could excuse asks; `near` rules only ever search a hit's window."""

    def __init__(self, text: str, shields: Shields, window_rules: Callable[[Entry], WindowRules], befores: int) -> None:
        self.text = text
        self.shields = shields
        self._window_rules = window_rules
        self._occurs: list[bool | None] = [None] * befores

    def excuse(self, hit: Hit) -> ContextRule | None:
        """The shield, `before` or `near` rule that makes this hit lawful, if any."""
        shield = self.shields.covering(hit)
        if shield is not None:
            return shield.rule
        before, near = self._window_rules(hit.entry)
        for index, pattern, ending, rule in before:
            occurs = self._occurs[index]
            if occurs is None:
                occurs = self._occurs[index] = pattern.search(self.text) is not None
            if occurs and ending.search(self.text, max(0, hit.start - LOOKBACK), hit.start):
                return rule
        for rule in near:
            low, high = max(0, hit.start - rule.window), hit.end + rule.window
            if all(p.search(self.text, low, high) for p in rule.patterns):
                return rule
        return None


class Context:
    """The lexicon's context rules. Their words (shield terms, anchors of shield patterns) are `keys()`,
    scanned by the Matcher with the lexicon; `read` turns the occurrences into one text's context."""

    def __init__(self, rules: Iterable[ContextRule]) -> None:
        rules = list(rules)
        self._patterns = [(p, r) for r in rules if r.kind == "shield" for p in r.patterns]
        self._keys: list[tuple[str, tuple[int, ContextRule]]] = [
            (t, (-1, r)) for r in rules if r.kind == "shield" for t in r.terms
        ]
        self._keys += [(a, (i, r)) for i, (p, r) in enumerate(self._patterns) for a in anchors(p.pattern)]
        self._always = {i for i, (p, _) in enumerate(self._patterns) if not anchors(p.pattern)}
        befores = [(p, r) for r in rules if r.kind == "before" for p in r.patterns]
        self._before = [(i, p, re.compile(f"(?:{p.pattern})$"), r) for i, (p, r) in enumerate(befores)]
        self._near = [r for r in rules if r.kind == "near"]
        self._by_entry: dict[Entry, WindowRules] = {}

    def _window_rules(self, entry: Entry) -> WindowRules:
        """The `before` and `near` rules that may clear this entry, worked out once per lexicon entry."""
        if entry.custom:  # never cleared by context rules, and not worth remembering
            return (), ()
        rules = self._by_entry.get(entry)
        if rules is None:
            before = tuple(item for item in self._before if item[3].clears(entry))
            rules = self._by_entry[entry] = before, tuple(rule for rule in self._near if rule.clears(entry))
        return rules

    def keys(self) -> list[tuple[str, tuple[int, ContextRule]]]:
        """(word, (shield pattern index or -1 for a literal shield term, rule)) for the Matcher."""
        return list(self._keys)

    def read(self, text: str, found: Iterable[tuple[int, int, object]]) -> TextContext:
        """The context of `text`, given where the Matcher found this context's keys."""
        shields: list[Shield] = []
        active = set(self._always)
        for start, end, (index, rule) in found:  # type: ignore[misc]
            if index < 0:
                shields.append(Shield(start, end, rule))
            else:
                active.add(index)
        for index in active:
            pattern, rule = self._patterns[index]
            shields += [Shield(*m.span(), rule) for m in pattern.finditer(text)]
        return TextContext(text, Shields(shields), self._window_rules, len(self._before))
