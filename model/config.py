"""The shipped artifact's configuration: labels, thresholds and windowing live with the weights."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from model.labels import LABELS

CONFIG_FILE = "config.json"
ONNX_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
# How model and rule findings combine; `adlint evaluate` compares them and the artifact records the choice.
FUSION_POLICIES = ("model", "rules", "union", "gated", "explain")


@dataclass
class ModelConfig:
    """Everything a scorer needs besides the weights and tokenizer; validated on construction."""

    labels: list[str] = field(default_factory=lambda: list(LABELS))
    thresholds: dict[str, float] = field(default_factory=dict)
    span_threshold: float = 0.5
    max_length: int = 256
    stride: int = 192
    version: str = "0.0.0"
    base_model: str = ""
    data_hash: str = ""
    quantized: bool = False
    fusion: str = "explain"
    metrics: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = set(self.labels) - set(LABELS)
        if unknown or not self.labels:
            raise ValueError(f"labels must be a non-empty subset of {LABELS}, got {self.labels}")
        self.thresholds = {lab: float(self.thresholds.get(lab, 0.5)) for lab in self.labels}
        for name, value in [*self.thresholds.items(), ("span_threshold", self.span_threshold)]:
            if not 0.0 < value < 1.0:
                raise ValueError(f"threshold {name} must be in (0, 1), got {value}")
        if self.fusion not in FUSION_POLICIES:
            raise ValueError(f"fusion must be one of {FUSION_POLICIES}, got {self.fusion!r}")
        if not 8 <= self.max_length <= 512:
            raise ValueError(f"max_length must be in [8, 512], got {self.max_length}")
        if not 0 < self.stride <= self.max_length - 2:
            raise ValueError(f"stride must be in (0, max_length - 2], got {self.stride}")

    @property
    def label2id(self) -> dict[str, int]:
        return {lab: i for i, lab in enumerate(self.labels)}

    @property
    def window(self) -> int:
        """Content tokens per window: max_length minus [CLS] and [SEP]."""
        return self.max_length - 2

    def save(self, directory: str | Path) -> None:
        data = asdict(self) | {"label2id": self.label2id}
        Path(directory, CONFIG_FILE).write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, directory: str | Path) -> ModelConfig:
        data = json.loads(Path(directory, CONFIG_FILE).read_text(encoding="utf-8"))
        data.pop("label2id", None)
        return cls(**data)
