"""Batch throughput: the transformers pipeline (torch) vs onnxruntime fp32 and int8 on the same model and texts.

Usage: python bench/batch_throughput.py [--run runs/latest] [--texts 2000]
Needs a training run (its checkpoint is the torch model; fp32 and int8 artifacts are exported from it).
Prints a Markdown table and writes bench/out/batch_throughput.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np
import onnxruntime
import torch
import transformers

from model.checker import Checker
from model.engine import Engine
from training.corpus import CORPUS_DIR, read_jsonl
from training.export import export
from training.train import load_checkpoint

OUT = Path(__file__).parent / "out"


class AdlintPipeline(transformers.Pipeline):
    """The usual stack: a transformers Pipeline around the fine-tuned torch model, truncating at 256 tokens."""

    def _sanitize_parameters(self, **kwargs):
        return {}, {}, {}

    def preprocess(self, text):
        return self.tokenizer(text, truncation=True, max_length=256, return_tensors="pt")

    def _forward(self, inputs):
        sequence, _ = self.model(inputs["input_ids"], inputs["attention_mask"])
        return sequence

    def postprocess(self, sequence):
        return torch.sigmoid(sequence)[0].tolist()


def texts_for_bench(n: int) -> list[str]:
    """Test-split texts that fit one 256-token window, so every stack does the same work (the transformers
    pipeline truncates where adlint windows; long texts are timed separately)."""
    corpus = [e.text for e in read_jsonl(CORPUS_DIR / "test.jsonl") if len(e.text) <= 250]
    return [corpus[i % len(corpus)] for i in range(n)]


def timed(fn, texts: list[str]) -> dict:
    fn(texts[:32])  # warm-up
    start = time.perf_counter()
    fn(texts)
    seconds = time.perf_counter() - start
    chars = sum(map(len, texts))
    return {
        "seconds": round(seconds, 2),
        "texts_per_s": round(len(texts) / seconds, 1),
        "chars_per_s": round(chars / seconds),
    }


def raw_session(engine: Engine, texts: list[str]):
    """onnxruntime alone on pre-tokenized, length-sorted, pre-padded batches: the floor for the pipeline."""
    encodings = engine.tokenizer.encode_batch(texts)
    ids = sorted((e.ids[: engine.config.max_length] for e in encodings), key=len)
    batches = []
    for b in range(0, len(ids), engine.batch_size):
        chunk = ids[b : b + engine.batch_size]
        width = max(map(len, chunk))
        array = np.zeros((len(chunk), width), dtype=np.int64)
        for j, row in enumerate(chunk):
            array[j, : len(row)] = row
        batches.append((array, (array != 0).astype(np.int64)))

    def run(_texts):
        for array, mask in batches if len(_texts) == len(texts) else batches[:1]:
            engine.run(array, mask)

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--run", type=Path, default=Path("runs/latest"))
    parser.add_argument("--texts", type=int, default=2000)
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    texts = texts_for_bench(args.texts)
    fp32_dir, int8_dir = OUT / "artifact-fp32", OUT / "artifact-int8"
    export(args.run, fp32_dir, quantize=False)
    export(args.run, int8_dir, quantize=True)
    model, _ = load_checkpoint(args.run)
    # What a Pipeline reads off a transformers model.
    model.device, model.config, model.dtype = torch.device("cpu"), model.encoder.config, torch.float32
    tokenizer = transformers.PreTrainedTokenizerFast(
        tokenizer_file=str(args.run / "checkpoint" / "tokenizer.json"),
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
    )
    pipe = AdlintPipeline(model=model, tokenizer=tokenizer, device=-1)
    int8 = Engine(int8_dir)
    long_texts = [e.text for e in read_jsonl(CORPUS_DIR / "test.jsonl") if len(e.text) > 512]
    results = {
        "transformers pipeline (torch fp32, batch 32)": timed(lambda t: list(pipe(t, batch_size=32)), texts),
        "onnxruntime fp32 (adlint engine)": timed(Engine(fp32_dir).predict, texts),
        "onnxruntime int8 (adlint engine)": timed(int8.predict, texts),
        "onnxruntime int8 raw session, pre-tokenized": timed(raw_session(int8, texts), texts),
        "adlint batch path (int8 + rule layer)": timed(Checker.load(int8_dir).check, texts),
        f"adlint int8 engine, {len(long_texts)} long texts (> 512 chars, windowed)": timed(int8.predict, long_texts),
    }
    base = results["transformers pipeline (torch fp32, batch 32)"]["texts_per_s"]
    raw = results["onnxruntime int8 raw session, pre-tokenized"]["texts_per_s"]
    report = {
        "machine": f"{platform.processor() or platform.machine()}, {torch.get_num_threads()} threads",
        "versions": {
            "onnxruntime": onnxruntime.__version__,
            "torch": torch.__version__,
            "transformers": transformers.__version__,
        },
        "date": time.strftime("%Y-%m-%d"),
        "texts": len(texts),
        "mean_chars": round(np.mean([len(t) for t in texts]), 1),
        "results": results,
        "int8_vs_pipeline": round(results["onnxruntime int8 (adlint engine)"]["texts_per_s"] / base, 2),
        "raw_vs_int8_engine": round(raw / results["onnxruntime int8 (adlint engine)"]["texts_per_s"], 2),
    }
    (OUT / "batch_throughput.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print("| stack | texts/s | chars/s | seconds |\n|---|---|---|---|")
    for name, r in results.items():
        print(f"| {name} | {r['texts_per_s']} | {r['chars_per_s']} | {r['seconds']} |")
    print(
        f"\nint8 engine / transformers pipeline: {report['int8_vs_pipeline']}x; "
        f"raw session / int8 engine: {report['raw_vs_int8_engine']}x"
    )


if __name__ == "__main__":
    main()
