"""Finds lexicon words in normalized text: one Aho-Corasick pass for literal terms and pattern anchors,
then only the regexes whose anchors occurred.

The automaton runs over the text's UTF-8 bytes (as a latin-1 str). pyahocorasick finds a node's child by
scanning its children, and a trie over Chinese characters has hundreds of first characters: over bytes,
no node has more than 64 children, which makes the pass three times faster. UTF-8 is self-synchronizing,
so a key can only match at character boundaries; byte offsets are turned back into character offsets
incrementally, in C (bytes.count), as matches come out in order.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Generic, NamedTuple, TypeVar

import ahocorasick

from model.lexicon_loader import Entry

T = TypeVar("T")
V = TypeVar("V")

# 0x80 for UTF-8 continuation bytes, so counting them in a byte range is one bytes.count call.
_CONTINUATION = bytes(0x80 if 0x80 <= b < 0xC0 else 0 for b in range(256))


def as_bytes(text: str) -> str:
    """The text's UTF-8 bytes as a str, the form keys and texts take inside the automata."""
    return text.encode("utf-8").decode("latin-1")


def matches(automaton: ahocorasick.Automaton, text: str) -> list[tuple[int, V]]:
    """(character end offset, value) for every key occurrence in `text`, in order of end."""
    if text.isascii():
        return [(last + 1, value) for last, value in automaton.iter(text)]
    raw = text.encode("utf-8")
    found = list(automaton.iter(raw.decode("latin-1")))
    if not found:
        return []
    marks = raw.translate(_CONTINUATION)
    result = []
    byte_end = char_end = 0
    for last, value in found:
        char_end += last + 1 - byte_end - marks.count(0x80, byte_end, last + 1)
        byte_end = last + 1
        result.append((char_end, value))
    return result


class Hit(NamedTuple):
    """An occurrence of `entry` at [start, end) of the normalized text."""

    start: int
    end: int
    entry: Entry


class TermIndex(Generic[T]):
    """Every occurrence, overlapping ones included, of a set of literal words; each word carries payloads."""

    def __init__(self, items: Iterable[tuple[str, T]]) -> None:
        grouped: dict[str, list[T]] = {}
        for word, payload in items:
            grouped.setdefault(word, []).append(payload)
        self._automaton: ahocorasick.Automaton | None = None
        if grouped:
            self._automaton = ahocorasick.Automaton()
            for word, payloads in grouped.items():
                self._automaton.add_word(as_bytes(word), (len(word), tuple(payloads)))
            self._automaton.make_automaton()
        self.size = len(grouped)

    def find(self, text: str) -> Iterator[tuple[int, int, tuple[T, ...]]]:
        if self._automaton is None:
            return
        for end, (length, payloads) in matches(self._automaton, text):
            yield end - length, end, payloads


class Matcher:
    """All occurrences of the lexicon's entries for one industry, minus those their own exceptions cover.

    Each industry gets its own automaton (built on first use) holding only the entries that apply to it,
    so the hot loop does no scoping checks. `extra` keys (the context rules' words) ride in the same
    automaton, so a text is scanned once; their occurrences come back alongside the hits.
    """

    def __init__(self, entries: Iterable[Entry], extra: Iterable[tuple[str, object]] = ()) -> None:
        self._entries = tuple(entries)
        self._extra: dict[str, list[object]] = {}
        for word, payload in extra:
            self._extra.setdefault(word, []).append(payload)
        self._automata: dict[str | None, ahocorasick.Automaton | None] = {}

    def _automaton(self, industry: str | None) -> ahocorasick.Automaton | None:
        if industry not in self._automata:
            terms: dict[str, list[Entry]] = {}
            anchored: dict[str, list[Entry]] = {}
            excepting: dict[str, list[Entry]] = {}
            for entry in self._entries:
                if not entry.applies_to(industry):
                    continue
                if entry.term:
                    terms.setdefault(entry.term, []).append(entry)
                for anchor in entry.anchors:
                    anchored.setdefault(anchor, []).append(entry)
                for phrase in entry.exceptions:
                    excepting.setdefault(phrase, []).append(entry)
            automaton = ahocorasick.Automaton()
            for word in terms.keys() | anchored.keys() | excepting.keys() | self._extra.keys():
                value = (
                    len(word), tuple(terms.get(word, ())), tuple(anchored.get(word, ())),
                    tuple(excepting.get(word, ())), tuple(self._extra.get(word, ())),
                )
                automaton.add_word(as_bytes(word), value)
            automaton.make_automaton()
            self._automata[industry] = automaton if len(automaton) else None
        return self._automata[industry]

    def find(self, text: str, industry: str | None = None) -> tuple[list[Hit], list[tuple[int, int, object]]]:
        """Hits of applicable entries, and (start, end, payload) for each occurrence of an extra key.

        An entry's own exception phrases (最高人民法院 for 最高) are keys too: a hit inside one is dropped.
        """
        hits: list[Hit] = []
        extras: list[tuple[int, int, object]] = []
        anchored: set[Entry] = set()
        excepted: dict[Entry, list[tuple[int, int]]] = {}
        automaton = self._automaton(industry)
        if automaton is None:
            return hits, extras
        for end, (length, terms, patterns, excepting, payloads) in matches(automaton, text):
            start = end - length
            hits += [Hit(start, end, entry) for entry in terms]
            if patterns:
                anchored.update(patterns)
            for entry in excepting:
                excepted.setdefault(entry, []).append((start, end))
            extras += [(start, end, payload) for payload in payloads]
        for entry in anchored:
            hits += [Hit(*match.span(), entry) for match in entry.pattern.finditer(text)]  # type: ignore[union-attr]
        if excepted:
            hits = [
                h for h in hits
                if h.entry not in excepted or not any(s <= h.start and h.end <= e for s, e in excepted[h.entry])
            ]
        return hits, extras
