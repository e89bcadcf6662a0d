"""`adlint data build`: authored markup → leak-free splits → augmented corpus files under data/corpus/."""

from __future__ import annotations

from pathlib import Path

from training.augment import augment
from training.corpus import AUTHORED_DIR, CORPUS_DIR, Example, load_authored, write_jsonl
from training.splits import split_examples


def build_corpus(authored: Path = AUTHORED_DIR, out: Path = CORPUS_DIR, seed: int = 13) -> dict[str, int]:
    """Split the hand-authored items first, then augment inside each split, so no variant crosses over."""
    splits = split_examples(load_authored(authored), seed=seed)
    counts = {}
    for split, examples in splits.items():
        rows: list[Example] = examples + augment(examples, seed=seed)
        write_jsonl(out / f"{split}.jsonl", rows)
        counts[split] = len(rows)
    return counts
