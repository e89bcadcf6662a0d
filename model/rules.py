"""The rule layer: finds lexicon words in context, explains each with its legal basis and a fix.

`Rules.scan` normalizes the text (evasions undone, offsets kept), finds lexicon entries for the industry
plus the customer's deny terms, drops what a lawful reading covers (context exceptions, allow terms,
names), keeps the longest of overlapping findings and reports spans of the original text. `Rules.read` also
returns those lawful stretches, so the model's own findings inside them can be cleared the same way.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import cache, lru_cache
from pathlib import Path
from typing import NamedTuple

from model.context import Context, Shield, Shields
from model.custom_lists import CustomLists, DeniedItem, DenyItem, DeploymentLists, deny_key
from model.findings import Finding
from model.industries import INDUSTRIES
from model.labels import LABELS
from model.lexicon_loader import ALL, Lexicon, load_lexicon
from model.matcher import Hit, Matcher
from model.normalize import Normalized, normalizer_for

__all__ = ["DenyItem", "Lawful", "Reading", "Rules", "scan"]

_SEVERITY_RANK = {"block": 0, "review": 1}


class Lawful(NamedTuple):
    """A stretch of the original text read lawfully for `labels`: a shield of the context rules (a required
    notice, a designation, an ordinary word), or a customer's allow term or name (None: every label)."""

    start: int
    end: int
    labels: frozenset[str] | None


class Reading(NamedTuple):
    """What the rule layer makes of one text: its findings and the stretches it reads lawfully."""

    findings: list[Finding]
    lawful: list[Lawful]


def check_industry(industry: str | None) -> None:
    """None means every industry; anything else must be a known id."""
    if industry is not None and industry not in INDUSTRIES:
        raise ValueError(f"unknown industry {industry!r}; valid industries: {', '.join(INDUSTRIES)}")


def outermost(hits: list[Hit]) -> list[Hit]:
    """Drops lexicon hits strictly inside another: whatever happens to the outer one decides them too (kept,
    it wins the overlap; excused or allowed, it takes them along), so checking them would be wasted work."""
    result: list[Hit] = []
    far_start, far_end = -1, -1
    for hit in sorted(hits, key=lambda h: (h.start, -h.end)):
        if hit.end < far_end or (hit.end == far_end and hit.start > far_start):
            continue
        result.append(hit)
        if hit.end > far_end:
            far_start, far_end = hit.start, hit.end
    return result


def longest_first(hits: Iterable[Hit]) -> list[Hit]:
    """Non-overlapping hits, longest first; ties go to the earlier start, block, the lexicon, the lower id.

    A shorter hit of the same label that sticks out of a chosen one widens it (全城最便 and 最便宜 give
    全城最便宜), as long as the widened span meets no other chosen hit.
    """
    starts: list[int] = []
    chosen: list[Hit] = []
    ranked = sorted(
        hits, key=lambda h: (h.start - h.end, h.start, _SEVERITY_RANK[h.entry.severity], h.entry.custom, h.entry.id)
    )
    for hit in ranked:
        i = bisect_right(starts, hit.start)
        before = chosen[i - 1] if i else None
        after = chosen[i] if i < len(chosen) else None
        if before is not None and before.end > hit.start:
            if before.entry.label == hit.entry.label and hit.end > before.end and not (after and after.start < hit.end):
                chosen[i - 1] = before._replace(end=hit.end)
            continue
        if after is not None and after.start < hit.end:
            if after.entry.label == hit.entry.label and hit.end <= after.end:
                chosen[i] = after._replace(start=hit.start)
                starts[i] = hit.start
            continue
        starts.insert(i, hit.start)
        chosen.insert(i, hit)
    return chosen


def _finding(normalized: Normalized, hit: Hit) -> Finding:
    start, end = normalized.to_original(hit.start, hit.end)
    entry = hit.entry
    return Finding(
        start=start, end=end, text=normalized.original[start:end], label=entry.label, score=1.0, source="rule",
        rule_id=entry.id, basis=entry.basis, suggestion=entry.suggestion, severity=entry.severity,
    )


