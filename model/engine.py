"""The onnxruntime inference engine: tokenize, window, score, and turn token tags into character spans.

Serving needs nothing but onnxruntime, tokenizers and numpy: no torch, no transformers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

from model.config import ONNX_FILE, TOKENIZER_FILE, ModelConfig
from model.findings import Finding
from model.labels import DEFAULT_BASIS, DEFAULT_SUGGESTION
from model.normalize import Normalized, normalize
from model.windows import token_windows

MAX_GAP = 2
LONE_TOKEN_MIN = 0.9


@dataclass
class Prediction:
    """Model output for one text: a probability per label and the spans of predicted labels."""

    scores: dict[str, float]
    spans: list[Finding]


@dataclass
class Scored:
    """Raw model output for one text: label probabilities and per-token probabilities over its tokens."""

    text: str
    normalized: Normalized
    offsets: list[tuple[int, int]]
    sequence: np.ndarray
    tokens: np.ndarray


@dataclass
class _Row:
    text_index: int
    start: int
    end: int


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def load_tokenizer(path: str | Path) -> Tokenizer:
    """The artifact's tokenizer, bare: windows and padding are the engine's business."""
    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


class Engine:
    """Scores texts with the exported two-head model (sequence labels + token spans)."""

    def __init__(self, artifact_dir: str | Path, threads: int = 0, batch_size: int = 32) -> None:
        self.artifact_dir = Path(artifact_dir)
        self.config = ModelConfig.load(self.artifact_dir)
        self.tokenizer = load_tokenizer(self.artifact_dir / TOKENIZER_FILE)
        self.batch_size = batch_size
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(
            str(self.artifact_dir / ONNX_FILE), options, providers=["CPUExecutionProvider"]
        )
        self._input_names = {i.name for i in self.session.get_inputs()}
        self.cls_id = self.tokenizer.token_to_id("[CLS]")
        self.sep_id = self.tokenizer.token_to_id("[SEP]")

    def run(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """One onnxruntime call on a padded batch: (sequence logits [B, L], token logits [B, T, L])."""
        feeds = {"input_ids": input_ids, "attention_mask": attention_mask}
        if "token_type_ids" in self._input_names:
            feeds["token_type_ids"] = np.zeros_like(input_ids)
        seq_logits, tok_logits = self.session.run(["sequence_logits", "token_logits"], feeds)
        return seq_logits, tok_logits

    def predict(self, texts: list[str]) -> list[Prediction]:
        return [self.decode(scored) for scored in self.score(texts)]

    def score(self, texts: list[str]) -> list[Scored]:
        """Normalize, tokenize, window, run; a text's probabilities are the maximum over its windows."""
        normalized = [normalize(t) for t in texts]
        encodings = self.tokenizer.encode_batch([n.text for n in normalized], add_special_tokens=False)
        rows = [
            _Row(i, s, e)
            for i, enc in enumerate(encodings)
            for s, e in token_windows(len(enc.ids), self.config.window, self.config.stride)
        ]
        n_labels = len(self.config.labels)
        seq_probs = np.zeros((len(texts), n_labels), dtype=np.float32)
        tok_probs = [np.zeros((len(enc.ids), n_labels), dtype=np.float32) for enc in encodings]
        # Length-sorted batches keep padding small.
        order = sorted(range(len(rows)), key=lambda r: rows[r].end - rows[r].start)
        for b in range(0, len(order), self.batch_size):
            batch = [rows[r] for r in order[b : b + self.batch_size]]
            width = max(row.end - row.start for row in batch) + 2
            ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            for j, row in enumerate(batch):
                piece = [self.cls_id, *encodings[row.text_index].ids[row.start : row.end], self.sep_id]
                ids[j, : len(piece)] = piece
                mask[j, : len(piece)] = 1
            seq_logits, tok_logits = self.run(ids, mask)
            for j, row in enumerate(batch):
                i = row.text_index
                seq_probs[i] = np.maximum(seq_probs[i], sigmoid(seq_logits[j]))
                n = row.end - row.start
                window_probs = sigmoid(tok_logits[j, 1 : n + 1])
                tok_probs[i][row.start : row.end] = np.maximum(tok_probs[i][row.start : row.end], window_probs)
        return [
            Scored(texts[i], normalized[i], encodings[i].offsets, seq_probs[i], tok_probs[i]) for i in range(len(texts))
        ]

    def decode(self, scored: Scored, span_threshold: float | None = None) -> Prediction:
        """Labels over their thresholds, and for each the character spans of its token runs."""
        text, normalized, offsets, tok = scored.text, scored.normalized, scored.offsets, scored.tokens
        threshold = self.config.span_threshold if span_threshold is None else span_threshold
        scores = {lab: round(float(scored.sequence[k]), 4) for k, lab in enumerate(self.config.labels)}
        spans: list[Finding] = []
        for k, lab in enumerate(self.config.labels):
            if scores[lab] < self.config.thresholds[lab] or len(tok) == 0:
                continue
            for first, last in self._token_runs(tok[:, k], threshold):
                start, end = normalized.to_original(offsets[first][0], offsets[last][1])
                if start < end:
                    spans.append(
                        Finding(
                            start=start,
                            end=end,
                            text=text[start:end],
                            label=lab,
                            score=round(float(tok[first : last + 1, k].max()), 4),
                            source="model",
                            basis=DEFAULT_BASIS[lab],
                            suggestion=DEFAULT_SUGGESTION[lab],
                        )
                    )
        spans.sort(key=lambda f: (f.start, f.end))
        return Prediction(scores=scores, spans=spans)

    def _token_runs(self, probs: np.ndarray, threshold: float) -> list[tuple[int, int]]:
        """Runs of tokens over the span threshold, bridged across gaps of up to MAX_GAP tokens (a violation
        the model half-recognises in the middle stays one span); a lone token counts only when the model is
        sure of it. If nothing qualifies, the run around the most likely token locates the label."""
        runs: list[tuple[int, int]] = []
        for first, last in self._runs(probs >= threshold):
            if runs and first - runs[-1][1] - 1 <= MAX_GAP:
                runs[-1] = (runs[-1][0], last)
            else:
                runs.append((first, last))
        kept = [(a, b) for a, b in runs if b > a or probs[a] >= LONE_TOKEN_MIN]
        if kept:
            return kept
        peak = int(probs.argmax())
        return [r for r in self._runs(probs >= probs[peak] * 0.5) if r[0] <= peak <= r[1]]

    @staticmethod
    def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
        runs, start = [], None
        for t, on in enumerate(mask):
            if on and start is None:
                start = t
            elif not on and start is not None:
                runs.append((start, t - 1))
                start = None
        if start is not None:
            runs.append((start, len(mask) - 1))
        return runs
