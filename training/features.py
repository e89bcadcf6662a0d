"""Examples → model windows: the same normalization, tokenizer and windows the engine uses when serving."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from tokenizers import Tokenizer

from model.normalize import normalize
from model.windows import token_windows
from training.corpus import Example


@dataclass
class Window:
    """One encoder input: [CLS] tokens [SEP], its sequence targets and (when spans are known) token targets."""

    example: int
    input_ids: list[int]
    sequence_targets: np.ndarray
    token_targets: np.ndarray | None


def token_targets(example: Example, original_offsets: list[tuple[int, int]], labels: list[str]) -> np.ndarray:
    """A token is inside label k when its original characters overlap a span of label k."""
    targets = np.zeros((len(original_offsets), len(labels)), dtype=np.float32)
    index = {lab: k for k, lab in enumerate(labels)}
    for start, end, label in example.spans:
        for t, (a, b) in enumerate(original_offsets):
            if a < end and start < b:
                targets[t, index[label]] = 1.0
    return targets


def encode_examples(
    examples: list[Example], tokenizer: Tokenizer, labels: list[str], window: int, stride: int
) -> list[Window]:
    """Windows for every example. Examples with labels but no spans (customer data) give only their first
    window, with text-level targets and no token targets: a label without a location can't be placed."""
    cls_id, sep_id = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    normalized = [normalize(e.text) for e in examples]
    encodings = tokenizer.encode_batch([n.text for n in normalized], add_special_tokens=False)
    windows = []
    for i, (example, norm, enc) in enumerate(zip(examples, normalized, encodings, strict=True)):
        spans_known = bool(example.spans) or not example.labels
        if not spans_known:
            targets = np.array([float(lab in example.labels) for lab in labels], dtype=np.float32)
            windows.append(Window(i, [cls_id, *enc.ids[:window], sep_id], targets, None))
            continue
        tokens = token_targets(example, [norm.to_original(a, b) for a, b in enc.offsets], labels)
        for start, end in token_windows(len(enc.ids), window, stride):
            piece = tokens[start:end]
            sequence = piece.max(axis=0) if len(piece) else np.zeros(len(labels), dtype=np.float32)
            windows.append(Window(i, [cls_id, *enc.ids[start:end], sep_id], sequence, piece))
    return windows