class Rules:
    """A loaded lexicon with its context exceptions, names and the deployment's custom lists."""

    def __init__(
        self, lexicon: Lexicon, names: Iterable[str] = (), lists_path: str | Path | None = None
    ) -> None:
        self.lexicon = lexicon
        self.normalizer = normalizer_for(lexicon.evasions)
        self._context = Context(lexicon.context)
        self._matcher = Matcher(lexicon.entries, self._context.keys())
        names = tuple(names)
        self._deployment = DeploymentLists(lists_path, self.normalizer, names) if lists_path else None
        self._fixed = CustomLists.build(self.normalizer, names=names)
        self._per_request = lru_cache(maxsize=256)(self._build_request_lists)

    @classmethod
    def load(
        cls, lexicon_dir: str | Path | None = None, lists_path: str | Path | None = None, names: Iterable[str] = ()
    ) -> Rules:
        """The lexicon in `lexicon_dir` (default: the shipped one) and an optional deployment lists file."""
        return cls(load_lexicon(lexicon_dir), names=names, lists_path=lists_path)

    def reload_if_changed(self) -> bool:
        """Re-reads the deployment lists file if it changed; a broken file is logged and the old lists kept."""
        return self._deployment.reload_if_changed() if self._deployment else False

    def _build_request_lists(self, allow: tuple[str, ...], deny: tuple[DeniedItem, ...]) -> CustomLists:
        return CustomLists.build(self.normalizer, allow, [dict(d) for d in deny])

    def _lists(self, allow: Sequence[str], deny: Sequence[DenyItem]) -> list[CustomLists]:
        """The deployment's (or constructor's) lists and this request's, leaving out empty ones."""
        lists = [self._deployment.lists if self._deployment else self._fixed]
        if allow or deny:
            lists.append(self._per_request(tuple(allow), tuple(deny_key(d) for d in deny)))
        return [custom for custom in lists if custom]

    def denies(self, deny: Sequence[DenyItem] = ()) -> bool:
        """Whether a customer's deny term (the deployment's, or these) could flag a text on its own."""
        return bool(deny) or any(custom.denying.size for custom in self._lists((), ()))

    def scan(
        self, text: str, industry: str | None = None, allow: Sequence[str] = (), deny: Sequence[DenyItem] = ()
    ) -> list[Finding]:
        """Findings in `text` sorted by start, non-overlapping; `allow`/`deny` apply to this call only."""
        return self.read(text, industry, allow, deny, lawful=False).findings

    def read(
        self,
        text: str,
        industry: str | None = None,
        allow: Sequence[str] = (),
        deny: Sequence[DenyItem] = (),
        lawful: bool = True,
    ) -> Reading:
        """`scan`'s findings plus, with `lawful`, the stretches read lawfully (original offsets), in one pass."""
        check_industry(industry)
        lists = self._lists(allow, deny)
        normalized = self.normalizer(text)
        norm = normalized.text
        hits, context_keys = self._matcher.find(norm, industry)
        denied = [h for custom in lists for h in custom.hits(norm)]
        allowed = Shields(s for custom in lists for s in custom.shields(norm)) if lists else None
        if allowed:
            hits = [h for h in hits if allowed.covering(h) is None]
            denied = [h for h in denied if allowed.covering(h) is None]
        hits = outermost(hits) + denied
        if not hits and not lawful:
            return Reading([], [])
        context = self._context.read(norm, context_keys)
        kept, excused = [], []
        for hit in hits:
            (kept if context.excuse(hit) is None else excused).append(hit)
        if excused:  # 并非全网最低价: the shorter 最低价 in an excused phrase goes with it, a deny term does not
            excusing = Shields(Shield(h.start, h.end, None) for h in excused)
            kept = [h for h in kept if h.entry.custom or excusing.covering(h) is None]
        findings = [_finding(normalized, h) for h in longest_first(kept)]
        if not lawful:
            return Reading(findings, [])
        stretches = [(s.start, s.end, None) for s in allowed or ()]
        stretches += [(s.start, s.end, s.rule.labels) for s in context.shields if s.rule and not s.rule.tags]
        return Reading(findings, [Lawful(*normalized.to_original(a, b), labels) for a, b, labels in stretches])

    def lexicon_stats(self) -> dict:
        """Entry counts by label, by industry scope ("all" or one id) and applicable per industry."""
        entries = self.lexicon.entries
        scopes = Counter(i for e in entries for i in (e.industries or {ALL}))
        return {
            "entries": len(entries),
            "terms": sum(1 for e in entries if e.term),
            "patterns": sum(1 for e in entries if e.pattern),
            "by_label": {label: sum(1 for e in entries if e.label == label) for label in LABELS},
            "by_industry": {scope: scopes[scope] for scope in (ALL, *INDUSTRIES)},
            "applicable": {i: sum(1 for e in entries if e.applies_to(i)) for i in INDUSTRIES},
            "context_rules": len(self.lexicon.context),
            "evasions": len(self.lexicon.evasions),
        }


@cache
def default_rules() -> Rules:
    """The shipped lexicon, loaded on first use."""
    return Rules.load()


def scan(
    text: str, industry: str | None = None, allow: Sequence[str] = (), deny: Sequence[DenyItem] = ()
) -> list[Finding]:
    """`Rules.scan` with the shipped lexicon and no deployment lists."""
    return default_rules().scan(text, industry=industry, allow=allow, deny=deny)
