"""The two-head model: one encoder, a multi-label sequence head and a token span-tagging head."""

from __future__ import annotations

import torch
from torch import nn


class AdlintModel(nn.Module):
    """Sequence logits from mean-pooled states (how m3e was trained) and per-token logits for spans."""

    def __init__(self, encoder: nn.Module, num_labels: int, dropout: float = 0.1) -> None:
        super().__init__()
        self.encoder = encoder
        hidden = encoder.config.hidden_size
        self.dropout = nn.Dropout(dropout)
        self.sequence_head = nn.Linear(hidden, num_labels)
        self.token_head = nn.Linear(hidden, num_labels)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        states = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(states.dtype)
        pooled = (states * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)
        return self.sequence_head(self.dropout(pooled)), self.token_head(self.dropout(states))


def load_encoder(base_model: str, pretrained: bool = True) -> nn.Module:
    """A BERT-style encoder with eager attention (exports cleanly to ONNX)."""
    from transformers import AutoConfig, AutoModel

    if pretrained:
        return AutoModel.from_pretrained(base_model, attn_implementation="eager", add_pooling_layer=False)
    config = AutoConfig.from_pretrained(base_model)
    return AutoModel.from_config(config, attn_implementation="eager", add_pooling_layer=False)
