"""Scores shared by training (dev) and evaluation (test): scikit-learn label metrics and span overlap F1."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import average_precision_score, f1_score, precision_recall_fscore_support

Span = tuple[int, int, str]


def label_metrics(y_true: np.ndarray, y_pred: np.ndarray, labels: list[str], scores: np.ndarray | None = None) -> dict:
    """Per-label precision/recall/F1 (and PR-AUC when scores are given), macro and micro F1."""
    p, r, f, support = precision_recall_fscore_support(y_true, y_pred, average=None, zero_division=0)
    per_label = {}
    for k, lab in enumerate(labels):
        per_label[lab] = {
            "precision": round(float(p[k]), 4),
            "recall": round(float(r[k]), 4),
            "f1": round(float(f[k]), 4),
            "support": int(support[k]),
        }
        if scores is not None and y_true[:, k].any():
            per_label[lab]["pr_auc"] = round(float(average_precision_score(y_true[:, k], scores[:, k])), 4)
    return {
        "per_label": per_label,
        "macro_f1": round(float(f1_score(y_true, y_pred, average="macro", zero_division=0)), 4),
        "micro_f1": round(float(f1_score(y_true, y_pred, average="micro", zero_division=0)), 4),
    }


def calibrate_thresholds(y_true: np.ndarray, scores: np.ndarray, labels: list[str]) -> dict[str, float]:
    """Per label, the threshold in [0.2, 0.9] that maximises dev F1 (ties go to the higher threshold)."""
    grid = np.round(np.arange(0.2, 0.91, 0.025), 3)
    thresholds = {}
    for k, lab in enumerate(labels):
        f1s = [f1_score(y_true[:, k], scores[:, k] >= t, zero_division=0) for t in grid]
        best = max(range(len(grid)), key=lambda i: (round(f1s[i], 4), grid[i]))
        thresholds[lab] = float(grid[best])
    return thresholds


def span_overlap_f1(gold: list[list[Span]], predicted: list[list[Span]]) -> dict:
    """A predicted span counts when it overlaps a gold span of the same label, and vice versa."""

    def matched(a: list[Span], b: list[Span]) -> int:
        return sum(any(s < e2 and s2 < e and lab == lab2 for s2, e2, lab2 in b) for s, e, lab in a)

    tp_pred = sum(matched(p, g) for p, g in zip(predicted, gold, strict=True))
    tp_gold = sum(matched(g, p) for p, g in zip(predicted, gold, strict=True))
    n_pred = sum(map(len, predicted))
    n_gold = sum(map(len, gold))
    precision = tp_pred / n_pred if n_pred else 0.0
    recall = tp_gold / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}
