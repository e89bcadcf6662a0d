"""`adlint train`: fine-tune the two-head model, early-stop on dev macro-F1, calibrate thresholds, save a run.

A run folder holds train_config.json, metrics.json, thresholds.json and checkpoint/ (model.safetensors,
encoder/ config, tokenizer.json and the artifact config.json), which `adlint export` turns into ONNX.
"""

from __future__ import annotations

import copy
import hashlib
import json
import random
import time
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from tqdm import tqdm

from model.config import TOKENIZER_FILE, ModelConfig
from model.labels import LABELS
from training.backbone import load_base_tokenizer, resolve_base_model
from training.config import TrainConfig
from training.corpus import Example, data_hash, load_splits
from training.customer_data import load_examples
from training.features import Window, encode_examples
from training.metrics import calibrate_thresholds, label_metrics
from training.modeling import AdlintModel, load_encoder

CHECKPOINT = "checkpoint"
WEIGHTS = "model.safetensors"


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def _batches(windows: list[Window], batch_size: int, rng: random.Random | None) -> list[list[Window]]:
    """Length-sorted batches (little padding); their order is shuffled when training."""
    ordered = sorted(windows, key=lambda w: len(w.input_ids))
    batches = [ordered[i : i + batch_size] for i in range(0, len(ordered), batch_size)]
    if rng is not None:
        rng.shuffle(batches)
    return batches


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def _tensors(batch: list[Window], n_labels: int, device: torch.device) -> dict[str, torch.Tensor]:
    width = max(len(w.input_ids) for w in batch)
    ids = torch.zeros((len(batch), width), dtype=torch.long)
    mask = torch.zeros_like(ids)
    token_targets = torch.zeros((len(batch), width, n_labels))
    token_mask = torch.zeros((len(batch), width))
    for j, w in enumerate(batch):
        ids[j, : len(w.input_ids)] = torch.tensor(w.input_ids)
        mask[j, : len(w.input_ids)] = 1
        if w.token_targets is not None:
            n = len(w.token_targets)
            token_targets[j, 1 : n + 1] = torch.from_numpy(w.token_targets)
            token_mask[j, 1 : n + 1] = 1
    tensors = {
        "input_ids": ids,
        "attention_mask": mask,
        "token_targets": token_targets,
        "token_mask": token_mask,
        "sequence_targets": torch.from_numpy(np.stack([w.sequence_targets for w in batch])),
    }
    return {name: tensor.to(device) for name, tensor in tensors.items()}


def loss_fn(model: AdlintModel, batch: dict[str, torch.Tensor], token_weight: float) -> torch.Tensor:
    seq_logits, tok_logits = model(batch["input_ids"], batch["attention_mask"])
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    loss = bce(seq_logits, batch["sequence_targets"])
    per_token = bce(tok_logits, batch["token_targets"], reduction="none").mean(-1) * batch["token_mask"]
    return loss + token_weight * per_token.sum() / batch["token_mask"].sum().clamp(min=1.0)


@torch.no_grad()
def example_scores(model: AdlintModel, windows: list[Window], n_examples: int, batch_size: int = 64) -> np.ndarray:
    """Per-example label probabilities: the maximum over the example's windows, as the engine does."""
    model.eval()
    device = next(model.parameters()).device
    scores = np.zeros((n_examples, len(LABELS)), dtype=np.float32)
    for batch in _batches(windows, batch_size, None):
        tensors = _tensors(batch, len(LABELS), device)
        seq_logits, _ = model(tensors["input_ids"], tensors["attention_mask"])
        for w, probs in zip(batch, torch.sigmoid(seq_logits).cpu().numpy(), strict=True):
            scores[w.example] = np.maximum(scores[w.example], probs)
    return scores


def targets(examples: list[Example]) -> np.ndarray:
    return np.array([[float(lab in e.labels) for lab in LABELS] for e in examples], dtype=np.float32)


def _load_data(config: TrainConfig) -> tuple[list[Example], list[Example], str]:
    train, dev, hashes = [], [], []
    if config.include_corpus:
        splits = load_splits(Path(config.corpus_dir))
        train, dev = splits["train"], splits["dev"]
        hashes.append(data_hash(Path(config.corpus_dir)))
    for path in config.data:
        extra = load_examples(path)
        # One row in ten (by a stable hash of its text) goes to dev, so customer data is also checked.
        for example in extra:
            (dev if hash_bucket(example.text) == 0 else train).append(example)
        hashes.append(Path(path).name)
    return train, dev, "+".join(hashes)


def hash_bucket(text: str, buckets: int = 10) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest(), 16) % buckets


