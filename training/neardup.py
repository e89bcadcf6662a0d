"""Near-duplicate detection by character 5-gram Jaccard, used to keep splits leak-free."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

NGRAM = 5
THRESHOLD = 0.8


def shingles(text: str, n: int = NGRAM) -> frozenset[str]:
    text = "".join(text.split())
    if len(text) <= n:
        return frozenset([text])
    return frozenset(text[i : i + n] for i in range(len(text) - n + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def near_duplicate_pairs(texts: Sequence[str], threshold: float = THRESHOLD) -> list[tuple[int, int]]:
    """Index pairs (i < j) whose 5-gram Jaccard exceeds `threshold`.

    An inverted index over shingles limits comparisons to texts that share at least one 5-gram; a pair can
    only pass the threshold if the smaller set is at least `threshold` times the larger, which prunes more.
    """
    sets = [shingles(t) for t in texts]
    index: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(sets):
        for gram in s:
            index[gram].append(i)
    pairs = []
    for i, s in enumerate(sets):
        candidates = {j for gram in s for j in index[gram] if j > i}
        for j in candidates:
            small, large = sorted((len(s), len(sets[j])))
            if small >= threshold * large and jaccard(s, sets[j]) > threshold:
                pairs.append((i, j))
    return pairs
