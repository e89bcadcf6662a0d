"""Training, export and reload on a tiny random-weight model: the pipeline's plumbing, end to end."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from model.config import ModelConfig
from model.engine import Engine
from training.backbone import load_base_tokenizer
from training.config import TrainConfig
from training.export import engine_inputs, torch_onnx_max_diff
from training.train import load_checkpoint


def test_tiny_run_writes_its_folder_and_the_loss_falls(tiny_run):
    for name in (
        "train_config.json",
        "metrics.json",
        "thresholds.json",
        "checkpoint/model.safetensors",
        "checkpoint/tokenizer.json",
        "checkpoint/config.json",
    ):
        assert (tiny_run / name).exists(), name
    metrics = json.loads((tiny_run / "metrics.json").read_text())
    losses = metrics["losses"]
    assert metrics["steps"] == len(losses) == 40
    assert np.mean(losses[-5:]) < np.mean(losses[:5])
    assert set(metrics["dev"]["per_label"]) == {"absolute_term", "exaggerated_claim", "misleading_statement"}
    config = ModelConfig.load(tiny_run / "checkpoint")
    assert config.label2id == {"absolute_term": 0, "exaggerated_claim": 1, "misleading_statement": 2}
    assert all(0 < t < 1 for t in config.thresholds.values())


def test_checkpoint_round_trip_gives_the_same_logits(tiny_run):
    first, _ = load_checkpoint(tiny_run)
    second, _ = load_checkpoint(tiny_run / "checkpoint")
    ids = torch.randint(1000, 5000, (2, 12))
    mask = torch.ones_like(ids)
    with torch.no_grad():
        for a, b in zip(first(ids, mask), second(ids, mask), strict=True):
            assert torch.equal(a, b)


def test_onnx_export_matches_torch(tiny_run, tiny_artifact):
    report = json.loads((tiny_artifact / "export_report.json").read_text())
    assert report["opset"] >= 17 and report["torch_onnx_parity"]
    artifact = Engine(tiny_artifact)
    model, _ = load_checkpoint(tiny_run)
    if not artifact.config.quantized:
        assert torch_onnx_max_diff(model, artifact, ["全网最低价", "这款卫衣面料柔软，百搭好穿"]) <= 1e-4
    # int8 ships exactly when it keeps fp32's decisions, and the artifact carries the thresholds export chose.
    agrees = report["int8_label_agreement"] >= 0.99
    keeps_f1 = report["fp32_dev_macro_f1"] - report["int8_dev_macro_f1"] <= 0.01
    assert report["int8_accepted"] == (agrees and keeps_f1) == artifact.config.quantized
    assert artifact.config.thresholds == report["thresholds"]


def test_dynamic_axes_accept_any_batch_and_length(tiny_artifact):
    engine = Engine(tiny_artifact)
    for batch, length in ((1, 3), (5, 40), (2, 256)):
        ids = np.full((batch, length), 1000, dtype=np.int64)
        seq, tok = engine.run(ids, np.ones_like(ids))
        assert seq.shape == (batch, 3) and tok.shape == (batch, length, 3)


def test_serving_tokenizer_gives_training_ids(tiny_base, tiny_artifact):
    training_tokenizer = load_base_tokenizer(str(tiny_base))
    engine = Engine(tiny_artifact)
    for text in ("全网NO.1，TOP1 好物", "SPF50+ 防晒霜", "最近天气不错"):
        assert engine.tokenizer.encode(text).ids == training_tokenizer.encode(text).ids
    ids, _ = engine_inputs(engine, ["NO.1"])
    assert 100 not in ids  # [UNK]: lower-casing makes NO.1 known


def test_long_texts_are_windowed_not_cut(tiny_artifact):
    engine = Engine(tiny_artifact)
    text = "这款卫衣面料柔软。" * 300
    [prediction] = engine.predict([text])
    assert set(prediction.scores) == {"absolute_term", "exaggerated_claim", "misleading_statement"}
    assert all(0 <= s.start < s.end <= len(text) for s in prediction.spans)


def test_invalid_training_configuration_is_refused(tmp_path):
    with pytest.raises(ValueError, match="epochs"):
        TrainConfig(epochs=0)
    with pytest.raises(ValueError, match="device"):
        TrainConfig(device="tpu")
    path = tmp_path / "config.yaml"
    path.write_text("epochs: 2\nbogus: 1\n")
    with pytest.raises(ValueError, match="bogus"):
        TrainConfig.from_file(path)
    path.write_text("epochs: 2\nbatch_size: 4\n")
    assert TrainConfig.from_file(path, batch_size=8).batch_size == 8