def train(config: TrainConfig) -> Path:
    """Train, calibrate and save; returns the run folder."""
    started = time.time()
    seed_everything(config.seed)
    if config.threads:
        torch.set_num_threads(config.threads)
    run = Path(config.output_dir)
    (run / CHECKPOINT).mkdir(parents=True, exist_ok=True)
    config.save(run / "train_config.json")

    train_examples, dev_examples, hashes = _load_data(config)
    base = resolve_base_model(config.base_model)
    tokenizer = load_base_tokenizer(config.base_model)
    labels = list(LABELS)
    window = config.max_length - 2
    train_windows = encode_examples(train_examples, tokenizer, labels, window, config.stride)
    dev_windows = encode_examples(dev_examples, tokenizer, labels, window, config.stride)
    dev_targets = targets(dev_examples)

    device = resolve_device(config.device)
    model = AdlintModel(load_encoder(base), len(labels)).to(device)
    heads = [p for n, p in model.named_parameters() if not n.startswith("encoder.")]
    optimizer = torch.optim.AdamW(
        [
            {"params": model.encoder.parameters(), "lr": config.learning_rate},
            {"params": heads, "lr": config.head_learning_rate},
        ],
        weight_decay=config.weight_decay,
    )
    rng = random.Random(config.seed)
    steps_per_epoch = -(-len(train_windows) // config.batch_size)
    total = config.max_steps or steps_per_epoch * config.epochs
    warmup = int(total * config.warmup_ratio)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / max(warmup, 1), max(0.0, (total - s) / max(total - warmup, 1)))
    )

    history, losses, step = [], [], 0
    best = {"macro_f1": -1.0, "epoch": 0, "state": None}
    bar = tqdm(total=total, desc="train", unit="step", disable=None)
    for epoch in range(1, config.epochs + 1):
        model.train()
        for batch in _batches(train_windows, config.batch_size, rng):
            loss = loss_fn(model, _tensors(batch, len(labels), device), config.token_loss_weight)
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            losses.append(round(loss.item(), 5))
            step += 1
            bar.update(1)
            bar.set_postfix(epoch=epoch, loss=f"{np.mean(losses[-20:]):.4f}")
            if step >= total:
                break
        scores = example_scores(model, dev_windows, len(dev_examples))
        dev = label_metrics(dev_targets, scores >= 0.5, labels, scores) if dev_examples else {"macro_f1": 0.0}
        history.append({"epoch": epoch, "step": step, "dev_macro_f1": dev["macro_f1"]})
        if dev["macro_f1"] > best["macro_f1"]:
            best = {"macro_f1": dev["macro_f1"], "epoch": epoch, "state": copy.deepcopy(model.state_dict())}
        elif epoch - best["epoch"] > config.patience:
            break
        if step >= total:
            break
    bar.close()

    model.load_state_dict(best["state"])
    scores = example_scores(model, dev_windows, len(dev_examples))
    thresholds = calibrate_thresholds(dev_targets, scores, labels) if dev_examples else {}
    calibrated = np.array([scores[:, k] >= thresholds.get(lab, 0.5) for k, lab in enumerate(labels)]).T
    metrics = {
        "train_examples": len(train_examples),
        "train_windows": len(train_windows),
        "dev_examples": len(dev_examples),
        "steps": step,
        "best_epoch": best["epoch"],
        "history": history,
        "loss_first": losses[0],
        "loss_last": float(np.mean(losses[-10:])),
        "losses": losses,
        "train_seconds": round(time.time() - started, 1),
        "device": str(device),
        "data_hash": hashes,
        "dev": label_metrics(dev_targets, calibrated, labels, scores) if dev_examples else {},
    }
    save_checkpoint(
        model,
        tokenizer,
        run / CHECKPOINT,
        ModelConfig(
            labels=labels,
            thresholds=thresholds,
            max_length=config.max_length,
            stride=config.stride,
            version=config.version,
            base_model=config.base_model,
            data_hash=hashes,
            metrics={"dev": metrics["dev"]},
        ),
    )
    (run / "thresholds.json").write_text(json.dumps(thresholds, indent=2), encoding="utf-8")
    (run / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8")
    return run


def save_checkpoint(model: AdlintModel, tokenizer, directory: Path, config: ModelConfig) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    save_file({k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}, str(directory / WEIGHTS))
    model.encoder.config.save_pretrained(directory / "encoder")
    tokenizer.save(str(directory / TOKENIZER_FILE))
    config.save(directory)


def load_checkpoint(directory: str | Path) -> tuple[AdlintModel, ModelConfig]:
    """Rebuild the torch model from a run's checkpoint (or the run folder itself)."""
    directory = Path(directory)
    if (directory / CHECKPOINT).is_dir():
        directory = directory / CHECKPOINT
    config = ModelConfig.load(directory)
    model = AdlintModel(load_encoder(str(directory / "encoder"), pretrained=False), len(config.labels))
    model.load_state_dict(load_file(str(directory / WEIGHTS)))
    model.eval()
    return model, config
