"""Customers' own reviewed examples (JSONL or CSV in the corpus schema), loaded with `datasets`."""

from __future__ import annotations

import json
from pathlib import Path

from model.labels import LABELS
from training.corpus import Example


def _labels(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = json.loads(value) if value.startswith("[") else [v for v in value.replace(";", ",").split(",")]
    labels = [v.strip() for v in value if v and v.strip()]
    unknown = set(labels) - set(LABELS)
    if unknown:
        raise ValueError(f"unknown labels {sorted(unknown)}; expected a subset of {LABELS}")
    return [lab for lab in LABELS if lab in labels]


def _spans(value) -> list[tuple[int, int, str]]:
    if not value:
        return []
    if isinstance(value, str):
        value = json.loads(value)
    return [(int(s), int(e), str(lab)) for s, e, lab in value]


def load_examples(path: str | Path) -> list[Example]:
    """Rows need `text` and `labels` (a list, or a `;`/`,`-separated string in CSV); `spans` is optional."""
    from datasets import load_dataset

    path = Path(path)
    kind = {".jsonl": "json", ".json": "json", ".csv": "csv"}.get(path.suffix.lower())
    if kind is None:
        raise ValueError(f"{path}: training data must be .jsonl or .csv")
    rows = load_dataset(kind, data_files=str(path), split="train")
    examples = []
    for number, row in enumerate(rows, 1):
        text = row.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"{path}: row {number} has no text")
        spans = _spans(row.get("spans"))
        labels = _labels(row.get("labels")) or [lab for lab in LABELS if lab in {s[2] for s in spans}]
        if any(not 0 <= s < e <= len(text) or lab not in labels for s, e, lab in spans):
            raise ValueError(f"{path}: row {number} has a span out of range or with a label not in its labels")
        examples.append(
            Example(
                id=str(row.get("id") or f"{path.stem}-{number}"),
                text=text,
                spans=spans,
                labels=labels,
                industry=row.get("industry") or "",
                channel=row.get("channel") or "",
                kind=row.get("kind") or "",
                source=f"{path.stem}-{number}",
                hand_authored=False,
                augmentation="customer",
            )
        )
    return examples
