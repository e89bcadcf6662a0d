"""`adlint export`: checkpoint → ONNX (opset 17, dynamic axes) → graph-optimized → dynamic int8, with parity checks.

The int8 model ships when it agrees with fp32 on at least 99% of dev labels and loses at most 0.01 macro-F1;
otherwise fp32 ships and the report says why.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import numpy as np
import torch

from model.config import CONFIG_FILE, ONNX_FILE, TOKENIZER_FILE
from model.engine import Engine
from training.corpus import CORPUS_DIR, Example, read_jsonl
from training.metrics import calibrate_thresholds, label_metrics, span_overlap_f1
from training.train import load_checkpoint, targets

OPSET = 17
PARITY_ATOL = 1e-4
MIN_AGREEMENT = 0.99
MAX_F1_DROP = 0.01
SPAN_THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


def _export_onnx(model: torch.nn.Module, path: Path) -> None:
    ids = torch.randint(1000, 5000, (2, 16))
    mask = torch.ones_like(ids)
    torch.onnx.export(
        model,
        (ids, mask),
        str(path),
        input_names=["input_ids", "attention_mask"],
        output_names=["sequence_logits", "token_logits"],
        opset_version=OPSET,
        dynamo=False,
        dynamic_axes={
            "input_ids": {0: "batch", 1: "sequence"},
            "attention_mask": {0: "batch", 1: "sequence"},
            "sequence_logits": {0: "batch"},
            "token_logits": {0: "batch", 1: "sequence"},
        },
    )


def _optimize(source: Path, target: Path, encoder_config) -> None:
    """onnxruntime's transformer fusions (attention, layer norm, GELU) for BERT graphs."""
    from onnxruntime.transformers.optimizer import optimize_model

    optimized = optimize_model(
        str(source),
        model_type="bert",
        num_heads=encoder_config.num_attention_heads,
        hidden_size=encoder_config.hidden_size,
        opt_level=1,
    )
    optimized.save_model_to_file(str(target))


def _quantize(source: Path, target: Path) -> None:
    from onnx import TensorProto
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # Fused contrib ops defeat shape inference; their outputs are float.
    quantize_dynamic(
        str(source),
        str(target),
        weight_type=QuantType.QInt8,
        per_channel=True,
        extra_options={"DefaultTensorType": TensorProto.FLOAT},
    )


