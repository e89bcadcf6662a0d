"""`adlint data build`: authored markup → leak-free splits → augmented corpus files under data/corpus/."""

from __future__ import annotations

from pathlib import Path

from training.augment import augment
from training.corpus import AUTHORED_DIR, CHALLENGE, CHALLENGE_DIR, CORPUS_DIR, Example, load_authored, write_jsonl
from training.splits import split_examples


def build_corpus(
    authored: Path = AUTHORED_DIR, out: Path = CORPUS_DIR, seed: int = 13, challenge: Path = CHALLENGE_DIR
) -> dict[str, int]:
    """Split the hand-authored items first, then augment inside each split, so no variant crosses over.
    The challenge set is written out as it is: no augmentation, never trained on."""
    splits = split_examples(load_authored(authored), seed=seed)
    counts = {}
    for split, examples in splits.items():
        # Composed long texts are a training device; dev and test get a few so that they stay mostly hand-written.
        rows: list[Example] = examples + augment(examples, seed=seed, long_per_industry=12 if split == "train" else 3)
        write_jsonl(out / f"{split}.jsonl", rows)
        counts[split] = len(rows)
    hard_cases = load_authored(challenge) if challenge.is_dir() else []
    if hard_cases:
        write_jsonl(out / f"{CHALLENGE}.jsonl", hard_cases)
        counts[CHALLENGE] = len(hard_cases)
    return counts
