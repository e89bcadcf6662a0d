"""Reads and validates the rule lexicon: one YAML file per label, context exceptions and evasions.

A bad entry fails the load with a message naming the file and the entry, so a broken lexicon never
reaches a running service half-applied.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from model.anchors import anchors
from model.findings import Severity
from model.industries import INDUSTRIES
from model.labels import LABELS
from model.normalize import EvasionsError, Normalizer, load_evasions

LEXICON_DIR = Path(__file__).resolve().parent / "lexicon"
ALL = "all"
SEVERITIES = ("block", "review")
CONTEXT_KINDS = ("shield", "before", "near")

_ENTRY_FIELDS = {
    "id", "term", "pattern", "label", "basis", "severity", "industries", "suggestion", "exceptions", "tags",
}
_RULE_FIELDS = {"id", "kind", "labels", "tags", "reason", "terms", "patterns", "window"}


class LexiconError(ValueError):
    """The lexicon is invalid; the message names the file and entry."""


@dataclass(frozen=True, eq=False)
class Entry:
    """One lexicon word or pattern with its legal basis and fix; empty `industries` means every industry.

    Compared by identity: each entry is one rule, and hashing by identity keeps the matcher's sets cheap."""

    id: str
    label: str
    basis: str
    severity: Severity
    suggestion: str
    industries: frozenset[str] = frozenset()
    term: str | None = None
    pattern: re.Pattern[str] | None = None
    anchors: tuple[str, ...] = ()
    exceptions: tuple[str, ...] = ()
    tags: frozenset[str] = frozenset()
    custom: bool = False

    def applies_to(self, industry: str | None) -> bool:
        return industry is None or not self.industries or industry in self.industries


@dataclass(frozen=True)
class ContextRule:
    """A lawful use: a `shield` phrase or pattern covering the term, a pattern just `before` it, or
    patterns that must all occur `near` it (within `window` characters)."""

    id: str
    kind: str
    labels: frozenset[str]
    reason: str
    tags: frozenset[str] = frozenset()
    terms: tuple[str, ...] = ()
    patterns: tuple[re.Pattern[str], ...] = ()
    window: int = 0

    def clears(self, entry: Entry) -> bool:
        """Whether this rule can excuse a finding of `entry` (never a customer's own deny term)."""
        if entry.custom or entry.label not in self.labels:
            return False
        return not self.tags or bool(self.tags & entry.tags)


@dataclass(frozen=True)
class Lexicon:
    """Everything the rule layer knows: entries of all three labels, context rules and the evasion table."""

    entries: tuple[Entry, ...]
    context: tuple[ContextRule, ...] = ()
    evasions: dict[str, str] = field(default_factory=dict)


def _fail(where: str, message: str) -> LexiconError:
    return LexiconError(f"{where}: {message}")


