"""Tiny random-weight models for plumbing tests: a 2-layer, 32-wide BERT with the real Chinese vocabulary.

They prove that training, export and serving fit together; they say nothing about quality, which is tested
on the shipped model.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from training.backbone import embedded_backbone_dir
from training.corpus import Example, write_jsonl

TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")


def build_tiny_base(folder: Path) -> Path:
    from transformers import BertConfig, BertModel

    config = BertConfig(
        vocab_size=21128,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=512,
    )
    BertModel(config, add_pooling_layer=False).save_pretrained(folder)
    for name in TOKENIZER_FILES:
        shutil.copy(embedded_backbone_dir() / name, folder / name)
    return folder


TINY_TEXTS = [
    ("全网最低价，错过再等一年", [(0, 5, "absolute_term")]),
    ("三天见效，无效退款", [(0, 4, "exaggerated_claim")]),
    ("央视推荐的好品牌", [(0, 4, "misleading_statement")]),
    ("最近天气不错，适合出门走走", []),
    ("这款卫衣面料柔软，百搭好穿", []),
    ("销量第一的国货面霜", [(0, 4, "absolute_term")]),
    ("吃一个月血糖就降下来了", [(0, 11, "exaggerated_claim")]),
    ("第一次下单的朋友记得领券", []),
]


def write_tiny_corpus(folder: Path, copies: int = 4) -> Path:
    """train/dev/test files in the corpus schema, small enough for a few training steps."""
    examples = [
        Example(
            id=f"tiny-{i}-{c}",
            text=t if c == 0 else f"{t}{'！' * c}",
            spans=spans,
            labels=sorted({s[2] for s in spans}),
            industry="ecommerce",
            channel="banner",
            kind="plain" if spans else "clean",
            source=f"tiny-{i}",
        )
        for c in range(copies)
        for i, (t, spans) in enumerate(TINY_TEXTS)
    ]
    for split in ("train", "dev", "test"):
        write_jsonl(folder / f"{split}.jsonl", examples)
    return folder
