"""Train/dev/test splits by source group: near-duplicates share a group, and groups never cross splits."""

from __future__ import annotations

import random
from collections import defaultdict

from training.corpus import SPLITS, Example
from training.neardup import near_duplicate_pairs

FRACTIONS = {"train": 0.8, "dev": 0.1, "test": 0.1}


def _groups(examples: list[Example]) -> list[list[Example]]:
    """Union-find over near-duplicate pairs."""
    parent = list(range(len(examples)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in near_duplicate_pairs([e.text for e in examples]):
        parent[find(i)] = find(j)
    groups: dict[int, list[Example]] = defaultdict(list)
    for i, example in enumerate(examples):
        groups[find(i)].append(example)
    return list(groups.values())


def split_examples(examples: list[Example], seed: int = 13) -> dict[str, list[Example]]:
    """Assign whole groups to splits, stratified by the kind of the group's first item."""
    by_kind: dict[str, list[list[Example]]] = defaultdict(list)
    for group in _groups(examples):
        by_kind[group[0].kind].append(sorted(group, key=lambda e: e.id))
    result: dict[str, list[Example]] = {s: [] for s in SPLITS}
    for kind in sorted(by_kind):
        groups = sorted(by_kind[kind], key=lambda g: g[0].id)
        random.Random(f"{seed}:{kind}").shuffle(groups)
        bounds = (FRACTIONS["train"] * len(groups), (FRACTIONS["train"] + FRACTIONS["dev"]) * len(groups))
        for position, group in enumerate(groups):
            split = "train" if position < bounds[0] else "dev" if position < bounds[1] else "test"
            result[split].extend(group)
    return result