def _artifact(folder: Path, onnx_path: Path, checkpoint: Path, quantized: bool) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(onnx_path, folder / ONNX_FILE)
    shutil.copy(checkpoint / TOKENIZER_FILE, folder / TOKENIZER_FILE)
    config = json.loads((checkpoint / CONFIG_FILE).read_text(encoding="utf-8"))
    (folder / CONFIG_FILE).write_text(
        json.dumps(config | {"quantized": quantized}, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return folder


def torch_onnx_max_diff(model: torch.nn.Module, engine: Engine, texts: list[str]) -> float:
    """Largest absolute logit difference between torch and onnxruntime on the same padded batch."""
    ids, mask = engine_inputs(engine, texts)
    with torch.no_grad():
        torch_out = [t.numpy() for t in model(torch.from_numpy(ids), torch.from_numpy(mask))]
    onnx_out = engine.run(ids, mask)
    return float(max(np.abs(a - b).max() for a, b in zip(torch_out, onnx_out, strict=True)))


def engine_inputs(engine: Engine, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    encodings = [engine.tokenizer.encode(t) for t in texts]
    width = min(max(len(e.ids) for e in encodings), engine.config.max_length)
    ids = np.zeros((len(texts), width), dtype=np.int64)
    for j, e in enumerate(encodings):
        piece = e.ids[:width]
        ids[j, : len(piece)] = piece
    return ids, (ids != 0).astype(np.int64)


def _dev_scores(engine: Engine, texts: list[str]) -> np.ndarray:
    return np.array([s.sequence for s in engine.score(texts)])


def _labels(engine: Engine, scores: np.ndarray) -> np.ndarray:
    return scores >= np.array([engine.config.thresholds[lab] for lab in engine.config.labels])


def calibrate_span_threshold(engine: Engine, dev: list[Example]) -> float:
    """The token threshold that maximises dev span-overlap F1 (scored once, decoded per candidate)."""
    scored = engine.score([e.text for e in dev])
    gold = [list(e.spans) for e in dev]
    best, best_f1 = engine.config.span_threshold, -1.0
    for threshold in SPAN_THRESHOLDS:
        predicted = [[(f.start, f.end, f.label) for f in engine.decode(s, threshold).spans] for s in scored]
        f1 = span_overlap_f1(gold, predicted)["f1"]
        if f1 > best_f1:
            best, best_f1 = threshold, f1
    return best


def export(
    run: str | Path, output: str | Path, dev_path: Path = CORPUS_DIR / "dev.jsonl", quantize: bool = True
) -> dict:
    """Write an artifact folder (model.onnx, tokenizer.json, config.json, export_report.json)."""
    run, output = Path(run), Path(output)
    model, config = load_checkpoint(run)
    checkpoint = run / "checkpoint" if (run / "checkpoint").is_dir() else run
    dev = list(read_jsonl(dev_path))
    texts = [e.text for e in dev] or ["全网最低价", "最近天气不错"]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        _export_onnx(model, tmp / "raw.onnx")
        _optimize(tmp / "raw.onnx", tmp / "fp32.onnx", model.encoder.config)
        fp32 = Engine(_artifact(tmp / "fp32", tmp / "fp32.onnx", checkpoint, quantized=False))
        report = {"opset": OPSET, "torch_onnx_max_abs_diff": torch_onnx_max_diff(model, fp32, texts[:16])}
        report["torch_onnx_parity"] = report["torch_onnx_max_abs_diff"] <= PARITY_ATOL
        chosen, thresholds = tmp / "fp32.onnx", fp32.config.thresholds
        if quantize:
            _quantize(tmp / "fp32.onnx", tmp / "int8.onnx")
            int8 = Engine(_artifact(tmp / "int8", tmp / "int8.onnx", checkpoint, quantized=True))
            int8_scores, fp32_labels = _dev_scores(int8, texts), _labels(fp32, _dev_scores(fp32, texts))
            if dev:
                # int8 shifts probabilities a little: its thresholds are the ones that best reproduce fp32's dev
                # decisions (fp32's were calibrated on the gold labels), so int8 stands in for fp32.
                int8.config.thresholds = calibrate_thresholds(fp32_labels.astype(int), int8_scores, int8.config.labels)
            int8_labels = _labels(int8, int8_scores)
            report["int8_label_agreement"] = round(float((fp32_labels == int8_labels).mean()), 4)
            if dev:
                gold = targets(dev)
                report["fp32_dev_macro_f1"] = label_metrics(gold, fp32_labels, config.labels)["macro_f1"]
                report["int8_dev_macro_f1"] = label_metrics(gold, int8_labels, config.labels)["macro_f1"]
            drop = report.get("fp32_dev_macro_f1", 0) - report.get("int8_dev_macro_f1", 0)
            report["int8_accepted"] = report["int8_label_agreement"] >= MIN_AGREEMENT and drop <= MAX_F1_DROP
            if report["int8_accepted"]:
                chosen, thresholds = tmp / "int8.onnx", int8.config.thresholds
            else:
                report["why_fp32"] = (
                    f"int8 agreement {report['int8_label_agreement']} or F1 drop {drop:.4f} out of bounds"
                )
        if output.exists():
            shutil.rmtree(output)
        _artifact(output, chosen, checkpoint, quantized=chosen.name == "int8.onnx")
    report["thresholds"] = thresholds
    if dev:
        report["span_threshold"] = calibrate_span_threshold(Engine(output), dev)
    config_path = output / CONFIG_FILE
    config_data = json.loads(config_path.read_text(encoding="utf-8"))
    updates = {"thresholds": thresholds, "span_threshold": report.get("span_threshold", config.span_threshold)}
    config_path.write_text(json.dumps(config_data | updates, ensure_ascii=False, indent=2), encoding="utf-8")
    report["model_bytes"] = (output / ONNX_FILE).stat().st_size
    (output / "export_report.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    return report
