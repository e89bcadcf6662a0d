"""`adlint data validate` and `adlint data stats`: the corpus is checked the way code is tested."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from model.industries import INDUSTRIES
from model.labels import LABELS
from training.corpus import CHALLENGE, CHANNELS, CORPUS_DIR, KINDS, Example, load_splits
from training.neardup import near_duplicate_pairs

LENGTH_BUCKETS = ((0, 20), (20, 50), (50, 100), (100, 300), (300, 512), (512, 1000), (1000, 100_000))


def _example_errors(example: Example) -> list[str]:
    errors = []
    if not example.id or not example.text.strip():
        errors.append("empty id or text")
    for name, value, allowed in (
        ("industry", example.industry, INDUSTRIES),
        ("channel", example.channel, CHANNELS),
        ("kind", example.kind, KINDS),
    ):
        if value not in allowed:
            errors.append(f"{name} {value!r} not in {allowed}")
    if set(example.labels) - set(LABELS):
        errors.append(f"labels outside {LABELS}: {example.labels}")
    span_labels = {s[2] for s in example.spans}
    for start, end, label in example.spans:
        if not 0 <= start < end <= len(example.text):
            errors.append(f"span [{start}, {end}) out of range for a text of {len(example.text)}")
        if label not in example.labels:
            errors.append(f"span label {label} not in the text's labels")
    for label in set(example.labels) - span_labels:
        errors.append(f"label {label} has no span")
    ordered = sorted(example.spans)
    if any(a[1] > b[0] for a, b in zip(ordered, ordered[1:], strict=False)):
        errors.append("overlapping spans")
    return errors


def validate(directory: Path = CORPUS_DIR) -> list[str]:
    """Every problem found, as readable lines; an empty list means the corpus is valid."""
    try:
        splits = load_splits(directory, with_challenge=True)
    except (OSError, ValueError, TypeError, KeyError) as exc:
        return [f"cannot read corpus: {exc}"]
    problems = []
    seen_ids: dict[str, str] = {}
    seen_texts: dict[str, str] = {}
    source_split: dict[str, str] = {}
    for split, examples in splits.items():
        for example in examples:
            where = f"{split}:{example.id}"
            problems += [f"{where}: {error}" for error in _example_errors(example)]
            if example.id in seen_ids:
                problems.append(f"{where}: duplicate id (also in {seen_ids[example.id]})")
            if example.text in seen_texts:
                problems.append(f"{where}: duplicate text (also {seen_texts[example.text]})")
            seen_ids[example.id] = split
            seen_texts[example.text] = where
            if source_split.setdefault(example.source, split) != split:
                problems.append(f"{where}: source group {example.source} also in {source_split[example.source]}")
    flat = [(split, e) for split, examples in splits.items() for e in examples]
    for i, j in near_duplicate_pairs([e.text for _, e in flat]):
        (split_a, a), (split_b, b) = flat[i], flat[j]
        if split_a != split_b:
            problems.append(f"near-duplicate across splits: {split_a}:{a.id} ~ {split_b}:{b.id}")
    return problems


def _bucket(length: int) -> str:
    return next(f"{lo}-{hi}" for lo, hi in LENGTH_BUCKETS if lo <= length < hi)


def stats(directory: Path = CORPUS_DIR) -> dict:
    """Counts per split, label, industry, channel, kind and length bucket; hand-authored counted apart."""
    splits = load_splits(directory, with_challenge=True)
    challenge = splits.pop(CHALLENGE, [])
    everything = [e for examples in splits.values() for e in examples]
    authored = [e for e in everything if e.hand_authored]

    def counts(examples: list[Example]) -> dict:
        return {
            "total": len(examples),
            "label": dict(Counter(lab for e in examples for lab in e.labels)),
            "clean": sum(not e.labels for e in examples),
            "industry": dict(sorted(Counter(e.industry for e in examples).items())),
            "channel": dict(sorted(Counter(e.channel for e in examples).items())),
            "kind": {k: sum(e.kind == k for e in examples) for k in KINDS},
            "length": {f"{lo}-{hi}": 0 for lo, hi in LENGTH_BUCKETS}
            | dict(Counter(_bucket(len(e.text)) for e in examples)),
            "violation_after_512": sum(any(s[0] >= 512 for s in e.spans) for e in examples),
            "evasion_variants": sum((e.augmentation or "").startswith("evasion") for e in examples),
        }

    return {
        "hand_authored": len(authored),
        "total": len(everything),
        "splits": {split: len(examples) for split, examples in splits.items()},
        "hand_authored_by_split": {s: sum(e.hand_authored for e in rows) for s, rows in splits.items()},
        "all": counts(everything),
        "hand_authored_only": counts(authored),
        **{split: counts(examples) for split, examples in splits.items()},
        CHALLENGE: counts(challenge),
    }
