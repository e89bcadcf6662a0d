"""Training configuration: a dataclass that validates itself, loaded from YAML/JSON and overridden by flags."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import yaml

from training.corpus import CORPUS_DIR


@dataclass
class TrainConfig:
    """Defaults train the shipped model on a 2-core CPU in under 30 minutes."""

    base_model: str = "m3e-small"
    corpus_dir: str = str(CORPUS_DIR)
    data: list[str] = field(default_factory=list)
    include_corpus: bool = True
    output_dir: str = "runs/latest"
    epochs: int = 3
    batch_size: int = 16
    learning_rate: float = 1e-4
    head_learning_rate: float = 1e-3
    weight_decay: float = 0.01
    warmup_ratio: float = 0.06
    max_length: int = 256
    stride: int = 192
    token_loss_weight: float = 1.0
    patience: int = 0
    seed: int = 7  # of two seeds on the shipped corpus, the one with the better dev macro-F1 (see the model card)
    max_steps: int = 0
    threads: int = 0
    device: str = "auto"  # auto: the first CUDA GPU when there is one, else the CPU
    version: str = "0.5.0"

    def __post_init__(self) -> None:
        checks = {
            "epochs": self.epochs >= 1,
            "batch_size": self.batch_size >= 1,
            "learning_rate": 0 < self.learning_rate < 1,
            "head_learning_rate": 0 < self.head_learning_rate < 1,
            "warmup_ratio": 0 <= self.warmup_ratio < 1,
            "max_length": 8 <= self.max_length <= 512,
            "stride": 0 < self.stride <= self.max_length - 2,
            "token_loss_weight": self.token_loss_weight >= 0,
            "patience": self.patience >= 0,
            "max_steps": self.max_steps >= 0,
            "data or corpus": self.include_corpus or bool(self.data),
            "device": self.device in ("auto", "cpu", "mps") or self.device.split(":")[0] == "cuda",
        }
        bad = [name for name, ok in checks.items() if not ok]
        if bad:
            raise ValueError(f"invalid training configuration: {', '.join(bad)}")

    @classmethod
    def from_file(cls, path: str | Path, **overrides) -> TrainConfig:
        """YAML or JSON file, then non-None overrides (the command-line flags) on top."""
        text = Path(path).read_text(encoding="utf-8")
        values = json.loads(text) if str(path).endswith(".json") else yaml.safe_load(text) or {}
        known = {f.name for f in fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"unknown configuration keys: {sorted(unknown)}")
        return cls(**(values | {k: v for k, v in overrides.items() if v is not None}))

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), ensure_ascii=False, indent=2), encoding="utf-8")
