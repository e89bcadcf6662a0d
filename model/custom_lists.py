"""Customers' own terms: allow and deny lists and names, per request or from a deployment file.

Allow terms and names shield what they overlap when at least as long (an allowed 最好的朋友 beats the
lexicon's 最好); deny terms become entries with source "custom" (a denied 全网最低 beats an allowed 最低).
The deployment file is re-read when its mtime changes; a broken file is logged and the old lists stay.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from model.context import Shield
from model.labels import DEFAULT_SUGGESTION, LABELS, MISLEADING_STATEMENT
from model.lexicon_loader import SEVERITIES, Entry
from model.matcher import Hit, TermIndex
from model.normalize import Normalizer

log = logging.getLogger(__name__)

CUSTOM_BASIS = "客户自定义禁用词"
# A plain string, {term, label, suggestion?, severity?}, or the service's (term, label) pair.
DenyItem = str | Mapping[str, Any] | tuple[str, str]
# A deny item as a hashable key, so per-request lists can be cached: sorted (field, value) pairs.
DeniedItem = tuple[tuple[str, str], ...]
_DENY_FIELDS = {"term", "label", "suggestion", "severity"}
_FILE_FIELDS = {"allow", "deny", "names"}


class ListsError(ValueError):
    """A custom list or lists file is invalid; the message says which item and why."""


def _term(normalizer: Normalizer, term: Any) -> str:
    if not isinstance(term, str) or not normalizer.term(term):
        raise ListsError(f"a custom term must be a non-empty string, got {term!r}")
    return normalizer.term(term)


def deny_key(item: DenyItem) -> DeniedItem:
    """The hashable form of a deny item; deny_entry checks its fields."""
    if isinstance(item, str):
        return (("term", item),)
    if isinstance(item, tuple) and len(item) == 2:
        item = {"term": item[0], "label": item[1]}
    if not isinstance(item, Mapping) or not all(isinstance(v, str) for v in item.values()):
        raise ListsError(f"a deny item is a string or a mapping of {sorted(_DENY_FIELDS)} to strings, got {item!r}")
    return tuple(sorted(item.items()))


def deny_entry(item: str | Mapping[str, Any], normalizer: Normalizer) -> Entry:
    """The entry a customer's deny item stands for: rule_id custom-deny:<term>, review unless told otherwise."""
    fields: Mapping[str, Any] = {"term": item} if isinstance(item, str) else item
    if not isinstance(fields, Mapping) or set(fields) - _DENY_FIELDS:
        raise ListsError(f"a deny item is a string or a mapping with {sorted(_DENY_FIELDS)}, got {item!r}")
    label = fields.get("label", MISLEADING_STATEMENT)
    severity = fields.get("severity", "review")
    if label not in LABELS:
        raise ListsError(f"deny item {item!r}: unknown label {label!r}; valid: {', '.join(LABELS)}")
    if severity not in SEVERITIES:
        raise ListsError(f"deny item {item!r}: severity must be one of {SEVERITIES}")
    suggestion = fields.get("suggestion") or DEFAULT_SUGGESTION[label]
    if not isinstance(suggestion, str):
        raise ListsError(f"deny item {item!r}: suggestion must be a string")
    term = _term(normalizer, fields.get("term"))
    return Entry(
        id=f"custom-deny:{fields['term'].strip()}", label=label, basis=CUSTOM_BASIS, severity=severity,
        suggestion=suggestion, term=term, custom=True,
    )


@dataclass(frozen=True)
class CustomLists:
    """Normalized, indexed allow terms and names (shields) and deny terms (hits)."""

    shielding: TermIndex[None]
    denying: TermIndex[Entry]

    @classmethod
    def build(
        cls, normalizer: Normalizer, allow: Iterable[str] = (), deny: Iterable[str | Mapping[str, Any]] = (),
        names: Iterable[str] = (),
    ) -> CustomLists:
        shielding = [(_term(normalizer, t), None) for t in [*allow, *names]]
        entries = [deny_entry(item, normalizer) for item in deny]
        return cls(TermIndex(shielding), TermIndex([(e.term, e) for e in entries]))  # type: ignore[misc]

    def __bool__(self) -> bool:
        return bool(self.shielding.size or self.denying.size)

    def shields(self, text: str) -> list[Shield]:
        return [Shield(start, end, None) for start, end, _ in self.shielding.find(text)]

    def hits(self, text: str) -> list[Hit]:
        return [Hit(start, end, e) for start, end, entries in self.denying.find(text) for e in entries]


def read_lists_file(path: Path, normalizer: Normalizer, names: Iterable[str] = ()) -> CustomLists:
    """Parses `allow: [...]`, `deny: [...]`, `names: [...]`; `names` adds the constructor's names."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise ListsError(f"{path}: cannot read: {error}") from error
    if not isinstance(data, dict) or set(data) - _FILE_FIELDS:
        raise ListsError(f"{path}: expected a mapping with keys {sorted(_FILE_FIELDS)}")
    for key in _FILE_FIELDS:
        if not isinstance(data.get(key, []), list):
            raise ListsError(f"{path}: {key} must be a list")
    try:
        return CustomLists.build(
            normalizer, data.get("allow", []), data.get("deny", []), [*data.get("names", []), *names]
        )
    except ListsError as error:
        raise ListsError(f"{path}: {error}") from error


class DeploymentLists:
    """The deployment's lists file and the lists last read from it without error."""

    def __init__(self, path: str | Path, normalizer: Normalizer, names: Iterable[str] = ()) -> None:
        self.path = Path(path)
        self._normalizer = normalizer
        self._names = tuple(names)
        self._mtime = self._stat()
        self.lists = read_lists_file(self.path, normalizer, self._names)

    def _stat(self) -> int | None:
        try:
            return os.stat(self.path).st_mtime_ns
        except OSError:
            return None

    def reload_if_changed(self) -> bool:
        """Re-reads the file if its mtime changed; True when new lists are in use. Errors keep the old lists."""
        mtime = self._stat()
        if mtime == self._mtime:
            return False
        self._mtime = mtime
        try:
            self.lists = read_lists_file(self.path, self._normalizer, self._names)
        except ListsError as error:
            log.error("custom lists not reloaded, keeping the previous ones: %s", error)
            return False
        log.info("custom lists reloaded from %s", self.path)
        return True
