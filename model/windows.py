"""Overlapping token windows, so texts longer than the encoder's limit are scored whole, never cut."""

from __future__ import annotations


def token_windows(n_tokens: int, window: int, stride: int) -> list[tuple[int, int]]:
    """[start, end) token ranges of at most `window` tokens, starting every `stride` tokens, covering all."""
    if n_tokens <= window:
        return [(0, n_tokens)]
    starts = list(range(0, n_tokens - window, stride)) + [n_tokens - window]
    return [(s, s + window) for s in starts]