def _read(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise LexiconError(f"{path}: cannot read: {error}") from error


def _compile(where: str, source: Any) -> re.Pattern[str]:
    if not isinstance(source, str) or not source:
        raise _fail(where, f"pattern must be a non-empty string, got {source!r}")
    try:
        pattern = re.compile(source)
    except re.error as error:
        raise _fail(where, f"bad regex {source!r}: {error}") from error
    if pattern.search(""):
        raise _fail(where, f"pattern {source!r} matches the empty string")
    return pattern


def _strings(where: str, name: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _fail(where, f"{name} must be a list of non-empty strings")
    return tuple(value)


def _normalized(where: str, normalizer: Normalizer, phrase: str) -> str:
    if normalizer.term(phrase) != phrase:
        raise _fail(where, f"{phrase!r} is not in normalized form; write {normalizer.term(phrase)!r}")
    return phrase


def _industries(where: str, value: Any) -> frozenset[str]:
    names = _strings(where, "industries", value)
    if not names:
        raise _fail(where, "industries must list industry ids or [all]")
    unknown = sorted(set(names) - set(INDUSTRIES) - {ALL})
    if unknown:
        raise _fail(where, f"unknown industry {unknown}; valid: {ALL}, {', '.join(INDUSTRIES)}")
    return frozenset() if ALL in names else frozenset(names)


def _record(where: str, raw: Any, what: str, fields: set[str], required: tuple[str, ...]) -> str:
    """Checks a YAML record's shape (a mapping, known fields, required non-empty strings); returns its location."""
    if not isinstance(raw, dict):
        raise _fail(where, f"{what} must be a mapping")
    where = f"{where} (id {raw.get('id')!r})"
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        raise _fail(where, f"unknown field {unknown}")
    for name in required:
        if not isinstance(raw.get(name), str) or not raw[name].strip():
            raise _fail(where, f"missing {name}")
    return where


def _entry(where: str, raw: Any, label: str, normalizer: Normalizer) -> Entry:
    where = _record(where, raw, "an entry", _ENTRY_FIELDS, ("id", "label", "basis", "severity", "suggestion"))
    if raw["label"] not in LABELS:
        raise _fail(where, f"unknown label {raw['label']!r}; valid: {', '.join(LABELS)}")
    if raw["label"] != label:
        raise _fail(where, f"label {raw['label']!r} does not belong in {label}.yaml")
    if raw["severity"] not in SEVERITIES:
        raise _fail(where, f"severity must be one of {SEVERITIES}")
    if ("term" in raw) == ("pattern" in raw):
        raise _fail(where, "give exactly one of term or pattern")
    exceptions = tuple(_normalized(where, normalizer, p) for p in _strings(where, "exceptions", raw.get("exceptions")))
    common = dict(
        id=raw["id"], label=label, basis=raw["basis"], severity=raw["severity"], suggestion=raw["suggestion"],
        industries=_industries(where, raw.get("industries")), exceptions=exceptions,
        tags=frozenset(_strings(where, "tags", raw.get("tags"))),
    )
    if "term" in raw:
        term = raw["term"]
        if not isinstance(term, str) or not term:
            raise _fail(where, "term must be a non-empty string")
        _normalized(where, normalizer, term)
        if bad := [p for p in exceptions if term not in p]:
            raise _fail(where, f"exceptions {bad} do not contain the term {term!r}")
        return Entry(term=term, **common)
    pattern = _compile(where, raw["pattern"])
    found = anchors(pattern.pattern)
    if not found:
        raise _fail(where, "pattern has no fixed text that every match contains; add a literal word to it")
    if bad := [p for p in exceptions if not pattern.search(p)]:
        raise _fail(where, f"exceptions {bad} do not match the pattern")
    return Entry(pattern=pattern, anchors=found, **common)


def _labels(where: str, value: Any) -> frozenset[str]:
    names = _strings(where, "labels", value)
    if names == (ALL,):
        return frozenset(LABELS)
    unknown = sorted(set(names) - set(LABELS))
    if unknown or not names:
        raise _fail(where, f"labels must be [all] or a list of {', '.join(LABELS)}; got {list(names)}")
    return frozenset(names)


def _context_rule(where: str, raw: Any, normalizer: Normalizer) -> ContextRule:
    where = _record(where, raw, "a context rule", _RULE_FIELDS, ("id", "kind", "reason"))
    if raw["kind"] not in CONTEXT_KINDS:
        raise _fail(where, f"kind must be one of {CONTEXT_KINDS}")
    terms = tuple(_normalized(where, normalizer, t) for t in _strings(where, "terms", raw.get("terms")))
    patterns = tuple(_compile(where, p) for p in _strings(where, "patterns", raw.get("patterns")))
    if not terms and not patterns:
        raise _fail(where, "give terms or patterns")
    if terms and raw["kind"] != "shield":
        raise _fail(where, "only shield rules take literal terms")
    window = raw.get("window", 0)
    if (raw["kind"] == "near") != (isinstance(window, int) and window > 0):
        raise _fail(where, "near rules, and only they, need a positive window")
    return ContextRule(
        id=raw["id"], kind=raw["kind"], labels=_labels(where, raw.get("labels")), reason=raw["reason"],
        tags=frozenset(_strings(where, "tags", raw.get("tags"))), terms=terms, patterns=patterns, window=window,
    )


def _listed(path: Path) -> list:
    data = _read(path)
    if not isinstance(data, list):
        raise LexiconError(f"{path}: expected a list")
    return data


def _check_repeats(entries: list[Entry]) -> None:
    """The same word twice for overlapping industries would report one finding under two rule ids."""
    seen: dict[str, list[Entry]] = {}
    for entry in entries:
        key = entry.term or entry.pattern.pattern  # type: ignore[union-attr]
        for other in seen.get(key, []):
            if not entry.industries or not other.industries or entry.industries & other.industries:
                raise LexiconError(f"{entry.id} repeats {key!r} of {other.id} for overlapping industries")
        seen.setdefault(key, []).append(entry)


def load_lexicon(directory: str | Path | None = None) -> Lexicon:
    """Loads `<label>.yaml` for every label, `exceptions.yaml` and `evasions.yaml` (both optional)."""
    directory = Path(directory or LEXICON_DIR)
    evasions_path = directory / "evasions.yaml"
    try:
        evasions = load_evasions(evasions_path) if evasions_path.exists() else {}
    except (OSError, yaml.YAMLError, EvasionsError) as error:
        raise LexiconError(f"{evasions_path}: {error}") from error
    normalizer = Normalizer(evasions)
    entries = []
    for label in LABELS:
        path = directory / f"{label}.yaml"
        if not path.exists():
            raise LexiconError(f"{path}: missing (one file per label)")
        entries += [_entry(f"{path.name}[{i}]", raw, label, normalizer) for i, raw in enumerate(_listed(path))]
    duplicates = sorted(i for i, n in Counter(e.id for e in entries).items() if n > 1)
    if duplicates:
        raise LexiconError(f"duplicate entry id {duplicates}")
    _check_repeats(entries)
    context_path = directory / "exceptions.yaml"
    context = [] if not context_path.exists() else [
        _context_rule(f"exceptions.yaml[{i}]", raw, normalizer) for i, raw in enumerate(_listed(context_path))
    ]
    duplicates = sorted(i for i, n in Counter(r.id for r in context).items() if n > 1)
    if duplicates:
        raise LexiconError(f"exceptions.yaml: duplicate rule id {duplicates}")
    used = set().union(*(e.tags for e in entries))
    for rule in context:
        if rule.tags - used:
            raise LexiconError(f"exceptions.yaml (id {rule.id!r}): tags {sorted(rule.tags - used)} are on no entry")
    return Lexicon(tuple(entries), tuple(context), evasions)
